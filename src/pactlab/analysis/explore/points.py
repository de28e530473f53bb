"""Running the points of a spec: what a worker does with a chunk of point ids.

A point is known by its id: its factor values come from the spec's design (rebuilt from the
spec and its seed), and its futures from a seed derived from the run's seed by the point id
(``SeedSequence(seed, spawn_key=(point_id,))``). So a point gives the same numbers whichever
worker runs it, in whatever chunk, on whatever executor.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...core.errors import PactError
from ...inputs.assumptions import load_assumptions
from ...inputs.terms import load_pact
from ...model.futures import futures
from ...model.tariffs import TariffCosts
from ..negotiate.space import apply
from ..valuation import evaluate_all
from .spec import OUTCOMES, Spec, input_digests, pact_file


def point_seed(seed: int, point_id: int) -> int:
    """The seed of a point's futures, derived from the run's seed by the point's id."""
    return int(np.random.SeedSequence(seed, spawn_key=(point_id,)).generate_state(1, np.uint64)[0])


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1) -> float:
    """The Ishigami function (Ishigami & Homma 1990), a test case with known Sobol indices."""
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)


class PointRunner:
    """One spec's points: its design, its assumptions and pacts, and a tariff-cost cache shared
    by every point a process runs."""

    def __init__(self, spec: Spec, base_dir: Path) -> None:
        self.spec = spec
        self.design = spec.design()
        self.columns = spec.columns()
        self.tariff_costs = TariffCosts()
        if spec.model == "pacts":
            file = None if spec.assumptions is None else base_dir / spec.assumptions
            as_of = {} if spec.as_of is None else {"trade.as_of": spec.as_of}
            self.assumptions = load_assumptions(file, as_of, overrides_source="spec: as_of")
            self.pacts = [load_pact(pact_file(p, base_dir) or p) for p in spec.pacts]

    def run(self, ids: list[int]) -> pd.DataFrame:
        """One row per point id: the id, its factor values, its outcomes (NaN and an error
        message where the point's terms or assumptions are invalid)."""
        rows = [self._point(i) for i in ids]
        frame = pd.DataFrame(rows, columns=[*self.columns, "error"])
        frame["point_id"] = frame["point_id"].astype(np.int64)
        for c in self.spec.outcome_columns():
            frame[c] = frame[c].astype(float)
        return frame

    def _point(self, point_id: int) -> dict[str, Any]:
        values = self.spec.values(self.design[point_id])
        row: dict[str, Any] = {"point_id": point_id, **values, "error": ""}
        if self.spec.model == "ishigami":
            row["y"] = ishigami(values["x1"], values["x2"], values["x3"])
            return row
        spec = self.spec
        try:
            changed = {k: values[k] for k in spec.uncertainties}
            a = self.assumptions.with_values(changed) if changed else self.assumptions
            levers = {k: values[k] for k in spec.levers}
            pacts = [apply(p, levers) if levers else p for p in self.pacts]
            f = futures(spec.sampler.paths, point_seed(spec.sampler.seed, point_id), a)
            evaluations = evaluate_all(pacts, futures=f, tariff_costs=self.tariff_costs)
        except PactError as exc:
            row["error"] = str(exc)
            return row
        names = spec.outcome_columns()
        k = 0
        for ev in evaluations:
            for outcome in spec.outcomes:
                group, key = OUTCOMES[outcome]
                value = ev.metrics[group][key]
                row[names[k]] = np.nan if value is None else float(value)
                k += 1
        return row


#: this process's runners, by spec digest, folder and input digests: a worker builds one per
#: run, not per chunk, and a new one when a file the spec names has changed
_RUNNERS: dict[tuple[str, str, str], PointRunner] = {}

#: a task: (spec, the spec's folder, chunk number, point ids, single thread?, input digests)
Task = tuple[Spec, str, int, tuple[int, ...], bool, dict[str, str]]


def run_chunk(task: Task) -> tuple[int, pd.DataFrame]:
    """A worker's job: a task -> (chunk number, its rows). Module-level, so every executor can
    ship it. The files are checked against the digests the run started with."""
    spec, base_dir, chunk, ids, single_thread, inputs = task
    if single_thread:
        import numba
        numba.set_num_threads(1)
    key = (spec.digest(), base_dir, repr(sorted(inputs.items())))
    if key not in _RUNNERS:
        if len(_RUNNERS) >= 4:
            _RUNNERS.clear()
        runner = PointRunner(spec, Path(base_dir))
        changed = [k for k, v in input_digests(spec, Path(base_dir)).items() if inputs.get(k) != v]
        if changed:
            raise PactError(f"{changed[0]}: changed while the run was going on; start it again "
                            "in a new folder")
        _RUNNERS[key] = runner
    return chunk, _RUNNERS[key].run(list(ids))
