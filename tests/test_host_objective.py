"""The host's objective, stated (issue 21): Grossman-Helpman weights on revenue and protected
output, a swap line's exposure, concave capped side issues and political costs; the welfare view
one --set away."""
from __future__ import annotations

import json

import numpy as np
import pytest

import pactlab as pl
from pactlab.model.gains import swap_draws_pv
from pactlab.model.plan import saturating

from .app.cli_runner import run_cli

FINAL = pl.load_pact("korea-final-2025-11")
CUT = {"tariffs.deal.general": 0.10, "tariffs.deal.sectors.cars": 0.10}
WELFARE = {"host_objective.view": "welfare"}


@pytest.fixture(scope="module")
def cut_gains() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The host's gain at 15% and at 10%, in each view, on the same futures."""
    out = {}
    for view, changes in (("stated", {}), ("welfare", WELFARE)):
        a = pl.load_assumptions().with_values(changes) if changes else pl.load_assumptions()
        evs = pl.evaluate_all([FINAL, FINAL.with_terms(CUT)], futures=pl.futures(300, 1, a))
        out[view] = (evs[0].gains, evs[1].gains)
    return out


def test_a_tariff_cut_costs_the_host_by_default_but_not_in_the_welfare_view(cut_gains) -> None:
    base, cut = cut_gains["stated"]
    stated = cut.total("host").mean() - base.total("host").mean()
    wbase, wcut = cut_gains["welfare"]
    welfare = wcut.total("host").mean() - wbase.total("host").mean()
    assert stated < -3.0                       # a 5pp cut is a cost of billions to the host
    assert abs(welfare) < 0.5 * abs(stated)    # welfare: buyers' saving offsets the revenue
    # the stated view is welfare plus the weights, component by component
    a = pl.load_assumptions().host_objective
    h = cut.host
    np.testing.assert_allclose(h["revenue weight"], a.revenue_weight * h["tariff revenue forgone"])
    np.testing.assert_allclose(h["protected output"],
                               -a.protected_weight * a.protected_share * h["consumer gains"])
    assert (wcut.host["revenue weight"] == 0).all() and (wcut.host["protected output"] == 0).all()
    np.testing.assert_allclose(wcut.total("host"),
                               cut.total("host") - h["revenue weight"] - h["protected output"])


def test_the_swap_line_exposure_is_zero_without_a_line_and_grows_with_it() -> None:
    stormy = pl.load_assumptions().with_values({"fx.sudden_stop_prob": 0.15})
    f = pl.futures(400, 2, stormy)
    sizes = (0.0, 20.0, 50.0, float("inf"))
    evs = pl.evaluate_all([FINAL.with_terms({"fx.swap_line": s}) for s in sizes], futures=f)
    exposure = [ev.gains.host["swap-line exposure"] for ev in evs]
    assert (exposure[0] == 0).all()
    precedent = stormy.host_objective.swap_precedent_cost
    means = [-e.mean() for e in exposure]
    assert means[1] >= precedent and means[1] <= means[2] <= means[3]
    assert means[3] > means[1]                 # a larger line is drawn more
    # the expected loss: loss given default x the present value of the draws, by hand
    deal = pl.model.simulation.simulate(FINAL.with_terms({"fx.swap_line": 50.0}), f)
    loss = stormy.host_objective.swap_loss_given_default * swap_draws_pv(
        deal.funding.swap, stormy.discount.host)
    np.testing.assert_allclose(-exposure[2], loss + precedent)


def test_swap_draws_by_hand() -> None:
    swap = np.array([[0.0, 10.0, 4.0, 8.0], [5.0, 5.0, 0.0, 0.0]])
    np.testing.assert_allclose(swap_draws_pv(swap, 0.1), [10 / 1.1 + 4 / 1.1**3, 5.0])


def test_no_precedent_for_a_standing_reserve_currency_line() -> None:
    ev = pl.evaluate("japan-mou-2025", paths=100, seed=1)          # swap_line = inf, Japan
    assert (ev.gains.host["swap-line exposure"] == 0).all()


def test_side_issues_are_concave_with_caps() -> None:
    cap = 40.0
    xs = np.array([0.0, 10.0, 20.0, 40.0, 80.0, 1000.0])
    ys = np.array([saturating(x, cap) for x in xs])
    steps = np.diff(ys) / np.diff(xs)
    assert (np.diff(steps) < 0).all()                  # the marginal value falls
    assert ys.max() <= cap and ys[-1] == pytest.approx(cap)
    assert saturating(1e-6, cap) == pytest.approx(1e-6, rel=1e-5)   # slope 1 at 0
    a = pl.load_assumptions().with_values({"trade.deal_withdrawal_prob": 0.0})
    f = pl.futures(100, 1, a)
    bare = {"tranches": [], "tariffs.deal": FINAL.tariffs.no_deal.model_dump(), "fx.swap_line": 0.0}
    host = []
    for energy in (25.0, 50.0, 100.0):
        p = FINAL.with_terms({**bare, "concessions": {"energy_purchases_per_year": energy,
                                                     "energy_purchase_years": 4,
                                                     "energy_price_premium": 0.05}})
        host.append(pl.evaluate(p, futures=f).gains.host["side concessions"].mean())
    assert host[1] - host[0] > (host[2] - host[1]) / 2 > 0       # per $25B: falling returns
    v = a.valuation
    d = (1 + a.discount.host) ** -np.arange(4)
    bound = (v.energy_cap * (0.05 / 1.05 + v.host_energy_value) * d).sum()
    assert host[2] < bound


def test_farm_access_has_a_political_cost_convex_against_the_red_line() -> None:
    a = pl.load_assumptions().with_values({"trade.deal_withdrawal_prob": 0.0})
    f = pl.futures(50, 1, a)
    bare = {"tranches": [], "tariffs.deal": FINAL.tariffs.no_deal.model_dump(), "fx.swap_line": 0.0}
    costs = []
    for access in (1.0, 2.0, 4.0):
        p = FINAL.with_terms({**bare, "concessions": {"farm_access_per_year": access}})
        costs.append(-pl.evaluate(p, futures=f).gains.investor["political cost"].mean())
    n, v = a.negotiation, a.valuation
    years = (1 + a.investor_rate("KOR")) ** -np.arange(a.horizon_years)
    expected = n.investor_political_cost * 4.0 * (1 + 4.0 / v.farm_red_line) * years.sum()
    assert costs[2] == pytest.approx(expected)
    assert costs[1] > 2 * costs[0] and costs[2] > 2 * costs[1]     # convex


def test_every_output_says_which_view(capsys) -> None:
    code, out, _ = run_cli(capsys, "compare", "korea-final-2025-11", "--paths", "50", "--json",
                           "--no-robust", "--set", "host_objective.view=welfare")
    manifests = json.loads(out)["manifests"]
    assert code == 0 and all(m["host_objective"] == "welfare" for m in manifests)
    code, out, _ = run_cli(capsys, "compare", "korea-final-2025-11", "--paths", "50", "--no-robust")
    assert code == 0 and "host gain: stated objective (Grossman-Helpman)" in " ".join(out.split())
    assert pl.evaluate(FINAL, paths=20).manifest()["host_objective"] == "stated"


def test_a_bad_view_is_one_line(capsys) -> None:
    code, out, err = run_cli(capsys, "evaluate", "korea-final-2025-11", "--paths", "20",
                             "--set", "host_objective.view=lobby")
    assert code == 2 and "host_objective.view" in err and len(err.strip().splitlines()) == 1


def test_the_farm_cap_and_red_line_scale_with_the_investors_economy() -> None:
    """Korea's farm cap and red line, scaled by GDP for another investor: Japan's $8B a year
    of farm purchases sit less far past its own red line than past Korea's."""
    from pactlab.model.plan import host_terms, market_scale
    a = pl.load_assumptions()
    japan, korea = pl.load_pact("japan-mou-2025"), pl.load_pact("korea-final-2025-11")
    assert market_scale(korea, a) == 1.0
    scale = market_scale(japan, a)
    assert scale == pytest.approx(a.country("JPN").gdp / a.country("KOR").gdp)
    access = japan.concessions.farm_access_per_year
    cost = host_terms(japan, a).investor_political[0]
    n, v = a.negotiation, a.valuation
    assert cost == pytest.approx(n.investor_political_cost * access
                                 * (1 + access / (v.farm_red_line * scale)))
