"""Capital calls: project demand for cash, limited by the annual cap and the commitment.

Demand that the cap does not let through in a year is carried forward (first in, first out)
and paid as soon as the cap allows; cumulative calls never exceed the commitment (what
overruns would add beyond it is left to the project's co-sponsors). A project whose calls are
held back by the cap starts operating only after it is fully funded.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calls:
    paid: np.ndarray       # (paths, years) cash actually called
    demand: np.ndarray     # (paths, years) cash the projects asked for
    backlog: np.ndarray    # (paths, years) demand still unpaid at the end of each year

    def funded_by(self, last_demand_year: np.ndarray, ceiling: float) -> np.ndarray:
        """Per path, the year by which all demand up to `last_demand_year` was paid."""
        cum_demand = np.cumsum(self.demand, axis=1)
        cum_paid = np.cumsum(self.paid, axis=1)
        years = self.demand.shape[1]
        idx = np.clip(last_demand_year, 0, years - 1)
        target = np.minimum(np.take_along_axis(cum_demand, idx[:, None], axis=1), ceiling)
        done = cum_paid >= target - 1e-9 * max(ceiling, 1.0)
        return np.where(done.any(axis=1), np.argmax(done, axis=1), years)


def capital_calls(demand: np.ndarray, cap: float | None, ceiling: float) -> Calls:
    """Pay `demand` (paths, years) under an annual `cap` (None: no cap) and a total `ceiling`.

    >>> c = capital_calls(np.array([[50.0, 10.0, 0.0, 0.0]]), 20.0, 100.0)
    >>> c.paid.tolist(), c.backlog.tolist()
    ([[20.0, 20.0, 20.0, 0.0]], [[30.0, 20.0, 0.0, 0.0]])
    """
    demand = np.asarray(demand, dtype=np.float64)
    paths, years = demand.shape
    paid = np.empty_like(demand)
    backlog = np.empty_like(demand)
    queue = np.zeros(paths)
    total = np.zeros(paths)
    limit = np.inf if cap is None else cap
    for t in range(years):
        queue += demand[:, t]
        pay = np.minimum(np.minimum(queue, limit), ceiling - total)
        np.maximum(pay, 0.0, out=pay)
        paid[:, t] = pay
        total += pay
        # demand beyond what the commitment has left is never called: drop it from the queue
        queue = np.minimum(queue - pay, ceiling - total)
        backlog[:, t] = queue
    return Calls(paid, demand, backlog)
