"""What no deal costs: US tariffs by partner, sector and year, run through the GSIM model.

* **Schedules as data** (``data/tariff_schedule.csv``): dated rates by partner and tariff
  line (general, autos, parts, steel, …) with their legal basis. On a day, a partner's rate on
  a line is its own latest row in force, else the all-partner row, else its general rate.
  The investor's own rates come from the pact (``tariffs.deal`` or ``tariffs.no_deal``) from
  the pact's start; its rival (Japan for Korea, Korea for Japan) keeps its real schedule.
  With ``legal_shocks``, IEEPA-based rates lapse on 20 Feb 2026 and the Section 122 surcharge
  is added for 150 days; Section 232 rates stand.
* **Sectors** (``data/us_imports_2024.csv``): 2024 US imports by sector and supplier. A
  sector's rate mixes its lines by their trade shares (pharma within chemicals, chips within
  electronics, aluminium within metals).
* **The model**: one GSIM market per sector (importer: the US; suppliers: nine partners),
  GTAP substitution elasticities, export supply calibrated to the share of a tariff exporters
  bear (18% in 2025, more for Japanese and Korean cars). 2024 flows stand for the market in
  equilibrium under the 'before' rates.
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

from . import data
from .assumptions import Assumptions
from .engine.trade import (
    TariffResult,
    own_price_elasticity,
    simulate_tariffs,
    supply_elasticity_for_share,
)
from .errors import PactError
from .terms.schema import Pact, TariffRates

PARTNERS = ("korea", "japan", "eu27", "china", "mexico", "canada", "taiwan", "vietnam",
            "rest_of_world")
BY_CODE = {"KOR": "korea", "JPN": "japan"}
RIVAL = {"korea": "japan", "japan": "korea"}
IEEPA_VOID = dt.date(2026, 2, 20)
# which tariff line sets each sector's rate (the sector's own line, mixed by trade shares)
SECTOR_LINE = {"cars": "autos", "auto_parts": "auto_parts", "steel_aluminium": "steel"}
#: names users may give --sector, from the tariff lines a term sheet uses
SECTOR_ALIASES = {"autos": ["cars", "auto_parts"], "steel": ["steel_aluminium"],
                  "aluminium": ["steel_aluminium"], "chips": ["electronics"],
                  "semiconductors": ["electronics"], "pharma": ["chemicals_pharma"]}
MIXED_LINE = {"chemicals_pharma": "pharma", "electronics": "chips", "steel_aluminium": "aluminium"}


@dataclass(frozen=True)
class TradeData:
    flows: pd.DataFrame          # sector x supplier, USD bn, 2024
    sectors: pd.DataFrame        # elasticities by sector
    line_shares: pd.DataFrame    # (supplier, sector) -> share under the mixed line
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
    shares = data.read_csv("tariff_line_shares.csv").set_index(["supplier", "sector"])["share"]
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
        mixed = MIXED_LINE.get(sector)
        if mixed and mixed in lines:
            share = _line_share(partner, sector)
            base = (1.0 - share) * base + share * lines[mixed]
        out[sector] = base
    return out


@cache
def _line_share(partner: str, sector: str) -> float:
    return float(trade_data().line_shares.get((partner, sector), 0.0))


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


def supply_elasticities(sector: str, before: pd.Series, a: Assumptions) -> pd.Series:
    """Export-supply elasticity by supplier, calibrated so that it bears the assumed share of
    a change in its own tariff (given its share of the US market at the `before` rates)."""
    td = trade_data()
    row = td.sectors.loc[sector]
    internal = td.flows.loc[sector] * (1.0 + before.reindex(td.flows.columns))
    theta = internal / internal.sum()
    own = pd.Series(own_price_elasticity(theta.to_numpy(), float(row["import_elasticity"]),
                                         substitution(sector, a)), index=theta.index)
    out = {}
    for p in PARTNERS:
        share = (a.trade.exporter_share_autos if sector in ("cars", "auto_parts")
                 and p in ("korea", "japan") else a.trade.exporter_share)
        out[p] = supply_elasticity_for_share(share, float(own[p]))
    return pd.Series(out)


def substitution(sector: str, a: Assumptions) -> float:
    """The sector's elasticity of substitution among import sources, as scaled."""
    return float(trade_data().sectors.loc[sector, "substitution_elasticity"]) * a.trade.substitution_scale


def run_sector(sector: str, before: pd.Series, after: pd.Series, a: Assumptions) -> TariffResult:
    """GSIM for one sector: the US buys from every partner; rates are Series by partner."""
    td = trade_data()
    flows = td.flows.loc[[sector]].T.rename(columns={sector: "usa"})
    frame = lambda s: pd.DataFrame({"usa": s.reindex(flows.index).to_numpy()}, index=flows.index)
    row = td.sectors.loc[sector]
    return simulate_tariffs(flows, frame(before), frame(after),
                            import_elasticity=float(row["import_elasticity"]),
                            substitution_elasticity=substitution(sector, a),
                            supply_elasticity=supply_elasticities(sector, before, a))


def effects(before: pd.DataFrame, after: pd.DataFrame, a: Assumptions,
            investor: str = "korea", rival: str | None = "japan") -> pd.DataFrame:
    """Per sector: the investor's and rival's export changes, value added, the US side.

    `before` and `after` are rate tables (sectors x partners). USD bn a year at 2024 values.
    """
    td = trade_data()
    code = {v: k for k, v in BY_CODE.items()}[investor]
    rows = {}
    for sector in td.sector_names:
        r = run_sector(sector, before.loc[sector], after.loc[sector], a)
        change = r.change["usa"]
        va = float(td.value_added.loc[(code, sector), "domestic_va_share"])
        welfare = r.welfare.loc["usa"]
        rows[sector] = {
            "investor_exports": float(td.flows.loc[sector, investor]),
            "investor_export_change": float(change[investor]),
            "investor_value_added_change": float(change[investor]) * va,
            "investor_price_change": float(r.world_price_change[investor]),
            "rival_export_change": float(change[rival]) if rival else np.nan,
            "us_import_change": float(change.sum()),
            "us_consumer_cost": -float(welfare["consumer_surplus"]),
            "us_tariff_revenue_change": float(welfare["tariff_revenue"]),
            "us_net_welfare": float(welfare["net"]),
            "investor_rate_before": float(before.loc[sector, investor]),
            "investor_rate_after": float(after.loc[sector, investor]),
            "exporter_share": float(r.exporter_share.loc[investor, "usa"]),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.loc["total"] = table.sum(numeric_only=True)
    for col in ("investor_price_change", "investor_rate_before", "investor_rate_after",
                "exporter_share"):
        table.loc["total", col] = np.nan
    return table


def what_if(rates: Mapping[str, float], a: Assumptions, *, sectors: list[str] | None = None,
            investor: str = "korea", day: dt.date | None = None,
            legal_shocks: bool | None = None) -> pd.DataFrame:
    """Set partners' rates (e.g. {'korea': 0.25, 'japan': 0.15}) in the given sectors (all if
    None) against the rates in force on `day`; steel and aluminium keep their Section 232 rate
    unless named. Returns :func:`effects`."""
    td = trade_data()
    sectors = list(dict.fromkeys(x for s in (sectors or []) for x in SECTOR_ALIASES.get(s, [s]))) or None
    unknown = set(rates) - set(PARTNERS)
    if unknown:
        raise PactError(f"tariffs: unknown partner(s) {', '.join(sorted(unknown))}; "
                        f"partners are {', '.join(PARTNERS)}")
    bad = set(sectors or []) - set(td.sector_names)
    if bad:
        raise PactError(f"--sector: unknown sector(s) {', '.join(sorted(bad))}; sectors are "
                        f"{', '.join(td.sector_names)} (or {', '.join(SECTOR_ALIASES)})")
    day = day or a.trade.reference_date
    shocks = a.trade.legal_shocks if legal_shocks is None else legal_shocks
    before = rate_table(day, legal_shocks=shocks)
    after = before.copy()
    scope = sectors or [s for s in td.sector_names if s != "steel_aluminium"]
    for partner, rate in rates.items():
        after.loc[scope, partner] = rate
    return effects(before, after, a, investor=investor, rival=RIVAL.get(investor))


@dataclass(frozen=True)
class NoDealCost:
    """Deal vs no deal for one pact, year by year, and in present value."""

    by_year: pd.DataFrame        # year -> totals (USD bn) and the survival weight
    by_sector: pd.DataFrame      # sector -> effects in the first full year of the deal
    present_value: dict[str, float]


class TariffCosts:
    """Deal-vs-no-deal tariff costs, kept per pact's tariff terms and the assumptions they use.

    The model is deterministic, and comparisons, reports and sweeps ask for the same terms again
    and again. Two levels: the GSIM runs by year (the costly part, which depends on the tariffs
    and the trade model only) and the finished tables (which also depend on discounting and the
    deal's durability). An explicit cache: whoever holds it (a planner, a sweep's worker)
    decides how long it lives; the tables it hands out are shared and must not be changed.
    """

    def __init__(self) -> None:
        self._runs: dict[tuple, dict[int, pd.DataFrame]] = {}
        self._kept: dict[tuple, NoDealCost] = {}

    def __call__(self, pact: Pact, a: Assumptions, *, legal_shocks: bool | None = None) -> NoDealCost:
        t, code, tr = pact.tariffs, pact.parties.investor_code, a.trade
        shocks = tr.legal_shocks if legal_shocks is None else legal_shocks
        model = (t.deal.general, tuple(sorted(t.deal.sectors.items())), t.no_deal.general,
                 tuple(sorted(t.no_deal.sectors.items())), code, pact.schedule.start, shocks,
                 tr.exporter_share, tr.exporter_share_autos, tr.substitution_scale)
        key = (model, tr.deal_withdrawal_prob, a.investor_rate(code), a.discount.host,
               a.horizon_years, a.country(code).gdp)
        if key not in self._kept:
            self._kept[key] = no_deal_cost(pact, a, legal_shocks=shocks,
                                           runs=self._runs.setdefault(model, {}))
        return self._kept[key]


def no_deal_cost(pact: Pact, a: Assumptions, *, years: int | None = None,
                 legal_shocks: bool | None = None,
                 runs: dict[int, pd.DataFrame] | None = None) -> NoDealCost:
    """What the investor loses (and the host gains or pays) if the deal's rates give way to the
    no-deal rates, each year; present values weight each year by the chance the deal's relief
    still stands (deal_withdrawal_prob) and discount at each party's rate. `runs` keeps the
    GSIM results by year between calls with the same tariffs and trade model (see
    :class:`TariffCosts`, which is the way to reuse results across pacts)."""
    investor = partner_of(pact)
    shocks = a.trade.legal_shocks if legal_shocks is None else legal_shocks
    base = pact.schedule.base_year
    years = years or a.horizon_years
    first_full = base + 1
    settled = last_change_year(pact) + 1    # from here on every year repeats the last
    cached: dict[int, pd.DataFrame] = {} if runs is None else runs
    rows, sector_table = [], None
    for year in range(base, base + years):
        key = min(year, settled)
        if key not in cached:
            deal = yearly_rates(key, legal_shocks=shocks, pact=pact, scenario="deal")
            no = yearly_rates(key, legal_shocks=shocks, pact=pact, scenario="no_deal")
            cached[key] = effects(deal, no, a, investor=investor, rival=RIVAL.get(investor))
        table = cached[key]
        if year == first_full:
            sector_table = table
        total = table.loc["total"]
        alive = (1.0 - a.trade.deal_withdrawal_prob) ** max(year - base, 0)
        rows.append({"year": year, "survival": alive,
                     "investor_export_loss": -total["investor_export_change"],
                     "investor_value_added_loss": -total["investor_value_added_change"],
                     "rival_export_gain": total["rival_export_change"],
                     "us_consumer_cost": total["us_consumer_cost"],
                     "us_tariff_revenue": total["us_tariff_revenue_change"]})
    by_year = pd.DataFrame(rows).set_index("year")
    t = by_year.index.to_numpy() - base
    weight_inv = by_year["survival"] / (1.0 + a.investor_rate(pact.parties.investor_code)) ** t
    weight_host = by_year["survival"] / (1.0 + a.discount.host) ** t
    gdp = a.country(pact.parties.investor_code).gdp
    pv = {
        "investor_value_added_relief": float((by_year["investor_value_added_loss"] * weight_inv).sum()),
        "investor_export_relief": float((by_year["investor_export_loss"] * weight_inv).sum()),
        "host_consumer_saving": float((by_year["us_consumer_cost"] * weight_host).sum()),
        "host_tariff_revenue_forgone": float((by_year["us_tariff_revenue"] * weight_host).sum()),
        "first_year_value_added_loss_share_of_gdp":
            float(by_year.loc[first_full, "investor_value_added_loss"]) / gdp if first_full in by_year.index else np.nan,
    }
    return NoDealCost(by_year=by_year, by_sector=sector_table, present_value=pv)
