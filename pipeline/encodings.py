"""Decode text inputs and repair PDF text layers set in legacy Vietnamese encodings.

Vietnamese documents older than Unicode come in four legacy encodings besides
UTF-8/UTF-16: Windows-1258 (base letters + combining tone marks), TCVN3 (ABC,
the .VnTime fonts), VNI-Windows (VNI-Times fonts: base letter + a mark byte
from the Latin-1 range) and VISCII. Every byte string is valid in all of them,
so the encoding is chosen by decoding with each and counting how many of the
non-ASCII words are Vietnamese syllables (`diacritics.inventory`).

Conversion tables are data files in data/encodings/ (legacy bytes -> Unicode):

* tcvn3.tsv is TCVN 5712:1993 VN1, a superset of the VN3 set that ABC fonts
  use. VN3 has no uppercase toned vowels: the .VnTimeH caps fonts draw the
  lowercase codes as capitals. VN1 puts those capitals at 0x80-0x9F, at a few
  control bytes (0x01-0x17) and at the high bytes VN3 leaves free; we decode
  and encode with VN1, so capitals round-trip exactly. Real VN3 files saved
  from Windows hold Windows-1252 quotes and dashes at 0x80-0x9F instead, so
  the decoder also tries that reading (same name, tcvn3) and keeps the one
  whose words score better, the VN3 reading on a tie. When the decoded text
  has no toned capital VN3 lacks, a line with no ASCII lowercase letter is
  taken as a .VnTimeH line and upper-cased (KẾ HOẠCH, not Kế HOạCH).
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
from typing import Callable

from diacritics.inventory import is_vietnamese_syllable

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
_ALLOWED_CONTROLS = frozenset("\t\n\v\f\r\x1a")
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
_TO_BYTE_CHARS = {ord(ch): chr(b) for b, ch in _CP1252_C1.items()}


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
def substitutions(encoding: str) -> dict[int, str]:
    """Replacements `encode_legacy` makes for characters `encoding` cannot hold."""
    return {
        int(codepoint[2:], 16): replacement
        for enc, codepoint, _char, replacement in _read_tsv("substitutions.tsv")
        if enc == encoding
    }


# Decoders read a "byte string": a str whose characters up to U+00FF stand for
# bytes (data.decode('latin-1'), or PDF mojibake); characters above pass through.

@lru_cache(maxsize=None)
def _single_byte_map(name: str, c1_as_cp1252: bool = False) -> dict[int, str]:
    mapping = {ord(k): v for k, v in load_table(name).items()}
    if c1_as_cp1252:
        for b in range(0x80, 0xA0):
            mapping[b] = _CP1252_C1.get(b, chr(b))
    return mapping


def _decode_vn1(chars: str) -> str:
    return chars.translate(_single_byte_map("tcvn3"))


def _decode_vn3(chars: str) -> str:
    return chars.translate(_single_byte_map("tcvn3", c1_as_cp1252=True))


def _decode_viscii(chars: str) -> str:
    return chars.translate(_single_byte_map("viscii"))


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


def _decode_vni(chars: str) -> str:
    pattern, lookup = _vni_parts()

    def letter(m: re.Match) -> str:
        s = m.group()
        if s in lookup:
            return lookup[s]
        return lookup.get(s[0], s[0]) + s[1:]

    return pattern.sub(letter, chars).translate(_CP1252_C1)

# (name, decoder, tie-break rank: higher wins a tie)
_CHAR_DECODERS: tuple[tuple[str, Callable[[str], str], int], ...] = (
    ("tcvn3", _decode_vn3, 5),
    ("tcvn3", _decode_vn1, 4),
    ("vni", _decode_vni, 3),
    ("viscii", _decode_viscii, 1),
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def syllable_score(text: str) -> tuple[int, int]:
    """(Vietnamese syllables, other words) among the NFC text's non-ASCII words.

    A lone capital letter is not counted: it is as often a misread byte as a word.
    """
    good = bad = 0
    for word, n in Counter(w for w in _WORD.findall(text) if not w.isascii()).items():
        if len(word) == 1 and word.isupper():
            continue
        if is_vietnamese_syllable(word):
            good += n
        else:
            bad += n
    return good, bad


def _control_count(text: str) -> int:
    return sum(1 for ch in text if ord(ch) < 0x20 and ch not in _ALLOWED_CONTROLS) + sum(
        1 for ch in text if 0x7F <= ord(ch) < 0xA0
    )


def _looks_binary(text: str) -> bool:
    n = _control_count(text)
    return n > 2 and n > len(text) / 100


def _restore_vn3_capitals(text: str) -> str:
    """Upper-case lines typed in a .VnTimeH caps font (lowercase codes, capital glyphs)."""
    if any(ch.isupper() and not ch.isascii() and ch not in _VN3_CAPITALS for ch in text):
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if any("a" <= ch <= "z" for ch in line):
            continue
        if sum(ch.isupper() for ch in line) >= 2 and any(ch.islower() for ch in line):
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
            raise EncodingError(f"UTF-8 byte-order mark, but not valid UTF-8 ({e.reason} at byte {e.start + 3})") from e
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as e:
            raise EncodingError(BINARY_MESSAGE.format(why="UTF-16 mark but invalid UTF-16")) from e
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
        return _decode_legacy(data)
    text, name = _checked(text, "utf-8")
    fixed, legacy = fix_legacy_text(text)
    return (fixed, legacy) if legacy else (text, name)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    chars = data.decode("latin-1")
    best = None
    for name, decode, rank in (("cp1258", None, 2), *_CHAR_DECODERS):
        try:
            text = _nfc(data.decode("cp1258") if decode is None else decode(chars))
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            continue
        good, bad = syllable_score(text)
        key = (good - bad, good, rank)
        if best is None or key > best[0]:
            best = (key, name, text)
    if best is None:
        raise EncodingError(BINARY_MESSAGE.format(why="control characters"))
    (_, good, _), name, text = best
    bad = good - best[0][0]
    if good + bad >= 3 and good < bad:
        raise EncodingError(UNKNOWN_MESSAGE)
    return _finish(name, text), name


def _line_score(line: str) -> int:
    good, bad = syllable_score(line)
    return good - bad


def fix_legacy_text(text: str) -> tuple[str, str | None]:
    """Repair text whose legacy bytes were read as Latin-1/Windows-1252 characters.

    PDFs set in TCVN3 or VNI fonts give such text. Returns (text, encoding), or
    the text unchanged and None when no legacy reading scores better. Lines
    that read better as they are (a Unicode header on a TCVN3 page) are kept.
    """
    chars = text.translate(_TO_BYTE_CHARS)
    if not any(0x80 <= ord(ch) <= 0xFF for ch in chars):
        return text, None
    good0, bad0 = syllable_score(_nfc(text))
    best = None
    for name, decode, rank in _CHAR_DECODERS:
        decoded = _nfc(decode(chars))
        good, bad = syllable_score(decoded)
        key = (good - bad, good, rank)
        if best is None or key > best[0]:
            best = (key, name, decode)
    (score, good, _), name, decode = best
    if score <= 0 or score - (good0 - bad0) < 2:
        return text, None
    lines = []
    for line in text.split("\n"):
        decoded = _nfc(decode(line.translate(_TO_BYTE_CHARS)))
        lines.append(line if _line_score(_nfc(line)) > _line_score(decoded) else decoded)
    return _finish(name, "\n".join(lines)), name


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
