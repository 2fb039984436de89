"""OCR of page images with tesseract 'vie': pages in parallel, upright and deskewed.

Engine: tesserocr (tesseract's C API inside the process: the model loads once per thread and
no image file is written) when it can be imported, else pytesseract (one `tesseract` command
per page). Both run one tesseract thread per page (OMP_THREAD_LIMIT=1): parallelism comes
from running pages side by side, not from tesseract's own threads, which compete with them.

Pages go to a thread pool in each process (`PagePool`); a page holds one of the run's OCR
slots (a lock file, released by the kernel if its process dies) while tesseract reads it, so a
run never OCRs more pages at once than it has slots (`configure(workers)`, default: the cores),
and one long scan uses every slot the other workers leave free.

Each page is made grayscale and deskewed (`skew_angle`, a projection profile); a page read with
low confidence is checked by tesseract's orientation detection (OSD) and read again upright
(`upright`). docs/ocr.md has the measurements behind these choices.
"""
from __future__ import annotations

import atexit
import fcntl
import glob
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

os.environ["OMP_THREAD_LIMIT"] = "1"   # before tesseract's library loads: one thread per page

LANG = "vie"
SLOTS_ENV, SLOT_DIR_ENV = "KEHOACH_OCR_SLOTS", "KEHOACH_OCR_SLOT_DIR"
MAX_SKEW = 5.0          # degrees searched either way by skew_angle
MIN_SKEW = 0.2          # smaller angles are left alone (tesseract copes; rotating blurs)
RECHECK_CONFIDENCE = 70.0   # a page read with a lower mean word confidence gets an orientation check
OSD_MIN_CONFIDENCE = 1.0    # tesseract's orientation confidence needed to turn a page
OSD_DPI = 150           # orientation is detected on the page scaled to this resolution
SPECKS = 300            # a page with more lone dark dots than this (counted at half size) is despeckled
SPECK_PIXELS = 9        # dark dots of at most this many pixels with no ink around them are specks


class OcrError(Exception):
    """OCR could not run: `error_type` is ocr_missing (no tesseract / no Vietnamese data) or ocr_failed."""

    def __init__(self, message: str, error_type: str):
        super().__init__(message)
        self.error_type = error_type


MISSING = "tesseract is not installed: run `make setup` or `apt-get install tesseract-ocr tesseract-ocr-vie`"
NO_VIE = "tesseract has no Vietnamese data: run `apt-get install tesseract-ocr-vie`"


# ---------------------------------------------------------------- slots shared by a run's processes

def configure(workers: int) -> None:
    """Give this run `workers` OCR slots, shared by its worker processes (which inherit the environment)."""
    os.environ[SLOTS_ENV] = str(max(1, workers))
    d = tempfile.mkdtemp(prefix="kehoach-ocr-slots-")
    os.environ[SLOT_DIR_ENV] = d
    pid = os.getpid()
    atexit.register(lambda: os.getpid() == pid and shutil.rmtree(d, ignore_errors=True))


def n_slots() -> int:
    try:
        return max(1, int(os.environ[SLOTS_ENV]))
    except (KeyError, ValueError):
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _slot_dir() -> Path:
    d = Path(os.environ.get(SLOT_DIR_ENV) or Path(tempfile.gettempdir()) / f"kehoach-ocr-slots-{os.getuid()}")
    d.mkdir(mode=0o700, exist_ok=True)
    return d


class _Slot:
    """One of the run's OCR slots, held while a page is read (polls the slot lock files)."""

    def __enter__(self):
        d, n = _slot_dir(), n_slots()
        while True:
            for i in range(n):
                fd = os.open(d / f"slot-{i}", os.O_CREAT | os.O_RDWR, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                self.fd = fd
                return self
            time.sleep(0.02)

    def __exit__(self, *exc):
        os.close(self.fd)   # closing releases the lock


# ---------------------------------------------------------------- engines

def tessdata_dir() -> str | None:
    """The folder holding vie.traineddata (TESSDATA_PREFIX, the usual places, or what tesseract says)."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [prefix, os.path.join(prefix, "tessdata")] if prefix else []
    candidates += sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)
    candidates += ["/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata"]
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, f"{LANG}.traineddata")):
            return c
    if shutil.which("tesseract"):
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
        m = re.search(r'"(.+?)"', out)
        if m and os.path.isfile(os.path.join(m.group(1), f"{LANG}.traineddata")):
            return m.group(1)
    return None


_local = threading.local()
ENGINE: str | None = os.environ.get("KEHOACH_OCR_ENGINE") or None   # tesserocr | pytesseract; None: choose


def _engine() -> str:
    """'tesserocr' when the library imports and finds the Vietnamese data, else 'pytesseract'."""
    global ENGINE
    if ENGINE is None:
        try:
            import tesserocr  # noqa: F401

            ENGINE = "tesserocr" if tessdata_dir() else "pytesseract"
        except ImportError:
            ENGINE = "pytesseract"
    return ENGINE


def _api(lang: str):
    """This thread's tesserocr API for `lang` (made once, kept for the thread's life)."""
    import tesserocr

    apis = _local.__dict__.setdefault("apis", {})
    if lang not in apis:
        path = tessdata_dir()
        if path is None:
            raise OcrError(NO_VIE, "ocr_missing")
        psm = tesserocr.PSM.OSD_ONLY if lang == "osd" else tesserocr.PSM.AUTO
        try:
            apis[lang] = tesserocr.PyTessBaseAPI(path=path + os.sep, lang=lang, psm=psm)
        except RuntimeError as e:
            raise OcrError(NO_VIE if lang == LANG else f"tesseract has no {lang} data: run `apt-get install "
                           f"tesseract-ocr-{lang}`", "ocr_missing") from e
    return apis[lang]


def _words_tesserocr(image) -> list[tuple[tuple[int, int, int], str, float]]:
    """((block, paragraph, line), word, confidence) in reading order."""
    from tesserocr import RIL, iterate_level

    api = _api(LANG)
    api.SetImage(image)
    api.Recognize()
    out = []
    block = par = line = 0
    it = api.GetIterator()
    if it is None:
        return out
    for w in iterate_level(it, RIL.WORD):
        if w.IsAtBeginningOf(RIL.BLOCK):
            block, par, line = block + 1, 0, 0
        if w.IsAtBeginningOf(RIL.PARA):
            par, line = par + 1, 0
        if w.IsAtBeginningOf(RIL.TEXTLINE):
            line += 1
        try:
            text = w.GetUTF8Text(RIL.WORD)
        except RuntimeError:   # tesserocr's "No text returned" for an empty word
            continue
        if text and text.strip():
            out.append(((block, par, line), text, w.Confidence(RIL.WORD)))
    api.Clear()
    return out


def _words_pytesseract(image) -> list[tuple[tuple[int, int, int], str, float]]:
    import pytesseract

    try:
        data = pytesseract.image_to_data(image, lang=LANG, output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractNotFoundError as e:
        raise OcrError(MISSING, "ocr_missing") from e
    except pytesseract.TesseractError as e:
        msg = str(e)
        if LANG in msg and ("load" in msg or "traineddata" in msg):
            raise OcrError(NO_VIE, "ocr_missing") from e
        raise OcrError(f"OCR failed: {msg}", "ocr_failed") from e
    return [((data["block_num"][i], data["par_num"][i], data["line_num"][i]), w, float(data["conf"][i]))
            for i, w in enumerate(data["text"]) if w.strip()]


def read_words(image) -> list[tuple[tuple[int, int, int], str, float]]:
    """OCR one prepared (grayscale, upright) page image into words with their line keys and confidences."""
    if _engine() == "tesserocr":
        return _words_tesserocr(image)
    if not shutil.which("tesseract"):
        raise OcrError(MISSING, "ocr_missing")
    return _words_pytesseract(image)


def assemble(words: list[tuple[tuple[int, int, int], str, float]]) -> tuple[str, float | None]:
    """Text (a line per OCR line, a blank line between paragraphs) and mean word confidence."""
    lines: dict[tuple, list[str]] = {}
    order: list[tuple] = []
    confs = [c for _, _, c in words if c >= 0]
    for key, word, _ in words:
        if key not in lines:
            lines[key] = []
            order.append(key)
        lines[key].append(word)
    out, prev = [], None
    for key in order:
        if prev is not None and key[:2] != prev[:2]:
            out.append("")
        out.append(" ".join(lines[key]))
        prev = key
    return "\n".join(out), (round(sum(confs) / len(confs), 2) if confs else None)


# ---------------------------------------------------------------- scans as they come

def skew_angle(gray) -> float:
    """Skew of the text lines in degrees (counter-clockwise positive, as Image.rotate takes it):
    the angle whose projection of the dark pixels onto the vertical axis is the most peaked."""
    import numpy as np

    small = gray.reduce(4) if min(gray.size) > 1200 else gray
    a = np.asarray(small, dtype=np.uint8)
    ys, xs = np.nonzero(a < 128)
    if len(ys) < 200:
        return 0.0
    if len(ys) > 150_000:
        keep = np.random.default_rng(0).choice(len(ys), 150_000, replace=False)
        ys, xs = ys[keep], xs[keep]
    xs = xs - a.shape[1] / 2.0

    def score(deg: float) -> float:
        t = np.tan(np.radians(deg))
        rows = np.round(ys + xs * t).astype(np.int64)
        rows -= rows.min()
        h = np.bincount(rows).astype(np.float64)
        return float((h * h).sum())

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    return float(round(max(fine, key=score), 2))


def to_gray(image):
    """Grayscale page in which red ink (a seal over the signature) is as light as the paper: a colour
    pixel is the lighter of its luminance and its red channel, plus how much redder it is than green
    and blue (JPEG blurs a seal's colour into its neighbours); black and blue ink stay dark."""
    import numpy as np
    from PIL import ImageChops

    if image.mode == "L":
        return image
    if image.mode != "RGB":
        image = image.convert("RGB")
    small = np.asarray(image.reduce(8), dtype=np.int16)
    if int(np.abs(small[..., 0] - small[..., 1]).max(initial=0)) < 40:   # no colour: a gray scan
        return image.convert("L")
    r, g, b = image.split()
    redness = ImageChops.subtract(r, ImageChops.lighter(g, b), scale=0.5)
    return ImageChops.add(ImageChops.lighter(image.convert("L"), r), redness)


def _lonely(mask, radius: int, most: int):
    """Pixels of `mask` (an L image, 255 = ink) with at most `most` ink pixels in the window of
    `radius` around them (themselves included): small dots with no ink near them."""
    from PIL import ImageChops, ImageFilter

    k = (2 * radius + 1) ** 2
    crowd = mask.filter(ImageFilter.BoxBlur(radius)).point(lambda v: 255 if v <= most * 255 / k + 0.5 else 0)
    return ImageChops.multiply(mask, crowd)


def despeckle(gray):
    """Remove dust: small dark dots with no ink around them, when a page has many (a clean page has
    almost none: the dots of i and of Vietnamese marks are bigger or close to their letter)."""
    from PIL import Image, ImageFilter

    half = gray.reduce(2).point(lambda v: 255 if v < 160 else 0)
    if sum(_lonely(half, 3, 2).histogram()[128:]) <= SPECKS:
        return gray
    dark = gray.point(lambda v: 255 if v < 128 else 0)
    specks = _lonely(dark, 4, SPECK_PIXELS).filter(ImageFilter.MaxFilter(3))   # with their blurred rims
    return Image.composite(Image.new("L", gray.size, 255), gray, specks)


def deskew(gray):
    """The page turned so its text lines are level (unchanged below MIN_SKEW degrees)."""
    from PIL import Image

    angle = skew_angle(gray)
    if abs(angle) < MIN_SKEW:
        return gray
    return gray.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def orientation(gray) -> int:
    """Degrees to turn the page counter-clockwise (0, 90, 180, 270) so it reads upright (tesseract OSD)."""
    scale = max(1, round(max(gray.size) / (11.7 * OSD_DPI)))
    small = gray.reduce(scale) if scale > 1 else gray
    try:
        if _engine() == "tesserocr":
            api = _api("osd")
            api.SetImage(small)
            api.SetSourceResolution(OSD_DPI)
            r = api.DetectOrientationScript()
            api.Clear()
            if not r or r["orient_conf"] < OSD_MIN_CONFIDENCE:
                return 0
            return int(r["orient_deg"]) % 360
        import pytesseract

        r = pytesseract.image_to_osd(small, config=f"--dpi {OSD_DPI}", output_type=pytesseract.Output.DICT)
        ok = float(r.get("orientation_conf", 0)) >= OSD_MIN_CONFIDENCE
        return -int(r["rotate"]) % 360 if ok else 0   # "rotate" is clockwise, Image.rotate counter-clockwise
    except OcrError:
        return 0
    except Exception:  # no osd data, too little text to tell: keep the page as it is
        return 0


def upright(gray, read: Callable) -> tuple[str, float | None]:
    """Read `gray`; when the reading is poor, ask OSD whether the page is turned and keep the better reading."""
    text, conf = read(gray)
    if conf is not None and conf >= RECHECK_CONFIDENCE:
        return text, conf
    turn = orientation(gray)
    if turn == 0:
        return text, conf
    text2, conf2 = read(deskew(gray.rotate(turn, expand=True)))
    return (text2, conf2) if (conf2 or 0) > (conf or 0) else (text, conf)


def ocr_image(image) -> tuple[str, float | None]:
    """OCR one page image: grayscale, deskewed, turned upright; returns text (lines kept) and mean word
    confidence (0-100, None when no word was read)."""
    return upright(deskew(despeckle(to_gray(image))), lambda im: assemble(read_words(im)))


# ---------------------------------------------------------------- the page pool

_pool: tuple[tuple[int, int], ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """This process's OCR threads (one per slot; made again in a forked child or for a new slot count)."""
    global _pool
    key = (os.getpid(), n_slots())
    with _pool_lock:
        if _pool is None or _pool[0] != key:
            if _pool is not None and _pool[0][0] == key[0]:
                _pool[1].shutdown(wait=False)
            _pool = (key, ThreadPoolExecutor(key[1], thread_name_prefix="kehoach-ocr"))
        return _pool[1]


def _ocr_in_slot(image) -> tuple[str, float | None]:
    with _Slot():
        try:
            return ocr_image(image)
        except OcrError:
            raise
        except Exception as e:  # a page that breaks tesseract or Pillow fails its document, not the run
            raise OcrError(f"OCR failed ({type(e).__name__}: {e})", "ocr_failed") from e


class PagePool:
    """OCR pages side by side: `submit(image, done)` queues a page and calls `done(text, confidence)`
    in the submitting thread once it is read (at a later submit or at `finish()`, in page order).
    At most slots + 1 pages wait in memory, so a long scan does not hold all its images.
    Used as a context manager, pages still queued at exit (after an error) are dropped."""

    def __init__(self):
        self.pending: deque[tuple[Future, Callable]] = deque()
        self.limit = n_slots() + 1

    def __enter__(self) -> "PagePool":
        return self

    def __exit__(self, *exc) -> None:
        for future, _ in self.pending:
            future.cancel()
        self.pending.clear()

    def submit(self, image, done: Callable[[str, float | None], None]) -> None:
        self.pending.append((_executor().submit(_ocr_in_slot, image), done))
        while len(self.pending) > self.limit:
            self._collect()

    def _collect(self) -> None:
        future, done = self.pending.popleft()
        done(*future.result())

    def finish(self) -> None:
        """Wait for every queued page; the first page's OcrError is raised here."""
        while self.pending:
            self._collect()


def ocr_images(images: Iterable) -> list[tuple[str, float | None]]:
    """(text, confidence) of each image, in order, read side by side."""
    out: list = []
    with PagePool() as pool:
        for i, image in enumerate(images):
            out.append(None)
            pool.submit(image, lambda text, conf, i=i: out.__setitem__(i, (text, conf)))
        pool.finish()
    return out
