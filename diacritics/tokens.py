"""Tokenizers: word tokens of a text (what restoration may change) and LM tokens.

A word token is a run of letters, combining marks and OCR garble characters
(digits, € ¢ & © ...) that holds at least one letter: "S6", "x3", "d6i", "K&".
Every character outside word tokens is left as it is by restoration.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import accumulate

from .inventory import normalize_syllable

# Characters OCR puts in place of marked letters; they join a word only next to letters.
GARBLE_CHARS = "0123456789€¢&©®£§@"

_LETTER = r"[^\W\d_]|[\u0300-\u036f]"
_GARBLE = rf"[{re.escape(GARBLE_CHARS)}]"
# a whole run of letters and garble characters that holds a letter (the look-behind
# starts matches at run starts only, so digit runs cost linear time)
_WORD = re.compile(rf"(?<!{_LETTER}|{_GARBLE}){_GARBLE}*+(?:{_LETTER})(?:{_LETTER}|{_GARBLE})*+")
_WORD_PARTS = re.compile(f"({_WORD.pattern})")   # split: text between words, word, text between ...

_LM_TOKEN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*|[^\w\s]")

BOS, EOS, UNK, NUM = "<s>", "</s>", "<unk>", "<num>"
SPECIALS = (BOS, EOS, UNK, NUM)


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word token in `text`."""
    return [m.span() for m in _WORD.finditer(text)]


def word_bounds(text: str) -> list[int]:
    """start, end, start, end ... of the word tokens in `text` (word_spans, flat: no tuples kept)."""
    return word_split(text)[1]


def word_split(text: str) -> tuple[list[str], list[int]]:
    """The word tokens of `text` and their word_bounds, in one pass."""
    parts = word_parts(text)
    return parts[1::2], list(accumulate(map(len, parts)))[:-1]


# Without combining marks, and with no garble character next to a letter, a word token is a run of letters,
# which `re` finds without the look-behind: the same parts, in half the time (97 % of the dev plans' lines, whose
# digits stand apart from their words; 48 % when any garble character sent a line to the look-behind).
_LETTER_RUNS = re.compile(r"([^\W\d_]+)")
_GLUED = re.compile(rf"[\u0300-\u036f]|{_GARBLE}(?:(?<=[^\W\d_].)|(?=[^\W\d_]))")


def word_parts(text: str) -> list[str]:
    """`text` cut into the text before the first word token, the word, the text up to the
    next word, ... the text after the last word (an odd number of parts)."""
    if _GLUED.search(text) is None:
        return _LETTER_RUNS.split(text)
    return _WORD_PARTS.split(text)


@lru_cache(maxsize=200_000)
def lm_form(token: str) -> str:
    """The LM's spelling of one token: NFC, lowercase, tone mark placed as in the seeds."""
    t = unicodedata.normalize("NFC", token).lower()
    if t[:1].isdigit():
        return NUM
    return normalize_syllable(t)


def lm_tokens(line: str) -> list[str]:
    """A line as the LM sees it: lowercase words, <num> for numbers, punctuation marks."""
    return [lm_form(t) for t in _LM_TOKEN.findall(line)]


def lm_pieces(text: str) -> list[tuple[int, int, str]]:
    """(start, end, LM token) over `text`, so a decoder can map tokens back to offsets."""
    return [(m.start(), m.end(), lm_form(m.group())) for m in _LM_TOKEN.finditer(text)]
