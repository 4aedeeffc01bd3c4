"""Reports are swapped in atomically and end with the mode a plain write would give (not mkstemp's 0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxcert.reports.atomic import write_atomically


@pytest.fixture()
def umask() -> Iterator[None]:
    saved = os.umask(0o022)
    yield
    os.umask(saved)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_report_gets_0666_less_the_umask(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "out" / "report.xlsx"
    write_atomically(path, lambda tmp: tmp.write_text("v1"))
    assert path.read_text() == "v1" and _mode(path) == 0o644  # 0666 & ~022, what open() gives
    os.umask(0o027)
    other = tmp_path / "out" / "group.xlsx"
    write_atomically(other, lambda tmp: tmp.write_text("v1"))
    assert _mode(other) == 0o640
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_an_existing_report_keeps_its_mode_and_a_failed_write_keeps_the_old_file(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "report.xlsx"
    path.write_text("old")
    path.chmod(0o600)
    write_atomically(path, lambda tmp: tmp.write_text("new"))
    assert path.read_text() == "new" and _mode(path) == 0o600

    def crash(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(path, crash)
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]
