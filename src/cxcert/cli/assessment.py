"""`cxcert assessment create|list|show` and `cxcert findings record|import`: what the assessors found."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.dates import optional_date, parse_date
from cxcert.cli.output import console, print_json, print_mapping, print_table
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
    from cxcert.certification.assessment import Assessment, AssessmentKind, Finding
    from cxcert.standards.rule_set import FindingLevel
    from cxcert.standards.schema import Standard

assessment_app = typer.Typer(help="Create and inspect assessments (baseline, audits, reviews).", no_args_is_help=True)
findings_app = typer.Typer(
    help="Record the assessors' findings per item, one by one or in bulk from CSV/Excel.", no_args_is_help=True
)

# Short forms people type, by FindingLevel member name (the enum loads with its pydantic module, only when used);
# the stored value is always the FindingLevel.
LEVEL_ALIASES = {"minor": "MINOR", "major": "MAJOR", "na": "NOT_APPLICABLE", "n/a": "NOT_APPLICABLE"}
SOURCES = ("typed", "computed")


def register(app: typer.Typer) -> None:
    app.add_typer(assessment_app, name="assessment")
    app.add_typer(findings_app, name="findings")


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


def parse_kind(text: str) -> AssessmentKind:
    from cxcert.certification.assessment import AssessmentKind

    try:
        return AssessmentKind(text.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in AssessmentKind)
        raise CxcertError(f"--kind {text!r} is not an assessment kind; use one of {known}") from None


def assessment_json(assessment: Assessment) -> dict[str, object]:
    return assessment.model_dump(mode="json")


@assessment_app.command("create")
def create(
    entity_id: str = typer.Option(..., "--entity", help="The entity assessed."),
    kind: str = typer.Option(..., "--kind", help="baseline, compliance_audit, second_audit, six_month_review..."),
    on: str | None = typer.Option(None, "--on", help="First day on site (YYYY-MM-DD); default today."),
    ended_on: str | None = typer.Option(None, "--ended-on", help="Last day (YYYY-MM-DD)."),
    assessment_id: str | None = typer.Option(None, "--id", help="Assessment id; default ENTITY/KIND-DATE."),
    assessors: list[str] = typer.Option([], "--assessor", help="An assessor's person id, repeatable."),
    commitment: bool = typer.Option(
        False, "--management-commitment", help="Senior management committed to full certification in 12 months."
    ),
    scope: list[str] = typer.Option(
        [],
        "--scope",
        help="For a process certification: its kind (customer_satisfaction, workforce_management, "
        "recruiting_hiring_training, quality, sourcing) or an item in scope; repeatable (default: the whole standard).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create an assessment of an entity; then record its findings with `cxcert findings record|import`.

    A process certification assesses a slice of the standard: --scope quality takes the packaged items of that
    kind (see `cxcert assessment show` for them), --scope 2.1 --scope 2.5 declares items one by one.

    Example:  cxcert assessment create --entity acme-care --kind compliance_audit --on 2026-09-01 --assessor ben

    Example:  cxcert assessment create --entity acme-care --kind compliance_audit --scope customer_satisfaction
    """
    from cxcert.certification.assessment import Assessment
    from cxcert.standards import library

    kind_value = parse_kind(kind)
    started = parse_date(on, "--on")
    ended = optional_date(ended_on, "--ended-on")
    if ended is not None and ended < started:
        raise CxcertError(f"--ended-on {ended} is before --on {started}: an assessment cannot end before it starts")
    new_id = assessment_id or f"{entity_id}/{kind_value.value}-{started.isoformat()}"
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        standard = library.standard(entity.standard_urn)
        scope_items = _declared_scope(scope, standard) if scope else None
        if repos.assessments.find_assessment(new_id) is not None:
            raise CxcertError(f"assessment {new_id!r} exists already; pick another --id")
        assessment = Assessment(
            id=new_id,
            entity_id=entity_id,
            kind=kind_value,
            started_on=started,
            ended_on=ended,
            assessors=tuple(assessors),
            management_commitment=commitment,
            scope_items=scope_items,
        )
        repos.assessments.save_assessment(assessment)
        repos.audit_trail.append(actor(), "assessment.created", f"assessment:{new_id}", assessment_json(assessment))
    if json_out:
        print_json(assessment_json(assessment))
    else:
        console.print(f"Created assessment [bold]{new_id}[/] ({kind_value.value}, {started.isoformat()})")
        if scope_items is not None:
            console.print(f"Scope: {scope_view(assessment, standard).title}: {', '.join(scope_items)}")


@assessment_app.command("list")
def list_assessments(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List an entity's assessments, oldest first, with their finding counts.

    Example:  cxcert assessment list --entity acme-care
    """
    from cxcert.standards.rule_set import FindingLevel

    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
        assessments = repos.assessments.assessments(entity_id)
    if json_out:
        print_json([assessment_json(a) for a in assessments])
        return
    print_table(
        f"assessments of {entity_id}",
        ("id", "kind", "started", "findings", "compliant", "minor", "major"),
        [
            (
                a.id,
                a.kind.value,
                a.started_on,
                len(a.findings),
                *(
                    sum(f.level is lv for f in a.findings)
                    for lv in (FindingLevel.COMPLIANT, FindingLevel.MINOR, FindingLevel.MAJOR)
                ),
            )
            for a in assessments
        ],
    )


@assessment_app.command("show")
def show(
    assessment_id: str = typer.Argument(..., help="The assessment id."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one assessment, its scope (a process certification's items) and every finding.

    Example:  cxcert assessment show acme-care/compliance_audit-2026-09-01
    """
    from cxcert.standards import library

    with workspace() as repos:
        assessment = repos.assessments.get_assessment(assessment_id)
        standard = library.standard(repos.organisations.get_entity(assessment.entity_id).standard_urn)
    scope = scope_view(assessment, standard)
    if json_out:
        print_json({**assessment_json(assessment), "scope": scope.to_dict()})
        return
    print_mapping(
        f"assessment {assessment.id}",
        {
            "entity": assessment.entity_id,
            "kind": assessment.kind.value,
            "started": assessment.started_on,
            "ended": assessment.ended_on or "-",
            "assessors": ", ".join(assessment.assessors) or "-",
            "management commitment": "yes" if assessment.management_commitment else "no",
            "scope": scope.title,
        },
    )
    if scope.items is not None:
        print_table("scope", ("item", "title", "points"), scope.items)
    print_table(
        "findings",
        ("item", "level", "source", "note"),
        [(f.item, f.level.value, f.source, f.note) for f in assessment.findings],
    )


def _declared_scope(entries: list[str], standard: Standard) -> tuple[str, ...]:
    from cxcert.certification.process_certification import resolve_scope

    try:
        return resolve_scope(entries, standard)
    except CxcertError as exc:
        raise CxcertError(f"--scope: {exc.message}") from None


@dataclass(frozen=True)
class ScopeView:
    """An assessment's scope for display: the process certification it makes up, and its items."""

    kind: str | None
    title: str
    items: list[tuple[str, str, int | None]] | None  # (item, title, points); None: the whole standard

    def to_dict(self) -> dict[str, object]:
        rows = None if self.items is None else [{"item": n, "title": t, "points": p} for n, t, p in self.items]
        return {"process_certification": self.kind, "title": self.title, "items": rows}


def scope_view(assessment: Assessment, standard: Standard) -> ScopeView:
    """The whole standard, or the declared items with their titles and the process certification they make up."""
    from cxcert.certification.process_certification import kind_of_scope, title_of

    if assessment.scope_items is None:
        return ScopeView(None, "the whole standard", None)
    items: list[tuple[str, str, int | None]] = []
    for number in assessment.scope_items:
        try:
            item = standard.item(number)
        except KeyError:
            items.append((number, f"(not in {standard.key.urn})", None))
        else:
            items.append((number, item.title, item.points if item.scorable else None))
    kind = kind_of_scope(assessment.scope_items, standard)
    title = f"{title_of(kind)} (process certification)" if kind else f"{len(items)} declared items"
    return ScopeView(kind.value if kind else None, title, items)


def _unknown_item(standard: Standard, item: str) -> bool:
    try:
        standard.item(item)
    except KeyError:
        return True
    return False


def _finding(item: str, level: str, note: str, source: str, standard: Standard) -> Finding:
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
    return Finding(item=item, level=parsed, note=note, source=source)


@findings_app.command("record")
def record(
    assessment_id: str = typer.Option(..., "--assessment", help="The assessment (see `cxcert assessment list`)."),
    item: str = typer.Option(..., "--item", help="Item number, e.g. 2.1."),
    level: str = typer.Option(
        ..., "--level", help="compliant, minor_deficiency (minor), major_deficiency (major), not_applicable (na)."
    ),
    note: str = typer.Option("", "--note", help="What the assessors saw."),
    source: str = typer.Option("typed", "--source", help="typed (computed ones come from `cxcert evidence`)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record (or replace) the finding on one item of an assessment.

    Example:  cxcert findings record --assessment acme-care/compliance_audit-2026-09-01 --item 2.1
    --level minor_deficiency --note "sample size not justified"
    """
    from cxcert.standards import library

    with workspace() as repos:
        assessment = repos.assessments.get_assessment(assessment_id)
        standard = library.standard(repos.organisations.get_entity(assessment.entity_id).standard_urn)
        try:
            finding = _finding(item, level, note, source, standard)
        except RowRejected as exc:
            raise CxcertError(f"--{exc.column}: {exc.reason}") from None
        repos.assessments.record_finding(assessment_id, finding)
        repos.audit_trail.append(
            actor(), "finding.recorded", f"assessment:{assessment_id}", finding.model_dump(mode="json")
        )
    if json_out:
        print_json({"assessment_id": assessment_id, "finding": finding.model_dump(mode="json")})
    else:
        console.print(f"Recorded {finding.level.value} on item {item} of {assessment_id}", highlight=False)


@findings_app.command("import")
def import_findings(
    path: Path = typer.Argument(..., help="A .csv or .xlsx file; the first row names the columns."),
    assessment_id: str | None = typer.Option(
        None, "--assessment", help="Assessment for rows without an 'assessment' column."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the row accounting as JSON."),
) -> None:
    """Import findings in bulk: one row per item; bad rows are rejected with their row number and reason.

    Columns: assessment (or --assessment), item, level, note (optional), source (optional: typed; computed
    findings come only from `cxcert evidence --record-into`).
    Items are checked against the standard of the assessment's entity. A finding replaces the item's earlier one
    in the database; within one file an item may appear once (a second row for it is rejected, naming both).
    Type item numbers as text in Excel (4.10, not the number 4.1).

    Exit code 2 when the file itself is wrong (a missing column, an unknown --assessment; nothing is stored) or
    when every row is rejected.

    Example:  cxcert findings import audit-findings.xlsx --assessment acme-care/compliance_audit-2026-09-01
    """
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
        standards: dict[str, Standard | None] = {}
        for row in rows:
            try:
                target = required(row, "assessment", assessment_id)
                if target not in standards:
                    found = repos.assessments.find_assessment(target)
                    standards[target] = (
                        None
                        if found is None
                        else library.standard(repos.organisations.get_entity(found.entity_id).standard_urn)
                    )
                standard = standards[target]
                if standard is None:
                    raise RowRejected("assessment", f"no assessment {target!r}")
                finding = _finding(
                    item_number(row, "item", {it.number for it in standard.items()}),
                    required(row, "level"),
                    row.values.get("note", ""),
                    row.values.get("source") or "typed",
                    standard,
                )
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
