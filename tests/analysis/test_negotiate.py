"""Bargaining: the textbook solutions on known frontiers, the agents, the issue space, and the
negotiation on the real Korean case."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import pactlab as pl
from pactlab.analysis.negotiate import (
    Agent,
    Issue,
    IssueSpace,
    alternating_offers,
    egalitarian_point,
    korea_space,
    ks_point,
    nash_point,
    negotiate,
    pareto_front,
    parse_issue,
    rubinstein_share,
    utilitarian_point,
)
from pactlab.analysis.negotiate.utility import cvar_rows, utility_rows

STEP = 1e-4


def split_pie(step: float = STEP) -> np.ndarray:
    u1 = np.arange(0.0, 1.0 + step / 2, step)
    return np.column_stack([u1, 1.0 - u1])


def concave(step: float = STEP) -> np.ndarray:
    u1 = np.arange(0.0, 1.0 + step / 2, step)
    return np.column_stack([u1, 1.0 - u1**2])


def test_nash_and_ks_on_the_split_pie() -> None:
    u = split_pie()
    assert u[nash_point(u, (0.1, 0.3)), 0] == pytest.approx(0.4, abs=STEP)
    assert u[ks_point(u, (0.0, 0.4)), 0] == pytest.approx(0.3, abs=STEP)


def test_nash_and_ks_on_a_concave_frontier() -> None:
    u = concave()
    assert u[nash_point(u, (0.0, 0.0)), 0] == pytest.approx(1 / math.sqrt(3), abs=STEP)
    ks = u[ks_point(u, (0.0, 0.0))]
    golden = (math.sqrt(5) - 1) / 2
    assert ks[0] == pytest.approx(golden, abs=STEP) and ks[1] == pytest.approx(golden, abs=2 * STEP)


def test_egalitarian_and_utilitarian() -> None:
    u = np.array([[0.1, 0.9], [0.45, 0.5], [0.8, 0.3], [0.2, 0.2]])
    assert egalitarian_point(u, (0.0, 0.0)) == 1
    assert utilitarian_point(u, (0.0, 0.0)) == 2 or utilitarian_point(u, (0.0, 0.0)) == 0
    assert nash_point(u, (0.9, 0.9)) is None and ks_point(u, (0.9, 0.9)) is None


@pytest.mark.parametrize("d1,d2,share", [(0.9, 0.9, 0.526316), (0.9, 0.8, 0.714286),
                                         (0.95, 0.5, 0.952381)])
def test_rubinstein_share_and_the_agents_reach_it_in_round_one(d1, d2, share) -> None:
    assert rubinstein_share(d1, d2) == pytest.approx(share, abs=1e-6)
    pie = split_pie(1e-3)[1:-1]          # a fine pie grid, both sides better than no deal
    out = alternating_offers(pie, (Agent("rubinstein", d1), Agent("rubinstein", d2)), 50)
    assert out.ended == "agreement" and out.round == 1
    assert pie[out.agreement, 0] == pytest.approx(share, abs=1e-3)


def test_time_dependent_agents_concede_at_their_pace_and_hardball_holds() -> None:
    pie = split_pie(0.01)[1:-1]
    tough = alternating_offers(pie, (Agent("boulware"), Agent("conceder")), 40)
    soft = alternating_offers(pie, (Agent("conceder"), Agent("boulware")), 40)
    assert tough.ended == soft.ended == "agreement"
    assert pie[tough.agreement, 0] > 0.5 > pie[soft.agreement, 0]
    standoff = alternating_offers(pie, (Agent("hardball", target=0.9), Agent("hardball", target=0.9)), 30)
    assert standoff.agreement is None and standoff.ended == "deadline"
    assert standoff.utilities == (0.0, 0.0)
    tft = alternating_offers(pie, (Agent("tit_for_tat"), Agent("linear")), 60)
    assert tft.ended == "agreement"
    trace = tft.trace
    assert list(trace.columns[:3]) == ["round", "proposer", "candidate"] and trace["accepted"].iloc[-1]


def test_talks_can_break_down() -> None:
    pie = split_pie(0.01)[1:-1]
    ended = {alternating_offers(pie, (Agent("boulware"), Agent("boulware")), 40, breakdown=0.3,
                                seed=s).ended for s in range(20)}
    assert "breakdown" in ended


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 40), st.just(2)),
              elements=st.floats(-5, 5, allow_nan=False)))
def test_the_frontier_is_exactly_the_undominated_rows(u) -> None:
    front = set(pareto_front(u).tolist())

    def dominates(a, b):
        return (a >= b).all() and (a > b).any()
    for i in range(len(u)):
        dominated = any(dominates(u[j], u[i]) for j in range(len(u)))
        assert (i in front) == (not dominated)
    assert list(pareto_front(u)) == sorted(front, key=lambda i: (u[i, 0], u[i, 1], i))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 30), st.just(2)), elements=st.floats(0, 1)),
       st.floats(0, 0.5), st.floats(0, 0.5), st.floats(0, 0.4))
def test_raising_ones_disagreement_point_never_lowers_its_nash_utility(u, d1, d2, bump) -> None:
    before, after = nash_point(u, (d1, d2)), nash_point(u, (d1 + bump, d2))
    if before is not None and after is not None:
        assert u[after, 0] >= u[before, 0] - 1e-12


def test_cvar_and_utility() -> None:
    g = np.array([[1.0, 2.0, 3.0, 4.0, -6.0], [5.0, 5.0, 5.0, 5.0, 5.0]])
    np.testing.assert_allclose(cvar_rows(g, 0.2), [-6.0, 5.0])
    np.testing.assert_allclose(cvar_rows(g, 0.4), [-2.5, 5.0])
    np.testing.assert_allclose(utility_rows(g, 1.0, 0.2), [-6.0, 5.0])
    np.testing.assert_allclose(utility_rows(g, 0.0, 0.2), g.mean(axis=1))


def test_the_issue_space_samples_and_skips_what_the_sheet_rejects() -> None:
    base = pl.load_pact("korea-final-2025-11")
    space = IssueSpace(base, (Issue("waterfall.tiers[1].investor_share", levels=(0.1, 0.5, 1.5)),
                              parse_issue("mou_cash_share=0.2:0.8:0.3")))
    c = space.sample("grid")
    assert len(c.pacts) == 6 and c.skipped == 3 and "must be <= 1" in next(iter(c.reasons))
    row = c.values.iloc[0]
    pact = c.pacts[0]
    assert pact.amount("mou") == pytest.approx(350 * row["mou_cash_share"])
    assert pact.commitment == pytest.approx(350)
    lhs = space.sample("lhs", n=50, seed=3)
    assert lhs.values.equals(space.sample("lhs", n=50, seed=3).values)
    assert len(space.sample("sobol", n=20, seed=1).pacts) + space.sample("sobol", n=20, seed=1).skipped <= 32
    with pytest.raises(pl.PactError, match=r"schedule\.anual_cap: is not a known term"):
        IssueSpace(base, (Issue("schedule.anual_cap", levels=(1.0,)),))
    with pytest.raises(pl.PactError, match="LO:HI"):
        parse_issue("schedule.annual_cap")


def test_the_cash_share_lever_adds_guarantees_where_there_are_none() -> None:
    demand = pl.load_pact("korea-us-demand-2025-09")
    c = IssueSpace(demand, (Issue("mou_cash_share", levels=(0.4,)),)).sample("grid")
    pact = c.pacts[0]
    assert pact.amount("mou") == pytest.approx(140) and pact.amount("guarantee") == pytest.approx(210)
    assert "tranches[1].fee" in pact.assumed


@pytest.fixture(scope="module")
def korea() -> pl.negotiate.Negotiation:
    space = korea_space(pl.load_pact("korea-us-demand-2025-09"))
    # the welfare view: under the host's stated objective no candidate here beats no deal for
    # both without a perceived no-deal cost (issue 21; `pactlab calibrate korea` fits one)
    welfare = pl.load_assumptions().with_values({"host_objective.view": "welfare"})
    return negotiate(space, pl.futures(600, 5, welfare), sample="lhs", n=150, seed=5,
                     reference="korea-final-2025-11")


@pytest.mark.slow
def test_the_nash_deal_beats_no_deal_for_both_and_is_efficient(korea) -> None:
    i = korea.solutions["nash"]
    assert i is not None and i in set(korea.frontier.tolist())
    pact = korea.solution_pact("nash")
    f = korea.futures
    pay = pl.payoffs([pact], f)
    ev = pl.evaluate(pact, futures=f)
    np.testing.assert_array_equal(pay.investor[0], ev.gains.total("investor"))
    util = korea.utilities.u[i]
    assert (util > 0).all()
    assert utility_rows(pay.investor, 0.5, 0.05)[0] == pytest.approx(util[0])
    assert utility_rows(pay.host, 0.5, 0.05)[0] == pytest.approx(util[1])


@pytest.mark.slow
def test_rerunning_gives_the_same_term_sheets_byte_for_byte(korea) -> None:
    again = negotiate(korea.space, pl.futures(600, 5, korea.futures.assumptions), sample="lhs",
                      n=150, seed=5)
    for name in korea.solutions:
        assert korea.solution_toml(name) == again.solution_toml(name)
    text = korea.solution_toml("nash")
    assert 'name = "korea-us-demand-2025-09-nash"' in text
    reread = pl.inputs.terms.validate_pact(__import__("tomllib").loads(text), "nash.toml")
    assert reread == korea.solution_pact("nash")


def test_presets_and_the_reference_gap(korea) -> None:
    assert set(korea.presets.index) == {"korea-counter-2025-09", "korea-final-2025-11",
                                        "korea-us-demand-2025-09"}
    demand = korea.presets.loc["korea-us-demand-2025-09"]
    assert demand["investor_mean"] < 0 and demand["p_crisis"] > 0.5   # $350B mostly upfront
    gap = korea.reference_gap()
    assert gap["investor"] >= 0 and gap["host"] >= 0
    zone = korea.zopa()
    assert set(zone.index) == set(korea.space.keys)
    assert isinstance(zone, pd.DataFrame)


@pytest.mark.slow
def test_a_crisis_limit_rules_pacts_out(korea) -> None:
    from pactlab.analysis.negotiate import Preferences
    strict = negotiate(korea.space, pl.futures(600, 5), sample="lhs", n=150, seed=5,
                       prefs=Preferences(0.5, 0.5, 0.05, investor_max_crisis_prob=0.03))
    chosen = [i for i in strict.solutions.values() if i is not None]
    assert all(strict.stats.loc[i, "p_crisis"] <= 0.03 + 1e-12 for i in chosen)
    assert (~strict.utilities.feasible).any()
