"""`cxcert decide` in text shows each item's contribution, not only the items that fell short."""

from __future__ import annotations

import csv
from pathlib import Path

from cxcert.standards import library

from .runner import invoke, ok_json

STANDARD = library.standard("copc-2000-csp")


def test_text_lists_every_items_finding_and_points(workspace: Path, tmp_path: Path) -> None:
    ok_json(invoke("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit",
                   "--on", "2026-09-01", "--json", home=workspace))  # fmt: skip
    numbers = [it.number for it in STANDARD.scorable_items()]
    path = tmp_path / "f.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        rows = [["item", "level"], [numbers[0], "minor"]] + [[n, "compliant"] for n in numbers[1:-1]]
        csv.writer(handle).writerows(rows)  # the last scorable item has no finding
    ok_json(invoke("findings", "import", str(path), "--assessment", "acme-care/compliance_audit-2026-09-01",
                   "--json", home=workspace))  # fmt: skip
    decided = ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", "--json", home=workspace))
    by_item = {c["item"]: c for c in decided["contributions"]}
    text = invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", home=workspace)
    assert text.returncode == 0 and "each item's contribution" in text.stdout
    lines = text.stdout.splitlines()

    def row(item: str) -> str:
        return next(line for line in lines if line.startswith(f"│ {item} "))

    first, last, middle = by_item[numbers[0]], by_item[numbers[-1]], by_item[numbers[5]]
    # Oracle: the decision's own --json contributions (points earned / possible per item).
    assert "minor_deficiency" in row(numbers[0])
    assert f"{first['points_earned']:g} / {first['points_possible']:g}" in row(numbers[0])
    assert "compliant" in row(numbers[5]) and f"{middle['points_earned']:g} / " in row(numbers[5])
    assert f"none (counted as {last['counted_as']})" in row(numbers[-1])
