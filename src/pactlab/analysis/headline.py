"""The headline: the rows of a comparison an analyst reads top to bottom, and their labels and
units. Valuation (``compare``) builds its tables from it; the front ends render them."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pandas as pd

from ..model.metrics import METRICS, Metric

__all__ = ["BASELINES", "HEADLINE", "PLAIN", "comparison_column", "metric_units", "row_label"]

#: the comparison an analyst reads top to bottom: (group, metric key) — who gains and how
#: likely each ends behind first, then the risks, the money and the returns
HEADLINE = (
    ("gain", "investor_mean"), ("gain", "investor_p_loss"), ("gain", "host_mean"),
    ("gain", "host_p_loss"), ("gain", "individually_rational"), ("fx", "p_crisis"),
    ("gain", "investor:tariff relief"),
    ("investor", "commitment"), ("investor", "cash_share"), ("gain", "guarantee_share"),
    ("fx", "share_of_reserves"), ("fx", "share_of_gdp"), ("investor", "peak_call"),
    ("investor", "irr_p5"), ("investor", "irr_p50"), ("investor", "irr_p95"),
    ("investor", "p_recoup"), ("investor", "recoup_year_p50"), ("investor", "p_recoup_deemed"),
    ("fx", "min_ara_p50"), ("fx", "p_ara_below_80"),
)
#: a risk row's value with no pact on the same futures ("group.key" -> "group.key")
BASELINES = {"fx.p_crisis": "fx.p_crisis_no_pact", "fx.p_ara_below_80": "fx.p_ara_below_80_no_pact",
             "fx.min_ara_p50": "fx.min_ara_no_pact_p50"}
#: each headline row in plain words ("group.key" -> label); the technical name goes beside it
PLAIN = {
    "gain.investor_mean": "Investor's gain over no deal (average)",
    "gain.investor_p_loss": "Chance the investor ends behind",
    "gain.host_mean": "Host's gain over no deal (average)",
    "gain.host_p_loss": "Chance the host ends behind",
    "gain.individually_rational": "Both better off than with no deal, on average",
    "fx.p_crisis": "Chance of a reserve crisis",
    "gain.investor:tariff relief": "Tariffs the deal spares the investor (value added kept)",
    "investor.commitment": "What the investor pledges",
    "investor.cash_share": "Share of the pledge paid in cash",
    "gain.guarantee_share": "Share of the pledge in guarantees",
    "fx.share_of_reserves": "Pledge as a share of the investor's reserves",
    "fx.share_of_gdp": "Pledge as a share of the investor's GDP",
    "investor.peak_call": "Largest cash call in one year",
    "investor.irr_p5": "Investor's return, bad case (1 in 20)",
    "investor.irr_p50": "Investor's return, middle case",
    "investor.irr_p95": "Investor's return, good case (1 in 20)",
    "investor.p_recoup": "Chance the investor gets its cash back",
    "investor.recoup_year_p50": "Year it gets its cash back (middle case)",
    "investor.p_recoup_deemed": "Chance it gets its cash back with interest",
    "fx.min_ara_p50": "Lowest reserve adequacy (IMF metric = 100%), middle case",
    "fx.p_ara_below_80": "Chance reserves fall below 80% of the IMF metric",
}


class Valued(Protocol):
    """What a headline column is read from (an :class:`~pactlab.analysis.valuation.Evaluation`)."""

    @property
    def label(self) -> str: ...
    @property
    def metrics(self) -> Mapping[str, Mapping[str, float]]: ...


def row_label(group: str, m: Metric) -> str:
    """A metric's row label in comparisons: '<group>: <label>' (gains read as they are)."""
    return m.label if group == "gain" else f"{group}: {m.label}"


def metric_units() -> dict[str, str]:
    """Row label (as in `compare` and `summary`) -> unit, for formatting."""
    out = {}
    for group, defs in METRICS.items():
        for m in defs:
            out[row_label(group, m)] = m.unit
            out.setdefault(m.label, m.unit)
    return out


def comparison_column(ev: Valued, *, detail: bool = False) -> pd.Series:
    """One pact's column of a comparison: the headline rows (every metric with `detail`).

    Parameters
    ----------
    ev : Evaluation
        Anything with a ``label`` and ``metrics`` (group -> metric key -> value).
    detail : bool
        Every metric of :data:`pactlab.model.metrics.METRICS` instead of :data:`HEADLINE`.

    Returns
    -------
    Series, shape (rows,), model units
        By row label (see :func:`row_label`), named by the evaluation's label; NaN where a
        metric is undefined.
    """
    if detail:
        pairs = [(g, m) for g, defs in METRICS.items() for m in defs]
    else:
        by_key = {(g, m.key): m for g, defs in METRICS.items() for m in defs}
        pairs = [(g, by_key[(g, k)]) for g, k in HEADLINE]
    return pd.Series({row_label(g, m): ev.metrics[g][m.key] for g, m in pairs}, dtype=float,
                     name=ev.label)
