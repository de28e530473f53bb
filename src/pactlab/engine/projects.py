r"""Projects: realised cost, timing and cash, path by path.

**Risk, per project and path** (each project draws from its own named stream: common random
numbers): cost overrun :math:`o = (1+\bar o)\,e^{\sigma Z-\sigma^2/2}`; a delay of 1..max years
with probability ``delay_prob``; failure with probability ``failure_prob`` at a uniform point
of its build-plus-operating life, after which it spends and earns nothing; an idiosyncratic
yield multiplier :math:`e^{\sigma_i Z'-\sigma_i^2/2}`. The draws do not depend on when the
project is launched: the launch year is a term-sheet outcome, applied by the kernels.

Capex is spent evenly over the build years from launch; operating cash is
``capex × cash_yield × (1 - tax) × multiplier × (1 + beta (F_t - 1))`` over the project's life
from its start, with ``F`` the archetype's market factor; overruns raise the spend, not the
revenue. References: Flyvbjerg (2014) on megaproject overruns; Schwartz (1997) for mean-one
commodity factors.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

#: fail_after of a project that never fails
NEVER = np.iinfo(np.int32).max


@dataclass(frozen=True)
class ArchetypeSpec:
    """A kind of project: timing, cost risk, cash yield and its link to a market factor."""

    sector: str
    build_years: int
    life_years: int
    cash_yield: float
    overrun_mean: float
    overrun_sigma: float
    delay_prob: float
    delay_max_years: int
    failure_prob: float
    market_factor: str      # energy | power | none
    market_beta: float
    idio_sigma: float


@dataclass(frozen=True)
class ProjectDraws:
    """One project's realised cost and timing on every path (arrays of shape (paths,))."""

    overrun: np.ndarray       # realised capex / base capex
    build: np.ndarray         # build years including delay
    fail_after: np.ndarray    # years after launch of failure (NEVER: it does not fail)
    multiplier: np.ndarray    # idiosyncratic cash-yield multiplier

    def fail_year(self, launch: int) -> np.ndarray:
        """Year of failure for a launch year (beyond any horizon if it never fails)."""
        return launch + self.fail_after


def draw_project(arch: ArchetypeSpec, paths: int, generator: np.random.Generator) -> ProjectDraws:
    """One project's cost and timing draws (see the module docstring).

    Parameters
    ----------
    arch : ArchetypeSpec
        The project's archetype.
    paths : int
    generator : numpy.random.Generator
        The project's own stream; draws are path-major, so a prefix of paths is stable.

    Returns
    -------
    ProjectDraws
        ``overrun`` (multiple of base capex), ``build`` (years), ``fail_after`` (years after
        launch; :data:`NEVER` if it does not fail) and the cash ``multiplier``, each shape (paths,).

    References
    ----------
    Flyvbjerg, B. (2014). What you should know about megaprojects and why. *Project Management
    Journal* 45(2).
    """
    normal, uniform = generator.spawn(2)   # one child stream per kind: a prefix of paths is stable
    z = normal.standard_normal((paths, 2))
    u = uniform.random((paths, 3))
    overrun = (1.0 + arch.overrun_mean) * np.exp(arch.overrun_sigma * z[:, 0] - 0.5 * arch.overrun_sigma**2)
    delayed = u[:, 0] < arch.delay_prob
    delay = np.where(delayed, 1 + np.floor(u[:, 1] * max(arch.delay_max_years, 1)), 0).astype(np.int64)
    if arch.delay_max_years == 0:
        delay[:] = 0
    build = arch.build_years + delay
    span = build + arch.life_years
    fails = u[:, 2] < arch.failure_prob
    # reuse u[2]: conditional on failing, u[2]/p is uniform on [0, 1)
    at = np.floor(u[:, 2] / max(arch.failure_prob, 1e-300) * span).astype(np.int64)
    fail_after = np.where(fails, at, NEVER).astype(np.int64)
    multiplier = np.exp(arch.idio_sigma * z[:, 1] - 0.5 * arch.idio_sigma**2)
    return ProjectDraws(overrun, build, fail_after, multiplier)


def profitability_index(arch: ArchetypeSpec, rate: float, tax_rate: float) -> float:
    """Expected PV of after-tax cash over expected PV of capex, both at `rate`.

    Parameters
    ----------
    arch : ArchetypeSpec
    rate : float, fraction a year
        The discount rate (e.g. the deemed rate).
    tax_rate : float, fraction

    Returns
    -------
    float
        The index (>= 1: the project recovers its cost at `rate`).
    """
    build = arch.build_years + arch.delay_prob * (arch.delay_max_years + 1) / 2
    total = arch.build_years + arch.life_years
    years = np.arange(int(np.ceil(build + arch.life_years)) + 1)
    alive = 1.0 - arch.failure_prob * np.minimum(years / total, 1.0)
    disc = (1.0 + rate) ** -years
    operating = (years >= build) & (years < build + arch.life_years)
    cash = arch.cash_yield * (1.0 - tax_rate) * operating * alive
    spend = (years < build) * (1.0 + arch.overrun_mean) / build * alive
    return float((cash * disc).sum() / (spend * disc).sum())


@nb.njit(cache=True, parallel=True)
def _add_spend(out, weight, per_year, launch, build, fail_after):
    """out += weight x spend: `per_year` over the build years from `launch`, until failure."""
    paths, years = out.shape
    for p in nb.prange(paths):
        end = min(launch + build[p], launch + fail_after[p], years)
        for t in range(max(launch, 0), end):
            out[p, t] += weight * per_year[p]


@nb.njit(cache=True, parallel=True)
def _add_cash(out, weight, base, start, life, fail_year, factor, beta, linked):
    """out += weight x base x (1 + beta (F - 1)) over the operating years, until failure (F read
    only where `linked`: a one-path block's placeholder factor has as many rows as paths)."""
    paths, years = out.shape
    for p in nb.prange(paths):
        end = min(start[p] + life, fail_year[p], years)
        for t in range(max(start[p], 0), end):
            level = 1.0 + beta * (factor[p, t] - 1.0) if linked else 1.0
            out[p, t] += weight * base[p] * level


def add_spend(out: np.ndarray, weight: float, capex: float, draws: ProjectDraws,
              launch: int) -> np.ndarray:
    """Add `weight` x the project's realised capex by year to `out`, in place.

    Parameters
    ----------
    out : ndarray, shape (paths, years), USD bn
    weight : float, fraction
        The stake (share of the project funded).
    capex : float, USD bn
        Base capex.
    draws : ProjectDraws
    launch : int
        The launch year; spend is even over the build years from it, stopped by failure.

    Returns
    -------
    ndarray, shape (paths, years), USD bn
        `out`.
    """
    _add_spend(out, float(weight), capex * draws.overrun / draws.build, int(launch), draws.build,
               draws.fail_after)
    return out


def total_spend(capex: float, draws: ProjectDraws, launch: int, years: int) -> np.ndarray:
    """The project's realised capex within the horizon.

    Parameters
    ----------
    capex : float, USD bn
    draws : ProjectDraws
    launch : int
    years : int
        The horizon.

    Returns
    -------
    ndarray, shape (paths,), USD bn
    """
    built = np.clip(np.minimum(draws.fail_year(launch), years) - launch, 0, draws.build)
    return capex * draws.overrun * built / draws.build


def add_operating_cash(out: np.ndarray, weight: float, capex: float, arch: ArchetypeSpec,
                       draws: ProjectDraws, launch: int, start: np.ndarray,
                       factor: np.ndarray | None, tax_rate: float) -> np.ndarray:
    """Add `weight` x the project's distributable (after-tax) cash to `out`, in place.

    Parameters
    ----------
    out : ndarray, shape (paths, years), USD bn
    weight : float, fraction
        The stake.
    capex : float, USD bn
    arch : ArchetypeSpec
    draws : ProjectDraws
    launch : int
    start : ndarray of int, shape (paths,)
        The first operating year (once built and funded).
    factor : ndarray, shape (paths, years), index with mean 1, or None
        The archetype's market factor (None: not linked).
    tax_rate : float, fraction

    Returns
    -------
    ndarray, shape (paths, years), USD bn
        `out`.
    """
    base = capex * arch.cash_yield * (1.0 - tax_rate) * draws.multiplier
    _add_cash(out, float(weight), base, np.asarray(start, dtype=np.int64), arch.life_years,
              draws.fail_year(launch), np.zeros((1, 1)) if factor is None else factor,
              arch.market_beta, factor is not None)
    return out
