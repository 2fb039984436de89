"""Detection: are a document's or a line's Vietnamese marks missing or garbled?

Each word token is classed as marked (a Vietnamese syllable with its marks),
plain (a syllable written without marks), garbled (OCR characters inside a
word, marks no syllable can carry, known garbles) or other (abbreviations,
foreign words). Correct Vietnamese has marks on about three syllables in four;
text whose marks were stripped has none; OCR output has garbles.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .inventory import is_vietnamese_syllable
from .tokens import GARBLE_CHARS, word_split

OCR_LETTERS = frozenset("ðÐ")
_GARBLE = frozenset(GARBLE_CHARS) | OCR_LETTERS

# Thresholds on the share of plain syllables among syllables.
DOC_PLAIN_SHARE = 0.55        # a document with more plain syllables than this lost its marks
DOC_GARBLE_SHARE = 0.02       # ... or one with this share of garbled tokens is OCR output
LINE_PLAIN_SHARE = 0.5        # inside such a document, lines with more plain syllables are restored
LINE_PLAIN_SHARE_ALONE = 0.8  # in a document that looks correct, a line needs this much ...
LINE_PLAIN_MIN_ALONE = 4      # ... and this many plain syllables
MIN_VIETNAMESE_SHARE = 0.5    # below this share of syllables among words, the text is not Vietnamese


def has_marks(token: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", token)) or (
        "đ" in token or "Đ" in token)


@lru_cache(maxsize=100_000)
def token_class(token: str) -> str:
    """marked | plain | garbled | other."""
    if any(c in _GARBLE for c in token):
        return "garbled"
    if is_vietnamese_syllable(token):
        return "marked" if has_marks(token) else "plain"
    if has_marks(token) and token.isalpha() and len(token) <= 8 and not _only_d_stroke(token):
        return "garbled"
    return "other"


def _only_d_stroke(token: str) -> bool:
    """Names and codes whose only Vietnamese letter is đ (Ia Đal, ĐTN) are not garbles."""
    return not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", token))


@dataclass
class Stats:
    marked: int = 0
    plain: int = 0
    garbled: int = 0
    other: int = 0

    def add(self, cls: str) -> None:
        setattr(self, cls, getattr(self, cls) + 1)

    def merge(self, other: "Stats") -> None:
        self.marked += other.marked
        self.plain += other.plain
        self.garbled += other.garbled
        self.other += other.other

    @property
    def syllables(self) -> int:
        return self.marked + self.plain

    @property
    def words(self) -> int:
        return self.marked + self.plain + self.garbled + self.other

    @property
    def plain_share(self) -> float:
        return self.plain / self.syllables if self.syllables else 0.0

    @property
    def garble_share(self) -> float:
        return self.garbled / self.words if self.words else 0.0

    @property
    def vietnamese(self) -> bool:
        return self.words > 0 and (self.syllables + self.garbled) / self.words >= MIN_VIETNAMESE_SHARE


class _Classes(dict):
    """token → token_class, looked up by `dict` itself (half the cost of the lru_cache's call, 148,000
    words in the dev plans); cleared past MAX_CLASSES entries."""

    MAX_CLASSES = 100_000

    def __missing__(self, token: str) -> str:
        if len(self) >= self.MAX_CLASSES:
            self.clear()
        self[token] = cls = token_class(token)
        return cls


_CLASSES = _Classes()


def stats(text: str, words: list[str] | None = None) -> Stats:
    """Classes of the word tokens of `text` (its tokens.word_split words, found when not given); counted
    with list.count, a third faster than a Counter over the 9,000 lines of the dev plans."""
    n = list(map(_CLASSES.__getitem__, word_split(text)[0] if words is None else words))
    return Stats(n.count("marked"), n.count("plain"), n.count("garbled"), n.count("other"))


def needs_restoration(text: str) -> bool:
    """Document level: have the Vietnamese marks of `text` been lost or garbled?"""
    return document_mode(stats(text)) != "ok"


def document_mode(s: Stats) -> str:
    """ok | stripped (marks removed) | ocr (garbles, with or without marks)."""
    if not s.vietnamese:
        return "ok"
    if s.garbled >= 2 and s.garble_share >= DOC_GARBLE_SHARE:
        return "ocr"
    if s.plain >= 2 and s.plain_share > DOC_PLAIN_SHARE:
        return "stripped"
    return "ok"


def line_needs_restoration(s: Stats, doc_mode: str) -> bool:
    """Line level: restore every syllable of this line (not only its garbled tokens)?"""
    if s.syllables == 0:
        return False
    if doc_mode != "ok":
        return s.plain > 0 and (s.plain_share > LINE_PLAIN_SHARE or s.garbled > 0)
    return (s.vietnamese and s.plain >= LINE_PLAIN_MIN_ALONE
            and s.plain_share >= LINE_PLAIN_SHARE_ALONE)
