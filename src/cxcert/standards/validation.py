"""Semantic validation: every check, run over a parsed document (schema errors come from parsing).

The checks are small rule classes (see :mod:`cxcert.standards.check`), one per kind of mistake, each returning
issues with a level and a location. Run them all with :func:`validate_document`.
"""

from __future__ import annotations

from cxcert.standards.check import Check, ValidationContext
from cxcert.standards.crosswalk_checks import CROSSWALK_CHECKS
from cxcert.standards.issues import ValidationIssue
from cxcert.standards.parsing import ParsedDocument
from cxcert.standards.rule_set_checks import RULE_SET_CHECKS
from cxcert.standards.standard_checks import STANDARD_CHECKS

ALL_CHECKS: tuple[Check, ...] = (*STANDARD_CHECKS, *RULE_SET_CHECKS, *CROSSWALK_CHECKS)

__all__ = ["ALL_CHECKS", "ValidationContext", "validate_document"]


def validate_document(parsed: ParsedDocument, context: ValidationContext) -> list[ValidationIssue]:
    """Every semantic issue (errors and warnings) in ``parsed``, in check order then document order."""
    issues: list[ValidationIssue] = []
    for check in ALL_CHECKS:
        issues.extend(check.check(parsed, context))
    return issues
