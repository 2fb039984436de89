"""Print a Markdown table of F1 per measure and group from `kehoach eval --json` files (before/after)."""
from __future__ import annotations

import json
import sys


def main(before: str, after: str) -> None:
    b, a = json.load(open(before, encoding="utf-8")), json.load(open(after, encoding="utf-8"))
    groups = [g for g in ("seeds", "tune", "check", "holdout", "dev-pdf") if g in a]
    measures = []
    for g in groups:
        measures += [m for m in a[g] if m not in measures]
    print("| measure | " + " | ".join(f"{g} before | {g} after" for g in groups) + " |")
    print("| --- |" + " --- | --- |" * len(groups))
    for m in measures:
        cells = []
        for g in groups:
            for run in (b, a):
                f = run.get(g, {}).get(m)
                cells.append(f"{f['f1']:.2f}" if f else "–")
        print(f"| {m} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
