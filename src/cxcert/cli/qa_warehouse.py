"""What the sampling commands read from an entity's warehouse: the answered contacts of a period (the population
a QA sample is drawn from), the contacts of a month that were evaluated, and each agent's answered contacts.

A contact is answered when it has an ``answered_at`` and is not abandoned; periods are local dates of the site
(``cxcert.performance.periods.Window``). Heavy imports happen inside the functions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cxcert.errors import CxcertError

if TYPE_CHECKING:
    import pandas as pd

    from cxcert.performance.periods import Window

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_window(text: str, option: str, zone: str) -> Window:
    """``YYYY-MM`` as the window of that month's local dates in ``zone``."""
    from cxcert.performance.periods import Window

    match = _MONTH.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise CxcertError(f"{option}: {text!r} is not a month; write YYYY-MM, e.g. 2026-03")
    year, month = int(match.group(1)), int(match.group(2))
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Window(zone, first, following - dt.timedelta(days=1))


def answered_contacts(
    entity: str, window: Window, *, program: str | None = None, queue: str | None = None, channel: str | None = None
) -> Any:
    """An Ibis expression over the entity's answered contacts that arrived in ``window`` (filtered as asked)."""
    from cxcert.performance.periods import utc_literal
    from cxcert.warehouse import Warehouse

    contacts = Warehouse.default().table("contacts", entity)
    contacts = contacts.filter(
        contacts.arrived_at >= utc_literal(window.utc_start),
        contacts.arrived_at < utc_literal(window.utc_end),
        contacts.answered_at.notnull(),
        ~contacts.abandoned,
    )
    for column, value in (("program", program), ("queue", queue), ("channel", channel)):
        if value is not None:
            contacts = contacts.filter(contacts[column] == value)
    return contacts


def contacts_frame(
    entity: str, window: Window, *, program: str | None, queue: str | None, channel: str | None
) -> pd.DataFrame:
    """The answered contacts as a frame to draw from: contact_id, agent_id, queue, channel, program, and day (the
    local date of arrival)."""
    columns = ["contact_id", "agent_id", "queue", "channel", "program", "arrived_at"]
    expr = answered_contacts(entity, window, program=program, queue=queue, channel=channel).select(*columns)
    frame: pd.DataFrame = expr.to_pandas()
    frame["day"] = frame["arrived_at"].dt.tz_convert(window.tz).dt.date.astype(str)
    return frame.drop(columns=["arrived_at"])


def where(entity: str, window: Window, **filters: str | None) -> str:
    """The population in words, for messages: 'entity E's answered contacts from .. to .. (zone), program P'."""
    chosen = ", ".join(f"{k} {v}" for k, v in filters.items() if v is not None)
    return f"entity {entity}'s answered contacts from {window.start} to {window.end} ({window.tz})" + (
        f", {chosen}" if chosen else ""
    )


@dataclass(frozen=True)
class MonthSample:
    population: int  # answered contacts of the month
    evaluated: int  # of those, the contacts with at least one evaluation
    evaluations: int  # evaluations of those contacts (a contact evaluated twice counts once above)


def month_sample(entity: str, window: Window, program: str | None) -> MonthSample:
    """How many of the month's answered contacts were evaluated (evaluations joined on contact_id)."""
    from cxcert.warehouse import Warehouse

    contacts = answered_contacts(entity, window, program=program).select("contact_id")
    evaluations = Warehouse.default().table("evaluations", entity)
    matched = evaluations.filter(evaluations.contact_id.isin(contacts.contact_id))
    population = int(contacts.count().execute())
    evaluated = int(matched.contact_id.nunique().execute())
    return MonthSample(population, evaluated, int(matched.count().execute()))


def contacts_per_agent(entity: str, window: Window, program: str | None) -> tuple[dict[str, int], int]:
    """Each agent's answered contacts in ``window``, and how many answered contacts name no agent."""
    contacts = answered_contacts(entity, window, program=program)
    counts = contacts.group_by("agent_id").aggregate(contacts=contacts.count()).to_pandas()
    blank = counts["agent_id"].isna() | (counts["agent_id"].astype(str).str.strip() == "")
    per_agent = {str(a): int(c) for a, c in zip(counts.loc[~blank, "agent_id"], counts.loc[~blank, "contacts"],
                                                strict=True)}  # fmt: skip
    return dict(sorted(per_agent.items())), int(counts.loc[blank, "contacts"].sum())
