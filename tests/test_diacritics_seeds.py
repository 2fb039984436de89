"""Restoration measured on the seeds (skipped when ../shared/seeds is absent).

- 001 is real OCR output: scored token by token against a hand-corrected gold of its
  first lines (tests/gold/diacritics/001_gold.txt, line-aligned with the seed).
- 000, 002, 003, 004 have correct marks: they are stripped, restored and compared.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import diacritics
from diacritics.inventory import normalize_syllable, strip_marks
from diacritics.tokens import word_spans

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
GOLD_001 = Path(__file__).resolve().parent / "gold" / "diacritics" / "001_gold.txt"

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds not available")


def seed(prefix: str) -> str:
    paths = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not paths:
        pytest.skip(f"seed {prefix} absent")
    return unicodedata.normalize("NFC", paths[0].read_text(encoding="utf-8"))


def words(line: str) -> list[str]:
    return [line[a:b] for a, b in word_spans(line)]


def accuracy(gold_lines, pred_lines, case: bool) -> tuple[int, int]:
    ok = total = 0
    for g, p in zip(gold_lines, pred_lines):
        gw, pw = words(g), words(p)
        assert len(gw) == len(pw), (g, p)
        for a, b in zip(gw, pw):
            if not case:
                a, b = a.lower(), b.lower()
            total += 1
            ok += normalize_syllable(a) == normalize_syllable(b)
    return ok, total


def test_gold_001_is_line_aligned_with_the_seed():
    source = seed("001").split("\n")
    gold = GOLD_001.read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert sum(1 for line in gold if line.strip()) >= 150
    for s, g in zip(source, gold):
        assert len(words(s)) == len(words(g)), (s, g)


def test_ocr_seed_001_against_gold():
    source = seed("001")
    gold = GOLD_001.read_text(encoding="utf-8").rstrip("\n").split("\n")
    result = diacritics.restore(source)
    assert result.restored
    # OCR also garbles case (SO for Sở); restoration keeps the input's case, so compare without it
    ok, total = accuracy(gold, result.text.split("\n")[:len(gold)], case=False)
    assert ok / total >= 0.97, f"{ok}/{total}"


@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_stripped_seeds_are_restored(prefix):
    text = seed(prefix)
    result = diacritics.restore(strip_marks(text))
    ok, total = accuracy(text.split("\n"), result.text.split("\n"), case=True)
    assert ok / total >= 0.98, f"{prefix}: {ok}/{total}"


def test_accented_seeds_pass_through():
    for prefix in ("000", "002", "003", "004"):
        text = seed(prefix)
        assert not diacritics.needs_restoration(text)
        result = diacritics.restore(text)
        assert len(result.changes) <= 0.002 * len(words(text)), [
            (c.original, c.restored) for c in result.changes]
