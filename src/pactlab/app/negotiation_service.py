"""``pactlab negotiate``: a :class:`~pactlab.app.requests.NegotiationRequest` checked and run
(candidates, frontier, solutions, best_for and the exchange rates, the alternating offers and,
with ``--stability``, the recommendation's robustness) into a result that becomes JSON, files
and a report. Beside :mod:`pactlab.app.service`, which re-exports it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis.valuation import evaluate_all
from ..core.errors import PactError
from ..core.jsonable import json_safe, to_json
from ..inputs.assumptions import Assumptions
from ..inputs.terms import preset_names
from ..present import payloads
from .pacts import preset
from .requests import NegotiationRequest
from .resolve import Progress, assumptions_of, csv, report_html, resolve

__all__ = ["NegotiationInputs", "Negotiated", "negotiate", "negotiation_inputs"]


@dataclass(frozen=True)
class NegotiationInputs:
    """A negotiation request, checked: the issue space, the preferences, the reference."""

    space: Any
    prefs: Any
    reference: str | None
    agents: tuple[Any, Any] | None
    assumptions: Assumptions


def negotiation_inputs(req: NegotiationRequest) -> NegotiationInputs:
    """Check a negotiation request (fast): every error a run would meet at its start."""
    from ..analysis.negotiate import SPACES, Agent, IssueSpace, Preferences, parse_issue
    from ..analysis.negotiate.redlines import discounts, with_red_lines
    a = assumptions_of(req)
    base = resolve(req).pacts[0]
    issues = tuple(parse_issue(text) for text in req.issues)
    if req.space is not None:
        built = SPACES[req.space](base).issues
        issues = (*issues, *(i for i in built if i.key not in {x.key for x in issues}))
    prefs = Preferences.from_assumptions(a)
    if req.max_crisis is not None:
        prefs = Preferences(prefs.investor_risk_aversion, prefs.host_risk_aversion, prefs.tail,
                            req.max_crisis)
    ref = req.reference or ("korea-final-2025-11" if base.parties.investor_code == "KOR" else None)
    if ref is not None and ref not in preset_names():
        raise PactError(f"--reference: {ref!r} is not a preset; presets are {', '.join(preset_names())}")
    if req.talks and req.agents is None:
        raise PactError("--talks: the calendar needs two agents to bargain (--agents A,B)")
    if req.talks and base.parties.investor_code != "KOR":
        raise PactError(f"--talks: the calendar is the US–Korea talks'; "
                        f"{base.parties.investor_code} has no record of its own")
    deltas = discounts(req.discount, req.discount_investor, req.discount_host)
    agents = None if req.agents is None else (Agent(req.agents[0], deltas[0]), Agent(req.agents[1], deltas[1]))
    return NegotiationInputs(with_red_lines(IssueSpace(base, issues), req.red_lines), prefs, ref, agents, a)


@dataclass(frozen=True)
class Negotiated:
    """A negotiation: candidates, frontier, solutions and (with agents) the alternating offers."""

    negotiation: Any
    outcome: Any
    assumptions: Assumptions
    request: NegotiationRequest
    explained: Any = None          # best_for, candidate utilities, exchange rates (optimise.py)
    stability: Any = None          # the Nash deal across replications (stability.py)
    talks: Any = None              # (Talks, TalksOutcome): the agents on the calendar (talks.py)

    def payload(self) -> dict[str, Any]:
        extra = {} if self.explained is None else self.explained.payload()
        if self.stability is not None:
            extra["stability"] = json_safe(self.stability.to_dict())
        if self.talks is not None:
            calendar, played = self.talks
            extra["talks"] = json_safe({"start": calendar.start.isoformat(),
                                        "deadline": calendar.deadline.isoformat(),
                                        "notes": list(calendar.notes), **played.to_dict()})
        return payloads.negotiation_payload(self.negotiation, self.outcome, self.assumptions) | extra

    def chart(self) -> dict[str, Any]:
        """What the workbench's utility-space chart needs."""
        return payloads.negotiation_chart(self.negotiation)

    def to_json(self) -> str:
        return to_json(self.payload())

    def files(self) -> dict[str, str]:
        """The solutions as term sheets, the candidates as CSV, the whole result as JSON, and a
        report with the negotiation section: file name -> text."""
        neg, req = self.negotiation, self.request
        out = {f"{name}.toml": text for name in neg.solutions
               if (text := neg.solution_toml(name)) is not None}
        table = neg.candidates.values.join(neg.stats)
        out["candidates.csv"] = csv(table, index_label="candidate")
        out["negotiation.json"] = self.to_json() + "\n"
        shown = [neg.space.base, *([preset(neg.reference)] if neg.reference else [])]
        nash = neg.solution_pact("nash")
        shown += [nash] if nash is not None else []
        evaluations = evaluate_all(shown, req.paths, req.seed, assumptions=self.assumptions)
        out["report.html"] = report_html(evaluations, negotiation=neg, stability=self.stability,
                                         title=_title(neg))
        return out


def _title(neg: Any) -> str:
    """The negotiation report's title in words: where it starts, how many of its terms were
    changed, over how many issues and candidates (not the raw --term text)."""
    base = neg.space.base
    changed = f", {len(base.overrides)} of its terms changed" if base.overrides else ""
    return (f"Negotiating from {base.title.split(':')[0]}{changed}: {len(neg.space.issues)} "
            f"issues, {len(neg.candidates.pacts):,} candidate deals")


def negotiate(req: NegotiationRequest, *, progress: Progress = None) -> Negotiated:
    from ..analysis.negotiate import alternating_offers
    from ..analysis.negotiate import negotiate as run_negotiation
    from ..analysis.negotiate.optimise import explain
    from ..model.futures import futures
    got = negotiation_inputs(req)
    neg = run_negotiation(got.space, futures(req.paths, req.seed, got.assumptions),
                          sample=req.sample, n=req.n, seed=req.seed, prefs=got.prefs,
                          reference=got.reference, progress=progress)
    outcome = None
    if got.agents is not None:
        outcome = alternating_offers(neg.utilities.constrained(), got.agents, req.rounds,
                                     breakdown=req.breakdown, seed=req.seed,
                                     values=neg.candidates.values)
    explained = explain(neg, budget=req.budget, progress=progress)
    stable = None
    if req.stability:
        from ..analysis.negotiate.stability import stability
        stable = stability(got.space, got.assumptions, replications=req.stability,
                           n=req.n or 100, paths=req.paths, seed=req.seed, sample=req.sample
                           if req.sample != "grid" else "lhs", progress=progress)
    return Negotiated(neg, outcome, got.assumptions, req, explained, stable, _talks(req, got, neg))


def _talks(req: NegotiationRequest, got: NegotiationInputs, neg: Any) -> Any:
    """The agents on the calendar of the Korean talks (``--talks``; checked in
    :func:`negotiation_inputs`), or None."""
    if not req.talks:
        return None
    from ..analysis.negotiate.talks import calendar_offers, korea_talks
    calendar = korea_talks(neg.space.base, got.assumptions)
    assert got.agents is not None          # negotiation_inputs refused --talks without agents
    return calendar, calendar_offers(neg.utilities.constrained(), got.agents, calendar,
                                     values=neg.candidates.values)
