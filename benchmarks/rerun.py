"""Re-run speed: a no-change re-run of the seeds against a clean run (goal ≥ 20× faster), and 2 workers against 1.

    .venv/bin/python benchmarks/rerun.py [INPUT_DIR] [--repeat N] [--json FILE]

Every configuration is timed `--repeat` times (best time kept) through
pipeline.run.run, the function behind `kehoach run`, and once more through the
command itself (which adds the interpreter's start-up). The tables of every
run are checked to be byte-identical.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.run import run  # noqa: E402
from pipeline.schema import SCHEMAS  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"


def tables(out: Path) -> dict[str, bytes]:
    return {t: (out / f"{t}.parquet").read_bytes() for t in SCHEMAS}


def timed_run(inputs: Path, out: Path, **kw) -> float:
    t = time.perf_counter()
    run([inputs], out, progress=False, log=lambda m: None, **kw)
    return time.perf_counter() - t


def timed_cli(inputs: Path, out: Path, *args: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(inputs), "--out", str(out), "-q", *args],
                   cwd=ROOT, check=False, capture_output=True)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="?", type=Path, default=SEEDS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if not args.inputs.is_dir():
        print(f"no input folder {args.inputs}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="kehoach-bench-"))
    try:
        out = tmp / "run"
        clean = min(timed_run(args.inputs, out, workers=1, cache=False) for _ in range(args.repeat))
        reference = tables(out)
        rerun = min(timed_run(args.inputs, out, workers=1) for _ in range(args.repeat))
        assert tables(out) == reference, "a cached re-run changed the tables"
        cli_clean = timed_cli(args.inputs, tmp / "cli", "--workers", "1", "--no-cache")
        cli_rerun = timed_cli(args.inputs, tmp / "cli", "--workers", "1")
        one = min(timed_run(args.inputs, tmp / "w1", workers=1, cache=False) for _ in range(args.repeat))
        two = min(timed_run(args.inputs, tmp / "w2", workers=2, cache=False) for _ in range(args.repeat))
        assert tables(tmp / "w1") == tables(tmp / "w2") == reference, "worker count changed the tables"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures = {
        "inputs": str(args.inputs), "files": sum(1 for p in args.inputs.rglob("*") if p.is_file()),
        "clean_s": round(clean, 3), "rerun_s": round(rerun, 3), "rerun_speedup": round(clean / rerun, 1),
        "cli_clean_s": round(cli_clean, 3), "cli_rerun_s": round(cli_rerun, 3),
        "cli_rerun_speedup": round(cli_clean / cli_rerun, 1),
        "workers_1_s": round(one, 3), "workers_2_s": round(two, 3), "workers_speedup": round(one / two, 2),
    }
    print(f"inputs: {figures['inputs']} ({figures['files']} files), best of {args.repeat}")
    print(f"clean run            {clean:8.2f} s")
    print(f"no-change re-run     {rerun:8.2f} s   {figures['rerun_speedup']}x faster (goal >= 20x)")
    print(f"  as a command       {cli_clean:8.2f} s clean, {cli_rerun:.2f} s re-run: {figures['cli_rerun_speedup']}x")
    print(f"1 worker             {one:8.2f} s")
    print(f"2 workers            {two:8.2f} s   {figures['workers_speedup']}x")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
