"""KML 2.2 rendering of a :class:`~rangecalc.features.FeatureSet`, valid against the OGC KML 2.2 schema.

The document (``<Document>``: name = the set's title, description = its credit line) holds:

- one ``<Style id>`` per kind, figure and verdict that the features use (:data:`STYLES`), shared by its
  placemarks through ``<styleUrl>``. KML has no dashed lines, so the low, nominal and high figures differ
  by colour and width; fills are translucent; points keep the viewer's default icon, tinted (no icon is
  fetched from anywhere);
- the set's ``meta`` as the document's ``<ExtendedData>``;
- one ``<Folder>`` per feature kind present, in the order of :data:`rangecalc.features.KINDS`, holding a
  ``<Placemark>`` per feature: named by its ``name`` property, every other property as
  ``<ExtendedData><Data name="key"><value>`` (numbers raw, booleans ``true``/``false``, lists joined with
  ``"; "``, None empty), then its geometry.

Geometry: Point, LineString and Polygon (outer and inner boundaries), multi-part and collections as
``<MultiGeometry>``; coordinates ``lon,lat`` with 6 decimals (about 0.1 m); ``<tessellate>1`` on lines and
polygons so that viewers draw them along the earth's surface rather than as straight chords. The feature
set's conventions (:mod:`rangecalc.features`: longitudes within ±180, exteriors counter-clockwise) are
what KML asks for, so geometries are written as they are.

Text from data is escaped by :mod:`xml.etree.ElementTree`; characters XML 1.0 cannot carry (control
characters other than tab and newline, lone surrogates, U+FFFE/U+FFFF) are removed first, and carriage
returns become newlines (an XML reader would turn them into newlines anyway).
"""

import json
import numbers
import re
import xml.etree.ElementTree as ET

from ..features import KINDS

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"

#: Folder name of each feature kind.
FOLDER_NAMES = {
    "region": "Regions",
    "closed_airspace": "Closed airspace",
    "reach_area": "Reach areas",
    "basing_area": "Basing areas",
    "uncovered": "Uncovered parts",
    "route": "Routes",
    "corridor": "Corridors",
    "base": "Bases",
    "waypoint": "Waypoints",
    "target": "Targets",
    "farthest_point": "Farthest points",
}

_GREEN, _AMBER, _RED, _GREY = "#2a9d4b", "#f39c12", "#c0392b", "#7f7f7f"
_VERDICT_COLOURS = {"in_reach": _GREEN, "depends": _AMBER, "out_of_reach": _RED}
#: Reach figures: darkest for the low (conservative) figure, lightest for the high one; nominal widest.
_FIGURE_LINES = {"low": ("#08519c", 2.0), "nominal": ("#3182bd", 3.0), "high": ("#6baed6", 1.5)}
_UNCOVERED = "#6a1b9a"


def _style(icon=None, scale=None, line=None, width=None, fill=None):
    """A style: ``icon`` colour (points), ``line`` colour and ``width`` (lines, polygon outlines), ``fill``
    as (colour, opacity) for polygons; colours as ``#rrggbb``."""
    return {"icon": icon, "scale": scale, "line": line, "width": width, "fill": fill}


#: Every style a document may use, by id: ``kind``, or ``kind-figure`` / ``kind-verdict`` /
#: ``kind-variant`` where the feature carries one that has a style of its own.
STYLES = {
    **{
        f"reach_area-{figure}": _style(line=colour, width=width, fill=(colour, 0.15))
        for figure, (colour, width) in _FIGURE_LINES.items()
    },
    "reach_area": _style(
        line=_FIGURE_LINES["nominal"][0], width=2.0, fill=(_FIGURE_LINES["nominal"][0], 0.15)
    ),
    **{
        f"basing_area-{figure}": _style(line=colour, width=width, fill=(colour, 0.1))
        for figure, (colour, width) in _FIGURE_LINES.items()
    },
    "basing_area": _style(
        line=_FIGURE_LINES["nominal"][0], width=2.0, fill=(_FIGURE_LINES["nominal"][0], 0.1)
    ),
    **{
        f"uncovered-{figure}": _style(line=_UNCOVERED, width=width, fill=(_UNCOVERED, 0.35))
        for figure, (_, width) in _FIGURE_LINES.items()
    },
    "uncovered": _style(line=_UNCOVERED, width=1.5, fill=(_UNCOVERED, 0.35)),
    **{f"target-{verdict}": _style(icon=colour, scale=1.1) for verdict, colour in _VERDICT_COLOURS.items()},
    "target": _style(icon=_GREY, scale=1.1),
    **{
        f"region-{verdict}": _style(line=colour, width=2.0, fill=(colour, 0.1))
        for verdict, colour in _VERDICT_COLOURS.items()
    },
    "region": _style(line=_GREY, width=2.0, fill=(_GREY, 0.1)),
    "closed_airspace": _style(line=_RED, width=1.0, fill=("#f4c7c3", 0.5)),
    "route": _style(line="#1f5fbf", width=3.0),
    "route-corridor": _style(line="#8e44ad", width=2.0),  # a claim's route through a recorded corridor
    "corridor": _style(line="#8e44ad", width=2.0),
    "base": _style(icon="#111111", scale=1.2),
    "waypoint": _style(icon=_GREY, scale=0.8),
    "farthest_point": _style(icon=_UNCOVERED, scale=1.0),
}

# XML 1.0 Char production, less the C1 controls and DEL; carriage returns are handled before.
_NOT_XML = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text):
    """``text`` as XML 1.0 can carry it: CR and CRLF as LF, other control characters, lone surrogates and
    non-characters removed (escaping itself is the serialiser's job)."""
    return _NOT_XML.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def data_text(value):
    """A property value as the text of a ``<Data><value>``: numbers raw (``repr`` of floats, so they read
    back exactly), booleans ``true``/``false``, None empty, lists joined with ``"; "``, mappings as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return "; ".join(data_text(item) for item in value)
    if isinstance(value, dict):
        return clean_text(json.dumps(value, ensure_ascii=False, default=str))
    return clean_text(value)


def style_id(properties):
    """The id of the shared style of a feature with these ``properties`` (a key of :data:`STYLES`)."""
    kind = properties.get("kind")
    for qualifier in ("figure", "verdict", "variant"):
        candidate = f"{kind}-{properties.get(qualifier)}"
        if candidate in STYLES:
            return candidate
    return kind


def dumps(feature_set):
    """``feature_set`` as a KML 2.2 document (text, UTF-8 declared, ending with a newline)."""
    by_kind = {}
    for feature in feature_set.features:
        kind = feature.properties.get("kind")
        if kind not in KINDS:
            raise ValueError(f"feature kind {kind!r} is not one of rangecalc.features.KINDS")
        by_kind.setdefault(kind, []).append(feature)

    root = ET.Element("kml", xmlns=KML_NAMESPACE)
    document = ET.SubElement(root, "Document")
    _text(document, "name", feature_set.title)
    _text(document, "open", "1")
    if feature_set.credit:
        _text(document, "description", feature_set.credit)
    used = sorted({style_id(f.properties) for f in feature_set.features}, key=list(STYLES).index)
    for sid in used:
        _style_element(document, sid, STYLES[sid])
    if feature_set.meta:
        _extended_data(document, feature_set.meta)
    for kind in KINDS:
        if kind not in by_kind:
            continue
        folder = ET.SubElement(document, "Folder")
        _text(folder, "name", FOLDER_NAMES[kind])
        for feature in by_kind[kind]:
            _placemark(folder, feature)

    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _text(parent, tag, text):
    element = ET.SubElement(parent, tag)
    element.text = clean_text(text)
    return element


def _colour(hex_rgb, opacity=1.0):
    """``#rrggbb`` and an opacity as KML's ``aabbggrr``."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{round(opacity * 255):02x}{b}{g}{r}"


def _style_element(document, sid, style):
    # Child order follows StyleType: IconStyle, LabelStyle, LineStyle, PolyStyle.
    element = ET.SubElement(document, "Style", id=sid)
    if style["icon"]:
        icon = ET.SubElement(element, "IconStyle")
        _text(icon, "color", _colour(style["icon"]))
        _text(icon, "scale", style["scale"])
    if style["line"]:
        line = ET.SubElement(element, "LineStyle")
        _text(line, "color", _colour(style["line"]))
        _text(line, "width", style["width"])
    if style["fill"]:
        poly = ET.SubElement(element, "PolyStyle")
        _text(poly, "color", _colour(*style["fill"]))


def _extended_data(parent, mapping):
    extended = ET.SubElement(parent, "ExtendedData")
    for key, value in mapping.items():
        data = ET.SubElement(extended, "Data", name=clean_text(key))
        _text(data, "value", data_text(value))


def _placemark(folder, feature):
    # Child order follows AbstractFeatureType then PlacemarkType: name, styleUrl, ExtendedData, geometry.
    properties = feature.properties
    placemark = ET.SubElement(folder, "Placemark")
    if properties.get("name") is not None:
        _text(placemark, "name", data_text(properties["name"]))
    _text(placemark, "styleUrl", f"#{style_id(properties)}")
    # ``name`` is the placemark's <name>; as a Data too it would clash with the name column that GDAL
    # (hence QGIS) makes of <name>, which then reads as an empty "name2".
    _extended_data(placemark, {k: v for k, v in properties.items() if k != "name"})
    geometry = feature.geometry
    if geometry is not None and not geometry.is_empty:
        _geometry(placemark, geometry)


def _coordinates(coords):
    return " ".join(f"{_degrees(c[0])},{_degrees(c[1])}" for c in coords)


def _degrees(value):
    text = f"{value:.6f}"
    return "0.000000" if text == "-0.000000" else text


def _geometry(parent, geometry):
    kind = geometry.geom_type
    if kind == "Point":
        point = ET.SubElement(parent, "Point")
        _text(point, "coordinates", _coordinates(geometry.coords))
    elif kind in ("LineString", "LinearRing"):
        line = ET.SubElement(parent, "LineString")
        _text(line, "tessellate", "1")
        _text(line, "coordinates", _coordinates(geometry.coords))
    elif kind == "Polygon":
        polygon = ET.SubElement(parent, "Polygon")
        _text(polygon, "tessellate", "1")
        for boundary, ring in [("outerBoundaryIs", geometry.exterior)] + [
            ("innerBoundaryIs", hole) for hole in geometry.interiors
        ]:
            linear_ring = ET.SubElement(ET.SubElement(polygon, boundary), "LinearRing")
            _text(linear_ring, "coordinates", _coordinates(ring.coords))
    elif kind in ("MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"):
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geometry.geoms:
            if not part.is_empty:
                _geometry(multi, part)
    else:
        raise ValueError(f"no KML geometry for {kind}")
