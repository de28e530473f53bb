r"""Preferences revealed by the record: under which preferences were the parties' choices rational?

The record (Korea, 2025): Korea and the US signed ``korea-final-2025-11`` and the US signed
``japan-mou-2025``, so each signed deal beats no deal for each side that signed it; Korea
rejected the US demand (``korea-us-demand-2025-09``) and the US rejected Korea's counter
(``korea-counter-2025-09``), so each rejected offer is worse for the side that rejected it than
what it later signed, and each side's own offer beats the one it rejected. Each is an
inequality :math:`U_s(\text{better};\theta) \ge U_s(\text{worse};\theta)` (no deal: 0) in the
preference parameters :math:`\theta` (:data:`PARAMETERS`): each side's risk aversion, the host's
weights (``host_objective.*``), the political costs and each side's perceived no-deal cost, each
bounded by its plausible range in ``data/ranges.toml`` — so a free no-deal cost cannot make any
record consistent.

The gains are linear in every parameter but the risk aversions, so each pact is simulated once,
its components kept at unit weights (:func:`basis`), and a Latin hypercube over the bounds is
scored by recombining them, path by path, on common futures (the mean-CVaR utility of
:mod:`pactlab.analysis.negotiate.utility`). The record **set-identifies** the parameters: the
report gives the consistent set (each parameter's range over the consistent sample), and one point
inside it, the one with the **largest slack** in the parameters (the consistent sample farthest
from every inconsistent one, each parameter scaled to its range: the margins in USD bn would
push the perceived no-deal costs to their bounds). With no consistent sample the point is the
least inconsistent one (largest smallest margin, USD bn). A parameter whose point sits at a
bound is reported.

``hold_out`` fits without one deal and predicts it: the Nash deal of the Korean issue space
(:func:`~pactlab.analysis.negotiate.space.korea_space`, :func:`~pactlab.analysis.negotiate.solutions.nash_point`)
under the fitted preferences, beside the held-out deal, term by term, with a distance: the mean
over issues of :math:`|\text{predicted} - \text{held out}|` / the issue's range (a level issue:
positions among its levels; a non-numeric one: 0 if equal, else 1).
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from scipy.optimize import minimize
from scipy.stats import qmc

from ..core.errors import PactError
from ..inputs.assumptions import Assumptions
from ..inputs.ranges import load_ranges
from ..inputs.terms import Pact, load_pact
from ..model.futures import Futures
from ..model.futures import futures as make_futures
from .negotiate.solutions import nash_point
from .negotiate.space import IssueSpace, korea_space
from .negotiate.utility import cvar_rows
from .payoffs import payoffs

__all__ = ["PARAMETERS", "RECORD", "Basis", "Calibration", "Fact", "basis", "calibrate", "fit",
           "read_preferences"]

#: the preference parameters, the party whose gain each moves, and the gain component it scales
#: (None: a risk aversion, which weighs the spread of the gain)
PARAMETERS: dict[str, tuple[str, str | None]] = {
    "negotiation.investor_risk_aversion": ("investor", None),
    "negotiation.host_risk_aversion": ("host", None),
    "host_objective.revenue_weight": ("host", "revenue weight"),
    "host_objective.protected_weight": ("host", "protected output"),
    "host_objective.swap_precedent_cost": ("host", "swap precedent"),
    "negotiation.investor_political_cost": ("investor", "political cost"),
    "negotiation.host_political_cost": ("host", "political cost"),
    "negotiation.investor_no_deal_cost": ("investor", "perceived no-deal cost"),
    "negotiation.host_no_deal_cost": ("host", "perceived no-deal cost"),
}
SIGNED, US_DEMAND, COUNTER, JAPAN = ("korea-final-2025-11", "korea-us-demand-2025-09",
                                     "korea-counter-2025-09", "japan-mou-2025")
#: the investors the record covers (by code) and their names
INVESTORS = {"KOR": "korea"}


@dataclass(frozen=True)
class Fact:
    """One observed choice: `side` found `better` at least as good as `worse` (None: no deal)."""

    side: str
    better: str
    worse: str | None
    why: str

    def involves(self, preset: str) -> bool:
        return preset in (self.better, self.worse)


RECORD = (
    Fact("investor", SIGNED, None, "Korea signed the November 2025 MOU"),
    Fact("host", SIGNED, None, "the US signed the November 2025 MOU"),
    Fact("host", JAPAN, None, "the US signed the Japan MOU"),
    Fact("investor", SIGNED, US_DEMAND, "Korea rejected the US demand and later signed"),
    Fact("host", SIGNED, COUNTER, "the US rejected Korea's counter and later signed"),
    Fact("investor", COUNTER, US_DEMAND, "Korea proposed its counter, rejecting the US demand"),
    Fact("host", US_DEMAND, COUNTER, "the US held to its demand, rejecting Korea's counter"),
)


@dataclass(frozen=True)
class Basis:
    """Each pact's gains, (pacts, paths), split into what no parameter moves (`fixed`) and the
    parts each linear parameter scales (`unit`, at a weight of 1), per party."""

    labels: tuple[str, ...]
    fixed: dict[str, np.ndarray]
    unit: dict[str, np.ndarray]              # parameter key -> (pacts, paths)
    tail: float

    def gains(self, theta: Mapping[str, float], party: str) -> np.ndarray:
        """A party's gains, (pacts, paths), under the parameters `theta`."""
        out = self.fixed[party].copy()
        for key, (who, component) in PARAMETERS.items():
            if who == party and component is not None:
                out += theta[key] * self.unit[key]
        return out

    def utilities(self, theta: Mapping[str, float], party: str) -> np.ndarray:
        """Mean - risk aversion x (mean - CVaR), per pact."""
        g = self.gains(theta, party)
        mean = g.mean(axis=1)
        lam = theta[f"negotiation.{party}_risk_aversion"]
        return mean - lam * (mean - cvar_rows(g, self.tail))


#: the values the basis is simulated at: every linear weight at 1 (the stated view)
UNIT = {"host_objective.view": "stated", **{k: 1.0 for k, (_, c) in PARAMETERS.items()
                                            if c is not None}}


def basis(pacts: Sequence[Pact], futures: Futures) -> Basis:
    """Simulate `pacts` once on `futures` (its assumptions at :data:`UNIT`) and split their gains
    into the fixed part and each linear parameter's part."""
    a = futures.assumptions
    pay = payoffs(list(pacts), futures, components=True)
    comps = pay.components or {}
    unit: dict[str, np.ndarray] = {}
    fixed = {"investor": pay.investor.copy(), "host": pay.host.copy()}
    for key, (party, component) in PARAMETERS.items():
        if component is None:
            continue
        if component == "swap precedent":       # a constant where the pact grants a line
            drawable = [p.fx.swap_line > 0 and a.country(p.parties.investor_code).ara_applicable
                        for p in pacts]
            part = -np.repeat(np.array(drawable, float)[:, None], futures.paths, axis=1)
        else:
            part = comps[party][component].copy()
        unit[key] = part
        fixed[party] -= part
    return Basis(pay.labels, fixed, unit, a.risk.tail)


@dataclass(frozen=True)
class Fit:
    """The record scored over a sample of the bounds."""

    consistent: bool
    samples: np.ndarray            # (n, parameters)
    slack: np.ndarray              # (n, facts): each fact's margin, USD bn
    point: dict[str, float]
    point_slack: np.ndarray        # (facts,)


def _theta(keys: Sequence[str], row: np.ndarray) -> dict[str, float]:
    return dict(zip(keys, map(float, row), strict=True))


def _slacks(b: Basis, facts: Sequence[Fact], theta: Mapping[str, float]) -> np.ndarray:
    index = {label: i for i, label in enumerate(b.labels)}
    u = {party: b.utilities(theta, party) for party in ("investor", "host")}
    return np.array([u[f.side][index[f.better]] - (0.0 if f.worse is None else u[f.side][index[f.worse]])
                     for f in facts])


def fit(b: Basis, facts: Sequence[Fact], bounds: Mapping[str, tuple[float, float]], *,
        samples: int = 2048, seed: int = 0, refine: bool = True) -> Fit:
    """Score `facts` over a Latin hypercube of `bounds` and pick a point inside the consistent
    set (:data:`POINT_RULE`; none consistent: :data:`LEAST_RULE`).

    Parameters
    ----------
    b : Basis
    facts : the record's inequalities
    bounds : parameter key -> (low, high), for every key of :data:`PARAMETERS`
    samples, seed : the Latin hypercube
    refine : where no sample is consistent, a bounded Nelder–Mead on the smallest margin

    Returns
    -------
    Fit
    """
    keys = list(PARAMETERS)
    low = np.array([bounds[k][0] for k in keys])
    high = np.array([bounds[k][1] for k in keys])
    q = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(seed)).random(samples)
    rows = low + q * (high - low)
    slack = np.array([_slacks(b, facts, _theta(keys, r)) for r in rows])
    ok = slack.min(axis=1) >= 0
    if ok.any() and not ok.all():
        free = high > low                       # a fixed parameter has no depth
        best = rows[ok][int(np.argmax(depth(q[ok][:, free], q[~ok][:, free])))]
    elif ok.all():
        best = low + 0.5 * (high - low)
    else:
        best = _least_inconsistent(b, facts, keys, rows[int(np.argmax(slack.min(axis=1)))],
                                   low, high, refine)
    point = _theta(keys, best)
    point_slack = _slacks(b, facts, point)
    return Fit(bool(ok.any() or point_slack.min() >= 0), rows, slack, point, point_slack)


def depth(inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Per point of `inside`, its distance to the nearest point of `outside` (both scaled to
    [0, 1] per parameter): how deep it sits in the consistent set."""
    d2 = ((inside[:, None, :] - outside[None, :, :]) ** 2).sum(axis=2)
    return np.sqrt(d2.min(axis=1))


def _least_inconsistent(b: Basis, facts: Sequence[Fact], keys: list[str], start: np.ndarray,
                        low: np.ndarray, high: np.ndarray, refine: bool) -> np.ndarray:
    """No sample is consistent: the point whose smallest margin (USD bn) is largest — the best
    sample, then a bounded Nelder–Mead from it."""
    if not refine:
        return start
    span = np.where(high > low, high - low, 1.0)

    def loss(z: np.ndarray) -> float:
        return -float(_slacks(b, facts, _theta(keys, np.clip(low + z * span, low, high))).min())

    res = minimize(loss, (start - low) / span, method="Nelder-Mead",
                   bounds=[(0.0, 1.0)] * len(keys), options={"maxfev": 600, "xatol": 1e-4,
                                                            "fatol": 1e-4})
    found = np.clip(low + res.x * span, low, high)
    return found if loss((found - low) / span) < loss((start - low) / span) else start


POINT_RULE = ("the largest slack in the parameters: the consistent sample farthest (each parameter "
              "scaled to its range) from every inconsistent one, the deepest inside the set")
LEAST_RULE = ("no point is consistent: the one whose smallest margin over the record (USD bn of "
              "utility) is largest, the best sample then a bounded Nelder-Mead from it")


@dataclass(frozen=True)
class Calibration:
    """What :func:`calibrate` found (see :meth:`to_dict`)."""

    investor: str
    facts: tuple[Fact, ...]
    bounds: dict[str, tuple[float, float]]
    sources: dict[str, str]
    fit: Fit
    hold_out: str | None
    prediction: dict[str, Any] | None
    paths: int
    seed: int

    def parameter_rows(self) -> dict[str, dict[str, Any]]:
        """Per parameter: its bounds, the consistent set's range, the point and whether the point
        sits at a bound (within 1% of the range)."""
        ok = self.fit.slack.min(axis=1) >= 0
        out = {}
        for j, key in enumerate(PARAMETERS):
            low, high = self.bounds[key]
            v = self.fit.point[key]
            tol = 0.01 * (high - low)
            at = "low" if v - low <= tol else "high" if high - v <= tol else None
            values = self.fit.samples[ok, j]
            out[key] = {"low": low, "high": high, "point": v, "at_bound": at,
                        "set": [float(values.min()), float(values.max())] if values.size else None,
                        "source": self.sources.get(key, "")}
        return out

    def meaning(self) -> list[str]:
        """The fitted preferences in words."""
        p = self.fit.point
        return [
            f"The US behaves as if a dollar of tariff revenue is worth "
            f"${1 + p['host_objective.revenue_weight']:.2f} of welfare, and a dollar of protected US "
            f"producers' surplus ${p['host_objective.protected_weight']:.2f} more than welfare counts it.",
            f"It counts ${p['host_objective.swap_precedent_cost']:.1f}B for the precedent of a swap line, "
            f"on top of the expected loss on its draws.",
            f"Korea acts as if no deal costs it ${p['negotiation.investor_no_deal_cost']:.1f}B more than "
            f"the model counts; the US as if it costs ${p['negotiation.host_no_deal_cost']:.1f}B more.",
            f"Risk aversion (weight on the worst 5%'s shortfall): Korea "
            f"{p['negotiation.investor_risk_aversion']:.2f}, the US {p['negotiation.host_risk_aversion']:.2f}.",
        ]

    def to_dict(self) -> dict[str, Any]:
        rows = self.parameter_rows()
        return {
            "investor": self.investor, "consistent": self.fit.consistent,
            "hold_out": self.hold_out, "paths": self.paths, "seed": self.seed,
            "samples": int(len(self.fit.samples)),
            "consistent_share": float((self.fit.slack.min(axis=1) >= 0).mean()),
            "record": [{"side": f.side, "better": f.better, "worse": f.worse or "no deal",
                        "why": f.why, "slack": float(s)}
                       for f, s in zip(self.facts, self.fit.point_slack, strict=True)],
            "parameters": rows, "point": self.fit.point,
            "point_rule": POINT_RULE if self.fit.consistent else LEAST_RULE,
            "at_bound": {k: r["at_bound"] for k, r in rows.items() if r["at_bound"]},
            "meaning": self.meaning(), "prediction": self.prediction,
        }

    def preferences_toml(self) -> str:
        """The fitted point as a file ``negotiate --preferences`` reads."""
        lines = [f"# pactlab calibrate {INVESTORS.get(self.investor, self.investor)}"
                 + (f" --hold-out {self.hold_out}" if self.hold_out else "")
                 + f": consistent = {str(self.fit.consistent).lower()}; the point deepest inside the consistent set "
                 f"({self.paths} paths, seed {self.seed})", "[preferences]"]
        lines += [f'"{k}" = {v!r}' for k, v in self.fit.point.items()]
        return "\n".join(lines) + "\n"


def _investor(name: str) -> str:
    text = name.strip()
    for code, label in INVESTORS.items():
        if text.upper() == code or text.lower() == label:
            return code
    raise PactError(f"calibrate: investor {name[:40]!r}: the record covers korea (KOR) only")


def calibrate(investor: str, assumptions: Assumptions, *, hold_out: str | None = None,
              paths: int = 2000, seed: int = 0, samples: int = 2048, candidates: int = 200,
              progress=None) -> Calibration:
    """Fit the preference parameters to the record (module docstring).

    Parameters
    ----------
    investor : "korea" or "KOR"
    assumptions : the assumptions the rest of the model runs under
    hold_out : a preset of the record to fit without and predict
    paths, seed : the common futures
    samples : the Latin hypercube over the bounds
    candidates : Latin-hypercube candidates of the Korean issue space for the prediction

    Raises
    ------
    PactError
        One line: an investor without a record, a hold-out that is not one of Korea's deals.
    """
    code = _investor(investor)
    if hold_out is not None and hold_out not in (SIGNED, US_DEMAND, COUNTER):
        raise PactError(f"--hold-out: {hold_out[:60]!r}: hold out one of Korea's deals in the "
                        f"record: {SIGNED}, {US_DEMAND} or {COUNTER}")
    ranges = {r.key: r for r in load_ranges(assumptions)}
    bounds = {k: (float(cast(float, ranges[k].low)), float(cast(float, ranges[k].high)))
              for k in PARAMETERS}                       # numeric ranges (data/ranges.toml)
    unit = assumptions.with_values(UNIT, source="calibrate")
    f = make_futures(paths, seed, unit)
    names = (SIGNED, US_DEMAND, COUNTER, JAPAN)
    b = basis([load_pact(n) for n in names], f)
    if progress is not None:
        progress(1, 2)
    facts = tuple(x for x in RECORD if hold_out is None or not x.involves(hold_out))
    found = fit(b, facts, bounds, samples=samples, seed=seed)
    prediction = None
    if hold_out is not None:
        prediction = predict(load_pact(hold_out), found.point, f, candidates=candidates, seed=seed)
    if progress is not None:
        progress(2, 2)
    return Calibration(code, facts, bounds, {k: ranges[k].source for k in PARAMETERS}, found,
                       hold_out, prediction, paths, seed)


def predict(held: Pact, theta: Mapping[str, float], futures: Futures, *, candidates: int = 200,
            seed: int = 0) -> dict[str, Any]:
    """The Nash deal of the Korean issue space under `theta`, beside `held`, term by term.

    The space starts from the US demand (the opening offer), or from the signed deal when the
    demand is the one held out; its candidates are valued once (:func:`basis`) and scored under
    `theta`. The disagreement point is (0, 0): the perceived no-deal costs are in the gains.
    """
    base = load_pact(US_DEMAND if held.name != US_DEMAND else SIGNED)
    space = korea_space(base)
    cands = space.sample("lhs", candidates, seed)
    b = basis(cands.pacts, futures)
    u = np.column_stack([b.utilities(theta, "investor"), b.utilities(theta, "host")])
    i = nash_point(u, (0.0, 0.0))
    held_terms = space.values_of(held)
    if i is None:
        return {"terms": None, "held_out": _plain(held_terms), "distance": None,
                "note": "no candidate beats no deal for both under the fitted preferences"}
    terms = {k: cands.values.iloc[i][k] for k in space.keys}
    return {"terms": _plain(terms), "held_out": _plain(held_terms),
            "distance": distance(space, terms, held_terms),
            "utilities": {"investor": float(u[i, 0]), "host": float(u[i, 1])},
            "candidates": len(cands.pacts)}


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, (np.floating, np.integer)):
            v = v.item()
        out[k] = "inf" if isinstance(v, float) and math.isinf(v) else v
    return out


def distance(space: IssueSpace, predicted: Mapping[str, Any], held: Mapping[str, Any]) -> float:
    """Mean over issues of |predicted - held| / the issue's range (module docstring)."""
    parts = []
    for issue in space.issues:
        p, h = predicted[issue.key], held[issue.key]
        grid = issue.grid()
        numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (*grid, p, h))
        if not numeric:
            parts.append(0.0 if p == h else 1.0)
            continue
        finite = [float(x) for x in grid if math.isfinite(float(x))]
        if math.isinf(float(p)) or math.isinf(float(h)):
            parts.append(0.0 if p == h else 1.0)
            continue
        span = max(finite) - min(finite) if len(finite) > 1 else 0.0
        parts.append(0.0 if span == 0 else min(abs(float(p) - float(h)) / span, 1.0))
    return float(np.mean(parts))


def read_preferences(path: str | Path) -> dict[str, Any]:
    """The ``[preferences]`` table of a file ``calibrate -o`` wrote: dotted assumption keys ->
    numbers; an unknown key or a non-number is a one-line PactError naming the file."""
    name = Path(path).name
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise PactError(f"--preferences {name}: not TOML ({exc})") from None
    table = raw.get("preferences")
    if not isinstance(table, dict) or not table:
        raise PactError(f"--preferences {name}: needs a [preferences] table of "
                        f"'key = number' (as `pactlab calibrate korea -o` writes)")
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in PARAMETERS:
            raise PactError(f"--preferences {name}: {key[:60]}: not a preference parameter "
                            f"(one of {', '.join(PARAMETERS)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PactError(f"--preferences {name}: {key}: must be a number, got {value!r}")
        out[key] = float(value)
    return {"host_objective.view": "stated", **out}
