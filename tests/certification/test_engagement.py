"""The engagement state machine: the nine steps of DOMAIN.md section 3, refusals, guards and replay."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.certification.assessment import ApplicationAnswer, AssessmentKind
from cxcert.certification.corrective_action import CorrectiveAction, RevocationProposal, review
from cxcert.certification.decision import Decision, decide
from cxcert.certification.engagement import (
    TRANSITIONS,
    Engagement,
    EngagementContext,
    EngagementRecords,
    Stage,
    Transition,
    TransitionRefused,
)
from cxcert.certification.gap_closure import plan_gap_closure
from cxcert.certification.people import KickoffSession
from cxcert.errors import CxcertError, IllegalTransition
from cxcert.standards.rule_set import FindingLevel

from .builders import MAJOR, MINOR, assessment, full_application, registration, two_location_entity
from .conftest import load_test_rule_set, load_test_standard

STANDARD = load_test_standard()
RULES = load_test_rule_set()
ENTITY = two_location_entity()
BOTH = (registration("p-us", "loc-us", 0.95), registration("p-pt", "loc-pt", 0.90))
D0 = dt.date(2001, 1, 1)

NINE_STEPS = [
    Stage.KICKOFF_HELD,
    Stage.COORDINATORS_REGISTERED,
    Stage.APPLICATION_SUBMITTED,
    Stage.BASELINE_ASSESSED,
    Stage.GAP_CLOSURE,
    Stage.APPLICATION_UPDATED,
    Stage.AUDIT_PLANNED,
    Stage.AUDITED,
]


def _decision(
    levels: dict[str, FindingLevel] | None = None,
    *,
    commitment: bool = False,
    kind: AssessmentKind = AssessmentKind.COMPLIANCE_AUDIT,
) -> Decision:
    return decide(assessment(STANDARD, levels, commitment=commitment, kind=kind), STANDARD, RULES)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


# The work behind the steps _walk takes (one every ten days: kickoff on day 10 ... gap closure on day 50, the
# application updated on day 60, a return to gap closure on day 100 and its update on day 110).
KICKOFF = KickoffSession(audience="executives", held_on=day(5), duration_hours=2)
ANSWERS = (
    *full_application(STANDARD, day(25)),
    *(ApplicationAnswer(item="1.1", answer=f"answer {n}", completion=1, answered_on=day(n)) for n in (25, 55, 105)),
)
BASELINE = assessment(STANDARD, {"2.1": MINOR}, kind=AssessmentKind.BASELINE, ident="baseline").model_copy(
    update={"started_on": day(35)}
)
PLAN = plan_gap_closure(day(50), RULES, owners={}, calls=2)


def _records(audit_on: dt.date) -> EngagementRecords:
    """Everything on record, with the audit every decision here is on (a-1) started on ``audit_on``."""
    audit = assessment(STANDARD).model_copy(update={"started_on": audit_on})
    return EngagementRecords((KICKOFF,), ANSWERS, (BASELINE, audit), PLAN)


def _ctx(
    decision: Decision | None = None,
    *,
    revocation_proposals: tuple[RevocationProposal, ...] = (),
    audit_on: dt.date = day(75),  # between the audit planned (day 70) and held (day 80) in _walk
) -> EngagementContext:
    return EngagementContext(ENTITY, RULES, BOTH, decision, revocation_proposals, _records(audit_on), STANDARD)


def _walk(stages: list[Stage], context: EngagementContext) -> Engagement:
    eng = Engagement.start(ENTITY.id, D0)
    for n, stage in enumerate(stages, start=1):
        eng = eng.advance(stage, day(10 * n), context=context)
    return eng


def test_the_nine_steps_to_certified() -> None:
    eng = _walk([*NINE_STEPS, Stage.CERTIFIED], _ctx(_decision()))
    assert eng.stage is Stage.CERTIFIED
    assert [t.to_stage for t in eng.history] == [Stage.ENTITY_DEFINED, *NINE_STEPS, Stage.CERTIFIED]
    assert eng.history[0].from_stage is None
    assert all(a.to_stage is b.from_stage for a, b in zip(eng.history, eng.history[1:], strict=False))
    assert eng.history[2].note == "step 3: coordinators registered"
    assert eng.holds_certification


def test_illegal_step_names_the_allowed_ones() -> None:
    eng = Engagement.start(ENTITY.id, D0)
    with pytest.raises(IllegalTransition) as info:
        eng.advance(Stage.AUDIT_PLANNED, D0)
    assert str(info.value) == "cannot go from entity_defined to audit_planned: allowed next steps are kickoff_held"
    audited = _walk(NINE_STEPS, _ctx(_decision()))
    with pytest.raises(
        IllegalTransition, match="allowed next steps are certified, not_certified, second_audit_planned"
    ):
        audited.advance(Stage.KICKOFF_HELD, D0 + dt.timedelta(days=999))


def test_audit_planning_needs_a_registered_coordinator_per_location() -> None:
    """DOMAIN.md section 1: at least one registered coordinator per location; 89 % is below the 90 % mark."""
    only_us = EngagementContext(
        entity=ENTITY, rule_set=RULES, registrations=(BOTH[0], registration("p-low", "loc-pt", 0.89)),
        records=_records(day(75)), standard=STANDARD,
    )  # fmt: skip
    eng = _walk(NINE_STEPS[:6], only_us)
    with pytest.raises(TransitionRefused) as info:
        eng.advance(Stage.AUDIT_PLANNED, D0 + dt.timedelta(days=100), context=only_us)
    assert "missing at Lisbon (loc-pt)" in str(info.value)
    assert "Columbus" not in str(info.value)
    assert isinstance(info.value, CxcertError)
    assert eng.blockers(Stage.AUDIT_PLANNED, only_us) == (
        "every location needs at least 1 registered coordinator(s); missing at Lisbon (loc-pt)",
    )
    assert eng.advance(Stage.AUDIT_PLANNED, D0 + dt.timedelta(days=100), context=_ctx()).stage is Stage.AUDIT_PLANNED


def test_guarded_step_without_context_is_refused() -> None:
    """Every path checks a step against real records: without them a work step is refused, never waved through."""
    start = Engagement.start(ENTITY.id, D0)
    for context in (None, EngagementContext(ENTITY, RULES, BOTH)):
        with pytest.raises(TransitionRefused, match="holding the kickoff needs the engagement context"):
            start.advance(Stage.KICKOFF_HELD, day(10), context=context)
    eng = start.advance(Stage.KICKOFF_HELD, day(10), context=_ctx())
    with pytest.raises(TransitionRefused, match="needs the engagement context"):
        eng.advance(Stage.COORDINATORS_REGISTERED, day(10))
    no_pass = EngagementContext(rule_set=RULES, registrations=(registration("p", "loc-us", 0.5),))
    with pytest.raises(TransitionRefused, match="no coordinator has passed the exam at 90% yet"):
        eng.advance(Stage.COORDINATORS_REGISTERED, day(10), context=no_pass)


def test_decision_stages_need_a_decided_audit() -> None:
    audited = _walk(NINE_STEPS, _ctx())
    on = audited.last_step_on
    with pytest.raises(TransitionRefused, match="needs the decision of the audit"):
        audited.advance(Stage.CERTIFIED, on, context=_ctx())
    baseline = _decision(kind=AssessmentKind.BASELINE)
    with pytest.raises(TransitionRefused, match="a baseline assessment cannot decide"):
        audited.advance(Stage.CERTIFIED, on, context=_ctx(baseline))
    candidate = _decision({"1.1": MAJOR}, commitment=True)
    assert candidate.decision_class == "Certification Candidate"
    with pytest.raises(TransitionRefused, match="Certification Candidate, which does not certify"):
        audited.advance(Stage.CERTIFIED, on, context=_ctx(candidate))
    with pytest.raises(TransitionRefused, match="Certified, which certifies"):
        audited.advance(Stage.NOT_CERTIFIED, on, context=_ctx(_decision()))
    other = decide(assessment(STANDARD, entity_id="ent-2"), STANDARD, RULES)
    with pytest.raises(TransitionRefused, match="the decision is for entity ent-2"):
        audited.advance(Stage.CERTIFIED, on, context=_ctx(other))
    assert audited.advance(Stage.NOT_CERTIFIED, on, context=_ctx(candidate)).stage is Stage.NOT_CERTIFIED


def test_second_audit_only_where_needed() -> None:
    audited = _walk(NINE_STEPS, _ctx())
    on = audited.last_step_on
    with pytest.raises(TransitionRefused, match="already Certified, the best outcome"):
        audited.advance(Stage.SECOND_AUDIT_PLANNED, on, context=_ctx(_decision()))
    conditional = _decision({"2.1": MINOR})
    second = audited.advance(Stage.SECOND_AUDIT_PLANNED, on, context=_ctx(conditional))
    second_audit_on = on + dt.timedelta(days=20)  # the second audit, held since it was planned
    again = second.advance(Stage.AUDITED, on + dt.timedelta(days=30), context=_ctx(audit_on=second_audit_on))
    final = again.advance(
        Stage.CERTIFIED, on + dt.timedelta(days=31), context=_ctx(_decision(), audit_on=second_audit_on)
    )
    assert [t.to_stage for t in final.history][-4:] == [
        Stage.AUDITED,
        Stage.SECOND_AUDIT_PLANNED,
        Stage.AUDITED,
        Stage.CERTIFIED,
    ]


def test_not_certified_goes_back_to_gap_closure() -> None:
    candidate = _decision({"1.1": MAJOR}, commitment=True)
    eng = _walk([*NINE_STEPS, Stage.NOT_CERTIFIED, Stage.GAP_CLOSURE, Stage.APPLICATION_UPDATED], _ctx(candidate))
    assert eng.stage is Stage.APPLICATION_UPDATED
    assert not eng.holds_certification


def test_six_month_review_and_recertification_loop() -> None:
    certified = _walk([*NINE_STEPS, Stage.CERTIFIED], _ctx(_decision()))
    on = certified.last_step_on
    reviewed = certified.advance(Stage.SIX_MONTH_REVIEWED, on + dt.timedelta(days=182), context=_ctx())
    recert = _decision(kind=AssessmentKind.RECERTIFICATION_AUDIT)
    recert_on = on + dt.timedelta(days=301)  # held the day it was planned
    later = reviewed
    for n, stage in enumerate([Stage.APPLICATION_UPDATED, Stage.AUDIT_PLANNED, Stage.AUDITED, Stage.CERTIFIED]):
        later = later.advance(stage, on + dt.timedelta(days=300 + n), context=_ctx(recert, audit_on=recert_on))
    assert later.stage is Stage.CERTIFIED and later.holds_certification
    no_review = RULES.model_copy(update={"six_month_review_after_months": None})
    with pytest.raises(TransitionRefused, match="has no six-month review"):
        certified.advance(Stage.SIX_MONTH_REVIEWED, on, context=EngagementContext(rule_set=no_review))


def test_revocation_needs_grounds_and_a_certification() -> None:
    certified = _walk([*NINE_STEPS, Stage.CERTIFIED], _ctx(_decision()))
    on = certified.last_step_on + dt.timedelta(days=200)
    with pytest.raises(TransitionRefused, match="revocation needs a revocation proposal"):
        certified.advance(Stage.REVOKED, on, context=_ctx())
    late = CorrectiveAction(
        id="ca-1",
        entity_id=ENTITY.id,
        item="2.1",
        finding_level=MINOR,
        description="fix",
        owner="p-us",
        raised_on=certified.last_step_on,
        due_on=certified.last_step_on + dt.timedelta(days=60),
    )
    proposals = review([late], on, RULES)
    assert len(proposals) == 1
    revoked = certified.advance(Stage.REVOKED, on, context=_ctx(revocation_proposals=proposals))
    assert revoked.stage is Stage.REVOKED and not revoked.holds_certification
    by_note = certified.advance(Stage.REVOKED, on, note="client data breach found at re-audit")
    assert by_note.history[-1].note == "client data breach found at re-audit"
    assert revoked.advance(Stage.GAP_CLOSURE, on, context=_ctx()).stage is Stage.GAP_CLOSURE
    # an entity that was never certified is not revoked, even while planning an audit
    planned = _walk(NINE_STEPS[:7], _ctx())
    with pytest.raises(TransitionRefused, match="only a certified entity"):
        planned.advance(Stage.REVOKED, on, note="reason")


def test_steps_cannot_go_back_in_time() -> None:
    eng = Engagement.start(ENTITY.id, D0)
    with pytest.raises(TransitionRefused, match="was on 2001-01-01"):
        eng.advance(Stage.KICKOFF_HELD, D0 - dt.timedelta(days=1))


def test_replay_accepts_a_legal_history_and_refuses_a_forged_one() -> None:
    eng = _walk([*NINE_STEPS, Stage.CERTIFIED], _ctx(_decision()))
    assert Engagement.replay(ENTITY.id, eng.history) == eng
    forged = (*eng.history[:3], Transition(Stage.COORDINATORS_REGISTERED, Stage.AUDITED, D0, None, ""))
    with pytest.raises(IllegalTransition, match="does not follow"):
        Engagement.replay(ENTITY.id, forged)
    with pytest.raises(CxcertError, match="must start with the entity defined"):
        Engagement.replay(ENTITY.id, eng.history[1:])


def test_transition_table_is_consistent() -> None:
    pairs = [(r.from_stage, r.to_stage) for r in TRANSITIONS]
    assert len(pairs) == len(set(pairs)), "one row per step"
    reachable = {Stage.ENTITY_DEFINED}
    frontier = [Stage.ENTITY_DEFINED]
    while frontier:
        stage = frontier.pop()
        for r in TRANSITIONS:
            if r.from_stage is stage and r.to_stage not in reachable:
                reachable.add(r.to_stage)
                frontier.append(r.to_stage)
    assert reachable == set(Stage), "every stage is reachable from the start"
    assert all(any(r.from_stage is s for r in TRANSITIONS) for s in Stage), "no dead end"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list(Stage)), min_size=1, max_size=25))
def test_random_steps_are_taken_or_refused_clearly(targets: list[Stage]) -> None:
    """Any sequence of requests leaves a valid, replayable history; refusals are always CxcertErrors."""
    context = _ctx(_decision({"2.1": MINOR}), revocation_proposals=())
    eng = Engagement.start(ENTITY.id, D0)
    for n, to in enumerate(targets, start=1):
        allowed = eng.allowed_next()
        try:
            eng = eng.advance(to, D0 + dt.timedelta(days=n), context=context, note="reason")
        except IllegalTransition as exc:
            assert to not in allowed or isinstance(exc, TransitionRefused)
            assert str(exc).startswith("cannot ")
        else:
            assert to in allowed
    assert Engagement.replay(ENTITY.id, eng.history) == eng


def test_failed_recertification_ends_the_certification() -> None:
    certified = _walk([*NINE_STEPS, Stage.CERTIFIED], _ctx(_decision()))
    on = certified.last_step_on
    failing = _decision({"1.1": MAJOR}, kind=AssessmentKind.RECERTIFICATION_AUDIT)
    eng = certified
    recert_on = on + dt.timedelta(days=302)  # planned on day +302, held that day
    for n, stage in enumerate([Stage.APPLICATION_UPDATED, Stage.AUDIT_PLANNED, Stage.AUDITED], start=1):
        eng = eng.advance(stage, on + dt.timedelta(days=300 + n), context=_ctx(audit_on=recert_on))
    assert eng.holds_certification, "still certified while the re-certification audit is under way"
    eng = eng.advance(Stage.NOT_CERTIFIED, on + dt.timedelta(days=310), context=_ctx(failing, audit_on=recert_on))
    assert not eng.holds_certification
