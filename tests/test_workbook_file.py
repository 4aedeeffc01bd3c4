"""Opening a user's workbook: every kind of broken file is one CxcertError naming it, never openpyxl's own."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cxcert.errors import CxcertError
from cxcert.workbook_file import open_workbook


def test_not_a_zip_archive(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"\x00garbage")
    with pytest.raises(CxcertError, match=r"^fake\.xlsx: not a readable Excel workbook \(\.xlsx\): File is not a zip"):
        open_workbook(fake, read_only=True)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    archive = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(CxcertError, match=r"^photos\.xlsx: not a readable Excel workbook"):
        open_workbook(archive, read_only=False)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CxcertError, match="file not found"):
        open_workbook(tmp_path / "none.xlsx", read_only=True)
