"""Benchmarks of the in-reach classification, the chunked distance kernels and the sweep (issue 12).

Called from ``bench/run.py`` (speed rows in its table, memory in a second table); run on its own with
``python bench/classify.py`` to print just these. Memory is measured in fresh subprocesses (``python
bench/classify.py --probe ...``): peak resident set (``ru_maxrss``) above the process's peak once its
inputs exist, so each figure is what the job itself added.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HAMADAN = (48.6533, 35.2117)  # Shahid Nojeh (lon, lat)


def _peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _race(fns, repeat):
    """Round-robin timing from bench/run.py (both jobs see the same load): [(median_s, last_result), ...]."""
    sys.path.insert(0, str(Path(__file__).parent))
    from run import race

    return race(fns, repeat)


def _box_targets(n, seed):
    """n targets uniform on the sphere in a lon/lat box twice as wide as a 2,200 km circle about Hamadan."""
    rng = np.random.default_rng(seed)
    lons = rng.uniform(HAMADAN[0] - 50, HAMADAN[0] + 50, n)
    s0, s1 = np.sin(np.radians(HAMADAN[1] - 40)), np.sin(np.radians(min(HAMADAN[1] + 40, 90)))
    lats = np.degrees(np.arcsin(rng.uniform(s0, s1, n)))
    return lons, lats


def case_classification(n, radius_m, repeat):
    """In reach at R: geodesy.within vs raw pyproj.Geod.inv on the same points; identical booleans."""
    from rangecalc import geodesy

    geod = geodesy.GEOD
    lons, lats = _box_targets(n, 11)
    base_lon, base_lat = np.full(n, HAMADAN[0]), np.full(n, HAMADAN[1])
    (ours, mine), (theirs, peer) = _race(
        [
            lambda: geodesy.within(HAMADAN[0], HAMADAN[1], radius_m, lons, lats),
            lambda: geod.inv(base_lon, base_lat, lons, lats)[2] <= radius_m,
        ],
        repeat,
    )
    assert np.array_equal(mine, peer), "within and pyproj disagree"
    cb0, sb0, t_in, t_out = geodesy._base_terms(HAMADAN[0], HAMADAN[1], radius_m)
    undecided = np.count_nonzero(geodesy._classify(cb0, sb0, HAMADAN[0], t_in, t_out, lons, lats) == 0)
    name = (
        f"in reach at {radius_m / 1000:,.0f} km, {n:,} targets in a box about Hamadan "
        f"({int(mine.sum()):,} in; {undecided:,} = {undecided / n:.2%} sent to the exact geodesic)"
    )
    return name, ours, {"raw pyproj.Geod.inv <= R, same arrays (identical booleans)": theirs}


def case_classification_worst(n, radius_m, repeat):
    """The adversarial case: every target within 1 % of R, so a third fall in the bound's band."""
    from rangecalc import geodesy

    geod = geodesy.GEOD
    rng = np.random.default_rng(12)
    base_lon, base_lat = np.full(n, HAMADAN[0]), np.full(n, HAMADAN[1])
    lons, lats, _ = geod.fwd(
        base_lon, base_lat, rng.uniform(-180, 180, n), radius_m * rng.uniform(0.99, 1.01, n)
    )
    (ours, mine), (theirs, peer) = _race(
        [
            lambda: geodesy.within(HAMADAN[0], HAMADAN[1], radius_m, lons, lats),
            lambda: geod.inv(base_lon, base_lat, lons, lats)[2] <= radius_m,
        ],
        repeat,
    )
    assert np.array_equal(mine, peer), "within and pyproj disagree"
    name = f"in reach at {radius_m / 1000:,.0f} km, {n:,} targets all within 1 % of R (worst case)"
    return name, ours, {"raw pyproj.Geod.inv <= R, same arrays (identical booleans)": theirs}


def case_within_any(n, repeat):
    """In reach of any of 5 bases (1,100 km): within_any vs raw pyproj per base, or-ed."""
    from rangecalc import geodesy

    geod = geodesy.GEOD
    bases = np.array([[48.6533, 35.2117], [44.6031, 43.7875], [51.3, 32.6], [46.2, 38.1], [53.0, 36.6]])
    lons, lats = _box_targets(n, 13)
    radius = 1_100_000.0

    def peer():
        hit = np.zeros(n, dtype=bool)
        for blon, blat in bases:
            hit |= geod.inv(np.full(n, blon), np.full(n, blat), lons, lats)[2] <= radius
        return hit

    (ours, mine), (theirs, expected) = _race(
        [lambda: geodesy.within_any(bases[:, 0], bases[:, 1], radius, lons, lats), peer], repeat
    )
    assert np.array_equal(mine, expected), "within_any and pyproj disagree"
    name = f"in reach of any of 5 bases at 1,100 km, {n:,} targets"
    return name, ours, {"raw pyproj.Geod.inv per base, or-ed (identical booleans)": theirs}


# --- memory, in subprocesses --------------------------------------------------------------------------


def _probe(kind, n, points_file):
    """Runs in a fresh process; prints JSON {added_mb, peak_mb, seconds, n}."""
    rng = np.random.default_rng(0)
    if kind in ("distance", "inverse", "within", "pyproj"):
        from rangecalc import geodesy

        lons, lats = rng.uniform(-180, 180, n), rng.uniform(-90, 90, n)
        if kind == "pyproj":  # the base repeated is part of the input a pyproj user prepares
            base_lons, base_lats = np.full(n, HAMADAN[0]), np.full(n, HAMADAN[1])
        geodesy.inverse(0.0, 0.0, lons[:10], lats[:10])  # warm up

        def job():
            if kind == "distance":
                return geodesy.distance(*HAMADAN, lons, lats)
            if kind == "inverse":
                return geodesy.inverse(*HAMADAN, lons, lats)
            if kind == "within":
                return geodesy.within(*HAMADAN, 2_200_000.0, lons, lats)
            return geodesy.GEOD.inv(base_lons, base_lats, lons, lats)

    else:
        from rangecalc import sweep

        points = np.load(points_file)  # the world's airfields and cities, as plain arrays
        alons, alats, clons, clats = points["alons"], points["alats"], points["clons"], points["clats"]
        backend = "dask" if kind.startswith("dask") else "numpy"
        if n:  # n pairs: the first airfields x the first cities, as square as the data allow
            n_b = min(len(clons), int(np.ceil(n / min(len(alons), int(np.sqrt(n))))))
            n_a = n // n_b
            alons, alats, clons, clats = alons[:n_a], alats[:n_a], clons[:n_b], clats[:n_b]
        sweep.sweep(alons[:10], alats[:10], clons[:10], clats[:10], 1e6, backend=backend)  # warm up
        n = alons.size * clons.size

        def job():
            return sweep.sweep(alons, alats, clons, clats, 1_000_000.0, backend=backend)

    before = _peak_kb()
    start = time.perf_counter()
    result = job()
    seconds = time.perf_counter() - start
    peak = _peak_kb()
    del result
    # The same job again under tracemalloc, which sees numpy's buffers: the most they ever held at once.
    import tracemalloc

    tracemalloc.start()
    job()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    result = {"added_mb": (peak - before) / 1024, "peak_mb": peak / 1024, "traced_mb": traced / 2**20}
    print(json.dumps({**result, "seconds": seconds, "n": n}))


def _run_probe(kind, n, points_file=""):
    out = subprocess.run(
        [sys.executable, __file__, "--probe", kind, str(n), points_file],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def memory_rows():
    """Rows (job, kernel, measurement[, ratio to raw pyproj]) for the memory table."""
    import tempfile

    from rangecalc import sweep

    rows = []
    n = 10_000_000
    raw = _run_probe("pyproj", n)
    job = f"distances, 1 base x {n:,} targets"
    rows.append((job, "raw pyproj.Geod.inv (base arrays prepared beforehand)", raw))
    for kind in ("distance", "inverse"):
        got = _run_probe(kind, n)
        rows.append((job, f"rangecalc geodesy.{kind}", got, got["added_mb"] / raw["added_mb"]))
    got = _run_probe("within", n)
    rows.append(
        (
            f"in reach at 2,200 km, 1 base x {n:,} targets",
            "rangecalc geodesy.within",
            got,
            got["added_mb"] / raw["added_mb"],
        )
    )
    _, alons, alats = sweep.world_airfields()
    _, clons, clats = sweep.world_cities()
    with tempfile.TemporaryDirectory() as tmp:
        points_file = str(Path(tmp) / "points.npz")
        np.savez(points_file, alons=alons, alats=alats, clons=clons, clats=clats)
        for kind, pairs in (
            ("sweep", 10_000_000),
            ("sweep", 100_000_000),
            ("sweep", 0),
            ("dask-sweep", 100_000_000),
            ("dask-sweep", 0),
        ):
            got = _run_probe(kind, pairs, points_file)
            what = (
                "the world sweep: all airfields x all cities" if pairs == 0 else "sweep: airfields x cities"
            )
            backend = "dask, local threads" if kind.startswith("dask") else "numpy"
            rows.append((f"{what}, {got['n']:,} pairs, R = 1,000 km", f"rangecalc sweep ({backend})", got))
    return rows


def print_memory_table(rows):
    head = "| job | kernel | peak RSS added | peak RSS | most held at once (tracemalloc) | time | added / raw pyproj's |"
    print(head)
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        job, what, got = row[:3]
        ratio = f"{float(f'{row[3]:.2g}'):g}x" if len(row) > 3 else ""
        print(
            f"| {job} | {what} | {got['added_mb']:,.0f} MB | {got['peak_mb']:,.0f} MB | {got['traced_mb']:,.1f} MB "
            f"| {got['seconds']:.2g} s | {ratio} |"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", nargs=3, metavar=("KIND", "N", "POINTS"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.probe:
        _probe(args.probe[0], int(args.probe[1]), args.probe[2])
        return 0
    sys.path.insert(0, str(Path(__file__).parent))
    from run import print_speed_table

    repeat = 3 if args.quick else 7
    print_speed_table(
        [
            case_classification(1_000_000, 2_200_000.0, repeat),
            case_classification_worst(1_000_000, 2_200_000.0, repeat),
            case_within_any(1_000_000, repeat),
        ]
    )
    print()
    print_memory_table(memory_rows())
    return 0


if __name__ == "__main__":
    sys.exit(main())
