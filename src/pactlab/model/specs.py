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
        Reserves (USD bn), their yield and drift (fractions a year), the calibrated ARA metric
        (USD bn; 0 where not applicable) and the Greenspan–Guidotti line.

    References
    ----------
    IMF (2015, 2016), the ARA metric; Greenspan (1999).
    """
    m = a.country(code)
    applicable = m.ara_applicable
    metric = m.ara_calibration * ara_metric(m.goods_exports + m.services_exports, m.broad_money,
                                            m.short_term_debt, m.other_liabilities, m.ara_regime)
    return FxSpec(
        enabled=True, reserves=m.reserves, reserve_yield=m.reserve_yield,
        drift=(1.0 + m.reserve_growth) / (1.0 + m.reserve_yield) - 1.0,
        metric=float(metric) if applicable else 0.0, growth=a.fx.components_growth,
        bond_weight=m.ara_calibration * ARA_WEIGHTS[m.ara_regime][3] if applicable else 0.0,
        short_term_debt=m.short_term_debt if applicable else 0.0,
        acceptance=a.fx.deferral_acceptance, swap_trigger=a.fx.swap_trigger,
        swap_margin=a.fx.swap_repay_margin)
