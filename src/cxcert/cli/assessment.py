"""`cxcert assessment create|list|show`: the assessments of an entity (`cxcert findings` records what they found)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.dates import optional_date, parse_date
from cxcert.cli.output import console, print_json, print_mapping, print_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # pydantic models and the standards library load only when a command runs
    from cxcert.certification.assessment import Assessment, AssessmentKind
    from cxcert.standards.schema import Standard

assessment_app = typer.Typer(help="Create and inspect assessments (baseline, audits, reviews).", no_args_is_help=True)

def register(app: typer.Typer) -> None:
    from cxcert.cli import findings

    app.add_typer(assessment_app, name="assessment")
    findings.register(app)


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
    from cxcert.cli.findings import finding_json
    from cxcert.standards import library

    with workspace() as repos:
        assessment = repos.assessments.get_assessment(assessment_id)
        standard = library.standard(repos.organisations.get_entity(assessment.entity_id).standard_urn)
    scope = scope_view(assessment, standard)
    if json_out:
        findings = [finding_json(f) for f in assessment.findings]
        print_json({**assessment_json(assessment), "findings": findings, "scope": scope.to_dict()})
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
        ("item", "level", "source", "note", "against the computed evidence"),
        [
            (
                f.item,
                f.level.value,
                f.source,
                f.note,
                f"[red]contradicts[/] computed {f.computed_level.value}; reason: {escape(f.reason)}"
                if f.departs_from_evidence and f.computed_level is not None
                else "",
            )
            for f in assessment.findings
        ],
    )
    flagged = [f for f in assessment.findings if f.departs_from_evidence]
    if flagged:
        console.print(
            f"{len(flagged)} typed finding(s) contradict the computed evidence, each with its reason: "
            + ", ".join(f.item for f in flagged),
            highlight=False,
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
