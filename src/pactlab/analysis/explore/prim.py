r"""PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), for scenario discovery:
which box of inputs holds most of the cases of interest?

Written to give the same peeling and pasting trajectory as EMA Workbench's ``Prim`` (Kwakkel
2017) with its defaults, without depending on it (it pulls in a GPL package, and its 2.5.3
release returns zeroed box tables under pandas 3):

* **Peeling.** From the box holding all points, every candidate peel is tried: for a float
  input, the lower or the upper ``peel_alpha`` quantile of the points in the box (SDToolkit's
  quantile, below); for an integer input, the same, rounded to a data value; for a categorical
  input, dropping one category. Each is scored by the *lenient* objective — the gain in the
  box's mean of ``y`` per point removed, :math:`(\bar y_{new} - \bar y_{old}) / (n_{old} -
  n_{new})` — ties going to the peel that leaves more dimensions unrestricted, then to the
  first tried. The best peel is taken while it has a positive score and leaves at least
  ``mass_min`` of the points.
* **Pasting.** Then, along each restricted dimension, the box grows back by the
  ``paste_alpha`` quantile of the points just outside it, while that raises the mean.
* The **trajectory** records each box's coverage (share of all cases of interest inside),
  density (share of the box's points that are cases of interest), mass (share of all points
  inside) and number of restricted dimensions. The box is *accepted* when its density reaches
  ``threshold``.

>>> rng = np.random.default_rng(0)
>>> x = pd.DataFrame({"a": rng.random(2000), "b": rng.random(2000)})
>>> res = prim(x, ((x.a > 0.6) & (x.b < 0.3)).to_numpy())
>>> res.box(-1).round(1).to_dict(orient="index")
{'a': {'min': 0.6, 'max': 1.0}, 'b': {'min': 0.0, 'max': 0.3}}
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

Box = dict[str, tuple[float, float] | frozenset]


# a box holds levels (a frozenset) for a nominal input and an interval for the others: these
# narrow one limit to the kind its input is known to have
def _levels(lim: tuple[float, float] | frozenset) -> frozenset:
    assert isinstance(lim, frozenset)
    return lim


def _interval(lim: tuple[float, float] | frozenset) -> tuple[float, float]:
    assert not isinstance(lim, frozenset)
    return lim


def sdtoolkit_quantile(data: np.ndarray, q: float) -> float:
    """The quantile SDToolkit and EMA Workbench use: the midpoint of the two order statistics
    around position (n-1)q, moved past ties towards the inside of the data."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {q}")
    data = np.sort(np.asarray(data, dtype=float))
    i = (len(data) - 1) * q
    lo, hi = int(math.floor(i)), int(math.ceil(i))
    if q > 0.5:
        while data[lo] == data[hi] and lo > 0:
            lo -= 1
    else:
        while data[lo] == data[hi] and hi < len(data) - 1:
            hi += 1
    return float((data[lo] + data[hi]) / 2)


@dataclass(frozen=True)
class PrimResult:
    """One PRIM box: its peeling and pasting trajectory, and the limits at each step."""

    trajectory: pd.DataFrame        # per step: coverage, density, mass, res_dim, mean, n, k
    limits: list[Box]
    initial: Box
    threshold: float

    @property
    def accepted(self) -> bool:
        """Whether the last box is dense enough (mean of y >= threshold)."""
        return bool(self.trajectory["mean"].iloc[-1] >= self.threshold)

    def restricted(self, i: int = -1) -> list[str]:
        return [c for c in self.initial if self.limits[i][c] != self.initial[c]]

    def box(self, i: int = -1) -> pd.DataFrame:
        """Step `i`'s limits on its restricted dimensions: min and max (categories: the levels
        kept, in both columns)."""
        rows: dict[str, dict[str, Any]] = {}
        for c in self.restricted(i):
            lim = self.limits[i][c]
            if isinstance(lim, frozenset):
                kept = tuple(sorted(lim, key=str))
                rows[c] = {"min": kept, "max": kept}
            else:
                rows[c] = {"min": lim[0], "max": lim[1]}
        table = pd.DataFrame.from_dict(rows, orient="index", columns=["min", "max"])
        table.index.name = "input"
        return table


class _Prim:
    def __init__(self, x: pd.DataFrame, y: np.ndarray, peel_alpha: float, paste_alpha: float,
                 mass_min: float, threshold: float) -> None:
        x = x.reset_index(drop=True)
        nominal = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])
                   or pd.api.types.is_bool_dtype(x[c])]
        x = x.drop(columns=[c for c in nominal if x[c].nunique() == 1])
        self.floats = [c for c in x.columns if pd.api.types.is_float_dtype(x[c])]
        self.ints = [c for c in x.columns if pd.api.types.is_integer_dtype(x[c])
                     and not pd.api.types.is_bool_dtype(x[c])]
        self.nominal = [c for c in x.columns if c not in self.floats and c not in self.ints]
        self.columns = list(x.columns)
        self.values = {c: x[c].to_numpy() for c in self.columns}
        self.y = y
        self.n = len(y)
        self.peel_alpha, self.paste_alpha = peel_alpha, paste_alpha
        self.mass_min, self.threshold = mass_min, threshold
        self.t_coi = int((y >= threshold).sum())
        self.initial: Box = {c: (frozenset(self.values[c]) if c in self.nominal
                                 else (self.values[c].min(), self.values[c].max()))
                             for c in self.columns}
        self.rows: list[dict] = []
        self.limits: list[Box] = []

    def record(self, box: Box, idx: np.ndarray) -> None:
        y = self.y[idx]
        k = int((y >= self.threshold).sum())
        self.rows.append({"coverage": k / self.t_coi if self.t_coi else np.nan,
                          "density": k / len(y), "mass": len(y) / self.n,
                          "res_dim": self.n_restricted(box), "mean": float(np.mean(y)),
                          "n": len(y), "k": k})
        self.limits.append(dict(box))

    def n_restricted(self, box: Box) -> int:
        return sum(box[c] != self.initial[c] for c in self.columns)

    def objective(self, old: np.ndarray, new: np.ndarray) -> float:
        """The lenient objective: gain in mean per point removed (or added)."""
        mean_old = np.mean(self.y[old])
        mean_new = np.mean(self.y[new]) if new.size else 0.0
        if mean_old == mean_new or old.size == new.size:
            return 0.0
        return (mean_new - mean_old) / abs(old.size - new.size)

    def inside(self, idx: np.ndarray, box: Box, dims) -> np.ndarray:
        keep = np.ones(idx.size, dtype=bool)
        for c in dims:
            v = self.values[c][idx]
            lim = box[c]
            if isinstance(lim, frozenset):
                keep &= np.isin(v, list(lim))
            else:
                keep &= (lim[0] <= v) & (v <= lim[1])
        return idx[keep]

    def peels(self, box: Box, idx: np.ndarray) -> list[tuple[np.ndarray, Box]]:
        out = []
        for c in self.floats:
            v = self.values[c][idx]
            for side in (1, 0):                       # upper, then lower
                cut = sdtoolkit_quantile(v, 1 - self.peel_alpha if side else self.peel_alpha)
                keep = v <= cut if side else v >= cut
                lim = list(box[c])
                lim[side] = cut
                out.append((idx[keep], {**box, c: tuple(lim)}))
        for c in self.ints:
            v = self.values[c][idx]
            lo, hi = box[c]
            for side in (1, 0):
                cut = int(sdtoolkit_quantile(v, 1 - self.peel_alpha if side else self.peel_alpha))
                if side:
                    keep = ((v < hi) & (v >= lo)) if cut == hi else ((v <= cut) & (v >= lo))
                else:
                    keep = ((v > lo) & (v <= hi)) if cut == lo else ((v >= cut) & (v <= hi))
                new = (v[keep].max() if keep.any() else v.max()) if side else \
                      (v[keep].min() if keep.any() else v.min())
                lim = [lo, hi]
                lim[side] = new
                out.append((idx[keep], {**box, c: tuple(lim)}))
        for c in self.nominal:
            kept = _levels(box[c])
            if len(kept) > 1:
                v = self.values[c][idx]
                for level in sorted(kept, key=str):
                    out.append((idx[v != level], {**box, c: kept - {level}}))
        return out

    def pastes(self, box: Box, everyone: np.ndarray, group: list[str], res: list[str]):
        out = []
        for c in group:
            if c not in res:
                continue
            if c in self.nominal:
                for level in sorted(_levels(self.initial[c]) - _levels(box[c]), key=str):
                    candidate = {**box, c: _levels(box[c]) | {level}}
                    out.append((self.inside(everyone, candidate, res), candidate))
                continue
            low, high = _interval(self.initial[c])
            lim = _interval(box[c])
            for side in (0, 1):                       # lower, then upper
                band = {**box, c: (low, lim[0]) if side == 0 else (lim[1], high)}
                data = self.values[c][self.inside(everyone, band, res)]
                if side == 0:
                    value = sdtoolkit_quantile(data, 1 - self.paste_alpha) if data.size else low
                    candidate = {**box, c: (value, lim[1])}
                else:
                    value = sdtoolkit_quantile(data, self.paste_alpha) if data.size else high
                    candidate = {**box, c: (lim[0], value)}
                out.append((self.inside(everyone, candidate, res), candidate))
        return out

    def best(self, idx: np.ndarray, options) -> tuple[float, np.ndarray, Box]:
        """The highest objective, then the most unrestricted dimensions, then the first tried."""
        scored = [(self.objective(idx, new), len(self.columns) - self.n_restricted(box), i)
                  for i, (new, box) in enumerate(options)]
        score, _, i = max(scored, key=lambda s: (s[0], s[1], -s[2]))
        return score, options[i][0], options[i][1]

    def run(self) -> PrimResult:
        idx = np.arange(self.n)
        box = dict(self.initial)
        self.record(box, idx)
        while True:                                   # peeling
            options = self.peels(box, idx)
            if not options:
                break
            score, new, candidate = self.best(idx, options)
            if new.size / self.n >= self.mass_min and new.size < idx.size and score > 0:
                idx, box = new, candidate
                self.record(box, idx)
            else:
                break
        everyone = np.arange(self.n)
        while True:                                   # pasting
            res = [c for c in self.columns if box[c] != self.initial[c]]
            options = []
            for group in (self.floats, self.ints, self.nominal):
                options += self.pastes(box, everyone, group, res)
                if not options:                       # as EMA Workbench: a group with no
                    break                             # paste ends the search
            if not options:
                break
            score, new, candidate = self.best(idx, options)
            if (new.size / self.n >= self.mass_min and new.size > idx.size and score > 0
                    and np.mean(self.y[new]) > np.mean(self.y[idx])):
                idx, box = new, candidate
                self.record(box, idx)
            else:
                break
        return PrimResult(pd.DataFrame(self.rows), self.limits, self.initial, self.threshold)


def prim(x: pd.DataFrame, y, *, peel_alpha: float = 0.05, paste_alpha: float = 0.05,
         mass_min: float = 0.05, threshold: float = 0.8) -> PrimResult:
    """Find one box of `x` (a DataFrame of inputs) where the cases of interest `y` (a boolean
    array, one per row) are dense; see the module docstring.

    Parameters
    ----------
    x : inputs, one column each (floats, integers or categories).
    y : True where the outcome is of interest (e.g. the investor loses).
    peel_alpha, paste_alpha : the share of a box's points each peel (paste) takes (adds).
    mass_min : the smallest share of all points a box may keep.
    threshold : the density at which a box is accepted.
    """
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError(f"y must be one value per row of x ({len(x)}), got shape {y.shape}")
    if not set(np.unique(y)) <= {0, 1}:
        raise ValueError("y must be boolean (True for a case of interest)")
    for name, value in (("peel_alpha", peel_alpha), ("paste_alpha", paste_alpha),
                        ("mass_min", mass_min), ("threshold", threshold)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be in (0, 1), got {value}")
    return _Prim(x, y.astype(int), peel_alpha, paste_alpha, mass_min, threshold).run()


# --- choosing a box and testing its restrictions (as EMA Workbench's PrimBox does) ----------

def inside(x: pd.DataFrame, box: Box) -> np.ndarray:
    """Which rows of `x` lie in `box` (a dimension the box does not name is unrestricted)."""
    keep = np.ones(len(x), dtype=bool)
    for c, lim in box.items():
        v = x[c].to_numpy()
        keep &= np.isin(v, list(lim)) if isinstance(lim, frozenset) else (lim[0] <= v) & (v <= lim[1])
    return keep


def quasi_p_values(x: pd.DataFrame, y, result: PrimResult, i: int) -> dict[str, float]:
    r"""For each restriction of box `i`, the one-sided binomial test EMA Workbench reports: with
    that restriction removed, the box's density is :math:`p_j`; the quasi-p-value is
    :math:`P(X \ge k)` for :math:`X \sim \mathrm{Bin}(n, p_j)`, `n` the box's points and `k` its
    cases of interest. Small: the restriction raises the density by more than chance would
    (Bryant & Lempert 2010; Kwakkel 2017)."""
    from scipy.stats import binomtest
    y = np.asarray(y).astype(int)
    box = result.limits[i]
    here = inside(x, box)
    n, k = int(here.sum()), int(y[here].sum())
    out = {}
    for c in result.restricted(i):
        loose = inside(x, {**box, c: result.initial[c]})
        p = float(y[loose].mean()) if loose.any() else 0.0
        out[c] = float(binomtest(k, n, p, alternative="greater").pvalue) if n else 1.0
    return out


def box_stats(x: pd.DataFrame, y, box: Box) -> dict[str, float]:
    """A box's coverage, density and mass over `x` and the cases `y`."""
    y = np.asarray(y).astype(bool)
    here = inside(x, box)
    k = int(y[here].sum())
    return {"coverage": k / int(y.sum()) if y.any() else math.nan,
            "density": k / int(here.sum()) if here.any() else math.nan,
            "mass": float(here.mean())}


def resample_stability(x: pd.DataFrame, y, choose, *, resamples: int = 20, seed: int = 0,
                       **options: float) -> dict[str, float]:
    """How often each input is restricted in the box `choose(result)` (a step index) picks when
    PRIM is re-run on bootstrap resamples of the points (rows drawn with replacement)."""
    y = np.asarray(y).astype(bool)
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = dict.fromkeys(x.columns, 0)
    done = 0
    for _ in range(resamples):
        rows = rng.integers(0, len(x), len(x))
        if not y[rows].any() or y[rows].all():
            continue
        res = prim(x.iloc[rows].reset_index(drop=True), y[rows], **options)
        done += 1
        for c in res.restricted(choose(res)):
            counts[c] += 1
    return {c: n / done for c, n in counts.items()} if done else {}


def knee(coverage, density) -> int:
    """The step at the knee of a PRIM trajectory: the farthest from the chord between the first
    and the last box on the (coverage, density) curve (the last box where none is off it): the
    box scenario discovery reports by default and :mod:`pactlab.analysis.robust` its flip boxes.

    >>> knee([1.0, 0.9, 0.5, 0.2], [0.3, 0.8, 0.9, 1.0])
    1
    >>> knee([1.0, 0.5], [0.4, 1.0])
    1
    """
    c, d = np.asarray(coverage, dtype=float), np.asarray(density, dtype=float)
    last = len(c) - 1
    dx, dy = c[-1] - c[0], d[-1] - d[0]
    length = math.hypot(dx, dy)
    if last < 2 or length == 0:
        return last
    dist = np.abs(dx * (d[0] - d) - (c[0] - c) * dy) / length
    i = int(np.argmax(dist))
    return last if dist[i] <= 1e-12 or i == 0 else i


#: a restriction whose quasi-p-value is above this is dropped from the reported box
QUASI_P_MAX = 0.05


@dataclass(frozen=True)
class Selection:
    """The box reported from a trajectory: its step (``how``: ``knee`` or ``--box``) and stats,
    each restriction's quasi-p-value and resampling stability, the restrictions dropped (quasi-p
    above ``alpha``) and the box without them (``box``, ``stats``)."""

    step: int
    how: str
    step_stats: dict[str, float]
    quasi_p: dict[str, float]
    stability: dict[str, float]
    dropped: list[str]
    box: Box
    stats: dict[str, float]
    resamples: int
    alpha: float

    def payload(self, result: PrimResult) -> dict[str, Any]:
        """As JSON: ``box`` (the restrictions kept: min and max, categories as a list) and
        ``selected`` (the step, how it was chosen, its stats, the restrictions' tests)."""
        def limits(lim: Any) -> dict[str, Any]:
            if isinstance(lim, frozenset):
                kept = sorted(lim, key=str)
                return {"min": kept, "max": kept}
            return {"min": float(lim[0]), "max": float(lim[1])}
        rows = self.table(result)
        return {"box": {c: limits(lim) for c, lim in self.box.items()},
                "selected": {"step": self.step, "how": self.how, **self.step_stats,
                             "restrictions": {c: {**limits(result.limits[self.step][c]),
                                                  "quasi_p": r.quasi_p, "stability": r.stability,
                                                  "kept": bool(r.kept)}
                                              for c, r in rows.iterrows()},
                             "dropped": self.dropped, "alpha": self.alpha,
                             "resamples": self.resamples, "kept_box": self.stats}}

    def table(self, result: PrimResult) -> pd.DataFrame:
        """The step's restrictions: min, max, quasi-p, stability and whether it is kept."""
        table = result.box(self.step)
        return table.assign(quasi_p=[self.quasi_p[c] for c in table.index],
                            stability=[self.stability.get(c, math.nan) for c in table.index],
                            kept=[c not in self.dropped for c in table.index])


def select_box(x: pd.DataFrame, y, result: PrimResult, *, box: int | None = None,
               resamples: int = 20, seed: int = 0, alpha: float = QUASI_P_MAX,
               **options: float) -> Selection:
    """Choose a box of `result` (step `box`, or the knee of the coverage–density trade-off,
    :func:`knee`), test its restrictions (:func:`quasi_p_values`,
    :func:`resample_stability` with the same choice on each resample) and drop those whose
    quasi-p-value is above `alpha`."""
    from ...core.errors import PactError
    traj = result.trajectory
    last = len(traj) - 1
    if box is not None and not 0 <= box <= last:
        raise PactError(f"--box {box}: must be a step of the trajectory, 0 to {last}")

    def at_knee(res: PrimResult) -> int:
        t = res.trajectory
        return knee(t["coverage"].to_numpy(), t["density"].to_numpy())

    step = at_knee(result) if box is None else box
    target = float(traj["coverage"].iloc[step])

    def like(res: PrimResult) -> int:          # --box N: the resample's step nearest in coverage
        return int(np.argmin(np.abs(res.trajectory["coverage"].to_numpy() - target)))

    quasi = quasi_p_values(x, y, result, step)
    stability = resample_stability(x, y, at_knee if box is None else like, resamples=resamples,
                                   seed=seed, **options) if resamples else {}
    dropped = [c for c, p in quasi.items() if p > alpha]
    kept = {c: result.limits[step][c] for c in result.restricted(step) if c not in dropped}
    return Selection(step, "knee" if box is None else "--box",
                     {k: float(traj[k].iloc[step]) for k in ("coverage", "density", "mass")},
                     quasi, stability, dropped, kept, box_stats(x, y, kept), resamples, alpha)
