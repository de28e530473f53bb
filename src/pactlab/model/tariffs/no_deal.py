r"""What no deal costs: deal vs no-deal rates, year by year, and in present value.

Each year :math:`t` of the horizon (year 0 the pact's base year), the deal's rates give way to
the no-deal rates, at the elasticities of year :math:`t+1` of a change
(:func:`~.params.horizon_factor`). The investor's value added lost after adjustment fades from
the value added at risk to the lasting terms-of-trade (producer-surplus) loss as labour and
capital move, over :math:`A` years (``trade.adjustment_years``):

.. math:: L_t = PS_t + (VA_t - PS_t)\,\phi_t, \qquad \phi_t = \max(0, 1 - t/A)

Present values weight each year by the chance the deal's relief still stands,
:math:`(1-w)^t` (``trade.deal_withdrawal_prob``), and discount at each party's rate:
:math:`PV = \sum_t L_t (1-w)^t (1+r)^{-t}`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...inputs.assumptions import Assumptions
from ...inputs.data.trade import trade_data
from ...inputs.terms.schema import Pact
from .schedule import RIVAL, last_change_year, partner_of, yearly_rates
from .solve import GRID_OUTPUTS, effect_grid, effects

__all__ = ["NoDealCost", "Runs", "TariffCosts", "lasting", "no_deal_cost"]

#: the GSIM results by (calendar year, years since the change), kept between calls
Runs = dict[tuple[int, int], tuple[pd.DataFrame, dict[str, np.ndarray]]]


def lasting(at_risk: float, terms_of_trade: float, fade: float) -> float:
    """Value added lost after adjustment, :math:`L_t` above.

    Parameters
    ----------
    at_risk : float, USD bn a year
        Value added at risk while resources have not moved.
    terms_of_trade : float, USD bn a year
        The producer-surplus (terms-of-trade) loss once they have.
    fade : float, fraction
        1: nothing has moved yet; 0: fully adjusted.

    Returns
    -------
    float, USD bn a year

    Examples
    --------
    >>> lasting(10.0, 2.0, 0.25)
    4.0
    """
    return terms_of_trade + (at_risk - terms_of_trade) * fade


@dataclass(frozen=True)
class NoDealCost:
    r"""Deal vs no deal for one pact, year by year, and in present value.

    Attributes
    ----------
    by_year : DataFrame, years x measures, USD bn a year
        At the central parameters: exports lost, value added at risk, value added lost after
        adjustment (what feeds the investor's tariff relief), the producer-surplus loss, the
        rival's gain, the US side; and ``survival``, the chance the deal still stands (fraction).
    by_sector : DataFrame or None, sectors x measures
        :func:`~.solve.effects` in the first full year of the deal (None if the horizon ends
        before it).
    present_value : dict of str to float, USD bn
        The investor's and the host's reliefs and costs in present value; and the first full
        year's value-added loss as a share of the investor's GDP (fraction).
    grid : dict of str to ndarray, shape (years, sectors, elasticity nodes, pass-through nodes)
        Each year's :data:`~.solve.GRID_OUTPUTS` at the nodes of the uncertainty grid, USD bn a
        year, for the Monte Carlo.
    fade : ndarray, shape (years,), fraction
        The share of value added at risk still lost in each year, :math:`\phi_t`.
    value_added_shares : ndarray, shape (sectors,), fraction
        The investor's domestic value-added shares of its exports.
    """

    by_year: pd.DataFrame
    by_sector: pd.DataFrame | None
    present_value: dict[str, float]
    grid: dict[str, np.ndarray]
    fade: np.ndarray
    value_added_shares: np.ndarray


class TariffCosts:
    """Deal-vs-no-deal tariff costs, kept per pact's tariff terms and the assumptions they use.

    The model is deterministic, and comparisons, reports and sweeps ask for the same terms again
    and again. Two levels: the GSIM runs by year (the costly part, which depends on the tariffs
    and the trade model only) and the finished tables (which also depend on discounting and the
    deal's durability). An explicit cache: whoever holds it (a planner, a sweep's worker)
    decides how long it lives; the tables it hands out are shared and must not be changed.
    """

    def __init__(self) -> None:
        self._runs: dict[tuple, Runs] = {}
        self._kept: dict[tuple, NoDealCost] = {}

    def __call__(self, pact: Pact, a: Assumptions, *,
                 legal_shocks: bool | None = None) -> NoDealCost:
        """The pact's :class:`NoDealCost` under `a` (see :func:`no_deal_cost`), kept."""
        t, code, tr = pact.tariffs, pact.parties.investor_code, a.trade
        shocks = tr.legal_shocks if legal_shocks is None else legal_shocks
        model = (t.deal.general, tuple(sorted(t.deal.sectors.items())), t.no_deal.general,
                 tuple(sorted(t.no_deal.sectors.items())), code, pact.schedule.start, shocks,
                 tr.model_dump_json(exclude={"deal_withdrawal_prob", "value_added_range",
                                             "adjustment_years"}))
        key = (model, tr.deal_withdrawal_prob, tr.adjustment_years, a.investor_rate(code),
               a.discount.host, a.horizon_years, a.country(code).gdp)
        if key not in self._kept:
            self._kept[key] = no_deal_cost(pact, a, legal_shocks=shocks,
                                           runs=self._runs.setdefault(model, {}))
        return self._kept[key]


def _runs_by_year(pact: Pact, a: Assumptions, years: int, shocks: bool,
                  cached: Runs) -> list[tuple[pd.DataFrame, dict[str, np.ndarray]]]:
    """Each year's :func:`~.solve.effects` and :func:`~.solve.effect_grid`, deal vs no deal;
    a year past the last change in rates (or in the elasticities) repeats the last one run."""
    investor = partner_of(pact)
    base = pact.schedule.base_year
    settled = last_change_year(pact) + 1    # from here on every year's rates repeat the last
    steady = a.trade.years_to_long_run     # and from here on the elasticities
    rates: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
    out = []
    for k, year in enumerate(range(base, base + years)):
        key = (min(year, settled), min(k + 1, steady))
        if key not in cached:
            if key[0] not in rates:
                rates[key[0]] = (
                    yearly_rates(key[0], legal_shocks=shocks, pact=pact, scenario="deal"),
                    yearly_rates(key[0], legal_shocks=shocks, pact=pact, scenario="no_deal"))
            deal, no = rates[key[0]]
            cached[key] = (effects(deal, no, a, investor=investor, rival=RIVAL.get(investor),
                                   horizon=key[1]),
                           effect_grid(deal, no, a, investor, horizon=key[1]))
        out.append(cached[key])
    return out


def _year_row(year: int, survival: float, total: pd.Series, fade: float) -> dict[str, Any]:
    """One year's line of ``NoDealCost.by_year``, from the ``total`` row of its effects."""
    return {"year": year, "survival": survival,
            "investor_export_loss": -total["investor_export_change"],
            "investor_value_added_at_risk": -total["investor_value_added_change"],
            "investor_value_added_loss": lasting(-total["investor_value_added_change"],
                                                 -total["investor_producer_surplus_change"],
                                                 fade),
            "investor_producer_surplus_loss": -total["investor_producer_surplus_change"],
            "rival_export_gain": total["rival_export_change"],
            "us_consumer_cost": total["us_consumer_cost"],
            "us_tariff_revenue": total["us_tariff_revenue_change"]}


def _present_values(by_year: pd.DataFrame, pact: Pact, a: Assumptions) -> dict[str, float]:
    """The reliefs and costs of ``by_year`` in present value (see the module docstring)."""
    code, base = pact.parties.investor_code, pact.schedule.base_year
    first_full = base + 1
    t = by_year.index.to_numpy() - base
    weight_inv = by_year["survival"] / (1.0 + a.investor_rate(code)) ** t
    weight_host = by_year["survival"] / (1.0 + a.discount.host) ** t
    pv = lambda column, weight: float((by_year[column] * weight).sum())
    return {
        "investor_value_added_relief": pv("investor_value_added_loss", weight_inv),
        "investor_export_relief": pv("investor_export_loss", weight_inv),
        "investor_producer_surplus_relief": pv("investor_producer_surplus_loss", weight_inv),
        "host_consumer_saving": pv("us_consumer_cost", weight_host),
        "host_tariff_revenue_forgone": pv("us_tariff_revenue", weight_host),
        "first_year_value_added_loss_share_of_gdp":
            float(by_year.loc[first_full, "investor_value_added_loss"]) / a.country(code).gdp
            if first_full in by_year.index else np.nan,
    }


def no_deal_cost(pact: Pact, a: Assumptions, *, years: int | None = None,
                 legal_shocks: bool | None = None, runs: Runs | None = None) -> NoDealCost:
    """What the investor loses (and the host gains or pays) if the deal's rates give way to the
    no-deal rates, each year, and in present value (see the module docstring).

    Parameters
    ----------
    pact : Pact
        Its ``tariffs.deal`` and ``tariffs.no_deal`` rates, from its ``schedule.start``.
    a : Assumptions
        The trade model (``trade.*``), discount rates and the investor's GDP.
    years : int, optional
        The horizon (``horizon_years`` if None).
    legal_shocks : bool, optional
        See :func:`~.schedule.lines_on` (``trade.legal_shocks`` if None).
    runs : Runs, optional
        Keeps the GSIM results by year between calls with the same tariffs and trade model
        (:class:`TariffCosts` is the way to reuse results across pacts).

    Returns
    -------
    NoDealCost
        Tables by year (USD bn a year), present values (USD bn), the grid for the Monte Carlo.
    """
    code = pact.parties.investor_code
    shocks = a.trade.legal_shocks if legal_shocks is None else legal_shocks
    base = pact.schedule.base_year
    years = years or a.horizon_years
    fade = np.maximum(0.0, 1.0 - np.arange(years) / a.trade.adjustment_years)
    runs_by_year = _runs_by_year(pact, a, years, shocks, {} if runs is None else runs)
    rows = [_year_row(year, (1.0 - a.trade.deal_withdrawal_prob) ** max(year - base, 0),
                      table.loc["total"], fade[k])
            for k, (year, (table, _)) in enumerate(zip(range(base, base + years), runs_by_year,
                                                       strict=True))]
    by_year = pd.DataFrame(rows).set_index("year")
    sector_table = runs_by_year[1][0] if years > 1 else None    # the first full year
    stacked = {name: np.stack([grid[name] for _, grid in runs_by_year]) for name in GRID_OUTPUTS}
    va = trade_data().value_added.loc[code, "domestic_va_share"]
    shares = va.reindex(trade_data().sector_names).to_numpy(dtype=float)
    return NoDealCost(by_year=by_year, by_sector=sector_table,
                      present_value=_present_values(by_year, pact, a), grid=stacked, fade=fade,
                      value_added_shares=shares)
