"""$ rangecalc rings: map layers whose vertices geographiclib puts at the radius; KML is valid, escaped XML."""

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic

GOOD_DATA = Path(__file__).parent / "data" / "good"
KML = "{http://www.opengis.net/kml/2.2}"


def test_geojson_rings_lie_at_each_radius(run):
    out = json.loads(run("rings", "tu22m3", "mozdok").stdout)
    rings = [f for f in out["features"] if f["properties"]["kind"] == "reach ring"]
    base = next(f for f in out["features"] if f["properties"]["kind"] == "base")["geometry"]["coordinates"]
    assert [r["properties"]["band"] for r in rings] == ["low", "nominal", "high"]
    assert [r["properties"]["radius_km"] for r in rings] == [1500, 2200, 2400]
    for feature in rings:
        radius = feature["properties"]["radius_km"] * 1000
        for lon, lat in feature["geometry"]["coordinates"][0][::25]:
            s12 = Geodesic.WGS84.Inverse(base[1], base[0], lat, lon)["s12"]
            assert s12 == pytest.approx(radius, abs=1.0)  # vertices at R, to the 1e-6 deg of the output
        assert feature["properties"]["sources"]


def test_payload_changes_the_rings(run, stated_load_dir):
    light = json.loads(
        run("rings", "tu22m3", "mozdok", "--payload", "3t", "--data-dir", stated_load_dir).stdout
    )
    assert light["features"][0]["properties"]["payload_kg"] == 3000
    assert light["features"][1]["properties"]["radius_km"] > 2200


def test_kml_parses_and_has_three_styled_rings(run):
    root = ET.fromstring(run("rings", "su34", "hamadan", "--format", "kml").stdout)
    placemarks = root.findall(f".//{KML}Placemark")
    assert len(placemarks) == 4
    assert [p.find(f"{KML}styleUrl").text for p in placemarks[:3]] == ["#low", "#nominal", "#high"]


def test_ring_across_the_antimeridian_is_split(run, tmp_path):
    shutil.copytree(GOOD_DATA, tmp_path / "d")
    out = json.loads(run("rings", "testjet", "16.5S 179.5E", "--data-dir", tmp_path / "d").stdout)
    assert out["features"][0]["geometry"]["type"] == "MultiPolygon"
    for feature in out["features"][:3]:
        for polygon in feature["geometry"]["coordinates"]:
            assert all(-180 <= lon <= 180 for lon, _ in polygon[0])


def test_text_from_data_files_is_escaped_in_kml(run, tmp_path):
    data = tmp_path / "d"
    shutil.copytree(GOOD_DATA, data)
    path = data / "airframes" / "testjet.toml"
    path.write_text(
        path.read_text().replace('name = "Test Jet"', 'name = "<Evil & \\"Co\\"> </name><script/>"')
    )
    text = run("rings", "testjet", "null-island", "--format", "kml", "--data-dir", data).stdout
    root = ET.fromstring(text)  # still well-formed XML
    assert root.find(f".//{KML}Document/{KML}name").text.startswith('<Evil & "Co"> </name><script/>')
    assert "<script/>" not in text and "&lt;Evil &amp;" in text


def test_markdown_escapes_text_from_data_files(run, tmp_path):
    data = tmp_path / "d"
    shutil.copytree(GOOD_DATA, data)
    path = data / "regions" / "equator.toml"
    path.write_text(path.read_text().replace('name = "East 5"', 'name = "<img src=x onerror=alert(1)> | x"'))
    text = run(
        "reach", "testjet", "null-island", "--targets", "equator", "--format", "md", "--data-dir", data
    ).stdout
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)> \\| x" in text
