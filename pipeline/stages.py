"""The pipeline as separate stages for DVC (dvc.yaml): `python -m pipeline.stages STAGE ...`.

Each stage reads the folder the previous one wrote, so DVC re-runs only what
changed (a new extractor rule re-runs extract, export and evaluate, not OCR):

  ingest    INPUT... --out build/ingested    one JSON per file: pages as read + normalized text
  restore   build/ingested --out build/restored     + restored text and the edit log
  segment   build/restored --out build/segmented    + the section tree
  extract   build/segmented --out build/extracted   every table's rows (the run cache's Arrow format)
  export    build/extracted --out outputs/dvc       Parquet tables + manifest.json, as `kehoach run`
  evaluate  outputs/dvc --gold tests/gold/seeds --metrics metrics.json   precision/recall per extractor

Intermediate files are JSON (no pickles). The stages call the same functions
as `kehoach run` (pipeline.process), and the export equals a `kehoach run` of
the same inputs byte for byte (tests/test_dvc.py checks it).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

INPUTS_FILE = "inputs.json"


# ---------------------------------------------------------------- files

def _key(source_path: str) -> str:
    return hashlib.sha256(source_path.encode("utf-8")).hexdigest()[:16]


def _fresh(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    return out


def _write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _docs(folder: Path):
    for f in sorted(folder.glob("*.json")):
        if f.name != INPUTS_FILE:
            yield json.loads(f.read_text(encoding="utf-8"))


def _carry_inputs(src: Path, out: Path) -> None:
    shutil.copy2(src / INPUTS_FILE, out / INPUTS_FILE)


def _failed(d: dict, stage: str, e: Exception) -> dict:
    from .ingest import IngestError
    from .process import _error

    if isinstance(e, IngestError):
        err = _error(d["source_path"], d["sha256"], e.stage, e.error_type, str(e))
    else:
        err = _error(d["source_path"], d["sha256"], stage, type(e).__name__, f"{e} (please report this file)",
                     tb=traceback.format_exc())
    return {**d, "status": "failed", "errors": d.get("errors", []) + [err]}


# ---------------------------------------------------------------- documents as JSON

def _warning_json(w) -> dict:
    return {"message": str(w), "error_type": getattr(w, "error_type", "warning"),
            "partial": bool(getattr(w, "partial", False)), "stage": getattr(w, "stage", "ingest")}


def _warning(w: dict):
    from . import ingest

    notice = getattr(ingest, "Notice", None)
    return notice(w["message"], w["error_type"], w["partial"], stage=w.get("stage", "ingest")) if notice \
        else w["message"]


def raw_to_json(raw) -> dict:
    return {"source_path": raw.source_path, "sha256": raw.sha256, "file_type": raw.file_type,
            "encoding": raw.encoding, "warnings": [_warning_json(w) for w in raw.warnings],
            "pages": [asdict(p) for p in raw.pages]}


def raw_from_json(d: dict):
    from .model import Page, RawDocument

    return RawDocument(source_path=d["source_path"], sha256=d["sha256"], file_type=d["file_type"],
                       pages=[Page(**p) for p in d["pages"]], encoding=d["encoding"],
                       warnings=[_warning(w) for w in d["warnings"]])


def document_from_json(d: dict):
    from .model import Document, Restoration, Section

    return Document(raw=raw_from_json(d["raw"]), text=d["text"], raw_text=d["raw_text"],
                    page_starts=d["page_starts"], sections=[Section(**s) for s in d["sections"]],
                    restorations=[Restoration(**r) for r in d["restorations"]],
                    diacritics_restored=d["diacritics_restored"], restored_share=d["restored_share"])


# ---------------------------------------------------------------- stages

def stage_ingest(paths: list[str], out: Path) -> None:
    """Find, hash, ingest and normalize every input file (pipeline.process.build_document without restoring)."""
    from .process import build_document
    from .run import find_inputs, hash_inputs

    out = _fresh(out)
    inputs = hash_inputs(find_inputs(paths))
    _write(out / INPUTS_FILE, {"inputs": [asdict(i) for i in inputs]})
    for inp in inputs:
        if inp.error is not None:
            continue
        d = {"source_path": inp.path, "sha256": inp.sha256, "status": "ok", "errors": [], "timings": {}}
        try:
            doc = build_document(inp.path, inp.sha256, restore=False, timings=d["timings"])
            d["timings"] = {k: v for k, v in d["timings"].items() if k in ("ingest", "normalize")}
            d.update(raw=raw_to_json(doc.raw), raw_text=doc.raw_text, page_starts=list(doc.page_starts))
        except Exception as e:
            d = _failed(d, "ingest", e)
        _write(out / f"{_key(inp.path)}.json", d)


def _each_document(src: Path, out: Path, stage: str, step) -> None:
    """Apply `step(d)` to every document of `src` that has not failed, writing them to `out`."""
    out = _fresh(out)
    _carry_inputs(src, out)
    for d in _docs(src):
        if d["status"] != "failed":
            try:
                t = time.perf_counter()
                step(d)
                d["timings"][stage] = time.perf_counter() - t
            except Exception as e:
                d = _failed(d, stage, e)
        _write(out / f"{_key(d['source_path'])}.json", d)


def stage_restore(src: Path, out: Path) -> None:
    """Restore lost or garbled diacritics; offsets of pages follow the edits."""
    from .process import _shift, restore_text

    def step(d: dict) -> None:
        text, changes, restored, share = restore_text(d["raw_text"])
        starts = d["page_starts"]
        if len(text) != len(d["raw_text"]):
            starts = _shift(starts, changes)
        d.update(text=text, page_starts=starts, restorations=[asdict(c) for c in changes],
                 diacritics_restored=restored, restored_share=share)

    _each_document(src, out, "restore", step)


def stage_segment(src: Path, out: Path) -> None:
    """Split each text into its section tree."""
    from .segment import segment

    def step(d: dict) -> None:
        pdf_like = d["raw"]["file_type"] in ("pdf", "image")
        ocr = any(p["method"] == "ocr" for p in d["raw"]["pages"])
        d["sections"] = [asdict(s) for s in segment(d["text"], d["page_starts"] if pdf_like else [], ocr=ocr)]

    _each_document(src, out, "segment", step)


def extract_document(d: dict):
    """Metadata and every extractor on one segmented document → DocResult, as `kehoach run` does."""
    from .process import DocResult, attach_metadata, extract_all

    res = DocResult(source_path=d["source_path"], sha256=d["sha256"] or "", status=d["status"],
                    errors=list(d["errors"]), timings=dict(d["timings"]))
    if d["status"] == "failed":
        return res
    doc = document_from_json(d)
    attach_metadata(doc)
    return extract_all(doc, res)


def stage_extract(src: Path, out: Path) -> None:
    """Run the extractors; one Arrow file per document holds its rows for every table."""
    from .cache import save

    out = _fresh(out)
    _carry_inputs(src, out)
    for d in _docs(src):
        save(extract_document(d), out / f"{_key(d['source_path'])}.arrow")


def stage_export(src: Path, out: Path) -> None:
    """Gather every document's rows into the run's Parquet tables and manifest (atomic, like `kehoach run`)."""
    from .cache import load
    from .run import InputFile, manifest, resolve_references, write_run
    from .schema import SCHEMAS

    t0 = time.perf_counter()
    inputs = [InputFile(**i) for i in json.loads((src / INPUTS_FILE).read_text(encoding="utf-8"))["inputs"]]
    results = {}
    for f in sorted(src.glob("*.arrow")):
        r = load(f)
        if r is None:
            raise SystemExit(f"cannot read {f}; re-run the extract stage")
        results[r.source_path] = r
    errors = [i.error for i in inputs if i.error]
    tables: dict[str, list[dict]] = {t: [] for t in SCHEMAS}
    for i in inputs:
        r = results.get(i.path)
        if r is None:
            continue
        for t, rows in r.tables.items():
            tables[t].extend(rows)
        errors.extend(r.errors)
    tables["errors"] = errors
    resolve_references(tables)
    write_run(Path(out), tables, manifest(inputs, results, tables, 1, time.perf_counter() - t0))


# ---------------------------------------------------------------- evaluation

def gold_files(gold_dir: Path) -> list[tuple[str, str, Path]]:
    """(document prefix, table, file) for every `<prefix>.<table>.yaml` gold file."""
    from .schema import SCHEMAS

    out = []
    for f in sorted(gold_dir.glob("*.yaml")):
        prefix, _, table = f.stem.rpartition(".")
        if prefix and table in SCHEMAS:
            out.append((prefix, table, f))
    return out


def _doc_for(prefix: str, documents: list[dict]) -> dict | None:
    for d in documents:
        name = Path(d["source_path"]).name
        if name.startswith(prefix + "_") or Path(name).stem == prefix:
            return d
    return None


def evaluate(run_dir: Path, gold_dir: Path, keys: dict[str, list[str]] | None = None) -> tuple[dict, dict]:
    """(metrics, details): precision/recall per table over the gold documents present in the run.

    A gold file is a YAML list of rows holding key fields. Rows match on `keys[table]`
    (params.yaml, evaluate.keys), or else on every field the gold uses but `note`,
    with pipeline.evaluate.score.
    """
    import pyarrow.parquet as pq
    import yaml

    from .evaluate import Score, mismatches, score
    from .load import read_manifest, table_files

    manifest = read_manifest(run_dir)
    read = lambda t: pq.read_table(table_files(run_dir, t)).to_pylist()  # noqa: E731
    documents = read("documents")
    totals: dict[str, Score] = {}
    details: dict[str, dict] = {}
    for prefix, table, f in gold_files(gold_dir):
        doc = _doc_for(prefix, documents)
        gold = yaml.safe_load(f.read_text(encoding="utf-8"))
        if doc is None or not isinstance(gold, list):
            continue
        fields = (keys or {}).get(table) or sorted({str(k) for row in gold for k in row} - {"note"})
        pred = [r for r in read(table) if r["doc_id"] == doc["doc_id"]]
        s = score(pred, gold, fields)
        totals[table] = totals.get(table, Score(0, 0, 0)) + s
        fp, fn = mismatches(pred, gold, fields)
        details.setdefault(table, {})[prefix] = {
            "precision": round(s.precision, 4), "recall": round(s.recall, 4), "tp": s.tp, "n_pred": s.n_pred,
            "n_gold": s.n_gold, "keys": list(fields), "false_positives": [list(map(str, x)) for x in fp],
            "false_negatives": [list(map(str, x)) for x in fn]}
    statuses = [d["status"] for d in documents]
    metrics = {t: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                   "tp": s.tp, "n_pred": s.n_pred, "n_gold": s.n_gold, "documents": len(details[t])}
               for t, s in sorted(totals.items())}
    metrics["run"] = {"documents": len(documents), "ok": statuses.count("ok"),
                      "partial": statuses.count("partial"), "failed": statuses.count("failed"),
                      **{f"rows_{t}": n for t, n in sorted(manifest.get("rows", {}).items())}}
    return metrics, details


def stage_evaluate(run_dir: Path, gold_dir: Path, metrics_path: Path, details_path: Path | None) -> None:
    from .params import load_params

    metrics, details = evaluate(run_dir, gold_dir, (load_params().get("evaluate") or {}).get("keys"))
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    _write(metrics_path, metrics)
    if details_path is not None:
        details_path.parent.mkdir(parents=True, exist_ok=True)
        _write(details_path, details)
    for t, m in metrics.items():
        if t != "run":
            print(f"{t}: P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} "
                  f"(tp={m['tp']} pred={m['n_pred']} gold={m['n_gold']}, {m['documents']} documents)")


# ---------------------------------------------------------------- command

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pipeline.stages", description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.splitlines()[5:13]))
    sub = p.add_subparsers(dest="stage", required=True)
    s = sub.add_parser("ingest", help="inputs -> pages and normalized text")
    s.add_argument("inputs", nargs="+")
    s.add_argument("--out", required=True, type=Path)
    for name, text in (("restore", "restore diacritics"), ("segment", "section tree"), ("extract", "extractors"),
                       ("export", "Parquet tables")):
        s = sub.add_parser(name, help=text)
        s.add_argument("src", type=Path)
        s.add_argument("--out", required=True, type=Path)
    s = sub.add_parser("evaluate", help="precision/recall against gold")
    s.add_argument("run", type=Path)
    s.add_argument("--gold", required=True, type=Path)
    s.add_argument("--metrics", required=True, type=Path)
    s.add_argument("--details", type=Path, default=None)
    a = p.parse_args(argv)
    if a.stage == "ingest":
        stage_ingest(a.inputs, a.out)
    elif a.stage == "evaluate":
        stage_evaluate(a.run, a.gold, a.metrics, a.details)
    else:
        {"restore": stage_restore, "segment": stage_segment, "extract": stage_extract,
         "export": stage_export}[a.stage](a.src, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
