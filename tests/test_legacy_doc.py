"""Legacy Word (.doc) through antiword, LibreOffice as the fallback, and the error when neither is installed.

tests/data/decision_118.doc is a real Word 97-2003 file: the decision of tests/_decision.py (HEAD) with
its appendix as a Word table, written with python-docx and saved as "MS Word 97" by LibreOffice 7.4
(`test_a_doc_saved_by_libreoffice_reads_the_same` remakes it that way where `soffice` exists).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import pytest

from _decision import DECISION_IDS, HEAD
from conftest import ROOT
from pipeline import ingest as ingest_mod
from pipeline.ingest import IngestError, ingest
from pipeline.process import build_document, process_file

DOC = ROOT / "tests" / "data" / "decision_118.doc"
IDS = [*DECISION_IDS[:-2], "PL1.T1"]          # the Word table has no group rows
ROWS = [["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"],
        ["1", "Xây dựng bộ tài liệu truyền thông", "Bộ Y tế", "Quý II/2026"],
        ["2", "Tập huấn cho nhân viên y tế xã", "Bộ Y tế", "Năm 2027"]]
needs_antiword = pytest.mark.skipif(not shutil.which("antiword"), reason="antiword is not installed (make setup)")
needs_soffice = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                   reason="LibreOffice is not installed")


def _check(doc) -> None:
    assert doc.raw.file_type == "doc"
    assert [s.section_id for s in doc.sections if s.kind != "item"] == IDS
    m = doc.meta
    assert (m["doc_number"], m["issuer"], m["jurisdiction"]) == ("118/QĐ-TTg", "Thủ tướng Chính phủ", "Việt Nam")
    assert (m["signer_name"], m["signer_title"], m["attached_type"]) == ("Lê Văn Bình", "Phó Thủ tướng", "Kế hoạch")


@needs_antiword
def test_doc_is_read_through_antiword():
    doc = build_document(DOC)
    _check(doc)
    assert doc.raw.pages[0].tables == [ROWS]          # wrapped cells joined back into one row each
    table = next(s for s in doc.sections if s.kind == "table")
    assert doc.text[table.char_start:table.char_end].splitlines()[1] == \
        "| 1 | Xây dựng bộ tài liệu truyền thông | Bộ Y tế | Quý II/2026 |"


@needs_antiword
def test_doc_run_row_says_doc():
    res = process_file(DOC)
    assert res.status == "ok", res.errors
    assert res.tables["documents"][0]["file_type"] == "doc"
    assert res.tables["documents"][0]["attached_type"] == "Kế hoạch"


@needs_soffice
def test_libreoffice_reads_the_doc_when_antiword_is_missing(monkeypatch):
    real = shutil.which
    monkeypatch.setattr(ingest_mod.shutil, "which", lambda name: None if name == "antiword" else real(name))
    assert "--headless" in ingest_mod.doc_converter()
    doc = build_document(DOC)
    assert [s.section_id for s in doc.sections if s.kind not in ("item", "table")] == IDS[:-1]


@needs_soffice
@needs_antiword
def test_a_doc_saved_by_libreoffice_reads_the_same(tmp_path):
    import docx

    d = docx.Document()
    for line in HEAD.splitlines() + ["PHỤ LỤC", "DANH MỤC NHIỆM VỤ"]:
        d.add_paragraph(line)
    table = d.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for i, row in enumerate(ROWS):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    d.save(tmp_path / "plan.docx")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, "--headless", "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path),
                    str(tmp_path / "plan.docx")], check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    doc = build_document(tmp_path / "plan.doc")
    _check(doc)
    assert doc.raw.pages[0].tables == [ROWS]


def test_missing_converter_names_the_package_to_install(tmp_path):
    """No antiword and no LibreOffice on PATH (an empty folder): a clear error, in a subprocess."""
    code = ("import sys\nfrom pipeline.ingest import IngestError, ingest\n"
            "try:\n    ingest(sys.argv[1])\nexcept IngestError as e:\n    print(e.error_type, '|', e)\n")
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = subprocess.run([sys.executable, "-c", code, str(DOC)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PATH": str(empty)}, timeout=120)
    error_type, _, message = proc.stdout.strip().partition(" | ")
    assert error_type == "converter_missing", proc.stdout + proc.stderr
    assert "apt-get install antiword" in message and ".docx" in message


def test_missing_converter_fails_only_that_file(monkeypatch):
    sha = ingest_mod.sha256_file(DOC)
    monkeypatch.setattr(ingest_mod.shutil, "which", lambda name: None)
    res = process_file(DOC, sha)
    assert res.status == "failed"
    assert res.tables["documents"][0]["file_type"] == "doc"
    assert "apt-get install antiword" in res.tables["documents"][0]["error"]


def test_other_office_97_files_and_fake_docs_are_refused(tmp_path):
    xls = tmp_path / "bang.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "Workbook".encode("utf-16-le"))
    with pytest.raises(IngestError, match="not Word") as e:
        ingest(xls)
    assert e.value.error_type == "unsupported"
    fake = tmp_path / "ke-hoach.doc"
    fake.write_bytes("Kế hoạch số 1, chỉ là văn bản thường".encode("utf-8"))
    with pytest.raises(IngestError, match="not a Word 97-2003") as e:
        ingest(fake)
    assert e.value.error_type == "corrupt_doc"
