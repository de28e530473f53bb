"""The issue space: what the two sides can trade, and candidate deals drawn from it.

An :class:`Issue` is a term key (the keys of ``--term``, e.g. ``schedule.annual_cap``) with a
range or a list of levels, or one of two *levers* that move several terms at once:

* ``commitment`` — the total pledged, USD bn: every tranche scaled in proportion;
* ``mou_cash_share`` — the share of the commitment paid as MOU cash; the rest goes to the
  other tranches (loans, guarantees) in proportion to their amounts, or, where the pact has
  none, to a guarantee tranche with the Korean MASGA guarantees' assumed fee and tenor
  (flagged as assumed terms of the candidate).

Non-money issues are terms too (``concessions.energy_purchases_per_year``,
``concessions.farm_access_per_year``, ``concessions.work_visas_per_year``), valued by each side's
stated willingness to pay (assumptions ``valuation.*``). A "priority tier" — the investor paid
its deemed allocation before any split, as Korea asked — is ``waterfall.tiers[0].investor_share
= 1``: under the ``scheduled`` convention tier 1 owes deemed interest plus scheduled principal.

An :class:`IssueSpace` samples candidates (full grid, Latin hypercube or scrambled Sobol, seeded)
and turns them into pacts with ``with_terms``; combinations the term sheet rejects are skipped
and counted, never raised.

>>> import pactlab as pl
>>> space = IssueSpace(pl.load_pact("korea-final-2025-11"),
...                    (Issue("schedule.annual_cap", levels=(10.0, 20.0, 40.0)),
...                     Issue("mou_cash_share", low=0.2, high=0.8, step=0.3)))
>>> c = space.sample("grid")
>>> len(c.pacts), c.skipped, c.values.columns.tolist()
(9, 0, ['schedule.annual_cap', 'mou_cash_share'])
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ...core.errors import PactError
from ...inputs.assumptions import parse_value
from ...inputs.terms import Pact, split_path

LEVERS = ("commitment", "mou_cash_share")
#: the most candidates a full grid may have before it must be sampled instead
MAX_GRID = 200_000


@dataclass(frozen=True)
class Issue:
    """One negotiable term: a range (`low`, `high`, optional `step`) or discrete `levels`."""

    key: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    levels: tuple[Any, ...] | None = None
    unit: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        if self.levels is not None:
            if not self.levels:
                raise PactError(f"--issue {self.key}: needs at least one level")
            return
        if self.low is None or self.high is None:
            raise PactError(f"--issue {self.key}: give a range LO:HI[:STEP] or levels a,b,c")
        if not self.low <= self.high:
            raise PactError(f"--issue {self.key}: the range must run from low to high, got "
                            f"{self.low}:{self.high}")
        if self.step is not None and not self.step > 0:
            raise PactError(f"--issue {self.key}: the step must be > 0, got {self.step}")

    def grid(self) -> tuple[Any, ...]:
        """Levels for a full grid: the levels, the range by its step, or low, middle and high."""
        if self.levels is not None:
            return self.levels
        low, high = self._bounds()
        if self.step is None:
            return tuple(dict.fromkeys((low, (low + high) / 2, high)))
        count = int(math.floor((high - low) / self.step + 1e-9)) + 1
        return tuple(round(low + k * self.step, 12) for k in range(count))

    def at(self, q: float) -> Any:
        """The value at quantile `q` in [0, 1): a level by index, or a point of the range
        (on the step's grid if there is one)."""
        if self.levels is not None:
            return self.levels[min(int(q * len(self.levels)), len(self.levels) - 1)]
        if self.step is not None:
            grid = self.grid()
            return grid[min(int(q * len(grid)), len(grid) - 1)]
        low, high = self._bounds()
        return low + q * (high - low)

    def _bounds(self) -> tuple[float, float]:
        """`low` and `high` of a range issue (``__post_init__`` makes sure both are set)."""
        return cast(float, self.low), cast(float, self.high)


def parse_issue(text: str) -> Issue:
    """``KEY=LO:HI[:STEP]`` or ``KEY=a,b,c`` (values read as TOML: 10, 0.5, inf, true, text)."""
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not sep or not key or not spec:
        raise PactError(f"--issue {text!r}: expected KEY=LO:HI[:STEP] or KEY=a,b,c, "
                        "e.g. schedule.annual_cap=10:40:5")
    if ":" in spec:
        parts = [parse_value(p) for p in spec.split(":")]
        if len(parts) not in (2, 3) or not all(isinstance(p, (int, float)) and not isinstance(p, bool)
                                               for p in parts):
            raise PactError(f"--issue {text!r}: a range is LO:HI or LO:HI:STEP, with numbers")
        return Issue(key, float(parts[0]), float(parts[1]), float(parts[2]) if len(parts) == 3 else None)
    return Issue(key, levels=tuple(parse_value(p.strip()) for p in spec.split(",")))


#: the guarantee tranche `mou_cash_share` adds to a pact that has none (the Korean MASGA
#: guarantees' assumed fee and tenor; flagged as assumed terms)
GUARANTEE = {"name": "guarantees", "instrument": "guarantee", "fee": 0.01, "tenor": 15,
             "recovery_rate": 0.4}


def apply(base: Pact, values: Mapping[str, Any]) -> Pact:
    """`base` with the issues' values applied (levers expanded to tranche amounts)."""
    for lever in LEVERS:            # levers are numbers the schema never sees: check them here
        if isinstance(values.get(lever), (bool, np.bool_)):
            raise PactError(f"{lever}: must be a number, got {str(bool(values[lever])).lower()}")
    terms = {k: v for k, v in values.items() if k not in LEVERS}
    if any(k in values for k in LEVERS):
        tranches = _tranches(base, values.get("commitment"), values.get("mou_cash_share"))
        terms["tranches"] = tranches
        added = [f"tranches[{i}].{k}" for i, t in enumerate(tranches) if t["name"] == GUARANTEE["name"]
                 and not any(x.name == GUARANTEE["name"] for x in base.tranches) for k in ("fee", "tenor")]
        if added:
            terms["assumed"] = [*base.assumed, *added]
    return base.with_terms(terms)


def _tranches(base: Pact, commitment: float | None, cash_share: float | None) -> list[dict]:
    total = base.commitment if commitment is None else float(commitment)
    tranches = [t.model_dump() for t in base.tranches]
    if base.commitment <= 0:
        raise PactError(f"{base.name}: commitment: no tranche to scale")
    if cash_share is None:
        for t in tranches:
            t["amount"] = t["amount"] * total / base.commitment
        return tranches
    if not 0.0 <= cash_share <= 1.0:
        raise PactError(f"mou_cash_share: must be between 0 and 1, got {cash_share}")
    mou = [t for t in tranches if t["instrument"] == "mou"]
    other = [t for t in tranches if t["instrument"] != "mou"]
    if cash_share > 0 and not mou:
        raise PactError(f"{base.name}: mou_cash_share: the pact has no MOU tranche")
    if cash_share < 1 and not other:
        other = [{**GUARANTEE, "amount": 1.0}]
        tranches.append(other[0])
    for group, share in ((mou, cash_share), (other, 1.0 - cash_share)):
        weight = sum(t["amount"] for t in group)
        for t in group:
            t["amount"] = total * share * t["amount"] / weight
    return [t for t in tranches if t["amount"] > 1e-9]


def value_of(pact: Pact, key: str) -> Any:
    """A pact's value of a term key or lever (None where the pact does not have the term)."""
    if key == "commitment":
        return pact.commitment
    if key == "mou_cash_share":
        return pact.amount("mou") / pact.commitment if pact.commitment else None
    node: Any = pact.model_dump()
    for part in split_path(key):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


@dataclass(frozen=True)
class Candidates:
    """Candidate deals: their issue values (one row each) and pacts; `skipped` counts the
    combinations the term sheet rejected, `reasons` one example message per kind."""

    values: pd.DataFrame
    pacts: list[Pact]
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class IssueSpace:
    base: Pact
    issues: tuple[Issue, ...]

    def __post_init__(self) -> None:
        keys = [i.key for i in self.issues]
        if not keys:
            raise PactError("negotiate: name at least one issue (--issue KEY=LO:HI or --space korea)")
        if len(set(keys)) != len(keys):
            raise PactError(f"negotiate: an issue is named twice ({', '.join(keys)})")
        try:   # an unknown term key is an error now, not a silently skipped candidate
            apply(self.base, {i.key: i.at(0.5) for i in self.issues})
        except PactError as exc:
            if "no such term" in str(exc) or "is not a known term" in str(exc):
                raise
        # other rejections (a value out of range at the midpoint) are left to sampling

    @property
    def keys(self) -> list[str]:
        return [i.key for i in self.issues]

    def values_of(self, pact: Pact) -> dict[str, Any]:
        """Where `pact` stands on each issue (levers included)."""
        return {key: value_of(pact, key) for key in self.keys}

    def grid_size(self) -> int:
        return math.prod(len(i.grid()) for i in self.issues)

    def sample(self, method: str = "grid", n: int | None = None, seed: int = 0) -> Candidates:
        """Candidates by full `grid`, Latin hypercube (`lhs`) or scrambled `sobol` (n points,
        rounded up to a power of two); the same seed gives the same candidates."""
        if method == "grid":
            size = self.grid_size()
            if size > MAX_GRID:
                raise PactError(f"negotiate: a full grid of these issues has {size:,} candidates "
                                f"(limit {MAX_GRID:,}); use --sample lhs --n N")
            rows = list(itertools.product(*(i.grid() for i in self.issues)))
        elif method in ("lhs", "sobol"):
            if not n or n < 1:
                raise PactError(f"negotiate: --sample {method} needs --n >= 1")
            d = len(self.issues)
            if method == "lhs":
                q = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(n)
            else:
                q = qmc.Sobol(d=d, scramble=True, seed=np.random.default_rng(seed)).random_base2(
                    max(0, math.ceil(math.log2(n))))
            rows = [tuple(issue.at(x) for issue, x in zip(self.issues, point, strict=True))
                    for point in q]
        else:
            raise PactError(f"negotiate: --sample must be grid, lhs or sobol, got {method!r}")
        return self._candidates(rows)

    def _candidates(self, rows: Sequence[tuple[Any, ...]]) -> Candidates:
        pacts: list[Pact] = []
        kept: list[tuple[Any, ...]] = []
        reasons: dict[str, int] = {}
        for row in dict.fromkeys(rows):          # a repeated point is one candidate
            try:
                pacts.append(apply(self.base, dict(zip(self.keys, row, strict=True))))
                kept.append(row)
            except PactError as exc:
                reason = str(exc).split(": ", 1)[-1]
                reasons[reason] = reasons.get(reason, 0) + 1
        values = pd.DataFrame(kept, columns=self.keys)
        return Candidates(values, pacts, len(dict.fromkeys(rows)) - len(pacts), reasons)


def korea_space(base: Pact) -> IssueSpace:
    """The article's levers for the Korean case: a smaller sum, cash vs guarantees, a stretched
    schedule, the split and a priority tier, the deemed spread, a swap line, who picks the
    projects, the deal tariff, energy purchases, farm access and work visas."""
    return IssueSpace(base, (
        Issue("commitment", 200.0, 350.0, 50.0, unit="usd_bn"),
        Issue("mou_cash_share", 0.1, 0.9, 0.1, unit="share"),
        Issue("schedule.annual_cap", levels=(10.0, 15.0, 20.0, 25.0, 35.0, 50.0), unit="usd_bn"),
        Issue("waterfall.tiers[0].investor_share", levels=(0.5, 0.6, 0.7, 1.0), unit="share"),
        Issue("waterfall.tiers[1].investor_share", levels=(0.1, 0.2, 0.3, 0.5), unit="share"),
        Issue("waterfall.spread", levels=(0.0, 0.01, 0.02), unit="rate"),
        Issue("fx.swap_line", levels=(0.0, 20.0, 50.0, math.inf), unit="usd_bn"),
        Issue("governance.selection", levels=("commercially_reasonable", "host_directed",
                                              "investor_directed")),
        Issue("tariffs.deal.general", levels=(0.10, 0.125, 0.15), unit="rate"),
        Issue("concessions.energy_purchases_per_year", levels=(0.0, 25.0, 50.0), unit="usd_bn"),
        Issue("concessions.farm_access_per_year", levels=(0.0, 2.0, 5.0), unit="usd_bn"),
        Issue("concessions.work_visas_per_year", levels=(0.0, 5.0, 15.0), unit="thousand"),
    ))


SPACES = {"korea": korea_space}
