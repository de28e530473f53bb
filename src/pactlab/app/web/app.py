"""The workbench's JSON API (FastAPI): the same requests and numbers as the command line, for a
page that answers as the terms move.

* Bodies are the request models of :mod:`pactlab.app.requests` (strict: ``false`` is not a
  number, an unknown field is an error) and every route runs :mod:`pactlab.app.service`.
* A pact is a preset's name or a term sheet sent inline: the server reads no file for a request.
* Bad input is a 4xx whose body is ``{"error": "<one line>"}``, at most 300 characters; every
  error response is in the OpenAPI schema, and the schema states this server's caps.
* Evaluations run off the event loop, one at a time (numba's parallel kernels must not be
  entered from two threads at once), with at most `max_waiting` queued; answers are cached by
  what produced them, by size, so moving a slider back is instant (`cache.py`). With
  ``workers=N`` they run in a pool of N worker processes instead (`pool.py`), the cache still
  here and asked first.
* Jobs run in worker processes (`jobs.py`): they never hold the evaluations' turn, they can be
  cancelled (``DELETE /api/jobs/{id}``), they time out, and each is capped by its total work.
* The body is capped as it streams (`limits.py`), chunked or not. The routes are `routes.py`.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..._version import __version__
from ...core.errors import PactError
from ..requests import describe
from . import routes
from .cache import ByteCache
from .caps import Caps, Cpu, problem
from .jobs import Jobs
from .limits import BodyLimit
from .pool import Pool, Runner

__all__ = ["Caps", "Cpu", "create_app", "problem"]


def create_app(*, workers: int = 0, **options: Any) -> FastAPI:
    """The workbench app; `options` are the fields of :class:`Caps` (e.g. ``max_paths=300``).
    `workers`: the evaluations' worker processes (0: in this process, one at a time); the pool
    starts and stops with the app's lifespan."""
    caps = Caps(**options)
    jobs = Jobs(caps.max_jobs, caps.job_timeout, caps.job_keep, caps.jobs_kept)
    pool = Pool(workers, caps.max_waiting) if workers else None

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if pool is not None:
            pool.start()
        yield
        await anyio.to_thread.run_sync(jobs.shutdown)   # the server stops: so do its jobs
        if pool is not None:
            await anyio.to_thread.run_sync(pool.close)  # and its workers

    # /docs and /redoc with Swagger UI's and ReDoc's assets from the package, not a CDN: offline
    app = FastAPIOffline(title="pactlab", version=__version__, lifespan=lifespan,
                         description="Investment-for-tariff pacts: what each side gets, and how risky it is.")
    app.add_middleware(BodyLimit, max_body=caps.max_body)
    app.state.jobs = jobs
    app.state.pool = pool
    _errors(app)
    app.include_router(routes.catalogue())
    app.include_router(routes.limits(caps))
    app.include_router(routes.evaluations(caps, Runner(caps.max_waiting, pool), ByteCache(caps.cache_bytes)))
    app.include_router(routes.jobs(caps, jobs))
    app.include_router(routes.page())
    _schema_states_caps(app, caps)
    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(PactError)
    async def _pact_error(_: Request, exc: PactError) -> JSONResponse:
        return problem(422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, f"request: {exc.detail}", getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, describe(list(exc.errors())))


def _schema_states_caps(app: FastAPI, caps: Caps) -> None:
    """The OpenAPI schema says this server's caps (the models cannot: they are per app)."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = make()["components"]["schemas"]
            for name in ("PactRequest", "CompareRequest", "ReportRequest", "NegotiationRequest"):
                schemas[name]["properties"]["paths"]["maximum"] = caps.max_paths
            for name in ("CompareRequest", "ReportRequest"):
                schemas[name]["properties"]["pacts"]["maxItems"] = caps.max_pacts
            schemas["TariffRequest"]["properties"]["draws"]["maximum"] = caps.max_draws
        assert app.openapi_schema is not None
        return app.openapi_schema
    app.openapi = openapi    # type: ignore[method-assign]
