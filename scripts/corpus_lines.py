"""Lines of the language-model corpus for the coverage studies, without the text of the check plans.

The provincial part of ../shared/lm-corpus (lines 1-49,245) holds the full text of most dev plans, the six
check plans of tests/gold/dev/split.yaml among them. A study that picks rules from corpus families must not
count those lines: `study_lines` drops every line whose whitespace-collapsed text is a line of a check plan
(the check texts are read here only to compare, never printed).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "lm-corpus" / "admin-legal.txt.gz"
PLANS = ROOT.parent / "shared" / "dev-plans"
SPLIT = ROOT / "tests" / "gold" / "dev" / "split.yaml"


def _collapsed(line: str) -> str:
    return " ".join(line.split())


def check_lines() -> set[str]:
    """Every non-empty line of the check plans, whitespace collapsed."""
    names = yaml.safe_load(SPLIT.read_text(encoding="utf-8"))["check"]
    out: set[str] = set()
    for name in names:
        for path in PLANS.glob(f"text*/{name}.txt"):
            out.update(c for c in map(_collapsed, path.read_text(encoding="utf-8").splitlines()) if c)
    return out


def study_lines(n: int, corpus: Path = CORPUS) -> tuple[list[str], int]:
    """The first `n` corpus lines that are no line of a check plan, and how many were dropped."""
    held = check_lines()
    kept, dropped = [], 0
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for _, line in zip(range(n), f):
            line = line.rstrip("\n")
            if _collapsed(line) in held:
                dropped += 1
            else:
                kept.append(line)
    return kept, dropped
