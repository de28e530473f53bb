"""``pactlab robust``: a :class:`~pactlab.app.requests.RobustRequest` run (its pacts with their
terms, its assumptions) into a :class:`~pactlab.analysis.robust.Robustness` that becomes JSON,
CSV or a self-contained HTML page. Beside :mod:`pactlab.app.service` (which is near its size
limit), in the same style.

It also runs the **strip**: how sure each verdict of ``compare`` and the report is, "holds in
X% of the plausible range", from a small design (:data:`SMALL_POINTS` points of a Latin
hypercube, :data:`SMALL_PATHS` futures each, on the request's seed), exactly what ``pactlab
robust PACT... --points 16 --paths 500 --seed S`` computes. Results are kept in memory
(:class:`RobustCache`) by the hash of everything they depend on (the pacts with their terms and
labels, the assumptions with their as-of date and what was fixed, the seed, the design), so the
same question within one process is answered once.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analysis.robust import Robustness
from ..analysis.robust import robust as run_robust
from ..core.jsonable import json_safe, to_json
from ..inputs.assumptions import Assumptions
from ..inputs.terms import Pact, pact_to_toml, unique_labels
from .requests import CompareRequest, ReportRequest, RobustRequest
from .resolve import (
    Progress,
    Resolved,
    _pacts,
    assumptions_of,
    csv,
    evaluations,
    report_html,
    resolve,
)

__all__ = ["CACHE", "SMALL_PATHS", "SMALL_POINTS", "Robust", "RobustCache", "Strip", "cached",
           "check", "manifest_key", "report", "robust", "strip", "strip_of", "web_report",
           "web_robust", "web_strip"]

#: the strip's design: points of a Latin hypercube over the plausible ranges, futures a point
SMALL_POINTS = 16
SMALL_PATHS = 500


class RobustCache:
    """Robustness results by :func:`manifest_key`, in memory; past `size` results the least
    recently used goes. A result is shared, not copied: treat it as read-only."""

    def __init__(self, size: int = 32) -> None:
        if size < 1:
            raise ValueError(f"size: at least 1, got {size}")
        self.size = size
        self._kept: OrderedDict[str, Robustness] = OrderedDict()

    def get(self, key: str) -> Robustness | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, key: str, result: Robustness) -> None:
        self._kept[key] = result
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


#: this process's results (the command line's compare, report and robust; a web worker's calls)
CACHE = RobustCache()


def manifest_key(pacts: Sequence[Pact], assumptions: Assumptions, **design: Any) -> str:
    """The SHA-256 of what a robust result depends on: each pact's sheet, term overrides and
    label, the assumptions (values, the keys set, the file), and the design's settings
    (`design`: points, paths, seed, sampler, crisis_bound, independent_futures)."""
    text = json.dumps({"pacts": [pact_to_toml(p) for p in pacts],
                       "overrides": [sorted(map(str, p.overrides)) for p in pacts],
                       "labels": unique_labels(list(pacts)),
                       "assumptions": assumptions.model_dump_json(),
                       "set": sorted(map(str, assumptions.overrides)), "file": assumptions.source,
                       "design": design}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached(pacts: Sequence[Pact], assumptions: Assumptions, *, points: int, paths: int, seed: int,
           sampler: str = "lhs", crisis_bound: float = 0.1, independent_futures: bool = False,
           progress: Progress = None, cache: RobustCache | None = None) -> Robustness:
    """:func:`pactlab.analysis.robust.robust` of the pacts, from `cache` (default :data:`CACHE`)
    when it holds the same question, else run and kept there."""
    cache = CACHE if cache is None else cache
    key = manifest_key(pacts, assumptions, points=points, paths=paths, seed=seed,
                       sampler=sampler, crisis_bound=crisis_bound,
                       independent_futures=independent_futures)
    found = cache.get(key)
    if found is None:
        found = run_robust(list(pacts), assumptions, points=points, paths=paths, seed=seed,
                           sampler=sampler, crisis_bound=crisis_bound,
                           independent_futures=independent_futures, progress=progress)
        cache.put(key, found)
    return found


def _parties(result: Robustness, pacts: Sequence[Pact]) -> dict[str, tuple[str, str]]:
    """By the result's labels, each pact's (investor, host) names."""
    labels = [p["label"] for p in result.manifest["pacts"]]
    return {lab: (p.parties.investor, p.parties.host) for p, lab in zip(pacts, labels, strict=True)}


# --- pactlab robust -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Robust:
    """The verdicts across the plausible ranges, and how to print them."""

    result: Robustness
    parties: dict[str, tuple[str, str]] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """The pinned layout: manifest, ranges, points, verdicts."""
        return self.result.to_dict()

    def to_json(self) -> str:
        return to_json(self.payload())

    def to_csv(self) -> str:
        """The points, one row each (id, seed, values, each pact's outcomes)."""
        return csv(self.result.points_frame(), index=False)

    def to_html(self) -> str:
        """A self-contained page: the shares, the drivers and the flip boxes in words."""
        from ..present.report.robust_page import build_robust_page
        return build_robust_page(self.result, parties=self.parties)


def check(req: RobustRequest) -> tuple[list[Pact], Assumptions]:
    """A robust request's pacts (terms applied) and assumptions, checked (fast)."""
    return _pacts(req.pacts, req.pact_files, req.terms, "pacts"), assumptions_of(req)


def robust(req: RobustRequest, *, progress: Progress = None) -> Robust:
    """Run a robust request (see :func:`pactlab.analysis.robust.robust`), from :data:`CACHE`
    when this process has answered it before."""
    pacts, a = check(req)
    result = cached(pacts, a, points=req.points, paths=req.paths, seed=req.seed,
                    sampler=req.sampler, crisis_bound=req.crisis_bound,
                    independent_futures=req.independent_futures, progress=progress)
    return Robust(result, _parties(result, pacts))


# --- the strip: compare and the report ----------------------------------------------------------

@dataclass(frozen=True)
class Strip:
    """How sure each verdict of a comparison is: the small design's result."""

    result: Robustness
    parties: dict[str, tuple[str, str]] = field(default_factory=dict)

    def shares(self) -> dict[str, dict[str, float]]:
        """By pact label, verdict -> holds_share."""
        out: dict[str, dict[str, float]] = {}
        for v in self.result.verdicts:
            out.setdefault(v["pact"], {})[v["verdict"]] = v["holds_share"]
        return out

    def design(self) -> dict[str, Any]:
        """The design the shares come from: points, paths, seed, sampler, ranges, crisis bound."""
        m = self.result.manifest
        return {"points": m["points"], "paths": m["paths"], "seed": m["seed"],
                "sampler": m["sampler"], "ranges": len(self.result.ranges),
                "crisis_bound": m["crisis_bound"]}

    def payload(self) -> dict[str, Any]:
        """``{"robustness": {"design": {...}, "pacts": {label: {verdict: holds_share}}}}``, as
        ``compare --json`` carries it."""
        return json_safe({"robustness": {"design": self.design(), "pacts": self.shares()}})


def strip(r: Resolved, *, progress: Progress = None, cache: RobustCache | None = None) -> Strip:
    """The small design over the resolved pacts, on their seed (see the module docstring)."""
    result = cached(r.pacts, r.assumptions, points=SMALL_POINTS, paths=SMALL_PATHS, seed=r.seed,
                    progress=progress, cache=cache)
    return Strip(result, _parties(result, r.pacts))


def strip_of(r: Resolved, req: CompareRequest | ReportRequest,
             progress: Progress = None) -> Strip | None:
    """The strip when the request asks for it (``robust``), else None."""
    return strip(r, progress=progress) if req.robust else None


def report(req: ReportRequest, *, progress: Progress = None) -> str:
    """The report's HTML, with the strip and "What would change the verdict" unless the request
    switched them off."""
    r = resolve(req)
    found = strip_of(r, req, progress)
    return report_html(evaluations(r, progress),
                       robustness=None if found is None else found.result)


# --- the web's calls (module functions: they cross into a worker process) -----------------------

def web_robust(req: RobustRequest) -> dict[str, Any]:
    """``POST /api/robust``'s answer: the pinned layout (``pactlab robust --json``)."""
    return robust(req).payload()


def web_strip(req: CompareRequest | ReportRequest) -> dict[str, Any]:
    """``POST /api/compare``'s ``robustness`` (with ``"robust": true``)."""
    return strip(resolve(req)).payload()["robustness"]


def web_report(req: ReportRequest) -> str:
    """``POST /api/report``'s HTML with the strip (``"robust": true``)."""
    return report(req)
