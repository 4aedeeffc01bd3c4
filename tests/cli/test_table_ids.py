"""Ids are never cut in tables: they are what the next command needs (`cxcert alerts act ID`, `--entity ID`).

At an 80-column console an id column keeps each id whole on one line while the prose columns give way; an id
wider than the console can hold beside the other columns folds over lines, every character kept (never "…").
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from cxcert.cli.output import print_table

from .runner import invoke, ok_json

LONG_ENTITY = "ent-northwind-customer-care-lisbon"


def _render(columns: tuple[str, ...], rows: list[tuple[object, ...]], width: int = 80) -> str:
    buffer = io.StringIO()
    print_table("t", columns, rows, target=Console(file=buffer, width=width, color_system=None))
    return buffer.getvalue()


def _cells(text: str) -> list[list[str]]:
    """The cells of each body line of a rendered table (between the box-drawing rules)."""
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│")]


def test_ids_stay_whole_on_one_line_and_prose_gives_way() -> None:
    prose = "a long explanation of why this item was judged the way it was, " * 2
    text = _render(("id", "item", "entity", "note"), [("ac-7f3a9c2e1d", "4.10", LONG_ENTITY, prose)])
    assert max(len(line) for line in text.splitlines()) <= 80
    first = _cells(text)[0]
    assert first[0] == "ac-7f3a9c2e1d" and first[2] == LONG_ENTITY and first[1] == "4.10"
    assert "…" not in text


def test_counts_and_dates_are_not_ellipsized() -> None:
    text = _render(
        ("id", "when (UTC)", "kind", "entity", "file", "read", "accepted", "rejected"),
        [("299cbf3e", "2026-12-07 23:37", "agent_states", LONG_ENTITY, "agent_states.parquet", 254288, 254288, 0)],
    )
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    cells = _cells(text)
    assert cells[0][0] == "299cbf3e" and cells[0][3] == LONG_ENTITY
    # a squeezed count folds: read back column by column it is whole
    assert "".join(row[5] for row in cells) == "254288"


def test_an_id_wider_than_the_console_folds_with_every_character_kept() -> None:
    alert = "ent-northwind-care:service_level:card_services:consecutive_below:2026-02-01"
    action = "ent-northwind-care/KPI-service_level-card_services-below-2026-02-01"
    text = _render(
        ("id", "item", "rule", "points", "summary", "action"),
        [(alert, "4.1", "3 consecutive points below standard", 3, "service level below for 3 months", action)],
    )
    assert max(len(line) for line in text.splitlines()) <= 80 and "…" not in text
    cells = _cells(text)
    assert "".join(row[0] for row in cells) == alert
    assert "".join(row[5] for row in cells) == action


def test_entity_list_at_80_columns_shows_the_whole_id(workspace: Path) -> None:
    ok_json(
        invoke(
            "entity", "create", "--id", LONG_ENTITY, "--name", "Northwind Customer Care Lisbon", "--organisation",
            "acme", "--location", "lis:Lisbon:PT:Europe/Lisbon", "--service", "inbound_customer_service",
            "--on", "2026-01-02", "--json", home=workspace,
        )
    )  # fmt: skip
    env = {**os.environ, "CXCERT_HOME": str(workspace), "COLUMNS": "80", "CXCERT_ACTOR": "tester"}
    env.pop("CXCERT_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "cxcert", "entity", "list"], capture_output=True, text=True, env=env, check=True
    )
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    ids = [row[0] for row in _cells(result.stdout) if row[0]]
    assert LONG_ENTITY in ids and "acme-care" in ids
