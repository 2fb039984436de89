"""segment: the section tree on hand-written plans and on the seeds' structure."""
from __future__ import annotations

import pytest

from conftest import seed_path
from pipeline.model import Page
from pipeline.normalize import normalize
from pipeline.segment import roman_label, segment

PLAN = """ỦY BAN NHÂN DÂN
TỈNH A
Số: 9/KH-UBND
KẾ HOẠCH
Triển khai chính sách bảo hiểm y tế năm 2024
Căn cứ Luật Bảo hiểm y tế;
Il. MỤC TIÊU
1. Chỉ tiêu
1.1. Tỷ lệ bao phủ đạt 95%.
a) Nhóm học sinh đạt 100%;
- Trường tiểu học;
+ Khối lớp 1;
+ Khối lớp 2;
- Trường trung học.
đ) Nhóm khác.
I11. TỔ CHỨC THỰC HIỆN
Giao Sở Y tế chủ trì./.
Nơi nhận:
- Bộ Y tế;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn A
PHỤ LỤC 1
I. Danh sách
| STT | Đơn vị |
| 1 | Sở Y tế |
"""


def tree(text):
    return [(s.section_id, s.kind, s.parent_id) for s in segment(normalize([Page(1, text)]).text)]


def test_hand_written_plan_gives_the_expected_tree():
    assert tree(PLAN) == [
        ("header", "header", None), ("title", "title", None), ("preamble", "preamble", None),
        ("II", "part", None), ("II.1", "clause", "II"), ("II.1.1", "clause", "II.1"),
        ("II.1.1.a", "point", "II.1.1"), ("II.1.1.a.-1", "item", "II.1.1.a"),
        ("II.1.1.a.-1.+1", "bullet", "II.1.1.a.-1"), ("II.1.1.a.-1.+2", "bullet", "II.1.1.a.-1"),
        ("II.1.1.a.-2", "item", "II.1.1.a"), ("II.1.1.đ", "point", "II.1.1"),
        ("III", "part", None), ("recipients", "recipients", None), ("signature", "signature", None),
        ("PL1", "appendix", None), ("PL1.I", "part", "PL1"), ("PL1.I.T1", "table", "PL1.I"),
    ]


def test_ocr_garbled_roman_numerals_are_repaired():
    assert [roman_label(t) for t in ["Il", "I11", "IV", "V", "1", "Ill", "XX"]] == \
        ["II", "III", "IV", "V", None, "III", "XX"]


def test_sections_nest_and_cover_their_children():
    secs = segment(normalize([Page(1, PLAN)]).text)
    by_id = {s.section_id: s for s in secs}
    for s in secs:
        if s.parent_id:
            p = by_id[s.parent_id]
            assert p.char_start <= s.char_start and s.char_end <= p.char_end, s.section_id
            assert s.level == p.level + 1
    assert [s.ordinal for s in secs] == list(range(len(secs)))


# Hand-annotated top-level structure of the seeds (parts and appendices, in order).
SEED_PARTS = {
    "000": ["I", "II", "III", "IV", "PL1", "PL2", "PL3"],
    "003": ["I", "II", "III", "IV"],
    "004": ["I", "II", "III", "IV"],
}


@pytest.mark.parametrize("prefix", sorted(SEED_PARTS))
def test_seed_parts(prefix):
    path = seed_path(prefix)
    text = normalize([Page(1, path.read_text(encoding="utf-8"))], markdown=prefix in ("003", "004")).text
    secs = segment(text)
    top = [s.section_id for s in secs if s.kind in ("part", "appendix") and s.parent_id is None]
    assert top == SEED_PARTS[prefix]
    kinds = {s.kind for s in secs}
    assert {"title", "part", "clause", "item"} <= kinds


def test_seed_003_subclauses_and_points_under_them():
    text = normalize([Page(1, seed_path("003").read_text(encoding="utf-8"))], markdown=True).text
    ids = [s.section_id for s in segment(text)]
    for sid in ["II.2.1", "III.1.1", "III.1.1.a", "III.1.2.b", "III.1.3.a", "III.2.a", "IV.1", "IV.2", "recipients"]:
        assert sid in ids, sid
