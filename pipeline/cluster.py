"""Run the per-document function on a Dask distributed cluster instead of the local process pool.

`address` is a scheduler address (`tcp://10.0.0.5:8786`) or `local` for a
LocalCluster of `workers` processes on this machine. Workers call the same
`process_file` as the local pool, so the tables are identical; input paths
must be readable by the workers (a shared file system for remote clusters).
"""
from __future__ import annotations

from typing import Callable

from .process import DocResult, process_file


def execute_dask(inputs, address: str, workers: int, on_result: Callable[[DocResult], None]) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    todo = [i for i in inputs if i.error is None]
    if not todo:
        return
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futures = {client.submit(process_file, i.path, i.sha256, key=f"process_file-{i.sha256}-{n}",
                                 pure=False): i for n, i in enumerate(todo)}
        for fut in as_completed(futures):
            inp = futures[fut]
            try:
                on_result(fut.result())
            except Exception as e:  # a worker was lost or the task raised
                on_result(DocResult(inp.path, inp.sha256 or "", status="failed", errors=[{
                    "doc_id": (inp.sha256 or "")[:16], "source_path": inp.path, "stage": "worker",
                    "error_type": type(e).__name__, "message": f"dask task failed: {e}"}]))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
