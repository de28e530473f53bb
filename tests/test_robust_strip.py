"""``compare`` shows beside each verdict how much of the plausible range it holds in: the small
design of :mod:`pactlab.app.robust_service` (16 points x 500 futures), exactly ``pactlab robust``
with that design, kept in memory by what it depends on, and off with ``--no-robust``."""
from __future__ import annotations

import json

import pytest

from pactlab.app import robust_service as rs
from pactlab.app import service
from pactlab.app.requests import CompareRequest
from tests.app.cli_runner import run_cli

PACT = "korea-final-2025-11"


@pytest.fixture
def fresh(monkeypatch) -> rs.RobustCache:
    """An empty process cache for the test (results of other tests do not leak in)."""
    cache = rs.RobustCache()
    monkeypatch.setattr(rs, "CACHE", cache)
    return cache


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """How many times the robust analysis ran (the real one, counted)."""
    calls: list[int] = []
    real = rs.run_robust

    def counting(*args, **kwargs):
        calls.append(kwargs["points"])
        return real(*args, **kwargs)
    monkeypatch.setattr(rs, "run_robust", counting)
    return calls


def _holds(outcome: dict, verdict: str, bound: float) -> bool:
    inv, host = outcome["investor_gain_mean"], outcome["host_gain_mean"]
    return {"investor_gain_positive": inv > 0, "host_gain_positive": host > 0,
            "individually_rational": inv >= 0 and host >= 0,
            "investor_crisis_below": outcome["p_crisis"] < bound}[verdict]


@pytest.mark.slow
def test_the_strip_is_robust_with_the_same_small_design(capsys, fresh, counted) -> None:
    """The default design, 16 points x 500 futures on compare's seed: the same shares as
    ``pactlab robust --points 16 --paths 500 --seed 3``, run afresh, and each share the fraction
    of robust's points where the verdict holds. The table says the design."""
    code, out, err = run_cli(capsys, "compare", PACT, "--paths", "100", "--seed", "3", "--json")
    assert code == 0, err
    strip = json.loads(out)["robustness"]
    assert strip["design"] == {"points": 16, "paths": 500, "seed": 3, "sampler": "lhs",
                               "ranges": strip["design"]["ranges"], "crisis_bound": 0.1}
    assert strip["design"]["ranges"] > 10
    fresh._kept.clear()
    code, out, err = run_cli(capsys, "robust", PACT, "--points", "16", "--paths", "500",
                             "--seed", "3", "--json")
    assert code == 0, err
    full = json.loads(out)
    assert counted == [16, 16]                          # computed twice, not served from the cache
    shares = {v["verdict"]: v["holds_share"] for v in full["verdicts"]}
    assert strip["pacts"] == {PACT: shares}
    for verdict, share in shares.items():
        held = [_holds(p["outcomes"][PACT], verdict, 0.1) for p in full["points"]]
        assert share == sum(held) / len(held)
    code, out, err = run_cli(capsys, "compare", PACT, "--paths", "100", "--seed", "3")
    assert code == 0 and counted == [16, 16]            # the text: from the cache
    text = " ".join(out.split())
    assert "How sure is each verdict? Holds in X% of the plausible range: 16 points over" in text
    assert "500 futures each, seed 3" in text
    assert f"holds in {shares['host_gain_positive']:.0%}" in text


def test_a_second_ask_is_the_same_object_without_a_recomputation(fresh, counted,
                                                                 monkeypatch) -> None:
    """Same pacts, terms, assumptions, seed and as-of date: one run, the identical result; any
    of them moved: a new run."""
    monkeypatch.setattr(rs, "SMALL_POINTS", 2)
    monkeypatch.setattr(rs, "SMALL_PATHS", 20)
    req = CompareRequest(pacts=[PACT], paths=20, seed=1, robust=True)
    first = service.compare(req)
    again = service.compare(CompareRequest(pacts=[PACT], paths=40, seed=1, robust=True))
    assert counted == [2] and again.robustness is not None and first.robustness is not None
    assert again.robustness.result is first.robustness.result     # compare's own paths aside
    service.compare(CompareRequest(pacts=[PACT], paths=20, seed=2, robust=True))
    assert counted == [2, 2] and len(fresh) == 2
    key = rs.manifest_key
    a, b = service.resolve(req), service.resolve(CompareRequest(pacts=[PACT], as_of="2025-11-14"))
    assert key(a.pacts, a.assumptions, seed=1) != key(b.pacts, b.assumptions, seed=1)
    moved = service.resolve(CompareRequest(pacts=[PACT], terms={"schedule.annual_cap": 25}))
    assert key(a.pacts, a.assumptions, seed=1) != key(moved.pacts, moved.assumptions, seed=1)
    assert key(a.pacts, a.assumptions, seed=1) == key(a.pacts, a.assumptions, seed=1)


def test_the_cache_keeps_the_most_recent_results() -> None:
    cache = rs.RobustCache(size=2)
    first, second, third = object(), object(), object()
    cache.put("a", first)
    cache.put("b", second)
    assert cache.get("a") is first                     # a is now the most recent
    cache.put("c", third)
    assert cache.get("b") is None and cache.get("a") is first and cache.get("c") is third
    with pytest.raises(ValueError, match="size"):
        rs.RobustCache(size=0)


def test_no_robust_omits_it_and_the_request_defaults_to_off(capsys, fresh, counted) -> None:
    code, out, err = run_cli(capsys, "compare", PACT, "--paths", "40", "--json", "--no-robust")
    assert code == 0, err
    assert "robustness" not in json.loads(out) and counted == []
    code, out, _ = run_cli(capsys, "compare", PACT, "--paths", "40", "--csv")
    assert code == 0 and "holds in" not in out and counted == []    # CSV: the table only
    code, out, _ = run_cli(capsys, "compare", PACT, "--paths", "40", "--no-robust")
    assert code == 0 and "How sure" not in out and counted == []
    assert CompareRequest(pacts=[PACT]).robust is False             # the web's and the library's
    assert "robustness" not in service.compare(CompareRequest(pacts=[PACT], paths=20)).payload()
    assert counted == []
