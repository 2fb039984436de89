"""Decode the bytes of a text input into Unicode (placeholder: UTF-8/UTF-16 only)."""
from __future__ import annotations


class EncodingError(ValueError):
    """The bytes are not text in any encoding we know."""


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise EncodingError("file contains NUL bytes: it is binary, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        raise EncodingError(f"not valid UTF-8 ({e.reason} at byte {e.start})") from e
