"""KML output: valid against the OGC KML 2.2 schema (from the pykml package, no network), read back by an XML
parser and by GDAL (pyogrio), with every property's value intact."""

import importlib.resources
import math
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pyogrio.raw
import pytest
import shapely
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)

from rangecalc.features import KINDS, Feature, FeatureSet
from rangecalc.formats import kml

# The OGC KML 2.2 schema and the schemas it imports, as the pykml package ships them (a test dependency): we
# do not redistribute them, since the OASIS xAL schema they import carries no licence.
SCHEMA = Path(str(importlib.resources.files("pykml") / "schemas" / "ogckml22.xsd"))
GOOD_DATA = Path(__file__).parent / "data" / "good"
NS = {"k": "http://www.opengis.net/kml/2.2"}
K = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def schema():
    # allow="local": imports resolve to the files beside ogckml22.xsd; any remote access is refused.
    return xmlschema.XMLSchema(str(SCHEMA.resolve()), allow="local")


def check(schema, text):
    """``text`` validated against the XSD; its root element."""
    schema.validate(text)
    return ET.fromstring(text.encode("utf-8"))


def placemarks(root):
    return root.findall(".//k:Placemark", NS)


def data_of(element):
    """{Data name: value text} of an element's ExtendedData."""
    return {
        d.get("name"): d.findtext("k:value", default=None, namespaces=NS)
        for d in element.findall("k:ExtendedData/k:Data", NS)
    }


def square(x, y, size=1.0):
    return Polygon([(x, y), (x + size, y), (x + size, y + size), (x, y + size)])


# A polygon with two holes (holes clockwise, exterior counter-clockwise, as features.py promises).
HOLED = Polygon(
    [(10, 10), (20, 10), (20, 20), (10, 20)],
    [[(11, 11), (11, 12), (12, 12), (12, 11)], [(15, 15), (15, 16), (16, 16), (16, 15)]],
)
# A reach area split at the antimeridian.
SPLIT = MultiPolygon([square(170, 60, 10), square(-180, 60, 5)])

GEOMETRIES = {
    "point": Point(44.604167, 43.791667),
    "line": LineString([(44.6, 43.8), (36.3, 33.5), (-0.1234564, -0.0000001)]),
    "polygon": HOLED,
    "multipoint": MultiPoint([(1, 2), (3, 4)]),
    "multiline": MultiLineString([[(170, 0), (180, 1)], [(-180, 1), (-170, 2)]]),
    "multipolygon": SPLIT,
    "collection": GeometryCollection([Point(5, 5), LineString([(0, 0), (1, 1)]), square(2, 2)]),
}
# Kinds chosen so that every geometry sits in a kind that could carry it.
GEOMETRY_KINDS = {
    "point": "target",
    "line": "route",
    "polygon": "region",
    "multipoint": "waypoint",
    "multiline": "corridor",
    "multipolygon": "reach_area",
    "collection": "closed_airspace",
}


def every_geometry():
    return FeatureSet(
        title="every geometry",
        credit="test",
        features=tuple(
            Feature(geometry, {"kind": GEOMETRY_KINDS[label], "name": label})
            for label, geometry in GEOMETRIES.items()
        ),
    )


def gdal_features(path):
    """{(layer, placemark name): (shapely geometry, {field: value})} as GDAL reads the file."""
    out = {}
    for layer, _ in pyogrio.list_layers(path):
        meta, _, geometries, fields = pyogrio.raw.read(path, layer=layer)
        for i, wkb in enumerate(geometries):
            values = {name: column[i] for name, column in zip(meta["fields"], fields, strict=True)}
            out[layer, values["Name"]] = (shapely.from_wkb(wkb), values)
    return out


# --- schema, structure and geometry ---------------------------------------------------------------


def test_every_geometry_type_is_valid_kml(schema):
    root = check(schema, kml.dumps(every_geometry()))
    by_name = {p.findtext("k:name", namespaces=NS): p for p in placemarks(root)}
    assert set(by_name) == set(GEOMETRIES)
    assert by_name["point"].find("k:Point", NS) is not None
    assert by_name["line"].find("k:LineString", NS) is not None
    polygon = by_name["polygon"].find("k:Polygon", NS)
    assert len(polygon.findall("k:outerBoundaryIs/k:LinearRing", NS)) == 1
    assert len(polygon.findall("k:innerBoundaryIs/k:LinearRing", NS)) == 2
    for label in ("multipoint", "multiline", "multipolygon", "collection"):
        multi = by_name[label].find("k:MultiGeometry", NS)
        assert len(list(multi)) == len(GEOMETRIES[label].geoms), label
    assert [c.tag for c in by_name["collection"].find("k:MultiGeometry", NS)] == [
        K + "Point",
        K + "LineString",
        K + "Polygon",
    ]


def test_lines_and_polygons_are_tessellated_points_are_not(schema):
    root = check(schema, kml.dumps(every_geometry()))
    lines = root.findall(".//k:LineString", NS)
    polygons = root.findall(".//k:Polygon", NS)
    assert len(lines) == 4 and len(polygons) == 4  # line, 2 of multiline, 1 in collection; 1 + 2 + 1
    for element in lines + polygons:
        assert element.findtext("k:tessellate", namespaces=NS) == "1"
    for point in root.findall(".//k:Point", NS):
        assert point.find("k:tessellate", NS) is None  # not in PointType


def test_coordinates_are_lon_lat_with_six_decimals(schema):
    root = check(schema, kml.dumps(every_geometry()))
    line = next(p for p in placemarks(root) if p.findtext("k:name", namespaces=NS) == "line")
    text = line.findtext("k:LineString/k:coordinates", namespaces=NS)
    # Hand-derived: lon first, 6 decimals, and no "-0.000000".
    assert text == "44.600000,43.800000 36.300000,33.500000 -0.123456,0.000000"
    point = next(p for p in placemarks(root) if p.findtext("k:name", namespaces=NS) == "point")
    assert point.findtext("k:Point/k:coordinates", namespaces=NS) == "44.604167,43.791667"


def test_gdal_reads_back_every_geometry(tmp_path):
    path = tmp_path / "every.kml"
    path.write_text(kml.dumps(every_geometry()), encoding="utf-8")
    read = gdal_features(path)
    for label, geometry in GEOMETRIES.items():
        layer = kml.FOLDER_NAMES[GEOMETRY_KINDS[label]]
        back, _ = read[layer, label]
        # GDAL may promote a single part to a multi-part or drop a collection's nesting: compare point sets.
        assert shapely.equals(shapely.set_precision(back, 1e-6), shapely.set_precision(geometry, 1e-6)), label


def test_placemark_children_follow_the_xsd_sequence(schema):
    fs = FeatureSet("t", (Feature(square(0, 0), {"kind": "reach_area", "name": "a", "figure": "low"}),))
    root = check(schema, kml.dumps(fs))
    (placemark,) = placemarks(root)
    assert [c.tag[len(K) :] for c in placemark] == ["name", "styleUrl", "ExtendedData", "Polygon"]


def test_folders_follow_kinds_and_keep_feature_order(schema):
    # Features listed in an order unlike KINDS: the folders come out in KINDS order, the placemarks in
    # each folder in the order given.
    order = ["target", "base", "reach_area", "target", "region", "route", "reach_area", "farthest_point"]
    fs = FeatureSet(
        "t",
        tuple(Feature(Point(i, i), {"kind": kind, "name": f"{kind} {i}"}) for i, kind in enumerate(order)),
    )
    root = check(schema, kml.dumps(fs))
    folders = root.findall("k:Document/k:Folder", NS)
    present = [k for k in KINDS if k in order]
    assert [f.findtext("k:name", namespaces=NS) for f in folders] == [kml.FOLDER_NAMES[k] for k in present]
    targets = folders[present.index("target")]
    assert [p.findtext("k:name", namespaces=NS) for p in placemarks(targets)] == ["target 0", "target 3"]
    assert set(kml.FOLDER_NAMES) == set(KINDS)


def test_document_has_title_credit_and_meta(schema):
    fs = FeatureSet(
        "Tu-22M3 from Mozdok & co",
        (Feature(Point(0, 0), {"kind": "base", "name": "b"}),),
        credit="Figures: IISS 2024 <p. 12>",
        meta={"schema": "rangecalc/reach/1", "sources": ["iiss2024", "jane"], "range": {"low_km": 1500}},
    )
    root = check(schema, kml.dumps(fs))
    document = root.find("k:Document", NS)
    assert document.findtext("k:name", namespaces=NS) == "Tu-22M3 from Mozdok & co"
    assert document.findtext("k:description", namespaces=NS) == "Figures: IISS 2024 <p. 12>"
    assert data_of(document) == {
        "schema": "rangecalc/reach/1",
        "sources": "iiss2024; jane",
        "range": '{"low_km": 1500}',
    }


def test_no_credit_no_description_and_empty_set_is_valid(schema):
    root = check(schema, kml.dumps(FeatureSet("nothing", ())))
    document = root.find("k:Document", NS)
    assert document.find("k:description", NS) is None
    assert document.findall("k:Folder", NS) == []


def test_unknown_kind_is_refused():
    fs = FeatureSet("t", (Feature(Point(0, 0), {"kind": "ring", "name": "x"}),))
    with pytest.raises(ValueError, match="'ring'"):
        kml.dumps(fs)


# --- text and values ------------------------------------------------------------------------------

ODD_NAME = "A&B <c> \"d\" 'e' ]]> Москва 東京 🛩"
CONTROL_NAME = "tab\there\x00nul\x07bel\x1besc\x7fdel\x85nel\x0bvt\ufffeend"
# The same with what XML 1.0 cannot carry removed, written out by hand (tab and newline kept).
CONTROL_NAME_CLEAN = "tab\therenulbelescdelnelvtend"


def odd_set():
    return FeatureSet(
        title=ODD_NAME,
        credit="Sources: a & b\r\nline two\x01",
        features=(
            Feature(
                Point(36.3, 33.5),
                {"kind": "target", "name": ODD_NAME, "verdict": "depends", "note": ODD_NAME},
            ),
            Feature(Point(36.2, 37.2), {"kind": "target", "name": CONTROL_NAME, "verdict": "in_reach"}),
            Feature(
                square(30, 30),
                {
                    "kind": "reach_area",
                    "name": "nominal radius 2,200 km",
                    "figure": "nominal",
                    "radius_km": 2200.0,
                    "radius_nm": 1187.9049676025918,
                    "margin_km": -0.1,
                    "count": 3,
                    "big": 10**20,
                    "tiny": 1.5e-300,
                    "exact": True,
                    "closed": False,
                    "payload_kg": None,
                    "routing": None,
                    "sources": ["iiss2024", "A&B <jane's>"],
                    "empty_list": [],
                    "blank": "",
                    'key with <odd> & "chars"': "v",
                },
            ),
            Feature(Point(0, 0), {"kind": "base", "name": None}),
        ),
    )


def test_odd_text_is_escaped_and_valid(schema):
    text = kml.dumps(odd_set())
    root = check(schema, text)
    assert root.find("k:Document", NS).findtext("k:name", namespaces=NS) == ODD_NAME
    assert root.find("k:Document", NS).findtext("k:description", namespaces=NS) == "Sources: a & b\nline two"
    names = [p.findtext("k:name", namespaces=NS) for p in placemarks(root)]
    # Folders in KINDS order: reach areas, bases (the one without a name has no <name>), targets.
    assert names == ["nominal radius 2,200 km", None, ODD_NAME, CONTROL_NAME_CLEAN]
    assert "\x00" not in text and "\x07" not in text and "\x85" not in text


def test_data_values_read_back_equal_the_properties(schema):
    root = check(schema, kml.dumps(odd_set()))
    by_kind = {}
    for p in placemarks(root):
        values = data_of(p)
        by_kind.setdefault(values["kind"], []).append((p.findtext("k:name", namespaces=NS), values))
    (area_name, area), (target_name, target) = by_kind["reach_area"][0], by_kind["target"][0]
    assert area_name == "nominal radius 2,200 km"
    assert "name" not in area  # the name is the placemark's <name>, not a Data as well (see docs/kml.md)
    assert float(area["radius_km"]) == 2200.0
    assert float(area["radius_nm"]) == 1187.9049676025918  # raw: every digit kept
    assert float(area["margin_km"]) == -0.1
    assert area["count"] == "3" and int(area["big"]) == 10**20 and float(area["tiny"]) == 1.5e-300
    assert area["exact"] == "true" and area["closed"] == "false"
    assert area["payload_kg"] == "" and area["routing"] == "" and area["blank"] == ""
    assert area["sources"] == "iiss2024; A&B <jane's>"
    assert area["empty_list"] == ""
    assert area['key with <odd> & "chars"'] == "v"
    assert area["figure"] == "nominal" and area["kind"] == "reach_area"
    assert target_name == ODD_NAME and target["note"] == ODD_NAME and target["verdict"] == "depends"
    # Every property but `name` is there, in order.
    assert list(area) == [k for k in odd_set().features[2].properties if k != "name"]


def test_non_finite_and_numpy_numbers_are_raw_text():
    np = pytest.importorskip("numpy")
    assert kml.data_text(np.float64(2200.5)) == "2200.5"
    assert kml.data_text(np.int64(7)) == "7"
    assert kml.data_text(math.inf) == "inf"
    assert kml.data_text([1, 2.5, None, "x"]) == "1; 2.5; ; x"


def xml_10_text(text):
    """What should survive of ``text``, from the XML 1.0 spec rather than the writer: line ends become LF
    (§2.11), then only Char (§2.2) less the discouraged controls (DEL, C1) and non-characters is kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        c
        for c in text
        if c in "\t\n"
        or (0x20 <= ord(c) < 0x7F)
        or (0xA0 <= ord(c) <= 0xD7FF)
        or (0xE000 <= ord(c) <= 0xFFFD)
        or ord(c) >= 0x10000
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=40), key=st.text(max_size=20), value=st.text(max_size=40))
def test_any_text_gives_valid_kml_and_reads_back(schema, name, key, value):
    # Keys prefixed so that no drawn key can replace `kind` or `name`.
    properties = {"kind": "target", "name": name, "label": key, "x" + key: value}
    fs = FeatureSet(name, (Feature(Point(1, 2), properties),), credit=value, meta={key: value})
    root = check(schema, kml.dumps(fs))
    (placemark,) = placemarks(root)
    assert (placemark.findtext("k:name", namespaces=NS) or "") == xml_10_text(name)
    values = data_of(placemark)
    assert (values["label"] or "") == xml_10_text(key)
    assert (values["x" + xml_10_text(key)] or "") == xml_10_text(value)
    assert (data_of(root.find("k:Document", NS))[xml_10_text(key)] or "") == xml_10_text(value)


def test_gdal_reads_back_names_and_values(tmp_path):
    path = tmp_path / "odd.kml"
    path.write_text(kml.dumps(odd_set()), encoding="utf-8")
    read = gdal_features(path)
    _, area = read["Reach areas", "nominal radius 2,200 km"]
    assert float(area["radius_nm"]) == 1187.9049676025918
    assert area["sources"] == "iiss2024; A&B <jane's>"
    assert area["figure"] == "nominal"
    _, target = read["Targets", ODD_NAME]
    assert target["note"] == ODD_NAME and target["verdict"] == "depends"
    assert ("Targets", CONTROL_NAME_CLEAN) in read


# --- styles ---------------------------------------------------------------------------------------


def rgba(kml_colour):
    """KML's aabbggrr as (r, g, b, a) integers."""
    a, b, g, r = (int(kml_colour[i : i + 2], 16) for i in (0, 2, 4, 6))
    return r, g, b, a


def styles_of(root):
    return {s.get("id"): s for s in root.findall("k:Document/k:Style", NS)}


def styled_set():
    features = [
        Feature(square(0, 0, 3 - i), {"kind": "reach_area", "name": f, "figure": f})
        for i, f in enumerate(("low", "nominal", "high"))
    ]
    features += [
        Feature(square(5, 5, 1), {"kind": "uncovered", "name": "u", "figure": "nominal"}),
        Feature(square(8, 8), {"kind": "region", "name": "SY", "verdict": "depends"}),
        Feature(square(-5, -5), {"kind": "closed_airspace", "name": "TUR"}),
        Feature(LineString([(0, 0), (1, 1)]), {"kind": "route", "name": "r"}),
        Feature(Point(3, 3), {"kind": "base", "name": "b"}),
    ]
    features += [
        Feature(Point(i, i), {"kind": "target", "name": v, "verdict": v})
        for i, v in enumerate(("in_reach", "depends", "out_of_reach", None))
    ]
    return FeatureSet("styled", tuple(features))


def test_every_placemark_uses_a_defined_style(schema):
    root = check(schema, kml.dumps(styled_set()))
    styles = styles_of(root)
    used = [p.findtext("k:styleUrl", namespaces=NS) for p in placemarks(root)]
    assert all(u.startswith("#") for u in used)
    assert {u[1:] for u in used} == set(styles)  # all used styles defined, no unused ones written
    # Styles come before the folders, as AbstractFeatureType orders them.
    children = [c.tag[len(K) :] for c in root.find("k:Document", NS)]
    assert children.index("Folder") > max(i for i, t in enumerate(children) if t == "Style")


def test_reach_figures_differ_by_colour_or_width_and_fill_translucently(schema):
    root = check(schema, kml.dumps(styled_set()))
    styles = styles_of(root)
    looks = set()
    for figure in ("low", "nominal", "high"):
        style = styles[f"reach_area-{figure}"]
        colour = style.findtext("k:LineStyle/k:color", namespaces=NS)
        width = float(style.findtext("k:LineStyle/k:width", namespaces=NS))
        looks.add((colour, width))
        assert rgba(style.findtext("k:PolyStyle/k:color", namespaces=NS))[3] < 128, figure
    assert len(looks) == 3
    for sid in ("uncovered-nominal", "region-depends", "closed_airspace"):
        assert 0 < rgba(styles[sid].findtext("k:PolyStyle/k:color", namespaces=NS))[3] < 255, sid
    assert styles["route"].find("k:PolyStyle", NS) is None


def test_target_icons_are_green_amber_red_without_any_icon_url(schema):
    root = check(schema, kml.dumps(styled_set()))
    styles = styles_of(root)
    r, g, b, _ = rgba(styles["target-in_reach"].findtext("k:IconStyle/k:color", namespaces=NS))
    assert g > r and g > b  # green
    r, g, b, _ = rgba(styles["target-depends"].findtext("k:IconStyle/k:color", namespaces=NS))
    assert r > g > b  # amber: red and green, little blue
    r, g, b, _ = rgba(styles["target-out_of_reach"].findtext("k:IconStyle/k:color", namespaces=NS))
    assert r > 2 * g and r > 2 * b  # red
    assert "target" in styles  # a target without a verdict gets the plain target style
    assert root.findall(".//k:Icon", NS) == [] and root.findall(".//k:href", NS) == []


# --- through the CLI --------------------------------------------------------------------------------


def cli_kml(run, schema, tmp_path, *args):
    path = tmp_path / "x.kml"
    result = run(*args, "-o", path)
    assert result.stdout == ""
    text = path.read_text(encoding="utf-8")
    return check(schema, text), path


def extended(root, kind):
    return [data_of(p) for p in placemarks(root) if data_of(p).get("kind") == kind]


def test_cli_rings_kml(run, schema, tmp_path):
    root, path = cli_kml(run, schema, tmp_path, "rings", "tu22m3", "mozdok")
    areas = extended(root, "reach_area")
    assert sorted(a["figure"] for a in areas) == ["high", "low", "nominal"]
    for area in areas:
        assert float(area["radius_km"]) > 0
        assert "payload_kg" in area and area["sources"]
    radii = {a["figure"]: float(a["radius_km"]) for a in areas}
    assert radii["low"] <= radii["nominal"] <= radii["high"]
    assert len(extended(root, "base")) == 1
    read = gdal_features(path)
    assert any(layer == kml.FOLDER_NAMES["reach_area"] for layer, _ in read)


def test_cli_rings_kml_in_nautical_miles(run, schema, tmp_path):
    root, _ = cli_kml(run, schema, tmp_path, "rings", "tu22m3", "mozdok", "--units", "nm")
    areas = extended(root, "reach_area")
    assert areas and all("radius_nm" in a and "radius_km" not in a for a in areas)


def test_cli_reach_region_kml(run, schema, tmp_path):
    root, _ = cli_kml(run, schema, tmp_path, "reach", "tu22m3", "mozdok", "--region", "SY")
    areas = extended(root, "reach_area")
    assert {a["figure"] for a in areas} == {"low", "nominal", "high"}
    for area in areas:
        assert float(area["radius_km"]) > 0  # the unit in the key: km unless --units says otherwise
        assert "payload_kg" in area and area["sources"]
    regions = extended(root, "region")
    assert regions and all(r["verdict"] in ("in_reach", "depends", "out_of_reach") for r in regions)


def test_cli_route_kml(run, schema, tmp_path):
    root, path = cli_kml(run, schema, tmp_path, "route", "mozdok", "damascus", "--avoid", "TUR,GEO,AZE")
    routes = extended(root, "route")
    assert len(routes) == 1
    assert float(routes[0]["length_km"]) > float(routes[0]["direct_km"]) > 0  # the detour round TUR
    (target,) = extended(root, "target")
    assert float(target["distance_km"]) == float(routes[0]["length_km"])
    assert routes[0]["routing"]  # the rules in words: --avoid was given
    assert extended(root, "closed_airspace")
    read = gdal_features(path)
    (route_geometry,) = [g for (layer, _), (g, _) in read.items() if layer == kml.FOLDER_NAMES["route"]]
    assert route_geometry.geom_type in ("LineString", "MultiLineString")


def test_cli_compare_kml(run, schema, tmp_path):
    root, _ = cli_kml(run, schema, tmp_path, "compare", "tu22m3", "mozdok", "hamadan")
    areas = extended(root, "reach_area")
    assert len({a["base"] for a in areas}) == 2  # one set of areas per base
    for area in areas:
        assert area["figure"] in ("low", "nominal", "high")
        assert "radius_km" in area and "payload_kg" in area and area["sources"]
    assert len(extended(root, "base")) == 2


def test_cli_claim_kml(run, schema, tmp_path):
    root, path = cli_kml(run, schema, tmp_path, "claim")
    kinds = {data_of(p)["kind"] for p in placemarks(root)}
    assert {"region", "closed_airspace", "reach_area", "uncovered", "route", "base", "target"} <= kinds
    for part in extended(root, "uncovered"):
        assert part["figure"] in ("low", "nominal", "high") and float(part["area_km2"]) >= 0
    # A route through the recorded corridor is drawn apart from the legal routes.
    styles = {
        p.findtext("k:styleUrl", namespaces=NS) for p in placemarks(root) if data_of(p)["kind"] == "route"
    }
    assert styles == {"#route", "#route-corridor"}
    assert gdal_features(path)


def test_cli_ring_across_the_antimeridian(run, schema, tmp_path):
    shutil.copytree(GOOD_DATA, tmp_path / "d")
    root, path = cli_kml(
        run, schema, tmp_path, "rings", "testjet", "16.5S 179.5E", "--data-dir", tmp_path / "d"
    )
    rings = [p for p in placemarks(root) if data_of(p)["kind"] == "reach_area"]
    assert len(rings) == 3
    for ring in rings:
        parts = ring.findall("k:MultiGeometry/k:Polygon", NS)
        assert len(parts) == 2  # split at the antimeridian: one part each side
        lons = [float(pair.split(",")[0]) for c in ring.iter(K + "coordinates") for pair in c.text.split()]
        assert min(lons) == -180 and max(lons) == 180
    for (layer, _), (geometry, _) in gdal_features(path).items():
        if layer == kml.FOLDER_NAMES["reach_area"]:
            assert geometry.geom_type == "MultiPolygon" and geometry.is_valid
