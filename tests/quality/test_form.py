"""QA forms: packaged forms load, published versions are frozen, errors name the file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cxcert.errors import NotFound
from cxcert.quality.form import ErrorClass, FatalRule, FormStatus, QaForm
from cxcert.quality.form_loader import load_form_file, packaged_forms, parse_form
from cxcert.quality.form_registry import FormFrozen, FormRegistry
from cxcert.standards.issues import DocumentInvalid

GOOD = """\
id: tiny
version: 1
title: Tiny form
status: draft
sections:
  - id: main
    title: Main
parameters:
  - id: greet
    section: main
    text: Greets the customer.
    points: 5
    error_class: non_critical
  - id: verify
    section: main
    text: Verifies identity.
    points: 10
    error_class: compliance_critical
    fatal: zero_evaluation
    rationale: Data protection.
"""


def test_packaged_forms_load_and_v2_reweights_v1() -> None:
    forms = {f.key: f for f in packaged_forms()}
    v1, v2 = forms[("voice_cs", 1)], forms[("voice_cs", 2)]
    assert v1.status is FormStatus.PUBLISHED and v2.status is FormStatus.PUBLISHED
    assert v1.section("resolution").weight == 2 and v2.section("resolution").weight == 3
    assert v2.parameter("correct_account_action").fatal is FatalRule.ZERO_SECTION
    assert v1.content_hash() != v2.content_hash()
    # every critical parameter carries the rationale auditors ask for
    assert all(p.rationale for p in v1.parameters if p.error_class.critical)


def test_published_form_is_frozen() -> None:
    registry = FormRegistry.packaged()
    v1 = registry.get("voice_cs", 1)
    assert registry.register(v1) is v1  # identical content: accepted, no change
    changed = v1.model_copy(update={"title": "Voice CS (edited)"})
    with pytest.raises(FormFrozen, match="publish the change as version 3"):
        registry.register(changed)
    assert registry.get("voice_cs", 1).title == "Voice customer service"


def test_draft_may_change_then_freezes_once_published() -> None:
    draft = parse_form(GOOD, "tiny.yaml")
    registry = FormRegistry([draft])
    edited = draft.model_copy(update={"title": "Tiny form, edited"})
    assert registry.register(edited).title == "Tiny form, edited"
    published = edited.model_copy(update={"status": FormStatus.PUBLISHED, "published_on": dt.date(2026, 3, 1)})
    registry.register(published)
    with pytest.raises(FormFrozen):
        registry.register(published.model_copy(update={"title": "again"}))
    assert registry.latest("tiny").key == ("tiny", 1)


def test_unknown_version_names_existing_ones() -> None:
    with pytest.raises(NotFound, match=r"voice_cs v9 not found \(versions 1, 2\)"):
        FormRegistry.packaged().get("voice_cs", 9)


def test_unknown_section_is_reported_at_its_line() -> None:
    text = GOOD.replace("    section: main\n    text: Verifies", "    section: mian\n    text: Verifies")
    with pytest.raises(DocumentInvalid) as info:
        parse_form(text, "tiny.yaml")
    assert info.value.issues[0].startswith("tiny.yaml:15: parameters[1].section: unknown section 'mian'")


def test_fatal_needs_a_critical_class_and_critical_needs_a_rationale() -> None:
    text = GOOD.replace("    error_class: non_critical\n", "    error_class: non_critical\n    fatal: zero_section\n")
    text = text.replace("    rationale: Data protection.\n", "")
    with pytest.raises(DocumentInvalid) as info:
        parse_form(text, "tiny.yaml")
    messages = "\n".join(info.value.issues)
    assert "tiny.yaml:14: parameters[0].fatal: a fatal parameter must be classed critical" in messages
    assert "parameters[1].rationale" in messages and "needs a rationale" in messages


def test_schema_errors_point_at_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        GOOD.replace("points: 10", "points: -10").replace("error_class: non_critical", "error_class: minor")
    )
    with pytest.raises(DocumentInvalid) as info:
        load_form_file(path)
    messages = "\n".join(info.value.issues)
    assert f"{path}:13: parameters[0].error_class" in messages
    assert f"{path}:17: parameters[1].points" in messages


def test_published_needs_a_date() -> None:
    with pytest.raises(DocumentInvalid, match="published_on"):
        parse_form(GOOD.replace("status: draft", "status: published"), "tiny.yaml")


def test_error_classes_follow_the_canonical_tables() -> None:
    from cxcert.canonical import ERROR_CLASSES

    assert tuple(str(c) for c in ErrorClass) == ERROR_CLASSES
    form: QaForm = parse_form(GOOD, "tiny.yaml")
    assert form.parameter("verify").error_class.critical and not form.parameter("greet").error_class.critical
