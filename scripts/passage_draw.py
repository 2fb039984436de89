"""Draw passages (runs of lines) of the language-model corpus that assign work, for hand annotation.

    .venv/bin/python scripts/passage_draw.py [--n 24] [--seed 20261204] > passages.yaml

A passage starts at a heading that names an agency over its duties ("2. Sở Y tế:", "b) Ủy ban nhân dân các xã",
"Điều 5. Trách nhiệm của Công an tỉnh"), runs to the next top-level heading, 30 lines or 5,000 characters, and
holds at least three such headings and five role cues ("chủ trì", "phối hợp", "báo cáo" ...): the execution
part of a plan or a regulation. Single paragraphs
(tests/gold/paragraphs) cannot show what a passage does: headings naming an agency over its points, lists
carried down to bullets, a row per statement. No line of a dev plan (tune or check) and no annotated paragraph is
taken, so the passages are text kehoach was never tuned on. Each is written with its corpus line numbers; half go to
`tune`, half to `check`, fixed here before anything is annotated.
"""
from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_lines import CORPUS, PLANS, ROOT, _collapsed  # noqa: E402

PROVINCIAL_LINES = 49_245
MAX_LINES = 30
MAX_CHARS = 5_000
AGENCY_HEADS = (r"(?:Sở|Ủy ban|Uỷ ban|UBND|Công an|Bảo hiểm|Văn phòng|Thanh tra|Trung tâm|Cục|Chi cục|Liên đoàn|"
                r"Bộ Chỉ huy|(?:Ban|Bộ|Hội|Đoàn|Báo|Đài) [A-ZĐ]|Hội đồng|Các (?:Sở|sở|cơ quan|đơn vị|Ban|ban|Bộ|bộ))")
OPENING = re.compile(r"^(?:\d+(?:\.\d+)*\.|[a-zđ]\)|Điều \d+\.)\s*(?:Trách nhiệm của\s+|Giao\s+|Đề nghị\s+)?"
                     + AGENCY_HEADS + r"\b")
ROLE_CUE = re.compile(r"chủ trì|phối hợp|có trách nhiệm|báo cáo|đầu mối|thường trực|Giao ")
TOP_HEADING = re.compile(r"^(?:[IVX]+\.\s|PHẦN\s|Phần\s|Chương\s|CHƯƠNG\s|PHỤ LỤC|Phụ lục|Nơi nhận)")


def dev_lines() -> set[str]:
    """Every non-empty line of every dev plan (tune and check), whitespace collapsed."""
    out: set[str] = set()
    for path in PLANS.glob("text*/*.txt"):
        out.update(c for c in map(_collapsed, path.read_text(encoding="utf-8").splitlines()) if c)
    return out


def paragraph_lines() -> set[int]:
    out: set[int] = set()
    for path in (ROOT / "tests" / "gold" / "paragraphs").glob("*.yaml"):
        out.update(it["line"] for it in yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return out


def passage_lines() -> set[int]:
    """Corpus lines of the passages already drawn (tests/gold/passages)."""
    out: set[int] = set()
    for path in (ROOT / "tests" / "gold" / "passages").glob("c*.yaml"):
        it = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.update(range(it["first_line"], it["first_line"] + len(it["text"].split("\n"))))
    return out


def passages(lines: list[str], held: set[str], taken: set[int], truncate: bool = False, headings: int = 3,
             cues: int = 5, first: int = 0) -> list[tuple[int, list[str]]]:
    """Candidate passages as (first corpus line, lines): fresh text with at least three agency
    headings and five role cues. `truncate` (second draw): a passage ends before a taken or held line instead of
    being dropped."""
    out = []
    for i, line in enumerate(lines):
        if i < first or len(line) > 160 or not OPENING.match(line):
            continue
        if truncate and (i + 1 in taken or _collapsed(line) in held):
            continue
        body, size = [line], len(line)
        for n, nxt in enumerate(lines[i + 1: i + MAX_LINES], start=i + 2):
            size += len(nxt)
            if TOP_HEADING.match(nxt) or size > MAX_CHARS:
                break
            if truncate and (n in taken or _collapsed(nxt) in held):
                break
            body.append(nxt)
        numbers = range(i + 1, i + 1 + len(body))
        if len(body) < 6 or any(_collapsed(b) in held for b in body) or taken.intersection(numbers):
            continue
        if sum(1 for b in body if len(b) <= 160 and OPENING.match(b)) < headings:
            continue
        if sum(len(ROLE_CUE.findall(b)) for b in body) < cues:
            continue
        out.append((i + 1, body))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=24)
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--truncate", action="store_true",
                    help="end a passage before a taken or held line instead of dropping it (the second draw)")
    ap.add_argument("--min-headings", type=int, default=3)
    ap.add_argument("--min-cues", type=int, default=5)
    ap.add_argument("--gazette", action="store_true",
                    help="draw from the gazette's laws, decrees and circulars (lines after 49,245: central bodies)")
    args = ap.parse_args(argv)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        lines = [line.rstrip("\n") for _, line in (enumerate(f) if args.gazette else zip(range(PROVINCIAL_LINES), f))]
    pool = passages(lines, dev_lines(), paragraph_lines() | passage_lines(), args.truncate, args.min_headings,
                    args.min_cues, PROVINCIAL_LINES if args.gazette else 0)
    rng = random.Random(args.seed)
    rng.shuffle(pool)
    chosen: list[tuple[int, list[str]]] = []
    for first, body in pool:
        if all(first + len(body) <= f or f + len(b) <= first for f, b in chosen):
            chosen.append((first, body))
        if len(chosen) == args.n:
            break
    items = [{"id": f"c{first:06d}", "half": "tune" if k % 2 == 0 else "check", "first_line": first,
              "text": "\n".join(body)} for k, (first, body) in enumerate(chosen)]
    print(f"# {len(pool)} candidate passages; {len(items)} drawn with seed {args.seed}", file=sys.stderr)
    yaml.safe_dump(items, sys.stdout, allow_unicode=True, sort_keys=False, width=200)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
