"""`cxcert qa ...`: results as JSON, one-line errors with exit code 2.

Commands run in-process on an app holding only the qa commands (fast, and independent of other command
modules); one test runs the real console entry point to check exit code 2 without a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import typer
from typer.testing import CliRunner

from cxcert.cli import qa
from cxcert.errors import CxcertError
from cxcert.quality.form_registry import FormRegistry

APP = typer.Typer()
qa.register(APP)


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def cxcert(*args: str, home: Path) -> Outcome:
    """Run ``cxcert ARGS``; a CxcertError becomes exit code 2 and its one line, as ``cli.main.run`` does."""
    result = CliRunner().invoke(APP, list(args), env={"CXCERT_HOME": str(home), "COLUMNS": "200"})
    if isinstance(result.exception, CxcertError):
        return Outcome(2, result.stdout, f"error: {result.exception}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr if result.stderr_bytes is not None else "")


def test_real_entry_point_exits_2_with_one_line(home: Path) -> None:
    env = {**os.environ, "CXCERT_HOME": str(home)}
    env.pop("CXCERT_DATABASE_URL", None)
    args = ["qa", "check-sample", "--actual", "3000", "--population", "2000"]
    result = subprocess.run([sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "error: the actual sample (3000) cannot exceed the population (2000)"


def test_sample_size_json_pins_israel_1992(home: Path) -> None:
    """Israel (1992): N = 2,000 at 95 %, +/-5 %, p = .5 -> 323 (385 for a large population)."""
    result = cxcert("qa", "sample-size", "--population", "2000", "--per-agent", "300", "--json", home=home)
    assert result.returncode == 0, result.stderr
    program, agent = json.loads(result.stdout)
    assert program["required"] == 323 and program["population"] == 2000
    assert agent["scope"] == "per agent" and agent["precision"] == 0.10 and agent["required"] == 73


def test_check_sample_and_user_mistake(home: Path) -> None:
    ok = cxcert("qa", "check-sample", "--actual", "180", "--population", "2000", "--json", home=home)
    payload = json.loads(ok.stdout)
    assert payload["adequate"] is False and payload["required_n"] == 323
    assert abs(payload["achieved_margin"] - 0.0697) < 1e-4
    bad = cxcert("qa", "check-sample", "--actual", "3000", "--population", "2000", home=home)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "cannot exceed the population" in bad.stderr


def test_sample_is_reproducible(home: Path, tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    lines = ["contact_id,agent_id,arrived_at"] + [
        f"c{i:03d},a{i % 4},2026-08-0{1 + i % 3}T10:00:00Z" for i in range(200)
    ]
    contacts.write_text("\n".join(lines) + "\n")
    args = ("qa", "sample", "--contacts", str(contacts), "--n", "40", "--strata", "agent_id", "--seed", "42")
    first, second = cxcert(*args, "--json", home=home), cxcert(*args, "--json", home=home)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["contacts"] == json.loads(second.stdout)["contacts"]
    per_stratum = json.loads(first.stdout)["per_stratum"]
    assert {k: v["drawn"] for k, v in per_stratum.items()} == {"a0": 10, "a1": 10, "a2": 10, "a3": 10}
    out = tmp_path / "sample.csv"
    by_day = cxcert("qa", "sample", "--contacts", str(contacts), "--n", "30", "--strata", "day", "--seed", "1",
                    "--out", str(out), home=home)  # fmt: skip
    assert by_day.returncode == 0, by_day.stderr
    assert len(out.read_text().splitlines()) == 31
    missing = cxcert("qa", "sample", "--contacts", str(tmp_path / "nope.csv"), "--n", "5", "--seed", "1", home=home)
    assert missing.returncode == 2 and "file not found" in missing.stderr


def test_kappa_methods(home: Path, tmp_path: Path) -> None:
    """Krippendorff (2011) reliability data, items as rows: alpha interval .849; Fleiss refuses the blanks."""
    rows = [
        "item,A,B,C,D", "1,1,1,,1", "2,2,2,3,2", "3,3,3,3,3", "4,3,3,3,3", "5,2,2,2,2", "6,1,2,3,4",
        "7,4,4,4,4", "8,1,1,2,1", "9,2,2,2,2", "10,,5,5,5", "11,,,1,1", "12,,3,,",
    ]  # fmt: skip
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join(rows) + "\n")
    result = cxcert("qa", "kappa", str(path), "--method", "alpha-interval", "--json", home=home)
    assert result.returncode == 0, result.stderr
    assert abs(json.loads(result.stdout)["value"] - 0.849) < 5e-4
    fleiss = cxcert("qa", "kappa", str(path), "--method", "fleiss", home=home)
    assert fleiss.returncode == 2 and "Krippendorff" in fleiss.stderr
    cohen = cxcert("qa", "kappa", str(path), "--method", "cohen", home=home)
    assert cohen.returncode == 2 and "exactly two raters" in cohen.stderr


def test_score_and_forms(home: Path, tmp_path: Path) -> None:
    form = FormRegistry.packaged().get("voice_cs", 1)
    lines = ["evaluation_id,parameter_id,result"]
    lines += [f"e1,{p.id},{'fail' if p.id == 'correct_resolution' else 'pass'}" for p in form.parameters]
    lines += [f"e2,{p.id},{'fail' if p.id == 'verify_identity' else 'pass'}" for p in form.parameters]
    items = tmp_path / "items.csv"
    items.write_text("\n".join(lines) + "\n")
    result = cxcert("qa", "score", "--form", "voice_cs", "--version", "1", "--items", str(items), "--json", home=home)
    assert result.returncode == 0, result.stderr
    scores = {e["evaluation_id"]: e for e in json.loads(result.stdout)["evaluations"]}
    assert abs(scores["e1"]["score"] - 0.6) < 1e-9 and scores["e1"]["error_customer_critical"] is True
    assert scores["e2"]["score"] == 0.0 and scores["e2"]["fatal"] is True
    unknown = cxcert("qa", "score", "--form", "voice_cs", "--version", "7", "--items", str(items), home=home)
    assert unknown.returncode == 2 and "versions 1, 2" in unknown.stderr
    listed = json.loads(cxcert("qa", "forms", "list", "--json", home=home).stdout)
    assert [(f["id"], f["version"]) for f in listed] == [("cxcert-demo-form", 1), ("voice_cs", 1), ("voice_cs", 2)]
    shown = cxcert("qa", "forms", "show", "voice_cs", home=home)
    assert shown.returncode == 0 and "zero_evaluation" in shown.stdout and "v2" in shown.stdout


def test_help_teaches(home: Path) -> None:
    result = cxcert("qa", "--help", home=home)
    assert result.returncode == 0 and "sample-size" in result.stdout and "Examples" in result.stdout


def test_score_names_the_file_line_and_plain_values(home: Path, tmp_path: Path) -> None:
    """The 10th data row of a CSV is its line 11 (the header is line 1), of a Parquet file its row 10; a Parquet
    integer shows as -2, not numpy's repr."""
    import pandas as pd

    form = FormRegistry.packaged().get("voice_cs", 1)
    rows = [("e1", p.id, "pass") for p in form.parameters] + [("e2", "greeting", "maybe")]
    frame = pd.DataFrame(rows, columns=["evaluation_id", "parameter_id", "result"])
    items = tmp_path / "items.csv"
    frame.to_csv(items, index=False)
    bad = cxcert("qa", "score", "--form", "voice_cs", "--version", "1", "--items", str(items), home=home)
    assert bad.returncode == 2 and "line 11: result 'maybe' is not one of pass, fail, na" in bad.stderr
    numbers = tmp_path / "items.parquet"
    frame.assign(result=[1] * 9 + [-2]).to_parquet(numbers)
    bad = cxcert("qa", "score", "--form", "voice_cs", "--version", "1", "--items", str(numbers), home=home)
    assert bad.returncode == 2 and "row 10: result -2 is not one of" in bad.stderr and "np." not in bad.stderr


def test_weighted_kappa_needs_an_order(home: Path, tmp_path: Path) -> None:
    """Mixed yes/1 ratings have no order: weighted kappa refuses them instead of returning a number. Labels with
    --order poor,fair,good give exactly the kappa of the same ratings written 0, 1, 2."""
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("item,A,B\n1,1,2\n2,yes,1\n3,2,2\n4,yes,yes\n")
    bad = cxcert("qa", "kappa", str(mixed), "--method", "cohen-linear", home=home)
    assert bad.returncode == 2 and "needs ordered numeric ratings or an explicit order" in bad.stderr
    labels = tmp_path / "labels.csv"
    labels.write_text("item,A,B\n1,poor,fair\n2,good,good\n3,fair,fair\n4,poor,good\n")
    assert cxcert("qa", "kappa", str(labels), "--method", "alpha-ordinal", home=home).returncode == 2
    ordered = cxcert("qa", "kappa", str(labels), "--method", "cohen-linear", "--order", "poor,fair,good", "--json",
                     home=home)  # fmt: skip
    numeric = tmp_path / "numeric.csv"
    numeric.write_text("item,A,B\n1,0,1\n2,2,2\n3,1,1\n4,0,2\n")
    same = cxcert("qa", "kappa", str(numeric), "--method", "cohen-linear", "--json", home=home)
    assert json.loads(ordered.stdout)["value"] == json.loads(same.stdout)["value"]
    misplaced = cxcert("qa", "kappa", str(labels), "--method", "fleiss", "--order", "poor,fair,good", home=home)
    assert misplaced.returncode == 2 and "--order applies to" in misplaced.stderr
