"""How many transactions to evaluate: Cochran's sample size for a proportion, with finite population correction.

For an accuracy (a proportion p) estimated at confidence c to within +/- e (Cochran 1977, section 4.4):

    n0 = z^2 p (1 - p) / e^2                    z = the standard normal quantile at 1 - (1 - c) / 2
    n  = n0 / (1 + (n0 - 1) / N)                finite population correction for a population of N contacts

and the required sample is ceil(n): rounding up guarantees the precision asked for. (Krejcie & Morgan's 1970
table is the same formula rounded to the nearest integer.) Conversely a sample of n out of N, observing p,
achieves the margin

    e = z sqrt(p (1 - p) / n) sqrt((N - n) / (N - 1))

which is the exact inverse of the corrected formula. Defaults (95 %, +/- 5 %, p = 0.5) live in
``data/sampling_defaults.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pydantic import Field
from scipy.stats import norm

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.quality.packaged import load_packaged
from cxcert.standards.schema import Frozen


class SamplingDefaults(Frozen):
    confidence: float = Field(gt=0, lt=1)
    precision: float = Field(gt=0, lt=1)
    p: float = Field(gt=0, lt=1)
    agent_precision: float = Field(gt=0, lt=1)
    source: str


@cache
def sampling_defaults() -> SamplingDefaults:
    """The packaged defaults (``data/sampling_defaults.yaml``)."""
    return load_packaged("sampling_defaults.yaml", SamplingDefaults)


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: 1.959964 at 95 % (not the rounded 1.96)."""
    if not 0 < confidence < 1:
        raise CxcertError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
    return float(norm.ppf(1 - (1 - confidence) / 2))


def _check(precision: float, p: float, population: int | None) -> None:
    if not 0 < precision < 1:
        raise CxcertError(f"precision (margin of error) must be between 0 and 1, e.g. 0.05 for +/-5 %, got {precision}")
    if not 0 < p < 1:
        raise CxcertError(f"anticipated proportion p must be between 0 and 1 (exclusive), got {p}")
    if population is not None and population < 1:
        raise CxcertError(f"population must be at least 1 contact, got {population}")


@dataclass(frozen=True)
class SampleSize:
    """A required sample size: ``n0`` before and ``n`` after the finite population correction, ``required``
    the whole number of evaluations to do (ceil of ``n``, never more than the population)."""

    n0: float
    n: float
    required: int
    population: int | None
    confidence: float
    precision: float
    p: float
    z: float
    explanation: Explanation


def cochran_sample_size(
    confidence: float, precision: float, p: float = 0.5, population: int | None = None
) -> SampleSize:
    """Cochran's sample size for estimating a proportion, with the finite population correction when
    ``population`` is given."""
    _check(precision, p, population)
    z = z_value(confidence)
    n0 = z * z * p * (1 - p) / (precision * precision)
    explanation = Explanation("").with_step(
        "cochran_n0", "n0 = z^2 p (1 - p) / e^2", z=round(z, 6), p=p, e=precision, n0=round(n0, 4)
    )
    n = n0
    if population is not None:
        n = n0 / (1 + (n0 - 1) / population)
        explanation = explanation.with_step(
            "finite_population_correction", "n = n0 / (1 + (n0 - 1) / N)", N=population, n=round(n, 4)
        )
    # ceil guarantees the margin; the epsilon keeps 384.0000000001 (float noise) from becoming 385
    required = max(1, math.ceil(n - 1e-9))
    if population is not None:
        required = min(required, population)
    summary = f"{required} evaluations estimate a proportion to +/-{precision:.1%} at {confidence:.0%} confidence" + (
        f" in a population of {population}" if population is not None else " (large population)"
    )
    return SampleSize(n0, n, required, population, confidence, precision, p, z, Explanation(summary, explanation.steps))


def achieved_margin(n: int, population: int | None, confidence: float, p: float = 0.5) -> float:
    """The margin of error (half-width) a sample of ``n`` out of ``population`` achieves for proportion ``p``."""
    if n < 1:
        raise CxcertError("a sample needs at least one evaluation to have a margin of error")
    if population is not None and n > population:
        raise CxcertError(f"the sample ({n}) cannot exceed the population ({population})")
    if not 0 <= p <= 1:
        raise CxcertError(f"p must be between 0 and 1, got {p}")
    z = z_value(confidence)
    margin = z * math.sqrt(p * (1 - p) / n)
    if population is not None:
        margin *= math.sqrt((population - n) / (population - 1)) if population > 1 else 0.0
    return margin


@dataclass(frozen=True)
class SampleCheck:
    """Whether a month's actual sample was large enough for the target precision."""

    adequate: bool
    achieved_margin: float | None  # None when nothing was evaluated
    required_n: int
    actual_n: int
    population: int
    target_precision: float
    confidence: float
    p: float
    explanation: Explanation


def check_month_sample(
    actual_n: int, population_N: int, target_precision: float, confidence: float, p: float = 0.5
) -> SampleCheck:
    """Was ``actual_n`` evaluations out of ``population_N`` contacts enough for +/- ``target_precision``?"""
    _check(target_precision, p, population_N)
    if actual_n < 0:
        raise CxcertError(f"the actual sample cannot be negative, got {actual_n}")
    if actual_n > population_N:
        raise CxcertError(f"the actual sample ({actual_n}) cannot exceed the population ({population_N})")
    needed = cochran_sample_size(confidence, target_precision, p, population_N)
    margin = achieved_margin(actual_n, population_N, confidence, p) if actual_n > 0 else None
    # adequacy is judged on the count (the margin of ceil(n) is <= the target by construction)
    adequate = actual_n >= needed.required
    verdict = "adequate" if adequate else "too small"
    summary = (
        f"sample {verdict}: {actual_n} of {population_N} evaluated, achieved "
        + ("no precision" if margin is None else f"+/-{margin:.2%}")
        + f" at {confidence:.0%} confidence (target +/-{target_precision:.2%}, needs {needed.required})"
    )
    explanation = Explanation(summary, needed.explanation.steps).with_step(
        "achieved_margin",
        "e = z sqrt(p (1 - p) / n) sqrt((N - n) / (N - 1))" if actual_n > 0 else "no evaluation: no precision at all",
        n=actual_n,
        N=population_N,
        p=p,
        e=None if margin is None else round(margin, 6),
    )
    return SampleCheck(
        adequate, margin, needed.required, actual_n, population_N, target_precision, confidence, p, explanation
    )


@dataclass(frozen=True)
class AgentSampleSizes:
    """Per-agent required sample sizes (each agent's own contacts are its population)."""

    per_agent: Mapping[str, SampleSize]
    total_required: int
    explanation: Explanation


def per_agent_sample_sizes(
    contacts_per_agent: Mapping[str, int], confidence: float, precision: float, p: float = 0.5
) -> AgentSampleSizes:
    """The sample each agent needs for an agent-level estimate at ``precision`` (FPC on the agent's contacts)."""
    if not contacts_per_agent:
        raise CxcertError("no agents given")
    sizes = {
        agent: cochran_sample_size(confidence, precision, p, count)
        for agent, count in sorted(contacts_per_agent.items())
        if count > 0
    }
    idle = sorted(a for a, c in contacts_per_agent.items() if c <= 0)
    total = sum(s.required for s in sizes.values())
    explanation = Explanation(
        f"{total} evaluations across {len(sizes)} agents for +/-{precision:.1%} per agent at {confidence:.0%}"
    ).with_step("per_agent_fpc", "each agent's contacts are the population of its own estimate", agents=len(sizes))
    if idle:
        explanation = explanation.with_step("no_contacts", f"agents without contacts need none: {', '.join(idle)}")
    return AgentSampleSizes(sizes, total, explanation)
