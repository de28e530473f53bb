"""The tariff model's embedded data, typed: 2024 US imports by sector and supplier, the sectors'
elasticities, tariff lines' shares of their sectors, the dated tariff schedule and the suppliers'
domestic value-added shares (sources: SOURCES.md, "Trade", and each file's columns).

The suppliers' names and codes live here, once: the CSVs name a supplier by its name
(``korea``) in the flows and schedule and by its code (``KOR``) in the value-added table.

>>> td = trade_data()
>>> td.flows.columns.tolist() == list(PARTNERS)
True
>>> CODES["korea"], float(td.value_added.loc[("KOR", "cars"), "domestic_va_share"])
('KOR', 0.7)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import pandas as pd

from . import read_csv

__all__ = ["CODES", "PARTNERS", "TradeData", "trade_data"]

#: the US's suppliers in the tariff model, in the order of every array over partners
PARTNERS = ("korea", "japan", "eu27", "china", "mexico", "canada", "taiwan", "vietnam",
            "switzerland", "rest_of_world")
#: partner -> the code its data and results go under (the one partner-code map)
CODES = {"korea": "KOR", "japan": "JPN", "eu27": "EU27", "china": "CHN", "mexico": "MEX",
         "canada": "CAN", "taiwan": "TWN", "vietnam": "VNM", "switzerland": "CHE",
         "rest_of_world": "ROW"}


@dataclass(frozen=True)
class TradeData:
    """The tariff model's tables, as read from ``inputs/data``.

    Attributes
    ----------
    flows : DataFrame, sectors x PARTNERS, USD bn a year
        US imports in 2024, at 2024's rates.
    sectors : DataFrame, indexed by sector
        ``substitution_elasticity`` (GTAP ESUBM) and ``import_elasticity`` of each sector.
    line_shares : Series, indexed by (supplier, sector, line), fraction
        The share of a supplier's sector trade under a tariff line with a rate of its own.
    schedule : DataFrame
        Dated rates by partner, tariff line and legal authority: rule, rate and share
        (fractions), start and end (dates; end NaT: open), end_basis, scenario, source and
        confidence (see the file's header and :mod:`pactlab.model.tariffs.schedule`).
    value_added : DataFrame, indexed by (country code, sector)
        ``domestic_va_share``: domestic value added per dollar of gross exports, fraction.
    """

    flows: pd.DataFrame
    sectors: pd.DataFrame
    line_shares: pd.Series
    schedule: pd.DataFrame
    value_added: pd.DataFrame

    @property
    def sector_names(self) -> list[str]:
        """The trade sectors, in the order of every array over sectors."""
        return list(self._sector_names)

    @cached_property
    def _sector_names(self) -> tuple[str, ...]:
        return tuple(self.flows.index)


@cache
def trade_data() -> TradeData:
    """The embedded trade tables, read once (shared: do not change them).

    Returns
    -------
    TradeData
        Flows, sector elasticities, line shares, the tariff schedule and value-added shares.
    """
    flows = read_csv("us_imports_2024.csv").set_index("sector")[list(PARTNERS)]
    schedule = read_csv("tariff_schedule.csv")
    schedule["start"] = pd.to_datetime(schedule["start"]).dt.date
    schedule["end"] = pd.to_datetime(schedule["end"]).dt.date
    schedule["share"] = schedule["share"].fillna(1.0)
    schedule[["end_basis", "scenario"]] = schedule[["end_basis", "scenario"]].fillna("")
    shares = read_csv("tariff_line_shares.csv").set_index(["supplier", "sector", "line"])["share"]
    return TradeData(flows=flows, sectors=read_csv("trade_sectors.csv").set_index("sector"),
                     line_shares=shares, schedule=schedule,
                     value_added=read_csv("value_added.csv").set_index(["country", "sector"]))
