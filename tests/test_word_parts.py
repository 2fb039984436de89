"""diacritics.tokens.word_parts: the shortcut for text without marks and garble characters next to letters cuts as
the word regex."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from diacritics.tokens import _WORD_PARTS, word_parts

ROOT = Path(__file__).resolve().parents[1]


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="aĐêxyz _-./,\n\t0123456789€@&\u0301\u0323²ⅣΩ٣", max_size=40))
def test_word_parts_cuts_as_the_word_regex(text):
    assert word_parts(text) == _WORD_PARTS.split(text)


def test_word_parts_on_the_corpus_lines():
    for f in sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "corpus").glob("*.md")):
        for line in f.read_text(encoding="utf-8").split("\n"):
            assert word_parts(line) == _WORD_PARTS.split(line)
