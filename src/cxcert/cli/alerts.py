"""`cxcert alerts list|act`: an entity's performance alerts, and a corrective action opened from one of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.dates import optional_date, parse_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    from cxcert.certification.corrective_action import CorrectiveAction

alerts_app = typer.Typer(
    help="Performance alerts (missed targets, runs below standard, control-chart signals) and their actions.",
    no_args_is_help=True,
)

MONTHS_HELP = "How many whole months to review, ending with the month of --end."
END_HELP = "A day in the last month to review (default: today)."
TARGETS_HELP = "Judge against this targets.yaml instead of the entity's stored targets."


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


def _action_state(action_id: str, stored: dict[str, CorrectiveAction]) -> str:
    action = stored.get(action_id)
    if action is None:
        return "none"
    return "open" if action.is_open else f"closed {action.closed_on}"


@alerts_app.command("list")
def list_alerts(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    months: int = typer.Option(12, "--months", help=MONTHS_HELP),
    end: str | None = typer.Option(None, "--end", help=END_HELP),
    rule: str | None = typer.Option(None, "--rule", help="Only this rule (target_missed, consecutive_below, we1...)."),
    targets_file: Path | None = typer.Option(None, "--targets", help=TARGETS_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (points, limits, rule, run, explanation)."),
) -> None:
    """List the alerts of an entity's performance review, with ids to act on and their corrective action.

    A run below target is one alert from its first to its last point, so it keeps its id while it goes on.

    Example:  cxcert alerts list --entity acme-care --end 2025-12-31 --rule consecutive_below
    """
    from cxcert.cli.progress import steps_bar
    from cxcert.cli.workspace import workspace

    with steps_bar(f"alerts of {entity_id}", json_out=json_out) as advance, workspace() as repos:
        from cxcert.cli.evidence import compute_review  # loads the engine: under the bar, which pulses
        from cxcert.cli.evidence_view import alert_json
        from cxcert.performance.performance_rules import Purpose
        from cxcert.performance.review import months_window

        start, stop = months_window(parse_date(end, "--end"), months)
        computed = compute_review(repos, entity_id, start=start, end=stop, purpose=Purpose.INITIAL,
                                  targets_file=targets_file, progress=advance)  # fmt: skip
        stored = {a.id: a for a in repos.corrective_actions.actions(entity_id)}
    alerts = [a for a in computed.review.alerts if rule is None or a.alert.rule == rule]
    if json_out:
        print_json({
            "entity_id": entity_id, "window": {"start": start.isoformat(), "end": stop.isoformat()},
            "targets": computed.targets.note,
            "alerts": [alert_json(a) | {"corrective_action": _action_state(a.action_id, stored)} for a in alerts],
        })  # fmt: skip
        return
    print_table(
        f"alerts of {entity_id}, {start} to {stop}",
        ("id", "item", "rule", "points", "summary", "action"),
        [(a.id, a.item, a.alert.rule_title, len(a.alert.points), a.alert.explanation.summary,
          f"{a.action_id} ({_action_state(a.action_id, stored)})") for a in alerts],
    )  # fmt: skip
    if computed.targets.origin == "packaged":
        console.print(f"[dim]{escape(computed.targets.note)}[/]", highlight=False)
    console.print("Act on one: [bold]cxcert alerts act ALERT_ID --owner NAME[/] (same --months and --end)")


@alerts_app.command("act")
def act(
    alert_id: str = typer.Argument(..., help="The alert id, as `cxcert alerts list` or `evidence --json` show it."),
    owner: str = typer.Option(..., "--owner", help="Who owns the corrective action."),
    due: str | None = typer.Option(None, "--due", help="Due date (YYYY-MM-DD; default: the evidence policy's)."),
    months: int = typer.Option(12, "--months", help=MONTHS_HELP),
    end: str | None = typer.Option(None, "--end", help=END_HELP),
    targets_file: Path | None = typer.Option(None, "--targets", help=TARGETS_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Open the corrective action for one alert, on the standard's item its metric serves.

    Every alert of one run below target (its missed months, the three-in-a-row rule) leads to the same action:
    acting again while the run goes on updates that action (owner and due date kept), it does not add one.
    Any alert can be acted on, control-chart signals included, whatever the policy opens in bulk.

    Example:  cxcert alerts act acme-care:service_level:retail:consecutive_below:2025-01-01 --owner ops-lead
    """
    from cxcert.cli.evidence import compute_review, plan_json, save_planned
    from cxcert.cli.workspace import actor, workspace
    from cxcert.performance.alerts import ActionChange, parse_alert_id, plan_action
    from cxcert.performance.evidence import default_evidence_policy
    from cxcert.performance.performance_rules import Purpose
    from cxcert.performance.review import months_window

    key = parse_alert_id(alert_id)
    today = dt.date.today()
    policy_days = default_evidence_policy().corrective_action_due_days
    due_on = optional_date(due, "--due") or today + dt.timedelta(days=policy_days)
    if due_on < today:
        raise CxcertError(f"--due {due_on} is before today ({today}), the day the action is raised")
    start, stop = months_window(parse_date(end, "--end"), months)
    with workspace() as repos:
        computed = compute_review(repos, key.entity_id, start=start, end=stop, purpose=Purpose.INITIAL,
                                  targets_file=targets_file)  # fmt: skip
        alert = computed.review.alert(alert_id)
        episode = computed.review.episode(alert)
        existing = repos.corrective_actions.actions(key.entity_id)
        plan = plan_action(episode, owner=owner, raised_on=today, due_on=due_on, existing=existing)
        save_planned(repos, [plan], actor())
    if json_out:
        print_json({"alert": alert.id, "corrective_action": plan_json(plan)})
        return
    console.print(escape(alert.alert.explanation.summary), highlight=False)
    colour = "green" if plan.change in (ActionChange.OPENED, ActionChange.UPDATED) else "yellow"
    console.print(f"[{colour}]{escape(plan.explanation.summary)}[/]", highlight=False)
    console.print(f"  {escape(plan.action.description)}", highlight=False)
