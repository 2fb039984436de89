"""examples/*.ipynb run top to bottom (nbclient, the venv's ipykernel) and answer from the run's tables."""
from __future__ import annotations

from pathlib import Path

import pytest

from _plans import PLAN_A, PLAN_B, ROOT, handmade_run, run_plans, write_plans

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def execute(path: Path, run: Path, monkeypatch) -> dict[str, str]:
    """Run the notebook against `run`; returns each tagged cell's text output."""
    monkeypatch.setenv("KEHOACH_RUN", str(run))
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    out = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"]
        text = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        for tag in cell.metadata.get("tags", []):
            out[tag] = text
    return out


def test_there_is_a_notebook():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_answers_from_a_handmade_run(path, tmp_path, monkeypatch):
    out = execute(path, handmade_run(tmp_path / "run"), monkeypatch)
    if path.name != "explore_run.ipynb":
        return
    assert "documents 2" in out["load"] and "targets 2" in out["load"]
    assert "An Giang" in out["targets_sql"] and "93.0" in out["targets_sql"]
    assert "Phú Tân" in out["targets_sql"] and "bhxh_voluntary" in out["targets_sql"]
    assert "Sở Y tế" in out["leads"] and "2024-12-15" in out["leads"]
    assert "28-NQ/TW" in out["most_cited"] and out["most_cited"].splitlines()[1].split()[-1] == "2"
    assert "12/KH-UBND" in out["within_run"] and "45/KH-UBND" in out["within_run"]
    assert "93% dân s" in out["provenance"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_on_a_real_run(path, tmp_path, monkeypatch):
    run = run_plans(write_plans(tmp_path / "plans", plan_a=PLAN_A, plan_b=PLAN_B), tmp_path / "run")
    out = execute(path, run, monkeypatch)
    if path.name == "explore_run.ipynb":
        assert "documents 2" in out["load"]
