"""Coverage of a region by reach rings: covered share, uncovered parts, farthest point, nearest base.

Covered share is exact polygon geometry: the region intersected with the union of geodesic rings drawn to
within :data:`COVERAGE_RING_TOLERANCE` of their radius, measured as geodesic area on WGS84. Its error is
dominated by the ring tolerance (0.01 % of R, well under 0.1 percentage points for country-sized regions).

The farthest point maximises the distance to the nearest base over the region. It is searched on the
region's boundary densified to :data:`BOUNDARY_STEP_DEG` (where the maximum lies for a single base, since
distance from a point has no interior maximum) plus an interior grid for several bases (where maxima can
lie inside, on the lines equidistant from two or three bases), then refined by a local pattern search to
about 50 m. Its distance is the radius needed to cover the whole region.
"""

import math
from dataclasses import dataclass

import numpy as np
import shapely

from . import geodesy
from .errors import UsageError

COVERAGE_RING_TOLERANCE = 1e-4
#: Boundary sampling step for the farthest-point search, in degrees (about 1 km).
BOUNDARY_STEP_DEG = 0.01
#: Interior grid points for the farthest-point search and the nearest-base shares.
GRID_POINTS = 40_000
#: Grid points for coverage of a distance field (flyable distances). Measured on Syria from Mozdok around
#: Turkey, Georgia and Azerbaijan: shares at 10,000 points are within 0.1 percentage point of 80,000.
FIELD_GRID_POINTS = 10_000
#: Most outline points a distance field is evaluated at before the pattern search (a long outline is
#: thinned to every k-th point; Syria's 1,166 are all kept, the USA's 34,172 become 4,000).
FIELD_BOUNDARY_POINTS = 4_000


@dataclass(frozen=True)
class Coverage:
    """How much of a region is within reach: shares in [0, 1], areas in square metres."""

    covered_share: float
    covered_area_m2: float
    region_area_m2: float
    uncovered: object  # shapely geometry (possibly empty)


@dataclass(frozen=True)
class FarthestPoint:
    """The point of the region farthest from its nearest base."""

    lon: float
    lat: float
    distance_m: float
    nearest_base: int  # index into the bases given


def geodesic_area(geometry):
    """Geodesic area of a lon/lat geometry on WGS84, in square metres."""
    if geometry.is_empty:
        return 0.0
    return abs(geodesy.GEOD.geometry_area_perimeter(geometry)[0])


def _bases(base_lons, base_lats):
    lons = np.atleast_1d(np.asarray(base_lons, dtype=float))
    lats = np.atleast_1d(np.asarray(base_lats, dtype=float))
    if lons.shape != lats.shape or lons.ndim != 1 or lons.size == 0:
        raise UsageError("coverage needs one or more bases, given as equal-length lon and lat arrays")
    return lons, lats


def reach_union(base_lons, base_lats, radii_m, tolerance=COVERAGE_RING_TOLERANCE):
    """Union of the reach rings of every base with a positive radius (an empty Polygon if none)."""
    lons, lats = _bases(base_lons, base_lats)
    radii = np.broadcast_to(np.asarray(radii_m, dtype=float), lons.shape)
    rings = [geodesy.ring(lo, la, r, tolerance) for lo, la, r in zip(lons, lats, radii, strict=True) if r > 0]
    return shapely.union_all(rings) if rings else shapely.Polygon()


def coverage(region_geometry, base_lons, base_lats, radii_m):
    """Share of ``region_geometry`` within ``radii_m`` (per base, metres) of at least one base."""
    union = reach_union(base_lons, base_lats, radii_m)
    region_area = geodesic_area(region_geometry)
    covered = shapely.intersection(region_geometry, union)
    covered_area = min(geodesic_area(covered), region_area)
    uncovered = shapely.difference(region_geometry, union)
    share = covered_area / region_area if region_area > 0 else 0.0
    return Coverage(float(share), float(covered_area), float(region_area), uncovered)


def nearest_distance(base_lons, base_lats, lons, lats):
    """Distance (m) from each point to its nearest base, and that base's index."""
    base_lons, base_lats = _bases(base_lons, base_lats)
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    d = geodesy.distance(base_lons[:, None], base_lats[:, None], lons[None, :], lats[None, :])
    nearest = np.argmin(d, axis=0)
    return d[nearest, np.arange(lons.size)], nearest


def boundary_points(geometry, step_deg=BOUNDARY_STEP_DEG):
    """Vertices of every ring of ``geometry`` after densifying edges to at most ``step_deg``."""
    dense = shapely.segmentize(geometry, step_deg)
    rings = shapely.get_rings(shapely.get_parts(dense))
    coords = shapely.get_coordinates(rings)
    return coords[:, 0], coords[:, 1]


def grid_points(geometry, n_points=GRID_POINTS):
    """A regular lon/lat grid over the geometry's bounds, kept where inside; returns lons, lats, step."""
    minx, miny, maxx, maxy = geometry.bounds
    step = max(np.sqrt((maxx - minx) * (maxy - miny) / n_points), 1e-4)
    xs = np.arange(minx + step / 2, maxx, step)
    ys = np.arange(miny + step / 2, maxy, step)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(geometry, gx, gy)
    return gx[inside], gy[inside], step


def farthest_point(region_geometry, base_lons, base_lats):
    """The region's point farthest from its nearest base (see the module docstring for the method)."""
    base_lons, base_lats = _bases(base_lons, base_lats)
    lons, lats = boundary_points(region_geometry)
    step = BOUNDARY_STEP_DEG
    if base_lons.size > 1:
        glons, glats, step = grid_points(region_geometry)
        lons, lats = np.concatenate([lons, glons]), np.concatenate([lats, glats])
    dist, _ = nearest_distance(base_lons, base_lats, lons, lats)
    # Refine the best candidates by pattern search, staying inside (or on) the region.
    order = np.argsort(dist)[::-1][:24]

    def field(qlons, qlats):
        return nearest_distance(base_lons, base_lats, qlons, qlats)

    return _climb(
        region_geometry, field, lons[order], lats[order], dist[order], float(max(step, BOUNDARY_STEP_DEG))
    )


def _climb(region_geometry, distance_fn, cand_lon, cand_lat, cand_d, step):
    """Pattern search from candidate points towards larger ``distance_fn`` values, staying inside (or on)
    the region; the step (degrees) halves when no candidate improves, down to about 50 m."""
    cand_lon, cand_lat, cand_d = cand_lon.copy(), cand_lat.copy(), cand_d.copy()
    shapely.prepare(region_geometry)
    directions = np.array([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]], float)
    while step > 5e-4:
        coslat = np.maximum(np.cos(np.radians(cand_lat)), 0.05)
        try_lon = (cand_lon[:, None] + directions[None, :, 0] * step / coslat[:, None]).ravel()
        try_lat = np.clip(cand_lat[:, None] + directions[None, :, 1] * step, -90, 90).ravel()
        ok = shapely.intersects_xy(region_geometry, try_lon, try_lat)
        d = np.full(try_lon.size, -np.inf)
        if ok.any():
            d[ok] = distance_fn(try_lon[ok], try_lat[ok])[0]
        d = np.where(np.isfinite(d), d, -np.inf).reshape(len(cand_lon), -1)
        best = np.argmax(d, axis=1)
        better = d[np.arange(len(best)), best] > cand_d
        rows = np.nonzero(better)[0]
        cand_lon[rows] = try_lon.reshape(len(cand_lon), -1)[rows, best[rows]]
        cand_lat[rows] = try_lat.reshape(len(cand_lon), -1)[rows, best[rows]]
        cand_d[rows] = d[rows, best[rows]]
        if not better.any():
            step /= 2
    i = int(np.argmax(cand_d))
    d, idx = distance_fn(cand_lon[i : i + 1], cand_lat[i : i + 1])
    return FarthestPoint(float(cand_lon[i]), float(cand_lat[i]), float(d[0]), int(idx[0]))


def nearest_base_shares(region_geometry, base_lons, base_lats, n_points=GRID_POINTS):
    """Share of the region's area whose nearest base is each base (array summing to 1).

    Computed on a lon/lat grid of about ``n_points`` cells weighted by cos(latitude) (cell area), so
    shares are good to about the grid step over the region's size.
    """
    lons, lats, _ = grid_points(region_geometry, n_points)
    base_lons, base_lats = _bases(base_lons, base_lats)
    if lons.size == 0:
        return np.full(base_lons.size, np.nan)
    _, nearest = nearest_distance(base_lons, base_lats, lons, lats)
    weights = np.cos(np.radians(lats))
    shares = np.bincount(nearest, weights=weights, minlength=base_lons.size)
    return shares / shares.sum()


def field_coverage(region_geometry, distance_fn, radii_m, n_points=FIELD_GRID_POINTS):
    """Coverage and farthest point for any distance field, such as flyable distance around closed airspace.

    ``distance_fn(lons, lats)`` returns ``(distance_m, nearest_base_index)`` arrays (inf where
    unreachable). Shares come from a lon/lat grid of about ``n_points`` cells weighted by cos(latitude);
    the farthest point is searched on the grid plus the boundary (every :data:`BOUNDARY_STEP_DEG` x 2, a
    long outline thinned to :data:`FIELD_BOUNDARY_POINTS`) and refined by pattern search. Returns ``(coverages, farthest, resolution_text)``; the coverages'
    ``uncovered`` is None (no polygon is drawn for a distance field).
    """
    glons, glats, step = grid_points(region_geometry, n_points)
    blons, blats = boundary_points(region_geometry, 2 * BOUNDARY_STEP_DEG)
    every = max(math.ceil(blons.size / FIELD_BOUNDARY_POINTS), 1)
    blons, blats = blons[::every], blats[::every]
    lons, lats = np.concatenate([glons, blons]), np.concatenate([glats, blats])
    dist, _ = distance_fn(lons, lats)
    grid_d = dist[: glons.size]
    weights = np.cos(np.radians(glats))
    area = geodesic_area(region_geometry)
    covers = []
    for radius in np.atleast_1d(radii_m):
        share = float(weights[grid_d <= radius].sum() / weights.sum()) if weights.size else 0.0
        covers.append(Coverage(share, share * area, area, None))
    finite = np.where(np.isfinite(dist), dist, -1.0)
    order = np.argsort(finite)[::-1][:8]
    cand_lon, cand_lat, cand_d = lons[order], lats[order], finite[order]
    if np.isinf(dist).any():
        i = int(np.argmax(np.isinf(dist)))
        far = FarthestPoint(float(lons[i]), float(lats[i]), float("inf"), -1)
    else:
        far = _climb(region_geometry, distance_fn, cand_lon, cand_lat, cand_d, step / 2)
    km = step * 111.32  # north-south spacing; east-west is closer by cos(latitude)
    resolution = (
        f"grid of {glons.size:,} points at most {km:.1f} km apart, plus the outline every "
        f"{2 * BOUNDARY_STEP_DEG * 111.32:.1f} km"
        if every == 1
        else f"grid of {glons.size:,} points at most {km:.1f} km apart, plus {blons.size:,} outline points at "
        f"most {every * 2 * BOUNDARY_STEP_DEG * 111.32:.0f} km apart, refined by pattern search"
    )
    return covers, far, resolution


# --- polygons of a distance field ---------------------------------------------------------------------

#: Distance evaluations aimed at when no grid spacing is given (a 25 x 20 deg frame gets ~0.18 deg, ~20 km).
CONTOUR_GRID_POINTS = 15_000
#: Degrees added on every side of a geometry used as the frame of :func:`field_reach_polygons`.
FRAME_PAD_DEG = 1.0
#: Bisection steps locating where the field turns unreachable along a grid edge (to 1/64 of the edge).
JUMP_BISECTIONS = 6
_M_PER_DEG_LAT = 111_320.0
_COMPASS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")


@dataclass(frozen=True)
class FieldReach:
    """Where a distance field is within each radius: ``polygons[i]`` is {points with distance <= radii_m[i]}.

    Polygons are valid shapely geometries in lon/lat degrees, clipped to ``frame`` (west, south, east,
    north): an edge of a polygon lying on the frame is where the grid stops, not a reach boundary (see
    :meth:`outlines`). ``step_lat_deg`` and ``step_lon_deg`` are the grid spacings actually used,
    ``evaluations`` the number of distances computed (``jump_evaluations`` of them locating where the field
    turns unreachable between grid nodes), ``error_m`` the stated error bound of the boundary.
    """

    radii_m: tuple
    polygons: tuple
    frame: tuple
    step_lat_deg: float
    step_lon_deg: float
    evaluations: int
    error_m: float
    jump_evaluations: int = 0

    @property
    def resolution(self):
        """The error bound in words, for reports."""
        jumps = (
            f", {self.jump_evaluations:,} of them locating the edges of unreachable areas by bisection"
            if self.jump_evaluations
            else ""
        )
        return (
            f"boundary good to about one grid spacing (~{self.error_m / 1000:.0f} km): {self.evaluations:,} "
            f"distances on a grid {self.step_lat_deg:.3g} deg of latitude by {self.step_lon_deg:.3g} deg "
            f"of longitude{jumps}, linear interpolation between grid nodes"
        )

    def outlines(self, closed=None):
        """Each polygon's boundary without the stretches along the frame (where the grid merely stops), and
        with ``closed`` (closed airspace, lon/lat) without those within 1.5 grid spacings of it: there the
        area stops because the airspace is closed, not because the radius runs out."""
        west, south, east, north = self.frame
        edge = shapely.box(west, south, east, north).exterior.buffer(
            1e-9 * max(east - west, north - south, 1)
        )
        if closed is not None and not closed.is_empty:
            edge = shapely.union(
                edge, shapely.buffer(closed, 1.5 * max(self.step_lat_deg, self.step_lon_deg))
            )
        return tuple(shapely.difference(shapely.boundary(p), edge) for p in self.polygons)


def _frame(frame, pad_deg):
    if isinstance(frame, shapely.Geometry):
        if frame.is_empty:
            raise UsageError("the frame geometry is empty")
        west, south, east, north = frame.bounds
        west, south, east, north = west - pad_deg, south - pad_deg, east + pad_deg, north + pad_deg
    else:
        west, south, east, north = (float(v) for v in frame)
    south, north = max(south, -90.0), min(north, 90.0)
    if not (east > west and north > south and all(map(math.isfinite, (west, south, east, north)))):
        raise UsageError(
            f"frame must be (west, south, east, north) with west < east and south < north, got {frame!r}"
        )
    return west, south, east, north


def _crossings(a, b, radius):
    """Fraction of the way from values ``a`` to ``b`` where the field crosses ``radius`` (linear); the middle
    of the edge when either end is not finite (unreachable: the field has no slope to follow there)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (radius - a) / (b - a)
    t = np.where(np.isfinite(a) & np.isfinite(b), t, 0.5)
    return np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)


@dataclass(frozen=True)
class _Jumps:
    """Grid edges with one end reachable and the other not, and where along them the field turns
    unreachable. Per edge, parameters run from the reachable end (0) to the other (1): the last reachable
    sample ``t_lo`` with distance ``d_lo``, the jump ``t_jump``, the reachable end's distance ``d0``."""

    horizontal: np.ndarray  # mask over horizontal edges (row j, columns i to i + 1)
    vertical: np.ndarray  # mask over vertical edges (column i, rows j to j + 1)
    finite_first: np.ndarray  # the edge's lower-index end is the reachable one
    t_lo: np.ndarray
    d_lo: np.ndarray
    t_jump: np.ndarray
    d0: np.ndarray


def _find_jumps(xs, ys, d, distance_fn):
    """Bisect every grid edge between a reachable and an unreachable node; returns (jumps, evaluations)."""
    gx, gy = np.meshgrid(xs, ys)
    finite = np.isfinite(d)
    mh, mv = finite[:, :-1] != finite[:, 1:], finite[:-1, :] != finite[1:, :]

    def ends(a, b):
        return np.concatenate([a[:, :-1][mh], a[:-1, :][mv]]), np.concatenate([b[:, 1:][mh], b[1:, :][mv]])

    (ax, bx), (ay, by), (da, db) = ends(gx, gx), ends(gy, gy), ends(d, d)
    first = np.isfinite(da)
    x0, x1 = np.where(first, ax, bx), np.where(first, bx, ax)
    y0, y1 = np.where(first, ay, by), np.where(first, by, ay)
    d0 = np.where(first, da, db)
    t_lo, d_lo, t_hi = np.zeros(d0.size), d0.copy(), np.ones(d0.size)
    evaluations = 0
    for _ in range(JUMP_BISECTIONS if d0.size else 0):
        t = (t_lo + t_hi) / 2
        v = np.asarray(distance_fn(x0 + t * (x1 - x0), y0 + t * (y1 - y0))[0], dtype=float)
        evaluations += t.size
        ok = np.isfinite(v)
        t_lo, d_lo, t_hi = np.where(ok, t, t_lo), np.where(ok, v, d_lo), np.where(ok, t_hi, t)
    return _Jumps(mh, mv, first, t_lo, d_lo, (t_lo + t_hi) / 2, d0), evaluations


def _jump_crossings(jumps, radius):
    """Crossing of ``radius`` along each jump edge, as a fraction from the edge's lower-index end: at the
    jump if the last reachable sample is within the radius, else interpolated before it."""
    with np.errstate(divide="ignore", invalid="ignore"):
        before = jumps.t_lo * (radius - jumps.d0) / (jumps.d_lo - jumps.d0)
    t = np.where(jumps.d_lo <= radius, jumps.t_jump, np.clip(np.nan_to_num(before), 0.0, 1.0))
    return np.where(jumps.finite_first, t, 1.0 - t)


def _contour(xs, ys, d, radius, jumps=None):
    """Polygon {d <= radius} over the grid (marching squares, linear interpolation along cell edges).

    Every cell contributes the part of its square on the inside of the crossings along its edges; crossings
    are computed once per edge, so neighbouring cells share them exactly and the union closes without gaps.
    Saddle cells (two opposite corners inside) are joined through the middle when the corners' mean is
    inside, else cut into two corners. Edges in ``jumps`` take their crossing from :func:`_jump_crossings`.
    """
    inside = d <= radius
    if not inside.any():
        return shapely.Polygon()
    if inside.all():
        return shapely.box(xs[0], ys[0], xs[-1], ys[-1])
    # Crossing points on horizontal edges (row j, between columns i and i+1) and vertical edges.
    th = _crossings(d[:, :-1], d[:, 1:], radius)
    tv = _crossings(d[:-1, :], d[1:, :], radius)
    if jumps is not None and jumps.d0.size:
        t = _jump_crossings(jumps, radius)
        n_h = int(jumps.horizontal.sum())
        th[jumps.horizontal], tv[jumps.vertical] = t[:n_h], t[n_h:]
    hx, hy = xs[:-1] + th * np.diff(xs), np.broadcast_to(ys[:, None], th.shape)
    vx, vy = np.broadcast_to(xs[None, :], tv.shape), ys[:-1, None] + tv * np.diff(ys)[:, None]
    gx, gy = np.meshgrid(xs, ys)
    # Per cell, counter-clockwise: corner SW, edge S, corner SE, edge E, corner NE, edge N, corner NW, edge W.
    px = np.stack(
        [gx[:-1, :-1], hx[:-1], gx[:-1, 1:], vx[:, 1:], gx[1:, 1:], hx[1:], gx[1:, :-1], vx[:, :-1]], -1
    )
    py = np.stack(
        [gy[:-1, :-1], hy[:-1], gy[:-1, 1:], vy[:, 1:], gy[1:, 1:], hy[1:], gy[1:, :-1], vy[:, :-1]], -1
    )
    corner = np.stack([inside[:-1, :-1], inside[:-1, 1:], inside[1:, 1:], inside[1:, :-1]], -1)
    edge = corner != np.roll(corner, -1, axis=-1)
    keep = np.empty((*corner.shape[:-1], 8), bool)
    keep[..., 0::2], keep[..., 1::2] = corner, edge
    count = corner.sum(-1)
    saddle = (count == 2) & (corner[..., 0] == corner[..., 2])
    with np.errstate(invalid="ignore"):
        mean = np.stack([d[:-1, :-1], d[:-1, 1:], d[1:, 1:], d[1:, :-1]], -1).mean(-1)
    split = saddle & ~(mean <= radius)
    # Whole cells are merged along rows into rectangles first: the union then has far fewer pieces.
    whole = count == 4
    pieces = [_row_runs(xs, ys, whole)]
    cells = (count > 0) & ~split & ~whole
    k = keep[cells]
    rings_of = np.repeat(np.arange(k.shape[0]), k.sum(-1))
    coords = np.column_stack([px[cells][k], py[cells][k]])
    pieces.append(shapely.polygons(shapely.linearrings(coords, indices=rings_of)))
    if split.any():
        # Two separate corners: corner c with the crossings on the edges before and after it.
        sx, sy, sc = px[split], py[split], corner[split]
        for c in range(4):
            rows = np.nonzero(sc[:, c])[0]
            if rows.size:
                idx = [2 * c, 2 * c + 1, (2 * c - 1) % 8]
                tri = np.stack([sx[rows][:, idx], sy[rows][:, idx]], -1).reshape(-1, 2)
                pieces.append(
                    shapely.polygons(shapely.linearrings(tri, indices=np.repeat(np.arange(rows.size), 3)))
                )
    polygons = np.concatenate(pieces)
    polygons = polygons[shapely.area(polygons) > 0]
    return _polygonal(shapely.union_all(polygons))


def _row_runs(xs, ys, cells):
    """Rectangles covering the cells marked in ``cells`` (rows x columns of the grid xs, ys), one per run
    of consecutive marked cells along a row."""
    padded = np.zeros((cells.shape[0], cells.shape[1] + 2), np.int8)
    padded[:, 1:-1] = cells
    step = np.diff(padded, axis=1)
    row, start = np.nonzero(step == 1)
    _, stop = np.nonzero(step == -1)  # both in row-major order, so runs pair up
    return shapely.box(xs[start], ys[row], xs[stop], ys[row + 1])


def _polygonal(geometry):
    """A valid Polygon or MultiPolygon (an empty Polygon when nothing is left)."""
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, shapely.Polygon) and p.area > 0]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def field_reach_polygons(frame, distance_fn, radii_m, step_deg=None, pad_deg=FRAME_PAD_DEG):
    """Contour a distance field: for each radius, the polygon of points within it, in lon/lat degrees.

    ``frame`` is ``(west, south, east, north)`` in degrees, or a geometry whose bounds plus ``pad_deg`` on
    every side are used. ``distance_fn(lons, lats)`` returns ``(distance_m, nearest_base_index)`` arrays,
    inf (or nan) where unreachable; it is called on a grid of nodes spanning the frame, then on a few points
    along the grid edges where the field turns unreachable (:data:`JUMP_BISECTIONS` calls). ``step_deg``
    is the north-south node spacing in degrees of latitude; east-west spacing is ``step_deg`` / cos(middle
    latitude) degrees of longitude, so cells are about square on the ground. The default aims at
    :data:`CONTOUR_GRID_POINTS` evaluations.

    Method: marching squares. The boundary is placed on each cell edge whose ends straddle the radius, by
    linear interpolation of the distances at its two nodes; where one end is unreachable (the field jumps
    to inf, e.g. at the edge of closed airspace), the jump is first located along the edge by bisection to
    1/64 of its length, and the boundary put there or interpolated before it. The cells' inside parts are
    merged into one valid polygon. The boundary is good to about one grid spacing (``error_m``: the cell
    diagonal on the ground; much better where the field is smooth, where linear interpolation errs by a
    small fraction of a cell, and along edges of unreachable areas that cross grid edges); features
    narrower than a cell, such as a thin corridor between closed areas, can be missed. A radius covering no node gives an empty Polygon, one
    covering every node the whole frame.
    """
    west, south, east, north = _frame(frame, pad_deg)
    coslat = max(math.cos(math.radians((south + north) / 2)), 0.05)
    if step_deg is None:
        step_deg = math.sqrt((east - west) * coslat * (north - south) / CONTOUR_GRID_POINTS)
    step_deg = float(step_deg)
    if not (step_deg > 0 and math.isfinite(step_deg)):
        raise UsageError(f"grid spacing must be a positive number of degrees, got {step_deg!r}")
    nx = max(math.ceil((east - west) * coslat / step_deg), 1) + 1
    ny = max(math.ceil((north - south) / step_deg), 1) + 1
    xs, ys = np.linspace(west, east, nx), np.linspace(south, north, ny)
    gx, gy = np.meshgrid(xs, ys)
    dist, _ = distance_fn(gx.ravel(), gy.ravel())
    d = np.where(np.isnan(dist), np.inf, np.asarray(dist, dtype=float)).reshape(gy.shape)
    jumps, extra = _find_jumps(xs, ys, d, distance_fn)
    radii = tuple(float(r) for r in np.atleast_1d(radii_m))
    polygons = tuple(_contour(xs, ys, d, r, jumps) for r in radii)
    step_lat, step_lon = float(ys[1] - ys[0]), float(xs[1] - xs[0])
    error_m = math.hypot(step_lat, step_lon * coslat) * _M_PER_DEG_LAT
    frame = (west, south, east, north)
    return FieldReach(radii, polygons, frame, step_lat, step_lon, nx * ny + extra, error_m, extra)


@dataclass(frozen=True)
class Uncovered:
    """The part of a region outside a reach polygon: ``geometry`` (valid, possibly empty) and its geodesic
    area; ``parts`` are its pieces as ``(polygon, area_m2)``, largest first. Slivers narrower than the
    ``min_width_m`` asked of :func:`uncovered_parts` are left out of all three; their total area is
    ``slivers_area_m2``."""

    geometry: object
    area_m2: float
    region_area_m2: float
    parts: tuple
    slivers_area_m2: float = 0.0

    @property
    def share(self):
        """Uncovered share of the region's area, in [0, 1]."""
        return self.area_m2 / self.region_area_m2 if self.region_area_m2 > 0 else 0.0


def uncovered_parts(region_geometry, reach_polygon, min_width_m=0.0):
    """The region minus the reach polygon (e.g. from :func:`field_reach_polygons`), with geodesic areas.

    The reach polygon must span the region: whatever of the region lies outside it counts as uncovered.
    With ``min_width_m`` > 0, pieces nowhere wider than about that (they vanish when shrunk by half of it,
    taken as degrees of latitude) are set apart as slivers: a contour good to one grid spacing leaves such
    slivers where it runs along the region's own border, e.g. ``min_width_m=reach.error_m / 2``.
    """
    rest = _polygonal(shapely.difference(region_geometry, reach_polygon))
    pieces = [p for p in shapely.get_parts(rest) if not p.is_empty]
    slivers = 0.0
    if min_width_m > 0 and pieces:
        thin = shapely.is_empty(shapely.buffer(pieces, -min_width_m / 2 / _M_PER_DEG_LAT))
        slivers = float(sum(geodesic_area(p) for p, t in zip(pieces, thin, strict=True) if t))
        pieces = [p for p, t in zip(pieces, thin, strict=True) if not t]
        rest = _polygonal(shapely.union_all(pieces)) if pieces else shapely.Polygon()
    parts = sorted(((p, geodesic_area(p)) for p in pieces), key=lambda x: -x[1])
    area = float(sum(a for _, a in parts))
    return Uncovered(rest, area, geodesic_area(region_geometry), tuple(parts), slivers)


@dataclass(frozen=True)
class Whereabouts:
    """Where a part of a region lies: compass ``direction`` of its centroid from the region's ('central'
    when close to it), the named ``places`` in or near it as ``(name, distance_m)`` nearest first (0 when
    inside), and ``text`` such as 'south-west Syria, around Daraa and Quneitra'."""

    direction: str
    places: tuple
    text: str


def describe_part(part, region_geometry, places, region_name="", within_m=50_000.0, max_places=3):
    """Describe where ``part`` lies in ``region_geometry`` in words, from ``places`` ``(name, lon, lat)``.

    Places inside the part, or within ``within_m`` of it (geodesic distance to its outline densified to
    about 2 km), are named nearest first, those inside in order of distance from the part's centroid; at
    most ``max_places``. The direction is the 8-point compass bearing from the region's centroid to the
    part's, or 'central' when the two are closer than a fifth of the region's equivalent radius.
    """
    if part.is_empty:
        raise UsageError("cannot describe an empty part")
    centre, whole = part.centroid, region_geometry.centroid
    azimuth, _, offset = geodesy.GEOD.inv(whole.x, whole.y, centre.x, centre.y)
    radius = math.sqrt(geodesic_area(region_geometry) / math.pi)
    direction = "central" if offset < 0.2 * radius else _COMPASS[round((azimuth % 360) / 45) % 8]
    found = []
    if places:
        names = [str(p[0]) for p in places]
        lons = np.array([p[1] for p in places], dtype=float)
        lats = np.array([p[2] for p in places], dtype=float)
        inside = shapely.intersects_xy(part, lons, lats)
        bx, by = boundary_points(part, 0.02)
        near = np.full(lons.size, np.inf)
        # Only places whose lon/lat box could be within reach are measured (1 deg of lat >= 110 km).
        minx, miny, maxx, maxy = part.bounds
        pad_lat = within_m / 110_000.0 + 0.05
        pad_lon = pad_lat / max(math.cos(math.radians(max(abs(miny), abs(maxy)) + pad_lat)), 0.01)
        box = (
            (lons >= minx - pad_lon)
            & (lons <= maxx + pad_lon)
            & (lats >= miny - pad_lat)
            & (lats <= maxy + pad_lat)
        )
        for i in np.nonzero(box & ~inside)[0]:
            near[i] = np.min(geodesy.distance(lons[i], lats[i], bx, by))
        to_centre = geodesy.distance(centre.x, centre.y, lons, lats)
        near[inside] = 0.0
        chosen = np.nonzero(near <= within_m)[0]
        chosen = chosen[np.lexsort((to_centre[chosen], near[chosen]))][:max_places]
        found = [(names[i], float(near[i])) for i in chosen]
    where = f"{direction} {region_name}" if region_name else f"{direction} part of the region"
    if found:
        listed = [n for n, _ in found]
        listed = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        where += f", around {listed}"
    return Whereabouts(direction, tuple(found), where)
