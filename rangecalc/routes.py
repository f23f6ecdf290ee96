"""Flyable routes: the shortest path that avoids closed airspace, optionally through waypoints, anywhere
on Earth (across +-180 deg, over the poles, longer than a hemisphere).

Method. The shortest path among obstacles is a chain of geodesics that bends only at convex obstacle
corners. It is found on a visibility graph: nodes are the obstacles' convex corners plus the endpoints;
edges join pairs that see each other and are tangent to the obstacles at both ends (no shortest path uses
any other); weights are geodesic lengths on WGS84; Dijkstra (scipy.sparse.csgraph) picks the path.

The globe in tiles. Closed airspace that lies (grown by its stand-off and territorial sea) within
:data:`SINGLE_CHART_DEG` of one centre is built in one gnomonic chart about it (:class:`_Chart`: the sphere
of unit vectors with geodetic latitude, where great circles are straight lines), each country's obstacle
grown in a chart about the country itself and carried over vertex by vertex (so that closing another
country, which moves the common centre, never moves it). Wider airspace is cut into
lon/lat cells of :data:`TILE_DEG`, each with a chart about its centre; a cell builds the obstacles of the
land within reach of it (its stand-off, territorial sea and pad) and keeps what falls within the cell and a
margin of :data:`TILE_MARGIN_DEG` (neighbours overlap, so eroded copies leave no slit along cell lines; at
+-180 the other side's land is brought round by 360 deg), so that together the cells hold the whole, each
piece of it once or twice. Corners and visibility live on
the sphere: a corner is a unit vector, the tangent test is the sign of triple products (on which side of
each edge's great circle a target lies), and a segment is visible if every piece of it misses every
tile's obstacle. A segment is cut into pieces of at most :data:`PIECE_M` whose ends lie on the geodesic;
each piece, as the great-circle arc between its ends (within 70 m of the geodesic), is tested as a
straight segment in the chart of each tile whose obstacle comes within reach of it (by the angle from the
tile's centre to the arc). Corners of one tile that lie inside another's obstacle (where a country was
cut) are not corners of the whole, and are dropped. See docs/routing.md for why this design.

Pruning. Only the corners a question can use enter the graph, which is built lazily and kept: for a route
from a to b of length L, corners c with |ac| + |cb| > L cannot lie on it (geodesic lengths obey the
triangle inequality), so a route is sought among the corners of a first bound (1.05 times the direct
distance, 1.1 times more while none is found); a route found longer than the bound becomes the bound, and
the next round is exact. For a field up to a radius R, corners farther than R from the start are left
out. Edges are kept as arrays, so memory grows with the edges kept, not with the pairs tested; most
blocked pairs are rejected by a first test of their end pieces in their own tiles.

Closed airspace. A closed country's airspace is its land plus, with a territorial sea ``T`` (12 nm =
22,224 m under UNCLOS arts. 2-3), the water within ``T`` of its own coast: the band within ``T`` of its
outline, minus the land of every other country in ``land`` (a territorial sea never crosses a land border
into a neighbour), minus the water nearer to an open country's land than to it (the median or equidistance
line of UNCLOS art. 15). Only open countries within ``2 T`` of it can be nearer anywhere in that band, so
only those are looked at (found by bounding box, clipped to the neighbourhood). Without ``land`` the band
is a plain buffer. Where two closed countries face each other, the water between them is closed either way.

How the territorial sea is approximated, and by how much. It is built for each piece of a country (the
country in compact airspace, its part in a cell otherwise), in the ellipsoidal gnomonic projection
(Karney's, through PROJ) about that piece, then carried into the chart vertex by vertex (densified to
20 km: straight lines of the two projections part by centimetres over that). The projection stretches
ground distances by 1/cos(t) to 1/cos^2(t) at an angle t from its centre, so the band is drawn
``T / cos^2(t_max)`` wide (t_max: the piece's farthest vertex, plus half a degree): on the ground its outer
edge lies between ``T`` and ``T / cos^2(t_max)`` from the coast (Turkey reaches about 8 deg from its centre:
0.4 km too far; a cell's part about 7 deg, 0.35 km), never inside ``T``. The median line is the boundary
between the Voronoi cells
(``shapely.voronoi_polygons``) of the two coasts' outline points, taken at most :data:`MEDIAN_STEP_M`
apart (outline vertices included) within ``2 T`` of each other, and used only within ``T`` of the open
country. Sampling moves it by at most half a step at the coast and a few metres ``T`` offshore; the
plane's unequal stretch in different directions moves it by at most about ``T t^2 / 2`` (t in radians:
0.2 km at 7 deg). Where the two coasts meet at a land border, the sample point they share counts for the
closed country, so the median line sits at most half a step on the open side there. Open countries across
+-180 from a piece are not looked for (their bounding-box search does not wrap).

Stand-off. Obstacles -- the closed airspace (land and territorial sea) -- are enlarged by the stand-off
distance (measured conservatively: at least that far everywhere, with the chart's scale bounds: ground
distances are (b/a)^3 cos^2(t) to 1 times plane distances) and then by 2 x :data:`SIMPLIFY_M` before
being simplified to a tolerance of :data:`SIMPLIFY_M` -- outward: the simplified obstacle contains the
enlarged one by construction (:func:`_simplified_outward`) -- so routes keep at least the stand-off, and at
most about 3 x ``SIMPLIFY_M`` more, from closed airspace. Each bend around a corner therefore costs at most a
few kilometres: routes are longer than the true constrained optimum by well under 1 % for legs of a few
hundred kilometres or more.
"""

import heapq
import math
from dataclasses import dataclass, field, replace

import numpy as np
import shapely

from . import geodesy
from .errors import UsageError

#: Simplification tolerance for obstacle outlines, metres (in the charts' planes).
SIMPLIFY_M = 1000.0
#: Corners of closed airspace that one question may bring into the visibility graph (after pruning), and
#: the corner pairs tested at a time while building it. Lisbon to Sydney with every country closed but
#: Portugal and Australia needs 18,200 corners: about 2 minutes and 630 MB.
MAX_CORNERS = 20_000
GRAPH_BLOCK_PAIRS = 2_000_000
#: Closed airspace is cut into lon/lat cells of this size (degrees), each with its own gnomonic chart.
TILE_DEG = 10.0
#: Closed airspace that lies, grown by its stand-off and territorial sea, within this many degrees of one
#: centre is built in a single chart about it (the stretch there is at most 1/cos^2 = 1.22 and is allowed
#: for); anything wider is cut into cells.
SINGLE_CHART_DEG = 25.0
#: Neighbouring cells overlap by this much (degrees), so that the eroded copies of their obstacles used in
#: visibility tests leave no slit along the cell lines.
TILE_MARGIN_DEG = 0.1
#: Longest piece of a geodesic tested as one great-circle arc, metres: the arc lies within 16 m of the
#: geodesic for 500 km, 70 m for 1,000 km (the obstacles' pad of SIMPLIFY_M absorbs it).
PIECE_M = 1_000_000.0
#: Radius of the charts' sphere, metres: a^2/b, the largest radius of curvature of WGS84, so that plane
#: distances are never shorter than ground distances.
CHART_RADIUS_M = geodesy.GEOD.a**2 / geodesy.GEOD.b
#: Ground distances are at least this times plane distances at a chart's centre: (b^2/a) / (a^2/b).
_PLANE_TO_GROUND = (geodesy.GEOD.b / geodesy.GEOD.a) ** 3
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
    if np.linalg.norm(v) < 1e-6:  # points all round the globe: any of them will do
        v = _unit_vectors(np.asarray(lons[:1], float), np.asarray(lats[:1], float))[0]
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
    """Closed airspace prepared for routing around it, anywhere on Earth (see the module docstring).

    Build one with :func:`airspace`, then ask :meth:`route` and :meth:`distances_to` as often as needed:
    the visibility graph between obstacle corners is built lazily and kept.
    """

    closed: tuple  # Regions
    standoff_m: float
    centre: tuple[float, float]  # the mean of the points asked about (kept for callers; charts are tiles)
    notes: list = field(default_factory=list)
    territorial_sea_m: float = 0.0
    land: tuple = ()  # Regions: the other countries (keep territorial seas off them, median lines)

    def __post_init__(self):
        self._tiles = _build_tiles(self.closed, self.land, self.territorial_sea_m, self.standoff_m)
        if self._tiles:
            self._tile_centres = np.array([t.chart.c for t in self._tiles])
            self._tile_reach = np.array([t.reach for t in self._tiles])
        xyz, prev, nxt, owner = self._corners()
        self._corners_xyz, self._corner_prev, self._corner_next, self._corner_tile = xyz, prev, nxt, owner
        # Normals of each corner's two edges' great circles, for the tangent tests.
        self._out_prev, self._out_next = _cross(xyz, prev), _cross(xyz, nxt)
        lon, lat = _lonlat(xyz)
        self._corners_lonlat = np.column_stack([lon, lat])
        # The visibility graph is built lazily, among the corners a question can use (see _connect).
        self._known = np.zeros(len(xyz), bool)
        self._edges = []  # (i, j, metres) arrays, i < j, each pair once
        self._starts = {}  # see _from_start

    # -- construction -------------------------------------------------------------------------------

    def closed_airspace(self):
        """The closed airspace (land and territorial sea, no stand-off) in lon/lat degrees, for maps."""
        return _tiles_lonlat(self._tiles)

    def _corners(self):
        """Convex corners of the obstacles (unit vectors), with their neighbours along the outline, their
        tile and their pocket (-1: none; see _pockets). Corners that lie inside another tile's obstacle
        (where a tile's piece of a country was cut off) are not corners of the obstacles' union, and are
        dropped."""
        xyz, prev, nxt, owner, pocket = [], [], [], [], []
        self._pocket_list = []  # (tile index, prepared plane polygon)
        for k, tile in enumerate(self._tiles):
            xy, p, n = _convex_corners(tile.obstacle)
            if len(xy):
                xyz.append(tile.chart.to_xyz(xy))
                prev.append(tile.chart.to_xyz(p))
                nxt.append(tile.chart.to_xyz(n))
                owner.append(np.full(len(xy), k))
                ids = np.full(len(xy), -1)
                points = shapely.points(xy)
                for polygon, hull in tile.pockets:
                    # In the pocket (on its outline), but not a vertex of the hull (the mouth's ends).
                    inside = shapely.dwithin(polygon, points, 1.0) & ~shapely.dwithin(hull, points, 1.0)
                    ids[inside & (ids < 0)] = len(self._pocket_list)
                    self._pocket_list.append((k, polygon))
                pocket.append(ids)
        if not xyz:
            empty = np.zeros((0, 3))
            self._corner_pocket = np.zeros(0, int)
            return empty, empty, empty, np.zeros(0, int)
        xyz, prev, nxt = np.vstack(xyz), np.vstack(prev), np.vstack(nxt)
        owner, pocket = np.concatenate(owner), np.concatenate(pocket)
        inside = self._inside(xyz, "blocked", skip=owner)
        self._corner_pocket = pocket[~inside]
        return xyz[~inside], prev[~inside], nxt[~inside], owner[~inside]

    def _usable(self, lons, lats):
        """Corners a question with these points (ends, waypoints, targets) may use: all but those in
        pockets that hold none of the points (see _pockets). A point inside an obstacle's enlargement (the
        stand-off zone, where paths may cut through it) opens every pocket of its tiles."""
        pocket = self._corner_pocket
        if not (pocket >= 0).any():
            return np.ones(len(pocket), bool)
        xyz = _unit_vectors(np.atleast_1d(np.asarray(lons, float)), np.atleast_1d(np.asarray(lats, float)))
        inside = self._inside(xyz, "blocked")
        if inside.any():
            _, tiles = self._tiles_near(xyz[inside])
            pocket = np.where(np.isin(self._corner_tile, tiles), -1, pocket)
        if not hasattr(self, "_pocket_trees"):
            by_tile = {}
            for pid, (owner, _) in enumerate(self._pocket_list):
                by_tile.setdefault(owner, []).append(pid)
            self._pocket_trees = {}
            for k, ids in by_tile.items():
                polygons = [self._pocket_list[pid][1] for pid in ids]
                self._pocket_trees[k] = (ids, shapely.STRtree(polygons), shapely.total_bounds(polygons))
        point, tile = self._tiles_near(xyz)
        open_ = []
        for k in np.unique(tile).tolist():
            if k not in self._pocket_trees:
                continue
            ids, tree, (minx, miny, maxx, maxy) = self._pocket_trees[k]
            x, y = self._tiles[k].chart.from_xyz(xyz[point[tile == k]])
            boxed = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)  # no pocket elsewhere
            hit = np.unique(tree.query(shapely.points(x[boxed], y[boxed]), predicate="intersects")[1])
            open_ += [ids[h] for h in hit.tolist()]
        return (pocket < 0) | np.isin(pocket, open_)

    def _tiles_near(self, xyz, extra_rad=0.0, chunk=20_000):
        """(point index, tile index) pairs: the tiles whose obstacles may lie within ``extra_rad`` (radians)
        of each point (unit vectors). Dot products with every tile's centre, in chunks of points."""
        if not self._tiles or len(xyz) == 0:
            return np.zeros(0, int), np.zeros(0, int)
        limit = np.cos(np.minimum(self._tile_reach + extra_rad, math.pi / 2))
        points, tiles = [], []
        for start in range(0, len(xyz), chunk):
            p, t = np.nonzero(xyz[start : start + chunk] @ self._tile_centres.T >= limit[None, :])
            points.append(p + start)
            tiles.append(t)
        return np.concatenate(points), np.concatenate(tiles)

    def _inside(self, xyz, which, skip=None):
        """Which points (unit vectors) lie inside the tiles' ``which`` geometry ('raw', 'blocked_raw',
        'blocked'); ``skip`` gives, per point, a tile not to look at."""
        out = np.zeros(len(xyz), bool)
        point, tile = self._tiles_near(xyz)
        if skip is not None:
            keep = tile != skip[point]
            point, tile = point[keep], tile[keep]
        for k in np.unique(tile):
            mine = point[tile == k]
            t = self._tiles[k]
            x, y = t.chart.from_xyz(xyz[mine])
            out[mine[shapely.contains_xy(getattr(t, which), x, y)]] = True
        return out

    def _tangent(self, i, targets):
        """For corner(s) ``i`` and target points (unit vectors): does the great circle to the target leave
        the corner outside the wedge of its two edges (on the same side of both edges' great circles)?"""
        a = np.einsum("...j,...j->...", self._out_prev[i], targets)
        b = np.einsum("...j,...j->...", self._out_next[i], targets)
        return _same_side(a, b)

    def _tangent_to_points(self, corners, points):
        """:meth:`_tangent` for every corner x every point, as a (corners, points) boolean matrix."""
        a = self._out_prev[corners] @ points.T
        b = self._out_next[corners] @ points.T
        return _same_side(a, b)

    def _clear(self, alon, alat, blon, blat, raw=False, end_tiles=None):
        """Does the geodesic from each (alon, alat) to (blon, blat) stay out of the obstacles (with ``raw``,
        a boolean or an array of them: out of the closed airspace itself, 50 m inside its outline allowed)?

        Each geodesic is cut into pieces of at most :data:`PIECE_M` whose ends lie on it; a piece is tested
        as the great-circle arc between its ends, which lies within 70 m of the geodesic (16 m for 500 km),
        in the gnomonic chart of every tile whose obstacles come that near. With ``end_tiles`` (the tiles
        of each segment's ends, corners of the graph), the end pieces are first tested there alone: most
        blocked segments enter an obstacle next to one of their ends.
        """
        alon, alat, blon, blat = (np.atleast_1d(np.asarray(v, float)) for v in (alon, alat, blon, blat))
        n = len(alon)
        raw = np.broadcast_to(np.asarray(raw, bool), (n,))
        if n == 0 or not self._tiles:
            return np.ones(n, bool)
        a, b = _unit_vectors(alon, alat), _unit_vectors(blon, blat)
        # Segments that a few points along them prove blocked skip the full test (most blocked tests).
        sure = self._sampled_blocked(a, b, raw, None if end_tiles is None else end_tiles[0])
        if sure.all():
            return np.zeros(n, bool)
        if sure.any():
            rest = np.nonzero(~sure)[0]
            clear = np.zeros(n, bool)
            tiles = None if end_tiles is None else [np.asarray(t)[rest] for t in end_tiles]
            clear[rest] = self._clear_pieces(alon[rest], alat[rest], blon[rest], blat[rest], a[rest], b[rest],
                                             raw[rest], tiles)  # fmt: skip
            return clear
        return self._clear_pieces(alon, alat, blon, blat, a, b, raw, end_tiles)

    def _clear_pieces(self, alon, alat, blon, blat, a, b, raw, end_tiles):
        """:meth:`_clear`'s full test, piece by piece (arrays of segments, their ends' unit vectors ``a`` and
        ``b``, ``raw`` an array)."""
        n = len(alon)
        seg, u0, u1 = _pieces(alon, alat, blon, blat, a, b)
        blocked = np.zeros(len(seg), bool)
        if end_tiles is not None:
            counts = np.bincount(seg, minlength=n)
            first = np.concatenate([[0], np.cumsum(counts)[:-1]])
            last = first + counts - 1
            piece = np.concatenate([first, last])
            self._test_pieces(piece, np.concatenate(end_tiles), u0, u1, raw[seg], blocked)
            dead = np.bincount(seg, weights=blocked, minlength=n).astype(bool)
            alive = ~dead[seg]
        else:
            alive = np.ones(len(seg), bool)
        idx = np.nonzero(alive)[0]
        piece, tile = self._arc_tiles(u0[idx], u1[idx])
        self._test_pieces(idx[piece], tile, u0, u1, raw[seg], blocked)
        return ~np.bincount(seg, weights=blocked, minlength=n).astype(bool)

    def _sampled_blocked(self, a, b, raw, tile=None):
        """Which segments (ends' unit vectors ``a`` and ``b``) a few of their own points prove blocked, in the
        chart of ``tile`` (one per segment;
        by default the tile nearest to its first end), where their great-circle arc is a straight segment:
        one of the points :data:`_SAMPLE_FRACTIONS` along it inside the tile's obstacle (``blocked``, or
        ``blocked_raw`` for ``raw``) for a segment short enough to be one piece (see :func:`_pieces`: the arc
        is what the full test tests); for one up to :data:`SAMPLED_LONG_M`, whose pieces stray from the arc
        (with the geodesic: about 60 m x (L / 1,000 km)^2, 0.6 km at 3,000 km), inside the obstacle by
        :data:`SAMPLED_DEPTH_M` or more. Such a segment meets the obstacle, as the full test would find; the
        others are left to it."""
        n = len(a)
        sure = np.zeros(n, bool)
        if n < _SAMPLED_MIN:
            return sure
        cosine = np.einsum("ij,ij->i", a, b)
        one_piece = cosine >= math.cos(PIECE_M / CHART_RADIUS_M)
        long = ~one_piece & (cosine >= math.cos(SAMPLED_LONG_M / CHART_RADIUS_M))
        if tile is None:  # the nearest tile's centre, a block of segments at a time (bounded memory)
            rows = max(1, _CHUNK_ENTRIES // len(self._tiles))
            tile = np.concatenate(
                [np.argmax(a[k : k + rows] @ self._tile_centres.T, axis=1) for k in range(0, n, rows)]
            )
        tile = np.asarray(tile)
        sampled = one_piece | long
        for k in np.unique(tile[sampled]).tolist():
            t = self._tiles[k]
            here = np.nonzero(sampled & (tile == k))[0]
            da, db = a[here] @ t.chart.c, b[here] @ t.chart.c
            # Ends well inside the chart's hemisphere, so that the arc is the segment between them; a long
            # segment's within 60 deg of the centre, where a ground distance is at least a quarter of its
            # chart distance (see _Chart), so that the depth holds four times the pieces' straying.
            for rows, depth, least in ((one_piece, False, 0.1), (long, True, 0.5)):
                mine = here[rows[here] & (da > least) & (db > least)]
                if mine.size == 0:
                    continue
                x0, y0 = t.chart.from_xyz(a[mine])
                x1, y1 = t.chart.from_xyz(b[mine])
                sure[mine[_points_inside(t, x0, y0, x1, y1, raw[mine], depth)]] = True
        return sure

    def _arc_tiles(self, u0, u1):
        """(arc index, tile index) pairs: the tiles whose obstacles come within reach of each great-circle
        arc u0 -> u1 (shorter than a quarter circle): first by the arc's midpoint, then exactly (the angle
        from the tile's centre to the arc's nearest point)."""
        mid = u0 + u1
        mid /= np.linalg.norm(mid, axis=1)[:, None]
        half = 0.5 * np.arccos(np.clip(np.einsum("ij,ij->i", u0, u1), -1, 1))
        arc, tile = self._tiles_near(mid, float(half.max()) + 1e-9 if len(half) else 0.0)
        # Per arc: its great circle's normal n, and n x a, b x n, whose dot products with a point's
        # projection on that plane (or the point itself: they are perpendicular to n) say whether it falls
        # between the ends.
        normal = _cross(u0, u1)
        norm = np.linalg.norm(normal, axis=1)
        normal /= np.where(norm > 0, norm, 1.0)[:, None]
        after_a, before_b = _cross(normal, u0), _cross(u1, normal)
        c = self._tile_centres[tile]
        s = np.einsum("ij,ij->i", c, normal[arc])
        within = (np.einsum("ij,ij->i", c, after_a[arc]) >= 0) & (
            np.einsum("ij,ij->i", c, before_b[arc]) >= 0
        )
        reach = self._tile_reach[tile]
        ends = np.maximum(np.einsum("ij,ij->i", c, u0[arc]), np.einsum("ij,ij->i", c, u1[arc])) >= np.cos(
            reach
        )
        keep = ends | (within & (norm[arc] > 0) & (np.abs(s) <= np.sin(reach)))
        return arc[keep], tile[keep]

    def _test_pieces(self, piece, tile, u0, u1, raw, blocked):
        """Test arcs ``piece`` (u0 -> u1) against the obstacles of ``tile`` in its chart; mark ``blocked``."""
        order = np.argsort(tile, kind="stable")
        piece, tile = piece[order], tile[order]
        bounds = np.searchsorted(tile, np.arange(len(self._tiles) + 1))
        for k in np.nonzero(np.diff(bounds))[0]:
            mine = piece[bounds[k] : bounds[k + 1]]
            mine = mine[~blocked[mine]]
            if mine.size == 0:
                continue
            t = self._tiles[k]
            x0, y0 = t.chart.from_xyz(u0[mine])
            x1, y1 = t.chart.from_xyz(u1[mine])
            # Only arcs whose box meets the obstacle's box can meet the obstacle.
            minx, miny, maxx, maxy = t.bounds
            meet = (np.maximum(x0, x1) >= minx) & (np.minimum(x0, x1) <= maxx)
            meet &= (np.maximum(y0, y1) >= miny) & (np.minimum(y0, y1) <= maxy)
            mine, x0, y0, x1, y1 = mine[meet], x0[meet], y0[meet], x1[meet], y1[meet]
            if mine.size >= _SAMPLED_MIN:
                # A point of the arc (a point of its chart segment) inside the obstacle settles it.
                hit = _points_inside(t, x0, y0, x1, y1, raw[mine])
                hit &= (u0[mine] @ t.chart.c > 0.1) & (u1[mine] @ t.chart.c > 0.1)  # a true chart segment
                blocked[mine[hit]] = True
                mine, x0, y0, x1, y1 = mine[~hit], x0[~hit], y0[~hit], x1[~hit], y1[~hit]
            if mine.size == 0:
                continue
            coords = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
            lines = shapely.linestrings(coords)
            use_raw = raw[mine]
            hit = np.zeros(mine.size, bool)
            if (~use_raw).any():
                hit[~use_raw] = shapely.intersects(t.blocked, lines[~use_raw])
            if use_raw.any():
                hit[use_raw] = shapely.intersects(t.blocked_raw, lines[use_raw])
            blocked[mine[hit]] = True

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
                f"{MAX_CORNERS:,} rangecalc handles in bounded time and memory; "
                "close fewer or smaller countries"
            )
        fresh = ~self._known[cols]
        ll, v = self._corners_lonlat, self._corners_xyz
        out_prev, out_next = self._out_prev, self._out_next
        rows = max(1, GRAPH_BLOCK_PAIRS // cols.size)
        for start in range(0, new.size, rows):
            r = new[start : start + rows]
            # Tangent at both ends (see _tangent), as matrix products.
            keep = _same_side(out_prev[r] @ v[cols].T, out_next[r] @ v[cols].T)
            keep &= _same_side(v[r] @ out_prev[cols].T, v[r] @ out_next[cols].T)
            # New x known pairs once, new x new pairs once (i < j).
            keep &= ~fresh[None, :] | (cols[None, :] > r[:, None])
            ri, ci = np.nonzero(keep)
            i, j = r[ri], cols[ci]
            owner = self._corner_tile
            ok = self._clear(ll[i, 0], ll[i, 1], ll[j, 0], ll[j, 1], end_tiles=(owner[i], owner[j]))
            i, j = i[ok], j[ok]
            lengths = geodesy.distance(ll[i, 0], ll[i, 1], ll[j, 0], ll[j, 1])
            self._edges.append((i, j, lengths))
        self._known |= mask

    def _shortest(self, sources, sinks=None, limit=np.inf):
        """Dijkstra (scipy's, in C) over the corner graph from a source node linked to the corners
        ``sources`` = (indices, metres); with ``sinks`` = (indices, metres), to a sink node linked to
        those. Returns (distances, predecessors) over the corners, the source (n) and the sink (n + 1)."""
        n = len(self._corners_xyz)
        parts = [*self._edges, (np.full(len(sources[0]), n), sources[0], sources[1])]
        if sinks is not None:
            parts.append((sinks[0], np.full(len(sinks[0]), n + 1), sinks[1]))
        i = np.concatenate([np.asarray(p[0], np.int64) for p in parts])
        j = np.concatenate([np.asarray(p[1], np.int64) for p in parts])
        # A zero-length edge (two coinciding corners) must stay an edge: scipy drops explicit zeros.
        w = np.maximum(np.concatenate([np.asarray(p[2], float) for p in parts]), 1e-6)
        if len(w) <= _SMALL_GRAPH_EDGES:
            return _dijkstra(n + 2, i, j, w, n, limit)
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import dijkstra

        graph = coo_matrix((w, (i, j)), shape=(n + 2, n + 2)).tocsr()
        return dijkstra(graph, directed=False, indices=n, return_predecessors=True, limit=limit)

    # -- queries ------------------------------------------------------------------------------------

    def closed_country_at(self, lon, lat):
        """Name of the closed country containing (lon, lat), or None."""
        xyz = _unit_vectors(np.atleast_1d(lon), np.atleast_1d(lat))
        if not self._inside(xyz, "blocked_raw")[0]:  # on a border (within BORDER_M) is not inside
            return None
        for region in self.closed:
            if shapely.intersects_xy(region.geometry, lon, lat):
                return region.name
        for tile in self._tiles:
            x, y = tile.chart.from_xyz(xyz)
            if tile.chart.c @ xyz[0] <= 0:
                continue
            for region, xy in tile.pieces:
                if shapely.intersects_xy(xy, x[0], y[0]):
                    return f"{region.name}, territorial sea"
        return self.closed[0].name

    def _endpoint(self, lon, lat, label):
        inside = self.closed_country_at(lon, lat)
        if inside:
            raise NoRouteError(f"no route: {label} is inside closed airspace ({inside})")
        in_standoff = bool(self._inside(_unit_vectors([lon], [lat]), "blocked")[0])
        return _unit_vectors([lon], [lat])[0], in_standoff

    def _links(self, xyz, in_standoff, lon, lat, mask):
        """Edges from an endpoint to every corner of ``mask`` it sees: (indices, geodesic lengths)."""
        idx = np.nonzero(mask)[0]
        if len(idx) == 0:
            return np.zeros(0, int), np.zeros(0)
        if not in_standoff:
            # A shortest path leaves a corner tangentially -- unless its end lies inside the enlargement,
            # where it may cut into it (the same rule as distances_to).
            idx = idx[self._tangent(idx, xyz[None, :])]
        ll = self._corners_lonlat[idx]
        ok = self._clear(np.full(len(idx), lon), np.full(len(idx), lat), ll[:, 0], ll[:, 1], raw=in_standoff)
        idx = idx[ok]
        ll = self._corners_lonlat[idx]
        return idx, geodesy.distance(lon, lat, ll[:, 0], ll[:, 1])

    def _leg(self, a, b, labels):
        (alon, alat), (blon, blat) = a, b
        a_xyz, a_in = self._endpoint(alon, alat, labels[0])
        b_xyz, b_in = self._endpoint(blon, blat, labels[1])
        direct = float(geodesy.distance(alon, alat, blon, blat))
        if self._clear(alon, alat, blon, blat, raw=a_in or b_in)[0]:
            return Leg(direct, np.array([alon, blon]), np.array([alat, blat])), a_in or b_in
        # Only corners c with |ac| + |cb| <= L can lie on a path of length L (geodesic lengths obey the
        # triangle inequality). Start from a bound a little above the direct distance; a path found longer
        # than the bound becomes the bound, and the next round is exact (its corners hold the optimum).
        ll = self._corners_lonlat
        via = geodesy.distance(alon, alat, ll[:, 0], ll[:, 1]) + geodesy.distance(
            blon, blat, ll[:, 0], ll[:, 1]
        )
        n = len(ll)
        usable = self._usable([alon, blon], [alat, blat])
        bound = 1.05 * direct
        while True:
            mask = (via <= bound) & usable
            self._connect(mask)
            a_links = self._links(a_xyz, a_in, alon, alat, mask)
            b_links = self._links(b_xyz, b_in, blon, blat, mask)
            dist, prev = self._shortest(a_links, b_links)
            length = float(dist[n + 1])
            if math.isfinite(length) and length <= bound:
                break
            if math.isfinite(length):
                bound = length * (1 + 1e-9)
            elif mask.sum() == usable.sum():
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
        Candidates are ranked by a lower bound of the length through them (the corner's exact distance plus
        b sigma to the point, sigma a central angle: see :func:`rangecalc.geodesy.within`), tried in that
        order until one is visible; its exact length bounds the answer, and every visible candidate whose
        lower bound lies within it is then measured on the ellipsoid, so the answer is the exact minimum
        over visible last corners.
        """
        return self.distances_from([start], lons, lats, max_m)[0]

    def distances_from(self, starts, lons, lats, max_m=None):
        """:meth:`distances_to` from each of several ``starts`` (lon, lat pairs) at once: a (starts, points)
        array, each row what :meth:`distances_to` gives from that start. One pass over all (start, point)
        pairs: a search asking a few points from many starts pays the per-call work once. A start inside
        closed airspace raises :class:`NoRouteError`, as there."""
        lons, lats = np.asarray(lons, float).ravel(), np.asarray(lats, float).ravel()
        starts = [(float(lon), float(lat)) for lon, lat in starts]
        n = len(self._corners_xyz)
        ll = self._corners_lonlat
        limit = np.inf if max_m is None else float(max_m)
        # A point opens the pockets it lies in whatever the start (see _usable), so the points' pockets are
        # found once, and each start adds its own.
        opened = self._usable(lons, lats)
        cands = []
        for lon, lat in starts:
            usable = opened | self._usable(np.array([lon]), np.array([lat]))
            s_in, dist = self._from_start(lon, lat, limit, usable)
            reached = np.nonzero(np.isfinite(dist[:n]))[0]
            cands.append((s_in, reached, dist[reached]))
        # Candidates per start (columns): the start itself (row 0) and every reached corner; rows past a
        # start's own corners are padding, with an infinite offset (never tried).
        rows = 1 + max(len(c[1]) for c in cands)
        cand_lon, cand_lat = np.zeros((rows, len(starts))), np.zeros((rows, len(starts)))
        offset = np.full((rows, len(starts)), np.inf)
        reached = np.zeros((rows - 1, len(starts)), int)
        for k, ((lon, lat), (_, corners, dist)) in enumerate(zip(starts, cands, strict=True)):
            cand_lon[0, k], cand_lat[0, k], offset[0, k] = lon, lat, 0.0
            cand_lon[1 : 1 + len(corners), k], cand_lat[1 : 1 + len(corners), k] = (
                ll[corners, 0],
                ll[corners, 1],
            )
            offset[1 : 1 + len(corners), k] = dist
            reached[: len(corners), k] = corners
        param = _parametric_unit_vectors(cand_lon.ravel(), cand_lat.ravel()).reshape(rows, len(starts), 3)
        s_in = np.array([c[0] for c in cands], bool)
        cand = (cand_lon, cand_lat, param, offset, reached, s_in)
        pxyz = _unit_vectors(lons, lats)
        # Points on a border (within BORDER_M of it) are not inside.
        inside = self._inside(pxyz, "blocked_raw")
        # Points within the enlarged obstacles (stand-off zone) are reached through it, like endpoints.
        near = self._inside(pxyz, "blocked")
        pparam = _parametric_unit_vectors(lons, lats)
        # (start, point) pairs a chunk at a time, so that the candidate x pair matrices stay within bounded
        # memory.
        result = np.full((len(starts), lons.size), np.inf)
        pairs = len(starts) * lons.size
        chunk = max(1, _CHUNK_ENTRIES // rows)
        for a in range(0, pairs, chunk):
            col = np.arange(a, min(a + chunk, pairs))
            k, p = np.divmod(col, lons.size)
            result.flat[col] = self._last_legs(cand, k, p, lons, lats, pxyz, pparam, inside, near)
        for k in range(len(starts)):
            if np.isfinite(result[k]).any():
                result[k] = self._reach_pockets(result[k], lons, lats, pxyz, near & ~inside)
        return result

    def _last_legs(self, cand, col_k, col_p, lons, lats, pxyz, pparam, inside, near):
        """Flyable distances for (start ``col_k``, point ``col_p``) pairs (see :meth:`distances_to`), from
        candidates ``cand`` = (lons, lats, parametric unit vectors, offsets: their distances from the start,
        corner indices of all but the first, which is the start itself, and whether the start lies in the
        stand-off zone), each a (candidates, starts) array (but the last, per start)."""
        cand_lon, cand_lat, cand_param, offset, reached, s_in = cand
        inside, near = inside[col_p], near[col_p]
        # Lower bounds of each candidate's path length through it: its exact offset plus b * sigma, sigma the
        # central angle between parametric latitudes (geodesy.within: b sigma <= s <= a sigma), less a metre
        # for arccos's rounding near zero. They rank the candidates and bound which can beat the first seen.
        approx = np.empty((cand_lon.shape[0], col_k.size))
        tangent = np.empty((cand_lon.shape[0] - 1, col_k.size), bool)
        for k in np.unique(col_k).tolist():
            j = np.nonzero(col_k == k)[0]
            cosine = cand_param[:, k] @ pparam[col_p[j]].T
            angle = np.arccos(np.clip(cosine, -1.0, 1.0), out=cosine)
            angle *= geodesy.GEOD.b
            angle += offset[:, k, None] - _LOWER_BOUND_SLACK_M
            approx[:, j] = angle
            tangent[:, j] = self._tangent_to_points(reached[:, k], pxyz[col_p[j]])
        tangent |= near[None, :]
        approx[1:][~tangent] = np.inf
        # Candidates in order of their bounds: the first _HEAD_RANKS by a partial sort (most points see one of
        # them), the rest sorted only for the points that get that far.
        n_cand = approx.shape[0]
        order = np.zeros(approx.shape, np.intp)
        head = min(_HEAD_RANKS, n_cand)
        top = (
            np.argpartition(approx, head - 1, axis=0)[:head] if head < n_cand else np.arange(n_cand)[:, None]
        )
        top = np.broadcast_to(top, (head, col_k.size))
        order[:head] = np.take_along_axis(
            top, np.argsort(np.take_along_axis(approx, top, axis=0), axis=0), axis=0
        )
        sorted_all = head == n_cand
        first, first_rank = np.full(col_k.size, -1), np.zeros(col_k.size, np.int64)
        pending = np.nonzero(~inside)[0]
        # Ranks are tried in blocks of 1, 2, 4, ... (one visibility call per block, not per rank), narrower
        # while many points are pending (a test beyond a point's first visible rank is wasted), and wider from
        # the start when few are (a call costs more than a few wasted tests).
        rank, width = 0, max(1, min(_FIRST_BLOCK_RANKS, _RANK_BLOCK_PAIRS // max(pending.size, 1)))
        while pending.size and rank < n_cand:
            if rank + width > head and not sorted_all:
                # The rest after the head, which keeps its order (what was tried stays what was tried).
                rest = approx[:, pending]
                rest[order[:head, pending], np.arange(pending.size)] = -np.inf
                order[head:, pending] = np.argsort(rest, axis=0)[head:]
                sorted_all = True
            c = order[rank : rank + width, pending]  # (ranks, points)
            possible = np.isfinite(approx[c, pending[None, :]])
            rows, cols = np.nonzero(possible)
            cc, jj = c[rows, cols], pending[cols]
            kk, pp = col_k[jj], col_p[jj]
            raw = near[jj] | (s_in[kk] & (cc == 0))
            seen = np.zeros(c.shape, bool)
            seen[rows, cols] = self._clear(cand_lon[cc, kk], cand_lat[cc, kk], lons[pp], lats[pp], raw)
            hit = seen.any(axis=0)
            best = np.argmax(seen, axis=0)  # the first visible rank of the block
            first[pending[hit]] = c[best[hit], np.nonzero(hit)[0]]
            first_rank[pending[hit]] = rank + best[hit]
            # Points with no possible candidate left are done (unreachable); the others go on.
            alive = ~hit & possible[-1] if rank + width < n_cand else np.zeros_like(hit)
            pending = pending[alive]
            rank, width = rank + width, max(1, min(2 * width, _RANK_BLOCK_PAIRS // max(pending.size, 1)))
        result = np.full(col_k.size, np.inf)
        found = np.nonzero(first >= 0)[0]
        if found.size == 0:
            return result
        # The first visible candidate's exact length bounds the answer; only candidates ranked after it (those
        # before it were seen to be blocked) whose lower bound is within it can do better, and only those are
        # tested and measured: the answer is the exact minimum over visible last corners.
        f, fk, fp = first[found], col_k[found], col_p[found]
        result[found] = offset[f, fk] + geodesy.distance(cand_lon[f, fk], cand_lat[f, fk], lons[fp], lats[fp])
        # The candidates each point tried, up to its first visible one (past the head, sorted whole).
        tried = np.zeros((n_cand, found.size), bool)
        last_tried = first_rank[found]
        for r in range(int(last_tried.max()) + 1):
            cols = np.nonzero(last_tried >= r)[0]
            tried[order[r, found[cols]], cols] = True
        later = (approx[:, found] <= result[found][None, :]) & ~tried
        cand, col = np.nonzero(later)
        col = found[col]
        kk, pp = col_k[col], col_p[col]
        raw = near[col] | (s_in[kk] & (cand == 0))
        ok = self._clear(cand_lon[cand, kk], cand_lat[cand, kk], lons[pp], lats[pp], raw)
        cand, col, kk, pp = cand[ok], col[ok], kk[ok], pp[ok]
        exact = offset[cand, kk] + geodesy.distance(
            cand_lon[cand, kk], cand_lat[cand, kk], lons[pp], lats[pp]
        )
        np.minimum.at(result, col, exact)
        return result

    def _from_start(self, lon, lat, limit, usable):
        """(start in the stand-off zone?, Dijkstra distances over the corners) from a start, through the
        ``usable`` corners within ``limit`` of it; kept for the next question from the same start (fields
        and searches ask one start about many batches of points).

        Batches open different pockets (see _usable); a search through more corners than asked for serves
        too: no shortest path to a corner outside a pocket enters it (the pocket lemma, _pockets), so the
        distances to the usable corners are the same, and the others are set aside. A start is searched
        again only when a batch opens a pocket not searched before, through every pocket opened so far."""
        key = (lon, lat, limit)
        found = self._starts.get(key)
        if found is None or (not isinstance(found, NoRouteError) and (usable & ~found[0]).any()):
            try:
                s_xyz, s_in = self._endpoint(lon, lat, "the base")
            except NoRouteError as exc:
                found = exc
            else:
                searched = usable if found is None else usable | found[0]
                ll = self._corners_lonlat
                mask = (geodesy.distance(lon, lat, ll[:, 0], ll[:, 1]) <= limit) & searched
                self._connect(mask)
                dist, _ = self._shortest(self._links(s_xyz, s_in, lon, lat, mask), limit=limit)
                found = (searched, s_in, dist)
            self._starts.pop(key, None)
            if len(self._starts) >= _STARTS_KEPT:
                self._starts.pop(next(iter(self._starts)))
            self._starts[key] = found
        if isinstance(found, NoRouteError):
            raise found
        searched, s_in, dist = found
        if (searched & ~usable).any():
            dist = dist.copy()
            dist[: len(usable)][searched & ~usable] = np.inf
        return s_in, dist

    def _reach_pockets(self, result, lons, lats, pxyz, near, neighbours=16, rounds=4):
        """Points in the stand-off zone that no corner sees (pockets of a border): reach them from the
        nearest already-reached points (a path to a neighbour, then straight on, if that leg stays out of
        the closed countries). Good to about the spacing of the points; only used inside the zone.
        """
        for _ in range(rounds):
            todo = np.nonzero(near & ~np.isfinite(result))[0]
            done = np.nonzero(np.isfinite(result))[0]
            if todo.size == 0 or done.size == 0:
                break
            cosine = pxyz[todo] @ pxyz[done].T
            k = min(neighbours, done.size)
            nearest = np.argpartition(-cosine, k - 1, axis=1)[:, :k]
            p = np.repeat(todo, k)
            q = done[nearest.ravel()]
            ok = self._clear(lons[q], lats[q], lons[p], lats[p], raw=True)
            total = result[q] + geodesy.distance(lons[q], lats[q], lons[p], lats[p])
            total[~ok] = np.inf
            np.minimum.at(result, p, total)
        return result


#: Where along a segment :meth:`Airspace._sampled_blocked` looks for a point inside an obstacle (fractions of
#: its chart segment), and the fewest segments worth the look.
_SAMPLE_FRACTIONS = (0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875)
_SAMPLED_MIN = 64
#: The longest segments that :meth:`Airspace._sampled_blocked` samples (m; longer ones stray further from
#: their arc), and how deep inside an obstacle (chart metres) a point of a segment longer than a piece must
#: lie.
SAMPLED_LONG_M = 3_000_000.0
SAMPLED_DEPTH_M = 5_000.0
#: Corner graphs with at most this many edges are searched by :func:`_dijkstra`, bigger ones by scipy's.
_SMALL_GRAPH_EDGES = 20_000
#: Starts whose shortest distances over the corner graph an :class:`Airspace` keeps (see _from_start).
_STARTS_KEPT = 256
#: Ranks of candidates that :meth:`Airspace.distances_to` sorts for every point (the others only as needed).
_HEAD_RANKS = 32
#: The widest first block of ranks (see :meth:`Airspace.distances_to`).
_FIRST_BLOCK_RANKS = 16
#: Pairs that one block of ranks in :meth:`Airspace.distances_to` aims at (see there).
_RANK_BLOCK_PAIRS = 5_000
#: Candidate x point entries in one chunk of :meth:`Airspace.distances_to` (8 bytes each, a few matrices).
_CHUNK_ENTRIES = 4_000_000
#: Allowance (m) in the lower bounds of :meth:`Airspace.distances_to` for arccos's rounding near zero (1e-16
#: in a cosine is 1.5e-8 rad, 0.1 m).
_LOWER_BOUND_SLACK_M = 1.0


def _points_inside(tile, x0, y0, x1, y1, raw, deep=False):
    """Which chart segments (x0, y0) -> (x1, y1) have one of the points :data:`_SAMPLE_FRACTIONS` along them
    inside the tile's obstacle (``blocked``, or ``blocked_raw`` where ``raw``): such a segment meets it. With
    ``deep``, inside it by :data:`SAMPLED_DEPTH_M` (chart metres) or more, raw or not."""
    hit = np.zeros(x0.size, bool)
    if deep:
        if tile.deep is None:
            tile.deep = shapely.buffer(tile.blocked_raw, -SAMPLED_DEPTH_M)
            shapely.prepare(tile.deep)
        pairs = ((tile.deep, None),)
    else:
        pairs = ((tile.blocked, False), (tile.blocked_raw, True))
    for f in _SAMPLE_FRACTIONS:
        x, y = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
        for geometry, which in pairs:
            mine = ~hit if which is None else ~hit & (raw == which)
            if mine.any():
                hit[mine] = shapely.contains_xy(geometry, x[mine], y[mine])
    return hit


def _dijkstra(size, i, j, w, source, limit=np.inf):
    """Shortest distances and predecessors from ``source`` over the undirected graph of edges (i, j) of
    weights ``w`` (each pair once), as ``scipy.sparse.csgraph.dijkstra(..., directed=False,
    return_predecessors=True, limit=limit)`` gives them (inf and -9999 where not reached within ``limit``).

    A binary heap over Python lists: for the few hundred edges of most closed airspace this takes well under
    a millisecond, less than importing scipy's sparse graphs takes (0.1 s), which bigger graphs need."""
    ends = np.concatenate([i, j])
    order = np.argsort(ends, kind="stable")
    neighbour = np.concatenate([j, i])[order].tolist()
    weight = np.concatenate([w, w])[order].tolist()
    start = np.searchsorted(ends[order], np.arange(size + 1)).tolist()
    dist, pred, done = [math.inf] * size, [-9999] * size, [False] * size
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if done[u]:
            continue
        done[u] = True
        for k in range(start[u], start[u + 1]):
            v, length = neighbour[k], d + weight[k]
            if length < dist[v] and length <= limit:
                dist[v], pred[v] = length, u
                heapq.heappush(heap, (length, v))
    return np.array(dist), np.array(pred)


def _parametric_unit_vectors(lons, lats):
    """Unit vectors of (lon, parametric latitude): central angles between them bound geodesic lengths
    (see :func:`rangecalc.geodesy.within`)."""
    cb, sb = geodesy._reduced(np.asarray(lats, float))
    lon = np.radians(np.asarray(lons, float))
    return np.column_stack([cb * np.cos(lon), cb * np.sin(lon), sb])


def _cross(a, b):
    """Row-wise cross products of (n, 3) arrays (np.cross costs tens of microseconds a call in overhead)."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1]
    out[..., 1] = a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2]
    out[..., 2] = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return out


def _same_side(a, b, eps=1e-12):
    """Triple products ``a`` and ``b`` of the same sign, zero included: a target on an edge's own great circle
    (a neighbouring corner) gives a product that rounding leaves a few 1e-17 either side of zero."""
    return ((a >= -eps) & (b >= -eps)) | ((a <= eps) & (b <= eps))


def _lonlat(xyz):
    """Unit vectors back to (lon, lat) degrees (geodetic latitude: see _unit_vectors)."""
    xyz = np.asarray(xyz, float).reshape(-1, 3)
    return (
        np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0])),
        np.degrees(np.arcsin(np.clip(xyz[:, 2] / np.linalg.norm(xyz, axis=1), -1, 1))),
    )


def _pieces(alon, alat, blon, blat, a, b):
    """Geodesics a -> b (ends in degrees, and as unit vectors ``a`` and ``b``) cut into pieces of at most
    :data:`PIECE_M`, their ends on the geodesic: (segment index of each piece, start unit vectors, end unit
    vectors). Segments that are surely shorter than a piece (by the angle between their ends, at the largest
    radius of curvature) stay whole, without solving any geodesic."""
    angle = np.arccos(np.clip(np.einsum("ij,ij->i", a, b), -1, 1))
    long = np.nonzero(angle * CHART_RADIUS_M > PIECE_M)[0]
    k = np.ones(len(alon), int)
    if long.size:
        length, azimuth, _ = geodesy.inverse(alon[long], alat[long], blon[long], blat[long])
        k[long] = np.maximum(np.ceil(length / PIECE_M).astype(int), 1)
    seg = np.repeat(np.arange(len(alon)), k)
    first = np.concatenate([[0], np.cumsum(k)[:-1]])
    m = np.arange(len(seg)) - first[seg]
    u0 = a[seg].copy()
    inner = np.nonzero(m > 0)[0]
    if inner.size:
        where = np.searchsorted(long, seg[inner])  # position of each inner piece's segment in ``long``
        s = seg[inner]
        lon, lat, _ = geodesy.direct(alon[s], alat[s], azimuth[where], length[where] * m[inner] / k[s])
        u0[inner] = _unit_vectors(lon, lat)
    u1 = np.empty_like(u0)
    u1[:-1] = u0[1:]
    u1[np.cumsum(k) - 1] = b
    return seg, u0, u1


def _convex_corners(geometry):
    """Convex corners of a plane geometry's polygons (counter-clockwise exteriors; every vertex of a hole),
    with the previous and next vertices along their rings: three (n, 2) arrays."""
    xy, prev, nxt = [], [], []
    for polygon in shapely.get_parts(geometry):
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
            keep = cross > 0 if exterior else np.ones(len(pts), bool)
            xy.append(pts[keep])
            prev.append(p[keep])
            nxt.append(n[keep])
    if not xy:
        return np.zeros((0, 2)), np.zeros((0, 2)), np.zeros((0, 2))
    return np.vstack(xy), np.vstack(prev), np.vstack(nxt)


class _Chart:
    """A gnomonic chart of the sphere of unit vectors (geodetic latitude), centred on (lon, lat): great
    circles are straight lines. Plane units are metres at :data:`CHART_RADIUS_M`, which makes plane
    distances at least ground distances on the ellipsoid, and ground distances at least ``(b/a)^3
    cos^2 t`` times plane distances at an angle t from the centre. Called like ``pyproj.Proj``."""

    def __init__(self, lon, lat):
        self.lon, self.lat = float(lon), float(lat)
        self.c = _unit_vectors([lon], [lat])[0]
        east = np.array([-math.sin(math.radians(lon)), math.cos(math.radians(lon)), 0.0])
        self.e1, self.e2 = east, np.cross(self.c, east)

    def from_xyz(self, xyz):
        d = xyz @ self.c
        return CHART_RADIUS_M * (xyz @ self.e1) / d, CHART_RADIUS_M * (xyz @ self.e2) / d

    def to_xyz(self, xy):
        xy = np.asarray(xy, float).reshape(-1, 2) / CHART_RADIUS_M
        v = self.c[None, :] + xy[:, :1] * self.e1[None, :] + xy[:, 1:] * self.e2[None, :]
        return v / np.linalg.norm(v, axis=1)[:, None]

    def __call__(self, lon, lat, inverse=False):
        if inverse:
            shape = np.shape(lon)
            lon_out, lat_out = _lonlat(self.to_xyz(np.column_stack([np.ravel(lon), np.ravel(lat)])))
            # Longitudes continuous about the centre (they may pass +-180: see _tiles_lonlat).
            lon_out = self.lon + (lon_out - self.lon + 180.0) % 360.0 - 180.0
            return lon_out.reshape(shape), lat_out.reshape(shape)
        shape = np.shape(lon)
        x, y = self.from_xyz(_unit_vectors(np.ravel(lon), np.ravel(lat)))
        return x.reshape(shape), y.reshape(shape)

    def angle_deg(self, geometry):
        """Largest angle (degrees) between the centre and a vertex of a plane geometry."""
        xy = shapely.get_coordinates(geometry)
        if len(xy) == 0:
            return 0.0
        return float(np.degrees(np.arctan(np.hypot(xy[:, 0], xy[:, 1]).max() / CHART_RADIUS_M)))


@dataclass
class _Tile:
    """Closed airspace within one lon/lat cell of :data:`TILE_DEG`, in a gnomonic chart about the cell's
    centre: ``pieces`` (region, plane geometry) of land and territorial sea; ``raw`` their union;
    ``obstacle`` the union grown by the stand-off and simplified outward; ``blocked`` and ``blocked_raw``
    both eroded (by 1 m, and by :data:`BORDER_M`) for visibility tests; ``reach`` (radians) the largest
    angle between the chart's centre and the obstacle."""

    chart: _Chart
    pieces: list
    raw: object
    obstacle: object
    blocked: object
    blocked_raw: object
    reach: float
    pockets: list = field(default_factory=list)  # prepared plane polygons: see _pockets
    deep: object = None  # blocked_raw eroded by SAMPLED_DEPTH_M, made when first asked for (_points_inside)

    @property
    def bounds(self):
        return self.obstacle.bounds


def _build_tiles(closed, land, territorial_sea_m, standoff_m, obstacles=True):
    """Cut the closed regions into lon/lat cells of :data:`TILE_DEG` and build each cell's obstacles in its
    own chart (see the module docstring); without ``obstacles``, only the closed airspace itself."""
    closed_ids = {r.id for r in closed}
    neighbours = _Neighbours([r for r in land if r.id not in closed_ids]) if territorial_sea_m else None
    cells = {}
    m, columns, rows = TILE_MARGIN_DEG, round(360 / TILE_DEG), round(180 / TILE_DEG)
    single = _single_chart(closed, standoff_m, territorial_sea_m)
    if single is not None:
        # Compact closed airspace: one chart about it, every piece whole (fewer tests per leg).
        cells[None] = [
            (region, [p for p in shapely.get_parts(region.geometry) if p.area > 0]) for region in closed
        ]
        closed = ()
    # A cell holds every obstacle within it (and its margin): the land within this many degrees more, which
    # its territorial sea, stand-off and pad can reach from (with the charts' stretch, and to spare).
    grow = m + math.degrees(1.1 * (standoff_m + territorial_sea_m + 4 * SIMPLIFY_M) / geodesy.GEOD.b)
    for region in closed:
        minx, miny, maxx, maxy = region.geometry.bounds
        wanted = set()
        for j in range(math.floor((miny - grow + 90) / TILE_DEG), math.ceil((maxy + grow + 90) / TILE_DEG)):
            y0 = -90 + j * TILE_DEG
            top = min(max(abs(y0 - grow), abs(y0 + TILE_DEG + grow)), 89.0)
            dx = min(grow / math.cos(math.radians(top)), 90.0)
            for i in range(math.floor((minx - dx + 180) / TILE_DEG), math.ceil((maxx + dx + 180) / TILE_DEG)):
                wanted.add((i % columns, min(max(j, 0), rows - 1)))
        for i, j in sorted(wanted):
            x0, y0 = -180 + i * TILE_DEG, -90 + j * TILE_DEG
            # Cells overlap by TILE_MARGIN_DEG, so that eroded copies leave no slit along cell lines; at
            # +-180 the other side's land is brought round by 360 degrees.
            top = min(max(abs(y0 - grow), abs(y0 + TILE_DEG + grow)), 89.0)
            dx = min(grow / math.cos(math.radians(top)), 90.0)
            window = shapely.box(x0 - dx, y0 - grow, x0 + TILE_DEG + dx, y0 + TILE_DEG + grow)
            shifts = (
                [0.0] + ([360.0] if x0 + TILE_DEG + dx > 180 else []) + ([-360.0] if x0 - dx < -180 else [])
            )
            polygons = []
            for shift in shifts:
                moved = (
                    region.geometry
                    if not shift
                    else shapely.transform(region.geometry, lambda xy, s=shift: xy + np.array([s, 0.0]))
                )
                piece = shapely.intersection(moved, window)
                polygons += [
                    p for p in shapely.get_parts(piece) if isinstance(p, shapely.Polygon) and p.area > 0
                ]
            if polygons:
                cells.setdefault((i, j), []).append((region, polygons))
    tiles = []
    for key, items in sorted(cells.items(), key=lambda kv: (kv[0] is not None, kv[0] or (0, 0))):
        if key is None:
            chart = _Chart(*single)
        else:
            i, j = key
            chart = _Chart(-180 + (i + 0.5) * TILE_DEG, -90 + (j + 0.5) * TILE_DEG)
        pieces, grown = [], []
        for region, polygons in items:
            # Edges along a cell's parallels are not great circles: densify before projecting.
            polygons = [shapely.segmentize(part, 0.5) for part in polygons]
            local = _centre(polygons) if territorial_sea_m or key is None else None
            if territorial_sea_m:
                # Built in an ellipsoidal gnomonic projection about the piece itself (scale 1 at its
                # centre), then carried into the cell's chart vertex by vertex, densified.
                proj = _gnomonic(local)
                kept = [(part, _project(proj, part), 0.0) for part in polygons]
                sea = _with_territorial_sea(kept, territorial_sea_m, local, proj, neighbours)
                xy = shapely.transform(
                    shapely.segmentize(sea, 20_000.0),
                    lambda xy, p=proj, c=chart: np.column_stack(c(*p(xy[:, 0], xy[:, 1], inverse=True))),
                )
            else:
                xy = shapely.union_all([_project(chart, part) for part in polygons])
            if xy.is_empty:
                continue
            if not xy.is_valid:
                xy = shapely.make_valid(xy)
            pieces.append((region, xy))
            if not obstacles:
                continue
            # Compact airspace: each region grown in a chart about itself, then carried into the common
            # chart, so that closing another region (which moves the common chart's centre) leaves its
            # obstacle where it was. (Gnomonic to gnomonic maps great circles to great circles: carried
            # vertex by vertex, the polygon is the same on the sphere.) A cell's chart is fixed already.
            plane = chart if key is not None else _Chart(*local)
            if plane is not chart:
                xy = _carried(xy, chart, plane)
            # Plane distances shrink by (b/a)^3 cos^2(t) on the ground at most: grow by that much more.
            t = plane.angle_deg(xy) + math.degrees((standoff_m + 3 * SIMPLIFY_M) / CHART_RADIUS_M) * 1.5 + 0.5
            scale = 1.0 / (_PLANE_TO_GROUND * math.cos(math.radians(min(t, 80.0))) ** 2)
            g = _simplified_outward(xy, standoff_m * scale, 2 * SIMPLIFY_M * scale, SIMPLIFY_M)
            if plane is not chart:
                g = _carried(g, plane, chart)
                if not g.is_valid:
                    g = shapely.make_valid(g)
            grown.append(g)
        if not pieces:
            continue
        clip = None
        if key is not None:
            # Each tile keeps what lies in its cell and margin: with its neighbours', the whole.
            x0, y0 = -180 + i * TILE_DEG, -90 + j * TILE_DEG
            cell = shapely.box(x0 - m, max(y0 - m, -90.0), x0 + TILE_DEG + m, min(y0 + TILE_DEG + m, 90.0))
            clip = _project(chart, shapely.segmentize(cell, 0.5))
            pieces = [(region, shapely.intersection(xy, clip)) for region, xy in pieces]
            pieces = [(region, xy) for region, xy in pieces if not xy.is_empty]
        if not pieces:
            continue
        raw = shapely.union_all([xy for _, xy in pieces])
        if not obstacles:
            tiles.append(_Tile(chart, pieces, raw, None, None, None, 0.0))
            continue
        obstacle = shapely.union_all(grown)
        if clip is not None:
            obstacle = shapely.intersection(obstacle, clip)
        if not obstacle.is_valid:
            obstacle = shapely.make_valid(obstacle)
        if obstacle.is_empty:
            continue
        # Eroded copies for visibility: a segment may run along or touch an obstacle's boundary. Points and
        # legs within BORDER_M of a closed country's outline count as on the border: lon/lat edges of 1:50m
        # outlines are not geodesics, and shared borders differ by rounding.
        blocked = shapely.buffer(obstacle, -1.0)
        blocked_raw = shapely.buffer(raw, -BORDER_M)
        for g in (raw, blocked, blocked_raw):
            shapely.prepare(g)
        reach = math.radians(chart.angle_deg(obstacle))
        pockets = _pockets(chart, obstacle, key)
        tiles.append(_Tile(chart, pieces, raw, obstacle, blocked, blocked_raw, reach, pockets))
    return tiles


def _centre(polygons):
    """(lon, lat) of the mean unit vector of lon/lat polygons' vertices: a chart centre about them."""
    c = _unit_vectors(*shapely.get_coordinates(shapely.union_all(polygons)).T).mean(axis=0)
    return math.degrees(math.atan2(c[1], c[0])), math.degrees(math.asin(c[2] / np.linalg.norm(c)))


def _carried(geometry, source, target):
    """A plane geometry of one chart in another's plane, vertex by vertex (exact between gnomonic charts:
    both draw great circles straight)."""
    return shapely.transform(geometry, lambda xy: np.column_stack(target.from_xyz(source.to_xyz(xy))))


def _single_chart(closed, standoff_m, territorial_sea_m):
    """A chart centre (lon, lat) for closed airspace compact enough for one chart -- everything, grown by the
    stand-off and the territorial sea, within :data:`SINGLE_CHART_DEG` of it -- or None."""
    if not closed:
        return None
    xyz = np.vstack([_unit_vectors(*shapely.get_coordinates(r.geometry).T) for r in closed])
    centre = xyz.mean(axis=0)
    if np.linalg.norm(centre) < 0.5:
        return None
    centre /= np.linalg.norm(centre)
    spread = math.degrees(math.acos(float(np.clip((xyz @ centre).min(), -1, 1))))
    grow = math.degrees(1.1 * (standoff_m + territorial_sea_m + 4 * SIMPLIFY_M) / geodesy.GEOD.b)
    if spread + grow > SINGLE_CHART_DEG:
        return None
    lon, lat = _lonlat(centre)
    return float(lon[0]), float(lat[0])


def _pockets(chart, obstacle, cell):
    """The pockets of a cell's obstacle that no shortest path enters unless it starts, ends or turns in
    them: the parts of each obstacle polygon's convex hull outside every obstacle (bays), kept only where
    they lie inside the cell (where the tile holds every obstacle).

    Why: a path that enters such a pocket and leaves it again crosses its mouth (the one stretch of hull edge
    it touches; pockets touching the hull in several stretches are channels, and kept) twice;
    the straight line between the two crossings runs along the mouth, inside the pocket's closure, which
    holds no obstacle (every obstacle that can reach into the pocket is this cell's, and the pocket is
    outside them all), so it is shorter. The corners inside a pocket are therefore useless unless a
    question's own point lies in it (see Airspace._usable).
    """
    if cell is None:  # one chart holds every obstacle
        box = None
    else:
        i, j = cell
        x0, y0 = -180 + i * TILE_DEG, -90 + j * TILE_DEG
        if y0 <= -90 + TILE_DEG / 2 or y0 + TILE_DEG >= 90 - TILE_DEG / 2:
            return []  # cells at a pole: no pruning
        # The tile holds every obstacle within its cell and margin (see _build_tiles); its outline is cut at
        # the margin's edge, so a pocket must stay clear of that edge (by a twentieth of a degree).
        inset = TILE_MARGIN_DEG - 0.05
        lat_edge = max(abs(y0), abs(y0 + TILE_DEG))
        dlon = inset / math.cos(math.radians(lat_edge))
        box = (x0 - dlon, y0 - inset, x0 + TILE_DEG + dlon, y0 + TILE_DEG + inset)
    out = []
    for part in shapely.get_parts(obstacle):
        if not isinstance(part, shapely.Polygon):
            continue
        hull = shapely.convex_hull(part)
        for pocket in shapely.get_parts(shapely.difference(hull, obstacle)):
            if not isinstance(pocket, shapely.Polygon) or pocket.area <= 0:
                continue
            # One mouth at most: where an island crosses the hull's edge, the pocket is a channel with
            # two openings, and paths run through it.
            # (Touching the hull at a point counts as an opening: paths may pass there.)
            contact = shapely.intersection(pocket.boundary, hull.exterior)
            if len(shapely.get_parts(shapely.buffer(contact, 1.0))) > 1:
                continue
            if box is not None:
                xy = shapely.get_coordinates(shapely.segmentize(pocket.exterior, 10_000.0))
                lon, lat = chart(xy[:, 0], xy[:, 1], inverse=True)
                if not (
                    lon.min() > box[0] and lat.min() > box[1] and lon.max() < box[2] and lat.max() < box[3]
                ):
                    continue
            shapely.prepare(pocket)
            out.append((pocket, hull.exterior))
    return out


def _tiles_lonlat(tiles):
    """The tiles' closed airspace (land and territorial sea) as one lon/lat geometry, cut at +-180."""
    parts = []
    for tile in tiles:
        geometry = _unproject(tile.chart, tile.raw)
        if not geometry.is_empty:
            parts.append(geodesy.split_at_antimeridian(geometry))
    if not parts:
        return shapely.Polygon()
    out = shapely.union_all(parts)
    return out if out.is_valid else shapely.make_valid(out)


def _simplified_outward(geometry, distance, pad, tolerance):
    """``geometry`` grown by ``distance``, with fewer vertices, and never smaller: the result contains every
    point within ``distance`` of ``geometry`` and lies within ``1.03 (distance + pad + tolerance)`` of it.

    GEOS draws a buffer's round joins with chords inscribed in the true arcs (8 a quadrant here, a join's
    count rounded to the nearest whole, so a chord spans at most 3 pi/32 and keeps ``cos(3 pi/64)`` of the
    radius) after simplifying the input by 1 % of the distance: the radius is enlarged by both factors, so
    the polygon holds the true buffer. The outline grown ``pad`` further is simplified to ``tolerance``
    (Douglas-Peucker, topology preserved): every simplified edge lies within ``tolerance`` of the chain it
    replaces, so with ``pad > tolerance`` it still holds the grown geometry. That containment is then
    checked, and where it fails (a degenerate chain) the grown geometry is added back: it holds by
    construction, not only by argument. The outer bound is checked too, against a buffer drawn to hold the
    true one: GEOS's topology-preserving simplifier can stray past its tolerance (a random star polygon
    found by hypothesis: 5.5 km from the outline for a tolerance of 4.8 km), and there the outline grown by
    ``pad``, unsimplified, is used.
    """
    radius = distance / _INSCRIBED
    inner = shapely.buffer(geometry, radius, quad_segs=8) if distance > 0 else geometry
    if inner.is_empty:  # GEOS returns nothing for distances near the smallest floats
        inner = geometry
    grown = shapely.buffer(geometry, radius + pad, quad_segs=8)
    outer = shapely.simplify(grown, tolerance)
    if not outer.is_valid:
        outer = shapely.make_valid(outer)
    if not shapely.contains(
        shapely.buffer(geometry, (radius + pad + tolerance) / _INSCRIBED, quad_segs=8), outer
    ):
        outer = grown
    if not shapely.contains(outer, inner):
        outer = shapely.union(outer, inner)
    return outer


#: What fraction of a buffer's radius its polygon is sure to hold (see _simplified_outward).
_INSCRIBED = math.cos(3 * math.pi / 64) * 0.99


def _gnomonic(centre):
    """PROJ's ellipsoidal gnomonic projection (Karney's) about ``centre`` (lon, lat): scale 1 at the centre,
    geodesics straight to within metres over hundreds of kilometres."""
    import pyproj

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
        # Only what lies within 60 deg of the centre (a piece across +-180 has a window round the globe;
        # the gnomonic projection ends at 90 deg), brought round by 360 deg where it is nearer that way.
        lon0, lat0 = centre
        cap = shapely.box(lon0 - 60, max(lat0 - 60, -90), lon0 + 60, min(lat0 + 60, 90))
        moved = [
            shapely.transform(others, lambda xy, s=s: xy + np.array([s, 0.0])) for s in (-360.0, 0.0, 360.0)
        ]
        others = shapely.union_all([shapely.intersection(m, cap) for m in moved])
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
    envelope = shapely.union(band, land_xy).envelope
    if _VORONOI_ORDERED:  # the cells in seed order (shapely 2.1 with GEOS 3.12)
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=envelope,
                                                           ordered=True))  # fmt: skip
        mine = np.nonzero(is_theirs)[0]
    else:  # each cell holds its own seed inside it
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=envelope))
        cell, seed = shapely.STRtree(points).query(cells, predicate="contains")
        mine = np.sort(cell[is_theirs[seed]])
    return shapely.intersection(shapely.coverage_union_all(cells[mine]), band)


def _voronoi_can_order():
    try:
        shapely.voronoi_polygons(shapely.multipoints([(0, 0), (1, 0), (0, 1)]), ordered=True)
    except (TypeError, shapely.errors.UnsupportedGEOSVersionError):
        return False
    return True


_VORONOI_ORDERED = _voronoi_can_order()


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
    closed_regions, land = tuple(closed_regions), tuple(land)
    if centre is None:
        lons = [p[0] for p in points] + [r.geometry.representative_point().x for r in closed_regions]
        lats = [p[1] for p in points] + [r.geometry.representative_point().y for r in closed_regions]
        if not lons:
            raise UsageError("routing needs at least one point")
        centre = centre_of(lons, lats)
    # One prepared airspace per set of rules: its charts, obstacles and visibility graph serve every
    # question under them (a claim's variants, a table's bases, a basing search). Kept by the regions
    # themselves (so that their ids are not reused); the centre is the first caller's.
    key = (tuple(map(id, closed_regions)), tuple(map(id, land)), float(standoff_m), float(territorial_sea_m))
    space = _AIRSPACES_KEPT.pop(key, None)
    if space is None:
        while len(_AIRSPACES_KEPT) >= AIRSPACES_KEPT:
            _AIRSPACES_KEPT.pop(next(iter(_AIRSPACES_KEPT)))
        space = Airspace(
            closed_regions,
            float(standoff_m),
            tuple(centre),
            territorial_sea_m=float(territorial_sea_m),
            land=land,
        )
    _AIRSPACES_KEPT[key] = space  # the most recently used last
    return space


#: Prepared airspaces kept for reuse (see :func:`airspace`); the least recently used goes first.
AIRSPACES_KEPT = 4
_AIRSPACES_KEPT = {}


def closed_airspace(routing, centre=None):
    """The closed airspace of ``routing`` -- its closed regions' land and territorial sea, without the
    stand-off -- as one shapely geometry in lon/lat degrees (cut at +-180), for maps. ``centre`` is
    ignored (it chose a single chart's centre, before routing covered the globe).
    """
    if not routing.avoid:
        return shapely.Polygon()
    # Kept per set of regions (the objects themselves, so that ids are not reused) and territorial sea: a
    # claim or a basing search draws and tests the same closed airspace several times.
    key = (tuple(map(id, routing.avoid)), tuple(map(id, routing.land)), float(routing.territorial_sea_m))
    if key not in _CLOSED_KEPT:
        # An airspace prepared without stand-off under these rules holds the same tiles, so it is reused.
        prepared = _AIRSPACES_KEPT.get((*key[:2], 0.0, key[2]))
        tiles = (
            prepared._tiles
            if prepared is not None
            else _build_tiles(routing.avoid, routing.land, routing.territorial_sea_m, 0.0, obstacles=False)
        )
        if len(_CLOSED_KEPT) >= 8:
            _CLOSED_KEPT.pop(next(iter(_CLOSED_KEPT)))
        _CLOSED_KEPT[key] = (routing.avoid, routing.land, _tiles_lonlat(tiles))
    return _CLOSED_KEPT[key][2]


_CLOSED_KEPT = {}


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
