"""The packaged library: every document valid, the COPC-2000 numbers as DOMAIN.md states them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcert.errors import NotFound
from cxcert.standards import library
from cxcert.standards.loader import load_document, validate_file
from cxcert.standards.schema import CategoryRole, Standard

DATA = Path(library.__file__).parent / "data"
DOCUMENT_FILES = sorted(p for p in DATA.glob("*.yaml") if p.name != "metric_ids.yaml")


@pytest.mark.parametrize("path", DOCUMENT_FILES, ids=[p.stem for p in DOCUMENT_FILES])
def test_every_packaged_document_validates_without_warnings(path: Path) -> None:
    assert validate_file(path) == []
    assert load_document(path) is not None


def test_library_holds_what_issue_2_ships() -> None:
    urns = {s.key.urn for s in library.packaged_standards()}
    assert urns == {
        "urn:cxcert:standard:copc_cx_standard-csp-2000:1.0",
        "urn:cxcert:standard:copc_cx_standard-csp-7.0:1.0",
        "urn:cxcert:standard:iso_18295-1-clauses-2017:1.0",
    }
    assert {r.id for r in library.packaged_rule_sets()} == {"copc-2000-founding", "copc-7.0"}
    assert [c.id for c in library.crosswalks()] == ["crosswalk-iso18295-1-copc-2000"]


def _copc2000() -> Standard:
    return library.standard("copc-2000-csp")


def test_copc_2000_points_add_up_to_2000() -> None:
    """2000 points: the practitioner's scoring quoted in DOMAIN.md section 3."""
    std = _copc2000()
    assert std.total_points == 2000
    assert sum(item.points for item in std.items()) == 2000
    assert sum(c.points or 0 for c in std.categories) == 2000


def test_copc_2000_shape() -> None:
    """Four categories with the roles and titles of DOMAIN.md section 2; enough items for 27 to mean something."""
    std = _copc2000()
    assert [(c.number, c.title, c.role) for c in std.categories] == [
        ("1.0", "Leadership and Planning", CategoryRole.DRIVER),
        ("2.0", "Processes", CategoryRole.ENABLER),
        ("3.0", "People", CategoryRole.ENABLER),
        ("4.0", "Performance", CategoryRole.RESULT),
    ]
    assert len(std.scorable_items()) == 33
    assert any(not i.scorable for i in std.items())
    # Publicly visible titles (DOMAIN.md section 2).
    assert std.item("1.1").title == "Setting Direction"
    assert std.item("1.2").title == "Developing Business Plans"
    assert std.item("1.3").title == "Setting Targets"
    assert std.item("1.4").title == "Reviewing Business Performance"
    titles = {i.title for i in std.items()}
    assert {"Forecasting and Capacity Planning", "Scheduling and Real Time Management", "Managing Change"} <= titles
    assert {"Staff Attrition and Absenteeism", "Achieving Results", "Knowledge and Content Management"} <= titles
    assert all(i.summary_is_ours and i.full_text is None for i in std.items())


def test_performance_items_name_known_metrics() -> None:
    std = _copc2000()
    performance = next(c for c in std.categories if c.number == "4.0")
    metrics = {m.metric for item in performance.items for m in item.required_metrics}
    assert metrics <= library.known_metric_ids()
    assert {"service_level", "critical_error_accuracy_compliance", "csat_top_box", "attrition"} <= metrics
    others = [i for c in std.categories if c.number != "4.0" for i in c.items]
    assert not any(i.required_metrics for i in others)


def test_metric_ids_are_the_documented_catalogue() -> None:
    assert len(library.known_metric_ids()) == 29
    assert {"asa", "aht", "fcr", "nps", "forecast_accuracy", "cost_per_contact"} <= library.known_metric_ids()


def test_founding_rule_set_numbers() -> None:
    """DOMAIN.md section 3: 27 / 11 items, 1800 of 2000, six-month review, 12-month re-certification, 90 % exam."""
    rules = library.rule_set("copc-2000-founding")
    classes = rules.ordered_classes()
    assert [c.name for c in classes] == [
        "Certified",
        "Conditionally Certified",
        "Certification Candidate",
        "No Classification",
    ]
    certified, conditional, candidate, none = classes
    assert certified.min_compliant_items is None and certified.max_minor_deficiencies == 0 and certified.certifies
    assert conditional.min_compliant_items == 27 and conditional.max_major_deficiencies == 0 and conditional.certifies
    assert candidate.min_compliant_items == 11 and candidate.requires_management_commitment
    assert none.min_compliant_items == 0 and not none.certifies
    assert rules.points_view is not None and rules.points_view.pass_mark == 1800
    assert rules.coordinator_exam_pass_mark == 0.90
    assert rules.min_coordinators_per_location == 1
    assert rules.six_month_review_after_months == 6
    assert rules.recertification_interval_months == 12
    assert rules.application_update_before_audit_months == 2
    assert rules.gap_closure_call_interval_days == 14
    assert "OUR DEFAULT" in rules.source_note and rules.corrective_action_grace_days == 90
    assert rules.authority_for("us").authorises_decision == "lead_auditor"
    other = rules.authority_for("DE")
    assert (other.oversees, other.authorises_decision) == ("licensee", "headquarters")


def test_release_7_rule_set_recertifies_every_24_months() -> None:
    std = library.standard("copc-7.0-csp")
    rules = library.default_rule_set(std)
    assert rules.id == "copc-7.0"
    assert rules.recertification_interval_months == 24
    assert len(std.scorable_items()) >= 30
    assert sum(i.points for i in std.items()) == std.total_points


def test_iso_clause_structure() -> None:
    """Top-level clauses 4-9 and Annex A of ISO 18295-1:2017 (public table of contents)."""
    iso = library.standard("iso-18295-1-2017")
    assert [(c.number, c.title) for c in iso.categories] == [
        ("4", "Customer relationship"),
        ("5", "Customer-focused leadership"),
        ("6", "People"),
        ("7", "Operational processes"),
        ("8", "Service delivery infrastructure"),
        ("9", "Client relationship"),
        ("A", "Metrics guidance (informative)"),
    ]
    assert iso.item("4.3").title == "Measuring and monitoring of customer experience"


def test_crosswalk_resolves_every_link() -> None:
    cw = library.crosswalk("crosswalk-iso18295-1-copc-2000")
    source = library.standard(cw.source.urn)
    target = library.standard(cw.target.urn)
    for link in cw.links:
        source.item(link.source)
        target.item(link.target)
    mapped = {link.source for link in cw.links}
    assert mapped == {i.number for i in source.items()}, "every ISO clause maps to at least one item"


def test_lookups_by_urn_key_text_and_stem() -> None:
    by_stem = library.standard("copc-2000-csp")
    assert library.standard(by_stem.key.urn) is by_stem
    assert library.standard("COPC CX Standard/CSP/2000/1.0") is by_stem
    assert library.standard("URN:CXCERT:STANDARD:COPC_CX_STANDARD-CSP-2000:1.0") is by_stem
    assert library.default_rule_set(by_stem.key).id == "copc-2000-founding"


def test_not_found_lists_what_exists() -> None:
    with pytest.raises(NotFound, match="copc-2000-csp"):
        library.standard("copc-9")
    with pytest.raises(NotFound, match="copc-2000-founding"):
        library.rule_set("nope")
    with pytest.raises(NotFound, match="no packaged rule set for"):
        library.default_rule_set(library.standard("iso-18295-1-2017"))


def test_packaged_documents_are_cached() -> None:
    assert library.packaged_standards()[0] is library.packaged_standards()[0]
