"""Published form versions are frozen across processes: content hashes pinned in a file, checked at load.

The packaged pins ship in cxcert/quality/data/forms/published_hashes.yaml; a user's published forms
(CXCERT_HOME/forms/, --forms-dir) are pinned the first time cxcert loads them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from cli.runner import invoke, ok_json, user_error
from cxcert.quality.form_loader import PINS_FILE, packaged_sourced_forms, parse_form
from cxcert.quality.form_pins import SourcedForm, new_pins, parse_pins, pin_issues, pins_text

from .test_form import GOOD

PUBLISHED = GOOD.replace("status: draft", "status: published\npublished_on: 2026-02-01")
FORMS = resources.files("cxcert.quality").joinpath("data", "forms")


def _packaged_pins() -> dict[tuple[str, int], str]:
    return parse_pins(FORMS.joinpath(PINS_FILE).read_text(encoding="utf-8"), PINS_FILE)


def test_every_packaged_published_form_matches_its_shipped_pin() -> None:
    forms = packaged_sourced_forms()
    pins = _packaged_pins()
    assert {s.form.key for s in forms if s.form.status == "published"} == set(pins)
    assert all(pins[s.form.key] == s.form.content_hash() for s in forms)


def test_a_packaged_form_edited_in_place_is_refused() -> None:
    """What loading does when a published YAML is changed in place: the hash no longer matches its pin."""
    name = "voice_customer_service.v1.yaml"
    text = FORMS.joinpath(name).read_text(encoding="utf-8")
    edited = parse_form(text.replace("points: 20", "points: 25"), name)
    issues = pin_issues([SourcedForm(edited, name)], _packaged_pins(), PINS_FILE, complete=True)
    messages = [str(i) for i in issues]
    assert any("voice_customer_service.v1.yaml" in m and "form voice_cs v1 was changed after it was published" in m
               and "publish the change as version 2" in m for m in messages)  # fmt: skip
    # the other pinned versions have no file in this list: a published version is never removed
    assert any("form voice_cs v2 is pinned but no form file holds it" in m for m in messages)
    # comments and layout are not content: the same grid reformatted keeps its hash
    same = parse_form("# a comment\n" + text.replace("weight: 1\n", "weight: 1.0\n"), "voice_customer_service.v1.yaml")
    assert same.content_hash() == _packaged_pins()[("voice_cs", 1)]


def test_a_published_form_without_a_pin_and_pin_files_round_trip() -> None:
    form = parse_form(PUBLISHED, "tiny.yaml")
    [issue] = pin_issues([SourcedForm(form, "tiny.yaml")], {}, PINS_FILE, complete=True)
    assert "is published but its hash is not pinned" in str(issue) and form.content_hash() in str(issue)
    pins = new_pins([SourcedForm(form, "tiny.yaml")], {})
    assert parse_pins(pins_text(pins, "header"), "pins.yaml") == pins == {("tiny", 1): form.content_hash()}
    assert new_pins([SourcedForm(parse_form(GOOD, "tiny.yaml"), "tiny.yaml")], {}) == {}  # drafts are not pinned
    with pytest.raises(Exception, match="not a SHA-256"):
        parse_pins("forms:\n  tiny:\n    1: abc\n", "pins.yaml")


def test_user_forms_beside_the_packaged_ones_are_pinned_on_first_sight(tmp_path: Path) -> None:
    home = tmp_path / "home"
    mine = home / "forms"
    mine.mkdir(parents=True)
    (mine / "tiny.v1.yaml").write_text(PUBLISHED)
    listed = ok_json(invoke("qa", "forms", "list", "--json", home=home))
    tiny = next(f for f in listed if f["id"] == "tiny")
    assert tiny["source"] == str(mine / "tiny.v1.yaml")
    assert next(f for f in listed if f["id"] == "voice_cs")["source"] == "packaged"
    pinned = parse_pins((mine / PINS_FILE).read_text(), "pins")
    assert pinned == {("tiny", 1): tiny["hash"]}
    (mine / "tiny.v1.yaml").write_text(PUBLISHED.replace("points: 5", "points: 6"))
    line = user_error(invoke("qa", "forms", "show", "tiny", home=home))
    assert "tiny.v1.yaml" in line and "form tiny v1 was changed after it was published" in line
    # A draft may change as often as needed; it is pinned once published.
    (mine / "tiny.v1.yaml").write_text(PUBLISHED)
    (mine / "tiny.v2.yaml").write_text(GOOD.replace("version: 1", "version: 2"))
    assert ok_json(invoke("qa", "forms", "show", "tiny", "--version", "2", "--json", home=home))["status"] == "draft"
    assert set(parse_pins((mine / PINS_FILE).read_text(), "pins")) == {("tiny", 1)}


def test_forms_dir_errors_name_the_file_and_line_and_packaged_versions_cannot_be_redefined(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ours = tmp_path / "ours"
    ours.mkdir()
    typo = GOOD.replace("section: main\n    text: Verifies", "section: mian\n    text: Verifies")
    (ours / "broken.yaml").write_text(typo)
    line = user_error(invoke("qa", "forms", "list", "--forms-dir", str(ours), home=home))
    assert f"{ours / 'broken.yaml'}:" in line and "unknown section 'mian'" in line
    (ours / "broken.yaml").unlink()
    voice = FORMS.joinpath("voice_customer_service.v1.yaml").read_text(encoding="utf-8")
    (ours / "voice.yaml").write_text(voice.replace("points: 20", "points: 25"))
    assert "frozen" in user_error(invoke("qa", "forms", "list", "--forms-dir", str(ours), home=home))
    assert not (home / "forms" / PINS_FILE).exists()  # a refused form is not pinned
    assert "no such folder" in user_error(invoke("qa", "forms", "list", "--forms-dir", str(tmp_path / "x"), home=home))


def test_evaluations_on_a_user_form_pin_its_id_and_version(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "tiny.yaml").write_text(PUBLISHED)
    out = ok_json(invoke("qa", "evaluate", "--form", "tiny", "--version", "1", "--agent", "a1", "--evaluator", "q1",
                         "--contact", "c1", "--result", "greet=pass", "--result", "verify=fail", "--at",
                         "2026-03-02T10:00:00Z", "--forms-dir", str(ours), "--entity", "site", "--program", "care",
                         "--json", home=home))  # fmt: skip
    assert (out["form_id"], out["form_version"], out["score"]["score"]) == ("tiny", 1, 0.0)
    assert set(parse_pins((home / "forms" / PINS_FILE).read_text(), "pins")) == {("tiny", 1)}  # pinned when used
    assert "not found" in user_error(invoke("qa", "forms", "show", "tiny", "--version", "1", home=tmp_path / "other"))
