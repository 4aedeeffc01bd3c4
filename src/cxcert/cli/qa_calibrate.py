"""`cxcert qa calibrate`: agreement of a calibration session and each evaluator's drift from the anchor.

The science is :func:`cxcert.quality.calibration.calibrate`; this module reads the session file (long format),
calls it and prints. Heavy imports (pandas) happen inside the command.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Session:
    """A session file read: calibrate()'s long ratings, whether they are per parameter (items = contact x
    parameter), and the first score that is not a number beside numeric ones (its file line and text)."""

    ratings: pd.DataFrame
    per_parameter: bool
    first_text: tuple[int, str] | None

    @property
    def numeric(self) -> bool:
        return not self.per_parameter and self.ratings["score"].dtype.kind == "f"


def read_session(path: Path) -> Session:
    """The session file as calibrate()'s long ratings (item_id, evaluator_id, score[, critical]).

    Numeric scores become floats; results stay text; blank scores are ratings not given and are dropped. When
    numbers and text are mixed, the scores stay text and ``first_text`` names the first text one.
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
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # the file's lines (the header is line 1)
    if "critical" in text.columns:
        flags = text["critical"].str.lower()
        bad = ~flags.isin(_TRUE | _FALSE)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise CxcertError(f"{path}: line {row + 2}, column critical: {text['critical'].iloc[row]!r} is not yes/no")
        frame["critical"] = flags.isin(_TRUE).to_numpy()
    frame = frame[(frame["score"] != "") & (frame["score"].str.lower() != "nan")]
    if frame.empty:
        raise CxcertError(f"{path}: no ratings")
    first_text: tuple[int, str] | None = None
    if per_parameter:
        from cxcert.quality.evaluation import ItemResult

        for line, value in frame["score"].items():
            try:
                frame.loc[line, "score"] = str(ItemResult.parse(value))
            except ValueError as exc:
                raise CxcertError(f"{path}: line {line}: {exc}") from None
    else:
        numbers = pd.to_numeric(frame["score"], errors="coerce")
        if numbers.notna().all():
            frame["score"] = numbers.astype(float)
        elif numbers.notna().any():
            line = int(numbers.index[numbers.isna()][0])
            first_text = (line, str(frame.loc[line, "score"]))
    return Session(frame.reset_index(drop=True), per_parameter, first_text)


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

    if level is not None and level not in LEVELS:
        raise CxcertError(f"--level must be one of {', '.join(LEVELS)}, got {level!r}")
    if tolerance is not None and tolerance < 0:
        raise CxcertError(f"--tolerance must be zero or more score points, got {tolerance:g}")
    session_file = read_session(file)
    ratings, per_parameter, numeric = session_file.ratings, session_file.per_parameter, session_file.numeric
    if session_file.first_text is not None and level not in ("nominal", "ordinal"):
        line, value = session_file.first_text
        raise CxcertError(
            f"{file}: line {line}: score {value!r} is not a number, among numeric scores; correct it, or give "
            "--level nominal (or ordinal) to treat every score as a category"
        )
    chosen = level or ("interval" if numeric else "nominal")
    if chosen in ("interval", "ratio") and not numeric:
        raise CxcertError(f"--level {chosen} needs numeric scores; {file} holds categories (use nominal or ordinal)")
    if tolerance and not numeric:
        raise CxcertError("--tolerance is in score points: it needs numeric scores (categories agree when equal)")
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
