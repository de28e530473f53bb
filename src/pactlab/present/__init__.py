"""Presentation shared by the command line, the report and the web app: titles that name every
override, and (re-exported from the layers below) the headline rows, units and JSON."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..analysis.headline import HEADLINE, comparison_column, metric_units, row_label
from ..core.jsonable import frame_columns, json_safe, to_json
from ..core.units import format_value

if TYPE_CHECKING:
    from ..inputs.assumptions import Assumptions

__all__ = ["HEADLINE", "comparison_column", "context_note", "format_value", "frame_columns",
           "json_safe", "metric_units", "overrides_note", "row_label", "titled", "to_json"]


def overrides_note(assumptions: Assumptions, pacts: Sequence[Any] = ()) -> str:
    """What was changed from the defaults, for titles: '--set k=v; --assumptions f; --term …'
    (empty if nothing was)."""
    parts = []
    if assumptions.source:
        parts.append(f"--assumptions {assumptions.source}")
    parts += [f"--set {k}={_plain(v)}" for k, v in assumptions.overrides.items()
              if k != "trade.as_of"]          # named by context_note as "tariffs as of"
    terms = dict.fromkeys(f"{k}={_plain(v)}" for p in pacts for k, v in p.overrides.items())
    parts += [f"--term {t}" for t in terms]
    return "; ".join(parts)


def context_note(assumptions: Assumptions, pacts: Sequence[Any] = ()) -> str:
    """The overrides and the date the tariffs are known to, for report headers and titles."""
    when = f"tariffs as of {assumptions.trade.as_of.isoformat()}"
    note = overrides_note(assumptions, pacts)
    return f"{note}; {when}" if note else when


def titled(title: str, note: str) -> str:
    return f"{title} [{note}]" if note else title


def _plain(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


