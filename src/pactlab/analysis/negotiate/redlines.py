"""Red lines and discount factors: what a side will not trade, and how patient each side is.

A *red line* (``--red-line KEY=VALUE``) fixes one issue of the space for the run: the issue
keeps that one value in every candidate, so every output built from the candidates — the
frontier, Nash, Kalai–Smorodinsky, ``best_for``, the alternating offers — holds it. The value
must lie in the issue's range (a range issue: ``low <= v <= high``; numeric levels: between the
smallest and the largest; other levels: one of them) and the term sheet must accept it.

>>> import pactlab as pl
>>> from pactlab.analysis.negotiate import korea_space
>>> space = with_red_lines(korea_space(pl.load_pact("korea-final-2025-11")),
...                        ["tariffs.deal.general=0.15"])
>>> [i.levels for i in space.issues if i.key == "tariffs.deal.general"]
[(0.15,)]
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ...core.errors import PactError
from ...inputs.assumptions import parse_value
from .space import Issue, IssueSpace, apply

#: each side's discount factor per round when none is given (a round is a year of talks:
#: 0.9 is a 10% a round cost of delay, below 1 as Rubinstein's game needs)
DEFAULT_DISCOUNT = 0.9


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _show(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def parse_red_line(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` (the value read as TOML: 0.15, inf, true, text) as (key, value)."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key or not raw:
        raise PactError(f"--red-line {text!r}: expected KEY=VALUE, e.g. tariffs.deal.general=0.15")
    return key, parse_value(raw)


def _check(issue: Issue, value: Any) -> Any:
    """`value` if it lies in the issue's range (a number as float), else a one-line error."""
    flag = f"--red-line {issue.key}={_show(value)}"
    if issue.levels is None:
        low, high = issue._bounds()
        if not _number(value) or not low <= value <= high:
            raise PactError(f"{flag}: must be a number between {low:g} and {high:g} (the issue's "
                            "range)")
        return float(value)
    numeric = [v for v in issue.levels if _number(v)]
    if len(numeric) == len(issue.levels) and len(numeric) > 1:
        low, high = min(numeric), max(numeric)
        if not _number(value) or not low <= value <= high:
            raise PactError(f"{flag}: must be a number between {low:g} and {high:g} (the issue's "
                            "levels)")
        return float(value) if isinstance(value, float) or any(isinstance(v, float)
                                                               for v in numeric) else value
    if not any(value == v and type(value) is type(v) for v in issue.levels):
        raise PactError(f"{flag}: must be one of the issue's levels: "
                        f"{', '.join(map(_show, issue.levels))}")
    return value


def with_red_lines(space: IssueSpace, texts: Sequence[str]) -> IssueSpace:
    """`space` with each red line's issue fixed at its value (checked: the key is an issue of
    the space, named once; the value in its range; the term sheet accepts it)."""
    if not texts:
        return space
    fixed: dict[str, Any] = {}
    by_key = {i.key: i for i in space.issues}
    for text in texts:
        key, value = parse_red_line(text)
        if key not in by_key:
            raise PactError(f"--red-line {key}: not an issue of this negotiation; its issues are "
                            f"{', '.join(by_key)}")
        if key in fixed:
            raise PactError(f"--red-line {key}: given twice")
        fixed[key] = _check(by_key[key], value)
        try:
            apply(space.base, {key: fixed[key]})
        except PactError as exc:
            raise PactError(f"--red-line {key}={_show(value)}: {exc}") from None
    issues = tuple(replace(i, low=None, high=None, step=None, levels=(fixed[i.key],))
                   if i.key in fixed else i for i in space.issues)
    return IssueSpace(space.base, issues)


def red_lined(space: IssueSpace) -> list[str]:
    """The issues a red line (or a space) fixes at one value."""
    return [i.key for i in space.issues if i.levels is not None and len(i.levels) == 1]


def discounts(both: float | None, investor: float | None,
              host: float | None) -> tuple[float, float]:
    """Each side's discount factor per round: its own flag, else ``--discount``, else
    :data:`DEFAULT_DISCOUNT`; each must be in (0, 1)."""
    out = []
    for flag, own in (("--discount-investor", investor), ("--discount-host", host)):
        value, name = (own, flag) if own is not None else (both, "--discount")
        if value is None:
            value = DEFAULT_DISCOUNT
        if not (math.isfinite(value) and 0.0 < value < 1.0):
            raise PactError(f"{name}: a discount factor per round must be in (0, 1) (1 would mean "
                            f"no cost of delay, where Rubinstein's game has no unique split), "
                            f"got {value:g}")
        out.append(float(value))
    return out[0], out[1]
