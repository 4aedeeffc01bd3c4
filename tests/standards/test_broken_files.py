"""One broken fixture per kind of mistake, run as a table (the OpenFisca habit).

Each file in ``broken/`` starts with ``# expect: line=N field=PATH``: the oracle is that hand-counted line and
field path; the test asserts the error message names the file, that line and that field.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxcert.errors import ValidationFailed
from cxcert.standards.issues import DocumentInvalid, Level
from cxcert.standards.loader import load_document, validate_file

BROKEN = Path(__file__).parent / "broken"
EXPECT = re.compile(r"^# expect: line=(\d+) field=(\S+)$")
FIXTURES = sorted(BROKEN.glob("*.yaml"))

# The kinds of mistakes issue 2 names; each must have its fixture.
REQUIRED_KINDS = {
    "bad_yaml",
    "missing_field",
    "duplicate_item_number",
    "points_not_adding_up",
    "unknown_metric",
    "crosswalk_to_missing_item",
}


def _expectation(path: Path) -> tuple[int, str]:
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} must start with '# expect: line=N field=PATH'"
    return int(match.group(1)), match.group(2)


def test_every_required_kind_has_a_fixture() -> None:
    assert {p.stem for p in FIXTURES} >= REQUIRED_KINDS


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_broken_file_is_rejected_at_its_line_and_field(path: Path) -> None:
    line, field = _expectation(path)
    issues = validate_file(path)
    errors = [i for i in issues if i.level is Level.ERROR]
    assert errors, f"{path.name} should be invalid"
    rendered = [str(i) for i in errors]
    assert f"{path}:{line}: {field}: " in "\n".join(rendered), rendered


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_load_document_raises_with_every_issue(path: Path) -> None:
    line, field = _expectation(path)
    with pytest.raises(ValidationFailed) as caught:
        load_document(path)
    assert isinstance(caught.value, DocumentInvalid)
    assert any(i.startswith(f"{path}:{line}: {field}: ") for i in caught.value.issues)
    assert caught.value.details and all(d.file == str(path) for d in caught.value.details)


def test_missing_file_is_an_issue_not_a_traceback(tmp_path: Path) -> None:
    issues = validate_file(tmp_path / "nope.yaml")
    assert len(issues) == 1
    assert issues[0].field == "(file)"
    assert "cannot read" in issues[0].message


def test_crosswalk_resolves_a_standard_given_alongside(tmp_path: Path) -> None:
    """A user's own standard next to a crosswalk that refers to it: links resolve against the file."""
    standard = tmp_path / "mine.yaml"
    standard.write_text(
        "kind: standard\n"
        "key: {family: Mine, variant: CSP, release: '1', document_version: '1.0'}\n"
        "title: Mine\npublished: 2024-01-01\ntotal_points: 10\nsource_note: ours\n"
        "categories:\n"
        "  - {number: '1.0', title: L, role: driver, items: [{number: '1.1', title: T, summary: s, points: 10}]}\n",
        encoding="utf-8",
    )
    crosswalk = tmp_path / "cw.yaml"
    crosswalk.write_text(
        "kind: crosswalk\n"
        "source: {family: Mine, variant: CSP, release: '1', document_version: '1.0'}\n"
        "target: {family: COPC CX Standard, variant: CSP, release: '2000', document_version: '1.0'}\n"
        "links:\n  - {source: '1.1', target: '1.1'}\n  - {source: '1.2', target: '1.1'}\n",
        encoding="utf-8",
    )
    alone = [str(i) for i in validate_file(crosswalk)]
    assert f"{crosswalk}:2: source: source standard urn:cxcert:standard:mine-csp-1:1.0 is not packaged" in alone[0]
    together = [str(i) for i in validate_file(crosswalk, alongside=[standard])]
    assert together == [
        f"{crosswalk}:6: links[1].source: source '1.2' is not an item of urn:cxcert:standard:mine-csp-1:1.0"
    ]
