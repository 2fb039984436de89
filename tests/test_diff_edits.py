"""`kehoach diff` as a reviewer uses it: two runs of different folders, one plan edited in a few words.

The edit adds "(sửa đổi)" after the names of two laws in the preamble and changes one deadline's
year. The default report lists only the facts whose fields changed, and one line for the text.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import load_run
from pipeline.diff import diff, shown_fields

from _plans import kehoach, run_plans, write_plans

PLAN_PROVINCE = """ỦY BAN NHÂN DÂN
TỈNH VĨNH LONG
Số: 88/KH-UBND
Vĩnh Long, ngày 15 tháng 01 năm 2024

KẾ HOẠCH
Triển khai Luật Bảo hiểm xã hội trên địa bàn tỉnh năm 2024

Căn cứ Luật Bảo hiểm xã hội năm 2014;
Căn cứ Luật Bảo hiểm y tế ngày 14 tháng 11 năm 2008;
Căn cứ Nghị định số 115/2015/NĐ-CP ngày 11/11/2015 của Chính phủ quy định chi tiết một số điều của Luật Bảo hiểm xã hội về bảo hiểm xã hội bắt buộc;
Ủy ban nhân dân tỉnh ban hành Kế hoạch triển khai như sau:

I. MỤC ĐÍCH, YÊU CẦU
1. Phổ biến Luật Bảo hiểm xã hội đến người lao động và người sử dụng lao động.
2. Phấn đấu đến năm 2025 tỷ lệ tham gia bảo hiểm xã hội đạt 45% lực lượng lao động trong độ tuổi.
II. NHIỆM VỤ
1. Sở Tư pháp chủ trì tuyên truyền Luật Bảo hiểm xã hội và Luật Bảo hiểm y tế; hoàn thành trước ngày 30/6/2024.
2. Bảo hiểm xã hội tỉnh chủ trì, phối hợp với Sở Tài chính tổng hợp kết quả, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12/2024.
3. Ủy ban nhân dân các huyện báo cáo kết quả thực hiện hằng quý.

Nơi nhận:
- Bảo hiểm xã hội Việt Nam;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Lữ Quang Ngời
"""

PLAN_DISTRICT = """ỦY BAN NHÂN DÂN
HUYỆN TRÀ ÔN
Số: 21/KH-UBND
Trà Ôn, ngày 02 tháng 02 năm 2024

KẾ HOẠCH
Phát triển người tham gia bảo hiểm y tế năm 2024

Thực hiện Kế hoạch số 88/KH-UBND ngày 15/01/2024 của Ủy ban nhân dân tỉnh;

I. CHỈ TIÊU
1. Tỷ lệ bao phủ bảo hiểm y tế đạt 94% dân số.
II. TỔ CHỨC THỰC HIỆN
1. Trung tâm Y tế huyện chủ trì tổ chức khám chữa bệnh bảo hiểm y tế trong quý II năm 2024.
2. Ủy ban nhân dân các xã báo cáo kết quả trước ngày 25 hằng tháng.

Nơi nhận:
- Lưu: VT.
CHỦ TỊCH
Nguyễn Văn Sáu
"""

EDITS = [("Căn cứ Luật Bảo hiểm xã hội năm", "Căn cứ Luật Bảo hiểm xã hội (sửa đổi) năm"),
         ("Căn cứ Luật Bảo hiểm y tế ngày", "Căn cứ Luật Bảo hiểm y tế (sửa đổi) ngày"),
         ("trước ngày 15/12/2024", "trước ngày 15/12/2025")]


def edited(text: str) -> str:
    for old, new in EDITS:
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    """The same two plans read from two folders; in the second, the province's plan is edited."""
    base = tmp_path_factory.mktemp("edits")
    before = write_plans(base / "2024-01" / "plans", kh_vinh_long=PLAN_PROVINCE, kh_tra_on=PLAN_DISTRICT)
    after = write_plans(base / "2024-02", kh_vinh_long=edited(PLAN_PROVINCE), kh_tra_on=PLAN_DISTRICT)
    return run_plans(before, base / "run_a"), run_plans(after, base / "run_b")


def test_only_the_facts_that_changed_are_listed(runs):
    run_a, run_b = runs
    d = diff(run_a, run_b)
    listed = d.listed()
    assert not [c for c in d.changes if c.change != "changed"], "an edit pairs every fact: nothing added or removed"
    assert {c.table for c in listed} <= {"deadlines", "legal_refs", "tasks"}, [(c.table, c.fields) for c in listed]
    assert all(c.source_path.endswith("kh_vinh_long.txt") for c in d.changes)

    [deadline] = [c for c in listed if c.table == "deadlines"]
    assert {f["field"]: (f["a"], f["b"]) for f in shown_fields(deadline)} == {
        "date": ("2024-12-15", "2025-12-15"), "expression": ("trước ngày 15/12/2024", "trước ngày 15/12/2025")}
    for c in (c for c in listed if c.table == "tasks"):           # the task table prints the same deadline
        assert {f["field"] for f in shown_fields(c)} == {"deadline_text"}

    # legal references: the two edited laws (one lost its year and so its surface and canonical id, one its
    # date), and later short mentions that took their date from them; each paired, not added and removed
    refs = [c for c in listed if c.table == "legal_refs"]
    assert all(c.row_id_a for c in refs)
    assert all({f["field"] for f in shown_fields(c)} <= {"year", "issue_date", "canonical_id", "surface"} for c in refs)
    a = load_run(run_a).legal_refs
    laws = a[(a["ref_type"] == "Luật") & a["sentence"].str.startswith("Căn cứ Luật")]
    assert len(laws) == 2 and set(laws["ref_id"]) <= {c.row_id_a for c in refs}
    surfaces = [f for c in refs for f in shown_fields(c) if f["field"] == "surface"]
    assert surfaces == [{"field": "surface", "a": "Luật Bảo hiểm xã hội năm 2014", "b": "Luật Bảo hiểm xã hội"}]
    later = [c for c in refs if c.section_id != "preamble"]
    assert all({f["field"] for f in shown_fields(c)} == {"year", "issue_date"} for c in later)

    hidden = [c for c in d.changes if c.text_only]
    assert {c.table for c in hidden} >= {"documents", "texts", "sections"}
    assert not any(f["field"] == "source_path" for c in d.changes for f in c.fields)   # another folder, same files


def test_default_report_has_one_line_for_text(runs):
    run_a, run_b = runs
    out = kehoach("diff", str(run_a), str(run_b)).stdout
    assert len(re.findall(r"text changed in", out)) == 1
    assert re.search(r"^kh_vinh_long.txt: text changed in \d+ sections.*; details with --text$", out, re.M)
    headers = re.findall(r"^(\w+): (\d+) added, (\d+) removed, (\d+) changed$", out, re.M)
    assert {t for t, *_ in headers} <= {"deadlines", "legal_refs", "tasks"}
    n_refs = len([c for c in diff(run_a, run_b).listed() if c.table == "legal_refs"])
    assert ("deadlines", "0", "0", "1") in headers and ("legal_refs", "0", "0", str(n_refs)) in headers
    assert "source_path" not in out and "sentence:" not in out and "kh_tra_on" not in out
    assert "date: \"2024-12-15\" → \"2025-12-15\"" in out

    full = kehoach("diff", str(run_a), str(run_b), "--text").stdout
    assert "text changed in" not in full
    assert re.search(r"^sections: 0 added, 0 removed, \d+ changed$", full, re.M)
    assert re.search(r"^texts: 0 added, 0 removed, 1 changed$", full, re.M)
    assert "(sửa đổi)" in full and "source_path" not in full
