"""Incremental runs: only changed files are processed again, and the tables equal a clean run byte for byte.

Runs go through pipeline.run.run and the `kehoach` command's main() in this process, so the pipeline
fingerprint (a digest of the code) is computed once per test session.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.cache import CACHE_DIR
from pipeline.run import run
from pipeline.schema import SCHEMAS

from _plans import EDIT, PLAN_A, PLAN_B, PLAN_C, write_plans


def run_here(inputs: Path, out: Path, cache: bool = True) -> Path:
    run([inputs], out, workers=1, progress=False, log=lambda m: None, cache=cache)
    return out


def _cache(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text(encoding="utf-8"))["cache"]


def _tables(run: Path) -> dict[str, bytes]:
    return {t: (run / f"{t}.parquet").read_bytes() for t in SCHEMAS}


def _assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = _tables(a), _tables(b)
    assert [t for t in SCHEMAS if ta[t] != tb[t]] == []


@pytest.fixture()
def plans(tmp_path) -> Path:
    return write_plans(tmp_path / "plans", plan_a=PLAN_A, plan_b=PLAN_B, plan_c=PLAN_C)


def test_rerun_reuses_every_unchanged_file(plans, tmp_path):
    out = run_here(plans, tmp_path / "run")
    first = _tables(out)
    assert _cache(out) == {"reused": 0, "processed": 3}
    assert len(list((out / CACHE_DIR).glob("*.arrow"))) == 3
    run_here(plans, out)
    assert _cache(out) == {"reused": 3, "processed": 0}
    assert _tables(out) == first


def test_one_changed_file_is_processed_and_tables_equal_a_clean_run(plans, tmp_path):
    out = run_here(plans, tmp_path / "run")
    write_plans(plans, plan_a=PLAN_A.replace(*EDIT))
    run_here(plans, out)
    assert _cache(out) == {"reused": 2, "processed": 1}
    entries = list((out / CACHE_DIR).glob("*.arrow"))
    assert len(entries) == 3                          # the old entry of plan_a is gone with the old run
    clean = run_here(plans, tmp_path / "clean", cache=False)
    _assert_same_tables(out, clean)
    assert _cache(clean) == {"reused": 0, "processed": 3}


def test_cache_entries_are_hard_links_carried_across_the_swap(plans, tmp_path):
    out = run_here(plans, tmp_path / "run")
    before = {p.name: p.stat().st_ino for p in (out / CACHE_DIR).glob("*.arrow")}
    run_here(plans, out)
    after = {p.name: p.stat().st_ino for p in (out / CACHE_DIR).glob("*.arrow")}
    assert after == before
    assert all((out / CACHE_DIR / n).stat().st_nlink == 1 for n in after)   # the old run folder is gone


def test_added_removed_and_moved_files(plans, tmp_path):
    out = run_here(plans, tmp_path / "run")
    (plans / "plan_c.txt").unlink()
    os.makedirs(plans / "2024")
    shutil.move(plans / "plan_b.txt", plans / "2024" / "plan_b.txt")   # a new path is a new source_path
    write_plans(plans, plan_d=PLAN_C.replace("Bình Mỹ", "Tân Trung"))
    run_here(plans, out)
    assert _cache(out) == {"reused": 1, "processed": 2}
    _assert_same_tables(out, run_here(plans, tmp_path / "clean", cache=False))


def test_a_damaged_cache_entry_is_ignored(plans, tmp_path):
    out = run_here(plans, tmp_path / "run")
    first = _tables(out)
    entry = sorted((out / CACHE_DIR).glob("*.arrow"))[0]
    entry.write_bytes(b"not arrow")
    run_here(plans, out)
    assert _cache(out) == {"reused": 2, "processed": 1}
    assert _tables(out) == first


def test_no_cache_processes_everything_again_and_refreshes_the_cache(plans, tmp_path, capsys):
    from pipeline.cli import main

    def kehoach_run(*extra: str) -> None:
        assert main(["run", str(plans), "--out", str(out), "-q", "--workers", "1", *extra]) in (0, 1)
        capsys.readouterr()

    out = tmp_path / "run"
    kehoach_run()
    first = {p.name: p.stat().st_ino for p in (out / CACHE_DIR).glob("*.arrow")}
    kehoach_run("--no-cache")
    assert _cache(out) == {"reused": 0, "processed": 3}
    fresh = {p.name: p.stat().st_ino for p in (out / CACHE_DIR).glob("*.arrow")}
    assert fresh.keys() == first.keys() and all(fresh[n] != first[n] for n in fresh)   # rewritten, not linked
    kehoach_run()
    assert _cache(out) == {"reused": 3, "processed": 0}
