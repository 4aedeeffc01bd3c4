"""`cxcert qa ...`: quality monitoring science from the command line (sample sizes, draws, agreement, scoring).

The core lives in :mod:`cxcert.quality`; this module only reads files, calls it and prints. Heavy imports
(pandas, scipy) happen inside the commands so that `cxcert --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cxcert.cli import qa_accuracy, qa_calibrate, qa_coaching, qa_evaluate, qa_feedback, qa_forms, qa_sampling
from cxcert.cli.output import print_json, print_table
from cxcert.cli.qa_files import read_frame
from cxcert.errors import CxcertError

qa_app = typer.Typer(
    help=(
        "Quality monitoring: how many contacts to evaluate, which ones, whether last month's sample was enough, "
        "how well evaluators agree, and evaluation scores on versioned QA forms.\n\n"
        "Examples:\n\n"
        "  cxcert qa sample-size --population 2000\n\n"
        "  cxcert qa sample --contacts contacts.csv --n 200 --strata agent_id --seed 42\n\n"
        "  cxcert qa sample --entity acme-care --from 2026-03-01 --to 2026-03-31 --n 300 --strata agent_id "
        "--seed 7\n\n"
        "  cxcert qa check-sample --actual 180 --population 2000\n\n"
        "  cxcert qa check-sample --entity acme-care --month 2026-03\n\n"
        "  cxcert qa sample-size --entity acme-care --month 2026-03 --by-agent\n\n"
        "  cxcert qa kappa ratings.csv --method fleiss\n\n"
        "  cxcert qa calibrate session.csv --anchor qa_lead\n\n"
        "  cxcert qa evaluate --form voice_cs --version 2 --agent a17 --evaluator qa3 --contact c1 "
        "--result greeting=pass ...\n\n"
        "  cxcert qa dispute raise --entity acme-care --evaluation ev-1 --reason '...'\n\n"
        "  cxcert qa coaching record --entity acme-care --agent a17 --coach tl1 --evaluation ev-1\n\n"
        "  cxcert qa forms list"
    ),
    no_args_is_help=True,
)
qa_forms.register(qa_app)  # qa forms list, show
qa_sampling.register(qa_app)  # qa sample-size, check-sample, sample
qa_evaluate.register(qa_app)  # qa evaluate
qa_calibrate.register(qa_app)  # qa calibrate
qa_accuracy.register(qa_app)  # qa accuracy
qa_feedback.register(qa_app)  # qa dispute
qa_coaching.register(qa_app)  # qa coaching

JSON_HELP = "Print JSON instead of a table."


def register(app: typer.Typer) -> None:
    app.add_typer(qa_app, name="qa")


KAPPA_METHODS = (
    "cohen", "cohen-linear", "cohen-quadratic", "fleiss", "alpha-nominal", "alpha-ordinal", "alpha-interval",
    "alpha-ratio",
)  # fmt: skip
_ID_COLUMNS = ("item", "item_id", "contact_id", "evaluation_id", "unit", "id")


def _cell(value: object) -> object:
    """Numbers become floats (so 3 and 3.0 agree); blanks stay None; the rest stays text."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


@qa_app.command("kappa")
def kappa(
    ratings: Path = typer.Argument(..., help="CSV: one row per item, one column per rater (blank = not rated)."),
    method: str = typer.Option("alpha-nominal", help="One of: " + ", ".join(KAPPA_METHODS) + "."),
    order: str | None = typer.Option(
        None, "--order", help="The categories in order, lowest first, e.g. poor,fair,good (weighted and ordinal)."
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Agreement between evaluators who scored the same items (calibration).

    cohen (2 raters), cohen-linear / cohen-quadratic (weighted, ordered scale), fleiss (any number of raters,
    no blanks), alpha-nominal / alpha-ordinal / alpha-interval / alpha-ratio (Krippendorff; blanks allowed).
    A first column named item, item_id, contact_id, evaluation_id or id is taken as the item label. Weighted
    kappa and ordinal alpha need an order: numeric ratings order themselves; labels need --order.

    Example: cxcert qa kappa calibration.csv --method alpha-ordinal

    Example: cxcert qa kappa grades.csv --method cohen-linear --order poor,fair,good,excellent
    """
    from cxcert.quality.alpha import MeasurementLevel, krippendorff_alpha
    from cxcert.quality.kappa import KappaWeights, cohen_kappa, fleiss_kappa

    if method not in KAPPA_METHODS:
        raise CxcertError(f"unknown method {method!r} (one of: {', '.join(KAPPA_METHODS)})")
    ordered = ("cohen-linear", "cohen-quadratic", "alpha-ordinal")
    categories = [_cell(v) for v in order.split(",")] if order is not None else None
    if categories is not None:
        if method not in ordered:
            raise CxcertError(f"--order applies to {', '.join(ordered)}, not {method}")
        if None in categories or len(set(categories)) != len(categories):
            raise CxcertError(f"--order {order!r}: give each category once, separated by commas")
    frame = read_frame(ratings)
    if len(frame.columns) and str(frame.columns[0]).strip().lower() in _ID_COLUMNS:
        frame = frame.set_index(frame.columns[0])
    if frame.shape[1] < 2:
        raise CxcertError(f"{ratings}: need at least two rater columns, found {frame.shape[1]}")
    matrix = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    if method.startswith("cohen"):
        if frame.shape[1] != 2:
            raise CxcertError(f"Cohen's kappa compares exactly two raters; {ratings} has {frame.shape[1]} columns")
        weights = {"cohen": KappaWeights.NONE, "cohen-linear": KappaWeights.LINEAR}.get(method, KappaWeights.QUADRATIC)
        result = cohen_kappa([r[0] for r in matrix], [r[1] for r in matrix], weights, categories)
    elif method == "fleiss":
        result = fleiss_kappa(matrix)
    else:
        result = krippendorff_alpha(matrix, MeasurementLevel(method.removeprefix("alpha-")), categories)
    payload: dict[str, Any] = {
        "method": result.method, "value": result.value, "observed": result.observed, "expected": result.expected,
        "basis": result.basis, "items": result.items, "raters": result.raters,
        "explanation": result.explanation.to_dict(),
    }  # fmt: skip
    if json_out:
        print_json(payload)
        return
    print_table(
        "Agreement",
        ("method", "value", "items", "raters", f"observed {result.basis}", f"expected {result.basis}"),
        [
            (result.method, "undefined" if result.value is None else f"{result.value:.4f}", result.items,
             result.raters, f"{result.observed:.4f}", f"{result.expected:.4f}")
        ],
    )  # fmt: skip


@qa_app.command("score")
def score(
    form: str = typer.Option(..., help="Form id, e.g. voice_cs (see `cxcert qa forms list`)."),
    version: int = typer.Option(..., help="The form version the evaluations pinned."),
    items: Path = typer.Option(..., help="CSV/Parquet of evaluation items: evaluation_id, parameter_id, result."),
    forms_dir: Path | None = typer.Option(None, "--forms-dir", help=qa_forms.FORMS_DIR_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Score evaluations on a form version: points, section weights, fatal rules and error flags.

    Example: cxcert qa score --form voice_cs --version 2 --items items.csv
    """
    from cxcert.quality.form import ErrorClass
    from cxcert.quality.scoring import error_column, score_batch

    registry = qa_forms.form_registry(forms_dir)
    registry.get(form, version)  # a clear NotFound before reading the file
    frame = read_frame(items)
    frame = frame.assign(form_id=form, form_version=version)
    result = score_batch(frame, registry).frame
    if json_out:
        records = result.astype(object).where(result.notna(), None).to_dict(orient="records")
        print_json({"form_id": form, "form_version": version, "evaluations": records})
        return
    columns = ["evaluation", "earned", "possible", "score", "fatal", *[c.replace("_", " ") for c in ErrorClass]]
    rows = [
        (
            r["evaluation_id"], f"{r['earned']:g}", f"{r['possible']:g}",
            "-" if r["score"] != r["score"] else f"{r['score']:.1%}", "yes" if r["fatal"] else "",
            *["error" if r[error_column(c)] else "" for c in ErrorClass],
        )
        for r in result.to_dict(orient="records")
    ]  # fmt: skip
    print_table(f"Scores on {form} v{version}", columns, rows)
