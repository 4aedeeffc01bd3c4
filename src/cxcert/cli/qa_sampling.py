"""`cxcert qa sample-size`, `qa check-sample` and `qa sample`: how many contacts to evaluate, whether a month's
sample was enough, and which contacts to evaluate, from numbers given, a file, or the entity's warehouse.

The science is :mod:`cxcert.quality.sampling` and :mod:`cxcert.quality.draw`; the warehouse reads are
:mod:`cxcert.cli.qa_warehouse`. Heavy imports happen inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    import pandas as pd

    from cxcert.quality.sampling import SampleSize

JSON_HELP = "Print JSON instead of a table."


def register(qa_app: typer.Typer) -> None:
    qa_app.command("sample-size")(sample_size)
    qa_app.command("check-sample")(check_sample)
    qa_app.command("sample")(sample)


def _both(entity: str | None, period: str | None, option: str) -> bool:
    """Whether the warehouse is asked for: --entity and the period option come together."""
    if (entity is None) != (period is None):
        raise CxcertError(f"give --entity and {option} together to read the warehouse")
    return entity is not None


def _agents_file(path: Path) -> dict[str, int]:
    """agent_id,contacts rows (a CSV or Parquet file) as a mapping; mistakes name the file's line."""
    from cxcert.cli.qa_files import read_frame

    frame = read_frame(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("agent_id", "contacts") if c not in frame.columns]
    if missing:
        raise CxcertError(f"{path}: missing column(s) {', '.join(missing)}; write agent_id,contacts")
    counts: dict[str, int] = {}
    unit = frame.index.name
    for number, agent, contacts in zip(frame.index, frame["agent_id"], frame["contacts"], strict=True):
        line = f"{unit} {number}"
        name = "" if agent is None or agent != agent else str(agent).strip()
        text = "" if contacts is None or contacts != contacts else str(contacts).strip()
        if not name:
            raise CxcertError(f"{path}: {line}: agent_id is empty")
        if not text.isdigit():
            raise CxcertError(f"{path}: {line}: contacts {text!r} is not a whole number of contacts")
        if name in counts:
            raise CxcertError(f"{path}: {line}: agent {name} appears more than once")
        counts[name] = int(text)
    if not counts:
        raise CxcertError(f"{path}: no agents")
    return counts


def _size_json(scope: str, s: SampleSize, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope, **extra, "required": s.required, "n0": s.n0, "n": s.n, "population": s.population,
        "confidence": s.confidence, "precision": s.precision, "p": s.p, "z": s.z,
        "explanation": s.explanation.to_dict(),
    }  # fmt: skip


def sample_size(
    confidence: float | None = typer.Option(None, help="Confidence level, e.g. 0.95 (default from YAML)."),
    precision: float | None = typer.Option(None, help="Margin of error as a fraction, e.g. 0.05 for +/-5 %."),
    population: int | None = typer.Option(None, help="Contacts in the period (applies the finite correction)."),
    p: float | None = typer.Option(None, "--p", help="Anticipated accuracy; 0.5 is the conservative default."),
    per_agent: int | None = typer.Option(
        None, "--per-agent", help="Also size an agent-level estimate for an agent handling K contacts."
    ),
    agent_precision: float | None = typer.Option(None, help="Margin for the per-agent estimate (default YAML)."),
    entity: str | None = typer.Option(None, "--entity", help="Count the population in this entity's warehouse."),
    month: str | None = typer.Option(None, "--month", help="With --entity: the month, YYYY-MM."),
    program: str | None = typer.Option(None, "--program", help="With --entity: only this program's contacts."),
    by_agent: bool = typer.Option(False, "--by-agent", help="With --entity --month: the sample each agent needs."),
    agents: Path | None = typer.Option(None, "--agents", help="CSV of agent_id,contacts: the sample each needs."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of the month; default the entity's first location."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """How many contacts to evaluate for an accuracy estimate at a confidence and precision (Cochran).

    n0 = z^2 p(1-p) / e^2, corrected for a finite population N: n = n0 / (1 + (n0 - 1)/N), rounded up.
    With --entity and --month, N is the month's answered contacts in the warehouse; --by-agent (or --agents FILE)
    also lists each agent's contacts and the sample each agent needs at the per-agent precision (each agent's
    contacts are the population of its own estimate).

    Example: cxcert qa sample-size --confidence 0.95 --precision 0.05 --population 2000  ->  323

    Example: cxcert qa sample-size --entity acme-care --month 2026-03 --by-agent
    """
    from cxcert.quality.sampling import cochran_sample_size, per_agent_sample_sizes, sampling_defaults

    defaults = sampling_defaults()
    c = confidence if confidence is not None else defaults.confidence
    e = precision if precision is not None else defaults.precision
    ae = agent_precision if agent_precision is not None else defaults.agent_precision
    pp = p if p is not None else defaults.p
    counts: dict[str, int] | None = None
    source: str | None = None
    if _both(entity, month, "--month"):
        assert entity is not None and month is not None
        from cxcert.cli.qa_warehouse import contacts_per_agent, month_sample, month_window, where
        from cxcert.cli.site import site_zone

        if population is not None or agents is not None:
            raise CxcertError("--entity --month counts the population; leave out --population and --agents")
        window = month_window(month, "--month", site_zone(entity, tz))
        source = where(entity, window, program=program)
        population = month_sample(entity, window, program).population
        if population == 0:
            raise CxcertError(f"no answered contacts: {source}")
        if by_agent:
            counts, _ = contacts_per_agent(entity, window, program)
    elif by_agent:
        raise CxcertError("--by-agent reads each agent's contacts from the warehouse: give --entity and --month")
    elif program is not None:
        raise CxcertError("--program filters the warehouse's contacts: give --entity and --month")
    if agents is not None:
        counts = _agents_file(agents)
        if population is None:
            population, source = sum(counts.values()), f"the agents' contacts in {agents}"
    program_size = cochran_sample_size(c, e, pp, population)
    results = [("program", program_size)]
    if per_agent is not None:
        results.append(("per agent", cochran_sample_size(c, ae, pp, per_agent)))
    by_agents = per_agent_sample_sizes(counts, c, ae, pp) if counts is not None else None
    if json_out:
        payload = [_size_json(scope, s, **({"source": source} if scope == "program" else {})) for scope, s in results]
        if by_agents is not None:
            payload += [_size_json("agent", s, agent_id=a) for a, s in by_agents.per_agent.items()]
            payload.append(
                {"scope": "all agents", "agents": len(by_agents.per_agent), "required": by_agents.total_required,
                 "explanation": by_agents.explanation.to_dict()}
            )  # fmt: skip
        print_json(payload)
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
    if source is not None:
        console.print(f"population: {source}", highlight=False, markup=False)
    if by_agents is not None:
        print_table(
            f"Per agent (+/-{ae:.1%} at {c:.0%})",
            ("agent", "contacts", "n (FPC)", "required"),
            [(a, s.population, f"{s.n:.2f}", s.required) for a, s in by_agents.per_agent.items()],
        )
        console.print(by_agents.explanation.render(), highlight=False, markup=False)


def check_sample(
    actual: int | None = typer.Option(None, help="Evaluations done in the month."),
    population: int | None = typer.Option(None, help="Contacts handled in the month."),
    entity: str | None = typer.Option(None, "--entity", help="Count both in this entity's warehouse instead."),
    month: str | None = typer.Option(None, "--month", help="With --entity: the month, YYYY-MM."),
    program: str | None = typer.Option(None, "--program", help="With --entity: only this program."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of the month; default the entity's first location."),
    precision: float | None = typer.Option(None, help="Target margin of error, e.g. 0.05 (default YAML)."),
    confidence: float | None = typer.Option(None, help="Confidence level (default YAML)."),
    p: float | None = typer.Option(None, "--p", help="Observed or anticipated accuracy (default 0.5)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Was a month's sample large enough, what precision did it actually achieve, and what was needed?

    With --entity and --month the population is the month's answered contacts and the sample the ones among
    them that were evaluated (evaluations matched on contact_id; a contact evaluated twice counts once).

    Example: cxcert qa check-sample --actual 180 --population 2000 --precision 0.05
    (too small: it achieves about +/-6.9 %, 323 were needed).

    Example: cxcert qa check-sample --entity acme-care --month 2026-03 --program care
    """
    from cxcert.quality.sampling import check_month_sample, sampling_defaults

    counted: dict[str, Any] | None = None
    if _both(entity, month, "--month"):
        assert entity is not None and month is not None
        from cxcert.cli.qa_warehouse import month_sample, month_window, where
        from cxcert.cli.site import site_zone

        if actual is not None or population is not None:
            raise CxcertError("--entity --month counts the sample and the population; leave out --actual/--population")
        window = month_window(month, "--month", site_zone(entity, tz))
        found = month_sample(entity, window, program)
        source = where(entity, window, program=program)
        if found.population == 0:
            raise CxcertError(f"no answered contacts: {source}")
        actual, population = found.evaluated, found.population
        counted = {"entity": entity, "month": month, "program": program, "tz": window.tz, "source": source,
                   "evaluations": found.evaluations}  # fmt: skip
    elif program is not None:
        raise CxcertError("--program filters the warehouse: give --entity and --month")
    if actual is None or population is None:
        raise CxcertError("give --actual and --population, or --entity and --month to count them in the warehouse")
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
                "counted": counted, "explanation": check.explanation.to_dict(),
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
    if counted is not None:
        console.print(
            f"counted: {counted['source']}; {check.actual_n} of them evaluated ({counted['evaluations']} evaluations)",
            highlight=False,
            markup=False,
        )
    console.print(check.explanation.summary, highlight=False)


def _strata(values: list[str]) -> list[str]:
    return [s.strip() for v in values for s in v.split(",") if s.strip()]


def _file_contacts(contacts: Path, columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    from cxcert.cli.qa_files import read_frame

    frame = read_frame(contacts)
    if "day" in columns and "day" not in frame.columns:
        if "arrived_at" not in frame.columns:
            raise CxcertError("stratum 'day' needs a 'day' or an 'arrived_at' column")
        arrived = pd.to_datetime(frame["arrived_at"], utc=True, errors="coerce", format="ISO8601")
        if arrived.isna().any():
            number = int(arrived.index[arrived.isna()][0])
            raise CxcertError(f"{contacts}: {frame.index.name} {number}: arrived_at is not a timestamp")
        frame["day"] = arrived.dt.date.astype(str)
    return frame


def sample(
    contacts: Path | None = typer.Option(
        None, help="CSV or Parquet with a contact_id column and the strata columns (or use --entity)."
    ),
    entity: str | None = typer.Option(None, "--entity", help="Draw from this entity's answered contacts instead."),
    start: str | None = typer.Option(None, "--from", help="With --entity: first local date of arrival."),
    end: str | None = typer.Option(None, "--to", help="With --entity: last local date (inclusive)."),
    program: str | None = typer.Option(None, "--program", help="With --entity: only this program's contacts."),
    queue: str | None = typer.Option(None, "--queue", help="With --entity: only this queue's contacts."),
    channel: str | None = typer.Option(None, "--channel", help="With --entity: only this channel's contacts."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of the dates; default the entity's first location."),
    n: int = typer.Option(..., "--n", help="How many contacts to draw."),
    seed: int = typer.Option(..., help="Random seed: the same seed and contacts give the same draw."),
    strata: list[str] = typer.Option(
        [], help="Stratum column(s), e.g. agent_id, queue, channel, day (day derives from arrived_at)."
    ),
    allocation: str = typer.Option("proportional", help="proportional or equal allocation across strata."),
    out: Path | None = typer.Option(None, help="Write the drawn contacts to this CSV (its folder must exist)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Draw a reproducible random (or stratified) sample of contacts to evaluate.

    From a file (--contacts) or from the warehouse: the entity's answered contacts that arrived --from .. --to
    (local dates of the site), optionally one program, queue or channel; there `day` is the local date. The
    contacts are sorted by id before drawing, so the same contacts and seed always give the same sample. A contact
    with a blank stratum value (no agent) falls in the stratum '(blank)'.

    Example: cxcert qa sample --contacts contacts.csv --n 200 --strata agent_id --seed 42 --out sample.csv

    Example: cxcert qa sample --entity acme-care --from 2026-03-01 --to 2026-03-31 --program care --n 300
    --strata agent_id --seed 7
    """
    import pandas as pd

    from cxcert.cli.qa_files import checked_out_path, write_csv
    from cxcert.quality.draw import Allocation, draw_sample

    try:
        how = Allocation(allocation)
    except ValueError as exc:
        raise CxcertError(f"allocation must be proportional or equal, got {allocation!r}") from exc
    if out is not None:
        checked_out_path(out)  # before the work, not after it
    columns = _strata(strata)
    warehouse = entity is not None or start is not None or end is not None
    if warehouse == (contacts is not None):
        raise CxcertError("give either --contacts FILE or --entity ID --from D --to D")
    if warehouse:
        from cxcert.cli.dates import parse_date
        from cxcert.cli.qa_warehouse import contacts_frame, where
        from cxcert.cli.site import site_zone
        from cxcert.performance.periods import Window

        if entity is None or start is None or end is None:
            raise CxcertError("drawing from the warehouse needs --entity, --from and --to")
        window = Window(site_zone(entity, tz), parse_date(start, "--from"), parse_date(end, "--to"))
        frame = contacts_frame(entity, window, program=program, queue=queue, channel=channel)
        if frame.empty:
            population = where(entity, window, program=program, queue=queue, channel=channel)
            raise CxcertError(f"no answered contacts: {population}")
    else:
        assert contacts is not None
        if program is not None or queue is not None or channel is not None:
            raise CxcertError("--program, --queue and --channel filter the warehouse; filter the file beforehand")
        frame = _file_contacts(contacts, columns)
    draw = draw_sample(frame, n, seed, columns, how)
    if out is not None:
        write_csv(out, pd.DataFrame({"contact_id": draw.contact_ids, "stratum": [c.stratum for c in draw.contacts]}))
    if json_out:
        print_json(
            {
                "seed": draw.seed, "strata": list(draw.strata_columns), "allocation": str(draw.allocation),
                "per_stratum": {k: {"drawn": d, "population": s} for k, (d, s) in draw.per_stratum.items()},
                "contacts": [{"contact_id": c.contact_id, "stratum": c.stratum} for c in draw.contacts],
                "summary": draw.explanation.summary, "out": None if out is None else str(out),
            }
        )  # fmt: skip
        return
    print_table(
        f"Draw (seed {draw.seed})",
        ("stratum", "drawn", "population"),
        [(k, d, s) for k, (d, s) in draw.per_stratum.items()],
    )
    console.print(draw.explanation.summary + (f"; written to {out}" if out else ""), highlight=False)
