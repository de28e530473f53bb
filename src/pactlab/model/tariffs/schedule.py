r"""Tariff schedules as data: each partner's US rate by tariff line on a day, as the law was known
on a date (``as_of``), and by trade sector.

**Rows** (``data/tariff_schedule.csv``) are dated duties by partner, tariff line and legal
authority: the base (``mfn``/``fta``), the general authorities :data:`GENERAL` (IEEPA reciprocal
and fentanyl, the Section 122 surcharge, China's Section 301 lists, the forced-labour Section 301)
and Section 232 by product line. A row's ``rule`` is ``base`` (the column-1 or FTA rate
:math:`b`), ``add`` (an additional duty :math:`x`), ``floor`` (an all-in minimum total:
:math:`\max(b, x)`) or ``exempt`` (the authority charges nothing on the line).

**As of a date** :math:`A`: a row that starts after :math:`A` is unknown; its end counts only if
it is on or before :math:`A` or is statutory (s122's 150 days); so after :math:`A` the rates in
force on :math:`A` persist. A row is in force on day :math:`d` if it is known and
:math:`\text{start} \le \min(d, A)` and it has not ended (a counted end before :math:`d`).

**One duty per authority**: on line :math:`\ell`, an authority's duty is its row in force on
that line, else on ``general``; the partner's own rows before the all-partner ones, then the
latest. **Stacking** on line :math:`\ell` with base :math:`b`:

.. math::

    r_\ell = b + \sum_{a \in G} u_a(b), \qquad u_a = x_a \text{ (add)},\;
    \max(0, x_a - b) \text{ (floor)},\; 0 \text{ (exempt)}

    \tau_\ell = s\,\min(c_\ell, t_{232}) + (1 - s)\,\min(c_\ell, r_\ell), \qquad
    t_{232} = b + x \text{ (add)},\; \max(b, x) \text{ (floor)}

An s232 row replaces the general duties on the share :math:`s` of the line it covers (its
``share``; 1 if blank): the IEEPA reciprocal tariff, s122 and the forced-labour s301 all exclude
s232 articles. Without an s232 row, :math:`\tau_\ell = \min(c_\ell, r_\ell)`. :math:`c_\ell` is a
ceiling (none outside a pact).

**Worlds**: ``law`` is the schedule's rows without a scenario plus the ``deal`` rows (the
partners' deals as implemented). ``no_deal`` swaps a partner's ``deal`` rows for its
``no_deal`` rows: pactlab's stated, flagged choice of what it would pay without its deal (the
threatened IEEPA rate before the ruling; after it, the flat forced-labour s301 tier and the
s232 defaults that partners without a deal pay, e.g. Switzerland's and Taiwan's 25% on cars),
plus ``trade.no_deal_surcharge`` on its general duties. **A pact** is read against the
``no_deal`` world of its investor from its ``schedule.start``: with the deal, each line is capped
at the pact's ``tariffs.deal`` rate (:math:`c_\ell`, a ceiling, not a rate in force), without it
at its ``tariffs.no_deal`` rate; so a cap above what the law charges is worth nothing.

A sector's rate mixes its lines by their trade shares:

.. math:: \tau_s = \tau_{\lambda(s)} + \sum_{m \in M(s)} w_{s,m}\,(\tau_m - \tau_{\lambda(s)})

with :math:`\lambda(s)` the sector's own line (:data:`SECTOR_LINE`, else ``general``),
:math:`M(s)` the lines within it that carry rates of their own (:data:`MIXED_LINES`) and
:math:`w_{s,m}` their shares of the partner's 2024 trade in the sector. A year's rate is the
average of its twelve monthly (first-of-month) rates.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from ...core.errors import PactError
from ...inputs.data.trade import CODES, PARTNERS, trade_data
from ...inputs.terms.schema import Pact, TariffRates

__all__ = ["BY_CODE", "FlatCeiling", "GENERAL", "IEEPA_REFUNDS", "IEEPA_VOID", "KEPT_LINES", "MIXED_LINES",
           "NO_DEAL_CASE", "RIVAL", "SECTOR_ALIASES", "SECTOR_LINE", "World", "last_change_year", "lines_on",
           "investor_yearly_rates", "law_yearly_rates", "partner_of", "partner_yearly_rates", "rate_table", "rates_2024", "sector_rates", "yearly_rates"]

#: whose exports gain most when the investor's are taxed (reported as the rival's gain); its
#: keys are the investors the tariff model covers (those with value-added data)
RIVAL = {"korea": "japan", "japan": "korea", "taiwan": "korea", "eu27": "japan",
         "switzerland": "eu27"}
#: an investor's code -> its partner name, for the investors the model covers (from CODES)
BY_CODE = {CODES[partner]: partner for partner in RIVAL}
#: Learning Resources v. Trump: the IEEPA tariffs void (CBP collected them to 23 Feb 2026)
IEEPA_VOID = dt.date(2026, 2, 20)
#: the authorities that tax a line without a Section 232 duty, and stack on its base
GENERAL = ("ieepa_reciprocal", "ieepa_fentanyl", "s122", "s301", "s301_fl")
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
#: what the no-deal case is, in words, for outputs (a stated modelling choice, flagged)
NO_DEAL_CASE = (
    "no deal under the law as of the date (a pactlab choice, flagged: the schedule's no_deal "
    "rows): before the 20 Feb 2026 ruling the threatened IEEPA rate (Korea and Japan 25%, the EU "
    "30%, Switzerland 39%); after it what a partner without a deal pays: the flat forced-labour "
    "s301 tier (12.5%; the EU and Taiwan 10%) and the s232 defaults (cars and parts 25% as "
    "Switzerland and Taiwan pay, patented drugs 100% as Taiwan pays), plus "
    "trade.no_deal_surcharge; every line capped by the pact's tariffs.no_deal")
#: the IEEPA refunds, where a footnote needs them
IEEPA_REFUNDS = (
    "IEEPA duties paid to 23 Feb 2026 are refunded to US importers of record (CIT order of 4 Mar "
    "2026; about $166bn, the Yale Budget Lab's refund_2026): a transfer inside the US, not in the "
    "deals' valuation (the trade they changed happened; the host's tariff revenue before the "
    "ruling is returned in both cases)")
#: ``law``: the rows in force (partners' deals as implemented); ``no_deal``: a partner's deal
#: rows swapped for its no-deal rows (see the module docstring)
World = Literal["law", "no_deal"]


class Ceiling(Protocol):
    """Caps by tariff line (a pact's ``TariffRates``, or one rate on every line)."""

    def rate(self, line: str) -> float: ...


class FlatCeiling:
    """One cap on every line: 0 (the lowest deal rates) or ``inf`` (a partner without its
    deal's caps)."""

    def __init__(self, rate: float) -> None:
        self.value = rate

    def rate(self, line: str) -> float:
        return self.value


@dataclass(frozen=True)
class _Row:
    partner: str
    line: str
    slot: str                 # "base", an authority of GENERAL, or "s232"
    rule: str
    rate: float
    share: float
    start: dt.date
    end: dt.date | None
    statutory: bool
    scenario: str

    def in_force(self, day: dt.date, as_of: dt.date) -> bool:
        """Known on `as_of` and in force on `day` (module docstring)."""
        if self.start > min(day, as_of):
            return False
        if self.end is None or not (self.statutory or self.end <= as_of):
            return True                      # open, or its end not yet known on as_of
        return day <= self.end

    def change_dates(self, as_of: dt.date) -> list[dt.date]:
        """The days this row changes the rates, as known on `as_of`."""
        if self.start > as_of:
            return []
        if self.end is None or not (self.statutory or self.end <= as_of):
            return [self.start]
        return [self.start, self.end + dt.timedelta(days=1)]


@cache
def _rows() -> tuple[_Row, ...]:
    """The schedule's rows for the model's partners (others are ignored until they exist)."""
    s = trade_data().schedule
    known = {*PARTNERS, "all"}
    return tuple(
        _Row(r.partner, r.line, "base" if r.rule == "base" else r.authority, r.rule,
             float(r.rate), float(r.share), r.start, None if pd.isna(r.end) else r.end,
             r.end_basis == "statutory", r.scenario)
        for r in s.itertuples() if r.partner in known)


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


@lru_cache(maxsize=16384)
def _chosen(partner: str, day: dt.date, as_of: dt.date, world: World,
            surcharge: float) -> dict[str, dict[str, _Row]]:
    """line -> slot -> the row that sets it (the partner's own first, then the latest); kept,
    as every variant of a pact reads the same days (callers must not change it)."""
    dropped = "no_deal" if world == "law" else "deal"
    best: dict[str, dict[str, tuple[tuple[bool, dt.date], _Row]]] = {}
    for row in _rows():
        if row.partner not in (partner, "all") or row.scenario == dropped:
            continue
        if not row.in_force(day, as_of):
            continue
        if row.scenario == "no_deal" and row.slot in GENERAL and surcharge:
            row = replace(row, rate=row.rate + surcharge)
        key = (row.partner == partner, row.start)
        slots = best.setdefault(row.line, {})
        if row.slot not in slots or key > slots[row.slot][0]:
            slots[row.slot] = (key, row)
    return {line: {slot: row for slot, (_, row) in slots.items()} for line, slots in best.items()}


def _line_rate(chosen: Mapping[str, Mapping[str, _Row]], line: str, cap: float) -> float:
    """One line's rate from its rows (module docstring: the stacking formula)."""
    own, general = chosen.get(line, {}), chosen.get("general", {})
    pick = lambda slot: own.get(slot) or general.get(slot)
    base_row = pick("base")
    base = 0.0 if base_row is None else base_row.rate
    rest = base
    for slot in GENERAL:
        row = pick(slot)
        if row is not None and row.rule != "exempt":
            rest += row.rate if row.rule == "add" else max(0.0, row.rate - base)
    s232 = own.get("s232")
    if s232 is None:
        return min(cap, rest)
    total = base + s232.rate if s232.rule == "add" else max(base, s232.rate)
    return s232.share * min(cap, total) + (1.0 - s232.share) * min(cap, rest)


def lines_on(partner: str, day: dt.date, *, as_of: dt.date, world: World = "law",
             ceiling: Ceiling | None = None, surcharge: float = 0.0) -> dict[str, float]:
    """A partner's rates by tariff line on a day, as the law was known on `as_of`.

    Parameters
    ----------
    partner : str
        One of :data:`~pactlab.inputs.data.trade.PARTNERS`.
    day : date
        The day the rates are in force.
    as_of : date
        What is known: later rows are unknown, and the rates in force on it persist.
    world : {"law", "no_deal"}
        The law as it stands, or the partner without its deal (module docstring).
    ceiling : TariffRates, optional
        A pact's caps by line (``TariffRates.rate(line)``): ceilings, not rates in force.
    surcharge : float, fraction
        Added to the partner's no-deal general duties (``trade.no_deal_surcharge``).

    Returns
    -------
    dict of str to float, fractions
        ``general`` and every line with a row of its own.

    Examples
    --------
    >>> import datetime as dt
    >>> round(lines_on("korea", dt.date(2026, 3, 1), as_of=dt.date(2026, 10, 9))["general"], 3)
    0.1
    """
    chosen = _chosen(partner, day, as_of, world, surcharge)
    cap = (lambda line: float("inf")) if ceiling is None else ceiling.rate
    return {line: _line_rate(chosen, line, cap(line)) for line in {"general", *chosen}}


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


def rate_table(day: dt.date, *, as_of: dt.date,
               overrides: Mapping[str, TariffRates] | None = None,
               surcharge: float = 0.0) -> pd.DataFrame:
    """Every partner's rate by sector on a day, as the law was known on `as_of`.

    Parameters
    ----------
    day : date
        The day the rates are in force.
    as_of : date
        See :func:`lines_on`.
    overrides : mapping of partner to TariffRates, optional
        A pact's caps for its investor: that partner is read in its ``no_deal`` world, each line
        capped (see :func:`lines_on`); the others follow the law.
    surcharge : float, fraction
        ``trade.no_deal_surcharge``, for the overridden partners.

    Returns
    -------
    DataFrame, sectors x PARTNERS, fractions
    """
    overrides = overrides or {}

    def lines(p: str) -> dict[str, float]:
        if p not in overrides:
            return lines_on(p, day, as_of=as_of)
        return lines_on(p, day, as_of=as_of, world="no_deal", ceiling=overrides[p],
                        surcharge=surcharge)
    return pd.DataFrame({p: sector_rates(p, lines(p)) for p in PARTNERS},
                        index=trade_data().sector_names)


def yearly_rates(year: int, *, as_of: dt.date, pact: Pact | None = None,
                 scenario: str = "deal", surcharge: float = 0.0) -> pd.DataFrame:
    """A calendar year's average rates: the mean of :func:`rate_table` on the first of each month.

    Parameters
    ----------
    year : int
        Calendar year.
    as_of : date
        See :func:`lines_on`.
    pact : Pact, optional
        From its ``schedule.start``, its investor's rates are capped by the pact's.
    scenario : {"deal", "no_deal"}
        Which of the pact's caps (``tariffs.deal`` or ``tariffs.no_deal``).
    surcharge : float, fraction
        ``trade.no_deal_surcharge``.

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
        tables.append(rate_table(day, as_of=as_of, overrides=overrides, surcharge=surcharge))
    total = tables[0]
    for table in tables[1:]:
        total = total + table
    return total / 12.0


def investor_yearly_rates(pact: Pact, year: int, *, as_of: dt.date,
                          ceiling: Ceiling | None, surcharge: float = 0.0) -> np.ndarray:
    """The pact's investor's column of :func:`yearly_rates` alone, under any `ceiling` (the
    pact's deal caps, or none): what a variant of the pact's deal terms changes, and cheap.

    Returns
    -------
    ndarray, shape (sectors,), fractions, in ``trade_data().sector_names`` order
    """
    return partner_yearly_rates(partner_of(pact), year, as_of=as_of, start=pact.schedule.start,
                                ceiling=ceiling, surcharge=surcharge)


def partner_yearly_rates(partner: str, year: int, *, as_of: dt.date, start: dt.date | None,
                         ceiling: Ceiling | None = None, surcharge: float = 0.0) -> np.ndarray:
    """One partner's column of :func:`yearly_rates`, as numbers: the law until `start` (never
    if None), then its no-deal world under `ceiling`. The months whose rows are the same are
    read once.

    Returns
    -------
    ndarray, shape (sectors,), fractions, in ``trade_data().sector_names`` order
    """
    sectors = trade_data().sector_names
    total = np.zeros(len(sectors))
    for chosen, capped, months in _month_groups(partner, year, start or dt.date.max, as_of,
                                                surcharge):
        cap = ceiling.rate if capped and ceiling is not None else (lambda line: float("inf"))
        lines = {line: _line_rate(chosen, line, cap(line)) for line in {"general", *chosen}}
        by_sector = sector_rates(partner, lines)
        total += months * np.array([by_sector[s] for s in sectors])
    return total / 12.0


@lru_cache(maxsize=256)
def law_yearly_rates(year: int, as_of: dt.date) -> np.ndarray:
    """Every partner's yearly rates under the law, (sectors, PARTNERS) (shared: do not change)."""
    return np.stack([partner_yearly_rates(p, year, as_of=as_of, start=None) for p in PARTNERS],
                    axis=1)


@lru_cache(maxsize=4096)
def _month_groups(partner: str, year: int, start: dt.date, as_of: dt.date,
                  surcharge: float) -> tuple[tuple[dict[str, dict[str, _Row]], bool, int], ...]:
    """A year's months grouped by the rows that set the partner's rates: (rows, capped by the
    pact, months)."""
    groups: dict[tuple, list] = {}
    for month in range(1, 13):
        day = dt.date(year, month, 1)
        capped = day >= start
        chosen = (_chosen(partner, day, as_of, "no_deal", surcharge) if capped
                  else _chosen(partner, day, as_of, "law", 0.0))
        key = (capped, frozenset((line, slot, row) for line, slots in chosen.items()
                                 for slot, row in slots.items()))
        groups.setdefault(key, [chosen, capped, 0])[2] += 1
    return tuple((chosen, capped, months) for chosen, capped, months in groups.values())


def _change_years(rows: Iterable[_Row], as_of: dt.date) -> list[int]:
    return [d.year for row in rows for d in row.change_dates(as_of)]


def last_change_year(pact: Pact, as_of: dt.date) -> int:
    """The last calendar year in which any rate known on `as_of` (or the pact's) changes.

    Parameters
    ----------
    pact : Pact
        Its ``schedule.start`` counts as a change.
    as_of : date
        See :func:`lines_on`: rows after it are unknown, and ends after it count only if
        statutory.

    Returns
    -------
    int
        Calendar year; from the year after it, every year's rates repeat.
    """
    return max([*_change_years(_rows(), as_of), pact.schedule.start.year])


@cache
def rates_2024() -> pd.DataFrame:
    """The average rates of 2024, at which the 2024 flows were observed.

    Returns
    -------
    DataFrame, sectors x PARTNERS, fractions
    """
    return yearly_rates(2024, as_of=dt.date(2024, 12, 31))
