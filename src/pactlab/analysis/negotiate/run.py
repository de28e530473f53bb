"""A negotiation end to end: candidates from an issue space valued on common futures, each
side's utility, the frontier, the bargaining solutions, where the presets sit, and the term
sheets of the solutions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pandas as pd

from ...core.errors import PactError
from ...inputs.terms import Pact, load_pact, pact_to_toml, preset_names
from ...model.futures import Futures
from ..payoffs import Payoffs, payoffs
from .solutions import (
    egalitarian_point,
    individually_rational,
    ks_point,
    nash_point,
    pareto_front,
    utilitarian_point,
    zopa,
)
from .space import Candidates, IssueSpace
from .utility import DISAGREEMENT, Preferences, Utilities, utilities

SOLUTIONS = {"nash": ("Nash bargaining solution", nash_point),
             "kalai-smorodinsky": ("Kalai–Smorodinsky solution", ks_point),
             "egalitarian": ("egalitarian solution", egalitarian_point),
             "utilitarian": ("utilitarian solution", utilitarian_point)}



class ReferenceGap(TypedDict):
    """:meth:`Negotiation.reference_gap`: the frontier candidate (None: the reference is on the
    frontier) and the gain in utility for each side, USD bn."""

    candidate: int | None
    investor: float
    host: float

@dataclass(frozen=True)
class Negotiation:
    """Everything a negotiation found. Candidate rows follow `candidates.values`."""

    space: IssueSpace
    candidates: Candidates
    futures: Futures
    prefs: Preferences
    utilities: Utilities
    stats: pd.DataFrame              # per candidate: mean gains, P(loss), P(crisis), utilities
    frontier: np.ndarray             # candidate indices on the Pareto frontier (constrained)
    solutions: dict[str, int | None] # solution name -> candidate index
    presets: pd.DataFrame            # the investor's presets on the same futures
    reference: str | None            # the preset measured against the frontier

    @property
    def individually_rational(self) -> np.ndarray:
        return individually_rational(self.utilities.constrained(), DISAGREEMENT)

    def zopa(self) -> pd.DataFrame:
        return zopa(self.utilities.constrained(), DISAGREEMENT, self.candidates.values)

    def solution_pact(self, name: str) -> Pact | None:
        """A solution as a term sheet that `evaluate` and `compare` read, named after it."""
        i = self.solutions.get(name)
        if i is None:
            return None
        base = self.space.base
        title, _ = SOLUTIONS[name]
        pact = self.candidates.pacts[i]
        return pact.model_copy(update={
            "name": f"{base.name}-{name}",
            "title": f"{title[0].upper()}{title[1:]} from {base.name} "
                     f"({len(self.candidates.pacts):,} candidates, seed {self.futures.seed})",
            "description": "Terms: " + ", ".join(f"{k} = {_show(v)}" for k, v in
                                                  self.candidates.values.iloc[i].items())})

    def solution_toml(self, name: str) -> str | None:
        pact = self.solution_pact(name)
        return None if pact is None else pact_to_toml(pact)

    def reference_gap(self) -> ReferenceGap | None:
        """How far the reference preset is from the frontier: the frontier candidate that
        improves most on it for both sides (the larger of the two smaller gains), and the
        gains in utility for each side; zeros if nothing improves on it for both."""
        if self.reference is None or self.reference not in self.presets.index:
            return None
        ref = self.presets.loc[self.reference, ["investor_utility", "host_utility"]].to_numpy(float)
        front = self.utilities.constrained()[self.frontier]
        better = (front >= ref).all(axis=1) & (front > ref).any(axis=1)
        if not better.any():
            return {"candidate": None, "investor": 0.0, "host": 0.0}
        gain = front[better] - ref
        k = int(np.argmax(gain.min(axis=1)))
        return {"candidate": int(self.frontier[better][k]), "investor": float(gain[k, 0]),
                "host": float(gain[k, 1])}


def _show(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _stats(pay: Payoffs, util: Utilities) -> pd.DataFrame:
    table = pay.summary()[["investor_mean", "investor_p_loss", "host_mean", "host_p_loss",
                           "p_crisis"]]
    return table.assign(investor_utility=util.u[:, 0], host_utility=util.u[:, 1],
                        feasible=util.feasible).reset_index(drop=True)


def negotiate(space: IssueSpace, futures: Futures, *, sample: str = "grid", n: int | None = None,
              seed: int = 0, prefs: Preferences | None = None,
              reference: str | None = None, progress=None) -> Negotiation:
    """Value the candidates of `space` on `futures` and solve the bargaining problem.

    Parameters
    ----------
    space : the issues and the pact they change.
    futures : the common futures (one no-deal case: the disagreement point is (0, 0)).
    sample, n, seed : how to draw candidates (:meth:`IssueSpace.sample`).
    prefs : risk aversion and constraints (default: the assumptions' ``negotiation``).
    reference : a preset to measure against the frontier (default: none).
    """
    prefs = prefs or Preferences.from_assumptions(futures.assumptions)
    candidates = space.sample(sample, n, seed)
    if not candidates.pacts:
        reasons = "; ".join(f"{k} ({v})" for k, v in list(candidates.reasons.items())[:3])
        raise PactError(f"negotiate: the term sheet rejected every candidate: {reasons}")
    pay = payoffs(candidates.pacts, futures, components=False, progress=progress)
    util = utilities(pay, prefs)
    constrained = util.constrained()
    solutions = {name: fn(constrained, DISAGREEMENT) for name, (_, fn) in SOLUTIONS.items()}
    code = space.base.parties.investor_code
    names = [p for p in preset_names() if load_pact(p).parties.investor_code == code]
    preset_pay = payoffs(names, futures, components=False)
    presets = _stats(preset_pay, utilities(preset_pay, prefs))
    presets.index = pd.Index(names, name="preset")
    return Negotiation(space, candidates, futures, prefs, util, _stats(pay, util),
                       _front(constrained), solutions, presets,
                       reference if reference in names else None)


def _front(u: np.ndarray) -> np.ndarray:
    """The Pareto frontier among the pacts the constraints allow."""
    allowed = np.flatnonzero(np.isfinite(u).all(axis=1))
    return allowed[pareto_front(u[allowed])]
