"""Can the investor pay? The ARA metric, the headline ratios, and the funding simulation."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import pactlab as pl
from pactlab.engine.funding import FxSpec, simulate_funding
from pactlab.engine.reserves import (
    adequacy_band,
    ara_metric,
    classic_measures,
    crisis_probability,
    first_crisis_pv,
)
from pactlab.model.plan import pact_fx
from pactlab.model.simulation import simulate

A = pl.load_assumptions()
KOR = A.macro["KOR"]


def test_ara_metric_by_hand() -> None:
    x, m2, std, ol = 821.2, 3066.0, 167.1, 919.3
    floating = 0.05 * x + 0.05 * m2 + 0.30 * std + 0.15 * ol
    fixed = 0.10 * x + 0.10 * m2 + 0.30 * std + 0.20 * ol
    assert ara_metric(x, m2, std, ol) == pytest.approx(382.385)
    assert ara_metric(x, m2, std, ol, regime="floating") == pytest.approx(floating)
    assert ara_metric(x, m2, std, ol, regime="fixed") == pytest.approx(fixed) == pytest.approx(622.71)
    assert 416.29 / ara_metric(x, m2, std, ol) == pytest.approx(1.0887, abs=1e-4)
    with pytest.raises(ValueError, match="regime"):
        ara_metric(x, m2, std, ol, regime="crawling")


@pytest.mark.parametrize("ratio,band", [(0.999, "below"), (1.0, "adequate"), (1.5, "adequate"),
                                        (1.500001, "above")])
def test_adequacy_band_edges(ratio: float, band: str) -> None:
    assert adequacy_band(ratio) == band


def test_classic_measures() -> None:
    got = classic_measures(400.0, imports=600.0, short_term_debt=160.0, broad_money=3000.0, gdp=1800.0)
    assert got == pytest.approx({"months_of_imports": 8.0, "reserves_to_short_term_debt": 2.5,
                                 "reserves_to_broad_money": 400 / 3000, "reserves_to_gdp": 400 / 1800})


def test_headline_ratios_reproduce_the_article() -> None:
    demand = pl.evaluate("korea-us-demand-2025-09", paths=50).metrics["fx"]
    japan = pl.evaluate("japan-mou-2025", paths=50).metrics["fx"]
    assert demand["share_of_reserves"] == pytest.approx(0.84, abs=0.005)      # 350 / 416.3
    assert japan["share_of_reserves"] == pytest.approx(0.415, abs=0.0005)     # 550 / 1,324
    assert demand["share_of_gdp"] == pytest.approx(0.187, abs=0.0005)         # 350 / 1,868
    final = pl.evaluate("korea-final-2025-11", paths=50).metrics["fx"]
    assert final["cash_of_reserves"] == pytest.approx(200 / 416.29)


def test_calibration_anchors_the_metric_to_the_imf_level() -> None:
    spec = pact_fx(pl.load_pact("korea-final-2025-11"), A)
    raw = ara_metric(KOR.goods_exports + KOR.services_exports, KOR.broad_money, KOR.short_term_debt,
                     KOR.other_liabilities)
    assert spec.metric == pytest.approx(KOR.ara_calibration * raw)
    assert 0.9 < spec.reserves / spec.metric < 1.0   # near the IMF's 97-99% of 2020-22
    assert pact_fx(pl.load_pact("japan-mou-2025"), A).metric == 0.0  # not an EM metric case


def test_an_early_funding_deadline_leaves_a_reported_shortfall() -> None:
    pact = pl.load_pact("korea-final-2025-11").with_terms({"schedule.funding_deadline": "2028-12-31"})
    deal = simulate(pact, pl.futures(300, 5, A))
    f = deal.funding
    assert (f.paid[:, 4:] == 0).all()            # nothing called after 2028
    assert (f.paid.max() <= 20 + 1e-9)
    assert f.shortfall.mean() > 100             # at most $80B by then of $200B
    # nothing is lost: what was called plus the shortfall is the demand, up to the commitment
    np.testing.assert_allclose(f.paid.sum(axis=1) + f.shortfall,
                               np.minimum(f.demand.sum(axis=1), 200.0), atol=1e-6)
    assert pl.evaluate(pact, paths=300, seed=5).metrics["fx"]["shortfall"] == pytest.approx(f.shortfall.mean())


def _mou_only(pact: pl.Pact) -> pl.Pact:
    return pact.with_terms({"tranches": [pact.tranches[0].model_dump()]})


#: no sudden stops, no flow or valuation noise: the reserve path is deterministic
CALM = {"fx.sudden_stop_prob": 0.0, "fx.valuation_sigma": 0.0, "macro.KOR.flow_sigma": 0.0}


def test_with_no_pact_and_no_shocks_reserves_follow_their_yield_and_the_non_pact_flows() -> None:
    """R_t = R_{t-1} (1 + y) + f GDP (1 + g)^t: the non-pact flows fitted on history."""
    calm = A.with_values(CALM)
    no_pact = pl.futures(50, 1, calm).block(0).no_pact("KOR").reserves
    expected, r = [], KOR.reserves
    for t in range(no_pact.shape[1]):
        r = r * (1 + KOR.reserve_yield) + KOR.non_pact_flow * KOR.gdp * (1 + A.fx.components_growth) ** t
        expected.append(r)
    np.testing.assert_allclose(no_pact, np.broadcast_to(expected, no_pact.shape), rtol=1e-12)


def test_without_shocks_and_with_income_covering_calls_reserves_never_fall() -> None:
    calm = A.with_values({**CALM, "macro.KOR.non_pact_flow": 0.0})   # only the pact moves them
    pact = _mou_only(pl.load_pact("korea-final-2025-11"))
    assert KOR.reserve_yield * KOR.reserves > 20 * (1 - pact.funding.bonds)   # income covers calls
    f = simulate(pact, pl.futures(300, 3, calm)).funding
    assert (np.diff(f.reserves, axis=1) >= -1e-9).all()
    assert (f.principal == 0).all()


def test_the_swap_line_never_draws_more_than_its_size() -> None:
    stormy = A.with_values({"fx.sudden_stop_prob": 0.5})
    pact = pl.load_pact("korea-final-2025-11").with_terms({"fx.swap_line": 10.0})
    f = simulate(pact, pl.futures(300, 3, stormy)).funding
    assert f.swap.max() == pytest.approx(10.0)
    assert (f.swap <= 10.0 + 1e-9).all()
    assert (f.reserves >= 0).all()


def test_the_instability_clause_defers_when_and_only_when_the_ratio_is_low() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    threshold = pact.fx.instability_threshold
    f = simulate(pact, pl.futures(500, 8, A)).funding
    previous = np.c_[np.full(f.ratio.shape[0], pact_fx(pact, A).start_ratio), f.ratio[:, :-1]]
    asked = (f.deferred > 0) | (f.refused == 1)
    assert asked.any() and (f.deferred > 0).any() and (f.refused == 1).any()
    assert (previous[asked] < threshold).all()                 # only when the ratio was low
    calm = (previous >= threshold)
    assert (f.deferred[calm] == 0).all() and (f.refused[calm] == 0).all()
    assert ((f.deferred > 0).sum(axis=1) <= pact.fx.max_deferral_years).all()


def test_funding_is_deterministic_for_a_seed() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    a, b = simulate(pact, pl.futures(200, 11, A)).funding, simulate(pact, pl.futures(200, 11, A)).funding
    np.testing.assert_array_equal(a.reserves, b.reserves)
    np.testing.assert_array_equal(a.deferred, b.deferred)


SPEC = FxSpec(enabled=True, reserves=400.0, reserve_yield=0.03, metric=420.0, growth=0.04,
              bond_weight=0.17, short_term_debt=160.0, bonds_share=0.25)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, (4, 15), elements=st.floats(0, 80)), st.floats(1, 100), st.floats(1, 100),
       arrays(np.float64, (4, 15), elements=st.sampled_from([0.0, 0.0, 0.0, 0.2])))
def test_a_higher_cap_never_raises_the_minimum_reserve_path(demand, cap1, cap2, shocks) -> None:
    low, high = sorted((cap1, cap2))
    slow = simulate_funding(demand, low, 300.0, fx=SPEC, shocks=shocks)
    fast = simulate_funding(demand, high, 300.0, fx=SPEC, shocks=shocks)
    assert (fast.reserves.min(axis=1) <= slow.reserves.min(axis=1) + 1e-9).all()
    assert (fast.paid <= high + 1e-9).all()


def test_the_classic_measures_are_reported_from_the_data() -> None:
    fx = pl.evaluate("korea-final-2025-11", paths=50).metrics["fx"]
    assert fx["months_of_imports"] == pytest.approx(12 * 416.29 / 596.07)
    assert fx["reserves_to_std"] == pytest.approx(416.29 / 167.1)
    assert fx["reserves_to_gdp"] == pytest.approx(416.29 / 1868.0)


def test_the_calibration_is_computed_from_sourced_rows() -> None:
    from pactlab.inputs import data
    rows = data.read_csv("ara_calibration.csv").set_index("item")["value"]
    assert KOR.ara_calibration == pytest.approx(rows["reserves"] / rows["imf_ara_ratio"] / rows["national_rebuild"])
    assert KOR.ara_calibration == pytest.approx(436.29 / 375.0, abs=1e-3)


def test_the_crisis_probability_rises_with_sudden_stops_and_short_term_debt() -> None:
    from pactlab.analysis.crisis import crisis_sensitivity
    table = crisis_sensitivity("korea-final-2025-11", paths=400, seed=1, growth="std_growth")
    assert table.columns.names == ["std_growth", "case"]
    assert list(table.columns.levels[0]) == pytest.approx([0.0, KOR.std_growth, 0.05])
    for case in ("pact", "no pact"):
        cells = table.xs(case, axis=1, level="case")
        assert (cells.diff(axis=0).iloc[1:] >= -1e-12).all().all()    # more stops, more crises
        assert (cells.diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()  # more debt, more crises
    none = table.xs("no pact", axis=1, level="case")
    assert (none <= table.xs("pact", axis=1, level="case") + 1e-12).all().all()   # the deal adds risk


@pytest.mark.slow
def test_the_crisis_probability_falls_as_the_non_pact_flows_rise() -> None:
    """The default table: the flows of Korea's 2016–2025 regime, the whole history, 2005–2015."""
    from pactlab.analysis.crisis import crisis_rows, crisis_sensitivity
    table = crisis_sensitivity("korea-final-2025-11", paths=400, seed=1)
    flows = list(table.columns.levels[0])
    assert flows[1] == pytest.approx(KOR.non_pact_flow) and flows[0] < flows[1] < flows[2]
    for case in ("pact", "no pact"):
        cells = table.xs(case, axis=1, level="case")
        assert (cells.diff(axis=1).iloc[:, 1:] <= 1e-12).all().all()   # more flows, fewer crises
    # the default cell is the evaluation itself
    ev = pl.evaluate("korea-final-2025-11", paths=400, seed=1, assumptions=A)
    assert table.loc[A.fx.sudden_stop_prob, (flows[1], "pact")] == ev.metrics["fx"]["p_crisis"]
    assert {r["non_pact_flow"] for r in crisis_rows(table)} == set(flows)
    with pytest.raises(pl.PactError, match="growth: 'gdp'"):
        crisis_sensitivity("korea-final-2025-11", paths=10, growth="gdp")


def test_the_crisis_kernels_are_the_array_formulas() -> None:
    """P(crisis) is the product of the survivals bit for bit; the first crisis's value is the
    survival-weighted sum (summed year by year, so within rounding of the matrix product)."""
    h = np.random.default_rng(4).random((300, 20)) * 0.3
    h[5, 3] = 1.2    # clipped to 1
    clipped = np.clip(h[:, :12], 0.0, 1.0)
    np.testing.assert_array_equal(crisis_probability(h, 12), 1.0 - np.prod(1.0 - clipped, axis=1))
    survived = np.cumprod(np.c_[np.ones(300), 1.0 - clipped[:, :-1]], axis=1)
    w = 7.0 * 0.97 ** np.arange(12)
    np.testing.assert_allclose(first_crisis_pv(h, 12, w), (survived * clipped) @ w, rtol=1e-14)
    assert crisis_probability(h, 99).shape == (300,)   # a horizon past the array's counts it all
