"""Planning: which projects a pact funds, and the engine inputs its terms become."""
from __future__ import annotations

import math

import pytest

import pactlab as pl
from pactlab.engine.projects import profitability_index
from pactlab.model.plan import Planner, pact_fx
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
