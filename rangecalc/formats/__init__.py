"""Renderings of results, one module per format: :mod:`.geojson`, :mod:`.kml`, :mod:`.csvdata`,
:mod:`.staticmap`. Each takes a result (or its :class:`~rangecalc.features.FeatureSet`) and returns text, or
bytes for PNG; none computes anything the result does not hold."""

#: Formats drawn from a result's map features.
GEOMETRY_FORMATS = ("geojson", "kml", "svg", "png")

#: The format each output file extension implies.
EXTENSIONS = {
    ".geojson": "geojson",
    ".json": "json",
    ".kml": "kml",
    ".csv": "csv",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".svg": "svg",
    ".png": "png",
    ".txt": "text",
}


def render_features(result, fmt, *, unit="km", width_px=None, height_px=None):
    """``result`` as GeoJSON, KML or SVG text, or PNG bytes, from its map features."""
    from ..features import features_of

    features = features_of(result, unit=unit)
    if fmt == "geojson":
        from .geojson import dumps

        return dumps(features)
    if fmt == "kml":
        from .kml import dumps

        return dumps(features)
    if fmt in ("svg", "png"):
        from .staticmap import render_map

        return render_map(features, fmt, width_px=width_px, height_px=height_px)
    raise ValueError(f"not a geometry format: {fmt!r}")
