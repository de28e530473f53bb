"""How the chance of a reserve crisis hangs on its assumptions: a grid of the sudden-stop
probability against the non-pact flows or the growth of short-term debt, with the pact and with
no pact; and the investor's yearly funding capacity beside the pact's calls.

Each cell is a full evaluation of the pact under changed assumptions (nine a pact), so the
grid runs on at most :data:`CRISIS_PATHS` futures, whatever the evaluation it accompanies used:
:func:`crisis_paths` is the one place that cap is applied.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from ..core.errors import PactError
from ..engine.funding import FxSpec
from ..inputs.assumptions import Assumptions, load_assumptions
from ..inputs.terms import Pact, load_pact
from ..model.tariffs import TariffCosts
from .backtest import CODES as HISTORY_CODES
from .backtest import FIT_THROUGH, History, fit
from .batch import plan_all, resolve_futures, value_all

__all__ = ["CRISIS_GROWTH", "CRISIS_PATHS", "STD_GROWTH", "STOP_PROBS", "crisis_paths",
           "crisis_rows", "crisis_sensitivity", "crisis_tables", "funding_capacity"]

#: the sudden-stop probabilities the crisis table spans (Korea's 3 in 30 years in the middle)
STOP_PROBS = (0.05, 0.10, 0.15)
#: the growth rates of short-term debt the table spans beside the default: none, and 2005–2025's
#: endpoint rate (65.9 to 179.0, data/korea_history.csv)
STD_GROWTH = (0.0, 0.05)
#: what the crisis table's columns can vary: the label each column carries
CRISIS_GROWTH = {"non_pact_flow": "non-pact flows (% of GDP)", "std_growth": "short-term debt grows"}
#: the most futures a crisis table runs on (each of its cells is a whole evaluation)
CRISIS_PATHS = 2_000


class Evaluated(Protocol):
    """What a crisis table is run for (an :class:`~pactlab.analysis.valuation.Evaluation`)."""

    @property
    def label(self) -> str: ...
    @property
    def pact(self) -> Pact: ...
    @property
    def paths(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def assumptions(self) -> Assumptions: ...


def crisis_paths(paths: int) -> int:
    """The futures a crisis table runs on beside an evaluation on `paths` futures.

    Parameters
    ----------
    paths : int
        The futures the evaluation (or the command) uses.

    Returns
    -------
    int
        ``min(paths, CRISIS_PATHS)``.
    """
    return min(paths, CRISIS_PATHS)


def _levels(pact: Pact, base: Assumptions, growth: str) -> tuple[str, tuple[float, ...]]:
    """The assumption key the columns vary and its levels (fractions a year): the non-pact flows
    of Korea's 2016–2025 (outflow) regime, the default, and its 2005–2015 (inflow) regime (fitted
    as :func:`pactlab.analysis.backtest.fit` fits the default); or short-term debt's growth."""
    code = pact.parties.investor_code
    m = base.country(code)
    if growth == "non_pact_flow" and code not in HISTORY_CODES:
        return f"macro.{code}.non_pact_flow", (m.non_pact_flow,)   # no history to fit regimes on
    if growth == "non_pact_flow":
        h = History.load()
        regimes = (fit(h, int(h.years[-1]), base, since=FIT_THROUGH + 1).non_pact_flow,
                   m.non_pact_flow, fit(h, FIT_THROUGH, base).non_pact_flow)
        return f"macro.{code}.non_pact_flow", tuple(dict.fromkeys(round(g, 5) for g in regimes))
    if growth == "std_growth":
        levels = (STD_GROWTH[0], m.std_growth, STD_GROWTH[1])
        return f"macro.{code}.std_growth", tuple(dict.fromkeys(round(g, 5) for g in levels))
    raise PactError(f"growth: {growth!r}; the crisis table varies {', '.join(CRISIS_GROWTH)}")


def _p_crisis(pact: Pact, paths: int, seed: int, a: Assumptions,
              shared: TariffCosts) -> tuple[float, float]:
    """P(crisis) with the pact and with no pact: one evaluation's ``fx`` metrics."""
    f = resolve_futures(None, paths, seed, a)
    (valued,) = value_all(plan_all([pact], f.assumptions, tariff_costs=shared), f)
    fx = valued.metrics["fx"]
    return fx["p_crisis"], fx["p_crisis_no_pact"]


def crisis_sensitivity(pact: Pact | str, paths: int = CRISIS_PATHS, seed: int = 0, *,
                       assumptions: Assumptions | None = None,
                       growth: str = "non_pact_flow") -> pd.DataFrame:
    """P(reserve crisis within the FX horizon) with the pact and with no pact, as the chance of a
    sudden stop a year and the non-pact flows (or short-term debt's growth) vary — the
    assumptions the crisis probability hangs on.

    Parameters
    ----------
    pact : Pact or str
        The pact (or a preset name / .toml path).
    paths : int
        Futures per cell (each cell is a whole evaluation; callers cap it with
        :func:`crisis_paths`).
    seed : int
        The futures' seed (the same in every cell).
    assumptions : Assumptions or None
        The assumptions the grid varies (default: the shipped ones).
    growth : {"non_pact_flow", "std_growth"}
        ``non_pact_flow``: the investor's net non-pact flows into reserves (share of GDP) of
        Korea's 2016–2025 regime, the default (the whole history) and the 2005–2015 regime;
        ``std_growth``: the growth of short-term debt (0, the default, 5% a year).

    Returns
    -------
    DataFrame, shape (3, 2 * levels), fractions
        Rows: the sudden-stop probability a year (``STOP_PROBS``); columns: (growth level, case),
        case ``pact`` or ``no pact``; NaN where no reserve-crisis test applies.

    Raises
    ------
    PactError
        When `growth` is neither of the two.
    """
    base = assumptions or load_assumptions()
    pact = load_pact(pact) if isinstance(pact, str) else pact
    key, levels = _levels(pact, base, growth)
    cells, shared = {}, TariffCosts()     # the tariff model does not move with these assumptions
    for stop in STOP_PROBS:
        for g in levels:
            a = base.with_values({"fx.sudden_stop_prob": stop, key: g})
            cells[(stop, g)] = _p_crisis(pact, paths, seed, a, shared)
    columns = pd.MultiIndex.from_product([levels, ["pact", "no pact"]], names=[growth, "case"])
    table = pd.DataFrame([[v for g in levels for v in cells[(stop, g)]] for stop in STOP_PROBS],
                         index=pd.Index(STOP_PROBS, name="sudden_stop_prob"), columns=columns)
    return table.astype(float)


def crisis_tables(evaluations: Sequence[Evaluated]) -> dict[str, pd.DataFrame]:
    """The crisis tables a report shows: one per pact whose investor has a reserve-crisis test
    (elsewhere every cell would be 0), each on :func:`crisis_paths` of its evaluation's futures.

    Parameters
    ----------
    evaluations : sequence of Evaluation
        The evaluations reported (their pact, paths, seed and assumptions).

    Returns
    -------
    dict of str to DataFrame
        By evaluation label, in order: :func:`crisis_sensitivity` under the evaluation's
        assumptions, shape (3, 2 * levels), fractions.
    """
    return {ev.label: crisis_sensitivity(ev.pact, crisis_paths(ev.paths), ev.seed,
                                         assumptions=ev.assumptions)
            for ev in evaluations
            if ev.assumptions.country(ev.pact.parties.investor_code).ara_applicable}


def crisis_rows(table: pd.DataFrame) -> list[dict[str, float | str]]:
    """A :func:`crisis_sensitivity` table in long form, a row per cell.

    Parameters
    ----------
    table : DataFrame, shape (stops, 2 * levels), fractions
        A :func:`crisis_sensitivity` table.

    Returns
    -------
    list of dict, length stops * 2 * levels
        ``sudden_stop_prob``, the growth (named as the table's columns), ``case`` and
        ``p_crisis`` (a fraction).
    """
    growth = table.columns.names[0]
    return [{"sudden_stop_prob": stop, growth: g, "case": case,
             "p_crisis": float(table.loc[stop, (g, case)])}
            for stop in table.index for g, case in table.columns]



#: the funding-capacity table's columns, in order
CAPACITY_COLUMNS = ("calls", "from_reserves", "reserve_income", "bond_funding", "non_pact_flows",
                    "capacity", "headroom")


def funding_capacity(spec: FxSpec, table: pd.DataFrame) -> pd.DataFrame:
    """What the investor raises each year beside what the pact calls (USD bn a year, means).

    Parameters
    ----------
    spec : FxSpec
        The pact's reserve side (its plan's ``calls.fx``).
    table : DataFrame
        The evaluation's :meth:`~pactlab.analysis.valuation.Evaluation.reserves_table` (by year).

    Returns
    -------
    DataFrame, by year, USD bn a year
        ``calls`` (mean), ``from_reserves`` (the part not funded by bonds or FDI),
        ``reserve_income`` (the yield on the median reserve path's year-start level),
        ``bond_funding`` (the pact's bond share of its calls), ``non_pact_flows`` (their mean),
        ``capacity`` (income + bonds + flows) and ``headroom`` (capacity − calls). The research
        (deal-facts §2.6): Korea funds the calls from reserve income (about $15–20B a year) and
        state-guaranteed USD bonds (about $5–10B a year, Barclays).
    """
    calls = table["calls_mean"].to_numpy()
    start = np.r_[spec.reserves, table["reserves_p50"].to_numpy()[:-1]]
    t = np.arange(calls.size)
    income = spec.reserve_yield * start
    bonds = spec.bonds_share * calls
    flows = spec.flow * (1.0 + spec.growth) ** t
    capacity = income + bonds + flows
    return pd.DataFrame({
        "calls": calls, "from_reserves": calls * (1.0 - spec.bonds_share - spec.fdi_share),
        "reserve_income": income, "bond_funding": bonds, "non_pact_flows": flows,
        "capacity": capacity, "headroom": capacity - calls}, index=table.index)
