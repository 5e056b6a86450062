"""``.bib`` bytes → text. Pure: no catalogue, no terminal.

Read as UTF-8 (with or without BOM), UTF-16 with a BOM (or without, recognised by its NUL
bytes), the encoding a JabRef ``% Encoding:`` header declares, or the encoding the caller
names. Anything else is refused with the line and byte that is not UTF-8
(``BibEncodingError``): guessing a legacy encoding would import wrong letters silently.
"""

from __future__ import annotations

import codecs
import re

from papershelf.errors import PapershelfError


class BibEncodingError(PapershelfError):
    """A file whose bytes are not in an encoding papershelf can tell."""


_HEADER = re.compile(rb"^%\s*Encoding:\s*([\w.-]+)", re.I | re.M)


def decode_bytes(data: bytes, name: str = "file", encoding: str | None = None) -> tuple[str, str]:
    """The text of a ``.bib`` file and the encoding it was read in."""
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise BibEncodingError(f"{name}: cannot read as {encoding}: {exc}") from None
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", name).lstrip("\ufeff"), "utf-16"
    head = data[:200]
    if head and head.count(0) * 3 > len(head):  # UTF-16 without a BOM: every other byte NUL
        enc = "utf-16-le" if head[1:2] == b"\0" else "utf-16-be"
        return _strict(data, enc, name), enc
    declared = _HEADER.search(data[:1000])
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if declared and declared.group(1).decode().lower().replace("_", "-") not in ("utf-8", "utf8"):
            enc = declared.group(1).decode()
            try:
                return data.decode(enc), enc
            except (LookupError, UnicodeDecodeError):
                pass
        line = data[:exc.start].count(b"\n") + 1
        raise BibEncodingError(
            f"{name} is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line})",
            hint="name its encoding with --encoding (latin-1, cp1252, gbk, …)") from None


def _strict(data: bytes, enc: str, name: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise BibEncodingError(f"{name}: invalid {enc} at byte {exc.start}") from None
