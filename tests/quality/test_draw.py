"""Reproducible draws: same seed -> same ids; strata get their proportional (or equal) share."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.errors import CxcertError
from cxcert.quality.draw import Allocation, allocate, draw_sample


def contacts() -> pd.DataFrame:
    sizes = {"a1": 500, "a2": 300, "a3": 150, "a4": 50}
    rows = [(f"{agent}-{i:04d}", agent, "voice" if i % 3 else "chat") for agent, k in sizes.items() for i in range(k)]
    return pd.DataFrame(rows, columns=["contact_id", "agent_id", "channel"])


def test_same_seed_same_ids_whatever_the_row_order() -> None:
    frame = contacts()
    first = draw_sample(frame, 100, seed=42, strata=["agent_id"])
    shuffled = frame.sample(frac=1, random_state=7)
    assert draw_sample(shuffled, 100, seed=42, strata=["agent_id"]).contact_ids == first.contact_ids
    assert draw_sample(frame, 100, seed=43, strata=["agent_id"]).contact_ids != first.contact_ids
    assert "seed 42" in first.explanation.summary


def test_proportional_allocation_follows_strata_sizes() -> None:
    """1000 contacts split 500/300/150/50, n = 100 -> 50/30/15/5 exactly."""
    draw = draw_sample(contacts(), 100, seed=1, strata=["agent_id"])
    assert {k: d for k, (d, _) in draw.per_stratum.items()} == {"a1": 50, "a2": 30, "a3": 15, "a4": 5}
    drawn = pd.Series([c.stratum for c in draw.contacts]).value_counts().to_dict()
    assert drawn == {"a1": 50, "a2": 30, "a3": 15, "a4": 5}
    assert len(set(draw.contact_ids)) == 100


def test_equal_allocation_caps_small_strata() -> None:
    """n = 240 over 4 agents -> 60 each, but a4 has only 50: its 10 go to the largest remaining strata."""
    plan = allocate({"a1": 500, "a2": 300, "a3": 150, "a4": 50}, 240, Allocation.EQUAL)
    assert plan["a4"] == 50 and sum(plan.values()) == 240
    assert plan == {"a1": 64, "a2": 63, "a3": 63, "a4": 50}


def test_multiple_strata_and_simple_random() -> None:
    draw = draw_sample(contacts(), 60, seed=5, strata=["agent_id", "channel"])
    assert all("|" in c.stratum for c in draw.contacts)
    simple = draw_sample(contacts(), 10, seed=5)
    assert {c.stratum for c in simple.contacts} == {"all"} and len(simple.contacts) == 10


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.dictionaries(st.sampled_from(list("abcdefgh")), st.integers(0, 40), min_size=1),
    share=st.floats(0, 1),
    equal=st.booleans(),
)
def test_allocation_adds_up_and_never_exceeds_a_stratum(sizes: dict[str, int], share: float, equal: bool) -> None:
    total = sum(sizes.values())
    n = round(share * total)
    plan = allocate(sizes, n, Allocation.EQUAL if equal else Allocation.PROPORTIONAL)
    assert sum(plan.values()) == n
    assert all(0 <= plan[k] <= sizes[k] for k in sizes)
    if not equal and total:
        assert all(abs(plan[k] - n * sizes[k] / total) < 1 for k in sizes)


def test_user_mistakes() -> None:
    with pytest.raises(CxcertError, match="unknown stratum column"):
        draw_sample(contacts(), 10, seed=1, strata=["queue"])
    with pytest.raises(CxcertError, match="cannot draw 2000"):
        draw_sample(contacts(), 2000, seed=1)
    duplicated = pd.concat([contacts().head(3), contacts().head(1)])
    with pytest.raises(CxcertError, match="more than once"):
        draw_sample(duplicated, 2, seed=1)


def test_blank_strata_are_their_own_stratum() -> None:
    """Abandoned contacts have no agent: they form the '(blank)' stratum instead of crashing the draw."""
    frame = pd.DataFrame(
        {
            "contact_id": [f"c{i}" for i in range(10)],
            "agent_id": ["a1", "a1", "a2", None, "", "a2", float("nan"), "a1", "  ", "a2"],
        }
    )
    draw = draw_sample(frame, 5, seed=3, strata=["agent_id"])
    assert {k: s for k, (_, s) in draw.per_stratum.items()} == {"(blank)": 4, "a1": 3, "a2": 3}
    assert sum(d for d, _ in draw.per_stratum.values()) == 5
    assert any(step.rule == "blank_stratum" and step.inputs["blanks"] == 4 for step in draw.explanation.steps)


@settings(max_examples=60, deadline=None)
@given(
    agents=st.lists(st.sampled_from(["a1", "a2", "a3", "", None]), min_size=1, max_size=60),
    channels=st.data(),
    share=st.floats(0.01, 1),
    seed=st.integers(0, 2**32),
    equal=st.booleans(),
)
def test_any_draw_is_reproducible_and_its_strata_add_up_to_n(
    agents: list[str | None], channels: st.DataObject, share: float, seed: int, equal: bool
) -> None:
    """Blank values or not, one or two stratum columns: the same seed gives the same ids whatever the row order,
    each stratum gives at most its population, and the strata's draws add up to n."""
    frame = pd.DataFrame(
        {
            "contact_id": [f"c{i:03d}" for i in range(len(agents))],
            "agent_id": agents,
            "channel": channels.draw(st.lists(st.sampled_from(["voice", "chat", None]), min_size=len(agents),
                                              max_size=len(agents))),
        }
    )  # fmt: skip
    n = max(1, round(share * len(frame)))
    strata = channels.draw(st.sampled_from([["agent_id"], ["agent_id", "channel"]]))
    how = Allocation.EQUAL if equal else Allocation.PROPORTIONAL
    draw = draw_sample(frame, n, seed=seed, strata=strata, allocation=how)
    again = draw_sample(frame.iloc[::-1], n, seed=seed, strata=strata, allocation=how)
    assert draw.contact_ids == again.contact_ids
    assert sum(d for d, _ in draw.per_stratum.values()) == n == len(set(draw.contact_ids))
    assert sum(s for _, s in draw.per_stratum.values()) == len(frame)
    assert all(0 <= d <= s for d, s in draw.per_stratum.values())
