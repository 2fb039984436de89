"""spaCy integration: the "kehoach" pipeline component and a run as a DocBin (needs `pip install -e '.[spacy]'`).

    import spacy
    nlp = spacy.blank("vi")          # needs pyvi; without it: pipeline.spacy_component.blank()
    nlp.add_pipe("kehoach")          # found through the package's spacy_factories entry point
    doc = nlp(text)
    for span in doc.spans["targets"]:
        print(span.text, span._.indicator, span._.value, span._.target_year)

The component runs kehoach's stages on `doc.text` (pipeline.textdoc: normalize,
restore diacritics, segment, metadata, extractors) and puts each table's facts in
`doc.spans[table]` (targets, assignments, deadlines, legal_refs, tasks). A span is
the row's [char_start, char_end) widened to whole tokens (`doc.char_span(...,
alignment_mode="expand")`); its label is the table and its `id_` the row id. The
row's fields are span attributes: `span._.kehoach` (all fields as a dict) and one
attribute per column (`span._.agency_name`, `span._.role`, `span._.date` ...;
dates as ISO strings), where `char_start`/`char_end` are the row's exact offsets
in `doc.text`. The fields live in `doc.user_data["kehoach"]`, so they survive
`Doc.to_bytes` and a `DocBin(store_user_data=True)`; the attributes are getters
registered when this module is imported (spaCy imports it for `add_pipe`).

Tokenizer. `spacy.blank("vi")` segments words with pyvi and raises ImportError
without it (spaCy's Vietnamese tokenizer defaults to `use_pyvi = true`). `blank()`
gives the Vietnamese pipeline when pyvi is installed, else the multi-language
`xx` one (syllables and punctuation as tokens, rule-based), so the [spacy] extra
does not pull in pyvi. `kehoach export --format spacy` uses `xx` unless told
`--lang vi`: its syllable tokens keep the spans on the words kehoach found, and
the DocBin is the same on every machine.
"""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from .facts import FACT_TABLES, DocFacts
from .schema import ID_COLUMNS, SCHEMAS

USER_KEY = "kehoach"


def _plain(v):
    from .diff import plain

    return plain(v)


def _rows_of(doc: Doc) -> dict:
    return doc.user_data.get(USER_KEY, {}).get("rows", {})


def span_fields(span: Span) -> dict | None:
    """The row behind a span of doc.spans[table] (None for other spans)."""
    return _rows_of(span.doc).get(span.label_, {}).get(span.id_)


def _field_getter(name: str):
    def get(span: Span):
        row = span_fields(span)
        return None if row is None else row.get(name)

    return get


def register_extensions() -> None:
    """`span._.kehoach` and one getter per column of the fact tables (existing extensions are left alone)."""
    if not Span.has_extension("kehoach"):
        Span.set_extension("kehoach", getter=span_fields)
    if not Doc.has_extension("kehoach"):
        Doc.set_extension("kehoach", getter=lambda doc: doc.user_data.get(USER_KEY, {}).get("document"))
    names = {n for t in FACT_TABLES for n in SCHEMAS[t].names} - {"doc_id"}
    for name in sorted(names):
        if not Span.has_extension(name):
            Span.set_extension(name, getter=_field_getter(name))


register_extensions()


def blank(lang: str | None = None) -> Language:
    """A blank pipeline: Vietnamese (pyvi words) when pyvi is installed or lang="vi", else "xx"."""
    if lang is None:
        import importlib.util

        try:
            lang = "vi" if importlib.util.find_spec("pyvi") is not None else "xx"
        except ValueError:       # pyvi blocked (sys.modules["pyvi"] = None)
            lang = "xx"
    return spacy.blank(lang)


def set_facts(doc: Doc, tables: dict[str, list[dict]], to_doc=None, document: dict | None = None) -> Doc:
    """Put the rows of each fact table into doc.spans[table], fields in doc.user_data.

    `to_doc(start, end)` maps a row's offsets into doc.text (identity by default); rows
    without offsets, or whose span holds no token, are counted in user_data["kehoach"]["unaligned"]."""
    store = {"rows": {}, "unaligned": {}, "document": document}
    n = len(doc.text)
    for table in FACT_TABLES:
        spans, rows, missed = [], {}, 0
        for r in tables.get(table, []):
            s, e = r.get("char_start"), r.get("char_end")
            if not isinstance(s, int) or not isinstance(e, int):
                missed += 1
                continue
            s, e = to_doc(s, e) if to_doc else (s, e)
            span = doc.char_span(s, e, label=table, alignment_mode="expand") if 0 <= s <= e <= n else None
            if span is None or len(span) == 0:
                missed += 1
                continue
            key = str(r.get(ID_COLUMNS[table]) or f"{table}-{len(rows)}")
            k, base = 2, key
            while key in rows:
                key, k = f"{base}#{k}", k + 1
            span.id_ = key
            fields = {c: _plain(v) for c, v in r.items() if c != "doc_id"}
            fields["char_start"], fields["char_end"] = s, e
            rows[key] = fields
            spans.append(span)
        doc.spans[table] = spans
        store["rows"][table] = rows
        store["unaligned"][table] = missed
    doc.user_data[USER_KEY] = store
    return doc


@Language.factory("kehoach", default_config={"restore": True, "source_name": "text.txt"})
def make_kehoach(nlp: Language, name: str, restore: bool, source_name: str) -> "KehoachComponent":
    """The "kehoach" component. `restore`: restore lost diacritics first, like `kehoach run`;
    `source_name`: the file name the text is treated as (".md" reads it as Markdown)."""
    return KehoachComponent(restore=restore, source_name=source_name)


class KehoachComponent:
    """Runs kehoach on doc.text and fills doc.spans[table] for every fact table."""

    def __init__(self, restore: bool = True, source_name: str = "text.txt"):
        self.restore = restore
        self.source_name = source_name

    def __call__(self, doc: Doc) -> Doc:
        from .textdoc import extract_text

        res = extract_text(doc.text, self.source_name, restore=self.restore)
        documents = res.tables.get("documents") or [{}]
        meta = {k: _plain(v) for k, v in documents[0].items()}
        return set_facts(doc, res.tables, res.to_input, meta)


def docbin_of(docs: list[DocFacts], nlp: Language) -> DocBin:
    """One Doc per document of a run (its texts.text), spans from the run's rows."""
    db = DocBin(store_user_data=True)
    for d in docs:
        doc = nlp.make_doc(d.text)
        set_facts(doc, d.facts, None, {k: v for k, v in d.doc.items()})
        db.add(doc)
    return db


def write_docbin(docs: list[DocFacts], out: str | Path, lang: str = "xx") -> int:
    """Write the documents as a .spacy file; returns the number of spans."""
    nlp = blank(lang)
    db = docbin_of(docs, nlp)
    db.to_disk(out)
    return sum(len(doc.spans.get(t, [])) for doc in db.get_docs(nlp.vocab) for t in FACT_TABLES)


def read_docbin(path: str | Path, lang: str = "xx") -> list[Doc]:
    """The Docs of a .spacy file written by `kehoach export --format spacy`."""
    nlp = blank(lang)
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))
