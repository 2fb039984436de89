"""Assignments: which agency leads, supports, stands for, answers for or receives reports on which task.

One row per (agency, role, task), read from the sections that assign work (parts
on purposes, goals and targets are skipped, as are appendices):

- ``lead``: the agency that *chủ trì* ("Sở Y tế chủ trì, phối hợp với ..."; "Cơ quan chủ trì: X";
  an item "Chủ trì, phối hợp ..." under the heading of agency X);
- ``support``: every agency after *phối hợp (chặt chẽ) (với)* in a task, and the agencies of a
  "Cơ quan phối hợp:" heading;
- ``standing``: "là cơ quan thường trực", "làm đầu mối", "X (cơ quan thường trực)";
- ``responsible``: the subject of a task without *chủ trì* ("Sở Y tế, BHXH thành phố phối hợp ...",
  "Giao X ...", "Đề nghị X ...", "UBND Thành phố yêu cầu X ..."), and the agency of a heading
  whose items are its duties (one row per item: "2. Sở Lao động - Thương binh và Xã hội" then "- ...");
- ``report_to``: the agency after *báo cáo / gửi / phản ánh* directly or after a linking word of
  the same clause ("gửi về BHXH Thành phố", "báo cáo kết quả ... cho X", "(qua X)").

An agency has one role per task: lead or standing wins over responsible, and an
actor of a task is never also its supporter. Vague parties ("các đơn vị có
liên quan", "địa phương") give no row. "thực hiện nội dung điểm b, d, đ" puts
the section ids of those points of the same clause into ``task_refs``.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Sequence

from rapidfuzz.distance import Levenshtein

from pipeline.model import Document, Section, row_id
from pipeline.params import read_yaml
from pipeline.text import marked_form

from .agencies import (Mention, Token, agency_id, central_collectives, find_agencies, gazetteer, is_marked_text, provinces,
                       positions, resolve_agency, token_keys, tokenize, vague_at)

DATA = Path(__file__).parent / "data"
TABLE = "assignments"
SKIP_KINDS = {"header", "title", "preamble", "signature", "recipients", "appendix", "table"}
LABELLED_KINDS = {"part", "article", "clause", "subclause", "point", "item", "bullet", "appendix"}
HEADING_KINDS = {"part", "clause", "point", "item", "bullet"}
ARTICLE_LABEL = re.compile(r"\s*Điều\s+\d{1,3}\s*[.:]\s*")
LABEL = re.compile(r"\s*(?:(?:[IVXl1]{1,6}|\d{1,2}(?:\.\d{1,2})*)\s*[.):]|[a-zđ]\s*[.)]|\(\d{1,2}\)|[-–—+*•])\s*")
# capitalised words separated by spaces or a punctuation mark; possessive, so a line that is almost one
# (a long run of names, then a lower-case word) fails at once instead of trying every way to split it
PLACE_LIST = re.compile(r"^[\s:]*+(?:[A-ZĐÀ-Ỹ][\w'’]*+\s*+[,.;:]?+\s*+)++$")
LIST_GAP = re.compile(r"^[\s,;/&\-–]*$")
FOOTNOTE = re.compile(r"\[\d{1,3}\]")          # a web page's footnote mark: "Bộ Nội vụ[4], Bộ Tài chính"
ROLES = ("lead", "support", "standing", "responsible", "report_to")
BASE_CONFIDENCE = {"subject": 0.9, "context": 0.85, "support": 0.85, "report_to": 0.8}


class Phrases(tuple):
    """Phrases as token keys, longest first, indexed by their first key for View.phrase; each phrase's
    words as printed (`printed`), so that marked text is matched with its marks."""

    def __new__(cls, phrases, printed=None):
        self = super().__new__(cls, sorted(phrases, key=len, reverse=True))
        self.printed = dict(printed or {})
        self.by_first: dict[str, tuple] = {}            # first key -> the phrases starting with it, in order
        for p in self:
            if p:
                self.by_first.setdefault(p[0], []).append(p)
        self.by_first = {k: tuple(v) for k, v in self.by_first.items()}
        self.multi = tuple(p for p in self if len(p) > 1)     # what a damaged first word may still match
        self.lenient: dict[str, tuple] = {                    # first key -> multi, and the one-word phrase
            k: tuple(p for p in self if len(p) > 1 or p and p[0] == k) for k in self.by_first}
        return self


def _phrases(v) -> Phrases:
    items = [x.strip() for x in str(v).split("|") if x.strip()]
    printed: dict[tuple, set] = {}
    for x in items:
        toks = tokenize(x)
        printed.setdefault(tuple(t.key for t in toks), set()).add(tuple(marked_form(x[t.start:t.end]) for t in toks))
    return Phrases(printed, printed)


@cache
def vocab() -> dict:
    data = read_yaml(DATA / "assignments.yaml")
    out = {k: _phrases(v) for k, v in data.items() if isinstance(v, str)}
    out["lead_in"] = {role: _phrases(v) for role, v in data["lead_in"].items()}
    out["report_window"] = int(data.get("report_window", 16))
    out["send_window"] = int(data.get("send_window", 16))
    out["heading_name_words"] = int(data.get("heading_name_words", 14))
    out["clause_break_printed"] = frozenset(x.strip().lower() for x in str(data["clause_break"]).split("|"))
    gaz = read_yaml(DATA / "agencies.yaml")
    out["titles"] = _phrases(gaz.get("titles", ""))
    return out


@cache
def _phrase_firsts() -> frozenset[str]:
    """The first keys of every phrase of the vocabulary (View.next_phrase looks for them)."""
    sets = [v for v in vocab().values() if isinstance(v, Phrases)]
    sets += [v for v in vocab()["lead_in"].values() if isinstance(v, Phrases)]
    return frozenset(k for p in sets for k in p.by_first)


# ---------------------------------------------------------------- document view


@dataclass
class Ctx:
    """What a heading hands down to the items below it."""

    agencies: list[Mention]
    role: str | None
    supports: list[Mention]
    pos: int
    sid: str | None = None             # section whose heading (or body line) set it


@dataclass
class Subject:
    agencies: list[Mention]
    role: str | None                   # lead | support | standing | None (plain subject)
    tail: int                          # char offset where the rest of the sentence starts
    supports: list[Mention] = field(default_factory=list)
    labelled: bool = False             # "Cơ quan chủ trì: X" — a role line, not a heading
    delegated: bool = False            # "Giao X chủ trì ...": X also answers for the task


@dataclass
class Unit:
    start: int                         # after the section label
    end: int
    section: Section
    heading: bool                      # the section's own heading line


def view_of(doc: Document) -> "View":
    """The document's View, built once for its text and sections (task tables read reports through it)."""
    memo = doc._memo()
    if "assignments_view" not in memo:
        memo["assignments_view"] = View(doc)
    return memo["assignments_view"]


def _own_body_mentions(text: str, toks: list[Token], found: list[Mention], doc: Document,
                       jurisdiction: str | None) -> list[Mention]:
    """A bare "Bộ" in a ministry's own document ("báo cáo Lãnh đạo Bộ", "trình Bộ") is that ministry
    (agencies.yaml own_body: the word and the issuer's head it stands for)."""
    issuer = (doc.meta or {}).get("issuer") or ""
    words = [w for w, head in gazetteer().get("own_body", {}).items() if issuer.startswith(head + " ")]
    if not words:
        return []
    body = resolve_agency(issuer, jurisdiction)
    if body is None:
        return []
    covered = [(m.start, m.end) for m in found]
    out = []
    for k, t in enumerate(toks):
        word = text[t.start:t.end]
        if word not in words or any(a <= t.start < b for a, b in covered):
            continue
        if k + 1 < len(toks) and text[toks[k + 1].start].isupper() and not text[t.end:toks[k + 1].start].strip():
            continue                     # "Bộ Tài chính": a named ministry, found (or not) by the gazetteer
        out.append(Mention(t.start, t.end, word, body.name, body.type, body.agency_id, 0.8))
    return out


class View:
    """The document with its tokens, agency mentions and section tree, for the rules below."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.text = doc.text
        self.toks: list[Token] = tokenize(self.text)
        self.starts = list(map(itemgetter(1), self.toks))
        self.keys = list(map(itemgetter(0), self.toks))
        self.lenient = (doc.raw.ingest_method in ("ocr", "mixed") or doc.restored_share > 0.05
                        or not is_marked_text(self.text))
        self.jurisdiction = jurisdiction_of(doc)
        self.mentions = find_agencies(self.text, self.jurisdiction, self.toks, noisy=self.lenient,
                                      as_of=doc.meta.get("issue_date"))
        self.mentions = sorted(self.mentions + _own_body_mentions(self.text, self.toks, self.mentions, doc,
                                                                  self.jurisdiction), key=lambda m: m.start)
        self.mention_at: dict[int, tuple[Mention, int]] = {}
        self.mention_end: set[int] = set()
        for m in self.mentions:
            i = bisect.bisect_left(self.starts, m.start)
            j = bisect.bisect_left(self.starts, m.end)
            self.mention_at[i] = (m, j)
            self.mention_end.add(j)
        self.unrestored = {r.char_start: r.original for r in doc.restorations
                           if r.char_end - r.char_start == 1 and len(r.original) == 1}
        self.by_id = {s.section_id: s for s in doc.sections}
        # a text with no labelled section at all (a letter, a notice, one paragraph) is read whole
        self.unstructured = not any(s.kind in LABELLED_KINDS for s in doc.sections)
        self.task_area: dict[str, bool] = {}      # memo of _in_task_area
        self.children: dict[str | None, list[Section]] = {}
        for s in doc.sections:
            self.children.setdefault(s.parent_id, []).append(s)
        self._starts: dict[tuple[int, bool], Sequence[int]] = {}     # memo of next_phrase
        self.where: dict[str, list[int]] = {}     # first key of a phrase -> indices of its tokens
        keys = self.keys
        for i in compress(range(len(keys)), map(_phrase_firsts().__contains__, keys)):
            self.where.setdefault(keys[i], []).append(i)

    def label_at(self, pos: int) -> str:
        """The one-letter point label at `pos` as printed: restoration must not turn "đ" into "d"."""
        return self.unrestored.get(pos, self.text[pos]).lower()

    def tok(self, pos: int) -> int:
        """Index of the first token starting at or after char `pos`."""
        return bisect.bisect_left(self.starts, pos)

    def phrase(self, k: int, phrases: tuple[tuple[str, ...], ...], exact: bool = False) -> int:
        """Token length of the first of `phrases` found at token k (0 if none).

        In OCR text (restored or not) one word of a phrase may have one wrong letter, two words
        in phrases of three words or more ("phdi hop véi" is "phối hợp với"); two-letter words
        only take one extra letter ("Pé¢ nghị" is "Đề nghị").
        """
        lenient = self.lenient and not exact
        keys = self.keys
        if k >= len(keys):
            return 0
        # only phrases starting with this word can match, and multi-word ones where damage is allowed
        for p in phrases.lenient.get(keys[k], phrases.multi) if lenient else phrases.by_first.get(keys[k], ()):
            n = len(p)
            if k + n > len(keys):
                continue
            window = tuple(keys[k:k + n])
            if window == p:
                if not lenient and not self._marks_agree(k, phrases.printed.get(p)):
                    continue
                return len(p)
            if lenient and len(p) > 1:
                damaged = 0
                for a, b in zip(window, p):
                    if a != b:
                        near = len(b) >= 3 or (a[:1] == b[:1] and len(a) == len(b) + 1)
                        damaged += 1 if near and Levenshtein.distance(a, b) <= 1 else 99
                if damaged <= (2 if len(p) >= 3 else 1):
                    return len(p)
        return 0

    def _marks_agree(self, k: int, forms) -> bool:
        """In marked text, the words at k carry one of the phrase's printed forms' marks (a word printed
        without any mark agrees with every form)."""
        if not forms:
            return True
        words = [self.text[t.start:t.end] for t in self.toks[k:k + len(next(iter(forms)))]]
        got = [marked_form(w) if not (w.isascii() and w.isalpha()) else "" for w in words]
        return any(all(not g or g == w for g, w in zip(got, form)) for form in forms)

    def next_phrase(self, k: int, stop: int, phrases: Phrases, exact: bool = False) -> tuple[int, int]:
        """(token index, length) of the first of `phrases` found at a token k .. stop-1 (`phrase`);
        (stop, 0) when none is."""
        lenient = self.lenient and not exact and bool(phrases.multi)
        key = (id(phrases), lenient)
        starts = self._starts.get(key)
        if starts is None:     # where one may start: the tokens with a phrase's first key (any, if damaged)
            if lenient:
                starts = range(len(self.keys))
            elif phrases.by_first.keys() <= _phrase_firsts():
                starts = sorted(i for w in phrases.by_first for i in self.where.get(w, ()))
            else:     # phrases from outside the vocabulary
                starts = [i for i, w in enumerate(self.keys) if w in phrases.by_first]
            self._starts[key] = starts
        at = bisect.bisect_left(starts, k)
        while at < len(starts) and starts[at] < stop:
            n = self.phrase(starts[at], phrases, exact)
            if n:
                return starts[at], n
            at += 1
        return stop, 0

    def skip_voi(self, k: int) -> int:
        """Past an OCR-damaged "với" ("véi", "vdi", "v6i") right after "phối hợp"."""
        if k < len(self.toks) and re.fullmatch(r"v.i", self.toks[k].key) and self.lenient:
            return k + 1
        return k

    def gap(self, k: int) -> str:
        """Text between token k-1 and token k."""
        if k <= 0 or k >= len(self.toks):
            return ""
        return self.text[self.toks[k - 1].end:self.toks[k].start]

    def ancestors(self, s: Section) -> list[Section]:
        out = [s]
        while out[-1].parent_id and out[-1].parent_id in self.by_id:
            out.append(self.by_id[out[-1].parent_id])
        return out


def jurisdiction_of(doc: Document) -> str | None:
    """The document's jurisdiction (metadata), else the province named in its issuer or header."""
    j = doc.meta.get("jurisdiction")
    if j:
        return j
    head = doc.meta.get("issuer") or ""
    for s in doc.sections:
        if s.kind == "header":
            head += " " + doc.text[s.char_start:s.char_end]
    folded = " " + " ".join(token_keys(head)) + " "
    for p in provinces():
        for name in [p["name"], *p.get("aliases", [])]:
            if " " + " ".join(token_keys(name)) + " " in folded:
                return p["name"]
    return None


# ---------------------------------------------------------------- lists of agencies


def agency_list(v: View, k: int, limit: int | None = None, subject: bool = False
                ) -> tuple[list[Mention], int, list[tuple[int, int]]]:
    """Agencies named one after another from token k ("Sở Y tế, BHXH thành phố và các đơn vị liên quan").

    Returns the mentions, the token after the last member, and the parentheses
    met between members (their mentions qualify a member, they are not members). `subject`: the list opens a
    sentence or heading, where a vague party printed with a capital is a collective (`_printed_collective`).
    """
    limit = len(v.toks) if limit is None else min(limit, len(v.toks))
    items: list[Mention] = []
    parens: list[tuple[int, int]] = []
    end = k
    while k < limit:
        k0 = k
        while k not in v.mention_at and v.phrase(k, vocab()["titles"]):
            k += v.phrase(k, vocab()["titles"])
            if k < limit and v.gap(k).strip() == "," and v.phrase(k, vocab()["titles"]):
                continue
            break
        if v.lenient and k not in v.mention_at and k + 1 in v.mention_at and re.fullmatch(r"c[a-z]{1,2}c", v.toks[k].key):
            k += 1                                   # "céac Phong, Ban, nganh": a damaged "các"
        vague = vague_at(v.toks, k)
        if k in v.mention_at and v.mention_at[k][1] <= limit and (
                v.mention_at[k][1] > k + vague
                or (v.mention_at[k][1] == k + vague and v.mention_at[k][0].name in central_collectives())):
            m, k = v.mention_at[k]
            items.append(m)
        elif vague and subject and not items and (m := _printed_collective(v, k, vague)) is not None:
            items.append(m)
            k += vague
        elif vague:                     # "các cơ quan, đơn vị có liên quan" is no "Các cơ quan, đơn vị"
            k += vague
        elif (n := v.phrase(k, vocab()["passed_in_lists"])) and _next_member(v, k + n, limit, []) is not None \
                and _next_member(v, k + n, limit, []) in v.mention_at:
            k += n                      # "phối hợp với các cơ quan, đơn vị và các doanh nghiệp ...": the bodies after
        elif items and k not in v.mention_at and (bare := _bare_member(v, k, limit)) is not None:
            m, k = bare
            items.append(m)
        else:
            k = k0
            break
        end = k
        before = len(parens)
        nxt = _next_member(v, k, limit, parens, items[-1].name if items else None)
        if nxt is None:
            if len(parens) > before:        # "Sở Y tế (Phòng Nghiệp vụ Y) chủ trì": the list ends after it
                end = min(limit, v.tok(parens[-1][1]))
            break
        k = nxt
    return items, end, parens


def _printed_collective(v: View, k: int, n: int) -> Mention | None:
    """"3. Các cơ quan, đơn vị liên quan" heading its duties: a party "(có) liên quan" printed with a capital at
    the head of a sentence is a collective answering for them (ANNOTATION.md: collectives are printed words with a capital
    first letter), named as printed; lower case or inside a sentence it stays no party."""
    start, end = v.toks[k].start, v.toks[k + n - 1].end
    surface = v.text[start:end]
    voc = vocab()
    if not surface[:1].isupper() or v.phrase(k, voc["printed_collective_starts"]) != 1 \
            or v.phrase(k + n - 2, voc["printed_collective_ends"]) != 2:
        return None
    name = " ".join(surface.split())
    return Mention(start, end, surface, name, "collective", agency_id(name, v.jurisdiction), 0.8)


def _bare_member(v: View, k: int, limit: int) -> tuple[Mention, int] | None:
    """A bare plural noun continuing a list ("..., doanh nghiệp") as its collective, with the token after it."""
    voc = vocab()
    n = v.phrase(k, voc["bare_members"])
    if not n or k + n > limit or (k + n < limit and v.phrase(k + n, voc["bare_members_not_before"])):
        return None
    surface = v.text[v.toks[k].start:v.toks[k + n - 1].end]
    agency = resolve_agency("các " + surface, v.jurisdiction)
    if agency is None:
        return None
    return Mention(v.toks[k].start, v.toks[k + n - 1].end, surface, agency.name, agency.type, agency.agency_id, 0.9), k + n


def _next_member(v: View, k: int, limit: int, parens: list[tuple[int, int]], prev: str | None = None) -> int | None:
    """Token index where the next member of a list starts after a member ending before token k (after a
    collective `prev` and a colon, its named members: "UBND các tỉnh …: Hà Tĩnh, Quảng Trị")."""
    if k < limit and (q := v.phrase(k, vocab()["member_qualifiers"])) and k + q <= limit:
        k += q                              # "các Sở, ban, ngành của tỉnh; Ủy ban nhân dân các xã": the list goes on
    pos = v.toks[k - 1].end
    joined = False
    if prev in gazetteer()["members_of"] and k < limit and v.text[pos:v.toks[k].start].strip() == ":" \
            and k in v.mention_at:
        return k
    while k < limit:
        g = v.text[pos:v.toks[k].start]
        if g.startswith("[") and (f := FOOTNOTE.match(v.text, pos)):
            pos = f.end()
            k = v.tok(pos)
            continue
        if g.strip().startswith("("):
            open_ = pos + g.index("(")
            close = v.text.find(")", open_)
            if close < 0 or close >= v.toks[limit - 1].end:
                return None
            parens.append((open_, close + 1))
            pos = close + 1
            k = v.tok(pos)
            continue
        if not LIST_GAP.match(g):
            return None
        if v.toks[k].key in ("va", "cung") and v.text[v.toks[k].start:v.toks[k].end].lower() in ("và", "va", "cùng"):
            pos, k, joined = v.toks[k].end, k + 1, True
            continue
        return k if (g.strip() or joined) else None
    return None


def subject_at(v: View, pos: int, end: int) -> Subject | None:
    """The agencies a sentence or heading starting at `pos` is about, with the role its words give."""
    voc = vocab()
    k = v.tok(pos)
    stop = v.tok(end)
    if k >= stop:
        return None
    role, labelled, delegated = None, False, False
    if v.phrase(k, voc["fronted"]):
        comma = v.text.find(",", v.toks[k].start, end)
        if comma < 0 or v.tok(comma) >= stop:
            return None
        k = v.tok(comma + 1)
    if (n := v.phrase(k, voc["fronted_time"])) and k + n < stop and v.gap(k + n).strip() == ",":
        k += n
    if (n := v.phrase(k, voc["condition"])) and k + n < stop:
        k += n
    if (n := v.phrase(k, voc["duty_of"])) and k + n < stop:
        if v.phrase(k + n, voc["duty_of_members"]):
            return None
        k += n
    for r in ("lead", "support", "responsible", "labelled_responsible", "lead_label", "support_label"):
        n = v.phrase(k, voc["lead_in"][r])
        if n:
            labelled = r != "responsible" and v.text[v.toks[k + n - 1].end:end].lstrip().startswith(":")
            if r.endswith("_label") and not labelled:
                continue
            delegated = r == "responsible"
            role = None if r == "responsible" else r.removesuffix("_label")
            role = "responsible" if r == "labelled_responsible" else role
            k += n
            break
    items, e, parens = agency_list(v, k, stop, subject=True)
    if not items:
        if role and k >= stop or (role and v.text[v.toks[k - 1].end:end].strip(" :*") == ""):
            return Subject([], role, end)
        return None
    if labelled:
        return Subject(items, role, _after(v, e, end), labelled=True)
    if e < stop and v.phrase(e, voc["not_task"]):
        return None
    d = v.phrase(e, voc["delegation"]) if e < stop else 0
    if d:
        items2, e2, _ = agency_list(v, e + d, stop)
        if items2:
            return Subject(items2, None, _after(v, e2, end))
    if any(_is_standing(v, a, b) for a, b in parens):
        role = "standing"
    supports: list[Mention] = []
    if e < stop and (n := v.phrase(e, voc["set_aside"])) and e + n < stop:
        e += n
    if e < stop and v.text[v.toks[e - 1].end:v.toks[e].start].strip() in (",", "") and v.phrase(e, voc["aside"]):
        comma = v.toks[e].start                              # "Sở X, trên cơ sở đề xuất của ..., chủ trì"
        for _ in range(6):
            comma = v.text.find(",", comma + 1, end)
            if comma < 0 or v.tok(comma + 1) >= stop:
                break
            if v.phrase(v.tok(comma + 1), voc["lead"]):
                e = v.tok(comma + 1)
                break
    while e < stop and (n := v.phrase(e, voc["subject_adverbs"])) and e + n < stop and v.phrase(e + n, voc["lead"]) \
            + v.phrase(e + n, voc["subject_adverbs"]):
        e += n
    if e < stop:
        n = v.phrase(e, voc["lead"])
        if n:
            role = "lead"
            e += n
            s = v.phrase(e, voc["support"])
            if s:
                supports, e, _ = agency_list(v, v.skip_voi(e + s), stop)
            if delegated:
                return Subject(items, role, _after(v, e, end), supports, delegated=True)
        else:
            n = v.phrase(e, voc["standing"])
            if n:
                role = "standing"
                e += n
    return Subject(items, role, _after(v, e, end), supports, delegated=delegated)


def _after(v: View, k: int, end: int) -> int:
    """Char offset after the list ending before token k, past a parenthesis right after it."""
    pos = min(v.toks[k - 1].end, end) if k > 0 else end
    if v.text[pos:end].lstrip().startswith("("):
        close = v.text.find(")", pos, end)
        if close > 0:
            pos = close + 1
    return pos


def _is_standing(v: View, a: int, b: int) -> bool:
    keys = token_keys(v.text[a + 1:b - 1])
    return any(keys[:len(p)] == p or keys[-len(p):] == p for p in vocab()["standing"] if p)


# ---------------------------------------------------------------- units of text


def _in_task_area(v: View, s: Section) -> bool:
    """No section from `s` up to its top is skipped or a scope heading, and a top part assigns tasks; memoised
    per section in the View (a section's answer is its own check and its parent's answer). In a text with no
    labelled section the preamble is the whole text, and read."""
    if v.unstructured and s.kind == "preamble":
        return True
    got = v.task_area.get(s.section_id)
    if got is None:
        got = v.task_area[s.section_id] = _task_area_of(v, s)
    return got


def _task_area_of(v: View, s: Section) -> bool:
    if s.kind in SKIP_KINDS or _scope_heading(s.heading or "", s.label or ""):
        return False
    if s.parent_id and s.parent_id in v.by_id:
        return _in_task_area(v, v.by_id[s.parent_id])
    return _task_part(s.heading or "") if s.kind == "part" else True


@lru_cache(maxsize=4096)
def _scope_heading(heading: str, label: str) -> bool:
    """"1. Đối tượng: ..." — a section saying whom the plan covers (scope_headings), not who does what."""
    head = token_keys(heading[:80])
    lab = token_keys(label)
    head = head[len(lab):] if lab and head[:len(lab)] == lab else head
    return any(head[:len(p)] == p for p in vocab()["scope_headings"])


@lru_cache(maxsize=1024)
def _task_part(heading: str) -> bool:
    """Whether a part with this heading assigns tasks (keep_parts; not skip_parts)."""
    head = " ".join(token_keys(heading))
    voc = vocab()
    skip = any(" ".join(p) in head for p in voc["skip_parts"])
    keep = any(" ".join(p) in head for p in voc["keep_parts"])
    return keep or not skip


def units(v: View) -> list[Unit]:
    """Paragraphs and list items of the task sections; a line starting in lower case continues the last."""
    out: list[Unit] = []
    text = v.text
    for s in v.doc.sections:
        if not _in_task_area(v, s):
            continue
        kids = [c for c in v.children.get(s.section_id, []) if c.char_start > s.char_start]
        own_end = min(c.char_start for c in kids) if kids else s.char_end
        tail = max(c.char_end for c in kids) if kids else s.char_end   # a closing paragraph after the last child
        first = True
        current: list[int] | None = None
        ranges = [(s.char_start, own_end)] + ([(tail, s.char_end)] if tail < s.char_end else [])
        for a, b in (span for lo, hi in ranges for span in _line_spans(text, lo, hi)):
            line = text[a:b]
            stripped = line.strip()
            if not stripped:
                continue
            a += len(line) - len(line.lstrip())
            b = a + len(stripped)
            heading = first and s.kind in HEADING_KINDS
            if first and s.kind == "article" and (art := ARTICLE_LABEL.match(text, a)) and art.end() < b:
                a = art.end()                  # "Điều 2. Giao Sở X chủ trì ...": the sentence after the label
                heading = bool(v.phrase(v.tok(a), vocab()["duty_of"]))     # "Điều 21. Trách nhiệm của Sở X"
            if heading or v.unstructured and s.kind == "preamble":      # "b) Sở Nội vụ chủ trì ..." alone
                m = LABEL.match(text, a)
                while m and m.end() > a and m.end() <= b:
                    a = m.end()
                    m = LABEL.match(text, a)
                    if not (m and text[a:a + 1] in "-+*•"):
                        break
            if current is not None and not first and stripped[:1].islower():
                current[1] = b
            else:
                if current is not None:
                    out.append(Unit(current[0], current[1], s, current[2]))
                current = [a, b, heading]
            first = False
        if current is not None:
            out.append(Unit(current[0], current[1], s, current[2]))
    out.sort(key=lambda u: u.start)
    return out


def _line_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """[start, end) of each line of text[lo:hi]."""
    out, pos = [], lo
    for line in text[lo:hi].split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def sentences(v: View, a: int, b: int) -> list[tuple[int, int]]:
    """Sentence spans of [a, b) as Document.sentence_span cuts them."""
    out = []
    pos = a
    while pos < b:
        s, e = v.doc.sentence_span(pos, pos + 1)
        s, e = max(s, pos), min(max(e, pos + 1), b)
        out.append((s, e))
        pos = e
        while pos < b and v.text[pos] in " \t\n;.":
            pos += 1
    return out


# ---------------------------------------------------------------- rules


def heading_kind(v: View, subj: Subject, end: int) -> tuple[str, int]:
    """("heading", end) for a heading that hands its agencies down, ("inline", task start) for
    "X: task", ("task", tail) for a sentence with a predicate."""
    tail = subj.tail
    k = v.tok(tail)
    q = v.phrase(k, vocab()["qualifiers"]) if k < len(v.toks) else 0
    if q:
        tail = min(v.toks[k + q - 1].end, end)
    bare = v.text[tail:end].strip(" ,.;*")
    colon = v.text.find(":", tail, end)
    if colon >= 0 and _quota_after(v, colon, end):
        return "quota", end          # "- Ủy ban bầu cử của tỉnh: Không quá 05 cá nhân" allots, assigns nothing
    if not bare or bare == ":":
        return "heading", end
    if bare.startswith(":"):
        after = bare[1:].strip(" *")
        if not after or v.text[:end].rstrip(" *").endswith(":") or PLACE_LIST.match(after):
            return "heading", end
        colon = v.text.index(":", tail)
        return "inline", colon + 1 + (len(v.text[colon + 1:end]) - len(v.text[colon + 1:end].lstrip()))
    return "task", subj.tail


def _quota_after(v: View, colon: int, end: int) -> bool:
    k = v.tok(colon + 1)
    return k < len(v.toks) and v.toks[k].start < end and bool(v.phrase(k, vocab()["quota_starts"]))


def context_for(ctxs: dict[str, list[Ctx]], v: View, s: Section, pos: int) -> Ctx | None:
    """What the headings above a unit hand down: agencies and supporters from the nearest heading
    naming agencies, the role from the nearest heading stating one ("Cơ quan phối hợp")."""
    agencies, supports, role, sid, found = None, [], None, None, False
    for a in v.ancestors(s):
        for c in reversed(ctxs.get(a.section_id, [])):
            if c.pos > pos:
                continue
            if agencies is None and c.agencies:
                agencies, supports, sid = c.agencies, c.supports, c.sid
            if role is None and c.role:
                role = c.role
            found = True
    if not found or (agencies is None and role is None):
        return None
    return Ctx(agencies or [], role, supports, pos, sid)


def task_refs(v: View, a: int, b: int, s: Section) -> list[str]:
    """Section ids of "nội dung điểm b, d, đ": the points of the nearest enclosing clause that has
    them all; [] when the labels do not resolve (a legal reference "điểm b, khoản 3" never does)."""
    voc = vocab()
    k, stop = v.tok(a), v.tok(b)
    labels: list[str] = []
    while k < stop:
        k, n = v.next_phrase(k, stop, voc["task_ref"], exact=True)
        if not n:
            break
        j = k + n
        got = []
        while j < stop and len(v.text[v.toks[j].start:v.toks[j].end]) == 1 and v.text[v.toks[j].start].isalpha():
            got.append(v.label_at(v.toks[j].start))
            j += 1
            if j < stop and v.toks[j].key == "va" and v.gap(j).strip() in ("", ","):
                j += 1
        if got and not (j < stop and v.phrase(j, voc["task_ref_not"], exact=True)):
            labels.extend(got)
        k = max(j, k + 1)
    if not labels:
        return []
    for anc in v.ancestors(s):
        kids = {c.label: c.section_id for c in v.children.get(anc.section_id, []) if c.kind in ("point", "clause")}
        if all(lab in kids for lab in labels):
            return [kids[lab] for lab in labels]
    return []


def _implicit_lead(v: View, a: int, b: int) -> bool:
    """The unit says "chủ trì" for its own heading agency (not "X chủ trì" of another agency)."""
    k0 = k = v.tok(a)
    stop = v.tok(b)
    while k < stop:
        k, n = v.next_phrase(k, stop, vocab()["lead"])
        if not n:
            break
        if not (k in v.mention_end and k - 1 >= k0 and ":" not in v.gap(k) and "\n" not in v.gap(k)) \
                and not _passive_agent_before(v, k, k0) and not _lead_noun_before(v, k, k0):
            return True
        k += n + 1
    return False


def _lead_noun_before(v: View, k: int, k0: int) -> bool:
    """"theo đề nghị của cơ quan chủ trì": "chủ trì" after a noun for a body, inside the sentence, names the
    leading body; it is no role of the unit's own (at the start, "Cơ quan chủ trì: X" is a role label)."""
    for n in (2, 3):
        if k - n > k0 and v.phrase(k - n, vocab()["lead_nouns"]) == n:
            return True
    return False


def _passive_agent_before(v: View, k: int, k0: int, most: int = 6) -> bool:
    """"... theo kế hoạch chung do cơ quan có thẩm quyền chủ trì": the "chủ trì" of an agent after "do", named
    or not, is not the unit's own."""
    for j in range(k - 1, max(k0, k - most) - 1, -1):
        if v.gap(j + 1).strip(" "):
            return False
        if _is_do(v, j):
            return True
    return False


def _is_do(v: View, k: int) -> bool:
    """Token k is the word "do" as printed (the agent of a passive), not a folded "đó" or "độ"."""
    return v.keys[k] == "do" and v.text[v.toks[k].start:v.toks[k].end].lower() == "do"


def supports_in(v: View, a: int, b: int) -> list[Mention]:
    """Agencies after "phối hợp (chặt chẽ) (với)" in the sentence [a, b)."""
    voc = vocab()
    out: list[Mention] = []
    k, stop = v.tok(a), v.tok(b)
    while k < stop:
        k, n = v.next_phrase(k, stop, voc["support"])
        if not n:
            break
        items, e, _ = agency_list(v, v.skip_voi(k + n), stop)
        if not _directed(v, v.tok(a), k):
            out.extend(items)
        k = max(e, k + n)
    return out


#: How far before "phối hợp" a "chỉ đạo" may stand and still direct its subject (tokens).
DIRECTED_WINDOW = 40


def _directed(v: View, a: int, k: int) -> bool:
    """"chỉ đạo X phối hợp với Y": the support at token k is of a directed body (ANNOTATION.md: no row)."""
    j = max(a, k - DIRECTED_WINDOW)
    while j < k:
        j, n = v.next_phrase(j, k, vocab()["directing"])
        if not n:
            return False
        items, e, _ = agency_list(v, j + n, k + 1)
        between = v.text[v.toks[j + n - 1].end:v.toks[k].start]
        if (items and e == k) or (k - (j + n) <= 10 and not re.search(r"[;.:]", between)):
            return True                  # the directed body may be one the vocabulary does not know
        j += n
    return False


def _submitted_in(v: View, a: int, b: int) -> list[Mention]:
    """Agencies right after "trình" in the sentence [a, b) ("trình UBND tỉnh xem xét"): a report_to."""
    voc = vocab()
    out: list[Mention] = []
    k, stop = v.tok(a), v.tok(b)
    while k < stop:
        k, n = v.next_phrase(k, stop, voc["submit"])
        if not n:
            break
        if k == 0 or not v.phrase(k - 1, voc["submit_not_after"]) or v.gap(k).strip():
            items, e, parens = agency_list(v, k + n, stop)
            out.extend(items + _via(v, parens))
        k += n
    return out


def reports_in(v: View, a: int, b: int) -> list[Mention]:
    """Agencies reports are sent (or submitted: "trình X") to in the sentence [a, b)."""
    voc = vocab()
    out: list[Mention] = []
    k, stop = v.tok(a), v.tok(b)
    while k < stop:
        k, n = v.next_phrase(k, stop, voc["report"])
        if not n:
            break
        if k and not v.gap(k).strip() and v.phrase(k - 1, voc["report_not_after"]):
            k += n                       # "Hệ thống thông tin báo cáo Chính phủ": a system's name, no report
            continue
        j = k + n
        j += v.phrase(j, voc["report_adverbs"]) if j < stop else 0
        link = v.phrase(j, voc["report_link"]) if j < stop else 0
        items, e, parens = agency_list(v, j + link, stop)
        if items:
            out.extend(items + _via(v, parens or _last_paren(v, e, b)) + _through_after(v, e, stop))
            k = e
            continue
        found = False
        sending = v.phrase(k, voc["send"]) == n
        limit = min(stop, j + (voc["send_window"] if sending else voc["report_window"]))
        links = voc["report_link"]
        while j < limit:
            g = v.gap(j)
            if ";" in g or "." in g or _clause_break(v, j) or v.phrase(j, voc["report"]):
                break
            if j in v.mention_at:
                break
            if sending and j >= k + n + voc["report_window"]:
                links = voc["send_link"]          # past the usual window only "về/đến/lên X" is an addressee
            link = v.phrase(j, links)
            if link:
                items, e, parens = agency_list(v, j + link, stop)
                if items:
                    out.extend(items + _via(v, parens or _last_paren(v, e, b)))
                    j, found = e, True
                    break
                j += link
                continue
            j += 1
        k = j if found or j > k + n else k + n
    return out + _submitted_in(v, a, b)


def _through_after(v: View, e: int, stop: int, window: int = 8) -> list[Mention]:
    """"báo cáo UBND Thành phố kết quả thực hiện thông qua Sở X": the body a report goes through, a few
    words after its addressee (the report_to rows are both, ANNOTATION.md)."""
    j = e
    while j < min(stop, e + window):
        if any(ch in v.gap(j) for ch in ".;(") or _clause_break(v, j) or j in v.mention_at:
            return []
        n = v.phrase(j, vocab()["through"])             # with marks, "kết quả" is no "qua" (View.phrase)
        if n:
            return agency_list(v, j + n, stop)[0]
        j += 1
    return []


def _clause_break(v: View, j: int) -> bool:
    """A purpose clause starts at token j ("để tổng hợp"); with its marks when the text has them ("đề xuất"
    is no "để")."""
    n = v.phrase(j, vocab()["clause_break"])
    if not n or v.lenient:
        return bool(n)
    return v.text[v.toks[j].start:v.toks[j + n - 1].end].lower() in vocab()["clause_break_printed"]


def _last_paren(v: View, e: int, end: int) -> list[tuple[int, int]]:
    """The parenthesis right after token e-1 when it closes before `end` ("... UBND tỉnh (qua Sở X).")."""
    pos = v.toks[e - 1].end if e > 0 else 0
    rest = v.text[pos:end]
    if not rest.lstrip().startswith("("):
        return []
    open_ = pos + rest.index("(")
    close = v.text.find(")", open_, end)
    return [(open_, close + 1)] if close > 0 else []


def _via(v: View, parens: list[tuple[int, int]]) -> list[Mention]:
    """Agencies in "(qua X)" after a report addressee."""
    out = []
    for a, b in parens:
        k = v.tok(a)
        if k < len(v.toks) and v.toks[k].key == "qua":
            items, _, _ = agency_list(v, k + 1, v.tok(b))
            out.extend(items)
    return out


# ---------------------------------------------------------------- rows


#: A task longer than this (a file with no line breaks) is cut, with "…": every row repeats its task.
MAX_TASK = 2000


def _task_text(task: str) -> str | None:
    """The task as written in a row: spaces collapsed, list punctuation stripped, at most MAX_TASK characters."""
    if len(task) > MAX_TASK:
        return " ".join(task[:MAX_TASK].split()).strip(" :;,-") + "…"
    return " ".join(task.split()).strip(" :;,-") or None


class Rows:
    """The rows of one document: one per (task unit or sentence, agency, role), ids from the key."""

    def __init__(self, v: View):
        self.v = v
        self.rows: list[dict] = []
        self.seen: set = set()
        self.ids: Counter = Counter()

    def add(self, m: Mention, role: str, span: tuple[int, int], task: str, refs: list[str], how: str,
            dedupe_key) -> None:
        key = (dedupe_key, m.agency_id, role)
        if key in self.seen:
            return
        self.seen.add(key)
        doc = self.v.doc
        prov = doc.provenance(*span)
        base = (m.agency_id, role, prov["section_id"])
        n = self.ids[base]
        self.ids[base] += 1
        rid = row_id(doc.doc_id, TABLE, *base, *([n] if n else []))
        self.rows.append({
            "assignment_id": rid, **prov, "confidence": round(BASE_CONFIDENCE[how] * m.confidence, 3),
            "agency_id": m.agency_id, "agency_name": m.name, "agency_surface": m.surface,
            "agency_type": m.type, "role": role, "task": _task_text(task),
            "task_refs": list(refs), "deadline_ids": [], "task_id": None,
        })


def extract(doc: Document) -> list[dict]:
    """Assignment rows of a document (DESIGN.md, table `assignments`); deadline_ids are left to the linker."""
    v = view_of(doc)
    out = Rows(v)
    ctxs: dict[str, list[Ctx]] = {}
    parents = {s.parent_id for s in doc.sections}
    labelled_parents: dict[str, Section] = {}
    for s in doc.sections:
        if s.kind in ("point", "clause") and s.parent_id and s.parent_id not in labelled_parents:
            labelled_parents[s.parent_id] = s
    headings: list[tuple[Unit, Subject]] = []
    all_units = units(v)
    for u in all_units:
        ctx = context_for(ctxs, v, u.section, u.start)
        subj = subject_at(v, u.start, u.end)
        if subj is not None and u.heading:
            subj = _whole_heading_name(v, subj, u)
        if subj is not None and u.heading and _topic_heading(v, subj, u):
            subj = None
        if subj is None and u.heading and v.lenient:
            subj = _damaged_heading(v, u)
        if (subj is not None and subj.labelled and not v.text[:u.end].rstrip(" *").endswith(":")
                and not (u.heading and u.section.section_id in parents)):
            for m in subj.agencies:
                out.add(m, subj.role, (m.start, m.end), v.text[u.start:u.end], [], "subject", (u.start, u.end))
            if subj.role == "responsible":
                _later_clauses(v, out, u, subj.tail)   # "Cơ quan thực hiện: X rà soát ...; Y rà soát ..."
                for i, (a, b) in enumerate(sentences(v, subj.tail, u.end)):
                    s2 = subject_at(v, a, b) if i > 0 else None     # "... . Đồng thời, Y rà soát ..."
                    for m in (s2.agencies if s2 is not None else []):
                        role = s2.role if s2.role in ("lead", "standing") else "responsible"
                        out.add(m, role, (m.start, m.end), v.text[s2.tail:b], [], "subject", (a, b))
                    for m in reports_in(v, a, b):
                        out.add(m, "report_to", (m.start, m.end), v.text[a:b], [], "report_to",
                                v.doc.sentence_span(m.start, m.end))
            continue
        if subj is not None:
            kind, at = heading_kind(v, subj, u.end)
            if kind == "heading":
                if u.heading and subj.role == "lead" and u.section.section_id in labelled_parents:
                    # "1. Bộ X chủ trì, phối hợp với Y:" over points a), b): the roles are stated once, at the
                    # heading; each point is a duty X answers for (ANNOTATION.md, role-stating headings)
                    for m in subj.agencies:
                        out.add(m, "lead", (m.start, m.end), v.text[subj.tail:u.end], [], "subject", (u.start, u.end))
                    for m in subj.supports:
                        out.add(m, "support", (m.start, m.end), v.text[subj.tail:u.end], [], "support",
                                (u.start, u.end))
                    ctxs.setdefault(u.section.section_id, []).append(
                        Ctx(subj.agencies, "responsible", [], u.end, u.section.section_id))
                    continue
                if u.heading or v.text[:u.end].rstrip(" *").endswith(":"):
                    ctxs.setdefault(u.section.section_id, []).append(
                        Ctx(subj.agencies, subj.role, subj.supports, u.end, u.section.section_id))
                    if u.heading and subj.role is None and (ctx is None or ctx.role is None):
                        headings.append((u, subj))
                    if u.heading and subj.role is None and u.section.section_id in labelled_parents:
                        # "1. Sở Nội vụ:" over points a), b): the heading agency answers for the clause
                        child = labelled_parents[u.section.section_id]
                        for m in subj.agencies:
                            out.add(m, "responsible", (m.start, m.end), v.text[child.char_start:child.char_end],
                                    [], "subject", (u.start, u.end))
                continue
            if kind == "inline":
                _emit(v, out, u, at, ctx, subj, inline=True)
                continue
            if kind == "quota":
                continue
            if kind == "task" and subj.agencies and u.section.kind in ("item", "bullet") \
                    and v.text[:u.end].rstrip(" *").endswith(":"):
                # "- UBND thành phố Hà Nội và UBND Thành phố Hồ Chí Minh cần tập trung … như sau:" over "+"
                # items: the items are its duties ("+ Chủ trì, phối hợp với …" is its lead)
                ctxs.setdefault(u.section.section_id, []).append(
                    Ctx(subj.agencies, None, [], u.end, u.section.section_id))
        _emit(v, out, u, u.start, ctx, subj if subj and subj.agencies else None, inline=False)
    _heading_agencies(v, out, headings)
    _preamble_requests(v, out)
    _passive_leads(v, out, all_units)
    return out.rows


def _passive_leads(v: View, out: "Rows", units_: list[Unit]) -> None:
    """"... kết nối với hệ thống quốc gia do Bộ X chủ trì(, phối hợp với Y)": the body after "do" leads the work
    the clause names (ANNOTATION.md: "X chủ trì" → lead), its partners support."""
    voc = vocab()
    agents = [k for k in positions(v.keys, {"do"}) if k + 1 in v.mention_at and _is_do(v, k)]
    if not agents:
        return
    for u in units_:
        lo, hi = v.tok(u.start), v.tok(u.end)
        for k in agents[bisect.bisect_left(agents, lo):bisect.bisect_left(agents, hi)]:
            items, e, _ = agency_list(v, k + 1, hi)
            n = v.phrase(e, voc["lead"]) if items and e < len(v.toks) else 0
            if not n:
                continue
            e += n
            s = v.phrase(e, voc["support"]) if e < len(v.toks) else 0
            supports = agency_list(v, v.skip_voi(e + s), hi)[0] if s else []
            for m in items:
                out.add(m, "lead", (m.start, m.end), v.text[u.start:u.end], [], "subject", (u.start, u.end))
            for m in supports:
                out.add(m, "support", (m.start, m.end), v.text[u.start:u.end], [], "support", (u.start, u.end))


def _preamble_requests(v: View, out: "Rows") -> None:
    """"Thủ tướng Chính phủ yêu cầu X, Y tập trung thực hiện ...": a request in the preamble of a directive
    hands the document's tasks to X and Y (ANNOTATION.md: `responsible`, section `preamble`). Not "theo đề
    nghị của ..." (whose proposal it was)."""
    voc = vocab()
    for s in v.doc.sections:
        if s.kind != "preamble" or s.parent_id is not None:
            continue
        for a, b in sentences(v, s.char_start, s.char_end):
            k, stop = v.tok(a), v.tok(b)
            while k < stop:
                n = v.phrase(k, voc["preamble_request"])
                if not n or (k > 0 and v.keys[k - 1] in ("theo", "cua")) or (k + n < stop and v.keys[k + n] == "cua"):
                    k += 1
                    continue
                line_end = v.text.find("\n", v.toks[k].start, s.char_end)
                b = s.char_end if line_end < 0 else line_end       # the request may go on after a colon
                subj = subject_at(v, v.toks[k].start, b)
                for m in (subj.agencies if subj is not None else []):
                    out.add(m, "responsible", (m.start, m.end), v.text[subj.tail:b], [], "subject", (a, b))
                break


def _topic_heading(v: View, subj: Subject, u: Unit) -> bool:
    """"9. Doanh nghiệp số": a heading that is only a bare plural noun (no "các") names a topic, not a
    body answering for the section (a heading agency is a body: "9. Sở Xây dựng", "9. Các doanh nghiệp")."""
    if subj.role is not None or v.text[subj.tail:u.end].strip(" .:*"):
        return False
    return all(m.name.startswith("Các ") and not m.surface.lower().startswith("các ") for m in subj.agencies)


def _whole_heading_name(v: View, subj: Subject, u: Unit) -> Subject:
    """"5. Các chủ đầu tư xây dựng và kinh doanh hạ tầng KCN": a heading that is one qualified collective and
    the words narrowing it names that body in full (abbreviations expanded), "và", "trong" and all."""
    if len(subj.agencies) != 1 or subj.role is not None or subj.supports:
        return subj
    m = subj.agencies[0]
    qualified = gazetteer()["qualified"]
    if v.text[u.start:m.start].strip() or not any(m.name == q or m.name.startswith(q + " ") for q in qualified):
        return subj
    printed = whole = v.text[m.start:u.end].strip(" .:*\n")
    words = whole.split()
    if len(words) <= len(m.surface.split()) or len(words) > vocab()["heading_name_words"] \
            or any(c in whole for c in ":;()") or "\n" in whole:
        return subj
    k0, k1 = v.tok(m.end), v.tok(m.start + len(whole))
    if any(v.phrase(k, vocab()["heading_name_breaks"]) or vague_at(v.toks, k) for k in range(k0, k1)):
        return subj
    for abbr, expansion in gazetteer()["abbreviations"].items():
        whole = re.sub(rf"(?<!\w){re.escape(abbr)}(?!\w)", expansion, whole)
    name = "Các " + whole.split(" ", 1)[1] if whole.lower().startswith("các ") else whole[0].upper() + whole[1:]
    juris = m.agency_id.partition("@")[2] or None
    full = Mention(m.start, m.start + len(printed), printed, name, m.type, agency_id(name, juris), m.confidence, m.scope)
    return Subject([full], subj.role, u.end, subj.supports, subj.labelled, subj.delegated)


def _heading_agencies(v: View, out: "Rows", headings: list[tuple[Unit, Subject]]) -> None:
    """A heading agency answers for its section (ANNOTATION.md: one core `responsible` at the heading), also
    when its duties only say "Chủ trì" or name another doer: the rows it lacks are added at the heading."""
    answered: set[tuple[str, str]] = set()          # (a section or one above it, agency) of responsible rows
    for r in out.rows:
        if r["role"] == "responsible":
            parts = r["section_id"].split(".")
            answered.update((".".join(parts[:n]), r["agency_id"]) for n in range(1, len(parts) + 1))
    for u, subj in headings:
        sid = u.section.section_id
        body = sentences(v, u.end, u.section.char_end)
        task = v.text[body[0][0]:body[0][1]] if body else ""
        for m in subj.agencies:
            if (sid, m.agency_id) not in answered:
                out.add(m, "responsible", (m.start, m.end), task, [], "subject", ("heading", sid))


def _clauses(v: View, a: int, b: int, in_lists: bool = False) -> list[tuple[int, int]]:
    """The clauses after each ';' of [a, b); unless `in_lists`, not after a ';' that parts the members of
    a list of agencies."""
    out = []
    semi = v.text.find(";", a, b)
    while semi >= 0:
        k = v.tok(semi)
        nxt = v.text.find(";", semi + 1, b)
        end = b if nxt < 0 else nxt
        if in_lists or not _member_ends(v, k):  # "phối hợp với Sở A; Sở B" goes on listing
            start = semi + 1 + (len(v.text[semi + 1:end]) - len(v.text[semi + 1:end].lstrip()))
            if start < end:
                out.append((start, end))
        semi = nxt
    return out


def _member_ends(v: View, k: int) -> bool:
    """A list member ends right before token k, with or without the words narrowing it ("các Sở, ban, ngành
    của tỉnh")."""
    return k in v.mention_end or any(k - n in v.mention_end and v.phrase(k - n, vocab()["member_qualifiers"]) == n
                                     for n in range(1, 6))


def _later_clauses(v: View, out: "Rows", u: Unit, pos: int) -> None:
    """Subjects of the clauses after ';' in a labelled line: each answers for its own part."""
    for start, end in _clauses(v, pos, u.end, in_lists=True):
        s2 = subject_at(v, start, end)
        if s2 is not None and s2.agencies and s2.tail < end:
            role = s2.role if s2.role in ("lead", "standing") else "responsible"
            for m in s2.agencies:
                out.add(m, role, (m.start, m.end), v.text[s2.tail:end], [], "subject", (u.start, u.end))


def _damaged_heading(v: View, u: Unit, most: int = 4) -> Subject | None:
    """An agency heading behind a few unreadable words ("Giam ddc, Thii trudéng cac Sé, Ban, nganh ...")."""
    k = v.tok(u.start)
    for skip in range(1, most + 1):
        if k + skip >= v.tok(u.end):
            break
        s = subject_at(v, v.toks[k + skip].start, u.end)
        if s is not None and s.agencies and heading_kind(v, s, u.end)[0] == "heading":
            return s
    return None


def _emit(v: View, out: Rows, u: Unit, task_start: int, ctx: Ctx | None, subj: Subject | None,
          inline: bool) -> None:
    text = v.text
    sents = sentences(v, u.start, u.end)
    if not sents:
        return
    refs = task_refs(v, u.start, u.end, u.section)
    unit_key = (u.start, u.end)
    actors: set[str] = set()
    if subj is not None and subj.agencies:
        task = text[task_start if inline else subj.tail:u.end]
        role = subj.role if subj.role in ("lead", "standing", "support") else (ctx.role if ctx and ctx.role else None)
        role = role or ("lead" if _implicit_lead(v, subj.tail, u.end) and inline else "responsible")
        also_lead = role == "standing" and _implicit_lead(v, subj.tail, u.end)
        for m in subj.agencies:
            out.add(m, role, (m.start, m.end), task, refs, "subject", unit_key)
            if also_lead:          # "X là cơ quan thường trực, chủ trì ...": standing and lead
                out.add(m, "lead", (m.start, m.end), task, refs, "subject", unit_key)
            if subj.delegated and role != "responsible":
                out.add(m, "responsible", (m.start, m.end), task, refs, "subject", unit_key)
            actors.add(m.agency_id)
        for m in subj.supports:
            if m.agency_id not in actors:
                out.add(m, "support", (m.start, m.end), task, refs, "support", v.doc.sentence_span(m.start, m.end))
    elif ctx is not None and ctx.agencies and ctx.sid in (u.section.section_id, u.section.parent_id):
        task = text[u.start:u.end]
        role = ctx.role or "responsible"
        first_k = v.tok(u.start)
        also_lead = False
        if role != "support":
            if v.phrase(first_k, vocab()["standing"]):
                role, also_lead = "standing", _implicit_lead(v, u.start, u.end)
            elif _implicit_lead(v, u.start, u.end):
                role = "lead"
        for m in ctx.agencies:
            out.add(m, role, sents[0], task, refs, "context", unit_key)
            if also_lead:
                out.add(m, "lead", sents[0], task, refs, "context", unit_key)
            actors.add(m.agency_id)
        for m in ctx.supports:
            if m.agency_id not in actors:
                out.add(m, "support", sents[0], task, refs, "context", sents[0])
    else:
        task = text[u.start:u.end]
    opened = subj.tail if subj is not None and subj.agencies else u.start    # the unit's own subject ends here
    for i, (a, b) in enumerate(sents):
        if i > 0 and a >= opened:
            s = subject_at(v, a, b)
            if s is not None and s.agencies:
                role = s.role if s.role in ("lead", "standing") else "responsible"
                for m in s.agencies:
                    out.add(m, role, (m.start, m.end), text[s.tail:b], refs, "subject", (a, b))
                    actors.add(m.agency_id)
            elif s is None and subj is not None and subj.agencies and v.phrase(v.tok(a), vocab()["lead"]):
                for m in subj.agencies:        # "X chủ trì ... . Chủ trì, phối hợp ...": X leads again
                    out.add(m, "lead", (m.start, m.end), text[a:b], refs, "subject", (a, b))
        for c, d in _clauses(v, max(a, opened), b):
            s = subject_at(v, c, d)            # "...; các sở, ngành và UBND các xã rà soát ...": its own doers
            if s is not None and s.agencies and heading_kind(v, s, d)[0] == "task":
                role = s.role if s.role in ("lead", "standing") else "responsible"
                for m in s.agencies:
                    out.add(m, role, (m.start, m.end), text[s.tail:d], refs, "subject", (c, d))
                    actors.add(m.agency_id)
        for m in supports_in(v, a, b):
            if m.agency_id not in actors:
                out.add(m, "support", (m.start, m.end), task, refs, "support", v.doc.sentence_span(m.start, m.end))
        for m in reports_in(v, a, b):
            out.add(m, "report_to", (m.start, m.end), text[a:b], refs, "report_to",
                    v.doc.sentence_span(m.start, m.end))
