"""``pactlab negotiate``: which deals beat no deal for both sides, which are efficient, and where
bargaining lands."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..._version import __version__
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
              discount: float = typer.Option(1.0, "--discount", min=0.01, max=1.0,
                                             help="Both agents' discount factor per round."),
              breakdown: float = typer.Option(0.0, "--breakdown", min=0.0, max=0.99,
                                              help="Chance per round that talks break down."),
              reference: str | None = typer.Option(None, "--reference",
                                                   help="A preset to measure against the frontier."),
              max_crisis: float | None = typer.Option(None, "--max-crisis", min=0.0, max=1.0,
                                                      help="The investor refuses pacts with a higher P(reserve crisis)."),
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
    req = build(NegotiationRequest, **simulated(paths, seed, set_, term, assumptions, as_of),
                **pact_fields(pact), issues=issue or [], space=space, sample=sample, n=n,
                agents=_agents(agents), rounds=rounds, discount=discount, breakdown=breakdown,
                reference=reference, max_crisis=max_crisis)
    with progress(not as_json) as step:
        result = service.negotiate(req, progress=step)
    if req.agents is not None:
        err.print(f"alternating offers: investor {req.agents[0]}, host {req.agents[1]}, "
                  f"{rounds} rounds, discount {discount:g}, breakdown {breakdown:g} a round")
    if output is not None:
        output.mkdir(exist_ok=True)
        for name, text in result.files().items():
            write_atomic(output / name, text)
    if as_json:
        write_json(result.to_json())
        return
    _show(result)
    if output is not None:
        err.print(f"wrote {output}/: the solutions' term sheets, candidates.csv, negotiation.json, report.html")


def _solution_row(table: Table, label: str, s: Any) -> None:
    table.add_row(label, fmt(s.investor_mean, "usd_bn"), fmt(s.investor_p_loss, "share"),
                  fmt(s.host_mean, "usd_bn"), fmt(s.host_p_loss, "share"), fmt(s.p_crisis, "share"),
                  f"{fmt(s.investor_utility, 'usd_bn')}, {fmt(s.host_utility, 'usd_bn')}")


def _solutions_table(title_text: str) -> Table:
    return Table("solution" if "Bargaining" in title_text else "preset", "investor gain (mean)",
                 "P(loss)", "host gain (mean)", "P(loss)", "investor P(crisis)",
                 "utilities (investor, host)", title=title_text)


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


def _show(result: service.Negotiated) -> None:
    from ...analysis.negotiate.run import SOLUTIONS
    neg = result.negotiation
    base, values, stats = neg.space.base, neg.candidates.values, neg.stats
    _show_head(result)
    found = {name: i for name, i in neg.solutions.items() if i is not None}
    if not found:
        out.print("[yellow]No candidate is better than no deal for both sides.[/yellow]")
    table = _solutions_table("Bargaining solutions (each on the same futures)")
    for name, i in found.items():
        _solution_row(table, SOLUTIONS[name][0], stats.iloc[i])
    out.print(table)
    if found:
        terms = Table("issue", pact_label(base), *found, title="Their terms")
        current = neg.space.values_of(base)
        for key in values.columns:
            terms.add_row(key, cell(current[key]), *(cell(values.iloc[i][key]) for i in found.values()))
        out.print(terms)
    presets = _solutions_table("Where the presets sit, on the same futures")
    for name, s in neg.presets.iterrows():
        _solution_row(presets, name, s)
    out.print(presets)
    _show_gap_and_zopa(neg)
    if result.outcome is not None:
        _show_offers(result.outcome)
    req = result.request
    out.print(f"[dim]{req.paths:,} futures per candidate, seed {req.seed}, pactlab {__version__}[/dim]")


def _show_gap_and_zopa(neg: Any) -> None:
    gap = neg.reference_gap()
    if gap is not None:
        if gap["candidate"] is None:
            out.print(f"{neg.reference} is on the frontier: no candidate is better for both sides.")
        else:
            out.print(f"{neg.reference} is inside the frontier: candidate {gap['candidate']} gives the "
                      f"investor {fmt(gap['investor'], 'usd_bn')} and the host {fmt(gap['host'], 'usd_bn')} "
                      f"more utility.")
    ztable = Table("issue", "lowest", "highest", "levels", title="Zone of possible agreement: "
                   "how far each issue ranges over the deals better than no deal for both")
    for key, row in neg.zopa().iterrows():
        ztable.add_row(key, cell(row["min"]), cell(row["max"]), str(row["levels"]))
    out.print(ztable)


def _show_offers(outcome: Any) -> None:
    out.print(f"Alternating offers: ended by {outcome.ended} in round "
              f"{outcome.round}" + ("" if outcome.agreement is None else
              f", on candidate {outcome.agreement} (utilities {fmt(outcome.utilities[0], 'usd_bn')}, "
              f"{fmt(outcome.utilities[1], 'usd_bn')}, discounted)"))
    t = Table("round", "proposer", "candidate", "investor utility", "host utility", "accepted",
              title="The last offers")
    for _, r in outcome.trace.tail(8).iterrows():
        t.add_row(str(r["round"]), r["proposer"], str(r["candidate"]), fmt(r["investor_utility"], "usd_bn"),
                  fmt(r["host_utility"], "usd_bn"), "yes" if r["accepted"] else "")
    out.print(t)
