"""One pact simulated on many futures: markets, projects, calls and reserves, every tranche's
flows. The engine's stages in order; nothing here presents or values anything.

Flow: markets -> project selection and draws -> loans and guarantees -> capital calls and
reserves -> project cash -> the waterfall for the MOU cash.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .assumptions import Assumptions
from .engine.funding import Calls, FxSpec, simulate_funding
from .engine.instruments import guarantee_flows, loan_flows
from .engine.markets import MarketPaths, simulate_markets
from .engine.projects import (
    Selection,
    add_operating_cash,
    add_spend,
    draw_project,
    select_projects,
    total_spend,
)
from .engine.reserves import ARA_WEIGHTS, ara_metric
from .engine.rng import streams
from .engine.waterfall import Review, Tier, distribute, scheduled_daa
from .terms import Pact

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DealPaths:
    """Everything simulated for one pact; arrays are (paths, years)."""

    base_year: int
    markets: MarketPaths
    selection: Selection
    funding: Calls                    # MOU cash calls and the investor's reserves
    mou_cash: np.ndarray              # distributable cash of the MOU-funded stakes
    mou_received: np.ndarray          # the investor's waterfall receipts from that cash
    investor: dict[str, np.ndarray]   # tranche name -> investor flows
    host: dict[str, np.ndarray]       # tranche name -> host flows
    capex: dict[str, np.ndarray]      # sector -> capex financed by the pact, (paths,)
    priority_capex: np.ndarray        # capex in the host's priority sectors, by year
    upside: np.ndarray                # host's upside-term take from the investor, by year
    baseline_crisis_year: np.ndarray  # (paths,) first crisis year with no pact, same shocks

    @property
    def calls(self) -> np.ndarray:
        return self.funding.paid

    @property
    def investor_total(self) -> np.ndarray:
        return sum(self.investor.values(), np.zeros(self.funding.paid.shape))

    @property
    def host_total(self) -> np.ndarray:
        return sum(self.host.values(), np.zeros(self.funding.paid.shape))


def _tiers(pact: Pact, deemed: np.ndarray) -> list[Tier]:
    scheduled = pact.waterfall.daa_convention == "scheduled"
    tiers = []
    for tier in pact.waterfall.tiers:
        if tier.hurdle == "deemed":
            rate: float | np.ndarray | None = 0.0 if scheduled else deemed
        else:
            rate = tier.hurdle
        tiers.append(Tier(tier.investor_share, rate))
    return tiers


def simulate(pact: Pact, a: Assumptions, paths: int, seed: int,
             progress: Progress | None = None) -> DealPaths:
    """Simulate one pact on `paths` futures drawn from `seed`."""
    note = progress or (lambda _stage: None)
    years = a.horizon_years
    rng = streams(seed)
    markets = simulate_markets(a.markets, paths, years, rng)
    note("markets")
    selection = select_projects(pact, a)
    tranches = {t.name: t for t in pact.tranches}

    draws, launch = {}, {}
    for alloc in selection.allocations:
        name = alloc.project.name
        if name not in draws:
            arch = a.archetypes[alloc.project.archetype]
            draws[name] = draw_project(alloc.project, arch, alloc.launch_year, paths, years, rng)
            launch[name] = alloc.launch_year
    note("projects")

    investor: dict[str, np.ndarray] = {}
    host: dict[str, np.ndarray] = {}
    scratch = np.empty((paths, years))
    for al in selection.allocations:
        if al.instrument == "mou":
            continue
        d = draws[al.project.name]
        scratch[:] = 0.0
        stake_spend = add_spend(scratch, al.stake, al.project, d, launch[al.project.name])
        build = loan_flows if al.instrument == "loan" else guarantee_flows
        flows = build(tranches[al.tranche], al.amount, stake_spend,
                      launch[al.project.name] + d.build, d.fail_year)
        if al.tranche in investor:
            investor[al.tranche] += flows
            host[al.tranche] -= flows
        else:
            investor[al.tranche], host[al.tranche] = flows, -flows
    note("instruments")

    mou = [al for al in selection.allocations if al.instrument == "mou"]
    demand = np.zeros((paths, years))
    last_demand = {}
    for al in mou:
        d = draws[al.project.name]
        if pact.schedule.call_timing == "as_built":
            add_spend(demand, al.stake, al.project, d, launch[al.project.name])
            last_demand[id(al)] = np.minimum(launch[al.project.name] + d.build, d.fail_year) - 1
        else:
            upfront = al.stake * al.project.capex * d.overrun * (d.fail_year > al.launch_year)
            demand[:, min(al.launch_year, years - 1)] += upfront
            last_demand[id(al)] = np.full(paths, al.launch_year)
    ceiling = pact.amount("mou")
    other = sum(investor.values(), np.zeros((paths, years)))
    code = pact.parties.investor_code
    fx, shocks = fx_spec(pact, a), sudden_stops(a, code, paths, years, rng)
    calls = simulate_funding(
        demand, pact.schedule.annual_cap, ceiling, other_outflows=np.maximum(-other, 0.0),
        last_call_year=pact.schedule.last_call_year, fx=fx, shocks=shocks,
        acceptance_draws=rng(f"fx/deferral/{code}").random((paths, years)))
    baseline = simulate_funding(np.zeros((paths, years)), None, 0.0, fx=fx, shocks=shocks).crisis_year
    mou_cash = np.zeros((paths, years))
    for al in mou:
        arch, d = a.archetypes[al.project.archetype], draws[al.project.name]
        funded = calls.funded_by(last_demand[id(al)], ceiling)
        start = np.maximum(launch[al.project.name] + d.build, funded + 1)
        add_operating_cash(mou_cash, al.stake, al.project, arch, d, start, markets,
                           a.markets.tax_rate)
    note("calls")

    if mou:
        deemed = markets.sofr + pact.waterfall.spread
        accrual = None
        if pact.waterfall.daa_convention == "scheduled":
            life = round(sum(al.amount * a.archetypes[al.project.archetype].life_years for al in mou)
                         / sum(al.amount for al in mou))
            accrual = scheduled_daa(calls.paid, deemed, life)
        review = pact.waterfall.review
        received, host_share = distribute(
            mou_cash, calls.paid, _tiers(pact, deemed), accrual=accrual,
            review=None if review is None else Review(review.after_year, review.investor_share))
        pool = next(t.name for t in pact.tranches if t.instrument == "mou")
        upside = upside_take(received, pact)
        investor[pool] = received - upside - calls.paid
        host[pool] = host_share
    else:
        received = upside = np.zeros((paths, years))
    for t in pact.tranches:  # tranches that found no project still appear, with zero flows
        investor.setdefault(t.name, np.zeros((paths, years)))
        host.setdefault(t.name, np.zeros((paths, years)))
    note("waterfall")

    capex: dict[str, np.ndarray] = {}
    priority = np.zeros((paths, years))
    for al in selection.allocations:
        d, start = draws[al.project.name], launch[al.project.name]
        financed = al.stake * total_spend(al.project, d, start, years)
        capex[al.project.sector] = capex.get(al.project.sector, 0.0) + financed
        if al.project.sector in a.valuation.host_priority_sectors:
            add_spend(priority, al.stake, al.project, d, start)
    return DealPaths(pact.schedule.base_year, markets, selection, calls, mou_cash, received,
                     investor, host, capex, priority, upside, baseline)


def upside_take(received: np.ndarray, pact: Pact) -> np.ndarray:
    """The host's share of the investor's cumulative MOU receipts above the upside threshold,
    by year (zero without an upside term)."""
    if pact.upside is None:
        return np.zeros_like(received)
    above = np.maximum(np.cumsum(received, axis=1) - pact.upside.threshold, 0.0)
    return pact.upside.share * np.diff(above, axis=1, prepend=0.0)


def fx_spec(pact: Pact, a: Assumptions) -> FxSpec:
    """The reserve side of a pact: the investor's macro data, the pact's safeguards and funding."""
    m = a.country(pact.parties.investor_code)
    applicable = m.ara_applicable
    weights = ARA_WEIGHTS[m.ara_regime]
    metric = m.ara_calibration * ara_metric(m.goods_exports + m.services_exports, m.broad_money,
                                            m.short_term_debt, m.other_liabilities, m.ara_regime)
    clause = pact.fx.instability_threshold
    return FxSpec(
        enabled=True, reserves=m.reserves, reserve_yield=m.reserve_yield,
        metric=metric if applicable else np.nan, growth=a.fx.components_growth,
        bond_weight=m.ara_calibration * weights[3] if applicable else 0.0,
        short_term_debt=m.short_term_debt if applicable else 0.0,
        threshold=clause or 0.0, max_deferrals=pact.fx.max_deferral_years,
        acceptance=a.fx.deferral_acceptance, swap_size=pact.fx.swap_line,
        swap_trigger=clause or a.fx.swap_trigger, swap_margin=a.fx.swap_repay_margin,
        bonds_share=pact.funding.bonds, fdi_share=pact.funding.fdi)


def sudden_stops(a: Assumptions, code: str, paths: int, years: int, rng) -> np.ndarray:
    """Share of reserves lost to a sudden stop in each year (0 in most years), (paths, years).

    Drawn per investor country, not per pact: every pact of one investor meets the same stops.
    None for an investor outside the emerging-market metric (Japan): its reserve currency and
    standing swap lines rule out the kind of run calibrated on Korea.
    """
    if not a.country(code).ara_applicable:
        return np.zeros((paths, years))
    g = rng(f"fx/sudden-stop/{code}")
    strikes = g.random((paths, years)) < a.fx.sudden_stop_prob
    sigma = a.fx.sudden_stop_sigma
    size = a.fx.sudden_stop_size * np.exp(sigma * g.standard_normal((paths, years)) - 0.5 * sigma**2)
    return np.where(strikes, np.clip(size, 0.0, 0.9), 0.0)
