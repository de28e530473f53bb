r"""The tariff model off the variant's path: solved once on a node grid of the investor's deal
rates, read by interpolation for every variant of the deal terms.

A variant of a pact's deal terms (its tariff caps by line) moves one thing in the trade model:
the investor's own yearly rate in each sector with the deal, :math:`b_k` (its lines capped,
mixed by trade shares, averaged over the year's months: exact and cheap,
:func:`~.schedule.investor_yearly_rates`). Everything else — the other partners' rates, the
no-deal rates, the 2024 flows, the elasticities — is the same for every variant. So for each
year of the horizon and each sector, the GSIM market (the 2024 flows moved to the deal's rates,
then the change to the no-deal rates, :mod:`.solve`) is solved at the Chebyshev–Lobatto nodes
of :math:`b_k` between its lowest (every cap at 0) and highest (no cap) values, at the central
parameters and at every node of the uncertainty grid, all markets at once
(:func:`pactlab.engine.trade_batch.solve_one_importer`); a variant reads its results by
barycentric polynomial interpolation at its own :math:`b_k`:

.. math:: g(b) \approx \sum_j \frac{\lambda_j/(b - b_j)}{\sum_i \lambda_i/(b - b_i)}\, g(b_j),
          \qquad \lambda_j = (-1)^j\ (\tfrac12\ \text{at the ends})

The kinks of the caps (:math:`\min(\text{cap}, \text{law})`, the s232 shares) lie in the exact
map from terms to :math:`b_k`, not in the market's response, which is analytic in :math:`b_k`;
with :data:`NODES` nodes the interpolation error is far below a cent of a billion (tested
against the direct solve at off-node rates). Every caller — ``evaluate`` as much as a batch of
variants — reads the same surface, so they agree bit for bit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np

from ...engine.trade_batch import solve_one_importer
from ...inputs.assumptions import Assumptions
from ...inputs.data.trade import PARTNERS, trade_data
from ...inputs.terms.schema import Pact
from .params import TradeParams, horizon_factor
from .schedule import (
    RIVAL,
    FlatCeiling,
    investor_yearly_rates,
    law_yearly_rates,
    partner_of,
    rates_2024,
)
from .solve import ELASTICITY_NODES, GRID_OUTPUTS, PASS_THROUGH_NODES

__all__ = ["NODES", "SECTOR_MEASURES", "TariffSurface", "lagrange_weights"]

#: interpolation nodes per sector and year (Chebyshev–Lobatto)
NODES = 9
#: what each sector's market yields at the central parameters (:func:`~.solve.effects`' columns)
SECTOR_MEASURES = ("investor_exports", "investor_export_change", "investor_producer_surplus_change",
                   "investor_price_change", "rival_export_change", "us_import_change",
                   "us_consumer_cost", "us_tariff_revenue_change", "us_net_welfare")


def _lobatto(low: np.ndarray, high: np.ndarray, n: int) -> np.ndarray:
    """Chebyshev–Lobatto nodes between `low` and `high`, shape (len(low), n)."""
    c = np.cos(np.pi * np.arange(n) / (n - 1))
    return (0.5 * (low + high))[:, None] + (0.5 * (high - low))[:, None] * c[None, :]


def lagrange_weights(nodes: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Barycentric weights of Chebyshev–Lobatto `nodes` (rows) at `x` (module docstring).

    Parameters
    ----------
    nodes : ndarray, shape (K, n)
        Each row from :func:`_lobatto` (all equal where a sector's rate cannot move).
    x : ndarray, shape (K,)

    Returns
    -------
    ndarray, shape (K, n): each row sums to 1; one-hot at a node or a row that cannot move

    Examples
    --------
    >>> w = lagrange_weights(np.array([[1.0, 0.5, 0.0]]), np.array([0.25]))
    >>> (w @ np.array([1.0, 0.25, 0.0])).round(6).tolist()   # x**2, exact for a quadratic
    [0.0625]
    """
    n = nodes.shape[1]
    lam = (-1.0) ** np.arange(n)
    lam[[0, -1]] *= 0.5
    diff = x[:, None] - nodes
    hit = (diff == 0.0) | (nodes[:, :1] == nodes[:, -1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        w = lam / diff
        w = w / w.sum(axis=1, keepdims=True)
    first_hit = np.zeros_like(w)
    first_hit[np.arange(len(x)), np.argmax(hit, axis=1)] = 1.0
    return np.where(hit.any(axis=1, keepdims=True), first_hit, w)


def _supply(flows: np.ndarray, before: np.ndarray, e_m: np.ndarray, sigma: np.ndarray,
            shares: np.ndarray) -> np.ndarray:
    """:func:`~.params.supply_elasticities`, vectorised: partners on the last axis."""
    internal = flows * (1.0 + before)
    theta = internal / internal.sum(axis=-1, keepdims=True)
    own = theta * e_m - (1.0 - theta) * sigma
    with np.errstate(divide="ignore"):
        return np.where(shares > 0, np.abs(own) * (1.0 - shares) / shares, np.inf)


@cache
def _sectors() -> tuple[np.ndarray, ...]:
    """Per sector: observed flows (K, r), 2024 rates (K, r), E_m (K,), ESUBM (K,), autos (K,)."""
    td = trade_data()
    names = td.sector_names
    return (td.flows.loc[names, list(PARTNERS)].to_numpy(dtype=float),
            rates_2024().loc[names, list(PARTNERS)].to_numpy(dtype=float),
            td.sectors.loc[names, "import_elasticity"].to_numpy(dtype=float),
            td.sectors.loc[names, "substitution_elasticity"].to_numpy(dtype=float),
            np.array([s in ("cars", "auto_parts") for s in names]))


def _param_sets(a: Assumptions) -> list[TradeParams]:
    """The central parameters, then every node of the uncertainty grid (elasticity outer)."""
    return [TradeParams.central(a), *(TradeParams.at(a, qe, qs) for qe in ELASTICITY_NODES
                                      for qs in PASS_THROUGH_NODES)]


@dataclass(frozen=True)
class YearSurface:
    """One year's markets at the nodes: ``nodes`` (K, n) the investor's deal rate by sector,
    ``central`` measure -> (K, n), ``grid`` output -> (K, n, elasticity, pass-through) (USD bn
    a year, 2024 dollars), ``after`` (K,) its no-deal rate."""

    nodes: np.ndarray
    central: dict[str, np.ndarray]
    grid: dict[str, np.ndarray]
    after: np.ndarray


class TariffSurface:
    """The trade model of one investor's no-deal world (pact start, no-deal caps, as-of date,
    trade assumptions) on the node grid, built year by year as asked for, and read per
    variant's deal caps. Callers key it on everything but the deal caps."""

    def __init__(self, pact: Pact, a: Assumptions, as_of: dt.date) -> None:
        self.pact, self.a, self.as_of = pact, a, as_of
        self.investor = partner_of(pact)
        self.i = PARTNERS.index(self.investor)
        rival = RIVAL.get(self.investor)
        self.j = PARTNERS.index(rival) if rival else None
        self._years: dict[tuple[int, int], YearSurface] = {}

    def deal_rates(self, pact: Pact, year: int) -> np.ndarray:
        """The variant's own yearly deal rate by sector, (K,) (exact)."""
        return investor_yearly_rates(pact, year, as_of=self.as_of, ceiling=pact.tariffs.deal,
                                     surcharge=self.a.trade.no_deal_surcharge)

    def read(self, key: tuple[int, int], rates: np.ndarray) -> tuple[dict[str, np.ndarray], ...]:
        """One year's central measures (K,) and grid outputs (K, e, p) at a variant's `rates`."""
        ys = self.year(key)
        w = lagrange_weights(ys.nodes, rates)
        moved = (rates != ys.after)[:, None]      # no change in rates: exactly no effect
        central = {m: (w * v).sum(axis=1) * (moved[:, 0] | (m == "investor_exports"))
                   for m, v in ys.central.items()}
        grid = {m: np.einsum("kn,knep->kep", w * moved, v) for m, v in ys.grid.items()}
        return central, grid

    def year(self, key: tuple[int, int]) -> YearSurface:
        if key not in self._years:
            self._years[key] = self._solve(*key)
        return self._years[key]

    def _solve(self, year: int, horizon: int) -> YearSurface:
        """Every sector's markets at the nodes, the central and grid parameters, at once."""
        a, surcharge = self.a, self.a.trade.no_deal_surcharge
        observed, base, e_m, esubm, autos = _sectors()
        names = trade_data().sector_names
        law = law_yearly_rates(year, self.as_of)
        after = law.copy()
        after[:, self.i] = investor_yearly_rates(self.pact, year, as_of=self.as_of,
                                                 ceiling=self.pact.tariffs.no_deal,
                                                 surcharge=surcharge)
        low = investor_yearly_rates(self.pact, year, as_of=self.as_of, ceiling=FlatCeiling(0.0),
                                    surcharge=surcharge)
        high = investor_yearly_rates(self.pact, year, as_of=self.as_of, ceiling=None,
                                     surcharge=surcharge)
        nodes = _lobatto(low, high, NODES)                               # (K, n)
        k, n, r = len(names), NODES, len(PARTNERS)
        before = np.repeat(law[:, None, :], n, axis=1)
        before[:, :, self.i] = nodes
        hf = horizon_factor(a, horizon)
        sets = _param_sets(a)
        flows = self._moved(observed, base, before, e_m, esubm * sets[0].substitution_scale * hf,
                            self._shares(sets[0], autos))
        # the change to the no-deal rates, for every parameter set
        g = len(sets)
        sigma = np.array([esubm * p.substitution_scale * hf for p in sets])          # (g, K)
        shares = np.stack([self._shares(p, autos) for p in sets])                    # (g, K, r)
        e_x = _supply(flows[None], before[None], e_m[None, :, None, None],
                      sigma[:, :, None, None], shares[:, :, None, :])                # (g, K, n, r)
        big = lambda x: np.broadcast_to(x, (g, k, n, r)).reshape(-1, r)
        sol = solve_one_importer(big(flows[None]), 1.0 + big(before[None]),
                                 1.0 + big(after[None, :, None, :]),
                                 np.broadcast_to(e_m[None, :, None], (g, k, n)).reshape(-1),
                                 np.broadcast_to(sigma[:, :, None], (g, k, n)).reshape(-1),
                                 e_x.reshape(-1, r))
        same = (before == after[:, None, :]).all(axis=2)[None]                       # (1, K, n)
        shape = lambda x: np.where(same, 0.0, x.reshape(g, k, n))
        change = (sol.flows_after.reshape(g, k, n, r) - flows[None])
        change = np.where(same[..., None], 0.0, change)
        mine = change[..., self.i]
        ps = shape(sol.producer_surplus[:, self.i])
        cs, tr = shape(sol.consumer_surplus), shape(sol.tariff_revenue)
        price = shape(sol.world_price_change[:, self.i])
        central = {
            "investor_exports": flows[..., self.i],
            "investor_export_change": mine[0],
            "investor_producer_surplus_change": ps[0],
            "investor_price_change": price[0],
            "rival_export_change": (change[0, ..., self.j] if self.j is not None
                                    else np.full((k, n), np.nan)),
            "us_import_change": change[0].sum(axis=-1),
            "us_consumer_cost": -cs[0],
            "us_tariff_revenue_change": tr[0],
            "us_net_welfare": cs[0] + tr[0],
        }
        nodes_shape = (len(ELASTICITY_NODES), len(PASS_THROUGH_NODES), k, n)
        to_grid = lambda x: np.moveaxis(x[1:].reshape(nodes_shape), (0, 1), (2, 3))
        grid = dict(zip(GRID_OUTPUTS, (to_grid(mine), to_grid(ps), to_grid(-cs), to_grid(tr)),
                        strict=True))
        return YearSurface(nodes, central, grid, after[:, self.i])

    @staticmethod
    def _moved(observed: np.ndarray, base: np.ndarray, before: np.ndarray, e_m: np.ndarray,
               sigma: np.ndarray, shares: np.ndarray) -> np.ndarray:
        """The 2024 flows moved to the deal's rates at every node, central parameters
        (:func:`~.solve.rebased`), (K, n, r)."""
        k, n, r = before.shape
        e_x = np.broadcast_to(_supply(observed, base, e_m[:, None], sigma[:, None], shares)[:, None],
                              (k, n, r))
        flat = lambda x: np.broadcast_to(x, (k, n, r)).reshape(-1, r)
        moved = solve_one_importer(flat(observed[:, None]), 1.0 + flat(base[:, None]), 1.0 + flat(before),
                                   np.repeat(e_m, n), np.repeat(sigma, n), flat(e_x)).flows_after
        unchanged = (flat(base[:, None]) == flat(before)).all(axis=1)
        return np.where(unchanged[:, None], flat(observed[:, None]), moved).reshape(k, n, r)

    @staticmethod
    def _shares(p: TradeParams, autos: np.ndarray) -> np.ndarray:
        """The exporter's share of a tariff by sector and partner, (K, r)."""
        own = np.array([q in ("korea", "japan") for q in PARTNERS])
        return np.where(autos[:, None] & own[None, :], p.exporter_share_autos, p.exporter_share)


def value_added_shares(pact: Pact) -> np.ndarray:
    """The investor's domestic value-added shares of its exports by sector, (K,) (a copy)."""
    return _value_added_shares(pact.parties.investor_code).copy()


@cache
def _value_added_shares(code: str) -> np.ndarray:
    td = trade_data()
    va = td.value_added.loc[code, "domestic_va_share"]
    return va.reindex(td.sector_names).to_numpy(dtype=float)

