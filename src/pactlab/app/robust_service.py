"""``pactlab robust``: a :class:`~pactlab.app.requests.RobustRequest` run (its pacts with their
terms, its assumptions) into a :class:`~pactlab.analysis.robust.Robustness` that becomes JSON or
CSV. Beside :mod:`pactlab.app.service` (which is near its size limit), in the same style."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis.robust import Robustness
from ..analysis.robust import robust as run_robust
from ..core.jsonable import to_json
from .requests import RobustRequest
from .resolve import Progress, _pacts, assumptions_of, csv

__all__ = ["Robust", "robust"]


@dataclass(frozen=True)
class Robust:
    """The verdicts across the plausible ranges, and how to print them."""

    result: Robustness

    def payload(self) -> dict[str, Any]:
        """The pinned layout: manifest, ranges, points, verdicts."""
        return self.result.to_dict()

    def to_json(self) -> str:
        return to_json(self.payload())

    def to_csv(self) -> str:
        """The points, one row each (id, seed, values, each pact's outcomes)."""
        return csv(self.result.points_frame(), index=False)


def robust(req: RobustRequest, *, progress: Progress = None) -> Robust:
    """Run a robust request (see :func:`pactlab.analysis.robust.robust`)."""
    pacts = _pacts(req.pacts, req.pact_files, req.terms, "pacts")
    result = run_robust(pacts, assumptions_of(req), points=req.points, paths=req.paths,
                        seed=req.seed, sampler=req.sampler, crisis_bound=req.crisis_bound,
                        independent_futures=req.independent_futures, progress=progress)
    return Robust(result)
