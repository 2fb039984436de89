"""Decode text inputs and repair PDF text layers set in legacy Vietnamese encodings.

Vietnamese documents older than Unicode come in four legacy encodings besides
UTF-8/UTF-16: Windows-1258 (base letters + combining tone marks), TCVN3 (ABC,
the .VnTime fonts), VNI-Windows (VNI-Times fonts: base letter + a mark byte
from the Latin-1 range) and VISCII. Nearly any byte string decodes in all of
them, so the encoding is chosen by decoding the head of the input (16,000
characters) with each and counting how many of its non-ASCII words are
Vietnamese syllables (`diacritics.inventory`, plus where the tone sits:
`is_written_syllable`); all-capital non-syllables (HĐND) are abbreviations
and do not count. Ties go to TCVN3, then VNI, Windows-1258, VISCII, roughly
how common they are in old government files. A one-word input can stay
ambiguous (năm in Windows-1258 reads nóm in TCVN3, both syllables).

Conversion tables are data files in data/encodings/ (legacy bytes -> Unicode):

* tcvn3.tsv is TCVN 5712:1993 VN1, a superset of the VN3 set that ABC fonts
  use. VN3 has no uppercase toned vowels: the .VnTimeH caps fonts draw the
  lowercase codes as capitals. VN1 puts those capitals at 0x80-0x9F, at a few
  control bytes (0x01-0x17) and at the high bytes VN3 leaves free; we decode
  and encode with VN1, so capitals round-trip exactly. Real VN3 files saved
  from Windows hold Windows-1252 quotes and dashes at 0x80-0x9F instead, so
  the decoder also tries that reading (same name, tcvn3) and keeps the one
  whose words score better, the VN3 reading on a tie. When the decoded text
  has no toned capital VN3 lacks, a line with no ASCII lowercase letter and a
  word like HOạCH is taken as a .VnTimeH line and upper-cased (KẾ HOẠCH).
* vni.tsv holds the VNI letters; other bytes follow Windows-1252.
* viscii.tsv is VISCII 1.1 (RFC 1456).
* Windows-1258 uses Python's cp1258 codec; its output is NFC-normalized.

`encode_legacy` inverts the tables (tests use it for round trips). Where a
code page has no byte for a character, substitutions.tsv writes the nearest
ASCII: TCVN3 (VN1) and VISCII have no room for “ ” ‘ ’ – — … •, which become
" ' - ..., and VISCII turns the no-break space into a space. VNI and
Windows-1258 keep them at their Windows-1252 bytes, so those round trips are
exact.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from diacritics.inventory import is_vietnamese_syllable, place_tone, split_tone

DATA = Path(__file__).resolve().parent / "data" / "encodings"
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1258", "tcvn3", "vni", "viscii")
LEGACY = ("cp1258", "tcvn3", "vni", "viscii")

BINARY_MESSAGE = (
    "file is binary, not text ({why}): check it is really a .txt; "
    "convert Word files to .docx or PDF"
)
UNKNOWN_MESSAGE = (
    "not Vietnamese text in UTF-8, Windows-1258, TCVN3, VNI or VISCII; "
    "open it in a text editor and save it as UTF-8"
)

_WORD = re.compile(r"[^\W\d_]+")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_VN3_CAPITALS = frozenset("ĂÂÊÔƠƯĐ")


class EncodingError(ValueError):
    """The bytes are not text in any encoding we know."""


def _cp1252_c1() -> dict[int, str]:
    out = {}
    for b in range(0x80, 0xA0):
        try:
            out[b] = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            pass
    return out


_CP1252_C1 = _cp1252_c1()


def _read_tsv(name: str) -> list[list[str]]:
    rows = []
    with open(DATA / name, encoding="utf-8") as f:
        header_seen = False
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            if not header_seen:
                header_seen = True
                continue
            rows.append(line.rstrip("\n").split("\t"))
    return rows


@lru_cache(maxsize=None)
def load_table(name: str) -> dict[str, str]:
    """Legacy byte sequence (as Latin-1 characters) -> Unicode character."""
    table = {}
    for hex_bytes, codepoint, *_ in _read_tsv(f"{name}.tsv"):
        legacy = "".join(chr(int(h, 16)) for h in hex_bytes.split())
        table[legacy] = chr(int(codepoint[2:], 16))
    return table


@lru_cache(maxsize=None)
def misdecoded() -> dict[str, str]:
    """Letters a broken font or conversion prints for a Vietnamese letter (misdecoded.tsv), printed → meant."""
    return {printed: letter for printed, _code, letter in _read_tsv("misdecoded.tsv")}


@lru_cache(maxsize=None)
def substitutions(encoding: str) -> dict[int, str]:
    """Replacements `encode_legacy` makes for characters `encoding` cannot hold."""
    return {
        int(codepoint[2:], 16): replacement
        for enc, codepoint, _char, replacement in _read_tsv("substitutions.tsv")
        if enc == encoding
    }


# A decoder reads bytes, or text whose legacy bytes were shown as Latin-1 or
# Windows-1252 characters (PDF mojibake); other characters pass through.

def _byte_chars() -> dict[int, str]:
    """Latin-1 character of each byte, plus the Windows-1252 characters of 0x80-0x9F."""
    chars = {b: chr(b) for b in range(256)}
    chars.update({b: ch for b, ch in _CP1252_C1.items()})
    return chars


_BYTE_CHAR_ENCODING = codecs.charmap_build("".join(_byte_chars()[b] for b in range(256)))


class _Decoder:
    """One reading of legacy bytes: a single-byte table, VNI's letter+mark sequences or cp1252."""

    def __init__(self, name: str, rank: int, table: dict[int, str] | None = None, vni: bool = False):
        self.name = name
        self.rank = rank
        self.vni = vni
        self.charmap = None
        self.char_map: dict[int, str] = {}
        if table is not None:
            self.charmap = "".join(table.get(b, chr(b)) for b in range(256))
            for b, ch in _byte_chars().items():
                if table.get(b, chr(b)) != ch:
                    self.char_map[ord(ch)] = table.get(b, chr(b))
                if ch != chr(b):
                    self.char_map[b] = table.get(b, chr(b))

    def decode_bytes(self, data: bytes) -> str:
        if self.charmap is None:
            return data.decode("cp1258")
        text = codecs.charmap_decode(data, "strict", self.charmap)[0]
        return _vni_sequences(text) if self.vni else text

    def decode_chars(self, text: str) -> str:
        try:
            return self.decode_bytes(codecs.charmap_encode(text, "strict", _BYTE_CHAR_ENCODING)[0])
        except UnicodeEncodeError:
            text = text.translate(self.char_map)
            return _vni_sequences(text) if self.vni else text


def _table_bytes(name: str) -> dict[int, str]:
    return {ord(k): v for k, v in load_table(name).items() if len(k) == 1}


@lru_cache(maxsize=None)
def _vni_parts() -> tuple[re.Pattern, dict[str, str]]:
    table = load_table("vni")
    lookup = dict(table)
    for legacy, letter in table.items():
        if len(legacy) == 2:
            base, mark = legacy
            for m in (mark.lower(), mark.upper()):
                lookup.setdefault(base + m, letter)
    bases = sorted({k[0] for k in table if len(k) == 2})
    marks = sorted({c for k in table if len(k) == 2 for c in (k[1].lower(), k[1].upper())})
    singles = sorted(k for k in table if len(k) == 1)
    pattern = re.compile(
        "[" + re.escape("".join(bases)) + "][" + re.escape("".join(marks)) + "]"
        "|[" + re.escape("".join(singles)) + "]"
    )
    return pattern, lookup


def _vni_sequences(text: str) -> str:
    pattern, lookup = _vni_parts()

    def letter(m: re.Match) -> str:
        s = m.group()
        if s in lookup:
            return lookup[s]
        return lookup.get(s[0], s[0]) + s[1:]

    return pattern.sub(letter, text)


@lru_cache(maxsize=None)
def _decoders() -> dict[str, _Decoder]:
    """Readings by key; a tie between scores goes to the higher rank."""
    vn1 = _table_bytes("tcvn3")
    vn3 = {**vn1, **{b: _CP1252_C1.get(b, chr(b)) for b in range(0x80, 0xA0)}}
    return {
        "vn3": _Decoder("tcvn3", 5, vn3),
        "vn1": _Decoder("tcvn3", 4, vn1),
        "vni": _Decoder("vni", 3, {b: _CP1252_C1.get(b, chr(b)) for b in range(0x80, 0xA0)}, vni=True),
        "cp1258": _Decoder("cp1258", 2),
        "viscii": _Decoder("viscii", 1, _table_bytes("viscii")),
    }


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_STOP_FINALS = ("c", "ch", "p", "t")


@lru_cache(maxsize=None)
def _syllable_chars() -> frozenset[str]:
    """Letters a Vietnamese syllable is spelled with: ASCII and the 134 marked letters."""
    ascii_letters = "abcdefghijklmnopqrstuvwxyz"
    return frozenset(ascii_letters + ascii_letters.upper()) | frozenset(load_table("viscii").values())


@lru_cache(maxsize=65536)
def is_written_syllable(word: str) -> bool:
    """A Vietnamese syllable as writers mark it: the inventory's test, plus where the tone sits.

    The tone must be where either spelling puts it (hòa or hoà, thủy or thuỷ),
    and a syllable closed by c/ch/p/t must carry sắc or nặng, so misread
    bytes (sơì for số, đơt for đạt) do not pass as words.
    """
    if len(word) > 7 or not _syllable_chars().issuperset(word) or not is_vietnamese_syllable(word):
        return False
    lower = word.lower()
    base, tone = split_tone(lower)
    if tone == 0:
        return not base.endswith(_STOP_FINALS)
    return place_tone(base, tone) == lower or base.endswith(("oa", "oe", "uy"))


def syllable_score(text: str, lone_capitals: frozenset[str] = frozenset()) -> tuple[int, int]:
    """(Vietnamese syllables, other words) among the NFC text's non-ASCII words.

    A one-letter capital word counts only if it is in `lone_capitals`: it is
    as often a misread byte as a word. An all-capital word that is no syllable
    (HĐND, LĐTB) is an abbreviation and not counted against.
    """
    good = bad = 0
    for word, n in Counter(_WORD.findall(text)).items():
        if word.isascii():
            continue
        if len(word) == 1 and word.isupper() and word not in lone_capitals:
            continue
        if is_written_syllable(word):
            good += n
        elif not word.isupper():
            bad += n
    return good, bad


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")
_C1_CHAR = re.compile("[\x80-\x9f" + re.escape("".join(_CP1252_C1.values())) + "]")
_C1_BYTES = re.compile(b"[\x80-\x9f]")
_LEGACY_CHAR = re.compile("[\x80-\xff" + re.escape("".join(_CP1252_C1.values())) + "]")
_BEYOND_LEGACY = re.compile("[^\x00-\xff" + re.escape("".join(_CP1252_C1.values())) + "]")
SAMPLE_CHARS = 16_000
MIN_FOREIGN_SHARE = 0.3


def _looks_binary(text: str) -> bool:
    if not _CONTROL.search(text):
        return False
    n = len(_CONTROL.findall(text))
    return n > 2 and n > len(text) / 100


def _sample(data):
    """The head of a long input, cut at a line end: enough words to choose an encoding."""
    if len(data) <= SAMPLE_CHARS:
        return data
    newline = "\n" if isinstance(data, str) else b"\n"
    cut = data.rfind(newline, 0, SAMPLE_CHARS)
    return data[: cut if cut > SAMPLE_CHARS // 2 else SAMPLE_CHARS]


_COMMON_PUNCTUATION_BYTES = (0x85, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97)
_PUNCTUATION_IN_WORD = re.compile(
    r"(?<=[^\W\d_])["
    + re.escape("".join(ch for b, ch in _CP1252_C1.items() if b != 0x92))
    + r"](?=[^\W\d_])"
)


@lru_cache(maxsize=None)
def _vn1_lone_capitals() -> frozenset[str]:
    """VN1 capitals at 0x80-0x9F that may stand alone (Ở cấp xã), not those on … ‘ ’ “ ” • – —."""
    table = load_table("tcvn3")
    return frozenset(
        table[chr(b)] for b in range(0x80, 0xA0) if b not in _COMMON_PUNCTUATION_BYTES
    )


def _first_lines_with(lines: list, pattern: re.Pattern) -> list:
    """The lines `pattern` finds something in, up to SAMPLE_CHARS in all."""
    out, size = [], 0
    for line in lines:
        if pattern.search(line):
            out.append(line)
            size += len(line) + 1
            if size > SAMPLE_CHARS:
                break
    return out


def _tcvn3_reading(data) -> _Decoder:
    """VN1 (capitals at 0x80-0x9F) or VN3 (Windows-1252 punctuation there).

    Decided on the first lines holding such bytes; a tie goes to VN3, the ABC fonts' set.
    """
    decoders = _decoders()
    if isinstance(data, bytes):
        lines = b"\n".join(_first_lines_with(data.split(b"\n"), _C1_BYTES))
    else:
        lines = "\n".join(_first_lines_with(data.split("\n"), _C1_CHAR))

    def read(decoder: _Decoder) -> str:
        return _nfc(decoder.decode_bytes(lines) if isinstance(lines, bytes) else decoder.decode_chars(lines))

    if not lines:
        return decoders["vn3"]
    g1, b1 = syllable_score(read(decoders["vn1"]), _vn1_lone_capitals())
    vn3 = read(decoders["vn3"])
    g3, b3 = syllable_score(vn3)
    b3 += len(_PUNCTUATION_IN_WORD.findall(vn3))
    return decoders["vn1"] if g1 - b1 > g3 - b3 else decoders["vn3"]


def _candidates(data, with_cp1258: bool) -> list[_Decoder]:
    decoders = _decoders()
    out = [_tcvn3_reading(data), decoders["vni"], decoders["viscii"]]
    return out + [decoders["cp1258"]] if with_cp1258 else out


def _caps_font_word(word: str) -> bool:
    """HOạCH: capitals around a lowercase toned letter, as a .VnTimeH font shows them."""
    return sum(ch.isupper() for ch in word) >= 2 and any(ch.islower() for ch in word)


def _restore_vn3_capitals(text: str) -> str:
    """Upper-case lines typed in a .VnTimeH caps font (lowercase codes, capital glyphs).

    Only for text with no toned capital VN3 lacks, and only lines with no ASCII
    lowercase letter and at least one word like HOạCH (Số: 12/KH stays as it is).
    """
    if any(ch.isupper() and not ch.isascii() and ch not in _VN3_CAPITALS for ch in text):
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if any("a" <= ch <= "z" for ch in line):
            continue
        if any(_caps_font_word(w) for w in _WORD.findall(line)):
            lines[i] = line.upper()
    return "\n".join(lines)


def _finish(name: str, text: str) -> str:
    return _restore_vn3_capitals(text) if name == "tcvn3" else text


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NUL bytes sit on one side of the byte pairs."""
    head = data[:4096]
    if len(data) % 2 or len(head) < 4:
        return None
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    pairs = len(head) // 2
    if odd > pairs * 0.25 and even < pairs * 0.02:
        return "utf-16-le"
    if even > pairs * 0.25 and odd < pairs * 0.02:
        return "utf-16-be"
    return None


def _checked(text: str, name: str) -> tuple[str, str]:
    if _looks_binary(text):
        raise EncodingError(BINARY_MESSAGE.format(why="control characters"))
    return _nfc(text), name


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (NFC text, encoding name), the name one of ENCODINGS.

    UTF-8 text holding legacy mojibake (copied from a .VnTime document) is
    repaired and reported under the legacy name.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as e:
            raise EncodingError(
                f"UTF-8 byte-order mark, but not valid UTF-8 ({e.reason} at byte {e.start + 3}): "
                "save the file again as UTF-8"
            ) from e
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as e:
            raise EncodingError(BINARY_MESSAGE.format(why="UTF-16 mark, but invalid UTF-16")) from e
    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        if codec is None:
            raise EncodingError(BINARY_MESSAGE.format(why="NUL bytes"))
        try:
            return _checked(data.decode(codec), "utf-16")
        except UnicodeDecodeError as e:
            raise EncodingError(BINARY_MESSAGE.format(why="NUL bytes")) from e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)[:2]
    text = _nfc(text)
    if _CONTROL.search(text):
        legacy = _legacy_if_better(data, text)
        if legacy:
            return legacy
    fixed, name = fix_legacy_text(text)
    return _checked(fixed, name) if name else _checked(text, "utf-8")


def _legacy_if_better(data: bytes, text: str) -> tuple[str, str] | None:
    """Valid UTF-8 with control bytes may be VN1 or VISCII capitals (PHỤ LỤC): decoded so if it reads better."""
    try:
        legacy_text, name, legacy_score = _decode_legacy(data)
    except EncodingError:
        return None
    good, bad = syllable_score(text)
    return (legacy_text, name) if legacy_score > good - bad else None


def _best(readings) -> tuple[tuple[int, int, int], _Decoder] | None:
    best = None
    for decoder, text in readings:
        if text is None or _looks_binary(text):
            continue
        good, bad = syllable_score(text)
        key = (good - bad, good, decoder.rank)
        if best is None or key > best[0]:
            best = (key, decoder)
    return best


def _decode_legacy(data: bytes) -> tuple[str, str, int]:
    """(text, encoding, score of the sample) of the best legacy reading."""
    sample = _sample(data)

    def read(decoder: _Decoder) -> str | None:
        try:
            return _nfc(decoder.decode_bytes(sample))
        except UnicodeDecodeError:
            return None

    best = _best((d, read(d)) for d in _candidates(data, with_cp1258=True))
    if best is None:
        raise EncodingError(BINARY_MESSAGE.format(why="control characters"))
    (score, good, _), decoder = best
    bad = good - score
    if (good + bad >= 3 and good < bad) or (good == 0 and sum(b >= 0x80 for b in sample) >= 20):
        raise EncodingError(UNKNOWN_MESSAGE)
    try:
        text = _nfc(decoder.decode_bytes(data))
    except UnicodeDecodeError as e:
        raise EncodingError(f"not valid {decoder.name} at byte {e.start}: save the file as UTF-8") from e
    if _looks_binary(text):
        raise EncodingError(BINARY_MESSAGE.format(why="control characters"))
    return _finish(decoder.name, text), decoder.name, score


def decode_as(data: bytes, encoding: str) -> str:
    """NFC text of `data` read in a named encoding (tcvn3 as VN1), for a known encoding."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}: use one of {', '.join(ENCODINGS)}")
    if encoding in LEGACY:
        return _nfc(_decoders()["vn1" if encoding == "tcvn3" else encoding].decode_bytes(data))
    return _nfc(data.decode(encoding))


@lru_cache(maxsize=None)
def _unicode_vietnamese() -> frozenset[str]:
    """Characters correct Vietnamese text holds beyond ASCII: the 134 letters and typographic punctuation."""
    return frozenset(load_table("viscii").values()) | frozenset(_EDGE_PUNCTUATION)


_EDGE_PUNCTUATION = "“”‘’–—…•\u00a0" + "\"'()[]{},.;:!?-*"


def _foreign_share(text: str) -> float:
    """Share of non-ASCII words holding a character Unicode Vietnamese does not use (¸ ® Ö ñ ø).

    Quotes and dashes count as foreign only inside a word (N“I).
    """
    return _word_share(text) if _any_foreign_word(text) else 0.0


def _word_share(text: str) -> float:
    """`_foreign_share` with every word looked at (what its shortcut must equal)."""
    total = foreign = 0
    for word, n in Counter(text.split()).items():
        word = word.strip(_EDGE_PUNCTUATION)
        if word.isascii():
            continue
        total += n
        if _foreign_char().search(word):
            foreign += n
    return foreign / total if total else 0.0


def _any_foreign_word(text: str) -> bool:
    """Whether a word of `text` holds a foreign character once stripped of its edge punctuation, as
    `_foreign_share` counts them: only the words around the foreign characters are looked at (most
    texts have none but quotes and dashes at word edges: 0.03 s of the dev plans' ingest)."""
    foreign, n, end = _foreign_char(), len(text), 0
    for m in foreign.finditer(text):
        if m.start() < end:          # in the word just looked at
            continue
        start = m.start()
        while start and not text[start - 1].isspace():
            start -= 1
        end = m.end()
        while end < n and not text[end].isspace():
            end += 1
        if foreign.search(text[start:end].strip(_EDGE_PUNCTUATION)):
            return True
    return False


@lru_cache(maxsize=None)
def _foreign_char() -> re.Pattern:
    letters = "".join(sorted(_unicode_vietnamese() - frozenset(_EDGE_PUNCTUATION)))
    return re.compile("[^\x00-\x7f" + re.escape(letters) + "]")


def _line_score(line: str) -> int:
    good, bad = syllable_score(line)
    return good - bad


def fix_legacy_text(text: str) -> tuple[str, str | None]:
    """Repair text whose legacy bytes were read as Latin-1/Windows-1252 characters.

    PDFs set in TCVN3 or VNI fonts give such text. It is only tried when at
    least MIN_FOREIGN_SHARE of the non-ASCII words hold a character Unicode
    Vietnamese never uses (OCR output full of é for ệ/ộ stays as it is), and
    taken when a legacy reading scores better. Returns (text, encoding), or the
    text unchanged and None. Lines that read better as they are (a Unicode
    header on a TCVN3 page) are kept. Meant for whole pages: a line of a few
    words may not hold enough evidence and is then left as it is.
    """
    if not _LEGACY_CHAR.search(text):
        return text, None
    sample = _nfc(_sample(text))
    if _foreign_share(sample) < MIN_FOREIGN_SHARE:
        return text, None
    good0, bad0 = syllable_score(sample)
    best = _best((d, _nfc(d.decode_chars(sample))) for d in _candidates(text, with_cp1258=False))
    if best is None:
        return text, None
    (score, _, _), decoder = best
    if score <= 0 or score <= good0 - bad0:
        return text, None
    lines = []
    for line, decoded in zip(text.split("\n"), _nfc(decoder.decode_chars(text)).split("\n")):
        keep = _BEYOND_LEGACY.search(line) and _line_score(_nfc(line)) > _line_score(decoded)
        lines.append(line if keep else decoded)
    return _finish(decoder.name, "\n".join(lines)), decoder.name


# Encoding (the inverse tables): used to build legacy test inputs.

@lru_cache(maxsize=None)
def _inverse(name: str) -> dict[str, str]:
    inverse = {}
    for legacy, letter in load_table(name).items():
        if not unicodedata.combining(letter):
            inverse.setdefault(letter, legacy)
    return inverse


def _encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese keyboards write it: base letter, then the tone mark."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        if tones and len(decomposed) > 1:
            base = _nfc("".join(c for c in decomposed if c not in _TONE_MARKS))
            out.append(base + tones)
        else:
            out.append(ch)
    return "".join(out).encode("cp1258")


def encode_legacy(text: str, encoding: str) -> bytes:
    """Encode NFC `text` in a legacy encoding, after the documented substitutions."""
    if encoding not in LEGACY:
        raise ValueError(f"not a legacy encoding: {encoding}")
    text = _nfc(text).translate(substitutions(encoding))
    if encoding == "cp1258":
        return _encode_cp1258(text)
    inverse = _inverse(encoding)
    out = []
    for ch in text:
        legacy = inverse.get(ch)
        if legacy is None and ch.isascii():
            legacy = ch
        if legacy is None and encoding == "vni":
            try:
                b = ch.encode("cp1252")
            except UnicodeEncodeError:
                b = b"\xff"
            if b[0] < 0xC0:
                legacy = b.decode("latin-1")
        if legacy is None:
            raise ValueError(f"{encoding} has no byte for {ch!r} (U+{ord(ch):04X})")
        out.append(legacy)
    return "".join(out).encode("latin-1")
