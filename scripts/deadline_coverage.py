"""Coverage study of the deadline extractor on the language-model corpus (not evaluation data).

Reads lines 1-49,245 of /work/shared/lm-corpus/admin-legal.txt.gz (provincial and city documents of 2025, one
paragraph per line; see its README.md) and keeps the lines with a cue of an obligation's time: "chủ trì",
"hoàn thành", "trước ngày", "thời gian", "thời hạn", "định kỳ", "hằng"/"hàng", "quý", "tháng". On each it
compares

  candidates  time phrases found by a deliberately broad pattern written independently of
              extractors/deadlines.py: dates (ngày 15/3/2026, 15 tháng 3 năm 2026, ngày 15/3), months
              (tháng 9/2026, tháng 9 năm 2026, trong tháng 9), quarters (quý III/2026, quý 3), years after
              a time word (trong năm 2026, trước năm 2027, cuối năm 2026), year ranges (giai đoạn 2026 -
              2030, năm 2026-2027), parts of a year (6 tháng đầu năm, cuối năm, đầu quý), recurrences
              (hằng tháng, hàng quý, định kỳ, 6 tháng một lần), day counts (trong 30 ngày, trước 05 ngày);
  extractor   the rows of `extractors.deadlines.extract` on the line as a one-page document dated
              2025-01-01 (so relative dates resolve; no sections).

A candidate inside a legal reference (its number, date, issuer, subject: the extractor masks those on
purpose) is not counted. A candidate is `found` when an extractor row's span overlaps it, else `missed`.
Misses that ANNOTATION.md gives no row by their family (`convention`: a recurring benefit or funding source, a
target horizon, a duration without a date, the period of a cited name) are counted apart. Misses are grouped
into families: the candidate's shape (digits as 9, Roman numerals as R) with the one or
two words before it (the cue that decides its kind), and a frequency table with up to three examples per
family is printed. ANNOTATION.md gives no row for some of them (target horizons "đến năm 2030", cited
periods, durations without a date, eligibility dates): the table is read, not scored.

Usage:
    PYTHONPATH=. .venv/bin/python scripts/deadline_coverage.py [--top 50] [--json counts.json]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))    # after PYTHONPATH: main's code can be measured too

from extractors import deadlines, legal_refs                          # noqa: E402
from pipeline.model import Document, Page, RawDocument                # noqa: E402
from scripts.corpus_lines import check_lines                         # noqa: E402

CORPUS = Path("/work/shared/lm-corpus/admin-legal.txt.gz")
LOCAL_LINES = 49_245
ISSUE = dt.date(2025, 1, 1)

CUES = re.compile(r"(?i)chủ trì|hoàn thành|trước ngày|thời gian|thời hạn|định kỳ|hằng|hàng|quý|tháng")
Y = r"(?:19|20)\d\d"
ROMAN = r"(?:IV|I{1,3}|[1-4])"
CANDIDATE = re.compile("|".join([
    rf"(?P<date>(?:ngày\s+)?\d{{1,2}}\s?[/.\-]\s?\d{{1,2}}\s?[/.\-]\s?{Y}|ngày\s+\d{{1,2}}\s+tháng\s+\d{{1,2}}(?:\s*,?\s*năm\s+(?:{Y}|sau|nay|tới))?"
    rf"|ngày\s+\d{{1,2}}\s?/\s?\d{{1,2}}(?![/\d]))",
    rf"(?P<month>tháng\s+\d{{1,2}}(?:\s*(?:/|,?\s*năm\s+){Y}|(?:\s*(?:,|và|hoặc)\s*\d{{1,2}})*(?:\s*,?\s*năm\s+(?:sau|nay|tới|{Y}))?))",
    rf"(?P<quarter>(?i:quý)\s+{ROMAN}(?![\w])(?:\s*(?:/|,?\s*năm\s+){Y})?)",
    rf"(?P<yrange>(?:giai đoạn|năm|từ năm|các năm)\s+{Y}\s*[-–]\s*{Y})",
    rf"(?P<year>(?:trong|trước|cuối|đầu|giữa|hết|hoàn thành|từ|sau|vào|đến)\s+năm\s+{Y})",
    r"(?P<part>(?:\d{1,2}|sáu|ba|chín)\s+tháng\s+(?:đầu|cuối)\s+năm(?:\s+(?:\d{4}|sau|nay))?"
    r"|(?:cuối|đầu|giữa)\s+(?:năm|quý|tháng)(?!\s+\d)(?:\s+(?:sau|nay|tới))?)",
    r"(?P<recur>(?i:hằng|hàng)\s+(?:ngày|tuần|tháng|quý|năm)|(?i:định kỳ)|(?:\d{1,2}|sáu|ba)\s+tháng\s+(?:một|1)\s+lần)",
    r"(?P<days>(?:trong|trước|sau|chậm nhất)\s+(?:(?:thời hạn|vòng|thời gian)\s+)?\d{1,3}\s+ngày(?:\s+làm\s+việc)?)",
]))


def _document(line: str) -> Document:
    raw = RawDocument(source_path="line.txt", sha256=hashlib.sha256(line.encode("utf-8")).hexdigest(),
                      file_type="txt", pages=[Page(1, line)])
    return Document(raw=raw, text=line, raw_text=line, sections=[], meta={"doc_number": "-", "issue_date": ISSUE})


def _shape(s: str) -> str:
    s = re.sub(r"\d+", "9", s)
    s = re.sub(r"(?<=[Qq]uý )(?:IV|I{1,3})(?!\w)", "R", s)
    return " ".join(s.lower().split())


def convention(line: str, m: re.Match) -> str | None:
    """Why ANNOTATION.md gives the candidate no row, when its family says so (else None): a benefit or a
    funding source that recurs ("trợ cấp hằng tháng", "ngân sách hằng năm"), a target horizon ("đến năm
    2030"), a duration without a date ("trong thời hạn 05 ngày làm việc"), a period inside a cited name
    ("Chương trình … giai đoạn 2021 - 2025")."""
    before = legal_refs.fold(line[max(0, m.start() - 40):m.start()])
    kind, text = m.lastgroup, legal_refs.fold(m.group(0))
    if kind == "recur" and any(legal_refs.fold(w) in before for w in deadlines.vocab()["benefit_words"]
                               + ["tro cap", "luong huu", "ngan sach", "vien tro", "ho tro"]):
        return "benefit or funding"
    if kind == "year" and text.startswith("den nam"):
        return "target horizon"
    if kind == "days" and "ke tu ngay ban hanh" not in legal_refs.fold(line[m.end():m.end() + 40]):
        return "duration without a date"
    if kind == "yrange" and text.startswith("giai doan") and re.search(r"[^\W\d_]{2,}\s*$", before):
        return "period of a cited name"
    return None


def family(line: str, m: re.Match) -> str:
    before = line[max(0, m.start() - 40):m.start()]
    words = re.findall(r"[^\W\d_]+", before.lower())[-2:]
    return f"{m.lastgroup}: [{' '.join(words)}] {_shape(m.group(0))}"


def read_lines():
    """(line number, text) of lines 1-49,245, without the check plans' own lines (scripts/corpus_lines.py)."""
    held = check_lines()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if i > LOCAL_LINES:
                return
            if " ".join(line.split()) not in held:
                yield i, line.rstrip("\n")


def study(examples: int = 3):
    counts = Counter()
    fams, ex = Counter(), defaultdict(list)
    kinds = Counter()
    for no, line in read_lines():
        if not CUES.search(line) or not re.search(r"\d|hằng|hàng|định kỳ|cuối|đầu|giữa", line, re.I):
            continue
        cands = list(CANDIDATE.finditer(line))
        if not cands:
            continue
        counts["lines"] += 1
        masks = [(c.start, c.tail) for c in legal_refs.find_citations(line)]
        rows = deadlines.extract(_document(line))
        for r in rows:
            kinds[r["kind"]] += 1
        for m in cands:
            if any(s <= m.start() < e or s < m.end() <= e for s, e in masks):
                counts["in a legal reference"] += 1
                continue
            counts["candidates"] += 1
            counts[f"candidates: {m.lastgroup}"] += 1
            if any(r["char_start"] < m.end() and r["char_end"] > m.start() for r in rows):
                counts["found"] += 1
                continue
            counts["missed"] += 1
            counts[f"missed: {m.lastgroup}"] += 1
            why = convention(line, m)
            counts[f"missed, no row by convention: {why}" if why else "missed, other"] += 1
            fam = f"({why}) " * bool(why) + family(line, m)
            fams[fam] += 1
            if len(ex[fam]) < examples:
                s = max(0, m.start() - 60)
                ex[fam].append(f"L{no}: …{' '.join(line[s:m.end() + 40].split())}…")
    counts.update({f"rows: {k}": v for k, v in kinds.items()})
    return counts, fams, ex


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--top", type=int, default=50, help="families shown")
    ap.add_argument("--json", help="write the counts and families to this file")
    a = ap.parse_args(argv)
    t0 = time.time()
    counts, fams, ex = study()
    for k in sorted(counts):
        print(f"  {k:32} {counts[k]:7}")
    n = counts["candidates"] or 1
    print(f"  found share {counts['found'] / n:.3f}")
    print(f"\n== missed: {sum(fams.values())} in {len(fams)} families; top {a.top}")
    for name, k in fams.most_common(a.top):
        print(f"{k:6}  {name}")
        for e in ex[name]:
            print(f"          {e[:220]}")
    print(f"\n({time.time() - t0:.0f} s)")
    if a.json:
        Path(a.json).write_text(json.dumps({"counts": dict(counts), "families": dict(fams)}, ensure_ascii=False,
                                           indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
