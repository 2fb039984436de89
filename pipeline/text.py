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


class _FoldTable(dict):
    """str.translate table of fold, filled in as characters are met."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        self[code] = out = ch.lower() if ch < "\x80" else _fold_char(ch)
        return out


_FOLD = _FoldTable()


_RECENT: dict[str, str] = {}   # the last long texts folded: each stage folds the whole document again
_LONG = 4096


def fold(text: str) -> str:
    """Lower-case, marks removed, đ→d, one character per character, so offsets into the
    folded text are offsets into `text`. Patterns written with marks match OCR text without."""
    if text.isascii():
        return text.lower()
    if len(text) < _LONG:
        return text.translate(_FOLD)
    out = _RECENT.get(text)
    if out is None:
        out = text.translate(_FOLD)
        if len(_RECENT) >= 4:
            del _RECENT[next(iter(_RECENT))]
        _RECENT[text] = out
    return out
