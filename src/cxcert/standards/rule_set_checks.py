"""Semantic checks of a rule set: decision classes that can be tried in order, authorities that cover the world,
and thresholds that fit the standard the rule set is for."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from cxcert.standards.check import Check, ValidationContext
from cxcert.standards.issues import Level, ValidationIssue
from cxcert.standards.parsing import ParsedDocument
from cxcert.standards.rule_set import RuleSet


def _rules(parsed: ParsedDocument) -> RuleSet:
    assert isinstance(parsed.document, RuleSet)
    return parsed.document


class DecisionClassesDistinct(Check):
    name = "decision-classes-distinct"
    applies_to = RuleSet

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        ranks: set[int] = set()
        names: set[str] = set()
        for i, cls in enumerate(_rules(parsed).decision_classes):
            if cls.rank in ranks:
                yield self.issue(parsed, ("decision_classes", i, "rank"), f"duplicate rank {cls.rank} ({cls.name!r})")
            if cls.name.casefold() in names:
                yield self.issue(parsed, ("decision_classes", i, "name"), f"duplicate decision class {cls.name!r}")
            ranks.add(cls.rank)
            names.add(cls.name.casefold())
        if not _rules(parsed).decision_classes:
            yield self.issue(parsed, ("decision_classes",), "a rule set needs at least one decision class")


class ThresholdsOrdered(Check):
    """A better outcome (lower rank) must not ask for fewer compliant items than a worse one, and the worst
    outcome must accept anything, so that every assessment gets a decision."""

    name = "thresholds-ordered"
    applies_to = RuleSet

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        rules = _rules(parsed)
        indexed = sorted(enumerate(rules.decision_classes), key=lambda pair: pair[1].rank)
        for (_, better), (wi, worse) in itertools.pairwise(indexed):
            b = better.min_compliant_items
            w = worse.min_compliant_items
            if b is not None and (w is None or w > b):
                yield self.issue(
                    parsed,
                    ("decision_classes", wi, "min_compliant_items"),
                    f"{worse.name!r} (rank {worse.rank}) asks for more compliant items ({w if w is not None else 'all'}"
                    f") than the better {better.name!r} (rank {better.rank}, {b})",
                )
        if indexed:
            li, last = indexed[-1]
            open_ended = (
                (last.min_compliant_items or 0) == 0
                and last.max_major_deficiencies is None
                and last.max_minor_deficiencies is None
                and not last.requires_management_commitment
            )
            if not open_ended:
                yield self.issue(
                    parsed,
                    ("decision_classes", li),
                    f"the last class {last.name!r} has conditions, so some assessments would get no decision",
                )


class AuthoritiesCover(Check):
    name = "authorities-cover"
    applies_to = RuleSet

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        seen: set[str] = set()
        for i, authority in enumerate(_rules(parsed).authorities):
            for country in authority.countries:
                if country.upper() in seen:
                    yield self.issue(parsed, ("authorities", i, "countries"), f"country {country!r} given twice")
                seen.add(country.upper())
        if "*" not in seen:
            yield self.issue(
                parsed, ("authorities",), "no authority for countries not listed: add one with countries: ['*']"
            )


class FitsStandard(Check):
    """Thresholds must be reachable in the standard the rule set names (when that standard is known)."""

    name = "fits-standard"
    applies_to = RuleSet

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        rules = _rules(parsed)
        standard = context.find(rules.standard)
        if standard is None:
            yield self.issue(
                parsed,
                ("standard",),
                f"standard {rules.standard.urn} is not packaged nor given alongside; thresholds not checked",
                level=Level.WARNING,
            )
            return
        scorable = len(standard.scorable_items())
        for i, cls in enumerate(rules.decision_classes):
            if cls.min_compliant_items is not None and cls.min_compliant_items > scorable:
                yield self.issue(
                    parsed,
                    ("decision_classes", i, "min_compliant_items"),
                    f"{cls.name!r} needs {cls.min_compliant_items} compliant items but {standard.key.urn} has only "
                    f"{scorable} scorable items",
                )
        if rules.points_view is not None and rules.points_view.pass_mark > standard.total_points:
            yield self.issue(
                parsed,
                ("points_view", "pass_mark"),
                f"pass mark {rules.points_view.pass_mark} exceeds the standard's {standard.total_points} points",
            )


RULE_SET_CHECKS: tuple[Check, ...] = (
    DecisionClassesDistinct(),
    ThresholdsOrdered(),
    AuthoritiesCover(),
    FitsStandard(),
)
