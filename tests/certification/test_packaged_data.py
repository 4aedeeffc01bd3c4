"""The certification package's own YAML: valid as shipped, and errors that name the file, line and field."""

from __future__ import annotations

import pytest

from cxcert.certification.calendar import calendar_settings
from cxcert.certification.decision_policy import DecisionPolicy, Scaling, default_policy
from cxcert.certification.demo_scenario import demo_spec
from cxcert.certification.gap_closure import GapClosureAgenda, default_agenda
from cxcert.certification.process_certification import process_certifications
from cxcert.errors import ValidationFailed
from cxcert.standards.rule_set import FindingLevel
from cxcert.yaml_source import parse_model as parse_yaml


def test_packaged_files_load() -> None:
    policy = default_policy()
    assert policy.missing_finding_counts_as is FindingLevel.MAJOR
    assert policy.item_thresholds is Scaling.PROPORTIONAL
    assert calendar_settings().due_window_days >= 0
    assert default_agenda().topics
    assert process_certifications().kinds
    assert demo_spec().rule_set == "copc-2000-founding"


def test_field_error_names_file_line_and_field() -> None:
    text = (
        "source_note: x\nmissing_finding_counts_as: compliant\n"
        "item_thresholds: proportional\npoints_pass_mark: absolute\n"
    )
    with pytest.raises(ValidationFailed) as info:
        parse_yaml(text, DecisionPolicy, where="policy.yaml")
    assert str(info.value).startswith("policy.yaml: line 2, field missing_finding_counts_as:")
    assert "minor_deficiency or major_deficiency" in str(info.value)


def test_nested_error_points_at_the_entry() -> None:
    text = "source_note: x\ntopics:\n  - id: kcrps\n    title: A\n  - id: Bad Id\n    title: B\n"
    with pytest.raises(ValidationFailed, match=r"agenda\.yaml: line 5, field topics\.1\.id"):
        parse_yaml(text, GapClosureAgenda, where="agenda.yaml")


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_yaml("source_note: x\ntopics:\n  - [unclosed\n", GapClosureAgenda, where="agenda.yaml")
    assert str(info.value) == (
        "agenda.yaml: line 4: not valid YAML: expected ',' or ']', but got '<stream end>'"
        " (while parsing a flow sequence started on line 3)"
    )
