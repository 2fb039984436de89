"""Wall time of `kehoach run` on scanned PDFs against bare tesseract on the same pages.

    .venv/bin/python benchmarks/ocr.py [--scans DIR] [--workers N] [--repeat 3] [--keep DIR]

The set (built unless --scans gives a folder of scanned PDFs): two image-only PDFs at 300 dpi
made from plans in benchmarks/scanset.py, one of 10 pages and one of 2, so one document holds
most of the pages (the case where spreading work by document leaves cores idle).

bare: `pdftoppm -r 300 -gray` rasterizes every page once (to PGM: PNG would cost 2 s a page),
then `tesseract PAGE stdout -l vie`
runs on the pages, N processes at a time, each with OMP_THREAD_LIMIT=1 (N = --workers, default
the number of cores). Its time is rasterizing + OCR.
kehoach: `kehoach run SET --out TMP --no-cache --workers N -q`, the whole command (start-up,
OCR, diacritic restoration, extraction, writing the tables).
Prints both wall times and the ratio kehoach / bare (target: at most 1.10).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import scanset

ROOT = Path(__file__).resolve().parents[1]
KEHOACH = ROOT / ".venv" / "bin" / "kehoach"


def build_set(folder: Path, dpi: int = 300) -> None:
    """scan-long.pdf (10 pages) and scan-short.pdf (2 pages), image-only."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("long", "short"):
        scanset.save_pdf(scanset.render(scanset.plan_text(name), dpi), folder / f"scan-{name}.pdf", dpi)


def bare(pdfs: list[Path], workers: int, tmp: Path) -> tuple[float, float, int]:
    """(seconds rasterizing, seconds OCR, pages): pdftoppm once per page, then tesseract, `workers` at once."""
    t0 = time.perf_counter()
    pages: list[Path] = []
    for pdf in pdfs:
        prefix = tmp / pdf.stem
        subprocess.run(["pdftoppm", "-r", "300", "-gray", str(pdf), str(prefix)], check=True)
        pages += sorted(tmp.glob(f"{pdf.stem}-*.pgm"))
    t1 = time.perf_counter()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def ocr(page: Path) -> None:
        subprocess.run(["tesseract", str(page), "stdout", "-l", "vie"], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(ocr, pages))
    return t1 - t0, time.perf_counter() - t1, len(pages)


def kehoach(folder: Path, workers: int, out: Path) -> float:
    t = time.perf_counter()
    proc = subprocess.run([str(KEHOACH), "run", str(folder), "--out", str(out), "--no-cache", "--workers",
                           str(workers), "-q"], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        sys.exit(f"kehoach run failed ({proc.returncode}):\n{proc.stderr}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scans", type=Path, help="a folder of scanned PDFs (default: build the set)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each, alternating; the fastest counts (default 3)")
    ap.add_argument("--keep", type=Path, help="keep the built set in this folder")
    args = ap.parse_args()
    if not shutil.which("tesseract") or not shutil.which("pdftoppm"):
        sys.exit("needs tesseract and pdftoppm (make system-deps)")
    with tempfile.TemporaryDirectory(prefix="kehoach-ocr-bench-") as tmp:
        tmp = Path(tmp)
        folder = args.scans or args.keep or tmp / "set"
        if not args.scans:
            build_set(folder)
        pdfs = sorted(folder.glob("*.pdf"))
        best_bare = best_run = None
        for r in range(args.repeat):   # alternate which goes first, so load from elsewhere hits both alike
            pages_dir = tmp / f"pages-{r}"
            pages_dir.mkdir()
            if r % 2:
                run = kehoach(folder, args.workers, tmp / f"run-{r}")
            raster, ocr, n = bare(pdfs, args.workers, pages_dir)
            shutil.rmtree(pages_dir)
            if not r % 2:
                run = kehoach(folder, args.workers, tmp / f"run-{r}")
            print(f"# try {r + 1}: bare {raster + ocr:.1f} s (rasterize {raster:.1f} + tesseract {ocr:.1f}), "
                  f"kehoach {run:.1f} s, ratio {run / (raster + ocr):.2f}", file=sys.stderr)
            best_bare = min(best_bare or 1e9, raster + ocr)
            best_run = min(best_run or 1e9, run)
        print(f"set: {len(pdfs)} PDFs, {n} pages ({', '.join(p.name for p in pdfs)}); workers {args.workers}")
        print(f"bare tesseract (pdftoppm + tesseract -l vie, OMP_THREAD_LIMIT=1): {best_bare:7.1f} s")
        print(f"kehoach run:                                                   {best_run:7.1f} s")
        print(f"ratio kehoach / bare: {best_run / best_bare:.2f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
