"""Coordinator registration: who counts as a registered coordinator, and which locations still lack one.

docs/domain.md section 1 and section 3 step 3: a coordinator registers by attending the class and passing the written
exam at the rule set's pass mark; at least ``min_coordinators_per_location`` per location before an audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cxcert.certification.entity import Entity
from cxcert.certification.people import CoordinatorRegistration
from cxcert.explain import Explanation, Step
from cxcert.standards.rule_set import RuleSet


@dataclass(frozen=True)
class RegistrationVerdict:
    """Whether one coordinator is registered under a rule set, and why."""

    person_id: str
    location_id: str
    registered: bool
    explanation: Explanation


def check_registration(reg: CoordinatorRegistration, rule_set: RuleSet) -> RegistrationVerdict:
    """Registered when the exam score reaches the rule set's pass mark and the exam followed the class."""
    mark = rule_set.coordinator_exam_pass_mark
    passed = reg.exam_score >= mark
    ordered = reg.exam_taken_on >= reg.class_attended_on
    steps = (
        Step(
            "coordinator_exam_pass_mark",
            f"exam score {reg.exam_score:.0%} {'reaches' if passed else 'is below'} the pass mark {mark:.0%}",
            {"exam_score": reg.exam_score, "pass_mark": mark, "rule_set": rule_set.id},
        ),
        Step(
            "exam_after_class",
            f"exam on {reg.exam_taken_on.isoformat()} "
            + ("follows" if ordered else "precedes")
            + f" the class attended on {reg.class_attended_on.isoformat()}",
            {"class_attended_on": reg.class_attended_on.isoformat(), "exam_taken_on": reg.exam_taken_on.isoformat()},
        ),
    )
    registered = passed and ordered
    if registered:
        summary = f"{reg.person_id} is a registered coordinator for location {reg.location_id}"
    elif not passed:
        summary = f"{reg.person_id} is not registered: exam score {reg.exam_score:.0%} is below {mark:.0%}"
    else:
        summary = f"{reg.person_id} is not registered: the exam was taken before the class"
    return RegistrationVerdict(reg.person_id, reg.location_id, registered, Explanation(summary, steps))


def registered_coordinators(
    registrations: Iterable[CoordinatorRegistration], rule_set: RuleSet
) -> tuple[CoordinatorRegistration, ...]:
    """The registrations that pass :func:`check_registration`."""
    return tuple(r for r in registrations if check_registration(r, rule_set).registered)


def locations_without_coordinator(
    entity: Entity, registrations: Iterable[CoordinatorRegistration], rule_set: RuleSet
) -> tuple[str, ...]:
    """Ids of the entity's locations with fewer than ``min_coordinators_per_location`` registered coordinators.

    A person counts once per location however many registrations they hold there.
    """
    per_location: dict[str, set[str]] = {loc.id: set() for loc in entity.locations}
    for reg in registered_coordinators(registrations, rule_set):
        if reg.location_id in per_location:
            per_location[reg.location_id].add(reg.person_id)
    need = rule_set.min_coordinators_per_location
    return tuple(loc.id for loc in entity.locations if len(per_location[loc.id]) < need)
