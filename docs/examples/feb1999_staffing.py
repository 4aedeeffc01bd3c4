"""Worked example: hourly staffing for the real February 1999 "Anonymous Bank" call centre (Technion SEE lab).

Reads anonymous-bank-1999/calls-1999-02.tsv in the real-data folder (not shipped: see "Real data" in the
README), takes the average working day (Sunday to Thursday, the Israeli working week; 20 days in February 1999)
and, for every hour from 07:00 to 23:00, derives:

- offered calls: records that reached the agent queue (q_time > 0 or outcome AGENT), PHANTOM excluded, by the
  hour they entered the queue (q_start, or vru_exit for calls answered without queueing), averaged per day;
- AHT: mean ser_time of served calls that hour;
- mean patience: one value for the month, the standard estimate for exponential patience with censoring,
  total time spent waiting by everyone who queued / number who hung up while queued (Mandelbaum & Zeltyn);
- the agents Erlang C and Erlang A need for 80 % answered in 20 s (the packaged default target), and
- what the bank did: distinct servers who started a call that hour (average per day), and the share of
  offered calls answered within 20 s.

Run: .venv/bin/python docs/examples/feb1999_staffing.py [real-data folder, default $CXCERT_SHARED_DATA or
shared/data beside the clone]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cxcert.workforce.staffing import StaffingTarget, solve_staffing
from cxcert.workforce.staffing_defaults import staffing_defaults

WORKING_DAYS = (6, 0, 1, 2, 3)  # day_of_week: Sunday=6, Monday=0 ... Thursday=3
FIRST_HOUR, LAST_HOUR = 7, 23


def _seconds(clock: pd.Series) -> pd.Series:
    parts = clock.str.split(":", expand=True).astype(int)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def load_calls(path: Path) -> pd.DataFrame:
    """The month's records that reached the agent queue on working days, with arrival hour and day."""
    raw = pd.read_csv(path, sep="\t", dtype=str)
    raw = raw[raw["outcome"] != "PHANTOM"].copy()
    for col in ("q_time", "ser_time"):
        raw[col] = pd.to_numeric(raw[col])
    raw = raw[(raw["q_time"] > 0) | (raw["outcome"] == "AGENT")].copy()
    entered = np.where(raw["q_start"] != "0:00:00", raw["q_start"], raw["vru_exit"])
    raw["arrival_s"] = _seconds(pd.Series(entered, index=raw.index))
    raw["hour"] = raw["arrival_s"] // 3600
    raw["day"] = pd.to_datetime("19" + raw["date"], format="%Y%m%d")
    raw["served_s"] = _seconds(raw["ser_start"])
    working: pd.DataFrame = raw[raw["day"].dt.day_of_week.isin(WORKING_DAYS)]
    return working


def mean_patience_s(calls: pd.DataFrame) -> float:
    """Exponential patience, censored by service: Σ waiting time of all who queued / number who abandoned."""
    queued = calls[calls["q_time"] > 0]
    abandoned = int((queued["outcome"] == "HANG").sum())
    return float(queued["q_time"].sum() / abandoned)


def hourly_table(path: Path) -> pd.DataFrame:
    """One row per hour of the average working day: workload, staffing by Erlang C and A, what the bank had."""
    calls = load_calls(path)
    days = calls["day"].nunique()
    patience = mean_patience_s(calls)
    d = staffing_defaults()
    in_hours = calls[(calls["hour"] >= FIRST_HOUR) & (calls["hour"] < LAST_HOUR)]
    by_hour = in_hours.groupby("hour")
    served = in_hours[(in_hours["outcome"] == "AGENT") & (in_hours["ser_time"] > 0)]
    table = pd.DataFrame(
        {
            "calls_per_day": by_hour.size() / days,
            "aht_s": served.groupby("hour")["ser_time"].mean(),
            "answered_20s": by_hour.apply(
                lambda g: float(((g["outcome"] == "AGENT") & (g["q_time"] <= d.target_answer_s)).mean())
            ),
        }
    )
    working = calls[calls["server"] != "NO_SERVER"].assign(serve_hour=lambda f: f["served_s"] // 3600)
    servers = working.groupby(["day", "serve_hour"])["server"].nunique().groupby("serve_hour").sum() / days
    table["servers_working"] = servers.reindex(table.index).fillna(0.0)
    target = StaffingTarget(d.target_service_level, d.target_answer_s)
    c = solve_staffing(table["calls_per_day"].to_numpy(), table["aht_s"].to_numpy(), 3600.0, target)
    a = solve_staffing(
        table["calls_per_day"].to_numpy(),
        table["aht_s"].to_numpy(),
        3600.0,
        target,
        model="erlang-a",
        patience_s=patience,
    )
    table["load_erlangs"] = c.load
    table["erlang_c_agents"] = c.agents_on_phone
    table["erlang_a_agents"] = a.agents_on_phone
    table["erlang_a_abandon"] = a.measures.abandon_rate
    table.attrs["patience_s"] = patience
    table.attrs["days"] = days
    return table


def main() -> None:
    default = os.environ.get("CXCERT_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data"
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(default)
    table = hourly_table(base / "anonymous-bank-1999" / "calls-1999-02.tsv")
    print(f"working days: {table.attrs['days']}, mean patience: {table.attrs['patience_s']:.0f} s")
    print(
        "| hour | calls/day | AHT s | load Erl | Erlang C | Erlang A | A abandon | servers working | answered in 20 s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    col = {c: table[c].to_numpy(dtype=float) for c in table.columns}
    for i, hour in enumerate(table.index.to_numpy(dtype=int)):
        print(
            f"| {hour:02d}:00 | {col['calls_per_day'][i]:.1f} | {col['aht_s'][i]:.0f} | "
            f"{col['load_erlangs'][i]:.2f} | {col['erlang_c_agents'][i]:.0f} | {col['erlang_a_agents'][i]:.0f} | "
            f"{100 * col['erlang_a_abandon'][i]:.1f} % | {col['servers_working'][i]:.1f} | "
            f"{100 * col['answered_20s'][i]:.0f} % |"
        )
    print(
        f"| total | {table.calls_per_day.sum():.0f} | | | {int(table.erlang_c_agents.sum())} | "
        f"{int(table.erlang_a_agents.sum())} | | {table.servers_working.sum():.1f} | |"
    )


if __name__ == "__main__":
    main()
