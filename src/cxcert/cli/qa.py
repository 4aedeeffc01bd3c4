"""`cxcert qa ...`: quality monitoring science from the command line (sample sizes, draws, agreement, scoring).

The core lives in :mod:`cxcert.quality`; this module only reads files, calls it and prints. Heavy imports
(pandas, scipy) happen inside the commands so that `cxcert --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cxcert.cli import qa_accuracy, qa_calibrate, qa_coaching, qa_evaluate, qa_feedback
from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    import pandas as pd

qa_app = typer.Typer(
    help=(
        "Quality monitoring: how many contacts to evaluate, which ones, whether last month's sample was enough, "
        "how well evaluators agree, and evaluation scores on versioned QA forms.\n\n"
        "Examples:\n\n"
        "  cxcert qa sample-size --population 2000\n\n"
        "  cxcert qa sample --contacts contacts.csv --n 200 --strata agent_id --seed 42\n\n"
        "  cxcert qa check-sample --actual 180 --population 2000\n\n"
        "  cxcert qa kappa ratings.csv --method fleiss\n\n"
        "  cxcert qa calibrate session.csv --anchor qa_lead\n\n"
        "  cxcert qa evaluate --form voice_cs --version 2 --agent a17 --evaluator qa3 --contact c1 "
        "--result greeting=pass ...\n\n"
        "  cxcert qa forms list"
    ),
    no_args_is_help=True,
)
forms_app = typer.Typer(help="The QA forms shipped with cxcert (versioned; published versions are frozen).")
qa_app.add_typer(forms_app, name="forms")
qa_evaluate.register(qa_app)  # qa evaluate
qa_calibrate.register(qa_app)  # qa calibrate
qa_accuracy.register(qa_app)  # qa accuracy
qa_feedback.register(qa_app)  # qa dispute
qa_coaching.register(qa_app)  # qa coaching

JSON_HELP = "Print JSON instead of a table."


def register(app: typer.Typer) -> None:
    app.add_typer(qa_app, name="qa")


def _read_table(path: Path) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise CxcertError(f"file not found: {path}")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (ValueError, OSError) as exc:
        raise CxcertError(f"cannot read {path}: {exc}") from exc


def _pct(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


@qa_app.command("sample-size")
def sample_size(
    confidence: float | None = typer.Option(None, help="Confidence level, e.g. 0.95 (default from YAML)."),
    precision: float | None = typer.Option(None, help="Margin of error as a fraction, e.g. 0.05 for +/-5 %."),
    population: int | None = typer.Option(None, help="Contacts in the period (applies the finite correction)."),
    p: float | None = typer.Option(None, "--p", help="Anticipated accuracy; 0.5 is the conservative default."),
    per_agent: int | None = typer.Option(
        None, "--per-agent", help="Also size an agent-level estimate for an agent handling K contacts."
    ),
    agent_precision: float | None = typer.Option(None, help="Margin for the per-agent estimate (default YAML)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """How many contacts to evaluate for an accuracy estimate at a confidence and precision (Cochran).

    n0 = z^2 p(1-p) / e^2, corrected for a finite population N: n = n0 / (1 + (n0 - 1)/N), rounded up.

    Example: cxcert qa sample-size --confidence 0.95 --precision 0.05 --population 2000  ->  323
    """
    from cxcert.quality.sampling import cochran_sample_size, sampling_defaults

    defaults = sampling_defaults()
    c = confidence if confidence is not None else defaults.confidence
    e = precision if precision is not None else defaults.precision
    pp = p if p is not None else defaults.p
    program = cochran_sample_size(c, e, pp, population)
    results = [("program", program)]
    if per_agent is not None:
        ae = agent_precision if agent_precision is not None else defaults.agent_precision
        results.append(("per agent", cochran_sample_size(c, ae, pp, per_agent)))
    if json_out:
        print_json(
            [
                {
                    "scope": scope, "required": s.required, "n0": s.n0, "n": s.n, "population": s.population,
                    "confidence": s.confidence, "precision": s.precision, "p": s.p, "z": s.z,
                    "explanation": s.explanation.to_dict(),
                }
                for scope, s in results
            ]
        )  # fmt: skip
        return
    print_table(
        "Required sample size (Cochran)",
        ("scope", "population", "confidence", "precision", "p", "n0", "n (FPC)", "required"),
        [
            (scope, s.population or "large", f"{s.confidence:.0%}", f"+/-{s.precision:.1%}", s.p,
             f"{s.n0:.2f}", f"{s.n:.2f}", s.required)
            for scope, s in results
        ],
    )  # fmt: skip


@qa_app.command("check-sample")
def check_sample(
    actual: int = typer.Option(..., help="Evaluations done in the month."),
    population: int = typer.Option(..., help="Contacts handled in the month."),
    precision: float | None = typer.Option(None, help="Target margin of error, e.g. 0.05 (default YAML)."),
    confidence: float | None = typer.Option(None, help="Confidence level (default YAML)."),
    p: float | None = typer.Option(None, "--p", help="Observed or anticipated accuracy (default 0.5)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Was a month's sample large enough, and what precision did it actually achieve?

    Example: cxcert qa check-sample --actual 180 --population 2000 --precision 0.05
    (too small: it achieves about +/-6.9 %, 323 were needed).
    """
    from cxcert.quality.sampling import check_month_sample, sampling_defaults

    defaults = sampling_defaults()
    check = check_month_sample(
        actual,
        population,
        precision if precision is not None else defaults.precision,
        confidence if confidence is not None else defaults.confidence,
        p if p is not None else defaults.p,
    )
    if json_out:
        print_json(
            {
                "adequate": check.adequate, "achieved_margin": check.achieved_margin, "required_n": check.required_n,
                "actual_n": check.actual_n, "population": check.population,
                "target_precision": check.target_precision, "confidence": check.confidence, "p": check.p,
                "explanation": check.explanation.to_dict(),
            }
        )  # fmt: skip
        return
    print_table(
        "Monthly sample check",
        ("actual", "population", "required", "target", "achieved", "adequate"),
        [
            (check.actual_n, check.population, check.required_n, f"+/-{check.target_precision:.2%}",
             "-" if check.achieved_margin is None else f"+/-{check.achieved_margin:.2%}",
             "yes" if check.adequate else "NO")
        ],
    )  # fmt: skip
    console.print(check.explanation.summary, highlight=False)


def _strata(values: list[str]) -> list[str]:
    return [s.strip() for v in values for s in v.split(",") if s.strip()]


@qa_app.command("sample")
def sample(
    contacts: Path = typer.Option(..., help="CSV or Parquet with a contact_id column and the strata columns."),
    n: int = typer.Option(..., "--n", help="How many contacts to draw."),
    seed: int = typer.Option(..., help="Random seed: the same seed and file give the same draw."),
    strata: list[str] = typer.Option(
        [], help="Stratum column(s), e.g. agent_id, queue, channel, day (day derives from arrived_at)."
    ),
    allocation: str = typer.Option("proportional", help="proportional or equal allocation across strata."),
    out: Path | None = typer.Option(None, help="Write the drawn contacts to this CSV."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Draw a reproducible random (or stratified) sample of contacts to evaluate.

    Example: cxcert qa sample --contacts contacts.csv --n 200 --strata agent_id --seed 42 --out sample.csv
    """
    import pandas as pd

    from cxcert.quality.draw import Allocation, draw_sample

    try:
        how = Allocation(allocation)
    except ValueError as exc:
        raise CxcertError(f"allocation must be proportional or equal, got {allocation!r}") from exc
    frame = _read_table(contacts)
    columns = _strata(strata)
    if "day" in columns and "day" not in frame.columns:
        if "arrived_at" not in frame.columns:
            raise CxcertError("stratum 'day' needs a 'day' or an 'arrived_at' column")
        arrived = pd.to_datetime(frame["arrived_at"], utc=True, errors="coerce")
        if arrived.isna().any():
            row = int(arrived.isna().to_numpy().nonzero()[0][0])
            raise CxcertError(f"{contacts}: row {row + 2}: arrived_at is not a timestamp")
        frame["day"] = arrived.dt.date.astype(str)
    draw = draw_sample(frame, n, seed, columns, how)
    if out is not None:
        pd.DataFrame({"contact_id": draw.contact_ids, "stratum": [c.stratum for c in draw.contacts]}).to_csv(
            out, index=False
        )
    if json_out:
        print_json(
            {
                "seed": draw.seed, "strata": list(draw.strata_columns), "allocation": str(draw.allocation),
                "per_stratum": {k: {"drawn": d, "population": s} for k, (d, s) in draw.per_stratum.items()},
                "contacts": [{"contact_id": c.contact_id, "stratum": c.stratum} for c in draw.contacts],
                "summary": draw.explanation.summary,
            }
        )  # fmt: skip
        return
    print_table(
        f"Draw (seed {draw.seed})",
        ("stratum", "drawn", "population"),
        [(k, d, s) for k, (d, s) in draw.per_stratum.items()],
    )
    console.print(draw.explanation.summary + (f"; written to {out}" if out else ""), highlight=False)


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
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Agreement between evaluators who scored the same items (calibration).

    cohen (2 raters), cohen-linear / cohen-quadratic (weighted, ordered scale), fleiss (any number of raters,
    no blanks), alpha-nominal / alpha-ordinal / alpha-interval / alpha-ratio (Krippendorff; blanks allowed).
    A first column named item, item_id, contact_id, evaluation_id or id is taken as the item label.

    Example: cxcert qa kappa calibration.csv --method alpha-ordinal
    """
    from cxcert.quality.alpha import MeasurementLevel, krippendorff_alpha
    from cxcert.quality.kappa import KappaWeights, cohen_kappa, fleiss_kappa

    if method not in KAPPA_METHODS:
        raise CxcertError(f"unknown method {method!r} (one of: {', '.join(KAPPA_METHODS)})")
    frame = _read_table(ratings)
    if len(frame.columns) and str(frame.columns[0]).strip().lower() in _ID_COLUMNS:
        frame = frame.set_index(frame.columns[0])
    if frame.shape[1] < 2:
        raise CxcertError(f"{ratings}: need at least two rater columns, found {frame.shape[1]}")
    matrix = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    if method.startswith("cohen"):
        if frame.shape[1] != 2:
            raise CxcertError(f"Cohen's kappa compares exactly two raters; {ratings} has {frame.shape[1]} columns")
        weights = {"cohen": KappaWeights.NONE, "cohen-linear": KappaWeights.LINEAR}.get(method, KappaWeights.QUADRATIC)
        result = cohen_kappa([r[0] for r in matrix], [r[1] for r in matrix], weights)
    elif method == "fleiss":
        result = fleiss_kappa(matrix)
    else:
        result = krippendorff_alpha(matrix, MeasurementLevel(method.removeprefix("alpha-")))
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
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Score evaluations on a form version: points, section weights, fatal rules and error flags.

    Example: cxcert qa score --form voice_cs --version 2 --items items.csv
    """
    from cxcert.quality.form import ErrorClass
    from cxcert.quality.form_registry import FormRegistry
    from cxcert.quality.scoring import error_column, score_batch

    registry = FormRegistry.packaged()
    registry.get(form, version)  # a clear NotFound before reading the file
    frame = _read_table(items)
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


@forms_app.command("list")
def forms_list(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the QA forms and versions shipped with cxcert."""
    from cxcert.quality.form_registry import FormRegistry

    forms = list(FormRegistry.packaged())
    if json_out:
        print_json(
            [
                {"id": f.id, "version": f.version, "title": f.title, "status": str(f.status),
                 "published_on": f.published_on, "parameters": len(f.parameters), "hash": f.content_hash()}
                for f in forms
            ]
        )  # fmt: skip
        return
    print_table(
        "QA forms",
        ("id", "version", "title", "status", "published on", "sections", "parameters"),
        [(f.id, f.version, f.title, f.status, f.published_on, len(f.sections), len(f.parameters)) for f in forms],
    )


@forms_app.command("show")
def forms_show(
    form_id: str = typer.Argument(..., help="Form id, e.g. voice_cs."),
    version: int | None = typer.Option(None, help="Version (default: the latest published)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show a form's grid: sections with weights, parameters with points, error class, fatal rule and rationale.

    Example: cxcert qa forms show voice_cs --version 1
    """
    from cxcert.quality.form_registry import FormRegistry

    registry = FormRegistry.packaged()
    form = registry.get(form_id, version) if version is not None else registry.latest(form_id)
    if json_out:
        print_json({**form.model_dump(mode="json"), "content_hash": form.content_hash()})
        return
    console.print(f"[bold]{form.title}[/] ({form.label}, {form.status}, published {form.published_on})")
    print_table("Sections", ("id", "title", "weight"), [(s.id, s.title, f"{s.weight:g}") for s in form.sections])
    print_table(
        "Parameters",
        ("id", "section", "points", "weight", "error class", "fatal", "rationale"),
        [(p.id, p.section, f"{p.points:g}", f"{p.weight:g}", p.error_class, p.fatal, p.rationale)
         for p in form.parameters],
    )  # fmt: skip
