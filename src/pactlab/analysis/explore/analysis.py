"""What a finished run says: which inputs move an outcome (sensitivity), and under which
combinations of inputs a condition holds (scenario discovery with PRIM).

Sensitivity uses SALib (Herman & Usher 2017): Sobol first-order and total indices with
bootstrap confidence intervals (Saltelli 2002; Saltelli et al. 2010) for a run made with the
``sobol`` design, Morris's μ*, μ and σ (Morris 1991; Campolongo et al. 2007) for a ``morris``
design. SALib rather than ``scipy.stats.sobol_indices``: scipy's calls the model itself, while a
run's outcomes are already on disk, and it has no Morris method. For other designs (Latin
hypercube, factorial) pactlab reports Spearman rank correlations and says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from ...core.errors import PactError
from ...core.jsonable import json_safe
from .prim import PrimResult, Selection, prim, select_box
from .spec import Spec
from .store import Store, load_results


@dataclass(frozen=True)
class Sensitivity:
    """One outcome's sensitivity to each input: `table` has one row per input, sorted by
    `measure` (the column the tornado chart shows), largest first."""

    outcome: str
    method: str          # sobol | morris | spearman
    measure: str
    table: pd.DataFrame
    note: str


def _run(folder: str | Path) -> tuple[Spec, pd.DataFrame]:
    spec = Spec.model_validate(Store(folder).manifest()["spec"])
    return spec, load_results(folder)


def _outcome(spec: Spec, results: pd.DataFrame, outcome: str) -> np.ndarray:
    if outcome not in spec.outcome_columns():
        raise PactError(f"--outcome: {outcome!r} is not an outcome of this run; outcomes are "
                        f"{', '.join(spec.outcome_columns())}")
    return results[outcome].to_numpy(dtype=float)


def sensitivity(folder: str | Path, outcome: str) -> Sensitivity:
    """Sensitivity of `outcome` to every uncertainty and lever of the run in `folder`."""
    spec, results = _run(folder)
    y = _outcome(spec, results, outcome)
    method = spec.sampler.method
    if method in ("sobol", "morris"):
        design = spec.design()
        if len(results) != len(design) or not np.isfinite(y).all():
            missing = len(design) - int(np.isfinite(y).sum())
            raise PactError(f"{folder}: {missing} of {len(design)} points have no {outcome} "
                            "(an unfinished run: use --resume; or points with errors)")
    names = list(spec.factors)
    if method == "sobol":
        from SALib.analyze import sobol
        s = sobol.analyze(spec.problem(), y, calc_second_order=False, seed=spec.sampler.seed)
        table = pd.DataFrame({"S1": s["S1"], "S1_conf": s["S1_conf"], "ST": s["ST"],
                              "ST_conf": s["ST_conf"]}, index=names)
        measure, note = "ST", ("Sobol indices (Saltelli design, 95% bootstrap intervals): S1 is "
                               "the share of the outcome's variance an input explains alone, "
                               "ST with all its interactions.")
    elif method == "morris":
        from SALib.analyze import morris
        s = morris.analyze(spec.problem(), spec.design(), y, num_levels=spec.sampler.levels,
                           seed=spec.sampler.seed)
        table = pd.DataFrame({"mu_star": s["mu_star"], "mu_star_conf": s["mu_star_conf"],
                              "mu": s["mu"], "sigma": s["sigma"]}, index=names)
        measure, note = "mu_star", ("Morris elementary effects over each input's range (in the "
                                    "outcome's units): μ* the mean absolute effect, σ its spread "
                                    "(non-linearity and interactions).")
    else:
        from scipy.stats import spearmanr
        ok = np.isfinite(y)
        rows = {}
        for name in names:
            x = _ranks(results[name])[ok]
            rho, p = spearmanr(x, y[ok]) if np.ptp(x) > 0 else (np.nan, np.nan)
            rows[name] = {"rho": rho, "abs_rho": abs(rho), "p_value": p}
        table = pd.DataFrame.from_dict(rows, orient="index")
        measure, note = "abs_rho", (f"Spearman rank correlations: this run's {method} design does "
                                    "not support variance-based indices; run a 'sobol' or 'morris' "
                                    "design for them.")
    table.index.name = "input"
    return Sensitivity(outcome, method, measure,
                       table.sort_values(measure, ascending=False, kind="stable"), note)


def _ranks(values: pd.Series) -> np.ndarray:
    """Numbers as they are; categories by their order of appearance in the levels."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float)
    order = {v: i for i, v in enumerate(dict.fromkeys(values))}
    return values.map(order).to_numpy(dtype=float)


class _Outcome(TypedDict, total=False):
    """What the query thread of :func:`cases` leaves: the flags, or the error it raised."""

    y: pd.Series
    error: Exception


@dataclass(frozen=True)
class Discovery:
    """A condition, how often it holds, and the PRIM box that concentrates it."""

    where: str
    share: float              # of the points, how many meet the condition
    result: PrimResult
    inputs: list[str]
    selection: Selection | None = None   # the box reported, its restrictions tested

    def selected_payload(self) -> dict[str, Any]:
        """The chosen box (replacing the last one as ``box``) and its tests, as JSON."""
        return {} if self.selection is None else json_safe(self.selection.payload(self.result))


def cases(results: pd.DataFrame, where: str, *, timeout_s: float = 10.0) -> np.ndarray:
    """The rows for which the SQL condition `where` holds (evaluated by DuckDB), in order. The
    condition sees the results and nothing else: files and the network are closed to it, it
    is one expression (no statements after a ``;``), and it gets one thread, 256 MB and
    `timeout_s` seconds (the web app passes it on from a request)."""
    import threading

    import duckdb
    query = f"select coalesce(({where}), false) as y from results order by point_id"
    out: _Outcome = {}
    con = duckdb.connect(config={"enable_external_access": False, "threads": 1,
                                 "memory_limit": "256MB", "lock_configuration": True})

    def run() -> None:
        try:
            out["y"] = con.execute(query).df()["y"]
        except duckdb.Error as exc:
            out["error"] = exc
    try:
        if len(con.extract_statements(query)) != 1:
            raise PactError(f"--where {where!r}: one condition, not statements separated by ';'")
        con.register("results", results)
        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(timeout_s)
        if worker.is_alive():
            con.interrupt()
            worker.join(5)
            raise PactError(f"--where {where!r}: took over {timeout_s:g} s; simplify the condition")
        if "error" in out:
            raise out["error"]
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise PactError(f"--where {where!r}: {first}") from None
    finally:
        con.close()
    flags = out["y"]
    if flags.dtype != bool:
        raise PactError(f"--where {where!r}: must be a true/false condition, e.g. "
                        "\"investor_gain_mean < 0\"")
    return flags.to_numpy()


def discover(folder: str | Path, where: str, *, peel_alpha: float = 0.05,
             paste_alpha: float = 0.05, mass_min: float = 0.05,
             threshold: float = 0.8, box: int | None = None, resamples: int = 20) -> Discovery:
    """Which inputs, in which ranges, make `where` hold: PRIM over the run's uncertainties and
    levers, with the points where the condition holds as cases of interest; the box reported is
    step `box` or the knee, its restrictions tested (:func:`~.prim.select_box`)."""
    spec, results = _run(folder)
    ran = results[results["error"] == ""].reset_index(drop=True)
    if ran.empty:
        raise PactError(f"{folder}: no finished point to analyse")
    y = cases(ran, where)
    if not y.any():
        raise PactError(f"--where {where!r}: holds for none of the {len(ran):,} points")
    inputs = [c for c in spec.factors if ran[c].nunique() > 1]
    options = {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha, "mass_min": mass_min,
               "threshold": threshold}
    result = prim(ran[inputs], y, **options)
    chosen = select_box(ran[inputs], y, result, box=box, resamples=resamples,
                        seed=spec.sampler.seed, **options)
    return Discovery(where, float(y.mean()), result, inputs, chosen)
