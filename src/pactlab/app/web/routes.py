"""The workbench's routes, by group: the catalogues, the evaluations (run one at a time, their
answers cached), the jobs (in worker processes) and the page. Each takes a request model of
:mod:`pactlab.app.requests` as its body, checks this server's caps and calls the service."""
from __future__ import annotations

from dataclasses import asdict
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ...core.errors import PactError
from ...core.jsonable import json_safe
from ...core.units import vocabulary
from ...inputs.terms import preset_names
from ...inputs.terms.fields import term_fields
from .. import robust_service, service
from ..pacts import preset, preset_toml
from ..requests import AssumptionsRequest, BacktestRequest
from . import work
from .cache import ByteCache, key
from .caps import Caps, problem
from .jobs import Job, Jobs
from .limits import robust_cap
from .models import (
    ERRORS,
    CompareRequest,
    EvaluateResponse,
    JobResponse,
    NegotiationRequest,
    PactRequest,
    ReportRequest,
    RobustRequest,
    SweepRequest,
    TariffRequest,
)
from .pool import Runner

XLSX = service.XLSX


@cache
def _presets() -> tuple[dict[str, Any], ...]:
    return tuple(service.presets())


def catalogue() -> APIRouter:
    router = APIRouter()

    @router.get("/api/presets", responses=ERRORS)
    async def presets() -> list[dict[str, Any]]:
        """The built-in term sheets."""
        return list(_presets())

    @router.get("/api/pacts/{name}", responses=ERRORS)
    def pact_terms(name: str) -> Any:
        """A preset's terms in term-sheet order: each with its key, value, whether it is an
        assumption rather than a sourced fact, and what the form needs (section, label, unit,
        kind, bounds, choices: from the term-sheet schema)."""
        if name not in preset_names():
            return problem(404, f"{name}: not a preset; presets are {', '.join(preset_names())}")
        p = preset(name)
        return {"name": p.name, "title": p.title, "description": p.description,
                "terms": [json_safe({**asdict(f), "text": f.text()}) for f in term_fields(p)]}

    @router.get("/api/pacts/{name}/toml", responses={**ERRORS, 200: {"content": {"application/toml": {}}}})
    def pact_toml(name: str) -> Response:
        """A preset as an editable TOML term sheet, its sources in comments."""
        if name not in preset_names():
            return problem(404, f"{name}: not a preset; presets are {', '.join(preset_names())}")
        return Response(preset_toml(name), media_type="application/toml")

    @router.get("/api/assumptions", responses=ERRORS)
    def assumptions() -> list[dict[str, Any]]:
        """Every assumption the requests' ``assumptions`` may change, with unit and source."""
        return json_safe(service.assumptions(AssumptionsRequest()))

    @router.get("/api/units", responses=ERRORS)
    async def units() -> dict[str, Any]:
        """The unit vocabulary: how each unit's values are formatted (the page's formatter)."""
        return vocabulary()
    return router


def limits(caps: Caps) -> APIRouter:
    router = APIRouter()

    @router.get("/api/limits", responses=ERRORS)
    async def limits_() -> dict[str, int]:
        """What one request may cost here: the page sizes its robustness strip by it."""
        return {"max_paths": caps.max_paths, "max_pacts": caps.max_pacts}
    return router


def evaluations(caps: Caps, cpu: Runner, answers: ByteCache) -> APIRouter:
    router = APIRouter()

    def resolved(req: Any) -> service.Resolved:
        caps.paths(req.paths)
        if isinstance(req, (CompareRequest, ReportRequest)):
            caps.pacts(req.pacts)
            _strip_cap(caps, req)
        return service.resolve(req)

    @router.post("/api/evaluate", responses=ERRORS, response_model=EvaluateResponse)
    async def evaluate(req: PactRequest) -> Response:
        """One pact for both sides: the headline, each side's gains by component with their
        spread, the reserve path, recoupment, the cash split, the tariff cost by sector."""
        r = await run_in_threadpool(resolved, req)
        name = key(*r.key())
        body = answers.get(name)
        if body is None:
            body = await cpu.call(work.evaluate, req)
            answers.put(name, body)
        return Response(body, media_type="application/json")

    @router.post("/api/compare", responses={**ERRORS, 200: {"content": {
        "application/json": {}, "text/csv": {}, XLSX: {}}}})
    async def compare(req: CompareRequest) -> Response:
        """Pacts side by side on the same futures (as JSON, CSV or an xlsx workbook)."""
        await run_in_threadpool(resolved, req)
        result = await cpu.call(work.compare, req)
        if req.format == "csv":
            return Response(result, media_type="text/csv")
        if req.format == "xlsx":
            return Response(result, media_type=XLSX)
        if req.robust:
            result = {**result, "robustness": await cpu.call(robust_service.web_strip, req)}
        return JSONResponse(result)

    @router.post("/api/report", responses={**ERRORS, 200: {"content": {"text/html": {}}}})
    async def report(req: ReportRequest) -> HTMLResponse:
        """The self-contained HTML report for the pacts (with ``robust``: how sure each verdict
        is and what would change it)."""
        await run_in_threadpool(resolved, req)
        return HTMLResponse(await cpu.call(robust_service.web_report if req.robust
                                           else work.report, req))

    @router.post("/api/tariffs", responses=ERRORS)
    async def tariffs(req: TariffRequest) -> dict[str, Any]:
        """A tariff what-if (by sector, long run and first year, and ranges), or with ``pact``
        the pact's deal against no deal, year by year: what ``pactlab tariffs --json`` prints."""
        caps.draws(req.draws)
        return await cpu.call(work.tariffs, req)

    @router.post("/api/backtest", responses=ERRORS)
    async def backtest(req: BacktestRequest) -> dict[str, Any]:
        """The no-pact reserve model against the investor's history (year-end reserves: the
        model's P5/P50/P95 beside the actual, the crises): what ``pactlab backtest --json`` prints."""
        caps.paths(req.paths)
        return await cpu.call(work.backtest, req)
    _robust_route(router, caps, cpu)
    return router


def _strip_cap(caps: Caps, req: CompareRequest | ReportRequest) -> None:
    """With ``robust``, the strip (a small robust design over the pacts) within the caps."""
    if req.robust:
        robust_cap(robust_service.SMALL_POINTS, robust_service.SMALL_PATHS, len(req.pacts),
                   caps.max_paths, field="robust")


def _robust_route(router: APIRouter, caps: Caps, cpu: Runner) -> None:
    @router.post("/api/robust", responses=ERRORS)
    async def robust(req: RobustRequest) -> dict[str, Any]:
        """How sure each headline verdict is across the plausible ranges: the share of the
        points where it holds, its drivers, its flip box and every point (the pinned layout of
        ``pactlab robust --json``); at most ``(points + 1) x paths`` futures a pact within the
        path cap, and 64 points x pacts."""
        caps.paths(req.paths)
        caps.pacts(req.pacts)
        robust_cap(req.points, req.paths, len(req.pacts), caps.max_paths)
        await run_in_threadpool(robust_service.check, req)
        return await cpu.call(robust_service.web_robust, req)


def _negotiation_work(req: NegotiationRequest) -> int:
    """Futures a negotiation values (candidates x paths), its inputs checked on the way."""
    inputs = service.negotiation_inputs(req)
    n = inputs.space.grid_size() if req.sample == "grid" else (req.n or 0)
    return n * req.paths


def jobs(caps: Caps, runner: Jobs) -> APIRouter:
    router = APIRouter()

    def started(job: Job | None) -> Any:
        if job is None:
            return problem(429, f"request: {caps.max_jobs} jobs are running; try again when one ends")
        return JobResponse(**json_safe(job.public()))

    @router.post("/api/jobs/negotiate", status_code=202, responses=ERRORS)
    def start_negotiation(req: NegotiationRequest) -> JobResponse:
        """Start a negotiation (by default over the article's levers); poll ``/api/jobs/{id}``."""
        caps.paths(req.paths)
        if req.n is not None and req.n * req.paths > caps.max_work:
            _over_work(caps, req)
        if _negotiation_work(req) > caps.max_work:
            _over_work(caps, req)
        return started(runner.start("negotiate", work.negotiation, req))

    @router.post("/api/jobs/sweep", status_code=202, responses=ERRORS)
    def start_sweep(req: SweepRequest) -> JobResponse:
        """Start a sweep (the spec of ``pactlab explore``); poll ``/api/jobs/{id}``. Its result
        has every point, the sensitivity of `outcome` and, with `where`, the PRIM box."""
        service.sweep_spec(req, caps.max_points, caps.max_work)
        return started(runner.start("sweep", work.sweep, req))

    _job_queries(router, runner)
    return router


def _over_work(caps: Caps, req: NegotiationRequest) -> None:
    n = "grid" if req.sample == "grid" and req.n is None else f"{req.n:,}"
    raise PactError(f"request: n x paths: at most {caps.max_work:,} futures valued per job "
                    f"here (candidates x paths), got {n} x {req.paths:,}")


def _job_queries(router: APIRouter, runner: Jobs) -> None:
    @router.get("/api/jobs/{job_id}", responses=ERRORS)
    def job(job_id: str) -> JobResponse:
        """A job's progress, then its result (or why it has none: failed, cancelled, timed out)."""
        found = runner.get(job_id)
        if found is None:
            return problem(404, f"job {job_id}: no such job")    # type: ignore[return-value]
        return JobResponse(**json_safe(found.public()))

    @router.delete("/api/jobs/{job_id}", responses=ERRORS)
    def cancel(job_id: str) -> JobResponse:
        """Cancel a running job (its worker process is ended); the job, now ``cancelled``."""
        found = runner.get(job_id)
        if found is None:
            return problem(404, f"job {job_id}: no such job")    # type: ignore[return-value]
        if not runner.cancel(found):
            return problem(409, f"job {job_id}: {found.status}; only a running job can be "   # type: ignore[return-value]
                                "cancelled")
        return JobResponse(**json_safe(found.public()))

    @router.get("/api/jobs/{job_id}/points.csv", responses={**ERRORS, 200: {"content": {"text/csv": {}}}})
    def job_points(job_id: str) -> Response:
        """A finished sweep's points (inputs and outcomes, one row each) as CSV."""
        found = runner.get(job_id)
        if found is None or found.kind != "sweep":
            return problem(404, f"job {job_id}: no such sweep")
        if found.status != "done" or found.result is None:
            return problem(409, f"job {job_id}: {found.status}; the points come when it is done")
        import pandas as pd
        frame = pd.DataFrame(found.result["rows"], columns=found.result["columns"])
        return Response(frame.to_csv(index=False, float_format="%.10g"), media_type="text/csv")


def page() -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse((resources.files(__package__) / "page.html").read_text(encoding="utf-8"))

    @router.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @router.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        from plotly.offline import get_plotlyjs
        return Response(get_plotlyjs(), media_type="application/javascript",
                        headers={"Cache-Control": "max-age=86400"})
    return router
