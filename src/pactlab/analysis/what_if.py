"""Tariff what-ifs against the rates in force on a day, read by sector (long run, first year) with
their ranges over the trade model's uncertain parameters, drawn from the Monte Carlo's own
streams: :func:`what_if` sets partners' rates on the lines a change can move;
:func:`schedule_change` moves from the rates in force on one date to those on another (e.g. the
year-one export loss of 2025's actual schedule, to set beside a published estimate)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import PactError
from ..inputs.assumptions import Assumptions
from ..model.futures import futures
from ..model.tariffs import (
    CODES,
    KEPT_LINES,
    PARTNERS,
    RIVAL,
    SECTOR_ALIASES,
    SECTOR_LINE,
    effect_grid,
    effects,
    interpolate,
    lines_on,
    rate_table,
    sector_rates,
    trade_data,
)

__all__ = ["WhatIf", "schedule_change", "what_if"]


@dataclass(frozen=True)
class WhatIf:
    """A tariff change: by sector at the central parameters (long run and first year), and the
    ranges over the parameters' uncertainty: `ranges[measure][code][horizon]` is
    ``{"p5", "p50", "p95"}`` in USD bn a year, for measure ``exports_lost`` (every partner) and
    ``value_added_lost`` (those with value-added data), horizon ``first_year`` or ``long_run``."""

    by_sector: pd.DataFrame
    first_year: pd.DataFrame
    ranges: dict[str, dict[str, dict[str, dict[str, float]]]]
    draws: int


def what_if(rates: Mapping[str, float], a: Assumptions, *, sectors: list[str] | None = None,
            investor: str = "korea", day: dt.date | None = None, draws: int = 2_000,
            seed: int = 0) -> WhatIf:
    """Set partners' rates against the rates in force on a day.

    Every line moves to the rate but steel and aluminium (Section 232, unless their sector is
    named) and the lines exempt from the general tariffs (pharmaceuticals, semiconductors,
    phones, computers, energy), which keep their own rates.

    Parameters
    ----------
    rates : mapping of partner to float, fractions
        E.g. ``{"korea": 0.25, "japan": 0.15}``.
    a : Assumptions
        The trade model; ``trade.as_of`` is what is known of the schedule.
    sectors : list of str, optional
        The sectors the change applies to (or aliases such as ``autos``); all if None.
    investor : str
        Whose losses the tables report (its rival beside it).
    day : date, optional
        The rates 'before' are those in force on it (``trade.as_of`` if None).
    draws, seed : int
        Draws of the elasticities, pass-through and value-added shares for the ranges (the
        Monte Carlo's own streams, from `seed`).

    Returns
    -------
    WhatIf

    Raises
    ------
    PactError
        On an unknown partner or sector.
    """
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
    as_of = a.trade.as_of
    day = day or as_of
    before = rate_table(day, as_of=as_of)
    after = before.copy()
    scope = sectors or [s for s in td.sector_names if s != "steel_aluminium"]
    kept = KEPT_LINES - ({"steel", "aluminium"} if "steel_aluminium" in (sectors or ()) else set())
    for partner, rate in rates.items():
        lines = lines_on(partner, day, as_of=as_of)
        changed = {line: rate for line in {*lines, *SECTOR_LINE.values()} if line not in kept}
        after.loc[scope, partner] = pd.Series(sector_rates(partner, {**lines, **changed}))[scope]
    return _what_if(before, after, a, investor, draws, seed)


def schedule_change(start: dt.date, end: dt.date, a: Assumptions, *, investor: str = "korea",
                    draws: int = 2_000, seed: int = 0) -> WhatIf:
    """The move from the rates in force on `start` to those in force on `end` (every partner's,
    as known on ``trade.as_of``), from 2024's flows moved to the `start` rates.

    The first-year table is the year-one loss of the actual schedule (at the first-year
    elasticities), to set beside a published year-one estimate; its rates are the schedule's on
    the two days, not a year's average.

    Parameters
    ----------
    start, end : date
        The days whose rates in force are 'before' and 'after'.
    a : Assumptions
        The trade model and ``trade.as_of``.
    investor : str
        Whose losses the tables report.
    draws, seed : int
        As in :func:`what_if`.

    Returns
    -------
    WhatIf

    Examples
    --------
    >>> import datetime as dt, pactlab as pl
    >>> w = schedule_change(dt.date(2024, 12, 31), dt.date(2025, 12, 31), pl.load_assumptions(),
    ...                     draws=20)
    >>> bool(w.first_year.loc["total", "investor_export_change"] < 0)
    True
    """
    as_of = a.trade.as_of
    return _what_if(rate_table(start, as_of=as_of), rate_table(end, as_of=as_of), a, investor,
                    draws, seed)


def _what_if(before: pd.DataFrame, after: pd.DataFrame, a: Assumptions, investor: str,
             draws: int, seed: int) -> WhatIf:
    rival = RIVAL.get(investor)
    return WhatIf(effects(before, after, a, investor=investor, rival=rival),
                  effects(before, after, a, investor=investor, rival=rival, horizon=1),
                  _ranges(before, after, a, investor, draws, seed), draws)


def _ranges(before, after, a, investor: str, draws: int, seed: int) -> dict:
    td = trade_data()
    blocks = [b.trade for b in futures(draws, seed, a).blocks()]
    q_e = np.concatenate([t.elasticity for t in blocks])
    q_p = np.concatenate([t.pass_through for t in blocks])
    q_v = np.concatenate([t.value_added for t in blocks])
    low, _, high = a.trade.span("value_added")
    multiplier = low + q_v * (high - low)
    out: dict = {"exports_lost": {}, "value_added_lost": {}}
    for horizon, name in ((1, "first_year"), (None, "long_run")):
        grid = effect_grid(before, after, a, investor, horizon=horizon)["partner_export_change"]
        for j, partner in enumerate(PARTNERS):
            code = CODES[partner]
            lost = np.zeros(q_p.size)
            value = np.zeros(q_p.size)
            has_va = code in td.value_added.index.get_level_values(0)
            for k, sector in enumerate(td.sector_names):
                change = interpolate(grid[k, j], q_e[:, k], q_p)
                lost -= change
                if has_va:
                    value -= change * float(td.value_added.loc[(code, sector), "domestic_va_share"]) * multiplier[:, k]
            out["exports_lost"].setdefault(code, {})[name] = _spread(lost)
            if has_va:
                out["value_added_lost"].setdefault(code, {})[name] = _spread(value)
    return out


def _spread(values: np.ndarray) -> dict[str, float]:
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {"p5": float(p5), "p50": float(p50), "p95": float(p95)}
