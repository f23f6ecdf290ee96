"""Regions: country outlines (Natural Earth 1:50m, shipped) and user GeoJSON, found by code or name.

Natural Earth draws de facto boundaries: Syria excludes the Israeli-held Golan Heights, Crimea is drawn
as part of Russia (world-atlas 2.0.2 / Natural Earth 4.1.0). See ``regions/NATURAL_EARTH.md``.
Geometries are shapely Polygons/MultiPolygons in (lon, lat) degrees, split at +-180.
"""

import functools
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import shapely

from .errors import DataError, NotFoundError
from .places import _suggest, normalise_name

WORLD_FILE = "ne_50m_admin0.geojson.gz"
WORLD_SOURCE = "Natural Earth 4.1.0 admin-0 countries 1:50m (public domain), via world-atlas 2.0.2"


@dataclass(frozen=True)
class Region:
    """A named area: ``id`` (ISO alpha-3 for countries), display name, geometry, where it came from."""

    id: str
    name: str
    geometry: object
    source: str
    iso_a2: str | None = None

    @functools.cached_property
    def area_m2(self):
        """Geodesic area on WGS84, in square metres."""
        from .geodesy import GEOD

        return abs(GEOD.geometry_area_perimeter(self.geometry)[0])


@functools.lru_cache(maxsize=4)
def _read_feature_collection(path):
    path = Path(path)
    try:
        raw = path.read_bytes()
        text = gzip.decompress(raw) if path.suffix == ".gz" else raw
        doc = json.loads(text)
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"{path}: cannot read GeoJSON: {exc}") from None
    if doc.get("type") == "Feature":
        return [doc]
    if doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise DataError(f"{path}: type: expected a GeoJSON Feature or FeatureCollection")
    return doc["features"]


def _feature_geometry(path, index, feature):
    try:
        geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
    except (KeyError, TypeError, shapely.errors.GEOSException) as exc:
        raise DataError(f"{path}: features[{index}].geometry: not a valid GeoJSON geometry ({exc})") from None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise DataError(f"{path}: features[{index}].geometry: expected a Polygon or MultiPolygon")
    minx, miny, maxx, maxy = geometry.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise DataError(f"{path}: features[{index}].geometry: coordinates outside -180..180 / -90..90")
    for ring in shapely.get_rings(shapely.get_parts(geometry)):
        xy = shapely.get_coordinates(ring)
        if len(xy) > 1 and abs(xy[1:, 0] - xy[:-1, 0]).max() > 180:
            raise DataError(
                f"{path}: features[{index}].geometry: an edge jumps more than 180 deg of longitude; split "
                "polygons that cross the antimeridian at +-180 (RFC 7946, section 3.1.9)"
            )
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return geometry


def _regions_in_file(path, source):
    regions = []
    features = _read_feature_collection(str(path))
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        region_id = props.get("iso_a3") or props.get("id") or feature.get("id")
        if region_id is None and len(features) == 1:
            region_id = Path(path).name.split(".")[0]
        name = props.get("name") or region_id
        if not region_id:
            raise DataError(f"{path}: features[{i}].properties: needs an 'id' or 'name'")
        regions.append(
            Region(
                id=str(region_id),
                name=str(name),
                geometry=_feature_geometry(path, i, feature),
                source=source,
                iso_a2=props.get("iso_a2"),
            )
        )
    return regions


@functools.lru_cache(maxsize=8)
def _all_regions(folders):
    regions = {}
    for folder in folders:
        world = folder / "regions" / WORLD_FILE
        if world.is_file():
            for region in _regions_in_file(world, WORLD_SOURCE):
                regions[region.id.upper()] = region
        user_dir = folder / "regions"
        if user_dir.is_dir():
            for path in sorted(user_dir.glob("*.geojson")):
                for region in _regions_in_file(path, f"user file {path}"):
                    regions[region.id.upper()] = region
    return regions


def all_regions(catalog):
    """Every region available to ``catalog``'s data folders, keyed by upper-case id."""
    return _all_regions(tuple(catalog.folders))


def resolve_region(text, catalog):
    """Find a region by ISO alpha-2 or alpha-3 code or by name (``SY``, ``SYR``, ``Syria``)."""
    regions = all_regions(catalog)
    key = (text or "").strip()
    if key.upper() in regions:
        return regions[key.upper()]
    wanted = normalise_name(key)
    for region in regions.values():
        if wanted and wanted in (normalise_name(region.name), normalise_name(region.iso_a2 or "")):
            return region
    names = {n: f"{r.name} ({r.id})" for r in regions.values() for n in (r.name, r.id)}
    raise NotFoundError(_suggest(key, names, "region", "an ISO 3166 code (SY, SYR) or a country name."))
