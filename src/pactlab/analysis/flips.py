"""Does a headline verdict flip within the plausible ranges? One input at a time.

For each pact, every ranged input (:mod:`pactlab.inputs.ranges`) that bears on it is moved to
each end of its range (each level of a categorical one) with every other input at its value,
and the pact is valued again on the same seed (common random numbers: every point meets the
same market, project and shock draws) and at most :data:`FLIP_PATHS` futures. A verdict that
differs there from its value at the defaults (on the same futures) is a *flip*:

* ``investor_gain_positive``: the investor's mean gain over no deal is above 0;
* ``host_gain_positive``: the host's is;
* ``individually_rational``: both are at least 0.

An input bears on a pact unless it is another investor's (``macro.<code>.*``,
``discount.investor.<code>``), an archetype the pact does not fund (at the defaults), the value
of a side concession (or the delivery of a pledge) the pact does not have, a weight that never
moves a mean gain (``negotiation.*``, ``risk.*``), a term the pact does not have, or one the
user fixed (``--set``, ``--term``, an assumptions file).

The points that leave the trade inputs alone share one tariff-model cache. This is a screen, not a probability: each input moves alone, to the ends only (a verdict that
flips inside a range and back is missed), and the robust-verdicts analysis spreads them all
at once.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numba

from ..core.errors import PactError
from ..inputs.assumptions import Assumptions, load_assumptions
from ..inputs.ranges import MISSING, RANGES_FILE, Range, fixed_keys, load_ranges, value_at
from ..inputs.terms import Pact, load_pact
from ..model.plan import Plan
from ..model.tariffs import TariffCosts
from .batch import Progress, plan_all, resolve_futures, value_all

__all__ = ["FLIP_PATHS", "VERDICTS", "Flip", "FlipCheck", "find_flips", "flip_paths", "verdicts"]

#: the most futures a flip check runs on (each range end is a whole evaluation)
FLIP_PATHS = 500
#: the headline verdicts checked, and what each says
VERDICTS = {"investor_gain_positive": "the investor's mean gain over no deal is above 0",
            "host_gain_positive": "the host's mean gain over no deal is above 0",
            "individually_rational": "both sides' mean gains are at least 0"}


def flip_paths(paths: int) -> int:
    """The futures a flip check runs on beside an evaluation on `paths` futures.

    Parameters
    ----------
    paths : int

    Returns
    -------
    int
        ``min(paths, FLIP_PATHS)``.

    Examples
    --------
    >>> flip_paths(10_000), flip_paths(200)
    (500, 200)
    """
    return min(paths, FLIP_PATHS)


def verdicts(investor_gain: float, host_gain: float) -> dict[str, bool]:
    """The headline verdicts from each side's mean gain over no deal.

    Parameters
    ----------
    investor_gain, host_gain : float, USD bn PV
        Each side's mean gain over no deal.

    Returns
    -------
    dict of str to bool
        By :data:`VERDICTS` key.

    Examples
    --------
    >>> verdicts(-3.0, 0.0)
    {'investor_gain_positive': False, 'host_gain_positive': False, 'individually_rational': False}
    """
    return {"investor_gain_positive": investor_gain > 0, "host_gain_positive": host_gain > 0,
            "individually_rational": investor_gain >= 0 and host_gain >= 0}



@dataclass(frozen=True)
class Flip:
    """A verdict that differs at one end (or level) of one input's plausible range.

    Attributes
    ----------
    pact : str
        The pact's label.
    verdict : str
        A :data:`VERDICTS` key.
    range : Range
        The input's range (its key, kind and source).
    value : object
        The value at which the verdict differs.
    default : object
        The input's value at the defaults (the pact's own, for a term).
    holds : bool
        The verdict at `value` (it is ``not holds`` at the defaults).
    side : {"investor", "host"}
        Whose gain decides it: the side named; for individual rationality, the side below 0
        where it fails (at `value`, or at the defaults where it holds at `value`).
    investor_gain, host_gain : float, USD bn PV
        Each side's mean gain over no deal at `value`.
    """

    pact: str
    verdict: str
    range: Range
    value: Any
    default: Any
    holds: bool
    side: str
    investor_gain: float
    host_gain: float

    @property
    def gain(self) -> float:
        """The deciding side's mean gain at `value` (USD bn PV)."""
        return self.investor_gain if self.side == "investor" else self.host_gain

    def to_dict(self) -> dict[str, Any]:
        """As ``--json`` carries it: the pact, the verdict, the key, the value and the gain
        there, and the range."""
        return {"pact": self.pact, "verdict": self.verdict, "key": self.range.key,
                "kind": self.range.kind, "value": self.value, "default": self.default,
                "holds_at_defaults": not self.holds, "holds": self.holds, "side": self.side,
                "gain": self.gain, "investor_gain": self.investor_gain,
                "host_gain": self.host_gain, "range": self.range.plausible()}


@dataclass(frozen=True)
class FlipCheck:
    """One pact's flip check.

    Attributes
    ----------
    pact : str
        The pact's label.
    paths, seed : int
        The futures every point ran on.
    at_defaults : dict of str to bool
        Each verdict at the defaults, on those futures.
    investor_gain, host_gain : float, USD bn PV
        Each side's mean gain at the defaults, on those futures.
    checked : tuple of str
        The ranged keys that bear on the pact (see the module docstring).
    flips : tuple of Flip
        By verdict (in :data:`VERDICTS` order), the largest move in the deciding gain first.
    """

    pact: str
    paths: int
    seed: int
    at_defaults: dict[str, bool]
    investor_gain: float
    host_gain: float
    checked: tuple[str, ...]
    flips: tuple[Flip, ...]

    def to_dict(self) -> dict[str, Any]:
        """The check's settings and its verdicts at the defaults (its flips: :class:`Flip`)."""
        return {"pact": self.pact, "paths": self.paths, "seed": self.seed,
                "verdicts_at_defaults": self.at_defaults, "investor_gain": self.investor_gain,
                "host_gain": self.host_gain, "ranges_checked": list(self.checked)}


Gains = tuple[float, float]


@dataclass(frozen=True)
class _Point:
    """One range at one value, for some pacts (indices into the pacts checked); a term point
    carries the pact with the term changed."""

    range: Range
    value: Any
    pacts: tuple[int, ...]
    changed: Pact | None = None


# --- which points ------------------------------------------------------------------------------

#: assumptions that never move a mean gain (they weigh risk in bargaining, or a tail)
NO_GAIN = ("negotiation.", "risk.")
#: assumptions that count only where the pact has a term: the value of a side concession
#: where it grants one, the chance a pledge is delivered where it has one
NEEDS: dict[str, Callable[[Pact], bool]] = {
    "valuation.farm_cost_share": lambda p: p.concessions.farm_access_per_year > 0,
    "valuation.host_farm_value": lambda p: p.concessions.farm_access_per_year > 0,
    "valuation.host_energy_value": lambda p: p.concessions.energy_purchases_per_year > 0,
    "valuation.visa_value_investor": lambda p: p.concessions.work_visas_per_year > 0,
    "valuation.visa_cost_host": lambda p: p.concessions.work_visas_per_year > 0,
    "trade.pledge_delivery_prob": lambda p: p.pledge is not None}


def _bears_on(r: Range, plan: Plan) -> bool:
    """Whether an assumption bears on a pact's mean gains: not a bargaining or tail weight,
    not another investor's, not an archetype the pact does not fund, not the value of a
    concession (or a pledge) the pact does not have."""
    if r.key.startswith(NO_GAIN):
        return False
    if r.key in NEEDS:
        return NEEDS[r.key](plan.pact)
    parts = r.key.split(".")
    code = plan.pact.parties.investor_code
    if parts[0] == "macro" and len(parts) > 2:
        return parts[1] == code
    if parts[:2] == ["discount", "investor"] and len(parts) > 2:
        return parts[2] == code
    if parts[0] == "archetypes" and len(parts) > 2:
        return parts[1] in {al.archetype for al in plan.selection.allocations}
    return True


def _others(r: Range, default: Any) -> tuple[Any, ...]:
    """The range's points other than the default itself."""
    return tuple(v for v in r.points()
                 if not (v == default and isinstance(v, bool) == isinstance(default, bool)))


def _assumption_points(ranges: Sequence[Range], plans: Sequence[Plan],
                       fixed: set[str]) -> list[_Point]:
    out: list[_Point] = []
    for r in ranges:
        if r.kind != "assumption" or r.key in fixed:
            continue
        idx = tuple(i for i, p in enumerate(plans) if _bears_on(r, p))
        out += [_Point(r, v, idx) for v in _others(r, r.default)] if idx else []
    return out


def _term_default(pact: Pact, key: str) -> Any:
    """A pact's value of a term (MISSING where it does not have the term)."""
    value = value_at(pact.model_dump(), key)
    return MISSING if value is None or isinstance(value, (dict, list, tuple)) else value


def _term_points(ranges: Sequence[Range], pacts: Sequence[Pact]) -> list[_Point]:
    out: list[_Point] = []
    for r in ranges:
        for i, pact in enumerate(pacts):
            default = _term_default(pact, r.key) if r.kind == "term" else MISSING
            if default is MISSING or r.key in pact.overrides:
                continue
            out += [_Point(r, v, (i,), _changed(pact, r, v)) for v in _others(r, default)]
    return out


def _changed(pact: Pact, r: Range, value: Any) -> Pact:
    try:
        return pact.with_terms({r.key: value}, source=f"{RANGES_FILE} ({pact.name})")
    except PactError as exc:
        raise PactError(f"{RANGES_FILE}: {r.key}: {value!r} is not a valid term for "
                        f"{pact.name} ({exc})") from None


def _moved(a: Assumptions, r: Range, value: Any) -> Assumptions:
    try:
        return a.with_values({r.key: value}, source=RANGES_FILE)
    except PactError as exc:
        raise PactError(f"{RANGES_FILE}: {r.key}: {value!r} is not an allowed value "
                        f"({exc})") from None


# --- running them -------------------------------------------------------------------------------

def _gains(metrics: dict[str, dict[str, float]]) -> Gains:
    g = metrics["gain"]
    return float(g["investor_mean"]), float(g["host_mean"])


class _Runner:
    """Values pacts at points on `paths` futures from `seed`, sharing one tariff-model cache
    (the GSIM runs repeat wherever a point leaves the trade inputs alone)."""

    def __init__(self, pacts: Sequence[Pact], a: Assumptions, paths: int, seed: int) -> None:
        self.pacts, self.a, self.paths, self.seed = pacts, a, paths, seed
        self.costs = TariffCosts()
        self.futures = resolve_futures(None, paths, seed, a)

    def base(self) -> tuple[list[Plan], list[Gains]]:
        plans = plan_all(self.pacts, self.a, tariff_costs=self.costs)
        return plans, [_gains(run.metrics) for run in value_all(plans, self.futures)]

    def at(self, point: _Point) -> list[tuple[int, Gains]]:
        """An assumption point: its pacts on futures drawn under the moved assumptions."""
        moved = _moved(self.a, point.range, point.value)
        f = resolve_futures(None, self.paths, self.seed, moved)
        plans = plan_all([self.pacts[i] for i in point.pacts], moved, tariff_costs=self.costs)
        return [(i, _gains(run.metrics)) for i, run in zip(point.pacts, value_all(plans, f),
                                                           strict=True)]

    def terms(self, points: Sequence[_Point]) -> list[list[tuple[int, Gains]]]:
        """Term points, all in one pass on the defaults' futures."""
        if not points:
            return []
        changed = [p.changed for p in points if p.changed is not None]
        runs = value_all(plan_all(changed, self.a, tariff_costs=self.costs), self.futures)
        return [[(p.pacts[0], _gains(run.metrics))] for p, run in zip(points, runs, strict=True)]


@contextmanager
def _one_thread() -> Iterator[None]:
    """The kernels on one thread while the check runs: its arrays are small (at most
    FLIP_PATHS paths), and on a busy machine the threads' start and join cost more than they
    save (numba's setting is per thread, so other threads keep theirs)."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _side(verdict: str, holds: bool, base: Gains, now: Gains) -> str:
    if verdict != "individually_rational":
        return verdict.split("_", 1)[0]
    investor, _ = now if not holds else base
    return "investor" if investor < 0 else "host"


def _flips(label: str, point: _Point, default: Any, base: Gains, now: Gains) -> list[Flip]:
    before, after = verdicts(*base), verdicts(*now)
    return [Flip(label, v, point.range, point.value, default, after[v],
                 _side(v, after[v], base, now), *now)
            for v in VERDICTS if before[v] != after[v]]


def _ordered(flips: list[Flip], base: Gains) -> tuple[Flip, ...]:
    order = list(VERDICTS)
    return tuple(sorted(flips, key=lambda f: (order.index(f.verdict), -abs(
        f.gain - (base[0] if f.side == "investor" else base[1])))))


def find_flips(pacts: Sequence[Pact | str], assumptions: Assumptions | None = None, *,
               paths: int = FLIP_PATHS, seed: int = 0, ranges: Sequence[Range] | None = None,
               progress: Progress | None = None) -> list[FlipCheck]:
    """Every headline verdict of each pact that flips at an end of one input's plausible range
    (see the module docstring).

    Parameters
    ----------
    pacts : sequence of Pact or str, length pacts
        Pacts, or preset names / .toml paths.
    assumptions : Assumptions or None
        The defaults the inputs move from (default: the shipped ones); the keys they fix
        (``--set``, a file) are not moved.
    paths : int
        The evaluation's futures; the check runs on :func:`flip_paths` of them.
    seed : int
        The futures' seed, the same at every point.
    ranges : sequence of Range or None
        The ranges to check (default: :func:`~pactlab.inputs.ranges.load_ranges`).
    progress : callable (done, total) -> None, optional
        Called after each evaluation; ``total`` = points + 1.

    Returns
    -------
    list of FlipCheck, length pacts
        In the order of `pacts`, labelled as :func:`~pactlab.analysis.batch.plan_all` labels.

    Raises
    ------
    PactError
        When a range's end is not an allowed value of its key (one line, naming ranges.toml).
    """
    a = assumptions or load_assumptions()
    loaded = [load_pact(p) if isinstance(p, str) else p for p in pacts]
    ranges = load_ranges(a) if ranges is None else ranges
    with _one_thread():
        return _find(loaded, a, ranges, flip_paths(paths), seed, progress)


def _find(loaded: list[Pact], a: Assumptions, ranges: Sequence[Range], n: int, seed: int,
          progress: Progress | None) -> list[FlipCheck]:
    runner = _Runner(loaded, a, n, seed)
    plans, base = runner.base()
    moves = _assumption_points(ranges, plans, fixed_keys(a))
    terms = _term_points(ranges, loaded)
    total, done = 1 + len(moves) + len(terms), 1
    if progress:
        progress(done, total)
    found: dict[int, list[Flip]] = {i: [] for i in range(len(loaded))}
    checked: dict[int, list[str]] = {i: [] for i in range(len(loaded))}
    for point in moves:
        _record(point, runner.at(point), plans, base, found, checked)
        done += 1
        if progress:
            progress(done, total)
    for point, got in zip(terms, runner.terms(terms), strict=True):
        _record(point, got, plans, base, found, checked)
    if progress and terms:
        progress(total, total)
    return [FlipCheck(p.label, n, seed, verdicts(*base[i]), *base[i],
                      tuple(dict.fromkeys(checked[i])), _ordered(found[i], base[i]))
            for i, p in enumerate(plans)]


def _record(point: _Point, got: list[tuple[int, Gains]], plans: Sequence[Plan],
            base: Sequence[Gains], found: dict[int, list[Flip]],
            checked: dict[int, list[str]]) -> None:
    for i, now in got:
        default = (point.range.default if point.range.kind == "assumption"
                   else _term_default(plans[i].pact, point.range.key))
        checked[i].append(point.range.key)
        found[i] += _flips(plans[i].label, point, default, base[i], now)
