"""Incremental runs: each document's result is kept in `OUT/.cache/` and reused when nothing it depends on changed.

An entry's key is the file's sha256, its path (paths are written into the
tables) and the pipeline fingerprint: PIPELINE_VERSION, SCHEMA_VERSION, the
run parameters and the digest of every file of the code, vocabularies and the
diacritic model. Any change to those processes the documents again, so a re-run
gives the same tables as a clean run. An entry is one Arrow IPC file (no
pickles): one row, one `list<struct>` column per table plus the result's
status, errors and timings as JSON. Entries live inside the run folder, so the
atomic swap of a run carries them along (hard links into the new folder).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import cache
from pathlib import Path
from typing import Callable

import pyarrow as pa

from .process import PIPELINE_VERSION, DocResult
from .schema import SCHEMA_VERSION, SCHEMAS

CACHE_DIR = ".cache"
PACKAGES = ("pipeline", "extractors", "diacritics")
ROOT = Path(__file__).resolve().parent.parent
#: Failures that may not happen again (a killed worker, a time limit): never cached.
TRANSIENT_STAGES = {"worker", "timeout"}


def _file_digest(path: Path, h) -> None:
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)


@cache
def fingerprint() -> str:
    """Digest of everything besides the input bytes that a document's result depends on."""
    from .params import load_params

    h = hashlib.sha256()
    h.update(json.dumps({"pipeline": PIPELINE_VERSION, "schema": SCHEMA_VERSION, "params": load_params()},
                        sort_keys=True, default=str).encode())
    for pkg in PACKAGES:
        base = ROOT / pkg
        for f in sorted(base.rglob("*")):
            rel = f.relative_to(ROOT).as_posix()
            if not f.is_file() or "__pycache__" in f.parts or f.suffix == ".pyc":
                continue
            h.update(rel.encode() + b"\0")
            _file_digest(f, h)
            h.update(b"\0")
    return h.hexdigest()


def entry_name(sha256: str, source_path: str) -> str:
    key = hashlib.sha256(f"{sha256}\0{source_path}\0{fingerprint()}".encode()).hexdigest()[:32]
    return f"{key}.arrow"


def cacheable(r: DocResult) -> bool:
    return r.status != "failed" and not any(e.get("stage") in TRANSIENT_STAGES for e in r.errors)


def _arrow_schema() -> pa.Schema:
    fields = [pa.field(name, pa.list_(pa.struct(list(schema)))) for name, schema in SCHEMAS.items()
              if name != "errors"]
    return pa.schema(fields + [pa.field("result", pa.string())])


def to_arrow(r: DocResult) -> pa.Table:
    schema = _arrow_schema()
    data = {}
    for name in schema.names[:-1]:
        data[name] = [r.tables.get(name, [])]      # the struct type picks its fields (no copy of the rows)
    meta = {"source_path": r.source_path, "sha256": r.sha256, "status": r.status, "errors": r.errors,
            "timings": r.timings, "n_pages": r.n_pages, "tables": sorted(r.tables)}
    data["result"] = [json.dumps(meta, ensure_ascii=False, sort_keys=True)]
    return pa.Table.from_pydict(data, schema=schema)


def from_arrow(t: pa.Table) -> DocResult:
    meta = json.loads(t.column("result")[0].as_py())
    tables = {name: t.column(name)[0].as_py() for name in meta["tables"] if name in t.column_names}
    return DocResult(source_path=meta["source_path"], sha256=meta["sha256"], status=meta["status"],
                     tables=tables, errors=meta["errors"], timings=meta["timings"], n_pages=meta["n_pages"])


def serialize(r: DocResult) -> bytes:
    """The bytes of r's entry (an Arrow IPC file)."""
    sink = pa.BufferOutputStream()
    t = to_arrow(r)
    with pa.ipc.new_file(sink, t.schema) as writer:
        writer.write_table(t)
    return sink.getvalue().to_pybytes()


def deserialize(data: bytes) -> DocResult:
    return from_arrow(pa.ipc.open_file(pa.py_buffer(data)).read_all())


def entry_tables(data: bytes) -> dict[str, pa.Table]:
    """The rows of an entry (`serialize`d bytes) as one Arrow table per table, in the order they were
    produced, without making Python objects of them (a run writes its tables from these)."""
    t = pa.ipc.open_file(pa.py_buffer(data)).read_all()
    meta = json.loads(t.column("result")[0].as_py())
    out = {}
    for name in meta["tables"]:
        if name in t.column_names:
            rows = t.column(name).combine_chunks().flatten()
            table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(rows)])
            out[name] = table if table.schema.equals(SCHEMAS[name], check_metadata=True) else table.cast(SCHEMAS[name])
    return out


def save(r: DocResult | bytes, path: Path) -> None:
    """Write an entry (a result, or its `serialize`d bytes) atomically."""
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as f:
        f.write(r if isinstance(r, bytes) else serialize(r))
    os.replace(tmp, path)


def load(path: Path) -> DocResult | None:
    """The cached result, or None when the entry is missing or unreadable (then the file is processed)."""
    try:
        with pa.memory_map(str(path), "r") as src:
            return from_arrow(pa.ipc.open_file(src).read_all())
    except (OSError, pa.ArrowInvalid, KeyError, ValueError):
        return None


class DocCache:
    """The cache of one run folder: look up entries of the previous run, write the next run's entries.

    `reuse=False` (`kehoach run --no-cache`) processes every file but still writes the new entries."""

    def __init__(self, out: str | Path, reuse: bool = True):
        self.old = Path(out) / CACHE_DIR
        self.reuse = reuse
        self.hits: dict[str, str] = {}       # source_path -> entry name reused
        self.fresh: dict[str, DocResult] = {}

    def get(self, source_path: str, sha256: str | None) -> DocResult | None:
        if not self.reuse or sha256 is None:
            return None
        name = entry_name(sha256, source_path)
        r = load(self.old / name) if (self.old / name).is_file() else None
        if r is not None and r.source_path == source_path and r.sha256 == sha256:
            self.hits[source_path] = name
            return r
        return None

    def put(self, r: DocResult) -> None:
        if r.sha256 and cacheable(r) and r.source_path not in self.hits:
            self.fresh[r.source_path] = r

    def write(self, new_run: Path, load: Callable[[DocResult], DocResult | bytes] | None = None) -> None:
        """Fill `new_run/.cache` with the entries this run used (old ones hard-linked, new ones written;
        `load(r)` gives the full result or its entry's bytes when `put` was given a summary)."""
        dest = new_run / CACHE_DIR
        dest.mkdir(exist_ok=True)
        for name in self.hits.values():
            try:
                os.link(self.old / name, dest / name)
            except OSError:
                try:
                    shutil.copy2(self.old / name, dest / name)
                except OSError:
                    continue  # the next run processes that file again
        for r in self.fresh.values():
            save(load(r) if load else r, dest / entry_name(r.sha256, r.source_path))
