"""After an evaluation: the agent's dispute window, dispute records, and coaching with the agent's acknowledgement.

Auditors ask for feedback records (docs/domain.md section 3): who coached whom on which evaluation, what was agreed,
and that the agent acknowledged it; and how an agent could contest an evaluation and what was decided. The
windows are calendar days in ``data/feedback_rules.yaml`` (cxcert's defaults), which a program may override by
an entry under ``programs:`` there or in a user file of the same shape (:func:`feedback_policy`). These are typed,
pure records; storing them is the store's job.

A dispute's outcome is said from the agent's side: ``upheld`` means the agent was right and the evaluation is
wrong (it leaves accuracy), ``rejected`` means the evaluation stands, ``withdrawn`` that the agent dropped it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from cxcert.errors import CxcertError, IllegalTransition
from cxcert.explain import Explanation
from cxcert.limits import read_yaml_file
from cxcert.quality.packaged import load_packaged, parse_settings
from cxcert.standards.schema import Frozen

PACKAGED_RULES = "cxcert/quality/data/feedback_rules.yaml"


class ProgramFeedbackRules(Frozen):
    """A program's own windows (agreed with its client); a window left out is the default one."""

    dispute_window_days: int | None = Field(default=None, ge=0)
    acknowledgement_due_days: int | None = Field(default=None, ge=0)
    source: str = Field(min_length=1, description="where the program's windows were agreed")

    @model_validator(mode="after")
    def _something(self) -> ProgramFeedbackRules:
        if self.dispute_window_days is None and self.acknowledgement_due_days is None:
            raise ValueError("give dispute_window_days, acknowledgement_due_days or both")
        return self


class FeedbackRules(Frozen):
    dispute_window_days: int = Field(ge=0)
    acknowledgement_due_days: int = Field(ge=0)
    source: str
    programs: dict[str, ProgramFeedbackRules] = Field(default_factory=dict)


class FeedbackOverrides(Frozen):
    """A user's feedback rules file: new defaults and/or per-program windows, over the packaged ones."""

    dispute_window_days: int | None = Field(default=None, ge=0)
    acknowledgement_due_days: int | None = Field(default=None, ge=0)
    source: str = Field(min_length=1)
    programs: dict[str, ProgramFeedbackRules] = Field(default_factory=dict)


@cache
def feedback_rules() -> FeedbackRules:
    """The packaged rules (``data/feedback_rules.yaml``)."""
    return load_packaged("feedback_rules.yaml", FeedbackRules)


@dataclass(frozen=True)
class FeedbackWindows:
    """The windows in force for one program, and where they come from (for messages and explanations)."""

    dispute_window_days: int
    acknowledgement_due_days: int
    origin: str


@dataclass(frozen=True)
class FeedbackPolicy:
    default: FeedbackWindows
    programs: Mapping[str, FeedbackWindows]

    def for_program(self, program: str | None) -> FeedbackWindows:
        if program is not None and program in self.programs:
            return self.programs[program]
        return self.default


def _program_windows(
    programs: Mapping[str, ProgramFeedbackRules], default: FeedbackWindows, file: str
) -> dict[str, FeedbackWindows]:
    return {
        name: FeedbackWindows(
            rule.dispute_window_days if rule.dispute_window_days is not None else default.dispute_window_days,
            rule.acknowledgement_due_days
            if rule.acknowledgement_due_days is not None
            else default.acknowledgement_due_days,
            f"{file}, programs.{name}: {rule.source}",
        )
        for name, rule in programs.items()
    }


def feedback_policy(user_file: Path | None = None) -> FeedbackPolicy:
    """The packaged rules, with a user's overrides file on top when ``user_file`` exists.

    A user's defaults replace the packaged defaults (for programs without their own entry, and for the windows a
    program entry leaves out); a user's program entry replaces the packaged entry of that program.
    """
    rules = feedback_rules()
    default = FeedbackWindows(rules.dispute_window_days, rules.acknowledgement_due_days, f"{PACKAGED_RULES} default")
    programs = _program_windows(rules.programs, default, PACKAGED_RULES)
    if user_file is None or not user_file.is_file():
        return FeedbackPolicy(default, programs)
    text = read_yaml_file(user_file, "feedback")  # size and encoding checked before parsing
    overrides = parse_settings(text, FeedbackOverrides, str(user_file))
    if overrides.dispute_window_days is not None or overrides.acknowledgement_due_days is not None:
        default = FeedbackWindows(
            overrides.dispute_window_days
            if overrides.dispute_window_days is not None
            else default.dispute_window_days,
            overrides.acknowledgement_due_days
            if overrides.acknowledgement_due_days is not None
            else default.acknowledgement_due_days,
            f"{user_file}: {overrides.source}",
        )
        programs = _program_windows(rules.programs, default, PACKAGED_RULES)
    programs.update(_program_windows(overrides.programs, default, str(user_file)))
    return FeedbackPolicy(default, programs)


@dataclass(frozen=True)
class DisputeWindow:
    open: bool
    closes_on: dt.date
    explanation: Explanation


def can_dispute(evaluation_id: str, evaluated_on: dt.date, today: dt.date, windows: FeedbackWindows) -> DisputeWindow:
    """Whether the agent may still dispute an evaluation made on ``evaluated_on`` (the window's last day included)."""
    days = windows.dispute_window_days
    closes_on = evaluated_on + dt.timedelta(days=days)
    is_open = evaluated_on <= today <= closes_on
    if is_open:
        summary = f"evaluation {evaluation_id} may be disputed on {today}: the window closes on {closes_on}"
    elif today > closes_on:
        summary = (
            f"evaluation {evaluation_id} (evaluated {evaluated_on}) can no longer be disputed on {today}: "
            f"the {days}-day dispute window closed on {closes_on} ({windows.origin})"
        )
    else:
        summary = f"evaluation {evaluation_id} was made on {evaluated_on}: it cannot be disputed on {today}, before"
    explanation = Explanation(summary).with_step(
        "dispute_window",
        f"{days} calendar days from the evaluation date, the last day included ({windows.origin})",
        evaluated_on=str(evaluated_on),
        days=days,
        closes_on=str(closes_on),
    )
    return DisputeWindow(is_open, closes_on, explanation)


class DisputeOutcome(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the agent was right: the evaluation is wrong and leaves accuracy
    REJECTED = "rejected"  # the evaluation stands
    WITHDRAWN = "withdrawn"


class DisputedEvaluation(Frozen):
    """What a dispute needs to know of the evaluation it contests (from the warehouse, or as given)."""

    entity_id: str = Field(min_length=1)
    evaluation_id: str = Field(min_length=1)
    agent_id: str = Field(min_length=1)
    program: str | None = None
    evaluated_on: dt.date
    parameter_ids: tuple[str, ...] = Field(default=(), description="the evaluation's parameters; () when unknown")


class Dispute(Frozen):
    id: str = Field(min_length=1)
    entity_id: str = Field(min_length=1)
    evaluation_id: str = Field(min_length=1)
    agent_id: str = Field(min_length=1)
    program: str | None = None
    evaluated_on: dt.date
    window_days: int = Field(ge=0, description="the dispute window in force when it was raised")
    raised_by: str = Field(min_length=1)
    raised_on: dt.date
    reason: str = Field(min_length=1)
    parameter_ids: tuple[str, ...] = ()
    outcome: DisputeOutcome = DisputeOutcome.PENDING
    decided_by: str | None = None
    decided_on: dt.date | None = None
    decision_note: str = ""

    @model_validator(mode="after")
    def _decided(self) -> Dispute:
        decided = self.outcome is not DisputeOutcome.PENDING
        if decided != (self.decided_on is not None) or decided != (self.decided_by is not None):
            raise ValueError("a decided dispute has decided_on and decided_by; a pending one has neither")
        if self.decided_on is not None and self.decided_on < self.raised_on:
            raise ValueError("a dispute cannot be decided before it was raised")
        return self


def raise_dispute(
    evaluation: DisputedEvaluation,
    *,
    dispute_id: str,
    raised_by: str,
    raised_on: dt.date,
    reason: str,
    windows: FeedbackWindows,
    parameter_ids: Sequence[str] = (),
    earlier: Sequence[Dispute] = (),
) -> Dispute:
    """Open a dispute; refused (CxcertError) outside the window, on parameters the evaluation lacks, or when the
    evaluation already has a dispute that was not withdrawn."""
    if not reason.strip():
        raise CxcertError("a dispute needs a reason")
    window = can_dispute(evaluation.evaluation_id, evaluation.evaluated_on, raised_on, windows)
    if not window.open:
        raise CxcertError(window.explanation.summary)
    if evaluation.parameter_ids:
        unknown = [p for p in parameter_ids if p not in evaluation.parameter_ids]
        if unknown:
            raise CxcertError(
                f"evaluation {evaluation.evaluation_id} has no parameter(s) {', '.join(unknown)} "
                f"(it has {', '.join(evaluation.parameter_ids)})"
            )
    standing = [d for d in earlier if d.evaluation_id == evaluation.evaluation_id]
    standing = [d for d in standing if d.outcome is not DisputeOutcome.WITHDRAWN]
    if standing:
        raise IllegalTransition(
            f"evaluation {evaluation.evaluation_id} already has dispute {standing[0].id} ({standing[0].outcome}); "
            "an evaluation is disputed once"
        )
    return Dispute(
        id=dispute_id,
        entity_id=evaluation.entity_id,
        evaluation_id=evaluation.evaluation_id,
        agent_id=evaluation.agent_id,
        program=evaluation.program,
        evaluated_on=evaluation.evaluated_on,
        window_days=windows.dispute_window_days,
        raised_by=raised_by,
        raised_on=raised_on,
        reason=reason.strip(),
        parameter_ids=tuple(parameter_ids),
    )


def decide_dispute(dispute: Dispute, outcome: DisputeOutcome, *, by: str, on: dt.date, note: str = "") -> Dispute:
    """Record the decision on a pending dispute (once, by someone other than the agent)."""
    if dispute.outcome is not DisputeOutcome.PENDING:
        raise IllegalTransition(f"dispute {dispute.id} was already decided ({dispute.outcome} on {dispute.decided_on})")
    if outcome is DisputeOutcome.PENDING:
        raise CxcertError("a decision must be upheld, rejected or withdrawn")
    if outcome is not DisputeOutcome.WITHDRAWN and by == dispute.agent_id:
        raise CxcertError(f"agent {by} cannot decide a dispute on their own evaluation (only withdraw it)")
    if on < dispute.raised_on:
        raise CxcertError(f"cannot decide on {on}, before the dispute was raised ({dispute.raised_on})")
    return dispute.model_copy(update={"outcome": outcome, "decided_by": by, "decided_on": on, "decision_note": note})


class CoachingRecord(Frozen):
    """A feedback or coaching session with an agent, tied to evaluations, acknowledged by the agent."""

    id: str = Field(min_length=1)
    entity_id: str = Field(min_length=1)
    agent_id: str = Field(min_length=1)
    program: str | None = None
    coach_id: str = Field(min_length=1)
    held_on: dt.date
    evaluation_ids: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    notes: str = ""
    actions: tuple[str, ...] = Field(default=(), description="the action plan the agent and coach agreed")
    follow_up_on: dt.date | None = None
    acknowledged_on: dt.date | None = None
    agent_comment: str = ""

    @model_validator(mode="after")
    def _dates(self) -> CoachingRecord:
        if self.acknowledged_on is not None and self.acknowledged_on < self.held_on:
            raise ValueError("acknowledged_on cannot precede the session")
        if self.follow_up_on is not None and self.follow_up_on < self.held_on:
            raise ValueError("follow_up_on cannot precede the session")
        return self

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_on is not None


def acknowledge(record: CoachingRecord, on: dt.date, comment: str = "") -> CoachingRecord:
    """The agent acknowledges the coaching record (once)."""
    if record.acknowledged_on is not None:
        raise IllegalTransition(f"coaching record {record.id} was already acknowledged on {record.acknowledged_on}")
    if on < record.held_on:
        raise CxcertError(f"cannot acknowledge on {on}, before the session ({record.held_on})")
    return record.model_copy(update={"acknowledged_on": on, "agent_comment": comment})


def acknowledgement_due(record: CoachingRecord, windows: FeedbackWindows) -> dt.date:
    """The last day the agent should acknowledge by."""
    return record.held_on + dt.timedelta(days=windows.acknowledgement_due_days)


def acknowledgement_overdue(record: CoachingRecord, today: dt.date, windows: FeedbackWindows) -> bool:
    """True when the agent has not acknowledged within the program's number of days."""
    return record.acknowledged_on is None and today > acknowledgement_due(record, windows)
