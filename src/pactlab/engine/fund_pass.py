"""The fund stage in one pass over paths: the stakes' spend, the loans and guarantees, the
calls and reserves, when each stake is funded, and the project cash, for one set of stakes on
one block of paths.

Each piece has its own kernel in the engine (:func:`~pactlab.engine.projects.add_spend`,
:func:`~pactlab.engine.instruments.debt_flows`, :func:`~pactlab.engine.funding.simulate_funding`
…), and a pact once ran them one after another, each a pass over the whole block into a fresh
(paths, years) array: some thirty passes a pact. Here one kernel does every piece for a path
before the next, with the same per-path functions and the same arithmetic in the same order,
so the numbers are those of the pieces, bit for bit (``tests/engine/test_fund_pass.py``).
"""
from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from .funding import Calls, FxDraws, FxSpec, fund_path, funded_path
from .instruments import debt_row


class ProjectTable(NamedTuple):
    """The projects' draws on a block, one column per project, each (paths, projects): a path's
    draws side by side (read path by path, a sixth faster than one row per project)."""

    overrun: np.ndarray
    build: np.ndarray          # int64
    fail_after: np.ndarray     # int64
    multiplier: np.ndarray


class Stakes(NamedTuple):
    """A pact's stakes, the MOU-funded ones first, then the loans and guarantees; each (stakes,)
    unless said. Fields of the other kind are ignored (cash terms of a loan, debt terms of an
    MOU stake)."""

    project: np.ndarray        # int64 column of the ProjectTable
    weight: np.ndarray         # the stake: share of the project's base capex
    capex: np.ndarray          # the project's base capex, USD bn
    launch: np.ndarray         # int64 launch year
    priority: np.ndarray       # bool: in the host's priority sectors
    cash_scale: np.ndarray     # capex x cash yield x (1 - tax): cash before the multiplier
    life: np.ndarray           # int64 operating years
    factor: np.ndarray         # int64 row of the market factors; -1: not linked
    beta: np.ndarray           # link to the factor
    amount: np.ndarray         # most lent or guaranteed, USD bn
    tranche: np.ndarray        # int64 debt tranche, numbered by first appearance
    first: np.ndarray          # bool: the tranche's first stake
    loan: np.ndarray           # bool: a loan (else a guarantee)
    rate: np.ndarray           # coupon or fee
    recovery: np.ndarray
    schedule: np.ndarray       # (stakes, terms) outstanding fraction before each repayment year
    terms: np.ndarray          # int64 used length of each schedule row


class Funds(NamedTuple):
    """What the pass writes: the calls and reserves, each debt tranche's investor flows
    (tranches, paths, years), the MOU stakes' cash and the priority-sector capex (paths, years),
    each stake's realised capex within the horizon (stakes, paths), and the year each MOU
    stake's demand was paid by (mou stakes, paths)."""

    calls: Calls
    debt: np.ndarray
    cash: np.ndarray
    priority: np.ndarray
    spent: np.ndarray
    funded: np.ndarray


def fund_pass(mou: int, at_selection: bool, stakes: Stakes, projects: ProjectTable,
              withdrawn: np.ndarray | None, factors: np.ndarray, tranches: int, cap: float | None,
              ceiling: float, last_call_year: int | None, fx: FxSpec, draws: FxDraws,
              accept: np.ndarray, *, full: bool = True) -> Funds:
    """The fund stage's arrays for one pact on one block (see the module docstring).

    Parameters
    ----------
    mou : int
        How many of `stakes` are MOU-funded (the first ones).
    at_selection : bool
        A stake's whole realised cost is called in its launch year (else as it is built).
    stakes : Stakes
    projects : ProjectTable
        Draws on ``paths`` paths, (paths, projects).
    withdrawn : ndarray of int, shape (paths,), or None
        The year the deal is withdrawn: a stake launched then or later never starts.
    factors : ndarray, shape (factors, paths, years)
        The market factors that stakes' cash follows.
    tranches : int
        Debt tranches.
    cap, ceiling, last_call_year, fx, draws, accept
        As in :func:`~pactlab.engine.funding.simulate_funding` (draws full (paths, years)).
    full : bool
        Keep every array of the calls and reserves; False: only what the gains read
        (:func:`~pactlab.engine.funding.fund_path`), a third of the memory traffic.

    Returns
    -------
    Funds
    """
    paths, years = accept.shape
    calls = Calls.empty(np.empty((paths, years)), full=full)
    out = Funds(calls, np.empty((tranches, paths, years)), np.empty((paths, years)),
                np.empty((paths, years)), np.empty((stakes.weight.size, paths)),
                np.empty((mou, paths), dtype=np.int64))
    _pass(mou, at_selection, stakes, projects,
          np.full(paths, np.iinfo(np.int64).max) if withdrawn is None else withdrawn,
          factors, np.inf if cap is None else float(cap), float(ceiling),
          years - 1 if last_call_year is None else int(last_call_year), fx, draws, accept, full,
          np.empty((paths, years)), np.empty((mou, paths), dtype=np.int64), calls, *out[1:])
    return out


@nb.njit(cache=True)
def _fail_after(projects, j, p, launch, withdrawn):
    """A stake's years to failure on path `p`: 0 (it never starts) when the deal is withdrawn
    by its launch year."""
    return 0 if withdrawn[p] <= launch else projects.fail_after[p, j]


@nb.njit(cache=True)
def _add_spend_row(row, weight, capex, projects, j, p, launch, fail_after):
    """row += weight x the stake's spend on path `p` (as :func:`~.projects.add_spend`)."""
    years = row.shape[0]
    build = projects.build[p, j]
    per_year = capex * projects.overrun[p, j] / build
    end = min(launch + build, launch + fail_after, years)
    for t in range(max(launch, 0), end):
        row[t] += weight * per_year


@nb.njit(cache=True, parallel=True)
def _pass(mou, at_selection, stakes, projects, withdrawn, factors, cap, ceiling, last_call_year,
          fx, draws, accept, full, other, last_demand, calls, debt, cash, priority, spent, funded):
    demand = calls.demand
    paid = calls.paid
    paths, years = demand.shape
    n = stakes.weight.shape[0]
    for p in nb.prange(paths):
        spend = np.empty(years)
        flows = np.empty(years)
        demand[p, :] = 0.0
        cash[p, :] = 0.0
        priority[p, :] = 0.0
        for s in range(mou):
            j, launch = stakes.project[s], stakes.launch[s]
            fail = _fail_after(projects, j, p, launch, withdrawn)
            if at_selection:   # the whole realised cost up front
                started = 1.0 if launch + fail > launch else 0.0
                demand[p, min(launch, years - 1)] += (stakes.weight[s] * stakes.capex[s]
                                                     * projects.overrun[p, j] * started)
                last_demand[s, p] = launch
            else:
                _add_spend_row(demand[p], stakes.weight[s], stakes.capex[s], projects, j, p,
                               launch, fail)
                last_demand[s, p] = min(launch + projects.build[p, j], launch + fail) - 1
        for s in range(mou, n):
            j, launch = stakes.project[s], stakes.launch[s]
            fail = _fail_after(projects, j, p, launch, withdrawn)
            spend[:] = 0.0
            _add_spend_row(spend, stakes.weight[s], stakes.capex[s], projects, j, p, launch, fail)
            k = stakes.tranche[s]
            target = debt[k, p] if stakes.first[s] else flows
            debt_row(spend, stakes.amount[s], launch + projects.build[p, j], launch + fail,
                     stakes.schedule[s, :stakes.terms[s]], stakes.loan[s], stakes.rate[s],
                     stakes.recovery[s], target)
            if not stakes.first[s]:
                for t in range(years):
                    debt[k, p, t] = debt[k, p, t] + flows[t]
        for t in range(years):   # loan disbursements and guarantee payouts, funded like a call
            o = 0.0
            for k in range(debt.shape[0]):
                o -= debt[k, p, t]
            other[p, t] = max(o, 0.0)
        fund_path(p, demand, other, cap, ceiling, last_call_year, fx, draws, accept, calls, full)
        if mou > 0:
            funded_path(p, demand, paid, last_demand, ceiling, funded)
        for s in range(mou):
            j, launch = stakes.project[s], stakes.launch[s]
            fail_year = launch + _fail_after(projects, j, p, launch, withdrawn)
            start = max(launch + projects.build[p, j], funded[s, p] + 1)
            base = stakes.cash_scale[s] * projects.multiplier[p, j]
            f = stakes.factor[s]
            end = min(start + stakes.life[s], fail_year, years)
            for t in range(max(start, 0), end):
                level = 1.0 + stakes.beta[s] * (factors[f, p, t] - 1.0) if f >= 0 else 1.0
                cash[p, t] += stakes.weight[s] * base * level
        for s in range(n):   # capex financed within the horizon, and in priority sectors
            j, launch = stakes.project[s], stakes.launch[s]
            fail = _fail_after(projects, j, p, launch, withdrawn)
            build = projects.build[p, j]
            built = min(max(min(launch + fail, years) - launch, 0), build)
            spent[s, p] = stakes.capex[s] * projects.overrun[p, j] * built / build
            if stakes.priority[s]:
                _add_spend_row(priority[p], stakes.weight[s], stakes.capex[s], projects, j, p,
                               launch, fail)
