"""Evaluation and comparison: the numbers users read, and how they respond to the terms."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pactlab as pl
from pactlab.engine.finance import npv
from pactlab.engine.rng import BLOCK
from pactlab.model.simulation import simulate
from pactlab.present.payloads import comparison_payload, evaluation_payload

PRESETS = pl.preset_names()


@pytest.fixture(scope="module")
def final() -> pl.Evaluation:
    return pl.evaluate("korea-final-2025-11", paths=2000, seed=7)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_evaluates(name: str) -> None:
    ev = pl.evaluate(name, paths=300, seed=1)
    inv = ev.metrics["investor"]
    assert inv["commitment"] == pl.load_pact(name).commitment
    assert inv["npv_p5"] <= inv["npv_p50"] <= inv["npv_p95"]
    assert inv["cvar"] <= inv["npv_p5"]
    assert 0 <= inv["p_recoup"] <= 1
    if inv["commitment"] == 0:      # a tariff-for-private-pledge deal: no public money moves
        assert inv["npv_mean"] == 0 and inv["irr_p50"] is None and ev.metrics["host"]["capex"] == 0
        return
    assert inv["irr_p5"] <= inv["irr_p50"] <= inv["irr_p95"]
    assert ev.metrics["host"]["capex"] > 0


def test_an_undelivered_private_pledge_snaps_the_tariff_back() -> None:
    """The EU's $600B is a private pledge: on the paths where it is not delivered by its date,
    the refusal tariff (35%, above the no-deal 30%) applies from the next year; delivered on all
    paths, nothing snaps back; never delivered, every path does and the relief falls."""
    name, paths = "eu-joint-statement-2025-08", 2_000
    base = pl.evaluate(name, paths=paths, seed=3)
    always = pl.evaluate(name, paths=paths, seed=3,
                         assumptions=pl.load_assumptions(overrides={"trade.pledge_delivery_prob": 1.0}))
    never = pl.evaluate(name, paths=paths, seed=3,
                        assumptions=pl.load_assumptions(overrides={"trade.pledge_delivery_prob": 0.0}))
    snap = base.outcomes.paths["snap_year"]
    pledge_year = 2028 - 2025 + 1
    assert set(np.unique(snap)) == {pledge_year, base.plan.years}
    assert base.metrics["investor"]["p_snapback"] == pytest.approx(0.5, abs=0.03)
    assert always.metrics["investor"]["p_snapback"] == 0.0
    assert never.metrics["investor"]["p_snapback"] == 1.0
    relief = lambda ev: ev.metrics["gain"]["investor:tariff relief"]
    assert relief(never) < relief(base) < relief(always)
    # path by path: the same futures, so a snapped path never keeps more relief than delivered
    snapped = snap < base.plan.years
    kept = base.gains.investor["tariff relief"]
    delivered = always.gains.investor["tariff relief"]
    assert (kept[snapped] <= delivered[snapped]).all()
    assert (kept[snapped] < delivered[snapped]).mean() > 0.5   # equal where the deal fell first
    np.testing.assert_array_equal(kept[~snapped], always.gains.investor["tariff relief"][~snapped])
    # no public money: no investment component, no FX stress
    assert not base.gains.investor["investment NPV"].any() and not base.gains.investor["FX stress"].any()


def test_a_pact_with_an_mou_needs_a_waterfall() -> None:
    raw = pl.load_pact("japan-mou-2025").model_dump(exclude_none=True)
    del raw["waterfall"]
    with pytest.raises(pl.PactError, match=r"waterfall: an MOU tranche needs a \[waterfall\]"):
        pl.inputs.terms.validate_pact(raw, "japan.toml")
    eu = pl.load_pact("eu-joint-statement-2025-08").model_dump(exclude_none=True)
    eu["pledge"]["by"] = eu["schedule"]["start"]
    with pytest.raises(pl.PactError, match=r"pledge\.by: must be after schedule\.start"):
        pl.inputs.terms.validate_pact(eu, "eu.toml")


def test_summary_is_metrics_by_party(final) -> None:
    table = final.summary()
    assert list(table.columns) == ["investor", "host"]
    assert table.loc["commitment", "investor"] == 350.0
    assert table.loc["IRR P50", "investor"] == final.metrics["investor"]["irr_p50"]
    assert np.isnan(table.loc["IRR P50", "host"])


def test_metrics_are_computed_from_the_flows(final) -> None:
    deal = simulate(pl.load_pact("korea-final-2025-11"), pl.futures(2000, 7))
    rate = final.assumptions.investor_rate("KOR")
    assert final.metrics["investor"]["npv_mean"] == pytest.approx(npv(rate, deal.investor_total).mean())
    host = npv(final.assumptions.discount.host, deal.host_total)
    assert final.metrics["host"]["npv_mean"] == pytest.approx(host.mean())
    assert final.metrics["investor"]["cash_called"] == pytest.approx(deal.calls.sum(axis=1).mean())
    assert final.metrics["investor"]["peak_call"] == pytest.approx(np.median(deal.calls.max(axis=1)))
    h = final.plan.gain_inputs.fx_horizon
    p_crisis = 1 - np.prod(1 - deal.funding.hazard[:, :h], axis=1)
    assert final.metrics["fx"]["p_crisis"] == pytest.approx(p_crisis.mean())
    table = final.reserves_table()
    np.testing.assert_allclose(table["reserves_p50"], np.percentile(deal.funding.reserves[:, :h], 50, axis=0),
                               rtol=1e-6)
    np.testing.assert_allclose(table["calls_mean"], deal.calls[:, :h].mean(axis=0), rtol=1e-12)


def test_capex_by_sector_adds_up(final) -> None:
    assert final.capex_by_sector().sum() == pytest.approx(final.metrics["host"]["capex"])
    assert set(final.projects()["tranche"]) == {"mou-spv-cash", "masga"}


@pytest.mark.slow
def test_compare_is_evaluate_side_by_side() -> None:
    table = pl.compare(["korea-final-2025-11", "korea-us-demand-2025-09"], paths=300, seed=2,
                       detail=True)
    assert list(table.columns) == ["korea-final-2025-11", "korea-us-demand-2025-09"]
    alone = pl.evaluate("korea-us-demand-2025-09", paths=300, seed=2)
    assert table.loc["investor: NPV at cost of funds, mean", "korea-us-demand-2025-09"] == \
        alone.metrics["investor"]["npv_mean"]
    assert isinstance(table, pd.DataFrame)


def test_the_headline_rows_read_top_to_bottom() -> None:
    """Who gains and how likely each ends behind first, then the crisis risk, then the money."""
    table = pl.compare(["korea-final-2025-11"], paths=200, seed=2)
    rows = list(table.index)
    assert rows[:6] == ["investor gain vs no deal, mean", "investor: P(gain < 0)",
                        "host gain vs no deal, mean", "host: P(gain < 0)",
                        "individually rational for both (mean gains >= 0)",
                        "fx: P(reserve crisis within the FX horizon)"]
    for before, after in [("investor: commitment", "fx: commitment / reserves"),
                          ("investor: IRR P50", "investor: P(recoup within horizon)"),
                          ("investor: tariff relief", "fx: minimum ARA ratio P50")]:
        assert rows.index(before) < rows.index(after)


def test_the_cap_slows_the_calls() -> None:
    fast = pl.evaluate(pl.load_pact("korea-final-2025-11").with_terms({"schedule.annual_cap": 200}),
                       paths=300, seed=3)
    slow = pl.evaluate("korea-final-2025-11", paths=300, seed=3)
    assert fast.metrics["investor"]["peak_call"] > slow.metrics["investor"]["peak_call"] == 20.0


@pytest.mark.slow
def test_better_terms_for_the_investor_raise_its_value() -> None:
    base = pl.load_pact("korea-us-demand-2025-09")
    richer = base.with_terms({"waterfall.tiers[0].investor_share": 0.6})
    no_review = pl.load_pact("korea-final-2025-11").with_terms({"waterfall.review": None})
    e_base, e_rich = pl.evaluate(base, 500, 4), pl.evaluate(richer, 500, 4)
    assert e_rich.metrics["investor"]["npv_mean"] > e_base.metrics["investor"]["npv_mean"]
    assert e_rich.metrics["host"]["npv_mean"] < e_base.metrics["host"]["npv_mean"]
    with_review = pl.evaluate("korea-final-2025-11", 500, 4)
    without = pl.evaluate(no_review, 500, 4)
    assert with_review.metrics["investor"]["npv_mean"] >= without.metrics["investor"]["npv_mean"]


def test_json_is_valid_and_carries_the_manifest(final) -> None:
    import json
    payload = json.loads(final.to_json())
    assert payload["manifest"]["pact"] == "korea-final-2025-11"
    assert len(payload["manifest"]["pact_sha256"]) == 16
    alt = pl.evaluate(pl.load_pact("korea-final-2025-11").with_terms({"schedule.annual_cap": 25}), 10)
    assert alt.manifest()["pact_sha256"] != payload["manifest"]["pact_sha256"]


def test_evaluate_on_futures_is_evaluate_on_paths_and_seed_bit_for_bit() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    direct = pl.evaluate(pact, paths=BLOCK + 77, seed=5)
    via = pl.evaluate(pact, futures=pl.futures(BLOCK + 77, 5))
    assert direct.metrics == via.metrics
    for party in ("investor", "host"):
        np.testing.assert_array_equal(direct.gains.total(party), via.gains.total(party))
    for name, values in direct.outcomes.paths.items():
        np.testing.assert_array_equal(values, via.outcomes.paths[name], err_msg=name)
    pd.testing.assert_frame_equal(direct.reserves_table(), via.reserves_table())


@pytest.mark.slow
def test_evaluate_all_is_evaluate_one_by_one() -> None:
    f = pl.futures(600, 3)
    together = pl.evaluate_all(PRESETS, futures=f)
    for ev in together:
        alone = pl.evaluate(ev.pact, futures=f)
        assert ev.metrics == alone.metrics


def test_compare_never_drops_or_merges_a_column(tmp_path) -> None:
    base = pl.load_pact("korea-final-2025-11")
    table = pl.compare([base, base.with_terms({"schedule.annual_cap": 30}), base], paths=200, seed=1)
    assert list(table.columns) == ["korea-final-2025-11",
                                   "korea-final-2025-11 (schedule.annual_cap=30)",
                                   "korea-final-2025-11 [2]"]
    copy = tmp_path / "my-deal.toml"
    copy.write_text(pl.inputs.terms.pact_to_toml(base), encoding="utf-8")
    table = pl.compare([base, pl.load_pact(copy)], paths=200, seed=1)
    assert list(table.columns) == ["korea-final-2025-11", "my-deal"]
    pd.testing.assert_series_equal(table.iloc[:, 0], table.iloc[:, 1], check_names=False)


def test_the_manifest_names_every_override(tmp_path) -> None:
    a = pl.load_assumptions().with_values({"discount.host": 0.03})
    pact = pl.load_pact("korea-final-2025-11").with_terms({"schedule.annual_cap": 25})
    m = pl.evaluate(pact, paths=50, assumptions=a).manifest()
    assert m["term_overrides"] == {"schedule.annual_cap": 25}
    assert m["assumption_overrides"] == {"discount.host": 0.03}
    assert m["label"] == "korea-final-2025-11 (schedule.annual_cap=25)"


def test_a_run_that_cannot_fit_is_refused_before_it_starts() -> None:
    with pytest.raises(pl.PactError, match="use fewer paths"):
        pl.evaluate("korea-final-2025-11", paths=2_000_000_000)


def test_distribution_and_recoupment_tables(final) -> None:
    split = final.cash_split_table()
    assert ((split["p5"] <= split["p50"]) & (split["p50"] <= split["p95"])).all()
    assert split["p50"].between(0, 1).all()
    curve = final.recoupment_curve()
    assert curve["principal"].is_monotonic_increasing and curve["principal"].iloc[-1] == pytest.approx(
        final.metrics["investor"]["p_recoup"])
    assert curve["with_deemed_interest"].iloc[-1] == pytest.approx(
        final.metrics["investor"]["p_recoup_deemed"])
    # interest on the outlay can only delay recoupment
    assert (curve["with_deemed_interest"] <= curve["principal"] + 1e-12).all()
    assert curve["with_deemed_interest"].iloc[-1] < curve["principal"].iloc[-1]


def test_progress_counts_each_pact_on_each_block() -> None:
    calls: list[tuple[int, int]] = []
    pl.evaluate_all(["korea-final-2025-11", "japan-mou-2025"], paths=BLOCK + 10, seed=1,
                    progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.slow
def test_crisis_tables_only_where_a_reserve_crisis_test_applies() -> None:
    from pactlab.analysis.crisis import (
        CRISIS_PATHS,
        crisis_paths,
        crisis_sensitivity,
        crisis_tables,
    )
    evs = pl.evaluate_all(["korea-final-2025-11", "japan-mou-2025"], paths=120, seed=2)
    tables = crisis_tables(evs)
    assert list(tables) == ["korea-final-2025-11"]          # Japan: no EM reserve test
    expected = crisis_sensitivity(evs[0].pact, 120, 2, assumptions=evs[0].assumptions)
    pd.testing.assert_frame_equal(tables["korea-final-2025-11"], expected)
    assert crisis_paths(10_000) == CRISIS_PATHS == 2_000 and crisis_paths(120) == 120


def test_the_swiss_deal_moves_no_public_money_and_pays_in_tariff_relief() -> None:
    """switzerland-2025-11: a private pledge for a 15% ceiling (39% without the deal). No
    investment, no FX stress; the relief is Switzerland's gain, and it snaps back (refusal at
    39%) on the paths where the pledge is not delivered by end-2028."""
    ev = pl.evaluate("switzerland-2025-11", paths=400, seed=2)
    inv = ev.gains.investor
    assert not inv["investment NPV"].any() and not inv["FX stress"].any()
    assert ev.metrics["gain"]["investor:tariff relief"] > 0
    assert ev.metrics["investor"]["p_snapback"] == pytest.approx(0.5, abs=0.08)
    assert ev.to_dict()["warnings"] == [] and ev.manifest()["pact"] == "switzerland-2025-11"


def test_an_unallocated_tranche_reaches_the_json() -> None:
    a = pl.load_assumptions(overrides={"markets.sofr.long_run": 0.04})
    (high,) = pl.evaluate_all(["korea-final-2025-11"], paths=50, seed=1, assumptions=a)
    (warning,) = high.to_dict()["warnings"]
    assert warning["tranche"] == "mou-spv-cash" and warning["amount"] == 200.0
    assert warning["rule"] == "commercially_reasonable" and warning["deemed_rate"] == pytest.approx(0.05)
    assert comparison_payload([high])["warnings"] == {high.label: [warning]}
    assert evaluation_payload(high)["warnings"] == [warning]
    (default,) = pl.evaluate_all(["korea-final-2025-11"], paths=50, seed=1)
    assert default.to_dict()["warnings"] == [] and default.plan.warnings == ()
