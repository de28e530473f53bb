"""Pacts applied to futures: the stages, their sharing across a batch, and conservation."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pactlab as pl
from pactlab.engine.projects import add_spend, total_spend
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
    assert deal.funding.float_year.shape == (BLOCK + 40,)
    assert deal.no_pact.hazard.shape == (BLOCK + 40, A.horizon_years)
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


# --- a deal's life for both sides: a withdrawn deal launches no new stake -------------------

def _life(p: float, stops: bool = True) -> pl.Assumptions:
    return A.with_values({"trade.deal_withdrawal_prob": p, "trade.withdrawal_stops_calls": stops})


def _inverse_geometric(u: np.ndarray, p: float, years: int) -> np.ndarray:
    """Withdrawal years by inversion of one uniform per path: monotone in `p` path by path."""
    if p < 1e-9:
        return np.full(u.size, years, dtype=np.int64)
    if p == 1.0:
        return np.ones(u.size, dtype=np.int64)
    return np.minimum(np.ceil(np.log1p(-u) / np.log1p(-p)), years).clip(1).astype(np.int64)


def test_a_deal_never_withdrawn_calls_as_if_withdrawal_stopped_nothing() -> None:
    f_stop, f_go = pl.futures(300, 6, _life(0.0)), pl.futures(300, 6, _life(0.0, stops=False))
    stop, go = simulate(FINAL, f_stop), simulate(FINAL, f_go)
    for a, b in ((stop.calls, go.calls), (stop.mou_cash, go.mou_cash),
                 (stop.investor_total, go.investor_total), (stop.funding.reserves, go.funding.reserves)):
        np.testing.assert_array_equal(a, b)


def test_calls_go_on_after_a_withdrawal_when_the_assumption_says_so() -> None:
    never = simulate(FINAL, pl.futures(300, 6, _life(0.0)))
    often = simulate(FINAL, pl.futures(300, 6, _life(0.95, stops=False)))
    np.testing.assert_array_equal(never.calls, often.calls)
    np.testing.assert_array_equal(never.capex["shipbuilding"], often.capex["shipbuilding"])


def test_a_deal_withdrawn_in_year_one_funds_exactly_the_stakes_launched_in_year_zero() -> None:
    block = pl.futures(300, 2, _life(1.0)).block(0)
    plan = Planner(A).plan(FINAL)
    assert (block.deal_lasts("KOR") == 1).all()
    first = replace(plan.calls, mou=tuple(al for al in plan.calls.mou if al.launch_year == 0),
                    debts=tuple(d for d in plan.calls.debts if d[0].launch_year == 0))
    assert 0 < len(first.mou) < len(plan.calls.mou)
    withdrawn, alone = fund(plan.calls, block), fund(first, block)
    for a, b in ((withdrawn.calls.demand, alone.calls.demand), (withdrawn.calls.paid, alone.calls.paid),
                 (withdrawn.mou_cash, alone.mou_cash), (withdrawn.priority_capex, alone.priority_capex),
                 (withdrawn.calls.reserves, alone.calls.reserves)):
        np.testing.assert_array_equal(a, b)
    for tranche in alone.debt:
        np.testing.assert_array_equal(withdrawn.debt[tranche], alone.debt[tranche])
    for sector, spent in withdrawn.capex.items():   # the stakes never launched spend nothing
        np.testing.assert_array_equal(spent, alone.capex.get(sector, np.zeros_like(spent)))
    # by hand: the year-0 stakes' realised capex (until a failure stops it), all called within
    # the horizon, under the ceiling
    by_hand = sum(al.stake * total_spend(al.capex, block.project(al.project, al.archetype), 0,
                                         block.years) for al in first.mou)
    np.testing.assert_allclose(withdrawn.calls.paid.sum(axis=1), np.minimum(by_hand, 200.0))


def test_at_withdrawal_probability_095_the_investment_falls_to_the_first_launches() -> None:
    f_go, f_stop = pl.futures(1000, 4, _life(0.95, stops=False)), pl.futures(1000, 4, _life(0.95))
    go, stop = simulate(FINAL, f_go).calls.sum(axis=1), simulate(FINAL, f_stop).calls.sum(axis=1)
    lasts = f_stop.block(0).deal_lasts("KOR")
    first = simulate(FINAL, pl.futures(1000, 4, _life(1.0))).calls.sum(axis=1)
    np.testing.assert_allclose(stop[lasts == 1], first[lasts == 1])
    assert go.mean() == pytest.approx(199.1, abs=5.0)     # 0.2: calls went on regardless
    assert first.mean() < stop.mean() < 1.1 * first.mean() < 0.35 * go.mean()


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_a_likelier_withdrawal_never_raises_the_total_called(p1: float, p2: float) -> None:
    low, high = sorted((p1, p2))
    block = pl.futures(150, 8).block(0)
    plan = Planner(A).plan(FINAL)
    u = np.random.default_rng(5).random(block.size)
    called = {p: fund(plan.calls, block, withdrawn=_inverse_geometric(u, p, block.years))
              for p in (low, high)}
    total = {p: c.calls.paid.sum(axis=1) for p, c in called.items()}
    assert (total[high] <= total[low] + 1e-9).all()
    capex = {p: sum(c.capex.values()) for p, c in called.items()}
    assert (capex[high] <= capex[low] + 1e-9).all()


def test_what_is_called_is_the_launched_stakes_demand_and_is_paid() -> None:
    block = pl.futures(300, 3).block(0)      # the default 10% a year: withdrawn on most paths
    plan = Planner(A).plan(FINAL)
    funded = fund(plan.calls, block)
    calls, ceiling = funded.calls, plan.calls.ceiling
    # demand by hand: each MOU stake's spend, on the paths where the deal stood at its launch
    lasts, by_hand = block.deal_lasts("KOR"), np.zeros((block.size, block.years))
    assert 0.3 < (lasts < block.years).mean() and (lasts <= 3).mean() > 0.1
    for al in plan.calls.mou:
        spend = add_spend(np.zeros_like(by_hand), al.stake, al.capex,
                          block.project(al.project, al.archetype), al.launch_year)
        by_hand += (lasts > al.launch_year)[:, None] * spend
    np.testing.assert_allclose(calls.demand, by_hand, atol=1e-12)
    # all of it is called, under the ceiling; the queue holds exactly what is not yet called
    np.testing.assert_allclose(calls.paid.sum(axis=1), np.minimum(by_hand.sum(axis=1), ceiling))
    under = by_hand.sum(axis=1) <= ceiling
    np.testing.assert_allclose(calls.backlog[under],
                               np.cumsum(calls.demand - calls.paid, axis=1)[under], atol=1e-9)
    # what is paid (calls, and guarantee payouts) is funded: the pact's bond share of each outflow
    other = np.maximum(-sum(funded.debt.values()), 0.0)
    np.testing.assert_allclose(calls.bonds, plan.calls.fx.bonds_share
                               * np.cumsum(calls.paid + other, axis=1), atol=1e-9)
    # the waterfall pours only the cash of funded stakes, and all of it
    deal = next(simulate_block([plan], block))[1]
    mou = deal.investor["mou-spv-cash"] + deal.calls
    np.testing.assert_allclose(mou + deal.host["mou-spv-cash"], np.maximum(deal.mou_cash, 0), atol=1e-9)
