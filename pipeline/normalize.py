"""Normalize: pages of raw text → one clean text with a map back to the raw text.

NFC, one tone-mark placement (hòa, thủy, quý), Markdown markers removed,
page headers/footers and page numbers dropped, hard-wrapped lines joined into
paragraphs. Every output character remembers the raw offset it came from
(`source_offsets`), so spans found later can point at the source; the idea is
eyecite's SpanUpdater.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .encodings import misdecoded
from .model import Page
from .text import fold

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
VOWELS = set("aăâeêioôơuưy")
_WORD = re.compile(r"[^\W\d_][\w\u0300-\u036f]*")


@dataclass
class NormalizedText:
    text: str
    raw: str                                      # pages joined by "\n\n": what source_offsets index
    source_offsets: array = field(default_factory=lambda: array("i"))   # len(text) + 1 entries
    page_starts: list[int] = field(default_factory=list)               # offset in text of each page

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Raw-text span of the normalized span [start, end)."""
        if start >= end:
            s = self.source_offsets[start]
            return s, s
        return self.source_offsets[start], self.source_offsets[end - 1] + 1


# ---------------------------------------------------------------- words


def fix_tone_placement(word: str) -> str:
    """Move the tone of open oa/oe/uy rhymes to the first vowel: hoà→hòa, khoẻ→khỏe, thuỷ→thủy (quý stays)."""
    d = unicodedata.normalize("NFD", word)
    tones = [c for c in d if c in TONE_MARKS]
    if len(tones) != 1:
        return word
    base = "".join(c for c in d if c not in TONE_MARKS)
    letters = unicodedata.normalize("NFC", base)
    low = letters.lower()
    m = re.search(r"(oa|oe|uy)$", low)
    if not m or (m.group(1) == "uy" and low[: m.start()].endswith("q")):
        return word
    if any(c in VOWELS for c in fold(low[: m.start()])):
        return word
    target = m.start()
    out = []
    for i, ch in enumerate(letters):
        out.append(ch)
        if i == target:
            out.append(tones[0])
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=1 << 16)
def normalize_word(word: str) -> str:
    w = unicodedata.normalize("NFC", word)
    return fix_tone_placement(w) if any(c in TONE_MARKS for c in unicodedata.normalize("NFD", w)) else w


# ---------------------------------------------------------------- lines

class Line:
    """A line under edit: its characters and, for each, the raw offset it came from."""

    __slots__ = ("chars", "_src")

    def __init__(self, text: str, start: int):
        self.chars = text
        self._src: range | list[int] = range(start, start + len(text))

    @property
    def src(self) -> list[int]:
        """The raw offset of each character, as a list to edit (made when first needed: most lines
        keep the offsets they were read with)."""
        if isinstance(self._src, range):
            self._src = list(self._src)
        return self._src

    @src.setter
    def src(self, offsets: list[int]) -> None:
        self._src = offsets

    def offsets(self) -> range | list[int]:
        """The raw offset of each character, not to be edited."""
        return self._src

    def sub(self, pattern: re.Pattern, repl) -> None:
        edits, pos = [], 0
        for m in pattern.finditer(self.chars):
            r = repl(m) if callable(repl) else m.expand(repl)
            edits.append((m, r))
        if all(len(r) == m.end() - m.start() for m, r in edits):   # no length change: offsets stay
            if any(r != m.group(0) for m, r in edits):
                out = []
                for m, r in edits:
                    out.append(self.chars[pos:m.start()])
                    out.append(r)
                    pos = m.end()
                out.append(self.chars[pos:])
                self.chars = "".join(out)
            return
        out, src, pos = [], [], 0
        for m, r in edits:
            out.append(self.chars[pos:m.start()])
            src.extend(self.src[pos:m.start()])
            out.append(r)
            base = self.src[m.start()] if m.start() < len(self.src) else (self.src[-1] + 1 if self.src else 0)
            if len(r) == m.end() - m.start():
                src.extend(self.src[m.start():m.end()])
            else:
                src.extend([base] * len(r))
            pos = m.end()
        out.append(self.chars[pos:])
        src.extend(self.src[pos:])
        self.chars, self.src = "".join(out), src

    def strip(self) -> None:
        s = self.chars
        a = len(s) - len(s.lstrip())
        b = len(s.rstrip())
        if a or b < len(s):
            self.chars, self._src = s[a:b], self._src[a:b]


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_BOLD = re.compile(r"\*\*|__")
_MD_EMPH = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>%])")
_MD_LIST_BEFORE_BULLET = re.compile(r"^[-*]\s+(?=[-+*•]\s)")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_MD_HARD_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.I)
_MD_TRAILING_SLASH = re.compile(r"\\$")
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200b]+")
_SPACES_TO_FIX = re.compile(r"^[ \t\u00a0\u2002-\u200b]|[ \t\u00a0\u2002-\u200b]{2}|[\t\u00a0\u2002-\u200b]")
# a page none of whose lines has a space to fix (_SPACES_TO_FIX) or a column gap (split_columns): no tab or
# odd space, no two spaces in a row, no line starting with a space, no "\r" (whose removal could join spaces)
_PAGE_SPACES = re.compile(r"[\r\t\u00a0\u2002-\u200b]|  |(?:^|\n) ")
_ODD_SPACES = re.compile(r"[\r\t\u00a0\u2002-\u200b]")


def _spaces_to_fix(page: str) -> bool:
    """`_PAGE_SPACES.search(page)`, as a bool, in a fifth of the time: the literal parts are found by `in`,
    only the odd characters by a pattern (the alternation makes `re` try every position of the page)."""
    return "  " in page or "\n " in page or page.startswith(" ") or _ODD_SPACES.search(page) is not None
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?[-–—\s]*$", re.I)


def looks_like_markdown(text: str) -> bool:
    """Markdown exports saved as .txt: several `#` headings or `**bold**` runs."""
    headings = len(re.findall(r"(?m)^\s{0,3}#{1,6}\s+\S", text))
    bold = len(re.findall(r"\*\*\S[^*\n]*\*\*", text))
    return headings >= 3 or bold >= 5


def clean_markdown(line: Line) -> None:
    line.sub(_MD_HEADING, "")
    line.sub(_MD_BOLD, "")
    line.sub(_MD_EMPH, lambda m: m.group(1))
    line.sub(_MD_ESCAPE, lambda m: m.group(1))
    line.sub(_MD_HARD_BREAK, " ")
    line.sub(_MD_TRAILING_SLASH, "")
    line.strip()
    line.sub(_MD_LIST_BEFORE_BULLET, "")


def clean_spaces_and_words(line: Line, spaces: bool = True) -> None:
    """Single plain spaces, no spaces around the line, one tone placement in its words; `spaces=False`:
    the line is known to have no space to fix (_spaces_to_fix)."""
    if spaces and _SPACES_TO_FIX.search(line.chars):      # else every run is one plain space, kept as it is
        line.sub(_SPACES, lambda m: " " if m.start() else "")
    line.strip()
    s = line.chars
    if not s.isascii() and (bad := _misdecoded()).search(s):
        line.sub(bad, lambda m: misdecoded()[m.group(0)])      # "định kǶ" → "định kỳ"
        s = line.chars
    if not s.isascii() and _words_to_fix(s):
        words = _WORD.findall(s)
        if list(map(normalize_word, words)) != words:     # else no word changes
            line.sub(_WORD, lambda m: normalize_word(m.group(0)))


#: The last two letters of a word whose tone fix_tone_placement moves: o/u and a toned a, e or y ending the word.
_TONE_TO_MOVE = re.compile(r"[oOuU][àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ](?![\w\u0300-\u036f])")


@lru_cache(maxsize=None)
def _misdecoded() -> re.Pattern:
    return re.compile("[" + "".join(misdecoded()) + "]")


def _words_to_fix(s: str) -> bool:
    """Whether normalize_word may change a word of line `s`: one not in NFC, or one ending in oa/oe/uy with the
    tone on its last letter. Nine lines in ten of a plan have neither, and skip finding their words."""
    return not unicodedata.is_normalized("NFC", s) or _TONE_TO_MOVE.search(s) is not None


# ---------------------------------------------------------------- unwrap

_LIST_START = re.compile(
    r"^(?:[IVXLl1]{1,5}\s*[.:]\s|\d{1,2}(?:\.\d{1,2})*\s*[.)]\s?|[a-zđ]\s*[).]\s|[-–—+*•]\s?|\(?\d+\)|"
    r"PHỤ LỤC|Phụ lục|Nơi nhận|TM\.|KT\.|Căn cứ|\|)")
_SENTENCE_END = re.compile(r"[.:;!?…”]\s*$")


def is_wrapped(lines: list[str]) -> bool:
    """True when the text was hard-wrapped at a fixed width (OCR, plain-text exports)."""
    long = [s for s in lines if len(s) >= 40]
    if len(long) < 8:
        return False
    lengths = sorted(len(s) for s in long)
    width = lengths[int(len(lengths) * 0.9) - 1]
    if width > 110:
        return False
    open_ended = sum(1 for s in long if not _SENTENCE_END.search(s) and len(s) >= 0.75 * width)
    return open_ended / len(long) >= 0.35


def unwrap(lines: list[Line], physical: bool = False) -> list[Line]:
    """Join a line to the previous one when the previous line did not end a sentence or list item.

    `physical`: the lines are lines of a printed page (PDF, scan), always wrapped.
    """
    texts = [ln.chars for ln in lines]
    lengths = sorted(len(t) for t in texts if len(t) >= 40)
    if not lengths or not (physical or is_wrapped([t for t in texts if t])):
        return [ln for ln in lines if ln.chars]
    width = lengths[max(0, int(len(lengths) * 0.9) - 1)]
    out: list[Line] = []
    prev_open = blank = False
    for ln in lines:
        t = ln.chars
        if not t:
            blank = True
            continue
        continues = not blank or t[0].islower()
        blank = False
        if out and prev_open and continues and not _LIST_START.match(t) and not t.isupper():
            joined = out[-1]
            gap = joined.src[-1] + 1 if joined.src else 0
            if re.search(r"\w-$", joined.chars):
                joined.chars += t
                joined.src += ln.src
            else:
                joined.chars += " " + t
                joined.src += [gap] + ln.src
        else:
            out.append(ln)
        prev_open = (len(t) >= 0.6 * width and not _SENTENCE_END.search(t) and not t.isupper()
                     and not t.startswith("|"))   # a table row line is complete
    return out


def tab_tables(lines: list[Line], tabbed: list[bool]) -> list[Line]:
    """Word exports write a table cell per tab-indented line, a blank line between rows:
    render such runs as `| a | b |` rows, the form segment recognises as a table."""
    groups: list[tuple[int, int]] = []
    i, n = 0, len(lines)
    while i < n:
        if tabbed[i] or (not lines[i].chars and i + 1 < n and tabbed[i + 1]):
            j = i
            while j < n and (tabbed[j] or not lines[j].chars):
                j += 1
            groups.append((i, j))
            i = j
        else:
            i += 1
    out_index: dict[int, Line] = {}
    drop: set[int] = set()
    for a, b in groups:
        rows, cur = [], []
        for k in range(a, b):
            if lines[k].chars:
                cur.append(k)
            elif cur:
                rows.append(cur)
                cur = []
        if cur:
            rows.append(cur)
        if len(rows) < 2 or sum(len(r) >= 2 for r in rows) < 2:
            continue
        for r in rows:
            row = Line("", 0)
            row.chars, row.src = "|", [lines[r[0]].src[0] if lines[r[0]].src else 0]
            for k in r:
                cell = lines[k]
                row.chars += " " + cell.chars + " |"
                row.src += [cell.src[0] if cell.src else 0] + cell.src + [cell.src[-1] if cell.src else 0] * 2
            out_index[r[0]] = row
            drop.update(r)
    return [out_index.get(k, ln) for k, ln in enumerate(lines) if k in out_index or k not in drop]


_COLUMN_GAP = re.compile(r"(?<=\S) {4,}(?=\S)")
_RIGHT_ONLY = re.compile(r"^ {16,}\S")


def split_columns(lines: list[tuple[Line, bool]]) -> list[tuple[Line, bool]]:
    """Plain-text exports lay the header and the signature out in two columns separated by
    runs of spaces; emit each such block's left column, then its right column."""
    out: list[tuple[Line, bool]] = []
    i, n = 0, len(lines)
    while i < n:
        ln, tab = lines[i]
        if not (_COLUMN_GAP.search(ln.chars) or _RIGHT_ONLY.match(ln.chars)):
            out.append((ln, tab))
            i += 1
            continue
        left: list[Line] = []
        right: list[Line] = []
        while i < n:
            ln, _ = lines[i]
            m = _COLUMN_GAP.search(ln.chars)
            if m:
                a, b = Line("", 0), Line("", 0)
                a.chars, a.src = ln.chars[:m.start()], ln.src[:m.start()]
                b.chars, b.src = ln.chars[m.end():], ln.src[m.end():]
                left.append(a)
                right.append(b)
            elif _RIGHT_ONLY.match(ln.chars):
                right.append(ln)
            elif ln.chars.strip() and not ln.chars.startswith(" "):
                ahead = lines[i + 1:i + 7]
                if any(_COLUMN_GAP.search(x.chars) or _RIGHT_ONLY.match(x.chars) for x, _ in ahead):
                    left.append(ln)
                else:
                    break
            elif ln.chars.strip():
                break
            i += 1
        out.extend((x, False) for x in left)
        out.append((Line("", 0), False))
        out.extend((x, False) for x in right)
    return out


# ---------------------------------------------------------------- pages


def _page_furniture(pages: list[Page]) -> set[str]:
    """Lines repeated at the top or bottom of most pages (running headers and footers)."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for p in pages:
        ls = [s.strip() for s in p.text.splitlines() if s.strip()]
        for s in set(ls[:2] + ls[-2:]):
            seen[re.sub(r"\d+", "#", s)] += 1
    return {k for k, n in seen.items() if n >= max(3, len(pages) // 2)}


def joined_offsets(lines: list[range | list[int]], raw_length: int) -> array:
    """The raw offset of every character of the lines joined by "\n", then `raw_length`: each line's
    offsets, then a line break's (one past its last character; a blank line repeats the offset before).

    A line keeping the offsets it was read with (a range) is one block of consecutive offsets, its line
    break included: the blocks are filled by one numpy expression, not line by line (a fifth of the cost)."""
    starts, lengths, edited = [], [], {}
    last = 0
    for offsets in lines:
        if isinstance(offsets, range) and offsets.step == 1:
            if offsets:
                starts.append(offsets.start)
                lengths.append(len(offsets) + 1)
                last = offsets.stop
            else:
                starts.append(last)
                lengths.append(1)
            continue
        block = [*offsets, offsets[-1] + 1] if offsets else [last]
        last = block[-1]
        edited[len(starts)] = block
        starts.append(0)
        lengths.append(len(block))
    src = array("i")
    if not starts:
        src.append(raw_length)
        return src
    count = np.array(lengths, dtype=np.int64)
    first = np.cumsum(count) - count
    out = np.arange(int(count.sum()), dtype=np.int64) + np.repeat(np.array(starts, dtype=np.int64) - first, count)
    for k, block in edited.items():
        out[first[k]:first[k] + len(block)] = block
    out[-1] = raw_length
    if src.itemsize != 4 or out.max(initial=0) >= 1 << 31 or out.min(initial=0) < -(1 << 31):
        src.extend(out.tolist())
    else:
        src.frombytes(out.astype(np.int32).tobytes())
    return src


def normalize(pages: list[Page], markdown: bool = False, physical: bool = False) -> NormalizedText:
    raw_parts, lines, tabbed = [], [], []
    furniture = _page_furniture(pages)
    offset = 0
    page_line_starts: list[int] = []
    for p in pages:
        page_line_starts.append(len(lines))
        raw_lines = p.text.split("\n")
        nonblank = [i for i, s in enumerate(raw_lines) if s.strip()]
        edge = set(nonblank[:1] + nonblank[-1:]) if len(pages) > 1 else set()
        pos = offset
        page_lines: list[tuple[Line, bool]] = []
        for i, s in enumerate(raw_lines):
            stripped = s.strip()
            drop = (stripped and furniture and re.sub(r"\d+", "#", stripped) in furniture) or (
                i in edge and _PAGE_NUMBER.match(stripped))
            ln = Line("" if drop else s.replace("\r", ""), pos)
            if drop:
                ln.src = []
            page_lines.append((ln, s.startswith("\t")))
            pos += len(s) + 1
        plain = not markdown and not _spaces_to_fix(p.text)     # single spaces only: nothing to split
        for ln, tab in page_lines if plain else split_columns(page_lines):
            if markdown:
                if _MD_TABLE_RULE.match(ln.chars.strip()):
                    ln.chars, ln.src = "", []
                clean_markdown(ln)
            clean_spaces_and_words(ln, spaces=not plain)
            tabbed.append(tab and bool(ln.chars))
            lines.append(ln)
        raw_parts.append(p.text)
        offset += len(p.text) + 2
    raw = "\n\n".join(raw_parts)

    page_of_line = []
    for k in range(len(page_line_starts)):
        end = page_line_starts[k + 1] if k + 1 < len(page_line_starts) else len(lines)
        page_of_line += [k] * (end - page_line_starts[k])
    tagged = {id(ln): pg for ln, pg in zip(lines, page_of_line)}
    lines = tab_tables(lines, tabbed)
    merged = unwrap(lines, physical)

    text_parts = []
    page_starts = [0] * len(pages)
    seen_pages = set()
    pos = 0
    for ln in merged:
        pg = tagged.get(id(ln), 0)
        if pg not in seen_pages:
            for q in range(pg + 1):
                if q not in seen_pages:
                    page_starts[q] = pos
                    seen_pages.add(q)
        text_parts.append(ln.chars)
        pos += len(ln.chars) + 1
    text = "\n".join(text_parts)
    src = joined_offsets([ln.offsets() for ln in merged], len(raw))
    for q in range(len(pages)):
        if q not in seen_pages:
            page_starts[q] = len(text)
    return NormalizedText(text=text, raw=raw, source_offsets=src, page_starts=page_starts)
