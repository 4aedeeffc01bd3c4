"""`cxcert qa calibrate`: a session file in long format -> published agreement values and drift from the anchor."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from cli.runner import invoke, ok_json, user_error
from quality.test_agreement import DIAGNOSES, KRIPPENDORFF_2011


def _long_csv(
    path: Path, rows: Sequence[tuple[str, str, object]], header: str = "contact_id,evaluator_id,score"
) -> Path:
    path.write_text(header + "\n" + "".join(f"{c},{e},{'' if v is None else v}\n" for c, e, v in rows))
    return path


@pytest.fixture()
def krippendorff_file(tmp_path: Path) -> Path:
    """Krippendorff (2011) reliability data: observers A-D (rows), units 1-12, blanks written as empty scores."""
    rows = [(f"u{unit}", observer, value)
            for observer, values in zip("ABCD", KRIPPENDORFF_2011, strict=True)
            for unit, value in enumerate(values, start=1)]  # fmt: skip
    return _long_csv(tmp_path / "session.csv", rows)


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_2011_published_alpha(
    krippendorff_file: Path, tmp_path: Path, level: str, published: float
) -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: .743 / .815 / .849."""
    out = ok_json(invoke("qa", "calibrate", str(krippendorff_file), "--anchor", "A", "--level", level, "--json",
                         home=tmp_path / "home"))  # fmt: skip
    alpha = out["agreement"][0]
    assert alpha["method"] == f"alpha-{level}" and alpha["value"] == pytest.approx(published, abs=5e-4)
    assert alpha["items"] == 11  # unit 12 has one value: not pairable
    assert len(out["agreement"]) == 1  # blanks: no Fleiss kappa


def test_drift_from_anchor_by_hand(krippendorff_file: Path, tmp_path: Path) -> None:
    """Against anchor A (units 1-9): B differs on unit 6 only (2 vs 1): 9 items, mean difference +1/9, agreement
    8/9 = 89 % < 90 % (calibration_defaults.yaml) -> recalibrate. C scored units 2-9 of A's: differs on 2 (+1),
    6 (+2), 8 (+1): mean +0.5, agreement 5/8. With --tolerance 1, B agrees on 9/9 and is within limits."""
    out = ok_json(invoke("qa", "calibrate", str(krippendorff_file), "--anchor", "A", "--json",
                         home=tmp_path / "home"))  # fmt: skip
    assert out["level"] == "interval"  # numeric scores
    drift = {d["evaluator_id"]: d for d in out["drift"]}
    assert drift["B"]["items"] == 9 and drift["B"]["mean_difference"] == pytest.approx(1 / 9)
    assert drift["B"]["agreement_rate"] == pytest.approx(8 / 9) and drift["B"]["needs_recalibration"]
    assert drift["C"]["items"] == 8 and drift["C"]["mean_difference"] == pytest.approx(0.5)
    assert drift["C"]["agreement_rate"] == pytest.approx(5 / 8)
    assert out["limits"]["min_agreement_rate"] == 0.9
    loose = ok_json(invoke("qa", "calibrate", str(krippendorff_file), "--anchor", "A", "--tolerance", "1", "--json",
                           home=tmp_path / "home"))  # fmt: skip
    b = next(d for d in loose["drift"] if d["evaluator_id"] == "B")
    assert b["agreement_rate"] == 1.0 and not b["needs_recalibration"]


def test_fleiss_1971_diagnoses(tmp_path: Path) -> None:
    """Fleiss (1971): 30 patients x 6 ratings, kappa = .430 (R irr kappam.fleiss = 0.4302445); complete data on
    a nominal scale, so Fleiss' kappa is reported beside alpha."""
    rows = [(f"p{i}", f"r{j}", value) for i, ratings in enumerate(DIAGNOSES, 1) for j, value in enumerate(ratings, 1)]
    path = _long_csv(tmp_path / "fleiss.csv", rows)
    out = ok_json(invoke("qa", "calibrate", str(path), "--anchor", "r1", "--level", "nominal", "--json",
                         home=tmp_path / "home"))  # fmt: skip
    fleiss = next(a for a in out["agreement"] if a["method"].startswith("fleiss"))
    assert fleiss["value"] == pytest.approx(0.4302445, abs=1e-7)
    assert (fleiss["items"], fleiss["raters"]) == (30, 6)


def test_per_parameter_results_and_critical_calls(tmp_path: Path) -> None:
    """Two contacts x two parameters, anchor lead. Items agree 4/4 for ann; bob fails c1/accuracy where the lead
    passed it (agreement 3/4) and misses the lead's one critical call (c2/accuracy)."""
    rows = """contact_id,evaluator_id,parameter_id,result,critical
c1,lead,greeting,pass,no
c1,lead,accuracy,pass,no
c2,lead,greeting,pass,no
c2,lead,accuracy,fail,yes
c1,ann,greeting,yes,no
c1,ann,accuracy,pass,no
c2,ann,greeting,pass,no
c2,ann,accuracy,fail,yes
c1,bob,greeting,pass,no
c1,bob,accuracy,fail,no
c2,bob,greeting,pass,no
c2,bob,accuracy,fail,no
"""
    path = tmp_path / "params.csv"
    path.write_text(rows)
    out = ok_json(invoke("qa", "calibrate", str(path), "--anchor", "lead", "--json", home=tmp_path / "home"))
    assert out["per_parameter"] and out["level"] == "nominal" and out["items"] == 4
    drift = {d["evaluator_id"]: d for d in out["drift"]}
    assert drift["ann"]["agreement_rate"] == 1.0 and not drift["ann"]["needs_recalibration"]
    assert drift["bob"]["agreement_rate"] == 0.75 and drift["bob"]["missed_critical"] == 1
    assert drift["bob"]["needs_recalibration"] and drift["bob"]["mean_difference"] is None
    table = invoke("qa", "calibrate", str(path), "--anchor", "lead", home=tmp_path / "home")
    assert table.returncode == 0 and "recalibrate: bob" in table.stdout


def test_user_mistakes(krippendorff_file: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert "anchor 'Z' has no rating" in user_error(invoke("qa", "calibrate", str(krippendorff_file), "--anchor",
                                                           "Z", home=home))  # fmt: skip
    assert "--level" in user_error(invoke("qa", "calibrate", str(krippendorff_file), "--anchor", "A", "--level",
                                          "fuzzy", home=home))  # fmt: skip
    bad = _long_csv(tmp_path / "bad.csv", [("c1", "A", 1)], header="contact,evaluator_id,score")
    assert "missing column(s) contact_id" in user_error(invoke("qa", "calibrate", str(bad), "--anchor", "A",
                                                               home=home))  # fmt: skip
    assert "no such file" in user_error(invoke("qa", "calibrate", str(tmp_path / "nope.csv"), "--anchor", "A",
                                               home=home))  # fmt: skip


def test_a_stray_text_score_and_a_negative_tolerance_are_refused(tmp_path: Path) -> None:
    """One 'x' among numeric scores used to switch the whole session to the nominal scale silently."""
    home = tmp_path / "home"
    path = _long_csv(tmp_path / "mixed.csv", [("c1", "A", 80), ("c1", "B", "x"), ("c2", "A", 70), ("c2", "B", 75)])
    line = user_error(invoke("qa", "calibrate", str(path), "--anchor", "A", home=home))
    assert "line 3: score 'x' is not a number, among numeric scores" in line and "--level nominal" in line
    asked = ok_json(invoke("qa", "calibrate", str(path), "--anchor", "A", "--level", "nominal", "--json", home=home))
    assert asked["level"] == "nominal"
    numeric = _long_csv(tmp_path / "numeric.csv", [("c1", "A", 80), ("c1", "B", 82), ("c2", "A", 70), ("c2", "B", 75)])
    assert "--tolerance must be zero or more" in user_error(invoke("qa", "calibrate", str(numeric), "--anchor", "A",
                                                                   "--tolerance", "-1", home=home))  # fmt: skip
    assert "needs numeric scores" in user_error(invoke("qa", "calibrate", str(path), "--anchor", "A", "--level",
                                                       "nominal", "--tolerance", "2", home=home))  # fmt: skip
