"""The public API (rangecalc.api, re-exported at the top level) and its results (rangecalc.results).

Oracles: the CLI's own JSON, CSV and GeoJSON for the same question (CliRunner), geographiclib for
distances, the JSON schemas in docs/schemas (jsonschema), pyogrio/GDAL reading what we write.
"""

import doctest
import io
import json
import math
import re
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic

import rangecalc as rc
from rangecalc import api
from rangecalc.errors import DataError, NotFoundError, UsageError
from rangecalc.places import Place

pd = pytest.importorskip("pandas")
gpd = pytest.importorskip("geopandas")

ROOT = Path(__file__).parents[1]
SCHEMAS = ROOT / "docs" / "schemas"
WGS84 = Geodesic.WGS84
BROKEN = ROOT / "tests" / "data" / "broken"
NOMINATIM = ROOT / "tests" / "data" / "nominatim" / "search"
AVOID = ["TUR", "GEO", "AZE"]


def same_json(value):
    """A dict as JSON gives it back (tuples as lists), to compare with parsed CLI output."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def schema_of(name):
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


@pytest.fixture(scope="module")
def hamadan():
    return rc.claim()


@pytest.fixture(scope="module")
def cli_claim():
    """``rangecalc claim --format json``, run once for the module (a claim takes seconds)."""
    from click.testing import CliRunner

    from rangecalc.cli import cli

    result = CliRunner().invoke(cli, ["claim", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def legal_reach():
    return rc.reach("tu22m3", "mozdok", region="SY", avoid=AVOID, territorial_sea="12nm")


# --- the package's front door ----------------------------------------------------------------------------


def test_import_is_cheap():
    """``import rangecalc`` imports none of the heavy dependencies; the API is loaded on first use."""
    heavy = {"pyproj", "shapely", "matplotlib", "pandas", "geopandas", "numpy", "click"}
    code = (
        "import sys, rangecalc; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(heavy)!r} "
        "or m in ('rangecalc.api', 'rangecalc.results')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_all_names_resolve_and_are_documented():
    for name in rc.__all__:
        value = getattr(rc, name)
        assert value.__doc__, name
    assert set(rc.__all__) <= set(dir(rc))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rc.nope  # noqa: B018


def test_functions_shadowing_submodules_stay_functions():
    """rangecalc/reach.py and rangecalc/compare.py are submodules: importing them keeps the API names."""
    import importlib

    assert rc.reach is api.reach and rc.compare is api.compare
    assert importlib.import_module("rangecalc.reach").reach_rings.__module__ == "rangecalc.reach"
    from rangecalc.reach import ReachResult

    assert isinstance(rc.reach("tu22m3", "mozdok", targets="raqqa").value, ReachResult)


def test_one_argument_order_everywhere():
    """Keywords beyond the subjects, and the same keywords in the same order in every function."""
    import inspect

    order = ["targets", "region", "payload", "avoid", "via", "standoff", "territorial_sea", "model", "units"]
    for function in (rc.reach, rc.compare, rc.table, rc.route, rc.rings, rc.distance):
        params = inspect.signature(function).parameters
        keyword = [n for n, p in params.items() if p.kind is p.KEYWORD_ONLY]
        positional = [n for n, p in params.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert len(positional) == 2, function.__name__
        shared = [n for n in keyword if n in order]
        assert shared == sorted(shared, key=order.index), function.__name__
        assert keyword[-2:] == ["data_dir", "geocode"], function.__name__
        for name in keyword:
            assert params[name].annotation is not inspect.Parameter.empty, (function.__name__, name)


# --- the same answers as the CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "args"),
    [
        ({}, []),
        ({"targets": ["raqqa", (33.51, 36.29)]}, ["--targets", "raqqa,33.51,36.29"]),
        ({"targets": "syria", "model": "sphere", "units": "nm"}, ["--model", "sphere", "--units", "nm"]),
        (
            {"region": "SYR", "targets": shapely.Point(36.29, 33.51)},
            ["--region", "SYR", "--targets", "33.51,36.29"],
        ),
    ],
)
def test_reach_equals_cli_json(run_json, kwargs, args):
    assert same_json(rc.reach("tu22m3", "mozdok", **kwargs).to_dict()) == run_json(
        "reach", "tu22m3", "mozdok", *args
    )


def test_reach_with_routing_equals_cli_json(run_json, legal_reach):
    cli = run_json(
        "reach", "tu22m3", "mozdok", "--region", "SY", "--avoid", "TUR,GEO,AZE", "--territorial-sea", "12nm"
    )
    assert same_json(legal_reach.to_dict()) == cli
    jsonschema.validate(legal_reach.to_dict(), schema_of("reach"))


def test_reach_with_payload_equals_cli_json(run_json, stated_load_dir):
    cli = run_json("reach", "tu22m3", "mozdok", "--payload", "6t", "--data-dir", stated_load_dir)
    for payload in (6000, 6000.0, np.float64(6000), "6t", "6000 kg"):
        result = rc.reach("tu22m3", "mozdok", payload=payload, data_dir=stated_load_dir)
        assert same_json(result.to_dict()) == cli, payload


def test_compare_equals_cli_json(run_json):
    result = rc.compare("tu22m3", ["mozdok", "shahid-nojeh"], region="SY")
    cli = run_json("compare", "tu22m3", "mozdok", "shahid-nojeh", "--region", "SY")
    assert same_json(result.to_dict()) == cli
    assert same_json(rc.compare("tu22m3", "mozdok,shahid-nojeh", region="SY").to_dict()) == cli
    jsonschema.validate(result.to_dict(), schema_of("compare"))


def test_table_equals_cli_json(run_json):
    result = rc.table(["tu22m3", "su34"], ["mozdok", "khmeimim"], targets=["raqqa", "aleppo"], region="SY")
    cli = run_json(
        "table",
        "--airframes",
        "tu22m3,su34",
        "--bases",
        "mozdok,khmeimim",
        "--targets",
        "raqqa,aleppo",
        "--region",
        "SY",
    )
    assert same_json(result.to_dict()) == cli
    assert (
        same_json(rc.table("tu22m3,su34", "mozdok,khmeimim", targets="raqqa,aleppo", region="SY").to_dict())
        == cli
    )
    jsonschema.validate(result.to_dict(), schema_of("table"))


def test_route_equals_cli_json(run_json):
    """Numbers are SI (metres), lists and texts are the CLI's; the waypoint a (lat, lon) tuple."""
    result = rc.route(
        "mozdok", "damascus", avoid=AVOID, via=[(38.0, 50.0)], standoff=25_000, territorial_sea=22_224
    )
    cli = run_json(
        "route", "mozdok", "damascus", "--avoid", "TUR,GEO,AZE", "--via", "38,50", "--standoff", "25km",
        "--territorial-sea", "22.224km",
    )  # fmt: skip
    assert same_json(result.to_dict()) == cli
    jsonschema.validate(result.to_dict(), schema_of("route"))
    again = rc.route(
        "mozdok", "damascus", avoid="TUR,GEO,AZE", via="38,50", standoff="25km", territorial_sea="12nm"
    )
    assert again.to_dict()["length_km"] == pytest.approx(cli["length_km"], rel=1e-9)


def test_distance_every_place_form(run_json):
    """Names, texts, (lat, lon) tuples, numpy pairs, Places, Bases and shapely Points give one answer, the
    CLI's, which geographiclib confirms."""
    cli = run_json("distance", "mozdok", "35.2117,48.6533")
    mozdok = rc.base("mozdok")
    forms = [
        ("mozdok", (35.2117, 48.6533)),
        ("Mozdok Air Base", [35.2117, 48.6533]),
        (mozdok, np.array([35.2117, 48.6533])),
        (Place(mozdok.name, mozdok.lon, mozdok.lat, "base", mozdok), shapely.Point(48.6533, 35.2117)),
        ("mozdok", "35.2117N 48.6533E"),
    ]
    for origin, destination in forms:
        result = rc.distance(origin, destination)
        assert same_json(result.to_dict()) == cli, (origin, destination)
    jsonschema.validate(cli, schema_of("distance"))
    expected = WGS84.Inverse(mozdok.lat, mozdok.lon, 35.2117, 48.6533)
    assert cli["distance_km"] == pytest.approx(expected["s12"] / 1000, abs=1e-6)
    assert cli["initial_bearing_deg"] == pytest.approx(expected["azi1"], abs=1e-9)


def test_distance_units_and_model():
    km = rc.distance((0, 0), (0, 1)).to_dict()["distance_km"]
    nm = rc.distance((0, 0), (0, 1), units="nm")
    assert nm.to_dict()["distance_nm"] == pytest.approx(km / 1.852)
    assert nm.to_dict(units="mi")["distance_mi"] == pytest.approx(km / 1.609344)
    assert km == pytest.approx(WGS84.Inverse(0, 0, 0, 1)["s12"] / 1000)
    sphere = rc.distance((0, 0), (0, 1), model="sphere").to_dict()["distance_km"]
    assert sphere == pytest.approx(6371.0088 * math.pi / 180, rel=1e-6)


def test_claim_equals_cli_json(cli_claim, hamadan):
    cli = cli_claim
    assert same_json(hamadan.to_dict()) == cli
    jsonschema.validate(hamadan.to_dict(), schema_of("claim"))
    assert hamadan.verdict == cli["verdict"]["summary"]
    hamadan.to_dict()["verdict"]["summary"] = "changed"  # a copy: the result is not changed
    assert hamadan.verdict == cli["verdict"]["summary"]


def test_rings_equal_cli_geojson(run):
    result = rc.rings("tu22m3", "mozdok", avoid="TUR,GEO")
    cli = run("rings", "tu22m3", "mozdok", "--avoid", "TUR,GEO").stdout
    assert result.to_geojson() == cli
    assert result.to_dict() == json.loads(cli)
    assert result.to_kml() == run("rings", "tu22m3", "mozdok", "--avoid", "TUR,GEO", "--format", "kml").stdout


def test_geojson_and_kml_equal_cli(run, legal_reach):
    args = [
        "reach",
        "tu22m3",
        "mozdok",
        "--region",
        "SY",
        "--avoid",
        "TUR,GEO,AZE",
        "--territorial-sea",
        "12nm",
    ]
    assert legal_reach.to_geojson() == run(*args, "--format", "geojson").stdout
    assert legal_reach.to_kml() == run(*args, "--format", "kml").stdout


# --- argument forms ------------------------------------------------------------------------------------


def test_tuple_is_latitude_first():
    place = api.to_place((35.2117, 48.6533))
    assert (place.lat, place.lon, place.kind, place.label) == (
        35.2117,
        48.6533,
        "coordinates",
        "35.21170,48.65330",
    )
    point = api.to_place(shapely.Point(48.6533, 35.2117))
    assert (point.lat, point.lon) == (35.2117, 48.6533)
    target = rc.reach("tu22m3", "mozdok", targets=(33.51, 36.29)).to_dict()["targets"]
    assert [(t["lat"], t["lon"]) for t in target] == [(33.51, 36.29)]


def test_avoid_and_quantities_accept_lists_numbers_and_texts():
    a = rc.route("mozdok", "damascus", avoid="TUR,GEO", standoff="15nm").to_dict()
    b = rc.route("mozdok", "damascus", avoid=("TUR", "GEO"), standoff=15 * 1852).to_dict()
    assert a == b
    assert a["routing"]["standoff_km"] == pytest.approx(27.78)
    assert rc.route("mozdok", "damascus", avoid=[]).to_dict() == rc.route("mozdok", "damascus").to_dict()


def test_targets_accept_target_objects_and_sets(run_json):
    catalog = api._catalog(None)
    syria = catalog.target_set("syria")
    result = rc.reach("tu22m3", "mozdok", targets=syria)
    assert same_json(result.to_dict()) == run_json("reach", "tu22m3", "mozdok", "--targets", "syria")
    one = rc.reach("tu22m3", "mozdok", targets=[syria.targets[0]]).to_dict()["targets"]
    assert [t["id"] for t in one] == [syria.targets[0].id]


def test_targets_from_a_geodataframe_or_geoseries(run_json):
    """Points of a GeoDataFrame (named from its 'name' column) or GeoSeries, in EPSG:4326, are targets: the
    same numbers as the CLI's for the same coordinates."""
    points = [shapely.Point(39.0, 35.95), shapely.Point(38.27, 34.55)]
    gdf = gpd.GeoDataFrame({"name": ["north", "south"]}, geometry=points, crs="EPSG:4326")
    cli = run_json("reach", "tu22m3", "mozdok", "--targets", "35.95,39;34.55,38.27")["targets"]
    for targets in (gdf, gdf.geometry, gpd.GeoSeries(points)):
        got = rc.reach("tu22m3", "mozdok", targets=targets).to_dict()["targets"]
        assert [t["distance_km"] for t in got] == [t["distance_km"] for t in cli]
        assert [(t["lat"], t["lon"]) for t in got] == [(t["lat"], t["lon"]) for t in cli]
    named = rc.reach("tu22m3", "mozdok", targets=gdf).to_dict()
    assert [t["name"] for t in named["targets"]] == ["north", "south"] and named[
        "targets_label"
    ] == "2 points"
    with pytest.raises(UsageError, match=r"in WGS 84 / Pseudo-Mercator; give them in EPSG:4326"):
        rc.reach("tu22m3", "mozdok", targets=gdf.to_crs(3857))
    with pytest.raises(UsageError, match="row 1 is not a point"):
        rc.reach("tu22m3", "mozdok", targets=gpd.GeoSeries([points[0], points[0].buffer(1)], crs=4326))
    route = rc.route("mozdok", "damascus", via=gdf.geometry.iloc[:1]).to_dict()
    assert route["routing"]["via"] == [{"lon": 39.0, "lat": 35.95}]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: rc.distance((95.0, 10.0), "mozdok"),
            "latitude 95 in (95.0, 10.0) is outside -90..90 (is the order (lon, lat)? give (lat, lon))",
        ),
        (lambda: rc.distance(shapely.Point(10.0, 95.0), "mozdok"), "a shapely Point is Point(lon, lat)"),
        (lambda: rc.distance((10.0, 190.0), "mozdok"), "longitude 190 in (10.0, 190.0) is outside -180..180"),
        (lambda: rc.distance((math.nan, 1.0), "mozdok"), "not finite"),
        (lambda: rc.distance(np.array([95.5, 10]), "mozdok"), "latitude 95.5 in (95.5, 10.0) is outside"),
        (lambda: rc.distance(42, "mozdok"), "cannot read the place 42"),
        (lambda: rc.distance(shapely.Point(), "mozdok"), "empty shapely Point"),
        (lambda: rc.reach("tu22m3", "mozdok", payload=True), "--payload: give a number in kg"),
        (lambda: rc.reach("tu22m3", "mozdok", payload=-3000), "--payload: '-3000.0kg' is negative"),
        (
            lambda: rc.route("mozdok", "damascus", avoid="TUR", standoff=math.inf),
            "--standoff: inf is not a finite number",
        ),
        (
            lambda: rc.route("mozdok", "damascus", avoid=[1, 2]),
            "--avoid: give country codes or names as text",
        ),
        (lambda: rc.reach("tu22m3", "mozdok", units="furlong"), "units 'furlong': accepted km, nm, mi"),
        (lambda: rc.reach("tu22m3", "mozdok", model="flat"), "model 'flat': accepted ellipsoid, sphere"),
        (lambda: rc.compare("tu22m3", []), "bases is empty"),
        (lambda: rc.table([], ["mozdok"], targets="raqqa"), "airframes needs a list without empty items"),
        (lambda: rc.distance("x", "mozdok", geocode="yes"), "geocode='yes': give True, False or a geocoder"),
    ],
)
def test_bad_arguments_are_usage_errors(call, message):
    with pytest.raises(UsageError) as info:
        call()
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("function", "args", "kwargs", "cli"),
    [
        (rc.reach, ("tu23m3", "mozdok"), {}, ["reach", "tu23m3", "mozdok"]),
        (rc.reach, ("tu22m3", "mozdoc"), {}, ["reach", "tu22m3", "mozdoc"]),
        (
            rc.reach,
            ("tu22m3", "mozdok"),
            {"region": "Atlantis"},
            ["reach", "tu22m3", "mozdok", "--region", "Atlantis"],
        ),
        (
            rc.reach,
            ("tu22m3", "mozdok"),
            {"avoid": "TUR,,GEO"},
            ["reach", "tu22m3", "mozdok", "--avoid", "TUR,,GEO"],
        ),
        (
            rc.reach,
            ("tu22m3", "mozdok"),
            {"standoff": "25km"},
            ["reach", "tu22m3", "mozdok", "--standoff", "25km"],
        ),
        (rc.reach, ("tu22m3", "mozdok"), {"payload": "6t"}, ["reach", "tu22m3", "mozdok", "--payload", "6t"]),
        (
            rc.reach,
            ("tu22m3", "mozdok"),
            {"avoid": "TUR", "model": "sphere"},
            ["reach", "tu22m3", "mozdok", "--avoid", "TUR", "--model", "sphere"],
        ),
        (rc.table, (["tu22m3"], ["mozdok"]), {}, ["table", "--airframes", "tu22m3", "--bases", "mozdok"]),
        (rc.compare, ("tu22m3", ["mozdok", "mozdok"]), {}, ["compare", "tu22m3", "mozdok", "mozdok"]),
        (rc.route, ("mozdok", "ankara"), {"avoid": "TUR"}, ["route", "mozdok", "ankara", "--avoid", "TUR"]),
        (rc.claim, ("no-such-scenario",), {}, ["claim", "no-such-scenario"]),
        (
            rc.reach,
            ("testjet", "mozdok"),
            {"data_dir": BROKEN},
            ["reach", "testjet", "mozdok", "--data-dir", BROKEN],
        ),
    ],
)
def test_errors_are_the_cli_messages(run, function, args, kwargs, cli):
    """The library raises what the CLI prints: the same one line, UsageError for exit 2, DataError for 1."""
    with pytest.raises((UsageError, DataError)) as info:
        function(*args, **kwargs)
    code = 2 if isinstance(info.value, UsageError) else 1
    printed = run(*cli, expect=code).stderr
    assert printed == f"rangecalc: error: {info.value}\n"


# --- lookups --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", api.SCHEMAS)
def test_schema_is_the_documented_one(name):
    assert rc.schema(name) == schema_of(name)
    assert rc.schema(name.upper()) == schema_of(name)
    rc.schema(name)["changed"] = True  # a fresh dict each time
    assert "changed" not in rc.schema(name)


def test_unknown_schema_suggests():
    with pytest.raises(NotFoundError, match="unknown schema 'reech'; did you mean 'reach'"):
        rc.schema("reech")


def test_airframe_and_base():
    assert rc.airframe("Tu-22M3").id == "tu22m3"
    assert rc.base("OIHS").id == "shahid-nojeh"
    with pytest.raises(NotFoundError, match="did you mean 'mozdok'"):
        rc.base("mozdoc")
    assert rc.reach(rc.airframe("tu22m3"), rc.base("mozdok"), targets="raqqa").to_dict() == (
        rc.reach("tu22m3", "mozdok", targets="raqqa").to_dict()
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling")
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = folder.glob("rangecalc-*.whl")
    return built


def test_wheel_ships_the_schemas_and_schema_reads_them(wheel, tmp_path):
    """In a non-editable install (the wheel unpacked, nothing of the checkout on the path) schema() reads
    the copies inside the package."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in api.SCHEMAS:
            inside = f"rangecalc/data/schemas/{name}.schema.json"
            assert inside in names
            assert json.loads(archive.read(inside)) == schema_of(name)
        archive.extractall(tmp_path / "site")
    code = (
        "import rangecalc, rangecalc.api as api; "
        "print(api.schemas_dir()); print(rangecalc.schema('claim')['properties']['schema']['const'])"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r}); {code}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.splitlines()
    assert out[0] == str(tmp_path / "site" / "rangecalc" / "data" / "schemas")
    assert out[1] == schema_of("claim")["properties"]["schema"]["const"]


# --- DataFrames -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "cli"),
    [
        (lambda: rc.reach("tu22m3", "mozdok", region="SY"), ["reach", "tu22m3", "mozdok", "--region", "SY"]),
        (
            lambda: rc.compare("tu22m3", ["mozdok", "shahid-nojeh"], region="SY", units="nm"),
            ["compare", "tu22m3", "mozdok", "shahid-nojeh", "--region", "SY", "--units", "nm"],
        ),
        (
            lambda: rc.table(["tu22m3", "su34"], ["mozdok", "khmeimim"], targets="raqqa", region="SY"),
            [
                "table",
                "--airframes",
                "tu22m3,su34",
                "--bases",
                "mozdok,khmeimim",
                "--targets",
                "raqqa",
                "--region",
                "SY",
            ],
        ),
    ],
)
def test_to_frame_is_the_cli_csv_with_numbers_numeric(run, make, cli):
    frame = make().to_frame()
    csv = pd.read_csv(io.StringIO(run(*cli, "--format", "csv").stdout))
    assert list(frame.columns) == list(csv.columns)
    assert len(frame) == len(csv)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(csv[column]) and not pd.api.types.is_bool_dtype(csv[column])
        if numeric and csv[column].notna().any():
            assert frame[column].dtype == np.float64, column
            assert np.allclose(frame[column], csv[column], equal_nan=True, rtol=0, atol=0), column
    unit = next(c for c in frame.columns if c.startswith("distance_")).removeprefix("distance_")
    assert frame[f"distance_{unit}"].dtype == np.float64
    assert frame["verdict"].map(lambda v: v is None or isinstance(v, str)).all()


def test_to_frame_of_the_other_kinds(hamadan):
    d = rc.distance("mozdok", "khmeimim").to_frame()
    assert (
        len(d) == 1 and d["distance_km"].dtype == np.float64 and d["initial_bearing_deg"].dtype == np.float64
    )
    r = rc.route("mozdok", "damascus", avoid=AVOID).to_frame()
    assert r["legs"].dtype == np.int64 and r["detour_km"].iloc[0] > 0
    rings = rc.rings("tu22m3", "mozdok").to_frame()
    assert rings.loc[rings["kind"] == "reach_area", "radius_km"].tolist() == [1500.0, 2200.0, 2400.0]
    coverage = hamadan.to_frame()
    data = hamadan.to_dict()
    assert len(coverage) == sum(len(row["cases"]) for row in data["coverage"])
    assert coverage["farthest_km"].dtype == np.float64 and coverage["modelled"].dtype == "boolean"
    targets = hamadan.to_frame(table="targets")
    assert list(targets.columns) == ["base", "target", "direct_km", "legal_km", "corridor_km"]
    with pytest.raises(UsageError, match="'coverage' and 'targets'"):
        hamadan.to_frame(table="nope")


def test_missing_pandas_is_a_clear_error(monkeypatch):
    result = rc.distance("mozdok", "khmeimim")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(UsageError, match=r"^to_frame needs pandas: pip install 'rangecalc\[geo\]'$"):
        result.to_frame()
    with pytest.raises(UsageError, match=r"pip install 'rangecalc\[geo\]'"):
        result.to_geodataframe()


def test_missing_geopandas_is_a_clear_error(monkeypatch):
    result = rc.distance("mozdok", "khmeimim")
    monkeypatch.setitem(sys.modules, "geopandas", None)
    with pytest.raises(
        UsageError, match=r"^to_geodataframe needs geopandas: pip install 'rangecalc\[geo\]'$"
    ):
        result.to_geodataframe()
    assert len(result.to_frame()) == 1  # pandas alone is enough for frames


# --- GeoDataFrames ----------------------------------------------------------------------------------------


def _kinds(hamadan, legal_reach):
    return {
        "reach": legal_reach,
        "compare": rc.compare("tu22m3", ["mozdok", "shahid-nojeh"], region="SY"),
        "table": rc.table(["tu22m3"], ["mozdok", "khmeimim"], targets="raqqa,aleppo", region="SY"),
        "route": rc.route("mozdok", "damascus", avoid=AVOID),
        "distance": rc.distance("mozdok", (-33.9, 151.2)),
        "rings": rc.rings("tu22m3", "mozdok"),
        "claim": hamadan,
    }


def test_geodataframe_is_the_geojson_read_by_gdal(tmp_path, hamadan, legal_reach):
    """Same geometries as the GeoJSON output read by pyogrio (GDAL), EPSG:4326, valid; round trip through
    a GeoPackage keeps geometries and numbers."""
    import pyogrio

    for kind, result in _kinds(hamadan, legal_reach).items():
        gdf = result.to_geodataframe()
        assert gdf.crs.to_epsg() == 4326, kind
        assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any(), kind
        path = tmp_path / f"{kind}.geojson"
        result.save(path)
        read = pyogrio.read_dataframe(path)
        assert len(read) == len(gdf), kind
        for ours, theirs in zip(gdf.geometry, read.geometry, strict=True):
            assert ours.equals_exact(theirs, 0), kind
        assert list(gdf["kind"]) == list(read["kind"]), kind
        bounds = gdf.total_bounds
        assert -180 <= bounds[0] <= bounds[2] <= 180 and -90 <= bounds[1] <= bounds[3] <= 90, kind
        package = tmp_path / f"{kind}.gpkg"
        gdf.to_file(package, driver="GPKG", engine="pyogrio")
        back = gpd.read_file(package, engine="pyogrio")
        assert back.crs.to_epsg() == 4326
        assert len(back) == len(gdf)
        for ours, theirs in zip(gdf.geometry, back.geometry, strict=True):
            assert ours.equals_exact(theirs, 0), kind
        for column in gdf.columns.drop("geometry"):
            if gdf[column].dtype == np.float64:
                assert np.allclose(gdf[column], back[column], equal_nan=True), (kind, column)


def test_geodataframe_columns_and_attrs(legal_reach):
    gdf = legal_reach.to_geodataframe(units="nm")
    assert gdf.attrs["schema"] == "rangecalc/features/1" and gdf.attrs["unit"] == "nm"
    assert gdf.attrs["title"] == "Tupolev Tu-22M3 from Mozdok Air Base: reach over Syria"
    areas = gdf[gdf["kind"] == "reach_area"]
    assert areas["radius_nm"].dtype == np.float64
    assert sorted(areas["radius_nm"].round(3).unique()) == sorted(
        round(r / 1.852, 3) for r in (1500, 2200, 2400)
    )
    assert areas["sources"].map(lambda s: isinstance(s, str) and "; " in s).all()  # lists joined, as in CSV
    closed = gdf[gdf["kind"] == "closed_airspace"].geometry.iloc[0]
    assert closed.contains(shapely.Point(32.85, 39.93))  # Ankara


def test_table_geodataframe_puts_each_row_at_its_place():
    result = rc.table(["tu22m3", "su34"], ["mozdok", "khmeimim"], targets="raqqa", region="SY")
    gdf = result.to_geodataframe()
    raqqa = api._catalog(None).find_target("raqqa")
    targets = gdf[gdf["kind"] == "target"]
    assert len(targets) == 4 and set(targets["subject"]) == {"Raqqa"}
    assert all((p.x, p.y) == (round(raqqa.lon, 6), round(raqqa.lat, 6)) for p in targets.geometry)
    farthest = gdf[gdf["kind"] == "farthest_point"]
    assert len(farthest) == 4
    assert np.allclose(farthest.geometry.x, farthest["farthest_lon"], atol=1e-6)
    assert np.allclose(farthest.geometry.y, farthest["farthest_lat"], atol=1e-6)
    assert sorted(gdf.loc[gdf["kind"] == "base", "name"]) == ["Khmeimim Air Base", "Mozdok Air Base"]
    frame = result.to_frame()
    assert targets["distance_km"].tolist() == frame.loc[frame["row_type"] == "target", "distance_km"].tolist()


def test_distance_features_cross_the_antimeridian():
    gdf = rc.distance((-17.7, 178.4), (21.3, -157.9)).to_geodataframe()  # Fiji to Honolulu
    line = gdf[gdf["kind"] == "route"].geometry.iloc[0]
    assert line.geom_type == "MultiLineString"
    assert gdf.total_bounds[0] >= -180 and gdf.total_bounds[2] <= 180


# --- people: repr, HTML, save ---------------------------------------------------------------------------


def test_repr_html_has_a_map_and_escapes_everything(hamadan, legal_reach):
    for kind, result in _kinds(hamadan, legal_reach).items():
        html = result._repr_html_()
        assert "<svg" in html and "</svg>" in html, kind
        assert repr(result).startswith(f"<rangecalc {kind}: "), kind
    hostile = Place('<script>alert("x")</script> & <b>', 48.6533, 35.2117, "coordinates")
    for result in (
        rc.distance(hostile, "mozdok"),
        rc.reach("tu22m3", hostile, targets=[hostile]),
        rc.route(hostile, "damascus"),
    ):
        html = result._repr_html_()
        assert "<script" not in html and "<b>" not in html
        assert "&lt;script&gt;" in html and "&amp;" in html


def test_repr_html_summarises_the_answer(legal_reach):
    html = legal_reach._repr_html_()
    region = legal_reach.to_dict()["region"]
    assert f"{region['farthest_point']['distance_km']:,.0f} km" in html
    assert region["verdict_text"] in html
    assert "1,500 / 2,200 / 2,400" in html


def test_save_picks_the_format_from_the_extension(tmp_path, run):
    result = rc.distance("mozdok", "khmeimim")
    path = result.save(tmp_path / "d.json")
    assert json.loads(path.read_text()) == json.loads(
        run("distance", "mozdok", "khmeimim", "--format", "json").stdout
    )
    assert result.save(tmp_path / "d.txt").read_text() == run("distance", "mozdok", "khmeimim").stdout
    with pytest.raises(UsageError, match="exists; pass force=True"):
        result.save(tmp_path / "d.json")
    result.save(tmp_path / "d.json", force=True, units="nm")
    assert "distance_nm" in json.loads(path.read_text())
    with pytest.raises(UsageError, match="cannot tell the format"):
        result.save(tmp_path / "d.xyz")
    with pytest.raises(UsageError, match="cannot be written as csv"):
        rc.rings("tu22m3", "mozdok").save(tmp_path / "r.csv")
    with pytest.raises(UsageError, match="does not exist"):
        result.save(tmp_path / "missing" / "d.json")
    reach = rc.reach("tu22m3", "mozdok")
    assert (
        reach.save(tmp_path / "r.csv").read_text()
        == run("reach", "tu22m3", "mozdok", "--format", "csv").stdout
    )
    assert (
        reach.save(tmp_path / "r.md").read_text() == run("reach", "tu22m3", "mozdok", "--format", "md").stdout
    )
    assert reach.save(tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    pytest.importorskip("matplotlib")
    assert "<svg" in result.save(tmp_path / "d.svg").read_text()  # maps of results the CLI draws none for
    assert (
        rc.table(["su34"], ["khmeimim"], targets="raqqa").save(tmp_path / "t.png").read_bytes()[:4]
        == b"\x89PNG"
    )
    names = ["d.json", "d.svg", "d.txt", "r.csv", "r.html", "r.md", "t.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == names  # no temporary files left


def test_claim_saves_its_reports(tmp_path, hamadan, cli_claim):
    summary = cli_claim["verdict"]["summary"]
    text = hamadan.save(tmp_path / "claim.md").read_text()
    assert text.startswith(f"# {cli_claim['title']}\n") and summary in " ".join(text.split())
    html = hamadan.save(tmp_path / "claim.html").read_text()
    assert summary.replace("'", "&#x27;") in html


# --- geocoding, only when asked --------------------------------------------------------------------------


def test_geocode_asks_a_geocoder_only_when_given():
    asked = []

    def geocoder(text):
        asked.append(text)
        return Place(text, 44.0, 43.0, "geocoded", note="from a test geocoder")

    with pytest.raises(NotFoundError):
        rc.distance("Nowhere Junction", "mozdok")
    result = rc.distance("Nowhere Junction", "mozdok", geocode=geocoder)
    assert asked == ["Nowhere Junction"]
    assert result.to_dict()["from"]["kind"] == "geocoded"
    assert result.to_dict()["distance_km"] == pytest.approx(
        WGS84.Inverse(43.0, 44.0, 43.7875, 44.6031)["s12"] / 1000, abs=1
    )
    with pytest.raises(NotFoundError):  # the switch is off again after the call
        rc.distance("Nowhere Junction", "mozdok")


class _Replay(BaseHTTPRequestHandler):
    """Nominatim's /search on 127.0.0.1, answering from tests/data/nominatim/search (recorded answers)."""

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)["q"][0]
        self.server.asked.append(query)
        slug = re.sub(r"[^a-z0-9]+", "-", query.casefold()).strip("-")
        path = NOMINATIM / f"{slug}.json"
        data = (path.read_text(encoding="utf-8") if path.exists() else "[]").encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(monkeypatch, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Replay)
    server.asked = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("RANGECALC_GEOCODE_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("RANGECALC_CACHE_DIR", str(tmp_path / "cache"))
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_geocode_true_asks_nominatim_for_that_call_only(nominatim):
    pytest.importorskip("geopy")
    castle = "Qasr al-Hayr al-Sharqi"
    with pytest.raises(NotFoundError):
        rc.distance(castle, "mozdok")
    assert nominatim.asked == []  # nothing goes online unless asked
    result = rc.distance(castle, "mozdok", geocode=True)
    assert nominatim.asked == [castle]
    recorded = json.loads((NOMINATIM / "qasr-al-hayr-al-sharqi.json").read_text())[0]
    origin = result.to_dict()["from"]
    assert origin["kind"] == "geocoded"
    assert (origin["lat"], origin["lon"]) == (float(recorded["lat"]), float(recorded["lon"]))
    mozdok = rc.base("mozdok")
    expected = (
        WGS84.Inverse(float(recorded["lat"]), float(recorded["lon"]), mozdok.lat, mozdok.lon)["s12"] / 1000
    )
    assert result.to_dict()["distance_km"] == pytest.approx(expected, abs=1e-6)
    with pytest.raises(NotFoundError):  # off again after the call
        rc.distance(castle, "mozdok")
    reach = rc.reach("tu22m3", "mozdok", targets=[castle, "raqqa"], geocode=True).to_dict()
    assert [t["kind"] for t in reach["targets"]] == ["geocoded", "target"]
    assert nominatim.asked == [castle]  # the second time from the on-disk cache


# --- the docstrings' examples run ----------------------------------------------------------------------


def test_api_docstring_examples():
    failures, tried = doctest.testmod(api, optionflags=doctest.ELLIPSIS)
    assert tried >= 8 and failures == 0
