"""Coverage study of the legal reference extractor on the language-model corpus (not evaluation data).

The corpus (/work/shared/lm-corpus/admin-legal.txt.gz, see its README.md) holds one paragraph per line:
lines 1-49,245 are provincial and city documents of 2025 (the register of our plans), the rest gazette
text of laws, decrees and circulars. This script reads all of the first part and a fixed random sample
(seed 0, default 50,000 lines) of the rest, and on every line compares two things:

  candidates  a deliberately broad pattern, written independently of extractors/legal_refs.py: a
              document-type word (Luật, Bộ luật, Nghị quyết, Nghị định, Quyết định, Chỉ thị, Thông tư
              (liên tịch), Kết luận, Công điện, Công văn, Thông báo, Kế hoạch, Hướng dẫn, Quy định,
              Chương trình, Đề án, Chiến lược, Quy chế, Hiến pháp, Pháp lệnh, Lệnh, Văn bản hợp nhất, ...)
              followed within a few words (no punctuation in between) by "số" and a number-symbol
              (12/2025/NĐ-CP, 21-NQ/TW, spaced or broken forms "12- CT/TW", "18/NQ- TW",
              "01/2025/ NĐ-CP"), or followed directly by a number-symbol without "số"
              ("Nghị quyết 57-NQ/TW");
  extractor   the rows of `extractors.legal_refs.extract` on the line as a one-page document, as
              pipeline/process.py calls it (no sections; no own number, see `_document`).

Each candidate is then
  found       an extractor row overlaps it with the same number-symbol key (number and the letters
              and digits after it, upper-case, separators and spaces dropped, Đ as D, Cyrillic
              look-alikes as Latin; a lower-case word run into the symbol's end may be left out);
  different   an extractor row overlaps it with another key, or with another document type
              than the candidate's type word (when the extractor's type is known);
  missed      no extractor row overlaps it.
Article lists before a document ("Điều 4, 5 và 7 Nghị định số ...") are counted too, with how many of them
get one row per article (ANNOTATION.md: one row per cited provision).
Laws cited by name are counted, with those whose name is not in extractors/data/legal_laws.yaml (read by the
fallback up to the first comma or function word, so often cut short: "Luật Phòng cháy").
Extractor rows that overlap no candidate are listed as "unexplained" (possible false positives, or
legitimate forms outside the candidate pattern such as laws cited by name).

Misses, differences and unexplained rows are grouped into families by shape (type word, whether "số"
was printed, the shape of the number-symbol with digits as 9 and letters as A, spacing inside the
symbol) and a frequency table with up to three examples per family is printed.

Usage:
    PYTHONPATH=. .venv/bin/python scripts/legal_coverage.py [--sample 50000] [--local-only]
        [--top 40] [--json counts.json]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))    # after PYTHONPATH: main's code can be measured too

from extractors import legal_refs                                  # noqa: E402
from pipeline.model import Document, Page, RawDocument             # noqa: E402
from scripts.corpus_lines import check_lines                      # noqa: E402

CORPUS = Path("/work/shared/lm-corpus/admin-legal.txt.gz")
LOCAL_LINES = 49_245

TYPE_WORDS = [
    "Văn bản hợp nhất", "Thông tư liên tịch", "Nghị quyết liên tịch", "Chương trình hành động", "Bộ luật",
    "Luật", "Nghị quyết", "Nghị định", "Quyết định", "Chỉ thị", "Thông tư", "Kết luận", "Công điện",
    "Công văn", "Thông báo", "Kế hoạch", "Hướng dẫn", "Quy định", "Chương trình", "Đề án", "Chiến lược",
    "Quy chế", "Hiến pháp", "Pháp lệnh", "Lệnh", "Thông tri", "Báo cáo", "Tờ trình", "Phương án",
    "Văn bản", "Quy hoạch", "Sắc lệnh", "Điều lệ",
]
_TYPE_ALT = "|".join(re.escape(w) for w in sorted(TYPE_WORDS, key=len, reverse=True))
# The last type word in the words before "số" (case-insensitive first letter, rest as printed).
TYPE_RE = re.compile(rf"(?<!\w)(?P<type>(?i:{_TYPE_ALT}))(?!\w)")
SEP = r"\s?[/\-–]\s?"
SEGMENT = r"[^\W_]+&?[^\W_]*"               # any letters (Cyrillic look-alikes, a word run into it) and digits
ID = rf"\d{{1,5}}(?:\.\d{{1,3}})?(?:{SEP}{SEGMENT}){{0,9}}"
SO_RE = re.compile(rf"(?<!\w)(?:số|Số|SỐ)\s*:?\s*(?P<id>{ID})(?![\w/])")
DIRECT_RE = re.compile(rf"(?<!\w)(?P<type>(?i:{_TYPE_ALT}))\s+(?P<id>\d{{1,5}}(?:{SEP}{SEGMENT}){{1,5}})(?![\w/])")
GAP_MAX_WORDS = 8
# Numbered forms and standards are no documents: "số" right after one of these is no candidate
# ("Văn bản đề nghị theo Mẫu số 01", "Chuẩn mực kế toán số 06", "Nghị định thư số 5").
FORM_HEADS = re.compile(r"(?<!\w)(?i:mẫu|biểu|biểu mẫu|phụ lục|phiếu|mã|chuẩn mực kế toán|nghị định thư|thư)\s*$")


_CYRILLIC = str.maketrans("АВСЕНКМОРТХУІасеорхуі", "ABCEHKMOPTXYIaceopxyi")


def _key(s: str, latin: bool = True) -> tuple[str, str]:
    """Number and the letters/digits of the rest, upper-case, separators and spaces dropped, Đ as D,
    Cyrillic look-alikes as Latin (`latin`): '12- CT/TW' → ('12', 'CTTW'); '21/2025/TTBYT' and '21/2025/TT-BYT'
    agree. An extractor's id is keyed with `latin=False`: a Cyrillic letter left in it is an error."""
    s = (s.translate(_CYRILLIC) if latin else s).upper().replace("Ð", "D").replace("Đ", "D")
    m = re.match(r"\s*0*(\d+)", s)
    if not m:
        return "", ""
    return m.group(1), re.sub(r"[^0-9A-Z&\u0400-\u04ff]", "", s[m.end():])


def same_id(candidate: str, extracted: str) -> bool:
    """Whether the extractor's id is the candidate's: the same key, or the candidate's key with a lower-case
    word run into its end ("NĐ-CPngày", "QĐ-TTgcủa": the candidate pattern takes the word, the extractor not)."""
    (cn, cl), (en, el) = _key(candidate), _key(extracted, latin=False)
    if cn != en:
        return False
    if cl == el:
        return True
    tail = re.search(r"[^\W\d_]*$", candidate).group(0)
    extra = len(cl) - len(el)
    return extra >= 2 and cl.startswith(el) and tail[-extra:].islower()


def _shape(s: str) -> str:
    """'12- CT/TW' → '99- AA/AA' (digit runs → 9…, letter runs → A…)."""
    out = re.sub(r"\d+", lambda m: "9" * min(len(m.group()), 4), s)
    out = re.sub(r"[^\W\d_]+", lambda m: "A" if len(m.group()) <= 1 else "AA" if len(m.group()) <= 3 else "AAAA", out)
    return out


def _type_of(word: str) -> str:
    w = word[0].upper() + word[1:].lower()
    return "Chương trình" if w == "Chương trình hành động" else w


def candidates(line: str) -> list[dict]:
    """Broad candidates of one line: dicts with start, end, type, id, form ('so'|'direct'), gap words."""
    out = []
    for m in SO_RE.finditer(line):
        window = line[max(0, m.start() - 120):m.start()]
        best = None
        for t in TYPE_RE.finditer(window):
            best = t
        if best is None:
            continue
        gap = window[best.end():]
        if re.search(r"[.;:,()\"“”\n]", gap) or len(gap.split()) > GAP_MAX_WORDS or FORM_HEADS.search(window):
            continue
        start = m.start() - len(window) + best.start()
        out.append({"start": start, "end": m.end("id"), "type": _type_of(best.group("type")), "id": m.group("id"),
                    "form": "so", "gap": len(gap.split()), "text": line[start:m.end("id")]})
    taken = [(c["start"], c["end"]) for c in out]
    for m in DIRECT_RE.finditer(line):
        if any(s <= m.start("id") < e for s, e in taken):
            continue
        out.append({"start": m.start(), "end": m.end("id"), "type": _type_of(m.group("type")), "id": m.group("id"),
                    "form": "direct", "gap": 0, "text": line[m.start():m.end("id")]})
    return out


#: Lists of articles right before a document ("Điều 4, 5 và 7 Nghị định số ...", "các Điều 42, 43 Luật ..."):
#: ANNOTATION.md wants one row per cited provision.
ART_LIST_RE = re.compile(rf"(?<!\w)Điều (?P<list>\d+[a-z]?(?:\s*(?:,|và|hoặc)\s*\d+[a-z]?(?![\w/.]))+)"
                         rf"(?=\s+(?:của\s+)?(?:{_TYPE_ALT})\s+(?!này(?!\w))[\w“\"])")   # not "… Nghị định này"


def article_lists(line: str, rows: list[dict]) -> list[tuple[bool, str]]:
    """(every listed article has its own extractor row, the list) per article list on the line."""
    out = []
    for m in ART_LIST_RE.finditer(line):
        want = {f"Điều {v}" for v in re.findall(r"\d+[a-z]?", m.group("list"))}
        got = {r["article"] for r in rows if r["char_start"] <= m.start() < r["char_end"]}
        out.append((want <= got, m.group(0)))
    return out


def _document(line: str) -> Document:
    raw = RawDocument(source_path="line.txt", sha256=hashlib.sha256(line.encode("utf-8")).hexdigest(),
                      file_type="txt", pages=[Page(1, line)])
    # A line is no document: "doc_number" is set to a value that is no number-symbol, so that nothing on
    # the line ("(Kèm theo Quyết định số: 1489/QĐ-UBND ...)") is taken for the document's own number.
    return Document(raw=raw, text=line, raw_text=line, sections=[], meta={"doc_number": "-"})


def extractor_rows(line: str, rows: list[dict] | None = None) -> list[dict]:
    """legal_refs.extract on the line (or its rows); provision rows of one mention collapse to one (same span)."""
    out, seen = [], set()
    for r in legal_refs.extract(_document(line)) if rows is None else rows:
        k = (r["canonical_id"], r["char_end"])
        if k in seen:
            continue
        seen.add(k)
        out.append(r)
    return out


def miss_family(c: dict) -> str:
    ident = c["id"]
    spaced = "spaced" if re.search(r"\s", ident) else "tight"
    letters = re.search(r"[A-Za-zĐđÐ]", ident) is not None
    if not letters:
        shape = "number only (no symbol)"
    else:
        shape = _shape(ident)
    lower = " lower-case" if letters and not re.search(r"[A-ZĐÐ]", ident) else ""
    return f"{c['type']} | {c['form']}{' +gap' if c['gap'] else ''} | {shape} | {spaced}{lower}"


def unexplained_family(r: dict) -> str:
    cid = r["canonical_id"] or ""
    if r["number"] is None:
        return f"named: {r['ref_type']}"
    return f"{r['ref_type']} | {_shape(cid)}"


def read_lines(sample: int, local_only: bool, seed: int = 0):
    """(part, line number, text) of lines 1-49,245 and a fixed sample of the rest."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    held = check_lines()                              # never the check plans' own lines
    for i in range(min(LOCAL_LINES, len(lines))):
        if " ".join(lines[i].split()) not in held:
            yield "local", i + 1, lines[i]
    if local_only or sample <= 0:
        return
    rest = range(LOCAL_LINES, len(lines))
    picked = sorted(random.Random(seed).sample(rest, min(sample, len(rest))))
    for i in picked:
        yield "gazette", i + 1, lines[i]


def study(sample: int, local_only: bool, examples: int = 3):
    counts = defaultdict(Counter)                     # part → status counts
    fams = {k: defaultdict(Counter) for k in ("missed", "different", "unexplained")}
    ex = {k: defaultdict(list) for k in fams}
    cheap = re.compile(r"\d")
    for part, no, line in read_lines(sample, local_only):
        if not cheap.search(line):
            continue
        cands = candidates(line)
        rows = legal_refs.extract(_document(line))
        for ok, lst in article_lists(line, rows):
            counts[part]["article lists"] += 1
            counts[part]["article lists split"] += ok
        for r in rows:                    # laws cited by name: from the vocabulary, or read by the fallback
            if r["number"] is None and r["ref_type"] in ("Luật", "Bộ luật", "Pháp lệnh"):
                counts[part]["named laws"] += 1
                counts[part]["named laws, unknown name"] += r["confidence"] <= 0.6
        rows = extractor_rows(line, rows)
        used = set()
        for c in cands:
            counts[part]["candidates"] += 1
            over = [i for i, r in enumerate(rows) if r["char_start"] < c["end"] and r["char_end"] > c["start"]]
            hit = [i for i in over if same_id(c["id"], rows[i]["canonical_id"] or "")]
            used.update(over)
            if hit:
                r = rows[hit[0]]
                ctype, rtype = c["type"], r["ref_type"]
                if rtype and ctype in legal_refs_types() and rtype != ctype:
                    status, fam = "different", f"type {ctype} → {rtype}"
                    got = f"{r['canonical_id']} ({rtype})"
                else:
                    counts[part]["found"] += 1
                    continue
            elif over:
                r = rows[over[0]]
                status, fam = "different", f"id | {miss_family(c)}"
                got = f"{r['canonical_id']} ({r['ref_type']})"
            else:
                status, fam, got = "missed", miss_family(c), None
            counts[part][status] += 1
            fams[status][part][fam] += 1
            if len(ex[status][(part, fam)]) < examples:
                s = max(0, c["start"] - 30)
                snippet = " ".join(line[s:c["end"] + 25].split())
                ex[status][(part, fam)].append(f"L{no}: …{snippet}…" + (f"  → {got}" if got else ""))
        for i, r in enumerate(rows):
            if i in used:
                continue
            counts[part]["extractor rows"] += 1
            counts[part]["unexplained"] += 1
            fam = unexplained_family(r)
            fams["unexplained"][part][fam] += 1
            if len(ex["unexplained"][(part, fam)]) < examples:
                s = max(0, r["char_start"] - 30)
                ex["unexplained"][(part, fam)].append(
                    f"L{no}: …{' '.join(line[s:r['char_end'] + 25].split())}…  → {r['canonical_id']}")
        counts[part]["extractor rows"] += len(used & set(range(len(rows))))
    return counts, fams, ex


_TYPES_CACHE: set[str] | None = None


def legal_refs_types() -> set[str]:
    """Type names the extractor knows (doc_types.yaml): only for these is a type difference an error."""
    global _TYPES_CACHE
    if _TYPES_CACHE is None:
        _TYPES_CACHE = {t["name"] for t in legal_refs.doc_types()["types"]}
    return _TYPES_CACHE


def report(counts, fams, ex, top: int) -> None:
    print("status counts by part")
    for part, c in counts.items():
        n = c["candidates"] or 1
        print(f"  {part:8} candidates {c['candidates']:6}  found {c['found']:6} ({c['found'] / n:.3f})"
              f"  missed {c['missed']:5} ({c['missed'] / n:.3f})  different {c['different']:5}"
              f"  extractor rows {c['extractor rows']:6}  unexplained {c['unexplained']:5}"
              f"  article lists {c['article lists']:4} (one row per article: {c['article lists split']})"
              f"  named laws {c['named laws']:5} (name not in legal_laws.yaml: {c['named laws, unknown name']})")
    for status in ("missed", "different", "unexplained"):
        for part in counts:
            fam = fams[status][part]
            if not fam:
                continue
            print(f"\n== {status} ({part}): {sum(fam.values())} in {len(fam)} families; top {top}")
            for name, k in fam.most_common(top):
                print(f"{k:6}  {name}")
                for e in ex[status][(part, name)]:
                    print(f"          {e[:230]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=50_000, help="lines sampled from the gazette part")
    ap.add_argument("--local-only", action="store_true", help="only lines 1-49,245")
    ap.add_argument("--top", type=int, default=40, help="families shown per table")
    ap.add_argument("--json", help="write the counts (by part and status, and families) to this file")
    a = ap.parse_args(argv)
    t0 = time.time()
    counts, fams, ex = study(a.sample, a.local_only)
    report(counts, fams, ex, a.top)
    print(f"\n({time.time() - t0:.0f} s)")
    if a.json:
        Path(a.json).write_text(json.dumps({
            "counts": {p: dict(c) for p, c in counts.items()},
            "families": {s: {p: dict(f) for p, f in v.items()} for s, v in fams.items()},
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
