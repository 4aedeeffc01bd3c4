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


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    """YAML would silently keep the last ``agent_id``; the mapping names both lines instead."""
    message = _load(tmp_path, GOOD.replace("  queue: q\n", "  queue: q\n  agent_id: agent\n  agent_id: login\n"))
    assert message == f"{tmp_path / 'map.yaml'}:5: columns.agent_id: duplicate key 'agent_id' (first given on line 4)"
    codes = _load(tmp_path, GOOD.replace("{yes: true, no: false}", '{"Y": true, Y: false}'))
    assert codes == f"{tmp_path / 'map.yaml'}:9: codes.abandoned.Y: duplicate key 'Y' (first given on line 9)"


@pytest.mark.parametrize(
    ("extra", "line", "field", "problem"),
    [
        ('time_format: "%d/%m/%Y %H:%Q"\n', 10, "time_format", "%Q in '%d/%m/%Y %H:%Q' cannot be read"),
        ('time_format: "%Y-%j"\n', 10, "time_format", "%j in '%Y-%j' cannot be read"),
        ("time_format: today\n", 10, "time_format", "'today' has no %-directive"),
        ('time_formats: {arrived_at: "%d/%m/%Y %"}\n', 10, "time_formats.arrived_at", "'%d/%m/%Y %' ends with"),
    ],
)
def test_a_time_format_that_cannot_read_times_is_refused(
    tmp_path: Path, extra: str, line: int, field: str, problem: str
) -> None:
    """Before, `%Q` loaded fine and then quarantined every row (Arrow's strptime reads no %Q)."""
    message = _load(tmp_path, GOOD + extra)
    assert message.startswith(f"{tmp_path / 'map.yaml'}:{line}: {field}: {problem}")


def test_readable_time_formats_load(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(GOOD + 'time_format: "%d %b %Y %I:%M:%S %p %z"\ntime_formats: {arrived_at: "%F %T"}\n')
    spec = load_mapping(path, "contacts").spec
    assert spec.format_of("arrived_at") == "%F %T" and spec.format_of("answered_at") == "%d %b %Y %I:%M:%S %p %z"
