"""Files the qa commands read and write: CSV or Parquet tables in, CSV written atomically out.

Row numbers in messages are the file's line numbers (the header is line 1), as a spreadsheet user counts them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cxcert.errors import CxcertError

if TYPE_CHECKING:
    import pandas as pd


def read_frame(path: Path) -> pd.DataFrame:
    """A CSV (every column as text, blanks as missing) or Parquet file, indexed by what a reader counts: the CSV's
    line (named ``line``, 2 for the first data row) or the Parquet row (named ``row``, 1 for the first)."""
    import pandas as pd

    if not path.is_file():
        raise CxcertError(f"file not found: {path}")
    parquet = path.suffix.lower() in (".parquet", ".pq")
    try:
        if parquet:
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (ValueError, OSError) as exc:
        raise CxcertError(f"cannot read {path}: {exc}") from exc
    first = 1 if parquet else 2
    frame.index = pd.RangeIndex(first, len(frame) + first, name="row" if parquet else "line")
    return frame


def checked_out_path(path: Path) -> Path:
    """``path`` if a file can be written there; a missing folder (or a folder given as the file) is refused."""
    if path.is_dir():
        raise CxcertError(f"cannot write {path}: it is a folder; give a file name, e.g. {path / 'sample.csv'}")
    if not path.parent.is_dir():
        raise CxcertError(f"cannot write {path}: folder {path.parent} does not exist")
    return path


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` (without its index) to ``path`` atomically: a failure leaves any previous file as it was.
    Text that a spreadsheet would run as a formula gets a leading ``'`` (:mod:`cxcert.spreadsheet_cells`)."""
    from cxcert.reports.atomic import write_atomically
    from cxcert.spreadsheet_cells import csv_frame

    checked_out_path(path)
    safe = csv_frame(frame)  # text from data never becomes a live formula
    try:
        write_atomically(path, lambda tmp: safe.to_csv(tmp, index=False))
    except OSError as exc:
        raise CxcertError(f"cannot write {path}: {exc.strerror or exc}") from exc
