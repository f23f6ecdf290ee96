"""Options shared by several commands, defined once, and the one place that writes output."""

import os
import tempfile
from pathlib import Path

import click

from ..errors import DataError, UsageError
from ..units import DISTANCE_UNITS, MASS_UNITS, parse_quantity


class MassType(click.ParamType):
    """A mass with its unit, '3t' or '12000kg', converted to kilograms."""

    name = "MASS"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            return parse_quantity(value, MASS_UNITS, None, f"--{param.name}" if param else "mass")
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
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="RANGECALC_DATA_DIR",
    show_envvar=True,
    help="Extra data folder (airframes/, bases/, regions/); its entries override bundled ones.",
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
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


def emit(text, output=None, force=False):
    """Write ``text`` (str, or bytes for PNG) to stdout, or atomically to ``output`` (temporary file, then
    rename)."""
    binary = isinstance(text, bytes)
    if output is None:
        if binary:
            stream = click.get_binary_stream("stdout")
            if stream.isatty():
                raise UsageError("a PNG is not for a terminal: add -o FILE.png, or redirect stdout")
            stream.write(text)
            stream.flush()
        else:
            click.echo(text, nl=False)
        return
    output = Path(output)
    if output.exists() and not force:
        raise UsageError(f"--output: {str(output)!r} exists; add --force to overwrite it")
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"--output: folder {str(directory)!r} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".tmp")
        try:
            mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
            with os.fdopen(handle, **mode) as stream:
                stream.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; give it the usual permissions
            os.replace(temporary, output)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DataError(f"--output: cannot write {str(output)!r}: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}", err=True)


QUESTION_FORMATS = ("table", "md", "csv", "json", "geojson", "kml", "svg", "png")


def question_options(default_format, formats=QUESTION_FORMATS):
    """Every option of the reach-type commands (reach, compare, table), in one decorator."""
    decorators = [
        targets_option,
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
