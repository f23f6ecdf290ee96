"""$ rangecalc route BASE TARGET"""

import json

import click

from .command import RangecalcCommand
from .options import (
    data_dir_option,
    emit,
    force_option,
    format_option,
    output_option,
    routing_options,
    units_option,
)


@click.command("route", cls=RangecalcCommand, short_help="The shortest flyable route between two places.")
@click.argument("origin")
@click.argument("destination")
@routing_options
@units_option
@format_option(["text", "json", "geojson", "kml", "svg", "png"], "text")
@data_dir_option
@output_option
@force_option
def route_cmd(
    origin, destination, avoid, via, standoff, territorial_sea, units, fmt, data_dir, output, force
):
    """The shortest route from ORIGIN to DESTINATION that avoids closed airspace (--avoid, with
    --territorial-sea its coastal airspace too), keeps a stand-off distance from it (--standoff) and
    passes through waypoints in order (--via): its length,
    legs, the countries it crosses and for how far, and its polyline (--format geojson for a map).

    \b
    Example:
      rangecalc route mozdok damascus --avoid TUR,GEO,AZE --format geojson -o route.geojson
      rangecalc route mozdok "deir ez-zor" --avoid TUR,GEO,AZE --territorial-sea 12nm
    """
    from ..data import load_catalog
    from ..formats import GEOMETRY_FORMATS, render_features
    from ..formats.canonical import route_report_dict
    from ..formats.text import route_document
    from ..places import resolve_place
    from ..routes import RouteReport, plan_route, routing_from_text

    catalog = load_catalog(data_dir)
    start = resolve_place(origin, catalog)
    end = resolve_place(destination, catalog)
    routing = routing_from_text(avoid, via, standoff, catalog, territorial_sea=territorial_sea)
    route = plan_route(start, end, routing, catalog)
    if fmt in GEOMETRY_FORMATS:
        emit(render_features(RouteReport(start, end, route, routing), fmt, unit=units), output, force)
        return
    if fmt == "json":
        text = json.dumps(route_report_dict(start, end, route, routing, units), indent=2, ensure_ascii=False)
    else:
        text = route_document(start, end, route, routing, units).rstrip("\n")
    emit(text + "\n", output, force)
