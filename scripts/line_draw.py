"""Draw single lines of the language-model corpus that cite documents or state times, for hand annotation.

    .venv/bin/python scripts/line_draw.py legal_refs|deadlines [--n 60] [--seed 20261204]

Writes tests/gold/lines/<table>.yaml: `n` lines drawn at random from lines 1-49,245 of ../shared/lm-corpus (the
provincial documents of 2025) that carry the table's cue, are 60-700 characters long, and are no line of a dev plan
(tune or check), of the paragraph gold or of a passage; alternate lines go to `tune` and `check`, fixed here before
anything is annotated. They measure the legal-reference and deadline extractors on statements no rule was
written from (scripts/line_eval.py scores them).
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

from corpus_lines import CORPUS, ROOT, _collapsed  # noqa: E402
from passage_draw import PROVINCIAL_LINES, dev_lines, paragraph_lines, passage_lines  # noqa: E402

OUT = ROOT / "tests" / "gold" / "lines"
CUES = {
    "legal_refs": re.compile(r"\b(?:Luật|Bộ luật|Nghị định|Nghị quyết|Quyết định|Thông tư|Chỉ thị|Kế hoạch|Kết luận|"
                             r"Công văn|Thông báo|Hướng dẫn|Văn bản|Công điện|Quy định)\s+(?:số\s+)?(?:\d|[A-ZĐ])"),
    "deadlines": re.compile(r"\b(?:hoàn thành|trước ngày|thời gian|thời hạn|định kỳ|[Hh][ằà]ng (?:năm|quý|tháng)|"
                            r"quý [IV1-4]|tháng \d{1,2}[/ ]|từ ngày|đến ngày|chậm nhất)"),
    # A second draw of citing lines, with the same cue.
    "legal_refs_more": re.compile(r"\b(?:Luật|Bộ luật|Nghị định|Nghị quyết|Quyết định|Thông tư|Chỉ thị|Kế hoạch|Kết luận|"
                                  r"Công văn|Thông báo|Hướng dẫn|Văn bản|Công điện|Quy định)\s+(?:số\s+)?(?:\d|[A-ZĐ])"),
    # A second draw of time lines, on the words that make a time a duty's (the first draw's cues matched many
    # citation dates and "thời gian" in other senses).
    "deadlines_due": re.compile(r"\b(?:hoàn thành (?:trước|trong|xong|chậm nhất)|trước ngày \d|chậm nhất|quý [IV]+\b|"
                                r"tháng \d{1,2}/20\d\d|định kỳ|[Hh][ằà]ng (?:năm|quý|tháng)|[Tt]ừ ngày \d|"
                                r"trong năm 20\d\d|[Tt]ừ năm 20\d\d|giai đoạn 20\d\d)"),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("table", choices=sorted(CUES), help="legal_refs | deadlines | legal_refs_more, deadlines_due (second draws)")
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--seed", type=int, default=20261204)
    args = ap.parse_args(argv)
    held, taken = dev_lines(), paragraph_lines() | passage_lines()
    for other in OUT.glob("*.yaml"):
        taken.update(it["line"] for it in yaml.safe_load(other.read_text(encoding="utf-8")) or [])
    cue = CUES[args.table]
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        pool = [(n, line.rstrip("\n")) for n, line in zip(range(1, PROVINCIAL_LINES + 1), f)
                if 60 <= len(line) <= 700 and n not in taken and cue.search(line)
                and _collapsed(line) not in held]
    chosen = sorted(random.Random(args.seed).sample(pool, args.n))
    items = [{"line": n, "half": "tune" if k % 2 == 0 else "check", "text": text, "rows": []}
             for k, (n, text) in enumerate(chosen)]
    OUT.mkdir(parents=True, exist_ok=True)
    head = (f"# {args.n} lines drawn by scripts/line_draw.py {args.table} (seed {args.seed}) from {len(pool)} candidates; "
            "halves fixed at the draw.\n")
    (OUT / f"{args.table}.yaml").write_text(head + yaml.safe_dump(items, allow_unicode=True, sort_keys=False,
                                                                  width=200), encoding="utf-8")
    print(f"{len(items)} of {len(pool)} candidate lines -> {OUT / (args.table + '.yaml')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
