"""Routing at scale and anywhere on Earth, against independent answers.

- Pruning: the engine looks only at the corners a shortest path can use (inside the ellipse |ac| + |cb| <= L
  for a route, within the radius for a field) and only at bitangent corner pairs. The oracle here is the
  textbook visibility graph -- every pair of corners and endpoints that see each other, no pruning at all --
  solved with a plain Dijkstra and geographiclib lengths. They must agree to the metre.
- Outward simplification: the simplified obstacle contains every point within the stand-off of the
  original (hypothesis, against a finely drawn buffer).
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


def test_pruning_never_changes_a_field():
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
    assert shapely.contains(simplified, truth)
    bound = 1.03 * distance + pad + tolerance + 1e-6 * (1 + distance)
    assert shapely.contains(shapely.buffer(polygon, bound, quad_segs=64), simplified)
