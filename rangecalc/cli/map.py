"""$ rangecalc map reach|compare|route|rings|claim ... -o map.png

Each subcommand is the command of the same name with its own arguments and options, writing only maps:
``--format`` is png or svg (by default from the ``-o`` extension, else png), and ``--width`` / ``--height``
set the size in pixels. The commands' own code runs unchanged: the size reaches
:func:`rangecalc.formats.staticmap.render_map` through :func:`~rangecalc.formats.staticmap.map_size`.
"""

import copy
import functools

import click

from ..errors import UsageError
from .claim import claim_cmd
from .compare import compare_cmd
from .options import format_option
from .reach import reach_cmd
from .rings import rings_cmd
from .route import route_cmd

MAP_FORMATS = ("png", "svg")

#: The subcommands: the command each one draws, with its help and an example.
SUBCOMMANDS = {
    "reach": (
        reach_cmd,
        "Map of an airframe's reach from a base: rings, targets by verdict, region coverage.",
        "rangecalc map reach tu22m3 mozdok --region SY -o reach.png",
    ),
    "compare": (
        compare_cmd,
        "Map comparing basing options: each base's reach, targets, region coverage.",
        "rangecalc map compare tu22m3 mozdok shahid-nojeh --region SY -o compare.svg",
    ),
    "route": (
        route_cmd,
        "Map of the shortest flyable route between two places, with the closed airspace.",
        "rangecalc map route mozdok damascus --avoid TUR,GEO,AZE -o route.png",
    ),
    "rings": (
        rings_cmd,
        "Map of the reach rings (low, nominal, high radius) of an airframe around a base.",
        "rangecalc map rings tu22m3 mozdok --width 2400 -o rings.png",
    ),
    "claim": (
        claim_cmd,
        "Map of a documented claim (default: the 2016 Hamadan question).",
        "rangecalc map claim hamadan-2016 -o hamadan.png",
    ),
}

#: Options of the commands that do not change a map (digits of text tables), kept working but not shown.
HIDDEN = ("precision",)

width_option = click.option(
    "--width",
    "width_px",
    type=int,
    default=None,
    help="Map width in pixels (200 to 8000; default 1600, or 4:3 to --height). The page stays 8 in wide: "
    "more pixels, more resolution.",
)
height_option = click.option(
    "--height",
    "height_px",
    type=int,
    default=None,
    help="Map height in pixels (200 to 8000; default 1200, or 3:4 to --width).",
)


def _param(decorator):
    """The click parameter an option decorator defines."""
    return decorator(lambda: None).__click_params__[0]


def map_command(command, name, short_help, example):
    """A copy of ``command`` that writes PNG or SVG maps only, with --width and --height."""
    mapped = copy.copy(command)
    fmt = _param(format_option(MAP_FORMATS, "png"))
    sizes = [_param(width_option), _param(height_option)]
    params = []
    for param in command.params:
        if param.name == "fmt":
            params += [fmt, *sizes]
        elif param.name in HIDDEN:
            params.append(copy.copy(param))
            params[-1].hidden = True
        else:
            params.append(param)
    if not any(p.name == "fmt" for p in command.params):
        raise ValueError(f"command {command.name!r} has no --format to draw maps with")
    mapped.params = params
    mapped.name = name
    mapped.short_help = short_help
    mapped.help = (
        f"{short_help}\n\nThe arguments and options of 'rangecalc {command.name}' (see its help), drawn as "
        "a PNG or SVG map: country outlines (Natural Earth), closed airspace, reach areas by figure, routes, "
        "targets coloured by verdict, scale bar, legend and credit line. Write it with -o FILE.png or "
        f"FILE.svg (or redirect stdout).\n\n\b\nExample:\n  {example}"
    )
    mapped.epilog = None

    @functools.wraps(command.callback)
    def callback(*args, width_px=None, height_px=None, **kwargs):
        from ..formats.staticmap import map_pixels, map_size  # here: the module loads numpy and shapely

        map_pixels(width_px, height_px)  # a bad size is an error before the work
        if kwargs.get("output") is None and click.get_binary_stream("stdout").isatty():
            raise UsageError(f"a map is not for a terminal: add -o FILE.{kwargs['fmt']}, or redirect stdout")
        with map_size(width_px, height_px):
            return command.callback(*args, **kwargs)

    mapped.callback = callback
    return mapped


@click.group("map", short_help="PNG or SVG maps of reach, compare, route, rings and claim.")
def map_group():
    """PNG or SVG maps for print and the web: the answer of reach, compare, route, rings or claim drawn on
    Natural Earth outlines, in a projection where reach rings are true (azimuthal equidistant about the
    base; an equidistant conic for several bases). 1600 x 1200 px at 200 dpi unless --width/--height.

    \b
    Examples:
      rangecalc map reach tu22m3 mozdok --region SY -o reach.png
      rangecalc map route mozdok damascus --avoid TUR,GEO,AZE -o route.svg
    """


def _register():
    for name, (command, short_help, example) in SUBCOMMANDS.items():
        formats = next(p.type.choices for p in command.params if p.name == "fmt")
        if all(f in formats for f in MAP_FORMATS):
            map_group.add_command(map_command(command, name, short_help, example))


_register()
