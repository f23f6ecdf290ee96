"""Scenarios and claims: validation, a hand-derivable scenario, verdicts written from the numbers, and the
bundled Hamadan 2016 scenario.

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
from click.testing import CliRunner
from geographiclib.geodesic import Geodesic

from rangecalc.claims import conclusions, evaluate, load_scenario
from rangecalc.cli import cli
from rangecalc.data import load_catalog
from rangecalc.errors import DataError
from rangecalc.reports import claim_dict

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
        "payloads[0]: must be a table with name, payload_kg and note",
    ),
    "negative payload": (
        lambda d: d["payloads"][0].update(payload_kg=-5),
        "payloads[0].payload_kg: must be >= 0",
    ),
    "unknown top-level key": (
        lambda d: d.update(colour="red"),
        "colour: unknown key; accepted: airspace, claim, id, payloads, question, scope, title",
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


# --- (b) a hand-derivable scenario ----------------------------------------------------------------------


def evaluate_in(folder, doc):
    """Evaluate ``doc`` against a data folder: (the result, its claim_dict)."""
    path = write_scenario(folder, doc, "scenarios/wall-test.toml")
    result = evaluate(load_scenario(str(path), load_catalog(folder)))
    out = claim_dict(result)
    jsonschema.validate(out, CLAIM_SCHEMA)
    return result, out


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    """The hand-derivable scenario with the Test Jet's own figures (1,000 / 1,200 / 1,500 km)."""
    folder = make_data(tmp_path_factory.mktemp("hand") / "data")
    return folder, *evaluate_in(folder, SCENARIO)


def region_case(out, base, load="published"):
    (case,) = [c for c in out["regions"] if c["base"] == base and c["load"] == load]
    return case


def target_case(out, base, target):
    (case,) = [c for c in out["targets"] if c["base"] == base and c["target"] == target]
    return case


def test_farthest_flyable_point_is_hand_derived(hand):
    _, _, out = hand
    case = region_case(out, "Null Island Field")
    assert case["radius_km"] == {"low": 1000, "nominal": 1200, "high": 1500}
    assert case["farthest_direct_km"] == pytest.approx(DIRECT_FAR_KM, rel=1e-4)
    assert FLYABLE_FAR_KM <= case["farthest_flyable_km"] <= 1.01 * FLYABLE_FAR_KM
    point = case["farthest_flyable_point"]
    assert math.hypot(point["lon"] - FAR_CORNER[0], point["lat"] - FAR_CORNER[1]) < 0.05
    # 892 km direct: within every radius. ~1,352 km around the wall: only within the high 1,500 km.
    assert case["verdict_direct"] == "in_reach" and case["verdict_flyable"] == "depends"
    assert case["covered_direct"] == {"low": 1, "nominal": 1, "high": 1}
    assert case["covered_flyable"]["low"] == 0 and case["covered_flyable"]["high"] == 1


def test_the_alternative_base_sees_the_patch_directly(hand):
    _, _, out = hand
    case = region_case(out, "East Six Field")
    assert case["farthest_direct_km"] == pytest.approx(ALT_FAR_KM, rel=1e-4)
    assert case["farthest_flyable_km"] == pytest.approx(ALT_FAR_KM, rel=1e-3)
    assert case["verdict_direct"] == case["verdict_flyable"] == "in_reach"


def test_a_payload_case_without_a_payload_model_is_not_assessed(hand):
    _, _, out = hand
    case = region_case(out, "Null Island Field", "bombs")
    assert case["payload_kg"] == 2000 and case["radius_km"] is None
    assert case["note"].startswith("no payload model (its file lacks")
    assert case["verdict_flyable"] is None and case["covered_flyable"] is None
    assert {c["load"] for c in out["targets"]} == {"published"}  # no target rows without a radius


def test_target_margins_are_hand_derived(hand):
    _, _, out = hand
    e5 = target_case(out, "Null Island Field", "East 5")
    assert e5["direct_km"] == pytest.approx(path_km(BASE, E5), rel=1e-9)
    assert E5_FLYABLE_KM <= e5["flyable_km"] <= 1.01 * E5_FLYABLE_KM
    assert e5["margin_km"] == pytest.approx(
        {b: r - e5["flyable_km"] for b, r in zip(BANDS, (1000, 1200, 1500), strict=True)}
    )
    assert e5["verdict"] == "depends"  # ~-100 / +100 / +400 km
    assert e5["one_way_min"] == pytest.approx(e5["flyable_km"] / NOMINAL_KMH * 60)
    from_alt = target_case(out, "East Six Field", "East 5")
    assert from_alt["direct_km"] == pytest.approx(from_alt["flyable_km"]) == pytest.approx(path_km(ALT, E5))
    assert from_alt["verdict"] == "in_reach"
    for base in ("Null Island Field", "East Six Field"):
        inside = target_case(out, base, INSIDE_LABEL)
        assert inside["flyable_km"] is None and inside["one_way_min"] is None
        assert inside["margin_km"] == {"low": None, "nominal": None, "high": None}
        assert inside["verdict"] == "out_of_reach"


def test_json_names_the_claim_and_the_closed_airspace(hand):
    _, _, out = hand
    assert out["schema"] == "rangecalc/claim/1" and out["scenario"] == "wall-test"
    assert out["claim"] == {
        "text": SCENARIO["claim"]["text"],
        "source": SCENARIO["claim"]["source"],
        "airframe": "testjet",
        "base": "Null Island Field",
        "alternative": "East Six Field",
        "region": "PATCH",
    }
    assert out["verdict"].lower().replace(" ", "_").startswith(out["verdict_code"])
    assert out["closed"] == [
        {
            "id": "WALL",
            "name": "Test Wall",
            "reason": "Closed for the test",
            "source": {"id": "closed-WALL", "title": "Test NOTAM", "publication": "rangecalc tests",
                       "states": "the wall is closed"},
        }
    ]  # fmt: skip
    assert out["standoff_km"] == 0
    assert "grid of" in out["resolution"]["PATCH"]
    # Re-opening the wall brings the farthest point back to the direct distance.
    (opened,) = out["sensitivity"]
    assert opened["opened"] == "Test Wall"
    assert opened["farthest_flyable_km"] == pytest.approx(DIRECT_FAR_KM, rel=1e-3)
    assert opened["verdicts"] == {"published": "in_reach"}


def test_conclusions_are_written_from_the_numbers(hand):
    _, _, out = hand
    case = region_case(out, "Null Island Field")
    alt = region_case(out, "East Six Field")
    assert out["verdict"].startswith(
        "UNCERTAIN: on flyable routes the claim holds only under the more generous"
    )
    assert "(at the published load(s))" in out["verdict"]
    first, bombs, sensitivity, nearer, times = out["conclusions"]
    shares = " / ".join(f"{case['covered_flyable'][b]:.1%}" for b in BANDS)
    assert first == (
        "Test Jet from Null Island Field, published radius (radius low / nominal / high 1,000 / 1,200 / 1,500 km): "
        f"on direct great-circle routes the farthest point of Test Patch is {case['farthest_direct_km']:,.0f} km away, "
        "reached under every figure; on routes avoiding Test Wall it is "
        f"{case['farthest_flyable_km']:,.0f} km away, reached only under the high figure (share of Test Patch "
        f"covered: {shares})."
    )
    assert bombs.startswith("At the bombs load the Test Jet cannot be assessed: no payload model")
    assert sensitivity == (
        "Sensitivity: with Test Wall open, the farthest point of Test Patch from Null Island Field would be "
        f"{out['sensitivity'][0]['farthest_flyable_km']:,.0f} km away: reached at the published load under every figure."
    )
    saved = case["farthest_flyable_km"] - alt["farthest_flyable_km"]
    assert nearer == (
        f"From East Six Field the farthest point of Test Patch is {alt['farthest_flyable_km']:,.0f} km away on "
        f"flyable routes, {saved:,.0f} km ({saved / case['farthest_flyable_km']:.0%}) nearer than from Null Island "
        "Field: reached under every figure (published load)."
    )
    e5 = target_case(out, "Null Island Field", "East 5")["flyable_km"]
    e5_alt = target_case(out, "East Six Field", "East 5")["flyable_km"]
    minutes = 2 * (e5 - e5_alt) / NOMINAL_KMH * 60  # about 133 min
    assert times == (
        f"Flyable distance from Null Island Field vs East Six Field: East 5 {e5:,.0f} km vs {e5_alt:,.0f} km "
        f"(saves {minutes:.0f} min per round trip)."
    )


def test_cli_by_id_from_the_user_folder_text_and_markdown(run, hand):
    folder, _, out = hand
    text = run("claim", "wall-test", "--data-dir", folder).stdout
    assert text.startswith("Does the wall matter?\n\n")
    assert f'Claim: "{SCENARIO["claim"]["text"]}"\n-- {SCENARIO["claim"]["source"]}\n' in text
    assert f"Question: {SCENARIO['question']}\n" in text
    assert f"\nVerdict\n\n{out['verdict']}\n\n" in text
    for sentence in out["conclusions"]:
        assert f" - {sentence}\n" in text
    assert " - Test Wall closed: Closed for the test [Test NOTAM (rangecalc tests)]" in text
    assert "Coverage of Test Patch" in text and SCENARIO["scope"]["targets_note"] in text
    case = region_case(out, "Null Island Field")
    row = next(
        line for line in text.splitlines() if line.startswith("testjet   Null Island Field  published")
    )
    assert f"{case['farthest_direct_km']:,.0f}" in row and f"{case['farthest_flyable_km']:,.0f}" in row
    assert row.endswith("depends on the figure")
    assert "n/a: no payload model" in text
    md = run("claim", "wall-test", "--data-dir", folder, "--format", "md").stdout
    assert md.startswith("# Does the wall matter?\n\n")
    assert f"> {SCENARIO['claim']['text']}\n" in md
    assert f"## Verdict\n\n{out['verdict']}\n" in md
    assert "| testjet | Null Island Field | published |" in md


def test_cli_json_matches_the_library(run, hand):
    folder, _, out = hand
    cli_out = json.loads(run("claim", "wall-test", "--data-dir", folder, "--format", "json").stdout)
    jsonschema.validate(cli_out, CLAIM_SCHEMA)
    assert cli_out["verdict"] == out["verdict"] and cli_out["conclusions"] == out["conclusions"]


# --- (c) the conclusion follows the figures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("radius", "verdict", "direct_words", "flyable_words"),
    [
        # 1,450 km and up reach the farthest flyable point (~1,352-1,366 km): every figure covers the patch.
        ((1450, 1500, 1600), "SUPPORTED: ", "under every figure", "under every figure"),
        # 800 km and below reach neither the direct (892 km) nor the flyable farthest point.
        ((600, 700, 800), "NOT SUPPORTED at the published load(s): ", "under no figure",
         "under no figure"),
    ],
)  # fmt: skip
def test_the_verdict_changes_with_the_radius(tmp_path, hand, radius, verdict, direct_words, flyable_words):
    _, _, before = hand
    folder = make_data(tmp_path / "data", radius)
    _, after = evaluate_in(folder, SCENARIO)
    assert after["claim"] == before["claim"]  # the same scenario ...
    assert before["verdict"].startswith("UNCERTAIN: ")
    assert after["verdict"].startswith(verdict) and after["verdict"] != before["verdict"]
    # ... the same geometry ...
    case, old = region_case(after, "Null Island Field"), region_case(before, "Null Island Field")
    assert case["farthest_flyable_km"] == pytest.approx(old["farthest_flyable_km"], rel=1e-9)
    # ... and sentences rewritten from the new figures.
    band = " / ".join(f"{r:,}" for r in radius)
    assert after["conclusions"][0] != before["conclusions"][0]
    assert f"(radius low / nominal / high {band} km)" in after["conclusions"][0]
    assert f"{case['farthest_direct_km']:,.0f} km away, reached {direct_words};" in after["conclusions"][0]
    assert f"{case['farthest_flyable_km']:,.0f} km away, reached {flyable_words} " in after["conclusions"][0]
    expected_verdict = "in_reach" if verdict == "SUPPORTED: " else "out_of_reach"
    assert case["verdict_flyable"] == expected_verdict
    margins = {b: r - case["farthest_flyable_km"] for b, r in zip(BANDS, radius, strict=True)}
    assert all((m >= 0) == (expected_verdict == "in_reach") for m in margins.values())


def test_conclusions_function_returns_the_verdict_and_sentences(hand):
    _, result, out = hand
    overall, sentences = conclusions(result)
    assert overall == out["verdict"] and sentences == out["conclusions"]


def test_unreachable_region_is_not_inf_km_away(tmp_path):
    folder = make_data(tmp_path / "data")
    doc = broken(lambda d: d["airspace"]["closed"].append({**d["airspace"]["closed"][0], "country": "PATCH"}))
    doc["scope"].pop("targets")
    doc["claim"].pop("alternative")
    doc["scope"]["bases"] = ["null-island"]
    doc.pop("payloads")
    _, out = evaluate_in(folder, doc)
    assert out["verdict"].startswith("NOT SUPPORTED")
    assert region_case(out, "Null Island Field")["farthest_flyable_km"] is None
    assert not any("inf km" in sentence for sentence in out["conclusions"])


# --- (d) the bundled Hamadan 2016 scenario --------------------------------------------------------------


@pytest.fixture(scope="module")
def hamadan():
    """``rangecalc claim --format json`` (the default scenario), run once; and the scenario file."""
    result = CliRunner().invoke(
        cli, ["claim", "--format", "json"], catch_exceptions=False, env={"RANGECALC_DATA_DIR": None}
    )
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    jsonschema.validate(out, CLAIM_SCHEMA)
    return out, tomllib.loads(HAMADAN_FILE.read_text())


def test_hamadan_json_quotes_the_claim_and_the_closures(hamadan):
    out, scenario = hamadan
    assert out["scenario"] == "hamadan-2016"
    assert Path(out["file"]).name == "hamadan-2016.toml"
    assert out["claim"]["text"] == scenario["claim"]["text"]
    assert out["claim"]["text"].startswith("TU-22M3s have the range to strike anywhere in Syria")
    assert out["claim"]["source"] == scenario["claim"]["source"]
    assert out["claim"]["airframe"] == "tu22m3" and out["claim"]["region"] == "SYR"
    assert [c["id"] for c in out["closed"]] == ["TUR", "GEO", "AZE"]
    for closed, entry in zip(out["closed"], scenario["airspace"]["closed"], strict=True):
        assert closed["reason"] == entry["reason"] and closed["reason"].strip()
        source = closed["source"]
        assert source["title"] == entry["source"]["title"] and source["states"] == entry["source"]["states"]
        assert source.get("url") or source.get("publication")
    assert [s["opened"] for s in out["sensitivity"]] == ["Turkey", "Georgia", "Azerbaijan"]


def test_hamadan_numbers_are_consistent(hamadan):
    out, _ = hamadan
    for case in out["regions"]:
        # Routes around closed airspace are never shorter than direct geodesics (the flyable farthest
        # point is found on a grid, so allow it a kilometre).
        assert case["farthest_flyable_km"] >= case["farthest_direct_km"] - 1.0
        if case["radius_km"] is None:
            assert case["note"] and case["verdict_flyable"] is None
            continue
        shares = [case["covered_flyable"][b] for b in BANDS]
        assert shares == sorted(shares)
        radius = [case["radius_km"][b] for b in BANDS]
        margins = [r - case["farthest_flyable_km"] for r in radius]
        expected = "in_reach" if min(margins) >= 0 else "out_of_reach" if max(margins) < 0 else "depends"
        assert case["verdict_flyable"] == expected
    for case in out["targets"]:
        assert case["flyable_km"] >= case["direct_km"] - 1e-6
        for band in BANDS:
            assert case["margin_km"][band] == pytest.approx(
                region_radius(out, case)[band] - case["flyable_km"], abs=1e-6
            )


def region_radius(out, target):
    """The radius band of a target case: the same airframe and load's region case."""
    return next(
        c["radius_km"]
        for c in out["regions"]
        if c["airframe"] == target["airframe"] and c["load"] == target["load"]
    )


def test_hamadan_shahid_nojeh_is_nearer_than_mozdok(hamadan):
    out, _ = hamadan

    def far(base):
        return region_case_of(out, "tu22m3", base)["farthest_flyable_km"]

    mozdok, nojeh = far("Mozdok Air Base"), far("Shahid Nojeh Air Base")
    assert nojeh < mozdok
    # From Mozdok the closures matter (the route goes round by the Caspian and Iran); from Shahid Nojeh
    # nothing is in the way.
    mozdok_case = region_case_of(out, "tu22m3", "Mozdok Air Base")
    assert mozdok > 1.3 * mozdok_case["farthest_direct_km"]
    nojeh_case = region_case_of(out, "tu22m3", "Shahid Nojeh Air Base")
    assert nojeh == pytest.approx(nojeh_case["farthest_direct_km"], abs=2.0)
    # Re-opening any one closed country can only shorten the way from Mozdok.
    for opened in out["sensitivity"]:
        assert mozdok_case["farthest_direct_km"] - 1 <= opened["farthest_flyable_km"] <= mozdok + 1
    for target in ("Aleppo", "Deir ez-Zor", "Idlib", "Palmyra"):
        by_base = {
            c["base"]: c["flyable_km"]
            for c in out["targets"]
            if c["airframe"] == "tu22m3" and c["load"] == "published" and c["target"] == target
        }
        assert by_base["Shahid Nojeh Air Base"] < by_base["Mozdok Air Base"]


def region_case_of(out, airframe, base, load="published"):
    (case,) = [
        c for c in out["regions"] if c["airframe"] == airframe and c["base"] == base and c["load"] == load
    ]
    return case


def test_hamadan_verdict_follows_the_rule(hamadan):
    out, _ = hamadan
    claimed = {
        c["verdict_flyable"]
        for c in out["regions"]
        if c["airframe"] == "tu22m3" and c["base"] == "Mozdok Air Base" and c["radius_km"] is not None
    }
    if claimed == {"in_reach"}:
        assert out["verdict"].startswith("SUPPORTED: ")
    elif "out_of_reach" in claimed:
        assert out["verdict"].startswith("NOT SUPPORTED ")
    else:
        assert out["verdict"].startswith("UNCERTAIN: ")
    mozdok = region_case_of(out, "tu22m3", "Mozdok Air Base")
    assert f"{mozdok['farthest_flyable_km']:,.0f} km away" in out["conclusions"][0]
    assert f"{mozdok['farthest_direct_km']:,.0f} km away" in out["conclusions"][0]


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_hamadan_text_and_markdown(run, hamadan, fmt):
    out, scenario = hamadan
    text = run("claim", "--format", fmt).stdout
    claim = scenario["claim"]["text"]
    if fmt == "md":
        assert text.startswith(f"# {scenario['title']}\n")
        assert f"> {claim}\n" in text and "## Verdict" in text and "## Rules of the air" in text
    else:
        assert text.startswith(f"{scenario['title']}\n")
        assert f'Claim: "{claim}"' in text
    assert out["verdict"] in text
    for name in ("Turkey", "Georgia", "Azerbaijan"):
        assert f"{name} closed: " in text
    for sentence in out["conclusions"]:
        assert sentence in text
