"""The pure engine: markets, project draws, calls and instruments — hand cases, statistics and
seeding, on plain arrays and specs (nothing from terms or assumptions reaches it)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import pactlab as pl
from pactlab.engine.funding import simulate_funding
from pactlab.engine.instruments import DebtSpec, debt_flows, outstanding_schedule
from pactlab.engine.markets import expected_sofr, simulate_markets
from pactlab.engine.projects import NEVER, draw_project, profitability_index
from pactlab.engine.rng import streams
from pactlab.model.specs import archetype_spec, market_spec

A = pl.load_assumptions()
MARKETS = market_spec(A)


def test_streams_are_keyed_by_name_not_order() -> None:
    first = streams(11)
    a1 = first("projects/x").random(5)
    first("projects/y").random(5)
    second = streams(11)
    second("projects/y").random(5)
    np.testing.assert_array_equal(second("projects/x").random(5), a1)
    with pytest.raises(ValueError):
        streams(-1)
    assert (streams(11)("projects/x", block=1).random(5) != a1).all()


def test_a_shorter_draw_is_a_prefix_of_a_longer_one() -> None:
    arch = archetype_spec(A.archetypes["gas_power"])
    short = draw_project(arch, 10, streams(3)("projects/x"))
    long = draw_project(arch, 1000, streams(3)("projects/x"))
    for name in ("overrun", "build", "fail_after", "multiplier"):
        np.testing.assert_array_equal(getattr(short, name), getattr(long, name)[:10])
    m_short = simulate_markets(MARKETS, 10, 30, streams(3)("markets/shocks"))
    m_long = simulate_markets(MARKETS, 100, 30, streams(3)("markets/shocks"))
    np.testing.assert_array_equal(m_short.energy, m_long.energy[:10])


def test_project_draws_have_the_archetype_moments() -> None:
    arch = archetype_spec(A.archetypes["gas_power"])
    d = draw_project(arch, 200_000, streams(5)("projects/x"))
    assert d.overrun.mean() == pytest.approx(1.0 + arch.overrun_mean, rel=0.01)
    assert d.multiplier.mean() == pytest.approx(1.0, abs=0.01)
    assert (d.fail_after != NEVER).mean() == pytest.approx(arch.failure_prob, abs=0.005)
    assert (d.build > arch.build_years).mean() == pytest.approx(arch.delay_prob, abs=0.005)
    assert (d.fail_year(3) - d.fail_after == 3).all()


def test_market_factors_have_the_stated_moments() -> None:
    m = simulate_markets(MARKETS, 40_000, 30, streams(5)("markets/shocks"))
    np.testing.assert_allclose(m.energy.mean(axis=0), 1.0, atol=0.02)
    np.testing.assert_allclose(m.power.mean(axis=0), 1.0, atol=0.01)
    assert m.sofr[:, 0] == pytest.approx(A.markets.sofr.start)
    # unfloored mean reverts to the long-run level; the floor only lifts it slightly
    np.testing.assert_allclose(m.sofr.mean(axis=0), expected_sofr(MARKETS, 30), atol=0.002)
    shocks = np.diff(np.log(m.energy), axis=1)[:, 1], np.diff(np.log(m.power), axis=1)[:, 1]
    assert np.corrcoef(*shocks)[0, 1] == pytest.approx(A.markets.correlation.energy_power, abs=0.03)


def test_calls_cap_backlog_and_ceiling() -> None:
    demand = np.array([[50.0, 10.0, 0.0, 0.0, 0.0]])
    calls = simulate_funding(demand, 20.0, 100.0)   # calls alone: no reserve side
    np.testing.assert_array_equal(calls.paid, [[20.0, 20.0, 20.0, 0.0, 0.0]])
    capped = simulate_funding(np.array([[80.0, 80.0, 0.0]]), None, 100.0)
    np.testing.assert_array_equal(capped.paid, [[80.0, 20.0, 0.0]])
    assert capped.backlog[0, -1] == 0.0  # demand beyond the commitment is never called


def test_every_output_of_the_funding_kernel_is_written() -> None:
    # numba once wrote arrays unpacked from a tuple inside prange to a copy: check each by hand
    c = simulate_funding(np.array([[50.0, 10.0, 0.0, 0.0], [5.0, 5.0, 5.0, 5.0]]), 20.0, 100.0,
                         last_call_year=1)
    np.testing.assert_array_equal(c.paid, [[20, 20, 0, 0], [5, 5, 0, 0]])
    np.testing.assert_array_equal(c.shortfall, [20.0, 10.0])
    np.testing.assert_array_equal(c.backlog, [[30, 20, 20, 20], [0, 0, 0, 0]])
    np.testing.assert_array_equal(c.below_std_year, [4, 4])
    np.testing.assert_array_equal(c.float_year, [4, 4])
    np.testing.assert_array_equal(c.hazard, np.zeros((2, 4)))
    np.testing.assert_array_equal(c.stress_swap, np.zeros((2, 4)))
    np.testing.assert_array_equal(c.funded_by(np.array([[0, 0], [1, 3]]), 100.0), [[4, 0], [4, 4]])


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, (3, 12), elements=st.floats(0, 100)), st.floats(1, 60), st.floats(1, 60),
       st.floats(10, 2000))
def test_calls_never_exceed_cap_or_ceiling_and_a_higher_cap_pays_sooner(demand, cap1, cap2, ceiling):
    low, high = sorted((cap1, cap2))
    slow, fast = simulate_funding(demand, low, ceiling), simulate_funding(demand, high, ceiling)
    assert (slow.paid <= low + 1e-9).all()
    assert (slow.paid.sum(axis=1) <= ceiling + 1e-9).all()
    # paid + backlog never loses demand below the ceiling
    np.testing.assert_allclose(slow.paid.sum(axis=1) + slow.backlog[:, -1],
                               np.minimum(demand.sum(axis=1), ceiling), atol=1e-6)
    assert (np.cumsum(fast.paid, axis=1) >= np.cumsum(slow.paid, axis=1) - 1e-9).all()


def test_profitability_index_hand_case() -> None:
    arch = archetype_spec(A.archetypes["gas_power"].model_copy(update=dict(
        build_years=1, life_years=1, delay_prob=0.0, failure_prob=0.0, overrun_mean=0.0,
        cash_yield=0.5)))
    # spend 1 in year 0; cash 0.5 x (1 - 0.21) in year 1, at 10%
    assert profitability_index(arch, 0.10, 0.21) == pytest.approx(0.5 * 0.79 / 1.1)


def test_loan_hand_case() -> None:
    loan = DebtSpec(loan=True, rate=0.05, tenor=4, recovery=0.4, amortisation="linear")
    spend = np.array([[5.0, 5.0, 0, 0, 0, 0, 0]])
    flows = debt_flows(loan, 10.0, spend, np.array([2]), np.array([99]))
    np.testing.assert_allclose(flows, [[-5.0, -4.75, 3.0, 2.875, 2.75, 2.625, 0.0]])
    failed = debt_flows(loan, 10.0, spend, np.array([2]), np.array([3]))
    np.testing.assert_allclose(failed, [[-5.0, -4.75, 3.0, 0.4 * 7.5, 0, 0, 0]])


def test_annuity_schedule_pays_equal_instalments() -> None:
    o = outstanding_schedule("annuity", 0.06, 10)
    payments = 0.06 * o[:-1] + (o[:-1] - o[1:])
    np.testing.assert_allclose(payments, payments[0])
    assert o[0] == 1.0 and o[-1] == pytest.approx(0.0, abs=1e-12)


def test_guarantee_hand_case() -> None:
    g = DebtSpec(loan=False, rate=0.01, tenor=4, recovery=0.4)
    spend = np.array([[5.0, 5.0, 0, 0, 0, 0]])
    flows = debt_flows(g, 10.0, spend, np.array([2]), np.array([4]))
    np.testing.assert_allclose(flows, [[0.05, 0.1, 0.1, 0.075, -0.6 * 5.0, 0.0]])
