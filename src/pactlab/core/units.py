"""Units and how people read them: one vocabulary (:data:`UNITS`) for metrics, terms and
assumptions, used by :func:`format_value` here and, served as JSON (:func:`vocabulary`), by the
workbench page's formatter. Values are fractions wherever they are data; percent is display.

>>> format_value(12.345, "usd_bn"), format_value(-0.5, "usd_bn"), format_value(0.4512, "share")
('$12.3B', '-$0.5B', '45.1%')
>>> format_value(float("nan"), "rate"), format_value(1.0, "bool")
('–', 'yes')
>>> percent_to_fraction(25), fraction_to_percent(0.15)
(0.25, 15.0)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["MISSING", "UNITS", "Unit", "format_value", "fraction_to_percent",
           "percent_to_fraction", "vocabulary"]

#: how a missing or undefined value reads
MISSING = "–"


@dataclass(frozen=True)
class Unit:
    """How values of one unit read: ``prefix + f"{value * scale:{','}.{decimals}f}" + suffix``
    (the sign before the prefix), or ``yes``/``no`` for a boolean."""

    label: str                   # what the unit is, for axis titles and catalogues
    scale: float = 1.0           # display = value x scale (100 for a fraction shown in percent)
    decimals: int = 1
    prefix: str = ""
    suffix: str = ""
    grouping: bool = False       # thousands separators
    boolean: bool = False


#: every unit pactlab's values carry, by name
UNITS: dict[str, Unit] = {
    "usd_bn": Unit("USD bn", decimals=1, prefix="$", suffix="B", grouping=True),
    "share": Unit("fraction, shown in percent", scale=100.0, decimals=1, suffix="%"),
    "rate": Unit("fraction a year, shown in percent", scale=100.0, decimals=2, suffix="%"),
    "year": Unit("calendar year", decimals=0),
    "multiple": Unit("multiple", decimals=2, suffix="x"),
    "count": Unit("count", decimals=1),
    "bool": Unit("yes or no", boolean=True),
}


def format_value(value: float | None, unit: str) -> str:
    """A value as people read it: $12.3B, 45.1%, 2041, 1.65x, yes/no; – for missing.

    Parameters
    ----------
    value : float or None
        In model units (USD bn, fractions, years).
    unit : str
        A key of :data:`UNITS`; any other unit reads with three significant digits.

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return MISSING
    u = UNITS.get(unit)
    if u is None:
        return f"{value:,.3g}"
    if u.boolean:
        return "yes" if value else "no"
    spec = f"{',' if u.grouping else ''}.{u.decimals}f"
    if not u.prefix:
        return f"{value * u.scale:{spec}}{u.suffix}"
    return f"{'-' if value < 0 else ''}{u.prefix}{abs(value) * u.scale:{spec}}{u.suffix}"


def vocabulary() -> dict[str, Any]:
    """The unit vocabulary as JSON: ``{"missing": "–", "units": {name: Unit fields}}``."""
    return {"missing": MISSING, "units": {name: asdict(u) for name, u in UNITS.items()}}


def percent_to_fraction(percent: float) -> float:
    """A rate given in percent (a shorthand flag such as ``tariffs --korea 25``) as a fraction."""
    return percent / 100.0


def fraction_to_percent(fraction: float) -> float:
    """A fraction as percent, for display."""
    return fraction * 100.0
