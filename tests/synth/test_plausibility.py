"""The generated centre behaves like one: arrival shape, handle times, queueing that answers to staffing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cxcert.synth import GenerationSummary, generate, load_profile
from cxcert.synth.profile import CentreProfile

TZ = "America/Chicago"


def _contacts(out: Path) -> pd.DataFrame:
    frame: pd.DataFrame = pq.read_table(out / "contacts").to_pandas()
    frame["local"] = frame["arrived_at"].dt.tz_convert(TZ)
    return frame


def test_intraday_peak_is_where_the_profile_puts_it(small_out: Path) -> None:
    # Oracle: the profile's own curve. Within a day every interval gets the same daily factor, so a queue's
    # arrivals spread over the half hours multinomially with the curve's weights (January and February have no
    # daylight-saving change): each count lies within 5 standard deviations of total * weight / sum of weights.
    profile = load_profile()
    frame = _contacts(small_out)
    for _, queue in profile.queues:
        curve = np.asarray(profile.curves[queue.curve], dtype=np.float64)
        mine = frame[frame["queue"] == queue.id]
        slots = (mine["local"].dt.hour * 2 + mine["local"].dt.minute // 30).to_numpy()
        counts = np.bincount(slots, minlength=48)
        expected = len(mine) * curve / curve.sum()
        assert np.all(np.abs(counts - expected) <= 5 * np.sqrt(expected) + 1e-9), queue.id
        assert counts[curve == 0].sum() == 0, queue.id  # nothing arrives when the curve is zero
        # The busiest half hours are the profile's peak: above every half hour weighted below 80 % of it.
        peak = curve == curve.max()
        assert counts[peak].min() > counts[curve < 0.8 * curve.max()].max(), queue.id
    # Weekly shape: Mondays are the busiest day of the voice week, Sundays the quietest.
    per_day = frame[frame["channel"] == "voice"].groupby(frame["local"].dt.date).size()
    weekday = per_day.groupby([d.weekday() for d in per_day.index]).mean()
    assert weekday.idxmax() == 0 and weekday.idxmin() == 6


def test_handle_time_means_match_the_lognormal_means(small_out: Path) -> None:
    # Oracle: E[talk] + P(hold) E[hold] + E[acw] from the profile, times the first month's aht multiplier.
    # Law of large numbers: the sample mean lies within 5 standard errors (sample sd / sqrt(n)); a false failure
    # has probability below 1e-6 per queue.
    profile = load_profile()
    frame = _contacts(small_out)
    first_month = frame[(frame["local"].dt.month == 1) & ~frame["abandoned"]]
    for program, queue in profile.queues:
        handle = (first_month.loc[first_month["queue"] == queue.id, ["talk_s", "hold_s", "acw_s"]]).sum(axis=1)
        expected = queue.handle.mean_s * program.monthly.at("aht", 0)
        tolerance = 5 * handle.std() / np.sqrt(len(handle))
        assert len(handle) > 1_000
        assert abs(handle.mean() - expected) < tolerance, (queue.id, handle.mean(), expected, tolerance)


def test_abandoned_contacts_have_no_handling_and_answered_ones_have_an_agent(small_out: Path) -> None:
    frame = _contacts(small_out)
    abandoned, answered = frame[frame["abandoned"]], frame[~frame["abandoned"]]
    assert abandoned["answered_at"].isna().all() and abandoned["agent_id"].isna().all()
    assert abandoned["talk_s"].isna().all() and (abandoned["outcome"] == "abandoned").all()
    assert answered["agent_id"].notna().all() and (answered["wait_s"] >= 0).all()
    waited = (answered["answered_at"] - answered["arrived_at"]).dt.total_seconds()
    assert np.allclose(waited, answered["wait_s"], atol=1e-5)
    assert (frame.loc[frame["channel"] == "email", "abandoned"] == False).all()  # noqa: E712


def _with_staffing(profile: CentreProfile, factors: tuple[float, ...]) -> CentreProfile:
    programs = tuple(
        p.model_copy(update={"monthly": p.monthly.model_copy(update={"staffing": factors})}) for p in profile.programs
    )
    return profile.model_copy(update={"programs": programs})


@pytest.fixture(scope="module")
def understaffed_second_month(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    profile = _with_staffing(load_profile(), (1.0, 0.7))
    out = tmp_path_factory.mktemp("understaffed")
    return generate(out, contacts=30_000, months=2, seed=5, profile=profile, entity_id="t")


def test_abandonment_rises_and_service_level_falls_when_staffing_falls(
    understaffed_second_month: GenerationSummary,
) -> None:
    frame = _contacts(understaffed_second_month.out_dir)
    voice = frame[frame["channel"] == "voice"]
    by_month = voice.groupby(voice["local"].dt.month)
    abandon = by_month["abandoned"].mean()
    within_20 = by_month.apply(lambda g: ((~g["abandoned"]) & (g["wait_s"] <= 20)).mean())
    asa = by_month.apply(lambda g: g.loc[~g["abandoned"], "wait_s"].mean())
    assert abandon[2] > abandon[1] * 1.5
    assert within_20[2] < within_20[1] - 0.05
    assert asa[2] > asa[1]


def test_agents_do_not_handle_more_than_their_phone_time(small_out: Path) -> None:
    # Aggregate consistency: talk + hold + acw states equal the contacts' handle time where agents had the time.
    states = pq.read_table(small_out / "agent_states").to_pandas()
    states["seconds"] = (states["end"] - states["start"]).dt.total_seconds()
    handling = states.loc[states["state"].isin(["talk", "hold", "acw"]), "seconds"].sum()
    phone = states.loc[states["state"].isin(["talk", "hold", "acw", "available"]), "seconds"].sum()
    contacts = _contacts(small_out)
    handled = contacts[["talk_s", "hold_s", "acw_s"]].sum(axis=1).sum()
    assert handling <= phone
    assert 0.9 * handled <= handling <= handled * 1.0001
    assert (states["end"] > states["start"]).all()


def test_repeat_contacts_and_forecast_error_are_near_their_settings(small_out: Path) -> None:
    profile = load_profile()
    frame = _contacts(small_out).sort_values("arrived_at")
    # A contact repeats when the same customer contacted the same program in the previous 7 days.
    previous = frame.groupby(["program", "customer_key"])["arrived_at"].shift()
    repeat = (frame["arrived_at"] - previous).dt.total_seconds() <= profile.repeat_window_days * 86_400
    settled = frame["arrived_at"] >= frame["arrived_at"].min() + np.timedelta64(14, "D")
    shares = {q.id: q.repeat_rate * sum(p.share for p in profile.programs if q in p.queues) for _, q in profile.queues}
    assert 0.08 < repeat[settled].mean() < 0.2
    assert shares  # every queue carries a repeat rate
    forecasts = pq.read_table(small_out / "forecasts").to_pandas()
    assert forecasts["contacts_forecast"].sum() == pytest.approx(len(frame), rel=0.05)
