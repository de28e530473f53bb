"""Markets, projects, calls and instruments: hand cases, statistics and seeding."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import pactlab as pl
from pactlab.engine.funding import capital_calls
from pactlab.engine.instruments import guarantee_flows, loan_flows, outstanding_schedule
from pactlab.engine.markets import expected_sofr, simulate_markets
from pactlab.engine.projects import profitability_index, select_projects
from pactlab.engine.rng import streams
from pactlab.simulation import simulate
from pactlab.terms.schema import GuaranteeTranche, LoanTranche

A = pl.load_assumptions()


def test_streams_are_keyed_by_name_not_order() -> None:
    first = streams(11)
    a1 = first("projects/x").random(5)
    first("projects/y").random(5)
    second = streams(11)
    second("projects/y").random(5)
    np.testing.assert_array_equal(second("projects/x").random(5), a1)
    with pytest.raises(ValueError):
        streams(-1)


def test_market_factors_have_the_stated_moments() -> None:
    m = simulate_markets(A.markets, 40_000, 30, streams(5))
    np.testing.assert_allclose(m.energy.mean(axis=0), 1.0, atol=0.02)
    np.testing.assert_allclose(m.power.mean(axis=0), 1.0, atol=0.01)
    assert m.sofr[:, 0] == pytest.approx(A.markets.sofr.start)
    # unfloored mean reverts to the long-run level; the floor only lifts it slightly
    np.testing.assert_allclose(m.sofr.mean(axis=0), expected_sofr(A.markets, 30), atol=0.002)
    shocks = np.diff(np.log(m.energy), axis=1)[:, 1], np.diff(np.log(m.power), axis=1)[:, 1]
    assert np.corrcoef(*shocks)[0, 1] == pytest.approx(A.markets.correlation.energy_power, abs=0.03)


def test_changing_terms_leaves_market_and_project_draws_unchanged() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    alt = pact.with_terms({"schedule.annual_cap": 35, "waterfall.tiers[1].investor_share": 0.3})
    d1, d2 = simulate(pact, A, 500, 9), simulate(alt, A, 500, 9)
    np.testing.assert_array_equal(d1.markets.sofr, d2.markets.sofr)
    np.testing.assert_array_equal(d1.markets.energy, d2.markets.energy)
    # same projects, same realised spend (the cap only changes when cash is called)
    for sector in d1.capex:
        np.testing.assert_array_equal(d1.capex[sector], d2.capex[sector])


def test_same_seed_same_numbers_different_seed_different() -> None:
    e1 = pl.evaluate("korea-counter-2025-09", paths=400, seed=1)
    e2 = pl.evaluate("korea-counter-2025-09", paths=400, seed=1)
    e3 = pl.evaluate("korea-counter-2025-09", paths=400, seed=2)
    assert e1.metrics == e2.metrics
    assert e1.metrics != e3.metrics


def test_capital_calls_cap_backlog_and_ceiling() -> None:
    demand = np.array([[50.0, 10.0, 0.0, 0.0, 0.0]])
    calls = capital_calls(demand, 20.0, 100.0)
    np.testing.assert_array_equal(calls.paid, [[20.0, 20.0, 20.0, 0.0, 0.0]])
    capped = capital_calls(np.array([[80.0, 80.0, 0.0]]), None, 100.0)
    np.testing.assert_array_equal(capped.paid, [[80.0, 20.0, 0.0]])
    assert capped.backlog[0, -1] == 0.0  # demand beyond the commitment is never called


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, (3, 12), elements=st.floats(0, 100)), st.floats(1, 60), st.floats(1, 60),
       st.floats(10, 2000))
def test_calls_never_exceed_cap_or_ceiling_and_a_higher_cap_pays_sooner(demand, cap1, cap2, ceiling):
    low, high = sorted((cap1, cap2))
    slow, fast = capital_calls(demand, low, ceiling), capital_calls(demand, high, ceiling)
    assert (slow.paid <= low + 1e-9).all()
    assert (slow.paid.sum(axis=1) <= ceiling + 1e-9).all()
    # paid + backlog never loses demand below the ceiling
    np.testing.assert_allclose(slow.paid.sum(axis=1) + slow.backlog[:, -1],
                               np.minimum(demand.sum(axis=1), ceiling), atol=1e-6)
    assert (np.cumsum(fast.paid, axis=1) >= np.cumsum(slow.paid, axis=1) - 1e-9).all()


def test_korea_final_calls_respect_the_cap_and_the_commitment() -> None:
    deal = simulate(pl.load_pact("korea-final-2025-11"), A, 300, 4)
    assert deal.calls.max() <= 20.0 + 1e-9
    assert (deal.calls.sum(axis=1) <= 200.0 + 1e-9).all()
    # waterfall conservation inside the full engine
    mou = deal.investor["mou-spv-cash"] + deal.calls
    np.testing.assert_allclose(mou + deal.host["mou-spv-cash"], np.maximum(deal.mou_cash, 0), atol=1e-9)


def test_selection_follows_governance() -> None:
    host = select_projects(pl.load_pact("korea-us-demand-2025-09"), A)
    cr = select_projects(pl.load_pact("korea-final-2025-11"), A)
    deemed = A.markets.sofr.long_run + 0.01
    for al in cr.allocations:
        if al.instrument == "mou":
            assert profitability_index(A.archetypes[al.project.archetype], deemed, A.markets.tax_rate) >= 1
    # the host-directed list starts with the host's top priority, whatever its return
    top = max(A.archetypes.values(), key=lambda a: a.host_priority).sector
    assert host.allocations[0].project.sector == top
    # tranche sectors are kept, and every dollar is placed or reported
    masga = [al for al in cr.allocations if al.tranche == "masga"]
    assert masga and all(al.project.sector == "shipbuilding" for al in masga)
    for sel, pact in ((host, "korea-us-demand-2025-09"), (cr, "korea-final-2025-11")):
        placed = sum(al.amount for al in sel.allocations) + sum(sel.unallocated.values())
        assert placed == pytest.approx(pl.load_pact(pact).commitment)


def test_unfundable_tranche_is_reported_not_dropped() -> None:
    pact = pl.load_pact("korea-final-2025-11").with_terms(
        {"governance.allowed_sectors": ["pharmaceuticals"], "tranches[1].sectors": ["pharmaceuticals"]})
    sel = select_projects(pact, A)
    assert sel.unallocated == {"mou-spv-cash": 200.0, "masga": 150.0}
    ev = pl.evaluate(pact, paths=50)
    assert ev.metrics["investor"]["unallocated"] == 350.0


def test_profitability_index_hand_case() -> None:
    arch = A.archetypes["gas_power"].model_copy(update=dict(
        build_years=1, life_years=1, delay_prob=0.0, failure_prob=0.0, overrun_mean=0.0,
        cash_yield=0.5))
    # spend 1 in year 0; cash 0.5 x (1 - 0.21) in year 1, at 10%
    assert profitability_index(arch, 0.10, 0.21) == pytest.approx(0.5 * 0.79 / 1.1)


def test_loan_hand_case() -> None:
    loan = LoanTranche(name="l", instrument="loan", amount=10, coupon=0.05, tenor=4, amortisation="linear")
    spend = np.array([[5.0, 5.0, 0, 0, 0, 0, 0]])
    flows = loan_flows(loan, 10.0, spend, np.array([2]), np.array([99]))
    np.testing.assert_allclose(flows, [[-5.0, -4.75, 3.0, 2.875, 2.75, 2.625, 0.0]])
    failed = loan_flows(loan, 10.0, spend, np.array([2]), np.array([3]))
    np.testing.assert_allclose(failed, [[-5.0, -4.75, 3.0, 0.4 * 7.5, 0, 0, 0]])


def test_annuity_schedule_pays_equal_instalments() -> None:
    o = outstanding_schedule("annuity", 0.06, 10)
    payments = 0.06 * o[:-1] + (o[:-1] - o[1:])
    np.testing.assert_allclose(payments, payments[0])
    assert o[0] == 1.0 and o[-1] == pytest.approx(0.0, abs=1e-12)


def test_guarantee_hand_case() -> None:
    g = GuaranteeTranche(name="g", instrument="guarantee", amount=10, fee=0.01, tenor=4)
    spend = np.array([[5.0, 5.0, 0, 0, 0, 0]])
    flows = guarantee_flows(g, 10.0, spend, np.array([2]), np.array([4]))
    np.testing.assert_allclose(flows, [[0.05, 0.1, 0.1, 0.075, -0.6 * 5.0, 0.0]])
