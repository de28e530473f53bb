"""Pacts applied to futures: the engine's stages in order, for a batch of plans on one block.

1. **fund** (per :class:`~pactlab.plan.CallsPlan`): MOU call demand from the projects' spend;
   loan and guarantee flows; calls under the cap and deadline, paid from reserves, bonds and
   FDI, with the instability clause and the swap line; the projects' operating cash once
   funded; capex by sector.
2. **split** (per :class:`~pactlab.plan.SplitPlan`): the waterfall of the MOU cash, and the
   host's upside take of the investor's receipts.
3. **assemble**: every tranche's flows for each side, beside the no-deal reserve path.

Pacts in a batch that share a stage's plan share its result: a grid over tier shares runs the
calls once, a grid over tariffs runs the waterfall once. Every array is (paths, years).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields

import numpy as np

from .engine.funding import Calls, simulate_funding
from .engine.instruments import debt_flows
from .engine.markets import MarketPaths
from .engine.projects import add_operating_cash, add_spend, total_spend
from .engine.waterfall import Tier, distribute, scheduled_daa
from .futures import Block, Futures
from .plan import CallsPlan, Plan, Planner, SplitPlan
from .terms import Pact


@dataclass(frozen=True)
class Funded:
    """The fund stage's result for one CallsPlan on one block."""

    calls: Calls
    debt: dict[str, np.ndarray]       # loan/guarantee tranche -> investor flows
    mou_cash: np.ndarray              # distributable cash of the MOU-funded stakes
    capex: dict[str, np.ndarray]      # sector -> capex financed by the pact, (paths,)
    priority_capex: np.ndarray        # capex in the host's priority sectors, by year


@dataclass(frozen=True)
class Split:
    """The split stage's result: the investor's waterfall receipts and the host's share."""

    received: np.ndarray
    host_share: np.ndarray
    upside: np.ndarray                # the host's upside take from the investor, by year


@dataclass(frozen=True)
class DealPaths:
    """Everything simulated for one pact; arrays are (paths, years)."""

    base_year: int
    markets: MarketPaths
    funding: Calls                    # MOU cash calls and the investor's reserves
    mou_cash: np.ndarray              # distributable cash of the MOU-funded stakes
    mou_received: np.ndarray          # the investor's waterfall receipts from that cash
    investor: dict[str, np.ndarray]   # tranche name -> investor flows
    host: dict[str, np.ndarray]       # tranche name -> host flows
    capex: dict[str, np.ndarray]      # sector -> capex financed by the pact, (paths,)
    priority_capex: np.ndarray        # capex in the host's priority sectors, by year
    upside: np.ndarray                # host's upside-term take from the investor, by year
    no_deal: Calls                    # the investor's reserves with no pact, same futures

    @property
    def calls(self) -> np.ndarray:
        return self.funding.paid

    @property
    def investor_total(self) -> np.ndarray:
        return _total(self.investor, self.funding.paid.shape)

    @property
    def host_total(self) -> np.ndarray:
        return _total(self.host, self.funding.paid.shape)


def _total(flows: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape)
    for v in flows.values():
        out += v
    return out


def fund(c: CallsPlan, block: Block) -> Funded:
    """Calls, reserves, loans and guarantees, and the MOU projects' cash, for one CallsPlan."""
    paths, years = block.size, block.years
    demand = np.zeros((paths, years))
    last_demand = np.empty((len(c.mou), paths), dtype=np.int64)
    for i, al in enumerate(c.mou):
        d = block.project(al.project, al.archetype)
        if c.call_timing == "as_built":
            add_spend(demand, al.stake, al.capex, d, al.launch_year)
            last_demand[i] = np.minimum(al.launch_year + d.build, d.fail_year(al.launch_year)) - 1
        else:  # at_selection: the whole realised cost is due up front
            upfront = al.stake * al.capex * d.overrun * (d.fail_year(al.launch_year) > al.launch_year)
            demand[:, min(al.launch_year, years - 1)] += upfront
            last_demand[i] = al.launch_year

    debt: dict[str, np.ndarray] = {}
    spend = np.empty((paths, years))
    for al, spec in c.debts:
        d = block.project(al.project, al.archetype)
        spend[:] = 0.0
        add_spend(spend, al.stake, al.capex, d, al.launch_year)
        flows = debt_flows(spec, al.amount, spend, al.launch_year + d.build, d.fail_year(al.launch_year))
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
        d = block.project(al.project, al.archetype)
        start = np.maximum(al.launch_year + d.build, funded[i] + 1)
        add_operating_cash(cash, al.stake, al.capex, al.arch, d, al.launch_year, start,
                           block.markets.factor(al.arch.market_factor), c.tax_rate)

    capex: dict[str, np.ndarray] = {}
    priority = np.zeros((paths, years))
    for al in (*c.mou, *(al for al, _ in c.debts)):
        d = block.project(al.project, al.archetype)
        financed = al.stake * total_spend(al.capex, d, al.launch_year, years)
        capex[al.sector] = capex[al.sector] + financed if al.sector in capex else financed
        if al.sector in c.priority_sectors:
            add_spend(priority, al.stake, al.capex, d, al.launch_year)
    return Funded(calls, debt, cash, capex, priority)


def split(s: SplitPlan, funded: Funded, markets: MarketPaths) -> Split:
    """The waterfall of the MOU cash (and the host's upside take), for one SplitPlan."""
    paid = funded.calls.paid
    if s.pool is None:
        zeros = np.zeros_like(paid)
        return Split(zeros, zeros, zeros)
    deemed = markets.sofr + s.spread
    scheduled = s.scheduled_life is not None
    tiers = [Tier(share, (0.0 if scheduled else deemed) if hurdle == "deemed" else hurdle)
             for share, hurdle in s.tiers]
    accrual = scheduled_daa(paid, deemed, s.scheduled_life) if scheduled else None
    received, host_share = distribute(funded.mou_cash, paid, tiers, accrual=accrual,
                                      review=s.review)
    return Split(received, host_share, upside_take(received, s.upside))


def upside_take(received: np.ndarray, upside: tuple[float, float] | None) -> np.ndarray:
    """The host's `share` of the investor's cumulative MOU receipts above `threshold`, by year
    (zero without an upside term)."""
    if upside is None:
        return np.zeros_like(received)
    share, threshold = upside
    above = np.maximum(np.cumsum(received, axis=1) - threshold, 0.0)
    return share * np.diff(above, axis=1, prepend=0.0)


def assemble(plan: Plan, funded: Funded, cut: Split, block: Block) -> DealPaths:
    """One pact's flows for each side, tranche by tranche (every tranche appears)."""
    zeros = np.zeros((block.size, block.years))
    investor, host = {}, {}
    for name in plan.tranches:
        if name == plan.split.pool:
            investor[name] = cut.received - cut.upside - funded.calls.paid
            host[name] = cut.host_share
        elif name in funded.debt:
            investor[name], host[name] = funded.debt[name], -funded.debt[name]
        else:   # a tranche that found no project
            investor[name], host[name] = zeros, zeros
    return DealPaths(plan.base_year, block.markets, funded.calls, funded.mou_cash, cut.received,
                     investor, host, funded.capex, funded.priority_capex, cut.upside,
                     block.no_deal(plan.calls.investor_code))


def simulate_block(plans: Sequence[Plan], block: Block) -> Iterator[tuple[int, DealPaths]]:
    """Each plan's DealPaths on one block, as (index into `plans`, paths), grouped so that
    plans sharing a stage's plan share its result (the order of the results follows the groups)."""
    groups: dict[CallsPlan, dict[SplitPlan, list[int]]] = {}
    for i, plan in enumerate(plans):
        groups.setdefault(plan.calls, {}).setdefault(plan.split, []).append(i)
    for calls_plan, by_split in groups.items():
        funded = fund(calls_plan, block)
        for split_plan, members in by_split.items():
            cut = split(split_plan, funded, block.markets)
            for i in members:
                yield i, assemble(plans[i], funded, cut, block)


def simulate(pact: Pact, futures: Futures) -> DealPaths:
    """One pact applied to `futures`: every path at once (for analysis and tests; `evaluate`
    works block by block so that memory does not grow with paths)."""
    plan = Planner(futures.assumptions).plan(pact)
    parts = [next(simulate_block([plan], block))[1] for block in futures.blocks()]
    return parts[0] if len(parts) == 1 else _concatenate(parts)


def _concatenate(parts: list[DealPaths]) -> DealPaths:
    def join(values):
        first = values[0]
        if isinstance(first, dict):
            return {k: join([v[k] for v in values]) for k in first}
        if isinstance(first, Calls):
            return Calls(*(np.concatenate(col) for col in zip(*values, strict=True)))
        if isinstance(first, MarketPaths):
            return MarketPaths(*(np.concatenate([getattr(v, f.name) for v in values])
                                 for f in fields(MarketPaths)))
        if isinstance(first, np.ndarray):
            return np.concatenate(values)
        return first
    return DealPaths(*(join([getattr(p, f.name) for p in parts]) for f in fields(DealPaths)))
