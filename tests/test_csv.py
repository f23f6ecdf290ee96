"""--format csv of every command, read back with the csv module (and pandas when it is installed).

Oracles: the columns are the ones docs/csv.md lists (parsed from its tables); numbers equal the JSON
output's (JSON is the canonical form: a consistency check) and distances equal geographiclib's inverse
geodesic (an independent one); a text cell from a hostile data file comes out with the OWASP quote in front.
"""

import csv
import io
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given
from hypothesis import strategies as st

from rangecalc.formats.csvdata import cell, write_rows

ROOT = Path(__file__).parents[1]
GOOD_DATA = Path(__file__).parent / "data" / "good"
DOC = (ROOT / "docs" / "csv.md").read_text()
WGS84 = Geodesic.WGS84
BANDS = ("low", "nominal", "high")
KM_PER = {"km": 1.0, "nm": 1.852, "mi": 1.609344}
EQUATOR = {"e5": 5, "e10": 10, "e20": 20}
MOZDOK = (43.7875, 44.6031)  # lat, lon as bases/russia.toml writes them
SHAHID_NOJEH = (35.2117, 48.6533)


def documented(section, unit="km"):
    """``[(column, unit), ...]`` of the table under '## section' in docs/csv.md, ``<unit>`` filled in."""
    body = DOC.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"^\| `([^`]+)` \|([^|]*)\|", body, flags=re.M)
    assert found, section
    return [(name.replace("<unit>", unit), kind.strip()) for name, kind in found]


def read(text, section, unit="km"):
    """Rows of ``text`` as dicts, after checking the heading against docs/csv.md and that every cell of a
    column with a unit there is empty or a finite number."""
    assert text.endswith("\n") and not text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    columns = documented(section, unit)
    assert reader.fieldnames == [name for name, _ in columns]
    for name, kind in columns:
        for row in rows:
            assert row[name] is not None  # no short rows
            if kind and row[name] != "":
                assert math.isfinite(float(row[name])), (name, row[name])
    assert all(None not in row for row in rows)  # no long rows
    return rows


def num(value):
    return None if value == "" else float(value)


def geodesic_km(lat1, lon1, lat2, lon2):
    return WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1000


def csv_out(run, *args):
    """The CSV a command writes, byte for byte (click's ``Result.stdout`` turns CR LF into LF)."""
    return run(*args, "--format", "csv").stdout_bytes.decode("utf-8")


def csv_and_json(run, *args):
    """The CSV text and the JSON document of one command."""
    return csv_out(run, *args), json.loads(run(*args, "--format", "json").stdout)


def box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def region(region_id, name, *rings):
    return {
        "type": "Feature",
        "properties": {"id": region_id, "name": name},
        "geometry": {"type": "Polygon", "coordinates": list(rings)},
    }


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

# BOX: a 2 x 2 degree region between the two equator bases. WALL: closed airspace between Null Island and
# East 10 (routes bend around it). RING: walls East 10 in completely (no route to it).
REGIONS = [
    region("BOX", "Test Box", box(7, -1, 9, 1)),
    region("WALL", "Test Wall", box(4, -1, 6, 2)),
    region("RING", "Test Ring", box(8, -2, 12, 2), box(9.5, -0.5, 10.5, 0.5)[::-1]),
]


@pytest.fixture
def data(tmp_path):
    """tests/data/good plus East Sixteen Field and the BOX, WALL and RING regions."""
    folder = tmp_path / "data"
    shutil.copytree(GOOD_DATA, folder)
    (folder / "bases" / "east.toml").write_text(EAST_BASE)
    (folder / "regions" / "test.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": REGIONS})
    )
    return folder


# --- reach ---------------------------------------------------------------------------------------------


def test_reach_equator_numbers_are_raw_and_equal_json_and_geographiclib(run, data):
    text, out = csv_and_json(
        run, "reach", "testjet", "null-island", "--data-dir", data, "--targets", "equator"
    )
    rows = read(text, "reach")
    assert "\r" not in text
    assert [(r["row_type"], r["subject_id"], r["subject"]) for r in rows] == [
        ("target", "e5", "East 5"),
        ("target", "e10", "East 10"),
        ("target", "e20", "East 20"),
    ]
    for row, target in zip(rows, out["targets"], strict=True):
        lon = EQUATOR[row["subject_id"]]
        oracle = geodesic_km(0, 0, 0, lon)
        assert float(row["distance_km"]) == target["distance_km"]  # the JSON number, exactly
        assert float(row["distance_km"]) == pytest.approx(oracle, abs=1e-6)
        assert float(row["direct_km"]) == pytest.approx(oracle, abs=1e-6)
        assert float(row["initial_bearing_deg"]) == pytest.approx(WGS84.Inverse(0, 0, 0, lon)["azi1"])
        assert (float(row["lat"]), float(row["lon"])) == (0.0, lon)
        for band, radius in zip(BANDS, (1000, 1200, 1500), strict=True):
            assert float(row[f"radius_{band}_km"]) == radius
            assert float(row[f"margin_{band}_km"]) == target[f"margin_{band}_km"]
            assert float(row[f"margin_{band}_km"]) == pytest.approx(radius - oracle, abs=1e-6)
        assert row["verdict"] == target["verdict"]
        assert (row["status"], row["status_reason"], row["routing"]) == ("ok", "", "direct")
        assert (row["airframe"], row["base"], row["base_id"]) == (
            "testjet",
            "Null Island Field",
            "null-island",
        )
        assert row["payload_kg"] == row["covered_low_share"] == row["farthest_lat"] == ""
    assert [r["verdict"] for r in rows] == ["in_reach", "depends", "out_of_reach"]
    # a negative margin is a plain number: no quote, no sign trickery
    assert rows[2]["margin_high_km"].startswith("-726.38")


@pytest.mark.parametrize("unit", ["nm", "mi"])
def test_reach_units_are_in_the_headings(run, data, unit):
    args = ["reach", "testjet", "null-island", "--data-dir", data, "--targets", "e10", "--units", unit]
    text, out = csv_and_json(run, *args)
    (row,) = read(text, "reach", unit)
    assert "distance_km" not in row and f"margin_low_{unit}" in row
    assert float(row[f"distance_{unit}"]) == out["targets"][0][f"distance_{unit}"]
    assert float(row[f"distance_{unit}"]) == pytest.approx(geodesic_km(0, 0, 0, 10) / KM_PER[unit], abs=1e-6)
    assert float(row[f"radius_high_{unit}"]) == pytest.approx(1500 / KM_PER[unit])


def test_reach_region_is_a_row_of_its_own(run):
    text, out = csv_and_json(run, "reach", "tu22m3", "mozdok", "--targets", "aleppo", "--region", "SY")
    rows = read(text, "reach")
    assert [(r["row_type"], r["subject"], r["subject_id"]) for r in rows] == [
        ("target", "Aleppo", "aleppo"),
        ("region", "Syria", "SYR"),
    ]
    row, region = rows[1], out["region"]
    farthest = region["farthest_point"]
    assert row["status"] == "ok" and row["verdict"] == region["verdict"]
    assert float(row["distance_km"]) == farthest["distance_km"]
    lat, lon = float(row["farthest_lat"]), float(row["farthest_lon"])
    assert (lat, lon) == (farthest["lat"], farthest["lon"])
    # the farthest point's distance is the geodesic from the base (no routing rules)
    assert float(row["distance_km"]) == pytest.approx(geodesic_km(*MOZDOK, lat, lon), abs=1e-3)
    for band in BANDS:
        assert float(row[f"covered_{band}_share"]) == region["covered_share"][band]
        assert float(row[f"margin_{band}_km"]) == region[f"margin_{band}_km"]
    # target-only columns are empty on the region row
    assert row["lat"] == row["direct_km"] == row["initial_bearing_deg"] == ""


def test_reach_region_alone_is_not_lost(run):
    """The bug of issue 9: `--region SY --format csv` printed a heading and nothing else."""
    text, out = csv_and_json(run, "reach", "tu22m3", "mozdok", "--region", "SY")
    (row,) = read(text, "reach")
    assert row["row_type"] == "region" and row["subject"] == "Syria"
    assert [float(row[f"covered_{b}_share"]) for b in BANDS] == [
        out["region"]["covered_share"][b] for b in BANDS
    ]
    assert 0 < float(row["covered_low_share"]) <= 1


def test_reach_without_a_route_has_empty_numbers_and_a_status(run, data):
    args = ["reach", "testjet", "null-island", "--data-dir", data, "--targets", "e5,e10", "--avoid", "RING"]
    text, out = csv_and_json(run, *args, "--region", "BOX")
    e5, e10, box_row = read(text, "reach")
    assert e5["status"] == "ok" and e5["status_reason"] == ""
    assert e10["status"] == "no_route" and e10["status_reason"] == out["targets"][1]["no_route"] != ""
    assert e10["distance_km"] == "" and all(e10[f"margin_{b}_km"] == "" for b in BANDS)
    assert e10["verdict"] == "out_of_reach"
    assert float(e10["direct_km"]) == pytest.approx(geodesic_km(0, 0, 0, 10), abs=1e-6)
    assert e10["routing"] == e5["routing"] == "avoiding Test Ring"
    # RING also closes the east of BOX (lon 8..9): part of the region has no route, the rest is covered
    assert box_row["status"] == "no_route" and box_row["status_reason"] != ""
    assert box_row["distance_km"] == box_row["margin_low_km"] == ""
    assert box_row["verdict"] == out["region"]["verdict"] == "out_of_reach"
    assert float(box_row["covered_high_share"]) == out["region"]["covered_share"]["high"]
    assert 0 < float(box_row["covered_high_share"]) < 1
    assert "inf" not in text and "no route" not in text.split("\n", 1)[1].replace(e10["status_reason"], "")


def test_reach_columns_do_not_change_with_routing_or_region(run, data):
    base = ["reach", "testjet", "null-island", "--data-dir", data, "--targets", "e10"]
    variants = [
        [],
        ["--avoid", "WALL"],
        ["--via", "1,5"],
        ["--region", "BOX"],
        ["--avoid", "WALL", "--region", "BOX"],
    ]
    headings = {csv_out(run, *base, *extra).split("\n", 1)[0] for extra in variants}
    assert headings == {",".join(name for name, _ in documented("reach"))}
    text, out = csv_and_json(run, *base, "--avoid", "WALL")
    (row,) = read(text, "reach")
    assert float(row["distance_km"]) == out["targets"][0]["distance_km"] > float(row["direct_km"])
    # the shortest way round the wall bends at its lower corners (4, -1) and (6, -1), never shorter
    around = geodesic_km(0, 0, -1, 4) + geodesic_km(-1, 4, -1, 6) + geodesic_km(-1, 6, 0, 10)
    assert around <= float(row["distance_km"]) <= 1.01 * around
    assert row["routing"].startswith("avoiding Test Wall")


def test_reach_columns_do_not_change_with_payload(run, stated_load_dir):
    args = ["reach", "tu22m3", "mozdok", "--targets", "aleppo", "--data-dir", stated_load_dir]
    published, published_json = csv_and_json(run, *args)
    loaded, loaded_json = csv_and_json(run, *args, "--payload", "3t")
    assert published.split("\n", 1)[0] == loaded.split("\n", 1)[0]
    (before,), (after,) = read(published, "reach"), read(loaded, "reach")
    assert before["payload_kg"] == "" and float(after["payload_kg"]) == 3000
    for band in BANDS:
        assert float(after[f"radius_{band}_km"]) == loaded_json["combat_radius"][f"{band}_km"]
        assert float(before[f"radius_{band}_km"]) == published_json["combat_radius"][f"{band}_km"]
    assert after["radius_low_km"] != before["radius_low_km"]
    assert after["distance_km"] == before["distance_km"]


def test_reach_with_pandas(run, data):
    pd = pytest.importorskip("pandas")
    args = [
        "reach",
        "testjet",
        "null-island",
        "--data-dir",
        data,
        "--targets",
        "e5,e10,e20",
        "--avoid",
        "RING",
    ]
    text = csv_out(run, *args, "--region", "BOX")
    frame = pd.read_csv(io.StringIO(text))
    for name, kind in documented("reach"):
        if kind:
            assert frame[name].dtype == "float64", name
    assert list(frame["row_type"]) == ["target", "target", "target", "region"]
    # RING walls in East 10 and covers part of BOX (lon 8..9): neither has a route, the region is still covered
    # in part
    assert list(frame["status"]) == ["ok", "no_route", "ok", "no_route"]
    assert frame["distance_km"].isna().tolist() == [False, True, False, True]
    assert 0 < frame.loc[3, "covered_high_share"] < 1
    assert frame.loc[0, "distance_km"] == pytest.approx(geodesic_km(0, 0, 0, 5), abs=1e-6)
    assert frame.loc[2, "margin_low_km"] < 0


# --- compare -------------------------------------------------------------------------------------------


def test_compare_long_form_equals_json_and_geographiclib(run, data):
    args = ["compare", "testjet", "null-island", "east-16", "--data-dir", data, "--targets", "equator"]
    text, out = csv_and_json(run, *args)
    rows = read(text, "compare")
    assert [(r["subject_id"], r["base_id"]) for r in rows] == [
        (t, b) for t in ("e5", "e10", "e20") for b in ("null-island", "east-16")
    ]
    nearest = {"e5": "null-island", "e10": "east-16", "e20": "east-16"}
    for row in rows:
        target = next(t for t in out["targets"] if t["id"] == row["subject_id"])
        i = 0 if row["base_id"] == "null-island" else 1
        entry = target["by_base"][i]
        assert row["base"] == entry["base"] == ("Null Island Field", "East Sixteen Field")[i]
        oracle = geodesic_km(0, (0, 16)[i], 0, EQUATOR[row["subject_id"]])
        assert float(row["distance_km"]) == entry["distance_km"]
        assert float(row["distance_km"]) == pytest.approx(oracle, abs=1e-6)
        for band in BANDS:
            assert float(row[f"margin_{band}_km"]) == entry[f"margin_{band}_km"]
        for kind in ("fastest", "nominal", "slowest"):
            assert float(row[f"one_way_{kind}_min"]) == entry["one_way_min"][kind]
            assert float(row[f"round_trip_{kind}_min"]) == entry["round_trip_min"][kind]
        # 900 km/h nominal, 800 km/h low: the slowest one-way time
        assert float(row["one_way_slowest_min"]) == pytest.approx(oracle / 800 * 60)
        is_nearest = row["base_id"] == nearest[row["subject_id"]]
        assert row["nearest"] == ("true" if is_nearest else "false")
        if is_nearest:
            assert float(row["advantage_km"]) == target["advantage_km"]
            assert float(row["advantage_percent"]) == target["advantage_percent"]
            assert float(row["time_saved_min"]) == target["time_saved_min"]
        else:
            assert row["advantage_km"] == row["advantage_percent"] == row["time_saved_min"] == ""
    # East 20: 20 degrees from Null Island, 4 from East Sixteen: nearer by 16 degrees of the equator
    e20 = next(r for r in rows if r["subject_id"] == "e20" and r["nearest"] == "true")
    assert float(e20["advantage_km"]) == pytest.approx(geodesic_km(0, 0, 0, 16), abs=1e-6)


def test_compare_region_rows_per_base(run):
    args = ["compare", "tu22m3", "mozdok", "shahid-nojeh", "--region", "SY"]
    text, out = csv_and_json(run, *args)
    rows = read(text, "compare")
    assert [(r["row_type"], r["base_id"], r["subject"]) for r in rows] == [
        ("region", "mozdok", "Syria"),
        ("region", "shahid-nojeh", "Syria"),
    ]
    for row, region, share, place in zip(
        rows, out["regions"], out["nearest_base_share"], (MOZDOK, SHAHID_NOJEH), strict=True
    ):
        farthest = region["farthest_point"]
        assert float(row["distance_km"]) == farthest["distance_km"]
        assert float(row["distance_km"]) == pytest.approx(
            geodesic_km(*place, float(row["farthest_lat"]), float(row["farthest_lon"])), abs=1e-3
        )
        assert [float(row[f"covered_{b}_share"]) for b in BANDS] == [
            region["covered_share"][b] for b in BANDS
        ]
        assert float(row["nearest_base_share"]) == share["share"]
        assert row["nearest"] == "" and row["verdict"] == region["verdict"]
    assert sum(float(r["nearest_base_share"]) for r in rows) == pytest.approx(1.0)


def test_compare_columns_do_not_change_with_options(run, data, stated_load_dir):
    base = ["compare", "testjet", "null-island", "east-16", "--data-dir", data, "--targets", "e10"]
    variants = [[], ["--avoid", "WALL"], ["--region", "BOX"], ["--avoid", "RING", "--region", "BOX"]]
    headings = {csv_out(run, *base, *extra).split("\n", 1)[0] for extra in variants}
    one_base = run(
        "compare", "testjet", "null-island", "--data-dir", data, "--targets", "e5", "--format", "csv"
    )
    headings.add(one_base.stdout.split("\n", 1)[0])
    payload = ["compare", "tu22m3", "mozdok", "--targets", "aleppo", "--data-dir", stated_load_dir]
    for extra in ([], ["--payload", "3t"]):
        headings.add(csv_out(run, *payload, *extra).split("\n", 1)[0])
    assert headings == {",".join(name for name, _ in documented("compare"))}


def test_compare_without_route_or_speed_leaves_cells_empty(run, data):
    args = [
        "compare",
        "testjet",
        "null-island",
        "east-16",
        "--data-dir",
        data,
        "--targets",
        "e10",
        "--avoid",
        "RING",
    ]
    rows = read(csv_out(run, *args), "compare")
    assert [r["status"] for r in rows] == ["no_route", "no_route"]
    assert all(r["distance_km"] == r["one_way_nominal_min"] == r["advantage_km"] == "" for r in rows)
    assert [r["nearest"] for r in rows] == ["false", "false"]
    su34 = csv_out(run, "compare", "su34", "mozdok", "hamadan", "--targets", "aleppo")
    rows = read(su34, "compare")
    times = [f"{k}_{s}_min" for k in ("one_way", "round_trip") for s in ("fastest", "nominal", "slowest")]
    assert all(r[t] == "" for r in rows for t in times)
    nearest = [r for r in rows if r["nearest"] == "true"]
    assert len(nearest) == 1 and nearest[0]["time_saved_min"] == "" and nearest[0]["advantage_km"] != ""


# --- table ---------------------------------------------------------------------------------------------


def test_table_equals_json_with_region_rows(run, data):
    args = ["table", "--airframes", "testjet", "--bases", "null-island,east-16", "--data-dir", data]
    text, out = csv_and_json(run, *args, "--targets", "equator", "--region", "BOX")
    rows = read(text, "table")
    assert len(rows) == len(out["rows"]) == 2 * (3 + 1)
    for row, item in zip(rows, out["rows"], strict=True):
        assert row["row_type"] == item["kind"] and row["subject"] == item["subject"]
        assert row["base_id"] == item["base"]["id"] and row["airframe"] == "testjet"
        assert float(row["distance_km"]) == item["distance_km"]
        for band in BANDS:
            assert float(row[f"radius_{band}_km"]) == item[f"radius_{band}_km"]
            assert float(row[f"margin_{band}_km"]) == item[f"margin_{band}_km"]
        base_lon = 0 if row["base_id"] == "null-island" else 16
        if item["kind"] == "target":
            lon = EQUATOR["e" + row["subject"].split()[1]]
            assert float(row["direct_km"]) == pytest.approx(geodesic_km(0, base_lon, 0, lon), abs=1e-6)
            assert row["covered_low_share"] == row["farthest_lat"] == ""
        else:
            assert row["direct_km"] == ""
            assert [float(row[f"covered_{b}_share"]) for b in BANDS] == [
                item["covered_share"][b] for b in BANDS
            ]
            lat, lon = float(row["farthest_lat"]), float(row["farthest_lon"])
            # the box's farthest corner from each base: (+-1, 9) from Null Island, (+-1, 7) from East Sixteen
            assert (abs(lat), lon) == pytest.approx((1, 9 if base_lon == 0 else 7), abs=1e-6)
            assert float(row["distance_km"]) == pytest.approx(geodesic_km(0, base_lon, lat, lon), abs=1e-3)
    assert [r["row_type"] for r in rows] == ["target"] * 3 + ["region"] + ["target"] * 3 + ["region"]


def test_table_columns_do_not_change_with_options(run, data, stated_load_dir):
    base = ["table", "--airframes", "testjet", "--bases", "null-island", "--data-dir", data]
    variants = [["--targets", "e10"], ["--region", "BOX"], ["--targets", "e10", "--avoid", "RING"]]
    headings = {csv_out(run, *base, *extra).split("\n", 1)[0] for extra in variants}
    payload = ["table", "--airframes", "tu22m3", "--bases", "mozdok", "--targets", "aleppo"]
    for extra in ([], ["--payload", "3t"]):
        headings.add(csv_out(run, *payload, "--data-dir", stated_load_dir, *extra).split("\n", 1)[0])
    assert headings == {",".join(name for name, _ in documented("table"))}
    (row,) = read(csv_out(run, *base, "--targets", "e10", "--avoid", "RING"), "table")
    assert row["status"] == "no_route" and row["distance_km"] == "" and row["verdict"] == "out_of_reach"


# --- airframes and bases -------------------------------------------------------------------------------


def test_airframes_list_equals_json(run):
    text, out = csv_and_json(run, "airframes")
    rows = read(text, "airframes")
    assert [r["id"] for r in rows] == [a["id"] for a in out]
    for row, frame in zip(rows, out, strict=True):
        assert row["name"] == frame["name"] and row["aliases"] == "; ".join(frame["aliases"])
        assert row["in_flight_refuelling"] == ("true" if frame["in_flight_refuelling"] else "false")
        for key in ("combat_radius_km", "range_km", "cruise_speed_kmh", "takeoff_run_m", "max_payload_kg"):
            stem, suffix = key.rsplit("_", 1)
            figure = frame["figures"].get(key)
            for band in BANDS:
                value = row[f"{stem}_{band}_{suffix}"]
                assert num(value) == (None if figure is None else figure[band]), (frame["id"], key)
    tu22 = next(r for r in rows if r["id"] == "tu22m3")
    assert float(tu22["combat_radius_nominal_km"]) == 2200


PAIR_JET = """
[figures.max_payload_kg]
low = 4000
nominal = 4000
high = 4000
conditions = "made up"
sources = ["handbook"]

[[payload_radius]]
payload_kg = 0
combat_radius_km = { low = 1100, nominal = 1300, high = 1600 }
sources = ["handbook"]
note = "no load"

[[payload_radius]]
payload_kg = 4000
combat_radius_km = { low = 900, nominal = 1000, high = 1200 }
sources = ["handbook"]
"""


def test_airframe_detail_equals_json(run, tmp_path):
    folder = tmp_path / "data"
    (folder / "airframes").mkdir(parents=True)
    text = (GOOD_DATA / "airframes" / "testjet.toml").read_text() + PAIR_JET
    (folder / "airframes" / "testjet.toml").write_text(text)
    csv_text, out = csv_and_json(run, "airframes", "testjet", "--data-dir", folder)
    rows = read(csv_text, "airframes ID")
    kinds = [r["row_type"] for r in rows]
    assert kinds == ["figure"] * 3 + ["published_pair"] * 2 + ["modelled"] * len(
        out["payload_model"]["table"]
    ) + ["source"]
    figures = [r for r in rows if r["row_type"] == "figure"]
    assert [r["key"] for r in figures] == list(out["figures"])
    for row in figures:
        figure = out["figures"][row["key"]]
        assert [float(row[b]) for b in BANDS] == [figure[b] for b in BANDS]
        assert row["unit"] == figure["unit"] and row["sources"] == "; ".join(figure["sources"])
        assert row["conditions"] == figure["conditions"]
    radius = next(r for r in figures if r["key"] == "combat_radius_km")
    assert [radius[b] for b in BANDS] == ["1000.0", "1200.0", "1500.0"] and radius["unit"] == "km"
    pairs = [r for r in rows if r["row_type"] == "published_pair"]
    assert [(float(r["payload_kg"]), float(r["low"]), r["note"]) for r in pairs] == [
        (0, 1100, "no load"),
        (4000, 900, ""),
    ]
    modelled = [r for r in rows if r["row_type"] == "modelled"]
    for row, step in zip(modelled, out["payload_model"]["table"], strict=True):
        assert float(row["payload_kg"]) == step["payload_kg"] and row["method"] == step["method"]
        assert [float(row[b]) for b in BANDS] == [step["combat_radius_km"][b] for b in BANDS]
    (source,) = [r for r in rows if r["row_type"] == "source"]
    assert (source["key"], source["title"], source["reliability"]) == ("handbook", "Test handbook", "A")
    assert source["states"] == "radius 1,000 to 1,500 km"  # a comma inside a cell, quoted


def test_bases_list_and_detail_equal_json(run):
    text, out = csv_and_json(run, "bases", "--country", "IRN")
    rows = read(text, "bases")
    assert [r["id"] for r in rows] == [b["id"] for b in out]
    for row, base in zip(rows, out, strict=True):
        for key in ("lat", "lon", "runway_length_m", "elevation_m", "position_uncertainty_m"):
            assert num(row[key]) == base[key], (base["id"], key)
        assert row["icao"] == (base["icao"] or "") and row["country"] == "IRN"
    text, base = csv_and_json(run, "bases", "mozdok")
    rows = read(text, "bases ID")
    assert [r["row_type"] for r in rows] == ["base"] + ["source"] * len(base["sources"])
    assert (float(rows[0]["lat"]), float(rows[0]["lon"])) == MOZDOK == (base["lat"], base["lon"])
    assert rows[0]["notes"] == base["notes"]
    for row, source in zip(rows[1:], base["sources"], strict=True):
        assert row["id"] == "mozdok" and row["title"] == source["title"] and row["states"] == source["states"]
        assert row["lat"] == ""


# --- formula injection ---------------------------------------------------------------------------------

HOSTILE_NAMES = {
    "eq": '=HYPERLINK("http://example.invalid","click")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "tab": "\tTab Field",
}
# Data files cannot hold a carriage return (rangecalc.data folds line breaks into spaces), so that trigger is
# tested on the writer itself (test_cell_rule, test_cells_with_line_breaks_are_quoted).


def toml_string(text):
    return json.dumps(text)  # a JSON string is a TOML basic string


def toml_table(name, fields):
    body = "".join(f"{k} = {toml_string(v) if isinstance(v, str) else v}\n" for k, v in fields.items())
    return f"[[{name}]]\n{body}"


#: A note with a comma and quotes: the CSV must quote it and give it back whole.
HOSTILE_NOTE = ' first, "quoted"; second'


@pytest.fixture
def hostile(tmp_path):
    """A user data folder whose bases and targets are named like formulas."""
    folder = tmp_path / "data"
    shutil.copytree(GOOD_DATA, folder)
    bases, targets = [], []
    for k, (key, name) in enumerate(HOSTILE_NAMES.items()):
        fields = {
            "id": f"h-{key}",
            "name": name,
            "lat": k + 1.0,
            "lon": 1.0,
            "country": "XXX",
            "position_uncertainty_m": 0,
            "notes": name + HOSTILE_NOTE,
        }
        source = "{ title = " + toml_string(name) + ', publication = "tests", states = "made up" }'
        bases.append(toml_table("bases", fields) + f"sources = [{source}]\n")
        fields = {**fields, "id": f"t-{key}", "name": name + " target", "lat": -k - 1.0, "lon": 30.0}
        del fields["notes"]
        targets.append(
            toml_table("targets", fields) + 'sources = [{ title = "t", publication = "t", states = "t" }]\n'
        )
    (folder / "bases" / "hostile.toml").write_text("\n".join(bases))
    header = 'id = "hostile"\nname = "Hostile"\ncredit = "tests"\n\n'
    (folder / "regions" / "hostile.toml").write_text(header + "\n".join(targets))
    return folder


def neutralised(name):
    return "'" + name


def test_cell_rule():
    hostile = [*HOSTILE_NAMES.values(), "\rReturn Field"]
    assert [cell(n) for n in hostile] == [neutralised(n) for n in hostile]
    assert cell("Raqqa") == "Raqqa" and cell("") == "" and cell(None) == ""
    assert cell(-120.5) == "-120.5" and cell(-3) == "-3" and cell(True) == "true"
    assert cell(float("inf")) == "" and cell(float("nan")) == ""
    # numpy scalars are numbers too: a negative one is not mistaken for text and quoted
    assert (
        cell(np.int64(-5)) == "-5" and cell(np.float64(-1.25)) == "-1.25" and cell(np.bool_(False)) == "false"
    )


def test_a_typed_coordinate_is_a_neutralised_label_and_numeric_lat_lon(run):
    text = csv_out(run, "reach", "tu22m3", "mozdok", "--targets", "-33.9,18.6")
    (row,) = read(text, "reach")
    assert row["subject"] == "'-33.90000,18.60000" and row["subject_id"] == ""
    assert (float(row["lat"]), float(row["lon"])) == (-33.9, 18.6)
    assert float(row["distance_km"]) == pytest.approx(geodesic_km(*MOZDOK, -33.9, 18.6), abs=1e-6)


def test_cells_with_line_breaks_are_quoted():
    """CR and LF inside a cell are quoted (RFC 4180), so the line ends stay '\n' and the cell comes back."""
    cells = ["\rstarts with CR", "two\r\nlines", "lf\nonly", 'a "quote", a comma', -0.5]
    text = write_rows(["a", "b", "c", "d", "e"], [dict(zip("abcde", cells, strict=True))])
    assert text.startswith("a,b,c,d,e\n") and text.endswith("\n") and not text.endswith("\r\n")
    (row,) = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert row == ["'\rstarts with CR", "two\r\nlines", "lf\nonly", 'a "quote", a comma', "-0.5"]


def test_hostile_names_are_neutralised_in_reach_compare_and_table(run, hostile):
    ids = [f"h-{key}" for key in HOSTILE_NAMES]
    for base_id, name in zip(ids, HOSTILE_NAMES.values(), strict=True):
        rows = read(
            run(
                "reach", "testjet", base_id, "--data-dir", hostile, "--targets", "hostile", "--format", "csv"
            ).stdout,
            "reach",
        )
        assert {r["base"] for r in rows} == {neutralised(name)}
        assert [r["subject"] for r in rows] == [neutralised(n + " target") for n in HOSTILE_NAMES.values()]
        # the targets are about 30 degrees away: beyond every radius, so negative margins, which stay numbers
        for k, row in enumerate(rows):
            assert row["margin_high_km"].startswith("-") and float(row["margin_high_km"]) < 0
            base = (ids.index(base_id) + 1, 1.0)
            assert float(row["distance_km"]) == pytest.approx(geodesic_km(*base, -k - 1, 30.0), abs=1e-6)
    rows = read(
        csv_out(run, "compare", "testjet", *ids, "--data-dir", hostile, "--targets", "t-eq"),
        "compare",
    )
    assert [r["base"] for r in rows] == [neutralised(n) for n in HOSTILE_NAMES.values()]
    assert {r["subject"] for r in rows} == {neutralised(HOSTILE_NAMES["eq"] + " target")}
    args = [
        "table",
        "--airframes",
        "testjet",
        "--bases",
        ",".join(ids),
        "--targets",
        "t-at",
        "--data-dir",
        hostile,
    ]
    rows = read(csv_out(run, *args), "table")
    assert [r["base"] for r in rows] == [neutralised(n) for n in HOSTILE_NAMES.values()]
    assert {r["subject"] for r in rows} == {neutralised(HOSTILE_NAMES["at"] + " target")}


def test_hostile_names_are_neutralised_in_bases(run, hostile):
    rows = {r["id"]: r for r in read(csv_out(run, "bases", "--data-dir", hostile), "bases")}
    for key, name in HOSTILE_NAMES.items():
        row = rows[f"h-{key}"]
        assert row["name"] == neutralised(name)
        # a note with a comma and quotes survives the round trip (and starts with the hostile character)
        assert row["notes"] == neutralised(name + HOSTILE_NOTE)
        detail = read(csv_out(run, "bases", f"h-{key}", "--data-dir", hostile), "bases ID")
        assert detail[0]["name"] == neutralised(name) and detail[1]["title"] == neutralised(name)
    assert rows["null-island"]["name"] == "Null Island Field"


def test_hostile_names_with_pandas(run, hostile):
    pd = pytest.importorskip("pandas")
    text = run(
        "reach", "testjet", "h-minus", "--data-dir", hostile, "--targets", "hostile", "--format", "csv"
    ).stdout
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert frame["margin_low_km"].dtype == "float64" and (frame["margin_low_km"] < 0).all()
    assert set(frame["base"]) == {"'-2+3"}
    assert not any(
        str(v).startswith(("=", "+", "-", "@", "\t", "\r"))
        for v in frame.select_dtypes(exclude="number").stack()
    )


# --- GDAL ----------------------------------------------------------------------------------------------


def test_gdal_reads_numbers_as_reals_and_targets_as_points(run, data, tmp_path):
    """GDAL's CSV driver (via pyogrio), as QGIS opens the file: numeric columns are detected as Real and
    the lon/lat columns give the targets as points (the region row, without lon/lat, has no point)."""
    raw = pytest.importorskip("pyogrio.raw")
    shapely = pytest.importorskip("shapely")
    target = tmp_path / "reach.csv"
    args = ["reach", "testjet", "null-island", "--data-dir", data, "--targets", "equator", "--region", "BOX"]
    run(*args, "-o", target)
    meta, _, geometry, fields = raw.read(
        target,
        AUTODETECT_TYPE="YES",
        EMPTY_STRING_AS_NULL="YES",
        X_POSSIBLE_NAMES="lon",
        Y_POSSIBLE_NAMES="lat",
        KEEP_GEOM_COLUMNS="YES",
    )
    columns = dict(documented("reach"))
    assert list(meta["fields"]) == list(columns)
    by_name = dict(zip(meta["fields"], fields, strict=True))
    for name, kind in columns.items():
        if kind and name != "payload_kg":  # payload_kg is empty in every row: GDAL cannot tell its type
            assert by_name[name].dtype == "float64", name
    points = [None if g is None else shapely.from_wkb(g) for g in geometry]
    assert [(p.x, p.y) for p in points[:3]] == [(5, 0), (10, 0), (20, 0)] and points[3] is None
    assert list(by_name["distance_km"][:3]) == pytest.approx(
        [geodesic_km(0, 0, 0, lon) for lon in (5, 10, 20)]
    )
    assert list(by_name["row_type"]) == ["target"] * 3 + ["region"]


# --- output file ---------------------------------------------------------------------------------------


def test_output_file_is_utf8_without_bom_and_equals_stdout(run, data, tmp_path):
    target = tmp_path / "reach.csv"
    args = ["reach", "testjet", "Île Nulle", "--data-dir", data, "--targets", "e5"]
    run(*args, "-o", target)
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    assert raw.decode("utf-8") == csv_out(run, *args)
    (row,) = read(raw.decode("utf-8"), "reach")
    assert row["base"] == "Null Island Field"
    (row, _source) = read(csv_out(run, "bases", "null-island", "--data-dir", data), "bases ID")
    assert row["aliases"] == "Nullfeld; Île Nulle"


# --- the formula-prefix family, generated (issue 10: the fuzzers generate the families) ---------------


@given(
    prefix=st.sampled_from(["=", "+", "-", "@", "\t", "\r"]),
    rest=st.text(max_size=40),
    column=st.sampled_from(["subject", "base"]),
)
def test_any_text_opening_with_a_formula_character_is_neutralised(prefix, rest, column):
    from rangecalc.formats.csvdata import write_rows

    text = write_rows([column, "distance_km"], [{column: prefix + rest, "distance_km": -12.5}])
    heading, row = list(csv.reader(io.StringIO(text)))
    assert heading == [column, "distance_km"]
    assert row[0] == "'" + prefix + rest  # a spreadsheet shows the text, never evaluates it
    assert row[1] == "-12.5"  # a negative number stays a number
