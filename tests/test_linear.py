"""Linear time on pathological input: each family's cue repeated (a table exported as one line, a PDF
text layer without line breaks) takes at most 2.5 times as long when the text is twice as long.

Measured as a ratio of CPU times (the best of three tries), never as an absolute time.
"""
from __future__ import annotations

import gc
import importlib
import random
import time

import pytest

from pipeline.model import Document, Page, RawDocument
from pipeline.normalize import normalize
from pipeline.process import attach_metadata
from pipeline.segment import segment

ORG = "III. TỔ CHỨC THỰC HIỆN\n"
SYLLABLES = ["bao", "hiem", "xa", "hoi", "y", "te", "ty", "le", "dat", "nam", "so", "ke", "hoach", "chu", "tri"]


def _noaccent(size: int) -> str:
    rng = random.Random(1)
    words: list[str] = []
    n = 0
    while n < size:
        words.append(rng.choice(SYLLABLES))
        n += len(words[-1]) + 1
    return " ".join(words)


def _repeat(cue: str, size: int, prefix: str = "") -> str:
    return prefix + cue * (size // len(cue) + 1)


def build(text: str) -> Document:
    """A document as the pipeline builds it, without diacritic restoration (timed on its own)."""
    raw = RawDocument("x.txt", "0" * 64, "txt", [Page(1, text + "\n")])
    norm = normalize(raw.pages)
    doc = Document(raw=raw, text=norm.text, raw_text=norm.text)
    doc.sections = segment(doc.text, [])
    attach_metadata(doc)
    return doc


def cpu_time(fn, arg, tries: int = 3) -> float:
    """The best of `tries` CPU times of fn(arg), without the garbage collector (whose full passes
    over every object of the process blur a measurement of the algorithm)."""
    best = float("inf")
    for _ in range(tries):
        gc.collect()
        gc.disable()
        try:
            t = time.process_time()
            fn(arg)
            best = min(best, time.process_time() - t)
        finally:
            gc.enable()
    return best


def extractor(name: str):
    """Time `extract` on the built document (building it is not timed)."""
    module = importlib.import_module(f"extractors.{name}")
    return lambda text: cpu_time(module.extract, build(text))


def timed(fn):
    return lambda text: cpu_time(fn, text)


def _restore(text: str):
    import diacritics

    return diacritics.restore(text)


#: family → (what is timed, the text of a given size in characters, the smaller size)
FAMILIES = {
    "targets": (extractor("targets"), lambda n: _repeat("đạt 95,5% dân số, ", n), 40_000),
    "targets_sentences": (extractor("targets"), lambda n: _repeat(
        "Tỷ lệ bao phủ bảo hiểm y tế đạt 95,5% dân số vào năm 2025. ", n), 60_000),
    "deadlines": (extractor("deadlines"), lambda n: _repeat("từ ngày 01 đến ngày 02 tháng 3 năm 2025 và ", n), 120_000),
    "deadlines_recurring": (extractor("deadlines"), lambda n: _repeat("Hàng quý, báo cáo trước ngày 15/3; ", n),
                            120_000),
    "legal_refs": (extractor("legal_refs"), lambda n: _repeat(
        "Quyết định số 123/QĐ-UBND ngày 01/02/2020 của UBND tỉnh, ", n), 200_000),
    "legal_refs_provisions": (extractor("legal_refs"), lambda n: _repeat(
        "theo điểm a khoản 1 Điều 2 Quyết định 123/QĐ-UBND và Luật Bảo hiểm y tế, ", n), 40_000),
    "assignments": (extractor("assignments"), lambda n: _repeat(
        "Sở Y tế chủ trì, phối hợp với Sở Tài chính thực hiện kiểm tra. ", n, ORG), 40_000),
    "assignments_line": (extractor("assignments"), lambda n: _repeat("Sở Y tế chủ trì, phối hợp với ", n), 40_000),
    "assignments_directed": (extractor("assignments"), lambda n: _repeat(
        "Sở Y tế chỉ đạo Sở Tư pháp phối hợp với Sở Nội vụ, ", n, ORG), 40_000),
    "segment": (timed(lambda t: segment(t, [])), lambda n: _repeat(
        "I. MỤC TIÊU\n1. Mục tiêu chung\na) Nội dung\n- Gạch đầu dòng\n+ Cộng\n", n), 120_000),
    "restoration": (timed(_restore), _noaccent, 100_000),
}


#: Twice the input may take at most this many times as long: linear work doubles (2×), a quadratic step
#: quadruples (4×); the margin between is for a machine whose other jobs slow one measurement down.
GROWTH = 3.0


@pytest.mark.parametrize("family", list(FAMILIES))
def test_time_grows_linearly(family):
    run, make, size = FAMILIES[family]
    small, large = make(size), make(2 * size)
    run(small[:2000])                                     # load vocabularies and the model first
    t1, t2 = run(small), run(large)
    for _ in range(3):                                    # a busy machine: measure again, keep the fastest
        if t2 <= GROWTH * max(t1, 0.05):
            break
        t1, t2 = min(t1, run(small)), min(t2, run(large))
    assert t2 <= GROWTH * max(t1, 0.05), f"{family}: {t1:.2f} s for {len(small)} characters, {t2:.2f} s for {len(large)}"
