"""Targets: one row per quantitative target or stated figure (DESIGN.md, table `targets`).

Like eyecite, three small steps:
  find_figures   numbers with a unit ("91,5%", "62 người", "mức độ 4"), ranges, comparators;
  describe       what each figure is about, read from its clause, its sentence, the
                 lead-in line it hangs from ("... như sau:") and its enclosing headings,
                 nearest first: indicator, base, population group, place, time,
                 assigning document and kind (target | baseline | actual);
  extract        rows with provenance and a stable id.
Patterns match diacritic-folded text (`fold`), so OCR text that lost its marks still
matches. Vocabularies are data: extractors/data/indicators.yaml and targets_*.yaml.

A range "từ 80% đến 85%" is comparator `ge` with `value_max` set.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.model import Document, clip_sentence, row_id
from pipeline.params import read_yaml
from pipeline.text import Skipping, fold

DATA = Path(__file__).parent / "data"
TABLE = "targets"

# ---------------------------------------------------------------- folding


def fold_pattern(pattern: str) -> str:
    """A regular expression from a data file, folded like the text it is matched against."""
    return fold(pattern).replace("(?p<", "(?P<")


def _phrase_regex(phrases: list[str]) -> re.Pattern:
    """Whole-word alternation of folded phrases (written with marks in the data files)."""
    alts = sorted({re.escape(fold(p)) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)")


# ---------------------------------------------------------------- vocabularies


def _load(name: str) -> dict:
    return read_yaml(DATA / name)


@dataclass
class Vocab:
    indicators: list[tuple[str, list[re.Pattern]]]
    any_indicator: re.Pattern       # every indicator pattern in one: does a window name any (`find_indicator`)
    units_after: list[tuple[re.Pattern, dict]]
    unit_after: re.Pattern          # units_after as one pattern: group u<k> is the k-th (`_unit_after`)
    units_before: list[tuple[re.Pattern, dict]]
    counted: tuple[re.Pattern, list[tuple[re.Pattern, dict]]]
    comp_before: list[tuple[re.Pattern, str]]
    comp_after: list[tuple[re.Pattern, str]]
    range_joiner: re.Pattern
    bases: re.Pattern
    body_stops: frozenset
    base_gap: int
    groups: list[tuple[re.Pattern, str]]
    cues: dict[str, re.Pattern]
    weak_target: re.Pattern
    strong_target: re.Pattern
    periods: list[re.Pattern]
    doc_types: re.Pattern
    place_types: re.Pattern


@cache
def vocab() -> Vocab:
    ind = _load("indicators.yaml")
    short = {k: fold(v) for k, v in ind["shorthands"].items()}

    def expand(p: str) -> str:
        p = fold_pattern(p)
        for k, v in short.items():
            p = p.replace("{" + k.lower() + "}", v)
        return p

    indicators = [(i["code"], [re.compile(r"(?<!\w)" + expand(p) + r"(?!\w)") for p in i["phrases"]])
                  for i in ind["indicators"]]
    units = _load("targets_units.yaml")
    units_after = []
    for u in units["after"]:
        words = sorted((fold(w) for w in u["words"]), key=len, reverse=True)
        alts = "|".join(re.escape(w) if not w[-1].isalnum() else re.escape(w) + r"(?!\w)" for w in words)
        units_after.append((re.compile(r" ?(?:" + alts + ")"), u))
    counted_cue = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(w)) for w in units["counted_cues"]) + r")\s*$")
    counted = (counted_cue, [(re.compile(r" (?:" + "|".join(re.escape(fold(w)) for w in sorted(
        u["words"], key=len, reverse=True)) + r")(?!\w)"), {**u, "only_in_target_sections": True})
        for u in units["counted"]])
    units_before = [(re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(w)) for w in u["words"]) + r") ?$"), u)
                    for u in units["before"]]
    comp = _load("targets_comparators.yaml")
    fillers = "|".join(re.escape(w.lower()) for w in sorted(comp["fillers"], key=len, reverse=True))
    comp_before = []
    for code, words in comp["before"].items():
        for w in words:
            comp_before.append((re.compile(r"(?<!\w)" + re.escape(w.lower()) + r"(?: (?:" + fillers + r"))* ?$"), code))
    comp_before.sort(key=lambda t: -len(t[0].pattern))
    comp_after = [(re.compile(r"^ ?(?:" + "|".join(re.escape(w.lower()) for w in words) + r")(?!\w)"), code)
                  for code, words in comp["after"].items()]
    joiners = "|".join(re.escape(fold(w)) for w in comp["range_joiners"])
    bases = _load("targets_bases.yaml")
    groups = [(re.compile(r"(?<!\w)" + fold_pattern(g["pattern"]) + r"(?!\w)"), g["value"])
              for g in _load("targets_groups.yaml")["groups"]]
    cues = _load("targets_cues.yaml")
    weak = set(cues["weak_target_cues"])
    return Vocab(
        indicators=indicators,
        any_indicator=_any_of([rx.pattern for _, rxs in indicators for rx in rxs]),
        units_after=units_after,
        unit_after=re.compile("|".join(f"(?P<u{k}>{rx.pattern})" for k, (rx, _) in enumerate(units_after))),
        units_before=units_before,
        counted=counted,
        comp_before=comp_before,
        comp_after=comp_after,
        range_joiner=re.compile(r" ?(?:%|phan tram)? ?(?:" + joiners + r") ?(?:tu )?"),
        bases=_phrase_regex(bases["bases"]),
        base_gap=int(bases.get("max_gap_after", 24)),
        body_stops=frozenset(w.lower() for w in bases.get("body_stops", [])),
        groups=groups,
        cues={
            "target": _phrase_regex(cues["kind_cues"]["target"]),
            "baseline": _phrase_regex(cues["kind_cues"]["baseline"]),
            "actual": _phrase_regex(cues["kind_cues"]["actual"]),
            "target_section": _phrase_regex(cues["target_section_words"]),
            "figure": _phrase_regex(cues["figure_cues"]),
            "ignore": re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(w)) for w in cues["ignore_before"])
                                 + r")(?:(?!\b(?:" + "|".join(re.escape(fold(w)) for w in cues["ignore_unless"])
                                 + r")\b)[^,;])*$"),
            "assign": _phrase_regex(cues["assignment_cues"]),
            "scoring": re.compile(r"^[^,;.]{0,25}?(?<!\w)(?:" + "|".join(re.escape(fold(w)) for w in sorted(
                cues["scoring_after"], key=len, reverse=True)) + r")\s+\d+(?:[.,]\d+)?\s*" + re.escape(
                fold(cues["scoring_unit"])) + r"(?!\w)"),
            "scoring_section": _phrase_regex(cues["scoring_sections"]),
        },
        weak_target=_phrase_regex(list(weak)),
        strong_target=_phrase_regex([c for c in cues["kind_cues"]["target"] if c not in weak]),
        periods=[re.compile(fold_pattern(p)) for p in cues["periods"]],
        doc_types=_phrase_regex(cues["assigning_doc_types"]),
        place_types=re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in cues["place_types"]) + r")(?!\w)",
                               re.I),
    )


# ---------------------------------------------------------------- figures

NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:\.\d{3})+(?!\d)|\d+)(?:,(\d+)|\.(\d{1,2})(?![\d.]))?")


def parse_number(m: re.Match) -> float:
    """Vietnamese number: "91,5" → 91.5, "1.234" → 1234, "47.5" → 47.5."""
    whole = m.group(1).replace(".", "")
    frac = m.group(2) or m.group(3)
    return float(f"{whole}.{frac}") if frac else float(whole)


@dataclass
class Figure:
    start: int            # first digit (or the unit word before it)
    end: int              # after the unit (and "trở lên")
    num_start: int        # first digit
    value: float
    value_max: float | None
    unit: str
    comparator: str
    unit_rule: dict = field(default_factory=dict)


def _comparator(text: str, num_start: int, after: int, clause_start: int) -> tuple[str, int]:
    """Comparator from the words before the number and after the unit; and the new figure end.

    Read on the text with its marks ("từ" ge, but "điện tử" is not a comparator).
    """
    v = vocab()
    code = "eq"
    before = text[max(clause_start, num_start - 40):num_start].lower()
    for rx, c in v.comp_before:
        if rx.search(before):
            code = c
            break
    tail = text[after:after + 20].lower()
    for rx, c in v.comp_after:
        m = rx.match(tail)
        if m:
            return c, after + m.end()
    return code, after


#: NUMBER starts with a look-behind, which `re` would try at every character: its candidates are the digits
#: (`re` skips to them) whose character before passes the same look-behind, tested after the digit.
_NUMBER_SCAN = Skipping(NUMBER, r"\d(?<![\w.,/-]\d)")


def find_figures(text: str, folded: str) -> list[Figure]:
    """Numbers followed (or preceded) by a unit, with their range end and comparator."""
    v = vocab()
    out: list[Figure] = []
    for m in _NUMBER_SCAN.finditer(text):
        if out and m.start() < out[-1].end:
            continue
        value = parse_number(m)
        pos = m.end()
        value_max = None
        j = v.range_joiner.match(folded, pos)
        if j:
            m2 = NUMBER.match(text, j.end())
            if m2 and _unit_after(folded, m2.end()) is not None:
                value_max, pos = parse_number(m2), m2.end()
        unit_hit = _unit_after(folded, pos)
        start = m.start()
        if unit_hit is not None:
            rule, uend = unit_hit
            unit, scale, pos = rule["unit"], float(rule.get("scale", 1)), uend
        elif (counted := _counted_after(folded, m.start(), pos)) is not None:
            rule, uend = counted                 # "ít nhất 20 tập dữ liệu": a floor on a count of things
            unit, scale = rule["unit"], 1.0
        else:
            rule = _unit_before(folded, m.start())
            if rule is None or folded[m.end():m.end() + 1].isalnum():
                continue
            unit, scale = rule["unit"], 1.0
            start = rule["_start"]
        if value_max is not None and value_max < value:
            value_max = None
        # _comparator reads at most 40 characters back: look for the line start no further
        comp, end = _comparator(text, m.start(), pos, max(0, text.rfind("\n", max(0, m.start() - 40), m.start())))
        if value_max is not None:
            comp = "ge"
        out.append(Figure(start, end, m.start(), value * scale,
                          None if value_max is None else value_max * scale, unit, comp, rule))
    return out


def _unit_after(folded: str, pos: int) -> tuple[dict, int] | None:
    """The first rule of `units_after` whose pattern matches at pos, and the match's end (one match of
    their alternation: its alternatives are tried in order, as the rules were one by one)."""
    v = vocab()
    m = v.unit_after.match(folded, pos)
    return None if m is None else (v.units_after[int(m.lastgroup[1:])][1], m.end())


def _counted_after(folded: str, num_start: int, pos: int) -> tuple[dict, int] | None:
    """After "ít nhất" / "tối thiểu", the thing a number counts ("ít nhất 02 bộ tiêu chí"): its unit
    (targets_units.yaml, counted), or `units` for a thing not listed; None without the cue."""
    cue, rules = vocab().counted
    if not cue.search(folded, max(0, num_start - 16), num_start) or not folded[pos:pos + 2].strip(" ")[:1].isalpha():
        return None
    for rx, rule in rules:
        m = rx.match(folded, pos)
        if m:
            return rule, m.end()
    return {"unit": "units", "only_in_target_sections": True}, pos


def _unit_before(folded: str, num_start: int) -> dict | None:
    window = folded[max(0, num_start - 14):num_start]
    for rx, rule in vocab().units_before:
        m = rx.search(window)
        if m:
            return {**rule, "_start": num_start - len(window) + m.start()}
    return None


# ---------------------------------------------------------------- lines and outline

_LEAD_JUNK = re.compile(r"^(?:#+\s*|\*\*|__|\*(?=\S))+")
_MARKERS = [
    (3, re.compile(r"\d{1,2}(?:\.\d{1,2})+\.?(?:\*\*)?\s")),
    (1, re.compile(r"(?=[IVXLli1]*[IVXL])[IVXLli1]{1,6}\s*[.:/]\s")),     # OCR: Il., Ii., I11.
    (2, re.compile(r"\d{1,3}\s*[.)]\s?(?!\d)")),
    (4, re.compile(r"[a-zđ]\s*[).]\s")),
    (6, re.compile(r"\+\s?")),
    (5, re.compile(r"[-–—•*]\s?")),
]
PARAGRAPH = 7
#: The characters a marker of _MARKERS can start with besides decimal digits (\d: any str.isdecimal()).
_MARKER_FIRST = frozenset("IVXLli1abcdefghijklmnopqrstuvwxyzđ+-–—•*")


@dataclass
class Line:
    start: int
    end: int
    rank: int              # 1 part (I.), 2 clause (1.), 3 sub-clause (2.1.), 4 point (a)), 5 "-", 6 "+", 7 text
    body: int              # where the text after the list markers starts
    lead_in: bool          # ends with ":" (introduces the items below it)


def _line_rank(text: str) -> tuple[int, int]:
    """List rank of a line and the offset where its text starts; "- + x" counts as "+"."""
    pos = 0
    m = _LEAD_JUNK.match(text)
    if m:
        pos = m.end()
    rank = PARAGRAPH
    for _ in range(3):
        first = text[pos:pos + 1]
        if first not in _MARKER_FIRST and not first.isdecimal():      # no marker can start here
            break
        for r, rx in _MARKERS:
            mm = rx.match(text, pos)
            if mm and mm.end() > pos:
                if r == 1 and not text[mm.end():mm.end() + 1].isupper():
                    continue
                rank, pos = r, mm.end()
                m2 = _LEAD_JUNK.match(text, pos)
                if m2:
                    pos = m2.end()
                break
        else:
            break
    return rank, pos


def split_lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        s = raw.strip()
        if s:
            start = pos + len(raw) - len(raw.lstrip())
            rank, body = _line_rank(s)
            out.append(Line(start, start + len(s), rank, start + body, s.rstrip(" *_").endswith(":")))
        pos += len(raw) + 1
    return out


_SENTENCE_BREAK = re.compile(r"(?<=[^\s.A-ZĐ][.!?…])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ])")


def sentence_bounds(text: str, line: Line, pos: int) -> tuple[int, int]:
    """The sentence of a line around pos (list markers and colons do not end sentences)."""
    s, e = line.body, line.end
    for m in _SENTENCE_BREAK.finditer(text, line.body, line.end):
        if m.start() < pos:
            s = m.end()
        else:
            e = m.start()
            break
    return s, e


_CLAUSE_BREAK_BEFORE = re.compile(r"[;()]|,(?!\d)")
_CLAUSE_BREAK_AFTER = re.compile(r"[;():]|,(?!\d)|\.(?!\d)")


def clause_bounds(text: str, s: int, e: int, fig: Figure) -> tuple[int, int]:
    cb = s
    for m in _CLAUSE_BREAK_BEFORE.finditer(text, s, fig.start):
        cb = m.end()
    m = _CLAUSE_BREAK_AFTER.search(text, fig.end, e)
    return cb, (m.start() if m else e)


# ---------------------------------------------------------------- context of a document


@dataclass
class Context:
    doc: Document
    text: str
    folded: str
    lines: list[Line]
    line_starts: list[int]
    first_part: int | None
    title: str | None
    figures: list[Figure] = field(default_factory=list)
    figure_lines: set[int] = field(default_factory=set)
    memo: dict = field(default_factory=dict)     # results per span, so figures of one sentence share them

    def line_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.line_starts, pos) - 1)

    def sentence(self, li: int, pos: int, whole: bool = False) -> tuple[int, int]:
        """`sentence_bounds` with each line's breaks found once; a sentence longer than LONG_SENTENCE
        (a table or a file without line breaks) is read in blocks of BLOCK characters, so the work per
        figure stays bounded (`whole`: the sentence itself)."""
        line = self.lines[li]
        key = ("breaks", li)
        if key not in self.memo:
            ms = [(m.start(), m.end()) for m in _SENTENCE_BREAK.finditer(self.text, line.body, line.end)]
            self.memo[key] = ([a for a, _ in ms], [b for _, b in ms])
        starts, ends = self.memo[key]
        k = bisect.bisect_left(starts, pos)
        s = ends[k - 1] if k > 0 else line.body
        e = starts[k] if k < len(starts) else line.end
        if e - s > LONG_SENTENCE and not whole:
            s += max(0, pos - s) // BLOCK * BLOCK
            e = min(e, s + BLOCK)
        return s, e

    def up(self, li: int) -> int | None:
        """The nearest line above li with a lower rank (its enclosing list item or heading)."""
        ups = self.memo.get("up")
        if ups is None:
            ups, stack = [], []
            for j, ln in enumerate(self.lines):
                while stack and self.lines[stack[-1]].rank >= ln.rank:
                    stack.pop()
                ups.append(stack[-1] if stack else None)
                stack.append(j)
            self.memo["up"] = ups
        return ups[li]

    def figures_between(self, a: int, b: int) -> list[Figure]:
        """The figures whose number starts in [a, b), in order."""
        starts = self.memo.get("figure_starts")
        if starts is None or len(starts) != len(self.figures):
            starts = self.memo["figure_starts"] = [f.num_start for f in self.figures]
        return self.figures[bisect.bisect_left(starts, a):bisect.bisect_left(starts, b)]


#: Sentences longer than this are read in blocks of BLOCK characters (no plan has such sentences).
LONG_SENTENCE = 2000
BLOCK = 1000


def _title(doc: Document) -> str | None:
    title = (doc.meta or {}).get("title")
    if title:
        return title
    for s in doc.sections:
        if s.kind == "title":
            return doc.text[s.char_start:s.char_end]
    return None


TITLE_SPAN = re.compile(r"(?<![\d/])((?:19|20)\d{2})\s*(?:-|–|den(?:\s+nam)?)\s*((?:19|20)\d{2})(?![\d/])")
TITLE_YEAR = re.compile(r"(?<!\w)nam\s+((?:19|20)\d{2})(?![\d/])")


def title_year(title: str | None) -> int | None:
    """The year a plan's title sets for its targets: the end of "giai đoạn 2026 - 2030", else "năm 2026"."""
    if not title:
        return None
    f = fold(" ".join(title.split()))
    m = TITLE_SPAN.search(f)
    if m:
        return int(m.group(2))
    years = TITLE_YEAR.findall(f)
    return int(years[-1]) if years else None


def build_context(doc: Document) -> Context:
    text = doc.text
    lines = split_lines(text)
    first_part = next((ln.start for ln in lines if ln.rank == 1), None)
    return Context(doc, text, fold(text), lines, [ln.start for ln in lines], first_part, _title(doc))


def lead_in(ctx: Context, li: int) -> Line | None:
    """The line ending with ":" that introduces line li, if any ("Cụ thể như sau:", "... trong đó:")."""
    rank = ctx.lines[li].rank
    for j in range(li - 1, max(-1, li - 60), -1):
        ln = ctx.lines[j]
        if ln.rank == PARAGRAPH and rank < PARAGRAPH and not ln.lead_in:
            continue
        if ln.rank < rank or (ln.rank == PARAGRAPH and rank < PARAGRAPH):
            return ln if ln.lead_in else None
        if ln.rank == rank and ln.lead_in and j not in ctx.figure_lines:
            return ln
    return None


def lead_ins(ctx: Context, li: int, depth: int = 3) -> list[tuple[int, int]]:
    """The chain of lead-in lines above line li, nearest first ("... trong đó:" under "... cụ thể:")."""
    out: list[tuple[int, int]] = []
    for _ in range(depth):
        ln = lead_in(ctx, li)
        if ln is None:
            break
        out.append((ln.start, ln.end))
        li = ctx.line_index(ln.start)
    return out


def ancestors(ctx: Context, li: int) -> list[tuple[int, int]]:
    """Heading lines enclosing line li, nearest first: from list ranks and from doc.sections.

    A section ancestor is kept only when no part heading (I., II.) stands between it and
    the line, so a mis-nested section tree cannot lend a far heading's year or indicator.
    """
    spans: dict[int, tuple[int, int]] = {}
    part_line = None
    j = ctx.up(li)
    while j is not None:
        ln = ctx.lines[j]
        spans[ln.start] = (ln.start, ln.end)
        if ln.rank == 1:
            part_line = ln.start
            break
        j = ctx.up(j)
    own = ctx.lines[li]
    by_id = ctx.memo.get("sections_by_id")
    if by_id is None:
        by_id = ctx.memo["sections_by_id"] = {s.section_id: s for s in ctx.doc.sections}
    sec = ctx.doc.section_at(own.start, own.end)
    while sec is not None:
        if sec.heading and sec.char_start < own.start and sec.kind not in ("title", "header", "preamble"):
            k = ctx.line_index(sec.char_start)
            ln = ctx.lines[k]
            if part_line is None or ln.start >= part_line:
                end = ln.end
                if _bare_label(ctx.text[ln.start:ln.end], sec.label) and k + 1 < len(ctx.lines) \
                        and ctx.lines[k + 1].end <= own.start:
                    end = ctx.lines[k + 1].end     # "I" alone, its title on the next line (a flattened table)
                spans.setdefault(ln.start, (ln.start, end))
        sec = by_id.get(sec.parent_id) if sec.parent_id else None
    return [spans[k] for k in sorted(spans, reverse=True)]


def _bare_label(line: str, label: str | None) -> bool:
    """A heading line that is only its label ("I", "I.1", "2."), as flattened table group rows print it."""
    return bool(label) and line.strip().rstrip(".:)") == label.rstrip(".:)")


# ---------------------------------------------------------------- reading one window


_WORD_START = r"(?<!\w)"


def _any_of(patterns: list[str]) -> re.Pattern:
    """One pattern that matches where one of `patterns` does (`find_indicator` only asks whether one does). Their
    common leading look-behind is tested once, before the alternation: else `re` tries every alternative at
    every position of the window (3 times slower)."""
    if all(p.startswith(_WORD_START) for p in patterns):
        return re.compile(_WORD_START + "(?:" + "|".join(f"(?:{p[len(_WORD_START):]})" for p in patterns) + ")")
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def find_indicator(ctx: Context, a: int, b: int, near: int) -> tuple[str, int, int] | None:
    """The highest-priority indicator named in text[a:b], its match nearest to `near`."""
    v = vocab()
    if b <= a or v.any_indicator.search(ctx.folded, a, b) is None:
        return None
    for code, rxs in v.indicators:
        hits = [(m.start(), m.end()) for rx in rxs for m in rx.finditer(ctx.folded, a, b)]
        if hits:
            s, e = min(hits, key=lambda h: min(abs(h[0] - near), abs(h[1] - near)))
            return code, s, e
    return None


def find_indicator_code(text: str) -> str:
    """The highest-priority indicator named in `text` (a table row's label), else `other`."""
    folded = fold(text)
    return next((code for code, rxs in vocab().indicators if any(rx.search(folded) for rx in rxs)), "other")


def find_base(ctx: Context, fig: Figure, cb: int, ce: int) -> str | None:
    v = vocab()
    m = v.bases.search(ctx.folded, fig.end, min(ce, fig.end + v.base_gap + 60))
    if m and m.start() - fig.end <= v.base_gap:
        return ctx.text[m.start():m.end()]
    hits = list(v.bases.finditer(ctx.folded, cb, fig.start))
    if hits:
        return ctx.text[hits[-1].start():hits[-1].end()]
    if fig.unit == "percent":
        return _counted_bodies(ctx, fig.end, ce)
    return None


def _counted_bodies(ctx: Context, a: int, b: int) -> str | None:
    """"100% các trường học tham gia ...": a percentage of bodies has what is counted as its base."""
    m = re.match(r"\s*cac\s", ctx.folded[a:b])
    if not m:
        return None
    words, pos = [], a + m.end() - 1
    stops = vocab().body_stops
    for w in re.finditer(r"[^\s,;.:()]+", ctx.text[pos:b]):
        if ctx.text[pos + w.start() - 1:pos + w.start()] in ",;.:(" and words:
            break
        if w.group(0).lower() in stops or len(words) >= 4:
            break
        words.append(w.group(0))
    return ("các " + " ".join(words)) if words else None


def find_group(ctx: Context, a: int, b: int) -> str | None:
    for rx, value in vocab().groups:
        m = rx.search(ctx.folded, a, b)
        if m:
            return re.sub(r"\{(\d)\}", lambda g: m.group(int(g.group(1))), value)
    return None


def find_place(ctx: Context, a: int, b: int) -> str | None:
    """'xã Ia Tơi' when the words before a figure name a commune or district (capitalised name)."""
    for m in vocab().place_types.finditer(ctx.text, a, b):
        n = re.match(r" ((?:[A-ZĐÀ-Ỹ][\w'’\-]*)(?: [A-ZĐÀ-Ỹ][\w'’\-]*)*)", ctx.text[m.end():b])
        if n:
            return ctx.text[m.start():m.end()] + " " + n.group(1)
    return None


@dataclass
class Period:
    year: int
    start: dt.date | None
    end: dt.date | None


_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DATE_BEFORE = re.compile(r"(?:thang|/)\s*\d{1,2}\s*$")
_COMPARED_BEFORE = re.compile(r"(?<!\w)so\s+voi\s+(?:cung\s+ky\s+)?(?:nam\s+)?$")


def _period(m: re.Match) -> Period | None:
    g = m.groupdict()
    if g.get("asof"):
        try:
            day = dt.date(int(g["asof"]), int(g["m"]), int(g["d"]))
        except ValueError:
            return None
        return Period(day.year, None, day)
    if g.get("to"):
        a, b = int(g["from"]), int(g["to"])
        return Period(b, dt.date(a, 1, 1), dt.date(b, 12, 31)) if a <= b else None
    if g.get("by"):
        y = int(g["by"])
        return Period(y, None, dt.date(y, 12, 31))
    y = int(g["year"])
    if g.get("half"):
        months = max(1, min(12, int(g["months"])))
        if g["half"] == "dau":
            return Period(y, dt.date(y, 1, 1), _month_end(y, months))
        return Period(y, dt.date(y, 13 - months, 1), dt.date(y, 12, 31))
    if g.get("quarter"):
        q = _QUARTERS[g["quarter"]]
        return Period(y, dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
    return Period(y, dt.date(y, 1, 1), dt.date(y, 12, 31))


def _month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))


def find_periods(folded: str, a: int, b: int) -> list[tuple[int, Period]]:
    """Periods named in folded[a:b] with their positions; dates ("tháng 4 năm 1975") are skipped."""
    out: list[tuple[int, int, Period]] = []
    taken: list[tuple[int, int]] = []
    for rx in vocab().periods:
        for m in rx.finditer(folded, a, b):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            if "asof" not in m.groupdict() and _DATE_BEFORE.search(folded[max(0, m.start() - 12):m.start()]):
                continue
            if _COMPARED_BEFORE.search(folded[max(0, m.start() - 24):m.start()]):
                continue                  # "tăng 10% so với năm 2025": the year compared with, not the horizon
            p = _period(m)
            if p and 1990 <= p.year <= 2100:
                taken.append((m.start(), m.end()))
                out.append((m.start(), m.end(), p))
    return [(s, p) for s, _, p in sorted(out, key=lambda t: t[0])]


def find_period(ctx: Context, a: int, b: int, near: int | None = None) -> Period | None:
    key = ("periods", a, b)
    if key not in ctx.memo:
        ctx.memo[key] = find_periods(ctx.folded, a, b)
    hits = ctx.memo[key]
    if not hits:
        return None
    if near is None:
        return hits[0][1]
    before = [h for h in hits if h[0] < near]
    return (before[-1] if before else hits[0])[1]


_REF_ID = re.compile(r"(?<![\w/.-])\d{1,5}(?:/\d{4})?[/-][A-Za-zĐđ]{1,10}(?:[/-][A-Za-zĐđ]{1,10}){0,3}(?![\w/-])")


def _ref_pattern() -> re.Pattern:
    try:
        from extractors.legal_refs import ID_RE
        return ID_RE
    except ImportError:
        return _REF_ID


def canonical_ref(surface: str) -> str:
    """Canonical legal id (DESIGN.md): '6399/QD-UBND' → '6399/QĐ-UBND', via extractors.legal_refs."""
    try:
        from extractors.legal_refs import ID_RE, canonical_id
    except ImportError:
        return re.sub(r"\s+", "", surface.upper())
    m = ID_RE.match(surface)
    if not m:
        return re.sub(r"\s+", "", surface.upper())
    return canonical_id(m["num"], m["sym"], m["year"], "-" if m["dash"] else "/")


def find_assigner(ctx: Context, a: int, b: int) -> str | None:
    """Canonical id of the document named after 'giao theo', 'được giao tại' in text[a:b]."""
    key = ("assigner", a, b)
    if key not in ctx.memo:
        ctx.memo[key] = _find_assigner(ctx, a, b)
    return ctx.memo[key]


def _find_assigner(ctx: Context, a: int, b: int) -> str | None:
    v = vocab()
    for cue in v.cues["assign"].finditer(ctx.folded, a, b):
        after = cue.end()
        limit = min(b, after + 90)
        dt_m = v.doc_types.search(ctx.folded, after, limit)
        if not dt_m or dt_m.start() - after > 20:
            continue
        ref = _ref_pattern().search(ctx.text, dt_m.end(), min(limit, dt_m.end() + 30))
        if ref:
            return canonical_ref(ref.group(0))
    return None


def _doc_assigner(ctx: Context, first_figure: int) -> str | None:
    """A statement before the first figure that the plan's targets were set by a named decision."""
    v = vocab()
    for ln in ctx.lines:
        if ln.start >= first_figure:
            break
        if ln.lead_in or not v.cues["target_section"].search(ctx.folded, ln.start, ln.end):
            continue
        ref = find_assigner(ctx, ln.start, ln.end)
        if ref:
            return ref
    return None


# ---------------------------------------------------------------- describing a figure


def _counts_stated(ctx: Context, fig: Figure, cb: int, leads: list[tuple[int, int]],
                   in_target_section: bool = False, sentence_start: int | None = None) -> bool:
    """A count is a figure when its clause says so ("phát triển thêm 120 người"), or when it is
    an item "Xã A: 62 người" under a lead-in, a sentence opening or a section that speaks of targets
    ("Lắp đặt mới: 58 trạm (Trong đó: VNPT: 25 trạm, ...)"), or when a floor ("ít nhất", "tối thiểu") sets it
    in a section that speaks of targets."""
    v = vocab()
    if any(_has(ctx, v.cues[c], (cb, fig.start)) for c in ("figure", "target", "baseline", "actual")):
        return True
    if in_target_section and v.counted[0].search(ctx.folded, max(cb, fig.num_start - 16), fig.num_start):
        return True                        # "Hình thành ít nhất 100 doanh nghiệp": a floor is a target
    colon = ctx.text[max(cb, fig.start - 3):fig.start].strip().endswith(":")
    spans = leads + ([(sentence_start, cb)] if sentence_start is not None and sentence_start < cb else [])
    return colon and (in_target_section or any(_has(ctx, v.cues["figure"], span) for span in spans))


def _has(ctx: Context, rx: re.Pattern, span: tuple[int, int]) -> bool:
    key = (id(rx), span[0], span[1])
    if key not in ctx.memo:
        ctx.memo[key] = bool(rx.search(ctx.folded, span[0], span[1]))
    return ctx.memo[key]


def describe(ctx: Context, fig: Figure, doc_assigner: str | None) -> dict[str, Any] | None:
    """The row of one figure, or None when it is not a target or stated figure."""
    v = vocab()
    li = ctx.line_index(fig.num_start)
    s, e = ctx.sentence(li, fig.start)
    cb, ce = clause_bounds(ctx.text, s, e, fig)
    if v.cues["ignore"].search(ctx.folded[max(cb, fig.num_start - 50):fig.num_start]):
        return None
    if v.cues["scoring"].search(ctx.folded[fig.end:min(ce, fig.end + 60)]):
        return None                                      # "đạt 100% cộng 05 điểm": a scoring rule
    leads = lead_ins(ctx, li)
    heads = ancestors(ctx, li)
    if any(_has(ctx, v.cues["scoring_section"], h) for h in heads + leads):
        return None
    in_target_section = any(_has(ctx, v.cues["target_section"], h) for h in heads + leads)
    if fig.unit_rule.get("only_in_target_sections") and not in_target_section:
        return None
    if fig.unit_rule.get("needs_cue") and not _counts_stated(ctx, fig, cb, leads, in_target_section, s):
        return None

    indicator, surface, source = _indicator(ctx, fig, s, cb, ce, leads, heads)
    kind = _kind(ctx, fig, (s, e), leads, in_target_section)
    period = find_period(ctx, s, e, fig.num_start)
    assigned_by = find_assigner(ctx, s, e)
    if kind != "target" and period is None:
        period = _heading_period(ctx, leads + heads)     # "I. TÌNH HÌNH THỰC HIỆN NĂM 2025": the year reported
    if kind == "target":
        period = period or _inherited_period(ctx, leads + heads)
        assigned_by = assigned_by or next(filter(None, (find_assigner(ctx, *sp) for sp in leads + heads)), None)
        if assigned_by is None and in_target_section:
            assigned_by = doc_assigner

    start = surface[0] if surface and source in ("clause", "sentence") and surface[0] < fig.start else fig.start
    confidence = {"clause": 0.9, "sentence": 0.85, "lead_in": 0.8, "heading": 0.75, None: 0.5}[source]
    if kind == "target" and period is None:
        confidence -= 0.15
    if ctx.doc.diacritics_restored and ctx.doc.restored_share > 0.2:
        confidence -= 0.1
    return {
        "_span": (start, fig.end),
        "sentence": clip_sentence(ctx.text, *ctx.sentence(li, fig.start, whole=True), start, fig.end),
        "confidence": round(max(0.05, confidence), 2),
        "indicator": indicator,
        "indicator_text": ctx.text[surface[0]:surface[1]] if surface else None,
        "value": fig.value,
        "value_max": fig.value_max,
        "unit": fig.unit,
        "comparator": _list_comparator(ctx, fig, s, cb),
        "base": find_base(ctx, fig, cb, ce) if fig.unit == "percent" else None,
        "population_group": find_group(ctx, max(s, min(cb, fig.start - 60)), ce),
        "geography": find_place(ctx, s, fig.start) or (ctx.doc.meta or {}).get("jurisdiction"),
        "period_start": period.start if period else None,
        "period_end": period.end if period else None,
        "target_year": period.year if period else (title_year(ctx.title) if kind == "target" else None),
        "assigned_by": assigned_by,
        "kind": kind,
    }


def _indicator(ctx: Context, fig: Figure, s: int, cb: int, ce: int, leads: list[tuple[int, int]],
               heads: list[tuple[int, int]]) -> tuple[str, tuple[int, int] | None, str | None]:
    """(code, surface span, where found): own clause, the sentence before it (back to the
    previous figure or ";"), lead-ins, headings; `other` when none names an indicator."""
    prev_end = max([f.end for f in ctx.figures_between(s, fig.num_start) if s <= f.start and f.end <= fig.start] + [s])
    semi = ctx.text.rfind(";", s, cb)
    windows = [("clause", (cb, fig.start)), ("clause", (fig.end, ce)),
               ("sentence", (max(prev_end, semi + 1), cb))]
    windows += [("lead_in", span) for span in leads] + [("heading", h) for h in heads]
    for source, (a, b) in windows:
        hit = find_indicator(ctx, a, b, fig.num_start)
        if hit:
            return hit[0], (hit[1], hit[2]), source
    return "other", None, None


def _list_comparator(ctx: Context, fig: Figure, s: int, cb: int) -> str:
    """"khoảng 37% ..., 33% ...": a hedge before the first figure of a list covers the next ones."""
    if fig.comparator == "eq" and not ctx.text[cb:fig.start].strip():
        prev = [f for f in ctx.figures_between(s, fig.num_start) if s <= f.start and f.end <= cb]
        if prev and prev[-1].comparator == "approx":
            return "approx"
    return fig.comparator


def _heading_period(ctx: Context, spans: list[tuple[int, int]]) -> Period | None:
    """Time of a reported figure from its lead-ins and headings only (a plan's title names its own
    horizon, not the year a figure reports)."""
    for span in spans:
        period = find_period(ctx, *span)
        if period:
            return period
    return None


def _inherited_period(ctx: Context, spans: list[tuple[int, int]]) -> Period | None:
    """Time of a target from its lead-ins and headings, else from the title ("... năm 2025")."""
    period = _heading_period(ctx, spans)
    if period:
        return period
    if ctx.title:
        hits = find_periods(fold(ctx.title), 0, len(ctx.title))
        return hits[0][1] if hits else None
    return None


def _kind(ctx: Context, fig: Figure, sent: tuple[int, int], leads: list[tuple[int, int]],
          in_target_section: bool) -> str:
    """baseline | actual | target: cues of the sentence, then of its lead-ins and headings; a figure
    before the first part (I.) with no cue describes the present."""
    v = vocab()
    strong = _has(ctx, v.strong_target, sent)
    if _has(ctx, v.cues["baseline"], sent) and not strong:
        return "baseline"
    if strong or _has(ctx, v.weak_target, sent):
        return "target"
    if _has(ctx, v.cues["actual"], sent):
        return "actual"
    if in_target_section or any(_has(ctx, v.cues["target"], span) for span in leads):
        return "target"
    if ctx.first_part is not None and fig.start < ctx.first_part:
        return "baseline"
    return "target"


# ---------------------------------------------------------------- extract


def extract(doc: Document) -> list[dict]:
    """Rows of the figures in the text, and of the indicator tables (extractors.table_targets), whose
    cells are not read again as text."""
    from . import table_targets

    table_rows, table_spans = table_targets.extract(doc)
    ctx = build_context(doc)
    figures = find_figures(ctx.text, ctx.folded)
    if table_spans:
        figures = [f for f in figures if not any(a <= f.num_start < b for a, b in table_spans)]
    ctx.figures = figures
    ctx.figure_lines = {ctx.line_index(f.num_start) for f in figures}
    doc_assigner = _doc_assigner(ctx, figures[0].start) if figures else None
    rows: list[dict] = []
    seen: Counter = Counter()
    described = ((r.pop("_span"), r) for r in (describe(ctx, fig, doc_assigner) for fig in figures) if r is not None)
    for (start, end), r in [*described, *table_rows]:
        key = (r["indicator"], r["value"], r["value_max"], r["unit"], r["comparator"], r["population_group"],
               r["geography"], r["target_year"], r["assigned_by"], r["kind"])
        seen[key] += 1
        prov = doc.provenance(start, end)
        prov["sentence"] = r.pop("sentence")
        rows.append({"target_id": row_id(doc.doc_id, TABLE, *key, seen[key]), **prov, **r})
    return rows
