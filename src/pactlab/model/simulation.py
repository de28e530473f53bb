"""Pacts applied to futures: the engine's stages in order, for a batch of plans on one block.

1. **fund** (per :class:`~pactlab.model.plan.CallsPlan`): MOU call demand from the projects' spend;
   loan and guarantee flows; calls under the cap and deadline, paid from reserves, bonds and
   FDI, with the instability clause and the swap line; the projects' operating cash once
   funded; capex by sector. A deal withdrawn by the host ends the investor's obligations too
   (``trade.withdrawal_stops_calls``): see :func:`fund`.
2. **split** (per :class:`~pactlab.model.plan.SplitPlan`): the waterfall of the MOU cash, and the
   host's upside take of the investor's receipts.
3. the pact's :class:`DealPaths`: every tranche's flows for each side (assembled when asked
   for), beside the no-deal reserve path.

Pacts in a batch that share a stage's plan share its result: a grid over tier shares runs the
calls once, a grid over tariffs runs the waterfall once; present values of a stage's flows
are computed once and added up per pact. Every array is (paths, years).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, TypeVar

import numpy as np

from ..engine.finance import npv, npv_difference
from ..engine.fund_pass import ProjectTable, Stakes, fund_pass
from ..engine.funding import Calls
from ..engine.markets import MarketPaths
from ..engine.node_table import corner_sum
from ..engine.waterfall import Tier, distribute, scheduled_daa
from ..inputs.assumptions import Assumptions
from ..inputs.terms import Pact
from .futures import Block, Futures, NoPact, TradeDraws
from .plan import Allocation, CallsPlan, Plan, Planner, SplitPlan
from .tariffs import ELASTICITY_NODES, PASS_THROUGH_NODES, NoDealCost, corners

_T = TypeVar("_T")


class _Memo:
    """Values derived from a stage's arrays, computed once per key and shared by every pact in
    the batch that uses the stage (present values are linear in the flows)."""

    def __init__(self) -> None:
        self._memo: dict[tuple, Any] = {}

    def _once(self, key: tuple, make: Callable[[], _T]) -> _T:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]


class Funded(_Memo):
    """The fund stage's result for one CallsPlan on one block."""

    def __init__(self, calls: Calls, debt: dict[str, np.ndarray], mou_cash: np.ndarray,
                 capex: dict[str, np.ndarray], priority_capex: np.ndarray,
                 snap_year: np.ndarray) -> None:
        super().__init__()
        self.calls = calls
        self.snap_year = snap_year            # (paths,) year the refusal tariff applies; years: never
        self.debt = debt                      # loan/guarantee tranche -> investor flows
        self.mou_cash = mou_cash              # distributable cash of the MOU-funded stakes
        self.capex = capex                    # sector -> capex financed by the pact, (paths,)
        self.priority_capex = priority_capex  # capex in the host's priority sectors, by year

    def debt_pv(self, tranche: str, rate: float) -> np.ndarray:
        """Present value of a loan or guarantee tranche's investor flows, (paths,)."""
        return self._once(("debt", tranche, rate), lambda: npv(rate, self.debt[tranche]))

    def priority_pv(self, rate: float) -> np.ndarray:
        """Present value of the capex in the host's priority sectors, (paths,)."""
        return self._once(("priority", rate), lambda: npv(rate, self.priority_capex))

    def scheduled_daa(self, deemed: np.ndarray, spread: float, life: int) -> np.ndarray:
        """The ``scheduled`` DAA of the calls at the deemed rate, (paths, years)."""
        return self._once(("daa", spread, life), lambda: scheduled_daa(self.calls.paid, deemed, life))


class Split(_Memo):
    """The split stage's result: the investor's waterfall receipts, the host's share, and the
    host's upside take from the investor (None without an upside term)."""

    def __init__(self, paid: np.ndarray, received: np.ndarray, host_share: np.ndarray,
                 upside: np.ndarray | None) -> None:
        super().__init__()
        self.paid = paid
        self.received = received
        self.host_share = host_share
        self.upside = upside

    @property
    def investor_flows(self) -> np.ndarray:
        """The investor's MOU flows: receipts, less the upside take, less the calls."""
        def make() -> np.ndarray:
            out = self.received - self.paid
            if self.upside is not None:
                out -= self.upside
            return out
        return self._once(("investor",), make)

    def investor_pv(self, rate: float) -> np.ndarray:
        """Present value of the investor's MOU flows, (paths,) (without their array when there
        is no upside term and nothing has asked for it: the same number)."""
        def make() -> np.ndarray:
            if self.upside is None and ("investor",) not in self._memo:
                return npv_difference(rate, self.received, self.paid)
            return npv(rate, self.investor_flows)
        return self._once(("investor", rate), make)

    def host_pv(self, rate: float) -> np.ndarray:
        """Present value of the host's share of the MOU cash, (paths,)."""
        return self._once(("host", rate), lambda: npv(rate, self.host_share))

    def upside_pv(self, rate: float) -> np.ndarray:
        """Present value of the host's upside take, (paths,) (zeros without one)."""
        upside = self.upside
        if upside is None:
            return self._once(("no upside",), lambda: np.zeros(self.paid.shape[0]))
        return self._once(("upside", rate), lambda: npv(rate, upside))


class TradePaths(_Memo):
    """The tariff model on each path of a block, at the path's own draws of the elasticities,
    pass-through and value-added shares, in nominal dollars: the value added the deal keeps
    (each vintage of the loss fading to its terms-of-trade part as resources move: the
    investor's *tariff relief*), US buyers' saving and the tariff revenue the US forgoes
    (:attr:`~pactlab.model.tariffs.NoDealCost.kept`). Shared by every pact with the same tariff
    terms.

    Interpolation is linear in the grid's node values, so present values are taken on the nodes
    (cumulated over the years, once per rate) and each path weighs its four corner nodes:
    O(paths) a sector, not O(paths x years)."""

    def __init__(self, cost: NoDealCost, block: Block) -> None:
        super().__init__()
        self.cost = cost
        self.multiplier, self.e0, self.we, self.p0, self.wp = block.memo(
            ("trade corners",), lambda: _trade_corners(block.trade, block.assumptions))

    def _node_pv(self, what: str, rate: float) -> tuple[np.ndarray, ...]:
        """Cumulative present values on the nodes, (years, sectors, elasticity, pass-through)."""
        def make() -> tuple[np.ndarray, ...]:
            kept = self.cost.kept
            d = (1.0 + rate) ** -np.arange(self.cost.fade.size)
            per_year = lambda values: np.cumsum(values * d[:, None, None, None], axis=0)
            if what == "value_added":     # the terms-of-trade part, and the part at risk
                return per_year(kept["terms_of_trade"]), per_year(kept["at_risk"])
            return (per_year(kept[what]),)
        return self._once(("nodes", what, rate), make)

    def pv_while_standing(self, what: str, rate: float, lasts: np.ndarray) -> np.ndarray:
        """Per path, the present value of `what` over the years the deal stands (`lasts`);
        kept for the next pact with the same `lasts` (most pacts of a batch share them)."""
        lasts = np.ascontiguousarray(lasts, dtype=np.int64)
        return self._once(("pv", what, rate, lasts.tobytes()),
                          lambda: self._pv(what, rate, lasts))

    def _pv(self, what: str, rate: float, lasts: np.ndarray) -> np.ndarray:
        nodes = self._node_pv(what, rate)
        step = np.minimum(lasts, self.cost.fade.size) - 1
        return corner_sum(nodes[0], nodes[1] if what == "value_added" else None, step, self.e0,
                          self.we, self.p0, self.wp, self.cost.value_added_shares,
                          self.multiplier)


def _trade_corners(draws: TradeDraws, a: Assumptions) -> tuple[np.ndarray, ...]:
    """The paths' value-added multipliers (paths, sectors), and the grid cells of their
    elasticities (paths, sectors) and pass-through (paths,): below-node index, weight above."""
    low, _, high = a.trade.span("value_added")
    return (low + draws.value_added * (high - low), *corners(draws.elasticity, ELASTICITY_NODES),
            *corners(draws.pass_through, PASS_THROUGH_NODES))


@dataclass(frozen=True)
class DealPaths:
    """Everything simulated for one pact on some paths; arrays are (paths, years). Tranche flows
    are assembled when first asked for; present values come from the shared stages."""

    base_year: int
    tranches: tuple[str, ...]
    pool: str | None                  # the MOU tranche
    markets: MarketPaths
    funded: Funded
    cut: Split
    no_pact: NoPact                   # the investor's reserves with no pact, same futures
    trade: TradePaths                 # the tariff model on each path

    @property
    def funding(self) -> Calls:
        """MOU cash calls and the investor's reserves."""
        return self.funded.calls

    @property
    def calls(self) -> np.ndarray:
        """MOU cash calls paid, (paths, years), USD bn."""
        return self.funded.calls.paid

    @property
    def mou_cash(self) -> np.ndarray:
        """Distributable cash of the MOU-funded stakes, (paths, years), USD bn."""
        return self.funded.mou_cash

    @property
    def mou_received(self) -> np.ndarray:
        """The investor's waterfall receipts, (paths, years), USD bn."""
        return self.cut.received

    @property
    def capex(self) -> dict[str, np.ndarray]:
        """Sector -> capex financed by the pact within the horizon, (paths,), USD bn."""
        return self.funded.capex

    @property
    def priority_capex(self) -> np.ndarray:
        """Capex in the host's priority sectors, (paths, years), USD bn."""
        return self.funded.priority_capex

    @property
    def snap_year(self) -> np.ndarray:
        """Per path, the year the refusal tariff snaps back (years: never)."""
        return self.funded.snap_year

    @cached_property
    def investor(self) -> dict[str, np.ndarray]:
        """Tranche name -> the investor's flows (every tranche appears)."""
        return {name: self._flows(name) for name in self.tranches}

    @cached_property
    def host(self) -> dict[str, np.ndarray]:
        """Tranche name -> the host's flows (the mirror of loans and guarantees)."""
        return {name: (self.cut.host_share if name == self.pool else -self._flows(name))
                for name in self.tranches}

    def _flows(self, name: str) -> np.ndarray:
        if name == self.pool:
            return self.cut.investor_flows
        if name in self.funded.debt:
            return self.funded.debt[name]
        return np.zeros_like(self.calls)   # a tranche that found no project

    @property
    def investor_total(self) -> np.ndarray:
        """The investor's flows over every tranche, (paths, years), USD bn."""
        return _total(self.investor, self.calls.shape)

    @property
    def host_total(self) -> np.ndarray:
        """The host's flows over every tranche, (paths, years), USD bn."""
        return _total(self.host, self.calls.shape)

    def investor_pv(self, rate: float) -> np.ndarray:
        """Present value of the investor's flows, per path: the MOU pool's and each loan's or
        guarantee's, added in tranche order."""
        out = self.cut.investor_pv(rate).copy()
        for name in self.tranches:
            if name in self.funded.debt:
                out += self.funded.debt_pv(name, rate)
        return out

    def host_pv(self, rate: float) -> np.ndarray:
        """Present value of the host's flows, per path."""
        out = self.cut.host_pv(rate).copy()
        for name in self.tranches:
            if name in self.funded.debt:
                out -= self.funded.debt_pv(name, rate)
        return out


def _total(flows: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape)
    for v in flows.values():
        out += v
    return out


def _withdrawn(c: CallsPlan, block: Block) -> np.ndarray | None:
    """Per path, the year the deal's withdrawal stops new stakes (None: it stops none)."""
    if not block.assumptions.trade.withdrawal_stops_calls:
        return None
    lasts = block.deal_lasts(c.investor_code)
    return None if (lasts >= block.years).all() else lasts


def _projects(block: Block, stakes: Sequence[Allocation]) -> tuple[ProjectTable, dict]:
    """The block's draws of the stakes' projects, a column each, and each project's column
    (kept on the block for the next pact with the same projects)."""
    keys = tuple(dict.fromkeys((al.project, al.archetype) for al in stakes))

    def make() -> tuple[ProjectTable, dict]:
        draws = [block.project(*key) for key in keys]
        stack = lambda name, dtype: np.ascontiguousarray(np.array(
            [getattr(d, name) for d in draws], dtype=dtype).reshape(len(draws), block.size).T)
        return (ProjectTable(stack("overrun", np.float64), stack("build", np.int64),
                             stack("fail_after", np.int64), stack("multiplier", np.float64)),
                {key: row for row, key in enumerate(keys)})
    return block.memo(("project table", keys), make)


def _factors(block: Block, stakes: Sequence[Allocation]) -> tuple[np.ndarray, dict]:
    """The market factors the MOU stakes' cash follows, (factors, paths, years), and each
    factor's row (kept on the block)."""
    names = tuple(dict.fromkeys(al.arch.market_factor for al in stakes
                                if al.arch.market_factor != "none"))

    def make() -> tuple[np.ndarray, dict]:
        table = np.empty((len(names), block.size, block.years))
        for row, name in enumerate(names):
            table[row] = block.markets.factor(name)
        return table, {name: row for row, name in enumerate(names)}
    return block.memo(("factor table", names), make)


def _stakes(c: CallsPlan, rows: dict, factor_rows: dict) -> tuple[Stakes, tuple[str, ...]]:
    """The plan's stakes for the one-pass kernel, MOU stakes first, and its debt tranches."""
    stakes = (*c.mou, *(al for al, _ in c.debts))
    specs = [None] * len(c.mou) + [spec for _, spec in c.debts]
    tranches = tuple(dict.fromkeys(al.tranche for al, _ in c.debts))
    schedules = [np.zeros(1) if spec is None else spec.schedule() for spec in specs]
    schedule = np.zeros((len(stakes), max((x.size for x in schedules), default=1)))
    for i, x in enumerate(schedules):
        schedule[i, :x.size] = x
    column = lambda values, dtype=np.float64: np.array(values, dtype=dtype).reshape(len(stakes))
    seen: set[str] = set()
    first = []
    for al in stakes[len(c.mou):]:
        first.append(al.tranche not in seen)
        seen.add(al.tranche)
    return Stakes(
        project=column([rows[(al.project, al.archetype)] for al in stakes], np.int64),
        weight=column([al.stake for al in stakes]),
        capex=column([al.capex for al in stakes]),
        launch=column([al.launch_year for al in stakes], np.int64),
        priority=column([al.sector in c.priority_sectors for al in stakes], np.bool_),
        cash_scale=column([al.capex * al.arch.cash_yield * (1.0 - c.tax_rate) for al in stakes]),
        life=column([al.arch.life_years for al in stakes], np.int64),
        factor=column([factor_rows.get(al.arch.market_factor, -1) for al in stakes], np.int64),
        beta=column([al.arch.market_beta for al in stakes]),
        amount=column([al.amount for al in stakes]),
        tranche=column([0] * len(c.mou) + [tranches.index(al.tranche) for al, _ in c.debts],
                       np.int64),
        first=column([False] * len(c.mou) + first, np.bool_),
        loan=column([spec is not None and spec.loan for spec in specs], np.bool_),
        rate=column([0.0 if spec is None else spec.rate for spec in specs]),
        recovery=column([0.0 if spec is None else spec.recovery for spec in specs]),
        schedule=schedule,
        terms=column([x.size for x in schedules], np.int64)), tranches


def fund(c: CallsPlan, block: Block, *, withdrawn: np.ndarray | None = None,
         full: bool = True) -> Funded:
    """The fund stage for one CallsPlan: calls, reserves, loans and guarantees, the MOU cash.

    **A deal's life for both sides** (the MOU's refusal clause read both ways): when the host
    withdraws the tariff relief on a path in year *w*, the investor's unfunded calls stop. No
    stake is launched from *w* on, so nothing is called, lent or guaranteed for a project not
    yet started. What is already invested stays invested: a stake launched before *w* is
    completed (its calls go on through the queue, under the cap) and keeps its cash, loan
    service and guarantee exposure. Calls paid are the demand of the stakes launched, paid
    from reserves, bonds and FDI as before, and the waterfall pours only the cash of funded
    stakes. With ``trade.withdrawal_stops_calls = false`` the calls go on after a withdrawal
    (pactlab 0.2). A snapback under the refusal clause follows the investor's own refusal and
    stops nothing here: a shortfall past the deadline leaves no call to stop, and after a
    snapback for an undelivered pledge or an unallocated tranche the stakes under way are still
    funded (:func:`snap_year`; the relief ends there, :mod:`~pactlab.model.gains`).

    Parameters
    ----------
    c : CallsPlan
    block : Block
        The futures: project draws, markets, sudden stops, deferral, pledge and withdrawal draws.
    withdrawn : ndarray of int, shape (paths,), optional
        Per path, the year the deal is withdrawn; if None, the block's draw
        (:meth:`~pactlab.model.futures.Block.deal_lasts`) when ``trade.withdrawal_stops_calls``,
        else never.
    full : bool
        Keep every year-by-year array of the calls and reserves (the metrics read them); False
        keeps only what the gains read (:func:`~pactlab.engine._fund_kernels.fund_path`).

    Returns
    -------
    Funded
        The calls and reserves (:class:`~pactlab.engine.funding.Calls`), debt flows, MOU cash,
        capex by sector and in priority sectors, and the snapback year: arrays (paths, years) or
        (paths,), USD bn.
    """
    withdrawn = (_withdrawn(c, block) if withdrawn is None
                 else np.asarray(withdrawn, dtype=np.int64))
    stakes = (*c.mou, *(al for al, _ in c.debts))
    projects, rows = _projects(block, stakes)
    factors, factor_rows = _factors(block, c.mou)
    table, tranches = _stakes(c, rows, factor_rows)
    code = c.investor_code
    out = fund_pass(len(c.mou), c.call_timing == "at_selection", table, projects, withdrawn,
                    factors, len(tranches), c.cap, c.ceiling, c.last_call_year, c.fx,
                    block.sudden_stops(code), block.acceptance(code), full=full)
    capex: dict[str, np.ndarray] = {}
    for al, spent in zip(stakes, out.spent, strict=True):
        financed = al.stake * spent
        capex[al.sector] = capex[al.sector] + financed if al.sector in capex else financed
    delivered = (block.pledge_delivered(code, c.pledge_delivery_prob) if c.pledge_from is not None
                 else None)
    return Funded(out.calls, dict(zip(tranches, out.debt, strict=True)), out.cash, capex,
                  out.priority, snap_year(c, out.calls, block.years, delivered))


def snap_year(c: CallsPlan, calls: Calls, years: int,
              pledge_delivered: np.ndarray | None = None) -> np.ndarray:
    """Per path, the first year the host may apply the refusal tariff.

    That is when the investor left calls unfunded past the funding deadline, a tranche found no
    eligible project by the selection deadline, or the investor's firms did not deliver their
    private pledge by its date.

    Parameters
    ----------
    c : CallsPlan
    calls : Calls
    years : int
        The horizon.
    pledge_delivered : ndarray of bool, shape (paths,), optional
        Whether the private pledge is delivered.

    Returns
    -------
    ndarray of int64, shape (paths,)
        The year; `years` where none of these happens or the pact has no refusal clause.
    """
    out = np.full(calls.shortfall.shape, years, dtype=np.int64)
    if not c.refusal:
        return out
    if c.pledge_from is not None and pledge_delivered is not None:
        out[~pledge_delivered] = min(c.pledge_from, years)
    if c.last_call_year is not None:
        unfunded = calls.shortfall > 1e-9 * max(c.ceiling, 1.0)
        out[unfunded] = min(c.last_call_year + 1, years)
    if c.unfunded_from is not None:
        out = np.minimum(out, min(c.unfunded_from, years))
    return out


def split(s: SplitPlan, funded: Funded, markets: MarketPaths, *,
          deemed: np.ndarray | None = None) -> Split:
    """The split stage for one SplitPlan: the waterfall of the MOU cash and the host's upside take.

    Parameters
    ----------
    s : SplitPlan
    funded : Funded
        The fund stage's result (calls and MOU cash).
    markets : MarketPaths
        SOFR, for the deemed rate.
    deemed : ndarray, shape (paths, years), optional
        ``markets.sofr + s.spread`` when already made (the pacts of a block share it).

    Returns
    -------
    Split
        Calls, the investor's receipts, the host's share and its upside take: (paths, years),
        USD bn.
    """
    paid = funded.calls.paid
    if s.pool is None:
        zeros = np.zeros_like(paid)
        return Split(paid, zeros, zeros, None)
    if deemed is None:
        deemed = markets.sofr + s.spread
    life = s.scheduled_life
    tiers = [Tier(share, (0.0 if life is not None else deemed) if isinstance(hurdle, str)
                  else hurdle)   # the one text hurdle is "deemed"
             for share, hurdle in s.tiers]
    accrual = funded.scheduled_daa(deemed, s.spread, life) if life is not None else None
    received, host_share = distribute(funded.mou_cash, paid, tiers, accrual=accrual,
                                      review=s.review)
    return Split(paid, received, host_share, upside_take(received, s.upside))


def upside_take(received: np.ndarray, upside: tuple[float, float] | None) -> np.ndarray | None:
    """The host's `share` of the investor's cumulative MOU receipts above `threshold`, by year.

    Parameters
    ----------
    received : ndarray, shape (paths, years), USD bn
    upside : (share, threshold) or None
        A fraction and USD bn; None without an upside term.

    Returns
    -------
    ndarray, shape (paths, years), USD bn, or None

    Examples
    --------
    >>> upside_take(np.array([[10.0, 10.0, 10.0]]), (0.2, 15.0)).tolist()
    [[0.0, 1.0, 2.0]]
    """
    if upside is None:
        return None
    share, threshold = upside
    above = np.maximum(np.cumsum(received, axis=1) - threshold, 0.0)
    return share * np.diff(above, axis=1, prepend=0.0)


def simulate_block(plans: Sequence[Plan], block: Block, *,
                   full: bool = True) -> Iterator[tuple[int, DealPaths]]:
    """Each plan's DealPaths on one block, sharing the stages that plans have in common.

    Parameters
    ----------
    plans : sequence of Plan
    block : Block
    full : bool
        As in :func:`fund` (False: the gains' arrays only, for payoffs).

    Yields
    ------
    (int, DealPaths)
        The index into `plans` and its paths; the order follows the groups of shared stages.
    """
    groups: dict[CallsPlan, dict[SplitPlan, list[int]]] = {}
    trade: dict[int, TradePaths] = {}      # by tariff-cost table: one per distinct tariff terms
    for i, plan in enumerate(plans):
        groups.setdefault(plan.calls, {}).setdefault(plan.split, []).append(i)
        cost = plan.gain_inputs.tariff
        if id(cost) not in trade:
            trade[id(cost)] = TradePaths(cost, block)
    for calls_plan, by_split in groups.items():
        funded = fund(calls_plan, block, full=full)
        for split_plan, members in by_split.items():
            deemed: np.ndarray = block.memo(("deemed rate", split_plan.spread), partial(
                np.add, block.markets.sofr, split_plan.spread))   # SOFR + spread, once a block
            cut = split(split_plan, funded, block.markets, deemed=deemed)
            for i in members:
                plan = plans[i]
                yield i, DealPaths(plan.base_year, plan.tranches, plan.split.pool, block.markets,
                                   funded, cut, block.no_pact(calls_plan.investor_code),
                                   trade[id(plan.gain_inputs.tariff)])


def simulate(pact: Pact, futures: Futures) -> DealPaths:
    """One pact applied to `futures`, every path at once.

    For analysis and tests: ``evaluate`` works block by block so that memory does not grow with
    paths.

    Parameters
    ----------
    pact : Pact
    futures : Futures

    Returns
    -------
    DealPaths
        Arrays (paths, years) over all the futures' paths.
    """
    plan = Planner(futures.assumptions).plan(pact)
    parts = [next(simulate_block([plan], block))[1] for block in futures.blocks()]
    return parts[0] if len(parts) == 1 else _concatenate(parts)


def _concatenate(parts: list[DealPaths]) -> DealPaths:
    """One DealPaths over all the parts' paths, in order."""
    join = lambda arrays: np.concatenate(list(arrays))
    first = parts[0]
    funded = Funded(Calls(*(join(col) for col in zip(*(p.funding for p in parts), strict=True))),
                    {k: join(p.funded.debt[k] for p in parts) for k in first.funded.debt},
                    join(p.mou_cash for p in parts),
                    {k: join(p.capex[k] for p in parts) for k in first.capex},
                    join(p.priority_capex for p in parts), join(p.snap_year for p in parts))
    upside = None if first.cut.upside is None else join(p.cut.upside for p in parts)
    cut = Split(funded.calls.paid, join(p.cut.received for p in parts),
                join(p.cut.host_share for p in parts), upside)
    markets = MarketPaths(*(join(getattr(p.markets, k) for p in parts)
                            for k in ("sofr", "energy", "power")))
    no_pact = NoPact.concatenate([p.no_pact for p in parts])
    trade = object.__new__(TradePaths)
    _Memo.__init__(trade)
    trade.cost = first.trade.cost
    for name in ("multiplier", "e0", "we", "p0", "wp"):
        setattr(trade, name, join(getattr(p.trade, name) for p in parts))
    return DealPaths(first.base_year, first.tranches, first.pool, markets, funded, cut, no_pact, trade)
