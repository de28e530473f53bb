"""What runs off the server's event loop, in worker processes: the jobs (a negotiation, a
sweep: each takes its request and a `progress(done, total)` callback) and the pool's calls (an
evaluation, a comparison, a report, a tariff what-if, a backtest: each takes its request and
returns the response body, or what it is made of). Requests cross the process boundary pickled;
every function runs its request through the service, so the numbers are the command line's.

A pool worker lives for many requests, so it keeps one :class:`~pactlab.model.tariffs.TariffCosts`
(the tariff model's results, keyed by everything they depend on and not by the seed) across
them: a second request on the same tariffs skips the tariff model's solve. It is replaced once it
holds `MAX_TARIFF_RESULTS` results, so memory stays bounded."""
from __future__ import annotations

from typing import Any

from ...analysis.valuation import Evaluation, evaluate_all
from ...core.jsonable import json_safe
from ...model.tariffs import TariffCosts
from .. import service
from ..requests import (
    BacktestRequest,
    CompareRequest,
    NegotiationRequest,
    PactRequest,
    ReportRequest,
    SweepRequest,
    TariffRequest,
)
from ..resolve import report_html
from .models import CompareResponse, EvaluateResponse

#: the most tariff-model results a worker keeps before it starts a fresh cache
MAX_TARIFF_RESULTS = 64
_costs: list[TariffCosts] = []
#: the pact the page shows first (page.html)
PAGE_PACT = "korea-final-2025-11"


def negotiation(req: NegotiationRequest, progress: Any) -> dict[str, Any]:
    """Negotiate from the request's pact over its issues: what the utility-space chart needs."""
    return service.negotiate(req, progress=progress).chart()


def sweep(req: SweepRequest, progress: Any) -> dict[str, Any]:
    """Run the sweep in a folder under the job's scratch folder (the working directory): the
    points, the sensitivity and the PRIM box."""
    return service.sweep(req, progress=progress).payload()


def tariff_costs() -> TariffCosts:
    """This process's tariff-model results, a fresh cache once the last is full."""
    if not _costs or len(getattr(_costs[0], "_kept", ())) >= MAX_TARIFF_RESULTS:
        _costs[:] = [TariffCosts()]
    return _costs[0]


def _evaluations(req: PactRequest | CompareRequest | ReportRequest) -> list[Evaluation]:
    """The request's pacts on the same futures (`service.evaluate`'s numbers; the tariff
    model's results from this process's cache)."""
    r = service.resolve(req)
    return evaluate_all(r.pacts, r.paths, r.seed, assumptions=r.assumptions,
                        tariff_costs=tariff_costs())


def evaluate(req: PactRequest) -> bytes:
    """``POST /api/evaluate``'s body (what the page shows; a flip check is not part of it)."""
    (ev,) = _evaluations(req)
    return EvaluateResponse(**service.Evaluated(ev).view()).model_dump_json().encode()


def compare(req: CompareRequest) -> Any:
    """``POST /api/compare``'s answer in the request's format: CSV text, xlsx bytes, or the
    JSON response as a dict."""
    result = service.Comparison(_evaluations(req), req.detail)
    if req.format == "csv":
        return result.to_csv()
    if req.format == "xlsx":
        return result.to_xlsx()
    return CompareResponse(**result.view()).model_dump()


def report(req: ReportRequest) -> str:
    """``POST /api/report``'s HTML."""
    return report_html(_evaluations(req))


def tariffs(req: TariffRequest) -> dict[str, Any]:
    """``POST /api/tariffs``'s answer (``pactlab tariffs --json``)."""
    return service.tariffs(req).payload()


def backtest(req: BacktestRequest) -> dict[str, Any]:
    """``POST /api/backtest``'s answer (``pactlab backtest --json``)."""
    return json_safe(service.backtest(req).to_dict())


def warm() -> None:
    """Load the numba kernels and the tariff model's results for the page's first pact (as the
    page chooses it): a pool worker's first request then costs what the rest do."""
    names = [p["name"] for p in service.presets()]
    evaluate(PactRequest(pact=PAGE_PACT if PAGE_PACT in names else names[0], paths=100))
