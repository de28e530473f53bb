"""The workbench as an attacker or a careless user meets it (issue 16): it reads no file for a
request, a body is capped as it streams, an error echoes a few hundred characters at most, a
job cannot stall the server (worker processes, caps on work, cancel, timeout), the server stops
within seconds of SIGTERM and leaves no worker behind, and the schema says what is accepted.
The server-level tests run `pactlab serve` on 127.0.0.1, bounded in requests and time."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

import pactlab as pl
from pactlab.app.web import create_app
from pactlab.app.web.cache import ByteCache
from pactlab.app.web.jobs import Jobs
from pactlab.core.errors import PactError

ROOT = Path(__file__).resolve().parents[2]   # the repository
PACTLAB = Path(sys.executable).parent / "pactlab"
client = TestClient(create_app(max_paths=300, max_jobs=1))
LONG_NEGOTIATION = {"pact": "korea-us-demand-2025-09", "n": 2_000, "paths": 2_000}
SECRET_SHEET = ('name = "TOP-SECRET-42"\ntitle = "x"\n[parties]\ninvestor = "Korea"\n'
                'host = "United States"\n')


def _body(pact, endpoint: str) -> dict:
    if endpoint in ("/api/compare", "/api/report"):
        return {"pacts": [pact], "paths": 50}
    if endpoint == "/api/jobs/negotiate":
        return {"pact": pact, "n": 5, "paths": 50}
    return {"pact": pact, "paths": 50}


ENDPOINTS = ["/api/evaluate", "/api/compare", "/api/report", "/api/jobs/negotiate"]


# --- 1, 2: a pact is a preset's name or an inline sheet, never a path ------------------------

@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_file_is_never_read_and_its_contents_never_echoed(endpoint, tmp_path, monkeypatch) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text(SECRET_SHEET)
    (tmp_path / "mine").write_text(SECRET_SHEET)
    monkeypatch.chdir(tmp_path)           # relative names never resolve against the cwd
    answers = [client.post(endpoint, json=_body(p, endpoint))
               for p in (str(secret), "secret.toml", "mine", "../x.toml", "/dev/zero",
                         "/etc/passwd", "/no/such/file.toml", "x" * 300)]
    assert {r.status_code for r in answers} == {422}
    errors = {r.json()["error"] for r in answers}
    assert len(errors) == 1                 # /etc/passwd reads exactly as a missing file
    error = errors.pop()
    field = "request.pacts[0]" if "pacts" in _body("x", endpoint) else "request.pact"
    assert error.startswith(f"{field}: not a preset") and "korea-final-2025-11" in error
    assert all("TOP-SECRET" not in r.text and "root:" not in r.text for r in answers)


def test_a_file_in_the_cwd_named_like_a_preset_does_not_replace_it(tmp_path, monkeypatch) -> None:
    (tmp_path / "korea-final-2025-11").write_text(SECRET_SHEET)
    monkeypatch.chdir(tmp_path)
    r = client.post("/api/evaluate", json={"pact": "korea-final-2025-11", "paths": 50})
    assert r.status_code == 200 and r.json()["label"] == "korea-final-2025-11"
    assert "TOP-SECRET" not in r.text


def test_an_inline_sheet_is_accepted() -> None:
    sheet = pl.load_pact("korea-final-2025-11").model_dump(mode="json", exclude_none=True)
    r = client.post("/api/evaluate", json={"pact": sheet, "paths": 50})
    assert r.status_code == 200, r.text


# --- 3: the body cap counts bytes as they stream; errors echo a few hundred characters -------

def _chunks(total: int, size: int = 64 * 1024):
    yield b'{"pact": "korea-final-2025-11", "terms": {"x": "'
    for _ in range(total // size):
        yield b"a" * size
    yield b'"}}'


@pytest.mark.slow
def test_a_chunked_body_over_the_cap_is_a_413(server) -> None:
    start = time.monotonic()
    with httpx.Client(timeout=30) as c:
        r = c.post(f"{server}/api/evaluate", content=_chunks(20_000_000),
                   headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "request: the body is over 256,000 bytes"
    assert "content-length" not in r.request.headers and time.monotonic() - start < 30


@pytest.mark.slow
def test_a_big_bad_body_never_comes_back_big(server) -> None:
    with httpx.Client(timeout=30) as c:
        big = c.post(f"{server}/api/evaluate", content=_chunks(2_600_000),
                     headers={"content-type": "application/json"})
        under = c.post(f"{server}/api/evaluate", json={"pact": "korea-final-2025-11", "paths": 50,
                                                      "terms": {"k" * 200_000: 1}})
        declared = c.post(f"{server}/api/evaluate", content=b"{" + b" " * 300_000 + b"}",
                          headers={"content-type": "application/json"})
    assert big.status_code == 413 and len(big.content) < 500
    assert under.status_code == 422 and len(under.json()["error"]) <= 300 and len(under.content) < 500
    assert declared.status_code == 413


# --- 4: a boolean is not a number (rejected by the library: pactlab.inputs.terms, assumptions) ------

@pytest.mark.parametrize("body", [
    {"pact": "korea-final-2025-11", "paths": 50, "terms": {"schedule.annual_cap": True}},
    {"pact": "korea-final-2025-11", "paths": 50, "assumptions": {"fx.sudden_stop_prob": True}},
])
def test_a_boolean_is_not_a_number(body) -> None:
    r = client.post("/api/evaluate", json=body)
    assert r.status_code == 422 and "\n" not in r.json()["error"]


# --- 5: jobs in worker processes, capped, cancelled, timed out; the server stays live --------

def test_over_large_jobs_are_refused_at_once_naming_the_cap() -> None:
    big = TestClient(create_app())
    neg = big.post("/api/jobs/negotiate", json={**LONG_NEGOTIATION, "paths": 50_000})
    assert neg.status_code == 422 and "at most 5,000,000 futures valued per job" in neg.json()["error"]
    spec = {"name": "big", "pacts": ["korea-final-2025-11"], "outcomes": ["p_crisis"],
            "uncertainties": {"fx.sudden_stop_prob": {"low": 0.02, "high": 0.1}},
            "sampler": {"method": "lhs", "points": 2_000, "paths": 50_000}}
    sweep = big.post("/api/jobs/sweep", json={"spec": spec})
    assert sweep.status_code == 422
    assert "at most 2,000 points and 5,000,000 futures valued per job" in sweep.json()["error"]


def _wait(c, job_id: str, status: str, seconds: float = 60) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        job = c.get(f"/api/jobs/{job_id}").json()
        if job["status"] != "running":
            assert job["status"] == status, job
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still running after {seconds} s")


def test_a_running_job_is_cancelled_and_its_process_ended() -> None:
    app = create_app(max_jobs=1)
    c = TestClient(app)
    job = c.post("/api/jobs/negotiate", json=LONG_NEGOTIATION).json()
    process = app.state.jobs.get(job["id"]).process
    cancelled = c.delete(f"/api/jobs/{job['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert process.poll() is not None
    assert c.get(f"/api/jobs/{job['id']}").json()["status"] == "cancelled"
    assert c.delete(f"/api/jobs/{job['id']}").status_code == 409
    assert c.delete("/api/jobs/nope").status_code == 404
    # the slot is free again
    again = c.post("/api/jobs/negotiate", json=LONG_NEGOTIATION)
    assert again.status_code == 202
    c.delete(f"/api/jobs/{again.json()['id']}")


def test_a_job_times_out() -> None:
    c = TestClient(create_app(job_timeout=1.0))
    job = c.post("/api/jobs/negotiate", json=LONG_NEGOTIATION).json()
    done = _wait(c, job["id"], "timed_out", seconds=15)
    assert "over the 1 s limit" in done["error"]


def nap(seconds: float, progress) -> dict:
    """A job that only waits (run in a worker process, so importable by name)."""
    for i in range(int(seconds * 10)):
        progress(i, int(seconds * 10))
        time.sleep(0.1)
    return {"slept": seconds}


def test_finished_jobs_are_dropped_after_a_while(monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))       # the worker imports this module by name
    jobs = Jobs(max_jobs=2, keep_s=3600, keep=1)
    first, second = jobs.start("nap", nap, 0.1), jobs.start("nap", nap, 0.1)
    assert jobs.start("nap", nap, 0.1) is None        # max_jobs running
    for _ in range(300):
        if first.status != "running" and second.status != "running":
            break
        time.sleep(0.1)
    assert (first.status, second.status, first.result) == ("done", "done", {"slept": 0.1})
    assert [jobs.get(first.id), jobs.get(second.id)].count(None) == 1     # one kept
    jobs.keep_s = 0.0
    assert jobs.get(first.id) is None and jobs.get(second.id) is None


def test_the_answer_cache_is_capped_by_bytes() -> None:
    cache = ByteCache(max_bytes=1_000)
    for i in range(10):
        cache.put(str(i), b"x" * 300)
    assert cache.bytes <= 1_000 and len(cache) == 3 and cache.get("9") is not None
    cache.put("huge", b"x" * 5_000)                   # over the cap on its own: not kept
    assert cache.get("huge") is None and cache.get("0") is None


@pytest.mark.slow
def test_while_a_job_runs_the_server_answers(server) -> None:
    with httpx.Client(base_url=server, timeout=60) as c:
        job = c.post("/api/jobs/negotiate", json=LONG_NEGOTIATION).json()
        try:
            time.sleep(3)                              # the worker is up and computing
            assert c.get(f"/api/jobs/{job['id']}").json()["status"] == "running"
            start = time.monotonic()
            assert c.get("/api/presets").status_code == 200
            assert time.monotonic() - start < 2
            start = time.monotonic()
            r = c.post("/api/evaluate", json={"pact": "korea-final-2025-11", "paths": 500, "seed": 9})
            assert r.status_code == 200 and time.monotonic() - start < 20
        finally:
            assert c.delete(f"/api/jobs/{job['id']}").json()["status"] == "cancelled"


@pytest.mark.slow
def test_sigterm_stops_the_server_and_its_jobs_within_10_s() -> None:
    with _serve() as (url, process):
        job = httpx.post(f"{url}/api/jobs/negotiate", json=LONG_NEGOTIATION, timeout=30)
        assert job.status_code == 202
        time.sleep(1)
        workers = _children(process.pid)
        assert workers
        start = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(10)
        assert time.monotonic() - start < 10
        _gone(workers, 5)


@pytest.mark.slow
def test_a_killed_server_leaves_no_worker_behind() -> None:
    with _serve() as (url, process):
        httpx.post(f"{url}/api/jobs/negotiate", json=LONG_NEGOTIATION, timeout=30)
        time.sleep(1)
        workers = _children(process.pid)
        assert workers
        process.kill()
        process.wait(5)
        _gone(workers, 5)


def test_a_where_condition_is_one_expression_with_limits() -> None:
    import pandas as pd

    from pactlab.analysis.explore.analysis import cases
    results = pd.DataFrame({"point_id": [0, 1, 2], "y": [1.0, -1.0, 2.0]})
    assert cases(results, "y > 0").tolist() == [True, False, True]
    assert cases(results, "current_setting('threads') = 1").all()
    assert cases(results, "current_setting('memory_limit') = '244.1 MiB'").all()
    with pytest.raises(PactError, match="not statements separated by ';'"):
        cases(results, "true), false) as y from results; select coalesce((true")
    start = time.monotonic()
    with pytest.raises(PactError, match="took over 1 s"):
        cases(results, "(select sum(i * i) from range(10000000000) t(i)) > 0", timeout_s=1)
    assert time.monotonic() - start < 8


@pytest.mark.slow
def test_a_fifo_is_not_waited_on(server, tmp_path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    r = httpx.post(f"{server}/api/evaluate", json={"pact": str(fifo), "paths": 50}, timeout=10)
    assert r.status_code == 422 and time.monotonic() - start < 5


# --- 6: the schema says what is accepted; unsupported methods are 405 with Allow -------------

def test_the_schema_rejects_what_the_server_rejects() -> None:
    schema = client.get("/openapi.json").json()
    parts = schema["components"]["schemas"]

    def valid(model: str, body: dict) -> bool:
        return jsonschema_rs.is_valid({**parts[model], "components": schema["components"]}, body)
    assert not valid("PactRequest", {"pact": ""}) and not valid("PactRequest", {"pact": "/etc/passwd"})
    assert valid("PactRequest", {"pact": "korea-final-2025-11"})
    assert not valid("SweepRequest", {"spec": {}})
    assert parts["PactRequest"]["properties"]["paths"]["maximum"] == 300
    assert client.post("/api/evaluate", json={"pact": ""}).status_code == 422
    assert client.post("/api/jobs/sweep", json={"spec": {}}).status_code == 422


@pytest.mark.parametrize("path", ["/api/presets", "/api/evaluate", "/api/jobs/abc", "/"])
def test_trace_is_a_405_with_allow(path) -> None:
    r = client.request("TRACE", path)
    assert r.status_code == 405 and r.headers["allow"] and "error" in r.json()


# --- servers --------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _serve:
    """`pactlab serve` on a free localhost port, in a scratch folder; stopped on exit."""

    def __enter__(self):
        port = _free_port()
        self.process = subprocess.Popen([str(PACTLAB), "serve", "--port", str(port)],
                                        stderr=subprocess.DEVNULL, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/presets", timeout=1).status_code == 200:
                    return url, self.process
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("pactlab serve did not start")

    def __exit__(self, *_):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def server():
    with _serve() as (url, _):
        yield url


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _gone(pids: list[int], seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        alive = [p for p in pids if _running(p)]
        if not alive:
            return
        time.sleep(0.1)
    raise AssertionError(f"worker processes {alive} outlived the server")


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
