"""Line-keeping YAML and the YAML writer."""

from __future__ import annotations

from cxcert.standards import library
from cxcert.standards.dump import dump_yaml
from cxcert.standards.marked_yaml import load_marked
from cxcert.standards.parsing import Document, parse_text

TEXT = """\
kind: standard
key:
  family: F
items:
  - number: "1.1"
    points: 5
  - {number: "1.2", points: 6}
"""


def test_source_map_keeps_key_and_entry_lines() -> None:
    marked = load_marked(TEXT, "t.yaml")
    assert marked.issues == ()
    lines = {path: loc.line for path, loc in marked.source_map.locations.items()}
    assert lines[("key",)] == 2  # the key's line, though its value starts on line 3
    assert lines[("key", "family")] == 3
    assert lines[("items", 0)] == 5
    assert lines[("items", 0, "points")] == 6
    assert lines[("items", 1, "points")] == 7
    # A missing field is located at its nearest ancestor.
    located = marked.source_map.locate(("items", 1, "title"))
    assert located is not None and located.line == 7


def test_dates_and_numbers_are_typed_like_yaml() -> None:
    marked = load_marked("a: 2020-01-02\nb: 3\nc: '3'\n", "t.yaml")
    assert isinstance(marked.data, dict)
    assert str(marked.data["a"]) == "2020-01-02" and marked.data["b"] == 3 and marked.data["c"] == "3"


def test_empty_file_is_an_issue() -> None:
    result = parse_text("", "empty.yaml")
    assert result.parsed is None
    assert [str(i) for i in result.issues] == ["empty.yaml:1: (document): the file is empty"]


def test_every_packaged_document_survives_dump_and_load() -> None:
    docs: list[Document] = [*library.packaged_standards(), *library.packaged_rule_sets(), *library.crosswalks()]
    for doc in docs:
        result = parse_text(dump_yaml(doc), "dumped.yaml")
        assert result.issues == ()
        assert result.parsed is not None and result.parsed.document == doc
