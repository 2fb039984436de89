"""Dates in Vietnamese administrative text: one place for the date words, patterns and calendar
helpers that legal references (a cited document's date) and deadlines (due dates, periods) share.

Patterns run on folded text (pipeline.text.fold), so unaccented or OCR text matches the same words.
Vocabulary: extractors/data/dates.yaml.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.params import read_yaml
from pipeline.text import Skipping, fold

DATA = Path(__file__).parent / "data"


@cache
def vocab() -> dict:
    """dates.yaml, loaded once."""
    return read_yaml(DATA / "dates.yaml")


def _alt(words) -> str:
    """Regex alternation of folded words, longest first, spaces as \\s+."""
    folded = sorted({fold(w) for w in words}, key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in folded)


@cache
def _numerals() -> dict[str, int]:
    return {fold(k): int(v) for k, v in vocab()["numerals"].items()}


def _date_words() -> tuple[str, str, str]:
    """Patterns of the words day, year and month, with their OCR forms."""
    v = vocab()
    ocr, w = v["ocr"], {k: _alt([x]) for k, x in v["words"].items()}
    return rf"(?:{w['day']}|{ocr['day']})", rf"(?:{w['year']}|{ocr['year']})", w["month"]


@cache
def date_pattern() -> re.Pattern:
    """A day-precise date: "ngày 22/11/2012", "22 tháng 11 năm 2012", "ngày 05 tháng 01 năm sau", "ngày 5/9"."""
    v = vocab()
    day, year, month = _date_words()
    rel = _alt(v["relative_years"])
    y4 = r"(?:19|20)\d{2}"
    date_num = rf"(?P<d1>\d{{1,2}})\s?[/.\-]\s?(?P<m1>\d{{1,2}})\s?[/.\-]\s?(?P<y1>{y4})(?!\d)"
    date_word = (rf"(?P<d2>\d{{1,2}})\s+{month}\s+(?P<m2>\d{{1,2}})(?!\d)"
                 rf"(?:\s*,?\s*(?:cua\s+)?{year}\s+(?:(?P<y2>{y4})(?!\d)|(?P<rel>{rel})(?!\w)))?")
    date_short = r"(?P<d3>\d{1,2})\s?/\s?(?P<m3>\d{1,2})(?![/\d])"
    date = rf"(?:{day}\s+)?(?:{date_num}|{date_word})|{day}\s+{date_short}"
    return re.compile(rf"(?<![\w/])(?:{date})")


@cache
def _date_scan() -> Skipping:
    """date_pattern() searched through where a date may start: the day word before a number, a date in
    figures, or a number before the month word and a number."""
    day, _, month = _date_words()
    return Skipping(date_pattern(), rf"{day}\s+\d", r"\d\d?\s?[/.\-]\s?\d\d?\s?[/.\-]\s?(?:19|20)\d\d",
                    rf"\d\d?\s+{month}\s+\d")


@dataclass(frozen=True)
class DateMatch:
    """A date found in folded text: day/month always, year when printed, `rel` for năm sau/nay."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    rel: int | None = None

    def resolve(self, doc_year: int | None) -> dt.date | None:
        """The calendar date; a missing or relative year is taken from the document's year."""
        year = self.year
        if year is None and doc_year is not None:
            year = doc_year + (self.rel or 0)
        if year is None:
            return None
        try:
            return dt.date(year, self.month, self.day)
        except ValueError:
            return None

    @property
    def relative(self) -> bool:
        return self.year is None


def _date_from(m: re.Match) -> DateMatch | None:
    g = m.groupdict()
    for k in ("1", "2", "3"):
        if g.get("d" + k):
            y = g.get("y" + k)
            rel = None
            if k == "2" and g.get("rel"):
                rel = _relative_offset(g["rel"])
            d, mo = int(g["d" + k]), int(g["m" + k])
            if not (1 <= d <= 31 and 1 <= mo <= 12):
                return None
            return DateMatch(m.start(), m.end(), d, mo, int(y) if y else None, rel)
    return None


def _relative_offset(word: str) -> int:
    table = {fold(k): int(v) for k, v in vocab()["relative_years"].items()}
    return table.get(" ".join(word.split()), 0)


def date_at(folded: str, pos: int) -> DateMatch | None:
    """The date starting exactly at `pos` of folded text ("ngày 22/11/2012", "22 tháng 11 năm 2012")."""
    m = date_pattern().match(folded, pos)
    return _date_from(m) if m else None


def find_dates(folded: str) -> list[DateMatch]:
    """Every day-precise date in folded text."""
    out = []
    for m in _date_scan().finditer(folded):
        d = _date_from(m)
        if d:
            out.append(d)
    return out


def quarter_range(q: int, year: int) -> tuple[dt.date, dt.date]:
    """Calendar range of quarter q (quý III năm 2013 = 2013-07-01..2013-09-30)."""
    first = 3 * (q - 1) + 1
    return dt.date(year, first, 1), month_end(year, first + 2)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def year_part_range(n: int, part: str, year: int) -> tuple[dt.date, dt.date] | None:
    """'6 tháng đầu năm' = Jan..Jun, '3 tháng cuối năm' = Oct..Dec."""
    if not 1 <= n <= 12:
        return None
    if part == "first":
        return dt.date(year, 1, 1), month_end(year, n)
    return dt.date(year, 13 - n, 1), dt.date(year, 12, 31)
