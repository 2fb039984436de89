"""Vietnamese syllables: tone marks, spelling rules, the syllable inventory.

A syllable is onset + rhyme + tone (data/phonology.yaml). Tones are numbered
0 ngang, 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng. Tone placement follows the
spelling of the seeds: on the first vowel of an open two-vowel rhyme (hòa,
thủy, mùa), on the middle vowel of three (ngoài, khuỷu), on the marked vowel
when there is one (người, tuyến), else on the last vowel before a final
consonant (hoàn, quýt).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"

TONE_MARKS = {"\u0301": 1, "\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
TONE_CHARS = {v: k for k, v in TONE_MARKS.items()}
VOWELS = frozenset("aăâeêioôơuưy")
MODIFIED_VOWELS = frozenset("ăâêôơư")
_BASE_LETTER = {"đ": "d", "Đ": "D"}


@lru_cache(maxsize=1)
def phonology() -> dict:
    with open(DATA / "phonology.yaml", encoding="utf-8") as f:
        ph = {k: v.split() if isinstance(v, str) else v for k, v in yaml.safe_load(f).items()}
    ph["rhymes"] = frozenset(ph["open_rhymes"]) | frozenset(ph["closed_rhymes"])
    ph["onset_set"] = frozenset(ph["onsets"])
    ph["onsets_longest_first"] = sorted(ph["onsets"], key=len, reverse=True)
    ph["onset_lengths"] = sorted({len(o) for o in ph["onsets"]}, reverse=True)
    ph["stripped_rhymes"] = frozenset(strip_marks(r) for r in ph["rhymes"])
    return ph


def strip_marks(text: str) -> str:
    """Remove every Vietnamese mark: tones, vowel marks (â ă ê ô ơ ư) and the bar of đ."""
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        out.append(_BASE_LETTER.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(out))


def split_tone(syllable: str) -> tuple[str, int]:
    """(syllable without its tone mark, tone number); tone -1 when it carries two tones."""
    if syllable.isascii():
        return syllable, 0
    tone = 0
    kept = []
    for ch in unicodedata.normalize("NFD", syllable):
        t = TONE_MARKS.get(ch)
        if t is None:
            kept.append(ch)
        elif tone:
            tone = -1
        else:
            tone = t
    return unicodedata.normalize("NFC", "".join(kept)), tone


def split_onset(base: str) -> tuple[str, str]:
    """Split a lowercase toneless syllable into (onset, rest), qu and gi included."""
    if base.startswith("qu") and len(base) > 2:
        return "qu", base[2:]
    if base.startswith("gi") and len(base) > 2 and base[2] in VOWELS:
        return "gi", base[2:]
    ph = phonology()
    onsets = ph["onset_set"]
    for n in ph["onset_lengths"]:
        if len(base) > n and base[n] in VOWELS and base[:n] in onsets:
            return base[:n], base[n:]
    return "", base


def _rhyme_ok(onset: str, rest: str, rhymes: frozenset) -> bool:
    if rest in rhymes:
        return True
    if onset == "gi" and "i" + rest in rhymes:
        return True
    return onset == "qu" and "u" + rest in rhymes


def parse(base: str, stripped: bool = False) -> tuple[str, str] | None:
    """(onset, rhyme) of a lowercase toneless syllable, or None if it breaks the spelling rules.

    With `stripped`, the syllable is read as one whose vowel marks were lost (nguoi, duong).
    """
    ph = phonology()
    if not base or not base.isalpha():
        return None
    onset, rest = split_onset(base)
    if not rest or rest[0] not in VOWELS:
        return None
    if onset and onset not in ph["onset_set"]:
        return None
    if not _rhyme_ok(onset, rest, ph["stripped_rhymes" if stripped else "rhymes"]):
        return None
    front = rest[0] in ph["front_vowels"]
    if onset in ph["front_only"] and not front:
        return None
    if onset in ph["never_front"] and front:
        return None
    return onset, rest


def _final(rest: str) -> str:
    i = 0
    while i < len(rest) and rest[i] in VOWELS:
        i += 1
    return rest[i:]


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(token: str) -> bool:
    """True for a Vietnamese syllable in any case, with or without its marks (hòa, HOA, Nghị)."""
    if not token or len(token) > 8:
        return False
    base, tone = split_tone(token.lower())
    if tone < 0:
        return False
    parsed = parse(base)
    if parsed is not None:
        final = _final(parsed[1])
        return not (tone in (2, 3, 4) and final in phonology()["stop_finals"])
    return tone == 0 and base.isascii() and parse(base, stripped=True) is not None


@lru_cache(maxsize=65536)
def is_real_syllable(token: str) -> bool:
    """Stricter than is_vietnamese_syllable: the token is a syllable as written, marks
    complete (thức yes; thuc, nguoi no: they only exist with their marks)."""
    base, tone = split_tone(token.lower())
    parsed = parse(base) if tone >= 0 else None
    if parsed is None:
        return False
    stop = _final(parsed[1]) in phonology()["stop_finals"]
    return not stop or tone in (1, 5)


def tone_position(base: str) -> int | None:
    """Index in a lowercase toneless syllable of the vowel that carries the tone."""
    onset, rest = split_onset(base)
    start = len(onset)
    n = 0
    while n < len(rest) and rest[n] in VOWELS:
        n += 1
    if n == 0:
        return None
    cluster = rest[:n]
    has_final = n < len(rest)
    if "ươ" in cluster:
        return start + cluster.index("ươ") + 1
    marked = [i for i, ch in enumerate(cluster) if ch in MODIFIED_VOWELS]
    if marked:
        return start + marked[-1]
    if has_final:
        return start + n - 1
    if n == 3:
        return start + 1
    return start


def place_tone(base: str, tone: int) -> str:
    """Write `tone` on a toneless syllable (any case) where the seeds' spelling puts it."""
    if tone <= 0:
        return base
    pos = tone_position(base.lower())
    if pos is None:
        return base
    marked = unicodedata.normalize("NFC", base[pos] + TONE_CHARS[tone])
    return base[:pos] + marked + base[pos + 1:]


def normalize_syllable(token: str) -> str:
    """Move a misplaced tone mark (hoà → hòa, thuỷ → thủy); other tokens come back unchanged."""
    base, tone = split_tone(token)
    if tone <= 0 or parse(base.lower()) is None:
        return token
    return place_tone(base, tone)


@lru_cache(maxsize=1)
def generated_syllables() -> frozenset[str]:
    """Every lowercase marked syllable the spelling rules allow (onset × rhyme × tone)."""
    ph = phonology()
    out = set()
    for onset in [""] + ph["onsets"]:
        for rhyme in ph["rhymes"]:
            for rest in {rhyme, rhyme[1:] if onset in ("gi", "qu") and len(rhyme) > 1 else rhyme}:
                base = onset + rest
                if parse(base) is None:
                    continue
                stop = _final(parse(base)[1]) in ph["stop_finals"]
                for tone in range(6):
                    if stop and tone in (0, 2, 3, 4):
                        continue
                    out.add(place_tone(base, tone))
    return frozenset(out)
