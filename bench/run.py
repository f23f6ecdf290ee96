"""Benchmarks: rangecalc against its best vectorised peer and the loops people write, in one run.

Usage (after ``pip install -e '.[test]'``)::

    python bench/run.py            # prints two Markdown tables: speed, then memory
    python bench/run.py --quick    # fewer repetitions

Machines here are noisy and absolute times drift, so the table's point is the ratio column: how many
times slower the peer is than rangecalc on the same job, in the same process, run in turn (round-robin,
so that both see the same load on a shared machine), with
two significant digits (below 1 the peer is faster). Each timing is the median of several repetitions.
Every case checks that the peer and rangecalc give the same output (or, for a grid against exact
polygons, says how far apart they are) before its timings are printed. Memory (chunked distances, the
sweep) is measured in fresh subprocesses; see ``bench/classify.py``.
"""

import argparse
import statistics
import sys
import time

import numpy as np


def race(fns, repeat):
    """Time several jobs round-robin (a, b, c, a, b, c, ...), so that all see the same machine load.

    Returns ``[(median_seconds, last_result), ...]`` in the order given.
    """
    times = [[] for _ in fns]
    results = [None] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            results[k] = fn()
            times[k].append(time.perf_counter() - start)
    return [(statistics.median(t), r) for t, r in zip(times, results, strict=True)]


def ms_text(seconds):
    """Milliseconds with three significant digits, without exponents: 0.36 ms, 15.6 ms, 3,350 ms."""
    ms = float(f"{seconds * 1000:.3g}")
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:g} ms"


def ratio_text(peer_seconds, ours_seconds):
    """Peer time / rangecalc time with two significant digits: 0.58x, 2.0x, 70x, 150x, 1,200x."""
    value = float(f"{peer_seconds / ours_seconds:.2g}")
    if value >= 10:
        return f"{value:,.0f}x"
    return f"{value:.1f}x" if value >= 1 else f"{value:.2g}x"


def case_distances(n, repeat):
    """One base to n targets: distances and bearings."""
    import pyproj
    from geographiclib.geodesic import Geodesic
    from geopy.distance import geodesic

    from rangecalc import geodesy

    rng = np.random.default_rng(1)
    lats, lons = rng.uniform(30, 40, n), rng.uniform(34, 44, n)
    base = (43.7875, 44.6031)
    geod = pyproj.Geod(ellps="WGS84")
    (ours, (d, az1, _)), (raw_time, raw), (gl_time, gl), (gp_time, gp) = race(
        [
            lambda: geodesy.inverse(base[1], base[0], lons, lats),
            lambda: geod.inv(np.full(n, base[1]), np.full(n, base[0]), lons, lats),
            lambda: [Geodesic.WGS84.Inverse(base[0], base[1], a, b) for a, b in zip(lats, lons, strict=True)],
            lambda: [geodesic(base, (a, b)).meters for a, b in zip(lats, lons, strict=True)],
        ],
        repeat,
    )
    # The same answers, all of them, before the timings mean anything.
    assert np.array_equal(d, raw[2]) and np.array_equal(az1, raw[0])
    assert np.max(np.abs(d - [r["s12"] for r in gl])) < 1e-6
    assert np.max(np.abs(d - gp)) < 1e-6
    peers = {
        "raw pyproj.Geod.inv, same arrays (vectorised; identical output)": raw_time,
        "geographiclib loop (Geodesic.Inverse; within 1 um)": gl_time,
        "geopy loop (distance.geodesic; within 1 um)": gp_time,
    }
    return f"distances and bearings, 1 base x {n:,} targets", ours, peers


def case_ring(radius_m, repeat):
    """A reach ring as a shapely polygon within 0.1 % of the radius."""
    import shapely
    from geographiclib.geodesic import Geodesic

    from rangecalc import geodesy

    lon, lat = 44.6031, 43.7875
    n = len(geodesy.ring_vertices(lon, lat, radius_m)[0])

    def geographiclib_ring():
        pts = [Geodesic.WGS84.Direct(lat, lon, az, radius_m) for az in np.linspace(0, 360, n, endpoint=False)]
        return shapely.Polygon([(p["lon2"], p["lat2"]) for p in pts])

    def aeqd_buffer():
        # The common shortcut: buffer a point in an azimuthal equidistant projection, project back.
        import pyproj

        aeqd = pyproj.Proj(proj="aeqd", lat_0=lat, lon_0=lon, ellps="WGS84")
        circle = shapely.Point(0, 0).buffer(radius_m, quad_segs=max(n // 4, 1))
        return shapely.transform(circle, lambda xy: np.column_stack(aeqd(xy[:, 0], xy[:, 1], inverse=True)))

    (ours, mine), (gl_time, gl), (aeqd_time, aeqd) = race(
        [lambda: geodesy.ring(lon, lat, radius_m), geographiclib_ring, aeqd_buffer], repeat
    )

    def mismatch(
        other,
    ):  # area outside both, as a share of the ring's area (planar lon/lat: a relative check)
        return shapely.symmetric_difference(mine, other).area / mine.area

    # Vertices on the geodesic circle: the ring's outline lies within 0.1 % of R; the peers' within theirs.
    assert mismatch(gl) < 2e-3 and mismatch(aeqd) < 2e-3, (mismatch(gl), mismatch(aeqd))
    peers = {
        f"geographiclib loop, {n} vertices (area differs by {mismatch(gl):.2%})": gl_time,
        # Same speed class, but no split at +-180, no pole handling and no check of the tolerance.
        f"pyproj AEQD + shapely buffer (vectorised; area differs by {mismatch(aeqd):.2%})": aeqd_time,
    }
    return f"reach ring, R = {radius_m / 1000:,.0f} km ({n} vertices)", ours, peers


def case_point_in_reach(n, repeat):
    """Which of n points are within R of a base."""
    import pyproj
    from geographiclib.geodesic import Geodesic
    from geopy.distance import geodesic

    from rangecalc import geodesy

    rng = np.random.default_rng(2)
    lats, lons = rng.uniform(25, 45, n), rng.uniform(30, 55, n)
    base, radius = (35.2117, 48.6533), 1_100_000.0
    geod = pyproj.Geod(ellps="WGS84")
    (ours, mine), (raw_time, raw), (gl_time, gl), (gp_time, gp) = race(
        [
            lambda: geodesy.within_radius(base[1], base[0], radius, lons, lats),
            lambda: geod.inv(np.full(n, base[1]), np.full(n, base[0]), lons, lats)[2] <= radius,
            lambda: [
                Geodesic.WGS84.Inverse(base[0], base[1], a, b, Geodesic.DISTANCE)["s12"] <= radius
                for a, b in zip(lats, lons, strict=True)
            ],
            lambda: [geodesic(base, (a, b)).meters <= radius for a, b in zip(lats, lons, strict=True)],
        ],
        repeat,
    )
    assert np.array_equal(mine, raw) and np.array_equal(mine, gl) and np.array_equal(mine, gp)
    peers = {
        "raw pyproj.Geod.inv <= R (vectorised; identical booleans)": raw_time,
        "geographiclib loop (identical booleans)": gl_time,
        "geopy loop (identical booleans)": gp_time,
    }
    return f"point in reach at 1,100 km, {n:,} points", ours, peers


def case_coverage(repeat):
    """Share of Syria within 1,100 km of Shahid Nojeh: exact polygons vs grids, looped and vectorised."""
    import pyproj
    import shapely
    from geographiclib.geodesic import Geodesic

    from rangecalc import coverage
    from rangecalc.data import load_catalog
    from rangecalc.regions import resolve_region

    catalog = load_catalog()
    syria = resolve_region("SY", catalog).geometry
    base = catalog.base("shahid-nojeh")
    geod = pyproj.Geod(ellps="WGS84")
    # grid_points(..., 10_000) asks for 10,000 points over the bounding box; those inside Syria remain.
    grid_lons, grid_lats, _ = coverage.grid_points(syria, 10_000)
    n = grid_lons.size

    def share(inside):
        w = np.cos(np.radians(grid_lats))
        return float(w[np.asarray(inside)].sum() / w.sum())

    def grid_loop():
        return share(
            [
                Geodesic.WGS84.Inverse(base.lat, base.lon, a, b, Geodesic.DISTANCE)["s12"] <= 1.1e6
                for a, b in zip(grid_lats, grid_lons, strict=True)
            ]
        )

    def grid_vectorised():
        return share(geod.inv(np.full(n, base.lon), np.full(n, base.lat), grid_lons, grid_lats)[2] <= 1.1e6)

    shapely.prepare(syria)
    (ours, exact), (loop_time, loop_share), (vec_time, vec_share) = race(
        [
            lambda: coverage.coverage(syria, [base.lon], [base.lat], 1.1e6).covered_share,
            grid_loop,
            grid_vectorised,
        ],
        repeat,
    )
    assert loop_share == vec_share
    gap = abs(exact - vec_share) * 100
    assert gap < 1.0, (exact, vec_share)  # a grid of a few thousand points is good to about 1 point
    peers = {
        f"pyproj vectorised on a {n:,}-point grid ({vec_share:.2%} vs exact {exact:.2%})": vec_time,
        f"geographiclib loop on the same {n:,}-point grid": loop_time,
    }
    return "coverage of Syria (share within 1,100 km), exact polygons", ours, peers


def print_speed_table(cases):
    print("| job | rangecalc | peer | peer time | peer / rangecalc |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name, ours, peers in cases:
        for peer, theirs in peers.items():
            print(f"| {name} | {ms_text(ours)} | {peer} | {ms_text(theirs)} | {ratio_text(theirs, ours)} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the memory table (subprocesses, ~1 min)"
    )
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    import classify  # bench/classify.py, next to this file

    cases = [
        case_distances(10_000, repeat),
        case_ring(2_200_000, repeat),
        case_point_in_reach(10_000, repeat),
        case_coverage(repeat),
        classify.case_classification(1_000_000, 2_200_000.0, repeat),
        classify.case_classification_worst(1_000_000, 2_200_000.0, repeat),
        classify.case_within_any(1_000_000, repeat),
    ]
    import platform

    import pyproj

    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, pyproj {pyproj.__version__} "
        f"(PROJ {pyproj.proj_version_str}), {platform.machine()}, median of {repeat}"
    )
    print()
    print_speed_table(cases)
    if not args.no_memory:
        print()
        classify.print_memory_table(classify.memory_rows())
    return 0


if __name__ == "__main__":
    sys.exit(main())
