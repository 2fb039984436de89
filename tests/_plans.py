"""Small plans written for the tests (invented text in the genre, not seed text) and helpers to run them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEHOACH = [sys.executable, "-m", "pipeline.cli"]

PLAN_A = """ỦY BAN NHÂN DÂN
TỈNH AN GIANG
Số: 45/KH-UBND
An Giang, ngày 10 tháng 3 năm 2024

KẾ HOẠCH
Thực hiện chính sách bảo hiểm xã hội, bảo hiểm y tế năm 2024

Căn cứ Nghị quyết số 28-NQ/TW ngày 23/5/2018 của Ban Chấp hành Trung ương về cải cách chính sách bảo hiểm xã hội;
Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện như sau:

I. MỤC TIÊU
1. Phấn đấu đến năm 2024 tỷ lệ bao phủ bảo hiểm y tế đạt 93% dân số.
2. Tỷ lệ lao động tham gia bảo hiểm xã hội đạt 35% lực lượng lao động trong độ tuổi.
II. TỔ CHỨC THỰC HIỆN
1. Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với Bảo hiểm xã hội tỉnh tuyên truyền chính sách; báo cáo kết quả trước ngày 15/12/2024.
2. Sở Y tế chủ trì kiểm tra việc khám chữa bệnh bảo hiểm y tế tại các cơ sở y tế.

Nơi nhận:
- Bảo hiểm xã hội Việt Nam;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""

PLAN_B = """ỦY BAN NHÂN DÂN
HUYỆN PHÚ TÂN
Số: 12/KH-UBND
Phú Tân, ngày 02 tháng 4 năm 2024

KẾ HOẠCH
Phát triển người tham gia bảo hiểm xã hội tự nguyện năm 2024

Thực hiện Kế hoạch số 45/KH-UBND ngày 10/3/2024 của Ủy ban nhân dân tỉnh;

I. CHỈ TIÊU
1. Tỷ lệ người tham gia bảo hiểm xã hội tự nguyện đạt 5% lực lượng lao động trong độ tuổi.
II. NHIỆM VỤ
1. Bảo hiểm xã hội huyện chủ trì tổ chức hội nghị đối thoại trong quý III năm 2024.
2. Ủy ban nhân dân các xã báo cáo kết quả hằng tháng.

Nơi nhận:
- Lưu: VT.
CHỦ TỊCH
Trần Thị Bình
"""

PLAN_C = """ỦY BAN NHÂN DÂN
XÃ BÌNH MỸ
Số: 7/KH-UBND
Bình Mỹ, ngày 05 tháng 5 năm 2024

KẾ HOẠCH
Tuyên truyền chính sách bảo hiểm y tế học sinh năm 2024

I. MỤC TIÊU
1. Tỷ lệ học sinh tham gia bảo hiểm y tế đạt 100%.
II. TỔ CHỨC THỰC HIỆN
1. Trường Trung học cơ sở Bình Mỹ chủ trì tuyên truyền đến phụ huynh học sinh.

CHỦ TỊCH
Lê Văn Cường
"""

#: The one edit of PLAN_A used by the diff and incremental tests (a target's value).
EDIT = ("đạt 93% dân số", "đạt 95% dân số")


def write_plans(folder: Path, **texts: str) -> Path:
    """Write `name=text` pairs as `folder/name.txt`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def kehoach(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([*KEHOACH, *args], cwd=ROOT, capture_output=True, text=True)
    if check:
        assert proc.returncode in (0, 1), proc.stderr
    return proc


def run_plans(inputs: Path, out: Path, *extra: str) -> Path:
    """`kehoach run INPUTS --out OUT -q` (exit 0 or 1: partial documents still write their tables)."""
    proc = kehoach("run", str(inputs), "--out", str(out), "-q", "--workers", "1", *extra)
    assert (out / "manifest.json").is_file(), proc.stderr
    return out


def handmade_run(out: Path) -> Path:
    """A run written from hand-made rows (no extractor involved): two plans, one implementing the other."""
    import datetime as dt

    from pipeline.run import write_run
    from pipeline.schema import SCHEMA_VERSION, SCHEMAS

    text1 = "I. MỤC TIÊU\n1. Tỷ lệ bao phủ bảo hiểm y tế đạt 93% dân số.\n2. Sở Y tế chủ trì, báo cáo trước ngày 15/12/2024."
    text2 = "Thực hiện Kế hoạch số 45/KH-UBND của tỉnh.\n1. Tỷ lệ tham gia bảo hiểm xã hội tự nguyện đạt 5%."
    v1, v2 = text1.index("93%"), text2.index("5%")
    tables = {t: [] for t in SCHEMAS}
    tables["documents"] = [
        {"doc_id": "d1", "source_path": "plans/kh45.txt", "doc_number": "45/KH-UBND", "doc_type": "Kế hoạch",
         "jurisdiction": "An Giang", "issuer_level": "province", "issue_date": dt.date(2024, 3, 10),
         "recipients": ["Sở Y tế"], "status": "ok"},
        {"doc_id": "d2", "source_path": "plans/kh12.txt", "doc_number": "12/KH-UBND", "doc_type": "Kế hoạch",
         "jurisdiction": "Phú Tân", "issuer_level": "district", "issue_date": dt.date(2024, 4, 2),
         "recipients": [], "status": "ok"}]
    tables["texts"] = [{"doc_id": "d1", "text": text1, "raw_text": text1}, {"doc_id": "d2", "text": text2, "raw_text": text2}]
    tables["targets"] = [
        {"target_id": "t1", "doc_id": "d1", "section_id": "I.1", "char_start": v1, "char_end": v1 + 10,
         "sentence": text1.splitlines()[1], "indicator": "bhyt_coverage", "value": 93.0, "unit": "percent",
         "target_year": 2024, "kind": "target"},
        {"target_id": "t2", "doc_id": "d2", "section_id": "1", "char_start": v2, "char_end": v2 + 2,
         "sentence": text2.splitlines()[1], "indicator": "bhxh_voluntary", "value": 5.0, "unit": "percent",
         "target_year": 2024, "kind": "target"}]
    tables["assignments"] = [
        {"assignment_id": "a1", "doc_id": "d1", "section_id": "I.2", "char_start": 60, "char_end": 68,
         "agency_id": "so-y-te-an-giang", "agency_name": "Sở Y tế", "role": "lead", "task": "báo cáo",
         "task_refs": [], "deadline_ids": ["dl1"]}]
    tables["deadlines"] = [
        {"deadline_id": "dl1", "doc_id": "d1", "section_id": "I.2", "char_start": 80, "char_end": 95,
         "kind": "due", "date": dt.date(2024, 12, 15), "expression": "trước ngày 15/12/2024",
         "agency_ids": ["so-y-te-an-giang"]}]
    tables["legal_refs"] = [
        {"ref_id": "r1", "doc_id": "d2", "section_id": "preamble", "char_start": 10, "char_end": 32,
         "ref_type": "Kế hoạch", "number": "45", "canonical_id": "45/KH-UBND", "relation": "implements",
         "resolved_doc_id": "d1"},
        {"ref_id": "r2", "doc_id": "d1", "section_id": "preamble", "char_start": 0, "char_end": 5,
         "ref_type": "Nghị quyết", "number": "28", "canonical_id": "28-NQ/TW", "relation": "basis"},
        {"ref_id": "r3", "doc_id": "d2", "section_id": "preamble", "char_start": 0, "char_end": 5,
         "ref_type": "Nghị quyết", "number": "28", "canonical_id": "28-NQ/TW", "relation": "basis"}]
    write_run(out, tables, {"schema_version": SCHEMA_VERSION, "pipeline_version": "handmade"})
    return out
