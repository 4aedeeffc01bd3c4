"""The kickoff: typed audiences, durations against the founding guide (data), and the audiences still to meet."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from cxcert.certification.people import (
    KickoffAudience,
    KickoffGuide,
    KickoffSession,
    audiences_without_session,
    check_kickoff_session,
    kickoff_guide,
)
from cxcert.errors import CxcertError, ValidationFailed
from cxcert.yaml_source import parse_model

DAY = dt.date(2026, 1, 6)


def _session(audience: str, hours: float) -> KickoffSession:
    return KickoffSession(audience=audience, held_on=DAY, duration_hours=hours)


def test_packaged_guide_follows_the_founding_document() -> None:
    """Oracle: DOMAIN.md section 3 step 2 - executives about 2 h, centre managers about 4 h, team 4-8 h."""
    guide = kickoff_guide()
    assert {a: g.guide for a, g in guide.audiences.items()} == {
        KickoffAudience.EXECUTIVES: "about 2 h",
        KickoffAudience.CENTRE_MANAGERS: "about 4 h",
        KickoffAudience.IMPLEMENTATION_TEAM: "4-8 h",
    }
    team = guide.audiences[KickoffAudience.IMPLEMENTATION_TEAM]
    assert (team.min_hours, team.max_hours) == (4, 8)
    assert guide.max_session_hours >= max(g.max_hours for g in guide.audiences.values())


def test_audience_as_people_write_it() -> None:
    assert _session("centre managers", 4).audience is KickoffAudience.CENTRE_MANAGERS
    assert _session("Implementation-Team", 6).audience is KickoffAudience.IMPLEMENTATION_TEAM
    with pytest.raises(ValidationError, match="'board' is not a kickoff audience; use one of executives"):
        _session("board", 2)
    with pytest.raises(ValidationError, match="greater than 0"):
        _session("executives", 0)


@pytest.mark.parametrize(
    ("audience", "hours", "within"),
    [
        ("executives", 2, True),
        ("executives", 3, False),
        ("implementation_team", 8, True),
        ("centre_managers", 2, False),
    ],
)
def test_duration_against_the_guide_is_noted_not_refused(audience: str, hours: float, within: bool) -> None:
    check = check_kickoff_session(_session(audience, hours))
    assert check.within_guide is within
    assert ("within the guide" if within else "outside the guide") in check.explanation.summary
    assert check.explanation.steps[0].rule == f"kickoff_guide:{audience}"


def test_a_session_longer_than_the_kickoff_is_a_mistake() -> None:
    with pytest.raises(CxcertError, match="longer than the kickoff on site allows"):
        check_kickoff_session(_session("implementation_team", 40))


def test_audiences_without_session_in_guide_order() -> None:
    assert audiences_without_session([_session("centre managers", 4)]) == (
        KickoffAudience.EXECUTIVES,
        KickoffAudience.IMPLEMENTATION_TEAM,
    )
    assert audiences_without_session([]) == tuple(KickoffAudience)


def test_guide_errors_name_the_line() -> None:
    text = (
        "source_note: x\nmax_session_hours: 16\naudiences:\n"
        "  executives: {title: E, guide: g, min_hours: 3, max_hours: 2}\n"
    )
    with pytest.raises(ValidationFailed, match=r"kickoff\.yaml: line 4, field audiences\.executives"):
        parse_model(text, KickoffGuide, where="kickoff.yaml")
