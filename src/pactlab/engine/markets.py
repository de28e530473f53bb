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

import numpy as np

from ..assumptions import LogPrice, Markets
from .rng import Streams


@dataclass(frozen=True)
class MarketPaths:
    sofr: np.ndarray     # (paths, years), fractions
    energy: np.ndarray   # (paths, years), index with mean 1
    power: np.ndarray    # (paths, years), index with mean 1

    def factor(self, name: str) -> np.ndarray | None:
        return None if name == "none" else getattr(self, name)


def _ou_step(speed: float, vol: float) -> tuple[float, float]:
    decay = np.exp(-speed)
    return decay, vol * np.sqrt((1.0 - decay**2) / (2.0 * speed))


def _log_index(shocks: np.ndarray, p: LogPrice) -> np.ndarray:
    decay, step = _ou_step(p.speed, p.vol)
    x = np.zeros_like(shocks)
    var = np.zeros(shocks.shape[1])
    for t in range(1, shocks.shape[1]):
        x[:, t] = decay * x[:, t - 1] + step * shocks[:, t]
        var[t] = decay**2 * var[t - 1] + step**2
    return np.exp(x - 0.5 * var)


def simulate_markets(m: Markets, paths: int, years: int, rng: Streams) -> MarketPaths:
    """Correlated factor paths; the draws depend only on the seed, paths and years."""
    z = rng("markets/shocks").standard_normal((3, paths, years))
    chol = np.linalg.cholesky(m.correlation.matrix() + 1e-12 * np.eye(3))
    eps = np.einsum("ij,jpt->ipt", chol, z)

    decay, step = _ou_step(m.sofr.speed, m.sofr.vol)
    sofr = np.empty((paths, years))
    sofr[:, 0] = m.sofr.start
    for t in range(1, years):
        sofr[:, t] = m.sofr.long_run + (sofr[:, t - 1] - m.sofr.long_run) * decay + step * eps[0, :, t]
    np.maximum(sofr, 0.0, out=sofr)
    return MarketPaths(sofr=sofr, energy=_log_index(eps[1], m.energy), power=_log_index(eps[2], m.power))


def expected_sofr(m: Markets, years: int) -> np.ndarray:
    """The mean path of the (unfloored) benchmark: what a committee 'expects' at selection."""
    t = np.arange(years)
    return m.sofr.long_run + (m.sofr.start - m.sofr.long_run) * np.exp(-m.sofr.speed * t)
