r"""How sure is a headline verdict? Every verdict across the plausible ranges, all at once.

:mod:`~pactlab.analysis.flips` moves one input at a time; this spreads every ranged input
(:mod:`pactlab.inputs.ranges`) that bears on at least one pact over a design of ``points``
points and values every pact at every point:

* **Design.** A Latin hypercube (``sampler="lhs"``, the default) or a Saltelli design
  (``"sobol"``, SALib, first and total indices without second order): its base size
  :math:`N` is the largest power of two with :math:`N (d + 2) \le` ``points`` for :math:`d`
  ranges, so :math:`N (d + 2)` points are evaluated (the manifest says so, and that the
  indices are rough when :math:`N < 64`). A unit draw :math:`u` becomes a value by the
  range's inverse CDF: uniform :math:`low + u (high - low)`; triangular with its mode at the
  default (for a term range, whose default is each pact's own, at the middle); levels by
  index :math:`\lfloor u \cdot n \rfloor`; a key that takes whole numbers gets equally likely
  whole numbers.
* **Which ranges.** An assumption range that bears on a pact (as in the flip check: not
  another investor's, not an archetype it does not fund, …) unless the user fixed the key
  (``--set``, an assumptions file, ``fixed``); a term range for the pacts that have the term,
  unless ``--term`` set it.
* **Common random numbers.** Every point runs on the futures of ``seed`` (its market,
  project and shock draws are the same: what differs is the assumptions and terms), unless
  ``independent_futures``, when point ``i`` draws from ``SeedSequence(seed).spawn(n)[i]``.
  Each point records its seed: ``pactlab evaluate PACT --paths P --seed S --set k=v …
  --term k=v …`` reproduces its outcomes bit for bit.
* **Verdicts** per pact: ``investor_gain_positive``, ``host_gain_positive``,
  ``individually_rational`` (both mean gains :math:`\ge 0`) and ``investor_crisis_below``
  (:math:`P(\text{crisis}) <` ``crisis_bound``; only for investors with a reserve-crisis
  test, ``ara_applicable``). For each: ``holds_share`` (the share of points where it holds),
  ``at_defaults`` (on the futures of ``seed``), ``drivers`` and ``flip_box``.
* **Drivers.** The inputs that move the verdict's margin (investor gain; host gain; the
  smaller of the two; ``crisis_bound`` minus P(crisis)) most: for a Latin hypercube the
  absolute Spearman rank correlation of the input (levels by their index) with the margin
  (``measure = "abs_spearman"``), for a Saltelli design SALib's total Sobol index
  (``"sobol_total"``). An input that does not vary (``low == high``) is never a driver.
* **Flip box.** PRIM (:func:`~pactlab.analysis.explore.prim.prim`, Friedman & Fisher 1999)
  on the points for the region where the verdict differs from its value at the defaults.
  The box reported is the one at the *knee* of the peeling trajectory's coverage–density
  curve: the step farthest from the chord between the first box (all points) and the last
  (the last one where the distances are all zero, i.e. a straight trajectory). ``limits``
  holds the restricted inputs only (``[low, high]``; a categorical input: the levels kept).
  None when the verdict never or always differs from its value at the defaults.

References
----------
Saltelli, A. et al. (2010), Variance based sensitivity analysis of model output, Computer
Physics Communications 181(2). Friedman, J. H. & Fisher, N. I. (1999), Bump hunting in
high-dimensional data, Statistics and Computing 9(2). Bryant, B. P. & Lempert, R. J. (2010),
Thinking inside the box, Technological Forecasting & Social Change 77(1).
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from .._version import __version__
from ..core.errors import PactError
from ..core.jsonable import json_safe
from ..inputs.assumptions import Assumptions, load_assumptions
from ..inputs.ranges import MISSING, RANGES_FILE, Range, fixed_keys, load_ranges
from ..inputs.terms import Pact, load_pact
from ..model.tariffs import TariffCosts
from .batch import Progress, plan_all, resolve_futures, value_all
from .explore.prim import knee, prim
from .flips import VERDICTS, _bears_on, _changed, _one_thread, _term_default, verdicts
from .valuation import digest

__all__ = ["ROBUST_VERDICTS", "Outcome", "Robustness", "knee", "robust"]

#: the verdicts robust reports (the crisis one only where the investor has a crisis test)
ROBUST_VERDICTS = (*VERDICTS, "investor_crisis_below")
#: a Saltelli base size below this gives rough indices (the manifest says so)
ROUGH_BASE = 64


class Outcome(NamedTuple):
    """One pact at one point: each side's mean gain over no deal (USD bn PV), P(crisis)."""

    investor_gain_mean: float
    host_gain_mean: float
    p_crisis: float


# --- the design ---------------------------------------------------------------------------------

def _unit(d: int, points: int, seed: int, sampler: str) -> tuple[np.ndarray, int | None]:
    """The unit design, (points evaluated, d), and the Saltelli base size (None for LHS)."""
    if sampler == "lhs":
        return qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(points), None
    if sampler != "sobol":
        raise PactError(f"--sampler: must be lhs or sobol, got {sampler!r}")
    if points < d + 2:
        raise PactError(f"--points: a Sobol (Saltelli) design over {d} ranges needs at least "
                        f"{d + 2} points (d + 2), got {points}; use more points or --sampler lhs")
    base = 2 ** int(math.floor(math.log2(points // (d + 2))))
    from SALib.sample import sobol
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        unit = sobol.sample(problem, base, calc_second_order=False, seed=seed)
    return unit, base


def _value(r: Range, u: float, whole: bool) -> Any:
    """The range's value at unit draw `u` (see the module docstring)."""
    u = min(max(float(u), 0.0), 1.0 - 1e-12)
    if r.levels is not None:
        return r.levels[min(int(u * len(r.levels)), len(r.levels) - 1)]
    assert r.low is not None and r.high is not None
    low, high = r.low, r.high
    if whole:
        return int(low) + min(int(u * (high - low + 1)), int(high - low))
    if high == low:
        return float(low)
    if r.distribution == "triangular":
        mode = r.default if r.kind == "assumption" else (low + high) / 2
        c = (float(mode) - low) / (high - low)
        return float(stats.triang.ppf(u, c, loc=low, scale=high - low))
    return float(low + u * (high - low))


def _whole(r: Range) -> bool:
    return r.kind == "assumption" and isinstance(r.default, int) and not isinstance(r.default, bool)


def _ranged(ranges: Sequence[Range], pacts: Sequence[Pact], a: Assumptions, fixed: set[str],
            costs: TariffCosts) -> tuple[list[Range], dict[str, tuple[int, ...]]]:
    """The ranges that bear on at least one pact and are not fixed, and the pacts each bears on
    (planned with the run's tariff cache: the defaults' tariff solve is kept for the points)."""
    plans = plan_all(pacts, a, tariff_costs=costs)
    out: list[Range] = []
    applies: dict[str, tuple[int, ...]] = {}
    for r in ranges:
        if r.key in fixed:
            continue
        if r.kind == "assumption":
            idx = tuple(i for i, p in enumerate(plans) if _bears_on(r, p))
        else:
            idx = tuple(i for i, p in enumerate(pacts)
                        if _term_default(p, r.key) is not MISSING and r.key not in p.overrides)
        if idx:
            out.append(r)
            applies[r.key] = idx
    return out, applies


def _seeds(seed: int, n: int, independent: bool) -> list[int]:
    if not independent:
        return [seed] * n
    return [int(s.generate_state(1, np.uint32)[0]) for s in np.random.SeedSequence(seed).spawn(n)]


# --- running the points -------------------------------------------------------------------------

class _Points:
    """Values every pact at a point's values, on `paths` futures from the point's seed, with
    one tariff-model cache for every point."""

    def __init__(self, pacts: Sequence[Pact], a: Assumptions, ranges: Sequence[Range],
                 applies: dict[str, tuple[int, ...]], paths: int, costs: TariffCosts) -> None:
        self.pacts, self.a, self.ranges, self.applies, self.paths = pacts, a, ranges, applies, paths
        self.costs = costs

    def assumptions(self, values: dict[str, Any]) -> Assumptions:
        moved = {r.key: values[r.key] for r in self.ranges if r.kind == "assumption"}
        if not moved:
            return self.a
        try:
            return self.a.with_values(moved, source=RANGES_FILE)
        except PactError as exc:
            raise PactError(f"{RANGES_FILE}: a design point is not an allowed set of "
                            f"assumptions ({exc})") from None

    def pact(self, i: int, values: dict[str, Any]) -> Pact:
        pact = self.pacts[i]
        for r in self.ranges:
            if r.kind == "term" and i in self.applies[r.key]:
                pact = _changed(pact, r, values[r.key])
        return pact

    def run(self, values: dict[str, Any], seed: int) -> list[Outcome]:
        a = self.assumptions(values)
        f = resolve_futures(None, self.paths, seed, a)
        pacts = [self.pact(i, values) for i in range(len(self.pacts))]
        runs = value_all(plan_all(pacts, a, tariff_costs=self.costs), f)
        return [_outcome(run.metrics) for run in runs]


def _outcome(metrics: dict[str, dict[str, float]]) -> Outcome:
    g, fx = metrics["gain"], metrics["fx"]
    p = fx.get("p_crisis")
    return Outcome(float(g["investor_mean"]), float(g["host_mean"]),
                   float("nan") if p is None else float(p))


# --- verdicts, drivers, boxes -------------------------------------------------------------------

def _margins(o: Outcome, bound: float) -> dict[str, float]:
    """Each verdict's margin: it holds where the margin is above 0 (``>= 0`` for individual
    rationality)."""
    return {"investor_gain_positive": o.investor_gain_mean,
            "host_gain_positive": o.host_gain_mean,
            "individually_rational": min(o.investor_gain_mean, o.host_gain_mean),
            "investor_crisis_below": bound - o.p_crisis}


def _holds(o: Outcome, bound: float) -> dict[str, bool]:
    return {**verdicts(o.investor_gain_mean, o.host_gain_mean),
            "investor_crisis_below": bool(o.p_crisis < bound)}


def _column(r: Range, values: Sequence[Any]) -> np.ndarray:
    """An input's values as numbers (levels by their index)."""
    if r.levels is not None:
        order = {repr(v): k for k, v in enumerate(r.levels)}
        return np.array([order[repr(v)] for v in values], dtype=float)
    return np.asarray(values, dtype=float)


def _drivers(cols: dict[str, np.ndarray], margin: np.ndarray, sobol: dict[str, float] | None,
             keys: Sequence[str]) -> list[dict[str, Any]]:
    """The inputs of `keys` that vary, by how much they move the margin, largest first."""
    out = []
    for key in keys:
        x = cols[key]
        if np.ptp(x) == 0 or np.ptp(margin) == 0:
            continue
        if sobol is not None:
            index, measure = float(sobol[key]), "sobol_total"
        else:
            index, measure = abs(float(stats.spearmanr(x, margin)[0])), "abs_spearman"
        if math.isfinite(index):
            out.append({"key": key, "index": index, "measure": measure})
    return sorted(out, key=lambda d: -d["index"])


def _sobol_total(margin: np.ndarray, d: int, seed: int) -> np.ndarray:
    from SALib.analyze import sobol
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        s = sobol.analyze(problem, margin, calc_second_order=False, seed=seed)
    return np.asarray(s["ST"], dtype=float)


def _limit(lim: Any, r: Range) -> list[Any]:
    if isinstance(lim, frozenset):
        return [v for v in (r.levels or ()) if any(v == x and type(v) is type(x) for x in lim)] \
            or sorted(lim, key=str)
    return [float(lim[0]), float(lim[1])]


def _flip_box(frame: pd.DataFrame, flipped: np.ndarray,
              by_key: dict[str, Range]) -> dict[str, Any] | None:
    """PRIM's box at the knee for the points where the verdict differs from the defaults'."""
    if not flipped.any() or flipped.all() or frame.empty:
        return None
    res = prim(frame, flipped)
    traj = res.trajectory
    i = knee(traj["coverage"].to_numpy(), traj["density"].to_numpy())
    restricted = res.restricted(i)
    if not restricted:
        return None
    return {"limits": {k: _limit(res.limits[i][k], by_key[k]) for k in restricted},
            "coverage": float(traj["coverage"].iloc[i]), "density": float(traj["density"].iloc[i])}


def _frame(ranges: Sequence[Range], points: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The points' input values, one column a range (levels as objects: PRIM's categories)."""
    data = {}
    for r in ranges:
        values = [p["values"][r.key] for p in points]
        if r.levels is not None:
            data[r.key] = pd.Series(values, dtype=object)
        elif _whole(r):
            data[r.key] = pd.Series(values, dtype=np.int64)
        else:
            data[r.key] = pd.Series(values, dtype=float)
    return pd.DataFrame(data)


# --- the result ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Robustness:
    """Every pact's verdicts across the plausible ranges (see the module docstring).

    Attributes
    ----------
    manifest : dict
        What produced it: the pacts, paths, seed, sampler, the points evaluated (and the
        Saltelli base size), the crisis bound, the fixed keys, the assumptions' digest.
    ranges : tuple of Range
        The ranges the design spread (its columns), in the ranges file's order.
    points : list of dict
        ``{"id", "seed", "values": {key: value}, "outcomes": {label: {investor_gain_mean,
        host_gain_mean, p_crisis}}}``.
    verdicts : list of dict
        ``{"pact", "verdict", "holds_share", "at_defaults", "drivers", "flip_box"}``.
    """

    manifest: dict[str, Any]
    ranges: tuple[Range, ...]
    points: list[dict[str, Any]]
    verdicts: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """As ``pactlab robust --json`` prints it (the pinned layout)."""
        return json_safe({"manifest": self.manifest, "ranges": [r.to_dict() for r in self.ranges],
                          "points": self.points, "verdicts": self.verdicts})

    def points_frame(self) -> pd.DataFrame:
        """One row a point: id, seed, each range's value, each pact's outcomes
        (``<label>:<outcome>`` columns), as ``robust --csv`` writes it."""
        rows = []
        for p in self.points:
            row: dict[str, Any] = {"id": p["id"], "seed": p["seed"], **p["values"]}
            for label, o in p["outcomes"].items():
                row |= {f"{label}:{k}": v for k, v in o.items()}
            rows.append(row)
        return pd.DataFrame(rows)

    def box_text(self, verdict: dict[str, Any]) -> str:
        """A verdict's flip box in words: ``key < 0.04 and other in {a}`` ('–' for none)."""
        box = verdict.get("flip_box")
        if not box:
            return "–"
        parts = []
        for key, lim in box["limits"].items():
            seen = [p["values"][key] for p in self.points]
            parts.append(_words(key, lim, seen))
        return " and ".join(parts)


def _words(key: str, lim: list[Any], seen: list[Any]) -> str:
    numeric = len(lim) == 2 and all(isinstance(v, float) for v in lim)
    if not numeric:
        return f"{key} = {lim[0]}" if len(lim) == 1 else f"{key} in {{{', '.join(map(str, lim))}}}"
    lo, hi = lim
    low_cut, high_cut = lo > min(seen), hi < max(seen)
    if low_cut and high_cut:
        return f"{lo:.4g} ≤ {key} ≤ {hi:.4g}"
    return f"{key} ≥ {lo:.4g}" if low_cut else f"{key} ≤ {hi:.4g}"


# --- putting it together ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Design:
    ranges: list[Range]
    applies: dict[str, tuple[int, ...]]
    values: list[dict[str, Any]]
    seeds: list[int]
    base: int | None


def _make_design(pacts: Sequence[Pact], a: Assumptions, ranges: Sequence[Range],
                 fixed: set[str], points: int, seed: int, sampler: str,
                 independent: bool, costs: TariffCosts) -> _Design:
    ranged, applies = _ranged(ranges, pacts, a, fixed, costs)
    if not ranged:
        raise PactError("robust: no plausible range bears on these pacts (all fixed by --set, "
                        "--term or the assumptions file?)")
    unit, base = _unit(len(ranged), points, seed, sampler)
    whole = [_whole(r) for r in ranged]
    values = [{r.key: _value(r, u, w) for r, u, w in zip(ranged, row, whole, strict=True)}
              for row in unit]
    return _Design(ranged, applies, values, _seeds(seed, len(values), independent), base)


def _verdict_rows(label: str, i: int, design: _Design, outcomes: list[Outcome],
                  base: Outcome, bound: float, crisis: bool, seed: int) -> list[dict[str, Any]]:
    keys = [r.key for r in design.ranges if i in design.applies[r.key]]
    by_key = {r.key: r for r in design.ranges}
    cols = {r.key: _column(r, [v[r.key] for v in design.values]) for r in design.ranges}
    frame = _frame([by_key[k] for k in keys], [{"values": v} for v in design.values])
    frame = frame.loc[:, [k for k in keys if np.ptp(cols[k]) > 0]]
    at_defaults = _holds(base, bound)
    rows = []
    for name in ROBUST_VERDICTS:
        if name == "investor_crisis_below" and not crisis:
            continue
        holds = np.array([_holds(o, bound)[name] for o in outcomes])
        margin = np.array([_margins(o, bound)[name] for o in outcomes])
        sobol = (dict(zip(by_key, _sobol_total(margin, len(by_key), seed), strict=True))
                 if design.base is not None and np.ptp(margin) > 0 else None)
        drivers = _drivers(cols, margin, sobol, keys) if design.base is None or sobol else []
        rows.append({"pact": label, "verdict": name, "holds_share": float(holds.mean()),
                     "at_defaults": at_defaults[name], "drivers": drivers,
                     "flip_box": _flip_box(frame, holds != at_defaults[name], by_key)})
    return rows


def _manifest(pacts: Sequence[Pact], labels: Sequence[str], a: Assumptions, design: _Design, *,
              points: int, paths: int, seed: int, sampler: str, bound: float,
              independent: bool, fixed: set[str]) -> dict[str, Any]:
    n, d = len(design.values), len(design.ranges)
    if design.base is None:
        note = f"Latin hypercube of {n} points over {d} ranges; drivers by |Spearman rho|"
    else:
        note = (f"Saltelli design, base size N = {design.base} (the largest power of two with "
                f"N(d+2) <= {points}), {n} = N(d+2) points over d = {d} ranges; drivers by total "
                "Sobol index")
        if design.base < ROUGH_BASE:
            note += f"; with N < {ROUGH_BASE} the indices are rough (use more points)"
    return {"pactlab_version": __version__, "command": "robust",
            "pacts": [{"label": lab, "pact": p.name, "term_overrides": dict(p.overrides)}
                      for p, lab in zip(pacts, labels, strict=True)],
            "paths": paths, "seed": seed, "sampler": sampler, "points_requested": points,
            "points": n, "base_size": design.base, "design": note,
            "independent_futures": independent, "crisis_bound": bound,
            "fixed": sorted(fixed), "assumptions_sha256": digest(a.model_dump_json()),
            "assumptions_file": a.source, "assumption_overrides": dict(a.overrides),
            "as_of": a.trade.as_of.isoformat()}


def robust(pacts: Sequence[Pact | str], assumptions: Assumptions | None = None, *,
           points: int = 128, paths: int = 2_000, seed: int = 0, sampler: str = "lhs",
           crisis_bound: float = 0.1, independent_futures: bool = False,
           fixed: Collection[str] = (), ranges: Sequence[Range] | None = None,
           progress: Progress | None = None) -> Robustness:
    """Every headline verdict of each pact across the plausible ranges (module docstring).

    Parameters
    ----------
    pacts : sequence of Pact or str, length pacts
        Pacts, or preset names / .toml paths (their ``--term`` keys are fixed).
    assumptions : Assumptions or None
        The defaults (default: the shipped ones); the keys they fix are not ranged.
    points : int
        The points to evaluate (a Saltelli design: at most this many, see the manifest).
    paths : int
        Futures a point.
    seed : int
        The futures' seed (every point's, unless `independent_futures`) and the design's.
    sampler : {"lhs", "sobol"}
    crisis_bound : float
        ``investor_crisis_below`` holds where P(crisis) is under it.
    independent_futures : bool
        Each point its own futures (``SeedSequence(seed).spawn``), not the common ones.
    fixed : collection of str
        More keys to hold at their defaults.
    ranges : sequence of Range or None
        The ranges (default: :func:`~pactlab.inputs.ranges.load_ranges` of `assumptions`).
    progress : callable (done, total) -> None, optional
        Called after each point; ``total`` = points + 1 (the defaults).

    Returns
    -------
    Robustness

    Raises
    ------
    PactError
        One line: bad settings, no range left to spread, a point's values not allowed.
    """
    _check(points, paths, crisis_bound)
    a = assumptions or load_assumptions()
    loaded = [load_pact(p) if isinstance(p, str) else p for p in pacts]
    ranges = load_ranges(a) if ranges is None else ranges
    held = fixed_keys(a) | set(fixed)
    with _one_thread():
        costs = TariffCosts()
        design = _make_design(loaded, a, ranges, held, points, seed, sampler, independent_futures,
                              costs)
        runner = _Points(loaded, a, design.ranges, design.applies, paths, costs)
        labels = [p.label for p in plan_all(loaded, a, tariff_costs=runner.costs)]
        base = _at_defaults(runner, seed)
        results = _run_points(runner, design, progress)
    return _assemble(loaded, labels, a, design, base, results, points=points, paths=paths,
                     seed=seed, sampler=sampler, bound=crisis_bound,
                     independent=independent_futures, fixed=held)


def _check(points: int, paths: int, bound: float) -> None:
    for name, value, low in (("--points", points, 2), ("--paths", paths, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise PactError(f"{name}: must be a whole number of at least {low}, got {value!r}")
    if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not 0 < bound <= 1:
        raise PactError(f"--crisis-bound: must be a probability in (0, 1], got {bound!r}")


def _run_points(runner: _Points, design: _Design,
                progress: Progress | None) -> list[list[Outcome]]:
    """Every point of the design, in id order (progress: the defaults counted as the first)."""
    total = len(design.values) + 1
    if progress:
        progress(1, total)
    results = []
    for k, (values, s) in enumerate(zip(design.values, design.seeds, strict=True)):
        results.append(runner.run(values, s))
        if progress:
            progress(k + 2, total)
    return results


def _at_defaults(runner: _Points, seed: int) -> list[Outcome]:
    """Every pact as it is, under the assumptions as they are, on the futures of `seed`."""
    f = resolve_futures(None, runner.paths, seed, runner.a)
    runs = value_all(plan_all(runner.pacts, runner.a, tariff_costs=runner.costs), f)
    return [_outcome(run.metrics) for run in runs]


def _assemble(pacts: Sequence[Pact], labels: Sequence[str], a: Assumptions, design: _Design,
              base: list[Outcome], results: list[list[Outcome]], **settings: Any) -> Robustness:
    points = [{"id": k, "seed": s, "values": values,
               "outcomes": {lab: o._asdict() for lab, o in zip(labels, outs, strict=True)}}
              for k, (values, s, outs) in enumerate(zip(design.values, design.seeds, results,
                                                        strict=True))]
    rows: list[dict[str, Any]] = []
    for i, (pact, label) in enumerate(zip(pacts, labels, strict=True)):
        crisis = bool(a.country(pact.parties.investor_code).ara_applicable)
        rows += _verdict_rows(label, i, design, [r[i] for r in results], base[i],
                              settings["bound"], crisis, settings["seed"])
    manifest = _manifest(pacts, labels, a, design, **settings)
    return Robustness(manifest, tuple(design.ranges), points, rows)
