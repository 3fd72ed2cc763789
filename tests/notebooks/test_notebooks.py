"""The notebooks (notebooks/): each runs from start to end in quick mode (GRIDSIM_NOTEBOOK_QUICK=1:
fewer replications and days) in a kernel whose working directory is a temporary folder, with
its results written there; the committed .ipynb files carry no outputs and hold the same cells
as their jupytext pairs (the .py files, percent format)."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Seconds a cell may take in quick mode before the test fails.
CELL_TIMEOUT = 120


def test_there_are_the_four_notebooks():
    assert {p.stem for p in NOTEBOOKS} == {
        "staffing",
        "epidemic_plan",
        "admin_burden",
        "run_folder",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_is_stored_without_outputs_and_matches_its_pair(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name
    assert notebook.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    pair = jupytext.read(path.with_suffix(".py"))
    mine = [(c.cell_type, c.source) for c in notebook.cells]
    theirs = [(c.cell_type, c.source) for c in pair.cells]
    assert mine == theirs, (
        f"{path.name} and {path.with_suffix('.py').name} differ: run jupytext --sync"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_runs_in_quick_mode(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GRIDSIM_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("GRIDSIM_NOTEBOOK_OUT", str(tmp_path / "runs"))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on any error, naming the cell
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
    assert (tmp_path / "runs").is_dir() and any((tmp_path / "runs").iterdir())
    assert not list(tmp_path.glob("*.ipynb"))  # nothing written beside the notebook's copy
