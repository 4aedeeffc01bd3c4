"""User overrides of catalogue parameters: `--param metric.name=value` texts and a user catalogue file, checked
against each parameter's declared type and range, with errors that name the option or the file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.errors import CxcertError, NotFound, ValidationFailed
from cxcert.performance.catalogue import ShareWithinMetric, default_catalogue
from cxcert.performance.engine import compute
from cxcert.performance.overrides import parse_param, parse_user_catalogue, with_params
from cxcert.performance.parameters import Parameter, ParamUnit
from cxcert.performance.periods import MONTH

from .tables import contact, tables, utc

MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("service_level.threshold_s", "write METRIC.PARAMETER=VALUE"),
        ("threshold_s=30", "write METRIC.PARAMETER=VALUE"),
        ("sla.threshold_s=30", "unknown metric 'sla'"),
        ("service_level.threshold=30", "metric 'service_level' has no parameter 'threshold'; it has threshold_s"),
        ("service_level.threshold_s=abc", "parameter 'threshold_s' must be a duration in seconds >= 0, not 'abc'"),
        ("service_level.threshold_s=-5", "must be a duration in seconds >= 0, not '-5'"),
        ("forecast_accuracy.tolerance=15", "must be a share (a fraction, 0.9 for 90 %) from 0 to 1, not '15'"),
        ("csat_top_box.box_size=2.5", "must be a whole number >= 1, not '2.5'"),
        ("nps.promoter_min=11", "must be a score from 0 to 10, not '11'"),
        ("fcr.judge_past_window=maybe", "must be true or false, not 'maybe'"),
        ("service_level.abandon_treatment=sometimes",
         "must be one of count_all, exclude_short_abandons, exclude_abandons_within_threshold, not 'sometimes'"),
    ],
)  # fmt: skip
def test_bad_params_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CxcertError) as err:
        with_params(default_catalogue(), [text])
    assert message in str(err.value)


def test_params_apply_with_their_source() -> None:
    assert parse_param(" fcr.repeat_window = 3 ") == ("fcr", "repeat_window", "3")
    cat = with_params(default_catalogue(), ["service_level.threshold_s=30", "fcr.judge_past_window=yes",
                                            "service_level.abandon_treatment=count_all"])  # fmt: skip
    sl = cat.get("service_level")
    assert isinstance(sl, ShareWithinMetric)
    assert (sl.parameters["threshold_s"].value, sl.parameters["threshold_s"].source) == (30.0, "--param")
    assert sl.abandon_treatment().value == "count_all"
    assert cat.get("fcr").parameters["judge_past_window"].value is True
    assert default_catalogue().get("service_level").parameters["threshold_s"].value == 20  # packaged untouched


def test_overrides_change_the_numbers() -> None:
    """Answered in 10 s and 25 s, a 3 s abandon: default SL (20 s, short abandons out) 1/2; 30 s: 2/2; with every
    abandon counted: 2/3."""
    t = tables(contacts=[contact("a", utc(2024, 3, 4, 9), wait=10), contact("b", utc(2024, 3, 4, 9, 1), wait=25),
                         contact("c", utc(2024, 3, 4, 9, 2), wait=3, abandoned=True)])  # fmt: skip
    kw = {"grain": MONTH, "tz": "UTC", "start": MARCH[0], "end": MARCH[1]}

    def ratio(*params: str) -> tuple[object, object]:
        (row,) = compute("service_level", t, catalogue=with_params(default_catalogue(), params), **kw).rows()  # type: ignore[arg-type]
        return row["numerator"], row["denominator"]

    assert ratio() == (1.0, 2.0)
    assert ratio("service_level.threshold_s=30") == (2.0, 2.0)
    assert ratio("service_level.threshold_s=30", "service_level.abandon_treatment=count_all") == (2.0, 3.0)


def test_declared_parameters_are_themselves_checked() -> None:
    with pytest.raises(ValueError, match="from 0 to 1"):
        Parameter(value=1.5, unit=ParamUnit.SHARE, source="a test")
    with pytest.raises(ValueError, match="without quotes"):
        Parameter(value="20", unit=ParamUnit.SECONDS, source="a test")
    with pytest.raises(ValueError, match="lists its choices"):
        Parameter(value="x", unit=ParamUnit.CHOICE, source="a test")


USER = """# my centre's definitions
parameters:
  service_level:
    threshold_s: 30
  fcr: {repeat_window: 3}
metrics:
  - id: service_level_60
    title: Service level in 60 s
    kind: share_within
    unit: share
    direction: higher_is_better
    duration: wait_s
    threshold: threshold_s
    parameters:
      threshold_s: {value: 60, unit: seconds, source: "our client's SLA"}
"""


def test_a_user_catalogue_changes_values_and_adds_metrics() -> None:
    cat = parse_user_catalogue(USER, where="home/kpis.yaml", base=default_catalogue())
    assert cat.get("service_level").parameters["threshold_s"].value == 30
    assert cat.get("service_level").parameters["threshold_s"].source == "home/kpis.yaml"
    assert cat.get("fcr").parameters["repeat_window"].seconds() == 3 * 86_400
    assert cat.get("service_level_60").parameters["threshold_s"].value == 60
    assert len(cat.ids()) == len(default_catalogue().ids()) + 1


def test_a_user_catalogue_error_names_file_line_and_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_user_catalogue(USER.replace("threshold_s: 30", "threshold_s: -30"), where="kpis.yaml",
                             base=default_catalogue())  # fmt: skip
    assert str(err.value).startswith("kpis.yaml: line 4, field parameters.service_level.threshold_s: ")
    assert "must be a duration in seconds >= 0" in str(err.value)
    with pytest.raises(ValidationFailed, match=r"^kpis.yaml: line 5, field parameters.fcr.window: .*no parameter"):
        parse_user_catalogue(USER.replace("repeat_window", "window"), where="kpis.yaml", base=default_catalogue())
    with pytest.raises(ValidationFailed, match=r"^kpis.yaml: line 10, field metrics.0.share_within.unit"):
        parse_user_catalogue(USER.replace("unit: share", "unit: percent"), where="kpis.yaml", base=default_catalogue())
    with pytest.raises(NotFound):
        default_catalogue().with_parameters("service_level", {"threshold": 1})
