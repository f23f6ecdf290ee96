"""$ rangecalc compare / rangecalc table — two bases on the equator (hand-derivable), the bundled Syria
case, every format, payload and errors.

The equator is a geodesic, so the distance between two points on it is a x (difference in longitude, in
radians): 1 degree = 111.319 km. Null Island Field is at lon 0 and a second base, East Sixteen Field, is
written at lon 16; the `equator` targets are at lon 5, 10 and 20, so every distance is a whole number of
degrees. Test Jet: combat radius 1,000 / 1,200 / 1,500 km, cruise speed 800 / 900 / 900 km/h.
"""

import csv
import gzip
import io
import json
import math
import re
import shutil
import tomllib
from pathlib import Path

import jsonschema
import pytest
import shapely
from geographiclib.geodesic import Geodesic

GOOD_DATA = Path(__file__).parent / "data" / "good"
ROOT = Path(__file__).parents[1]

WGS84 = Geodesic.WGS84
COMPARE_SCHEMA = json.loads((ROOT / "docs" / "schemas" / "compare.schema.json").read_text())
TABLE_SCHEMA = json.loads((ROOT / "docs" / "schemas" / "table.schema.json").read_text())

NULL = "Null Island Field"
EAST = "East Sixteen Field"
EAST_LON = 16
RADIUS_KM = {"low": 1000, "nominal": 1200, "high": 1500}
BANDS = ("low", "nominal", "high")
NOMINAL_KMH = 900  # Test Jet's nominal (and high) cruise speed
LOW_KMH = 800
UNITS = {"km": 1.0, "nm": 1.852, "mi": 1.609344}  # km per unit

EAST_BASE = f"""
[[bases]]
id = "east-16"
name = "{EAST}"
lat = 0.0
lon = {EAST_LON}.0
country = "XXX"
position_uncertainty_m = 0
sources = [{{ title = "by construction", publication = "rangecalc tests", states = "0, {EAST_LON}" }}]
"""

# A 2 x 2 degree box straddling the equator halfway between the bases (lon 7..9, lat -1..1): its farthest
# point from Null Island is a corner at lon 9, from East Sixteen a corner at lon 7 (mirror images), and
# the bisector at lon 8 gives each base half of it.
BOX = {
    "type": "Feature",
    "properties": {"id": "BOX", "name": "Test Box"},
    "geometry": {"type": "Polygon", "coordinates": [[[7, -1], [9, -1], [9, 1], [7, 1], [7, -1]]]},
}

# Per target: degrees from Null Island and from East Sixteen, the nearest base, by how many degrees, and
# the verdict from each base. 5 deg = 557 km is inside 1,000 km; 10 deg = 1,113 and 11 deg = 1,225 km are
# beyond the low 1,000 km but inside the high 1,500 km; 20 deg = 2,226 km is beyond 1,500 km.
EQUATOR = {
    "e5": {"deg": (5, 11), "nearest": NULL, "by_deg": 6, "verdicts": ("in_reach", "depends")},
    "e10": {"deg": (10, 6), "nearest": EAST, "by_deg": 4, "verdicts": ("depends", "in_reach")},
    "e20": {"deg": (20, 4), "nearest": EAST, "by_deg": 16, "verdicts": ("out_of_reach", "in_reach")},
}

# The same, as the text table prints it (rounded to the km / minute; times h:mm at 900 km/h).
COMPARE_HEADINGS = [
    "target",
    f"{NULL} km",
    f"{NULL} margin low/nom/high km",
    f"{NULL} time 1-way/return",
    f"{EAST} km",
    f"{EAST} margin low/nom/high km",
    f"{EAST} time 1-way/return",
    "nearest base",
    "by km",
    "by %",
    "saves min (1-way)",
]
# fmt: off
COMPARE_ROWS = [
    # 557 km = 37.1 min; 1,225 km = 81.6 min; 6 deg = 668 km of 1,225 = 54.5 %, 44.5 min
    ["East 5",
     "557", "+443 / +643 / +943", "0:37 / 1:14",
     "1,225", "-225 / -25 / +275", "1:22 / 2:43",
     NULL, "668", "54.5", "45"],
    # 1,113 km = 74.2 min; 668 km = 44.5 min; 4 deg = 445 km of 1,113 = 40 %, 29.7 min
    ["East 10",
     "1,113", "-113 / +87 / +387", "1:14 / 2:28",
     "668", "+332 / +532 / +832", "0:45 / 1:29",
     EAST, "445", "40.0", "30"],
    # 2,226 km = 148.4 min; 445 km = 29.7 min; 16 deg = 1,781 km of 2,226 = 80 %, 118.7 min
    ["East 20",
     "2,226", "-1,226 / -1,026 / -726", "2:28 / 4:57",
     "445", "+555 / +755 / +1,055", "0:30 / 0:59",
     EAST, "1,781", "80.0", "119"],
]
# fmt: on

TABLE_HEADINGS = [
    "airframe",
    "base",
    "target or region",
    "distance km",
    "radius low km",
    "radius nominal km",
    "radius high km",
    "margin low km",
    "margin nominal km",
    "margin high km",
    "covered low/nom/high",
    "verdict",
]


def deg_km(degrees):
    """Distance along the equator: a x angle."""
    return WGS84.a * math.radians(degrees) / 1000


def km_between(lat1, lon1, lat2, lon2):
    return WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1000


def plain(cells):
    """Cells as the CSV writes them: no thousands separators."""
    return [c.replace(",", "") for c in cells]


def text_rows(text, first_heading):
    """The cells of the aligned text table starting at the line that begins with ``first_heading``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_heading))
    assert set(lines[start + 1]) <= {"-", " "}
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows[0], rows[2:] if len(rows) > 1 else []


def md_rows(text, first_heading):
    lines = [line for line in text.splitlines() if line.startswith(f"| {first_heading} |")]
    assert len(lines) == 1
    start = text.splitlines().index(lines[0])
    rows = []
    for line in text.splitlines()[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    assert set("".join(rows[1])) <= {"-", ":"}
    return rows[0], rows[2:]


@pytest.fixture
def data(tmp_path):
    """tests/data/good plus a second base at (0, 16) and the test box region."""
    folder = tmp_path / "data"
    shutil.copytree(GOOD_DATA, folder)
    (folder / "bases" / "east.toml").write_text(EAST_BASE)
    (folder / "regions" / "box.geojson").write_text(json.dumps(BOX))
    return folder


@pytest.fixture
def both(data):
    """Arguments for ``compare testjet`` from both equator bases."""
    return ["testjet", "null-island", "east-16", "--data-dir", data]


@pytest.fixture
def equator(both):
    """... to the equator targets."""
    return [*both, "--targets", "equator"]


def syria_outline():
    with gzip.open(ROOT / "regions" / "ne_50m_admin0.geojson.gz") as stream:
        features = json.load(stream)["features"]
    (feature,) = [f for f in features if f["properties"].get("iso_a3") == "SYR"]
    return shapely.geometry.shape(feature["geometry"])


def syria_targets():
    return tomllib.loads((ROOT / "regions" / "syria.toml").read_text())["targets"]


def verdict(distance_km, radius):
    """in_reach when even the low radius reaches, out_of_reach when even the high one does not."""
    if distance_km <= radius["low"]:
        return "in_reach"
    return "depends" if distance_km <= radius["high"] else "out_of_reach"


def radius_km(airframe_id):
    figures = tomllib.loads((ROOT / "airframes" / f"{airframe_id}.toml").read_text())["figures"]
    return {band: figures["combat_radius_km"][band] for band in BANDS}


# --- compare: hand-derived, every format --------------------------------------------------------------


def test_compare_json_hand_derived(run_json, equator):
    out = run_json("compare", *equator)
    jsonschema.validate(out, COMPARE_SCHEMA)
    assert out["schema"] == "rangecalc/compare/1"
    assert [b["id"] for b in out["bases"]] == ["null-island", "east-16"]
    assert out["combat_radius"] == {f"{b}_km": RADIUS_KM[b] for b in BANDS}
    assert out["cruise_speed_kmh"] == pytest.approx({"low": 800, "nominal": 900, "high": 900})
    assert out["payload"] is None and out["regions"] == [] and out["nearest_base_share"] is None
    assert [t["id"] for t in out["targets"]] == ["e5", "e10", "e20"]
    for target in out["targets"]:
        expected = EQUATOR[target["id"]]
        assert [e["base"] for e in target["by_base"]] == [NULL, EAST]
        for i, entry in enumerate(target["by_base"]):
            km = deg_km(expected["deg"][i])
            assert entry["distance_km"] == pytest.approx(km, abs=1e-6)
            for band in BANDS:
                assert entry[f"margin_{band}_km"] == pytest.approx(RADIUS_KM[band] - km, abs=1e-6)
            assert entry["verdict"] == expected["verdicts"][i] == verdict(km, RADIUS_KM)
            # one way at the high (fastest), nominal and low (slowest) cruise speed; return is twice that
            minutes = km / NOMINAL_KMH * 60
            one_way = {"fastest": minutes, "nominal": minutes, "slowest": km / LOW_KMH * 60}
            assert entry["one_way_min"] == pytest.approx(one_way, rel=1e-9)
            assert entry["round_trip_min"] == pytest.approx({k: 2 * v for k, v in one_way.items()}, rel=1e-9)
        nearer, farther = sorted(expected["deg"])
        assert target["nearest_base"] == expected["nearest"]
        assert farther - nearer == expected["by_deg"]
        assert target["advantage_km"] == pytest.approx(deg_km(expected["by_deg"]), abs=1e-6)
        assert target["advantage_percent"] == pytest.approx(100 * expected["by_deg"] / farther)
        assert target["time_saved_min"] == pytest.approx(deg_km(expected["by_deg"]) / NOMINAL_KMH * 60)


def test_compare_percentages_are_shares_of_the_farther_base(run_json, equator):
    out = run_json("compare", *equator)
    percent = {t["id"]: t["advantage_percent"] for t in out["targets"]}
    assert percent == pytest.approx({"e5": 600 / 11, "e10": 40.0, "e20": 80.0})


def test_compare_base_order_only_reorders_columns(run_json, equator, data):
    forward = run_json("compare", *equator)
    swapped = ["testjet", "east-16", "null-island", "--data-dir", data, "--targets", "equator"]
    backward = run_json("compare", *swapped)
    assert [b["id"] for b in backward["bases"]] == ["east-16", "null-island"]
    for f, b in zip(forward["targets"], backward["targets"], strict=True):
        assert b["by_base"] == f["by_base"][::-1]
        for key in ("nearest_base", "advantage_km", "advantage_percent", "time_saved_min"):
            assert b[key] == f[key]


@pytest.mark.parametrize("unit", ["nm", "mi"])
def test_compare_units_are_named_in_keys(run_json, equator, unit):
    out = run_json("compare", *equator, "--units", unit)
    jsonschema.validate(out, COMPARE_SCHEMA)
    assert out["distance_unit"] == unit
    assert out["combat_radius"] == pytest.approx({f"{b}_{unit}": RADIUS_KM[b] / UNITS[unit] for b in BANDS})
    e20 = out["targets"][2]
    assert e20[f"advantage_{unit}"] == pytest.approx(deg_km(16) / UNITS[unit], abs=1e-6)
    entry = e20["by_base"][1]
    assert set(entry) == {
        "base",
        f"distance_{unit}",
        f"direct_{unit}",
        "no_route",
        "verdict",
        "one_way_min",
        "round_trip_min",
    } | {f"margin_{b}_{unit}" for b in BANDS}
    assert entry[f"distance_{unit}"] == pytest.approx(deg_km(4) / UNITS[unit], abs=1e-6)
    assert entry[f"margin_low_{unit}"] == pytest.approx((1000 - deg_km(4)) / UNITS[unit], abs=1e-6)
    # times do not depend on the unit
    assert entry["one_way_min"]["nominal"] == pytest.approx(deg_km(4) / NOMINAL_KMH * 60)


# Long form (docs/csv.md): one row per target x base, then per region x base; headings never name a base.
CSV_HEADINGS = [
    "row_type", "airframe", "base", "base_id", "subject", "subject_id", "lat", "lon", "status",
    "status_reason", "routing", "distance_km", "direct_km", "radius_low_km", "radius_nominal_km",
    "radius_high_km", "margin_low_km", "margin_nominal_km", "margin_high_km", "verdict",
    "one_way_fastest_min", "one_way_nominal_min", "one_way_slowest_min",
    "round_trip_fastest_min", "round_trip_nominal_min", "round_trip_slowest_min",
    "nearest", "advantage_km", "advantage_percent", "time_saved_min",
    "covered_low_share", "covered_nominal_share", "covered_high_share", "farthest_lat", "farthest_lon",
    "nearest_base_share", "payload_kg",
]  # fmt: skip


def test_compare_csv(run, equator):
    text = run("compare", *equator, "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 3 * 2
    assert all(len(row) == len(CSV_HEADINGS) for row in rows)
    assert rows[0] == CSV_HEADINGS
    rows = [dict(zip(CSV_HEADINGS, row, strict=True)) for row in rows[1:]]
    assert [(r["subject"], r["base"]) for r in rows] == [
        (name, base) for name in ("East 5", "East 10", "East 20") for base in (NULL, EAST)
    ]
    for row in rows:
        expected = EQUATOR[row["subject_id"]]
        i = (NULL, EAST).index(row["base"])
        km = deg_km(expected["deg"][i])
        # raw numbers: exact to the micrometre, not rounded to the km
        assert float(row["distance_km"]) == pytest.approx(km, abs=1e-6)
        for band, radius in (("low", 1000), ("nominal", 1200), ("high", 1500)):
            assert float(row[f"margin_{band}_km"]) == pytest.approx(radius - km, abs=1e-6)
        assert float(row["one_way_nominal_min"]) == pytest.approx(km / 900 * 60)
        assert float(row["round_trip_nominal_min"]) == pytest.approx(2 * km / 900 * 60)
        assert float(row["one_way_slowest_min"]) == pytest.approx(km / 800 * 60)
        assert row["verdict"] == expected["verdicts"][i]
        nearest = row["base"] == expected["nearest"]
        assert row["nearest"] == ("true" if nearest else "false")
        if nearest:
            assert float(row["advantage_km"]) == pytest.approx(deg_km(expected["by_deg"]), abs=1e-6)
            assert float(row["time_saved_min"]) == pytest.approx(deg_km(expected["by_deg"]) / 900 * 60)
        else:
            assert row["advantage_km"] == row["time_saved_min"] == ""


def test_compare_text_table(run, equator):
    text = run("compare", *equator).stdout
    assert text.startswith(f"Test Jet: {NULL} vs {EAST}\n")
    assert "combat radius, low / nominal / high: 1,000 / 1,200 / 1,500 km" in text
    assert "cruise speed low / nominal / high: 800 / 900 / 900 km/h (times at nominal)" in text
    headings, rows = text_rows(text, "target ")
    assert headings == COMPARE_HEADINGS
    assert rows == COMPARE_ROWS


def test_compare_markdown(run, equator):
    text = run("compare", *equator, "--format", "md").stdout
    assert text.startswith(f"# Test Jet: {NULL} vs {EAST}\n")
    headings, rows = md_rows(text, "target")
    assert headings == COMPARE_HEADINGS
    assert rows == COMPARE_ROWS


def test_compare_tie_goes_to_the_first_base_with_no_advantage(run_json, data):
    # East 10 is 10 degrees from both (0, 0) and (0, 20).
    out = run_json("compare", "testjet", "null-island", "0,20", "--data-dir", data, "--targets", "e10")
    jsonschema.validate(out, COMPARE_SCHEMA)
    assert out["bases"][1]["kind"] == "coordinates"
    (target,) = out["targets"]
    assert [e["distance_km"] for e in target["by_base"]] == pytest.approx([deg_km(10)] * 2, abs=1e-6)
    assert target["nearest_base"] == NULL
    assert target["advantage_km"] == 0 and target["advantage_percent"] == 0 and target["time_saved_min"] == 0


def test_compare_one_base(run_json, data):
    args = ["testjet", "east-16", "--data-dir", data]
    out = run_json("compare", *args, "--targets", "equator", "--region", "BOX")
    jsonschema.validate(out, COMPARE_SCHEMA)
    assert all(t["nearest_base"] == EAST and t["advantage_km"] is None for t in out["targets"])
    assert all(t["advantage_percent"] is None and t["time_saved_min"] is None for t in out["targets"])
    assert len(out["regions"]) == 1
    assert out["nearest_base_share"] is None


# --- compare: regions ---------------------------------------------------------------------------------


def test_compare_box_region_hand_derived(run_json, both):
    out = run_json("compare", *both, "--region", "BOX")
    jsonschema.validate(out, COMPARE_SCHEMA)
    assert out["targets"] == []
    assert [r["base"] for r in out["regions"]] == [NULL, EAST]
    corner_km = km_between(0, 0, 1, 9)  # 1,007.9 km: just beyond the low radius
    assert 1000 < corner_km < 1200
    polygon = WGS84.Polygon()
    for lat, lon in ((-1, 7), (-1, 9), (1, 9), (1, 7)):
        polygon.AddPoint(lat, lon)
    _, _, area_m2 = polygon.Compute(False, True)
    for region, far_lon in zip(out["regions"], (9, 7), strict=True):
        assert region["id"] == "BOX" and region["name"] == "Test Box"
        assert region["area_km2"] == pytest.approx(area_m2 / 1e6, rel=1e-6)
        far = region["farthest_point"]
        assert far["lon"] == pytest.approx(far_lon, abs=1e-6)
        assert abs(far["lat"]) == pytest.approx(1, abs=1e-6)
        assert far["distance_km"] == pytest.approx(corner_km, abs=1e-3)
        assert far["nearest_base"] == region["base"]
        for band in BANDS:
            assert region[f"margin_{band}_km"] == pytest.approx(RADIUS_KM[band] - corner_km, abs=1e-3)
        # only slivers near the far corners are beyond 1,000 km; all of it is within 1,200 km
        assert 0.9 < region["covered_share"]["low"] < 1
        assert region["covered_share"]["nominal"] == region["covered_share"]["high"] == 1
        assert region["verdict"] == "depends"
        assert region["verdict_text"] == "covers all of Test Box only under some figures"
    # mirror images about lon 8
    assert out["regions"][0]["covered_share"] == pytest.approx(out["regions"][1]["covered_share"], abs=1e-3)
    assert [e["base"] for e in out["nearest_base_share"]] == [NULL, EAST]
    assert [e["share"] for e in out["nearest_base_share"]] == pytest.approx([0.5, 0.5], abs=0.01)


def test_compare_box_region_in_nautical_miles(run_json, both):
    out = run_json("compare", *both, "--region", "BOX", "--units", "nm")
    jsonschema.validate(out, COMPARE_SCHEMA)
    region = out["regions"][0]
    km = run_json("compare", *both, "--region", "BOX")["regions"][0]
    assert region["area_nm2"] == pytest.approx(km["area_km2"] / 1.852**2)
    far_nm = region["farthest_point"]["distance_nm"]
    assert far_nm == pytest.approx(km["farthest_point"]["distance_km"] / 1.852)
    assert region["margin_high_nm"] == pytest.approx(km["margin_high_km"] / 1.852)


def test_compare_box_region_text_and_markdown(run, both):
    args = ["compare", *both, "--region", "BOX"]
    text = run(*args).stdout
    assert f"Test Box from {NULL}: covers all of Test Box only under some figures" in text
    assert f"Test Box from {EAST}: covers all of Test Box only under some figures" in text
    assert re.search(r"farthest point: 1\.000[NS], 9\.000E .*, 1,008 km from Null Island Field", text)
    assert re.search(r"farthest point: 1\.000[NS], 7\.000E .*, 1,008 km from East Sixteen Field", text)
    assert f"Nearest base by share of Test Box's area: {NULL} 50%, {EAST} 50%." in text
    md = run(*args, "--format", "md").stdout
    assert f"## Test Box from {NULL}: covers all of Test Box only under some figures" in md
    # no target table without targets
    assert "| target |" not in md


def test_compare_box_region_csv_has_target_and_region_rows(run, both):
    text = run("compare", *both, "--targets", "e5", "--region", "BOX", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_HEADINGS
    rows = [dict(zip(CSV_HEADINGS, row, strict=True)) for row in rows[1:]]
    assert [(r["row_type"], r["subject"], r["base"]) for r in rows] == [
        ("target", "East 5", NULL),
        ("target", "East 5", EAST),
        ("region", "Test Box", NULL),
        ("region", "Test Box", EAST),
    ]
    corner_km = km_between(0, 0, 1, 9)  # mirror images: the same from both bases
    for row in rows[2:]:
        assert float(row["distance_km"]) == pytest.approx(corner_km, abs=1e-3)
        assert float(row["nearest_base_share"]) == pytest.approx(0.5, abs=0.01)
        assert row["verdict"] == "depends" and float(row["covered_high_share"]) == 1


def test_compare_tu22m3_mozdok_shahid_nojeh_over_syria(run_json):
    out = run_json("compare", "tu22m3", "mozdok", "shahid-nojeh", "--region", "SY")
    jsonschema.validate(out, COMPARE_SCHEMA)
    assert out["targets"] == []  # --region alone: no default target set
    bases = {b["name"]: b for b in out["bases"]}
    assert [b["id"] for b in out["bases"]] == ["mozdok", "shahid-nojeh"]
    radius = radius_km("tu22m3")
    assert out["combat_radius"] == {f"{b}_km": radius[b] for b in BANDS}
    outline = syria_outline()
    cities = syria_targets()
    assert [r["base"] for r in out["regions"]] == list(bases)
    for region in out["regions"]:
        assert region["id"] == "SYR" and region["name"] == "Syria"
        base = bases[region["base"]]
        shares = [region["covered_share"][b] for b in BANDS]
        assert all(0 <= s <= 1 for s in shares) and shares == sorted(shares)
        far = region["farthest_point"]
        assert far["nearest_base"] == region["base"]
        # inside (or on the outline of) Syria
        assert outline.distance(shapely.Point(far["lon"], far["lat"])) < 1e-9
        assert 32 < far["lat"] < 37.5 and 35.5 < far["lon"] < 42.5
        # its distance from the base, by geographiclib
        far_km = km_between(base["lat"], base["lon"], far["lat"], far["lon"])
        assert far["distance_km"] == pytest.approx(far_km, abs=1e-3)
        # it really is the farthest: no vertex of the outline and no Syrian city is farther
        vertices = [km_between(base["lat"], base["lon"], lat, lon) for lon, lat in outline.exterior.coords]
        assert max(vertices) <= far_km + 1e-3
        assert max(km_between(base["lat"], base["lon"], c["lat"], c["lon"]) for c in cities) < far_km
        for band in BANDS:
            assert region[f"margin_{band}_km"] == pytest.approx(radius[band] - far_km, abs=1e-3)
        expected = verdict(far_km, radius)
        assert region["verdict"] == expected
        if expected == "in_reach":
            assert shares == [1, 1, 1]
    shares = {entry["base"]: entry["share"] for entry in out["nearest_base_share"]}
    assert set(shares) == set(bases)
    assert sum(shares.values()) == pytest.approx(1)
    # every Syrian city is nearer Shahid Nojeh than Mozdok, so it should have most of the area
    nojeh, mozdok = bases["Shahid Nojeh Air Base"], bases["Mozdok Air Base"]
    for c in cities:
        assert km_between(nojeh["lat"], nojeh["lon"], c["lat"], c["lon"]) < km_between(
            mozdok["lat"], mozdok["lon"], c["lat"], c["lon"]
        )
    assert shares["Shahid Nojeh Air Base"] > 0.5


def test_compare_default_targets_are_the_syria_set(run_json):
    out = run_json("compare", "tu22m3", "mozdok", "hamadan")
    jsonschema.validate(out, COMPARE_SCHEMA)
    assert [t["id"] for t in out["targets"]] == [t["id"] for t in syria_targets()]
    assert out["bases"][1]["id"] == "shahid-nojeh"  # "hamadan" is the air base
    for target in out["targets"]:
        for entry, base in zip(target["by_base"], out["bases"], strict=True):
            expected = km_between(base["lat"], base["lon"], target["lat"], target["lon"])
            assert entry["distance_km"] == pytest.approx(expected, abs=1e-6)
        nearest = min(target["by_base"], key=lambda e: e["distance_km"])
        assert target["nearest_base"] == nearest["base"]


@pytest.mark.parametrize("bases", [("mozdok", "hamadan", "shahid-nojeh"), ("mozdok", "mozdok")])
def test_compare_refuses_the_same_base_twice(run, bases):
    result = run("compare", "tu22m3", *bases, "--region", "SY", expect=2)
    assert "are the same place; give each base once" in result.stderr


# --- compare: airframes without cruise speed, payload ------------------------------------------------


def test_compare_without_cruise_speed_has_no_times(run, run_json):
    out = run_json("compare", "su34", "mozdok", "hamadan", "--targets", "aleppo,raqqa")
    jsonschema.validate(out, COMPARE_SCHEMA)
    assert out["cruise_speed_kmh"] is None
    for target in out["targets"]:
        assert target["time_saved_min"] is None
        assert all(e["one_way_min"] is None and e["round_trip_min"] is None for e in target["by_base"])
    text = run("compare", "su34", "mozdok", "hamadan", "--targets", "aleppo,raqqa").stdout
    assert "no cruise speed in airframes/su34.toml (bundled): no flight times" in text
    rows = list(csv.DictReader(io.StringIO(
        run("compare", "su34", "mozdok", "hamadan", "--targets", "aleppo,raqqa", "--format", "csv").stdout
    )))  # fmt: skip
    assert len(rows) == 2 * 2
    assert all(r["one_way_nominal_min"] == "" and r["time_saved_min"] == "" for r in rows)


def test_bundled_tu22m3_refuses_a_payload_no_source_ties_to_its_radius(run):
    result = run("compare", "tu22m3", "mozdok", "--targets", "aleppo", "--payload", "3t", expect=2)
    assert "no source states the load behind the Tupolev Tu-22M3's published combat radius" in result.stderr


def test_compare_payload_changes_the_radius(run, run_json, stated_load_dir):
    args = ["compare", "tu22m3", "mozdok", "shahid-nojeh", "--targets", "aleppo,raqqa"]
    args += ["--data-dir", stated_load_dir]
    published = run_json(*args)
    heavy = run_json(*args, "--payload", "12t")
    light = run_json(*args, "--payload", "3000kg")
    jsonschema.validate(heavy, COMPARE_SCHEMA)
    assert published["combat_radius"] == {f"{b}_km": radius_km("tu22m3")[b] for b in BANDS}
    assert heavy["payload"]["payload_kg"] == 12000 and light["payload"]["payload_kg"] == 3000
    assert heavy["combat_radius"] == published["combat_radius"]  # 12 t is the stated calibration load
    assert light["combat_radius"] != published["combat_radius"]
    for band in BANDS:
        # a band calibrated at exactly this payload keeps its calibration radius
        calibration = heavy["payload"]["calibration"][band]
        if calibration["payload_kg"] == 12000:
            assert heavy["combat_radius"][f"{band}_km"] == pytest.approx(calibration["combat_radius_km"])
        # more bombs, no more radius (the high band is capped at the highest published figure)
        assert heavy["combat_radius"][f"{band}_km"] <= light["combat_radius"][f"{band}_km"]
    # the margins use the radius at that payload; distances do not change
    for target, before in zip(heavy["targets"], published["targets"], strict=True):
        for entry, old in zip(target["by_base"], before["by_base"], strict=True):
            assert entry["distance_km"] == old["distance_km"]
            for band in BANDS:
                radius = heavy["combat_radius"][f"{band}_km"]
                assert entry[f"margin_{band}_km"] == pytest.approx(radius - entry["distance_km"])
    text = run(*args, "--payload", "12t").stdout
    assert "combat radius at 12,000 kg payload, low / nominal / high:" in text
    assert "payload model:" in text


# --- table --------------------------------------------------------------------------------------------


def test_table_json_hand_derived(run_json, data):
    out = run_json(
        "table", "--airframes", "testjet", "--bases", "null-island,east-16", "--data-dir", data,
        "--targets", "equator", "--region", "BOX",
    )  # fmt: skip
    jsonschema.validate(out, TABLE_SCHEMA)
    assert out["schema"] == "rangecalc/table/1" and out["distance_unit"] == "km"
    rows = out["rows"]
    assert len(rows) == 1 * 2 * (3 + 1)
    assert [(r["base"]["id"], r["subject"], r["kind"]) for r in rows] == [
        (base, subject, "target" if subject.startswith("East") else "region")
        for base in ("null-island", "east-16")
        for subject in ("East 5", "East 10", "East 20", "Test Box")
    ]
    corner_km = km_between(0, 0, 1, 9)
    for row in rows:
        assert row["airframe"] == "testjet"
        assert {b: row[f"radius_{b}_km"] for b in BANDS} == RADIUS_KM
        if row["kind"] == "target":
            i = 0 if row["base"]["id"] == "null-island" else 1
            spec = EQUATOR["e" + row["subject"].split()[1]]
            km = deg_km(spec["deg"][i])
            assert row["verdict"] == spec["verdicts"][i]
            assert row["covered_share"] is None
        else:
            km = corner_km
            assert row["verdict"] == "depends"
            assert 0.9 < row["covered_share"]["low"] < 1 and row["covered_share"]["high"] == 1
        assert row["distance_km"] == pytest.approx(km, abs=1e-3)
        for band in BANDS:
            assert row[f"margin_{band}_km"] == pytest.approx(RADIUS_KM[band] - km, abs=1e-3)


# docs/csv.md
TABLE_CSV_HEADINGS = [
    "row_type", "airframe", "base", "base_id", "subject", "status", "status_reason", "distance_km", "direct_km",
    "radius_low_km", "radius_nominal_km", "radius_high_km", "margin_low_km", "margin_nominal_km",
    "margin_high_km", "verdict", "covered_low_share", "covered_nominal_share", "covered_high_share",
    "farthest_lat", "farthest_lon",
]  # fmt: skip

RADII = ("1,000", "1,200", "1,500")
IN, DEPENDS, OUT = "in reach under every figure", "depends on the figure", "out of reach under every figure"
TABLE_ROWS = [
    ["testjet", NULL, "East 5", "557", *RADII, "+443", "+643", "+943", "-", IN],
    ["testjet", NULL, "East 10", "1,113", *RADII, "-113", "+87", "+387", "-", DEPENDS],
    ["testjet", NULL, "East 20", "2,226", *RADII, "-1,226", "-1,026", "-726", "-", OUT],
    ["testjet", EAST, "East 5", "1,225", *RADII, "-225", "-25", "+275", "-", DEPENDS],
    ["testjet", EAST, "East 10", "668", *RADII, "+332", "+532", "+832", "-", IN],
    ["testjet", EAST, "East 20", "445", *RADII, "+555", "+755", "+1,055", "-", IN],
]


@pytest.mark.parametrize("fmt", ["table", "md", "csv"])
def test_table_every_text_format(run, data, fmt):
    args = ["table", "--airframes", "testjet", "--bases", "null-island,east-16", "--data-dir", data]
    text = run(*args, "--targets", "equator", "--format", fmt).stdout
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert all(len(row) == len(TABLE_CSV_HEADINGS) for row in rows)
        assert rows[0] == TABLE_CSV_HEADINGS
        rows = [dict(zip(TABLE_CSV_HEADINGS, row, strict=True)) for row in rows[1:]]
        # the text table's values, raw: rounding the CSV's numbers gives the text's
        assert [
            [r["airframe"], r["base"], r["subject"], f"{float(r['distance_km']):.0f}"]
            + [f"{float(r[f'radius_{b}_km']):.0f}" for b in BANDS]
            + [f"{float(r[f'margin_{b}_km']):+.0f}" for b in BANDS]
            for r in rows
        ] == [plain(row[:10]) for row in TABLE_ROWS]
        verdicts = {IN: "in_reach", DEPENDS: "depends", OUT: "out_of_reach"}
        assert [r["verdict"] for r in rows] == [verdicts[row[-1]] for row in TABLE_ROWS]
        assert {(r["row_type"], r["status"], r["covered_low_share"]) for r in rows} == {("target", "ok", "")}
    else:
        headings, rows = (text_rows if fmt == "table" else md_rows)(text, "airframe")
        assert headings == TABLE_HEADINGS
        assert rows == TABLE_ROWS


def test_table_is_markdown_by_default(run, data):
    args = ["--airframes", "testjet", "--bases", "null-island", "--data-dir", data]
    text = run("table", *args, "--targets", "e5").stdout
    assert text.startswith("| airframe | base |")


def test_table_region_row_in_csv(run, data):
    text = run(
        "table", "--airframes", "testjet", "--bases", "null-island", "--data-dir", data, "--region", "BOX",
        "--format", "csv",
    ).stdout  # fmt: skip
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert (row["row_type"], row["subject"]) == ("region", "Test Box")
    assert float(row["distance_km"]) == pytest.approx(km_between(0, 0, 1, 9), abs=1e-3)
    assert (abs(float(row["farthest_lat"])), float(row["farthest_lon"])) == pytest.approx((1, 9), abs=1e-6)
    assert 0.9 < float(row["covered_low_share"]) < 1
    assert float(row["covered_nominal_share"]) == float(row["covered_high_share"]) == 1
    assert row["verdict"] == "depends"


def test_table_two_airframes_take_each_radius_from_its_file(run_json, data):
    out = run_json(
        "table", "--airframes", "testjet,tu22m3", "--bases", "null-island,east-16", "--data-dir", data,
        "--targets", "e20",
    )  # fmt: skip
    jsonschema.validate(out, TABLE_SCHEMA)
    assert [(r["airframe"], r["base"]["id"]) for r in out["rows"]] == [
        ("testjet", "null-island"),
        ("testjet", "east-16"),
        ("tu22m3", "null-island"),
        ("tu22m3", "east-16"),
    ]
    tu22 = radius_km("tu22m3")
    # 20 deg = 2,226 km: beyond Test Jet's 1,500; beyond the Tu-22M3's 1,500 and 2,200 but not its 2,400
    assert [r["verdict"] for r in out["rows"]] == ["out_of_reach", "in_reach", "depends", "in_reach"]
    for row in out["rows"][2:]:
        assert {b: row[f"radius_{b}_km"] for b in BANDS} == tu22


@pytest.mark.parametrize("unit", ["nm", "mi"])
def test_table_units(run_json, data, unit):
    out = run_json(
        "table", "--airframes", "testjet", "--bases", "east-16", "--data-dir", data, "--targets", "e20",
        "--units", unit,
    )  # fmt: skip
    jsonschema.validate(out, TABLE_SCHEMA)
    (row,) = out["rows"]
    assert row[f"distance_{unit}"] == pytest.approx(deg_km(4) / UNITS[unit], abs=1e-6)
    assert row[f"radius_high_{unit}"] == pytest.approx(1500 / UNITS[unit])
    assert row[f"margin_low_{unit}"] == pytest.approx((1000 - deg_km(4)) / UNITS[unit], abs=1e-6)


def test_table_bundled_syria_csv(run):
    text = run(
        "table", "--airframes", "tu22m3,su34", "--bases", "mozdok,hamadan", "--region", "SY",
        "--targets", "aleppo,raqqa", "--format", "csv",
    ).stdout  # fmt: skip
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == TABLE_CSV_HEADINGS
    body = [dict(zip(TABLE_CSV_HEADINGS, row, strict=True)) for row in rows[1:]]
    assert len(body) == 2 * 2 * (2 + 1)
    assert [(r["airframe"], r["base"], r["subject"], r["row_type"]) for r in body] == [
        (airframe, base, subject, "region" if subject == "Syria" else "target")
        for airframe in ("tu22m3", "su34")
        for base in ("Mozdok Air Base", "Shahid Nojeh Air Base")
        for subject in ("Aleppo", "Raqqa", "Syria")
    ]
    cities = {t["name"]: t for t in syria_targets()}
    places = {"Mozdok Air Base": (43.7875, 44.6031), "Shahid Nojeh Air Base": (35.2117, 48.6533)}
    for row in body:
        radius = radius_km(row["airframe"])
        assert [float(row[f"radius_{b}_km"]) for b in BANDS] == [radius[b] for b in BANDS]
        distance = float(row["distance_km"])
        if row["row_type"] == "target":
            city = cities[row["subject"]]
            assert distance == pytest.approx(
                km_between(*places[row["base"]], city["lat"], city["lon"]), abs=1e-6
            )
            assert row["covered_low_share"] == ""
        else:
            point = float(row["farthest_lat"]), float(row["farthest_lon"])
            assert distance == pytest.approx(km_between(*places[row["base"]], *point), abs=1e-3)
            assert all(0 <= float(row[f"covered_{b}_share"]) <= 1 for b in BANDS)
        for band in BANDS:
            assert float(row[f"margin_{band}_km"]) == pytest.approx(radius[band] - distance, abs=1e-9)


def test_table_bundled_syria_json_agrees_with_compare(run_json):
    table = run_json(
        "table", "--airframes", "tu22m3,su34", "--bases", "mozdok,hamadan", "--region", "SY",
        "--targets", "aleppo,raqqa",
    )  # fmt: skip
    jsonschema.validate(table, TABLE_SCHEMA)
    assert len(table["rows"]) == 12
    compare = run_json("compare", "su34", "mozdok", "hamadan", "--region", "SY", "--targets", "aleppo,raqqa")
    su34 = [r for r in table["rows"] if r["airframe"] == "su34"]
    for i, base in enumerate(compare["bases"]):
        rows = {r["subject"]: r for r in su34 if r["base"]["id"] == base["id"]}
        for target in compare["targets"]:
            assert rows[target["name"]]["distance_km"] == pytest.approx(target["by_base"][i]["distance_km"])
            assert rows[target["name"]]["verdict"] == target["by_base"][i]["verdict"]
        region = compare["regions"][i]
        assert rows["Syria"]["distance_km"] == pytest.approx(region["farthest_point"]["distance_km"])
        assert rows["Syria"]["covered_share"] == pytest.approx(region["covered_share"])
        assert rows["Syria"]["verdict"] == region["verdict"]


def test_table_payload_matches_compare(run_json, stated_load_dir):
    common = ["--targets", "aleppo", "--payload", "3t", "--data-dir", stated_load_dir]
    table = run_json("table", "--airframes", "tu22m3", "--bases", "mozdok", *common)
    compare = run_json("compare", "tu22m3", "mozdok", *common)
    (row,) = table["rows"]
    assert {f"{b}_km": row[f"radius_{b}_km"] for b in BANDS} == pytest.approx(compare["combat_radius"])
    assert row["radius_low_km"] != radius_km("tu22m3")["low"]


def test_table_output_file(run, data, tmp_path):
    target = tmp_path / "table.csv"
    run(
        "table", "--airframes", "testjet", "--bases", "null-island,east-16", "--data-dir", data,
        "--targets", "equator", "--format", "csv", "-o", target,
    )  # fmt: skip
    assert len(list(csv.reader(target.open(newline="")))) == 1 + 6


# --- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ("tu22m3 mozdok --payload 99t", "above the Tupolev Tu-22M3's maximum payload of 24,000 kg"),
        ("tu22m3 mozdok --payload 3", "'3' needs a unit"),
        ("tu22m3 mozdok --payload -3t", "Invalid value for '--payload'"),
        ("tu22m3 mozdoc", "unknown place 'mozdoc'; did you mean 'mozdok'"),
        ("tu22m3 mozdok hamadan --region Narnia", "unknown region 'Narnia'"),
        ("tu22 mozdok", "unknown airframe 'tu22'; did you mean 'tu22m3'"),
        ("tu22m3", "Missing argument 'BASES...'"),
        ("tu22m3 mozdok --format xml", "Invalid value for '--format'"),
        ("tu22m3 mozdok --targets aleppo,,raqqa", "has an empty item"),
    ],
)
def test_compare_errors_exit_2_with_one_line(run, args, message):
    assert message in run("compare", *args.split(), expect=2).stderr


@pytest.mark.parametrize(
    "args, message",
    [
        ("--airframes tu22m3 --bases mozdok", "table needs --targets, --targets-file or --region"),
        ("--airframes tu22m3,,su34 --bases mozdok --region SY", "--airframes needs a comma-separated list"),
        ("--airframes tu22m3 --bases mozdok, --region SY", "--bases needs a comma-separated list"),
        ("--airframes tu22m3 --bases mozdok,mozdoc --region SY", "did you mean 'mozdok'"),
        ("--airframes tu22m3,su99 --bases mozdok --region SY", "unknown airframe 'su99'"),
        ("--airframes tu22m3 --bases mozdok --region SY --payload 99t", "maximum payload of 24,000 kg"),
        ("--airframes tu22m3 --bases mozdok --region SY --payload 3", "'3' needs a unit"),
        ("--bases mozdok --region SY", "Missing option '--airframes'"),
        ("--airframes tu22m3 --bases mozdok --targets aleppo --format xml", "Invalid value for '--format'"),
    ],
)
def test_table_errors_exit_2_with_one_line(run, args, message):
    assert message in run("table", *args.split(), expect=2).stderr


def test_payload_needs_masses_or_pairs(run, data):
    args = ["testjet", "null-island", "--data-dir", data, "--targets", "e5", "--payload", "1t"]
    result = run("compare", *args, expect=2)
    assert "the payload model needs" in result.stderr


def test_schemas_reject_what_they_should(run_json, equator, data):
    out = run_json("compare", *equator)
    for path, value in (
        (("targets", 0, "by_base", 0, "verdict"), "maybe"),
        (("targets", 0, "advantage_percent"), 101),
        (("targets", 0, "by_base", 0, "one_way_min"), {"nominal": 1}),
        (("cruise_speed_kmh",), {"low": 800}),
        (("schema",), "rangecalc/compare/2"),
    ):
        broken = json.loads(json.dumps(out))
        *parents, key = path
        node = broken
        for p in parents:
            node = node[p]
        node[key] = value
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, COMPARE_SCHEMA)
    del out["nearest_base_share"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(out, COMPARE_SCHEMA)
    table = run_json(
        "table", "--airframes", "testjet", "--bases", "null-island", "--data-dir", data, "--targets", "e5"
    )
    table["rows"][0]["covered_share"] = {"low": 1, "nominal": 1, "high": 1}  # a target has no coverage
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(table, TABLE_SCHEMA)
    table["rows"][0].update(covered_share=None, kind="country")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(table, TABLE_SCHEMA)


def test_table_goes_on_when_one_base_cannot_be_evaluated(run, data):
    """Regression: a base inside closed airspace aborted the whole table without naming it. Its rows say
    why (status error) and the other base's rows are computed; when every base fails, the error is raised."""
    (data / "regions" / "home.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "HOME", "name": "Test Home"},
             "geometry": {"type": "Polygon", "coordinates": [[[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]]]}}
        ]})
    )  # fmt: skip
    args = ["table", "--airframes", "testjet", "--bases", "null-island,east-16", "--data-dir", data]
    args += ["--targets", "equator", "--region", "HOME", "--avoid", "HOME"]
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    failed = [r for r in rows if r["base"] == "Null Island Field"]
    assert failed and all(
        r["status"] == "error" and "inside closed airspace" in r["status_reason"] for r in failed
    )
    assert all(r["distance_km"] == "" and r["verdict"] == "" for r in failed)
    assert any(r["status"] == "ok" for r in rows if r["base"] == "East Sixteen Field")
    text = run(*args).stdout
    assert "not evaluated: " in text
    alone = ["table", "--airframes", "testjet", "--bases", "null-island", "--data-dir", data]
    result = run(*alone, "--region", "HOME", "--avoid", "HOME", expect=2)
    assert "inside closed airspace" in result.stderr


# -- bases shared out among worker processes ------------------------------------------------------------

ROUTED = ["--region", "SY", "--avoid", "TUR,GEO,AZE", "--format", "json"]


def test_a_routed_table_is_the_same_from_two_workers_as_from_one(run):
    args = ["table", "--airframes", "tu22m3,su34", "--bases", "mozdok,shahid-nojeh,engels", *ROUTED]
    one = run(*args, "--workers", "1").stdout
    two = run(*args, "--workers", "2").stdout
    assert one == two
    rows = json.loads(two)["rows"]
    # Airframe by airframe, base by base, whatever order the workers finished in.
    assert [(r["airframe"], r["base"]["name"]) for r in rows if r["kind"] == "region"] == [
        (a, b)
        for a in ("tu22m3", "su34")
        for b in ("Mozdok Air Base", "Shahid Nojeh Air Base", "Engels-2 Air Base")
    ]


def test_a_routed_comparison_is_the_same_from_two_workers_as_from_one(run):
    args = ["compare", "tu22m3", "mozdok", "shahid-nojeh", "engels", "--targets", "palmyra,raqqa", *ROUTED]
    assert run(*args, "--workers", "1").stdout == run(*args, "--workers", "2").stdout


def test_workers_must_be_a_positive_count(run):
    result = run("table", "--airframes", "tu22m3", "--bases", "mozdok", "--targets", "raqqa", "--workers", "0",
                 expect=2)  # fmt: skip
    assert "--workers" in result.stderr and result.stderr[-1] == "\n" and result.stderr.count("\n") == 1
