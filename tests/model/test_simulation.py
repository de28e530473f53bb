"""Pacts applied to futures: the stages, their sharing across a batch, and conservation."""
from __future__ import annotations

import numpy as np
import pytest

import pactlab as pl
from pactlab.engine.rng import BLOCK
from pactlab.model.plan import Planner
from pactlab.model.simulation import fund, simulate, simulate_block

A = pl.load_assumptions()
FINAL = pl.load_pact("korea-final-2025-11")


def test_changing_terms_leaves_market_and_project_draws_unchanged() -> None:
    f = pl.futures(500, 9)
    alt = FINAL.with_terms({"schedule.annual_cap": 35, "waterfall.tiers[1].investor_share": 0.3})
    d1, d2 = simulate(FINAL, f), simulate(alt, f)
    np.testing.assert_array_equal(d1.markets.sofr, d2.markets.sofr)
    # same projects, same realised spend (the cap only changes when cash is called)
    for sector in d1.capex:
        np.testing.assert_array_equal(d1.capex[sector], d2.capex[sector])
    np.testing.assert_array_equal(d1.no_pact.reserves, d2.no_pact.reserves)


def test_korea_final_calls_respect_the_cap_and_the_commitment() -> None:
    deal = simulate(FINAL, pl.futures(300, 4))
    assert deal.calls.max() <= 20.0 + 1e-9
    assert (deal.calls.sum(axis=1) <= 200.0 + 1e-9).all()
    # the waterfall conserves the MOU cash inside the full engine
    mou = deal.investor["mou-spv-cash"] + deal.calls
    np.testing.assert_allclose(mou + deal.host["mou-spv-cash"], np.maximum(deal.mou_cash, 0), atol=1e-9)
    # loans and guarantees: what one side receives the other pays
    np.testing.assert_array_equal(deal.investor["masga"], -deal.host["masga"])


def test_projects_operate_only_once_fully_funded() -> None:
    slow = FINAL.with_terms({"schedule.annual_cap": 5})
    f = pl.futures(300, 2)
    fast_cash, slow_cash = simulate(FINAL, f).mou_cash, simulate(slow, f).mou_cash
    # cash starts later under the tighter cap, never earlier
    first = lambda cash: np.where((cash > 0).any(axis=1), (cash > 0).argmax(axis=1), 999)
    assert (first(slow_cash) >= first(fast_cash)).all() and (first(slow_cash) > first(fast_cash)).any()


@pytest.mark.slow
def test_a_batch_shares_stages_and_gives_each_pact_its_own_numbers() -> None:
    f = pl.futures(400, 5)
    planner = Planner(A)
    variants = [FINAL, FINAL.with_terms({"waterfall.tiers[1].investor_share": 0.3}),
                FINAL.with_terms({"schedule.annual_cap": 40}), FINAL]
    plans = [planner.plan(p) for p in variants]
    batch = dict(simulate_block(plans, f.block(0)))
    assert sorted(batch) == [0, 1, 2, 3]
    for i, pact in enumerate(variants):
        alone = simulate(pact, f)
        np.testing.assert_array_equal(batch[i].investor_total, alone.investor_total)
        np.testing.assert_array_equal(batch[i].funding.reserves, alone.funding.reserves)
    assert batch[0].funding is batch[1].funding          # same calls plan: computed once
    assert batch[0].funding is not batch[2].funding


def test_stage_results_do_not_depend_on_the_batch() -> None:
    block = pl.futures(200, 8).block(0)
    plan = Planner(A).plan(FINAL)
    a, b = fund(plan.calls, block), fund(plan.calls, block)
    np.testing.assert_array_equal(a.mou_cash, b.mou_cash)
    np.testing.assert_array_equal(a.calls.paid, b.calls.paid)


def test_simulate_joins_blocks_in_order() -> None:
    f = pl.futures(BLOCK + 40, 3)
    deal = simulate(pl.load_pact("korea-counter-2025-09"), f)
    assert deal.calls.shape == (BLOCK + 40, A.horizon_years)
    assert deal.funding.crisis_year.shape == (BLOCK + 40,)
    tail = next(simulate_block([Planner(A).plan(pl.load_pact("korea-counter-2025-09"))], f.block(1)))[1]
    np.testing.assert_array_equal(deal.investor_total[BLOCK:], tail.investor_total)


def test_a_tariff_only_pact_calls_nothing() -> None:
    bare = FINAL.with_terms({"tranches": []})
    deal = simulate(bare, pl.futures(100, 1))
    assert (deal.calls == 0).all() and deal.investor == {} and deal.capex == {}
    assert deal.investor_total.shape == (100, A.horizon_years)


@pytest.mark.parametrize("timing", ["as_built", "at_selection"])
def test_demand_timing(timing: str) -> None:
    pact = FINAL.with_terms({"schedule.call_timing": timing, "schedule.annual_cap": None})
    deal = simulate(pact, pl.futures(200, 3))
    first_year_share = deal.funding.demand[:, :2].sum() / deal.funding.demand.sum()
    if timing == "at_selection":
        assert first_year_share > 0.4      # the whole cost of early projects is due at once
    else:
        assert first_year_share < 0.4
