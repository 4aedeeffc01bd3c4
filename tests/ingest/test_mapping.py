"""Mapping-file errors name the file, the line and the field (lines counted by hand in the YAML below)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcert.errors import ValidationFailed
from cxcert.ingest.mapping import load_mapping

GOOD = """\
columns:
  contact_id: id
  queue: q
  channel: {const: voice}
  direction: {const: inbound}
  arrived_at: start
  abandoned: ab
codes:
  abandoned: {yes: true, no: false}
"""


def _load(tmp_path: Path, text: str, table: str = "contacts") -> str:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_mapping(path, table)
    return str(caught.value)


def test_good_mapping_keeps_code_text(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(GOOD, encoding="utf-8")
    spec = load_mapping(path, "contacts").spec
    # YAML 1.1 would read the keys yes/no as booleans; the mapping keeps the text the data holds.
    assert spec.codes == {"abandoned": {"yes": True, "no": False}}
    assert spec.source_columns()["arrived_at"] == "start"


def test_unknown_target_column_points_at_its_line(tmp_path: Path) -> None:
    message = _load(tmp_path, GOOD.replace("  queue: q\n", "  queue: q\n  colour: c\n"))
    assert message == f"{tmp_path / 'map.yaml'}:4: columns.colour: contacts has no column 'colour'"


def test_bad_time_zone_points_at_its_line(tmp_path: Path) -> None:
    message = _load(tmp_path, GOOD + "timezone: Mars/Olympus\n")
    assert message.startswith(f"{tmp_path / 'map.yaml'}:10: timezone:")
    assert "unknown time zone 'Mars/Olympus'" in message


def test_unmapped_required_column(tmp_path: Path) -> None:
    message = _load(tmp_path, GOOD.replace("  arrived_at: start\n", ""))
    assert message == f"{tmp_path / 'map.yaml'}:1: columns: required column 'arrived_at' of contacts is not mapped"


def test_unknown_key_and_yaml_syntax(tmp_path: Path) -> None:
    assert _load(tmp_path, GOOD + "delimeter: ';'\n").startswith(f"{tmp_path / 'map.yaml'}:10: delimeter: Extra")
    assert _load(tmp_path, "columns:\n  a: [b\n").startswith(f"{tmp_path / 'map.yaml'}:3: not valid YAML")


def test_code_map_for_an_unmapped_column_and_wrong_kind(tmp_path: Path) -> None:
    message = _load(tmp_path, GOOD + "  transferred: {Y: true}\n")
    assert message == f"{tmp_path / 'map.yaml'}:10: codes.transferred: 'transferred' is not a mapped column"
    assert _load(tmp_path, "kind: surveys\n" + GOOD).startswith(f"{tmp_path / 'map.yaml'}:1: kind:")


def test_every_issue_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(GOOD.replace("  queue: q\n", "  colour: c\n"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_mapping(path, "contacts")
    assert len(caught.value.issues) == 2  # the unknown column and the now unmapped queue
