"""The command line's plausible ranges: ``pactlab assumptions`` shows them, and ``evaluate`` /
``compare`` say where a verdict flips within them (evaluate by default, ``--no-flips`` skips
it; compare with ``--flips``)."""
from __future__ import annotations

import json

import pytest

import pactlab as pl
from pactlab.analysis.flips import Flip, FlipCheck, find_flips
from pactlab.app import service
from pactlab.inputs.ranges import Range, load_ranges

from .cli_runner import run_cli

PACT = "japan-mou-2025"


def test_assumptions_shows_the_plausible_ranges(capsys) -> None:
    code, out, _ = run_cli(capsys, "assumptions", "--json")
    assert code == 0
    rows = {r["key"]: r for r in json.loads(out)}
    ranged = [r for r in load_ranges() if r.kind == "assumption" and r.key in rows]
    assert ranged
    for r in ranged:
        assert rows[r.key]["plausible"] == r.plausible()
        assert set(r.plausible()) in ({"low", "high", "distribution", "source"}, {"levels", "source"})
    code, out, _ = run_cli(capsys, "assumptions")
    assert code == 0 and "plausible" in out and "allowed" in out
    assert ranged[0].text().split(" (")[0] in out      # "0.02–0.2", its distribution below


def test_evaluate_no_flips_and_csv_skip_the_check(capsys) -> None:
    code, out, err = run_cli(capsys, "evaluate", PACT, "--paths", "100", "--json", "--no-flips")
    assert code == 0, err
    assert "flips" not in json.loads(out)
    code, out, _ = run_cli(capsys, "evaluate", PACT, "--paths", "100", "--no-flips")
    assert code == 0 and "flips within plausible ranges" not in out and "no headline" not in out


@pytest.mark.slow
def test_evaluate_json_carries_the_flips_of_every_shipped_range(capsys) -> None:
    code, out, err = run_cli(capsys, "evaluate", "korea-final-2025-11", "--paths", "60", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert isinstance(payload["flips"], list)
    check = payload["flip_check"]
    assert check["paths"] == 60 and check["seed"] == 0 and check["ranges_checked"]
    assert set(check["verdicts_at_defaults"]) == {"investor_gain_positive", "host_gain_positive",
                                                  "individually_rational"}
    for flip in payload["flips"]:
        assert flip["key"] in check["ranges_checked"] and flip["side"] in ("investor", "host")


@pytest.mark.slow
def test_compare_json_carries_each_pacts_flips(capsys, monkeypatch) -> None:
    one = Range(key="markets.sofr.long_run", low=0.025, high=0.04, distribution="uniform",
                source="test", default=pl.load_assumptions().markets.sofr.long_run)
    monkeypatch.setattr(service, "find_flips",
                        lambda pacts, a, **kw: find_flips(pacts, a, ranges=[one], **kw))
    code, out, err = run_cli(capsys, "compare", PACT, "korea-final-2025-11", "--paths", "60",
                             "--json", "--flips", "--no-robust")
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload["flips"]) == set(payload["flip_check"]) == {PACT, "korea-final-2025-11"}
    assert all(c["ranges_checked"] == [one.key] for c in payload["flip_check"].values())


def test_compare_checks_only_with_flips(capsys) -> None:
    code, out, err = run_cli(capsys, "compare", PACT, "--paths", "100", "--json", "--no-robust")
    assert code == 0, err
    assert "flips" not in json.loads(out)


def _planted(n: int) -> FlipCheck:
    r = Range(key="trade.deal_withdrawal_prob", low=0.02, high=0.2, distribution="uniform",
              source="test")
    flips = tuple(Flip(PACT, "investor_gain_positive", r, 0.02 + i / 100, 0.1, True, "investor",
                       12.5 + i, 40.0) for i in range(n))
    return FlipCheck(PACT, 100, 0, {"investor_gain_positive": False, "host_gain_positive": True,
                                    "individually_rational": False}, -3.0, 40.0,
                     (r.key,), flips)


@pytest.mark.parametrize("n", [2, 7])
def test_evaluate_prints_each_flip_under_the_table(capsys, monkeypatch, n: int) -> None:
    monkeypatch.setattr(service, "_flip_checks", lambda r, progress: [_planted(n)])
    code, out, err = run_cli(capsys, "evaluate", PACT, "--paths", "100")
    assert code == 0, err
    lines = [line for line in out.splitlines() if "flips within plausible ranges" in line]
    assert len(lines) == min(n, 5)
    assert lines[0].startswith(f"⚠ {PACT}: investor_gain_positive flips within plausible ranges "
                               "(no → yes): trade.deal_withdrawal_prob at 0.02 (range 0.02–0.2 "
                               "(uniform)) → investor gain $12.5B")
    assert ("and 2 more (--json)" in out) == (n == 7)
    code, out, _ = run_cli(capsys, "evaluate", PACT, "--paths", "100", "--json")
    flips = json.loads(out)["flips"]
    assert len(flips) == n and flips[0]["key"] == "trade.deal_withdrawal_prob"
    assert flips[0]["side"] == "investor" and flips[0]["gain"] == 12.5
    assert flips[0]["holds_at_defaults"] is False and flips[0]["holds"] is True


def test_compare_prints_the_flips_of_each_pact(capsys, monkeypatch) -> None:
    monkeypatch.setattr(service, "_flip_checks", lambda r, progress: [_planted(1)] * len(r.pacts))
    code, out, err = run_cli(capsys, "compare", PACT, "--paths", "100", "--flips", "--no-robust")
    assert code == 0, err
    assert out.count("flips within plausible ranges") == 1
    code, out, err = run_cli(capsys, "compare", PACT, "--paths", "100", "--no-robust")
    assert code == 0 and "flips within plausible ranges" not in out
