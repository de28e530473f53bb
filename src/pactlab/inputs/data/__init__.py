"""Embedded default data sets; each number's source is in SOURCES.md, provenance.toml or a column."""
from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

_DATA = resources.files(__package__)


def read_csv(name: str) -> pd.DataFrame:
    """A CSV shipped in pactlab/data ('#' lines are comments)."""
    with (_DATA / name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#")


def load_toml(name: str) -> dict[str, Any]:
    """A TOML file shipped in pactlab/data."""
    return tomllib.loads((_DATA / name).read_text(encoding="utf-8"))


@cache
def pipeline() -> pd.DataFrame:
    """Named candidate projects (deal-facts §5): project, archetype, capex, candidate_for, …"""
    return read_csv("pipeline.csv")


@cache
def provenance() -> dict[str, dict[str, str]]:
    """Dotted assumption key -> {'source': …, 'confidence': …}."""
    return load_toml("provenance.toml")


@cache
def macro() -> pd.DataFrame:
    """Macro-financial data by country and indicator (USD bn unless stated), with sources."""
    return read_csv("macro.csv").set_index(["country", "indicator"])


@cache
def host_gdp(code: str = "USA") -> float:
    """The host's GDP, USD bn (data/host.csv; NaN for a host without a row)."""
    table = read_csv("host.csv").set_index(["country", "indicator"])
    return float(table.loc[(code, "gdp"), "value"]) if (code, "gdp") in table.index else float("nan")


@cache
def tariffs_as_of() -> dt.date:
    """The last date the tariff timeline is verified to: a constant of the data (the
    ``# as_of = YYYY-MM-DD`` line of ``tariff_schedule.csv``), never the clock; the default of
    ``trade.as_of``."""
    with (_DATA / "tariff_schedule.csv").open("r", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# as_of = "):
                return dt.date.fromisoformat(line.removeprefix("# as_of = ")[:10])
    raise ValueError("tariff_schedule.csv: no '# as_of = YYYY-MM-DD' line")


def as_of(investor_code: str | None = None) -> dict[str, str]:
    """How current the embedded data are, for manifests."""
    out = {"trade_flows": "calendar 2024 (US Census)",
           "tariff_schedule": f"verified to {tariffs_as_of().isoformat()} "
                              "(shared research, tariffs-2026.md)",
           "deal_terms": "public reports to mid-April 2026 (shared research, deal-facts.md)"}
    if investor_code is not None and (investor_code, "reserves") in macro().index:
        out["reserves"] = str(macro().loc[(investor_code, "reserves"), "period"])
    return out


@cache
def ara_calibration(country: str) -> float:
    """The factor that anchors a rebuilt ARA metric to the IMF's published level: the IMF's
    metric in the calibration year (reserves over its published ratio) over the rebuild from
    national series for the same year (data/ara_calibration.csv); 1 without calibration data."""
    table = read_csv("ara_calibration.csv").set_index(["country", "item"])["value"]
    if (country, "imf_ara_ratio") not in table.index:
        return 1.0
    imf_metric = table[(country, "reserves")] / table[(country, "imf_ara_ratio")]
    return float(imf_metric / table[(country, "national_rebuild")])
