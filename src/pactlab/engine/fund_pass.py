"""The fund stage in one pass over paths: the stakes' spend, the loans and guarantees, the
calls and reserves, when each stake is funded, and the project cash, for one set of stakes on
one block of paths.

Each piece has its own kernel in the engine (:func:`~pactlab.engine.projects.add_spend`,
:func:`~pactlab.engine.instruments.debt_flows`, :func:`~pactlab.engine.funding.simulate_funding`
…), and a pact once ran them one after another, each a pass over the whole block into a fresh
(paths, years) array: some thirty passes a pact. Here one kernel does every piece for a path
before the next, with the same per-path functions and the same arithmetic in the same order,
so the numbers are those of the pieces, bit for bit (``tests/engine/test_fund_pass.py``). The
kernel lives with those functions in :mod:`._fund_kernels`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._fund_kernels import _pass
from .funding import Calls, FxDraws, FxSpec


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
        (:func:`~pactlab.engine._fund_kernels.fund_path`), a third of the memory traffic.

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


