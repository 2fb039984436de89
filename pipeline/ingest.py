"""Ingest: one file's bytes → RawDocument (pages of text, tables, OCR confidence).

Text PDFs are read page by page through pdfplumber's text layer; pages without a
usable text layer are rendered at 300 dpi and read by tesseract ('vie'). Images
go through the same OCR. Inputs are opened read-only and never modified.
"""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from . import encodings
from .encodings import EncodingError, decode_text
from .model import Page, RawDocument

TEXT_TYPES = {".txt": "txt", ".md": "md", ".markdown": "md"}
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED = set(TEXT_TYPES) | IMAGE_TYPES | {".pdf", ".docx"}

OCR_DPI = 300
MIN_TEXT_LAYER_LETTERS = 25   # fewer letters on a page than this: treat it as a scan
MAX_PAGES = 3000              # beyond this a file is refused (a bound on time, not memory)


class IngestError(Exception):
    """A file that cannot be read; `stage`/`error_type` go to the errors table."""

    def __init__(self, message: str, error_type: str = "unreadable", stage: str = "ingest"):
        super().__init__(message)
        self.error_type = error_type
        self.stage = stage


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sniff_type(path: Path, head: bytes) -> str:
    """File type from content first, extension second; a mismatch is an error that says what to do."""
    ext = path.suffix.lower()
    if head.startswith(b"%PDF"):
        if ext not in (".pdf",):
            raise IngestError(f"this is a PDF named {ext or 'without extension'}: rename it to .pdf", "wrong_extension")
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if ext == ".docx":
            return "docx"
        raise IngestError(
            f"this is a Word/ZIP file named {ext}: rename it to .docx (Word) or export it as PDF", "wrong_extension")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError("this is a legacy Word .doc file: open it in Word or LibreOffice and save as .docx", "unsupported")
    if ext == ".pdf":
        raise IngestError("not a PDF (no %PDF header): the file is truncated, empty or of another type", "corrupt_pdf")
    if ext == ".docx":
        raise IngestError("not a .docx (no ZIP header): the file is damaged or of another type", "corrupt_docx")
    if ext in IMAGE_TYPES:
        return "image"
    if ext in TEXT_TYPES:
        return TEXT_TYPES[ext]
    raise IngestError(f"unsupported file type {ext!r}: kehoach reads {', '.join(sorted(SUPPORTED))}", "unsupported")


def ingest(path: str | Path, sha256: str | None = None) -> RawDocument:
    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except PermissionError as e:
        raise IngestError(f"permission denied: {e.strerror}; make the file readable (chmod +r)", "permission") from e
    except OSError as e:
        raise IngestError(f"cannot open file: {e.strerror}", "io") from e
    if not head:
        raise IngestError("empty file (0 bytes): nothing to read; re-export or re-download it", "empty")
    sha = sha256 or sha256_file(path)
    kind = sniff_type(path, head)
    reader = {"txt": _read_text, "md": _read_text, "pdf": _read_pdf, "image": _read_image, "docx": _read_docx}[kind]
    raw = RawDocument(source_path=str(path), sha256=sha, file_type=kind, pages=[])
    reader(path, raw)
    if not any(p.text.strip() for p in raw.pages):
        raise IngestError("no text found: the file is empty or its pages hold no readable text", "no_text")
    return raw


def _read_text(path: Path, raw: RawDocument) -> None:
    try:
        text, enc = decode_text(path.read_bytes())
    except EncodingError as e:
        raise IngestError(str(e), "encoding") from e
    raw.encoding = enc
    raw.pages = [Page(1, text, "text")]


def _read_docx(path: Path, raw: RawDocument) -> None:
    import docx  # python-docx

    try:
        d = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise IngestError(f"damaged .docx ({e}): open and re-save it in Word or LibreOffice", "corrupt_docx") from e
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            table = docx.table.Table(child, d)
            rows = [[c.text.strip() for c in r.cells] for r in table.rows]
            tables.append(rows)
            lines.extend(render_table(rows))
    raw.encoding = "utf-8"
    raw.pages = [Page(1, "\n".join(lines), "text", tables=tables)]


def render_table(rows: list[list[str | None]]) -> list[str]:
    """Table rows as text lines `| a | b |`, the form segment recognises as a table."""
    out = []
    for r in rows:
        cells = [" ".join((c or "").split()) for c in r]
        if any(cells):
            out.append("| " + " | ".join(cells) + " |")
    return out


def _read_pdf(path: Path, raw: RawDocument) -> None:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(str(path))
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise IngestError("the PDF is encrypted with a password: remove the protection (e.g. qpdf --decrypt) and run again",
                          "encrypted") from e
    except PDFSyntaxError as e:
        raise IngestError(f"corrupt or truncated PDF ({e}): re-download or re-export it", "corrupt_pdf") from e
    except Exception as e:  # pdfminer raises many types on broken files
        if "password" in str(e).lower() or "encrypt" in type(e).__name__.lower():
            raise IngestError("the PDF is encrypted with a password: remove the protection and run again", "encrypted") from e
        raise IngestError(f"cannot open PDF ({type(e).__name__}: {e}): the file is damaged", "corrupt_pdf") from e
    with pdf:
        try:
            n = len(pdf.pages)
        except Exception as e:
            raise IngestError(f"corrupt or truncated PDF ({type(e).__name__}): re-download or re-export it", "corrupt_pdf") from e
        if n == 0:
            raise IngestError("the PDF has zero pages", "no_pages")
        if n > MAX_PAGES:
            raise IngestError(f"{n} pages is more than the limit of {MAX_PAGES}: split the file", "too_large")
        for i, page in enumerate(pdf.pages, start=1):
            raw.pages.append(_read_pdf_page(page, i, raw))
            page.close()
            pdf.flush_cache() if hasattr(pdf, "flush_cache") else None


def _read_pdf_page(page, number: int, raw: RawDocument) -> Page:
    try:
        tables = page.find_tables()
        if tables:
            boxes = [t.bbox for t in tables]

            def outside(obj):
                cx = (obj["x0"] + obj["x1"]) / 2
                cy = (obj["top"] + obj["bottom"]) / 2
                return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

            text = _merge_tables(page.filter(outside), tables)
        else:
            text = page.extract_text(x_tolerance=1.5) or ""
        cells = [t.extract() for t in tables]
    except Exception as e:
        raw.warnings.append(f"page {number}: text layer unreadable ({type(e).__name__})")
        text, cells = "", []
    text, enc = encodings.fix_legacy_text(text) if hasattr(encodings, "fix_legacy_text") else (text, None)
    if enc and not raw.encoding:
        raw.encoding = enc
    if sum(ch.isalpha() for ch in text) >= MIN_TEXT_LAYER_LETTERS:
        return Page(number, text, "pdf_text", tables=cells)
    image = page.to_image(resolution=OCR_DPI).original
    text, conf = ocr_image(image)
    return Page(number, text, "ocr", ocr_confidence=conf)


def _merge_tables(page_wo_tables, tables) -> str:
    """Text outside tables with each table rendered as `| cell |` rows at its vertical position."""
    lines = page_wo_tables.extract_text_lines(x_tolerance=1.5)
    items = [(ln["top"], ln["text"]) for ln in lines]
    for t in tables:
        for k, row in enumerate(render_table(t.extract())):
            items.append((t.bbox[1] + k * 0.001, row))
    items.sort(key=lambda x: x[0])
    return "\n".join(t for _, t in items)


def _read_image(path: Path, raw: RawDocument) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            frames = []
            for i in range(getattr(im, "n_frames", 1)):
                im.seek(i)
                frames.append(im.convert("RGB"))
    except Image.DecompressionBombError as e:
        raise IngestError(f"image too large to process safely ({e}); downscale it below 89 megapixels", "too_large") from e
    except (UnidentifiedImageError, OSError) as e:
        raise IngestError(f"cannot read image ({e}): the file is damaged or not an image", "corrupt_image") from e
    for i, frame in enumerate(frames, start=1):
        text, conf = ocr_image(frame)
        raw.pages.append(Page(i, text, "ocr", ocr_confidence=conf))


def ocr_image(image) -> tuple[str, float | None]:
    """OCR one page image with tesseract 'vie'; returns text (lines kept) and mean word confidence."""
    import pytesseract

    try:
        data = pytesseract.image_to_data(image, lang="vie", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractNotFoundError as e:
        raise IngestError("tesseract is not installed: run `make setup` or `apt-get install tesseract-ocr tesseract-ocr-vie`",
                          "ocr_missing", "ocr") from e
    except pytesseract.TesseractError as e:
        msg = str(e)
        if "vie" in msg and ("load" in msg or "traineddata" in msg):
            raise IngestError("tesseract has no Vietnamese data: run `apt-get install tesseract-ocr-vie`",
                              "ocr_missing", "ocr") from e
        raise IngestError(f"OCR failed: {msg}", "ocr_failed", "ocr") from e
    lines: dict[tuple, list[str]] = {}
    confs: list[float] = []
    order: list[tuple] = []
    for i, word in enumerate(data["text"]):
        if not word.strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key not in lines:
            lines[key] = []
            order.append(key)
        lines[key].append(word)
        c = float(data["conf"][i])
        if c >= 0:
            confs.append(c)
    out, prev = [], None
    for key in order:
        if prev is not None and key[:2] != prev[:2]:
            out.append("")
        out.append(" ".join(lines[key]))
        prev = key
    conf = round(sum(confs) / len(confs), 2) if confs else None
    return "\n".join(out), conf

