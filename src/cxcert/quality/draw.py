"""Drawing the contacts to evaluate: simple or stratified random samples an auditor can reproduce.

Reproducible by construction: contacts are sorted by id (so the input's row order does not matter), strata are
visited in sorted order, and one ``numpy.random.Generator(PCG64(seed))`` draws without replacement inside each
stratum. The same contacts, strata, size, allocation and seed always give the same ids.

Allocation across strata (by agent, queue, channel, day ...):

- proportional: stratum h gets n x N_h / N, rounded by largest remainder (Hamilton) so the sizes add up to n;
- equal: every stratum gets n / H (remainders to the largest strata), capped at its size, the excess
  re-allocated to strata that still have contacts.

A contact with no value in a stratum column (an abandoned contact has no agent) is not dropped: blanks (missing
or empty text) form their own stratum, named ``(blank)``, so the population is every contact given and the
explanation says how many had a blank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from cxcert.errors import CxcertError
from cxcert.explain import Explanation

BLANK = "(blank)"


class Allocation(StrEnum):
    PROPORTIONAL = "proportional"
    EQUAL = "equal"


@dataclass(frozen=True)
class DrawnContact:
    contact_id: str
    stratum: str


@dataclass(frozen=True)
class Draw:
    """The contacts drawn, with what is needed to reproduce the draw."""

    contacts: tuple[DrawnContact, ...]
    seed: int
    strata_columns: tuple[str, ...]
    allocation: Allocation
    per_stratum: Mapping[str, tuple[int, int]]  # stratum -> (drawn, population)
    explanation: Explanation

    @property
    def contact_ids(self) -> tuple[str, ...]:
        return tuple(c.contact_id for c in self.contacts)


def _largest_remainder(sizes: Sequence[int], n: int) -> list[int]:
    total = sum(sizes)
    if total == 0:
        return [0] * len(sizes)
    quotas = [n * s / total for s in sizes]
    out = [int(q) for q in quotas]
    # ties go to the earlier stratum (sorted order), so the allocation is deterministic
    order = sorted(range(len(sizes)), key=lambda i: (-(quotas[i] - out[i]), i))
    for i in order[: n - sum(out)]:
        out[i] += 1
    return out


def _equal(sizes: Sequence[int], n: int) -> list[int]:
    out = [0] * len(sizes)
    remaining = n
    open_strata = [i for i, s in enumerate(sizes) if s > 0]
    while remaining > 0 and open_strata:
        share, extra = divmod(remaining, len(open_strata))
        by_size = sorted(open_strata, key=lambda i: (-(sizes[i] - out[i]), i))
        for rank, i in enumerate(by_size):
            want = share + (1 if rank < extra else 0)
            take = min(want, sizes[i] - out[i])
            out[i] += take
            remaining -= take
        open_strata = [i for i in open_strata if out[i] < sizes[i]]
    return out


def allocate(sizes: Mapping[str, int], n: int, allocation: Allocation) -> dict[str, int]:
    """How many contacts to draw from each stratum (sizes are the strata's populations)."""
    keys = sorted(sizes)
    counts = [sizes[k] for k in keys]
    if n > sum(counts):
        raise CxcertError(f"cannot draw {n} contacts from {sum(counts)}")
    out = _largest_remainder(counts, n) if allocation is Allocation.PROPORTIONAL else _equal(counts, n)
    return dict(zip(keys, out, strict=True))


def draw_sample(
    contacts: pd.DataFrame,
    n: int,
    seed: int,
    strata: Sequence[str] = (),
    allocation: Allocation = Allocation.PROPORTIONAL,
    id_column: str = "contact_id",
) -> Draw:
    """Draw ``n`` contacts at random, stratified by the ``strata`` columns when given."""
    if id_column not in contacts.columns:
        raise CxcertError(
            f"the contacts lack an '{id_column}' column (columns: {', '.join(map(str, contacts.columns))})"
        )
    missing = [c for c in strata if c not in contacts.columns]
    if missing:
        raise CxcertError(f"unknown stratum column(s): {', '.join(missing)} (columns: {', '.join(contacts.columns)})")
    if n < 1:
        raise CxcertError(f"the sample size must be at least 1, got {n}")
    if seed < 0:
        raise CxcertError(f"the seed must be a non-negative integer, got {seed}")
    frame = contacts[[id_column, *strata]].copy()
    frame[id_column] = frame[id_column].astype(str)
    if frame[id_column].duplicated().any():
        duplicate = frame.loc[frame[id_column].duplicated(), id_column].iloc[0]
        raise CxcertError(f"contact id '{duplicate}' appears more than once")
    if n > len(frame):
        raise CxcertError(f"cannot draw {n} contacts from {len(frame)}")
    blanks = 0
    if strata:
        keys: pd.Series | None = None
        for column in strata:
            text = frame[column].astype("string").str.strip()
            empty = text.isna() | (text == "")
            blanks += int(empty.sum())
            part = text.where(~empty, BLANK).astype(str)
            keys = part if keys is None else keys + "|" + part
        frame["_stratum"] = keys
    else:
        frame["_stratum"] = "all"
    frame = frame.sort_values(["_stratum", id_column], kind="stable")
    groups = {str(k): g[id_column].to_numpy() for k, g in frame.groupby("_stratum", sort=True)}
    sizes = {k: len(v) for k, v in groups.items()}
    plan = allocate(sizes, n, allocation)
    rng = np.random.Generator(np.random.PCG64(seed))
    drawn: list[DrawnContact] = []
    for stratum in sorted(groups):
        take = plan[stratum]
        if take == 0:
            continue
        chosen = rng.choice(len(groups[stratum]), size=take, replace=False)
        drawn.extend(DrawnContact(str(groups[stratum][i]), stratum) for i in np.sort(chosen))
    per_stratum = {k: (plan[k], sizes[k]) for k in sorted(groups)}
    how = f"stratified by {', '.join(strata)} ({allocation} allocation)" if strata else "simple random sample"
    explanation = Explanation(
        f"{len(drawn)} of {len(frame)} contacts drawn, {how}, seed {seed}",
        (),
    ).with_step(
        "reproducible_draw",
        "contacts sorted by id, strata in sorted order, numpy Generator(PCG64(seed)).choice without replacement",
        seed=seed,
        n=n,
        population=len(frame),
        strata=", ".join(strata) or None,
        allocation=str(allocation),
    )
    if blanks:
        explanation = explanation.with_step(
            "blank_stratum", f"{blanks} blank stratum value(s) form the stratum '{BLANK}'", blanks=blanks
        )
    for stratum, (take, size) in per_stratum.items():
        explanation = explanation.with_step("stratum", f"{stratum}: {take} of {size}", stratum=stratum, drawn=take)
    return Draw(tuple(drawn), seed, tuple(strata), allocation, per_stratum, explanation)
