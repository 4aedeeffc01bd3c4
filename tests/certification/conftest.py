"""Fixtures of the certification tests: a compact COPC-2000-like standard and a founding-like rule set.

Both are YAML fixtures validated by the real schema types, so the decision case table does not depend on the
packaged standards library.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cxcert.standards.rule_set import RuleSet
from cxcert.standards.schema import Standard

FIXTURES = Path(__file__).parent / "fixtures"


def load_test_standard() -> Standard:
    return Standard.model_validate(yaml.safe_load((FIXTURES / "test_standard.yaml").read_text(encoding="utf-8")))


def load_test_rule_set() -> RuleSet:
    return RuleSet.model_validate(yaml.safe_load((FIXTURES / "test_rule_set.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def test_standard() -> Standard:
    """33 scorable items (29 x 60 + 4 x 65 = 2000 points) and one non-scorable item."""
    return load_test_standard()


@pytest.fixture(scope="session")
def test_rule_set() -> RuleSet:
    """Certified / Conditionally Certified (27) / Certification Candidate (11 + commitment) / No Classification."""
    return load_test_rule_set()
