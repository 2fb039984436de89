"""Label Studio: a run's facts as pre-annotations, and a corrected export back to kehoach's gold format.

Export (`kehoach export RUN --format label-studio -o tasks.json`): one task per
document, `data.text` its final text (`texts.text`), one prediction whose result
holds, per fact, a `labels` region (`value: {start, end, text, labels: [table]}`)
and, with the same region id, a per-region `textarea` (`from_name: "fields"`)
holding the row's key fields as `name: value` lines (YAML). `data.sections`
lists the section spans so that a region a reviewer adds gets its section.
The labeling config to create the project with is written beside the tasks
(`tasks.config.xml`).

Import (`kehoach eval RUN --gold export.json`, `load_label_studio`): the JSON
export of the project after review (tasks with `annotations[].result[]`) becomes
one gold document per reviewed task, with a list of rows per fact table, as in
tests/gold/dev (README there): the fields from the region's text area (typed by
the table's schema), `section_id` from the text area or else the deepest section
holding the region, and `snippet`. A task without a submitted annotation is not
gold and is left out; a document's five tables are all present, so a reviewed
document with no target region says "no targets".
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import yaml

from .facts import FACT_TABLES, DocFacts

#: Fields written into each region's text area: the gold match keys (pipeline.gold.MEASURES) and a few
#: that a reviewer reads to judge the fact.
FIELDS: dict[str, tuple[str, ...]] = {
    "targets": ("indicator", "value", "value_max", "unit", "comparator", "target_year", "kind"),
    "assignments": ("agency_name", "agency_surface", "role", "section_id"),
    "deadlines": ("kind", "date", "date_end", "recurrence", "recurrence_anchor"),
    "legal_refs": ("canonical_id", "ref_type", "relation"),
    "tasks": ("number", "group", "lead_names", "support_names", "source"),
}

COLOURS = {"targets": "#0969da", "assignments": "#bf8700", "deadlines": "#bc4c00", "legal_refs": "#8250df",
           "tasks": "#1a7f37"}

LABEL_CONFIG = """<View>
  <Style>.htx-text{ white-space: pre-wrap; }</Style>
  <Header value="$source_path"/>
  <Labels name="label" toName="text">
%s
  </Labels>
  <Text name="text" value="$text" granularity="symbol"/>
  <TextArea name="fields" toName="text" perRegion="true" editable="true" rows="5"
            placeholder="key fields, one per line: value: 95.0"/>
</View>
"""


class LabelStudioError(ValueError):
    """An export that cannot be read as gold (says which task and region)."""


def label_config() -> str:
    """The Label Studio labeling config matching the exported tasks."""
    labels = "\n".join(f'    <Label value="{t}" background="{COLOURS[t]}"/>' for t in FACT_TABLES)
    return LABEL_CONFIG % labels


def _fields_text(table: str, row: dict) -> str:
    from .gold import gold_section

    fields = {}
    for k in FIELDS[table]:
        v = row.get(k)
        if k == "section_id":
            v = gold_section(v)
        if isinstance(v, str) and k in ("date", "date_end"):
            v = dt.date.fromisoformat(v)
        fields[k] = v
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=None, width=10000).strip()


def tasks_of(docs: list[DocFacts], model_version: str = "kehoach") -> list[dict]:
    """Label Studio tasks (import format) for the documents, facts as predictions."""
    from .gold import gold_section

    tasks = []
    for d in docs:
        result, used = [], set()
        for table in FACT_TABLES:
            for r in d.facts[table]:
                rid = (r.get({"targets": "target_id", "assignments": "assignment_id", "deadlines": "deadline_id",
                              "legal_refs": "ref_id", "tasks": "task_id"}[table]) or "x")[:10]
                rid = f"{table[:2]}{rid}"
                k, base = 2, rid
                while rid in used:
                    rid, k = f"{base}_{k}", k + 1
                used.add(rid)
                s, e = r["char_start"], r["char_end"]
                region = {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                          "value": {"start": s, "end": e, "text": d.text[s:e], "labels": [table]}}
                if isinstance(r.get("confidence"), float):
                    region["score"] = r["confidence"]
                result.append(region)
                result.append({"id": rid, "from_name": "fields", "to_name": "text", "type": "textarea",
                               "value": {"start": s, "end": e, "text": [_fields_text(table, r)]}})
        sections = [[s["char_start"], s["char_end"], s["section_id"]] for s in d.sections
                    if isinstance(s.get("char_start"), int) and isinstance(s.get("char_end"), int)]
        tasks.append({"data": {"text": d.text, "name": d.name, "doc_id": d.doc_id,
                               "source_path": d.doc.get("source_path"), "sections": sections},
                      "predictions": [{"model_version": model_version, "result": result}]})
    return tasks


def write_tasks(docs: list[DocFacts], out: str | Path, model_version: str = "kehoach") -> tuple[Path, int]:
    """Write tasks.json and its labeling config (tasks.config.xml); returns (config path, number of regions)."""
    out = Path(out)
    tasks = tasks_of(docs, model_version)
    out.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    config = out.with_name(out.stem + ".config.xml")
    config.write_text(label_config(), encoding="utf-8")
    return config, sum(len(t["predictions"][0]["result"]) // 2 for t in tasks)


# ---------------------------------------------------------------- back to gold


def _annotation(task: dict) -> dict | None:
    """The task's latest submitted (not cancelled) annotation."""
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not done:
        return None
    return max(enumerate(done), key=lambda p: (str(p[1].get("updated_at") or ""), p[0]))[1]


def _coerce(table: str, name: str, v):
    """A field typed as the table's column (numbers typed as 2024 for a string column become "2024")."""
    import pyarrow as pa

    from .schema import SCHEMAS

    if v is None or name not in SCHEMAS[table].names:
        return v
    t = SCHEMAS[table].field(name).type
    try:
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return v if isinstance(v, str) else str(v)
        if pa.types.is_integer(t):
            return int(v)
        if pa.types.is_floating(t):
            return float(v)
        if pa.types.is_date(t):
            return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
        if pa.types.is_list(t):
            return [str(x) for x in (v if isinstance(v, list) else [v])]
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name}: {v!r} is not a {t}") from e
    return v


def _section_at(sections: list, start: int, end: int) -> str | None:
    best = None
    for s, e, sid in sections or []:
        if s <= start and end <= max(e, s + 1) and (best is None or e - s <= best[1] - best[0]):
            best = (s, e, sid)
    return best[2] if best else None


def gold_rows(task: dict, where: str = "") -> dict[str, list[dict]] | None:
    """A reviewed task's rows per fact table (None when the task has no submitted annotation).

    As the scorer reads predictions (pipeline.gold), a section id is its labelled section (bullets
    `-`/`+` hang from it), and assignments of one agency and role in the bullets under a heading that
    names the agency are one statement: one gold row."""
    from .gold import BULLET, _statements, gold_section

    ann = _annotation(task)
    if ann is None:
        return None
    data = task.get("data") or {}
    text = data.get("text") or ""
    regions: dict[str, dict] = {}
    for item in ann.get("result") or []:
        r = regions.setdefault(str(item.get("id")), {})
        if item.get("type") == "labels":
            r["labels"] = item
        elif item.get("type") == "textarea":
            r["fields"] = "\n".join((item.get("value") or {}).get("text") or [])
    tables: dict[str, list[dict]] = {t: [] for t in FACT_TABLES}
    for rid, r in regions.items():
        if "labels" not in r:
            continue
        v = r["labels"].get("value") or {}
        labels = v.get("labels") or []
        s, e = v.get("start"), v.get("end")
        here = f"{where} region {rid} ({v.get('text') or text[s:e]!r})"
        if len(labels) != 1 or labels[0] not in tables:
            raise LabelStudioError(f"{here}: label {labels} is not one of {', '.join(FACT_TABLES)}")
        table = labels[0]
        try:
            fields = yaml.safe_load(r.get("fields") or "") or {}
        except yaml.YAMLError as err:
            raise LabelStudioError(f"{here}: its fields are not `name: value` lines ({err})") from err
        if not isinstance(fields, dict):
            raise LabelStudioError(f"{here}: its fields are not `name: value` lines")
        try:
            row = {str(k): _coerce(table, str(k), x) for k, x in fields.items()}
        except ValueError as err:
            raise LabelStudioError(f"{here}: {err}") from err
        raw = _section_at(data.get("sections"), s, e) if isinstance(s, int) and isinstance(e, int) else None
        row["section_id"] = gold_section(row.get("section_id") or raw)
        row["snippet"] = " ".join(text[s:e].split())[:150]
        row["char_start"], row["char_end"] = s, e
        row["_raw"] = {"section_id": raw if raw and BULLET.search(raw) else row["section_id"],
                       "agency_surface": row.get("agency_surface") or v.get("text") or text[s:e],
                       "agency_name": row.get("agency_name"),
                       "role": row.get("role")}
        tables[table].append(row)
    headings = {sid: text[a:b].split("\n", 1)[0].casefold() for a, b, sid in data.get("sections") or []}
    for table, rows in tables.items():
        rows.sort(key=lambda r: (r["char_start"] if isinstance(r["char_start"], int) else -1))
        stmts = _statements([r["_raw"] for r in rows], headings) if table == "assignments" else {}
        seen, kept = set(), []
        for i, r in enumerate(rows):
            r.pop("_raw")
            if i in stmts:
                key = (stmts[i], r.get("agency_name"), r.get("role"))
                if key in seen:
                    continue
                seen.add(key)
            kept.append(r)
        rows[:] = kept
    return tables


def read_export(path: str | Path) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise LabelStudioError(f"{path}: not a Label Studio JSON export (a list of tasks)")
    return data


def load_label_studio(path: str | Path, group: str | None = None) -> list:
    """Gold documents (pipeline.gold.GoldDoc) of a Label Studio JSON export; unreviewed tasks are left out."""
    from .gold import GoldDoc

    path = Path(path)
    out = []
    for k, task in enumerate(read_export(path)):
        data = task.get("data") or {}
        name = data.get("name") or Path(data.get("source_path") or f"task-{task.get('id', k)}").stem
        tables = gold_rows(task, f"{path.name}: task {task.get('id', k + 1)} ({name})")
        if tables is not None:
            out.append(GoldDoc(name, group or path.stem, tables))
    return out


def write_gold(gold: list, out_dir: str | Path) -> list[Path]:
    """Write gold documents in the tests/gold/dev format: OUT/<name>/<table>.yaml."""
    out_dir = Path(out_dir)
    written = []
    for g in gold:
        d = out_dir / g.name
        d.mkdir(parents=True, exist_ok=True)
        for table, rows in g.tables.items():
            rows = [{k: v for k, v in r.items() if k not in ("char_start", "char_end")} for r in rows]
            f = d / f"{table}.yaml"
            f.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=10000), encoding="utf-8")
            written.append(f)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pipeline.labelstudio",
                                description="Convert a Label Studio JSON export into kehoach gold folders "
                                            "(one folder per document, a YAML file per table).")
    p.add_argument("export", help="the JSON export of the reviewed Label Studio project")
    p.add_argument("--out", required=True, metavar="DIR", help="gold folder to write")
    args = p.parse_args(argv)
    try:
        gold = load_label_studio(args.export)
    except (LabelStudioError, OSError, json.JSONDecodeError) as e:
        print(f"labelstudio: {e}", file=sys.stderr)
        return 2
    write_gold(gold, args.out)
    print(f"{len(gold)} reviewed document(s) written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
