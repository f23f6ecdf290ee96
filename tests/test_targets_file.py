"""--targets-file: target lists from CSV and GeoJSON, and flyable distances to many targets at once."""

import csv
import io
import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from rangecalc.reach import ROUTE_DETAIL_TARGETS

GOOD_DATA = Path(__file__).parent / "data" / "good"
WGS84 = Geodesic.WGS84
WALL = {
    "type": "Feature",
    "properties": {"id": "WALL", "name": "Test Wall"},
    "geometry": {"type": "Polygon", "coordinates": [[[4, -1], [6, -1], [6, 2], [4, 2], [4, -1]]]},
}


def km(*points):
    """Geodesic length through (lon, lat) points, by geographiclib, in km."""
    return sum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in itertools.pairwise(points)) / 1000


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(GOOD_DATA, folder)
    (folder / "regions" / "wall.geojson").write_text(json.dumps(WALL))
    return folder


def reach_rows(run, data, *args):
    text = run("reach", "testjet", "null-island", *args, "--data-dir", data, "--format", "csv").stdout
    return [r for r in csv.DictReader(io.StringIO(text)) if r["row_type"] == "target"]


def test_csv_targets_give_direct_distances(run, data, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("name,latitude,longitude\nNorth,1.5,0\nSouth West,-2,-3\n")
    rows = reach_rows(run, data, "--targets-file", path)
    assert [r["subject"] for r in rows] == ["North", "South West"]
    assert float(rows[1]["distance_km"]) == pytest.approx(km((0, 0), (-3, -2)), abs=1e-6)


def test_geojson_points_and_typed_targets_together(run, data, tmp_path):
    path = tmp_path / "targets.geojson"
    points = [{"type": "Feature", "properties": {"name": f"P{i}"}, "geometry": {"type": "Point", "coordinates": [i, 1]}}
              for i in range(3)]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": points}))
    rows = reach_rows(run, data, "--targets", "0.5,0.5", "--targets-file", path)
    assert [r["subject"] for r in rows] == ["0.50000,0.50000", "P0", "P1", "P2"]
    assert float(rows[3]["distance_km"]) == pytest.approx(km((0, 0), (2, 1)), abs=1e-6)


def test_many_targets_under_routing_match_the_routes_one_by_one(run, data, tmp_path):
    """Above ROUTE_DETAIL_TARGETS targets the flyable distances come from the prepared graph in one pass;
    they equal the one-by-one routes, and behind the wall they equal the hand-derived path under its lower
    corners."""
    rng = np.random.default_rng(3)
    lons, lats = (
        rng.uniform(6.5, 9.5, ROUTE_DETAIL_TARGETS + 50),
        rng.uniform(-0.8, 0.8, ROUTE_DETAIL_TARGETS + 50),
    )
    path = tmp_path / "many.csv"
    path.write_text("lat,lon\n" + "".join(f"{y},{x}\n" for x, y in zip(lons, lats, strict=True)))
    many = reach_rows(run, data, "--targets-file", path, "--avoid", "WALL")
    assert len(many) == len(lons)
    few = tmp_path / "few.csv"
    few.write_text("lat,lon\n" + "".join(f"{y},{x}\n" for x, y in zip(lons[:20], lats[:20], strict=True)))
    one_by_one = reach_rows(run, data, "--targets-file", few, "--avoid", "WALL")
    for a, b in zip(many[:20], one_by_one, strict=True):
        # the same shortest path; the graph's last-corner search and the route's Dijkstra differ by metres
        assert float(a["distance_km"]) == pytest.approx(float(b["distance_km"]), rel=1e-4)
    for row, x, y in zip(many, lons, lats, strict=True):
        under = km((0, 0), (4, -1), (6, -1), (x, y))
        over = km((0, 0), (4, 2), (6, 2), (x, y))
        assert min(under, over) <= float(row["distance_km"]) <= 1.01 * min(under, over)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("t.csv", "name,lat\nA,1\n", "no longitude column"),
        ("t.csv", "lat,lon\n1,abc\n", "row 2, column lon: 'abc' is not a number"),
        ("t.csv", "lat,lon\n95,1\n", "row 2: latitude 95 is outside -90..90"),
        ("t.csv", "lat,lon\n", "no targets in it"),
        ("t.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}]}',
         "features[0]: expected a Feature with a Point geometry"),
        ("t.txt", "1,2\n", "give a .csv"),
    ],
)  # fmt: skip
def test_bad_targets_files_are_one_clear_line(run, data, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    code = 2 if name.endswith(".txt") else 1
    result = run("reach", "testjet", "null-island", "--targets-file", path, "--data-dir", data, expect=code)
    assert message in result.stderr


def test_missing_targets_file_is_a_usage_error(run, data, tmp_path):
    missing = tmp_path / "nope.csv"
    result = run("reach", "testjet", "null-island", "--targets-file", missing, "--data-dir", data, expect=2)
    assert "does not exist" in result.stderr
