"""`--dask`: the same per-document function on a Dask distributed cluster gives the same tables as a local run."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.run import run
from pipeline.schema import SCHEMAS

from _plans import PLAN_A, PLAN_B, PLAN_C, kehoach, run_plans, write_plans

distributed = pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed (pip install -e '.[dask]')")


def _tables(run_dir: Path) -> dict[str, bytes]:
    return {t: (run_dir / f"{t}.parquet").read_bytes() for t in SCHEMAS}


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("dask")
    plans = write_plans(base / "plans", plan_a=PLAN_A, plan_b=PLAN_B, plan_c=PLAN_C)
    return plans, run_plans(plans, base / "local", "--no-cache")


def test_a_dask_cluster_gives_the_tables_of_a_local_run(local, tmp_path):
    plans, local_run = local
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        s = run([plans], tmp_path / "dask", progress=False, cache=False, dask=cluster.scheduler_address,
                log=lambda m: None)
    assert s.n_ok + s.n_partial == 3 and s.n_failed == 0
    assert _tables(tmp_path / "dask") == _tables(local_run)


def test_cli_dask_option_with_a_scheduler_address(local, tmp_path):
    plans, local_run = local
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        proc = kehoach("run", str(plans), "--out", str(tmp_path / "cli"), "-q", "--no-cache",
                       "--dask", cluster.scheduler_address)
    assert "3 documents" in proc.stdout, proc.stderr
    assert _tables(tmp_path / "cli") == _tables(local_run)
