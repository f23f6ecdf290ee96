"""GeoJSON (RFC 7946) of a :class:`~rangecalc.features.FeatureSet`: a FeatureCollection in lon/lat degrees.

What the writer guarantees, whatever the builders did (it re-applies
:func:`rangecalc.features.normalise`, which is cheap on geometry that already follows the conventions):

- longitudes within [-180, 180]: lines and polygons crossing the antimeridian are MultiLineStrings and
  MultiPolygons cut at +-180 (RFC 7946 §3.1.9); a polygon containing a pole is closed along +-180 and the
  pole's parallel, so it is a valid polygon in lon/lat (as GDAL and shapely read it);
- polygons valid, exteriors counter-clockwise and holes clockwise (§3.1.6);
- coordinates rounded to ``precision`` decimals (6 by default: 1e-6 deg is at most 0.11 m), with the
  rounding snapped through :func:`shapely.set_precision` so that it cannot make a polygon invalid; a
  geometry that rounding empties, and any empty geometry, is left out with its feature;
- properties JSON-safe: NaN and infinities are written as null (RFC 8259 has no such numbers);
- the feature set's title (``name``, which GDAL reads as the layer name) and, as the foreign member
  ``rangecalc``, its credit line and ``meta`` (schema ``rangecalc/features/1``, airframe, sources).
"""

import json
import math

import numpy as np
import shapely

from ..features import _polygonal, normalise

#: Decimals of written coordinates: 1e-6 deg is at most 0.11 m on the ground.
DEFAULT_PRECISION = 6


def dumps(feature_set, precision=DEFAULT_PRECISION, bbox=False):
    """``feature_set`` as RFC 7946 GeoJSON text (one FeatureCollection, ending with a newline).

    ``precision`` is the number of decimals of every coordinate (0 is a real value: whole degrees);
    with ``bbox`` each feature and the collection carry a bounding box.
    """
    precision = int(precision)
    if precision < 0:
        raise ValueError(f"precision must be 0 or more decimals, got {precision}")
    features = []
    boxes = []
    for feature in feature_set.features:
        geometry = _rounded(feature.geometry, precision)
        if geometry is None:
            continue
        item = {"type": "Feature"}
        if bbox:
            item["bbox"] = _bbox(geometry, precision)
            boxes.append(item["bbox"])
        item["geometry"] = _geometry_dict(geometry, precision)
        item["properties"] = _json_safe(feature.properties)
        features.append(item)
    collection = {"type": "FeatureCollection", "name": feature_set.title}
    if bbox and boxes:
        b = np.array(boxes)
        collection["bbox"] = [b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()]
    collection["rangecalc"] = _json_safe(
        {"title": feature_set.title, "credit": feature_set.credit, **feature_set.meta}
    )
    collection["features"] = features
    return json.dumps(collection, ensure_ascii=False, allow_nan=False) + "\n"


def geometry_dict(geometry, precision=DEFAULT_PRECISION):
    """One shapely geometry as an RFC 7946 GeoJSON geometry dict (normalised, rounded), or None when it
    is empty: for JSON results that embed geometries."""
    geometry = _rounded(geometry, int(precision))
    return None if geometry is None else _geometry_dict(geometry, int(precision))


def _rounded(geometry, precision):
    """The normalised geometry snapped to ``10**-precision`` degrees, still valid and oriented; None when
    nothing is left."""
    geometry = normalise(geometry)
    if geometry is None:
        return None
    snapped = shapely.set_precision(geometry, 10.0**-precision)
    if snapped.is_empty:
        return None
    if shapely.get_dimensions(snapped) == 2:
        return _polygonal(snapped)
    return snapped


def _bbox(geometry, precision):
    return [round(float(v), precision) for v in geometry.bounds]


def _geometry_dict(geometry, precision):
    mapping = shapely.geometry.mapping(geometry)
    return {"type": mapping["type"], "coordinates": _coords(mapping["coordinates"], precision)}


def _coords(value, precision):
    if isinstance(value[0], (int, float)):
        return [round(float(v), precision) for v in value[:2]]
    return [_coords(v, precision) for v in value]


def _json_safe(value):
    """``value`` with numpy scalars as Python numbers, tuples as lists and non-finite floats as None."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)
