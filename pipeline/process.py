"""One file → a Document → rows for every table. Pure: depends only on the bytes and the pipeline version.

Components run in order like a spaCy pipeline: ingest, normalize, restore,
segment, then the extractors; a failing extractor makes the document
`partial` and the other tables are still written.
"""
from __future__ import annotations

import importlib
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .ingest import IngestError, Notice, ingest
from .model import Document, Restoration
from .normalize import looks_like_markdown, normalize
from .segment import segment
from .tables import cell_rows

PIPELINE_VERSION = "0.1.0"

#: (table, module): each module has `extract(doc) -> list[dict]`.
EXTRACTORS: list[tuple[str, str]] = [
    ("legal_refs", "extractors.legal_refs"),
    ("targets", "extractors.targets"),
    ("deadlines", "extractors.deadlines"),
    ("assignments", "extractors.assignments"),
]


@dataclass
class DocResult:
    """Everything one document contributes to a run."""

    source_path: str
    sha256: str
    status: str = "ok"                                  # ok | partial | failed
    tables: dict[str, list[dict]] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    n_pages: int | None = None


def restore_text(text: str) -> tuple[str, list[Restoration], bool, float]:
    import diacritics

    r = diacritics.restore(text)
    return r.text, list(r.changes), bool(r.restored), float(r.share)


def _shift(positions: list[int], changes: list[Restoration]) -> list[int]:
    """Move offsets of the pre-restoration text into the restored text when lengths changed."""
    deltas = sorted(((c.char_start, (c.char_end - c.char_start) - len(c.original)) for c in changes))
    out = []
    for p in positions:
        shift, acc = 0, 0
        for start, d in deltas:
            if start - acc >= p:
                break
            shift += d
            acc += d
        out.append(p + shift)
    return out


def build_document(path: str | Path, sha256: str | None = None, restore: bool = True,
                   timings: dict[str, float] | None = None) -> Document:
    """ingest → normalize → restore diacritics → segment → metadata."""
    timings = {} if timings is None else timings
    t = time.perf_counter()
    raw = ingest(path, sha256)
    timings["ingest"] = time.perf_counter() - t
    t = time.perf_counter()
    markdown = raw.file_type == "md" or (raw.file_type == "txt" and looks_like_markdown(raw.pages[0].text))
    norm = normalize(raw.pages, markdown=markdown, physical=raw.file_type in ("pdf", "image"))
    timings["normalize"] = time.perf_counter() - t
    text, changes, restored, share = norm.text, [], False, 0.0
    page_starts = list(norm.page_starts)
    if restore:
        t = time.perf_counter()
        try:
            text, changes, restored, share = restore_text(norm.text)
        except MemoryError:  # past the worker's --max-memory: the document fails (process_file)
            raise
        except Exception as e:  # the unrestored text is still worth extracting from
            raw.warnings.append(Notice(f"diacritic restoration failed ({type(e).__name__}: {e}); the text was kept "
                                       "as read, so marks may be missing (please report this file)",
                                       "restore_failed", partial=True, stage="restore"))
            text, changes, restored, share = norm.text, [], False, 0.0
        if len(text) != len(norm.text):
            page_starts = _shift(page_starts, changes)
        timings["restore"] = time.perf_counter() - t
    t = time.perf_counter()
    doc = Document(raw=raw, text=text, raw_text=norm.text, page_starts=page_starts,
                   restorations=changes, diacritics_restored=restored, restored_share=share)
    doc.sections = segment(text, page_starts if raw.file_type in ("pdf", "image") else [],
                           ocr=any(p.method == "ocr" for p in raw.pages))
    timings["segment"] = time.perf_counter() - t
    attach_metadata(doc)
    t = time.perf_counter()
    attach_tables(doc)
    timings["tables"] = time.perf_counter() - t
    return doc


def attach_tables(doc: Document) -> None:
    """doc.tables from pipeline.tables (every form of table, located in doc.text); a failure leaves
    none and makes the document partial."""
    from .tables import find_tables

    try:
        find_tables(doc)
        doc._memo()["tables_found"] = True   # for this text and these sections (extract_all)
    except Exception as e:  # the other tables do not need the document's tables
        doc.raw.warnings.append(Notice(f"tables could not be read ({type(e).__name__}: {e}); table_cells and "
                                       "task-table rows are missing (please report this file)", "tables_failed",
                                       partial=True, stage="tables"))
        doc.tables = []


def attach_metadata(doc: Document) -> None:
    """doc.meta from the metadata extractor; a failure leaves it empty and the document partial."""
    from extractors import metadata

    try:
        doc.meta = metadata.extract(doc)
    except Exception as e:  # the other tables do not need the metadata
        doc.raw.warnings.append(Notice(f"metadata extractor failed ({type(e).__name__}: {e}); number, issuer and "
                                       "date are missing (please report this file)", "metadata_failed",
                                       partial=True, stage="metadata"))
        doc.meta = {}


def memory_message(stage: str) -> str:
    """What to say of a document that needed more memory than a worker may use (--max-memory)."""
    cap = os.environ.get("KEHOACH_MAX_MEMORY") or ""
    size = ""
    if cap.isdigit():
        n = int(cap)
        size = f" ({n / (1 << 30):g} GB, --max-memory)" if n >= 1 << 30 else f" ({n >> 20} MB, --max-memory)"
    return (f"ran out of memory in the {stage} stage: the document needs more than a worker may use{size}; "
            "it is very large or pathological (one huge line?): split it, or run it again with a larger "
            "--max-memory")


def process_file(path: str | Path, sha256: str | None = None) -> DocResult:
    """The per-document function of a run (also what workers and Dask execute)."""
    path = str(path)
    res = DocResult(source_path=path, sha256=sha256 or "")
    try:
        return _process_file(path, sha256, res)
    except MemoryError:  # past the worker's --max-memory (pipeline.run.limit_memory)
        res.tables = {}
        stage = next((s for s in ("ingest", "normalize", "restore", "segment", *(t for t, _ in EXTRACTORS))
                      if s not in res.timings), "output")
        res.errors.append(_error(path, sha256, stage, "memory", memory_message(stage)))
        return failed(res)


def _process_file(path: str, sha256: str | None, res: DocResult) -> DocResult:
    try:
        doc = build_document(path, sha256, timings=res.timings)
    except IngestError as e:
        res.errors.append(_error(path, sha256, e.stage, e.error_type, str(e)))
        return failed(res)
    except MemoryError:
        raise
    except Exception as e:  # a bug or an unforeseen file: record it, never stop the run
        res.errors.append(_error(path, sha256, failed_stage(res.timings), type(e).__name__,
                                 f"{type(e).__name__}: {e}; the document was skipped (please report this file)",
                                 tb=traceback.format_exc()))
        return failed(res)
    return extract_all(doc, res)


FILE_TYPES = {".pdf": "pdf", ".txt": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".doc": "doc",
              ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image"}


def failed(res: DocResult) -> DocResult:
    """A document that could not be read: no rows but its `documents` row (status failed, the reason)."""
    res.status, res.tables = "failed", {}
    if res.sha256:
        res.tables["documents"] = [{
            "doc_id": res.sha256[:16], "source_path": res.source_path, "source_sha256": res.sha256,
            "file_type": FILE_TYPES.get(Path(res.source_path).suffix.lower()), "recipients": [],
            "pipeline_version": PIPELINE_VERSION, "status": "failed",
            "error": "; ".join(e["message"].splitlines()[0] for e in res.errors) or None}]
    return res


def extract_all(doc: Document, res: DocResult) -> DocResult:
    """Every extractor on a built document, then the per-document tables (also the DVC extract stage)."""
    path = res.source_path
    res.sha256 = doc.raw.sha256
    res.n_pages = doc.raw.n_pages
    if not doc.tables and not doc._memo().get("tables_found") and not any(
            getattr(w, "error_type", "") == "tables_failed" for w in doc.raw.warnings):
        attach_tables(doc)  # a document rebuilt from a stage's JSON (dvc) has not looked for them yet
    for w in doc.raw.warnings:
        res.errors.append(_error(path, res.sha256, getattr(w, "stage", "ingest"), getattr(w, "error_type", "warning"),
                                 str(w)))
        if getattr(w, "partial", False):
            res.status = "partial"
    for table, module in EXTRACTORS:
        t = time.perf_counter()
        try:
            rows = importlib.import_module(module).extract(doc)
        except MemoryError:  # past the worker's --max-memory: the other tables are still written
            res.status = "partial"
            res.errors.append(_error(path, res.sha256, table, "memory", memory_message(table)))
            continue
        except Exception as e:  # no rows from this extractor; the others still run
            res.status = "partial"
            res.errors.append(_error(path, res.sha256, table, type(e).__name__,
                                     f"{table} extractor failed ({type(e).__name__}: {e}); the other tables of this "
                                     "document were written (please report this file)", tb=traceback.format_exc()))
            continue
        finally:
            res.timings[table] = time.perf_counter() - t
        res.tables[table] = rows
    try:
        return _finish(res, doc)
    except MemoryError:
        raise
    except Exception as e:  # rows that cannot be built would be wrong rows: keep none of them
        res.errors.append(_error(path, res.sha256, "output", type(e).__name__,
                                 f"{type(e).__name__}: {e}; the document was skipped (please report this file)",
                                 tb=traceback.format_exc()))
        return failed(res)


def warm_up() -> None:
    """Import the extractors and load the diacritic model once, before worker processes fork:
    workers then share them, and a document's time limit does not pay for loading them."""
    for _, module in EXTRACTORS + [("metadata", "extractors.metadata"), ("tasks", "extractors.tasks"),
                                   ("targets", "extractors.table_targets"), ("tables", "pipeline.tables")]:
        try:
            importlib.import_module(module)
        except Exception:  # a broken extractor is reported per document, where it fails
            pass
    arrow_without_pandas()
    try:
        import diacritics

        getattr(diacritics, "load_model", lambda: None)()
    except Exception:
        pass


class _NoPandas:
    """An import hook under which `import pandas` fails (see `arrow_without_pandas`)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("pandas is not needed to convert rows", name=name)
        return None


def arrow_without_pandas() -> None:
    """Have pyarrow convert Python rows without importing pandas (0.3 s per process).

    The first time pyarrow converts a Python list it imports pandas, only to ask whether the list is a
    pandas object; rows never are. Its first conversion is made while pandas cannot be imported, so it
    takes pandas as absent for that question; it still imports pandas when asked to convert to or from
    pandas. Nothing changes where pandas is already imported."""
    import sys

    import pyarrow as pa

    if "pandas" in sys.modules:
        return
    hook = _NoPandas()
    sys.meta_path.insert(0, hook)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(hook)


def failed_stage(timings: dict[str, float]) -> str:
    """The stage build_document was in when it raised: the first one without a timing."""
    return next((s for s in ("ingest", "normalize", "restore", "segment") if s not in timings), "metadata")


def _finish(res: DocResult, doc: Document) -> DocResult:
    """Link the extracted rows and add the per-document tables."""
    link(res.tables, doc)
    from extractors import tasks

    tasks.attach(doc, res.tables)
    res.tables["agencies"] = agency_table(doc, res.tables)
    res.tables["sections"] = [section_row(doc, s) for s in doc.sections]
    res.tables["table_cells"] = cell_rows(doc)
    res.tables["texts"] = [{"doc_id": doc.doc_id, "text": doc.text, "raw_text": doc.raw_text}]
    res.tables["restorations"] = [
        {"doc_id": doc.doc_id, "char_start": c.char_start, "char_end": c.char_end, "original": c.original,
         "restored": c.restored, "confidence": c.confidence, "alternatives": list(c.alternatives)}
        for c in doc.restorations]
    res.tables["documents"] = [document_row(doc, res)]
    return res


def agency_table(doc: Document, tables: dict[str, list[dict]]) -> list[dict]:
    """`agencies` rows for the agencies this document assigns work to (shared across the run)."""
    from extractors.agencies import agency_rows
    from extractors.assignments import jurisdiction_of

    met = sorted({(r["agency_id"], r["agency_name"], r["agency_type"]) for r in tables.get("assignments", [])
                  if r.get("agency_id")})
    return agency_rows(met, jurisdiction_of(doc))


def _error(path: str, sha: str | None, stage: str, error_type: str, message: str, tb: str | None = None) -> dict:
    if tb:
        message = f"{message}\n{tb.strip().splitlines()[-1]}"
    return {"doc_id": (sha or "")[:16] or None, "source_path": path, "stage": stage,
            "error_type": error_type, "message": message}


def section_row(doc: Document, s) -> dict:
    return {"doc_id": doc.doc_id, "section_id": s.section_id, "parent_id": s.parent_id, "level": s.level,
            "kind": s.kind, "label": s.label, "heading": s.heading, "text": doc.text[s.char_start:s.char_end],
            "char_start": s.char_start, "char_end": s.char_end, "page_start": s.page_start,
            "page_end": s.page_end, "ordinal": s.ordinal}


def document_row(doc: Document, res: DocResult) -> dict:
    raw = doc.raw
    return {
        "doc_id": doc.doc_id, "source_path": raw.source_path, "source_sha256": raw.sha256,
        "file_type": raw.file_type, "ingest_method": raw.ingest_method, "n_pages": raw.n_pages,
        "ocr_mean_confidence": raw.ocr_mean_confidence, "encoding_detected": raw.encoding,
        "diacritics_restored": doc.diacritics_restored, "restored_share": round(doc.restored_share, 6),
        **doc.meta, "n_chars": len(doc.text), "pipeline_version": PIPELINE_VERSION,
        "status": res.status,
        "error": "; ".join(e["message"].splitlines()[0] for e in res.errors if e["error_type"] != "warning") or None,
    }


def link(tables: dict[str, list[dict]], doc: Document) -> None:
    """Deadlines ↔ assignments stated in the same sentence or list item."""
    deadlines, assignments = tables.get("deadlines", []), tables.get("assignments", [])
    if not deadlines or not assignments:
        return
    span = {id(r): doc.sentence_span(r["char_start"], r["char_end"]) for r in deadlines + assignments}
    for d in deadlines:
        ds = span[id(d)]
        same = [a for a in assignments if span[id(a)] == ds]
        d["agency_ids"] = sorted({a["agency_id"] for a in same if a.get("agency_id")})
        for a in same:
            a["deadline_ids"] = sorted(set(a.get("deadline_ids") or []) | {d["deadline_id"]})
