"""Folding Vietnamese text for matching: one definition for every stage and extractor."""
from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache


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
    if len(text) <= _SHORT:
        return _fold_short(text)
    if len(text) < _LONG:
        return text.translate(_FOLD)
    out = _RECENT.get(text)
    if out is None:
        out = _fold_long(text)
        if len(_RECENT) >= 4:
            del _RECENT[next(iter(_RECENT))]
        _RECENT[text] = out
    return out


_SHORT = 400          # texts up to this long (cells, lines, names) are memoised: stages fold them again


class _CodeTable:
    """fold as an array over the Basic Multilingual Plane (code point → folded code point), filled in from
    `_FOLD` as characters are met: a long text is folded with a few array operations instead of a
    dictionary lookup per character (a document in a sixth of the time)."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.table = np.zeros(0x10000, dtype=np.uint32)
        self.known = np.zeros(0x10000, dtype=bool)

    def fold(self, text: str) -> str | None:
        """`text.translate(_FOLD)`; None when `text` has a character past the BMP or a lone surrogate."""
        np = self.np
        try:
            codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        except UnicodeEncodeError:        # a lone surrogate
            return None
        if codes.max() > 0xFFFF:
            return None
        new = codes[~self.known[codes]]
        if len(new):
            for code in set(new.tolist()):
                self.table[code] = ord(_FOLD[code])
                self.known[code] = True
        return self.table[codes].tobytes().decode("utf-32-le")


@cache
def _code_table() -> _CodeTable:
    return _CodeTable()


def _fold_long(text: str) -> str:
    """fold of a long, non-ASCII text (`_CodeTable`; `str.translate` where the table cannot)."""
    out = _code_table().fold(text)
    return text.translate(_FOLD) if out is None else out


@lru_cache(maxsize=8192)
def _fold_short(text: str) -> str:
    return text.translate(_FOLD)


_LEADING_LOOKBEHIND = re.compile(r"\(\?<!(?:\\w|\[\\w/\])\)")


class Skipping:
    """A pattern whose matches are found by first searching patterns of where they may start, then
    trying the whole pattern there: the same matches as `pattern.finditer`, faster.

    `re` scans quickly to the literal or character class a pattern starts with, but a pattern that
    starts with a look-behind or an optional part is tried at every character. `starts` must match
    wherever the pattern does (an optional first part and the part after it each give one); by
    default, the pattern without its leading look-behind. Each should begin with a literal or a
    character class (else nothing is gained). The pattern must not match the empty string.

    `requires`: a part every match of the pattern holds (a piece of the pattern outside any optional
    part or alternative), best one that starts with a literal: a text without it has no match, and
    is not scanned for starts (most texts lack a rare phrase such as "tháng một lần")."""

    def __init__(self, pattern: re.Pattern, *starts: str, requires: str | None = None):
        if not starts:
            lead = _LEADING_LOOKBEHIND.match(pattern.pattern)
            if lead is None:
                raise ValueError(f"no leading look-behind in {pattern.pattern[:40]!r}")
            starts = (pattern.pattern[lead.end():],)
        self.pattern = pattern
        self.starts = [re.compile(x, pattern.flags) for x in starts]
        self.requires = None if requires is None else re.compile(requires, pattern.flags)

    #: Texts shorter than this are searched with the pattern itself (the scans cost more there).
    SHORT = 256

    def finditer(self, text: str):
        """The matches of the whole pattern in `text`, left to right, as `re.Pattern.finditer`."""
        return self.pattern.finditer(text) if len(text) < self.SHORT else self._skipping(text)

    def _skipping(self, text: str):
        if self.requires is not None and self.requires.search(text) is None:
            return iter(())
        if len(self.starts) == 1:
            return self._skipping_one(text)
        return self._skipping_many(text)

    def _skipping_one(self, text: str):
        """`_skipping_many` with one start pattern, without its lists (one candidate per digit of a text, for some)."""
        match, search = self.pattern.match, self.starts[0].search
        pos = 0
        while (hit := search(text, pos)) is not None:
            at = hit.start()
            m = match(text, at)
            pos = at + 1
            if m is not None:
                yield m
                pos = max(m.end(), pos)

    def _skipping_many(self, text: str):
        """The candidates of every start pattern, left to right, each tried with the whole pattern."""
        match, searches = self.pattern.match, [x.search for x in self.starts]
        hits = [search(text) for search in searches]      # the next hit of each start pattern
        while True:
            at = min((h.start() for h in hits if h is not None), default=None)
            if at is None:
                return
            m = match(text, at)
            pos = at + 1
            if m is not None:
                yield m
                pos = max(m.end(), pos)
            hits = [h if h is None or h.start() >= pos else search(text, pos) for h, search in zip(hits, searches)]


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


@lru_cache(maxsize=65536)
def marked_form(word: str) -> str:
    """A word lower-cased with its marks, the tone moved to the end: "hoà" and "hòa", "Uỷ" and "ủy" are one
    form (old and new tone placement), "quả" is no "qua", "Bố" no "bộ"."""
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = "".join(sorted(ch for ch in nfd if ch in _TONES))
    return unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in _TONES)) + tones
