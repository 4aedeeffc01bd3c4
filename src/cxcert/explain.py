"""Explanations: the tracer every verdict carries.

A verdict (a decision, an item's compliance, a KPI judged against its target, an alert) returns an
:class:`Explanation`: a one-line summary and the ordered steps that led to it, each naming the rule applied,
the inputs it read and what it concluded. It renders as text for people and as JSON for machines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Step:
    """One step of reasoning: which rule, what it read, what it concluded."""

    rule: str
    conclusion: str
    inputs: Mapping[str, Scalar] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "conclusion": self.conclusion, "inputs": dict(self.inputs)}


@dataclass(frozen=True)
class Explanation:
    """Why a verdict came out the way it did."""

    summary: str
    steps: tuple[Step, ...] = ()

    def with_step(self, rule: str, conclusion: str, **inputs: Scalar) -> Explanation:
        return Explanation(self.summary, (*self.steps, Step(rule, conclusion, inputs)))

    def render(self, indent: str = "  ") -> str:
        lines = [self.summary]
        for step in self.steps:
            args = ", ".join(f"{k}={v}" for k, v in step.inputs.items())
            lines.append(f"{indent}- [{step.rule}] {step.conclusion}" + (f" ({args})" if args else ""))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {"summary": self.summary, "steps": [s.to_dict() for s in self.steps]}
