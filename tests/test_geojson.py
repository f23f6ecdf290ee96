"""GeoJSON (RFC 7946) of every result: read by GDAL (pyogrio), checked with shapely and against geographiclib.

Each command's GeoJSON is written to a file, read back with ``pyogrio.read_info`` and ``pyogrio.raw.read``,
and every geometry checked: valid, exteriors counter-clockwise and holes clockwise, positive geodesic area
(pyproj counts counter-clockwise rings positive), longitudes within [-180, 180], no empty geometry, no
coordinate with more than 6 decimals, no NaN. Antimeridian and pole cases are checked against areas and
lengths computed by geographiclib alone.
"""

import json
import math
import re

import numpy as np
import pyogrio
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from geographiclib.geodesic import Geodesic
from pyogrio.raw import read

from rangecalc import geodesy
from rangecalc.cli import cli
from rangecalc.features import Feature, FeatureSet, normalise
from rangecalc.formats.geojson import dumps

GEOD = pyproj.Geod(ellps="WGS84")
WGS84 = Geodesic.WGS84
FIGURES = ["low", "nominal", "high"]


def _refuse_constant(name):
    raise AssertionError(f"{name} is not JSON")


def check_geojson(text, tmp_path, name="out.geojson"):
    """Parse ``text``, read it with GDAL, check every geometry; returns the parsed collection."""
    collection = json.loads(text, parse_constant=_refuse_constant)
    assert collection["type"] == "FeatureCollection"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    info = pyogrio.read_info(path)
    _, _, wkb, _ = read(path)
    assert info["features"] == len(collection["features"]) == len(wkb)
    assert info["crs"] in (None, "EPSG:4326", "OGC:CRS84")
    for feature, blob in zip(collection["features"], wkb, strict=True):
        assert feature["type"] == "Feature" and feature["properties"]["kind"]
        coordinates = json.dumps(feature["geometry"]["coordinates"])
        decimals = re.findall(r"\.(\d+)", coordinates)
        assert all(len(d) <= 6 for d in decimals), feature["properties"]["kind"]
        assert "e" not in coordinates.lower()  # no exponent notation either
        ours = shapely.from_geojson(json.dumps(feature["geometry"]))
        gdal = shapely.from_wkb(blob)
        for geometry in (ours, gdal):
            assert not geometry.is_empty
            assert geometry.is_valid, shapely.is_valid_reason(geometry)
        xy = shapely.get_coordinates(ours)
        assert (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
        for polygon in shapely.get_parts(ours):
            if isinstance(polygon, shapely.Polygon):
                assert shapely.is_ccw(polygon.exterior)
                assert not any(shapely.is_ccw(hole) for hole in polygon.interiors)
                assert GEOD.geometry_area_perimeter(polygon)[0] > 0
    return collection


def kinds(collection, kind):
    return [f for f in collection["features"] if f["properties"]["kind"] == kind]


def shape(feature):
    return shapely.from_geojson(json.dumps(feature["geometry"]))


def invoke(*args):
    result = CliRunner(env={"RANGECALC_DATA_DIR": None}).invoke(
        cli, [str(a) for a in args], catch_exceptions=False
    )
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    return result.stdout


# --- every command's GeoJSON ------------------------------------------------------------------------------


def test_reach_with_a_region(tmp_path):
    text = invoke(
        "reach", "tu22m3", "mozdok", "--region", "SY", "--targets", "raqqa,damascus", "--format", "geojson"
    )
    out = check_geojson(text, tmp_path)
    areas = kinds(out, "reach_area")
    assert [a["properties"]["figure"] for a in areas] == FIGURES
    assert all(a["properties"]["routing"] is None for a in areas)
    (region,) = kinds(out, "region")
    assert region["properties"]["verdict"] in ("in_reach", "depends", "out_of_reach")
    assert [region["properties"][f"covered_share_{b}"] for b in FIGURES] == sorted(
        region["properties"][f"covered_share_{b}"] for b in FIGURES
    )
    # Direct rings: the uncovered part under a figure is the region outside that ring, to the 0.1 % ring.
    syria = shape(region)
    for feature in kinds(out, "uncovered"):
        ring = shape(next(a for a in areas if a["properties"]["figure"] == feature["properties"]["figure"]))
        part = shape(feature)
        assert part.within(syria.buffer(1e-5))
        assert shapely.intersection(part, ring).area < 1e-3 * part.area
        assert feature["properties"]["share"] == pytest.approx(
            1 - region["properties"][f"covered_share_{feature['properties']['figure']}"], abs=1e-6
        )
    (far,) = kinds(out, "farthest_point")
    assert far["properties"]["distance_km"] > 0
    targets = kinds(out, "target")
    assert [t["properties"]["name"] for t in targets] == ["Raqqa", "Damascus"]
    assert all(
        t["properties"]["margin_nominal_km"] == pytest.approx(2200 - t["properties"]["distance_km"])
        for t in targets
    )


def test_reach_around_closed_airspace_has_flyable_areas_and_uncovered_polygons(tmp_path):
    text = invoke(
        "reach", "tu22m3", "mozdok", "--region", "SY", "--targets", "raqqa,damascus", "--avoid", "TUR,GEO,AZE",
        "--format", "geojson",
    )  # fmt: skip
    out = check_geojson(text, tmp_path)
    flyable = [a for a in kinds(out, "reach_area") if a["properties"]["routing"]]
    assert [a["properties"]["figure"] for a in flyable] == FIGURES
    for area in flyable:
        assert area["properties"]["grid_step_lat_deg"] > 0
        assert area["properties"]["boundary_error_km"] > 0
    (region,) = kinds(out, "region")
    uncovered = {u["properties"]["figure"]: u for u in kinds(out, "uncovered")}
    # Under the low radius (1,500 km) almost all of Syria is out of reach by legal routes: the polygon says
    # so, and agrees with the grid share of the region feature to within a few percent.
    assert "low" in uncovered
    low = uncovered["low"]["properties"]
    assert low["share"] == pytest.approx(1 - region["properties"]["covered_share_low"], abs=0.03)
    area_m2 = abs(GEOD.geometry_area_perimeter(shape(uncovered["low"]))[0])
    assert area_m2 / 1e6 == pytest.approx(low["area_km2"], rel=1e-3)
    # An uncovered part lies where the flyable area of that figure is not.
    reach_low = shape(next(a for a in flyable if a["properties"]["figure"] == "low"))
    assert shapely.intersection(shape(uncovered["low"]), reach_low).area < 1e-3 * reach_low.area
    assert len(kinds(out, "route")) == len(kinds(out, "target")) == 2
    for route in kinds(out, "route"):
        assert GEOD.geometry_length(shape(route)) == pytest.approx(
            route["properties"]["length_km"] * 1000, rel=1e-4
        )
    assert kinds(out, "closed_airspace")


def test_compare(tmp_path):
    text = invoke(
        "compare", "tu22m3", "mozdok", "shahid-nojeh", "--targets", "raqqa,aleppo", "--region", "SY",
        "--format", "geojson",
    )  # fmt: skip
    out = check_geojson(text, tmp_path)
    assert len(kinds(out, "base")) == 2
    assert len(kinds(out, "reach_area")) == 6
    assert len(kinds(out, "region")) == 2  # one per base, with that base's coverage
    assert {t["properties"]["name"] for t in kinds(out, "target")} == {"Raqqa", "Aleppo"}
    assert set(out["rangecalc"]["bases"]) == {f["properties"]["name"] for f in kinds(out, "base")}


def test_route_around_closed_airspace(tmp_path):
    text = invoke("route", "mozdok", "damascus", "--avoid", "TUR,GEO,AZE", "--format", "geojson")
    out = check_geojson(text, tmp_path)
    (route,) = kinds(out, "route")
    line = shape(route)
    length = GEOD.geometry_length(line)
    assert length == pytest.approx(route["properties"]["length_km"] * 1000, rel=1e-4)
    assert route["properties"]["length_km"] > route["properties"]["direct_km"]
    (closed,) = kinds(out, "closed_airspace")
    assert not line.crosses(shape(closed).buffer(-0.05))


def test_rings_direct_and_flyable(tmp_path):
    direct = check_geojson(invoke("rings", "tu22m3", "mozdok"), tmp_path, "direct.geojson")
    assert len(kinds(direct, "reach_area")) == 3
    flyable = check_geojson(invoke("rings", "tu22m3", "mozdok", "--avoid", "TUR,GEO,AZE"), tmp_path)
    assert len(kinds(flyable, "reach_area")) == 6


@pytest.fixture(scope="module")
def claim_geojson():
    return invoke("claim", "--format", "geojson")


def test_claim(claim_geojson, tmp_path):
    out = check_geojson(claim_geojson, tmp_path)
    assert out["rangecalc"]["scenario"] == "hamadan-2016"
    assert kinds(out, "reach_area") and kinds(out, "closed_airspace")
    (region,) = kinds(out, "region")
    assert region["properties"]["name"] == "Syria"
    assert all(u["properties"]["figure"] in FIGURES for u in kinds(out, "uncovered"))
    assert len(kinds(out, "route")) > 0


# --- antimeridian and poles -------------------------------------------------------------------------------


def geographiclib_disc_area(lon, lat, radius_m, n=3600):
    """Area of the geodesic disc from geographiclib alone: a polygon of n points at the radius."""
    polygon = WGS84.Polygon()
    for azimuth in np.linspace(0.0, 360.0, n, endpoint=False):
        point = WGS84.Direct(lat, lon, azimuth, radius_m)
        polygon.AddPoint(point["lat2"], point["lon2"])
    _, _, area = polygon.Compute(False, True)
    return abs(area)


def test_ring_across_the_antimeridian_from_175e(tmp_path):
    out = check_geojson(invoke("rings", "su34", "50N 175E"), tmp_path)
    for feature in kinds(out, "reach_area"):
        geometry = shape(feature)
        assert geometry.geom_type == "MultiPolygon"
        lons = shapely.get_coordinates(geometry)[:, 0]
        assert lons.min() == -180 and lons.max() == 180
        area = sum(GEOD.geometry_area_perimeter(p)[0] for p in geometry.geoms)
        expected = geographiclib_disc_area(175.0, 50.0, feature["properties"]["radius_km"] * 1000)
        assert area == pytest.approx(expected, rel=2e-3)


def test_route_from_anadyr_to_nome_is_split_at_the_antimeridian(tmp_path):
    out = check_geojson(invoke("route", "64.73,177.74", "64.50,-165.41", "--format", "geojson"), tmp_path)
    (route,) = kinds(out, "route")
    line = shape(route)
    assert line.geom_type == "MultiLineString" and len(line.geoms) == 2
    east, west = line.geoms
    assert east.coords[-1][0] == 180 and west.coords[0][0] == -180
    assert east.coords[-1][1] == pytest.approx(west.coords[0][1], abs=1e-6)
    expected = WGS84.Inverse(64.73, 177.74, 64.50, -165.41)["s12"]
    assert GEOD.geometry_length(line) == pytest.approx(expected, abs=5.0)


@pytest.mark.parametrize("lon, lat", [(20.0, 85.0), (-120.0, -85.0), (179.9, 85.0)])
def test_polar_ring_is_valid_and_has_the_disc_area(lon, lat, tmp_path):
    features = (Feature(geodesy.ring(lon, lat, 1_000_000.0), {"kind": "reach_area"}),)
    out = check_geojson(dumps(FeatureSet("polar", features)), tmp_path)
    (feature,) = out["features"]
    geometry = shape(feature)
    lons = shapely.get_coordinates(geometry)[:, 0]
    assert lons.min() == -180 and lons.max() == 180  # closed along the map edge
    assert geometry.intersects(shapely.Point(0.0, math.copysign(90.0, lat)))  # holds the pole
    area = sum(GEOD.geometry_area_perimeter(p)[0] for p in shapely.get_parts(geometry))
    assert area == pytest.approx(geographiclib_disc_area(lon, lat, 1_000_000.0), rel=2e-3)
    cap = 2 * math.pi * geodesy.SPHERE_RADIUS_M**2 * (1 - math.cos(1_000_000.0 / geodesy.SPHERE_RADIUS_M))
    assert area == pytest.approx(cap, rel=1e-2)  # the spherical cap, independent of any polygon


def test_ring_around_the_north_pole_from_80n(tmp_path):
    features = (Feature(geodesy.ring(30.0, 80.0, 1_500_000.0), {"kind": "reach_area"}),)
    out = check_geojson(dumps(FeatureSet("polar", features)), tmp_path)
    area = sum(GEOD.geometry_area_perimeter(p)[0] for p in shapely.get_parts(shape(out["features"][0])))
    assert area == pytest.approx(geographiclib_disc_area(30.0, 80.0, 1_500_000.0), rel=2e-3)


# --- the writer ---------------------------------------------------------------------------------------------


def test_rounding_cannot_make_a_polygon_invalid(tmp_path):
    # A hole 4e-7 deg from the shell: rounded naively to 6 decimals, it would touch the shell along an edge.
    polygon = shapely.Polygon(
        [(0, 0), (1, 0), (1, 1), (0, 1)], [[(0.2, 4e-7), (0.2, 0.5), (0.8, 0.5), (0.8, 4e-7)]]
    )
    assert polygon.is_valid
    naive = shapely.transform(polygon, lambda xy: np.round(xy, 6))
    assert not naive.is_valid
    out = check_geojson(dumps(FeatureSet("t", (Feature(polygon, {"kind": "region"}),))), tmp_path)
    assert shape(out["features"][0]).area == pytest.approx(polygon.area, abs=1e-6)


def test_precision_is_the_number_of_decimals():
    point = shapely.Point(12.123456789, -3.987654321)
    fs = FeatureSet("t", (Feature(point, {"kind": "base"}),))
    assert json.loads(dumps(fs))["features"][0]["geometry"]["coordinates"] == [12.123457, -3.987654]
    assert json.loads(dumps(fs, precision=2))["features"][0]["geometry"]["coordinates"] == [12.12, -3.99]
    assert json.loads(dumps(fs, precision=0))["features"][0]["geometry"]["coordinates"] == [12, -4]


def test_empty_geometries_are_left_out_and_numbers_are_json_safe():
    fs = FeatureSet(
        "t",
        (
            Feature(shapely.Polygon(), {"kind": "uncovered"}),
            Feature(shapely.Polygon([(0, 0), (1e-8, 0), (0, 1e-8)]), {"kind": "uncovered"}),  # rounds away
            Feature(
                shapely.Point(1, 2),
                {"kind": "target", "margin_low_km": float("-inf"), "share": float("nan"), "n": np.float64(2)},
            ),
        ),
        meta={"schema": "rangecalc/features/1", "value": float("inf")},
    )
    out = json.loads(dumps(fs), parse_constant=_refuse_constant)
    (feature,) = out["features"]
    assert feature["properties"] == {"kind": "target", "margin_low_km": None, "share": None, "n": 2.0}
    assert out["rangecalc"]["value"] is None and out["rangecalc"]["schema"] == "rangecalc/features/1"


def test_holes_clockwise_and_exteriors_counter_clockwise(tmp_path):
    clockwise = shapely.Polygon(
        [(0, 0), (0, 2), (2, 2), (2, 0)], [[(0.5, 0.5), (1.5, 0.5), (1.5, 1.5), (0.5, 1.5)]]
    )
    assert not shapely.is_ccw(clockwise.exterior) and shapely.is_ccw(clockwise.interiors[0])
    out = check_geojson(dumps(FeatureSet("t", (Feature(clockwise, {"kind": "region"}),))), tmp_path)
    assert len(shape(out["features"][0]).interiors) == 1


def test_lines_across_the_antimeridian_are_split_whatever_their_longitudes():
    wrapped = shapely.LineString([(170, 60), (179, 61), (-179, 61), (-170, 60)])
    unwrapped = shapely.LineString([(170, 60), (179, 61), (181, 61), (190, 60)])
    for line in (wrapped, unwrapped):
        out = normalise(line)
        assert out.geom_type == "MultiLineString"
        assert out.geoms[0].coords[-1][0] == 180 and out.geoms[1].coords[0][0] == -180
        assert out.geoms[0].coords[-1][1] == pytest.approx(61.0)


def test_bbox_is_optional():
    fs = FeatureSet("t", (Feature(shapely.box(1, 2, 3, 4), {"kind": "region"}),))
    assert "bbox" not in json.loads(dumps(fs))
    out = json.loads(dumps(fs, bbox=True))
    assert out["bbox"] == [1, 2, 3, 4] and out["features"][0]["bbox"] == [1, 2, 3, 4]
