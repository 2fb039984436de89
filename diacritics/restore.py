"""Restore lost or garbled Vietnamese marks: candidate lattice + n-gram LM + beam search.

Only word tokens change (see tokens.word_spans); every other character, the
line breaks and the case of the input are kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

from pipeline.model import Restoration

from .channel import Candidate, CandSet, Channel
from .inventory import is_vietnamese_syllable
from .detect import Stats, document_mode, line_needs_restoration, stats, token_class
from .lm import NgramLM, PathScores
from .tokens import _LM_TOKEN, lm_form, word_spans

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
        self.candidates: dict[tuple, tuple[CandSet, tuple]] = {}   # memo of word_slot_candidates

    def garbles(self, token: str) -> CandSet:
        """Whole-token garbles from data/garbles.tsv (s → số), as candidates."""
        found = self.known_garbles.get(token.lower(), ())
        return CandSet(tuple(Candidate(self.lm.id(w), cost, w) for w, cost in found if w in self.lm.index))

    def _fixed(self, token: str) -> tuple[CandSet, tuple]:
        return CandSet((Candidate(self.lm.id(lm_form(token)), 0.0, token, KEEP),)), UNCHANGED


UNCHANGED = (None,)


def surfaces(cset: CandSet, observed: str) -> tuple[str | None, ...]:
    """Each candidate written as it would replace `observed`; None where the token stays as it is."""
    out = []
    for cand in cset.cands:
        surface = None if cand.pieces is KEEP else cand.surface(observed)
        out.append(None if surface == observed else surface)
    return tuple(out)


@dataclass(slots=True)
class Slot:
    line: int
    start: int
    end: int
    token: str
    cset: CandSet
    surfaces: tuple[str | None, ...]    # what each candidate writes, None: the token stays


def _word_candidates(model: Model, token: str, mode: str, restore_line: bool,
                     code: bool = False) -> CandSet | None:
    """Candidates for a word token, or None when it stays as it is.

    `code`: the token is part of a code such as 08-CTr/TU or 58/NQ-HDND, where
    only abbreviations (HĐND, QĐ) may replace it, never syllables.
    """
    cls = token_class(token)
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


def slots(model: Model, line: str, mode: str, restore_line: bool, line_no: int = 0,
          spans: list[tuple[int, int]] | None = None) -> list[Slot]:
    """The lattice of one line: fixed tokens and word tokens with their candidates."""
    out: list[Slot] = []
    append = out.append
    fixed, memo = model.fixed, model.candidates
    pos = 0
    for a, b in chain(word_spans(line) if spans is None else spans, [(len(line), len(line))]):
        if a > pos + 1 or (a == pos + 1 and not line[pos].isspace()):
            for m in _LM_TOKEN.finditer(line, pos, a):
                append(Slot(line_no, m.start(), m.end(), m.group(), *fixed(m.group())))
        if a == b:
            break
        token = line[a:b]
        key = (token, mode, restore_line, _is_code(line, a, b))
        found = memo.get(key)
        if found is None:
            if len(memo) > 200_000:
                memo.clear()
            cands = _word_candidates(model, token, mode, restore_line, key[3])
            found = memo[key] = fixed(token) if cands is None else (cands, surfaces(cands, token))
        append(Slot(line_no, a, b, token, *found))
        pos = b
    return out


def _is_code(line: str, a: int, b: int) -> bool:
    """Is line[a:b] part of a code such as 08-CTr/TU or 58/NQ-HDND (not chỉ tiêu/tiêu chí)?"""
    if not ((a and line[a - 1] in CODE_JOINERS) or (b < len(line) and line[b] in CODE_JOINERS)):
        return False
    if sum(c.isupper() for c in line[a:b]) < 2:
        return False
    left = line[a - 2] if a >= 2 and line[a - 1] in CODE_JOINERS else ""
    right = line[b + 1] if b + 1 < len(line) and line[b] in CODE_JOINERS else ""
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
SENTENCE_END = frozenset(".:;!?")
_ITEM_START = re.compile(r"([-+•*–]|([0-9]+|[IVXLCivxlc]+|[a-zđ])[.)/])(\s|$)")
NO_WORD = 0xFFFF     # an id in no n-gram: context before a segment that starts mid-line
SPLIT_STRONG = frozenset(".;:!?")
SPLIT_WEAK = frozenset(",")
MIN_SEGMENT = 8      # slots before a segment may end at . ; : ! ?
MAX_SEGMENT = 32     # slots before a segment may end at a comma
HARD_SEGMENT = 48    # slots before a segment ends at any fixed token (number, abbreviation, mark)


@dataclass
class Segment:
    """A run of slots decoded as one sequence: a line, or a part of a long line."""

    line: int
    first: int                 # index of its first slot in the line's lattice
    slots: list[Slot]
    ctx: tuple[int, ...]       # LM history before the first slot
    final: bool                # the line ends here (score </s>)


def segments(model: Model, line: int, lattice: list[Slot]) -> list[Segment]:
    """Cut a paragraph's lattice after sentence punctuation, so paragraphs decode in parallel steps.

    The next part starts from the punctuation mark alone as LM context.
    """
    k = model.context
    out: list[Segment] = []
    start, ctx = 0, (model.lm.bos,) * k
    for t, slot in enumerate(lattice):
        n = t + 1 - start
        tok = slot.token
        if t + 1 < len(lattice) and slot.cset.n == 1 and (
                (n >= MIN_SEGMENT and tok in SPLIT_STRONG) or (n >= MAX_SEGMENT and tok in SPLIT_WEAK)
                or n >= HARD_SEGMENT):
            out.append(Segment(line, start, lattice[start:t + 1], ctx, False))
            start, ctx = t + 1, (NO_WORD,) * (k - 1) + (slot.cset.ids[0],)
    out.append(Segment(line, start, lattice[start:], ctx, True))
    return out


class Lattice:
    """All segments' candidates as flat arrays: slot g owns entries off[g] .. off[g] + n[g]."""

    def __init__(self, segs: list[Segment]):
        segs = [seg for seg in segs if seg.slots]
        self.segs = segs
        self.slots = [slot for seg in segs for slot in seg.slots]
        count = len(self.slots)
        self.seg_len = np.fromiter((len(seg.slots) for seg in segs), dtype=np.int64, count=len(segs))
        self.seg_start = np.cumsum(self.seg_len) - self.seg_len
        self.n = np.fromiter((slot.cset.n for slot in self.slots), dtype=np.int64, count=count)
        self.off = np.cumsum(self.n) - self.n
        total = int(self.n.sum())
        self.cid = np.fromiter(chain.from_iterable(slot.cset.ids for slot in self.slots),
                               dtype=np.int64, count=total)
        self.cost = CHANNEL_WEIGHT * np.fromiter(chain.from_iterable(slot.cset.costs for slot in self.slots),
                                                 dtype=np.float64, count=total)
        self.changes = np.fromiter((x is not None for x in chain.from_iterable(slot.surfaces for slot in self.slots)),
                                   dtype=bool, count=total)   # the entry would change its token
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
    lat.keep(((_rank(mm, cslot, off) < keep_max) | (_rank(lm.p1[cid] - cost, cslot, off) < PRUNE_KEEP_FREQUENT))
             & (mm >= best - margin))


def _rank(score: np.ndarray, cslot: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Rank of each entry within its slot, best score first."""
    order = np.lexsort((-score, cslot))
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(len(score)) - off[cslot[order]]
    return rank


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
        n_h = np.bincount(line_of, minlength=active)
        h_start = np.cumsum(n_h) - n_h
        pairs = n_h * n_c
        row_line = np.repeat(np.arange(active), pairs)
        r = np.arange(len(row_line)) - np.repeat(np.cumsum(pairs) - pairs, pairs)
        nc_row = n_c[row_line]
        h = h_start[row_line] + r // nc_row
        d = r % nc_row
        c = c_start[row_line] + d
        at_row = at[row_line]
        q = hist[h] * nc_row + d
        s = score[h] + ps.score[ps.base[at_row] + q] - lat.cost[c]
        new = q % ps.hist_size[at_row]
        key = ps.hist_key[ps.hist_base[at_row] + new]
        o = np.lexsort((-s, key, row_line))
        first = np.ones(len(o), dtype=bool)
        first[1:] = (row_line[o[1:]] != row_line[o[:-1]]) | (key[o[1:]] != key[o[:-1]])
        u = o[first]
        u = u[np.lexsort((-s[u], row_line[u]))]
        rl = row_line[u]
        rank = np.arange(len(u)) - np.searchsorted(rl, rl)
        keep = u[rank < beam]
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
    for i in range(order):
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


def _alternatives(slot: Slot, chosen: int, ranked: list[int], local: list[int], surface: str) -> list[str]:
    """Other readings of a slot that the decoder weighed, likeliest first (`ranked`: its entries)."""
    out: list[str] = []
    for e in ranked:
        if e != chosen:
            alt = slot.surfaces[local[e]]
            if alt is not None and alt != surface and alt not in out:
                out.append(alt)
                if len(out) == MAX_ALTERNATIVES:
                    break
    return out


def restore_text(model: Model, text: str) -> RestoreResult:
    """Restore `text`; see diacritics.restore for the contract."""
    lines = text.split("\n")
    doc, segs = document_segments(model, lines)
    lat = Lattice(segs)
    prune(model, lat)
    ch = build_chain(model, lat)
    chosen = beam_search(model, lat, ch)
    probs = confidences(model, lat, chosen, ch)
    out, changes = apply_edits(lines, edits(lat, chosen, probs))
    n_words = doc.syllables + doc.garbled
    share = len(changes) / n_words if n_words else 0.0
    return RestoreResult(out, changes, bool(changes), round(min(share, 1.0), 4))


def document_segments(model: Model, lines: list[str]) -> tuple[Stats, list[Segment]]:
    """The document's token statistics, and the segments of its paragraphs that may change."""
    line_spans = [word_spans(line) for line in lines]
    line_stats = [stats(line, spans) for line, spans in zip(lines, line_spans)]
    doc = Stats()
    for st in line_stats:
        doc.merge(st)
    mode = document_mode(doc)
    segs: list[Segment] = []
    for group in paragraphs(lines):
        lattice = [slot for li in group for slot in
                   slots(model, lines[li], mode, line_needs_restoration(line_stats[li], mode), li,
                         line_spans[li])]
        if any(s.surfaces is not UNCHANGED for s in lattice):
            segs.extend(segments(model, group[0], lattice))
    return doc, segs


Edit = tuple[int, int, str, float, list[str]]    # start, end, surface, confidence, alternatives


def edits(lat: Lattice, chosen: np.ndarray, probs: np.ndarray) -> dict[int, list[Edit]]:
    """The chosen entries that change their token, by line."""
    out: dict[int, list[Edit]] = {}
    changed = np.flatnonzero(lat.changes[chosen])
    if not len(changed):
        return out
    entry_slot = np.repeat(np.arange(len(lat.n)), lat.n)
    ranked = np.lexsort((-probs, entry_slot)).tolist()   # each slot's entries, likeliest first
    local = lat.local.tolist()
    picked = chosen[changed]
    for g, ci, first, n, p in zip(changed.tolist(), picked.tolist(), lat.off[changed].tolist(),
                                  lat.n[changed].tolist(), probs[picked].tolist()):
        slot = lat.slots[g]
        surface = slot.surfaces[local[ci]]
        alts = _alternatives(slot, ci, ranked[first:first + n], local, surface) if n > 1 else []
        out.setdefault(slot.line, []).append((slot.start, slot.end, surface, round(p, 4), alts))
    return out


def apply_edits(lines: list[str], by_line: dict[int, list[Edit]]) -> tuple[str, list[Restoration]]:
    """The restored text and its changes, with offsets into it."""
    out_parts: list[str] = []
    changes: list[Restoration] = []
    offset = 0
    for li, line in enumerate(lines):
        if li:
            out_parts.append("\n")
            offset += 1
        found = by_line.get(li)
        if not found:
            out_parts.append(line)
            offset += len(line)
            continue
        pos = 0
        for start, end, surface, confidence, alts in found:
            out_parts.append(line[pos:start])
            offset += start - pos
            changes.append(Restoration(offset, offset + len(surface), line[start:end], surface, confidence, alts))
            out_parts.append(surface)
            offset += len(surface)
            pos = end
        out_parts.append(line[pos:])
        offset += len(line) - pos
    return "".join(out_parts), changes
