"""The workbench's JSON API (FastAPI): the same numbers as the command line, for a page that
answers as the terms move.

* Requests are strict (``strict=True, extra="forbid"``): ``false`` is not a number, an unknown
  field is an error. Bad input is a 4xx whose body is ``{"error": "<the CLI's one line>"}``;
  every error response is in the OpenAPI schema.
* CPU work runs off the event loop, one evaluation at a time (numba's parallel kernels must not
  be entered from two threads at once); results are cached by what produced them, so moving a
  slider back is instant.
* Caps: paths per request, request body size, concurrent jobs.
"""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..assumptions import load_assumptions
from ..errors import PactError, format_loc, from_validation_error
from ..metrics import METRICS
from ..negotiate.space import apply
from ..present import HEADLINE, format_value, json_safe, row_label
from ..terms import load_pact, pact_to_toml, preset_names, validate_pact
from ..terms.fields import term_fields
from ..valuation import Evaluation, comparison_table, evaluate_all

Scalar = float | int | str | bool | None
TermValue = Scalar | list[Any] | dict[str, Any]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ErrorResponse(Strict):
    error: str


class PactRequest(Strict):
    """A pact (a preset's name or a whole term sheet), changed by term keys or the levers
    ``commitment`` / ``mou_cash_share``, under changed assumptions."""

    pact: str | dict[str, Any]
    terms: dict[str, TermValue] = Field(default_factory=dict)
    assumptions: dict[str, Scalar | list[float]] = Field(default_factory=dict)
    paths: Annotated[int, Field(ge=1)] = 2_000
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0


class CompareRequest(Strict):
    pacts: Annotated[list[str | dict[str, Any]], Field(min_length=1, max_length=6)]
    terms: dict[str, TermValue] = Field(default_factory=dict)
    assumptions: dict[str, Scalar | list[float]] = Field(default_factory=dict)
    paths: Annotated[int, Field(ge=1)] = 2_000
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0
    format: Literal["json", "csv", "xlsx"] = "json"


class TariffRequest(Strict):
    rates: Annotated[dict[str, Annotated[float, Field(ge=0.0, le=2.0)]], Field(min_length=1)]
    sectors: list[str] | None = None
    investor: Literal["korea", "japan"] = "korea"
    draws: Annotated[int, Field(ge=1, le=5_000)] = 500
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0


class NegotiationRequest(Strict):
    pact: str
    space: Literal["korea"] = "korea"
    sample: Literal["lhs", "sobol"] = "lhs"
    n: Annotated[int, Field(ge=1, le=2_000)] = 200
    paths: Annotated[int, Field(ge=1)] = 500
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0


class SweepRequest(Strict):
    """A sweep (the TOML spec of ``pactlab explore`` as JSON; presets only, no files), then the
    sensitivity of ``outcome`` and, with ``where``, the PRIM box where that condition holds."""

    spec: dict[str, Any]
    outcome: str | None = None
    where: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class Headline(Strict):
    key: str
    label: str
    unit: str
    value: float | None
    text: str


class EvaluateResponse(Strict):
    label: str
    title: str
    headline: list[Headline]
    metrics: dict[str, dict[str, float | None]]
    gains: dict[str, dict[str, dict[str, float | None]]]
    reserves: dict[str, list[float | int | None]]
    recoupment: dict[str, list[float | int | None]]
    cash_split: dict[str, list[float | int | None]]
    tariff_by_sector: dict[str, dict[str, float | None]]
    assumed_terms: list[str]
    manifest: dict[str, Any]


class CompareResponse(Strict):
    columns: list[str]
    rows: dict[str, dict[str, float | None]]
    manifests: list[dict[str, Any]]


class JobResponse(Strict):
    id: str
    kind: str
    status: Literal["running", "done", "failed"]
    progress: float
    result: dict[str, Any] | None = None
    error: str | None = None


ERRORS = {code: {"model": ErrorResponse} for code in (400, 404, 409, 413, 422, 429)}


class _Cache:
    """The last results, by what produced them (least recently used out first)."""

    def __init__(self, size: int = 64) -> None:
        self.size, self._kept = size, OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        value = make()
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def create_app(*, max_paths: int = 50_000, max_body: int = 256_000, max_jobs: int = 2,
               max_points: int = 2_000) -> FastAPI:
    """The workbench app. `max_paths` caps paths per request, `max_body` the request size in
    bytes, `max_jobs` the jobs running at once, `max_points` the points of a sweep."""
    app = FastAPI(title="pactlab", version=__version__,
                  description="Investment-for-tariff pacts: what each side gets, and how risky it is.")
    cpu = threading.Lock()
    cache = _Cache()
    jobs: dict[str, dict[str, Any]] = {}

    def problem(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message.replace("\n", " ")}, status_code=status)

    @app.exception_handler(PactError)
    async def _pact_error(_: Request, exc: PactError) -> JSONResponse:
        return problem(422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, f"request: {exc.detail}")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        loc = [p for p in err.get("loc", ()) if p != "body"]
        return problem(422, f"request: {format_loc(tuple(loc))}: {err.get('msg', 'invalid')}")

    @app.middleware("http")
    async def _limits(request: Request, call_next):
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > max_body):
            return problem(413, f"request: the body is over {max_body:,} bytes")
        return await call_next(request)

    def pact_of(spec: str | dict[str, Any], terms: dict[str, Any]):
        pact = load_pact(spec) if isinstance(spec, str) else validate_pact(spec, "request.pact")
        return apply(pact, terms) if terms else pact

    def paths_ok(paths: int) -> None:
        if paths > max_paths:
            raise PactError(f"request: paths: at most {max_paths:,} here, got {paths:,}")

    def run(fn: Callable[[], Any]) -> Any:
        with cpu:
            return fn()

    def evaluation(req: PactRequest) -> Evaluation:
        paths_ok(req.paths)
        pact = pact_of(req.pact, req.terms)
        a = load_assumptions(overrides=req.assumptions) if req.assumptions else load_assumptions()
        key = _key(pact_to_toml(pact), a.model_dump_json(), req.paths, req.seed)
        return cache.get(key, lambda: run(lambda: evaluate_all([pact], req.paths, req.seed,
                                                                  assumptions=a)[0]))

    def evaluations(req: CompareRequest) -> list[Evaluation]:
        paths_ok(req.paths)
        pacts = [pact_of(p, req.terms) for p in req.pacts]
        a = load_assumptions(overrides=req.assumptions) if req.assumptions else load_assumptions()
        return run(lambda: evaluate_all(pacts, req.paths, req.seed, assumptions=a))

    @app.get("/api/presets", responses=ERRORS)
    def presets() -> list[dict[str, Any]]:
        """The built-in term sheets."""
        return [{"name": n, "title": (p := load_pact(n)).title, "investor": p.parties.investor,
                 "commitment": p.commitment} for n in preset_names()]

    @app.get("/api/pacts/{name}", responses=ERRORS)
    def pact_terms(name: str) -> dict[str, Any]:
        """A preset's terms in term-sheet order: each with its key, value, whether it is an
        assumption rather than a sourced fact, and what the form needs (section, label, unit,
        kind, bounds, choices: from the term-sheet schema)."""
        if name not in preset_names():
            return problem(404, f"{name}: not a preset; presets are {', '.join(preset_names())}")
        p = load_pact(name)
        return {"name": p.name, "title": p.title, "description": p.description,
                "terms": [json_safe({**asdict(f), "text": f.text()}) for f in term_fields(p)]}

    @app.get("/api/pacts/{name}/toml", responses={**ERRORS, 200: {"content": {"application/toml": {}}}})
    def pact_toml(name: str) -> Response:
        """A preset as an editable TOML term sheet, its sources in comments."""
        if name not in preset_names():
            return problem(404, f"{name}: not a preset; presets are {', '.join(preset_names())}")
        from ..terms import source_toml
        return Response(source_toml(name), media_type="application/toml")

    @app.get("/api/assumptions", responses=ERRORS)
    def assumptions() -> list[dict[str, Any]]:
        """Every assumption the requests' ``assumptions`` may change, with unit and source."""
        return json_safe(load_assumptions().catalogue())

    @app.post("/api/evaluate", responses=ERRORS)
    async def evaluate(req: PactRequest) -> EvaluateResponse:
        """One pact for both sides: the headline, each side's gains by component with their
        spread, the reserve path, recoupment, the cash split, the tariff cost by sector."""
        ev = await run_in_threadpool(evaluation, req)
        return EvaluateResponse(**_evaluation_payload(ev))

    @app.post("/api/compare", responses={**ERRORS, 200: {"content": {
        "application/json": {}, "text/csv": {},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
    async def compare(req: CompareRequest) -> Response:
        """Pacts side by side on the same futures (as JSON, CSV or an xlsx workbook)."""
        evs = await run_in_threadpool(evaluations, req)
        table = comparison_table(evs)
        if req.format == "csv":
            return Response(table.to_csv(index_label="metric"), media_type="text/csv")
        if req.format == "xlsx":
            import io
            buffer = io.BytesIO()
            table.to_excel(buffer, sheet_name="comparison", index_label="metric")
            return Response(buffer.getvalue(), media_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        return JSONResponse(json_safe(CompareResponse(
            columns=list(table.columns), rows=json_safe(table.to_dict()),
            manifests=[json_safe(ev.manifest()) for ev in evs]).model_dump()))

    @app.post("/api/report", responses={**ERRORS, 200: {"content": {"text/html": {}}}})
    async def report(req: CompareRequest) -> Response:
        """The self-contained HTML report for the pacts."""
        from ..report import build_report
        evs = await run_in_threadpool(evaluations, req)
        # the report runs more evaluations (its crisis table): under the same lock as the rest
        return HTMLResponse(await run_in_threadpool(run, lambda: build_report(evs)))

    @app.post("/api/tariffs", responses=ERRORS)
    async def tariffs(req: TariffRequest) -> dict[str, Any]:
        """A tariff what-if: by sector (long run, central) and ranges, first year and long run."""
        from ..tariffs import what_if

        def work():
            return run(lambda: what_if(req.rates, load_assumptions(), sectors=req.sectors,
                                       investor=req.investor, draws=req.draws, seed=req.seed))
        result = await run_in_threadpool(work)
        return json_safe({"by_sector": result.by_sector.to_dict(orient="index"),
                          "exports_lost": result.ranges["exports_lost"],
                          "value_added_lost": result.ranges["value_added_lost"]})

    def start_job(kind: str, work: Callable[[Callable[[int, int], None]], dict[str, Any]]):
        """Run `work(progress)` on a thread; its result (or its one-line error) lands in the job."""
        if sum(job["status"] == "running" for job in jobs.values()) >= max_jobs:
            return problem(429, f"request: {max_jobs} jobs are running; try again when one ends")
        job_id = uuid.uuid4().hex
        jobs[job_id] = {"id": job_id, "kind": kind, "status": "running", "progress": 0.0}

        def step(done: int, total: int) -> None:
            jobs[job_id]["progress"] = done / total if total else 0.0

        def body() -> None:
            try:
                jobs[job_id].update(status="done", progress=1.0, result=run(lambda: work(step)))
            except Exception as exc:   # a failed job reports its one line, never a 5xx
                jobs[job_id].update(status="failed", error=str(exc).splitlines()[0] if str(exc) else
                                    type(exc).__name__)
        threading.Thread(target=body, daemon=True).start()
        return JobResponse(**jobs[job_id])

    @app.post("/api/jobs/negotiate", status_code=202, responses=ERRORS)
    async def start_negotiation(req: NegotiationRequest) -> JobResponse:
        """Start a negotiation over the article's levers; poll ``/api/jobs/{id}``."""
        paths_ok(req.paths)
        base = load_pact(req.pact)

        def work(step) -> dict[str, Any]:
            from ..futures import futures
            from ..negotiate import SPACES, negotiate
            return _negotiation_payload(negotiate(SPACES[req.space](base), futures(req.paths, req.seed),
                                                  sample=req.sample, n=req.n, seed=req.seed,
                                                  progress=step))
        return start_job("negotiate", work)

    @app.post("/api/jobs/sweep", status_code=202, responses=ERRORS)
    async def start_sweep(req: SweepRequest) -> JobResponse:
        """Start a sweep (the spec of ``pactlab explore``); poll ``/api/jobs/{id}``. Its result
        has every point, the sensitivity of `outcome` and, with `where`, the PRIM box."""
        spec = sweep_spec(req)
        return start_job("sweep", lambda step: _sweep(spec, req.outcome or spec.outcomes[0], req.where,
                                                      step))

    def sweep_spec(req: SweepRequest):
        from ..explore.spec import Spec
        try:
            spec = Spec.model_validate(req.spec)
        except ValidationError as exc:
            raise from_validation_error(exc, "request.spec") from None
        if spec.assumptions is not None:
            raise PactError("request.spec: assumptions: a file is not read here; sweep the "
                            "assumption keys as uncertainties instead")
        unknown = [p for p in spec.pacts if p not in preset_names()]
        if unknown:
            raise PactError(f"request.spec: pacts: {unknown[0]!r} is not a preset; presets are "
                            f"{', '.join(preset_names())}")
        points = spec.size()
        work = points * spec.sampler.paths * max(1, len(spec.pacts))
        if points > max_points or work > max_points * max_paths:
            raise PactError(f"request.spec: sampler: at most {max_points:,} points and "
                            f"{max_points * max_paths:,} point-futures here, got {points:,} points "
                            f"x {spec.sampler.paths:,} futures x {max(1, len(spec.pacts))} pact(s)")
        if req.outcome is not None and req.outcome not in spec.outcome_columns():
            raise PactError(f"request.outcome: {req.outcome!r} is not an outcome of this spec; "
                            f"outcomes are {', '.join(spec.outcome_columns())}")
        return spec

    @app.get("/api/jobs/{job_id}", responses=ERRORS)
    def job(job_id: str) -> JobResponse:
        """A job's progress, then its result."""
        if job_id not in jobs:
            return problem(404, f"job {job_id}: no such job")
        return JobResponse(**json_safe(jobs[job_id]))

    @app.get("/api/jobs/{job_id}/points.csv", responses={**ERRORS, 200: {"content": {"text/csv": {}}}})
    def job_points(job_id: str) -> Response:
        """A finished sweep's points (inputs and outcomes, one row each) as CSV."""
        job = jobs.get(job_id)
        if job is None or job["kind"] != "sweep":
            return problem(404, f"job {job_id}: no such sweep")
        if job["status"] != "done":
            return problem(409, f"job {job_id}: {job['status']}; the points come when it is done")
        import pandas as pd
        frame = pd.DataFrame(job["result"]["rows"], columns=job["result"]["columns"])
        return Response(frame.to_csv(index=False, float_format="%.10g"), media_type="text/csv")

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

    return app


def _columns(frame) -> dict[str, list[Any]]:
    return json_safe(frame.reset_index().to_dict(orient="list"))


def _evaluation_payload(ev: Evaluation) -> dict[str, Any]:
    by_key = {(g, m.key): m for g, defs in METRICS.items() for m in defs}
    headline = []
    for group, key in HEADLINE:
        m = by_key[(group, key)]
        value = ev.metrics[group][key]
        headline.append({"key": f"{group}.{key}", "label": row_label(group, m), "unit": m.unit,
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


def _sweep(spec, outcome: str, where: str | None, step) -> dict[str, Any]:
    """Run the sweep in a scratch folder; the points, the sensitivity and the PRIM box."""
    import tempfile

    from ..explore import discover, explore, load_results, sensitivity
    with tempfile.TemporaryDirectory(prefix="pactlab-sweep-") as folder:
        explore(spec, folder, executor="serial", progress=step)
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


def _negotiation_payload(neg) -> dict[str, Any]:
    u = neg.utilities.u
    return json_safe({
        "candidates": len(neg.candidates.pacts), "frontier": neg.frontier.tolist(),
        "utilities": u.tolist(), "individually_rational": neg.individually_rational.tolist(),
        "solutions": {name: None if i is None else {"candidate": i, "utilities": u[i].tolist(),
                                                   "terms": neg.candidates.values.iloc[i].to_dict()}
                      for name, i in neg.solutions.items()},
        "presets": {name: [row.investor_utility, row.host_utility]
                    for name, row in neg.presets.iterrows()}})
