"""Train the syllable n-gram model: interpolated modified Kneser-Ney, stored in backoff form.

The model directory holds memory-mappable .npy arrays (no pickles):
  vocab.tsv          id, token, training count (id = line number - 1)
  p1.npy, b1.npy     unigram log-prob and backoff weight (natural log, float32), indexed by id
  f{n}.npy, s{n}.npy hashed n-gram table: 32-bit fingerprints and bucket sizes (see table.py)
  p{n}.npy, b{n}.npy log-prob and backoff weight of each n-gram (float16), in table order
  meta.json          parameters, corpus digest, sizes
Training is deterministic: the same corpus and parameters give the same bytes.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from array import array
from collections import Counter
from pathlib import Path

import numpy as np

from .inventory import is_real_syllable, is_vietnamese_syllable
from .table import BITS, layout
from .tokens import _LM_TOKEN, BOS, EOS, NUM, SPECIALS, UNK, lm_form

DEFAULTS = {
    "order": 4,
    "holdout_every": 200,        # line numbers divisible by this are held out for evaluation
    "head_lines": 49245,         # provincial plans and decisions: the register of our inputs
    "head_weight": 1,            # how many times the head lines are counted
    "min_count_syllable": 2,     # vocabulary: Vietnamese syllables seen this often
    "min_count_other": 5,        # vocabulary: other words (abbreviations, names) seen this often
    "prune": {"2": 1, "3": 2, "4": 2},   # keep n-grams whose raw count is at least this
}


def is_heldout(line_no: int, every: int = DEFAULTS["holdout_every"]) -> bool:
    """Line numbers (1-based) held out of training for evaluation."""
    return line_no % every == 0


def open_text(path: str | Path):
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def training_lines(corpus_path, params=DEFAULTS):
    """Yield (line, weight) for the training part of the corpus."""
    with open_text(corpus_path) as f:
        for no, line in enumerate(f, 1):
            if is_heldout(no, params["holdout_every"]):
                continue
            yield line, (params["head_weight"] if no <= params["head_lines"] else 1)


def build_vocab(corpus_path, params) -> tuple[list[str], list[int], dict[str, int]]:
    """Vocabulary (ids sorted by count, then token) and a map from raw token to id."""
    raw_counts: Counter = Counter()
    for line, weight in training_lines(corpus_path, params):
        toks = _LM_TOKEN.findall(line)
        for _ in range(weight):
            raw_counts.update(toks)
    form_counts: Counter = Counter()
    raw_form = {}
    for raw, c in raw_counts.items():
        form = lm_form(raw)
        raw_form[raw] = form
        form_counts[form] += c
    keep = []
    for form, c in form_counts.items():
        if form in SPECIALS:
            continue
        if is_real_syllable(form):
            threshold = params["min_count_syllable"]
        elif is_vietnamese_syllable(form):
            continue   # a syllable that lost its marks (thuc, nguoi): noise in the corpus
        else:
            threshold = params["min_count_other"]
        if c >= threshold:
            keep.append((-c, form))
    keep.sort()
    limit = (1 << BITS) - len(SPECIALS)
    keep = keep[:limit]
    tokens = list(SPECIALS) + [f for _, f in keep]
    index = {t: i for i, t in enumerate(tokens)}
    counts = [0] * len(tokens)
    for form, c in form_counts.items():
        counts[index.get(form, index[UNK])] += c
    counts[index[BOS]] = counts[index[EOS]] = 0
    raw_id = {raw: index.get(form, index[UNK]) for raw, form in raw_form.items()}
    return tokens, counts, raw_id


def id_stream(corpus_path, params, raw_id: dict[str, int], bos: int, eos: int) -> np.ndarray:
    """All training lines as one id array, each line framed by <s> ... </s>."""
    out = array("H")
    for line, weight in training_lines(corpus_path, params):
        ids = [bos] + [raw_id[t] for t in _LM_TOKEN.findall(line)] + [eos]
        for _ in range(weight):
            out.extend(ids)
    return np.frombuffer(out, dtype=np.uint16).copy()


def ngram_keys(seq: np.ndarray, n: int, bos: int) -> np.ndarray:
    """Packed keys of every window of n ids that does not cross a line start."""
    m = len(seq) - n + 1
    key = np.zeros(m, dtype=np.uint64)
    for k in range(n):
        key = (key << np.uint64(BITS)) | seq[k:k + m].astype(np.uint64)
    is_bos = (seq == bos).astype(np.int32)
    csum = np.concatenate([[0], np.cumsum(is_bos)])
    inside = csum[n:n + m] - csum[1:1 + m]
    return key[inside == 0]


def _discounts(adj: np.ndarray) -> np.ndarray:
    """Modified Kneser-Ney discounts D(0..3) from the counts of counts (Chen & Goodman)."""
    n = [np.count_nonzero(adj == k) for k in (1, 2, 3, 4)]
    n = [max(x, 1) for x in n]
    y = n[0] / (n[0] + 2 * n[1])
    d = [0.0, 1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]]
    return np.array([max(0.0, min(x, k)) for k, x in enumerate(d)], dtype=np.float64)


def _lookup(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(keys, query)
    idx = np.minimum(idx, len(keys) - 1)
    if not np.all(keys[idx] == query):
        raise AssertionError("missing lower-order n-gram")
    return idx


def estimate(seq: np.ndarray, vocab_size: int, bos: int, params, log=print):
    """Keys, log-probs and backoff weights per order, pruned and renormalized."""
    order = params["order"]
    raw = {}
    for n in range(1, order + 1):
        keys, counts = np.unique(ngram_keys(seq, n, bos), return_counts=True)
        raw[n] = (keys, counts.astype(np.int64))
        log(f"  order {n}: {len(keys):,} n-grams")
    adj = {order: raw[order][1].astype(np.float64)}
    for n in range(order - 1, 0, -1):
        keys, counts = raw[n]
        suffix, cc = np.unique(raw[n + 1][0] & np.uint64((1 << (BITS * n)) - 1), return_counts=True)
        a = np.zeros(len(keys), dtype=np.float64)
        pos = np.searchsorted(suffix, keys)
        pos = np.minimum(pos, len(suffix) - 1)
        found = suffix[pos] == keys
        a[found] = cc[pos[found]]
        first = keys >> np.uint64(BITS * (n - 1))
        starts = first == bos
        a[starts] = counts[starts]
        adj[n] = a

    prob = {}
    # unigrams
    a = np.zeros(vocab_size, dtype=np.float64)
    a[raw[1][0].astype(np.int64)] = adj[1]
    a[bos] = 0
    d = _discounts(a[a > 0])
    disc = d[np.minimum(a, 3).astype(np.int64)]
    total = a.sum()
    gamma0 = disc[a > 0].sum() / total
    p1 = (a - disc) / total + gamma0 / (vocab_size - 1)
    p1[bos] = 1e-99
    prob[1] = (np.arange(vocab_size, dtype=np.uint64), p1)

    kept = {1: np.arange(vocab_size, dtype=np.uint64)}
    kept_p = {1: p1}
    full_keys, full_p = kept[1], p1
    bows = {}
    for n in range(2, order + 1):
        keys = raw[n][0]
        a = adj[n]
        d = _discounts(a)
        disc = d[np.minimum(a, 3).astype(np.int64)]
        ctx = keys >> np.uint64(BITS)
        starts = np.flatnonzero(np.concatenate([[True], ctx[1:] != ctx[:-1]]))
        denom = np.add.reduceat(a, starts)
        mass = np.add.reduceat(disc, starts)
        group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(keys))))
        gamma = mass / denom
        if n - 1 > 1:
            low = full_p[_lookup(full_keys, keys & np.uint64((1 << (BITS * (n - 1))) - 1))]
        else:
            low = full_p[(keys & np.uint64((1 << BITS) - 1)).astype(np.int64)]
        p = (a - disc) / denom[group] + gamma[group] * low
        full_keys, full_p = keys, p
        low_keys = kept[n - 1]
        keep = raw[n][1] >= params["prune"][str(n)]
        keys, p, low, group = keys[keep], p[keep], low[keep], group[keep]
        # renormalized backoff weight of each context that keeps at least one n-gram
        ctx = keys >> np.uint64(BITS)
        if len(keys):
            s = np.flatnonzero(np.concatenate([[True], ctx[1:] != ctx[:-1]]))
            num = 1.0 - np.add.reduceat(p, s)
            den = 1.0 - np.add.reduceat(low, s)
            bow = np.clip(num, 1e-12, None) / np.clip(den, 1e-12, None)
            ctx_keys = ctx[s]
        else:
            bow, ctx_keys = np.zeros(0), np.zeros(0, dtype=np.uint64)
        b = np.ones(len(low_keys), dtype=np.float64)
        if n - 1 > 1:
            b[_lookup(low_keys, ctx_keys)] = bow
        else:
            b[ctx_keys.astype(np.int64)] = bow
        bows[n - 1] = b
        kept[n], kept_p[n] = keys, p
        log(f"  order {n}: kept {len(keys):,}")
    bows[order] = None
    return kept, kept_p, bows


def _file_digest(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def train(corpus_path, out_path, params: dict | None = None, log=print) -> dict:
    """Train on `corpus_path` (text or .gz) and write the model directory `out_path`."""
    params = {**DEFAULTS, **(params or {})}
    if not 2 <= params["order"] <= 64 // BITS:
        raise ValueError(f"order must be 2..{64 // BITS}: n-grams are packed into 64-bit keys")
    t0 = time.time()
    out = Path(out_path)
    out.mkdir(parents=True, exist_ok=True)
    tokens, counts, raw_id = build_vocab(corpus_path, params)
    bos, eos = tokens.index(BOS), tokens.index(EOS)
    log(f"vocabulary: {len(tokens):,} tokens ({time.time() - t0:.0f}s)")
    seq = id_stream(corpus_path, params, raw_id, bos, eos)
    log(f"training stream: {len(seq):,} ids ({time.time() - t0:.0f}s)")
    keys, probs, bows = estimate(seq, len(tokens), bos, params, log)
    del seq
    with open(out / "vocab.tsv", "w", encoding="utf-8", newline="\n") as f:
        for i, (t, c) in enumerate(zip(tokens, counts)):
            f.write(f"{i}\t{t}\t{c}\n")
    np.save(out / "p1.npy", np.log(probs[1]).astype(np.float32))
    np.save(out / "b1.npy", np.log(bows[1]).astype(np.float32))
    bucket_bits = {}
    for n in range(2, params["order"] + 1):
        order, fp, sizes, bucket_bits[str(n)] = layout(keys[n])
        np.save(out / f"f{n}.npy", fp)
        np.save(out / f"s{n}.npy", sizes)
        np.save(out / f"p{n}.npy", np.log(probs[n][order]).astype(np.float16))
        if bows[n] is not None:
            np.save(out / f"b{n}.npy", np.log(bows[n][order]).astype(np.float16))
    meta = {
        "format": 2,
        "bucket_bits": bucket_bits,
        "params": params,
        "corpus_sha256": _file_digest(corpus_path),
        "vocab_size": len(tokens),
        "ngrams": {str(n): int(len(keys[n])) for n in keys},
        "special": {"bos": bos, "eos": eos, "unk": tokens.index(UNK), "num": tokens.index(NUM)},
    }
    with open(out / "meta.json", "w", encoding="utf-8", newline="\n") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    meta["seconds"] = round(time.time() - t0, 1)
    log(f"model written to {out} in {meta['seconds']}s")
    return meta


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m diacritics.train", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="UTF-8 text, one paragraph a line (.gz accepted)")
    ap.add_argument("--out", required=True, help="model directory to write")
    ap.add_argument("--order", type=int, default=DEFAULTS["order"])
    args = ap.parse_args(argv)
    train(args.corpus, args.out, {"order": args.order}, log=lambda m: print(m, file=sys.stderr))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
