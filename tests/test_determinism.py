"""Byte-identical re-runs across processes: `kehoach run` on the seeds under different hash seeds
(Python randomizes set and dict-of-string order per process) and worker counts gives the same files."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import KEHOACH, ROOT, SEEDS

#: (PYTHONHASHSEED, --workers) of each run; the first is the reference.
RUNS = [("0", "1"), ("1", "2"), ("12345", "1"), ("12345", "2"), ("random", "2")]


@pytest.fixture(scope="module")
def seed_inputs(tmp_path_factory) -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    inputs = tmp_path_factory.mktemp("det_in")
    for f in sorted(SEEDS.iterdir()):
        name = f.name[:3] + (".md" if f.name[:3] in ("003", "004") else ".txt")
        (inputs / name).write_bytes(f.read_bytes())
    return inputs


def run_seeds(inputs: Path, out: Path, hash_seed: str, workers: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    proc = subprocess.run([*KEHOACH, "run", str(inputs), "--out", str(out), "--workers", workers, "--no-cache", "-q"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    files = {p.name: p.read_bytes() for p in sorted(out.glob("*.parquet"))}
    assert "assignments.parquet" in files
    return files


def test_runs_are_byte_identical_across_processes(seed_inputs, tmp_path):
    results = [(seed, w, run_seeds(seed_inputs, tmp_path / f"run-{seed}-{w}", seed, w)) for seed, w in RUNS]
    _, _, ref = results[0]
    for seed, w, files in results[1:]:
        assert sorted(files) == sorted(ref)
        differ = [name for name in ref if files[name] != ref[name]]
        assert not differ, f"PYTHONHASHSEED={seed} --workers {w}: {differ} differ from PYTHONHASHSEED=0 --workers 1"
