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


def test_the_decision_says_the_classes_decide_and_the_points_view_informs(workspace: Path, tmp_path: Path) -> None:
    """Conditionally Certified with the points view not passed: the output says which one governs.

    Oracle: the founding rule set (27 compliant, only minor elsewhere is Conditionally Certified) and its points
    view (a minor item earns half its points; 1800 of 2000 to pass): minor on the six items worth the most points
    (100, 90, 90, 80 and two of 70 in copc-2000-csp) loses 250 points, 1750 < 1800.
    """
    ok_json(invoke("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit",
                   "--on", "2026-09-01", "--json", home=workspace))  # fmt: skip
    by_points = sorted(STANDARD.scorable_items(), key=lambda it: -it.points)
    minor = {it.number for it in by_points[:6]}
    assert sum(it.points for it in by_points[:6]) == 500
    path = tmp_path / "f.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["item", "level"]]
            + [[it.number, "minor" if it.number in minor else "compliant"] for it in STANDARD.scorable_items()]
        )
    ok_json(invoke("findings", "import", str(path), "--assessment", "acme-care/compliance_audit-2026-09-01",
                   "--json", home=workspace))  # fmt: skip
    decided = ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", "--json", home=workspace))
    assert decided["decision_class"] == "Conditionally Certified" and decided["certifies"] is True
    assert decided["points"]["earned"] == 1750 and decided["points"]["passed"] is False
    governs = decided["governed_by"]
    assert (governs["rule"], governs["points_view"]) == ("decision_classes", "informative")
    why = governs["explanation"]
    assert "the points view (1750 of 2000 points, 1800 required: not passed) is informative only" in why
    assert why.endswith("here the two readings differ and Conditionally Certified stands")
    text = invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", home=workspace)
    assert text.returncode == 0
    flat = " ".join(text.stdout.split())
    assert "What decides: the rule set copc-2000-founding decides by its decision classes" in flat
    assert "points view (informative, does not decide)" in flat
    assert flat.index("What decides") < flat.index("points view (informative")
