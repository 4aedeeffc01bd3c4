"""`cxcert staffing --channel chat|email`: the options and the printing of the channels that are not voice (the
models are in :mod:`cxcert.workforce.channels`)."""

from __future__ import annotations

from typing import Any

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

CHANNELS = ("voice", "chat", "email")


def check_channel(channel: str, concurrency: int | None, response_h: float | None, model: str) -> str:
    """The channel, its options checked against it: --concurrency is for chat, --response-h for e-mail."""
    name = channel.strip().lower().replace("-", "")
    if name not in CHANNELS:
        raise CxcertError(f"--channel must be one of {', '.join(CHANNELS)}, got {channel!r}")
    if concurrency is not None and name != "chat":
        raise CxcertError("--concurrency is for --channel chat (chats an agent handles at once)")
    if response_h is not None and name != "email":
        raise CxcertError("--response-h is for --channel email (the response-time target in hours)")
    if name == "email" and model != "erlang-c":
        raise CxcertError("--channel email is a backlog, staffed without Erlang: leave out --model")
    return name


def chat_note(concurrency: int, factor: float, aht_s: float | None) -> str:
    effective = f" (effective handle time {aht_s / factor:.1f} s)" if aht_s is not None else ""
    return (
        f"chat at {concurrency} at once: Erlang C on the handle time / concurrency factor {factor:g}{effective}, "
        "the factor from channel_models.yaml"
    )


def print_email_interval(
    calls: float, aht_s: float, interval_s: float, response_h: float, max_occupancy: float, shrinkage: float,
    json_out: bool,
) -> None:  # fmt: skip
    """One interval of e-mail, its arrivals taken as steady over the response window."""
    from cxcert.workforce.channels import email_staffing

    staffed = email_staffing([calls], [aht_s], interval_s, response_h * 3600, max_occupancy)
    agents = float(staffed.agents[0])
    scheduled = agents / (1 - shrinkage)
    summary = (
        f"{agents:.2f} agents for e-mail: {calls:g} a {interval_s / 60:g}-minute interval x {aht_s:g} s is "
        f"{float(staffed.work_hours[0]):.2f} hours of work per interval, answered within {response_h:g} h"
    )
    payload: dict[str, Any] = {
        "channel": "email", "response_h": response_h, "work_hours_per_interval": float(staffed.work_hours[0]),
        "window_work_hours": float(staffed.window_hours[0]), "agents_required_fractional": agents,
        "scheduled_with_shrinkage": scheduled, "max_occupancy": max_occupancy, "shrinkage": shrinkage,
        "explanation": summary,
    }  # fmt: skip
    if json_out:
        print_json(payload)
        return
    console.print(summary, highlight=False)
    print_table(
        None,
        ("measure", "value"),
        [
            ("work arriving per interval", f"{payload['work_hours_per_interval']:.2f} h"),
            (f"work in the {response_h:g} h response window", f"{payload['window_work_hours']:.2f} h"),
            ("agents (window work / window / max occupancy)", f"{agents:.3f}"),
            ("scheduled with shrinkage", f"{scheduled:.3f}"),
        ],
    )
