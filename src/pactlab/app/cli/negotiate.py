"""``pactlab negotiate``: which deals beat no deal for both sides, which are efficient, and where
bargaining lands."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ..._version import __version__
from ...analysis.negotiate.redlines import discounts
from ...core.errors import PactError
from ...core.io import write_atomic
from ...inputs.terms import pact_label
from ...present import format_value as fmt
from .. import service
from ..requests import NegotiationRequest, build
from .common import (
    AsOfOpt,
    AssumptionsOpt,
    JsonOpt,
    SeedOpt,
    SetOpt,
    TermOpt,
    app,
    cell,
    ensure_folder,
    err,
    out,
    pact_fields,
    print_fitted,
    progress,
    simulated,
    title,
    write_json,
)


def _agents(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [t.strip() for t in text.split(",")]
    if len(names) != 2:
        raise PactError(f"--agents: name two tactics, investor first, e.g. boulware,conceder; got {text!r}")
    return names


DISCOUNT_HELP = "The side's discount factor per round, in (0, 1) (default: --discount, else 0.9)."
RED_LINE_HELP = "KEY=VALUE: fix an issue for the run (repeatable), e.g. tariffs.deal.general=0.15."


StabilityOpt = typer.Option(0, "--stability", min=0, max=64,
                            help="Re-find the Nash deal this many times (seeds, risk aversion, the "
                                 "plausible ranges): how often each term value is chosen.")


@app.command()
def negotiate(pact: str = typer.Argument(..., help="The pact to negotiate from (preset or .toml)."),
              issue: list[str] | None = typer.Option(None, "--issue",
                                                     help="KEY=LO:HI[:STEP] or KEY=a,b,c (repeatable)."),
              space: str | None = typer.Option(None, "--space", help="A built-in issue space: korea."),
              sample: str = typer.Option("grid", "--sample", help="grid, lhs or sobol."),
              n: int | None = typer.Option(None, "--n", min=1, help="Candidates for lhs/sobol."),
              agents: str | None = typer.Option(None, "--agents",
                                                help="Two tactics, investor first: e.g. boulware,conceder."),
              rounds: int = typer.Option(20, "--rounds", min=1, max=10_000, help="Deadline of the talks."),
              discount: float | None = typer.Option(None, "--discount",
                                                    help="Both agents' discount factor per round, in (0, 1)."),
              discount_investor: float | None = typer.Option(None, "--discount-investor", help=DISCOUNT_HELP),
              discount_host: float | None = typer.Option(None, "--discount-host", help=DISCOUNT_HELP),
              red_line: list[str] | None = typer.Option(None, "--red-line", help=RED_LINE_HELP),
              stability: int = StabilityOpt,
              talks: bool = typer.Option(False, "--talks",
                                         help="The agents bargain month by month on the calendar "
                                              "of the US–Korea talks (no-deal tariffs in force, "
                                              "Japan's deal, the US threat; --as-of 2025-11-13)."),
              budget: int = typer.Option(60, "--budget", min=0, max=10_000,
                                         help="best_for: new simulations per party (0: the best candidate)."),
              breakdown: float = typer.Option(0.0, "--breakdown", min=0.0, max=0.99,
                                              help="Chance per round that talks break down."),
              reference: str | None = typer.Option(None, "--reference",
                                                   help="A preset to measure against the frontier."),
              max_crisis: float | None = typer.Option(None, "--max-crisis", min=0.0, max=1.0,
                                                      help="The investor refuses pacts with a higher P(reserve crisis)."),
              preferences: Path | None = typer.Option(
                  None, "--preferences", dir_okay=False,
                  help="Preferences `pactlab calibrate -o` wrote (before --set)."),
              output: Path | None = typer.Option(None, "-o", "--output", file_okay=False,
                                                 help="Folder for the solutions' term sheets, the candidates and a report."),
              paths: int = typer.Option(2_000, "--paths", min=1, max=5_000_000, help="Futures per candidate."),
              seed: int = SeedOpt, as_json: bool = JsonOpt, set_: list[str] | None = SetOpt,
              term: list[str] | None = TermOpt, assumptions: Path | None = AssumptionsOpt,
              as_of: str | None = AsOfOpt) -> None:
    """Which deals beat no deal for both sides, which are efficient, and where bargaining lands."""
    if space is not None and space != "korea":
        from ...analysis.negotiate import SPACES
        raise PactError(f"--space: unknown space {space!r}; spaces are {', '.join(SPACES)}")
    if output is not None:
        ensure_folder(output)
    fields = _with_preferences(simulated(paths, seed, set_, term, assumptions, as_of), preferences)
    req = build(NegotiationRequest, **fields,
                **pact_fields(pact), issues=issue or [], space=space, sample=sample, n=n,
                agents=_agents(agents), rounds=rounds, discount=discount,
                discount_investor=discount_investor, discount_host=discount_host,
                red_lines=red_line or [], budget=budget, breakdown=breakdown, stability=stability, talks=talks,
                reference=reference, max_crisis=max_crisis)
    with progress(not as_json) as step:
        result = service.negotiate(req, progress=step)
    _say_agents(req)
    _write(output, result)
    if as_json:
        write_json(result.to_json())
        return
    _show(result)
    if output is not None:
        err.print(f"wrote {output}/: the solutions' term sheets, candidates.csv, negotiation.json, report.html")


def _write(output: Path | None, result: service.Negotiated) -> None:
    if output is not None:
        output.mkdir(exist_ok=True)
        for name, text in result.files().items():
            write_atomic(output / name, text)


def _with_preferences(fields: dict[str, Any], path: Path | None) -> dict[str, Any]:
    """A request's fields with the preferences ``calibrate -o`` wrote under its --set changes."""
    if path is None:
        return fields
    from ...analysis.calibrate import read_preferences
    return {**fields, "assumptions": {**read_preferences(path), **fields["assumptions"]}}


def _say_agents(req: NegotiationRequest) -> None:
    if req.agents is not None:
        d = discounts(req.discount, req.discount_investor, req.discount_host)
        err.print(f"alternating offers: investor {req.agents[0]}, host {req.agents[1]}, "
                  f"{req.rounds} rounds, discount factors investor {d[0]:g}, host {d[1]:g} a round, "
                  f"breakdown {req.breakdown:g} a round")


def _solution_row(label: str, s: Any) -> tuple[str, list[str]]:
    return (label, [fmt(s.investor_mean, "usd_bn"), fmt(s.investor_p_loss, "share"),
                    fmt(s.host_mean, "usd_bn"), fmt(s.host_p_loss, "share"), fmt(s.p_crisis, "share"),
                    f"{fmt(s.investor_utility, 'usd_bn')}, {fmt(s.host_utility, 'usd_bn')}"])


def _solutions_table(title_text: str, rows: list[tuple[str, list[str]]]) -> None:
    if not rows:
        return
    print_fitted(title_text, "solution" if "Bargaining" in title_text else "preset",
                 ["investor gain (mean)", "P(loss)", "host gain (mean)", "P(loss)",
                  "investor P(crisis)", "utilities (investor, host)"], rows)


def _show_head(result: service.Negotiated) -> None:
    neg, a = result.negotiation, result.assumptions
    base, p = neg.space.base, neg.prefs
    out.print(title(f"Negotiating from {pact_label(base)}: {len(neg.candidates.pacts):,} candidates "
                    f"({neg.candidates.skipped} rejected by the term sheet), "
                    f"{int(neg.individually_rational.sum()):,} better than no deal for both, "
                    f"{len(neg.frontier)} on the Pareto frontier", a, [base]))
    out.print(f"Utility = mean gain − λ·(mean − CVaR {p.tail:.0%}), λ investor {p.investor_risk_aversion:g}, "
              f"host {p.host_risk_aversion:g}; the disagreement point is (0, 0): gains are measured "
              f"against the no-deal case of the same futures."
              + (f" The investor refuses P(reserve crisis) > {p.investor_max_crisis_prob:.0%}."
                 if p.investor_max_crisis_prob < 1 else ""))
    from ...model.gains import view_note
    out.print(f"[dim]{view_note(a)}[/dim]", markup=True)


def _show(result: service.Negotiated) -> None:
    from ...analysis.negotiate.run import SOLUTIONS
    neg = result.negotiation
    base, values, stats = neg.space.base, neg.candidates.values, neg.stats
    _show_head(result)
    found = {name: i for name, i in neg.solutions.items() if i is not None}
    if not found:
        out.print("[yellow]No candidate is better than no deal for both sides.[/yellow]")
    _solutions_table("Bargaining solutions (each on the same futures)",
                     [_solution_row(SOLUTIONS[name][0], stats.iloc[i]) for name, i in found.items()])
    if found:
        current = neg.space.values_of(base)
        print_fitted("Their terms", "issue", [pact_label(base), *found],
                     [(key, [cell(current[key]), *(cell(values.iloc[i][key]) for i in found.values())])
                      for key in values.columns], abbreviate=True)
    _solutions_table("Where the presets sit, on the same futures",
                     [_solution_row(name, s) for name, s in neg.presets.iterrows()])
    _show_gap_and_zopa(neg)
    if result.explained is not None:
        _show_best(result.explained, base)
    if result.outcome is not None:
        _show_offers(result.outcome)
    if result.stability is not None:
        _show_stability(result.stability)
    if result.talks is not None:
        _show_talks(*result.talks)
    req = result.request
    out.print(f"[dim]{req.paths:,} futures per candidate, seed {req.seed}, pactlab {__version__}[/dim]")


def _show_talks(calendar: Any, played: Any) -> None:
    """The talks month by month: who offered what, each side's disagreement point, the events."""
    for note in calendar.notes:
        out.print(f"[dim]{escape(note)}[/dim]")
    when = "" if played.agreement is None else f" on candidate {played.agreement}"
    out.print(f"The talks from {calendar.start:%b %Y}: ended by {played.ended} in {played.date:%b %Y}"
              f"{when} (utilities net of the months of talks {fmt(played.utilities[0], 'usd_bn')}, "
              f"{fmt(played.utilities[1], 'usd_bn')})")
    t = played.trace
    print_fitted("Month by month", "month",
                 ["proposer", "candidate", "investor utility", "host utility",
                  "investor no deal", "host no deal", "events", "accepted"],
                 [(f"{r['date']:%Y-%m}", [r["proposer"], "–" if r["candidate"] is None else str(r["candidate"]),
                                         fmt(r["investor_utility"], "usd_bn"), fmt(r["host_utility"], "usd_bn"),
                                         fmt(r["investor_disagreement"], "usd_bn"),
                                         fmt(r["host_disagreement"], "usd_bn"), r["events"],
                                         "yes" if r["accepted"] else ""])
                  for _, r in t.iterrows()])


def _show_stability(st: Any) -> None:
    """How often each term value is the Nash deal's, over the replications."""
    d = st.design
    print_fitted(f"How robust is the recommendation? The Nash deal in {d['with_nash_deal']} of "
                 f"{d['replications']} replications (new futures and candidates each, risk "
                 f"aversion {', '.join(f'{x:g}' for x in d['risk_aversions'])}, "
                 f"{len(d['ranged'])} assumptions over their plausible ranges)", "issue",
                 ["most chosen", "share", "others"],
                 [(row["issue"], [str(row["most chosen"]), fmt(row["share"], "share"), row["others"]])
                  for _, row in st.table().iterrows()])


def _show_gap_and_zopa(neg: Any) -> None:
    gap = neg.reference_gap()
    if gap is not None:
        if gap["candidate"] is None:
            out.print(f"{neg.reference} is on the frontier: no candidate is better for both sides.")
        else:
            out.print(f"{neg.reference} is inside the frontier: candidate {gap['candidate']} gives the "
                      f"investor {fmt(gap['investor'], 'usd_bn')} and the host {fmt(gap['host'], 'usd_bn')} "
                      f"more utility.")
    print_fitted("Zone of possible agreement: how far each issue ranges over the deals better "
                 "than no deal for both", "issue", ["lowest", "highest", "levels"],
                 [(key, [cell(row["min"]), cell(row["max"]), str(row["levels"])])
                  for key, row in neg.zopa().iterrows()])


def _show_offers(outcome: Any) -> None:
    out.print(f"Alternating offers: ended by {outcome.ended} in round "
              f"{outcome.round}" + ("" if outcome.agreement is None else
              f", on candidate {outcome.agreement} (utilities {fmt(outcome.utilities[0], 'usd_bn')}, "
              f"{fmt(outcome.utilities[1], 'usd_bn')}, discounted)"))
    print_fitted("The last offers", "round",
                 ["proposer", "candidate", "investor utility", "host utility", "accepted"],
                 [(str(r["round"]), [r["proposer"], str(r["candidate"]), fmt(r["investor_utility"], "usd_bn"),
                                     fmt(r["host_utility"], "usd_bn"), "yes" if r["accepted"] else ""])
                  for _, r in outcome.trace.tail(8).iterrows()])


def _show_best(ex: Any, base: Any) -> None:
    """best_for for each party and the exchange rates at the Nash deal."""
    if ex.red_lines:
        out.print("Red lines (held in every candidate, solution and deal below): "
                  + ", ".join(f"{k} = {cell(v)}" for k, v in ex.red_lines.items()))
    found = {p: b for p, b in ex.best_for.items() if b is not None}
    if found:
        rows = [("utilities (investor, host)",
                 [f"{fmt(b.investor_utility, 'usd_bn')}, {fmt(b.host_utility, 'usd_bn')}"
                  for b in found.values()]),
                ("best sampled candidate",
                 ["none" if b.best_candidate is None else
                  f"{b.best_candidate} ({fmt(cast_float(b.best_candidate_utility), 'usd_bn')})"
                  for b in found.values()]),
                ("found by", [f"{b.source} ({b.evaluations} simulations)" for b in found.values()])]
        rows += [(key, [cell(b.terms[key]) for b in found.values()])
                 for key in next(iter(found.values())).terms]
        print_fitted("Each side's best deal with the other at or above no deal "
                     f"(up to {ex.budget} new simulations each, on the same futures)", "",
                     [f"best for the {p}" for p in found], rows)
    if ex.nash is None:
        out.print("No Nash deal among the candidates, so no exchange rates.")
    elif len(ex.rates):
        print_fitted(f"Exchange rates at the Nash deal (candidate {ex.nash}): each side's marginal "
                     "utility, USD bn per unit of the issue", "issue",
                     ["unit", "at", "from", "to", "investor per unit", "host per unit",
                      "host per investor"],
                     [(row["issue"], [row["unit"], cell(row["value"]), cell(row["from"]), cell(row["to"]),
                                      f"{row['investor_marginal']:.4g}", f"{row['host_marginal']:.4g}",
                                      f"{row['host_per_investor']:.3g}"])
                      for _, row in ex.rates.iterrows()])


def cast_float(value: float | None) -> float:
    return float("nan") if value is None else value
