r"""Tariff schedules as data: each partner's US rate by tariff line on a day, and by trade sector.

On a day, a partner's rate on a line is its own latest row in force, else the all-partner row,
else its general rate. Section 122 rows are a surcharge on the general rate (with legal shocks
only); with legal shocks, IEEPA-based rows lapse on :data:`IEEPA_VOID`. A sector's rate mixes
its lines by their trade shares:

.. math:: \tau_s = \tau_{\ell(s)} + \sum_{m \in M(s)} w_{s,m}\,(\tau_m - \tau_{\ell(s)})

with :math:`\ell(s)` the sector's own line (:data:`SECTOR_LINE`, else ``general``),
:math:`M(s)` the lines within it that carry rates of their own (:data:`MIXED_LINES`) and
:math:`w_{s,m}` their shares of the partner's 2024 trade in the sector. A year's rate is the
average of its twelve monthly (first-of-month) rates.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache

import pandas as pd

from ...core.errors import PactError
from ...inputs.data.trade import CODES, PARTNERS, trade_data
from ...inputs.terms.schema import Pact, TariffRates

__all__ = ["BY_CODE", "IEEPA_VOID", "KEPT_LINES", "MIXED_LINES", "RIVAL", "SECTOR_ALIASES",
           "SECTOR_LINE", "last_change_year", "lines_on", "partner_of", "rate_table",
           "rates_2024", "sector_rates", "yearly_rates"]

#: whose exports gain most when the investor's are taxed (reported as the rival's gain); its
#: keys are the investors the tariff model covers (those with value-added data)
RIVAL = {"korea": "japan", "japan": "korea", "taiwan": "korea", "eu27": "japan"}
#: an investor's code -> its partner name, for the investors the model covers (from CODES)
BY_CODE = {CODES[partner]: partner for partner in RIVAL}
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

_Row = tuple[str, str, float, dt.date, dt.date | None, str]


def partner_of(pact: Pact) -> str:
    """The tariff model's name for a pact's investor.

    Parameters
    ----------
    pact : Pact
        A term sheet; its ``parties.investor_code`` must be one of :data:`BY_CODE`.

    Returns
    -------
    str
        The partner, e.g. ``"korea"`` for ``KOR``.

    Raises
    ------
    PactError
        If the tariff model does not cover the investor.
    """
    try:
        return BY_CODE[pact.parties.investor_code]
    except KeyError:
        raise PactError(f"{pact.name}: parties.investor_code: the tariff model covers "
                        f"{', '.join(BY_CODE)}, got {pact.parties.investor_code}") from None


@cache
def _rows() -> tuple[_Row, ...]:
    """The schedule as plain tuples (partner, line, rate, start, end, basis): fast to scan."""
    s = trade_data().schedule
    return tuple((r.partner, r.line, float(r.rate), r.start, None if pd.isna(r.end) else r.end,
                  r.basis) for r in s.itertuples())


def lines_on(partner: str, day: dt.date, *, legal_shocks: bool,
             override: TariffRates | None = None) -> dict[str, float]:
    """A partner's rates by tariff line on a day.

    Parameters
    ----------
    partner : str
        One of :data:`~pactlab.inputs.data.trade.PARTNERS`.
    day : date
        The day the rates are in force.
    legal_shocks : bool
        Whether IEEPA rates lapse on :data:`IEEPA_VOID` and the Section 122 surcharge applies.
    override : TariffRates, optional
        A pact's rates for this partner, over the schedule (its general rate lapses with IEEPA).

    Returns
    -------
    dict of str to float, fractions
        ``general`` and every line with a rate of its own.
    """
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
        rates.update(override.sectors.items())
    rates["general"] = rates.get("general", 0.0) + surcharge
    return rates


def sector_rates(partner: str, lines: Mapping[str, float]) -> dict[str, float]:
    """A partner's rate in each trade sector, its lines mixed by trade shares (module docstring).

    Parameters
    ----------
    partner : str
        One of :data:`~pactlab.inputs.data.trade.PARTNERS`.
    lines : mapping of str to float, fractions
        Its rates by tariff line (:func:`lines_on`); ``general`` is required.

    Returns
    -------
    dict of str to float, fractions
        Sector -> rate, for every trade sector.
    """
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
    """Every partner's rate by sector on a day.

    Parameters
    ----------
    day : date
        The day the rates are in force.
    legal_shocks : bool
        See :func:`lines_on`.
    overrides : mapping of partner to TariffRates, optional
        Rates that replace the schedule's for some partners (a pact's, a what-if's).

    Returns
    -------
    DataFrame, sectors x PARTNERS, fractions
    """
    overrides = overrides or {}
    return pd.DataFrame({p: sector_rates(p, lines_on(p, day, legal_shocks=legal_shocks,
                                                     override=overrides.get(p)))
                         for p in PARTNERS}, index=trade_data().sector_names)


def yearly_rates(year: int, *, legal_shocks: bool, pact: Pact | None = None,
                 scenario: str = "deal") -> pd.DataFrame:
    """A calendar year's average rates: the mean of :func:`rate_table` on the first of each month.

    Parameters
    ----------
    year : int
        Calendar year.
    legal_shocks : bool
        See :func:`lines_on`.
    pact : Pact, optional
        From its ``schedule.start``, its investor's rates are the pact's.
    scenario : {"deal", "no_deal"}
        Which of the pact's rates (``tariffs.deal`` or ``tariffs.no_deal``).

    Returns
    -------
    DataFrame, sectors x PARTNERS, fractions
    """
    tables = []
    for month in range(1, 13):
        day = dt.date(year, month, 1)
        overrides = {}
        if pact is not None and day >= pact.schedule.start:
            overrides[partner_of(pact)] = getattr(pact.tariffs, scenario)
        tables.append(rate_table(day, legal_shocks=legal_shocks, overrides=overrides))
    total = tables[0]
    for table in tables[1:]:
        total = total + table
    return total / 12.0


def last_change_year(pact: Pact) -> int:
    """The last calendar year in which any scheduled rate (or the pact's) changes.

    Parameters
    ----------
    pact : Pact
        Its ``schedule.start`` counts as a change.

    Returns
    -------
    int
        Calendar year; from the year after it, every year's rates repeat.
    """
    dates = [d for row in _rows() for d in (row[3], row[4]) if d is not None]
    return max(max(d.year for d in dates), pact.schedule.start.year, IEEPA_VOID.year)


@cache
def rates_2024() -> pd.DataFrame:
    """The average rates of 2024, at which the 2024 flows were observed.

    Returns
    -------
    DataFrame, sectors x PARTNERS, fractions
    """
    return yearly_rates(2024, legal_shocks=False)
