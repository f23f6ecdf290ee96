"""Hostile input: broken data files and broken arguments give one line on stderr, a non-zero exit, no
traceback, in bounded time and memory; fuzzed arguments raise nothing but the library's own errors."""

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rangecalc.cli import cli

HERE = Path(__file__).parent
BROKEN = HERE / "data" / "broken"
BROKEN_FILES = sorted((BROKEN / "airframes").glob("*.toml")) + sorted((BROKEN / "bases").glob("*.toml"))


def one_line_error(result, code):
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rangecalc: error: "), lines[0]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in BROKEN_FILES])
def test_every_broken_data_file_is_one_line_data_error(tmp_path, path):
    folder = tmp_path / path.parent.name
    folder.mkdir()
    shutil.copy(path, folder / path.name)
    result = CliRunner().invoke(cli, ["check-data", str(tmp_path)])
    line = one_line_error(result, 1)
    assert path.name in line


def test_huge_data_file_is_refused_in_bounded_time_and_memory(tmp_path):
    (tmp_path / "airframes").mkdir()
    with (tmp_path / "airframes" / "huge.toml").open("wb") as stream:
        stream.write(b'id = "huge"\nname = "' + b"x" * (50 * 1024 * 1024) + b'"\n')

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    result = subprocess.run(
        [sys.executable, "-m", "rangecalc", "check-data", str(tmp_path)],
        capture_output=True, text=True, timeout=120, preexec_fn=limit_memory, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "huge.toml: larger than 5 MiB" in result.stderr


HOSTILE_ARGS = [
    (["distance", "95,10", "0,0"], 2, "outside -90..90"),
    (["distance", "0,0", "10,190"], 2, "outside -180..180"),
    (["distance", "nan,nan", "0,0"], 2, "unknown place"),
    (["distance", "1e308,1e308", "0,0"], 2, "cannot read coordinates"),
    (["distance", "", ""], 2, "empty place name"),
    (["distance", "\x00", "0,0"], 2, "unknown place"),
    (["distance", "m" * 100_000, "0,0"], 2, "too long"),
    (["distance", "0,0", "1,1", "--units", "parsec"], 2, "--units"),
    (["distance", "0,0", "1,1", "--precision", "99"], 2, "--precision"),
    (["reach", "tu22m3", "mozdok", "--payload", "-5t"], 2, "--payload"),
    (["reach", "tu22m3", "mozdok", "--payload", "1e400kg"], 2, "--payload"),
    (["reach", "tu22m3", "mozdok", "--payload", "nan t"], 2, "--payload"),
    (["reach", "tu22m3", "mozdok", "--payload", "5 furlongs"], 2, "unknown unit"),
    (["reach", "tu22m3", "mozdok", "--payload", "25t"], 2, "maximum payload"),
    (["reach", "tu22m3", "mozdok", "--region", "XX"], 2, "unknown region"),
    (["reach", "tu22m3", "mozdok", "--region", ""], 2, "unknown region"),
    (["reach", "tu22m3", "mozdok", "--targets", ",,,"], 2, "empty item"),
    (["reach", "tu22m3", "mozdok", "--targets", "x" * 10_000], 2, "too long"),
    (["reach", "tu22m3", "mozdok", "--avoid", "TUR,,GEO"], 2, "--avoid"),
    (["reach", "tu22m3", "mozdok", "--avoid", "ZZZ"], 2, "unknown region"),
    (["reach", "tu22m3", "mozdok", "--avoid", "TUR", "--standoff", "-3km"], 2, "--standoff"),
    (["reach", "tu22m3", "mozdok", "--standoff", "25km"], 2, "needs --avoid"),
    (["reach", "tu22m3", "mozdok", "--via", "91,0"], 2, "outside -90..90"),
    (["reach", "<script>", "mozdok"], 2, "unknown airframe"),
    (["compare", "tu22m3", "mozdok", "mozdok"], 2, "same place"),
    (["table", "--airframes", "", "--bases", "mozdok", "--region", "SY"], 2, "--airframes"),
    (["route", "mozdok", "ankara-nowhere"], 2, "unknown place"),
    (["route", "mozdok", "39.93,32.85", "--avoid", "TUR"], 2, "no route"),
    (["claim", "no-such-scenario"], 2, "unknown scenario"),
    (["bases", "--country", "ru"], 2, "alpha-3"),
    (["airframes", "x" * 300], 2, "unknown airframe"),
    (["nonsense-command"], 2, "No such command"),
]


@pytest.mark.parametrize("args, code, message", HOSTILE_ARGS, ids=[" ".join(a[0])[:40] for a in HOSTILE_ARGS])
def test_hostile_arguments(args, code, message):
    line = one_line_error(CliRunner().invoke(cli, args), code)
    assert message in line


def test_broken_scenario_file_is_a_data_error(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(b"id = \xff\xfe")
    line = one_line_error(CliRunner().invoke(cli, ["claim", str(path)]), 1)
    assert "s.toml: not UTF-8" in line


# --- fuzzing -------------------------------------------------------------------------------------------

ANYTHING = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from("0123456789.,;-+ NSEW°'\"tkgm")),
    max_size=40,
)
FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def survives(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    if result.exit_code:
        one_line_error(result, result.exit_code)


@given(a=ANYTHING, b=ANYTHING)
@FUZZ
def test_fuzz_distance_places(a, b):
    survives(["distance", a, b, "--format", "json"])


@given(text=ANYTHING)
@FUZZ
def test_fuzz_reach_targets(text):
    survives(["reach", "su34", "hamadan", "--targets", text, "--format", "json"])


@given(text=ANYTHING)
@FUZZ
def test_fuzz_payload(text):
    survives(["reach", "tu22m3", "mozdok", "--targets", "aleppo", "--payload", text])


@given(text=ANYTHING)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_region_and_avoid(text):
    survives(["reach", "su34", "khmeimim", "--targets", "aleppo", "--region", text])
    survives(["reach", "su34", "khmeimim", "--targets", "aleppo", "--avoid", text])
