r"""From a term sheet and the assumptions to the engine's plain inputs: the one place that reads
both for the engine.

**Selection** follows the pact's governance, for its ``mou`` tranches (the SPV cash):

* ``host_directed`` — the host picks by its strategic priority (archetype ``host_priority``),
  not by the investor's return;
* ``commercially_reasonable`` — only projects whose expected after-tax cash recovers principal
  plus deemed interest (long-run SOFR + spread) over their life, then by host priority;
* ``investor_directed`` — within the allowed sectors, by the investor's expected profitability.

Loan and guarantee tranches are placed by the investor's own lenders (investor-directed within
the tranche's sectors). Named projects (``data/pipeline.csv``, deal-facts §5) come first; what is
left of a tranche goes to one *generic* project per eligible archetype, in proportion to the
rule's weights. A tranche no project can take is reported as unallocated, never dropped, and
loudly: each :class:`Shortfall` names the tranche, the amount, the rule and (for the
commercial-reasonableness test) the deemed rate and the rate at which the best project type would
pass; every front end prints :attr:`Plan.warnings` and ``--json`` carries them.
Projects are launched ("selected") evenly, in order, between the start and the selection
deadline; a project funded by two tranches is launched once, when the first selects it.

**The commercial-reasonableness test** is the MOU's rule as pactlab reads it (deal-facts §1.4,
§2.5): a project type is eligible when its profitability index at the deemed rate is at least 1,

.. math:: \mathrm{PI} = \frac{\sum_t \mathrm{E}[\text{after-tax cash}_t]\,(1+d)^{-t}}
                              {\sum_t \mathrm{E}[\text{capex}_t]\,(1+d)^{-t}} \ge 1,
          \qquad d = \bar r_{\mathrm{SOFR}} + s,

with :math:`\bar r_{\mathrm{SOFR}}` the long-run SOFR (``markets.sofr.long_run``) and :math:`s`
the pact's deemed spread (:func:`pactlab.engine.projects.profitability_index`: expected overrun,
delay and failure, no market or idiosyncratic draws). It is applied once, ex ante, to the type's
*expected* cash, not to each future's draws: the investment committee judges a project before it
is selected, on what it expects, and a selection that read each path's realised cash would look
ahead and break the common random numbers on which pacts are compared. The price of that choice
is a knife-edge: a small move in the long-run rate (or a yield) can make every type fail at once,
which is why a shortfall is always a warning.

A :class:`Plan` splits into the parts that decide different engine stages, so that a batch of
pacts can share the work of the parts they have in common: :class:`CallsPlan` (projects, calls,
loans and guarantees, reserves) and :class:`SplitPlan` (the waterfall).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..engine.funding import FxSpec
from ..engine.instruments import DebtSpec
from ..engine.projects import ArchetypeSpec, profitability_index
from ..engine.waterfall import Review
from ..inputs import data
from ..inputs.assumptions import Assumptions
from ..inputs.terms import Pact, pact_label
from .specs import archetype_spec, country_fx
from .tariffs import NoDealCost, TariffCosts


@dataclass(frozen=True)
class HostTerms:
    """The terms of each side's gain beyond welfare (:mod:`pactlab.model.gains`): the host's
    Grossman–Helpman weights, a swap line's loss and precedent, political costs by year (USD bn)
    and the perceived no-deal costs (USD bn PV). The defaults count none of them."""

    view: str = "welfare"
    revenue_weight: float = 0.0
    protected_weight: float = 0.0        # the weight times the protected share of buyers' saving
    swap_loss: float = 0.0               # expected loss per dollar drawn
    swap_precedent: float = 0.0          # USD bn, where the pact grants a line that can be drawn
    investor_political: np.ndarray | None = None   # by year
    host_political: np.ndarray | None = None
    investor_no_deal_cost: float = 0.0
    host_no_deal_cost: float = 0.0


@dataclass(frozen=True)
class Allocation:
    """A tranche's stake in one project: ``amount`` of the project's base capex."""

    project: str
    archetype: str
    arch: ArchetypeSpec
    capex: float
    tranche: str
    instrument: str
    amount: float
    launch_year: int
    generic: bool = False

    @property
    def sector(self) -> str:
        """The sector of the project's archetype."""
        return self.arch.sector

    @property
    def stake(self) -> float:
        """The tranche's share of the project's base capex (fraction)."""
        return self.amount / self.capex


@dataclass(frozen=True)
class Shortfall:
    """Part of a tranche that no eligible project could take: reported, never dropped.

    Attributes
    ----------
    tranche : str
    amount : float, USD bn
    rule : str
        The selection rule that left it (``commercially_reasonable``, …).
    reason : str
        Why no project type was eligible, in words.
    deemed_rate : float or None, fraction a year
        The commercial-reasonableness test's rate (long-run SOFR + the deemed spread).
    consequence : str
        What follows under the pact's refusal clause, in words ("" if nothing).
    """

    tranche: str
    amount: float
    rule: str
    reason: str
    deemed_rate: float | None = None
    consequence: str = ""

    def message(self) -> str:
        """One line for a front end."""
        tail = f"; {self.consequence}" if self.consequence else ""
        return (f"${self.amount:,.1f}B of tranche '{self.tranche}' is unallocated: "
                f"{self.reason}{tail}")

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form: the fields and the message."""
        return {"kind": "unallocated", "tranche": self.tranche, "amount": self.amount,
                "rule": self.rule, "deemed_rate": self.deemed_rate, "message": self.message()}


@dataclass(frozen=True)
class Selection:
    allocations: tuple[Allocation, ...]
    unallocated: Mapping[str, float]   # tranche name -> amount no eligible project could take
    shortfalls: tuple[Shortfall, ...] = ()   # the same, with the reasons


@dataclass(frozen=True)
class CallsPlan:
    """What decides the calls, the reserves, the loans and guarantees and the project cash.

    Pacts that differ only in how the cash is split (or in tariffs and concessions) share one."""

    investor_code: str
    mou: tuple[Allocation, ...]
    debts: tuple[tuple[Allocation, DebtSpec], ...]
    call_timing: str               # as_built | at_selection
    cap: float | None
    ceiling: float                 # the MOU amount: calls never exceed it
    last_call_year: int | None
    fx: FxSpec
    tax_rate: float
    priority_sectors: frozenset[str]
    refusal: bool = False              # the host may snap the tariff back if the investor balks
    unfunded_from: int | None = None   # year from which an unallocated tranche counts as refused
    pledge_from: int | None = None     # year from which an undelivered private pledge counts as refused
    pledge_delivery_prob: float = 1.0  # chance the private pledge is delivered (per path)


@dataclass(frozen=True)
class SplitPlan:
    """The waterfall: tiers as (investor share, hurdle) with hurdle a rate, "deemed" or None."""

    pool: str | None               # the MOU tranche whose cash is split
    tiers: tuple[tuple[float, float | str | None], ...]
    spread: float
    scheduled_life: int | None     # the ``scheduled`` DAA convention's life; None: compounding
    review: Review | None
    upside: tuple[float, float] | None   # the host's (share, threshold) of the investor's receipts


@dataclass(frozen=True)
class GainInputs:
    """What the gains over no deal need beyond the simulated paths (by year where arrays)."""

    investor_rate: float
    host_rate: float
    tariff: NoDealCost               # the tariff model's tables (per path: simulation.TradePaths)
    investor_concessions: np.ndarray  # the investor's net cost of side concessions, by year
    host_concessions: np.ndarray      # the host's net value of side concessions, by year
    refusal_factor: float | None     # relief left after a snapback (None: no refusal clause)
    crisis_cost: float               # USD bn lost to a reserve crisis
    fx_horizon: int                  # years over which reserve crises count
    strategic_value: float           # host's value of $1 of priority capex beyond its cash
    objective: HostTerms = HostTerms()   # the host's stated objective and both sides' political costs


@dataclass(frozen=True)
class Plan:
    pact: Pact
    label: str
    base_year: int
    years: int
    selection: Selection
    calls: CallsPlan
    split: SplitPlan
    gain_inputs: GainInputs
    tranches: tuple[str, ...]
    shortfalls: tuple[Shortfall, ...] = ()   # unallocated tranches, with their consequences

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a reader must not miss, one line each (today: the unallocated tranches)."""
        return tuple(s.message() for s in self.shortfalls)


def pact_fx(pact: Pact, a: Assumptions) -> FxSpec:
    """The reserve side of a pact: the investor's country, the pact's safeguards and funding.

    Parameters
    ----------
    pact : Pact
    a : Assumptions

    Returns
    -------
    FxSpec
        :func:`~pactlab.model.specs.country_fx` with the pact's instability clause, deferrals,
        swap line (USD bn) and bond and FDI funding shares (fractions).
    """
    clause = pact.fx.instability_threshold
    return country_fx(a, pact.parties.investor_code)._replace(
        threshold=clause or 0.0, max_deferrals=pact.fx.max_deferral_years,
        swap_size=pact.fx.swap_line, swap_trigger=clause or a.fx.swap_trigger,
        bonds_share=pact.funding.bonds, fdi_share=pact.funding.fdi)


def fx_horizon(a: Assumptions) -> int:
    """Years over which reserve adequacy is judged, within the simulated horizon.

    Parameters
    ----------
    a : Assumptions

    Returns
    -------
    int, years
    """
    return min(a.fx.horizon_years, a.horizon_years)


class Planner:
    """Turns pacts into plans under one set of assumptions, keeping what repeats across pacts
    (eligibility by rule, selections, tariff costs): hold one for a batch."""

    def __init__(self, a: Assumptions, *, tariff_costs: TariffCosts | None = None) -> None:
        self.assumptions = a
        self.archetypes = {name: archetype_spec(arch) for name, arch in a.archetypes.items()}
        pipe = data.pipeline()
        self._pipeline = tuple(zip(pipe["project"], pipe["archetype"], pipe["capex"].astype(float),
                                   pipe["candidate_for"], strict=True))
        self._weights: dict[tuple, dict[str, float]] = {}
        self._selections: dict[tuple, Selection] = {}
        self.tariff_costs = tariff_costs if tariff_costs is not None else TariffCosts()

    def plan(self, pact: Pact, label: str | None = None) -> Plan:
        """A pact's plan under the planner's assumptions.

        Parameters
        ----------
        pact : Pact
        label : str, optional
            How outputs name it (:func:`~pactlab.inputs.terms.pact_label` if None).

        Returns
        -------
        Plan
        """
        a = self.assumptions
        code = pact.parties.investor_code
        selection = self.select(pact)
        tranches = {t.name: t for t in pact.tranches}
        debts = tuple((al, _debt_spec(tranches[al.tranche])) for al in selection.allocations
                      if al.instrument != "mou")
        mou = tuple(al for al in selection.allocations if al.instrument == "mou")
        calls = CallsPlan(
            investor_code=code, mou=mou, debts=debts, call_timing=pact.schedule.call_timing,
            cap=pact.schedule.annual_cap, ceiling=pact.amount("mou"),
            last_call_year=pact.schedule.last_call_year, fx=pact_fx(pact, a),
            tax_rate=a.markets.tax_rate,
            priority_sectors=frozenset(a.valuation.host_priority_sectors),
            refusal=pact.governance.refusal_tariff is not None,
            unfunded_from=(max(pact.schedule.deadline_year, 0) + 1 if selection.unallocated
                           and pact.governance.refusal_tariff is not None else None),
            **_pledge(pact, a))
        return Plan(pact=pact, label=label or pact_label(pact), base_year=pact.schedule.base_year,
                    years=a.horizon_years, selection=selection, calls=calls,
                    split=_split_plan(pact, mou), gain_inputs=self._gain_inputs(pact),
                    tranches=tuple(tranches), shortfalls=_consequences(pact, selection, calls))

    def select(self, pact: Pact) -> Selection:
        """Which projects each tranche funds, and when each is launched."""
        key = (pact.parties.investor_code, pact.governance.selection,
               pact.governance.allowed_sectors, pact.deemed_spread, pact.schedule.deadline_year,
               tuple((t.name, t.instrument, t.amount, t.sectors) for t in pact.tranches))
        if key not in self._selections:
            self._selections[key] = self._select(pact)
        return self._selections[key]

    def _select(self, pact: Pact) -> Selection:
        code = pact.parties.investor_code
        pipe = [row[:3] for row in self._pipeline if row[3] in (code, "any")]
        room = {name: capex for name, _, capex in pipe}
        deadline = max(pact.schedule.deadline_year, 0)
        launched: dict[str, int] = {}
        allocations: list[Allocation] = []
        unallocated: dict[str, float] = {}
        shortfalls: list[Shortfall] = []
        for tranche in pact.tranches:
            rule = pact.governance.selection if tranche.instrument == "mou" else "investor_directed"
            weights = self._eligible(pact, tranche.sectors, rule)
            named = sorted((row for row in pipe if row[1] in weights),
                           key=lambda row: (-weights[row[1]], -row[2], row[0]))
            left = tranche.amount
            picks: list[tuple[str, str, float, float, bool]] = []
            for name, archetype, capex in named:
                take = min(left, room[name])
                if take <= 1e-9:
                    continue
                picks.append((name, archetype, capex, take, False))
                room[name] -= take
                left -= take
                if left <= 1e-9:
                    break
            if left > 1e-9 and weights:
                total = sum(weights.values())
                for archetype, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
                    size = left * w / total
                    picks.append((f"{archetype} (generic, {code})", archetype, size, size, True))
                left = 0.0
            if left > 1e-9:
                unallocated[tranche.name] = left
                shortfalls.append(self._shortfall(pact, tranche, rule, left))
            position = 0.0
            for name, archetype, capex, take, generic in picks:
                launch = launched.setdefault(name, int(position / tranche.amount * (deadline + 1)))
                allocations.append(Allocation(name, archetype, self.archetypes[archetype], capex,
                                              tranche.name, tranche.instrument, take, launch,
                                              generic))
                position += take
        return Selection(tuple(allocations), unallocated, tuple(shortfalls))

    def _candidates(self, pact: Pact, sectors) -> list[str]:
        """The archetypes a tranche's sectors and the pact's allowed sectors admit."""
        allowed = pact.governance.allowed_sectors
        return [name for name, arch in self.assumptions.archetypes.items()
                if (not allowed or arch.sector in allowed) and (not sectors or arch.sector in sectors)]

    def _eligible(self, pact: Pact, sectors, rule: str) -> dict[str, float]:
        """Archetype -> selection weight, for the archetypes a tranche may fund (the
        commercial-reasonableness test: module docstring)."""
        key = (pact.governance.allowed_sectors, sectors, rule, pact.deemed_spread)
        if key not in self._weights:
            a = self.assumptions
            deemed = deemed_rate(pact, a)
            out = {}
            for name in self._candidates(pact, sectors):
                pi = profitability_index(self.archetypes[name], deemed, a.markets.tax_rate)
                if rule == "commercially_reasonable" and pi < 1.0:
                    continue
                out[name] = pi if rule == "investor_directed" else a.archetypes[name].host_priority
            self._weights[key] = out
        return self._weights[key]

    def _shortfall(self, pact: Pact, tranche, rule: str, amount: float) -> Shortfall:
        """Why a tranche found no eligible project: no type in its sectors, or none passing the
        commercial-reasonableness test (with the rate at which the best type would pass)."""
        a = self.assumptions
        candidates = self._candidates(pact, tranche.sectors)
        if not candidates or rule != "commercially_reasonable":
            sectors = ", ".join(tranche.sectors or pact.governance.allowed_sectors or ())
            return Shortfall(tranche.name, amount, rule,
                             f"no project type is in its sectors ({sectors})")
        deemed, tax = deemed_rate(pact, a), a.markets.tax_rate
        pis = {name: profitability_index(self.archetypes[name], deemed, tax) for name in candidates}
        best = max(pis, key=lambda name: pis[name])
        passes = break_even_rate(self.archetypes[best], tax)
        reason = (f"no project type passes the commercial-reasonableness test (profitability index "
                  f">= 1 at the deemed rate {deemed:.2%} = markets.sofr.long_run "
                  f"{a.markets.sofr.long_run:.2%} + the deemed spread {pact.deemed_spread:.2%}); the "
                  f"best, {best}, has {pis[best]:.2f} and passes only up to {passes:.2%} "
                  f"(markets.sofr.long_run <= {passes - pact.deemed_spread:.2%})")
        return Shortfall(tranche.name, amount, rule, reason, deemed)

    def _gain_inputs(self, pact: Pact) -> GainInputs:
        a = self.assumptions
        code = pact.parties.investor_code
        cost = self.tariff_costs(pact, a)
        c, v = pact.concessions, a.valuation
        t = np.arange(a.horizon_years)
        # side issues saturate at what can be delivered (energy the US can sell, farm sales)
        energy = np.where(t < c.energy_purchase_years,
                          saturating(c.energy_purchases_per_year, v.energy_cap), 0.0)
        premium = c.energy_price_premium / (1.0 + c.energy_price_premium)   # paid above market
        visas = np.full(a.horizon_years, c.work_visas_per_year)
        farm = np.full(a.horizon_years, saturating(c.farm_access_per_year,
                                                   v.farm_cap * market_scale(pact, a)))
        return GainInputs(
            investor_rate=a.investor_rate(code), host_rate=a.discount.host, tariff=cost,
            refusal_factor=_refusal_factor(pact),
            investor_concessions=energy * premium + farm * v.farm_cost_share
            - visas * v.visa_value_investor,
            host_concessions=energy * (premium + v.host_energy_value) + farm * v.host_farm_value
            - visas * v.visa_cost_host,
            crisis_cost=a.valuation.crisis_cost_gdp * a.country(code).gdp,
            fx_horizon=fx_horizon(a), strategic_value=a.valuation.host_strategic_value,
            objective=host_terms(pact, a))


#: the economy the farm cap and red line are stated for (valuation.farm_cap, farm_red_line)
FARM_REFERENCE = "KOR"


def market_scale(pact: Pact, a: Assumptions) -> float:
    """The investor's economy over Korea's, by GDP: the farm sales a market absorbs and the
    access before it reaches its protected staples scale with it (the cap and red line are
    Korea's; Japan's are about twice, Switzerland's about half)."""
    code = pact.parties.investor_code
    if code == FARM_REFERENCE or FARM_REFERENCE not in a.macro:
        return 1.0
    return a.country(code).gdp / a.country(FARM_REFERENCE).gdp


def saturating(x: float, cap: float) -> float:
    """A concave side issue with a cap: ``cap * (1 - exp(-x / cap))`` — slope 1 at 0, falling,
    never above `cap` (USD bn a year pledged -> delivered)."""
    return float(cap * -np.expm1(-x / cap))


def host_terms(pact: Pact, a: Assumptions) -> HostTerms:
    """Each side's gain terms beyond welfare under `a` (``host_objective``, ``negotiation``):
    in the ``welfare`` view the host's weights, precedent and political cost are 0."""
    h, n, v, c = a.host_objective, a.negotiation, a.valuation, pact.concessions
    stated = h.view == "stated"
    drawable = pact.fx.swap_line > 0 and a.country(pact.parties.investor_code).ara_applicable
    access = c.farm_access_per_year
    years = a.horizon_years
    return HostTerms(
        view=h.view, revenue_weight=h.revenue_weight if stated else 0.0,
        protected_weight=h.protected_weight * h.protected_share if stated else 0.0,
        swap_loss=h.swap_loss_given_default,
        swap_precedent=h.swap_precedent_cost if stated and drawable else 0.0,
        investor_political=np.full(years, n.investor_political_cost * access
                                   * (1.0 + access / (v.farm_red_line * market_scale(pact, a)))),
        host_political=np.full(years, n.host_political_cost * c.work_visas_per_year
                               if stated else 0.0),
        investor_no_deal_cost=n.investor_no_deal_cost, host_no_deal_cost=n.host_no_deal_cost)


def deemed_rate(pact: Pact, a: Assumptions) -> float:
    """The commercial-reasonableness test's rate: long-run SOFR plus the pact's deemed spread.

    Parameters
    ----------
    pact : Pact
    a : Assumptions

    Returns
    -------
    float, fraction a year
    """
    return a.markets.sofr.long_run + pact.deemed_spread


def break_even_rate(arch: ArchetypeSpec, tax_rate: float) -> float:
    """The highest deemed rate at which a project type still passes (profitability index 1).

    Parameters
    ----------
    arch : ArchetypeSpec
    tax_rate : float, fraction

    Returns
    -------
    float, fraction a year
        By bisection on [-0.5, 1]: the index falls as the rate rises (cash comes after capex);
        an end of the interval where the index never crosses 1 there.
    """
    low, high = -0.5, 1.0
    if profitability_index(arch, high, tax_rate) >= 1.0:
        return high
    if profitability_index(arch, low, tax_rate) < 1.0:
        return low
    for _ in range(60):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if profitability_index(arch, mid, tax_rate) >= 1.0 else (low, mid)
    return low


def _consequences(pact: Pact, selection: Selection, calls: CallsPlan) -> tuple[Shortfall, ...]:
    """The selection's shortfalls with what the refusal clause makes of them."""
    refusal = pact.governance.refusal_tariff
    if refusal is None or calls.unfunded_from is None:
        return selection.shortfalls
    text = (f"under the refusal clause the tariff snaps back to {refusal:.0%} from "
            f"{pact.schedule.base_year + calls.unfunded_from}")
    return tuple(replace(s, consequence=text) for s in selection.shortfalls)


def _refusal_factor(pact: Pact) -> float | None:
    """The share of the deal's tariff relief left once the refusal tariff applies: 0 when it is
    the no-deal rate, negative when it is higher (a penalty). Read off the general rates — a
    first-order reading that holds exactly for the presets, whose refusal and no-deal rates agree."""
    refusal = pact.governance.refusal_tariff
    if refusal is None:
        return None
    deal, no_deal = pact.tariffs.deal.general, pact.tariffs.no_deal.general
    return 0.0 if no_deal == deal else (no_deal - refusal) / (no_deal - deal)


def _debt_spec(tranche) -> DebtSpec:
    if tranche.instrument == "loan":
        return DebtSpec(loan=True, rate=tranche.coupon, tenor=tranche.tenor,
                        recovery=tranche.recovery_rate, amortisation=tranche.amortisation)
    return DebtSpec(loan=False, rate=tranche.fee, tenor=tranche.tenor,
                    recovery=tranche.recovery_rate, amortisation="linear")


def _pledge(pact: Pact, a: Assumptions) -> dict[str, Any]:
    """A private pledge under a refusal clause: from when it counts, and how likely it is kept."""
    if pact.pledge is None or pact.governance.refusal_tariff is None:
        return {}
    return {"pledge_from": max(pact.pledge.by.year - pact.schedule.base_year, 0) + 1,
            "pledge_delivery_prob": a.trade.pledge_delivery_prob}


def _split_plan(pact: Pact, mou: tuple[Allocation, ...]) -> SplitPlan:
    w = pact.waterfall
    upside = None if pact.upside is None else (pact.upside.share, pact.upside.threshold)
    pool = next((t.name for t in pact.tranches if t.instrument == "mou"), None)
    if w is None:   # no MOU tranche: nothing to split
        return SplitPlan(pool=None, tiers=(), spread=0.0, scheduled_life=None, review=None,
                         upside=upside)
    life = None
    if w.daa_convention == "scheduled" and mou:
        life = round(sum(al.amount * al.arch.life_years for al in mou) / sum(al.amount for al in mou))
    return SplitPlan(
        pool=pool, tiers=tuple((t.investor_share, t.hurdle) for t in w.tiers), spread=w.spread,
        scheduled_life=life,
        review=None if w.review is None else Review(w.review.after_year, w.review.investor_share),
        upside=upside)
