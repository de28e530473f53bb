r"""Correlated market factors: the deemed-rate benchmark, an energy price and a power price.

* Six-month SOFR follows a Vasicek process, exact annual discretisation, floored at zero:
  :math:`r_{t+1} = \bar r + (r_t-\bar r)e^{-\kappa} + \sigma\sqrt{(1-e^{-2\kappa})/2\kappa}\,\varepsilon_t`
  (Vasicek 1977).
* Energy and power are price *indices* with mean one: :math:`F_t = \exp(x_t - \tfrac12 v_t)`,
  :math:`x` an Ornstein–Uhlenbeck process in logs started at 0 and :math:`v_t` its variance, so
  :math:`E[F_t]=1` and a project's cash yield is its expected yield (Schwartz 1997, one factor).
* The three shocks :math:`\varepsilon` are correlated through a Cholesky factor.

Year 0 is the base year; every array is ``(paths, years)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np


@dataclass(frozen=True)
class MarketSpec:
    """The three processes' parameters; `correlation` is the 3x3 matrix of (sofr, energy, power)."""

    sofr_start: float
    sofr_long_run: float
    sofr_speed: float
    sofr_vol: float
    energy_speed: float
    energy_vol: float
    power_speed: float
    power_vol: float
    correlation: tuple[tuple[float, float, float], ...]


@dataclass(frozen=True)
class MarketPaths:
    sofr: np.ndarray     # (paths, years), fractions
    energy: np.ndarray   # (paths, years), index with mean 1
    power: np.ndarray    # (paths, years), index with mean 1

    def factor(self, name: str) -> np.ndarray | None:
        """The path of market factor `name` (``sofr``, ``energy``, ``power``), None for ``none``."""
        return None if name == "none" else getattr(self, name)


def _ou_step(speed: float, vol: float) -> tuple[float, float]:
    decay = np.exp(-speed)
    return decay, vol * np.sqrt((1.0 - decay**2) / (2.0 * speed))


@nb.njit(cache=True, parallel=True)
def _paths(z, chol, sofr_start, sofr_mean, sofr_decay, sofr_step, decays, steps, sofr, energy,
           power):
    """Correlate the shocks z (paths, 3, years) and run the three recursions path by path."""
    paths, years = sofr.shape
    for p in nb.prange(paths):
        r = sofr_start
        x1 = 0.0
        x2 = 0.0
        v1 = 0.0
        v2 = 0.0
        for t in range(years):
            if t > 0:
                e0 = chol[0, 0] * z[p, 0, t]
                e1 = chol[1, 0] * z[p, 0, t] + chol[1, 1] * z[p, 1, t]
                e2 = chol[2, 0] * z[p, 0, t] + chol[2, 1] * z[p, 1, t] + chol[2, 2] * z[p, 2, t]
                r = sofr_mean + (r - sofr_mean) * sofr_decay + sofr_step * e0
                x1 = decays[0] * x1 + steps[0] * e1
                x2 = decays[1] * x2 + steps[1] * e2
                v1 = decays[0] ** 2 * v1 + steps[0] ** 2
                v2 = decays[1] ** 2 * v2 + steps[1] ** 2
            sofr[p, t] = max(r, 0.0)
            energy[p, t] = np.exp(x1 - 0.5 * v1)
            power[p, t] = np.exp(x2 - 0.5 * v2)


def simulate_markets(m: MarketSpec, paths: int, years: int,
                     generator: np.random.Generator) -> MarketPaths:
    """Correlated paths of the three market factors (see the module docstring).

    Parameters
    ----------
    m : MarketSpec
        The processes' parameters and their correlation.
    paths : int
    years : int
    generator : numpy.random.Generator
        The markets' own stream; draws are path-major, so a prefix of paths is stable.

    Returns
    -------
    MarketPaths
        ``sofr`` (fraction a year), ``energy`` and ``power`` (indices with mean 1), each
        shape (paths, years).

    References
    ----------
    Vasicek, O. (1977). An equilibrium characterization of the term structure.
    Schwartz, E. (1997). The stochastic behavior of commodity prices. *Journal of Finance* 52(3).
    """
    z = generator.standard_normal((paths, 3, years))
    chol = np.linalg.cholesky(np.asarray(m.correlation, dtype=np.float64) + 1e-12 * np.eye(3))
    sofr_decay, sofr_step = _ou_step(m.sofr_speed, m.sofr_vol)
    energy_decay, energy_step = _ou_step(m.energy_speed, m.energy_vol)
    power_decay, power_step = _ou_step(m.power_speed, m.power_vol)
    out = MarketPaths(np.empty((paths, years)), np.empty((paths, years)), np.empty((paths, years)))
    _paths(z, chol, m.sofr_start, m.sofr_long_run, sofr_decay, sofr_step,
           np.array([energy_decay, power_decay]), np.array([energy_step, power_step]),
           out.sofr, out.energy, out.power)
    return out


def expected_sofr(m: MarketSpec, years: int) -> np.ndarray:
    r"""The mean path of the unfloored benchmark.

    :math:`E[r_t] = \bar r + (r_0-\bar r)e^{-\kappa t}`. Not used by the model: it is the
    analytic reference the tests hold the simulated SOFR paths of :func:`simulate_markets`
    (the ``_paths`` kernel) against.

    Parameters
    ----------
    m : MarketSpec
        ``sofr_start``, ``sofr_long_run`` and ``sofr_speed``.
    years : int

    Returns
    -------
    ndarray, shape (years,), fraction a year

    References
    ----------
    Vasicek, O. (1977). An equilibrium characterization of the term structure. *Journal of
    Financial Economics* 5(2).
    """
    t = np.arange(years)
    return m.sofr_long_run + (m.sofr_start - m.sofr_long_run) * np.exp(-m.sofr_speed * t)
