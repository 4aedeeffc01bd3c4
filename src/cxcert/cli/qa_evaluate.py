"""`cxcert qa evaluate`: enter one evaluation by hand, score it with its explanation and store it in the warehouse.

Storage goes through the ordinary ingest (`ingest_file(..., fmt="canonical")`) of two small Parquet files, so
the rows are validated, accounted for and committed atomically like any other file; heavy imports (pyarrow,
the warehouse) happen inside the command.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    from cxcert.ingest.pipeline import IngestResult
    from cxcert.quality.evaluation import Evaluation
    from cxcert.quality.scoring import EvaluationScore
    from cxcert.warehouse import Warehouse


def register(qa_app: typer.Typer) -> None:
    qa_app.command("evaluate")(evaluate)


def parse_results(values: list[str]) -> dict[str, str]:
    """``PARAM=RESULT`` pairs (repeatable, or comma-separated) as a mapping; a repeated parameter is a mistake."""
    results: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            parameter, sep, result = pair.partition("=")
            if not sep or not parameter.strip() or not result.strip():
                raise CxcertError(f"--result {pair!r}: write PARAMETER=pass, PARAMETER=fail or PARAMETER=na")
            if parameter.strip() in results:
                raise CxcertError(f"--result: parameter '{parameter.strip()}' is answered twice")
            results[parameter.strip()] = result.strip()
    return results


def _moment(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CxcertError(f"--at: {text!r} is not a timestamp; write e.g. 2026-03-02T10:15:00+01:00") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def evaluate(
    form: str = typer.Option(..., "--form", help="Form id, e.g. voice_cs (see `cxcert qa forms list`)."),
    version: int = typer.Option(..., "--version", help="The published form version to score on."),
    agent: str = typer.Option(..., "--agent", help="The evaluated agent's id."),
    evaluator: str = typer.Option(..., "--evaluator", help="The evaluator's id."),
    contact: str = typer.Option(..., "--contact", help="The monitored contact's id."),
    result: list[str] = typer.Option(
        [], "--result", help="PARAMETER=pass|fail|na, once per parameter of the form (repeat the option)."
    ),
    entity: str | None = typer.Option(None, "--entity", help="Store the evaluation in this entity's warehouse."),
    program: str | None = typer.Option(None, "--program", help="Program (client line of business); with --entity."),
    evaluation_id: str | None = typer.Option(None, "--id", help="Evaluation id (default: a new unique id)."),
    at: str | None = typer.Option(None, "--at", help="When it was evaluated, ISO 8601 (default now; no offset = UTC)."),
    forms_dir: Path | None = typer.Option(
        None, "--forms-dir", help="A folder of your own QA form files, beside the packaged ones."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Enter one evaluation by hand: every parameter of the form answered, scored with its explanation.

    Entry is strict: every parameter of the pinned form version must be answered once (na when it does not
    apply), results are pass, fail or na, and the error class comes from the form. With --entity and --program
    the evaluation is stored in the warehouse as one `evaluations` row and one `evaluation_items` row per
    parameter, through the ordinary ingest (validated, counted, committed atomically). The evaluation may not be
    dated before the form version's publication. Your own forms (CXCERT_HOME/forms/ or --forms-dir) are used
    like the packaged ones.

      cxcert qa evaluate --form voice_cs --version 1 --agent a17 --evaluator qa3 --contact c-991
      --result greeting=pass --result verify_identity=pass --result understand_need=pass
      --result correct_resolution=fail --result correct_account_action=pass --result mandatory_disclosures=pass
      --result courtesy=pass --result hold_transfer_etiquette=na --result closing=pass
      --entity acme-care --program care
    """
    from pydantic import ValidationError

    from cxcert.cli.qa_forms import form_registry
    from cxcert.quality.evaluation import enter_evaluation
    from cxcert.quality.scoring import score_evaluation

    if (entity is None) != (program is None):
        raise CxcertError("give --entity and --program together to store the evaluation (or neither to only score)")
    for option, value in (("--agent", agent), ("--evaluator", evaluator), ("--contact", contact)):
        if not value.strip():
            raise CxcertError(f"{option} must not be empty")
    qa_form = form_registry(forms_dir).get(form, version)
    answers = parse_results(result)
    if not answers:
        ids = ", ".join(p.id for p in qa_form.parameters)
        raise CxcertError(f"no --result given; form {qa_form.label} needs one per parameter: {ids}")
    eid = (evaluation_id or f"ev-{uuid.uuid4().hex[:12]}").strip()
    try:
        evaluation = enter_evaluation(
            qa_form,
            evaluation_id=eid,
            agent_id=agent.strip(),
            evaluator_id=evaluator.strip(),
            evaluated_at=_moment(at),
            results=answers,
            contact_id=contact.strip(),
        )
    except ValidationError as exc:  # a field the typed record refuses (e.g. an empty id)
        first = exc.errors()[0]
        raise CxcertError(f"evaluation {eid}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    scored = score_evaluation(qa_form, evaluation.results, evaluation.evaluation_id)
    stored: dict[str, Any] | None = None
    if entity is not None and program is not None:
        stored = store_evaluation(evaluation, entity.strip(), program.strip())
    if json_out:
        print_json(
            {
                **evaluation.model_dump(mode="json"),
                "score": _score_json(scored),
                "stored": stored,
            }
        )
        return
    _print_score(scored)
    if stored is None:
        console.print("not stored (add --entity ID --program P to store it in the warehouse)", highlight=False)
    else:
        console.print(
            f"stored in entity {stored['entity']} ({stored['program']}): evaluations "
            f"{stored['evaluations']['accepted']} row, evaluation_items {stored['evaluation_items']['accepted']} rows",
            highlight=False,
        )


def store_evaluation(evaluation: Evaluation, entity_id: str, program: str) -> dict[str, Any]:
    """Write ``evaluation`` as canonical rows and ingest them; the row accounting of both tables.

    The items go in first: if the second commit failed, the items would be orphans no evaluation points to
    (invisible to every query that starts from ``evaluations``), never an evaluation without its items.
    """
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from cxcert.canonical import EVALUATION_ITEMS, EVALUATIONS
    from cxcert.file_names import file_name_part
    from cxcert.warehouse import Warehouse

    warehouse = Warehouse.default()
    _refuse_duplicate(warehouse, entity_id, evaluation.evaluation_id)
    header = {
        "evaluation_id": [evaluation.evaluation_id],
        "contact_id": [evaluation.contact_id],
        "agent_id": [evaluation.agent_id],
        "evaluator_id": [evaluation.evaluator_id],
        "evaluated_at": [evaluation.evaluated_at],
        "form_id": [evaluation.form_id],
        "form_version": [evaluation.form_version],
    }
    items = {
        "evaluation_id": [evaluation.evaluation_id] * len(evaluation.items),
        "parameter_id": [i.parameter_id for i in evaluation.items],
        "result": [str(i.result) for i in evaluation.items],
        "points": [i.points for i in evaluation.items],
        "error_class": [str(i.error_class) for i in evaluation.items],
    }
    lineage = {"entity_id", "program", "source"}
    with tempfile.TemporaryDirectory(prefix="cxcert-qa-") as tmp:
        out: dict[str, Any] = {"entity": entity_id, "program": program, "evaluation_id": evaluation.evaluation_id}
        for table, schema, columns in (
            ("evaluation_items", EVALUATION_ITEMS, items),
            ("evaluations", EVALUATIONS, header),
        ):
            fields = [f for f in schema if f.name not in lineage]
            # The id names the file (the rows' source) only made safe: '../etc/x' never leaves the folder.
            path = Path(tmp) / f"qa-evaluate-{file_name_part(evaluation.evaluation_id)}-{table}.parquet"
            pq.write_table(pa.table(columns, schema=pa.schema(fields)), path)
            result = _ingest(warehouse, table, path, entity_id, program)
            if result.accounting.rejected:
                raise CxcertError(
                    f"{table}: {result.accounting.rejected} row(s) rejected by validation "
                    f"(see {result.accounting.quarantine})"
                )
            out[table] = result.as_json()
    return out


def _ingest(warehouse: Warehouse, table: str, path: Path, entity_id: str, program: str) -> IngestResult:
    from cxcert.ingest.pipeline import ingest_file

    return ingest_file(warehouse, table, path, entity_id=entity_id, fmt="canonical", program=program)


def _refuse_duplicate(warehouse: Warehouse, entity_id: str, evaluation_id: str) -> None:
    table = warehouse.table("evaluations", entity_id)
    if int(table.filter(table.evaluation_id == evaluation_id).count().execute()):
        raise CxcertError(f"evaluation {evaluation_id} is already stored for entity {entity_id}; choose another --id")


def _score_json(scored: EvaluationScore) -> dict[str, Any]:
    return {
        "earned": scored.earned,
        "possible": scored.possible,
        "score": scored.score,
        "fatal": scored.fatal,
        "fatal_failures": list(scored.fatal_failures),
        "errors": sorted(str(e) for e in scored.errors),
        "sections": [
            {"section_id": s.section_id, "weight": s.weight, "earned": s.earned, "possible": s.possible,
             "score": s.score, "zeroed_by": list(s.zeroed_by)}
            for s in scored.sections
        ],
        "explanation": scored.explanation.to_dict(),
    }  # fmt: skip


def _print_score(scored: EvaluationScore) -> None:
    print_table(
        f"Evaluation {scored.evaluation_id} on {scored.form_id} v{scored.form_version}",
        ("section", "weight", "earned", "possible", "score", "zeroed by"),
        [
            (s.section_id, f"{s.weight:g}", f"{s.earned:g}", f"{s.possible:g}",
             "n/a" if s.score is None else f"{s.score:.1%}", ", ".join(s.zeroed_by))
            for s in scored.sections
        ],
    )  # fmt: skip
    console.print(scored.explanation.render(), highlight=False, markup=False)
