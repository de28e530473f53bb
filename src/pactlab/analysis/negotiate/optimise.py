r"""Each side's best deal, and what the issues are worth to each side at the Nash deal.

* **best_for** — for each party, the deal that maximises its utility while the other stays at
  or above its disagreement point (and the investor's crisis limit holds):
  :math:`\max_x U_p(x)` s.t. :math:`U_o(x) \ge d_o`. A local search from the best sampled
  candidates (multi-start, the best first): the *continuous* issues (ranges ``LO:HI``; a step
  only spaces the sampling grid) by COBYLA (Powell 1994; derivative-free, the constraint kept
  as a constraint) in the unit cube of their ranges, then the issues with *levels* (numbers or
  not) enumerated one issue at a time, each level tried with the rest held; repeated while
  either improves and the budget lasts. Each evaluation is one simulation on the negotiation's
  futures (common random numbers: the candidates' own utilities are reused, never re-run), and
  a party gets at most ``budget`` new ones. The answer is never worse than the best sampled
  candidate that meets the constraint: if the search finds nothing better, it is that candidate.
* **Exchange rates** — at the Nash deal, each party's marginal utility per unit of each numeric
  issue by finite differences: a range issue :math:`\pm 5\%` of its range (one-sided at a
  bound), an issue with levels to its neighbouring levels; ``host_per_investor`` is the ratio
  of the two (USD bn of host utility per USD bn of investor utility moved by that issue). Issues
  whose ratios differ are the ones worth trading against each other (logrolling).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, minimize

from ...core.errors import PactError
from ...core.jsonable import json_safe
from ...model.futures import Futures
from ..payoffs import payoffs
from .space import Issue, IssueSpace, apply
from .utility import DISAGREEMENT, Preferences, utilities

PARTIES = ("investor", "host")
#: new simulations per party for best_for, unless asked otherwise
BUDGET = 60
#: sampled candidates a search starts from, the best first
STARTS = 3
#: a range issue's finite-difference step, as a share of its range
FD_STEP = 0.05
RATE_COLUMNS = ["issue", "unit", "value", "from", "to", "investor_marginal", "host_marginal",
                "host_per_investor"]

Result = tuple[float, float, bool] | None       # (investor, host utility, feasible); None: rejected


class _Spent(Exception):
    """The evaluation budget is used up."""


def _key(value: Any) -> Any:
    return round(float(value), 12) if isinstance(value, (float, np.floating)) else value


@dataclass
class Evaluator:
    """One simulation per new deal, on the negotiation's futures, cached and counted."""

    space: IssueSpace
    futures: Futures
    prefs: Preferences
    progress: Callable[[int, int], None] | None = None
    total: int = 0                   # the evaluations planned, for the progress bar
    used: int = 0
    limit: int = 0
    cache: dict[tuple, Result] = field(default_factory=dict)

    def key(self, values: dict[str, Any]) -> tuple:
        return tuple(_key(values[k]) for k in self.space.keys)

    def allow(self, n: int) -> int:
        """Allow `n` more evaluations; returns the count so far."""
        self.limit = self.used + n
        return self.used

    def __call__(self, values: dict[str, Any]) -> Result:
        k = self.key(values)
        if k in self.cache:
            return self.cache[k]
        if self.used >= self.limit:
            raise _Spent
        self.used += 1
        try:
            pact = apply(self.space.base, values)
        except PactError:
            result: Result = None
        else:
            util = utilities(payoffs([pact], self.futures, components=False), self.prefs)
            result = (float(util.u[0, 0]), float(util.u[0, 1]), bool(util.feasible[0]))
        self.cache[k] = result
        if self.progress is not None:
            self.progress(self.used, max(self.total, self.used))
        return result


@dataclass(frozen=True)
class BestDeal:
    """A party's best deal: its terms, both utilities, where it came from (``optimiser`` or
    ``candidate``), the best sampled candidate and the new simulations spent."""

    party: str
    terms: dict[str, Any]
    investor_utility: float
    host_utility: float
    source: str
    candidate: int | None            # the candidate it is, if it is one
    best_candidate: int | None       # the best sampled candidate meeting the constraint
    best_candidate_utility: float | None
    evaluations: int

    @property
    def utility(self) -> float:
        return self.investor_utility if self.party == "investor" else self.host_utility


def _continuous(issue: Issue) -> bool:
    return issue.levels is None and issue.low is not None and issue.high is not None \
        and issue.high > issue.low


def _levels(issue: Issue) -> bool:
    return issue.levels is not None and len(issue.levels) > 1


def _ok(r: Result, other: int) -> bool:
    """Feasible, and the other party at or above its disagreement point."""
    return r is not None and r[2] and r[other] >= DISAGREEMENT[other]


def _cobyla(ev: Evaluator, current: dict[str, Any], cont: list[Issue], party: int,
            consider: Callable[[dict[str, Any], Result], bool]
            ) -> tuple[dict[str, Any], Result] | None:
    """COBYLA over the continuous issues from `current` (the others held), in the unit cube of
    their ranges; the best point meeting the constraint that it saw, or None."""
    other = 1 - party
    lo = np.array([i.low for i in cont], dtype=float)
    span = np.array([i.high for i in cont], dtype=float) - lo
    best: list[Any] = [None, None]

    def run(z: np.ndarray) -> Result:
        values = current | {i.key: float(v)
                            for i, v in zip(cont, lo + np.clip(z, 0.0, 1.0) * span, strict=True)}
        r = ev(values)
        if _ok(r, other) and (best[1] is None or r[party] > best[1][party]):  # type: ignore[index]
            best[0], best[1] = values, r
        consider(values, r)
        return r

    def objective(z: np.ndarray) -> float:
        r = run(z)
        return 1e3 if r is None else -r[party]

    def constraint(z: np.ndarray) -> float:
        r = run(z)
        return -1e3 if r is None or not r[2] else r[other] - DISAGREEMENT[other]

    z0 = np.clip((np.array([float(current[i.key]) for i in cont]) - lo) / span, 0.0, 1.0)
    try:
        minimize(objective, z0, method="COBYLA", bounds=Bounds(0.0, 1.0),
                 constraints=[{"type": "ineq", "fun": constraint}],
                 options={"rhobeg": 0.25, "maxiter": 10 * (len(cont) + 1)})
    except _Spent:
        if best[0] is None:
            raise
    return None if best[0] is None else (best[0], best[1])


def _search(ev: Evaluator, start: dict[str, Any], party: int,
            consider: Callable[[dict[str, Any], Result], bool]) -> None:
    """From `start`: COBYLA over the continuous issues, then each issue with levels
    enumerated, while either improves (`consider` keeps the best seen)."""
    other = 1 - party
    cont = [i for i in ev.space.issues if _continuous(i)]
    discrete = [i for i in ev.space.issues if _levels(i)]
    current, here = dict(start), ev(start)

    def better(r: Result) -> bool:
        return _ok(r, other) and (not _ok(here, other)
                                  or r[party] > here[party] + 1e-9)  # type: ignore[index]

    improved = True
    while improved:
        improved = False
        step = _cobyla(ev, current, cont, party, consider) if cont else None
        if step is not None and better(step[1]):
            (current, here), improved = step, True
        for issue in discrete:
            for level in issue.levels or ():
                if _key(level) == _key(current[issue.key]):
                    continue
                values = current | {issue.key: level}
                r = ev(values)
                consider(values, r)
                if better(r):
                    current, here, improved = values, r, True


def best_for(ev: Evaluator, values: pd.DataFrame, u: np.ndarray, party: int, *,
             budget: int = BUDGET, starts: int = STARTS) -> BestDeal | None:
    """Party `party`'s best deal (0 investor, 1 host) with the other at or above its
    disagreement point; `values` and `u` (constrained utilities, (n, 2)) are the candidates."""
    other = 1 - party
    ok = np.isfinite(u).all(axis=1) & (u[:, other] >= DISAGREEMENT[other])
    order = np.flatnonzero(ok)
    order = order[np.lexsort((-u[order, other], -u[order, party]))]
    if order.size == 0:           # nothing meets the constraint: start nearest to meeting it
        finite = np.flatnonzero(np.isfinite(u).all(axis=1))
        order = finite[np.argsort(-u[finite, other], kind="stable")]
    first = ev.allow(budget)
    top = int(order[0]) if order.size and ok[order[0]] else None
    found: dict[str, Any] = {"values": None, "r": None}
    if top is not None:
        found["values"] = values.iloc[top].to_dict()
        found["r"] = (float(u[top, 0]), float(u[top, 1]), True)

    def consider(v: dict[str, Any], r: Result) -> bool:
        if r is None or not r[2] or r[other] < DISAGREEMENT[other]:
            return False
        if found["r"] is not None and r[party] <= found["r"][party] + 1e-9:
            return False
        found["values"], found["r"] = v, r
        return True

    try:
        for i in order[:starts]:
            _search(ev, values.iloc[int(i)].to_dict(), party, consider)
    except _Spent:
        pass
    if found["r"] is None:
        return None
    terms, r = found["values"], found["r"]
    same = top is not None and ev.key(terms) == ev.key(values.iloc[top].to_dict())
    return BestDeal(PARTIES[party], {k: terms[k] for k in ev.space.keys}, r[0], r[1],
                    "candidate" if same else "optimiser", top if same else None, top,
                    None if top is None else float(u[top, party]), ev.used - first)


def _neighbours(issue: Issue, value: Any) -> tuple[Any, Any] | None:
    """The points a finite difference at `value` uses (None: not a numeric issue)."""
    if not isinstance(value, (int, float, np.number)) or isinstance(value, bool) \
            or not math.isfinite(value):
        return None
    if _continuous(issue):
        low, high = float(issue.low), float(issue.high)  # type: ignore[arg-type]
        h = FD_STEP * (high - low)
        return max(low, value - h), min(high, value + h)
    if not _levels(issue):
        return None
    levels = sorted(v for v in issue.levels or () if isinstance(v, (int, float))
                    and not isinstance(v, bool) and math.isfinite(v))
    below = [v for v in levels if v < value]
    above = [v for v in levels if v > value]
    if not below and not above:
        return None
    return (below[-1] if below else value), (above[0] if above else value)


def exchange_rates(ev: Evaluator, terms: dict[str, Any]) -> pd.DataFrame:
    """Each party's marginal utility per unit of each numeric issue at `terms` (one row an
    issue: the points used, both marginals and their ratio)."""
    rows = []
    for issue in ev.space.issues:
        pair = _neighbours(issue, terms[issue.key])
        if pair is None:
            continue
        down, up = pair
        r_down, r_up = ev(terms | {issue.key: down}), ev(terms | {issue.key: up})
        if r_down is None:                       # the term sheet rejects it: one-sided
            down, r_down = terms[issue.key], ev(terms)
        if r_up is None:
            up, r_up = terms[issue.key], ev(terms)
        if r_down is None or r_up is None or up == down:
            continue
        inv, host = ((r_up[j] - r_down[j]) / (float(up) - float(down)) for j in (0, 1))
        rows.append({"issue": issue.key, "unit": issue.unit, "value": float(terms[issue.key]),
                     "from": float(down), "to": float(up), "investor_marginal": inv,
                     "host_marginal": host,
                     "host_per_investor": host / inv if inv != 0 else math.nan})
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


@dataclass(frozen=True)
class Explained:
    """best_for for both parties, the candidates' utilities and the exchange rates at Nash."""

    best_for: dict[str, BestDeal | None]
    candidate_utilities: list[dict[str, Any]]
    rates: pd.DataFrame
    nash: int | None
    budget: int
    evaluations: dict[str, int]
    red_lines: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """The JSON keys ``negotiate --json`` adds."""
        return json_safe({
            "best_for": {p: None if b is None else {
                "terms": b.terms, "investor_utility": b.investor_utility,
                "host_utility": b.host_utility, "source": b.source, "candidate": b.candidate,
                "best_candidate": b.best_candidate,
                "best_candidate_utility": b.best_candidate_utility,
                "gain_over_best_candidate": (None if b.best_candidate_utility is None
                                             else b.utility - b.best_candidate_utility),
                "evaluations": b.evaluations} for p, b in self.best_for.items()},
            "candidate_utilities": self.candidate_utilities,
            "exchange_rates": {"at": "nash", "candidate": self.nash,
                               "rows": self.rates.to_dict(orient="records")},
            "optimiser": {"method": "multi-start COBYLA over the range issues, levels enumerated "
                                    "one issue at a time, on the negotiation's futures",
                          "budget_per_party": self.budget, "evaluations": self.evaluations},
            "red_lines": self.red_lines})


def explain(neg: Any, *, budget: int = BUDGET,
            progress: Callable[[int, int], None] | None = None) -> Explained:
    """best_for, candidate utilities and exchange rates for a finished
    :class:`~pactlab.analysis.negotiate.run.Negotiation` (`budget`: new simulations per party)."""
    from .redlines import red_lined
    if budget < 0:
        raise PactError(f"--budget: must be >= 0, got {budget}")
    space, values = neg.space, neg.candidates.values
    ev = Evaluator(space, neg.futures, neg.prefs, progress)
    ev.total = 2 * budget + 2 * len(space.issues)
    for i, row in enumerate(values.to_dict(orient="records")):     # the candidates: no re-run
        ev.cache[ev.key(row)] = (float(neg.utilities.u[i, 0]), float(neg.utilities.u[i, 1]),
                                 bool(neg.utilities.feasible[i]))
    u = neg.utilities.constrained()
    found = {name: best_for(ev, values, u, j, budget=budget) for j, name in enumerate(PARTIES)}
    spent = {name: (b.evaluations if b is not None else 0) for name, b in found.items()}
    nash = neg.solutions.get("nash")
    before = ev.allow(2 * len(space.issues))
    rates = (exchange_rates(ev, values.iloc[nash].to_dict()) if nash is not None
             else pd.DataFrame(columns=RATE_COLUMNS))
    spent["exchange_rates"] = ev.used - before
    cu = [{"candidate": i, "investor_utility": float(a), "host_utility": float(b),
           "feasible": bool(f)} for i, (a, b, f) in
          enumerate(zip(neg.utilities.u[:, 0], neg.utilities.u[:, 1], neg.utilities.feasible,
                        strict=True))]
    fixed = {k: space.issues[space.keys.index(k)].levels[0] for k in red_lined(space)}
    return Explained(found, cu, rates, nash, budget, spent, fixed)
