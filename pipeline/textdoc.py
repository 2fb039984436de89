"""kehoach's stages on a string instead of a file (the spaCy component's entry point).

`extract_text(text)` does what `kehoach run` does to a UTF-8 .txt/.md file
holding `text` (normalize → restore diacritics → segment → metadata →
extractors; pipeline.process) and gives the rows of every table, plus a map
from offsets in kehoach's final text back to offsets in `text`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .model import Document, Page, RawDocument, Restoration
from .normalize import NormalizedText, looks_like_markdown, normalize
from .process import DocResult, attach_metadata, extract_all, restore_text
from .segment import segment


@dataclass
class TextResult:
    """Rows of every table for one string, and the way back to its offsets."""

    document: Document
    result: DocResult
    normalized: NormalizedText

    @property
    def tables(self) -> dict[str, list[dict]]:
        return self.result.tables

    def to_input(self, start: int, end: int) -> tuple[int, int]:
        """The span of the input string that produced [start, end) of kehoach's final text."""
        a, b = unrestore(start, self.document.restorations), unrestore(end, self.document.restorations)
        n = len(self.normalized.text)
        a, b = min(a, n), min(max(b, a), n)
        if a == b:
            s = self.normalized.source_offsets[a]
            return s, s
        return self.normalized.to_source(a, b)


def unrestore(pos: int, changes: list[Restoration]) -> int:
    """A position of the restored text in the text before restoration (changes may change lengths)."""
    shift = 0
    for c in sorted(changes, key=lambda c: c.char_start):
        if c.char_start >= pos:
            break
        if pos < c.char_end:                        # inside a changed word
            return c.char_start - shift + min(pos - c.char_start, len(c.original))
        shift += (c.char_end - c.char_start) - len(c.original)
    return pos - shift


def document_from_text(text: str, name: str = "text.txt", restore: bool = True) -> tuple[Document, NormalizedText]:
    """A Document built from a string like build_document builds one from a UTF-8 text file."""
    data = text.encode("utf-8")
    md = name.lower().endswith((".md", ".markdown")) or looks_like_markdown(text)
    raw = RawDocument(source_path=name, sha256=hashlib.sha256(data).hexdigest(), file_type="md" if md else "txt",
                      pages=[Page(1, text, "text")], encoding="utf-8")
    norm = normalize(raw.pages, markdown=md, physical=False)
    final, changes, restored, share = norm.text, [], False, 0.0
    if restore:
        final, changes, restored, share = restore_text(norm.text)
    doc = Document(raw=raw, text=final, raw_text=norm.text, page_starts=[], restorations=changes,
                   diacritics_restored=restored, restored_share=share)
    doc.sections = segment(final, [])
    attach_metadata(doc)
    return doc, norm


def extract_text(text: str, name: str = "text.txt", restore: bool = True) -> TextResult:
    """Every table's rows for `text` (offsets into kehoach's final text; `to_input` maps them back)."""
    doc, norm = document_from_text(text, name, restore)
    res = extract_all(doc, DocResult(source_path=name, sha256=doc.raw.sha256))
    return TextResult(doc, res, norm)

