"""What the jobs compute, in their worker processes: a negotiation, a sweep. Each takes plain
arguments (they cross a process boundary) and a `progress(done, total)` callback, and returns
the JSON-safe payload of the job's result."""
from __future__ import annotations

import tempfile
from typing import Any

from ...inputs.terms import Pact
from ...present import json_safe


def negotiation(base: Pact, space: str, sample: str, n: int, paths: int, seed: int,
                progress) -> dict[str, Any]:
    """Negotiate over `space`'s levers from `base` on `paths` futures."""
    from ...analysis.negotiate import SPACES, negotiate
    from ...model.futures import futures
    neg = negotiate(SPACES[space](base), futures(paths, seed), sample=sample, n=n, seed=seed,
                    progress=progress)
    u = neg.utilities.u
    return json_safe({
        "candidates": len(neg.candidates.pacts), "frontier": neg.frontier.tolist(),
        "utilities": u.tolist(), "individually_rational": neg.individually_rational.tolist(),
        "solutions": {name: None if i is None else {"candidate": i, "utilities": u[i].tolist(),
                                                   "terms": neg.candidates.values.iloc[i].to_dict()}
                      for name, i in neg.solutions.items()},
        "presets": {name: [row.investor_utility, row.host_utility]
                    for name, row in neg.presets.iterrows()}})


def sweep(spec: dict[str, Any], outcome: str, where: str | None, progress) -> dict[str, Any]:
    """Run the sweep in a folder under the job's scratch folder (the working directory); the
    points, the sensitivity and the PRIM box."""
    from ...analysis.explore import discover, explore, load_results, sensitivity
    from ...analysis.explore.spec import Spec
    with tempfile.TemporaryDirectory(prefix="sweep-", dir=".") as folder:
        explore(Spec.model_validate(spec), folder, executor="serial", progress=progress)
        results = load_results(folder)
        sens = sensitivity(folder, outcome)
        found = discover(folder, where) if where else None
    out: dict[str, Any] = {
        "points": len(results), "columns": list(results.columns),
        "rows": results.to_dict(orient="records"),
        "sensitivity": {"outcome": sens.outcome, "method": sens.method, "measure": sens.measure,
                        "note": sens.note, "table": sens.table.to_dict(orient="index")}}
    if found is not None:
        t = found.result.trajectory.iloc[-1]
        box = found.result.box(-1)
        out["discovery"] = {"where": found.where, "share": found.share, "coverage": t.coverage,
                            "density": t.density, "mass": t.mass,
                            "box": {k: {"min": _plain(r["min"]), "max": _plain(r["max"])}
                                    for k, r in box.iterrows()}}
    return json_safe(out)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value

