"""Target lists from files: a CSV with latitude and longitude columns, or GeoJSON points.

For lists too long for a command line (``--targets-file``): thousands of airfields, every city of a
country. Each target becomes a :class:`~rangecalc.places.Place` of kind ``coordinates`` named after the
file's name column (or its row). Errors name the file, the row or feature, and what is accepted.
"""

import csv
import io
import json
import math
from pathlib import Path

from .data import decode_text, read_file_bytes
from .errors import DataError, UsageError
from .places import Place

#: Limits: bytes of a targets file and targets in it (100,000 is the design size of flyable distances).
MAX_BYTES = 64 * 2**20
MAX_TARGETS = 1_000_000
#: Column names read as latitude, longitude and name (case-insensitive), in order of preference.
LAT_COLUMNS = ("lat", "latitude", "y")
LON_COLUMNS = ("lon", "lng", "long", "longitude", "x")
NAME_COLUMNS = ("name", "label", "id", "city", "target")


def read_targets(path):
    """The targets in ``path`` (``.csv``, or ``.geojson``/``.json``) as a list of Places, in file order."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"--targets-file: {str(path)!r} does not exist")
    text = decode_text(path, read_file_bytes(path, MAX_BYTES, "targets files"))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        places = _from_csv(path, text)
    elif suffix in (".geojson", ".json"):
        places = _from_geojson(path, text)
    else:
        raise UsageError(
            f"--targets-file: {str(path)!r}: give a .csv (lat, lon columns) or a .geojson of points"
        )
    if not places:
        raise DataError(f"{path}: no targets in it")
    return places


def _column(headings, wanted, path, what):
    lowered = {h.strip().lower(): h for h in headings if h}
    for name in wanted:
        if name in lowered:
            return lowered[name]
    if what == "name":
        return None
    raise DataError(
        f"{path}: no {what} column; headings are {', '.join(headings)}; accepted: {', '.join(wanted)}"
    )


def _from_csv(path, text):
    reader = csv.DictReader(io.StringIO(text))
    headings = reader.fieldnames or []
    lat_key = _column(headings, LAT_COLUMNS, path, "latitude")
    lon_key = _column(headings, LON_COLUMNS, path, "longitude")
    name_key = _column(headings, NAME_COLUMNS, path, "name")
    places = []
    for row_number, row in enumerate(reader, start=2):
        if len(places) >= MAX_TARGETS:
            raise DataError(f"{path}: more than {MAX_TARGETS:,} targets")
        where = f"{path}: row {row_number}"
        lat = _number(row.get(lat_key), f"{where}, column {lat_key}")
        lon = _number(row.get(lon_key), f"{where}, column {lon_key}")
        name = (row.get(name_key) or "").strip() if name_key else ""
        places.append(_place(lat, lon, name or f"row {row_number}", where))
    return places


def _from_geojson(path, text):
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise DataError(f"{path}: nested too deeply to read") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif (
        isinstance(doc, dict)
        and doc.get("type") == "FeatureCollection"
        and isinstance(doc.get("features"), list)
    ):
        features = doc["features"]
    else:
        raise DataError(f"{path}: expected a GeoJSON FeatureCollection of points")
    if len(features) > MAX_TARGETS:
        raise DataError(f"{path}: more than {MAX_TARGETS:,} targets")
    places = []
    for i, feature in enumerate(features):
        where = f"{path}: features[{i}]"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            raise DataError(f"{where}: expected a Feature with a Point geometry")
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            raise DataError(f"{where}.geometry.coordinates: expected [lon, lat]")
        lon = _number(coords[0], f"{where}.geometry.coordinates[0]")
        lat = _number(coords[1], f"{where}.geometry.coordinates[1]")
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        name = next((str(props[k]) for k in NAME_COLUMNS if isinstance(props.get(k), str | int)), "")
        places.append(_place(lat, lon, " ".join(name.split()) or f"feature {i}", where))
    return places


def _number(value, where):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{where}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise DataError(f"{where}: {value!r} is not a finite number")
    return number


def _place(lat, lon, name, where):
    if abs(lat) > 90:
        raise DataError(f"{where}: latitude {lat:g} is outside -90..90 (are latitude and longitude swapped?)")
    if abs(lon) > 180:
        raise DataError(f"{where}: longitude {lon:g} is outside -180..180")
    return Place(label=name[:200], lon=lon, lat=lat, kind="coordinates", note="from --targets-file")
