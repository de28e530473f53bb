"""Gains over no deal: component identities, the fixed disagreement point, monotonicity."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pactlab as pl
from pactlab.engine.finance import npv
from pactlab.model.gains import HOST_COMPONENTS, INVESTOR_COMPONENTS, pv_while_standing

FINAL = pl.load_pact("korea-final-2025-11")
NO_DEAL_TERMS = {"tranches": [], "tariffs.deal": FINAL.tariffs.no_deal.model_dump(), "concessions": {},
                 "fx.swap_line": 0.0}


@pytest.fixture(scope="module")
def final() -> pl.Evaluation:
    return pl.evaluate(FINAL, paths=2000, seed=7)


def test_gains_add_up_path_by_path(final) -> None:
    g = final.gains
    for party, names in (("investor", INVESTOR_COMPONENTS), ("host", HOST_COMPONENTS)):
        parts = getattr(g, party)
        assert list(parts) == list(names)
        np.testing.assert_allclose(g.total(party), sum(parts[n] for n in names))
        assert final.metrics["gain"][f"{party}_mean"] == pytest.approx(g.total(party).mean())
    deal = pl.model.simulation.simulate(FINAL, pl.futures(2000, 7))
    np.testing.assert_allclose(g.investor["investment NPV"], npv(0.045, deal.investor_total), rtol=1e-12)
    summary = final.gain_summary()
    assert summary.loc[("investor", "total"), "mean"] == pytest.approx(
        summary.loc["investor"].drop("total")["mean"].sum())


def test_a_pact_identical_to_no_deal_gains_nothing() -> None:
    ev = pl.evaluate(FINAL.with_terms(NO_DEAL_TERMS), paths=400, seed=3)
    for party in ("investor", "host"):
        for name, values in getattr(ev.gains, party).items():
            assert (values == 0).all(), (party, name)
    assert ev.metrics["investor"]["commitment"] == 0.0


def test_a_swap_line_alone_never_loses_fx_stress_value() -> None:
    stormy = pl.load_assumptions().with_values({"fx.sudden_stop_prob": 0.15})
    f = pl.futures(3000, 2, stormy)
    swap_only = FINAL.with_terms({**NO_DEAL_TERMS, "fx.swap_line": 60.0})
    ev = pl.evaluate(swap_only, futures=f)
    stress = ev.gains.investor["FX stress"]
    assert (stress >= 0).all() and stress.mean() > 0     # the swap line prevents crises
    assert ev.metrics["fx"]["p_crisis"] < ev.metrics["fx"]["p_crisis_no_pact"]


def test_every_pact_of_one_investor_meets_the_same_no_deal_case() -> None:
    f = pl.futures(1500, 4)
    evs = pl.evaluate_all(["korea-final-2025-11", "korea-counter-2025-09", "korea-us-demand-2025-09"],
                          futures=f)
    no_pact = {ev.metrics["fx"]["p_crisis_no_pact"] for ev in evs}
    assert len(no_pact) == 1
    crisis = [ev.outcomes.paths["p_crisis_no_pact"] for ev in evs]
    np.testing.assert_array_equal(crisis[0], crisis[1])
    np.testing.assert_array_equal(crisis[0], crisis[2])


def test_a_lower_deal_tariff_never_lowers_the_tariff_relief() -> None:
    lower = FINAL.with_terms({"tariffs.deal.general": 0.10, "tariffs.deal.sectors.cars": 0.10})
    a, b = pl.evaluate(FINAL, 400, 5), pl.evaluate(lower, 400, 5)
    assert (b.gains.investor["tariff relief"] >= a.gains.investor["tariff relief"] - 1e-9).all()
    assert b.metrics["gain"]["investor:tariff relief"] > a.metrics["gain"]["investor:tariff relief"]


def test_a_larger_tier_two_share_favours_the_investor() -> None:
    base = pl.load_pact("japan-mou-2025").with_terms({"waterfall.daa_convention": "compounding",
                                                      "waterfall.tiers[0].hurdle": 0.0})
    richer = base.with_terms({"waterfall.tiers[1].investor_share": 0.3})
    a, b = pl.evaluate(base, 400, 6), pl.evaluate(richer, 400, 6)
    assert (b.gains.total("investor") >= a.gains.total("investor") - 1e-9).all()
    assert (b.gains.total("host") <= a.gains.total("host") + 1e-9).all()
    assert b.gains.total("investor").mean() > a.gains.total("investor").mean()


def test_pv_while_standing_by_hand() -> None:
    by_year = np.array([10.0, 10.0, 10.0, 10.0])
    got = pv_while_standing(by_year, 0.1, np.array([1, 2, 4, 9]))
    np.testing.assert_allclose(got, [10.0, 10 + 10 / 1.1, 10 + 10 / 1.1 + 10 / 1.21 + 10 / 1.331,
                                     10 + 10 / 1.1 + 10 / 1.21 + 10 / 1.331])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 50), min_size=1, max_size=30), st.floats(0, 0.2),
       st.integers(1, 40), st.integers(1, 40))
def test_relief_never_falls_as_the_deal_lasts_longer(values, rate, a, b) -> None:
    by_year = np.array(values)
    short, long = sorted((a, b))
    got = pv_while_standing(by_year, rate, np.array([short, long]))
    assert got[1] >= got[0] - 1e-12


def test_side_concessions_are_valued_for_both_sides() -> None:
    a = pl.load_assumptions()
    v = a.valuation
    f = pl.futures(300, 1, a.with_values({"trade.deal_withdrawal_prob": 0.0}))
    bare = FINAL.with_terms({**NO_DEAL_TERMS, "concessions": {"work_visas_per_year": 10.0}})
    ev = pl.evaluate(bare, futures=f)
    years = np.arange(a.horizon_years)
    inv_pv = (10 * v.visa_value_investor / (1 + a.investor_rate("KOR")) ** years).sum()
    host_pv = (10 * v.visa_cost_host / (1 + a.discount.host) ** years).sum()
    np.testing.assert_allclose(ev.gains.investor["side concessions"], inv_pv)
    np.testing.assert_allclose(ev.gains.host["side concessions"], -host_pv)
    energy = FINAL.with_terms({**NO_DEAL_TERMS, "concessions": {
        "energy_purchases_per_year": 25.0, "energy_purchase_years": 4, "energy_price_premium": 0.05}})
    ev = pl.evaluate(energy, futures=f)
    premium = 0.05 / 1.05
    d_host = (1 + a.discount.host) ** -np.arange(4)
    delivered = v.energy_cap * -np.expm1(-25 / v.energy_cap)   # energy the US can sell saturates
    np.testing.assert_allclose(ev.gains.host["side concessions"],
                               (delivered * (premium + v.host_energy_value) * d_host).sum())
    assert (ev.gains.investor["side concessions"] < 0).all()


def test_the_refusal_tariff_snaps_back_when_calls_go_unfunded() -> None:
    f = pl.futures(600, 2)
    late = FINAL.with_terms({"schedule.funding_deadline": "2028-12-31"})
    kept, snapped = pl.evaluate(FINAL, futures=f), pl.evaluate(late, futures=f)
    assert kept.metrics["investor"]["p_snapback"] == 0.0
    assert snapped.metrics["investor"]["p_snapback"] == pytest.approx(
        (snapped.outcomes.paths["shortfall"] > 1e-6).mean())
    assert snapped.metrics["investor"]["p_snapback"] > 0.9
    assert (snapped.outcomes.paths["snap_year"][snapped.outcomes.paths["shortfall"] > 1e-6] == 4).all()
    assert snapped.metrics["gain"]["investor:tariff relief"] < 0.7 * kept.metrics["gain"]["investor:tariff relief"]
    no_clause = late.with_terms({"governance.refusal_tariff": None})
    assert pl.evaluate(no_clause, futures=f).metrics["investor"]["p_snapback"] == 0.0
    harsher = late.with_terms({"governance.refusal_tariff": 0.35})
    assert (pl.evaluate(harsher, futures=f).gains.investor["tariff relief"]
            <= snapped.gains.investor["tariff relief"] + 1e-9).all()


def test_a_tranche_with_no_project_counts_as_refused() -> None:
    pact = FINAL.with_terms({"governance.allowed_sectors": ["pharmaceuticals"],
                             "tranches[1].sectors": ["pharmaceuticals"]})
    ev = pl.evaluate(pact, paths=100, seed=1)
    assert ev.metrics["investor"]["unallocated"] == 350.0
    assert ev.metrics["investor"]["p_snapback"] == 1.0
    assert (ev.outcomes.paths["snap_year"] == FINAL.schedule.deadline_year + 1).all()
