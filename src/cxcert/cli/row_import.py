"""Row accounting for bulk imports: rows read = accepted + rejected, each rejection with row, column and reason.

Rejected rows are also written to a quarantine CSV under CXCERT_HOME/quarantine so nothing is lost. A mistake
about the whole file (a missing column, an unknown --entity) is refused before any row is read; an import whose
every row is rejected stored nothing and exits 2 after its accounting.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.shares import parse_share
from cxcert.cli.table_file import Table, TableRow
from cxcert.errors import CxcertError
from cxcert.file_names import file_name_part
from cxcert.home import ensure_dir
from cxcert.spreadsheet_cells import csv_cell
from cxcert.workbook_file import trailing_zero_variants


@dataclass(frozen=True)
class RejectedRow:
    row: int
    column: str
    reason: str
    values: dict[str, str]


class RowRejected(Exception):
    """Raised while converting one row; the importer records it and moves on to the next row."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


@dataclass(frozen=True)
class ImportReport:
    file: str
    read: int
    accepted: int
    unchanged: int  # accepted rows that were already stored (re-import)
    rejected: tuple[RejectedRow, ...]
    quarantine: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "rows_read": self.read,
            "rows_accepted": self.accepted,
            "rows_unchanged": self.unchanged,
            "rows_rejected": len(self.rejected),
            "rejected": [{"row": r.row, "column": r.column, "reason": r.reason} for r in self.rejected],
            "quarantine": self.quarantine,
        }


def quarantine(home: Path, source: Path, rejected: tuple[RejectedRow, ...]) -> str | None:
    """Write the rejected rows (with row, column, reason) beside the data; the path, or None when none."""
    if not rejected:
        return None
    folder = ensure_dir(home / "quarantine")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{file_name_part(source.stem)}-{stamp}.csv"  # a source's name is never a path
    columns = sorted({k for r in rejected for k in r.values})
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_cell(c) for c in ["row", "column", "reason", *columns]])
        for r in rejected:
            cells = [r.row, r.column, r.reason, *(r.values.get(c, "") for c in columns)]
            writer.writerow([csv_cell(c) for c in cells])
    return str(target)


def reject(row: TableRow, exc: RowRejected) -> RejectedRow:
    return RejectedRow(row.number, exc.column, exc.reason, row.values)


def print_report(report: ImportReport, what: str, json_out: bool) -> None:
    """The accounting, as JSON or as a line plus a table of rejected rows."""
    if json_out:
        print_json(report.to_dict())
        return
    console.print(
        f"{report.file}: {report.read} rows read, {report.accepted} {what} accepted"
        + (f" ({report.unchanged} already stored)" if report.unchanged else "")
        + f", {len(report.rejected)} rejected",
        highlight=False,
    )
    if report.rejected:
        print_table(
            "rejected rows", ("row", "column", "reason"), [(r.row, r.column, r.reason) for r in report.rejected]
        )
        console.print(f"Rejected rows were written to {report.quarantine}", highlight=False)


def column_or_option(table: Table, column: str, option: str, given: str | None) -> None:
    """A file without ``column`` needs ``option`` for its rows: refuse the file, naming both, when neither is there."""
    if given is None and column not in table.columns:
        raise CxcertError(
            f"{table.name}: no '{column}' column; give {option} ID for every row, or add the column "
            f"(the first row names: {', '.join(table.columns)})"
        )


def finish(report: ImportReport, what: str, json_out: bool) -> None:
    """Print the accounting; when rows were read and none accepted, the import failed: exit 2 (one line)."""
    print_report(report, what, json_out)
    if report.read and not report.accepted:
        raise CxcertError(
            f"{report.file}: every row was rejected ({len(report.rejected)}), no {what} stored; "
            f"the reasons are above and in {report.quarantine}"
        )


class OncePerFile:
    """Refuses a second row for the same key (e.g. one item of one assessment), so no row silently replaces
    another of the same file; the first row stands and the later one is rejected naming both rows."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, ...], int] = {}

    def check(self, row: TableRow, column: str, key: tuple[str, ...], shown: str) -> None:
        first = self._first.setdefault(key, row.number)
        if first != row.number:
            raise RowRejected(column, f"{shown} is given twice, on rows {first} and {row.number}; row {first} stands")


def item_number(row: TableRow, column: str, numbers: set[str]) -> str:
    """The item number in ``column``, refused when a number cell may have lost a trailing zero that matters:
    Excel keeps a typed 4.10 as the number 4.1, so with both 4.1 and 4.10 in the standard it cannot be told."""
    item = required(row, column)
    if column in row.lossy:
        twins = [v for v in trailing_zero_variants(item) if v in numbers]
        if twins:
            raise RowRejected(
                column,
                f"the number cell {item} could be item {item} or {twins[0]} (Excel drops trailing zeros); "
                "format the column as Text and type the item again",
            )
    return item


def required(row: TableRow, column: str, default: str | None = None) -> str:
    """The cell ``column`` of ``row``; a missing or empty cell rejects the row unless there is a default."""
    value = row.values.get(column, "")
    if value:
        return value
    if default:
        return default
    raise RowRejected(column, "is empty" if column in row.values else "column is missing")


def number(row: TableRow, column: str, default: float) -> float:
    text = row.values.get(column, "")
    if not text:
        return default
    try:
        return float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise RowRejected(column, f"{text!r} is not a number") from None


def share_cell(row: TableRow, column: str, default: float) -> float:
    """A share (0.95, 95 or 95%) in ``column``; ``default`` when empty."""
    text = row.values.get(column, "")
    if not text:
        return default
    try:
        return parse_share(text)
    except ValueError as exc:
        raise RowRejected(column, str(exc)) from None


def date_cell(row: TableRow, column: str) -> dt.date | None:
    text = row.values.get(column, "")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowRejected(column, f"{text!r} is not a date (YYYY-MM-DD)") from None
