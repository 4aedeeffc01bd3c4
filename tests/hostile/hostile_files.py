"""Hostile files, each small: what makes them dangerous is what a reader would do with them without limits.

Oracles: the billion laughs has 10 values at its first level and 10 aliases to the level before at each of the
nine others, so its last key alone stands for 10^9 strings (the classic XML attack, in YAML); the deep file
nests 10,000 flow sequences, ten times Python's recursion limit; the zip bomb's sheet is 512 copies of one 1 MiB
block of rows, compressed once and repeated (a full flush makes each copy independent), so 512 MiB of XML
ships in about 1 MiB.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

LAUGHS_LEVELS = 10


def billion_laughs() -> bytes:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, LAUGHS_LEVELS):
        aliases = ", ".join([f"*lol{level - 1}"] * 10)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    return ("\n".join(lines) + "\n").encode()


def deep_nesting() -> bytes:
    return b"key: " + b"[" * 10_000 + b"]" * 10_000 + b"\n"


def garbage() -> bytes:
    return bytes(range(256)) * 8


def utf16() -> bytes:
    return "key: café\n".encode("utf-16")  # with its byte-order mark, as Windows Notepad saves "Unicode"


def latin1() -> bytes:
    return "key: café\n".encode("latin-1")


def empty() -> bytes:
    return b""


def a_list() -> bytes:
    return b"- one\n- two\n"


def duplicate_keys() -> bytes:
    return b"key: 1\nother: 2\nkey: 3\n"


def python_tag() -> bytes:
    return b'key: !!python/object/apply:os.system ["echo owned"]\n'


def huge_integer() -> bytes:
    """Past Python's 4,300-digit limit on int(): a ValueError from PyYAML's constructor, not a YAML error."""
    return b"key: " + b"7" * 5000 + b"\n"


def impossible_date() -> bytes:
    """Matches YAML's timestamp pattern, so PyYAML builds a date from it: month 13 raises ValueError."""
    return b"key: 2024-13-45\n"


YAML_CASES: dict[str, tuple[Callable[[], bytes], str | None]] = {
    # name: (builder, words the one line must hold; None where the entry point words it its own way)
    "billion_laughs": (billion_laughs, "yaml.max_nodes"),
    "deep_nesting": (deep_nesting, "yaml.max_depth"),
    "garbage": (garbage, "NUL byte"),
    "utf16": (utf16, "UTF-16"),
    "latin1": (latin1, "not UTF-8"),
    "empty": (empty, None),
    "a_list": (a_list, "mapping"),  # each reader says what it expected: a mapping of its fields
    "duplicate_keys": (duplicate_keys, "duplicate key 'key'"),
    "python_tag": (python_tag, "!!python/object/apply:os.system"),
    "huge_integer": (huge_integer, "a value of 5,000 characters (777777777777...) is too long to read as an integer"),
    "impossible_date": (impossible_date, "'2024-13-45' is not a date: month must be in 1..12"),
}


def xlsx_bytes(build: Callable[[object], None]) -> bytes:
    """A real workbook written by openpyxl after ``build(sheet)``."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    build(book.active)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_part(workbook: bytes, part: str, write: Callable[[zipfile.ZipFile], None]) -> bytes:
    """``workbook`` with ``part`` written by ``write`` instead of copied."""
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == part:
                write(target)
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>'
         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')  # fmt: skip
_TAIL = b"</sheetData></worksheet>"


def zip_bomb(blocks: int = 512) -> bytes:
    """A workbook whose sheet unzips to ``blocks`` MiB of rows (rows without numbers follow one another)."""
    row = b'<row><c t="n"><v>1</v></c></row>'
    block = row * ((1 << 20) // len(row))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed_block = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    head = deflate.compress(b"")  # nothing pending after a full flush
    assert head == b""
    crc = zlib.crc32(_HEAD)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(_TAIL, crc)
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    prefix = first.compress(_HEAD) + first.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    suffix = last.compress(_TAIL) + last.flush(zlib.Z_FINISH)
    data = prefix + compressed_block * blocks + suffix
    size = len(_HEAD) + len(block) * blocks + len(_TAIL)

    def write(target: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(SHEET, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.CRC, info.compress_size, info.file_size = crc, len(data), size
        _write_raw(target, info, data)

    return _replace_part(xlsx_bytes(lambda sheet: None), SHEET, write)


def _write_raw(target: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Write an already-deflated member (zipfile has no public way to): local header, data, directory entry."""
    assert target.fp is not None
    info.header_offset = target.fp.tell()
    info.flag_bits = 0
    info.create_version = info.extract_version = 20
    target.fp.write(info.FileHeader(zip64=False))
    target.fp.write(data)
    target.filelist.append(info)
    target.NameToInfo[info.filename] = info
    target.start_dir = target.fp.tell()


def huge_dimension() -> bytes:
    """One cell in the sheet's last row and column: 17 billion cells to a reader that fills the rectangle."""
    return xlsx_bytes(lambda sheet: sheet.cell(row=1_048_576, column=16_384, value=1))  # type: ignore[attr-defined]


def sheet_xml(rows: bytes, dimension: str | None) -> Callable[[zipfile.ZipFile], None]:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""

    def write(target: zipfile.ZipFile) -> None:
        target.writestr(SHEET, _HEAD.replace(b"<sheetData>", dim + b"<sheetData>") + rows + _TAIL)

    return write


def understated_dimension(rows: int) -> bytes:
    """A sheet that declares one cell (A1) and holds a header row (n, flag) and ``rows`` - 1 rows of two cells."""
    header = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c>'
              b'<c r="B1" t="inlineStr"><is><t>flag</t></is></c></row>')  # fmt: skip
    body = b"".join(f'<row r="{n}"><c r="A{n}" t="n"><v>{n}</v></c><c r="B{n}" t="n"><v>1</v></c></row>'.encode()
                    for n in range(2, rows + 1))  # fmt: skip
    return _replace_part(xlsx_bytes(lambda sheet: None), SHEET, sheet_xml(header + body, "A1"))


def formulas_without_values() -> bytes:
    """Written by openpyxl, which stores formulas but never calculates them: the values are not in the file."""

    def build(sheet: object) -> None:
        sheet.append(["item", "answer"])  # type: ignore[attr-defined]
        sheet.append(["1.1", "=CONCAT(\"y\",\"es\")"])  # type: ignore[attr-defined]

    return xlsx_bytes(build)


def formulas_with_saved_values() -> bytes:
    """As Excel saves a formula: the formula and, beside it, the value it computed."""
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>item</t></is></c><c r="B1" t="inlineStr"><is><t>answer</t>'
            b'</is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>1.1</t></is></c><c r="B2" t="str">'
            b'<f>CONCAT("y","es")</f><v>yes</v></c></row>')  # fmt: skip
    return _replace_part(xlsx_bytes(lambda sheet: None), SHEET, sheet_xml(rows, "A1:B2"))


def broken_sheet_xml() -> bytes:
    """A sheet whose XML stops in the middle of a formula cell (a zip repaired by hand, a bad exporter)."""
    rows = b'<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f>'

    def write(target: zipfile.ZipFile) -> None:
        target.writestr(SHEET, _HEAD + rows)

    return _replace_part(xlsx_bytes(lambda sheet: None), SHEET, write)


def entity_dtd() -> bytes:
    """A sheet declaring an XML entity (the XML billion laughs starts this way)."""
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol;</t></is></c></row>'
    bomb = _HEAD.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY lol "lol">]><worksheet', 1)

    def write(target: zipfile.ZipFile) -> None:
        target.writestr(SHEET, bomb + rows + _TAIL)

    return _replace_part(xlsx_bytes(lambda sheet: None), SHEET, write)


def truncated(workbook: bytes) -> bytes:
    return workbook[: len(workbook) // 2]


def encrypted(workbook: bytes) -> bytes:
    """``workbook`` protected with a password, as Excel's "Encrypt with password" does (msoffcrypto-tool)."""
    import io

    import pytest

    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-untyped]

    assert msoffcrypto is not None
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(workbook)).encrypt("secret", out)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
