"""$ rangecalc rings AIRFRAME BASE"""

import json

import click

from ..data import load_catalog
from ..geodesy import ring
from ..places import resolve_place
from ..reach import radius_band
from ..reports import rings_geojson, rings_kml
from .command import RangecalcCommand
from .options import data_dir_option, emit, force_option, format_option, output_option, payload_option


@click.command(
    "rings", cls=RangecalcCommand, short_help="Reach rings (low, nominal, high radius) as GeoJSON or KML."
)
@click.argument("airframe")
@click.argument("base")
@payload_option
@format_option(["geojson", "kml"], "geojson")
@data_dir_option
@output_option
@force_option
def rings_cmd(airframe, base, payload, fmt, data_dir, output, force):
    """Reach rings of AIRFRAME around BASE, one per radius figure, as map layers: geodesic circles drawn
    to within 0.1 % of the radius and split at +-180 degrees, with the figures and sources they come from.

    \b
    Example:
      rangecalc rings tu22m3 mozdok --format kml -o tu22m3-mozdok.kml
    """
    catalog = load_catalog(data_dir)
    frame = catalog.airframe(airframe)
    place = resolve_place(base, catalog)
    radii, payload_result = radius_band(frame, payload)
    rings = [
        (band, float(r), ring(place.lon, place.lat, float(r)))
        for band, r in zip(("low", "nominal", "high"), radii, strict=True)
    ]
    if fmt == "kml":
        emit(rings_kml(frame, place, rings, payload_result), output, force)
    else:
        emit(
            json.dumps(rings_geojson(frame, place, rings, payload_result), ensure_ascii=False) + "\n",
            output,
            force,
        )
