"""The fund stage's one pass equals the engine's pieces run one after another, bit for bit.

The oracle below is the fund stage as pactlab composed it before the one pass (issue 19): each
piece a kernel over the whole block, from the engine's public functions."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import pactlab as pl
from pactlab.engine.funding import simulate_funding
from pactlab.engine.instruments import debt_flows
from pactlab.engine.projects import add_operating_cash, add_spend, total_spend
from pactlab.model.plan import CallsPlan, Planner
from pactlab.model.simulation import Funded, fund, snap_year

A = pl.load_assumptions()
PRESETS = ["korea-final-2025-11", "japan-mou-2025", "korea-us-demand-2025-09",
           "korea-counter-2025-09"]


def _pieces(c: CallsPlan, block, withdrawn: np.ndarray | None) -> Funded:
    """The fund stage from the engine's pieces, one pass over the block each."""
    paths, years = block.size, block.years

    def draws(al):
        d = block.project(al.project, al.archetype)
        if withdrawn is None:
            return d
        return replace(d, fail_after=np.where(withdrawn <= al.launch_year, 0, d.fail_after))

    demand = np.zeros((paths, years))
    last_demand = np.empty((len(c.mou), paths), dtype=np.int64)
    for i, al in enumerate(c.mou):
        d = draws(al)
        if c.call_timing == "as_built":
            add_spend(demand, al.stake, al.capex, d, al.launch_year)
            last_demand[i] = np.minimum(al.launch_year + d.build, d.fail_year(al.launch_year)) - 1
        else:
            upfront = al.stake * al.capex * d.overrun * (d.fail_year(al.launch_year) > al.launch_year)
            demand[:, min(al.launch_year, years - 1)] += upfront
            last_demand[i] = al.launch_year
    debt: dict[str, np.ndarray] = {}
    for al, spec in c.debts:
        d = draws(al)
        spend = add_spend(np.zeros((paths, years)), al.stake, al.capex, d, al.launch_year)
        flows = debt_flows(spec, al.amount, spend, al.launch_year + d.build,
                           d.fail_year(al.launch_year))
        debt[al.tranche] = debt[al.tranche] + flows if al.tranche in debt else flows
    outflows = np.zeros((paths, years))
    for flows in debt.values():
        outflows -= flows
    np.maximum(outflows, 0.0, out=outflows)
    code = c.investor_code
    calls = simulate_funding(demand, c.cap, c.ceiling, other_outflows=outflows,
                             last_call_year=c.last_call_year, fx=c.fx,
                             shocks=block.sudden_stops(code), acceptance_draws=block.acceptance(code))
    cash = np.zeros((paths, years))
    funded = calls.funded_by(last_demand, c.ceiling) if c.mou else last_demand
    for i, al in enumerate(c.mou):
        d = draws(al)
        start = np.maximum(al.launch_year + d.build, funded[i] + 1)
        add_operating_cash(cash, al.stake, al.capex, al.arch, d, al.launch_year, start,
                           block.markets.factor(al.arch.market_factor), c.tax_rate)
    capex: dict[str, np.ndarray] = {}
    priority = np.zeros((paths, years))
    for al in (*c.mou, *(al for al, _ in c.debts)):
        d = draws(al)
        financed = al.stake * total_spend(al.capex, d, al.launch_year, years)
        capex[al.sector] = capex[al.sector] + financed if al.sector in capex else financed
        if al.sector in c.priority_sectors:
            add_spend(priority, al.stake, al.capex, d, al.launch_year)
    delivered = (block.pledge_delivered(code, c.pledge_delivery_prob)
                 if c.pledge_from is not None else None)
    return Funded(calls, debt, cash, capex, priority, snap_year(c, calls, years, delivered))


def _same(one: Funded, other: Funded) -> None:
    for name, a in one.calls._asdict().items():
        np.testing.assert_array_equal(a, getattr(other.calls, name), err_msg=name)
    assert one.debt.keys() == other.debt.keys() and one.capex.keys() == other.capex.keys()
    for k in one.debt:
        np.testing.assert_array_equal(one.debt[k], other.debt[k], err_msg=k)
    for k in one.capex:
        np.testing.assert_array_equal(one.capex[k], other.capex[k], err_msg=k)
    np.testing.assert_array_equal(one.mou_cash, other.mou_cash)
    np.testing.assert_array_equal(one.priority_capex, other.priority_capex)
    np.testing.assert_array_equal(one.snap_year, other.snap_year)


@pytest.mark.parametrize("name", PRESETS)
def test_the_one_pass_is_the_pieces_bit_for_bit(name: str) -> None:
    f = pl.futures(400, 3)
    plan = Planner(f.assumptions).plan(pl.load_pact(name))
    block = next(f.blocks())
    withdrawn = block.deal_lasts(plan.calls.investor_code)   # what fund() reads by default
    assert A.trade.withdrawal_stops_calls and (withdrawn < block.years).any()
    _same(fund(plan.calls, block), _pieces(plan.calls, block, withdrawn))
    never = np.full(block.size, block.years)
    _same(fund(plan.calls, block, withdrawn=never), _pieces(plan.calls, block, None))


@pytest.mark.parametrize("timing", ["as_built", "at_selection"])
def test_the_one_pass_keeps_the_pieces_with_a_withdrawn_deal_and_either_call_timing(timing) -> None:
    f = pl.futures(400, 8)
    pact = pl.load_pact("korea-final-2025-11").with_terms({
        "schedule.call_timing": timing, "schedule.annual_cap": 25})
    plan = Planner(f.assumptions).plan(pact)
    block = next(f.blocks())
    withdrawn = np.random.default_rng(2).integers(1, 12, block.size)
    _same(fund(plan.calls, block, withdrawn=withdrawn), _pieces(plan.calls, block, withdrawn))


def test_without_full_the_pass_writes_the_gains_arrays_alone_and_the_same_numbers() -> None:
    f = pl.futures(300, 5)
    plan = Planner(f.assumptions).plan(pl.load_pact("korea-us-demand-2025-09"))
    block = next(f.blocks())
    full, lean = fund(plan.calls, block), fund(plan.calls, block, full=False)
    for name in ("paid", "demand", "shortfall", "hazard", "swap", "below_std_year", "float_year"):
        np.testing.assert_array_equal(getattr(lean.calls, name), getattr(full.calls, name))
    assert lean.calls.reserves.shape == (block.size, 0)
    np.testing.assert_array_equal(lean.mou_cash, full.mou_cash)


def test_the_hazard_is_computed_over_the_fx_horizon_and_left_blank_after_it() -> None:
    f = pl.futures(200, 1)
    plan = Planner(f.assumptions).plan(pl.load_pact("korea-final-2025-11"))
    hazard = fund(plan.calls, next(f.blocks())).calls.hazard
    h = A.fx.horizon_years
    assert np.isfinite(hazard[:, :h]).all() and np.isnan(hazard[:, h:]).all()
    everywhere = simulate_funding(np.zeros((2, 30)), None, 0.0,
                                  fx=plan.calls.fx._replace(hazard_years=1 << 30))
    assert np.isfinite(everywhere.hazard).all()
