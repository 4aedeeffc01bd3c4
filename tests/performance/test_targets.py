"""Dated targets (a value holds from its date until replaced), most specific entry first, file/line errors."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.errors import ValidationFailed
from cxcert.performance.performance_rules import Purpose, default_performance_rules, parse_performance_rules
from cxcert.performance.targets import (
    TargetEntry,
    TargetKind,
    check_entries,
    default_targets,
    parse_targets,
    targets_yaml,
    value_problem,
)

TARGETS = """targets:
  - metric: service_level
    kind: internal
    benchmark: "internal default"
    values: {2023-01-01: 0.75, 2024-07-01: 0.80}
  - metric: service_level
    program: bank
    kind: client_sla
    benchmark: "bank contract, schedule B"
    values: {2024-01-01: 0.85}
  - metric: service_level
    entity: lisbon
    program: bank
    kind: client_sla
    benchmark: "bank contract, Lisbon addendum"
    values: {2024-03-01: 0.90}
"""


def test_target_in_force_on_a_day() -> None:
    book = parse_targets(TARGETS, where="targets.yaml")
    before = book.target_on("service_level", "retail", dt.date(2024, 6, 30))
    assert before is not None and (before.value, before.valid_until) == (0.75, dt.date(2024, 7, 1))
    after = book.target_on("service_level", "retail", dt.date(2024, 7, 1))
    assert after is not None and after.value == 0.80 and after.valid_until is None
    assert book.target_on("service_level", "retail", dt.date(2022, 12, 31)) is None
    bank = book.target_on("service_level", "bank", dt.date(2024, 3, 1))
    assert bank is not None and (bank.value, bank.kind) == (0.85, TargetKind.CLIENT_SLA)
    lisbon = book.target_on("service_level", "bank", dt.date(2024, 3, 1), entity_id="lisbon")
    assert lisbon is not None and lisbon.benchmark == "bank contract, Lisbon addendum"
    # Before the Lisbon addendum starts there is no Lisbon value yet: the most specific entry decides.
    assert book.target_on("service_level", "bank", dt.date(2024, 2, 1), entity_id="lisbon") is None
    assert book.target_on("asa", "bank", dt.date(2024, 3, 1)) is None


def test_target_errors_name_file_line_and_field() -> None:
    bad_metric = TARGETS.replace("  - metric: service_level\n    program: bank", "  - metric: sla\n    program: bank")
    with pytest.raises(
        ValidationFailed, match=r"^targets.yaml: line 6, field targets.1.metric: .*unknown metric 'sla'"
    ):
        parse_targets(bad_metric, where="targets.yaml")
    bad_value = TARGETS.replace("2024-01-01: 0.85", "2024-01-01: high")
    with pytest.raises(ValidationFailed, match=r"line 10, field targets.1.values.2024-01-01"):
        parse_targets(bad_value, where="targets.yaml")
    twice = TARGETS + TARGETS.split("targets:\n")[1].split("  - metric: service_level\n    program")[0]
    with pytest.raises(ValidationFailed, match="given twice"):
        parse_targets(twice, where="targets.yaml")


def test_packaged_targets_cover_the_catalogue_with_field_defaults() -> None:
    book = default_targets()
    day = dt.date(2024, 1, 1)
    sl = book.target_on("service_level", "any", day)
    assert sl is not None and sl.value == 0.80  # 80 % in 20 s (DOMAIN.md section 5)
    accuracy = [
        book.target_on(f"critical_error_accuracy_{c}", "any", day) for c in ("customer", "business", "compliance")
    ]
    assert [t.value for t in accuracy if t] == [0.95, 0.90, 0.995]  # field defaults (DOMAIN.md section 5)
    assert len(book.metrics()) == 25


def test_performance_rules_load_and_validate() -> None:
    rules = default_performance_rules().rule_sets[0]
    assert rules.consecutive_below == 3  # the standard's "three consecutive measuring points"
    assert [r.id for r in rules.zone_rules] == ["we1", "we2", "we3", "we4"]
    assert rules.thresholds(Purpose.RECERTIFICATION, "gold").meeting_target == 0.8
    broken = """rule_sets:
  - id: x
    title: x
    effective_from: 2020-01-01
    source_note: x
    months_on_target: {k: 4, n: 3}
"""
    with pytest.raises(ValidationFailed, match=r"^rules.yaml: line 6, field rule_sets.0.months_on_target: .*k \(4\)"):
        parse_performance_rules(broken, where="rules.yaml")


def test_a_share_written_as_a_percent_is_refused_with_the_fraction_to_write() -> None:
    percent = TARGETS.replace("2024-01-01: 0.85", "2024-01-01: 85")
    with pytest.raises(
        ValidationFailed, match=r"^targets.yaml: line 10, field targets.1.values: .*2024-01-01: service_level is a "
        r"share: its target is a fraction from 0 to 1, not 85; if you mean 85 %, write 0.85"
    ):  # fmt: skip
        parse_targets(percent, where="targets.yaml")
    assert value_problem("service_level", 80) is not None and "write 0.80" in str(value_problem("service_level", 80))
    assert "write 0.995" in str(value_problem("critical_error_accuracy_compliance", 99.5))
    assert value_problem("nps", -0.2) is None  # NPS runs from -1 to 1
    assert value_problem("asa", 30) is None
    assert "cannot be negative" in str(value_problem("asa", -1))


def test_a_dated_value_carries_its_own_kind_benchmark_and_source() -> None:
    text = """targets:
  - metric: service_level
    kind: internal
    benchmark: "2024 business plan"
    source: "plan v3"
    values:
      2024-01-01: 0.80
      2025-07-01: {value: 0.85, kind: client_sla, benchmark: "contract B", source: "contract B, schedule 2"}
"""
    book = parse_targets(text, where="t.yaml")
    before, after = book.history("service_level", "retail")
    assert (before.value, before.kind, before.benchmark, before.source) == (
        0.80, TargetKind.INTERNAL, "2024 business plan", "plan v3",
    )  # fmt: skip
    assert (after.value, after.kind, after.benchmark, after.source) == (
        0.85, TargetKind.CLIENT_SLA, "contract B", "contract B, schedule 2",
    )  # fmt: skip
    assert before.valid_until == after.valid_from == dt.date(2025, 7, 1)


def test_with_value_adds_history_and_the_yaml_reads_back_the_same() -> None:
    book = parse_targets(TARGETS, where="t.yaml")
    grown = book.with_value(metric="service_level", entity="*", program="bank", valid_from=dt.date(2025, 1, 1),
                            value=0.88, benchmark="bank contract, renewal")  # fmt: skip
    values = [(t.valid_from, t.value, t.kind, t.benchmark) for t in grown.history("service_level", "bank")]
    assert values == [
        (dt.date(2024, 1, 1), 0.85, TargetKind.CLIENT_SLA, "bank contract, schedule B"),
        (dt.date(2025, 1, 1), 0.88, TargetKind.CLIENT_SLA, "bank contract, renewal"),  # kind kept from the entry
    ]
    new = grown.with_value(metric="asa", entity="lisbon", program="*", valid_from=dt.date(2025, 1, 1), value=25,
                           benchmark="Lisbon plan")  # fmt: skip
    assert new.target_on("asa", "x", dt.date(2025, 2, 1), entity_id="lisbon").kind is TargetKind.INTERNAL  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed, match="needs its benchmark"):
        book.with_value(metric="aht", entity="*", program="*", valid_from=dt.date(2025, 1, 1), value=300)
    with pytest.raises(ValidationFailed, match=r"write 0\.90"):
        book.with_value(metric="service_level", entity="*", program="bank", valid_from=dt.date(2025, 1, 1), value=90)
    again = parse_targets(targets_yaml(new, header="a header"), where="export.yaml")
    assert sorted(again.entries, key=lambda e: e.key()) == sorted(new.entries, key=lambda e: e.key())
    assert again.dated_targets() == new.dated_targets()


def test_check_entries_names_the_line_of_the_field_at_fault() -> None:
    book = parse_targets(TARGETS, where="t.yaml")

    def no_bank(entry: TargetEntry) -> list[str]:
        return ["program: unknown program 'bank'"] if entry.program == "bank" else []

    with pytest.raises(ValidationFailed) as caught:
        check_entries(TARGETS, book, no_bank, where="t.yaml")
    assert caught.value.issues == [
        "line 7, field targets.1.program: unknown program 'bank'",
        "line 13, field targets.2.program: unknown program 'bank'",
    ]
