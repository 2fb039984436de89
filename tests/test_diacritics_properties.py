"""Properties of diacritics.restore on any string: it never raises, keeps the line count,
and changes nothing but the word tokens it reports.

The contract: putting each change's `original` back over its [char_start, char_end)
span of the output gives the input exactly, so every character outside a
restored token (spaces, punctuation, numbers, line breaks, other scripts) is
untouched; each restored token was a word token of the input (it holds a letter).
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diacritics
from diacritics.restore import restore_text
from diacritics.tokens import word_spans

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
OCR_NOISE = "0123456789€¢&©®£§@ÐðI|"
PUNCT = " \n\n\t.,;:-/()%'\"…–"

vietnamese_like = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + OCR_NOISE + PUNCT, max_size=200)
mixed_scripts = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=120)
binary_garbage = st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
surrogates = st.lists(st.integers(0xD800, 0xDFFF), max_size=5).map(lambda cs: "a" + "".join(map(chr, cs)) + "ba")
stripped_sentences = st.lists(st.sampled_from(["ke", "hoach", "thuc", "hien", "bao", "hiem", "xa", "hoi",
                                               "S6", "x3", "nguoi", "BHXH", "2025", ",", ".", "\n", "Ha", "Noi"]),
                              max_size=40).map(" ".join)
any_text = st.one_of(vietnamese_like, mixed_scripts, binary_garbage, surrogates, stripped_sentences)


def undo(result) -> str:
    out = result.text
    for c in sorted(result.changes, key=lambda c: c.char_start, reverse=True):
        out = out[:c.char_start] + c.original + out[c.char_end:]
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_restore_changes_only_word_tokens(text):
    model = diacritics.load_model()
    result = restore_text(model, text)   # the real decoder, not restore()'s last-resort fallback
    assert diacritics.restore(text, model) == result
    assert result.text.count("\n") == text.count("\n")
    assert len(result.text.splitlines()) == len(text.splitlines())
    assert undo(result) == text
    spans = {text[a:b] for a, b in word_spans(text)}
    previous_end = -1
    for c in result.changes:
        assert c.char_start >= previous_end
        previous_end = c.char_end
        assert result.text[c.char_start:c.char_end] == c.restored
        assert c.original in spans
        assert 0.0 <= c.confidence <= 1.0
    assert 0.0 <= result.share <= 1.0
    assert result.restored == bool(result.changes)


def test_edge_inputs():
    for text in ["", "\n", "\n\n\n", " ", "a", "Đ", "\x00\x01", "\ud800", "日本語のテキスト", "Привет мир",
                 "🙂" * 50, "a" * 5000, ("ke hoach " * 2000).strip()]:
        result = restore_text(diacritics.load_model(), text)
        assert undo(result) == text
        assert result.text.count("\n") == text.count("\n")
