"""The object model every stage shares: a file becomes a RawDocument, then a Document.

Like pdfplumber's objects, everything is plain data that can be inspected in a REPL.
Offsets are Python string offsets, end exclusive.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    """One page (or the whole text of a text file) as ingested."""

    number: int                       # 1-based
    text: str
    method: str = "text"              # text | pdf_text | ocr
    ocr_confidence: float | None = None
    tables: list[list[list[str]]] = field(default_factory=list)
    table_data: list[dict] = field(default_factory=list)   # tables starting on this page, JSON-able (pipeline.tables)


@dataclass
class RawDocument:
    """What ingest produced from one file's bytes, before any text clean-up."""

    source_path: str
    sha256: str
    file_type: str                    # pdf | image | txt | md | docx | doc
    pages: list[Page]
    encoding: str | None = None       # for text inputs: utf-8, cp1258, tcvn3, vni, viscii ...
    warnings: list[str] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return self.sha256[:16]

    @property
    def n_pages(self) -> int | None:
        return len(self.pages) if self.file_type in ("pdf", "image") else None

    @property
    def ingest_method(self) -> str:
        methods = {p.method for p in self.pages if p.text.strip()} or {p.method for p in self.pages}
        if len(methods) > 1:
            return "mixed"
        return next(iter(methods), "text")

    @property
    def ocr_mean_confidence(self) -> float | None:
        confs = [p.ocr_confidence for p in self.pages if p.ocr_confidence is not None]
        return round(sum(confs) / len(confs), 2) if confs else None


@dataclass
class Section:
    """A node of the section tree (DESIGN.md, table `sections`)."""

    section_id: str
    parent_id: str | None
    level: int
    kind: str
    label: str | None
    heading: str | None
    char_start: int
    char_end: int
    ordinal: int
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class Cell:
    """One cell of a table (DESIGN.md, table `table_cells`); offsets into Document.text when located."""

    row: int                          # 0 = header row
    col: int
    text: str                         # wrapped lines joined with one space
    header: str | None = None         # the column's header text
    row_span: int = 1
    col_span: int = 1
    page: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    confidence: float = 1.0


@dataclass
class TableRow:
    """A row of a table: `data`, or `group` (one cell spanning all columns: "I. ...", "A. BỘ ...")."""

    index: int                        # row number in the table (0 = header)
    cells: list[Cell]                 # in column order; empty cells omitted
    kind: str = "data"                # header | data | group
    char_start: int | None = None
    char_end: int | None = None

    def cell(self, col: int) -> Cell | None:
        return next((c for c in self.cells if c.col <= col < c.col + c.col_span), None)


@dataclass
class Table:
    """A table of the document, whatever form it came in (PDF ruled, Word, Markdown, flattened text)."""

    table_id: str                     # T1, T2, ... in document order
    source: str                       # pdf | docx | markdown | flattened
    headers: list[str]                # one per column
    rows: list[TableRow]              # header row first (kind header), then data and group rows
    char_start: int | None = None
    char_end: int | None = None
    section_id: str | None = None
    page: int | None = None
    confidence: float = 1.0

    @property
    def body(self) -> list[TableRow]:
        return [r for r in self.rows if r.kind != "header"]

    def cell(self, row: int, col: int) -> Cell | None:
        """The cell covering (row, col), following merged cells down and across (row_span, col_span)."""
        for r in self.rows:
            if r.index > row:
                break
            for c in r.cells:
                if c.col <= col < c.col + c.col_span and r.index <= row < r.index + c.row_span:
                    return c
        return None


@dataclass
class Restoration:
    """One token changed by diacritic restoration, offsets into the final text."""

    char_start: int
    char_end: int
    original: str
    restored: str
    confidence: float
    alternatives: list[str] = field(default_factory=list)


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[\"“(]?[A-ZÀ-Ỹ0-9Đ])|\n")
# _SENTENCE_END inside one line (no newline): the spaces of group 1 are its matches. The punctuation is matched,
# not looked behind for, so `re` skips to it instead of trying every character of the line.
_LINE_SENTENCE_END = re.compile(r"[.;:!?](\s+)(?=[\"“(]?[A-ZÀ-Ỹ0-9Đ])")

#: A row's `sentence` longer than MAX_SENTENCE characters is cut to SENTENCE_CONTEXT characters
#: either side of the row's span, the cuts marked with "…" (one long line must not be copied into every row).
MAX_SENTENCE = 1000
SENTENCE_CONTEXT = 400


def clip_sentence(text: str, s: int, e: int, start: int, end: int) -> str:
    """text[s:e] stripped, or when longer than MAX_SENTENCE the window of SENTENCE_CONTEXT characters
    either side of [start, end) (at most MAX_SENTENCE of the span itself), cut at spaces, with "…"."""
    if e - s <= MAX_SENTENCE:
        return text[s:e].strip()
    start, end = max(s, min(start, e)), min(e, max(end, s))
    end = min(end, start + MAX_SENTENCE)
    a, b = max(s, start - SENTENCE_CONTEXT), min(e, end + SENTENCE_CONTEXT)
    if a > s:
        sp = text.find(" ", a, min(start, a + 40))
        a = sp + 1 if sp >= 0 else a
    if b < e:
        sp = text.rfind(" ", max(end, b - 40), b)
        b = sp if sp >= 0 else b
    return ("…" if a > s else "") + text[a:b].strip() + ("…" if b < e else "")


class _SectionIndex:
    """The sections covering each stretch between section boundaries, so `section_at` does not
    scan every section (a document with thousands of items would be quadratic)."""

    def __init__(self, sections: list["Section"]):
        self.ends = [max(s.char_end, s.char_start + 1) for s in sections]
        points = sorted({s.char_start for s in sections} | set(self.ends))
        starting: dict[int, list[int]] = {}
        for i, s in enumerate(sections):
            starting.setdefault(s.char_start, []).append(i)
        self.points, self.cover = points, []
        active: set[int] = set()
        budget = 64 * (len(sections) + 1)
        for p in points:
            active.update(starting.get(p, ()))
            active = {i for i in active if self.ends[i] > p}
            budget -= len(active)
            if budget < 0:  # sections overlapping in a way no tree does: let section_at scan
                self.points = None
                return
            self.cover.append(sorted(active))

    def candidates(self, start: int, end: int) -> list[int] | None:
        """Indices (in list order) of the sections that may contain [start, end); None: scan all."""
        if self.points is None or end <= start:
            return None
        k = bisect.bisect_right(self.points, start) - 1
        if k < 0:
            return []
        return [i for i in self.cover[k] if end <= self.ends[i]]


@dataclass
class Document:
    """A document after normalize, restore and segment: what extractors read."""

    raw: RawDocument
    text: str                                     # final text: every span points here
    raw_text: str                                 # normalized text before restoration
    page_starts: list[int] = field(default_factory=list)   # char offset where page i+1 starts
    sections: list[Section] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)     # filled by extractors.metadata
    restorations: list[Restoration] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)     # filled by pipeline.tables
    diacritics_restored: bool = False
    restored_share: float = 0.0

    @property
    def doc_id(self) -> str:
        return self.raw.doc_id

    def page_at(self, pos: int) -> int | None:
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, pos)

    def _memo(self) -> dict:
        """Per-document indexes (newlines, sentence breaks, sections), rebuilt when text or sections change."""
        m = self.__dict__.get("_memo_")
        if m is None or m["text"] is not self.text or m["sections"] is not self.sections \
                or m["n_sections"] != len(self.sections):
            m = {"text": self.text, "sections": self.sections, "n_sections": len(self.sections)}
            self.__dict__["_memo_"] = m
        return m

    def section_at(self, start: int, end: int | None = None) -> Section | None:
        """The deepest section containing [start, end)."""
        end = start + 1 if end is None else end
        memo = self._memo()
        if "sections_index" not in memo:
            memo["sections_index"] = _SectionIndex(self.sections)
        found = memo["sections_index"].candidates(start, end)
        best = None
        for s in self.sections if found is None else (self.sections[i] for i in found):
            if s.char_start <= start and end <= max(s.char_end, s.char_start + 1):
                if best is None or s.level > best.level or (
                    s.level == best.level and s.char_end - s.char_start < best.char_end - best.char_start
                ):
                    best = s
        return best

    def section_id_at(self, start: int, end: int | None = None) -> str | None:
        s = self.section_at(start, end)
        return s.section_id if s else None

    def _line_breaks(self, pos: int) -> tuple[int, int, list[int], list[int]]:
        """(start, end, break starts, break ends) of the line holding pos; each line is scanned once."""
        memo = self._memo()
        text = self.text
        nl = memo.get("newlines")
        if nl is None:
            nl = memo["newlines"] = [m.start() for m in re.finditer("\n", text)]
        k = bisect.bisect_left(nl, pos)
        ls = nl[k - 1] + 1 if k > 0 else 0
        lines = memo.setdefault("lines", {})
        if ls not in lines:
            le = nl[k] if k < len(nl) else len(text)
            ms = [m.span(1) for m in _LINE_SENTENCE_END.finditer(text, ls, le)]
            lines[ls] = (le, [a for a, _ in ms], [b for _, b in ms])
        le, starts, ends = lines[ls]
        return ls, le, starts, ends

    def sentence_span(self, start: int, end: int) -> tuple[int, int]:
        """Bounds of the sentence or list item around [start, end) (each line's breaks are found once)."""
        if 0 <= start <= len(self.text) and 0 <= end <= len(self.text):
            ls, le, starts, ends = self._line_breaks(start)
            k = bisect.bisect_right(ends, start) - 1
            s = ends[k] if k >= 0 else ls
            if not ls <= end <= le:            # else end is on the same line (its newline included)
                _, le, starts, _ = self._line_breaks(end)
            k = bisect.bisect_left(starts, end)
            return s, (starts[k] if k < len(starts) else le)
        return self._sentence_span_scan(start, end)

    def _sentence_span_scan(self, start: int, end: int) -> tuple[int, int]:
        text = self.text
        s = max(text.rfind("\n", 0, start) + 1, 0)
        for m in _SENTENCE_END.finditer(text, s, min(len(text), start + 2)):
            if m.end() <= start:
                s = m.end()
        e = text.find("\n", end)
        e = len(text) if e < 0 else e
        m = _SENTENCE_END.search(text, end, e)
        if m and m.group(0) != "\n":
            e = m.start()
        return s, e

    def sentence_at(self, start: int, end: int) -> str:
        """The sentence around [start, end), cut around the span when very long (`clip_sentence`)."""
        s, e = self.sentence_span(start, end)
        return clip_sentence(self.text, s, e, start, end)

    def provenance(self, start: int, end: int) -> dict[str, Any]:
        """The columns every extracted row carries (DESIGN.md, 'Offsets and provenance')."""
        return {
            "doc_id": self.doc_id,
            "section_id": self.section_id_at(start, end),
            "char_start": start,
            "char_end": end,
            "page": self.page_at(start),
            "sentence": self.sentence_at(start, end),
        }


#: The "-"/"+" bullet parts of a section id (`.-3`, `.+2`).
BULLET_ID = re.compile(r"\.[-+]\d*(?=\.|$)")


def labelled_section_id(section_id: str) -> str:
    """The nearest labelled section of a bullet id (`IV.1.-3.+2` -> `IV.1`): where ANNOTATION.md puts its rows."""
    return BULLET_ID.sub("", section_id)


def row_id(doc_id: str, table: str, *key: Any) -> str:
    """Stable row id: hash of doc_id, table and the row's key fields, never its position."""
    payload = "\x1f".join([doc_id, table, *("" if k is None else str(k) for k in key)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
