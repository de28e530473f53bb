"""``POST /api/robust``: the pinned layout of ``pactlab robust --json``, within this server's caps
(the path cap on (points + 1) x paths a pact, 64 points x pacts), bad input a 422 of one line;
``/api/compare`` and ``/api/report`` with ``"robust": true`` carry the strip. (Schemathesis fuzzes
the route with every other one: tests/app/test_web.py.)"""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from pactlab.app import robust_service as rs
from pactlab.app.web import create_app
from tests.app.cli_runner import run_cli

PACT = "korea-final-2025-11"
client = TestClient(create_app(max_paths=300))


def test_the_route_answers_the_pinned_layout_as_the_command_line(capsys, monkeypatch) -> None:
    monkeypatch.setattr(rs, "CACHE", rs.RobustCache())
    body = {"pacts": [PACT], "points": 2, "paths": 30, "seed": 5}
    web = client.post("/api/robust", json=body)
    assert web.status_code == 200, web.text
    got = web.json()
    assert list(got) == ["manifest", "ranges", "points", "verdicts"]
    assert [sorted(v) for v in got["verdicts"]] == [
        ["at_defaults", "drivers", "flip_box", "holds_share", "pact", "verdict"]] * 4
    assert got["manifest"]["points"] == 2 and got["manifest"]["paths"] == 30
    monkeypatch.setattr(rs, "CACHE", rs.RobustCache())              # the command line afresh
    code, out, err = run_cli(capsys, "robust", PACT, "--points", "2", "--paths", "30",
                             "--seed", "5", "--json")
    assert code == 0, err
    cli = json.loads(out)
    assert got["verdicts"] == cli["verdicts"] and got["points"] == cli["points"]
    assert got["ranges"] == cli["ranges"]


@pytest.mark.parametrize("body,needle", [
    ({"pacts": [PACT], "points": True}, "points"),
    ({"pacts": [PACT], "points": 1}, "points"),
    ({"pacts": [PACT], "colour": "red"}, "colour"),
    ({"pacts": [], "points": 2, "paths": 10}, "pacts"),
    ({"pacts": [PACT], "points": 2, "paths": 400}, "at most 300 here"),
    ({"pacts": [PACT], "points": 20, "paths": 20}, "at most 300 futures a pact here"),
    ({"pacts": [PACT] * 5, "points": 16, "paths": 10}, "at most 64 points x pacts"),
    ({"pacts": ["korea-final-2099"], "points": 2, "paths": 10}, "not a preset"),
    ({"pacts": [PACT], "points": 2, "paths": 10, "sampler": "grid"}, "sampler"),
    ({"pacts": [PACT], "points": 2, "paths": 10, "assumptions": {"fx.nope": 1}}, "fx.nope"),
])
def test_bad_input_is_a_422_of_one_line(body, needle) -> None:
    r = client.post("/api/robust", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert needle in error and "\n" not in error and len(error) <= 300


def test_compare_and_report_carry_the_strip_when_asked(monkeypatch) -> None:
    monkeypatch.setattr(rs, "SMALL_POINTS", 2)
    monkeypatch.setattr(rs, "SMALL_PATHS", 20)
    monkeypatch.setattr(rs, "CACHE", rs.RobustCache())
    body = {"pacts": [PACT], "paths": 40}
    plain = client.post("/api/compare", json=body).json()
    assert "robustness" not in plain                               # the web's default: off
    strip = client.post("/api/compare", json={**body, "robust": True}).json()["robustness"]
    assert strip["design"]["points"] == 2 and strip["design"]["paths"] == 20
    assert set(strip["pacts"][PACT]) == {"investor_gain_positive", "host_gain_positive",
                                         "individually_rational", "investor_crisis_below"}
    full = client.post("/api/robust", json={"pacts": [PACT], "points": 2, "paths": 20}).json()
    assert strip["pacts"][PACT] == {v["verdict"]: v["holds_share"] for v in full["verdicts"]}
    html = client.post("/api/report", json={**body, "robust": True})
    assert html.status_code == 200 and "What would change the verdict" in html.text


def test_the_strip_obeys_the_path_cap() -> None:
    """16 points x 500 futures: (16 + 1) x 500 futures a pact, over this server's 300."""
    for route in ("/api/compare", "/api/report"):
        r = client.post(route, json={"pacts": [PACT], "paths": 40, "robust": True})
        assert r.status_code == 422 and r.json()["error"].startswith(
            "request: robust: at most 300 futures a pact here"), r.text
