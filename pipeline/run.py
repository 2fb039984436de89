"""A run: a folder of inputs → Parquet tables + manifest.json, written atomically.

Files are found recursively and de-duplicated by content; each distinct file is
processed by `process_file` in a local process pool. Tables are written to a
hidden temporary directory and renamed into place at the end, so a crashed run
never leaves half a run behind; rows are sorted so the same inputs give
byte-identical tables.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from .ingest import SUPPORTED, sha256_file
from .process import PIPELINE_VERSION, DocResult, process_file
from .schema import SCHEMA_VERSION, SCHEMAS, SORT_KEYS


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
                if f.is_file() and f.suffix.lower() in SUPPORTED and not any(x.startswith(".") for x in rel):
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


def hash_inputs(files: list[Path]) -> list[InputFile]:
    """One InputFile per distinct content; later paths with the same bytes become `duplicates`."""
    by_sha: dict[str, InputFile] = {}
    out: list[InputFile] = []
    for f in files:
        try:
            sha = sha256_file(f)
        except PermissionError as e:
            out.append(InputFile(str(f), None, {"doc_id": None, "source_path": str(f), "stage": "ingest",
                                                "error_type": "permission",
                                                "message": f"permission denied: {e.strerror}; make the file readable (chmod +r)"}))
            continue
        except OSError as e:
            out.append(InputFile(str(f), None, {"doc_id": None, "source_path": str(f), "stage": "ingest",
                                                "error_type": "io", "message": f"cannot read: {e.strerror}"}))
            continue
        if sha in by_sha:
            by_sha[sha].duplicates.append(str(f))
            continue
        inp = InputFile(str(f), sha)
        by_sha[sha] = inp
        out.append(inp)
    return out


def execute(inputs: list[InputFile], workers: int, on_result: Callable[[DocResult], None]) -> None:
    todo = [i for i in inputs if i.error is None]
    if workers <= 1 or len(todo) <= 1:
        for inp in todo:
            on_result(process_file(inp.path, inp.sha256))
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(process_file, i.path, i.sha256): i for i in todo}
        for fut in as_completed(futures):
            inp = futures[fut]
            try:
                on_result(fut.result())
            except Exception as e:  # a worker died (out of memory, killed)
                on_result(DocResult(inp.path, inp.sha256 or "", status="failed", errors=[{
                    "doc_id": (inp.sha256 or "")[:16], "source_path": inp.path, "stage": "worker",
                    "error_type": type(e).__name__, "message": f"worker crashed: {e}"}]))


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[table]
    names = schema.names
    rows = [{k: r.get(k) for k in names} for r in rows]
    keys = SORT_KEYS[table]
    rows.sort(key=lambda r: tuple((r[k] is None, r[k] if r[k] is not None else 0) for k in keys))
    return pa.Table.from_pylist(rows, schema=schema)


def write_table(t: pa.Table, path: Path) -> None:
    pq.write_table(t, path, compression="zstd", write_statistics=True, store_schema=True)


def run(paths: list[str | Path], out: str | Path, workers: int = 1, progress: bool | None = None,
        log: Callable[[str], None] | None = None) -> RunSummary:
    from tqdm import tqdm

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
        pages += r.n_pages or 0
        bar.update(1)
        bar.set_postfix(pages=pages, refresh=False)
        for e in r.errors:
            if e["error_type"] != "warning":
                bar.write(f"{r.status.upper()} {r.source_path}: [{e['stage']}] {e['message'].splitlines()[0]}",
                          file=sys.stderr)

    bar.update(len(errors))
    execute(inputs, workers, on_result)
    bar.close()

    tables: dict[str, list[dict]] = {t: [] for t in SCHEMAS}
    for r in results.values():
        for t, rows in r.tables.items():
            tables[t].extend(rows)
        errors.extend(r.errors)
    tables["errors"] = errors
    resolve_references(tables)

    write_run(out, tables, manifest(inputs, results, tables, workers, time.perf_counter() - t0))
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


def write_run(out: Path, tables: dict[str, list[dict]], manifest_data: dict) -> None:
    """Write every table into a temporary sibling directory, then swap it into place."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    tmp.mkdir()
    try:
        for name in SCHEMAS:
            write_table(to_arrow(name, tables.get(name, [])), tmp / f"{name}.parquet")
        (tmp / "manifest.json").write_text(json.dumps(manifest_data, ensure_ascii=False, indent=2, default=str) + "\n",
                                           encoding="utf-8")
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
