"""The normative waterfall: golden cases computed by hand, and its identities."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactlab.engine.finance import npv
from pactlab.engine.waterfall import Review, Tier, distribute, investor_npv_irr, scheduled_daa

from ..strategies import any_flows, deal_flows, rate, share

ABS = 1e-9


@dataclass(frozen=True)
class Golden:
    name: str
    cash: tuple[float, ...]
    contributions: tuple[float, ...]
    tiers: tuple[Tier, ...]
    investor: tuple[float, ...]
    review: Review | None = None


GOLDEN = [
    Golden(  # the spine issue's case
        "two tiers, 0% hurdle",
        cash=(0.0,) + (30.0,) * 10, contributions=(100.0,) + (0.0,) * 10,
        tiers=(Tier(0.5, 0.0), Tier(0.1)),
        investor=(0.0,) + (15.0,) * 6 + (11.0,) + (3.0,) * 3),
    Golden(  # year 1: 100 from tier 1 (200 of cash), 10 from tier 2 (33.33), 0.1 x 6.67 from tier 3
        "three tiers",
        cash=(0.0, 240.0, 100.0), contributions=(100.0, 0.0, 0.0),
        tiers=(Tier(0.5, 0.0), Tier(0.3, 0.10), Tier(0.1)),
        investor=(0.0, 110.0 + 0.1 * (40.0 - 10.0 / 0.3), 10.0)),
    Golden(  # balance 100 x 1.08^2 = 116.64 paid mid-year; 300 - 233.28 = 66.72 at 20%
        "hurdle crossed mid-year at 8%",
        cash=(0.0, 0.0, 300.0), contributions=(100.0, 0.0, 0.0),
        tiers=(Tier(0.5, 0.08), Tier(0.2)),
        investor=(0.0, 0.0, 116.64 + 0.2 * 66.72)),
    Golden(  # negative years distribute nothing and claw nothing back
        "negative cash years",
        cash=(0.0, -20.0, 50.0, -5.0, 300.0), contributions=(100.0, 0.0, 0.0, 0.0, 0.0),
        tiers=(Tier(0.5, 0.0), Tier(0.1)),
        investor=(0.0, 0.0, 25.0, 0.0, 75.0 + 15.0)),
    Golden(  # B: 50; 105 -> 95; 104.5 -> 84.5; 92.95 met, then 10% of 14.1
        "contributions over several years at 10%",
        cash=(0.0, 20.0, 40.0, 200.0), contributions=(50.0, 50.0, 0.0, 0.0),
        tiers=(Tier(0.5, 0.10), Tier(0.1)),
        investor=(0.0, 10.0, 20.0, 92.95 + 1.41)),
    Golden(  # not recouped by year 2: tier-1 share 0.9 from then on, until the balance is paid
        "review clause",
        cash=(0.0, 20.0, 20.0, 100.0, 100.0), contributions=(100.0, 0.0, 0.0, 0.0, 0.0),
        tiers=(Tier(0.5, 0.0), Tier(0.1)), review=Review(2, 0.9),
        investor=(0.0, 10.0, 18.0, 72.0 + 0.1 * 20.0, 10.0)),
]


@pytest.mark.parametrize("case", GOLDEN, ids=lambda c: c.name)
def test_golden(case: Golden) -> None:
    cash = np.array([case.cash])
    inv, host = distribute(cash, np.array([case.contributions]), list(case.tiers), review=case.review)
    np.testing.assert_allclose(inv[0], case.investor, atol=ABS)
    np.testing.assert_allclose(host[0], np.maximum(case.cash, 0) - np.array(case.investor), atol=ABS)


def test_scheduled_daa_kang_example() -> None:
    """$10B at 5.5% over 20 years: DAA $1.05B in year 1 (Kang, OhmyNews 1 Oct 2025)."""
    daa = scheduled_daa(np.r_[10.0, np.zeros(30)], 0.055, 20)
    assert daa[0] == 0.0
    assert daa[1] == pytest.approx(1.05, abs=ABS)
    assert daa[20] == pytest.approx(0.055 * 0.5 + 0.5, abs=ABS)   # last year: 1/20 left
    assert daa[21:].sum() == 0.0
    assert daa.sum() == pytest.approx(10 + 0.055 * 10 * 10.5, abs=1e-9)  # principal + interest


def test_scheduled_daa_carries_shortfalls_forward_without_interest() -> None:
    """DAA 1.0 but the project earns 0.5: investor gets 0.25, 0.75 is carried forward."""
    contrib = np.r_[10.0, np.zeros(4)]
    daa = np.array([0.0, 1.0, 1.0, 1.0, 1.0])
    cash = np.array([0.0, 0.5, 0.0, 5.0, 0.0])
    inv, _ = distribute(cash, contrib, [Tier(0.5, 0.0), Tier(0.1)], accrual=daa)
    # year 3 owes 0.75 + 1.0 (year 2, nothing paid) + 1.0 = 2.75, met from 5.5 of cash... 5.0 in
    # hand: 2.75 needs 5.5 of cash, so the investor gets half of all 5.0.
    np.testing.assert_allclose(inv[0], [0.0, 0.25, 0.0, 2.5, 0.0], atol=ABS)
    cash[3] = 10.0  # now 2.75 is met with 5.5 of cash and 4.5 goes on at 10%
    inv, _ = distribute(cash, contrib, [Tier(0.5, 0.0), Tier(0.1)], accrual=daa)
    np.testing.assert_allclose(inv[0], [0.0, 0.25, 0.0, 2.75 + 0.45, 0.0], atol=ABS)


def test_floating_hurdle_by_path() -> None:
    """A hurdle array (paths, years) gives each path its own rate."""
    cash = np.array([[0.0, 0.0, 500.0]] * 2)
    contrib = np.array([100.0, 0.0, 0.0])
    rates = np.array([[0.0, 0.0, 0.0], [0.1, 0.1, 0.1]])
    inv, _ = distribute(cash, contrib, [Tier(0.5, rates), Tier(0.0)])
    np.testing.assert_allclose(inv[:, 2], [100.0, 121.0], atol=ABS)


def test_bad_tiers_are_rejected() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        distribute(np.ones((1, 3)), np.ones(3), [Tier(1.5, 0.0), Tier(0.1)])
    with pytest.raises(ValueError, match="last tier"):
        distribute(np.ones((1, 3)), np.ones(3), [Tier(0.5, 0.0), Tier(0.1, 0.2)])
    with pytest.raises(ValueError, match=">= 0"):
        distribute(np.ones((1, 3)), -np.ones(3), [Tier(0.5, 0.0), Tier(0.1)])


@settings(max_examples=200, deadline=None)
@given(any_flows(), share, share, rate)
def test_cash_is_conserved(flows, s1, s2, h) -> None:
    """investor + host = max(cash, 0) on every path and year; nobody gets a negative amount."""
    cash, contrib = flows
    inv, host = distribute(cash, contrib, [Tier(s1, h), Tier(s2)])
    np.testing.assert_allclose(inv + host, np.maximum(cash, 0.0), rtol=1e-12, atol=1e-9)
    assert (inv >= -1e-12).all() and (host >= -1e-9).all()


@settings(max_examples=200, deadline=None)
@given(deal_flows(), share, share, share, rate)
def test_more_last_tier_share_never_lowers_receipts(flows, s1, s2, bump, h) -> None:
    """With contributions before the cash, a larger last-tier share pays at least as much
    in every year (later contributions could re-open tier 1 for less: not this property)."""
    cash, contrib = flows
    low, _ = distribute(cash, contrib, [Tier(s1, h), Tier(s2 * (1 - bump))])
    high, _ = distribute(cash, contrib, [Tier(s1, h), Tier(s2)])
    assert (high >= low - 1e-9).all()


@settings(max_examples=200, deadline=None)
@given(deal_flows(), share, share, share, rate)
def test_more_first_tier_share_never_lowers_npv_at_the_hurdle(flows, s1, bump, s2, h) -> None:
    """A larger tier-1 share never lowers the investor's NPV at the tier-1 hurdle (its
    undiscounted total can fall: the hurdle is met sooner, with less interest owed)."""
    cash, contrib = flows
    lo, hi = s1 * (1 - bump), s1
    inv_lo, _ = distribute(cash, contrib, [Tier(lo, h), Tier(min(s2, lo))])
    inv_hi, _ = distribute(cash, contrib, [Tier(hi, h), Tier(min(s2, lo))])
    npv_lo, npv_hi = npv(h, inv_lo - contrib), npv(h, inv_hi - contrib)
    assert (npv_hi >= npv_lo - 1e-7 * (1 + np.abs(npv_lo))).all()


def _tier1_end(inv: np.ndarray, contrib: np.ndarray, h: float) -> np.ndarray:
    """Per path, the first year at whose end the tier-1 balance is paid (len: never)."""
    years = inv.shape[1]
    balance = np.zeros(inv.shape[0])
    end = np.full(inv.shape[0], years)
    for t in range(years):
        balance = balance * (1 + h) + contrib[:, t] - inv[:, t]
        done = (balance <= 1e-9) & (end == years) & (contrib[:, : t + 1].sum(axis=1) > 0)
        end[done] = t
    return end


@settings(max_examples=200, deadline=None)
@given(deal_flows(), share, share, rate, st.floats(0.001, 0.2))
def test_higher_hurdle_never_ends_tier_one_earlier(flows, s1, s2, h, extra) -> None:
    cash, contrib = flows
    s2 = min(s1, s2)
    inv_lo, _ = distribute(cash, contrib, [Tier(s1, h), Tier(s2)])
    inv_hi, _ = distribute(cash, contrib, [Tier(s1, h + extra), Tier(s2)])
    assert (_tier1_end(inv_hi, contrib, h + extra) >= _tier1_end(inv_lo, contrib, h)).all()


FUSED_CASES = {
    "two tiers, odd paths": dict(paths=1025, tiers=[Tier(0.5, 0.05), Tier(0.1)]),
    "one path": dict(paths=1, tiers=[Tier(0.5, 0.05), Tier(0.1)]),
    "three tiers": dict(paths=301, tiers=[Tier(0.5, 0.0), Tier(0.3, 0.08), Tier(0.1)]),
    "review clause": dict(paths=300, tiers=[Tier(0.5, 0.05), Tier(0.1)], review=Review(6, 0.9)),
    "scheduled DAA": dict(paths=300, tiers=[Tier(0.5, 0.0), Tier(0.1)], accrual=True),
    "floating hurdle": dict(paths=300, tiers=[Tier(0.5, "by path"), Tier(0.1)]),
}


@pytest.mark.parametrize("case", FUSED_CASES.values(), ids=FUSED_CASES.keys())
def test_fused_metrics_match_the_arrays(case) -> None:
    """The one-pass kernel (two paths at a time where it can) gives what the arrays give."""
    from pactlab.engine.finance import irr
    rng = np.random.default_rng(1)
    paths = case["paths"]
    cash = rng.gamma(2.0, 10.0, (paths, 30)) * (rng.random((paths, 30)) > 0.1)
    contrib = np.zeros((paths, 30))
    contrib[:, 0] = 100.0
    contrib[:, 1] = rng.uniform(0, 50, paths)
    tiers = [Tier(t.investor_share, rng.uniform(0.0, 0.08, (paths, 30))) if isinstance(t.hurdle_rate, str)
             else t for t in case["tiers"]]
    accrual = scheduled_daa(contrib, 0.05, 20) if case.get("accrual") else None
    kwargs = dict(accrual=accrual, review=case.get("review"))
    inv, _ = distribute(cash, contrib, tiers, **kwargs)
    npv_fused, irr_fused = investor_npv_irr(cash, contrib, tiers, 0.045, **kwargs)
    np.testing.assert_allclose(npv_fused, npv(0.045, inv - contrib), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(irr_fused, irr(inv - contrib), rtol=1e-10, atol=1e-12)
