"""A run: a folder of inputs → Parquet tables + manifest.json, written atomically.

Files are found recursively and de-duplicated by content; each distinct file is
processed by `process_file` in a local process pool whose workers are replaced
when a document runs past the time limit or kills its worker. Tables are written
to a hidden temporary directory and swapped into place at the end, so a crashed
or killed run never leaves half a run behind; rows are sorted so the same inputs
give byte-identical tables.
"""
from __future__ import annotations

import errno
import json
import multiprocessing
import os
import shutil
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_ready
from pathlib import Path
from typing import Callable, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from .ingest import SUPPORTED, IngestError, sha256_file
from .process import PIPELINE_VERSION, DocResult, process_file, warm_up
from .schema import SCHEMA_VERSION, SCHEMAS, SORT_KEYS, UNIQUE_KEYS


@dataclass
class InputFile:
    path: str
    sha256: str | None
    error: dict | None = None
    duplicates: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    out: Path
    n_ok: int
    n_partial: int
    n_failed: int
    rows: dict[str, int]
    seconds: float

    @property
    def exit_code(self) -> int:
        return 0 if self.n_partial == 0 and self.n_failed == 0 else 1


def find_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Supported files under the given files and folders (recursive, hidden files skipped, sorted)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if any(x.startswith(".") for x in rel):
                    continue
                # not is_file(): broken links, FIFOs and unreadable folders are kept (rglob skips
                # the latter silently), so the errors table accounts for them
                if f.is_dir() and not _listable(f) or not f.is_dir() and f.suffix.lower() in SUPPORTED:
                    found.append(f)
        elif p.exists() or p.is_symlink():
            found.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    seen, out = set(), []
    for f in found:
        key = str(f)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _listable(folder: Path) -> bool:
    try:
        with os.scandir(folder) as it:
            next(it, None)
        return True
    except OSError:
        return False


def hash_inputs(files: list[Path]) -> list[InputFile]:
    """One InputFile per distinct content; later paths with the same bytes become `duplicates`."""
    by_sha: dict[str, InputFile] = {}
    out: list[InputFile] = []
    for f in files:
        try:
            sha = sha256_file(f)
        except IngestError as e:  # unreadable, a broken link, a FIFO ...
            out.append(InputFile(str(f), None, {"doc_id": None, "source_path": str(f), "stage": e.stage,
                                                "error_type": e.error_type, "message": str(e)}))
            continue
        if sha in by_sha:
            by_sha[sha].duplicates.append(str(f))
            continue
        inp = InputFile(str(f), sha)
        by_sha[sha] = inp
        out.append(inp)
    return out


DEFAULT_TIMEOUT = 600.0


def execute(inputs: list[InputFile], workers: int, on_result: Callable[[DocResult], None],
            timeout: float | None = DEFAULT_TIMEOUT) -> None:
    """Process the readable inputs in `workers` processes, calling `on_result` as each finishes.

    A document still running after `timeout` seconds is stopped and recorded as failed
    (error_type timeout); with no timeout (None or 0) and one worker, documents run in this process.
    """
    todo = [i for i in inputs if i.error is None]
    if not todo:
        return
    if not timeout and (workers <= 1 or len(todo) <= 1):
        for inp in todo:
            on_result(process_file(inp.path, inp.sha256))
        return
    WorkerPool(max(1, min(workers, len(todo))), timeout or None).map(todo, on_result)


def failed_result(inp: InputFile, error_type: str, message: str) -> DocResult:
    return DocResult(inp.path, inp.sha256 or "", status="failed", errors=[{
        "doc_id": (inp.sha256 or "")[:16] or None, "source_path": inp.path, "stage": "worker",
        "error_type": error_type, "message": message}])


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this worker when the run's process dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def _worker_main(conn, parent: int) -> None:
    """A worker process: (path, sha256) in, DocResult out, until None or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = process_file(*task)
        try:
            conn.send(result)
        except OSError:
            return
        except Exception as e:  # a result that cannot be pickled
            conn.send(failed_result(InputFile(*task), type(e).__name__,
                                    f"the result could not be sent back ({e}); please report this file"))


@dataclass
class _Worker:
    proc: multiprocessing.process.BaseProcess
    conn: object
    task: InputFile | None = None
    started: float = 0.0


class WorkerPool:
    """Worker processes that take one document at a time. A worker that runs past the timeout
    or dies is killed and replaced and its document recorded as failed, so one pathological
    file costs at most `timeout` seconds and the run goes on."""

    def __init__(self, size: int, timeout: float | None):
        self.size, self.timeout = size, timeout
        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("fork" if "fork" in methods else None)

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker_main, args=(child, os.getpid()), daemon=True,
                                name="kehoach-worker")
        proc.start()
        child.close()
        return _Worker(proc, parent)

    @staticmethod
    def _stop(w: _Worker) -> None:
        if w.task is None and w.proc.is_alive():
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.proc.join(2)
        if w.proc.is_alive():
            w.proc.kill()
            w.proc.join()
        w.conn.close()

    def map(self, todo: list[InputFile], on_result: Callable[[DocResult], None]) -> None:
        pending = deque(todo)
        warm_up()
        workers = [self._start() for _ in range(self.size)]
        try:
            while pending or any(w.task for w in workers):
                for w in workers:
                    if w.task is None and pending:
                        w.task, w.started = pending.popleft(), time.monotonic()
                        w.conn.send((w.task.path, w.task.sha256))
                busy = [w for w in workers if w.task is not None]
                left = None if self.timeout is None else \
                    max(0.0, min(w.started for w in busy) + self.timeout - time.monotonic())
                ready = set(wait_ready([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=left))
                now = time.monotonic()
                for k, w in enumerate(workers):
                    inp = w.task
                    if inp is None:
                        continue
                    if w.conn in ready or w.proc.sentinel in ready:
                        try:
                            result = w.conn.recv()
                        except Exception:  # EOF: the worker died without answering
                            result = failed_result(inp, "crash", _crash_message(w.proc))
                        w.task = None
                        if not w.proc.is_alive():
                            self._stop(w)
                            workers[k] = self._start()
                        on_result(result)
                    elif self.timeout is not None and now - w.started >= self.timeout:
                        self._stop(w)
                        workers[k] = self._start()
                        on_result(failed_result(inp, "timeout", (
                            f"stopped after {self.timeout:g} s (the --timeout limit): the file is very large or "
                            "pathological; split it, or run it again with a larger --timeout")))
        finally:
            for w in workers:
                self._stop(w)


def _crash_message(proc) -> str:
    proc.join(1)
    code = proc.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        how = f"was killed by {name}" + (" (the system may be out of memory)" if name == "SIGKILL" else "")
    else:
        how = f"exited with status {code}"
    return (f"the worker process {how} while reading this file; the document was skipped: check the file, "
            "or run it alone with --workers 1 to see the error")


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[table]
    names = schema.names
    rows = [{k: r.get(k) for k in names} for r in rows]
    keys = SORT_KEYS[table]
    if table in UNIQUE_KEYS:
        rows = list({r[UNIQUE_KEYS[table]]: r for r in rows}.values())
    rows.sort(key=lambda r: tuple((r[k] is None, r[k] if r[k] is not None else 0) for k in keys))
    return pa.Table.from_pylist(rows, schema=schema)


def write_table(t: pa.Table, path: Path) -> None:
    pq.write_table(t, path, compression="zstd", write_statistics=True, store_schema=True)


def run(paths: list[str | Path], out: str | Path, workers: int = 1, progress: bool | None = None,
        log: Callable[[str], None] | None = None, cache: bool = True, dask: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT) -> RunSummary:
    """Process `paths` into the run folder `out`; unchanged files are taken from `out`'s cache
    (`cache=False` processes everything); `dask` is a scheduler address or "local" to use a Dask cluster;
    a document taking more than `timeout` seconds is stopped and recorded as failed (None: no limit)."""
    from tqdm import tqdm

    from .cache import DocCache

    t0 = time.perf_counter()
    out = Path(out)
    log = log or (lambda s: print(s, file=sys.stderr))
    files = find_inputs(paths)
    inputs = hash_inputs(files)
    results: dict[str, DocResult] = {}
    errors: list[dict] = [i.error for i in inputs if i.error]
    for e in errors:
        log(f"FAILED {e['source_path']}: {e['message']}")

    bar = tqdm(total=len(inputs), unit="doc", disable=progress is False if progress is not None else None,
               file=sys.stderr, dynamic_ncols=True)
    pages = 0

    def on_result(r: DocResult) -> None:
        nonlocal pages
        results[r.source_path] = r
        store.put(r)
        pages += r.n_pages or 0
        bar.update(1)
        bar.set_postfix(pages=pages, refresh=False)
        for e in r.errors:
            if e["error_type"] != "warning":
                bar.write(f"{r.status.upper()} {r.source_path}: [{e['stage']}] {e['message'].splitlines()[0]}",
                          file=sys.stderr)

    bar.update(len(errors))
    store = DocCache(out, reuse=cache)
    todo = []
    for inp in inputs:
        hit = store.get(inp.path, inp.sha256) if inp.error is None else None
        if hit is None:
            todo.append(inp)
        else:
            hit.timings = {}
            on_result(hit)
    if dask:
        from .cluster import execute_dask

        execute_dask(todo, dask, workers, on_result)
    else:
        execute(todo, workers, on_result, timeout=timeout)
    bar.close()

    tables: dict[str, list[dict]] = {t: [] for t in SCHEMAS}
    for r in results.values():
        for t, rows in r.tables.items():
            tables[t].extend(rows)
        errors.extend(r.errors)
    tables["errors"] = errors
    resolve_references(tables)

    mf = manifest(inputs, results, tables, workers, time.perf_counter() - t0)
    mf["cache"] = {"reused": len(store.hits), "processed": sum(1 for i in todo if i.error is None)}
    write_run(out, tables, mf, extra=store.write)
    statuses = [r.status for r in results.values()] + ["failed"] * sum(1 for i in inputs if i.error)
    return RunSummary(out, statuses.count("ok"), statuses.count("partial"), statuses.count("failed"),
                      {t: len(v) for t, v in tables.items()}, time.perf_counter() - t0)


def resolve_references(tables: dict[str, list[dict]]) -> None:
    """legal_refs.resolved_doc_id: the run's document whose number is the cited canonical id."""
    by_number = {d["doc_number"].upper(): d["doc_id"] for d in tables["documents"] if d.get("doc_number")}
    for r in tables["legal_refs"]:
        cid = (r.get("canonical_id") or "").upper()
        r["resolved_doc_id"] = by_number.get(cid) if by_number.get(cid) != r.get("doc_id") else None


def manifest(inputs: list[InputFile], results: dict[str, DocResult], tables: dict[str, list[dict]],
             workers: int, seconds: float) -> dict:
    from .params import load_params, model_hashes

    timings: dict[str, float] = {}
    for r in results.values():
        for k, v in r.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    files = []
    for i in sorted(inputs, key=lambda i: i.path):
        r = results.get(i.path)
        files.append({"path": i.path, "sha256": i.sha256, "duplicates": sorted(i.duplicates),
                      "status": r.status if r else "failed"})
    return {
        "pipeline_version": PIPELINE_VERSION,
        "schema_version": SCHEMA_VERSION,
        "params": load_params(),
        "models": model_hashes(),
        "inputs": files,
        "rows": {t: len(v) for t, v in sorted(tables.items())},
        "timings_seconds": {k: round(v, 3) for k, v in sorted(timings.items())} | {"total": round(seconds, 3)},
        "workers": workers,
    }


def write_run(out: Path, tables: dict[str, list[dict]], manifest_data: dict,
              extra: Callable[[Path], None] | None = None) -> None:
    """Write every table into a temporary sibling directory, then swap it into place.

    `extra(tmp)` adds more files to the new run before the swap (the document cache)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    tmp.mkdir()
    try:
        for name in SCHEMAS:
            write_table(to_arrow(name, tables.get(name, [])), tmp / f"{name}.parquet")
        if extra is not None:
            extra(tmp)
        (tmp / "manifest.json").write_text(json.dumps(manifest_data, ensure_ascii=False, indent=2, default=str) + "\n",
                                           encoding="utf-8")
        if out.exists() and exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # it now holds the previous run
            return
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _owner_alive(d: Path) -> bool:
    """Whether the run that made `.OUT.tmp-PID` / `.OUT.old-PID` is still running (another process)."""
    try:
        pid = int(d.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(out: Path) -> None:
    """Remove what killed runs left beside `out`: half-written temporary folders, and a previous
    run moved aside (put back if the kill came before the new run took its place)."""
    for d in sorted(out.parent.glob(f".{out.name}.old-*")):
        if _owner_alive(d):
            continue
        if not out.exists():
            d.rename(out)
        else:
            shutil.rmtree(d, ignore_errors=True)
    for d in out.parent.glob(f".{out.name}.tmp-*"):
        if not _owner_alive(d):
            shutil.rmtree(d, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE), so `b` is never
    missing, not even for an instant; False where the system cannot."""
    try:
        import ctypes

        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))
