"""The list of command modules. Each module has ``register(app: typer.Typer) -> None``.

Add one import and one line per module; keep the list sorted by command name.
"""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    # Imports are local so `cxcert --help` stays fast and one module's heavy deps load only when used.
    from cxcert.cli import (
        actions,
        adherence,
        alerts,
        answers,
        assessment,
        calendar,
        coordinator,
        customer,
        decide,
        demo,
        engagement,
        entity,
        evidence,
        forecast,
        gap_closure,
        generate,
        ingest,
        kickoff,
        kpi,
        people,
        qa,
        staffing,
        standard,
        system,
        targets,
        warehouse,
        workspace,
    )

    actions.register(app)  # actions list|show|assign|close
    adherence.register(app)
    alerts.register(app)
    answers.register(app)
    assessment.register(app)  # assessment, findings
    calendar.register(app)
    coordinator.register(app)
    customer.register(app)  # customer erase
    decide.register(app)
    demo.register(app)
    engagement.register(app)
    entity.register(app)
    evidence.register(app)
    forecast.register(app)  # forecast-accuracy
    gap_closure.register(app)  # gap-closure
    generate.register(app)
    workspace.register(app)  # init
    ingest.register(app)
    kickoff.register(app)
    kpi.register(app)
    people.register(app)
    qa.register(app)
    staffing.register(app)
    standard.register(app)
    system.register(app)
    targets.register(app)
    warehouse.register(app)  # warehouse check|repair
