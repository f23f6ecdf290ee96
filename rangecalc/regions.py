"""Regions: country outlines (Natural Earth 1:50m, shipped) and user GeoJSON, found by code or name.

Natural Earth draws de facto boundaries: Syria excludes the Israeli-held Golan Heights, Crimea is drawn
as part of Russia (world-atlas 2.0.2 / Natural Earth 4.1.0). See ``regions/NATURAL_EARTH.md``.
Geometries are shapely Polygons/MultiPolygons in (lon, lat) degrees, split at +-180.
"""

import functools
import gzip
import io
import json
from pathlib import Path

import shapely

from .errors import DataError, NotFoundError, UsageError
from .places import _suggest, normalise_name

WORLD_FILE = "ne_50m_admin0.geojson.gz"
WORLD_SOURCE = "Natural Earth 4.1.0 admin-0 countries 1:50m (public domain), via world-atlas 2.0.2"


class Region:
    """A named area: ``id`` (ISO alpha-3 for countries), display name, geometry (shapely, lon/lat degrees),
    where it came from. A region read from a file builds its geometry when first used (``load``), so that
    finding one country among 240 builds one outline, not all of them."""

    def __init__(self, id, name, geometry=None, source="", iso_a2=None, load=None):
        if geometry is None and load is None:
            raise ValueError("a Region needs a geometry or a way to load it")
        self.id, self.name, self.source, self.iso_a2 = id, name, source, iso_a2
        self._geometry, self._load = geometry, load

    @property
    def geometry(self):
        if self._geometry is None:
            self._geometry, self._load = self._load(), None
        return self._geometry

    def __repr__(self):
        return f"Region(id={self.id!r}, name={self.name!r}, source={self.source!r})"

    @functools.cached_property
    def area_m2(self):
        """Geodesic area on WGS84, in square metres."""
        from .geodesy import GEOD

        return abs(GEOD.geometry_area_perimeter(self.geometry)[0])


#: Limits on a region file: bytes on disk, bytes once decompressed (.gz), and features. Natural Earth's
#: whole world at 1:50m is 0.7 MB compressed, 2 MB as text, 242 features.
MAX_GEOJSON_BYTES = 32 * 2**20
MAX_FEATURES = 10_000


@functools.lru_cache(maxsize=4)
def _read_feature_collection(path):
    from .data import decode_text, read_file_bytes

    path = Path(path)
    raw = read_file_bytes(path, MAX_GEOJSON_BYTES, "GeoJSON files")
    try:
        if path.suffix == ".gz":
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
                raw = stream.read(MAX_GEOJSON_BYTES + 1)
            if len(raw) > MAX_GEOJSON_BYTES:
                raise DataError(f"{path}: larger than {MAX_GEOJSON_BYTES // 2**20} MiB once decompressed")
        text = decode_text(path, raw)
        doc = json.loads(text)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(f"{path}: cannot read GeoJSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise DataError(f"{path}: nested too deeply to read") from None
    if not isinstance(doc, dict):
        raise DataError(
            f"{path}: expected a GeoJSON Feature or FeatureCollection object, got a JSON {_kind(doc)}"
        )
    if doc.get("type") == "Feature":
        features = [doc]
    elif doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise DataError(f"{path}: type: expected a GeoJSON Feature or FeatureCollection")
    else:
        features = doc["features"]
    if len(features) > MAX_FEATURES:
        raise DataError(f"{path}: {len(features):,} features; a region file holds at most {MAX_FEATURES:,}")
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise DataError(f"{path}: features[{i}]: expected a GeoJSON Feature object")
        props = feature.get("properties")
        if props is not None and not isinstance(props, dict):
            raise DataError(f"{path}: features[{i}].properties: expected an object or null")
    return features, text


def _kind(value):
    return {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), "null"
    )


def _text_property(path, index, props, key):
    """A string (or number) property, or None; anything else names the file, feature and key."""
    value = props.get(key)
    if isinstance(value, str):
        from .data import control_character

        problem = control_character(value)
        if problem:
            raise DataError(f"{path}: features[{index}].properties.{key}: {problem}")
        return " ".join(value.split()) or None
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise DataError(f"{path}: features[{index}].properties.{key}: expected text, got a JSON {_kind(value)}")


def _feature_geometry(path, index, feature):
    try:
        geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
    except (KeyError, TypeError, ValueError, RecursionError, shapely.errors.GEOSException) as exc:
        raise DataError(f"{path}: features[{index}].geometry: not a valid GeoJSON geometry ({exc})") from None
    return _checked_geometry(path, index, geometry)


def _checked_geometry(path, index, geometry):
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


def read_geometries(regions):
    """Build the outlines of many regions at once: those of one file are read from it in one pass (GEOS
    parses the whole collection: 0.04 s for the 240 countries of the world file, against 0.08 s one by one),
    with the same checks as one at a time. For questions that need every country (territorial seas)."""
    by_file = {}
    for region in regions:
        load = region._load
        if (
            region._geometry is None
            and isinstance(load, functools.partial)
            and load.func is _feature_geometry
        ):
            by_file.setdefault(load.args[0], []).append(region)
    for path, waiting in by_file.items():
        features, text = _read_feature_collection(str(path))
        try:
            collection = shapely.from_geojson(text)
        except (ValueError, shapely.errors.GEOSException):
            continue  # one at a time, where the faulty feature is named
        parts = shapely.get_parts(collection)
        if collection.geom_type != "GeometryCollection" or len(parts) != len(features):
            continue  # a lone feature, or one without a geometry: one at a time
        for region in waiting:
            index = region._load.args[1]
            region._geometry, region._load = _checked_geometry(path, index, parts[index]), None


def _regions_in_file(path, source):
    regions = []
    features, _ = _read_feature_collection(str(path))
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        region_id = (
            _text_property(path, i, props, "iso_a3")
            or _text_property(path, i, props, "id")
            or _text_property(path, i, {"id": feature.get("id")}, "id")
        )
        if region_id is None and len(features) == 1:
            region_id = Path(path).name.split(".")[0]
        name = _text_property(path, i, props, "name") or region_id
        if not region_id:
            raise DataError(f"{path}: features[{i}].properties: needs an 'id' or 'name'")
        regions.append(
            Region(
                id=str(region_id),
                name=str(name),
                load=functools.partial(_feature_geometry, path, i, feature),
                source=source,
                iso_a2=_text_property(path, i, props, "iso_a2"),
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
    key = (text or "").strip()
    if "," in key or ";" in key:
        items = [k.strip() for k in key.replace(";", ",").split(",") if k.strip()]
        raise UsageError(
            f"--region takes one region, got {len(items)} ({', '.join(repr(k) for k in items)}); "
            "ask about each in its own run"
        )
    regions = all_regions(catalog)
    if key.upper() in regions:
        return regions[key.upper()]
    wanted = normalise_name(key)
    for region in regions.values():
        if wanted and wanted in (normalise_name(region.name), normalise_name(region.iso_a2 or "")):
            return region
    names = {n: f"{r.name} ({r.id})" for r in regions.values() for n in (r.name, r.id)}
    raise NotFoundError(_suggest(key, names, "region", "an ISO 3166 code (SY, SYR) or a country name."))
