"""Peak memory and speed of ingesting a big text PDF (2,000 A4 pages by default).

    .venv/bin/python benchmarks/big_pdf.py [--pages 200 2000] [--lines 30]

Each measurement runs in a fresh process: the program is loaded first (pdfplumber, Pillow,
pytesseract, the pipeline), its resident memory is noted, then the PDF is ingested and the peak
resident memory (VmHWM) is read. `growth` = peak - loaded is what reading the file costs.
`--keep-pages` also measures the naive way (pdfplumber's `pdf.pages` list, no cache release)
for comparison.

The bound (docs/bad-input.md): pages are read one at a time and each page's layout objects and
pdfminer streams are released before the next, so what grows with the page count is only the
text read so far and pdfminer's small per-page dictionaries (together about 4 bytes per
character); peak = loaded program (~120 MB) + one page's working set (a few MB; about 75 MB
while a scanned A4 page is rendered at 300 dpi and OCR'd) + 4 bytes per character read.
Measured: 2,000 A4 pages of 2,600 characters, peak 139.7 MB, growth 20.7 MB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

#: Invented plan sentences; pages rotate through them so no line is a running header.
SENTENCES = [
    "Ủy ban nhân dân các xã, thị trấn chỉ đạo rà soát hộ gia đình chưa tham gia bảo hiểm y tế.",
    "Bảo hiểm xã hội huyện phối hợp với Phòng Lao động tuyên truyền chính sách bảo hiểm tự nguyện.",
    "Phấn đấu đến cuối năm tỷ lệ bao phủ bảo hiểm y tế đạt trên chín mươi phần trăm dân số.",
    "Các cơ sở giáo dục vận động học sinh, sinh viên tham gia bảo hiểm y tế theo năm học.",
    "Định kỳ hằng quý báo cáo kết quả thực hiện về Ủy ban nhân dân huyện để tổng hợp.",
    "Kiểm tra, thanh tra việc chấp hành pháp luật về bảo hiểm thất nghiệp tại doanh nghiệp.",
    "Đẩy mạnh giao dịch điện tử, giải quyết thủ tục hành chính trên môi trường mạng.",
]

#: VmHWM, not ru_maxrss: the latter keeps the parent's peak when the child was forked and exec'd.
MEASURE = """
import json, sys, time
import pdfplumber, PIL.Image, pytesseract
from pipeline import ingest as I
from pipeline.model import RawDocument

def status_mb(key):
    line = next(l for l in open("/proc/self/status") if l.startswith(key + ":"))
    return int(line.split()[1]) / 1024

path, mode = sys.argv[1], sys.argv[2]
loaded = status_mb("VmRSS")
t = time.perf_counter()
if mode == "streamed":
    raw = I.ingest(path)
else:  # the naive way: every Page object and its caches kept
    raw = RawDocument(path, "", "pdf", [])
    pdf = pdfplumber.open(path)
    for n, page in enumerate(pdf.pages, start=1):
        raw.pages.append(I._read_pdf_page(page, n, raw))
seconds = time.perf_counter() - t
peak = status_mb("VmHWM")
chars = sum(len(p.text) for p in raw.pages)
print(json.dumps({"pages": len(raw.pages), "chars": chars, "seconds": seconds, "loaded_mb": loaded,
                  "peak_mb": peak, "growth_mb": peak - loaded,
                  "methods": sorted({p.method for p in raw.pages})}))
"""


def build_pdf(path: Path, pages: int, lines: int) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=10)
    for i in range(pages):
        pdf.add_page()
        pdf.set_xy(15, 12)
        pdf.cell(text=f"Mục {i + 1}")
        for k in range(lines):
            pdf.set_xy(15, 20 + k * 8.5)
            pdf.cell(text=SENTENCES[(i + k) % len(SENTENCES)])
    pdf.output(str(path))


def measure(path: Path, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", MEASURE, str(path), mode], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[200, 2000])
    ap.add_argument("--lines", type=int, default=30, help="lines of text per A4 page (default 30)")
    ap.add_argument("--keep-pages", action="store_true", help="also measure the naive pdf.pages way")
    args = ap.parse_args()
    modes = ["streamed", "keep-pages"] if args.keep_pages else ["streamed"]
    print(f"{'pages':>6} {'mode':>10} {'MB file':>8} {'chars':>10} {'s':>7} {'pages/s':>8} "
          f"{'loaded MB':>9} {'peak MB':>8} {'growth MB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.pages:
            path = Path(tmp) / f"{n}.pdf"
            t = time.perf_counter()
            build_pdf(path, n, args.lines)
            print(f"# built {n} pages in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            for mode in modes:
                r = measure(path, mode)
                assert r["pages"] == n and r["methods"] == ["pdf_text"], r
                print(f"{n:>6} {mode:>10} {path.stat().st_size / 2**20:>8.1f} {r['chars']:>10} "
                      f"{r['seconds']:>7.1f} {n / r['seconds']:>8.1f} {r['loaded_mb']:>9.1f} "
                      f"{r['peak_mb']:>8.1f} {r['growth_mb']:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
