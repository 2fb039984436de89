"""Candidates for one token: the vocabulary words it may stand for, with a channel cost.

Two sources: marks stripped (nguoi → người, người, ngưới ...: free) and OCR
garbles from data/ocr_channel.tsv (S6 → Số, x3 → xã, ngdy → ngày). The search
walks a trie of the vocabulary, so only real words come out.
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .inventory import DATA, is_vietnamese_syllable, split_tone, strip_marks

MAX_COST = 6.0
MAX_CANDIDATES = 24
REMARK_COST = 1.0      # a marked letter read as another mark of the same letter (é for è)
LOST_MODIFIER_COST = 0.3   # the vowel mark lost, the tone kept (é for ế, ó for ớ)
UNMARK_COST = 2.5      # a marked letter standing for the bare letter
END = ""
# The combining marks of Vietnamese letters (tones, circumflex, breve, horn): a vocabulary word with any
# other mark (ï, ç, ñ from foreign names in the corpus) is never offered as a restoration.
VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")


def vietnamese_letters(word: str) -> bool:
    """Does `word` use only marks Vietnamese letters have?"""
    return word.isascii() or all(not unicodedata.combining(c) or c in VIETNAMESE_MARKS
                                 for c in unicodedata.normalize("NFD", word))
_ROMAN = frozenset("ivxlc")


@dataclass(frozen=True)
class Edit:
    observed: str
    true: str
    family: bool
    cost: float
    where: str
    case: str

    def fits(self, t: str) -> bool:
        if self.family:
            return _base(t) == self.true
        return t == self.true or (split_tone(t)[0] == self.true and self.true != "đ")


@dataclass(frozen=True)
class Candidate:
    id: int
    cost: float
    word: str                      # lowercase vocabulary form
    pieces: tuple | None = None    # alignment to the observed token: (start, end, letter, case rule)

    def surface(self, observed: str) -> str:
        """The word written in the case of the observed token.

        A word read back unchanged keeps the observed spelling (CTr); an
        abbreviation replacing a token in capitals is written in capitals (QĐ, II).
        """
        if self.word == observed.lower():
            return observed
        if not is_vietnamese_syllable(self.word) and (
                sum(c.isupper() for c in observed) >= 2 or (observed[:1].isupper() and _ROMAN.issuperset(self.word))):
            return self.word.upper()
        if self.pieces is not None:
            return apply_case(observed, list(self.pieces))
        return _recase(observed, self.word)


class CandSet:
    """The candidates of one token, with their ids and costs ready for the decoder."""

    __slots__ = ("cands", "ids", "costs", "n")

    def __init__(self, cands: tuple[Candidate, ...]):
        self.cands = cands
        self.ids = tuple(c.id for c in cands)
        self.costs = tuple(c.cost for c in cands)
        self.n = len(cands)

    def __len__(self) -> int:
        return self.n

    def plus(self, extra: Candidate) -> "CandSet":
        return CandSet(self.cands + (extra,))

    def union(self, other: "CandSet") -> "CandSet":
        if not len(other):
            return self
        have = set(self.ids)
        return CandSet(self.cands + tuple(c for c in other.cands if c.id not in have))

    def only(self, keep) -> "CandSet":
        return CandSet(tuple(c for c in self.cands if keep(c)))


def load_edits(path: str | Path = DATA / "ocr_channel.tsv") -> list[Edit]:
    with open(path, encoding="utf-8") as f:
        rows = [r for r in f if not r.startswith("#")]
    out = []
    for r in csv.DictReader(rows, delimiter="\t"):
        out.append(Edit(r["observed"], r["true"], r["match"] == "family", float(r["cost"]),
                        r["where"], r["case"]))
    return out


@lru_cache(maxsize=4096)
def _base(ch: str) -> str:
    return strip_marks(ch)


def _is_plain(ch: str) -> bool:
    return ch.isascii()


@lru_cache(maxsize=65536)
def identity_cost(o: str, t: str) -> float | None:
    """Cost of reading the observed letter `o` as the vocabulary letter `t` (same base letter)."""
    if o == t:
        return 0.0
    if _base(o) != _base(t):
        return None
    if _is_plain(o):
        return 0.0
    if o == "đ":
        return UNMARK_COST
    if _is_plain(t):
        return UNMARK_COST
    t_tone, o_tone = split_tone(t)[1], split_tone(o)[1]
    if o_tone == t_tone and split_tone(o)[0] == _base(o):
        return LOST_MODIFIER_COST
    return REMARK_COST


def apply_case(observed: str, pieces: list[tuple[int, int, str, str]]) -> str:
    """Write the candidate's letters in the case of the observed token."""
    cased = [c for c in observed if c.lower() != c.upper()]
    upper = sum(c.isupper() for c in cased)
    all_caps = len(cased) >= 2 and upper * 3 >= len(cased) * 2
    out = []
    for start, end, t, rule in pieces:
        seg = observed[start:end]
        if all_caps or (rule == "keep" and any(c.isupper() for c in seg)):
            out.append(t.upper())
        else:
            out.append(t)
    return "".join(out)


class Channel:
    """Candidate search over a vocabulary (lowercase tokens with their ids)."""

    def __init__(self, vocab: dict[str, int], edits: list[Edit] | None = None,
                 counts: dict[str, int] | None = None, min_share: float = 0.0):
        """`counts` and `min_share` drop words much rarer than the commonest word of the
        same stripped spelling (they are almost never right and slow the search)."""
        plain = {w: strip_marks(w) for w in vocab}      # each word's spelling without marks, once
        if counts and min_share:
            top: dict[str, int] = {}
            for w in vocab:
                k = plain[w]
                top[k] = max(top.get(k, 0), counts.get(w, 0))
            vocab = {w: i for w, i in vocab.items() if counts.get(w, 0) >= min_share * top[plain[w]]}
        vocab = {w: i for w, i in vocab.items() if vietnamese_letters(w)}
        self.vocab = vocab
        self.edits = load_edits() if edits is None else edits
        by_first: dict[str, list[Edit]] = {}
        for e in self.edits:
            by_first.setdefault(e.observed[0], []).append(e)
        self.by_first = {k: tuple(v) for k, v in by_first.items()}
        self.trie: dict = {}
        self.stripped: dict[str, list[str]] = {}
        for word, i in vocab.items():
            node = self.trie
            for ch in word:
                node = node.setdefault(ch, {})
            node[END] = i
            self.stripped.setdefault(plain[word], []).append(word)

    def stripped_candidates(self, token: str) -> CandSet:
        """Words whose marks were all lost in `token` (free of cost)."""
        return self._stripped(unicodedata.normalize("NFC", token).lower())

    @lru_cache(maxsize=100_000)
    def _stripped(self, low: str) -> CandSet:
        return CandSet(tuple(Candidate(self.vocab[w], 0.0, w) for w in self.stripped.get(low, ())))

    def search(self, token: str, max_cost: float = MAX_COST) -> CandSet:
        """Words `token` may be an OCR reading of, cheapest first."""
        return self._search(unicodedata.normalize("NFC", token), max_cost)

    @lru_cache(maxsize=100_000)
    def _search(self, token: str, max_cost: float) -> CandSet:
        low = token.lower()
        if len(low) != len(token):
            low = token
        n = len(token)
        best: dict[int, tuple[float, tuple]] = {}
        stack = [(0, self.trie, 0.0, ())]
        while stack:
            pos, node, cost, pieces = stack.pop()
            if pos == n:
                i = node.get(END)
                if i is not None and (i not in best or cost < best[i][0]):
                    best[i] = (cost, pieces)
                continue
            o = low[pos]
            for t, child in node.items():
                if t == END:
                    continue
                c = identity_cost(o, t)
                if c is not None and cost + c <= max_cost:
                    stack.append((pos + 1, child, cost + c, pieces + ((pos, pos + 1, t, "keep"),)))
            for e in self.by_first.get(token[pos], ()) + (
                    self.by_first.get(o, ()) if o != token[pos] else ()):
                k = len(e.observed)
                seg = token[pos:pos + k] if e.observed != e.observed.lower() else low[pos:pos + k]
                if seg != e.observed or cost + e.cost > max_cost:
                    continue
                if (e.where == "start" and pos) or (e.where == "inner" and not pos) or (
                        e.where == "end" and pos + k != n):
                    continue
                for t, child in node.items():
                    if t != END and e.fits(t):
                        stack.append((pos + k, child, cost + e.cost,
                                      pieces + ((pos, pos + k, t, e.case),)))
        ranked = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))[:MAX_CANDIDATES]
        return CandSet(tuple(Candidate(i, c, "".join(x[2] for x in p), p) for i, (c, p) in ranked))


@lru_cache(maxsize=200_000)
def _recase(observed: str, word: str) -> str:
    if observed.islower():
        return word
    if observed.isupper() and len(observed) > 1:
        return word.upper()
    if observed[:1].isupper() and observed[1:].islower():
        return word[:1].upper() + word[1:]
    if len(observed) != len(word):
        return apply_case(observed, [(0, len(observed), word, "keep")])
    return apply_case(observed, [(k, k + 1, t, "keep") for k, t in enumerate(word)])
