"""`cxcert targets set|list|import|export`: dated targets stored per entity in the workspace, validated.

Oracles: the dated values typed in (a value holds from its date until the next), the file's own line numbers,
and the round trip export -> import leaving the stored targets unchanged.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from .runner import invoke, ok_json, user_error

ENTITY = "acme-care"


@pytest.fixture()
def home(workspace: Path, tmp_path: Path) -> Path:
    """The workspace with a second entity whose client runs the programs retail and cards."""
    file = tmp_path / "globex.yaml"
    file.write_text(
        "organisation: {id: globex, name: Globex, country: US}\n"
        "entity:\n"
        "  id: globex-help\n"
        "  organisation_id: globex\n"
        "  name: Globex Help Desk\n"
        "  standard_urn: copc-2000-csp\n"
        "  rule_set_id: copc-2000-founding\n"
        "  locations:\n"
        "    - {id: nyc, name: New York, country: US, time_zone: America/New_York}\n"
        "  clients:\n"
        "    - {id: bank, name: A Bank, programs: [retail, cards]}\n",
        encoding="utf-8",
    )
    ok_json(invoke("entity", "create", "--from-file", str(file), "--json", home=workspace))
    return workspace


def _set(home: Path, *args: str) -> dict:  # type: ignore[type-arg]
    command = ("targets", "set", "--entity", ENTITY, "--metric", "service_level", *args, "--json")
    return ok_json(invoke(*command, home=home))  # type: ignore[no-any-return]


def test_set_builds_a_dated_history_and_list_shows_what_is_in_force(home: Path) -> None:
    first = _set(home, "--value", "0.80", "--from", "2025-01-01", "--kind", "client_sla",
                 "--benchmark", "voice 80/20 convention", "--source", "contract A")  # fmt: skip
    assert [(t["value"], t["valid_from"], t["valid_until"]) for t in first["history"]] == [(0.8, "2025-01-01", None)]
    second = _set(home, "--value", "0.85", "--from", "2025-07-01", "--benchmark", "contract A, 2025 amendment")
    assert [(t["value"], t["kind"], t["benchmark"], t["source"], t["valid_until"]) for t in second["history"]] == [
        (0.8, "client_sla", "voice 80/20 convention", "contract A", "2025-07-01"),
        (0.85, "client_sla", "contract A, 2025 amendment", "contract A", None),  # kind and source carried over
    ]
    path = Path(second["file"])
    assert path == home / "targets" / f"{ENTITY}.yaml"
    assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044  # readable like any report, not mkstemp's 0600
    june = ok_json(invoke("targets", "list", "--entity", ENTITY, "--on", "2025-06-30", "--json", home=home))
    july = ok_json(invoke("targets", "list", "--entity", ENTITY, "--on", "2025-07-01", "--json", home=home))
    assert [t["value"] for t in june["in_force"]] == [0.8]
    assert [t["value"] for t in july["in_force"]] == [0.85]
    assert len(july["history"]) == 2
    text = invoke("targets", "list", "--entity", ENTITY, "--on", "2025-07-01", home=home)
    assert text.returncode == 0 and "contract A, 2025 amendment" in text.stdout


def test_set_refuses_percent_shares_unknown_metrics_and_programs(home: Path) -> None:
    line = user_error(invoke("targets", "set", "--entity", ENTITY, "--metric", "service_level", "--value", "80",
                             "--from", "2025-01-01", "--benchmark", "x80/20", home=home))  # fmt: skip
    assert "--value" in line and "not 80" in line and "write 0.80" in line
    line = user_error(invoke("targets", "set", "--entity", ENTITY, "--metric", "sla", "--value", "0.8",
                             "--from", "2025-01-01", home=home))  # fmt: skip
    assert "unknown metric 'sla'" in line
    line = user_error(invoke("targets", "set", "--entity", "globex-help", "--metric", "asa", "--program", "loans",
                             "--value", "30", "--from", "2025-01-01", "--benchmark", "plan", home=home))  # fmt: skip
    assert "unknown program 'loans'" in line and "cards, retail" in line
    assert "--benchmark" in user_error(invoke("targets", "set", "--entity", ENTITY, "--metric", "asa", "--value", "30",
                                              "--from", "2025-01-01", home=home))  # fmt: skip
    assert "no entity" in user_error(invoke("targets", "list", "--entity", "nobody", home=home))


def test_list_without_targets_says_the_examples_apply(home: Path) -> None:
    payload = ok_json(invoke("targets", "list", "--entity", ENTITY, "--json", home=home))
    assert payload["stored"] is False and "packaged examples" in payload["note"]
    assert "no stored targets" in user_error(invoke("targets", "export", "--entity", ENTITY, home=home))


def test_import_checks_every_entry_with_its_line_and_export_round_trips(home: Path, tmp_path: Path) -> None:
    good = tmp_path / "globex-targets.yaml"
    good.write_text(
        "targets:\n"
        "  - metric: service_level\n"
        "    program: retail\n"
        "    kind: client_sla\n"
        "    benchmark: bank contract, schedule B\n"
        "    values: {2025-01-01: 0.80, 2025-07-01: 0.85}\n"
        "  - {metric: asa, kind: internal, benchmark: plan 2025, values: {2025-01-01: 30}}\n",
        encoding="utf-8",
    )
    report = ok_json(invoke("targets", "import", str(good), "--entity", "globex-help", "--json", home=home))
    assert report["entities"] == {"globex-help": {"entries": 2, "new": 2, "replaced": 0, "unchanged": 0}}
    again = ok_json(invoke("targets", "import", str(good), "--entity", "globex-help", "--json", home=home))
    assert again["entities"]["globex-help"]["unchanged"] == 2
    # Export, import the export: nothing changes.
    exported = tmp_path / "export.yaml"
    ok_json(invoke("targets", "export", "--entity", "globex-help", "--out", str(exported), "--json", home=home))
    assert "entity: globex-help" in exported.read_text()
    back = ok_json(invoke("targets", "import", str(exported), "--json", home=home))
    assert back["entities"]["globex-help"] == {"entries": 2, "new": 0, "replaced": 0, "unchanged": 2}
    printed = invoke("targets", "export", "--entity", "globex-help", home=home)
    assert printed.returncode == 0 and printed.stdout == exported.read_text()
    # Mistakes are refused with the file's line, and nothing is stored.
    bad_program = tmp_path / "bad-program.yaml"
    bad_program.write_text(good.read_text().replace("program: retail", "program: loans"), encoding="utf-8")
    line = user_error(invoke("targets", "import", str(bad_program), "--entity", "globex-help", home=home))
    assert line.startswith(f"error: {bad_program}: line 3, field targets.0.program: unknown program 'loans'")
    percent = tmp_path / "percent.yaml"
    percent.write_text(good.read_text().replace("0.85", "85"), encoding="utf-8")
    line = user_error(invoke("targets", "import", str(percent), "--entity", "globex-help", home=home))
    assert "line 6, field targets.0.values" in line and "write 0.85" in line
    unknown_metric = tmp_path / "metric.yaml"
    unknown_metric.write_text(good.read_text().replace("metric: asa", "metric: speed"), encoding="utf-8")
    line = user_error(invoke("targets", "import", str(unknown_metric), "--entity", "globex-help", home=home))
    assert "line 7, field targets.1.metric" in line and "unknown metric 'speed'" in line
    line = user_error(invoke("targets", "import", str(good), home=home))
    assert "line 2, field targets.0.entity: name the entity" in line
    other = user_error(invoke("targets", "import", str(exported), "--entity", ENTITY, home=home))
    assert "the entry names globex-help, but --entity is acme-care" in other
    listed = ok_json(invoke("targets", "list", "--entity", "globex-help", "--on", "2025-07-01", "--json", home=home))
    assert sorted((t["metric"], t["value"]) for t in listed["in_force"]) == [("asa", 30), ("service_level", 0.85)]


def test_a_hand_edited_file_is_validated_on_read(home: Path) -> None:
    _set(home, "--value", "0.80", "--from", "2025-01-01", "--benchmark", "voice 80/20")
    path = home / "targets" / f"{ENTITY}.yaml"
    path.write_text(path.read_text().replace("0.8", "80"), encoding="utf-8")
    line = user_error(invoke("targets", "list", "--entity", ENTITY, home=home))
    assert str(path) in line and "write 0.80" in line
