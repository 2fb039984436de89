"""Metadata on hand-written headers and on the seeds, against hand-annotated values."""
from __future__ import annotations

import datetime as dt

import pytest

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
    assert (m["signer_name"], m["signer_title"]) == ("Nguyễn Thị Hoa", "Phó chủ tịch")
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
