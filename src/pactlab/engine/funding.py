r"""Capital calls and the investor's reserves, year by year: the one place where they meet.

Per path and year *t*:

1. **Calls.** Project demand joins a queue; the year's call is what the queue holds, at most
   the annual cap and what the commitment has left. Nothing is called after the funding
   deadline: what is still queued then is a *shortfall*, reported, never dropped.
2. **Instability clause.** If last year's ARA ratio was under the pact's threshold, the
   investor asks to defer the call; the host grants it with probability ``acceptance``
   ("good-faith consideration" binds nothing), at most ``max_deferrals`` times. A deferred
   call stays in the queue; a refused request is counted.
3. **Funding.** Each outflow (the call, loan disbursements, guarantee payouts) is paid
   ``bonds`` from state-bank USD bonds (no reserve loss, but external debt that raises the ARA
   metric), ``fdi`` from corporate FDI (no reserve effect), and the rest from reserves: their
   investment income first, then principal.
4. **Reserves** drift with the flows the pact does not drive (``drift``: intervention,
   valuation, income not kept, calibrated so that reserves with no pact grow as they did in
   history), earn their yield, pay their share, and lose a *sudden stop* when one strikes:
   a share of the pre-pact reserves, grown with the economy (capital flight scales with the
   economy's liabilities, not with what the central bank has left), calibrated to Korea's 2008
   loss of about a quarter of its reserves in eight months.
5. **Swap line.** Under the trigger ratio it draws what brings reserves back to the trigger,
   up to its size; it is repaid once the ratio is ``swap_margin`` above the trigger.
6. **Crises.** Reserves never go negative: exhaustion is counted, and so is the first year
   reserves fall below short-term external debt (the Greenspan–Guidotti rule, 1999).

The ARA metric moves with its components, which grow at ``growth`` a year; new bonds add to
its other-liabilities term. Receipts (distributions, debt service, fees) accrue to the
investor's policy institutions and are not counted back into reserves: a conservative reading.
"""
from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np


class FxSpec(NamedTuple):
    """The reserve side of the simulation (numba takes it as one argument)."""

    enabled: bool = False
    reserves: float = 0.0
    reserve_yield: float = 0.0
    drift: float = 0.0              # other net reserve flows a year, share of reserves
    metric: float = 0.0             # calibrated ARA metric in year 0; 0: not applicable
    growth: float = 0.0
    bond_weight: float = 0.0        # weight of new USD bonds in the (calibrated) metric
    short_term_debt: float = 0.0    # Greenspan–Guidotti line in year 0; 0: not used
    threshold: float = 0.0          # instability clause: ARA ratio; 0: no clause
    max_deferrals: int = 0
    acceptance: float = 0.0
    swap_size: float = 0.0
    swap_trigger: float = 1.0
    swap_margin: float = 0.1
    bonds_share: float = 0.0
    fdi_share: float = 0.0

    @property
    def start_ratio(self) -> float:
        """Reserves over the ARA metric before anything happens (NaN: not applicable)."""
        return self.reserves / self.metric if self.metric > 0 else float("nan")


class Calls(NamedTuple):
    """What was called, and what it did to reserves; arrays are (paths, years).

    The simulation kernel fills one of these in place (numba takes it as one argument)."""

    paid: np.ndarray
    demand: np.ndarray
    backlog: np.ndarray           # demand still queued at each year's end
    shortfall: np.ndarray         # (paths,) demand never called by the funding deadline
    deferred: np.ndarray          # calls deferred at the investor's request, by year
    refused: np.ndarray           # 1 where a deferral request was refused
    reserves: np.ndarray          # year-end reserves (swap proceeds included)
    ratio: np.ndarray             # reserves / calibrated ARA metric (NaN: not applicable)
    swap: np.ndarray              # swap line outstanding at year end
    principal: np.ndarray         # reserve principal spent (beyond the year's income)
    bonds: np.ndarray             # USD bonds outstanding
    crisis_year: np.ndarray       # (paths,) first year under the Greenspan–Guidotti line
    exhausted_year: np.ndarray    # (paths,) first year reserves ran out

    @classmethod
    def empty(cls, demand: np.ndarray) -> Calls:
        """Uninitialised outputs for `demand` (paths, years), for the kernel to fill."""
        shape = demand.shape
        paths = shape[0]
        f = lambda: np.empty(shape)
        return cls(paid=f(), demand=demand, backlog=f(), shortfall=np.empty(paths),
                   deferred=f(), refused=np.empty(shape, dtype=np.int8), reserves=f(), ratio=f(),
                   swap=f(), principal=f(), bonds=f(), crisis_year=np.empty(paths, dtype=np.int64),
                   exhausted_year=np.empty(paths, dtype=np.int64))

    def funded_by(self, last_demand_year: np.ndarray, ceiling: float) -> np.ndarray:
        """Per path and row of `last_demand_year` (rows, paths): the first year by whose end all
        demand up to that year (or the ceiling, if less) was paid; `years` if never."""
        last = np.ascontiguousarray(np.atleast_2d(last_demand_year), dtype=np.int64)
        out = np.empty(last.shape, dtype=np.int64)
        _funded_by(self.demand, self.paid, last, float(ceiling), out)
        return out if np.ndim(last_demand_year) == 2 else out[0]


@nb.njit(cache=True, parallel=True)
def _funded_by(demand, paid, last_demand_year, ceiling, out):
    paths, years = demand.shape
    rows = last_demand_year.shape[0]
    tolerance = 1e-9 * max(ceiling, 1.0)
    for p in nb.prange(paths):
        wanted = np.empty(years)
        got = np.empty(years)
        a = 0.0
        b = 0.0
        for t in range(years):
            a += demand[p, t]
            b += paid[p, t]
            wanted[t] = a
            got[t] = b
        for i in range(rows):
            last = min(max(last_demand_year[i, p], 0), years - 1)
            target = min(wanted[last], ceiling) - tolerance
            out[i, p] = years
            for t in range(years):
                if got[t] >= target:
                    out[i, p] = t
                    break


@nb.njit(cache=True, parallel=True)
def _simulate(demand, other, cap, ceiling, last_call_year, fx, shock, accept, out):
    paths, years = demand.shape
    applicable = fx.metric > 0.0
    # numba writes arrays reached through a tuple inside prange to a copy: unpack them first
    paid = out.paid
    backlog = out.backlog
    shortfall = out.shortfall
    deferred = out.deferred
    refused = out.refused
    reserves = out.reserves
    ratio = out.ratio
    swap_out = out.swap
    principal = out.principal
    bonds_out = out.bonds
    crisis_year = out.crisis_year
    exhausted_year = out.exhausted_year
    for p in nb.prange(paths):
        queue = 0.0
        total = 0.0
        deferrals = 0
        res = fx.reserves
        swap = 0.0
        bonds = 0.0
        growth = 1.0
        last_ratio = res / fx.metric if fx.enabled and applicable else np.nan
        crisis_year[p] = years
        exhausted_year[p] = years
        late = 0.0
        for t in range(years):
            if t > last_call_year:
                late += demand[p, t]
            else:
                queue += demand[p, t]
            pay = 0.0
            if t <= last_call_year:
                pay = max(min(queue, cap, ceiling - total), 0.0)
            deferred[p, t] = 0.0
            refused[p, t] = 0
            if pay > 0.0 and fx.threshold > 0.0 and last_ratio < fx.threshold:
                if deferrals < fx.max_deferrals and accept[p, t] < fx.acceptance:
                    deferred[p, t] = pay
                    deferrals += 1
                    pay = 0.0
                else:
                    refused[p, t] = 1
            paid[p, t] = pay
            total += pay
            # demand beyond what the commitment has left is never called: drop it
            queue = min(queue - pay, ceiling - total)
            backlog[p, t] = queue

            outflow = pay + other[p, t]
            if fx.enabled:
                from_reserves = outflow * (1.0 - fx.bonds_share - fx.fdi_share)
                bonds += outflow * fx.bonds_share
                res *= 1.0 + fx.drift
                income = res * fx.reserve_yield
                principal[p, t] = max(from_reserves - max(income, 0.0), 0.0)
                res = res + income - from_reserves
                res -= shock[p, t] * fx.reserves * growth  # sized on the economy, not on what is left
                metric = fx.metric * growth + fx.bond_weight * bonds
                if fx.swap_size > 0.0 and applicable:
                    floor = fx.swap_trigger * metric
                    if res < floor and swap < fx.swap_size:
                        draw = min(floor - res, fx.swap_size - swap)
                        res += draw
                        swap += draw
                    elif swap > 0.0 and res > floor * (1.0 + fx.swap_margin):
                        repay = min(swap, res - floor * (1.0 + fx.swap_margin))
                        res -= repay
                        swap -= repay
                if res <= 0.0:
                    res = 0.0
                    if exhausted_year[p] == years:
                        exhausted_year[p] = t
                if fx.short_term_debt > 0.0 and res < fx.short_term_debt * growth and crisis_year[p] == years:
                    crisis_year[p] = t
                if exhausted_year[p] < crisis_year[p]:
                    crisis_year[p] = exhausted_year[p]
                last_ratio = res / metric if applicable else np.nan
                reserves[p, t] = res
                ratio[p, t] = last_ratio
                swap_out[p, t] = swap
                bonds_out[p, t] = bonds
                growth *= 1.0 + fx.growth
            else:
                principal[p, t] = 0.0
                reserves[p, t] = np.nan
                ratio[p, t] = np.nan
                swap_out[p, t] = 0.0
                bonds_out[p, t] = 0.0
        shortfall[p] = max(min(queue + late, ceiling - total), 0.0)


def simulate_funding(demand: np.ndarray, cap: float | None, ceiling: float, *,
                     other_outflows: np.ndarray | None = None, last_call_year: int | None = None,
                     fx: FxSpec = FxSpec(), shocks: np.ndarray | None = None,
                     acceptance_draws: np.ndarray | None = None) -> Calls:
    """Calls and reserves, year by year (see the module docstring).

    Parameters
    ----------
    demand : ndarray, shape (paths, years), USD bn
        Call demand from the projects' spend, by year.
    cap : float or None, USD bn a year
        The annual cap on calls (None: no cap).
    ceiling : float, USD bn
        The commitment: cumulative calls never exceed it.
    other_outflows : ndarray, shape (paths, years), USD bn, optional
        Other payments funded like a call (loan disbursements, guarantee payouts); zeros if None.
    last_call_year : int, optional
        The last year anything is called (the funding deadline; the horizon's last if None).
    fx : FxSpec
        The reserve side; the default has none (calls alone).
    shocks : ndarray, shape (paths, years), fraction, optional
        The share of pre-pact reserves lost to a sudden stop each year; zeros if None.
    acceptance_draws : ndarray, shape (paths, years), uniform on [0, 1), optional
        Draws that decide deferral requests; ones (every request refused) if None.

    Returns
    -------
    Calls
        What was called and what it did to reserves, arrays (paths, years) or (paths,).

    References
    ----------
    Greenspan, A. (1999). Currency reserves and debt (the Greenspan–Guidotti rule).
    IMF (2015, 2016). Assessing Reserve Adequacy (the ARA metric).

    Examples
    --------
    Calls alone, with no reserve side: demand under an annual cap of 20 and a ceiling of 100.

    >>> c = simulate_funding(np.array([[50.0, 10.0, 0.0, 0.0]]), 20.0, 100.0)
    >>> c.paid.tolist(), c.backlog.tolist()
    ([[20.0, 20.0, 20.0, 0.0]], [[30.0, 20.0, 0.0, 0.0]])
    """
    demand = np.ascontiguousarray(demand, dtype=np.float64)
    paths, years = demand.shape

    def given(x: np.ndarray | None, fill: float) -> np.ndarray:
        return np.full(demand.shape, fill) if x is None else np.ascontiguousarray(x, dtype=np.float64)

    out = Calls.empty(demand)
    _simulate(demand, given(other_outflows, 0.0), np.inf if cap is None else float(cap),
              float(ceiling), years - 1 if last_call_year is None else int(last_call_year), fx,
              given(shocks, 0.0), given(acceptance_draws, 1.0), out)
    return out

