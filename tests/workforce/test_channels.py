"""Chat and e-mail staffed with their own models (channel_models.yaml).

Oracles: chat, Call Centre Helper's method ("Erlang C for Chat?": Erlang C on AHT / concurrency factor, factor 2.5
for 3 chats at once), so 100 chats a half-hour at 450 s wall-clock with 3 at once is the voice example of 100 calls
at 180 s: 14 agents, 13 give 79.6 % (R ErlangC and pyworkforce, see test_erlang_c.py). E-mail, hand-computed: the
backlog model conserves work (agent-seconds staffed = seconds of work that arrived, once its windows have passed)
and spreads a peak over the response window that follows it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cli.runner import invoke, ok_json, user_error
from cxcert.errors import CxcertError
from cxcert.workforce.channels import channel_models, concurrency_factor, effective_chat_aht, email_staffing

HOME = Path("/nonexistent-unused")


def test_the_chat_factors_are_the_published_table() -> None:
    factors = channel_models().chat.concurrency_factors
    assert factors == {1: 1.0, 2: 1.7, 3: 2.5, 4: 2.9, 5: 3.5}
    assert float(effective_chat_aht(450.0, 3)) == pytest.approx(180.0)
    with pytest.raises(CxcertError, match="no concurrency factor for 7"):
        concurrency_factor(7)


def test_chat_with_three_at_once_is_erlang_c_on_the_effective_handle_time() -> None:
    out = ok_json(invoke("staffing", "--channel", "chat", "--concurrency", "3", "--calls", "100", "--aht-s", "450",
                         "--json", home=HOME))  # fmt: skip
    assert out["channel"] == "chat" and out["concurrency_factor"] == 2.5 and out["effective_aht_s"] == 180.0
    assert out["agents_on_phone"] == 14 and "13 give service level 79.6 %" in out["explanation"]["summary"]
    one = ok_json(invoke("staffing", "--channel", "chat", "--concurrency", "1", "--calls", "100", "--aht-s", "180",
                         "--json", home=HOME))  # fmt: skip
    assert one["agents_on_phone"] == 14  # one chat at a time is voice
    assert "--concurrency is for --channel chat" in user_error(
        invoke("staffing", "--concurrency", "2", "--calls", "100", "--aht-s", "180", home=HOME)
    )


def test_email_is_a_backlog_spread_over_the_response_window() -> None:
    steady = email_staffing([100], [300], 1800, 24 * 3600)
    assert float(steady.agents[0]) == pytest.approx(100 * 300 / 1800)  # the work rate: 16.67 agents
    # a peak of 100 e-mails (30,000 s of work) in the 4th half-hour, answered within an hour: 8.33 agents there and
    # in the next half-hour, none after
    peak = email_staffing([0, 0, 0, 100, 0, 0], [300] * 6, 1800, 3600)
    assert np.allclose(peak.agents, [0, 0, 0, 30000 / 3600, 30000 / 3600, 0])
    # a window of 1.5 intervals: still every second of work staffed once
    uneven = email_staffing([0, 0, 100, 0, 0], [300] * 5, 1800, 2700)
    assert float(np.sum(uneven.agents) * 1800) == pytest.approx(30000.0)
    assert float(email_staffing([100], [300], 1800, 3600, max_occupancy=0.8).agents[0]) == pytest.approx(
        100 * 300 / 1800 / 0.8
    )


def test_email_from_the_command_line_one_interval_and_a_forecast(tmp_path: Path) -> None:
    one = ok_json(invoke("staffing", "--channel", "email", "--calls", "100", "--aht-s", "300", "--response-h", "24",
                         "--shrinkage", "0.2", "--json", home=HOME))  # fmt: skip
    assert one["agents_required_fractional"] == pytest.approx(16.6667, abs=1e-4)
    assert one["scheduled_with_shrinkage"] == pytest.approx(16.6667 / 0.8, abs=1e-3)
    forecast = tmp_path / "mail.csv"
    rows = [f"mail,2026-03-02T{9 + k // 2:02d}:{30 * (k % 2):02d}:00Z,{100 if k == 3 else 0},300" for k in range(6)]
    forecast.write_text("queue,interval_start,calls,aht_s\n" + "\n".join(reversed(rows)) + "\n")  # out of order
    out_file = tmp_path / "staffed.csv"
    result = ok_json(invoke("staffing", "--forecast", str(forecast), "--channel", "email", "--response-h", "1",
                            "--out", str(out_file), "--json", home=tmp_path))  # fmt: skip
    queue = result["queues"][0]
    assert queue["scheduled_hours"] == pytest.approx(30000 / 3600)  # every hour of work staffed, once
    assert queue["peak_agents_on_phone"] == 9  # 8.33 rounded up
    assert "--response-h is for --channel email" in user_error(
        invoke("staffing", "--response-h", "2", "--calls", "100", "--aht-s", "180", home=HOME)
    )
