"""Bytes of a landed file -> text, tolerating the bytes that are not UTF-8.

A file that is not valid UTF-8 throughout is not rejected whole: it is decoded
with ``surrogateescape`` (every undecodable byte becomes one lone surrogate, so
quotes, delimiters and newlines keep their places), the byte offsets of the
undecodable bytes are listed, and the parsers quarantine only the rows those
bytes fall in. Offsets are 0-based positions in the file (for ``.gz`` files, in
the decompressed content).
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class ContractError(ValueError):
    """A landed file cannot be read at all (the whole file is quarantined)."""


@dataclass
class DecodedText:
    text: str
    offset: int = 0  # bytes before text[0] (a UTF-8 byte order mark)
    bad_bytes: list[int] = field(default_factory=list)  # sorted file offsets, empty if valid

    def bad_between(self, start: int, end: int) -> list[int]:
        """Offsets of undecodable bytes in the byte range [start, end)."""
        return self.bad_bytes[bisect_left(self.bad_bytes, start) : bisect_left(self.bad_bytes, end)]


def read_landed_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when the name ends in .gz."""
    data = path.read_bytes()
    if not path.name.lower().endswith(".gz"):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise ContractError(f"{path.name} is not a readable gzip file ({error})") from error


def check_not_utf16(data: bytes, path: Path) -> None:
    if data.startswith(UTF16_BOMS):
        raise ContractError(f"{path.name} is UTF-16 (byte order mark); re-export it as UTF-8")


def undecodable_offsets(data: bytes | memoryview, base: int = 0) -> list[int]:
    """Offsets (plus base) of every byte that is not part of valid UTF-8."""
    view = memoryview(data)
    bad: list[int] = []
    position = 0
    while position < len(view):
        try:
            str(view[position:], "utf-8")
        except UnicodeDecodeError as error:
            bad.extend(range(base + position + error.start, base + position + error.end))
            position += error.end
        else:
            break
    return bad


def decode_lenient(data: bytes, path: Path) -> DecodedText:
    """Decode UTF-8 (a leading byte order mark is dropped); see the module docstring."""
    check_not_utf16(data, path)
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    body = memoryview(data)[offset:]
    try:
        return DecodedText(str(body, "utf-8"), offset)
    except UnicodeDecodeError:
        pass
    text = bytes(body).decode("utf-8", "surrogateescape")
    return DecodedText(text, offset, undecodable_offsets(body, base=offset))


def describe_bad_bytes(data: bytes, offsets: list[int]) -> str:
    """'byte 0xff at offset 12' (plus how many more), for a quarantine reason."""
    first = offsets[0]
    text = f"byte {data[first]:#04x} at offset {first}"
    if len(offsets) > 1:
        text += f" and {len(offsets) - 1} more"
    return text


def encoded_length(text: str) -> int:
    """Length in bytes of text decoded by decode_lenient (lone surrogates are one byte)."""
    return len(text.encode("utf-8", "surrogateescape"))


def printable(text: str) -> str:
    """Text safe to store: undecodable bytes as \\xNN, unpaired surrogates as \\udNNN."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
