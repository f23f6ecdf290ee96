"""$ rangecalc airframes / bases / check-data, and place resolution through the CLI."""

import csv
import io
import json
from pathlib import Path

import pytest

GOOD_DATA = Path(__file__).parent / "data" / "good"


def test_airframes_lists_every_bundled_airframe(run):
    text = run("airframes").stdout
    for airframe_id in ("tu22m3", "su34", "su24m", "su30sm", "su35s", "tu95ms", "tu160"):
        assert f"\n{airframe_id} " in text


def test_airframe_detail_shows_figures_conditions_and_sources(run):
    text = run("airframes", "Tu-22M3").stdout
    assert "combat_radius_km: 1,500 / 2,200 / 2,400 km" in text
    assert "conditions:" in text and "Sources" in text
    assert "in-flight refuelling: no" in text


def test_airframe_json_carries_sources_for_every_figure(run):
    out = json.loads(run("airframes", "su34", "--format", "json").stdout)
    for key, figure in out["figures"].items():
        assert figure["sources"], key
        assert all(s in out["sources"] for s in figure["sources"])


def test_airframes_csv(run):
    rows = list(csv.DictReader(io.StringIO(run("airframes", "--format", "csv").stdout)))
    assert {r["id"] for r in rows} >= {"tu22m3", "su34"}
    tu22 = next(r for r in rows if r["id"] == "tu22m3")
    # one raw number per cell, the unit in the heading (docs/csv.md), as airframes/tu22m3.toml gives them
    assert [float(tu22[f"combat_radius_{b}_km"]) for b in ("low", "nominal", "high")] == [1500, 2200, 2400]
    assert tu22["in_flight_refuelling"] == "false"


def test_airframe_and_base_details_are_csv_too(run):
    rows = list(csv.DictReader(io.StringIO(run("airframes", "tu22m3", "--format", "csv").stdout)))
    radius = next(r for r in rows if r["row_type"] == "figure" and r["key"] == "combat_radius_km")
    assert (radius["unit"], float(radius["nominal"])) == ("km", 2200)
    assert {r["key"] for r in rows if r["row_type"] == "source"} >= set(radius["sources"].split("; "))
    rows = list(csv.DictReader(io.StringIO(run("bases", "hamadan", "--format", "csv").stdout)))
    assert (rows[0]["row_type"], rows[0]["id"], rows[0]["icao"]) == ("base", "shahid-nojeh", "OIHS")
    assert len(rows) > 1 and {r["row_type"] for r in rows[1:]} == {"source"}


def test_bases_filter_by_country(run):
    out = json.loads(run("bases", "--country", "irn", "--format", "json").stdout)
    assert {b["id"] for b in out} >= {"shahid-nojeh", "hamadan-airport"}
    assert all(b["country"] == "IRN" for b in out)


def test_base_detail(run):
    text = run("bases", "hamadan").stdout
    assert text.startswith("Shahid Nojeh Air Base (shahid-nojeh)")
    assert "ICAO OIHS" in text and "Sources:" in text


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["airframes", "mig29"], 2, "unknown airframe 'mig29'"),
        (["bases", "--country", "Russia"], 2, "not an ISO 3166 alpha-3 code"),
        (["bases", "nowhere-field"], 2, "unknown base 'nowhere-field'"),
    ],
)
def test_listing_errors(run, args, code, message):
    assert message in run(*args, expect=code).stderr


def test_check_data_on_bundled_and_user_data(run):
    text = run("check-data").stdout
    assert text.startswith("ok: 7 airframes")
    text = run("check-data", GOOD_DATA).stdout
    assert "8 airframes" in text  # the test jet joins the bundled seven


def test_check_data_strict_fails_on_warnings(runner):
    from rangecalc.cli import cli

    result = runner.invoke(cli, ["check-data", str(GOOD_DATA), "--strict"])
    assert result.exit_code == 1
    assert "warning: " in result.stdout and result.stderr == ""


def test_check_data_reports_a_broken_user_file(run, tmp_path):
    (tmp_path / "bases").mkdir()
    (tmp_path / "bases" / "b.toml").write_text("[[bases]]\nid = 'x'\n")
    result = run("check-data", tmp_path, expect=1)
    assert "b.toml: bases[0].lat: missing" in result.stderr


def test_icao_outside_bundled_bases_comes_from_airportsdata_with_a_note(run_json):
    pytest.importorskip("airportsdata")
    out = run_json("distance", "LTBA", "mozdok")
    assert out["from"]["kind"] == "airportsdata"
    assert "airportsdata" in out["from"]["note"]


@pytest.mark.parametrize("name", ["Hamadan", "OIHS", "NUJ", "nojeh", "SHAHID NOJEH AIR BASE"])
def test_hamadan_aliases_resolve_to_the_air_base(run_json, name):
    assert run_json("distance", name, "0,0")["from"]["id"] == "shahid-nojeh"


def test_civil_hamadan_airport_is_a_different_place(run_json):
    out = run_json("distance", "OIHH", "hamadan")
    assert out["from"]["id"] == "hamadan-airport"
    assert 37 < out["distance_km"] < 41


def test_version_and_help(run):
    assert "rangecalc" in run("--version").stdout
    help_text = run("--help").stdout
    for command in ("distance", "reach", "airframes", "bases", "check-data"):
        assert command in help_text


def test_python_dash_m_works():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "rangecalc", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "reach" in result.stdout


@pytest.mark.parametrize(
    "args", [["--help"], ["airframes"], ["bases"], ["reach", "--help"], ["map", "--help"]]
)
def test_help_and_listings_load_no_numeric_library(args):
    """`--help` and listings import neither numpy nor pyproj nor shapely (issue 12: a fast start)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from rangecalc.cli import cli\n"
        f"try:\n    cli.main({args!r}, prog_name='rangecalc')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('numpy', 'pyproj', 'shapely', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout[-300:]
