"""Opening a user's workbook: every kind of broken file is one CxcertError naming it, never openpyxl's own."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cxcert.errors import CxcertError
from cxcert.workbook_file import number_as_shown, open_workbook, trailing_zero_variants


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


@pytest.mark.parametrize(
    ("value", "number_format", "shown", "lossy"),
    [
        (4.1, "0.00", "4.10", False),  # fixed decimals: the text is what the cell shows
        (2, "0.0", "2.0", False),
        (1234.5, "#,##0.00", "1234.50", False),
        (4.1, "General", "4.1", True),  # a typed 4.10 is stored as 4.1: cannot be told apart
        (3.0, "General", "3", True),
        (0.8, "0%", "0.8", True),  # not a fixed-decimals format: the stored value
    ],
)
def test_number_as_shown(value: float, number_format: str, shown: str, lossy: bool) -> None:
    assert number_as_shown(value, number_format) == (shown, lossy)


def test_trailing_zero_variants() -> None:
    assert trailing_zero_variants("2.1") == ("2.10", "2.100")
    assert trailing_zero_variants("2") == ("2.0", "2.00")
