"""Deal vs no deal by year: the value added lost per vintage, in nominal dollars."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pactlab as pl
from pactlab.model.tariffs.no_deal import (
    FLOWS_YEAR,
    lasting,
    no_deal_cost,
    nominal_index,
    vintage_fade,
)

A = pl.load_assumptions()
FINAL = pl.load_pact("korea-final-2025-11")
MONEY = ["investor_export_loss", "investor_value_added_at_risk", "investor_value_added_loss",
         "investor_producer_surplus_loss", "rival_export_gain", "us_consumer_cost",
         "us_tariff_revenue"]


def _fade(adjustment_years: int, years: int) -> np.ndarray:
    return np.maximum(0.0, 1.0 - np.arange(years) / adjustment_years)


def test_each_vintage_fades_by_its_own_age_on_a_three_year_toy() -> None:
    # value added at risk builds 2, 4, 4; the terms-of-trade part is 1 throughout; A = 2 years
    at_risk, terms_of_trade, fade = np.array([2.0, 4.0, 4.0]), np.ones(3), _fade(2, 3)
    lost = terms_of_trade + vintage_fade(at_risk - terms_of_trade, fade)
    # year 0: the first vintage (1 above the terms of trade) is new: 1 + 1
    # year 1: it is half gone (0.5); the second vintage (2) is new: 1 + 0.5 + 2
    # year 2: the first is gone, the second half gone, nothing new: 1 + 0 + 1
    np.testing.assert_allclose(lost, [2.0, 3.5, 2.0])
    # pactlab 0.2 faded the whole loss in calendar time: 1 + 3 x (1, 0.5, 0) in years 1 and 2
    calendar = [lasting(v, 1.0, f) for v, f in zip(at_risk, fade, strict=True)]
    np.testing.assert_allclose(calendar, [2.0, 2.5, 1.0])


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 50.0), st.floats(0.0, 1.0), st.integers(1, 15), st.integers(1, 30))
def test_with_an_instant_build_up_the_vintage_fade_is_the_calendar_fade(
        at_risk: float, tot_share: float, adjustment: int, years: int) -> None:
    terms_of_trade = tot_share * at_risk
    fade = _fade(adjustment, years)
    by_vintage = terms_of_trade + vintage_fade(np.full(years, at_risk - terms_of_trade), fade)
    np.testing.assert_allclose(by_vintage, [lasting(at_risk, terms_of_trade, f) for f in fade],
                               atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 20.0), min_size=1, max_size=12), st.integers(1, 12))
def test_a_loss_that_only_grows_is_never_over_what_is_at_risk(steps: list[float],
                                                               adjustment: int) -> None:
    at_risk = np.cumsum(steps)
    lost = vintage_fade(at_risk, _fade(adjustment, at_risk.size))
    assert (lost <= at_risk + 1e-9).all() and (lost >= -1e-9).all()


def test_the_tables_are_in_each_years_dollars() -> None:
    real = no_deal_cost(FINAL, A.with_values({"trade.nominal_growth": 0.0}), years=12)
    grown = no_deal_cost(FINAL, A.with_values({"trade.nominal_growth": 0.04}), years=12)
    g = 1.04 ** (real.by_year.index.to_numpy() - FLOWS_YEAR)
    for column in MONEY:                       # growth multiplies every year's dollars, once
        np.testing.assert_allclose(grown.by_year[column], real.by_year[column] * g, rtol=1e-12)
    np.testing.assert_array_equal(grown.by_year["survival"], real.by_year["survival"])
    for name in ("terms_of_trade", "at_risk", "consumer", "revenue"):
        np.testing.assert_allclose(grown.kept[name], real.kept[name] * g[:, None, None, None],
                                   rtol=1e-12)
    assert grown.present_value["investor_value_added_relief"] > \
        1.08 * real.present_value["investor_value_added_relief"]
    assert grown.present_value["first_year_value_added_loss_share_of_gdp"] == pytest.approx(
        real.present_value["first_year_value_added_loss_share_of_gdp"])   # 2024 dollars both
    np.testing.assert_allclose(nominal_index(2025, 3, 0.04), [1.04, 1.04**2, 1.04**3])


def test_the_value_added_lost_is_faded_per_vintage_on_the_real_flows() -> None:
    cost = no_deal_cost(FINAL, A)
    by, g = cost.by_year, cost.growth
    real = lambda column: by[column].to_numpy() / g
    tot = real("investor_producer_surplus_loss")
    lost = tot + vintage_fade(real("investor_value_added_at_risk") - tot, cost.fade)
    np.testing.assert_allclose(by["investor_value_added_loss"], lost * g, rtol=1e-12)
    # the loss builds over years_to_long_run: a later vintage still counts whole in its first year
    build = A.trade.years_to_long_run
    assert (np.diff(real("investor_value_added_at_risk")[: build]) > 0).all()
    # every vintage has faded to its terms-of-trade part by the end of the horizon
    assert by["investor_value_added_loss"].iloc[-1] == pytest.approx(
        by["investor_producer_surplus_loss"].iloc[-1])
    assert (by["investor_value_added_loss"] <= by["investor_value_added_at_risk"] + 1e-9).all()


def test_the_monte_carlo_reads_the_same_faded_nominal_flows_as_the_tables() -> None:
    cost = no_deal_cost(FINAL, A)
    # the grid's terms-of-trade and at-risk parts, at the nodes, follow the same formula
    g = cost.growth[:, None, None, None]
    tot = -cost.grid["producer_surplus_change"]
    np.testing.assert_allclose(cost.kept["terms_of_trade"],
                               g * (tot - vintage_fade(tot, cost.fade)), rtol=1e-12)
    np.testing.assert_allclose(cost.kept["at_risk"],
                               g * vintage_fade(-cost.grid["export_change"], cost.fade), rtol=1e-12)
    np.testing.assert_allclose(cost.kept["consumer"], g * cost.grid["consumer_cost"], rtol=1e-12)
