"""What the corpus-gold scorers share (paragraph_eval, passage_eval, line_eval): rows matched item by item as
`kehoach eval` matches them (pipeline.evaluate.match: multisets, core rows first, optional rows for precision only),
and a tune item's missed and extra rows printed under its header."""
from __future__ import annotations

from typing import Iterable, Sequence

from pipeline.evaluate import Score, match


def score_items(items: Iterable[tuple[str, list[dict], list[dict]]], keys: Sequence[str], show: bool) -> Score:
    """The summed score of (header, predicted rows, gold rows) items; `show`: print each item's errors."""
    total = Score(0, 0, 0, 0)
    for header, pred, gold in items:
        s, fp, fn = match(pred, gold, keys)
        total = total + s
        if show and (fp or fn):
            print(f"\n{header}")
            for k in fn:
                print("   MISS", *k, sep=" | ")
            for k in fp:
                print("   EXTRA", *k, sep=" | ")
    return total
