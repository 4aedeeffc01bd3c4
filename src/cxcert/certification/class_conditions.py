"""Reading one decision class's conditions against an assessment's counts (used by :mod:`decision`)."""

from __future__ import annotations

from dataclasses import dataclass

from cxcert.certification.decision_policy import DecisionPolicy, Scaling
from cxcert.standards.rule_set import DecisionClass


@dataclass(frozen=True)
class Tally:
    """Counts over the applicable in-scope scorable items."""

    scorable: int
    compliant: int
    minor: int
    major: int
    not_applicable: int
    missing: int
    effective_minor: int  # minor + missing where missing counts as minor
    effective_major: int


def scaled_min(threshold: int, tally: Tally, reference: int, policy: DecisionPolicy) -> int:
    """A minimum compliant-item threshold applied to ``tally.scorable`` applicable items of ``reference``.

    Proportional scaling rounds up, but never so far that a class which tolerates non-compliant items at full
    scope (threshold below ``reference``) stops tolerating any: that would make it the "all compliant" class in
    disguise and unreachable for a small scope (27 of 33 scaled to 5 items is 5 of 5). Such a class keeps room
    for one non-compliant item, and a class that needs some compliant item still needs one.
    """
    need = proportional_min(threshold, tally, reference, policy)
    scaling = policy.item_thresholds is not Scaling.ABSOLUTE and tally.scorable != reference
    if scaling and threshold < reference:
        need = max(min(need, tally.scorable - 1), min(threshold, 1))
    return need


def proportional_min(threshold: int, tally: Tally, reference: int, policy: DecisionPolicy) -> int:
    """The threshold scaled by the policy alone: ceil(threshold x applicable / reference), at most the applicable."""
    if policy.item_thresholds is Scaling.ABSOLUTE or tally.scorable == reference:
        return threshold
    return min(tally.scorable, -(-threshold * tally.scorable // reference))


def try_class(
    cls: DecisionClass, tally: Tally, reference: int, commitment: bool, policy: DecisionPolicy
) -> tuple[bool, list[str]]:
    """Whether ``cls`` holds, and a reading of each of its conditions."""
    readings: list[str] = []
    holds = True
    if cls.min_compliant_items is None:
        ok = tally.compliant == tally.scorable
        readings.append(f"all {tally.scorable} applicable items compliant: {tally.compliant} are ({_ok(ok)})")
    else:
        written = cls.min_compliant_items
        need = scaled_min(written, tally, reference, policy)
        rounded = proportional_min(written, tally, reference, policy)
        scaled = "" if need == written else f" (threshold {written} scaled to scope)"
        if need < rounded:
            scaled = (
                f" (threshold {written} scaled to scope: {rounded} of {tally.scorable}, less one so that the class "
                "still allows a deficiency)"
            )
        ok = tally.compliant >= need
        readings.append(f"at least {need} compliant{scaled}: {tally.compliant} ({_ok(ok)})")
    holds &= ok
    if cls.max_major_deficiencies is not None:
        ok = tally.effective_major <= cls.max_major_deficiencies
        extra = tally.effective_major - tally.major
        counted = f" incl. {extra} missing" if extra else ""
        readings.append(f"at most {cls.max_major_deficiencies} major: {tally.effective_major}{counted} ({_ok(ok)})")
        holds &= ok
    if cls.max_minor_deficiencies is not None:
        ok = tally.effective_minor <= cls.max_minor_deficiencies
        extra = tally.effective_minor - tally.minor
        counted = f" incl. {extra} missing" if extra else ""
        readings.append(f"at most {cls.max_minor_deficiencies} minor: {tally.effective_minor}{counted} ({_ok(ok)})")
        holds &= ok
    if cls.requires_management_commitment:
        readings.append(f"management commitment required: {'given' if commitment else 'missing'} ({_ok(commitment)})")
        holds &= commitment
    return holds, readings


def _ok(ok: bool) -> str:
    return "holds" if ok else "fails"
