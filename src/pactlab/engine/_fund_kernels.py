"""The fund stage's numba kernels, with every function they call: the calls and reserves path
by path (:mod:`.funding`), a loan's or guarantee's flows (:mod:`.instruments`), the crisis
hazard at a point (:mod:`.reserves`) and the one pass over paths (:mod:`.fund_pass`).

They share one module because numba's on-disk cache only notices changes to the file a kernel
is defined in: a kernel cached with an older callee from another file would run the old code
(see docs/design-notes.md, "numba's cache"). The public functions live in the modules named
above; these take and return plain arrays and the engine's NamedTuples.
"""
from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def hazard_at(reserves: float, short_term_debt: float, intercept: float, slope: float) -> float:
    """The yearly crisis hazard at one point, 1 where reserves are gone (the logit of
    :func:`~pactlab.engine.reserves.crisis_hazard`).

    Parameters
    ----------
    reserves, short_term_debt : float, USD bn
        Short-term debt > 0.
    intercept, slope : float
        The logit's log-odds at cover 1 and its slope in ln(cover).

    Returns
    -------
    float, probability
    """
    if reserves <= 0.0:
        return 1.0
    return 1.0 / (1.0 + np.exp(-(intercept + slope * np.log(reserves / short_term_debt))))


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


@nb.njit(cache=True, parallel=True)
def _debt_flows(spend, amount, start, fail_year, schedule, loan, rate, recovery, out):
    for p in nb.prange(spend.shape[0]):
        debt_row(spend[p], amount, start[p], fail_year[p], schedule, loan, rate, recovery, out[p])


@nb.njit(cache=True)
def debt_row(spend, amount, start, fail_year, schedule, loan, rate, recovery, out):
    """Investor flows of one loan (loan=True) or guarantee on one path, into `out` (years,).

    Exposure builds with the spend up to `amount`; from `start` it follows `schedule`
    (outstanding fraction before each repayment year). Loans: -disbursements + interest on the
    opening balance + principal; guarantees: a fee on the exposure. In the failure year: the
    loan recovers `recovery` of its opening balance; the guarantor pays `1 - recovery` of the
    exposure; nothing after.
    """
    years = spend.shape[0]
    terms = schedule.shape[0]
    cum = 0.0
    drawn = 0.0
    for t in range(years):
        before = cum
        cum = min(cum + spend[t], amount)
        k = t - start
        if k < 0:
            drawn = cum
            opening = before if loan else cum
            closing = opening
        else:
            opening = drawn * (schedule[k] if k < terms else 0.0)
            closing = drawn * (schedule[k + 1] if k + 1 < terms else 0.0)
        if t < fail_year:
            if loan:
                out[t] = rate * opening + (opening - closing) - (cum - before)
            else:
                out[t] = rate * opening
        elif t == fail_year:
            out[t] = recovery * opening if loan else -(1.0 - recovery) * opening
        else:
            out[t] = 0.0


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
