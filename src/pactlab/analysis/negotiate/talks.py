r"""Talks on a calendar: the no-deal tariffs stay in force while the sides bargain, the host can
raise them as a threat, the investor can walk away, and a rival's deal moves both sides'
disagreement points.

Each round is a month from ``start`` (Korea's: the 30 Jul 2025 framework) to ``deadline``. While
there is no agreement each side bears a cost a month (:func:`monthly_costs`: the investor's
value added lost at the no-deal rates in force — Korea kept paying 25% on cars until Nov 2025 —
and the host's stated-objective balance of its buyers' cost against the tariff revenue, which
can make delay *pay* the host); an agreement in round :math:`r` is worth its utility less the
costs of the :math:`r-1` months before it, discounted per side. Events on the calendar:

* **the rival signs** (``rival_signs``; Japan: 4 Sep 2025): from that month the investor's
  disagreement point falls by the trade its rival's lower tariffs divert from it
  (:func:`rival_diversion`, the tariff model, over the horizon) and so do its monthly costs; the
  host's rises by the precedent it can now point to (``negotiation.rival_precedent``);
* **the host's threat** (``threat``; Lutnick, 11 Sep 2025: "accept the deal or pay the
  tariffs"): from that month the no-deal tariffs rise by ``threat_surcharge`` — the investor's
  monthly cost and its no-deal value fall with the tariff model at the higher rate; the host
  bears what its buyers pay;
* **waiting, and walking away**: a month in which no candidate is better than the month's
  disagreement point for both sides passes without an offer (its costs borne); once no event is
  left that could change that, the investor walks away (no deal, ``walked_away``).

Within a month the agents play as in :mod:`.agents` on each side's share of its best deal
relative to the month's disagreement point, and a responder accepts an offer worth at least its
own next offer a month later, less that month's cost.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from ...core.errors import PactError
from ...inputs.assumptions import Assumptions
from ...inputs.terms import Pact
from ...model.tariffs import RIVAL, FlatCeiling, effects, partner_of, rate_table
from ...model.tariffs.no_deal import no_deal_cost
from .agents import PARTY_NAMES, Agent, _Player, rubinstein_proposals, shares
from .solutions import individually_rational

__all__ = ["Talks", "TalksOutcome", "calendar_offers", "korea_talks", "monthly_costs",
           "rival_diversion"]


@dataclass(frozen=True)
class Talks:
    """The calendar and its events (module docstring); money in USD bn."""

    start: dt.date
    deadline: dt.date
    monthly_cost: tuple[float, float]            # (investor, host) a month with no deal in force
    initial: tuple[float, float] = (0.0, 0.0)    # the disagreement point at the start
    rival_signs: dt.date | None = None
    rival_shift: tuple[float, float] = (0.0, 0.0)       # disagreement points from then on
    rival_monthly: tuple[float, float] = (0.0, 0.0)     # and the monthly costs
    threat: dt.date | None = None
    threat_shift: tuple[float, float] = (0.0, 0.0)
    threat_monthly: tuple[float, float] = (0.0, 0.0)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.deadline <= self.start:
            raise PactError(f"talks: the deadline ({self.deadline}) must come after the start "
                            f"({self.start})")

    @property
    def last_event(self) -> dt.date:
        """The month of the last scheduled event (the start if there is none)."""
        days = [dt.date(w.year, w.month, 1) for w in (self.rival_signs, self.threat) if w]
        return max([self.date(1), *days])

    @property
    def rounds(self) -> int:
        return (self.deadline.year - self.start.year) * 12 + self.deadline.month - self.start.month

    def date(self, t: int) -> dt.date:
        """Round t's month (1-based: the start's month)."""
        m = self.start.month - 1 + (t - 1)
        return dt.date(self.start.year + m // 12, m % 12 + 1, 1)

    def state(self, t: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Round t's disagreement point, the month's costs and the events in force."""
        d, c, events = np.array(self.initial, dtype=float), np.array(self.monthly_cost, dtype=float), []
        day = self.date(t)
        for when, shift, monthly, name in ((self.rival_signs, self.rival_shift, self.rival_monthly,
                                            "rival signed"),
                                           (self.threat, self.threat_shift, self.threat_monthly,
                                            "threat")):
            if when is not None and day >= dt.date(when.year, when.month, 1):
                d, c = d + np.array(shift), c + np.array(monthly)
                events.append(name)
        return d, c, events


@dataclass(frozen=True)
class TalksOutcome:
    """How the talks ended (``agreement``, ``deadline``, ``walked_away``), when, on which
    candidate, each side's utility net of the months of talks (discounted to the start) and
    the trace by month."""

    agreement: int | None
    round: int
    date: dt.date
    utilities: tuple[float, float]
    ended: str
    trace: pd.DataFrame

    def to_dict(self) -> dict[str, object]:
        return {"agreement": self.agreement, "round": self.round, "date": self.date.isoformat(),
                "utilities": list(self.utilities), "ended": self.ended,
                "trace": self.trace.assign(date=self.trace["date"].astype(str))
                .to_dict(orient="records")}


def calendar_offers(u: np.ndarray, agents: tuple[Agent, Agent], talks: Talks, *,
                    values: pd.DataFrame | None = None, first: int = 1) -> TalksOutcome:
    """Play the talks month by month over candidates with utilities `u` (n, 2), measured
    against no deal at the start; `first` proposes first (the host, by default: it set the
    terms)."""
    u = np.asarray(u, dtype=np.float64)
    rows: list[dict[str, object]] = []
    cost_paid, proposer = np.zeros(2), first
    delta = np.array([agents[0].discount, agents[1].discount])
    for t in range(1, talks.rounds + 1):
        d, c, events = talks.state(t)
        day = talks.date(t)
        if not individually_rational(u, tuple(d)).any():
            if day >= talks.last_event:          # nothing left that could change it: walk away
                return TalksOutcome(None, t, day, _no_deal(d, cost_paid), "walked_away",
                                    pd.DataFrame(rows))
            rows.append({"round": t, "date": day, "proposer": "", "candidate": None,
                         "investor_utility": np.nan, "host_utility": np.nan,
                         "investor_disagreement": d[0], "host_disagreement": d[1],
                         "events": ", ".join(events) or "no deal better than none for both: wait",
                         "accepted": False})
            cost_paid = cost_paid + c
            continue
        x = shares(u, d)
        span = np.maximum(u[individually_rational(u, tuple(d))].max(axis=0) - d, 1e-12)
        players = (_Player(agents[0], x[:, 0], x[:, 1], agents[1]),
                   _Player(agents[1], x[:, 1], x[:, 0], agents[0]))
        if any(a.tactic == "rubinstein" for a in agents):
            proposals = rubinstein_proposals(x, agents[0].discount, agents[1].discount)
            for i, player in enumerate(players):
                player.proposal, player.expects = proposals[i], proposals[1 - i]
        me, you = players[proposer], players[1 - proposer]
        candidate = me.offer(t, talks.rounds)
        r = 1 - proposer
        wait = delta[r] * you.own[you.offer(t + 1, talks.rounds)] - c[r] / span[r]
        accepted = bool(you.own[candidate] >= wait - 1e-12)
        row = {"round": t, "date": day, "proposer": PARTY_NAMES[proposer], "candidate": candidate,
               "investor_utility": u[candidate, 0], "host_utility": u[candidate, 1],
               "investor_disagreement": d[0], "host_disagreement": d[1],
               "events": ", ".join(events), "accepted": accepted}
        if values is not None:
            row |= values.iloc[candidate].to_dict()
        rows.append(row)
        if accepted:
            net = tuple(float((u[candidate, i] - cost_paid[i]) * delta[i] ** (t - 1))
                        for i in (0, 1))
            return TalksOutcome(candidate, t, day, cast(tuple[float, float], net), "agreement",
                                pd.DataFrame(rows))
        cost_paid = cost_paid + c
        proposer = 1 - proposer
    d, _, _ = talks.state(talks.rounds)
    return TalksOutcome(None, talks.rounds, talks.deadline, _no_deal(d, cost_paid), "deadline",
                        pd.DataFrame(rows))


def _no_deal(d: np.ndarray, paid: np.ndarray) -> tuple[float, float]:
    return float(d[0] - paid[0]), float(d[1] - paid[1])


# --- the calendar's money, from the tariff model -------------------------------------------------

def _host_balance(by_year_row: pd.Series, a: Assumptions) -> float:
    """The host's yearly balance of the deal's tariffs in its stated objective: its buyers'
    saving less the revenue forgone (weighted), USD bn a year (positive: the deal pays it)."""
    h = a.host_objective
    w_r, w_p = (0.0, 0.0) if h.view == "welfare" else (h.revenue_weight, h.protected_weight)
    return float((1 - w_p) * by_year_row["us_consumer_cost"]
                 - (1 + w_r) * by_year_row["us_tariff_revenue"])


def monthly_costs(pact: Pact, a: Assumptions, *, as_of: dt.date) -> tuple[float, float]:
    """Each side's cost of a month with the no-deal tariffs in force instead of the pact's
    (the first full year at the central parameters, as the law stood on `as_of`), USD bn."""
    cost = no_deal_cost(pact, a, as_of=as_of, years=3)
    year = cost.by_year.iloc[1]                  # the first full year
    return float(year["investor_value_added_at_risk"]) / 12, _host_balance(year, a) / 12


def rival_diversion(pact: Pact, a: Assumptions, *, as_of: dt.date) -> float:
    """The investor's yearly value added lost (USD bn, > 0) when its rival's deal lowers the
    rival's rates while the investor has none: the tariff model's trade diversion, first year
    after the change, central parameters."""
    investor = partner_of(pact)
    rival = RIVAL.get(investor)
    if rival is None:
        return 0.0
    year = pact.schedule.base_year + 1
    no_cap: Any = FlatCeiling(math.inf)     # the rival without its deal's caps
    tables = {}
    for name, overrides in (("without", {investor: pact.tariffs.no_deal, rival: no_cap}),
                            ("with", {investor: pact.tariffs.no_deal})):
        months = [rate_table(dt.date(year, m, 1), as_of=as_of, overrides=overrides,
                             surcharge=a.trade.no_deal_surcharge) for m in range(1, 13)]
        tables[name] = sum(months[1:], months[0]) / 12.0
    change = effects(tables["without"], tables["with"], a, investor=investor, rival=rival,
                     horizon=1)
    return max(0.0, -float(change.loc["total", "investor_value_added_change"]))


def _annuity(rate: float, years: int) -> float:
    return float(sum((1 + rate) ** -k for k in range(years)))


def korea_talks(pact: Pact, a: Assumptions, *, start: dt.date = dt.date(2025, 7, 31),
                deadline: dt.date = dt.date(2026, 7, 31),
                rival_signs: dt.date | None = dt.date(2025, 9, 4),
                threat: dt.date | None = dt.date(2025, 9, 11)) -> Talks:
    """The US–Korea talks as they ran (deal-facts.md): from the framework of 30 Jul 2025 the
    general rate was already at the deal's 15% but cars paid 25% until the MOU (the monthly
    cost, and a disagreement point better than the model's no deal); Japan signed on 4 Sep
    2025; on 11 Sep 2025 Lutnick's "accept the deal or pay the tariffs" threatened the general
    rate's return to its no-deal level (from then the disagreement point is the model's no deal
    and no deal costs each side its whole monthly cost); a year's deadline. The money from the
    tariff model on the run's as-of date (``--as-of 2025-11-13``: the world they bargained in),
    the same world the candidates' utilities are measured in."""
    code = pact.parties.investor_code
    r_i, r_h, years = a.investor_rate(code), a.discount.host, a.horizon_years
    known = a.trade.as_of
    framework = pact.with_terms({"tariffs.no_deal.general": pact.tariffs.deal.general})
    base = monthly_costs(framework, a, as_of=known)
    full = monthly_costs(pact, a, as_of=known)
    extra = (full[0] - base[0], full[1] - base[1])
    held = (extra[0] * 12 * _annuity(r_i, years), extra[1] * 12 * _annuity(r_h, years))
    lost = rival_diversion(pact, a, as_of=known)
    return Talks(start, deadline, base, initial=held, rival_signs=rival_signs,
                 rival_shift=(-lost * _annuity(r_i, years), a.negotiation.rival_precedent),
                 rival_monthly=(lost / 12, 0.0), threat=threat,
                 threat_shift=(-held[0], -held[1]), threat_monthly=extra,
                 notes=(f"tariffs as of {known}; with the framework's general rate no deal costs "
                        f"the investor ${base[0]:.2f}B a month and the host ${base[1]:.2f}B "
                        "(negative: delay pays it)",
                        f"the rival's deal diverts ${lost:.1f}B a year of the investor's value "
                        f"added; the host's precedent ${a.negotiation.rival_precedent:g}B",
                        f"the threat (the general rate back to its no-deal level) costs the "
                        f"investor ${extra[0]:.2f}B more a month and the host ${extra[1]:.2f}B"))
