"""Legal references and deadlines on single real lines: P/R/F1 per half against tests/gold/lines.

    .venv/bin/python scripts/line_eval.py [--errors] [--json FILE]

The gold (scripts/line_draw.py) is 60 lines citing documents, 60 stating times and 60 more with a duty's time
words (deadlines_due.yaml, a second draw), drawn from the provincial
documents of ../shared/lm-corpus that are no dev plan, each annotated alone with ../shared/ANNOTATION.md. Each line
goes through kehoach's stages as a one-line text file would (pipeline.textdoc), dated 2025-01-01 when it prints
no date of its own, so "năm sau" resolves. Rows are matched as multisets per line, core rows first, optional ones
counting for precision only (pipeline.evaluate.match, as `kehoach eval`), on the keys of `kehoach eval`.

`--errors` prints the missed and extra rows of the tune half only: the check half is scored, never read.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from item_scores import score_items  # noqa: E402
from pipeline.evaluate import Score  # noqa: E402
from pipeline.gold import MEASURES as EVAL_MEASURES, _canon_value  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "lines"
ISSUE = dt.date(2025, 1, 1)
MEASURES = {name: EVAL_MEASURES[name] for name in ("legal_refs", "deadlines_span", "deadlines")}


def load(table: str) -> list[dict]:
    path = GOLD / f"{table}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or [] if path.exists() else []


def predicted(text: str) -> dict[str, list[dict]]:
    """Every table's rows for one line, read as a text file dated 2025-01-01."""
    from pipeline.process import DocResult, extract_all
    from pipeline.textdoc import document_from_text

    doc, _ = document_from_text(text, "line.txt")
    doc.meta = {**(doc.meta or {}), "issue_date": (doc.meta or {}).get("issue_date") or ISSUE}
    return extract_all(doc, DocResult(source_path="line.txt", sha256=doc.raw.sha256)).tables


def canon(rows: list[dict]) -> list[dict]:
    return [{k: _canon_value(v) for k, v in r.items()} for r in rows]


def evaluate(items: list[dict], found: dict[int, dict], table: str, keys: tuple[str, ...], show: bool) -> Score:
    return score_items(((f"[{it['line']}] {it['text'][:300]}", canon(found[it["line"]].get(table, [])),
                         canon(it.get("rows") or [])) for it in items), keys, show)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", action="store_true", help="print the tune half's missed and extra rows")
    ap.add_argument("--json", type=Path, help="write the figures to FILE")
    args = ap.parse_args(argv)
    figures: dict[str, dict] = {}
    print(f"{'file':14} {'half':6} {'measure':15} {'lines':>5} {'gold':>5} {'pred':>5}   P     R     F1")
    for measure, (table, keys) in MEASURES.items():
        for name in sorted(p.stem for p in GOLD.glob(f"{table}*.yaml")):
            items = load(name)
            if not items:
                continue
            _score(args, figures, measure, table, keys, name, items)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


def _score(args, figures: dict, measure: str, table: str, keys: tuple[str, ...], name: str, items: list[dict]) -> None:
    """Print and record one gold file's figures per half."""
    found = {it["line"]: predicted(it["text"]) for it in items}
    for half in ("tune", "check"):
        part = [it for it in items if it["half"] == half]
        show = args.errors and half == "tune" and measure != "deadlines_span"
        s = evaluate(part, found, table, keys, show)
        if show:
            print()
        figures[f"{name}/{half}/{measure}"] = {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                                               "f1": round(s.f1, 4), "n_gold": s.n_gold, "n_pred": s.n_pred}
        print(f"{name:14} {half:6} {measure:15} {len(part):>5} {s.n_gold:>5} {s.n_pred:>5}  "
              f"{s.precision:.2f}  {s.recall:.2f}  {s.f1:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
