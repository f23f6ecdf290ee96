"""Routing at scale and anywhere on Earth, against independent answers.

- Pruning: the engine looks only at the corners a shortest path can use (inside the ellipse |ac| + |cb| <= L
  for a route, within the radius for a field) and only at bitangent corner pairs. The oracle here is the
  textbook visibility graph -- every pair of corners and endpoints that see each other, no pruning at all --
  solved with a plain Dijkstra and geographiclib lengths. They must agree to the metre.
- Outward simplification: the simplified obstacle contains every point within the stand-off of the
  original (hypothesis, against a finely drawn buffer).
- Anywhere on Earth: obstacles across +-180, over the pole, a continent-sized box, waypoints at lon 180 --
  each against the path through the box corners the route must turn round, measured with geographiclib
  (within 1 %, never shorter), and the route's densified geodesics never enter the box.
"""

import heapq
import itertools
import math

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rangecalc import routes
from rangecalc.regions import Region

WGS84 = Geodesic.WGS84


def box(x0, y0, x1, y1, name="box"):
    return Region(id=name.upper(), name=name, geometry=shapely.box(x0, y0, x1, y1), source="test")


def path_length(*points):
    """Sum of geodesic lengths through (lon, lat) points, by geographiclib."""
    return sum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in itertools.pairwise(points))


def unpruned_shortest(space, start, end):
    """The shortest path on the full visibility graph of ``space``: nodes are the endpoints and every
    corner, edges every pair whose geodesic stays clear of the obstacles (no tangent rule, no ellipse),
    lengths by geographiclib, plain Dijkstra."""
    nodes = [start, end, *map(tuple, space._corners_lonlat)]
    pts = np.array(nodes)
    i, j = np.triu_indices(len(nodes), 1)
    clear = space._clear(pts[i, 0], pts[i, 1], pts[j, 0], pts[j, 1])
    graph = {k: [] for k in range(len(nodes))}
    for a, b in zip(i[clear].tolist(), j[clear].tolist(), strict=True):
        w = path_length(nodes[a], nodes[b])
        graph[a].append((b, w))
        graph[b].append((a, w))
    dist, heap = {0: 0.0}, [(0.0, 0)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == 1:
            return d
        if d > dist.get(u, math.inf):
            continue
        for v, w in graph[u]:
            if d + w < dist.get(v, math.inf):
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return math.inf


boxes = st.lists(
    st.tuples(st.floats(1, 8), st.floats(-3, 2.5), st.floats(0.2, 2.0), st.floats(0.2, 2.0)),
    min_size=1,
    max_size=4,
)


@given(boxes=boxes, y0=st.floats(-3, 3), y1=st.floats(-3, 3))
@settings(max_examples=30, deadline=None)
def test_pruning_never_changes_a_route(boxes, y0, y1):
    start, end = (0.0, y0), (10.0, y1)
    regions = [box(x, y, x + w, y + h, f"b{k}") for k, (x, y, w, h) in enumerate(boxes)]
    space = routes.airspace(regions, 0.0, centre=(5.0, 0.0))
    try:
        route = space.route(start, end)
    except routes.NoRouteError:
        assert unpruned_shortest(space, start, end) == math.inf
        return
    assert route.length_m == pytest.approx(unpruned_shortest(space, start, end), abs=1.0)


def test_pruning_never_changes_a_field(charts):
    """distances_to with a radius bound is exact up to that radius (same oracle, one path per point)."""
    regions = [box(3, -2, 4, 1.5, "a"), box(5.5, -1, 6.5, 3, "b")]
    space = routes.airspace(regions, 0.0, centre=(5.0, 0.0))
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(4.2, 9.5, 25), rng.uniform(-2.5, 2.5, 25)
    keep = ~shapely.intersects_xy(
        shapely.buffer(shapely.union_all([r.geometry for r in regions]), 0.1), lons, lats
    )
    lons, lats = lons[keep], lats[keep]
    limit = 900_000.0
    field = space.distances_to((0.0, 0.0), lons, lats, max_m=limit)
    for lon, lat, got in zip(lons, lats, field, strict=True):
        want = unpruned_shortest(space, (0.0, 0.0), (lon, lat))
        if want <= limit:
            assert got == pytest.approx(want, abs=1.0)
        else:
            assert got > limit


@st.composite
def star_polygons(draw):
    """Random star-shaped polygons (up to 60 vertices, radii 1-100 km, metres in a plane)."""
    n = draw(st.integers(3, 60))
    radii = draw(st.lists(st.floats(1_000, 100_000), min_size=n, max_size=n))
    angles = np.sort(draw(st.lists(st.floats(0, 2 * math.pi), min_size=n, max_size=n, unique=True)))
    polygon = shapely.Polygon(np.column_stack([radii * np.cos(angles), radii * np.sin(angles)]))
    assume(polygon.is_valid and polygon.area > 0)
    return polygon


@given(polygon=star_polygons(), distance=st.floats(0, 50_000), tolerance=st.floats(10, 5_000))
@settings(max_examples=150, deadline=None)
def test_outward_simplification_contains_the_original(polygon, distance, tolerance):
    pad = 2 * tolerance
    simplified = routes._simplified_outward(polygon, distance, pad, tolerance)
    # Every point within ``distance`` of the polygon (a buffer drawn with 64 segments a quadrant, inside
    # the true one) is inside, and nothing is farther than the stated bound.
    truth = shapely.buffer(polygon, distance, quad_segs=64) if distance > 0 else polygon
    if truth.is_empty:  # GEOS returns nothing for distances near the smallest floats
        truth = polygon
    assert shapely.contains(simplified, truth)
    bound = 1.03 * (distance + pad + tolerance) + 1e-6 * (1 + distance)
    # (GEOS simplifies a buffer's input by 1 % of the distance, so the check's own buffer is drawn 1 %
    # wider, not to fall short of the bound.)
    assert shapely.contains(shapely.buffer(polygon, 1.01 * bound, quad_segs=64), simplified)


# --- anywhere on Earth: synthetic obstacles with hand-derived shortest paths ---------------------------


@pytest.fixture(params=["one chart", "cells"])
def charts(request, monkeypatch):
    """Run a test with compact closed airspace in one chart (the default) and cut into 10-degree cells
    (as wider airspace is): both must give the same routes."""
    if request.param == "cells":
        monkeypatch.setattr(routes, "SINGLE_CHART_DEG", 0.0)
    return request.param


def region(geometry, name="box"):
    return Region(id=name.upper(), name=name, geometry=geometry, source="test")


def assert_route_along(route, *corners, tolerance=0.01):
    """The route is at least as long as the path through the true corners (obstacles are only ever
    enlarged) and within ``tolerance`` of it."""
    expected = path_length(*corners)
    assert expected <= route.length_m <= (1 + tolerance) * expected


def no_point_inside(route, geometry):
    lons, lats = routes.geodesic_polyline(route.lons, route.lats, 5000.0)
    return not shapely.intersects_xy(geometry, lons, lats).any()


def test_obstacle_straddling_the_antimeridian(charts):
    # A box from 170E to 170W, 5 deg either side of the equator, as lon/lat data has it: two parts.
    geometry = shapely.MultiPolygon([shapely.box(170, -5, 180, 5), shapely.box(-180, -5, -170, 5)])
    start, end = (165.0, 0.0), (-165.0, 0.0)
    route = routes.airspace([region(geometry)]).route(start, end)
    # Round either pair of corners (the geodesic between them bulges away from the box's edge).
    assert_route_along(route, start, (170, 5), (-170, 5), end)
    assert abs(route.lats).min() < 1e-9 and abs(route.lats[1:-1]).min() > 5.0
    assert no_point_inside(route, geometry)


def test_route_over_the_pole(charts):
    # From lon 0 to lon 180 at lat 75 the geodesic runs over the North Pole; a box across it (lon -20 to
    # 20, lat 84 to 86) is passed round one of its lower corners, (20, 84) or (-20, 84): from there the
    # geodesic to lon 180 leaves the box behind (its longitude only moves away from the box) and passes
    # the pole within 1.5 deg.
    geometry = shapely.box(-20, 84, 20, 86)
    start, end = (0.0, 75.0), (180.0, 75.0)
    route = routes.airspace([region(geometry)]).route(start, end)
    assert path_length(start, (20, 84), end) == pytest.approx(path_length(start, (-20, 84), end), rel=1e-9)
    assert_route_along(route, start, (20, 84), end)
    assert no_point_inside(route, geometry)
    _, lats = routes.geodesic_polyline(route.lons, route.lats, 5000.0)
    assert lats.max() > 88.4


def test_route_longer_than_10000_km_around_a_continent(charts):
    # A box of 40 x 80 degrees across the equator: from 10 deg west of it to 10 deg east, round its
    # northern (or southern) corners -- about 12,500 km.
    geometry = shapely.box(-20, -40, 20, 40)
    start, end = (-30.0, 0.0), (30.0, 0.0)
    route = routes.airspace([region(geometry)]).route(start, end)
    assert route.length_m > 10_000_000
    assert_route_along(route, start, (-20, 40), (20, 40), end)
    assert no_point_inside(route, geometry)


def test_lisbon_to_sydney_avoiding_spain(charts):
    from rangecalc.data import load_catalog
    from rangecalc.regions import resolve_region

    spain = resolve_region("ESP", load_catalog())
    lisbon, sydney = (-9.14, 38.72), (151.21, -33.87)
    route = routes.airspace([spain], 0.0, [lisbon, sydney]).route(lisbon, sydney)
    direct = path_length(lisbon, sydney)
    assert no_point_inside(route, spain.geometry)
    # The direct geodesic (18,180 km) crosses Spain: the route goes round it, a little longer.
    assert not no_point_inside(routes.airspace([], 0.0, [lisbon]).route(lisbon, sydney), spain.geometry)
    assert direct < route.length_m < 1.02 * direct


def test_waypoint_on_the_antimeridian_and_distances_beyond_a_hemisphere(charts):
    geometry = shapely.box(10, -10, 20, 10)
    space = routes.airspace([region(geometry)], 0.0, [(0.0, 0.0)])
    start, via, end = (0.0, 0.0), (180.0, 0.0), (30.0, 0.0)
    route = space.route(start, end, via=[via])
    # The first leg joins antipodes on the equator: its geodesic runs over a pole, clear of the box; the
    # second runs west along the equator from lon 180 to lon 30, clear of it too.
    assert route.length_m == pytest.approx(path_length(start, via, end), rel=1e-9)
    # Points beyond a hemisphere, reached westward (the box is to the east): direct geodesics.
    far = space.distances_to(start, [-170.0, -150.0], [1.0, 60.0])
    assert far == pytest.approx(
        [path_length(start, (-170.0, 1.0)), path_length(start, (-150.0, 60.0))], rel=1e-9
    )
    # And one behind the box, on the equator: round its corners.
    behind = space.distances_to(start, [25.0], [0.0])[0]
    assert (
        path_length(start, (10, 10), (20, 10), (25, 0))
        <= behind
        <= 1.01 * path_length(start, (10, 10), (20, 10), (25, 0))
    )


def c_shape(x, y, size, gap, angle):
    """A C-shaped island of ``size`` degrees around (x, y), its bay (``gap`` wide) opening towards ``angle``
    degrees, with a tooth at the bottom of the bay (two convex corners inside it)."""
    outer = shapely.Point(0, 0).buffer(size / 2, quad_segs=6)
    bay = shapely.box(-size / 4, -gap / 2, size, gap / 2)
    tooth = shapely.box(-size / 4 - 0.01, -gap / 6, -size / 8, gap / 6)  # convex corners inside the bay
    shape = shapely.union(shapely.difference(outer, bay), tooth)
    shape = shapely.affinity.rotate(shape, angle, origin=(0, 0))
    return shapely.affinity.translate(shape, x, y)


@given(
    shapes=st.lists(
        st.tuples(
            st.floats(12, 18), st.floats(12, 18), st.floats(1, 2.5), st.floats(0.2, 0.6), st.floats(0, 360)
        ),
        min_size=1,
        max_size=3,
    ),
    y0=st.floats(12, 18),
    y1=st.floats(12, 18),
    into_bay=st.booleans(),
)
@settings(max_examples=40, deadline=None)
def test_pocket_pruning_never_changes_a_route(shapes, y0, y1, into_bay):
    """Corners inside bays (pockets of an obstacle's hull with one mouth) are left out unless a question's
    point lies in the bay: routes to points outside and inside bays equal the unpruned graph's. (Everything
    lies inside one 10-degree cell, lon and lat 10 to 20, where pockets are used.)"""
    geometries = [c_shape(*s) for s in shapes]
    regions = [region(g, f"c{k}") for k, g in enumerate(geometries)]
    start, end = (10.5, y0), (19.5, y1)
    if into_bay:  # the end inside the first bay, near its bottom
        x, y, size, _, angle = shapes[0]
        r = 0.2 * size
        end = (x + r * math.cos(math.radians(angle)), y + r * math.sin(math.radians(angle)))
    grown = shapely.buffer(shapely.union_all(geometries), 0.05)
    assume(not grown.contains(shapely.Point(start)) and not grown.contains(shapely.Point(end)))
    space = routes.airspace(regions, 0.0, [start, end])
    try:
        got = space.route(start, end).length_m
    except routes.NoRouteError:
        got = math.inf
    want = unpruned_shortest(space, start, end)
    if math.isinf(want):
        assert math.isinf(got)
    else:
        assert got == pytest.approx(want, abs=1.0)


def test_pockets_are_pruned_in_the_pocket_test_layout():
    """The layout of the test above does leave bay corners out (or that test could not fail)."""
    space = routes.airspace([region(c_shape(15, 15, 2.5, 0.5, 0))], 0.0, [(10.5, 15)])
    in_bay = space._corner_pocket >= 0
    assert in_bay.sum() >= 4
    assert not space._usable([10.5, 19.5], [15, 15])[in_bay].any()
    assert space._usable([15.5], [15.0])[in_bay].all()  # a point in the bay opens it


def test_a_channel_through_a_bay_is_not_pruned(charts):
    """A bay crossed at its mouth by a long island is a channel with two openings: the route between two
    points outside it runs through the bay, round the island's inner end (a regression: such a channel
    between Vancouver Island and the mainland was once taken for a closed bay)."""
    mainland = shapely.union_all(
        [shapely.box(11, 12, 13, 18), shapely.box(11, 12, 17, 13), shapely.box(11, 17, 17, 18)]
    )
    island = shapely.box(15, 14.6, 25, 15.4)
    space = routes.airspace([region(mainland, "mainland"), region(island, "island")], 0.0, [(17.5, 16.5)])
    start, end = (17.5, 16.5), (17.5, 13.5)
    route = space.route(start, end)
    assert_route_along(route, start, (15, 15.4), (15, 14.6), end)
    assert route.length_m == pytest.approx(unpruned_shortest(space, start, end), abs=1.0)
