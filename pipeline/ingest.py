"""Ingest: one file's bytes → RawDocument (pages of text, tables, OCR confidence).

The file type comes from the bytes first and the extension second, so a Word
file renamed .pdf is still read (with a `wrong_extension` notice). Text PDFs
are read page by page through pdfplumber's text layer, releasing each page's
layout objects before the next, so memory holds one page plus the text read so
far; pages without a usable text layer are rendered at 300 dpi and read by
tesseract ('vie') through pipeline.ocr, which reads the pages of a scan side by
side (deskewed, turned upright). Images go through the same OCR. Inputs are
opened read-only and never modified.

Every failure is an IngestError whose message says what to do; problems that
were worked around are Notices in `RawDocument.warnings` (a Notice with
`partial=True` means some of the text is missing).
"""
from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import stat
import subprocess
import tempfile
import warnings
import zipfile
from pathlib import Path

from .encodings import EncodingError, decode_text, fix_legacy_text
from .model import Page, RawDocument
from . import ocr
from .ocr import OcrError, PagePool

TEXT_TYPES = {".txt": "txt", ".md": "md", ".markdown": "md"}
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED = set(TEXT_TYPES) | IMAGE_TYPES | {".pdf", ".docx", ".doc"}

OCR_DPI = 300
OCR_MAX_PIXELS = 36_000_000   # a page rendered for OCR is scaled down to at most this (A4 at 300 dpi is 8.7 M)
MIN_TEXT_LAYER_LETTERS = 25   # fewer letters on a page than this: treat it as a scan
SNIFF_BYTES = 2048
EOF_WINDOW = 2048             # where a complete PDF's last %%EOF marker must be
_PDF_BODY = re.compile(rb"\d+\s+\d+\s+obj\b|\bstream\b|\bxref\b|\btrailer\b")

LABELS = {"pdf": "PDF", "docx": "Word (.docx)", "doc": "legacy Word (.doc)", "image": "image", "txt": "text",
          "md": "Markdown"}
EXTENSION_FOR = {"pdf": ".pdf", "docx": ".docx", "doc": ".doc", "image": ".png/.jpg/.tif", "txt": ".txt",
                 "md": ".md"}
DOC_TIMEOUT = 120             # seconds for antiword / LibreOffice on one .doc
WORD_STREAM = "WordDocument".encode("utf-16-le")   # the stream every Word 97-2003 file has


class IngestError(Exception):
    """A file that cannot be read; `stage`/`error_type` go to the errors table."""

    def __init__(self, message: str, error_type: str = "unreadable", stage: str = "ingest"):
        super().__init__(message)
        self.error_type = error_type
        self.stage = stage


class Notice(str):
    """A problem ingest worked around: a warning string that also carries an error type.

    `partial=True` means part of the document is missing, which makes the document `partial`;
    `stage` is the pipeline stage that raised it (ingest, restore, metadata).
    """

    def __new__(cls, message: str, error_type: str = "warning", partial: bool = False, stage: str = "ingest"):
        self = super().__new__(cls, message)
        self.error_type = error_type
        self.partial = partial
        self.stage = stage
        return self

    def __reduce__(self):
        return (Notice, (str(self), self.error_type, self.partial, self.stage))


def check_file(path: Path) -> None:
    """Refuse what is not a readable regular file (broken links, FIFOs, sockets, devices) before opening it."""
    try:
        st = os.stat(path)
    except FileNotFoundError as e:
        if os.path.islink(path):
            raise IngestError(f"broken link: it points to {os.readlink(path)!s}, which does not exist; "
                              "fix the link or copy the document here", "broken_link") from e
        raise IngestError("the file disappeared during the run (moved or deleted): run again", "missing") from e
    except PermissionError as e:
        raise IngestError("permission denied on its folder: make the folder readable (chmod +rx) "
                          "or copy the document somewhere readable", "permission") from e
    except OSError as e:
        raise IngestError(f"cannot read the file ({e.strerror}): check the disk or network share", "io") from e
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise IngestError("cannot open this folder (permission denied), so the documents in it were not read: "
                          "make it readable (chmod +rx) and run again", "permission")
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
    raise IngestError(f"this is {kind}, not a document file: kehoach reads regular files only; "
                      "copy the document into a regular file", "not_a_file")


def _open_error(e: OSError) -> IngestError:
    if isinstance(e, PermissionError):
        return IngestError("permission denied: you cannot read this file; ask its owner for read access "
                           "(chmod +r) or copy it somewhere readable", "permission")
    return IngestError(f"cannot read the file ({e.strerror}): check the disk or network share", "io")


def sha256_file(path: Path) -> str:
    check_file(path)
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as e:
        raise _open_error(e) from e
    return h.hexdigest()


def content_kind(head: bytes) -> str | None:
    """What the first bytes say the file is (pdf, zip, ole, image, rtf, html), or None for text/unknown."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError) as e:
        raise IngestError(f"damaged Word/ZIP file ({e}): it is truncated or corrupt; "
                          "re-download it, or open and re-save it in Word or LibreOffice", "corrupt_docx") from e
    return "docx" if "word/document.xml" in names else "zip"


def sniff_type(path: Path, head: bytes) -> str:
    """File type (pdf, docx, doc, image, txt, md) from content first, extension second; unreadable types raise."""
    ext = path.suffix.lower()
    kind = content_kind(head)
    if kind == "zip":
        kind = _zip_kind(path)
    if kind == "ole" and _is_word97(path):
        return "doc"
    if kind in ("pdf", "docx", "image"):
        return kind
    named = f"named {ext}" if ext else "without extension"
    if kind == "zip":
        raise IngestError(f"this is a ZIP archive {named}, not a document: unzip it and run kehoach on the folder",
                          "unsupported")
    if kind == "ole":
        raise IngestError(f"this is a legacy Office file (.xls/.ppt, not Word) {named}: open it in LibreOffice "
                          "and save the document as .docx or PDF", "unsupported")
    if kind == "rtf":
        raise IngestError(f"this is an RTF file {named}: open it in Word or LibreOffice and save it as .docx or PDF",
                          "unsupported")
    if kind == "html" and ext not in TEXT_TYPES:
        raise IngestError(f"this is a web page (HTML) {named}, not the document: the download probably failed; "
                          "download the document itself again", "unsupported")
    if ext == ".pdf":
        raise IngestError("not a PDF (no %PDF header): the file is damaged or of another type; "
                          "re-download it or re-export it as PDF", "corrupt_pdf")
    if ext == ".docx":
        raise IngestError("not a .docx (no ZIP header): the file is damaged or of another type; "
                          "re-download it, or open and re-save it in Word", "corrupt_docx")
    if ext == ".doc":
        raise IngestError("not a Word 97-2003 .doc (no Office header): the file is damaged or of another type; "
                          "open it in Word or LibreOffice and save it as .docx or PDF", "corrupt_doc")
    if ext in IMAGE_TYPES:
        raise IngestError(f"not a PNG, JPEG or TIFF image although named {ext}: the file is damaged "
                          "or of another type; re-scan or re-export it", "corrupt_image")
    if ext in TEXT_TYPES:
        return TEXT_TYPES[ext]
    raise IngestError(f"unsupported file type {ext!r}: kehoach reads {', '.join(sorted(SUPPORTED))}", "unsupported")


def extension_notice(path: Path, kind: str) -> Notice | None:
    """A `wrong_extension` notice when the content's type differs from what the extension promises."""
    ext = path.suffix.lower()
    expected = "pdf" if ext == ".pdf" else "docx" if ext == ".docx" else "doc" if ext == ".doc" \
        else "image" if ext in IMAGE_TYPES \
        else TEXT_TYPES.get(ext)
    if expected == kind or (expected in ("txt", "md") and kind in ("txt", "md")):
        return None
    return Notice(f"this is a {LABELS[kind]} file named {ext or 'without extension'}; it was read as "
                  f"{LABELS[kind]}: rename it to {EXTENSION_FOR[kind]} so other programs open it too",
                  "wrong_extension")


def ingest(path: str | Path, sha256: str | None = None) -> RawDocument:
    path = Path(path)
    check_file(path)
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as e:
        raise _open_error(e) from e
    if not head:
        raise IngestError("empty file (0 bytes): nothing to read; copy or download it again", "empty")
    sha = sha256 or sha256_file(path)
    kind = sniff_type(path, head)
    reader = {"txt": _read_text, "md": _read_text, "pdf": _read_pdf, "image": _read_image, "docx": _read_docx,
              "doc": _read_doc}[kind]
    raw = RawDocument(source_path=str(path), sha256=sha, file_type=kind, pages=[])
    notice = extension_notice(path, kind)
    if notice:
        raw.warnings.append(notice)
    reader(path, raw)
    if not any(p.text.strip() for p in raw.pages):
        if kind in ("pdf", "image"):
            raise IngestError(f"no text found on {len(raw.pages)} page(s), not even by OCR: the pages are blank "
                              "or the scan is unreadable; check the file or re-scan it at 300 dpi", "no_text")
        raise IngestError("no text found: the file holds only blank lines or an empty document", "no_text")
    return raw


def _read_text(path: Path, raw: RawDocument) -> None:
    try:
        text, enc = decode_text(path.read_bytes())
    except EncodingError as e:
        raise IngestError(str(e), "binary" if str(e).startswith("file is binary") else "encoding") from e
    raw.encoding = enc
    raw.pages = [Page(1, text, "text")]


def _read_docx(path: Path, raw: RawDocument) -> None:
    import docx  # python-docx

    try:
        d = docx.Document(str(path))
    except Exception as e:  # python-docx raises KeyError, ValueError, lxml and package errors on damaged files
        raise IngestError(f"damaged .docx ({type(e).__name__}: {e}): open and re-save it in Word or LibreOffice",
                          "corrupt_docx") from e
    from .tables import docx_table

    lines: list[str] = []
    tables: list[list[list[str]]] = []
    specs: list[dict] = []
    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            table = docx.table.Table(child, d)
            tables.append([[c.text.strip() for c in r.cells] for r in table.rows])
            spec, rendered = docx_table(table)   # merged cells once, a row per line
            specs.append(spec)
            lines.extend(rendered)
    raw.encoding = "utf-8"
    raw.pages = [Page(1, "\n".join(lines), "text", tables=tables, table_data=specs)]


def _is_word97(path: Path) -> bool:
    """An OLE2 (Office 97-2003) file that holds a WordDocument stream, i.e. a legacy Word .doc."""
    try:
        with open(path, "rb") as f:
            return WORD_STREAM in f.read()
    except OSError as e:
        raise _open_error(e) from e


def doc_converter() -> list[str] | None:
    """The command that turns a .doc into UTF-8 text: antiword, else LibreOffice; None if neither is installed."""
    if shutil.which("antiword"):
        return ["antiword", "-m", "UTF-8.txt", "-w", "0"]
    office = shutil.which("soffice") or shutil.which("libreoffice")
    return [office, "--headless", "--convert-to", "txt:Text (encoded):UTF8"] if office else None


def _read_doc(path: Path, raw: RawDocument) -> None:
    """Legacy Word (.doc) through antiword (Debian package `antiword`) or LibreOffice headless."""
    cmd = doc_converter()
    if cmd is None:
        raise IngestError("legacy Word (.doc) needs a converter and none is installed: run `make setup` or "
                          "`apt-get install antiword` (LibreOffice also works), or save the file as .docx or PDF",
                          "converter_missing")
    try:
        if cmd[0].endswith("antiword"):
            proc = subprocess.run([*cmd, str(path)], capture_output=True, timeout=DOC_TIMEOUT)
            out = proc.stdout
        else:
            with tempfile.TemporaryDirectory(prefix="kehoach-doc-") as tmp:
                proc = subprocess.run([*cmd, "--outdir", tmp, str(path)], capture_output=True, timeout=DOC_TIMEOUT,
                                      env={**os.environ, "HOME": tmp})
                found = sorted(Path(tmp).glob("*.txt"))
                out = found[0].read_bytes() if found else b""
    except subprocess.TimeoutExpired as e:
        raise IngestError(f"the .doc converter ({Path(cmd[0]).name}) ran over {DOC_TIMEOUT} s: open the file in "
                          "Word or LibreOffice and save it as .docx", "corrupt_doc") from e
    if proc.returncode != 0 or not out.strip():
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise IngestError(f"{Path(cmd[0]).name} could not read this .doc ({detail[-1] if detail else 'no text'}): "
                          "it is damaged or not Word 97-2003; open it in Word or LibreOffice and save it as .docx",
                          "corrupt_doc")
    text = out.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n").replace("\f", "\n")
    text, tables = _join_wrapped_table_rows(text)
    raw.encoding = "utf-8"
    raw.pages = [Page(1, text, "text", tables=tables)]


def _join_wrapped_table_rows(text: str) -> tuple[str, list[list[list[str]]]]:
    """antiword prints a table as fixed-width `|cell |cell |` lines, a wrapped cell going on in the next
    line under an empty first cell; join those lines into one row each and render rows as `| a | b |`."""
    out: list[str] = []
    tables: list[list[list[str]]] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            tables.append([r[:] for r in rows])
            out.extend(render_table(rows))
            rows.clear()

    for line in text.split("\n"):
        if not line.startswith("|"):
            flush()
            out.append(line)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if rows and not cells[0] and any(cells) and len(cells) == len(rows[-1]):
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells)]
        else:
            rows.append(cells)
    flush()
    return "\n".join(out), tables


def render_table(rows: list[list[str | None]]) -> list[str]:
    """Table rows as text lines `| a | b |`, the form segment recognises as a table."""
    out = []
    for r in rows:
        cells = [" ".join((c or "").split()) for c in r]
        if any(cells):
            out.append("| " + " | ".join(cells) + " |")
    return out


def has_eof_marker(path: Path) -> bool:
    """A complete PDF ends with %%EOF (whitespace or stray bytes aside); a cut-off download does not,
    nor does one cut inside an appended update (objects after the last %%EOF)."""
    with open(path, "rb") as f:
        f.seek(max(0, os.fstat(f.fileno()).st_size - EOF_WINDOW))
        tail = f.read()
    end = tail.rfind(b"%%EOF")
    return end >= 0 and not _PDF_BODY.search(tail, end)


def _pdf_error(e: Exception, truncated: bool) -> IngestError:
    """The IngestError for a PDF that pdfminer could not open (pdfplumber wraps the cause)."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = e.args[0] if type(e).__name__ == "PdfminerException" and e.args and isinstance(e.args[0], Exception) else e
    if isinstance(cause, PDFPasswordIncorrect):
        return IngestError("the PDF is protected by a password: ask the sender for an unprotected copy, or remove "
                           "the protection with its password (qpdf --password=PASSWORD --decrypt in.pdf out.pdf) "
                           "and run again", "encrypted")
    if isinstance(cause, PDFEncryptionError):
        return IngestError(f"the PDF uses an encryption kehoach cannot read ({cause}): remove the protection "
                           "(qpdf --decrypt in.pdf out.pdf) and run again", "encrypted")
    detail = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
    if truncated:
        return IngestError(f"the PDF is truncated: it stops before its end-of-file marker ({detail}); the download "
                           "or copy was cut short, so download or copy it again", "truncated_pdf")
    return IngestError(f"corrupt PDF ({detail}): re-download it or re-export it from the original document",
                       "corrupt_pdf")


def iter_pdf_pages(pdf):
    """pdfplumber pages one at a time (pdf.pages would build all of them up front)."""
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page as PlumberPage

    doctop = 0.0
    for number, obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        page = PlumberPage(pdf, obj, page_number=number, initial_doctop=doctop)
        doctop += page.height
        yield page


def _release(pdf, page, mark: int) -> int:
    """Drop what reading one page cached: its layout objects and the streams pdfminer kept
    (content streams, scanned images), so memory does not grow with the page count.
    Only objects cached after `mark` (the cache size after the previous page) are looked at;
    dictionaries stay cached, as they are small and re-parsing them is what costs time.
    Returns the new mark."""
    from pdfminer.pdftypes import PDFStream

    page.close()
    cached = getattr(pdf.doc, "_cached_objs", None)
    if not isinstance(cached, dict):
        return 0
    new = list(itertools.islice(reversed(cached.items()), max(0, len(cached) - mark)))
    for objid, (obj, _) in new:
        if isinstance(obj, PDFStream):
            del cached[objid]
    return len(cached)


def _read_pdf(path: Path, raw: RawDocument) -> None:
    import pdfplumber

    truncated = not has_eof_marker(path)
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as e:  # pdfminer raises many types on broken files
        raise _pdf_error(e, truncated) from e
    from .tables import PdfTables

    tables = PdfTables()
    with pdf, PagePool() as pool:
        n = mark = 0
        try:
            for page in iter_pdf_pages(pdf):
                n += 1
                raw.pages.append(_read_pdf_page(page, n, raw, tables, pool))
                mark = _release(pdf, page, mark)
        except IngestError:
            raise
        except OcrError as e:
            raise IngestError(str(e), e.error_type, "ocr") from e
        except Exception as e:  # the page tree is broken after page n
            if n == 0:
                raise _pdf_error(e, truncated) from e
            raw.warnings.append(Notice(
                f"only the first {n} pages could be read (then {type(e).__name__}: {e}): the file is damaged; "
                "re-download it or re-export it from the original document",
                "truncated_pdf" if truncated else "corrupt_pdf", partial=True))
        try:
            pool.finish()   # the scanned pages still being read
        except OcrError as e:
            raise IngestError(str(e), e.error_type, "ocr") from e
        try:
            tables.finish(raw.pages)
        except Exception as e:  # the pages keep their tables page by page
            raw.warnings.append(Notice(f"tables spanning pages could not be joined ({type(e).__name__}: {e}); "
                                       "each page's tables were kept as read (please report this file)"))
        if n == 0:
            raise IngestError("the PDF has zero pages: there is nothing to read; re-export it from the original "
                              "document", "no_pages")
        if truncated and not any(getattr(w, "partial", False) for w in raw.warnings):
            raw.warnings.append(Notice(
                f"the PDF is truncated (it does not end with its %%EOF marker): the {n} pages found were read, "
                "but pages or changes after them may be missing; download or copy it again", "truncated_pdf",
                partial=True))


def _read_pdf_page(page, number: int, raw: RawDocument, tables=None, pool: PagePool | None = None) -> Page:
    """One page's text (ruled tables rendered a row per line by `tables`, a pipeline.tables.PdfTables).
    A scanned page given a `pool` is returned empty and filled in when the pool has read it."""
    from .tables import PdfTables

    tables = PdfTables() if tables is None else tables
    try:
        text, cells = tables.read_page(page, number)
    except Exception as e:
        raw.warnings.append(Notice(f"page {number}: text layer unreadable ({type(e).__name__}); the page was OCR'd"))
        text, cells = "", []
    text, enc = fix_legacy_text(text)
    if enc and not raw.encoding:
        raw.encoding = enc
    if sum(ch.isalpha() for ch in text) >= MIN_TEXT_LAYER_LETTERS:
        return Page(number, text, "pdf_text", tables=cells)
    tables.drop_page(number)
    try:
        image = page.to_image(resolution=ocr_resolution(page.width, page.height)).original
    except Exception as e:
        raw.warnings.append(Notice(f"page {number} could not be rendered for OCR ({type(e).__name__}: {e}); its "
                                   "text is missing: re-export the PDF", "render_failed", partial=True))
        return Page(number, text, "pdf_text", tables=cells)
    result = Page(number, "", "ocr")

    def done(text: str, conf: float | None) -> None:
        result.text, result.ocr_confidence = text, conf

    if pool is None:
        done(*ocr_image(image))
    else:
        pool.submit(image, done)
    return result


def ocr_resolution(width_pt: float, height_pt: float) -> float:
    """OCR_DPI, lowered for oversized pages so the rendered image stays under OCR_MAX_PIXELS."""
    area_in2 = max(width_pt, 1.0) * max(height_pt, 1.0) / (72 * 72)
    return min(OCR_DPI, (OCR_MAX_PIXELS / area_in2) ** 0.5)


def _read_image(path: Path, raw: RawDocument) -> None:
    from PIL import Image, UnidentifiedImageError

    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                frames = []
                for i in range(getattr(im, "n_frames", 1)):
                    im.seek(i)
                    frames.append(im.convert("RGB"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        mp = _megapixels(path)
        raise IngestError(f"image too large to process safely ({mp} megapixels, the limit is {limit / 1e6:.0f}): "
                          "downscale it (a page scanned at 300 dpi is about 9 megapixels) and run again",
                          "too_large") from e
    except (UnidentifiedImageError, OSError) as e:
        raise IngestError(f"cannot read image ({e}): the file is damaged or not an image; re-scan or re-export it",
                          "corrupt_image") from e
    try:
        read = ocr.ocr_images(frames)
    except OcrError as e:
        raise IngestError(str(e), e.error_type, "ocr") from e
    for i, (text, conf) in enumerate(read, start=1):
        raw.pages.append(Page(i, text, "ocr", ocr_confidence=conf))


def _megapixels(path: Path) -> str:
    from PIL import Image

    old = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = None  # only the header is read here
        with Image.open(path) as im:
            return f"{im.width * im.height / 1e6:.0f}"
    except Exception:
        return "too many"
    finally:
        Image.MAX_IMAGE_PIXELS = old


def ocr_image(image) -> tuple[str, float | None]:
    """OCR one page image with tesseract 'vie' (pipeline.ocr); returns text (lines kept) and mean word confidence."""
    try:
        return ocr.ocr_image(image)
    except OcrError as e:
        raise IngestError(str(e), e.error_type, "ocr") from e
