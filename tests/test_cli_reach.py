"""$ rangecalc reach — hand-derivable cases on the equator, the bundled Syria table, every format."""

import csv
import io
import json
import math
from pathlib import Path

import jsonschema
import pytest
import shapely
from geographiclib.geodesic import Geodesic

GOOD_DATA = Path(__file__).parent / "data" / "good"

WGS84 = Geodesic.WGS84
SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "schemas" / "reach.schema.json").read_text())
EQUATOR = ["--data-dir", GOOD_DATA, "--targets", "equator"]


def equator_km(lon_deg):
    """Distance along the equator from (0, 0): the equator is a geodesic, so it is a x longitude."""
    return WGS84.a * math.radians(lon_deg) / 1000


def test_hand_derived_margins_and_verdicts(run_json):
    out = run_json("reach", "testjet", "null-island", *EQUATOR)
    jsonschema.validate(out, SCHEMA)
    rows = {t["id"]: t for t in out["targets"]}
    for target_id, lon in (("e5", 5), ("e10", 10), ("e20", 20)):
        assert rows[target_id]["distance_km"] == pytest.approx(equator_km(lon), abs=1e-6)
        for band, radius in (("low", 1000), ("nominal", 1200), ("high", 1500)):
            assert rows[target_id][f"margin_{band}_km"] == pytest.approx(radius - equator_km(lon), abs=1e-6)
        assert rows[target_id]["initial_bearing_deg"] == pytest.approx(90.0)
    # 557 km: within every radius; 1,113 km: beyond 1,000 but within 1,200; 2,226 km: beyond 1,500.
    assert rows["e5"]["verdict"] == "in_reach"
    assert rows["e10"]["verdict"] == "depends"
    assert rows["e20"]["verdict"] == "out_of_reach"
    assert out["summary"] == {"in_reach": 1, "depends": 1, "out_of_reach": 1}
    assert out["combat_radius"]["sources"][0]["id"] == "handbook"


def test_units_are_named_in_keys(run_json):
    out = run_json("reach", "testjet", "null-island", *EQUATOR, "--units", "nm")
    jsonschema.validate(out, SCHEMA)
    assert out["combat_radius"]["nominal_nm"] == pytest.approx(1200 / 1.852)
    assert out["targets"][0]["distance_nm"] == pytest.approx(equator_km(5) / 1.852, abs=1e-6)


def test_targets_as_a_list_of_names_and_coordinates(run_json):
    out = run_json(
        "reach", "testjet", "null-island", "--data-dir", GOOD_DATA, "--targets", "e10,0,7.5,East 20"
    )
    assert [t["name"] for t in out["targets"]] == ["East 10", "0.00000,7.50000", "East 20"]
    assert out["targets"][1]["distance_km"] == pytest.approx(equator_km(7.5), abs=1e-6)


def test_csv_opens_with_the_csv_module(run):
    text = run("reach", "testjet", "null-island", *EQUATOR, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["row_type"], r["subject"]) for r in rows] == [
        ("target", "East 5"),
        ("target", "East 10"),
        ("target", "East 20"),
    ]
    # raw numbers (not rounded, no separators), codes rather than sentences (docs/csv.md)
    assert float(rows[1]["distance_km"]) == pytest.approx(equator_km(10), abs=1e-6)
    assert float(rows[1]["margin_low_km"]) == pytest.approx(1000 - equator_km(10), abs=1e-6)
    assert rows[1]["margin_low_km"].startswith("-113.19")  # a negative number, not neutralised text
    assert rows[2]["verdict"] == "out_of_reach"


def test_markdown_has_a_table_and_sources(run):
    text = run("reach", "testjet", "null-island", *EQUATOR, "--format", "md").stdout
    assert text.startswith("# Test Jet from Null Island Field")
    assert "| East 10 |" in text
    assert "## Sources" in text and "Test handbook" in text


def test_default_is_the_syria_table_for_tu22m3_from_mozdok(run):
    text = run("reach", "tu22m3", "mozdok").stdout
    assert "Tupolev Tu-22M3" in text and "Mozdok" in text
    for city in ("Raqqa", "Deir ez-Zor", "Aleppo", "Damascus", "Palmyra"):
        assert city in text
    assert "Sources (combat radius):" in text
    assert "in reach under every figure" in text or "depends on the figure" in text


def test_syria_json_matches_geographiclib_and_the_data_file(run_json):
    out = run_json("reach", "tu22m3", "mozdok")
    jsonschema.validate(out, SCHEMA)
    base = out["base"]
    radius = out["combat_radius"]
    for target in out["targets"]:
        expected = WGS84.Inverse(base["lat"], base["lon"], target["lat"], target["lon"])["s12"] / 1000
        assert target["distance_km"] == pytest.approx(expected, abs=1e-6)
        assert target["margin_nominal_km"] == pytest.approx(radius["nominal_km"] - expected, abs=1e-6)
    assert radius["sources"], "the radius must name its sources"


def test_sphere_model_changes_the_distances_a_little(run_json):
    ell = run_json("reach", "tu22m3", "mozdok")
    sph = run_json("reach", "tu22m3", "mozdok", "--model", "sphere")
    for a, b in zip(ell["targets"], sph["targets"], strict=True):
        assert 0 < abs(a["distance_km"] - b["distance_km"]) < 0.006 * a["distance_km"]


def test_output_file(run, tmp_path):
    target = tmp_path / "reach.md"
    run("reach", "testjet", "null-island", *EQUATOR, "--format", "md", "-o", target)
    assert target.read_text().startswith("# Test Jet")


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["tu22", "mozdok"], 2, "unknown airframe 'tu22'; did you mean 'tu22m3'"),
        (["tu22m3", "mozdoc"], 2, "unknown place 'mozdoc'; did you mean 'mozdok'"),
        (["tu22m3", "mozdok", "--targets", "siria"], 2, "unknown place 'siria'"),
        (["tu22m3", "mozdok", "--targets", ""], 2, "--targets is empty"),
        (["tu22m3", "mozdok", "--targets", "aleppo,,raqqa"], 2, "has an empty item"),
        (["tu22m3", "mozdok", "--format", "xml"], 2, "Invalid value for '--format'"),
        (["tu22m3", "mozdok", "--precision", "-1"], 2, "Invalid value for '--precision'"),
        (["tu22m3", "200,0"], 2, "outside -90..90"),
    ],
)
def test_errors(run, args, code, message):
    result = run("reach", *args, expect=code)
    assert message in result.stderr


def test_broken_user_data_is_a_data_error(run, tmp_path):
    (tmp_path / "airframes").mkdir()
    (tmp_path / "airframes" / "x.toml").write_text('id = "x"\nname = "X\n')
    result = run("reach", "tu22m3", "mozdok", "--data-dir", tmp_path, expect=1)
    assert "x.toml: TOML syntax error" in result.stderr


def test_region_and_payload_json_validates_and_is_consistent(run_json, stated_load_dir):
    out = run_json(
        "reach", "tu22m3", "mozdok", "--region", "SY", "--payload", "12t", "--data-dir", stated_load_dir
    )
    jsonschema.validate(out, SCHEMA)
    assert out["targets"] == []
    region = out["region"]
    far = region["farthest_point"]
    expected = WGS84.Inverse(out["base"]["lat"], out["base"]["lon"], far["lat"], far["lon"])["s12"] / 1000
    assert far["distance_km"] == pytest.approx(expected, abs=1e-3)
    for band in ("low", "nominal", "high"):
        margin = out["combat_radius"][f"{band}_km"] - far["distance_km"]
        assert region[f"margin_{band}_km"] == pytest.approx(margin)
        covered = region["covered_share"][band]
        assert (covered == pytest.approx(1.0)) == (margin >= 0)
        part = region["uncovered"][band]
        assert (part is None) == (margin >= 0)  # null when the radius covers the region (no empty geometry)
        if part is not None:
            uncovered = shapely.from_geojson(json.dumps(part))
            assert uncovered.is_valid and all(
                shapely.is_ccw(p.exterior) for p in shapely.get_parts(uncovered)
            )
    assert out["payload"]["payload_kg"] == 12000 and out["payload"]["method"] == "mass-ratio model"
    assert out["combat_radius"]["nominal_km"] == 2200  # the stated calibration point


def test_region_text_names_the_farthest_point(run):
    text = run("reach", "su34", "hamadan", "--region", "Syria").stdout
    assert "Syria: covers all of Syria only under some figures" in text
    assert "farthest point from the base:" in text and "of Daraa" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--region", "Narnia"], "unknown region 'Narnia'"),
        (["--payload", "99t"], "maximum payload of 24,000 kg"),
        (["--payload", "3"], "needs a unit"),
        (["--payload", "-3t"], "'-3t' is negative"),
    ],
)
def test_region_and_payload_errors(run, args, message):
    assert message in run("reach", "tu22m3", "mozdok", *args, expect=2).stderr
