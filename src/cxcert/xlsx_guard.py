"""Checking an Excel file before openpyxl opens it: size, zip bomb, encryption, XML entities, unsaved formulas.

An .xlsx is a zip of XML parts. openpyxl trusts it: a 50 KB file whose sheet unzips to gigabytes, or whose
dimension claims a million rows, takes the memory or the time it asks for. Here the zip's directory is read
first (its declared sizes bound what any reader can unzip: Python's zipfile stops at the declared size and
checks the CRC), then every XML part is streamed once, within those sizes, to refuse a DTD (entity expansion
has no place in a workbook), to count each sheet's cells (openpyxl's full load would otherwise build every
cell of a 128 MiB sheet, 6 million cells in 2.4 GB and a minute, before :mod:`cxcert.workbook_file` could
count them) and to find formulas saved without their value (written by a program that does not calculate, they
would read as empty cells). The numbers come from ``cxcert/data/limits.yaml`` (:class:`cxcert.limits.XlsxLimits`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from cxcert.errors import CxcertError
from cxcert.limits import XlsxLimits
from cxcert.yaml_guard import size_text

# An OLE compound file: what Excel writes for a password-protected workbook (and for old .xls files).
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 20
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_OVERLAP = 16
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def check_xlsx(path: Path, limits: XlsxLimits) -> None:
    """Refuse ``path`` with one line naming the file and the limit crossed, before openpyxl opens it."""
    name = path.name
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise CxcertError(f"{name}: larger than the {size_text(limits.max_bytes)} allowed for an Excel workbook "
                          "(limit xlsx.max_bytes in limits.yaml)")  # fmt: skip
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _OLE_MAGIC:
        raise CxcertError(f"{name}: a password-protected (encrypted) workbook or an old .xls file; "
                          "save it in Excel as .xlsx without a password")  # fmt: skip
    try:
        with zipfile.ZipFile(path) as book:
            _check_directory(name, book.infolist(), limits)
            for info in book.infolist():
                if info.filename.endswith((".xml", ".rels")):
                    _check_part(name, book, info, limits.max_cells)
    except zipfile.BadZipFile as exc:  # not a zip, truncated, or a part whose CRC does not match
        raise CxcertError(f"{name}: not a readable Excel workbook (.xlsx): {exc}") from None
    except (OSError, EOFError, NotImplementedError, RuntimeError) as exc:  # e.g. a compression method or an
        raise CxcertError(f"{name}: not a readable Excel workbook (.xlsx): {exc}") from None  # encrypted zip


def _check_directory(name: str, parts: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    if len(parts) > limits.max_parts:
        raise CxcertError(f"{name}: {len(parts):,} files inside the workbook, more than the {limits.max_parts:,} "
                          "allowed (limit xlsx.max_parts in limits.yaml)")  # fmt: skip
    total = 0
    for info in parts:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_checked_above and ratio > limits.max_ratio:
            raise CxcertError(
                f"{name}: the part {info.filename} unzips to {size_text(info.file_size)} from "
                f"{size_text(info.compress_size)} ({ratio:,.0f} times), more than the {limits.max_ratio:g} times "
                "allowed (limit xlsx.max_ratio in limits.yaml): a zip bomb, or not a workbook"
            )
    if total > limits.max_uncompressed_bytes:
        raise CxcertError(f"{name}: unzips to {size_text(total)}, more than the "
                          f"{size_text(limits.max_uncompressed_bytes)} allowed "
                          "(limit xlsx.max_uncompressed_bytes in limits.yaml)")  # fmt: skip


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in chunks that overlap by a few bytes, so a tag cut by a chunk's end is still seen whole."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        yield tail + chunk
        tail = chunk[-_OVERLAP:]


def _check_part(name: str, book: zipfile.ZipFile, info: zipfile.ZipInfo, max_cells: int) -> None:
    has_formula = False
    sheet = bool(_SHEET_PART.match(info.filename))
    cells = 0
    with book.open(info) as stream:
        for index, chunk in enumerate(_chunks(stream)):
            if _DTD.search(chunk):
                raise CxcertError(f"{name}: the part {info.filename} declares a DTD or entities, "
                                  "which no Excel workbook has")  # fmt: skip
            if not sheet:
                continue
            has_formula = has_formula or bool(_FORMULA.search(chunk))
            # A tag wholly inside the overlap carried from the previous chunk was counted there.
            cells += len(_CELL.findall(chunk)) - (len(_CELL.findall(chunk[:_OVERLAP])) if index else 0)
            if cells > max_cells:
                raise CxcertError(f"{name}: {_sheet_title(book, info.filename)} holds more than the {max_cells:,} "
                                  "cells allowed (limit xlsx.max_cells in limits.yaml)")  # fmt: skip
    if has_formula:
        try:
            cell = _formula_without_value(book, info)
        except ElementTree.ParseError as exc:
            raise CxcertError(f"{name}: not a readable Excel workbook (.xlsx): {info.filename}: {exc}") from None
        if cell is not None:
            raise CxcertError(
                f"{name}: cell {cell} of {_sheet_title(book, info.filename)} holds a formula with no saved value "
                "(the file was written by a program that does not calculate): open and save it in Excel, "
                "or paste the values"
            )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _formula_without_value(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """The reference of the first cell with a formula and no cached value, streamed (elements cleared)."""
    with book.open(info) as stream:
        for _, element in ElementTree.iterparse(stream, events=("end",)):
            if _local(element.tag) != "c":
                continue
            children = {_local(child.tag): child for child in element}
            value = children.get("v")
            # openpyxl and other writers that do not calculate leave <v/> empty; Excel writes an empty string
            # result as t="str" with an empty <v>.
            unsaved = value is None or (not value.text and element.get("t") != "str")
            if "f" in children and unsaved:
                return str(element.get("r", "?"))
            element.clear()
    return None


def _sheet_title(book: zipfile.ZipFile, part: str) -> str:
    """The sheet's name as Excel shows it, from the workbook's list of sheets and their relationships."""
    try:
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): (r.get("Target") or "").lstrip("/").removeprefix("xl/") for r in rels}
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        for sheet in workbook.iter():
            if _local(sheet.tag) == "sheet":
                rel = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
                if f"xl/{targets.get(rel, '')}" == part:
                    return f"sheet {sheet.get('name')!r}"
    except (KeyError, ElementTree.ParseError):
        pass
    return f"part {part}"
