r"""Reserve adequacy: the IMF's ARA metric for emerging markets, the classic measures, and the
chance of a reserve crisis as a function of reserve cover.

The metric (IMF 2011, *Assessing Reserve Adequacy*; weights recalibrated in IMF 2013 and
*ARA — Specific Proposals*, 2015; operational guidance in the 2016 Guidance Note):

.. math:: \text{ARA} = a\,X + b\,M2 + c\,STD + d\,OL

with exports of goods and services :math:`X`, broad money :math:`M2`, short-term external
debt at remaining maturity :math:`STD` and other portfolio and other-investment liabilities
:math:`OL`. Weights: floating regimes 5% / 5% / 30% / 15%, fixed 10% / 10% / 30% / 20%.
Reserves of 100–150% of the metric are *adequate*.

**Crisis hazard.** A crossing of a line is not a crisis. The chance of a reserve crisis in a
year is a logit in cover, reserves over short-term debt at remaining maturity (the ratio that
Rodrik & Velasco 1999 found the most robust predictor of financial crises, and whose value of 1
is the Greenspan–Guidotti rule):

.. math:: h = \frac{1}{1 + e^{-(\alpha + \beta \ln(R / STD))}}

so :math:`\alpha` is the log-odds at the line, :math:`\beta < 0` how fast cover above it lowers
them. Over a horizon, P(at least one crisis) is :math:`1 - \prod_t (1 - h_t)`.

>>> round(ara_metric(800.0, 3000.0, 150.0, 900.0), 1)   # floating: 40 + 150 + 45 + 135
370.0
>>> round(ara_metric(800.0, 3000.0, 150.0, 900.0, regime="fixed"), 1)  # 80 + 300 + 45 + 180
605.0
>>> adequacy_band(1.0), adequacy_band(0.999), adequacy_band(1.5), adequacy_band(1.51)
('adequate', 'below', 'adequate', 'above')
>>> round(float(crisis_hazard(1.0, -2.197, -5.8)), 4)          # at the line: the intercept's 10%
0.1
>>> crisis_probability(np.array([[0.1, 0.5, 0.9]]), 2).tolist()  # 1 - 0.9 * 0.5
[0.55]
"""
from __future__ import annotations

from typing import Literal

import numba as nb
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


def crisis_hazard(cover, intercept: float, slope: float):
    r"""The chance of a reserve crisis in a year at reserve cover `cover` (module docstring).

    Parameters
    ----------
    cover : float or ndarray
        Reserves over short-term external debt at remaining maturity (> 0; 0 gives 1).
    intercept : float
        :math:`\alpha`, the log-odds at cover 1 (the Greenspan–Guidotti line).
    slope : float
        :math:`\beta`, per unit of ln(cover); negative: more cover, fewer crises.

    Returns
    -------
    float or ndarray, probability

    References
    ----------
    Rodrik, D. & Velasco, A. (1999). Short-term capital flows. NBER w7364.
    Greenspan, A. (1999). Currency reserves and debt.
    """
    cover = np.asarray(cover, dtype=float)
    with np.errstate(divide="ignore"):
        z = intercept + slope * np.log(np.maximum(cover, 0.0))
    return np.where(cover > 0.0, 1.0 / (1.0 + np.exp(-z)), 1.0)


def crisis_probability(hazard: np.ndarray, horizon: int) -> np.ndarray:
    """Per path, the chance of at least one crisis in the first `horizon` years.

    Parameters
    ----------
    hazard : ndarray, shape (paths, years), probabilities
    horizon : int
        Years counted (at most the array's).

    Returns
    -------
    ndarray, shape (paths,), probability
    """
    h = np.asarray(hazard, dtype=np.float64)
    out = np.empty(h.shape[0])
    _crisis_probability(h, min(int(horizon), h.shape[1]), out)
    return out


@nb.njit(cache=True, parallel=True)
def _crisis_probability(hazard, horizon, out):
    for p in nb.prange(hazard.shape[0]):
        survive = 1.0
        for t in range(horizon):
            survive *= 1.0 - min(max(hazard[p, t], 0.0), 1.0)
        out[p] = 1.0 - survive


def first_crisis_pv(hazard: np.ndarray, horizon: int, weights: np.ndarray) -> np.ndarray:
    r"""Per path, :math:`\sum_{t<H} S_{t-1} h_t w_t` with :math:`S_t = \prod_{s \le t}(1 - h_s)`:
    the expected value of the first crisis within `horizon` years, at `weights` (its cost in
    year t, discounted) — summed year by year, the same number at any thread count.

    Parameters
    ----------
    hazard : ndarray, shape (paths, years), probabilities
    horizon : int
        Years counted (at most the array's).
    weights : ndarray, shape (>= horizon,)

    Returns
    -------
    ndarray, shape (paths,)

    Examples
    --------
    >>> first_crisis_pv(np.array([[0.1, 0.5, 0.9]]), 2, np.ones(2)).tolist()   # 0.1 + 0.9 x 0.5
    [0.55]
    """
    h = np.asarray(hazard, dtype=np.float64)
    out = np.empty(h.shape[0])
    _first_crisis_pv(h, min(int(horizon), h.shape[1]),
                     np.ascontiguousarray(weights, dtype=np.float64), out)
    return out


@nb.njit(cache=True, parallel=True)
def _first_crisis_pv(hazard, horizon, weights, out):
    for p in nb.prange(hazard.shape[0]):
        survived = 1.0
        total = 0.0
        for t in range(horizon):
            h = min(max(hazard[p, t], 0.0), 1.0)
            total += survived * h * weights[t]
            survived *= 1.0 - h
        out[p] = total
