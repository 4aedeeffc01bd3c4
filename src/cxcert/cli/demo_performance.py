"""The demo's performance steps: twelve months of operations generated, ingested and turned into evidence.

They run between the compliance audit and the decision, so the demo's decision rests on computed Category 4.0
findings, as a real audit's would: the synthetic centre (``synth/data/default_centre.yaml``) is generated for the
demo entity over the twelve whole months before the audit, on the clock of the site that serves its programs (so
the KPIs, which count each contact on its site's clock, see the centre open when its profile says it opens),
ingested into the workspace's warehouse with row accounting, and reviewed against the packaged example targets
and performance rules.
"""

from __future__ import annotations

import datetime as dt

from rich.progress import Progress

from cxcert.canonical import TABLES
from cxcert.certification.assessment import Assessment
from cxcert.certification.corrective_action import default_owner
from cxcert.certification.entity import Entity
from cxcert.cli.demo import ACTOR, DemoRun
from cxcert.cli.evidence import print_review, review_to_dict, save_planned
from cxcert.cli.output import console, print_table
from cxcert.cli.site import site_zones
from cxcert.errors import CxcertError
from cxcert.ingest.pipeline import ingest_file
from cxcert.performance.alerts import ActionChange
from cxcert.performance.performance_rules import Purpose, default_rule_set
from cxcert.performance.review import PerformanceReview, months_window, review_performance
from cxcert.performance.summary_table import KcrpRef
from cxcert.performance.targets import default_targets
from cxcert.reports.performance_workbook import write_performance_workbook
from cxcert.synth import generate, load_profile
from cxcert.synth.profile import CentreProfile
from cxcert.warehouse import Warehouse

DEMO_SEED = 7
EVIDENCE_MONTHS = 12


def _window(run: DemoRun) -> tuple[dt.date, dt.date]:
    """The twelve whole months before the month the audit started in."""
    audit_start = run.s.compliance_audit.started_on
    return months_window(audit_start.replace(day=1) - dt.timedelta(days=1), EVIDENCE_MONTHS)


def centre_zone(entity: Entity, profile: CentreProfile) -> str:
    """The one clock the generated centre runs on: the zone of the entity's site that serves its programs.

    A site that takes only some queues of a program (the demo's Lisbon e-mail and chat team) serves that
    program's customers, whose arrivals and opening hours stay on the program's clock.
    """
    zones = site_zones(entity)
    found = {
        p.id: zones.programs.get(p.id, zones.default) if zones else entity.locations[0].time_zone
        for p in profile.programs
    }
    if len(set(found.values())) != 1:
        raise CxcertError(
            f"the demo centre '{profile.name}' runs on one clock, but its programs are served in different zones "
            f"({', '.join(f'{p}: {z}' for p, z in sorted(found.items()))}); serve them from one site"
        )
    return next(iter(found.values()))


def generate_and_ingest_operations(run: DemoRun) -> None:
    s = run.s
    start, end = _window(run)
    packaged = load_profile()
    zone = centre_zone(s.entity, packaged)
    profile = packaged.model_copy(update={"start_date": start, "timezone": zone})
    out = run.home / "operations"
    warehouse = Warehouse(run.home / "warehouse")
    if not run.json_out:
        console.rule("6. Twelve months of operations")
    with Progress(console=console, transient=True, disable=run.json_out) as bar:
        task = bar.add_task(f"generating {start:%b %Y} to {end:%b %Y}", total=None)
        summary = generate(
            out,
            contacts=None,
            months=EVIDENCE_MONTHS,
            seed=DEMO_SEED,
            profile=profile,
            entity_id=s.entity.id,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        parts = sorted((table, path) for table in TABLES for path in (out / table).glob("*.parquet"))
        ingest = bar.add_task("ingesting into the warehouse", total=len(parts))
        accounting: dict[str, list[int]] = {}
        for table, path in parts:
            result = ingest_file(
                warehouse, table, path, entity_id=s.entity.id, fmt="canonical", quarantine_dir=run.home / "quarantine"
            )
            tally = accounting.setdefault(table, [0, 0, 0])
            for i, n in enumerate((result.accounting.read, result.accounting.accepted, result.accounting.rejected)):
                tally[i] += n
            bar.advance(ingest)
    run.output["operations"] = {
        "window": [start.isoformat(), end.isoformat()],
        "time_zone": zone,
        "generated": summary.to_dict(),
        "ingested": {t: dict(zip(("read", "accepted", "rejected"), v, strict=True)) for t, v in accounting.items()},
    }
    if not run.json_out:
        console.print(
            f"  synthetic centre for {s.entity.name}, {start} to {end} in {zone} (seed {DEMO_SEED}); "
            "ingested with row accounting:",
            highlight=False,
        )
        print_table(
            None,
            ("table", "read", "accepted", "rejected"),
            [(t, f"{v[0]:,}", f"{v[1]:,}", f"{v[2]:,}") for t, v in sorted(accounting.items())],
        )


def review_and_record_evidence(run: DemoRun) -> None:
    """Compute the performance review, record its findings into the audit and open actions for its alerts."""
    s = run.s
    start, end = _window(run)
    warehouse = Warehouse(run.home / "warehouse")
    review: PerformanceReview = review_performance(
        {name: warehouse.table(name) for name in TABLES},
        s.standard,
        entity_id=s.entity.id,
        tz=s.entity.locations[0].time_zone,
        start=start,
        end=end,
        targets=default_targets(),
        rules=default_rule_set(),
        purpose=Purpose.INITIAL,
        # as `cxcert evidence` does: rows name the KCRP serving their program, each on its own site's clock
        kcrps=[KcrpRef(p.id, p.name, p.programs) for p in s.entity.kcrps()],
        zones=site_zones(s.entity),
    )
    audit = s.compliance_audit
    owner = default_owner(s.rule_set, s.role_grants)  # as for the decision's plans: the rule set's role
    with run.repos() as repos:
        for finding in review.evidence.findings():
            repos.assessments.record_finding(audit.id, finding)
        repos.audit_trail.append(
            ACTOR,
            "evidence.recorded",
            f"assessment:{audit.id}",
            {"window": [start.isoformat(), end.isoformat()], "findings": dict(review.evidence.counts())},
        )
        plans = review.plan_actions(
            owner=owner,
            raised_on=audit.ended_on or audit.started_on,
            existing=repos.corrective_actions.actions(s.entity.id),
        )
        save_planned(repos, plans, ACTOR)  # the path `cxcert evidence --open-actions` takes
    actions = [p.action for p in plans if p.change is ActionChange.OPENED]
    computed = {f.item: f for f in review.evidence.findings()}
    run.audit_for_decision = Assessment.model_validate(
        audit.model_dump() | {"findings": tuple(computed.get(f.item, f) for f in audit.findings)}
    )
    workbook = run.home / "performance-evidence.xlsx"
    write_performance_workbook(review, workbook, entity_name=s.entity.name, standard_title=s.standard.title)
    run.output["performance"] = review_to_dict(review) | {
        "workbook": str(workbook),
        "corrective_actions_opened": [a.id for a in actions],
    }
    if not run.json_out:
        console.rule("7. Performance evidence (Category 4.0, computed)")
        print_review(review)
        console.print(
            f"  The audit's 4.x findings are now these computed ones; {len(actions)} corrective actions opened "
            f"from alerts that require immediate action. Workbook: {workbook}",
            highlight=False,
        )
