"""Agreement of two independent gold annotations of the same plans, and a run scored against each.

    python scripts/agreement.py [RUN] [--a tests/gold/dev] [--b tests/gold/agreement]

Both golds follow ../shared/ANNOTATION.md; B was written later, from the text alone, by annotators who saw
neither A nor any run. Agreement is F1 with B's core rows as predictions against A (A's optional rows
optional), plus the reverse, summed (the project's scorer, pipeline.gold). Figures only: no row is printed,
since these are the held-out `check` plans.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from pipeline import gold as g

MEASURES = ("sections", "legal_refs", "deadlines_span", "deadlines", "assignments", "tasks")


def _tables(folder: Path) -> dict[str, list[dict]]:
    return {f.stem: yaml.safe_load(f.read_text(encoding="utf-8")) or [] for f in sorted(folder.glob("*.yaml"))
            if f.stem != "meta"}


def agreement(a: dict[str, list[dict]], b: dict[str, list[dict]], measure: str) -> g.Score | None:
    """Core rows of each annotation scored against the other, summed."""
    table, keys = g.MEASURES[measure]
    if table not in a or table not in b:
        return None
    total = g.Score(0, 0, 0, 0)
    for pred_rows, gold_rows in ((b[table], a[table]), (a[table], b[table])):
        pred = [r for r in g._gold_rows(measure, table, pred_rows) if not r.get("optional")]
        total = total + g.score_rows(pred, g._gold_rows(measure, table, gold_rows), keys)[0]
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", nargs="?", type=Path, help="a run directory to score against both golds")
    ap.add_argument("--a", type=Path, default=Path("tests/gold/dev"))
    ap.add_argument("--b", type=Path, default=Path("tests/gold/agreement"))
    args = ap.parse_args()
    names = sorted(p.name for p in args.b.iterdir() if p.is_dir())
    gold_a = {d.name: d for d in g.load_gold(args.a)}
    run = g.read_run(args.run) if args.run else None
    totals = {m: {"a_b": g.Score(0, 0, 0, 0), "run_a": g.Score(0, 0, 0, 0), "run_b": g.Score(0, 0, 0, 0)}
              for m in MEASURES}
    for name in names:
        a, b = gold_a[name].tables, _tables(args.b / name)
        for m in MEASURES:
            s = agreement(a, b, m)
            if s is not None:
                totals[m]["a_b"] = totals[m]["a_b"] + s
        if run is None:
            continue
        for key, doc in (("run_a", gold_a[name]), ("run_b", g.GoldDoc(name, "check", b))):
            scores = g.evaluate_run(run, [doc])["scores"].get(doc.group, {})
            for m in MEASURES:
                if m in scores:
                    totals[m][key] = totals[m][key] + scores[m]
    head = f"{'measure':16} {'A vs B':>8}" + (f" {'run vs A':>9} {'run vs B':>9}" if run else "")
    print(f"{len(names)} plans\n{head}")
    for m in MEASURES:
        t = totals[m]
        line = f"{m:16} {t['a_b'].f1:8.2f}"
        if run:
            line += f" {t['run_a'].f1:9.2f} {t['run_b'].f1:9.2f}"
        print(line)


if __name__ == "__main__":
    main()
