"""Assumptions -> the engine's small spec dataclasses that do not depend on a pact's terms: the
markets, each project archetype, and the investor's reserves with no pact. Futures (terms-free
draws) and plans (a pact's engine inputs) both build on them, so neither borrows from the other.
"""
from __future__ import annotations

from ..engine.funding import FxSpec
from ..engine.markets import MarketSpec
from ..engine.projects import ArchetypeSpec
from ..engine.reserves import ARA_WEIGHTS, ara_metric
from ..inputs.assumptions import Archetype, Assumptions

__all__ = ["archetype_spec", "country_fx", "market_spec"]


def market_spec(a: Assumptions) -> MarketSpec:
    """The market processes' parameters, from ``markets.*``.

    Parameters
    ----------
    a : Assumptions

    Returns
    -------
    MarketSpec
    """
    m = a.markets
    return MarketSpec(
        sofr_start=m.sofr.start, sofr_long_run=m.sofr.long_run, sofr_speed=m.sofr.speed,
        sofr_vol=m.sofr.vol, energy_speed=m.energy.speed, energy_vol=m.energy.vol,
        power_speed=m.power.speed, power_vol=m.power.vol,
        correlation=tuple((float(row[0]), float(row[1]), float(row[2]))
                          for row in m.correlation.matrix()))


def archetype_spec(arch: Archetype) -> ArchetypeSpec:
    """The engine's spec of a project archetype.

    Parameters
    ----------
    arch : Archetype
        An archetype of the assumptions (``archetypes.<name>``).

    Returns
    -------
    ArchetypeSpec
    """
    return ArchetypeSpec(**{f: getattr(arch, f) for f in ArchetypeSpec.__dataclass_fields__})


def country_fx(a: Assumptions, code: str) -> FxSpec:
    """The investor's reserves with no pact: its macro data, no swap line, no clause, no calls.

    Parameters
    ----------
    a : Assumptions
    code : str
        The investor's code (``KOR``); ``macro.<code>`` must exist.

    Returns
    -------
    FxSpec
        Reserves (USD bn) and their yield; the non-pact flows and their noise (USD bn in the
        base year: ``macro.<code>.non_pact_flow`` and ``flow_sigma`` times GDP); the calibrated
        ARA metric (USD bn; 0 where not applicable); short-term debt at remaining maturity
        (``short_term_debt`` × ``std_residual_factor``) with its own trend; the sudden stops'
        reversal, the central-bank swap line in stress, the float floor and the crisis hazard's
        logit (``fx.*``). Where the emerging-market metric does not apply (Japan, Taiwan, the
        EU, Switzerland) reserves grow at their yield and the non-pact flows, with no shocks, no
        noise and no crisis hazard short of running out.

    References
    ----------
    IMF (2015, 2016), the ARA metric; Greenspan (1999); Jeanne & Rancière (2011).
    """
    m, fx = a.country(code), a.fx
    applicable = m.ara_applicable
    metric = m.ara_calibration * ara_metric(m.goods_exports + m.services_exports, m.broad_money,
                                            m.short_term_debt, m.other_liabilities, m.ara_regime)
    on = 1.0 if applicable else 0.0
    return FxSpec(
        enabled=True, reserves=m.reserves, reserve_yield=m.reserve_yield,
        flow=m.non_pact_flow * m.gdp, flow_sigma=on * m.flow_sigma * m.gdp,
        flow_persistence=m.flow_persistence,
        valuation_sigma=on * fx.valuation_sigma,
        metric=float(metric) if applicable else 0.0, growth=fx.components_growth,
        bond_weight=m.ara_calibration * ARA_WEIGHTS[m.ara_regime][3] if applicable else 0.0,
        short_term_debt=on * m.short_term_debt * m.std_residual_factor, std_growth=m.std_growth,
        stop_return=fx.sudden_stop_return, return_next_year=fx.sudden_stop_return_next_year,
        stress_swap=fx.stress_swap_draw, float_floor=fx.float_floor,
        logit_intercept=fx.crisis_logit_intercept, logit_slope=fx.crisis_logit_slope,
        acceptance=fx.deferral_acceptance, swap_trigger=fx.swap_trigger,
        swap_margin=fx.swap_repay_margin, hazard_years=fx.horizon_years)
