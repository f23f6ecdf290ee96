"""Scenarios and claims: validation, a hand-derivable scenario, the two-part verdict written from the
numbers, the record as evidence, load calibrations, precision, and the bundled Hamadan 2016 scenario.

The hand-derivable scenario: the Test Jet (combat radius 1,000 / 1,200 / 1,500 km) at Null Island Field
(0, 0); the claim's region is a 1 x 1 degree patch (lon 7..8, lat -0.5..0.5) on the equator east of it;
a closed "wall" (lon 2..3, lat -4..6) stands between them. Its farthest point on a direct geodesic is a
far corner, (8, +-0.5). Around the wall the short way is underneath, through its lower corners (2, -4)
and (3, -4); from (3, -4) the farthest point of the patch is its north-east corner (8, 0.5). The
flyable distance is the sum of those geodesics (geographiclib); routes bend a kilometre or two outside
each corner, so the computed distance is never shorter and within 1 % of it. A second base, East Six
Field (0, 6), is east of the wall and sees the whole patch directly.
"""

import copy
import itertools
import json
import math
import re
import shutil
import tomllib
from pathlib import Path

import jsonschema
import pytest
from geographiclib.geodesic import Geodesic

from rangecalc.claims import evaluate, load_scenario
from rangecalc.data import load_catalog
from rangecalc.errors import DataError
from rangecalc.formats.claimtext import claim_dict, claim_document
from rangecalc.precision import duration, km10, percent, tonnes

ROOT = Path(__file__).parents[1]
GOOD_DATA = Path(__file__).parent / "data" / "good"
CLAIM_SCHEMA = json.loads((ROOT / "docs" / "schemas" / "claim.schema.json").read_text())
HAMADAN_FILE = ROOT / "scenarios" / "hamadan-2016.toml"

WGS84 = Geodesic.WGS84
BANDS = ("low", "nominal", "high")
NOMINAL_KMH = 900  # Test Jet's nominal cruise speed

BASE, ALT = (0.0, 0.0), (6.0, 0.0)  # (lon, lat)
WALL_CORNERS = [(2, -4), (3, -4)]
FAR_CORNER = (8, 0.5)
E5 = (5.0, 0.0)
INSIDE_WALL = "1,2.5"  # lat 1, lon 2.5: a target inside the closed wall
INSIDE_LABEL = "1.00000,2.50000"


def path_km(*points):
    """Sum of geodesic lengths through (lon, lat) points, by geographiclib, in km."""
    return sum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in itertools.pairwise(points)) / 1000


DIRECT_FAR_KM = path_km(BASE, FAR_CORNER)  # 892 km
FLYABLE_FAR_KM = path_km(BASE, *WALL_CORNERS, FAR_CORNER)  # 1,352 km
ALT_FAR_KM = path_km(ALT, FAR_CORNER)  # 230 km
E5_FLYABLE_KM = path_km(BASE, *WALL_CORNERS, E5)  # 1,101 km


def box(region_id, name, x0, y0, x1, y1):
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "Feature",
        "properties": {"id": region_id, "name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


REGIONS = {
    "type": "FeatureCollection",
    "features": [box("WALL", "Test Wall", 2, -4, 3, 6), box("PATCH", "Test Patch", 7, -0.5, 8, 0.5)],
}
EAST_BASE = """
[[bases]]
id = "east-6"
name = "East Six Field"
lat = 0.0
lon = 6.0
country = "XXX"
position_uncertainty_m = 0
sources = [{ title = "by construction", publication = "rangecalc tests", states = "0, 6" }]
"""

SCENARIO = {
    "id": "wall-test",
    "title": "Does the wall matter?",
    "question": "Can the Test Jet cover all of the patch from Null Island?",
    "claim": {
        "text": "The Test Jet reaches all of the patch from Null Island; East Six adds nothing.",
        "source": "A made-up commentary (rangecalc tests)",
        "airframe": "testjet",
        "base": "null-island",
        "alternative": "east-6",
        "region": "PATCH",
    },
    "scope": {
        "airframes": ["testjet"],
        "bases": ["null-island", "east-6"],
        "regions": ["PATCH"],
        "targets": ["e5", INSIDE_WALL],
        "targets_note": "East 5 is behind the wall; the other target is inside it.",
    },
    "airspace": {
        "standoff_km": 0,
        "closed": [
            {
                "country": "WALL",
                "reason": "Closed for the test",
                "source": {
                    "title": "Test NOTAM",
                    "publication": "rangecalc tests",
                    "states": "the wall is closed",
                },
            }
        ],
    },
    "payloads": [
        {"name": "bombs", "payload_kg": 2000, "note": "A load the Test Jet has no payload model for"}
    ],
}


# --- writing scenario files -----------------------------------------------------------------------------


def toml_value(value):
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def to_toml(doc):
    """A scenario dict as TOML: scalars, then tables, then arrays of tables (enough for scenarios)."""
    lines, tables = [], []

    def is_table_array(v):
        return isinstance(v, list) and v and all(isinstance(x, dict) for x in v)

    for key, value in doc.items():
        if isinstance(value, dict) or is_table_array(value):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {toml_value(value)}")
    for key, value in tables:
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            inner = [(k, v) for k, v in entry.items() if is_table_array(v)]
            lines += ["", f"[[{key}]]" if isinstance(value, list) else f"[{key}]"]
            lines += [f"{k} = {toml_value(v)}" for k, v in entry.items() if not is_table_array(v)]
            for k, items in inner:
                for item in items:
                    lines += ["", f"[[{key}.{k}]]", *(f"{a} = {toml_value(b)}" for a, b in item.items())]
    return "\n".join(lines) + "\n"


def make_data(folder, radius=None):
    """tests/data/good plus the wall and patch regions and East Six Field; ``radius`` (low, nominal, high)
    rewrites the Test Jet's combat radius (a user file overriding the airframe)."""
    shutil.copytree(GOOD_DATA, folder)
    (folder / "regions" / "claim.geojson").write_text(json.dumps(REGIONS))
    (folder / "bases" / "east.toml").write_text(EAST_BASE)
    if radius is not None:
        path = folder / "airframes" / "testjet.toml"
        text = path.read_text()
        for band, value in zip(BANDS, radius, strict=True):
            text, n = re.subn(rf"(?m)^{band} = \d+$", f"{band} = {value}", text, count=1)
            assert n == 1
        path.write_text(text)
    return folder


def write_scenario(folder, doc, name="scenario.toml"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_toml(doc))
    return path


# --- (a) validation -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return load_catalog(make_data(tmp_path_factory.mktemp("validation") / "data"))


def test_the_writer_round_trips_the_test_scenario(tmp_path, catalog):
    path = write_scenario(tmp_path, SCENARIO)
    assert tomllib.loads(path.read_text()) == SCENARIO
    scenario = load_scenario(str(path), catalog)
    assert scenario.id == "wall-test" and scenario.claim_region.name == "Test Patch"
    assert [r.id for r in scenario.routing.avoid] == ["WALL"]
    assert [p.name for p in scenario.payloads] == ["published", "bombs"]


def broken(change):
    doc = copy.deepcopy(SCENARIO)
    change(doc)
    return doc


BROKEN = {
    "missing claim text": (
        lambda d: d["claim"].pop("text"),
        "claim.text: missing",
    ),
    "empty claim source": (
        lambda d: d["claim"].update(source="  "),
        "claim.source: must not be empty",
    ),
    "unknown airframe in scope": (
        lambda d: d["scope"].update(airframes=["testjet", "testjett"]),
        "scope.airframes[1]: unknown airframe 'testjett'; did you mean 'testjet'?",
    ),
    "unknown claim airframe": (
        lambda d: d["claim"].update(airframe="tu-22"),
        "claim.airframe: unknown airframe 'tu-22'",
    ),
    "unknown base": (
        lambda d: d["scope"].update(bases=["null-island", "nowhere-field"]),
        "scope.bases[1]: unknown place 'nowhere-field'",
    ),
    "unknown closed country": (
        lambda d: d["airspace"]["closed"][0].update(country="TUK"),
        "airspace.closed[0].country: unknown region 'TUK'; did you mean",
    ),
    "closed country without reason": (
        lambda d: d["airspace"]["closed"][0].pop("reason"),
        "airspace.closed[0].reason: missing",
    ),
    "closed country source without url or publication": (
        lambda d: d["airspace"]["closed"][0]["source"].pop("publication"),
        "airspace.closed[0].source: a source needs a url or a publication",
    ),
    "closed country source with an unknown key": (
        lambda d: d["airspace"]["closed"][0]["source"].update(page=3),
        "airspace.closed[0].source.page: unknown key",
    ),
    "payloads entry not a table": (
        lambda d: d.update(payloads=["bombs"]),
        "payloads[0]: must be a table with name, note, payload_kg",
    ),
    "negative payload": (
        lambda d: d["payloads"][0].update(payload_kg=-5),
        "payloads[0].payload_kg: must be >= 0",
    ),
    "unknown top-level key": (
        lambda d: d.update(colour="red"),
        "colour: unknown key; accepted: airspace, base_notes, calibrations, claim, context, corridors, id, operations",
    ),
    "unknown key in claim": (
        lambda d: d["claim"].update(sauce="x"),
        "claim.sauce: unknown key; accepted: airframe, alternative, base, region, source, text",
    ),
    "unknown key in scope": (
        lambda d: d["scope"].update(payloads=["heavy"]),
        "scope.payloads: unknown key",
    ),
    "unknown key in a closed entry": (
        lambda d: d["airspace"]["closed"][0].update(why="x"),
        "airspace.closed[0].why: unknown key; accepted: country, reason, source",
    ),
    "nothing to cover": (
        lambda d: [d["scope"].pop("regions"), d["scope"].pop("targets")],
        "scope: needs airframes, bases, and regions or targets",
    ),
    "bad id": (
        lambda d: d.update(id="Wall Test"),
        "id: 'Wall Test' is not a valid id",
    ),
    "standoff not a number": (
        lambda d: d["airspace"].update(standoff_km="25km"),
        "airspace.standoff_km: expected a number, got str '25km'",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_scenario_names_the_file_and_the_key(tmp_path, catalog, case):
    change, message = BROKEN[case]
    path = write_scenario(tmp_path, broken(change))
    with pytest.raises(DataError) as info:
        load_scenario(str(path), catalog)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_unknown_closed_country_suggests_the_right_one(tmp_path, catalog):
    path = write_scenario(tmp_path, broken(lambda d: d["airspace"]["closed"][0].update(country="TUK")))
    with pytest.raises(DataError, match=re.escape("'Turkey (TUR)'")):
        load_scenario(str(path), catalog)


def test_the_example_in_the_docs_is_a_valid_scenario(tmp_path, monkeypatch):
    monkeypatch.delenv("RANGECALC_DATA_DIR", raising=False)
    docs = (ROOT / "docs" / "scenarios.md").read_text()
    (example,) = re.findall(r"```toml\n(.*?)```", docs, re.S)
    path = tmp_path / "iraq-demo.toml"
    path.write_text(example)
    scenario = load_scenario(str(path), load_catalog())
    assert scenario.id == "iraq-demo" and scenario.claim_region.id == "IRQ"
    assert [r.id for r in scenario.routing.avoid] == ["TUR"] and scenario.routing.standoff_m == 10_000
    assert [p.name for p in scenario.payloads] == ["published", "heavy"]
    # Every key the loader accepts is documented.
    for key in ("id", "title", "question", "text", "source", "airframe", "base", "alternative", "region",
                "airframes", "bases", "regions", "targets", "targets_note", "standoff_km", "country",
                "reason", "name", "payload_kg", "note"):  # fmt: skip
        assert f"| `{key}` |" in docs, key


def test_toml_syntax_error_names_the_file(tmp_path, catalog):
    path = tmp_path / "bad.toml"
    path.write_text('id = "x"\n[claim\n')
    with pytest.raises(DataError, match=re.escape(f"{path}: TOML syntax error")):
        load_scenario(str(path), catalog)


def test_cli_broken_scenario_exits_1_with_one_line(run, tmp_path, catalog):
    path = write_scenario(tmp_path, broken(lambda d: d["claim"].pop("text")))
    data = catalog.folders[-1]
    result = run("claim", path, "--data-dir", data, expect=1)
    assert result.stderr == f"rangecalc: error: {path}: claim.text: missing\n"
    path = write_scenario(tmp_path, broken(lambda d: d["airspace"]["closed"][0].update(country="TUK")))
    result = run("claim", path, "--data-dir", data, "--format", "json", expect=1)
    assert f"{path}: airspace.closed[0].country: unknown region 'TUK'; did you mean" in result.stderr


def test_cli_unknown_scenario_is_a_usage_error(run):
    result = run("claim", "hamadan-2015", expect=2)
    assert "unknown scenario 'hamadan-2015'; did you mean 'hamadan-2016'?" in result.stderr
    result = run("claim", "no-such-file.toml", expect=2)
    assert "or a path to a .toml file" in result.stderr


def test_claim_base_must_be_in_scope(tmp_path, catalog):
    path = write_scenario(tmp_path, broken(lambda d: d["scope"].update(bases=["east-6"])))
    with pytest.raises(DataError, match=r"claim\.base"):
        load_scenario(str(path), catalog)


def test_payload_names_must_be_unique(tmp_path, catalog):
    doc = broken(lambda d: d["payloads"].append({"name": "published", "payload_kg": 5000, "note": "dup"}))
    path = write_scenario(tmp_path, doc)
    with pytest.raises(DataError, match=r"payloads\[1\]\.name"):
        load_scenario(str(path), catalog)


MASSJET = """
id = "massjet"
name = "Mass Jet"
role = "test airframe"
notes = "Not a real aircraft; masses for the payload model, radius load not stated."

[refuelling]
in_flight = false
note = "Made up."
sources = ["handbook"]

[figures.combat_radius_km]
low = 1000
nominal = 1340
high = 1500
conditions = "load not stated"
sources = ["handbook"]

[figures.cruise_speed_kmh]
low = 900
nominal = 900
high = 900
conditions = "made up"
sources = ["handbook"]

[figures.max_payload_kg]
low = 8000
nominal = 8000
high = 8000
conditions = "made up"
sources = ["handbook"]

[figures.max_takeoff_mass_kg]
low = 30000
nominal = 30000
high = 30000
conditions = "made up"
sources = ["handbook"]

[figures.empty_mass_kg]
low = 12000
nominal = 12000
high = 12000
conditions = "made up"
sources = ["handbook"]

[figures.internal_fuel_kg]
low = 10000
nominal = 10000
high = 10000
conditions = "made up"
sources = ["handbook"]

[sources.handbook]
title = "Test handbook"
publication = "rangecalc tests"
states = "made up"
reliability = "A"
"""

EVIDENCE = {"title": "Test record", "publication": "rangecalc tests", "states": "made up", "record": "F1"}


def scenario(**changes):
    doc = copy.deepcopy(SCENARIO)
    doc["scope"]["targets"] = ["e5"]
    for key, value in changes.items():
        doc[key] = value
    return doc


def run_scenario(folder, doc):
    path = write_scenario(folder, doc, "scenarios/wall-test.toml")
    catalog = load_catalog(folder)
    result = evaluate(load_scenario(str(path), catalog), catalog)
    out = claim_dict(result)
    jsonschema.validate(json.loads(json.dumps(out)), CLAIM_SCHEMA)
    return result, out


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    folder = make_data(tmp_path_factory.mktemp("hand") / "data")
    (folder / "airframes" / "massjet.toml").write_text(MASSJET)
    return folder


@pytest.fixture(scope="module")
def hand(data_folder):
    """The wall scenario with a recorded sortie to East 5 (1,101 km around the wall, beyond the 1,000 km
    low figure) and a recorded corridor under the wall."""
    doc = scenario(
        sorties=[
            {
                "date": "2020-01-01",
                "airframe": "testjet",
                "base": "null-island",
                "targets": ["e5"],
                "source": EVIDENCE,
            }
        ],
        corridors=[
            {
                "id": "south",
                "name": "South corridor",
                "base": "null-island",
                "waypoints": ["-6,2.5"],
                "source": EVIDENCE,
            }
        ],
        operations={"ground_time_h": 3, "ground_time_note": "made up"},
    )
    return run_scenario(data_folder, doc)


def coverage_row(out, base, routes):
    (row,) = [r for r in out["coverage"] if r["base"] == base and r["routes"] == routes]
    return row


def published(row, airframe="testjet"):
    (case,) = [c for c in row["cases"] if c["airframe"] == airframe and c["load"] == "published"]
    return case


def test_farthest_points_are_hand_derived(hand):
    _, out = hand
    direct = coverage_row(out, "Null Island Field", "direct")
    legal = coverage_row(out, "Null Island Field", "legal")
    assert direct["farthest_km"] == pytest.approx(DIRECT_FAR_KM, rel=1e-4)
    assert FLYABLE_FAR_KM <= legal["farthest_km"] <= 1.01 * FLYABLE_FAR_KM
    assert published(direct)["reaches_farthest"] == {"low": True, "nominal": True, "high": True}
    assert published(legal)["reaches_farthest"] == {"low": False, "nominal": False, "high": True}


def test_the_corridor_is_flown_through_its_waypoints(hand):
    _, out = hand
    (row,) = [t for t in out["targets"] if t["base"] == "Null Island Field" and t["target"] == "East 5"]
    expected = path_km(BASE, (2.5, -6), E5)
    assert row["corridor_km"] == pytest.approx(expected, rel=5e-3)
    assert (
        row["corridor_km"] > row["legal_km"] >= E5_FLYABLE_KM * 0.999
    )  # the shortest route is a lower bound
    corridor = coverage_row(out, "Null Island Field", "corridor")
    assert corridor["farthest_km"] >= coverage_row(out, "Null Island Field", "legal")["farthest_km"]


def test_a_sortie_longer_than_the_low_figure_contradicts_it(hand):
    result, out = hand
    (sortie,) = out["record"]["sorties"]
    assert sortie["legal_km"] == pytest.approx(E5_FLYABLE_KM, rel=0.01)
    assert sortie["contradicts"] == ["low"]
    assert set(out["record"]["contradicted"]) == {"low"}
    findings = " ".join(out["verdict"]["range"]["findings"])
    assert "The record contradicts the low figure (1,000 km)" in findings
    for fmt in ("text", "md"):
        assert "contradicts" in claim_document(result, fmt)


def test_a_record_that_contradicts_no_figure_flags_none(data_folder):
    doc = scenario(
        sorties=[
            {
                "date": "2020-01-01",
                "airframe": "testjet",
                "base": "east-6",
                "targets": ["e5"],
                "source": EVIDENCE,
            }
        ]
    )
    _, out = run_scenario(data_folder, doc)
    (sortie,) = out["record"]["sorties"]
    assert sortie["contradicts"] == [] and sortie["legal_km"] == pytest.approx(path_km(ALT, E5), rel=1e-3)
    assert "contradicted" not in out["record"] or out["record"]["contradicted"] == {}


def test_two_part_verdict_by_construction(hand, data_folder, tmp_path):
    _, out = hand
    v = out["verdict"]
    # (a) Around the wall only the high figure (1,500 km) reaches the far corner (1,352 km); the record rules
    # out the low one, so of the figures left (nominal, high) only one reaches: it depends on the figure.
    assert v["range"]["code"] == "depends_on_figure"
    # (b) East Six sees the patch directly (230 km): every time factor favours it by far more than 10 %.
    assert v["operational"]["code"] == "not_supported"
    factors = {f["factor"].split(" (")[0]: f for f in out["operations"]["factors"]}
    trip = factors["round trip to the farthest point of the region"]
    assert trip["favours"] == "East Six Field"
    legal = coverage_row(out, "Null Island Field", "legal")["farthest_km"]
    assert trip["base_value"] == pytest.approx(2 * legal / 900 * 60)
    assert trip["alternative_value"] == pytest.approx(2 * ALT_FAR_KM / 900 * 60, rel=1e-3)
    assert v["summary"].endswith("does not hold on the numbers.")
    # A radius that reaches around the wall under every figure supports part (a).
    folder = make_data(tmp_path / "d", radius=(1400, 1450, 1500))
    _, wide = run_scenario(folder, scenario())
    assert wide["verdict"]["range"]["code"] == "supported"


def test_sorties_per_day_follow_the_ground_time(hand):
    _, out = hand
    (row,) = [
        r for r in out["operations"]["bases"] if r["base"] == "East Six Field" and r["airframe"] == "testjet"
    ]
    assert row["sorties_per_day"] == math.floor(24 * 60 / (row["farthest_round_trip_min"] + 3 * 60))


def test_a_load_case_under_unstated_calibration_reports_the_flip(data_folder):
    # The Mass Jet's nominal 1,340 km does not reach the far corner (~1,352 km). Assumed to be for 0 t, it
    # is shorter at a 1 t load; assumed to be for the full 8 t, a 1 t load flies farther and reaches.
    doc = scenario(
        payloads=[{"name": "light", "payload_kg": 1000, "note": "made up"}],
        calibrations=[
            {"name": "at-0t", "reference_payload_kg": 0, "note": "assume the radius is for no load"},
            {"name": "at-8t", "reference_payload_kg": 8000, "note": "assume the radius is for 8 t"},
        ],
    )
    doc["claim"]["airframe"] = "massjet"
    doc["scope"]["airframes"] = ["massjet"]
    _, out = run_scenario(data_folder, doc)
    cases = {c["calibration"]: c for c in out["loads"]["cases"] if c["load"] == "light"}
    assert cases["at-0t"]["radius_km"]["nominal"] < 1340 < cases["at-8t"]["radius_km"]["nominal"]
    assert cases["at-0t"]["reaches_farthest_legal"]["nominal"] is False
    assert cases["at-8t"]["reaches_farthest_legal"]["nominal"] is True
    assert out["loads"]["verdict_changes_with_calibration"] == ["light"]
    assert all(c["modelled"] for c in cases.values())
    assert "depends on which load one assumes" in " ".join(out["verdict"]["range"]["findings"])


def test_a_load_without_a_stated_calibration_is_not_invented(data_folder):
    doc = scenario(payloads=[{"name": "light", "payload_kg": 1000, "note": "made up"}])
    doc["claim"]["airframe"] = "massjet"
    doc["scope"]["airframes"] = ["massjet"]
    _, out = run_scenario(data_folder, doc)
    (case,) = [c for c in out["radius_cases"] if c["load"] == "light"]
    assert case["radius_km"] is None and "no source states the load" in case["note"]


@pytest.mark.parametrize(
    "value, text",
    [(2263.4, "2,260 km"), (2255, "2,260 km"), (None, "unreachable"), (float("inf"), "unreachable")],
)
def test_distances_are_shown_to_10_km(value, text):
    assert km10(value) == text


@pytest.mark.parametrize(
    "share, text", [(0, "0%"), (0.004, "<1%"), (0.5049, "50%"), (0.996, ">99%"), (1.0, "100%")]
)
def test_shares_are_shown_to_1_percent_never_rounded_to_the_ends(share, text):
    assert percent(share) == text


@pytest.mark.parametrize(
    "minutes, text", [(133.6, "2 h 15 min"), (42, "40 min"), (58, "1 h"), (None, "-"), (2.4, "0 min")]
)
def test_times_are_shown_to_5_minutes(minutes, text):
    assert duration(minutes) == text


def test_modelled_masses_are_shown_to_half_a_tonne():
    assert tonnes(46_730) == "46.5 t" and tonnes(29_000) == "29 t" and tonnes(None) == "n/a"


def test_cli_json_and_markdown(run, data_folder, hand):
    write_scenario(data_folder, scenario(), "scenarios/wall-cli.toml")
    out = json.loads(run("claim", "wall-cli", "--format", "json", "--data-dir", data_folder).stdout)
    assert out["schema"] == "rangecalc/claim/2" and out["scenario"] == "wall-test"
    md = run("claim", "wall-cli", "--format", "md", "--data-dir", data_folder).stdout
    assert "### (a) Range" in md and "### (b) Operational value" in md
    # the stand-off line is its own paragraph, not part of the last closure bullet
    assert re.search(r"^- Test Wall closed: .*\n\n", md, re.M)


# --- the bundled Hamadan scenario -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hamadan():
    catalog = load_catalog()
    result = evaluate(load_scenario("hamadan-2016", catalog), catalog)
    return result, claim_dict(result)


def test_hamadan_json_validates_and_cites_the_record(hamadan):
    _, out = hamadan
    jsonschema.validate(json.loads(json.dumps(out)), CLAIM_SCHEMA)
    assert out["claim"]["source"]["url"].startswith("https://www.sott.net/")
    assert [c["source"]["record"] for c in out["rules"]["closed"]] == ["F28", "F29", "F30"]
    text = json.dumps(out).lower()
    for phrase in ("project's brief", "project brief", "rangecalc issue", "issue tracker"):
        assert phrase not in text


def test_hamadan_record_rules_out_the_low_figure(hamadan):
    _, out = hamadan
    assert set(out["record"]["contradicted"]) == {"low"}
    assert {"Deir ez-Zor", "Palmyra", "Abu Kamal", "Raqqa"} <= set(out["record"]["struck_from_base"])
    # shortest legal routes are lower bounds: the corridor is longer for every recorded sortie
    assert all(s["corridor_km"] > s["legal_km"] for s in out["record"]["sorties"])


def test_hamadan_territorial_sea_and_georgia_matter(hamadan):
    _, out = hamadan
    legal = coverage_row(out, "Mozdok Air Base", "legal")["farthest_km"]
    sensitivity = {s["opened"]: s["farthest_km"] for s in out["sensitivity"]}
    # With Georgia open, routes over Armenia (a land gap between closed Azerbaijani territories) open up.
    assert sensitivity["Georgia"] < legal - 100
    assert sensitivity["the territorial seas (closed land only)"] < legal


def test_hamadan_two_parts_and_the_su34(hamadan):
    result, out = hamadan
    v = out["verdict"]
    assert v["range"]["code"] in {"supported", "depends_on_figure", "not_supported"}
    assert v["operational"]["code"] == "not_supported"
    (su34,) = out["operations"]["secondary"]
    assert su34["range_reason_for_alternative"] is False and su34["better_bases"] == ["Khmeimim Air Base"]
    saving = out["operations"]["time_saving"]
    assert len(saving) == 6 and all(0 < r["saving_legal"] < 1 for r in saving)
    text = claim_document(result, "text")
    assert "In one sentence:" in text and "F17" in text
    assert "/work/" not in text and "site-packages" not in text  # no local paths


def test_the_claim_is_the_same_from_one_process_as_from_two(run):
    """With two workers the sensitivity runs (each closed country re-opened) go to another process."""
    one = json.loads(run("claim", "--format", "json", "--workers", "1").stdout)
    two = json.loads(run("claim", "--format", "json", "--workers", "2").stdout)
    assert one == two
    assert [case["opened"] for case in two["sensitivity"]][:3] == ["Turkey", "Georgia", "Azerbaijan"]
