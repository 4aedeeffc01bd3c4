"""The engagement's work steps need something on record behind them (DOMAIN.md section 3, steps 2 to 8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from cxcert.certification.assessment import ApplicationAnswer, Assessment, AssessmentKind
from cxcert.certification.decision import decide
from cxcert.certification.engagement import (
    Engagement,
    EngagementContext,
    EngagementRecords,
    Stage,
    TransitionRefused,
)
from cxcert.certification.engagement_guards import incomplete_submission_note
from cxcert.certification.gap_closure import plan_gap_closure
from cxcert.certification.people import KickoffSession

from .builders import MINOR, assessment, full_application, registration, two_location_entity
from .conftest import load_test_rule_set, load_test_standard

STANDARD = load_test_standard()
RULES = load_test_rule_set()
ENTITY = two_location_entity()
BOTH = (registration("p-us", "loc-us", 0.95), registration("p-pt", "loc-pt", 0.90))
D0 = dt.date(2001, 1, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


KICKOFF = KickoffSession(audience="executives", held_on=day(5), duration_hours=2)
ANSWER = ApplicationAnswer(item="1.1", answer="Mission set yearly", completion=1, answered_on=day(20))
BASELINE = assessment(STANDARD, {"2.1": MINOR}, kind=AssessmentKind.BASELINE, ident="baseline").model_copy(
    update={"started_on": day(30)}
)
AUDIT = assessment(STANDARD, ident="audit").model_copy(update={"started_on": day(75)})
PLAN = plan_gap_closure(day(40), RULES, owners={}, calls=2)
UPDATE = ApplicationAnswer(
    item="1.1", answer="Mission set yearly, reviewed after gap closure", completion=1, answered_on=day(50)
)
EVERYTHING = EngagementRecords(
    (KICKOFF,), (*full_application(STANDARD, day(20)), ANSWER, UPDATE), (BASELINE, AUDIT), PLAN
)

# the nine steps, each on its day (the audit is planned on day 70 and held from day 75)
STEPS = [
    (Stage.KICKOFF_HELD, 10),
    (Stage.COORDINATORS_REGISTERED, 15),
    (Stage.APPLICATION_SUBMITTED, 25),
    (Stage.BASELINE_ASSESSED, 35),
    (Stage.GAP_CLOSURE, 40),
    (Stage.APPLICATION_UPDATED, 60),
    (Stage.AUDIT_PLANNED, 70),
    (Stage.AUDITED, 80),
]


def _ctx(records: EngagementRecords | None, decision_on: Assessment = AUDIT) -> EngagementContext:
    return EngagementContext(
        ENTITY, RULES, BOTH, decide(decision_on, STANDARD, RULES), records=records, standard=STANDARD
    )


def _walk(until: Stage, records: EngagementRecords | None = EVERYTHING) -> Engagement:
    """The engagement just before the step to ``until``."""
    eng = Engagement.start(ENTITY.id, D0)
    for stage, n in STEPS:
        if stage is until:
            return eng
        eng = eng.advance(stage, day(n), context=_ctx(records))
    return eng


def _refusal(eng: Engagement, to: Stage, records: EngagementRecords, on: int) -> str:
    with pytest.raises(TransitionRefused) as info:
        eng.advance(to, day(on), context=_ctx(records))
    return str(info.value)


def test_the_nine_steps_with_everything_on_record() -> None:
    eng = _walk(Stage.CERTIFIED)
    assert eng.stage is Stage.AUDITED and eng.audit_planned_on == day(70)
    assert eng.advance(Stage.CERTIFIED, day(81), context=_ctx(EVERYTHING)).holds_certification


def test_kickoff_held_needs_a_session_on_or_before_the_day() -> None:
    start = Engagement.start(ENTITY.id, D0)
    line = _refusal(start, Stage.KICKOFF_HELD, EngagementRecords(), 10)
    assert line == (
        "cannot go from entity_defined to kickoff_held (step 2: kickoff held on site): no kickoff session recorded "
        "for entity ent-1; record one with `cxcert kickoff record --entity ent-1 --on DATE --audience executives "
        "--hours 2`"
    )
    assert "are after 2001-01-03 (first on 2001-01-06)" in _refusal(start, Stage.KICKOFF_HELD, EVERYTHING, 2)


def test_application_submitted_needs_answers() -> None:
    eng = _walk(Stage.APPLICATION_SUBMITTED)
    no_answers = EngagementRecords(kickoff_sessions=(KICKOFF,))
    assert "has no application answers recorded on or before 2001-01-26" in _refusal(
        eng, Stage.APPLICATION_SUBMITTED, no_answers, 25
    )
    assert "`cxcert answers record|import --entity ent-1`" in _refusal(eng, Stage.APPLICATION_SUBMITTED, EVERYTHING, 19)
    undated = EngagementRecords(
        application_answers=tuple(a.model_copy(update={"answered_on": None}) for a in full_application(STANDARD, D0))
    )
    assert eng.advance(Stage.APPLICATION_SUBMITTED, day(19), context=_ctx(undated)).stage is Stage.APPLICATION_SUBMITTED


def test_baseline_assessed_needs_a_baseline_with_findings() -> None:
    eng = _walk(Stage.BASELINE_ASSESSED)
    only_audit = EngagementRecords(assessments=(AUDIT,))
    assert "no baseline assessment of entity ent-1 started on or before 2001-02-05" in _refusal(
        eng, Stage.BASELINE_ASSESSED, only_audit, 35
    )
    empty = EngagementRecords(assessments=(BASELINE.model_copy(update={"findings": ()}),))
    assert "the baseline assessment (baseline) holds no findings yet" in _refusal(
        eng, Stage.BASELINE_ASSESSED, empty, 35
    )


def test_gap_closure_needs_a_plan() -> None:
    eng = _walk(Stage.GAP_CLOSURE)
    line = _refusal(eng, Stage.GAP_CLOSURE, EngagementRecords(), 40)
    assert "has no gap closure plan; plan the calls with `cxcert gap-closure plan --entity ent-1" in line


def test_application_updated_needs_an_answer_since_gap_closure_began() -> None:
    """Step 7 (DOMAIN.md section 3): the application is updated after gap closure, before the audit."""
    eng = _walk(Stage.APPLICATION_UPDATED)
    before = EngagementRecords(application_answers=(ANSWER,))  # answered on day 20, gap closure from day 40
    line = _refusal(eng, Stage.APPLICATION_UPDATED, before, 60)
    assert "entity ent-1 has no application answer recorded between 2001-02-10 and 2001-03-02" in line
    assert "`cxcert answers record|import --entity ent-1 --on DATE`" in line
    undated = EngagementRecords(application_answers=(UPDATE.model_copy(update={"answered_on": None}),))
    assert "has no application answer recorded" in _refusal(eng, Stage.APPLICATION_UPDATED, undated, 60)
    assert "has no application answer recorded" in _refusal(eng, Stage.APPLICATION_UPDATED, EVERYTHING, 45)
    assert eng.advance(Stage.APPLICATION_UPDATED, day(60), context=_ctx(EVERYTHING)).stage is Stage.APPLICATION_UPDATED


def test_audited_needs_an_audit_with_findings_held_since_it_was_planned() -> None:
    eng = _walk(Stage.AUDITED)
    earlier = AUDIT.model_copy(update={"started_on": day(50)})
    line = _refusal(eng, Stage.AUDITED, EngagementRecords(assessments=(BASELINE, earlier)), 80)
    assert "no audit of entity ent-1 started between 2001-03-12 and 2001-03-22" in line
    assert "--kind compliance_audit" in line
    empty = EngagementRecords(assessments=(AUDIT.model_copy(update={"findings": ()}),))
    assert "the audit (audit) holds no findings yet" in _refusal(eng, Stage.AUDITED, empty, 80)


def test_a_decision_stage_needs_the_decision_on_this_audit() -> None:
    """A decision on last cycle's audit cannot certify this one."""
    eng = _walk(Stage.CERTIFIED)
    old = AUDIT.model_copy(update={"id": "old-audit", "started_on": day(50)})
    records = EngagementRecords(assessments=(old, AUDIT))
    with pytest.raises(TransitionRefused, match=r"latest decision is on old-audit \(started 2001-02-20\), not on an"):
        eng.advance(Stage.CERTIFIED, day(81), context=_ctx(records, decision_on=old))
    unknown = EngagementRecords(assessments=(AUDIT,))
    with pytest.raises(TransitionRefused, match="on assessment old-audit, which is not on record"):
        eng.advance(Stage.CERTIFIED, day(81), context=_ctx(unknown, decision_on=old))


UNGUARDED_BY_RECORDS = (Stage.COORDINATORS_REGISTERED, Stage.AUDIT_PLANNED)


@pytest.mark.parametrize("stage", [s for s, _ in STEPS if s not in UNGUARDED_BY_RECORDS])
def test_without_records_a_work_step_is_refused(stage: Stage) -> None:
    """No path vouches for a step: without the entity's records each work step, and the decision, is refused."""
    eng = _walk(stage)
    with pytest.raises(TransitionRefused, match=r"needs the engagement context \(the entity's records"):
        eng.advance(stage, day(dict(STEPS)[stage]), context=_ctx(None))
    with pytest.raises(TransitionRefused, match="a decision stage needs the engagement context"):
        _walk(Stage.CERTIFIED).advance(Stage.CERTIFIED, day(81), context=_ctx(None))


def test_next_steps_say_what_they_need_and_what_blocks_them() -> None:
    eng = _walk(Stage.AUDITED)
    (step,) = [s for s in eng.next_steps(_ctx(EngagementRecords()), on=day(80)) if s.to_stage is Stage.AUDITED]
    assert step.requires == "an audit with findings, started since the audit was planned"
    assert step.blockers and step.blockers[0].startswith("no audit of entity ent-1")
    assert step.to_dict()["to"] == "audited"
    assert all(not s.blockers for s in eng.next_steps(_ctx(EVERYTHING), on=day(80)) if s.to_stage is Stage.AUDITED)


def test_decision_blockers_for_the_decide_command() -> None:
    audited = _walk(Stage.CERTIFIED)
    assert audited.decision_blockers(AUDIT, RULES) == ()
    planned = _walk(Stage.AUDITED)
    assert planned.decision_blockers(AUDIT, RULES)[0].startswith(
        "the engagement of ent-1 is at audit_planned, not audited"
    )
    problems = audited.decision_blockers(BASELINE, RULES)
    assert "a baseline assessment cannot decide a certification; an audit must" in problems
    assert "assessment baseline started on 2001-01-31, before the audit was planned on 2001-03-12" in problems
    # no findings is the decision policy's refusal (refuse_without_findings), said in one place, not here
    assert audited.decision_blockers(AUDIT.model_copy(update={"id": "a-1", "findings": ()}), RULES) == ()


def test_the_kinds_that_decide_are_the_rule_sets() -> None:
    """A rule set under which a second audit only advises: its second audit cannot carry the decision."""
    from cxcert.standards.rule_set import AssessmentOutcome

    outcomes = {**RULES.assessment_outcomes, AssessmentKind.SECOND_AUDIT: AssessmentOutcome.ADVICE}
    advising = RULES.model_copy(update={"assessment_outcomes": outcomes})
    second = AUDIT.model_copy(update={"kind": AssessmentKind.SECOND_AUDIT})
    assert _walk(Stage.CERTIFIED).decision_blockers(second, RULES) == ()
    assert _walk(Stage.CERTIFIED).decision_blockers(second, advising) == (
        "a second_audit assessment cannot decide a certification; an audit must",
    )


def test_an_incomplete_application_is_refused_unless_allowed_with_a_reason() -> None:
    """Every question answered in full by the day of submission, or an explicit override with a reason."""
    eng = _walk(Stage.APPLICATION_SUBMITTED)
    full = full_application(STANDARD, day(20))
    gap = full[1:4]  # three questions left unanswered
    partial = EngagementRecords(application_answers=tuple(a for a in full if a not in gap))
    line = _refusal(eng, Stage.APPLICATION_SUBMITTED, partial, 25)
    ids = ", ".join(a.requirement_id or a.item for a in gap)
    assert f"the application of ent-1 is incomplete on 2001-01-26: 3 of {len(full)} questions not answered in " in line
    assert f"({ids})" in line and line.endswith("or submit it anyway with --allow-incomplete --reason TEXT")
    # answered later than the day of submission does not count; below 100 % is not answered in full
    late = EngagementRecords(application_answers=(*full[:-1], full[-1].model_copy(update={"answered_on": day(30)})))
    assert "1 of" in _refusal(eng, Stage.APPLICATION_SUBMITTED, late, 25)
    half = EngagementRecords(application_answers=(*full[:-1], full[-1].model_copy(update={"completion": 0.5})))
    assert "1 of" in _refusal(eng, Stage.APPLICATION_SUBMITTED, half, 25)
    allowed = replace(_ctx(partial), incomplete_application_reason="category 4 follows the first month of data")
    assert eng.advance(Stage.APPLICATION_SUBMITTED, day(25), context=allowed).stage is Stage.APPLICATION_SUBMITTED
    note = incomplete_submission_note(allowed, day(25))
    assert note is not None and note.startswith(f"step 4: application submitted incomplete, 3 of {len(full)} ")
    assert note.endswith("allowed because: category 4 follows the first month of data")
    assert incomplete_submission_note(replace(_ctx(EVERYTHING), incomplete_application_reason="x"), day(25)) is None
    # more than five missing: five named, the rest counted
    many = EngagementRecords(application_answers=full[8:])
    assert "8 of" in _refusal(eng, Stage.APPLICATION_SUBMITTED, many, 25)
    assert ", ...)" in _refusal(eng, Stage.APPLICATION_SUBMITTED, many, 25)
    no_standard = replace(_ctx(EVERYTHING), standard=None)
    with pytest.raises(TransitionRefused, match="needs the engagement context \\(the standard"):
        eng.advance(Stage.APPLICATION_SUBMITTED, day(25), context=no_standard)
