"""`cxcert qa dispute ...`: an agent's dispute of an evaluation, in the database (and the helpers `qa coaching` shares).

The rules (windows, who may decide) are :mod:`cxcert.quality.feedback`; the records are kept by
:class:`cxcert.store.feedback.FeedbackRepository` with an audit-trail entry for every change. The evaluation a
dispute contests is read from the entity's warehouse (its agent, program, date and parameters) or, when it is kept
elsewhere, given on the command line. Heavy imports happen inside the commands.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.output import print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from cxcert.quality.feedback import Dispute, FeedbackPolicy
    from cxcert.store.repository import Repositories

dispute_app = typer.Typer(
    help=(
        "An agent's dispute of an evaluation: raised within the program's window, decided once.\n\n"
        "  cxcert qa dispute raise --entity acme-care --evaluation ev-1 --reason 'verified by the IVR'\n\n"
        "  cxcert qa dispute decide dp-1 --outcome upheld --by qa_lead --note 'IVR log checked'\n\n"
        "  cxcert qa dispute list --entity acme-care --outcome pending"
    ),
    no_args_is_help=True,
)
OUTCOMES = ("upheld", "rejected", "withdrawn")


def register(qa_app: typer.Typer) -> None:
    qa_app.add_typer(dispute_app, name="dispute")


def user_rules_file() -> Path:
    """A user's feedback rules (program windows agreed with clients), beside the database."""
    from cxcert.home import cxcert_home

    return cxcert_home() / "quality" / "feedback_rules.yaml"


def policy() -> FeedbackPolicy:
    from cxcert.quality.feedback import feedback_policy

    return feedback_policy(user_rules_file())


@dataclass(frozen=True)
class StoredEvaluation:
    agent_id: str
    program: str
    evaluated_on: dt.date  # local date in the site's zone
    parameter_ids: tuple[str, ...]


def stored_evaluations(entity: str, ids: list[str], zone: str) -> dict[str, StoredEvaluation]:
    """The warehouse evaluations among ``ids`` (missing ones are left out)."""
    from cxcert.warehouse import Warehouse

    warehouse = Warehouse.default()
    evaluations = warehouse.table("evaluations", entity)
    header = evaluations.filter(evaluations.evaluation_id.isin(ids)).to_pandas()
    items = warehouse.table("evaluation_items", entity)
    parameters = items.filter(items.evaluation_id.isin(ids)).select("evaluation_id", "parameter_id").to_pandas()
    found: dict[str, StoredEvaluation] = {}
    for row in header.itertuples(index=False):
        local = row.evaluated_at.tz_convert(zone).date()
        own = parameters.loc[parameters["evaluation_id"] == row.evaluation_id, "parameter_id"]
        found[str(row.evaluation_id)] = StoredEvaluation(
            str(row.agent_id), str(row.program), local, tuple(sorted(map(str, own)))
        )
    return found


def text_option(value: str | None, option: str) -> str | None:
    """An optional text option, stripped; given but blank is a mistake."""
    return None if value is None else required_option(value, option)


def required_option(value: str, option: str) -> str:
    if not value.strip():
        raise CxcertError(f"{option} must not be empty")
    return value.strip()


def audit(repos: Repositories, action: str, subject: str, record: BaseModel) -> None:
    from cxcert.cli.workspace import actor

    repos.audit_trail.append(actor(), action, subject, record.model_dump(mode="json"))


def exists(find: Callable[[str], object], record_id: str) -> bool:
    from cxcert.errors import NotFound

    try:
        find(record_id)
    except NotFound:
        return False
    return True


@dispute_app.command("raise")
def dispute_raise(
    entity: str = typer.Option(..., "--entity", help="The entity whose evaluation is disputed."),
    evaluation: str = typer.Option(..., "--evaluation", help="The disputed evaluation's id."),
    reason: str = typer.Option(..., "--reason", help="Why the agent disputes it."),
    by: str | None = typer.Option(None, "--by", help="Who raises it (default: the evaluated agent)."),
    on: str | None = typer.Option(None, "--on", help="Day the dispute is raised (YYYY-MM-DD); default today."),
    parameter: list[str] = typer.Option([], "--parameter", help="A disputed parameter (repeat for several)."),
    evaluated_on: str | None = typer.Option(
        None, "--evaluated-on", help="Evaluation date, for an evaluation not in the warehouse (YYYY-MM-DD)."
    ),
    agent: str | None = typer.Option(None, "--agent", help="Evaluated agent, for an evaluation not in the warehouse."),
    program: str | None = typer.Option(None, "--program", help="Program, for an evaluation not in the warehouse."),
    dispute_id: str | None = typer.Option(None, "--id", help="Dispute id (default: a new unique id)."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of the dates; default the entity's first location."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Record an agent's dispute of an evaluation, if the program's dispute window is still open.

    The window is counted in calendar days from the evaluation's date (its evaluated_at in the warehouse, as a
    local date of the site, or --evaluated-on for an evaluation kept elsewhere), the last day included. It is
    feedback_rules.yaml's dispute_window_days, or the program's own (an entry under `programs:` there or in
    CXCERT_HOME/quality/feedback_rules.yaml). An evaluation is disputed once (unless the dispute was withdrawn).

      cxcert qa dispute raise --entity acme-care --evaluation ev-1 --on 2026-03-04
      --reason 'the caller was verified by the IVR' --parameter verify_identity
    """
    from cxcert.cli.dates import optional_date, parse_date
    from cxcert.cli.site import site_zone
    from cxcert.cli.workspace import workspace
    from cxcert.quality.feedback import DisputedEvaluation, raise_dispute

    zone = site_zone(entity, tz)
    raised_on = parse_date(on, "--on")
    given_day = optional_date(evaluated_on, "--evaluated-on")
    given_agent, given_program = text_option(agent, "--agent"), text_option(program, "--program")
    stored = stored_evaluations(entity, [evaluation], zone).get(evaluation)
    if stored is None:
        if given_day is None or given_agent is None:
            raise CxcertError(
                f"evaluation {evaluation} is not in entity {entity}'s warehouse; for an evaluation kept elsewhere "
                "give --evaluated-on and --agent"
            )
        target = DisputedEvaluation(
            entity_id=entity, evaluation_id=evaluation, agent_id=given_agent, program=given_program,
            evaluated_on=given_day,
        )  # fmt: skip
    else:
        for option, given, known in (
            ("--evaluated-on", given_day, stored.evaluated_on),
            ("--agent", given_agent, stored.agent_id),
            ("--program", given_program, stored.program),
        ):
            if given is not None and given != known:
                raise CxcertError(f"{option} {given} contradicts the warehouse: evaluation {evaluation} has {known}")
        target = DisputedEvaluation(
            entity_id=entity, evaluation_id=evaluation, agent_id=stored.agent_id, program=stored.program,
            evaluated_on=stored.evaluated_on, parameter_ids=stored.parameter_ids,
        )  # fmt: skip
    windows = policy().for_program(target.program)
    with workspace() as repos:
        dispute = raise_dispute(
            target,
            dispute_id=text_option(dispute_id, "--id") or f"dp-{uuid.uuid4().hex[:12]}",
            raised_by=text_option(by, "--by") or target.agent_id,
            raised_on=raised_on,
            reason=reason,
            windows=windows,
            parameter_ids=[p.strip() for p in parameter if p.strip()],
            earlier=repos.feedback.disputes(entity, evaluation_id=evaluation),
        )
        if exists(repos.feedback.get_dispute, dispute.id):
            raise CxcertError(f"dispute {dispute.id} already exists; choose another --id")
        repos.feedback.save_dispute(dispute)
        audit(repos, "qa.dispute.raised", f"dispute:{dispute.id}", dispute)
    _show_disputes([dispute], json_out, single=True)


@dispute_app.command("decide")
def dispute_decide(
    dispute_id: str = typer.Argument(..., help="The dispute's id (see `cxcert qa dispute list`)."),
    outcome: str = typer.Option(..., "--outcome", help="upheld (the agent is right), rejected or withdrawn."),
    by: str = typer.Option(..., "--by", help="Who decides (not the agent, except to withdraw)."),
    on: str | None = typer.Option(None, "--on", help="Day of the decision (YYYY-MM-DD); default today."),
    note: str = typer.Option("", "--note", help="The decision's reasoning."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Decide a pending dispute, once: upheld (the evaluation was wrong: `qa accuracy` leaves it out), rejected
    (the evaluation stands) or withdrawn (by the agent).

      cxcert qa dispute decide dp-1 --outcome upheld --by qa_lead --on 2026-03-06 --note 'IVR log checked'
    """
    from cxcert.cli.dates import parse_date
    from cxcert.cli.workspace import workspace
    from cxcert.quality.feedback import DisputeOutcome, decide_dispute

    if outcome not in OUTCOMES:
        raise CxcertError(f"--outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    decider = required_option(by, "--by")
    with workspace() as repos:
        dispute = repos.feedback.get_dispute(dispute_id)
        decided = decide_dispute(
            dispute, DisputeOutcome(outcome), by=decider, on=parse_date(on, "--on"), note=note.strip()
        )
        repos.feedback.save_dispute(decided)
        audit(repos, "qa.dispute.decided", f"dispute:{decided.id}", decided)
    _show_disputes([decided], json_out, single=True)


@dispute_app.command("list")
def dispute_list(
    entity: str = typer.Option(..., "--entity", help="The entity whose disputes to list."),
    agent: str | None = typer.Option(None, "--agent", help="Only this agent's."),
    evaluation: str | None = typer.Option(None, "--evaluation", help="Only this evaluation's."),
    outcome: str | None = typer.Option(None, "--outcome", help="Only pending, upheld, rejected or withdrawn."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List an entity's disputes, oldest first.

      cxcert qa dispute list --entity acme-care --outcome pending --json
    """
    from cxcert.cli.workspace import workspace
    from cxcert.quality.feedback import DisputeOutcome

    known = ("pending", *OUTCOMES)
    if outcome is not None and outcome not in known:
        raise CxcertError(f"--outcome must be one of {', '.join(known)}, not {outcome!r}")
    with workspace() as repos:
        found = repos.feedback.disputes(
            entity,
            agent_id=agent,
            evaluation_id=evaluation,
            outcome=DisputeOutcome(outcome) if outcome is not None else None,
        )
    _show_disputes(list(found), json_out, single=False)


def _show_disputes(disputes: list[Dispute], json_out: bool, *, single: bool) -> None:
    payload = [d.model_dump(mode="json") for d in disputes]
    if json_out:
        print_json(payload[0] if single else payload)
        return
    print_table(
        "Disputes",
        ("id", "evaluation", "agent", "program", "evaluated", "raised", "by", "reason", "outcome", "decided"),
        [
            (d.id, d.evaluation_id, d.agent_id, d.program or "", d.evaluated_on, d.raised_on, d.raised_by, d.reason,
             d.outcome, f"{d.decided_on} by {d.decided_by}" if d.decided_on else "")
            for d in disputes
        ],
    )  # fmt: skip
