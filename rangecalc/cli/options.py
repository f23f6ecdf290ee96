"""Options shared by several commands, defined once, and the one place that writes output."""

import contextlib
import os
import sys

import click

from ..errors import DataError, UsageError
from ..output import check_path, write_atomically
from ..units import DISTANCE_UNITS, MASS_UNITS, MAX_PAYLOAD, parse_quantity


class MassType(click.ParamType):
    """A mass with its unit, '3t' or '12000kg', converted to kilograms."""

    name = "MASS"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            return parse_quantity(
                value, MASS_UNITS, None, f"--{param.name}" if param else "mass", MAX_PAYLOAD
            )
        except UsageError as exc:
            self.fail(str(exc).split(": ", 1)[-1], param, ctx)


payload_option = click.option(
    "--payload",
    type=MassType(),
    default=None,
    help="Bomb load, e.g. 3t or 12000kg: the radius then comes from the payload model.",
)
region_option = click.option(
    "--region",
    default=None,
    help="A region (ISO code such as SY or SYR, a country name, or a user GeoJSON id) to cover.",
)


def routing_options(command):
    """--avoid, --via, --standoff and --territorial-sea, shared by every command that flies somewhere."""
    command = click.option(
        "--territorial-sea",
        default=None,
        metavar="DISTANCE",
        help="Closed airspace also covers the sea this far off closed coasts, e.g. 12nm (UNCLOS; "
        "never over other countries' land, cut at median lines; needs --avoid).",
    )(command)
    command = click.option(
        "--standoff",
        default=None,
        metavar="DISTANCE",
        help="Keep at least this far from closed airspace, e.g. 25km or 15nm (needs --avoid).",
    )(command)
    command = click.option(
        "--via",
        multiple=True,
        metavar="PLACE",
        help="A waypoint (coordinates or a name); repeat for several, flown in order.",
    )(command)
    return click.option(
        "--avoid",
        default=None,
        metavar="CODES",
        help="Closed airspace: countries to fly around, e.g. TUR,GEO,AZE (ISO codes or names).",
    )(command)


targets_option = click.option(
    "--targets",
    default=None,
    help="A target set id, or places separated by commas (names, ICAO codes, lat,lon).",
)
targets_file_option = click.option(
    "--targets-file",
    default=None,
    metavar="FILE",
    help="More targets from a file: a .csv with lat and lon columns (and name), or a .geojson of points.",
)

units_option = click.option(
    "--units",
    type=click.Choice([u for u in DISTANCE_UNITS if u != "m"]),
    default="km",
    show_default=True,
    help="Distance unit for output: kilometres, nautical miles or statute miles.",
)
model_option = click.option(
    "--model",
    type=click.Choice(["ellipsoid", "sphere"]),
    default="ellipsoid",
    show_default=True,
    help="Earth model: WGS84 ellipsoid geodesics, or a sphere for comparison only.",
)
precision_option = click.option(
    "--precision",
    type=click.IntRange(0, 6),
    default=0,
    show_default=True,
    help="Decimals for distances in text, Markdown and CSV (0 is a real value).",
)


data_dir_option = click.option(
    "--data-dir",
    default=None,
    envvar="RANGECALC_DATA_DIR",
    show_envvar=True,
    metavar="FOLDER",
    help="Extra data folder (airframes/, bases/, regions/); its entries override bundled ones.",
)
#: Added by RangecalcCommand to every command that takes places (command.GEOCODING_COMMANDS) and taken
#: out of the parameters there, so that the commands' callbacks do not see it.
geocode_option = click.option(
    "--geocode",
    is_flag=True,
    help="Look up places that no offline source knows online, with OpenStreetMap Nominatim through "
    "geopy (pip install 'rangecalc[geocode]'); answers are cached. See docs/geocoding.md.",
)
output_option = click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    help="Write to this file instead of stdout (written whole or not at all; '-' is stdout). Without "
    "--format, the format follows the extension (.geojson .json .kml .csv .md .html .svg .png).",
)
force_option = click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")


def format_option(choices, default):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format (default: from the --output extension, else the one shown).",
    )


def check_output(output, force=False):
    """Refuse an ``--output`` path before any work is done (see :func:`rangecalc.output.check_path`)."""
    if output is None:
        return None
    return check_path(output, force)


def emit(text, output=None, force=False):
    """Write ``text`` (str, or bytes for PNG) to stdout, or atomically to ``output`` (see
    :func:`rangecalc.output.write_atomically`)."""
    if output is None:
        _write_stdout(text)
        return
    write_atomically(output, text, force)
    click.echo(f"wrote {output}", err=True)


def _write_stdout(text):
    """Write to stdout and flush, so that a full, closed or broken stdout is an error now, not lost."""
    binary = isinstance(text, bytes)
    if sys.stdout is None:
        raise DataError("cannot write the output: stdout is closed; use -o FILE")
    try:
        if binary:
            stream = click.get_binary_stream("stdout")
            if stream.isatty():
                raise UsageError("a PNG is not for a terminal: add -o FILE.png, or redirect stdout")
            stream.write(text)
            stream.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError):  # nothing more may reach stdout, not even at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        reason = "broken pipe" if isinstance(exc, BrokenPipeError) else (exc.strerror or str(exc))
        raise DataError(f"cannot write the output to stdout: {reason}") from None


QUESTION_FORMATS = ("table", "md", "csv", "json", "geojson", "kml", "svg", "png")


def question_options(default_format, formats=QUESTION_FORMATS):
    """Every option of the reach-type commands (reach, compare, table), in one decorator."""
    decorators = [
        targets_option,
        targets_file_option,
        region_option,
        payload_option,
        routing_options,
        units_option,
        model_option,
        format_option(formats, default_format),
        precision_option,
        data_dir_option,
        output_option,
        force_option,
    ]

    def apply(command):
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


def question_scope(catalog, **defaults):
    """The :class:`~rangecalc.reach.Scope` of the running command's question options (``--targets``,
    ``--targets-file``, ``--region``, ``--avoid``, ``--via``, ``--standoff``, ``--territorial-sea``, as
    :func:`question_options` declares them); ``defaults`` go to :func:`rangecalc.reach.resolve_scope`
    (``default_targets``, ``command``)."""
    from ..reach import resolve_scope

    params = click.get_current_context().params
    return resolve_scope(
        catalog,
        params["targets"],
        params["region"],
        params["avoid"],
        params["via"],
        params["standoff"],
        territorial_sea=params["territorial_sea"],
        targets_file=params["targets_file"],
        **defaults,
    )
