"""Build corpus/ke-hoach-bhtn-da-nang-2023.pdf (text layer, with a table) and
corpus/scan-ke-hoach-bhtn-da-nang-2023.pdf (the same plan as page images only).

Run with the project's venv: `.venv/bin/python scripts/corpus/make_pdfs.py`.
The PDFs are committed; this script documents how they were made.
"""
from __future__ import annotations

import datetime
import sys
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SOURCE = HERE / "ke-hoach-bhtn-da-nang-2023.txt"


def blocks(text: str):
    """('line', text) and ('table', rows) items of the source."""
    table = None
    for line in text.splitlines():
        if line == "TABLE":
            table = []
        elif line == "END":
            yield "table", table
            table = None
        elif table is not None:
            table.append([c.strip() for c in line.split("|")])
        else:
            yield "line", line


def text_pdf(out: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime.datetime(2023, 4, 21, tzinfo=datetime.timezone.utc))
    pdf.add_font("DejaVu", "", FONT)
    pdf.add_font("DejaVu", "B", FONT.replace("Sans.ttf", "Sans-Bold.ttf"))
    pdf.set_font("DejaVu", size=11)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for kind, item in blocks(SOURCE.read_text(encoding="utf-8")):
        if kind == "line":
            pdf.multi_cell(0, 6, item, new_x="LMARGIN", new_y="NEXT")
        else:
            with pdf.table(col_widths=(15, 80, 60), text_align="LEFT") as table:
                for row in item:
                    r = table.row()
                    for cell in row:
                        r.cell(cell)
            pdf.ln(2)
    pdf.output(str(out))


def scan_pdf(out: Path, dpi: int = 300) -> None:
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    font = ImageFont.truetype(FONT, size=int(11 / 72 * dpi))
    margin, step = int(0.8 * dpi), int(11 / 72 * dpi * 1.6)
    pages, y = [], None
    page = draw = None

    def new_page():
        nonlocal page, draw, y
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        pages.append(page)
        y = margin

    new_page()
    for kind, item in blocks(SOURCE.read_text(encoding="utf-8")):
        rows = [item] if kind == "line" else [" | ".join(r) for r in item]
        for row in rows:
            words, line = row.split(), ""
            for w in words + [None]:
                trial = (line + " " + w).strip() if w else line
                if w is not None and draw.textlength(trial, font=font) < width - 2 * margin:
                    line = trial
                    continue
                if y + step > height - margin:
                    new_page()
                draw.text((margin, y), line, font=font, fill=0)
                y += step
                line = w or ""
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])


if __name__ == "__main__":
    text_pdf(ROOT / "corpus" / "ke-hoach-bhtn-da-nang-2023.pdf")
    scan_pdf(ROOT / "corpus" / "scan-ke-hoach-bhtn-da-nang-2023.pdf")
    sys.exit(0)
