"""Semantic checks of a crosswalk: both standards known, every link between items that exist."""

from __future__ import annotations

from collections.abc import Iterable

from cxcert.standards.check import Check, ValidationContext
from cxcert.standards.issues import Level, ValidationIssue
from cxcert.standards.parsing import ParsedDocument
from cxcert.standards.schema import Crosswalk


def _crosswalk(parsed: ParsedDocument) -> Crosswalk:
    assert isinstance(parsed.document, Crosswalk)
    return parsed.document


class LinksResolve(Check):
    name = "crosswalk-links-resolve"
    applies_to = Crosswalk

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        crosswalk = _crosswalk(parsed)
        ends = {"source": context.find(crosswalk.source), "target": context.find(crosswalk.target)}
        for side, standard in ends.items():
            if standard is None:
                key = crosswalk.source if side == "source" else crosswalk.target
                yield self.issue(parsed, (side,), f"{side} standard {key.urn} is not packaged nor given alongside")
        for i, link in enumerate(crosswalk.links):
            for side, standard in ends.items():
                number = link.source if side == "source" else link.target
                if standard is None:
                    continue
                numbers = {item.number for item in standard.items()}
                if number not in numbers:
                    yield self.issue(
                        parsed,
                        ("links", i, side),
                        f"{side} {number!r} is not an item of {standard.key.urn}",
                    )


class NoDuplicateLinks(Check):
    name = "crosswalk-duplicate-link"
    applies_to = Crosswalk

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        seen: set[tuple[str, str]] = set()
        for i, link in enumerate(_crosswalk(parsed).links):
            pair = (link.source, link.target)
            if pair in seen:
                yield self.issue(
                    parsed, ("links", i), f"link {link.source} -> {link.target} given twice", level=Level.WARNING
                )
            seen.add(pair)


CROSSWALK_CHECKS: tuple[Check, ...] = (LinksResolve(), NoDuplicateLinks())
