"""How well the agency vocabulary covers real plans: a study on the language-model corpus.

Reads the provincial and city documents of 2025 in the lm-corpus (lines 1-49,245 of
/work/shared/lm-corpus/admin-legal.txt.gz, one paragraph a line; not evaluation data), finds agency
mentions in role contexts with simple patterns, runs kehoach's own agency finder
(extractors.agencies.find_agencies, as extractors/assignments.py calls it) on each such line and counts,
by family (the mention's words up to its first place word, lower case):

  (a) none       the finder returns no mention overlapping the start of the mention;
  (b) generic    the mention is resolved only by the generic head-word fallback (`_generic_at`: a name
                 missing from agencies.yaml, kept as printed);
  (c) cut        resolved to a listed agency whose span stops clearly short of the mention (capitalised
                 words of the name left over);
  (d) dissolved  resolved to a body that ended in 2025 (a predecessor in agency_history.yaml, or one of
                 the departments/ministries listed in DISSOLVED below, which the history may not know),
                 or a district-level body (districts ended on 1 July 2025).

Role contexts ("X" starts with an agency head word of HEADS): "X chủ trì", "Giao X", "phối hợp với X",
"X có trách nhiệm", "Đề nghị X", "X tham mưu", "X thực hiện", lines "- X:" and "<n>. X:". The
mention X runs from its head word over capitalised words, "-", "và"/"," before a capitalised word, and
lower-case words, up to punctuation, a role verb or a function word (STOPS), at most 14 words.

Usage (from the repository root):

    PYTHONPATH=. .venv/bin/python scripts/agency_coverage.py [--corpus PATH] [--lines N] [--top K]
        [--examples] [--as-of DATE] [--json FILE]

The lines are read as of 2025-07-01 (AS_OF) in a neutral province (Bắc Ninh) unless a line names one after
"tỉnh"/"thành phố". Bare head words ("Hội đồng", "Cơ quan") and titles ("Bộ trưởng") are no mentions.
To measure another version of the code, run a copy of this file with PYTHONPATH set to that version.

It prints the totals of each category and its most frequent families with their counts.
"""
from __future__ import annotations

import argparse

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors import agencies as A  # noqa: E402
from scripts.corpus_lines import study_lines  # noqa: E402
from pipeline.text import fold  # noqa: E402

CORPUS = Path("/work/shared/lm-corpus/admin-legal.txt.gz")
PROVINCIAL_LINES = 49_245

#: Head words an agency name starts with (longest first when matched).
HEADS = sorted("""Sở|Ban|Ủy ban|Uỷ ban|UBND|Bộ|Cục|Chi cục|Tổng cục|Trung tâm|Phòng|Văn phòng|Công an|Bộ Chỉ huy|
Bảo hiểm xã hội|BHXH|Kho bạc|Thuế|Hội|Liên đoàn|Đoàn|Mặt trận|Ủy ban Mặt trận|Đài|Báo|Trường|Bệnh viện|Viện|
Hải quan|Ngân hàng|Tòa án|Toà án|Viện kiểm sát|Viện Kiểm sát|Đảng ủy|Đảng uỷ|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|
Huyện ủy|Huyện uỷ|Thanh tra|Tỉnh đoàn|Thành đoàn|Hội đồng|Liên minh|Công ty|Tổng công ty|Quỹ|Chi nhánh|
Cảng vụ|Vườn quốc gia|Khu|Ban Quản lý|Bộ đội|Cơ quan|Lực lượng|Hạt|Trạm|Nhà|Thư viện|Bảo tàng|Nhà hát""".split("|"),
               key=len, reverse=True)
HEADS = [h.strip() for h in HEADS if h.strip()]
_HEAD = "(?:" + "|".join(map(re.escape, HEADS)) + r")(?=[\s,:;.)]|$)"

#: Role patterns; group "x" is where the mention starts.
ROLE_PATTERNS = [
    re.compile(rf"(?P<x>{_HEAD})[^.;:]{{0,120}}?\s(?:chủ trì|có trách nhiệm|tham mưu|thực hiện|là cơ quan)"),
    re.compile(rf"\b(?:Giao|giao cho|Đề nghị|đề nghị|phối hợp với|Phối hợp với|Yêu cầu|yêu cầu)\s+(?:các\s+)?(?P<x>{_HEAD})"),
    re.compile(rf"^\s*(?:[-+•*]|\d{{1,2}}[.)]|[a-zđ]\))\s*(?P<x>{_HEAD})[^:]{{0,120}}:"),
]

#: Words that end a mention (role verbs, function words) when printed in lower case.
STOPS = set("""chủ trì|phối hợp|có trách nhiệm|có|trách nhiệm|tham mưu|thực hiện|là|tổ chức|triển khai|hướng dẫn|
chỉ đạo|báo cáo|theo dõi|kiểm tra|xây dựng|rà soát|với|của|về|theo|trong|để|tại|cho|đến|từ|các|được|đã|đang|sẽ|
cần|phải|này|đó|nhằm|khi|nếu|không|cùng|ở|những|trên|thuộc|giao|đề nghị|chịu|bảo đảm|đảm bảo|quản lý|cung cấp|
hỗ trợ|tiếp tục|chủ động|tăng cường|đẩy mạnh|nghiên cứu|ban hành|trình|gửi|tham gia|làm|thẩm định|tiếp nhận|
giải quyết|công khai|phổ biến|tuyên truyền|vận động|đôn đốc|giám sát|lập|xử lý|căn cứ|hoặc|như|sau|trước|
quy định|khẩn trương|xem xét|thông báo|trả lời|ban hành|đáp ứng|trích|chỉ|thì|kèm|do""".split("|"))
STOPS = {s.strip() for s in STOPS if s.strip()}
PLACE_WORDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "khu vực",
               "các tỉnh", "các huyện", "các xã", "cấp tỉnh", "cấp huyện", "cấp xã", "các cấp", "đặc khu", "TP", "TP.")

#: Bodies that ended in 2025 (the provincial departments and ministries merged from 1 March 2025), besides
#: the predecessors agency_history.yaml lists.
DISSOLVED = ("Sở Lao động - Thương binh và Xã hội", "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông",
             "Sở Giao thông vận tải", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường",
             "Ban Dân tộc", "Bộ Lao động - Thương binh và Xã hội", "Bộ Kế hoạch và Đầu tư",
             "Bộ Thông tin và Truyền thông", "Bộ Giao thông vận tải", "Bộ Nông nghiệp và Phát triển nông thôn",
             "Bộ Tài nguyên và Môi trường", "Ủy ban Dân tộc", "Phòng Lao động - Thương binh và Xã hội",
             "Phòng Tài nguyên và Môi trường", "Phòng Nông nghiệp và Phát triển nông thôn", "Cục Thuế",
             "Chi cục Thuế", "Cục Thống kê")
#: Of these only the local bodies ended (a printed scope: "Cục Thuế tỉnh"); the bare name is the ministry's
#: department from 2025 (agencies.yaml `national_from`).
LOCAL_ONLY = ("Cục Thuế", "Chi cục Thuế", "Cục Thống kê")
DISTRICT = re.compile(r"\b(?:huyện|quận|thị xã|quận, huyện|cấp huyện)\b")

#: The issue date the lines are read with (documents of 2025, most of the second half): what the date rules
#: of agencies.py (two-level communes, `national_from`) take as the document's date.
AS_OF = "2025-07-01"

_WORDS = re.compile(r"\S+")
#: Words after which a head word is no agency ("Trường hợp", "Ban hành", "Bộ trưởng": a title, whose body
#: comes after it and is a mention of its own).
NOT_AGENCY = re.compile(r"(?:Trường hợp|Ban hành|Hội nghị|Nhà nước|Khu vực|Cơ quan|Lực lượng|Nhà|Trạm|Hạt)\b|"
                        r"\S+ (?:trưởng|phó)\b", re.I)
#: Capitalised words after a comma that start another party, not the rest of a name.
NEXT_PARTY = ("Chủ tịch", "Thủ trưởng", "Giám đốc", "Trưởng", "Phó", "Lãnh đạo", "Kiểm sát viên", "Tổ",
              "Tập đoàn", "Kiểm toán", "Thi hành án", "Điểm", "Bộ phận")


def mention_span(line: str, start: int) -> tuple[int, int]:
    """(start, end) of the agency name at `start`: see the module docstring."""
    end = start
    words = list(_WORDS.finditer(line, start))
    n = 0
    k = 0
    while k < len(words) and n < 14:
        w = words[k]
        raw = w.group()
        word = raw.strip(",;:.()\"“”'")
        lead_cut = raw[:1] in "(\"“"
        if lead_cut or not word:
            break
        low = word.lower()
        two = f"{low} {words[k + 1].group().strip(',;:.()').lower()}" if k + 1 < len(words) else ""
        if k > 0:
            if word[:1].islower() and (low in STOPS or two in STOPS):
                break
            if low == "các" and k + 1 < len(words) and any(
                    " ".join(x.group() for x in words[k:k + 3]).strip(",").startswith(p) for p in PLACE_WORDS):
                k += 1
                continue
            if low == "và":
                nxt = words[k + 1].group() if k + 1 < len(words) else ""
                if not nxt[:1].isupper() or any(nxt.startswith(h.split()[0]) for h in HEADS if h not in ("Thuế",)):
                    break
        end = w.start() + len(raw.rstrip(",;:.)\"”'"))
        n += 1
        if re.search(r"[;:.)]$", raw) or (raw.endswith(",") and not (
                k + 1 < len(words) and words[k + 1].group()[:1].isupper()
                and not any(words[k + 1].group().startswith(h.split()[0]) for h in HEADS)
                and not line[words[k + 1].start():].startswith(NEXT_PARTY))):
            break
        k += 1
    return start, end


def family(name: str) -> str:
    """The family of a mention: its words up to the first place word, lower case."""
    words = name.split()
    out = []
    for i, w in enumerate(words):
        rest = " ".join(words[i:])
        if i > 0 and any(rest == p or rest.startswith(p + " ") for p in PLACE_WORDS):
            break
        if i > 0 and w[:1].isupper() and out and out[-1] != "và" and _province_start(words, i):
            break
        out.append(w)
    return " ".join(out).lower().strip(",-")


def _province_start(words: list[str], i: int) -> bool:
    keys = A._province_keys()
    return any(" ".join(A._keys(" ".join(words[i:i + n]))) in keys for n in (1, 2, 3, 4))


def _jurisdiction(line: str) -> str:
    """The province a line names after "tỉnh"/"thành phố", else a neutral one."""
    f = fold(line)
    for p in A.provinces():
        for n in [p["name"], *p.get("aliases", [])]:
            if f"tinh {fold(n)}" in f or f"thanh pho {fold(n)}" in f:
                return p["name"]
    return "Bắc Ninh"


def dissolved_names() -> set[str]:
    return set(DISSOLVED) | {n for n, h in A.history().items() if h.get("valid_to") and h["valid_to"].year == 2025}


def study(lines: list[str], examples: bool = False, as_of: str | None = AS_OF) -> dict:
    generic_spans: list[tuple[str, str]] = []
    real_generic = A._generic_at

    def spy(text, toks, i, limit, home, noisy):
        got = real_generic(text, toks, i, limit, home, noisy)
        if got is not None:
            generic_spans.append(got[2].entry.name)
        return got

    A._generic_at = spy
    gone = dissolved_names()
    counts = {c: Counter() for c in ("none", "generic", "cut", "dissolved", "district", "ok")}
    ex: dict[tuple[str, str], str] = {}
    total = 0
    try:
        for line in lines:
            starts = set()
            for pat in ROLE_PATTERNS:
                for m in pat.finditer(line):
                    starts.add(m.start("x"))
            if not starts:
                continue
            generic_spans.clear()
            A._find_in_short.cache_clear()
            found = A.find_agencies(line, _jurisdiction(line), as_of=as_of)
            generic = set(generic_spans)
            covered = -1
            for s in sorted(starts):
                if s < covered or NOT_AGENCY.match(line, s):
                    continue
                s, e = mention_span(line, s)
                covered = e
                surface = line[s:e]
                if (len(surface.split()) < 2 and surface not in ("UBND", "HĐND", "BHXH", "Thuế")) or surface in HEADS:
                    continue                   # a bare head word: "Cơ quan chủ trì", "Sở ... có trách nhiệm"
                total += 1
                fam = family(surface)
                hit = next((m for m in found if m.start <= s + 1 and m.end > s), None)
                if hit is None:
                    cat = "none"
                elif hit.confidence == 0.6 and any(hit.name.startswith(g) for g in generic):
                    cat, fam = "generic", family(hit.surface)
                elif e - hit.end >= 4 and _left_over(line[hit.end:e]):
                    cat = "cut"
                elif (g := _gone(hit.name, gone)):
                    cat, fam = "dissolved", g
                elif DISTRICT.search(hit.name[len(hit.name.split()[0]):]) and hit.name.endswith(
                        ("quận, huyện, thị xã", " huyện", " quận", " thị xã")):
                    cat, fam = "district", hit.name
                else:
                    cat = "ok"
                counts[cat][fam] += 1
                if examples and (cat, fam) not in ex:
                    ex[(cat, fam)] = f"{surface!r} -> {hit.name if hit else None!r}" + (
                        f" [{hit.surface!r}]" if hit else "")
    finally:
        A._generic_at = real_generic
    return {"total": total, "counts": counts, "examples": ex}


SCOPE_START = ("tỉnh", "Tỉnh", "thành phố", "Thành phố", "TP", "các ", "huyện", "quận", "thị xã", "xã", "phường")


def _gone(name: str, gone: set[str]) -> str | None:
    """The dissolved body a resolved name is (its name, or its name and a scope), or None. The communes'
    and districts' committees are left to the district count and to the date rule (_two_level)."""
    for g in gone:
        if g.startswith("Ủy ban nhân dân các"):
            continue
        if (name == g and g not in LOCAL_ONLY) or name.startswith(g + " ") and name[len(g) + 1:].startswith(SCOPE_START):
            return g
    return None


def _left_over(tail: str) -> bool:
    """Words left after a resolved span that still look like part of the name (a capitalised word
    that is no place, no list of other bodies)."""
    t = tail.strip(" ,-")
    if not t or t.startswith(("(", "và ", "các ")):
        return False
    first = t.split()[0]
    two = " ".join(t.split()[:2]).lower()
    return (first[:1].isupper() and not any(t.startswith(p) for p in ("TP", "Thành phố", "Tỉnh"))
            and first.lower() not in STOPS and two not in STOPS and not t.startswith(NEXT_PARTY))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--lines", type=int, default=PROVINCIAL_LINES)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--examples", action="store_true", help="print one surface per family")
    ap.add_argument("--as-of", default=AS_OF, help=f"issue date the lines are read with (default {AS_OF})")
    ap.add_argument("--json", help="write the counts as JSON")
    args = ap.parse_args(argv)
    lines, dropped = study_lines(args.lines, Path(args.corpus))      # never the check plans' lines
    r = study(lines, args.examples, args.as_of)
    c = r["counts"]
    print(f"role-context mentions: {r['total']} in {len(lines)} lines ({dropped} lines of check plans left out)")
    labels = {"none": "(a) no mention found", "generic": "(b) generic head-word fallback only",
              "cut": "(c) name cut short", "dissolved": "(d) body dissolved in 2025",
              "district": "(d') district-level body", "ok": "resolved, none of the above"}
    for cat, label in labels.items():
        print(f"\n{label}: {sum(c[cat].values())} mentions, {len(c[cat])} families")
        if cat == "ok":
            continue
        for fam, n in c[cat].most_common(args.top):
            extra = f"   e.g. {r['examples'][(cat, fam)]}" if args.examples else ""
            print(f"  {n:5d}  {fam}{extra}")
    if args.json:
        Path(args.json).write_text(json.dumps({k: dict(v.most_common()) for k, v in c.items()}, ensure_ascii=False,
                                              indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
