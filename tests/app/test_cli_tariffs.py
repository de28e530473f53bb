"""--as-of on every simulating command, recorded in the manifests and titles; the schedule's
year-one change (tariffs --from --to); the one-line errors for a bad date and the old
--legal-shocks switch; the web's strict as_of."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pactlab.app.web import create_app

from .cli_runner import run_cli

KOREA = "korea-final-2025-11"
client = TestClient(create_app(max_paths=300, max_jobs=1))


def cli_json(capsys, *args: str):
    code, out, err = run_cli(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ("evaluate", KOREA, "--paths", "60", "--no-flips"),
    ("reserves", KOREA, "--paths", "60"),
])
def test_as_of_is_in_the_manifest(capsys, args) -> None:
    default = cli_json(capsys, *args)["manifest"]
    signing = cli_json(capsys, *args, "--as-of", "2025-11-14")["manifest"]
    assert default["as_of"] == "2026-10-09" and signing["as_of"] == "2025-11-14"
    assert signing["assumption_overrides"] == {"trade.as_of": "2025-11-14"}
    assert "2026-10-09" in signing["data_as_of"]["tariff_schedule"]    # the data's own date stays


@pytest.mark.slow
def test_as_of_moves_the_tariff_relief_not_the_macro_start(capsys) -> None:
    args = ("evaluate", KOREA, "--paths", "100", "--no-flips")
    today, signing = cli_json(capsys, *args), cli_json(capsys, *args, "--as-of", "2025-11-14")
    relief = lambda p: p["metrics"]["gain"]["investor:tariff relief"]
    assert relief(signing) > relief(today) > 0
    assert signing["reserves_by_year"]["year"] == today["reserves_by_year"]["year"]
    compare = cli_json(capsys, "compare", KOREA, "--paths", "60", "--as-of", "2025-11-14", "--no-robust")
    assert {m["as_of"] for m in compare["manifests"]} == {"2025-11-14"}


@pytest.mark.slow
def test_report_and_negotiate_take_as_of(capsys, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    code, _, err = run_cli(capsys, "report", KOREA, "--paths", "50", "-o", str(target), "--as-of", "2025-11-14",
                            "--no-robust")
    assert code == 0, err
    assert "tariffs as of 2025-11-14" in target.read_text(encoding="utf-8")
    neg = cli_json(capsys, "negotiate", KOREA, "--space", "korea", "--sample", "lhs", "--n", "8", "--paths", "40",
                   "--as-of", "2025-11-14")
    assert "2025-11-14" in json.dumps(neg)


def test_the_schedules_year_one_change(capsys) -> None:
    payload = cli_json(capsys, "tariffs", "--from", "2024-12-31", "--to", "2025-12-31", "--paths", "30")
    assert (payload["from"], payload["to"], payload["as_of"]) == ("2024-12-31", "2025-12-31", "2026-10-09")
    first = payload["first_year"]
    assert 0 < first["value_added_lost"] < first["exports_lost"]
    assert 0.05 < first["exports_lost_share"] < 0.30
    cars = payload["by_sector_first_year"]["cars"]
    assert (cars["investor_rate_before"], cars["investor_rate_after"]) == pytest.approx((0.0, 0.15))
    code, out, _ = run_cli(capsys, "tariffs", "--from", "2024-12-31", "--to", "2025-12-31",
                           "--paths", "30", "--investor", "japan")
    assert code == 0 and "Japan's year-one loss" in out and "published year-one" in " ".join(out.split())


@pytest.mark.parametrize("args,needle", [
    (("evaluate", KOREA, "--as-of", "2025-02-30"), "--as-of: must be a date"),
    (("tariffs", KOREA, "--as-of", "yesterday"), "--as-of: must be a date"),
    (("compare", KOREA, "--as-of", "20251114"), "--as-of: must be a date"),
    (("tariffs", KOREA, "--legal-shocks", "both"), "--as-of DATE"),
    (("tariffs", KOREA, "--legal-shocks", "on"), "--compare-to DATE"),
    (("tariffs", "--from", "2024-12-31"), "--from/--to"),
    (("tariffs", "--korea", "25", "--compare-to", "2025-01-01"), "--compare-to"),
    (("tariffs", KOREA, "--from", "2024-12-31", "--to", "2025-12-31"), "not both"),
    (("tariffs", "--from", "2024-12-31", "--to", "2025-13-31"), "--to: must be a date"),
])
def test_bad_dates_and_the_old_switch_are_one_line(capsys, args, needle) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1


def test_the_web_takes_as_of_strictly() -> None:
    ok = client.post("/api/tariffs", json={"pact": KOREA, "as_of": "2025-11-14"})
    assert ok.status_code == 200 and ok.json()["as_of"] == "2025-11-14"
    assert ok.json()["manifest"]["as_of"] == "2025-11-14"
    for bad in (20251114, True, "2025-11-31", "14 Nov 2025"):
        r = client.post("/api/tariffs", json={"pact": KOREA, "as_of": bad})
        assert r.status_code == 422 and "as_of" in r.json()["error"], bad
    r = client.post("/api/tariffs", json={"pact": KOREA, "legal_shocks": "both"})
    assert r.status_code == 422 and "--as-of" in r.json()["error"]


def test_a_sweep_spec_takes_as_of(tmp_path: Path) -> None:
    from pactlab.analysis.explore.points import PointRunner
    from pactlab.analysis.explore.spec import Spec
    raw = {"name": "x", "pacts": [KOREA], "outcomes": ["tariff_relief"],
           "uncertainties": {"trade.deal_withdrawal_prob": {"low": 0.0, "high": 0.2}}}
    dated = Spec.model_validate({**raw, "as_of": "2025-11-14"})
    assert str(PointRunner(dated, tmp_path).assumptions.trade.as_of) == "2025-11-14"
    assert dated.digest() != Spec.model_validate(raw).digest()       # a run knows its date
    with pytest.raises(ValueError, match="as_of"):
        Spec.model_validate({**raw, "as_of": 2025})
