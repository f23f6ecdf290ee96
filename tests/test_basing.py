"""Basing search (rangecalc.basing, rangecalc basing): checked against geographiclib, brute force and
hand-derived routes.

Oracles: geographiclib's Geodesic.WGS84 (Inverse, Direct, PolygonArea), never rangecalc's own geodesy;
brute-force enumeration of every pair for the set search; the wall of tests/test_cli_route.py (a closed
box between a base and a target on the equator) for flyable distances, whose shortest path bends at the
box's corners and is summed from geographiclib geodesics.
"""

import csv
import io
import itertools
import json
import math
import shutil
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic

from rangecalc import basing as B
from rangecalc.data import load_catalog
from rangecalc.places import Place
from rangecalc.routes import routing_from_text

WGS84 = Geodesic.WGS84
GOOD_DATA = Path(__file__).parent / "data" / "good"
SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "schemas" / "basing.schema.json").read_text())


def dist_m(lon1, lat1, lon2, lat2):
    return WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]


def farthest_m(lon, lat, points):
    return max(dist_m(lon, lat, x, y) for x, y in points)


def dense_outline(geometry, step_deg):
    """Every vertex of every ring after densifying (the oracle's region outline)."""
    rings = shapely.get_rings(shapely.get_parts(shapely.segmentize(geometry, step_deg)))
    return [tuple(p) for p in shapely.get_coordinates(rings)]


def near_boundary_points(polygon, offset_m, rng, n):
    """Points offset_m from boundary vertices of ``polygon`` in random directions (geographiclib Direct)."""
    coords = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(polygon)))
    picks = coords[rng.choice(len(coords), n)]
    out = []
    for (lon, lat), az in zip(picks, rng.uniform(-180, 180, n), strict=True):
        g = WGS84.Direct(lat, lon, az, offset_m)
        out.append((g["lon2"], g["lat2"]))
    return out


def check_classification(polygon, error_m, radius_m, subject_points, bases):
    """Inside the computed area => every subject point within R (conservative, strictly); every subject point
    within R - error => inside. Returns how many bases fell on each side (so a test can insist on both)."""
    inside_count = outside_count = 0
    for lon, lat in bases:
        far = farthest_m(lon, lat, subject_points)
        inside = shapely.intersects_xy(polygon, lon, lat)
        if inside:
            assert far <= radius_m + 1e-3, (lon, lat, far - radius_m)
            inside_count += 1
        else:
            assert far > radius_m - error_m - 1.0, (lon, lat, far - radius_m, error_m)
            outside_count += 1
    return inside_count, outside_count


# --- direct basing areas ------------------------------------------------------------------------------------


def test_single_point_subject_gives_the_disc_about_it():
    lon, lat, radius = 30.0, 50.0, 1_200_000.0
    (area,), _, error = B.direct_basing_areas(shapely.Point(lon, lat), [radius])
    # The disc by geographiclib: 720 points at exactly R, area from PolygonArea.
    poly = WGS84.Polygon()
    for az in np.linspace(0, 360, 720, endpoint=False):
        g = WGS84.Direct(lat, lon, az, radius)
        poly.AddPoint(g["lat2"], g["lon2"])
    _, _, disc_area = poly.Compute(False, True)
    got = B.describe_area("nominal", radius, area).area_m2
    # Conservative: a little smaller, by at most the stated boundary error times the perimeter.
    assert got <= abs(disc_area) * (1 + 1e-6)
    assert abs(disc_area) - got <= error * 2 * math.pi * radius * 1.01
    # Every boundary vertex lies within the stated error inside R.
    for x, y in shapely.get_coordinates(area.exterior)[::25]:
        d = dist_m(lon, lat, x, y)
        assert radius - error <= d <= radius + 1e-3


def test_two_point_subject_gives_the_lens_of_two_discs():
    a, b, radius = (10.0, 40.0), (20.0, 45.0), 1_000_000.0
    (lens,), _, error = B.direct_basing_areas(shapely.MultiPoint([a, b]), [radius])
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(5, 25, 1500), rng.uniform(33, 52, 1500)
    inside = outside = 0
    for lon, lat in zip(lons, lats, strict=True):
        far = max(dist_m(lon, lat, *a), dist_m(lon, lat, *b))
        got = shapely.intersects_xy(lens, lon, lat)
        if far <= radius - error:
            assert got, (lon, lat)
            inside += 1
        elif far > radius:
            assert not got, (lon, lat)
            outside += 1
    assert inside > 100 and outside > 100


def test_region_across_the_antimeridian():
    # A box from 178 E to 178 W, split at 180 as regions are.
    east = shapely.box(178.0, -18.0, 180.0, -16.0)
    west = shapely.box(-180.0, -18.0, -178.0, -16.0)
    region = shapely.MultiPolygon([east, west])
    radius = 800_000.0
    (area,), _, error = B.direct_basing_areas(region, [radius])
    assert not area.is_empty
    assert area.bounds[0] < -170 and area.bounds[2] > 170  # split at 180, not spread around the globe
    west, _, east, _ = B.describe_area("low", radius, area).extent
    assert 170 < west <= 180 and -180 <= east < -170  # across 180: west > east (RFC 7946 bounding boxes)
    outline = dense_outline(shapely.box(178.0, -18.0, 182.0, -16.0), 0.1)
    outline = [(((x + 180) % 360) - 180, y) for x, y in outline]
    rng = np.random.default_rng(3)
    bases = near_boundary_points(area, error + 5_000.0, rng, 120) + near_boundary_points(
        area, 3_000.0, rng, 60
    )
    inside, outside = check_classification(area, error, radius, outline, bases)
    assert inside > 10 and outside > 10
    # The middle of the region (on 180) is inside; a point 900 km east of it is not.
    assert shapely.intersects_xy(area, 180.0, -17.0) or shapely.intersects_xy(area, -180.0, -17.0)
    g = WGS84.Direct(-17.0, 180.0, 90.0, 900_000.0)
    assert not shapely.intersects_xy(area, g["lon2"], g["lat2"])


@pytest.mark.parametrize("radius", [700_000.0, 1_500_000.0])
def test_farthest_point_property_for_a_concave_region(radius):
    # An L-shaped (concave) region: its hull bridges the notch.
    region = shapely.Polygon([(40, 30), (46, 30), (46, 32), (42, 32), (42, 36), (40, 36)])
    (area,), hull, error = B.direct_basing_areas(region, [radius])
    outline = dense_outline(region, 0.05)
    rng = np.random.default_rng(11)
    bases = near_boundary_points(area, 2_000.0, rng, 80) + near_boundary_points(
        area, error + 3_000.0, rng, 80
    )
    inside, outside = check_classification(area, error, radius, outline, bases)
    assert inside > 10 and outside > 10
    # The ranking's farthest distance equals the brute-force maximum over the outline (to a metre).
    lons, lats = np.array([b[0] for b in bases]), np.array([b[1] for b in bases])
    got, _ = B.farthest_distances(hull, lons, lats)
    for k in range(0, len(bases), 7):
        assert abs(got[k] - farthest_m(lons[k], lats[k], outline)) < 1.0


def test_an_empty_area_when_the_subject_is_wider_than_twice_the_radius():
    (area,), _, _ = B.direct_basing_areas(shapely.MultiPoint([(0, 0), (30, 0)]), [1_000_000.0])
    assert area.is_empty


# --- flyable basing areas -----------------------------------------------------------------------------------

TALL_WALL = {
    "type": "Feature",
    "properties": {"id": "TALLWALL", "name": "Tall Wall"},
    "geometry": {"type": "Polygon", "coordinates": [[[4, -3], [6, -3], [6, 3], [4, 3], [4, -3]]]},
}


@pytest.fixture
def wall_data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(GOOD_DATA, folder)
    (folder / "regions" / "wall.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [TALL_WALL]})
    )
    return folder


def test_an_obstacle_pushes_the_flyable_boundary_back_by_the_detour(wall_data):
    """Target at (10, 0), a closed box lon 4..6, lat -3..3 west of it. On the equator west of the box, the
    flyable route from a base at (x, 0) bends at (4, -3) and (6, -3) (or symmetrically above), so the basing
    boundary lies where d((x,0),(4,-3)) + d((4,-3),(6,-3)) + d((6,-3),(10,0)) = R; the direct boundary is
    where the equator distance to (10, 0) is R."""
    catalog = load_catalog(wall_data)
    frame = catalog.airframe("testjet")
    routing = routing_from_text("TALLWALL", (), None, catalog)
    target = Place("T", 10.0, 0.0, "coordinates")
    result = B.basing(frame, None, [target], routing=routing, catalog=catalog, flyable_grid_points=20_000)
    radius = 1_200_000.0
    tail = dist_m(4, -3, 6, -3) + dist_m(6, -3, 10, 0)
    lo, hi = -5.0, 3.9
    for _ in range(60):  # bisection on the hand-derived route length
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if dist_m(mid, 0, 4, -3) + tail > radius else (lo, mid)
    expected_lon = lo
    direct_lon = 10.0 - math.degrees(radius / WGS84.a)
    assert expected_lon - direct_lon > 2.0  # the detour matters: more than 200 km

    def west_edge(geometry):
        line = shapely.intersection(geometry, shapely.LineString([(-10, 0), (3.9, 0)]))
        return shapely.get_coordinates(line)[:, 0].min()

    fly = result.flyable.areas[1]
    error_deg = math.degrees(result.flyable.error_m / WGS84.a)
    assert abs(west_edge(fly.geometry) - expected_lon) <= error_deg
    direct = result.direct.areas[1]
    assert (
        abs(west_edge(direct.geometry) - direct_lon) <= math.degrees(result.direct.error_m / WGS84.a) + 1e-6
    )
    # The closed box itself is never a basing area, and the flyable area lies inside the direct one.
    assert not shapely.intersects_xy(fly.geometry, 5.0, 0.0)
    assert shapely.area(shapely.difference(fly.geometry, direct.geometry)) < 0.02 * shapely.area(fly.geometry)


# --- several bases together ---------------------------------------------------------------------------------


def brute_k_centre(D, k):
    best = (math.inf, None)
    for rows in itertools.combinations(range(D.shape[0]), k):
        radius = D[list(rows)].min(axis=0).max()
        best = min(best, (radius, rows))
    return best


def test_set_search_on_a_small_instance_with_a_known_optimum():
    # Points 0..5 on a line at x = 0, 1, 2, 10, 11, 12; candidates at x = 1, 6, 11, 2: the best pair is
    # (1, 11) with covering radius 1; no single candidate does better than 6 (at x = 6).
    points = np.array([0, 1, 2, 10, 11, 12], float)
    cands = np.array([1, 6, 11, 2], float)
    D = np.abs(cands[:, None] - points[None, :])
    rows, radius, exact = B.k_centre(D, 2)
    assert exact and sorted(rows) == [0, 2] and radius == 1.0
    rows, radius, _ = B.k_centre(D, 1)
    assert rows == (1,) and radius == 6.0
    # Asked for radius 0.5 with two bases: none does.
    rows, radius, _ = B.k_centre(D, 2, radius_m=0.5)
    assert rows == ()


@pytest.mark.parametrize("seed", range(6))
def test_set_search_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    D = rng.integers(1, 100, (12, 40)).astype(float)
    for k in (1, 2, 3):
        rows, radius, exact = B.k_centre(D, k)
        assert exact
        assert radius == brute_k_centre(D, k)[0]
        assert D[list(rows)].min(axis=0).max() == radius and len(rows) <= k
        # Greedy (forced) gives a real cover, never better than the optimum.
        g_rows, g_radius, g_exact = B.k_centre(D, k, max_exact=0)
        assert not g_exact
        if g_rows:
            assert g_radius >= radius and D[list(g_rows)].min(axis=0).max() == g_radius


# --- the command --------------------------------------------------------------------------------------------


def test_cli_json_validates_and_farthest_matches_geographiclib(run):
    out = json.loads(
        run("basing", "tu22m3", "--region", "SY", "--within", "SY", "--top", "3", "--format", "json").stdout
    )
    jsonschema.validate(out, SCHEMA)
    assert [a["figure"] for a in out["direct"]["areas"]] == ["low", "nominal", "high"]
    assert out["flyable"] is None and out["routing"] is None
    syria = load_catalog().__class__  # noqa: F841 (the catalog is the bundled one)
    from rangecalc.regions import resolve_region

    outline = dense_outline(resolve_region("SY", load_catalog()).geometry, 1.0)  # the vertices themselves
    for c in out["candidates"]:
        far = farthest_m(c["lon"], c["lat"], outline) / 1000
        assert abs(c["direct"]["farthest_km"] - far) < 1e-3
        assert c["direct"]["margin_nominal_km"] == pytest.approx(out["radius"]["nominal_km"] - far, abs=1e-3)
    ranks = [c["direct"]["farthest_km"] for c in out["candidates"]]
    assert ranks == sorted(ranks)


def test_cli_csv_and_geojson_agree_with_json(run):
    args = ("basing", "tu22m3", "--region", "SY", "--within", "SY", "--top", "2", "--units", "nm")
    data = json.loads(run(*args, "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    cands = [r for r in rows if r["row_type"] == "candidate"]
    assert [float(r["farthest_nm"]) for r in cands] == [
        c["direct"]["farthest_nm"] for c in data["candidates"]
    ]
    areas = [r for r in rows if r["row_type"] == "area"]
    assert [float(r["area_nm2"]) for r in areas] == [a["area_nm2"] for a in data["direct"]["areas"]]
    gj = json.loads(run(*args, "--format", "geojson").stdout)
    kinds = [f["properties"]["kind"] for f in gj["features"]]
    assert kinds.count("basing_area") == 3 and kinds.count("base") == 2
    assert "<name>Basing areas</name>" in run(*args, "--format", "kml").stdout


def test_cli_bases_needed_reports_a_checked_pair(run):
    out = json.loads(
        run(
            "basing",
            "tu22m3",
            "--region",
            "SY",
            "--within",
            "SY",
            "--bases-needed",
            "2",
            "--figure",
            "low",
            "--no-airports",
            "--format",
            "json",
        ).stdout
    )
    team = out["bases_needed"]
    assert team["found"] and len(team["members"]) <= 2 and team["covered_share"] > 0.999
    assert (
        team["margin_km"] <= team["sample_margin_km"] + 1e-6
    )  # the exact check can only find farther points


@pytest.mark.parametrize(
    "args, message",
    [
        (("--region", "SY", "--via", "35,40"), "--via"),
        (("--region", "SY", "--model", "sphere"), "WGS84"),
        (("--region", "SY", "--bases-needed", "2"), "--within"),
        (("--region", "SY", "--within", "Atlantis"), "Atlantis"),
        (("--within", "SY"), "--region"),
    ],
)
def test_cli_usage_errors_exit_2(run, args, message):
    result = run("basing", "tu22m3", *args, expect=2)
    assert message in result.stderr


# --- the claim ------------------------------------------------------------------------------------------------


def test_the_hamadan_claim_says_where_mozdok_stands():
    from rangecalc.claims import evaluate, load_scenario
    from rangecalc.formats.claimtext import claim_document

    catalog = load_catalog()
    scenario = load_scenario("hamadan-2016", catalog)
    result = evaluate(scenario, catalog, map_layers=False)
    b = result.data["basing"]
    assert b["base"] == scenario.claim_base.label and b["region"] == scenario.claim_region.name
    # Direct: Mozdok's farthest point of Syria, by geographiclib over every outline vertex.
    outline = dense_outline(scenario.claim_region.geometry, 1.0)
    far_km = farthest_m(scenario.claim_base.lon, scenario.claim_base.lat, outline) / 1000
    for x in b["direct"]:
        assert x["farthest_km"] == pytest.approx(far_km, abs=1e-3)
        assert x["inside"] == (x["radius_km"] >= far_km)
        assert (x["edge_km"] > 0) == x["inside"]
    # Flyable: the same farthest distance as the claim's own coverage row on legal routes.
    legal = next(
        r for r in result.data["coverage"]
        if r["routes"] == "legal" and r["base"] == scenario.claim_base.label and r["region"] == scenario.claim_region.id
    )  # fmt: skip
    for x in b["flyable"]:
        assert x["farthest_km"] == pytest.approx(legal["farthest_km"], abs=1e-6)
        assert x["inside"] == (x["margin_km"] >= 0)
    # Airfields listed are Russian, inside under the figures named, best first.
    distances = [a["farthest_km"] for a in b["airfields"]]
    assert distances == sorted(distances)
    for a in b["airfields"]:
        assert a["inside"] and a["inside"][-1] == "high"
    text = claim_document(result, "text")
    assert "Basing area" in text and scenario.claim_base.label in text


# --- candidates -------------------------------------------------------------------------------------------------


def test_without_airportsdata_the_candidates_are_the_bundled_bases_and_the_report_says_so(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "airportsdata", None)  # import now raises ImportError
    catalog = load_catalog()
    countries = B.resolve_within("RU,SY", catalog)
    airfields, notes = B.candidate_airfields(catalog, countries)
    assert airfields and {a.source for a in airfields} == {"bundled"}
    assert {a.country for a in airfields} <= {"RUS", "SYR"}
    assert any("rangecalc[airports]" in n for n in notes)


def test_min_runway_keeps_bundled_bases_with_a_long_enough_runway(run):
    out = json.loads(
        run(
            "basing",
            "tu22m3",
            "--region",
            "SY",
            "--within",
            "RUS,SYR",
            "--min-runway",
            "3000m",
            "--top",
            "50",
            "--format",
            "json",
        ).stdout
    )
    catalog = load_catalog()
    assert out["candidates"]
    for c in out["candidates"]:
        assert c["source"] == "bundled" and c["runway_length_m"] >= 3000
        assert catalog.base(c["id"]).runway_length_m >= 3000
    assert any("runway" in n for n in out["notes"])


def test_targets_subject_and_text_report(run):
    out = run("basing", "tu22m3", "--targets", "raqqa,palmyra", "--within", "SY", "--top", "2").stdout
    assert "Direct basing area" in out and "Candidate airfields in Syria" in out
    data = json.loads(run("basing", "tu22m3", "--targets", "raqqa,palmyra", "--format", "json").stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["subject"]["kind"] == "targets" and len(data["subject"]["targets"]) == 2
    assert data["candidates"] == [] and data["within"] == []


def test_flyable_ranking_matches_hand_derived_routes_and_exhaustive_order(wall_data):
    """Airfields west of the tall wall: their flyable distance to the target (10, 0) is the hand-derived
    route under the wall; the ranking (branch and bound on the direct distance) equals sorting every
    airfield's measured flyable distance."""
    catalog = load_catalog(wall_data)
    routing = routing_from_text("TALLWALL", (), None, catalog)
    subject = shapely.MultiPoint([(10.0, 0.0)])
    hull = B.subject_hull(subject)
    radii = (1_000_000.0, 1_200_000.0, 1_500_000.0)
    (high,), _, _ = B.direct_basing_areas(subject, radii[-1:])
    _, _, _, field_fn = B.flyable_basing_areas(subject, radii, routing, high, hull, grid_points=200)

    def exact(lons, lats):
        return field_fn(lons, lats, cap=None)

    spots = [
        (0.0, 0.0),
        (2.0, 0.0),
        (-3.0, 0.0),
        (10.0, 8.0),
        (14.0, 0.0),
        (3.0, 1.0),
        (-8.0, -2.0),
        (5.0, 6.0),
    ]
    airfields = [B.Airfield(f"a{k}", f"A{k}", x, y, "XXX", "bundled") for k, (x, y) in enumerate(spots)]
    ranked = B.rank_candidates(airfields, subject, hull, radii, top=5, is_area=False, flyable_fn=exact,
                               routing=routing)  # fmt: skip
    values = exact(np.array([x for x, _ in spots]), np.array([y for _, y in spots]))[0]
    assert [r.airfield.id for r in ranked] == [f"a{k}" for k in np.argsort(values, kind="stable")[:5]]
    # (0, 0): the route bends under the wall's lower corners (or over the upper ones, the same length).
    hand = dist_m(0, 0, 4, -3) + dist_m(4, -3, 6, -3) + dist_m(6, -3, 10, 0)
    assert hand <= values[0] <= 1.01 * hand
    # East of the wall or clear of it: the direct geodesic.
    for k in (3, 4):
        assert values[k] == pytest.approx(dist_m(*spots[k], 10.0, 0.0), rel=1e-9)
    for r in ranked:
        assert r.flyable_farthest_m >= r.farthest_m - 1e-6


def test_cli_bases_needed_says_when_no_set_covers(run):
    # Su-34, low figure 1,000 km: Syria's south-west is farther than that from every airfield in Russia.
    args = (
        "basing",
        "su34",
        "--region",
        "SY",
        "--within",
        "RU",
        "--bases-needed",
        "2",
        "--figure",
        "low",
        "--no-airports",
    )
    out = json.loads(run(*args, "--format", "json").stdout)
    team = out["bases_needed"]
    assert not team["found"] and team["members"] == []
    assert team["covering_radius_km"] > 1000
    assert "No set of 2 candidates covers it" in run(*args).stdout


def test_a_region_along_a_closed_border_leaves_those_outline_points_out(wall_data):
    """A region sharing the tall wall's east side: its outline points on that side lie in closed airspace;
    they are left out (with a note), and every other point of the region is still reached from inside the
    flyable area (hand-checked against geographiclib for a base east of the region: nothing blocks it)."""
    catalog = load_catalog(wall_data)
    frame = catalog.airframe("testjet")
    routing = routing_from_text("TALLWALL", (), None, catalog)
    region = type("R", (), {"geometry": shapely.box(6.0, -1.0, 8.0, 1.0), "name": "Beside", "id": "BES"})()
    result = B.basing(frame, region, routing=routing, catalog=catalog, flyable_grid_points=2_000)
    assert any("inside closed airspace" in n for n in result.notes)
    fly = result.flyable.areas[1].geometry
    assert not fly.is_empty and not shapely.intersects_xy(fly, 5.0, 0.0)
    # A base 500 km east of the region on the equator: all of the region in reach, directly.
    g = WGS84.Direct(0.0, 8.0, 90.0, 500_000.0)
    far = farthest_m(g["lon2"], g["lat2"], dense_outline(region.geometry, 0.05))
    assert far < 1_200_000.0 - result.flyable.error_m
    assert shapely.intersects_xy(fly, g["lon2"], g["lat2"])
