"""Capital calls: project demand for cash, limited by the annual cap and the commitment.

Demand that the cap does not let through in a year is carried forward (first in, first out)
and paid as soon as the cap allows; cumulative calls never exceed the commitment (what
overruns would add beyond it is left to the project's co-sponsors). A project whose calls are
held back by the cap starts operating only after it is fully funded.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np


@dataclass(frozen=True)
class Calls:
    paid: np.ndarray       # (paths, years) cash actually called
    demand: np.ndarray     # (paths, years) cash the projects asked for
    backlog: np.ndarray    # (paths, years) demand still unpaid at the end of each year

    def funded_by(self, last_demand_year: np.ndarray, ceiling: float) -> np.ndarray:
        """Per path, the first year by whose end all demand up to `last_demand_year` (or the
        ceiling, if less) was paid; `years` if never within the horizon."""
        out = np.empty(self.paid.shape[0], dtype=np.int64)
        _funded_by(self.demand, self.paid, np.asarray(last_demand_year, dtype=np.int64),
                   float(ceiling), out)
        return out


@nb.njit(cache=True, parallel=True)
def _funded_by(demand, paid, last_demand_year, ceiling, out):
    paths, years = demand.shape
    tolerance = 1e-9 * max(ceiling, 1.0)
    for p in nb.prange(paths):
        last = min(max(last_demand_year[p], 0), years - 1)
        target = 0.0
        for t in range(last + 1):
            target += demand[p, t]
        target = min(target, ceiling) - tolerance
        out[p] = years
        total = 0.0
        for t in range(years):
            total += paid[p, t]
            if total >= target:
                out[p] = t
                break


@nb.njit(cache=True, parallel=True)
def _pay(demand, cap, ceiling, paid, backlog):
    paths, years = demand.shape
    for p in nb.prange(paths):
        queue = 0.0
        total = 0.0
        for t in range(years):
            queue += demand[p, t]
            pay = min(queue, cap, max(ceiling - total, 0.0))
            pay = max(pay, 0.0)
            paid[p, t] = pay
            total += pay
            # demand beyond what the commitment has left is never called: drop it
            queue = min(queue - pay, ceiling - total)
            backlog[p, t] = queue


def capital_calls(demand: np.ndarray, cap: float | None, ceiling: float) -> Calls:
    """Pay `demand` (paths, years) under an annual `cap` (None: no cap) and a total `ceiling`.

    >>> c = capital_calls(np.array([[50.0, 10.0, 0.0, 0.0]]), 20.0, 100.0)
    >>> c.paid.tolist(), c.backlog.tolist()
    ([[20.0, 20.0, 20.0, 0.0]], [[30.0, 20.0, 0.0, 0.0]])
    """
    demand = np.ascontiguousarray(demand, dtype=np.float64)
    paid, backlog = np.empty_like(demand), np.empty_like(demand)
    _pay(demand, np.inf if cap is None else float(cap), float(ceiling), paid, backlog)
    return Calls(paid, demand, backlog)
