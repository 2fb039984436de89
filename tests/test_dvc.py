"""dvc.yaml: `dvc repro` of the real stages in a temporary git repository, metrics, and equality with `kehoach run`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from pipeline.evaluate import score
from pipeline.schema import SCHEMAS

from _plans import PLAN_A, PLAN_B, ROOT, write_plans

BIN = Path(sys.executable).parent
DVC = shutil.which("dvc", path=str(BIN)) or shutil.which("dvc")
pytestmark = pytest.mark.skipif(DVC is None or shutil.which("git") is None,
                                reason="dvc (pip install -e '.[dev]') and git are needed")

GOLD = {
    "plan_a.targets.yaml": [{"indicator": "bhyt_coverage", "value": 93, "unit": "percent", "target_year": 2024},
                            {"indicator": "bhxh_participation", "value": 35, "unit": "percent", "target_year": 2024}],
    "plan_b.targets.yaml": [{"indicator": "bhxh_voluntary", "value": 5, "unit": "percent", "target_year": 2024,
                             "note": "tự nguyện"}],
    "plan_b.legal_refs.yaml": [{"canonical_id": "45/KH-UBND", "ref_type": "Kế hoạch", "issue_date": "2024-03-10",
                                "article": None, "clause": None}],
    "missing.targets.yaml": [{"indicator": "other", "value": 1}],          # no such document in the run
}


def _sh(repo: Path, *cmd: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "DVC_NO_ANALYTICS": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    proc = subprocess.run(list(cmd), cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A copy of the project (code, model, dvc.yaml) converting two small plans, after `dvc repro`."""
    repo = tmp_path_factory.mktemp("dvc") / "project"
    repo.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pipeline", "extractors", "diacritics"):
        shutil.copytree(ROOT / name, repo / name, ignore=skip)
    shutil.copy2(ROOT / "dvc.yaml", repo / "dvc.yaml")
    shutil.copy2(ROOT / ".dvcignore", repo / ".dvcignore")
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["dvc"]["inputs"] = "inputs"
    params["evaluate"]["gold"] = "gold"
    (repo / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    write_plans(repo / "inputs", plan_a=PLAN_A, plan_b=PLAN_B)
    (repo / "gold").mkdir()
    for name, rows in GOLD.items():
        (repo / "gold" / name).write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    _sh(repo, "git", "init", "-q")
    _sh(repo, DVC, "init", "-q")
    # everything downstream of ingest: the diacritic model is used as committed, not retrained
    _sh(repo, DVC, "repro", "--downstream", "ingest")
    return repo


def test_repro_runs_every_stage_but_training(repo):
    lock = yaml.safe_load((repo / "dvc.lock").read_text())
    assert set(lock["stages"]) == {"ingest", "restore", "segment", "extract", "export", "evaluate"}
    for folder in ("ingested", "restored", "segmented"):
        assert len(list((repo / "build" / folder).glob("*.json"))) == 3     # 2 documents + inputs.json
    assert len(list((repo / "build" / "extracted").glob("*.arrow"))) == 2
    status = _sh(repo, DVC, "status", "ingest", "restore", "segment", "extract", "export", "evaluate")
    assert "up to date" in status.stdout
    again = _sh(repo, DVC, "repro", "--downstream", "ingest")
    assert "Running stage" not in again.stdout


def test_stages_export_equals_kehoach_run(repo):
    direct = repo / "direct"
    subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "inputs", "--out", str(direct), "-q",
                    "--no-cache"], cwd=repo, capture_output=True, check=False)
    exported = repo / "outputs" / "dvc"
    assert [t for t in SCHEMAS
            if (direct / f"{t}.parquet").read_bytes() != (exported / f"{t}.parquet").read_bytes()] == []


def _read(run: Path, table: str) -> list[dict]:
    return pq.read_table(run / f"{table}.parquet").to_pylist()


def test_metrics_show_the_scores_of_the_gold_that_exists(repo):
    shown = json.loads(_sh(repo, DVC, "metrics", "show", "--json").stdout)
    found = [v for v in _walk(shown) if isinstance(v, dict) and "run" in v and "targets" in v]
    assert found, shown
    metrics = found[0]
    assert metrics == json.loads((repo / "metrics" / "extractors.json").read_text())
    assert metrics["run"]["documents"] == 2
    assert set(metrics) == {"run", "targets", "legal_refs"}
    assert metrics["targets"]["documents"] == 2 and metrics["targets"]["n_gold"] == 3
    assert metrics["legal_refs"]["documents"] == 1 and metrics["legal_refs"]["n_gold"] == 1

    run = repo / "outputs" / "dvc"
    keys = yaml.safe_load((repo / "params.yaml").read_text(encoding="utf-8"))["evaluate"]["keys"]
    docs = {Path(d["source_path"]).stem: d["doc_id"] for d in _read(run, "documents")}
    for table in ("targets", "legal_refs"):
        rows = _read(run, table)
        total_tp = total_pred = 0
        for name, gold in GOLD.items():
            prefix, t = name.split(".")[:2]
            if t != table or prefix not in docs:
                continue
            s = score([r for r in rows if r["doc_id"] == docs[prefix]], gold, keys[table])
            total_tp, total_pred = total_tp + s.tp, total_pred + s.n_pred
        assert metrics[table]["tp"] == total_tp and metrics[table]["n_pred"] == total_pred
        assert 0.0 <= metrics[table]["precision"] <= 1.0 and 0.0 <= metrics[table]["recall"] <= 1.0


def _walk(x):
    yield x
    if isinstance(x, dict):
        for v in x.values():
            yield from _walk(v)
