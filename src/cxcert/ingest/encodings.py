"""A text file's encoding: the one declared (a mapping's ``encoding``, else UTF-8), checked, with byte-order marks.

- An encoding name Python does not know is refused with one line.
- A UTF-16 or UTF-32 byte-order mark at the start of the file decides: such a file declared as UTF-8 (the default,
  so a canonical or Technion file saved as "Unicode text" by a spreadsheet) is read as what its mark says; one
  declared as some other encoding is refused, naming both.
- Encodings in which a line break, a quote or a delimiter may be part of another character (UTF-16, UTF-32, and
  any not known to be ASCII-safe) cannot be cut on raw bytes: the file is first decoded into an anonymous UTF-8
  temporary file (unlinked from the start, so a kill leaves nothing behind), which is then read like any other.
- Bytes that do not decode are an error naming the file, the byte offset and the line, never a traceback.
"""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path
from typing import IO

from cxcert.errors import CxcertError
from cxcert.ingest.csv_blocks import codec_name

UTF8_NAMES = frozenset({"utf-8", "utf-8-sig"})
BYTE_ORDER_MARKS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
TRANSCODE_BYTES = 1 << 20


def resolve_encoding(path: Path, declared: str) -> str:
    """Python's codec name for reading ``path`` declared as ``declared`` (see the module docstring)."""
    name = codec_name(declared)
    if name is None:
        raise CxcertError(f"unknown encoding {declared!r} (use a name such as utf-8, latin-1, cp1252 or utf-16)",
                          where=str(path))  # fmt: skip
    with path.open("rb") as handle:
        head = handle.read(4)
    for mark, family in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            if name in UTF8_NAMES or name.startswith(family):
                return family
            raise CxcertError(
                f"the file starts with a {family.upper()} byte-order mark but is declared {declared}: "
                f"declare encoding: {family} (or save the file as {declared})",
                where=str(path),
            )
    return name


def is_utf8(name: str) -> bool:
    return name in UTF8_NAMES


def line_breaks(text: str) -> int:
    """Line breaks in ``text``: LF, CRLF and a lone CR each count once."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def undecodable(path: Path, encoding: str, offset: int, line: int, reason: str) -> CxcertError:
    """The error for bytes that are not ``encoding`` text at byte ``offset`` (0-based) of the file, on ``line``."""
    message = f"not {encoding} text: byte {offset} (line {line}) cannot be decoded ({reason})"
    return CxcertError(message, where=str(path))


def transcode(path: Path, encoding: str) -> IO[bytes]:
    """``path`` decoded from ``encoding`` into an anonymous UTF-8 temporary file (positioned at its start)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    out = tempfile.TemporaryFile(prefix="cxcert-utf8-")  # noqa: SIM115 (returned open, closed with its reader)
    consumed = 0  # bytes of the file handed to the decoder
    breaks = 0  # line breaks decoded so far
    ended_cr = False
    try:
        with path.open("rb") as handle:
            while True:
                block = handle.read(TRANSCODE_BYTES)
                state = decoder.getstate()
                pending = state[0]
                try:
                    text = decoder.decode(block, final=not block)
                except UnicodeDecodeError as exc:
                    # exc.start counts from the bytes the decoder still held from the previous block.
                    again = codecs.getincrementaldecoder(encoding)(errors="replace")
                    again.setstate(state)
                    before = again.decode(block[: max(0, exc.start - len(pending))])
                    line = breaks + line_breaks(before) - (1 if ended_cr and before.startswith("\n") else 0) + 1
                    raise undecodable(path, encoding, consumed - len(pending) + exc.start, line, exc.reason) from None
                consumed += len(block)
                if text:
                    breaks += line_breaks(text) - (1 if ended_cr and text.startswith("\n") else 0)
                    ended_cr = text.endswith("\r")
                    out.write(text.encode("utf-8"))
                if not block:
                    break
        out.flush()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out
