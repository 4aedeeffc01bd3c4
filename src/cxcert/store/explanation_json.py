"""Explanations to JSON and back, so a stored verdict renders exactly as it did when it was made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cxcert.explain import Explanation, Scalar, Step


def explanation_from_json(data: Mapping[str, Any]) -> Explanation:
    """The inverse of :meth:`Explanation.to_dict`."""
    steps = tuple(
        Step(
            rule=str(s["rule"]),
            conclusion=str(s["conclusion"]),
            inputs={str(k): _scalar(v) for k, v in dict(s.get("inputs", {})).items()},
        )
        for s in data.get("steps", [])
    )
    return Explanation(summary=str(data["summary"]), steps=steps)


def _scalar(value: Any) -> Scalar:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
