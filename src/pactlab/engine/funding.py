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

import numba as nb
import numpy as np

from .reserves import hazard_at


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
        `full`, those the gains do not read have no years (see :func:`fund_path`)."""
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


@nb.njit(cache=True, parallel=True)
def _funded_by(demand, paid, last_demand_year, ceiling, out):
    for p in nb.prange(demand.shape[0]):
        funded_path(p, demand, paid, last_demand_year, ceiling, out)


@nb.njit(cache=True)
def funded_path(p, demand, paid, last_demand_year, ceiling, out):
    """Path `p` of :meth:`Calls.funded_by`, into column `p` of `out` (rows, paths)."""
    years = demand.shape[1]
    rows = last_demand_year.shape[0]
    tolerance = 1e-9 * max(ceiling, 1.0)
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


@nb.njit(cache=True)
def _call(t, queue, total, deferrals, last_ratio, cap, ceiling, last_call_year, fx, accept_draw):
    """The year's call under the cap, the ceiling and the instability clause:
    (pay, deferred, refused, deferrals)."""
    pay = 0.0
    if t <= last_call_year:
        pay = max(min(queue, cap, ceiling - total), 0.0)
    deferred = 0.0
    refused = 0
    if pay > 0.0 and fx.threshold > 0.0 and last_ratio < fx.threshold:
        if deferrals < fx.max_deferrals and accept_draw < fx.acceptance:
            deferred = pay
            deferrals += 1
            pay = 0.0
        else:
            refused = 1
    return pay, deferred, refused, deferrals


@nb.njit(cache=True)
def _pact_swap(res, swap, metric, fx, applicable):
    """The pact's swap line: draw under the trigger, repay above it: (reserves, outstanding)."""
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
    return res, swap


@nb.njit(cache=True)
def _floor(res, pre, floor):
    """Reserves at the float floor: (reserves, floated, paid). Outflows are met while reserves
    stay above `floor`; the rest falls on the exchange rate. `pre` is what the year brought in,
    `paid` what was met out of it."""
    if res >= floor:
        return res, False, pre - res
    kept = max(min(pre, floor), 0.0)
    return kept, True, max(pre - kept, 0.0)


@nb.njit(cache=True, parallel=True)
def _simulate(demand, other, cap, ceiling, last_call_year, fx, draws, accept, out):
    for p in nb.prange(demand.shape[0]):
        fund_path(p, demand, other, cap, ceiling, last_call_year, fx, draws, accept, out, True)


@nb.njit(cache=True)
def fund_path(p, demand, other, cap, ceiling, last_call_year, fx, draws, accept, out, full):
    """Path `p` of :func:`simulate_funding`: its calls and reserves, year by year, written to
    row `p` of `out` (a :class:`Calls`); shared with the fund stage's one-pass kernel.

    Without `full`, only what the gains read is written (calls paid, the shortfall, the
    crisis hazard, the pact's swap line, the first-year markers); the other arrays of `out`
    may then have no years at all. The arithmetic is the same either way."""
    years = demand.shape[1]
    applicable = fx.metric > 0.0
    # the tuples' arrays, by name
    paid = out.paid
    backlog = out.backlog
    shortfall = out.shortfall
    deferred = out.deferred
    refused = out.refused
    reserves = out.reserves
    ratio = out.ratio
    swap_out = out.swap
    stress_out = out.stress_swap
    principal = out.principal
    bonds_out = out.bonds
    hazard = out.hazard
    below_std_year = out.below_std_year
    float_year = out.float_year
    stops = draws.stops
    swap_open = draws.swap_open
    flow_z = draws.flow
    value_z = draws.valuation
    queue = 0.0
    total = 0.0
    deferrals = 0
    res = fx.reserves
    swap = 0.0
    stress = 0.0
    bonds = 0.0
    growth = 1.0
    std = fx.short_term_debt
    due = np.zeros(years + 2)      # stopped flows on their way back, by year
    u = 0.0                        # the flows' deviation from their mean, in std devs
    keep = fx.flow_persistence
    fresh = np.sqrt(1.0 - keep * keep)
    last_ratio = res / fx.metric if fx.enabled and applicable else np.nan
    below_std_year[p] = years
    float_year[p] = years
    late = 0.0
    for t in range(years):
        if t > last_call_year:
            late += demand[p, t]
        else:
            queue += demand[p, t]
        pay, put_off, refusal, deferrals = _call(
            t, queue, total, deferrals, last_ratio, cap, ceiling, last_call_year, fx, accept[p, t])
        paid[p, t] = pay
        total += pay
        # demand beyond what the commitment has left is never called: drop it
        queue = min(queue - pay, ceiling - total)
        if full:
            deferred[p, t] = put_off
            refused[p, t] = refusal
            backlog[p, t] = queue
        if not fx.enabled:
            if full:
                principal[p, t] = 0.0
                reserves[p, t] = np.nan
                ratio[p, t] = np.nan
                stress_out[p, t] = 0.0
                bonds_out[p, t] = 0.0
            swap_out[p, t] = 0.0
            hazard[p, t] = 0.0
            continue
        outflow = pay + other[p, t]
        from_reserves = outflow * (1.0 - fx.bonds_share - fx.fdi_share)
        bonds += outflow * fx.bonds_share
        income = res * fx.reserve_yield
        if full:
            principal[p, t] = max(from_reserves - max(income, 0.0), 0.0)
        # AR(1) from its stationary law; last year's central-bank swap is repaid this year
        # (2009, 2020), as the flows return
        u = flow_z[p, t] if t == 0 else keep * u + fresh * flow_z[p, t]
        pre = (res * (1.0 + fx.reserve_yield + fx.valuation_sigma * value_z[p, t])
               + (fx.flow + fx.flow_sigma * u) * growth + due[t] - stress)
        drain = stops[p, t] * std
        stress = min(fx.stress_swap, drain) if swap_open[p, t] > 0.0 else 0.0
        res = pre + stress - from_reserves - drain
        metric = fx.metric * growth + fx.bond_weight * bonds
        before = res
        res, swap = _pact_swap(res, swap, metric, fx, applicable)
        # the floor keeps what the year brought in (the stress swap only pays outflows)
        res, floated, met = _floor(res, pre + res - before, fx.float_floor * std)
        met += stress
        if drain > 0.0:   # what was met flows back (the part the won absorbed does not)
            back = fx.stop_return * min(drain, max(met - from_reserves, 0.0))
            due[t + 1] += back * fx.return_next_year
            due[t + 2] += back * (1.0 - fx.return_next_year)
        if floated and float_year[p] == years:
            float_year[p] = t
        if std > 0.0 and res < std and below_std_year[p] == years:
            below_std_year[p] = t
        if t >= fx.hazard_years:
            hazard[p, t] = np.nan
        else:
            hazard[p, t] = 1.0 if floated else (
                hazard_at(res, std, fx.logit_intercept, fx.logit_slope) if std > 0.0 else 0.0)
        last_ratio = res / metric if applicable else np.nan
        swap_out[p, t] = swap
        if full:
            reserves[p, t] = res
            ratio[p, t] = last_ratio
            stress_out[p, t] = stress
            bonds_out[p, t] = bonds
        growth *= 1.0 + fx.growth
        std *= 1.0 + fx.std_growth
    shortfall[p] = max(min(queue + late, ceiling - total), 0.0)


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
