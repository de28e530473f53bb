r"""Each side's utility of a pact, from its distribution of gains over no deal.

.. math:: U = \bar g - \lambda\,(\bar g - \mathrm{CVaR}_\alpha(g))

the mean gain less a risk-aversion :math:`\lambda` times the shortfall of the worst
:math:`\alpha` of futures (CVaR: the mean of the worst :math:`\lceil \alpha n \rceil` outcomes;
Rockafellar & Uryasev 2000). :math:`\lambda = 0` is risk neutral; :math:`\lambda = 1` values a
pact at its tail. Gains are measured against the no-deal case of the same futures, so the
**disagreement point is (0, 0)** by construction. A hard constraint can rule pacts out: the
investor refuses any pact whose probability of a reserve crisis exceeds a limit.

>>> g = np.array([[10.0, 10.0, -10.0, 30.0]])
>>> float(cvar_rows(g, 0.25)[0]), float(utility_rows(g, 0.5, 0.25)[0])
(-10.0, 0.0)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...inputs.assumptions import Assumptions
from ..payoffs import Payoffs

DISAGREEMENT = (0.0, 0.0)


def cvar_rows(gains: np.ndarray, tail: float) -> np.ndarray:
    """Per row, the mean of its worst ``ceil(tail * paths)`` values."""
    g = np.atleast_2d(np.asarray(gains, dtype=np.float64))
    k = max(1, int(np.ceil(tail * g.shape[1])))
    return np.partition(g, k - 1, axis=1)[:, :k].mean(axis=1)


def utility_rows(gains: np.ndarray, risk_aversion: float, tail: float) -> np.ndarray:
    """Per row: mean - risk_aversion x (mean - CVaR at `tail`)."""
    g = np.atleast_2d(np.asarray(gains, dtype=np.float64))
    mean = g.mean(axis=1)
    return mean - risk_aversion * (mean - cvar_rows(g, tail))


@dataclass(frozen=True)
class Preferences:
    """How each side weighs risk, and the investor's hard limit on crisis risk."""

    investor_risk_aversion: float
    host_risk_aversion: float
    tail: float
    investor_max_crisis_prob: float = 1.0

    @classmethod
    def from_assumptions(cls, a: Assumptions) -> Preferences:
        n = a.negotiation
        return cls(n.investor_risk_aversion, n.host_risk_aversion, a.risk.tail,
                   n.investor_max_crisis_prob)


@dataclass(frozen=True)
class Utilities:
    """Both sides' utilities of each pact, (pacts, 2), and which pacts the constraints allow."""

    u: np.ndarray
    feasible: np.ndarray

    def constrained(self) -> np.ndarray:
        """Utilities with ruled-out pacts at minus infinity: never individually rational."""
        return np.where(self.feasible[:, None], self.u, -np.inf)


def utilities(pay: Payoffs, prefs: Preferences) -> Utilities:
    """Each pact's (investor, host) utility from its payoffs, and its feasibility."""
    u = np.column_stack([utility_rows(pay.investor, prefs.investor_risk_aversion, prefs.tail),
                         utility_rows(pay.host, prefs.host_risk_aversion, prefs.tail)])
    feasible = pay.crisis.mean(axis=1) <= prefs.investor_max_crisis_prob + 1e-12
    return Utilities(u, feasible)
