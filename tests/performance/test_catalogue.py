"""The KPI catalogue as data: every metric of DOMAIN.md section 5, typed, with units, directions and sources."""

from __future__ import annotations

import pytest

from cxcert.errors import NotFound, ValidationFailed
from cxcert.performance.catalogue import Direction, ShareWithinMetric, default_catalogue, parse_catalogue
from cxcert.standards.library import known_metric_ids

EXPECTED_IDS = {
    "service_level", "asa", "abandon_rate", "aht", "hold_time", "acw_time", "transfer_rate", "fcr", "response_time",
    "backlog_aging", "csat_top_box", "dsat", "nps", "critical_error_accuracy_customer",
    "critical_error_accuracy_business", "critical_error_accuracy_compliance", "non_critical_accuracy",
    "forecast_accuracy", "schedule_adherence", "occupancy", "shrinkage", "attrition", "absenteeism", "proficiency",
    "cost_per_contact", "schedule_conformance", "forecast_wape", "forecast_mape", "forecast_bias",
}  # fmt: skip


def test_catalogue_has_exactly_the_documented_ids_and_defines_every_id_a_standard_may_name() -> None:
    ids = set(default_catalogue().ids())
    assert ids == EXPECTED_IDS
    # standards/data/metric_ids.yaml names exactly the catalogue's metrics: a standard may require any of them.
    assert set(known_metric_ids()) == ids


def test_every_parameter_states_its_source_and_directions_are_sensible() -> None:
    cat = default_catalogue()
    for metric in cat.metrics:
        for name, param in metric.parameters.items():
            assert len(param.source) > 10, (metric.id, name)
    assert cat.get("service_level").direction is Direction.HIGHER_IS_BETTER
    assert cat.get("aht").direction is Direction.LOWER_IS_BETTER
    sl = cat.get("service_level")
    assert isinstance(sl, ShareWithinMetric)
    assert sl.parameters["threshold_s"].seconds() == 20  # 80 % in 20 s (DOMAIN.md section 5)
    assert cat.get("fcr").parameters["repeat_window"].seconds() == 7 * 86_400
    assert cat.get("response_time").parameters["threshold_h"].seconds() == 24 * 3600


def test_overrides_replace_a_value_and_note_it() -> None:
    sl = default_catalogue().with_parameters("service_level", {"threshold_s": 30})
    assert sl.parameters["threshold_s"].value == 30
    assert sl.parameters["threshold_s"].source == "override"
    with pytest.raises(NotFound, match="no parameter 'threshold'"):
        default_catalogue().with_parameters("service_level", {"threshold": 30})
    with pytest.raises(NotFound, match="unknown metric 'sla'"):
        default_catalogue().get("sla")


BROKEN = """source_note: test
metrics:
  - id: service_level
    title: Service level
    kind: share_within
    unit: share
    direction: higher_is_better
    duration: wait_s
    threshold: threshold_s
    parameters:
      threshold_s: {value: 20, unit: seconds, source: "a source"}
  - id: asa
    title: ASA
    kind: mean
    unit: minutes
    direction: lower_is_better
    table: contacts
    time: arrived_at
    value: [wait_s]
"""


def test_broken_catalogue_names_file_line_and_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_catalogue(BROKEN, where="kpis.yaml")
    message = str(err.value)
    assert message.startswith("kpis.yaml: line 15, field metrics.1.mean.unit")
    assert "minutes" in message or "share" in message


def test_missing_required_parameter_is_an_error() -> None:
    text = BROKEN.replace('      threshold_s: {value: 20, unit: seconds, source: "a source"}\n', "      {}\n")
    text = text.replace("    parameters:\n      {}\n", "")
    with pytest.raises(ValidationFailed, match="needs parameter"):
        parse_catalogue(text, where="kpis.yaml")
