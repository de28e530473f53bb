"""The backtest: the no-pact reserve model from Korea's 2005 position against its history, the
fits behind the defaults, and the crisis rate the model gives against Korea's record."""
from __future__ import annotations

import numpy as np
import pytest

import pactlab as pl
from pactlab.analysis.backtest import FIT_THROUGH, History, backtest, fit
from pactlab.engine.reserves import crisis_hazard
from pactlab.inputs import data

A = pl.load_assumptions()
KOR = A.country("KOR")


def test_the_history_is_the_curated_file() -> None:
    h = History.load()
    assert (int(h.years[0]), int(h.years[-1])) == (2005, 2025)
    assert h.reserves[h.years == 2005][0] == 210.39 and h.reserves[-1] == 428.05
    assert h.short_term_debt[h.years == 2008][0] == 149.9
    assert h.reserve_return == pytest.approx((0.0365 + 0.0245 + 0.0195) / 3)
    assert h.residual_factors == pytest.approx({2007: 204.0 / 160.3, 2008: 194.0 / 149.9})
    assert h.crisis_years == (1997,)
    table = data.read_csv("korea_history.csv")
    # every number carries its source and the research's confidence mark
    for column, source, mark in (("reserves", "reserves_source", "reserves_confidence"),
                                 ("short_term_debt", "std_source", "std_confidence"),
                                 ("current_account", "ca_source", "ca_confidence")):
        rows = table.dropna(subset=[column])
        assert rows[source].notna().all() and rows[mark].notna().all(), column
    assert set(table.loc[table["year"] <= 2007, "ca_vintage"].dropna()) == {"BPM5"}   # flagged


def test_the_defaults_are_the_whole_history_fit() -> None:
    whole = fit(History.load(), 2025)
    for field, value in whole.macro().items():
        assert getattr(KOR, field) == pytest.approx(value, rel=0.02, abs=2e-5), field
    assert whole.years == (2006, 2007, *range(2010, 2022), 2023, 2024, 2025)   # 2008, 2009, 2022 out


def test_the_in_sample_fit_by_hand() -> None:
    h = History.load()
    f = fit(h, FIT_THROUGH)
    years = [2006, 2007, *range(2010, 2016)]
    r = dict(zip(h.years.tolist(), h.reserves, strict=True))
    resid = [r[t] - r[t - 1] * (1 + h.reserve_return) for t in years]
    gdp = [KOR.gdp * (1 + A.fx.components_growth) ** (t - 2024) for t in years]
    assert f.non_pact_flow == pytest.approx(sum(resid) / sum(gdp))
    assert f.years == tuple(years)
    trend = np.polyfit(np.arange(2005, 2016), np.log(h.short_term_debt[:11]), 1)[0]
    assert f.std_growth == pytest.approx(np.expm1(trend))
    assert f.non_pact_flow > fit(h, 2025).non_pact_flow   # the 2016-2025 surplus left as outflows


def test_korea_s_record_is_likely_under_the_crisis_logit() -> None:
    """The calibration's check: no crisis in 1999 and 2005–2025 at their covers (reserves over
    short-term debt at remaining maturity) has probability about 0.8; the 1997 cover of 0.35
    gives a crisis with probability 0.98."""
    h = History.load()
    covers = np.r_[74.06 / 66.1, h.reserves / (h.short_term_debt * KOR.std_residual_factor)]
    hz = crisis_hazard(covers, A.fx.crisis_logit_intercept, A.fx.crisis_logit_slope)
    assert np.prod(1 - hz) == pytest.approx(0.81, abs=0.02)
    assert float(crisis_hazard(0.35, A.fx.crisis_logit_intercept, A.fx.crisis_logit_slope)) == pytest.approx(0.98, abs=0.002)


def test_the_backtest_from_2005_on_a_small_case() -> None:
    """200 futures. Targets: the actual year-end reserves inside the model's P5–P95 band in most
    years (in and out of sample); a small chance of a crisis over 2006–2025 (none on record); and,
    from today with no pact, a P(crisis within 15 years) of a few percent at most — Korea's one
    crisis in 30 years came with a peg and reserves at a third of short-term debt, against nearly
    twice it today (cover 1.87), and none since 1997: not in 2008 at a cover of 1.04, nor in 2020."""
    b = backtest("Korea", 2005, paths=200, seed=1)
    d = b.to_dict()
    assert set(d) == {"by_year", "crises", "manifest"}
    assert set(d["by_year"]) == {"year", "actual", "p5", "p50", "p95"}
    assert d["by_year"]["year"] == list(range(2005, 2026))
    assert d["by_year"]["actual"][0] == d["by_year"]["p50"][0] == 210.39
    assert (np.array(d["by_year"]["p5"]) <= np.array(d["by_year"]["p95"])).all()
    c = d["crises"]
    assert c["coverage_p5_p95"]["in_sample"] >= 0.6 and c["coverage_p5_p95"]["out_of_sample"] >= 0.6
    assert c["coverage_p5_p95_full_fit"] >= 0.8
    assert c["observed"] == 0 and c["model_p_crisis"] < 0.05
    assert 0.005 < c["no_pact_from_today"]["p_crisis"] < 0.05
    assert c["no_pact_from_today"]["horizon_years"] == A.fx.horizon_years
    m = d["manifest"]
    assert m["fit"]["through"] == FIT_THROUGH and m["default_fit"]["through"] == 2025
    assert "out of sample" in m["note"] and m["investor"] == "KOR"


@pytest.mark.parametrize("args,message", [
    (("JPN",), "no reserve history on file"),
    (("KOR", 2001), "no history for 2001"),
    (("KOR", 2010, 2009), "must come after"),
    (("KOR", 2005, 2031), "no history for 2031"),
])
def test_bad_backtests_are_one_line_errors(args, message) -> None:
    with pytest.raises(pl.PactError, match=message):
        backtest(*args, paths=10)
