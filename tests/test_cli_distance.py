"""$ rangecalc distance — through CliRunner, against geographiclib."""

import math

import pytest
from geographiclib.geodesic import Geodesic

from rangecalc.geodesy import SPHERE_RADIUS_M

WGS84 = Geodesic.WGS84


def test_distance_between_coordinates_json(run_json):
    out = run_json("distance", "43.7875,44.6031", "35.3359,40.1408")
    expected = WGS84.Inverse(43.7875, 44.6031, 35.3359, 40.1408)
    assert out["schema"] == "rangecalc/distance/1"
    assert out["distance_km"] == pytest.approx(expected["s12"] / 1000, abs=1e-6)
    assert out["initial_bearing_deg"] == pytest.approx(expected["azi1"], abs=1e-6)
    assert out["final_bearing_deg"] == pytest.approx(expected["azi2"], abs=1e-6)


def test_distance_between_named_places_uses_their_coordinates(run_json):
    out = run_json("distance", "Mozdok", "deir ez-zor")
    expected = WGS84.Inverse(out["from"]["lat"], out["from"]["lon"], out["to"]["lat"], out["to"]["lon"])
    assert out["from"]["kind"] == "base" and out["to"]["kind"] == "target"
    assert out["distance_km"] == pytest.approx(expected["s12"] / 1000, abs=1e-6)


@pytest.mark.parametrize("unit, metres", [("km", 1000.0), ("nm", 1852.0), ("mi", 1609.344)])
def test_units(run_json, unit, metres):
    out = run_json("distance", "0,0", "0,1", "--units", unit)
    assert out[f"distance_{unit}"] == pytest.approx(WGS84.a * math.pi / 180 / metres, rel=1e-12)


def test_sphere_model(run_json):
    out = run_json("distance", "0,0", "0,90", "--model", "sphere")
    assert out["model"] == "sphere"
    assert out["distance_km"] == pytest.approx(SPHERE_RADIUS_M * math.pi / 2 / 1000, rel=1e-12)


def test_text_output_states_model_and_bearings(run):
    out = run("distance", "mozdok", "OIHS", "--precision", "1").stdout
    assert "Mozdok" in out and "Shahid Nojeh" in out
    assert "WGS84 ellipsoid" in out
    assert "initial bearing" in out and "final bearing" in out


def test_precision_zero_is_honoured(run):
    out = run("distance", "0,0", "0,1").stdout
    assert "111 km" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["mozdoc", "0,0"], "unknown place 'mozdoc'; did you mean 'mozdok'"),
        (["95,10", "0,0"], "latitude 95 in '95,10' is outside -90..90"),
        (["0,0", "0,0", "--units", "furlong"], "Invalid value for '--units'"),
        (["0,0", "0,0", "--model", "flat"], "Invalid value for '--model'"),
        (["0,0"], "Missing argument 'DESTINATION'"),
        (["", "0,0"], "empty place name"),
        (["x" * 5000, "0,0"], "place name too long"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run, args, message):
    result = run("distance", *args, expect=2)
    assert message in result.stderr


def test_bad_data_dir_is_a_usage_error(run, tmp_path):
    result = run("distance", "0,0", "1,1", "--data-dir", tmp_path / "missing", expect=2)
    assert "--data-dir: " in result.stderr and "does not exist" in result.stderr


def test_output_file_is_written_atomically_and_not_overwritten(run, tmp_path):
    target = tmp_path / "d.json"
    run("distance", "0,0", "1,1", "--format", "json", "-o", target)
    first = target.read_text()
    assert '"schema": "rangecalc/distance/1"' in first
    result = run("distance", "0,0", "2,2", "--format", "json", "-o", target, expect=2)
    assert "exists; add --force" in result.stderr
    assert target.read_text() == first
    run("distance", "0,0", "2,2", "--format", "json", "-o", target, "--force")
    assert target.read_text() != first
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]  # no temporary file left behind


def test_json_validates_against_its_published_schema(run_json):
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).parents[1] / "docs" / "schemas" / "distance.schema.json").read_text())
    jsonschema.validate(run_json("distance", "mozdok", "OIHS"), schema)
