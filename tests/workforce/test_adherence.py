"""Schedule adherence and conformance, checked by hand on small timelines."""

from __future__ import annotations

import pandas as pd
import pytest

from cxcert.workforce.adherence import adherence_report, default_state_mapping


def _t(hm: str) -> pd.Timestamp:
    return pd.Timestamp(f"2026-01-05 {hm}", tz="UTC")


def test_hand_checked_day() -> None:
    """Agent a1 scheduled phone 09:00-11:00, break 11:00-11:15, phone 11:15-12:00 (180 min; 165 min work).
    States: available 09:05-10:00, talk 10:00-11:05, break 11:05-11:20, acw 11:20-12:00.
    Adherent: phone 09:05-11:00 = 115 min; break 11:05-11:15 = 10; phone 11:20-12:00 = 40 -> 165/180.
    Worked (working states anywhere): 55 + 65 + 40 = 160 min over 165 min scheduled work."""
    sched = pd.DataFrame(
        {
            "agent_id": ["a1", "a1", "a1"],
            "activity": ["phone", "break", "phone"],
            "start": [_t("09:00"), _t("11:00"), _t("11:15")],
            "end": [_t("11:00"), _t("11:15"), _t("12:00")],
        }
    )
    states = pd.DataFrame(
        {
            "agent_id": ["a1"] * 4,
            "state": ["available", "talk", "break", "acw"],
            "start": [_t("09:05"), _t("10:00"), _t("11:05"), _t("11:20")],
            "end": [_t("10:00"), _t("11:05"), _t("11:20"), _t("12:00")],
        }
    )
    r = adherence_report(sched, states)
    (a1,) = r.agents
    assert a1.adherent_s == 165 * 60 and a1.scheduled_s == 180 * 60
    assert a1.adherence == pytest.approx(165 / 180)
    assert a1.conformance == pytest.approx(160 / 165)
    assert r.adherence == pytest.approx(165 / 180)


def test_absent_agent_and_unknown_activity() -> None:
    sched = pd.DataFrame({"agent_id": ["a2"], "activity": ["phone"], "start": [_t("09:00")], "end": [_t("10:00")]})
    states = pd.DataFrame({"agent_id": ["zz"], "state": ["talk"], "start": [_t("09:00")], "end": [_t("10:00")]})
    r = adherence_report(sched, states)
    assert r.agents[0].adherence == 0.0 and r.agents[0].conformance == 0.0
    assert r.unmapped == ()


def test_an_unknown_activity_is_reported_not_dropped() -> None:
    """a3: phone 09:00-10:00 in talk (adherent), juggling 10:00-10:30 in talk. The unmapped 30 minutes stay in the
    scheduled time (60 / 90 adherent), are not scheduled work (conformance over the 60 phone minutes: talk 90
    minutes worked / 60) and are named with their time."""
    sched = pd.DataFrame({"agent_id": ["a3", "a3"], "activity": ["phone", "juggling"],
                          "start": [_t("09:00"), _t("10:00")], "end": [_t("10:00"), _t("10:30")]})  # fmt: skip
    states = pd.DataFrame({"agent_id": ["a3"], "state": ["talk"], "start": [_t("09:00")], "end": [_t("10:30")]})
    r = adherence_report(sched, states)
    (a3,) = r.agents
    assert (a3.scheduled_s, a3.adherent_s, a3.scheduled_work_s, a3.worked_s) == (5400.0, 3600.0, 3600.0, 5400.0)
    assert [(u.activity, u.scheduled_s) for u in r.unmapped] == [("juggling", 1800.0)]
    assert "without a state mapping: juggling (0.5 h)" in r.explanation.render()


def test_mapping_is_packaged_data() -> None:
    m = default_state_mapping()
    assert "talk" in m.activities["phone"].allowed_states and m.activities["break"].work is False


def test_the_mapping_covers_every_activity_the_generator_schedules() -> None:
    """The generator's shift pattern (synth/data/default_centre.yaml) is what the demo and benchmarks ingest."""
    from cxcert.synth import load_profile

    activities = {block.activity for block in load_profile().staffing.shift_pattern}
    assert activities <= set(default_state_mapping().activities)
    assert load_profile().staffing.phone_activity in default_state_mapping().work_activities()
