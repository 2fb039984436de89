"""`kehoach diff RUN_A RUN_B`: per table, the rows added, removed and changed, field by field, with their source.

Pairing. Documents pair by doc_id, then by their path relative to the folder
the run read (an edited file keeps its path but gets a new doc_id; two runs of
different folders pair by file name and do not report the folder), then by file
name. Every other table sees run B's doc_ids through that map, then pairs rows
in passes: identical rows, the row id (or the table's natural key), then, for
rows left over, the fact's canonical key with its normalized sentence, the key
with the sentence around the fact's own words (a legal reference whose surface
changed), the sentence around the fact alone (a deadline whose year changed),
the key in document order when both runs have as many such facts, and last the
older key passes. Passes after the first need keys unique on both sides (or
number equal facts in order), so no pairing is a guess. Ids that point at other
rows (deadline_ids, task_id, resolved_doc_id) are translated through the
pairings before comparing.

Comparison. The joins are datacompy `PandasCompare` joins (datacompy joins on
one fixed key, so the cascade of keys and the maps above are ours); paired rows
are compared column by column. Character offsets (char_start, char_end, page,
ordinal ...) point into `texts.text`: they are compared only when the
document's text is the same in both runs, otherwise every fact after an edit
would be reported as moved.

Quiet by default. A change whose fields are only text (texts, the text and
heading of sections and table cells, a fact's sentence or task text, a
document's sha256 and length) is summarised in one line ("text changed in N
sections"); `--text` lists them. Listed facts show their fact fields only.

Output: a terminal report (default), JSON (every change, text-only ones flagged),
or one self-contained HTML page with filters by table, document and kind of change.
Exit status 0 when the runs are equal, 1 when they differ, 2 on trouble (like diff).
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .schema import ID_COLUMNS, SCHEMAS

#: Table order: documents first (doc map), texts (same-text docs); references are translated after pairing.
ORDER = ["documents", "texts", "sections", "tasks", "deadlines", "assignments", "targets", "legal_refs",
         "table_cells", "restorations", "errors"]

#: The fields that say what a fact is, whatever the words around it (pairing across an edit).
CANONICAL: dict[str, list[str]] = {
    "targets": ["indicator", "kind", "value", "unit", "target_year"],
    "assignments": ["agency_id", "role"],
    "deadlines": ["kind", "date", "date_end", "recurrence"],
    "legal_refs": ["canonical_id", "ref_type", "article", "clause", "point"],
    "tasks": ["number", "lead_ids"],
}

#: Columns holding ids of other tables' rows: translated through those tables' pairings.
REFERENCES = {("assignments", "deadline_ids"): "deadlines", ("assignments", "task_id"): "tasks",
              ("deadlines", "task_id"): "tasks", ("tasks", "deadline_ids"): "deadlines"}

#: Fields that are text, not facts: a change of these alone is summarised unless --text.
TEXT_FIELDS: dict[str, set[str]] = {
    "documents": {"doc_id", "source_sha256", "n_chars"},
    "texts": {"text", "raw_text"},
    "sections": {"text", "heading"},
    "table_cells": {"text"},
    "targets": {"sentence", "indicator_text"},
    "assignments": {"sentence", "task"},
    "deadlines": {"sentence", "task"},
    "legal_refs": {"sentence", "subject"},
    "tasks": {"sentence", "text"},
}

#: Passes after the id: fields that identify the same fact when its id changed (all within one document);
#: the last one of a fact table pairs the one fact of its type left over in a section on both sides.
KEY_PASSES: dict[str, list[list[str]]] = {
    "documents": [["source_path"]],
    "texts": [],
    "sections": [["heading", "kind", "label"]],
    "targets": [["section_id", "sentence", "indicator", "kind"],
                ["section_id", "sentence", "value", "unit"],
                ["indicator", "kind", "target_year", "geography", "population_group", "comparator"],
                ["section_id", "indicator", "kind"]],
    "assignments": [["section_id", "sentence", "agency_id", "role"],
                    ["agency_id", "role", "task"],
                    ["section_id", "sentence", "task", "role"],
                    ["section_id", "agency_id"]],
    "deadlines": [["section_id", "sentence", "expression"],
                  ["expression", "task"],
                  ["kind", "date", "date_end", "recurrence"],
                  ["section_id", "kind"]],
    "legal_refs": [["section_id", "sentence", "surface"],
                   ["canonical_id", "article", "clause", "point", "relation"],
                   ["section_id", "surface"],
                   ["section_id", "ref_type", "relation"]],
    "tasks": [["section_id", "number"], ["number", "group"]],
    "table_cells": [["header", "text"]],
    "restorations": [["original", "restored", "_nth"]],
    "errors": [["stage"]],
}

#: First pass of the tables without a row id: their natural key.
NATURAL_KEYS: dict[str, list[str]] = {
    "sections": ["section_id"], "texts": [], "restorations": ["char_start"], "errors": ["stage", "message"],
    "table_cells": ["table_id", "row", "col"],
}

#: Positions inside texts.text: only comparable when the document's text did not change.
OFFSETS = {"char_start", "char_end", "page", "page_start", "page_end", "ordinal"}

#: What a reviewer reads to recognise a row.
CONTEXT = {"documents": "title", "sections": "heading", "texts": None, "restorations": None, "errors": "message",
           "table_cells": "text"}

LONG = 160


@dataclass
class Change:
    """One row added, removed or changed."""

    table: str
    change: str                      # added | removed | changed
    doc_id: str | None               # run B's doc_id for added/changed rows, run A's for removed ones
    source_path: str | None
    section_id: str | None
    context: str | None              # the source sentence (or heading, title, message)
    row_id: str | None
    row_id_a: str | None = None
    paired_by: str | None = None
    fields: list[dict] = field(default_factory=list)   # [{"field", "a", "b"}]
    row: dict | None = None
    text_only: bool = False          # every changed field is text (summarised unless --text)


@dataclass
class RunDiff:
    run_a: str
    run_b: str
    changes: list[Change]

    @property
    def equal(self) -> bool:
        return not self.changes

    def counts(self, changes: list[Change] | None = None) -> dict[str, dict[str, int]]:
        out = {t: {"added": 0, "removed": 0, "changed": 0} for t in ORDER}
        for c in self.changes if changes is None else changes:
            out[c.table][c.change] += 1
        return out

    def listed(self, text: bool = False) -> list[Change]:
        """The changes a report lists: all with `text`, else those with a field beyond text."""
        return list(self.changes) if text else [c for c in self.changes if not c.text_only]

    def text_summary(self) -> str | None:
        """One line for the text-only changes (None when there are none)."""
        hidden = [c for c in self.changes if c.text_only]
        if not hidden:
            return None
        n = {t: sum(1 for c in hidden if c.table == t) for t in ORDER}
        docs = sorted({Path(c.source_path).name for c in hidden if c.source_path})
        where = ", ".join(docs) if len(docs) <= 3 else f"{len(docs)} documents"
        line = f"{where}: text changed in {n['sections']} section{'s' * (n['sections'] != 1)}"
        if n["table_cells"]:
            line += f", {n['table_cells']} table cell{'s' * (n['table_cells'] != 1)}"
        facts = sum(n[t] for t in CANONICAL)
        if facts:
            line += f" and in the sentence or task text of {facts} fact{'s' * (facts != 1)}"
        return line + "; details with --text"


# ---------------------------------------------------------------- values

def plain(v):
    """A cell as a JSON-friendly Python value (NA and NaN become None, dates ISO strings)."""
    if v is None:
        return None
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:
        pass
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        return plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if hasattr(v, "item"):
        return v.item()
    return v


def snippets(a, b, width: int = 60) -> tuple:
    """For long strings, the part around the first difference (with … marks); short values unchanged."""
    if not (isinstance(a, str) and isinstance(b, str)) or max(len(a), len(b)) <= LONG:
        return a, b
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    j = 0
    while j < min(len(a), len(b)) - i and a[len(a) - 1 - j] == b[len(b) - 1 - j]:
        j += 1
    start = max(0, i - width)

    def cut(s: str) -> str:
        end = min(len(s), max(len(s) - j + width, i + width), start + 2 * LONG)
        return ("…" if start > 0 else "") + s[start:end] + ("…" if end < len(s) else "")

    return cut(a), cut(b)


def short(v):
    """A long string cut to its beginning (for added and removed rows)."""
    return v[:LONG] + "…" if isinstance(v, str) and len(v) > LONG else v


# ---------------------------------------------------------------- pairing

def _compare(a, b, keys: list[str]):
    """datacompy join of `a` and `b` on `keys`: (pairs [(row_a, row_b, {column: match})], rest_a, rest_b)."""
    import datacompy

    if a.empty or b.empty:
        return [], list(a["_row"]), list(b["_row"])
    cmp = datacompy.PandasCompare(a, b, join_columns=keys, df1_name="a", df2_name="b",
                                  cast_column_names_lower=False)
    both = cmp.intersect_rows
    flags = [c for c in both.columns if c.endswith("_match") and c[:-6] not in ("_row",)]
    pairs = []
    for rec in both[["_row_a", "_row_b", *flags]].itertuples(index=False):
        pairs.append((int(rec[0]), int(rec[1]), {c[:-6]: bool(v) for c, v in zip(flags, rec[2:])}))
    return pairs, [int(x) for x in cmp.df1_unq_rows["_row"]], [int(x) for x in cmp.df2_unq_rows["_row"]]


def _unique(df, keys: list[str]):
    import pandas as pd

    k = pd.Series([json.dumps([plain(v) for v in row], default=str) for row in df[keys].itertuples(index=False)],
                  index=df.index, dtype="object")
    return df[~k.duplicated(keep=False)]


def _signatures(df, cols: list[str]) -> list[str]:
    return [json.dumps([plain(v) for v in row], ensure_ascii=False, default=str)
            for row in df[cols].itertuples(index=False)]


def pair_identical(a, b, cols: list[str]) -> list[tuple[int, int]]:
    """Rows equal in every compared column pair at once (in order), without a join."""
    waiting: dict[str, list[int]] = {}
    for row, sig in zip(a["_row"], _signatures(a, cols)):
        waiting.setdefault(sig, []).append(int(row))
    pairs = []
    for row, sig in zip(b["_row"], _signatures(b, cols)):
        if waiting.get(sig):
            pairs.append((waiting[sig].pop(0), int(row)))
    return pairs


#: Computed key columns: how a pass that uses them is named in the report.
KEY_NAMES = {"_sent": "sentence", "_masked": "sentence around it", "_rel": "path", "_name": "file name",
             "_leads": "lead_ids", "_src": "source_path"}


def _ordinals(df, keys: list[str]):
    """df with `_nth` (rank among the rows equal on the other keys, in document order) and `_n` (their number)."""
    import pandas as pd

    base = [k for k in keys if k not in ("_nth", "_n")]
    pos = df["char_start"] if "char_start" in df.columns else df["_row"]
    tmp = pd.DataFrame({"sig": _signatures(df, base), "pos": pd.to_numeric(pos, errors="coerce").fillna(-1).to_numpy(),
                        "row": df["_row"].to_numpy()}, index=df.index).sort_values(["pos", "row"])
    out = df.copy()
    out["_nth"] = tmp.groupby("sig").cumcount().reindex(df.index).astype("int64")
    out["_n"] = tmp.groupby("sig")["sig"].transform("size").reindex(df.index).astype("int64")
    return out


def _label(keys: list[str]) -> str:
    names = [KEY_NAMES.get(k, k.lstrip("_")) for k in keys if k not in ("_doc", "_nth", "_n")]
    return ",".join(names) + (" in order" if "_nth" in keys else "") if names else "document"


def pair_rows(a, b, passes: list[list[str]], cols: list[str]):
    """Identical rows first, then a cascade of datacompy joins; the first join may pair duplicates
    (datacompy pairs them in order), later joins only keys unique on both sides, or equal rows
    numbered in document order (`_nth`; with `_n`, only when both sides have as many)."""
    same = pair_identical(a, b, cols)
    pairs: list[tuple[int, int, dict, str]] = [(ra, rb, {}, "identical") for ra, rb in same]
    rest_a = a[~a["_row"].isin({p[0] for p in same})]
    rest_b = b[~b["_row"].isin({p[1] for p in same})]
    for n, keys in enumerate(passes):
        if rest_a.empty or rest_b.empty:
            break
        if "_nth" in keys:
            ua, ub = _ordinals(rest_a, keys), _ordinals(rest_b, keys)
        else:
            ua, ub = (rest_a, rest_b) if n == 0 else (_unique(rest_a, keys), _unique(rest_b, keys))
        found, _, _ = _compare(ua, ub, keys)
        label = _label(keys)
        pairs += [(ra, rb, m, label) for ra, rb, m in found]
        rest_a = rest_a[~rest_a["_row"].isin({p[0] for p in found})]
        rest_b = rest_b[~rest_b["_row"].isin({p[1] for p in found})]
    return pairs, list(rest_a["_row"]), list(rest_b["_row"])


# ---------------------------------------------------------------- diff

def relative_paths(paths) -> dict[str, str]:
    """Each source path relative to the deepest folder holding all of them (the folder the run read)."""
    import os

    ps = sorted({p for p in paths if isinstance(p, str)})
    if not ps:
        return {}
    try:
        root = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in ps])
    except ValueError:          # different drives
        return {p: p for p in ps}
    return {p: os.path.relpath(os.path.abspath(p), root) for p in ps}


def _norm(s) -> str | None:
    """A sentence as pairing compares it: whitespace collapsed, case folded."""
    return " ".join(s.split()).casefold() if isinstance(s, str) else None


def _masked(sentence, text: str, start, end) -> str | None:
    """The normalized sentence with the fact's own words [start, end) blanked out."""
    if not isinstance(sentence, str):
        return None
    words = text[start:end] if isinstance(start, int) and isinstance(end, int) and text else ""
    if words.strip() and words in sentence:
        sentence = sentence.replace(words, " \u25a1 ", 1)
    return _norm(sentence)


def _frame(run, table: str, doc_map: dict[str, str], path_map: dict[str, str]):
    """The table with `_row` (position), `_doc`/`_src` (document in run A's terms) and the computed keys:
    `_rel`/`_name` (documents), `_sent` and `_masked` (facts), `_leads` (tasks)."""
    import pandas as pd

    df = run.tables[table].copy()
    df["_row"] = range(len(df))
    if "doc_id" in df.columns:
        df["_doc"] = df["doc_id"].map(lambda d: doc_map.get(d, d) if isinstance(d, str) else d).astype("string")
    if table == "documents":
        rel = relative_paths(df["source_path"])
        df["_name"] = df["source_path"].map(lambda p: Path(p).name if isinstance(p, str) else p).astype("string")
        df["_rel"] = df["source_path"].map(lambda p: rel.get(p, p) if isinstance(p, str) else p).astype("string")
    if table == "errors":
        df["_src"] = df["source_path"].map(lambda p: path_map.get(p, p) if isinstance(p, str) else p).astype("string")
    if table in CANONICAL:
        texts = dict(zip(run.texts["doc_id"], run.texts["text"]))
        recs = df[["doc_id", "sentence", "char_start", "char_end"]].itertuples(index=False)
        masked = []
        for d, sent, s, e in recs:
            s = None if pd.isna(s) else int(s)
            e = None if pd.isna(e) else int(e)
            masked.append(_masked(None if pd.isna(sent) else sent, texts.get(d) or "", s, e))
        df["_sent"] = pd.Series([_norm(None if pd.isna(x) else x) for x in df["sentence"]], index=df.index,
                                dtype="string")
        df["_masked"] = pd.Series(masked, index=df.index, dtype="string")
    if table == "tasks":
        df["_leads"] = pd.Series([json.dumps(sorted(v or []), ensure_ascii=False) for v in df["lead_ids"]],
                                 index=df.index, dtype="string")
    return df


def _compared(table: str) -> list[str]:
    """Columns whose equality makes two rows identical (documents by run A's terms)."""
    names = SCHEMAS[table].names
    if table == "documents":
        return ["_rel" if c == "source_path" else c for c in names]
    if table == "errors":
        return ["_src" if c == "source_path" else "_doc" if c == "doc_id" else c for c in names]
    return ["_doc" if c == "doc_id" else c for c in names]


def _passes(table: str) -> list[list[str]]:
    if table == "documents":
        return [["doc_id"], ["_rel"], ["_name"]]
    if table == "errors":
        return [["_src", *NATURAL_KEYS["errors"]]] + [["_src", *k] for k in KEY_PASSES["errors"]]
    first = [ID_COLUMNS[table]] if table in ID_COLUMNS else ["_doc", *NATURAL_KEYS[table]]
    passes = [first]
    if table in CANONICAL:
        key = ["_leads" if k == "lead_ids" else k for k in CANONICAL[table]]
        passes += [["_doc", *key, "_sent", "_nth"],            # the same fact in the same sentence
                   ["_doc", *key, "_masked", "_nth"],          # its words changed (a surface)
                   ["_doc", "section_id", "_masked"],          # its key changed (a year), the words around it did not
                   ["_doc", *key, "_n", "_nth"]]               # as many such facts on both sides, in order
    return passes + [["_doc", *k] for k in KEY_PASSES.get(table, [])]


def _context(table: str, row: dict, texts_b: dict[str, str], texts_a: dict[str, str], side: str) -> str | None:
    if "sentence" in row:
        return row.get("sentence")
    if table == "restorations":
        text = (texts_b if side == "b" else texts_a).get(row.get("doc_id")) or ""
        s, e = row.get("char_start") or 0, row.get("char_end") or 0
        return f"{row.get('original')} → {row.get('restored')}: …{text[max(0, s - 40):e + 40]}…"
    col = CONTEXT.get(table)
    value = row.get(col) if col else None
    return value if value is not None or table != "sections" else (row.get("text") or "")[:LONG]


def diff_runs(run_a, run_b) -> RunDiff:
    """Compare two loaded runs (pipeline.load.Run): pair every table's rows, then compare the pairs."""
    doc_map: dict[str, str] = {}           # run B doc_id -> run A doc_id (edited documents)
    path_map: dict[str, str] = {}          # run B source_path -> run A source_path (moved files)
    id_maps: dict[str, dict[str, str]] = {}
    same_text: set[str] = set()            # run A doc_ids whose text is unchanged in run B
    paths_a = dict(zip(run_a.documents["doc_id"], run_a.documents["source_path"]))
    paths_b = dict(zip(run_b.documents["doc_id"], run_b.documents["source_path"]))
    texts_a = dict(zip(run_a.texts["doc_id"], run_a.texts["text"]))
    texts_b = dict(zip(run_b.texts["doc_id"], run_b.texts["text"]))
    paired: dict[str, tuple] = {}

    for table in ORDER:                    # 1. pair rows (documents first: the other tables need the doc map)
        a = _frame(run_a, table, {}, {})
        b = _frame(run_b, table, doc_map, path_map)
        pairs, only_a, only_b = pair_rows(a, b, _passes(table), _compared(table))
        rows_a = [{k: plain(v) for k, v in r.items()} for r in run_a.tables[table].to_dict("records")]
        rows_b = [{k: plain(v) for k, v in r.items()} for r in run_b.tables[table].to_dict("records")]
        extra_a = a["_rel"].tolist() if table == "documents" else None
        extra_b = b["_rel"].tolist() if table == "documents" else None
        if table == "documents":
            for ra, rb, _, _ in pairs:
                if rows_a[ra]["doc_id"] != rows_b[rb]["doc_id"]:
                    doc_map[rows_b[rb]["doc_id"]] = rows_a[ra]["doc_id"]
                if rows_a[ra]["source_path"] != rows_b[rb]["source_path"]:
                    path_map[rows_b[rb]["source_path"]] = rows_a[ra]["source_path"]
        if table == "texts":
            same_text |= {rows_a[ra]["doc_id"] for ra, rb, _, _ in pairs if rows_a[ra]["text"] == rows_b[rb]["text"]}
        idcol = ID_COLUMNS.get(table) if table != "documents" else None
        if idcol:
            id_maps[table] = {rows_b[rb][idcol]: rows_a[ra][idcol] for ra, rb, _, _ in pairs}
        paired[table] = (pairs, only_a, only_b, rows_a, rows_b, extra_a, extra_b)

    def translated(table: str, col: str, v):
        """A run B value in run A's terms (ids of paired rows and documents)."""
        target = REFERENCES.get((table, col))
        if target and v is not None:
            m = id_maps.get(target, {})
            return sorted(m.get(i, i) for i in v) if isinstance(v, list) else m.get(v, v)
        if col == "resolved_doc_id" and isinstance(v, str):
            return doc_map.get(v, v)
        return v

    changes: list[Change] = []
    for table in ORDER:                    # 2. compare the pairs field by field; list what is left over
        pairs, only_a, only_b, rows_a, rows_b, rel_a, rel_b = paired[table]
        idcol = ID_COLUMNS.get(table) if table != "documents" else None
        skip = {"doc_id"} if table != "documents" else set()
        if table == "errors":
            skip.add("source_path")
        if idcol:
            skip.add(idcol)
        for ra, rb, _, paired_by in sorted(pairs, key=lambda p: p[1]):
            if paired_by == "identical":
                continue
            doc_a = rows_a[ra].get("doc_id")
            fields = []
            for col in SCHEMAS[table].names:
                if col in skip:
                    continue
                if col in OFFSETS and table != "documents" and doc_a not in same_text:
                    continue
                if col == "source_path" and table == "documents" and rel_a[ra] == rel_b[rb]:
                    continue               # the same file of another folder
                va, vb = rows_a[ra].get(col), translated(table, col, rows_b[rb].get(col))
                if col in ("deadline_ids", "agency_ids") and isinstance(va, list) and isinstance(vb, list):
                    va, vb = sorted(va), sorted(vb)
                if va == vb:
                    continue
                va, vb = snippets(va, vb)
                fields.append({"field": col, "a": va, "b": vb})
            if not fields:
                continue
            r = rows_b[rb]
            text_only = all(f["field"] in TEXT_FIELDS.get(table, set()) for f in fields)
            changes.append(Change(table, "changed", r.get("doc_id"), r.get("source_path") or paths_b.get(r.get("doc_id")),
                                  r.get("section_id"), _context(table, r, texts_b, texts_a, "b"),
                                  r.get(idcol) if idcol else None,
                                  rows_a[ra].get(idcol) if idcol and rows_a[ra].get(idcol) != r.get(idcol) else None,
                                  paired_by, fields, text_only=text_only))
        for side, idx, rows, paths, kind in (("a", only_a, rows_a, paths_a, "removed"),
                                             ("b", only_b, rows_b, paths_b, "added")):
            for i in sorted(idx):
                r = rows[i]
                row = {k: short(v) for k, v in r.items()}
                changes.append(Change(table, kind, r.get("doc_id"), r.get("source_path") or paths.get(r.get("doc_id")),
                                      r.get("section_id"), _context(table, r, texts_b, texts_a, side),
                                      r.get(idcol or ID_COLUMNS.get(table, "")) if table in ID_COLUMNS else None,
                                      row=row))
    return RunDiff(str(run_a.path), str(run_b.path), changes)


def diff(path_a: str | Path, path_b: str | Path) -> RunDiff:
    from .load import load_run

    return diff_runs(load_run(path_a), load_run(path_b))


# ---------------------------------------------------------------- reports

def _fmt(v) -> str:
    if v is None:
        return "∅"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


def _where(c: Change) -> str:
    parts = [c.source_path or c.doc_id or "?"]
    if c.section_id:
        parts.append(f"§ {c.section_id}")
    return " ".join(parts)


def shown_fields(c: Change, text: bool = False) -> list[dict]:
    """The fields a report shows for a change: all with `text`, else those beyond text (when any)."""
    if text or c.text_only:
        return c.fields
    return [f for f in c.fields if f["field"] not in TEXT_FIELDS.get(c.table, set())]


def report_text(d: RunDiff, text: bool = False) -> str:
    """A readable terminal report (what `kehoach diff` prints by default); `text`: list text-only changes too."""
    lines = [f"--- {d.run_a}", f"+++ {d.run_b}"]
    if d.equal:
        lines.append("runs are equal: no rows added, removed or changed")
        return "\n".join(lines) + "\n"
    listed = d.listed(text)
    counts = d.counts(listed)
    summary = None if text else d.text_summary()
    if summary:
        lines += ["", summary]
    for table in ORDER:
        n = counts[table]
        if not any(n.values()):
            continue
        lines.append("")
        lines.append(f"{table}: {n['added']} added, {n['removed']} removed, {n['changed']} changed")
        for c in (c for c in listed if c.table == table):
            mark = {"added": "+", "removed": "-", "changed": "~"}[c.change]
            head = f"  {mark} {c.change} {c.row_id or ''}".rstrip()
            if c.row_id_a:
                head += f" (was {c.row_id_a}, paired by {c.paired_by})"
            lines.append(f"{head}  [{_where(c)}]")
            if c.context:
                ctx = c.context if len(c.context) <= LONG else c.context[:LONG] + "…"
                lines.append(f"      “{' '.join(ctx.split())}”")
            for f in shown_fields(c, text):
                lines.append(f"      {f['field']}: {_fmt(f['a'])} → {_fmt(f['b'])}")
            if c.row is not None:
                shown = {k: v for k, v in c.row.items() if v not in (None, [], "") and k not in ("sentence", "doc_id")}
                lines.append("      " + ", ".join(f"{k}={_fmt(v)}" for k, v in shown.items()))
    lines.append("")
    total = {k: sum(counts[t][k] for t in counts) for k in ("added", "removed", "changed")}
    hidden = len(d.changes) - len(listed)
    lines.append(f"total: {total['added']} added, {total['removed']} removed, {total['changed']} changed"
                 + (f" (and {hidden} text-only changes, summarised above)" if hidden else ""))
    return "\n".join(lines) + "\n"


def report_json(d: RunDiff, text: bool = False) -> str:
    """Every change (text-only ones flagged `text_only`), counts, and the line that summarises text changes."""
    data = {"run_a": d.run_a, "run_b": d.run_b, "equal": d.equal, "counts": d.counts(),
            "text_summary": d.text_summary(), "changes": [asdict(c) for c in d.changes]}
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


HTML_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em} code{font-size:.95em}
.filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ccc}
.filters label{margin-right:1em}
table{border-collapse:collapse;width:100%;margin-top:1em}
th,td{border-bottom:1px solid #e3e3e3;padding:.35em .5em;text-align:left;vertical-align:top}
tr.added td.kind{color:#1a7f37} tr.removed td.kind{color:#cf222e} tr.changed td.kind{color:#9a6700}
del{background:#ffebe9;text-decoration:line-through} ins{background:#dafbe1;text-decoration:none}
.ctx{color:#555;font-style:italic} .id{font-family:monospace;font-size:.9em;color:#666}
ul.fields{margin:0;padding-left:1.1em} table.summary{width:auto} .summary td{border:none;padding:.1em .6em}
del,ins{white-space:pre-wrap}
"""

HTML_SCRIPT = """
const sel = id => document.getElementById(id);
function apply(){
  const t = sel('f-table').value, d = sel('f-doc').value;
  const kinds = new Set([...document.querySelectorAll('.f-kind:checked')].map(e => e.value));
  const text = sel('f-text').checked;
  let n = 0;
  for (const tr of document.querySelectorAll('#changes tbody tr')) {
    const show = (!t || tr.dataset.table === t) && (!d || tr.dataset.doc === d) && kinds.has(tr.dataset.change)
      && (text || tr.dataset.text !== '1');
    tr.hidden = !show; if (show) n++;
  }
  sel('shown').textContent = n;
  const p = new URLSearchParams(); if (t) p.set('table', t); if (d) p.set('doc', d);
  if (text !== sel('f-text').defaultChecked) p.set('text', text ? '1' : '0');
  history.replaceState(null, '', p.toString() ? '#' + p.toString() : location.pathname);
}
const h = new URLSearchParams(location.hash.slice(1));
if (h.get('table')) sel('f-table').value = h.get('table');
if (h.get('doc')) sel('f-doc').value = h.get('doc');
if (h.get('text')) sel('f-text').checked = h.get('text') === '1';
for (const e of document.querySelectorAll('select, .f-kind, #f-text')) e.addEventListener('change', apply);
apply();
"""


def _hfmt(v) -> str:
    return v if isinstance(v, str) else _fmt(v)


def report_html(d: RunDiff, text: bool = False) -> str:
    """One self-contained page (no external files) with filters by table, document and kind of change;
    text-only changes are hidden behind a checkbox (checked with `text`)."""
    e = lambda v: html.escape("" if v is None else str(v))  # noqa: E731
    counts = d.counts()
    docs = sorted({c.source_path or c.doc_id or "" for c in d.changes})
    tables = [t for t in ORDER if any(counts[t].values())]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>kehoach diff: {e(Path(d.run_a).name)} → {e(Path(d.run_b).name)}</title>",
           f"<style>{HTML_STYLE}</style></head><body>",
           f"<h1>kehoach diff</h1><p>A: <code>{e(d.run_a)}</code><br>B: <code>{e(d.run_b)}</code></p>"]
    if d.equal:
        out.append('<p id="equal">The runs are equal: no rows added, removed or changed.</p>')
    out.append('<table class="summary"><tr><th>table</th><th>added</th><th>removed</th><th>changed</th></tr>')
    for t in ORDER:
        n = counts[t]
        out.append(f"<tr><td>{t}</td><td>{n['added']}</td><td>{n['removed']}</td><td>{n['changed']}</td></tr>")
    out.append("</table>")
    out.append('<div class="filters"><label>table <select id="f-table"><option value="">all</option>'
               + "".join(f'<option value="{e(t)}">{e(t)}</option>' for t in tables) + "</select></label>"
               + '<label>document <select id="f-doc"><option value="">all</option>'
               + "".join(f'<option value="{e(x)}">{e(x)}</option>' for x in docs) + "</select></label>"
               + "".join(f'<label><input type="checkbox" class="f-kind" value="{k}" checked> {k}</label>'
                         for k in ("added", "removed", "changed"))
               + f'<label><input type="checkbox" id="f-text"{" checked" if text else ""}> text changes '
                 f'({sum(c.text_only for c in d.changes)})</label>'
               + ' <span><span id="shown">0</span> shown</span></div>')
    summary = d.text_summary()
    if summary:
        out.append(f'<p id="text-summary">{e(summary.replace("; details with --text", ""))} '
                   "(tick “text changes” to list them)</p>")
    out.append('<table id="changes"><thead><tr><th>table</th><th>change</th><th>document</th><th>section</th>'
               "<th>source</th><th>fields</th></tr></thead><tbody>")
    for c in d.changes:
        doc = c.source_path or c.doc_id or ""
        if c.fields:
            body = "<ul class=\"fields\">" + "".join(
                f"<li><b>{e(f['field'])}</b>: <del>{e(_hfmt(f['a']))}</del> → <ins>{e(_hfmt(f['b']))}</ins></li>"
                for f in shown_fields(c, text)) + "</ul>"
        else:
            shown = {k: v for k, v in (c.row or {}).items() if v not in (None, [], "") and k != "sentence"}
            tag = "ins" if c.change == "added" else "del"
            body = "<ul class=\"fields\">" + "".join(
                f"<li><b>{e(k)}</b>: <{tag}>{e(_hfmt(v))}</{tag}></li>" for k, v in shown.items()) + "</ul>"
        rid = f'<div class="id">{e(c.row_id)}' + (f" (was {e(c.row_id_a)})" if c.row_id_a else "") + "</div>" \
            if c.row_id else ""
        tx = ' data-text="1"' if c.text_only else ""
        out.append(f'<tr class="{c.change}" data-table="{e(c.table)}" data-doc="{e(doc)}" data-change="{c.change}"'
                   f"{tx}>"
                   f"<td>{e(c.table)}{rid}</td><td class=\"kind\">{c.change}</td><td>{e(doc)}</td>"
                   f"<td>{e(c.section_id)}</td><td class=\"ctx\">{e(c.context)}</td><td>{body}</td></tr>")
    out.append(f"</tbody></table><script>{HTML_SCRIPT}</script></body></html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- command

EPILOG = """\
examples:
  kehoach diff outputs/before outputs/after
  kehoach diff outputs/before outputs/after --table targets --format json > diff.json
  kehoach diff outputs/before outputs/after --format html -o diff.html

Rows pair by their stable id; a fact whose id changed pairs by its canonical key
and sentence (legal_refs by canonical_id and type, deadlines by kind and dates ...),
then by the words around it. An edited file pairs with its previous version by its
path (relative to the folder the run read, so runs of two folders pair by name).
Changes of text alone (sections, texts, a fact's sentence) are summarised in one
line; --text lists them.

exit status: 0 the runs are equal; 1 they differ; 2 trouble (not a run, incompatible version).
"""


def add_parser(sub) -> None:
    p = sub.add_parser("diff", help="compare two runs table by table (rows added, removed, changed)",
                       description="Compare two runs: per table, the rows added, removed and changed, field by "
                                   "field, with the document and sentence each comes from.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("run_a", metavar="RUN_A", help="the earlier run folder")
    p.add_argument("run_b", metavar="RUN_B", help="the later run folder")
    p.add_argument("--format", choices=["text", "json", "html"], default="text", help="report format (default: text)")
    p.add_argument("--table", action="append", choices=ORDER, metavar="TABLE",
                   help="only these tables (repeatable; default: all)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--text", action="store_true",
                   help="also list the changes of text alone (sections, texts, a fact's sentence), which are "
                        "otherwise summarised in one line")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from .load import RunError

    try:
        d = diff(args.run_a, args.run_b)
    except RunError as err:
        print(f"kehoach diff: {err}", file=sys.stderr)
        return 2
    if args.table:
        d = RunDiff(d.run_a, d.run_b, [c for c in d.changes if c.table in args.table])
    text = {"text": report_text, "json": report_json, "html": report_html}[args.format](d, args.text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        n = d.counts()
        print(f"{sum(sum(v.values()) for v in n.values())} differences written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0 if d.equal else 1
