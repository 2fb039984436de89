"""Text-path speed: `kehoach run --workers 1 --no-cache` over a folder of text plans, plans/s and peak memory.

    .venv/bin/python benchmarks/textpath.py [FOLDER] [--repeat 3] [--reference RUN_DIR] [--json FILE]

FOLDER defaults to ../shared/dev-plans/text (28 plans, ~900 kB). Each try is the whole command in a
subprocess, with a fresh output folder, so every document is processed. plans/s is what the run's
manifest.json says: documents / `timings_seconds.total` (the wall time of `pipeline.run.run`, from
finding the inputs to the swap of the output folder; the interpreter's start-up and the imports before
it are not in it, the worker's start, the diacritic model and pandas are). The best try is kept and
printed with the time of each stage (summed over the documents, in the worker) and the rest (start-up
of the worker, metadata, task tables, serialising, writing the Parquet files). Peak memory is the
largest resident size (VmHWM) of the run's process and of its worker.

`--reference DIR`: also check that every Parquet table of each try equals that run's
(`pyarrow.parquet.read_table(a).equals(read_table(b))`): a speed change must not change a row.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from memory import measure  # noqa: E402  (benchmarks/memory.py: peak memory of a command and its workers)

DEV_PLANS = ROOT.parent / "shared" / "dev-plans" / "text"
GOAL = 15.0          # plans/s on the dev plans, --workers 1 (issue 12)


def tables_equal(a: Path, b: Path) -> list[str]:
    """Names of the Parquet tables that differ between runs a and b (missing ones included)."""
    import pyarrow.parquet as pq

    names = sorted({p.name for p in a.glob("*.parquet")} | {p.name for p in b.glob("*.parquet")})
    return [n for n in names if not ((a / n).exists() and (b / n).exists()
                                     and pq.read_table(a / n).equals(pq.read_table(b / n)))]


def one_run(folder: Path, out: Path) -> dict:
    cmd = [sys.executable, "-m", "pipeline.cli", "run", str(folder), "--out", str(out), "--workers", "1",
           "--no-cache", "-q"]
    m = measure(cmd, interval=0.05)
    if m["returncode"] not in (0, 1):
        raise SystemExit(f"kehoach run failed ({m['returncode']}): {m['stderr'][-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    timings = manifest["timings_seconds"]
    docs = len(manifest["inputs"])
    stages = {k: v for k, v in timings.items() if k != "total"}
    return {"documents": docs, "total_s": timings["total"], "plans_per_s": round(docs / timings["total"], 2),
            "stages_s": stages, "rest_s": round(timings["total"] - sum(stages.values()), 3),
            "command_s": m["seconds"], "main_mb": m["main_mb"], "worker_mb": m["worker_mb"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEV_PLANS)
    ap.add_argument("--repeat", type=int, default=3, help="tries; the fastest is kept (default 3)")
    ap.add_argument("--reference", type=Path, help="a run folder whose tables every try must equal")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        print(f"no folder {args.folder}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="kehoach-textpath-"))
    tries = []
    try:
        for k in range(args.repeat):
            out = tmp / f"run-{k}"
            r = one_run(args.folder, out)
            if args.reference is not None:
                r["tables_differing"] = tables_equal(args.reference, out)
            tries.append(r)
            print(f"try {k + 1}: {r['plans_per_s']:6.2f} plans/s ({r['documents']} documents in {r['total_s']:.2f} s;"
                  f" command {r['command_s']:.1f} s)  peak main {r['main_mb']} MB, worker {r['worker_mb']} MB"
                  + (f"  tables differing: {r['tables_differing'] or 'none'}" if args.reference else ""),
                  flush=True)
            shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    best = max(tries, key=lambda r: r["plans_per_s"])
    print(f"best: {best['plans_per_s']:.2f} plans/s (goal >= {GOAL:g}), peak RSS main {best['main_mb']} MB, "
          f"worker {best['worker_mb']} MB")
    for stage, s in sorted(best["stages_s"].items(), key=lambda kv: -kv[1]):
        print(f"  {stage:12s} {s:6.3f} s")
    print(f"  {'rest':12s} {best['rest_s']:6.3f} s  (worker start, model, metadata, tasks, serialising, writing)")
    if args.json:
        args.json.write_text(json.dumps({"best": best, "tries": tries}, indent=1) + "\n", encoding="utf-8")
    differing = any(r.get("tables_differing") for r in tries)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
