"""Shared fixtures: the project root, the seeds (skipped when ../shared is absent), one run of corpus/,
and the helpers the extractor tests share (in-memory documents, seed documents, gold scoring)."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Sequence

import pytest
import yaml

from pipeline.evaluate import mismatches, score
from pipeline.model import Document, Page, RawDocument, Section
from pipeline.segment import segment

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
KEHOACH = [sys.executable, "-m", "pipeline.cli"]
GOLD_SEEDS = ROOT / "tests" / "gold" / "seeds"
SEED_IDS = ("000", "001", "002", "003", "004")


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with `prefix` (e.g. '003'); skips the test when seeds are absent."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    found = sorted(SEEDS.glob(f"{prefix}_*"))
    if not found:
        pytest.skip(f"seed {prefix} not found")
    return found[0]


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory) -> Path:
    """`kehoach run corpus/` once for the session (real OCR of the scanned sample)."""
    out = tmp_path_factory.mktemp("corpus") / "run"
    proc = subprocess.run([*KEHOACH, "run", str(ROOT / "corpus"), "--out", str(out), "--workers", "2", "-q"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory) -> Path:
    """`kehoach run` over the five seeds (003 and 004 are Markdown exports, so they get a .md name)."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    inputs = tmp_path_factory.mktemp("seeds_in")
    for f in sorted(SEEDS.iterdir()):
        name = f.name[:3] + (".md" if f.name[:3] in ("003", "004") else ".txt")
        (inputs / name).write_bytes(f.read_bytes())
    out = tmp_path_factory.mktemp("seeds") / "run"
    proc = subprocess.run([*KEHOACH, "run", str(inputs), "--out", str(out), "--workers", "2", "-q"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return out


@pytest.fixture(scope="session")
def text_pdf():
    """Factory: a real text PDF written with fpdf2 and DejaVu Sans (Vietnamese glyphs), one line list per page.

    `pages` is a list of pages, each a list of lines; `size` is (width, height) in mm.
    """
    from fpdf import FPDF

    def make(path: Path, pages: list[list[str]], size=(210, 297), font_size=11, user_password=None) -> Path:
        pdf = FPDF(format=size)
        pdf.set_auto_page_break(False)
        pdf.set_margin(2)
        pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
        pdf.set_font("DejaVu", size=font_size)
        if user_password is not None:
            pdf.set_encryption(owner_password="chu-so-huu", user_password=user_password)
        for lines in pages:
            pdf.add_page()
            for k, line in enumerate(lines):
                pdf.set_xy(3, 3 + k * font_size * 0.5)
                pdf.cell(text=line)
        pdf.output(str(path))
        return path

    return make


def text_document(text: str, *, sections: list[Section] | None = None, meta: dict | None = None,
                  segment_text: bool = False, file_type: str = "txt") -> Document:
    """A one-page Document from plain text, without ingest or restoration.

    Sections are the given ones, else `segment(text)` when `segment_text`, else none.
    """
    raw = RawDocument(source_path=f"mem.{file_type}", sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                      file_type=file_type, pages=[Page(1, text)])
    if sections is None:
        sections = segment(text) if segment_text else []
    return Document(raw=raw, text=text, raw_text=text, sections=sections, meta=meta or {})


@pytest.fixture(scope="session")
def seed_documents() -> dict[str, Document]:
    """The five seeds through `build_document` (with diacritic restoration), built once for the session."""
    from pipeline.process import build_document

    return {n: build_document(seed_path(n)) for n in SEED_IDS}


def gold_rows(seed: str, table: str) -> list[dict]:
    """Hand-made gold rows of one table for one seed (tests/gold/seeds/<seed>.<table>.yaml)."""
    return yaml.safe_load((GOLD_SEEDS / f"{seed}.{table}.yaml").read_text(encoding="utf-8"))


def check_gold(table: str, seed: str, pred: list[dict], keys: Sequence[str], threshold: float):
    """Score `pred` against the seed's gold on `keys`, print the figure line, assert both P and R reach `threshold`."""
    gold = gold_rows(seed, table)
    s = score(pred, gold, keys)
    fp, fn = mismatches(pred, gold, keys)
    print(f"\n{table} seed {seed}: {s}")
    assert s.precision >= threshold and s.recall >= threshold, f"{s}\nfalse positives: {fp}\nmissed: {fn}"
    return s
