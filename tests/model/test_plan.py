"""Planning: which projects a pact funds, and the engine inputs its terms become."""
from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pactlab as pl
from pactlab.engine.projects import profitability_index
from pactlab.model.plan import Planner, break_even_rate, pact_fx
from pactlab.model.specs import country_fx

A = pl.load_assumptions()
PLANNER = Planner(A)


def test_selection_follows_governance() -> None:
    host = PLANNER.select(pl.load_pact("korea-us-demand-2025-09"))
    cr = PLANNER.select(pl.load_pact("korea-final-2025-11"))
    deemed = A.markets.sofr.long_run + 0.01
    for al in cr.allocations:
        if al.instrument == "mou":
            assert profitability_index(al.arch, deemed, A.markets.tax_rate) >= 1
    # the host-directed list starts with the host's top priority, whatever its return
    top = max(A.archetypes.values(), key=lambda a: a.host_priority).sector
    assert host.allocations[0].sector == top
    # tranche sectors are kept, and every dollar is placed or reported
    masga = [al for al in cr.allocations if al.tranche == "masga"]
    assert masga and all(al.sector == "shipbuilding" for al in masga)
    for sel, pact in ((host, "korea-us-demand-2025-09"), (cr, "korea-final-2025-11")):
        placed = sum(al.amount for al in sel.allocations) + sum(sel.unallocated.values())
        assert placed == pytest.approx(pl.load_pact(pact).commitment)


def test_launches_spread_evenly_to_the_selection_deadline() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    sel = PLANNER.select(pact)
    mou = [al for al in sel.allocations if al.tranche == "mou-spv-cash"]
    launches = [al.launch_year for al in mou]
    assert launches == sorted(launches)
    assert launches[0] == 0 and max(launches) <= pact.schedule.deadline_year
    # a project funded by two tranches is launched once
    by_project: dict[str, set[int]] = {}
    for al in sel.allocations:
        by_project.setdefault(al.project, set()).add(al.launch_year)
    assert all(len(years) == 1 for years in by_project.values())


def test_unfundable_tranche_is_reported_not_dropped() -> None:
    pact = pl.load_pact("korea-final-2025-11").with_terms(
        {"governance.allowed_sectors": ["pharmaceuticals"], "tranches[1].sectors": ["pharmaceuticals"]})
    sel = PLANNER.select(pact)
    assert dict(sel.unallocated) == {"mou-spv-cash": 200.0, "masga": 150.0}
    ev = pl.evaluate(pact, paths=50)
    assert ev.metrics["investor"]["unallocated"] == 350.0


def test_the_plan_splits_by_what_each_stage_needs() -> None:
    base = pl.load_pact("korea-final-2025-11")
    p0 = PLANNER.plan(base)
    p_tiers = PLANNER.plan(base.with_terms({"waterfall.tiers[1].investor_share": 0.3}))
    p_cap = PLANNER.plan(base.with_terms({"schedule.annual_cap": 30}))
    p_tariff = PLANNER.plan(base.with_terms({"tariffs.deal.general": 0.1}))
    assert p_tiers.calls == p0.calls and p_tiers.split != p0.split
    assert p_cap.calls != p0.calls and p_cap.split == p0.split
    assert p_tariff.calls == p0.calls and p_tariff.split == p0.split
    assert p_tariff.gain_inputs.tariff.by_year["investor_value_added_loss"].sum() > \
        p0.gain_inputs.tariff.by_year["investor_value_added_loss"].sum()
    assert p_cap.label == "korea-final-2025-11 (schedule.annual_cap=30)"


def test_the_no_pact_reserve_spec_has_no_safeguards() -> None:
    counter = pl.load_pact("korea-counter-2025-09")
    spec = pact_fx(counter, A)
    bare = country_fx(A, "KOR")
    assert spec.swap_size == math.inf and bare.swap_size == 0.0
    assert bare.threshold == 0.0 and bare.bonds_share == 0.0
    assert spec._replace(swap_size=0.0, threshold=0.0, max_deferrals=0, swap_trigger=bare.swap_trigger,
                         bonds_share=0.0, fdi_share=0.0) == bare
    assert country_fx(A, "JPN").metric == 0.0         # the EM metric does not apply to Japan


def test_scheduled_daa_life_is_the_allocation_weighted_life() -> None:
    plan = PLANNER.plan(pl.load_pact("korea-final-2025-11"))
    mou = plan.calls.mou
    expected = round(sum(al.amount * al.arch.life_years for al in mou) / sum(al.amount for al in mou))
    assert plan.split.scheduled_life == expected
    assert PLANNER.plan(pl.load_pact("korea-final-2025-11").with_terms(
        {"waterfall.daa_convention": "compounding"})).split.scheduled_life is None


# --- issue 18: no silent knife-edges --------------------------------------------------------------

def test_no_project_passing_the_test_is_a_warning_naming_tranche_amount_rule_and_rate() -> None:
    """At markets.sofr.long_run = 4% the deemed rate is 5%: every project type fails the
    commercial-reasonableness test (gas_power, the best, breaks even at 4.68%), so Korea's $200B
    goes unallocated and the refusal clause snaps the tariff back from 2030 — said, not silent."""
    pact = pl.load_pact("korea-final-2025-11")
    assert PLANNER.plan(pact).warnings == ()
    high = Planner(A.with_values({"markets.sofr.long_run": 0.04})).plan(pact)
    (short,) = high.shortfalls
    assert (short.tranche, short.amount, short.rule) == ("mou-spv-cash", 200.0, "commercially_reasonable")
    assert short.deemed_rate == pytest.approx(0.05)
    (line,) = high.warnings
    for needle in ("$200.0B of tranche 'mou-spv-cash' is unallocated", "deemed rate 5.00%",
                   "markets.sofr.long_run 4.00%", "gas_power, has 0.96", "passes only up to 4.68%",
                   "markets.sofr.long_run <= 3.68%", "snaps back to 25% from 2030"):
        assert needle in line, needle
    assert short.to_dict()["kind"] == "unallocated" and short.to_dict()["message"] == line
    # just under the break-even the best type passes again and nothing is left over
    edge = Planner(A.with_values({"markets.sofr.long_run": 0.0367})).plan(pact)
    assert edge.warnings == () and not edge.selection.unallocated


def test_a_tranche_with_no_project_type_in_its_sectors_says_so() -> None:
    pact = pl.load_pact("korea-final-2025-11").with_terms(
        {"governance.allowed_sectors": ["pharmaceuticals"], "tranches[1].sectors": ["pharmaceuticals"]})
    reasons = {s.tranche: s.reason for s in PLANNER.plan(pact).shortfalls}
    assert reasons == {t: "no project type is in its sectors (pharmaceuticals)"
                       for t in ("mou-spv-cash", "masga")}


@pytest.mark.parametrize("name", sorted(A.archetypes))
def test_the_break_even_rate_is_where_the_index_is_one(name: str) -> None:
    arch = PLANNER.archetypes[name]
    rate = break_even_rate(arch, A.markets.tax_rate)
    assert profitability_index(arch, rate, A.markets.tax_rate) == pytest.approx(1.0, abs=1e-9)
    assert profitability_index(arch, rate + 1e-4, A.markets.tax_rate) < 1.0


@settings(max_examples=40, deadline=None)
@given(cash_yield=st.floats(0.01, 0.4), overrun=st.floats(0.0, 2.0), failure=st.floats(0.0, 0.9),
       rate=st.floats(-0.02, 0.2))
def test_a_type_passes_exactly_below_its_break_even(cash_yield: float, overrun: float,
                                                    failure: float, rate: float) -> None:
    arch = replace(PLANNER.archetypes["lng_export"], cash_yield=cash_yield, overrun_mean=overrun,
                   failure_prob=failure)
    tax = A.markets.tax_rate
    edge = break_even_rate(arch, tax)
    if abs(rate - edge) > 1e-6:
        assert (profitability_index(arch, rate, tax) >= 1.0) == (rate < edge)
