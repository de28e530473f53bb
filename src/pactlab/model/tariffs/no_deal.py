r"""What no deal costs: deal vs no-deal rates, year by year, and in present value.

Each year :math:`t` of the horizon (year 0 the pact's base year), the deal's rates give way to
the no-deal rates, at the elasticities of year :math:`t+1` of a change
(:func:`~.params.horizon_factor`), from the 2024 flows moved to the deal's rates at the same
horizon (:func:`~.solve.rebased`).

**Value added lost, per vintage.** The value added at risk :math:`VA_t` builds up over
``trade.years_to_long_run`` as the elasticities rise; each year's *new* loss (its increment over
the year before) fades to its terms-of-trade (producer-surplus) part as labour and capital move,
by its own age, over :math:`A` years (``trade.adjustment_years``):

.. math:: L_t = PS_t + \sum_{k \le t} (\Delta VA_k - \Delta PS_k)\,\phi(t-k), \qquad
          \phi(a) = \max(0, 1 - a/A), \quad \Delta x_k = x_k - x_{k-1},\ x_{-1} = 0

(:func:`vintage_fade`). With an instant build-up (:math:`VA_t = VA_0`, :math:`PS_t = PS_0`) it is
:math:`PS_0 + (VA_0 - PS_0)\,\phi(t)`, the calendar-time fade of pactlab 0.2. The formula is
linear: a loss that shrinks (a negative increment) fades out the same way.

**Nominal dollars.** The model's flows are 2024's, in 2024 dollars; the discount rates and the
reserve side are nominal. Each year's results are grown to that year's dollars at
``trade.nominal_growth``, :math:`G_t = (1+g)^{\,\mathrm{year}_t - 2024}` (:func:`nominal_index`),
once, after the fade (the fade runs on real flows): every table by year, the grid the Monte
Carlo reads, and the present values. The first full year's loss as a share of GDP is in 2024
dollars on both sides.

Central present values weight each year by the chance the deal's relief still stands,
:math:`(1-w)^t` (``trade.deal_withdrawal_prob``), and discount at each party's rate:
:math:`PV = \sum_t G_t L_t (1-w)^t (1+r)^{-t}`. The Monte Carlo's *tariff relief* is the same
sum per path, over the years that path's deal stands (:class:`~pactlab.model.simulation.TradePaths`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...inputs.assumptions import Assumptions
from ...inputs.data.trade import trade_data
from ...inputs.terms.schema import Pact
from .schedule import RIVAL, last_change_year, partner_of, yearly_rates
from .solve import GRID_OUTPUTS, effect_grid, effects
from .surface import SECTOR_MEASURES, TariffSurface, value_added_shares

__all__ = ["FLOWS_YEAR", "MEASURES", "NoDealCost", "TariffCosts", "lasting", "no_deal_cost",
           "nominal_index", "vintage_fade"]

#: the year of the trade flows (data/us_imports_2024.csv), in whose dollars the GSIM results are
FLOWS_YEAR = 2024

#: the tariff model's figures that are not the tariff relief, each with its own name and
#: definition, wherever they are shown (the relief itself: :data:`pactlab.model.gains.TARIFF_RELIEF`)
MEASURES = {
    "investor_value_added_relief": (
        "value added kept, central-parameter PV",
        "the tariff relief's sum at the central elasticities, pass-through and value-added "
        "shares, each year weighted by the chance the deal still stands: not the Monte Carlo's "
        "tariff relief, which averages over the parameters and the withdrawal and snapback draws"),
    "investor_export_relief": (
        "exports kept, central-parameter PV",
        "the exports the deal keeps, in present value at the central parameters (for reference: "
        "not a welfare measure)"),
    "investor_producer_surplus_relief": (
        "terms-of-trade loss avoided, central-parameter PV",
        "the lasting producer-surplus part of the value added kept, in present value at the "
        "central parameters"),
    "host_consumer_saving": (
        "US buyers' saving, central-parameter PV",
        "what US buyers save at the deal's rates, in present value at the central parameters"),
    "host_tariff_revenue_forgone": (
        "US tariff revenue forgone, central-parameter PV",
        "the US tariff revenue the deal gives up, in present value at the central parameters"),
    "first_year_value_added_loss": (
        "first-year value-added loss avoided",
        "the value added at risk in the deal's first full year at the central parameters, before "
        "any adjustment: USD bn a year, in 2024 dollars"),
    "investor_value_added_loss": (
        "value added lost after adjustment",
        "each year's value added lost without the deal at the central parameters, each vintage "
        "fading to its terms-of-trade part: USD bn a year in that year's dollars, what the tariff "
        "relief counts"),
}

def lasting(at_risk: float, terms_of_trade: float, fade: float) -> float:
    """Value added lost after adjustment when the whole loss has one age (an instant build-up).

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


def vintage_fade(values: np.ndarray, fade: np.ndarray) -> np.ndarray:
    r"""Each year's increment faded by its own age, along the first axis (years).

    :math:`(Cx)_t = \sum_{k \le t} (x_k - x_{k-1})\,\phi(t-k)` with :math:`x_{-1} = 0`: the
    convolution of the increments with the fade (module docstring); :math:`L = PS + C(VA - PS)`.

    Parameters
    ----------
    values : ndarray, shape (years, ...)
        A quantity by year (any trailing shape: sectors and the grid's nodes).
    fade : ndarray, shape (years,), fraction
        :math:`\phi` by age, 1 at age 0.

    Returns
    -------
    ndarray, shaped like `values`

    Examples
    --------
    A loss that builds 2, 4, 4 and fades over two years: the first vintage (2) is half gone a
    year on, the second (2) starts whole.

    >>> vintage_fade(np.array([2.0, 4.0, 4.0]), np.array([1.0, 0.5, 0.0])).tolist()
    [2.0, 3.0, 1.0]
    """
    values = np.asarray(values, dtype=float)
    steps = np.diff(values, axis=0, prepend=np.zeros_like(values[:1]))
    age = np.arange(fade.size)[:, None] - np.arange(fade.size)[None, :]
    weights = np.where(age >= 0, fade[np.clip(age, 0, fade.size - 1)], 0.0)   # (t, k)
    return np.tensordot(weights, steps, axes=(1, 0))


def nominal_index(base_year: int, years: int, growth: float) -> np.ndarray:
    """Each year's dollars per 2024 dollar of trade: :math:`(1+g)^{year - 2024}`.

    Parameters
    ----------
    base_year : int
        The pact's base year (year 0).
    years : int
    growth : float, fraction a year
        ``trade.nominal_growth``.

    Returns
    -------
    ndarray, shape (years,)

    Examples
    --------
    >>> nominal_index(2025, 3, 0.1).round(3).tolist()
    [1.1, 1.21, 1.331]
    """
    return (1.0 + growth) ** (base_year + np.arange(years) - FLOWS_YEAR)


@dataclass(frozen=True)
class NoDealCost:
    r"""Deal vs no deal for one pact, year by year, and in present value.

    Attributes
    ----------
    by_year : DataFrame, years x measures, USD bn a year, nominal (each year's dollars)
        At the central parameters: exports lost, value added at risk, value added lost after
        adjustment (per vintage: what the tariff relief counts), the producer-surplus loss, the
        rival's gain, the US side; and ``survival``, the chance the deal still stands (fraction).
    by_sector : DataFrame or None, sectors x measures
        :func:`~.solve.effects` in the first full year of the deal (None if the horizon ends
        before it).
    present_value : dict of str to float, USD bn
        At the central parameters, weighted by the chance the deal stands (the central-parameter
        PVs, not the Monte Carlo's expected tariff relief): the investor's value added kept
        (``investor_value_added_relief``), exports kept, terms-of-trade loss avoided; US buyers'
        saving and the tariff revenue forgone; and the first full year's value-added loss as a
        share of the investor's GDP (fraction, 2024 dollars).
    grid : dict of str to ndarray, shape (years, sectors, elasticity nodes, pass-through nodes)
        Each year's :data:`~.solve.GRID_OUTPUTS` at the nodes of the uncertainty grid, USD bn a
        year in 2024 dollars (before the fade and growth).
    fade : ndarray, shape (years,), fraction
        The share of a vintage of value added at risk still lost at each age, :math:`\phi(a)`.
    value_added_shares : ndarray, shape (sectors,), fraction
        The investor's domestic value-added shares of its exports.
    growth : ndarray, shape (years,)
        Each year's dollars per 2024 dollar, :math:`G_t` (:func:`nominal_index`).
    kept : dict of str to ndarray, shape (years, sectors, elasticity nodes, pass-through nodes)
        What the deal keeps each year at the grid's nodes, USD bn a year, nominal, for the Monte
        Carlo: ``terms_of_trade`` (the producer-surplus part of the value added lost,
        :math:`G(PS - C\,PS)`), ``at_risk`` (exports lost faded per vintage, :math:`G\,C(X)`, to
        be weighed by each path's value-added share), ``consumer`` (US buyers' saving) and
        ``revenue`` (the tariff revenue forgone), where :math:`C` is :func:`vintage_fade`.
    """

    by_year: pd.DataFrame
    by_sector: pd.DataFrame | None
    present_value: dict[str, float]
    grid: dict[str, np.ndarray]
    fade: np.ndarray
    value_added_shares: np.ndarray
    growth: np.ndarray
    kept: dict[str, np.ndarray]


#: trade assumptions the GSIM runs by year do not read (the finished tables read some of them)
_NOT_IN_RUNS = {"deal_withdrawal_prob", "value_added_range", "adjustment_years", "nominal_growth",
                "withdrawal_stops_calls", "pledge_delivery_prob"}


class TariffCosts:
    """Deal-vs-no-deal tariff costs, kept per pact's tariff terms and the assumptions they use.

    The model is deterministic, and comparisons, reports and sweeps ask for the same terms again
    and again. Two levels: the trade model of an investor's no-deal world on the node grid of its
    deal rates (:class:`~.surface.TariffSurface`: the costly part, shared by every variant of the
    deal's caps) and the finished tables (which also depend on the caps, discounting and the
    deal's durability). An explicit cache: whoever holds it (a planner, a sweep's worker)
    decides how long it lives; the tables it hands out are shared and must not be changed.
    """

    def __init__(self) -> None:
        self._surfaces: dict[tuple, TariffSurface] = {}
        self._kept: dict[tuple, NoDealCost] = {}

    def __call__(self, pact: Pact, a: Assumptions, *,
                 as_of: dt.date | None = None) -> NoDealCost:
        """The pact's :class:`NoDealCost` under `a` (see :func:`no_deal_cost`), kept."""
        t, code, tr = pact.tariffs, pact.parties.investor_code, a.trade
        when = tr.as_of if as_of is None else as_of
        world = (t.no_deal.general, tuple(sorted(t.no_deal.sectors.items())), code,
                 pact.schedule.start, when, tr.model_dump_json(exclude=_NOT_IN_RUNS))
        key = (world, t.deal.general, tuple(sorted(t.deal.sectors.items())),
               tr.deal_withdrawal_prob, tr.adjustment_years, tr.nominal_growth,
               a.investor_rate(code), a.discount.host, a.horizon_years, a.country(code).gdp)
        if key not in self._kept:
            if world not in self._surfaces:
                self._surfaces[world] = TariffSurface(pact, a, when)
            self._kept[key] = no_deal_cost(pact, a, as_of=when, surface=self._surfaces[world])
        return self._kept[key]


def _year_keys(pact: Pact, a: Assumptions, years: int, as_of: dt.date) -> list[tuple[int, int]]:
    """Each year's (calendar year, years since the change) of the trade model: a year past the
    last change in rates (or in the elasticities) repeats the last one."""
    base = pact.schedule.base_year
    settled = last_change_year(pact, as_of) + 1   # from here on every year's rates repeat
    steady = a.trade.years_to_long_run     # and from here on the elasticities
    return [(min(year, settled), min(k + 1, steady))
            for k, year in enumerate(range(base, base + years))]


def _direct_runs(pact: Pact, a: Assumptions, years: int,
                 as_of: dt.date) -> list[tuple[pd.DataFrame, dict[str, np.ndarray]]]:
    """Each year's :func:`~.solve.effects` and :func:`~.solve.effect_grid`, deal vs no deal,
    solved directly at the pact's rates (the oracle the surface is tested against)."""
    investor, cached = partner_of(pact), {}
    out = []
    for key in _year_keys(pact, a, years, as_of):
        if key not in cached:
            deal = yearly_rates(key[0], as_of=as_of, pact=pact, scenario="deal",
                                surcharge=a.trade.no_deal_surcharge)
            no = yearly_rates(key[0], as_of=as_of, pact=pact, scenario="no_deal",
                              surcharge=a.trade.no_deal_surcharge)
            cached[key] = (effects(deal, no, a, investor=investor, rival=RIVAL.get(investor),
                                   horizon=key[1]),
                           effect_grid(deal, no, a, investor, horizon=key[1]))
        out.append(cached[key])
    return out


def _sector_table(central: dict[str, np.ndarray], before: np.ndarray, after: np.ndarray,
                  va: np.ndarray) -> pd.DataFrame:
    """:func:`~.solve.effects`' table from a surface's reading (same columns and total row)."""
    gap = after - before
    with np.errstate(divide="ignore", invalid="ignore"):
        borne = np.where(np.abs(gap) > 1e-15, -central["investor_price_change"] * (1 + before) / gap,
                         np.nan)
    summed = {"investor_exports": central["investor_exports"],
              "investor_export_change": central["investor_export_change"],
              "investor_value_added_change": central["investor_export_change"] * va,
              **{m: central[m] for m in SECTOR_MEASURES[2:] if m != "investor_price_change"}}
    columns = {name: np.append(v, v.sum()) for name, v in summed.items()}
    for name, v in (("investor_price_change", central["investor_price_change"]),
                    ("investor_rate_before", before), ("investor_rate_after", after),
                    ("exporter_share", borne)):
        columns[name] = np.append(v, np.nan)       # not summed: NaN in the total row
    order = ["investor_exports", "investor_export_change", "investor_value_added_change",
             "investor_producer_surplus_change", "investor_price_change", "rival_export_change",
             "us_import_change", "us_consumer_cost", "us_tariff_revenue_change", "us_net_welfare",
             "investor_rate_before", "investor_rate_after", "exporter_share"]
    return pd.DataFrame({name: columns[name] for name in order},
                        index=[*trade_data().sector_names, "total"])


def _surface_runs(pact: Pact, a: Assumptions, years: int, as_of: dt.date,
                  surface: TariffSurface) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray],
                                                   pd.DataFrame | None]:
    """The yearly totals, the stacked grid (years, sectors, e, p) and the first full year's
    sector table, read off the surface at the pact's own deal rates."""
    va = value_added_shares(pact)
    read: dict[tuple[int, int], tuple] = {}
    keys = _year_keys(pact, a, years, as_of)
    for key in dict.fromkeys(keys):
        rates = surface.deal_rates(pact, key[0])
        read[key] = (rates, *surface.read(key, rates))
    pick = lambda f: np.array([f(read[key]) for key in keys])
    totals = {
        "investor_export_change": pick(lambda r: r[1]["investor_export_change"].sum()),
        "investor_value_added_change": pick(lambda r: (r[1]["investor_export_change"] * va).sum()),
        "investor_producer_surplus_change":
            pick(lambda r: r[1]["investor_producer_surplus_change"].sum()),
        "rival_export_change": pick(lambda r: r[1]["rival_export_change"].sum()),
        "us_consumer_cost": pick(lambda r: r[1]["us_consumer_cost"].sum()),
        "us_tariff_revenue_change": pick(lambda r: r[1]["us_tariff_revenue_change"].sum()),
    }
    stacked = {name: np.stack([read[key][2][name] for key in keys]) for name in GRID_OUTPUTS}
    table = None
    if years > 1:
        rates, central, _ = read[keys[1]]
        table = _sector_table(central, rates, surface.year(keys[1]).after, va)
    return totals, stacked, table


def _by_year(t: dict[str, np.ndarray], base: int, a: Assumptions, fade: np.ndarray,
             growth: np.ndarray) -> pd.DataFrame:
    """``NoDealCost.by_year`` from each year's totals of its effects (2024 dollars, one array a
    measure): the value added lost faded per vintage, then every measure grown to its year's
    dollars."""
    col = lambda name: np.asarray(t[name], dtype=float)
    at_risk = -col("investor_value_added_change")
    terms_of_trade = -col("investor_producer_surplus_change")
    lost = terms_of_trade + vintage_fade(at_risk - terms_of_trade, fade)
    k = np.arange(at_risk.size)
    return pd.DataFrame({
        "survival": (1.0 - a.trade.deal_withdrawal_prob) ** k,
        "investor_export_loss": -col("investor_export_change") * growth,
        "investor_value_added_at_risk": at_risk * growth,
        "investor_value_added_loss": lost * growth,
        "investor_producer_surplus_loss": terms_of_trade * growth,
        "rival_export_gain": col("rival_export_change") * growth,
        "us_consumer_cost": col("us_consumer_cost") * growth,
        "us_tariff_revenue": col("us_tariff_revenue_change") * growth,
    }, index=pd.Index(base + k, name="year"))


def _kept(stacked: dict[str, np.ndarray], fade: np.ndarray,
          growth: np.ndarray) -> dict[str, np.ndarray]:
    """``NoDealCost.kept``: the grid's yearly results faded per vintage and grown to nominal."""
    g = growth[:, None, None, None]
    terms_of_trade = -stacked["producer_surplus_change"]
    return {"terms_of_trade": g * (terms_of_trade - vintage_fade(terms_of_trade, fade)),
            "at_risk": g * vintage_fade(-stacked["export_change"], fade),
            "consumer": g * stacked["consumer_cost"],
            "revenue": g * stacked["revenue_change"]}


def _present_values(by_year: pd.DataFrame, pact: Pact, a: Assumptions) -> dict[str, float]:
    """The reliefs and costs of ``by_year`` in present value (see the module docstring)."""
    code, base = pact.parties.investor_code, pact.schedule.base_year
    first_full = base + 1
    t = by_year.index.to_numpy() - base
    weight_inv = by_year["survival"] / (1.0 + a.investor_rate(code)) ** t
    weight_host = by_year["survival"] / (1.0 + a.discount.host) ** t
    pv = lambda column, weight: float((by_year[column] * weight).sum())
    growth = nominal_index(base, len(t), a.trade.nominal_growth)
    return {
        "investor_value_added_relief": pv("investor_value_added_loss", weight_inv),
        "investor_export_relief": pv("investor_export_loss", weight_inv),
        "investor_producer_surplus_relief": pv("investor_producer_surplus_loss", weight_inv),
        "host_consumer_saving": pv("us_consumer_cost", weight_host),
        "host_tariff_revenue_forgone": pv("us_tariff_revenue", weight_host),
        "first_year_value_added_loss_share_of_gdp":
            float(by_year.loc[first_full, "investor_value_added_loss"] / growth[1])
            / a.country(code).gdp if first_full in by_year.index else np.nan,
    }


def no_deal_cost(pact: Pact, a: Assumptions, *, years: int | None = None,
                 as_of: dt.date | None = None, surface: TariffSurface | None = None,
                 direct: bool = False) -> NoDealCost:
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
    as_of : date, optional
        The tariffs known on this date (:func:`~.schedule.lines_on`; ``trade.as_of`` if None).
    surface : TariffSurface, optional
        The trade model of the pact's no-deal world on its node grid, shared by every variant of
        the deal's caps (built for this call if None; :class:`TariffCosts` is the way to reuse
        it across pacts).
    direct : bool
        Solve the markets at the pact's own rates instead of reading the surface: the oracle
        the interpolation is tested against (slower; agrees to the interpolation's error).

    Returns
    -------
    NoDealCost
        Tables by year (USD bn a year), present values (USD bn), the grid for the Monte Carlo.
    """
    when = a.trade.as_of if as_of is None else as_of
    base = pact.schedule.base_year
    years = years or a.horizon_years
    fade = np.maximum(0.0, 1.0 - np.arange(years) / a.trade.adjustment_years)
    growth = nominal_index(base, years, a.trade.nominal_growth)
    if direct:
        runs = _direct_runs(pact, a, years, when)
        totals = pd.DataFrame([table.loc["total"] for table, _ in runs]).to_dict("series")
        stacked = {name: np.stack([grid[name] for _, grid in runs]) for name in GRID_OUTPUTS}
        sector_table = runs[1][0] if years > 1 else None    # the first full year
    else:
        totals, stacked, sector_table = _surface_runs(
            pact, a, years, when, surface or TariffSurface(pact, a, when))
    by_year = _by_year(totals, base, a, fade, growth)
    shares = value_added_shares(pact)
    return NoDealCost(by_year=by_year, by_sector=sector_table,
                      present_value=_present_values(by_year, pact, a), grid=stacked, fade=fade,
                      value_added_shares=shares, growth=growth, kept=_kept(stacked, fade, growth))
