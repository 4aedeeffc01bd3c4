"""Semantic checks of a standard: unique numbers and ids, items under their category, points, metrics."""

from __future__ import annotations

from collections.abc import Iterable

from cxcert.standards.check import Check, ValidationContext
from cxcert.standards.issues import Level, ValidationIssue
from cxcert.standards.parsing import ParsedDocument
from cxcert.standards.schema import CategoryRole, Standard


def _standard(parsed: ParsedDocument) -> Standard:
    assert isinstance(parsed.document, Standard)
    return parsed.document


def category_prefix(category_number: str) -> str:
    """'4.0' -> '4.', '4' -> '4.', 'A' -> 'A.': what every item number of the category starts with."""
    base = category_number.removesuffix(".0")
    return f"{base}."


class HasItems(Check):
    name = "has-items"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        if not _standard(parsed).categories:
            yield self.issue(parsed, ("categories",), "a standard needs at least one category")
        for ci, category in enumerate(_standard(parsed).categories):
            if not category.items:
                yield self.issue(parsed, ("categories", ci, "items"), f"category {category.number} has no items")


class DuplicateCategoryNumber(Check):
    name = "duplicate-category-number"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        seen: dict[str, int] = {}
        for ci, category in enumerate(_standard(parsed).categories):
            if category.number in seen:
                first = parsed.source_map.locate(("categories", seen[category.number], "number"))
                where = f" (first on line {first.line})" if first and first.sheet is None else ""
                yield self.issue(
                    parsed, ("categories", ci, "number"), f"duplicate category number {category.number!r}{where}"
                )
            else:
                seen[category.number] = ci


class DuplicateItemNumber(Check):
    name = "duplicate-item-number"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        seen: dict[str, tuple[int, int]] = {}
        for ci, category in enumerate(_standard(parsed).categories):
            for ii, item in enumerate(category.items):
                path = ("categories", ci, "items", ii, "number")
                if item.number in seen:
                    first = parsed.source_map.locate(("categories", *_pair(seen[item.number]), "number"))
                    where = f" (first on line {first.line})" if first and first.sheet is None else ""
                    yield self.issue(parsed, path, f"duplicate item number {item.number!r}{where}")
                else:
                    seen[item.number] = (ci, ii)


def _pair(indices: tuple[int, int]) -> tuple[int, str, int]:
    return (indices[0], "items", indices[1])


class DuplicateRequirementId(Check):
    name = "duplicate-requirement-id"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        seen: set[str] = set()
        for ci, category in enumerate(_standard(parsed).categories):
            for ii, item in enumerate(category.items):
                for ri, requirement in enumerate(item.requirements):
                    if requirement.id in seen:
                        path = ("categories", ci, "items", ii, "requirements", ri, "id")
                        yield self.issue(parsed, path, f"duplicate requirement id {requirement.id!r}")
                    seen.add(requirement.id)


class ItemUnderCategory(Check):
    name = "item-under-category"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        for ci, category in enumerate(_standard(parsed).categories):
            prefix = category_prefix(category.number)
            for ii, item in enumerate(category.items):
                rest = item.number.removeprefix(prefix)
                if not item.number.startswith(prefix) or not rest:
                    yield self.issue(
                        parsed,
                        ("categories", ci, "items", ii, "number"),
                        f"item number {item.number!r} is not under category {category.number!r} (expected '{prefix}N')",
                    )


class PointsAddUp(Check):
    """The items' points must add up to the declared ``total_points`` (and to a category's declared points)."""

    name = "points-add-up"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        standard = _standard(parsed)
        total = sum(item.points for item in standard.items())
        if total != standard.total_points:
            by_category = ", ".join(f"{c.number}: {sum(i.points for i in c.items)}" for c in standard.categories)
            yield self.issue(
                parsed,
                ("total_points",),
                f"items' points add up to {total}, not the declared {standard.total_points} ({by_category})",
            )
        for ci, category in enumerate(standard.categories):
            subtotal = sum(item.points for item in category.items)
            if category.points is not None and subtotal != category.points:
                yield self.issue(
                    parsed,
                    ("categories", ci, "points"),
                    f"items of category {category.number} add up to {subtotal} points, not the declared "
                    f"{category.points}",
                )


class NonScorableCarriesNoPoints(Check):
    """A non-scorable item cannot be found compliant, so points on it would make the pass mark unreachable."""

    name = "non-scorable-points"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        for ci, category in enumerate(_standard(parsed).categories):
            for ii, item in enumerate(category.items):
                if not item.scorable and item.points:
                    yield self.issue(
                        parsed,
                        ("categories", ci, "items", ii, "points"),
                        f"item {item.number} is not scorable but carries {item.points} points",
                    )


class KnownMetric(Check):
    name = "unknown-metric"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        for ci, category in enumerate(_standard(parsed).categories):
            for ii, item in enumerate(category.items):
                for mi, required in enumerate(item.required_metrics):
                    if required.metric not in context.metric_ids:
                        path = ("categories", ci, "items", ii, "required_metrics", mi, "metric")
                        close = sorted(m for m in context.metric_ids if m[:3] == required.metric[:3])
                        hint = f"; did you mean {', '.join(close)}?" if close else " (see metric_ids.yaml)"
                        yield self.issue(parsed, path, f"unknown metric {required.metric!r}{hint}")


class MetricsOnResults(Check):
    """Required metrics belong to result (performance) categories; elsewhere they are probably misplaced."""

    name = "metrics-on-results"
    applies_to = Standard

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        for ci, category in enumerate(_standard(parsed).categories):
            if category.role is CategoryRole.RESULT:
                continue
            for ii, item in enumerate(category.items):
                if item.required_metrics:
                    yield self.issue(
                        parsed,
                        ("categories", ci, "items", ii, "required_metrics"),
                        f"item {item.number} lists required metrics but its category is a {category.role}",
                        level=Level.WARNING,
                    )


STANDARD_CHECKS: tuple[Check, ...] = (
    HasItems(),
    DuplicateCategoryNumber(),
    DuplicateItemNumber(),
    DuplicateRequirementId(),
    ItemUnderCategory(),
    PointsAddUp(),
    NonScorableCarriesNoPoints(),
    KnownMetric(),
    MetricsOnResults(),
)
