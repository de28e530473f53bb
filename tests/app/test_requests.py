"""One request layer (issue 17): each request model run through the command line and through
the workbench gives the same numbers, levers included, and a bad request is the same one-line
message in both."""
from __future__ import annotations

import json
import math
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pactlab.app import requests as rq
from pactlab.app.web import create_app
from pactlab.core.errors import PactError
from pactlab.core.units import UNITS, format_value, vocabulary

from .cli_runner import run_cli

client = TestClient(create_app(max_paths=300, max_jobs=1))
KOREA = "korea-final-2025-11"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, *args)


def cli_json(capsys, *args: str) -> Any:
    code, out, err = cli(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def web_json(endpoint: str, body: dict[str, Any]) -> Any:
    r = client.post(endpoint, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def close(a: Any, b: Any, path: str = "") -> None:
    """Equal JSON, numbers to 1e-12 (relative), missing numbers as null on both sides."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), f"{path}: keys {sorted(set(a) ^ set(b))}"
        for k in a:
            close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            close(x, y, f"{path}[{i}]")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def test_evaluate_is_the_same_request_in_both(capsys) -> None:
    cmd = cli_json(capsys, "evaluate", KOREA, "--paths", "120", "--seed", "4")
    web = web_json("/api/evaluate", {"pact": KOREA, "paths": 120, "seed": 4})
    close(cmd["metrics"], web["metrics"])
    assert cmd["manifest"] == web["manifest"]


@pytest.mark.slow
def test_compare_is_the_same_request_in_both(capsys) -> None:
    pacts = [KOREA, "japan-mou-2025"]
    cmd = cli_json(capsys, "compare", *pacts, "--paths", "100", "--seed", "2", "--no-robust",
                   "--set", "discount.host=0.03", "--term", "schedule.annual_cap=25")
    web = web_json("/api/compare", {"pacts": pacts, "paths": 100, "seed": 2,
                                    "assumptions": {"discount.host": 0.03},
                                    "terms": {"schedule.annual_cap": 25}})
    close(cmd["rows"], web["rows"])
    assert cmd["manifests"] == web["manifests"]


@pytest.mark.slow
def test_a_lever_is_a_term_in_both(capsys) -> None:
    cmd = cli_json(capsys, "evaluate", KOREA, "--paths", "100", "--term", "commitment=200")
    web = web_json("/api/evaluate", {"pact": KOREA, "paths": 100, "terms": {"commitment": 200}})
    assert cmd["metrics"]["investor"]["commitment"] == pytest.approx(200.0)
    close(cmd["metrics"], web["metrics"])
    share = cli_json(capsys, "evaluate", KOREA, "--paths", "100", "--term", "mou_cash_share=0.3")
    assert share["metrics"]["investor"]["cash_share"] == pytest.approx(0.3)


@pytest.mark.slow
def test_tariffs_are_the_same_request_in_both(capsys) -> None:
    cmd = cli_json(capsys, "tariffs", "--korea", "25", "--japan", "15", "--paths", "60", "--seed", "1")
    web = web_json("/api/tariffs", {"rates": {"korea": 0.25, "japan": 0.15}, "draws": 60, "seed": 1})
    assert cmd["scenario"] == {"korea": 0.25, "japan": 0.15}         # percent at the flag only
    close({k: v for k, v in cmd.items() if k != "manifest"}, {k: v for k, v in web.items() if k != "manifest"})
    cmd = cli_json(capsys, "tariffs", KOREA, "--as-of", "2025-11-14", "--compare-to", "2026-10-09")
    web = web_json("/api/tariffs", {"pact": KOREA, "as_of": "2025-11-14", "compare_to": "2026-10-09"})
    close(cmd, web)
    cmd = cli_json(capsys, "tariffs", "--from", "2024-12-31", "--to", "2025-12-31", "--paths", "40")
    web = web_json("/api/tariffs", {"from_date": "2024-12-31", "to_date": "2025-12-31", "draws": 40})
    close({k: v for k, v in cmd.items() if k != "manifest"}, {k: v for k, v in web.items() if k != "manifest"})


@pytest.mark.slow
def test_a_negotiation_is_the_same_request_in_both(capsys) -> None:
    args = {"pact": KOREA, "space": "korea", "sample": "lhs", "n": 16, "paths": 60, "seed": 2}
    cmd = cli_json(capsys, "negotiate", KOREA, "--space", "korea", "--sample", "lhs", "--n", "16",
                   "--paths", "60", "--seed", "2")
    job = client.post("/api/jobs/negotiate", json=args).json()
    for _ in range(1200):
        job = client.get(f"/api/jobs/{job['id']}").json()
        if job["status"] != "running":
            break
        time.sleep(0.1)
    assert job["status"] == "done", job["error"]
    web = job["result"]
    assert web["candidates"] == cmd["candidates"] and web["frontier"] == cmd["frontier"]
    for name, found in cmd["solutions"].items():
        if found is None:
            assert web["solutions"][name] is None
        else:
            assert web["solutions"][name]["candidate"] == found["candidate"]
            close(web["solutions"][name]["terms"], found["terms"])


BAD = [
    (("tariffs", "--korea", "25", "--investor", "mars"), "/api/tariffs",
     {"rates": {"korea": 0.25}, "investor": "mars"}),
    (("tariffs",), "/api/tariffs", {}),
    (("tariffs", KOREA, "--korea", "25"), "/api/tariffs", {"pact": KOREA, "rates": {"korea": 0.25}}),
    (("tariffs", "--korea", "25", "--sector", "fishing"), "/api/tariffs",
     {"rates": {"korea": 0.25}, "sectors": ["fishing"]}),
    (("evaluate", KOREA, "--paths", "50", "--term", "tariffs.deal.general=15"), "/api/evaluate",
     {"pact": KOREA, "paths": 50, "terms": {"tariffs.deal.general": 15}}),
    (("evaluate", KOREA, "--paths", "50", "--term", "commitment=true"), "/api/evaluate",
     {"pact": KOREA, "paths": 50, "terms": {"commitment": True}}),
    (("evaluate", KOREA, "--paths", "50", "--term", "schedule.nothing=1"), "/api/evaluate",
     {"pact": KOREA, "paths": 50, "terms": {"schedule.nothing": 1}}),
    (("evaluate", KOREA, "--paths", "50", "--set", "fx.sudden_stop_prb=0.1"), "/api/evaluate",
     {"pact": KOREA, "paths": 50, "assumptions": {"fx.sudden_stop_prb": 0.1}}),
    (("compare", KOREA, "--paths", "50", "--set", "fx.sudden_stop_prob=true"), "/api/compare",
     {"pacts": [KOREA], "paths": 50, "assumptions": {"fx.sudden_stop_prob": True}}),
]


@pytest.mark.parametrize("args,endpoint,body", BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_a_bad_request_is_the_same_line_in_both(capsys, args, endpoint, body) -> None:
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    r = client.post(endpoint, json=body)
    assert r.status_code == 422
    assert err.strip() == f"error: {r.json()['error']}"


def test_requests_are_strict_and_pacts_never_paths() -> None:
    with pytest.raises(PactError, match="request: paths"):
        rq.build(rq.PactRequest, pact=KOREA, paths=False)
    with pytest.raises(PactError, match="request: colour"):
        rq.build(rq.PactRequest, pact=KOREA, colour="red")
    with pytest.raises(PactError, match="request: rates.korea"):
        rq.build(rq.TariffRequest, rates={"korea": 25.0})             # fractions: 25 is 2,500%
    from pactlab.app import service
    with pytest.raises(PactError, match="request.pact: not a preset"):
        service.resolve(rq.build(rq.PactRequest, pact="./korea.toml"))
    assert set(rq.INVESTORS) == {"korea", "japan", "taiwan", "eu27", "switzerland"}


def test_the_page_reads_the_unit_vocabulary() -> None:
    served = client.get("/api/units").json()
    assert served == json.loads(json.dumps(vocabulary())) and set(served["units"]) == set(UNITS)
    page = client.get("/").text
    assert 'api("/api/units")' in page and "toFixed(1) + \"B\"" not in page
    assert format_value(1234.5, "usd_bn") == "$1,234.5B" and format_value(0.125, "rate") == "12.50%"
