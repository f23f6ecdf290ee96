"""$ rangecalc rings: map layers whose vertices geographiclib puts at the radius, flyable reach areas inside the
direct ones and around closed airspace, GeoJSON that GDAL reads; KML is valid, escaped XML."""

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from pyogrio.raw import read

from rangecalc.data import load_catalog
from rangecalc.regions import resolve_region

GOOD_DATA = Path(__file__).parent / "data" / "good"
KML = "{http://www.opengis.net/kml/2.2}"
FIGURES = ["low", "nominal", "high"]


def kinds(collection, kind, routed=None):
    """Features of one kind; for reach areas, only the direct (routed False) or flyable (True) ones."""
    out = [f for f in collection["features"] if f["properties"]["kind"] == kind]
    if routed is not None:
        out = [f for f in out if (f["properties"]["routing"] is not None) == routed]
    return out


def exterior_points(feature):
    geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
    return np.vstack([np.asarray(p.exterior.coords) for p in shapely.get_parts(geometry)])


def test_geojson_rings_lie_at_each_radius(run):
    out = json.loads(run("rings", "tu22m3", "mozdok").stdout)
    rings = kinds(out, "reach_area", routed=False)
    (base,) = kinds(out, "base")
    lon0, lat0 = base["geometry"]["coordinates"]
    assert [r["properties"]["figure"] for r in rings] == FIGURES
    assert [r["properties"]["radius_km"] for r in rings] == [1500, 2200, 2400]
    for feature in rings:
        radius = feature["properties"]["radius_km"] * 1000
        for lon, lat in exterior_points(feature)[::25]:
            s12 = Geodesic.WGS84.Inverse(lat0, lon0, lat, lon)["s12"]
            assert s12 == pytest.approx(radius, abs=1.0)  # vertices at R, to the 1e-6 deg of the output
        assert feature["properties"]["sources"]
        assert feature["properties"]["airframe"] == "tu22m3"
    assert not kinds(out, "closed_airspace")
    assert out["rangecalc"]["schema"] == "rangecalc/features/1"


def test_units_name_the_radius_key(run):
    out = json.loads(run("rings", "tu22m3", "mozdok", "--units", "nm").stdout)
    radii = [f["properties"]["radius_nm"] for f in kinds(out, "reach_area")]
    assert radii == pytest.approx([1500 / 1.852, 2200 / 1.852, 2400 / 1.852])


def test_payload_changes_the_rings(run, stated_load_dir):
    light = json.loads(
        run("rings", "tu22m3", "mozdok", "--payload", "3t", "--data-dir", stated_load_dir).stdout
    )
    rings = kinds(light, "reach_area")
    assert rings[0]["properties"]["payload_kg"] == 3000
    assert rings[1]["properties"]["radius_km"] > 2200


def test_kml_parses_and_has_three_styled_rings(run):
    root = ET.fromstring(run("rings", "su34", "hamadan", "--format", "kml").stdout)
    styles = [p.find(f"{KML}styleUrl").text for p in root.findall(f".//{KML}Placemark")]
    assert [s for s in styles if s.startswith("#reach_area")] == [f"#reach_area-{b}" for b in FIGURES]


def test_ring_across_the_antimeridian_is_split(run, tmp_path):
    shutil.copytree(GOOD_DATA, tmp_path / "d")
    out = json.loads(run("rings", "testjet", "16.5S 179.5E", "--data-dir", tmp_path / "d").stdout)
    rings = kinds(out, "reach_area")
    assert [r["geometry"]["type"] for r in rings] == ["MultiPolygon"] * 3
    for feature in rings:
        geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
        assert geometry.is_valid
        lons = shapely.get_coordinates(geometry)[:, 0]
        assert lons.min() == -180 and lons.max() == 180  # cut at the antimeridian, both sides in range


def test_flyable_reach_lies_inside_the_direct_ring_and_outside_closed_airspace(run, tmp_path):
    path = tmp_path / "flyable.geojson"
    run("rings", "tu22m3", "mozdok", "--avoid", "TUR,GEO,AZE", "-o", path)
    out = json.loads(path.read_text())
    direct = {f["properties"]["figure"]: f for f in kinds(out, "reach_area", routed=False)}
    flyable = kinds(out, "reach_area", routed=True)
    assert [f["properties"]["figure"] for f in flyable] == FIGURES
    # GDAL reads every feature, and every geometry is valid.
    _, _, geometries, _ = read(path)
    assert pyogrio.read_info(path)["features"] == len(out["features"])
    assert all(shapely.from_wkb(g).is_valid for g in geometries)
    turkey = resolve_region("TUR", load_catalog()).geometry
    areas = []
    for feature in flyable:
        p = feature["properties"]
        assert p["routing"] == "avoiding Turkey, Georgia, Azerbaijan"
        assert p["grid_step_lat_deg"] > 0 and p["grid_step_lon_deg"] > 0
        error_deg = p["boundary_error_km"] / 111.0
        assert 0 < p["boundary_error_km"] < 100
        area = shapely.from_geojson(json.dumps(feature["geometry"]))
        ring = shapely.from_geojson(json.dumps(direct[p["figure"]]["geometry"]))
        # No route is shorter than the direct geodesic: the flyable area lies within the ring (to the grid).
        assert shapely.difference(area, ring.buffer(error_deg)).is_empty
        assert area.area < 0.95 * ring.area  # closing Turkey, Georgia and Azerbaijan costs reach
        # Turkey's interior (away from its outline by more than the grid error) is not flown over.
        assert not area.intersects(turkey.buffer(-2 * error_deg))
        areas.append(area.area)
    assert areas == sorted(areas)
    (closed,) = kinds(out, "closed_airspace")
    assert closed["properties"]["regions"] == ["Turkey", "Georgia", "Azerbaijan"]


def test_flyable_reach_across_the_antimeridian_is_split_and_valid(run, tmp_path):
    shutil.copytree(GOOD_DATA, tmp_path / "d")
    path = tmp_path / "fiji.geojson"
    run("rings", "testjet", "16.5S 175E", "--avoid", "FJI", "--data-dir", tmp_path / "d", "-o", path)
    out = json.loads(path.read_text())
    flyable = kinds(out, "reach_area", routed=True)
    assert len(flyable) == 3
    _, _, geometries, _ = read(path)
    assert all(shapely.from_wkb(g).is_valid for g in geometries)
    for feature in flyable:
        area = shapely.from_geojson(json.dumps(feature["geometry"]))
        assert area.geom_type == "MultiPolygon" and area.is_valid
        lons = shapely.get_coordinates(area)[:, 0]
        assert lons.min() == -180 and lons.max() == 180
        # Just east of the antimeridian, 4 deg (about 430 km) from the base: within every radius.
        assert area.intersects(shapely.Point(-179.0, -16.5))


def test_a_reach_round_the_globe_is_drawn_around_closed_airspace(run):
    """A Tu-160's 7,000 km reach spans more than a hemisphere of longitude and the North Pole; routing
    covers the globe, so its flyable areas are drawn (once refused beyond 60 deg of a projection centre)."""
    out = json.loads(run("rings", "tu160", "engels", "--avoid", "TUR").stdout)
    flyable = kinds(out, "reach_area", routed=True)
    assert [f["properties"]["figure"] for f in flyable] == FIGURES
    areas = [shapely.from_geojson(json.dumps(f["geometry"])) for f in flyable]
    assert all(a.is_valid for a in areas)
    ankara, novosibirsk = shapely.Point(32.85, 39.93), shapely.Point(82.93, 55.03)
    # Novosibirsk is 2,800 km east of Engels, far from Turkey: within every figure; Ankara is closed.
    assert Geodesic.WGS84.Inverse(51.4811, 46.2106, 55.03, 82.93)["s12"] < 2_900_000
    assert all(a.contains(novosibirsk) and not a.contains(ankara) for a in areas)


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
