"""Encoding detection and conversion: legacy Vietnamese code pages, BOMs, binary input."""
from __future__ import annotations

import random
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.encodings import (
    EncodingError,
    decode_as,
    decode_text,
    encode_legacy,
    fix_legacy_text,
    is_written_syllable,
    substitutions,
)

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
ACCENTED_SEEDS = ("000", "002", "003", "004")
LEGACY = ("tcvn3", "vni", "viscii", "cp1258")

SENTENCES = [
    "Tỷ lệ bao phủ bảo hiểm y tế đạt 95%",
    "Kế hoạch thực hiện chính sách bảo hiểm xã hội năm 2025",
    "Ủy ban nhân dân tỉnh giao Sở Y tế chủ trì, phối hợp với các đơn vị liên quan.",
    "Phát triển người tham gia bảo hiểm thất nghiệp.",
    "TỔ CHỨC THỰC HIỆN",
    "ĐIỀU 1. Mục tiêu\nTăng số người tham gia BHXH tự nguyện.",
    "Quỹ khám chữa bệnh",
    "Ở cấp xã, trưởng thôn vận động hộ gia đình.",
    "Số tiền đóng: 1.500.000 đồng/tháng",
    "KẾ HOẠCH\nTriển khai Nghị quyết số 28-NQ/TW",
    "Gửi Thường trực HĐND tỉnh, Bộ LĐTB&XH.",
    "Số: 15/KH-UBND\nTRƯỞNG BAN",
]

VIETNAMESE_LETTERS = sorted(
    {
        unicodedata.normalize("NFC", base + tone)
        for base in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
        for tone in ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
    }
    | {"đ"}
)
ALPHABET = "".join(VIETNAMESE_LETTERS) + "".join(ch.upper() for ch in VIETNAMESE_LETTERS)


def noise(seed: int, low: int, size: int = 3000) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(low, 256) for _ in range(size))


def as_pdf_text(data: bytes) -> str:
    """Legacy bytes as a PDF text layer shows them: each byte as its Windows-1252/Latin-1 character."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


def seed_text(prefix: str) -> str:
    files = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.skip(f"seed {prefix} not available")
    return unicodedata.normalize("NFC", files[0].read_text(encoding="utf-8"))


# Tables

@pytest.mark.parametrize("encoding", LEGACY)
def test_every_vietnamese_letter_round_trips(encoding):
    assert sum(not ch.isascii() for ch in ALPHABET) == 134
    data = encode_legacy(ALPHABET + " ASCII 0-9", encoding)
    assert decode_as(data, encoding) == ALPHABET + " ASCII 0-9"


def test_tables_hold_known_codes():
    assert decode_as(b"Vi\xd6t Nam", "tcvn3") == "Việt Nam"
    assert decode_as("Vieät Nam".encode("latin-1"), "vni") == "Việt Nam"
    assert decode_as(b"Vi\xaet Nam", "viscii") == "Việt Nam"
    assert decode_as(b"Vi\xea\xf2t Nam", "cp1258") == "Việt Nam"
    assert encode_legacy("Việt Nam", "cp1258") == b"Vi\xea\xf2t Nam"


def test_tcvn3_capitals_use_the_vn1_layout():
    assert encode_legacy("Ạ", "tcvn3") == b"\x84"
    assert encode_legacy("Ụ", "tcvn3") == b"\x02"
    assert encode_legacy("ạ", "tcvn3") == b"\xb9"


def test_substitutions_only_where_the_code_page_has_no_room():
    assert substitutions("vni") == {} and substitutions("cp1258") == {}
    assert substitutions("tcvn3")[ord("“")] == '"'
    assert substitutions("viscii")[0xA0] == " "
    with pytest.raises(ValueError):
        encode_legacy("Giá 5 €", "viscii")


# Detection on short hand-written text

@pytest.mark.parametrize("encoding", LEGACY)
@pytest.mark.parametrize("sentence", SENTENCES)
def test_short_sentence_detected(sentence, encoding):
    assert decode_text(encode_legacy(sentence, encoding)) == (sentence, encoding)


@pytest.mark.parametrize("encoding", ("tcvn3", "vni", "viscii"))
@pytest.mark.parametrize("sentence", SENTENCES)
def test_short_pdf_text_repaired(sentence, encoding):
    assert fix_legacy_text(as_pdf_text(encode_legacy(sentence, encoding))) == (sentence, encoding)


def test_vn3_file_with_windows_punctuation_and_caps_font():
    data = b"K\xd5 HO\xb9CH\n\x93Ph\xb8t tri\xd3n\x94 ng\xad\xeai tham gia \x96 B\xb8o c\xb8o\x85"
    assert decode_text(data) == ("KẾ HOẠCH\n“Phát triển” người tham gia – Báo cáo…", "tcvn3")


def test_vn3_caps_fix_leaves_ordinary_lines():
    assert decode_text(b"S\xe8: 15/KH-UBND\nK\xd5 HO\xb9CH") == ("Số: 15/KH-UBND\nKẾ HOẠCH", "tcvn3")


def test_vn1_capital_inside_a_word_is_not_punctuation():
    data = encode_legacy("TRƯỞNG BAN", "tcvn3")
    assert b"\x99" in data
    assert decode_text(data) == ("TRƯỞNG BAN", "tcvn3")


def test_vn1_control_byte_capitals_in_otherwise_ascii_data():
    data = encode_legacy("PHỤ LỤC", "tcvn3")
    assert data == b"PH\x02 L\x02C"
    assert decode_text(data) == ("PHỤ LỤC", "tcvn3")


def test_vn1_lone_capital_is_a_letter():
    data = encode_legacy("Ở cấp xã", "tcvn3")
    assert data.startswith(b"\x99")
    assert decode_text(data) == ("Ở cấp xã", "tcvn3")


def test_cp1258_precomposed_and_decomposed_give_the_same_nfc():
    decomposed = b"Tha\xccnh ph\xf4\xec Ha\xcc N\xf4\xf2i"
    precomposed = b"Th\xe0nh ph\xf4\xec H\xe0 N\xf4\xf2i"
    assert decode_text(decomposed) == decode_text(precomposed) == ("Thành phố Hà Nội", "cp1258")


# Unicode inputs

def test_plain_ascii_is_utf8():
    assert decode_text(b"BHXH, BHYT 2025\n") == ("BHXH, BHYT 2025\n", "utf-8")
    assert decode_text(b"") == ("", "utf-8")


def test_utf8_is_returned_as_nfc():
    decomposed = unicodedata.normalize("NFD", "Kế hoạch")
    assert decode_text(decomposed.encode("utf-8")) == ("Kế hoạch", "utf-8")


def test_utf8_bom_is_dropped():
    assert decode_text(b"\xef\xbb\xbf" + "Bảo hiểm y tế".encode()) == ("Bảo hiểm y tế", "utf-8-sig")


@pytest.mark.parametrize("codec", ("utf-16", "utf-16-le", "utf-16-be"))
def test_utf16_with_and_without_bom(codec):
    text = "Tỷ lệ bao phủ bảo hiểm y tế đạt 95%\nKế hoạch năm 2025"
    assert decode_text(text.encode(codec)) == (text, "utf-16")


def test_utf8_holding_tcvn3_mojibake_is_repaired():
    pasted = as_pdf_text(encode_legacy("Bảo hiểm thất nghiệp", "tcvn3"))
    assert decode_text(pasted.encode("utf-8")) == ("Bảo hiểm thất nghiệp", "tcvn3")


# Binary and unknown input

@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4,  # old .doc
        noise(1, low=1),
        noise(2, low=0),
    ],
)
def test_binary_raises_with_advice(data):
    with pytest.raises(EncodingError, match=r"binary.*\.docx"):
        decode_text(data)


def test_high_bytes_that_are_not_vietnamese_raise():
    with pytest.raises(EncodingError, match="not Vietnamese"):
        decode_text(noise(3, low=0x80))
    with pytest.raises(EncodingError, match="not Vietnamese"):
        decode_text("Où est la gare? Ça va, élève, garçon. Über schön größer".encode("latin-1"))


# PDF text layers

def test_correct_unicode_passes_unchanged():
    text = "Tỷ lệ bao phủ bảo hiểm y tế đạt 95% – “Kế hoạch” số 12… café ©"
    fixed, encoding = fix_legacy_text(text)
    assert fixed is text and encoding is None


def test_ocr_text_with_lost_marks_is_not_converted():
    ocr = "bao hiém y té nam 2025 trén dia ban thanh pho Ha Néi, cac ndi dung cu thé"
    assert fix_legacy_text(ocr) == (ocr, None)


def test_written_syllables():
    assert is_written_syllable("hòa") and is_written_syllable("hoà") and is_written_syllable("ĐẠT")
    assert not is_written_syllable("sơì")
    assert not is_written_syllable("đơt")


def test_mixed_page_keeps_its_unicode_lines():
    body = as_pdf_text(encode_legacy("Các cơ quan, đơn vị thực hiện\nTỷ lệ bao phủ đạt 95%", "tcvn3"))
    page = "KẾ HOẠCH TRIỂN KHAI\n" + body
    assert fix_legacy_text(page) == (
        "KẾ HOẠCH TRIỂN KHAI\nCác cơ quan, đơn vị thực hiện\nTỷ lệ bao phủ đạt 95%",
        "tcvn3",
    )


# Seeds

@pytest.mark.parametrize("encoding", LEGACY)
@pytest.mark.parametrize("prefix", ACCENTED_SEEDS)
def test_seed_round_trip(prefix, encoding):
    original = seed_text(prefix)
    expected = original.translate(substitutions(encoding))
    text, detected = decode_text(encode_legacy(original, encoding))
    assert detected == encoding
    assert text == expected
    if encoding in ("vni", "cp1258"):
        assert text == original


@pytest.mark.parametrize("encoding", ("tcvn3", "vni", "viscii"))
@pytest.mark.parametrize("prefix", ACCENTED_SEEDS)
def test_seed_pdf_text_repaired(prefix, encoding):
    original = seed_text(prefix)
    mojibake = as_pdf_text(encode_legacy(original, encoding))
    expected = (original.translate(substitutions(encoding)), encoding)
    assert fix_legacy_text(mojibake) == expected
    assert decode_text(mojibake.encode("utf-8")) == expected


@pytest.mark.parametrize("prefix", ACCENTED_SEEDS + ("001",))
def test_seed_unicode_unchanged(prefix):
    files = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.skip(f"seed {prefix} not available")
    raw = files[0].read_text(encoding="utf-8")
    assert fix_legacy_text(raw) == (raw, None)
    assert decode_text(raw.encode("utf-8")) == (unicodedata.normalize("NFC", raw), "utf-8")


# Speed

def _fastest(data: bytes, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        decode_text(data)
        times.append(time.perf_counter() - start)
    return min(times)


@pytest.mark.parametrize("encoding", LEGACY)
def test_50kb_file_decodes_fast(encoding):
    rng = random.Random(0)
    lines = [rng.choice(SENTENCES).replace("\n", " ") + f" ({i})" for i in range(1200)]
    data = encode_legacy("\n".join(lines), encoding)[:50_000]
    data = data[: data.rfind(b"\n")]
    assert len(data) > 45_000
    assert decode_text(data)[1] == encoding
    assert _fastest(data) < 0.1


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="aN IđệƯ “”‘’–—…•\u00a0\u2028\t\n.,;()-*×≥μñ¸®", max_size=40))
def test_foreign_share_looks_only_at_words_with_foreign_characters(text):
    from pipeline.encodings import _foreign_share, _word_share

    assert _foreign_share(text) == _word_share(text)
