r"""FX stress: the expected cost of the reserve crises a pact adds (or removes) against no pact.

Per path, from the yearly crisis hazards :math:`h_t` of :mod:`pactlab.engine.funding` — with the
pact, and with no pact on the same futures — over the FX horizon :math:`H`:

.. math::

   P(\text{crisis}) = 1 - \prod_{t<H} (1 - h_t), \qquad
   C = \sum_{t<H} S_{t-1}\, h_t\, c\, Y_0 (1+g)^t (1+r)^{-t}, \quad S_t = \prod_{s \le t} (1 - h_s)

the chance of at least one crisis and the present value of the first one's cost: a share
:math:`c` (``valuation.crisis_cost_gdp``) of that year's GDP, which grows at the economy's
nominal rate :math:`g` (``fx.components_growth``), discounted at the investor's rate :math:`r`.
The FX-stress component of the investor's gain is :math:`-(C_{pact} - C_{no\ pact})`: smooth in
the paths' reserve cover, not a 0/1 crossing.

>>> h = np.array([[0.1, 0.1], [0.0, 0.0]])
>>> np.round(first_crisis_pv(h, 2, 100.0, 0.0, 0.0), 9).tolist()       # 10 + 0.9 x 10
[19.0, 0.0]
>>> np.round(fx_stress(h, np.zeros((2, 2)), 100.0, 2, 0.0, 0.0), 9).tolist()
[-19.0, -0.0]
"""
from __future__ import annotations

import numpy as np

from ..engine.reserves import crisis_probability
from ..engine.reserves import first_crisis_pv as crisis_pv

__all__ = ["crisis_probability", "first_crisis_pv", "fx_stress"]


def first_crisis_pv(hazard: np.ndarray, horizon: int, cost: float, growth: float,
                    rate: float) -> np.ndarray:
    """Per path, the expected present value of the first crisis's cost within `horizon` years.

    Parameters
    ----------
    hazard : ndarray, shape (paths, years), probabilities
        The yearly crisis hazard.
    horizon : int
        Years counted.
    cost : float, USD bn
        A crisis's cost in the base year (its share of GDP times GDP).
    growth : float, fraction a year
        Nominal growth of that cost (the economy's).
    rate : float, fraction a year
        The discount rate.

    Returns
    -------
    ndarray, shape (paths,), USD bn
    """
    t = np.arange(min(horizon, hazard.shape[1]))
    return crisis_pv(hazard, horizon, cost * ((1.0 + growth) / (1.0 + rate)) ** t)


def fx_stress(pact_hazard: np.ndarray, no_pact_hazard: np.ndarray, cost: float, horizon: int,
              growth: float, rate: float, *, no_pact_cost: np.ndarray | None = None) -> np.ndarray:
    """The investor's FX-stress gain over no deal, path by path: minus the expected crisis cost
    the pact adds (positive where it removes some).

    Parameters
    ----------
    pact_hazard, no_pact_hazard : ndarray, shape (paths, years), probabilities
        The yearly crisis hazards with the pact and with no pact, on the same futures.
    cost : float, USD bn
        A crisis's cost in the base year.
    horizon : int
        The FX horizon (``fx.horizon_years``).
    growth, rate : float, fractions a year
        The cost's nominal growth and the investor's discount rate.
    no_pact_cost : ndarray, shape (paths,), optional
        ``first_crisis_pv(no_pact_hazard, …)`` when already known (every pact on a block
        shares it).

    Returns
    -------
    ndarray, shape (paths,), USD bn PV

    References
    ----------
    Jeanne, O. & Rancière, R. (2011). The optimal level of international reserves for emerging
    market countries. Economic Journal 121(555) (a sudden stop's output cost in % of GDP).
    """
    args = (horizon, cost, growth, rate)
    if no_pact_cost is None:
        no_pact_cost = first_crisis_pv(no_pact_hazard, *args)
    return -(first_crisis_pv(pact_hazard, *args) - no_pact_cost)
