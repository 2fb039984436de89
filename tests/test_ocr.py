"""OCR of scans as they come (pipeline/ocr.py): pages turned sideways or upside down come out
upright, skew is measured and removed, a red seal and dust do not reach tesseract, and pages of
one scan are read side by side in page order.

The pages are drawn here with Pillow (DejaVu Serif); the tests that run tesseract are skipped
when it (or its Vietnamese data) is not installed.
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import ocr
from pipeline.ingest import ingest
from pipeline.segment import repeated_part, roman_label

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "KẾ HOẠCH thực hiện chính sách bảo hiểm y tế năm 2025",
    "1. Sở Y tế chủ trì, phối hợp với Bảo hiểm xã hội tỉnh",
    "tuyên truyền chính sách bảo hiểm y tế cho học sinh.",
    "2. Ủy ban nhân dân các xã rà soát danh sách hộ gia đình",
    "chưa tham gia bảo hiểm y tế; báo cáo trước ngày 15/12/2025.",
    "3. Phấn đấu đến năm 2026 tỷ lệ bao phủ bảo hiểm y tế đạt",
    "95,5% dân số; giao dịch điện tử đạt 100% hồ sơ.",
    "4. Công an tỉnh chia sẻ dữ liệu dân cư với cơ quan bảo hiểm.",
]


def _has_tesseract() -> bool:
    if not shutil.which("tesseract"):
        return False
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    return "vie" in langs and "osd" in langs


needs_tesseract = pytest.mark.skipif(not _has_tesseract(), reason="tesseract with vie and osd data is not installed")


def page(lines=LINES, size=42) -> Image.Image:
    """A half-A4 page at 300 dpi with the lines in black."""
    font = ImageFont.truetype(FONT, size)
    im = Image.new("L", (2480, 170 + 80 * len(lines)), 255)
    d = ImageDraw.Draw(im)
    for k, line in enumerate(lines):
        d.text((150, 100 + 80 * k), line, font=font, fill=0)
    return im


def words_found(text: str) -> float:
    want = " ".join(LINES).split()
    got = set(text.split())
    return sum(w in got for w in want) / len(want)


@needs_tesseract
@pytest.mark.parametrize("degrees", [90, 180])
def test_turned_page_comes_out_upright(tmp_path, degrees):
    path = tmp_path / f"turned-{degrees}.png"
    page().rotate(degrees, expand=True).save(path)
    raw = ingest(path)
    text = raw.pages[0].text
    assert "Sở Y tế chủ trì" in text and "15/12/2025" in text, text
    assert words_found(text) > 0.9
    assert raw.pages[0].ocr_confidence > 80


@needs_tesseract
def test_scanned_pdf_pages_are_read_in_order(tmp_path):
    """Pages of one scan go to the pool together and come back in page order."""
    pages = [page([f"Trang số {n}: Sở Y tế chủ trì thực hiện nhiệm vụ {n}."]) for n in range(1, 5)]
    path = tmp_path / "scan.pdf"
    pages[0].save(path, "PDF", resolution=300, save_all=True, append_images=pages[1:])
    raw = ingest(path)
    assert [p.method for p in raw.pages] == ["ocr"] * 4
    for n, p in enumerate(raw.pages, start=1):
        assert f"nhiệm vụ {n}" in p.text, p.text


@pytest.mark.parametrize("degrees", [-2.0, -0.8, 1.5, 3.0])
def test_skew_is_measured(degrees):
    turned = page().rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert ocr.skew_angle(turned) == pytest.approx(degrees, abs=0.2)
    level = ocr.deskew(turned)
    assert abs(ocr.skew_angle(level)) < 0.2


def test_straight_page_is_not_turned():
    im = page()
    assert ocr.deskew(im) is im


def test_red_seal_is_dropped_and_black_ink_kept():
    im = page().convert("RGB")
    d = ImageDraw.Draw(im)
    d.ellipse((100, 60, 700, 660), outline=(205, 32, 42), width=12)
    gray = np.asarray(ocr.to_gray(im))
    ring = gray[360, 100:112]
    assert ring.min() > 200                        # the seal is as light as the paper
    assert np.asarray(ocr.to_gray(page().convert("RGB"))).min() < 50   # the text stays black


def test_dust_is_removed_but_not_the_marks():
    clean = page()
    a = np.asarray(clean).copy()
    rng = np.random.default_rng(1)
    ys, xs = rng.integers(0, a.shape[0] - 2, 3000), rng.integers(0, a.shape[1] - 2, 3000)
    for y, x in zip(ys, xs):
        if a[max(0, y - 6):y + 8, max(0, x - 6):x + 8].min() == 255:   # only where there is no ink
            a[y:y + 2, x:x + 2] = 0
    dusty = Image.fromarray(a)
    cleaned = np.asarray(ocr.despeckle(dusty))
    assert (cleaned < 128).sum() <= (np.asarray(clean) < 128).sum() * 1.01
    assert (cleaned < 128).sum() >= (np.asarray(clean) < 128).sum() * 0.99   # dots of i, ạ, ộ stay
    assert ocr.despeckle(clean) is clean


def test_ocr_misread_part_numbers_are_repaired():
    assert roman_label("IH") == "III"
    assert repeated_part("II", "II") == "III"
    assert repeated_part("II", "I") == "II"
    assert repeated_part("IV", "IV") == "IV"


def test_page_pool_keeps_order(monkeypatch):
    monkeypatch.setattr(ocr, "ocr_image", lambda image: (image, 90.0))
    assert ocr.ocr_images([f"page {n}" for n in range(9)]) == [(f"page {n}", 90.0) for n in range(9)]


def test_ocr_error_of_a_page_fails_the_pool(monkeypatch):
    def broken(image):
        raise ValueError("bad page")

    monkeypatch.setattr(ocr, "ocr_image", broken)
    with pytest.raises(ocr.OcrError, match="bad page") as e:
        ocr.ocr_images(["a", "b"])
    assert e.value.error_type == "ocr_failed"
