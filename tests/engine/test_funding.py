"""The reserve stock, year by year: hand-computed one-path cases of the recurrence and its
properties (reserves never below zero, stops that reverse, more shock or more calls never less
crisis risk)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pactlab.engine.funding import FxDraws, FxSpec, simulate_funding
from pactlab.engine.reserves import crisis_hazard, crisis_probability

#: reserves 300 at 4%, short-term debt 100 growing 2%, flows of 5 growing 3%, the default logit
SPEC = FxSpec(enabled=True, reserves=300.0, reserve_yield=0.04, flow=5.0, growth=0.03,
              short_term_debt=100.0, std_growth=0.02, logit_intercept=-2.197, logit_slope=-5.8)


def _one(spec: FxSpec, years: int = 4, *, stops=None, swap=None, flow=None, value=None,
         demand=None):
    """One path: the draws given by year (zeros elsewhere)."""
    row = lambda x: np.zeros((1, years)) if x is None else np.array([x], dtype=float)
    draws = FxDraws(row(stops), row(swap), row(flow), row(value))
    return simulate_funding(row(demand), None, 1e9, fx=spec, shocks=draws)


def test_the_calm_recurrence_by_hand() -> None:
    c = _one(SPEC, 3)
    r0 = 300 * 1.04 + 5.0
    r1 = r0 * 1.04 + 5.0 * 1.03
    r2 = r1 * 1.04 + 5.0 * 1.03**2
    np.testing.assert_allclose(c.reserves[0], [r0, r1, r2])
    stds = 100.0 * 1.02 ** np.arange(3)
    np.testing.assert_allclose(c.hazard[0], crisis_hazard(np.array([r0, r1, r2]) / stds, -2.197, -5.8))
    assert c.float_year[0] == 3 and c.below_std_year[0] == 3


def test_flow_and_valuation_noise_by_hand() -> None:
    spec = SPEC._replace(flow_sigma=2.0, valuation_sigma=0.01, flow_persistence=0.5)
    c = _one(spec, 2, flow=[1.0, -1.0], value=[2.0, 0.0])
    u1 = 0.5 * 1.0 + np.sqrt(0.75) * -1.0           # AR(1) from its stationary law
    r0 = 300 * (1.04 + 0.02) + 5.0 + 2.0 * 1.0
    r1 = r0 * 1.04 + (5.0 + 2.0 * u1) * 1.03
    np.testing.assert_allclose(c.reserves[0], [r0, r1])


def test_a_stop_with_a_swap_line_drains_then_flows_back_by_hand() -> None:
    """Year 1: a stop drains 30% of short-term debt (102); the Fed line covers 20 of it. Year 2:
    80% of the 30.6 met flows back and the 20 drawn are repaid."""
    spec = SPEC._replace(flow=0.0, stress_swap=20.0, stop_return=0.8)
    c = _one(spec, 3, stops=[0.0, 0.3, 0.0], swap=[0.0, 1.0, 0.0])
    r0 = 300 * 1.04
    drain = 0.3 * 102.0
    r1 = r0 * 1.04 - drain + 20.0
    r2 = r1 * 1.04 + 0.8 * drain - 20.0
    np.testing.assert_allclose(c.reserves[0], [r0, r1, r2])
    np.testing.assert_allclose(c.stress_swap[0], [0.0, 20.0, 0.0])


def test_a_return_split_over_two_years_by_hand() -> None:
    spec = SPEC._replace(flow=0.0, return_next_year=0.25)
    c = _one(spec, 4, stops=[0.5, 0.0, 0.0, 0.0])
    r0 = 300 * 1.04 - 50.0
    r1 = r0 * 1.04 + 12.5
    r2 = r1 * 1.04 + 37.5
    np.testing.assert_allclose(c.reserves[0, :3], [r0, r1, r2])


def test_the_won_floats_at_the_floor_and_the_rest_falls_on_it() -> None:
    """A stop of 90% of debt of 300 against reserves of 100 with a floor at 10% of the debt: the
    central bank sells down to 30; what comes back is what it met (the 74 above the floor)."""
    spec = FxSpec(enabled=True, reserves=100.0, reserve_yield=0.04, short_term_debt=300.0,
                  float_floor=0.1, logit_intercept=-2.197, logit_slope=-5.8)
    c = _one(spec, 3, stops=[0.9, 0.0, 0.0])
    assert c.reserves[0, 0] == pytest.approx(30.0)
    assert c.float_year[0] == 0 and c.hazard[0, 0] == 1.0 and c.below_std_year[0] == 0
    assert c.reserves[0, 1] == pytest.approx(30.0 * 1.04 + 74.0)


def test_the_pacts_calls_count_as_paid_when_the_won_floats() -> None:
    spec = FxSpec(enabled=True, reserves=50.0, short_term_debt=100.0, float_floor=0.1)
    c = simulate_funding(np.array([[80.0, 0.0]]), None, 100.0, fx=spec)
    assert c.paid[0, 0] == 80.0 and c.reserves[0, 0] == pytest.approx(10.0)
    assert c.float_year[0] == 0 and c.hazard[0, 0] == 1.0


def test_no_short_term_debt_no_hazard_short_of_the_float() -> None:
    spec = FxSpec(enabled=True, reserves=50.0, reserve_yield=0.02)
    c = simulate_funding(np.array([[0.0, 80.0, 0.0]]), None, 100.0, fx=spec)
    np.testing.assert_allclose(c.reserves[0], [51.0, 0.0, 0.0])
    np.testing.assert_array_equal(c.hazard[0], [0.0, 1.0, 0.0])
    assert c.float_year[0] == 1


def test_the_hazard_and_the_horizon_probability_by_hand() -> None:
    assert float(crisis_hazard(1.0, -2.197, -5.8)) == pytest.approx(0.1, abs=1e-4)
    assert float(crisis_hazard(0.35, -2.197, -5.8)) == pytest.approx(0.98, abs=1e-3)
    assert float(crisis_hazard(0.0, -2.197, -5.8)) == 1.0
    h = np.array([[0.5, 0.5, 0.5], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(crisis_probability(h, 2), [0.75, 1.0])
    np.testing.assert_allclose(crisis_probability(h, 1), [0.5, 0.0])


# --- properties ------------------------------------------------------------------------------

_SHAPE = (3, 10)
_draw = lambda lo, hi: arrays(np.float64, _SHAPE, elements=st.floats(lo, hi))
_specs = st.builds(
    lambda r, y, d, g, f, sv, fl, ret, nxt, sw: FxSpec(
        enabled=True, reserves=r, reserve_yield=y, short_term_debt=d, std_growth=g, flow=f,
        flow_sigma=abs(f), valuation_sigma=sv, float_floor=fl, stop_return=ret,
        return_next_year=nxt, stress_swap=sw, logit_intercept=-2.197, logit_slope=-5.8,
        bonds_share=0.25, growth=0.04),
    st.floats(10, 800), st.floats(0, 0.06), st.floats(1, 400), st.floats(-0.05, 0.1),
    st.floats(-20, 20), st.floats(0, 0.05), st.floats(0, 0.3), st.floats(0, 1), st.floats(0, 1),
    st.floats(0, 60))


def _draws(stops, swap, flow, value) -> FxDraws:
    return FxDraws(stops, (swap > 0.5).astype(float), flow, value)


@settings(max_examples=150, deadline=None)
@given(_specs, _draw(0, 100), _draw(0, 0.9), _draw(0, 1), _draw(-4, 4), _draw(-4, 4))
def test_reserves_never_go_below_zero(spec, demand, stops, swap, flow, value) -> None:
    c = simulate_funding(demand, 40.0, 500.0, fx=spec, shocks=_draws(stops, swap, flow, value))
    assert (c.reserves >= 0.0).all()
    assert ((c.hazard >= 0.0) & (c.hazard <= 1.0)).all()


@settings(max_examples=150, deadline=None)
@given(_specs, _draw(0, 0.6), st.floats(1.0, 3.0), _draw(0, 1), _draw(-4, 4), _draw(0, 4))
def test_a_bigger_shock_never_lowers_the_crisis_probability(spec, stops, k, swap, flow, value) -> None:
    """While reserves earn a non-negative return (a valuation loss on money that was drained and
    came back at par is the one way a stop could leave reserves higher)."""
    zero = np.zeros(_SHAPE)
    small = simulate_funding(zero, None, 0.0, fx=spec, shocks=_draws(stops, swap, flow, value))
    big = simulate_funding(zero, None, 0.0, fx=spec, shocks=_draws(stops * k, swap, flow, value))
    _lower_until_it_floats(big, small)


def _lower_until_it_floats(worse, better) -> None:
    """Reserves no higher and hazards no lower until `worse` floats (once the won floats, what
    it absorbs no longer drains reserves: that year is a crisis for sure), and so P(crisis) over
    the horizon never lower."""
    before = np.arange(_SHAPE[1]) < worse.float_year[:, None]
    assert (worse.float_year <= better.float_year).all()
    assert (worse.reserves <= better.reserves + 1e-9 * (1 + better.reserves))[before].all()
    assert (worse.hazard >= better.hazard - 1e-12)[before].all()
    assert (crisis_probability(worse.hazard, 10) >= crisis_probability(better.hazard, 10) - 1e-12).all()


@settings(max_examples=150, deadline=None)
@given(st.floats(50, 800), st.floats(0, 0.06), st.floats(1, 300), st.floats(0.01, 0.9),
       st.integers(0, 7), st.floats(0, 30))
def test_a_reversal_returns_the_flows_up_to_the_yield_on_the_gap(r, y, d, size, year, swap) -> None:
    """After the stop has flowed back, reserves are the calm path's less the yield on the gap:
    the drain net of the swap line, D, leaves y·D·(1+y)^k behind k years after its return."""
    spec = FxSpec(enabled=True, reserves=r, reserve_yield=y, short_term_debt=d, stress_swap=swap)
    stops = np.zeros((1, 10))
    stops[0, year] = size
    open_ = np.ones((1, 10))
    calm = simulate_funding(np.zeros((1, 10)), None, 0.0, fx=spec).reserves[0]
    hit = simulate_funding(np.zeros((1, 10)), None, 0.0, fx=spec,
                           shocks=FxDraws(stops, open_, np.zeros((1, 10)), np.zeros((1, 10)))).reserves[0]
    drain = size * d
    if drain - min(swap, drain) > calm[year] - 1e-9:     # the floor (zero) would bind: not this case
        return
    gap = drain - min(swap, drain)
    after = np.arange(year + 1, 10)
    np.testing.assert_allclose(calm[after] - hit[after], y * gap * (1 + y) ** (after - year - 1),
                               rtol=1e-9, atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(_specs, _draw(0, 60), _draw(0, 40), _draw(0, 0.5), _draw(0, 1), _draw(-4, 4), _draw(-4, 4))
def test_more_calls_never_lower_the_crisis_probability(spec, demand, extra, stops, swap, flow,
                                                       value) -> None:
    draws = _draws(stops, swap, flow, value)
    less = simulate_funding(demand, None, 1e9, fx=spec, shocks=draws)
    more = simulate_funding(demand + extra, None, 1e9, fx=spec, shocks=draws)
    _lower_until_it_floats(more, less)
