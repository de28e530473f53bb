"""How the chance of a reserve crisis hangs on its assumptions: a grid of the sudden-stop
probability against a growth rate, with the pact and with no pact.

Each cell is a full evaluation of the pact under changed assumptions (nine a pact), so the
grid runs on at most :data:`CRISIS_PATHS` futures, whatever the evaluation it accompanies used:
:func:`crisis_paths` is the one place that cap is applied.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pandas as pd

from ..core.errors import PactError
from ..inputs.assumptions import Assumptions, load_assumptions
from ..inputs.terms import Pact, load_pact
from ..model.tariffs import TariffCosts
from .batch import plan_all, resolve_futures, value_all

__all__ = ["CRISIS_GROWTH", "CRISIS_PATHS", "GROWTH_RATES", "STOP_PROBS", "crisis_paths",
           "crisis_rows", "crisis_sensitivity", "crisis_tables"]

#: the sudden-stop probabilities the crisis table spans, and its metric growth rates
STOP_PROBS = (0.02, 0.05, 0.10)
GROWTH_RATES = (0.02, 0.04, 0.06)
#: what the crisis table's columns can vary: the label each column carries
CRISIS_GROWTH = {"reserve_growth": "reserves grow", "components_growth": "metric grows"}
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
    """The assumption key the columns vary and its levels (fractions a year)."""
    if growth == "reserve_growth":
        code = pact.parties.investor_code
        m = base.country(code)
        return f"macro.{code}.reserve_growth", tuple(dict.fromkeys(round(g, 6) for g in (
            m.reserve_growth, (m.reserve_growth + m.reserve_yield) / 2, m.reserve_yield)))
    if growth == "components_growth":
        return "fx.components_growth", GROWTH_RATES
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
                       growth: str = "reserve_growth") -> pd.DataFrame:
    """P(reserve crisis within the FX horizon) with the pact and with no pact, as the chance of a
    sudden stop a year and a growth rate vary — the assumptions the crisis probability hangs on.

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
    growth : {"reserve_growth", "components_growth"}
        ``reserve_growth``: the investor's reserve growth with no pact, from its history (the
        default) through halfway to keeping all its yield; ``components_growth``: the growth of
        the ARA metric's components (2%, 4%, 6%).

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

