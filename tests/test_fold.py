"""pipeline.text.fold: a long text folded through the code point array (`_fold_long`) is what `str.translate`
with the fold table makes, character for character."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from pipeline.text import _FOLD, _LONG, _fold_long, fold

ROOT = Path(__file__).resolve().parents[1]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_long_texts_fold_as_translate(text):
    long = (text * (_LONG // len(text) + 1))[:_LONG + 7]
    assert _fold_long(long) == long.translate(_FOLD)


def test_astral_characters_and_lone_surrogates_fold_as_translate():
    for text in ("Ủy ban 𝐀𝐁 nhân dân " * 300, "Đà Nẵng \ud800 Quý III " * 300):
        assert _fold_long(text) == text.translate(_FOLD)


def test_corpus_texts_fold_as_translate():
    for f in sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "corpus").glob("*.md")):
        text = f.read_text(encoding="utf-8")
        assert fold(text) == (text.lower() if text.isascii() else text.translate(_FOLD))
