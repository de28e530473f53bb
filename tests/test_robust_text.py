"""How sure a verdict is, in words (:mod:`pactlab.present.robust_text`): exact sentences from a
hand-built robust result, so the wording is a specification, not a by-product."""
from __future__ import annotations

import pytest

from pactlab.analysis.robust import Robustness
from pactlab.inputs.ranges import Range
from pactlab.present import robust_text as rt

LABEL = "korea-final-2025-11"
PARTIES = {LABEL: ("Korea", "United States")}
RANGES = (
    Range(key="trade.deal_withdrawal_prob", low=0.02, high=0.3, source="t", default=0.1),
    Range(key="valuation.crisis_cost_gdp", low=0.05, high=0.2, source="t", default=0.1),
    Range(key="fx.max_deferral_years", kind="term", levels=(1, 2, 3), source="t"),
    Range(key="trade.withdrawal_stops_calls", levels=(True, False), source="t", default=True),
)
VALUES = [  # the four points' values
    {"trade.deal_withdrawal_prob": 0.021, "valuation.crisis_cost_gdp": 0.058,
     "fx.max_deferral_years": 1, "trade.withdrawal_stops_calls": False},
    {"trade.deal_withdrawal_prob": 0.09, "valuation.crisis_cost_gdp": 0.07,
     "fx.max_deferral_years": 2, "trade.withdrawal_stops_calls": True},
    {"trade.deal_withdrawal_prob": 0.17, "valuation.crisis_cost_gdp": 0.12,
     "fx.max_deferral_years": 3, "trade.withdrawal_stops_calls": True},
    {"trade.deal_withdrawal_prob": 0.29, "valuation.crisis_cost_gdp": 0.19,
     "fx.max_deferral_years": 1, "trade.withdrawal_stops_calls": False},
]
DRIVERS = [{"key": "trade.deal_withdrawal_prob", "index": 0.81, "measure": "abs_spearman"},
           {"key": "valuation.crisis_cost_gdp", "index": 0.4, "measure": "abs_spearman"}]
VERDICTS = [
    {"pact": LABEL, "verdict": "investor_gain_positive", "holds_share": 0.25, "at_defaults": False,
     "drivers": DRIVERS,
     "flip_box": {"limits": {"trade.deal_withdrawal_prob": [0.021, 0.04],
                             "valuation.crisis_cost_gdp": [0.058, 0.06]},
                  "coverage": 1.0, "density": 0.5}},
    {"pact": LABEL, "verdict": "host_gain_positive", "holds_share": 1.0, "at_defaults": True,
     "drivers": [], "flip_box": None},
    {"pact": LABEL, "verdict": "individually_rational", "holds_share": 0.5, "at_defaults": False,
     "drivers": DRIVERS[:1], "flip_box": None},
    {"pact": LABEL, "verdict": "investor_crisis_below", "holds_share": 0.75, "at_defaults": True,
     "drivers": [], "flip_box": {"limits": {"fx.max_deferral_years": [1],
                                            "trade.withdrawal_stops_calls": [False]},
                                 "coverage": 1.0, "density": 0.5}},
]


def _result() -> Robustness:
    manifest = {"pacts": [{"label": LABEL, "pact": LABEL, "term_overrides": {}}], "points": 4,
                "paths": 50, "seed": 7, "sampler": "lhs", "crisis_bound": 0.1}
    points = [{"id": i, "seed": 7, "values": v, "outcomes": {}} for i, v in enumerate(VALUES)]
    return Robustness(manifest, RANGES, points, VERDICTS)


def test_a_flip_box_reads_as_the_sentence_of_the_issue() -> None:
    rows = {r["verdict"]: r for r in rt.change_rows(_result(), PARTIES)}
    ahead = rows["investor_gain_positive"]
    assert ahead["sentence"] == ("Korea comes out ahead when the deal's withdrawal risk is under "
                                 "4% a year and a crisis costs under 6% of GDP.")
    assert ahead["drivers"] == ("What moves it most: the deal's withdrawal risk (|rank "
                                "correlation| 0.81), a crisis's cost (0.40)")
    assert ahead["box"] == ("the box holds 100% of the points where the verdict turns, and it "
                            "turns at 50% of the points inside it")
    assert rows["host_gain_positive"]["sentence"] == (
        "The United States comes out ahead at every point of the plausible range.")
    assert rows["host_gain_positive"]["drivers"] == ""
    assert rows["individually_rational"]["sentence"] == (
        "Both sides come out ahead at 50% of the 4 points of the plausible range, with no simple "
        "box of inputs around them.")
    assert rows["investor_crisis_below"]["sentence"] == (
        "Korea's chance of a reserve crisis is 10% or more when the longest deferral is 1 year "
        "and the calls go on after a withdrawn deal.")


def test_without_party_names_the_sentences_say_investor_and_host() -> None:
    rows = {r["verdict"]: r for r in rt.change_rows(_result())}
    assert rows["investor_gain_positive"]["sentence"].startswith("The investor comes out ahead "
                                                                 "when ")
    assert rows["host_gain_positive"]["sentence"].startswith("The host comes out ahead at every")


@pytest.mark.parametrize("key,limits,seen,text", [
    ("markets.sofr.long_run", [0.0268, 0.0344], [0.025, 0.04],
     "SOFR's long-run level is between 2.7% and 3.4% a year"),
    ("markets.sofr.long_run", [0.031, 0.04], [0.025, 0.04], "SOFR's long-run level is over 3.1% a year"),
    ("trade.adjustment_years", [7.0, 20.0], [5, 20], "the adjustment to a tariff takes over 7 years"),
    ("fx.stress_swap_draw", [0.0, 25.5], [0.0, 60.0], "the swap line's draw is under $26B"),
    ("macro.KOR.non_pact_flow", [-0.003, 0.0046], [-0.003, 0.0096],
     "Korea's non-pact flows into reserves are under 0.46% of GDP a year"),
    ("archetypes.lng_export.failure_prob", [0.1, 0.25], [0.05, 0.25],
     "LNG export projects' failure risk is over 10%"),
    ("tranches[1].tenor", [15, 20], None, "tranche 2's tenor is 15 or 20 years"),
    ("waterfall.daa_convention", ["compounding"], None,
     "the deemed allocation amount's convention is compounding"),
    ("no.such.key", [0.5, 0.7], [0.0, 1.0], "no.such.key is between 0.5 and 0.7"),
])
def test_a_condition_in_the_inputs_own_units(key, limits, seen, text) -> None:
    assert rt.condition(key, limits, seen=seen) == text


def test_the_strip_is_a_row_a_verdict_with_the_callers_own_yes_or_no() -> None:
    rob = _result()
    rows = rt.strip_rows(rob)
    assert [r["name"] for r in rows] == ["investor ahead (mean gain > 0)",
                                         "host ahead (mean gain > 0)",
                                         "both ahead (individually rational)",
                                         "P(reserve crisis) under 10%"]
    assert [r["cells"][0]["text"] for r in rows] == ["no · holds in 25%", "yes · holds in 100%",
                                                      "no · holds in 50%", "yes · holds in 75%"]
    here = rt.strip_rows(rob, {LABEL: {"investor_gain_positive": True}})
    assert here[0]["cells"][0]["text"] == "yes · holds in 25%"
    assert rt.design_text(rob) == ("4 points over 4 plausible ranges (Latin hypercube), 50 "
                                   "futures each, seed 7")
    assert rt.strip_cell(None, None) == "–" and rt.holds_text(0.0625) == \
        "holds in 6% of the plausible range"


def test_the_section_groups_by_pact_and_its_table_has_every_verdict() -> None:
    section = rt.report_section(_result(), parties=PARTIES)
    assert [g["pact"] for g in section["changes"]] == [LABEL]
    assert section["changes"][0]["rows"][0]["share"] == "holds in 25% of the plausible range"
    frame = section["frame"]
    assert list(frame["verdict"]) == [v["verdict"] for v in VERDICTS]
    assert list(frame["holds_share"]) == [0.25, 1.0, 0.5, 0.75]
    assert section["measure"].startswith("|Spearman rank correlation|")


def test_an_evaluations_verdicts_are_robusts() -> None:
    metrics = {"gain": {"investor_mean": -1.0, "host_mean": 2.0}, "fx": {"p_crisis": 0.12}}
    assert rt.evaluation_verdicts(metrics, 0.1) == {
        "investor_gain_positive": False, "host_gain_positive": True,
        "individually_rational": False, "investor_crisis_below": False}
    no_test = {"gain": {"investor_mean": 0.0, "host_mean": 0.0}, "fx": {"p_crisis": None}}
    assert "investor_crisis_below" not in rt.evaluation_verdicts(no_test)
