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
4. **Reserves** are a stock (all amounts USD bn, :math:`G_t = (1+g)^t` the economy's nominal
   growth, :math:`D_t = D_0 (1+g_D)^t` short-term external debt at remaining maturity):

   .. math::

      R^{pre}_t = R_{t-1}(1 + y + \sigma_v \varepsilon^v_t) + (f + \sigma_f u_t) G_t
                  + B_t - K_t, \qquad
      R_t = R^{pre}_t - P_t - (s_t D_t - W_t)

   with the yield :math:`y`, valuation noise :math:`\sigma_v`, the non-pact flows :math:`f`
   (the current account less the private outflows, beyond the reserves' income; calibrated on
   history, see :mod:`pactlab.analysis.backtest`) whose deviations :math:`u_t` are AR(1) with
   coefficient ``flow_persistence`` (flow regimes last), the pact's payments from reserves
   :math:`P_t`, and a **sudden stop** that drains the share :math:`s_t` of short-term debt
   (the run is on what falls due, not on what the central bank holds). A stop *reverses*: the
   share ``stop_return`` of what was met flows back, ``return_next_year`` of it the year after
   and the rest a year later (:math:`B_t`). In a stop, a central-bank swap line (the Fed's in
   2008 and 2020) may open: :math:`W_t` = ``stress_swap`` is drawn, and repaid from the returning
   flows (:math:`K_t`).
5. **Swap line of the pact.** Under the trigger ratio it draws what brings reserves back to the
   trigger, up to its size; it is repaid once the ratio is ``swap_margin`` above the trigger.
6. **The float.** Reserves never go below zero: the central bank stops selling dollars at
   ``float_floor`` × short-term debt, and what is left of the year's outflows falls on the won
   (the first such year is ``float_year``; the pact's calls still count as paid).
7. **Crisis hazard.** The chance of a reserve crisis in year *t* is a logit in cover
   (:func:`pactlab.engine.reserves.crisis_hazard`), 1 in a year the won floats, computed for
   the first ``hazard_years`` (the FX horizon, all that is read of it; NaN after); the first year
   reserves fall below short-term debt (the Greenspan–Guidotti line) is recorded too.

The ARA metric moves with its components, which grow at ``growth`` a year; new bonds add to
its other-liabilities term. Receipts (distributions, debt service, fees) accrue to the
investor's policy institutions and are not counted back into reserves: a conservative reading.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._fund_kernels import _funded_by, _simulate


class FxSpec(NamedTuple):
    """The reserve side of the simulation (numba takes it as one argument); USD bn and fractions."""

    enabled: bool = False
    reserves: float = 0.0
    reserve_yield: float = 0.0
    flow: float = 0.0               # mean non-pact flow into reserves in year 0 (grows at `growth`)
    flow_sigma: float = 0.0         # its yearly std dev in year 0
    flow_persistence: float = 0.0   # AR(1) coefficient of its deviations (flow regimes persist)
    valuation_sigma: float = 0.0    # yearly valuation change, std dev as a share of reserves
    metric: float = 0.0             # calibrated ARA metric in year 0; 0: not applicable
    growth: float = 0.0             # nominal growth of the economy: ARA components, flows
    bond_weight: float = 0.0        # weight of new USD bonds in the (calibrated) metric
    short_term_debt: float = 0.0    # at remaining maturity in year 0; 0: no crisis hazard
    std_growth: float = 0.0
    stop_return: float = 1.0        # share of a stop's drain that flows back
    return_next_year: float = 1.0   # of it, the share back the year after the stop
    stress_swap: float = 0.0        # central-bank swap line drawn in a stop, where one opens
    float_floor: float = 0.0        # share of short-term debt at which the won floats
    logit_intercept: float = -np.inf   # crisis hazard: log-odds at cover 1 (-inf: none)
    logit_slope: float = 0.0        # per unit of ln(cover)
    threshold: float = 0.0          # instability clause: ARA ratio; 0: no clause
    max_deferrals: int = 0
    acceptance: float = 0.0
    swap_size: float = 0.0
    swap_trigger: float = 1.0
    swap_margin: float = 0.1
    bonds_share: float = 0.0
    fdi_share: float = 0.0
    hazard_years: int = 1 << 30     # years the crisis hazard is computed for (NaN after them)

    @property
    def start_ratio(self) -> float:
        """Reserves over the ARA metric before anything happens (NaN: not applicable)."""
        return self.reserves / self.metric if self.metric > 0 else float("nan")

    @property
    def start_cover(self) -> float:
        """Reserves over short-term debt (remaining maturity) before anything happens (NaN: none)."""
        return self.reserves / self.short_term_debt if self.short_term_debt > 0 else float("nan")


class FxDraws(NamedTuple):
    """The capital-flow draws of a block, each (paths, years): the share of short-term debt a
    sudden stop drains (0 in most years), 1 where a central-bank swap line opens in it, and
    standard normal draws for the non-pact flows and the valuation noise."""

    stops: np.ndarray
    swap_open: np.ndarray
    flow: np.ndarray
    valuation: np.ndarray

    @classmethod
    def calm(cls, shape: tuple[int, int], stops: np.ndarray | None = None) -> FxDraws:
        """No shocks and no noise (or only the given `stops`)."""
        zeros = np.zeros(shape)
        return cls(zeros if stops is None else np.ascontiguousarray(stops, dtype=np.float64),
                   zeros, zeros, zeros)


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
    swap: np.ndarray              # the pact's swap line outstanding at year end
    stress_swap: np.ndarray       # central-bank swap line outstanding at year end
    principal: np.ndarray         # reserve principal spent (beyond the year's income)
    bonds: np.ndarray             # USD bonds outstanding
    hazard: np.ndarray            # chance of a reserve crisis in the year (1 where the won floats;
                                  # NaN after FxSpec.hazard_years)
    below_std_year: np.ndarray    # (paths,) first year reserves < short-term debt (Greenspan–Guidotti)
    float_year: np.ndarray        # (paths,) first year the central bank stops at its floor

    @classmethod
    def empty(cls, demand: np.ndarray, *, full: bool = True) -> Calls:
        """Uninitialised outputs for `demand` (paths, years), for the kernel to fill; without
        `full`, those the gains do not read have no years (see :func:`~pactlab.engine._fund_kernels.fund_path`)."""
        shape = demand.shape
        paths = shape[0]
        f = lambda: np.empty(shape)
        g = f if full else (lambda: np.empty((paths, 0)))
        return cls(paid=f(), demand=demand, backlog=g(), shortfall=np.empty(paths), deferred=g(),
                   refused=np.empty(shape if full else (paths, 0), dtype=np.int8), reserves=g(),
                   ratio=g(), swap=f(), stress_swap=g(), principal=g(), bonds=g(), hazard=f(),
                   below_std_year=np.empty(paths, dtype=np.int64),
                   float_year=np.empty(paths, dtype=np.int64))

    def funded_by(self, last_demand_year: np.ndarray, ceiling: float) -> np.ndarray:
        """Per path and row of `last_demand_year` (rows, paths): the first year by whose end all
        demand up to that year (or the ceiling, if less) was paid; `years` if never."""
        last = np.ascontiguousarray(np.atleast_2d(last_demand_year), dtype=np.int64)
        out = np.empty(last.shape, dtype=np.int64)
        _funded_by(self.demand, self.paid, last, float(ceiling), out)
        return out if np.ndim(last_demand_year) == 2 else out[0]


def simulate_funding(demand: np.ndarray, cap: float | None, ceiling: float, *,
                     other_outflows: np.ndarray | None = None, last_call_year: int | None = None,
                     fx: FxSpec = FxSpec(), shocks: FxDraws | np.ndarray | None = None,
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
    shocks : FxDraws or ndarray, shape (paths, years), optional
        The capital-flow draws (:class:`FxDraws`); an array is the sudden stops alone (the share
        of short-term debt drained each year), with no noise; none if None.
    acceptance_draws : ndarray, shape (paths, years), uniform on [0, 1), optional
        Draws that decide deferral requests; ones (every request refused) if None.

    Returns
    -------
    Calls
        What was called and what it did to reserves, arrays (paths, years) or (paths,).

    References
    ----------
    Calvo, Izquierdo & Mejía (2004), NBER w10520; Greenspan (1999); IMF (2015, 2016);
    Jeanne & Rancière (2011), Economic Journal 121(555).

    Examples
    --------
    Calls alone (no reserve side): demand under an annual cap of 20 and a ceiling of 100.

    >>> simulate_funding(np.array([[50.0, 10.0, 0.0, 0.0]]), 20.0, 100.0).paid.tolist()
    [[20.0, 20.0, 20.0, 0.0]]

    A stop drains 25% of short-term debt of 100 in year 1 and flows back in year 2: reserves of
    200 at 5% end 1.25 (the yield on the gap) short of the calm path's 231.525.

    >>> fx = FxSpec(enabled=True, reserves=200.0, reserve_yield=0.05, short_term_debt=100.0)
    >>> c = simulate_funding(np.zeros((1, 3)), None, 0.0, fx=fx, shocks=np.array([[0.0, 0.25, 0.0]]))
    >>> np.round(c.reserves, 4).tolist()
    [[210.0, 195.5, 230.275]]
    """
    demand = np.ascontiguousarray(demand, dtype=np.float64)
    shape = demand.shape
    draws = shocks if isinstance(shocks, FxDraws) else FxDraws.calm(shape, shocks)
    out = Calls.empty(demand)
    _simulate(demand, _full(other_outflows, shape, 0.0), np.inf if cap is None else float(cap),
              float(ceiling), shape[1] - 1 if last_call_year is None else int(last_call_year), fx,
              FxDraws(*(_full(d, shape, 0.0) for d in draws)),
              _full(acceptance_draws, shape, 1.0), out)
    return out


def _full(x: np.ndarray | None, shape: tuple[int, ...], fill: float) -> np.ndarray:
    """`x` as a contiguous float array of `shape` (`fill` everywhere if None)."""
    if x is None:
        return np.full(shape, fill)
    return np.ascontiguousarray(np.broadcast_to(x, shape), dtype=np.float64)
