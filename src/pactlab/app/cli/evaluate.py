"""``pactlab evaluate``, ``compare``, ``reserves`` and ``report``: flags -> a request -> the
service -> tables, JSON or CSV."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ...analysis.crisis import CRISIS_GROWTH
from ...analysis.valuation import Evaluation
from ...core.errors import PactError
from ...core.io import write_atomic
from ...present import format_value as fmt
from ...present import metric_units
from .. import service
from ..requests import CompareRequest, PactRequest, ReportRequest, ReservesRequest, build
from .common import (
    AssumptionsOpt,
    JsonOpt,
    PathsOpt,
    SeedOpt,
    SetOpt,
    TermOpt,
    app,
    ensure_folder,
    err,
    footnotes,
    macro_source,
    out,
    pact_fields,
    pacts_fields,
    progress,
    simulated,
    title,
    write_json,
)


def _evaluation_table(ev: Evaluation) -> Table:
    units = metric_units()
    summary = ev.summary()
    table = Table("metric", "investor", "host",
                  title=title(f"{ev.label}: {ev.pact.title}", ev.assumptions, [ev.pact]))
    for label, row in summary.iterrows():
        table.add_row(label, *(fmt(row[c], units[label]) for c in summary.columns))
    return table


@app.command("evaluate")
def evaluate_cmd(pact: str = typer.Argument(..., help="Preset name or .toml file."),
                 paths: int = PathsOpt, seed: int = SeedOpt, as_json: bool = JsonOpt,
                 as_csv: bool = typer.Option(False, "--csv", help="Print every metric as CSV."),
                 set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
                 assumptions: Path | None = AssumptionsOpt) -> None:
    """Simulate one pact and show what it pays each side, with its risk."""
    req = build(PactRequest, **simulated(paths, seed, set_, term, assumptions), **pact_fields(pact))
    with progress(paths >= 20_000 and not (as_json or as_csv)) as step:
        result = service.evaluate(req, progress=step)
    if as_json:
        write_json(result.to_json())
    elif as_csv:
        sys.stdout.write(result.to_csv())
    else:
        _show_evaluation(result.evaluation)


def _show_evaluation(ev: Evaluation) -> None:
    out.print(_evaluation_table(ev))
    units = metric_units()
    deal = Table("party", "component", "mean", "P5", "P50", "P95", "P(< 0)",
                 title="Deal or no deal: each side's gain over the no-deal case (PV)")
    for (party, component), row in ev.gain_summary().iterrows():
        style = "bold" if component == "total" else None
        deal.add_row(party, component, *(fmt(row[c], "usd_bn") for c in ("mean", "p5", "p50", "p95")),
                     fmt(row["p_below_zero"], "share"), style=style)
    out.print(deal)
    verdict = "yes" if ev.metrics["gain"]["individually_rational"] else "no"
    out.print(f"Individually rational for both (mean gain >= 0 on each side): [bold]{verdict}[/bold]")
    fx = Table("measure", "value", title="Can the investor pay? Reserves and adequacy")
    for label, value in ev.fx_summary().items():
        fx.add_row(label, fmt(value, units[f"fx: {label}"]))
    out.print(fx)
    capex = Table("sector", "capex financed (mean)", title="Capex the pact brings to the host")
    for sector, value in ev.capex_by_sector().items():
        capex.add_row(sector, fmt(value, "usd_bn"))
    out.print(capex)
    for tranche, amount in ev.plan.selection.unallocated.items():
        refusal = ev.pact.governance.refusal_tariff
        consequence = ("" if refusal is None else
                       f"; under the refusal clause the tariff snaps back to {refusal:.0%} from "
                       f"{ev.base_year + (ev.plan.calls.unfunded_from or 0)}")
        out.print(f"[yellow]⚠ {fmt(amount, 'usd_bn')} of tranche '{tranche}' found no eligible "
                  f"project{consequence}[/yellow]")
    footnotes([ev.pact], ev.assumptions, ev.paths, ev.seed)


@app.command()
def compare(pacts: list[str] = typer.Argument(..., help="Preset names or .toml files."),
            paths: int = PathsOpt, seed: int = SeedOpt, as_json: bool = JsonOpt,
            as_csv: bool = typer.Option(False, "--csv", help="Print CSV (rows: metrics)."),
            detail: bool = typer.Option(False, "--all", help="Every metric, not just the headline rows."),
            set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
            assumptions: Path | None = AssumptionsOpt) -> None:
    """Pacts side by side, on the same simulated futures."""
    req = build(CompareRequest, **simulated(paths, seed, set_, term, assumptions),
                **pacts_fields(pacts), detail=detail)
    with progress(paths * len(pacts) >= 20_000 and not (as_json or as_csv)) as step:
        result = service.compare(req, progress=step)
    if as_json:
        write_json(result.to_json())
        return
    if as_csv:
        sys.stdout.write(result.to_csv())
        return
    evaluations = result.evaluations
    loaded, a = [ev.pact for ev in evaluations], evaluations[0].assumptions
    units = metric_units()
    frame = result.table()
    table = Table("metric", *frame.columns,
                  title=title(f"Side by side: {paths:,} futures, seed {seed}", a, loaded))
    for label, row in frame.iterrows():
        table.add_row(label, *(fmt(v, units[label]) for v in row))
    out.print(table)
    footnotes(loaded, a, paths, seed)


_COLUMNS = {"calls_mean": ("calls (mean)", "usd_bn"), "reserves_p5": ("reserves P5", "usd_bn"),
            "reserves_p50": ("P50", "usd_bn"), "reserves_p95": ("P95", "usd_bn"),
            "no_pact_p50": ("no pact P50", "usd_bn"), "ara_p5": ("ARA ratio P5", "share"),
            "ara_p50": ("P50", "share"), "ara_p95": ("P95", "share"),
            "p_ara_below_100": ("P(ARA<100%)", "share"), "swap_mean": ("swap drawn (mean)", "usd_bn"),
            "deferred_mean": ("deferred (mean)", "usd_bn"), "bonds_mean": ("bonds (mean)", "usd_bn")}


@app.command()
def reserves(pact: str = typer.Argument(..., help="Preset name or .toml file."),
             paths: int = PathsOpt, seed: int = SeedOpt, as_json: bool = JsonOpt,
             as_csv: bool = typer.Option(False, "--csv", help="Print the year-by-year table as CSV."),
             vary: str = typer.Option("reserve_growth", "--vary",
                                      help="What the crisis table's columns vary: reserve_growth "
                                           "(history to full yield) or components_growth."),
             set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
             assumptions: Path | None = AssumptionsOpt) -> None:
    """Year by year: what the pact calls, and the investor's reserves and ARA ratio."""
    if vary not in CRISIS_GROWTH:
        raise PactError(f"--vary: {vary!r}; choose {' or '.join(CRISIS_GROWTH)}")
    req = build(ReservesRequest, **simulated(paths, seed, set_, term, assumptions),
                **pact_fields(pact), vary=vary)
    with progress(paths >= 20_000 and not (as_json or as_csv)) as step:
        result = service.reserves(req, progress=step, crisis=not as_csv)
    if as_csv:
        sys.stdout.write(result.to_csv())
    elif as_json:
        write_json(result.to_json())
    else:
        _show_reserves(result)


def _show_reserves(result: service.Reserves) -> None:
    ev, sens, vary = result.evaluation, result.crisis, result.vary
    a, p = ev.assumptions, ev.pact
    grid = Table("year", *(label for label, _ in _COLUMNS.values()),
                 title=title(f"{ev.label}: reserves year by year ({ev.paths:,} futures, seed {ev.seed})",
                             a, [p]))
    for year, row in result.table().iterrows():
        grid.add_row(str(year), *(fmt(row[c], unit) for c, (_, unit) in _COLUMNS.items()))
    out.print(grid)
    crisis = Table("sudden stop a year",
                   *(f"{CRISIS_GROWTH[vary]} {g:.2%}: {case}" for g, case in sens.columns),
                   title=f"P(reserve crisis within {a.fx.horizon_years} years) as the assumptions "
                         f"it hangs on move ({result.crisis_paths:,} futures)")
    for stop, row in sens.iterrows():
        crisis.add_row(f"{stop:.0%}", *(fmt(v, "share") for v in row))
    out.print(crisis)
    m, code = a.country(p.parties.investor_code), p.parties.investor_code
    out.print(f"[dim]With no pact, {code}'s reserves grow {m.reserve_growth:.2%} a year less sudden "
              f"stops (macro.{code}.reserve_growth: {escape(macro_source(code, 'reserve_growth'))}); "
              f"keeping all their {m.reserve_yield:.1%} yield instead: "
              f"--set macro.{code}.reserve_growth={m.reserve_yield:g}.[/dim]")
    footnotes([p], a, ev.paths, ev.seed)


@app.command()
def report(pacts: list[str] = typer.Argument(..., help="Preset names or .toml files."),
           output: Path = typer.Option(..., "-o", "--output", help="The HTML file to write.",
                                       dir_okay=False),
           paths: int = PathsOpt, seed: int = SeedOpt,
           set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
           assumptions: Path | None = AssumptionsOpt) -> None:
    """One self-contained HTML report (works offline) comparing the pacts."""
    ensure_folder(output)
    req = build(ReportRequest, **simulated(paths, seed, set_, term, assumptions), **pacts_fields(pacts))
    with progress(paths * len(pacts) >= 20_000) as step:
        result = service.report(req, progress=step)
    write_atomic(output, result.to_html())
    err.print(f"wrote {output} ({Path(output).stat().st_size / 1e6:.1f} MB): "
              f"{len(pacts)} pact(s), {paths:,} futures, seed {seed}")
