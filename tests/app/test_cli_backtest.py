"""`pactlab backtest` and the funding capacity of `pactlab reserves`, from the command line."""
from __future__ import annotations

import json

from tests.app.cli_runner import run_cli as run


def test_backtest_json_and_table(capsys) -> None:
    code, out, err = run(capsys, "backtest", "KOR", "--from", "2005", "--paths", "100", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"by_year", "crises", "manifest"}
    assert payload["by_year"]["year"][0] == 2005 and payload["by_year"]["year"][-1] == 2025
    assert payload["manifest"]["paths"] == 100 and payload["manifest"]["fit"]["through"] == 2015
    code, out, _ = run(capsys, "backtest", "korea", "--from", "2010", "--to", "2020", "--paths", "100")
    assert code == 0
    assert "out of sample" in out and "2020" in out and "P5–P95" in out


def test_backtest_bad_input_is_one_line_and_exit_2(capsys) -> None:
    for args, text in ((("JPN",), "no reserve history on file"),
                       (("KOR", "--from", "1990"), "no history for 1990"),
                       (("KOR", "--from", "2010", "--to", "2008"), "must come after"),
                       (("KOR", "--set", "fx.float_floor=true"), "fx.float_floor: must be a number, got true")):
        code, out, err = run(capsys, "backtest", *args, "--paths", "10")
        assert code == 2 and out == "", args
        assert err.count("\n") == 1 and text in err, err


def test_reserves_shows_the_funding_capacity_beside_the_calls(capsys) -> None:
    code, out, _ = run(capsys, "reserves", "korea-final-2025-11", "--paths", "100")
    assert code == 0 and "reserve income" in out and "headroom" in out
    code, out, _ = run(capsys, "reserves", "korea-final-2025-11", "--paths", "100", "--json")
    cap = json.loads(out)["funding_capacity"]
    assert set(cap) >= {"year", "calls", "from_reserves", "reserve_income", "bond_funding",
                        "non_pact_flows", "capacity", "headroom"}
    assert cap["reserve_income"][0] == 0.038 * 416.29


def test_the_web_answers_the_backtest_as_the_command_line_does(capsys) -> None:
    """POST /api/backtest is `pactlab backtest --json` (the manifest aside); bad input is a 422
    with one line, and the path cap applies."""
    from fastapi.testclient import TestClient

    from pactlab.app.web import create_app
    client = TestClient(create_app())
    web = client.post("/api/backtest", json={"investor": "KOR", "start": 2005, "paths": 100})
    assert web.status_code == 200, web.text
    code, out, _ = run(capsys, "backtest", "KOR", "--from", "2005", "--paths", "100", "--json")
    assert code == 0 and web.json()["by_year"] == json.loads(out)["by_year"]
    for body, text in (({"investor": "JPN"}, "no reserve history on file"),
                       ({"start": 2010, "end": 2008}, "must come after"),
                       ({"paths": 60_000}, "at most 50,000")):
        bad = client.post("/api/backtest", json=body)
        assert bad.status_code == 422 and text in bad.json()["error"], bad.text
    assert client.post("/api/backtest", json={"paths": True}).status_code == 422
