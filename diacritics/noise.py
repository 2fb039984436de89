"""Synthetic OCR noise on clean text, to fit the channel's weight against the LM.

The OCR channel (data/ocr_channel.tsv) says what OCR prints for a letter; run
backwards, it turns clean Vietnamese into text that looks like OCR output: most
words lose their marks, some letters become garbles (ô → 6, ư → w, đ → P at a
word start). Restoring such text from the held-out part of the LM corpus and
scoring it against the clean original measures how much to trust the channel
costs relative to the LM (restore.CHANNEL_WEIGHT), without looking at the seeds.

    python -m diacritics.noise --corpus ../shared/lm-corpus/admin-legal.txt.gz
"""
from __future__ import annotations

import argparse
import gzip
import random
import sys
import unicodedata

from .channel import Edit, load_edits
from .inventory import normalize_syllable, strip_marks
from .tokens import word_spans
from .train import DEFAULTS, is_heldout


def _placed(e: Edit, i: int, n: int) -> bool:
    return (e.where == "any" or (e.where == "start" and i == 0) or (e.where == "inner" and i > 0)
            or (e.where == "end" and i == n - 1))


def _garble(word: str, edits: list[Edit], rng: random.Random, rate: float) -> str:
    out = []
    for i, ch in enumerate(word):
        low = ch.lower()
        options = [e for e in edits if len(e.observed) == 1 and e.fits(low) and _placed(e, i, len(word))]
        if options and rng.random() < rate:
            e = rng.choice(options)
            out.append(e.observed.upper() if ch.isupper() and e.case == "keep" else e.observed)
        else:
            out.append(ch)
    return "".join(out)


def ocr_noise(text: str, rng: random.Random, strip: float = 0.7, garble: float = 0.06,
              edits: list[Edit] | None = None) -> str:
    """`text` as a poor OCR might print it: marks lost on `strip` of the words,
    letters garbled at rate `garble` (a word keeps its length, so tokens stay aligned)."""
    edits = load_edits() if edits is None else edits
    parts, pos = [], 0
    for a, b in word_spans(text):
        parts.append(text[pos:a])
        word = text[a:b]
        if rng.random() < strip:
            word = strip_marks(word)
        parts.append(_garble(word, edits, rng, garble))
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def accuracy(clean: str, restored: str) -> tuple[int, int]:
    ok = n = 0
    for c_line, r_line in zip(clean.split("\n"), restored.split("\n")):
        cw = [c_line[a:b] for a, b in word_spans(c_line)]
        rw = [r_line[a:b] for a, b in word_spans(r_line)]
        if len(cw) != len(rw):
            n += len(cw)
            continue
        for x, y in zip(cw, rw):
            n += 1
            ok += normalize_syllable(x.lower()) == normalize_syllable(y.lower())
    return ok, n


def heldout_lines(corpus: str, limit: int) -> list[str]:
    out = []
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if is_heldout(no, DEFAULTS["holdout_every"]) and no <= DEFAULTS["head_lines"]:
                out.append(unicodedata.normalize("NFC", line.rstrip("\n")))
                if len(out) >= limit:
                    break
    return out


def main(argv=None) -> int:
    from . import load_model
    import importlib
    restore_module = importlib.import_module("diacritics.restore")   # the module, not the function
    restore_text = restore_module.restore_text

    ap = argparse.ArgumentParser(prog="python -m diacritics.noise", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--lines", type=int, default=200)
    ap.add_argument("--weights", default="0.5,0.75,1,1.5,2,3")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    clean = "\n".join(heldout_lines(args.corpus, args.lines))
    noisy = ocr_noise(clean, random.Random(args.seed))
    model = load_model()
    print(f"{len(word_spans(clean))} words of held-out text; noisy words correct before restoring: "
          f"{100 * accuracy(clean, noisy)[0] / max(1, accuracy(clean, noisy)[1]):.2f}%")
    default = restore_module.CHANNEL_WEIGHT
    for w in [float(x) for x in args.weights.split(",")]:
        restore_module.CHANNEL_WEIGHT = w
        ok, n = accuracy(clean, restore_text(model, noisy).text)
        print(f"channel weight {w:4}: {100 * ok / n:.2f}%")
    restore_module.CHANNEL_WEIGHT = default
    return 0


if __name__ == "__main__":
    sys.exit(main())
