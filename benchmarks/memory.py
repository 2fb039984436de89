"""Memory flat in corpus size: `kehoach run` on 100 and on 2,000 plans, peak memory of every process.

    .venv/bin/python benchmarks/memory.py [--sizes 100 2000] [--workers 2] [--json FILE]
    .venv/bin/python benchmarks/memory.py --files DIR    # one run per file of DIR, one worker: time and peaks

The plans are copies of ../shared/dev-plans/text with a line added to each (so every copy is a
document of its own). Each run is a `kehoach run --no-cache` subprocess; a sampler reads the peak
resident memory (VmHWM) of it and of every worker it starts. The goal: the peak of every process for
the largest size stays within 1.2x of the peak for the smallest. The tables of each run are also
checked against tables built the old way, from every document's rows held in memory at once.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEV_PLANS = ROOT.parent / "shared" / "dev-plans" / "text"


def _status(pid: int) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS", "PPid"):
                    out[key] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            ppid = _status(int(p.name)).get("PPid")
            if ppid is not None:
                parents[int(p.name)] = ppid
    found, todo = set(), [root]
    while todo:
        cur = todo.pop()
        kids = [pid for pid, ppid in parents.items() if ppid == cur and pid not in found]
        found.update(kids)
        todo.extend(kids)
    return found


def measure(cmd: list[str], interval: float = 0.1, timeout: float | None = None, cwd: Path = ROOT,
            env: dict | None = None) -> dict:
    """Run `cmd`; wall time, exit status, and the peak resident memory (MB) of it and of each descendant."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid in {proc.pid} | _descendants(proc.pid):
                hwm = _status(pid).get("VmHWM")
                if hwm:
                    peaks[pid] = max(peaks.get(pid, 0), hwm)
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    stop.set()
    sampler.join()
    main = peaks.pop(proc.pid, 0)
    return {"seconds": round(time.perf_counter() - t, 1), "returncode": proc.returncode,
            "main_mb": round(main / 1024), "worker_mb": round(max(peaks.values(), default=0) / 1024),
            "workers": len(peaks), "stdout": stdout, "stderr": stderr}


def make_corpus(folder: Path, n: int) -> None:
    """n plans: the dev plans in turn, each copy with a line of its own at the end."""
    sources = sorted(DEV_PLANS.glob("*.txt"))
    folder.mkdir(parents=True)
    for k in range(n):
        src = sources[k % len(sources)]
        text = src.read_text(encoding="utf-8").rstrip("\n") + f"\n\n(Bản sao số {k + 1}.)\n"
        (folder / f"{k:05d}_{src.name}").write_text(text, encoding="utf-8")


def tables_equal_held(out: Path) -> bool:
    """The run's tables equal those built from every document's rows at once (the old way)."""
    import pyarrow.parquet as pq

    from pipeline.cache import load
    from pipeline.run import resolve_references, to_arrow
    from pipeline.schema import SCHEMAS

    inputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    order = {f["path"]: k for k, f in enumerate(inputs)}
    results = sorted((load(f) for f in (out / ".cache").glob("*.arrow")), key=lambda r: order[r.source_path])
    tables = {t: [] for t in SCHEMAS}
    for r in results:
        for t, rows in r.tables.items():
            tables[t].extend(rows)
        tables["errors"].extend(r.errors)
    resolve_references(tables)
    return all(pq.read_table(out / f"{t}.parquet").equals(to_arrow(t, tables[t])) for t in SCHEMAS)


def kehoach(inputs: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "run", str(inputs), "--out", str(out), "-q", "--no-cache", *args]


def corpus_sizes(sizes: list[int], workers: int, check: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="kehoach-memory-"))
    figures = {}
    try:
        for n in sizes:
            make_corpus(tmp / f"in-{n}", n)
            m = measure(kehoach(tmp / f"in-{n}", tmp / f"out-{n}", "--workers", str(workers)))
            m["tables_equal_held"] = tables_equal_held(tmp / f"out-{n}") if check else None
            print(f"{n:6d} plans: {m['seconds']:7.1f} s  main {m['main_mb']:5d} MB  worker {m['worker_mb']:5d} MB"
                  f"  ({m['workers']} workers, exit {m['returncode']}, tables equal held: {m['tables_equal_held']})",
                  flush=True)
            figures[n] = {k: v for k, v in m.items() if k not in ("stdout", "stderr")}
            shutil.rmtree(tmp / f"in-{n}")
            shutil.rmtree(tmp / f"out-{n}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    small, large = figures[min(sizes)], figures[max(sizes)]
    ratio = max(large["main_mb"] / small["main_mb"], large["worker_mb"] / max(small["worker_mb"], 1))
    print(f"largest / smallest peak: {ratio:.2f} (goal <= 1.2)")
    return {"sizes": figures, "peak_ratio": round(ratio, 3)}


def per_file(folder: Path, timeout: float) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="kehoach-files-"))
    figures = {}
    try:
        for f in sorted(folder.iterdir()):
            m = measure(kehoach(f, tmp / f.stem, "--workers", "1", "--timeout", str(timeout)))
            status = "ok" if m["returncode"] == 0 else next(
                (line for line in m["stderr"].splitlines() if "FAILED" in line or "PARTIAL" in line), "failed")
            print(f"{f.name:24s} {f.stat().st_size / 1e3:8.0f} kB {m['seconds']:7.1f} s  main {m['main_mb']:5d} MB"
                  f"  worker {m['worker_mb']:5d} MB  {status[:100]}", flush=True)
            figures[f.name] = {k: v for k, v in m.items() if k not in ("stdout", "stderr")} | {"status": status}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 2000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-check", action="store_true", help="skip the comparison with tables built at once")
    ap.add_argument("--files", type=Path, help="instead: one run per file of this folder (one worker)")
    ap.add_argument("--timeout", type=float, default=600, help="--timeout of each run of --files")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.files:
        result = per_file(args.files, args.timeout)
    else:
        if not DEV_PLANS.is_dir():
            print(f"no folder {DEV_PLANS}", file=sys.stderr)
            return 2
        result = corpus_sizes(sorted(args.sizes), args.workers, not args.no_check)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0 if args.files or result["peak_ratio"] <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
