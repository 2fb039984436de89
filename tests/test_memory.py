"""Bounded memory and nothing lost: a document past the workers' memory cap (--max-memory) fails with
a message saying what to do, a worker killed mid-document is replaced, and the run writes every other
document; tables are written a batch of documents at a time, identical to writing them at once."""
from __future__ import annotations

import os
import signal
import subprocess

import pyarrow.parquet as pq

from conftest import KEHOACH, ROOT
from pipeline import process
from pipeline import run as run_module
from pipeline.cache import load
from pipeline.run import resolve_references, run, to_arrow
from pipeline.schema import SCHEMAS
from test_faults import write_plans

MARK = "PHỤ LỤC TIÊU TỐN BỘ NHỚ"


def hungry(doc):
    """An extractor that needs far more memory than the cap on the marked document."""
    if MARK in doc.text:
        hoard = [bytearray(1 << 20) for _ in range(4096)]     # 4 GB, a MB at a time
        return [{"doc_id": doc.doc_id, "n": len(hoard)}]
    return []


def killer(doc):
    """An extractor whose worker dies (SIGKILL, as from the out-of-memory killer) on the marked document."""
    if MARK in doc.text:
        os.kill(os.getpid(), signal.SIGKILL)
    return []


def _headroom(mb: int) -> int:
    """A memory cap `mb` MB above what this process (which workers are forked from) already uses."""
    with open("/proc/self/status") as f:
        data = next(int(line.split()[1]) for line in f if line.startswith("VmData:"))
    return (data << 10) + (mb << 20)


def _mark(path):
    path.write_text(path.read_text(encoding="utf-8") + f"\n{MARK}\n", encoding="utf-8")


def test_a_file_past_the_memory_cap_fails_and_the_run_writes_the_rest(tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "run"
    good = write_plans(inputs, 3)
    huge = inputs / "mot-dong.txt"            # 80 MB on one line: reading it alone needs more than the cap
    huge.write_text("Kế hoạch thực hiện bảo hiểm y tế đạt 95% dân số. " * 1_200_000, encoding="utf-8")
    proc = subprocess.run([*KEHOACH, "run", str(inputs), "--out", str(out), "-q", "--workers", "2",
                           "--max-memory", "400M"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    [err] = pq.read_table(out / "errors.parquet").to_pylist()
    assert (err["source_path"], err["error_type"]) == (str(huge), "memory")
    assert "--max-memory" in err["message"] and "400 MB" in err["message"] and "split it" in err["message"]
    status = {d["source_path"]: d["status"] for d in pq.read_table(out / "documents.parquet").to_pylist()}
    assert status == {str(huge): "failed", **{str(p): "ok" for p in good}}
    targets = pq.read_table(out / "targets.parquet").to_pylist()
    assert sorted({t["doc_id"] for t in targets}) == sorted(d for d, s in _ids(out).items() if s != str(huge))


def _ids(out):
    return {d["doc_id"]: d["source_path"] for d in pq.read_table(out / "documents.parquet").to_pylist()}


def test_an_extractor_past_the_memory_cap_makes_its_document_partial(tmp_path, monkeypatch):
    docs = write_plans(tmp_path / "inputs", 3)
    _mark(docs[1])
    monkeypatch.setattr(process, "EXTRACTORS", process.EXTRACTORS + [("budget", __name__)])
    monkeypatch.setattr(__import__(__name__), "extract", hungry, raising=False)
    s = run(docs, tmp_path / "run", workers=2, progress=False, max_memory=_headroom(500))
    assert (s.n_ok, s.n_partial, s.n_failed) == (2, 1, 0)
    [err] = pq.read_table(s.out / "errors.parquet").to_pylist()
    assert (err["source_path"], err["stage"], err["error_type"]) == (str(docs[1]), "budget", "memory")
    assert "--max-memory" in err["message"]
    ids = {p: i for i, p in _ids(s.out).items()}
    for table in ("targets", "assignments", "sections"):      # the other tables of that document are there
        got = {r["doc_id"] for r in pq.read_table(s.out / f"{table}.parquet").to_pylist()}
        assert got == set(ids.values()), table


def test_a_worker_killed_mid_document_is_replaced_and_the_run_goes_on(tmp_path, monkeypatch):
    docs = write_plans(tmp_path / "inputs", 5)
    _mark(docs[2])
    monkeypatch.setattr(process, "EXTRACTORS", process.EXTRACTORS + [("budget", __name__)])
    monkeypatch.setattr(__import__(__name__), "extract", killer, raising=False)
    s = run(docs, tmp_path / "run", workers=2, progress=False)
    assert (s.n_ok, s.n_partial, s.n_failed) == (4, 0, 1)
    [err] = pq.read_table(s.out / "errors.parquet").to_pylist()
    assert (err["source_path"], err["stage"], err["error_type"]) == (str(docs[2]), "worker", "crash")
    assert "SIGKILL" in err["message"]
    written = {r["doc_id"] for r in pq.read_table(s.out / "targets.parquet").to_pylist()}
    assert len(written) == 4


def test_tables_written_in_batches_equal_tables_written_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "BATCH_DOCS", 3)           # several row groups from a few documents
    docs = write_plans(tmp_path / "inputs", 8)
    s = run(docs, tmp_path / "run", workers=2, progress=False)
    results = [load(f) for f in sorted((s.out / ".cache").glob("*.arrow"))]
    tables = {t: [] for t in SCHEMAS}
    for r in sorted(results, key=lambda r: r.source_path):
        for t, rows in r.tables.items():
            tables[t].extend(rows)
        tables["errors"].extend(r.errors)
    resolve_references(tables)
    for t in SCHEMAS:
        assert pq.read_table(s.out / f"{t}.parquet").equals(to_arrow(t, tables[t])), t
    assert pq.ParquetFile(s.out / "sections.parquet").num_row_groups == 3
    again = run(docs, tmp_path / "again", workers=1, progress=False, cache=False)
    for t in SCHEMAS:
        assert (again.out / f"{t}.parquet").read_bytes() == (s.out / f"{t}.parquet").read_bytes(), t


def test_rows_of_a_very_long_sentence_carry_a_bounded_window_of_it():
    from extractors import deadlines, targets
    from pipeline.model import MAX_SENTENCE, SENTENCE_CONTEXT
    from test_linear import build

    doc = build("đạt 95,5% dân số, từ ngày 01 đến ngày 02 tháng 3 năm 2025 và " * 2000)
    rows = targets.extract(doc) + deadlines.extract(doc)
    assert len(rows) == 4000
    for r in rows:
        span = doc.text[r["char_start"]:r["char_end"]]
        assert len(r["sentence"]) <= 2 * SENTENCE_CONTEXT + (r["char_end"] - r["char_start"]) + 2
        assert span in r["sentence"] and "…" in r["sentence"]
    short = build("Phấn đấu đến năm 2025 đạt 95,5% dân số tham gia bảo hiểm y tế.")
    [row] = targets.extract(short)
    assert row["sentence"] == short.text.strip() and len(short.text) < MAX_SENTENCE
