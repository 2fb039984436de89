"""Hashed n-gram tables: 32-bit fingerprints grouped in buckets, probed with numpy.

An n-gram's ids are packed 16 bits each into a uint64 key; a 64-bit mixer
(splitmix64's finalizer) turns it into a hash whose top bits pick the bucket
and whose low 32 bits are stored as the fingerprint. Buckets hold about two
entries, so a lookup reads one or two array cells instead of a binary search;
two different n-grams are confused with probability 2^-32 per comparison.
"""
from __future__ import annotations

import sys

import numpy as np

BITS = 16
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
_WINDOW = np.arange(4)
# masks of a uint32's first one, two, three bytes in memory order
_BYTES = tuple(np.uint32(m) for m in ((0xFF, 0xFFFF, 0xFFFFFF) if sys.byteorder == "little"
                                     else (0xFF000000, 0xFFFF0000, 0xFFFFFF00)))


def pack(cols) -> np.ndarray:
    """uint64 keys from columns of ids, oldest first."""
    key = np.zeros(len(cols[0]), dtype=np.uint64)
    for c in cols:
        key = (key << np.uint64(BITS)) | np.asarray(c).astype(np.uint64)
    return key


def mix(key: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = key ^ (key >> np.uint64(30))
        h = h * _M1
        h ^= h >> np.uint64(27)
        h = h * _M2
        h ^= h >> np.uint64(31)
    return h


def bucket_bits(n_entries: int) -> int:
    return max(1, int(np.ceil(np.log2(max(n_entries, 2) / 2))))


def layout(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(order of entries, fingerprints in that order, bucket sizes, bucket bits) for sorted keys."""
    bits = bucket_bits(len(keys))
    h = mix(keys)
    bucket = (h >> np.uint64(64 - bits)).astype(np.int64)
    fp = (h & _LOW32).astype(np.uint32)
    order = np.lexsort((fp, bucket))
    sizes = np.bincount(bucket, minlength=1 << bits)
    if sizes.max() > 255:
        raise ValueError("bucket overflow")
    return order, fp[order], sizes.astype(np.uint8), bits


class HashedTable:
    """Lookup side of `layout`: row index of each key, and whether it was found."""

    def __init__(self, fingerprints: np.ndarray, sizes: np.ndarray, bits: int):
        self.size = len(fingerprints)
        # padded so that a window read past the last bucket stays inside the array
        self.fp = np.concatenate([fingerprints, np.zeros(len(_WINDOW), dtype=np.uint32)])
        self.bits = bits
        # bucket starts, summed in place in their final type (the sum never passes len(fingerprints)); the
        # sizes are cast first: a sum that casts as it goes takes twice as long (3.3 million buckets)
        self.start = np.zeros(len(sizes) + 1, dtype=np.int32 if len(fingerprints) < 2**31 else np.int64)
        self.start[1:] = sizes
        np.cumsum(self.start, out=self.start)

    def find(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = len(key)
        if m == 0 or self.size == 0:
            return np.zeros(m, dtype=np.int64), np.zeros(m, dtype=bool)
        h = mix(key)
        b = (h >> np.uint64(64 - self.bits)).astype(np.int64)
        fp = (h & _LOW32).astype(np.uint32)
        pos = self.start[b]
        # one gather of a fixed window covers almost every bucket (a window running into the
        # next bucket could match there only through a 32-bit fingerprint collision) ...
        eq = self.fp[pos[:, None] + _WINDOW] == fp[:, None]
        # the window's four matches as the bytes of one uint32: any match, and the first one
        v = eq.view(np.uint32).ravel()
        hit = v != 0
        idx = pos + ((v & _BYTES[0]) == 0) + ((v & _BYTES[1]) == 0) + ((v & _BYTES[2]) == 0)
        end = self.start[b + 1]
        # ... the rare longer buckets are walked on
        rows = np.flatnonzero(~hit & (end - pos > len(_WINDOW)))
        pos, end, fp = pos[rows] + len(_WINDOW), end[rows], fp[rows]
        while len(rows):
            live = pos < end
            rows, pos, end, fp = rows[live], pos[live], end[live], fp[live]
            if not len(rows):
                break
            eq = self.fp[pos] == fp
            idx[rows[eq]] = pos[eq]
            hit[rows[eq]] = True
            ne = ~eq
            rows, pos, end, fp = rows[ne], pos[ne] + 1, end[ne], fp[ne]
        return idx, hit
