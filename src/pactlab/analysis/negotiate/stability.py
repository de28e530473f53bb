"""How robust the recommendation is: the Nash deal re-found across replications that change the
futures and the candidate draw (each its own seed), the risk aversion (both sides' λ, cycling
through a set) and the assumptions (a Latin hypercube over their plausible ranges,
``inputs/data/ranges.toml``), and how often each term value is chosen.

A term whose value is chosen in most replications is a recommendation; one that moves with the
seed or the assumptions is not (and says so). Continuous issues are counted by the quarter of
their range they fall in."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ...core.errors import PactError
from ...inputs.assumptions import Assumptions
from ...inputs.ranges import RANGES_FILE, fixed_keys, load_ranges
from ...model.futures import futures
from ..batch import plan_all
from ..flips import _bears_on
from ..robust import _value, _whole
from .run import negotiate
from .space import Issue, IssueSpace
from .utility import Preferences

__all__ = ["LAMBDAS", "Stability", "stability"]

#: the risk aversions the replications cycle through (both sides alike)
LAMBDAS = (0.0, 0.5, 1.0)


@dataclass(frozen=True)
class Stability:
    """The replications (one row each: seed, λ, the assumptions moved, the Nash candidate and its
    terms; no terms where no deal beats no deal for both) and, per issue, the share of the
    replications with a Nash deal that chose each value."""

    runs: pd.DataFrame
    shares: dict[str, dict[str, float]]
    design: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"design": self.design, "shares": self.shares,
                "runs": self.runs.to_dict(orient="records")}

    def table(self) -> pd.DataFrame:
        """Per issue: the value chosen most often and its share, and the others."""
        rows = []
        for issue, counts in self.shares.items():
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            rows.append({"issue": issue, "most chosen": ranked[0][0] if ranked else "–",
                         "share": ranked[0][1] if ranked else float("nan"),
                         "others": ", ".join(f"{v} ({s:.0%})" for v, s in ranked[1:])})
        return pd.DataFrame(rows)


def _bucket(issue: Issue, value: Any) -> str:
    """A chosen value as counted: itself for levels and stepped ranges, else its quarter."""
    if issue.levels is not None or issue.step is not None:
        return f"{value:g}" if isinstance(value, float) else str(value)
    low, high = float(issue.low), float(issue.high)     # type: ignore[arg-type]
    if high == low:
        return f"{low:g}"
    k = min(int(4 * (float(value) - low) / (high - low)), 3)
    width = (high - low) / 4
    return f"{low + k * width:g}–{low + (k + 1) * width:g}"


def stability(space: IssueSpace, a: Assumptions, *, replications: int = 8, n: int = 100,
              paths: int = 300, seed: int = 0, sample: str = "lhs",
              lambdas: Sequence[float] = LAMBDAS, ranged: bool = True,
              progress: Callable[[int, int], None] | None = None) -> Stability:
    """Re-find the Nash deal `replications` times (module docstring).

    Parameters
    ----------
    space : the issues (red lines already applied).
    a : the run's assumptions (the ranged ones are moved around them; those the user fixed with
        ``--set`` stay fixed).
    replications, n, paths : replications, candidates and futures each.
    seed : the root of every replication's seed (``SeedSequence(seed).spawn``).
    lambdas : the risk aversions cycled through.
    ranged : move the assumptions over their plausible ranges (else only seeds and λ).
    """
    if replications < 1:
        raise PactError(f"--stability: the number of replications must be at least 1, got "
                        f"{replications}")
    seeds = [int(s.generate_state(1, np.uint32)[0])
             for s in np.random.SeedSequence(seed).spawn(replications)]
    plan = plan_all([space.base], a)[0]      # the ranges that bear on the pact's gains
    ranges = [r for r in load_ranges() if r.kind == "assumption" and r.key not in fixed_keys(a)
              and _bears_on(r, plan)] if ranged else []
    unit = qmc.LatinHypercube(d=len(ranges), seed=seed).random(replications) if ranges else None
    rows = []
    for i, s in enumerate(seeds):
        moved = {r.key: _value(r, unit[i, j], _whole(r)) for j, r in enumerate(ranges)} \
            if unit is not None else {}
        point = a.with_values(moved, source=RANGES_FILE) if moved else a
        lam = float(lambdas[i % len(lambdas)])
        prefs = replace(Preferences.from_assumptions(point), investor_risk_aversion=lam,
                        host_risk_aversion=lam)
        neg = negotiate(space, futures(paths, s, point), sample=sample, n=n, seed=s, prefs=prefs)
        nash = neg.solutions["nash"]
        terms = {} if nash is None else neg.candidates.values.iloc[nash].to_dict()
        rows.append({"replication": i, "seed": s, "risk_aversion": lam, "nash": nash,
                     **{f"set:{k}": v for k, v in moved.items()}, **terms})
        if progress is not None:
            progress(i + 1, replications)
    runs = pd.DataFrame(rows)
    found = runs[runs["nash"].notna()]
    shares = {}
    for issue in space.issues:
        counts = Counter(_bucket(issue, v) for v in found[issue.key]) if issue.key in found else {}
        total = sum(counts.values())
        shares[issue.key] = {k: c / total for k, c in counts.items()} if total else {}
    design = {"replications": replications, "with_nash_deal": int(len(found)), "candidates": n,
              "paths": paths, "seed": seed, "risk_aversions": list(map(float, lambdas)),
              "ranged": [r.key for r in ranges]}
    return Stability(runs, shares, design)
