"""Every entry point that reads a user's YAML, given each hostile file: exit 2 and one line naming the file.

Without the limits the billion laughs takes minutes and gigabytes (the standards reader expands every alias),
the deep file raises RecursionError in PyYAML's composer, a ``!!python/object`` tag or a control byte raises
from places that expected neither. Nothing here is timed: each file is small, and would hang or crash the
reader if a limit were missing.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from cli.runner import invoke, ok_json, user_error

from .hostile_files import YAML_CASES, billion_laughs, write

ENTITY = "acme-care"


def _demo_form(home: Path) -> None:
    """A valid form of the user's own in CXCERT_HOME/forms, so that the pins beside it are read."""
    text = resources.files("cxcert.quality").joinpath("data", "forms", "cxcert-demo-form.v1.yaml").read_text()
    write(home / "forms" / "mine.v1.yaml", text.replace("id: cxcert-demo-form", "id: mine-form", 1).encode())


@dataclass(frozen=True)
class EntryPoint:
    kind: str  # the file's kind in limits.yaml
    place: Callable[[Path, Path], Path]  # (home, tmp) -> where the user's file goes
    run: Callable[[Path, Path, Path], subprocess.CompletedProcess[str]]  # (home, tmp, file) -> the command's result
    prepare: Callable[[Path], None] = lambda home: None


def _ingest_with_mapping(home: Path, tmp: Path, file: Path) -> subprocess.CompletedProcess[str]:
    csv = write(tmp / "calls.csv", b"id,start\nc1,2026-01-05T09:00:00Z\n")
    return invoke("ingest", "contacts", str(csv), "--entity", ENTITY, "--format", "csv", "--mapping", str(file),
                  home=home)  # fmt: skip


ENTRY_POINTS = {
    "standard validate": EntryPoint(
        "standard", lambda home, tmp: tmp / "my-standard.yaml",
        lambda home, tmp, f: invoke("standard", "validate", str(f), home=home)),
    "targets import": EntryPoint(
        "targets", lambda home, tmp: tmp / "acme-targets.yaml",
        lambda home, tmp, f: invoke("targets", "import", str(f), "--entity", ENTITY, home=home)),
    "stored targets": EntryPoint(
        "targets", lambda home, tmp: home / "targets" / f"{ENTITY}.yaml",
        lambda home, tmp, f: invoke("targets", "list", "--entity", ENTITY, home=home)),
    "targets option": EntryPoint(
        "targets", lambda home, tmp: tmp / "shared-targets.yaml",
        lambda home, tmp, f: invoke("alerts", "list", "--entity", ENTITY, "--targets", str(f), home=home)),
    "entity file": EntryPoint(
        "entity", lambda home, tmp: tmp / "entity.yaml",
        lambda home, tmp, f: invoke("entity", "create", "--from-file", str(f), home=home)),
    "entity edit": EntryPoint(
        "entity", lambda home, tmp: tmp / "edit.yaml",
        lambda home, tmp, f: invoke("entity", "edit", ENTITY, "--from-file", str(f), home=home)),
    "ingest mapping": EntryPoint("mapping", lambda home, tmp: tmp / "acd.yaml", _ingest_with_mapping),
    "generator profile": EntryPoint(
        "profile", lambda home, tmp: tmp / "centre.yaml",
        lambda home, tmp, f: invoke("generate", "--profile", str(f), "--out", str(tmp / "out"), home=home)),
    "QA forms folder": EntryPoint(
        "form", lambda home, tmp: home / "forms" / "dropped.yaml",
        lambda home, tmp, f: invoke("qa", "forms", "list", home=home)),
    "QA form pins": EntryPoint(
        "pins", lambda home, tmp: home / "forms" / "published_hashes.yaml",
        lambda home, tmp, f: invoke("qa", "forms", "list", home=home), prepare=_demo_form),
    "kpis.yaml": EntryPoint(
        "kpis", lambda home, tmp: home / "kpis.yaml", lambda home, tmp, f: invoke("kpi", "list", home=home)),
    "feedback overrides": EntryPoint(
        "feedback", lambda home, tmp: home / "quality" / "feedback_rules.yaml",
        lambda home, tmp, f: invoke("qa", "coaching", "list", "--entity", ENTITY, home=home)),
}  # fmt: skip

# An empty pins file is no pins (cxcert writes it so when none are published yet).
_ACCEPTED = {("QA form pins", "empty")}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_hostile_yaml_is_one_line_naming_the_file(entry: str, case: str, workspace: Path, tmp_path: Path) -> None:
    point = ENTRY_POINTS[entry]
    build, words = YAML_CASES[case]
    point.prepare(workspace)
    file = write(point.place(workspace, tmp_path), build())
    result = point.run(workspace, tmp_path, file)
    if (entry, case) in _ACCEPTED:
        assert result.returncode == 0, result.stderr
        return
    line = user_error(result)
    assert file.name in line
    if words is not None:
        assert words in line


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_a_file_over_its_kinds_size_limit_is_refused_before_it_is_parsed(
    entry: str, workspace: Path, tmp_path: Path
) -> None:
    """The workspace lowers the kind's limit to 1 KiB; a 2 KiB file (a valid YAML comment) is refused for its
    size, not for its content."""
    point = ENTRY_POINTS[entry]
    write(workspace / "limits.yaml", f"yaml:\n  max_bytes:\n    {point.kind}: 1 KiB\n".encode())
    point.prepare(workspace)
    file = write(point.place(workspace, tmp_path), b"# " + b"x" * 2046 + b"\n")
    line = user_error(point.run(workspace, tmp_path, file))
    assert file.name in line and f"yaml.max_bytes.{point.kind}" in line and "1 KiB" in line


def test_a_60_mb_targets_file_is_refused_by_its_size(workspace: Path, tmp_path: Path) -> None:
    """Over the packaged 4 MiB: refused from the first 4 MiB + 1 bytes read (oracle: limits.yaml), not parsed."""
    entry = '  - {metric: service_level, entity: acme-care, program: care, kind: client_sla, benchmark: x}\n'
    file = write(tmp_path / "big.yaml", b"targets:\n" + entry.encode() * (60_000_000 // len(entry)))
    line = user_error(invoke("targets", "import", str(file), "--entity", ENTITY, home=workspace))
    assert line == f"error: {file}: larger than the 4 MiB allowed for a targets file (limit yaml.max_bytes.targets " \
                   "in limits.yaml)"


def test_laughs_in_the_forms_folder_refuse_the_evaluations_ingest_with_its_name(
    workspace: Path, tmp_path: Path
) -> None:
    """The issue's case: dropped into CXCERT_HOME/forms, it made every evaluations ingest die of MemoryError."""
    write(workspace / "forms" / "laughs.yaml", billion_laughs())
    csv = write(tmp_path / "evaluations.csv", b"evaluation_id\nev-1\n")
    line = user_error(invoke("ingest", "evaluations", str(csv), "--entity", ENTITY, "--format", "csv",
                             home=workspace))  # fmt: skip
    # Oracle: lines 1-5 stand for 10 + 100 + ... + 10^5 = 111,110 strings; line 6 alone for 10^6, crossing the
    # packaged limit of 1,000,000 values.
    assert "laughs.yaml:6:" in line and "yaml.max_nodes" in line


def test_the_same_checks_hold_in_a_real_process(workspace: Path, tmp_path: Path) -> None:
    """Through ``python -m cxcert``: the exit code and the one line are the process's own."""
    from cli.runner import cxcert

    file = write(tmp_path / "laughs.yaml", billion_laughs())
    line = user_error(cxcert("standard", "validate", str(file), home=workspace))
    assert line.startswith(f"{file}:6: (yaml): more than 1,000,000 values")  # line 6: as above


def test_plain_anchors_and_aliases_still_read(workspace: Path, tmp_path: Path) -> None:
    """Anchors are ordinary YAML and stay allowed within the limits: an entity file naming its country once."""
    file = write(tmp_path / "globex.yaml", b"""\
organisation: {id: globex, name: Globex, country: &country US}
entity:
  id: globex-help
  organisation_id: globex
  name: Globex Help Desk
  standard_urn: copc-2000-csp
  rule_set_id: copc-2000-founding
  locations:
    - {id: nyc, name: New York, country: *country, time_zone: America/New_York}
""")
    ok_json(invoke("entity", "create", "--from-file", str(file), "--json", home=workspace))
    shown = ok_json(invoke("entity", "show", "globex-help", "--json", home=workspace))
    assert [location["country"] for location in shown["entity"]["locations"]] == ["US"]  # the alias, resolved
