"""Red lines hold in every output; best_for is at least as good as every sampled candidate."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import pactlab as pl
from pactlab.analysis.negotiate import (
    Agent,
    Issue,
    IssueSpace,
    alternating_offers,
    korea_space,
    negotiate,
)
from pactlab.analysis.negotiate.optimise import Evaluator, exchange_rates, explain
from pactlab.analysis.negotiate.redlines import with_red_lines
from tests.app.cli_runner import run_cli

BASE = "korea-final-2025-11"
TARIFF = "tariffs.deal.general"
SWAP = "fx.swap_line"


def small_space() -> IssueSpace:
    return IssueSpace(pl.load_pact(BASE), (
        Issue("commitment", 200.0, 350.0),
        Issue("mou_cash_share", 0.1, 0.9),
        Issue("schedule.annual_cap", levels=(10.0, 20.0, 35.0)),
        Issue(TARIFF, levels=(0.10, 0.15)),
        Issue(SWAP, levels=(0.0, 50.0, math.inf)),
        Issue("waterfall.tiers[0].investor_share", levels=(0.5, 1.0)),
        Issue("waterfall.spread", levels=(0.0, 0.02)),
    ))


@pytest.fixture(scope="module")
def fixed():
    space = with_red_lines(small_space(), [f"{TARIFF}=0.15", f"{SWAP}=50"])
    neg = negotiate(space, pl.futures(80, 4), sample="lhs", n=24, seed=4)
    return neg, explain(neg, budget=10)


@pytest.mark.slow     # the module's negotiation: ~10 s (tariff solves for the presets)
def test_red_lines_hold_in_the_candidates_solutions_best_for_and_agents(fixed) -> None:
    neg, ex = fixed
    values = neg.candidates.values
    assert (values[TARIFF] == 0.15).all() and (values[SWAP] == 50.0).all()
    assert all(p.tariffs.deal.general == 0.15 for p in neg.candidates.pacts)
    for name, i in neg.solutions.items():
        if i is not None:
            assert values.iloc[i][TARIFF] == 0.15 and values.iloc[i][SWAP] == 50.0, name
    if neg.solutions["nash"] is not None:
        assert neg.solution_pact("nash").tariffs.deal.general == 0.15
    assert any(best is not None for best in ex.best_for.values())
    for party, best in ex.best_for.items():
        assert best is None or (best.terms[TARIFF] == 0.15 and best.terms[SWAP] == 50.0), party
    if neg.individually_rational.any():          # agents need a deal both prefer to none
        out = alternating_offers(neg.utilities.constrained(),
                                 (Agent("linear", 0.9), Agent("linear", 0.9)), 20, values=values)
        assert (out.trace[TARIFF] == 0.15).all() and (out.trace[SWAP] == 50.0).all()
    assert ex.red_lines == {TARIFF: 0.15, SWAP: 50.0}
    assert TARIFF not in set(ex.rates["issue"]) and SWAP not in set(ex.rates["issue"])


@pytest.mark.slow     # the module's negotiation: ~10 s (tariff solves for the presets)
def test_best_for_is_at_least_as_good_as_every_feasible_candidate(fixed) -> None:
    neg, ex = fixed
    u = neg.utilities.constrained()
    for j, party in enumerate(("investor", "host")):
        best, other = ex.best_for[party], 1 - j
        ok = np.isfinite(u).all(axis=1) & (u[:, other] >= 0)
        if not ok.any():          # no candidate meets the constraint: nothing to beat
            assert best is None or best.best_candidate is None
            continue
        assert best.utility >= u[ok, j].max() - 1e-12
        assert (best.host_utility if j == 0 else best.investor_utility) >= 0
        assert best.evaluations <= 10
        assert best.best_candidate_utility == pytest.approx(u[ok, j].max())


@pytest.mark.slow     # the module's negotiation: ~10 s (tariff solves for the presets)
def test_the_same_futures_give_the_same_utilities(fixed) -> None:
    neg, _ = fixed
    ev = Evaluator(neg.space, neg.futures, neg.prefs)
    ev.allow(1)
    r = ev(neg.candidates.values.iloc[3].to_dict())
    assert r[:2] == (neg.utilities.u[3, 0], neg.utilities.u[3, 1])


@pytest.mark.slow     # the module's negotiation: ~10 s (tariff solves for the presets)
def test_with_no_budget_best_for_is_the_best_candidate(fixed) -> None:
    neg, _ = fixed
    ex = explain(neg, budget=0)
    u = neg.utilities.constrained()
    inv = ex.best_for["investor"]
    ok = np.isfinite(u).all(axis=1) & (u[:, 1] >= 0)
    if not ok.any():
        assert inv is None
        return
    assert inv.source == "candidate" and inv.evaluations == 0
    assert inv.candidate == int(np.flatnonzero(ok)[np.argmax(u[ok, 0])])
    assert inv.investor_utility == u[inv.candidate, 0]


@pytest.mark.slow     # the module's negotiation: ~10 s (tariff solves for the presets)
def test_exchange_rates_are_finite_differences(fixed) -> None:
    neg, _ = fixed
    nash = neg.candidates.values.iloc[0].to_dict()        # any deal: here the first candidate
    ev = Evaluator(neg.space, neg.futures, neg.prefs)
    ev.allow(40)
    rates = exchange_rates(ev, nash)
    row = rates.set_index("issue").loc["commitment"]
    lo, hi = ev(nash | {"commitment": row["from"]}), ev(nash | {"commitment": row["to"]})
    c = nash["commitment"]
    assert (row["from"], row["to"]) == pytest.approx((max(200.0, c - 7.5), min(350.0, c + 7.5)))
    assert row["investor_marginal"] == pytest.approx((hi[0] - lo[0]) / (row["to"] - row["from"]))
    assert row["host_per_investor"] == pytest.approx(row["host_marginal"] / row["investor_marginal"])


@pytest.mark.parametrize("line,needle", [
    ("fx.nope=1", "--red-line fx.nope: not an issue of this negotiation"),
    (f"{TARIFF}=0.5", f"--red-line {TARIFF}=0.5: must be a number between 0.1 and 0.15"),
    ("commitment=900", "--red-line commitment=900: must be a number between 200 and 350"),
    ("governance.selection=anyone", "must be one of the issue's levels"),
    ("tariffs", "expected KEY=VALUE"),
])
def test_a_bad_red_line_is_one_line_exit_2(capsys, line: str, needle: str) -> None:
    code, out, err = run_cli(capsys, "negotiate", BASE, "--space", "korea", "--sample", "lhs",
                             "--n", "4", "--paths", "10", "--red-line", line)
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1


def test_the_korea_space_takes_a_red_line_on_its_tariff() -> None:
    space = with_red_lines(korea_space(pl.load_pact(BASE)), [f"{TARIFF}=0.15"])
    assert space.sample("lhs", 8, 0).values[TARIFF].eq(0.15).all()


@pytest.mark.slow
def test_negotiate_json_has_best_for_candidate_utilities_and_exchange_rates(capsys) -> None:
    code, out, err = run_cli(capsys, "negotiate", BASE, "--issue", "commitment=200:350",
                             "--issue", "mou_cash_share=0.1:0.9", "--issue", f"{TARIFF}=0.1,0.15",
                             "--issue", "schedule.annual_cap=10.0,20.0", "--space", "korea",
                             "--sample", "lhs", "--n", "12", "--paths", "60", "--budget", "6",
                             "--red-line", f"{TARIFF}=0.15", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert len(data["candidate_utilities"]) == data["candidates"]
    assert set(data["candidate_utilities"][0]) >= {"candidate", "investor_utility", "host_utility"}
    us = np.array([[c["investor_utility"], c["host_utility"]] for c in data["candidate_utilities"]
                   if c["feasible"]])
    for j, party in enumerate(("investor", "host")):
        best, meets = data["best_for"][party], us[:, 1 - j] >= 0
        if best is not None:
            assert best["terms"][TARIFF] == 0.15
        if meets.any():
            assert best[f"{party}_utility"] >= us[meets, j].max() - 1e-12
    for found in data["solutions"].values():
        if found is not None:
            assert found["terms"][TARIFF] == 0.15
    assert data["red_lines"] == {TARIFF: 0.15}
    rates = {r["issue"] for r in data["exchange_rates"]["rows"]}
    assert rates >= {"commitment", "mou_cash_share"} if data["solutions"]["nash"] else rates == set()
