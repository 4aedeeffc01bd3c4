"""Scaling a class's minimum compliant items to a smaller scope never collapses it into "all compliant"."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cxcert.certification.class_conditions import Tally, proportional_min, scaled_min
from cxcert.certification.decision import decide
from cxcert.certification.decision_policy import Scaling, default_policy
from cxcert.certification.process_certification import scope_for
from cxcert.standards import library
from cxcert.standards.rule_set import FindingLevel

from .builders import MINOR, assessment

POLICY = default_policy()
ABSOLUTE = POLICY.model_copy(update={"item_thresholds": Scaling.ABSOLUTE})


def _tally(scorable: int) -> Tally:
    return Tally(scorable, 0, 0, 0, 0, 0, 0, 0)


def test_27_of_33_on_five_items_keeps_room_for_one_deficiency() -> None:
    """Hand calculation: ceil(27 x 5 / 33) = ceil(4.09) = 5, all five items; the class keeps 4 of 5."""
    assert proportional_min(27, _tally(5), 33, POLICY) == 5
    assert scaled_min(27, _tally(5), 33, POLICY) == 4
    # where rounding up already leaves room, the documented rounding stands: ceil(27 x 6 / 33) = 5 of 6
    assert scaled_min(27, _tally(6), 33, POLICY) == 5
    # 11 of 33 on 2 items: ceil(0.67) = 1; one item: a class that needs a compliant item still needs one
    assert scaled_min(11, _tally(2), 33, POLICY) == 1
    assert scaled_min(27, _tally(1), 33, POLICY) == 1
    assert scaled_min(0, _tally(5), 33, POLICY) == 0
    # at full scope, and under the absolute reading, the threshold is as written
    assert scaled_min(27, _tally(33), 33, POLICY) == 27
    assert scaled_min(27, _tally(5), 33, ABSOLUTE) == 27


@given(
    reference=st.integers(min_value=2, max_value=60),
    data=st.data(),
)
def test_scaled_threshold_stays_below_all_when_the_written_one_is(reference: int, data: st.DataObject) -> None:
    threshold = data.draw(st.integers(min_value=0, max_value=reference - 1))
    scorable = data.draw(st.integers(min_value=1, max_value=reference))
    need = scaled_min(threshold, _tally(scorable), reference, POLICY)
    assert 0 <= need <= proportional_min(threshold, _tally(scorable), reference, POLICY) <= scorable
    if scorable >= 2:
        assert need < scorable, "the class still tolerates a non-compliant item"
    if threshold >= 1:
        assert need >= 1
    # monotone: more applicable items never lower the bar
    if scorable < reference:
        assert scaled_min(threshold, _tally(scorable + 1), reference, POLICY) >= need


def test_customer_satisfaction_four_compliant_one_minor_is_conditionally_certified() -> None:
    """The packaged customer satisfaction scope has 5 items. Founding rule set: Conditionally Certified is at
    least 27 of 33 compliant with no major; scaled to 5 that is 4 of 5. Points view (1.0 / 0.5 / 0.0 shares,
    1800 of 2000 scaled to the scope) passes too, so both views agree."""
    rules = library.rule_set("copc-2000-founding")
    standard = library.standard(rules.standard.urn)
    scope = scope_for("customer_satisfaction", standard)
    assert len(scope) == 5
    a = assessment(standard, {scope[-1]: MINOR}).model_copy(update={"scope_items": scope})
    d = decide(a, standard, rules)
    assert (d.compliant, d.minor, d.major) == (4, 1, 0)
    assert d.decision_class == "Conditionally Certified" and d.certifies
    assert d.points_passed is True
    reading = next(s.conclusion for s in d.explanation.steps if s.rule == "class:Conditionally Certified")
    assert "at least 4 compliant (threshold 27 scaled to scope: 5 of 5, less one" in reading
    # a major deficiency still rules the class out
    worse = a.model_copy(update={"findings": tuple(
        f.model_copy(update={"level": FindingLevel.MAJOR}) if f.item == scope[-1] else f for f in a.findings
    )})  # fmt: skip
    assert decide(worse, standard, rules).decision_class == "No Classification"
