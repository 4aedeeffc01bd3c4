"""`cxcert findings record|import`: what the assessors found, item by item. A typed finding that departs from the
computed evidence recorded into the assessment (`cxcert evidence --record-into`) needs a reason, kept with it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.output import console, print_json
from cxcert.cli.row_import import (
    ImportReport,
    OncePerFile,
    RejectedRow,
    RowRejected,
    column_or_option,
    finish,
    item_number,
    quarantine,
    reject,
    required,
)
from cxcert.cli.table_file import read_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError
from cxcert.home import cxcert_home

if TYPE_CHECKING:  # pydantic models and the standards library load only when a command runs
    from cxcert.certification.assessment import Assessment, Finding
    from cxcert.standards.rule_set import FindingLevel
    from cxcert.standards.schema import Standard

findings_app = typer.Typer(
    help="Record the assessors' findings per item, one by one or in bulk from CSV/Excel.", no_args_is_help=True
)

# Short forms people type, by FindingLevel member name (the enum loads with its pydantic module, only when used);
# the stored value is always the FindingLevel.
LEVEL_ALIASES = {"minor": "MINOR", "major": "MAJOR", "na": "NOT_APPLICABLE", "n/a": "NOT_APPLICABLE"}
SOURCES = ("typed", "computed")


def register(app: typer.Typer) -> None:
    app.add_typer(findings_app, name="findings")


def finding_json(finding: Finding) -> dict[str, object]:
    """A finding as stored, and whether it contradicts the computed evidence (with the one line saying how)."""
    return {
        **finding.model_dump(mode="json"),
        "contradicts_evidence": finding.departs_from_evidence,
        "contradiction": finding.contradiction() or None,
    }


def parse_level(text: str) -> FindingLevel:
    """A finding level from its value (``minor_deficiency``) or short form (``minor``)."""
    from cxcert.standards.rule_set import FindingLevel

    cleaned = text.strip().lower()
    if cleaned in LEVEL_ALIASES:
        return FindingLevel[LEVEL_ALIASES[cleaned]]
    try:
        return FindingLevel(cleaned)
    except ValueError:
        known = ", ".join(level.value for level in FindingLevel)
        raise ValueError(f"{text!r} is not a finding level; use one of {known}") from None


def _unknown_item(standard: Standard, item: str) -> bool:
    try:
        standard.item(item)
    except KeyError:
        return True
    return False


def _finding(item: str, level: str, note: str, source: str, standard: Standard, reason: str = "") -> Finding:
    from cxcert.certification.assessment import Finding

    if _unknown_item(standard, item):
        raise RowRejected("item", f"item {item!r} is not in {standard.key.urn}")
    try:
        parsed = parse_level(level)
    except ValueError as exc:
        raise RowRejected("level", str(exc)) from None
    if source == "computed":  # computed findings come from the warehouse, never typed in
        raise RowRejected("source", "'computed' findings are recorded only by `cxcert evidence --record-into`")
    if source not in SOURCES:
        raise RowRejected("source", f"{source!r} is not a source; use typed")
    return Finding(item=item, level=parsed, note=note, source=source, reason=reason)


@findings_app.command("record")
def record(
    assessment_id: str = typer.Option(..., "--assessment", help="The assessment (see `cxcert assessment list`)."),
    item: str = typer.Option(..., "--item", help="Item number, e.g. 2.1."),
    level: str = typer.Option(
        ..., "--level", help="compliant, minor_deficiency (minor), major_deficiency (major), not_applicable (na)."
    ),
    note: str = typer.Option("", "--note", help="What the assessors saw."),
    reason: str = typer.Option(
        "", "--reason", help="Why the finding departs from the computed evidence on the item (needed when it does)."
    ),
    source: str = typer.Option("typed", "--source", help="typed (computed ones come from `cxcert evidence`)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record (or replace) the finding on one item of an assessment.

    When `cxcert evidence --record-into` recorded a computed finding on the item, a typed finding with another
    level contradicts the evidence: it is refused without --reason, and stored with the reason and the computed
    level it departs from (shown by `cxcert assessment show`).

    Example:  cxcert findings record --assessment acme-care/compliance_audit-2026-09-01 --item 2.1
    --level minor_deficiency --note "sample size not justified"
    """
    from cxcert.certification.assessment import typed_over
    from cxcert.standards import library

    with workspace() as repos:
        assessment = repos.assessments.get_assessment(assessment_id)
        standard = library.standard(repos.organisations.get_entity(assessment.entity_id).standard_urn)
        try:
            finding = typed_over(assessment.finding(item), _finding(item, level, note, source, standard, reason))
        except RowRejected as exc:
            raise CxcertError(f"--{exc.column}: {exc.reason}") from None
        if finding.needs_a_reason:
            raise CxcertError(f"{finding.contradiction()}; give --reason to record it anyway")
        repos.assessments.record_finding(assessment_id, finding)
        repos.audit_trail.append(
            actor(), "finding.recorded", f"assessment:{assessment_id}", finding.model_dump(mode="json")
        )
    if json_out:
        print_json({"assessment_id": assessment_id, "finding": finding_json(finding)})
        return
    console.print(f"Recorded {finding.level.value} on item {item} of {assessment_id}", highlight=False)
    if finding.departs_from_evidence:
        console.print(
            f"Flagged: {finding.contradiction()}; reason: {finding.reason}", highlight=False, markup=False
        )


@findings_app.command("import")
def import_findings(
    path: Path = typer.Argument(..., help="A .csv or .xlsx file; the first row names the columns."),
    assessment_id: str | None = typer.Option(
        None, "--assessment", help="Assessment for rows without an 'assessment' column."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the row accounting as JSON."),
) -> None:
    """Import findings in bulk: one row per item; bad rows are rejected with their row number and reason.

    Columns: assessment (or --assessment), item, level, note (optional), reason (optional: why a finding departs
    from the computed evidence on its item; a row that does without one is rejected), source (optional: typed;
    computed findings come only from `cxcert evidence --record-into`).
    Items are checked against the standard of the assessment's entity. A finding replaces the item's earlier one
    in the database; within one file an item may appear once (a second row for it is rejected, naming both).
    Type item numbers as text in Excel (4.10, not the number 4.1).

    Exit code 2 when the file itself is wrong (a missing column, an unknown --assessment; nothing is stored) or
    when every row is rejected.

    Example:  cxcert findings import audit-findings.xlsx --assessment acme-care/compliance_audit-2026-09-01
    """
    from cxcert.certification.assessment import typed_over
    from cxcert.standards import library

    table = read_table(path)
    column_or_option(table, "assessment", "--assessment", assessment_id)
    table.require_columns("item", "level")
    table.require_rows()
    rows = table.rows
    accepted: list[tuple[str, Finding]] = []
    rejected: list[RejectedRow] = []
    once = OncePerFile()
    with workspace() as repos:
        if assessment_id is not None:
            repos.assessments.get_assessment(assessment_id)
        known: dict[str, tuple[Assessment, Standard] | None] = {}
        for row in rows:
            try:
                target = required(row, "assessment", assessment_id)
                if target not in known:
                    found = repos.assessments.find_assessment(target)
                    known[target] = (
                        None
                        if found is None
                        else (found, library.standard(repos.organisations.get_entity(found.entity_id).standard_urn))
                    )
                entry = known[target]
                if entry is None:
                    raise RowRejected("assessment", f"no assessment {target!r}")
                assessment, standard = entry
                typed = _finding(
                    item_number(row, "item", {it.number for it in standard.items()}),
                    required(row, "level"),
                    row.values.get("note", ""),
                    row.values.get("source") or "typed",
                    standard,
                    row.values.get("reason", ""),
                )
                finding = typed_over(assessment.finding(typed.item), typed)
                if finding.needs_a_reason:
                    raise RowRejected("reason", f"{finding.contradiction()}; give the row a reason to record it anyway")
                once.check(row, "item", (target, finding.item), f"item {finding.item}")
                accepted.append((target, finding))
            except RowRejected as exc:
                rejected.append(reject(row, exc))
        unchanged = 0
        for target, finding in accepted:
            current = repos.assessments.get_assessment(target).finding(finding.item)
            if current == finding:
                unchanged += 1
                continue
            repos.assessments.record_finding(target, finding)
            repos.audit_trail.append(
                actor(), "finding.recorded", f"assessment:{target}", finding.model_dump(mode="json")
            )
    report = ImportReport(
        file=path.name,
        read=len(rows),
        accepted=len(accepted),
        unchanged=unchanged,
        rejected=tuple(rejected),
        quarantine=quarantine(cxcert_home(), path, tuple(rejected)),
    )
    finish(report, "findings", json_out)
