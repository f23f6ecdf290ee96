"""$ rangecalc distance A B"""

import json

import click

from .command import RangecalcCommand
from .options import (
    data_dir_option,
    emit,
    force_option,
    format_option,
    model_option,
    output_option,
    precision_option,
    units_option,
)


@click.command("distance", cls=RangecalcCommand, short_help="Distance and bearings between two places.")
@click.argument("origin")
@click.argument("destination")
@units_option
@model_option
@format_option(["text", "json"], "text")
@precision_option
@data_dir_option
@output_option
@force_option
def distance_cmd(origin, destination, units, model, fmt, precision, data_dir, output, force):
    """Geodesic distance, initial and final bearing from ORIGIN to DESTINATION.

    A place is a base (id, name, alias, ICAO or IATA code), a target name, or coordinates typed as
    latitude,longitude ('35.21,48.65', '35.21N 48.65E', '35°12'42"N 48°39'12"E').

    \b
    Example:
      rangecalc distance mozdok "Deir ez-Zor" --units nm
    """
    from ..data import load_catalog
    from ..formats.canonical import distance_dict
    from ..formats.text import distance_text
    from ..geodesy import inverse
    from ..places import resolve_place

    catalog = load_catalog(data_dir)
    a = resolve_place(origin, catalog)
    b = resolve_place(destination, catalog)
    dist, az1, az2 = (float(v) for v in inverse(a.lon, a.lat, b.lon, b.lat, model))
    if fmt == "json":
        emit(json.dumps(distance_dict(a, b, dist, az1, az2, model, units), indent=2) + "\n", output, force)
    else:
        emit(distance_text(a, b, dist, az1, az2, model, units, precision), output, force)
