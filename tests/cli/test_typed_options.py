"""Options people type: errors name the option they typed; a share is a fraction or a percentage everywhere."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from .runner import invoke, ok_json, user_error


def test_a_bad_hours_value_names_the_hours_option(workspace: Path) -> None:
    line = user_error(invoke("answers", "record", "--entity", "acme-care", "--item", "1.1", "--answer", "a",
                             "--hours", "-3", home=workspace))  # fmt: skip
    assert line.startswith("error: --hours: ") and "hours-spent" not in line


def test_exam_score_and_completion_read_a_percentage_like_a_fraction(workspace: Path, tmp_path: Path) -> None:
    # 95 and 0.95 are the same exam score; the founding pass mark is 90 % (DOMAIN.md section 1).
    base = ("coordinator", "register", "--entity", "acme-care", "--location", "lon", "--on", "2026-01-16", "--json")
    done = ok_json(invoke(*base, "--person", "ana", "--name", "Ana", "--exam-score", "95", home=workspace))
    assert done["registration"]["exam_score"] == 0.95
    assert "below 90%" in user_error(invoke(*base, "--person", "pri", "--name", "Pri", "--exam-score", "86%",
                                            home=workspace))  # fmt: skip
    line = user_error(invoke(*base, "--person", "bo", "--name", "Bo", "--exam-score", "950", home=workspace))
    assert "as a fraction (0.95) or a percentage (95 or 95%)" in line
    recorded = ok_json(invoke("answers", "record", "--entity", "acme-care", "--item", "1.1", "--answer", "a",
                              "--completion", "80", "--json", home=workspace))  # fmt: skip
    assert recorded["answer"]["completion"] == 0.8
    path = tmp_path / "a.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["item", "answer", "completion"], ["1.2", "b", "80"], ["1.3", "c", "80%"],
                                      ["1.4", "d", "0.8"], ["1.5", "e", "180"]])  # fmt: skip
    report = ok_json(invoke("answers", "import", str(path), "--entity", "acme-care", "--json", home=workspace))
    assert report["rows_accepted"] == 3
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(5, "completion")]
    progress = ok_json(invoke("answers", "show", "--entity", "acme-care", "--json", home=workspace))
    completion = {i["item"]: i["completion"] for i in progress["items"] if i["item"] in ("1.2", "1.3", "1.4")}
    assert completion == {"1.2": pytest.approx(0.8), "1.3": pytest.approx(0.8), "1.4": pytest.approx(0.8)}
