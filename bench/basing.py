"""Benchmarks of the basing search (issue 13), standalone: ``python bench/basing.py [--flyable]``.

- the direct basing area of Syria for one figure (target: under 1 s), against intersecting the discs of
  every outline vertex (no hull), the brute-force way;
- ranking every airfield of Russia, Iran, Syria and Iraq under direct geodesics (target: under 2 s), and
  its classification (covers the whole region under which figure) against a brute-force pyproj check over
  every outline vertex: disagreements must be 0;
- with ``--flyable``: the flyable basing area and ranking for the Hamadan airspace (Turkey, Georgia and
  Azerbaijan closed with 12 nm territorial seas; target: under 60 s), and how the cost grows with grid
  nodes and candidates.

Times are medians of a few runs on this machine, in one process (ratios are what carries over).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyproj

sys.path.insert(0, str(Path(__file__).parents[1]))

from rangecalc import basing as B
from rangecalc.data import load_catalog
from rangecalc.regions import resolve_region
from rangecalc.routes import routing_from_text

GEOD = pyproj.Geod(ellps="WGS84")


def timed(fn, repeat=3):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def direct_area(catalog):
    syria = resolve_region("SY", catalog).geometry
    t_hull, (geoms, hull, error) = timed(lambda: B.direct_basing_areas(syria, [2_200_000.0]))
    lons, lats, _ = B._coordinates(syria)
    every = B.Hull(lons, lats, lons, lats, 0.0, True)
    t_all, (geoms_all, _, _) = timed(
        lambda: B.direct_basing_areas(syria, [2_200_000.0], hull=every), repeat=1
    )
    a, b = B.coverage.geodesic_area(geoms[0]), B.coverage.geodesic_area(geoms_all[0])
    print(f"direct basing area, Syria, 2,200 km: {t_hull:.3f} s with the hull ({hull.disc_lons.size} discs); "
          f"{t_all:.2f} s with every outline vertex ({lons.size} discs): {t_all / t_hull:.0f}x; "
          f"areas {a / 1e6:,.0f} vs {b / 1e6:,.0f} km2 ({(b - a) / b * 100:.3f} % smaller: conservative, "
          f"bound {error:.0f} m)")  # fmt: skip


def ranking(catalog):
    syria = resolve_region("SY", catalog)
    countries = B.resolve_within("RU,IR,SY,IQ", catalog)
    airfields, _ = B.candidate_airfields(catalog, countries)
    hull = B.subject_hull(syria.geometry)
    radii = (1_500_000.0, 2_200_000.0, 2_400_000.0)
    t_rank, ranked = timed(lambda: B.rank_candidates(airfields, syria.geometry, hull, radii, top=20))
    t_class, (far, _) = timed(
        lambda: B.farthest_distances(hull, [a.lon for a in airfields], [a.lat for a in airfields])
    )
    # Brute force: pyproj over every outline vertex of Syria, for every airfield.
    lons, lats, _ = B._coordinates(syria.geometry)
    alons = np.array([a.lon for a in airfields])
    alats = np.array([a.lat for a in airfields])
    start = time.perf_counter()
    brute = np.array(
        [
            GEOD.inv(np.full(lons.size, x), np.full(lons.size, y), lons, lats)[2].max()
            for x, y in zip(alons, alats, strict=True)
        ]
    )
    t_brute = time.perf_counter() - start
    disagreements = sum(int(np.sum((far <= r) != (brute <= r))) for r in radii)
    worst = float(np.max(np.abs(far - brute)))
    print(f"ranking {len(airfields)} airfields of Russia, Iran, Syria, Iraq (direct): {t_rank:.3f} s "
          f"(classification of all {t_class:.3f} s, exact shares for the top 20); brute-force pyproj check "
          f"over all {lons.size} outline vertices {t_brute:.2f} s: {disagreements} disagreements under the "
          f"three figures, largest difference {worst:.2e} m")  # fmt: skip
    return ranked


def flyable(catalog):
    frame = catalog.airframe("tu22m3")
    syria = resolve_region("SY", catalog)
    routing = routing_from_text("TUR,GEO,AZE", (), None, catalog, territorial_sea="12nm")
    countries = B.resolve_within("RU,IR,SY", catalog)
    for grid, samples in ((2_000, 64), (4_000, 64), (8_000, 64), (16_000, 64), (8_000, 32), (8_000, 128)):
        start = time.perf_counter()
        result = B.basing(frame, syria, routing=routing, catalog=catalog, within=(), top=None,
                          flyable_grid_points=grid, flyable_samples=samples)  # fmt: skip
        t = time.perf_counter() - start
        d = result.flyable.details
        print(f"flyable basing area, Hamadan airspace: grid {grid:,} nodes asked ({d.get('evaluations', 0):,} "
              f"distances), {samples} outline samples: {t:.1f} s; nominal area "
              f"{result.flyable.areas[1].area_m2 / 1e6:,.0f} km2, boundary +-{result.flyable.error_m / 1000:.0f} km")  # fmt: skip
    for within in ("SY", "RU,IR,SY"):
        countries = B.resolve_within(within, catalog)
        start = time.perf_counter()
        result = B.basing(frame, syria, routing=routing, catalog=catalog, within=countries, top=20)
        t = time.perf_counter() - start
        print(f"flyable basing area + ranking {result.candidates_total} airfields ({within}): {t:.1f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flyable", action="store_true", help="also the flyable benchmarks (minutes)")
    args = parser.parse_args()
    catalog = load_catalog()
    direct_area(catalog)
    ranking(catalog)
    if args.flyable:
        flyable(catalog)


if __name__ == "__main__":
    main()
