"""What no deal costs: US tariffs by partner, sector and year, run through the GSIM model.

* **Schedules as data** (``data/tariff_schedule.csv``): dated rates by partner and tariff
  line (general, cars, auto_parts, steel, …) with their legal basis. On a day, a partner's rate on
  a line is its own latest row in force, else the all-partner row, else its general rate.
  The investor's own rates come from the pact (``tariffs.deal`` or ``tariffs.no_deal``) from
  the pact's start; its rival (Japan for Korea, Korea for Japan) keeps its real schedule.
  With ``legal_shocks``, IEEPA-based rates lapse on 20 Feb 2026 and the Section 122 surcharge
  is added for 150 days; Section 232 rates stand.
* **Sectors** (``data/us_imports_2024.csv``): 2024 US imports by sector and supplier, observed
  at 2024's rates and moved by the model to each scenario's 'before' rates. A
  sector's rate mixes its lines by their trade shares (pharmaceuticals within chemicals,
  semiconductors within electronics, aluminium within metals). One vocabulary throughout:
  tariff lines cars, auto_parts, steel, aluminium, pharmaceuticals, semiconductors, lumber,
  aircraft; ``--sector autos`` stays as a shorthand for cars and parts.
* **The model**: one GSIM market per sector (importer: the US; suppliers: nine partners),
  GTAP substitution elasticities, export supply calibrated to the share of a tariff exporters
  bear (18% in 2025, more for Japanese and Korean cars).
* **The investor**: exports lost, value added lost (domestic value-added shares of exports)
  and that as a share of GDP; **the host**: tariff revenue and the cost to US buyers.

Years are calendar years; a year's rate is the average of its monthly rates.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ..core.errors import PactError
from ..engine.trade import (
    MarketSolution,
    own_price_elasticity,
    solve_markets,
    supply_elasticity_for_share,
)
from ..inputs import data
from ..inputs.assumptions import Assumptions
from ..inputs.terms.schema import Pact, TariffRates

PARTNERS = ("korea", "japan", "eu27", "china", "mexico", "canada", "taiwan", "vietnam",
            "rest_of_world")
BY_CODE = {"KOR": "korea", "JPN": "japan", "TWN": "taiwan", "EU27": "eu27"}
#: whose exports gain most when the investor's are taxed (reported as the rival's gain)
RIVAL = {"korea": "japan", "japan": "korea", "taiwan": "korea", "eu27": "japan"}
IEEPA_VOID = dt.date(2026, 2, 20)
# which tariff line sets each sector's rate (the sector's own line, mixed by trade shares)
SECTOR_LINE = {"cars": "cars", "auto_parts": "auto_parts", "steel_aluminium": "steel"}
#: names users may give --sector, from the tariff lines a term sheet uses
SECTOR_ALIASES = {"autos": ["cars", "auto_parts"], "steel": ["steel_aluminium"],
                  "aluminium": ["steel_aluminium"], "semiconductors": ["electronics"],
                  "pharmaceuticals": ["chemicals_pharmaceuticals"]}
#: lines a what-if's partner rate leaves alone: Section 232 metals and the April 2025 exemptions
KEPT_LINES = frozenset({"steel", "aluminium", "pharmaceuticals", "semiconductors", "phones",
                        "computers", "energy"})
#: the lines inside a trade sector that can carry a rate of their own, mixed by trade shares
MIXED_LINES = {"chemicals_pharmaceuticals": ("pharmaceuticals",),
               "electronics": ("semiconductors", "phones"), "machinery": ("computers",),
               "steel_aluminium": ("aluminium",), "other": ("energy",)}


@dataclass(frozen=True)
class TradeData:
    flows: pd.DataFrame          # sector x supplier, USD bn, 2024
    sectors: pd.DataFrame        # elasticities by sector
    line_shares: pd.Series       # (supplier, sector, line) -> share of the sector under the line
    schedule: pd.DataFrame
    value_added: pd.DataFrame    # (country, sector) -> domestic value-added share

    @property
    def sector_names(self) -> list[str]:
        return list(self.flows.index)


@cache
def trade_data() -> TradeData:
    flows = data.read_csv("us_imports_2024.csv").set_index("sector")[list(PARTNERS)]
    schedule = data.read_csv("tariff_schedule.csv")
    schedule["start"] = pd.to_datetime(schedule["start"]).dt.date
    schedule["end"] = pd.to_datetime(schedule["end"]).dt.date
    shares = data.read_csv("tariff_line_shares.csv").set_index(["supplier", "sector", "line"])["share"]
    return TradeData(flows=flows, sectors=data.read_csv("trade_sectors.csv").set_index("sector"),
                     line_shares=shares, schedule=schedule,
                     value_added=data.read_csv("value_added.csv").set_index(["country", "sector"]))


def partner_of(pact: Pact) -> str:
    try:
        return BY_CODE[pact.parties.investor_code]
    except KeyError:
        raise PactError(f"{pact.name}: parties.investor_code: the tariff model covers "
                        f"{', '.join(BY_CODE)}, got {pact.parties.investor_code}") from None


@cache
def _rows() -> tuple[tuple, ...]:
    """The schedule as plain tuples (partner, line, rate, start, end, basis): fast to scan."""
    s = trade_data().schedule
    return tuple((r.partner, r.line, float(r.rate), r.start, None if pd.isna(r.end) else r.end, r.basis)
                 for r in s.itertuples())


def lines_on(partner: str, day: dt.date, *, legal_shocks: bool,
             override: TariffRates | None = None) -> dict[str, float]:
    """A partner's rates by tariff line on a day ('general' and the lines with rates of their own)."""
    lapsed = legal_shocks and day >= IEEPA_VOID
    best: dict[str, tuple[bool, dt.date, float]] = {}
    surcharge = 0.0
    for who, line, rate, start, end, basis in _rows():
        if who not in (partner, "all") or start > day or (end is not None and end < day):
            continue
        if basis == "s122":
            surcharge += rate if legal_shocks else 0.0
            continue
        if lapsed and basis == "ieepa":
            continue
        key = (who == partner, start)           # the partner's own rows first, then the latest
        if line not in best or key > best[line][:2]:
            best[line] = (*key, rate)
    rates = {line: rate for line, (_, _, rate) in best.items()}
    if override is not None:
        # the pact's general rate rests on IEEPA: after the ruling it lapses like the others
        if not lapsed:
            rates["general"] = override.general
        rates.update(override.sectors)
    rates["general"] = rates.get("general", 0.0) + surcharge
    return rates


def sector_rates(partner: str, lines: Mapping[str, float]) -> dict[str, float]:
    """A partner's rate in each trade sector, from its rates by tariff line."""
    td = trade_data()
    general = lines["general"]
    out = {}
    for sector in td.sector_names:
        base = lines.get(SECTOR_LINE.get(sector, ""), general)
        rate = base
        for line in MIXED_LINES.get(sector, ()):
            if line in lines:
                share = _line_share(partner, sector, line)
                rate += share * (lines[line] - base)
        out[sector] = rate
    return out


@cache
def _line_share(partner: str, sector: str, line: str) -> float:
    return float(trade_data().line_shares.get((partner, sector, line), 0.0))


def rate_table(day: dt.date, *, legal_shocks: bool,
               overrides: Mapping[str, TariffRates] | None = None) -> pd.DataFrame:
    """Every partner's rate by sector on a day: sectors x partners."""
    overrides = overrides or {}
    return pd.DataFrame({p: sector_rates(p, lines_on(p, day, legal_shocks=legal_shocks,
                                                     override=overrides.get(p)))
                         for p in PARTNERS}, index=trade_data().sector_names)


def yearly_rates(year: int, *, legal_shocks: bool, pact: Pact | None = None,
                 scenario: str = "deal") -> pd.DataFrame:
    """The average over the year's months of `rate_table`, with the pact's rates for its
    investor from its start date."""
    total = None
    for month in range(1, 13):
        day = dt.date(year, month, 1)
        overrides = {}
        if pact is not None and day >= pact.schedule.start:
            overrides[partner_of(pact)] = getattr(pact.tariffs, scenario)
        table = rate_table(day, legal_shocks=legal_shocks, overrides=overrides)
        total = table if total is None else total + table
    return total / 12.0


def last_change_year(pact: Pact) -> int:
    """The last calendar year in which any scheduled rate (or the pact's) changes."""
    dates = [d for row in _rows() for d in (row[3], row[4]) if d is not None]
    return max(max(d.year for d in dates), pact.schedule.start.year, IEEPA_VOID.year)


@dataclass(frozen=True)
class TradeParams:
    """One draw of the tariff model's uncertain parameters."""

    substitution_scale: float      # long-run substitution among sources = ESUBM x this
    exporter_share: float          # share of a tariff change its exporter bears
    exporter_share_autos: float    # the same for Korean and Japanese cars and parts

    @classmethod
    def central(cls, a: Assumptions) -> TradeParams:
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


def triangular(q, low: float, mode: float, high: float):
    """The inverse CDF of a triangular distribution (degenerate ranges give the mode)."""
    q = np.asarray(q, dtype=float)
    if high <= low:
        return np.full_like(q, mode) if q.ndim else float(mode)
    cut = (mode - low) / (high - low)
    out = np.where(q < cut, low + np.sqrt(q * (high - low) * (mode - low)),
                   high - np.sqrt((1 - q) * (high - low) * (high - mode)))
    return out if q.ndim else float(out)


def horizon_factor(a: Assumptions, horizon: int | None) -> float:
    """The elasticity in year `horizon` (1: the first year of a change) as a share of the long
    run: short_run_share in year 1, rising linearly to 1 in year years_to_long_run (Boehm,
    Levchenko & Pandalai-Nayar 2023); None is the long run."""
    t = a.trade
    if horizon is None or t.years_to_long_run <= 1:
        return 1.0
    rise = min(max(horizon - 1, 0) / (t.years_to_long_run - 1), 1.0)
    return t.short_run_share + (1.0 - t.short_run_share) * rise


def substitution(sector: str, a: Assumptions, *, params: TradeParams | None = None,
                 horizon: int | None = None) -> float:
    """The sector's elasticity of substitution among import sources, for a draw of the
    parameters (central if None) and a horizon (long run if None)."""
    scale = (params or TradeParams.central(a)).substitution_scale
    esubm = float(trade_data().sectors.loc[sector, "substitution_elasticity"])
    return esubm * scale * horizon_factor(a, horizon)


@cache
def _sector_inputs(sector: str) -> tuple[np.ndarray, float, bool]:
    """(flows by partner in PARTNERS order, import-demand elasticity, autos?) of a sector."""
    td = trade_data()
    return (td.flows.loc[sector, list(PARTNERS)].to_numpy(dtype=float),
            float(td.sectors.loc[sector, "import_elasticity"]), sector in ("cars", "auto_parts"))


@cache
def rates_2024() -> pd.DataFrame:
    """The average rates of 2024, at which the 2024 flows were observed (sectors x partners)."""
    return yearly_rates(2024, legal_shocks=False)


def rebased(sector: str, before: np.ndarray, a: Assumptions) -> np.ndarray:
    """The sector's 2024 flows moved to the `before` rates: observed at 2024's rates, they are
    not the equilibrium at 2026's. The exact model, central long-run parameters."""
    flows = _sector_inputs(sector)[0]
    base = rates_2024().loc[sector, list(PARTNERS)].to_numpy(dtype=float)
    return solve_sector(sector, base, before, a, flows=flows).flows_after[:, 0]


def supply_elasticities(sector: str, before: np.ndarray, a: Assumptions, *,
                        params: TradeParams | None = None, horizon: int | None = None,
                        flows: np.ndarray | None = None) -> np.ndarray:
    """Export-supply elasticity by partner (PARTNERS order), calibrated so that each bears its
    assumed share of a change in its own tariff, given the own-price elasticity it faces in the
    US market at the `before` rates (with `flows` at those rates; 2024's if None)."""
    params = params or TradeParams.central(a)
    observed, e_m, autos = _sector_inputs(sector)
    flows = observed if flows is None else flows
    internal = flows * (1.0 + before)
    theta = internal / internal.sum()
    own = own_price_elasticity(theta, e_m, substitution(sector, a, params=params, horizon=horizon))
    shares = [params.exporter_share_autos if autos and p in ("korea", "japan")
              else params.exporter_share for p in PARTNERS]
    return np.array([supply_elasticity_for_share(s, float(o)) for s, o in zip(shares, own, strict=True)])


def solve_sector(sector: str, before: np.ndarray, after: np.ndarray, a: Assumptions, *,
                 params: TradeParams | None = None, horizon: int | None = None,
                 method: str = "exact", flows: np.ndarray | None = None) -> MarketSolution:
    """One sector's market (the US buying from every partner) for rates by partner, from
    `flows` in equilibrium at the `before` rates (2024's observed flows if None)."""
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


def effects(before: pd.DataFrame, after: pd.DataFrame, a: Assumptions,
            investor: str = "korea", rival: str | None = "japan", *,
            params: TradeParams | None = None, horizon: int | None = None) -> pd.DataFrame:
    """Per sector: the investor's and rival's export changes, value added at risk, its
    producer surplus (terms of trade), the US side — for a draw of the parameters (central if
    None) and a horizon (long run if None). `before` and `after` are rate tables (sectors x
    partners). USD bn a year at 2024 prices, from 2024's flows moved to the `before` rates
    (:func:`rebased`)."""
    td = trade_data()
    code = {v: k for k, v in BY_CODE.items()}[investor]
    i, j = PARTNERS.index(investor), PARTNERS.index(rival) if rival else None
    rows = {}
    for sector in td.sector_names:
        b = before.loc[sector, list(PARTNERS)].to_numpy(dtype=float)
        f = after.loc[sector, list(PARTNERS)].to_numpy(dtype=float)
        flows = rebased(sector, b, a)
        m = solve_sector(sector, b, f, a, params=params, horizon=horizon, flows=flows)
        change = m.flows_after[:, 0] - flows
        va = float(td.value_added.loc[(code, sector), "domestic_va_share"])
        rows[sector] = {
            "investor_exports": float(flows[i]),
            "investor_export_change": float(change[i]),
            "investor_value_added_change": float(change[i]) * va,
            "investor_producer_surplus_change": float(m.producer_surplus[i]),
            "investor_price_change": float(m.world_price_change[i]),
            "rival_export_change": float(change[j]) if rival else np.nan,
            "us_import_change": float(change.sum()),
            "us_consumer_cost": -float(m.consumer_surplus[0]),
            "us_tariff_revenue_change": float(m.tariff_revenue[0]),
            "us_net_welfare": float(m.consumer_surplus[0] + m.tariff_revenue[0]),
            "investor_rate_before": float(b[i]),
            "investor_rate_after": float(f[i]),
            "exporter_share": (float(-m.world_price_change[i] * (1 + b[i]) / (f[i] - b[i]))
                               if abs(f[i] - b[i]) > 1e-15 else np.nan),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.loc["total"] = table.sum(numeric_only=True)
    for col in ("investor_price_change", "investor_rate_before", "investor_rate_after",
                "exporter_share"):
        table.loc["total", col] = np.nan
    return table


#: quantile nodes of the uncertainty grid: long-run elasticity scale x pass-through; each
#: path interpolates its own draw between them
ELASTICITY_NODES = np.linspace(0.0, 1.0, 5)
PASS_THROUGH_NODES = np.linspace(0.0, 1.0, 3)
GRID_OUTPUTS = ("export_change", "producer_surplus_change", "consumer_cost", "revenue_change")


def effect_grid(before: pd.DataFrame, after: pd.DataFrame, a: Assumptions, investor: str, *,
                horizon: int | None = None) -> dict[str, np.ndarray]:
    """The investor's export change and producer-surplus change, the US consumer cost and
    tariff-revenue change, by sector, at every node of the uncertainty grid: arrays (sectors,
    elasticity nodes, pass-through nodes)."""
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
        flows = rebased(sector, b, a)
        for e, qe in enumerate(ELASTICITY_NODES):
            for s, qs in enumerate(PASS_THROUGH_NODES):
                m = solve_sector(sector, b, f, a, params=TradeParams.at(a, qe, qs), horizon=horizon,
                                 flows=flows)
                change = m.flows_after[:, 0] - flows
                out["partner_export_change"][k, :, e, s] = change
                out["export_change"][k, e, s] = change[i]
                out["producer_surplus_change"][k, e, s] = m.producer_surplus[i]
                out["consumer_cost"][k, e, s] = -m.consumer_surplus[0]
                out["revenue_change"][k, e, s] = m.tariff_revenue[0]
    return out


def corners(q: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For quantiles `q`, the index of the node below each and the weight of the node above."""
    x = np.clip(q, 0.0, 1.0) * (len(nodes) - 1)
    lo = np.minimum(np.floor(x).astype(np.int64), len(nodes) - 2)
    return lo, x - lo


def interpolate(grid: np.ndarray, q_elasticity: np.ndarray, q_pass_through: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of a node grid (..., elasticity nodes, pass-through nodes) at each
    path's quantiles; returns (..., paths)."""
    e0, we = corners(q_elasticity, ELASTICITY_NODES)
    s0, ws = corners(q_pass_through, PASS_THROUGH_NODES)
    g = lambda e, s: grid[..., e, s]
    return ((1 - we) * (1 - ws) * g(e0, s0) + we * (1 - ws) * g(e0 + 1, s0)
            + (1 - we) * ws * g(e0, s0 + 1) + we * ws * g(e0 + 1, s0 + 1))


#: partner -> the code its results are reported under
CODES = {"korea": "KOR", "japan": "JPN", "eu27": "EU27", "china": "CHN", "mexico": "MEX",
         "canada": "CAN", "taiwan": "TWN", "vietnam": "VNM", "rest_of_world": "ROW"}


def lasting(at_risk, terms_of_trade, fade):
    """Value added lost after adjustment: what is at risk while resources have not moved
    (`fade` = 1), the terms-of-trade loss once they have (`fade` = 0)."""
    return terms_of_trade + (at_risk - terms_of_trade) * fade


@dataclass(frozen=True)
class NoDealCost:
    """Deal vs no deal for one pact, year by year, and in present value.

    `by_year` is at the central parameters: exports lost, value added at risk, value added
    lost after adjustment (what feeds the investor's tariff relief: the value added at risk,
    fading over ``trade.adjustment_years`` to the lasting producer-surplus, i.e. terms-of-trade,
    loss as labour and capital move), that producer-surplus loss, the rival's gain, the US side. `grid` holds each year's
    results at the nodes of the uncertainty grid, (years, sectors, elasticity, pass-through),
    for the Monte Carlo; `fade` the share of value added still lost in each year."""

    by_year: pd.DataFrame        # year -> totals (USD bn) and the survival weight
    by_sector: pd.DataFrame      # sector -> effects in the first full year of the deal
    present_value: dict[str, float]
    grid: dict[str, np.ndarray]
    fade: np.ndarray             # (years,)
    value_added_shares: np.ndarray   # (sectors,) the investor's domestic value-added shares


class TariffCosts:
    """Deal-vs-no-deal tariff costs, kept per pact's tariff terms and the assumptions they use.

    The model is deterministic, and comparisons, reports and sweeps ask for the same terms again
    and again. Two levels: the GSIM runs by year (the costly part, which depends on the tariffs
    and the trade model only) and the finished tables (which also depend on discounting and the
    deal's durability). An explicit cache: whoever holds it (a planner, a sweep's worker)
    decides how long it lives; the tables it hands out are shared and must not be changed.
    """

    def __init__(self) -> None:
        self._runs: dict[tuple, dict[tuple[int, int], tuple[pd.DataFrame, dict]]] = {}
        self._kept: dict[tuple, NoDealCost] = {}

    def __call__(self, pact: Pact, a: Assumptions, *, legal_shocks: bool | None = None) -> NoDealCost:
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


def no_deal_cost(pact: Pact, a: Assumptions, *, years: int | None = None,
                 legal_shocks: bool | None = None,
                 runs: dict[tuple[int, int], tuple[pd.DataFrame, dict]] | None = None) -> NoDealCost:
    """What the investor loses (and the host gains or pays) if the deal's rates give way to the
    no-deal rates, each year; present values weight each year by the chance the deal's relief
    still stands (deal_withdrawal_prob) and discount at each party's rate. `runs` keeps the
    GSIM results by year between calls with the same tariffs and trade model (see
    :class:`TariffCosts`, which is the way to reuse results across pacts)."""
    investor = partner_of(pact)
    code = pact.parties.investor_code
    shocks = a.trade.legal_shocks if legal_shocks is None else legal_shocks
    base = pact.schedule.base_year
    years = years or a.horizon_years
    first_full = base + 1
    settled = last_change_year(pact) + 1    # from here on every year's rates repeat the last
    steady = a.trade.years_to_long_run     # and from here on the elasticities
    cached: dict[tuple[int, int], tuple[pd.DataFrame, dict]] = {} if runs is None else runs
    rates: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
    rows, grids, sector_table = [], [], None
    fade = np.maximum(0.0, 1.0 - np.arange(years) / a.trade.adjustment_years)
    for k, year in enumerate(range(base, base + years)):
        key = (min(year, settled), min(k + 1, steady))
        if key not in cached:
            if key[0] not in rates:
                rates[key[0]] = (yearly_rates(key[0], legal_shocks=shocks, pact=pact, scenario="deal"),
                                 yearly_rates(key[0], legal_shocks=shocks, pact=pact, scenario="no_deal"))
            deal, no = rates[key[0]]
            cached[key] = (effects(deal, no, a, investor=investor, rival=RIVAL.get(investor),
                                   horizon=key[1]),
                           effect_grid(deal, no, a, investor, horizon=key[1]))
        table, grid = cached[key]
        grids.append(grid)
        if year == first_full:
            sector_table = table
        total = table.loc["total"]
        alive = (1.0 - a.trade.deal_withdrawal_prob) ** max(year - base, 0)
        rows.append({"year": year, "survival": alive,
                     "investor_export_loss": -total["investor_export_change"],
                     "investor_value_added_at_risk": -total["investor_value_added_change"],
                     "investor_value_added_loss": lasting(-total["investor_value_added_change"],
                                                          -total["investor_producer_surplus_change"],
                                                          fade[k]),
                     "investor_producer_surplus_loss": -total["investor_producer_surplus_change"],
                     "rival_export_gain": total["rival_export_change"],
                     "us_consumer_cost": total["us_consumer_cost"],
                     "us_tariff_revenue": total["us_tariff_revenue_change"]})
    by_year = pd.DataFrame(rows).set_index("year")
    t = by_year.index.to_numpy() - base
    weight_inv = by_year["survival"] / (1.0 + a.investor_rate(code)) ** t
    weight_host = by_year["survival"] / (1.0 + a.discount.host) ** t
    gdp = a.country(code).gdp
    pv = {
        "investor_value_added_relief": float((by_year["investor_value_added_loss"] * weight_inv).sum()),
        "investor_export_relief": float((by_year["investor_export_loss"] * weight_inv).sum()),
        "investor_producer_surplus_relief":
            float((by_year["investor_producer_surplus_loss"] * weight_inv).sum()),
        "host_consumer_saving": float((by_year["us_consumer_cost"] * weight_host).sum()),
        "host_tariff_revenue_forgone": float((by_year["us_tariff_revenue"] * weight_host).sum()),
        "first_year_value_added_loss_share_of_gdp":
            float(by_year.loc[first_full, "investor_value_added_loss"]) / gdp if first_full in by_year.index else np.nan,
    }
    stacked = {name: np.stack([g[name] for g in grids]) for name in GRID_OUTPUTS}   # years first
    va = trade_data().value_added.loc[code, "domestic_va_share"]
    shares = va.reindex(trade_data().sector_names).to_numpy(dtype=float)
    return NoDealCost(by_year=by_year, by_sector=sector_table, present_value=pv, grid=stacked,
                      fade=fade, value_added_shares=shares)
