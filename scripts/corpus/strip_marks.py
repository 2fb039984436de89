"""Build corpus/khong-dau-ke-hoach-bhyt-xa-tan-lap-2022.txt: the Tân Lập plan with every
Vietnamese mark removed, as OCR and old exports deliver text. The restorer must put them back.

Run: `.venv/bin/python scripts/corpus/strip_marks.py`
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE / "ke-hoach-bhyt-xa-tan-lap-2022.txt"
TARGET = HERE.parent.parent / "corpus" / "khong-dau-ke-hoach-bhyt-xa-tan-lap-2022.txt"


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain).replace("đ", "d").replace("Đ", "D")


if __name__ == "__main__":
    TARGET.write_text(strip_marks(SOURCE.read_text(encoding="utf-8")), encoding="utf-8")
