"""What no deal costs: US tariffs by partner, sector and year, run through the GSIM model.

* **Schedules as data** (``data/tariff_schedule.csv``): dated duties by partner, tariff line
  (general, cars, auto_parts, steel, …) and legal authority (MFN/FTA base, IEEPA reciprocal and
  fentanyl, s122, s301, the forced-labour s301, s232 by product), read **as of a date**
  (``trade.as_of``, ``--as-of``; default: the data's own, 9 Oct 2026): later rows are unknown and
  the rates in force on it persist, so ``--as-of 2025-11-14`` is the world at the Korean MOU's
  signing and the default is today's (the IEEPA tariffs void from 20 Feb 2026, s122 for its 150
  days, the forced-labour s301 from 24 Jul 2026). How the authorities stack is in
  :mod:`.schedule`. From the pact's start the investor is read without its deal (the schedule's
  flagged ``no_deal`` rows) and each line is capped by the pact: ``tariffs.deal`` with the deal,
  ``tariffs.no_deal`` without — ceilings on what the law charges, not rates in force. Its rival
  (Japan for Korea, Korea for Japan) keeps the law as it is.
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

The package, by idea: :mod:`.schedule` (dated rates by partner and line, rate tables, yearly
rates), :mod:`.params` (the uncertain parameters: substitution, export supply, horizon),
:mod:`.solve` (the GSIM market per sector, its effects and the uncertainty grid),
:mod:`.surface` (the markets solved once on a node grid of the investor's deal rates, read by
interpolation for every variant of the deal's caps) and :mod:`.no_deal` (deal vs no deal by
year, in present value, and its cache). The data tables
and the partners' names and codes are in :mod:`pactlab.inputs.data.trade`.
"""
from __future__ import annotations

from ...inputs.data.trade import CODES, PARTNERS, TradeData, trade_data
from .no_deal import (
    FLOWS_YEAR,
    MEASURES,
    NoDealCost,
    TariffCosts,
    lasting,
    no_deal_cost,
    nominal_index,
    vintage_fade,
)
from .params import TradeParams, horizon_factor, substitution, supply_elasticities, triangular
from .schedule import (
    BY_CODE,
    GENERAL,
    IEEPA_REFUNDS,
    IEEPA_VOID,
    KEPT_LINES,
    MIXED_LINES,
    NO_DEAL_CASE,
    RIVAL,
    SECTOR_ALIASES,
    SECTOR_LINE,
    FlatCeiling,
    World,
    investor_yearly_rates,
    last_change_year,
    law_yearly_rates,
    lines_on,
    partner_of,
    partner_yearly_rates,
    rate_table,
    rates_2024,
    sector_rates,
    yearly_rates,
)
from .solve import (
    ELASTICITY_NODES,
    GRID_OUTPUTS,
    PASS_THROUGH_NODES,
    corners,
    effect_grid,
    effects,
    interpolate,
    rebased,
    solve_sector,
)
from .surface import NODES, SECTOR_MEASURES, TariffSurface, lagrange_weights, value_added_shares

__all__ = [
    "BY_CODE", "CODES", "FlatCeiling", "ELASTICITY_NODES", "GENERAL", "GRID_OUTPUTS", "IEEPA_REFUNDS", "IEEPA_VOID",
    "KEPT_LINES", "MIXED_LINES", "NO_DEAL_CASE", "PARTNERS", "PASS_THROUGH_NODES", "RIVAL", "SECTOR_ALIASES", "SECTOR_LINE",
    "NoDealCost", "TariffCosts", "TradeData", "TradeParams", "World", "corners", "effect_grid",
    "effects", "horizon_factor", "interpolate", "lasting", "last_change_year", "lines_on",
    "no_deal_cost", "partner_of", "rate_table", "rates_2024", "rebased", "sector_rates",
    "solve_sector", "substitution", "supply_elasticities", "trade_data", "triangular",
    "yearly_rates",
    # the value added lost per vintage, in nominal dollars (no_deal)
    "FLOWS_YEAR", "MEASURES", "nominal_index", "vintage_fade",
    # the markets on the node grid of the investor's deal rates (surface)
    "NODES", "SECTOR_MEASURES", "TariffSurface", "investor_yearly_rates", "lagrange_weights",
    "law_yearly_rates", "partner_yearly_rates", "value_added_shares",
]
