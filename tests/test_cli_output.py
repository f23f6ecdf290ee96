"""Command-line conventions shared by every command: negative coordinates typed as arguments, the output
format taken from the -o extension, and '-o -' meaning stdout."""

import json

import pytest
from geographiclib.geodesic import Geodesic


def test_negative_coordinates_as_positional_arguments(run):
    # Cape Town to London, as people paste them: latitude first, minus signs included.
    out = json.loads(run("distance", "-33.9,18.6", "51.5,-0.1", "--format", "json").stdout)
    expected = Geodesic.WGS84.Inverse(-33.9, 18.6, 51.5, -0.1)["s12"]
    assert out["distance_km"] * 1000 == pytest.approx(expected, abs=0.01)
    assert out["from"]["lat"] == pytest.approx(-33.9) and out["from"]["lon"] == pytest.approx(18.6)


def test_negative_coordinates_before_and_after_options(run):
    expected = Geodesic.WGS84.Inverse(-33.9, -70.6, -12.05, -77.04)["s12"]
    for args in (
        ("--format", "json", "-33.9,-70.6", "-12.05,-77.04"),
        ("-33.9,-70.6", "--format", "json", "-12.05,-77.04"),
        ("-33.9,-70.6", "-12.05,-77.04", "--units", "km", "--format=json"),
    ):
        out = json.loads(run("distance", *args).stdout)
        assert out["distance_km"] * 1000 == pytest.approx(expected, abs=0.01), args


def test_negative_coordinate_as_an_option_value(run):
    # A waypoint in the southern hemisphere: the shortest route through it is the two geodesic legs.
    out = json.loads(run("route", "0.5,10", "0.5,30", "--via", "-10.5,20", "--format", "json").stdout)
    legs = (
        Geodesic.WGS84.Inverse(0.5, 10, -10.5, 20)["s12"] + Geodesic.WGS84.Inverse(-10.5, 20, 0.5, 30)["s12"]
    )
    assert out["length_km"] * 1000 == pytest.approx(legs, rel=1e-6)


def test_unknown_options_are_still_refused(run):
    result = run("distance", "mozdok", "hamadan", "-x", expect=2)
    assert "-x" in result.stderr
    result = run("distance", "-33.9,18.6", "51.5,-0.1", "--frobnicate", expect=2)
    assert "--frobnicate" in result.stderr


@pytest.mark.parametrize(
    "name, marker",
    [
        ("out.json", lambda text: json.loads(text)["schema"] == "rangecalc/distance/1"),
        ("out.txt", lambda text: text.startswith("Mozdok")),
        ("OUT.JSON", lambda text: json.loads(text)["schema"] == "rangecalc/distance/1"),
    ],
)
def test_format_follows_the_extension(run, tmp_path, name, marker):
    path = tmp_path / name
    run("distance", "mozdok", "hamadan", "-o", path)
    assert marker(path.read_text())


def test_explicit_format_contradicting_the_extension_is_a_usage_error(run, tmp_path):
    path = tmp_path / "out.kml"
    result = run("distance", "mozdok", "hamadan", "--format", "json", "-o", path, expect=2)
    assert "--format json" in result.stderr and ".kml" in result.stderr
    assert not path.exists()


def test_extension_of_a_format_the_command_cannot_write_is_a_usage_error(run, tmp_path):
    path = tmp_path / "out.png"
    result = run("distance", "mozdok", "hamadan", "-o", path, expect=2)
    assert "cannot write png" in result.stderr and "text, json" in result.stderr
    assert not path.exists()


def test_unknown_extension_keeps_the_default_format(run, tmp_path):
    path = tmp_path / "distance.out"
    run("distance", "mozdok", "hamadan", "-o", path)
    assert path.read_text().startswith("Mozdok")


def test_geojson_may_be_written_to_a_json_file(run, tmp_path):
    path = tmp_path / "route.json"
    run("route", "mozdok", "hamadan", "--format", "geojson", "-o", path)
    assert json.loads(path.read_text())["type"] == "FeatureCollection"


def test_dash_output_is_stdout(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("distance", "mozdok", "hamadan", "--format", "json", "-o", "-")
    assert json.loads(result.stdout)["schema"] == "rangecalc/distance/1"
    assert list(tmp_path.iterdir()) == []
