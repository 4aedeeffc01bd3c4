"""Who oversees, submits the application and authorises the decision for an entity, by where it is.

docs/domain.md section 1: in the US the lead auditor oversees and authorises; outside it a licensee oversees and
submits the final application and headquarters issues the decision. The mapping is the rule set's ``authorities``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxcert.certification.entity import Entity
from cxcert.errors import CxcertError
from cxcert.explain import Explanation, Step
from cxcert.standards.rule_set import RuleSet


@dataclass(frozen=True)
class LocationAuthority:
    location_id: str
    country: str
    oversees: str
    submits_application: str
    authorises_decision: str


@dataclass(frozen=True)
class EntityAuthority:
    """The roles responsible for an entity; several when its locations fall under different authorities."""

    entity_id: str
    per_location: tuple[LocationAuthority, ...]
    oversees: tuple[str, ...]
    submits_application: tuple[str, ...]
    authorises_decision: tuple[str, ...]
    explanation: Explanation

    @property
    def mixed(self) -> bool:
        return len({(a.oversees, a.submits_application, a.authorises_decision) for a in self.per_location}) > 1

    def to_dict(self) -> dict[str, object]:
        return {
            "entity_id": self.entity_id,
            "oversees": list(self.oversees),
            "submits_application": list(self.submits_application),
            "authorises_decision": list(self.authorises_decision),
            "per_location": [
                {
                    "location_id": a.location_id,
                    "country": a.country,
                    "oversees": a.oversees,
                    "submits_application": a.submits_application,
                    "authorises_decision": a.authorises_decision,
                }
                for a in self.per_location
            ],
            "explanation": self.explanation.to_dict(),
        }


def _distinct(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def authority_for_entity(entity: Entity, rule_set: RuleSet) -> EntityAuthority:
    """Apply the rule set's authorities to each location's country; every distinct role must act for the entity."""
    rows: list[LocationAuthority] = []
    steps: list[Step] = []
    for loc in entity.locations:
        try:
            auth = rule_set.authority_for(loc.country)
        except KeyError:
            raise CxcertError(
                f"rule set {rule_set.id} names no authority for country {loc.country} (location {loc.id})"
            ) from None
        rows.append(
            LocationAuthority(loc.id, loc.country, auth.oversees, auth.submits_application, auth.authorises_decision)
        )
        matched = "'*' (everywhere else)" if loc.country.upper() not in auth.countries else loc.country.upper()
        steps.append(
            Step(
                f"authority:{loc.id}",
                f"{loc.name} ({loc.country}) matches {matched}: {auth.oversees} oversees, "
                f"{auth.submits_application} submits the application, {auth.authorises_decision} authorises",
                {"country": loc.country, "rule_set": rule_set.id},
            )
        )
    oversees = _distinct([r.oversees for r in rows])
    submits = _distinct([r.submits_application for r in rows])
    authorises = _distinct([r.authorises_decision for r in rows])
    if len(authorises) == 1 and len(oversees) == 1:
        summary = f"{oversees[0]} oversees and {authorises[0]} authorises the decision for {entity.name}"
    else:
        summary = (
            f"{entity.name} spans several authorities: {', '.join(oversees)} oversee their locations and "
            f"{', '.join(authorises)} must each authorise the decision"
        )
    return EntityAuthority(entity.id, tuple(rows), oversees, submits, authorises, Explanation(summary, tuple(steps)))
