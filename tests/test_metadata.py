"""Metadata on hand-written headers and on the seeds, against hand-annotated values."""
from __future__ import annotations

import datetime as dt

import pytest

from _decision import DECISION, dev_plan
from conftest import text_document
from extractors import metadata


def meta_of(text: str) -> dict:
    return metadata.extract(text_document(text, segment_text=True))


def test_blank_number_and_date_give_nulls_not_guesses():
    m = meta_of("BAN CHỈ ĐẠO\nSố: /KH-BCĐ Ia Grai, ngày tháng năm 2024\nKẾ HOẠCH\nVề việc thử\n1. Nội dung.")
    assert (m["doc_number"], m["issue_date"], m["place"]) == (None, None, "Ia Grai")


def test_number_date_place_and_issuer_of_a_province_header():
    m = meta_of("ỦY BAN NHÂN DÂN\nTỈNH KON TUM\nSố: 0045 /KH-UBND\nKon Tum, ngày 05 tháng 3 năm 2024\n"
                "KẾ HOẠCH\nThực hiện chính sách BHYT\nI. MỤC TIÊU\n1. Nội dung.")
    assert m["doc_number"] == "0045/KH-UBND"
    assert m["issue_date"] == dt.date(2024, 3, 5)
    assert (m["issuer"], m["issuer_level"], m["jurisdiction"]) == ("UBND tỉnh Kon Tum", "province", "Kon Tum")
    assert m["doc_type"] == "Kế hoạch"


def test_impossible_date_is_null():
    assert meta_of("UBND\nSố: 1/KH-UBND\nHà Nội, ngày 70 tháng 01 năm 2025\nKẾ HOẠCH\nX")["issue_date"] is None


def test_signer_and_recipients():
    text = ("KẾ HOẠCH\nVề việc thử\n1. Nội dung./.\nNơi nhận:\n- Sở Y tế;\n- Các xã, thị trấn;\n- Lưu: VT.\n"
            "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Thị Hoa")
    m = meta_of(text)
    assert (m["signer_name"], m["signer_title"]) == ("Nguyễn Thị Hoa", "Phó Chủ tịch")
    assert m["recipients"] == ["Sở Y tế", "Các xã, thị trấn"]


# Hand-annotated from reading each seed: blank or absent fields are None.
SEEDS = {
    "000": dict(doc_number="238/KH-UBND", issue_date=dt.date(2021, 10, 22), jurisdiction="Hà Nội",
                issuer_level="province", signer_name="Chử Xuân Dũng"),
    "001": dict(doc_number="15/KH-UBND", issue_date=None, jurisdiction="Hà Nội", issuer_level="province"),
    "002": dict(doc_number=None, issue_date=None, jurisdiction="Thành phố Hồ Chí Minh", issuer_level="province"),
    "003": dict(doc_number=None, issue_date=None, jurisdiction="huyện Ia H'Drai", issuer_level="district",
                signer_name="Nguyễn Tiến Dũng"),
    "004": dict(doc_number="212/KH-UBND", issue_date=dt.date(2018, 11, 16), jurisdiction="Hà Nội",
                issuer_level="province", signer_name="Nguyễn Đức Chung"),
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_metadata(seed_documents, seed):
    meta = seed_documents[seed].meta
    assert {k: meta[k] for k in SEEDS[seed]} == SEEDS[seed]
    assert meta["doc_type"] == "Kế hoạch"


# --- Central issuers, decisions that promulgate a plan, signature blocks ---

def test_decision_of_the_prime_minister_that_promulgates_a_plan():
    m = meta_of(DECISION)
    assert m["doc_number"] == "118/QĐ-TTg" and m["doc_type"] == "Quyết định"
    assert (m["issuer"], m["issuer_level"], m["jurisdiction"], m["place"]) == \
        ("Thủ tướng Chính phủ", "central", "Việt Nam", "Hà Nội")
    assert m["issue_date"] == dt.date(2026, 3, 12)
    assert m["title"] == ("Ban hành Kế hoạch hành động nâng cao chất lượng chăm sóc sức khỏe người cao tuổi "
                          "giai đoạn 2026 - 2030")
    assert (m["signer_name"], m["signer_title"]) == ("Lê Văn Bình", "Phó Thủ tướng")
    assert m["recipients"] == ["Ban Bí thư Trung ương Đảng", "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                               "UBND các tỉnh, thành phố trực thuộc trung ương"]
    assert m["attached_type"] == "Kế hoạch"
    assert m["attached_title"] == ("HÀNH ĐỘNG NÂNG CAO CHẤT LƯỢNG CHĂM SÓC SỨC KHỎE NGƯỜI CAO TUỔI "
                                   "GIAI ĐOẠN 2026 - 2030")


def test_the_decisions_signature_is_used_not_the_attached_plans():
    text = DECISION.replace("PHỤ LỤC\n", "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nPhạm Thị Dung\nPHỤ LỤC\n")
    m = meta_of(text)
    assert (m["signer_name"], m["signer_title"]) == ("Lê Văn Bình", "Phó Thủ tướng")


def test_plan_approved_inside_the_first_article():
    m = meta_of("THỦ TƯỚNG CHÍNH PHỦ\nSố: 7/QĐ-TTg\nQUYẾT ĐỊNH\nPhê duyệt Chương trình thử nghiệm\n"
                "THỦ TƯỚNG CHÍNH PHỦ\n"
                "Căn cứ Luật Tổ chức Chính phủ;\nQUYẾT ĐỊNH:\nĐiều 1. Phê duyệt Chương trình chăm sóc trẻ em vùng "
                "cao (sau đây gọi tắt là Chương trình) với các nội dung sau:\nI. MỤC TIÊU\n1. Mục tiêu chung.\n"
                "Điều 2. Quyết định này có hiệu lực từ ngày ký./.\nNơi nhận:\n- Các bộ;\n- Lưu: VT.\n"
                "TM. CHÍNH PHỦ\nTHỦ TƯỚNG\nTrần Văn C")
    assert (m["attached_type"], m["attached_title"]) == ("Chương trình", "chăm sóc trẻ em vùng cao")
    assert (m["signer_name"], m["signer_title"]) == ("Trần Văn C", "Thủ tướng")
    assert m["title"] == "Phê duyệt Chương trình thử nghiệm"


def test_a_plan_has_no_attached_document():
    m = meta_of("ỦY BAN NHÂN DÂN\nTỈNH KON TUM\nSố: 5/KH-UBND\nKẾ HOẠCH\nThực hiện chính sách BHYT\nI. MỤC TIÊU\n1. A.")
    assert (m["attached_type"], m["attached_title"]) == (None, None)


def test_ministry_header_over_two_lines_is_a_central_issuer():
    m = meta_of("BỘ VĂN HÓA, THỂ THAO\nVÀ DU LỊCH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 9/QĐ-BVHTTDL\n"
                "Hà Nội, ngày 02 tháng 4 năm 2026\nQUYẾT ĐỊNH\nVề việc thử\nBỘ TRƯỞNG BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH\n"
                "Căn cứ Luật;\nQUYẾT ĐỊNH:\nĐiều 1. Thử./.\nNơi nhận:\n- Như Điều 1;\n- Lưu: VT.\n"
                "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nNguyễn Văn Khánh")
    assert (m["issuer"], m["issuer_level"], m["jurisdiction"]) == \
        ("Bộ Văn hóa, Thể thao và Du lịch", "central", "Việt Nam")
    assert m["title"] == "Về việc thử"
    assert (m["signer_name"], m["signer_title"]) == ("Nguyễn Văn Khánh", "Thứ trưởng")


def test_resolution_without_letterhead_takes_the_issuer_from_the_line_above_the_preamble():
    m = meta_of("NGHỊ QUYẾT\nBan hành Kế hoạch thử nghiệm\nỦY BAN THƯỜNG VỤ QUỐC HỘI\nCăn cứ Luật;\nQUYẾT NGHỊ:\n"
                "Điều 1.\nBan hành kèm theo Nghị quyết này Kế hoạch thử nghiệm.\nKẾ HOẠCH\nTHỬ NGHIỆM\n"
                "(Ban hành kèm theo Nghị quyết số 12/NQ-UBTVQH15 ngày 05 tháng 01 năm 2026 của Ủy ban Thường vụ "
                "Quốc hội)\nI. NHIỆM VỤ\n1. Thử.")
    assert (m["issuer"], m["issuer_level"], m["jurisdiction"]) == ("Ủy ban Thường vụ Quốc hội", "central", "Việt Nam")
    assert m["title"] == "Ban hành Kế hoạch thử nghiệm"
    assert (m["doc_number"], m["issue_date"]) == ("12/NQ-UBTVQH15", dt.date(2026, 1, 5))
    assert (m["attached_type"], m["attached_title"]) == ("Kế hoạch", "THỬ NGHIỆM")


@pytest.mark.parametrize("block, expected", [
    ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH\nNguyễn Thành An", ("Nguyễn Thành An", "Phó Chủ tịch")),
    ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n(Đã ký)\nĐã ký\nHoàng Văn Bảy",
     ("Hoàng Văn Bảy", "Phó Chủ tịch")),
    ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH Nguyễn Văn An", ("Nguyễn Văn An", "Chủ tịch")),
    ("KT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\nLê Thị Cúc", ("Lê Thị Cúc", "Phó Thủ tướng")),
    ("TM. CHÍNH PHỦ\nTHỦ TƯỚNG\nLê Thị Cúc", ("Lê Thị Cúc", "Thủ tướng")),
    ("KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nĐỗ Minh Đức", ("Đỗ Minh Đức", "Thứ trưởng")),
    ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH UBND HUYỆN\nĐỗ Minh Đức", ("Đỗ Minh Đức", "Phó Chủ tịch UBND huyện")),
])
def test_signature_blocks(block, expected):
    m = meta_of(f"KẾ HOẠCH\nVề việc thử\n1. Nội dung./.\nNơi nhận:\n- Sở Y tế;\n- Lưu: VT.\n{block}")
    assert (m["signer_name"], m["signer_title"]) == expected


def test_dev_plan_2623_central_decision():
    m = dev_plan("thu-tuong_2623-QD-TTg").meta
    assert (m["doc_number"], m["doc_type"], m["issuer"], m["issuer_level"], m["jurisdiction"]) == \
        ("2623/QĐ-TTg", "Quyết định", "Thủ tướng Chính phủ", "central", "Việt Nam")
    assert m["title"] == "BAN HÀNH KẾ HOẠCH TRIỂN KHAI THI HÀNH LUẬT BẢO VỆ DỮ LIỆU CÁ NHÂN"
    assert (m["signer_name"], m["signer_title"]) == ("Phạm Minh Chính", "Thủ tướng")
    assert (m["attached_type"], m["attached_title"]) == ("Kế hoạch", "TRIỂN KHAI THI HÀNH LUẬT BẢO VỆ DỮ LIỆU CÁ NHÂN")
    assert len(m["recipients"]) == 15


def test_recipients_one_string_per_line_with_its_sub_lines_joined():
    from extractors.metadata import _recipients
    doc = text_document("KẾ HOẠCH\nPhát triển dữ liệu\nI. MỤC ĐÍCH\nNội dung.\nNơi nhận:\n- Bộ Khoa học và Công nghệ (b/c);\n"
                        "- TT. Tỉnh ủy; TT. HĐND tỉnh (b/c);\n- VP UBND tỉnh:\n+ LĐVP, KGVX;\n- Lưu: VT.\n",
                        segment_text=True)
    assert _recipients(doc) == ["Bộ Khoa học và Công nghệ (b/c)", "TT. Tỉnh ủy; TT. HĐND tỉnh (b/c)",
                                "VP UBND tỉnh: LĐVP, KGVX"]
