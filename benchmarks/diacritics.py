"""Benchmark diacritic restoration against pyvi's ViUtils.add_accents, side by side.

Strips the marks from the accented seeds (000, 002, 003, 004) and from the
held-out lines of the LM corpus (never used in training), restores them with
both systems in this process, and prints syllable accuracy (all word tokens,
and the tokens that carry marks) and tokens per second.

    .venv/bin/python benchmarks/diacritics.py [--seeds DIR] [--corpus FILE] [--max-lines N]
"""
from __future__ import annotations

import argparse
import gzip
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import diacritics  # noqa: E402
from diacritics.detect import has_marks  # noqa: E402
from diacritics.inventory import normalize_syllable, strip_marks  # noqa: E402
from diacritics.tokens import word_spans  # noqa: E402
from diacritics.train import DEFAULTS, is_heldout  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
CORPUS = ROOT.parent / "shared" / "lm-corpus" / "admin-legal.txt.gz"


def words(text: str) -> list[str]:
    return [text[a:b] for a, b in word_spans(text)]


def canon(token: str) -> str:
    return normalize_syllable(unicodedata.normalize("NFC", token).lower())


def compare(gold: str, pred: str, case: bool = True) -> tuple[int, int, int, int]:
    """(correct, total, correct among marked gold tokens, marked gold tokens), line by line."""
    ok = n = ok_m = n_m = 0
    for g_line, p_line in zip(gold.split("\n"), pred.split("\n")):
        g, p = words(g_line), words(p_line)
        if len(p) != len(g):
            p = (p + [""] * len(g))[:len(g)]
        for gw, pw in zip(g, p):
            good = (normalize_syllable(gw) == normalize_syllable(pw)) if case else canon(gw) == canon(pw)
            n += 1
            ok += good
            if has_marks(gw):
                n_m += 1
                ok_m += good
    return ok, n, ok_m, n_m


def run_ours(stripped: str) -> tuple[str, float]:
    diacritics.load_model().lm.clear_cache()    # cold: no scores remembered from other sets
    t = time.process_time()
    out = diacritics.restore(stripped).text
    return out, time.process_time() - t


def run_pyvi(stripped: str) -> tuple[str, float, int]:
    from pyvi import ViUtils
    lines, crashes = [], 0
    t = time.process_time()
    for line in stripped.split("\n"):
        try:
            lines.append(ViUtils.add_accents(line) if line.strip() else line)
        except Exception:  # noqa: BLE001 - pyvi crashes on some lines; counted as wrong
            crashes += 1
            lines.append("")
    return "\n".join(lines), time.process_time() - t, crashes


def heldout_text(path: Path, max_lines: int) -> dict[str, str]:
    head, rest = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not is_heldout(no):
                continue
            (head if no <= DEFAULTS["head_lines"] else rest).append(line.rstrip("\n"))
    step = max(1, len(rest) // max_lines)
    return {"held-out plans (head)": "\n".join(head[:max_lines]),
            "held-out gazette": "\n".join(rest[::step][:max_lines])}


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:6.2f}%" if b else "   n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=SEEDS)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--max-lines", type=int, default=400)
    ap.add_argument("--no-pyvi", action="store_true")
    ap.add_argument("--errors", type=int, default=0, help="print this many of our errors per set")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    model = diacritics.load_model()
    print(f"model load: {time.perf_counter() - t:.2f}s, {model.path} "
          f"({sum(p.stat().st_size for p in model.path.iterdir()) / 1e6:.1f} MB)")
    sets = {}
    for n in ("000", "002", "003", "004"):
        for p in sorted(args.seeds.glob(f"{n}_*.txt")):
            sets[f"seed {n}"] = unicodedata.normalize("NFC", p.read_text(encoding="utf-8"))
    if args.corpus.exists():
        sets.update(heldout_text(args.corpus, args.max_lines))

    header = f"{'set':24} {'tokens':>7} | {'ours':>8} {'marked':>8} {'tok/s':>8} | {'pyvi':>8} {'marked':>8} {'tok/s':>7} crashes"
    print(header)
    print("-" * len(header))
    total = {"ours": [0, 0, 0, 0, 0.0], "pyvi": [0, 0, 0, 0, 0.0]}
    for name, gold in sets.items():
        stripped = strip_marks(gold)
        ours, secs = run_ours(stripped)
        o = compare(gold, ours)
        total["ours"] = [a + b for a, b in zip(total["ours"], [*o, secs])]
        line = f"{name:24} {o[1]:7d} | {pct(o[0], o[1])} {pct(o[2], o[3])} {o[1] / secs:8.0f} |"
        if not args.no_pyvi:
            pv, psecs, crashes = run_pyvi(stripped)
            q = compare(gold, pv, case=False)
            total["pyvi"] = [a + b for a, b in zip(total["pyvi"], [*q, psecs])]
            line += f" {pct(q[0], q[1])} {pct(q[2], q[3])} {q[1] / psecs:7.0f} {crashes}"
        print(line)
        if args.errors:
            shown = 0
            for g_line, p_line in zip(gold.split("\n"), ours.split("\n")):
                for gw, pw in zip(words(g_line), words(p_line)):
                    if normalize_syllable(gw) != normalize_syllable(pw) and shown < args.errors:
                        print(f"    {gw!r:>16} -> {pw!r}")
                        shown += 1
    o, q = total["ours"], total["pyvi"]
    line = f"{'all':24} {o[1]:7d} | {pct(o[0], o[1])} {pct(o[2], o[3])} {o[1] / o[4]:8.0f} |"
    if q[1]:
        line += f" {pct(q[0], q[1])} {pct(q[2], q[3])} {q[1] / q[4]:7.0f}"
        line += f"\nspeed ratio ours/pyvi: {(o[1] / o[4]) / (q[1] / q[4]):.1f}x"
    print(line)
    print("ours: case-sensitive; pyvi: case-insensitive (it does not keep case); tok/s = word tokens per CPU second")
    ocr_seed_001(args.seeds)
    return 0


def ocr_seed_001(seeds: Path) -> None:
    """Seed 001 is real OCR output: score against the hand-corrected gold of its first lines."""
    gold_path = ROOT / "tests" / "gold" / "diacritics" / "001_gold.txt"
    paths = sorted(seeds.glob("001_*.txt"))
    if not paths or not gold_path.exists():
        return
    gold = gold_path.read_text(encoding="utf-8").rstrip("\n")
    source = paths[0].read_text(encoding="utf-8")
    out, secs = run_ours(source)
    pred = "\n".join(out.split("\n")[:len(gold.split("\n"))])
    ok, n, ok_m, n_m = compare(gold, pred, case=False)
    print(f"seed 001 (OCR) vs gold, {n} tokens: {pct(ok, n)} (marked {pct(ok_m, n_m)}), case-insensitive")


if __name__ == "__main__":
    raise SystemExit(main())
