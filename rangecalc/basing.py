"""Basing search: from where can an airframe cover a whole region (or every target), and which airfields
qualify.

The basing area for a radius R is the set of points from which every point of the subject (a region or a
set of targets) lies within R: the intersection of the geodesic discs of radius R about the subject's
points. For a region it is enough to take the discs about its outline, since distance from a point has no
maximum inside a region (its farthest point from any base is on its outline).

Direct geodesics (:func:`direct_basing_areas`). The outline is first thinned to its convex hull in
longitude/latitude: the region lies inside that hull, so the farthest point of the hull's outline from a
base is at least as far as the region's. Hull vertices are region points; the hull's edges are sampled
every :data:`HULL_STEP_DEG` (their points lie outside the region or on it, so including them can only
shrink the area). Between consecutive samples the distance from any base exceeds the larger of the two
samples' by at most the bow of that short straight lon/lat edge off the geodesic (``bow_m``, metres at
most: the geodesic discs are convex at these radii, below a quarter of the Earth's circumference). Discs
are drawn with :func:`rangecalc.geodesy.ring` at tolerance :data:`BASING_RING_TOLERANCE` (they handle
+-180 deg and the poles) and intersected with shapely.

Conservative by construction: each disc is drawn at ``R - tolerance R - bow_m``, so every point of the
computed area reaches every point of the subject within R; the computed boundary lies inside the true
one by at most ``1.5 tolerance R + bow_m`` plus the hull's excess over the region where that excess is
the farthest part (only for bases whose farthest point falls on a hull edge bridging a concave stretch of
the outline; the ranking of airfields, below, uses region points only and is exact). ``error_m`` states it.

Flyable routes (:func:`flyable_basing_areas`). For a candidate base X the distance to the region's
farthest point is the largest flyable distance from X to the region's outline (the flyable distance has no
maximum inside open airspace either). Routes are symmetric, so it is computed from the outline: for each
of K outline samples one :meth:`~rangecalc.routes.Airspace.distances_to` over all grid nodes, then the
maximum over the K. The grid spans the direct basing area of the largest figure (flyable distances are
never shorter than direct ones, so the flyable area lies inside it) and is contoured with
:func:`rangecalc.coverage.field_reach_polygons`. Errors: outline sampling (samples ``s`` apart along the
outline; the flyable distance changes by at most the distance moved along open outline, so the sampled
maximum is short by at most ``s / 2``) and contouring (about one grid cell). Discs are contoured at
``R - s / 2``, so sampling cannot enlarge the area; the grid cell is stated as a two-sided error.
Outline samples inside closed airspace (a region along a closed neighbour's border) are left out: no base
may fly there; the result's notes say how many.

Candidate airfields (:func:`candidate_airfields`): the bundled bases plus, when the optional
``airportsdata`` package is installed, its airports in the countries asked for. airportsdata gives
neither an airport type nor runways, so the runway filter applies to bundled bases only (airportsdata
entries are then left out) and the airportsdata list includes small strips (``iata_only`` keeps those with
an IATA code, i.e. with scheduled service).

Several bases together (:func:`bases_needed`): the set of at most k candidates that minimises the largest
distance from any region point to its nearest chosen base (a discrete k-centre problem), over a sample of
region points, exact by integer programming (``scipy.optimize.milp``: a set-cover feasibility problem per
trial radius, bisected over the sorted distances), greedy beyond :data:`MILP_MAX_CANDIDATES` candidates
(greedy set cover needs at most ``H(m) ~ ln m + 1`` times the fewest bases for a given radius, m the number
of sample points). The chosen set is then checked with the exact direct coverage
(:func:`rangecalc.coverage.coverage` and :func:`rangecalc.coverage.farthest_point`).
"""

import math
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import coverage, geodesy
from .errors import UsageError

FIGURES = ("low", "nominal", "high")
#: Ring tolerance for basing discs (fraction of the radius; 0.2 km at 2,000 km).
BASING_RING_TOLERANCE = 1e-4
#: Spacing of the samples along the convex hull's edges, degrees (about 25 km).
HULL_STEP_DEG = 0.25
#: Outline vertices this close (degrees, planar) to the hull's outline are kept for farthest distances:
#: a vertex farther inside cannot be a farthest point (see :func:`_far_points`).
HULL_BAND_DEG = 0.25
#: Outline samples for flyable distances (K) and grid nodes for the flyable contour.
FLYABLE_SAMPLES = 64
FLYABLE_GRID_POINTS = 8_000
#: Exact set search above this many candidates (after those covering nothing are dropped) turns greedy.
MILP_MAX_CANDIDATES = 2_000
#: Region sample points for the set search: an interior grid plus the outline.
TEAM_GRID_POINTS = 1_500
#: Airfields closer than this to a bundled base are taken to be that base (metres).
SAME_AIRFIELD_M = 3_000.0


# --- subject geometry ----------------------------------------------------------------------------------


def _unwrapped(lons):
    """Longitudes shifted into one window of less than 360 deg when that shrinks their span (a region or
    target set across +-180 deg), else as given."""
    lons = np.asarray(lons, dtype=float)
    if lons.size == 0 or np.ptp(lons) <= 180.0:
        return lons
    shifted = lons % 360.0
    return shifted if np.ptp(shifted) < np.ptp(lons) else lons


def _coordinates(geometry):
    """(lons, lats, is_area) of a subject: a region's outline vertices (every ring), or the points."""
    if geometry.is_empty:
        raise UsageError("the region or target set is empty")
    parts = shapely.get_parts(geometry)
    is_area = bool(np.any(shapely.get_dimensions(parts) == 2))
    if is_area:
        coords = shapely.get_coordinates(shapely.get_rings(parts[shapely.get_dimensions(parts) == 2]))
    else:
        coords = shapely.get_coordinates(geometry)
    return coords[:, 0], coords[:, 1], is_area


@dataclass(frozen=True)
class Hull:
    """The subject thinned for farthest-point questions.

    ``disc_lons``/``disc_lats``: hull vertices plus samples along the hull edges (area subjects), about
    which the basing discs are drawn; ``far_lons``/``far_lats``: subject points that can be farthest from
    a base (the outline vertices near the hull, or the target points near it); ``bow_m``: the largest bow
    of a straight lon/lat edge between consecutive disc samples off its geodesic.
    """

    disc_lons: np.ndarray
    disc_lats: np.ndarray
    far_lons: np.ndarray
    far_lats: np.ndarray
    bow_m: float
    is_area: bool


def subject_hull(geometry, step_deg=HULL_STEP_DEG, band_deg=HULL_BAND_DEG):
    """The :class:`Hull` of a region or target geometry (lon/lat degrees, split at +-180)."""
    lons, lats, is_area = _coordinates(geometry)
    ulons = _unwrapped(lons)
    points = shapely.multipoints(np.column_stack([ulons, lats]))
    hull = shapely.convex_hull(points)
    if np.ptp(ulons) > 180.0 or hull.geom_type == "Point":
        # No useful lon/lat hull (a subject spanning more than half the globe) or a single point: all.
        return Hull(lons, lats, lons, lats, 0.0, is_area)
    boundary = hull.exterior if hull.geom_type == "Polygon" else hull
    if is_area:
        dense = shapely.get_coordinates(shapely.segmentize(boundary, step_deg))
    else:
        dense = shapely.get_coordinates(boundary)
    dense = np.unique(np.round(dense, 12), axis=0)
    near = shapely.distance(boundary, shapely.points(ulons, lats)) <= band_deg
    far_lons, far_lats = lons[near], lats[near]
    bow = _bow_m(dense[:, 0], dense[:, 1], boundary) if is_area else 0.0
    return Hull(geodesy._wrap180(dense[:, 0]), dense[:, 1], far_lons, far_lats, bow, is_area)


def _bow_m(lons, lats, boundary):
    """Largest distance between the lon/lat midpoint and the geodesic midpoint of consecutive hull samples."""
    ring = shapely.get_coordinates(shapely.segmentize(boundary, HULL_STEP_DEG))
    if len(ring) < 2:
        return 0.0
    a, b = ring[:-1], ring[1:]
    length, azimuth, _ = geodesy.inverse(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    mid_lon, mid_lat, _ = geodesy.direct(a[:, 0], a[:, 1], azimuth, length / 2)
    flat = (a + b) / 2
    off = geodesy.distance(mid_lon, mid_lat, flat[:, 0], flat[:, 1])
    return float(2.0 * np.max(off)) + 1.0  # twice the midpoint offset, plus a metre of slack


def farthest_distances(hull, lons, lats):
    """Direct distance (m) from each base (lon, lat arrays) to the subject's farthest point, and that
    point's index into ``hull.far_lons``. Exact over the subject's points: the farthest outline vertex
    (or target) from any base lies near the hull (see :data:`HULL_BAND_DEG`)."""
    lons, lats = np.atleast_1d(lons).astype(float), np.atleast_1d(lats).astype(float)
    out = np.empty(lons.size)
    idx = np.empty(lons.size, dtype=int)
    block = max(1, (1 << 20) // max(hull.far_lons.size, 1))
    for start in range(0, lons.size, block):
        stop = min(start + block, lons.size)
        d = geodesy.distance(
            lons[start:stop, None], lats[start:stop, None], hull.far_lons[None, :], hull.far_lats[None, :]
        )
        idx[start:stop] = np.argmax(d, axis=1)
        out[start:stop] = d[np.arange(stop - start), idx[start:stop]]
    return out, idx


# --- the direct basing area ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BasingArea:
    """The basing area under one figure: ``geometry`` (lon/lat, split at +-180, possibly empty), its
    geodesic ``area_m2``, ``extent`` (west, south, east, north; west > east across +-180 deg; None when
    empty) and ``countries``:
    ``(id, name, area_m2, share)`` for each country it touches, largest first (share of the basing area)."""

    figure: str
    radius_m: float
    geometry: object
    area_m2: float
    extent: tuple | None
    countries: tuple = ()


@dataclass(frozen=True)
class AreaSet:
    """Basing areas for the three figures, how they were computed, and the stated error bound."""

    areas: tuple
    method: str
    error_m: float  # how far inside the true boundary the computed one may lie (direct), or +- (flyable)
    details: dict = field(default_factory=dict)


def direct_basing_areas(geometry, radii_m, tolerance=BASING_RING_TOLERANCE, hull=None):
    """Direct basing areas (one shapely geometry per radius) of a region or target geometry; returns
    ``(geometries, hull, error_m)``. See the module docstring for the method and the error bound."""
    hull = hull or subject_hull(geometry)
    lons, lats = hull.disc_lons, hull.disc_lats
    a = int(np.argmax(geodesy.distance(lons[0], lats[0], lons, lats)))
    b = int(np.argmax(geodesy.distance(lons[a], lats[a], lons, lats)))
    order = np.array(
        [a, *([b] if b != a else []), *(i for i in range(lons.size) if i not in (a, b))], dtype=int
    )
    geometries = []
    for radius in np.atleast_1d(radii_m).astype(float):
        shrunk = radius * (1.0 - tolerance) - hull.bow_m
        if shrunk <= 0:
            geometries.append(shapely.Polygon())
            continue
        area = None
        # The two samples farthest apart first: they cut the most (an area too wide for the radius is empty
        # after them), so the running intersection stays small.
        for lon, lat in zip(hull.disc_lons[order], hull.disc_lats[order], strict=True):
            disc = geodesy.ring(lon, lat, shrunk, tolerance)
            area = disc if area is None else shapely.intersection(area, disc)
            if area.is_empty:
                break
        geometries.append(_polygonal(area))
    radius_max = float(np.max(radii_m))
    error = 1.5 * tolerance * radius_max + hull.bow_m
    return tuple(geometries), hull, error


def _polygonal(geometry):
    if geometry is None:
        return shapely.Polygon()
    return coverage._polygonal(geometry)


def describe_area(figure, radius_m, geometry, regions=None):
    """A :class:`BasingArea`: geodesic area, extent, and the countries of ``regions`` (Region objects)
    it touches with how much of it lies in each."""
    if geometry.is_empty:
        return BasingArea(figure, float(radius_m), geometry, 0.0, None, ())
    total = coverage.geodesic_area(geometry)
    countries = []
    if regions:
        tree = shapely.STRtree([r.geometry for r in regions])
        for i in tree.query(geometry, predicate="intersects"):
            part = shapely.intersection(geometry, regions[i].geometry)
            a = coverage.geodesic_area(part)
            if a > 0:
                countries.append((regions[i].id, regions[i].name, a, a / total if total else 0.0))
        countries.sort(key=lambda c: -c[2])
    return BasingArea(figure, float(radius_m), geometry, total, _extent(geometry), tuple(countries))


def _extent(geometry):
    """(west, south, east, north); across +-180 deg, west > east (the RFC 7946 bounding-box convention)."""
    west, south, east, north = (float(v) for v in geometry.bounds)
    if east - west > 300.0:
        ulons = _unwrapped(shapely.get_coordinates(geometry)[:, 0])
        if np.ptp(ulons) < 300.0:
            west, east = (float(v) for v in geodesy._wrap180(np.array([ulons.min(), ulons.max()])))
    return (west, south, east, north)


# --- the flyable basing area ----------------------------------------------------------------------------


def outline_samples(geometry, count=FLYABLE_SAMPLES):
    """About ``count`` points evenly spaced (by length) along a region's outline (each ring gets its share,
    at least one); returns ``(lons, lats, spacing_m)``. For targets, the targets (spacing 0)."""
    lons, lats, is_area = _coordinates(geometry)
    if not is_area:
        return lons, lats, 0.0
    dense = shapely.segmentize(geometry, 0.02)
    chosen, total = [], 0.0
    rings = shapely.get_rings(shapely.get_parts(dense))
    lengths = []
    for ring in rings:
        xy = shapely.get_coordinates(ring)
        seg = geodesy.distance(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        lengths.append((xy, seg))
        total += float(seg.sum())
    target = total / max(count, 1)
    spacing = 0.0
    for xy, seg in lengths:
        along = np.concatenate([[0.0], np.cumsum(seg)])
        n = max(round(along[-1] / target), 1)
        marks = np.arange(n) * (along[-1] / n)
        chosen.append(xy[np.clip(np.searchsorted(along, marks), 0, len(xy) - 1)])
        spacing = max(spacing, along[-1] / n)
    pts = np.unique(np.round(np.vstack(chosen), 9), axis=0)
    return pts[:, 0], pts[:, 1], float(spacing)


def flyable_basing_areas(geometry, radii_m, routing, direct_high, hull, *, samples=FLYABLE_SAMPLES,
                         grid_points=FLYABLE_GRID_POINTS, progress=None, closed=None, notes=None):  # fmt: skip
    """Flyable basing areas for ``radii_m`` under ``routing`` (an active Routing without waypoints).

    ``direct_high`` is the direct basing area of the largest radius (the flyable area lies inside it).
    Returns ``(geometries, reach, sample_spacing_m, field_fn)``: ``reach`` the
    :class:`~rangecalc.coverage.FieldReach` (grid, error), ``field_fn(lons, lats, cap=None)`` the flyable
    distance to the subject's farthest sample (for ranking candidates; with the default cap, the largest
    radius, values beyond it are lower bounds only). ``progress(done, total)`` is called after
    each outline sample's pass over the grid.
    """
    if routing.via:
        raise UsageError(
            "basing with --via is not supported: a basing area is where bases may lie, and waypoints "
            "fix the route from an unknown base; use --avoid (and --standoff, --territorial-sea)"
        )
    from .routes import NoRouteError, closed_airspace

    radii = np.atleast_1d(radii_m).astype(float)
    slons, slats, spacing = outline_samples(geometry, samples)
    # Outline samples inside closed airspace (a region along a closed country's border, drawn a little
    # differently on each side) cannot be flown to by anyone: they are left out, and the notes say so.
    closed = closed_airspace(routing) if closed is None else closed
    if not closed.is_empty:
        shut = shapely.intersects_xy(closed, slons, slats)
        if shut.any() and notes is not None:
            notes.append(
                f"{int(shut.sum())} of {slons.size} outline samples lie inside closed airspace and are left "
                "out of the flyable basing area (no base may fly there)"
            )
        slons, slats = slons[~shut], slats[~shut]
    # Samples farthest from the direct area's middle first: they put most nodes beyond every radius at once.
    if not direct_high.is_empty:
        middle = direct_high.representative_point()
        order = np.argsort(-geodesy.distance(middle.x, middle.y, slons, slats))
        slons, slats = slons[order], slats[order]
    points = list(zip(slons.tolist(), slats.tolist(), strict=True))
    if not points:
        raise UsageError("every point of the region lies inside closed airspace: no base can fly there")
    space = routing.airspace(points)
    r_max = float(radii.max())
    unflyable = set()

    def field_fn(lons, lats, report=False, only=None, argmax=None, cap=r_max):
        """Flyable distance to the farthest sample (``only``: just those sample indices, a lower bound);
        ``argmax``, an int array, receives the index of the sample attaining it. With ``cap`` (metres),
        values above it are only lower bounds (the work stops there); ``cap=None`` measures them all."""
        lons = geodesy._wrap180(np.asarray(lons, dtype=float))
        lats = np.asarray(lats, dtype=float)
        lower, _ = farthest_distances(hull, lons, lats)  # direct: a lower bound of the flyable one
        out = lower.copy()
        live = np.arange(lons.size) if cap is None else np.nonzero(lower <= cap)[0]
        for k, start in enumerate(points):
            if live.size and (only is None or k in only) and k not in unflyable:
                try:
                    d = space.distances_to(start, lons[live], lats[live], max_m=cap)
                except NoRouteError:  # a sample walled in, or inside the routing's own closed outline
                    unflyable.add(k)
                    continue
                if argmax is not None:
                    argmax[live[d > out[live]]] = k
                out[live] = np.maximum(out[live], d)
                if cap is not None:
                    live = live[out[live] <= cap]  # beyond every radius already: done
            if report and progress is not None:
                progress(k + 1, len(points))
        return out, np.zeros(lons.size, dtype=int)

    if direct_high.is_empty:
        return tuple(shapely.Polygon() for _ in radii), None, spacing, field_fn
    west, south, east, north = direct_high.bounds
    if east - west > 300.0:  # split at +-180: frame the unwrapped pieces
        ulons = _unwrapped(shapely.get_coordinates(direct_high)[:, 0])
        west, east = float(ulons.min()), float(ulons.max())
    coslat = max(math.cos(math.radians((south + north) / 2)), 0.05)
    step = math.sqrt(max((east - west) * coslat * (north - south), 1e-6) / grid_points)
    pad = 1.5 * step
    frame = (west - pad / coslat, max(south - pad, -90.0), east + pad / coslat, min(north + pad, 90.0))
    grid = {}

    def grid_fn(lons, lats):
        """The grid pass measures every sample; the later passes, which locate where the field turns
        unreachable between grid nodes (the edge of closed airspace), measure only the samples that are
        farthest at the nearest grid nodes: the farthest sample changes little within a grid cell."""
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        if not grid:
            argmax = np.full(lons.size, -1)
            values, nearest = field_fn(lons, lats, True, argmax=argmax)
            from scipy.spatial import cKDTree

            grid.update(tree=cKDTree(np.column_stack([lons * coslat, lats])), argmax=argmax, values=values)
            return values, nearest
        _, near = grid["tree"].query(np.column_stack([lons * coslat, lats]), k=4)
        near_values = grid["values"][near]
        only = set(grid["argmax"][near[np.isfinite(near_values)]].tolist()) - {-1}
        return field_fn(lons, lats, only=only or {0})

    shrink = spacing / 2
    reach = coverage.field_reach_polygons(frame, grid_fn, radii - shrink, step_deg=step)
    geometries = tuple(_polygonal(geodesy.split_at_antimeridian(p)) if not p.is_empty else p
                       for p in reach.polygons)  # fmt: skip
    return geometries, reach, spacing, field_fn


# --- candidate airfields --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Airfield:
    """A candidate base: ``source`` "bundled" (rangecalc's bases) or "airportsdata"."""

    id: str
    name: str
    lon: float
    lat: float
    country: str  # ISO 3166 alpha-3
    source: str
    icao: str | None = None
    iata: str | None = None
    runway_length_m: float | None = None

    @property
    def label(self):
        return self.name


AIRPORTS_HINT = (
    "airportsdata is not installed (pip install 'rangecalc[airports]'); candidates are the bundled bases only"
)


def candidate_airfields(catalog, countries, *, use_airports=True, iata_only=False, min_runway_m=None):
    """Bundled bases and (optionally) airportsdata airports in ``countries`` (Region objects).

    Returns ``(airfields, notes)``: notes say what was left out and why (airportsdata missing, runway
    filter). An airportsdata airport within :data:`SAME_AIRFIELD_M` of a bundled base is that base, and of another
    airportsdata airport the same airfield (listed once).
    """
    notes = []
    wanted3 = {r.id.upper() for r in countries}
    wanted2 = {(r.iso_a2 or "").upper(): r.id.upper() for r in countries if r.iso_a2}
    out = []
    for base in sorted(catalog.bases.values(), key=lambda b: b.id):
        if base.country and base.country.upper() in wanted3:
            if min_runway_m is not None and not (base.runway_length_m or 0) >= min_runway_m:
                continue
            out.append(
                Airfield(
                    base.id,
                    base.name,
                    base.lon,
                    base.lat,
                    base.country.upper(),
                    "bundled",
                    base.icao,
                    base.iata,
                    base.runway_length_m,
                )
            )
    if use_airports:
        if min_runway_m is not None:
            notes.append(
                "airportsdata has no runway lengths: with --min-runway only bundled bases are candidates"
            )
        else:
            try:
                import airportsdata
            except ImportError:
                notes.append(AIRPORTS_HINT)
            else:
                out += _airports(airportsdata.load("ICAO"), wanted2, out, iata_only)
                notes.append(
                    "airportsdata lists airports and strips without type or runway data"
                    + ("; only those with an IATA code kept" if iata_only else "")
                )
    return out, notes


def _airports(table, wanted2, bundled, iata_only):
    rows = [
        a
        for a in table.values()
        if str(a.get("country", "")).upper() in wanted2 and (a.get("iata") or not iata_only)
    ]
    if not rows:
        return []
    # The same airfield listed twice (under two codes): keep the first, preferring one with an IATA code.
    rows.sort(key=lambda a: (not a.get("iata"), a["icao"]))
    lons = np.array([float(a["lon"]) for a in rows])
    lats = np.array([float(a["lat"]) for a in rows])
    keep = np.ones(len(rows), bool)
    # Pairs within SAME_AIRFIELD_M by the exact geodesic (geodesy.within solves it only for pairs near it).
    if len(rows) > 1:
        same = geodesy.within(lons[:, None], lats[:, None], SAME_AIRFIELD_M, lons[None, :], lats[None, :])
        for i in range(len(rows)):
            if keep[i]:
                keep[np.nonzero(same[i, i + 1 :])[0] + i + 1] = False
    if bundled:
        blons = np.array([b.lon for b in bundled])
        blats = np.array([b.lat for b in bundled])
        keep &= ~geodesy.within(
            lons[:, None], lats[:, None], SAME_AIRFIELD_M, blons[None, :], blats[None, :]
        ).any(axis=1)
    return [
        Airfield(
            a["icao"].lower(),
            a["name"],
            float(a["lon"]),
            float(a["lat"]),
            wanted2[str(a["country"]).upper()],
            "airportsdata",
            a["icao"],
            a.get("iata") or None,
        )
        for a, k in zip(rows, keep, strict=True)
        if k
    ]


@dataclass(frozen=True)
class Ranked:
    """One candidate, measured: farthest distance to the subject (m) and where, margins per figure,
    covered shares per figure (None when not computed), one-way time to the farthest point at the cruise
    speed band (fastest, nominal, slowest; None without a speed)."""

    airfield: Airfield
    farthest_m: float
    farthest: tuple  # (lon, lat)
    margins_m: tuple
    shares: tuple
    time_s: tuple | None
    flyable_farthest_m: float | None = None
    flyable_margins_m: tuple | None = None
    flyable_shares: tuple | None = None
    flyable_time_s: tuple | None = None

    @property
    def covers(self):
        """Figures under which this base covers the whole subject (direct)."""
        return tuple(f for f, m in zip(FIGURES, self.margins_m, strict=True) if m >= 0)

    @property
    def flyable_covers(self):
        if self.flyable_margins_m is None:
            return None
        return tuple(f for f, m in zip(FIGURES, self.flyable_margins_m, strict=True) if m >= 0)


def _times(distance_m, speed):
    if speed is None or not math.isfinite(distance_m):
        return None
    return tuple(float(distance_m / s) for s in np.asarray(speed, float)[::-1])


def rank_candidates(airfields, subject_geometry, hull, radii_m, speed_mps=None, top=None, *,
                    is_area=True, flyable_fn=None, routing=None, shares=True):  # fmt: skip
    """Candidates ranked by farthest distance (flyable when ``flyable_fn`` is given: it must measure every
    value exactly, see :func:`_flyable_order`; else direct), nearest first, cut to ``top``. Shares are
    computed for the listed ones only: exact direct coverage (:func:`rangecalc.coverage.coverage`);
    flyable on a coarse grid (:func:`_flyable_shares`)."""
    if not airfields:
        return ()
    lons = np.array([a.lon for a in airfields])
    lats = np.array([a.lat for a in airfields])
    far, idx = farthest_distances(hull, lons, lats)
    fly = None
    if flyable_fn is None:
        order = np.lexsort((np.arange(far.size), far))
        if top is not None:
            order = order[:top]
    else:
        fly, order = _flyable_order(flyable_fn, lons, lats, far, top)
    radii = tuple(float(r) for r in radii_m)
    space = None
    if fly is not None and shares and order.size:
        point = subject_geometry.representative_point()
        space = routing.airspace([*((airfields[i].lon, airfields[i].lat) for i in order), (point.x, point.y)])
    out = []
    for i in order:
        a = airfields[i]
        margins = tuple(r - float(far[i]) for r in radii)
        covered = _direct_shares(subject_geometry, a, radii, margins, is_area) if shares else (None,) * 3
        fly_margins = fly_shares = fly_time = fly_far = None
        if fly is not None:
            fly_far = float(fly[i])
            fly_margins = tuple(r - fly_far for r in radii)
            if shares:
                fly_shares = _flyable_shares(subject_geometry, a, radii, fly_margins, is_area, space)
            fly_time = _times(fly_far, speed_mps)
        out.append(
            Ranked(
                a,
                float(far[i]),
                (float(hull.far_lons[idx[i]]), float(hull.far_lats[idx[i]])),
                margins,
                covered,
                _times(float(far[i]), speed_mps),
                fly_far,
                fly_margins,
                fly_shares,
                fly_time,
            )
        )
    return tuple(out)


def _flyable_order(flyable_fn, lons, lats, far, top, batch=32):
    """The ``top`` candidates with the smallest flyable farthest distance, best first, and the flyable
    distances (nan where not measured). Candidates are measured in order of their direct distance, a
    lower bound of the flyable one, until no unmeasured candidate can enter the top."""
    fly = np.full(far.size, np.nan)
    by_direct = np.argsort(far, kind="stable")
    want = far.size if top is None else min(top, far.size)
    for start in range(0, far.size, batch):
        chunk = by_direct[start : start + batch]
        measured = np.nonzero(np.isfinite(fly) | np.isinf(fly))[0]
        if measured.size >= want:
            kth = np.sort(fly[measured])[want - 1]
            if far[chunk[0]] > kth:
                break
        fly[chunk] = flyable_fn(lons[chunk], lats[chunk])[0]
    measured = np.nonzero(~np.isnan(fly))[0]
    order = measured[np.lexsort((far[measured], fly[measured]))][:want]
    return fly, order


def _direct_shares(geometry, airfield, radii, margins, is_area):
    if not is_area:
        lons, lats, _ = _coordinates(geometry)
        d = geodesy.distance(airfield.lon, airfield.lat, lons, lats)
        return tuple(float(np.mean(d <= r)) for r in radii)
    shares = []
    for r, m in zip(radii, margins, strict=True):
        shares.append(
            1.0 if m >= 0 else coverage.coverage(geometry, airfield.lon, airfield.lat, r).covered_share
        )
    return tuple(shares)


#: Grid points for a listed airfield's flyable covered share.
FLYABLE_SHARE_POINTS = 1_000


def _flyable_shares(geometry, airfield, radii, margins, is_area, space):
    """Covered shares on flyable routes: targets counted, a region on a grid of
    :data:`FLYABLE_SHARE_POINTS` weighted by cos(latitude); points beyond the largest radius by direct
    geodesic are not routed (a route is never shorter)."""
    if all(m >= 0 for m in margins):
        return (1.0,) * len(radii)
    start = (airfield.lon, airfield.lat)
    if is_area:
        lons, lats, _ = coverage.grid_points(geometry, FLYABLE_SHARE_POINTS)
        weights = np.cos(np.radians(lats))
    else:
        lons, lats, _ = _coordinates(geometry)
        weights = np.ones(lons.size)
    from .routes import NoRouteError

    d = geodesy.distance(start[0], start[1], lons, lats)
    live = d <= max(radii)
    if live.any():
        try:
            d[live] = space.distances_to(start, lons[live], lats[live], max_m=max(radii))
        except NoRouteError:  # an airfield inside closed airspace reaches nothing
            return (0.0,) * len(radii)
    total = weights.sum()
    return tuple(
        1.0 if m >= 0 else float(weights[d <= r].sum() / total) for r, m in zip(radii, margins, strict=True)
    )


# --- several bases together -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    """The best set of at most ``k`` candidates covering the subject together under ``radius_m``.

    ``members`` is empty when no set does (``needed_m``: the smallest covering radius any set of k
    reaches over the sample). ``sample_margin_m`` is the margin over the sample points; ``margin_m`` and
    ``covered_share`` come from the exact direct coverage check of the chosen set; ``method`` says exact
    (MILP) or greedy, with its bound.
    """

    k: int
    figure: str
    radius_m: float
    members: tuple
    needed_m: float
    sample_margin_m: float
    margin_m: float | None
    covered_share: float | None
    farthest: tuple | None
    method: str
    sample_points: int


def team_sample(geometry, n_points=TEAM_GRID_POINTS):
    """Region points for the set search: interior grid plus the outline every ~5 km (targets: themselves)."""
    lons, lats, is_area = _coordinates(geometry)
    if not is_area:
        return lons, lats
    glons, glats, _ = coverage.grid_points(geometry, n_points)
    blons, blats = coverage.boundary_points(geometry, 0.05)
    return np.concatenate([glons, blons]), np.concatenate([glats, blats])


def k_centre(distances_m, k, radius_m=None, max_exact=MILP_MAX_CANDIDATES):
    """Choose at most ``k`` rows (candidates) of ``distances_m`` (candidates x points) minimising the
    largest distance from a point to its nearest chosen row.

    Returns ``(rows, radius, exact)``: the chosen row indices, the covering radius they achieve, and
    whether that is proven optimal (MILP) or greedy. With ``radius_m``, rows are first cut to those
    useful within it, and when not even that radius can be covered with k rows, ``rows`` is empty and
    ``radius`` is a lower bound (exact) or greedy's best.
    """
    D = np.asarray(distances_m, dtype=float)
    n, _m = D.shape
    if k < 1:
        raise UsageError(f"--bases-needed must be at least 1, got {k}")
    # The best single-point lower bound: each point needs some row within the radius.
    lower = float(np.max(np.min(D, axis=0)))
    values = np.unique(D[lower <= D])
    exact = n <= max_exact
    cover = _cover_exact if exact else _cover_greedy

    def feasible(rho):
        return cover(rho >= D, k)

    top = float(values[-1])
    if radius_m is not None and radius_m < top:
        top = float(radius_m)
    best = feasible(top)
    if best is None:
        return (), top, exact
    lo, hi = 0, int(np.searchsorted(values, top, side="right")) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        found = feasible(values[mid])
        if found is None:
            lo = mid + 1
        else:
            hi, best = mid, found
    rows = tuple(int(r) for r in best)
    achieved = float(np.max(np.min(D[list(rows)], axis=0)))
    return rows, achieved, exact


def _cover_exact(A, k):
    """Rows of boolean ``A`` (rows x points) covering every point, at most k of them (fewest), or None."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    _n, _m = A.shape
    if not A.any(axis=0).all():
        return None
    useful = np.nonzero(A.any(axis=1))[0]
    sub = A[useful].T.astype(float)  # points x rows
    # Points with identical covering rows need one constraint.
    sub = np.unique(sub, axis=0)
    res = milp(
        c=np.ones(useful.size),
        constraints=[LinearConstraint(sub, lb=1.0, ub=np.inf)],
        integrality=np.ones(useful.size),
        bounds=Bounds(0, 1),
        options={"time_limit": 30.0},
    )
    if res.status != 0 or res.x is None:
        if res.status == 1:  # time limit: fall back to greedy for this radius
            return _cover_greedy(A, k)
        return None
    chosen = useful[np.nonzero(res.x > 0.5)[0]]
    return chosen if chosen.size <= k else None


def _cover_greedy(A, k):
    left = np.ones(A.shape[1], bool)
    chosen = []
    while left.any() and len(chosen) < k:
        gain = (A & left).sum(axis=1)
        best = int(np.argmax(gain))
        if gain[best] == 0:
            return None
        chosen.append(best)
        left &= ~A[best]
    return np.array(chosen) if not left.any() else None


def bases_needed(airfields, geometry, radius_m, k, figure="nominal", *, max_exact=MILP_MAX_CANDIDATES):
    """The :class:`Team` of at most ``k`` of ``airfields`` covering ``geometry`` within ``radius_m``,
    each point from its nearest member, with the largest margin (direct geodesics). When none does, the
    team has no members and ``needed_m`` is the smallest radius any k of them need over the sample."""
    if not airfields:
        return Team(k, figure, float(radius_m), (), math.inf, -math.inf, None, None, None, "no candidates", 0)
    plons, plats = team_sample(geometry)
    lons = np.array([a.lon for a in airfields])
    lats = np.array([a.lat for a in airfields])
    D = geodesy.distance(lons[:, None], lats[:, None], plons[None, :], plats[None, :])
    useful = np.nonzero((radius_m >= D).any(axis=1))[0]  # a base reaching no point cannot help
    rows, achieved, exact = (), math.inf, True
    if useful.size:
        rows, achieved, exact = k_centre(D[useful], k, radius_m, max_exact)
    if not rows:
        # None covers it: the smallest radius any k of them would need, over every candidate.
        _, achieved, exact = k_centre(D, k, None, max_exact)
        useful = np.arange(len(airfields))
    how = (
        f"exact over {plons.size:,} region points (integer programming, scipy.optimize.milp, "
        f"{useful.size} useful candidates)"
        if exact
        else f"greedy over {plons.size:,} region points ({useful.size} useful candidates, more than "
        f"{max_exact}): the covering radius found is an upper bound of the best (greedy set cover may need "
        f"up to ln({plons.size}) + 1 = {math.log(plons.size) + 1:.1f} times the fewest bases for a radius)"
    )
    if not rows:
        return Team(k, figure, float(radius_m), (), achieved, float(radius_m) - achieved, None, None, None,
                    how, plons.size)  # fmt: skip
    members = tuple(airfields[useful[r]] for r in rows)
    mlons = np.array([a.lon for a in members])
    mlats = np.array([a.lat for a in members])
    if _coordinates(geometry)[2]:
        cov = coverage.coverage(geometry, mlons, mlats, radius_m)
        far = coverage.farthest_point(geometry, mlons, mlats)
        share, margin, where = cov.covered_share, float(radius_m) - far.distance_m, (far.lon, far.lat)
    else:
        d, _ = coverage.nearest_distance(mlons, mlats, plons, plats)
        share, margin = float(np.mean(d <= radius_m)), float(radius_m - d.max())
        where = (float(plons[np.argmax(d)]), float(plats[np.argmax(d)]))
    return Team(k, figure, float(radius_m), members, achieved, float(radius_m) - achieved, margin, share,
                where, how, plons.size)  # fmt: skip


# --- the whole question -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BasingResult:
    """``rangecalc basing``: the basing areas (direct, and flyable under routing) and the ranked airfields."""

    airframe: object
    subject: str  # region name or targets label
    region: object  # Region or None
    targets: tuple  # Places (when no region)
    radius_m: tuple
    payload: object
    direct: AreaSet
    flyable: AreaSet | None
    candidates: tuple  # Ranked, best first
    candidates_total: int
    within: tuple  # Regions whose airfields may be used
    notes: tuple
    speed_mps: object
    routing: object
    team: Team | None = None
    closed: object = None  # closed airspace geometry (lon/lat) or None


def subject_geometry(region=None, targets=()):
    """The geometry a basing question is about: the region's, or the targets as a MultiPoint."""
    if region is not None:
        return region.geometry
    if not targets:
        raise UsageError("basing needs --region, --targets or --targets-file")
    return shapely.multipoints([(t.lon, t.lat) for t in targets])


def basing(
    airframe,
    region=None,
    targets=(),
    payload_kg=None,
    routing=None,
    catalog=None,
    within=(),
    *,
    top=20,
    bases_needed_k=None,
    figure="nominal",
    min_runway_m=None,
    use_airports=True,
    iata_only=False,
    targets_label="",
    flyable_samples=FLYABLE_SAMPLES,
    flyable_grid_points=FLYABLE_GRID_POINTS,
    progress=None,
):
    """Answer the basing question for ``airframe`` over ``region`` (a Region) or ``targets`` (Places).

    ``within`` are the countries (Regions) whose airfields may be used (none: no candidates are ranked).
    ``progress(stage, done, total)`` reports the slow stages ("flyable": outline samples over the grid).
    See the module docstring for every method and error bound.
    """
    from .compare import cruise_speed_mps
    from .reach import radius_band
    from .regions import all_regions
    from .routes import Routing, closed_airspace

    routing = routing or Routing()
    if top is not None and top < 1:
        raise UsageError(f"--top must be at least 1, got {top}")
    if figure not in FIGURES:
        raise UsageError(f"--figure must be one of {', '.join(FIGURES)}, got {figure!r}")
    radius_m, payload = radius_band(airframe, payload_kg)
    radii = tuple(float(r) for r in radius_m)
    geometry = subject_geometry(region, targets)
    is_area = region is not None
    world = list(all_regions(catalog).values()) if catalog is not None else []
    geoms, hull, error = direct_basing_areas(geometry, radii)
    direct = AreaSet(
        tuple(describe_area(f, r, g, world) for f, r, g in zip(FIGURES, radii, geoms, strict=True)),
        "intersection of geodesic discs about the subject's convex hull (WGS84), conservative",
        error,
        {
            "hull_points": int(hull.disc_lons.size),
            "bow_m": hull.bow_m,
            "ring_tolerance": BASING_RING_TOLERANCE,
        },
    )
    flyable, flyable_fn, closed, area_notes = None, None, None, []
    if routing.active:
        report = None if progress is None else (lambda done, total: progress("flyable", done, total))
        closed = closed_airspace(routing)
        fgeoms, reach_grid, spacing, flyable_fn = flyable_basing_areas(
            geometry, radii, routing, geoms[-1], hull, samples=flyable_samples,
            grid_points=flyable_grid_points, progress=report, closed=closed, notes=area_notes,
        )  # fmt: skip
        cell = reach_grid.error_m if reach_grid is not None else 0.0
        details = {"sample_spacing_m": spacing, "samples": int(_samples_count(geometry, flyable_samples))}
        if reach_grid is not None:
            details.update(
                grid_step_lat_deg=reach_grid.step_lat_deg,
                grid_step_lon_deg=reach_grid.step_lon_deg,
                evaluations=reach_grid.evaluations,
                grid_error_m=cell,
            )
        method = (
            f"flyable distances {routing.describe()}: farthest of {details['samples']} outline samples "
            f"about {spacing / 1000:.0f} km apart (areas drawn {spacing / 2000:.0f} km short of each radius "
            f"so that sampling cannot enlarge them), "
            + (reach_grid.resolution if reach_grid is not None else "no grid: the direct area is empty")
        )
        flyable = AreaSet(
            tuple(describe_area(f, r, g, world) for f, r, g in zip(FIGURES, radii, fgeoms, strict=True)),
            method,
            cell,
            details,
        )
    notes, airfields = [], []
    if within:
        airfields, notes = candidate_airfields(
            catalog, within, use_airports=use_airports, iata_only=iata_only, min_runway_m=min_runway_m
        )
    notes = [*area_notes, *notes]
    speed = cruise_speed_mps(airframe)
    uncapped = None if flyable_fn is None else (lambda lons, lats: flyable_fn(lons, lats, cap=None))
    ranked = rank_candidates(
        airfields, geometry, hull, radii, speed, top, is_area=is_area, flyable_fn=uncapped, routing=routing
    )
    team = None
    if bases_needed_k is not None:
        if not within:
            raise UsageError("--bases-needed needs --within: the countries whose airfields may be used")
        team = bases_needed(airfields, geometry, radii[FIGURES.index(figure)], bases_needed_k, figure)
    return BasingResult(
        airframe,
        region.name if region is not None else (targets_label or f"{len(targets)} targets"),
        region,
        tuple(targets),
        radii,
        payload,
        direct,
        flyable,
        ranked,
        len(airfields),
        tuple(within),
        tuple(notes),
        speed,
        routing,
        team,
        closed,
    )


def _samples_count(geometry, count):
    return outline_samples(geometry, count)[0].size


def resolve_within(text, catalog):
    """Countries from ``--within`` text: 'RU,IR,SY' (ISO2, ISO3 or names)."""
    from .regions import resolve_region

    if text is None:
        return ()
    items = [t.strip() for t in text.split(",")]
    if not all(items):
        raise UsageError(f"--within needs comma-separated countries without empty items, got {text!r}")
    return tuple({r.id: r for r in (resolve_region(t, catalog) for t in items)}.values())


__all__ = [
    "Airfield",
    "AreaSet",
    "BasingArea",
    "BasingResult",
    "Ranked",
    "Team",
    "bases_needed",
    "basing",
    "candidate_airfields",
    "direct_basing_areas",
    "flyable_basing_areas",
    "k_centre",
    "rank_candidates",
    "resolve_within",
    "subject_hull",
]


# --- the canonical form ---------------------------------------------------------------------------------

#: The ``schema`` of :func:`basing_dict` (docs/schemas/basing.schema.json).
SCHEMA = "rangecalc/basing/1"


def basing_dict(result, unit="km"):
    """The JSON-shaped dict of a :class:`BasingResult` (documented in docs/basing.md and
    docs/schemas/basing.schema.json): distances in ``unit``, areas in square ``unit``, times in seconds,
    shares in [0, 1]. Text, CSV and maps are renderings of it or of the result."""
    from .units import metres_to

    def dist(m):
        if m is None:
            return None
        value = float(metres_to(float(m), unit))
        return value if math.isfinite(value) else None

    def area2(m2):
        return float(m2) * float(metres_to(1.0, unit)) ** 2

    def bands(values, key):
        return {
            f"{f}_{unit}" if key is None else f"{key}_{f}_{unit}": dist(v)
            for f, v in zip(FIGURES, values, strict=True)
        }

    def areas(area_set):
        if area_set is None:
            return None
        out = []
        for a in area_set.areas:
            extent = None
            if a.extent is not None:
                extent = dict(
                    zip(("west", "south", "east", "north"), (float(v) for v in a.extent), strict=True)
                )
            out.append(
                {
                    "figure": a.figure,
                    f"radius_{unit}": dist(a.radius_m),
                    f"area_{unit}2": area2(a.area_m2),
                    "empty": a.geometry.is_empty,
                    "extent": extent,
                    "countries": [
                        {"id": cid, "name": name, f"area_{unit}2": area2(m2), "share": share}
                        for cid, name, m2, share in a.countries
                    ],
                }
            )
        details = {}
        for k, v in area_set.details.items():
            if k.endswith("_m"):
                details[f"{k[:-2]}_{unit}"] = dist(v)
            else:
                details[k] = v
        return {"method": area_set.method, f"error_{unit}": dist(area_set.error_m), **details, "areas": out}

    def times(t):
        return None if t is None else dict(zip(("fastest", "nominal", "slowest"), t, strict=True))

    def measures(far_m, margins, shares, covers, t, where=None):
        out = {
            f"farthest_{unit}": dist(far_m),
            **{f"margin_{f}_{unit}": dist(m) for f, m in zip(FIGURES, margins, strict=True)},
            "covers": list(covers),
            "covered_share": dict(zip(FIGURES, shares, strict=True)),
            "one_way_time_s": times(t),
        }
        if where is not None:
            out["farthest_point"] = {"lon": where[0], "lat": where[1]}
        return out

    candidates = []
    for rank, c in enumerate(result.candidates, 1):
        a = c.airfield
        item = {
            "rank": rank,
            "id": a.id,
            "name": a.name,
            "lat": a.lat,
            "lon": a.lon,
            "country": a.country,
            "source": a.source,
            "icao": a.icao,
            "iata": a.iata,
            "runway_length_m": a.runway_length_m,
            "direct": measures(c.farthest_m, c.margins_m, c.shares, c.covers, c.time_s, c.farthest),
            "flyable": None,
        }
        if c.flyable_margins_m is not None:
            item["flyable"] = measures(
                c.flyable_farthest_m,
                c.flyable_margins_m,
                c.flyable_shares,
                c.flyable_covers,
                c.flyable_time_s,
            )
        candidates.append(item)
    team = None
    if result.team is not None:
        t = result.team
        team = {
            "k": t.k,
            "figure": t.figure,
            f"radius_{unit}": dist(t.radius_m),
            "found": bool(t.members),
            "members": [
                {
                    "id": m.id,
                    "name": m.name,
                    "lat": m.lat,
                    "lon": m.lon,
                    "country": m.country,
                    "source": m.source,
                }
                for m in t.members
            ],
            f"covering_radius_{unit}": dist(t.needed_m),
            f"sample_margin_{unit}": dist(t.sample_margin_m),
            f"margin_{unit}": dist(t.margin_m),
            "covered_share": t.covered_share,
            "farthest_point": None if t.farthest is None else {"lon": t.farthest[0], "lat": t.farthest[1]},
            "method": t.method,
            "sample_points": t.sample_points,
        }
    region = result.region
    subject = {"kind": "region" if region is not None else "targets", "name": result.subject}
    if region is not None:
        subject["id"] = region.id
    else:
        subject["targets"] = [t.as_dict() for t in result.targets]
    return {
        "schema": SCHEMA,
        "airframe": {"id": result.airframe.id, "name": result.airframe.name},
        "subject": subject,
        "unit": unit,
        "payload_kg": None if result.payload is None else float(result.payload.payload_kg),
        "radius": bands(result.radius_m, None),
        "routing": result.routing.describe() if result.routing.active else None,
        "direct": areas(result.direct),
        "flyable": areas(result.flyable),
        "within": [{"id": r.id, "name": r.name} for r in result.within],
        "candidates_total": result.candidates_total,
        "notes": list(result.notes),
        "candidates": candidates,
        "bases_needed": team,
    }


# --- where one base stands (for claims) --------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where a base stands against the basing area of one figure and one way of flying (``mode`` "direct"
    or "flyable"): ``farthest_m`` to the region's farthest point, ``margin_m`` = radius - farthest (the base
    is inside when it is >= 0), ``boundary_m`` the signed geodesic distance to the computed area's
    boundary (positive inside; None when the area is empty)."""

    mode: str
    figure: str
    radius_m: float
    farthest_m: float
    margin_m: float
    inside: bool
    boundary_m: float | None


@dataclass(frozen=True)
class BasePosition:
    """A base against a region's basing areas, and the best airfields of some countries inside them."""

    base: object
    region: object
    standings: tuple  # Standing: direct low/nominal/high, then flyable ones under routing
    airfields: tuple  # Ranked, best first, inside under at least the high figure
    direct_error_m: float
    flyable_error_m: float | None
    flyable_method: str | None
    notes: tuple


#: Around a base, the flyable basing area's nearest edge is sought on rings every :data:`NEAR_STEP_M` out to
#: :data:`NEAR_MAX_M` on :data:`NEAR_DIRECTIONS` bearings, then located by bisection along the
#: :data:`NEAR_REFINE` bearings where it comes nearest (:data:`NEAR_BISECTIONS` halvings).
NEAR_STEP_M, NEAR_MAX_M, NEAR_DIRECTIONS, NEAR_REFINE, NEAR_BISECTIONS = 50_000.0, 400_000.0, 16, 3, 3


def _signed_boundary_m(geometry, lon, lat):
    """Signed geodesic distance (m) from (lon, lat) to a polygon's boundary, positive inside (None if empty)."""
    if geometry.is_empty:
        return None
    rings = shapely.get_rings(shapely.get_parts(shapely.segmentize(geometry, 0.05)))
    coords = shapely.get_coordinates(rings)
    d = float(np.min(geodesy.distance(lon, lat, coords[:, 0], coords[:, 1])))
    return d if shapely.intersects_xy(geometry, lon, lat) else -d


def _near_edge(base, field_fn, radii, own):
    """Per radius, the signed distance (m) from ``base`` to the nearest point on the other side of the
    edge of {field <= radius} (positive when the base is inside), on a polar grid refined by bisection
    (see :data:`NEAR_STEP_M`); None when nothing within :data:`NEAR_MAX_M` is on the other side."""
    rings = np.arange(NEAR_STEP_M, NEAR_MAX_M + 1, NEAR_STEP_M)
    bearings = np.linspace(0, 360, NEAR_DIRECTIONS, endpoint=False)
    rr, aa = np.meshgrid(rings, bearings)  # (bearing, ring)
    lons, lats, _ = geodesy.direct(base.lon, base.lat, aa.ravel(), rr.ravel())
    values = field_fn(lons, lats).reshape(rr.shape)
    out = []
    for radius in radii:
        inside_here = own <= radius
        other = (values <= radius) != inside_here
        if not other.any():
            out.append(None)
            continue
        first = np.where(other.any(axis=1), other.argmax(axis=1), rings.size)  # first ring index per bearing
        chosen = np.argsort(first)[:NEAR_REFINE]
        chosen = chosen[first[chosen] < rings.size]
        lo = np.where(first[chosen] > 0, rings[np.maximum(first[chosen] - 1, 0)], 0.0)  # same side as base
        hi = rings[first[chosen]]  # other side
        for _ in range(NEAR_BISECTIONS):
            mid = (lo + hi) / 2
            mlons, mlats, _ = geodesy.direct(base.lon, base.lat, bearings[chosen], mid)
            flipped = (field_fn(mlons, mlats) <= radius) != inside_here
            hi, lo = np.where(flipped, mid, hi), np.where(flipped, lo, mid)
        d = float(np.min((lo + hi) / 2))
        out.append(d if inside_here else -d)
    return out


def base_position(radii_m, region, base, routing, catalog, countries, *, flyable_farthest_m=None, top=3,
                  samples=32):  # fmt: skip
    """Where ``base`` (a Place) stands against ``region``'s basing areas for ``radii_m`` (low, nominal,
    high), direct and (under an active ``routing`` without waypoints) flyable, and the ``top`` airfields of
    ``countries`` (Regions) nearest to covering the region that lie inside the area of at least the high
    figure.

    The distance to each area's boundary (positive inside) is the geodesic distance to the nearest point of
    the direct area's polygon, and for the flyable area the nearest point on the other side of its edge on a
    polar grid about the base (:data:`NEAR_STEP_M` apart, to :data:`NEAR_MAX_M`). Flyable distances are the
    maximum over ``samples`` outline points (see :func:`flyable_basing_areas`), taken ``spacing / 2``
    longer so that the sampling never puts a base inside wrongly; ``flyable_farthest_m``, when the caller
    measured the base's own farthest distance more finely, replaces its sampled value. Airfields are searched in order
    of their direct farthest distance (a lower bound of the flyable one), so the best are found exactly
    without measuring every airfield's flyable distance.
    """
    radii = tuple(float(r) for r in radii_m)
    geometry = region.geometry
    hull = subject_hull(geometry)
    far, _ = farthest_distances(hull, [base.lon], [base.lat])
    geoms, _, error = direct_basing_areas(geometry, radii, hull=hull)
    standings = [
        Standing("direct", f, r, float(far[0]), r - float(far[0]), bool(r >= far[0]),
                 _signed_boundary_m(g, base.lon, base.lat))
        for f, r, g in zip(FIGURES, radii, geoms, strict=True)
    ]  # fmt: skip
    fly_fn, fly_method, fly_error = None, None, None
    if routing.active and not routing.via:
        from .routes import closed_airspace

        slons, slats, spacing = outline_samples(geometry, samples)
        shut = shapely.intersects_xy(closed_airspace(routing), slons, slats)  # nobody flies there
        slons, slats = slons[~shut], slats[~shut]
        order = np.argsort(-geodesy.distance(base.lon, base.lat, slons, slats))
        points = list(zip(slons[order].tolist(), slats[order].tolist(), strict=True))
        space = routing.airspace([*points, (base.lon, base.lat)])
        limit = max(radii) + spacing

        starts = [p for p in points if space.closed_country_at(*p) is None]  # walled in: nobody flies there

        def fly_fn(lons, lats):
            lons, lats = np.asarray(lons, float), np.asarray(lats, float)
            out, _ = farthest_distances(hull, lons, lats)
            live = np.nonzero(out <= limit)[0]
            if live.size and starts:
                d = space.distances_from(starts, lons[live], lats[live], max_m=limit)
                # The farthest sample, each point's value frozen at the first sample (in order) that puts it
                # beyond the limit: only that far is exact (see Airspace.distances_to).
                running = np.maximum.accumulate(np.vstack([out[live][None, :], d]), axis=0)
                beyond = running > limit
                first = np.where(beyond.any(axis=0), beyond.argmax(axis=0), len(starts))
                out[live] = running[first, np.arange(live.size)]
            return out

        sampled = float(fly_fn([base.lon], [base.lat])[0])
        # The base's own farthest distance: as measured by the caller, else sampled and taken half a sample
        # spacing longer (the most sampling can miss). Around the base the sampled field is shifted by the
        # same amount, so that the edge search agrees with the base's own standing.
        own = flyable_farthest_m if flyable_farthest_m is not None else sampled + spacing / 2
        shift = own - sampled if math.isfinite(own - sampled) else spacing / 2

        def local_fn(lons, lats):
            return fly_fn(lons, lats) + shift

        def conservative_fn(lons, lats):
            return fly_fn(lons, lats) + spacing / 2

        near = _near_edge(base, local_fn, radii, own)
        standings += [
            Standing("flyable", f, r, own, r - own, bool(r >= own), e)
            for f, r, e in zip(FIGURES, radii, near, strict=True)
        ]
        fly_error = spacing / 2
        fly_method = (
            f"flyable distances {routing.describe()} to {len(points)} outline samples about "
            f"{spacing / 1000:.0f} km apart, taken {spacing / 2000:.0f} km longer for airfields (the most sampling "
            f"can miss) and shifted to the base's own farthest distance around it; "
            f"the nearest edge sought on {NEAR_DIRECTIONS} bearings every {NEAR_STEP_M / 1000:.0f} km out to "
            f"{NEAR_MAX_M / 1000:.0f} km, then by bisection to {NEAR_STEP_M / 2**NEAR_BISECTIONS / 1000:.0f} km "
            f"along the {NEAR_REFINE} nearest bearings"
        )
    airfields, notes = candidate_airfields(catalog, countries)
    best = _best_inside(airfields, hull, radii, conservative_fn if fly_fn is not None else None, top)
    return BasePosition(base, region, tuple(standings), best, error, fly_error, fly_method, tuple(notes))


def _best_inside(airfields, hull, radii, fly_fn, top, batch=8):
    """The ``top`` airfields with the smallest (flyable, else direct) farthest distance that is within the
    high radius, as Ranked; branch and bound on the direct distance, a lower bound of the flyable one."""
    if not airfields:
        return ()
    lons = np.array([a.lon for a in airfields])
    lats = np.array([a.lat for a in airfields])
    far, idx = farthest_distances(hull, lons, lats)
    order = np.argsort(far)
    order = order[far[order] <= radii[-1]]
    found = []  # (distance, i)
    for start in range(0, order.size, batch):
        chunk = order[start : start + batch]
        if len(found) >= top and far[chunk[0]] > found[top - 1][0]:
            break
        d = far[chunk] if fly_fn is None else fly_fn(lons[chunk], lats[chunk])
        found += [(float(v), int(i)) for v, i in zip(d, chunk, strict=True) if v <= radii[-1]]
        found.sort()
    out = []
    for d, i in found[:top]:
        margins = tuple(r - float(far[i]) for r in radii)
        where = (float(hull.far_lons[idx[i]]), float(hull.far_lats[idx[i]]))
        fly = None if fly_fn is None else tuple(r - d for r in radii)
        out.append(Ranked(airfields[i], float(far[i]), where, margins, (None,) * 3, None,
                          None if fly_fn is None else d, fly, None, None))  # fmt: skip
    return tuple(out)
