"""``pactlab evaluate``, ``compare``, ``reserves`` and ``report``: flags -> a request -> the
service -> tables, JSON or CSV."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ...analysis.crisis import CRISIS_GROWTH
from ...analysis.flips import Flip, FlipCheck
from ...analysis.valuation import Evaluation
from ...core.errors import PactError
from ...core.io import write_atomic
from ...inputs.ranges import value_text
from ...model.gains import DEFINITIONS
from ...present import format_value as fmt
from ...present import metric_units, robust_text
from ...present.verdict import baseline_labels, verdict, with_baseline
from .. import service
from ..requests import CompareRequest, PactRequest, ReportRequest, ReservesRequest, build
from .common import (
    AsOfOpt,
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
    print_fitted,
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


# --- flips: does a verdict flip within the plausible ranges? ----------------------------------

NoFlipsOpt = typer.Option(False, "--no-flips", help="Skip the check of whether a headline "
                                                    "verdict flips within the plausible ranges.")
#: compare checks only when asked: a range end is a whole evaluation of every pact, and four
#: pacts' checks take about a minute of CPU (evaluate checks its one pact by default)
FlipsOpt = typer.Option(False, "--flips", help="Also check whether a headline verdict flips "
                                               "within the plausible ranges (slow: about 10 s "
                                               "a pact).")
#: the most flips printed a pact (the rest: --json)
SHOWN_FLIPS = 5
NoRobustOpt = typer.Option(False, "--no-robust", help="Skip how sure each verdict is (the share "
                                                      "of the plausible range where it holds: "
                                                      "a small robust design, about 17 "
                                                      "evaluations a pact).")


def _flip_line(f: Flip) -> str:
    """``⚠ <pact>: <verdict> flips within plausible ranges: <key> at <value> (range a–b) →
    <side> gain $xB``."""
    turn = "yes → no" if not f.holds else "no → yes"
    return (f"⚠ {escape(f.pact)}: {f.verdict} flips within plausible ranges ({turn}): "
            f"{escape(f.range.key)} at {escape(value_text(f.value))} (range "
            f"{escape(f.range.text())}) → "
            f"{f.side} gain {fmt(f.gain, 'usd_bn')}")


def _show_flips(checks: list[FlipCheck] | None) -> None:
    """Under the table: each pact's flips (at most SHOWN_FLIPS), or that there are none."""
    for check in checks or []:
        for f in check.flips[:SHOWN_FLIPS]:
            out.print(f"[yellow]{_flip_line(f)}[/yellow]")
        if len(check.flips) > SHOWN_FLIPS:
            out.print(f"[yellow]  and {len(check.flips) - SHOWN_FLIPS} more (--json)[/yellow]")
        if not check.flips:
            out.print(f"[dim]{escape(check.pact)}: no headline verdict flips at the ends of the "
                      f"{len(check.checked)} plausible ranges that bear on it ({check.paths:,} "
                      f"futures, seed {check.seed}; pactlab assumptions lists them)[/dim]")
        else:
            out.print(f"[dim]  one input at a time, at each end of its range, on {check.paths:,} "
                      f"futures, seed {check.seed}[/dim]")


def _show_warnings(evaluations: list[Evaluation]) -> None:
    """Each pact's warnings (a tranche no eligible project took, …), one line each."""
    for ev in evaluations:
        for line in ev.plan.warnings:
            out.print(f"[yellow]⚠ {escape(ev.label)}: {escape(line)}[/yellow]")


@app.command("evaluate")
def evaluate_cmd(pact: str = typer.Argument(..., help="Preset name or .toml file."),
                 paths: int = PathsOpt, seed: int = SeedOpt, as_json: bool = JsonOpt,
                 as_csv: bool = typer.Option(False, "--csv", help="Print every metric as CSV."),
                 set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
                 assumptions: Path | None = AssumptionsOpt, no_flips: bool = NoFlipsOpt,
                 as_of: str | None = AsOfOpt) -> None:
    """Simulate one pact and show what it pays each side, with its risk, and whether a
    headline verdict flips within the plausible ranges."""
    flips = not (no_flips or as_csv)
    req = build(PactRequest, **simulated(paths, seed, set_, term, assumptions, as_of), **pact_fields(pact),
                flips=flips)
    with progress((paths >= 20_000 or flips) and not (as_json or as_csv)) as step:
        result = service.evaluate(req, progress=step, flip_progress=step)
    if as_json:
        write_json(result.to_json())
    elif as_csv:
        sys.stdout.write(result.to_csv())
    else:
        _show_evaluation(result.evaluation, result.flips)


def _show_evaluation(ev: Evaluation, flips: FlipCheck | None = None) -> None:
    out.print(_evaluation_table(ev))
    units = metric_units()
    deal = Table("party", "component", "mean", "P5", "P50", "P95", "P(< 0)",
                 title="Deal or no deal: each side's gain over the no-deal case (PV)")
    for (party, component), row in ev.gain_summary().iterrows():
        style = "bold" if component == "total" else None
        deal.add_row(party, component, *(fmt(row[c], "usd_bn") for c in ("mean", "p5", "p50", "p95")),
                     fmt(row["p_below_zero"], "share"), style=style)
    out.print(deal)
    out.print(f"[dim]{DEFINITIONS['tariff relief'].capitalize()}.[/dim]")
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
    _show_warnings([ev])
    _show_flips(None if flips is None else [flips])
    footnotes([ev.pact], ev.assumptions, ev.paths, ev.seed)


@app.command()
def compare(pacts: list[str] = typer.Argument(..., help="Preset names or .toml files."),
            paths: int = PathsOpt, seed: int = SeedOpt, as_json: bool = JsonOpt,
            as_csv: bool = typer.Option(False, "--csv", help="Print CSV (rows: metrics)."),
            detail: bool = typer.Option(False, "--all", help="Every metric, not just the headline rows."),
            set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
            assumptions: Path | None = AssumptionsOpt, check_flips: bool = FlipsOpt,
                 as_of: str | None = AsOfOpt, no_robust: bool = NoRobustOpt) -> None:
    """Pacts side by side, on the same simulated futures, with how sure each verdict is (the
    share of the plausible range where it holds; with --flips: whether a headline verdict flips
    within the plausible ranges)."""
    flips, robust = check_flips and not as_csv, not (no_robust or as_csv)
    req = build(CompareRequest, **simulated(paths, seed, set_, term, assumptions, as_of),
                **pacts_fields(pacts), detail=detail, flips=flips, robust=robust)
    with progress((paths * len(pacts) >= 20_000 or flips or robust)
                  and not (as_json or as_csv)) as step:
        result = service.compare(req, progress=step, flip_progress=step)
    if as_json:
        write_json(result.to_json())
        return
    if as_csv:
        sys.stdout.write(result.to_csv())
        return
    evaluations = result.evaluations
    loaded, a = [ev.pact for ev in evaluations], evaluations[0].assumptions
    _show_verdicts(result)
    units, baselines = metric_units(), baseline_labels()
    frame = result.table()

    def cell(label: str, j: int, v: float) -> str:
        if label not in baselines:
            return fmt(v, units[label])
        group, key = baselines[label]
        return with_baseline(v, evaluations[j].metrics[group][key], units[label])
    print_fitted(title(f"Side by side: {paths:,} futures, seed {seed}", a, loaded), "metric",
                 [str(c) for c in frame.columns],
                 [(str(label), [cell(label, j, v) for j, v in enumerate(row)])
                  for label, row in frame.iterrows()],
                 abbreviate=True)
    _show_strip(result)
    _show_warnings(evaluations)
    _show_flips(result.flips)
    footnotes(loaded, a, paths, seed)


def _show_verdicts(result: service.Comparison) -> None:
    """The verdict strip above the table: a sentence a pact, with how sure it is."""
    for ev in result.evaluations:
        holds = None
        if result.robustness is not None:
            holds = {v["verdict"]: v["holds_share"] for v in result.robustness.result.verdicts
                     if v["pact"] == ev.label and v["holds_share"] is not None} or None
        out.print(f"[bold]{escape(ev.label)}[/bold]: {escape(verdict(ev, holds)['sentence'])}")
    out.print("")


def _show_strip(result: service.Comparison) -> None:
    """Beside each verdict (as this comparison has it), the share of the plausible range where
    it holds, from the strip's small design."""
    strip = result.robustness
    if strip is None:
        return
    bound = float(strip.result.manifest["crisis_bound"])
    at = {ev.label: robust_text.evaluation_verdicts(ev.metrics, bound) for ev in result.evaluations}
    rows = robust_text.strip_rows(strip.result, at)
    print_fitted(escape(f"How sure is each verdict? Holds in X% of the plausible range: "
                        f"{robust_text.design_text(strip.result)}"), "verdict",
                 [c["pact"] for c in rows[0]["cells"]] if rows else [],
                 [(row["name"], [c["text"] for c in row["cells"]]) for row in rows],
                 abbreviate=True)
    out.print(f"[dim]yes/no: the verdict on these futures; the shares: "
              f"`pactlab robust … --points {strip.result.manifest['points']} --paths "
              f"{strip.result.manifest['paths']} --seed {strip.result.manifest['seed']}` "
              "(more points for a finer answer, and what would flip each); --no-robust skips "
              "it[/dim]")


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
             vary: str = typer.Option("non_pact_flow", "--vary",
                                      help="What the crisis table's columns vary: non_pact_flow "
                                           "(Korea's 2016-25 regime, the default, its 2005-15 "
                                           "regime) or std_growth (short-term debt)."),
             set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
             assumptions: Path | None = AssumptionsOpt, as_of: str | None = AsOfOpt) -> None:
    """Year by year: what the pact calls, what the investor raises to pay it, and its reserves,
    ARA ratio and crisis risk."""
    if vary not in CRISIS_GROWTH:
        raise PactError(f"--vary: {vary!r}; choose {' or '.join(CRISIS_GROWTH)}")
    req = build(ReservesRequest, **simulated(paths, seed, set_, term, assumptions, as_of),
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
    print_fitted(title(f"{ev.label}: reserves year by year ({ev.paths:,} futures, seed {ev.seed})",
                       a, [p]), "year", [label for label, _ in _COLUMNS.values()],
                 [(str(year), [fmt(row[c], unit) for c, (_, unit) in _COLUMNS.items()])
                  for year, row in result.table().iterrows()], blocks=[1, 3, 1, 3, 1, 1, 1, 1])
    _show_capacity(result)
    print_fitted(f"P(reserve crisis within {a.fx.horizon_years} years) as the assumptions it hangs "
                 f"on move ({result.crisis_paths:,} futures; columns: {CRISIS_GROWTH[vary]})",
                 "sudden stop a year", [f"{g:.2%}: {case}" for g, case in sens.columns],
                 [(f"{stop:.0%}", [fmt(v, "share") for v in row]) for stop, row in sens.iterrows()])
    m, code = a.country(p.parties.investor_code), p.parties.investor_code
    out.print(f"[dim]With no pact, {code}'s reserves earn {m.reserve_yield:.1%} and take in non-pact "
              f"flows of {m.non_pact_flow:.2%} of GDP a year (macro.{code}.non_pact_flow: "
              f"{escape(macro_source(code, 'non_pact_flow'))}); sudden stops drain short-term debt "
              f"and flow back. `pactlab backtest {code}` sets the model against history.[/dim]")
    footnotes([p], a, ev.paths, ev.seed)


_CAPACITY = {"calls": "calls (mean)", "from_reserves": "from reserves", "reserve_income":
             "reserve income", "bond_funding": "bonds", "non_pact_flows": "non-pact flows",
             "capacity": "capacity", "headroom": "headroom"}


def _show_capacity(result: service.Reserves) -> None:
    """The investor's yearly funding capacity beside the calls."""
    print_fitted("What the investor raises each year beside what the pact calls (USD bn a year; "
                 "income on the median reserve path)", "year", list(_CAPACITY.values()),
                 [(str(year), [fmt(row[c], "usd_bn") for c in _CAPACITY])
                  for year, row in result.capacity().iterrows()])


@app.command()
def report(pacts: list[str] = typer.Argument(..., help="Preset names or .toml files."),
           output: Path = typer.Option(..., "-o", "--output", help="The HTML file to write.",
                                       dir_okay=False),
           paths: int = PathsOpt, seed: int = SeedOpt,
           set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
           assumptions: Path | None = AssumptionsOpt, as_of: str | None = AsOfOpt,
           no_robust: bool = NoRobustOpt) -> None:
    """One self-contained HTML report (works offline) comparing the pacts, with how sure each
    verdict is and what would change it."""
    ensure_folder(output)
    req = build(ReportRequest, **simulated(paths, seed, set_, term, assumptions, as_of),
                **pacts_fields(pacts), robust=not no_robust)
    with progress(paths * len(pacts) >= 20_000 or not no_robust) as step:
        result = service.report(req, progress=step)
    write_atomic(output, result.to_html())
    err.print(f"wrote {output} ({Path(output).stat().st_size / 1e6:.1f} MB): "
              f"{len(pacts)} pact(s), {paths:,} futures, seed {seed}")
