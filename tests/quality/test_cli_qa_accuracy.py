"""`cxcert qa accuracy`: accuracy per error class with intervals, from evaluations stored in the warehouse.

Hand calculation: three evaluations on the packaged voice_cs v1 form, entered with `qa evaluate`: a17 fails
correct_resolution (customer-critical) once and passes everything once; a18 passes everything. Customer-critical
accuracy = 2/3 for the program, 1/2 for a17; business- and compliance-critical and non-critical accuracy = 3/3.
The 95 % Wilson interval for 2/3 is checked against statsmodels' proportion_confint(method="wilson").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from cli.runner import invoke, ok_json, user_error

from .test_cli_qa_evaluate import BASE, RESULTS, _results

ALL_PASS = {k: ("na" if v == "na" else "pass") for k, v in RESULTS.items()}


def _enter(home: Path, ident: str, agent: str, results: dict[str, str]) -> None:
    args = [a if a != "a17" else agent for a in BASE]
    ok_json(invoke(*args, *_results(results), "--id", ident, "--at", "2026-03-02T10:00:00+00:00",
                   "--entity", "site", "--program", "care", "--json", home=home))  # fmt: skip


def test_accuracy_per_class_and_level_with_wilson_intervals(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _enter(home, "ev-1", "a17", RESULTS)
    _enter(home, "ev-2", "a17", ALL_PASS)
    _enter(home, "ev-3", "a18", ALL_PASS)
    out = ok_json(invoke("qa", "accuracy", "--entity", "site", "--from", "2026-03-01", "--to", "2026-03-31",
                         "--tz", "UTC", "--level", "agent", "--level", "program", "--json", home=home))  # fmt: skip
    assert out["evaluations"] == 3
    rows = {(r["level"], r["group"], r["measure"]): r for r in out["rows"]}
    program = rows[("program", "care", "customer_critical")]
    assert (program["accurate"], program["evaluated"]) == (2, 3)
    lower, upper = proportion_confint(2, 3, alpha=0.05, method="wilson")
    assert (program["lower"], program["upper"]) == (pytest.approx(lower), pytest.approx(upper))
    assert (rows[("agent", "a17", "customer_critical")]["accurate"], rows[("agent", "a17", "customer_critical")][
        "evaluated"]) == (1, 2)  # fmt: skip
    for measure in ("business_critical", "compliance_critical", "non_critical"):
        assert rows[("program", "care", measure)]["accurate"] == 3
    assert not any(level == "team" for level, _, _ in rows)


def test_accuracy_mistakes_exit_2(tmp_path: Path) -> None:
    home = tmp_path / "home"
    args = ("qa", "accuracy", "--entity", "site", "--from", "2026-03-01", "--to", "2026-03-31", "--tz", "UTC")
    assert "no evaluations" in user_error(invoke(*args, home=home))
    assert "--level" in user_error(invoke(*args, "--level", "floor", home=home))
    assert "--method" in user_error(invoke(*args, "--method", "wald", home=home))
