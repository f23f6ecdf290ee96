"""$ rangecalc rings AIRFRAME BASE"""

import click

from .command import RangecalcCommand
from .options import (
    data_dir_option,
    emit,
    force_option,
    format_option,
    output_option,
    payload_option,
    routing_options,
    units_option,
)


@click.command(
    "rings",
    cls=RangecalcCommand,
    short_help="Reach areas (low, nominal, high radius), direct and on flyable routes, as map layers.",
)
@click.argument("airframe")
@click.argument("base")
@payload_option
@routing_options
@units_option
@format_option(["geojson", "kml", "svg", "png"], "geojson")
@data_dir_option
@output_option
@force_option
def rings_cmd(
    airframe, base, payload, avoid, via, standoff, territorial_sea, units, fmt, data_dir, output, force
):
    """Reach areas of AIRFRAME around BASE, one per radius figure, as map layers with the figures and
    sources they come from: geodesic discs drawn to within 0.1 % of the radius, split at +-180 degrees.
    With --avoid or --via, also the area reachable on flyable routes (around closed airspace, through the
    waypoints), contoured from flyable distances on a grid whose spacing and boundary error each area
    states, and the closed airspace.

    \b
    Examples:
      rangecalc rings tu22m3 mozdok --format kml -o tu22m3-mozdok.kml
      rangecalc rings tu22m3 mozdok --avoid TUR,GEO,AZE -o flyable.geojson
    """
    from ..data import load_catalog
    from ..formats import render_features
    from ..places import resolve_place
    from ..reach import reach_rings
    from ..routes import routing_from_text

    catalog = load_catalog(data_dir)
    frame = catalog.airframe(airframe)
    place = resolve_place(base, catalog)
    routing = routing_from_text(avoid, via, standoff, catalog, territorial_sea=territorial_sea)
    result = reach_rings(frame, place, payload, routing)
    emit(render_features(result, fmt, unit=units), output, force)
