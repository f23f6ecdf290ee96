"""Coverage against independent computations.

- Farthest point: brute force over a dense sampling of the region (boundary every ~0.5 km plus an
  interior grid) with geographiclib distances; required within 1 km.
- Covered share: a fine lon/lat grid whose cells are weighted by their geodesic area (pyproj, one cell
  per grid row) and counted as covered when geographiclib puts their centre within reach; required within
  0.5 percentage points.
- Hand-derivable cases and properties (monotone in radius, 0 at radius 0, 1 beyond the farthest point,
  adding a base never lowers coverage).
"""

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from rangecalc import coverage, geodesy
from rangecalc.data import load_catalog
from rangecalc.regions import resolve_region

WGS84 = Geodesic.WGS84


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def syria(catalog):
    return resolve_region("SY", catalog).geometry


def base_xy(catalog, *names):
    bases = [catalog.base(n) for n in names]
    return np.array([b.lon for b in bases]), np.array([b.lat for b in bases])


def oracle_nearest(base_lons, base_lats, lons, lats):
    d = np.array(
        [[WGS84.Inverse(bla, blo, la, lo, Geodesic.DISTANCE)["s12"] for lo, la in zip(lons, lats, strict=True)]
         for blo, bla in zip(base_lons, base_lats, strict=True)]
    )  # fmt: skip
    return d.min(axis=0)


def dense_samples(geometry, boundary_step=0.005, grid_step=0.05):
    dense = shapely.segmentize(geometry, boundary_step)
    xy = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(dense)))
    minx, miny, maxx, maxy = geometry.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, grid_step), np.arange(miny, maxy, grid_step))
    inside = shapely.contains_xy(geometry, gx.ravel(), gy.ravel())
    return np.concatenate([xy[:, 0], gx.ravel()[inside]]), np.concatenate([xy[:, 1], gy.ravel()[inside]])


@pytest.mark.parametrize(
    "bases",
    [("mozdok",), ("shahid-nojeh",), ("mozdok", "shahid-nojeh"), ("incirlik", "al-udeid", "akrotiri")],
)
def test_farthest_point_matches_brute_force(catalog, syria, bases):
    lons, lats = base_xy(catalog, *bases)
    found = coverage.farthest_point(syria, lons, lats)
    s_lon, s_lat = dense_samples(syria)
    brute = oracle_nearest(lons, lats, s_lon, s_lat).max()
    assert abs(found.distance_m - brute) < 1000.0
    # The point itself is in Syria and its distance is what geographiclib says.
    assert shapely.intersects_xy(syria, found.lon, found.lat)
    assert found.distance_m == pytest.approx(
        oracle_nearest(lons, lats, [found.lon], [found.lat])[0], abs=1e-3
    )


def test_farthest_point_can_be_interior_with_several_bases():
    # A 4 x 4 deg square with a base off each corner: the farthest point is near the centre, not on the
    # boundary, where a boundary-only search would fail.
    square = shapely.box(10, 40, 14, 44)
    lons, lats = np.array([9.0, 15.0, 9.0, 15.0]), np.array([39.0, 39.0, 45.0, 45.0])
    found = coverage.farthest_point(square, lons, lats)
    # Brute force in two passes: a 0.1 deg grid, then a 0.005 deg grid around its best point.
    s_lon, s_lat = dense_samples(square, grid_step=0.1)
    coarse = oracle_nearest(lons, lats, s_lon, s_lat)
    best_lon, best_lat = s_lon[coarse.argmax()], s_lat[coarse.argmax()]
    fx, fy = np.meshgrid(
        np.arange(best_lon - 0.15, best_lon + 0.15, 0.005), np.arange(best_lat - 0.15, best_lat + 0.15, 0.005)
    )
    brute = max(coarse.max(), oracle_nearest(lons, lats, fx.ravel(), fy.ravel()).max())
    assert abs(found.distance_m - brute) < 1000.0
    assert 11.5 < found.lon < 12.5 and 41.5 < found.lat < 42.5


def grid_share(region, base_lons, base_lats, radius_m, step=0.02):
    """Covered share on a fine grid, cells weighted by geodesic area (an independent computation)."""
    minx, miny, maxx, maxy = region.bounds
    xs = np.arange(minx + step / 2, maxx, step)
    ys = np.arange(miny + step / 2, maxy, step)
    row_area = np.array(
        [abs(geodesy.GEOD.polygon_area_perimeter([0, step, step, 0], [y - step / 2, y - step / 2, y + step / 2, y + step / 2])[0]) for y in ys]
    )  # fmt: skip
    gx, gy = np.meshgrid(xs, ys)
    area = np.broadcast_to(row_area[:, None], gx.shape).ravel()
    inside = shapely.contains_xy(region, gx.ravel(), gy.ravel())
    px, py, pa = gx.ravel()[inside], gy.ravel()[inside], area[inside]
    nearest = oracle_nearest(base_lons, base_lats, px, py)
    return pa[nearest <= radius_m].sum() / pa.sum()


@pytest.mark.parametrize("radius_km", [1000, 1100, 1300])
def test_covered_share_matches_a_fine_geodesic_grid(catalog, syria, radius_km):
    lons, lats = base_xy(catalog, "mozdok")
    share = coverage.coverage(syria, lons, lats, radius_km * 1000.0).covered_share
    assert 0.05 < share < 0.999  # a partial case, where the comparison means something
    assert share == pytest.approx(grid_share(syria, lons, lats, radius_km * 1000.0), abs=0.005)


def test_covered_share_with_two_bases_matches_the_grid(catalog, syria):
    lons, lats = base_xy(catalog, "mozdok", "incirlik")
    share = coverage.coverage(syria, lons, lats, 700_000.0).covered_share
    assert share == pytest.approx(grid_share(syria, lons, lats, 700_000.0), abs=0.005)


def test_region_that_is_a_geodesic_disc():
    disc = geodesy.ring(20.0, 45.0, 300_000.0, tolerance=1e-5)
    full = coverage.coverage(disc, [20.0], [45.0], 300_000.0 * 1.0001)
    assert full.covered_share == pytest.approx(1.0, abs=1e-4)
    # Half the radius covers a quarter of the area, up to the Earth's curvature (cap area ~ 1 - cos(r/R)).
    authalic = 6_371_007.2
    expected = (1 - np.cos(150_000 / authalic)) / (1 - np.cos(300_000 / authalic))
    half = coverage.coverage(disc, [20.0], [45.0], 150_000.0)
    assert half.covered_share == pytest.approx(expected, abs=2e-3)
    centre = coverage.farthest_point(disc, [20.0], [45.0])
    assert centre.distance_m == pytest.approx(300_000.0, rel=1e-4)


def test_region_entirely_inside_or_outside_the_ring(syria):
    inside = coverage.coverage(syria, [38.5], [35.0], 3_000_000.0)
    assert inside.covered_share == pytest.approx(1.0) and inside.uncovered.is_empty
    outside = coverage.coverage(syria, [-60.0], [-30.0], 3_000_000.0)
    assert outside.covered_share == 0.0
    assert outside.uncovered.area == pytest.approx(syria.area)


def test_share_is_zero_at_zero_radius_and_one_beyond_the_farthest_point(catalog, syria):
    lons, lats = base_xy(catalog, "shahid-nojeh")
    assert coverage.coverage(syria, lons, lats, 0.0).covered_share == 0.0
    far = coverage.farthest_point(syria, lons, lats).distance_m
    assert coverage.coverage(syria, lons, lats, far + 2000.0).covered_share == pytest.approx(1.0, abs=1e-9)
    assert coverage.coverage(syria, lons, lats, far - 20_000.0).covered_share < 1.0


@given(r1=st.floats(0, 2_000_000), r2=st.floats(0, 2_000_000))
@settings(max_examples=40, deadline=None)
def test_share_is_monotone_in_radius(catalog, syria, r1, r2):
    lons, lats = base_xy(catalog, "mozdok")
    small, large = sorted((r1, r2))
    a = coverage.coverage(syria, lons, lats, small).covered_share
    b = coverage.coverage(syria, lons, lats, large).covered_share
    assert a <= b + 1e-9


@given(
    radius=st.floats(100_000, 1_500_000),
    extra=st.sampled_from(["incirlik", "khmeimim", "al-udeid", "engels"]),
)
@settings(max_examples=30, deadline=None)
def test_adding_a_base_never_lowers_coverage(catalog, syria, radius, extra):
    one = coverage.coverage(syria, *base_xy(catalog, "mozdok"), radius).covered_share
    two = coverage.coverage(syria, *base_xy(catalog, "mozdok", extra), radius).covered_share
    assert two >= one - 1e-9


def test_nearest_base_shares_sum_to_one_and_follow_distance(catalog, syria):
    shares = coverage.nearest_base_shares(syria, *base_xy(catalog, "mozdok", "khmeimim"))
    assert shares.sum() == pytest.approx(1.0)
    assert shares[1] > 0.9  # Khmeimim is in Syria; Mozdok is nearer only in the far north-east, if at all
