r"""Project archetypes and the pipeline -> which projects a pact funds, and their cash paths.

**Selection** follows the pact's governance, for its ``mou`` tranches (the SPV cash):

* ``host_directed`` — the host picks by its strategic priority (archetype ``host_priority``),
  not by the investor's return;
* ``commercially_reasonable`` — only projects whose expected after-tax cash recovers principal
  plus deemed interest (long-run SOFR + spread) over their life, then by host priority;
* ``investor_directed`` — within the allowed sectors, by the investor's expected profitability.

Loan and guarantee tranches are placed by the investor's own lenders (investor-directed within
the tranche's sectors). Named projects (``data/pipeline.csv``, deal-facts §5) come first; what is
left of a tranche goes to one *generic* project per eligible archetype, in proportion to the
rule's weights. A tranche no project can take is reported as unallocated, never dropped.

Projects are launched ("selected") evenly, in order, between the start and the selection
deadline.

**Risk, per project and path** (draws keyed by the project's name: common random numbers):
cost overrun :math:`o = (1+\bar o)\,e^{\sigma Z-\sigma^2/2}`; a delay of 1..max years with
probability ``delay_prob``; failure with probability ``failure_prob`` at a uniform point of its
build-plus-operating life, after which it spends and earns nothing; an idiosyncratic yield
multiplier :math:`e^{\sigma_i Z'-\sigma_i^2/2}`. Operating cash is
``capex × cash_yield × multiplier × (1 + beta (F_t - 1))`` with ``F`` the archetype's market
factor; overruns raise the spend, not the revenue. References: Flyvbjerg (2014) on megaproject
overruns; Schwartz (1997) for mean-one commodity factors.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from .. import data
from ..assumptions import Archetype, Assumptions
from ..terms.schema import Pact
from .markets import MarketPaths
from .rng import Streams


@dataclass(frozen=True)
class Project:
    name: str
    archetype: str
    sector: str
    capex: float
    generic: bool = False


@dataclass(frozen=True)
class Allocation:
    """A tranche's planned stake in one project: ``amount`` of its base capex."""

    project: Project
    tranche: str
    instrument: str
    amount: float
    launch_year: int

    @property
    def stake(self) -> float:
        return self.amount / self.project.capex


@dataclass(frozen=True)
class Selection:
    allocations: tuple[Allocation, ...]
    unallocated: dict[str, float]   # tranche name -> amount no eligible project could take


def profitability_index(arch: Archetype, rate: float, tax_rate: float) -> float:
    """Expected PV of after-tax cash over expected PV of capex, both at `rate`."""
    build = arch.build_years + arch.delay_prob * (arch.delay_max_years + 1) / 2
    total = arch.build_years + arch.life_years
    years = np.arange(int(np.ceil(build + arch.life_years)) + 1)
    alive = 1.0 - arch.failure_prob * np.minimum(years / total, 1.0)
    disc = (1.0 + rate) ** -years
    operating = (years >= build) & (years < build + arch.life_years)
    cash = arch.cash_yield * (1.0 - tax_rate) * operating * alive
    spend = (years < build) * (1.0 + arch.overrun_mean) / build * alive
    return float((cash * disc).sum() / (spend * disc).sum())


def _eligible(pact: Pact, a: Assumptions, sectors, rule: str) -> dict[str, float]:
    """Archetype -> selection weight, for the archetypes this tranche may fund."""
    deemed = a.markets.sofr.long_run + pact.waterfall.spread
    out = {}
    for name, arch in a.archetypes.items():
        if pact.governance.allowed_sectors and arch.sector not in pact.governance.allowed_sectors:
            continue
        if sectors and arch.sector not in sectors:
            continue
        pi = profitability_index(arch, deemed, a.markets.tax_rate)
        if rule == "commercially_reasonable" and pi < 1.0:
            continue
        out[name] = pi if rule == "investor_directed" else arch.host_priority
    return out


def select_projects(pact: Pact, a: Assumptions) -> Selection:
    """Which projects each tranche funds, and when each is launched."""
    pipe = data.pipeline()
    pipe = pipe[pipe["candidate_for"].isin([pact.parties.investor_code, "any"])]
    room = dict(zip(pipe["project"], pipe["capex"].astype(float), strict=True))
    deadline = max(pact.schedule.deadline_year, 0)
    allocations: list[Allocation] = []
    unallocated: dict[str, float] = {}
    for tranche in pact.tranches:
        rule = pact.governance.selection if tranche.instrument == "mou" else "investor_directed"
        weights = _eligible(pact, a, tranche.sectors, rule)
        named = pipe[pipe["archetype"].isin(list(weights))]
        named = named.assign(w=named["archetype"].map(weights)).sort_values(
            ["w", "capex", "project"], ascending=[False, False, True])
        left = tranche.amount
        picks: list[tuple[Project, float]] = []
        for row in named.itertuples():
            take = min(left, room[row.project])
            if take <= 1e-9:
                continue
            arch = a.archetypes[row.archetype]
            picks.append((Project(row.project, row.archetype, arch.sector, float(row.capex)), take))
            room[row.project] -= take
            left -= take
            if left <= 1e-9:
                break
        if left > 1e-9 and weights:
            total = sum(weights.values())
            for name, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
                size = left * w / total
                generic = Project(f"{name} (generic, {pact.parties.investor_code})", name,
                                  a.archetypes[name].sector, size, generic=True)
                picks.append((generic, size))
            left = 0.0
        if left > 1e-9:
            unallocated[tranche.name] = left
        position = 0.0
        for project, take in picks:
            launch = int(position / tranche.amount * (deadline + 1))
            allocations.append(Allocation(project, tranche.name, tranche.instrument, take, launch))
            position += take
    return Selection(tuple(allocations), unallocated)


@dataclass(frozen=True)
class ProjectDraws:
    """One project's realised timing and cost on every path (arrays of shape (paths,))."""

    overrun: np.ndarray       # realised capex / base capex
    build: np.ndarray         # build years including delay
    fail_year: np.ndarray     # absolute year of failure (>= years: never within the horizon)
    multiplier: np.ndarray    # idiosyncratic cash-yield multiplier


def draw_project(project: Project, arch: Archetype, launch: int, paths: int, years: int,
                 rng: Streams) -> ProjectDraws:
    g = rng(f"projects/{project.name}")
    z = g.standard_normal((2, paths))
    u = g.random((3, paths))
    overrun = (1.0 + arch.overrun_mean) * np.exp(arch.overrun_sigma * z[0] - 0.5 * arch.overrun_sigma**2)
    delayed = u[0] < arch.delay_prob
    delay = np.where(delayed, 1 + np.floor(u[1] * max(arch.delay_max_years, 1)), 0).astype(np.int64)
    if arch.delay_max_years == 0:
        delay[:] = 0
    build = arch.build_years + delay
    span = build + arch.life_years
    fails = u[2] < arch.failure_prob
    # reuse u[2]: conditional on failing, u[2]/p is uniform on [0, 1)
    at = np.floor(u[2] / max(arch.failure_prob, 1e-300) * span).astype(np.int64)
    fail_year = np.where(fails, launch + at, np.iinfo(np.int32).max).astype(np.int64)
    multiplier = np.exp(arch.idio_sigma * z[1] - 0.5 * arch.idio_sigma**2)
    return ProjectDraws(overrun, build, fail_year, multiplier)


@nb.njit(cache=True, parallel=True)
def _add_spend(out, weight, per_year, launch, build, fail_year):
    """out += weight x spend: `per_year` over the build years from `launch`, until failure."""
    paths, years = out.shape
    for p in nb.prange(paths):
        end = min(launch + build[p], fail_year[p], years)
        for t in range(max(launch, 0), end):
            out[p, t] += weight * per_year[p]


@nb.njit(cache=True, parallel=True)
def _add_cash(out, weight, base, start, life, fail_year, factor, beta):
    """out += weight x base x (1 + beta (F - 1)) over the operating years, until failure."""
    paths, years = out.shape
    linked = factor.shape[0] == paths
    for p in nb.prange(paths):
        end = min(start[p] + life, fail_year[p], years)
        for t in range(max(start[p], 0), end):
            level = 1.0 + beta * (factor[p, t] - 1.0) if linked else 1.0
            out[p, t] += weight * base[p] * level


def add_spend(out: np.ndarray, weight: float, project: Project, draws: ProjectDraws,
              launch: int) -> np.ndarray:
    """Add `weight` x the project's realised capex by year (even over the build, stopped by
    failure) to `out` (paths, years), in place; returns `out`."""
    _add_spend(out, float(weight), project.capex * draws.overrun / draws.build, int(launch),
               draws.build, draws.fail_year)
    return out


def total_spend(project: Project, draws: ProjectDraws, launch: int, years: int) -> np.ndarray:
    """The project's realised capex within the horizon, per path."""
    built = np.clip(np.minimum(draws.fail_year, years) - launch, 0, draws.build)
    return project.capex * draws.overrun * built / draws.build


def add_operating_cash(out: np.ndarray, weight: float, project: Project, arch: Archetype,
                       draws: ProjectDraws, start: np.ndarray, markets: MarketPaths,
                       tax_rate: float) -> np.ndarray:
    """Add `weight` x the project's distributable (after-tax) cash from `start` on to `out`."""
    factor = markets.factor(arch.market_factor)
    base = project.capex * arch.cash_yield * (1.0 - tax_rate) * draws.multiplier
    _add_cash(out, float(weight), base, np.asarray(start, dtype=np.int64), arch.life_years,
              draws.fail_year, np.zeros((1, 1)) if factor is None else factor, arch.market_beta)
    return out
