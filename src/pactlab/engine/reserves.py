r"""Reserve adequacy: the IMF's ARA metric for emerging markets and the classic measures.

The metric (IMF 2011, *Assessing Reserve Adequacy*; weights recalibrated in IMF 2013 and
*ARA — Specific Proposals*, 2015; operational guidance in the 2016 Guidance Note):

.. math:: \text{ARA} = a\,X + b\,M2 + c\,STD + d\,OL

with exports of goods and services :math:`X`, broad money :math:`M2`, short-term external
debt at remaining maturity :math:`STD` and other portfolio and other-investment liabilities
:math:`OL`. Weights: floating regimes 5% / 5% / 30% / 15%, fixed 10% / 10% / 30% / 20%.
Reserves of 100–150% of the metric are *adequate*.

>>> round(ara_metric(800.0, 3000.0, 150.0, 900.0), 1)   # floating: 40 + 150 + 45 + 135
370.0
>>> round(ara_metric(800.0, 3000.0, 150.0, 900.0, regime="fixed"), 1)  # 80 + 300 + 45 + 180
605.0
>>> adequacy_band(1.0), adequacy_band(0.999), adequacy_band(1.5), adequacy_band(1.51)
('adequate', 'below', 'adequate', 'above')
"""
from __future__ import annotations

from typing import Literal

import numpy as np

Regime = Literal["floating", "fixed"]

#: IMF 2015 weights on (exports, broad money, short-term debt, other liabilities).
ARA_WEIGHTS: dict[str, tuple[float, float, float, float]] = {
    "floating": (0.05, 0.05, 0.30, 0.15),
    "fixed": (0.10, 0.10, 0.30, 0.20),
}
ADEQUATE = (1.0, 1.5)


def ara_metric(exports, broad_money, short_term_debt, other_liabilities,
               regime: Regime = "floating"):
    r"""The IMF ARA EM metric, :math:`aX + b\,M2 + c\,STD + d\,OL` (module docstring).

    Parameters
    ----------
    exports, broad_money, short_term_debt, other_liabilities : float or ndarray, USD bn
    regime : {"floating", "fixed"}
        Chooses the weights (:data:`ARA_WEIGHTS`).

    Returns
    -------
    float or ndarray, USD bn (the units of the inputs)

    References
    ----------
    IMF (2015). Assessing Reserve Adequacy — Specific Proposals. IMF (2016). Guidance Note on
    the Assessment of Reserve Adequacy.
    """
    try:
        a, b, c, d = ARA_WEIGHTS[regime]
    except KeyError:
        raise ValueError(f"regime must be 'floating' or 'fixed', got {regime!r}") from None
    return a * exports + b * broad_money + c * short_term_debt + d * other_liabilities


def adequacy_band(ratio: float) -> str:
    """Where a reserves-to-ARA ratio sits in the IMF's adequate range.

    Parameters
    ----------
    ratio : float
        Reserves over the ARA metric.

    Returns
    -------
    {"below", "adequate", "above"}
        Below 100%, 100–150%, above 150%.
    """
    low, high = ADEQUATE
    if ratio < low:
        return "below"
    return "adequate" if ratio <= high else "above"


def classic_measures(reserves: float, *, imports: float, short_term_debt: float,
                     broad_money: float, gdp: float) -> dict[str, float]:
    """The traditional yardsticks of reserve adequacy.

    Parameters
    ----------
    reserves : float, USD bn
    imports : float, USD bn a year
        Goods imports.
    short_term_debt : float, USD bn
    broad_money : float, USD bn
    gdp : float, USD bn a year

    Returns
    -------
    dict of str to float
        ``months_of_imports`` (rule of thumb: 3), ``reserves_to_short_term_debt``
        (Greenspan–Guidotti: 1), ``reserves_to_broad_money`` (0.2) and ``reserves_to_gdp``.

    References
    ----------
    Greenspan, A. (1999). Currency reserves and debt.
    """
    return {
        "months_of_imports": 12.0 * reserves / imports,
        "reserves_to_short_term_debt": reserves / short_term_debt if short_term_debt else np.inf,
        "reserves_to_broad_money": reserves / broad_money,
        "reserves_to_gdp": reserves / gdp,
    }
