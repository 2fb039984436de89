"""Targets read from tables of yearly indicators: one row per number in a year column.

A table is read when it has a label column ("Chỉ tiêu", "Sản phẩm"), at least two columns whose
header names one year ("ƯTH Năm 2025", "Năm 2026", "Kế hoạch 2027 - Giá trị (Nghìn USD)") and a unit
for each row: a unit column ("ĐVT") or the unit in brackets in the year column's header. The column
gives `target_year` and `kind` (targets_cues.yaml, table_column_kinds); the unit cell gives `unit` and
its scale (targets_units.yaml, cells). Cells placed by a guess (confidence below 0.9: a row with a
missing cell, where the year of each number is unknown) give no row.

    year_columns   header cells → (column, year, kind, unit from the header)
    table_rows     the target rows of one table
    extract        the target rows of every indicator table of a document
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from pipeline.model import Document, Table, clip_sentence
from pipeline.params import read_yaml
from pipeline.tables import BRACKET_UNIT as _BRACKET, header_year, indicator_role
from pipeline.text import fold

from .targets import DATA, find_indicator_code

MIN_CONFIDENCE = 0.9
LIST_MARKS = ("-", "–", "+", "*", "•")
_NUMBER = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:[.,](\d+))?")
_LIST_MARK = re.compile(r"^[-–+*•]\s*")


@dataclass(frozen=True)
class YearColumn:
    col: int
    year: int
    kind: str               # target | baseline | actual
    unit: str | None        # the unit printed in the header's brackets, if any


@cache
def _vocab() -> tuple[dict[str, dict], list[tuple[str, tuple[str, ...]]]]:
    units = {}
    for u in read_yaml(DATA / "targets_units.yaml")["cells"]:
        for w in u["words"]:
            units.setdefault(_key(w), u)
    kinds = read_yaml(DATA / "targets_cues.yaml")["table_column_kinds"]
    return units, [(k, tuple(_key(w) for w in ws)) for k, ws in kinds.items()]


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w%]+", " ", fold(text)).split())


def column_kind(header: str) -> str | None:
    """target for a plan column ("Kế hoạch 2026"), baseline for an estimate ("ƯTH Năm 2025"), actual for a
    result ("Thực hiện 2024"); None for a bare year."""
    words = f" {_key(header)} "
    for kind, cues in _vocab()[1]:
        if any(f" {c} " in words for c in cues):
            return kind
    return None


def unit_of(text: str | None) -> tuple[str, float] | None:
    """(unit, scale) of a unit cell ("Triệu USD" → USD, 1e6); an unlisted unit is kept as printed."""
    t = " ".join((text or "").split()).strip(" .:")
    if not t or len(t) > 25 or _NUMBER.fullmatch(t):
        return None
    u = _vocab()[0].get(_key(t))
    return (u["unit"], float(u.get("scale", 1))) if u else (t, 1.0)


def year_columns(table: Table, doc_year: int | None = None) -> list[YearColumn]:
    """The columns of a table whose header names one year. A bare year up to the document's year beside
    later years is the present (baseline: "Năm 2025 | Năm 2026" in a plan dated 2025); else a target."""
    found = []
    for c, h in enumerate(table.headers):
        y = header_year((h or "").split(" - ")[0])     # "Kế hoạch 2026 - Giá trị (Nghìn USD)": year, then sub-column
        if y is not None:
            found.append((c, y, h))
    last = max((y for _, y, _ in found), default=None)
    out = []
    for c, y, h in found:
        kind = column_kind(h) or ("baseline" if doc_year and y <= doc_year and last > doc_year else "target")
        m = _BRACKET.search(h)
        out.append(YearColumn(c, y, kind, m.group(1) if m else None))
    return out


def parse_value(text: str) -> tuple[float, float | None] | None:
    """A table cell as (value, value_max): "26.120" → 26120, "8,00" → 8.0, "1-1,5" → (1, 1.5)."""
    t = text.replace("%", "").strip()
    parts = re.split(r"\s*[-–]\s*", t) if not t.startswith("-") else [t]
    nums = []
    for p in parts:
        m = _NUMBER.fullmatch(p.strip())
        if not m:
            return None
        whole, frac = m.group(1).replace(".", ""), m.group(2)
        nums.append(float(f"{whole}.{frac}") if frac else float(whole))
    if len(nums) == 1:
        return nums[0], None
    return (nums[0], nums[1]) if len(nums) == 2 and nums[0] <= nums[1] else None


def table_rows(doc: Document, table: Table) -> list[tuple[tuple[int, int], dict]]:
    """((start, end) of the value cell, row fields) for each number of an indicator table."""
    issue = (doc.meta or {}).get("issue_date")
    years = year_columns(table, issue.year if isinstance(issue, dt.date) else None)
    roles = [indicator_role(h or "") for h in table.headers]
    if len(years) < 2 or "label" not in roles:
        return []
    label_col = roles.index("label")
    unit_col = roles.index("unit") if "unit" in roles else None
    if unit_col is None and not all(y.unit for y in years):
        return []
    place = (doc.meta or {}).get("jurisdiction")
    out = []
    parent = None
    for row in table.body:
        label_cell = row.cell(label_col)
        label = " ".join(label_cell.text.split()) if label_cell else ""
        values = [(y, row.cell(y.col)) for y in years]
        values = [(y, c) for y, c in values if c is not None and c.col == y.col and c.row == row.index]
        if not values:
            parent = label.rstrip(":") or parent
            continue
        marker = row.cell(0)
        listed = bool(_LIST_MARK.match(label)) or (marker is not None and marker.text in LIST_MARKS)
        name = _LIST_MARK.sub("", label)
        if listed and parent:
            name = f"{parent} - {name}"
        row_unit = row.cell(unit_col).text if unit_col is not None and row.cell(unit_col) else None
        for y, cell in values:
            if cell.confidence < MIN_CONFIDENCE or cell.char_start is None:
                continue
            unit = unit_of(y.unit or row_unit)
            value = parse_value(cell.text)
            if unit is None or value is None:
                continue
            scale = unit[1]
            sub = table.headers[y.col].split(" - ", 1)[1] if " - " in table.headers[y.col] else None
            text = f"{name} - {_BRACKET.sub('', sub).strip()}" if sub and y.unit else name
            start = row.char_start if row.char_start is not None else cell.char_start
            out.append(((cell.char_start, cell.char_end), {
                "sentence": clip_sentence(doc.text, start, row.char_end, cell.char_start, cell.char_end),
                "confidence": round(0.85 * cell.confidence, 2),
                "indicator": find_indicator_code(name),
                "indicator_text": text or None,
                "value": round(value[0] * scale, 6),
                "value_max": round(value[1] * scale, 6) if value[1] is not None else None,
                "unit": unit[0],
                "comparator": "eq",
                "base": None,
                "population_group": None,
                "geography": place,
                "period_start": dt.date(y.year, 1, 1),
                "period_end": dt.date(y.year, 12, 31),
                "target_year": y.year,
                "assigned_by": None,
                "kind": y.kind,
            }))
    return out


def extract(doc: Document) -> tuple[list[tuple[tuple[int, int], dict]], list[tuple[int, int]]]:
    """The rows of every indicator table, and the (start, end) of those tables (their figures are not
    read again as prose)."""
    rows, spans = [], []
    for t in doc.tables or []:
        found = table_rows(doc, t)
        if found:
            rows.extend(found)
            if t.char_start is not None:
                spans.append((t.char_start, t.char_end))
    return rows, spans
