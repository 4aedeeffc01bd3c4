"""`cxcert answers record|import|show`: the coordinator's application answers (docs/domain.md section 3, step 4)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.dates import optional_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.row_import import (
    ImportReport,
    OncePerFile,
    RejectedRow,
    RowRejected,
    column_or_option,
    date_cell,
    finish,
    item_number,
    number,
    quarantine,
    reject,
    required,
    share_cell,
)
from cxcert.cli.shares import SHARE_HELP, parse_share
from cxcert.cli.table_file import TableRow, read_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError
from cxcert.home import cxcert_home

if TYPE_CHECKING:  # pydantic models and the standards library load only when a command runs
    from cxcert.certification.assessment import ApplicationAnswer
    from cxcert.standards.schema import Standard

answers_app = typer.Typer(
    help="Record the coordinator's application answers, one by one or in bulk from CSV/Excel, and see progress.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(answers_app, name="answers")


def unknown_reference(standard: Standard, item: str, requirement: str | None) -> tuple[str, str] | None:
    """(column, reason) when ``item`` or ``requirement`` is not in ``standard``; None when both exist."""
    try:
        found = standard.item(item)
    except KeyError:
        return "item", f"item {item!r} is not in {standard.key.urn}"
    if requirement and requirement not in {r.id for r in found.requirements}:
        known = ", ".join(r.id for r in found.requirements) or "none"
        return "requirement", f"item {item} has no requirement {requirement!r} (it has: {known})"
    return None


# The answer's fields by the name people type them as: the file column and the option (--hours, --by...).
_TYPED_AS = {"hours_spent": "hours", "requirement_id": "requirement", "answered_by": "by", "answered_on": "on"}


def _answer(**fields: object) -> ApplicationAnswer:
    from pydantic import ValidationError

    from cxcert.certification.assessment import ApplicationAnswer

    try:
        return ApplicationAnswer.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else "answer"
        raise RowRejected(_TYPED_AS.get(field, field), first["msg"]) from None


@answers_app.command("record")
def record(
    entity_id: str = typer.Option(..., "--entity", help="The entity whose application this is."),
    item: str = typer.Option(..., "--item", help="Item number, e.g. 2.1."),
    requirement: str | None = typer.Option(
        None, "--requirement", help="Requirement id, e.g. 2.1.1; omit for the item."
    ),
    answer: str = typer.Option(..., "--answer", help="The answer text."),
    hours: float = typer.Option(0.0, "--hours", help="Hours spent on this answer."),
    completion: str = typer.Option("0", "--completion", help=f"How complete the answer is, {SHARE_HELP}."),
    by: str | None = typer.Option(None, "--by", help="Who answered (person id)."),
    on: str | None = typer.Option(None, "--on", help="Answered on (YYYY-MM-DD)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record one application answer; answers are kept as history (the latest per requirement counts).

    Example:  cxcert answers record --entity acme-care --item 2.1 --requirement 2.1.1
    --answer "We sample 5 contacts per agent per month" --hours 1.5 --completion 0.8
    """
    from cxcert.standards import library

    try:
        share = parse_share(completion)
    except ValueError as exc:
        raise CxcertError(f"--completion: {exc}") from None
    try:
        new = _answer(
            item=item,
            requirement_id=requirement or None,
            answer=answer,
            hours_spent=hours,
            completion=share,
            answered_by=by,
            answered_on=optional_date(on, "--on"),
        )
    except RowRejected as exc:
        raise CxcertError(f"--{exc.column}: {exc.reason}") from None
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        problem = unknown_reference(library.standard(entity.standard_urn), item, requirement)
        if problem:
            raise CxcertError(f"--{problem[0]}: {problem[1]}")
        stored = repos.assessments.record_answer(entity_id, new)
        if stored:
            repos.audit_trail.append(actor(), "answer.recorded", f"entity:{entity_id}", new.model_dump(mode="json"))
    if json_out:
        print_json({"stored": stored, "answer": new.model_dump(mode="json")})
    else:
        console.print(
            f"{'Recorded' if stored else 'Already stored'}: answer to {item}{'/' + requirement if requirement else ''}"
        )


def _rows_to_answers(
    rows: list[TableRow], default_entity: str | None, standards: dict[str, Standard]
) -> tuple[list[tuple[str, ApplicationAnswer]], list[RejectedRow]]:
    accepted: list[tuple[str, ApplicationAnswer]] = []
    rejected: list[RejectedRow] = []
    numbers = {entity: {it.number for it in std.items()} for entity, std in standards.items()}
    once = OncePerFile()
    for row in rows:
        try:
            entity_id = required(row, "entity", default_entity)
            if entity_id not in standards:
                raise RowRejected("entity", f"no entity {entity_id!r}")
            item = item_number(row, "item", numbers[entity_id])
            requirement = row.values.get("requirement") or None
            problem = unknown_reference(standards[entity_id], item, requirement)
            if problem:
                raise RowRejected(*problem)
            answer = _answer(
                item=item,
                requirement_id=requirement,
                answer=required(row, "answer"),
                hours_spent=number(row, "hours", 0.0),
                completion=share_cell(row, "completion", 0.0),
                answered_by=row.values.get("by") or row.values.get("answered_by") or None,
                answered_on=date_cell(row, "on") or date_cell(row, "answered_on"),
            )
            shown = f"the answer to {item}{'/' + requirement if requirement else ''}"
            once.check(row, "requirement" if requirement else "item", (entity_id, item, requirement or ""), shown)
            accepted.append((entity_id, answer))
        except RowRejected as exc:
            rejected.append(reject(row, exc))
    return accepted, rejected


@answers_app.command("import")
def import_answers(
    path: Path = typer.Argument(..., help="A .csv or .xlsx file; the first row names the columns."),
    entity_id: str | None = typer.Option(None, "--entity", help="Entity for rows without an 'entity' column."),
    json_out: bool = typer.Option(False, "--json", help="Print the row accounting as JSON."),
) -> None:
    """Import application answers in bulk; bad rows are rejected with their row number and reason, the rest stored.

    Columns: entity (or --entity), item, requirement (optional), answer, hours, completion (a fraction 0.95 or a
    percentage 95 or 95%), by, on (YYYY-MM-DD). Re-importing the same file stores nothing new. One row per
    requirement (or item): a second row for it is rejected, naming both rows. Type item numbers as text in Excel
    (4.10, not the number 4.1).

    Exit code 2 when the file itself is wrong (a missing column, an unknown --entity; nothing is stored) or when
    every row is rejected.

    Example:  cxcert answers import application.xlsx --entity acme-care
    """
    from cxcert.standards import library

    table = read_table(path)
    column_or_option(table, "entity", "--entity", entity_id)
    table.require_columns("item", "answer")
    table.require_rows()
    rows = table.rows
    with workspace() as repos:
        if entity_id is not None:
            repos.organisations.get_entity(entity_id)
        standards = {e.id: library.standard(e.standard_urn) for e in repos.organisations.list_entities()}
        accepted, rejected = _rows_to_answers(rows, entity_id, standards)
        stored = [repos.assessments.record_answer(ent, answer) for ent, answer in accepted]
        if any(stored):
            repos.audit_trail.append(
                actor(), "answers.imported", f"file:{path.name}", {"rows": len(rows), "stored": sum(stored)}
            )
    report = ImportReport(
        file=path.name,
        read=len(rows),
        accepted=len(accepted),
        unchanged=stored.count(False),
        rejected=tuple(rejected),
        quarantine=quarantine(cxcert_home(), path, tuple(rejected)),
    )
    finish(report, "answers", json_out)


@answers_app.command("show")
def show(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    text: bool = typer.Option(
        False, "--text", help="Print every question (requirement, or item without one) with the answer that counts."
    ),
    items: list[str] = typer.Option([], "--item", help="With --text: only this item, repeatable (e.g. 2.1)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show how far the application is: completion and hours per item, items not started; with --text, the
    questions and their answers.

    The answer that counts for a question is its latest (by day, then order recorded), else the latest answer to
    its item as a whole.

    Example:  cxcert answers show --entity acme-care

    Example:  cxcert answers show --entity acme-care --text --item 1.1
    """
    from rich.padding import Padding
    from rich.text import Text

    from cxcert.certification.application import answer_sheet, application_progress
    from cxcert.standards import library

    if items and not text:
        raise CxcertError("--item picks the questions --text prints: add --text")
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        answers = repos.assessments.answers(entity_id)
    standard = library.standard(entity.standard_urn)
    progress = application_progress(answers, standard)
    sheet = answer_sheet(answers, standard) if text else ()
    if items:
        known = {it.number for it in standard.items()}
        unknown = [i for i in items if i not in known]
        if unknown:
            raise CxcertError(f"--item {unknown[0]!r} is not an item of {standard.key.urn}")
        sheet = tuple(u for u in sheet if u.item in items)
    if json_out:
        payload: dict[str, object] = {
            "entity_id": entity_id,
            "answers": len(answers),
            "completion": progress.completion,
            "hours_spent": progress.hours_spent,
            "items_not_started": list(progress.items_not_started),
            "items_complete": list(progress.items_complete),
            "items": [
                {
                    "item": p.item,
                    "title": p.title,
                    "completion": p.completion,
                    "hours_spent": p.hours_spent,
                    "status": p.status.value,
                }
                for p in progress.items
            ],
            "explanation": progress.explanation.to_dict(),
        }
        if text:
            payload["questions"] = [u.to_dict() for u in sheet]
        print_json(payload)
        return
    if text:
        titles = {it.number: it.title for it in standard.items()}
        shown_item = None
        for unit in sheet:
            if unit.item != shown_item:
                shown_item = unit.item
                console.print(f"\n[bold]{unit.item} {escape(titles[unit.item])}[/]", highlight=False)
            console.print(Padding(Text(f"{unit.unit_id}  {unit.question}"), (0, 0, 0, 2), expand=False))
            a = unit.answer
            if a is None:
                console.print(Padding(Text("(not answered)", style="yellow"), (0, 0, 0, 6), expand=False))
                continue
            said = ", ".join(
                [f"{a.completion:.0%} complete"]
                + ([f"by {a.answered_by}"] if a.answered_by else [])
                + ([f"on {a.answered_on.isoformat()}"] if a.answered_on else [])
                + ([] if a.requirement_id == unit.requirement_id else ["answered for the item as a whole"])
            )
            console.print(Padding(Text(a.answer), (0, 0, 0, 6), expand=False))
            console.print(Padding(Text(f"({said})", style="dim"), (0, 0, 0, 6), expand=False))
        console.print()
    else:
        print_table(
            f"application of {entity_id}",
            ("item", "title", "status", "completion", "hours"),
            [(p.item, p.title, p.status.value, f"{p.completion:.0%}", f"{p.hours_spent:g}") for p in progress.items],
        )
    console.print(progress.explanation.summary, highlight=False)
