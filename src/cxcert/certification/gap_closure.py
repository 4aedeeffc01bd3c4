"""Gap closure: a plan of structured calls every ``gap_closure_call_interval_days`` with agenda, owner, outcome.

docs/domain.md section 3 step 6. The default agenda is data (``data/gap_closure_agenda.yaml``): identify the KCRPs,
then the metrics of each KCRP, then the key suppliers, and so on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum
from functools import cache

from pydantic import Field, model_validator

from cxcert.errors import CxcertError
from cxcert.standards.rule_set import RuleSet
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import load_packaged

DEFAULT_OWNER = "*"  # key of ``owners`` that owns every topic not named explicitly


class AgendaTopic(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str


class GapClosureAgenda(Frozen):
    source_note: str
    topics: tuple[AgendaTopic, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> GapClosureAgenda:
        ids = [t.id for t in self.topics]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"topic ids repeat: {', '.join(dupes)}")
        return self


@cache
def default_agenda() -> GapClosureAgenda:
    """The packaged default agenda."""
    return load_packaged("cxcert.certification", "gap_closure_agenda.yaml", GapClosureAgenda)


class CallStatus(StrEnum):
    HELD = "held"
    OVERDUE = "overdue"  # its day has passed and no outcome is recorded
    PLANNED = "planned"


class GapClosureCall(Frozen):
    """One structured call of the gap closure plan."""

    number: int = Field(ge=1)
    scheduled_on: dt.date
    topic_id: str
    topic: str
    owner: str | None = None
    outcome: str | None = None
    held_on: dt.date | None = None

    @property
    def held(self) -> bool:
        return self.held_on is not None

    def status(self, today: dt.date) -> CallStatus:
        """Held once its outcome is recorded; overdue when its day has passed without one; else planned."""
        if self.held:
            return CallStatus.HELD
        return CallStatus.OVERDUE if self.scheduled_on < today else CallStatus.PLANNED

    def record(self, held_on: dt.date, outcome: str, *, owner: str | None = None) -> GapClosureCall:
        """The same call, held on ``held_on`` with its ``outcome`` (and ``owner`` when given)."""
        if not outcome.strip():
            raise CxcertError(f"gap closure call {self.number}: say what the call concluded (outcome is empty)")
        update: dict[str, object] = {"held_on": held_on, "outcome": outcome.strip()}
        if owner is not None and owner.strip():
            update["owner"] = owner.strip()
        return self.model_copy(update=update)


def _topics(agenda: Sequence[str] | None) -> list[AgendaTopic]:
    packaged = default_agenda().topics
    if agenda is None:
        return list(packaged)
    if not agenda:
        raise CxcertError("the gap closure agenda is empty; give at least one topic or use the default agenda")
    by_id = {t.id: t for t in packaged}
    out = []
    for n, entry in enumerate(agenda, start=1):
        text = entry.strip()
        if not text:
            raise CxcertError(f"gap closure agenda topic {n} is empty")
        # A packaged topic id brings its title; any other text is a topic of its own.
        out.append(by_id.get(text) or AgendaTopic(id=f"topic_{n}", title=text))
    return out


def plan_gap_closure(
    start: dt.date,
    rule_set: RuleSet,
    *,
    owners: Mapping[str, str],
    agenda: Sequence[str] | None = None,
    calls: int | None = None,
) -> tuple[GapClosureCall, ...]:
    """One call per agenda topic, the first on ``start``, then every ``gap_closure_call_interval_days``.

    ``owners`` maps a topic id (or ``"*"`` for every other topic) to the person who owns it; naming a topic that
    is not on the agenda is refused, to catch typos. ``agenda`` lists packaged topic ids or free topic titles;
    None uses the packaged default agenda. ``calls`` keeps only the first that many topics (None: all of them).
    """
    topics = _topics(agenda)
    if calls is not None:
        if not 1 <= calls <= len(topics):
            raise CxcertError(
                f"a gap closure plan of {calls} calls: the agenda has {len(topics)} topics, one per call; "
                f"give 1 to {len(topics)} calls or a longer agenda"
            )
        topics = topics[:calls]
    ids = {t.id for t in topics}
    unknown = sorted(k for k in owners if k != DEFAULT_OWNER and k not in ids)
    if unknown:
        raise CxcertError(
            f"owners name topics not on the agenda: {', '.join(unknown)}; topics are {', '.join(t.id for t in topics)}"
        )
    interval = dt.timedelta(days=rule_set.gap_closure_call_interval_days)
    return tuple(
        GapClosureCall(
            number=n,
            scheduled_on=start + interval * (n - 1),
            topic_id=topic.id,
            topic=topic.title,
            owner=owners.get(topic.id, owners.get(DEFAULT_OWNER)),
        )
        for n, topic in enumerate(topics, start=1)
    )


def check_replan(entity_id: str, current: Sequence[GapClosureCall]) -> None:
    """Refuse to replace a plan whose calls have been held: their outcomes are the record of the gap closure."""
    held = [c.number for c in current if c.held]
    if held:
        raise CxcertError(
            f"the gap closure plan of {entity_id} has calls held already ({', '.join(map(str, held))}); "
            "their outcomes are kept, so the plan cannot be replaced"
        )
