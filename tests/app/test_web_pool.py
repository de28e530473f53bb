"""The evaluations' worker pool (`pactlab.app.web.pool`): a pooled answer is the in-process one,
a worker that dies is replaced (its call retried once, then a one-line 503), the queue is
bounded, errors keep their status, and no worker outlives the pool or the server."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from pactlab.app import service
from pactlab.app.requests import CompareRequest, PactRequest
from pactlab.app.web import create_app, work
from pactlab.app.web.models import CompareResponse, EvaluateResponse
from pactlab.app.web.pool import Pool, default_workers
from pactlab.core.errors import PactError


def _gone(pid: int, within: float = 10.0) -> bool:
    """Whether process `pid` ends (or is a zombie nobody reaps) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def pool():
    """One worker, one call waiting at most, no warm-up (the tests' calls are small)."""
    p = Pool(1, max_waiting=1, warm=None)
    p.start()
    yield p
    pids = p.pids()
    p.close()
    assert p.pids() == [] and all(_gone(pid) for pid in pids)


def test_the_default_size_is_min_4_cpus() -> None:
    assert default_workers() == min(4, len(os.sched_getaffinity(0)))
    with pytest.raises(ValueError, match="workers: at least 1"):
        Pool(0)


@pytest.mark.slow
def test_a_worker_that_dies_mid_call_is_replaced_and_the_call_retried(pool) -> None:
    async def run() -> tuple[int, float, object, int]:
        first = await pool.run(os.getpid)
        start = time.perf_counter()
        call = asyncio.ensure_future(pool.run(time.sleep, 1.0))
        await asyncio.sleep(0.3)
        os.kill(first, signal.SIGKILL)                  # mid-call
        answer = await call
        return first, time.perf_counter() - start, answer, await pool.run(os.getpid)
    first, took, answer, second = asyncio.run(run())
    assert answer is None and second != first and _gone(first)
    assert took >= 1.3                                  # 0.3 s lost, then the whole call again
    assert pool.pids() == [second]


@pytest.mark.slow
def test_a_call_that_kills_every_worker_is_a_one_line_503(pool) -> None:
    with pytest.raises(HTTPException) as caught:
        asyncio.run(pool.run(os._exit, 3))
    assert caught.value.status_code == 503 and caught.value.headers == {"Retry-After": "1"}
    assert caught.value.detail == "_exit: the worker process ended (exit code 3), twice; try again"
    assert asyncio.run(pool.run(os.getpid)) in pool.pids()      # and the pool still answers


def test_errors_keep_their_meaning(pool) -> None:
    with pytest.raises(PactError, match="request.pact: not a preset"):     # a 422, as in process
        asyncio.run(pool.run(work.evaluate, PactRequest(pact="korea-final-2099", paths=10)))
    with pytest.raises(HTTPException) as caught:                  # anything else: a one-line 500
        asyncio.run(pool.run(os.listdir, "/no/such/folder"))
    assert caught.value.status_code == 500
    assert caught.value.detail.startswith("listdir: [Errno 2] No such file or directory")


def test_past_size_plus_max_waiting_calls_it_is_a_503_at_once(pool) -> None:
    async def run() -> tuple[list, float]:
        busy = [asyncio.ensure_future(pool.run(time.sleep, 0.5)) for _ in range(2)]
        await asyncio.sleep(0)                          # both are pending: 1 running, 1 waiting
        start = time.perf_counter()
        with pytest.raises(HTTPException) as caught:
            await pool.run(os.getpid)
        refused = time.perf_counter() - start
        assert caught.value.status_code == 503
        assert caught.value.detail == "1 evaluations are waiting; try again shortly"
        return await asyncio.gather(*busy), refused
    answers, refused = asyncio.run(run())
    assert answers == [None, None] and refused < 0.1 and pool.pending == 0


SCRIPT = """
import asyncio, os, sys, time
from pactlab.app.web.pool import Pool
pool = Pool(1, warm=None)
print(asyncio.run(pool.run(os.getpid)), flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_no_worker_outlives_a_killed_server() -> None:
    server = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    worker = None
    try:
        assert server.stdout is not None
        worker = int(server.stdout.readline())
        assert not _gone(worker, 0.3)
        server.kill()                                   # no shutdown runs: the worker's watch
        server.wait(5)
        assert _gone(worker, 5.0)
    finally:
        server.kill()
        if worker is not None and not _gone(worker, 0):
            os.kill(worker, signal.SIGKILL)


@pytest.mark.slow
def test_pooled_answers_are_the_in_process_ones_and_stop_with_the_app() -> None:
    body = {"pact": "korea-final-2025-11", "paths": 200, "seed": 5, "terms": {"schedule.annual_cap": 25}}
    versus = {"pacts": ["korea-final-2025-11", "japan-mou-2025"], "paths": 200, "seed": 2}
    app = create_app(workers=1, max_paths=300)
    with TestClient(app) as client:
        pooled = client.post("/api/evaluate", json=body)
        compared = client.post("/api/compare", json=versus)
        pids = app.state.pool.pids()
        again = client.post("/api/evaluate", json=body)          # the server's cache answers
        bad = client.post("/api/evaluate", json={**body, "pact": "korea-final-2099"})
    assert pooled.status_code == 200 and again.content == pooled.content
    here = EvaluateResponse(**service.evaluate(PactRequest(**body)).view()).model_dump_json()
    assert pooled.json() == json.loads(here)
    assert compared.json() == CompareResponse(
        **service.compare(CompareRequest(**versus)).view()).model_dump(mode="json")
    assert bad.status_code == 422 and "not a preset" in bad.json()["error"]
    assert len(pids) == 1 and _gone(pids[0]) and app.state.pool.pids() == []


def test_a_pooled_evaluate_is_the_in_process_one(pool) -> None:
    req = PactRequest(pact="korea-final-2025-11", paths=100, seed=7, terms={"mou_cash_share": 0.3})
    pooled = asyncio.run(pool.run(work.evaluate, req))
    assert json.loads(pooled) == json.loads(
        EvaluateResponse(**service.evaluate(req).view()).model_dump_json())
    assert json.loads(pooled)["metrics"]["investor"]["cash_share"] == pytest.approx(0.3)
