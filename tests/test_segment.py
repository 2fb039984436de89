"""segment: the section tree on hand-written plans and decisions, on the seeds' structure and a dev plan."""
from __future__ import annotations

import pytest

from _decision import DECISION, DECISION_IDS, dev_plan
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


# --- Decisions that promulgate a plan (docs/multi-part.md) ---

def _ids(text):
    return [s for s in segment(normalize([Page(1, text)]).text) if s.kind not in ("item", "bullet", "table")]


def test_decision_then_attached_plan_then_appendix():
    secs = _ids(DECISION)
    assert [s.section_id for s in secs] == DECISION_IDS
    kind = {s.section_id: s.kind for s in secs}
    assert [kind[a] for a in ("Điều 1", "Điều 2", "Điều 3")] == ["article"] * 3
    assert {s.section_id: s.label for s in secs}["Điều 2"] == "Điều 2"
    assert (kind["decision_title"], kind["title"], kind["signature"], kind["recipients"]) == \
        ("title", "title", "signature", "recipients")
    assert [kind[p] for p in ("I", "II", "III", "PL1", "PL1.I", "PL1.II")] == \
        ["part", "part", "part", "appendix", "part", "part"]
    assert kind["III.4"] == "clause" and kind["II.1.b"] == "point"
    by_id = {s.section_id: s for s in secs}
    assert by_id["PL1.I"].parent_id == "PL1" and by_id["III.4"].parent_id == "III"


def test_attached_plan_is_not_swallowed_by_the_signature():
    text = normalize([Page(1, DECISION)]).text
    by_id = {s.section_id: s for s in segment(text)}
    signature = text[by_id["signature"].char_start:by_id["signature"].char_end]
    assert signature.splitlines() == ["KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "Lê Văn Bình"]
    plan_title = text[by_id["title"].char_start:by_id["title"].char_end]
    assert plan_title.startswith("KẾ HOẠCH\nHÀNH ĐỘNG") and plan_title.endswith("của Thủ tướng Chính phủ)")
    clause = text[by_id["III.4"].char_start:by_id["III.4"].char_end]
    assert clause.startswith("4. Bộ Y tế chủ trì, phối hợp với các bộ, ngành, địa phương theo dõi, đôn đốc")


def _strip_marks(text: str) -> str:
    import unicodedata

    out = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in out if not unicodedata.combining(c))


def test_decision_without_diacritics_segments_alike():
    assert [s.section_id for s in _ids(_strip_marks(DECISION))] == DECISION_IDS


def test_decision_that_approves_the_plan_inside_its_first_article():
    text = ("THỦ TƯỚNG CHÍNH PHỦ\nSố: 7/QĐ-TTg\nQUYẾT ĐỊNH\nPhê duyệt Đề án thử nghiệm\nTHỦ TƯỚNG CHÍNH PHỦ\n"
            "Căn cứ Luật Tổ chức Chính phủ;\nQUYẾT ĐỊNH:\nĐiều 1. Phê duyệt Đề án thử nghiệm với các nội dung sau:\n"
            "I. MỤC TIÊU\n1. Mục tiêu chung.\nII. NHIỆM VỤ\n1. Bộ Y tế chủ trì.\n"
            "Điều 2. Quyết định này có hiệu lực từ ngày ký.\nĐiều 3. Các Bộ trưởng chịu trách nhiệm thi hành./.\n"
            "Nơi nhận:\n- Các bộ;\n- Lưu: VT.\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\nTrần Văn C\n")
    assert [s.section_id for s in _ids(text)] == [
        "header", "title", "preamble", "Điều 1", "I", "I.1", "II", "II.1", "Điều 2", "Điều 3",
        "recipients", "signature"]


def test_article_words_inside_a_sentence_are_not_articles():
    text = "KẾ HOẠCH\nThử\nI. NỘI DUNG\n1. Thực hiện theo\nĐiều 12 Luật Bảo hiểm y tế và các văn bản.\n"
    assert "article" not in {s.kind for s in _ids(text)}


def test_dev_plan_2623_decision_and_its_attached_plan():
    doc = dev_plan("thu-tuong_2623-QD-TTg")
    top = [s.section_id for s in doc.sections if s.parent_id is None]
    assert top == ["header", "decision_title", "preamble", "Điều 1", "Điều 2", "Điều 3", "recipients", "signature",
                   "title", "I", "II", "III", "IV"]      # the plan's opening paragraph is part of its title
    ids = {s.section_id for s in doc.sections}
    assert {f"II.{k}" for k in range(1, 9)} <= ids and {"I.1", "I.2", "III.5", "IV.3"} <= ids
    sig = next(s for s in doc.sections if s.section_id == "signature")
    assert doc.text[sig.char_start:sig.char_end].split("\n") == ["THỦ TƯỚNG", "Phạm Minh Chính"]


def test_letterhead_repeated_above_the_attached_plan():
    text = DECISION.replace("Lê Văn Bình\nKẾ HOẠCH\n", "Lê Văn Bình\nTHỦ TƯỚNG CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA "
                            "VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nKẾ HOẠCH\n")
    ids = [s.section_id for s in _ids(text)]
    assert ids == DECISION_IDS[:8] + ["attached_header"] + DECISION_IDS[8:]


def test_star_blocks_and_numbered_brackets_are_items():
    from pipeline.segment import segment
    text = ("KẾ HOẠCH\nThực hiện chính sách\nII. NHIỆM VỤ\n1.2. Kiểm tra\n* Nội dung kiểm tra\n- Hồ sơ\n"
            "* Thời gian kiểm tra\n(1) Lần thứ nhất\n(2) Lần thứ hai\n")
    got = {s.section_id: (s.kind, s.label) for s in segment(text)}
    assert got["II.1.2.*1"] == ("item", "*") and got["II.1.2.*2"] == ("item", "*")
    assert got["II.1.2.*2.1"] == ("item", "1") and got["II.1.2.*2.2"] == ("item", "2")


def test_a_closing_paragraph_after_a_parts_last_clause_belongs_to_the_part():
    """ANNOTATION.md: "a closing paragraph after a part's last numbered item takes the part's id"."""
    text = ("KẾ HOẠCH\nThử nghiệm\nIV. TỔ CHỨC THỰC HIỆN\n1. Sở Y tế chủ trì triển khai Kế hoạch này.\n"
            "2. Sở Tài chính bố trí kinh phí thực hiện Kế hoạch.\nHằng năm, trước ngày 15/12, các cơ quan gửi báo cáo "
            "về Sở Y tế.\nV. KINH PHÍ\n1. Ngân sách tỉnh.\n2. Kinh phí các đơn vị tự bảo đảm.\n"
            "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị báo cáo Ủy ban nhân dân tỉnh.\n")
    secs = segment(normalize([Page(1, text)]).text)
    at = lambda phrase: next(s.section_id for s in reversed(secs) if s.char_start <= text.index(phrase) < s.char_end)
    assert at("Hằng năm, trước") == "IV" and at("Trong quá trình") == "V"
    assert at("Sở Tài chính bố trí") == "IV.2"
    # a clause whose own text follows its bare label keeps it
    text2 = "KẾ HOẠCH\nThử\nIV. TỔ CHỨC THỰC HIỆN\n3.\nTrong quá trình thực hiện, các đơn vị báo cáo.\nV. KINH PHÍ\n"
    secs2 = segment(normalize([Page(1, text2)]).text)
    assert next(s.section_id for s in reversed(secs2) if s.char_start <= text2.index("Trong") < s.char_end) == "IV.3"


def test_three_level_numbers_nest_under_their_two_level_clause():
    """"1.1.1." under "1.1." under "1." in part II: II.1.1.1 (the printed labels joined, not repeated)."""
    text = ("KẾ HOẠCH\nQuan trắc môi trường\nII. NỘI DUNG\n1. Quan trắc.\n1.1. Quan trắc thường xuyên.\n"
            "1.1.1. Vùng nuôi tôm nước lợ.\na) Thời gian: hằng năm.\n1.1.2. Vùng nuôi tôm hùm.\n"
            "1.2. Cảnh báo.\n2. Kinh phí.\n")
    ids = [s.section_id for s in segment(text) if s.kind in ("part", "clause", "point")]
    assert ids == ["II", "II.1", "II.1.1", "II.1.1.1", "II.1.1.1.a", "II.1.1.2", "II.1.2", "II.2"]


def test_lettered_group_rows_of_an_appendix_table_are_parts():
    text = ("KẾ HOẠCH\nHành động\nI. MỤC TIÊU\n1. Giảm ô nhiễm.\nPHỤ LỤC\nNHIỆM VỤ\nTT\nNhiệm vụ\nCơ quan chủ trì\n"
            "A.\nHOÀN THIỆN THỂ CHẾ\n1\nSửa đổi quy chuẩn\nBộ Xây dựng\nB.\nĐẦU TƯ HẠ TẦNG\n1\nLắp đặt trạm quan trắc\n"
            "Bộ Tài chính\nX\nY\n")
    assert [s.section_id for s in segment(text) if s.kind == "part" and s.section_id.startswith("PL")] == [
        "PL1.A", "PL1.B"]


def test_the_enacting_authority_before_the_preamble_is_no_signature_and_a_wrapped_subject_goes_on():
    """A gazette decision repeats its issuer ("THỦ TƯỚNG CHÍNH PHỦ") between the subject and "Căn cứ ...": the
    body still opens with Điều 1. A subject line ending in "của" goes on at a capitalised "Bộ Chính trị ..."."""
    text = ("THỦ TƯỚNG CHÍNH PHỦ\nSố: 31/QĐ-TTg\nHà Nội, ngày 02 tháng 3 năm 2026\nQUYẾT ĐỊNH\nPhê duyệt Đề án thực "
            "hiện Kết luận số 10-KL/TW ngày 05 tháng 01 năm 2026 của\nBộ Chính trị về an sinh xã hội\n_____________\n"
            "THỦ TƯỚNG CHÍNH PHỦ\nCăn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;\nQUYẾT ĐỊNH:\n"
            "Điều 1. Phê duyệt Đề án với các nội dung sau:\nI. MỤC TIÊU\n1. Mở rộng diện bao phủ.\n"
            "Điều 2. Quyết định này có hiệu lực từ ngày ký.\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\nNguyễn Văn A\n")
    secs = {s.section_id: s for s in segment(text)}
    assert {"Điều 1", "I", "I.1", "Điều 2", "signature"} <= set(secs)
    assert text[secs["signature"].char_start:].startswith("KT. THỦ TƯỚNG")
    title = secs["title"]
    assert "Bộ Chính trị về an sinh xã hội" in text[title.char_start:title.char_end]


def test_an_attached_programme_titled_with_its_issuer_is_the_attached_plan():
    """"CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ" after the resolution's signature opens the attached programme, whose
    parts keep their own ids (ANNOTATION.md)."""
    text = ("CHÍNH PHỦ\nSố: 12/NQ-CP\nHà Nội, ngày 02 tháng 3 năm 2026\nNGHỊ QUYẾT\nBan hành Chương trình hành động\n"
            "CHÍNH PHỦ\nCăn cứ Luật Tổ chức Chính phủ;\nQUYẾT NGHỊ:\nĐiều 1. Ban hành kèm theo Nghị quyết này Chương "
            "trình hành động.\nĐiều 2. Nghị quyết này có hiệu lực từ ngày ký./.\nTM. CHÍNH PHỦ\nTHỦ TƯỚNG\nNguyễn "
            "Văn A\nCHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ\nthực hiện Kết luận số 10-KL/TW về an sinh xã hội\n(Kèm theo "
            "Nghị quyết số 12/NQ-CP ngày 02 tháng 3 năm 2026 của Chính phủ)\nI. MỤC TIÊU\n1. Mở rộng diện bao phủ.\n"
            "II. NHIỆM VỤ\n1. Bộ Y tế chủ trì rà soát.\n")
    ids = {s.section_id for s in segment(text)}
    assert {"Điều 1", "Điều 2", "I", "I.1", "II", "II.1"} <= ids
