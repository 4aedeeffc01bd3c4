"""Time as a type: grains, date windows in a site's time zone, and portable period bucketing in Ibis.

Canonical timestamps are UTC. Days, weeks and months are spans of the site's *local* calendar, keyed by their
local start (a naive datetime). Intervals are spans of the local wall clock *at one UTC offset*, keyed by their
UTC start and labelled with local time and offset: when clocks go back, 01:00+01:00 and 01:00+00:00 are two
intervals, not one merged hour.

:func:`period_of` buckets a UTC timestamp by comparing it with the UTC instants at which the window's periods
begin (computed here with :mod:`zoneinfo`), as a balanced tree of ``CASE`` comparisons: a dozen cheap timestamp
comparisons per row for a year of months, and no per-row time-zone or date arithmetic (DuckDB's ``date_diff`` on
a ``TIMESTAMPTZ`` goes through ICU and costs ~0.3 µs a row). Where that tree would be too large (a year of
15-minute intervals) or inexact (a zone whose clock falls back across a day, week or month start), the exact
arithmetic path is used instead: the instant is shifted by the zone's UTC offset (a CASE over the zone's
transitions in the window), intervals and days floor by integer arithmetic on epoch seconds, weeks and months
truncate a naive local timestamp. Both compile on every backend, unlike ``.bucket()`` (no PySpark), and neither
reads a session time zone (DuckDB's ``epoch(ts::TIMESTAMP)`` does).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ibis
import ibis.expr.types as ir

from cxcert.errors import CxcertError

EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NAIVE_EPOCH = ibis.timestamp(dt.datetime(1970, 1, 1))
_DAY_S = 86_400
# The most periods the comparison tree covers (a year of days, 16 days of hours); beyond it, compiling the tree
# (~0.6 ms a period in Ibis, and SQL text the backend must parse) costs more than the arithmetic path saves.
MAX_TREE_PERIODS = 400


class GrainKind(StrEnum):
    INTERVAL = "interval"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


_ORDER = {GrainKind.INTERVAL: 0, GrainKind.DAY: 1, GrainKind.WEEK: 2, GrainKind.MONTH: 3}


@dataclass(frozen=True)
class Grain:
    """A bucketing grain; ``interval_s`` only matters for intervals (weeks start on Monday, ISO 8601)."""

    kind: GrainKind
    interval_s: int = 900

    def __post_init__(self) -> None:
        if self.kind is GrainKind.INTERVAL and (self.interval_s <= 0 or _DAY_S % self.interval_s):
            raise CxcertError(f"an interval must divide a day evenly, got {self.interval_s} s")

    @classmethod
    def parse(cls, text: str, interval_s: int = 900) -> Grain:
        try:
            kind = GrainKind(text.strip().lower())
        except ValueError:
            raise CxcertError(f"unknown grain {text!r}; use one of {', '.join(k.value for k in GrainKind)}") from None
        return cls(kind, interval_s)

    @property
    def label(self) -> str:
        return f"interval ({self.interval_s // 60} min)" if self.kind is GrainKind.INTERVAL else self.kind.value

    def coarser_or_equal(self, other: Grain) -> bool:
        """Whether buckets of ``self`` are unions of buckets of ``other`` (so re-aggregation is exact)."""
        if self.kind is GrainKind.INTERVAL:
            return other.kind is GrainKind.INTERVAL and self.interval_s % other.interval_s == 0
        if self.kind is GrainKind.MONTH and other.kind is GrainKind.WEEK:
            return False  # weeks straddle months
        return _ORDER[self.kind] >= _ORDER[other.kind]


DAY = Grain(GrainKind.DAY)
WEEK = Grain(GrainKind.WEEK)
MONTH = Grain(GrainKind.MONTH)


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise CxcertError(f"unknown IANA time zone {tz!r} (e.g. 'Europe/Paris', 'America/New_York', 'UTC')") from None


@dataclass(frozen=True)
class Window:
    """Local dates ``start``..``end`` (inclusive) in zone ``tz``, with their UTC bounds and offset transitions."""

    tz: str
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        zone(self.tz)
        if self.end < self.start:
            raise CxcertError(f"the window ends ({self.end}) before it starts ({self.start})")

    @property
    def utc_start(self) -> dt.datetime:
        return _local_midnight_utc(self.start, self.tz)

    @property
    def utc_end(self) -> dt.datetime:
        """Exclusive: local midnight after ``end``."""
        return _local_midnight_utc(self.end + dt.timedelta(days=1), self.tz)

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def offsets(self, margin_days: int = 2) -> list[tuple[int, int]]:
        """``(from_epoch_s, utc_offset_s)`` pairs, ascending, covering the window plus a margin."""
        tzinfo = zone(self.tz)
        first = self.utc_start - dt.timedelta(days=margin_days)
        last = self.utc_end + dt.timedelta(days=margin_days)

        def offset_at(epoch: int) -> int:
            moment = EPOCH_UTC + dt.timedelta(seconds=epoch)
            delta = moment.astimezone(tzinfo).utcoffset()
            return int(delta.total_seconds()) if delta is not None else 0

        lo = int((first - EPOCH_UTC).total_seconds())
        hi = int((last - EPOCH_UTC).total_seconds())
        out = [(lo, offset_at(lo))]
        step = 6 * 3600  # zones change offset at most once in a few hours; bisect each change to the second
        t = lo
        while t < hi:
            nxt = min(t + step, hi)
            if offset_at(nxt) != out[-1][1]:
                a, b = t, nxt
                while b - a > 1:
                    mid = (a + b) // 2
                    if offset_at(mid) == out[-1][1]:
                        a = mid
                    else:
                        b = mid
                out.append((b, offset_at(b)))
            t = nxt
        return out


def _local_midnight_utc(day: dt.date, tz: str) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone(tz))
    return local.astimezone(dt.UTC)


def utc_literal(moment: dt.datetime) -> ir.TimestampScalar:
    return ibis.timestamp(moment.astimezone(dt.UTC))


def epoch_seconds(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Seconds since 1970-01-01 UTC, independent of any session time zone."""
    return ts.delta(ibis.timestamp(EPOCH_UTC), unit="second")


def local_epoch(ts: ir.TimestampValue, window: Window) -> ir.IntegerValue:
    """UTC timestamp → seconds since 1970-01-01 on the local wall clock of ``window.tz``."""
    utc = epoch_seconds(ts)
    offsets = window.offsets()
    if len(offsets) == 1:
        return utc + offsets[0][1]
    branches = [(utc >= start, off) for start, off in reversed(offsets[1:])]
    return utc + ibis.cases(*branches, else_=offsets[0][1])


def date_epoch(day: ir.DateValue) -> ir.IntegerValue:
    """A (local) calendar date → local epoch seconds of its midnight."""
    return day.epoch_days() * _DAY_S


def bucket(local_s: ir.IntegerValue, grain: Grain) -> ir.IntegerValue:
    """Floor local epoch seconds to the start of their period, as local epoch seconds.

    Intervals and days floor by integer arithmetic; weeks (ISO, Monday) and months truncate a *naive* timestamp
    built from the local seconds, which no session time zone can shift.
    """
    if grain.kind is GrainKind.INTERVAL:
        return (local_s // grain.interval_s) * grain.interval_s
    if grain.kind is GrainKind.DAY:
        return (local_s // _DAY_S) * _DAY_S
    naive = _NAIVE_EPOCH + local_s.as_interval("s")
    unit = "W" if grain.kind is GrainKind.WEEK else "M"
    return naive.truncate(unit).delta(_NAIVE_EPOCH, unit="second")


def interval_key(ts: ir.TimestampValue, window: Window, grain: Grain) -> ir.IntegerValue:
    """The UTC start (epoch seconds) of the local interval holding ``ts``: the wall clock at the instant's own
    offset, floored, minus that offset. Arithmetic, for any instant."""
    utc = epoch_seconds(ts)
    local = local_epoch(ts, window)
    return bucket(local, grain) - (local - utc)


def _interval_bounds(window: Window, step: int) -> list[tuple[int, int]] | None:
    """``(first_utc_epoch_s, utc_key)`` of every interval in the window, then the window's end; intervals start
    where the wall clock (at the current offset) crosses a multiple of ``step``, and wherever the offset changes."""
    lo = int((window.utc_start - EPOCH_UTC).total_seconds())
    hi = int((window.utc_end - EPOCH_UTC).total_seconds())
    offsets = window.offsets()
    bounds: list[tuple[int, int]] = []
    for i, (since, offset) in enumerate(offsets):
        start = max(since, lo)
        stop = min(offsets[i + 1][0], hi) if i + 1 < len(offsets) else hi
        t = start
        while t < stop:
            key = (t + offset) // step * step - offset
            if not bounds or bounds[-1][1] != key:
                bounds.append((t, key))
            if len(bounds) > MAX_TREE_PERIODS:
                return None
            t = key + step
    bounds.append((hi, hi))  # the window ends at a local midnight: an interval start
    return bounds


def period_bounds(window: Window, grain: Grain) -> list[tuple[int, int]] | None:
    """``(first_utc_epoch_s, period_key)`` for every period overlapping ``window``, then one more pair for the
    period after the last; ``None`` when there are more than :data:`MAX_TREE_PERIODS` or when the zone's clock
    falls back across a day, week or month start in the window (a period would then not be one span of UTC time).
    The key is the local start (local epoch seconds) of a day, week or month, the UTC start of an interval.

    A period's first instant is the earliest UTC second whose local wall clock (UTC + the offset that
    :func:`local_epoch` applies) has reached the period's start, so comparing an instant with these bounds gives
    the same period as flooring its wall clock.
    """
    if grain.kind is GrainKind.INTERVAL:
        return _interval_bounds(window, grain.interval_s)
    step = {GrainKind.DAY: 1, GrainKind.WEEK: 7}
    first = dt.datetime.combine(window.start, dt.time())
    last = dt.datetime.combine(window.end, dt.time(23, 59, 59))
    starts: list[dt.datetime] = [period_start_python(first, grain)]
    while starts[-1] <= last:
        if len(starts) > MAX_TREE_PERIODS:
            return None
        current = starts[-1]
        if grain.kind is GrainKind.MONTH:
            starts.append(current.replace(year=current.year + current.month // 12, month=current.month % 12 + 1))
        else:
            starts.append(current + dt.timedelta(days=step[grain.kind]))
    offsets = window.offsets()
    locals_s = [int((s - dt.datetime(1970, 1, 1)).total_seconds()) for s in starts]
    falls = [(at, before, after) for (_, before), (at, after) in itertools.pairwise(offsets) if after < before]
    if any(at + after < local < at + before for at, before, after in falls for local in locals_s):
        return None
    return [(_first_instant(local, offsets), local) for local in locals_s]


def _first_instant(local_s: int, offsets: list[tuple[int, int]]) -> int:
    """The earliest UTC epoch second whose wall clock (piecewise ``utc + offset``) is at least ``local_s``."""
    candidates = []
    for i, (since, offset) in enumerate(offsets):
        lo = since if i else -(2**62)  # the first offset also applies before the covered span (as in local_epoch)
        hi = offsets[i + 1][0] if i + 1 < len(offsets) else 2**62
        moment = max(lo, local_s - offset)
        if moment < hi:
            candidates.append(moment)
    return min(candidates)


def period_of(ts: ir.TimestampValue, window: Window, grain: Grain) -> ir.IntegerValue:
    """The key of the ``grain`` period holding UTC timestamp ``ts`` in ``window.tz``: the local start (local epoch
    seconds) of a day, week or month; the UTC start (epoch seconds) of an interval.

    Within the window this is a balanced tree of comparisons of ``ts`` with the periods' first instants; outside
    it, and wherever :func:`period_bounds` declines, the arithmetic :func:`bucket` of :func:`local_epoch`. Both
    give the same answer (pinned by tests), the tree is just much cheaper per row.
    """
    if grain.kind is GrainKind.INTERVAL:
        exact = interval_key(ts, window, grain)
    else:
        exact = bucket(local_epoch(ts, window), grain)
    bounds = period_bounds(window, grain)
    if bounds is None:
        return exact
    # Leaves: before the first bound, each period, from the last bound on (the period after the window).
    instants = [EPOCH_UTC + dt.timedelta(seconds=first) for first, _ in bounds]
    leaves: list[ir.IntegerValue] = [exact, *(ibis.literal(local, "int64") for _, local in bounds[:-1]), exact]

    def tree(lo: int, hi: int) -> ir.IntegerValue:
        """Leaves ``lo..hi`` (inclusive); leaf ``i`` holds instants from ``instants[i - 1]`` on."""
        if lo == hi:
            return leaves[lo]
        mid = (lo + hi + 1) // 2
        return ibis.ifelse(ts >= utc_literal(instants[mid - 1]), tree(mid, hi), tree(lo, mid - 1))

    return tree(0, len(leaves) - 1)


def period_start_python(local: dt.datetime, grain: Grain) -> dt.datetime:
    """The same flooring as :func:`bucket`, on a naive local datetime (used to re-aggregate results).

    An aware datetime (an interval's start) floors its own wall clock: to an aware interval start at the same
    offset, or to the naive local start of its day, week or month."""
    if local.tzinfo is not None:
        offset = local.utcoffset() or dt.timedelta()
        start = period_start_python(local.replace(tzinfo=None), grain)
        if grain.kind is not GrainKind.INTERVAL:
            return start
        return (start - offset).replace(tzinfo=dt.UTC).astimezone(local.tzinfo)
    if grain.kind is GrainKind.INTERVAL:
        secs = local.hour * 3600 + local.minute * 60 + local.second
        floored = secs - secs % grain.interval_s
        return dt.datetime.combine(local.date(), dt.time()) + dt.timedelta(seconds=floored)
    day = local.date()
    if grain.kind is GrainKind.WEEK:
        day -= dt.timedelta(days=day.weekday())
    elif grain.kind is GrainKind.MONTH:
        day = day.replace(day=1)
    return dt.datetime.combine(day, dt.time())


def period_end_python(start: dt.datetime, grain: Grain) -> dt.datetime:
    """The local start of the period after the day, week or month starting at naive ``start``."""
    if grain.kind is GrainKind.MONTH:
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    if grain.kind is GrainKind.WEEK:
        return start + dt.timedelta(days=7)
    return start + dt.timedelta(days=1)


def is_partial(start: dt.datetime, grain: Grain, window: Window) -> bool:
    """Whether the period starting at ``start`` reaches outside the window's local dates (a first or last week or
    month cut by --from or --to). Intervals and days are whole inside a window of whole local days."""
    if grain.kind is GrainKind.INTERVAL:
        return False
    first = dt.datetime.combine(window.start, dt.time())
    after = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time())
    return start < first or period_end_python(start, grain) > after
