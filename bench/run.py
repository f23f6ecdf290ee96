"""Benchmarks: rangecalc against the libraries people would otherwise loop over, measured in one run.

Usage (after ``pip install -e '.[test]'``)::

    python bench/run.py            # prints a Markdown table
    python bench/run.py --quick    # fewer repetitions

Machines here are noisy and absolute times drift, so the table's point is the ratio column: how many
times slower the peer is than rangecalc on the same job, in the same process, one after the other. Each
timing is the median of several repetitions.
"""

import argparse
import statistics
import sys
import time

import numpy as np


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def case_distances(n, repeat):
    """One base to n targets: distances and bearings."""
    from geographiclib.geodesic import Geodesic
    from geopy.distance import geodesic

    from rangecalc import geodesy

    rng = np.random.default_rng(1)
    lats, lons = rng.uniform(30, 40, n), rng.uniform(34, 44, n)
    base = (43.7875, 44.6031)
    ours = median_time(lambda: geodesy.inverse(base[1], base[0], lons, lats), repeat)
    peers = {
        "geographiclib loop (Geodesic.Inverse)": median_time(
            lambda: [Geodesic.WGS84.Inverse(base[0], base[1], a, b) for a, b in zip(lats, lons, strict=True)],
            repeat,
        ),
        "geopy loop (distance.geodesic)": median_time(
            lambda: [geodesic(base, (a, b)).meters for a, b in zip(lats, lons, strict=True)], repeat
        ),
    }
    # Check that all agree before timing means anything.
    d = geodesy.distance(base[1], base[0], lons[:50], lats[:50])
    ref = [
        Geodesic.WGS84.Inverse(base[0], base[1], a, b)["s12"]
        for a, b in zip(lats[:50], lons[:50], strict=True)
    ]
    assert np.max(np.abs(d - ref)) < 1e-6
    return f"distances, 1 base x {n:,} targets", ours, peers


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

    ours = median_time(lambda: geodesy.ring(lon, lat, radius_m), repeat)
    peers = {
        f"geographiclib loop, {n} vertices": median_time(geographiclib_ring, repeat),
        # Same speed class, but no split at +-180, no pole handling and no check of the tolerance.
        "pyproj AEQD + shapely buffer": median_time(aeqd_buffer, repeat),
    }
    return f"reach ring, R = {radius_m / 1000:,.0f} km ({n} vertices)", ours, peers


def case_point_in_reach(n, repeat):
    """Which of n points are within R of a base."""
    from geographiclib.geodesic import Geodesic
    from geopy.distance import geodesic

    from rangecalc import geodesy

    rng = np.random.default_rng(2)
    lats, lons = rng.uniform(25, 45, n), rng.uniform(30, 55, n)
    base, radius = (35.2117, 48.6533), 1_100_000.0
    ours = median_time(lambda: geodesy.within_radius(base[1], base[0], radius, lons, lats), repeat)
    peers = {
        "geographiclib loop": median_time(
            lambda: [
                Geodesic.WGS84.Inverse(base[0], base[1], a, b, Geodesic.DISTANCE)["s12"] <= radius
                for a, b in zip(lats, lons, strict=True)
            ],
            repeat,
        ),
        "geopy loop": median_time(
            lambda: [geodesic(base, (a, b)).meters <= radius for a, b in zip(lats, lons, strict=True)], repeat
        ),
    }
    return f"point in reach, {n:,} points", ours, peers


def case_coverage(repeat):
    """Share of Syria within 1,100 km of Shahid Nojeh: exact polygons vs a geographiclib grid."""
    import shapely
    from geographiclib.geodesic import Geodesic

    from rangecalc import coverage
    from rangecalc.data import load_catalog
    from rangecalc.regions import resolve_region

    catalog = load_catalog()
    syria = resolve_region("SY", catalog).geometry
    base = catalog.base("shahid-nojeh")

    def grid():
        lons, lats, _ = coverage.grid_points(syria, 10_000)
        w = np.cos(np.radians(lats))
        inside = [
            Geodesic.WGS84.Inverse(base.lat, base.lon, a, b, Geodesic.DISTANCE)["s12"] <= 1.1e6
            for a, b in zip(lats, lons, strict=True)
        ]
        return float(w[np.array(inside)].sum() / w.sum())

    shapely.prepare(syria)
    ours = median_time(lambda: coverage.coverage(syria, [base.lon], [base.lat], 1.1e6), repeat)
    peers = {"geographiclib on a 10,000-point grid": median_time(grid, repeat)}
    return "coverage of Syria (share within 1,100 km)", ours, peers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    cases = [
        case_distances(10_000, repeat),
        case_ring(2_200_000, repeat),
        case_point_in_reach(10_000, repeat),
        case_coverage(repeat),
    ]
    import platform

    import pyproj

    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, pyproj {pyproj.__version__} "
        f"(PROJ {pyproj.proj_version_str}), {platform.machine()}, median of {repeat}"
    )
    print()
    print("| job | rangecalc | peer | peer time | peer / rangecalc |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name, ours, peers in cases:
        for peer, theirs in peers.items():
            print(
                f"| {name} | {ours * 1000:.2f} ms | {peer} | {theirs * 1000:.1f} ms | {theirs / ours:.0f}x |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
