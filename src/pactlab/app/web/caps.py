"""What one request or job may cost this server (:class:`Caps`), the evaluations' one turn
(:class:`Cpu`), and the one error body (:func:`problem`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import HTTPException
from fastapi.responses import JSONResponse

from ...core.errors import PactError
from .limits import one_line

__all__ = ["Caps", "Cpu", "problem"]


@dataclass(frozen=True)
class Caps:
    """What one request or job may cost (the values are in README and in the 4xx messages)."""

    max_paths: int = 50_000          # futures per request
    max_pacts: int = 6               # pacts per comparison or report
    max_draws: int = 5_000           # draws of a tariff what-if's uncertain parameters
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

    def pacts(self, pacts: list[Any]) -> None:
        if len(pacts) > self.max_pacts:
            raise PactError(f"request: pacts: at most {self.max_pacts} here, got {len(pacts)}")

    def draws(self, draws: int) -> None:
        if draws > self.max_draws:
            raise PactError(f"request: draws: at most {self.max_draws:,} here, got {draws:,}")


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


def problem(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error body: ``{"error": "<one line, at most 300 characters>"}``."""
    return JSONResponse({"error": one_line(message)}, status_code=status, headers=headers)
