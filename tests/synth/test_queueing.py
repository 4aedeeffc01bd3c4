"""The Erlang A queue used for waits and abandonment, against independent oracles."""

from __future__ import annotations

import numpy as np
import pytest

from cxcert.synth.profile import Patience
from cxcert.synth.queueing import erlang_a, queue_state


def _birth_death(n: int, lam: float, mu: float, theta: float, states: int = 400) -> tuple[float, float]:
    """Oracle: solve the truncated M/M/n+M chain's balance equations directly (linear algebra, no recursion)."""
    q = np.zeros((states, states))
    for j in range(states - 1):
        q[j, j + 1] = lam
        q[j + 1, j] = min(j + 1, n) * mu + max(j + 1 - n, 0) * theta
    np.fill_diagonal(q, -q.sum(axis=1))
    a = np.vstack([q.T, np.ones(states)])
    b = np.zeros(states + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    levels = np.arange(states)
    return float(pi[levels >= n].sum()), float(theta * (np.maximum(levels - n, 0) * pi).sum() / lam)


@pytest.mark.parametrize(("n", "offered"), [(1, 0.7), (5, 4.0), (10, 11.0), (25, 20.0)])
def test_erlang_a_matches_the_birth_death_chain(n: int, offered: float) -> None:
    mu, theta = 1 / 300, 1 / 200
    lam = offered * mu
    delay, abandon = erlang_a(np.array([n]), np.array([lam]), np.array([mu]), np.array([theta]))
    want_delay, want_abandon = _birth_death(n, lam, mu, theta)
    assert delay[0] == pytest.approx(want_delay, rel=1e-6)
    assert abandon[0] == pytest.approx(want_abandon, rel=1e-6)


def test_erlang_a_tends_to_erlang_c_without_abandonment() -> None:
    delay, abandon = erlang_a(np.array([10]), np.array([8 / 300]), np.array([1 / 300]), np.array([1e-9]))
    assert delay[0] == pytest.approx(0.4092, abs=1e-4) and abandon[0] < 1e-6


def test_fewer_agents_mean_more_delay_and_longer_waits() -> None:
    patience = Patience(distribution="exponential", mean_s=400)
    agents = np.arange(8, 20)
    state = queue_state(np.full(agents.shape, 60.0), agents, np.full(agents.shape, 300.0), 1.0, 1800.0, patience)
    assert np.all(np.diff(state.delay_probability) < 0)
    assert np.all(np.diff(state.mean_delay_s) < 0)
    # The simulated abandonment P(delay) * m / (m + P) is Erlang A's, by construction of m.
    theta = np.full(agents.shape, 1 / 400.0)
    _, abandon = erlang_a(agents, np.full(agents.shape, 60 / 1800), np.full(agents.shape, 1 / 300), theta)
    m = state.mean_delay_s
    assert np.allclose(state.delay_probability * m / (m + 400.0), abandon, rtol=1e-6)


def test_lognormal_patience_uses_the_same_abandonment() -> None:
    patience = Patience(distribution="lognormal", mean_s=400, sigma=1.0)
    state = queue_state(np.array([60.0]), np.array([10]), np.array([300.0]), 1.0, 1800.0, patience)
    rng = np.random.default_rng(1)
    tau = rng.lognormal(np.log(400) - 0.5, 1.0, 400_000)
    wait = rng.exponential(state.mean_delay_s[0], tau.shape[0])
    _, abandon = erlang_a(np.array([10]), np.array([60 / 1800]), np.array([1 / 300]), np.array([1 / 400]))
    assert state.delay_probability[0] * (tau < wait).mean() == pytest.approx(abandon[0], rel=0.03)
