"""The workbench's JSON API (FastAPI): the same numbers as the command line, for a page that
answers as the terms move.

* A pact is a preset's name or a term sheet sent inline (`pacts.py`): the server reads no file
  for a request. Requests are strict (``false`` is not a number, an unknown field is an error).
* Bad input is a 4xx whose body is ``{"error": "<one line>"}``, at most 300 characters; every
  error response is in the OpenAPI schema, and the schema states the caps on paths.
* Evaluations run off the event loop, one at a time (numba's parallel kernels must not be
  entered from two threads at once), with at most `max_waiting` queued; answers are cached by
  what produced them, by size, so moving a slider back is instant.
* Jobs run in worker processes (`jobs.py`): they never hold the evaluations' turn, they can be
  cancelled (``DELETE /api/jobs/{id}``), they time out, and each is capped by its total work.
* The body is capped as it streams (`limits.py`), chunked or not.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any

import anyio
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..._version import __version__
from ...analysis.negotiate.space import apply
from ...analysis.valuation import Evaluation, comparison_table, evaluate_all
from ...core.errors import PactError, format_loc, from_validation_error
from ...inputs.assumptions import load_assumptions
from ...inputs.terms import pact_to_toml, preset_names
from ...inputs.terms.fields import term_fields
from ...model.metrics import METRICS
from ...present import HEADLINE, format_value, json_safe, row_label
from . import work
from .cache import ByteCache, key
from .jobs import Job, Jobs
from .limits import BodyLimit, one_line
from .models import (
    ERRORS,
    CompareRequest,
    CompareResponse,
    EvaluateResponse,
    JobResponse,
    NegotiationRequest,
    PactRequest,
    SweepRequest,
    TariffRequest,
)
from .pacts import pact_from, preset, preset_toml

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Caps:
    """What one request or job may cost (the values are in README and in the 4xx messages)."""

    max_paths: int = 50_000          # futures per request
    max_body: int = 256_000          # request bytes, counted as they stream
    max_jobs: int = 2                # jobs running at once (one worker process each)
    max_points: int = 2_000          # points of a sweep
    max_work: int = 5_000_000        # futures valued per job: candidates x paths, points x paths x pacts
    job_timeout: float = 600.0       # seconds a job may run
    job_keep: float = 3_600.0        # seconds a finished job is kept
    jobs_kept: int = 100             # finished jobs kept at most
    cache_bytes: int = 32_000_000    # bytes of cached answers
    max_waiting: int = 32            # evaluations queued at most

    def paths(self, paths: int) -> None:
        if paths > self.max_paths:
            raise PactError(f"request: paths: at most {self.max_paths:,} here, got {paths:,}")


class Cpu:
    """The request path's evaluations, one at a time; a request waits for its turn in the event
    loop (not on a thread), and past `max_waiting` waiting it is a 429 at once."""

    def __init__(self, max_waiting: int) -> None:
        self.max_waiting, self.waiting = max_waiting, 0
        self._turn = anyio.CapacityLimiter(1)

    async def run(self, fn: Callable[[], Any]) -> Any:
        if self.waiting >= self.max_waiting:
            raise HTTPException(429, f"{self.waiting} evaluations are waiting; try again shortly")
        self.waiting += 1
        try:
            return await anyio.to_thread.run_sync(fn, limiter=self._turn)
        finally:
            self.waiting -= 1


def create_app(**options: Any) -> FastAPI:
    """The workbench app; `options` are the fields of :class:`Caps` (e.g. ``max_paths=300``)."""
    caps = Caps(**options)
    jobs = Jobs(caps.max_jobs, caps.job_timeout, caps.job_keep, caps.jobs_kept)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        await anyio.to_thread.run_sync(jobs.shutdown)   # the server stops: so do its jobs

    app = FastAPI(title="pactlab", version=__version__, lifespan=lifespan,
                  description="Investment-for-tariff pacts: what each side gets, and how risky it is.")
    app.add_middleware(BodyLimit, max_body=caps.max_body)
    app.state.jobs = jobs
    _errors(app)
    _catalogue_routes(app)
    _evaluation_routes(app, caps, Cpu(caps.max_waiting), ByteCache(caps.cache_bytes))
    _job_routes(app, caps, jobs)
    _page_routes(app)
    _schema_states_caps(app, caps)
    return app


def problem(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error body: ``{"error": "<one line, at most 300 characters>"}``."""
    return JSONResponse({"error": one_line(message)}, status_code=status, headers=headers)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(PactError)
    async def _pact_error(_: Request, exc: PactError) -> JSONResponse:
        return problem(422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, f"request: {exc.detail}", getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        loc = [p for p in err.get("loc", ()) if p != "body"]
        return problem(422, f"request: {format_loc(tuple(loc))}: {err.get('msg', 'invalid')}")


@cache
def _presets() -> tuple[dict[str, Any], ...]:
    return tuple({"name": n, "title": (p := preset(n)).title, "investor": p.parties.investor,
                  "commitment": p.commitment} for n in preset_names())


def _catalogue_routes(app: FastAPI) -> None:
    @app.get("/api/presets", responses=ERRORS)
    async def presets() -> list[dict[str, Any]]:
        """The built-in term sheets."""
        return list(_presets())

    @app.get("/api/pacts/{name}", responses=ERRORS)
    def pact_terms(name: str) -> dict[str, Any]:
        """A preset's terms in term-sheet order: each with its key, value, whether it is an
        assumption rather than a sourced fact, and what the form needs (section, label, unit,
        kind, bounds, choices: from the term-sheet schema)."""
        if name not in preset_names():
            return problem(404, f"{name}: not a preset; presets are {', '.join(preset_names())}")
        p = preset(name)
        return {"name": p.name, "title": p.title, "description": p.description,
                "terms": [json_safe({**asdict(f), "text": f.text()}) for f in term_fields(p)]}

    @app.get("/api/pacts/{name}/toml", responses={**ERRORS, 200: {"content": {"application/toml": {}}}})
    def pact_toml(name: str) -> Response:
        """A preset as an editable TOML term sheet, its sources in comments."""
        if name not in preset_names():
            return problem(404, f"{name}: not a preset; presets are {', '.join(preset_names())}")
        return Response(preset_toml(name), media_type="application/toml")

    @app.get("/api/assumptions", responses=ERRORS)
    def assumptions() -> list[dict[str, Any]]:
        """Every assumption the requests' ``assumptions`` may change, with unit and source."""
        return json_safe(load_assumptions().catalogue())


def _assumptions(overrides: dict[str, Any]):
    return load_assumptions(overrides=overrides) if overrides else load_assumptions()


def _evaluation_routes(app: FastAPI, caps: Caps, cpu: Cpu, answers: ByteCache) -> None:
    def prepared(req: PactRequest) -> tuple[str, Callable[[], bytes]]:
        """What the answer depends on (its cache key), and how to compute it."""
        caps.paths(req.paths)
        pact = pact_from(req.pact, "request.pact")
        pact = apply(pact, req.terms) if req.terms else pact
        a = _assumptions(req.assumptions)

        def answer() -> bytes:
            ev = evaluate_all([pact], req.paths, req.seed, assumptions=a)[0]
            return EvaluateResponse(**_evaluation_payload(ev)).model_dump_json().encode()
        return key(pact_to_toml(pact), a.model_dump_json(), req.paths, req.seed), answer

    def evaluations(req: CompareRequest) -> Callable[[], list[Evaluation]]:
        caps.paths(req.paths)
        pacts = [pact_from(p, f"request.pacts[{i}]") for i, p in enumerate(req.pacts)]
        pacts = [apply(p, req.terms) if req.terms else p for p in pacts]
        a = _assumptions(req.assumptions)
        return lambda: evaluate_all(pacts, req.paths, req.seed, assumptions=a)

    @app.post("/api/evaluate", responses=ERRORS, response_model=EvaluateResponse)
    async def evaluate(req: PactRequest) -> Response:
        """One pact for both sides: the headline, each side's gains by component with their
        spread, the reserve path, recoupment, the cash split, the tariff cost by sector."""
        name, answer = await run_in_threadpool(prepared, req)
        body = answers.get(name)
        if body is None:
            body = await cpu.run(answer)
            answers.put(name, body)
        return Response(body, media_type="application/json")

    @app.post("/api/compare", responses={**ERRORS, 200: {"content": {
        "application/json": {}, "text/csv": {}, XLSX: {}}}})
    async def compare(req: CompareRequest) -> Response:
        """Pacts side by side on the same futures (as JSON, CSV or an xlsx workbook)."""
        evs = await cpu.run(await run_in_threadpool(evaluations, req))
        return _comparison(evs, req.format)

    @app.post("/api/report", responses={**ERRORS, 200: {"content": {"text/html": {}}}})
    async def report(req: CompareRequest) -> Response:
        """The self-contained HTML report for the pacts."""
        from ...present.report import build_report
        evs = await cpu.run(await run_in_threadpool(evaluations, req))
        # the report runs more evaluations (its crisis table): in the same turn as the rest
        return HTMLResponse(await cpu.run(lambda: build_report(evs)))

    @app.post("/api/tariffs", responses=ERRORS)
    async def tariffs(req: TariffRequest) -> dict[str, Any]:
        """A tariff what-if: by sector (long run, central) and ranges, first year and long run."""
        from ...analysis.what_if import what_if
        result = await cpu.run(lambda: what_if(req.rates, load_assumptions(), sectors=req.sectors,
                                               investor=req.investor, draws=req.draws, seed=req.seed))
        return json_safe({"by_sector": result.by_sector.to_dict(orient="index"),
                          "exports_lost": result.ranges["exports_lost"],
                          "value_added_lost": result.ranges["value_added_lost"]})


def _comparison(evs: list[Evaluation], fmt: str) -> Response:
    table = comparison_table(evs)
    if fmt == "csv":
        return Response(table.to_csv(index_label="metric"), media_type="text/csv")
    if fmt == "xlsx":
        import io
        buffer = io.BytesIO()
        table.to_excel(buffer, sheet_name="comparison", index_label="metric")
        return Response(buffer.getvalue(), media_type=XLSX)
    return JSONResponse(json_safe(CompareResponse(
        columns=list(table.columns), rows=json_safe(table.to_dict()),
        manifests=[json_safe(ev.manifest()) for ev in evs]).model_dump()))


def _job_routes(app: FastAPI, caps: Caps, jobs: Jobs) -> None:
    def started(job: Job | None) -> JobResponse | JSONResponse:
        if job is None:
            return problem(429, f"request: {caps.max_jobs} jobs are running; try again when one ends")
        return JobResponse(**json_safe(job.public()))

    @app.post("/api/jobs/negotiate", status_code=202, responses=ERRORS)
    def start_negotiation(req: NegotiationRequest) -> JobResponse:
        """Start a negotiation over the article's levers; poll ``/api/jobs/{id}``."""
        caps.paths(req.paths)
        if req.n * req.paths > caps.max_work:
            raise PactError(f"request: n x paths: at most {caps.max_work:,} futures valued per job "
                            f"here (candidates x paths), got {req.n:,} x {req.paths:,}")
        base = pact_from(req.pact, "request.pact")
        return started(jobs.start("negotiate", work.negotiation, base, req.space, req.sample,
                                  req.n, req.paths, req.seed))

    @app.post("/api/jobs/sweep", status_code=202, responses=ERRORS)
    def start_sweep(req: SweepRequest) -> JobResponse:
        """Start a sweep (the spec of ``pactlab explore``); poll ``/api/jobs/{id}``. Its result
        has every point, the sensitivity of `outcome` and, with `where`, the PRIM box."""
        spec = _sweep_spec(req, caps)
        return started(jobs.start("sweep", work.sweep, req.spec, req.outcome or spec.outcomes[0],
                                  req.where))

    @app.get("/api/jobs/{job_id}", responses=ERRORS)
    def job(job_id: str) -> JobResponse:
        """A job's progress, then its result (or why it has none: failed, cancelled, timed out)."""
        found = jobs.get(job_id)
        if found is None:
            return problem(404, f"job {job_id}: no such job")
        return JobResponse(**json_safe(found.public()))

    @app.delete("/api/jobs/{job_id}", responses=ERRORS)
    def cancel(job_id: str) -> JobResponse:
        """Cancel a running job (its worker process is ended); the job, now ``cancelled``."""
        found = jobs.get(job_id)
        if found is None:
            return problem(404, f"job {job_id}: no such job")
        if not jobs.cancel(found):
            return problem(409, f"job {job_id}: {found.status}; only a running job can be cancelled")
        return JobResponse(**json_safe(found.public()))

    @app.get("/api/jobs/{job_id}/points.csv", responses={**ERRORS, 200: {"content": {"text/csv": {}}}})
    def job_points(job_id: str) -> Response:
        """A finished sweep's points (inputs and outcomes, one row each) as CSV."""
        found = jobs.get(job_id)
        if found is None or found.kind != "sweep":
            return problem(404, f"job {job_id}: no such sweep")
        if found.status != "done":
            return problem(409, f"job {job_id}: {found.status}; the points come when it is done")
        import pandas as pd
        frame = pd.DataFrame(found.result["rows"], columns=found.result["columns"])
        return Response(frame.to_csv(index=False, float_format="%.10g"), media_type="text/csv")


def _sweep_spec(req: SweepRequest, caps: Caps):
    """The request's spec, checked: presets only, no file, within the caps."""
    from ...analysis.explore.spec import Spec
    try:
        spec = Spec.model_validate(req.spec)
    except ValidationError as exc:
        raise from_validation_error(exc, "request.spec") from None
    if spec.assumptions is not None:
        raise PactError("request.spec: assumptions: a file is not read here; sweep the "
                        "assumption keys as uncertainties instead")
    unknown = [p for p in spec.pacts if p not in preset_names()]
    if unknown:
        raise PactError(f"request.spec: pacts: {unknown[0][:60]!r} is not a preset; presets are "
                        f"{', '.join(preset_names())}")
    points, pacts = spec.size(), max(1, len(spec.pacts))
    if points > caps.max_points or points * spec.sampler.paths * pacts > caps.max_work:
        raise PactError(f"request.spec: sampler: at most {caps.max_points:,} points and "
                        f"{caps.max_work:,} futures valued per job (points x paths x pacts) here, "
                        f"got {points:,} x {spec.sampler.paths:,} x {pacts}")
    if req.outcome is not None and req.outcome not in spec.outcome_columns():
        raise PactError(f"request.outcome: {req.outcome[:60]!r} is not an outcome of this spec; "
                        f"outcomes are {', '.join(spec.outcome_columns())}")
    return spec


def _page_routes(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((resources.files(__package__) / "page.html").read_text(encoding="utf-8"))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        from plotly.offline import get_plotlyjs
        return Response(get_plotlyjs(), media_type="application/javascript",
                        headers={"Cache-Control": "max-age=86400"})


def _schema_states_caps(app: FastAPI, caps: Caps) -> None:
    """The OpenAPI schema says this server's cap on paths (the models cannot: it is per app)."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = make()["components"]["schemas"]
            for name in ("PactRequest", "CompareRequest", "NegotiationRequest"):
                schemas[name]["properties"]["paths"]["maximum"] = caps.max_paths
        return app.openapi_schema
    app.openapi = openapi


def _columns(frame) -> dict[str, list[Any]]:
    return json_safe(frame.reset_index().to_dict(orient="list"))


def _evaluation_payload(ev: Evaluation) -> dict[str, Any]:
    by_key = {(g, m.key): m for g, defs in METRICS.items() for m in defs}
    headline = []
    for group, key_ in HEADLINE:
        m = by_key[(group, key_)]
        value = ev.metrics[group][key_]
        headline.append({"key": f"{group}.{key_}", "label": row_label(group, m), "unit": m.unit,
                         "value": value, "text": format_value(value, m.unit)})
    gains = ev.gain_summary()
    recoup = ev.recoupment_curve()
    return json_safe({
        "label": ev.label, "title": ev.pact.title, "headline": headline, "metrics": ev.metrics,
        "gains": {party: {c: row.to_dict() for c, row in gains.loc[party].iterrows()}
                  for party in ("investor", "host")},
        "reserves": _columns(ev.reserves_table()),
        "recoupment": {"year": list(recoup.index), "p_recouped": list(recoup["principal"]),
                       "p_recouped_with_interest": list(recoup["with_deemed_interest"])},
        "cash_split": _columns(ev.cash_split_table()),
        "tariff_by_sector": ev.plan.gains.tariff.by_sector[
            ["investor_export_change", "investor_value_added_change"]].to_dict(orient="index"),
        "assumed_terms": list(ev.pact.assumed), "manifest": ev.manifest()})
