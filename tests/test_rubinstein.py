"""Rubinstein agents: the formula's split on a unit pie, per-side discount factors, and a
discount factor of 1 (or outside (0, 1)) refused in one line."""
from __future__ import annotations

import numpy as np
import pytest

from pactlab.analysis.negotiate import Agent, alternating_offers, rubinstein_share
from pactlab.analysis.negotiate.agents import rubinstein_proposals
from pactlab.analysis.negotiate.redlines import DEFAULT_DISCOUNT, discounts
from pactlab.core.errors import PactError
from tests.app.cli_runner import run_cli

GRID = 1e-3


def pie(step: float = GRID) -> np.ndarray:
    share = np.arange(step, 1.0 - step / 2, step)          # both sides better than no deal
    return np.column_stack([share, 1.0 - share])


@pytest.mark.parametrize("delta", [0.5, 0.8, 0.9])
@pytest.mark.parametrize("first", [0, 1])
def test_two_rubinstein_agents_split_the_pie_by_the_formula(delta: float, first: int) -> None:
    u = pie()
    out = alternating_offers(u, (Agent("rubinstein", delta), Agent("rubinstein", delta)), 30,
                             first=first)
    assert out.ended == "agreement" and out.round == 1
    proposer, responder = u[out.agreement, first], u[out.agreement, 1 - first]
    assert proposer == pytest.approx(1 / (1 + delta), abs=GRID)
    assert responder == pytest.approx(delta / (1 + delta), abs=GRID)


@pytest.mark.parametrize("d_inv,d_host", [(0.9, 0.8), (0.95, 0.5), (0.6, 0.9)])
def test_unequal_discount_factors_give_the_general_formula(d_inv: float, d_host: float) -> None:
    u = pie()
    out = alternating_offers(u, (Agent("rubinstein", d_inv), Agent("rubinstein", d_host)), 30)
    assert u[out.agreement, 0] == pytest.approx(rubinstein_share(d_inv, d_host), abs=GRID)
    assert rubinstein_share(d_inv, d_host) == pytest.approx((1 - d_host) / (1 - d_inv * d_host))


def test_on_a_curved_frontier_each_responder_is_indifferent() -> None:
    a = np.arange(GRID, 1.0, GRID)
    u = np.column_stack([a, 1.0 - a ** 2])                # concave: not the formula's shares
    x, y = rubinstein_proposals(u, 0.9, 0.8)
    assert u[x, 1] == pytest.approx(0.8 * u[y, 1], abs=3 * GRID)   # host: accept x or wait for y
    assert u[y, 0] == pytest.approx(0.9 * u[x, 0], abs=3 * GRID)   # investor: the same for y
    out = alternating_offers(u, (Agent("rubinstein", 0.9), Agent("rubinstein", 0.8)), 30)
    assert out.agreement == x and out.round == 1


@pytest.mark.parametrize("delta", [1.0, 1.5])
def test_a_rubinstein_agent_refuses_a_discount_factor_of_one_or_more(delta: float) -> None:
    with pytest.raises(PactError, match="--discount"):
        Agent("rubinstein", delta)


def test_discount_factors_per_side_default_below_one() -> None:
    assert DEFAULT_DISCOUNT < 1
    assert discounts(None, None, None) == (DEFAULT_DISCOUNT, DEFAULT_DISCOUNT)
    assert discounts(0.8, None, None) == (0.8, 0.8)
    assert discounts(0.8, 0.7, None) == (0.7, 0.8)
    assert discounts(None, 0.95, 0.5) == (0.95, 0.5)


@pytest.mark.parametrize("flags,needle", [
    (("--discount", "1"), "--discount:"), (("--discount", "0"), "--discount:"),
    (("--discount", "1.5"), "--discount:"), (("--discount-host", "1"), "--discount-host:"),
    (("--discount-investor", "-0.1"), "--discount-investor:"),
])
def test_a_discount_factor_outside_zero_one_is_one_line_exit_2(capsys, flags, needle) -> None:
    code, out, err = run_cli(capsys, "negotiate", "korea-final-2025-11", "--space", "korea",
                             "--sample", "lhs", "--n", "4", "--paths", "10",
                             "--agents", "rubinstein,linear", *flags)
    assert code == 2 and out == ""
    assert needle in err and "(0, 1)" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
