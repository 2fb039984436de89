"""Shared fixtures: the project root, the seeds (skipped when ../shared is absent), one run of corpus/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
KEHOACH = [sys.executable, "-m", "pipeline.cli"]


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
