"""The workbench: the JSON API (strict, one-line 4xx errors, caps, cache), schemathesis over its
OpenAPI schema, the page in headless Chromium, and 20 clients at once."""
from __future__ import annotations

import shutil
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import schemathesis
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import pactlab as pl
from pactlab.web import create_app

APP = create_app(max_paths=300, max_jobs=1)
client = TestClient(APP)


def test_presets_terms_and_toml() -> None:
    assert [p["name"] for p in client.get("/api/presets").json()] == pl.preset_names()
    terms = client.get("/api/pacts/korea-final-2025-11").json()["terms"]
    cap = next(t for t in terms if t["key"] == "schedule.annual_cap")
    assert cap["value"] == 20.0 and not cap["assumed"]
    assert any(t["assumed"] for t in terms)
    toml = client.get("/api/pacts/korea-final-2025-11/toml")
    assert toml.status_code == 200 and toml.text.startswith("# US–Korea MOU")
    assert client.get("/api/pacts/nowhere").json() == {
        "error": f"nowhere: not a preset; presets are {', '.join(pl.preset_names())}"}


def test_evaluate_is_the_library_and_a_moved_term_moves_it() -> None:
    body = {"pact": "korea-final-2025-11", "paths": 200, "seed": 3}
    base = client.post("/api/evaluate", json=body).json()
    ev = pl.evaluate("korea-final-2025-11", paths=200, seed=3)
    peak = next(h for h in base["headline"] if h["key"] == "investor.peak_call")
    assert peak["value"] == ev.metrics["investor"]["peak_call"] and peak["text"] == "$20.0B"
    assert base["gains"]["investor"]["total"]["mean"] == pytest.approx(ev.gains.total("investor").mean())
    moved = client.post("/api/evaluate", json={**body, "terms": {"schedule.annual_cap": 40}}).json()
    assert next(h for h in moved["headline"] if h["key"] == "investor.peak_call")["value"] > 20.0
    assert moved["manifest"]["term_overrides"] == {"schedule.annual_cap": 40}
    lever = client.post("/api/evaluate", json={**body, "terms": {"mou_cash_share": 0.3}}).json()
    assert lever["metrics"]["investor"]["cash_share"] == pytest.approx(0.3)
    start = time.perf_counter()
    again = client.post("/api/evaluate", json=body).json()   # moving a slider back: cached
    assert time.perf_counter() - start < 0.5 and again == base


@pytest.mark.parametrize("body,status,needle", [
    ({"pact": "korea-final-2025-11", "paths": False}, 422, "paths"),
    ({"pact": "korea-final-2025-11", "paths": "100"}, 422, "paths"),
    ({"pact": "korea-final-2025-11", "colour": "red"}, 422, "colour"),
    ({"pact": "korea-final-2025-11", "paths": 10_000}, 422, "at most 300"),
    ({"pact": "korea-final-2099", "paths": 100}, 422, "not a preset"),
    ({"pact": "korea-final-2025-11", "paths": 100, "terms": {"tariffs.deal.general": 15}}, 422,
     "use 0.15 for 15%"),
    ({"pact": "korea-final-2025-11", "paths": 100, "assumptions": {"fx.sudden_stop_prb": 0.1}}, 422,
     "did you mean"),
    ({"pact": {"name": "x"}, "paths": 100}, 422, "request.pact"),
])
def test_bad_input_is_a_4xx_with_one_line(body, status, needle) -> None:
    r = client.post("/api/evaluate", json=body)
    assert r.status_code == status and needle in r.json()["error"] and "\n" not in r.json()["error"]


def test_caps_on_the_body_and_on_jobs() -> None:
    r = client.post("/api/evaluate", content=b"{" + b" " * 300_000 + b"}",
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and "body" in r.json()["error"]


def test_compare_downloads_and_the_report() -> None:
    body = {"pacts": ["korea-final-2025-11", "japan-mou-2025"], "paths": 100}
    data = client.post("/api/compare", json=body).json()
    assert data["columns"] == ["korea-final-2025-11", "japan-mou-2025"]
    csv = client.post("/api/compare", json={**body, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("metric,")
    xlsx = client.post("/api/compare", json={**body, "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"          # a zip: the xlsx container
    html = client.post("/api/report", json=body)
    assert html.status_code == 200 and html.text.startswith("<!DOCTYPE html>")


def test_a_negotiation_job_reports_progress_then_its_result() -> None:
    job = client.post("/api/jobs/negotiate", json={"pact": "korea-us-demand-2025-09", "n": 30,
                                                  "paths": 100}).json()
    assert job["status"] == "running"
    for _ in range(600):
        job = client.get(f"/api/jobs/{job['id']}").json()
        if job["status"] != "running":
            break
        time.sleep(0.1)
    assert job["status"] == "done" and len(job["result"]["utilities"]) == job["result"]["candidates"]
    assert client.get("/api/jobs/nope").status_code == 404


SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@SCHEMA.parametrize()
@settings(max_examples=110, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_generated_request_gets_a_valid_non_5xx_answer(case) -> None:
    """Eleven operations x 110 cases: more than 1,000 requests, no 5xx, every answer in the schema."""
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance,
                                   content_type_conformance, response_schema_conformance])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    config = uvicorn.Config(create_app(max_paths=2_000), host="127.0.0.1", port=port, log_level="error")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    for _ in range(200):
        if live.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(timeout=10)


def test_twenty_clients_at_once(server) -> None:
    def one(cap: int) -> int:
        with httpx.Client(timeout=300) as c:
            r = c.post(f"{server}/api/evaluate", json={"pact": "korea-final-2025-11", "paths": 200,
                                                      "terms": {"schedule.annual_cap": cap}})
            return r.status_code
    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(one, range(10, 30)))
    assert codes == [200] * 20


def test_the_page_answers_as_the_annual_cap_moves(server) -> None:
    from playwright.sync_api import sync_playwright
    browser_path = shutil.which("chromium")
    assert browser_path, "Debian's chromium is needed: `make test` installs it"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        messages = []
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
        page.goto(server, wait_until="networkidle")
        cell = page.locator('td[data-metric="investor.peak_call"]')
        cell.wait_for(timeout=120_000)
        page.wait_for_function("document.querySelector('td[data-metric=\"investor.peak_call\"]').dataset.value !== ''")
        before = float(cell.get_attribute("data-value"))
        chart = "document.getElementById('chart-reserves').data[3].y.join(',')"
        line_before = page.evaluate(chart)
        page.locator('input[name="schedule.annual_cap"]').fill("50")
        page.wait_for_function(
            f"Number(document.querySelector('td[data-metric=\"investor.peak_call\"]').dataset.value) !== {before}",
            timeout=120_000)
        assert float(cell.get_attribute("data-value")) > before
        assert page.evaluate(chart) != line_before              # the reserve chart moved too
        assert page.locator('input[name="schedule.annual_cap"]').get_attribute("name") == "schedule.annual_cap"
        browser.close()
    assert [m for m in messages if not m.startswith(("log:", "debug:", "info:"))] == []
