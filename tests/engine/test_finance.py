"""npv/irr against numpy-financial, and the other measures by hand."""
from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings

from pactlab.engine.finance import (
    increases_pv,
    irr,
    moic,
    npv,
    npv_difference,
    payback_year,
    payback_year_accrued,
    tail_risk,
)

from ..strategies import conventional_series
from ..strategies import rate as rates


def _random_series(n: int, years: int, seed: int) -> np.ndarray:
    """Investment up front (1-3 years), then noisy receipts: one sign change per row."""
    rng = np.random.default_rng(seed)
    flows = rng.gamma(2.0, 8.0, (n, years)) * (rng.random((n, years)) > 0.2)
    outlay_years = rng.integers(1, 4, n)
    for k in range(3):
        sel = outlay_years > k
        flows[sel, k] = -rng.uniform(20, 200, sel.sum())
    return flows


def test_irr_matches_numpy_financial_on_thousands_of_series() -> None:
    flows = _random_series(3000, 25, seed=3)
    ours = irr(flows)
    theirs = np.array([npf.irr(row) for row in flows])
    both = np.isfinite(theirs)
    assert both.mean() > 0.99
    np.testing.assert_allclose(ours[both], theirs[both], rtol=0, atol=1e-9)
    assert np.isnan(ours[~both]).all() or (~both).sum() == 0


def test_npv_matches_numpy_financial() -> None:
    flows = _random_series(2000, 30, seed=4)
    for rate in (0.0, 0.03, 0.1, -0.2):
        theirs = np.array([npf.npv(rate, row) for row in flows])
        np.testing.assert_allclose(npv(rate, flows), theirs, rtol=1e-12, atol=1e-9)


def test_npv_with_a_rate_per_row() -> None:
    flows = np.array([[-100.0, 110.0], [-100.0, 121.0]])
    np.testing.assert_allclose(npv(np.array([0.1, 0.21]), flows), [0.0, 0.0], atol=1e-12)


@settings(max_examples=300, deadline=None)
@given(conventional_series())
def test_irr_is_a_root_of_the_npv(series) -> None:
    r = irr(series)
    assert np.isfinite(r)
    scale = npv(r, np.abs(series))  # the size of the terms summed at that rate
    assert abs(npv(r, series)) <= 1e-8 * scale


def test_irr_is_nan_without_a_sign_change() -> None:
    flows = np.array([[10.0, 5.0, 1.0], [-1.0, -2.0, 0.0], [0.0, 0.0, 0.0]])
    assert np.isnan(irr(flows)).all()


def test_irr_hand_cases() -> None:
    assert irr(np.array([-100.0, 110.0])) == pytest.approx(0.10, abs=1e-12)
    assert irr(np.array([-100.0, 0.0, 121.0])) == pytest.approx(0.10, abs=1e-12)
    assert irr(np.array([-100.0, 50.0])) == pytest.approx(-0.5, abs=1e-12)
    # a late outflow (two sign changes) still has the root nearest zero found
    assert irr(np.array([-100.0, 230.0, -132.0])) == pytest.approx(0.1, abs=1e-9)


def test_moic_payback_and_tail() -> None:
    flows = np.array([[-100.0, 50.0, 80.0], [-100.0, 10.0, 10.0], [0.0, 5.0, 5.0]])
    np.testing.assert_allclose(moic(flows), [1.3, 0.2, np.nan])
    np.testing.assert_array_equal(payback_year(flows), [2.0, np.nan, np.nan])
    var, cvar = tail_risk(np.arange(100.0), 0.05)
    assert (var, cvar) == (4.0, 2.0)


def test_unreachable_root_warns_instead_of_returning_a_wrong_number() -> None:
    from pactlab.engine.finance import IRRConvergenceWarning
    with pytest.warns(IRRConvergenceWarning):
        assert np.isnan(irr(np.array([-1.0, 1e-155])))


def test_payback_with_interest_by_hand() -> None:
    # 100 out, 30 a year back at 10%: the position is -80, -58, -33.8, -7.18, +22.1 -> year 5;
    # without interest 100 is back after year 4 (cumulative 20 at t=4)
    flows = np.array([[-100.0, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0]])
    np.testing.assert_array_equal(payback_year(flows), [4.0])
    np.testing.assert_array_equal(payback_year_accrued(flows, 0.10), [5.0])
    # a rate per path and year: 0% in the years that matter gives the nominal year
    np.testing.assert_array_equal(payback_year_accrued(flows, np.zeros_like(flows)), [4.0])


@settings(max_examples=200, deadline=None)
@given(series=conventional_series(), r=rates)
def test_interest_never_brings_recoupment_forward(series, r) -> None:
    """At a zero rate the accrued payback is the nominal one; at a positive rate it is no earlier."""
    flows = series[None, :]
    nominal, accrued = payback_year(flows)[0], payback_year_accrued(flows, r)[0]
    assert np.array_equal(payback_year_accrued(flows, 0.0), payback_year(flows), equal_nan=True)
    if np.isfinite(accrued):
        assert np.isfinite(nominal) and accrued >= nominal


def test_the_pv_of_a_balances_increases_is_the_pv_of_its_positive_differences() -> None:
    b = np.maximum(np.random.default_rng(1).normal(5.0, 8.0, (200, 30)), 0.0)
    rate = 0.04
    draws = np.maximum(np.diff(b, axis=1, prepend=0.0), 0.0)
    np.testing.assert_allclose(increases_pv(b, rate), draws @ (1 + rate) ** -np.arange(30), rtol=1e-13)
    assert (increases_pv(b, rate) >= 0).all()


def test_the_npv_of_a_difference_is_the_npv_of_its_array_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(3.0, 5.0, (2, 400, 40))
    np.testing.assert_array_equal(npv_difference(0.045, a, b), npv(0.045, a - b))
