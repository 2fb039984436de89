"""Speed of reading PDFs with task tables: kehoach's ingest vs plain pdfplumber text, and peak memory.

    .venv/bin/python benchmarks/tables.py [PDF ...] [--repeat 1]

Defaults to the six Công báo PDFs of ../shared/dev-plans/pdf. For each PDF, in a fresh process:
`kehoach` = pipeline.ingest.ingest (text layer, ruled tables found, stitched across pages and
rendered as `| cell |` rows) then pipeline.tables.find_tables on the normalized text (no
diacritic restoration); `pdfplumber` = `page.extract_text()` of the same pages, nothing else.
Pages/s is pages / wall seconds (best of --repeat). Peak memory is measured on the largest PDF
(most pages) in its own process: `resource.getrusage(RUSAGE_SELF).ru_maxrss` and VmHWM, with
the program's resident memory once loaded, so `growth` is what reading the file costs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "dev-plans" / "pdf"

MEASURE = r"""
import json, resource, sys, time

def status_mb(key):
    line = next(l for l in open("/proc/self/status") if l.startswith(key + ":"))
    return int(line.split()[1]) / 1024

path, mode = sys.argv[1], sys.argv[2]
import pdfplumber
from pipeline import ingest as I
from pipeline.normalize import normalize
loaded = status_mb("VmRSS")
t = time.perf_counter()
tables = rows = None
if mode == "kehoach":
    raw = I.ingest(path)
    n = len(raw.pages)
    try:
        from pipeline import tables as T
        from pipeline.model import Document
    except ImportError:
        T = None
    if T is not None:
        norm = normalize(raw.pages, physical=True)
        doc = Document(raw=raw, text=norm.text, raw_text=norm.text, page_starts=list(norm.page_starts))
        found = T.find_tables(doc)
        tables, rows = len(found), sum(len(x.body) for x in found)
else:
    with pdfplumber.open(path) as pdf:
        n = 0
        for page in pdf.pages:
            page.extract_text()
            n += 1
            page.close()
seconds = time.perf_counter() - t
print(json.dumps({"pages": n, "seconds": seconds, "loaded_mb": loaded, "peak_mb": status_mb("VmHWM"),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "tables": tables, "rows": rows}))
"""


def measure(path: Path, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", MEASURE, str(path), mode], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best(path: Path, mode: str, repeat: int) -> dict:
    runs = [measure(path, mode) for _ in range(repeat)]
    return min(runs, key=lambda r: r["seconds"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("pdfs", nargs="*", type=Path)
    p.add_argument("--repeat", type=int, default=1)
    a = p.parse_args(argv)
    pdfs = a.pdfs or sorted(DEFAULT_DIR.glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs given and none in {DEFAULT_DIR}", file=sys.stderr)
        return 2
    print(f"{'pdf':<58} {'pages':>5} {'kehoach p/s':>11} {'plumber p/s':>11} {'ratio':>6} {'tables':>6} {'rows':>5}")
    tot = {"pages": 0, "k": 0.0, "p": 0.0}
    results = {}
    for f in pdfs:
        k, pl = best(f, "kehoach", a.repeat), best(f, "pdfplumber", a.repeat)
        results[f] = k
        tot["pages"] += k["pages"]
        tot["k"] += k["seconds"]
        tot["p"] += pl["seconds"]
        print(f"{f.name[:58]:<58} {k['pages']:>5} {k['pages'] / k['seconds']:>11.1f} "
              f"{pl['pages'] / pl['seconds']:>11.1f} {pl['seconds'] / k['seconds']:>6.2f} "
              f"{k['tables'] if k['tables'] is not None else '-':>6} {k['rows'] if k['rows'] is not None else '-':>5}")
    print(f"{'all':<58} {tot['pages']:>5} {tot['pages'] / tot['k']:>11.1f} {tot['pages'] / tot['p']:>11.1f} "
          f"{tot['p'] / tot['k']:>6.2f}")
    largest = max(pdfs, key=lambda f: results[f]["pages"])
    k = results[largest]
    print(f"\npeak memory, kehoach on {largest.name} ({k['pages']} pages): ru_maxrss {k['maxrss_mb']:.1f} MB, "
          f"VmHWM {k['peak_mb']:.1f} MB, loaded {k['loaded_mb']:.1f} MB, growth {k['peak_mb'] - k['loaded_mb']:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
