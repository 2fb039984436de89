"""Metadata: number, type, issuer, jurisdiction, place, date, title, signer, recipients.

Read from the header, title, signature and recipients sections. Blank fields in
the source ("Số: /KH-BCĐ", "ngày tháng năm 2024") give None, never a guess.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache
from pathlib import Path

import yaml

from pipeline.model import Document, Section
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
    return yaml.safe_load((DATA / "places.yaml").read_text(encoding="utf-8"))


@cache
def _province_index() -> dict[str, dict]:
    idx = {}
    for p in places()["provinces"]:
        for n in [p["name"], *p.get("aliases", [])]:
            idx[fold(n)] = p
    return idx


def _section(doc: Document, sid: str) -> Section | None:
    return next((s for s in doc.sections if s.section_id == sid), None)


def _span_text(doc: Document, s: Section | None) -> str:
    return doc.text[s.char_start:s.char_end] if s else ""


def _header_text(doc: Document) -> str:
    s = _section(doc, "header")
    if s:
        return _span_text(doc, s)
    t = _section(doc, "title")
    return doc.text[: t.char_start] if t else doc.text[:400]


def parse_doc_number(text: str) -> str | None:
    m = NUMBER.search(text)
    if not m or not m.group("num"):
        return None
    return f"{m.group('num')}/{m.group('sym').upper()}"


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
        if left and not set(left) <= set("-_ "):
            out.append(left)
    return out


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


def _issuer_level(issuer: str | None, level: str | None) -> str | None:
    if issuer and any(fold(issuer).startswith(fold(c)) for c in places()["central_issuers"]):
        return "central"
    return level


def _signature(doc: Document) -> tuple[str | None, str | None, str | None]:
    """(signer_name, signer_title, body named after TM.) from the signature block or the last lines."""
    s = _section(doc, "signature")
    text = _span_text(doc, s) if s else doc.text[-300:]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    name = title = body = None
    for ln in lines:
        f = fold(ln)
        if f.startswith(("tm.", "t/m")):
            body = ln.split(".", 1)[-1].strip() if "." in ln[:4] else ln[3:].strip()
    for ln in reversed(lines):
        words = ln.split()
        if 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words) and not ln.isupper() \
                and not any(c.isdigit() for c in ln) and ":" not in ln:
            name = ln
            break
    from pipeline.segment import vocabulary

    markers = [m for m in vocabulary()["signature_markers"] if not m.endswith(".") and "/" not in m]
    titles = [ln for ln in lines if ln.isupper() and
              any(fold(re.sub(r"^(KT|TL|Q|TUQ)\.\s*", "", ln)).startswith(m) for m in markers)]
    if titles:
        title = sentence_case(re.sub(r"^(KT|TL|Q|TUQ)\.\s*", "", titles[-1]))
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
        item = ln.lstrip("-+• ").split(";")[0].strip().rstrip(",.").strip()
        if len(item) >= 3 and item[0].isalpha() and not fold(item).startswith("luu"):
            out.append(item)
    return out


def _doc_type(doc: Document) -> str | None:
    t = _section(doc, "title")
    if not t or not t.heading:
        return None
    return places()["document_types"].get(t.heading.strip(" :*").lower())


def _title_text(doc: Document) -> str | None:
    t = _section(doc, "title")
    if not t:
        return None
    lines = [ln.strip() for ln in _span_text(doc, t).splitlines()[1:] if ln.strip()]
    return " ".join(lines) or None


def extract(doc: Document) -> dict:
    """The metadata fields of the `documents` table for one document."""
    header = _header_text(doc)
    head_zone = header
    issuer_lines = _issuer_lines(header)
    title = _title_text(doc)
    name, signer_title, tm_body = _signature(doc)

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

    issuer = _format_issuer(issuer_lines)
    if not issuer:
        body = tm_body
        number = parse_doc_number(head_zone)
        if not body and number and "-" in number:
            body = number.rsplit("-", 1)[-1]
        if not body:
            m = PROMULGATED_BY.search(title or "")
            body = m.group("body") if m else None
        if body:
            short = places()["issuer_abbreviations"].get(body.lower(), None)
            body = short or (sentence_case(body) if body.isupper() else body)
            issuer = f"{body} {with_unit(jurisdiction)}" if jurisdiction else body
    return {
        "doc_number": parse_doc_number(head_zone),
        "doc_type": _doc_type(doc),
        "issuer": issuer,
        "issuer_level": _issuer_level(issuer, level),
        "jurisdiction": jurisdiction,
        "place": place,
        "issue_date": parse_issue_date(head_zone),
        "title": title,
        "signer_name": name,
        "signer_title": signer_title,
        "recipients": _recipients(doc),
    }
