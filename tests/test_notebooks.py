"""The notebooks run top to bottom in SMALL mode (GOVSIM_NOTEBOOK_SMALL=1) and are stored
without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_the_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {
        "01_reform_comparison.ipynb", "02_sweeps_and_sensitivity.ipynb", "03_case_studies.ipynb",
        "04_calibration_and_forecast.ipynb", "05_process_mining.ipynb", "06_rollout_and_did.ipynb"}


# notebooks that use an optional extra: [mining] (pm4py), [calibrate] (pyabc), [panel] (differences)
NEEDS = {"05_process_mining": "pm4py", "04_calibration_and_forecast": "pyabc", "06_rollout_and_did": "differences"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_saved_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_in_small_mode(path, monkeypatch, tmp_path):
    if path.stem in NEEDS:
        pytest.importorskip(NEEDS[path.stem], reason=f"{path.name} needs an optional extra")
    monkeypatch.setenv("GOVSIM_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    images = sum(1 for cell in nb.cells if cell.cell_type == "code"
                 for out in cell.get("outputs", []) if "image/png" in out.get("data", {}))
    assert images >= 3, f"{path.name}: expected its figures to render, got {images}"
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert not errors
