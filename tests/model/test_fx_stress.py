"""FX stress: the expected crisis cost a pact adds against no pact, from the yearly hazards; and
the capacity the research states (calls within reserve income add little crisis risk)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import pactlab as pl
from pactlab.analysis.crisis import funding_capacity
from pactlab.model.fx_stress import crisis_probability, first_crisis_pv, fx_stress


def test_the_first_crisis_cost_by_hand() -> None:
    h = np.array([[0.2, 0.5, 1.0], [0.0, 0.0, 0.0]])
    # 0.2 x 10 + 0.8 x 0.5 x 10 x 1.1 / 1.05 + 0.8 x 0.5 x 1.0 x 10 x (1.1 / 1.05)^2, within 3 years
    g, r = 0.10, 0.05
    expected = 0.2 * 10 + 0.8 * 0.5 * 10 * (1 + g) / (1 + r) + 0.4 * 10 * ((1 + g) / (1 + r)) ** 2
    np.testing.assert_allclose(first_crisis_pv(h, 3, 10.0, g, r), [expected, 0.0])
    np.testing.assert_allclose(first_crisis_pv(h, 1, 10.0, g, r), [2.0, 0.0])   # the horizon cuts
    np.testing.assert_allclose(fx_stress(h, h[::-1], 10.0, 3, g, r), [-expected, expected])


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, (4, 8), elements=st.floats(0, 1)), arrays(np.float64, (4, 8), elements=st.floats(0, 1)))
def test_higher_hazards_cost_more_and_are_likelier(low, extra) -> None:
    high = np.minimum(low + extra, 1.0)
    assert (first_crisis_pv(high, 8, 100.0, 0.04, 0.045) >= first_crisis_pv(low, 8, 100.0, 0.04, 0.045) - 1e-9).all()
    assert (crisis_probability(high, 8) >= crisis_probability(low, 8) - 1e-12).all()
    # the expected first-crisis cost never exceeds the cost itself (grown and discounted at 0)
    assert (first_crisis_pv(high, 8, 100.0, 0.0, 0.0) <= 100.0 * crisis_probability(high, 8) + 1e-9).all()


def test_the_fx_stress_component_is_the_hazards_difference() -> None:
    f = pl.futures(400, 3)
    ev = pl.evaluate("korea-final-2025-11", futures=f)
    from pactlab.model.simulation import simulate
    deal = simulate(ev.pact, f)
    g, a = ev.plan.gain_inputs, ev.assumptions
    expected = fx_stress(deal.funding.hazard, deal.no_pact.hazard, g.crisis_cost, g.fx_horizon,
                         a.fx.components_growth, g.investor_rate)
    np.testing.assert_allclose(ev.gains.investor["FX stress"], expected)
    assert g.crisis_cost == pytest.approx(a.valuation.crisis_cost_gdp * a.country("KOR").gdp)


def test_calls_within_reserve_income_add_little_crisis_risk_and_far_larger_draws_add_much() -> None:
    """The research (deal-facts §2.6): Korea pays the $20B a year from reserve income (~$15–20B)
    and state-guaranteed bonds without touching reserve principal. Drawn as projects are selected
    ($200B with no annual cap) the same pact adds well over twice the risk; the US's September
    2025 demand ($350B in cash, most of it upfront) makes a crisis likely."""
    f = pl.futures(600, 0)
    base = pl.load_pact("korea-final-2025-11")
    upfront = base.with_terms({"schedule.annual_cap": 200, "schedule.call_timing": "at_selection"})
    final, fast, demand = pl.evaluate_all([base, upfront, "korea-us-demand-2025-09"], futures=f)
    added = [e.metrics["fx"]["p_crisis"] - e.metrics["fx"]["p_crisis_no_pact"] for e in (final, fast, demand)]
    capacity = funding_capacity(final.plan.calls.fx, final.reserves_table())
    assert (capacity["from_reserves"] <= capacity["reserve_income"]).all()   # principal untouched
    assert final.metrics["fx"]["principal_spent"] < 5.0
    assert 0.0 < added[0] < 0.05                   # a few points over 15 years
    assert added[1] > 2 * added[0] and added[1] > 0.06
    assert added[2] > 0.5
    assert final.metrics["fx"]["p_crisis_no_pact"] < 0.05
