r"""The tariff model's uncertain parameters: substitution among sources, export supply, horizon.

* **Substitution** among import sources in sector :math:`s`, at horizon :math:`h` (years since a
  change, 1 the first): :math:`\sigma_s(h) = \mathrm{ESUBM}_s \cdot k \cdot f(h)`, with GTAP's
  long-run ESUBM (Hertel et al. 2007), a scale :math:`k` (``trade.substitution_scale``) and
  :math:`f(h) = a + (1-a)\min\{(h-1)/(H-1), 1\}` rising linearly from the short-run share
  :math:`a` (``trade.short_run_share``) to 1 at :math:`H` (``trade.years_to_long_run``), after
  Boehm, Levchenko & Pandalai-Nayar (2023). The same build-up moves the 2024 flows to the
  'before' rates of year :math:`h` (:func:`~.solve.rebased`): the trade has had as long to
  adjust to 2025's increases as to the change modelled.
* **Export supply** is calibrated so that each exporter bears its assumed share :math:`\rho` of a
  change in its own tariff: :math:`E_x = |N_{rr}|(1-\rho)/\rho`, with :math:`N_{rr}` GSIM's
  own-price elasticity at the sector's import shares (Francois & Hall 2003;
  :func:`pactlab.engine.trade.supply_elasticity_for_share`).
* **Ranges**: each uncertain parameter is drawn from a triangular distribution over
  ``trade.<name>_range`` with its central value as the mode; one pass-through quantile moves both
  exporter shares together.

References
----------
Boehm, C., Levchenko, A. & Pandalai-Nayar, N. (2023). The long and short (run) of trade
elasticities. *American Economic Review* 113(4).
Francois, J. & Hall, H. K. (2003). Global Simulation Analysis of Industry-Level Trade Policy.
Hertel, T. et al. (2007). How confident can we be of CGE-based assessments of free trade
agreements? *Economic Modelling* 24(4).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import overload

import numpy as np

from ...engine.trade import own_price_elasticity, supply_elasticity_for_share
from ...inputs.assumptions import Assumptions
from ...inputs.data.trade import PARTNERS, trade_data

__all__ = ["TradeParams", "horizon_factor", "substitution", "supply_elasticities", "triangular"]


@dataclass(frozen=True)
class TradeParams:
    """One draw of the tariff model's uncertain parameters.

    Attributes
    ----------
    substitution_scale : float
        Long-run substitution among sources = GTAP ESUBM x this.
    exporter_share : float, fraction
        Share of a change in its own tariff that an exporter bears.
    exporter_share_autos : float, fraction
        The same for Korean and Japanese cars and parts.
    """

    substitution_scale: float
    exporter_share: float
    exporter_share_autos: float

    @classmethod
    def central(cls, a: Assumptions) -> TradeParams:
        """The central values of the assumptions (``trade.*``)."""
        t = a.trade
        return cls(t.substitution_scale, t.exporter_share, t.exporter_share_autos)

    @classmethod
    def at(cls, a: Assumptions, q_elasticity: float, q_pass_through: float) -> TradeParams:
        """The parameters at quantiles of their (triangular) ranges; one pass-through quantile
        moves both exporter shares together."""
        t = a.trade
        return cls(triangular(q_elasticity, *t.span("substitution_scale")),
                   triangular(q_pass_through, *t.span("exporter_share")),
                   triangular(q_pass_through, *t.span("exporter_share_autos")))


@overload
def triangular(q: float, low: float, mode: float, high: float) -> float:
    ...


@overload
def triangular(q: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    ...


def triangular(q: float | np.ndarray, low: float, mode: float,
               high: float) -> float | np.ndarray:
    """The inverse CDF of a triangular distribution (degenerate ranges give the mode).

    Parameters
    ----------
    q : float or ndarray, quantiles in [0, 1]
    low, mode, high : float
        The distribution's support and mode.

    Returns
    -------
    float or ndarray, shaped like `q`

    Examples
    --------
    >>> triangular(0.5, 0.0, 0.5, 1.0), triangular(0.3, 1.0, 1.0, 1.0)
    (0.5, 1.0)
    """
    q = np.asarray(q, dtype=float)
    if high <= low:
        return np.full_like(q, mode) if q.ndim else float(mode)
    cut = (mode - low) / (high - low)
    out = np.where(q < cut, low + np.sqrt(q * (high - low) * (mode - low)),
                   high - np.sqrt((1 - q) * (high - low) * (high - mode)))
    return out if q.ndim else float(out)


def horizon_factor(a: Assumptions, horizon: int | None) -> float:
    """The elasticity in year `horizon` as a share of the long run, :math:`f(h)` above.

    Parameters
    ----------
    a : Assumptions
        ``trade.short_run_share`` and ``trade.years_to_long_run``.
    horizon : int or None, years
        1 is the first year of a change; None is the long run.

    Returns
    -------
    float, fraction in (0, 1]

    References
    ----------
    Boehm, Levchenko & Pandalai-Nayar (2023).
    """
    t = a.trade
    if horizon is None or t.years_to_long_run <= 1:
        return 1.0
    rise = min(max(horizon - 1, 0) / (t.years_to_long_run - 1), 1.0)
    return t.short_run_share + (1.0 - t.short_run_share) * rise


def substitution(sector: str, a: Assumptions, *, params: TradeParams | None = None,
                 horizon: int | None = None) -> float:
    """The sector's elasticity of substitution among import sources, :math:`\\sigma_s(h)` above.

    Parameters
    ----------
    sector : str
        A trade sector.
    a : Assumptions
    params : TradeParams, optional
        A draw of the parameters (central if None).
    horizon : int, optional, years
        See :func:`horizon_factor` (long run if None).

    Returns
    -------
    float
        The CES elasticity (positive).
    """
    scale = (params or TradeParams.central(a)).substitution_scale
    esubm = float(trade_data().sectors.loc[sector, "substitution_elasticity"])
    return esubm * scale * horizon_factor(a, horizon)


@cache
def _sector_inputs(sector: str) -> tuple[np.ndarray, float, bool]:
    """(flows by partner in PARTNERS order, import-demand elasticity, autos?) of a sector."""
    td = trade_data()
    return (td.flows.loc[sector, list(PARTNERS)].to_numpy(dtype=float),
            float(td.sectors.loc[sector, "import_elasticity"]), sector in ("cars", "auto_parts"))


def supply_elasticities(sector: str, before: np.ndarray, a: Assumptions, *,
                        params: TradeParams | None = None, horizon: int | None = None,
                        flows: np.ndarray | None = None) -> np.ndarray:
    """Export-supply elasticity by partner, calibrated so that each bears its assumed share of
    a change in its own tariff, given the own-price elasticity it faces in the US market.

    Parameters
    ----------
    sector : str
        A trade sector.
    before : ndarray, shape (partners,), fractions
        The rates the market is in equilibrium at, in PARTNERS order.
    a : Assumptions
    params : TradeParams, optional
        A draw of the parameters (central if None).
    horizon : int, optional, years
        See :func:`horizon_factor` (long run if None).
    flows : ndarray, shape (partners,), USD bn a year, optional
        The flows at the `before` rates (2024's observed flows if None).

    Returns
    -------
    ndarray, shape (partners,)
        :math:`E_x` by partner (``inf`` where the exporter bears nothing).

    References
    ----------
    Francois & Hall (2003), GSIM's own-price elasticity.
    """
    params = params or TradeParams.central(a)
    observed, e_m, autos = _sector_inputs(sector)
    flows = observed if flows is None else flows
    internal = flows * (1.0 + before)
    theta = internal / internal.sum()
    own = own_price_elasticity(theta, e_m, substitution(sector, a, params=params, horizon=horizon))
    shares = [params.exporter_share_autos if autos and p in ("korea", "japan")
              else params.exporter_share for p in PARTNERS]
    return np.array([supply_elasticity_for_share(s, float(o))
                     for s, o in zip(shares, own, strict=True)])
