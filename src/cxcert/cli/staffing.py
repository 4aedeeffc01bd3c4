"""`cxcert staffing`: agents needed per interval by Erlang C or Erlang A, for one interval or a forecast file."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the science (numpy, scipy) loads only when the command runs, so `cxcert --help` stays fast
    from cxcert.workforce.interval_staffing import IntervalMeasures
    from cxcert.workforce.staffing import QueueModel


def register(app: typer.Typer) -> None:
    app.command("staffing")(staffing)


def _model(value: str | None) -> QueueModel:
    from cxcert.workforce.staffing import QUEUE_MODELS
    from cxcert.workforce.staffing_defaults import staffing_defaults

    chosen = value or staffing_defaults().model
    for m in QUEUE_MODELS:
        if m == chosen:
            return m
    raise CxcertError(f"--model must be one of {', '.join(QUEUE_MODELS)}, got {chosen!r}")


def _measures_dict(m: IntervalMeasures) -> dict[str, Any]:
    return {
        "agents": m.agents,
        "service_level": m.service_level,
        "asa_s": None if math.isinf(m.asa_s) else m.asa_s,
        "p_wait": m.p_wait,
        "abandon_rate": m.abandon_rate,
        "occupancy": m.occupancy,
    }


def staffing(
    model: str | None = typer.Option(None, "--model", help="erlang-c (callers wait) or erlang-a (callers abandon)."),
    calls: float | None = typer.Option(None, "--calls", help="Calls offered in the interval."),
    interval_s: float | None = typer.Option(None, "--interval-s", help="Interval length in seconds."),
    aht_s: float | None = typer.Option(
        None, "--aht-s", help="Average handle time in seconds (with --forecast: for intervals that have none)."
    ),
    target_answer_s: float | None = typer.Option(None, "--target-answer-s", help="Service-level answer time (s)."),
    target_sl: float | None = typer.Option(None, "--target-sl", help="Service-level target as a fraction (0.8)."),
    target_asa_s: float | None = typer.Option(None, "--target-asa-s", help="ASA target in seconds (optional)."),
    target_abandon: float | None = typer.Option(
        None, "--target-abandon", help="Abandonment-rate target as a fraction (Erlang A only)."
    ),
    target_pwait: float | None = typer.Option(
        None, "--target-pwait", help="Most callers who may wait at all, P(wait > 0), as a fraction (0.2)."
    ),
    patience_s: float | None = typer.Option(None, "--patience-s", help="Callers' mean patience in seconds (Erlang A)."),
    max_occupancy: float | None = typer.Option(None, "--max-occupancy", help="Occupancy cap as a fraction."),
    shrinkage: float | None = typer.Option(None, "--shrinkage", help="Shrinkage as a fraction of paid time."),
    agents: int | None = typer.Option(None, "--agents", help="Evaluate this staffing instead of solving."),
    forecast: Path | None = typer.Option(None, "--forecast", help="CSV or Parquet forecast: many intervals."),
    out: Path | None = typer.Option(None, "--out", help="With --forecast: write per-interval staffing here."),
    entity: str | None = typer.Option(
        None, "--entity", help="With --forecast: show each queue on its site's clock (the entity's locations)."
    ),
    tz: str | None = typer.Option(
        None, "--tz", help="With --forecast: the IANA zone of every queue (else --entity's)."
    ),
    fte_hours_week: float | None = typer.Option(
        None, "--fte-hours-week", help="Hours of one full-time equivalent a week (default: staffing_defaults.yaml)."
    ),
    channel: str = typer.Option(
        "voice",
        "--channel",
        help="voice, chat (agents take several at once) or email (a backlog answered within hours).",
    ),
    concurrency: int | None = typer.Option(
        None, "--concurrency", help="Chat: chats an agent handles at once (default: channel_models.yaml)."
    ),
    response_h: float | None = typer.Option(
        None, "--response-h", help="E-mail: answered within this many hours (default: channel_models.yaml)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Agents needed to meet a service level (or ASA, or abandonment) target, by Erlang C or Erlang A.

    One interval: `cxcert staffing --calls 100 --interval-s 1800 --aht-s 180 --target-answer-s 20
    --target-sl 0.8` prints 14 agents (13 give 79.6 %). Add `--agents 13` to judge a staffing instead,
    `--model erlang-a --patience-s 120` to let callers abandon, or `--target-pwait 0.2` for at most 20 % of
    callers waiting at all (Erlang C's own quantity; 14 agents give 17.4 %). Many intervals: `cxcert staffing
    --forecast forecast.csv --out staffing.csv` with columns queue, interval_start, calls (or contacts_forecast),
    aht_s (or aht_forecast_s; without one, or where it is blank, --aht-s is used) and optionally interval_s and
    patience_s. Results are not rounded early: scheduled agents after shrinkage are the fractional requirement /
    (1 - shrinkage), unrounded per interval (`--max-occupancy 0.6 --shrinkage 0.3` on 10 Erlangs: 17 on the
    phone, 16.67 fractional, 23.81 scheduled); totals are rounded once, at the end. Defaults (80 % in 20 s,
    half-hours) come from the packaged staffing_defaults.yaml. With --forecast the totals per queue are hours and
    FTE (hours / (--fte-hours-week × local days / 7)) over the local days of the queue's site (--entity, --tz),
    and --out carries each interval's local start.

    Chat and e-mail have their own models (channel_models.yaml): `--channel chat --concurrency 3` runs Erlang C on
    the chat's handle time divided by the concurrency factor of 3 chats at once (2.5); `--channel email
    --response-h 24` staffs the backlog, not a queue: the hours of work that arrived in the response window ending
    at each interval, over the window, divided by the maximum occupancy.
    """
    from cxcert.workforce.interval_staffing import IntervalInputs, evaluate_interval, staff_interval
    from cxcert.workforce.staffing import StaffingTarget
    from cxcert.workforce.staffing_defaults import staffing_defaults

    d = staffing_defaults()
    queue_model = _model(model)
    has_target = any(t is not None for t in (target_sl, target_asa_s, target_abandon, target_pwait))
    target = StaffingTarget(
        service_level=(target_sl if target_sl is not None else (None if has_target else d.target_service_level)),
        answer_s=target_answer_s if target_answer_s is not None else d.target_answer_s,
        asa_s=target_asa_s,
        abandon_rate=target_abandon,
        p_wait=target_pwait,
        max_occupancy=max_occupancy if max_occupancy is not None else d.max_occupancy,
        shrinkage=shrinkage if shrinkage is not None else d.shrinkage,
    )
    from cxcert.cli.staffing_channels import chat_note, check_channel, print_email_interval
    from cxcert.workforce.channels import channel_models, concurrency_factor

    chosen = check_channel(channel, concurrency, response_h, queue_model)
    chats = concurrency or channel_models().chat.default_concurrency
    factor = concurrency_factor(chats) if chosen == "chat" else 1.0
    window_h = response_h if response_h is not None else channel_models().email.response_h
    if chosen == "email" and window_h <= 0:
        raise CxcertError(f"--response-h must be > 0, got {window_h:g}")
    if queue_model == "erlang-a" and patience_s is None and forecast is None:
        raise CxcertError("--model erlang-a needs --patience-s (the callers' mean patience in seconds)")
    if forecast is not None:
        from cxcert.cli.staffing_forecast import staff_forecast

        staff_forecast(
            forecast, out, queue_model, target, interval_s or d.interval_s, patience_s, json_out, aht_s,
            zone_of=_zones(entity, tz), fte_hours_per_week=fte_hours_week or d.fte_hours_per_week, aht_factor=factor,
            email_response_h=window_h if chosen == "email" else None,
        )  # fmt: skip
        return
    if calls is None or aht_s is None:
        raise CxcertError("give --calls and --aht-s for one interval, or --forecast FILE for many")
    if chosen == "email":
        if agents is not None:
            raise CxcertError("--agents judges a queue's service level; e-mail is a backlog: leave it out")
        print_email_interval(calls, aht_s, interval_s or d.interval_s, window_h, target.max_occupancy,
                             target.shrinkage, json_out)  # fmt: skip
        return
    if chosen == "chat" and not json_out:
        console.print(chat_note(chats, factor, aht_s), highlight=False)
    channel_json = {"channel": chosen} | (
        {"concurrency": chats, "concurrency_factor": factor, "effective_aht_s": aht_s / factor}
        if chosen == "chat"
        else {}
    )
    inputs = IntervalInputs(calls=calls, interval_s=interval_s or d.interval_s, aht_s=aht_s / factor,
                            patience_s=patience_s)  # fmt: skip
    if agents is not None:
        if agents < 0:
            raise CxcertError(f"--agents must be >= 0, got {agents}")
        perf = evaluate_interval(agents, inputs, target, queue_model)
        if json_out:
            print_json(
                {
                    "model": queue_model,
                    **channel_json,
                    "load_erlangs": perf.load_erlangs,
                    "meets_target": perf.meets_target,
                    **_measures_dict(perf.achieved),
                    "explanation": perf.explanation.to_dict(),
                }
            )
        else:
            _print_fields(
                perf.explanation.summary,
                {"load (Erlangs)": f"{perf.load_erlangs:.3f}", **_fmt(perf.achieved, queue_model)},
            )
        return
    res = staff_interval(inputs, target, queue_model)
    if json_out:
        print_json(
            {
                "model": queue_model,
                **channel_json,
                "load_erlangs": res.load_erlangs,
                "agents_on_phone": res.agents_on_phone,
                "agents_required_fractional": res.agents_required_fractional,
                "scheduled_with_shrinkage": res.scheduled_with_shrinkage,
                "achieved": _measures_dict(res.achieved),
                "one_fewer": _measures_dict(res.one_fewer) if res.one_fewer else None,
                "explanation": res.explanation.to_dict(),
            }
        )
        return
    _print_fields(
        res.explanation.summary,
        {
            "load (Erlangs)": f"{res.load_erlangs:.3f}",
            "agents on the phone": res.agents_on_phone,
            "fractional requirement": f"{res.agents_required_fractional:.3f}",
            "scheduled with shrinkage": f"{res.scheduled_with_shrinkage:.3f}",
            **_fmt(res.achieved, queue_model),
        },
    )
    print_table(None, ("step", "conclusion"), [(s.rule, s.conclusion) for s in res.explanation.steps])


def _zones(entity_id: str | None, tz: str | None) -> Callable[[str], str]:
    """Each queue's zone: --tz for all; else the site of the entity that handles the queue (its first location when
    no site names the queue); else UTC."""
    from cxcert.performance.periods import zone

    if tz:
        zone(tz)  # a clear error for an unknown zone
        return lambda _queue: tz
    if entity_id is None:
        return lambda _queue: "UTC"
    from cxcert.cli.site import workspace_entity

    entity = workspace_entity(entity_id)
    if entity is None:
        raise CxcertError(f"unknown entity {entity_id!r} (see `cxcert entity list`)")
    by_queue = {q: loc.time_zone for loc in entity.locations for q in loc.queues}
    default = entity.locations[0].time_zone
    return lambda queue: by_queue.get(queue, default)


def _print_fields(summary: str, values: dict[str, Any]) -> None:
    console.print(summary, highlight=False)
    print_table(None, ("measure", "value"), list(values.items()))


def _fmt(m: IntervalMeasures, model: str) -> dict[str, str]:
    out = {
        "service level": f"{100 * m.service_level:.1f} %",
        "ASA": "infinite" if math.isinf(m.asa_s) else f"{m.asa_s:.1f} s",
        "probability of waiting": f"{100 * m.p_wait:.1f} %",
        "abandonment": f"{100 * m.abandon_rate:.1f} %",
        "occupancy": f"{100 * m.occupancy:.1f} %",
    }
    if model != "erlang-a":
        del out["abandonment"]
    return out
