"""The performance summary table: rows per required metric and KCRP, verdicts, and the two shares."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.performance.engine import scorecard
from cxcert.performance.performance_rules import Purpose, ShareThresholds, default_rule_set
from cxcert.performance.summary_table import KcrpRef, RowVerdict, link_kcrps, summary_table
from cxcert.performance.targets import default_targets, parse_targets
from cxcert.standards.schema import Category, CategoryRole, Item, MetricLabel, RequiredMetric, Standard, StandardKey

from .tables import contact, tables, utc

STANDARD = Standard(
    key=StandardKey(family="Test", variant="CSP", release="1", document_version="1.0"),
    title="test standard",
    published=dt.date(2020, 1, 1),
    total_points=10,
    source_note="test",
    categories=(
        Category(
            number="4.0",
            title="Performance",
            role=CategoryRole.RESULT,
            items=(
                Item(
                    number="4.1",
                    title="Service",
                    summary="service metrics",
                    points=10,
                    required_metrics=(
                        RequiredMetric(metric="service_level", label=MetricLabel.SERVICE),
                        RequiredMetric(metric="asa", label=MetricLabel.SERVICE),
                        RequiredMetric(metric="fcr", label=MetricLabel.QUALITY),
                    ),
                ),
            ),
        ),
    ),
)


def six_months() -> dict:  # type: ignore[type-arg]
    """Jan-Jun 2024, 10 answered voice contacts a month; in month m (1..6), k = m + 1 answered in 10 s and the
    rest in 25 s. Service level = k/10 = 0.2 … 0.7 (below the 0.80 target, steadily improving); ASA =
    (10k + 25(10 − k))/10 = 25 − 1.5k ≤ 22 s (meets 30 s). No customer keys, so FCR has no data."""
    rows = []
    for m in range(1, 7):
        k = m + 1
        for i in range(10):
            rows.append(contact(f"c{m}-{i}", utc(2024, m, 10, 9, i), wait=10 if i < k else 25))
    return tables(contacts=rows)


def test_rows_verdicts_and_shares() -> None:
    card = scorecard(six_months(), ("service_level", "asa", "fcr"), tz="UTC", start=dt.date(2024, 1, 1),
                     end=dt.date(2024, 6, 30))  # fmt: skip
    rules = default_rule_set()
    table = summary_table(STANDARD, card, targets=default_targets(), rules=rules, purpose=Purpose.INITIAL,
                          kcrp_of={"p1": "Inbound customer service"})  # fmt: skip
    by_metric = {r.required_metric: r for r in table.rows}
    sl, asa, fcr = by_metric["service_level"], by_metric["asa"], by_metric["fcr"]
    # SL: never met (0.2..0.7 < 0.80) but six strictly improving months: Mann-Kendall S = 15, p = 0.0085 < 0.05.
    assert sl.verdict is RowVerdict.SUSTAINED_IMPROVEMENT
    assert [p.value for p in sl.actuals] == pytest.approx([0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    assert (sl.item, sl.kcrp, sl.label, sl.metric_type, sl.target) == (
        "4.1", "Inbound customer service", MetricLabel.SERVICE, "service", 0.80,
    )  # fmt: skip
    assert "p_value" in sl.explanation.steps[-1].inputs
    assert asa.verdict is RowVerdict.MET
    assert fcr.verdict is RowVerdict.NO_DATA
    # Shares: met 1 of 3; met or improving 2 of 3. Initial/base thresholds 50 % and 75 % → does not pass.
    assert table.share_meeting == pytest.approx(1 / 3)
    assert table.share_meeting_or_improving == pytest.approx(2 / 3)
    assert not table.passed
    assert not table.majority.met
    assert "1/3 rows meet target" in table.explanation.summary
    # A rule set asking 30 % and 60 % passes the same table.
    lenient = rules.model_copy(
        update={"summary_thresholds": {Purpose.INITIAL: {"base": ShareThresholds(meeting_target=0.3,
                                                                                  meeting_or_improving=0.6)}}}
    )  # fmt: skip
    assert summary_table(STANDARD, card, targets=default_targets(), rules=lenient, purpose=Purpose.INITIAL).passed


def test_too_few_points_for_a_trend_is_a_miss() -> None:
    card = scorecard(six_months(), ("service_level",), tz="UTC", start=dt.date(2024, 3, 1), end=dt.date(2024, 6, 30))
    table = summary_table(STANDARD, card, targets=default_targets(), rules=default_rule_set(), purpose=Purpose.INITIAL)
    sl = next(r for r in table.rows if r.required_metric == "service_level")
    assert sl.verdict is RowVerdict.MISSED  # 4 improving months < the 6 points the trend test needs
    assert "needs 6" in sl.explanation.render()


def test_each_month_is_judged_against_the_target_in_force_then() -> None:
    """Service level 0.2 … 0.7 (see six_months) against 0.25 until March and 0.65 from April: met in Feb and Mar
    (0.3, 0.4 ≥ 0.25; Jan's 0.2 is not), missed Apr and May (0.5, 0.6 < 0.65), met in Jun (0.7)."""
    book = parse_targets(
        "targets:\n  - {metric: service_level, kind: internal, benchmark: 'plan 2024', values: {2024-01-01: 0.25}}\n"
        "  - {metric: service_level, program: p1, kind: client_sla, benchmark: 'contract B',\n"
        "     values: {2024-01-01: 0.25, 2024-04-01: {value: 0.65, benchmark: 'contract B renewal'}}}\n",
        where="t.yaml",
    )
    card = scorecard(six_months(), ("service_level",), tz="UTC", start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    table = summary_table(STANDARD, card, targets=book, rules=default_rule_set(), purpose=Purpose.INITIAL)
    sl = next(r for r in table.rows if r.required_metric == "service_level")
    assert [j.target.value for j in sl.judgements if j.target] == [0.25, 0.25, 0.25, 0.65, 0.65, 0.65]
    assert [j.met for j in sl.judgements] == [False, True, True, False, False, True]
    assert sl.months_met() == (3, 6)
    assert sl.target == 0.65  # the latest; each month above was judged by its own
    assert sl.describe_target(lambda v: f"{v:.2f}") == "0.25 -> 0.65 from 2024-04"
    assert sl.describe_kind() == "client_sla"
    assert sl.benchmarks() == ("contract B", "contract B renewal")
    assert "0.65 (client_sla) from 2024-04-01: contract B renewal" in sl.explanation.render()


def test_programs_link_to_the_kcrps_that_name_them_else_keep_their_name() -> None:
    links = link_kcrps(
        ["retail", "cards", "tech"],
        [KcrpRef("inbound", "Inbound customer service", programs=("retail", "cards")), KcrpRef("tech", "Tech help")],
    )
    assert links.kcrp_of == {"retail": "Inbound customer service", "cards": "Inbound customer service",
                             "tech": "Tech help"}  # fmt: skip
    assert links.unlinked == ()
    none = link_kcrps(["p1"], [])
    assert none.kcrp_of == {} and none.unlinked == ("p1",)
    assert "the entity has no KCRPs" in none.explanation.render()


def test_recertification_falls_back_to_initial_thresholds_when_the_rule_set_has_none() -> None:
    card = scorecard(six_months(), ("service_level", "asa", "fcr"), tz="UTC", start=dt.date(2024, 1, 1),
                     end=dt.date(2024, 6, 30))  # fmt: skip
    rules = default_rule_set()
    recert = summary_table(STANDARD, card, targets=default_targets(), rules=rules, purpose=Purpose.RECERTIFICATION)
    # The packaged rule set distinguishes them: re-certification at base asks 60 % and 80 %.
    assert recert.purpose is Purpose.RECERTIFICATION
    assert (recert.thresholds.meeting_target, recert.thresholds.meeting_or_improving) == (0.6, 0.8)
    initial_only = rules.model_copy(update={"summary_thresholds": {Purpose.INITIAL: rules.summary_thresholds[
        Purpose.INITIAL]}})  # fmt: skip
    fallback = summary_table(STANDARD, card, targets=default_targets(), rules=initial_only,
                             purpose=Purpose.RECERTIFICATION)  # fmt: skip
    assert fallback.purpose is Purpose.INITIAL
    assert "no re-certification thresholds at level base" in fallback.explanation.render()


def test_a_metric_best_at_zero_improves_towards_zero_from_either_side() -> None:
    """Bias shrinking from −20 % to −6 % (all outside the 5 % tolerance) is a sustained improvement; growing
    from −6 % to −20 % is not, though its values fall (a lower-is-better reading would call that improving)."""
    from cxcert.performance.catalogue import Direction
    from cxcert.performance.series import Point
    from cxcert.performance.summary_table import _row_verdict

    book = parse_targets(
        "targets:\n  - {metric: forecast_bias, kind: internal, benchmark: plan, values: {2020-01-01: 0.05}}\n",
        where="t.yaml",
    )
    periods = [dt.date(2024, m, 1) for m in range(1, 13)]
    shrinking = [-0.20 + 0.0125 * i for i in range(12)]

    def verdict(values: list[float]) -> RowVerdict:
        points = tuple(Point(p, v * 1000, 1000.0, v) for p, v in zip(periods, values, strict=True))
        found, _, _ = _row_verdict(points, metric="forecast_bias", direction=Direction.CLOSER_TO_ZERO, program="p",
                                   targets=book, rules=default_rule_set(), entity_id=None)  # fmt: skip
        return found

    assert verdict(shrinking) is RowVerdict.SUSTAINED_IMPROVEMENT
    assert verdict(shrinking[::-1]) is RowVerdict.MISSED
