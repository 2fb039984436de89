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
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Callable, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from .ingest import SUPPORTED, IngestError, sha256_file
from .process import PIPELINE_VERSION, DocResult, memory_message, process_file, warm_up
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
DEFAULT_MAX_MEMORY = 2 << 30          # bytes of memory a worker may use (--max-memory)


def execute(inputs: list[InputFile], workers: int, on_result: Callable[[DocResult | Packed], None],
            timeout: float | None = DEFAULT_TIMEOUT, max_memory: int | None = DEFAULT_MAX_MEMORY,
            meanwhile: Callable[[], None] | None = None) -> None:
    """Process the readable inputs in `workers` processes, calling `on_result` as each finishes.

    A document still running after `timeout` seconds is stopped and recorded as failed
    (error_type timeout), one that needs more than `max_memory` bytes fails (error_type memory);
    with no timeout (None or 0) and one worker, documents run in this process, without those limits.
    `meanwhile` is called once in this process while the workers have their first documents.
    """
    todo = [i for i in inputs if i.error is None]
    if not todo:
        return
    from .ocr import configure

    configure(workers)   # pages of every scan share `workers` OCR slots across the worker processes
    if not timeout and (workers <= 1 or len(todo) <= 1):
        for inp in todo:
            on_result(process_file(inp.path, inp.sha256))
        return
    WorkerPool(max(1, min(workers, len(todo))), timeout or None, max_memory or None).map(todo, on_result, meanwhile)


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


def limit_memory(max_memory: int | None) -> None:
    """Cap this process's memory (heap and anonymous mappings, RLIMIT_DATA; else its address space):
    an allocation past the cap raises MemoryError, which fails the document, not the machine."""
    if not max_memory:
        return
    import resource

    for name in ("RLIMIT_DATA", "RLIMIT_AS"):
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            hard = resource.getrlimit(which)[1]
            cap = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
            resource.setrlimit(which, (cap, hard))
            return
        except (ValueError, OSError):
            continue


def _worker_main(conn, parent: int, max_memory: int | None = None) -> None:
    """A worker process: (path, sha256) in, DocResult out, until None or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    limit_memory(max_memory)
    os.environ["KEHOACH_MAX_MEMORY"] = str(max_memory or "")   # for the message of a document that hits it
    worker_gc()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = process_file(*task)
        try:
            result = pack(result)
        except MemoryError:  # the rows are too big to serialize under the memory cap
            result = failed_result(InputFile(*task), "memory", memory_message("output"))
        except Exception as e:  # a result that cannot be pickled
            result = failed_result(InputFile(*task), type(e).__name__,
                                   f"the result could not be sent back ({e}); please report this file")
        try:
            if isinstance(result, Pickled):     # what conn.send would write, pickled already
                conn.send_bytes(result.data)
            elif isinstance(result, Packed):    # the rows as bytes, after the summary (no pickled copy)
                summary, data, result = ForkingPickler.dumps(result.summary), result.data, None
                conn.send_bytes(PACKED)          # the summary is pickled before anything is written
                conn.send_bytes(summary)
                conn.send_bytes(data)
            else:
                conn.send(result)
        except OSError:
            return
        except Exception as e:  # a result that cannot be pickled
            conn.send(failed_result(InputFile(*task), type(e).__name__,
                                    f"the result could not be sent back ({e}); please report this file"))


def worker_gc() -> None:
    """The garbage collector of a worker: what the run loaded before forking (diacritic model,
    extractors) is frozen out of collections, and a collection waits for 20,000 new objects rather
    than 700. A document makes hundreds of thousands of short-lived objects and few cycles; with the
    defaults, full collections walking the loaded objects took a tenth of a text document's time."""
    import gc

    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


@dataclass
class Packed:
    """A worker's result as it travels to the run: the summary the run keeps (`_summary`) and the
    document's rows as the bytes of its cache entry (`pipeline.cache.serialize`), so the run never
    unpickles a big document's rows into Python objects."""

    summary: DocResult
    data: bytes


@dataclass
class Pickled:
    """A worker's result pickled whole, as `Connection.send` pickles: the run receives a DocResult."""

    data: bytes


#: A result pickled to at most this many bytes travels as it is and the run converts its rows to Arrow
#: (`pipeline.cache.serialize`) while the worker goes on with the next document: pickling costs a
#: worker a fifth of converting. A bigger result is converted in the worker (`Packed`), so the run
#: never holds a big document's rows as Python objects.
PICKLED_MAX = 4 << 20


def pack(r: DocResult) -> DocResult | Pickled | Packed:
    """A result ready to send: a failed one as it is (it has no rows), a small one `Pickled`, another
    `Packed`."""
    if r.status == "failed":
        return r
    data = ForkingPickler.dumps(r)
    if len(data) <= PICKLED_MAX:
        return Pickled(data)
    del data
    from .cache import serialize

    return Packed(_summary(r), serialize(r))


#: What a worker sends before a `Packed` result's pickled summary and rows (a pickle never starts so).
PACKED = b"packed"

#: Send buffer of a worker's end of its pipe: a document's pickled rows (up to `PICKLED_MAX`) are written
#: at once rather than in turns with the run's reads (Linux caps it at net.core.wmem_max).
SEND_BUFFER = PICKLED_MAX


def widen_send_buffer(conn) -> None:
    """Let `conn` (one end of a socket pair) write a whole result without waiting for the reader."""
    import socket

    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    except OSError:     # not a socket (a platform's pipe): the default buffer
        pass


def receive(conn) -> DocResult | Packed | bytes:
    """A worker's answer as it arrives: a `Packed` result, or the pickled result, to unpickle (`unpickle`)
    once the worker has its next document."""
    data = conn.recv_bytes()
    if data == PACKED:
        return Packed(ForkingPickler.loads(conn.recv_bytes()), conn.recv_bytes())
    return data


def unpickle(data: DocResult | Packed | bytes, inp: InputFile) -> DocResult | Packed:
    """The result of `receive`; one this process cannot unpickle is a failed document."""
    if not isinstance(data, bytes):
        return data
    try:
        return ForkingPickler.loads(data)
    except MemoryError:
        return failed_result(inp, "memory", memory_message("worker"))
    except Exception as e:
        return failed_result(inp, type(e).__name__,
                             f"the result could not be read back ({e}); please report this file")


@dataclass
class _Worker:
    proc: multiprocessing.process.BaseProcess
    conn: object
    task: InputFile | None = None
    started: float = 0.0
    done: int = 0


#: Documents a worker process takes before it is replaced by a fresh one: what a long run leaves in a
#: worker (caches filled with new words, a fragmented heap) never grows past this many documents.
WORKER_DOCS = 50


class WorkerPool:
    """Worker processes that take one document at a time. A worker that runs past the timeout
    or dies (a crash, SIGKILL, the kernel's out-of-memory killer) is killed and replaced and its
    document recorded as failed, so one pathological file costs at most `timeout` seconds and the
    run goes on; each worker's memory is capped at `max_memory` bytes (`limit_memory`)."""

    def __init__(self, size: int, timeout: float | None, max_memory: int | None = None):
        self.size, self.timeout, self.max_memory = size, timeout, max_memory
        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("fork" if "fork" in methods else None)

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        widen_send_buffer(child)
        proc = self.ctx.Process(target=_worker_main, args=(child, os.getpid(), self.max_memory), daemon=True,
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

    def map(self, todo: list[InputFile], on_result: Callable[[DocResult], None],
            meanwhile: Callable[[], None] | None = None) -> None:
        pending = deque(todo)
        warm_up()
        workers = [self._start() for _ in range(self.size)]
        tries: dict[str, int] = {}

        def hand_out(k: int) -> None:
            """The next pending document to worker k if it is idle (a new worker if it died)."""
            w = workers[k]
            if w.task is None and pending:
                task = pending.popleft()
                try:
                    w.conn.send((task.path, task.sha256))
                except OSError:  # the idle worker died: the document goes to a new one
                    self._stop(w)
                    workers[k] = self._start()
                    tries[task.path] = tries.get(task.path, 0) + 1
                    if tries[task.path] < 3:
                        pending.appendleft(task)
                    else:           # workers die before they can start: give up on it
                        on_result(failed_result(task, "crash", _crash_message(w.proc)))
                    return
                w.task, w.started = task, time.monotonic()

        try:
            while pending or any(w.task for w in workers):
                for k in range(len(workers)):
                    hand_out(k)
                busy = [w for w in workers if w.task is not None]
                if not busy:       # every send failed on a dead worker: hand the documents out again
                    continue
                if meanwhile is not None:
                    meanwhile()
                    meanwhile = None
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
                            result = receive(w.conn)
                        except MemoryError:  # this process cannot hold the result
                            w.proc.kill()
                            result = failed_result(inp, "memory", memory_message("worker"))
                        except Exception:  # EOF: the worker died without answering
                            result = failed_result(inp, "crash", _crash_message(w.proc))
                        w.task = None
                        w.done += 1
                        if not w.proc.is_alive() or (w.done >= WORKER_DOCS and pending):
                            self._stop(w)
                            workers[k] = self._start()
                        hand_out(k)       # the worker goes on while this process takes the result
                        on_result(unpickle(result, inp))
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
            "or run it alone with --workers 1 to see the error (a very large file may need a larger --max-memory)")


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[table]
    names = schema.names
    rows = [{k: r.get(k) for k in names} for r in rows]
    keys = SORT_KEYS[table]
    if table in UNIQUE_KEYS:
        rows = list({r[UNIQUE_KEYS[table]]: r for r in rows}.values())
    rows.sort(key=lambda r: tuple((r[k] is None, r[k] if r[k] is not None else 0) for k in keys))
    return pa.Table.from_pylist(rows, schema=schema)


def sort_table(table: str, t: pa.Table) -> pa.Table:
    """An Arrow table's rows in `to_arrow`'s order (SORT_KEYS, missing values last, stable)."""
    if t.num_rows < 2:
        return t
    import pyarrow.compute as pc

    return t.take(pc.sort_indices(t, sort_keys=[(k, "ascending", "at_end") for k in SORT_KEYS[table]]))


WRITE_OPTIONS = {"compression": "zstd", "write_statistics": True, "store_schema": True}


def write_table(t: pa.Table, path: Path) -> None:
    pq.write_table(t, path, **WRITE_OPTIONS)


#: A run's tables are written a batch of documents at a time (one row group per batch and table), in
#: doc_id order, so the rows of the whole run are never in memory at once. Batches depend only on the
#: documents (count and size), never on the order the workers finished in: the files stay byte-identical.
BATCH_DOCS = 32
BATCH_BYTES = 32 << 20


def per_document(table: str) -> bool:
    """Tables whose rows belong to one document and sort by doc_id first (written batch by batch);
    the others (errors, agencies) are small and written whole at the end."""
    return SORT_KEYS[table][0] == "doc_id" and table not in UNIQUE_KEYS


def doc_order(doc_id: str | None) -> tuple:
    """Documents in the order their rows sort in (`to_arrow`: a missing doc_id last)."""
    return (doc_id is None, doc_id or "")


class SortedTables(dict):
    """A document's per-document tables as Arrow tables in `TableWriter`'s order (`sorted_tables`), and
    their sizes (`nbytes`), taken once while the workers go on rather than again when they are written
    (`Table.nbytes` of a sorted table walks its buffers: 0.02 s for the 28 dev plans)."""

    nbytes: dict[str, int]


def sorted_tables(tables: dict[str, pa.Table]) -> SortedTables:
    """The per-document tables of `tables` sorted as `TableWriter.add` sorts them, ready to be written."""
    out = SortedTables({name: sort_table(name, t) for name, t in tables.items()
                        if name in SCHEMAS and per_document(name)})
    out.nbytes = {name: t.nbytes for name, t in out.items()}
    return out


#: Bytes of Arrow tables a run holds sorted, ready to write (`sorted_tables`), made as documents arrive
#: while the workers go on; the documents past it are read back from the spool when the tables are written.
PREPARED_BYTES = 32 << 20


class TableWriter:
    """The Parquet files of a run, written batch by batch; documents must come in `doc_order`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.pending: dict[str, list[pa.Table]] = {}
        self.docs = self.size = 0
        self.rows = {t: 0 for t in SCHEMAS}

    def add(self, tables: dict[str, list[dict] | pa.Table]) -> None:
        """One document's rows, as rows or Arrow tables (its per-document tables; others are ignored)."""
        for name in SCHEMAS:
            rows = tables.get(name)
            if rows is not None and len(rows) and per_document(name):
                if isinstance(tables, SortedTables):
                    t, size = rows, tables.nbytes[name]
                else:
                    t = sort_table(name, rows) if isinstance(rows, pa.Table) else to_arrow(name, rows)
                    size = t.nbytes
                self.pending.setdefault(name, []).append(t)
                self.size += size
        self.docs += 1
        if self.docs >= BATCH_DOCS or self.size >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        for name, parts in self.pending.items():
            t = pa.concat_tables(parts).combine_chunks()
            if name not in self.writers:
                self.writers[name] = pq.ParquetWriter(self.folder / f"{name}.parquet", t.schema, **WRITE_OPTIONS)
            self.writers[name].write_table(t)
            self.rows[name] += t.num_rows
        self.pending, self.docs, self.size = {}, 0, 0

    def close(self, shared: dict[str, list[dict]]) -> dict[str, int]:
        """Write the last batch and the shared tables; the number of rows written per table."""
        self.flush()
        for name in SCHEMAS:
            if name in self.writers:
                self.writers[name].close()
            else:
                t = to_arrow(name, [] if per_document(name) else shared.get(name, []))
                write_table(t, self.folder / f"{name}.parquet")
                self.rows[name] = t.num_rows
        return self.rows


class Spool:
    """Documents' results on disk until the tables are written, so the run holds only small summaries:
    an unlinked temporary file (nothing is left behind if the run is killed), one Arrow IPC file per
    result, as in the cache (`pipeline.cache.serialize`)."""

    def __init__(self, folder: Path):
        import tempfile

        self.file = tempfile.TemporaryFile(dir=folder, prefix=".kehoach-spool-")

    def put(self, data: bytes) -> tuple[int, int]:
        self.file.seek(0, os.SEEK_END)
        at = self.file.tell()
        self.file.write(data)
        return at, len(data)

    def get(self, where: tuple[int, int]) -> bytes:
        self.file.seek(where[0])
        return self.file.read(where[1])

    def close(self) -> None:
        self.file.close()


def _summary(r: DocResult) -> DocResult:
    """What a run keeps of a document until its rows are written: status, errors, timings, and the rows
    needed across documents (its documents row for references; its rows of shared tables, merged at once)."""
    return DocResult(r.source_path, r.sha256, r.status,
                     {t: r.tables[t] for t in ("documents", *UNIQUE_KEYS) if t in r.tables},
                     r.errors, r.timings, r.n_pages)


def run(paths: list[str | Path], out: str | Path, workers: int = 1, progress: bool | None = None,
        log: Callable[[str], None] | None = None, cache: bool = True, dask: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT, max_memory: int | None = DEFAULT_MAX_MEMORY) -> RunSummary:
    """Process `paths` into the run folder `out`; unchanged files are taken from `out`'s cache
    (`cache=False` processes everything); `dask` is a scheduler address or "local" to use a Dask cluster;
    a document taking more than `timeout` seconds is stopped and recorded as failed (None: no limit), one
    needing more than `max_memory` bytes fails (worker processes only; None: no limit).

    Each document's result goes to a spool file as it arrives; the tables are then written in doc_id
    order a batch at a time, so memory does not grow with the number of documents."""
    from tqdm import tqdm

    from .cache import DocCache, deserialize, entry_tables, serialize

    t0 = time.perf_counter()
    out = Path(out)
    log = log or (lambda s: print(s, file=sys.stderr))
    files = find_inputs(paths)
    inputs = hash_inputs(files)
    results: dict[str, DocResult] = {}             # summaries (`_summary`)
    held: dict[str, tuple[int, int] | DocResult] = {}   # where a document's rows are: in the spool, or here
    input_errors: list[dict] = [i.error for i in inputs if i.error]
    for e in input_errors:
        log(f"FAILED {e['source_path']}: {e['message']}")

    bar = tqdm(total=len(inputs), unit="doc", disable=progress is False if progress is not None else None,
               file=sys.stderr, dynamic_ncols=True)
    pages = 0
    out.resolve().parent.mkdir(parents=True, exist_ok=True)
    spool = Spool(out.resolve().parent)

    def keep(r: DocResult | Packed) -> DocResult:
        """Put the document's rows in the spool (a failed one has none to speak of); its summary."""
        if isinstance(r, DocResult) and r.status == "failed":
            held[r.source_path] = r
            return r
        summary, data = (r.summary, r.data) if isinstance(r, Packed) else (_summary(r), serialize(r))
        try:
            held[summary.source_path] = spool.put(data)
        except OSError as e:  # a full disk: keep the rows here rather than lose them
            log(f"could not spool {summary.source_path} ({e}); its rows stay in memory")
            held[summary.source_path] = deserialize(data)
            return summary
        prepare(summary.source_path, data)
        return summary

    prepared: dict[str, SortedTables] = {}
    prepared_bytes = 0

    def prepare(source_path: str, data: bytes) -> None:
        """A document's tables sorted and ready to write, while the workers go on (up to PREPARED_BYTES)."""
        nonlocal prepared_bytes
        if prepared_bytes < PREPARED_BYTES:
            tables = prepared[source_path] = sorted_tables(entry_tables(data))
            prepared_bytes += sum(tables.nbytes.values())

    position = {inp.path: k for k, inp in enumerate(inputs)}
    shared: dict[str, dict] = {t: {} for t in UNIQUE_KEYS}     # key → (input position, row), the last kept

    def merge(r: DocResult) -> None:
        """Rows of the shared tables: per key, that of the last document in input order (as `to_arrow`
        keeps the last of the run's rows in input order), so memory holds one row per key."""
        at = position.get(r.source_path, -1)
        for table, key in UNIQUE_KEYS.items():
            for row in r.tables.pop(table, []):
                k = row.get(key)
                if k not in shared[table] or shared[table][k][0] <= at:
                    shared[table][k] = (at, row)

    def on_result(result: DocResult | Packed) -> None:
        nonlocal pages
        r = keep(result)                   # from here on, the summary
        merge(r)
        results[r.source_path] = r
        store.put(r)
        pages += r.n_pages or 0
        bar.update(1)
        bar.set_postfix(pages=pages, refresh=False)
        for e in r.errors:
            if e["error_type"] != "warning":
                bar.write(f"{r.status.upper()} {r.source_path}: [{e['stage']}] {e['message'].splitlines()[0]}",
                          file=sys.stderr)

    def rows_of(source_path: str) -> dict[str, list[dict] | pa.Table]:
        if source_path in prepared:
            return prepared.pop(source_path)
        h = held[source_path]
        return h.tables if isinstance(h, DocResult) else entry_tables(spool.get(h))

    try:
        bar.update(len(input_errors))
        store = DocCache(out, reuse=cache)
        todo = []
        for inp in inputs:
            hit = store.get(inp.path, inp.sha256) if inp.error is None else None
            if hit is None:
                todo.append(inp)
            else:
                hit.timings = {}
                on_result(hit)
                del hit
        if dask:
            from .cluster import execute_dask

            execute_dask(todo, dask, workers, on_result)
        else:
            execute(todo, workers, on_result, timeout=timeout, max_memory=max_memory, meanwhile=prepare_writing)
        bar.close()

        done = [results[i.path] for i in inputs if i.path in results]     # input order, as `stage_export`
        errors = input_errors + [e for r in done for e in r.errors]
        by_number = numbers([d for r in done for d in r.tables.get("documents", [])])

        def documents() -> Iterable[dict[str, list[dict] | pa.Table]]:
            for path in sorted(held, key=lambda p: doc_order(results[p].sha256[:16] or None)):
                tables = rows_of(path)
                refs = tables.get("legal_refs")
                if isinstance(refs, pa.Table):
                    tables["legal_refs"] = resolve_table(refs, by_number)
                else:
                    for row in refs or []:
                        resolve_reference(row, by_number)
                yield tables

        def manifest_of(rows: dict[str, int]) -> dict:
            mf = manifest(inputs, results, rows, workers, time.perf_counter() - t0)
            mf["cache"] = {"reused": len(store.hits), "processed": sum(1 for i in todo if i.error is None)}
            return mf

        def load_entry(r: DocResult) -> bytes:
            h = held[r.source_path]
            return serialize(h) if isinstance(h, DocResult) else spool.get(h)

        rows = write_tables(out, documents(), {"errors": errors} | {t: [row for _, row in kept.values()]
                                                                    for t, kept in shared.items()}, manifest_of,
                            extra=lambda tmp: store.write(tmp, load_entry))
    finally:
        bar.close()
        spool.close()
    statuses = [r.status for r in results.values()] + ["failed"] * sum(1 for i in inputs if i.error)
    return RunSummary(out, statuses.count("ok"), statuses.count("partial"), statuses.count("failed"),
                      rows, time.perf_counter() - t0)


def prepare_writing() -> None:
    """What writing a run needs besides the rows, made while the workers process documents (this
    process is idle then): the digests of the code and the model (cache entries, manifest) and
    pyarrow's compute functions (sorting the rows)."""
    import pyarrow.compute  # noqa: F401

    from .cache import fingerprint
    from .params import model_hashes

    fingerprint()
    model_hashes()


def numbers(documents: list[dict]) -> dict[str, str]:
    """Document number (upper-case) → doc_id, for `resolve_reference`."""
    return {d["doc_number"].upper(): d["doc_id"] for d in documents if d.get("doc_number")}


def resolve_reference(row: dict, by_number: dict[str, str]) -> None:
    """legal_refs.resolved_doc_id of one row: the run's document whose number is the cited canonical id."""
    cid = (row.get("canonical_id") or "").upper()
    row["resolved_doc_id"] = by_number.get(cid) if by_number.get(cid) != row.get("doc_id") else None


def resolve_table(t: pa.Table, by_number: dict[str, str]) -> pa.Table:
    """`resolve_reference` on every row of an Arrow legal_refs table."""
    rows = [{"canonical_id": c, "doc_id": d} for c, d in zip(t.column("canonical_id").to_pylist(),
                                                             t.column("doc_id").to_pylist())]
    for r in rows:
        resolve_reference(r, by_number)
    i = t.schema.get_field_index("resolved_doc_id")
    return t.set_column(i, t.schema.field(i), pa.array([r["resolved_doc_id"] for r in rows], pa.string()))


def resolve_references(tables: dict[str, list[dict]]) -> None:
    """legal_refs.resolved_doc_id: the run's document whose number is the cited canonical id."""
    by_number = numbers(tables["documents"])
    for r in tables["legal_refs"]:
        resolve_reference(r, by_number)


def manifest(inputs: list[InputFile], results: dict[str, DocResult], tables: dict[str, list[dict] | int],
             workers: int, seconds: float) -> dict:
    """The run's manifest.json; `tables` gives the rows of each table (or their number)."""
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
        "rows": {t: v if isinstance(v, int) else len(v) for t, v in sorted(tables.items())},
        "timings_seconds": {k: round(v, 3) for k, v in sorted(timings.items())} | {"total": round(seconds, 3)},
        "workers": workers,
    }


def write_run(out: Path, tables: dict[str, list[dict]], manifest_data: dict,
              extra: Callable[[Path], None] | None = None) -> None:
    """Write every table into a temporary sibling directory, then swap it into place (the same files
    as `run` writes for these rows).

    `extra(tmp)` adds more files to the new run before the swap (the document cache)."""
    by_doc: dict[str | None, dict[str, list[dict]]] = {}
    for name, rows in tables.items():
        if name in SCHEMAS and per_document(name):
            for r in rows:
                by_doc.setdefault(r.get("doc_id"), {}).setdefault(name, []).append(r)
    documents = (by_doc[d] for d in sorted(by_doc, key=doc_order))
    shared = {name: rows for name, rows in tables.items() if name in SCHEMAS and not per_document(name)}
    write_tables(Path(out), documents, shared, lambda rows: manifest_data, extra)


def write_tables(out: Path, documents: Iterable[dict[str, list[dict]]], shared: dict[str, list[dict]],
                 manifest_of: Callable[[dict[str, int]], dict], extra: Callable[[Path], None] | None = None
                 ) -> dict[str, int]:
    """The run folder `out` from each document's rows (in `doc_order`) and the shared tables: written
    into a temporary sibling directory, then swapped into place. Returns the rows written per table."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    tmp.mkdir()
    try:
        writer = TableWriter(tmp)
        for tables in documents:
            writer.add(tables)
        rows = writer.close(shared)
        if extra is not None:
            extra(tmp)
        (tmp / "manifest.json").write_text(json.dumps(manifest_of(rows), ensure_ascii=False, indent=2, default=str)
                                           + "\n", encoding="utf-8")
        if out.exists() and exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # it now holds the previous run
            return rows
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return rows


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
