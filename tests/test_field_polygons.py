"""Polygons of a distance field (field_reach_polygons), uncovered parts and their description.

The oracle is a field that is just the geodesic distance from one point (pyproj.Geod.inv, called
directly), so {d <= R} is a geodesic disc, drawn independently with pyproj.Geod.fwd every 0.5 deg of
azimuth: random points classified by the polygon must agree with the direct distance test beyond the
stated error bound (one grid spacing), and the polygon's area must match the disc's to within 1 %.
"""

import math

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from rangecalc import coverage
from rangecalc.errors import UsageError

GEOD = pyproj.Geod(ellps="WGS84")


def distance_from(lon0, lat0, unreachable=None):
    """A distance field: geodesic distance from (lon0, lat0), inf where ``unreachable(lons, lats)``."""

    def field(lons, lats):
        lons, lats = np.asarray(lons, float), np.asarray(lats, float)
        d = GEOD.inv(np.full(lons.shape, lon0), np.full(lons.shape, lat0), lons, lats)[2]
        if unreachable is not None:
            d = np.where(unreachable(lons, lats), np.inf, d)
        return d, np.zeros(lons.shape, int)

    return field


def disc(lon0, lat0, radius_m):
    azimuths = np.arange(0.0, 360.0, 0.5)
    lons, lats, _ = GEOD.fwd(
        np.full(azimuths.shape, lon0),
        np.full(azimuths.shape, lat0),
        azimuths,
        np.full(azimuths.shape, radius_m),
    )
    return shapely.Polygon(np.column_stack([lons, lats]))


def geod_area(geometry):
    return abs(GEOD.geometry_area_perimeter(geometry)[0])


def assert_classifies(polygon, field, frame, radius_m, tolerance_m, n=20_000, seed=0):
    """Random points in the frame: inside the polygon => d <= R + tol; outside => d > R - tol."""
    rng = np.random.default_rng(seed)
    west, south, east, north = frame
    lons, lats = rng.uniform(west, east, n), rng.uniform(south, north, n)
    d, _ = field(lons, lats)
    inside = shapely.intersects_xy(polygon, lons, lats)
    assert np.all(d[inside] <= radius_m + tolerance_m), (d[inside] - radius_m).max()
    assert np.all(d[~inside] > radius_m - tolerance_m), (radius_m - d[~inside]).max()


# --- against the geodesic disc -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon0", "lat0", "radius_m"),
    [(38.0, 34.0, 500e3), (38.0, 34.0, 250e3), (0.0, 0.0, 800e3), (10.0, 62.0, 600e3), (-70.0, -40.0, 400e3)],
)
def test_disc_matches_geodesic_circle(lon0, lat0, radius_m):
    frame = (lon0 - 14, lat0 - 10, lon0 + 14, lat0 + 10)
    field = distance_from(lon0, lat0)
    result = coverage.field_reach_polygons(frame, field, [radius_m])
    (polygon,) = result.polygons
    assert polygon.is_valid and polygon.geom_type == "Polygon"
    # The stated bound, and the much tighter agreement linear interpolation gives on a smooth field.
    assert_classifies(polygon, field, frame, radius_m, result.error_m)
    assert_classifies(polygon, field, frame, radius_m, 2_000.0)
    assert geod_area(polygon) == pytest.approx(geod_area(disc(lon0, lat0, radius_m)), rel=0.01)
    assert result.frame == frame


def test_grid_nodes_agree_beyond_one_spacing():
    """The grid's own nodes: inside the polygon beyond one spacing from its edge => d <= R, outside => d > R."""
    lon0, lat0, radius_m = 36.0, 35.0, 700e3
    frame = (24.0, 25.0, 49.0, 45.0)
    field = distance_from(lon0, lat0)
    result = coverage.field_reach_polygons(frame, field, [radius_m])
    (polygon,) = result.polygons
    xs = np.arange(frame[0], frame[2] + 1e-9, result.step_lon_deg)
    ys = np.arange(frame[1], frame[3] + 1e-9, result.step_lat_deg)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    d, _ = field(gx, gy)
    spacing = max(result.step_lat_deg, result.step_lon_deg)
    inner = shapely.intersects_xy(shapely.buffer(polygon, -spacing), gx, gy)
    outer = ~shapely.intersects_xy(shapely.buffer(polygon, spacing), gx, gy)
    assert inner.sum() > 100 and outer.sum() > 100
    assert np.all(d[inner] <= radius_m)
    assert np.all(d[outer] > radius_m)


def test_default_spacing_evaluations_and_error_bound():
    """A 25 x 20 deg frame: 10-20 thousand distances, a stated bound near the cell diagonal."""
    calls = []

    def field(lons, lats):
        calls.append(np.size(lons))
        return distance_from(37.0, 35.0)(lons, lats)

    result = coverage.field_reach_polygons((25.0, 25.0, 50.0, 45.0), field, [400e3, 800e3])
    assert calls == [result.evaluations]  # one call, every radius from the same grid
    assert 10_000 <= result.evaluations <= 20_000
    cell_ns = result.step_lat_deg * 111_320.0
    assert cell_ns < result.error_m < 2 * cell_ns
    assert f"~{result.error_m / 1000:.0f} km" in result.resolution
    assert "one grid spacing" in result.resolution


def test_explicit_spacing():
    result = coverage.field_reach_polygons(
        (30.0, 30.0, 32.0, 31.0), distance_from(31, 30.5), [50e3], step_deg=0.1
    )
    assert result.step_lat_deg == pytest.approx(0.1)
    assert result.step_lon_deg == pytest.approx(0.1 / math.cos(math.radians(30.5)), rel=0.05)
    assert result.evaluations == (round(2 / result.step_lon_deg) + 1) * 11


def test_frame_from_geometry_is_padded():
    region = shapely.box(35.0, 32.0, 42.0, 37.5)
    result = coverage.field_reach_polygons(region, distance_from(38, 35), [1e9], pad_deg=0.5)
    assert result.frame == (34.5, 31.5, 42.5, 38.0)
    assert result.polygons[0].equals(shapely.box(*result.frame))


@settings(max_examples=25, deadline=None)
@given(
    lon0=st.floats(-170, 170),
    lat0=st.floats(-70, 70),
    radius_km=st.floats(100, 900),
)
def test_disc_property(lon0, lat0, radius_km):
    """Anywhere (poles and the antimeridian aside), the contour is the disc to within its stated bound,
    and a larger radius contains a smaller one."""
    frame = (lon0 - 10, lat0 - 9, lon0 + 10, lat0 + 9)
    field = distance_from(lon0, lat0)
    small, large = radius_km * 1000 * 0.6, radius_km * 1000
    result = coverage.field_reach_polygons(frame, field, [small, large])
    p_small, p_large = result.polygons
    assert p_small.is_valid and p_large.is_valid
    assert_classifies(p_large, field, frame, large, result.error_m, n=3_000)
    assert shapely.difference(p_small, p_large).area < 1e-9


# --- unreachable values, nothing and everything ----------------------------------------------------------


def test_inf_half_plane():
    """Everything east of 40 deg E unreachable: the contour is the disc cut at 40 deg E, the cut located by
    bisection along the grid edges to 1/64 of a cell."""
    lon0, lat0, radius_m = 38.0, 34.0, 500e3
    frame = (28.0, 26.0, 48.0, 42.0)
    field = distance_from(lon0, lat0, unreachable=lambda lons, lats: lons > 40.0)
    result = coverage.field_reach_polygons(frame, field, [radius_m, 1e9])
    cut, everything = result.polygons
    assert cut.is_valid and everything.is_valid
    assert cut.bounds[2] == pytest.approx(40.0, abs=result.step_lon_deg / 64)
    assert 0 < result.jump_evaluations < result.evaluations
    assert "bisection" in result.resolution
    expected = shapely.intersection(disc(lon0, lat0, radius_m), shapely.box(-180, -90, 40.0, 90))
    assert geod_area(cut) == pytest.approx(geod_area(expected), rel=0.03)
    # An infinite radius is still not reached where the field is inf.
    assert everything.bounds[2] == pytest.approx(40.0, abs=result.step_lon_deg / 64)
    assert geod_area(everything) == pytest.approx(geod_area(shapely.box(28.0, 26.0, 40.0, 42.0)), rel=0.002)


def test_nan_counts_as_unreachable():
    def field(lons, lats):
        d, i = distance_from(38.0, 34.0)(lons, lats)
        return np.where(np.asarray(lats) > 34.0, np.nan, d), i

    result = coverage.field_reach_polygons((30.0, 28.0, 46.0, 40.0), field, [600e3])
    assert result.polygons[0].bounds[3] == pytest.approx(34.0, abs=result.step_lat_deg / 64)


def test_radius_covering_nothing_and_everything():
    frame = (30.0, 28.0, 46.0, 40.0)
    result = coverage.field_reach_polygons(frame, distance_from(60.0, 34.0), [1_000.0, 0.0, 20_000e3])
    nothing, zero, everything = result.polygons
    assert nothing.is_empty and zero.is_empty
    assert isinstance(nothing, shapely.Polygon)
    assert everything.equals(shapely.box(*frame))


def test_all_unreachable_is_empty():
    def field(lons, lats):
        return np.full(np.size(lons), np.inf), np.full(np.size(lons), -1)

    result = coverage.field_reach_polygons((30.0, 28.0, 46.0, 40.0), field, [1e12])
    assert result.polygons[0].is_empty


def test_two_discs_apart_and_merged():
    bases = np.array([[33.0, 34.0], [43.0, 34.0]])

    def field(lons, lats):
        d = np.vstack(
            [GEOD.inv(np.full(np.size(lons), x), np.full(np.size(lons), y), lons, lats)[2] for x, y in bases]
        )
        return d.min(axis=0), d.argmin(axis=0)

    result = coverage.field_reach_polygons((26.0, 27.0, 50.0, 41.0), field, [300e3, 600e3])
    apart, merged = result.polygons
    assert apart.geom_type == "MultiPolygon" and len(apart.geoms) == 2
    assert merged.geom_type == "Polygon"


@pytest.mark.parametrize(
    ("radius", "parts", "area"), [(4.0, 2, 2 * 0.4**2 / 2), (6.0, 1, 1 - 2 * 0.4**2 / 2)]
)
def test_saddle_cell(radius, parts, area):
    """One cell, opposite corners low: joined through the middle when the corners' mean (5) is within R."""

    def field(lons, lats):
        lons, lats = np.asarray(lons), np.asarray(lats)
        return np.where((lons < 0.5) == (lats < 0.5), 0.0, 10.0), np.zeros(lons.shape, int)

    result = coverage.field_reach_polygons((0.0, 0.0, 1.0, 1.0), field, [radius], step_deg=1.0)
    assert result.evaluations == 4
    (polygon,) = result.polygons
    assert polygon.is_valid
    assert len(shapely.get_parts(polygon)) == parts
    assert polygon.area == pytest.approx(area)


@pytest.mark.parametrize(("radius", "area"), [(4.0, 9 * 2 * 0.4**2 / 2), (6.0, 9 * (1 - 2 * 0.4**2 / 2))])
def test_checkerboard_of_saddles(radius, area):
    """Regression: saddle cells cut in two, scattered over the grid (ring indices must still be 0..n-1)."""

    def field(lons, lats):
        parity = (np.round(np.asarray(lons)) + np.round(np.asarray(lats))) % 2
        return np.where(parity == 0, 0.0, 10.0), np.zeros(np.size(lons), int)

    result = coverage.field_reach_polygons((0.0, 0.0, 3.0, 3.0), field, [radius], step_deg=1.0)
    assert result.evaluations == 16
    (polygon,) = result.polygons
    assert polygon.is_valid
    assert polygon.area == pytest.approx(area)


@pytest.mark.parametrize(
    ("frame", "step"),
    [
        ((10.0, 0.0, 5.0, 1.0), None),
        ((0.0, 5.0, 1.0, 5.0), None),
        ((0.0, 0.0, 1.0, 1.0), 0.0),
        ((0, 0, 1, 1), -1),
    ],
)
def test_bad_frame_or_step(frame, step):
    with pytest.raises(UsageError):
        coverage.field_reach_polygons(frame, distance_from(0, 0), [1e5], step_deg=step)


def test_outlines_leave_out_the_frame():
    frame = (30.0, 28.0, 46.0, 40.0)
    result = coverage.field_reach_polygons(frame, distance_from(31.0, 34.0), [500e3, 1e9])
    cut, everything = result.outlines()
    assert everything.is_empty
    assert not cut.is_empty
    # The disc runs off the west edge: the outline does not follow the frame there.
    assert shapely.length(shapely.intersection(cut, shapely.box(29.9, 27.9, 30.0 + 1e-6, 40.1))) < 1e-3


# --- uncovered parts ----------------------------------------------------------------------------------------


def test_fully_covered_region_leaves_nothing():
    region = shapely.box(36.0, 33.0, 39.0, 35.0)
    result = coverage.field_reach_polygons(region, distance_from(37.5, 34.0), [600e3])
    uncovered = coverage.uncovered_parts(region, result.polygons[0])
    assert uncovered.geometry.is_empty and uncovered.geometry.is_valid
    assert uncovered.area_m2 == 0.0 and uncovered.share == 0.0
    assert uncovered.parts == ()
    assert uncovered.region_area_m2 == pytest.approx(geod_area(region))


def test_uncovered_strip_and_its_area():
    """A disc covering the middle of a long region leaves a strip at each end, the larger one first."""
    # Densified, so that the pieces' edges are the same geodesics as the region's.
    region = shapely.segmentize(shapely.box(30.0, 33.0, 44.0, 35.0), 0.05)
    reach = disc(36.0, 34.0, 400e3)
    uncovered = coverage.uncovered_parts(region, reach)
    assert uncovered.geometry.is_valid
    assert len(uncovered.parts) == 2
    (east, east_area), (west, west_area) = uncovered.parts
    assert east.centroid.x > 40 and west.centroid.x < 32
    assert east_area > west_area
    expected = geod_area(region) - geod_area(shapely.intersection(region, reach))
    assert uncovered.area_m2 == pytest.approx(expected, rel=1e-4)
    assert uncovered.share == pytest.approx(expected / geod_area(region), rel=1e-4)


def test_slivers_set_apart():
    """A strip 0.05 deg (~5 km) wide is a sliver at min_width 20 km; a 1 x 2 deg part is not."""
    region = shapely.box(30.0, 33.0, 40.0, 35.0)
    reach = shapely.union_all([shapely.box(31.0, 33.05, 41.0, 36.0), shapely.box(31.0, 32.0, 32.0, 33.05)])
    west, strip = shapely.box(30.0, 33.0, 31.0, 35.0), shapely.box(32.0, 33.0, 40.0, 33.05)
    uncovered = coverage.uncovered_parts(region, reach, min_width_m=20_000.0)
    assert len(uncovered.parts) == 1
    part, area = uncovered.parts[0]
    assert part.equals(west) and uncovered.geometry.equals(west)
    assert area == pytest.approx(geod_area(west), rel=1e-9) and uncovered.area_m2 == area
    assert uncovered.slivers_area_m2 == pytest.approx(geod_area(strip), rel=1e-6)
    plain = coverage.uncovered_parts(region, reach)
    assert len(plain.parts) == 2 and plain.slivers_area_m2 == 0.0
    assert plain.area_m2 == pytest.approx(uncovered.area_m2 + uncovered.slivers_area_m2, rel=1e-9)


def test_nothing_reached_leaves_the_whole_region():
    region = shapely.box(36.0, 33.0, 39.0, 35.0)
    uncovered = coverage.uncovered_parts(region, shapely.Polygon())
    assert uncovered.geometry.equals(region)
    assert uncovered.share == pytest.approx(1.0)


# --- describing where a part lies ---------------------------------------------------------------------------

REGION = shapely.box(0.0, 0.0, 10.0, 10.0)
PLACES = [
    ("Far", 5.0, 5.0),
    ("Edge", -0.3, 1.0),  # ~33 km west of the part
    ("Inside", 1.0, 1.0),
    ("Near", 2.2, 1.0),  # ~22 km east of the part
    ('Also <inside> & "quoted"', 1.5, 1.8),
    ("Too far", 2.8, 1.0),  # ~89 km
]


def test_describe_south_west_corner():
    part = shapely.box(0.0, 0.0, 2.0, 2.0)
    where = coverage.describe_part(
        part, REGION, PLACES, region_name="Testland", within_m=50_000.0, max_places=5
    )
    assert where.direction == "south-west"
    names = [name for name, _ in where.places]
    # Inside first (nearer the part's centre (1, 1) first), then outside by distance.
    assert names == ["Inside", 'Also <inside> & "quoted"', "Near", "Edge"]
    distances = [d for _, d in where.places]
    assert distances[:2] == [0.0, 0.0]
    assert distances[2] == pytest.approx(22_264, abs=1_500)
    assert distances[3] == pytest.approx(33_396, abs=1_500)
    assert where.text == 'south-west Testland, around Inside, Also <inside> & "quoted", Near and Edge'


def test_describe_limits_and_directions():
    part = shapely.box(0.0, 0.0, 2.0, 2.0)
    where = coverage.describe_part(part, REGION, PLACES, region_name="Testland", max_places=2)
    assert where.text == 'south-west Testland, around Inside and Also <inside> & "quoted"'
    north = coverage.describe_part(shapely.box(4.0, 8.0, 6.0, 10.0), REGION, [], region_name="Testland")
    assert (north.direction, north.places, north.text) == ("north", (), "north Testland")
    middle = coverage.describe_part(shapely.box(4.5, 4.5, 5.5, 5.5), REGION, PLACES)
    assert middle.direction == "central"
    assert middle.text == "central part of the region, around Far"
    east = coverage.describe_part(shapely.box(8.0, 4.0, 10.0, 6.0), REGION, PLACES, within_m=1.0)
    assert (east.direction, east.places) == ("east", ())


def test_describe_empty_part_is_an_error():
    with pytest.raises(UsageError):
        coverage.describe_part(shapely.Polygon(), REGION, PLACES)
