"""The fast paths of agency matching find what the plain loops find (docs/performance.md).

`_fuzzy_hits` scores windows in grouped rapidfuzz calls and `_exact_candidates` skips tokens
where no variant can start: both are checked against the straightforward loops they replace,
on texts made of the gazetteer's own words with OCR-like damage.
"""
from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz

from extractors import agencies as A


def _reference_hits(keys: list[str], i: int, ocr: bool) -> list[tuple[int, float]]:
    """Every entry of the plan at token i whose ratio on the keys from i reaches its threshold."""
    out = []
    for idx, (v, n, th_text, th_ocr, _) in enumerate(A._fuzzy_plan(keys[i])):
        th = th_ocr if ocr else th_text
        if th is None or n > A.FUZZY_TOKENS or i + n > len(keys) or (not ocr and v.tokens[0] != keys[i]):
            continue                     # marked text: the first word as printed (typos only after it)
        r = fuzz.ratio(" ".join(keys[i:i + n]), v.joined, score_cutoff=th)
        if r:
            out.append((idx, r))
    return out


def _damaged(rng: random.Random, word: str) -> str:
    if len(word) < 3 or rng.random() < 0.7:
        return word
    k = rng.randrange(len(word))
    return word[:k] + rng.choice("aeiouxyzd0") + word[k + 1:]


def _texts(n: int, seed: int, size: int = 60) -> list[list[str]]:
    rng = random.Random(seed)
    words = sorted({t for v in A.gazetteer()["variants"] for t in v.tokens} | {"va", "cac", "phoi", "hop", "chu", "tri"})
    out = []
    for _ in range(n):
        keys: list[str] = []
        while len(keys) < size:
            if rng.random() < 0.4:
                v = rng.choice(A.gazetteer()["variants"])
                keys.extend(_damaged(rng, t) for t in v.tokens)
            else:
                keys.append(_damaged(rng, rng.choice(words)))
        out.append(keys)
    return out


@pytest.mark.parametrize("ocr", [False, True])
def test_fuzzy_hits_equal_the_plain_loop(ocr):
    for keys in _texts(6, seed=7 + ocr, size=1500) + _texts(40, seed=17 + ocr):
        starts = [i for i, k in enumerate(keys) if A._may_start(k)]
        for subset in (starts, starts[:5]):          # the cdist path (long texts) and the few-windows path
            hits = A._fuzzy_hits(keys, subset, ocr)
            assert {i: h for i, h in hits.items()} == {
                i: ref for i in subset if (ref := _reference_hits(keys, i, ocr))}


def test_exact_candidates_hold_every_exact_match():
    for words in _texts(40, seed=3):
        text = " ".join(words)
        toks = A.tokenize(text)
        keys = [t.key for t in toks]
        candidates = set(A._exact_candidates(keys))
        for i in range(len(keys)):
            if A._exact_at(toks, keys, i, text) is not None:
                assert i in candidates, (i, keys[i:i + 4])



@pytest.mark.parametrize("noisy", [False, True])
def test_fuzzy_starts_are_the_keys_with_fuzzy_groups(noisy):
    """Marked text finds its fuzzy starts from the gazetteer's first keys, not from every word's groups."""
    for keys in _texts(20, seed=11 + noisy) + [["so", "xay", "dung", "sox", "ubnd", "tinh", "2025", "a"]]:
        assert A._fuzzy_starts(keys, noisy) == [i for i, k in enumerate(keys) if A._fuzzy_groups(k, noisy)]


def _printed_texts(n: int, seed: int, size: int = 400) -> list[str]:
    """Texts of the gazetteer's names as printed (marks kept), some words with one or two letters changed."""
    rng = random.Random(seed)
    variants = A.gazetteer()["variants"]
    fillers = ["và", "các", "phối", "hợp", "chủ", "trì", "Sở", "Ban", "huyện", "Thành", "phố"]
    out = []
    for _ in range(n):
        words: list[str] = []
        while len(words) < size:
            if rng.random() < 0.5:
                words.extend(_damaged(rng, _damaged(rng, w)) if rng.random() < 0.5 else w
                             for w in rng.choice(variants).text.split())
            else:
                words.append(rng.choice(fillers))
        out.append(" ".join(words))
    return out


def test_printed_words_leave_out_only_rejected_windows():
    """In marked text, the windows `_fuzzy_hits` leaves out by their second printed word change no match."""
    left_out = 0
    for text in _printed_texts(12, seed=5):
        toks = A.tokenize(text)
        keys = [t.key for t in toks]
        starts = [i for i, k in enumerate(keys) if A._may_start(k)]
        every = A._fuzzy_hits(keys, starts, False)
        kept = A._fuzzy_hits(keys, starts, False, lambda k: text[toks[k].start:toks[k].end].lower())
        assert all(set(h) <= set(every[i]) for i, h in kept.items())
        left_out += sum(map(len, every.values())) - sum(map(len, kept.values()))
        for i in starts:
            assert A._fuzzy_at(toks, i, len(toks), text, kept) == A._fuzzy_at(toks, i, len(toks), text, every), i
    assert left_out > 0
