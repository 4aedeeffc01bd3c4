"""The worked example of docs/workforce.md, recomputed from the real February 1999 Anonymous Bank records."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "feb1999_staffing.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feb1999_staffing", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.realdata
def test_hourly_table_matches_the_doc(shared_data: Path) -> None:
    """Values pasted in docs/workforce.md (20 working days, mean patience 349 s; 10:00 needs 10 agents by
    Erlang C and 9 by Erlang A; 112 and 107 agent-hours a day from 07:00 to 23:00)."""
    table = _example().hourly_table(shared_data / "anonymous-bank-1999" / "calls-1999-02.tsv")
    assert table.attrs["days"] == 20
    assert round(table.attrs["patience_s"]) == 349
    ten = table.loc[10]
    assert round(float(ten["calls_per_day"]), 1) == 121.3
    assert round(float(ten["aht_s"])) == 196
    assert (int(ten["erlang_c_agents"]), int(ten["erlang_a_agents"])) == (10, 9)
    assert int(table["erlang_c_agents"].sum()) == 112
    assert int(table["erlang_a_agents"].sum()) == 107
    assert round(float(table["servers_working"].sum()), 1) == 119.5
    assert (table["erlang_a_agents"] <= table["erlang_c_agents"]).all()
