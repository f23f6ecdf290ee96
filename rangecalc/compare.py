"""Comparing basing options, and reach tables over many airframe x base combinations.

Flight times use the airframe's ``cruise_speed_kmh`` band: a time band is (distance / high speed,
distance / nominal speed, distance / low speed), so it runs from fastest to slowest. Times exclude
take-off, climb, holding and the attack itself.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from . import coverage
from .errors import RangecalcError, UsageError
from .parallel import as_completed, pool, worker_count
from .reach import SharedRouting, reach
from .routes import Routing


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
    """One target seen from every base: arrays indexed by base (and band).

    ``distance_m`` is the distance flown (the route's length under routing rules, inf without a route),
    ``direct_m`` the direct geodesic.
    """

    target: object
    distance_m: np.ndarray  # (n_bases,)
    margins_m: np.ndarray  # (n_bases, 3)
    verdicts: tuple[str, ...]
    one_way_s: np.ndarray | None  # (n_bases, 3) fastest, nominal, slowest
    best: int | None  # index of the nearest base (the first listed on a tie); None when none has a route
    advantage_m: float | None  # second-nearest minus nearest distance (None with one base or no route)
    advantage_share: float | None  # advantage as a share of the second-nearest distance
    time_saved_s: float | None  # one way, at nominal cruise speed (None with one base or no speed)
    direct_m: np.ndarray | None = None  # (n_bases,)
    reaches: tuple = ()  # the per-base TargetReach (routes, reasons when there is no route)


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
    routing: Routing = field(default_factory=Routing)


def compare(
    airframe,
    bases,
    targets,
    region=None,
    payload_kg=None,
    model="ellipsoid",
    targets_label="",
    catalog=None,
    routing=None,
    *,
    progress=None,
    workers=None,
):
    """Compare ``bases`` (Places) for ``airframe`` over ``targets`` (Places) and an optional ``region``.

    Each base is evaluated with :func:`rangecalc.reach.reach` (so under ``routing`` distances are flyable
    route lengths); the comparison adds flight times, the nearest base per target and by how much, and
    which base is nearest over how much of the region. ``progress``, if given, is called with each base
    once it is done (for progress bars; the library prints nothing). Under active ``routing`` the bases
    are shared out among ``workers`` processes (see :func:`reach_table`); results are the same.
    """
    seen = {}
    for base in bases:
        key = (round(base.lon, 6), round(base.lat, 6))
        if key in seen:
            raise UsageError(
                f"bases {seen[key]!r} and {base.label!r} are the same place; give each base once"
            )
        seen[key] = base.label
    routing = routing or Routing()
    shared = SharedRouting(routing)  # each base's flyable field serves its coverage and the nearest shares
    job = (airframe, tuple(bases), tuple(targets), model, targets_label, payload_kg, region, catalog, routing)
    workers = worker_count(workers, len(bases)) if routing.active else 1
    if workers > 1:
        per_base, grid_fields = _compare_in_workers(job, workers, progress, shared)
    else:
        per_base, grid_fields = [], None
        for b in bases:
            per_base.append(_reach_from(job, b, shared))
            if progress is not None:
                progress(b)
    speed = cruise_speed_mps(airframe)
    rows = []
    several = len(bases) > 1
    for j, target in enumerate(targets):
        reaches = tuple(result.targets[j] for result in per_base)
        d = np.array([r.distance_m for r in reaches])
        margins = np.array([r.margins_m for r in reaches])
        order = np.argsort(d, kind="stable")
        best = int(order[0]) if np.isfinite(d[order[0]]) else None
        advantage = share = saved = None
        # The advantage is a number only when the two nearest bases both have a route.
        if several and best is not None and np.isfinite(d[order[1]]):
            advantage = float(d[order[1]] - d[best])
            share = advantage / float(d[order[1]]) if d[order[1]] > 0 else 0.0
            saved = advantage / float(speed[1]) if speed is not None else None
        times = flight_times_s(d, speed) if speed is not None else None
        rows.append(
            TargetComparison(
                target,
                d,
                margins,
                tuple(r.verdict for r in reaches),
                times,
                best,
                advantage,
                share,
                saved,
                np.array([r.direct_m for r in reaches]),
                reaches,
            )
        )
    regions, shares = (), None
    if region is not None:
        regions = tuple(result.region for result in per_base)
        if several:
            shares = _nearest_shares(bases, region, routing, shared, grid_fields)
    radius = per_base[0].radius_m
    return Comparison(
        airframe,
        tuple(bases),
        radius,
        per_base[0].payload,
        speed,
        tuple(rows),
        regions,
        shares,
        model,
        targets_label,
        routing,
    )


def _nearest_shares(bases, region, routing, shared, grid_fields=None):
    """Share of the region nearest to each base: on the coverage grid of the flyable fields under routing
    (:data:`rangecalc.coverage.FIELD_GRID_POINTS`, whose distances the coverage already computed;
    ``grid_fields`` gives them per base when workers computed them)."""
    lons = np.array([b.lon for b in bases])
    lats = np.array([b.lat for b in bases])
    if not routing.active:
        return coverage.nearest_base_shares(region.geometry, lons, lats)
    glons, glats, _ = coverage.grid_points(region.geometry, coverage.FIELD_GRID_POINTS)
    if grid_fields is None:
        grid_fields = [_grid_field(b, region, shared) for b in bases]
    fields = np.vstack(grid_fields)
    nearest = np.argmin(fields, axis=0)
    dist = fields[nearest, np.arange(glons.size)]
    reached = np.isfinite(dist)  # unreachable points are nobody's: shares then sum to the reachable part
    weights = np.cos(np.radians(glats))
    totals = np.bincount(nearest[reached], weights=weights[reached], minlength=len(bases))
    return totals / weights.sum()


def _grid_field(base, region, shared):
    """The flyable distances from ``base`` at the nodes of ``region``'s coverage grid (remembered)."""
    point = region.geometry.representative_point()
    glons, glats, _ = coverage.grid_points(region.geometry, coverage.FIELD_GRID_POINTS)
    space = shared.airspace([(base.lon, base.lat), (point.x, point.y)])
    return shared.field([base], space)(glons, glats)[0]


_COMPARE_JOB = None


def _compare_in_workers(job, workers, progress, shared):
    """Each base's :func:`reach` (and its field on the region's grid) in worker processes; the results are
    bound again to this process's objects, with flyable fields from ``shared`` (evaluated when asked)."""
    from dataclasses import replace

    airframe, bases, targets, *_, region, _catalog, routing = job
    routing.airspace([(b.lon, b.lat) for b in bases])  # prepared once, before the workers fork
    found = {}
    with pool(workers, _set_compare_job, job) as executor:
        futures = {executor.submit(_compare_base, b): b for b in range(len(bases))}
        for future in as_completed(futures):
            b = futures[future]
            found[b] = future.result()
            if progress is not None:
                progress(bases[b])
    per_base, grid_fields = [], []
    for b, base in enumerate(bases):
        result, grid = found[b]
        rows = tuple(replace(t, target=target) for t, target in zip(result.targets, targets, strict=True))
        area = result.region
        if area is not None:
            space = shared.airspace([(base.lon, base.lat)])
            area = replace(area, region=region, bases=(base,), flyable_field=shared.field([base], space))
        per_base.append(
            replace(result, airframe=airframe, base=base, targets=rows, region=area, routing=routing)
        )
        grid_fields.append(grid)
    return per_base, (grid_fields if region is not None else None)


def _reach_from(job, base, shared):
    airframe, _, targets, model, targets_label, payload_kg, region, catalog, routing = job
    return reach(
        airframe, base, targets, model, targets_label, payload_kg, region, catalog, routing, shared=shared
    )


def _set_compare_job(job):
    global _COMPARE_JOB
    _COMPARE_JOB = job


def _compare_base(b):
    """In a worker: reach from base ``b`` of the compare job, without the objects the parent holds (bound
    again there), and its flyable distances on the region's coverage grid."""
    from dataclasses import replace

    bases, region, routing = _COMPARE_JOB[1], _COMPARE_JOB[6], _COMPARE_JOB[8]
    shared = SharedRouting(routing)
    base = bases[b]
    result = _reach_from(_COMPARE_JOB, base, shared)
    grid = _grid_field(base, region, shared) if region is not None else None
    rows = tuple(replace(t, target=None) for t in result.targets)
    area = result.region
    if area is not None:
        area = replace(area, region=None, bases=(), flyable_field=None)
    return replace(result, airframe=None, base=None, targets=rows, region=area, routing=None), grid


@dataclass(frozen=True)
class TableRow:
    """One airframe x base x (target or region) line of a reach table."""

    airframe: object
    base: object
    subject: str  # target or region name
    kind: str  # "target" or "region"
    distance_m: float  # flown to the target, or to the region's farthest point
    radius_m: tuple[float, float, float]
    margins_m: tuple[float, float, float]
    verdict: str
    covered_share: tuple[float, float, float] | None = None
    farthest: tuple[float, float] | None = None  # (lon, lat) of a region's farthest point
    direct_m: float | None = None  # direct geodesic to a target
    status: str = "ok"  # "ok", "no_route" (no flyable route to it) or "error" (this base cannot be evaluated)
    reason: str = ""  # why, when the status is not "ok"


def reach_table_rows(
    airframes, bases, targets=(), region=None, payload_kg=None, model="ellipsoid", routing=None
):
    """Yield the :class:`TableRow` list of each airframe x base in turn (a generator, for progress bars).

    An airframe x base that cannot be evaluated (a base inside closed airspace, a payload beyond one
    airframe's maximum) gives rows with status "error" and the reason, and the table goes on; when every
    one fails, the last error is raised instead, since the question itself is wrong.
    """
    failed, error = 0, None
    shared = SharedRouting(routing or Routing())  # routes and fields: once per base, not per airframe
    for airframe in airframes:
        for base in bases:
            try:
                rows = _table_rows(airframe, base, targets, region, payload_kg, model, routing, shared)
            except RangecalcError as exc:
                failed, error = failed + 1, exc
                yield _error_rows(airframe, base, targets, region, str(exc))
                continue
            yield rows
    if error is not None and failed == len(airframes) * len(bases):
        raise error


def _table_rows(airframe, base, targets, region, payload_kg, model, routing, shared):
    """The rows of one airframe x base (raises what :func:`rangecalc.reach.reach` raises)."""
    result = reach(airframe, base, list(targets), model, "", payload_kg, region, None, routing, shared=shared)
    rows = [
        TableRow(
            airframe,
            base,
            t.target.label,
            "target",
            t.distance_m,
            result.radius_m,
            t.margins_m,
            t.verdict,
            direct_m=t.direct_m,
            status="no_route" if t.no_route else "ok",
            reason=t.no_route,
        )
        for t in result.targets
    ]
    if region is not None:
        rr = result.region
        rows.append(
            TableRow(
                airframe,
                base,
                region.name,
                "region",
                rr.farthest.distance_m,
                result.radius_m,
                rr.margins_m,
                rr.verdict,
                tuple(c.covered_share for c in rr.coverage),
                (rr.farthest.lon, rr.farthest.lat),
            )
        )
    return rows


def reach_table(airframes, bases, targets=(), region=None, payload_kg=None, model="ellipsoid", routing=None, *,
                progress=None, workers=None):  # fmt: skip
    """Every :class:`TableRow` of the table, airframe by airframe and base by base (see
    :func:`reach_table_rows` for errors).

    Under active ``routing`` the bases are shared out among ``workers`` processes (default: one per core
    this process may use, at most one per base; 1 computes here): each computes its bases' routes and
    flyable fields once for every airframe (the closed airspace is prepared here first, so that forked
    workers inherit it). Rows are the same whatever the number of workers. ``progress``, if given, is
    called with 1 after each airframe x base (for progress bars; the library prints nothing).
    """
    routing = routing or Routing()
    workers = worker_count(workers, len(bases)) if routing.active else 1
    rows = []
    if workers <= 1:
        for step in reach_table_rows(airframes, bases, targets, region, payload_kg, model, routing):
            rows.extend(step)
            if progress is not None:
                progress(1)
        return rows
    from dataclasses import replace

    routing.airspace([(b.lon, b.lat) for b in bases])  # prepared once, before the workers fork
    job = (airframes, bases, tuple(targets), region, payload_kg, model, routing)
    done = {}  # (airframe index, base index) -> rows
    failed, error = 0, None
    with pool(workers, _table_job, job) as executor:
        futures = {executor.submit(_table_base, b): b for b in range(len(bases))}
        for future in as_completed(futures):
            b = futures[future]
            for a, found, exc in future.result():
                if exc is not None:
                    failed, error = failed + 1, exc
                    found = _error_rows(airframes[a], bases[b], targets, region, str(exc))
                done[a, b] = [replace(row, airframe=airframes[a], base=bases[b]) for row in found]
                if progress is not None:
                    progress(1)
    if error is not None and failed == len(airframes) * len(bases):
        raise error
    for a in range(len(airframes)):
        for b in range(len(bases)):
            rows.extend(done[a, b])
    return rows


_TABLE_JOB = None


def _table_job(job):
    global _TABLE_JOB
    _TABLE_JOB = job


def _table_base(b):
    """In a worker: every airframe's rows for base ``b`` of the table job, as (airframe index, rows without
    their airframe and base objects, error or None); one :class:`SharedRouting` serves every airframe."""
    from dataclasses import replace

    airframes, bases, targets, region, payload_kg, model, routing = _TABLE_JOB
    shared = SharedRouting(routing)
    out = []
    for a, airframe in enumerate(airframes):
        try:
            rows = _table_rows(airframe, bases[b], targets, region, payload_kg, model, routing, shared)
        except RangecalcError as exc:
            out.append((a, [], exc))
            continue
        out.append((a, [replace(r, airframe=None, base=None) for r in rows], None))
    return out


def _error_rows(airframe, base, targets, region, reason):
    """The rows of an airframe x base that could not be evaluated: no numbers, status "error"."""
    nan3 = (math.nan,) * 3
    subjects = [(t.label, "target") for t in targets] + ([(region.name, "region")] if region else [])
    return [
        TableRow(airframe, base, name, kind, math.nan, nan3, nan3, "", status="error", reason=reason)
        for name, kind in subjects
    ]
