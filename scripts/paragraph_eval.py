"""Assignments on single real paragraphs: P/R/F1 of (agency_name, role) against tests/gold/paragraphs.

    .venv/bin/python scripts/paragraph_eval.py [--run DIR] [--errors]

The gold is 180 paragraphs drawn at random from the provincial documents of ../shared/lm-corpus (lines with a
role cue and an agency head word), each annotated alone with ../shared/ANNOTATION.md: 60 `tune`, 60 `check`, and
60 `holdout` drawn later (a second seed, no line of the first draw or of a check plan).
They measure what the dev plans are too few to show: how agency names and roles hold up on the many ways one
statement is written. Each paragraph becomes its own text file and goes through `kehoach run` (so the same
segmenting, restoring and matching as any plan); rows are matched as multisets per paragraph, core rows first,
optional ones counting for precision only (pipeline.evaluate.match, as `kehoach eval`).

`--errors` prints the missed and extra rows of the tune half only: check and holdout are scored, never read.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from item_scores import score_items  # noqa: E402
from pipeline.evaluate import Score  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "paragraphs"
KEYS = ("agency_name", "role")
#: tune: rules may change from its errors; check: scored only; holdout: a second draw, annotated after the rules of
#: the first were written, scored once as a fresh sample.
HALVES = ("tune", "check", "holdout")


def load(half: str) -> list[dict]:
    """The annotated items of one half, or [] when the gold is absent."""
    path = GOLD / f"{half}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or [] if path.exists() else []


def write_inputs(items: list[dict], folder: Path) -> None:
    """One text file per paragraph, named by its corpus line."""
    for it in items:
        (folder / f"p{it['line']:06d}.txt").write_text(it["text"] + "\n", encoding="utf-8")


def run_kehoach(inputs: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(inputs), "--out", str(out), "--no-cache",
                    "--workers", "2", "--quiet"], check=True, cwd=ROOT)


def rows_by_line(run: Path) -> dict[int, list[dict]]:
    """Assignment rows of a run, grouped by the corpus line their file is named after."""
    import pyarrow.parquet as pq

    docs = {d["doc_id"]: int(Path(d["source_path"]).stem[1:])
            for d in pq.read_table(run / "documents.parquet").to_pylist()}
    out: dict[int, list[dict]] = {}
    for r in pq.read_table(run / "assignments.parquet").to_pylist():
        out.setdefault(docs[r["doc_id"]], []).append(r)
    return out


def evaluate(items: list[dict], found: dict[int, list[dict]], show: bool) -> Score:
    return score_items(((f"[{it['line']}] {it['text'][:220]}", found.get(it["line"], []), it.get("assignments") or [])
                        for it in items), KEYS, show)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, help="reuse (or write) the run in DIR instead of a temporary folder")
    ap.add_argument("--errors", action="store_true", help="print the tune half's missed and extra rows")
    args = ap.parse_args(argv)
    halves = {h: load(h) for h in HALVES}
    if not any(halves.values()):
        print(f"no gold under {GOLD}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        run = args.run or Path(tmp) / "run"
        if not (run / "assignments.parquet").exists():
            inputs = Path(tmp) / "in"
            inputs.mkdir()
            write_inputs([it for items in halves.values() for it in items], inputs)
            run_kehoach(inputs, run)
        found = rows_by_line(run)
        print(f"{'half':7} {'paragraphs':>10} {'gold':>5} {'pred':>5}   P     R     F1")
        for half, items in halves.items():
            s = evaluate(items, found, args.errors and half == "tune")
            if args.errors and half == "tune":
                print()
            if not items:
                continue
            print(f"{half:7} {len(items):>10} {s.n_gold:>5} {s.n_pred:>5}  "
                  f"{s.precision:.2f}  {s.recall:.2f}  {s.f1:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
