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


@dataclass
class RawDocument:
    """What ingest produced from one file's bytes, before any text clean-up."""

    source_path: str
    sha256: str
    file_type: str                    # pdf | image | txt | md | docx
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

    def section_at(self, start: int, end: int | None = None) -> Section | None:
        """The deepest section containing [start, end)."""
        end = start + 1 if end is None else end
        best = None
        for s in self.sections:
            if s.char_start <= start and end <= max(s.char_end, s.char_start + 1):
                if best is None or s.level > best.level or (
                    s.level == best.level and s.char_end - s.char_start < best.char_end - best.char_start
                ):
                    best = s
        return best

    def section_id_at(self, start: int, end: int | None = None) -> str | None:
        s = self.section_at(start, end)
        return s.section_id if s else None

    def sentence_span(self, start: int, end: int) -> tuple[int, int]:
        """Bounds of the sentence or list item around [start, end)."""
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
        s, e = self.sentence_span(start, end)
        return self.text[s:e].strip()

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


def row_id(doc_id: str, table: str, *key: Any) -> str:
    """Stable row id: hash of doc_id, table and the row's key fields, never its position."""
    payload = "\x1f".join([doc_id, table, *("" if k is None else str(k) for k in key)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
