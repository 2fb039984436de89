"""Precision and recall of extracted rows against hand-made gold.

Rows match when their key fields are equal after canonicalisation; each gold
row can be matched once (multiset matching), so duplicates are counted.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .text import marked_form


@dataclass(frozen=True)
class Score:
    """Counts behind precision and recall; optional gold rows count for precision only (`tp_pred`)."""

    tp: int            # core gold rows matched
    n_pred: int
    n_gold: int        # core gold rows
    tp_pred: int = -1  # predicted rows matched by a core or optional gold row (default: tp)

    @property
    def hits(self) -> int:
        return self.tp if self.tp_pred < 0 else self.tp_pred

    @property
    def precision(self) -> float:
        return self.hits / self.n_pred if self.n_pred else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.tp + other.tp, self.n_pred + other.n_pred, self.n_gold + other.n_gold,
                     self.hits + other.hits)

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "n_pred": self.n_pred, "n_gold": self.n_gold}

    def __str__(self) -> str:
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} (tp={self.tp} pred={self.n_pred} gold={self.n_gold})"


def _canon(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, str):
        return " ".join(v.split())
    if isinstance(v, (list, tuple)):
        return tuple(_canon(x) for x in v)
    return v


#: Spellings of one unit: ANNOTATION.md asks for "a short English unit", so gold and rows may differ in
#: spelling only ("ha" / "hectares").
UNIT_ALIASES = {"hectares": "ha", "hectare": "ha", "tons": "tonnes", "tonne": "tonnes", "t": "tonnes",
                "people": "persons", "person": "persons"}


#: Fields holding agency names: compared without letter case ("Ban Chỉ huy phòng thủ dân sự tỉnh" and "Ban Chỉ
#: huy Phòng thủ dân sự tỉnh" are one body; ANNOTATION.md's canonical names fix the words, not their case).
NAME_KEYS = ("agency_name", "lead_names", "support_names")


def name_key(name: str) -> str:
    """An agency name as compared: letter case, dashes and the place of the tone mark ("Uỷ ban" / "Ủy ban",
    "Hoà" / "Hòa") are spelling, not the body."""
    return " ".join(marked_form(w) for w in re.sub(r"\s*[-–—]\s*", " - ", name.casefold()).split())


def _key_value(k: str, v: Any) -> Any:
    if k == "unit":
        return UNIT_ALIASES.get(v, v)
    if k in NAME_KEYS:
        return tuple(sorted(name_key(x) for x in v)) if isinstance(v, tuple) else (
            name_key(v) if isinstance(v, str) else v)
    return v


def key_of(row: dict, keys: Sequence[str]) -> tuple:
    return tuple(_key_value(k, _canon(row.get(k))) for k in keys)


def match(pred: Iterable[dict], gold: Iterable[dict], keys: Sequence[str]) -> tuple[Score, list, list]:
    """(score, false positives, missed core rows): multiset matching, core gold rows first, then the
    optional ones (`optional: true`, ANNOTATION.md), which count for precision only."""
    p = Counter(key_of(r, keys) for r in pred)
    gold = list(gold)
    core = Counter(key_of(g, keys) for g in gold if not g.get("optional"))
    opt = Counter(key_of(g, keys) for g in gold if g.get("optional"))
    hit_core = p & core
    rest = p - hit_core
    hit_opt = rest & opt
    fp = sorted((rest - hit_opt).elements(), key=str)
    fn = sorted((core - hit_core).elements(), key=str)
    tp = sum(hit_core.values())
    return Score(tp, sum(p.values()), sum(core.values()), tp + sum(hit_opt.values())), fp, fn


def score(pred: Iterable[dict], gold: Iterable[dict], keys: Sequence[str]) -> Score:
    return match(pred, gold, keys)[0]


def mismatches(pred: Iterable[dict], gold: Iterable[dict], keys: Sequence[str]) -> tuple[list, list]:
    """(false positives, missed core rows) as key tuples, for test failure messages."""
    _, fp, fn = match(pred, gold, keys)
    return fp, fn
