"""Assignments on real passages: P/R/F1 of (agency_name, role) and (agency_name, role, line) per half.

    .venv/bin/python scripts/passage_eval.py [--errors] [--json FILE]

The gold (tests/gold/passages, drawn by scripts/passage_draw.py) is 22 runs of lines from the execution parts of
provincial documents in ../shared/lm-corpus that are no dev plan, each annotated alone with
../shared/ANNOTATION.md: who is given which role, and the line of the labelled item holding the statement. They
measure what a single paragraph cannot: agencies heading their points, lists carried down, a row per statement.
Each passage goes through kehoach's stages as a text file would (pipeline.textdoc.extract_text); a row's line is
the input line where its section starts, bullets at the numbered or lettered item above them (ANNOTATION.md's
section ids have no bullet level), 0 before any labelled line. Rows are matched as multisets per passage,
core rows first, optional ones counting for precision only (pipeline.evaluate.match, as `kehoach eval`).

A second draw (`draw: 2`, 20 passages, drawn after the rules of the first draw's tune half were written) is
scored apart as `tune2` / `check2`.

`--errors` prints the missed and extra rows of the tune halves only: the check halves are scored, never read.
"""
from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from item_scores import score_items  # noqa: E402
from pipeline.evaluate import Score  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "passages"
BULLET_LINE = re.compile(r"^\s*[-+•*–]")
MEASURES = {"agency_role": ("agency_name", "role"), "agency_role_line": ("agency_name", "role", "line"),
            "role_line": ("role", "line")}    # names aside: whether the roles and places are right


def load() -> list[dict]:
    """Every annotated passage (rows or an annotator's note; a drawn passage not yet annotated has neither)."""
    items = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("c*.yaml"))]
    return [it for it in items if it.get("assignments") or it.get("note")]


def predicted(text: str) -> list[dict]:
    """kehoach's assignment rows for one passage as `kehoach eval` reads them (a heading agency's bullets one
    statement, bullets at their labelled section), each with the input line that section starts on."""
    from pipeline.gold import BULLET, _statements
    from pipeline.textdoc import extract_text

    res = extract_text(text, "passage.txt")
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    sections = {s["section_id"]: s for s in res.tables.get("sections", [])}
    headings = {k: (s.get("heading") or "").casefold() for k, s in sections.items()}
    found = res.tables.get("assignments", [])
    stmts = _statements(found, headings)
    rows, seen = [], set()
    for i, r in enumerate(found):
        sid = r.get("section_id") or ""
        if i in stmts:
            if (stmts[i], r["agency_name"], r["role"]) in seen:
                continue
            seen.add((stmts[i], r["agency_name"], r["role"]))
            sid = stmts[i]
        sec = sections.get(BULLET.sub("", sid))
        line = 0
        if sec is not None and sec.get("label"):
            pos, _ = res.to_input(sec["char_start"], sec["char_start"] + 1)
            line = bisect.bisect_right(starts, pos)
        rows.append({**r, "line": line})
    return rows


def labelled_line(lines: list[str], n: int) -> int:
    """The line of the labelled item holding line `n` (1-based): a "-"/"+" bullet belongs to the numbered or
    lettered item above it, as ANNOTATION.md's section ids have no bullet level; 0 when there is none."""
    while n > 0 and BULLET_LINE.match(lines[n - 1]):
        n -= 1
    return n


def evaluate(items: list[dict], found: dict[str, list[dict]], keys: tuple[str, ...], show: bool) -> Score:
    def gold(it: dict) -> list[dict]:
        lines = it["text"].split("\n")
        return [{**g, "line": labelled_line(lines, g.get("line", 0))} for g in it.get("assignments") or []]

    return score_items(((f"[{it['id']}]", found[it["id"]], gold(it)) for it in items), keys, show)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", action="store_true", help="print the tune half's missed and extra rows")
    ap.add_argument("--json", type=Path, help="write the figures to FILE")
    args = ap.parse_args(argv)
    items = load()
    if not items:
        print(f"no gold under {GOLD}")
        return 1
    found = {it["id"]: predicted(it["text"]) for it in items}
    figures: dict[str, dict] = {}
    print(f"{'half':6} {'measure':17} {'passages':>8} {'gold':>5} {'pred':>5}   P     R     F1")
    for draw, half in [(d, h) for d in sorted({it.get("draw", 1) for it in items}) for h in ("tune", "check")]:
        part = [it for it in items if it["half"] == half and it.get("draw", 1) == draw]
        half = f"{half}{draw if draw > 1 else ''}"
        for name, keys in MEASURES.items():
            show = args.errors and half.startswith("tune") and name == "agency_role_line"
            s = evaluate(part, found, keys, show)
            if show:
                print()
            figures[f"{half}/{name}"] = {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                                         "f1": round(s.f1, 4), "n_gold": s.n_gold, "n_pred": s.n_pred}
            print(f"{half:6} {name:17} {len(part):>8} {s.n_gold:>5} {s.n_pred:>5}  "
                  f"{s.precision:.2f}  {s.recall:.2f}  {s.f1:.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
