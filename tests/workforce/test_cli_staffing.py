"""`cxcert staffing` end to end through the real command."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxcert.cli.main import app

runner = CliRunner()


def test_one_interval_json() -> None:
    res = runner.invoke(
        app,
        [
            "staffing",
            "--model",
            "erlang-c",
            "--calls",
            "100",
            "--interval-s",
            "1800",
            "--aht-s",
            "180",
            "--target-answer-s",
            "20",
            "--target-sl",
            "0.8",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["agents_on_phone"] == 14
    assert out["one_fewer"]["agents"] == 13
    assert "13 give service level 79.6 %" in out["explanation"]["summary"]


def test_evaluate_given_agents_and_erlang_a() -> None:
    res = runner.invoke(app, ["staffing", "--calls", "100", "--aht-s", "180", "--agents", "13", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["meets_target"] is False
    res = runner.invoke(
        app, ["staffing", "--model", "erlang-a", "--calls", "100", "--aht-s", "180", "--patience-s", "120", "--json"]
    )
    assert json.loads(res.output)["agents_on_phone"] == 12


def test_user_mistakes_exit_2() -> None:
    res = runner.invoke(app, ["staffing", "--model", "erlang-a", "--calls", "100", "--aht-s", "180"])
    assert res.exit_code != 0
    res = runner.invoke(app, ["staffing", "--calls", "100", "--aht-s", "180", "--target-sl", "80"])
    assert res.exit_code != 0


def test_forecast_file(tmp_path: Path) -> None:
    src = tmp_path / "forecast.csv"
    src.write_text(
        "queue,interval_start,contacts_forecast,aht_forecast_s\n"
        "sales,2026-01-05T09:00:00Z,100,180\n"
        "sales,2026-01-05T09:30:00Z,0,\n"
        "care,2026-01-05T09:00:00Z,1000,180\n",
        encoding="utf-8",
    )
    out = tmp_path / "staffing.csv"
    res = runner.invoke(app, ["staffing", "--forecast", str(src), "--shrinkage", "0.3", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = {q["queue"]: q for q in json.loads(res.output)["queues"]}
    assert summary["sales"]["agent_intervals_on_phone"] == 14
    assert summary["sales"]["agent_intervals_scheduled"] == 20  # 14 / 0.7 = 20.0, rounded once
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 4 and rows[0].startswith("queue,interval_start,load_erlangs,agents_on_phone")


def test_forecast_bad_number(tmp_path: Path) -> None:
    src = tmp_path / "f.csv"
    src.write_text("queue,interval_start,calls,aht_s\nq,2026-01-05,abc,180\n", encoding="utf-8")
    res = runner.invoke(app, ["staffing", "--forecast", str(src)])
    assert res.exit_code != 0
