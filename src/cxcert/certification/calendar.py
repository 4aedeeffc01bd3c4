"""The certification calendar that follows a decision (docs/domain.md section 3).

From the standing certification decision of a scope (never from a review result, which leaves that decision and
its dates in place), if it certifies: the six-month review (``six_month_review_after_months`` after a first
certification), the next re-certification audit (``recertification_interval_months``) and the application update
``application_update_before_audit_months`` before the planned audit. Open corrective actions add their due dates
and the end of their grace period. Month arithmetic clamps to the month's end (31 January + 1 month = 28 or 29
February).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from pydantic import Field

from cxcert.certification.assessment import AssessmentKind
from cxcert.certification.corrective_action import CorrectiveAction
from cxcert.certification.decision import Decision
from cxcert.errors import CxcertError
from cxcert.explain import Explanation, Step
from cxcert.standards.rule_set import RuleSet
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import load_packaged


class EventKind(StrEnum):
    SIX_MONTH_REVIEW = "six_month_review"
    RECERTIFICATION_AUDIT = "recertification_audit"
    PLANNED_AUDIT = "planned_audit"
    APPLICATION_UPDATE = "application_update"
    CORRECTIVE_ACTION_DUE = "corrective_action_due"
    CORRECTIVE_ACTION_GRACE_ENDS = "corrective_action_grace_ends"


class EventStatus(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class CalendarEvent:
    kind: EventKind
    due_on: dt.date
    status: EventStatus
    explanation: Explanation
    entity_id: str | None = None
    reference: str | None = None  # e.g. the corrective action id

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "due_on": self.due_on.isoformat(),
            "status": self.status.value,
            "entity_id": self.entity_id,
            "reference": self.reference,
            "explanation": self.explanation.to_dict(),
        }


@dataclass(frozen=True)
class Calendar:
    entity_id: str
    events: tuple[CalendarEvent, ...]  # sorted by date
    explanation: Explanation

    def event(self, kind: EventKind) -> CalendarEvent | None:
        return next((e for e in self.events if e.kind is kind), None)


class CalendarSettings(Frozen):
    source_note: str
    due_window_days: int = Field(ge=0)


@cache
def calendar_settings() -> CalendarSettings:
    """The packaged calendar settings."""
    return load_packaged("cxcert.certification", "calendar.yaml", CalendarSettings)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise CxcertError(f"{day.isoformat()} + {months} months is outside the calendar")
    last = _cal.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def status_on(due_on: dt.date, today: dt.date, window_days: int, done_on: dt.date | None = None) -> EventStatus:
    """Done when done; overdue when past; due within ``window_days`` of today; upcoming otherwise."""
    if done_on is not None:
        return EventStatus.DONE
    if due_on < today:
        return EventStatus.OVERDUE
    if due_on <= today + dt.timedelta(days=window_days):
        return EventStatus.DUE
    return EventStatus.UPCOMING


def plan_calendar(
    decision_date: dt.date,
    decision: Decision,
    rule_set: RuleSet,
    *,
    planned_audit: dt.date | None = None,
    today: dt.date,
    done: Mapping[EventKind, dt.date] | None = None,
    due_window_days: int | None = None,
) -> Calendar:
    """The events that follow ``decision`` (taken on ``decision_date``), each with its status on ``today``.

    ``planned_audit`` is the next audit when one is planned; for a certifying decision it defaults to the
    re-certification audit. ``done`` marks events already held. ``due_window_days`` defaults to the packaged
    setting.
    """
    window = calendar_settings().due_window_days if due_window_days is None else due_window_days
    if planned_audit is not None and planned_audit < decision_date:
        raise CxcertError(
            f"the planned audit on {planned_audit.isoformat()} is before the decision of {decision_date.isoformat()} "
            f"({decision.decision_class}); plan the next audit after it"
        )
    done = done or {}
    ent = decision.entity_id
    raw: list[tuple[EventKind, dt.date, Explanation]] = []
    steps: list[Step] = []
    audit: dt.date | None = planned_audit
    if not decision.stands:
        raise CxcertError(
            f"the {decision.assessment_kind.value} result of {decision.assessment_id} is a review result, not a "
            "certification decision: the calendar follows the standing decision"
        )
    if decision.certifies:
        months = rule_set.six_month_review_after_months
        first = decision.assessment_kind is not AssessmentKind.RECERTIFICATION_AUDIT
        if months is not None and first:
            on = add_months(decision_date, months)
            raw.append(
                (
                    EventKind.SIX_MONTH_REVIEW,
                    on,
                    Explanation(
                        f"six-month review due {on.isoformat()}: {months} months after the first certification "
                        f"({decision.decision_class}) on {decision_date.isoformat()}",
                        (
                            Step(
                                "six_month_review_after_months",
                                f"{decision_date.isoformat()} + {months} months",
                                {"months": months, "rule_set": rule_set.id},
                            ),
                        ),
                    ),
                )
            )
        elif months is not None:
            steps.append(Step("six_month_review_after_months", "no six-month review after a re-certification"))
        interval = rule_set.recertification_interval_months
        recert = add_months(decision_date, interval)
        raw.append(
            (
                EventKind.RECERTIFICATION_AUDIT,
                recert,
                Explanation(
                    f"re-certification audit due {recert.isoformat()}: every {interval} months from "
                    f"{decision_date.isoformat()}",
                    (
                        Step(
                            "recertification_interval_months",
                            f"{decision_date.isoformat()} + {interval} months",
                            {"months": interval, "rule_set": rule_set.id},
                        ),
                    ),
                ),
            )
        )
        audit = planned_audit or recert
    else:
        steps.append(Step("certifies", f"{decision.decision_class} does not certify: no certification calendar"))
        if audit is not None:
            raw.append((EventKind.PLANNED_AUDIT, audit, Explanation(f"next audit planned on {audit.isoformat()}")))
    if planned_audit is not None and decision.certifies:
        raw.append(
            (EventKind.PLANNED_AUDIT, planned_audit, Explanation(f"audit planned on {planned_audit.isoformat()}"))
        )
    if audit is not None:
        before = rule_set.application_update_before_audit_months
        update = add_months(audit, -before)
        raw.append(
            (
                EventKind.APPLICATION_UPDATE,
                update,
                Explanation(
                    f"application update due {update.isoformat()}: "
                    f"{before} months before the audit on {audit.isoformat()}",
                    (
                        Step(
                            "application_update_before_audit_months",
                            f"{audit.isoformat()} - {before} months",
                            {"months": before, "rule_set": rule_set.id},
                        ),
                    ),
                ),
            )
        )
    events = tuple(
        sorted(
            (CalendarEvent(kind, on, status_on(on, today, window, done.get(kind)), why, ent) for kind, on, why in raw),
            key=lambda e: (e.due_on, e.kind.value),
        )
    )
    summary = (
        f"{len(events)} calendar events after {decision.decision_class} on {decision_date.isoformat()}"
        f" (as of {today.isoformat()})"
    )
    return Calendar(ent, events, Explanation(summary, tuple(steps)))


def action_events(
    actions: Iterable[CorrectiveAction], rule_set: RuleSet, today: dt.date, *, due_window_days: int | None = None
) -> tuple[CalendarEvent, ...]:
    """For each open corrective action: its due date, and the end of its grace period before revocation."""
    window = calendar_settings().due_window_days if due_window_days is None else due_window_days
    grace = rule_set.corrective_action_grace_days
    out: list[CalendarEvent] = []
    for a in actions:
        if not a.is_open:
            continue
        out.append(
            CalendarEvent(
                EventKind.CORRECTIVE_ACTION_DUE,
                a.due_on,
                status_on(a.due_on, today, window),
                Explanation(f"corrective action {a.id} on item {a.item} (owner {a.owner}) due {a.due_on.isoformat()}"),
                a.entity_id,
                a.id,
            )
        )
        ends = a.due_on + dt.timedelta(days=grace)
        out.append(
            CalendarEvent(
                EventKind.CORRECTIVE_ACTION_GRACE_ENDS,
                ends,
                status_on(ends, today, window),
                Explanation(
                    f"grace for {a.id} ends {ends.isoformat()}: open after that, revocation is proposed",
                    (Step("corrective_action_grace_days", f"{a.due_on.isoformat()} + {grace} days", {"days": grace}),),
                ),
                a.entity_id,
                a.id,
            )
        )
    return tuple(sorted(out, key=lambda e: (e.due_on, e.kind.value, e.reference or "")))


def due_and_overdue(events: Iterable[CalendarEvent], today: dt.date, horizon_days: int) -> tuple[CalendarEvent, ...]:
    """Events not done that are overdue or fall due within ``horizon_days``, re-judged on ``today``, by date."""
    if horizon_days < 0:
        raise CxcertError(f"the horizon must be 0 days or more, not {horizon_days}")
    limit = today + dt.timedelta(days=horizon_days)
    picked = [
        replace(e, status=status_on(e.due_on, today, horizon_days))
        for e in events
        if e.status is not EventStatus.DONE and e.due_on <= limit
    ]
    return tuple(sorted(picked, key=lambda e: (e.due_on, e.kind.value, e.reference or "")))
