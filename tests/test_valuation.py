"""Evaluation and comparison: the numbers users read, and how they respond to the terms."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pactlab as pl
from pactlab.engine.finance import npv

PRESETS = pl.preset_names()


@pytest.fixture(scope="module")
def final() -> pl.Evaluation:
    return pl.evaluate("korea-final-2025-11", paths=2000, seed=7)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_evaluates(name: str) -> None:
    ev = pl.evaluate(name, paths=300, seed=1)
    inv = ev.metrics["investor"]
    assert inv["commitment"] == pl.load_pact(name).commitment
    assert inv["irr_p5"] <= inv["irr_p50"] <= inv["irr_p95"]
    assert inv["npv_p5"] <= inv["npv_p50"] <= inv["npv_p95"]
    assert inv["cvar"] <= inv["npv_p5"]
    assert 0 <= inv["p_recoup"] <= 1
    assert ev.metrics["host"]["capex"] > 0


def test_summary_is_metrics_by_party(final) -> None:
    table = final.summary()
    assert list(table.columns) == ["investor", "host"]
    assert table.loc["commitment", "investor"] == 350.0
    assert table.loc["IRR P50", "investor"] == final.metrics["investor"]["irr_p50"]
    assert np.isnan(table.loc["IRR P50", "host"])


def test_metrics_are_computed_from_the_flows(final) -> None:
    flows = final.deal.investor_total
    rate = final.assumptions.investor_rate("KOR")
    assert final.metrics["investor"]["npv_mean"] == pytest.approx(npv(rate, flows).mean())
    host = npv(final.assumptions.discount.host, final.deal.host_total)
    assert final.metrics["host"]["npv_mean"] == pytest.approx(host.mean())
    assert final.metrics["investor"]["cash_called"] == pytest.approx(final.deal.calls.sum(axis=1).mean())


def test_capex_by_sector_adds_up(final) -> None:
    assert final.capex_by_sector().sum() == pytest.approx(final.metrics["host"]["capex"])
    assert set(final.projects()["tranche"]) == {"mou-spv-cash", "masga"}


def test_compare_is_evaluate_side_by_side() -> None:
    table = pl.compare(["korea-final-2025-11", "korea-us-demand-2025-09"], paths=300, seed=2,
                       detail=True)
    assert list(table.columns) == ["korea-final-2025-11", "korea-us-demand-2025-09"]
    alone = pl.evaluate("korea-us-demand-2025-09", paths=300, seed=2)
    assert table.loc["investor: NPV at cost of funds, mean", "korea-us-demand-2025-09"] == \
        alone.metrics["investor"]["npv_mean"]
    assert isinstance(table, pd.DataFrame)


def test_the_headline_rows_read_top_to_bottom() -> None:
    table = pl.compare(["korea-final-2025-11"], paths=200, seed=2)
    rows = list(table.index)
    for before, after in [("investor: commitment", "fx: commitment / reserves"),
                          ("investor: IRR P50", "investor: P(recoup within horizon)"),
                          ("fx: minimum ARA ratio P50", "investor: tariff relief"),
                          ("investor gain vs no deal, mean", "host gain vs no deal, mean")]:
        assert rows.index(before) < rows.index(after)
    assert rows[-1] == "individually rational for both (mean gains >= 0)"


def test_the_cap_slows_the_calls() -> None:
    fast = pl.evaluate(pl.load_pact("korea-final-2025-11").with_terms({"schedule.annual_cap": 200}),
                       paths=300, seed=3)
    slow = pl.evaluate("korea-final-2025-11", paths=300, seed=3)
    assert fast.metrics["investor"]["peak_call"] > slow.metrics["investor"]["peak_call"] == 20.0


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


def test_every_assumption_has_a_source() -> None:
    rows = pl.load_assumptions().provenance()
    assert rows and all(r["source"] and r["source"] != "user override" for r in rows)
    assert {r["confidence"] for r in rows} <= {"high", "medium", "assumption"}


def test_gains_add_up_path_by_path(final) -> None:
    g = final.gains
    for party, names in (("investor", pl.valuation.INVESTOR_COMPONENTS), ("host", pl.valuation.HOST_COMPONENTS)):
        parts = getattr(g, party)
        assert list(parts) == list(names)
        np.testing.assert_allclose(g.total(party), sum(parts[n] for n in names))
        assert final.metrics["gain"][f"{party}_mean"] == pytest.approx(g.total(party).mean())
    rate = final.assumptions.investor_rate("KOR")
    np.testing.assert_allclose(g.investor["investment NPV"], npv(rate, final.deal.investor_total))
    summary = final.gain_summary()
    assert summary.loc[("investor", "total"), "mean"] == pytest.approx(
        summary.loc["investor"].drop("total")["mean"].sum())


def test_a_pact_identical_to_no_deal_gains_nothing() -> None:
    base = pl.load_pact("korea-final-2025-11")
    nothing = base.with_terms({"tranches": [], "tariffs.deal": base.tariffs.no_deal.model_dump(),
                               "concessions": {}})
    ev = pl.evaluate(nothing, paths=400, seed=3)
    for party in ("investor", "host"):
        for name, values in getattr(ev.gains, party).items():
            assert (values == 0).all(), (party, name)
    assert ev.metrics["investor"]["commitment"] == 0.0


def test_a_lower_deal_tariff_never_lowers_the_tariff_relief() -> None:
    base = pl.load_pact("korea-final-2025-11")
    lower = base.with_terms({"tariffs.deal.general": 0.10, "tariffs.deal.sectors.autos": 0.10})
    a, b = pl.evaluate(base, 400, 5), pl.evaluate(lower, 400, 5)
    assert (b.gains.investor["tariff relief"] >= a.gains.investor["tariff relief"] - 1e-9).all()
    assert b.metrics["gain"]["investor:tariff relief"] > a.metrics["gain"]["investor:tariff relief"]


def test_a_larger_tier_two_share_favours_the_investor() -> None:
    base = pl.load_pact("japan-mou-2025").with_terms({"waterfall.daa_convention": "compounding",
                                                      "waterfall.tiers[0].hurdle": 0.0})
    richer = base.with_terms({"waterfall.tiers[1].investor_share": 0.3})
    a, b = pl.evaluate(base, 400, 6), pl.evaluate(richer, 400, 6)
    assert (b.gains.total("investor") >= a.gains.total("investor") - 1e-9).all()
    assert (b.gains.total("host") <= a.gains.total("host") + 1e-9).all()
    assert b.gains.total("investor").mean() > a.gains.total("investor").mean()
