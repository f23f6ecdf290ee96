"""Flyable routes: the shortest path that avoids closed airspace, optionally through waypoints.

Method. Closed countries are projected with the ellipsoidal gnomonic projection (Karney's, through PROJ)
centred on the area of interest: in it, geodesics are straight lines to within metres over thousands of
kilometres (0.2 m over Mozdok-Damascus), so the Euclidean shortest path among polygons -- a chain of
straight segments that bends only at obstacle corners -- is the geodesic shortest path on the ellipsoid.
It is found on a visibility graph: nodes are the obstacles' convex corners plus the endpoints; edges join
pairs that see each other and are tangent to the obstacles at both ends (no shortest path uses any
other); weights are geodesic lengths on WGS84; Dijkstra (scipy.sparse.csgraph) picks the path.

Only the corners a question can use enter the graph, which is built lazily and kept: for a route from a
to b of length L, corners c with |ac| + |cb| > L cannot lie on it (geodesic lengths obey the triangle
inequality), so a route is sought among the corners of a first bound (1.05 times the direct distance, 1.1 times
more while none is found);
a route found longer than the bound becomes the bound, and the next round is exact. For a field up to a
radius R, corners farther than R from the start are left out. Edges are kept as arrays, so memory grows
with the edges kept, not with the pairs tested. See docs/routing.md.

Closed airspace. A closed country's airspace is its land plus, with a territorial sea ``T`` (12 nm =
22,224 m under UNCLOS arts. 2-3), the water within ``T`` of its own coast: the band within ``T`` of its
outline, minus the land of every other country in ``land`` (a territorial sea never crosses a land border
into a neighbour), minus the water nearer to an open country's land than to it (the median or equidistance
line of UNCLOS art. 15). Only open countries within ``2 T`` of it can be nearer anywhere in that band, so
only those are looked at (found by bounding box, clipped to the neighbourhood). Without ``land`` the band
is a plain buffer. Where two closed countries face each other, the water between them is closed either way.

How the territorial sea is approximated, and by how much. It is built in the gnomonic plane below. The
plane stretches ground distances by 1/cos(t) to 1/cos^2(t) at an angle t from the projection centre, so
the band is drawn ``T / cos^2(t_max)`` wide in the plane (t_max: the farthest vertex of that part of the
country, plus half a degree): on the ground its outer edge lies between ``T`` and ``T / cos^2(t_max)``
from the coast (at most 1.1 km too far when the country reaches 12 deg from the centre, 3.1 km at
20 deg), never inside ``T``. The median line is the boundary between the Voronoi cells
(``shapely.voronoi_polygons``) of the two coasts' outline points, taken at most :data:`MEDIAN_STEP_M`
apart (outline vertices included) within ``2 T`` of each other, and used only within ``T`` of the open
country. Sampling moves it by at most half a step at the coast and a few metres ``T`` offshore; the
plane's unequal stretch in different directions moves it by at most about ``T t^2 / 2`` (t in radians:
0.5 km at 12 deg, 1.4 km at 20 deg). Where the two coasts meet at a land border, the sample point they
share counts for the closed country, so the median line sits at most half a step on the open side there.

Stand-off. Obstacles -- the closed airspace (land and territorial sea) -- are enlarged by the stand-off
distance (measured conservatively: at least that far everywhere) and then by 2 x :data:`SIMPLIFY_M` before
being simplified to a tolerance of :data:`SIMPLIFY_M` -- outward: the simplified obstacle contains the
enlarged one by construction (:func:`_simplified_outward`) -- so routes keep at least the stand-off, and at
most about 3 x ``SIMPLIFY_M`` more, from closed airspace. Each bend around a corner therefore costs at most a few
kilometres: routes are longer than the true constrained optimum by well under 1 % for legs of a few
hundred kilometres or more. Obstacle parts farther than :data:`MAX_ANGLE_DEG` from the projection centre
are left out (the gnomonic projection cannot show them); the route says so.
"""

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pyproj
import shapely

from . import geodesy
from .errors import UsageError

#: Simplification tolerance for obstacle outlines, metres (in the projection plane).
SIMPLIFY_M = 1000.0
#: Obstacle parts whose centre is farther than this from the projection centre are ignored.
MAX_ANGLE_DEG = 60.0
#: Corners of closed airspace that routing accepts (Canada has about 5,500; the visibility graph grows with
#: their square), and the corner pairs tested at a time while building it (memory stays near 1 GB at most).
MAX_CORNERS = 8_000
GRAPH_BLOCK_PAIRS = 2_000_000
#: Farthest a route's end, a waypoint or a point of a distance field may lie from the projection centre
#: (degrees of arc): the gnomonic plane is infinite at 90 deg; until routing covers the globe, refuse.
MAX_POINT_ANGLE_DEG = 80.0
#: Tolerance at closed countries' outlines, metres: a point this close to a border is not inside.
BORDER_M = 50.0
#: Spacing of the points used to measure how long a route spends over each country, metres.
SAMPLE_STEP_M = 2000.0
#: Largest spacing of the coast points whose Voronoi cells give median lines, metres (in the plane).
MEDIAN_STEP_M = 500.0
#: Metres per nautical mile, for describing territorial seas.
_NM = 1852.0
#: Bounds on what people type (metres, words): a stand-off beyond 1,000 km or a territorial sea beyond
#: 200 nm (the widest exclusive economic zone) is a typo, not a question.
MAX_STANDOFF = (1_000_000.0, "1,000 km")
MAX_SEA = (200 * 1852.0, "200 nm")


class NoRouteError(UsageError):
    """No route exists: an endpoint is inside closed airspace, or it is walled in."""


@dataclass(frozen=True)
class Routing:
    """How aircraft must fly: closed regions to avoid, waypoints in order, stand-off distance (m).

    ``reasons`` maps a closed region id to why it is closed (a source), for reports. With
    ``territorial_sea_m`` (22,224 m for 12 nm), a closed region's airspace also covers the water within
    that distance of its coast, kept off the land of the regions in ``land`` (the other countries) and
    cut at median lines with the open ones among them; ``standoff_m`` is kept from all of it.
    """

    avoid: tuple = ()  # Regions
    via: tuple = ()  # (lon, lat) waypoints
    standoff_m: float = 0.0
    reasons: dict = field(default_factory=dict, compare=False)
    territorial_sea_m: float = 0.0
    land: tuple = field(default=(), compare=False)  # Regions: the other countries

    @property
    def active(self):
        return bool(self.avoid or self.via)

    def describe(self):
        """One line: 'avoiding Turkey, Georgia (territorial sea 12 nm; stand-off 25 km) via 43.30,48.00'."""
        parts = []
        if self.avoid:
            rules = []
            if self.territorial_sea_m:
                rules.append(f"territorial sea {describe_distance(self.territorial_sea_m)}")
            if self.standoff_m:
                rules.append(f"stand-off {self.standoff_m / 1000:g} km")
            rules = f" ({'; '.join(rules)})" if rules else ""
            parts.append("avoiding " + ", ".join(r.name for r in self.avoid) + rules)
        if self.via:
            parts.append("via " + " -> ".join(f"{lat:.2f},{lon:.2f}" for lon, lat in self.via))
        return "; ".join(parts) if parts else "direct"

    def airspace(self, points):
        """An :class:`Airspace` for routes among ``points`` (lon, lat) and the waypoints."""
        return airspace(
            self.avoid,
            self.standoff_m,
            [*points, *self.via],
            territorial_sea_m=self.territorial_sea_m,
            land=self.land,
        )


def describe_distance(metres):
    """'12 nm' for whole nautical miles, else kilometres: '22.2 km'."""
    nm = metres / _NM
    if abs(nm - round(nm)) < 1e-6:
        return f"{round(nm)} nm"
    return f"{metres / 1000:g} km"


def _unit_vectors(lons, lats):
    lon, lat = np.radians(lons), np.radians(lats)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def centre_of(lons, lats):
    """A projection centre for a set of points: the normalised mean of their unit vectors (lon, lat)."""
    v = _unit_vectors(np.asarray(lons, float), np.asarray(lats, float)).mean(axis=0)
    if np.linalg.norm(v) < 1e-6:
        raise UsageError("the points span the whole globe; no single map can route between them")
    v /= np.linalg.norm(v)
    return math.degrees(math.atan2(v[1], v[0])), math.degrees(math.asin(v[2]))


def _angle_from(centre, lons, lats):
    c = _unit_vectors([centre[0]], [centre[1]])[0]
    return np.degrees(np.arccos(np.clip(_unit_vectors(lons, lats) @ c, -1, 1)))


@dataclass(frozen=True)
class Leg:
    """One leg between consecutive route points (start, waypoints, end)."""

    length_m: float
    lons: np.ndarray
    lats: np.ndarray


@dataclass(frozen=True)
class Route:
    """A flyable route: geodesic segments through ``lons``/``lats`` (degrees), total ``length_m``."""

    length_m: float
    direct_m: float
    legs: tuple[Leg, ...]
    lons: np.ndarray
    lats: np.ndarray
    closed: tuple[str, ...]
    standoff_m: float
    notes: tuple[str, ...] = ()
    countries: tuple = ()  # ((iso_a3 or None, name, metres), ...) in order of first crossing
    territorial_sea_m: float = 0.0

    @property
    def detour_m(self):
        return self.length_m - self.direct_m


@dataclass
class Airspace:
    """Closed airspace prepared for routing around it (obstacles in a gnomonic plane).

    Build one with :func:`airspace`, then ask :meth:`route` and :meth:`distances_to` as often as needed:
    the visibility graph between obstacle corners is built once.
    """

    closed: tuple  # Regions
    standoff_m: float
    centre: tuple[float, float]
    notes: list = field(default_factory=list)
    territorial_sea_m: float = 0.0
    land: tuple = ()  # Regions: the other countries (keep territorial seas off them, median lines)

    def __post_init__(self):
        self._proj = _gnomonic(self.centre)
        self._closed_xy = _closed_in_plane(
            self.closed, self.land, self.territorial_sea_m, self.centre, self._proj, self.notes
        )
        self._raw, self._obstacle = self._build_obstacles()
        # Eroded copies for visibility: a segment may run along or touch an obstacle's boundary.
        self._blocked = (
            shapely.buffer(self._obstacle, -1.0) if not self._obstacle.is_empty else self._obstacle
        )
        # Points and legs within BORDER_M of a closed country's outline count as on the border: lon/lat
        # edges of 1:50m outlines are not geodesics, and shared borders differ by rounding.
        self._blocked_raw = shapely.buffer(self._raw, -BORDER_M) if not self._raw.is_empty else self._raw
        shapely.prepare(self._blocked)
        shapely.prepare(self._blocked_raw)
        shapely.prepare(self._raw)
        self._corners_xy, self._corner_prev, self._corner_next = self._corners()
        lon, lat = self._proj(self._corners_xy[:, 0], self._corners_xy[:, 1], inverse=True)
        self._corners_lonlat = np.column_stack([lon, lat]) if len(self._corners_xy) else np.zeros((0, 2))
        # The visibility graph is built lazily, among the corners a question can use (see _connect).
        self._known = np.zeros(len(self._corners_xy), bool)
        self._edges = []  # (i, j, metres) arrays, i < j, each pair once

    # -- construction -------------------------------------------------------------------------------

    def _project(self, geometry):
        return _project(self._proj, geometry)

    def _build_obstacles(self):
        raw_parts, grown_parts = [], []
        for _region, parts in self._closed_xy:
            for xy, angle in parts:
                # Plane distances shrink by cos^2(angle) on the ground at most: grow by that much more.
                scale = 1.0 / math.cos(math.radians(min(angle + 10.0, 80.0))) ** 2
                raw_parts.append(xy)
                grown_parts.append(
                    _simplified_outward(xy, self.standoff_m * scale, 2 * SIMPLIFY_M * scale, SIMPLIFY_M)
                )
        raw = shapely.union_all(raw_parts) if raw_parts else shapely.Polygon()
        grown = shapely.union_all(grown_parts) if grown_parts else shapely.Polygon()
        return raw, shapely.make_valid(grown) if not grown.is_valid else grown

    def closed_airspace(self):
        """The closed airspace (land and territorial sea, no stand-off) in lon/lat degrees, for maps."""
        return _unproject(self._proj, self._raw)

    def _corners(self):
        xy, prev, nxt = [], [], []
        for polygon in shapely.get_parts(self._obstacle):
            if not isinstance(polygon, shapely.Polygon):
                continue
            polygon = shapely.orient_polygons(polygon)
            rings = [(polygon.exterior, True)] + [(r, False) for r in polygon.interiors]
            for ring, exterior in rings:
                pts = np.asarray(ring.coords)[:-1]
                if len(pts) < 3:
                    continue
                p, n = np.roll(pts, 1, axis=0), np.roll(pts, -1, axis=0)
                cross = (pts[:, 0] - p[:, 0]) * (n[:, 1] - pts[:, 1]) - (pts[:, 1] - p[:, 1]) * (
                    n[:, 0] - pts[:, 0]
                )
                keep = (
                    cross > 0 if exterior else np.ones(len(pts), bool)
                )  # convex corners of counter-clockwise rings
                xy.append(pts[keep])
                prev.append(p[keep])
                nxt.append(n[keep])
        if not xy:
            return np.zeros((0, 2)), np.zeros((0, 2)), np.zeros((0, 2))
        return np.vstack(xy), np.vstack(prev), np.vstack(nxt)

    def _tangent(self, i, targets_xy):
        """For corner(s) ``i`` and target points, is the segment locally outside the obstacle at the corner?"""
        v, p, n = self._corners_xy[i], self._corner_prev[i], self._corner_next[i]
        d = targets_xy - v
        a = d[..., 0] * (p[..., 1] - v[..., 1]) - d[..., 1] * (p[..., 0] - v[..., 0])
        b = d[..., 0] * (n[..., 1] - v[..., 1]) - d[..., 1] * (n[..., 0] - v[..., 0])
        return a * b >= 0

    def _tangent_to_points(self, corners, points_xy):
        """:meth:`_tangent` for every corner x every point, as a (corners, points) boolean matrix."""
        v, p, n = self._corners_xy[corners], self._corner_prev[corners], self._corner_next[corners]
        dx = points_xy[None, :, 0] - v[:, 0, None]
        dy = points_xy[None, :, 1] - v[:, 1, None]
        a = dx * (p[:, 1] - v[:, 1])[:, None] - dy * (p[:, 0] - v[:, 0])[:, None]
        b = dx * (n[:, 1] - v[:, 1])[:, None] - dy * (n[:, 0] - v[:, 0])[:, None]
        return a * b >= 0

    def _visible(self, a_xy, b_xy, raw=False):
        """Vectorised: does the straight segment a-b (plane coordinates) stay out of the obstacles?"""
        blocked = self._blocked_raw if raw else self._blocked
        if blocked.is_empty or len(a_xy) == 0:
            return np.ones(len(a_xy), bool)
        lines = shapely.linestrings(np.stack([a_xy, b_xy], axis=1))
        return ~shapely.intersects(blocked, lines)

    def _connect(self, mask):
        """Add to the visibility graph every edge among the corners in ``mask`` (a boolean array) not yet in
        it, in blocks of rows so that at most about :data:`GRAPH_BLOCK_PAIRS` pairs are tested at a time.
        Only pairs that see each other and are tangent to the obstacles at both ends are kept: memory grows
        with the edges kept, not with the pairs tested."""
        new = np.nonzero(mask & ~self._known)[0]
        if new.size == 0:
            return
        cols = np.nonzero(mask | self._known)[0]
        if cols.size > MAX_CORNERS:
            raise UsageError(
                f"the closed airspace has {cols.size:,} corners to route around, more than the "
                f"{MAX_CORNERS:,} rangecalc handles in bounded time and memory; close fewer or smaller countries"
            )
        fresh = ~self._known[cols]
        ll = self._corners_lonlat
        v = self._corners_xy
        to_prev, to_next = self._corner_prev - v, self._corner_next - v
        rows = max(1, GRAPH_BLOCK_PAIRS // cols.size)
        for start in range(0, new.size, rows):
            r = new[start : start + rows]
            dx = v[cols, 0][None, :] - v[r, 0][:, None]
            dy = v[cols, 1][None, :] - v[r, 1][:, None]
            # Tangent at both ends (see _tangent; the sign of d does not change the product's sign).
            keep = _side(dx, dy, to_prev[r][:, None], to_next[r][:, None])
            keep &= _side(dx, dy, to_prev[cols][None], to_next[cols][None])
            # New x known pairs once, new x new pairs once (i < j).
            keep &= ~fresh[None, :] | (cols[None, :] > r[:, None])
            ri, ci = np.nonzero(keep)
            i, j = r[ri], cols[ci]
            ok = self._visible(v[i], v[j])
            i, j = i[ok], j[ok]
            lengths = geodesy.distance(ll[i, 0], ll[i, 1], ll[j, 0], ll[j, 1])
            self._edges.append((i, j, lengths))
        self._known |= mask

    def _shortest(self, sources, sinks=None, limit=np.inf):
        """Dijkstra (scipy's, in C) over the corner graph from a source node linked to the corners
        ``sources`` = (indices, metres); with ``sinks`` = (indices, metres), to a sink node linked to
        those. Returns (distances, predecessors) over the corners, the source (n) and the sink (n + 1)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import dijkstra

        n = len(self._corners_xy)
        parts = [*self._edges, (np.full(len(sources[0]), n), sources[0], sources[1])]
        if sinks is not None:
            parts.append((sinks[0], np.full(len(sinks[0]), n + 1), sinks[1]))
        i = np.concatenate([np.asarray(p[0], np.int64) for p in parts])
        j = np.concatenate([np.asarray(p[1], np.int64) for p in parts])
        w = np.concatenate([np.asarray(p[2], float) for p in parts])
        # A zero-length edge (two coinciding corners) must stay an edge: scipy drops explicit zeros.
        graph = coo_matrix((np.maximum(w, 1e-6), (i, j)), shape=(n + 2, n + 2)).tocsr()
        return dijkstra(graph, directed=False, indices=n, return_predecessors=True, limit=limit)

    # -- queries ------------------------------------------------------------------------------------

    def closed_country_at(self, lon, lat):
        """Name of the closed country containing (lon, lat), or None."""
        x, y = self._proj(lon, lat)
        if not shapely.contains_xy(self._blocked_raw, x, y):  # on a border (within BORDER_M) is not inside
            return None
        for region in self.closed:
            if shapely.intersects_xy(region.geometry, lon, lat):
                return region.name
        for region, parts in self._closed_xy:
            if any(shapely.intersects_xy(xy, x, y) for xy, _ in parts):
                return f"{region.name}, territorial sea"
        return self.closed[0].name

    def _within_map(self, lons, lats, what, show_position=True):
        """Refuse points too far from the projection centre for the gnomonic plane (it ends at 90 deg)."""
        angles = _angle_from(self.centre, np.atleast_1d(lons), np.atleast_1d(lats))
        if angles.size and not np.all(angles <= MAX_POINT_ANGLE_DEG):
            worst = int(np.nanargmax(np.where(np.isfinite(angles), angles, np.inf)))
            lon, lat = float(np.atleast_1d(lons)[worst]), float(np.atleast_1d(lats)[worst])
            where = f" ({lat:.2f},{lon:.2f})" if show_position else ""
            raise UsageError(
                f"{what}{where} lies {angles[worst]:.0f} deg from the centre of the routing "
                f"map ({self.centre[1]:.1f},{self.centre[0]:.1f}); routes around closed airspace are "
                f"computed within {MAX_POINT_ANGLE_DEG:.0f} deg of it, about a quarter of the globe: ask "
                "about a smaller area, or without --avoid"
            )

    def _endpoint(self, lon, lat, label):
        self._within_map(lon, lat, label, show_position=False)
        inside = self.closed_country_at(lon, lat)
        if inside:
            raise NoRouteError(f"no route: {label} is inside closed airspace ({inside})")
        x, y = self._proj(lon, lat)
        in_standoff = bool(shapely.intersects_xy(self._blocked, x, y))
        return np.array([x, y]), in_standoff

    def _links(self, xy, in_standoff, lon, lat, mask):
        """Edges from an endpoint to every corner of ``mask`` it sees: (indices, geodesic lengths)."""
        idx = np.nonzero(mask)[0]
        n = len(idx)
        if n == 0:
            return np.zeros(0, int), np.zeros(0)
        if not in_standoff:
            # A shortest path leaves a corner tangentially -- unless its end lies inside the enlargement,
            # where it may cut into it (the same rule as distances_to).
            idx = idx[self._tangent(idx, np.broadcast_to(xy, (n, 2)))]
        ok = self._visible(np.broadcast_to(xy, (len(idx), 2)), self._corners_xy[idx], raw=in_standoff)
        idx = idx[ok]
        ll = self._corners_lonlat[idx]
        return idx, geodesy.distance(lon, lat, ll[:, 0], ll[:, 1])

    def _leg(self, a, b, labels):
        (alon, alat), (blon, blat) = a, b
        a_xy, a_in = self._endpoint(alon, alat, labels[0])
        b_xy, b_in = self._endpoint(blon, blat, labels[1])
        direct = float(geodesy.distance(alon, alat, blon, blat))
        if self._visible(a_xy[None], b_xy[None], raw=a_in or b_in)[0]:
            return Leg(direct, np.array([alon, blon]), np.array([alat, blat])), a_in or b_in
        # Only corners c with |ac| + |cb| <= L can lie on a path of length L (geodesic lengths obey the
        # triangle inequality). Start from a bound a little above the direct distance; a path found longer
        # than the bound becomes the bound, and the next round is exact (its corners hold the optimum).
        ll = self._corners_lonlat
        via = geodesy.distance(alon, alat, ll[:, 0], ll[:, 1]) + geodesy.distance(
            blon, blat, ll[:, 0], ll[:, 1]
        )
        n = len(ll)
        bound = 1.05 * direct
        while True:
            mask = via <= bound
            self._connect(mask)
            a_links = self._links(a_xy, a_in, alon, alat, mask)
            b_links = self._links(b_xy, b_in, blon, blat, mask)
            dist, prev = self._shortest(a_links, b_links)
            length = float(dist[n + 1])
            if math.isfinite(length) and length <= bound:
                break
            if math.isfinite(length):
                bound = length * (1 + 1e-9)
            elif mask.all():
                raise NoRouteError(f"no route from {labels[0]} to {labels[1]}: closed airspace walls it in")
            else:
                bound = 1.1 * bound if n and 1.1 * bound < via.max() else np.inf
        path = []
        node = prev[n + 1]
        while node != n:
            path.append(int(node))
            node = prev[node]
        path.reverse()
        lons = np.concatenate([[alon], self._corners_lonlat[path, 0], [blon]])
        lats = np.concatenate([[alat], self._corners_lonlat[path, 1], [blat]])
        return Leg(length, lons, lats), a_in or b_in

    def route(self, start, end, via=(), labels=("start", "end")):
        """Shortest route from ``start`` to ``end`` (lon, lat) through waypoints ``via`` in order."""
        points = [start, *via, end]
        names = [
            labels[0],
            *(f"waypoint {k + 1} ({lat:.2f},{lon:.2f})" for k, (lon, lat) in enumerate(via)),
            labels[1],
        ]
        legs, notes = [], list(self.notes)
        for k in range(len(points) - 1):
            leg, in_standoff = self._leg(points[k], points[k + 1], (names[k], names[k + 1]))
            if in_standoff:
                notes.append(
                    f"{names[k]} or {names[k + 1]} lies within the stand-off distance; that leg enters it"
                )
            legs.append(leg)
        lons = np.concatenate([legs[0].lons] + [leg.lons[1:] for leg in legs[1:]])
        lats = np.concatenate([legs[0].lats] + [leg.lats[1:] for leg in legs[1:]])
        direct = float(geodesy.distance(start[0], start[1], end[0], end[1]))
        return Route(
            length_m=float(sum(leg.length_m for leg in legs)),
            direct_m=direct,
            legs=tuple(legs),
            lons=lons,
            lats=lats,
            closed=tuple(r.id for r in self.closed),
            standoff_m=self.standoff_m,
            notes=tuple(dict.fromkeys(notes)),
            territorial_sea_m=self.territorial_sea_m,
        )

    def distances_to(self, start, lons, lats, max_m=None):
        """Flyable distance (m) from ``start`` (lon, lat) to many points; inf where unreachable.

        With ``max_m``, only distances up to ``max_m`` are exact: a point farther (or unreachable) gets a
        value above ``max_m`` or inf. Corners farther than ``max_m`` from the start are then never looked at
        (a reach field needs only its radius).

        Dijkstra from the start over the corner graph, then for each point the best last corner it sees.
        Candidates are ranked on the sphere (fast), tried in that order until one is visible, and every
        visible candidate within :data:`_SPHERE_SLACK` of it is then measured on the ellipsoid, so the
        answer is the exact minimum over visible last corners.
        """
        lons, lats = np.asarray(lons, float).ravel(), np.asarray(lats, float).ravel()
        self._within_map(lons, lats, "a point asked about")
        s_xy, s_in = self._endpoint(start[0], start[1], "the base")
        n = len(self._corners_xy)
        ll = self._corners_lonlat
        limit = np.inf if max_m is None else float(max_m)
        mask = geodesy.distance(start[0], start[1], ll[:, 0], ll[:, 1]) <= limit
        self._connect(mask)
        dist, _ = self._shortest(self._links(s_xy, s_in, start[0], start[1], mask), limit=limit)
        reached = np.nonzero(np.isfinite(dist[:n]))[0]
        # Candidates: the start itself (row 0) and every reached corner.
        cand_lon = np.concatenate([[start[0]], self._corners_lonlat[reached, 0]])
        cand_lat = np.concatenate([[start[1]], self._corners_lonlat[reached, 1]])
        cand_xy = np.vstack([s_xy[None], self._corners_xy[reached]])
        offset = np.concatenate([[0.0], dist[reached]])
        px, py = self._proj(lons, lats)
        pxy = np.column_stack([px, py])
        # Points on a border (within BORDER_M of it) are not inside.
        inside = shapely.contains_xy(self._blocked_raw, px, py)
        # Points within the enlarged obstacles (stand-off zone) are reached through it, like endpoints.
        near = shapely.intersects_xy(self._blocked, px, py)
        # Great-circle lengths from unit-vector dot products: fast, and within 0.6 % of the ellipsoid.
        cosine = np.clip(_unit_vectors(cand_lon, cand_lat) @ _unit_vectors(lons, lats).T, -1.0, 1.0)
        approx = offset[:, None] + np.arccos(cosine) * geodesy.SPHERE_RADIUS_M
        # A shortest path leaves its last corner tangentially: drop corner-point pairs that would cut into
        # the obstacle at the corner (most of the corners "behind" an obstacle, seen from a point).
        # (Not for points inside the enlarged obstacles: their paths may cut into the enlargement.)
        tangent = self._tangent_to_points(reached, pxy) | near[None, :]
        approx[1:][~tangent] = np.inf
        order = np.argsort(approx, axis=0)
        first = np.full(lons.size, -1)
        pending = np.nonzero(~inside)[0]
        for rank in range(order.shape[0]):
            if pending.size == 0:
                break
            c = order[rank, pending]
            possible = np.isfinite(approx[c, pending])
            pending, c = pending[possible], c[possible]
            ok = self._visible_mixed(cand_xy[c], pxy[pending], near[pending] | (s_in & (c == 0)))
            first[pending[ok]] = c[ok]
            pending = pending[~ok]
        result = np.full(lons.size, np.inf)
        found = np.nonzero(first >= 0)[0]
        if found.size == 0:
            return result
        # Exact distances for every candidate close enough (on the sphere) to the first visible one.
        bound = approx[first[found], found] * (1 + _SPHERE_SLACK)
        cand, point = np.nonzero(approx[:, found] <= bound[None, :])
        point = found[point]
        ok = self._visible_mixed(cand_xy[cand], pxy[point], near[point] | (s_in & (cand == 0)))
        cand, point = cand[ok], point[ok]
        exact = offset[cand] + geodesy.distance(cand_lon[cand], cand_lat[cand], lons[point], lats[point])
        np.minimum.at(result, point, exact)
        return self._reach_pockets(result, lons, lats, pxy, near & ~inside)

    def _reach_pockets(self, result, lons, lats, pxy, near, neighbours=16, rounds=4):
        """Points in the stand-off zone that no corner sees (pockets of a border): reach them from the
        nearest already-reached points (a path to a neighbour, then straight on, if that leg stays out of
        the closed countries). Good to about the spacing of the points; only used inside the zone.
        """
        for _ in range(rounds):
            todo = np.nonzero(near & ~np.isfinite(result))[0]
            done = np.nonzero(np.isfinite(result))[0]
            if todo.size == 0 or done.size == 0:
                break
            cosine = _unit_vectors(lons[todo], lats[todo]) @ _unit_vectors(lons[done], lats[done]).T
            k = min(neighbours, done.size)
            nearest = np.argpartition(-cosine, k - 1, axis=1)[:, :k]
            p = np.repeat(todo, k)
            q = done[nearest.ravel()]
            ok = self._visible(pxy[q], pxy[p], raw=True)
            total = result[q] + geodesy.distance(lons[q], lats[q], lons[p], lats[p])
            total[~ok] = np.inf
            np.minimum.at(result, p, total)
        return result

    def _clear(self, alon, alat, blon, blat):
        """Does the geodesic from each (alon, alat) to (blon, blat) stay out of the enlarged obstacles?"""
        ax, ay = self._proj(np.asarray(alon, float), np.asarray(alat, float))
        bx, by = self._proj(np.asarray(blon, float), np.asarray(blat, float))
        return self._visible(np.column_stack([ax, ay]), np.column_stack([bx, by]))

    def _visible_mixed(self, a_xy, b_xy, raw):
        """:meth:`_visible`, against the unenlarged obstacles where ``raw`` is True."""
        out = np.empty(len(a_xy), bool)
        out[~raw] = self._visible(a_xy[~raw], b_xy[~raw])
        out[raw] = self._visible(a_xy[raw], b_xy[raw], raw=True)
        return out


#: Sphere and ellipsoid distances differ by under 0.6 %: candidates within this of the best are re-measured.
_SPHERE_SLACK = 0.007


def _side(dx, dy, to_prev, to_next):
    """Is the direction (dx, dy) from a corner outside the wedge of its two edges (``to_prev``, ``to_next``:
    arrays with x, y in the last axis)? The product of the two cross products is then >= 0."""
    a = dx * to_prev[..., 1] - dy * to_prev[..., 0]
    b = dx * to_next[..., 1] - dy * to_next[..., 0]
    return a * b >= 0


def _simplified_outward(geometry, distance, pad, tolerance):
    """``geometry`` grown by ``distance``, with fewer vertices, and never smaller: the result contains every
    point within ``distance`` of ``geometry`` and lies within ``1.03 distance + pad + tolerance`` of it.

    GEOS draws a buffer's round joins with chords inscribed in the true arcs (8 a quadrant here, a join's
    count rounded to the nearest whole, so a chord spans at most 3 pi/32 and keeps ``cos(3 pi/64)`` of the
    radius) after simplifying the input by 1 % of the distance: the radius is enlarged by both factors, so
    the polygon holds the true buffer. The outline grown ``pad`` further is simplified to ``tolerance``
    (Douglas-Peucker, topology preserved): every simplified edge lies within ``tolerance`` of the chain it
    replaces, so with ``pad > tolerance`` it still holds the grown geometry. That containment is then
    checked, and where it fails (a degenerate chain) the grown geometry is added back: it holds by
    construction, not only by argument.
    """
    radius = distance / _INSCRIBED
    inner = shapely.buffer(geometry, radius, quad_segs=8) if distance > 0 else geometry
    outer = shapely.simplify(shapely.buffer(geometry, radius + pad, quad_segs=8), tolerance)
    if not outer.is_valid:
        outer = shapely.make_valid(outer)
    if not shapely.contains(outer, inner):
        outer = shapely.union(outer, inner)
    return outer


#: What fraction of a buffer's radius its polygon is sure to hold (see _simplified_outward).
_INSCRIBED = math.cos(3 * math.pi / 64) * 0.99


def _gnomonic(centre):
    lon0, lat0 = centre
    return pyproj.Proj(proj="gnom", lat_0=lat0, lon_0=lon0, ellps="WGS84")


def _project(proj, geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(proj(xy[:, 0], xy[:, 1])))


def _unproject(proj, geometry, step_m=2000.0):
    """Plane geometry back to lon/lat; edges are densified first, since straight plane edges are geodesics."""
    if geometry.is_empty:
        return shapely.Polygon()
    geometry = shapely.segmentize(geometry, step_m)
    out = shapely.transform(geometry, lambda xy: np.column_stack(proj(xy[:, 0], xy[:, 1], inverse=True)))
    return out if out.is_valid else shapely.make_valid(out)


def _max_angle(centre, geometry):
    xy = shapely.get_coordinates(geometry)
    return float(_angle_from(centre, xy[:, 0], xy[:, 1]).max())


def _closed_in_plane(closed, land, territorial_sea_m, centre, proj, notes):
    """Closed airspace in the gnomonic plane: for each closed region, (region, [(polygon, angle), ...]),
    where ``angle`` (degrees) is how far the polygon's representative point is from the centre.

    Parts of a region farther than :data:`MAX_ANGLE_DEG` from the centre are left out (with a note).
    """
    closed_ids = {r.id for r in closed}
    neighbours = _Neighbours([r for r in land if r.id not in closed_ids]) if territorial_sea_m else None
    out = []
    for region in closed:
        kept = []
        for part in shapely.get_parts(region.geometry):
            c = part.representative_point()
            angle = float(_angle_from(centre, [c.x], [c.y])[0])
            if angle > MAX_ANGLE_DEG:
                notes.append(
                    f"part of {region.name} near {c.y:.1f}, {c.x:.1f} is too far from the area to route "
                    "around and was left out"
                )
                continue
            kept.append((part, _project(proj, part), angle))
        if not kept:
            continue
        if not territorial_sea_m:
            out.append((region, [(xy, angle) for _, xy, angle in kept]))
            continue
        airspace_xy = _with_territorial_sea(kept, territorial_sea_m, centre, proj, neighbours)
        parts = []
        for polygon in shapely.get_parts(airspace_xy):
            c = polygon.representative_point()
            lon, lat = proj(c.x, c.y, inverse=True)
            parts.append((polygon, float(_angle_from(centre, [lon], [lat])[0])))
        out.append((region, parts))
    return out


class _Neighbours:
    """Open countries, found by bounding box and clipped to a neighbourhood (lon/lat degrees)."""

    def __init__(self, regions):
        self.regions = regions
        self.tree = shapely.STRtree([r.geometry for r in regions])

    def near(self, bounds, margin_m):
        """Their land within the box ``bounds`` widened by ``margin_m``, as one lon/lat geometry."""
        minx, miny, maxx, maxy = bounds
        dlat = margin_m / 110_000.0
        top = min(max(abs(miny), abs(maxy)) + dlat, 89.0)
        dlon = min(dlat / math.cos(math.radians(top)), 180.0)
        window = shapely.box(max(minx - dlon, -180), max(miny - dlat, -90), min(maxx + dlon, 180),
                             min(maxy + dlat, 90))  # fmt: skip
        hits = self.tree.query(window)
        if len(hits) == 0:
            return shapely.Polygon()
        clipped = shapely.intersection([self.regions[k].geometry for k in hits], window)
        return shapely.union_all(clipped)


def _with_territorial_sea(kept, sea_m, centre, proj, neighbours):
    """One closed region's land and territorial sea in the plane (see the module docstring)."""
    land_xy = shapely.union_all([xy for _, xy, _ in kept])
    bands, widest = [], 0.0
    for part, xy, _ in kept:
        # Plane distances are 1/cos to 1/cos^2 times ground distances: draw the band that much wider.
        t_max = min(_max_angle(centre, part) + 0.5, 80.0)
        width = sea_m / math.cos(math.radians(t_max)) ** 2
        widest = max(widest, width)
        bands.append(shapely.buffer(xy, width))
    sea = shapely.union_all(bands)
    lonlat = shapely.union_all([part for part, _, _ in kept])
    # Ground metres <= plane metres, so a plane margin is a ground margin too.
    others = neighbours.near(lonlat.bounds, 3 * widest + 2 * MEDIAN_STEP_M)
    if not others.is_empty:
        others = _project(proj, others)
        if not others.is_valid:
            others = shapely.make_valid(others)
        sea = shapely.difference(sea, others)
        if shapely.dwithin(land_xy, others, 2 * widest):
            sea = shapely.difference(sea, _nearer_to(others, land_xy, widest))
    return shapely.union_all([land_xy, sea])


def _nearer_to(others, land_xy, width):
    """Where, within ``width`` of ``others``, the nearest land is ``others`` rather than ``land_xy``:
    Voronoi cells of both outlines' points, sampled at most :data:`MEDIAN_STEP_M` apart, within
    ``2 * width`` (plus a step) of each other. A point both outlines share counts for ``land_xy``.
    """
    reach = 2 * width + MEDIAN_STEP_M
    own_outline = shapely.boundary(land_xy)
    other_outline = shapely.boundary(others)
    shapely.prepare(others)
    shapely.prepare(land_xy)
    shapely.prepare(own_outline)
    own = shapely.get_coordinates(shapely.segmentize(own_outline, MEDIAN_STEP_M))
    own = own[shapely.dwithin(others, shapely.points(own), reach)]
    theirs = shapely.get_coordinates(shapely.segmentize(other_outline, MEDIAN_STEP_M))
    theirs = theirs[shapely.dwithin(land_xy, shapely.points(theirs), reach)]
    theirs = theirs[~shapely.dwithin(own_outline, shapely.points(theirs), 1.0)]  # shared border points
    if len(theirs) == 0:
        return shapely.Polygon()
    seeds = np.vstack([own, theirs])
    seeds, first = np.unique(seeds, axis=0, return_index=True)
    is_theirs = first >= len(own)
    band = shapely.buffer(others, width)
    points = shapely.points(seeds)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=shapely.union(band, land_xy).envelope)
    )
    # Each cell holds its own seed inside it (shapely < 2.1 cannot return the cells in seed order).
    cell, seed = shapely.STRtree(points).query(cells, predicate="contains")
    mine = cell[is_theirs[seed]]
    return shapely.intersection(shapely.coverage_union_all(cells[mine]), band)


def airspace(closed_regions, standoff_m=0.0, points=(), centre=None, *, territorial_sea_m=0.0, land=()):
    """Prepare closed airspace for routing around it; ``points`` (lon, lat) set the projection centre.

    The centre is the mean of the given points and the closed regions' centres (or ``centre`` when
    given), so one ``Airspace`` serves every route among those points. ``territorial_sea_m`` adds each
    closed region's territorial sea, kept off the land of the regions in ``land`` (the other countries)
    and cut at median lines with them; ``standoff_m`` is kept from land and territorial sea alike.
    """
    if standoff_m < 0 or not math.isfinite(standoff_m):
        raise UsageError(f"--standoff must be a non-negative distance, got {standoff_m!r} m")
    if territorial_sea_m < 0 or not math.isfinite(territorial_sea_m):
        raise UsageError(f"--territorial-sea must be a non-negative distance, got {territorial_sea_m!r} m")
    closed_regions = tuple(closed_regions)
    if centre is None:
        lons = [p[0] for p in points] + [r.geometry.representative_point().x for r in closed_regions]
        lats = [p[1] for p in points] + [r.geometry.representative_point().y for r in closed_regions]
        if not lons:
            raise UsageError("routing needs at least one point")
        centre = centre_of(lons, lats)
    return Airspace(
        closed_regions,
        float(standoff_m),
        tuple(centre),
        territorial_sea_m=float(territorial_sea_m),
        land=tuple(land),
    )


def closed_airspace(routing, centre=None):
    """The closed airspace of ``routing`` -- its closed regions' land and territorial sea, without the
    stand-off -- as one shapely geometry in lon/lat degrees, for maps. The projection centre defaults to
    the mean of the closed regions' centres; parts farther than :data:`MAX_ANGLE_DEG` from it are left out.
    """
    if not routing.avoid:
        return shapely.Polygon()
    if centre is None:
        reps = [r.geometry.representative_point() for r in routing.avoid]
        centre = centre_of([p.x for p in reps], [p.y for p in reps])
    proj = _gnomonic(centre)
    parts = _closed_in_plane(routing.avoid, routing.land, routing.territorial_sea_m, centre, proj, [])
    plane = shapely.union_all([xy for _, region_parts in parts for xy, _ in region_parts])
    return _unproject(proj, plane)


def geodesic_polyline(lons, lats, step_m=SAMPLE_STEP_M):
    """Densify a route's vertices along its geodesic segments; returns lons, lats (degrees)."""
    out_lon, out_lat = [lons[0]], [lats[0]]
    for k in range(len(lons) - 1):
        length = float(geodesy.distance(lons[k], lats[k], lons[k + 1], lats[k + 1]))
        n = max(math.ceil(length / step_m), 1)
        if n > 1:
            pts = geodesy.GEOD.npts(lons[k], lats[k], lons[k + 1], lats[k + 1], n - 1)
            out_lon += [p[0] for p in pts]
            out_lat += [p[1] for p in pts]
        out_lon.append(lons[k + 1])
        out_lat.append(lats[k + 1])
    return np.array(out_lon), np.array(out_lat)


def countries_along(lons, lats, regions, step_m=SAMPLE_STEP_M):
    """How far a route runs over each country: ((id, name, metres), ...) in order of first crossing.

    The route is sampled every ``step_m`` along its geodesics; each sample segment counts for the country
    under its midpoint (None over the sea or outside every region).
    """
    dlon, dlat = geodesic_polyline(lons, lats, step_m)
    seg, azimuth, _ = geodesy.inverse(dlon[:-1], dlat[:-1], dlon[1:], dlat[1:])
    mid_lon, mid_lat, _ = geodesy.direct(dlon[:-1], dlat[:-1], azimuth, seg / 2)
    regions = list(regions)
    tree = shapely.STRtree([r.geometry for r in regions])
    points = shapely.points(mid_lon, mid_lat)
    hit_point, hit_region = tree.query(points, predicate="intersects")
    owner = np.full(len(points), -1)
    owner[hit_point] = hit_region
    totals = {}
    for k, length in zip(owner.tolist(), seg.tolist(), strict=True):
        totals[k] = totals.get(k, 0.0) + length
    out = []
    for k, length in totals.items():
        if k < 0:
            out.append((None, "no country (sea or unclaimed)", length))
        else:
            out.append((regions[k].id, regions[k].name, length))
    return tuple(out)


def routing_from_text(avoid=None, via=(), standoff=None, catalog=None, reasons=None, territorial_sea=None):
    """Build :class:`Routing` from what people type: ``avoid`` 'TUR,GEO,AZE' (ISO codes or names),
    ``via`` place texts (coordinates or names, in order), ``standoff`` '25km' and ``territorial_sea``
    '12nm' (distances with a unit). With a territorial sea, every other region of ``catalog`` is land
    that it stays off, except regions lying mostly inside a closed one (user areas, not countries).
    """
    from .places import resolve_place
    from .regions import all_regions, resolve_region
    from .units import DISTANCE_UNITS, parse_quantity

    regions = []
    if avoid is not None:
        codes = [c.strip() for c in avoid.split(",")]
        if not all(codes):
            raise UsageError(
                f"--avoid needs comma-separated country codes without empty items, got {avoid!r}"
            )
        regions = list({r.id: r for r in (resolve_region(c, catalog) for c in codes)}.values())
    points = []
    for text in via or ():
        place = resolve_place(text, catalog)
        points.append((place.lon, place.lat))
    standoff_m = 0.0
    if standoff is not None:
        standoff_m = parse_quantity(standoff, DISTANCE_UNITS, None, "--standoff", MAX_STANDOFF)
        if not regions:
            raise UsageError("--standoff needs --avoid: it is the distance kept from closed airspace")
    sea_m, land = 0.0, ()
    if territorial_sea is not None:
        sea_m = 0.0
        if not _is_zero(territorial_sea):  # a bare 0 needs no unit
            sea_m = parse_quantity(territorial_sea, DISTANCE_UNITS, None, "--territorial-sea", MAX_SEA)
        if not regions:
            raise UsageError(
                "--territorial-sea needs --avoid: it is the closed countries' airspace over the sea"
            )
        if sea_m > 0:
            land = _other_land(regions, all_regions(catalog).values())
    return Routing(tuple(regions), tuple(points), standoff_m, dict(reasons or {}), sea_m, land)


def _is_zero(text):
    try:
        return float(text) == 0.0
    except (TypeError, ValueError):
        return False


def _other_land(closed, regions):
    """The regions other than ``closed``, without those lying mostly inside a closed one."""
    closed_ids = {r.id for r in closed}
    others = [r for r in regions if r.id not in closed_ids]
    tree = shapely.STRtree([r.geometry for r in others])
    inside = set()
    for region in closed:
        for k in tree.query(region.geometry, predicate="intersects").tolist():
            geometry = others[k].geometry
            if shapely.area(shapely.intersection(geometry, region.geometry)) > 0.5 * geometry.area:
                inside.add(k)
    return tuple(r for k, r in enumerate(others) if k not in inside)


@dataclass(frozen=True)
class RouteReport:
    """What ``rangecalc route`` answers: the route from ``start`` to ``end`` (Places) under ``routing``."""

    start: object
    end: object
    route: Route
    routing: Routing


def plan_route(start, end, routing, catalog=None):
    """The shortest route between two Places under ``routing`` (direct when it has no rules), with the
    countries it crosses when a ``catalog`` is given. Raises :class:`NoRouteError` when there is none.
    """
    from .regions import all_regions

    space = routing.airspace([(start.lon, start.lat), (end.lon, end.lat)])
    route = space.route((start.lon, start.lat), (end.lon, end.lat), routing.via, (start.label, end.label))
    if catalog is not None:
        route = replace(
            route, countries=countries_along(route.lons, route.lats, all_regions(catalog).values())
        )
    return route
