"""Tasks (DESIGN.md, table `tasks`): who does what, by when, with what result.

Two sources: every row of a task table (STT | nhiệm vụ | chủ trì | phối hợp | kết quả |
thời gian hoàn thành, in whatever form the table came: PDF, Word, Markdown, flattened text),
and every clause or item of the text whose assignments name who does it. A table task
brings its own `assignments` rows (one per agency of its lead and support cells, carrying
`task_id`) and `deadlines` rows (from its time cell: "Quý I/2027" there is due on 31 March);
a text task links the assignments and deadlines the other extractors found in its sentence.

`attach(doc, tables)` runs after the other extractors and the sentence linker.
Vocabulary: extractors/data/tasks.yaml.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipeline.model import BULLET_ID, Document, Section, Table, TableRow, labelled_section_id, row_id
from pipeline.params import read_yaml
from pipeline.text import fold

from . import assignments as assignments_mod
from . import deadlines as deadlines_mod
from .agencies import NATIONAL_SCOPES, Mention, agency_id, find_agencies, is_province, not_a_body

DATA = Path(__file__).parent / "data"
ROMAN = re.compile(r"^(?P<label>(?:[IVX]{1,5}|[A-Z])(?:\.\d{1,2})*)\s*[.)]?\s*(?:$|\s)")
NUMBER = re.compile(r"^\s*(?P<n>\d{1,3}(?:\.\d{1,2})*)\s*[.)]?\s*$")


@cache
def vocab() -> dict:
    return read_yaml(DATA / "tasks.yaml")


@cache
def _column_phrases() -> list[tuple[str, str]]:
    return [(role, fold(p)) for role, phrases in vocab()["columns"].items() for p in phrases]


def _match(header: str) -> tuple[str | None, tuple[int, int]]:
    """(role, strength) of a header: whole phrase > prefix > inside, longer phrases first."""
    h = " ".join(fold(header or "").replace("/", " ").split()).strip(" .:")
    best: tuple[str | None, tuple[int, int]] = (None, (0, 0))
    for role, phrase in _column_phrases():
        if h == phrase:
            rank = 3
        elif h.startswith(phrase + " "):
            rank = 2
        elif len(phrase) > 6 and phrase in h:
            rank = 1
        else:
            continue
        if (rank, len(phrase)) > best[1]:
            best = (role, (rank, len(phrase)))
    return best


def column_role(header: str) -> str | None:
    """The role of a column from its header ("Cơ quan chủ trì" → lead), None if unknown."""
    return _match(header)[0]


def columns(table: Table) -> dict[str, int]:
    """Role → column index: for each role, the column whose header matches it best (then the first)."""
    best: dict[str, tuple[tuple[int, int], int]] = {}
    for i, h in enumerate(table.headers):
        role, strength = _match(h)
        if role and (role not in best or strength > best[role][0]):
            best[role] = (strength, i)
    out = {role: i for role, (_, i) in best.items()}
    if "lead" not in out and "support" in out:
        # "STT | Đơn vị | Nhiệm vụ chủ trì | Đơn vị phối hợp": beside a partners' column, a bare
        # "Đơn vị" / "Cơ quan" column names who leads
        bare = {fold(x) for x in vocab()["bare_lead_headers"]}
        lead = next((i for i, h in enumerate(table.headers) if fold(" ".join(h.split())).strip(" :") in bare
                     and i not in out.values()), None)
        if lead is not None:
            out["lead"] = lead
    return out


def _is_work_time(header: str) -> bool:
    """A time column that dates the work ("Thời gian thực hiện"), not its completion (tasks.yaml)."""
    k = fold(" ".join(header.split())).strip(" :")
    return any(k.startswith(fold(h)) for h in vocab()["work_time_headers"]) and not any(
        fold(w) in k for w in vocab()["completion_words"])


def more_agency_columns(table: Table, chosen: dict[str, int] | None = None) -> dict[str, list[int]]:
    """Further columns of an agency role beside the one `columns` chose ("Cơ quan trình | Cơ quan chủ trì
    thẩm tra | Cơ quan tham gia thẩm tra": two lead columns): their bodies take that role too."""
    chosen = columns(table) if chosen is None else chosen
    out: dict[str, list[int]] = {}
    for i, h in enumerate(table.headers):
        role = _match(h)[0]
        if role in ("lead", "support", "report_to") and chosen.get(role) != i and i not in chosen.values():
            out.setdefault(role, []).append(i)
    return out


def is_task_table(table: Table) -> bool:
    """A table with a lead column and either a task column or a support/time column."""
    c = columns(table)
    return "lead" in c and ("task" in c or "support" in c or "time" in c)


@dataclass
class Task:
    """One task before it becomes rows."""

    number: str | None
    text: str
    group: str | None
    section_id: str | None
    start: int | None
    end: int | None
    leads: list[Mention] = field(default_factory=list)
    supports: list[Mention] = field(default_factory=list)
    reports: list[Mention] = field(default_factory=list)
    deliverable: str | None = None
    deadline_text: str | None = None
    deadline_exprs: list[tuple[deadlines_mod.Expr, int | None]] = field(default_factory=list)
    confidence: float = 1.0
    continues: bool = False     # a further sub-row under the merged number and lead cells of the task above
    inherited: bool = False     # ... whose partners' cells are merged too


#: Sections whose printed mark is no number ("-", "+"): their tasks have none (ANNOTATION.md, tasks).
BULLET_KINDS = ("item", "bullet")

LEFTOVER_EDGE = re.compile(r"^[\s,;.:\-–+]*(?:và\s+|với\s+)?|[\s,;.:\-–]+$")


def _members(text: str, jurisdiction: str | None, as_of=None) -> list[Mention]:
    """Agencies of a cell ("Bộ Tài chính, Bộ Nội vụ", "- Bộ Y tế;"), each once, in order. A stretch the
    vocabulary does not cover that is printed like a name ("Cơ quan, tổ chức và doanh nghiệp liên quan")
    is a body too: in an agency column, the capital letter is the cue (ANNOTATION.md, collectives)."""
    found = find_agencies(text, jurisdiction, as_of=as_of)
    plural = {" ".join(k.lower().split()): v for k, v in vocab().get("cell_collectives", {}).items()}
    spans, prev = [], 0
    for m in found + [None]:
        a, b = prev, (m.start if m else len(text))
        for pa, pb in _pieces(text, a, b):
            piece = text[pa:pb]
            core = LEFTOVER_EDGE.sub("", piece).strip()
            words = core.split()
            name = plural.get(" ".join(core.lower().split()))
            if name:                  # the plural form as the vocabulary names it here ("Các địa phương"
                known = find_agencies(name, jurisdiction, as_of=as_of)    # of a central plan: the provinces)
                name = known[0].name if len(known) == 1 and known[0].surface == name else name
            if piece.rstrip().endswith(":") and m is not None:
                continue                # "Các Bộ: Ngoại giao, Công an": the words that introduce the members
            places = _named_provinces(core, jurisdiction, as_of)
            if places:                  # "Thành phố Hà Nội, Thành phố Hồ Chí Minh" in a central plan's cell
                spans += [Mention(pa + piece.find(core), pa + piece.find(core) + len(core), core, m.name, m.type,
                                  m.agency_id, 0.7) for m in places]
                continue
            if core and (name or (core[0].isupper() and 2 <= len(words) <= 14 and not core.startswith("(")
                                  and not not_a_body(core))):
                start = pa + piece.find(core)
                name = name or re.sub(r"\s+và\s+(?=\S+\s+\S)", ", ", core)  # "A, B và C liên quan" → "A, B, C liên quan"
                spans.append(Mention(start, start + len(core), core, name, "other",
                                     agency_id(name, jurisdiction), 0.6))
        if m is not None:
            spans.append(m)
            prev = m.end
    seen, out = set(), []
    for m in sorted(spans, key=lambda m: m.start):
        if m.agency_id not in seen:
            seen.add(m.agency_id)
            out.append(m)
    return out


def _named_provinces(core: str, jurisdiction: str | None, as_of=None) -> list[Mention]:
    """A central plan's agency cell naming provinces only ("Thành phố Hà Nội, Thành phố Đà Nẵng"): their
    People's Committees, which act for them; [] unless every member is a province."""
    if jurisdiction not in NATIONAL_SCOPES or not core:
        return []
    parts = [p.strip() for p in re.split(r",|\s+và\s+", core) if p.strip()]
    out = []
    for p in parts:
        found = find_agencies(f"Ủy ban nhân dân {p}", jurisdiction, as_of=as_of)
        if not (is_province(p) and len(found) == 1):
            return []
        out.append(found[0])
    return out


def _pieces(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """[a, b) cut at ";" and line breaks: "Viện, Trường; Doanh nghiệp" is two parties."""
    out, start = [], a
    for m in re.finditer(r"[;\n]", text[a:b]):
        out.append((start, a + m.start()))
        start = a + m.end()
    out.append((start, b))
    return out


def _shift(m: Mention, offset: int | None) -> Mention:
    if offset is None:
        return m
    return Mention(m.start + offset, m.end + offset, m.surface, m.name, m.type, m.agency_id, m.confidence, m.scope)


def _cell_parties(c, role: str, jurisdiction: str | None, as_of) -> list[tuple[str, list[Mention]]]:
    """The bodies of an agency cell by role: its column's role, or the role a label in the cell states
    ("- Chủ trì: Ủy ban Pháp luật; - Phối hợp: Hội đồng Dân tộc, …" in a "Cơ quan chủ trì, phối hợp" column)."""
    text = c.text
    rx, roles = _cell_label_re()
    cuts = [(None, 0, 0)] + [(roles[m.group("label")], m.start(), m.end()) for m in rx.finditer(fold(text))
                             if text[m.start("label")].isupper() or text[:m.start("label")].rstrip()[-1:] in ("", *_CUT)]
    pieces = []
    for k, (r, _, a) in enumerate(cuts):
        b = cuts[k + 1][1] if k + 1 < len(cuts) else len(text)
        m = _CELL_SENTENCE.match(fold(text[a:b])) if r is None else None
        if m:                          # "Ủy ban Pháp luật chủ trì, phối hợp với Hội đồng Dân tộc, ..."
            pieces += [("lead", a, a + m.end("lead")), ("support", a + m.start("support"), b)]
        else:
            pieces.append((r or role, a, b))
    out = []
    for r, a, b in pieces:
        if text[a:b].strip(" -+•;,.\n"):
            out.append((r, [_shift(m, c.char_start + a if c.char_start is not None else None)
                            for m in _members(text[a:b], jurisdiction, as_of)]))
    return out


_CELL_SENTENCE = re.compile(r"^(?P<lead>\S.*?)\s+chu tri\s*,?\s*(?:va\s+)?phoi hop\s*(?:voi\s+)?(?P<support>\S.*)$", re.S)


@cache
def _cell_label_re() -> tuple[re.Pattern, dict[str, str]]:
    roles = {fold(p): role for role, phrases in vocab()["cell_role_labels"].items() for p in phrases}
    alts = "|".join(re.escape(p) for p in sorted(roles, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?P<label>{alts})\s*:"), roles


_CUT = (";", "\n", ".", ",", "-", "+", "•")      # what may come before a role label in a cell
_REPORT_HINT = re.compile(r"(?i)báo cáo|gửi|trình")


def _numbered_group(row: TableRow, table: Table) -> str | None:
    """"1." over rows "1.1", "1.2": a group row numbered like its rows' first number (ANNOTATION.md: a part)."""
    m = re.match(r"^\s*(\d{1,2})\s*[.)]?\s*$", row.cells[0].text if row.cells else "")
    if not m:
        return None
    prefix = m.group(1) + "."
    below = [r for r in table.body if r.kind != "group" and r.cells]
    return m.group(1) if any(r.cells[0].text.strip().startswith(prefix) for r in below) else None


def _group_label(row: TableRow) -> str | None:
    text = " ".join(c.text for c in row.cells).strip()
    m = ROMAN.match(text)
    return m.group("label") if m else None


def table_tasks(doc: Document, table: Table, jurisdiction: str | None, year: int | None) -> list[Task]:
    """One Task per numbered (or agency-bearing) row of a task table."""
    cols = columns(table)
    more = more_agency_columns(table, cols)
    as_of = doc.meta.get("issue_date")
    base = table.section_id
    if base and doc.sections:
        sec = next((s for s in doc.sections if s.section_id == base), None)
        while sec is not None and sec.kind not in ("appendix", "part", "clause", "article", "title"):
            sec = next((s for s in doc.sections if s.section_id == sec.parent_id), None)
        base = sec.section_id if sec is not None else base
    bare_year = "period" if "time" in cols and _is_work_time(table.headers[cols["time"]]) else "due"
    group, out = None, []
    for row in table.body:
        if row.kind == "group":
            label = _group_label(row) or _numbered_group(row, table)
            group = f"{base}.{label}" if base and label else (label or group)
            if group:
                title = " ".join(" ".join(c.text for c in row.cells).split())
                doc._memo().setdefault("group_headings", {})[group] = ROMAN.sub("", title, count=1).strip() or None
            continue

        def cell(role: str):
            return row.cell(cols[role]) if role in cols else None

        lead_c, sup_c, time_c = cell("lead"), cell("support"), cell("time")
        num_c, task_c, del_c, rep_c = cell("number"), cell("task"), cell("deliverable"), cell("report_to")
        number = None
        if num_c is not None:
            m = NUMBER.match(num_c.text)
            number = m.group("n") if m else (num_c.text.strip() or None)
        parties: dict[str, list[Mention]] = {"lead": [], "support": [], "report_to": []}
        agency_cells = [(lead_c, "lead"), (sup_c, "support"), (rep_c, "report_to")] + [
            (row.cell(col), role) for role in ("lead", "support", "report_to") for col in more.get(role, ())
            if row.cell(col) is not None and row.cell(col).col == col]
        for c, role in agency_cells:
            if c is None:
                continue
            for r, found in _cell_parties(c, role, jurisdiction, as_of):
                ids = {m.agency_id for m in parties[r]}
                parties[r].extend(m for m in found if m.agency_id not in ids)
        leads, supports, reports = parties["lead"], parties["support"], parties["report_to"]
        if task_c is not None and task_c.char_start is not None and _REPORT_HINT.search(task_c.text):
            # "… định kỳ báo cáo Chính phủ, Thủ tướng Chính phủ": a report the task cell itself states
            ids = {m.agency_id for m in reports}
            reports = reports + [m for m in dict.fromkeys(assignments_mod.reports_in(
                assignments_mod.view_of(doc), task_c.char_start, task_c.char_end)) if m.agency_id not in ids]
        own_text = task_c is not None and bool(task_c.text.strip())
        if number is None and not leads and not (own_text and out):
            continue
        exprs = []
        if time_c is not None and time_c.text.strip():
            # a task table's time column says when the task is to be done: a quarter there is due at its end
            exprs = [(x, time_c.char_start) for x in deadlines_mod.completion_expressions(time_c.text, year, bare_year)]
        continues = number is None and not leads and bool(out)
        if number is None and out and not (task_c is not None and task_c.text.strip()):
            _merge(out[-1], leads, supports, reports, exprs, time_c, del_c)   # a sub-row of the task above
            continue
        starts = [c.char_start for c in row.cells if c.char_start is not None]
        ends = [c.char_end for c in row.cells if c.char_end is not None]
        conf = min([c.confidence for c in row.cells] or [table.confidence])
        if continues:          # its own content, partners and time; the number and lead of the task above
            above = out[-1]
            number, leads = above.number, above.leads
            if not supports and not reports:
                supports, reports = above.supports, above.reports
        out.append(Task(number, " ".join((task_c.text if task_c else "").split()), group,
                        group or base or table.section_id,
                        row.char_start if row.char_start is not None else (min(starts) if starts else None),
                        row.char_end if row.char_end is not None else (max(ends) if ends else None),
                        leads, supports, reports, " ".join(del_c.text.split()) if del_c else None,
                        " ".join(time_c.text.split()) if time_c else None, exprs, round(conf, 3), continues,
                        continues and supports is out[-1].supports if out else False))
    return out


def _merge(t: Task, leads, supports, reports, exprs, time_c, del_c) -> None:
    """A row without number or task text continues the task above (a second result, a second deadline)."""
    for mine, more in ((t.leads, leads), (t.supports, supports), (t.reports, reports)):
        ids = {m.agency_id for m in mine}
        mine.extend(m for m in more if m.agency_id not in ids)
    t.deadline_exprs.extend(exprs)
    if time_c is not None and time_c.text.strip():
        t.deadline_text = "; ".join(filter(None, [t.deadline_text, " ".join(time_c.text.split())]))
    if t.deliverable is None and del_c is not None:
        t.deliverable = " ".join(del_c.text.split()) or None


# ---------------------------------------------------------------- rows


def _provenance(doc: Document, start: int | None, end: int | None, section_id: str | None) -> dict:
    if start is None or end is None:
        return {"doc_id": doc.doc_id, "section_id": section_id, "char_start": None, "char_end": None,
                "page": None, "sentence": None}
    prov = doc.provenance(start, end)
    prov["section_id"] = section_id or prov["section_id"]
    return prov


def _task_row(doc: Document, t: Task, task_id: str, deadline_ids: list[str], source: str) -> dict:
    prov = _provenance(doc, t.start, t.end, t.section_id)
    if source == "table" and t.start is not None:
        prov["sentence"] = " ".join(doc.text[t.start:t.end].split())[:400] or None
    return {
        "task_id": task_id, **prov, "confidence": t.confidence, "number": t.number, "text": t.text or None,
        "group": t.group, "lead_ids": [m.agency_id for m in t.leads], "lead_names": [m.name for m in t.leads],
        "support_ids": [m.agency_id for m in t.supports], "support_names": [m.name for m in t.supports],
        "deliverable": t.deliverable or None, "deadline_ids": deadline_ids, "deadline_text": t.deadline_text or None,
        "source": source,
    }


def _within(r: dict, spans: list[tuple[int, int]]) -> bool:
    s = r.get("char_start")
    return s is not None and any(a <= s < b for a, b in spans)


def attach(doc: Document, tables: dict[str, list[dict]]) -> None:
    """Add `tasks` to `tables`: task-table rows (with their own assignments and deadlines, which replace
    what the text extractors read from the table's cells) and text tasks (grouping assignments)."""
    from .assignments import jurisdiction_of

    jurisdiction = jurisdiction_of(doc)
    year = deadlines_mod.document_year(doc)
    task_rows: list[dict] = []
    assignments = tables.setdefault("assignments", [])
    deadlines = tables.setdefault("deadlines", [])
    found = [(tb, table_tasks(doc, tb, jurisdiction, year)) for tb in doc.tables if is_task_table(tb)]
    spans = [(tb.char_start, tb.char_end) for tb, ts in found if ts and tb.char_start is not None]
    assignments[:] = [r for r in assignments if not _within(r, spans)]
    deadlines[:] = [r for r in deadlines if not _within(r, spans)]
    seen: Counter = Counter()
    watched: list[tuple[int, int]] = []        # tables of indicators: their rows give no text tasks either
    for tb, ts in found:
        indicators = is_indicator_table(tb)
        if indicators and ts and tb.char_start is not None:
            watched.append((tb.char_start, tb.char_end))
        for i, t in enumerate(ts):
            key = (tb.table_id, t.number, t.group, t.text[:60])
            seen[key] += 1
            task_id = row_id(doc.doc_id, "tasks", *key, seen[key])
            d_ids = []
            first_a, first_d = len(assignments), len(deadlines)
            for x, off in t.deadline_exprs:
                d_ids.append(_deadline_row(doc, deadlines, t, x, off, task_id))
            for role, ms in (("lead", t.leads), ("support", t.supports), ("report_to", t.reports)):
                if t.continues and (role == "lead" or t.inherited):
                    continue                                   # the merged cells are stated once, above
                for m in ms:
                    assignments.append(_assignment_row(doc, t, m, role, task_id, d_ids))
            if indicators:                 # a row of indicators names who monitors it: assignments, no task
                for r in assignments[first_a:] + deadlines[first_d:]:
                    r["task_id"] = None
                continue
            task_rows.append(_task_row(doc, t, task_id, d_ids, "table"))
    task_rows += text_tasks(doc, [r for r in assignments if not _within(r, watched)], deadlines)
    tables["tasks"] = task_rows
    _add_group_sections(doc, [t for _, ts in found for t in ts])


def _add_group_sections(doc: Document, tasks: list[Task]) -> None:
    """The group rows of an appendix's task table ("I. Hoàn thiện thể chế") are parts of the appendix
    (ANNOTATION.md: PL1.I): a table read from a PDF or Word file gives them to its tasks only, so the parts its
    rows refer to are added to the document's sections, spanning their rows (every section_id then exists)."""
    by_id = {s.section_id: s for s in doc.sections}
    spans: dict[str, list[int]] = {}
    for t in tasks:
        if t.group and t.group not in by_id and t.start is not None and t.end is not None:
            parent = by_id.get(t.group.rsplit(".", 1)[0])
            if parent is not None and parent.kind == "appendix":
                span = spans.setdefault(t.group, [t.start, t.end])
                span[0], span[1] = min(span[0], t.start), max(span[1], t.end)
    added = []
    for gid, (a, b) in spans.items():
        parent = by_id[gid.rsplit(".", 1)[0]]
        label = gid.rsplit(".", 1)[1]
        heading = doc._memo().get("group_headings", {}).get(gid)
        added.append(Section(gid, parent.section_id, parent.level + 1, "part", label, heading, a, b,
                             ordinal=0, page_start=parent.page_start, page_end=parent.page_end))
    if added:
        doc.sections = sorted(doc.sections + added, key=lambda s: (s.char_start, s.level))
        for k, s in enumerate(doc.sections):
            s.ordinal = k
        doc._memo().pop("sections_index", None)


def is_indicator_table(table: Table) -> bool:
    """A table of indicators and who monitors them ("TT | Chỉ tiêu | Đơn vị | Kết quả | Cơ quan chủ trì theo dõi,
    đánh giá"): the rows are no tasks (tasks.yaml indicator_columns, monitoring_words). A table that assigns
    who achieves each indicator ("TT | Chỉ tiêu | Chủ trì") is a task table. A table with no task column whose
    agency column watches ("TT | Ngành, lĩnh vực | Tốc độ tăng | Cơ quan chủ trì, theo dõi") lists indicators too."""
    heads = [fold(" ".join(h.split())).strip(" .:") for h in table.headers]
    cols = columns(table)
    if not set(heads) & {fold(x) for x in vocab()["indicator_columns"]} and "task" in cols:
        return False                 # no indicator column, but no task column either: growth rates by sector
    watch = [fold(w) for w in vocab()["monitoring_words"]]
    lead = cols.get("lead")
    return lead is not None and any(w in heads[lead] for w in watch)


def _deadline_row(doc: Document, out: list[dict], t: Task, x, off: int | None, task_id: str) -> str:
    start = off + x.start if off is not None else t.start
    end = off + x.end if off is not None else t.end
    did = row_id(doc.doc_id, "deadlines", task_id, x.kind, x.date, x.date_end, x.recurrence, x.start)
    prov = _provenance(doc, start, end, t.section_id)
    out.append({
        "deadline_id": did, **prov, "confidence": round(x.confidence * t.confidence, 3), "kind": x.kind,
        "date": x.date, "date_end": x.date_end, "time": x.time, "recurrence": x.recurrence,
        "recurrence_anchor": x.anchor, "expression": " ".join((t.deadline_text or "").split())[:200] or None,
        "task": t.text[:300] or None, "agency_ids": sorted({m.agency_id for m in t.leads + t.supports}),
        "task_id": task_id,
    })
    return did


def _assignment_row(doc: Document, t: Task, m: Mention, role: str, task_id: str, d_ids: list[str]) -> dict:
    prov = _provenance(doc, m.start if t.start is not None else None, m.end if t.start is not None else None,
                       t.section_id)
    return {
        "assignment_id": row_id(doc.doc_id, "assignments", task_id, m.agency_id, role),
        **prov, "confidence": round(0.9 * m.confidence * t.confidence, 3), "agency_id": m.agency_id,
        "agency_name": m.name, "agency_surface": m.surface, "agency_type": m.type, "role": role,
        "task": t.text[:300] or None, "task_refs": [], "deadline_ids": list(d_ids), "task_id": task_id,
    }


LABEL = re.compile(r"^\s*(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])\s*[.)]\s*")


def _join_heading_duties(groups: dict[str, list[dict]], sections: dict, lead_roles: set) -> None:
    """Points under a clause headed by an agency ("1. Sở Khoa học và Công nghệ" over a), b), c)) are its
    duties: one task, the clause's (ANNOTATION.md, tasks), unless a point names another doer."""
    for sid in sorted(groups, key=lambda x: -x.count(".")):
        sec = sections.get(sid)
        parent = sections.get(sec.parent_id) if sec is not None and sec.parent_id else None
        if parent is None or sec.kind != "point" or parent.parent_id is None:
            continue
        head = (parent.heading or "").casefold()
        doers = {r.get("agency_surface") or "" for r in groups[sid] if r["role"] in lead_roles}
        if doers and all(d and d.casefold() in head for d in doers):
            groups.setdefault(parent.section_id, []).extend(groups.pop(sid))


def _without_listed_collectives(rows: list[dict]) -> list[dict]:
    """Leads without a collective whose named members lead too ("UBND các tỉnh …: Hà Tĩnh, Huế" are those
    provinces' committees, not every province: agencies.yaml, members_of)."""
    from .agencies import gazetteer

    members_of = gazetteer()["members_of"]
    names = {r["agency_name"] for r in rows}
    return [r for r in rows if not (r["agency_name"] in members_of and any(
        n != r["agency_name"] and n.startswith(members_of[r["agency_name"]] + " ") for n in names))]


def text_tasks(doc: Document, assignments: list[dict], deadlines: list[dict]) -> list[dict]:
    """One task per labelled clause or point of the text whose assignments name a doer (lead, responsible,
    standing): its bullets are one task (ANNOTATION.md, tasks); supports are the clause's support rows."""
    lead_roles = set(vocab()["text_lead_roles"])
    executions = tuple(fold(x) for x in vocab()["execution_clauses"])
    sections = {s.section_id: s for s in doc.sections}
    groups: dict[str, list[dict]] = {}
    labels = tuple(fold(x) for x in vocab()["field_labels"])
    kids_of: dict[str, list] = {}
    for s in doc.sections:
        if s.parent_id:
            kids_of.setdefault(s.parent_id, []).append(s)

    def is_field(s) -> bool:
        return fold(LABEL.sub("", (s.heading or "").lstrip("-+*• "), count=1)).startswith(labels)

    def block(raw: str, surface: str) -> str | None:
        """The outermost bullet above a row that heads a task block: "- Bộ X" over "+" duties, or
        "- Nghị định ..." over "+ Cơ quan chủ trì: ..." fields (ANNOTATION.md: one task per item)."""
        parts = raw.split(".")
        for n in range(1, len(parts) + 1):
            a = ".".join(parts[:n])
            sec = sections.get(a)
            if sec is None or not BULLET_ID.search(a) or a not in kids_of:
                continue
            if (surface and surface.casefold() in (sec.heading or "").casefold()) or any(
                    is_field(c) for c in kids_of[a]):
                return a
        return None

    for r in assignments:
        if r.get("task_id") or r.get("char_start") is None or not r.get("section_id"):
            continue
        sid = block(r["section_id"], r.get("agency_surface") or "") or labelled_section_id(r["section_id"])
        sec = sections.get(sid)
        if sec is not None and sec.parent_id and not BULLET_ID.search(sid) and is_field(sec):
            sid = sec.parent_id          # "b) Cơ quan chủ trì: ..." is a field of the task above it
        groups.setdefault(sid, []).append(r)
    _join_heading_duties(groups, sections, lead_roles)
    out = []
    by_id = {d["deadline_id"]: d for d in deadlines}
    ordered = sorted(groups.items(), key=lambda kv: (min(r["char_start"] for r in kv[1]), kv[0]))
    for sid, rows in ordered:
        leads = [r for r in rows if r["role"] == "lead"] or [r for r in rows if r["role"] in lead_roles]
        if not leads:                    # who leads, when a clause says so; else who answers for it
            continue
        leads = _without_listed_collectives(leads)
        sec = sections.get(sid)
        if sec is not None and sec.kind in ("part", "preamble", "title", "header"):
            continue                     # a part's own paragraph is no clause or item (ANNOTATION.md, tasks)
        if sec is not None and sec.kind == "article" and any(
                c in fold(doc.text[sec.char_start:sec.char_end]) for c in executions):
            continue
        a, b = (sec.char_start, sec.char_end) if sec else doc.sentence_span(leads[0]["char_start"], leads[0]["char_end"])
        task_id = row_id(doc.doc_id, "tasks", "text", sid, *sorted({r["agency_id"] for r in leads}))
        d_ids = sorted({d for r in rows for d in (r.get("deadline_ids") or []) if d in by_id})
        for r in rows:
            r["task_id"] = task_id
        for d in d_ids:
            by_id[d].setdefault("task_id", task_id)
        b = min(len(doc.text), b, a + 400)
        while b > a + 1 and doc.text[b - 1].isspace():
            b -= 1
        prov = doc.provenance(a, max(a + 1, b))
        names = lambda rs, attr: list(dict.fromkeys(r[attr] for r in rs))  # noqa: E731
        supports = [r for r in rows if r["role"] == "support"]
        out.append({
            "task_id": task_id, **prov, "section_id": sid, "confidence": round(min(r["confidence"] for r in leads), 3),
            "number": sec.label if sec is not None and sec.label and (
                sec.kind not in BULLET_KINDS or sec.label.isdigit()) else None,     # "(1)" items are numbered
            "text": " ".join(doc.text[a:b].split())[:400] or None,
            "group": sec.parent_id if sec is not None else None,
            "lead_ids": names(leads, "agency_id"), "lead_names": names(leads, "agency_name"),
            "support_ids": [x for x in names(supports, "agency_id") if x not in names(leads, "agency_id")],
            "support_names": [x for x in names(supports, "agency_name") if x not in names(leads, "agency_name")],
            "deliverable": None, "deadline_ids": d_ids,
            "deadline_text": "; ".join(by_id[d]["expression"] for d in d_ids if by_id[d].get("expression")) or None,
            "source": "text",
        })
    return out
