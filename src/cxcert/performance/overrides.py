"""A user's changes to the KPI catalogue: ``--param metric.name=value`` and a user catalogue file.

Both are judged against the packaged definitions: a parameter value by its declared type and range
(:meth:`cxcert.performance.parameters.Parameter.accept`), a whole metric by the catalogue's schema. Errors name
the option, or the file, line and field. The core only parses text; reading the file is the adapter's job
(``cxcert.cli.kpi_catalogue``). A user catalogue file looks like::

    parameters:                     # new values for packaged parameters
      service_level: {threshold_s: 30, abandon_treatment: count_all}
      fcr: {repeat_window: 3}
    metrics:                        # whole definitions: replace the packaged metric of that id, or add one
      - id: service_level_60
        title: Service level in 60 s
        ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import yaml
from pydantic import Field

from cxcert.errors import CxcertError, ValidationFailed
from cxcert.performance.catalogue import Catalogue, Metric
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import line_of, parse_model

PARAM_HELP = "METRIC.PARAMETER=VALUE, e.g. service_level.threshold_s=30 (see `cxcert kpi list`)"


def parse_param(text: str) -> tuple[str, str, str]:
    """``metric.name=value`` → (metric, name, value text)."""
    target, sep, value = text.partition("=")
    metric, dot, name = target.strip().partition(".")
    if not sep or not dot or not metric or not name or not value.strip():
        raise CxcertError(f"--param {text!r}: write {PARAM_HELP}")
    return metric, name.strip(), value.strip()


def with_params(catalogue: Catalogue, texts: Sequence[str]) -> Catalogue:
    """``catalogue`` with each ``--param`` text applied, in order; one precise error for the first bad one."""
    grouped: dict[str, dict[str, str]] = {}
    for text in texts:
        metric, name, value = parse_param(text)
        grouped.setdefault(metric, {})[name] = value
    return with_values(catalogue, grouped, source="--param")


def with_values(catalogue: Catalogue, values: Mapping[str, Mapping[str, object]], *, source: str) -> Catalogue:
    """``catalogue`` with new parameter values by metric and name, each checked, ``source`` noted on them."""
    changed: dict[str, Metric] = {}
    for metric_id, by_name in values.items():
        try:
            changed[metric_id] = catalogue.with_parameters(metric_id, by_name, source=source)
        except CxcertError as exc:
            raise type(exc)(f"{source}: {exc.message}") from None
    return catalogue.with_metrics(changed)


class UserCatalogue(Frozen):
    """The user catalogue file: parameter values and whole metric definitions."""

    parameters: dict[str, dict[str, float | bool | str]] = Field(default_factory=dict)
    metrics: tuple[Metric, ...] = ()


def parse_user_catalogue(text: str, *, where: str, base: Catalogue) -> Catalogue:
    """``base`` with the user file's metrics replaced or added, then its parameter values applied; errors name
    ``where``, the line and the field."""
    user = parse_model(text, UserCatalogue, where=where)
    root = yaml.compose(text)
    catalogue = base.with_metrics({m.id: m for m in user.metrics})
    try:
        Catalogue.model_validate(catalogue.model_dump())  # e.g. an id given twice in the file
    except ValueError as exc:
        raise ValidationFailed([f"line {line_of(root, ('metrics',))}, field metrics: {exc}"], where=where) from None
    issues = []
    for metric_id, by_name in user.parameters.items():
        for name, value in by_name.items():
            try:
                catalogue = catalogue.with_metrics(
                    {metric_id: catalogue.with_parameters(metric_id, {name: value}, source=where)}
                )
            except CxcertError as exc:
                line = line_of(root, ("parameters", metric_id, name))
                issues.append(f"line {line}, field parameters.{metric_id}.{name}: {exc.message}")
    if issues:
        raise ValidationFailed(issues, where=where)
    return catalogue
