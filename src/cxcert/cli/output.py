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
    {"id", "person", "agent", "evaluation", "entity", "assessment", "ingest", "alert", "action", "queue", "program"}
)
_BORDER = 3  # a cell's padding and its rule, in characters
_SHORT = 16  # a column whose values are at most this wide (counts, dates and times) keeps them on one line if it can
# Before the ids are served each other column keeps this much (or its longest word, if shorter): the most of these
# that still leaves every id whole, else the first (and the longest ids fold).
_FLOORS = (6, 4, 2)


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
    is room; the columns of prose give way (:func:`column_widths`). Only ids too wide for the console fold, whole,
    over as few lines as can be."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    out = target or console
    id_cols = {i for i, c in enumerate(columns) if (c in ids if ids is not None else is_id_column(c))}
    widths = column_widths(columns, cells, id_cols, out.width)
    table = Table(title=title, show_lines=False)
    for i, column in enumerate(columns):
        one_line = i in id_cols and (widths is None or widths[i] >= _longest(columns, cells, i))
        table.add_column(column, width=None if widths is None else widths[i], no_wrap=one_line, overflow="fold")
    for row in cells:
        table.add_row(*row)
    out.print(table)


def _longest(columns: Sequence[str], cells: list[list[str]], i: int) -> int:
    return max([cell_len(columns[i]), *(cell_len(row[i]) for row in cells)])


def column_widths(columns: Sequence[str], cells: list[list[str]], id_cols: set[int], width: int) -> list[int] | None:
    """Each column's width, or None when the table fits as it is. Too wide, the ids are served first: whole when
    they fit beside a few characters for every other column, else shared so the shorter ones stay whole and the
    longest fold over as few lines as can be; then short columns (counts, dates) whole, then the prose, to its
    longest word first. (Rich alone would squeeze the ids as much as any column.)"""
    n = len(columns)
    longest = [_longest(columns, cells, i) for i in range(n)]
    budget = width - _BORDER * n - 1
    if sum(longest) <= budget:
        return None
    words = [max(cell_len(w) for r in [columns, *cells] for w in [*r[i].split(), ""]) for i in range(n)]
    ids_whole = sum(longest[i] for i in id_cols)

    def floors(floor: int) -> list[int]:
        return [0 if i in id_cols else max(1, min(words[i], floor)) for i in range(n)]

    out = next((f for f in map(floors, _FLOORS) if ids_whole + sum(f) <= budget), floors(_FLOORS[0]))
    room = budget - sum(out)
    waiting = sorted(id_cols, key=lambda k: longest[k])
    while waiting:
        i = waiting.pop(0)
        out[i] = max(1, min(longest[i], room // (len(waiting) + 1)))
        room -= out[i]
    spare = budget - sum(out)
    others = [i for i in range(n) if i not in id_cols]
    values = [max((cell_len(r[i]) for r in cells), default=0) for i in range(n)]
    short = [i for i in others if values[i] <= _SHORT]
    # a short column's values whole first (its header may wrap), then every column's longest word, then the rest
    whole = [max(values[i], max(cell_len(w) for w in [*columns[i].split(), ""])) for i in range(n)]
    for group, goal in ((short, whole), (others, words), (others, longest)):
        for i in sorted(group, key=lambda k: goal[k] - out[k]):
            extra = min(spare, goal[i] - out[i])
            if extra > 0:
                out[i] += extra
                spare -= extra
    return out


def print_mapping(title: str, values: Mapping[str, Any]) -> None:
    print_table(title, ("field", "value"), [(k, v) for k, v in values.items()])
