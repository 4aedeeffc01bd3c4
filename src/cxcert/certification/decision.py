"""The decision engine: from an assessment's findings and a rule set, the decision class and the points view.

Semantics (the packaged ``decision_policy.yaml`` holds the readings the founding document leaves open):

- Only scorable items in scope count; scope is ``assessment.scope_items`` for a process certification, else the
  whole standard. Findings on items outside the scope or on non-scorable items are ignored (and said so).
- Not-applicable items leave the count of scorable items and the points possible.
- An in-scope applicable item without a finding is *missing*: not compliant, and for the deficiency limits it
  counts as the policy's level (a major deficiency by default).
- "All items" (``min_compliant_items`` None) means every applicable in-scope scorable item is compliant.
- Classes are tried in rank order; the first whose conditions all hold decides.
- Points view: earned = points x the share for the level; possible = points of applicable in-scope items; the
  pass mark is scaled to the possible points (pass mark / total points x possible), so not-applicable items and a
  reduced scope never make passing impossible. At full scope the scaled mark equals the pass mark.
- What the result is, is the rule set's ``assessment_outcomes`` for the assessment's kind: a certification
  decision (it replaces the standing decision of its scope: the whole standard, or one process certification's
  items), a review result (a six-month review: scored and shown, its deficiencies need corrective action, but the
  standing decision stays), or advice (a baseline: :func:`check_decidable` refuses to record it as a decision).
"""

from __future__ import annotations

__all__ = [
    "Decision",
    "ItemContribution",
    "check_decidable",
    "check_decision_day",
    "counts_by_level",
    "decide",
    "would_be_decision",
]

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from cxcert.certification.assessment import Assessment, AssessmentKind, Finding
from cxcert.certification.authority import EntityAuthority, authority_for_entity
from cxcert.certification.class_conditions import Tally, try_class
from cxcert.certification.decision_policy import DecisionPolicy, ReviewCoverage, Scaling, default_policy
from cxcert.certification.decision_result import Decision, ItemContribution
from cxcert.certification.entity import Entity
from cxcert.errors import CxcertError
from cxcert.explain import Explanation, Step
from cxcert.standards.rule_set import AssessmentOutcome, DecisionClass, FindingLevel, PointsView, RuleSet
from cxcert.standards.schema import Item, Standard


def _share(level: FindingLevel, view: PointsView | None) -> Fraction:
    """The share of an item's points a level earns; without a points view, only compliant items earn."""
    if level is FindingLevel.COMPLIANT:
        return Fraction(view.compliant_share) if view else Fraction(1)
    if level is FindingLevel.MINOR:
        return Fraction(view.minor_share) if view else Fraction(0)
    return Fraction(view.major_share) if view else Fraction(0)


def _findings_by_item(assessment: Assessment, standard: Standard) -> dict[str, Finding]:
    known = {it.number for it in standard.items()}
    by_item: dict[str, Finding] = {}
    for finding in assessment.findings:
        if finding.item not in known:
            raise CxcertError(
                f"assessment {assessment.id}: finding for item {finding.item}, which {standard.key.urn} does not have"
            )
        if finding.item in by_item:
            raise CxcertError(f"assessment {assessment.id}: two findings for item {finding.item}; keep one")
        by_item[finding.item] = finding
    return by_item


def _scope(assessment: Assessment, standard: Standard) -> tuple[Item, ...]:
    scorable = standard.scorable_items()
    if assessment.scope_items is None:
        return scorable
    known = {it.number for it in standard.items()}
    unknown = [n for n in assessment.scope_items if n not in known]
    if unknown:
        raise CxcertError(
            f"assessment {assessment.id}: scope names items {', '.join(unknown)}, "
            f"which {standard.key.urn} does not have"
        )
    wanted = set(assessment.scope_items)
    in_scope = tuple(it for it in scorable if it.number in wanted)
    if not in_scope:
        raise CxcertError(f"assessment {assessment.id}: the declared scope holds no scorable item")
    return in_scope


def _outcome_step(assessment: Assessment, rule_set: RuleSet) -> Step:
    outcome = rule_set.outcome_for(assessment.kind)
    kind = assessment.kind.value
    meaning = {
        AssessmentOutcome.DECISION: "a certification decision: it replaces the standing decision of its scope",
        AssessmentOutcome.REVIEW: (
            "a review result: scored and shown, its deficiencies need corrective action, "
            "but the standing certification decision stays"
        ),
        AssessmentOutcome.ADVICE: "advice, not a certification decision",
    }[outcome]
    return Step(
        "assessment_outcome",
        f"a {kind} under rule set {rule_set.id} gives {meaning}",
        {"kind": kind, "outcome": outcome.value, "rule_set": rule_set.id},
    )


def check_decidable(assessment: Assessment, rule_set: RuleSet) -> None:
    """Refuse to record a decision on an assessment whose kind gives advice only (a baseline)."""
    if rule_set.outcome_for(assessment.kind) is AssessmentOutcome.ADVICE:
        deciding = " or ".join(k.value for k in rule_set.kinds_giving(AssessmentOutcome.DECISION))
        reviewing = " or ".join(k.value for k in rule_set.kinds_giving(AssessmentOutcome.REVIEW))
        raise CxcertError(
            f"assessment {assessment.id} is a {assessment.kind.value}: under rule set {rule_set.id} it is advice, "
            f"not a decision; decide a {deciding}"
            + (f" (or a {reviewing} for a review result)" if reviewing else "")
            + "; --dry-run shows the class its findings would give"
        )


def check_decision_day(assessment: Assessment, on: dt.date) -> None:
    """A decision follows the assessment: refuse a day before it ended (or started, when no end is recorded)."""
    last = assessment.ended_on or assessment.started_on
    if on < last:
        what = "ended" if assessment.ended_on is not None else "started"
        raise CxcertError(
            f"the decision on {on.isoformat()} would come before assessment {assessment.id} {what} on "
            f"{last.isoformat()}; decide on or after that day"
        )


def _authority_step(authority: EntityAuthority) -> Step:
    return Step(
        "authority",
        authority.explanation.summary,
        {
            "oversees": ", ".join(authority.oversees),
            "submits_application": ", ".join(authority.submits_application),
            "authorises_decision": ", ".join(authority.authorises_decision),
        },
    )


def decide(
    assessment: Assessment,
    standard: Standard,
    rule_set: RuleSet,
    *,
    policy: DecisionPolicy | None = None,
    entity: Entity | None = None,
) -> Decision:
    """Decide ``assessment`` against ``standard`` under ``rule_set``; see the module docstring for the semantics.

    With ``entity``, the decision also says who authorises it (the rule set's authorities by the countries of the
    entity's locations, :func:`~cxcert.certification.authority.authority_for_entity`).
    """
    policy = policy or default_policy()
    if entity is not None and entity.id != assessment.entity_id:
        raise CxcertError(f"assessment {assessment.id} is of entity {assessment.entity_id}, not {entity.id}")
    authority = authority_for_entity(entity, rule_set) if entity is not None else None
    if rule_set.standard != standard.key:
        raise CxcertError(f"rule set {rule_set.id} is for {rule_set.standard.urn}, not {standard.key.urn}")
    classes = rule_set.ordered_classes()
    if not classes:
        raise CxcertError(f"rule set {rule_set.id} defines no decision class")
    findings = _findings_by_item(assessment, standard)
    in_scope = _scope(assessment, standard)
    view = rule_set.points_view
    steps: list[Step] = [_outcome_step(assessment, rule_set)]
    if authority is not None:
        steps.append(_authority_step(authority))

    scope_numbers = {it.number for it in in_scope}
    ignored = sorted(n for n in findings if n not in scope_numbers)
    scope_text = "the whole standard" if assessment.scope_items is None else "the declared process scope"
    steps.append(
        Step(
            "scope",
            f"{len(in_scope)} scorable items in scope ({scope_text})"
            + (f"; findings ignored outside it or on non-scorable items: {', '.join(ignored)}" if ignored else ""),
            {"in_scope": len(in_scope), "standard_scorable": len(standard.scorable_items())},
        )
    )
    reviewed = tuple(it for it in in_scope if it.number in findings)
    if not reviewed and policy.refuse_without_findings:
        raise CxcertError(
            f"assessment {assessment.id} has no finding on any of its {len(in_scope)} in-scope scorable items: "
            "record the findings before deciding (the decision policy refuses to count every item as missing)"
        )
    is_review = rule_set.outcome_for(assessment.kind) is AssessmentOutcome.REVIEW
    if is_review and policy.review_covers is ReviewCoverage.ITEMS_WITH_FINDINGS and reviewed != in_scope and reviewed:
        steps.append(
            Step(
                "policy:review_covers",
                f"a review judges the {len(reviewed)} in-scope items it has findings on; the other "
                f"{len(in_scope) - len(reviewed)} were not reviewed and are left out",
                {"reviewed": len(reviewed), "in_scope": len(in_scope), "policy": policy.review_covers.value},
            )
        )
        in_scope = reviewed

    contributions: list[ItemContribution] = []
    earned = Fraction(0)
    possible = 0
    counts: dict[str, int] = {"compliant": 0, "minor": 0, "major": 0, "na": 0, "missing": 0}
    missing_level = policy.missing_finding_counts_as
    for item in in_scope:
        finding = findings.get(item.number)
        level = finding.level if finding else None
        if level is FindingLevel.NOT_APPLICABLE:
            counts["na"] += 1
            contributions.append(ItemContribution(item.number, item.title, item.points, level, "not_applicable", 0, 0))
            continue
        counted = level if level is not None else missing_level
        if level is None:
            counts["missing"] += 1
            label = f"missing (counted as {missing_level.value})"
        else:
            counts[{FindingLevel.COMPLIANT: "compliant", FindingLevel.MINOR: "minor"}.get(level, "major")] += 1
            label = level.value
        item_earned = item.points * _share(counted, view)
        earned += item_earned
        possible += item.points
        contributions.append(
            ItemContribution(item.number, item.title, item.points, level, label, float(item.points), float(item_earned))
        )

    tally = Tally(
        scorable=len(in_scope) - counts["na"],
        compliant=counts["compliant"],
        minor=counts["minor"],
        major=counts["major"],
        not_applicable=counts["na"],
        missing=counts["missing"],
        effective_minor=counts["minor"] + (counts["missing"] if missing_level is FindingLevel.MINOR else 0),
        effective_major=counts["major"] + (counts["missing"] if missing_level is FindingLevel.MAJOR else 0),
    )
    if tally.scorable == 0:
        raise CxcertError(f"assessment {assessment.id}: every in-scope item is not applicable; nothing to decide")
    steps.append(
        Step(
            "counts",
            f"{tally.scorable} applicable scorable items: {tally.compliant} compliant, {tally.minor} minor, "
            f"{tally.major} major, {tally.missing} without a finding; {tally.not_applicable} not applicable",
            {
                "scorable": tally.scorable,
                "compliant": tally.compliant,
                "minor": tally.minor,
                "major": tally.major,
                "missing": tally.missing,
                "not_applicable": tally.not_applicable,
            },
        )
    )
    if tally.missing:
        steps.append(
            Step(
                "policy:missing_finding",
                f"{tally.missing} items without a finding count as not compliant and as {missing_level.value}",
                {"policy": missing_level.value},
            )
        )
    reference = len(standard.scorable_items())
    if tally.scorable != reference and policy.item_thresholds is Scaling.PROPORTIONAL:
        steps.append(
            Step(
                "policy:item_thresholds",
                f"minimum compliant-item thresholds scale to {tally.scorable} of the standard's {reference} "
                "scorable items, rounded up",
                {"applicable": tally.scorable, "standard_scorable": reference},
            )
        )

    decided: DecisionClass | None = None
    for cls in classes:
        holds, readings = try_class(cls, tally, reference, assessment.management_commitment, policy)
        verdict = "decides" if holds else "does not hold"
        conclusion = f"rank {cls.rank} {verdict}: " + "; ".join(readings)
        steps.append(Step(f"class:{cls.name}", conclusion, {"rank": cls.rank}))
        if holds:
            decided = cls
            break
    if decided is None:
        raise CxcertError(
            f"rule set {rule_set.id}: no decision class holds for assessment {assessment.id}; "
            "the rule set needs a catch-all class (no conditions)"
        )

    points_required: float | None = None
    points_passed: bool | None = None
    if view is not None:
        if standard.total_points == 0:
            raise CxcertError(f"{standard.key.urn} declares 0 total points; the points view cannot apply")
        if policy.points_pass_mark is Scaling.PROPORTIONAL:
            required = Fraction(view.pass_mark * possible, standard.total_points)
            how = f"pass mark {view.pass_mark} of {standard.total_points} scaled to {possible} possible points"
        else:
            required = Fraction(view.pass_mark)
            how = f"pass mark {view.pass_mark} as written"
        points_passed = earned >= required
        points_required = float(required)
        steps.append(
            Step(
                "points_view",
                f"{float(earned):g} of {possible} points earned; {how} = {float(required):g}: "
                + ("passed" if points_passed else "not passed"),
                {
                    "earned": float(earned),
                    "possible": possible,
                    "pass_mark": view.pass_mark,
                    "required": float(required),
                    "compliant_share": view.compliant_share,
                    "minor_share": view.minor_share,
                    "major_share": view.major_share,
                },
            )
        )
    for c in contributions:
        steps.append(
            Step(
                f"item:{c.item}",
                f"{c.title}: {c.counted_as}, {c.points_earned:g} of {c.points_possible:g} points",
                {"points": c.points, "earned": c.points_earned},
            )
        )

    summary = (
        f"{decided.name}: {tally.compliant} of {tally.scorable} applicable scorable items compliant, "
        f"{tally.minor} minor, {tally.major} major, {tally.missing} missing (rule set {rule_set.id})"
    )
    return Decision(
        assessment_id=assessment.id,
        entity_id=assessment.entity_id,
        assessment_kind=assessment.kind,
        outcome=rule_set.outcome_for(assessment.kind),
        rule_set_id=rule_set.id,
        standard_urn=standard.key.urn,
        decision_class=decided.name,
        certifies=decided.certifies,
        rank=decided.rank,
        best_rank=classes[0].rank,
        scope_items=assessment.scope_items,
        scorable=tally.scorable,
        compliant=tally.compliant,
        minor=tally.minor,
        major=tally.major,
        not_applicable=tally.not_applicable,
        missing=tally.missing,
        points_earned=float(earned),
        points_possible=float(possible),
        points_pass_mark=view.pass_mark if view else None,
        points_required=points_required,
        points_passed=points_passed,
        contributions=tuple(contributions),
        explanation=Explanation(summary, tuple(steps)),
        authority=authority,
    )


def would_be_decision(
    assessment: Assessment,
    standard: Standard,
    rule_set: RuleSet,
    *,
    policy: DecisionPolicy | None = None,
    entity: Entity | None = None,
) -> Decision:
    """What ``assessment``'s findings would give if it were a compliance audit, whatever its kind (a baseline's
    would-be class). Never a decision: it is for showing, not for storing."""
    as_audit = assessment.model_copy(update={"kind": AssessmentKind.COMPLIANCE_AUDIT})
    found = decide(as_audit, standard, rule_set, policy=policy, entity=entity)
    read_as = Step(
        "would_be",
        f"{assessment.id} is a {assessment.kind.value}; its findings are read as a compliance audit's to show the "
        "class they would give: not a decision",
        {"kind": assessment.kind.value, "read_as": AssessmentKind.COMPLIANCE_AUDIT.value},
    )
    steps = (read_as, *(s for s in found.explanation.steps if s.rule != "assessment_outcome"))
    summary = f"would be {found.explanation.summary} (not a decision)"
    return replace(
        found,
        assessment_kind=assessment.kind,
        outcome=rule_set.outcome_for(assessment.kind),
        explanation=Explanation(summary, steps),
    )


def counts_by_level(decision: Decision) -> Mapping[str, int]:
    """The decision's counts keyed as in the decision case table (scorable, compliant, minor, ...)."""
    return {
        "scorable": decision.scorable,
        "compliant": decision.compliant,
        "minor": decision.minor,
        "major": decision.major,
        "not_applicable": decision.not_applicable,
        "missing": decision.missing,
    }
