"""Scoring a run against hand-made gold of real plans (tests/gold/dev, tests/gold/dev-pdf, seeds).

The same functions serve `kehoach eval`, the DVC evaluate stage and the tests, so the figures
a user sees are the ones the tests assert. Gold conventions: ../shared/ANNOTATION.md; format:
tests/gold/dev/README.md. Recall counts core rows, precision counts core and optional rows.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from .evaluate import Score, match
from .model import BULLET_ID

#: Fields a predicted row must equal to match a gold row (`name: (table, keys)`).
MEASURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sections": ("sections", ("section_id",)),
    "legal_refs": ("legal_refs", ("canonical_id",)),
    "deadlines_span": ("deadlines", ("date", "date_end")),
    "deadlines": ("deadlines", ("kind", "date", "date_end", "recurrence")),
    "targets": ("targets", ("value", "unit", "target_year")),
    "assignments": ("assignments", ("agency_name", "role", "section_id")),
    "tasks": ("tasks", ("number", "lead_names")),
    "task_assignments": ("assignments", ("agency_name", "role", "task_number")),
    "task_deadlines": ("deadlines", ("task_number", "kind", "date", "date_end")),
}
METADATA_FIELDS = ("doc_number", "doc_type", "issuer", "issuer_level", "jurisdiction", "place", "issue_date",
                   "title", "signer_name", "signer_title", "recipients", "attached_type", "attached_title")
NOT_GOLD_SECTIONS = {"header", "signature", "recipients", "table", "bullet"}
BULLET = BULLET_ID


def score_rows(pred: Iterable[dict], gold: Iterable[dict], keys: Sequence[str]) -> tuple[Score, list, list]:
    """(score, false positives, missed core rows): multiset matching, core rows first."""
    return match(pred, gold, keys)


REPEAT = re.compile(r"~\d+(?=\.|$)")


def gold_section(section_id: str | None) -> str | None:
    """A predicted section id as gold writes it: bullets (`IV.1.-3`) take their labelled ancestor, and a label
    printed twice keeps its printed form (`V~2.1` is the second part "V." as printed: `V.1`)."""
    return REPEAT.sub("", BULLET.sub("", section_id)) if section_id else section_id


def _canon_value(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, str):
        return " ".join(v.split())
    if isinstance(v, (list, tuple)):
        return tuple(_canon_value(x) for x in v)
    return v


def score_metadata(pred: dict, gold: dict) -> tuple[Score, list, list]:
    """One item per field: gold fields that are not null, predicted fields that are not null."""
    tp = n_pred = n_gold = 0
    fp, fn = [], []
    for f in METADATA_FIELDS:
        if f not in gold:
            continue
        g, p = _canon_value(gold.get(f)), _canon_value(pred.get(f))
        g = None if g in ((), "") else g
        p = None if p in ((), "") else p
        n_gold += g is not None
        n_pred += p is not None
        if g is not None and p == g:
            tp += 1
        else:
            if p is not None:
                fp.append((f, p))
            if g is not None:
                fn.append((f, g))
    return Score(tp, n_pred, n_gold), fp, fn


# ---------------------------------------------------------------- gold on disk


@dataclass
class GoldDoc:
    """Gold of one document: its name (file stem or seed prefix), group, and rows per table."""

    name: str
    group: str                       # seeds | tune | check | <gold folder name>
    tables: dict[str, list[dict]]
    meta: dict | None = None


def load_gold(gold_dir: Path) -> list[GoldDoc]:
    """Gold documents of a folder: dev format (one folder per document, split.yaml) or the seeds'
    flat `<prefix>.<table>.yaml` files; or a Label Studio JSON export (pipeline.labelstudio)."""
    gold_dir = Path(gold_dir)
    if gold_dir.is_file() and gold_dir.suffix.lower() == ".json":
        from .labelstudio import load_label_studio

        return load_label_studio(gold_dir)
    split = {}
    if (gold_dir / "split.yaml").exists():
        for group, names in (yaml.safe_load((gold_dir / "split.yaml").read_text(encoding="utf-8")) or {}).items():
            split.update({n: group for n in names or []})
    out = []
    for d in sorted(p for p in gold_dir.iterdir() if p.is_dir()):
        tables = {}
        meta = None
        for f in sorted(d.glob("*.yaml")):
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
            if f.stem == "meta":
                meta = data or {}
            else:
                tables[f.stem] = data or []
        out.append(GoldDoc(d.name, split.get(d.name, gold_dir.name), tables, meta))
    flat: dict[str, dict[str, list]] = {}
    for f in sorted(gold_dir.glob("*.yaml")):
        prefix, _, table = f.stem.rpartition(".")
        if prefix and table:
            flat.setdefault(prefix, {})[table] = yaml.safe_load(f.read_text(encoding="utf-8")) or []
    group = "seeds" if gold_dir.name == "seeds" else gold_dir.name
    out += [GoldDoc(prefix, group, tables) for prefix, tables in sorted(flat.items())]
    return out


def _document_for(name: str, documents: list[dict]) -> dict | None:
    for d in documents:
        stem = Path(d["source_path"]).stem
        if stem == name or stem.startswith(name + "_"):
            return d
    return None


def _task_numbers(run: dict[str, list[dict]], doc_id: str) -> dict[str, str]:
    return {t["task_id"]: t.get("number") for t in run.get("tasks", [])
            if t["doc_id"] == doc_id and t.get("source") == "table"}


ACTORS = ("responsible", "lead", "standing")


def _ancestors(section_id: str):
    """A section id and the ids above it (`IV.1.-2.+1`, `IV.1.-2`, `IV.1`, `IV`)."""
    parts = section_id.split(".")
    for n in range(len(parts), 0, -1):
        yield ".".join(parts[:n])


def _statements(rows: list[dict], headings: dict[str, str]) -> dict[int, str]:
    """For each bullet row (by index), the section its statement hangs from: the outermost section at or above
    it whose heading names one of the doers below it ("1. Sở Y tế" over "-" duties, "- Bộ X" over "+" duties).
    ANNOTATION.md: a heading agency's bullets are one statement; other sentences and blocks stay apart."""
    named: set[str] = set()
    for r in rows:
        sid = r.get("section_id") or ""
        names = {(r.get(f) or "").casefold() for f in ("agency_surface", "agency_name")} - {""}
        if r.get("role") in ACTORS and names:
            named.update(a for a in _ancestors(sid) if any(n in headings.get(a, "") for n in names))
    out = {}
    for i, r in enumerate(rows):
        sid = r.get("section_id") or ""
        if BULLET.search(sid):
            out[i] = next((a for a in reversed(list(_ancestors(sid))) if a in named), sid)
    return out


def _prepare(table: str, rows: list[dict], numbers: dict[str, str], bullets: bool = False,
             headings: dict[str, str] | None = None) -> list[dict]:
    """Predicted rows as gold writes them; `bullets`: the gold keeps bullet section ids (the seeds' gold);
    `headings`: the document's section headings (casefolded) by id."""
    out, seen = [], set()
    stmts = _statements(rows, headings or {}) if table == "assignments" and not bullets else {}
    for i, r in enumerate(rows):
        r = dict(r)
        if table == "sections" and (r.get("kind") in NOT_GOLD_SECTIONS or BULLET.search(r["section_id"] or "")):
            continue
        if "section_id" in r and not bullets:
            if i in stmts:
                key = (stmts[i], r.get("agency_name"), r.get("role"))
                if key in seen:
                    continue
                seen.add(key)
            r["section_id"] = gold_section(r["section_id"])
        if table in ("assignments", "deadlines"):
            tid = r.get("task_id") or next(iter(r.get("task_ids") or []), None)
            r["task_number"] = numbers.get(tid) if tid else None
        if table == "tasks":
            r["lead_names"] = tuple(sorted(r.get("lead_names") or []))
        out.append(r)
    return out


def _gold_rows(measure: str, table: str, rows: list[dict]) -> list[dict]:
    rows = [dict(r) for r in rows]
    for r in rows:
        if table == "tasks":
            r["lead_names"] = tuple(sorted(r.get("lead_names") or []))
        if "anchor" in r and "recurrence_anchor" not in r:
            r["recurrence_anchor"] = r["anchor"]
    if measure.startswith("task_"):
        return [r for r in rows if r.get("task_number") is not None]
    return rows


def evaluate_run(run: dict[str, list[dict]], gold: list[GoldDoc]) -> dict:
    """Per group and measure: a Score over the gold documents found in the run, plus per-document details.

    `run` maps table names to rows (as pyarrow `to_pylist` gives them)."""
    documents = run.get("documents", [])
    groups: dict[str, dict[str, Score]] = {}
    details: dict[str, dict] = {}
    for g in gold:
        doc = _document_for(g.name, documents)
        if doc is None:
            continue
        numbers = _task_numbers(run, doc["doc_id"])
        headings = {s["section_id"]: (s.get("heading") or "").casefold()
                    for s in run.get("sections", []) if s["doc_id"] == doc["doc_id"]}
        per = details.setdefault(g.name, {"group": g.group})
        if g.meta is not None:
            s, fp, fn = score_metadata(doc, g.meta)
            _add(groups, g.group, "metadata", s, per, fp, fn)
        for measure, (table, keys) in MEASURES.items():
            if table not in g.tables:
                continue
            if measure.startswith("task_") and not any(r.get("task_number") for r in g.tables[table]):
                continue
            if measure in ("assignments", "deadlines", "deadlines_span") and g.tables[table] and all(
                    r.get("task_number") for r in g.tables[table]):
                continue           # task-table gold (dev-pdf) is scored by task_* measures only
            bullets = any(BULLET.search(str(r.get("section_id") or "")) for r in g.tables[table])
            pred = [r for r in run.get(table, []) if r["doc_id"] == doc["doc_id"]]
            if table == "tasks" and g.group not in ("tune", "check") and not any(
                    r.get("source") == "text" for r in g.tables[table]):
                pred = [r for r in pred if r.get("source") == "table"]     # task-table gold: table tasks only
            pred = _prepare(table, pred, numbers, bullets, headings)
            if measure.startswith("task_"):
                pred = [r for r in pred if r.get("task_number") is not None]
            s, fp, fn = score_rows(pred, _gold_rows(measure, table, g.tables[table]), keys)
            _add(groups, g.group, measure, s, per, fp, fn)
    return {"groups": {k: {m: s.as_dict() for m, s in v.items()} for k, v in sorted(groups.items())},
            "scores": groups, "details": details}


def _add(groups: dict, group: str, measure: str, s: Score, per: dict, fp: list, fn: list) -> None:
    groups.setdefault(group, {})
    groups[group][measure] = groups[group].get(measure, Score(0, 0, 0, 0)) + s
    per[measure] = {**s.as_dict(), "false_positives": [list(map(str, x)) for x in fp],
                    "missed": [list(map(str, x)) for x in fn]}


def read_run(run_dir: Path) -> dict[str, list[dict]]:
    """Every table of a run as lists of dicts."""
    import pyarrow.parquet as pq

    from .load import table_files
    from .schema import SCHEMAS

    out = {}
    for t in SCHEMAS:
        try:
            out[t] = pq.read_table(table_files(Path(run_dir), t)).to_pylist()
        except (FileNotFoundError, OSError, ValueError, TypeError):   # TypeError: table absent (older run)
            out[t] = []
    return out


def format_report(result: dict) -> str:
    """A text table: one line per measure, P/R/F1 for each group."""
    groups = result["groups"]
    names = sorted(groups, key=lambda g: ({"seeds": 0, "tune": 1, "check": 2}.get(g, 3), g))
    measures = [m for m in ["metadata", *MEASURES] if any(m in groups[g] for g in names)]
    head = f"{'measure':<18}" + "".join(f"{g + ' P/R/F1':>27}" for g in names)
    lines = [head]
    for m in measures:
        cells = []
        for g in names:
            s = groups[g].get(m)
            cells.append(f"{s['precision']:.2f}/{s['recall']:.2f}/{s['f1']:.2f} ({s['n_gold']:>3})" if s else "-")
        lines.append(f"{m:<18}" + "".join(f"{c:>27}" for c in cells))
    return "\n".join(lines)
