"""Metadata: number, type, issuer, jurisdiction, place, date, title, signer, recipients,
and the plan a decision promulgates (attached_type, attached_title).

Read from the header, title, signature and recipients sections. Blank fields in
the source ("Số: /KH-BCĐ", "ngày tháng năm 2024") give None, never a guess. In a
decision that carries its plan (docs/multi-part.md) the decision's own title and
signature (the first) are used; the plan's title block gives attached_*.
Vocabulary: data/metadata.yaml and data/places.yaml.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache
from pathlib import Path

from pipeline.model import Document, Section
from pipeline.params import read_yaml
from pipeline.text import fold

DATA = Path(__file__).parent / "data"

NUMBER = re.compile(r"\bS[ốố6ô&o]\s*:?\s*(?P<num>\d{1,6}[a-zA-Z]?)?\s*/\s*(?P<sym>[A-ZĐa-z][\w&Đđ.\-/]*[\wĐđ])")
DATE = re.compile(r"ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})", re.I)
PLACE_BEFORE_DATE = re.compile(r"(?P<place>[A-ZĐÀ-Ỹ][^\n,;:]{1,40}?)\s*,\s*ngày", re.U)
AREA = re.compile(r"(?:trên|tại)\s+địa\s+bàn\s+(?P<unit>(?i:thành phố|tỉnh|huyện|quận|thị xã|xã|phường|thị trấn))\s+"
                  r"(?P<name>(?:[A-ZĐÀ-Ỹ][\w'’\-]*)(?:\s+[A-ZĐÀ-Ỹ][\w'’\-]*)*)", re.U)
PROMULGATED_BY = re.compile(r"kèm\s+(?:theo\s+)?[^()]*?\d+(?:/\d{4})?/[A-ZĐ]+-(?P<body>[A-ZĐ]+)\b", re.I)
NATIONAL_MOTTO = ("cong hoa xa", "doc lap", "doc 1ap")
ABBREV_TOKEN = re.compile(r"^[A-ZĐ&]{2,}$")


@cache
def places() -> dict:
    return read_yaml(DATA / "places.yaml")


@cache
def vocab() -> dict:
    return read_yaml(DATA / "metadata.yaml")


@cache
def _central_index() -> dict[str, str]:
    return {_key(n): n for n in vocab()["central_issuers"]}


def _key(s: str) -> str:
    """Folded, punctuation-free form for whole-name matching ("BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH")."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold(s)).split())


@cache
def _titles_rx() -> re.Pattern:
    alts = sorted({_key(t) for t in vocab()["signer_titles"]}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alts) + r")(?!\w)")


def central_issuer(name: str | None) -> str | None:
    """The canonical spelling of a central issuer (`Thủ tướng Chính phủ`, `Bộ Y tế`), else None."""
    if not name:
        return None
    k = _key(name)
    if k in _central_index():
        return _central_index()[k]
    for pre in vocab()["central_prefixes"]:
        if k.startswith(_key(pre) + " ") and (name.isupper() or name[:1].isupper()):
            rest = name.strip()[len(pre):].strip()
            return f"{pre.capitalize()} {_name_case(rest)}"
    return None


def _name_case(name: str) -> str:
    """`VĂN HÓA, THỂ THAO VÀ DU LỊCH` → `Văn hóa, Thể thao và Du lịch` (each comma part capitalised)."""
    if not name.isupper():
        return name
    parts = [p.strip().lower() for p in name.split(",")]
    return ", ".join(p[:1].upper() + p[1:] for p in parts if p)


@cache
def _province_index() -> dict[str, dict]:
    idx = {}
    for p in places()["provinces"]:
        for n in [p["name"], *p.get("aliases", [])]:
            idx[fold(n)] = p
    return idx


def _section(doc: Document, sid: str) -> Section | None:
    return next((s for s in doc.sections if s.section_id == sid), None)


def _title_id(doc: Document) -> str:
    """The id of the document's own title: a decision that promulgates a plan has `decision_title`, and
    `title` is then the plan's (pipeline/segment.py)."""
    from pipeline.segment import DECISION_TITLE

    return DECISION_TITLE if _section(doc, DECISION_TITLE) else "title"


def _plan_title(doc: Document) -> Section | None:
    """The attached plan's title section, if the document promulgates one."""
    from pipeline.segment import DECISION_TITLE

    return _section(doc, "title") if _section(doc, DECISION_TITLE) else None


def _span_text(doc: Document, s: Section | None) -> str:
    return doc.text[s.char_start:s.char_end] if s else ""


def _header_text(doc: Document) -> str:
    s = _section(doc, "header")
    if s:
        return _span_text(doc, s)
    t = _section(doc, _title_id(doc))
    return doc.text[: t.char_start] if t else doc.text[:400]


def parse_doc_number(text: str) -> str | None:
    m = NUMBER.search(text)
    if not m or not m.group("num"):
        return None
    return f"{m.group('num')}/{_symbol(m.group('sym'))}"


def _symbol(sym: str) -> str:
    """A document symbol as printed ("QĐ-TTg", "TTr-SKHCN"); upper-cased when typed or read in lower case."""
    letters = [c for c in sym if c.isalpha()]
    return sym.upper() if sum(c.isupper() for c in letters) * 3 < len(letters) * 2 else sym


def parse_issue_date(text: str) -> dt.date | None:
    m = DATE.search(text)
    if not m or not (m.group("d") and m.group("m")):
        return None
    try:
        return dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None


def parse_place(text: str) -> str | None:
    for line in text.splitlines():
        if "ngày" not in line:
            continue
        line = NUMBER.sub("", line)
        m = PLACE_BEFORE_DATE.search(line)
        if m:
            return m.group("place").strip()
    return None


def sentence_case(s: str) -> str:
    """`PHÓ CHỦ TỊCH UBND HUYỆN` → `Phó chủ tịch UBND huyện` (abbreviations kept)."""
    words = s.split()
    out = [w if _is_abbrev(w) else w.lower() for w in words]
    return (out[0][:1].upper() + out[0][1:] + (" " + " ".join(out[1:]) if out[1:] else "")) if out else s


def _is_abbrev(w: str) -> bool:
    """UBND, HĐND, BHXH: upper-case tokens that are not Vietnamese syllables."""
    from diacritics.inventory import is_vietnamese_syllable

    return bool(ABBREV_TOKEN.match(w)) and not is_vietnamese_syllable(w)


def _issuer_lines(header: str) -> list[str]:
    out = []
    for line in header.splitlines():
        f = fold(line)
        if NUMBER.search(line) or DATE.search(line):
            break
        cut = min([f.find(m) for m in NATIONAL_MOTTO if m in f] + [len(line)])
        left = line[:cut].strip(" -_\t")
        if fold(left).strip() in _furniture():
            continue                                   # the Công báo's running head ("VĂN BẢN PHÁP LUẬT KHÁC")
        if left and not set(left) <= set("-_ "):
            out.append(left)
    if len(out) >= 2 and fold(out[0]) == fold(out[1]):
        out = out[1:]                                  # a running head repeating the issuer
    return out


@cache
def _furniture() -> frozenset[str]:
    return frozenset(fold(x) for x in vocab().get("header_furniture", []))


def _jurisdiction_from(name_part: str) -> tuple[str | None, str | None]:
    """('Hà Nội', 'province') from 'THÀNH PHỐ HÀ NỘI'; ("huyện Ia H'Drai", 'district') from 'HUYỆN IA H'DRAI'."""
    f = fold(name_part).strip()
    for p_fold, p in _province_index().items():
        if f.endswith(p_fold):
            return p["name"], "province"
    for unit, level in sorted(places()["levels"].items(), key=lambda kv: -len(kv[0])):
        u = fold(unit)
        if f.startswith(u + " "):
            name = name_part.strip()[len(unit):].strip()
            return f"{unit} {_title(name)}", level
    return None, None


def _title(name: str) -> str:
    return " ".join(w if not w.isupper() or len(w) <= 1 else w[0] + w[1:].lower() for w in name.split()) \
        if name.isupper() else name


def _area_jurisdiction(text: str) -> tuple[str | None, str | None]:
    counts: Counter[tuple[str, str]] = Counter()
    for m in AREA.finditer(text):
        if not m.group("name")[0].isupper():
            continue
        counts[(m.group("unit"), m.group("name"))] += 1
    if not counts:
        return None, None
    (unit, name), _ = counts.most_common(1)[0]
    return _jurisdiction_from(f"{unit} {name}")


def with_unit(jurisdiction: str) -> str:
    """'Hà Nội' → 'thành phố Hà Nội'; names that carry their unit are kept."""
    p = _province_index().get(fold(jurisdiction))
    if p and not fold(jurisdiction).startswith(fold(p["unit"])):
        return f"{p['unit']} {jurisdiction}"
    return jurisdiction


def _format_issuer(lines: list[str]) -> str | None:
    if not lines:
        return None
    central = central_issuer(" ".join(lines)) or central_issuer(lines[0])
    if central:
        return central
    body = lines[0]
    abbrevs = places()["issuer_abbreviations"]
    head = None
    for full, short in abbrevs.items():
        if fold(body).strip() == fold(full):
            head = short
    head = head or (sentence_case(body) if body.isupper() else body)
    rest = " ".join(lines[1:])
    if rest:
        j, _ = _jurisdiction_from(rest)
        return f"{head} {with_unit(j) if j else rest}"
    return head


def _is_central(issuer: str | None) -> bool:
    return bool(issuer) and (central_issuer(issuer) is not None or
                             any(fold(issuer).startswith(fold(c)) for c in places()["central_issuers"]))


def _issuer_level(issuer: str | None, level: str | None) -> str | None:
    return "central" if _is_central(issuer) else level


def _strip_prefix(line: str) -> tuple[str, str | None]:
    """("CHỦ TỊCH", "kt.") from "KT. CHỦ TỊCH"; the line and None without a prefix."""
    f = fold(line)
    for p in sorted(vocab()["signature_prefixes"], key=len, reverse=True):
        if f.startswith(p):
            return line[len(p):].strip(), p
    return line, None


def _upper_run(line: str) -> tuple[str, str]:
    """(upper-case words, the rest) of a title line: "CHỦ TỊCH Nguyễn Văn A" → ("CHỦ TỊCH", "Nguyễn Văn A")."""
    words = line.split()
    k = 0
    while k < len(words) and (words[k].isupper() or not any(c.isalpha() for c in words[k])):
        k += 1
    return " ".join(words[:k]), " ".join(words[k:])


def signer_title(line: str) -> str | None:
    """The signer's title in a signature line, canonically spelled: "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" →
    `Phó Chủ tịch`, "PHÓ CHỦ TỊCH UBND HUYỆN" → `Phó Chủ tịch UBND huyện`; None if no title opens it."""
    rest, _ = _strip_prefix(line)
    words = [w for w in _upper_run(rest)[0].split() if _key(w)]
    keys = [_key(w) for w in words]
    found, i = [], 0
    while i < len(words):
        m = _titles_rx().match(" ".join(keys[i:]))
        if m:
            found.append((i, m.group(0)))
            i += len(m.group(0).split())
        else:
            i += 1
    if not found or found[0][0] != 0:
        return None
    i, key = found[-1]
    canon = next(t for t in vocab()["signer_titles"] if _key(t) == key)
    tail = [w if _is_abbrev(w) else w.lower() for w in words[i + len(key.split()):]]
    return " ".join([canon, *tail])


def _is_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words) and not any(c.isdigit() for c in line) \
        and ":" not in line and "(" not in line and not _titles_rx().match(_key(line))


def _signature(doc: Document) -> tuple[str | None, str | None, str | None]:
    """(signer_name, signer_title, body named after TM.) from the (first) signature block or the last lines.

    The title is that of the last title line ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" → Phó Chủ tịch); the name is
    the first name-like line after it, or the words glued after the title ("CHỦ TỊCH Nguyễn Văn A").
    """
    s = _section(doc, "signature")
    text = _span_text(doc, s) if s else doc.text[-300:]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    noise = {_key(x) for x in vocab()["signature_noise"]}
    body = title = name = None
    title_k = None
    for k, ln in enumerate(lines):
        rest, prefix = _strip_prefix(ln)
        if prefix in vocab()["body_prefixes"]:
            body = rest
            continue
        t = signer_title(ln)
        if t:
            title, title_k = t, k
            glued = _upper_run(rest)[1]
            name = glued if glued and _is_name(glued) else None
    if title_k is not None and name is None:
        window = [ln for ln in lines[title_k + 1:title_k + 5] if _key(ln) not in noise and _is_name(ln)]
        mixed = [ln for ln in window if not ln.isupper()]
        upper = [ln for ln in window if ln.isupper() and len(ln.split()) <= 5 and central_issuer(ln) is None
                 and not _is_abbrev(ln.split()[0])]
        name = (mixed or upper or [None])[0]
    if title_k is None:
        name = next((ln for ln in reversed(lines) if _is_name(ln) and not ln.isupper() and len(ln.split()) <= 5),
                    None)
    return name, title, body


def _recipients(doc: Document) -> list[str]:
    s = _section(doc, "recipients")
    if not s:
        return []
    out = []
    for ln in _span_text(doc, s).splitlines()[1:]:
        ln = ln.strip()
        if not ln.startswith(("-", "+", "•")):
            if out and ln and not ln[:1].isupper():
                out[-1] = f"{out[-1]} {ln}".strip(" ;,.")
            continue
        item = ln.lstrip("-+• ").strip()
        item = item[:-1].rstrip() if item[-1:] in ";,." else item     # one trailing mark (ANNOTATION.md)
        if ln.startswith("+") and out and out[-1].endswith(":"):
            out[-1] = f"{out[-1]} {item}"                            # "VP UBND tỉnh:" then "+ LĐVP, KGVX"
            continue
        if len(item) >= 3 and item[0].isalpha() and not fold(item).startswith("luu"):
            out.append(item)
    return out


def _doc_type(doc: Document) -> str | None:
    t = _section(doc, _title_id(doc))
    if not t or not t.heading:
        return None
    return places()["document_types"].get(t.heading.strip(" :*").lower())


def _is_decision(doc: Document) -> bool:
    from pipeline.segment import vocabulary

    t = _section(doc, _title_id(doc))
    return bool(t and t.heading) and fold(t.heading.strip(" :*")) in vocabulary()["decision_types"]


def _is_promulgation_line(line: str) -> bool:
    """"(Ban hành kèm theo Quyết định số ...)" under a plan's title."""
    from pipeline.segment import vocabulary

    f = fold(line).lstrip(" (*")
    return line.lstrip(" *").startswith("(") and any(f.startswith(m) for m in vocabulary()["attached_markers"])


def _is_issuer_repeat(line: str) -> bool:
    """"THỦ TƯỚNG CHÍNH PHỦ" between a decision's title and its preamble."""
    from pipeline.segment import _starts, vocabulary

    return line.isupper() and _starts(fold(line), vocabulary()["issuer_repeat_starters"])


def _title_parts(doc: Document, sid: str | None = None) -> tuple[list[str], str | None]:
    """(subject lines, issuer-repeat line) of a title section (the document's own by default): the lines
    after the keyword, without the "(Ban hành kèm theo ...)" line and, in a decision, the line repeating
    the issuer."""
    own = _title_id(doc)
    sid = sid or own
    from pipeline.segment import title_block

    t = _section(doc, sid)
    if not t:
        return [], None
    lines = [ln.strip() for ln in title_block(_span_text(doc, t)).splitlines()[1:] if ln.strip()]
    lines = [ln for ln in lines if not _is_promulgation_line(ln)]
    repeat = None
    if sid == own and _is_decision(doc) and len(lines) >= 2 and _is_issuer_repeat(lines[-1]):
        repeat = lines.pop()
    return lines, repeat


def _title_text(doc: Document) -> str | None:
    return " ".join(_title_parts(doc)[0]) or None


def _inline_attached(text: str) -> tuple[str, str] | None:
    """(type, name) of the plan an article promulgates or approves in its own words:
    "Phê duyệt Chương trình phát triển Chính phủ số (sau đây ...)" → ("Chương trình", "phát triển Chính phủ số")."""
    from pipeline.segment import vocabulary

    voc = vocabulary()
    types = voc["attached_types"]
    phrases = "|".join(re.escape(p) for p in sorted(voc["promulgation_phrases"], key=len, reverse=True))
    kinds = "|".join(re.escape(k) for k in sorted(types, key=len, reverse=True))
    f = fold(text)
    m = re.search(rf"(?:{phrases})\s+(?P<q>[\"“”]?)(?P<type>{kinds})(?!\w)\s*", f)
    if not m:
        return None
    start = m.end()
    ends = [len(f)]
    for e in [*voc["attached_title_ends"], ":", ";", "\n"]:
        k = f.find(e, start)
        if k >= 0:
            ends.append(k)
    k = f.find(".\n", start)
    ends.append(k if k >= 0 else len(f))
    if f.rstrip().endswith("."):
        ends.append(len(f.rstrip()) - 1)
    if m.group("q"):
        q = min((k for k in (f.find("”", start), f.find('"', start)) if k >= 0), default=-1)
        if q >= 0:
            ends.append(q)
    name = text[start:min(ends)].strip(" ,.“”\"")
    return types[m.group("type")], " ".join(name.split()) or None


def _attached(doc: Document) -> tuple[str | None, str | None]:
    """(attached_type, attached_title): the attached plan's title block, else the plan named by the
    decision's first article or title ("Phê duyệt Đề án ...")."""
    from pipeline.segment import vocabulary

    voc = vocabulary()
    t = _plan_title(doc)
    if t and t.heading:
        lines, _ = _title_parts(doc, t.section_id)
        kind = fold(t.heading.strip(" :*"))
        kind = kind if kind in voc["attached_types"] else kind.partition(" cua ")[0]   # "... CỦA CHÍNH PHỦ"
        return voc["attached_types"].get(kind), " ".join(lines) or None
    if not _is_decision(doc):
        return None, None
    for sid in (f"{voc['article_label']} 1", _title_id(doc)):
        s = _section(doc, sid)
        if s:
            text = _span_text(doc, s) if sid != _title_id(doc) else " ".join(_title_parts(doc)[0])
            found = _inline_attached(text)
            if found:
                return found
    return None, None


OWN_NUMBER = re.compile(r"số\s*:?\s*(?P<num>\d{1,6}[a-zA-Z]?)\s*/\s*(?P<sym>[A-ZĐ][\w&Đđ.\-/]*[\wĐđ])")
NUMERIC_DATE = re.compile(r"ngày\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})", re.I)


def _own_reference(doc: Document, doc_type: str | None) -> tuple[str | None, dt.date | None]:
    """(number, date) that a "(Kèm theo Nghị quyết số N ngày ...)" line under the attached plan or an
    appendix gives the document itself, when the line names the document's own type."""
    if not doc_type:
        return None, None
    for line in doc.text.splitlines():
        if not _is_promulgation_line(line):
            continue
        f = fold(line)
        if f"{fold(doc_type)} so" not in f:
            continue
        m = OWN_NUMBER.search(line)
        if not m:
            continue
        date = parse_issue_date(line)
        if date is None:
            d = NUMERIC_DATE.search(line)
            try:
                date = dt.date(int(d.group("y")), int(d.group("m")), int(d.group("d"))) if d else None
            except ValueError:
                date = None
        return f"{m.group('num')}/{_symbol(m.group('sym'))}", date
    return None, None


def _issuer_from_repeat(line: str | None) -> str | None:
    """The issuer named by the issuer-repeat line ("ỦY BAN THƯỜNG VỤ QUỐC HỘI"), a person's title dropped."""
    if not line:
        return None
    central = central_issuer(line)
    if central:
        return central
    words = line.split()
    for k in range(1, min(4, len(words))):
        if signer_title(" ".join(words[:k])) and (central_issuer(" ".join(words[k:]))):
            return central_issuer(" ".join(words[k:]))
    return None


def extract(doc: Document) -> dict:
    """The metadata fields of the `documents` table for one document."""
    header = _header_text(doc)
    head_zone = header
    issuer_lines = _issuer_lines(header)
    title = _title_text(doc)
    title_block = _span_text(doc, _section(doc, _title_id(doc)))
    _, repeat = _title_parts(doc)
    name, signer_title, tm_body = _signature(doc)
    doc_type = _doc_type(doc)

    jurisdiction, level = (None, None)
    if len(issuer_lines) > 1:
        jurisdiction, level = _jurisdiction_from(" ".join(issuer_lines[1:]))
    if not jurisdiction:
        jurisdiction, level = _area_jurisdiction(title or "")
    if not jurisdiction:
        jurisdiction, level = _area_jurisdiction(doc.text)
    place = parse_place(head_zone)
    if not jurisdiction and place:
        jurisdiction, level = _jurisdiction_from(place)

    issuer = _format_issuer(issuer_lines) or _issuer_from_repeat(repeat)
    if not issuer:
        body = tm_body
        number = parse_doc_number(head_zone)
        if not body and number and "-" in number:
            body = number.rsplit("-", 1)[-1]
        if not body:
            m = PROMULGATED_BY.search(title_block)
            body = m.group("body") if m else None
        if body:
            short = places()["issuer_abbreviations"].get(body.lower(), None)
            body = short or central_issuer(body) or (sentence_case(body) if body.isupper() else body)
            issuer = f"{body} {with_unit(jurisdiction)}" if jurisdiction and not _is_central(body) else body
    if _is_central(issuer):
        jurisdiction = vocab()["central_jurisdiction"]
    number, date = parse_doc_number(head_zone), parse_issue_date(head_zone)
    if number is None and date is None:
        number, date = _own_reference(doc, doc_type)
    attached_type, attached_title = _attached(doc)
    return {
        "doc_number": number,
        "doc_type": doc_type,
        "issuer": issuer,
        "issuer_level": _issuer_level(issuer, level),
        "jurisdiction": jurisdiction,
        "place": place,
        "issue_date": date,
        "title": title,
        "signer_name": name,
        "signer_title": signer_title,
        "recipients": _recipients(doc),
        "attached_type": attached_type,
        "attached_title": attached_title,
    }
