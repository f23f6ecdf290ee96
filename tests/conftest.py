import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rangecalc.cli import cli

GOOD_DATA = Path(__file__).parent / "data" / "good"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def run(runner, monkeypatch):
    """Invoke the CLI; returns the click Result (stdout and stderr kept apart)."""
    monkeypatch.delenv("RANGECALC_DATA_DIR", raising=False)

    def invoke(*args, expect=0):
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
        if expect:
            assert result.stdout == ""
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, result.stderr
            assert "Traceback" not in result.stderr
        return result

    return invoke


@pytest.fixture
def run_json(run):
    def invoke(*args):
        return json.loads(run(*args, "--format", "json").stdout)

    return invoke


@pytest.fixture(scope="session")
def stated_load_dir(tmp_path_factory):
    """A user data folder whose tu22m3.toml states, as a what-if, that the published radius is for 12 t (no
    source does: the bundled file refuses payload modelling without that statement)."""
    folder = tmp_path_factory.mktemp("stated") / "data"
    (folder / "airframes").mkdir(parents=True)
    text = (Path(__file__).parents[1] / "airframes" / "tu22m3.toml").read_text()
    marker = "[figures.combat_radius_km]\n"
    assert marker in text
    (folder / "airframes" / "tu22m3.toml").write_text(
        text.replace(marker, marker + "reference_payload_kg = 12000\n", 1)
    )
    return folder
