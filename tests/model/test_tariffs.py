"""The tariff model: the published GSIM example, a hand-computed SMART case, identities, data."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import pactlab as pl
from pactlab.analysis.what_if import what_if
from pactlab.engine.trade import simulate_tariffs, supply_elasticity_for_share
from pactlab.model.tariffs import no_deal_cost, rate_table, trade_data

A = pl.load_assumptions()
REGIONS = ["US", "JP", "EU", "RW"]


def gsim_example() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Francois & Hall's 4-region example, as in the shared research (a public R replication)."""
    d = pd.read_csv(Path(__file__).parents[1] / "data" / "gsim_4x4_test_case_inputs.csv", comment="#")
    pivot = lambda item: d[d["item"] == item].pivot(index="exporter", columns="importer",
                                                    values="value").loc[REGIONS, REGIONS]
    return pivot("trade_flow"), pivot("tariff_power_initial") - 1.0


def test_reproduces_the_published_gsim_example() -> None:
    """A US-EU free-trade agreement: world prices US +0.0792, JP -0.0316, EU +0.0480, RW -0.0184."""
    flows, before = gsim_example()
    after = before.copy()
    after.loc["US", "EU"] = after.loc["EU", "US"] = 0.0
    r = simulate_tariffs(flows, before, after, import_elasticity=-1.25, substitution_elasticity=5.0,
                         supply_elasticity=1.5, method="linear")
    published = pd.Series({"US": 0.0792, "JP": -0.0316, "EU": 0.0480, "RW": -0.0184})
    np.testing.assert_array_equal(r.world_price_change.round(4).to_numpy(), published.to_numpy())
    # the partners gain exports to each other; the outsiders lose
    assert r.change.loc["US", "EU"] > 0 and r.change.loc["EU", "US"] > 0
    assert r.change.loc["JP", "US"] < 0 and r.change.loc["RW", "EU"] < 0
    np.testing.assert_allclose(r.welfare["net"], r.welfare[["producer_surplus", "consumer_surplus",
                                                           "tariff_revenue"]].sum(axis=1))


def test_smart_two_suppliers_by_hand() -> None:
    """One importer, A (100) and B (50) duty-free; A's tariff to 10%; E_m -1, E_s 2, E_x inf.

    theta = (2/3, 1/3); composite term = 2/3 x (E_m + E_s) x 0.1 = 0.0667; A: 0.0667 - 2 x 0.1,
    B: +0.0667; P_v = 0.0667; CS = -150 x 0.0667 x (1 - 0.0333); TR = 86.67 x 0.1.
    """
    f = pd.DataFrame({"V": [100.0, 50.0]}, index=["A", "B"])
    t0 = pd.DataFrame({"V": [0.0, 0.0]}, index=f.index)
    t1 = pd.DataFrame({"V": [0.1, 0.0]}, index=f.index)
    r = simulate_tariffs(f, t0, t1, import_elasticity=-1.0, substitution_elasticity=2.0,
                         supply_elasticity=math.inf, method="linear")
    np.testing.assert_allclose(r.world_price_change, [0.0, 0.0])
    np.testing.assert_allclose(r.flows_after["V"], [100 * (1 - 0.4 / 3), 50 * (1 + 0.2 / 3)])
    np.testing.assert_allclose(r.creation["V"], [-20 / 3, -10 / 3])
    np.testing.assert_allclose(r.diversion["V"], [-20 / 3, 20 / 3])
    assert r.internal_price_change["V"] == pytest.approx(0.2 / 3)
    w = r.welfare
    assert w.loc["V", "consumer_surplus"] == pytest.approx(-150 * (0.2 / 3) * (1 - 0.1 / 3))
    assert w.loc["V", "tariff_revenue"] == pytest.approx(100 * (1 - 0.4 / 3) * 0.1)
    assert w.loc["A", "producer_surplus"] == 0.0
    assert w.loc["V", "net"] == pytest.approx(-150 * 0.2 / 3 * (1 - 0.1 / 3) + 260 / 30)
    assert r.exporter_share.loc["A", "V"] == 0.0 and np.isnan(r.exporter_share.loc["B", "V"])


def test_smart_two_suppliers_exactly_by_hand() -> None:
    """The same case solved exactly: P = (2/3 x 1.1^-1 + 1/3)^-1 = 1.064516; A's quantity
    1.1^-2 x P, B's P (E_s + E_m = 1); consumer surplus -150 ln P (E_m = -1)."""
    f = pd.DataFrame({"V": [100.0, 50.0]}, index=["A", "B"])
    t0 = pd.DataFrame({"V": [0.0, 0.0]}, index=f.index)
    t1 = pd.DataFrame({"V": [0.1, 0.0]}, index=f.index)
    r = simulate_tariffs(f, t0, t1, import_elasticity=-1.0, substitution_elasticity=2.0,
                         supply_elasticity=math.inf)
    price = 1.0 / (2 / 3 / 1.1 + 1 / 3)
    np.testing.assert_allclose(r.flows_after["V"], [100 * price / 1.21, 50 * price], rtol=1e-12)
    assert r.internal_price_change["V"] == pytest.approx(price - 1, rel=1e-12)
    assert r.welfare.loc["V", "consumer_surplus"] == pytest.approx(-150 * math.log(price), rel=1e-12)


def test_exact_and_linear_agree_for_small_changes_and_part_for_large_ones() -> None:
    flows, before = gsim_example()
    for gap, tolerance in ((0.001, 1e-3), (0.01, 1e-2)):
        after = before + gap
        after.loc["US", "US"] = before.loc["US", "US"]
        kw = dict(import_elasticity=-1.25, substitution_elasticity=5.0, supply_elasticity=1.5)
        exact = simulate_tariffs(flows, before, after, **kw)
        linear = simulate_tariffs(flows, before, after, method="linear", **kw)
        change_e, change_l = exact.change.to_numpy(), linear.change.to_numpy()
        scale = np.abs(change_l).max()
        assert np.abs(change_e - change_l).max() <= tolerance * scale
    # one supplier, an elasticity of 8.1 and a 20-point gap: the linear update overstates the drop
    f = pd.DataFrame({"US": [50.0, 950.0]}, index=["KR", "RW"])
    t0 = pd.DataFrame({"US": [0.0, 0.0]}, index=f.index)
    t1 = pd.DataFrame({"US": [0.2, 0.0]}, index=f.index)
    kw = dict(import_elasticity=0.0, substitution_elasticity=8.1, supply_elasticity=math.inf)
    lin = simulate_tariffs(f, t0, t1, method="linear", **kw).change.loc["KR", "US"] / 50
    exact = simulate_tariffs(f, t0, t1, **kw).change.loc["KR", "US"] / 50
    assert lin < exact < 0 and exact == pytest.approx(1.2 ** -8.1 - 1, abs=0.05)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (4, 1), elements=st.floats(1, 100)), st.floats(0, 2), st.floats(0, 2),
       st.floats(0.5, 12), st.floats(0.2, 20))
def test_flows_stay_positive_and_fall_with_the_own_tariff(m, t_a, t_b, sigma, supply) -> None:
    f = pd.DataFrame(m, index=list("ABCD"), columns=["V"])
    zero = pd.DataFrame(np.zeros((4, 1)), index=f.index, columns=["V"])
    low, high = sorted((t_a, t_b))
    kw = dict(import_elasticity=-1.25, substitution_elasticity=sigma, supply_elasticity=supply)
    results = []
    for t in (low, high):
        after = zero.copy()
        after.loc["A", "V"] = t
        r = simulate_tariffs(f, zero, after, **kw)
        assert (r.flows_after.to_numpy() >= 0).all()
        results.append(r.flows_after.loc["A", "V"])
    assert results[1] <= results[0] * (1 + 1e-9)


def test_no_change_no_effect() -> None:
    flows, before = gsim_example()
    r = simulate_tariffs(flows, before, before, import_elasticity=-1.25, substitution_elasticity=5.0,
                         supply_elasticity=1.5)
    assert (r.world_price_change == 0).all() and (r.change.abs().to_numpy() < 1e-12).all()
    assert (r.welfare.abs().to_numpy() < 1e-12).all()


markets = st.tuples(
    arrays(np.float64, 4, elements=st.floats(1.0, 500.0)),
    arrays(np.float64, 4, elements=st.floats(0.0, 0.5)),
    st.floats(-4.0, -0.1), st.floats(0.0, 10.0), st.floats(0.2, 20.0))


def _market(m0, t0):
    idx = ["a", "b", "c", "d"]
    return (pd.DataFrame({"US": m0}, index=idx), pd.DataFrame({"US": t0}, index=idx))


@settings(max_examples=150, deadline=None)
@given(markets, st.floats(0.0, 0.5))
def test_the_same_change_for_every_supplier_diverts_nothing(market, rise) -> None:
    m0, t0, e_m, e_s, e_x = market
    f, before = _market(m0, np.full(4, t0[0]))
    after = before + rise
    r = simulate_tariffs(f, before, after, import_elasticity=e_m, substitution_elasticity=e_s,
                         supply_elasticity=e_x)
    np.testing.assert_allclose(r.diversion["US"], 0.0, atol=1e-9 * m0.sum())


@settings(max_examples=150, deadline=None)
@given(markets, arrays(np.float64, 4, elements=st.floats(0.0, 0.5)))
def test_diversion_sums_to_zero(market, t1) -> None:
    m0, t0, e_m, e_s, e_x = market
    f, before = _market(m0, t0)
    r = simulate_tariffs(f, before, _market(m0, t1)[1], import_elasticity=e_m,
                         substitution_elasticity=e_s, supply_elasticity=e_x)
    assert abs(r.diversion["US"].sum()) <= 1e-9 * m0.sum()


@settings(max_examples=150, deadline=None)
@given(markets, st.integers(0, 3), st.floats(0.001, 0.5))
def test_raising_a_suppliers_tariff_never_raises_its_exports(market, who, rise) -> None:
    m0, t0, e_m, e_s, e_x = market
    f, before = _market(m0, t0)
    after = before.copy()
    after.iloc[who, 0] += rise
    r = simulate_tariffs(f, before, after, import_elasticity=e_m, substitution_elasticity=e_s,
                         supply_elasticity=e_x)
    assert r.flows_after.iloc[who, 0] <= r.flows_before.iloc[who, 0] + 1e-9


@settings(max_examples=100, deadline=None)
@given(markets, arrays(np.float64, 4, elements=st.floats(0.0, 0.5)))
def test_infinite_supply_keeps_the_exporters_price(market, t1) -> None:
    m0, t0, e_m, e_s, _ = market
    f, before = _market(m0, t0)
    r = simulate_tariffs(f, before, _market(m0, t1)[1], import_elasticity=e_m,
                         substitution_elasticity=e_s, supply_elasticity=math.inf)
    assert (r.world_price_change == 0).all()


def test_supply_calibration_hits_the_exporter_share() -> None:
    """One supplier's tariff rises: it bears the share its supply elasticity was set for."""
    f = pd.DataFrame({"US": [40.0, 160.0]}, index=["KR", "ROW"])
    t0 = pd.DataFrame({"US": [0.0, 0.0]}, index=f.index)
    t1 = pd.DataFrame({"US": [0.01, 0.0]}, index=f.index)
    theta, e_m, e_s = 0.2, -1.25, 5.6
    own = theta * e_m - (1 - theta) * e_s
    e_x = pd.Series({"KR": supply_elasticity_for_share(0.5, own), "ROW": math.inf})
    r = simulate_tariffs(f, t0, t1, import_elasticity=e_m, substitution_elasticity=e_s, supply_elasticity=e_x)
    assert r.exporter_share.loc["KR", "US"] == pytest.approx(0.5, abs=0.01)


def test_bad_inputs_are_refused() -> None:
    f, t0 = _market(np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match="import_elasticity"):
        simulate_tariffs(f, t0, t0, import_elasticity=1.0, substitution_elasticity=1, supply_elasticity=1)
    with pytest.raises(ValueError, match="same exporters"):
        simulate_tariffs(f, t0.iloc[:2], t0, import_elasticity=-1, substitution_elasticity=1,
                         supply_elasticity=1)
    with pytest.raises(ValueError, match="no value for"):
        simulate_tariffs(f, t0, t0, import_elasticity=-1, substitution_elasticity=1,
                         supply_elasticity=pd.Series({"a": 1.0}))


def test_schedule_knows_the_deal_dates() -> None:
    import datetime as dt
    today = A.trade.as_of
    before = rate_table(dt.date(2025, 9, 1), as_of=today)
    after = rate_table(dt.date(2025, 10, 1), as_of=today)
    assert before.loc["cars", "japan"] == pytest.approx(0.275)     # 2.5% MFN + 25% s232
    assert after.loc["cars", "japan"] == pytest.approx(0.15)       # from 16 Sep 2025
    assert after.loc["cars", "korea"] == pytest.approx(0.25)       # Korea's cut came 1 Nov
    assert after.loc["steel_aluminium"].eq(0.5).all()
    ruling = rate_table(dt.date(2026, 3, 1), as_of=today)
    computers = trade_data().line_shares[("korea", "machinery", "computers")]
    assert ruling.loc["machinery", "korea"] == pytest.approx(0.10 * (1 - computers))  # KORUS 0 + s122 10%
    assert ruling.loc["cars", "korea"] == pytest.approx(0.15)       # s232 stands
    # the forced-labour s301 from 24 Jul 2026: max(KORUS, 12.5%), computers on its exempt list
    later = rate_table(dt.date(2026, 9, 1), as_of=today)
    assert later.loc["machinery", "korea"] == pytest.approx(0.125 * (1 - computers))


def test_real_data_korea_25_japan_15() -> None:
    """Korea 15% -> 25% with Japan at 15%: Korea loses, by sector; vehicles lose most when
    Korean carmakers bear the same share of a tariff as other exporters."""
    import datetime as dt
    deal_world = dt.date(2026, 1, 1)                # both at 15% before the IEEPA ruling
    table = what_if({"korea": 0.25, "japan": 0.15}, A, day=deal_world, draws=200).by_sector
    loss = -table["investor_export_change"]
    raised = table.index[(table["investor_rate_after"] > table["investor_rate_before"])]
    assert (loss[raised] > 0).all() and loss["total"] > 0
    assert loss["steel_aluminium"] == 0.0                             # 50% before and after
    assert table.loc["total", "rival_export_change"] > 0              # Japan gains
    even = what_if({"korea": 0.25, "japan": 0.15}, A.with_values({"trade.exporter_share_autos": 0.18}),
                   day=deal_world, draws=200).by_sector
    by_group = -even["investor_export_change"].drop("total")
    vehicles = by_group["cars"] + by_group["auto_parts"]
    assert vehicles > by_group.drop(["cars", "auto_parts"]).max()
    # carmakers that absorb half the tariff lose less export value
    assert loss["cars"] < by_group["cars"]


def test_no_deal_cost_of_the_korean_deal() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    cost = no_deal_cost(pact, A, years=10)
    assert cost.by_year.loc[2026, "investor_export_loss"] > 0
    assert cost.present_value["investor_value_added_relief"] > 0
    assert (np.diff(cost.by_year["survival"]) < 0).all()
    # known at signing (before the IEEPA ruling) the general 15%-vs-25% relief counts too; today
    # only the Section 232 part survives (cars, parts, patented drugs)
    import datetime as dt
    signing = no_deal_cost(pact, A, years=10, as_of=dt.date(2025, 11, 14))
    assert 0 < cost.present_value["investor_value_added_relief"] < signing.present_value["investor_value_added_relief"]


def test_the_elasticity_rises_from_the_short_run_to_the_long_run() -> None:
    from pactlab.model.tariffs import horizon_factor, substitution
    t = A.trade
    path = [horizon_factor(A, h) for h in range(1, 12)]
    assert path[0] == pytest.approx(t.short_run_share) and path[t.years_to_long_run - 1] == 1.0
    assert all(b >= a for a, b in zip(path, path[1:], strict=False)) and path[-1] == 1.0
    assert substitution("machinery", A) == pytest.approx(8.1 * t.substitution_scale)
    assert substitution("machinery", A, horizon=1) == pytest.approx(8.1 * t.substitution_scale * 0.38)
    first = what_if({"korea": 0.25}, A, draws=100)
    assert 0 < -first.first_year.loc["total", "investor_export_change"] < -first.by_sector.loc[
        "total", "investor_export_change"]


def test_every_ranged_parameter_moves_the_result() -> None:
    base = -what_if({"korea": 0.25}, A, draws=50).by_sector.loc["total", "investor_export_change"]
    for key, value in (("trade.substitution_scale", 0.9), ("trade.exporter_share", 0.3),
                       ("trade.short_run_share", 0.9)):
        moved = what_if({"korea": 0.25}, A.with_values({key: value}), draws=50)
        table = moved.first_year if key == "trade.short_run_share" else moved.by_sector
        reference = what_if({"korea": 0.25}, A, draws=50)
        ref = (reference.first_year if key == "trade.short_run_share" else reference.by_sector)
        assert table.loc["total", "investor_export_change"] != ref.loc["total", "investor_export_change"], key
    ranges = what_if({"korea": 0.25}, A, draws=400).ranges
    kor = ranges["exports_lost"]["KOR"]["long_run"]
    assert kor["p5"] < kor["p50"] < kor["p95"] and kor["p50"] == pytest.approx(base, rel=0.25)
    va = ranges["value_added_lost"]["KOR"]["long_run"]
    assert 0 < va["p5"] < va["p50"] < va["p95"] < kor["p95"]
    assert set(ranges["exports_lost"]) == {"KOR", "JPN", "EU27", "CHN", "MEX", "CAN", "TWN", "VNM",
                                           "CHE", "ROW"}


def test_tariff_relief_has_a_distribution_on_the_paths() -> None:
    ev = pl.evaluate("korea-final-2025-11", paths=2000, seed=3,
                     assumptions=A.with_values({"trade.deal_withdrawal_prob": 0.0}))
    relief = ev.gains.investor["tariff relief"]
    assert relief.std() > 0.05 * relief.mean() > 0      # from the parameters alone, not withdrawal
    cost = no_deal_cost(pl.load_pact("korea-final-2025-11"), A)
    assert (cost.fade[:A.trade.adjustment_years] > 0).all() and cost.fade[A.trade.adjustment_years] == 0
    by = cost.by_year
    late = by.index[-1]     # each year's new loss fades by its own age: all gone by the end
    assert by.loc[late, "investor_value_added_loss"] == pytest.approx(by.loc[late, "investor_producer_surplus_loss"])
    assert (by["investor_value_added_loss"] <= by["investor_value_added_at_risk"] + 1e-9).all()


def test_the_april_2025_exemptions_lower_the_reciprocal_rate_on_their_lines() -> None:
    import datetime as dt

    from pactlab.model.tariffs import lines_on, sector_rates
    day = dt.date(2025, 6, 1)                       # the 10% baseline, before Korea's deal
    lines = lines_on("korea", day, as_of=A.trade.as_of)
    assert lines["general"] == pytest.approx(0.10)
    for line in ("pharmaceuticals", "semiconductors", "phones", "computers", "energy"):
        assert lines[line] == 0.0, line
    shares = trade_data().line_shares
    rates = sector_rates("korea", lines)
    exempt = shares[("korea", "electronics", "semiconductors")] + shares[("korea", "electronics", "phones")]
    assert rates["electronics"] == pytest.approx(0.10 * (1 - exempt))
    assert rates["chemicals_pharmaceuticals"] == pytest.approx(
        0.10 * (1 - shares[("korea", "chemicals_pharmaceuticals", "pharmaceuticals")]))
    assert lines_on("china", day, as_of=A.trade.as_of)["phones"] == pytest.approx(0.20)   # fentanyl
    assert set(shares.index.get_level_values("line")) == {"pharmaceuticals", "semiconductors", "phones",
                                                         "computers", "aluminium", "energy"}


def test_the_package_keeps_every_name_it_had_and_one_partner_code_map() -> None:
    import importlib

    from pactlab.inputs.data import trade as data_trade
    from pactlab.model import tariffs as tm
    for name in tm.__all__:                         # every re-export resolves
        assert getattr(tm, name) is not None, name
    for module in ("schedule", "params", "solve", "no_deal", "surface"):
        sub = importlib.import_module(f"pactlab.model.tariffs.{module}")
        assert set(sub.__all__) <= set(tm.__all__), module
    assert tm.CODES is data_trade.CODES and tm.PARTNERS is data_trade.PARTNERS
    assert tm.BY_CODE == {tm.CODES[p]: p for p in tm.RIVAL}     # derived, not a second map
    assert set(tm.CODES) == set(tm.PARTNERS)
    assert tm.trade_data is data_trade.trade_data
