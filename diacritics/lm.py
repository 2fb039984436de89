"""The syllable n-gram model written by diacritics.train, memory-mapped, scored in batches."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .table import HashedTable, pack


@dataclass
class PathScores:
    """Scores of every word choice in a chain of positions, given every choice before it.

    Position p holds n[p] alternative words. At a scored position, the choice d
    after history h (the choices of the order-1 positions before, as one index,
    oldest digit first) is scored `score[base[p] + h * n[p] + d]`. Its new history
    is `(h * n[p] + d) % hist_size[p]`, whose packed word ids are
    `hist_key[hist_base[p] + new history]` (distinct per distinct history words).
    """

    n: np.ndarray
    score: np.ndarray
    base: np.ndarray
    hist_base: np.ndarray
    hist_size: np.ndarray
    hist_key: np.ndarray
    sizes: list[np.ndarray]      # sizes[m][p]: choices of the m positions ending at p


class NgramLM:
    """Backoff n-gram model over token ids; `score` takes many (context, word) pairs at once."""

    def __init__(self, path: str | Path):
        path = Path(path)
        with open(path / "meta.json", encoding="utf-8") as f:
            self.meta = json.load(f)
        self.order = int(self.meta["params"]["order"])
        self.tokens: list[str] = []
        self.counts: list[int] = []
        with open(path / "vocab.tsv", encoding="utf-8") as f:
            for line in f:
                _, tok, count = line.rstrip("\n").split("\t")
                self.tokens.append(tok)
                self.counts.append(int(count))
        self.index = {t: i for i, t in enumerate(self.tokens)}
        sp = self.meta["special"]
        self.bos, self.eos, self.unk, self.num = sp["bos"], sp["eos"], sp["unk"], sp["num"]
        load = lambda name: np.asarray(np.load(path / name, mmap_mode="r"))  # noqa: E731
        self.p1 = np.array(load("p1.npy"), dtype=np.float64)
        self.b1 = np.array(load("b1.npy"), dtype=np.float64)
        bits = self.meta["bucket_bits"]
        self.tables = {n: HashedTable(load(f"f{n}.npy"), load(f"s{n}.npy"), int(bits[str(n)]))
                       for n in range(2, self.order + 1)}
        self.probs = {n: load(f"p{n}.npy") for n in range(2, self.order + 1)}
        self.bows = {n: load(f"b{n}.npy") for n in range(2, self.order)}
        self._cache: dict[int, float] = {}

    def id(self, token: str) -> int:
        return self.index.get(token, self.unk)

    CACHE_LIMIT = 500_000       # memoized scores kept per process (about 50 MB)

    def score(self, context: np.ndarray, word: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Natural-log P(word | context) for each query; contexts have order-1 columns, oldest first.

        With `rows`, query i has context `context[rows[i]]` (many words after one
        history, as in a beam step), and each context's backoff weights are looked up
        once. Scores are memoized per (context, word): plans repeat their phrases, so
        most queries of a document were already scored.
        """
        if rows is None:
            rows = np.arange(len(word))
        if len(word) < 64:
            return self._score(context, word, rows)
        key = pack([context[rows, j] for j in range(context.shape[1])] + [word])
        cache = self._cache
        get = cache.get
        values = [get(x) for x in key.tolist()]
        miss = [i for i, v in enumerate(values) if v is None]
        if miss:
            mi = np.array(miss, dtype=np.int64)
            uniq, first, inverse = np.unique(key[mi], return_index=True, return_inverse=True)
            fresh = self._score(context, word[mi[first]], rows[mi[first]])
            if len(cache) > self.CACHE_LIMIT:
                cache.clear()
            cache.update(zip(uniq.tolist(), fresh.tolist()))
            for i, v in zip(miss, fresh[inverse.ravel()].tolist()):
                values[i] = v
        return np.array(values, dtype=np.float64)

    def clear_cache(self) -> None:
        self._cache.clear()

    def _context_bows(self, context: np.ndarray) -> dict[int, np.ndarray]:
        """Log backoff weight of each context's last L words, for L = order-1 .. 1."""
        k = context.shape[1]
        cols = [context[:, j] for j in range(k)]
        out = {1: self.b1[cols[-1]]}
        for length in range(2, k + 1):
            idx, hit = self.tables[length].find(pack(cols[k - length:]))
            b = np.zeros(len(context))
            b[hit] = self.bows[length][idx[hit]]
            out[length] = b
        return out

    def _score(self, context: np.ndarray, word: np.ndarray, rows: np.ndarray) -> np.ndarray:
        m = len(word)
        result = np.zeros(m, dtype=np.float64)
        backoff = np.zeros(m, dtype=np.float64)
        k = context.shape[1]
        cols = [context[:, j] for j in range(k)]
        bows = self._context_bows(context) if m else {}
        todo = np.arange(m)
        for n in range(self.order, 1, -1):
            h = rows[todo]
            idx, hit = self.tables[n].find(pack([c[h] for c in cols[k - (n - 1):]] + [word[todo]]))
            done = todo[hit]
            result[done] = backoff[done] + self.probs[n][idx[hit]]
            todo = todo[~hit]
            if not len(todo):
                return result
            backoff[todo] += bows[n - 1][rows[todo]]
        result[todo] = backoff[todo] + self.p1[word[todo]]
        return result

    def path_scores(self, n: np.ndarray, ids: np.ndarray, rel: np.ndarray) -> PathScores:
        """`score` for every path through a chain of positions, in one batch of lookups.

        Positions hold n[p] word ids each (flat `ids`, in position order); `rel` is
        each position's index in its own sequence, whose first order-1 positions
        are the fixed context. Every n-gram over adjacent choices is looked up once,
        and scores add up in the order `_score` adds them, so they are the same numbers.
        """
        order, k = self.order, self.order - 1
        total = len(n)
        off = np.cumsum(n) - n
        sizes = [np.ones(total, dtype=np.int64), n.astype(np.int64)]
        for m in range(2, order + 1):
            shifted = np.ones(total, dtype=np.int64)
            shifted[m - 1:] = sizes[1][:max(total - (m - 1), 0)]
            sizes.append(sizes[m - 1] * shifted)
        found: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        for m in range(2, order + 1):
            where = np.flatnonzero(rel >= m - 1)
            size = sizes[m][where]
            base = np.zeros(total, dtype=np.int64)
            base[where] = np.cumsum(size) - size
            e = np.arange(int(size.sum())) - np.repeat(base[where], size)
            at = np.repeat(where, size)
            if m > 2:
                # an n-gram is stored only if its first n-1 words are (train.estimate checks it)
                p_base, _, p_hit, _ = found[m - 1]
                look = np.flatnonzero(p_hit[p_base[at - 1] + e // n[at]])
            else:
                look = np.arange(len(e))
            every = m == k     # the beam recombines on these keys: all of them are needed
            rest, at_l = (e, at) if every else (e[look], at[look])
            cols = []
            for i in range(m):
                cols.append(ids[off[at_l - i] + rest % n[at_l - i]])
                rest = rest // n[at_l - i]
            key = pack(cols[::-1])
            idx = np.zeros(len(e), dtype=np.int64)
            hit = np.zeros(len(e), dtype=bool)
            idx[look], hit[look] = self.tables[m].find(key[look] if every else key)
            found[m] = (base, idx, hit, key)
        base, _, _, _ = found[order]
        where = np.flatnonzero(rel >= k)
        size = sizes[order][where]
        e = np.arange(int(size.sum())) - np.repeat(base[where], size)
        at = np.repeat(where, size)
        count = len(e)
        result = np.zeros(count)
        backoff = np.zeros(count)
        todo = np.ones(count, dtype=bool)
        last = e % n[at]
        hist = e // n[at]
        for m in range(order, 1, -1):
            m_base, idx, hit, _ = found[m]
            j = m_base[at] + e % sizes[m][at]
            done = todo & hit[j]
            result[done] = backoff[done] + self.probs[m][idx[j[done]]]
            todo &= ~done
            if m > 2:
                c_base, c_idx, c_hit, _ = found[m - 1]
                jc = c_base[at - 1] + hist % sizes[m - 1][at - 1]
                b = np.zeros(count)
                hc = c_hit[jc]
                b[hc] = self.bows[m - 1][c_idx[jc[hc]]]
            else:
                b = self.b1[ids[off[at - 1] + hist % n[at - 1]]]
            backoff[todo] += b[todo]
        result[todo] = backoff[todo] + self.p1[ids[off[at] + last]][todo]
        if k == 1:     # a bigram model's history is the last word itself
            return PathScores(n, result, base, off, n.astype(np.int64), ids.astype(np.uint64), sizes)
        h_base, _, _, h_key = found[k]
        return PathScores(n, result, base, h_base, sizes[k], h_key, sizes)

    def bigram(self, prev: np.ndarray, word: np.ndarray) -> np.ndarray:
        """Natural-log P(word | prev) under the bigram part of the model (one lookup per row)."""
        idx, hit = self.tables[2].find(pack([prev, word]))
        out = self.b1[prev] + self.p1[word]
        out[hit] = self.probs[2][idx[hit]]
        return out
