"""`cxcert staffing` end to end through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.runner import invoke, ok_json, user_error
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


def test_scheduled_from_the_fractional_requirement() -> None:
    """The audit's case: 10 Erlangs under a 60 % occupancy cap: 17 on the phone (16 give 62.5 %), 16.67
    fractional (10 / 0.6), scheduled 16.67 / 0.7 = 23.81 with 30 % shrinkage (not 17 / 0.7 = 24.29)."""
    res = runner.invoke(
        app,
        ["staffing", "--calls", "100", "--aht-s", "180", "--max-occupancy", "0.6", "--shrinkage", "0.3", "--json"],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["agents_on_phone"] == 17
    assert round(out["agents_required_fractional"], 2) == 16.67
    assert round(out["scheduled_with_shrinkage"], 2) == 23.81


def test_huge_loads_solve_or_are_refused_in_one_line(tmp_path: Path) -> None:
    """10⁹ calls per half-hour (10⁸ Erlangs) solves: 100,000,015 agents (see test_staffing's Halfin-Whitt check);
    10¹¹ calls (10¹⁰ Erlangs) is past max_load_erlangs and exits 2 with the reason."""
    res = runner.invoke(app, ["staffing", "--calls", "1e9", "--aht-s", "180", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["agents_on_phone"] == 100_000_015
    line = user_error(invoke("staffing", "--calls", "1e11", "--aht-s", "180", home=tmp_path / "home"))
    assert "beyond the solver's range" in line and "max_load_erlangs" in line


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
    # Scheduled from the fractional requirement: 13 agents give 79.6 %, the target is crossed at 13.05 agents,
    # 13.05 / 0.7 = 18.64 (not 14 / 0.7 = 20), rounded once to 19. care: 106.55 / 0.7 = 152.21 -> 153.
    assert summary["sales"]["agent_intervals_fractional"] == pytest.approx(13.047, abs=1e-3)
    assert summary["sales"]["agent_intervals_scheduled"] == 19
    assert summary["care"]["agent_intervals_on_phone"] == 107
    assert summary["care"]["agent_intervals_scheduled"] == 153
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 4 and rows[0].startswith("queue,interval_start,load_erlangs,agents_on_phone")


def test_forecast_out_folders(tmp_path: Path) -> None:
    """--out into a missing folder creates it (atomic writer); into a path under a file exits 2 in one line."""
    src = tmp_path / "forecast.csv"
    src.write_text("queue,interval_start,calls,aht_s\nsales,2026-01-05T09:00:00Z,100,180\n", encoding="utf-8")
    out = tmp_path / "new" / "folder" / "staffing.parquet"
    ok_json(invoke("staffing", "--forecast", str(src), "--out", str(out), "--json", home=tmp_path / "home"))
    assert out.is_file() and not [p for p in out.parent.iterdir() if p.name.startswith(".")]
    blocked = tmp_path / "forecast.csv" / "staffing.csv"  # a "folder" that is a file
    line = user_error(invoke("staffing", "--forecast", str(src), "--out", str(blocked), home=tmp_path / "home"))
    assert line.startswith("error: ") and "staffing.csv: cannot be written" in line and "is a file" in line


def test_forecast_bad_number(tmp_path: Path) -> None:
    src = tmp_path / "f.csv"
    src.write_text("queue,interval_start,calls,aht_s\nq,2026-01-05,abc,180\n", encoding="utf-8")
    res = runner.invoke(app, ["staffing", "--forecast", str(src)])
    assert res.exit_code != 0


def test_probability_of_waiting_target_against_the_published_erlang_c_value() -> None:
    """P(wait > 0) <= x, Erlang C's own quantity C(n, A). Oracle: R package ErlangC 0.1.0 README
    (rdocumentation.org/packages/ErlangC/versions/0.1.0) gives 100 calls per 30 min at 180 s AHT (A = 10 Erlangs)
    with 14 agents a wait probability of 0.1741319; pyworkforce's tests give 0.102 with 15 (and by the same
    formula 13 agents give 0.2853). So at most 20 % waiting needs 14 agents, at most 15 % needs 15."""
    out = ok_json(invoke("staffing", "--calls", "100", "--interval-s", "1800", "--aht-s", "180",
                         "--target-pwait", "0.2", "--json", home=Path("/nonexistent-unused")))  # fmt: skip
    assert out["agents_on_phone"] == 14
    assert out["achieved"]["p_wait"] == pytest.approx(0.1741319, abs=5e-8)
    assert out["one_fewer"]["p_wait"] == pytest.approx(0.2853, abs=5e-5)
    assert "13 give probability of waiting 28.5 % > 20.0 %" in out["explanation"]["summary"]
    assert 13 < out["agents_required_fractional"] < 14
    strict = ok_json(invoke("staffing", "--calls", "100", "--aht-s", "180", "--target-pwait", "0.15", "--json",
                            home=Path("/nonexistent-unused")))  # fmt: skip
    assert strict["agents_on_phone"] == 15 and round(strict["achieved"]["p_wait"], 3) == 0.102
    # with a service-level target too, both must hold: 80 % in 20 s alone needs 14 (13 give 79.6 %)
    both = ok_json(invoke("staffing", "--calls", "100", "--aht-s", "180", "--target-sl", "0.8", "--target-pwait",
                          "0.15", "--json", home=Path("/nonexistent-unused")))  # fmt: skip
    assert both["agents_on_phone"] == 15
    line = user_error(invoke("staffing", "--calls", "100", "--aht-s", "180", "--target-pwait", "1.5",
                             home=Path("/nonexistent-unused")))  # fmt: skip
    assert "probability of waiting must be between 0 and 1" in line


def test_a_forecast_of_volumes_only_is_staffed_with_aht_s(tmp_path: Path) -> None:
    """A forecast without handle times staffs with --aht-s; a blank AHT cell takes it too, a row's own AHT wins.
    Oracle: 100 calls in 1800 s at 180 s is the 14-agent interval above; 120 calls at 200 s is 13.33 Erlangs."""
    volumes = tmp_path / "volumes.csv"
    volumes.write_text("queue,interval_start,calls\nsales,2026-03-02T09:00:00Z,100\nsales,2026-03-02T09:30:00Z,0\n")
    line = user_error(invoke("staffing", "--forecast", str(volumes), home=tmp_path))
    assert "needs a column aht_s or aht_forecast_s" in line and "--aht-s" in line
    out_file = tmp_path / "staffing.csv"
    out = ok_json(invoke("staffing", "--forecast", str(volumes), "--aht-s", "180", "--out", str(out_file), "--json",
                         home=tmp_path))  # fmt: skip
    assert out["aht_from_option"] == {"aht_s": 180.0, "rows": 2}
    assert out["queues"][0]["peak_agents_on_phone"] == 14
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("queue,interval_start,calls,aht_s\nsales,2026-03-02T09:00:00Z,100,\nsales,2026-03-02T09:30:00Z,120,200\n")
    assert "row 2, column aht_s: blank" in user_error(invoke("staffing", "--forecast", str(mixed), home=tmp_path))
    ok_json(invoke("staffing", "--forecast", str(mixed), "--aht-s", "180", "--out", str(out_file), "--json",
                   home=tmp_path))  # fmt: skip
    rows = out_file.read_text().splitlines()
    header = rows[0].split(",")
    first, second = (dict(zip(header, r.split(","), strict=True)) for r in rows[1:])
    assert (first["aht_s"], first["agents_on_phone"]) == ("180.0", "14")
    assert float(second["aht_s"]) == 200.0 and float(second["load_erlangs"]) == pytest.approx(120 * 200 / 1800)
    assert "--aht-s must be > 0" in user_error(
        invoke("staffing", "--forecast", str(volumes), "--aht-s", "0", home=tmp_path)
    )
