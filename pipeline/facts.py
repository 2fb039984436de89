"""A run's facts per document, as plain rows with offsets into `texts.text` (for show and export).

`kehoach show`, `kehoach export --format spacy` and `--format label-studio` all
read the same thing: each document's final text and the rows of the extracted
tables that point into it with [char_start, char_end).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: The extracted tables whose rows are facts with a span, in display order.
FACT_TABLES = ("targets", "assignments", "deadlines", "legal_refs", "tasks")


@dataclass
class DocFacts:
    """One document of a run: its `documents` row, final text, sections, facts and restorations."""

    doc: dict
    text: str
    raw_text: str | None
    sections: list[dict] = field(default_factory=list)
    facts: dict[str, list[dict]] = field(default_factory=dict)     # table -> rows with valid offsets
    restorations: list[dict] = field(default_factory=list)
    no_offsets: dict[str, int] = field(default_factory=dict)      # table -> rows without a usable span

    @property
    def doc_id(self) -> str:
        return self.doc["doc_id"]

    @property
    def name(self) -> str:
        """The file's stem: what gold folders and Label Studio tasks are named by."""
        return Path(self.doc.get("source_path") or self.doc_id).stem


def _records(df) -> list[dict]:
    from .diff import plain

    return [{k: plain(v) for k, v in r.items()} for r in df.to_dict("records")]


def has_span(row: dict, n: int) -> bool:
    """The row has offsets inside a text of length n (empty spans are kept: a point in the text)."""
    s, e = row.get("char_start"), row.get("char_end")
    return isinstance(s, int) and isinstance(e, int) and 0 <= s <= e <= n


def matches(doc: dict, selector: str) -> bool:
    """A document chosen by doc_id (or a prefix of 6+ characters), source path, file name or stem."""
    path = doc.get("source_path") or ""
    return (selector == doc["doc_id"] or (len(selector) >= 6 and doc["doc_id"].startswith(selector))
            or selector == path or Path(path).resolve() == Path(selector).resolve()
            or selector in (Path(path).name, Path(path).stem))


def run_facts(run, selectors: list[str] | None = None) -> list[DocFacts]:
    """The documents of a loaded run (all, or those the selectors name) with their facts, in source order.

    Raises KeyError naming a selector that matches no document."""
    docs = _records(run.documents)
    if selectors:
        missing = [s for s in selectors if not any(matches(d, s) for d in docs)]
        if missing:
            raise KeyError(", ".join(missing))
        docs = [d for d in docs if any(matches(d, s) for s in selectors)]
    docs.sort(key=lambda d: (d.get("source_path") or "", d["doc_id"]))
    texts = {r["doc_id"]: r for r in _records(run.texts)}
    by_doc: dict[str, dict[str, list[dict]]] = {}
    for table in (*FACT_TABLES, "sections", "restorations"):
        for r in _records(run.tables[table]):
            by_doc.setdefault(r["doc_id"], {}).setdefault(table, []).append(r)
    out = []
    for d in docs:
        t = texts.get(d["doc_id"]) or {}
        text = t.get("text") or ""
        rows = by_doc.get(d["doc_id"], {})
        f = DocFacts(d, text, t.get("raw_text"), sections=rows.get("sections", []),
                     restorations=[r for r in rows.get("restorations", []) if has_span(r, len(text))])
        for table in FACT_TABLES:
            all_rows = rows.get(table, [])
            f.facts[table] = [r for r in all_rows if has_span(r, len(text))]
            f.no_offsets[table] = len(all_rows) - len(f.facts[table])
        out.append(f)
    return out
