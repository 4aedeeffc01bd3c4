"""`cxcert qa calibrate`: agreement of a calibration session and each evaluator's drift from the anchor.

The science is :func:`cxcert.quality.calibration.calibrate`; this module reads the session file (long format),
calls it and prints. Heavy imports (pandas) happen inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    import pandas as pd

    from cxcert.quality.kappa import Agreement

LEVELS = ("nominal", "ordinal", "interval", "ratio")
_TRUE = {"true", "yes", "y", "1", "critical"}
_FALSE = {"false", "no", "n", "0", ""}


def register(qa_app: typer.Typer) -> None:
    qa_app.command("calibrate")(calibrate)


def read_session(path: Path) -> tuple[pd.DataFrame, bool]:
    """The session file as calibrate()'s long ratings (item_id, evaluator_id, score[, critical]).

    Returns the ratings and whether they are per parameter (items = contact x parameter). Numeric scores
    become floats; results stay text; blank scores are ratings not given and are dropped.
    """
    import pandas as pd

    if not path.is_file():
        raise CxcertError(f"{path}: no such file")
    try:
        raw = (
            pd.read_parquet(path)
            if path.suffix.lower() in (".parquet", ".pq")
            else pd.read_csv(path, dtype=str, keep_default_na=False)
        )
    except (ValueError, OSError) as exc:
        raise CxcertError(f"{path}: cannot be read ({exc})") from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    per_parameter = "parameter_id" in raw.columns
    value_column = "result" if per_parameter else "score"
    needed = ["contact_id", "evaluator_id", *(["parameter_id"] if per_parameter else []), value_column]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise CxcertError(
            f"{path}: missing column(s) {', '.join(missing)}; write contact_id,evaluator_id,score or "
            "contact_id,evaluator_id,parameter_id,result (optionally critical)"
        )
    text = raw.astype(str).apply(lambda col: col.str.strip())
    item = text["contact_id"] + ("/" + text["parameter_id"] if per_parameter else "")
    frame = pd.DataFrame({"item_id": item, "evaluator_id": text["evaluator_id"], "score": text[value_column]})
    if "critical" in text.columns:
        flags = text["critical"].str.lower()
        bad = ~flags.isin(_TRUE | _FALSE)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise CxcertError(f"{path}: row {row + 2}, column critical: {text['critical'].iloc[row]!r} is not yes/no")
        frame["critical"] = flags.isin(_TRUE)
    frame = frame[(frame["score"] != "") & (frame["score"].str.lower() != "nan")]
    if frame.empty:
        raise CxcertError(f"{path}: no ratings")
    if per_parameter:
        from cxcert.quality.evaluation import ItemResult

        try:
            frame["score"] = [str(ItemResult.parse(v)) for v in frame["score"]]
        except ValueError as exc:
            raise CxcertError(f"{path}: {exc}") from None
    else:
        numbers = pd.to_numeric(frame["score"], errors="coerce")
        if numbers.notna().all():
            frame["score"] = numbers.astype(float)
    return frame.reset_index(drop=True), per_parameter


def calibrate(
    file: Path = typer.Argument(..., help="The session's ratings, long format (see above), CSV or Parquet."),
    anchor: str = typer.Option(..., "--anchor", help="The anchor evaluator (the expert whose scores are right)."),
    level: str | None = typer.Option(
        None,
        "--level",
        help="nominal, ordinal, interval or ratio (default: interval for numeric scores, else nominal).",
    ),
    tolerance: float | None = typer.Option(
        None, "--tolerance", help="Score points within which an evaluator agrees with the anchor (default: exact)."
    ),
    session: str | None = typer.Option(None, "--session", help="Session id (default: the file's name)."),
    held_on: str | None = typer.Option(None, "--on", help="Date of the session, YYYY-MM-DD (default: today)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """A calibration session: how well do evaluators agree, and who drifts from the anchor?

    The file is long, one row per rating. Either one score per contact and evaluator:

      contact_id,evaluator_id,score[,critical]      e.g.  c1,anna,85,no

    or one result per contact, parameter and evaluator (items are contact x parameter):

      contact_id,evaluator_id,parameter_id,result[,critical]      e.g.  c1,anna,greeting,pass

    A blank score is a rating not given (Krippendorff's alpha allows it). `critical` (yes/no) says the evaluator
    called a critical error on the item. Agreement is Krippendorff's alpha at --level, plus Fleiss' kappa when
    every evaluator rated every item on a categorical scale. Each evaluator is compared with --anchor: mean
    difference (+ lenient, - harsh), agreement rate, missed critical calls; the limits that call for
    recalibration come from the packaged calibration_defaults.yaml.

      cxcert qa calibrate session-2026-03.csv --anchor qa_lead --level interval --tolerance 5
    """
    import datetime as dt

    from cxcert.cli.dates import parse_date
    from cxcert.quality.alpha import MeasurementLevel
    from cxcert.quality.calibration import calibrate as run_calibration
    from cxcert.quality.drift import calibration_thresholds

    ratings, per_parameter = read_session(file)
    numeric = not per_parameter and ratings["score"].dtype.kind == "f"
    chosen = level or ("interval" if numeric else "nominal")
    if chosen not in LEVELS:
        raise CxcertError(f"--level must be one of {', '.join(LEVELS)}, got {chosen!r}")
    if chosen in ("interval", "ratio") and not numeric:
        raise CxcertError(f"--level {chosen} needs numeric scores; {file} holds categories (use nominal or ordinal)")
    if anchor not in set(ratings["evaluator_id"]):
        raise CxcertError(f"the anchor '{anchor}' has no rating in {file}")
    limits = calibration_thresholds()
    result = run_calibration(
        ratings,
        session_id=session or file.stem,
        held_on=parse_date(held_on, "--on", default=dt.date.today()),
        anchor_id=anchor,
        level=MeasurementLevel(chosen),
        tolerance=tolerance if tolerance is not None else 0.0,
        thresholds=limits,
    )
    agreements = [result.alpha] + ([result.fleiss] if result.fleiss is not None else [])
    if json_out:
        print_json(
            {
                "session_id": result.session_id,
                "held_on": result.held_on.isoformat(),
                "anchor": result.anchor_id,
                "evaluators": list(result.evaluators),
                "items": result.items,
                "per_parameter": per_parameter,
                "level": chosen,
                "agreement": [_agreement_json(a) for a in agreements],
                "limits": limits.model_dump(mode="json"),
                "drift": [
                    {"evaluator_id": d.evaluator_id, "items": d.items, "mean_difference": d.mean_difference,
                     "mean_abs_difference": d.mean_abs_difference, "agreement_rate": d.agreement_rate,
                     "anchor_critical_calls": d.anchor_critical_calls, "missed_critical": d.missed_critical,
                     "missed_critical_share": d.missed_critical_share, "extra_critical": d.extra_critical,
                     "needs_recalibration": d.needs_recalibration, "explanation": d.explanation.to_dict()}
                    for d in result.drift.evaluators
                ],
                "explanation": result.explanation.to_dict(),
            }
        )  # fmt: skip
        return
    print_table(
        f"Calibration {result.session_id} ({result.items} items, {len(result.evaluators)} evaluators)",
        ("method", "value", "items", "raters", "observed", "expected"),
        [
            (a.method, "undefined" if a.value is None else f"{a.value:.3f}", a.items, a.raters,
             f"{a.observed:.4f} {a.basis}", f"{a.expected:.4f} {a.basis}")
            for a in agreements
        ],
    )  # fmt: skip
    print_table(
        f"Drift from anchor {result.anchor_id}",
        ("evaluator", "items", "mean diff", "mean |diff|", "agreement", "missed critical", "recalibrate"),
        [
            (d.evaluator_id, d.items, _num(d.mean_difference, signed=True), _num(d.mean_abs_difference),
             f"{d.agreement_rate:.0%}", f"{d.missed_critical} of {d.anchor_critical_calls}",
             "YES" if d.needs_recalibration else "no")
            for d in result.drift.evaluators
        ],
    )  # fmt: skip
    console.print(result.drift.explanation.summary, highlight=False, markup=False)
    console.print(
        f"limits (calibration_defaults.yaml): agreement >= {limits.min_agreement_rate:.0%}, mean |diff| <= "
        f"{limits.max_mean_abs_difference:g}, missed critical share <= {limits.max_missed_critical_share:.0%}",
        highlight=False,
        markup=False,
    )


def _agreement_json(a: Agreement) -> dict[str, Any]:
    return {
        "method": a.method, "value": a.value, "observed": a.observed, "expected": a.expected, "basis": a.basis,
        "items": a.items, "raters": a.raters, "explanation": a.explanation.to_dict(),
    }  # fmt: skip


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.2f}" if signed else f"{value:.2f}"
