"""Process certifications: scopes as data, checked against the packaged COPC-2000 standard, decided by scope."""

from __future__ import annotations

import pytest

from cxcert.certification.decision import decide
from cxcert.certification.process_certification import (
    ProcessCertificationKind,
    kind_of_scope,
    process_certifications,
    resolve_scope,
    scope_for,
    title_of,
)
from cxcert.errors import CxcertError, NotFound
from cxcert.standards import library

from .builders import MINOR, assessment
from .conftest import load_test_standard


def test_every_kind_has_a_scope_of_existing_scorable_items() -> None:
    """DOMAIN.md section 2 names five process certifications; every scoped item must exist and be scorable."""
    data = process_certifications()
    standard = library.standard(data.standard)
    scorable = {it.number for it in standard.scorable_items()}
    assert set(data.kinds) == set(ProcessCertificationKind)
    for kind in ProcessCertificationKind:
        scope = scope_for(kind, standard)
        assert scope and set(scope) <= scorable, kind
        assert len(scope) == len(set(scope))


def test_scopes_follow_the_item_titles() -> None:
    standard = library.standard(process_certifications().standard)
    titles = {n: standard.item(n).title for n in scope_for("workforce_management", standard)}
    assert "Forecasting and Capacity Planning" in titles.values()
    assert "Scheduling and Real Time Management" in titles.values()
    rht = [standard.item(n).title for n in scope_for("recruiting_hiring_training", standard)]
    assert "Recruiting and Hiring" in rht and "Skills Verification" in rht
    assert title_of("quality") == "Quality"


def test_scope_for_refuses_unknown_kind_and_other_standard() -> None:
    standard = library.standard(process_certifications().standard)
    with pytest.raises(NotFound, match="no process certification 'billing'; known: customer_satisfaction"):
        scope_for("billing", standard)
    with pytest.raises(CxcertError, match="declare the scope items explicitly"):
        scope_for("quality", load_test_standard())


def test_a_process_certification_decides_on_its_scope_only() -> None:
    rules = library.rule_set("copc-2000-founding")
    standard = library.standard(rules.standard.urn)
    scope = scope_for("workforce_management", standard)
    outside = next(it.number for it in standard.scorable_items() if it.number not in scope)
    a = assessment(standard, {outside: MINOR}).model_copy(update={"scope_items": scope})
    d = decide(a, standard, rules)
    assert d.decision_class == "Certified"
    assert d.scorable == len(scope)
    assert d.points_possible == sum(standard.item(n).points for n in scope)
    assert d.scope_items == scope


def test_resolve_scope_takes_kinds_and_items_in_standard_order() -> None:
    standard = library.standard(process_certifications().standard)
    cs = scope_for("customer_satisfaction", standard)
    assert resolve_scope(["customer_satisfaction"], standard) == cs
    mixed = resolve_scope(["4.1", " Quality ", "1.3"], standard)
    assert set(mixed) == {"4.1", *scope_for("quality", standard)}
    numbers = [it.number for it in standard.items()]
    assert list(mixed) == sorted(mixed, key=numbers.index)
    with pytest.raises(CxcertError, match=r"'9\.9' is neither a process certification \(customer_satisfaction"):
        resolve_scope(["9.9"], standard)
    with pytest.raises(CxcertError, match="declare the scope items explicitly"):
        resolve_scope(["quality"], load_test_standard())
    assert resolve_scope(["2.1"], load_test_standard()) == ("2.1",)


def test_kind_of_scope_names_a_packaged_scope_only_when_exact() -> None:
    standard = library.standard(process_certifications().standard)
    assert kind_of_scope(scope_for("sourcing", standard), standard) is ProcessCertificationKind.SOURCING
    assert kind_of_scope(("2.1", "2.5"), standard) is None
    assert kind_of_scope(("2.1",), load_test_standard()) is None
