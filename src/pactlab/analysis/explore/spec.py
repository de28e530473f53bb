"""The experiment spec (XLRM, as EMA Workbench users know it): uncertainties (assumption keys),
levers (term keys), the relation (the pacts, or a test function), outcomes, and the design.

A spec is TOML, validated like a term sheet::

    name = "korea-final"
    pacts = ["korea-final-2025-11"]            # presets or .toml paths (relative to the spec)
    outcomes = ["investor_gain_mean", "investor_p_loss", "p_crisis", "irr_p50"]

    [uncertainties]                             # assumption keys (see `pactlab assumptions`)
    "fx.sudden_stop_prob" = { low = 0.02, high = 0.10 }
    "trade.deal_withdrawal_prob" = { distribution = "triangular", low = 0.02, mode = 0.1, high = 0.3 }
    "markets.sofr.long_run" = { distribution = "normal", mean = 0.03, sd = 0.005, low = 0.0 }

    [levers]                                    # term keys, or the levers commitment / mou_cash_share
    "schedule.annual_cap" = { levels = [10.0, 20.0, 30.0] }

    [sampler]
    method = "lhs"        # lhs | sobol (Saltelli's design, for Sobol indices) | morris | factorial
    points = 1000         # lhs: points; sobol: base samples N (N (D + 2) points); morris: trajectories
    paths = 2000          # futures per point
    seed = 0

Every factor maps a unit draw to a value by its inverse distribution: uniform (``low``,
``high``), ``triangular`` (+ ``mode``), ``normal`` (``mean``, ``sd``, optionally clipped to
``low``/``high``) or discrete ``levels``. The design (the unit sample) follows from the spec and
its seed alone, so any process can rebuild it and a point is known by its id.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from scipy import stats
from scipy.stats import qmc

from ...core.errors import PactError, from_validation_error
from ...inputs.assumptions import as_date
from ...inputs.terms import read_toml, source_toml
from ...inputs.terms.schema import Terms

#: what a point of the pact model can report, by column name: (metric group, metric key)
OUTCOMES = {
    "investor_gain_mean": ("gain", "investor_mean"),
    "investor_gain_p5": ("gain", "investor_p5"),
    "investor_gain_p50": ("gain", "investor_p50"),
    "investor_p_loss": ("gain", "investor_p_loss"),
    "host_gain_mean": ("gain", "host_mean"),
    "host_gain_p5": ("gain", "host_p5"),
    "host_p_loss": ("gain", "host_p_loss"),
    "tariff_relief": ("gain", "investor:tariff relief"),
    "fx_stress": ("gain", "investor:FX stress"),
    "individually_rational": ("gain", "individually_rational"),
    "npv_mean": ("investor", "npv_mean"),
    "irr_p50": ("investor", "irr_p50"),
    "irr_p5": ("investor", "irr_p5"),
    "p_recoup": ("investor", "p_recoup"),
    "peak_call": ("investor", "peak_call"),
    "p_crisis": ("fx", "p_crisis"),
    "p_crisis_no_pact": ("fx", "p_crisis_no_pact"),
    "min_ara_p50": ("fx", "min_ara_p50"),
    "host_npv_mean": ("host", "npv_mean"),
}
#: test functions with known answers (SALib's test_functions), for checking the pipeline
TEST_FUNCTIONS = {"ishigami": (("x1", "x2", "x3"), ("y",))}


class _SpecPart(Terms):
    # infinity (an unlimited swap line) stays Infinity in the manifest's JSON, not null
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="constants")


class Factor(_SpecPart):
    """One uncertainty or lever: a distribution, or levels."""

    distribution: Literal["uniform", "triangular", "normal", "levels"] | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: Annotated[float, Field(gt=0.0)] | None = None
    levels: tuple[Any, ...] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> Factor:
        kind = self.kind
        need = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
                "normal": ("mean", "sd"), "levels": ("levels",)}[kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"{missing[0]}: a {kind} factor needs {', '.join(need)}")
        if kind in ("uniform", "triangular"):
            low, high = self._bounds()
            if not low < high:
                raise ValueError(f"high: must be above low ({self.low}), got {self.high}")
            if kind == "triangular" and not low <= self._mode() <= high:
                raise ValueError(f"mode: must lie between low and high, got {self.mode}")
        return self

    # the fields a kind needs are set once `_complete` has run: these narrow them for mypy
    def _bounds(self) -> tuple[float, float]:
        assert self.low is not None and self.high is not None
        return self.low, self.high

    def _mode(self) -> float:
        assert self.mode is not None
        return self.mode

    def _levels(self) -> tuple[Any, ...]:
        assert self.levels is not None
        return self.levels

    @property
    def kind(self) -> str:
        if self.distribution is not None:
            return self.distribution
        return "levels" if self.levels is not None else "uniform"

    def value(self, q: float) -> Any:
        """The value at unit quantile `q` (levels by index; normals clipped to low/high)."""
        q = min(max(float(q), 1e-12), 1.0 - 1e-12)
        kind = self.kind
        if kind == "levels":
            levels = self._levels()
            return levels[min(int(q * len(levels)), len(levels) - 1)]
        if kind == "uniform":
            low, high = self._bounds()
            return low + q * (high - low)
        if kind == "triangular":
            low, high = self._bounds()
            c = (self._mode() - low) / (high - low)
            return float(stats.triang.ppf(q, c, loc=low, scale=high - low))
        x = float(stats.norm.ppf(q, loc=self.mean, scale=self.sd))
        return float(np.clip(x, -np.inf if self.low is None else self.low,
                             np.inf if self.high is None else self.high))

    def grid(self, count: int) -> tuple[Any, ...]:
        """Levels for a full factorial: the levels, or `count` evenly spaced quantiles."""
        if self.kind == "levels":
            return tuple(self._levels())
        if self.kind == "uniform":
            low, high = self._bounds()
            return tuple(np.linspace(low, high, count).tolist())
        return tuple(self.value(q) for q in (np.arange(count) + 0.5) / count)


class Sampler(_SpecPart):
    method: Literal["lhs", "sobol", "morris", "factorial"] = "lhs"
    points: Annotated[int, Field(ge=1, le=10_000_000)] = 100
    paths: Annotated[int, Field(ge=1, le=1_000_000)] = 2_000
    seed: Annotated[int, Field(ge=0)] = 0
    levels: Annotated[int, Field(ge=2, le=100)] = 4   # morris grid levels; factorial levels


class Spec(_SpecPart):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
    model: Literal["pacts", "ishigami"] = "pacts"
    pacts: tuple[str, ...] = ()
    assumptions: str | None = None
    #: the tariffs known on this date (the assumption trade.as_of; ``explore --as-of``)
    as_of: Annotated[dt.date, BeforeValidator(as_date)] | None = None
    uncertainties: dict[str, Factor] = Field(default_factory=dict)
    levers: dict[str, Factor] = Field(default_factory=dict)
    outcomes: tuple[str, ...] = Field(min_length=1)
    sampler: Sampler = Sampler()

    @model_validator(mode="after")
    def _consistent(self) -> Spec:
        if not self.factors:
            raise ValueError("uncertainties: name at least one uncertainty or lever")
        both = set(self.uncertainties) & set(self.levers)
        if both:
            raise ValueError(f"levers: {sorted(both)[0]} is also an uncertainty")
        if self.model == "pacts":
            if not self.pacts:
                raise ValueError("pacts: name at least one pact (a preset or a .toml file)")
            unknown = [o for o in self.outcomes if o not in OUTCOMES]
            if unknown:
                raise ValueError(f"outcomes: unknown outcome {unknown[0]!r}; outcomes are "
                                 f"{', '.join(OUTCOMES)}")
        else:
            inputs, outputs = TEST_FUNCTIONS[self.model]
            if sorted(self.factors) != sorted(inputs) or set(self.outcomes) - set(outputs):
                raise ValueError(f"uncertainties: the {self.model} function takes "
                                 f"{', '.join(inputs)} and gives {', '.join(outputs)}")
        return self

    @property
    def factors(self) -> dict[str, Factor]:
        """Uncertainties then levers, in the spec's order (the design's columns)."""
        return {**self.uncertainties, **self.levers}

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

    def problem(self) -> dict[str, Any]:
        """The SALib problem: every factor on the unit interval (values follow by `Factor.value`)."""
        names = list(self.factors)
        return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}

    def design(self) -> np.ndarray:
        """The unit sample, (points, factors), in point-id order; the same for the same spec."""
        s, d = self.sampler, len(self.factors)
        if s.method == "lhs":
            return qmc.LatinHypercube(d=d, seed=np.random.default_rng(s.seed)).random(s.points)
        if s.method == "sobol":
            from SALib.sample import sobol
            return sobol.sample(self.problem(), s.points, calc_second_order=False, seed=s.seed)
        if s.method == "morris":
            from SALib.sample import morris
            return morris.sample(self.problem(), s.points, num_levels=s.levels, seed=s.seed)
        grids = [range(len(f.grid(s.levels))) for f in self.factors.values()]
        counts = [len(g) for g in grids]
        return np.array([[(k + 0.5) / n for k, n in zip(row, counts, strict=True)]
                         for row in itertools.product(*grids)])

    def size(self) -> int:
        """How many points the design has, without building it."""
        s, d = self.sampler, len(self.factors)
        if s.method == "lhs":
            return s.points
        if s.method == "sobol":
            return s.points * (d + 2)
        if s.method == "morris":
            return s.points * (d + 1)
        return math.prod(len(f.grid(s.levels)) for f in self.factors.values())

    def values(self, unit: np.ndarray) -> dict[str, Any]:
        """One point's factor values from its unit row (factorial rows hit the grid exactly)."""
        if self.sampler.method == "factorial":
            return {name: f.grid(self.sampler.levels)[int(q * len(f.grid(self.sampler.levels)))]
                    for (name, f), q in zip(self.factors.items(), unit, strict=True)}
        return {name: f.value(q) for (name, f), q in zip(self.factors.items(), unit, strict=True)}

    def columns(self) -> list[str]:
        """The result columns: point_id, one per factor, one per outcome (per pact if several)."""
        return ["point_id", *self.factors, *self.outcome_columns()]

    def outcome_columns(self) -> list[str]:
        if self.model != "pacts" or len(self.pacts) == 1:
            return list(self.outcomes)
        return [f"{o}__{_slug(p)}" for p in self.pacts for o in self.outcomes]


def _slug(pact: str) -> str:
    return Path(pact).stem.replace("-", "_").replace(".", "_")


def pact_file(pact: str, base_dir: Path) -> Path | None:
    """The term sheet a spec's pact names, relative to the spec's folder (a name that ends in
    .toml or contains a /), or None for a preset."""
    return base_dir / pact if pact.endswith(".toml") or "/" in pact else None


def input_digests(spec: Spec, base_dir: Path) -> dict[str, str]:
    """The sha256 of every file a run of `spec` reads, by name: its pact files, its assumptions
    file, and the presets it names (``"<name> (preset)"``), so a run knows what it was made of."""
    if spec.model != "pacts":
        return {}
    out: dict[str, str] = {}
    for pact in spec.pacts:
        file = pact_file(pact, base_dir)
        if file is None:
            out[f"{pact} (preset)"] = _sha256(source_toml(pact).encode("utf-8"))
        else:
            out[pact] = _sha256(_read_regular(file, pact))
    if spec.assumptions is not None:
        out[spec.assumptions] = _sha256(_read_regular(base_dir / spec.assumptions, spec.assumptions))
    return out


def _read_regular(path: Path, label: str) -> bytes:
    """A regular file's bytes (never a FIFO or a device); failures are one PactError line."""
    try:
        if not path.is_file():
            raise PactError(f"{label}: {'not a regular file' if path.exists() else 'no such file'}")
        return path.read_bytes()
    except OSError as exc:
        raise PactError(f"{label}: cannot be read ({exc.strerror})") from None


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec; any problem is one PactError line naming the file and field."""
    path = Path(path)
    raw = read_toml(path, path.name)
    try:
        return Spec.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, path.name) from None
