"""Segment: text → the section tree (DESIGN.md, table `sections`).

Header block, title, preamble, parts `I.`, clauses `1.` / `2.1.`, points `a)`,
items and bullets `-` `+` `*`, appendices, tables, signature and recipients.
Markers are matched on diacritic-folded text so restored and OCR text segment
alike. Markdown headings were removed by normalize: their depth is not trusted.

A decision or resolution that promulgates a plan is segmented in two parts: the
decision (header, title, preamble, articles `Điều 1`, recipients, signature) and
the attached plan (`title`, with its unlabelled opening, its parts `I`, `II.3.b`, appendices
`PL1`); the decision's own title is then `decision_title` (ANNOTATION.md): see docs/multi-part.md. Vocabulary: data/structure.yaml.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .model import Section
from .params import read_yaml
from .text import fold

DATA = Path(__file__).parent / "data"


@cache
def vocabulary() -> dict:
    """structure.yaml with every list folded (lower case, no marks); mappings get folded keys."""
    data = read_yaml(DATA / "structure.yaml")
    out: dict = {}
    for k, v in data.items():
        if isinstance(v, list):
            out[k] = [fold(w) for w in v]
        elif isinstance(v, dict):
            out[k] = {fold(w): t for w, t in v.items()}
        else:
            out[k] = v
    return out


@cache
def _appendix_rx() -> re.Pattern:
    voc = vocabulary()
    plain = "|".join(re.escape(m) for m in sorted(voc["appendix_markers"], key=len, reverse=True))
    numbered = "|".join(re.escape(m) for m in sorted(voc["numbered_appendix_markers"], key=len, reverse=True))
    return re.compile(rf"^(?:(?:{plain})\s*(?:so\s*)?(?P<label>[0-9ivx]+)?\b"
                      rf"|(?:{numbered})\s*(?:so\s*)?(?P<num>\d+)\b)", re.I)


@cache
def _article_rx() -> re.Pattern:
    words = "|".join(re.escape(w) for w in vocabulary()["article_words"])
    return re.compile(rf"^(?:{words})\s+(?P<num>\d{{1,3}})\s*(?:[.:]\s*(?P<rest>.*))?$")


ROMAN = re.compile(r"^(?P<label>[IVX][IVXli1]{0,5}|I[Ili1]?H)\s*[.:/]\s*(?P<rest>\S.*)?$")
SUBCLAUSE = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<rest>\S.*)$")
CLAUSE = re.compile(r"^(?P<label>\d{1,2})\s*(?:\.(?!\d)|\))\s*(?P<rest>\S.*)?$")   # "11.400 người" is a figure
POINT = re.compile(r"^(?P<label>[a-zđ])\s*[).]\s+(?P<rest>\S.*)$")
BULLET = re.compile(r"^(?P<label>[-–—+*•])\s*(?P<rest>\S.*)$")
PAREN_ITEM = re.compile(r"^\((?P<label>\d{1,2})\)\s*(?P<rest>\S.*)$")   # "(1) ..." items (ANNOTATION.md)
ROMAN_ALONE = re.compile(r"^[IVX]{1,5}$")
NUMBER_ONLY = re.compile(r"\d[\d.,]*[.,]\d[\d.,]*\s*%?")   # a figure ("72.850", "8,00", "1.1"), not a label
ATTACHED = "attached_"   # prefix of the attached plan's special parts while they are read (attached_header ...)
DECISION_TITLE = "decision_title"   # the promulgating decision's own title, when the plan's is `title`

RANK = {"article": 1, "part": 1, "clause": 2, "subclause": 3, "point": 4}
ITEM_MARKERS = "-–—•"


def roman_label(token: str) -> str | None:
    """Roman numeral of a part label, repairing OCR (`Il`→II, `I11`→III, `IH`→III); None if not roman."""
    if not token or token[0] not in "IVX":
        return None
    t = token.replace("l", "I").replace("1", "I").replace("i", "I")
    if t.startswith("I") and t.endswith("H"):   # the last two strokes of III read as one H
        t = t[:-1] + "II"
    if not t or not re.fullmatch(r"X{0,3}(IX|IV|V?I{0,3})", t):
        return None
    return t


def _int_to_roman(n: int) -> str:
    out = ""
    for v, r in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + r, n - v
    return out


def repeated_part(label: str, previous: str | None) -> str:
    """A part numbered like the one before it whose last `I` OCR dropped (`II.` after `II.` is `III.`)."""
    if previous is None or label != previous:
        return label
    following = _int_to_roman(_roman_to_int(previous) + 1)
    return following if following == label + "I" else label


def _roman_to_int(t: str) -> int:
    vals = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, c in enumerate(t):
        v = vals[c]
        total += -v if i + 1 < len(t) and vals[t[i + 1]] > v else v
    return total


@dataclass
class _Line:
    start: int
    end: int
    text: str
    folded: str = ""     # fold(text)


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    folded = fold(text)            # once for the document: fold is one character per character
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            a, b = pos + lead, pos + lead + len(stripped)
            out.append(_Line(a, b, stripped, folded[a:b]))
        pos += len(raw) + 1
    return out


def _starts(folded: str, words: list[str]) -> bool:
    """The line is one of `words`, or starts with one and a space or ":" (or with one ending in ".")."""
    whole, prefixes = _start_forms(tuple(words))
    return folded in whole or folded.startswith(prefixes)


@cache
def _start_forms(words: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """`words` and what a line starting with one of them starts with (`_starts`)."""
    return frozenset(words), (*(w + " " for w in words), *(w for w in words if w.endswith(".")),
                              *(w + ":" for w in words))


def _is_title_keyword(line: _Line) -> bool:
    f = line.folded.strip(" :*")
    return f in vocabulary()["title_keywords"] and line.text.strip(" :*").isupper()


def _is_signature(line: _Line) -> bool:
    if not line.text.isupper() and not line.folded.startswith(("tm.", "kt.", "tl.", "q.", "t/m")):
        return False
    return _starts(line.folded, vocabulary()["signature_markers"])


def _is_recipients(line: _Line) -> bool:
    return _starts(line.folded.replace("noi nhgn", "noi nhan"), vocabulary()["recipients_markers"])


def _is_appendix(line: _Line) -> bool:
    return bool(_appendix_rx().match(line.folded)) and (line.text[:7].isupper() or len(line.text) < 40)


def _appendix_label(line: _Line) -> str:
    m = _appendix_rx().match(line.folded)
    return ((m.group("label") or m.group("num") or "") if m else "")


def _article(line: _Line) -> tuple[str, str] | None:
    """('Điều 3', rest) for an article line "Điều 3. ..." / "Điều 3:" / "Điều 3"; None otherwise."""
    if not line.text[:1].isupper():
        return None
    m = _article_rx().match(line.folded)
    if not m:
        return None
    rest = line.text[m.start("rest"):] if m.group("rest") is not None else ""
    return f"{vocabulary()['article_label']} {int(m.group('num'))}", rest


def classify(line: _Line) -> tuple[str, str, str] | None:
    """(kind, label, heading rest) of a structural line, or None for running text."""
    t = line.text
    if NUMBER_ONLY.fullmatch(t):
        return None
    art = _article(line)
    if art:
        return "article", art[0], art[1]
    m = ROMAN.match(t)
    if m:
        label = roman_label(m.group("label"))
        if label and (m.group("rest") or "")[:1].isupper():
            return "part", label, m.group("rest") or ""
    for kind, rx in (("subclause", SUBCLAUSE), ("clause", CLAUSE), ("point", POINT), ("paren", PAREN_ITEM),
                     ("bullet", BULLET)):
        m = rx.match(t)
        if m:
            return kind, m.group("label"), m.group("rest") or ""
    if t.startswith("|"):
        return "table", "", ""
    return None


class _Builder:
    def __init__(self, text: str, page_starts: list[int]):
        self.text = text
        self.page_starts = page_starts
        self.sections: list[Section] = []
        self.ids: set[str] = set()
        self.next_n: dict[str, int] = {}     # per repeated id, the next ~n to try (no rescan from ~2)
        self.ocr = False                      # the text was read by OCR

    def page(self, pos: int) -> int | None:
        return bisect.bisect_right(self.page_starts, pos) if self.page_starts else None

    def add(self, sid: str, parent: str | None, level: int, kind: str, label: str | None,
            heading: str | None, start: int, end: int) -> Section:
        base, n = sid, self.next_n.get(sid, 2)
        while sid in self.ids:
            sid, n = f"{base}~{n}", n + 1
        self.next_n[base] = n
        self.ids.add(sid)
        s = Section(sid, parent, level, kind, label, heading, start, end, len(self.sections),
                    self.page(start), self.page(max(start, end - 1)))
        self.sections.append(s)
        return s

    def close(self, s: Section, end: int) -> None:
        s.char_end = max(s.char_end, end)
        s.page_end = self.page(max(s.char_start, s.char_end - 1))


def segment(text: str, page_starts: list[int] | None = None, ocr: bool = False) -> list[Section]:
    """The section tree of a document's text, in document order (`ordinal`); `ocr`: the text was read
    by OCR, so a part numbered like the one before it lost an `I` (`repeated_part`)."""
    lines = _lines(text)
    b = _Builder(text, page_starts or [])
    b.ocr = ocr
    if not lines:
        return []
    title_i = _title_index(lines)
    attached = _attached_start(lines, title_i)
    if attached is None:
        _document(b, lines, title_i, special="")
    else:
        start, attached_title = attached
        _document(b, lines[:start], title_i, special="")
        _document(b, lines[start:], attached_title - start, special=ATTACHED)
        b.sections = _plan_ids(b.sections)
    b.sections.sort(key=lambda s: (s.char_start, s.level))
    for k, s in enumerate(b.sections):
        s.ordinal = k
    return b.sections


def _plan_ids(sections: list[Section]) -> list[Section]:
    """The ids ANNOTATION.md gives a decision that promulgates a plan: the plan's title is `title`, and
    its unlabelled opening paragraphs belong to it; the decision's own title is `decision_title`."""
    by_id = {s.section_id: s for s in sections}
    title, opening = by_id.get(ATTACHED + "title"), by_id.get(ATTACHED + "preamble")
    if title is None:
        return sections
    for s in sections:
        if s.section_id == "title":
            s.section_id = DECISION_TITLE
        elif s is title:
            s.section_id = "title"
        if s.parent_id == ATTACHED + "title":
            s.parent_id = "title"
    if opening is not None:
        title.char_end, title.page_end = max(title.char_end, opening.char_end), opening.page_end
        for s in sections:
            if s.parent_id == opening.section_id:
                s.parent_id = "title"
        sections = [s for s in sections if s is not opening]
    return sections


def _title_index(lines: list[_Line]) -> int | None:
    return next((i for i, ln in enumerate(lines[:60]) if _is_title_keyword(ln)), None)


def _document(b: _Builder, lines: list[_Line], title_i: int | None, special: str) -> None:
    """One document (the decision, or the plan attached to it): header, title, preamble, body, tail.

    `special` prefixes the ids of the special parts (`attached_title`); parts keep their labels.
    """
    if not lines:
        return
    body_from = 0
    if title_i is not None:
        if title_i > 0:
            b.add(special + "header", None, 0, "header", None, None, lines[0].start, lines[title_i - 1].end)
        j = _title_end(lines, title_i)
        b.add(special + "title", None, 0, "title", None, lines[title_i].text, lines[title_i].start, lines[j - 1].end)
        body_from = j

    tail_from = _tail_start(lines, body_from)
    first_heading = next((i for i in range(body_from, tail_from) if _opens_structure(lines[i])), tail_from)
    if first_heading > body_from:
        b.add(special + "preamble", None, 0, "preamble", None, None, lines[body_from].start,
              lines[first_heading - 1].end)
    _body(b, lines[first_heading:tail_from], prefix="", level0=1)
    _tail(b, lines[tail_from:], special)


def title_block(text: str) -> str:
    """The title block at the start of `text` (a title section, which may go on with the plan's
    unlabelled opening paragraphs): the keyword line and its subject lines."""
    lines = _lines(text)
    if not lines:
        return ""
    return text[:lines[_title_end(lines, 0) - 1].end]


def _title_end(lines: list[_Line], title_i: int) -> int:
    """Index after the title block: the keyword line, the subject lines (upper case, or wrapped
    lines of a sentence-case subject) and a "(Ban hành kèm theo ...)" line."""
    n = len(lines)
    j = title_i + 1
    if j >= n or classify(lines[j]) is not None:
        return j
    upper = lines[j].text.isupper()
    j += 1
    while j < n and classify(lines[j]) is None:
        ln, prev = lines[j], lines[j - 1]
        if prev.text.startswith("(") and prev.text.endswith(")"):
            break
        if ln.text.isupper() or ln.text.startswith("("):
            j += 1
        elif (not upper and not prev.text.endswith((".", ";", ":")) and len(ln.text) < 200 and (
                ln.text[:1].islower()
                or _open_end(prev) and not _starts(ln.folded, vocabulary()["preamble_starters"]))):
            j += 1
        else:
            break
    return j


def _open_end(line: _Line) -> bool:
    """A subject line ending in a word a title cannot end with ("... năm 2025 của" / "Bộ Chính trị ..."): the
    next line goes on with it, capital or not (structure.yaml title_open_ends)."""
    words = line.folded.rstrip().rsplit(" ", 1)
    return len(words) == 2 and words[1] in vocabulary()["title_open_ends"]


def _is_attached_title(line: _Line) -> bool:
    """"KẾ HOẠCH" alone, or with its issuer ("CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ"), in capitals."""
    f = line.folded.strip(" :*")
    if not line.text.strip(" :*").isupper():
        return False
    types = vocabulary()["attached_types"]
    head, sep, issuer = f.partition(" cua ")
    return f in types or bool(sep) and head in types and 0 < len(issuer.split()) <= 6


def _is_attached_marker(line: _Line) -> bool:
    f = line.folded.lstrip(" (*")
    return line.text.lstrip(" *").startswith("(") and _starts(f, vocabulary()["attached_markers"])


def _attached_start(lines: list[_Line], title_i: int | None) -> tuple[int, int] | None:
    """(first line, title line) of the plan attached to a decision, or None.

    The document's title keyword is a decision type; after its first article comes a line that is
    an attached type alone ("KẾ HOẠCH") followed by its subject, and either a "(Ban hành kèm theo
    ...)" line right under it or the decision's closing block (Nơi nhận, signature) before it.
    """
    if title_i is None or lines[title_i].folded.strip(" :*") not in vocabulary()["decision_types"]:
        return None
    n = len(lines)
    first_article = next((i for i in range(title_i + 1, n) if _article(lines[i])), None)
    if first_article is None:
        return None
    closed = False
    for k in range(first_article + 1, n - 1):
        ln = lines[k]
        if _is_recipients(ln) or _is_signature(ln):
            closed = True
        if not _is_attached_title(ln) or classify(lines[k + 1]) is not None:
            continue
        if closed or any(_is_attached_marker(x) for x in lines[k + 1:k + 5]):
            return _attached_header_start(lines, k, first_article), k
    return None


def _attached_header_start(lines: list[_Line], k: int, lo: int) -> int:
    """A repeated letterhead (issuer, motto, number, date) right above the attached title, if any."""
    i = k
    motto = False
    while i - 1 > lo:
        ln = lines[i - 1]
        f = ln.folded
        if f.startswith(("cong hoa xa hoi", "doc lap")):
            motto = True
        elif not (ln.text.isupper() and not _is_signature(ln) or f.startswith("so:") or ", ngay" in f):
            break
        i -= 1
    return i if motto else k


def _opens_structure(line: _Line) -> bool:
    c = classify(line)
    return c is not None and c[0] in ("article", "part", "clause", "subclause") or _is_appendix(line)


def _tail_start(lines: list[_Line], body_from: int) -> int:
    """First line of the closing block (recipients or signature) after the body."""
    n = len(lines)
    for i in range(body_from, n):
        ln = lines[i]
        if _is_recipients(ln):
            k = i
            while k - 1 > body_from and _is_signature(lines[k - 1]) and i - k < 6:
                k -= 1
            return k
        if _is_signature(ln) and i > body_from and not _issuer_repeat(lines, i) and (
                lines[i - 1].text.endswith(("./.", "/.", ". /")) or _closing_block_follows(lines, i)):
            return i
    return n


def _issuer_repeat(lines: list[_Line], i: int) -> bool:
    """"THỦ TƯỚNG CHÍNH PHỦ" right before "Căn cứ ...": the decision's enacting authority, not its signature."""
    nxt = next((ln for ln in lines[i + 1:i + 3] if ln.text.strip(" _-")), None)
    return nxt is not None and _starts(nxt.folded, vocabulary()["preamble_starters"])


def _closing_block_follows(lines: list[_Line], i: int) -> bool:
    window = lines[i:i + 8]
    return any(_is_recipients(ln) for ln in window) or all(classify(ln) is None for ln in window)


def _body(b: _Builder, lines: list[_Line], prefix: str, level0: int, parent_id: str | None = None) -> None:
    """Stack-based tree of parts, clauses, points and bullets; appendices restart numbering."""
    stack: list[tuple[Section, int, str]] = []      # (section, rank, bullet marker)
    counters: dict[tuple[str | None, str], int] = {}
    table: Section | None = None
    appendix_no = groups = 0
    letter: str | None = None          # the last lettered group row ("A.", "B.") of an appendix table

    def parent() -> Section | None:
        return stack[-1][0] if stack else None

    def close_to(rank: int, end: int) -> None:
        while stack and stack[-1][1] >= rank:
            b.close(stack.pop()[0], end)

    root_prefix, root_parent = prefix, parent_id
    last_part: dict[str | None, str] = {}   # per root, the label of the last part
    closing_from = _closing_paragraph(lines)
    kinds = [classify(ln) for ln in lines]
    closings = _part_closings(lines, kinds)
    for idx, ln in enumerate(lines):
        if _is_appendix(ln):
            close_to(0, ln.start)
            appendix_no += 1
            groups, letter = 0, None
            raw_label = _appendix_label(ln)
            num = (_roman_to_int(raw_label.upper()) if raw_label and raw_label.isalpha() and roman_label(raw_label.upper())
                   else int(raw_label) if raw_label.isdigit() else appendix_no)
            sec = b.add(f"PL{num}", None, 0, "appendix", str(num), ln.text, ln.start, ln.end)
            stack.append((sec, 0, ""))
            root_prefix, root_parent = sec.section_id + ".", sec.section_id
            table = None
            continue
        c = kinds[idx]
        if c is None and root_parent and _group_row(lines, idx, groups):
            c = ("part", ln.text, "")
        elif c is None and root_parent and _letter_group_row(lines, idx, letter):
            letter = ln.text.rstrip(".")
            c = ("part", letter, "")
        sub = _sub_group_row(lines, idx, groups) if c is None and root_parent else None
        if sub is not None:                 # "III.1", "III.1.1": nested group rows of a flattened table
            close_to(RANK["clause"] + len(sub) - 1, ln.start)
            p = parent()
            if p is not None and p.kind in ("part", "clause"):
                sec = b.add(f"{p.section_id}.{sub[-1]}", p.section_id, p.level + 1, "clause", ln.text, ln.text,
                            ln.start, ln.end)
                stack.append((sec, RANK["clause"] + len(sub) - 1, ""))
                table = None
                continue
        if c is not None and c[0] == "part" and root_parent and ROMAN_ALONE.match(c[1]):
            groups = _roman_to_int(c[1])
        if c is None or c[0] == "table":
            if c is not None:
                if table is None:
                    p = parent()
                    pid = p.section_id if p else root_parent
                    k = counters[(pid, "T")] = counters.get((pid, "T"), 0) + 1
                    sid = (pid + "." if pid else root_prefix) + f"T{k}"
                    table = b.add(sid, pid, (p.level + 1) if p else level0, "table", None, None, ln.start, ln.end)
                b.close(table, ln.end)
            else:
                table = None
            if idx in closings:           # a part's closing paragraph after its last clause or point
                close_to(RANK["part"] + 1, lines[idx - 1].end)
            for s, r, _ in stack:
                if idx < closing_from or r <= RANK["part"]:
                    b.close(s, ln.end)
            continue
        table = None
        kind, label, rest = c
        if kind == "part" and b.ocr:
            label = last_part[root_parent] = repeated_part(label, last_part.get(root_parent))
        if kind in ("bullet", "paren"):
            marker = "-" if label in ITEM_MARKERS else "()" if kind == "paren" else label
            depth = next((k for k, (_, r, m) in enumerate(stack) if r >= 5 and m == marker), None)
            if depth is not None:
                close_to_index = depth
                while len(stack) > close_to_index:
                    b.close(stack.pop()[0], ln.start)
            rank = 5 + sum(1 for _, r, _ in stack if r >= 5)
            out_kind = "item" if marker in ("-", "*", "()") else "bullet"
        else:
            rank = RANK[kind] + (0.1 * (label.count(".") - 1) if kind == "subclause" else 0)   # 1.1.1 inside 1.1
            close_to(rank, ln.start)
            marker = ""
            out_kind = "clause" if kind == "subclause" else kind
        p = parent()
        pid = p.section_id if p else root_parent
        if kind == "bullet":
            k = counters[(pid, marker)] = counters.get((pid, marker), 0) + 1
            component = f"{marker}{k}"
        elif kind == "paren":
            component = label                      # "(2) ..." under II.1 is II.1.2
        elif kind == "subclause":
            inside = p is not None and p.kind == "clause" and p.label and label.startswith(p.label + ".")
            component = label[len(p.label) + 1:] if inside else label
        else:
            component = label
        sid = (pid + "." if pid else root_prefix) + component
        level = (p.level + 1) if p else level0
        sec = b.add(sid, pid, level, out_kind, label if kind != "bullet" else marker, ln.text, ln.start, ln.end)
        stack.append((sec, rank, marker))
    end = lines[-1].end if lines else 0
    if closing_from < len(lines):
        close_to(RANK["part"] + 1, lines[closing_from - 1].end)
    close_to(-1, end)


def _closing_paragraph(lines: list[_Line]) -> int:
    """Index of the closing paragraph ("Ủy ban nhân dân Thành phố yêu cầu các Sở ... nghiêm túc triển
    khai thực hiện") printed after the bullets of the last clause: it belongs to the part, not to that
    clause (ANNOTATION.md, sections). len(lines) when there is none."""
    k = len(lines)
    while k > 0 and classify(lines[k - 1]) is None and lines[k - 1].text[:1].isupper():
        k -= 1
    if k == len(lines) or k == 0:
        return len(lines)
    prev = classify(lines[k - 1])
    return k if prev is not None and prev[0] == "bullet" else len(lines)


def _part_closings(lines: list[_Line], kinds: list[tuple[str, str, str] | None]) -> set[int]:
    """Indices of paragraphs that close a part before the next one ("Hằng năm, trước ngày 25/12, các cơ quan
    … gửi báo cáo", "Trong quá trình tổ chức thực hiện, nếu có khó khăn …" after its last clause): they
    belong to the part (ANNOTATION.md, sections). Only unlabelled paragraphs right before a part heading,
    after a clause or point whose line is a whole sentence, opening with a closing cue (structure.yaml)."""
    cues = tuple(vocabulary()["closing_starts"])
    out: set[int] = set()
    for i in range(1, len(lines) + 1):
        if i < len(lines) and not ((kinds[i] is not None and kinds[i][0] == "part") or _is_appendix(lines[i])):
            continue
        k = i
        while k > 0 and kinds[k - 1] is None and lines[k - 1].text[:1].isupper():
            k -= 1
        if k == i or k == 0 or kinds[k - 1] is None or kinds[k - 1][0] == "part":
            continue
        whole = len(kinds[k - 1][2] or "") >= 15 and lines[k - 1].text.rstrip().endswith((".", ";", "./."))
        if whole and lines[k].folded.lower().startswith(cues):
            out.add(k)
    return out


def _group_row(lines: list[_Line], idx: int, groups: int) -> bool:
    """A lone roman numeral in an appendix that numbers the next group ("I" then "II") and is
    followed by the group's title: a group row of a table flattened one cell per line."""
    ln = lines[idx]
    if not ROMAN_ALONE.match(ln.text) or roman_label(ln.text) != ln.text or _roman_to_int(ln.text) != groups + 1:
        return False
    nxt = lines[idx + 1] if idx + 1 < len(lines) else None
    return nxt is not None and nxt.text[:1].isupper() and classify(nxt) is None and not ROMAN_ALONE.match(nxt.text)


LETTER_ALONE = re.compile(r"^[A-ZĐ]\.$")
LETTERS = "ABCDĐEGHIKLMNOPQRSTUVXY"      # Vietnamese order


def _letter_group_row(lines: list[_Line], idx: int, last: str | None) -> bool:
    """A lone "A." / "B." in an appendix, the next letter after the last group's, followed by the group's
    title: a lettered group row of a table flattened one cell per line (ANNOTATION.md: a part, PL1.A)."""
    ln = lines[idx]
    if not LETTER_ALONE.match(ln.text):
        return False
    k = LETTERS.find(ln.text[0])
    if not (k == 0 if last is None else 0 < k - LETTERS.find(last) <= 2):
        return False
    nxt = lines[idx + 1] if idx + 1 < len(lines) else None
    return nxt is not None and nxt.text[:1].isupper() and classify(nxt) is None


SUB_GROUP = re.compile(r"^(?P<head>[IVX]{1,5})(?P<rest>(?:\.\d{1,2})+)\.?$")


def _sub_group_row(lines: list[_Line], idx: int, groups: int) -> list[str] | None:
    """The numbers of a lone "III.1" / "III.1.1" under group III of an appendix table flattened one cell per
    line, followed by its title: a nested group row (ANNOTATION.md: a dotted label keeps its number)."""
    m = SUB_GROUP.match(lines[idx].text)
    if not m or _roman_to_int(m.group("head")) != groups:
        return None
    nxt = lines[idx + 1] if idx + 1 < len(lines) else None
    if nxt is None or not nxt.text[:1].isupper() or classify(nxt) is not None:
        return None
    return m.group("rest").strip(".").split(".")


def _tail(b: _Builder, lines: list[_Line], special: str = "") -> None:
    """Signature block and recipients, in whichever order they come."""
    i, n = 0, len(lines)
    while i < n:
        ln = lines[i]
        if _is_recipients(ln):
            j = i + 1
            while j < n and not _is_signature(lines[j]) and not _is_appendix(lines[j]):
                j += 1
            b.add(special + "recipients", None, 0, "recipients", None, ln.text, ln.start, lines[j - 1].end)
            i = j
        elif _is_appendix(ln):
            _body(b, lines[i:], prefix="", level0=1)
            return
        else:
            j = i + 1
            while j < n and not _is_recipients(lines[j]) and not _is_appendix(lines[j]):
                j += 1
            b.add(special + "signature", None, 0, "signature", None, ln.text, ln.start, lines[j - 1].end)
            i = j
