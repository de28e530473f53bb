r"""The trade model solved per sector: one GSIM market (importer: the US; suppliers: PARTNERS).

For a sector, the 2024 flows observed at 2024's rates are first moved to the 'before' rates at
the elasticities of the horizon modelled (:func:`rebased`: the same build-up as the change), then
the market is solved for the 'after' rates
(:func:`solve_sector`, the exact constant-elasticity solution of
:func:`pactlab.engine.trade.solve_markets`). :func:`effects` reads the investor's, its rival's and
the US side's changes off the solution; :func:`effect_grid` does so at every node of the
uncertainty grid (elasticity quantile x pass-through quantile), and a path's own draw is read by
bilinear interpolation between the four nodes around it (:func:`interpolate`):

.. math:: g(q_e, q_p) \approx \sum_{i,j \in \{0,1\}} w_e^{i}(1-w_e)^{1-i}\,
          w_p^{j}(1-w_p)^{1-j}\, g_{e_0+i,\,p_0+j}

References
----------
Francois, J. & Hall, H. K. (2003). Global Simulation Analysis of Industry-Level Trade Policy.
Jammes, O. & Olarreaga, M. (2005). Explaining SMART and GSIM. World Bank.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...engine.trade import MarketSolution, solve_markets
from ...inputs.assumptions import Assumptions
from ...inputs.data.trade import CODES, PARTNERS, trade_data
from .params import TradeParams, _sector_inputs, substitution, supply_elasticities
from .schedule import rates_2024

__all__ = ["ELASTICITY_NODES", "GRID_OUTPUTS", "PASS_THROUGH_NODES", "corners", "effect_grid",
           "effects", "interpolate", "rebased", "solve_sector"]

#: quantile nodes of the uncertainty grid: long-run elasticity scale x pass-through; each
#: path interpolates its own draw between them
ELASTICITY_NODES = np.linspace(0.0, 1.0, 5)
PASS_THROUGH_NODES = np.linspace(0.0, 1.0, 3)
GRID_OUTPUTS = ("export_change", "producer_surplus_change", "consumer_cost", "revenue_change")


def solve_sector(sector: str, before: np.ndarray, after: np.ndarray, a: Assumptions, *,
                 params: TradeParams | None = None, horizon: int | None = None,
                 method: str = "exact", flows: np.ndarray | None = None) -> MarketSolution:
    """One sector's market (the US buying from every partner) for a change in rates.

    Parameters
    ----------
    sector : str
        A trade sector.
    before, after : ndarray, shape (partners,), fractions
        Rates by partner in PARTNERS order.
    a : Assumptions
    params : TradeParams, optional
        A draw of the parameters (central if None).
    horizon : int, optional, years
        Years since the change (long run if None); see :func:`~.params.horizon_factor`.
    method : {"exact", "linear"}
        See :func:`pactlab.engine.trade.solve_markets`.
    flows : ndarray, shape (partners,), USD bn a year, optional
        Flows in equilibrium at the `before` rates (2024's observed flows if None).

    Returns
    -------
    MarketSolution
        With one importer: ``flows_after`` (partners, 1), surpluses, revenue; USD bn a year.
    """
    observed, e_m, _ = _sector_inputs(sector)
    flows = observed if flows is None else flows
    if np.array_equal(before, after):     # no change: exactly no effect, nothing to solve
        zeros = np.zeros(len(flows))
        return MarketSolution(zeros, flows[:, None].copy(), np.zeros(1), zeros, np.zeros(1),
                              np.zeros(1))
    sigma = substitution(sector, a, params=params, horizon=horizon)
    return solve_markets(flows[:, None], (1.0 + before)[:, None], (1.0 + after)[:, None],
                         np.array([e_m]), np.array([sigma]),
                         supply_elasticities(sector, before, a, params=params, horizon=horizon,
                                             flows=flows),
                         method)


def rebased(sector: str, before: np.ndarray, a: Assumptions, *,
            horizon: int | None = None) -> np.ndarray:
    """The sector's 2024 flows moved to the `before` rates (observed at 2024's rates, they are
    not the equilibrium at 2026's): the exact model, central parameters, at `horizon`.

    The move from 2024's rates to the 'before' rates began with 2025's increases; in year *h*
    of the model the trade has had *h* years to adjust to them, as it has to the change being
    modelled, so both use the same build-up of the elasticities
    (:func:`~.params.horizon_factor`): first-year elasticities for the first year, long-run ones
    from ``trade.years_to_long_run`` on. (pactlab 0.2 moved the base at long-run elasticities in
    every year, a base about 20% below 2024's Korean exports from the first year.)

    Parameters
    ----------
    sector : str
    before : ndarray, shape (partners,), fractions
    a : Assumptions
    horizon : int, optional, years
        Years since the change modelled (long run if None).

    Returns
    -------
    ndarray, shape (partners,), USD bn a year at 2024 prices
    """
    flows = _sector_inputs(sector)[0]
    base = rates_2024().loc[sector, list(PARTNERS)].to_numpy(dtype=float)
    return solve_sector(sector, base, before, a, flows=flows, horizon=horizon).flows_after[:, 0]


def _row(m: MarketSolution, flows: np.ndarray, b: np.ndarray, f: np.ndarray, i: int,
         j: int | None, va: float) -> dict[str, float]:
    """One sector's line of :func:`effects`."""
    change = m.flows_after[:, 0] - flows
    return {
        "investor_exports": float(flows[i]),
        "investor_export_change": float(change[i]),
        "investor_value_added_change": float(change[i]) * va,
        "investor_producer_surplus_change": float(m.producer_surplus[i]),
        "investor_price_change": float(m.world_price_change[i]),
        "rival_export_change": float(change[j]) if j is not None else np.nan,
        "us_import_change": float(change.sum()),
        "us_consumer_cost": -float(m.consumer_surplus[0]),
        "us_tariff_revenue_change": float(m.tariff_revenue[0]),
        "us_net_welfare": float(m.consumer_surplus[0] + m.tariff_revenue[0]),
        "investor_rate_before": float(b[i]),
        "investor_rate_after": float(f[i]),
        "exporter_share": (float(-m.world_price_change[i] * (1 + b[i]) / (f[i] - b[i]))
                           if abs(f[i] - b[i]) > 1e-15 else np.nan),
    }


def effects(before: pd.DataFrame, after: pd.DataFrame, a: Assumptions,
            investor: str = "korea", rival: str | None = "japan", *,
            params: TradeParams | None = None, horizon: int | None = None) -> pd.DataFrame:
    """Per sector, what a change of rates does, from 2024's flows moved to the `before` rates.

    Parameters
    ----------
    before, after : DataFrame, sectors x PARTNERS, fractions
        Rate tables (:func:`~.schedule.rate_table`, :func:`~.schedule.yearly_rates`).
    a : Assumptions
    investor : str
        The partner whose losses are reported (it needs value-added data).
    rival : str or None
        The partner whose export change is reported beside the investor's.
    params : TradeParams, optional
        A draw of the parameters (central if None).
    horizon : int, optional, years
        Years since the change (long run if None).

    Returns
    -------
    DataFrame, (sectors + "total") x measures
        From the 2024 flows moved to the `before` rates at `horizon` (:func:`rebased`): the
        investor's exports, export change, value added at risk, producer surplus (terms of
        trade) and price change; the rival's export change; US imports, buyers' cost, tariff
        revenue and net welfare: USD bn a year at 2024 prices. Rates before and after and the
        share of the change the investor bears: fractions (NaN in the total row).
    """
    td = trade_data()
    code = CODES[investor]
    i, j = PARTNERS.index(investor), PARTNERS.index(rival) if rival else None
    rows = {}
    for sector in td.sector_names:
        b = before.loc[sector, list(PARTNERS)].to_numpy(dtype=float)
        f = after.loc[sector, list(PARTNERS)].to_numpy(dtype=float)
        flows = rebased(sector, b, a, horizon=horizon)
        m = solve_sector(sector, b, f, a, params=params, horizon=horizon, flows=flows)
        va = float(td.value_added.loc[(code, sector), "domestic_va_share"])
        rows[sector] = _row(m, flows, b, f, i, j, va)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.loc["total"] = table.sum(numeric_only=True)
    for col in ("investor_price_change", "investor_rate_before", "investor_rate_after",
                "exporter_share"):
        table.loc["total", col] = np.nan
    return table


def effect_grid(before: pd.DataFrame, after: pd.DataFrame, a: Assumptions, investor: str, *,
                horizon: int | None = None) -> dict[str, np.ndarray]:
    """The sectors' results at every node of the uncertainty grid.

    Parameters
    ----------
    before, after : DataFrame, sectors x PARTNERS, fractions
        Rate tables.
    a : Assumptions
    investor : str
        The partner whose export and producer-surplus changes are kept.
    horizon : int, optional, years
        Years since the change (long run if None).

    Returns
    -------
    dict of str to ndarray, USD bn a year
        :data:`GRID_OUTPUTS` (the investor's export change and producer-surplus change, the US
        consumer cost and tariff-revenue change), each shape (sectors, elasticity nodes,
        pass-through nodes); ``partner_export_change``, shape (sectors, partners, elasticity
        nodes, pass-through nodes).
    """
    td = trade_data()
    i = PARTNERS.index(investor)
    shape = (len(td.sector_names), len(ELASTICITY_NODES), len(PASS_THROUGH_NODES))
    out = {k: np.zeros(shape) for k in GRID_OUTPUTS}
    out["partner_export_change"] = np.zeros((shape[0], len(PARTNERS), *shape[1:]))
    for k, sector in enumerate(td.sector_names):
        b = before.loc[sector, list(PARTNERS)].to_numpy(dtype=float)
        f = after.loc[sector, list(PARTNERS)].to_numpy(dtype=float)
        if np.array_equal(b, f):
            continue
        flows = rebased(sector, b, a, horizon=horizon)
        for e, qe in enumerate(ELASTICITY_NODES):
            for s, qs in enumerate(PASS_THROUGH_NODES):
                m = solve_sector(sector, b, f, a, params=TradeParams.at(a, qe, qs),
                                 horizon=horizon, flows=flows)
                change = m.flows_after[:, 0] - flows
                out["partner_export_change"][k, :, e, s] = change
                out["export_change"][k, e, s] = change[i]
                out["producer_surplus_change"][k, e, s] = m.producer_surplus[i]
                out["consumer_cost"][k, e, s] = -m.consumer_surplus[0]
                out["revenue_change"][k, e, s] = m.tariff_revenue[0]
    return out


def corners(q: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grid cell each quantile falls in.

    Parameters
    ----------
    q : ndarray, any shape, quantiles (clipped to [0, 1])
    nodes : ndarray, shape (nodes,)
        Evenly spaced quantile nodes from 0 to 1.

    Returns
    -------
    lo : ndarray of int64, shaped like `q`
        The index of the node below each quantile.
    weight : ndarray, shaped like `q`, in [0, 1]
        The weight of the node above.

    Examples
    --------
    >>> lo, w = corners(np.array([0.0, 0.3, 1.0]), np.linspace(0.0, 1.0, 3))
    >>> lo.tolist(), w.round(3).tolist()
    ([0, 0, 1], [0.0, 0.6, 1.0])
    """
    x = np.clip(q, 0.0, 1.0) * (len(nodes) - 1)
    lo = np.minimum(np.floor(x).astype(np.int64), len(nodes) - 2)
    return lo, x - lo


def interpolate(grid: np.ndarray, q_elasticity: np.ndarray,
                q_pass_through: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of a node grid at each path's quantiles (module docstring).

    Parameters
    ----------
    grid : ndarray, shape (..., elasticity nodes, pass-through nodes)
    q_elasticity, q_pass_through : ndarray, shape (paths,), quantiles

    Returns
    -------
    ndarray, shape (..., paths), in the grid's unit
    """
    e0, we = corners(q_elasticity, ELASTICITY_NODES)
    s0, ws = corners(q_pass_through, PASS_THROUGH_NODES)
    g = lambda e, s: grid[..., e, s]
    return ((1 - we) * (1 - ws) * g(e0, s0) + we * (1 - ws) * g(e0 + 1, s0)
            + (1 - we) * ws * g(e0, s0 + 1) + we * ws * g(e0 + 1, s0 + 1))
