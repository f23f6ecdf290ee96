"""Geodesics against geographiclib (Karney's reference implementation), and the spherical model.

Tolerances: distances 1 mm (the two implement the same algorithm to ~15 nm); azimuths 1e-6 deg, except
near-coincident points, where azimuth is ill-conditioned and only the distance is checked.
"""

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rangecalc import geodesy
from rangecalc.errors import UsageError

WGS84 = Geodesic.WGS84
DIST_TOL_M = 1e-3
AZ_TOL_DEG = 1e-6

lats = st.floats(-90, 90, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)


def angle_diff(a, b):
    return abs((a - b + 180.0) % 360.0 - 180.0)


def oracle_inverse(lon1, lat1, lon2, lat2):
    r = WGS84.Inverse(lat1, lon1, lat2, lon2)
    return r["s12"], r["azi1"], r["azi2"]


EDGE_CASES = [
    # (lon1, lat1, lon2, lat2, what)
    (0.0, 90.0, 0.0, -90.0, "pole to pole"),
    (10.0, 90.0, 120.0, 45.0, "from the north pole"),
    (-60.0, -89.999, 120.0, -89.999, "across the south pole"),
    (179.5, 10.0, -179.5, 10.0, "across the antimeridian"),
    (-180.0, 0.0, 180.0, 0.0, "the same point written twice"),
    (44.6031, 43.7875, 44.6031, 43.7875, "coincident"),
    (0.0, 0.0, 179.5, 0.5, "nearly antipodal"),
    (0.0, 0.0, 180.0, 0.0, "antipodal on the equator"),
    (0.0, 30.0, 179.8, -29.9, "nearly antipodal, off the equator"),
    (0.0, 0.0, 90.0, 0.0, "quarter equator"),
    (44.6031, 43.7875, 40.1408, 35.3359, "Mozdok to Deir ez-Zor"),
]


@pytest.mark.parametrize("lon1, lat1, lon2, lat2, what", EDGE_CASES, ids=[c[-1] for c in EDGE_CASES])
def test_inverse_matches_geographiclib_on_edge_cases(lon1, lat1, lon2, lat2, what):
    dist, az1, az2 = (float(v) for v in geodesy.inverse(lon1, lat1, lon2, lat2))
    s12, azi1, azi2 = oracle_inverse(lon1, lat1, lon2, lat2)
    assert dist == pytest.approx(s12, abs=DIST_TOL_M)
    if s12 > 1.0 and abs(lat1) < 90 and abs(lat2) < 90 and "antipodal on" not in what:
        assert angle_diff(az1, azi1) < AZ_TOL_DEG
        assert angle_diff(az2, azi2) < AZ_TOL_DEG


def test_inverse_on_random_pairs_matches_geographiclib():
    rng = np.random.default_rng(20161608)
    n = 2000
    lat1 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lat2 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon1, lon2 = rng.uniform(-180, 180, n), rng.uniform(-180, 180, n)
    dist, az1, az2 = geodesy.inverse(lon1, lat1, lon2, lat2)
    expected = np.array([oracle_inverse(*args) for args in zip(lon1, lat1, lon2, lat2, strict=True)])
    assert np.max(np.abs(dist - expected[:, 0])) < DIST_TOL_M
    assert np.max([angle_diff(a, b) for a, b in zip(az1, expected[:, 1], strict=True)]) < AZ_TOL_DEG
    assert np.max([angle_diff(a, b) for a, b in zip(az2, expected[:, 2], strict=True)]) < AZ_TOL_DEG


def test_inverse_broadcasts_one_base_against_many_targets():
    dist, az1, az2 = geodesy.inverse(44.6, 43.8, [36.0, 37.0, 38.0], [[33.0], [34.0]])
    assert dist.shape == az1.shape == az2.shape == (2, 3)
    assert float(dist[1, 2]) == pytest.approx(oracle_inverse(44.6, 43.8, 38.0, 34.0)[0], abs=DIST_TOL_M)


def test_scalar_inputs_give_zero_dimensional_arrays():
    dist = geodesy.distance(0, 0, 1, 0)
    assert isinstance(dist, np.ndarray) and dist.shape == ()


@given(lon=lons, lat=st.floats(-89.9, 89.9), azimuth=st.floats(-180, 180), dist=st.floats(1.0, 19_000_000))
@settings(max_examples=300, deadline=None)
def test_direct_matches_geographiclib(lon, lat, azimuth, dist):
    lon2, lat2, az2 = (float(v) for v in geodesy.direct(lon, lat, azimuth, dist))
    r = WGS84.Direct(lat, lon, azimuth, dist)
    assert lat2 == pytest.approx(r["lat2"], abs=1e-9)
    assert angle_diff(lon2, r["lon2"]) < 1e-9 or abs(r["lat2"]) > 89.9999
    assert angle_diff(az2, r["azi2"]) < 1e-6 or abs(r["lat2"]) > 89.9999


@given(lon1=lons, lat1=lats, lon2=lons, lat2=lats)
@settings(max_examples=300, deadline=None)
def test_distance_is_symmetric(lon1, lat1, lon2, lat2):
    d12 = float(geodesy.distance(lon1, lat1, lon2, lat2))
    d21 = float(geodesy.distance(lon2, lat2, lon1, lat1))
    assert d12 == pytest.approx(d21, abs=1e-6)


@given(lon1=lons, lat1=lats, lon2=lons, lat2=lats, lon3=lons, lat3=lats)
@settings(max_examples=300, deadline=None)
def test_triangle_inequality(lon1, lat1, lon2, lat2, lon3, lat3):
    d = geodesy.distance
    assert (
        float(d(lon1, lat1, lon3, lat3))
        <= float(d(lon1, lat1, lon2, lat2)) + float(d(lon2, lat2, lon3, lat3)) + 1e-6
    )


@given(lon=lons, lat=st.floats(-89.0, 89.0), azimuth=st.floats(-180, 180), dist=st.floats(1000.0, 19_000_000))
@settings(max_examples=300, deadline=None)
def test_direct_then_inverse_round_trip(lon, lat, azimuth, dist):
    lon2, lat2, _ = geodesy.direct(lon, lat, azimuth, dist)
    back, az1, _ = geodesy.inverse(lon, lat, lon2, lat2)
    assert float(back) == pytest.approx(dist, abs=1e-3)
    # Near-antipodal endpoints have several shortest geodesics; elsewhere the azimuth comes back too.
    assume(dist < 19_000_000)
    if dist < 15_000_000:
        assert angle_diff(float(az1), azimuth) < 1e-6


def test_sphere_model_against_a_hand_derived_case():
    # A quarter of the equator on a sphere of radius R is pi R / 2; the bearing is due east.
    dist, az1, az2 = (float(v) for v in geodesy.inverse(0, 0, 90, 0, model="sphere"))
    assert dist == pytest.approx(math.pi * geodesy.SPHERE_RADIUS_M / 2, rel=1e-12)
    assert az1 == pytest.approx(90.0) and az2 == pytest.approx(90.0)
    # Pole to equator: a quarter meridian, heading due north... then arriving heading north.
    dist, az1, _ = (float(v) for v in geodesy.inverse(30, 0, 30, 90, model="sphere"))
    assert dist == pytest.approx(math.pi * geodesy.SPHERE_RADIUS_M / 2, rel=1e-12)
    assert az1 == pytest.approx(0.0, abs=1e-9)


def test_sphere_and_ellipsoid_differ_by_less_than_half_a_percent():
    rng = np.random.default_rng(7)
    lat1, lat2 = rng.uniform(-80, 80, (2, 500))
    lon1, lon2 = rng.uniform(-180, 180, (2, 500))
    ell = geodesy.distance(lon1, lat1, lon2, lat2)
    sph = geodesy.distance(lon1, lat1, lon2, lat2, model="sphere")
    keep = ell > 100_000
    assert np.max(np.abs(sph[keep] / ell[keep] - 1)) < 0.006


@given(lon=lons, lat=st.floats(-89, 89), azimuth=st.floats(-180, 180), dist=st.floats(1000.0, 5_000_000))
@settings(max_examples=100, deadline=None)
def test_sphere_direct_inverse_round_trip(lon, lat, azimuth, dist):
    lon2, lat2, _ = geodesy.direct(lon, lat, azimuth, dist, model="sphere")
    assert float(geodesy.distance(lon, lat, lon2, lat2, model="sphere")) == pytest.approx(dist, rel=1e-9)


def test_unknown_model_is_a_usage_error():
    with pytest.raises(UsageError, match="ellipsoid, sphere"):
        geodesy.inverse(0, 0, 1, 1, model="flat")
