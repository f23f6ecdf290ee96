"""The documentation runs: docs/api.md's examples (doctest) and docs/examples/hamadan.ipynb executed headless
(nbclient, the python3 kernel of ipykernel, no network), checked against the CLI's own verdict."""

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "docs" / "examples" / "hamadan.ipynb"

pytest.importorskip("pandas")
pytest.importorskip("geopandas")


def test_api_md_examples_run():
    failures, tried = doctest.testfile(
        str(ROOT / "docs" / "api.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert tried >= 25
    assert failures == 0


def _texts(cell):
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            yield output["text"]
        for value in output.get("data", {}).values():
            if isinstance(value, str):
                yield value


def test_notebook_runs_and_reproduces_the_claim(run_json, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "commit it clean"
    )
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    outputs = [cell.get("outputs", []) for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(o["output_type"] == "error" for cell in outputs for o in cell)
    text = "\n".join(t for cell in notebook.cells if cell.cell_type == "code" for t in _texts(cell))

    claim = run_json("claim")
    assert claim["verdict"]["summary"] in text
    assert (
        claim["verdict"]["range"]["text"].split(":")[0] in text
    )  # "DEPENDS ON THE FIGURE", in the summary view
    assert "<svg" in text  # the result's own map
    legal = next(r for r in claim["coverage"] if r["base"] == "Mozdok Air Base" and r["routes"] == "legal")
    assert f"farthest point {round(legal['farthest_km'], -1):,.0f} km" in text
    assert "52% shorter" in text  # the claim's 'mean round trip ... was 52% shorter'
    assert "52% shorter" in claim["verdict"]["summary"]
    assert any("image/png" in o.get("data", {}) for cell in outputs for o in cell)  # the GeoDataFrame plot
    assert list(tmp_path.iterdir()) == []  # it writes nothing
