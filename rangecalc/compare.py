"""Comparing basing options, and reach tables over many airframe x base combinations.

Flight times use the airframe's ``cruise_speed_kmh`` band: a time band is (distance / high speed,
distance / nominal speed, distance / low speed), so it runs from fastest to slowest. Times exclude
take-off, climb, holding and the attack itself.
"""

from dataclasses import dataclass

import numpy as np

from . import coverage, geodesy
from .errors import UsageError
from .reach import classify, radius_band, region_reach


def flight_times_s(distance_m, speed_mps):
    """One-way times (s) for distances of shape (...,) at a speed band (3,): shape (..., 3), fastest first."""
    speed = np.asarray(speed_mps, dtype=float)[::-1]
    return np.asarray(distance_m, dtype=float)[..., None] / speed


def cruise_speed_mps(airframe):
    """The airframe's cruise speed band in m/s, or None when its file gives none."""
    figure = airframe.figure("cruise_speed_kmh")
    return None if figure is None else figure.values_si()


@dataclass(frozen=True)
class TargetComparison:
    """One target seen from every base: arrays indexed by base (and band)."""

    target: object
    distance_m: np.ndarray  # (n_bases,)
    margins_m: np.ndarray  # (n_bases, 3)
    verdicts: tuple[str, ...]
    one_way_s: np.ndarray | None  # (n_bases, 3) fastest, nominal, slowest
    best: int  # index of the nearest base (the first listed on a tie)
    advantage_m: float | None  # second-nearest minus nearest distance (None with one base)
    advantage_share: float | None  # advantage as a share of the second-nearest distance
    time_saved_s: float | None  # one way, at nominal cruise speed (None with one base or no speed)


@dataclass(frozen=True)
class Comparison:
    """``compare``: one airframe, several bases, targets and optionally a region."""

    airframe: object
    bases: tuple
    radius_m: tuple[float, float, float]
    payload: object
    speed_mps: np.ndarray | None
    targets: tuple[TargetComparison, ...]
    regions: tuple  # one RegionReach per base
    nearest_shares: np.ndarray | None  # share of the region's area nearest to each base
    model: str
    targets_label: str


def compare(
    airframe, bases, targets, region=None, payload_kg=None, model="ellipsoid", targets_label="", catalog=None
):
    """Compare ``bases`` (Places) for ``airframe`` over ``targets`` (Places) and an optional ``region``."""
    seen = {}
    for base in bases:
        key = (round(base.lon, 6), round(base.lat, 6))
        if key in seen:
            raise UsageError(
                f"bases {seen[key]!r} and {base.label!r} are the same place; give each base once"
            )
        seen[key] = base.label
    radius_m, payload = radius_band(airframe, payload_kg)
    speed = cruise_speed_mps(airframe)
    base_lons = np.array([b.lon for b in bases], dtype=float)
    base_lats = np.array([b.lat for b in bases], dtype=float)
    rows = []
    if targets:
        t_lons = np.array([t.lon for t in targets], dtype=float)
        t_lats = np.array([t.lat for t in targets], dtype=float)
        dist = geodesy.distance(
            base_lons[:, None], base_lats[:, None], t_lons[None, :], t_lats[None, :], model
        )
        for j, target in enumerate(targets):
            d = dist[:, j]
            margins = radius_m[None, :] - d[:, None]
            order = np.argsort(d)
            best = int(order[0])
            several = len(bases) > 1
            advantage = float(d[order[1]] - d[best]) if several else None
            share = (
                advantage / float(d[order[1]]) if several and d[order[1]] > 0 else (0.0 if several else None)
            )
            times = flight_times_s(d, speed) if speed is not None else None
            saved = advantage / float(speed[1]) if speed is not None and several else None
            rows.append(
                TargetComparison(
                    target,
                    d,
                    margins,
                    tuple(str(v) for v in classify(margins)),
                    times,
                    best,
                    advantage,
                    share,
                    saved,
                )
            )
    regions, shares = (), None
    if region is not None:
        regions = tuple(region_reach(radius_m, [b], region, catalog) for b in bases)
        if len(bases) > 1:
            shares = coverage.nearest_base_shares(region.geometry, base_lons, base_lats)
    return Comparison(
        airframe,
        tuple(bases),
        tuple(float(r) for r in radius_m),
        payload,
        speed,
        tuple(rows),
        regions,
        shares,
        model,
        targets_label,
    )


@dataclass(frozen=True)
class TableRow:
    """One airframe x base x (target or region) line of a reach table."""

    airframe: object
    base: object
    subject: str  # target or region name
    kind: str  # "target" or "region"
    distance_m: float  # to the target, or to the region's farthest point
    radius_m: tuple[float, float, float]
    margins_m: tuple[float, float, float]
    verdict: str
    covered_share: tuple[float, float, float] | None = None
    farthest: tuple[float, float] | None = None  # (lon, lat) of a region's farthest point


def table_size(airframes, bases, targets, region):
    """How many airframe x base evaluations :func:`reach_table_rows` will make (for progress bars)."""
    return len(airframes) * len(bases)


def reach_table_rows(airframes, bases, targets=(), region=None, payload_kg=None, model="ellipsoid"):
    """Yield :class:`TableRow` for every airframe x base x target (and x region), one base at a time.

    A generator so that a caller can show progress; each airframe x base step yields all its rows.
    """
    t_lons = np.array([t.lon for t in targets], dtype=float)
    t_lats = np.array([t.lat for t in targets], dtype=float)
    for airframe in airframes:
        radius_m, _ = radius_band(airframe, payload_kg)
        radius = tuple(float(r) for r in radius_m)
        for base in bases:
            rows = []
            if len(targets):
                dist = geodesy.distance(base.lon, base.lat, t_lons, t_lats, model)
                margins = radius_m[None, :] - dist[:, None]
                for target, d, m, v in zip(targets, dist, margins, classify(margins), strict=True):
                    rows.append(
                        TableRow(airframe, base, target.label, "target", float(d), radius, tuple(m), str(v))
                    )
            if region is not None:
                rr = region_reach(radius_m, [base], region)
                rows.append(
                    TableRow(
                        airframe,
                        base,
                        region.name,
                        "region",
                        rr.farthest.distance_m,
                        radius,
                        rr.margins_m,
                        rr.verdict,
                        tuple(c.covered_share for c in rr.coverage),
                        (rr.farthest.lon, rr.farthest.lat),
                    )
                )
            yield rows
