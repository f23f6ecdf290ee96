"""$ rangecalc route, and --avoid / --via / --standoff on reach, compare and table: hand-derived answers.

The user data folder adds a closed "wall": a box (lon 4..6, lat -1..2) straddling the equator between
Null Island Field (0, 0) and the target East 10 (0, 10). The equator is a geodesic, so the direct distance
is a x 10 degrees in radians; around the wall the shortest path bends at its two lower corners (it
reaches 1 degree below the line and 2 above), so its length is the sum of the geodesics
(0, 0) -> (4, -1) -> (6, -1) -> (10, 0), computed with geographiclib. Obstacles are only ever enlarged
(by at most a few km at each corner), so a route is never shorter than that and within 1 % of it.
Test Jet: combat radius 1,000 / 1,200 / 1,500 km, nominal cruise speed 900 km/h.
"""

import csv
import io
import itertools
import json
import math
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import shapely
from geographiclib.geodesic import Geodesic

GOOD_DATA = Path(__file__).parent / "data" / "good"
SCHEMAS = Path(__file__).parents[1] / "docs" / "schemas"
ROUTE_SCHEMA = json.loads((SCHEMAS / "route.schema.json").read_text())
REACH_SCHEMA = json.loads((SCHEMAS / "reach.schema.json").read_text())
COMPARE_SCHEMA = json.loads((SCHEMAS / "compare.schema.json").read_text())
TABLE_SCHEMA = json.loads((SCHEMAS / "table.schema.json").read_text())

WGS84 = Geodesic.WGS84
RADIUS_KM = {"low": 1000, "nominal": 1200, "high": 1500}
BANDS = ("low", "nominal", "high")

START, END = (0.0, 0.0), (10.0, 0.0)  # (lon, lat)
WALL_BOX = (4, -1, 6, 2)  # lon0, lat0, lon1, lat1
LOWER_CORNERS = [(4, -1), (6, -1)]


def feature(region_id, name, rings):
    return {
        "type": "Feature",
        "properties": {"id": region_id, "name": name},
        "geometry": {"type": "Polygon", "coordinates": rings},
    }


def box_ring(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


WALL = feature("WALL", "Test Wall", [box_ring(*WALL_BOX)])
# A ring around East 10 (lon 8..12, lat -2..2 with a hole at lon 9.5..10.5, lat -0.5..0.5): walls it in.
RING = feature("RING", "Test Ring", [box_ring(8, -2, 12, 2), box_ring(9.5, -0.5, 10.5, 0.5)[::-1]])
# A box around Null Island itself (written only where a test needs it): a base inside closed airspace.
HOME = feature("HOME", "Test Home", [box_ring(-1, -1, 1, 1)])

EAST_BASE = """
[[bases]]
id = "east-16"
name = "East Sixteen Field"
lat = 0.0
lon = 16.0
country = "XXX"
position_uncertainty_m = 0
sources = [{ title = "by construction", publication = "rangecalc tests", states = "0, 16" }]
"""


def path_km(*points):
    """Sum of geodesic lengths through (lon, lat) points, by geographiclib, in km."""
    return sum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in itertools.pairwise(points)) / 1000


def around_km(end):
    """The hand-derived shortest path from Null Island to ``end`` underneath the wall."""
    return path_km(START, *LOWER_CORNERS, end)


def equator_km(lon_deg):
    return WGS84.a * math.radians(lon_deg) / 1000


def assert_route_length(length_km, expected_km):
    assert expected_km <= length_km <= 1.01 * expected_km, (length_km, expected_km)


@pytest.fixture
def data(tmp_path):
    """tests/data/good plus the wall and ring regions and a second base at (0, 16)."""
    folder = tmp_path / "data"
    shutil.copytree(GOOD_DATA, folder)
    (folder / "regions" / "obstacles.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [WALL, RING]})
    )
    (folder / "bases" / "east.toml").write_text(EAST_BASE)
    return folder


@pytest.fixture
def route(run, data):
    """``rangecalc route ... --data-dir DATA``; returns stdout (``fmt`` json/geojson are parsed)."""

    def invoke(*args, fmt="text"):
        out = run("route", *args, "--data-dir", data, "--format", fmt).stdout
        if fmt == "text":
            return out
        parsed = json.loads(out)
        if fmt == "json":
            jsonschema.validate(parsed, ROUTE_SCHEMA)
        return parsed

    return invoke


# --- rangecalc route -----------------------------------------------------------------------------------


def test_direct_route_without_rules(route):
    out = route("null-island", "e10", fmt="json")
    assert out["schema"] == "rangecalc/route/1"
    assert out["from"]["id"] == "null-island" and out["to"]["id"] == "e10"
    assert out["length_km"] == pytest.approx(equator_km(10), abs=1e-6)
    assert out["direct_km"] == out["length_km"] and out["detour_km"] == 0
    assert out["vertices"] == [list(START), list(END)]
    assert out["routing"] == {"avoid": [], "via": [], "standoff_km": 0.0}
    assert len(out["legs"]) == 1 and out["notes"] == []
    text = route("null-island", "e10")
    assert text.startswith("Null Island Field -> East 10: direct\n")
    assert re.search(r"^route length: +1,113 km$", text, re.M)


def test_route_around_a_closed_box_json(route):
    out = route("null-island", "e10", "--avoid", "WALL", fmt="json")
    expected = around_km(END)
    assert_route_length(out["length_km"], expected)
    assert out["direct_km"] == pytest.approx(equator_km(10), abs=1e-6)
    assert out["detour_km"] == pytest.approx(out["length_km"] - out["direct_km"])
    assert out["legs"] == [{"length_km": out["length_km"]}]
    # Starts and ends at the endpoints; turns only just below the wall's two lower corners.
    vertices = out["vertices"]
    assert vertices[0] == list(START) and vertices[-1] == list(END)
    assert len(vertices) > 2
    for lon, lat in vertices[1:-1]:
        assert lat < -1.0
        assert min(math.hypot(lon - x, lat - y) for x, y in LOWER_CORNERS) < 0.05
    assert out["routing"]["avoid"] == [{"id": "WALL", "name": "Test Wall", "reason": None}]
    # The countries crossed add up to the route's length; the closed wall is never among them.
    assert sum(c["length_km"] for c in out["countries"]) == pytest.approx(out["length_km"], rel=1e-3)
    assert "WALL" not in {c["id"] for c in out["countries"]}
    assert out["countries"][0]["id"] is None  # it leaves Null Island over the sea


def test_route_text_states_the_rule_and_the_numbers(route):
    out = route("null-island", "e10", "--avoid", "WALL", fmt="json")
    text = route("null-island", "e10", "--avoid", "WALL")
    assert text.startswith("Null Island Field -> East 10: avoiding Test Wall\n")
    assert re.search(rf"^route length: +{out['length_km']:,.0f} km$", text, re.M)
    assert re.search(rf"^direct: +{out['direct_km']:,.0f} km$", text, re.M)
    percent = 100 * out["detour_km"] / out["direct_km"]
    assert re.search(rf"^detour: +{out['detour_km']:,.0f} km \({percent:.1f} %\)$", text, re.M)
    assert re.search(
        rf"^  1\. {out['length_km']:,.0f} km through {len(out['vertices']) - 2} turning points$", text, re.M
    )
    turning = text.split("turning points (lat, lon):\n")[1].splitlines()
    assert turning == [f"  {lat:.4f}, {lon:.4f}" for lon, lat in out["vertices"]]


def features_of_kind(doc, kind):
    return [f for f in doc["features"] if f["properties"]["kind"] == kind]


def test_route_geojson_draws_the_route_and_its_points(route):
    out = route("null-island", "e10", "--avoid", "WALL", fmt="json")
    doc = route("null-island", "e10", "--avoid", "WALL", fmt="geojson")
    assert doc["type"] == "FeatureCollection"
    (line,) = features_of_kind(doc, "route")
    points = [f for f in doc["features"] if f["geometry"]["type"] == "Point"]
    assert line["geometry"]["type"] == "LineString"
    coords = line["geometry"]["coordinates"]
    assert coords[0] == list(START) and coords[-1] == list(END)
    # Densified along its geodesics: every turning point is on it, and its length is the route's.
    rounded = {(round(x, 6), round(y, 6)) for x, y in coords}
    assert all((round(x, 6), round(y, 6)) in rounded for x, y in out["vertices"])
    assert path_km(*coords) == pytest.approx(out["length_km"], rel=1e-4)
    assert max(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in itertools.pairwise(coords)) <= 20_001
    props = line["properties"]
    assert props["kind"] == "route" and props["from"] == "Null Island Field" and props["to"] == "East 10"
    assert props["length_km"] == pytest.approx(out["length_km"])
    assert props["routing"] == "avoiding Test Wall"
    assert [(p["properties"]["kind"], p["properties"]["name"]) for p in points] == [
        ("base", "Null Island Field"),
        ("target", "East 10"),
    ]
    # The closed airspace is drawn too (docs/geojson.md).
    (closed,) = features_of_kind(doc, "closed_airspace")
    assert shapely.geometry.shape(closed["geometry"]).contains(shapely.box(*WALL_BOX).buffer(-0.01))
    assert [p["geometry"] for p in points] == [
        {"type": "Point", "coordinates": list(START)},
        {"type": "Point", "coordinates": list(END)},
    ]


def test_waypoints_are_flown_in_the_order_given(route):
    # --via takes latitude first, like every place.
    out = route("null-island", "e10", "--via", "2,3", "--via", "-2,7", fmt="json")
    assert out["vertices"] == [[0, 0], [3, 2], [7, -2], [10, 0]]
    assert out["routing"]["via"] == [{"lon": 3, "lat": 2}, {"lon": 7, "lat": -2}]
    legs = [path_km((0, 0), (3, 2)), path_km((3, 2), (7, -2)), path_km((7, -2), (10, 0))]
    assert [leg["length_km"] for leg in out["legs"]] == pytest.approx(legs, rel=1e-9)
    assert out["length_km"] == pytest.approx(sum(legs), rel=1e-9)
    reverse = route("null-island", "e10", "--via", "-2,7", "--via", "2,3", fmt="json")
    assert reverse["vertices"] == [[0, 0], [7, -2], [3, 2], [10, 0]]
    assert reverse["length_km"] == pytest.approx(path_km((0, 0), (7, -2), (3, 2), (10, 0)), rel=1e-9)
    assert reverse["length_km"] > out["length_km"]
    text = route("null-island", "e10", "--via", "2,3", "--via", "-2,7")
    assert "Null Island Field -> East 10: via 2.00,3.00 -> -2.00,7.00" in text
    doc = route("null-island", "e10", "--via", "2,3", "--via", "-2,7", fmt="geojson")
    points = [
        (f["properties"]["kind"], f["properties"]["name"], f["geometry"]["coordinates"])
        for f in doc["features"]
        if f["geometry"]["type"] == "Point"
    ]
    assert points == [
        ("base", "Null Island Field", [0, 0]),
        ("waypoint", "waypoint 1", [3, 2]),
        ("waypoint", "waypoint 2", [7, -2]),
        ("target", "East 10", [10, 0]),
    ]


def test_a_waypoint_over_the_wall_replaces_the_detour(route):
    # Through (lat 3, lon 5) both legs pass above the wall (at lon 4 and 6 they are at lat 2.4).
    out = route("null-island", "e10", "--avoid", "WALL", "--via", "3,5", fmt="json")
    assert out["vertices"] == [[0, 0], [5, 3], [10, 0]]
    assert out["length_km"] == pytest.approx(path_km(START, (5, 3), END), rel=1e-9)
    assert len(out["legs"]) == 2


def outline_points(step_deg=0.02):
    return shapely.get_coordinates(shapely.segmentize(shapely.box(*WALL_BOX).exterior, step_deg))


def gap_km(lon, lat, outline):
    return min(WGS84.Inverse(lat, lon, y, x, Geodesic.DISTANCE)["s12"] for x, y in outline) / 1000


def test_standoff_keeps_the_route_that_far_from_closed_airspace(route):
    near = route("null-island", "e10", "--avoid", "WALL", fmt="json")
    far = route("null-island", "e10", "--avoid", "WALL", "--standoff", "50km", fmt="json")
    assert far["routing"]["standoff_km"] == 50
    assert far["length_km"] > near["length_km"]
    # Hand-derived lower bound: the route must pass at least 50 km (0.45 deg of latitude) below both
    # lower corners.
    assert far["length_km"] >= path_km(START, (4, -1.45), (6, -1.45), END)
    outline = outline_points()
    for lon, lat in far["vertices"][1:-1]:
        assert gap_km(lon, lat, outline) >= 50
    line = route("null-island", "e10", "--avoid", "WALL", "--standoff", "50km", fmt="geojson")
    for lon, lat in features_of_kind(line, "route")[0]["geometry"]["coordinates"]:
        if 2.5 < lon < 7.5:
            assert gap_km(lon, lat, outline[::3]) > 49
    text = route("null-island", "e10", "--avoid", "WALL", "--standoff", "50km")
    assert text.startswith("Null Island Field -> East 10: avoiding Test Wall (stand-off 50 km)\n")


def test_standoff_takes_any_distance_unit(route):
    out = route("null-island", "e10", "--avoid", "WALL", "--standoff", "27nm", fmt="json")
    assert out["routing"]["standoff_km"] == pytest.approx(27 * 1.852)
    out = route("null-island", "e10", "--avoid", "WALL", "--standoff", "27nm", "--units", "nm", fmt="json")
    assert out["routing"]["standoff_nm"] == pytest.approx(27)
    assert out["length_nm"] == pytest.approx(out["direct_nm"] + out["detour_nm"])


def test_units_are_named_in_keys(route):
    km = route("null-island", "e10", "--avoid", "WALL", fmt="json")
    nm = route("null-island", "e10", "--avoid", "WALL", "--units", "nm", fmt="json")
    for key in ("length", "direct", "detour"):
        assert nm[f"{key}_nm"] == pytest.approx(km[f"{key}_km"] / 1.852)
    assert nm["countries"][0]["length_nm"] == pytest.approx(km["countries"][0]["length_km"] / 1.852)


def test_standoff_without_avoid_is_a_usage_error(run, data):
    result = run("route", "null-island", "e10", "--data-dir", data, "--standoff", "25km", expect=2)
    assert "--standoff needs --avoid" in result.stderr


@pytest.mark.parametrize("value", ["25", "-5km", "25kg", "far"])
def test_standoff_needs_a_distance_with_a_unit(run, data, value):
    result = run(
        "route", "null-island", "e10", "--data-dir", data, "--avoid", "WALL", f"--standoff={value}", expect=2
    )
    assert result.stderr.startswith("rangecalc: error: --standoff: ")


def test_standoff_without_unit_suggests_a_distance(run, data):
    result = run(
        "route", "null-island", "e10", "--data-dir", data, "--avoid", "WALL", "--standoff", "25", expect=2
    )
    assert "needs a unit" in result.stderr
    assert "3t" not in result.stderr and "kg" not in result.stderr


@pytest.mark.parametrize(
    ("avoid", "suggestion"),
    [("WALLL", "Test Wall (WALL)"), ("TUK", "Turkey (TUR)"), ("Test Wal", "Test Wall")],
)
def test_unknown_avoid_code_suggests_close_matches(run, data, avoid, suggestion):
    result = run("route", "null-island", "e10", "--data-dir", data, "--avoid", avoid, expect=2)
    assert f"unknown region {avoid!r}; did you mean" in result.stderr
    assert suggestion in result.stderr


def test_avoid_with_an_empty_item_is_a_usage_error(run, data):
    result = run("route", "null-island", "e10", "--data-dir", data, "--avoid", "WALL,,TUR", expect=2)
    assert "--avoid needs comma-separated country codes" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["null-island", "0.5,5"], "no route: 0.50000,5.00000 is inside closed airspace (Test Wall)"),
        (["0.5,5", "null-island"], "no route: 0.50000,5.00000 is inside closed airspace (Test Wall)"),
        (
            ["null-island", "e10", "--via", "0.5,5"],
            "no route: waypoint 1 (0.50,5.00) is inside closed airspace (Test Wall)",
        ),
    ],
)
def test_endpoint_inside_closed_airspace_has_no_route(run, data, args, message):
    result = run("route", *args, "--avoid", "WALL", "--data-dir", data, expect=2)
    assert result.stderr == f"rangecalc: error: {message}\n"


def test_walled_in_target_has_no_route(run, data):
    result = run("route", "null-island", "e10", "--avoid", "RING", "--data-dir", data, expect=2)
    assert result.stderr == (
        "rangecalc: error: no route from Null Island Field to East 10: closed airspace walls it in\n"
    )


def test_route_writes_geojson_to_a_file(run, data, tmp_path):
    out = tmp_path / "route.geojson"
    result = run(
        "route", "null-island", "e10", "--avoid", "WALL", "--data-dir", data, "--format", "geojson", "-o", out
    )
    assert result.stdout == ""
    (line,) = features_of_kind(json.loads(out.read_text()), "route")
    assert line["geometry"]["type"] == "LineString"


# --- reach, compare and table under routing rules ------------------------------------------------------


def reach_json(run, data, *args):
    out = json.loads(run("reach", "testjet", *args, "--data-dir", data, "--format", "json").stdout)
    jsonschema.validate(out, REACH_SCHEMA)
    return out


def test_reach_json_gives_direct_and_route_distances(run, data):
    out = reach_json(run, data, "null-island", "--targets", "e5,e10,e20", "--avoid", "WALL")
    rows = {t["id"]: t for t in out["targets"]}
    assert out["routing"]["avoid"] == [{"id": "WALL", "name": "Test Wall", "reason": None}]
    for target_id, lon in (("e10", 10), ("e20", 20)):
        row = rows[target_id]
        assert row["direct_km"] == pytest.approx(equator_km(lon), abs=1e-6)
        assert_route_length(row["distance_km"], around_km((lon, 0)))
        for band in BANDS:
            assert row[f"margin_{band}_km"] == pytest.approx(RADIUS_KM[band] - row["distance_km"])
        assert row["no_route"] is None
        route = row["route"]
        assert route["length_km"] == row["distance_km"] and route["direct_km"] == row["direct_km"]
        assert route["vertices"][0] == [0, 0] and route["vertices"][-1] == [lon, 0]
        assert route["countries"] and "WALL" not in {c["id"] for c in route["countries"]}
    # East 10: 1,113 km direct (in reach under the nominal 1,200) becomes ~1,141 km: still 'depends'.
    assert rows["e10"]["verdict"] == "depends"
    assert rows["e20"]["verdict"] == "out_of_reach"
    # East 5 lies inside the closed wall: no route, so no distance or margin, and out of reach.
    e5 = rows["e5"]
    assert e5["direct_km"] == pytest.approx(equator_km(5), abs=1e-6)
    assert e5["distance_km"] is None and e5["route"] is None
    assert all(e5[f"margin_{band}_km"] is None for band in BANDS)
    assert e5["verdict"] == "out_of_reach"
    assert e5["no_route"] == "no route: East 5 is inside closed airspace (Test Wall)"
    assert out["summary"] == {"in_reach": 0, "depends": 1, "out_of_reach": 2}


def test_reach_without_rules_has_no_route_objects(run, data):
    out = reach_json(run, data, "null-island", "--targets", "e5,e10")
    assert all(t["route"] is None and t["no_route"] is None for t in out["targets"])
    assert [t["distance_km"] for t in out["targets"]] == [t["direct_km"] for t in out["targets"]]
    assert out["routing"] == {"avoid": [], "via": [], "standoff_km": 0.0}


def text_table(text, first_heading):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_heading))
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows[0], rows[2:]


def test_reach_text_shows_direct_and_route_columns(run, data):
    args = ["reach", "testjet", "null-island", "--targets", "e5,e10", "--avoid", "WALL", "--data-dir", data]
    out = json.loads(run(*args, "--format", "json").stdout)
    text = run(*args).stdout
    headings, rows = text_table(text, "target")
    assert headings[:3] == ["target", "direct km", "route km"]
    e10 = out["targets"][1]
    assert rows[0] == ["East 5", "557", "no route", "no route", "no route", "no route",
                       "out of reach under every figure (no route)"]  # fmt: skip
    assert rows[1][:3] == ["East 10", f"{e10['direct_km']:,.0f}", f"{e10['distance_km']:,.0f}"]
    assert "Margin = combat radius minus the flyable route's length (avoiding Test Wall;" in text
    plain = run("reach", "testjet", "null-island", "--targets", "e10", "--data-dir", data).stdout
    assert text_table(plain, "target")[0][:2] == ["target", "distance km"]
    csv_rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert float(csv_rows[1]["direct_km"]) == e10["direct_km"]
    assert float(csv_rows[1]["distance_km"]) == e10["distance_km"]
    assert (csv_rows[0]["distance_km"], csv_rows[0]["status"]) == ("", "no_route")


def test_reach_via_adds_the_waypoint_to_every_route(run, data):
    out = reach_json(run, data, "null-island", "--targets", "e10,e20", "--via", "2,5")
    for row, lon in zip(out["targets"], (10, 20), strict=True):
        assert row["distance_km"] == pytest.approx(path_km(START, (5, 2), (lon, 0)), rel=1e-9)
        assert row["route"]["vertices"] == [[0, 0], [5, 2], [lon, 0]]


def compare_json(run, data, *targets):
    args = ["compare", "testjet", "null-island", "east-16", "--targets", ",".join(targets), "--avoid", "WALL"]
    return json.loads(run(*args, "--data-dir", data, "--format", "json").stdout)


def test_compare_json_gives_direct_and_route_distances(run, data):
    out = compare_json(run, data, "e10", "e20")
    jsonschema.validate(out, COMPARE_SCHEMA)
    rows = {t["id"]: t for t in out["targets"]}
    null, east = rows["e10"]["by_base"]
    assert null["direct_km"] == pytest.approx(equator_km(10), abs=1e-6)
    assert_route_length(null["distance_km"], around_km(END))
    # From East Sixteen the wall is behind: the route is the direct geodesic.
    assert east["distance_km"] == pytest.approx(east["direct_km"]) == pytest.approx(equator_km(6), abs=1e-6)
    assert rows["e10"]["nearest_base"] == "East Sixteen Field"
    assert rows["e10"]["advantage_km"] == pytest.approx(null["distance_km"] - east["distance_km"])
    assert null["one_way_min"]["nominal"] == pytest.approx(null["distance_km"] / 900 * 60)


def test_compare_json_target_without_route(run, data):
    out = compare_json(run, data, "e5")
    for entry in out["targets"][0]["by_base"]:
        assert entry["distance_km"] is None and entry["verdict"] == "out_of_reach"
        assert entry["no_route"] == "no route: East 5 is inside closed airspace (Test Wall)"
        assert entry["one_way_min"] == {"fastest": None, "nominal": None, "slowest": None}


def test_compare_json_target_without_route_validates(run, data):
    jsonschema.validate(compare_json(run, data, "e5"), COMPARE_SCHEMA)


def test_compare_text_shows_direct_and_route_columns(run, data):
    out = compare_json(run, data, "e10")
    args = ["compare", "testjet", "null-island", "east-16", "--targets", "e10", "--avoid", "WALL"]
    text = run(*args, "--data-dir", data).stdout
    headings, (row,) = text_table(text, "target")
    null = out["targets"][0]["by_base"][0]
    cells = dict(zip(headings, row, strict=True))
    assert cells["Null Island Field direct km"] == f"{null['direct_km']:,.0f}"
    assert cells["Null Island Field route km"] == f"{null['distance_km']:,.0f}"
    assert "minus the flyable route's length (avoiding Test Wall)" in text
    assert "minus the direct geodesic distance" not in text


def test_table_json_gives_direct_and_route_distances(run, data):
    args = [
        "table",
        "--airframes",
        "testjet",
        "--bases",
        "null-island",
        "--targets",
        "e5,e10",
        "--avoid",
        "WALL",
    ]
    out = json.loads(run(*args, "--data-dir", data, "--format", "json").stdout)
    jsonschema.validate(out, TABLE_SCHEMA)
    e5, e10 = out["rows"]
    assert e5["direct_km"] == pytest.approx(equator_km(5), abs=1e-6)
    assert e5["distance_km"] is None and e5["verdict"] == "out_of_reach"
    assert all(e5[f"margin_{band}_km"] is None for band in BANDS)
    assert e10["direct_km"] == pytest.approx(equator_km(10), abs=1e-6)
    assert_route_length(e10["distance_km"], around_km(END))
    assert e10["margin_nominal_km"] == pytest.approx(1200 - e10["distance_km"])


# --- known bugs ------------------------------------------------------------------------------------------


def test_compare_text_with_a_target_without_route(run, data):
    args = ["compare", "testjet", "null-island", "--targets", "e5,e10", "--avoid", "WALL", "--data-dir", data]
    assert "no route" in run(*args).stdout


def test_compare_csv_with_a_target_without_route(run, data):
    args = ["compare", "testjet", "null-island", "--targets", "e5", "--avoid", "WALL", "--data-dir", data]
    row = next(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert "inf" not in row.values()


def test_compare_advantage_when_one_base_has_no_route(run, data):
    # Null Island lies inside the closed HOME box: it has no route anywhere; East Sixteen flies direct.
    (data / "regions" / "home.geojson").write_text(json.dumps(HOME))
    args = ["compare", "testjet", "null-island", "east-16", "--targets", "e10", "--avoid", "HOME"]
    out = json.loads(run(*args, "--data-dir", data, "--format", "json").stdout)
    (row,) = out["targets"]
    assert row["nearest_base"] == "East Sixteen Field"
    assert row["by_base"][0]["distance_km"] is None
    assert row["advantage_km"] is None
    assert row["advantage_percent"] is None


def test_uncovered_parts_under_routing_are_polygons(run, data):
    """Regression: `uncovered` was null under routing. A region in the wall's shadow (lon 6.2..10.5, lat
    -0.9..1.9): its far corner is 1,188 km away directly (inside the 1,200 km nominal radius) but about
    1,221 km by the shortest way over the wall's upper corners (hand-derived), so under routing the
    nominal radius leaves a part near that corner uncovered, while points just behind the wall, reached
    under its lower corners in about 760 km, stay covered."""
    behind = feature("BEHIND", "Test Shadow", [box_ring(6.2, -0.9, 10.5, 1.9)])
    (data / "regions" / "shadow.geojson").write_text(json.dumps(behind))
    assert path_km(START, (10.5, 1.9)) < 1200 < path_km(START, (4, 2), (6, 2), (10.5, 1.9))
    direct = reach_json(run, data, "null-island", "--region", "BEHIND")["region"]
    assert direct["uncovered"]["nominal"] is None
    region = reach_json(run, data, "null-island", "--region", "BEHIND", "--avoid", "WALL")["region"]
    assert "contoured from flyable distances" in region["uncovered_method"]
    assert region["margin_nominal_km"] < 0 and region["uncovered"]["high"] is None
    part = shapely.geometry.shape(region["uncovered"]["nominal"])
    assert part.is_valid and all(shapely.is_ccw(p.exterior) for p in shapely.get_parts(part))
    assert part.contains(shapely.Point(10.4, 1.8))
    assert not part.intersects(shapely.Point(6.5, -0.5))
