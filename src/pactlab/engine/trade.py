r"""Partial-equilibrium tariff model: GSIM, with SMART as its single-importer special case.

GSIM (Francois & Hall 2003, *Global Simulation Analysis of Industry-Level Trade Policy*;
Jammes & Olarreaga 2005, *Explaining SMART and GSIM*) for one product traded among regions.
Exporter :math:`r` sells to importer :math:`v` the flow :math:`M_{rv}` (world prices) under
the tariff power :math:`T_{rv} = 1 + t_{rv}`. With import shares at internal prices
:math:`\theta_{rv} = M_{rv}T_{rv}/\sum_s M_{sv}T_{sv}`, export shares
:math:`\phi_{rv} = M_{rv}/\sum_w M_{rw}`, import-demand elasticity :math:`E_m < 0`, CES
substitution elasticity :math:`E_s` among sources (both by importer) and export-supply
elasticity :math:`E_x` (by exporter):

.. math::

   N_{rvr} = \theta_{rv}E_{m,v} - (1-\theta_{rv})E_{s,v}, \qquad
   N_{rvs} = \theta_{sv}(E_{m,v} + E_{s,v})

   \hat M_{rv} = \sum_s N_{rvs}\,(\hat T_{sv} + \hat P^*_s), \qquad
   \sum_v \phi_{rv}\hat M_{rv} = E_{x,r}\hat P^*_r

The second line is one linear equation per exporter for the world-price changes
:math:`\hat P^*` (an exporter with infinite supply elasticity keeps its price). Then
:math:`M'_{rv} = M_{rv}(1+\hat M_{rv})(1+\hat P^*_r)`, the composite internal price moves by
:math:`\hat P_v = \sum_r \theta_{rv}[(1+\hat P^*_r)T'_{rv}/T_{rv} - 1]`, and, by the usual
linear approximations,

.. math::

   \Delta PS_r = \hat P^*_r X_r(1 + \tfrac12 E_{x,r}\hat P^*_r), \quad
   \Delta CS_v = -Q_v\hat P_v(1 + \tfrac12 E_{m,v}\hat P_v), \quad
   \Delta TR_v = \sum_r M'_{rv}t'_{rv} - M_{rv}t_{rv}

with exports :math:`X_r` at world prices and imports :math:`Q_v` at internal prices. (A
public replication writes :math:`\Delta CS` with :math:`\operatorname{sign}(\hat P)`; the
symmetric form above is the consumer-surplus trapezoid for a rise or a fall alike.)

**Exact solution** (``method="exact"``, the default). The linear update above is a first-order
approximation: for a large tariff change it can drive a flow negative (an elasticity of 8 and a
20-point gap already overstate the drop by a third). The same model solved exactly — constant
elasticities throughout: CES demand among sources, a constant-elasticity composite import
demand, constant-elasticity export supply — keeps every flow positive and monotone in the
tariffs. With :math:`\pi_r` the world-price ratio and :math:`\tau_{rv}=T'_{rv}/T_{rv}`:

.. math::

   \hat P_v = \Big(\sum_s \theta_{sv}(\pi_s\tau_{sv})^{1-E_s}\Big)^{1/(1-E_s)},\qquad
   q_{rv} = (\pi_r\tau_{rv})^{-E_s}\,\hat P_v^{\,E_s+E_m},\qquad
   \sum_v \phi_{rv} q_{rv} = \pi_r^{E_{x,r}}

solved for :math:`\log\pi` by Powell's hybrid method (MINPACK, through scipy); then
:math:`M'_{rv}=M_{rv}q_{rv}\pi_r`, producer surplus :math:`X_r(\pi_r^{E_x+1}-1)/(E_x+1)` and
consumer surplus :math:`-Q_v(\hat P_v^{E_m+1}-1)/(E_m+1)` (the areas under the constant-elasticity
curves). Its first-order expansion is GSIM's linear system, so the two agree for small changes.

SMART (Laird & Yeats 1986; WITS) is the case of one importer and infinite export supply.
Trade *creation* is the change in an importer's total imports, shared out in proportion to
the suppliers' initial shares; *diversion* is the rest, and sums to zero over suppliers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize


@dataclass(frozen=True)
class TariffResult:
    """What one tariff change does to one product's market (values at world prices)."""

    world_price_change: pd.Series      # by exporter
    internal_price_change: pd.Series   # composite price, by importer
    flows_before: pd.DataFrame         # exporters x importers
    flows_after: pd.DataFrame
    creation: pd.DataFrame
    diversion: pd.DataFrame
    exporter_share: pd.DataFrame       # share of a tariff change borne by the exporter (NaN: none)
    welfare: pd.DataFrame              # by region: producer_surplus, consumer_surplus, tariff_revenue, net

    @property
    def change(self) -> pd.DataFrame:
        """Flows after less flows before, exporters x importers, at world prices."""
        return self.flows_after - self.flows_before


def _by(value, labels: pd.Index, name: str) -> np.ndarray:
    """A scalar or a Series by region -> an array aligned to `labels`."""
    if isinstance(value, pd.Series):
        missing = labels.difference(value.index)
        if len(missing):
            raise ValueError(f"{name}: no value for {', '.join(map(str, missing))}")
        return value.reindex(labels).to_numpy(dtype=float)
    return np.full(len(labels), float(value))


def _check(flows: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame, e_m, e_s, e_x) -> None:
    for name, frame in (("tariffs_before", before), ("tariffs_after", after)):
        if not (frame.index.equals(flows.index) and frame.columns.equals(flows.columns)):
            raise ValueError(f"{name} must have the same exporters (index) and importers (columns) as flows")
        if (frame.to_numpy() <= -1).any() or frame.isna().to_numpy().any():
            raise ValueError(f"{name}: ad-valorem rates must be numbers above -1 (0.25, not 1.25)")
    if flows.isna().to_numpy().any() or (flows.to_numpy() < 0).any():
        raise ValueError("flows must be non-negative numbers")
    if (e_m > 0).any():
        raise ValueError("import_elasticity must be <= 0 (demand falls as prices rise)")
    if (e_s < 0).any():
        raise ValueError("substitution_elasticity must be >= 0")
    if (e_x <= 0).any():
        raise ValueError("supply_elasticity must be > 0 (math.inf: perfectly elastic)")


def simulate_tariffs(flows: pd.DataFrame, tariffs_before: pd.DataFrame,
                     tariffs_after: pd.DataFrame, *, import_elasticity,
                     substitution_elasticity, supply_elasticity,
                     method: str = "exact") -> TariffResult:
    """One product: the effects of moving from `tariffs_before` to `tariffs_after` (GSIM).

    Parameters
    ----------
    flows : DataFrame, exporters x importers, USD bn a year
        Trade at world prices.
    tariffs_before, tariffs_after : DataFrame, exporters x importers, fractions
        Ad-valorem rates, shaped like `flows`.
    import_elasticity : float or Series by importer
        Import demand (<= 0).
    substitution_elasticity : float or Series by importer
        CES substitution among sources (>= 0).
    supply_elasticity : float or Series by exporter
        Export supply (> 0; ``math.inf`` allowed).
    method : {"exact", "linear"}
        The constant-elasticity model solved exactly, or GSIM's published linear update.

    Returns
    -------
    TariffResult
        Price changes (fractions), flows before and after, creation and diversion (USD bn a
        year), the share of each change the exporter bears, and welfare by region (USD bn a year).

    References
    ----------
    Francois, J. & Hall, H. K. (2003). Global Simulation Analysis of Industry-Level Trade Policy.
    Jammes, O. & Olarreaga, M. (2005). Explaining SMART and GSIM.

    Examples
    --------
    >>> f = pd.DataFrame({"US": [60.0, 40.0]}, index=["KR", "JP"])
    >>> t0 = pd.DataFrame({"US": [0.15, 0.15]}, index=f.index)
    >>> r = simulate_tariffs(f, t0, t0, import_elasticity=-1.25,
    ...                      substitution_elasticity=5.0, supply_elasticity=math.inf)
    >>> float(r.change.abs().to_numpy().sum()), float(r.welfare["net"].abs().sum())
    (0.0, 0.0)
    """
    exporters, importers = flows.index, flows.columns
    e_m = _by(import_elasticity, importers, "import_elasticity")
    e_s = _by(substitution_elasticity, importers, "substitution_elasticity")
    e_x = _by(supply_elasticity, exporters, "supply_elasticity")
    _check(flows, tariffs_before, tariffs_after, e_m, e_s, e_x)

    m0 = flows.to_numpy(dtype=float)
    t0 = 1.0 + tariffs_before.to_numpy(dtype=float)
    t1 = 1.0 + tariffs_after.to_numpy(dtype=float)
    return _result(flows, t0, t1, solve_markets(m0, t0, t1, e_m, e_s, e_x, method))


def _result(flows: pd.DataFrame, t0: np.ndarray, t1: np.ndarray,
            solution: MarketSolution) -> TariffResult:
    """The labelled tables of :func:`simulate_tariffs`, from the solved market."""
    exporters, importers = flows.index, flows.columns
    m0 = flows.to_numpy(dtype=float)
    p, m1, p_internal, ps, cs, tr = solution
    total0, total1 = m0.sum(axis=0), m1.sum(axis=0)
    share0 = np.divide(m0, total0, out=np.zeros_like(m0), where=total0 > 0)
    creation = share0 * (total1 - total0)
    diversion = (m1 - m0) - creation
    with np.errstate(divide="ignore", invalid="ignore"):
        borne = np.where(np.abs(t1 - t0) > 1e-15, -p[:, None] * t0 / (t1 - t0), np.nan)
    welfare = _welfare(exporters, importers, ps, cs, tr)
    frame = lambda a: pd.DataFrame(a, index=exporters, columns=importers)
    return TariffResult(
        world_price_change=pd.Series(p, index=exporters, name="world_price_change"),
        internal_price_change=pd.Series(p_internal, index=importers, name="internal_price_change"),
        flows_before=flows.astype(float), flows_after=frame(m1), creation=frame(creation),
        diversion=frame(diversion), exporter_share=frame(borne), welfare=welfare)


def _welfare(exporters: pd.Index, importers: pd.Index, ps: np.ndarray, cs: np.ndarray,
             tr: np.ndarray) -> pd.DataFrame:
    """Welfare by region: producer and consumer surplus, tariff revenue and their sum."""
    regions = exporters.union(importers, sort=False)
    welfare = pd.DataFrame(0.0, index=regions,
                           columns=["producer_surplus", "consumer_surplus", "tariff_revenue"])
    welfare.loc[exporters, "producer_surplus"] = ps
    welfare.loc[importers, "consumer_surplus"] = cs
    welfare.loc[importers, "tariff_revenue"] = tr
    welfare["net"] = welfare.sum(axis=1)
    return welfare


class MarketSolution(NamedTuple):
    """One product's new equilibrium, as plain arrays (exporters r, importers v)."""

    world_price_change: np.ndarray     # (r,)
    flows_after: np.ndarray            # (r, v), world prices
    internal_price_change: np.ndarray  # (v,)
    producer_surplus: np.ndarray       # (r,)
    consumer_surplus: np.ndarray       # (v,)
    tariff_revenue: np.ndarray         # (v,) change


def solve_markets(m0: np.ndarray, t0: np.ndarray, t1: np.ndarray, e_m: np.ndarray,
                  e_s: np.ndarray, e_x: np.ndarray, method: str = "exact") -> MarketSolution:
    """The numeric core of :func:`simulate_tariffs`, on plain arrays.

    Parameters
    ----------
    m0 : ndarray, shape (exporters, importers), USD bn a year
        Flows at world prices.
    t0, t1 : ndarray, shape (exporters, importers)
        Tariff powers (1 + rate) before and after.
    e_m, e_s : ndarray, shape (importers,)
        Import-demand and substitution elasticities.
    e_x : ndarray, shape (exporters,)
        Export-supply elasticities (``inf``: perfectly elastic).
    method : {"exact", "linear"}

    Returns
    -------
    MarketSolution
        World-price changes (exporters,), flows after (exporters, importers), internal-price
        changes (importers,) as fractions; producer surplus (exporters,), consumer surplus and
        tariff-revenue change (importers,) in USD bn a year.

    References
    ----------
    Francois & Hall (2003).
    """
    if method not in ("exact", "linear"):
        raise ValueError(f"method must be 'exact' or 'linear', got {method!r}")
    internal = m0 * t0
    q = internal.sum(axis=0)                                   # imports at internal prices
    theta = np.divide(internal, q, out=np.zeros_like(internal), where=q > 0)
    x = m0.sum(axis=1)                                         # exports at world prices
    phi = np.divide(m0, x[:, None], out=np.zeros_like(m0), where=x[:, None] > 0)
    solve = _exact if method == "exact" else _linear
    p, m1, p_internal, ps, cs = solve(m0, t0, t1, theta, phi, x, q, e_m, e_s, e_x)
    tr = (m1 * (t1 - 1.0) - m0 * (t0 - 1.0)).sum(axis=0)
    return MarketSolution(p, m1, p_internal, ps, cs, tr)


def _linear(m0, t0, t1, theta, phi, x, q, e_m, e_s, e_x):
    """GSIM's one-step linear update (Francois & Hall 2003), as published."""
    t_hat = t1 / t0 - 1.0
    c = e_m + e_s                                              # by importer
    # market clearing: K p = -b, for the exporters whose price can move
    cross = (phi * c) @ theta.T                                # sum_v phi_rv c_v theta_sv
    K = cross - np.diag((phi * e_s).sum(axis=1) + np.where(np.isinf(e_x), 0.0, e_x))
    b = (phi * ((theta * t_hat).sum(axis=0) * c)).sum(axis=1) - (phi * e_s * t_hat).sum(axis=1)
    free = np.isfinite(e_x) & (x > 0)
    p = np.zeros(len(x))
    if free.any():
        p[free] = np.linalg.solve(K[np.ix_(free, free)], -b[free])
    common = (theta * (t_hat + p[:, None])).sum(axis=0) * c    # sum_s theta_sv c_v (T^_sv + P^_s)
    m_hat = common[None, :] - e_s[None, :] * (t_hat + p[:, None])
    m1 = m0 * (1.0 + m_hat) * (1.0 + p[:, None])
    p_internal = (theta * ((1.0 + p[:, None]) * (t1 / t0) - 1.0)).sum(axis=0)
    ps = np.where(p == 0.0, 0.0, p * x * (1.0 + 0.5 * np.where(np.isinf(e_x), 0.0, e_x) * p))
    cs = -q * p_internal * (1.0 + 0.5 * e_m * p_internal)
    return p, m1, p_internal, ps, cs


def _composite(log_p, theta, e_s):
    """log of each importer's CES price index, from the log internal price ratios (r, v)."""
    out = np.empty(theta.shape[1])
    for v in range(theta.shape[1]):
        if abs(1.0 - e_s[v]) < 1e-12:
            out[v] = (theta[:, v] * log_p[:, v]).sum()
        else:
            k = 1.0 - e_s[v]
            terms = np.log(np.where(theta[:, v] > 0, theta[:, v], 1.0)) + k * log_p[:, v]
            terms = np.where(theta[:, v] > 0, terms, -np.inf)
            top = terms.max()
            out[v] = (top + np.log(np.exp(terms - top).sum())) / k if np.isfinite(top) else 0.0
    return out


def _exact(m0, t0, t1, theta, phi, x, q, e_m, e_s, e_x):
    """The constant-elasticity model solved exactly for the world-price ratios (see above)."""
    log_tau = np.log(t1 / t0)
    free = np.isfinite(e_x) & (x > 0)

    def demand(z):                                             # log q_rv for log world prices z
        log_p = z[:, None] + log_tau
        log_price = _composite(log_p, theta, e_s)
        return -e_s[None, :] * log_p + (e_s + e_m)[None, :] * log_price[None, :], log_price

    def residual(zf):
        z = np.zeros(len(x))
        z[free] = zf
        log_q, _ = demand(z)
        supplied = np.log((phi * np.exp(log_q)).sum(axis=1))
        return (supplied - np.where(np.isinf(e_x), 0.0, e_x) * z)[free]

    z = np.zeros(len(x))
    if free.any():
        solution = optimize.root(residual, np.zeros(int(free.sum())), method="hybr")
        if not np.abs(residual(solution.x)).max() < 1e-9:
            raise RuntimeError(f"the exact tariff model did not converge: {solution.message}")
        z[free] = solution.x
    log_q, log_price = demand(z)
    pi = np.exp(z)
    m1 = m0 * np.exp(log_q) * pi[:, None]
    price = np.exp(log_price)
    with np.errstate(divide="ignore", invalid="ignore"):
        ex = np.where(np.isinf(e_x), 0.0, e_x)
        ps = np.where(np.isinf(e_x) | ~free, 0.0,
                      x * np.where(np.abs(ex + 1) > 1e-12, (pi ** (ex + 1) - 1) / (ex + 1), np.log(pi)))
        cs = -q * np.where(np.abs(e_m + 1) > 1e-12, (price ** (e_m + 1) - 1) / (e_m + 1), np.log(price))
    return pi - 1.0, m1, price - 1.0, ps, cs


def supply_elasticity_for_share(exporter_share: float, own_price_elasticity: float) -> float:
    r"""The export-supply elasticity at which an exporter bears a given share of a tariff change.

    For a small change in its own tariff, given the own-price elasticity of demand it faces in
    that market (for GSIM's CES demand, :math:`|N_{rvr}| = (1-\theta)E_s - \theta E_m`):
    :math:`E_x = |N|(1 - s)/s`, infinite at s = 0.

    Parameters
    ----------
    exporter_share : float, fraction in [0, 1)
    own_price_elasticity : float

    Returns
    -------
    float
        :math:`E_x` (``math.inf`` at a share of 0).

    References
    ----------
    Francois & Hall (2003).

    Examples
    --------
    >>> round(supply_elasticity_for_share(0.18, -1.25), 4)
    5.6944
    """
    if not 0.0 <= exporter_share < 1.0:
        raise ValueError(f"exporter_share must be in [0, 1), got {exporter_share}")
    if exporter_share == 0.0:
        return math.inf
    return abs(own_price_elasticity) * (1.0 - exporter_share) / exporter_share


def own_price_elasticity(theta, import_elasticity: float, substitution_elasticity: float):
    r"""GSIM's own-price demand elasticity, :math:`N_{rr} = \theta E_m - (1-\theta)E_s`.

    Parameters
    ----------
    theta : float or ndarray, fraction
        The source's import share at internal prices.
    import_elasticity : float
    substitution_elasticity : float

    Returns
    -------
    float or ndarray, shaped like `theta`

    References
    ----------
    Francois & Hall (2003).
    """
    return np.asarray(theta) * import_elasticity - (1.0 - np.asarray(theta)) * substitution_elasticity
