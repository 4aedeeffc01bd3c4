"""How commands print: Rich tables for people, JSON for machines, one line on stderr for mistakes."""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)

# Columns whose values are what the next command needs (`cxcert alerts act ID`, `--entity`, `--queue`...): they are
# never cut, never ellipsized and, when the console is wide enough, never wrapped. A header ending in " id" is one too.
ID_HEADERS = frozenset(
    {
        "id",
        "person",
        "agent",
        "evaluation",
        "entity",
        "assessment",
        "ingest",
        "alert",
        "action",
        "queue",
        "program",
        "file",
    }
)
_BORDER = 3  # a cell's padding and its rule, in characters
_SHORT = 12  # a column whose values are at most this wide (counts, dates, codes) keeps them on one line if it can
# (columns kept on one line, least width left to each other column): the first that fits the console is used
_LAYOUTS = (("ids and short", 8), ("ids", 5), ("ids", 2))


def print_json(payload: Any) -> None:
    """Print ``payload`` as JSON on stdout (dates and other values via ``str``)."""
    sys.stdout.write(json.dumps(payload, indent=2, default=str, ensure_ascii=False) + "\n")


def is_id_column(header: str) -> bool:
    name = header.strip().lower()
    return name in ID_HEADERS or name.endswith((" id", "_id"))


def print_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ids: Collection[str] | None = None,
    target: Console | None = None,
) -> None:
    """A table where no cell loses a character: long words fold instead of ending in "…". Id columns (``ids``,
    default: :func:`is_id_column`) keep each value on one line, and so do short columns (counts, dates) when there
    is room; the columns of prose give way. Only when the ids alone are wider than the console do they fold
    (whole, over two lines)."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    out = target or console
    longest = [max([cell_len(c), *(cell_len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    id_cols = {i for i, c in enumerate(columns) if (c in ids if ids is not None else is_id_column(c))}
    short = {
        i for i in range(len(columns)) if i not in id_cols and max((cell_len(r[i]) for r in cells), default=0) <= _SHORT
    }

    def fits(rigid: set[int], narrowest: int) -> bool:
        flexible = len(columns) - len(rigid)
        return sum(longest[i] for i in rigid) + _BORDER * len(columns) + 1 + narrowest * flexible <= out.width

    layouts = [(id_cols | short if kept == "ids and short" else id_cols, narrowest) for kept, narrowest in _LAYOUTS]
    rigid = next((kept for kept, narrowest in layouts if fits(kept, narrowest)), set())
    widths = _fold_widths(columns, cells, longest, id_cols, out.width) if not rigid else {}
    table = Table(title=title, show_lines=False)
    for i, column in enumerate(columns):
        if i in rigid:
            table.add_column(column, no_wrap=True, min_width=longest[i], overflow="fold")
        else:
            table.add_column(column, width=widths.get(i), overflow="fold")
    for row in cells:
        table.add_row(*row)
    out.print(table)


def _fold_widths(
    columns: Sequence[str], cells: list[list[str]], longest: list[int], id_cols: set[int], width: int
) -> dict[int, int]:
    """Widths for a table whose ids cannot keep one line: every other column as wide as its longest word (so
    prose breaks between words), the ids the rest (so they fold over as few lines as can be), then any width left
    back to the others. Rich alone would squeeze the ids to the width of the narrowest column."""
    words = [max(cell_len(w) for r in [columns, *cells] for w in [*r[i].split(), ""]) for i in range(len(columns))]
    out = {i: max(1, words[i]) for i in range(len(columns)) if i not in id_cols}
    room = width - _BORDER * len(columns) - 1 - sum(out.values())
    id_total = sum(longest[i] for i in id_cols) or 1
    for i in id_cols:
        out[i] = max(1, min(longest[i], room * longest[i] // id_total))
    spare = width - _BORDER * len(columns) - 1 - sum(out.values())
    for i in sorted(out, key=lambda k: longest[k] - out[k]):
        extra = min(spare, longest[i] - out[i])
        if extra > 0:
            out[i] += extra
            spare -= extra
    return out


def print_mapping(title: str, values: Mapping[str, Any]) -> None:
    print_table(title, ("field", "value"), [(k, v) for k, v in values.items()])
