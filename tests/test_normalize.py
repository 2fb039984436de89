"""normalize: NFC, tone placement, Markdown, unwrapping, columns, and the map back to the raw text."""
from __future__ import annotations

import unicodedata

from hypothesis import given, settings, strategies as st

from pipeline.model import Page
from pipeline.normalize import fix_tone_placement, normalize


def test_tone_placement_is_the_one_the_seeds_use():
    pairs = {"hoà": "hòa", "Hoà": "Hòa", "HOÀ": "HÒA", "thuỷ": "thủy", "khoẻ": "khỏe", "quý": "quý",
             "quỳ": "quỳ", "hoàng": "hoàng", "thuyền": "thuyền", "hóa": "hóa"}
    assert {k: fix_tone_placement(k) for k in pairs} == pairs


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="hoa uyqeOUAÀàáảãạèéẻẽẹỳýỷỹỵ\u0300\u0301\u0323n.2_", max_size=30))
def test_lines_skipping_their_words_have_none_to_fix(line):
    """A line _words_to_fix passes over has no word that normalize_word changes."""
    from pipeline.normalize import _WORD, _words_to_fix, normalize_word

    words = _WORD.findall(line)
    assert _words_to_fix(line) or list(map(normalize_word, words)) == words


def test_nfc_and_decomposed_input_become_one_form():
    decomposed = unicodedata.normalize("NFD", "Bảo hiểm xã hội hoà nhập")
    n = normalize([Page(1, decomposed)])
    assert n.text == "Bảo hiểm xã hội hòa nhập"
    assert unicodedata.is_normalized("NFC", n.text)


def test_markdown_markers_are_removed_and_bullets_kept():
    md = "## **KẾ HOẠCH**\n\n### *Về việc thử*\n\n- + Tỷ lệ đạt 95\\%\n\n**1.** Nội dung"
    n = normalize([Page(1, md)], markdown=True)
    assert n.text.split("\n") == ["KẾ HOẠCH", "Về việc thử", "+ Tỷ lệ đạt 95%", "1. Nội dung"]


WRAPPED = """Thực hiện Kế hoạch số 12/KH-UBND ngày 02/3/2024 của Ủy ban nhân dân tỉnh về
việc triển khai chính sách bảo hiểm xã hội tự nguyện trên địa bàn huyện, Ủy
ban nhân dân huyện xây dựng kế hoạch thực hiện như sau:
I. MỤC ĐÍCH
- Nâng cao nhận thức của cán bộ, đảng viên và nhân dân về chính sách bảo hiểm
xã hội, bảo hiểm y tế; phấn đấu hoàn thành các chỉ tiêu được giao trong năm.
- Huy động sự vào cuộc của cả hệ thống chính trị trong công tác phát triển
người tham gia bảo hiểm xã hội tự nguyện và bảo hiểm y tế hộ gia đình.
- Tăng cường công tác kiểm tra, giám sát việc chấp hành pháp luật về bảo
hiểm xã hội, bảo hiểm thất nghiệp tại các doanh nghiệp trên địa bàn huyện.
II. CHỈ TIÊU
1. Tỷ lệ bao phủ bảo hiểm y tế đạt 95% dân số trên địa bàn huyện vào cuối
năm 2024, tăng 1,5% so với năm 2023 theo kế hoạch được giao.
"""


def test_hard_wrapped_lines_are_joined_into_paragraphs():
    n = normalize([Page(1, WRAPPED)])
    lines = n.text.split("\n")
    assert len(lines) == 7
    assert lines[0].endswith("như sau:") and "tỉnh về việc" in lines[0] and "Ủy ban" in lines[0]
    assert lines[1] == "I. MỤC ĐÍCH"
    assert [ln[:2] for ln in lines[2:5]] == ["- "] * 3
    assert lines[6].startswith("1. Tỷ lệ") and lines[6].endswith("được giao.")


def test_paragraph_per_line_text_is_not_joined():
    text = "1. Mục đích\nNâng cao hiệu quả thực hiện chính sách\n2. Yêu cầu\n- Đúng quy định"
    assert normalize([Page(1, text)]).text == text


def test_two_column_header_is_split_into_columns():
    text = ("ỦY BAN NHÂN DÂN           CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "HUYỆN A                       Độc lập - Tự do - Hạnh phúc\n\nKẾ HOẠCH")
    lines = normalize([Page(1, text)]).text.split("\n")
    assert lines == ["ỦY BAN NHÂN DÂN", "HUYỆN A", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "KẾ HOẠCH"]


def test_running_headers_and_page_numbers_are_dropped():
    body = ["Mục tiêu chung.", "Chỉ tiêu cụ thể.", "Nhiệm vụ trọng tâm.", "Tổ chức thực hiện."]
    pages = [Page(i + 1, f"KẾ HOẠCH SỐ 5/KH-UBND\n{b}\n- {i + 1} -", "pdf_text") for i, b in enumerate(body)]
    n = normalize(pages)
    assert n.text.split("\n") == body
    assert n.page_starts == [0, 16, 33, 53]


def test_offsets_map_back_to_the_raw_text():
    raw = "## **II. CHỈ TIÊU**\n\n1. Tỷ lệ bao phủ BHYT đạt **95,5%** dân số."
    n = normalize([Page(1, raw)], markdown=True)
    i = n.text.index("95,5%")
    s, e = n.to_source(i, i + len("95,5%"))
    assert n.raw[s:e] == "95,5%"
    i = n.text.index("CHỈ TIÊU")
    s, e = n.to_source(i, i + 8)
    assert n.raw[s:e] == "CHỈ TIÊU"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=4), st.booleans())
def test_normalize_never_raises_and_the_map_has_one_entry_per_char(pages, md):
    n = normalize([Page(i + 1, p) for i, p in enumerate(pages)], markdown=md)
    assert len(n.source_offsets) == len(n.text) + 1
    assert all(0 <= o <= len(n.raw) for o in n.source_offsets)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=" \t\r\u00a0\u200bab hoà.\n", max_size=60), min_size=1, max_size=3))
def test_pages_with_single_spaces_skip_no_edit(pages):
    """The fast path of pages with nothing to fix in their spaces (_spaces_to_fix) gives what the line-by-line
    checks give; _spaces_to_fix says what _PAGE_SPACES says."""
    import pipeline.normalize as nm

    assert [nm._spaces_to_fix(t) for t in pages] == [bool(nm._PAGE_SPACES.search(t)) for t in pages]
    fast = normalize([Page(i + 1, t) for i, t in enumerate(pages)])
    saved = nm._spaces_to_fix
    nm._spaces_to_fix = lambda page: True          # every page takes the line-by-line checks
    try:
        slow = normalize([Page(i + 1, t) for i, t in enumerate(pages)])
    finally:
        nm._spaces_to_fix = saved
    assert (fast.text, fast.raw, list(fast.source_offsets), fast.page_starts) == \
        (slow.text, slow.raw, list(slow.source_offsets), slow.page_starts)


def test_letters_a_broken_conversion_printed_are_written_as_meant():
    raw = "Định kǶ gửi báo cáo; đội ngǜ kỹ sư; LǷNH VỰC; đƿa vào sử dụng."
    n = normalize([Page(1, raw)])
    assert n.text == "Định kỳ gửi báo cáo; đội ngũ kỹ sư; LĨNH VỰC; đưa vào sử dụng."
    assert n.to_source(0, len(n.text)) == (0, len(raw))         # one letter for one: offsets unchanged


def _offsets_line_by_line(lines: list, raw_length: int) -> list[int]:
    """The text's map to the raw text as it was built before `joined_offsets`: line by line."""
    src: list[int] = []
    for offsets in lines:
        src.extend(offsets)
        src.append((offsets[-1] + 1) if offsets else (src[-1] if src else 0))
    if src:
        src.pop()
    return src + [raw_length]


_LINE_OFFSETS = st.one_of(
    st.builds(lambda a, n: range(a, a + n), st.integers(0, 500), st.integers(0, 12)),
    st.lists(st.integers(0, 600), max_size=8))


@settings(max_examples=2000, deadline=None)
@given(st.lists(_LINE_OFFSETS, max_size=8), st.integers(0, 700))
def test_joined_offsets_as_line_by_line(lines, raw_length):
    from pipeline.normalize import joined_offsets

    assert list(joined_offsets(lines, raw_length)) == _offsets_line_by_line(lines, raw_length)
