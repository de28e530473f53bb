"""Units and how people read them.

>>> format_value(12.345, "usd_bn"), format_value(-0.5, "usd_bn"), format_value(0.4512, "share")
('$12.3B', '-$0.5B', '45.1%')
>>> format_value(float("nan"), "rate"), format_value(1.0, "bool")
('–', 'yes')
"""
from __future__ import annotations

import numpy as np

__all__ = ["format_value"]


def format_value(value: float | None, unit: str) -> str:
    """A value as people read it: $12.3B, 45.1%, 2041, 1.65x, yes/no; – for missing."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return {"usd_bn": f"{'-' if value < 0 else ''}${abs(value):,.1f}B", "share": f"{value:.1%}",
            "rate": f"{value:.2%}", "year": f"{value:.0f}", "multiple": f"{value:.2f}x",
            "count": f"{value:.1f}", "bool": "yes" if value else "no"}.get(unit, f"{value:,.3g}")
