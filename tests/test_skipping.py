"""pipeline.text.Skipping finds exactly the matches of the pattern it wraps (deadline, date and legal-reference patterns)."""
import re
from pathlib import Path

from extractors import dates, deadlines, legal_refs, targets
from pipeline.text import Skipping, fold

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

TEXT = fold("""Quý III/2026 quý 4 năm 2025; thang 5/2025,xthang 6/2025 tháng 4 và tháng 8 năm 2026
8h30' ngày 26/10/2021 18h ngày 5/9 a8h 12 giờ 30 phút ngày 1/1/2026 Định kỳ, định kỳ hàng năm
từ ngày 03 đến ngày 05 tháng 9 năm 2026 từ quý I/2026 từ tháng 3 năm 2026 từ năm 2027 tu nam 20
hoàn thành trong năm 2026 trước năm 2030 (2025 và các năm tiếp theo) năm 2025 trở đi quý I năm 2024 trở đi""")


def _all(p, text):
    found = p._skipping(text) if isinstance(p, Skipping) else p.finditer(text)
    return [(m.span(), m.groups()) for m in found]


def test_same_matches_as_the_pattern():
    wrapped = [p for p in [*deadlines._patterns().values(), *deadlines._span_patterns().values(), deadlines._regime_re()]
               if isinstance(p, Skipping)]
    assert len(wrapped) >= 8
    for w in wrapped:
        for k in range(0, len(TEXT), 7):
            assert _all(w, TEXT[k:]) == _all(w.pattern, TEXT[k:]), w.pattern.pattern[:40]


def test_lookbehind_failing_where_the_body_matches():
    w = Skipping(re.compile(r"(?<!\w)ab"))
    assert [m.span() for m in w._skipping("ab xab ab-ab aab")] == [(0, 2), (7, 9), (10, 12)]
    assert [m.span() for m in w.finditer("ab xab ab-ab aab")] == [(0, 2), (7, 9), (10, 12)]


def _every_skipping() -> list[Skipping]:
    found = [*deadlines._patterns().values(), *deadlines._span_patterns().values(), deadlines._regime_re(),
             dates._date_scan(), legal_refs._ID_SCAN, legal_refs._AMENDING_SCAN,
             *legal_refs._context_res().values(), *legal_refs._provision_res().values(),
             deadlines._year_phrase_re()[0], legal_refs._constitution_re(), targets._NUMBER_SCAN]
    return [p for p in found if isinstance(p, Skipping)]


def test_same_matches_on_the_corpus():
    texts = [f.read_text(encoding="utf-8") for f in sorted(CORPUS.glob("*")) if f.suffix in (".txt", ".md")]
    assert texts
    texts += [fold(t) for t in texts] + [TEXT]
    for w in _every_skipping():
        for t in texts:
            assert _all(w, t) == _all(w.pattern, t), w.pattern.pattern[:40]


def test_dates_as_the_date_pattern():
    from extractors import dates

    text = TEXT + fold(" 1. Mục tiêu 2.3 ngày 5/9 22 tháng 11 năm 2012, ngày 05 tháng 01 năm sau 1/2/2020 x1/2/2020 ngay 7")
    for k in range(0, len(text), 5):
        assert _all(dates._date_scan(), text[k:]) == _all(dates.date_pattern(), text[k:])


RARE = fold("""Báo cáo 6 tháng một lần, sáu tháng 1 lần; ba tháng/lần. Trong 30 ngày kể từ ngày ban hành Kế hoạch;
chậm nhất 15 ngày kể từ ngày ký. 6 tháng đầu năm 2026, chín tháng cuối năm nay; trước ngày 20 hằng tháng,
vào ngày 25 hàng tháng; hàng quý (trước ngày 18/3), hàng tháng (trước ngày 18 hàng tháng), tổng kết năm (trước ngày 30/11);
từ quý I/2026 đến quý III/2027, tháng 3/2026 - tháng 5/2026, từ ngày 03 đến ngày 05 tháng 9 năm 2026""")


def test_a_required_part_lets_texts_without_it_be_skipped():
    required = [w for w in _every_skipping() if w.requires is not None]
    assert len(required) >= 5
    for w in required:
        found = _all(w.pattern, RARE)
        assert found, w.pattern.pattern[:40]            # each rare phrase is in RARE
        assert _all(w, RARE) == found
        for m in w.pattern.finditer(RARE):
            assert w.requires.search(m.group()), w.pattern.pattern[:40]
        assert _all(w, TEXT) == _all(w.pattern, TEXT)
