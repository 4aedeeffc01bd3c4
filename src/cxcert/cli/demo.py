"""`cxcert demo`: a realistic organisation taken through certification end to end, stored and explained.

The run is a sequence of small steps (:func:`demo_steps`), each reading and extending one :class:`DemoRun`:
persist a part of the scenario through the repositories, or compute and print a result from what was stored.
To extend the demo (e.g. with the performance scorecard), write another ``def step(run: DemoRun) -> None`` and
add it to :func:`demo_steps`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from cxcert.cli.calendar import EntityCalendar, entity_calendar, print_calendar
from cxcert.cli.dates import parse_date
from cxcert.cli.decide import print_recorded
from cxcert.cli.entity import show_entity
from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the domain (pydantic) and the store (SQLAlchemy) load only when the demo runs
    from cxcert.certification.assessment import Assessment
    from cxcert.certification.corrective_action import CorrectiveAction
    from cxcert.certification.decision import Decision
    from cxcert.certification.demo_scenario import DemoConclusion, DemoScenario
    from cxcert.store.db import Database
    from cxcert.store.repository import Repositories

ACTOR = "cxcert-demo"
DEMO_TABLE_ROWS = 15  # a demo table stays readable: the rest is one command away
DEFAULT_DIR_NAME = "cxcert-demo"


@dataclass
class DemoRun:
    """The state of one demo run: where it stores, the scenario, and what each step produced."""

    home: Path
    today: dt.date
    json_out: bool
    db: Database | None = None
    scenario: DemoScenario | None = None
    decision: Decision | None = None
    conclusion: DemoConclusion | None = None  # what the scenario expects from the audit as finally recorded
    raised_actions: tuple[CorrectiveAction, ...] = ()  # the plans the decision raised, as stored
    calendar: EntityCalendar | None = None
    audit_for_decision: Assessment | None = None  # the audit as the performance evidence step left it
    output: dict[str, Any] = field(default_factory=dict)  # the --json document, one key per step

    @property
    def url(self) -> str:
        return f"sqlite:///{self.home / 'cxcert.sqlite'}"

    @property
    def s(self) -> DemoScenario:
        assert self.scenario is not None, "build_scenario runs first"
        return self.scenario

    @contextmanager
    def repos(self) -> Iterator[Repositories]:
        from cxcert.store.repository import Repositories

        assert self.db is not None, "prepare_workspace runs first"
        with self.db.session() as session:
            yield Repositories(session, evidence_root=self.home / "evidence")

    def say(self, text: str) -> None:
        if not self.json_out:
            console.print(text, highlight=False)


def choose_home(explicit: Path | None) -> Path:
    """``explicit`` (--home) if given, else ``CXCERT_HOME`` when set (either must not hold a database yet: the
    demo never writes into a workspace in use); else ./cxcert-demo, -2, -3... or a temp dir."""
    if explicit is not None:
        if (explicit / "cxcert.sqlite").exists():
            raise CxcertError(f"{explicit} already holds a cxcert database; give an empty or new directory to --home")
        return explicit
    if os.environ.get("CXCERT_HOME"):
        from cxcert.home import cxcert_home

        home = cxcert_home()
        if (home / "cxcert.sqlite").exists():
            raise CxcertError(
                f"CXCERT_HOME={home} already holds a cxcert database; the demo builds a fresh workspace: point "
                "CXCERT_HOME at an empty or new directory, or give --home DIR"
            )
        return home
    cwd = Path.cwd()
    if os.access(cwd, os.W_OK):
        for n in range(1, 100):
            candidate = cwd / (DEFAULT_DIR_NAME if n == 1 else f"{DEFAULT_DIR_NAME}-{n}")
            if not candidate.exists() or not any(candidate.iterdir()):
                return candidate
    return Path(tempfile.mkdtemp(prefix=f"{DEFAULT_DIR_NAME}-"))


# --- the steps ---------------------------------------------------------------------------------------------


def prepare_workspace(run: DemoRun) -> None:
    from cxcert.home import ensure_dir
    from cxcert.store.db import Database, init_database

    ensure_dir(run.home / "evidence")
    init_database(run.url)
    run.db = Database(run.url)
    run.output["workspace"] = {"home": str(run.home), "database": run.url, "today": run.today.isoformat()}
    run.say(f"[bold]cxcert demo[/] as of {run.today}: workspace {run.home}")


def build_scenario(run: DemoRun) -> None:
    from cxcert.certification.demo_scenario import build_demo_scenario

    run.scenario = build_demo_scenario(run.today)


def persist_entity(run: DemoRun) -> None:
    s = run.s
    with run.repos() as repos:
        repos.organisations.save_organisation(s.organisation)
        repos.organisations.save_entity(s.entity)
        repos.audit_trail.append(ACTOR, "entity.created", f"entity:{s.entity.id}", s.entity.model_dump(mode="json"))
    run.output["organisation"] = s.organisation.model_dump(mode="json")
    run.output["entity"] = s.entity.model_dump(mode="json")
    if not run.json_out:
        console.rule("1. Organisation and entity")
        show_entity(s.entity, s.organisation)
        console.print(s.authority.explanation.summary, highlight=False)


def persist_people(run: DemoRun) -> None:
    s = run.s
    names = {p.id: p.name for p in s.people}
    with run.repos() as repos:
        for person in s.people:
            repos.people.save_person(person)
        for grant in s.role_grants:
            repos.people.grant(grant)
        for session in s.kickoff_sessions:
            repos.people.save_kickoff(s.entity.id, session)
        for reg, verdict in zip(s.registrations, s.registration_verdicts, strict=True):
            payload = {**reg.model_dump(mode="json"), "explanation": verdict.explanation.to_dict()}
            repos.people.save_registration(s.entity.id, reg)  # every exam attempt is kept, as the CLI keeps it
            if verdict.registered:
                repos.audit_trail.append(ACTOR, "coordinator.registered", f"entity:{s.entity.id}", payload)
            else:
                repos.audit_trail.append(ACTOR, "coordinator.refused", f"entity:{s.entity.id}", payload)
    run.output["coordinators"] = [
        {
            "person_id": v.person_id,
            "name": names.get(v.person_id),
            "location_id": v.location_id,
            "exam_score": r.exam_score,
            "registered": v.registered,
            "explanation": v.explanation.to_dict(),
        }
        for r, v in zip(s.registrations, s.registration_verdicts, strict=True)
    ]
    run.output["kickoff"] = [k.model_dump(mode="json") for k in s.kickoff_sessions]
    if not run.json_out:
        console.rule("2. Kickoff and coordinators")
        for k in s.kickoff_sessions:
            console.print(f"  kickoff {k.held_on}: {k.audience}, {k.duration_hours:g} h", highlight=False)
        print_table(
            "coordinator registrations",
            ("person", "location", "exam", "verdict"),
            [
                (
                    names.get(v.person_id, v.person_id),
                    v.location_id,
                    f"{r.exam_score:.0%}",
                    ("[green]registered[/]" if v.registered else "[red]refused[/]: ")
                    + ("" if v.registered else v.explanation.summary),
                )
                for r, v in zip(s.registrations, s.registration_verdicts, strict=True)
            ],
        )


def persist_application(run: DemoRun) -> None:
    s = run.s
    with run.repos() as repos:
        for answer in s.application_answers:
            repos.assessments.record_answer(s.entity.id, answer)
    p = s.application_progress
    run.output["application"] = {
        "answers": len(s.application_answers),
        "completion": p.completion,
        "hours_spent": p.hours_spent,
        "items_complete": len(p.items_complete),
        "items": len(p.items),
        "summary": p.explanation.summary,
    }
    if not run.json_out:
        console.rule("3. Application")
        console.print(f"  {len(s.application_answers)} answers: {p.explanation.summary}", highlight=False)


def _finding_counts(assessment: Assessment) -> dict[str, int]:
    from cxcert.standards.rule_set import FindingLevel

    return {level.value: sum(f.level is level for f in assessment.findings) for level in FindingLevel}


def persist_baseline_and_gap_closure(run: DemoRun) -> None:
    s = run.s
    with run.repos() as repos:
        repos.assessments.save_assessment(s.baseline)
        repos.gap_closure.save_plan(s.entity.id, s.gap_closure_calls)
    run.output["baseline"] = {
        "assessment_id": s.baseline.id,
        "started_on": s.baseline.started_on.isoformat(),
        "findings": _finding_counts(s.baseline),
        "would_be": s.baseline_decision.decision_class,
        "summary": s.baseline_decision.explanation.summary,
    }
    run.output["gap_closure_calls"] = [c.model_dump(mode="json") for c in s.gap_closure_calls]
    if not run.json_out:
        console.rule("4. Baseline and gap closure")
        console.print(f"  baseline {s.baseline.started_on}: {s.baseline_decision.explanation.summary}", highlight=False)
        print_table(
            "gap closure calls",
            ("#", "scheduled", "topic", "owner", "outcome"),
            [(c.number, c.scheduled_on, c.topic, c.owner or "", c.outcome or "") for c in s.gap_closure_calls],
        )


def persist_audit(run: DemoRun) -> None:
    from cxcert.standards.rule_set import FindingLevel

    s = run.s
    audit = s.compliance_audit
    with run.repos() as repos:
        repos.assessments.save_assessment(audit)
        repos.audit_trail.append(
            ACTOR,
            "findings.recorded",
            f"assessment:{audit.id}",
            {"findings": [f.model_dump(mode="json") for f in audit.findings]},
        )
        # the engagement up to the audit held, each step checked against the scenario's records; stored before
        # the decision, so deciding waits for it as `cxcert decide` does for a user
        repos.engagements.save_engagement(s.engagement_to_audit)
    counts = _finding_counts(audit)
    run.output["audit"] = {"assessment_id": audit.id, "started_on": audit.started_on.isoformat(), "findings": counts}
    if not run.json_out:
        console.rule("5. Compliance audit")
        console.print(
            f"  {audit.started_on} to {audit.ended_on}, assessors {', '.join(audit.assessors)}: "
            + ", ".join(f"{n} {level}" for level, n in counts.items() if n),
            highlight=False,
        )
        print_table(
            "findings other than compliant",
            ("item", "level", "note"),
            [(f.item, f.level.value, f.note) for f in audit.findings if f.level is not FindingLevel.COMPLIANT],
        )


def run_decision(run: DemoRun) -> None:
    """Decide from the audit as stored, the way `cxcert decide` does (the store is what the CLI reads later), and
    check it against the scenario's own conclusion from the same findings."""
    from cxcert.cli.decision_record import assessment_to_decide, record_decision

    s = run.s
    with run.repos() as repos:
        stored = assessment_to_decide(repos, s.entity.id, s.rule_set, None)
        done = record_decision(repos, s.entity, stored, on=s.decision_date, by=ACTOR)
    decision = done.record.decision
    run.conclusion = s.conclude(run.audit_for_decision or s.compliance_audit)
    if decision != run.conclusion.decision:
        raise AssertionError("the decision from the stored audit differs from the scenario's: a storage bug")
    run.decision = decision
    run.raised_actions = done.actions.all
    run.output["decision"] = done.to_dict()
    if not run.json_out:
        console.rule("8. Decision")
        print_recorded(done)


def persist_follow_up(run: DemoRun) -> None:
    """Work the plans the decision raised as the scenario says (`cxcert actions assign|close`), then take the
    engagement's decision step the decision calls for, checked against the store as `cxcert engagement advance`
    checks a user's."""
    from cxcert.certification.engagement import Stage
    from cxcert.cli.actions import assign, close
    from cxcert.cli.engagement import engagement_context

    s = run.s
    assert run.conclusion is not None and run.decision is not None, "run_decision runs first"
    to = Stage.CERTIFIED if run.decision.certifies else Stage.NOT_CERTIFIED
    worked = []
    with run.repos() as repos:
        for action in run.raised_actions:
            owner, closure = s.owner_for(action), s.closure_for(action)
            if owner is not None and action.is_open:
                action = assign(repos, action.id, owner, by=ACTOR)[1]
            if closure is not None and action.is_open:
                action = close(repos, action.id, closure[0], closure[1], closure[2], by=ACTOR)[1]
            worked.append(action)
        from_alerts = tuple(a for a in repos.corrective_actions.actions(s.entity.id) if a.assessment_id is None)
        context = engagement_context(repos, s.entity.id, s.decision_date)
        engagement = repos.engagements.load_engagement(s.entity.id).advance(to, s.decision_date, context=context)
        repos.engagements.save_engagement(engagement)
    if tuple(worked) != run.conclusion.corrective_actions:
        raise AssertionError("the stored corrective actions differ from the scenario's: a storage bug")
    if engagement != run.conclusion.engagement:
        raise AssertionError("the stored engagement differs from the scenario's: a storage bug")
    run.output["corrective_actions"] = [a.model_dump(mode="json") for a in worked]
    run.output["corrective_actions_from_kpi_alerts"] = [a.model_dump(mode="json") for a in from_alerts]
    run.output["engagement"] = {
        "stage": engagement.stage.value,
        "history": [{"to": t.to_stage.value, "on": t.on.isoformat(), "note": t.note} for t in engagement.history],
    }
    if not run.json_out:
        console.rule("9. Corrective actions and engagement")
        print_actions_by_origin(s.entity.id, (("audit finding", tuple(worked)), ("KPI alert", from_alerts)))
        console.print("  engagement: " + " -> ".join(t.to_stage.value for t in engagement.history), highlight=False)


def print_actions_by_origin(
    entity_id: str, groups: tuple[tuple[str, tuple[CorrectiveAction, ...]], ...], *, limit: int = DEMO_TABLE_ROWS
) -> None:
    """One compact table of the entity's corrective actions, grouped by where they came from, at most ``limit``
    rows (each origin keeps at least one), the rest counted with the command that lists them all."""
    prefix = f"{entity_id}/"
    rows: list[tuple[object, ...]] = []
    left_out = 0
    for n, (origin, actions) in enumerate(groups):
        room = max(1, limit - len(rows) - (len(groups) - n - 1))  # keep a row for each origin still to come
        for a in actions[:room]:
            status = a.status.value if a.is_open else f"closed {a.closed_on}"
            rows.append((origin, a.id.removeprefix(prefix), a.item, a.finding_level.value, a.owner, a.due_on, status))
        left_out += max(0, len(actions) - room)
    counts = ", ".join(f"{len(actions)} from {origin}s" for origin, actions in groups)
    print_table(
        f"corrective actions of {entity_id}: {counts} (ids under {prefix})",
        ("origin", "id", "item", "level", "owner", "due", "status"),
        rows,
    )
    if left_out:
        console.print(
            f"  +{left_out} more, see [bold]cxcert actions list --entity {escape(entity_id)}[/]", highlight=False
        )


def show_calendar(run: DemoRun) -> None:
    s = run.s
    with run.repos() as repos:
        run.calendar = entity_calendar(repos, s.entity.id, run.today)
    run.output["calendar"] = run.calendar.to_dict()
    if not run.json_out:
        console.rule("10. Calendar")
        print_calendar(run.calendar)


def verify_audit_trail(run: DemoRun) -> None:
    with run.repos() as repos:
        check = repos.audit_trail.verify_chain()
    run.output["audit_trail"] = {"intact": check.intact, "entries": check.entries, "summary": check.explanation.summary}
    run.say(f"\n{check.explanation.summary}")


def invoked_command() -> str:
    """How to run cxcert again the way it was just run: ``cxcert`` when that is the one on PATH, else the script
    as invoked (``.venv/bin/cxcert``, relative to here when under it), else this interpreter with ``-m cxcert``."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    candidates = []
    if argv0 is not None and argv0.name in ("cxcert", "cxcert.exe") and argv0.exists():
        candidates.append(argv0.absolute())
    venv_script = Path(sys.prefix) / "bin" / "cxcert"
    if sys.prefix != sys.base_prefix and venv_script.exists():
        candidates.append(venv_script.absolute())
    on_path = shutil.which("cxcert")
    for script in candidates:
        if on_path is not None and Path(on_path).resolve() == script.resolve():
            return "cxcert"
        try:
            relative = script.relative_to(Path.cwd())
        except ValueError:
            return str(script)
        return str(relative) if len(relative.parts) > 1 else f"./{relative}"  # a bare name would search PATH
    return "cxcert" if on_path is not None else f"{sys.executable} -m cxcert"


def closing_hints(run: DemoRun) -> None:
    command = invoked_command()
    run.output["explore"] = f"CXCERT_HOME={run.home} {command} entity list"
    if not run.json_out:
        console.rule("Explore")
        console.print(f"The demo workspace is [bold]{run.home}[/]. Try:", highlight=False)
        for sub in (
            "entity list",
            f"decide --entity {run.s.entity.id}",
            f"actions list --entity {run.s.entity.id}",
            "calendar",
            f"engagement show --entity {run.s.entity.id}",
        ):
            console.print(f"  CXCERT_HOME={run.home} {command} {sub}", highlight=False, soft_wrap=True)


DemoStep = Callable[[DemoRun], None]


def performance_steps() -> list[DemoStep]:
    """Generate, ingest and review twelve months of operations (imported here: they load the data engine)."""
    from cxcert.cli.demo_performance import generate_and_ingest_operations, review_and_record_evidence

    return [generate_and_ingest_operations, review_and_record_evidence]


def demo_steps() -> list[DemoStep]:
    """The demo's steps in order."""
    return [
        prepare_workspace,
        build_scenario,
        persist_entity,
        persist_people,
        persist_application,
        persist_baseline_and_gap_closure,
        persist_audit,
        *performance_steps(),
        run_decision,
        persist_follow_up,
        show_calendar,
        verify_audit_trail,
        closing_hints,
    ]


def run_demo(home: Path, today: dt.date, *, json_out: bool, steps: list[DemoStep] | None = None) -> DemoRun:
    """Run ``steps`` (default :func:`demo_steps`) in order on a fresh run and return it."""
    run = DemoRun(home=home, today=today, json_out=json_out)
    try:
        for step in steps or demo_steps():
            step(run)
    finally:
        if run.db is not None:
            run.db.dispose()
    return run


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    home: Path | None = typer.Option(
        None,
        "--home",
        help="Workspace directory for the demo (default: CXCERT_HOME when set, else ./cxcert-demo, or -2, -3... "
        "if taken).",
    ),
    today: str | None = typer.Option(None, "--today", help="Run the demo as of this day (YYYY-MM-DD)."),
    json_out: bool = typer.Option(False, "--json", help="Print everything as one JSON document."),
) -> None:
    """Run a whole certification end to end on a fictional outsourcer and explain every verdict.

    Builds the organisation and entity (two locations), kickoff, coordinator registrations (one refused below
    the exam pass mark), the application, a baseline, gap closure calls and a compliance audit; stores it all
    in a fresh SQLite workspace; decides from the stored audit; and prints the decision with its explanation,
    the corrective actions and the calendar. The workspace stays for you to explore with the other commands.

    The workspace is --home, else CXCERT_HOME when it is set (so the other commands find it as they are), else
    ./cxcert-demo; it must not hold a database yet.

    Example:  cxcert demo            then   CXCERT_HOME=./cxcert-demo cxcert entity list
    """
    run = run_demo(choose_home(home).resolve(), parse_date(today, "--today"), json_out=json_out)
    if json_out:
        print_json(run.output)
