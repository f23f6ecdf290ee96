"""In-reach classification (geodesy.within, within_any) and the chunked distance kernels.

Oracles: ``pyproj.Geod(ellps="WGS84").inv`` called directly (a Geod of the test's own) for every point,
and, for the bound itself, the central angle on the parametric-latitude sphere computed in 64-bit-mantissa
arithmetic (``np.longdouble``). The classification must give exactly PROJ's boolean; the tri-state tests
check that every point the cheap bound decides is decided right (so the tests fail if the bound is wrong,
even though the exact fallback would hide it from the boolean), and that the bound decides nearly all
points (so they fail if everything quietly went to the exact solver).
"""

import math
import subprocess
import sys

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rangecalc import geodesy
from rangecalc.errors import UsageError

ORACLE = pyproj.Geod(ellps="WGS84")
A, B = ORACLE.a, ORACLE.b
LD = np.longdouble
HAS_LONGDOUBLE = np.finfo(LD).eps < 1e-18


def exact_distance(lon0, lat0, lons, lats):
    lons, lats = np.broadcast_arrays(np.asarray(lons, float), np.asarray(lats, float))
    lon0, lat0 = (np.broadcast_to(np.asarray(v, float), lons.shape) for v in (lon0, lat0))
    d = ORACLE.inv(lon0.ravel(), lat0.ravel(), lons.ravel(), lats.ravel())[2]
    return np.asarray(d).reshape(lons.shape)


def tri_state(lon0, lat0, radius, lons, lats):
    cb0, sb0, t_in, t_out = geodesy._base_terms(lon0, lat0, radius)
    return geodesy._classify(cb0, sb0, lon0, t_in, t_out, np.asarray(lons, float), np.asarray(lats, float))


def sigma_reference(lon0, lat0, lons, lats):
    """Central angle between the points' (reduced latitude, longitude), in long double."""
    ba = LD(B) / LD(A)

    def reduced(lat):
        p = np.radians(np.asarray(lat, dtype=LD))
        return np.arctan2(ba * np.sin(p), np.cos(p))

    b1, b2 = reduced(lat0), reduced(lats)
    dl = np.radians(np.asarray(lons, dtype=LD) - LD(lon0))
    h = np.sin((b2 - b1) / 2) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(dl / 2) ** 2
    h = np.clip(h, LD(0), LD(1))
    return 2 * np.arctan2(np.sqrt(h), np.sqrt(1 - h))


def points_near_radius(rng, lon0, lat0, radius, n):
    """Points at R (1 + d) for d in +-1 % (the bound's band is 0.34 %), and at R +- a few metres."""
    az = rng.uniform(-180, 180, n)
    rel = radius * rng.uniform(-0.01, 0.01, n // 2)
    metres = rng.choice([-1.0, 1.0], n - n // 2) * 10 ** rng.uniform(-4, 1.5, n - n // 2)
    dist = np.maximum(radius + np.concatenate([rel, metres]), 0.0)
    lons, lats, _ = ORACLE.fwd(np.full(n, lon0), np.full(n, lat0), az, dist)
    return np.asarray(lons), np.asarray(lats)


def edge_points(lon0, lat0):
    """Poles, the antimeridian, the antipode and its neighbourhood, the base itself."""
    lons = [lon0, lon0 + 180.0, lon0 - 180.0, 180.0, -180.0, 0.0, lon0 + 179.9, lon0 - 179.99, lon0 + 360.0]
    lats = [lat0, -lat0, -lat0 + 0.01, 90.0, -90.0, 89.9999, -89.9999, -lat0, lat0]
    return np.array(lons), np.clip(lats, -90.0, 90.0)


base_lons = st.one_of(st.floats(-180, 180), st.sampled_from([-180.0, 180.0, 0.0, 179.999, -179.999]))
base_lats = st.one_of(st.floats(-90, 90), st.sampled_from([90.0, -90.0, 89.999, -89.999, 0.0]))
radii = st.floats(3.0, math.log10(19_000_000.0)).map(lambda x: 10.0**x)  # 1 km to 19,000 km


# --- the bound itself --------------------------------------------------------------------------------


@pytest.mark.skipif(not HAS_LONGDOUBLE, reason="needs an extended-precision long double")
@settings(max_examples=200, deadline=None)
@given(base_lons, base_lats, st.integers(0, 2**32 - 1))
def test_geodesic_lies_in_the_bracket_b_sigma_to_a_sigma(lon0, lat0, seed):
    rng = np.random.default_rng(seed)
    lons = np.concatenate([rng.uniform(-180, 180, 200), edge_points(lon0, lat0)[0]])
    lats = np.concatenate([np.degrees(np.arcsin(rng.uniform(-1, 1, 200))), edge_points(lon0, lat0)[1]])
    s = exact_distance(lon0, lat0, lons, lats).astype(LD)
    sigma = sigma_reference(lon0, lat0, lons, lats)
    tol = LD(1e-6)  # PROJ: 15 nm
    assert np.all(LD(B) * sigma <= s + tol)
    assert np.all(s <= LD(A) * sigma + tol)


@pytest.mark.skipif(not HAS_LONGDOUBLE, reason="needs an extended-precision long double")
def test_bracket_is_tight_at_both_ends():
    # Along the equator the geodesic is the equator: s = a sigma.
    sigma = sigma_reference(0.0, 0.0, np.array([10.0]), np.array([0.0]))
    assert float(exact_distance(0, 0, 10.0, 0.0) / (LD(A) * sigma)[0]) == pytest.approx(1.0, abs=1e-12)
    # A short meridian arc at the equator: s = (b**2 / a) dphi and sigma = (b / a) dphi, so s = b sigma.
    sigma = sigma_reference(0.0, 0.0, np.array([0.0]), np.array([0.01]))
    assert float(exact_distance(0, 0, 0.0, 0.01) / (LD(B) * sigma)[0]) == pytest.approx(1.0, abs=1e-8)


@pytest.mark.skipif(not HAS_LONGDOUBLE, reason="needs an extended-precision long double")
def test_cheap_cos_sigma_error_is_far_below_its_slack():
    rng = np.random.default_rng(3)
    n = 400_000
    lats = np.concatenate(
        [
            rng.uniform(-90, 90, n // 2),
            np.clip(rng.choice([-90.0, 90.0], n // 4) - np.sign(rng.normal(size=n // 4)) * 1e-3, -90, 90),
            np.clip(
                rng.choice([-90.0, 0.0, 45.0, -45.0, 90.0], n // 4) + rng.normal(0, 1e-6, n // 4), -90, 90
            ),
        ]
    )
    lons = rng.uniform(-540, 540, n)
    for lon0, lat0 in [(48.65, 35.2), (0.0, 90.0), (179.99, -89.99), (-180.0, 0.0), (10.0, 45.0)]:
        cb0, sb0, _, _ = geodesy._base_terms(lon0, lat0, 1e6)
        cb, sb = geodesy._reduced(lats)
        cheap = cb0 * cb * geodesy._cos_dlon(lons, lon0) + sb0 * sb
        ref = np.cos(sigma_reference(lon0, lat0, lons, lats))
        error = float(np.max(np.abs(cheap.astype(LD) - ref)))
        assert error < geodesy.COS_SIGMA_SLACK / 20, (lon0, lat0, error)


# --- classification against PROJ --------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(base_lons, base_lats, radii, st.integers(0, 2**32 - 1))
def test_within_is_exactly_proj_near_the_radius_the_poles_and_the_antimeridian(lon0, lat0, radius, seed):
    rng = np.random.default_rng(seed)
    near_lons, near_lats = points_near_radius(rng, lon0, lat0, radius, 60)
    edge_lons, edge_lats = edge_points(lon0, lat0)
    lons = np.concatenate([near_lons, edge_lons, rng.uniform(-180, 180, 40)])
    lats = np.concatenate([near_lats, edge_lats, np.degrees(np.arcsin(rng.uniform(-1, 1, 40)))])
    d = exact_distance(lon0, lat0, lons, lats)
    assert np.array_equal(geodesy.within(lon0, lat0, radius, lons, lats), d <= radius)
    state = tri_state(lon0, lat0, radius, lons, lats)
    assert np.all(d[state == 1] <= radius)
    assert np.all(d[state == -1] > radius)


@settings(max_examples=200, deadline=None)
@given(base_lons, base_lats, radii, st.integers(0, 2**32 - 1))
def test_the_bound_decides_everything_outside_its_band(lon0, lat0, radius, seed):
    """A point at distance s is undecided only if R / a < sigma <= R / b, i.e. s within ~0.34 % of R."""
    rng = np.random.default_rng(seed)
    lons, lats = rng.uniform(-180, 180, 300), np.degrees(np.arcsin(rng.uniform(-1, 1, 300)))
    d = exact_distance(lon0, lat0, lons, lats)
    state = tri_state(lon0, lat0, radius, lons, lats)
    far_from_r = np.abs(d - radius) > 0.0036 * radius + 1.0
    assert np.all(state[far_from_r] != 0)


def test_a_million_seeded_points_zero_disagreements():
    rng = np.random.default_rng(20261130)
    bases = [(48.6533, 35.2117, 2_200_000.0), (179.95, -89.9, 1_000.0), (-179.99, 0.0, 19_000_000.0)]
    bases += [(0.0, 90.0, 9_990_000.0), (45.0, 10.0, 20_003_000.0)]
    total = 0
    for lon0, lat0, radius in bases:
        n = 200_000
        near_lons, near_lats = points_near_radius(rng, lon0, lat0, radius, n // 2)
        lons = np.concatenate([near_lons, rng.uniform(-180, 180, n // 2)])
        lats = np.concatenate([near_lats, np.degrees(np.arcsin(rng.uniform(-1, 1, n // 2)))])
        d = exact_distance(lon0, lat0, lons, lats)
        assert np.array_equal(geodesy.within(lon0, lat0, radius, lons, lats), d <= radius)
        state = tri_state(lon0, lat0, radius, lons, lats)
        assert np.all(d[state == 1] <= radius) and np.all(d[state == -1] > radius)
        total += n
    assert total == 1_000_000


def test_uniform_points_are_almost_all_decided_by_the_bound():
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(-180, 180, 100_000), np.degrees(np.arcsin(rng.uniform(-1, 1, 100_000)))
    state = tri_state(48.65, 35.21, 2_200_000.0, lons, lats)
    assert np.count_nonzero(state == 0) < 100  # the band is 7.4 km wide on a 2,200 km circle: ~0.03 %


@pytest.mark.parametrize(
    "lon0, lat0, radius, lons, lats",
    [
        (10.0, 20.0, 1000.0, [10.0, np.nan, 10.0, 1e7, 10.0], [20.0, 20.0, 91.0, 20.0, -90.5]),
        (np.nan, 20.0, 1e6, [10.0, 11.0], [20.0, 20.0]),
        (10.0, 95.0, 1e6, [10.0, 11.0], [20.0, 20.0]),
        (10.0, 20.0, np.nan, [10.0, 11.0], [20.0, 20.0]),
        (10.0, 20.0, -5.0, [10.0, 11.0], [20.0, 20.0]),
        (10.0, 20.0, 0.0, [10.0, 10.0 + 1e-12], [20.0, 20.0]),
        (10.0, 20.0, np.inf, [10.0, -170.0, 0.0], [20.0, -20.0, 90.0]),
        (0.0, 0.0, 20_003_931.4586, [180.0, 180.0, 0.0], [0.0, 0.0001, -90.0]),
        (-180.0, 90.0, 5.0, [0.0, 123.0, 17.0], [90.0, 90.0, 89.99999]),
    ],
    ids=[
        "bad points",
        "NaN base",
        "base lat 95",
        "NaN radius",
        "negative radius",
        "zero radius",
        "infinite",
        "antipodes",
        "at the pole",
    ],
)
def test_degenerate_inputs_give_proj_answer(lon0, lat0, radius, lons, lats):
    with np.errstate(invalid="ignore"):
        expected = exact_distance(lon0, lat0, lons, lats) <= radius
    assert np.array_equal(geodesy.within(lon0, lat0, radius, lons, lats), expected)


def test_shapes_broadcast_like_the_other_kernels():
    assert geodesy.within(0.0, 0.0, 1e6, 1.0, 1.0).shape == ()
    grid_lons, grid_lats = np.meshgrid(np.linspace(-180, 180, 37), np.linspace(-90, 90, 19))
    got = geodesy.within(30.0, 40.0, 5e6, grid_lons, grid_lats)
    assert got.shape == (19, 37)
    assert np.array_equal(got, exact_distance(30.0, 40.0, grid_lons, grid_lats) <= 5e6)
    # One base, radius and point per element.
    rng = np.random.default_rng(4)
    blon, blat, plon, plat = rng.uniform(-180, 180, (4, 1000))
    blat, plat = blat / 2, plat / 2
    radius = rng.uniform(1e3, 1.9e7, 1000)
    d = np.asarray(ORACLE.inv(blon, blat, plon, plat)[2])
    assert np.array_equal(geodesy.within(blon, blat, radius, plon, plat), d <= radius)


def test_inputs_are_left_alone_and_bad_shapes_refused():
    lons, lats = np.array([10.0, 11.0, 12.0]), np.array([20.0, 20.0, 20.0])
    copies = lons.copy(), lats.copy()
    radius = float(exact_distance(10.0, 20.0, 11.0, 20.0))  # a point at R exactly: the exact solver runs
    assert np.count_nonzero(tri_state(10.0, 20.0, radius, lons, lats) == 0) == 1
    assert list(geodesy.within(10.0, 20.0, radius, lons, lats)) == [True, True, False]
    assert list(geodesy.within_any([10.0], [20.0], radius, lons, lats)) == [True, True, False]
    geodesy.distance(10.0, 20.0, lons, lats)
    assert np.array_equal(lons, copies[0]) and np.array_equal(lats, copies[1])
    with pytest.raises(UsageError, match="one per base"):
        geodesy.within_any([1.0, 2.0], [3.0, 4.0], [1e6, 2e6, 3e6], lons, lats)
    with pytest.raises(UsageError, match="latitudes"):
        geodesy.within_any([1.0, 2.0], [3.0], 1e6, lons, lats)


def test_within_radius_still_answers_as_before():
    rng = np.random.default_rng(5)
    lons, lats = rng.uniform(30, 60, 5000), rng.uniform(20, 50, 5000)
    expected = exact_distance(48.65, 35.21, lons, lats) <= 1.1e6
    assert np.array_equal(geodesy.within_radius(48.65, 35.21, 1.1e6, lons, lats), expected)
    sphere = geodesy.distance(48.65, 35.21, lons, lats, "sphere") <= 1.1e6
    assert np.array_equal(geodesy.within_radius(48.65, 35.21, 1.1e6, lons, lats, "sphere"), sphere)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(base_lons, base_lats, radii), min_size=1, max_size=6),
    st.integers(0, 2**32 - 1),
)
def test_within_any_is_proj_or_over_bases(bases, seed):
    rng = np.random.default_rng(seed)
    blon, blat, radius = (np.array(v) for v in zip(*bases, strict=True))
    parts = [points_near_radius(rng, x, y, r, 30) for x, y, r in bases]
    lons = np.concatenate([p[0] for p in parts] + [rng.uniform(-180, 180, 50)])
    lats = np.concatenate([p[1] for p in parts] + [np.degrees(np.arcsin(rng.uniform(-1, 1, 50)))])
    expected = np.zeros(lons.shape, dtype=bool)
    for x, y, r in bases:
        expected |= exact_distance(x, y, lons, lats) <= r
    assert np.array_equal(geodesy.within_any(blon, blat, radius, lons, lats), expected)
    # One radius for all bases: the nearest base decides.
    nearest = np.min([exact_distance(x, y, lons, lats) for x, y, _ in bases], axis=0)
    assert np.array_equal(geodesy.within_any(blon, blat, radius[0], lons, lats), nearest <= radius[0])


def test_within_any_keeps_the_points_shape():
    lons, lats = np.meshgrid(np.linspace(20, 60, 41), np.linspace(10, 50, 21))
    got = geodesy.within_any([44.6, 48.65], [43.8, 35.2], [1.1e6, 9e5], lons, lats)
    expected = (exact_distance(44.6, 43.8, lons, lats) <= 1.1e6) | (
        exact_distance(48.65, 35.2, lons, lats) <= 9e5
    )
    assert got.shape == (21, 41) and np.array_equal(got, expected)


# --- chunked distance kernels ------------------------------------------------------------------------


def test_chunked_inverse_is_proj_bit_for_bit(monkeypatch):
    monkeypatch.setattr(geodesy, "CHUNK", 1000)  # exercise many chunks and a ragged last one
    rng = np.random.default_rng(6)
    lons, lats = rng.uniform(-180, 180, 5555), rng.uniform(-90, 90, 5555)
    az12, az21, d = ORACLE.inv(np.full(5555, 44.6), np.full(5555, 43.8), lons, lats)
    dist, az1, az2 = geodesy.inverse(44.6, 43.8, lons, lats)
    assert np.array_equal(dist, d) and np.array_equal(az1, az12)
    assert np.array_equal(az2, (np.asarray(az21) + 180.0 + 180.0) % 360.0 - 180.0)
    assert np.array_equal(geodesy.distance(44.6, 43.8, lons, lats), d)
    # A partial broadcast: (n, 1) bases against (1, m) targets.
    grid = geodesy.distance(lons[:40, None], lats[:40, None], lons[None, :300], lats[None, :300])
    full = ORACLE.inv(
        *(
            np.broadcast_to(v, (40, 300)).ravel()
            for v in (lons[:40, None], lats[:40, None], lons[None, :300], lats[None, :300])
        )
    )[2]
    assert grid.shape == (40, 300) and np.array_equal(grid.ravel(), full)


MEMORY_PROBE = """
import resource, sys
import numpy as np
n = int(sys.argv[2])
rng = np.random.default_rng(0)
lons, lats = rng.uniform(-180, 180, n), rng.uniform(-90, 90, n)
base_lons, base_lats = np.full(n, 44.6), np.full(n, 43.8)  # raw PROJ's input, not counted against it
import pyproj
from rangecalc import geodesy
geodesy.distance(0.0, 0.0, lons[:10], lats[:10])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[1] == "rangecalc":
    d = geodesy.distance(44.6, 43.8, lons, lats)
else:
    d = geodesy.GEOD.inv(base_lons, base_lats, lons, lats)[2]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in kB is Linux's")
def test_distance_to_many_targets_stays_within_raw_proj_memory():
    """Peak memory above the inputs, each in a fresh process: rangecalc within 1.5x of raw PROJ."""
    n = 3_000_000

    def peak_kb(which):
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, which, str(n)], capture_output=True, text=True, check=True
        )
        return int(out.stdout.strip())

    ours, raw = peak_kb("rangecalc"), peak_kb("pyproj")
    assert ours <= 1.5 * raw, (ours, raw)
