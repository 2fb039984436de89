"""Deadlines (DESIGN.md, table `deadlines`): time expressions that govern an obligation or event.

Kinds: `due` (trước ngày 30/10/2021, chậm nhất trong quý III năm 2013), `scheduled`
(8h30' ngày 26/10/2021, tổng kết vào quý III năm 2015), `period` (từ 01/01/2021 đến
30/9/2021, 6 tháng cuối năm 2024) and `recurring` (Hàng quý, Sáu tháng một lần, Định kỳ
hàng năm, trước ngày 05 tháng 01 năm sau → yearly, anchor `01-05`). Dates are resolved to
ISO dates against the document's year; quarters and parts of a year become calendar
ranges. Dates of cited documents and the document's own date are not deadlines.

Date primitives shared with legal_refs live in extractors/dates.py. Vocabulary:
extractors/data/dates.yaml. Patterns run on the length-preserving folded text
(`legal_refs.fold`), so unaccented or OCR text matches the same words.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from pipeline.model import Document, row_id
from pipeline.text import Skipping, fold, marked_form

from .dates import (DateMatch, _alt, _numerals, _relative_offset, date_at, date_pattern, find_dates,  # noqa: F401
                    month_end, quarter_range, vocab, year_part_range)


# ---------------------------------------------------------------- vocabulary


@cache
def _patterns() -> dict[str, re.Pattern]:
    v = vocab()
    ocr, w = v["ocr"], {k: _alt([x]) for k, x in v["words"].items()}
    year, month = rf"(?:{w['year']}|{ocr['year']})", w["month"]
    hour, minute = _alt(v["time_words"]["hour"]), _alt(v["time_words"]["minute"])
    joiners = _alt(v["joiners"])
    rel = _alt(v["relative_years"])
    num_words = _alt(v["numerals"])
    units = _alt(v["recurrence_units"])
    each, periodic = rf"(?:{ocr['each']})", rf"(?:{ocr['periodic']})"
    y4 = r"(?:19|20)\d{2}"
    part = _alt(v["year_part"])
    quarters = "|".join(sorted((re.escape(q) for q in map(str, v["quarters"])), key=len, reverse=True))
    return {
        "date": date_pattern(),
        "time": Skipping(re.compile(rf"(?<![\w/])(?P<h>\d\d?)\s?(?:{hour})\s?(?P<mi>\d{{2}})?\s?(?:{minute})?\s*,?\s*")),
        "quarter": Skipping(re.compile(rf"(?<!\w){w['quarter']}\s+(?P<q>{quarters})(?![\w])"
                              rf"(?:\s*(?:/|,?\s*{year})\s*(?P<y>{y4})(?!\d))?", re.I)),
        "year_part": Skipping(re.compile(rf"(?<![\w/])(?P<n>\d{{1,2}}|{num_words})\s+{month}\s+(?P<part>{part})"
                                         rf"\s+{year}(?:\s+(?P<y>{y4})(?!\d)|\s+(?P<rel>{rel})(?!\w))?(?!\w)"),
                              rf"\d\d?\s+{month}\s+(?:{part})", rf"(?:{num_words})\s+{month}\s+(?:{part})",
                              requires=rf"{month}\s+(?:{part})"),
        # "tháng 9/2026", "tháng 9 năm 2026"; relative: "tháng 3 năm sau", "tháng 01 của năm tiếp theo"
        "month": Skipping(re.compile(rf"(?<![\w/]){month}\s+(?P<m>\d{{1,2}})(?:\s*(?:/|,?\s*{year}\s+)(?P<y>{y4})(?!\d)"
                                     rf"|\s+(?:cua\s+)?{year}\s+(?P<rel>{rel})(?!\w))")),
        # "trước ngày 20 hằng tháng", "vào ngày 25 hàng tháng": a monthly duty and its day
        "monthly_day": Skipping(re.compile(rf"(?<!\w)(?:(?:{_alt(v['monthly_day_lead'])})\s+)?{w['day']}\s+(?P<d>\d{{1,2}})"
                                           rf"\s+(?:cua\s+)?{each}\s+{month}(?!\w)"),
                               rf"(?:{_alt(v['monthly_day_lead'])})\s", rf"{w['day']}\s+\d",
                               requires=rf"{each}\s+{month}(?!\w)"),
        "month_list": Skipping(re.compile(rf"(?<![\w/]){month}\s+(?P<ms>\d{{1,2}}(?:\s*(?:,|{joiners})\s*(?:{month}\s+)?\d{{1,2}}){{1,11}})"
                                 rf"\s*(?:/|,?\s*{year}\s+)(?P<y>{y4})(?!\d)")),
        "each": Skipping(re.compile(rf"(?<!\w)(?:(?P<per>{periodic})\s*,?\s*)?(?P<each>{each})\s+(?P<u>{units}|{year})(?!\w)"
                                    rf"(?P<more>(?:\s*(?:,|{joiners})\s*(?:{each}\s+)?(?:{units}|(?:\d{{1,2}}|{num_words})\s+{month})"
                                    rf"(?![\w]|\s*\d))*)"),
                         periodic, rf"{each}\s+(?:{units}|{year})"),
        "interval": Skipping(re.compile(rf"(?<![\w/])(?P<n>\d{{1,2}}|{num_words})\s+{month}\s*(?:{_alt(v['once'])})(?!\w)"),
                             rf"\d\d?\s+{month}", rf"(?:{num_words})\s+{month}",
                             requires=rf"{month}\s*(?:{_alt(v['once'])})(?!\w)"),
        "periodic": Skipping(re.compile(rf"(?<!\w){periodic}(?!\w)")),
        # "định kỳ 6 tháng", "định kỳ 03 tháng": a recurrence by its number of months
        "periodic_months": Skipping(re.compile(rf"(?<!\w){periodic}\s*,?\s*(?P<n>\d{{1,2}}|{num_words})\s+{month}(?!\w)"),
                                    periodic),
        "after_issue": Skipping(re.compile(rf"(?<!\w)(?:{_alt(v['after_issue_lead'])})\s+(?P<n>\d{{1,3}})\s+ngay\s+"
                                           rf"(?:{_alt(v['after_issue_anchor'])})(?!\w)"),
                                requires=rf"ngay\s+(?:{_alt(v['after_issue_anchor'])})(?!\w)"),
        "unit": re.compile(units),
    }


@cache
def _marker_res() -> dict[str, re.Pattern]:
    v = vocab()

    def tail(words) -> re.Pattern:
        day = fold(v["words"]["day"])
        stripped = {re.sub(rf"\s+{day}$", "", fold(w)) for w in words} - {"", day}
        return re.compile(rf"(?:^|\W)(?P<w>{_alt(stripped)})\s*$")

    return {
        "due": tail(v["due_markers"]),
        "from": tail(v["period_from"]),
        "from_now": tail(v["period_from_now"]),
        "scheduled": tail(v["month_event_markers"]),
        "suppress_before": tail(v["suppress_before"]),
        "suppress_after": re.compile(rf"\s*(?:{_alt(v['suppress_after'])})(?!\w)"),
        "benefit": re.compile(rf"(?<!\w)(?:{_alt(v['benefit_words'])})(?!\w)"),
        "benefit_prev": re.compile(rf"(?:{_alt(v['benefit_prev'])})\s*$"),
        "to": re.compile(rf"\s*(?:-|–|(?:{_alt(v['period_to'])}))\s*"),
    }


# ---------------------------------------------------------------- date primitives


@cache
def _quarter_forms() -> frozenset[str]:
    return frozenset(w.lower() for w in vocab()["quarter_forms"])


def document_year(doc: Document) -> int | None:
    """The year relative dates resolve against: the issue date's, else the first year in header/title."""
    issue = (doc.meta or {}).get("issue_date")
    if isinstance(issue, dt.date):
        return issue.year
    head_end = 1200
    for s in doc.sections:
        if s.kind in ("header", "title"):
            head_end = max(head_end, s.char_end)
    year = fold(vocab()["words"]["year"])
    m = re.search(rf"(?:{year}|/)\s*((?:19|20)\d{{2}})(?!\d)", fold(doc.text[:head_end]))
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- finding expressions


@dataclass
class Expr:
    """One time expression before it becomes a row."""

    start: int
    end: int
    kind: str
    date: dt.date | None = None
    date_end: dt.date | None = None
    time: str | None = None
    recurrence: str | None = None
    anchor: str | None = None
    relative: bool = False            # year not printed (or năm sau/nay): may be a recurring anchor
    from_now: bool = False            # "từ nay đến ...": the period starts on the document's date
    after_days: int | None = None     # "trong 30 ngày kể từ ngày ban hành": due that many days after it
    confidence: float = 0.85
    absorbable: bool = False          # a recurrence that a following anchored date can absorb


def _masked(start: int, end: int, masks: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in masks)


class _Spans:
    """A set of spans that answers "does [start, end) overlap one of them" by looking only at the spans
    filed under the same stretches of text (buckets of BUCKET characters), not at every span found so far."""

    BUCKET = 64

    def __init__(self, spans=()):
        self.buckets: dict[int, list[tuple[int, int]]] = {}
        for s, e in spans:
            self.add(s, e)

    def _keys(self, start: int, end: int) -> range:
        return range(start // self.BUCKET, max(start, end - 1) // self.BUCKET + 1)

    def add(self, start: int, end: int) -> None:
        for k in self._keys(start, end):
            self.buckets.setdefault(k, []).append((start, end))

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for k in self._keys(start, end) for s, e in self.buckets.get(k, ()))


class _Found(list):
    """The expressions found so far, with an index of their spans (`_Spans`)."""

    def __init__(self):
        super().__init__()
        self.spans = _Spans()

    def append(self, x: "Expr") -> None:
        super().append(x)
        self.spans.add(x.start, x.end)

    def extend(self, xs) -> None:
        for x in xs:
            self.append(x)


def _before(folded: str, pos: int, width: int = 40) -> str:
    return folded[max(0, pos - width):pos]


def _joined(folded: str, a: int, b: int) -> bool:
    """Only a joiner between two expressions ("Quý I và Quý II", "quý I, quý II")."""
    gap = folded[a:b].strip(" ,")
    return gap in ("", "va", "hoac", "-")


def _marker_start(folded: str, pos: int, marker: re.Pattern) -> int:
    """Start of the marker word that ends right before pos (or pos itself)."""
    window = _before(folded, pos)
    m = marker.search(window)
    return pos - len(window) + m.start("w") if m else pos


def _ready_from(folded: str, pos: int) -> bool:
    """A readiness verb right before "từ (ngày)" ("có hiệu lực thi hành kể từ", "đưa vào vận hành từ"): the date
    is when the thing is in force or in place (dates.yaml readiness_before)."""
    return _readiness_re().search(folded[max(0, pos - 60):pos]) is not None


@cache
def _readiness_re() -> re.Pattern:
    return re.compile(rf"(?<!\w)(?:{_alt(vocab()['readiness_before'])})(?:\s+(?:ke|bat dau|chinh thuc))?\s*$")


def _completed_in(folded: str, pos: int) -> bool:
    """"hoàn thành việc rà soát trong Quý II/2026": a completion verb earlier in the clause and "trong" right
    before the time: the work is due at its end (ANNOTATION.md, hard case 2), not an event in it."""
    clause = _clause_before(folded, pos)
    return bool(re.search(r"(?<!\w)trong\s*$", clause)) and _completion_re().search(clause) is not None


@cache
def _completion_re() -> re.Pattern:
    return re.compile(rf"(?<!\w)(?:{_alt(vocab()['completion_before_span'])})(?!\w)")


def _clause_before(folded: str, pos: int) -> str:
    """Text from the last clause boundary up to pos."""
    window = folded[max(0, pos - 120):pos]
    cut = max(window.rfind(c) for c in ",;:.\n()")
    return window[cut + 1:]


def _benefit(folded: str, pos: int) -> bool:
    """'trợ cấp hàng tháng', 'lương hưu, BHXH hằng tháng': a benefit's rhythm, not a duty's."""
    clause = _clause_before(folded, pos)
    words = clause.split()[-7:]
    r = _marker_res()
    return bool(r["benefit"].search(" ".join(words)) or r["benefit_prev"].search(folded[max(0, pos - 30):pos]))


def _unit_recurrence(unit: str) -> str | None:
    units = {fold(k): v for k, v in vocab()["recurrence_units"].items()}
    u = " ".join(unit.split())
    if u in units:
        return units[u]
    if re.fullmatch(rf"(?:{vocab()['ocr']['year']})", u):
        return "yearly"
    return None


def _more_recurrences(more: str) -> list[str | None]:
    """The units listed after a first one ("hằng tháng, quý, 6 tháng, năm"): a unit, or a number of months."""
    p, months = _patterns(), {int(k): v for k, v in vocab()["recurrence_months"].items()}
    joiners = {fold(j) for j in vocab()["joiners"]}
    out: list[str | None] = []
    for item in re.split(r"\s*,\s*|\s+(?=" + _alt(vocab()["joiners"]) + r"\s)", more):
        words = item.split()
        while words and words[0] in joiners:
            words = words[1:]
        if len(words) >= 2 and (n := _number(words[-2])) is not None and p["unit"].fullmatch(words[-1]):
            out.append(months.get(n))
        elif words and p["unit"].fullmatch(words[-1]):
            out.append(_unit_recurrence(words[-1]))
    return out


def _number(token: str) -> int | None:
    token = " ".join(token.split())
    return int(token) if token.isdigit() else _numerals().get(token)


@cache
def _span_patterns() -> dict[str, re.Pattern]:
    """Closed and open spans of quarters, months, days and years (dates.yaml: span_*, open_after, ...)."""
    v = vocab()
    frm, to = _alt(v["span_from"]), r"\s*(?:-|–|(?:" + _alt(w for w in v["span_to"] if w not in "-–") + r"))\s*"
    y4 = r"(?:19|20)\d{2}"
    q = r"quy\s+(?P<qN>iv|iii|ii|i|[1-4])(?![\w])(?:\s*(?:/|,?\s*nam)\s*(?P<yN>" + y4 + r")(?!\d))?"
    mon = r"thang\s+(?P<mN>\d{1,2})(?:\s*(?:/|,?\s*nam)\s*(?P<yN>" + y4 + r")(?!\d))?"
    q1, q2, mon1, mon4 = q.replace("N", "1"), q.replace("N", "2"), mon.replace("N", "1"), mon.replace("N", "4")
    return {
        "quarters": Skipping(re.compile(rf"(?<!\w)(?:(?P<from>{frm})\s+)?{q1}{to}"
                                        rf"(?:{q2}|(?P<yo>{y4})(?!\d))"), rf"(?:{frm})\s+quy", r"quy\s+(?:iv|iii|ii|i|[1-4])",
                              requires=rf"{q1}{to}"),
        "months": Skipping(re.compile(rf"(?<!\w)(?:(?P<from>{frm})\s+)?{mon1}{to}"
                                      rf"(?:thang\s+)?(?P<m2>\d{{1,2}})\s*(?:/|,?\s*nam)\s*(?P<y2>{y4})(?!\d)"),
                           rf"(?:{frm})\s+thang", r"thang\s+\d", requires=rf"{mon1}{to}"),
        "days": Skipping(re.compile(rf"(?<!\w)(?:{frm})\s+ngay\s+(?P<d1>\d{{1,2}}){to}(?:het\s+)?(?:ngay\s+)?"
                           rf"(?P<d2>\d{{1,2}})\s*(?:/|\s+thang\s+)(?P<m>\d{{1,2}})"
                           rf"(?:\s*(?:/|,?\s*nam)\s*(?P<y>{y4}))?(?!\d)"), requires=rf"ngay\s+\d{{1,2}}{to}"),
        "years": Skipping(re.compile(rf"(?<!\w)(?P<pre>(?:{_alt(v['year_span_before'])})\s+)?(?P<y1>{y4})"
                                     rf"\s*(?:-|–|den(?:\s+(?:het\s+)?nam)?)\s*(?P<y2>{y4})(?![\d/])"),
                          rf"(?:{_alt(v['year_span_before'])})\s+{y4}", rf"{y4}\s*(?:-|–|den)"),
        "open": Skipping(re.compile(rf"(?<!\w)(?:{frm})\s+(?:{q1}|{mon4}|nam\s+(?P<y3>{y4})(?!\d))")),
        "open_after": re.compile(rf"(?:q(?<!\wq)uy\s+(?P<q>iv|iii|ii|i|[1-4])\s*(?:/|,?\s*nam)\s*|n(?<!\wn)am\s+|\(\s*)(?P<y>{y4})"
                                 rf"\s*(?:{_alt(v['open_after'])})(?!\w)"),
        "cited": re.compile(rf"(?<!\w)(?:{_alt(v['year_span_cited'])})(?!\w)"),
        "year_due": Skipping(re.compile(rf"(?<!\w)(?P<w>{_alt(v['year_due_before'])})\s+(?P<y>{y4})(?![\d/])")),
    }


@cache
def _regime_units() -> dict[str, str]:
    return {fold(k): v for k, v in vocab()["regime_units"].items()}


@cache
def _regime_re() -> Skipping:
    """"<period> (trước ngày D[/M] ...)": a period of a reporting regime and its due day (dates.yaml)."""
    units = _alt(sorted(_regime_units(), key=len, reverse=True))
    due = _alt(fold(w) for w in vocab()["regime_due"])
    periodic = vocab()["ocr"]["periodic"]
    return Skipping(re.compile(rf"(?<!\w)(?:{periodic}\s+)?(?P<unit>{units})\s*\(\s*(?:{due})\s+"
                               rf"(?:ngay\s+)?(?P<d>\d{{1,2}})(?:\s*(?:/|\s+thang\s+)(?P<m>\d{{1,2}}))?(?![\d/])"
                               rf"[^()]{{0,30}}\)"), periodic, rf"(?:{units})\s*\(", requires=rf"\(\s*(?:{due})\s+")


#: The start of a month range before a month of a relative year ("từ tháng 10 đến tháng 4 năm sau").
_SEASON_START = re.compile(r"thang(?:\s+\d{1,2})?\s+(?:den|toi)(?:\s+het)?\s+$")


def _quarter(token: str) -> int:
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(token) or int(token)


def _spans(folded: str, doc_year: int | None, free, completion: bool, bare_year: str = "due") -> list[Expr]:
    """Spans that the single-date passes would cut in two: "Từ quý III/2026 đến quý III/2027" (closed),
    "từ ngày 03 đến ngày 05 tháng 9 năm 2026", "Năm 2025 - 2026", "từ năm 2026" and
    "năm 2025 và các năm tiếp theo" (open). In a completion cell a bare year is due at its end."""
    p, out = _span_patterns(), _Found()

    def add(x: Expr) -> None:
        if free(x.start, x.end) and not out.spans.overlaps(x.start, x.end):
            out.append(x)

    for m in p["quarters"].finditer(folded):
        y2 = m.group("y2") or m.group("yo")
        y1 = m.group("y1") or y2 or doc_year
        if not y1 or not (y2 or doc_year):
            continue
        a = quarter_range(_quarter(m.group("q1")), int(y1))[0]
        b = (quarter_range(_quarter(m.group("q2")), int(y2 or doc_year))[1] if m.group("q2")
             else dt.date(int(m.group("yo")), 12, 31))
        if a <= b:
            add(Expr(m.start(), m.end(), "period", a, b, confidence=0.85))
    for m in p["months"].finditer(folded):
        m1, m2, y2 = int(m.group("m1")), int(m.group("m2")), int(m.group("y2"))
        y1 = int(m.group("y1") or y2)
        if 1 <= m1 <= 12 and 1 <= m2 <= 12 and dt.date(y1, m1, 1) <= dt.date(y2, m2, 1):
            add(Expr(m.start(), m.end(), "period", dt.date(y1, m1, 1), month_end(y2, m2), confidence=0.8))
    for m in p["days"].finditer(folded):
        y = int(m.group("y")) if m.group("y") else doc_year
        try:
            a, b = dt.date(y, int(m.group("m")), int(m.group("d1"))), dt.date(y, int(m.group("m")), int(m.group("d2")))
        except (TypeError, ValueError):
            continue
        if a <= b:
            add(Expr(m.start(), m.end(), "period", a, b, confidence=0.85))
    seen_years: set[tuple[int, int]] = set()
    for m in p["years"].finditer(folded):
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        bracketed = (re.search(r"\(\s*[^()]{0,16}$", folded[max(0, m.start() - 18):m.start()]) is not None
                     and folded[m.end():m.end() + 3].lstrip().startswith(")"))     # "... tích hợp (2025 - 2030)"
        if not (m.group("pre") or completion or bracketed) or not y1 <= y2 <= y1 + 30:
            continue
        if not completion and doc_year and y1 < doc_year:
            continue                           # a period under review, not the plan's own
        if not completion and not bracketed:   # "(2027 - 2030)" closing an item is that item's own time
            line = folded[max(folded.rfind("\n", max(0, m.start() - 150), m.start()) + 1, m.start() - 150):m.start()]
            if ((y1, y2) in seen_years and not _own_line(folded, m.start(), m.end())) or p["cited"].search(line) \
                    or folded[m.end():m.end() + 2].strip()[:1] == ":":
                continue
            seen_years.add((y1, y2))
        if _completed_within(folded, m.start()):        # "Hoàn thành trong giai đoạn 2026 - 2027": due at its end
            add(Expr(m.start(), m.end(), "due", dt.date(y2, 12, 31), confidence=0.75))
            continue
        add(Expr(m.start(), m.end(), "period", dt.date(y1, 1, 1), dt.date(y2, 12, 31), confidence=0.75))
    for m in p["open_after"].finditer(folded):
        start = (quarter_range(_quarter(m.group("q")), int(m.group("y")))[0] if m.group("q")
                 else dt.date(int(m.group("y")), 1, 1))
        add(Expr(m.start(), m.end(), "period", start, confidence=0.8))
    for m in p["open"].finditer(folded):
        if re.match(r"\s*(?:den|toi|-|–)\s*(?:het\s+)?(?:thang|quy)\s+\w", folded[m.end():m.end() + 20]):
            continue                           # "(từ tháng 3 đến tháng 10)": a closed span without its year
        if m.group("q1") and (m.group("y1") or doc_year):
            start = quarter_range(_quarter(m.group("q1")), int(m.group("y1") or doc_year))[0]
        elif m.group("m4") and (m.group("y4") or doc_year) and 1 <= int(m.group("m4")) <= 12:
            start = dt.date(int(m.group("y4") or doc_year), int(m.group("m4")), 1)
        elif m.group("y3"):
            start = dt.date(int(m.group("y3")), 1, 1)
        else:
            continue
        add(Expr(m.start(), m.end(), "period", start, confidence=0.8))
    for m in p["year_due"].finditer(folded):
        add(Expr(m.start(), m.end(), "due", dt.date(int(m.group("y")), 12, 31), confidence=0.75))
    _year_phrases(folded, add)
    if completion:
        for m in re.finditer(r"(?<![\w/.])(?:nam\s+)?(?P<y>(?:19|20)\d{2})(?![\d/])", folded):
            if re.search(r"(?:quy|thang)\s+\w{1,3}\s*,?\s*$", folded[max(0, m.start() - 12):m.start()]):
                continue
            y = int(m.group("y"))
            if bare_year == "period":
                add(Expr(m.start(), m.end(), "period", dt.date(y, 1, 1), dt.date(y, 12, 31), confidence=0.75))
            else:
                add(Expr(m.start(), m.end(), "due", dt.date(y, 12, 31), confidence=0.75))
    return out


@cache
def _completion_before_re() -> re.Pattern:
    return re.compile(rf"(?<!\w)(?:{_alt(vocab()['completion_before_span'])})(?:\s+\S+){{0,2}}?\s+$")


def _completed_within(folded: str, start: int) -> bool:
    """A year span right after a completion word of its clause ("hoàn thành (đầu tư) trong giai đoạn ...")."""
    before = folded[max(0, start - 40):start]
    cut = max(before.rfind(c) for c in ".;,\n")
    return _completion_before_re().search(before[cut + 1:]) is not None


@cache
def _year_phrase_re() -> tuple[Skipping, re.Pattern]:
    v = vocab()
    groups = "|".join(rf"(?P<{k}>{_alt(w)})" for k, w in v["year_phrases"].items())
    year = Skipping(re.compile(rf"(?<!\w)(?:{groups})\s*(?P<y>(?:19|20)\d{{2}})(?![\d/]|\s*[-–]\s*(?:19|20)\d{{2}})"),
                    _alt([w for words in v["year_phrases"].values() for w in words]))   # no groups: `re` skips to them
    return year, re.compile(rf"(?<!\w)(?:{_alt(v['year_events'])})(?!\w)")


def _year_phrases(folded: str, add) -> None:
    """Years dated by the words before them (dates.yaml: year_phrases)."""
    year, events = _year_phrase_re()
    for m in year.finditer(folded):
        y = int(m.group("y"))
        clause = folded[max(folded.rfind("\n", 0, m.start()) + 1, m.start() - 120):m.start()]
        clause = re.split(r"[;.]", clause)[-1]
        if m.group("due_prev"):
            add(Expr(m.start(), m.end(), "due", dt.date(y - 1, 12, 31), confidence=0.7))
        elif m.group("due_end"):
            add(Expr(m.start(), m.end(), "due", dt.date(y, 12, 31), confidence=0.7))
        elif m.group("period"):
            add(Expr(m.start(), m.end(), "period", dt.date(y, 1, 1), dt.date(y, 12, 31), confidence=0.7))
        elif m.group("open_next"):
            add(Expr(m.start(), m.end(), "period", dt.date(y + 1, 1, 1), confidence=0.7))
        elif m.group("end_of") and events.search(clause):
            add(Expr(m.start(), m.end(), "scheduled", dt.date(y, 12, 31), confidence=0.7))
        elif m.group("event") and events.search(clause):
            add(Expr(m.start(), m.end(), "scheduled", dt.date(y, 1, 1), dt.date(y, 12, 31), confidence=0.7))


#: A period printed on a line of at most this many characters is a table's time cell, not a restatement.
TIME_CELL_CHARS = 48


def _own_line(folded: str, a: int, b: int) -> bool:
    """The match [a, b) fills a short line of its own ("Giai đoạn 2026 - 2030" in a flattened table): the
    time cell of one row, which governs that row's task even when the plan's period was printed before."""
    start = folded.rfind("\n", 0, a) + 1
    end = folded.find("\n", b)
    end = len(folded) if end < 0 else end
    return end - start <= TIME_CELL_CHARS


def completion_expressions(text: str, doc_year: int | None, bare_year: str = "due") -> list[Expr]:
    """Time expressions of a task table's time cell ("Quý I/2026", "Tháng 6/2026", "Năm 2026"):
    a single quarter, month or year is `due` on its last day; spans stay periods. `bare_year="period"`:
    the column gives the time of the work ("Thời gian thực hiện"), where a year alone is the year it
    takes place. New Expr objects on every call, read from a memo: time cells repeat (84 texts in 277
    cells of the dev plans)."""
    return [replace(x) for x in _completion_expressions(text, doc_year, bare_year)]


@lru_cache(maxsize=2048)
def _completion_expressions(text: str, doc_year: int | None, bare_year: str) -> tuple[Expr, ...]:
    out = []
    for x in find_expressions(text, doc_year, completion=True, bare_year=bare_year):
        if x.kind == "scheduled" and x.date_end is not None:
            x.kind, x.date, x.date_end = "due", x.date_end, None
        elif x.kind == "period" and x.date and x.date_end and x.date.day == 1 and x.date_end == month_end(
                x.date.year, x.date.month):
            x.kind, x.date, x.date_end = "due", x.date_end, None
        out.append(x)
    return tuple(out)


def find_expressions(text: str, doc_year: int | None, masks: list[tuple[int, int]] | None = None,
                     completion: bool = False, bare_year: str = "due") -> list[Expr]:
    """All time expressions of `text` (pure; `masks` are spans to ignore, e.g. legal references).
    `completion`: the text is a completion-time cell, where a bare year is a due date."""

    folded = fold(text)
    masks = masks or []
    p, r = _patterns(), _marker_res()
    found = _Found()
    masked = _Spans(masks)

    def free(s: int, e: int) -> bool:
        return not masked.overlaps(s, e) and not found.spans.overlaps(s, e)

    found.extend(_spans(folded, doc_year, free, completion, bare_year))
    dates = find_dates(folded)

    # a reporting regime: "hàng tháng (trước ngày 18 hàng tháng), 6 tháng (trước ngày 18/5), tổng kết năm
    # (trước ngày 30/11 hàng năm)": each period with its own due day as the anchor
    units = _regime_units()
    for m in _regime_re().finditer(folded):
        if not free(m.start(), m.end()):
            continue
        day, month = int(m.group("d")), m.group("m")
        rec = units[" ".join(m.group("unit").split())]
        if not 1 <= day <= 31 or (month and not 1 <= int(month) <= 12):
            continue
        anchor = f"{int(month):02d}-{day:02d}" if month else f"{day:02d}"
        found.append(Expr(m.start(), m.end(), "recurring", recurrence=rec, anchor=anchor, confidence=0.85))

    # "trước ngày 20 hằng tháng": monthly, the day is the anchor (the "hằng tháng" inside is not found again)
    for m in p["monthly_day"].finditer(folded):
        if free(m.start(), m.end()) and 1 <= int(m.group("d")) <= 31:
            found.append(Expr(m.start(), m.end(), "recurring", recurrence="monthly", anchor=f"{int(m.group('d')):02d}",
                              confidence=0.85))

    # "trong thời hạn 30 ngày kể từ ngày ban hành Kế hoạch": due that many days after the document's date
    for m in p["after_issue"].finditer(folded):
        if free(m.start(), m.end()):
            found.append(Expr(m.start(), m.end(), "due", after_days=int(m.group("n")), confidence=0.8))

    # ranges "từ 01/01/2021 đến 30/9/2021"
    for d1 in dates:
        m = r["to"].match(folded, d1.end)
        if not m:
            continue
        d2 = date_at(folded, m.end())
        if not d2 or not free(d1.start, d2.end):
            continue
        start = _marker_start(folded, d1.start, r["from"])
        a, b = d1.resolve(doc_year), d2.resolve(doc_year)
        if a and b and a <= b:
            found.append(Expr(start, d2.end, "period", a, b, confidence=0.9))

    # "8h30’ ngày 26/10/2021"
    for m in p["time"].finditer(folded):
        d = date_at(folded, m.end())
        if not d or not free(m.start(), d.end):
            continue
        h, mi = int(m.group("h")), int(m.group("mi") or 0)
        if h > 23 or mi > 59:
            continue
        due = r["due"].search(_before(folded, m.start()))
        kind = "due" if due else "scheduled"
        start = _marker_start(folded, m.start(), r["due"]) if due else m.start()
        found.append(Expr(start, d.end, kind, d.resolve(doc_year), time=f"{h:02d}:{mi:02d}",
                          relative=d.relative, confidence=0.9))

    # single dates
    for d in dates:
        if not free(d.start, d.end):
            continue
        before = _before(folded, d.start)
        if r["suppress_before"].search(before) or r["suppress_after"].match(folded, d.end):
            masks.append((d.start, d.end))
            masked.add(d.start, d.end)
            continue
        value = d.resolve(doc_year)
        if value is None:
            continue
        start = d.start
        now = r["from_now"].search(before)
        if now:                        # "từ nay đến ngày 31/12/2021": a period from the document's date
            found.append(Expr(d.start - len(before) + now.start("w"), d.end, "period", None, value,
                              from_now=True, confidence=0.85))
            continue
        if r["due"].search(before):
            kind, start = "due", _marker_start(folded, d.start, r["due"])
        elif r["from"].search(before):
            kind, start = "period", _marker_start(folded, d.start, r["from"])
            if _ready_from(folded, start):
                kind = "due"           # "vận hành từ ngày 01/7/2026": in place by then (ANNOTATION.md, hard case 3)
        else:
            kind = "scheduled"
        found.append(Expr(start, d.end, kind, value, relative=d.relative, confidence=0.85))

    # month lists "vào tháng 4 và tháng 8 năm 2026": one row per month
    for m in p["month_list"].finditer(folded):
        if not free(m.start(), m.end()) or r["from"].search(_before(folded, m.start())):
            continue
        year, kind = int(m.group("y")), "due" if r["due"].search(_before(folded, m.start())) else "scheduled"
        months = [int(x) for x in re.findall(r"\d{1,2}", m.group("ms"))]
        if all(1 <= x <= 12 for x in months):
            for x in months:
                first = None if kind == "due" else dt.date(year, x, 1)
                found.append(Expr(m.start(), m.end(), kind, first or month_end(year, x),
                                  None if kind == "due" else month_end(year, x), confidence=0.75))

    # months "đến hết tháng 9/2021"
    for m in p["month"].finditer(folded):
        if not free(m.start(), m.end()):
            continue
        rel = m.group("rel")
        if rel and (doc_year is None or _SEASON_START.search(_before(folded, m.start()))):
            continue                   # "từ tháng 10 đến tháng 4 năm sau": a season of every year, no deadline
        year, month = int(m.group("y")) if m.group("y") else doc_year + _relative_offset(rel), int(m.group("m"))
        if not 1 <= month <= 12:
            continue
        if r["due"].search(_before(folded, m.start())):
            found.append(Expr(_marker_start(folded, m.start(), r["due"]), m.end(), "due", month_end(year, month),
                              relative=bool(rel), confidence=0.8))
        else:                          # "tổ chức hội nghị vào tháng 9/2025": an event over the month
            kind = "scheduled" if r["scheduled"].search(_before(folded, m.start())) else "period"
            found.append(Expr(m.start(), m.end(), kind, dt.date(year, month, 1), month_end(year, month),
                              relative=bool(rel), confidence=0.75))

    # quarters
    quarters = list(p["quarter"].finditer(folded))
    due_list = False              # "hoàn thành trong Quý I và Quý II năm 2026": the due marker covers the list
    for i, m in enumerate(quarters):
        q_raw = text[m.start("q"):m.end("q")]
        if not q_raw[:1].isupper() and not q_raw[:1].isdigit():
            continue
        if text[m.start():m.start() + 3].lower() not in _quarter_forms():
            continue
        q = {str(k): v for k, v in vocab()["quarters"].items()}.get(q_raw)
        listed = i > 0 and _joined(folded, quarters[i - 1].end(), m.start())
        nxt = quarters[i + 1] if i + 1 < len(quarters) and _joined(folded, m.end(), quarters[i + 1].start()) else None
        year = int(m.group("y")) if m.group("y") else (int(nxt.group("y")) if nxt is not None and nxt.group("y")
                                                        else doc_year)
        if not q or not year or not free(m.start(), m.end()):
            continue
        a, b = quarter_range(int(q), year)
        due_list = bool(r["due"].search(_before(folded, m.start()))) or (listed and due_list) or (
            not listed and _completed_in(folded, m.start()))
        if due_list:
            found.append(Expr(_marker_start(folded, m.start(), r["due"]), m.end(), "due", b,
                              relative=not m.group("y"), confidence=0.85))
        else:
            found.append(Expr(m.start(), m.end(), "scheduled", a, b, relative=not m.group("y"), confidence=0.8))

    # "6 tháng cuối năm 2024"
    for m in p["year_part"].finditer(folded):
        n = _number(m.group("n"))
        part = {fold(k): v for k, v in vocab()["year_part"].items()}[m.group("part")]
        year = int(m.group("y")) if m.group("y") else (doc_year + _relative_offset(m.group("rel"))
                                                       if doc_year and m.group("rel") else doc_year)
        rng = year_part_range(n, part, year) if n and year else None
        if rng and free(m.start(), m.end()) and _completed_in(folded, m.start()):
            found.append(Expr(m.start(), m.end(), "due", rng[1], confidence=0.8))   # "hoàn thành trong 6 tháng đầu năm"
        elif rng and free(m.start(), m.end()):
            found.append(Expr(m.start(), m.end(), "period", *rng, confidence=0.8))

    # recurrences: "Hàng quý", "Định kỳ hàng năm", "Hàng tháng, quý", "Sáu tháng một lần", "định kỳ"
    for m in p["each"].finditer(folded):
        if not free(m.start(), m.end()):
            continue
        if not m.group("per") and _benefit(folded, m.start()):
            continue
        recs = [x for x in [_unit_recurrence(m.group("u"))] + _more_recurrences(m.group("more") or "") if x]
        for i, rec in enumerate(dict.fromkeys(recs)):
            found.append(Expr(m.start(), m.end(), "recurring", recurrence=rec, confidence=0.85,
                              absorbable=(i == len(recs) - 1)))
    for m in p["periodic_months"].finditer(folded):
        rec = {int(k): v for k, v in vocab()["recurrence_months"].items()}.get(_number(m.group("n")) or -1)
        if rec and free(m.start(), m.end()):
            found.append(Expr(m.start(), m.end(), "recurring", recurrence=rec, confidence=0.85, absorbable=True))
    for m in p["interval"].finditer(folded):
        n = _number(m.group("n"))
        rec = {int(k): v for k, v in vocab()["recurrence_months"].items()}.get(n or -1)
        if rec and free(m.start(), m.end()):
            found.append(Expr(m.start(), m.end(), "recurring", recurrence=rec, confidence=0.85, absorbable=True))
    if vocab().get("periodic_alone"):
        for m in p["periodic"].finditer(folded):
            if free(m.start(), m.end()) and _periodic_as_printed(text[m.start():m.end()]):
                found.append(Expr(m.start(), m.end(), "recurring", confidence=0.6, absorbable=True))

    found = sorted(found, key=lambda x: (x.start, x.end))
    return _merge_recurrences(found, folded)


def _periodic_as_printed(surface: str) -> bool:
    """A bare "định kỳ" as printed: text with its marks must spell it ("quy định kỹ thuật" is no
    recurrence); text that lost them (OCR) matches by its letters."""
    if surface.isascii():
        return True
    return " ".join(marked_form(w) for w in surface.split()) in _periodic_forms()


@cache
def _periodic_forms() -> frozenset[str]:
    return frozenset(" ".join(marked_form(w) for w in p.split()) for p in vocab()["periodic_printed"])


def _sentence_bounds(folded: str, pos: int) -> tuple[int, int]:
    s = max(folded.rfind("\n", 0, pos), folded.rfind(". ", 0, pos), folded.rfind("; ", 0, pos)) + 1
    e = min([i for i in (folded.find("\n", pos), folded.find(". ", pos)) if i >= 0] or [len(folded)])
    return s, e


class _SentenceBounds:
    """`_sentence_bounds` for many positions of one text: the breaks are found once, then bisected."""

    def __init__(self, folded: str):
        self.n = len(folded)
        self.nl = [m.start() for m in re.finditer(r"\n", folded)]
        self.dot = [m.start() for m in re.finditer(r"\. ", folded)]
        self.semi = [m.start() for m in re.finditer(r"; ", folded)]

    @staticmethod
    def _last(xs: list[int], limit: int) -> int:
        k = bisect.bisect_right(xs, limit) - 1
        return xs[k] if k >= 0 else -1

    @staticmethod
    def _first(xs: list[int], pos: int) -> int | None:
        k = bisect.bisect_left(xs, pos)
        return xs[k] if k < len(xs) else None

    def __call__(self, pos: int) -> tuple[int, int]:
        s = max(self._last(self.nl, pos - 1), self._last(self.dot, pos - 2), self._last(self.semi, pos - 2)) + 1
        e = min([i for i in (self._first(self.nl, pos), self._first(self.dot, pos)) if i is not None] or [self.n])
        return s, e


def _merge_recurrences(found: list[Expr], folded: str) -> list[Expr]:
    """A recurrence followed by an anchored date ('Định kỳ hàng năm, trước ngày 05 tháng 01 năm sau')
    is one recurring row; later relative dates of the same sentence recur the same way."""
    out: list[Expr] = []
    absorbed: set[int] = set()
    bounds = _SentenceBounds(folded)
    rec_all = [(j, y) for j, y in enumerate(found) if y.kind == "recurring" and y.recurrence]
    rec_starts = [y.start for _, y in rec_all]          # found is sorted by start

    def recurrences(a: int, b: int) -> list[tuple[int, Expr]]:
        return rec_all[bisect.bisect_left(rec_starts, a):bisect.bisect_left(rec_starts, b)]

    for i, x in enumerate(found):
        if x.kind == "recurring" or not x.relative or x.date is None:
            continue
        s, e = bounds(x.start)
        recs = recurrences(s, min(e, x.start))
        after = recurrences(x.end, e)
        if not recs and not after:
            continue
        j, rec = recs[-1] if recs else after[0]
        x.kind, x.recurrence = "recurring", rec.recurrence
        x.anchor = f"{x.date.month:02d}-{x.date.day:02d}" if x.date_end is None else (
            f"{x.date_end.month:02d}-{x.date_end.day:02d}")       # "quý III hằng năm": by its last day
        x.date = x.date_end = None     # ANNOTATION.md: a recurring row has no date, its due day is the anchor
        between = folded[rec.end:x.start] if rec.end <= x.start else folded[x.end:rec.start]
        if rec.absorbable and re.fullmatch(r"[\s,]*(?:[a-z ]{0,25})", between) and j not in absorbed:
            absorbed.add(j)
            x.start, x.end = min(x.start, rec.start), max(x.end, rec.end)
    for j, x in enumerate(found):
        if j not in absorbed:
            out.append(x)
    return out


# ---------------------------------------------------------------- rows


def _masks(doc: Document) -> list[tuple[int, int]]:
    """Spans whose dates are not deadlines: header, legal references (with their dates), own date."""
    from extractors import legal_refs

    masks = [(s.char_start, s.char_end) for s in doc.sections if s.kind == "header"]
    for c in legal_refs.find_citations(doc.text):
        masks.append((c.start, c.tail))
        if c.date_span:
            masks.append(c.date_span)
    issue = (doc.meta or {}).get("issue_date")
    if isinstance(issue, dt.date):
        folded = legal_refs.fold(doc.text[:1500])
        for d in find_dates(folded):
            if d.resolve(None) == issue and re.search(r"\w,\s*$", folded[max(0, d.start - 4):d.start]):
                masks.append((d.start, d.end))     # "Hà Nội, ngày 16 tháng 11 năm 2018"
    return masks


#: A period that starts this many years before the document's year is history (an anniversary), not work.
HISTORY_YEARS = 10


def extract(doc: Document) -> list[dict]:
    """One row per time expression governing an obligation or event (see module doc)."""
    year = document_year(doc)
    rows, seen = [], Counter()
    issue = (doc.meta or {}).get("issue_date")
    for x in find_expressions(doc.text, year, _masks(doc)):
        if x.kind == "scheduled" and isinstance(issue, dt.date) and (x.date_end or x.date or issue) < issue:
            continue                           # an event before the document: history, not a deadline
        if x.kind in ("period", "due") and year and x.date and x.date.year < year - HISTORY_YEARS:
            continue                           # "06/01/1946 - 06/01/2026", "sử dụng ổn định trước ngày 15/10/1993":
                                               # an anniversary's span or a condition on the past, not work
        if x.from_now:
            x.date = issue if isinstance(issue, dt.date) else None
        if x.after_days is not None:
            if not isinstance(issue, dt.date):
                continue
            x.date = issue + dt.timedelta(days=x.after_days)
        section = doc.section_at(x.start, x.end)
        if section is not None and section.kind in ("header", "signature", "recipients"):
            continue
        prov = doc.provenance(x.start, x.end)
        key = (x.kind, x.date, x.date_end, x.time, x.recurrence, x.anchor, prov["section_id"])
        seen[key] += 1
        rows.append({
            "deadline_id": row_id(doc.doc_id, "deadlines", *key, seen[key]),
            **prov,
            "confidence": x.confidence,
            "kind": x.kind,
            "date": x.date,
            "date_end": x.date_end,
            "time": x.time,
            "recurrence": x.recurrence,
            "recurrence_anchor": x.anchor,
            "expression": " ".join(doc.text[x.start:x.end].split()),
            "task": prov["sentence"],
            "agency_ids": [],
            "task_id": None,
        })
    return rows
