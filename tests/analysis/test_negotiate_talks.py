"""Talks on a calendar: the months pass with no deal in force at a cost, a threat or a rival's
deal moves the disagreement points, and the investor walks away when nothing is left to change."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import pactlab as pl
from pactlab.analysis.negotiate import Agent
from pactlab.analysis.negotiate.talks import Talks, calendar_offers, korea_talks
from pactlab.core.errors import PactError

U = np.array([[10.0, 1.0], [6.0, 5.0], [1.0, 9.0]])
START, END = dt.date(2025, 7, 31), dt.date(2026, 7, 31)
LINEAR = (Agent("linear", 0.9), Agent("linear", 0.9))


def test_the_calendar_counts_months_and_puts_events_in_force() -> None:
    t = Talks(START, END, (1.0, -0.5), initial=(20.0, 0.0), threat=dt.date(2025, 9, 11),
              threat_shift=(-20.0, 0.0), threat_monthly=(0.5, 0.0))
    assert t.rounds == 12 and t.date(1) == dt.date(2025, 7, 1) and t.date(7) == dt.date(2026, 1, 1)
    d, c, events = t.state(2)
    assert d.tolist() == [20.0, 0.0] and c.tolist() == [1.0, -0.5] and events == []
    d, c, events = t.state(3)                          # September: the threat is in force
    assert d.tolist() == [0.0, 0.0] and c.tolist() == [1.5, -0.5] and events == ["threat"]
    with pytest.raises(PactError, match="deadline"):
        Talks(START, START, (0.0, 0.0))


def test_no_zone_waits_for_the_threat_then_agrees_net_of_the_months() -> None:
    t = Talks(START, END, (1.0, 0.0), initial=(20.0, 0.0), threat=dt.date(2025, 9, 11),
              threat_shift=(-20.0, 0.0))
    out = calendar_offers(U, LINEAR, t)
    waited = out.trace[out.trace["candidate"].isna()]
    assert len(waited) == 2                             # July and August: nothing beats 20 for it
    assert out.ended == "agreement" and out.round >= 3
    c = int(out.agreement)
    paid = 1.0 * (out.round - 1)                        # a month's cost for each month before
    assert out.utilities[0] == pytest.approx((U[c, 0] - paid) * 0.9 ** (out.round - 1))
    assert out.utilities[1] == pytest.approx(U[c, 1] * 0.9 ** (out.round - 1))


def test_the_investor_walks_away_when_nothing_is_left_to_change() -> None:
    out = calendar_offers(U, LINEAR, Talks(START, END, (1.0, 0.0), initial=(20.0, 0.0)))
    assert out.ended == "walked_away" and out.agreement is None and out.round == 1
    assert out.utilities == (20.0, 0.0)


def test_a_costly_month_makes_the_responder_accept_sooner() -> None:
    cheap = calendar_offers(U, (Agent("boulware", 0.99), Agent("boulware", 0.99)),
                            Talks(START, END, (0.0, 0.0)))
    dear = calendar_offers(U, (Agent("boulware", 0.99), Agent("boulware", 0.99)),
                           Talks(START, END, (5.0, 5.0)))
    assert dear.round <= cheap.round


def test_the_korean_calendar_from_the_tariff_model() -> None:
    a = pl.load_assumptions().with_values({"trade.as_of": "2025-11-13"})
    t = korea_talks(pl.load_pact("korea-final-2025-11"), a)
    assert t.start == START and t.rival_signs == dt.date(2025, 9, 4)
    assert t.monthly_cost[0] > 0                        # cars at 25% until the MOU
    assert t.threat_monthly[0] > 0 and t.initial[0] > 0  # the general rate's return costs Korea
    assert t.state(3)[0].tolist() == pytest.approx([0.0, a.negotiation.rival_precedent])


def test_talks_without_agents_or_for_another_investor_is_one_line(capsys) -> None:
    from tests.app.cli_runner import run_cli
    code, _, err = run_cli(capsys, "negotiate", "korea-final-2025-11", "--space", "korea",
                           "--talks")
    assert code == 2 and "--talks" in err and "--agents" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(capsys, "negotiate", "japan-mou-2025", "--issue",
                           "schedule.annual_cap=10,20", "--agents", "linear,linear", "--talks")
    assert code == 2 and "US–Korea" in err and len(err.strip().splitlines()) == 1
