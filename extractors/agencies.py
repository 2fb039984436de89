"""Agency mentions: find them in text and resolve them to canonical names and ids.

The gazetteer (data/agencies.yaml) lists canonical names, abbreviations, scope
words and agency types. Matching runs on a *key* of the text: lower case,
marks removed, common OCR confusions folded (S&→so, ¢→o, P→đ before a vowel),
one character per character so key offsets are text offsets. Exact key matches
come first; rapidfuzz then catches residual spelling and OCR noise
("Cuc Thué thanh ph6é Ha Ngi" → Cục Thuế Thành phố); last, a capitalized name
after a head word ("Trung tâm Văn hóa - Thể thao và Truyền thông huyện") counts
as an agency not in the gazetteer, under its printed name.

    >>> [m.name for m in find_agencies("Sở Y tế chủ trì, phối hợp với BHXH Thành phố", "Hà Nội")]
    ['Sở Y tế', 'Bảo hiểm xã hội Thành phố']
    >>> resolve_agency("Sở Y tế", "Hà Nội").agency_id
    'so-y-te@ha-noi'
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from itertools import compress, filterfalse, repeat
from operator import itemgetter
from typing import Callable, NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
import pipeline.text
from pipeline.params import _cache_path, _DataUnpickler, _write_cache, read_yaml
from pipeline.text import fold

DATA = Path(__file__).parent / "data"

#: Characters OCR puts where a letter belongs; folded only inside words.
OCR_LETTERS = {"w": "u", "0": "o", "6": "o", "¢": "o", "&": "o", "€": "e", "3": "a", "4": "a", "@": "a",
               "1": "l", "|": "l", "$": "s", "Ð": "d", "ð": "d"}
TOKEN = re.compile(r"[a-z0-9]+")
PLACE_UNITS = ("thị trấn", "thị xã", "thành phố", "phường", "xã", "quận", "huyện", "tỉnh", "tp.", "tp")
NATIONAL_SCOPES = {"Việt Nam", "Bộ Quốc phòng", "Trung ương"}
PROVINCES = "các tỉnh, thành phố trực thuộc trung ương"   # the scope naming every province
IN_FULL = "in full"     # a central-only name printed whole ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương")
DEPARTMENT_HEAD = "Sở "
TYPES = {"department", "insurance", "peoples_committee", "police", "tax", "union", "front",
         "inspectorate", "school", "hospital", "other"}


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    type: str


@dataclass(frozen=True)
class Mention:
    """One agency named in a text: span, surface and its resolution."""

    start: int
    end: int
    surface: str
    name: str
    type: str
    agency_id: str
    confidence: float
    scope: str | None = None

    @property
    def agency(self) -> Agency:
        return Agency(self.agency_id, self.name, self.type)


class Token(tuple):
    """A word of a text's key: (key, start, end), offsets into the text (a tuple: cheap to make)."""

    __slots__ = ()
    key = property(itemgetter(0))
    start = property(itemgetter(1))
    end = property(itemgetter(2))


# ---------------------------------------------------------------- text keys


_KEY_REPAIRS = re.compile("[P" + re.escape("".join(OCR_LETTERS)) + "]")   # where key differs from fold


def key(text: str) -> str:
    """Matching key of `text`, one character per character: folded plus OCR letter repairs."""
    folded = fold(text)
    out = None
    n = len(text)
    for m in _KEY_REPAIRS.finditer(text):
        i, c = m.start(), m.group()
        prev_alpha = i > 0 and text[i - 1].isalpha()
        next_alpha = i + 1 < n and text[i + 1].isalpha()
        if c == "P" and i + 1 < n and text[i + 1] not in "hH" and next_alpha:
            repl = "d"
        elif c in OCR_LETTERS and (prev_alpha or next_alpha) and not (c.isdigit() and _in_number(text, i)):
            repl = OCR_LETTERS[c]
        else:
            continue
        if out is None:
            out = list(folded)
        out[i] = repl
    return folded if out is None else "".join(out)


def _in_number(text: str, i: int) -> bool:
    """A digit in a run that starts with a digit ("2025", "6399", "08") is a number; in a run that
    starts with a letter ("ph01", "S6Y", "T6") it is an OCR letter."""
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in OCR_LETTERS):
        j -= 1
    return text[j].isdigit()


@lru_cache(maxsize=1 << 16)
def _marked(word: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", word)) or "đ" in word.lower()


def _marks_ok(text: str, toks: list[Token], k: int, words: tuple[str, ...], noisy: bool) -> bool:
    """In a text printed with marks, scope words must carry their own ("phương" is not "phường",
    "quan tâm" is not "quận"); in unmarked or OCR text the key alone decides."""
    if noisy:
        return True
    for t, w in zip(toks[k:k + len(words)], words):
        if text[t.start:t.end].lower() != w:
            return False
    return True


_WORD = re.compile(r"[^\W\d_]+")


def letter_words(text: str) -> list[str]:
    """The words _WORD finds in `text`, not in order: a whitespace-separated chunk of letters only is one word
    (split and isalpha run in C); the pattern scans the other chunks, joined by spaces."""
    chunks = text.split()
    words = list(filter(str.isalpha, chunks))
    if len(words) < len(chunks):
        words += _WORD.findall(" ".join(filterfalse(str.isalpha, chunks)))
    return words


@cache
def is_marked_text(text: str) -> bool:
    """Most words carry diacritics (a clean or restored text, not an unmarked OCR one); an ASCII word has none."""
    words = letter_words(text[:20000])
    return bool(words) and sum(map(_marked, filterfalse(str.isascii, words))) > 0.45 * len(words)


def tokenize(text: str) -> list[Token]:
    """Word tokens of the key of `text`, with offsets into `text` (from TOKEN's matches: a tenth faster than
    the offsets summed over the split parts)."""
    return [Token((m.group(), m.start(), m.end())) for m in TOKEN.finditer(key(text))]


@lru_cache(maxsize=1 << 14)
def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _split(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list):
        return [str(x).strip() for x in v if str(x).strip()]
    return [x.strip() for x in str(v).split("|") if x.strip()]


def token_keys(text: str) -> tuple[str, ...]:
    """The keys of `text`'s tokens (tokenize without the offsets: no Token made)."""
    return tuple(TOKEN.findall(key(text)))


# ---------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class Entry:
    name: str
    type: str
    scope: str
    national: bool
    cased: bool
    scoped_as: str | None
    central_name: str | None = None     # its name in a central document ("Các địa phương" → the provinces)


@dataclass(frozen=True)
class Variant:
    tokens: tuple[str, ...]
    joined: str
    text: str
    entry: Entry
    glued: str = ""
    threshold: float | None = None
    abbreviation: bool = False


def _by_first_word(phrases: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases as printed (marks kept: "có" is not "cơ"), lower-cased, by their first word."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:
        words = tuple(p.lower().split())
        out.setdefault(words[0], []).append(words)
    return {w: tuple(v) for w, v in out.items()}


def _printed_phrase_at(text: str, toks: list[Token], k: int, index: dict) -> bool:
    """Whether one of `index`'s phrases (_by_first_word) starts at token k, compared with marks."""
    first = text[toks[k].start:toks[k].end].lower()
    for p in index.get(first, ()):
        if len(p) == 1 or tuple(text[t.start:t.end].lower() for t in toks[k:k + len(p)]) == p:
            return True
    return False


@cache
def gazetteer() -> dict:
    """The gazetteer's lookup structures (`build_gazetteer`), from their pickle when one was written for
    this agencies.yaml and this code (`make setup`, or a run that may write bytecode): building them takes
    0.02 s of a worker's first document, loading the pickle an eighth of that."""
    cached = _gazetteer_pickle()
    try:
        with open(cached, "rb") as f:
            return _GazetteerUnpickler(f).load()
    except Exception:  # none yet, or unreadable: build it
        pass
    out = build_gazetteer()
    if not sys.dont_write_bytecode:
        _write_cache(cached, out)
    return out


def write_gazetteer_cache() -> None:
    """Write the gazetteer's pickle (make setup), as `pipeline.params.write_yaml_caches` does the
    vocabularies'."""
    _write_cache(_gazetteer_pickle(), build_gazetteer())


def _gazetteer_pickle() -> Path:
    """Where the gazetteer is kept pickled: `extractors/data/__pycache__/agencies.gazetteer.DIGEST.pickle`,
    DIGEST from agencies.yaml, the code that builds it (this module, pipeline/text.py's fold) and the
    Python version (its Unicode tables), so an edit of any of them builds it again."""
    sources = [DATA / "agencies.yaml", Path(__file__), Path(pipeline.text.__file__)]
    return _cache_path(DATA / "agencies.gazetteer",
                       b"\0".join([*(f.read_bytes() for f in sources), sys.version.encode()]))


class _GazetteerUnpickler(_DataUnpickler):
    """The gazetteer's data and its two classes only: a pickle in a cache folder cannot make it run code."""

    def find_class(self, module: str, name: str):
        if module == __name__ and name in ("Entry", "Variant"):
            return globals()[name]
        return super().find_class(module, name)


def build_gazetteer() -> dict:
    """Variants of every agency name (abbreviations expanded both ways), scopes, heads and the other
    lists of agencies.yaml, in the structures the matching reads."""
    data = read_yaml(DATA / "agencies.yaml")
    abbreviations = {str(k): str(v) for k, v in (data.get("abbreviations") or {}).items()}
    variants: list[Variant] = []
    for item in data["agencies"]:
        e = Entry(item["name"], item.get("type", "other"), item.get("scope", "none"),
                  bool(item.get("national")), bool(item.get("cased")), item.get("scoped_as"), item.get("central_name"))
        assert e.type in TYPES, e
        forms = set(_split(item.get("variants"))) | {e.name}
        todo = list(forms)
        while todo:
            f = todo.pop()
            for abbr, exp in abbreviations.items():
                if exp.lower() in f.lower():
                    i = f.lower().index(exp.lower())
                    g = f[:i] + abbr + f[i + len(exp):]
                    if g not in forms:
                        forms.add(g)
                        todo.append(g)
        for f in sorted(forms):  # sorted: variant order must not depend on the hash seed
            toks = token_keys(f)
            if toks:
                abbr = len(toks) == 1 and f.upper() == f
                variants.append(Variant(toks, " ".join(toks), f, e, "".join(toks),
                                        None if abbr else _threshold_for(" ".join(toks), e), abbr))
    variants.sort(key=lambda v: (-len(v.joined), v.joined, v.text, v.entry.name))
    by_first: dict[str, list[Variant]] = {}
    by_char: dict[str, list[Variant]] = {}
    for v in variants:
        by_first.setdefault(v.tokens[0], []).append(v)
        by_char.setdefault(v.tokens[0][0], []).append(v)
    scopes = []
    for s in data.get("scopes", []):
        for f in _split(s["variants"]):
            words = tuple(f[t.start:t.end].lower() for t in tokenize(f))
            scopes.append((token_keys(f), s["canonical"], words))
    scopes.sort(key=lambda x: -len(x[0]))
    heads = sorted(((tuple(h.split()), typ) for typ, v in (data.get("generic_heads") or {}).items()
                    for h in _split(v)), key=lambda x: -len(x[0]))
    heads_by_first: dict[str, list] = {}   # the heads by their first word, in the order of `heads`
    for h in heads:
        heads_by_first.setdefault(h[0][0], []).append(h)
    return {
        "variants": variants, "by_first": by_first, "by_char": by_char, "scopes": scopes,
        "trailing": sorted((token_keys(t) for t in _split(data.get("trailing"))), key=len, reverse=True),
        "vague": sorted((token_keys(t) for t in _split(data.get("vague"))), key=len, reverse=True),
        "titles": sorted((token_keys(t) for t in _split(data.get("titles"))), key=len, reverse=True),
        "heads": heads,
        "heads_by_first": heads_by_first,
        "generic_not": tuple(key(x) for x in _split(data.get("generic_not"))),
        "bridge_stops": frozenset(" ".join(token_keys(x)) for x in _split(data.get("generic_bridge_stops"))),
        "owner_bodies": frozenset(_split(data.get("owner_bodies"))),
        "scope_keys": sorted({k for k, _, _ in scopes}, key=len, reverse=True),
        "keeps_place": frozenset(item["name"] for item in data["agencies"] if item.get("keeps_place")),
        "qualified": {item["name"]: item["qualified"] for item in data["agencies"] if item.get("qualified")},
        "qualifier_stops": _by_first_word(_split(data.get("qualifier_stops"))),
        "name_stops": _by_first_word(_split(data.get("qualifier_stops")) + _split(data.get("generic_bridge_stops"))),
        "refers_back": frozenset(item["name"] for item in data["agencies"] if item.get("refers_back")),
        "regional": frozenset(item["name"] for item in data["agencies"] if item.get("regional")),
        "national_from": {item["name"]: _as_date(item["national_from"]) for item in data["agencies"]
                          if item.get("national_from")},
        "compounds": {key(w): frozenset(key(x) for x in _split(v)) for w, v in (data.get("compounds") or {}).items()},
        "members_of": {k: v for k, v in (data.get("members_of") or {}).items()},
        "named_units": {fold(k): v for k, v in (data.get("named_units") or {}).items()},
        "own_body": dict(data.get("own_body") or {}),
        "variant_of": {v.entry.name: v for v in reversed(variants)},
        "abbreviations": abbreviations,
        "shared_heads": {str(k): str(v) for k, v in (data.get("shared_heads") or {}).items()},
    }


@cache
def provinces() -> list[dict]:
    p = DATA / "places.yaml"
    if not p.exists():
        return []
    return (read_yaml(p) or {}).get("provinces", [])


@dataclass(frozen=True)
class Home:
    """The document's own level and place: what "Thành phố" and "Sở Y tế" refer to."""

    jurisdiction: str | None
    unit: str | None                  # Thành phố | tỉnh | huyện | quận | thị xã | xã | phường | thị trấn
    names: frozenset[str]             # keys of the place name and its aliases

    @property
    def scope(self) -> str | None:
        if self.unit is None:
            return None
        return "Thành phố" if self.unit == "thành phố" else self.unit


@cache
def home_of(jurisdiction: str | None) -> Home:
    if not jurisdiction:
        return Home(None, None, frozenset())
    j = " ".join(jurisdiction.split())
    if j in NATIONAL_SCOPES:
        return Home(j, None, frozenset({" ".join(token_keys(j))}))    # a central document has no "tỉnh"
    names = {j}
    unit = None
    fj = fold(j)
    for u in PLACE_UNITS:
        if fj.startswith(fold(u) + " "):
            unit = "thành phố" if u.startswith("tp") else u
            names.add(j[len(u):].strip())
            break
    for p in provinces():
        pnames = [p["name"], *p.get("aliases", [])]
        if any(fold(n) == fold(x) for n in names for x in pnames):
            names.update(pnames)
            unit = unit or p.get("unit")
            for n in pnames:
                if fold(n).startswith("thanh pho "):
                    names.add(n[len("Thành phố "):])
    if unit is None:
        unit = "tỉnh"
    return Home(j, unit, frozenset(" ".join(token_keys(n)) for n in names if n))


# ---------------------------------------------------------------- finding


def _threshold_for(joined: str, entry: Entry) -> float | None:
    """Least rapidfuzz ratio for a variant; short names only match exactly."""
    n = len(joined)
    if n < 8:
        return None
    return 90.0 if n < 12 else 88.0


def _admissible(v: Variant, text: str, toks: list[Token], i: int, j: int) -> bool:
    """Case rules: `cased` entries need a capital; a bare abbreviation ("TU", "BCĐ") must be upper case."""
    head = text[toks[i].start]
    if v.entry.cased and not head.isupper():
        return False
    after = gazetteer()["compounds"].get(toks[j - 1].key)
    if after and j < len(toks) and toks[j].key in after and text[toks[j].start].islower() \
            and text[toks[j - 1].end:toks[j].start] == " ":
        return False                       # "các bộ phận": the name's last word starts another word
    if v.abbreviation:
        surface = text[toks[i].start:toks[j - 1].end]
        return surface.upper() == surface
    return True


def _exact_at(toks: list[Token], keys: list[str], i: int, text: str,
              central: bool = True) -> tuple[Variant, int, float] | None:
    """Longest variant whose key equals the tokens at i (also across split or merged tokens);
    `keys` are the tokens' keys. Not `central` (a document below the centre): names that only a central
    document gives (`central_only`) are left out, so that they do not hide a shorter name with its scope
    ("Ủy ban nhân dân" + "các tỉnh, thành phố trực thuộc trung ương" in a provincial plan)."""
    by_tokens, token_prefixes, by_glued, glued_prefixes = _exact_plan(keys[i])
    if not by_tokens and not by_glued:
        return None
    top = min(16, len(keys) - i)
    best = None
    # variants (in gazetteer order) whose tokens are the tokens at i
    hits = []
    for n in range(1, top + 1):
        seq = tuple(keys[i:i + n])
        if seq not in token_prefixes:     # no variant starts with these tokens, nor with more of them
            break
        hits.extend(by_tokens.get(seq, ()))
    hits.sort()
    for _, v in hits:
        if best is not None and v.joined != best[0].joined:
            break
        n = len(v.tokens)
        if not central and v.entry.scope == "central_only":
            continue
        if _admissible(v, text, toks, i, i + n):
            # among variants with the same key, the one printed as in the text wins (not the hash seed)
            printed = text[toks[i].start:toks[i + n - 1].end].lower() == v.text.lower()
            if best is None or printed:
                best = (v, i + n, 1.0)
            if printed:
                break
    # variants split or merged differently: glued keys equal over one token more or less
    glued, near = "", []
    for m in range(1, top + 1):
        glued += keys[i + m - 1]
        if glued not in glued_prefixes:   # no glued key starts with it
            break
        for pos, v, n in by_glued.get(glued, ()):
            if m in (n - 1, n + 1):
                near.append((pos, m > n, v, m))
    near.sort(key=lambda h: h[:2])
    for _, _, v, m in near:
        if best is not None and len(v.joined) <= len(best[0].joined):
            break
        if not central and v.entry.scope == "central_only":
            continue
        if _admissible(v, text, toks, i, i + m):
            best = (v, i + m, 0.95)
            break
    return best


@cache
def _exact_plan(first: str) -> tuple[dict, frozenset, dict, frozenset]:
    """For token `first`: the gazetteer's variants starting with it by their tokens, as (order,
    variant), and every leading part of their token tuples; _fuzzy_candidates(first) by their glued
    key, as (order, variant, tokens), and every leading part of those keys."""
    by_tokens: dict[tuple, list] = {}
    for pos, v in enumerate(gazetteer()["by_first"].get(first, ())):
        by_tokens.setdefault(v.tokens, []).append((pos, v))
    by_glued: dict[str, list] = {}
    for pos, v in enumerate(_fuzzy_candidates(first)):
        by_glued.setdefault(v.glued, []).append((pos, v, len(v.tokens)))
    return (by_tokens, frozenset(t[:n] for t in by_tokens for n in range(1, len(t) + 1)),
            by_glued, frozenset(g[:n] for g in by_glued for n in range(1, len(g) + 1)))


def _fuzzy_at(toks: list[Token], i: int, limit: int, text: str, hits: dict[int, list[tuple[int, float]]],
              ocr: bool = False) -> tuple[Variant, int, float] | None:
    """Best rapidfuzz match of a variant on the tokens at i, not reaching past token `limit`;
    `hits` are the matches `_fuzzy_hits` scored at i.

    In unmarked OCR text a name that must be followed by a scope ("Cang an cac quan, huyén",
    "Bao hiém xi hdi Thanh pho") may be noisier: the scope it needs is evidence too.
    """
    plan = _fuzzy_plan(toks[i].key)
    best, best_len = None, 0
    for idx, r in hits.get(i, ()):
        v, n, th_text, th_ocr, lj = plan[idx]
        th = th_ocr if ocr else th_text
        if i + n > limit or (best is not None and lj < best_len):
            continue
        if not ocr and not _typo_close([text[t.start:t.end].lower() for t in toks[i:i + n]], _printed_words(v.text)):
            continue
        if _admissible(v, text, toks, i, i + n):
            cand = (v, i + n, round(0.6 + 0.3 * (r - th) / (100 - th), 3))
            if best is None or lj > best_len or cand[2] > best[2]:
                best, best_len = cand, lj
    return best


def _qualifier_end(text: str, toks: list[Token], j: int, limit: int, most: int = 4) -> int:
    """End of the words that narrow a collective ("Các doanh nghiệp | viễn thông", "Các nhà đầu tư |
    hạ tầng số"): lower-case words on the same line, up to a verb, function word or punctuation."""
    g = gazetteer()
    k = j
    while k < min(limit, j + most):
        gap = text[toks[k - 1].end:toks[k].start]
        if (gap != " " or _printed_phrase_at(text, toks, k, g["qualifier_stops"])
                or _stop_at(toks, k, limit, phrases_only=True) or _seq_at(toks, k, g["trailing"])):
            break
        word = text[toks[k].start:toks[k].end]
        if word[:1].isupper() and (not toks[k].key.isascii() or word[1:].islower()):
            break                        # a proper name ("... công nghệ số Việt Nam"); acronyms go on ("IoT")
        k += 1
    return k


@cache
def _printed_words(variant: str) -> tuple[str, ...]:
    return tuple(variant[t.start:t.end].lower() for t in tokenize(variant))


def _typo_close(got: list[str], want: tuple[str, ...]) -> bool:
    """In marked text a fuzzy match may only fix typos: one edit per word at most ("Khu công nghệ"
    is another body than "Khu công nghiệp", not a misprint of it)."""
    return len(got) == len(want) and all(Levenshtein.distance(a, b, score_cutoff=1) <= 1
                                         for a, b in zip(got, want))


#: Tokens a fuzzy match may span.
FUZZY_TOKENS = 16
#: Windows of a group scored one by one rather than in one rapidfuzz cdist call (which costs more to start).
FEW_WINDOWS = 8


def _fuzzy_hits(keys: list[str], starts: list[int], ocr: bool,
                words: Callable[[int], str] | None = None) -> dict[int, list[tuple[int, float]]]:
    """For each token index i of `starts`, the entries of _fuzzy_plan(keys[i]) whose rapidfuzz ratio
    on the keys from i reaches their threshold: (index in the plan, ratio), in plan order.

    The windows of one length whose first keys have the same variants of that length are scored
    against them in one rapidfuzz call (at a slightly lower cut-off), then the few pairs past it
    again one by one, with the variant's own threshold.

    `words(k)`, the printed word of token k in lower case, lets marked text (not `ocr`) leave out the
    names of several words none of whose second words is within one edit of the printed one: their
    hits are the ones _fuzzy_at rejects (_typo_close), most of the windows."""
    at_first: dict[str, list[int]] = defaultdict(list)
    for i in starts:
        at_first[keys[i]].append(i)
    batches: dict[int, tuple[FuzzyGroup, list[int], list[list[int]]]] = {}
    for first, where in at_first.items():
        groups = _fuzzy_groups(first, ocr)
        typo_sizes = None
        if words is not None and not ocr and groups and groups[-1].n > 1:
            typo_sizes = _next_typo_sizes(first, where, len(keys), words)
        for g in groups:
            if typo_sizes is not None and g.n > 1:
                at = [i for i, sizes in zip(where, typo_sizes) if g.n in sizes and i + g.n <= len(keys)]
            else:
                at = where if where[-1] + g.n <= len(keys) else [i for i in where if i + g.n <= len(keys)]
            if at:
                batch = batches.setdefault(g.id, (g, [], []))
                batch[1].extend(at)
                batch[2].extend([g.plan_index] * len(at))
    hits: dict[int, list[tuple[int, float]]] = {}
    for g, at, plan_index in batches.values():
        n = g.n
        windows = [" ".join(keys[i:i + n]) for i in at]
        if len(windows) <= FEW_WINDOWS:
            found = [(a, b, r) for a, w in enumerate(windows) for b, r in _close_keys(g.id, w)]
        else:
            found = []
            for a, b in zip(*process.cdist(windows, g.keys, scorer=fuzz.ratio, score_cutoff=g.cutoff).nonzero()):
                r = fuzz.ratio(windows[a], g.keys[b], score_cutoff=g.thresholds[b])
                if r:
                    found.append((a, b, r))
        for a, b, r in found:
            hits.setdefault(at[a], []).append((plan_index[a][b], r))
    for h in hits.values():
        h.sort()
    return hits


def _next_typo_sizes(first: str, where: list[int], n: int, words: Callable[[int], str]) -> list[frozenset[int]]:
    """_typo_sizes of `first` and the printed word after each token of `where` (sorted; none after the
    last of `n` tokens)."""
    inside = where if where[-1] + 1 < n else where[:-1]
    sizes: list = list(map(_typo_sizes, repeat(first), map(words, [i + 1 for i in inside])))
    return sizes if len(inside) == len(where) else sizes + [()]


@lru_cache(maxsize=1 << 16)
def _typo_sizes(first: str, second: str) -> frozenset[int]:
    """The sizes n > 1 of the groups of marked text (_fuzzy_groups(first, False)) with a variant whose
    second printed word is within one edit of `second`, as _typo_close measures it."""
    words, sizes = _second_words(first)
    return frozenset().union(*(sizes[k] for _, _, k in process.extract(
        second, words, scorer=Levenshtein.distance, score_cutoff=1, limit=None)))


@cache
def _second_words(first: str) -> tuple[list[str], list[frozenset[int]]]:
    """The second printed words of the variants of the groups of marked text for `first` (n > 1), and
    for each the sizes of the groups that hold a variant with it."""
    plan = _fuzzy_plan(first)
    sizes: dict[str, set[int]] = {}
    for g in _fuzzy_groups(first, False):
        if g.n > 1:
            for idx in g.plan_index:
                sizes.setdefault(_printed_words(plan[idx][0].text)[1], set()).add(g.n)
    return list(sizes), [frozenset(v) for v in sizes.values()]


@lru_cache(maxsize=1 << 16)
def _close_keys(group: int, window: str) -> tuple[tuple[int, float], ...]:
    """(index, ratio) of the keys of fuzzy group `group` whose ratio on `window` reaches their threshold
    (short texts such as table cells repeat their windows)."""
    g = _GROUPS[group]
    out = []
    for _, _, b in process.extract(window, g.keys, scorer=fuzz.ratio, score_cutoff=g.cutoff, limit=None):
        r = fuzz.ratio(window, g.keys[b], score_cutoff=g.thresholds[b])
        if r:
            out.append((b, r))
    return tuple(out)


class FuzzyGroup(NamedTuple):
    """The variants of n tokens of a first key's plan that rapidfuzz may match (_fuzzy_groups)."""

    id: int                    # the same for the same variants and thresholds, whatever the first key
    n: int
    plan_index: list[int]      # their indices in _fuzzy_plan(first)
    keys: list[str]            # their joined keys
    thresholds: list[float]
    cutoff: float              # the lowest threshold less one


_GROUP_IDS: dict[tuple, int] = {}
_GROUPS: dict[int, FuzzyGroup] = {}      # by id


@cache
def _fuzzy_groups(first: str, ocr: bool) -> tuple[FuzzyGroup, ...]:
    """_fuzzy_plan(first) by number of tokens, without the variants that only match exactly."""
    groups: dict[int, list[tuple[int, str, float]]] = {}
    for idx, (v, n, th_text, th_ocr, _) in enumerate(_fuzzy_plan(first)):
        th = th_ocr if ocr else th_text
        if not ocr and v.tokens[0] != first:
            continue                     # in marked text a name's first word is read as printed; typos come later
        if th is not None and n <= FUZZY_TOKENS:
            groups.setdefault(n, []).append((idx, v.joined, th))
    out = []
    for n, grp in sorted(groups.items()):
        keys, ths = [g[1] for g in grp], [g[2] for g in grp]
        gid = _GROUP_IDS.setdefault((n, tuple(keys), tuple(ths)), len(_GROUP_IDS))
        out.append(FuzzyGroup(gid, n, [g[0] for g in grp], keys, ths, min(ths) - 1))
        _GROUPS.setdefault(gid, out[-1])
    return tuple(out)


@cache
def _fuzzy_plan(first: str) -> tuple[tuple, ...]:
    """_fuzzy_candidates(first) with what _fuzzy_at needs of each: (variant, tokens, threshold,
    threshold in OCR text, key length)."""
    out = []
    for v in _fuzzy_candidates(first):
        th = v.threshold
        loose = v.entry.scope == "required" and len(v.joined) >= 6 and not v.abbreviation
        out.append((v, len(v.tokens), th, min(th or 85.0, 85.0) if loose else th, len(v.joined)))
    return tuple(out)


@cache
def _fuzzy_candidates(first: str) -> tuple["Variant", ...]:
    """Variants whose first word is close to token `first`, longest first."""
    close = [f for f in _firsts_by_char().get(first[0], ()) if _first_close(first, f)]
    if len(close) == 1:
        return _longest_first(close[0])
    out = [v for f in close for v in gazetteer()["by_first"][f]]
    out.sort(key=_candidate_order)
    return tuple(out)


def _candidate_order(v: "Variant") -> tuple:
    return -len(v.joined), v.joined, v.text, v.entry.name


@cache
def _firsts_by_char() -> dict[str, tuple[str, ...]]:
    """The variants' first keys by their first character, sorted (what _fuzzy_candidates compares a key with)."""
    return {c: tuple(sorted({v.tokens[0] for v in vs})) for c, vs in gazetteer()["by_char"].items()}


@cache
def _longest_first(first: str) -> tuple["Variant", ...]:
    """The variants whose first key is `first`, in _fuzzy_candidates' order (most keys have one close first key)."""
    return tuple(sorted(gazetteer()["by_first"][first], key=_candidate_order))


def _first_close(a: str, b: str) -> bool:
    """Could token a be an OCR/spelling variant of the first word b of a name?"""
    if a == b:
        return True
    if min(len(a), len(b)) <= 3:
        return a[0] == b[0] and Levenshtein.distance(a, b) <= 1
    return a[0] == b[0] and fuzz.ratio(a, b) >= 60


def _seq_at(toks: list[Token], j: int, seqs: list[tuple[str, ...]]) -> int:
    """Length of the longest token sequence of `seqs` starting at token j (0 if none)."""
    if j >= len(toks):
        return 0
    candidates = _seq_index(seqs).get(toks[j].key)
    if not candidates:
        return 0
    keys = tuple(t.key for t in toks[j:j + 8])
    for s in candidates:
        if keys[:len(s)] == s:
            return len(s)
    return 0


_SEQ_INDEX: dict[int, tuple[list, dict]] = {}     # id of a list of sequences -> (the list, its index)


def _seq_index(seqs: list[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    """The non-empty sequences of `seqs` by first key, in their order (the gazetteer's lists, built once)."""
    got = _SEQ_INDEX.get(id(seqs))
    if got is None or got[0] is not seqs:
        index: dict[str, list[tuple[str, ...]]] = {}
        for s in seqs:
            if s:
                index.setdefault(s[0], []).append(s)
        got = _SEQ_INDEX[id(seqs)] = (seqs, index)     # the list is kept, so its id is not reused
    return got[1]


UNIT_KEYS = [(("thi", "tran"), "thị trấn"), (("thi", "xa"), "thị xã"), (("thanh", "pho"), "thành phố"),
             (("phuong",), "phường"), (("xa",), "xã"), (("quan",), "quận"), (("huyen",), "huyện"),
             (("tinh",), "tỉnh"), (("tp",), "thành phố")]


_UNIT_FIRSTS = frozenset(seq[0] for seq, _ in UNIT_KEYS)    # a unit's first key is always printed as such


def _unit_at(text: str, toks: list[Token], k: int, noisy: bool) -> tuple[str | None, int]:
    if k >= len(toks) or toks[k][0] not in _UNIT_FIRSTS:
        return None, k
    windows: dict[int, tuple[str, ...]] = {}     # n -> the keys of the n tokens at k
    for seq, unit in UNIT_KEYS:
        window = windows.get(len(seq))
        if window is None:
            window = windows[len(seq)] = tuple(t.key for t in toks[k:k + len(seq)])
        if window == seq or (len(seq) == 2 and len(window) == 2 and window[0] == seq[0] and
                             fuzz.ratio(" ".join(window), " ".join(seq)) >= 80):
            if unit != "thành phố" or seq != ("tp",):
                words = tuple(unit.split())
                if not _marks_ok(text, toks, k, words, noisy):
                    continue
            return unit, k + len(seq)
    return None, k


def _place_name_at(text: str, toks: list[Token], k: int, home: Home, noisy: bool,
                   unit: str | None = None) -> tuple[str | None, bool, int]:
    """(printed name, is home, end token) of a capitalized place name at token k.

    It is the home place when its unit (if printed) is the home unit and its name is one of the
    jurisdiction's names; in OCR text one wrong letter is allowed ("Ha Ngi")."""
    n = 0
    if k > 0 and k < len(toks) and text[toks[k - 1].end:toks[k].start] not in (" ", ""):
        return None, False, k
    while n < 4 and k + n < len(toks) and text[toks[k + n].start].isupper() and (
            n == 0 or text[toks[k + n - 1].end:toks[k + n].start] in (" ", "'", "’", " - ")):
        n += 1
    same_unit = unit is None or home.unit is None or unit == home.unit
    for m in range(n, 0, -1):
        joined = " ".join(t.key for t in toks[k:k + m])
        if same_unit and (joined in home.names or noisy and any(
                Levenshtein.distance(joined, h) <= 1 for h in home.names if len(h) >= 5)):
            return text[toks[k].start:toks[k + m - 1].end], True, k + m
    if n:
        return text[toks[k].start:toks[k + n - 1].end], False, k + n
    return None, False, k


def _scope_at(text: str, toks: list[Token], j: int, home: Home, noisy: bool) -> tuple[str | None, int]:
    """(canonical scope, end token) of the scope phrase at token j, or (None, j)."""
    if j >= len(toks):
        return None, j
    k = j + 1 if toks[j].key == "cua" and j + 1 < len(toks) else j
    listed = _scope_list_at(text, toks, k, noisy)
    unit, k2 = _unit_at(text, toks, k, noisy)
    if unit is not None and not (listed and listed[1] > k2):
        name, is_home, k3 = (_place_name_at(text, toks, k2, home, noisy, unit) if k2 < len(toks)
                             else (None, False, k2))
        if name and is_home:
            return "home", k3
        if name and unit in ("xã", "phường", "thị trấn", "quận", "huyện", "thị xã"):
            return f"{unit} {name}", k3
        if name and unit in ("thành phố", "tỉnh") and " ".join(t.key for t in toks[k2:k3]) in _province_keys():
            return f"{text[toks[k].start:toks[k2 - 1].end]} {name}", k3     # another province, named
        if unit in ("thành phố", "tỉnh"):
            # the document's own province, or, when its place is unknown, the level as printed
            return ("home" if home.jurisdiction else _PRINTED_LEVEL[unit]), k2
        return unit, k2
    if listed:
        return listed
    if k == j:
        name, is_home, k3 = _place_name_at(text, toks, j, home, noisy)
        if name and is_home:
            return "home", k3
    return None, j


_PRINTED_LEVEL = {"tỉnh": "tỉnh", "thành phố": "Thành phố"}


@cache
def _province_keys() -> frozenset[str]:
    """Keys of every province's name and aliases ("ha noi", "ho chi minh"), for a named other province."""
    out = set()
    for p in provinces():
        for n in [p["name"], *p.get("aliases", [])]:
            out.add(" ".join(token_keys(n)))
            if fold(n).startswith("thanh pho "):
                out.add(" ".join(token_keys(n[len("Thành phố "):])))
    return frozenset(out)


def _scope_list_at(text: str, toks: list[Token], k: int, noisy: bool) -> tuple[str, int] | None:
    """A scope phrase of the gazetteer at token k ("các quận, huyện, thị xã"), tolerant to OCR noise."""
    by_first, empty, long_by_char, most = _scope_plan()
    if k >= len(toks):
        for seq, canonical, words in empty:
            if _marks_ok(text, toks, k, words, noisy):
                return canonical, k + len(seq)
        return None
    first = toks[k][0]
    listed, longs = by_first.get(first, empty), long_by_char.get(first[:1], ())
    if not listed and not longs:
        return None
    keys = [t.key for t in toks[k:k + most]]
    for seq, canonical, words in listed:
        if tuple(keys[:len(seq)]) == seq and _marks_ok(text, toks, k, words, noisy):
            return canonical, k + len(seq)
    windows: dict[int, str] = {}   # n -> the first n keys joined
    for seq, canonical, words, joined in longs:
        if k + len(seq) <= len(toks):
            window = windows.get(len(seq))
            if window is None:
                window = windows[len(seq)] = " ".join(keys[:len(seq)])
            if fuzz.ratio(window, joined) >= 88 and _marks_ok(text, toks, k, words, noisy):
                return canonical, k + len(seq)
    return None


@cache
def _scope_plan() -> tuple[dict[str, list], list, dict[str, list], int]:
    """The gazetteer's scopes for _scope_list_at, in their order: by first key (each list ending with
    the scopes of no key), those of no key, those long enough for rapidfuzz (12 characters) by the
    first character of their key, and the most keys a scope has."""
    scopes = gazetteer()["scopes"]
    empty = [sc for sc in scopes if not sc[0]]
    by_first: dict[str, list] = {}
    long_by_char: dict[str, list] = {}
    for sc in scopes:
        if sc[0]:
            by_first.setdefault(sc[0][0], []).append(sc)
        joined = " ".join(sc[0])
        if len(joined) >= 12:
            long_by_char.setdefault(joined[:1], []).append((*sc, joined))
    return ({f: lst + empty for f, lst in by_first.items()}, empty, long_by_char,
            max((len(sc[0]) for sc in scopes), default=0))


def _token_end(toks: list[Token], pos: int) -> int:
    """Index of the first token starting at or after `pos`."""
    return bisect_left(toks, pos, key=itemgetter(1))


DISTRICT_UNITS = ("huyện", "quận", "thị xã")
COMMUNE_UNITS = ("xã", "phường", "thị trấn")


def _canonical(entry: Entry, scope: str | None, home: Home) -> tuple[str, str | None] | None:
    """(canonical name, jurisdiction for the id) or None when a required scope is missing.

    A bare lower level below the document's own ("BHXH huyện" in a city plan) means every
    unit of that level: "Bảo hiểm xã hội các quận, huyện, thị xã".
    """
    if scope == "home" and home.jurisdiction in NATIONAL_SCOPES:
        scope = PROVINCES                  # "Sở Y tế tỉnh" in a central plan: every province's
    elif scope == "home":
        scope = home.scope or "Thành phố"
    elif scope in DISTRICT_UNITS and home.unit in ("thành phố", "tỉnh"):
        scope = "các quận, huyện, thị xã"
    elif scope in COMMUNE_UNITS and home.unit is not None and home.unit not in COMMUNE_UNITS:
        scope = "các xã, phường, thị trấn"
    juris = "Việt Nam" if entry.national or scope in NATIONAL_SCOPES else home.jurisdiction
    if entry.scope == "central_only":
        return (entry.name, "Việt Nam") if home.jurisdiction in NATIONAL_SCOPES or scope == IN_FULL else None
    if entry.central_name and home.jurisdiction in NATIONAL_SCOPES and (entry.scope == "none" or not scope):
        return entry.central_name, "Việt Nam"
    if entry.scope == "none":
        if scope == PROVINCES and entry.name.startswith(DEPARTMENT_HEAD):
            return f"{entry.name} {scope}", "Việt Nam"     # every province's department, in a central plan
        if home.jurisdiction in NATIONAL_SCOPES and _named_province(scope) and entry.name.startswith(DEPARTMENT_HEAD):
            place = re.sub(r"^(?:tỉnh|thành phố|Tỉnh|Thành phố)\s+", "", scope)
            return f"{entry.name} {scope}", place           # one province's department, named in a central plan
        return entry.name, juris
    if entry.scope == "required":
        if not scope:
            return None
        return f"{entry.name} {scope}", juris
    if entry.scope == "optional":
        scope = scope or home.scope
        return (f"{entry.name} {scope}" if scope else entry.name), juris
    if entry.scope == "optional_generic":
        return (f"{entry.scoped_as or entry.name} {scope}" if scope else entry.name), juris
    return (f"{entry.name} {scope}" if scope else entry.name), juris      # free


def agency_id(name: str, jurisdiction: str | None) -> str:
    return f"{slug(name)}@{slug(jurisdiction)}" if jurisdiction else slug(name)


def _fill_gaps(found: list[tuple], n: int, finder, starts: list[int] | None = None) -> list[tuple]:
    """Run `finder(i, limit)` left to right over the token stretches no mention in `found` covers;
    `starts` (sorted), when given, are the only token indices where `finder` may find one."""
    found = sorted(found)
    gaps, prev = [], 0
    for m in found:
        gaps.append((prev, m[0]))
        prev = m[1]
    gaps.append((prev, n))
    out = list(found)
    for lo, hi in gaps:
        if starts is None:
            i = lo
            while i < hi:
                m = finder(i, hi)
                if m is None:
                    i += 1
                    continue
                out.append(m)
                i = m[1]
            continue
        k = bisect_left(starts, lo)
        while k < len(starts) and starts[k] < hi:
            m = finder(starts[k], hi)
            if m is None:
                k += 1
                continue
            out.append(m)
            k = bisect_left(starts, m[1], k + 1)
    return sorted(out)


def _uncovered(starts: list[int], found: list[tuple]) -> list[int]:
    """The token indices of `starts` (sorted) that no mention of `found` covers: the runs of `starts`
    between the mentions, cut out by bisection (mentions are few, starts many)."""
    out: list[int] = []
    lo = 0
    for a, b in sorted(m[:2] for m in found):
        hi = bisect_left(starts, a, lo)
        out += starts[lo:hi]
        lo = bisect_left(starts, b, hi)
    out += starts[lo:]
    return out


@cache
def _may_start(first: str) -> bool:
    """Can a gazetteer variant start at a token with key `first` (exactly or by rapidfuzz)?"""
    return bool(_fuzzy_candidates(first))


@cache
def _exact_starts() -> tuple[frozenset, frozenset, frozenset]:
    """What the first two keys at a token must be for _exact_at to find a variant there: one of the
    keys of one-token variants or of glued keys (a two-token variant written as one); or the first two
    keys of a variant; or their concatenation, the start of a glued key."""
    variants = gazetteer()["variants"]
    one = frozenset(v.tokens[0] for v in variants if len(v.tokens) == 1) | frozenset(v.glued for v in variants)
    pairs = frozenset(v.tokens[:2] for v in variants if len(v.tokens) > 1)
    glued = frozenset(v.glued[:n] for v in variants for n in range(1, len(v.glued) + 1))
    return one, pairs, glued


@cache
def _exact_firsts() -> frozenset[str]:
    """Keys a token must have for _exact_at to find a variant there (a first key, or the start of a glued key)."""
    one, pairs, glued = _exact_starts()
    return one | frozenset(p[0] for p in pairs) | glued


def _exact_candidates(keys: list[str]) -> list[int]:
    """Token indices where _exact_at may find a variant (_exact_starts)."""
    one, pairs, glued = _exact_starts()
    last = len(keys) - 1
    return [i for i in positions(keys, _exact_firsts()) if (a := keys[i]) in one or i < last and (
        (a, keys[i + 1]) in pairs or a + keys[i + 1] in glued)]


def positions(items: list, wanted) -> list[int]:
    """Indices of the items that are in `wanted` (a set), in order."""
    return list(compress(range(len(items)), map(wanted.__contains__, items)))


def _fuzzy_starts(keys: list[str], noisy: bool) -> list[int]:
    """Indices of the keys with fuzzy groups (_fuzzy_groups), where _fuzzy_hits may score. In marked text
    that is a set of the gazetteer's first keys: no groups are built for the other words seen."""
    if noisy:
        return positions(keys, {k for k in set(keys) if _fuzzy_groups(k, True)})
    return positions(keys, _marked_fuzzy_firsts())


@cache
def _marked_fuzzy_firsts() -> frozenset[str]:
    """The keys whose _fuzzy_groups(key, False) are not empty: in marked text a group holds only variants
    starting with the key itself, with a threshold and at most FUZZY_TOKENS tokens."""
    return frozenset(v.tokens[0] for v in gazetteer()["variants"]
                     if v.threshold is not None and len(v.tokens) <= FUZZY_TOKENS)


@cache
def _head_initials() -> frozenset[str]:
    """First letters of the generic heads' first words (a cheap test before the printed word)."""
    return frozenset(w[:1] for w in gazetteer()["heads_by_first"])


def find_agencies(text: str, jurisdiction: str | None = None, tokens: list[Token] | None = None,
                  noisy: bool | None = None, as_of: dt.date | str | None = None) -> list[Mention]:
    """Agency mentions in `text`, left to right, resolved against the jurisdiction.

    Exact key matches first (longest at each position); rapidfuzz then only
    looks at the stretches no exact match covers, so noise never overrides a
    clean name next to it. `noisy` (default: the text is mostly unmarked) says the
    text came from OCR, restored or not: scope words need not carry their marks and
    names that need a scope may be noisier.
    """
    if tokens is None and len(text) <= SHORT_TEXT:
        return list(_find_in_short(text, jurisdiction, noisy, as_of))
    return _find_agencies(text, jurisdiction, tokens, noisy, as_of)


#: Texts up to this long (table cells, headings) have their mentions memoised: cells repeat.
SHORT_TEXT = 400


@lru_cache(maxsize=4096)
def _find_in_short(text: str, jurisdiction: str | None, noisy: bool | None,
                   as_of: dt.date | str | None) -> tuple[Mention, ...]:
    return tuple(_find_agencies(text, jurisdiction, None, noisy, as_of))


def _find_agencies(text: str, jurisdiction: str | None, tokens: list[Token] | None,
                   noisy: bool | None, as_of: dt.date | str | None = None) -> list[Mention]:
    toks = tokenize(text) if tokens is None else tokens
    home = home_of(jurisdiction)
    noisy = not is_marked_text(text) if noisy is None else noisy
    keys = list(map(itemgetter(0), toks))
    starts = _fuzzy_starts(keys, noisy)
    initials, firsts = _head_initials(), gazetteer()["heads_by_first"]
    # the tokens whose printed first letter may start a head (tested in C), then their printed word
    initial = map(initials.__contains__, map(text.__getitem__, map(itemgetter(1), toks)))
    head_starts = [i for i in compress(range(len(toks)), initial) if text[toks[i][1]:toks[i][2]] in firsts]

    central = home.jurisdiction in NATIONAL_SCOPES

    def exact(i: int, hi: int):
        hit = _exact_at(toks, keys, i, text, central)
        return _unbroken(_resolve(hit, toks, i, text, home, noisy) if hit else None, toks, text)

    def fuzzy(i: int, hi: int):
        hit = _fuzzy_at(toks, i, hi, text, hits, noisy)
        return _unbroken(_resolve(hit, toks, i, text, home, noisy, hi) if hit else None, toks, text)

    def generic(i: int, hi: int):
        return _generic_at(text, toks, i, hi, home, noisy)

    found = _fill_gaps([], len(toks), exact, _exact_candidates(keys))
    hits = _fuzzy_hits(keys, _uncovered(starts, found), noisy,
                       None if noisy else lambda k: text[toks[k][1]:toks[k][2]].lower())
    found = _fill_gaps(found, len(toks), fuzzy, sorted(hits))
    found = _fill_gaps(found, len(toks), generic, head_starts)
    found.sort(key=lambda m: m[:2])
    found = _join_owners(found, toks, text)
    found = _shared_heads(found, toks, text, home, noisy)
    out = []
    full: dict[str, Mention] = {}          # short name → the last full name it abbreviates
    shorts = gazetteer()["refers_back"]
    qualified = gazetteer()["qualified"]
    for i, j2, v, score, scope in found:
        name, juris = _canonical(v.entry, scope, home)
        if v.entry.name in qualified:
            k = j2 if noisy else _qualifier_end(text, toks, j2, limit=len(toks))
            if k == j2 and qualified[v.entry.name] == "required":
                continue
            if k > j2 and scope is None:
                name = f"{name} {' '.join(text[toks[j2].start:toks[k - 1].end].split())}"
                j2 = k
        if scope is None and v.entry.name in gazetteer()["regional"] and (r := _REGION.match(text, toks[j2 - 1].end)):
            name = f"{v.entry.name} khu vực {r.group(1).upper()}"    # "Chi cục Thuế khu vực II": no scope
            j2 = _token_end(toks, r.end())
        if scope == "home" and v.entry.name in gazetteer()["keeps_place"]:
            name = _printed_place(text, toks, i + len(v.tokens), home, noisy, name, v.entry.name)
        since = gazetteer()["national_from"].get(v.entry.name)
        if since and scope is None and as_of is not None and _as_date(as_of) >= since:
            name, juris = v.entry.name, "Việt Nam"     # "Cục Thuế" of 2025 is the ministry's department
        start, end = toks[i].start, toks[j2 - 1].end
        name = _two_level(name, text[start:end], as_of)
        m = Mention(start, end, text[start:end], name, v.entry.type, agency_id(name, juris), score, scope)
        if v.entry.name in shorts:
            p = full.get(v.entry.name)
            if p is not None and scope in (None, "home", home.unit):
                m = Mention(start, end, m.surface, p.name, p.type, p.agency_id, score, p.scope)
        elif juris != "Việt Nam":
            for short in shorts:
                if v.entry.name.startswith(short + " "):
                    full[short] = m    # "Ban Chỉ đạo thực hiện chính sách BHXH, BHYT huyện" → "Ban Chỉ đạo"
        out.append(m)
    return out


#: A region after a body with regional branches (gazetteer `regional`): " khu vực XI", " Khu vực 8".
_REGION = re.compile(r"[ \t]+(?:[Kk]hu [Vv]ực|KV)[ \t]+([IVXL]{1,5}|\d{1,2})\b")

_BREAK = re.compile(r"[.;:!?]\s*\n|\n\s*(?:[-+•*]|\d{1,2}[.)]|[a-zđ]\))\s")


def _unbroken(found: tuple | None, toks: list[Token], text: str) -> tuple | None:
    """A match that does not run over the end of a sentence into the next line or item ("liên tỉnh.\n- Ủy
    ban …" holds no "Tỉnh ủy"); a name wrapped onto the next line still matches."""
    if found is None:
        return None
    i, j2 = found[0], found[1]
    return None if j2 - i > 1 and _BREAK.search(text, toks[i].end, toks[j2 - 1].start) else found


def _named_province(scope) -> bool:
    return isinstance(scope, str) and fold(scope).startswith(("tinh ", "thanh pho ")) and len(scope.split()) > 1


@cache
def _heads_dropped() -> dict[str, dict[tuple[str, ...], Variant]]:
    """For each shared head word ("Bộ", "Sở"), the variants of its bodies without it: ("xay", "dung") → Bộ Xây
    dựng; what follows the head in "Bộ Xây dựng, Khoa học và Công nghệ" after a comma."""
    out: dict[str, dict[tuple[str, ...], Variant]] = {h: {} for h in _shared_heads_data()}
    for v in gazetteer()["variants"]:
        head = v.text.split(" ", 1)[0]
        if head in out and v.entry.name.startswith(head + " ") and len(v.tokens) > 1 \
                and v.entry.scope in ("none", "optional"):
            out[head].setdefault(v.tokens[1:], v)
    return out


def _shared_heads_data() -> dict[str, str]:
    """agencies.yaml shared_heads: a head word a list may print once for several bodies ("Bộ Xây dựng, Khoa
    học và Công nghệ"), with the collective that names them all ("Các Bộ: Ngoại giao, Công an")."""
    return gazetteer()["shared_heads"]


@cache
def _shared_head_names() -> tuple[tuple[str, ...], frozenset[str]]:
    """What a name must start with ("Bộ ", "Sở ") or be (a collective) for _shared_head_members to list
    members after it."""
    heads = _shared_heads_data()
    return tuple(h + " " for h in heads), frozenset(heads.values())


def _shared_head_members(hit: tuple, toks: list[Token], text: str) -> list[tuple]:
    """"Bộ Khoa học và Công nghệ, Xây dựng, Công Thương", "Các Bộ: Ngoại giao, Công an": the bodies that share
    the head word printed once, each a mention of its own (only names the vocabulary knows under that head)."""
    i, j2, v, score, scope = hit
    prefixes, collectives = _shared_head_names()
    if not v.entry.name.startswith(prefixes) and v.entry.name not in collectives:
        return []                       # no head word of the list below can be this name's
    head = text[toks[i].start:toks[i].end]
    if head.lower() == "các" and i + 1 < j2:
        head = text[toks[i + 1].start:toks[i + 1].end]
    head = head[:1].upper() + head[1:].lower()
    if head not in _shared_heads_data() or (not v.entry.name.startswith(head + " ")
                                            and v.entry.name != _shared_heads_data()[head]):
        return []
    table = _heads_dropped()[head]
    most = max((len(t) for t in table), default=0)
    out, k = [], j2
    while k < len(toks):
        gap = text[toks[k - 1].end:toks[k].start]
        if gap.strip() not in (",", ":") and not (not gap.strip() and toks[k].key == "va" and out):
            break
        if gap.strip() == ":" and out:
            break
        if not gap.strip():
            k += 1                                    # "... và Công Thương"
        if k >= len(toks) or not text[toks[k].start].isupper():
            break
        best = next((n for n in range(min(most, len(toks) - k), 0, -1)
                     if tuple(t.key for t in toks[k:k + n]) in table), 0)
        if not best:
            break
        out.append((k, k + best, table[tuple(t.key for t in toks[k:k + best])], score, None))
        k += best
    return out


def _named_members(hit: tuple, toks: list[Token], text: str) -> list[tuple]:
    """"Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương: Hà Tĩnh, Quảng Trị, Huế": the bodies of
    the provinces named after the collective and a colon (agencies.yaml, members_of)."""
    i, j2, v, score, _ = hit
    g = gazetteer()
    if j2 >= len(toks) or text[toks[j2 - 1].end:toks[j2].start].strip() != ":":
        return []
    base = g["variant_of"].get(g["members_of"].get(v.entry.name))
    printed = fold(text[toks[i].start:toks[j2 - 1].end])
    unit = next((u for w, u in g["named_units"].items() if printed.endswith(" " + w)), None)
    if unit and base is None and v.entry.name in g["members_of"].values():
        base = v                 # "UBND các xã: Gia Thuận, ...": the collective is the body with a scope
    if base is None:
        return []
    out, k = [], j2
    while k < len(toks):
        scope, k2 = _bare_place_at(text, toks, k, unit) if unit else _bare_province_at(text, toks, k)
        if scope is None:
            break
        out.append((k, k2, base, score, scope))
        if k2 >= len(toks):
            break
        gap = text[toks[k2 - 1].end:toks[k2].start]
        if gap.strip() == ",":
            k = k2
        elif not gap.strip() and toks[k2].key == "va":
            k = k2 + 1
        else:
            break
    return out


def _shared_heads(found: list[tuple], toks: list[Token], text: str, home: Home, noisy: bool) -> list[tuple]:
    """"UBND thành phố Hà Nội, Thành phố Hồ Chí Minh": a named province after a body scoped by another named
    province shares its head word (another mention of the same body)."""
    taken = {k for i, j2, *_ in found for k in range(i, j2)}
    out = []
    for hit in found:
        shared = [m for m in _shared_head_members(hit, toks, text) if m[0] not in taken]
        if not (shared and hit[2].entry.name in _shared_heads_data().values()):
            out.append(hit)               # "Các Bộ: Ngoại giao, Công an" names those ministries, not all of them
        out.extend(shared)
        taken.update(k for m in shared for k in range(m[0], m[1]))
        members = [m for m in _named_members(hit, toks, text) if m[0] not in taken]
        out.extend(members)
        i, j2, v, score, scope = hit
        while _named_province(scope) and j2 < len(toks) and j2 not in taken:
            gap = text[toks[j2 - 1].end:toks[j2].start]
            k = j2 + (1 if toks[j2].key == "va" and not gap.strip() else 0)
            if not (gap.strip() == "," or k > j2) or k >= len(toks) or k in taken:
                break
            scope2, k2 = _scope_at(text, toks, k, home, noisy)
            if not _named_province(scope2):
                scope2, k2 = _bare_province_at(text, toks, k)
            if not _named_province(scope2):
                break
            hit = (k, k2, v, score, scope2)
            out.append(hit)
            i, j2, v, score, scope = hit
    return sorted(out, key=lambda m: m[:2])


def _bare_place_at(text: str, toks: list[Token], k: int, unit: str) -> tuple[str | None, int]:
    """A place named by capitalised words (at most four) after a collective of `unit`, as its scope
    ("xã Gia Thuận"), or (None, k)."""
    m = 0
    while m < 4 and k + m < len(toks) and text[toks[k + m].start].isupper() and toks[k + m].key != "va" and (
            m == 0 or not text[toks[k + m - 1].end:toks[k + m].start].strip()):
        m += 1
    after = text[toks[k + m - 1].end:toks[k + m].start] if m and k + m < len(toks) else "\n"
    if not m or not (after.strip()[:1] in (",", ";", ".") or "\n" in after or toks[k + m].key == "va"):
        return None, k           # a name ends at a separator: "UBND các xã: Chủ động ..." names none
    return f"{unit} {text[toks[k].start:toks[k + m - 1].end]}", k + m


def _bare_province_at(text: str, toks: list[Token], k: int) -> tuple[str | None, int]:
    """A province named without its unit word ("…, Hòa Bình, Cần Thơ") as a scope with its unit
    ("tỉnh Hòa Bình", "thành phố Cần Thơ"), or (None, k)."""
    units = _province_units()
    for m in (4, 3, 2, 1):
        words = toks[k:k + m]
        if len(words) == m and all(text[t.start].isupper() for t in words):
            unit = units.get(" ".join(t.key for t in words))
            if unit:
                return f"{unit} {text[words[0].start:words[-1].end]}", k + m
    return None, k


@cache
def _province_units() -> dict[str, str]:
    """Province name key (and alias keys) -> its unit word (places.yaml)."""
    out = {}
    for p in provinces():
        for n in [p["name"], *(p.get("aliases") or [])]:
            out.setdefault(" ".join(key(n).split()), p["unit"])
    return out


TWO_LEVEL_FROM = dt.date(2025, 7, 1)
OLD_COMMUNES, NEW_COMMUNES = "các xã, phường, thị trấn", "các xã, phường"


def _as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _two_level(name: str, surface: str, as_of: dt.date | str | None) -> str:
    """From 1 July 2025 there are no thị trấn: "UBND cấp xã" in a plan of that date is "Ủy ban nhân
    dân các xã, phường" (unless "thị trấn" is printed; "đặc khu" is only kept where printed)."""
    if not name.endswith(OLD_COMMUNES) or as_of is None or "thị trấn" in surface.lower():
        return name
    date = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)[:10])
    return name[:-len(OLD_COMMUNES)] + NEW_COMMUNES if date >= TWO_LEVEL_FROM else name


def _printed_place(text: str, toks: list[Token], k: int, home: Home, noisy: bool, name: str, base: str) -> str:
    """"Báo và Phát thanh, Truyền hình Sơn La": a body named after its province keeps the place
    name as printed (gazetteer `keeps_place`); "... tỉnh" stays as it is."""
    if k >= len(toks) or not text[toks[k].start].isupper():
        return name
    _, k3 = _scope_at(text, toks, k, home, noisy)
    if k3 <= k or _unit_at(text, toks, k, noisy)[0] is not None:
        return name
    return f"{base} {' '.join(text[toks[k].start:toks[k3 - 1].end].split())}"


def _join_owners(found: list[tuple], toks: list[Token], text: str) -> list[tuple]:
    """An unlisted board followed by the party committee it belongs to is one body: "Ban Tuyên giáo
    và Dân vận" + "Tỉnh ủy" → "Ban Tuyên giáo và Dân vận Tỉnh ủy" (gazetteer `owner_bodies`)."""
    owners = gazetteer()["owner_bodies"]
    out: list[tuple] = []
    for m in found:
        if out:
            i, j2, v, score, scope = out[-1]
            if (v.entry.scope == "free" and v.entry.scoped_as is None and score == 0.6 and scope is None
                    and m[0] == j2 and m[2].entry.name in owners and m[2].text == m[2].entry.name
                    and text[toks[j2 - 1].end:toks[m[0]].start] == " "):
                printed = f"{v.entry.name} {m[2].entry.name}"
                entry = Entry(printed, v.entry.type, "free", False, True, None)
                out[-1] = (i, m[1], Variant(v.tokens + m[2].tokens, printed, printed, entry), score, None)
                continue
        out.append(m)
    return out


def _generic_at(text: str, toks: list[Token], i: int, limit: int, home: Home, noisy: bool):
    """An agency not in the gazetteer: a capitalized head word ("Trung tâm", "Phòng") followed by
    capitalized words, joined by "và" or "-" ("Trung tâm Văn hóa - Thể thao và Truyền thông")."""
    first = text[toks[i].start:toks[i].end] if i < len(toks) else None
    for head, typ in gazetteer()["heads_by_first"].get(first, ()):
        n = len(head)
        words = [text[t.start:t.end] for t in toks[i:i + n]]
        if words != list(head) or i + n >= limit:
            continue
        j = i + n
        last, after_capital, lower, commas = None, False, 0, 0
        while j < limit:
            gap = text[toks[j - 1].end:toks[j].start]
            word = text[toks[j].start:toks[j].end]
            if (gap.strip() == "," and "\n" not in gap and last == j and commas < 2
                    and _name_goes_on(text, toks, j, limit)):
                commas += 1                              # "Cục Văn hóa cơ sở, Gia đình và Thư viện"
                last, after_capital, lower = j + 1, True, 0
                j += 1
                continue
            if (gap.strip() == "," and "\n" not in gap and last == j and commas < 2 and not noisy
                    and (k := _lower_pair_end(text, toks, j, limit))):
                commas += 1                              # "Cục Văn hóa cơ sở, gia đình và thư viện"
                last = j = k
                after_capital, lower = False, 0
                continue
            if gap.strip() not in ("", "-") or "\n" in gap:
                break
            if word[:1].isupper():
                last, after_capital, lower = j + 1, True, 0
            elif (after_capital and word != "và" and not _stop_at(toks, j, limit, phrases_only=True)
                  and (noisy or not _printed_phrase_at(text, toks, j, gazetteer()["name_stops"]))):
                last, after_capital = j + 1, False      # second syllable of a compound: "Văn hóa"
                # (not a verb or function word printed as such: "Cục Đăng kiểm Việt Nam | có trách nhiệm")
            elif word != "và" and last is not None and (k := _bridge(text, toks, j, limit)):
                j = k                                    # "Trung tâm Chuyển đổi số Thành phố"
                continue
            elif (word != "và" and last == j and lower < 3 and not noisy
                  and _lower_continues(text, toks, j, limit, noisy)):
                last, lower = j + 1, lower + 1           # sentence case: "Vụ Tổ chức cán bộ"
            elif word != "và" or last is None:
                break
            else:
                after_capital = False
            j += 1
        if last is None:
            continue                      # "Ban Quản lý khu Kinh tế": the shorter head "Ban" may still name it
        printed = " ".join(text[toks[i].start:toks[last - 1].end].split())
        folded = key(printed)
        if any(fuzz.ratio(folded[:len(x)], x) >= (85 if noisy else 100) for x in gazetteer()["generic_not"]):
            return None
        entry = Entry(printed, typ, "free", False, True, None)
        v = Variant(tuple(t.key for t in toks[i:last]), printed, printed, entry)
        scope, j2 = _scope_at(text, toks, last, home, noisy)
        if j2 > limit:
            scope, j2 = None, last
        j2 += _seq_at(toks, j2, gazetteer()["trailing"])
        return (i, j2, v, 0.6, scope)
    return None


def _name_goes_on(text: str, toks: list[Token], k: int, limit: int) -> bool:
    """After a comma inside an unlisted name, a capitalised word that starts no other agency (no head
    word, no listed name, no place) still belongs to the name ("Vụ Kế hoạch, Tài chính")."""
    word = text[toks[k].start:toks[k].end]
    if not word[:1].isupper() or word.isupper() or word in gazetteer()["heads_by_first"] \
            or _seq_at(toks, k, gazetteer()["titles"]):     # ", Thủ trưởng các cơ quan": the next party
        return False
    keys = [t.key for t in toks[k:min(limit, k + 16)]]
    return _exact_at(toks[k:k + len(keys)], keys, 0, text) is None and " ".join(keys[:2]) not in _province_keys() \
        and keys[0] not in _province_keys()


def _lower_pair_end(text: str, toks: list[Token], k: int, limit: int, most: int = 3) -> int | None:
    """After a comma inside an unlisted name, "y và z" in lower case closing the name ("Cục Văn hóa cơ
    sở, gia đình và thư viện"): the token after z when the name ends there (punctuation, a line end,
    or a verb), else None."""
    j, seen_and = k, False
    while j < limit and j - k <= 2 * most + 1:
        word = text[toks[j].start:toks[j].end]
        gap = text[toks[j - 1].end:toks[j].start] if j > k else ""
        if gap.strip() not in ("", "-") or "\n" in gap:
            return j if seen_and and text[toks[j - 1].start:toks[j - 1].end] != "và" else None
        if word[:1].isupper() or any(ch.isdigit() for ch in word):
            return None
        if word == "và":
            if seen_and or j == k:
                return None
            seen_and = True
        elif _stop_at(toks, j, limit) or not _lower_continues(text, toks, j, limit, False):
            return j if seen_and and text[toks[j - 1].start:toks[j - 1].end] != "và" else None
        j += 1
    return j if seen_and and j == limit and text[toks[j - 1].start:toks[j - 1].end] != "và" else None


def _lower_continues(text: str, toks: list[Token], k: int, limit: int, noisy: bool) -> bool:
    """A lower-case word at k still belongs to an unlisted name: no verb or function word, scope,
    trailing or vague phrase starts there."""
    g = gazetteer()
    return not (_printed_phrase_at(text, toks, k, g["name_stops"])
                or _unit_at(text, toks, k, noisy)[0] is not None or _seq_at(toks, k, g["trailing"])
                or _seq_at(toks, k, g["vague"]) or _seq_at(toks, k, g["scope_keys"]))


def _stop_at(toks: list[Token], k: int, limit: int, phrases_only: bool = False) -> bool:
    """A verb or function word at token k. `phrases_only`: two-word stops only ("phối hợp"), since one
    folded syllable may be part of a name ("giáo" in "Tuyên giáo" folds like the verb "giao")."""
    stops = gazetteer()["bridge_stops"]
    return (not phrases_only and toks[k].key in stops) or (
        k + 1 < limit and f"{toks[k].key} {toks[k + 1].key}" in stops)


def _bridge(text: str, toks: list[Token], j: int, limit: int, most: int = 3) -> int | None:
    """Index of the capitalised word that lower-case words at j lead to inside one name ("số" in
    "Trung tâm Chuyển đổi số Thành phố"), or None when a stop word or punctuation comes first."""
    for k in range(j, min(limit, j + most + 1)):
        gap = text[toks[k - 1].end:toks[k].start]
        if gap.strip() not in ("", "-") or "\n" in gap:
            return None
        if text[toks[k].start:toks[k].start + 1].isupper():
            return k if k > j else None
        if _stop_at(toks, k, limit):
            return None
    return None


def _listed_after(text: str, toks: list[Token], j: int) -> bool:
    """A comma, semicolon or bracket before a capitalised token j: a list goes on, and what follows is no scope
    of the name before it ("Bộ Công an, Bộ Quốc phòng"); `_shared_heads` reads a named province after a comma
    itself, and a lower-case collective scope may still follow one ("…, các xã, phường")."""
    return 0 < j < len(toks) and text[toks[j].start].isupper() and any(
        c in text[toks[j - 1].end:toks[j].start] for c in ",;(")


def _resolve(hit, toks, i, text, home, noisy, limit=None):
    """(start token, end token, variant, score, scope) with scope and trailing words, or None."""
    v, j, score = hit
    scope, j2 = _scope_at(text, toks, j, home, noisy) if not _listed_after(text, toks, j) else (None, j)
    if limit is not None and j2 > limit:
        scope, j2 = None, j
    if scope is None and v.entry.scope == "central_only" and v.joined == _joined_name(v.entry.name):
        scope = IN_FULL
    if _canonical(v.entry, scope, home) is None:
        return None
    j2 += _seq_at(toks, j2, gazetteer()["trailing"])
    if score == 1.0 and text[toks[i].start:toks[j - 1].end].lower() != v.text.lower():
        score = 0.95
    return (i, j2, v, score, scope)


@lru_cache(maxsize=1024)
def _joined_name(name: str) -> str:
    """An entry's name as a variant's joined key (is the variant the name printed in full?)."""
    return " ".join(token_keys(name))


def resolve_agency(surface: str, jurisdiction: str | None = None) -> Agency | None:
    """The agency a surface names ("Sở LĐTB&XH", "Cuc Thué Ha Noi"), or None.

    A lone surface has no context to tell OCR from clean text, so it is read leniently.
    """
    ms = find_agencies(surface, jurisdiction, noisy=True)
    if not ms:
        return None
    m = max(ms, key=lambda x: x.end - x.start)
    if (m.end - m.start) < 0.6 * len(surface.strip()):
        return None
    return m.agency


def is_province(phrase: str) -> bool:
    """A province's name ("Hà Nội", "Thành phố Đà Nẵng", "tỉnh Nghệ An")."""
    bare = re.sub(r"^(?:[Tt]hành phố|[Tt]ỉnh)\s+", "", phrase.strip())
    return " ".join(token_keys(bare)) in _province_keys()


def not_a_body(phrase: str) -> bool:
    """A capitalised stretch that names no body: a place ("Việt Nam", "Hà Nội") or a thing the generic heads
    exclude ("Bộ Từ điển dữ liệu", "Hội nghị")."""
    k = " ".join(token_keys(phrase))
    toks = tokenize(phrase)
    return (k in _province_keys() or k == "viet nam" or any(key(phrase).startswith(x) for x in gazetteer()["generic_not"])
            or (bool(toks) and vague_at(toks, 0) == len(toks)))


@cache
def central_collectives() -> frozenset[str]:
    """Names that only a central document gives ("các địa phương" of a Government plan are the provinces'
    committees): there they are bodies even where elsewhere the words are a vague party."""
    entries = {v.entry for v in gazetteer()["variants"]}
    return frozenset(e.name if e.scope == "central_only" else e.central_name
                     for e in entries if e.scope == "central_only" or e.central_name)


def vague_at(toks: list[Token], j: int) -> int:
    """Token length of a vague party ("các đơn vị có liên quan") at token j, 0 if none."""
    return _seq_at(toks, j, gazetteer()["vague"])


def title_at(toks: list[Token], j: int) -> int:
    """Token length of a title ("Giám đốc", "Chủ tịch") at token j, 0 if none."""
    return _seq_at(toks, j, gazetteer()["titles"])


# ---------------------------------------------------------------- the agencies table


@cache
def history() -> dict[str, dict]:
    """agency_history.yaml by name: level, valid_from, predecessors (with the date they ended)."""
    data = read_yaml(DATA / "agency_history.yaml")
    out: dict[str, dict] = {}
    for c in data["changes"]:
        e = out.setdefault(c["name"], {"level": c["level"], "valid_from": None, "predecessors": [],
                                       "successors": [], "valid_to": None})
        e["valid_from"] = c.get("valid_from") or e["valid_from"]
        for p in c.get("predecessors") or []:
            e["predecessors"].append(p)
            pe = out.setdefault(p, {"level": c["level"], "valid_from": None, "predecessors": [],
                                    "successors": [], "valid_to": None})
            pe["successors"].append(c["name"])
            start = c.get("valid_from") or c.get("since")
            if start is not None:
                end = start - dt.timedelta(days=1)
                pe["valid_to"] = max(pe["valid_to"], end) if pe["valid_to"] else end
    return out


@cache
def _vocabulary_names() -> tuple[tuple[str, ...], dict[str, Entry]]:
    entries = {v.entry.name: v.entry for v in gazetteer()["variants"]}
    return tuple(sorted(entries, key=len, reverse=True)), entries


@cache
def _folded_names() -> tuple[tuple[str, str], ...]:
    """(folded name, name) of the gazetteer's entries, longest name first (_vocabulary_names)."""
    return tuple((fold(n), n) for n in _vocabulary_names()[0])


@cache
def _folded_names_by_initial() -> dict[str, tuple[tuple[str, str], ...]]:
    """_folded_names by the first character of the folded name (the only ones that may start a text)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for fn, n in _folded_names():
        out.setdefault(fn[:1], []).append((fn, n))
    return {c: tuple(names) for c, names in out.items()}


@lru_cache(maxsize=4096)
def _entry_of(name: str) -> Entry | None:
    """The gazetteer entry whose name (the longest such) starts `name`, folded (memoised: the same
    bodies come back in every document)."""
    f = fold(name)
    entries = _vocabulary_names()[1]
    return next((entries[n] for fn, n in _folded_names_by_initial().get(f[:1], ()) if f.startswith(fn)), None)


def _level(name: str, national: bool) -> str:
    f = fold(name)
    if national:
        return "central"
    if "xa, phuong" in f or "phuong, xa" in f or f.endswith((" xa", " phuong")):
        return "commune"
    if "quan, huyen" in f or f.endswith((" huyen", " quan")):
        return "district"
    return "province"


def agency_rows(agencies: list[tuple[str, str, str]], jurisdiction: str | None) -> list[dict]:
    """Rows of the `agencies` table for (agency_id, name, type) met in a document, with their known
    predecessors and successors (agency_history.yaml), so a query can follow a duty across 2025."""
    hist = history()
    todo = list(agencies)
    rows: dict[str, dict] = {}
    while todo:
        aid, name, typ = todo.pop()
        if aid in rows:
            continue
        national = aid.endswith("@viet-nam") or "@" not in aid and jurisdiction is None
        entry = _entry_of(name)
        national = national or bool(entry and entry.national)
        juris = "Việt Nam" if national else jurisdiction
        h = hist.get(name, {})
        link = lambda n: agency_id(n, juris)  # noqa: E731
        rows[aid] = {
            "agency_id": aid, "name": name, "agency_type": typ, "level": h.get("level") or _level(name, national),
            "jurisdiction": juris, "valid_from": h.get("valid_from"), "valid_to": h.get("valid_to"),
            "predecessor_ids": sorted(link(n) for n in h.get("predecessors", [])),
            "successor_ids": sorted(link(n) for n in h.get("successors", [])),
            "source": "vocabulary" if entry is not None else "text",
        }
        for n in h.get("predecessors", []) + h.get("successors", []):
            other = _entry_of(n)
            todo.append((link(n), n, other.type if other else typ))
    return [rows[k] for k in sorted(rows)]
