"""Legal references (DESIGN.md, table `legal_refs`): every mention of another document or provision.

Eyecite-style in three steps on one text:
  find     number-symbols (21-NQ/TW, 146/2018/NĐ-CP) with the type word before them,
           laws cited by name (Luật Bảo hiểm y tế, Bộ luật Hình sự năm 2015), numbered
           projects (Đề án 06), and the date / issuer / subject that follow;
  resolve  shared heads ("Kế hoạch số 192/KH-UBND, ... 194/KH-UBND ngày 26/8/2021 của UBND")
           and short forms later in the document (a second "Kế hoạch 20/KH-UBND" gets the
           date of the first);
  split    provisions in front of a document ("khoản 2 và điểm b, khoản 3 Điều 4 của Thông
           tư liên tịch số 09/2009/TTLT-BYT-BTC") into one row per provision.
Document types, symbol codes, issuers, OCR symbol variants and law names are data
(extractors/data/doc_types.yaml, legal_*.yaml). Patterns run on a length-preserving folded
copy of the text (`fold`), so unaccented and OCR text matches too, and every span points
into the original text.

Public helpers other modules use: `fold`, `canonical_symbol`, `canonical_id`, `doc_types`,
`type_of_symbol`, `find_citations`.
"""
from __future__ import annotations

import bisect
import copy
import dataclasses
import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from pipeline.model import Document, row_id
from pipeline.params import read_yaml
from pipeline.text import Skipping, fold

DATA = Path(__file__).parent / "data"


# ---------------------------------------------------------------- folding and data


def _load(name: str) -> dict:
    return read_yaml(DATA / name)


@cache
def doc_types() -> dict:
    """doc_types.yaml: `types` (name, aliases, codes), `issuers` by symbol segment, `symbol_ocr`."""
    return _load("doc_types.yaml")


@cache
def _patterns_data() -> dict:
    return _load("legal_patterns.yaml")


@cache
def _laws() -> dict[str, list[dict]]:
    return _load("legal_laws.yaml")


def _words_re(words) -> str:
    folded = sorted({fold(w) for w in words}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in folded)


@cache
def _alias_index() -> tuple[re.Pattern, dict[str, str]]:
    """Regex of every type word (folded) and folded alias → canonical type name."""
    index = {}
    for t in doc_types()["types"]:
        for alias in [t["name"], *t.get("aliases", [])]:
            index[" ".join(fold(alias).split())] = t["name"]
    return re.compile(rf"(?<!\w)(?P<type>{_words_re(index)}|{_ocr_types_re()})"), index


@cache
def _ocr_types() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(rx), t["name"]) for t in doc_types()["types"] for rx in t.get("ocr", [])]


def _ocr_types_re() -> str:
    return "|".join(f"(?:{p.pattern})" for p, _ in _ocr_types()) or "(?!)"


def _type_name(matched: str) -> str | None:
    """Type name of a matched type word (alias, or an OCR form from the data)."""
    key = " ".join(matched.split())
    index = _alias_index()[1]
    if key in index:
        return index[key]
    return next((name for p, name in _ocr_types() if p.fullmatch(matched)), None)


@cache
def _type_words() -> str:
    """Alternation of every folded type word (no groups), for look-aheads."""
    return _words_re(_alias_index()[1])


@cache
def _code_index() -> dict[str, str]:
    """Upper-case symbol code → type name (first listed wins)."""
    out: dict[str, str] = {}
    for t in doc_types()["types"]:
        for code in t.get("codes", []):
            out.setdefault(code.upper(), t["name"])
    return out


@cache
def _issuer_codes() -> dict[str, object]:
    return {k.upper(): v for k, v in doc_types()["issuers"].items()}


@cache
def _ocr_map() -> dict[str, str]:
    return {k.upper(): v.upper() for k, v in doc_types()["symbol_ocr"].items()}


# ---------------------------------------------------------------- symbols and ids


_UPPER = "".join(ch for ch in map(chr, range(0xC0, 0x1F00)) if ch.isupper() and ch.isalpha())
SEG = rf"[A-Z{_UPPER}][^\W_]*&?[^\W_]*"
#: A number-symbol. It starts after no word character (but right after "số" printed without its space:
#: "Tờ trình số374/TTr-CP") and after no "02:" (a standard, "QCVN 02:2019/BYT"); a space may stand before
#: the year's slash ("Thông tư số 18 /2018/TT-NHNN"); the year may run into the type code ("49/2025TT-BCT");
#: up to nine segments (joint circulars of many ministries); " - " joins an all-capital segment
#: ("01/2014/TT - BGDĐT") but not a title ("Nghị định 96/2026/NĐ-CP - Chi tiết ...").
ID_RE = re.compile(
    rf"(?:(?<![\w/.\-])(?<!\d:)|(?<=(?<!\w)[sS][ốỐoO]))"
    rf"(?P<num>\d{{1,5}}(?:\.\d{{1,2}}(?=\s?/))?)(?:\s?/(?P<year>(?:19|20)\d{{2}}))?"
    rf"(?:\s{{0,2}}(?P<slash>/)|(?P<dash>-)|(?P<fused>(?<=/(?:19|20)\d\d)(?=[A-ZĐ]{{2}})))\s?"
    rf"(?P<sym>{SEG}(?:(?:[ ][-/]|[-/](?:\n|[ ])?|[ ]-[ ](?=[A-ZĐ][A-ZĐ0-9&]+(?!\w)(?!\s+[A-Z{_UPPER}]{{2}}))){SEG}){{0,8}})"
    rf"(?![\w])"
)
#: ID_RE found through where one may start: a number (maybe dotted, maybe with its year), a slash or a
#: dash, and the capital letter of the symbol.
_ID_SCAN = Skipping(ID_RE, rf"\d\d*(?:\.\d\d?)?(?:\s?/(?:19|20)\d\d)?(?:\s{{0,2}}/|-|(?<=/(?:19|20)\d\d))\s?[A-Z{_UPPER}]")
_SEG_SPLIT = re.compile(r"\s*([-/])\s*")


@cache
def _homoglyphs() -> dict[int, str]:
    return str.maketrans(doc_types().get("symbol_homoglyphs", {}))


def _plain_segment(seg: str) -> str:
    """Symbols are Latin letters, Đ, digits and &: any other mark is OCR or restoration noise (TỪ → TU);
    Cyrillic look-alikes are the Latin letters (NĐ-СР → NĐ-CP)."""
    return "".join(ch if ch in "Đđ" or ch < "\x80" else unicodedata.normalize("NFD", ch)[0]
                   for ch in seg.replace("Ð", "Đ").replace("ð", "đ").translate(_homoglyphs()))


def split_fused_symbol(sym: str) -> str:
    """A one-segment symbol printed without the dash between type code and issuer, as code-issuer:
    'TTBYT' → 'TT-BYT', 'NĐCP' → 'NĐ-CP', 'TTBNNMT' → 'TT-BNNMT' (doc_types.yaml: fused_codes; the
    issuer is a known one or a ministry's B…). Anything else is returned as it is."""
    plain = _plain_segment(sym.strip())
    if not re.fullmatch(r"[A-ZĐ]{3,14}", plain) or plain in _code_index() or plain in _issuer_codes():
        return sym
    for code in doc_types().get("fused_codes", ()):
        rest = plain[len(code):]
        if plain.startswith(code) and len(rest) >= 2 and (
                rest in _issuer_codes() or re.sub(r"\d+$", "", rest) in _issuer_codes()
                or re.fullmatch(r"B[A-ZĐ]{1,8}", rest)):
            return f"{code}-{rest}"
    return sym


@cache
def _glued_re() -> re.Pattern:
    words = sorted(_patterns_data().get("symbol_glued_words", ()), key=len, reverse=True)
    return re.compile(rf"(?<=[^\W\d_])(?:{'|'.join(map(re.escape, words)) or '(?!)'})$")


def canonical_symbol(symbol: str) -> str:
    """Official spelling of a symbol: upper-case, no spaces, OCR variants fixed (QD-UBND → QĐ-UBND,
    NQ-HPND → NQ-HĐND, CTrHĐ/TU → CTRHĐ/TU, TỪ → TU)."""
    parts = _SEG_SPLIT.split(symbol.strip())
    out = []
    for i, p in enumerate(parts):
        if i % 2:
            out.append(p)
            continue
        seg = _plain_segment(p).upper()
        out.append(_ocr_map().get(seg, seg))
    return "".join(out)


def canonical_id(number: str, symbol: str, year: int | str | None = None, sep: str = "/") -> str:
    """The number-symbol as one token: `21-NQ/TW`, `3651/QĐ-UBND`, `146/2018/NĐ-CP`."""
    head = f"{number}/{year}" if year else str(number)
    sym = canonical_symbol(symbol)
    code, _, issuer = sym.partition("-")
    if not year and sep == "/" and issuer in doc_types().get("party_issuers", ()) and "/" not in sym:
        return f"{number}-{code}/{issuer}"                 # "28/NQ-TW" is printed for 28-NQ/TW
    return f"{head}{sep}{sym}"


def _segments(symbol: str) -> list[str]:
    return [s for i, s in enumerate(_SEG_SPLIT.split(canonical_symbol(symbol))) if i % 2 == 0 and s]


def type_of_symbol(symbol: str) -> str | None:
    """Document type named by a symbol's type code (KH-UBND → Kế hoạch, NQ/TW → Nghị quyết)."""
    segs = _segments(symbol)
    return _code_index().get(segs[0]) if segs else None


def issuer_of_symbol(symbol: str, city: bool = True) -> str | None:
    """Issuer implied by the symbol's issuer segments (NĐ-CP → Chính phủ, TTLT-BYT-BTC → Bộ Y tế và Bộ Tài chính)."""
    segs = _segments(symbol)
    if segs and segs[0] in _code_index():
        segs = segs[1:]
    names = []
    for seg in segs:
        name = _issuer_codes().get(seg) or _issuer_codes().get(re.sub(r"\d+$", "", seg))
        if isinstance(name, dict):
            name = name["city" if city else "province"]
        if name and name not in names:
            names.append(name)
    return " và ".join(names) or None


def _valid_symbol(symbol: str) -> bool:
    segs = _segments(symbol)
    if len(segs) >= 2:
        return True
    seg = segs[0] if segs else ""
    return seg in _code_index() or seg in _issuer_codes() or re.sub(r"\d+$", "", seg) in _issuer_codes()


# ---------------------------------------------------------------- citations


@dataclass
class Citation:
    """One mention of a document, before it becomes one or more rows."""

    start: int
    end: int                                  # end of the identifying part (number-symbol or name)
    tail: int                                 # end of what belongs to it: date, issuer, subject
    ref_type: str | None
    canonical_id: str
    number: str | None = None
    year: int | None = None
    symbol: str | None = None
    issue_date: dt.date | None = None
    issuer: str | None = None
    issuer_stated: bool = False
    subject: str | None = None
    subject_span: tuple[int, int] | None = None
    date_span: tuple[int, int] | None = None
    typed: bool = False                       # a type word was printed before the number
    confidence: float = 0.9


@cache
def _context_res() -> dict[str, re.Pattern]:
    d = _patterns_data()
    alias_re = _alias_index()[0].pattern
    lead = rf"(?:{_words_re(d['issuer_lead'])}|{d['issuer_lead_ocr']})"
    stops = _words_re(d["issuer_stops"])
    joiners = _words_re(d["list_joiners"])
    day = _day_word()
    bare = [t for t in doc_types()["types"] if t.get("bare_number")]
    bare_words = _words_re(t["name"] for t in bare) or "(?!)"
    bare_ocr = "|".join(rx for t in bare for rx in t.get("ocr", [])) or "(?!)"
    law = d["law_words"]
    return {
        "before_number": re.compile(rf"{alias_re}\s+(?:{d['number_marker']}\s*)?$"),
        "qualifier": re.compile(rf"\s+(?P<q>{_words_re(d['issuer_qualifiers'])})"
                                rf"(?=\s*,?\s*(?:{day}|{lead}|{_words_re(d['subject_lead'])})(?!\w))"),
        "date_lead": re.compile(rf"\s*,?\s*(?:(?:{_words_re(d['issued_verbs'])})\s+)?(?={day}\s)"),
        "issuer": re.compile(rf"\s*,?\s*(?:{lead})\s+"),
        "issuer_stop": re.compile(rf"\s+(?:{stops})(?!\w)|\s*[,;:()\.\n“\"”]|\s+va\s+(?=(?:{_type_words()})\s)"),
        "subject": re.compile(rf"\s*,?\s*(?:{_words_re(d['subject_lead'])})\s+"),
        "subject_stop": re.compile(rf";|\.(?:\s|$)|\n|(?:{_words_re(d['subject_stops'])})(?!\w)"),
        "issued_before": re.compile(
            rf"(?:^|(?<=[,;:.])\s*)(?P<iss>[^,;:.\n]{{2,80}}?)\s+(?:{_words_re(d['past_markers'])}\s+)?"
            rf"(?:{_words_re(d['issued_verbs'])})\s+$"),
        "law_kw": Skipping(re.compile(rf"(?<!\w)(?:(?P<bo>{law['code_prefix']})\s+)?"
                                      rf"(?:(?P<law>{law['law']})|(?P<ord>{law['ordinance']}))\s+"),
                           rf"(?:{law['code_prefix']})\s+(?:{law['law']}|{law['ordinance']})\s", rf"(?:{law['law']})\s",
                           rf"(?:{law['ordinance']})\s"),
        # the number on the type word's line: "KINH PHÍ THỰC HIỆN ĐỀ ÁN\n1. ..." is a heading and a label
        "bare": Skipping(re.compile(rf"(?<!\w)(?P<type>{bare_words}|{bare_ocr})"
                                    rf"[^\S\n]+(?:{d['number_marker']}[^\S\n]*)?(?P<num>\d{{1,4}})(?![\d/\-\w])"),
                         rf"(?:{bare_words})\s", rf"(?:{bare_ocr})\s"),
        "not_reference": re.compile(rf"(?<!\w)(?:{_words_re(d['not_reference_heads'])})\s+"
                                    rf"(?:{d['number_marker']}\s*)?$"),
        "chain_gap": re.compile(rf"\s*(?:,|{joiners})?\s*(?:,|{joiners})?\s*"),
    }


def _day_word() -> str:
    """'ngày' and its OCR forms (from dates.yaml), as a regex on folded text."""
    from extractors.dates import vocab

    return rf"(?:{fold(vocab()['words']['day'])}|{vocab()['ocr']['day']})"


def _date_after(folded: str, pos: int):
    """The issue date printed right after a reference ("ngày 22/11/2012", "ban hành ngày ...")."""
    from extractors.dates import date_at

    m = _context_res()["date_lead"].match(folded, pos)
    if not m:
        return None
    d = date_at(folded, m.end())
    if d is None and m.end() == pos and pos and folded[pos - 1].isalpha():
        # "NĐ-CPngày 23 tháng 8 năm 2016": the day word runs into the symbol; the date is read on its own
        d = date_at(folded[pos:pos + 80], 0)
        if d is not None:
            d = dataclasses.replace(d, start=d.start + pos, end=d.end + pos)
    return d if d is not None and d.year is not None else None


def _cut(text: str, folded: str, start: int, stop: re.Pattern, limit: int) -> tuple[str, int] | None:
    end = min(len(text), start + limit)
    m = stop.search(folded, start, end)
    stop_at = m.start() if m else end
    if not m and end < len(text):
        stop_at = folded.rfind(" ", start, end)
    value = " ".join(text[start:stop_at].split()).strip(" ,;-")
    return (value, stop_at) if value else None


def _read_tail(c: Citation, text: str, folded: str, starts: set[int]) -> None:
    """Date, issuer qualifier, stated issuer and subject after the identifying part."""
    r = _context_res()
    pos = c.end
    qualifier = None
    m = r["qualifier"].match(folded, pos)
    if m:
        qualifier = text[m.start("q"):m.end("q")]
        pos = m.end()
    d = _date_after(folded, pos)
    if d:
        c.issue_date = d.resolve(None)
        c.date_span = (d.start, d.end)
        pos = d.end
    m = r["issuer"].match(folded, pos)
    if m and m.end() not in starts and not c.issuer_stated:
        cut = _cut(text, folded, m.end(), r["issuer_stop"], 90)
        if cut and len(cut[0].split()) <= 14:
            c.issuer, c.issuer_stated, pos = cut[0], True, cut[1]
    if not c.issuer and qualifier and c.symbol:
        implied = issuer_of_symbol(c.symbol)
        if implied:
            c.issuer, c.issuer_stated = f"{implied} {qualifier}", True
    m = r["subject"].match(folded, pos)
    if m:
        nxt = min([s for s in starts if s > m.end()] or [len(text)])
        stop = r["subject_stop"]
        cut = _cut(text, folded, m.end(), stop, min(220, nxt - m.end()) if nxt > m.end() else 220)
        if cut:
            c.subject, c.subject_span, pos = cut[0], (m.end(), cut[1]), cut[1]
    c.tail = max(pos, c.end)


def _read_before(c: Citation, text: str, folded: str) -> None:
    """'Ngày 26 tháng 5 năm 1997, Bộ Chính trị đã ban hành Chỉ thị số 15-CT/TW': date and issuer before."""
    from extractors.dates import find_dates

    s = max(0, c.start - 160)
    m = _context_res()["issued_before"].search(folded, s, c.start)
    if not m:
        return
    iss_start, iss_end = m.start("iss"), m.end("iss")
    issuer = " ".join(text[iss_start:iss_end].split()).strip(" ,")
    if issuer[:1].isupper() and len(issuer.split()) <= 10 and not c.issuer_stated:
        c.issuer, c.issuer_stated = issuer, True
    pre = folded[s:iss_start]
    dates = [d for d in find_dates(pre) if d.year]
    if dates and c.issue_date is None and re.fullmatch(r"\s*,\s*", pre[dates[-1].end:]):
        d = dates[-1]
        c.issue_date = d.resolve(None)
        c.date_span = (s + d.start, s + d.end)


def _find_numbered(text: str, folded: str) -> list[Citation]:
    out = []
    for m in _ID_SCAN.finditer(text):
        sym, end = m.group("sym"), m.end()
        glued = _glued_re().search(sym)
        if glued and glued.start() > 0:           # "NĐ-CPngày 23 tháng 8": the symbol ends before the word
            sym, end = sym[:glued.start()], m.start("sym") + glued.start()
        sym = split_fused_symbol(sym)
        if not _valid_symbol(sym):
            continue
        start = m.start()
        if _context_res()["not_reference"].search(folded, max(0, start - 20), start):
            continue
        ref_type, typed = None, False
        tm = _context_res()["before_number"].search(folded, max(0, start - 70), start)
        if tm:
            ref_type = _type_name(tm.group("type"))
            start, typed = tm.start(), True
        symbol = canonical_symbol(sym)
        ref_type = ref_type or type_of_symbol(symbol) or _law_before(text, folded, start, symbol)
        sep = "-" if m.group("dash") else "/"
        year = int(m.group("year")) if m.group("year") else None
        cid = canonical_id(m.group("num"), sym, m.group("year"), sep)
        out.append(Citation(start, end, end, ref_type, cid, number=m.group("num"), year=year,
                            symbol=_symbol_as_printed(sym), typed=typed, confidence=0.95 if typed else 0.85))
    return out


def _symbol_as_printed(sym: str) -> str:
    """The symbol with spaces removed and OCR segments fixed, its case kept (CTrHĐ/TU)."""
    parts = _SEG_SPLIT.split(sym.strip())
    out = []
    for i, p in enumerate(parts):
        plain = _plain_segment(p) if i % 2 == 0 else p
        fixed = _ocr_map().get(plain.upper()) if i % 2 == 0 else None
        out.append(fixed or plain)
    return "".join(out)


@cache
def _law_names() -> dict[str, list[tuple[str, str, list[str]]]]:
    """type → [(official name, folded name, folded abbreviations)]."""
    return {t: [(e["name"], " ".join(re.sub(r"[,]", " ", fold(e["name"])).split()),
                 [fold(a) for a in e.get("abbr", [])]) for e in entries]
            for t, entries in _laws().items()}


_TOKEN = re.compile(r"[^\s,;.()“”\"]+")


def _match_law_name(folded: str, pos: int, law_type: str) -> tuple[str, int, float] | None:
    """Best known name of `law_type` starting at pos (accent-insensitive, small OCR tolerance)."""
    tokens = [(m.group(0), m.end()) for m in _TOKEN.finditer(folded, pos, min(len(folded), pos + 160))][:20]
    if not tokens or _TOKEN.match(folded, pos) is None:
        return None
    names, by_abbr, by_words = _law_name_plan(law_type)
    first = tokens[0][0]
    scores: dict[int, float] = {}     # names whose ratio may pass (80 at least), by their index in names
    got_of: dict[int, str] = {}
    for n, (idxs, fnames) in by_words.items():
        if len(tokens) < n:
            continue
        got_of[n] = got = " ".join(t for t, _ in tokens[:n])
        for _, score, j in process.extract(got, fnames, scorer=fuzz.ratio, score_cutoff=80, limit=None):
            scores[idxs[j]] = score
    best = None
    for k in sorted(set(by_abbr.get(first, ())) | scores.keys()):     # in the order of _law_names
        name, fname, abbrs = names[k]
        if first in abbrs:
            cand = (name, tokens[0][1], 100.0)
        else:
            n = len(fname.split())
            score = scores[k]
            if len(fname) <= 6 and got_of[n] != fname and score < 83:
                continue
            if fuzz.ratio(first, fname.split()[0]) < 50 or (score < 90 and first[:1] != fname[:1]):
                continue                 # "Biên phòng Việt Nam" is no "Viễn thông": a loose match keeps the first letter
            cand = (name, tokens[n - 1][1], score)
        if best is None or (cand[2], cand[1]) > (best[2], best[1]):
            best = cand
    return best


@cache
def _law_name_plan(law_type: str) -> tuple[list, dict[str, list[int]], dict[int, tuple[list[int], list[str]]]]:
    """_law_names of a type; their indices by abbreviation; and by number of words, their indices and
    folded names (for one rapidfuzz call per number of words)."""
    names = _law_names().get(law_type, [])
    by_abbr: dict[str, list[int]] = {}
    by_words: dict[int, tuple[list[int], list[str]]] = {}
    for k, (_, fname, abbrs) in enumerate(names):
        for a in abbrs:
            by_abbr.setdefault(a, []).append(k)
        idxs, fnames = by_words.setdefault(len(fname.split()), ([], []))
        idxs.append(k)
        fnames.append(fname)
    return names, by_abbr, by_words


@cache
def _law_issuers() -> dict[str, str]:
    return _patterns_data().get("law_issuers", {})


def _find_named(text: str, folded: str, taken: _Taken) -> list[Citation]:
    out = []
    r = _context_res()
    types = _patterns_data()["law_types"]
    for m in r["law_kw"].finditer(folded):
        kw_start = m.start("law") if m.group("law") else m.start("ord")
        if kw_start in taken:
            continue
        bo = m.group("bo") is not None
        if not bo and not text[kw_start].isupper():
            continue
        law_type = types["ordinance"] if m.group("ord") else types["code"] if bo else types["law"]
        if re.match(rf"\s*{_patterns_data()['number_marker']}\s*\d", folded[m.end():m.end() + 8]):
            continue
        if AMENDING.match(folded, kw_start):
            continue
        if _to_be_drafted(folded, kw_start):
            continue                      # "Nghiên cứu, xây dựng Luật Chuyển đổi số": not yet a document
        hit = _match_law_name(folded, m.end(), law_type)
        if hit is None and law_type == types["code"]:
            hit = _match_law_name(folded, m.end(), types["law"])
        conf = 0.9
        if hit is None:
            exact = text[kw_start:m.end()].strip() in (types["law"], types["ordinance"])
            hit = (_fallback_name(text, folded, m.end())
                   if exact and "\n" not in text[kw_start:m.end()] else None)
            conf = 0.6
        if hit is None:
            continue
        name, end, score = hit
        num = LAW_NUMBER.match(folded, end)
        if num and not _amended_alone(folded, kw_start, num.end()):
            continue                      # "Luật Đất đai số 31/2024/QH15": the number is the id
        if score < 100:
            conf = min(conf, 0.8)
        year = None
        ym = _law_year_re().match(folded, end)
        if ym:
            year, end = int(ym.group(1)), ym.end()
        cid = f"{law_type} {name}" + (f" {year}" if year else "")
        start = m.start("bo") if bo else kw_start
        out.append(Citation(start, end, end, law_type, cid, year=year, typed=True, confidence=conf,
                            issuer=_law_issuers().get(law_type), issuer_stated=True))
    return out


_LAW_BEFORE = re.compile(r"(?<!\w)(?P<bo>bo\s+)?luat\s[^;\n]{1,100}\s$")


def _law_before(text: str, folded: str, start: int, symbol: str) -> str | None:
    """"Luật Tổ chức Quốc hội số 57/2014/QH13": a National Assembly number after a law's name is a Luật."""
    if not symbol.startswith("QH"):
        return None
    m = _LAW_BEFORE.search(folded, max(0, start - 110), start)
    if m is None or not text[m.start()].isupper() or "so " not in folded[m.start():start]:
        return None
    types = _patterns_data()["law_types"]
    return types["code"] if m.group("bo") else types["law"]


def _find_constitution(text: str, folded: str) -> list[Citation]:
    """"Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam (năm 2013)": a numberless document of its own
    (legal_patterns.yaml: constitution); its id is the name as printed, with the year when one follows."""
    d = _patterns_data()["constitution"]
    out = []
    for m in _constitution_re().finditer(folded):
        if not text[m.start()].isupper():
            continue
        name = d["name"] + (" " + d["full_suffix"] if m.group("full") else "")
        year = int(m.group("y")) if m.group("y") else None
        out.append(Citation(m.start(), m.end(), m.end(), d["name"], name + (f" {year}" if year else ""), year=year,
                            typed=True, confidence=0.9, issuer=d["issuer"], issuer_stated=True))
    return out


_CONGRESS = re.compile(
    r"(?<!\w)nghi\s+quyet\s+dai\s+hoi\s+"
    r"(?P<pre>(?:dai\s+bieu\s+)?toan\s+quoc\s+|dang\s+(?:(?:cong\s+san\s+viet\s+nam|toan\s+quoc)\s+)?)?"
    r"(?:lan\s+thu\s+)?(?P<n>[ivxl]{1,6}|\d{1,2})(?!\w)"
    r"(?P<post>\s+(?:cua\s+)?dang(?:\s+cong\s+san\s+viet\s+nam)?(?!\w)(?!\s+bo(?!\w)))?")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}


def _roman(n: str) -> str | None:
    """'xiii' → 'XIII', '13' → 'XIII'; None for what is no Roman numeral."""
    if n.isdigit():
        k, out = int(n), ""
        for v, r in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
            while k >= v:
                out, k = out + r, k - v
        return out or None
    total = 0
    for a, b in zip(n, n[1:] + " "):
        total += -_ROMAN[a] if b != " " and _ROMAN[b] > _ROMAN[a] else _ROMAN[a]
    return n.upper() if total > 0 and _roman(str(total)) == n.upper() else None


def _find_congress(text: str, folded: str) -> list[Citation]:
    """"Nghị quyết Đại hội (đại biểu toàn quốc) lần thứ XIII (của Đảng)": a resolution of the national Party
    congress cited by name (legal_patterns.yaml: party_congress)."""
    d = _patterns_data().get("party_congress")
    if not d or "dai hoi" not in folded:
        return []
    out = []
    for m in _CONGRESS.finditer(folded):
        n = _roman(m.group("n"))
        if n is None or not (m.group("pre") or m.group("post")):
            continue
        if re.match(r"\s+dang\s+bo(?!\w)", folded[m.end():m.end() + 12]):
            continue
        out.append(Citation(m.start(), m.end(), m.end(), d["type"], d["id"].format(n=n), typed=True, confidence=0.8))
    return out


@cache
def _constitution_re() -> Skipping:
    d = _patterns_data()["constitution"]
    return Skipping(re.compile(rf"(?<!\w){fold(d['name'])}(?P<full>\s+{fold(d['full_suffix'])})?"
                               rf"(?:\s+(?:nam\s+)?(?P<y>(?:19|20)\d\d)(?!\d))?(?!\w)"))


AMENDING = re.compile(r"(?<!\w)luat\s+sua\s+doi,?\s+bo\s+sung\s+(?:mot\s+so\s+dieu\s+)?cua\s+(?=luat\s)")
LAW_NUMBER = re.compile(r"\s+so\s+\d{1,3}/\d{4}/qh\d{1,2}(?![\w/])")
AMENDING_END = re.compile(r"luat\s+sua\s+doi,?\s+bo\s+sung\s+(?:mot\s+so\s+dieu\s+)?cua\s+$")
_AMENDING_SCAN = Skipping(AMENDING)
LAW_JOIN = re.compile(r"\s*(?:,|\s+va(?:\s+cac)?)\s+(?=luat\s)")


def _amended_alone(folded: str, kw_start: int, num_end: int) -> bool:
    """'Luật sửa đổi, bổ sung một số điều của Luật Xây dựng số 62/2020/QH14': one amended law and a
    number after it; the number is the amending law's, so the amended law is a named mention."""
    before = folded[max(0, kw_start - 80):kw_start]
    return (AMENDING_END.search(before) is not None and not LAW_JOIN.match(folded, num_end))


def _amending_name(text: str, m: re.Match, laws: list[tuple[int, int, str, str]]) -> str:
    """Sentence case, as ANNOTATION.md writes it: 'Luật sửa đổi, bổ sung ... của Luật A số N, Luật B';
    a title printed in capitals takes the amended laws' vocabulary names."""
    name = " ".join(text[m.start():m.end()].split()).capitalize() + " "
    end = laws[-1][1]
    if not text[m.start():end].isupper():
        return name + " ".join(text[m.end():end].split())
    parts, pos = [], m.end()
    for start, stop, official, number in laws:
        parts.append(" ".join(text[pos:start].split()).lower())
        parts.append(f"{text[start:start + 4].capitalize()} {official}" + (f" {number.split()[0].lower()} {number.split()[-1].upper()}" if number else ""))
        pos = stop
    return name + " ".join(p for p in parts if p).replace(" ,", ",")


def _find_amending(text: str, folded: str, taken: _Taken) -> list[Citation]:
    """An amending law keeps its full name ("Luật sửa đổi, bổ sung một số điều của Luật A và Luật B");
    the laws it names are mentions of their own, found by `_find_named`. With one amended law and a
    number after it, the number is the amending law's id and `_find_numbered` gives the row."""
    law = _patterns_data()["law_types"]["law"]
    out = []
    for m in _AMENDING_SCAN.finditer(folded):
        if m.start() in taken or not text[m.start()].isupper():
            continue
        pos, laws = m.end(), []
        while folded.startswith("luat ", pos):
            hit = _match_law_name(folded, pos + 5, law)
            if hit is None:
                break
            end, number = hit[1], None
            num = LAW_NUMBER.match(folded, end)
            if num:
                end, number = num.end(), " ".join(text[num.start():num.end()].split())
            laws.append((pos, end, hit[0], number))
            j = LAW_JOIN.match(folded, end)
            if not j:
                break
            pos = j.end()
        if not laws or (len(laws) == 1 and laws[0][3]):
            continue
        end = laws[-1][1]
        name = _amending_name(text, m, laws)
        out.append(Citation(m.start(), end, end, law, name, typed=True, confidence=0.8,
                            issuer=_law_issuers().get(law), issuer_stated=True))
    return out


@cache
def _law_year_re() -> re.Pattern:
    """'Bộ luật Hình sự năm 2015' / '... 2015': the version year right after a law's name."""
    from extractors.dates import vocab

    return re.compile(rf"\w{{0,4}}\s*(?:{fold(vocab()['words']['year'])}\s+)?((?:19|20)\d{{2}})(?!\d)")


@cache
def _law_stops() -> frozenset[str]:
    return frozenset(_patterns_data()["law_name_stops"])


@cache
def _drafting_re() -> re.Pattern:
    words = sorted((fold(w) for w in _patterns_data()["to_be_drafted"]), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w).replace(r"\ ", r",?\s+") for w in words) + r")\s*$")


def _to_be_drafted(folded: str, kw_start: int) -> bool:
    """"xây dựng Luật X": a law the plan asks to draft, not a document it cites."""
    return _drafting_re().search(folded, max(0, kw_start - 40), kw_start) is not None


def _fallback_name(text: str, folded: str, pos: int) -> tuple[str, int, float] | None:
    """An unknown law: capitalised first word, then words up to a function word or punctuation."""
    if not text[pos:pos + 1].isupper():
        return None
    words, end = [], pos
    for m in _TOKEN.finditer(folded, pos, min(len(folded), pos + 100)):
        if m.start() != end and (folded[end:m.start()].strip() or "\n" in folded[end:m.start()]):
            break
        word = text[m.start():m.end()]
        if (words and word.lower() in _law_stops()) or re.search(r"\d", word) or len(words) >= 8:
            break
        words.append(text[m.start():m.end()])
        end = m.end()
    if not words or (len(words) == 1 and len(words[0]) <= 2 and not words[0].isupper()):
        return None
    return " ".join(words), end, 60.0


def _find_bare(text: str, folded: str, taken: _Taken) -> list[Citation]:
    out = []
    _, index = _alias_index()
    for m in _context_res()["bare"].finditer(folded):
        if m.start() in taken or not text[m.start()].isupper():
            continue
        ref_type = _type_name(m.group("type"))
        num = m.group("num")
        out.append(Citation(m.start(), m.end(), m.end(), ref_type, f"{ref_type} {num}", number=num, typed=True,
                            confidence=0.7))
    return out


class _Taken:
    """Spans already cited: `pos in taken` is whether a span holds pos, by bisection (sorted starts
    and the furthest end so far), not by a scan of every span."""

    def __init__(self, spans):
        spans = sorted(spans)
        self.starts, self.reach = [s for s, _ in spans], []
        for _, e in spans:
            self.reach.append(max(e, self.reach[-1]) if self.reach else e)

    def __contains__(self, pos: int) -> bool:
        k = bisect.bisect_right(self.starts, pos) - 1
        return k >= 0 and self.reach[k] > pos


def find_citations(text: str) -> list[Citation]:
    """Every document mention in `text` (pure; includes the document's own number, which extract drops).

    Found once per text (the deadlines extractor masks them too); each caller gets its own copies."""
    return [copy.copy(c) for c in _citations(text)]


@lru_cache(maxsize=4)
def _citations(text: str) -> tuple[Citation, ...]:
    folded = fold(text)
    cits = _find_numbered(text, folded)
    taken = _Taken((c.start, c.end) for c in cits)
    cits += _find_named(text, folded, taken)
    cits += _find_amending(text, folded, taken)
    cits += _find_constitution(text, folded)
    cits += _find_congress(text, folded)
    taken = _Taken((c.start, c.end) for c in cits)
    cits += _find_bare(text, folded, taken)
    cits.sort(key=lambda c: c.start)
    starts = {c.start for c in cits}
    city = any(fold(v["city"]) in folded for v in _issuer_codes().values() if isinstance(v, dict))
    for c in cits:
        _read_tail(c, text, folded, starts)
        if not c.issue_date:
            _read_before(c, text, folded)
    _resolve_chains(cits, folded)
    for c in cits:
        if not c.issuer and c.symbol:
            implied = issuer_of_symbol(c.symbol, city=city)
            c.issuer = implied
        if c.year is None and c.issue_date:
            c.year = c.issue_date.year
    return tuple(cits)


def _resolve_chains(cits: list[Citation], folded: str) -> None:
    """Shared heads: items joined by ',' / 'và' share the type, and the date and issuer printed after the last."""
    gap = _context_res()["chain_gap"]
    chain: list[Citation] = []
    groups = []
    for c in cits:
        if chain and gap.fullmatch(folded, chain[-1].tail, c.start) and not chain[-1].issuer_stated \
                and not chain[-1].subject:
            chain.append(c)
        else:
            if chain:
                groups.append(chain)
            chain = [c]
    if chain:
        groups.append(chain)
    for g in groups:
        for prev, c in zip(g, g[1:]):
            if not c.typed and prev.ref_type and type_of_symbol(c.symbol or "") in (None, prev.ref_type):
                c.ref_type = prev.ref_type
        for j in range(len(g) - 1, 0, -1):
            src = g[j]
            for i in range(j - 1, -1, -1):
                tgt = g[i]
                if _issuer_part(tgt.symbol) != _issuer_part(src.symbol):
                    break
                if src.issuer_stated and not tgt.issuer_stated:
                    tgt.issuer, tgt.issuer_stated = src.issuer, True
                if src.issue_date and tgt.issue_date is None and tgt.ref_type == src.ref_type \
                        and all(x.issue_date is None for x in g[i:j]):
                    tgt.issue_date = src.issue_date


def _issuer_part(symbol: str | None) -> str | None:
    if not symbol:
        return None
    segs = _segments(symbol)
    return "-".join(segs[1:]) if len(segs) > 1 else segs[0] if segs else None


# ---------------------------------------------------------------- provisions


@cache
def _provision_res() -> dict[str, re.Pattern]:
    d = _patterns_data()
    w = {k: _words_re([v]) for k, v in d["provision_words"].items()}
    join = _words_re(d["list_joiners"])
    links = _words_re(d["provision_links"])
    about = _words_re(d["subject_lead"])
    return {
        "provision": Skipping(re.compile(
            rf"(?<!\w)(?:(?P<p>{w['point']})\s+(?P<pv>[a-z](?:\s*(?:,|{join})\s*[a-z](?![\w/]))*)(?![\w/])"
            rf"|(?P<k>{w['clause']})\s+(?P<kv>\d{{1,3}}(?:\s*(?:,|{join})\s*\d{{1,3}}(?![\w/.]))*)(?![\w/])"
            rf"|(?P<d>{w['article']})\s+(?P<dv>\d{{1,4}}[a-z]?(?:\s*(?:,|{join})\s*\d{{1,4}}[a-z]?(?![\w/.]))*)(?![\w/]))"),
            rf"(?:{w['point']})\s", rf"(?:{w['clause']})\s", rf"(?:{w['article']})\s"),
        "gap_simple": re.compile(rf"\s*[,;]?\s*(?:(?:{join})\s+)?(?:(?:{links})\s+)?"),
        "gap_about": re.compile(rf"\s+(?:{about})\s+[^;.\n]{{1,160}}?(?:,\s*|\s+(?:{join}|{links})\s+|\s+)"),
        "joiner": re.compile(rf"(?:{join})"),
    }


@dataclass
class Provision:
    start: int
    end: int
    kind: str                  # point | clause | article
    values: list[str]


def _provisions(text: str, folded: str) -> list[Provision]:
    out = []
    r = _provision_res()
    for m in r["provision"].finditer(folded):
        if m.group("p"):
            vals = re.findall(r"(?<!\w)[^\s,]+(?!\w)", text[m.start("pv"):m.end("pv")])
            vals = [v for v in vals if not r["joiner"].fullmatch(fold(v))]
            out.append(Provision(m.start(), m.end(), "point", vals))
        elif m.group("k"):
            out.append(Provision(m.start(), m.end(), "clause", re.findall(r"\d+", m.group("kv"))))
        else:                 # "Điều 4, 5 và 7": one value per article
            out.append(Provision(m.start(), m.end(), "article", re.findall(r"\d+[a-z]?", m.group("dv"))))
    return out


def _attached(c: Citation, provs: list[Provision], folded: str, cit_starts: list[int],
              prov_ends: list[int] | None = None) -> list[Provision]:
    """Provisions written right before a citation, in the same sentence. `cit_starts` sorted;
    `prov_ends`: the ends of `provs` (in order), given when called for many citations."""
    got, cur = [], c.start
    ends = [p.end for p in provs] if prov_ends is None else prov_ends
    for p in reversed(provs[:bisect.bisect_right(ends, c.start)]):
        k = bisect.bisect_left(cit_starts, p.end)      # a citation in between ends the walk
        if k < len(cit_starts) and cit_starts[k] < cur:
            break
        gap = folded[p.end:cur]
        if "\n" in gap:
            break
        r = _provision_res()
        if r["gap_simple"].fullmatch(gap) or (p.kind == "article" and r["gap_about"].fullmatch(gap)):
            got.append(p)
            cur = p.start
        else:
            break
    return got[::-1]


def _units(provs: list[Provision]) -> list[tuple[str | None, str | None, str | None]]:
    """(point, clause, article) per cited provision: 'khoản 2 và điểm b, khoản 3 Điều 4' → two units; each point
    of a list is a provision of its own ('điểm a, b và c khoản 16' → three, ANNOTATION.md)."""
    w = _patterns_data()["provision_words"]
    out, points, pending = [], [], []

    def point_labels() -> list[str | None]:
        return [f"{w['point']} {v}" for v in points] or [None]

    for p in provs:
        if p.kind == "point":
            points += p.values
        elif p.kind == "clause":
            for i, v in enumerate(p.values):
                last = i == len(p.values) - 1
                pending += [(pt, f"{w['clause']} {v}") for pt in (point_labels() if last else [None])]
            points = []
        else:
            if points:
                pending += [(pt, None) for pt in point_labels()]
                points = []
            art = f"{w['article']} {p.values[0]}"
            out += [(pt, cl, art) for pt, cl in pending] or [(None, None, art)]
            out += [(None, None, f"{w['article']} {v}") for v in p.values[1:]]   # "Điều 4, 5": clauses go with 4
            pending = []
    if points:
        pending += [(pt, None) for pt in point_labels()]
    out += [(pt, cl, None) for pt, cl in pending]
    return out


# ---------------------------------------------------------------- document level


def _own_number(doc: Document) -> str | None:
    """The document's own number (meta, else 'Số: 238/KH-UBND' in its first lines) as a canonical id."""
    num = (doc.meta or {}).get("doc_number")
    if not num:
        marker = _patterns_data()["number_marker"]
        m = re.compile(rf"(?<!\w){marker}\s*(\d{{1,5}})\s*/\s*").search(fold(doc.text[:600]))
        sym = re.match(r"[^\s,;]+", doc.text[m.end():m.end() + 40]) if m and ":" in m.group(0) else None
        num = f"{m.group(1)}/{sym.group(0)}" if sym else None
    if not num:
        return None
    m = ID_RE.search(num.replace(" ", ""))
    if not m:
        return None
    return canonical_id(m.group("num"), m.group("sym"), m.group("year"), "-" if m.group("dash") else "/")


def _fill_from_document(cits: list[Citation], doc: Document) -> None:
    """A short form ('Kế hoạch 20/KH-UBND') gets the date/issuer its full form gives elsewhere in the document.
    Two different dates for one id (two '15/NQ-HĐND'): take the one whose sentence cites the same siblings."""
    by_id: dict[str, list[Citation]] = defaultdict(list)
    for c in cits:
        by_id[c.canonical_id].append(c)
    sent_ids: dict[tuple[int, int], set[str]] = defaultdict(set)
    span_of = {}
    for c in cits:
        span_of[id(c)] = doc.sentence_span(c.start, c.end)
        sent_ids[span_of[id(c)]].add(c.canonical_id)
    for cid, group in by_id.items():
        dated = [c for c in group if c.issue_date]
        dates = {d.issue_date for d in dated}
        stated = sorted((d.issuer.isupper(), i) for i, d in enumerate(group) if d.issuer_stated)
        stated = group[stated[0][1]].issuer if stated else None
        for c in group:
            if c.issue_date is None and dated:
                if len(dates) == 1:
                    c.issue_date = dated[0].issue_date
                else:
                    mine = sent_ids[span_of[id(c)]] - {cid}
                    scored = sorted(((len(mine & sent_ids[span_of[id(d)]] - {cid}), d.issue_date) for d in dated),
                                    reverse=True)
                    if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
                        c.issue_date = scored[0][1]
                if c.year is None and c.issue_date:
                    c.year = c.issue_date.year
            if not c.issuer_stated:
                if stated:
                    c.issuer = stated


@cache
def _relation_res() -> dict[str, re.Pattern]:
    rel = _patterns_data()["relation"]
    return {k: re.compile(rf"(?:{_words_re(v)})") for k, v in rel.items()}


def _relation(c: Citation, doc: Document, nested: bool, folded: str | None = None) -> str:
    section = doc.section_at(c.start, c.end)
    kind = section.kind if section else None
    s, _ = doc.sentence_span(c.start, c.end)
    r = _relation_res()
    if nested:
        return "cites"
    if kind in ("preamble", None) and _starts_with(r["basis"], doc.text, s, c.start, folded):
        return "basis"
    if kind == "title" and fold(doc.text[s:s + 8]).lower().startswith("can cu"):
        return "basis"          # a "Căn cứ …" paragraph opening the plan a decision promulgates
    if kind == "title":
        before = fold(doc.text[max(section.char_start, c.start - 40):c.start])
        if r["amends"].search(before):
            return "amends"
        if r["implements"].search(before):
            return "implements"
    return "cites"


def _starts_with(rx: re.Pattern, text: str, s: int, e: int, folded: str | None) -> bool:
    """Whether rx matches at the start of fold(text[s:e]).strip(" -+*\\t"): only the words it needs are
    folded (a citation deep in a very long sentence does not fold the whole sentence again)."""
    while s < e and text[s] in " -+*\t":
        s += 1
    head = folded[s:min(e, s + 200)] if folded is not None else fold(text[s:min(e, s + 200)])
    if e - s <= 200:
        return bool(rx.match(head.rstrip(" -+*\t")))
    return bool(rx.match(head))


def extract(doc: Document) -> list[dict]:
    """One row per mention of another document or provision (DESIGN.md, legal_refs)."""
    text = doc.text
    folded = fold(text)
    cits = find_citations(text)
    own = _own_number(doc)
    own_type = (doc.meta or {}).get("doc_type") or (type_of_symbol(re.sub(r"^[\d/]+[-/]", "", own)) if own else None)
    keep = []
    for c in cits:
        section = doc.section_at(c.start, c.end)
        if section is not None and section.kind == "header":
            continue
        if own and c.canonical_id == own and (c.ref_type in (None, own_type)):
            continue
        keep.append(c)
    _fill_from_document(keep, doc)
    provs = _provisions(text, folded)
    starts = sorted(c.start for c in keep)
    prov_ends = [p.end for p in provs]
    subjects = sorted(c.subject_span for c in keep if c.subject_span)
    subject_starts, reach = [s for s, _ in subjects], []
    for _, e in subjects:                 # reach[i]: the furthest end of subjects[:i + 1]
        reach.append(max(e, reach[-1]) if reach else e)
    rows, seen = [], Counter()
    for c in keep:
        k = bisect.bisect_right(subject_starts, c.start) - 1
        nested = k >= 0 and reach[k] > c.start      # a subject span holds c.start
        relation = _relation(c, doc, nested, folded)
        attached = _attached(c, provs, folded, starts, prov_ends)
        units = _units(attached) if attached else [(None, None, None)]
        start = attached[0].start if attached else c.start
        for point, clause, article in units:
            prov = doc.provenance(start, c.end)
            key = (c.canonical_id, article, clause, point, prov["section_id"])
            seen[key] += 1
            rows.append({
                "ref_id": row_id(doc.doc_id, "legal_refs", *key, seen[key]),
                **prov,
                "confidence": c.confidence,
                "ref_type": c.ref_type,
                "number": c.number,
                "year": c.year,
                "symbol": c.symbol,
                "canonical_id": c.canonical_id,
                "issue_date": c.issue_date,
                "issuer": c.issuer,
                "subject": c.subject,
                "article": article,
                "clause": clause,
                "point": point,
                "relation": relation,
                "surface": " ".join(text[start:c.end].split()),
                "resolved_doc_id": None,
            })
    return rows
