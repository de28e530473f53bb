r"""Many one-importer GSIM markets solved exactly at once: the tariff model's node grids.

The exact model of :mod:`pactlab.engine.trade` with one importer (the US) reduces, per market,
to one equation per exporter :math:`r` with a free price, in the log world-price ratios
:math:`z_r`:

.. math:: R_r(z) = -\sigma(z_r + \ln\tau_r) + (\sigma + E_m)\ln P(z) - E_{x,r} z_r = 0, \qquad
          \ln P = \tfrac{1}{1-\sigma}\ln \textstyle\sum_s \theta_s e^{(1-\sigma)(z_s + \ln\tau_s)}

whose Jacobian is a diagonal plus a rank one, :math:`J = -\mathrm{diag}(\sigma + E_{x,r}) +
(\sigma + E_m)\,\mathbf{1} w^\top` with :math:`w_s` the CES share at the new prices: Newton's
step solves it by Sherman–Morrison, every market in one array operation. A market whose Newton
iteration does not settle is solved alone by :func:`~pactlab.engine.trade.solve_markets` (the
same equations through SciPy's hybrid method), so the two agree to the solvers' tolerance.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .trade import solve_markets

__all__ = ["Batch", "solve_one_importer"]

_TOLERANCE = 1e-12     # max |residual| at which Newton stops
_ITERATIONS = 60


class Batch(NamedTuple):
    """Solved markets, shape (markets, exporters) or (markets,): USD bn a year, fractions."""

    world_price_change: np.ndarray     # (B, r)
    flows_after: np.ndarray            # (B, r), world prices
    internal_price_change: np.ndarray  # (B,)
    producer_surplus: np.ndarray       # (B, r)
    consumer_surplus: np.ndarray       # (B,)
    tariff_revenue: np.ndarray         # (B,) change


def _log_price(log_p: np.ndarray, theta: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, ...]:
    """ln P and the CES shares w at the new prices, per market."""
    k = (1.0 - sigma)[:, None]
    cobb = np.abs(k[:, 0]) < 1e-12
    k_safe = np.where(cobb[:, None], 1.0, k)
    with np.errstate(divide="ignore"):
        terms = np.where(theta > 0, np.log(np.where(theta > 0, theta, 1.0)) + k_safe * log_p,
                         -np.inf)
    top = terms.max(axis=1, keepdims=True)
    e = np.exp(terms - top)
    total = e.sum(axis=1)
    ces = (top[:, 0] + np.log(total)) / k_safe[:, 0]
    w = e / total[:, None]
    cd = (theta * log_p).sum(axis=1)
    return np.where(cobb, cd, ces), np.where(cobb[:, None], theta, w)


def _newton(theta: np.ndarray, log_tau: np.ndarray, sigma: np.ndarray, c: np.ndarray,
            ex: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, ...]:
    """Newton's iteration on every market at once: z, ln q, ln P and the markets that stuck."""
    def residual(z: np.ndarray) -> tuple[np.ndarray, ...]:
        log_p = z + log_tau
        log_price, w = _log_price(log_p, theta, sigma)
        log_q = -sigma[:, None] * log_p + (c * log_price)[:, None]
        return np.where(free, log_q - ex * z, 0.0), w, log_q, log_price

    z = np.zeros_like(theta)
    for _ in range(_ITERATIONS):
        res, w, _, _ = residual(z)
        if np.abs(res).max(initial=0.0) < _TOLERANCE:
            break
        d = np.where(free, -(sigma[:, None] + ex), 1.0)          # J = diag(d) + c 1_f w_f^T
        v = np.where(free, w, 0.0)
        u = np.where(free, c[:, None], 0.0)
        d_res, d_u = -res / d, u / d
        step = d_res - d_u * ((v * d_res).sum(axis=1) / (1.0 + (v * d_u).sum(axis=1)))[:, None]
        z = z + np.where(free, step, 0.0)
    res, _, log_q, log_price = residual(z)
    return z, log_q, log_price, np.abs(res).max(axis=1, initial=0.0) >= 1e-9


def solve_one_importer(m0: np.ndarray, t0: np.ndarray, t1: np.ndarray, e_m: np.ndarray,
                       sigma: np.ndarray, e_x: np.ndarray) -> Batch:
    """Solve B one-importer markets exactly (module docstring).

    Parameters
    ----------
    m0 : ndarray, shape (B, exporters), USD bn a year
        Flows at world prices.
    t0, t1 : ndarray, shape (B, exporters)
        Tariff powers (1 + rate) before and after.
    e_m, sigma : ndarray, shape (B,)
        Import-demand and substitution elasticities.
    e_x : ndarray, shape (B, exporters)
        Export-supply elasticities (``inf``: perfectly elastic).

    Returns
    -------
    Batch
        As :class:`~pactlab.engine.trade.MarketSolution` with a leading market axis.
    """
    m0, t0, t1 = (np.asarray(v, dtype=float) for v in (m0, t0, t1))
    e_m, sigma, e_x = (np.asarray(v, dtype=float) for v in (e_m, sigma, e_x))
    internal = m0 * t0
    q = internal.sum(axis=1)
    theta = np.divide(internal, q[:, None], out=np.zeros_like(internal), where=q[:, None] > 0)
    free = np.isfinite(e_x) & (m0 > 0)
    ex = np.where(free, e_x, 0.0)
    log_tau = np.log(t1 / t0)
    c = sigma + e_m

    z, log_q, log_price, stuck = _newton(theta, log_tau, sigma, c, ex, free)
    pi = np.exp(z)
    m1 = m0 * np.exp(log_q) * pi
    price = np.exp(log_price)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ps = np.where(free, m0 * np.where(np.abs(ex + 1) > 1e-12, (pi ** (ex + 1) - 1) / (ex + 1),
                                          np.log(pi)), 0.0)
        cs = -q * np.where(np.abs(e_m + 1) > 1e-12, (price ** (e_m + 1) - 1) / (e_m + 1),
                           np.log(price))
    out = Batch(pi - 1.0, m1, price - 1.0, ps, cs, np.zeros(len(m0)))
    for b in np.flatnonzero(stuck):          # rare: solved alone, or a one-line error there
        one = solve_markets(m0[b][:, None], t0[b][:, None], t1[b][:, None], e_m[b:b + 1],
                            sigma[b:b + 1], e_x[b])
        out.world_price_change[b], out.flows_after[b] = one.world_price_change, one.flows_after[:, 0]
        out.internal_price_change[b] = one.internal_price_change[0]
        out.producer_surplus[b], out.consumer_surplus[b] = one.producer_surplus, one.consumer_surplus[0]
    tr = (out.flows_after * (t1 - 1.0) - m0 * (t0 - 1.0)).sum(axis=1)
    return out._replace(tariff_revenue=tr)
