"""A messy folder of plans: every good document comes out, every bad one gets a status and an
`errors` row (stage, type, a message saying what to do), and no input is modified.

All files are generated here: PDFs with fpdf2 (DejaVu Sans for Vietnamese), images with Pillow,
Word files with python-docx.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.run import run

ROOT = Path(__file__).resolve().parents[1]
KEHOACH = [sys.executable, "-m", "pipeline.cli"]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

GOOD_PLAN = """ỦY BAN NHÂN DÂN
XÃ AN BÌNH
Số: 12/KH-UBND
An Bình, ngày 5 tháng 2 năm 2025

KẾ HOẠCH
Phát triển người tham gia bảo hiểm y tế năm 2025

I. MỤC TIÊU
1. Phấn đấu đến cuối năm 2025 tỷ lệ bao phủ bảo hiểm y tế đạt 95% dân số.
II. TỔ CHỨC THỰC HIỆN
1. Trạm Y tế xã chủ trì tuyên truyền chính sách bảo hiểm y tế; báo cáo trước ngày 15/12/2025.
"""

WORD_PLAN = ["KẾ HOẠCH", "Tuyên truyền chính sách bảo hiểm xã hội tự nguyện năm 2025",
             "I. MỤC ĐÍCH", "1. Nâng cao nhận thức của người dân về bảo hiểm xã hội tự nguyện."]

SCAN_LINES = ["KẾ HOẠCH", "Thực hiện bảo hiểm y tế học sinh", "năm học 2024 - 2025 trên địa bàn xã"]

#: Lines for generated PDF pages; they vary, so no line repeats on most pages like a running header.
TASKS = ["Tuyên truyền bảo hiểm xã hội tự nguyện", "Phát triển người tham gia bảo hiểm y tế",
         "Kiểm tra việc đóng bảo hiểm thất nghiệp", "Giao chỉ tiêu cho các xã, thị trấn",
         "Báo cáo kết quả thực hiện hằng quý", "Rà soát hộ gia đình chưa có thẻ bảo hiểm",
         "Tổng kết, đánh giá kế hoạch vào cuối năm"]


def task_line(i: int) -> str:
    return f"{TASKS[i % len(TASKS)]} (trang {i})"


def zero_page_pdf() -> bytes:
    """A valid PDF whose page tree is empty (Count 0), with a correct xref table."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def scan_image(lines: list[str]) -> Image.Image:
    """A page that is only a picture of Vietnamese text (grey, 40 px DejaVu Sans)."""
    font = ImageFont.truetype(FONT, 40)
    im = Image.new("L", (1300, 80 * len(lines) + 40), 255)
    draw = ImageDraw.Draw(im)
    for k, line in enumerate(lines):
        draw.text((40, 20 + k * 80), line, font=font, fill=0)
    return im


def image_only_pdf(path: Path, lines: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF(format=(110, 8 * len(lines) + 4))
    pdf.set_margin(0)
    pdf.add_page()
    pdf.image(scan_image(lines), x=0, y=0, w=110)
    pdf.output(str(path))


def word_file(path: Path, paragraphs: list[str]) -> None:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """mtime and bytes of every regular file under `folder` (links and FIFOs are not followed)."""
    out = {}
    for f in sorted(folder.rglob("*")):
        if f.is_file() and not f.is_symlink():
            out[str(f)] = (f.stat().st_mtime_ns, f.read_bytes())
    return out


def read_run(out: Path) -> dict:
    tables = {p.stem: pq.read_table(p).to_pylist() for p in out.glob("*.parquet")}
    tables["manifest"] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return tables


@pytest.fixture(scope="module")
def messy(tmp_path_factory, text_pdf):
    """A folder with one case of each kind of bad input beside good documents, run once with the CLI."""
    base = tmp_path_factory.mktemp("messy")
    d = base / "inputs"
    d.mkdir()
    (d / "ke-hoach-tot.txt").write_text(GOOD_PLAN, encoding="utf-8")
    (d / "rong.txt").write_bytes(b"")
    (d / "nhi-phan.txt").write_bytes(random.Random(7).randbytes(4096))
    pages = [[task_line(2 * i), task_line(2 * i + 1)] for i in range(1, 4)]
    full = text_pdf(base / "full.pdf", pages).read_bytes()
    (d / "bi-cat.pdf").write_bytes(full[: len(full) // 2])
    # an appended (incremental) update cut short: the original pages are intact
    (d / "bi-cat-cuoi.pdf").write_bytes(full + b"\n9 0 obj\n<< /Type /Annot /Subtype /Text /Contents (ghi ch")
    text_pdf(d / "co-mat-khau.pdf", pages, user_password="matkhau123")
    text_pdf(d / "mat-khau-rong.pdf", pages, user_password="")
    (d / "khong-trang.pdf").write_bytes(zero_page_pdf())
    image_only_pdf(d / "ban-chup.pdf", SCAN_LINES)
    Image.new("1", (10_000, 10_000), 1).save(d / "qua-lon.png")  # 100 megapixels, over Pillow's 89
    word_file(d / "word-doi-ten.pdf", WORD_PLAN)
    (d / "ban-sao-1.txt").write_text(GOOD_PLAN.replace("12/KH", "13/KH"), encoding="utf-8")
    shutil.copyfile(d / "ban-sao-1.txt", d / "ban-sao-2.txt")
    (d / "lien-ket-hong.txt").symlink_to(base / "da-xoa.txt")
    os.mkfifo(d / "ong-dan.txt")
    (d / "thư mục mới").mkdir()
    (d / "thư mục mới" / "Kế hoạch số 1.txt").write_text(GOOD_PLAN.replace("12/KH", "14/KH"), encoding="utf-8")

    before = snapshot(d)
    out = base / "run"
    proc = subprocess.run([*KEHOACH, "run", str(d), "--out", str(out), "--workers", "2", "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    after = snapshot(d)
    return {"dir": d, "out": out, "proc": proc, "before": before, "after": after, **read_run(out)}


def status_of(messy, name: str) -> str:
    return next(f["status"] for f in messy["manifest"]["inputs"] if f["path"] == str(messy["dir"] / name))


def errors_of(messy, name: str) -> list[dict]:
    return [e for e in messy["errors"] if e["source_path"] == str(messy["dir"] / name)]


def document(messy, name: str) -> dict:
    return next(r for r in messy["documents"] if r["source_path"] == str(messy["dir"] / name))


#: file, status, error_type, words the message must hold (what happened and what to do)
FAILED = [
    ("rong.txt", "empty", ["empty file", "download it again"]),
    ("nhi-phan.txt", "binary", ["binary", "convert"]),
    ("bi-cat.pdf", "truncated_pdf", ["truncated", "download or copy it again"]),
    ("co-mat-khau.pdf", "encrypted", ["password", "qpdf"]),
    ("khong-trang.pdf", "no_pages", ["zero pages", "re-export"]),
    ("qua-lon.png", "too_large", ["100 megapixels", "downscale"]),
    ("lien-ket-hong.txt", "broken_link", ["broken link", "da-xoa.txt", "fix the link"]),
    ("ong-dan.txt", "not_a_file", ["named pipe", "regular file"]),
]


@pytest.mark.parametrize("name,error_type,words", FAILED, ids=[c[0] for c in FAILED])
def test_bad_file_fails_with_a_row_that_says_what_to_do(messy, name, error_type, words):
    assert status_of(messy, name) == "failed"
    rows = errors_of(messy, name)
    assert [(r["stage"], r["error_type"]) for r in rows] == [("ingest", error_type)]
    for w in words:
        assert w in rows[0]["message"]
    docs = [r for r in messy["documents"] if r["source_path"] == str(messy["dir"] / name)]
    if error_type in ("broken_link", "not_a_file"):     # no bytes, so no doc_id: errors and manifest only
        assert docs == []
    else:                                                # a row that says it failed and why, nothing else
        assert [(d["status"], d["error"].split(":")[0]) for d in docs] == [("failed", rows[0]["message"].split(":")[0])]
        assert docs[0]["doc_number"] is None and docs[0]["n_chars"] is None


def test_pdf_cut_after_its_pages_is_partial(messy):
    assert status_of(messy, "bi-cat-cuoi.pdf") == "partial"
    rows = errors_of(messy, "bi-cat-cuoi.pdf")
    assert [(r["stage"], r["error_type"]) for r in rows] == [("ingest", "truncated_pdf")]
    assert "the 3 pages found were read" in rows[0]["message"] and "download or copy it again" in rows[0]["message"]
    doc = document(messy, "bi-cat-cuoi.pdf")
    assert (doc["status"], doc["n_pages"]) == ("partial", 3) and "truncated" in doc["error"]


def test_encrypted_pdf_with_empty_user_password_just_opens(messy):
    assert status_of(messy, "mat-khau-rong.pdf") == "ok"
    assert errors_of(messy, "mat-khau-rong.pdf") == []
    doc = document(messy, "mat-khau-rong.pdf")
    assert (doc["ingest_method"], doc["n_pages"]) == ("pdf_text", 3)
    text = next(t["text"] for t in messy["texts"] if t["doc_id"] == doc["doc_id"])
    for i in range(2, 8):
        assert task_line(i) in text


def test_image_only_pdf_is_read_by_ocr(messy):
    doc = document(messy, "ban-chup.pdf")
    assert (doc["status"], doc["ingest_method"], doc["n_pages"]) == ("ok", "ocr", 1)
    assert doc["ocr_mean_confidence"] is not None and doc["ocr_mean_confidence"] > 60
    text = next(t["raw_text"] for t in messy["texts"] if t["doc_id"] == doc["doc_id"])
    for line in SCAN_LINES:
        assert line in text


def test_word_file_named_pdf_is_read_as_word(messy):
    doc = document(messy, "word-doi-ten.pdf")
    assert (doc["status"], doc["file_type"]) == ("ok", "docx")
    text = next(t["raw_text"] for t in messy["texts"] if t["doc_id"] == doc["doc_id"])
    for p in WORD_PLAN:
        assert p in text
    rows = errors_of(messy, "word-doi-ten.pdf")
    assert [(r["stage"], r["error_type"]) for r in rows] == [("ingest", "wrong_extension")]
    assert "rename it to .docx" in rows[0]["message"]


def test_same_bytes_under_two_names_are_processed_once(messy):
    first, second = str(messy["dir"] / "ban-sao-1.txt"), str(messy["dir"] / "ban-sao-2.txt")
    entry = next(f for f in messy["manifest"]["inputs"] if f["path"] == first)
    assert entry["duplicates"] == [second] and entry["status"] == "ok"
    assert not any(f["path"] == second for f in messy["manifest"]["inputs"])
    assert sum(r["doc_id"] == entry["sha256"][:16] for r in messy["documents"]) == 1


def test_vietnamese_path_with_spaces(messy):
    doc = document(messy, "thư mục mới/Kế hoạch số 1.txt")
    assert doc["status"] == "ok" and doc["source_path"].endswith("/thư mục mới/Kế hoạch số 1.txt")
    assert "14/KH-UBND" in next(t["raw_text"] for t in messy["texts"] if t["doc_id"] == doc["doc_id"])


def test_good_document_is_fully_processed_beside_bad_ones(messy, tmp_path):
    """Its rows in every table are the rows of a run that holds it alone."""
    good = messy["dir"] / "ke-hoach-tot.txt"
    alone = read_run(run([good], tmp_path / "alone", workers=1, progress=False).out)
    doc_id = document(messy, "ke-hoach-tot.txt")["doc_id"]
    assert status_of(messy, "ke-hoach-tot.txt") == "ok" and errors_of(messy, "ke-hoach-tot.txt") == []
    for table, rows in alone.items():
        if table in ("manifest", "errors"):
            continue
        mine = [r for r in messy[table] if r.get("doc_id") == doc_id]
        assert mine == rows, table
    assert len(alone["sections"]) > 3


def test_run_reports_every_input_and_exits_1(messy):
    assert messy["proc"].returncode == 1, messy["proc"].stderr
    names = {Path(f["path"]).relative_to(messy["dir"]).as_posix() for f in messy["manifest"]["inputs"]}
    expected = {n for n, *_ in FAILED} | {"ke-hoach-tot.txt", "bi-cat-cuoi.pdf", "mat-khau-rong.pdf", "ban-chup.pdf",
                                          "word-doi-ten.pdf", "ban-sao-1.txt", "thư mục mới/Kế hoạch số 1.txt"}
    assert names == expected
    for name, *_ in FAILED:
        assert f"{messy['dir'] / name}" in messy["proc"].stderr
    assert "see " in messy["proc"].stderr and "errors.parquet" in messy["proc"].stderr


def test_inputs_are_never_modified(messy):
    assert messy["after"] == messy["before"]
    assert (messy["dir"] / "ong-dan.txt").is_fifo() and (messy["dir"] / "lien-ket-hong.txt").is_symlink()


def _drop_file_permission_override() -> None:
    """In the child before exec: remove CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding
    set, so a root process obeys file permissions like any other user."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_unreadable_file_and_folder_are_reported(tmp_path):
    """chmod 000 on a file and on a folder. Root reads them anyway, so as root the run is started without the
    capabilities that override file permissions: the permission check is then real."""
    root = os.geteuid() == 0
    d = tmp_path / "inputs"
    d.mkdir()
    (d / "doc-duoc.txt").write_text(GOOD_PLAN, encoding="utf-8")
    locked = d / "khoa.txt"
    locked.write_text(GOOD_PLAN.replace("12/KH", "15/KH"), encoding="utf-8")
    locked.chmod(0o000)
    closed = d / "thư mục khóa"
    closed.mkdir()
    (closed / "ben-trong.txt").write_text(GOOD_PLAN.replace("12/KH", "16/KH"), encoding="utf-8")
    closed.chmod(0o000)
    out = tmp_path / "run"
    try:
        proc = subprocess.run([*KEHOACH, "run", str(d), "--out", str(out), "--workers", "1", "-q"],
                              cwd=ROOT, capture_output=True, text=True, timeout=300,
                              preexec_fn=_drop_file_permission_override if root else None)
    except subprocess.SubprocessError as e:
        pytest.skip(f"cannot drop CAP_DAC_OVERRIDE here, so root reads any file ({e})")
    try:
        assert proc.returncode == 1, proc.stderr
        res = read_run(out)
        row = next(e for e in res["errors"] if e["source_path"] == str(locked))
        assert (row["stage"], row["error_type"]) == ("ingest", "permission")
        assert "permission denied" in row["message"] and "chmod +r" in row["message"]
        row = next(e for e in res["errors"] if e["source_path"] == str(closed))
        assert (row["stage"], row["error_type"]) == ("ingest", "permission")
        assert "documents in it were not read" in row["message"] and "chmod +rx" in row["message"]
        assert [r["status"] for r in res["documents"]] == ["ok"]
        status = {f["path"]: f["status"] for f in res["manifest"]["inputs"]}
        assert status == {str(d / "doc-duoc.txt"): "ok", str(locked): "failed", str(closed): "failed"}
        assert locked.stat().st_mode & 0o777 == 0 and closed.stat().st_mode & 0o777 == 0
    finally:
        locked.chmod(0o644)
        closed.chmod(0o755)


#: VmHWM, not ru_maxrss: the latter keeps the parent's peak when the child was forked and exec'd.
PEAK_RSS = """
import json, sys
import pdfplumber, PIL.Image, pytesseract
from pipeline.ingest import ingest

def status_mb(key):
    line = next(l for l in open("/proc/self/status") if l.startswith(key + ":"))
    return int(line.split()[1]) / 1024

base = status_mb("VmRSS")
raw = ingest(sys.argv[1])
peak = status_mb("VmHWM")
print(json.dumps({"n_pages": len(raw.pages), "methods": sorted({p.method for p in raw.pages}),
                  "last": raw.pages[-1].text, "growth_mb": peak - base}))
"""


def test_2000_page_pdf_is_streamed_in_bounded_memory(tmp_path, text_pdf):
    """Pages are read one at a time and each page's pdfplumber/pdfminer caches are dropped, so
    reading 2,000 pages raises peak memory by less than 30 MB over the loaded program (keeping
    every page's cache would add about 100 KB per page, 200 MB here). Tiny pages keep it quick;
    benchmarks/big_pdf.py measures full A4 pages."""
    n = 2000
    pdf = text_pdf(tmp_path / "2000.pdf", [[task_line(i)] for i in range(1, n + 1)], size=(90, 12), font_size=8)
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS, str(pdf)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert (got["n_pages"], got["methods"], got["last"]) == (n, ["pdf_text"], task_line(n))
    assert got["growth_mb"] < 30, got
