"""Folding Vietnamese text for matching: one definition for every stage and extractor."""
from __future__ import annotations

import unicodedata
from functools import cache


@cache
def _fold_char(ch: str) -> str:
    if ch in "đĐðÐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


def fold(text: str) -> str:
    """Lower-case, marks removed, đ→d, one character per character, so offsets into the
    folded text are offsets into `text`. Patterns written with marks match OCR text without."""
    if text.isascii():
        return text.lower()
    return "".join(ch.lower() if ch < "\x80" else _fold_char(ch) for ch in text)
