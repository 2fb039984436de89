"""pipeline.model: the sentence breaks of one line, found by `_LINE_SENTENCE_END`, are `_SENTENCE_END`'s matches there."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from pipeline.model import _LINE_SENTENCE_END, _SENTENCE_END

ROOT = Path(__file__).resolve().parents[1]


def _same_breaks(text: str) -> None:
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        assert [m.span(1) for m in _LINE_SENTENCE_END.finditer(text, start, end)] == \
            [m.span() for m in _SENTENCE_END.finditer(text, start, end)]
        start = end + 1


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="aĐÀx .;:!?\t\u00a0\n\"“(1", max_size=40))
def test_line_breaks_as_the_sentence_pattern(text):
    _same_breaks(text)


def test_line_breaks_on_the_corpus():
    for f in sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "corpus").glob("*.md")):
        _same_breaks(f.read_text(encoding="utf-8"))
