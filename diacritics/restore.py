"""Restore lost or garbled Vietnamese marks: candidate lattice + n-gram LM + beam search.

Only word tokens change (see tokens.word_spans); every other character, the
line breaks and the case of the input are kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from pipeline.model import Restoration

from .channel import Candidate, CandSet, Channel
from .inventory import is_vietnamese_syllable
from .detect import Stats, document_mode, line_needs_restoration, stats, token_class
from .lm import NgramLM, PathScores
from .tokens import _LM_TOKEN, lm_form, word_parts

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_MODEL = DATA / "model"
BEAM = 4
CHANNEL_WEIGHT = 2.0          # channel costs vs LM; fitted on synthetic OCR noise (python -m diacritics.noise)
UNKNOWN_COST = 6.0            # keeping a token that is no known word when known words could replace it
CANDIDATE_MIN_SHARE = 0.002   # drop words this much rarer than the commonest of their spelling
PRUNE_MARGIN = 6.0            # nats below the best bigram path through a slot that a candidate may be
PRUNE_KEEP = 3                # candidates kept per slot by the bigram pass ...
PRUNE_KEEP_FREQUENT = 1       # ... plus this many of its commonest words
RESCORE_SPAN = 3              # words after a position that its confidence looks at
MAX_ALTERNATIVES = 4
KEEP = ("keep",)              # pieces of a candidate that is the observed token itself (checked by identity)


@dataclass
class RestoreResult:
    text: str
    changes: list[Restoration] = field(default_factory=list)
    restored: bool = False
    share: float = 0.0


def load_garbles(path: Path = DATA / "garbles.tsv") -> dict[str, list[tuple[str, float]]]:
    """Whole tokens OCR makes of a word, beyond what the letter channel explains."""
    out: dict[str, list[tuple[str, float]]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(("#", "observed\t")) or not line.strip():
                continue
            observed, word, cost = line.rstrip("\n").split("\t")[:3]
            out.setdefault(observed, []).append((word, float(cost)))
    return out


class Model:
    """The LM and the candidate channel over its vocabulary."""

    def __init__(self, path: str | Path = DEFAULT_MODEL):
        self.path = Path(path)
        self.lm = NgramLM(self.path)
        words = {t: i for i, t in enumerate(self.lm.tokens)
                 if t[:1].isalpha() and not t.startswith("<")}
        counts = dict(zip(self.lm.tokens, self.lm.counts))
        self.channel = Channel(words, counts=counts, min_share=CANDIDATE_MIN_SHARE)
        self.context = self.lm.order - 1
        self.fixed = lru_cache(maxsize=100_000)(self._fixed)
        self.known_garbles = load_garbles()
        self.candidates: dict[tuple[str, bool], dict[str, Reading]] = {}   # (mode, restore line) → token → reading
        self.gaps: dict[str, tuple] = {}     # memo of _gap_pieces

    def garbles(self, token: str) -> CandSet:
        """Whole-token garbles from data/garbles.tsv (s → số), as candidates."""
        found = self.known_garbles.get(token.lower(), ())
        return CandSet(tuple(Candidate(self.lm.id(w), cost, w) for w, cost in found if w in self.lm.index))

    def _fixed(self, token: str) -> Reading:
        return reading(CandSet((Candidate(self.lm.id(lm_form(token)), 0.0, token, KEEP),)), token)


class Reading(NamedTuple):
    """A token's candidates, ready for the lattice and for writing the chosen one."""

    cset: CandSet
    surfaces: tuple[str | None, ...]   # what each candidate writes in place of the token; None: it stays
    changes: tuple[bool, ...]          # surfaces[i] is not None
    ids: tuple[int, ...]
    costs: tuple[float, ...]
    n: int
    kind: str     # where a segment may end: s (. ; : ! ?), w (,), f (another lone candidate), x (several)


def reading(cset: CandSet, observed: str) -> Reading:
    """A token's candidates with what each would write in place of `observed`."""
    out = []
    for cand in cset.cands:
        surface = None if cand.pieces is KEEP else cand.surface(observed)
        out.append(None if surface == observed else surface)
    if cset.n > 1:
        kind = "x"
    else:
        word = cset.cands[0].word
        kind = "s" if word in SPLIT_STRONG else "w" if word in SPLIT_WEAK else "f"
    return Reading(cset, tuple(out), tuple(x is not None for x in out), cset.ids, cset.costs, cset.n, kind)


class Slots:
    """A document's lattice as columns (few objects for the garbage collector): slot i is
    characters start[i]..end[i] of its line, read as `reading[i]`; the slots of line l
    start at `line_first[l]`."""

    __slots__ = ("reading", "start", "end", "line_first")

    def __init__(self) -> None:
        self.reading: list[Reading] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.line_first: list[int] = []

    def __len__(self) -> int:
        return len(self.reading)


def _word_candidates(model: Model, token: str, mode: str, restore_line: bool,
                     code: bool = False) -> CandSet | None:
    """Candidates for a word token, or None when it stays as it is.

    `code`: the token is part of a code such as 08-CTr/TU or 58/NQ-HDND, where
    only abbreviations (HĐND, QĐ) may replace it, never syllables.
    """
    cls = token_class(token)
    if cls == "garbled" and mode != "ocr" and token.isascii() and token.isalnum():
        return None          # "m3", "CO2", "5G" in typed text are units and codes, not OCR garbles of "mã"
    if cls == "garbled" or (restore_line and mode == "ocr"):
        cands = model.channel.search(token).union(model.garbles(token))
    elif restore_line and cls in ("plain", "other"):
        cands = model.channel.stripped_candidates(token)
    else:
        return None
    if code:
        cands = cands.only(lambda c: not is_vietnamese_syllable(c.word))
    if not len(cands):
        return None
    if lm_form(token) not in model.lm.index:
        cands = cands.plus(Candidate(model.lm.unk, UNKNOWN_COST, token, KEEP))
    return cands


def slots(model: Model, line: str, mode: str, restore_line: bool,
          parts: list[str] | None = None, out: Slots | None = None) -> Slots:
    """The lattice of one line (added to `out`): fixed tokens and word tokens with their candidates.

    `parts`: the line's tokens.word_parts, computed when not given. Word tokens
    are read through a memo, so a line costs a few list operations and a loop
    over the marks and numbers between its words.
    """
    out = Slots() if out is None else out
    parts = word_parts(line) if parts is None else parts
    out.line_first.append(len(out.reading))
    words = parts[1::2]
    cum = list(accumulate(map(len, parts)))
    starts, ends = cum[0:-1:2], cum[1::2]
    memo = model.candidates.setdefault((mode, restore_line), {})
    if len(memo) > 200_000:
        memo.clear()
    found = list(map(memo.get, words))
    if "/" in line or "-" in line:
        for i in _code_words(line, starts, ends):
            token = words[i]
            found[i] = memo.get(token + CODE_MARK)
            if found[i] is None:
                cands = _word_candidates(model, token, mode, restore_line, True)
                found[i] = memo[token + CODE_MARK] = model.fixed(token) if cands is None else reading(cands, token)
    if None in found:
        for i, token in enumerate(words):
            if found[i] is None:
                cands = _word_candidates(model, token, mode, restore_line, False)
                found[i] = memo[token] = model.fixed(token) if cands is None else reading(cands, token)
    reads, starts_of, ends_of = out.reading, out.start, out.end
    gap_memo = model.gaps
    done = 0
    for k, gap in enumerate(parts[0::2]):
        if gap == " " or not gap or gap.isspace():
            continue
        reads.extend(found[done:k]), starts_of.extend(starts[done:k]), ends_of.extend(ends[done:k])
        done = k
        pieces = gap_memo.get(gap)
        if pieces is None:
            if len(gap_memo) > 100_000:
                gap_memo.clear()
            pieces = gap_memo[gap] = _gap_pieces(model, gap)
        base = cum[2 * k - 1] if k else 0
        for r, a, b in pieces:
            reads.append(r), starts_of.append(base + a), ends_of.append(base + b)
    reads.extend(found[done:]), starts_of.extend(starts[done:]), ends_of.extend(ends[done:])
    return out


def _gap_pieces(model: Model, gap: str) -> tuple[tuple[Reading, int, int], ...]:
    """The LM tokens (numbers, marks) between two words, as fixed slots at offsets into the gap."""
    return tuple((model.fixed(m.group()), m.start(), m.end()) for m in _LM_TOKEN.finditer(gap))


def _code_words(line: str, starts: list[int], ends: list[int]) -> list[int]:
    """Indices of the words of a line that are parts of codes (see _is_code)."""
    before = dict(zip(ends, range(len(ends))))
    after = dict(zip(starts, range(len(starts))))
    near = set()
    for m in _JOINER.finditer(line):
        j = m.start()
        if j in before:
            near.add(before[j])
        if j + 1 in after:
            near.add(after[j + 1])
    return [i for i in sorted(near) if _is_code(line, starts[i], ends[i])]


CODE_MARK = "\x00code"   # memo key suffix of a token read as part of a code


def _is_code(line: str, a: int, b: int) -> bool:
    """Is line[a:b] part of a code such as 08-CTr/TU or 58/NQ-HDND (not chỉ tiêu/tiêu chí)?"""
    if not ((a and line[a - 1] in CODE_JOINERS) or (b < len(line) and line[b] in CODE_JOINERS)):
        return False
    if sum(c.isupper() for c in line[a:b]) < 2:
        return False
    left = line[max(0, a - 4):a - 1] if a >= 2 and line[a - 1] in CODE_JOINERS else ""
    right = line[b + 1:b + 4] if b + 1 < len(line) and line[b] in CODE_JOINERS else ""
    return any(c.isdigit() or c.isupper() for c in left + right)


def paragraphs(lines: list[str]) -> list[list[int]]:
    """Group line numbers into paragraphs: a line continues the previous one when that one
    does not end a sentence and it does not open an item (-, +, 1., a), II.).

    OCR and PDF text wrap lines inside sentences; decoding a paragraph as one
    sequence gives the words at line ends their context.
    """
    groups: list[list[int]] = []
    prev_open = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and prev_open and not _ITEM_START.match(stripped):
            groups[-1].append(i)
        else:
            groups.append([i])
        prev_open = bool(stripped) and stripped[-1] not in SENTENCE_END
    return groups


CODE_JOINERS = frozenset("/-")   # inside codes: 08-CTr/TU, 58/NQ-HĐND
_JOINER = re.compile("[/-]")
SENTENCE_END = frozenset(".:;!?")
_ITEM_START = re.compile(r"([-+•*–]|([0-9]+|[IVXLCivxlc]+|[a-zđ])[.)/])(\s|$)")
NO_WORD = 0xFFFF     # an id in no n-gram: context before a segment that starts mid-line
SPLIT_STRONG = frozenset(".;:!?")
SPLIT_WEAK = frozenset(",")
MIN_SEGMENT = 8      # slots before a segment may end at . ; : ! ?
MAX_SEGMENT = 32     # slots before a segment may end at a comma
HARD_SEGMENT = 48    # slots before a segment ends at any fixed token (number, abbreviation, mark)
MAX_WINDOW = 200     # slots after which a segment is cut even between two ambiguous words (a long line
                     # without punctuation): the decoder's work and memory per segment stay bounded
BATCH_WEIGHT = 500_000     # decoded at once: candidate pairs of adjacent slots + SLOT_WEIGHT per slot (~50 MB)
SLOT_WEIGHT = 64           # a slot's share of the path scores, whatever its candidates (pruned to a few)


@dataclass
class Segment:
    """A run of slots decoded as one sequence: a paragraph, or a part of a long one."""

    line: int
    lo: int                    # its slots are lo .. hi-1 of the document's Slots
    hi: int
    ctx: tuple[int, ...]       # LM history before the first slot
    final: bool                # the paragraph ends here (score </s>)


def segments(model: Model, line: int, cols: Slots, lo: int, hi: int) -> list[Segment]:
    """Cut a paragraph's slots lo .. hi-1 after sentence punctuation, so paragraphs decode
    in parallel steps. The next part starts from the punctuation mark alone as LM context.
    """
    k = model.context
    out: list[Segment] = []
    start, ctx = lo, (model.lm.bos,) * k
    kinds = "".join(map(_KIND, cols.reading[lo:hi]))
    last = hi - lo - 1       # the last slot never ends a segment early
    while True:
        first = start - lo
        forced = first + MAX_WINDOW - 1       # where a segment with no earlier end is cut
        limit = min(last, forced + 1)         # no need to look further (a long line stays linear)
        ends = [kinds.find("s", first + MIN_SEGMENT - 1, limit), kinds.find("w", first + MAX_SEGMENT - 1, limit)]
        hard = _LONE.search(kinds, first + HARD_SEGMENT - 1, limit)
        ends = [t for t in ends + [hard.start() if hard else -1] if t >= 0]
        if not ends and forced < last:
            t = lo + forced
            out.append(Segment(line, start, t + 1, ctx, False))
            start, ctx = t + 1, (NO_WORD,) * (k - 1) + (model.lm.unk,)    # the word before is not known yet
            continue
        if not ends:
            break
        t = lo + min(ends)
        out.append(Segment(line, start, t + 1, ctx, False))
        start, ctx = t + 1, (NO_WORD,) * (k - 1) + (cols.reading[t].ids[0],)
    out.append(Segment(line, start, hi, ctx, True))
    return out


_LONE = re.compile("[swf]")


_N, _IDS, _COSTS, _CHANGES, _SURFACES, _KIND = (itemgetter(Reading._fields.index(f))
                                                for f in ("n", "ids", "costs", "changes", "surfaces", "kind"))


class Lattice:
    """All segments' candidates as flat arrays: slot g owns entries off[g] .. off[g] + n[g].

    Slot g is slot `index[g]` of the document's Slots `cols`.
    """

    def __init__(self, segs: list[Segment], cols: Slots | None = None):
        segs = [seg for seg in segs if seg.hi > seg.lo]
        self.segs = segs
        self.cols = cols = Slots() if cols is None else cols
        lo = np.fromiter((seg.lo for seg in segs), dtype=np.int64, count=len(segs))
        self.seg_len = np.fromiter((seg.hi - seg.lo for seg in segs), dtype=np.int64, count=len(segs))
        self.seg_start = np.cumsum(self.seg_len) - self.seg_len
        count = int(self.seg_len.sum())
        self.index = np.arange(count) + np.repeat(lo - self.seg_start, self.seg_len)   # slot in cols
        reads = list(chain.from_iterable(cols.reading[seg.lo:seg.hi] for seg in segs))
        self.n = np.fromiter(map(_N, reads), dtype=np.int64, count=count)
        self.off = np.cumsum(self.n) - self.n
        total = int(self.n.sum())
        self.cid = np.fromiter(chain.from_iterable(map(_IDS, reads)), dtype=np.int64, count=total)
        self.cost = CHANNEL_WEIGHT * np.fromiter(chain.from_iterable(map(_COSTS, reads)),
                                                 dtype=np.float64, count=total)
        self.changes = np.fromiter(chain.from_iterable(map(_CHANGES, reads)), dtype=bool, count=total)
        self.local = np.arange(total) - np.repeat(self.off, self.n)   # index in the slot's CandSet
        self.pos = np.arange(count) - np.repeat(self.seg_start, self.seg_len)   # slot index in its segment
        self.last = self.pos == np.repeat(self.seg_len - 1, self.seg_len)
        self.final = np.repeat(np.fromiter((seg.final for seg in segs), dtype=bool, count=len(segs)),
                               self.seg_len)

    def keep(self, mask: np.ndarray) -> None:
        self.n = np.add.reduceat(mask.astype(np.int64), self.off) if len(mask) else self.n
        self.cid, self.cost, self.local = self.cid[mask], self.cost[mask], self.local[mask]
        self.changes = self.changes[mask]
        self.off = np.cumsum(self.n) - self.n


def prune(model: Model, lat: Lattice, margin: float | None = None, keep_max: int | None = None) -> None:
    """Drop candidates that no path through them makes plausible under the bigram model.

    Forward and backward max-product passes give each candidate the score of the
    best bigram path through it; candidates more than `margin` nats below the best
    of their slot (or beyond the `keep_max` best) leave the lattice, so the 4-gram
    beam search spends its lookups and its beam on real contenders. The commonest
    word of each slot stays too: a bigram can be too short-sighted to rank it.
    """
    margin = PRUNE_MARGIN if margin is None else margin
    keep_max = PRUNE_KEEP if keep_max is None else keep_max
    lm, n, off, cid, cost = model.lm, lat.n, lat.off, lat.cid, lat.cost
    if not len(n) or n.max() == 1:
        return
    total = len(cid)
    cslot = np.repeat(np.arange(len(n)), n)
    pos = lat.pos
    gs = np.flatnonzero(~lat.last)
    cnt = n[gs] * n[gs + 1]
    pg = np.repeat(gs, cnt)
    r = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    i = off[pg] + r // n[pg + 1]
    j = off[pg + 1] + r % n[pg + 1]
    sp = lm.bigram(cid[i], cid[j]) - cost[j]
    ppos = pos[pg]
    order = np.argsort(ppos, kind="stable")
    i, j, sp, ppos = i[order], j[order], sp[order], ppos[order]
    top = int(pos.max())
    bounds = np.searchsorted(ppos, np.arange(top + 2))
    first = np.flatnonzero(pos[cslot] == 0)
    prev = np.array([seg.ctx[-1] for seg in lat.segs], dtype=np.int64)
    seg_of_first = np.repeat(np.arange(len(lat.segs)), n[lat.seg_start])
    alpha = np.full(total, -np.inf)
    alpha[first] = lm.bigram(prev[seg_of_first], cid[first]) - cost[first]
    for p in range(top):
        a, b = bounds[p], bounds[p + 1]
        np.maximum.at(alpha, j[a:b], alpha[i[a:b]] + sp[a:b])
    beta = np.full(total, -np.inf)
    ends = lat.last[cslot]
    fin = lat.final[cslot][ends]
    beta[ends] = np.where(fin, lm.bigram(cid[ends], np.full(int(ends.sum()), lm.eos)), 0.0)
    for p in range(top - 1, -1, -1):
        a, b = bounds[p], bounds[p + 1]
        np.maximum.at(beta, i[a:b], sp[a:b] + beta[j[a:b]])
    mm = alpha + beta
    best = np.repeat(np.maximum.reduceat(mm, off), n)
    lat.keep((_top(mm, cslot, off, keep_max) | _top(lm.p1[cid] - cost, cslot, off, PRUNE_KEEP_FREQUENT))
             & (mm >= best - margin))


def _top(score: np.ndarray, cslot: np.ndarray, off: np.ndarray, k: int) -> np.ndarray:
    """Entries among the k best of their slot (equal scores: the earlier entry first)."""
    total = len(score)
    taken = np.zeros(total, dtype=bool)
    index = np.arange(total)
    for _ in range(k):
        masked = np.where(taken, -np.inf, score)
        best = np.maximum.reduceat(masked, off)
        first = np.minimum.reduceat(np.where((masked == best[cslot]) & ~taken, index, total), off)
        first = first[first < total]
        if not len(first):
            break
        taken[first] = True
    return taken


@dataclass
class Chain:
    """The pruned lattice as one chain of positions per segment, scored for every path.

    A segment's positions are its LM context (one word each), its slots and, when
    it ends a line, </s>; slot g sits at position `pos[g]`.
    """

    pos: np.ndarray            # position of each slot
    last: np.ndarray           # last position of each segment (its </s> when final)
    paths: PathScores


def build_chain(model: Model, lat: Lattice) -> Chain:
    """The lattice's chain of positions, with every path through it scored in one batch."""
    lm, k = model.lm, model.context
    segs = lat.segs
    fins = np.fromiter((seg.final for seg in segs), dtype=np.int64, count=len(segs))
    length = k + lat.seg_len + fins
    start = np.cumsum(length) - length
    rel = np.arange(int(length.sum())) - np.repeat(start, length)
    seg_of = np.repeat(np.arange(len(segs)), lat.seg_len)
    pos = start[seg_of] + k + lat.pos
    n = np.ones(len(rel), dtype=np.int64)
    n[pos] = lat.n
    off = np.cumsum(n) - n
    ids = np.empty(int(n.sum()), dtype=np.int64)
    ctx = np.array([seg.ctx for seg in segs], dtype=np.int64).reshape(len(segs), k)
    ids[off[start[:, None] + np.arange(k)]] = ctx
    last = start + length - 1
    ids[off[last[fins.astype(bool)]]] = lm.eos
    ids[np.repeat(off[pos], lat.n) + np.arange(len(lat.cid)) - np.repeat(lat.off, lat.n)] = lat.cid
    return Chain(pos, last, lm.path_scores(n, ids, rel))


def beam_search(model: Model, lat: Lattice, ch: Chain | None = None, beam: int | None = None) -> np.ndarray:
    """Chosen entry (index into the lattice arrays) of every slot: best LM + channel score.

    Segments advance in lockstep, longest first; every score comes from the
    chain's precomputed path scores, so a step is a few array operations.
    Hypotheses are recombined on their last order-1 words.
    """
    beam = BEAM if beam is None else beam
    ch = build_chain(model, lat) if ch is None else ch
    ps = ch.paths
    chosen = lat.off.copy()
    order = np.argsort(-lat.seg_len, kind="stable")
    order = order[lat.seg_len[order] > 0]
    lens = lat.seg_len[order]
    starts = lat.seg_start[order]
    n_seg = len(order)
    if not n_seg:
        return chosen
    finals = np.fromiter((lat.segs[i].final for i in order), dtype=bool, count=n_seg)
    eos_at = ch.last[order]
    hist = np.zeros(n_seg, dtype=np.int64)
    score = np.zeros(n_seg)
    line_of = np.arange(n_seg)
    back: list[tuple[np.ndarray, np.ndarray]] = []
    best_end = np.zeros(n_seg, dtype=np.int64)

    def finish(lines_from: int, lines_to: int) -> None:
        """Best last hypothesis (</s> scored) of the lines that end at this step."""
        cut = int(np.searchsorted(line_of, lines_from))
        final = score[cut:].copy()
        lines = line_of[cut:]
        ends = finals[lines]
        if ends.any():
            at = eos_at[lines[ends]]
            final[ends] += ps.score[ps.base[at] + hist[cut:][ends]]
        o = np.lexsort((-final, lines))
        best_end[lines_from:lines_to] = cut + o[np.searchsorted(lines[o], np.arange(lines_from, lines_to))]

    active = n_seg
    for t in range(int(lens[0])):
        now = int(np.count_nonzero(lens > t))
        if now < active:
            finish(now, active)
            cut = int(np.searchsorted(line_of, now))
            hist, score, line_of = hist[:cut], score[:cut], line_of[:cut]
            active = now
        g = starts[:active] + t
        n_c = lat.n[g]
        c_start = lat.off[g]
        at = ch.pos[g]
        if n_c.max() == 1 and len(score) == active:
            score = score + ps.score[ps.base[at] + hist] - lat.cost[c_start]
            hist = hist % ps.hist_size[at]
            back.append((np.arange(active), c_start))
            continue
        # every hypothesis (grouped by line) followed by each candidate of its line's slot
        reps = n_c[line_of]
        h = np.repeat(np.arange(len(line_of)), reps)
        d = np.arange(len(h)) - np.repeat(np.cumsum(reps) - reps, reps)
        row_line = line_of[h]
        c = c_start[row_line] + d
        at_row = at[row_line]
        q = (hist * reps)[h] + d
        s = score[h] + ps.score[ps.base[at_row] + q] - lat.cost[c]
        new = q % ps.hist_size[at_row]
        key = ps.hist_key[ps.hist_base[at_row] + new]
        keep = _recombine(row_line, key, s, beam)
        back.append((h[keep], c[keep]))
        hist, score, line_of = new[keep], s[keep], row_line[keep]
    if active:
        finish(0, active)
    g = np.zeros(n_seg, dtype=np.int64)
    for t in range(int(lens[0]) - 1, -1, -1):
        running = int(np.count_nonzero(lens > t))
        ending = int(np.count_nonzero(lens > t + 1))
        g[ending:running] = best_end[ending:running]
        prev, cand = back[t]
        chosen[starts[:running] + t] = cand[g[:running]]
        g[:running] = prev[g[:running]]
    return chosen


def _recombine(line: np.ndarray, key: np.ndarray, score: np.ndarray, beam: int) -> np.ndarray:
    """The hypotheses kept: the best of each (line, key) group, then each line's `beam` best,
    ordered by line, score (best first) and key; equal scores go to the earlier row.

    `line` is sorted. Keys are 48-bit histories, so line and key pack into one integer
    (sorted fast) when there are fewer than 2^16 lines.
    """
    if len(line) and line[-1] < 1 << 16:
        order = np.argsort((line.astype(np.uint64) << np.uint64(48)) | key, kind="stable")
    else:
        order = np.lexsort((key, line))
    lo, ko, so = line[order], key[order], score[order]
    size = len(order)
    new = np.ones(size, dtype=bool)
    new[1:] = (lo[1:] != lo[:-1]) | (ko[1:] != ko[:-1])
    group = np.flatnonzero(new)
    top = np.repeat(np.maximum.reduceat(so, group), np.diff(np.append(group, size)))
    u = order[np.minimum.reduceat(np.where(so == top, np.arange(size), size), group)]
    u = u[np.lexsort((-score[u], line[u]))]
    lu = line[u]
    return u[np.arange(len(u)) - np.searchsorted(lu, lu) < beam]


def confidences(model: Model, lat: Lattice, chosen: np.ndarray, ch: Chain | None = None) -> np.ndarray:
    """Posterior of every lattice entry given the chosen words around its slot (1 for lone entries)."""
    ch = build_chain(model, lat) if ch is None else ch
    ps, order = ch.paths, model.lm.order
    total = len(lat.cid)
    probs = np.ones(total)
    amb = np.flatnonzero(lat.n > 1)
    if not len(amb):
        return probs
    # the chosen path's score index at every position, then each entry's change of it
    picked = np.zeros(len(ps.n), dtype=np.int64)
    picked[ch.pos] = chosen - lat.off
    path_index = np.zeros(len(ps.n), dtype=np.int64)
    for i in range(min(order, len(picked))):
        path_index[i:] += picked[:len(picked) - i] * ps.sizes[i][i:]
    seg_of = np.repeat(np.arange(len(lat.segs)), lat.seg_len)
    reps = lat.n[amb]
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    entry = np.repeat(lat.off[amb], reps) + within
    slot = np.repeat(amb, reps)
    at = ch.pos[slot]
    delta = within - picked[at]
    end = ch.last[seg_of[slot]]
    sc = -lat.cost[entry]
    for j in range(RESCORE_SPAN + 1):
        v = np.flatnonzero(at + j <= end)
        if not len(v):
            break
        x = at[v] + j
        shift = delta[v] * ps.sizes[j][x] if j < order else 0
        sc[v] += ps.score[ps.base[x] + path_index[x] + shift]
    starts = np.cumsum(reps) - reps
    sc -= np.repeat(np.maximum.reduceat(sc, starts), reps)
    p = np.exp(sc)
    p /= np.repeat(np.add.reduceat(p, starts), reps)
    probs[entry] = p
    return probs


def restore_text(model: Model, text: str) -> RestoreResult:
    """Restore `text`; see diacritics.restore for the contract.

    Segments are decoded independently, so they are decoded a batch at a time (`batches`): the
    lattice's memory is bounded by BATCH_WEIGHT, not by the length of the document or of a line."""
    lines = text.split("\n")
    doc, cols, segs = document_segments(model, lines)
    line_offset = [0, *accumulate(len(line) + 1 for line in lines)]
    found: list[tuple] = []
    for batch in batches(cols, segs):
        lat = Lattice(batch, cols)
        prune(model, lat)
        ch = build_chain(model, lat)
        chosen = beam_search(model, lat, ch)
        probs = confidences(model, lat, chosen, ch)
        found.extend(replacements(line_offset, lat, chosen, probs))
        del lat, ch, chosen, probs
    out, changes = apply_replacements(text, found)
    n_words = doc.syllables + doc.garbled
    share = len(changes) / n_words if n_words else 0.0
    return RestoreResult(out, changes, bool(changes), round(min(share, 1.0), 4))


def batches(cols: Slots, segs: list[Segment], budget: int = BATCH_WEIGHT) -> list[list[Segment]]:
    """Consecutive segments grouped so that a group's weight (candidate pairs, what prune holds, and
    SLOT_WEIGHT per slot, what the path scores hold) stays under `budget`; a segment is never split."""
    out: list[list[Segment]] = []
    cur, weight = [], 0
    for seg in segs:
        ns = [r.n for r in cols.reading[seg.lo:seg.hi]]
        w = sum(a * b for a, b in zip(ns, ns[1:])) + SLOT_WEIGHT * len(ns)
        if cur and weight + w > budget:
            out.append(cur)
            cur, weight = [], 0
        cur.append(seg)
        weight += w
    if cur or not out:
        out.append(cur)
    return out


def document_segments(model: Model, lines: list[str]) -> tuple[Stats, Slots, list[Segment]]:
    """The document's token statistics, its slots, and the segments of its paragraphs that may change."""
    line_parts = list(map(word_parts, lines))
    line_stats = [stats(line, parts[1::2]) for line, parts in zip(lines, line_parts)]
    doc = Stats()
    for st in line_stats:
        doc.merge(st)
    mode = document_mode(doc)
    restore = [line_needs_restoration(st, mode) for st in line_stats]
    cols = Slots()
    segs: list[Segment] = []
    for group in paragraphs(lines):
        if not any(restore[li] or line_stats[li].garbled for li in group):
            # no word of the paragraph has candidates (_word_candidates): nothing in it can change
            cols.line_first.extend([len(cols)] * len(group))
            continue
        lo = len(cols)
        for li in group:
            slots(model, lines[li], mode, restore[li], line_parts[li], cols)
        if any(map(any, map(_CHANGES, cols.reading[lo:]))):
            segs.extend(segments(model, group[0], cols, lo, len(cols)))
    return doc, cols, segs


def round4(x: np.ndarray) -> list[float]:
    """round(v, 4) of every value (numpy's rounding, with Python's where the two could differ)."""
    scaled = x * 1e4
    out = (np.rint(scaled) / 1e4).tolist()
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        out[i] = round(float(x[i]), 4)
    return out


def edits(text: str, lines: list[str], lat: Lattice, chosen: np.ndarray,
          probs: np.ndarray) -> tuple[str, list[Restoration]]:
    """The restored text, and the chosen entries that change their token with offsets into it."""
    line_offset = [0, *accumulate(len(line) + 1 for line in lines)]
    return apply_replacements(text, replacements(line_offset, lat, chosen, probs))


def apply_replacements(text: str, found: list[tuple]) -> tuple[str, list[Restoration]]:
    """The text with every (start, end, surface, confidence, alternatives) of `found` (in text order)
    written in, and the changes with offsets into the new text."""
    pieces: list[str] = []
    out: list[Restoration] = []
    done = shift = 0
    for a, b, surface, p, alts in found:
        pieces.append(text[done:a])
        pieces.append(surface)
        done = b
        start = a + shift
        out.append(Restoration(start, start + len(surface), text[a:b], surface, p, alts))
        shift += len(surface) - (b - a)
    if not out:
        return text, out
    pieces.append(text[done:])
    return "".join(pieces), out


def replacements(line_offset: list[int], lat: Lattice, chosen: np.ndarray, probs: np.ndarray) -> list[tuple]:
    """The chosen entries that change their token: (start, end) in the text, the new surface, its
    confidence and its alternatives (the other readings of its slot the decoder weighed, likeliest first)."""
    changed = np.flatnonzero(lat.changes[chosen])
    out: list[tuple] = []
    if not len(changed):
        return out
    entry_slot = np.repeat(np.arange(len(lat.n)), lat.n)
    ranked = lat.local[np.lexsort((-probs, entry_slot))].tolist()   # each slot's readings, likeliest first
    picked = chosen[changed]
    cols, index = lat.cols, lat.index[changed].tolist()
    at = [line_offset[li] for li in (np.searchsorted(cols.line_first, index, side="right") - 1).tolist()]
    reads = itemgetter(*index)(cols.reading) if len(index) > 1 else (cols.reading[index[0]],)
    starts, ends = cols.start, cols.end
    for surfs, i, base, pick, first, n, p in zip(map(_SURFACES, reads), index, at, lat.local[picked].tolist(),
                                                 lat.off[changed].tolist(), lat.n[changed].tolist(),
                                                 round4(probs[picked])):
        surface = surfs[pick]
        alts: list[str] = []
        if n > 1:
            for other in ranked[first:first + n]:
                alt = surfs[other]
                if other != pick and alt is not None and alt != surface and alt not in alts:
                    alts.append(alt)
            del alts[MAX_ALTERNATIVES:]
        out.append((base + starts[i], base + ends[i], surface, p, alts))
    return out
