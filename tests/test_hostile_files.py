"""Hostile input, round two: special files, output files that must not be clobbered, stdout that cannot be
written, oversized or malformed GeoJSON, and the messages and exit codes of careless input (issue 10).
Each case is one line on stderr, the documented exit code, no traceback."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rangecalc.cli import cli

GOOD = Path(__file__).parent / "data" / "good"


def invoke(*args, env=None):
    return CliRunner(env=env).invoke(cli, [str(a) for a in args])


def one_line_error(result, code):
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rangecalc: error: ") and "internal error" not in lines[0], lines[0]
    return lines[0]


def run_process(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "rangecalc", *map(str, args)], capture_output=True, timeout=120, **kwargs
    )


# --- data folders -----------------------------------------------------------------------------------------


def test_fifo_data_file_is_refused_without_hanging(tmp_path):
    (tmp_path / "airframes").mkdir()
    os.mkfifo(tmp_path / "airframes" / "pipe.toml")
    result = run_process("check-data", tmp_path, text=True)  # would block forever if opened for reading
    assert result.returncode == 1
    assert "pipe.toml: not a regular file" in result.stderr and result.stderr.count("\n") == 1


def test_link_to_dev_zero_is_refused_without_reading_it(tmp_path):
    (tmp_path / "airframes").mkdir()
    (tmp_path / "airframes" / "zero.toml").symlink_to("/dev/zero")
    line = one_line_error(invoke("check-data", tmp_path), 1)
    assert "zero.toml: not a regular file" in line


def test_link_to_a_regular_file_is_read(tmp_path):
    (tmp_path / "airframes").mkdir()
    target = tmp_path / "elsewhere.toml"
    shutil.copy(GOOD / "airframes" / next(p.name for p in (GOOD / "airframes").glob("*.toml")), target)
    (tmp_path / "airframes" / "linked.toml").symlink_to(target)
    result = invoke("check-data", tmp_path)
    assert result.exit_code == 0, result.stderr


def test_byte_order_mark_is_accepted(tmp_path):
    (tmp_path / "airframes").mkdir()
    source = next((GOOD / "airframes").glob("*.toml"))
    (tmp_path / "airframes" / source.name).write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    result = invoke("check-data", tmp_path)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        ("[]", "expected a GeoJSON Feature or FeatureCollection object, got a JSON array"),
        ('{"type": "FeatureCollection", "features": [1]}', "features[0]: expected a GeoJSON Feature object"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": []}]}',
            "features[0].properties: expected an object or null",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": ["a"]},'
            '"geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}]}',
            "features[0].properties.id: expected text, got a JSON array",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"type": "FeatureCollection", "features": [', "not JSON"),
    ],
    ids=["top-level-array", "non-object-feature", "list-properties", "list-id", "deep-nesting", "truncated"],
)
def test_malformed_region_file_names_file_and_position(tmp_path, content, message):
    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "bad.geojson").write_text(content)
    line = one_line_error(invoke("reach", "tu22m3", "mozdok", "--region", "SY", "--data-dir", tmp_path), 1)
    assert "bad.geojson" in line and message in line


def test_oversized_region_file_is_refused(tmp_path):
    (tmp_path / "regions").mkdir()
    with (tmp_path / "regions" / "huge.geojson").open("wb") as stream:
        stream.truncate(40 * 2**20)
    line = one_line_error(invoke("reach", "tu22m3", "mozdok", "--region", "SY", "--data-dir", tmp_path), 1)
    assert "huge.geojson: larger than 32 MiB" in line


# --- output files --------------------------------------------------------------------------------------


def test_force_never_replaces_a_device_or_a_link(tmp_path):
    line = one_line_error(invoke("distance", "mozdok", "hamadan", "-o", "/dev/null", "--force"), 2)
    assert "not a regular file" in line
    assert Path("/dev/null").is_char_device()
    target = tmp_path / "real.json"
    target.write_text("keep")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    line = one_line_error(invoke("distance", "mozdok", "hamadan", "-o", link, "--force"), 2)
    assert "symbolic link" in line
    assert link.is_symlink() and target.read_text() == "keep"


def test_force_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "private.json"
    path.write_text("old")
    path.chmod(0o600)
    result = invoke("distance", "mozdok", "hamadan", "-o", path, "--force")
    assert result.exit_code == 0, result.stderr
    assert json.loads(path.read_text())["schema"] == "rangecalc/distance/1"
    assert (path.stat().st_mode & 0o777) == 0o600


def test_existing_output_is_refused_before_the_work(tmp_path):
    # The work would fail on the unknown base: the output check comes first, so it is the one reported.
    path = tmp_path / "out.json"
    path.write_text("keep")
    line = one_line_error(invoke("reach", "tu22m3", "no-such-base", "-o", path), 2)
    assert "exists; add --force" in line and path.read_text() == "keep"


def test_long_output_name_within_name_max(tmp_path):
    path = tmp_path / ("a" * 245 + ".json")  # 250 bytes: legal; the temporary name must stay legal too
    result = invoke("distance", "mozdok", "hamadan", "-o", path)
    assert result.exit_code == 0, result.stderr
    assert json.loads(path.read_text())["schema"] == "rangecalc/distance/1"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_empty_output_name_is_a_usage_error():
    line = one_line_error(invoke("distance", "mozdok", "hamadan", "-o", ""), 2)
    assert "--output is empty" in line


def test_full_stdout_is_one_clear_error():
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "rangecalc", "distance", "mozdok", "hamadan"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "rangecalc: error: cannot write the output to stdout: No space left on device"
    )


def test_closed_stdout_is_one_clear_error():
    result = subprocess.run(
        [sys.executable, "-m", "rangecalc", "distance", "mozdok", "hamadan"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert result.returncode == 1
    assert "stdout is closed" in result.stderr and result.stderr.count("\n") == 1


def test_sigint_exits_130():
    process = subprocess.Popen(
        [sys.executable, "-m", "rangecalc", "reach", "tu160", "engels", "--region", "USA", "--avoid", "CAN"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.0)  # inside the reach's work (over 10 s: the claim now finishes in under 2 s)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip() == "rangecalc: aborted"


# --- messages and exit codes --------------------------------------------------------------------------


def test_data_dir_errors_name_their_source_and_exit_2(tmp_path):
    missing = tmp_path / "nope"
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert "--data-dir: " in one_line_error(invoke("airframes", "--data-dir", missing), 2)
    assert "--data-dir: " in one_line_error(invoke("airframes", "--data-dir", a_file), 2)
    line = one_line_error(invoke("airframes", env={"RANGECALC_DATA_DIR": str(missing)}), 2)
    assert line.startswith("rangecalc: error: RANGECALC_DATA_DIR: ")
    line = one_line_error(invoke("check-data", missing), 2)
    assert line.startswith("rangecalc: error: DATA_DIR: ")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--payload=-5t"], "'-5t' is negative"),
        (["--avoid", "TUR", "--standoff=-5km"], "'-5km' is negative"),
        (["--avoid", "TUR", "--standoff", "1e8km"], "more than the 1,000 km accepted"),
        (["--avoid", "TUR", "--territorial-sea", "500nm"], "more than the 200 nm accepted"),
        (["--payload", "5000t"], "more than the 1,000 t accepted"),
        (["--region", "SYR,IRQ"], "--region takes one region, got 2"),
    ],
)
def test_careless_quantities_and_regions(args, message):
    assert message in one_line_error(invoke("reach", "tu22m3", "mozdok", *args), 2)


def test_country_without_bases_is_an_error():
    line = one_line_error(invoke("bases", "--country", "ZZZ"), 2)
    assert "no bases in ZZZ" in line


def test_check_data_validates_scenarios_and_region_files(tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "broken.toml").write_text('id = "broken"\n')
    line = one_line_error(invoke("check-data", tmp_path), 1)
    assert "broken.toml" in line
    other = tmp_path / "other"  # a new folder: catalogs are cached per folder within a process
    (other / "regions").mkdir(parents=True)
    (other / "regions" / "area.geojson").write_text('{"type": "FeatureCollection", "features": [2]}')
    line = one_line_error(invoke("check-data", other), 1)
    assert "area.geojson: features[0]" in line


def test_check_data_counts_what_it_validated():
    result = invoke("check-data")
    assert result.exit_code == 0, result.stderr
    assert "regions" in result.stdout.splitlines()[0] and "scenarios validate" in result.stdout


# --- injection through data text -----------------------------------------------------------------------


def _base_file(folder, **fields):
    """A user bases file with one base, ``fields`` overriding its TOML values (given as TOML literals)."""
    values = {
        "id": '"evil"',
        "name": '"Evil Field"',
        "lat": "35.0",
        "lon": "45.0",
        "country": '"IRQ"',
        "position_uncertainty_m": "500",
        "url": '"https://example.org/evil"',
        **fields,
    }
    url = values.pop("url")
    (folder / "bases").mkdir(parents=True, exist_ok=True)
    body = "\n".join(f"{k} = {v}" for k, v in values.items())
    (folder / "bases" / "evil.toml").write_text(
        f'[[bases]]\n{body}\n[[bases.sources]]\ntitle = "A page"\nurl = {url}\nstates = "here"\n'
    )


@pytest.mark.parametrize(
    "url", ['"javascript:alert(1)"', '"file:///etc/passwd"', '"data:text/html,x"', '"https://"']
)
def test_only_http_addresses_pass_validation(tmp_path, url):
    _base_file(tmp_path, url=url)
    line = one_line_error(invoke("check-data", tmp_path), 1)
    assert "evil.toml" in line and "is not an http(s) address" in line


def test_control_characters_in_data_text_are_refused(tmp_path):
    _base_file(tmp_path, name='"Evil\\u0001Field"')
    line = one_line_error(invoke("check-data", tmp_path), 1)
    assert "U+0001" in line and "name" in line


def test_markdown_cannot_be_injected_through_data_text(tmp_path):
    _base_file(
        tmp_path,
        name='"<script>alert(1)</script> [click](javascript:alert(1))"',
        notes='"""line one\n# Injected heading\n[x]: javascript:alert(2)"""',
    )
    result = invoke("bases", "evil", "--format", "md", "--data-dir", tmp_path)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# ")  # the format is honoured
    assert "<script>" not in text and "&lt;script>" in text
    assert "[click](javascript:" not in text and "\\[click\\](javascript:" in text  # the link is inert
    assert not any(line.startswith("# Injected") for line in text.splitlines())
    assert not any(line.startswith("[x]:") for line in text.splitlines())


# --- routes beyond what one routing map could hold (issue 10; answered since issue 12) ----------------


@pytest.mark.parametrize(
    "args, closed",
    [
        (["route", "38.7,-9.1", "-33.9,151.2", "--avoid", "ESP"], "ESP"),  # Lisbon to Sydney
        (["route", "51.48,46.2", "-33.9,151.2", "--avoid", "USA"], "USA"),  # Engels to Sydney
        (["route", "mozdok", "damascus", "--avoid", "TUR", "--via", "0,180"], "TUR"),
    ],
    ids=["lisbon-sydney", "engels-sydney", "via-180"],
)
def test_routes_far_from_any_one_map_are_answered(args, closed):
    """These crashed with an internal GEOS error, then were refused; the global routing engine answers
    them: a route at least as long as the direct geodesic, never over the closed country."""
    result = invoke(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["length_km"] >= out["direct_km"] - 1e-6
    assert closed not in [c["id"] for c in out["countries"] if c.get("id")]


def test_too_complex_closed_airspace_is_refused_naming_the_limit(monkeypatch):
    """Avoiding every country ran for minutes above a gigabyte: above MAX_CORNERS corners routing refuses
    (the limit is lowered here so that the corners of Turkey, Georgia and Azerbaijan that a route could use exceed it)."""
    from rangecalc import routes

    monkeypatch.setattr(routes, "MAX_CORNERS", 5)
    line = one_line_error(invoke("route", "mozdok", "damascus", "--avoid", "TUR,GEO,AZE"), 2)
    assert "corners to route around, more than the 5 " in line


def test_control_character_in_a_region_name_is_refused(tmp_path):
    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "area.geojson").write_text(
        json.dumps({"type": "Feature", "properties": {"id": "AREA", "name": "Bad\u0001Area"},
                    "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}})
    )  # fmt: skip
    line = one_line_error(invoke("check-data", tmp_path), 1)
    assert "area.geojson: features[0].properties.name: contains the control character U+0001" in line
