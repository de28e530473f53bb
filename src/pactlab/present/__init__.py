"""Presentation shared by the command line, the report and the web app: row labels, units,
formatting, the headline comparison, titles that name every override, and JSON.

>>> format_value(12.345, "usd_bn"), format_value(-0.5, "usd_bn"), format_value(0.4512, "share")
('$12.3B', '-$0.5B', '45.1%')
>>> format_value(float("nan"), "rate"), format_value(1.0, "bool")
('–', 'yes')
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..model.metrics import METRICS, Metric

if TYPE_CHECKING:
    from ..analysis.valuation import Evaluation
    from ..inputs.assumptions import Assumptions

#: the comparison an analyst reads top to bottom: (group, metric key)
HEADLINE = (
    ("investor", "commitment"), ("investor", "cash_share"), ("gain", "guarantee_share"),
    ("fx", "share_of_reserves"), ("fx", "share_of_gdp"), ("investor", "peak_call"),
    ("investor", "irr_p5"), ("investor", "irr_p50"), ("investor", "irr_p95"),
    ("investor", "p_recoup"), ("investor", "recoup_year_p50"), ("investor", "p_recoup_deemed"),
    ("fx", "min_ara_p50"), ("fx", "p_ara_below_80"), ("fx", "p_crisis"),
    ("gain", "investor:tariff relief"), ("gain", "investor_mean"), ("gain", "investor_p_loss"),
    ("gain", "host_mean"), ("gain", "host_p_loss"), ("gain", "individually_rational"),
)


def format_value(value: float | None, unit: str) -> str:
    """A value as people read it: $12.3B, 45.1%, 2041, 1.65x, yes/no; – for missing."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return {"usd_bn": f"{'-' if value < 0 else ''}${abs(value):,.1f}B", "share": f"{value:.1%}",
            "rate": f"{value:.2%}", "year": f"{value:.0f}", "multiple": f"{value:.2f}x",
            "count": f"{value:.1f}", "bool": "yes" if value else "no"}.get(unit, f"{value:,.3g}")


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


def comparison_column(ev: Evaluation, *, detail: bool = False) -> pd.Series:
    """One pact's column of a comparison: the headline rows (every metric with `detail`)."""
    if detail:
        pairs = [(g, m) for g, defs in METRICS.items() for m in defs]
    else:
        by_key = {(g, m.key): m for g, defs in METRICS.items() for m in defs}
        pairs = [(g, by_key[(g, k)]) for g, k in HEADLINE]
    return pd.Series({row_label(g, m): ev.metrics[g][m.key] for g, m in pairs}, dtype=float,
                     name=ev.label)


def overrides_note(assumptions: Assumptions, pacts: Sequence[Any] = ()) -> str:
    """What was changed from the defaults, for titles: '--set k=v; --assumptions f; --term …'
    (empty if nothing was)."""
    parts = []
    if assumptions.source:
        parts.append(f"--assumptions {assumptions.source}")
    parts += [f"--set {k}={_plain(v)}" for k, v in assumptions.overrides.items()]
    terms = dict.fromkeys(f"{k}={_plain(v)}" for p in pacts for k, v in p.overrides.items())
    parts += [f"--term {t}" for t in terms]
    return "; ".join(parts)


def context_note(assumptions: Assumptions, pacts: Sequence[Any] = ()) -> str:
    """The overrides and the legal-shock state, for report headers and titles."""
    shocks = f"legal shocks {'on' if assumptions.trade.legal_shocks else 'off'}"
    note = overrides_note(assumptions, pacts)
    return f"{note}; {shocks}" if note else shocks


def titled(title: str, note: str) -> str:
    return f"{title} [{note}]" if note else title


def _plain(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def json_safe(obj: Any) -> Any:
    """Plain JSON types: NaN/inf -> None, numpy scalars -> Python, dates -> ISO, keys -> text."""
    if isinstance(obj, Mapping):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def to_json(obj: Any) -> str:
    """`obj` as indented JSON that any parser reads (no NaN)."""
    return json.dumps(json_safe(obj), indent=2, allow_nan=False)


def frame_columns(frame: pd.DataFrame) -> dict[str, list]:
    """A table as JSON-ready columns, its index first."""
    return json_safe(frame.reset_index().to_dict(orient="list"))
