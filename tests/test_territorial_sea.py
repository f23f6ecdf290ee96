"""Territorial sea as closed airspace: 12 nm off a closed country's own coast, never over another
country's land, cut at the median line with an open neighbour -- against hand-derived geometry.

The synthetic layouts sit near lon 10-12, lat 20 (no real country there matters: only the regions passed
in exist). Edges are placed with geographiclib (so "20 km" is 20 km on WGS84), and lengths are checked
against geographiclib geodesics: a route that needs no detour must equal the direct geodesic, one that
must go around must be longer than the shortest path that could possibly go around.
"""

import itertools

import numpy as np
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from rangecalc import routes
from rangecalc.cli import cli
from rangecalc.data import load_catalog
from rangecalc.errors import UsageError
from rangecalc.regions import Region, all_regions

WGS84 = Geodesic.WGS84
GEOD = pyproj.Geod(ellps="WGS84")
SEA = 22_224.0  # 12 nm
LAT0 = 20.0
CENTRE = (10.5, 20.2)


def north(lat, metres, lon=10.5):
    """The latitude ``metres`` north of (lon, lat) along the meridian."""
    return WGS84.Direct(lat, lon, 0.0, metres)["lat2"]


def east(lon, metres, lat=LAT0):
    """The longitude ``metres`` east of (lon, lat) along the parallel's initial azimuth (90 deg)."""
    return WGS84.Direct(lat, lon, 90.0, metres)["lon2"]


def box(x0, y0, x1, y1, name):
    """A lon/lat box, its edges densified to 0.01 deg: edges are geodesics in routing, and a 1-degree
    edge along a parallel would bow 80 m poleward of it at lat 20."""
    geometry = shapely.segmentize(shapely.box(x0, y0, x1, y1), 0.01)
    return Region(id=name.upper(), name=name, geometry=geometry, source="test")


def path_length(*points):
    return sum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in itertools.pairwise(points))


def route(closed, start, end, land=(), sea=SEA, standoff=0.0):
    space = routes.airspace(closed, standoff, centre=CENTRE, territorial_sea_m=sea, land=land)
    return space.route(start, end)


def geodesic_area_km2(geometry):
    if geometry.is_empty:
        return 0.0
    return abs(GEOD.geometry_area_perimeter(geometry)[0]) / 1e6


# --- a land corridor between two closed countries ----------------------------------------------------

CORRIDOR_TOP = north(LAT0, 20_000.0)
SOUTH = box(10, 19, 11, LAT0, "south")
CORRIDOR = box(10, LAT0, 11, CORRIDOR_TOP, "corridor")
NORTH = box(10, CORRIDOR_TOP, 11, CORRIDOR_TOP + 1, "north")
MID = (LAT0 + CORRIDOR_TOP) / 2
WEST_END, EAST_END = (9.6, MID), (11.4, MID)


def test_land_corridor_stays_open_with_a_territorial_sea():
    # The corridor is 20 km wide: the territorial seas of its closed neighbours stop at its land, and
    # the water off both of its ends is nearer to it than to them, so the straight line stays open.
    r = route([SOUTH, NORTH], WEST_END, EAST_END, land=[CORRIDOR])
    assert r.length_m == pytest.approx(path_length(WEST_END, EAST_END), rel=1e-9)
    assert len(r.lons) == 2


def test_the_same_distance_as_a_standoff_seals_the_corridor():
    # A 12 nm stand-off grows both closed countries across the corridor's land: it is walled off, and
    # the route must pass outside one of them (west of lon 10 to east of lon 11 below lat 19 or above
    # the northern box).
    try:
        r = route([SOUTH, NORTH], WEST_END, EAST_END, sea=0.0, standoff=SEA)
    except routes.NoRouteError:
        return
    around = min(
        path_length(WEST_END, (10, 19), (11, 19), EAST_END),
        path_length(WEST_END, (10, CORRIDOR_TOP + 1), (11, CORRIDOR_TOP + 1), EAST_END),
    )
    assert r.length_m >= around
    assert r.lats.min() < 19 or r.lats.max() > CORRIDOR_TOP + 1


# --- sea straits between two closed coasts ---------------------------------------------------------


def strait(width_m):
    top = north(LAT0, width_m)
    return box(10, 19, 11, LAT0, "south"), box(10, top, 11, top + 1, "north"), top


def test_strait_narrower_than_24nm_is_closed():
    south, north_box, top = strait(30_000.0)  # 30 km < 2 x 22.224 km: the two seas meet
    start, end = (9.6, (LAT0 + top) / 2), (11.4, (LAT0 + top) / 2)
    r = route([south, north_box], start, end)
    # Every point of the meridian lon 10.5 from lat 19 to top + 1 is closed: the route crosses it
    # outside that span, so it is at least as long as the path through the nearer of its ends.
    around = min(path_length(start, (10.5, 19), end), path_length(start, (10.5, top + 1), end))
    assert r.length_m >= around > 1.01 * path_length(start, end)


def test_strait_of_60km_has_an_open_middle_channel():
    south, north_box, top = strait(60_000.0)  # 60 - 2 x 22.2 = 15.6 km of open water in the middle
    start, end = (9.6, (LAT0 + top) / 2), (11.4, (LAT0 + top) / 2)
    r = route([south, north_box], start, end)
    assert r.length_m == pytest.approx(path_length(start, end), rel=1e-9)
    # ... and a route 12 km from one coast (inside its territorial sea) is not open.
    near = north(LAT0, 12_000.0)
    with pytest.raises(routes.NoRouteError, match="territorial sea"):
        route([south, north_box], (10.5, near), end)


# --- an open coast next to a closed one: median line -----------------------------------------------

BORDER_LON = 11.0
OPEN_COAST = box(10, 19, BORDER_LON, LAT0, "open")  # coast along lat 20, water to the north
CLOSED_COAST = box(BORDER_LON, 19, 12, LAT0, "closed")  # the same straight coast, east of lon 11


def test_route_5km_off_an_open_coast_is_unaffected_by_a_closed_country_farther_along():
    # The route ends 10 km before the land border, 5 km offshore: within 12 nm of the closed country
    # (11.2 km from its corner) but nearer to the open coast (5 km), so on the open side of the median.
    lat = north(LAT0, 5_000.0)
    start, end = (10.1, lat), (east(BORDER_LON, -10_000.0, lat), lat)
    r = route([CLOSED_COAST], start, end, land=[OPEN_COAST])
    assert r.length_m == pytest.approx(path_length(start, end), rel=1e-9)
    # Without the open country's land, the closed band is a plain buffer and takes the end point.
    with pytest.raises(routes.NoRouteError, match="closed, territorial sea"):
        route([CLOSED_COAST], start, end)


def test_median_line_with_an_adjacent_open_coast():
    # A straight coast: the median line is the perpendicular to it through the land border point. A
    # route 15 km offshore on the open side, ending 5 km short of that line, is not blocked (a plain
    # 12 nm buffer would block it: its end is sqrt(5^2 + 15^2) = 15.8 km from the closed corner).
    lat = north(LAT0, 15_000.0)
    start, end = (10.2, lat), (east(BORDER_LON, -5_000.0, lat), lat)
    r = route([CLOSED_COAST], start, end, land=[OPEN_COAST])
    assert r.length_m == pytest.approx(path_length(start, end), rel=1e-9)
    # The closed airspace itself (no stand-off, no simplification margin) meets the line within a km:
    # 1 km on the open side is open, 1 km on the closed side is closed, out to 12 nm.
    closed = routes.closed_airspace(
        routes.Routing((CLOSED_COAST,), territorial_sea_m=SEA, land=(OPEN_COAST,)), centre=CENTRE
    )
    for offshore in (2_000.0, 10_000.0, 20_000.0):
        y = north(LAT0, offshore, lon=BORDER_LON)
        assert not closed.contains(shapely.Point(east(BORDER_LON, -1_000.0, y), y))
        assert closed.contains(shapely.Point(east(BORDER_LON, 1_000.0, y), y))
    # Straight out from the closed coast, its sea reaches 12 nm (and no more than 0.5 % farther).
    x = east(BORDER_LON, 50_000.0)
    assert closed.contains(shapely.Point(x, north(LAT0, SEA - 100.0, lon=x)))
    assert not closed.contains(shapely.Point(x, north(LAT0, SEA * 1.005, lon=x)))


def test_standoff_is_kept_from_the_territorial_sea():
    # 30 km off the closed coast is outside its 12 nm sea; a 10 km stand-off from that sea covers it.
    lat = north(LAT0, 30_000.0)
    start, end = (east(BORDER_LON, 20_000.0, lat), lat), (11.9, lat)
    assert route([CLOSED_COAST], start, end).length_m == pytest.approx(path_length(start, end), rel=1e-9)
    r = route([CLOSED_COAST], start, end, standoff=10_000.0)
    assert any("stand-off" in note for note in r.notes)  # both ends lie in the stand-off zone


# --- never over an open neighbour's land -------------------------------------------------------------


@pytest.mark.parametrize(
    ("closed", "open_land"),
    [([SOUTH, NORTH], [CORRIDOR]), ([CLOSED_COAST], [OPEN_COAST])],
    ids=["corridor", "adjacent coast"],
)
def test_territorial_sea_never_covers_open_land(closed, open_land):
    airspace = routes.closed_airspace(
        routes.Routing(tuple(closed), territorial_sea_m=SEA, land=tuple(open_land)), centre=CENTRE
    )
    for region in open_land:
        assert geodesic_area_km2(shapely.intersection(airspace, region.geometry)) < 0.01
    for region in closed:  # the closed land itself is all closed
        assert geodesic_area_km2(shapely.difference(region.geometry, airspace)) < 0.01


@settings(max_examples=15, deadline=None)
@given(
    gap_km=st.floats(0.0, 60.0),
    width=st.floats(0.2, 1.0),
    offset=st.floats(-0.5, 0.5),
)
def test_closed_sea_stays_off_open_land_and_within_reach_of_the_closed_coast(gap_km, width, offset):
    # An open box north of a closed one, ``gap_km`` of water between them, shifted east by ``offset``.
    top = north(LAT0, gap_km * 1000.0)
    closed = box(10, 19, 11, LAT0, "closed")
    open_land = box(10 + offset, top, 10 + offset + width, top + 0.5, "open")
    airspace = routes.closed_airspace(
        routes.Routing((closed,), territorial_sea_m=SEA, land=(open_land,)), centre=CENTRE
    )
    assert geodesic_area_km2(shapely.intersection(airspace, open_land.geometry)) < 0.01
    # Sample the closed sea: every point is within 12 nm (+0.5 %) of the closed box's outline.
    sea = shapely.difference(airspace, closed.geometry)
    outline = shapely.get_coordinates(shapely.segmentize(closed.geometry.exterior, 0.002))
    pts = shapely.get_coordinates(shapely.segmentize(shapely.boundary(sea), 0.01))
    pts = pts[:: max(len(pts) // 60, 1)]
    a, b = np.repeat(pts, len(outline), axis=0), np.tile(outline, (len(pts), 1))
    _, _, metres = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    assert metres.reshape(len(pts), len(outline)).min(axis=1).max() <= SEA * 1.005 + 50.0


# --- the Routing interface ---------------------------------------------------------------------------


def test_routing_keeps_its_positional_order_and_describes_the_sea():
    r = routes.Routing((SOUTH,), (), 25_000.0, {"SOUTH": "a source"})
    assert (r.standoff_m, r.territorial_sea_m, r.land) == (25_000.0, 0.0, ())
    assert r.describe() == "avoiding south (stand-off 25 km)"
    r = routes.Routing((SOUTH, NORTH), (), 25_000.0, {}, SEA, (CORRIDOR,))
    assert r.describe() == "avoiding south, north (territorial sea 12 nm; stand-off 25 km)"
    assert routes.Routing((SOUTH,), territorial_sea_m=22_200.0).describe() == (
        "avoiding south (territorial sea 22.2 km)"
    )
    # ``land`` is context, not identity.
    assert routes.Routing((SOUTH,), territorial_sea_m=SEA) == routes.Routing(
        (SOUTH,), territorial_sea_m=SEA, land=(CORRIDOR,)
    )


def test_routing_airspace_passes_the_territorial_sea_through():
    r = routes.Routing((SOUTH, NORTH), territorial_sea_m=SEA, land=(CORRIDOR,))
    space = r.airspace([WEST_END, EAST_END])
    assert space.territorial_sea_m == SEA and space.land == (CORRIDOR,)
    assert space.route(WEST_END, EAST_END).territorial_sea_m == SEA


def test_negative_territorial_sea_is_refused():
    with pytest.raises(UsageError, match="--territorial-sea"):
        routes.airspace([SOUTH], territorial_sea_m=-1.0, centre=CENTRE)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(None)


def test_routing_from_text_parses_the_territorial_sea_and_fills_land(catalog):
    r = routes.routing_from_text("TUR,GEO", (), "25km", catalog, territorial_sea="12nm")
    assert r.territorial_sea_m == pytest.approx(SEA)
    ids = {region.id for region in r.land}
    assert {"GRC", "ARM", "SYR", "RUS"} <= ids and not ids & {"TUR", "GEO"}
    assert len(ids) == len(all_regions(catalog)) - 2
    assert r.describe() == "avoiding Turkey, Georgia (territorial sea 12 nm; stand-off 25 km)"
    zero = routes.routing_from_text("TUR", (), None, catalog, territorial_sea="0")
    assert zero.territorial_sea_m == 0.0 and zero.land == ()
    km = routes.routing_from_text("TUR", (), None, catalog, territorial_sea="22.2km")
    assert km.territorial_sea_m == pytest.approx(22_200.0)


@pytest.mark.parametrize("text", ["12", "twelve", "12 parsecs", "-12nm", "1e99km"])
def test_bad_territorial_sea_names_the_option(catalog, text):
    with pytest.raises(UsageError, match="--territorial-sea"):
        routes.routing_from_text("TUR", (), None, catalog, territorial_sea=text)


def test_territorial_sea_needs_closed_countries(catalog):
    with pytest.raises(UsageError, match="--territorial-sea needs --avoid"):
        routes.routing_from_text(None, (), None, catalog, territorial_sea="12nm")


# --- real outlines: the Syunik corridor ---------------------------------------------------------------


def test_armenia_between_nakhchivan_and_azerbaijan_stays_open(catalog):
    # Kapan (Syunik) lies within 12 nm of Azerbaijan by land: a 12 nm stand-off would close it, a 12 nm
    # territorial sea must not (it never crosses a land border).
    kapan = (46.405, 39.207)
    aze = all_regions(catalog)["AZE"].geometry
    border = shapely.get_coordinates(shapely.segmentize(shapely.boundary(aze), 0.01))
    lon, lat = border[:, 0], border[:, 1]
    near = np.hypot(lon - kapan[0], lat - kapan[1]) < 0.5
    gap = min(
        WGS84.Inverse(kapan[1], kapan[0], b, a)["s12"] for a, b in zip(lon[near], lat[near], strict=True)
    )
    assert gap < SEA
    r = routes.routing_from_text("TUR,GEO,AZE", (), None, catalog, territorial_sea="12nm")
    airspace = routes.closed_airspace(r)
    assert not airspace.contains(shapely.Point(kapan))
    regions = all_regions(catalog)
    for neighbour in ("ARM", "IRN", "RUS", "GRC", "SYR"):
        assert geodesic_area_km2(shapely.intersection(airspace, regions[neighbour].geometry)) < 0.1


def test_cli_route_with_territorial_sea(catalog):
    runner = CliRunner()
    args = ["route", "mozdok", "deir ez-zor", "--avoid", "TUR,GEO,AZE"]
    plain = runner.invoke(cli, [*args, "--format", "json"], env={"RANGECALC_DATA_DIR": None})
    sea = runner.invoke(cli, [*args, "--territorial-sea", "12nm"], env={"RANGECALC_DATA_DIR": None})
    assert plain.exit_code == 0 and sea.exit_code == 0, sea.stderr
    assert "(territorial sea 12 nm)" in sea.stdout
    bad = runner.invoke(cli, [*args, "--territorial-sea", "12"], env={"RANGECALC_DATA_DIR": None})
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "--territorial-sea" in bad.stderr and "needs a unit" in bad.stderr
