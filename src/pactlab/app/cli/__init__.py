"""`pactlab …`: the command line. Tables for people, --json for machines, one-line errors."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..._version import __version__
from ...analysis.valuation import (
    CRISIS_GROWTH,
    Evaluation,
    crisis_rows,
    crisis_sensitivity,
    digest,
    evaluate_all,
)
from ...core.errors import PactError
from ...core.io import write_atomic
from ...inputs import data
from ...inputs.assumptions import Assumptions, load_assumptions, parse_settings
from ...inputs.terms import Pact, load_pact, pact_label, pact_to_toml, preset_names, source_toml
from ...inputs.terms.fields import term_fields
from ...model.futures import futures
from ...present import comparison_column, context_note, frame_columns, metric_units, titled, to_json
from ...present import format_value as fmt

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Analyse investment-for-tariff pacts: what each side gets, and how risky it is.")
# piped output (CI logs, files) gets a wide page instead of rich's 80-column default
out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False)

PathsOpt = typer.Option(10_000, "--paths", min=1, max=5_000_000, help="Number of simulated futures.")
SeedOpt = typer.Option(0, "--seed", min=0, help="Random seed; the same seed gives the same numbers.")
JsonOpt = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")
SetOpt = typer.Option(None, "--set", help="Override an assumption: key=value (repeatable).")
TermOpt = typer.Option(None, "--term", help="Override a pact term: key=value (repeatable).")
AssumptionsOpt = typer.Option(None, "--assumptions", help="TOML file of assumptions to use.",
                              dir_okay=False)
# typer vendors click; its exception classes are reachable through the public BadParameter.
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _assumptions(path: Path | None, settings: list[str] | None) -> Assumptions:
    return load_assumptions(path, parse_settings(settings or []))


def _pacts(names: list[str], terms: list[str] | None) -> list[Pact]:
    changes = parse_settings(terms or [], flag="--term")
    pacts = [load_pact(n) for n in names]
    return [p.with_terms(changes, source=f"--term ({p.name})") if changes else p for p in pacts]


def _run(names: list[str], paths: int, seed: int, settings: list[str] | None,
         terms: list[str] | None, assumptions: Path | None, *, quiet: bool = False,
         ) -> tuple[Assumptions, list[Evaluation]]:
    """Load the assumptions and pacts, then evaluate them on the same futures (with a progress
    bar on a terminal for long runs)."""
    a = _assumptions(assumptions, settings)
    loaded = _pacts(names, terms)
    with _progress(paths * len(loaded) >= 20_000 and not quiet) as step:
        return a, evaluate_all(loaded, paths, seed, assumptions=a, progress=step)


@contextmanager
def _progress(show: bool) -> Iterator:
    """A progress bar on stderr for long runs; silent when not a terminal."""
    if not show or not err.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("simulating", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _title(title: str, a: Assumptions, pacts: list[Pact]) -> str:
    """A table title that names every change from the defaults and the legal-shock state
    (escaped: the note's brackets are text, not rich markup)."""
    return escape(titled(title, context_note(a, pacts)))


def _macro_source(code: str, indicator: str) -> str:
    return str(data.macro().loc[(code, indicator), "source"])


def _macro_footnote(pacts: list[Pact], a: Assumptions) -> None:
    """The investor data behind the FX rows, so each ratio can be traced."""
    for code in dict.fromkeys(p.parties.investor_code for p in pacts):
        m = a.country(code)
        parts = [f"reserves {fmt(m.reserves, 'usd_bn')}", f"GDP {fmt(m.gdp, 'usd_bn')}",
                 f"net external assets {fmt(m.net_external_assets, 'usd_bn')}",
                 f"reserve yield {m.reserve_yield:.1%}"]
        if m.ara_applicable:
            parts.append(f"ARA metric x{m.ara_calibration:g} to the IMF's published 2022 level")
        else:
            parts.append("ARA EM metric not applied, no sudden stops (see macro.csv: ara_applicable)")
        out.print(f"[dim]{code}: {'; '.join(parts)} (data/macro.csv; flagged inputs in --json)[/dim]")
    out.print(f"[dim]FX horizon {a.fx.horizon_years} years; sudden stop {a.fx.sudden_stop_prob:.0%} a "
              f"year costing ~{a.fx.sudden_stop_size:.0%} of reserves (Korea 2008); host grants "
              f"{a.fx.deferral_acceptance:.0%} of deferral requests (assumed)[/dim]")


def _footnotes(pacts: list[Pact], a: Assumptions, paths: int, seed: int) -> None:
    _macro_footnote(pacts, a)
    assumed = {p.name: p.assumed for p in pacts if p.assumed}
    for name, terms in assumed.items():
        out.print(f"[dim]⚠ {name}: assumed terms (no primary text): {', '.join(terms)}[/dim]")
    flagged = [r["key"] for r in a.provenance() if r["confidence"] == "assumption"]
    out.print(f"[dim]⚠ {len(flagged)} model inputs are pactlab assumptions (see `pactlab evaluate "
              f"--json` or data/SOURCES.md); seed {seed}, {paths:,} paths, pactlab {__version__}[/dim]")


def _version(value: bool) -> None:
    if value:
        out.print(f"pactlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Analyse investment-for-tariff pacts: what each side gets, and how risky it is."""


@app.command("assumptions")
def assumptions_cmd(as_json: bool = JsonOpt, set_: list[str] | None = SetOpt,
                    assumptions: Path | None = AssumptionsOpt) -> None:
    """Every assumption --set can change: its value, unit, allowed range, source and confidence."""
    rows = _assumptions(assumptions, set_).catalogue()
    if as_json:
        sys.stdout.write(to_json(rows) + "\n")
        return
    table = Table("key", "value", "unit", "allowed", "confidence", "source",
                  title="Assumptions (change with --set KEY=VALUE or --assumptions FILE)")
    for r in rows:
        table.add_row(r["key"], str(r["value"]), r["unit"], r["range"],
                      ("⚠ " if r["confidence"] == "assumption" else "") + r["confidence"], r["source"])
    out.print(table)


@app.command()
def presets(as_json: bool = JsonOpt) -> None:
    """List the built-in term sheets."""
    rows = [load_pact(n) for n in preset_names()]
    if as_json:
        out.print_json(json.dumps([{"name": p.name, "investor": p.parties.investor,
                                    "commitment": p.commitment, "title": p.title} for p in rows]))
        return
    table = Table("preset", "investor", "commitment", "what it is")
    for p in rows:
        table.add_row(p.name, p.parties.investor, fmt(p.commitment, "usd_bn"), p.title)
    out.print(table)


@app.command()
def show(pact: str = typer.Argument(..., help="Preset name or .toml file."),
         toml: bool = typer.Option(False, "--toml", help="Write the terms as TOML."),
         output: Path | None = typer.Option(None, "-o", "--output", help="File for --toml.",
                                               dir_okay=False),
         force: bool = typer.Option(False, "--force", help="Overwrite an existing -o file."),
         term: list[str] | None = TermOpt, as_json: bool = JsonOpt) -> None:
    """Print a pact's terms (--toml: as an editable term sheet, with the preset's comments)."""
    if output is not None and not toml:
        raise PactError("-o: only with --toml (show PACT --toml -o FILE)")
    if output is not None and output.exists() and not force:
        raise PactError(f"{output}: already exists; add --force to overwrite it")
    p = _pacts([pact], term)[0]
    if toml:
        text = source_toml(pact) if not term else pact_to_toml(p)
        if output is None:
            sys.stdout.write(text)
        else:
            write_atomic(output, text)
            err.print(f"wrote {output}" + ("" if not term else
                      " (changed by --term: written from the terms, without the preset's comments)"))
        return
    if as_json:
        out.print_json(p.model_dump_json())
        return
    out.print(f"[bold]{p.title}[/bold]\n{p.description}")
    table = Table("term", "value", "key (--term)")
    section = None
    for f in term_fields(p):
        if f.section != section:
            if section is not None:
                table.add_section()
            section = f.section
            table.add_row(f"[bold]{escape(section)}[/bold]", "", "")
        label = f"{f.group} · {f.label}" if f.group else f.label
        table.add_row(escape(label), escape(f.text()) + (" [yellow]⚠ assumed[/yellow]" if f.assumed else ""),
                      f"[dim]{escape(f.key)}[/dim]")
    table.add_section()
    table.add_row("commitment (sum of tranches)", fmt(p.commitment, "usd_bn"), "")
    out.print(table)


def _evaluation_table(ev: Evaluation) -> Table:
    units = metric_units()
    summary = ev.summary()
    table = Table("metric", "investor", "host",
                  title=_title(f"{ev.label}: {ev.pact.title}", ev.assumptions, [ev.pact]))
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
    a, (ev,) = _run([pact], paths, seed, set_, term, assumptions, quiet=as_json or as_csv)
    if as_json:
        sys.stdout.write(ev.to_json() + "\n")
        return
    if as_csv:
        rows = [(f"{group}.{key}", value) for group, values in ev.metrics.items()
                for key, value in values.items()]
        sys.stdout.write(pd.DataFrame(rows, columns=["metric", "value"]).to_csv(
            index=False, float_format="%.10g"))
        return
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
                       f"{ev.base_year + ev.plan.calls.unfunded_from}")
        out.print(f"[yellow]⚠ {fmt(amount, 'usd_bn')} of tranche '{tranche}' found no eligible "
                  f"project{consequence}[/yellow]")
    _footnotes([ev.pact], a, paths, seed)


@app.command()
def report(pacts: list[str] = typer.Argument(..., help="Preset names or .toml files."),
           output: Path = typer.Option(..., "-o", "--output", help="The HTML file to write.",
                                       dir_okay=False),
           paths: int = PathsOpt, seed: int = SeedOpt,
           set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
           assumptions: Path | None = AssumptionsOpt) -> None:
    """One self-contained HTML report (works offline) comparing the pacts."""
    from ...present.report import build_report
    if not Path(output).parent.exists():
        raise PactError(f"{output}: folder {Path(output).parent} does not exist")
    _, evaluations = _run(pacts, paths, seed, set_, term, assumptions)
    write_atomic(output, build_report(evaluations))
    err.print(f"wrote {output} ({Path(output).stat().st_size / 1e6:.1f} MB): "
              f"{len(evaluations)} pact(s), {paths:,} futures, seed {seed}")


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
    a, (ev,) = _run([pact], paths, seed, set_, term, assumptions, quiet=as_json or as_csv)
    p = ev.pact
    table = ev.reserves_table()
    if as_csv:
        sys.stdout.write(table.to_csv(float_format="%.10g"))
        return
    sens = crisis_sensitivity(p, min(paths, 2_000), seed, assumptions=a, growth=vary)
    if as_json:
        sys.stdout.write(to_json({"manifest": ev.manifest(), "fx": ev.metrics["fx"],
                                  "by_year": frame_columns(table),
                                  "crisis_sensitivity": crisis_rows(sens),
                                  "macro_inputs": ev.macro_inputs()}) + "\n")
        return
    columns = {"calls_mean": ("calls (mean)", "usd_bn"), "reserves_p5": ("reserves P5", "usd_bn"),
               "reserves_p50": ("P50", "usd_bn"), "reserves_p95": ("P95", "usd_bn"),
               "no_pact_p50": ("no pact P50", "usd_bn"), "ara_p5": ("ARA ratio P5", "share"), "ara_p50": ("P50", "share"),
               "ara_p95": ("P95", "share"), "p_ara_below_100": ("P(ARA<100%)", "share"),
               "swap_mean": ("swap drawn (mean)", "usd_bn"),
               "deferred_mean": ("deferred (mean)", "usd_bn"), "bonds_mean": ("bonds (mean)", "usd_bn")}
    grid = Table("year", *(label for label, _ in columns.values()),
                 title=_title(f"{ev.label}: reserves year by year ({paths:,} futures, seed {seed})",
                              a, [p]))
    for year, row in table.iterrows():
        grid.add_row(str(year), *(fmt(row[c], unit) for c, (_, unit) in columns.items()))
    out.print(grid)
    crisis = Table("sudden stop a year",
                   *(f"{CRISIS_GROWTH[vary]} {g:.2%}: {case}" for g, case in sens.columns),
                   title=f"P(reserve crisis within {a.fx.horizon_years} years) as the assumptions "
                         f"it hangs on move ({min(paths, 2_000):,} futures)")
    for stop, row in sens.iterrows():
        crisis.add_row(f"{stop:.0%}", *(fmt(v, "share") for v in row))
    out.print(crisis)
    m, code = a.country(p.parties.investor_code), p.parties.investor_code
    out.print(f"[dim]With no pact, {code}'s reserves grow {m.reserve_growth:.2%} a year less sudden "
              f"stops (macro.{code}.reserve_growth: {escape(_macro_source(code, 'reserve_growth'))}); "
              f"keeping all their {m.reserve_yield:.1%} yield instead: "
              f"--set macro.{code}.reserve_growth={m.reserve_yield:g}.[/dim]")
    _footnotes([p], a, paths, seed)


@app.command()
def compare(pacts: list[str] = typer.Argument(..., help="Preset names or .toml files."),
            paths: int = PathsOpt, seed: int = SeedOpt, as_json: bool = JsonOpt,
            as_csv: bool = typer.Option(False, "--csv", help="Print CSV (rows: metrics)."),
            detail: bool = typer.Option(False, "--all", help="Every metric, not just the headline rows."),
            set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
            assumptions: Path | None = AssumptionsOpt) -> None:
    """Pacts side by side, on the same simulated futures."""
    a, evaluations = _run(pacts, paths, seed, set_, term, assumptions, quiet=as_json or as_csv)
    loaded = [ev.pact for ev in evaluations]
    names = [ev.label for ev in evaluations]
    columns = [comparison_column(ev, detail=detail) for ev in evaluations]
    if as_json:
        sys.stdout.write(to_json({"manifests": [ev.manifest() for ev in evaluations],
                                  "rows": {col.name: col.to_dict() for col in columns},
                                  "metrics": {ev.label: ev.metrics for ev in evaluations}}) + "\n")
        return
    if as_csv:
        frame = pd.concat(columns, axis=1)
        frame.index.name = "metric"
        sys.stdout.write(frame.to_csv(float_format="%.10g"))
        return
    units = metric_units()
    table = Table("metric", *names,
                  title=_title(f"Side by side: {paths:,} futures, seed {seed}", a, loaded))
    for label in columns[0].index:
        table.add_row(label, *(fmt(col[label], units[label]) for col in columns))
    out.print(table)
    _footnotes(loaded, a, paths, seed)


def _tariff_footnote(a: Assumptions, legal_shocks: bool | None, when: str) -> None:
    from ...model.tariffs import substitution, trade_data
    td = trade_data()
    t = a.trade
    subs = ", ".join(f"{sector} {substitution(sector, a):.2g}" for sector in td.sector_names)
    lo, _, hi = t.span("substitution_scale")
    e_lo, _, e_hi = t.span("exporter_share")
    out.print(f"[dim]Flows: US imports 2024 (Census, via the Yale Budget Lab); rates {when}; "
              f"legal shocks (IEEPA void 20 Feb 2026, s122 10%) "
              f"{'both ways' if legal_shocks is None else 'on' if legal_shocks else 'off'}. "
              f"Solved exactly (constant elasticities; no flow can go negative)."
              f"\nElasticity of substitution among sources, long run = GTAP ESUBM x {t.substitution_scale:g} "
              f"(range {lo:g}–{hi:g}): {subs}; in the first year of a change {t.short_run_share:.0%} of "
              f"that, rising linearly to it by year {t.years_to_long_run} (Boehm, Levchenko & "
              f"Pandalai-Nayar 2023: about -0.76 after a year, -1.75 to -2.25 after 7-10); import "
              f"demand {float(td.sectors['import_elasticity'].iloc[0]):g} (GSIM example)."
              f"\nExporters bear {t.exporter_share:.0%} of a tariff (range {e_lo:.0%}–{e_hi:.0%}; Goldman "
              f"Sachs 2025), {t.exporter_share_autos:.0%} for Korean and Japanese cars and parts (assumed); "
              f"value added: OECD TiVA shares (assumed, ±20%), fading over {t.adjustment_years} years to "
              f"the terms-of-trade loss in the investor's tariff relief.[/dim]")


_PARTNER_OPTS = {name: typer.Option(None, f"--{name.replace('_', '-')}", min=0.0, max=200.0,
                                    help=f"Tariff on {name} in percent, every sector in scope.")
                 for name in ("korea", "japan", "eu27", "china", "mexico", "canada", "taiwan",
                              "vietnam", "rest_of_world")}


@app.command()
def tariffs(pact: str | None = typer.Argument(None, help="A pact: deal vs no deal, year by year."),
            korea: float | None = _PARTNER_OPTS["korea"], japan: float | None = _PARTNER_OPTS["japan"],
            eu27: float | None = _PARTNER_OPTS["eu27"], china: float | None = _PARTNER_OPTS["china"],
            mexico: float | None = _PARTNER_OPTS["mexico"], canada: float | None = _PARTNER_OPTS["canada"],
            taiwan: float | None = _PARTNER_OPTS["taiwan"], vietnam: float | None = _PARTNER_OPTS["vietnam"],
            rest_of_world: float | None = _PARTNER_OPTS["rest_of_world"],
            sector: list[str] | None = typer.Option(None, "--sector", help="Limit the change to these sectors (repeatable)."),
            investor: str = typer.Option("korea", "--investor", help="Whose losses to report: korea or japan."),
            legal_shocks: str | None = typer.Option(None, "--legal-shocks",
                                                       help="on, off or both (a pact's costs before and after the Feb 2026 IEEPA ruling; default: assumption trade.legal_shocks)."),
            paths: int = typer.Option(2_000, "--paths", min=1, max=1_000_000,
                                      help="Draws of the uncertain parameters, for the ranges."),
            seed: int = SeedOpt,
            as_json: bool = JsonOpt,
            as_csv: bool = typer.Option(False, "--csv", help="A what-if's sector table as CSV."),
            set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
            assumptions: Path | None = AssumptionsOpt) -> None:
    """What tariffs cost: a what-if (--korea 25 --japan 15) or a pact's deal vs no deal."""
    from ...analysis.what_if import what_if
    from ...model import tariffs as tm
    a = _assumptions(assumptions, set_)
    if legal_shocks not in (None, "on", "off", "both"):
        raise PactError(f"--legal-shocks: must be on, off or both, got {legal_shocks!r}")
    states = ([a.trade.legal_shocks] if legal_shocks is None else
              [False, True] if legal_shocks == "both" else [legal_shocks == "on"])
    shocks = states[0]
    percent = {k: v for k, v in dict(korea=korea, japan=japan, eu27=eu27, china=china,
               mexico=mexico, canada=canada, taiwan=taiwan, vietnam=vietnam,
               rest_of_world=rest_of_world).items() if v is not None}
    for name, value in percent.items():
        if 0 < value < 1:
            err.print(f"note: --{name.replace('_', '-')} {value:g} is read as {value:g}% "
                      f"(tariffs here are in percent: {value * 100:g} for {value:.0%})")
    given = {k: v / 100.0 for k, v in percent.items()}
    if pact is not None:
        if given or sector:
            raise PactError("tariffs: give either a pact or partner rates (--korea 25 …), not both")
        p = _pacts([pact], term)[0]
        costs = {state: tm.no_deal_cost(p, a, legal_shocks=state) for state in states}
        if len(costs) == 2:
            _show_both(p, a, costs, as_json)
        else:
            _show_no_deal(p, a, costs[shocks], shocks, as_json)
        return
    if legal_shocks == "both":
        raise PactError("--legal-shocks both: compares a pact's costs; for a what-if give on or off")
    if investor not in tm.RIVAL:
        raise PactError(f"--investor: must be korea or japan, got {investor!r}")
    if not given:
        raise PactError("tariffs: name a pact, or set at least one partner's rate, e.g. --korea 25 --japan 15")
    result = what_if(given, a, sectors=sector or None, investor=investor, legal_shocks=shocks,
                        draws=paths, seed=seed)
    table = result.by_sector
    code = {v: k for k, v in tm.BY_CODE.items()}[investor]
    gdp = a.country(code).gdp
    if as_csv:
        sys.stdout.write(table.to_csv(index_label="sector", float_format="%.10g"))
        return
    if as_json:
        sys.stdout.write(to_json({
            "manifest": {**_manifest(a), "draws": paths, "seed": seed},
            "scenario": dict(given), "sectors": sector or "all",
            "reference_date": a.trade.reference_date, "legal_shocks": shocks, "investor": investor,
            "gdp": gdp, "elasticity_path": _elasticity_path(a),
            "exports_lost": result.ranges["exports_lost"],
            "value_added_lost": result.ranges["value_added_lost"],
            "by_sector": table.to_dict(orient="index"),
            "by_sector_first_year": result.first_year.to_dict(orient="index")}) + "\n")
        return
    rival = tm.RIVAL[investor]
    title = (f"Tariffs: {', '.join(f'{k} {v:.0%}' for k, v in given.items())} (before: rates of "
             f"{a.trade.reference_date}; legal shocks {'on' if shocks else 'off'}) — long run, "
             "central parameters")
    grid = Table("sector", f"{investor} exports at the before rates", "rate before → after", "export change",
                 "change %", "value added at risk", "terms of trade", f"{rival} change", "US buyers pay",
                 "US tariff revenue", f"{investor} absorbs", title=_title(title, a, []))
    for name, row in table.iterrows():
        rates = "" if name == "total" else f"{row.investor_rate_before:.0%} → {row.investor_rate_after:.0%}"
        pct = row.investor_export_change / row.investor_exports if row.investor_exports else float("nan")
        grid.add_row(name, fmt(row.investor_exports, "usd_bn"), rates, fmt(row.investor_export_change, "usd_bn"),
                     fmt(pct, "share"), fmt(row.investor_value_added_change, "usd_bn"),
                     fmt(row.investor_producer_surplus_change, "usd_bn"),
                     fmt(row.rival_export_change, "usd_bn"), fmt(row.us_consumer_cost, "usd_bn"),
                     fmt(row.us_tariff_revenue_change, "usd_bn"), fmt(row.exporter_share, "share"))
    out.print(grid)
    ranges = Table("partner", "measure", "first year P5", "P50", "P95", "long run P5", "P50", "P95",
                   title=f"Ranges over the uncertain elasticities, pass-through and value-added shares "
                         f"({paths:,} draws, seed {seed}); USD bn a year, a loss is positive")
    for measure, label in (("exports_lost", "exports lost"), ("value_added_lost", "value added lost")):
        for partner_code, spans in result.ranges[measure].items():
            if all(abs(v) < 0.05 for h in spans.values() for v in h.values()):
                continue
            ranges.add_row(partner_code, label, *(fmt(spans[h][q], "usd_bn") for h in ("first_year", "long_run")
                                                  for q in ("p5", "p50", "p95")))
    out.print(ranges)
    va = result.ranges["value_added_lost"][code]
    total = table.loc["total"]
    out.print(f"{investor.capitalize()} loses {fmt(va['first_year']['p50'], 'usd_bn')} of value added in the "
              f"first year ({fmt(va['first_year']['p5'], 'usd_bn')}–{fmt(va['first_year']['p95'], 'usd_bn')}), "
              f"{fmt(va['long_run']['p50'], 'usd_bn')} a year in the long run "
              f"({va['long_run']['p50'] / gdp:.2%} of GDP); {rival} changes its exports by "
              f"{fmt(total.rival_export_change, 'usd_bn')}; US buyers pay {fmt(total.us_consumer_cost, 'usd_bn')} "
              f"more and US tariff revenue changes by {fmt(total.us_tariff_revenue_change, 'usd_bn')} "
              "(long run, central).")
    _tariff_footnote(a, shocks, f"in force on {a.trade.reference_date}")


def _elasticity_path(a: Assumptions) -> dict[str, object]:
    t = a.trade
    return {"short_run_share": t.short_run_share, "years_to_long_run": t.years_to_long_run,
            "long_run_scale_of_esubm": t.substitution_scale,
            "long_run_scale_range": list(t.span("substitution_scale")[::2]),
            "source": "Boehm, Levchenko & Pandalai-Nayar (2023, AER); GTAP ESUBM (Hertel et al. 2007)"}


def _show_both(p: Pact, a: Assumptions, costs: dict, as_json: bool) -> None:
    """A pact's tariff costs before and after the IEEPA ruling, side by side."""
    names = {False: "legal shocks off (pre-ruling)", True: "legal shocks on (post-ruling)"}
    if as_json:
        sys.stdout.write(to_json({
            "manifest": _manifest(a, p), "pact": p.name, "legal_shocks": "both",
            **{("post_ruling" if state else "pre_ruling"): {
                "present_value": cost.present_value, "by_year": frame_columns(cost.by_year)}
               for state, cost in costs.items()}}) + "\n")
        return
    table = Table("present value, USD bn", *names.values(),
                  title=_title(f"{pact_label(p)}: the deal's tariff relief before and after the "
                               "20 Feb 2026 IEEPA ruling", a, [p]))
    for key, label in (("investor_value_added_relief", f"{p.parties.investor}: value added kept (tariff relief)"),
                       ("investor_export_relief", f"{p.parties.investor}: exports kept"),
                       ("investor_producer_surplus_relief", f"{p.parties.investor}: terms-of-trade loss avoided"),
                       ("host_consumer_saving", "US buyers' saving"),
                       ("host_tariff_revenue_forgone", "US tariff revenue forgone")):
        table.add_row(label, *(fmt(costs[state].present_value[key], "usd_bn") for state in names))
    out.print(table)
    out.print("After the ruling the pact's IEEPA-based general rate lapses for both the deal and no "
              "deal; only the Section 232 relief (cars and parts) is left to the deal.")
    _tariff_footnote(a, None, "from data/tariff_schedule.csv and the pact's deal/no-deal terms")


def _show_no_deal(p: Pact, a: Assumptions, cost, shocks: bool, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(to_json({
            "manifest": _manifest(a, p), "pact": p.name, "legal_shocks": shocks,
            "present_value": cost.present_value, "by_year": frame_columns(cost.by_year),
            "by_sector_first_full_year": cost.by_sector.to_dict(orient="index")}) + "\n")
        return
    grid = Table("sector", "exports at the deal rates", "deal → no-deal rate", "export loss", "value added lost",
                 "rival gain", "US buyers' saving with the deal",
                 title=_title(f"{pact_label(p)}: what no deal costs, {p.schedule.base_year + 1} "
                              f"(a full year; legal shocks {'on' if shocks else 'off'})", a, [p]))
    for name, row in cost.by_sector.iterrows():
        rates = "" if name == "total" else f"{row.investor_rate_before:.0%} → {row.investor_rate_after:.0%}"
        grid.add_row(name, fmt(row.investor_exports, "usd_bn"), rates, fmt(-row.investor_export_change, "usd_bn"),
                     fmt(-row.investor_value_added_change, "usd_bn"), fmt(row.rival_export_change, "usd_bn"),
                     fmt(row.us_consumer_cost, "usd_bn"))
    out.print(grid)
    years = Table("year", "P(deal stands)", "export loss", "value added at risk",
                  "terms-of-trade loss", "value added lost (tariff relief)", "US buyers' saving",
                  "US tariff revenue forgone",
                  title="Year by year (no deal vs deal, central parameters)")
    shown = cost.by_year.iloc[[k for k in (0, 1, 2, 4, 8, 11, 20) if k < len(cost.by_year)]]
    for year, row in shown.iterrows():
        years.add_row(str(year), fmt(row.survival, "share"), fmt(row.investor_export_loss, "usd_bn"),
                      fmt(row.investor_value_added_at_risk, "usd_bn"),
                      fmt(row.investor_producer_surplus_loss, "usd_bn"),
                      fmt(row.investor_value_added_loss, "usd_bn"), fmt(row.us_consumer_cost, "usd_bn"),
                      fmt(row.us_tariff_revenue, "usd_bn"))
    out.print(years)
    out.print(f"The investor's tariff relief counts the value added lost after adjustment: all of the "
              f"value added at risk in the first year, fading over {a.trade.adjustment_years} years to "
              f"the lasting terms-of-trade loss as labour and capital move (exports lost are shown "
              f"for reference; they are not a welfare measure).")
    pv = cost.present_value
    out.print(f"Present value of the deal's tariff relief to {p.parties.investor}: "
              f"{fmt(pv['investor_value_added_relief'], 'usd_bn')} of value added "
              f"({fmt(pv['investor_export_relief'], 'usd_bn')} of exports); to US buyers "
              f"{fmt(pv['host_consumer_saving'], 'usd_bn')}, against {fmt(pv['host_tariff_revenue_forgone'], 'usd_bn')} "
              f"of tariff revenue forgone. Weighted by a {a.trade.deal_withdrawal_prob:.0%} yearly chance "
              f"the relief is withdrawn.")
    _tariff_footnote(a, shocks, "from data/tariff_schedule.csv and the pact's deal/no-deal terms")


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
              term: list[str] | None = TermOpt, assumptions: Path | None = AssumptionsOpt) -> None:
    """Which deals beat no deal for both sides, which are efficient, and where bargaining lands."""
    from ...analysis.negotiate import SPACES, IssueSpace, Preferences, parse_issue
    from ...analysis.negotiate import negotiate as run_negotiation
    a = _assumptions(assumptions, set_)
    base = _pacts([pact], term)[0]
    issues = tuple(parse_issue(text) for text in issue or [])
    if space is not None:
        if space not in SPACES:
            raise PactError(f"--space: unknown space {space!r}; spaces are {', '.join(SPACES)}")
        built = SPACES[space](base).issues
        issues = (*issues, *(i for i in built if i.key not in {x.key for x in issues}))
    if output is not None and not output.parent.exists():
        raise PactError(f"{output}: folder {output.parent} does not exist")
    tactics = _agents(agents, discount)
    prefs = Preferences.from_assumptions(a)
    if max_crisis is not None:
        prefs = Preferences(prefs.investor_risk_aversion, prefs.host_risk_aversion, prefs.tail, max_crisis)
    ref = reference or ("korea-final-2025-11" if base.parties.investor_code == "KOR" else None)
    if ref is not None and ref not in preset_names():
        raise PactError(f"--reference: {ref!r} is not a preset; presets are {', '.join(preset_names())}")
    issue_space = IssueSpace(base, issues)
    with _progress(not as_json) as step:
        neg = run_negotiation(issue_space, futures(paths, seed, a), sample=sample, n=n, seed=seed,
                              prefs=prefs, reference=ref, progress=step)
    outcome = None
    if tactics is not None:
        err.print(f"alternating offers: investor {tactics[0].tactic}, host {tactics[1].tactic}, "
                  f"{rounds} rounds, discount {discount:g}, breakdown {breakdown:g} a round")
        from ...analysis.negotiate import alternating_offers
        outcome = alternating_offers(neg.utilities.constrained(), tactics, rounds, breakdown=breakdown,
                                     seed=seed, values=neg.candidates.values)
    if output is not None:
        _write_negotiation(neg, output, a, paths, seed)
    if as_json:
        sys.stdout.write(to_json(_negotiation_payload(neg, outcome, a)) + "\n")
        return
    _show_negotiation(neg, outcome, a, paths, seed)
    if output is not None:
        err.print(f"wrote {output}/: the solutions' term sheets, candidates.csv, negotiation.json, report.html")


def _agents(text: str | None, discount: float):
    if text is None:
        return None
    from ...analysis.negotiate import Agent
    names = [t.strip() for t in text.split(",")]
    if len(names) != 2:
        raise PactError(f"--agents: name two tactics, investor first, e.g. boulware,conceder; got {text!r}")
    return tuple(Agent(name, discount) for name in names)


def _negotiation_payload(neg, outcome, a: Assumptions) -> dict[str, object]:
    values = neg.candidates.values
    solutions = {}
    for name, i in neg.solutions.items():
        solutions[name] = None if i is None else {
            "candidate": i, "terms": values.iloc[i].to_dict(), **neg.stats.iloc[i].to_dict()}
    return {
        "manifest": {**_manifest(a, neg.space.base), "paths": neg.futures.paths,
                     "seed": neg.futures.seed},
        "disagreement_point": [0.0, 0.0],
        "preferences": neg.prefs.__dict__,
        "candidates": len(neg.candidates.pacts), "skipped": neg.candidates.skipped,
        "skipped_reasons": neg.candidates.reasons,
        "individually_rational": int(neg.individually_rational.sum()),
        "frontier": neg.frontier.tolist(), "solutions": solutions,
        "presets": neg.presets.to_dict(orient="index"), "reference": neg.reference,
        "reference_gap": neg.reference_gap(), "zopa": neg.zopa().to_dict(orient="index"),
        "agents": None if outcome is None else {
            "agreement": outcome.agreement, "round": outcome.round, "ended": outcome.ended,
            "utilities": outcome.utilities, "trace": outcome.trace.to_dict(orient="records")},
    }


def _show_negotiation(neg, outcome, a: Assumptions, paths: int, seed: int) -> None:
    from ...analysis.negotiate.run import SOLUTIONS
    base, values, stats = neg.space.base, neg.candidates.values, neg.stats
    p = neg.prefs
    out.print(_title(f"Negotiating from {pact_label(base)}: {len(neg.candidates.pacts):,} candidates "
                     f"({neg.candidates.skipped} rejected by the term sheet), "
                     f"{int(neg.individually_rational.sum()):,} better than no deal for both, "
                     f"{len(neg.frontier)} on the Pareto frontier", a, [base]))
    out.print(f"Utility = mean gain − λ·(mean − CVaR {p.tail:.0%}), λ investor {p.investor_risk_aversion:g}, "
              f"host {p.host_risk_aversion:g}; the disagreement point is (0, 0): gains are measured "
              f"against the no-deal case of the same futures."
              + (f" The investor refuses P(reserve crisis) > {p.investor_max_crisis_prob:.0%}."
                 if p.investor_max_crisis_prob < 1 else ""))
    found = {name: i for name, i in neg.solutions.items() if i is not None}
    if not found:
        out.print("[yellow]No candidate is better than no deal for both sides.[/yellow]")
    table = Table("solution", "investor gain (mean)", "P(loss)", "host gain (mean)", "P(loss)",
                  "investor P(crisis)", "utilities (investor, host)",
                  title="Bargaining solutions (each on the same futures)")
    for name, i in found.items():
        s = stats.iloc[i]
        table.add_row(SOLUTIONS[name][0], fmt(s.investor_mean, "usd_bn"), fmt(s.investor_p_loss, "share"),
                      fmt(s.host_mean, "usd_bn"), fmt(s.host_p_loss, "share"), fmt(s.p_crisis, "share"),
                      f"{fmt(s.investor_utility, 'usd_bn')}, {fmt(s.host_utility, 'usd_bn')}")
    out.print(table)
    if found:
        terms = Table("issue", pact_label(base), *found, title="Their terms")
        current = neg.space.values_of(base)
        for key in values.columns:
            terms.add_row(key, _cell(current[key]), *(_cell(values.iloc[i][key]) for i in found.values()))
        out.print(terms)
    presets = Table("preset", "investor gain (mean)", "P(loss)", "host gain (mean)", "P(loss)",
                    "investor P(crisis)", "utilities (investor, host)",
                    title="Where the presets sit, on the same futures")
    for name, s in neg.presets.iterrows():
        presets.add_row(name, fmt(s.investor_mean, "usd_bn"), fmt(s.investor_p_loss, "share"),
                        fmt(s.host_mean, "usd_bn"), fmt(s.host_p_loss, "share"), fmt(s.p_crisis, "share"),
                        f"{fmt(s.investor_utility, 'usd_bn')}, {fmt(s.host_utility, 'usd_bn')}")
    out.print(presets)
    gap = neg.reference_gap()
    if gap is not None:
        if gap["candidate"] is None:
            out.print(f"{neg.reference} is on the frontier: no candidate is better for both sides.")
        else:
            out.print(f"{neg.reference} is inside the frontier: candidate {gap['candidate']} gives the "
                      f"investor {fmt(gap['investor'], 'usd_bn')} and the host {fmt(gap['host'], 'usd_bn')} "
                      f"more utility.")
    zopa = neg.zopa()
    ztable = Table("issue", "lowest", "highest", "levels", title="Zone of possible agreement: "
                   "how far each issue ranges over the deals better than no deal for both")
    for key, row in zopa.iterrows():
        ztable.add_row(key, _cell(row["min"]), _cell(row["max"]), str(row["levels"]))
    out.print(ztable)
    if outcome is not None:
        trace = outcome.trace
        out.print(f"Alternating offers: ended by {outcome.ended} in round "
                  f"{outcome.round}" + ("" if outcome.agreement is None else
                  f", on candidate {outcome.agreement} (utilities {fmt(outcome.utilities[0], 'usd_bn')}, "
                  f"{fmt(outcome.utilities[1], 'usd_bn')}, discounted)"))
        t = Table("round", "proposer", "candidate", "investor utility", "host utility", "accepted",
                  title="The last offers")
        for _, r in trace.tail(8).iterrows():
            t.add_row(str(r["round"]), r["proposer"], str(r["candidate"]), fmt(r["investor_utility"], "usd_bn"),
                      fmt(r["host_utility"], "usd_bn"), "yes" if r["accepted"] else "")
        out.print(t)
    out.print(f"[dim]{paths:,} futures per candidate, seed {seed}, pactlab {__version__}[/dim]")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _write_negotiation(neg, folder: Path, a: Assumptions, paths: int, seed: int) -> None:
    """The solutions as term sheets, the candidates as CSV, the whole result as JSON, and a
    report with the negotiation section (each file written whole or not at all)."""
    from ...present.report import build_report
    folder.mkdir(exist_ok=True)
    for name in neg.solutions:
        text = neg.solution_toml(name)
        if text is not None:
            write_atomic(folder / f"{name}.toml", text)
    table = neg.candidates.values.join(neg.stats)
    write_atomic(folder / "candidates.csv", table.to_csv(index_label="candidate", float_format="%.10g"))
    write_atomic(folder / "negotiation.json", to_json(_negotiation_payload(neg, None, a)) + "\n")
    shown = [neg.space.base, *([load_pact(neg.reference)] if neg.reference else [])]
    nash = neg.solution_pact("nash")
    shown += [nash] if nash is not None else []
    write_atomic(folder / "report.html",
                 build_report(evaluate_all(shown, paths, seed, assumptions=a), negotiation=neg))


@app.command("explore")
def explore_cmd(spec: Path = typer.Argument(..., help="The experiment spec (TOML).", dir_okay=False),
                output: Path = typer.Option(..., "-o", "--output", file_okay=False,
                                            help="Folder for the results (Parquet chunks and a manifest)."),
                executor: str = typer.Option("serial", "--executor", help="serial, processes or dask."),
                workers: int | None = typer.Option(None, "--workers", min=1, max=1024,
                                                   help="Worker processes (default: the machine's cores)."),
                scheduler: str | None = typer.Option(None, "--scheduler",
                                                     help="Address of an existing Dask scheduler."),
                chunk_size: int | None = typer.Option(None, "--chunk-size", min=1, max=100_000,
                                                      help="Points per task."),
                resume: bool = typer.Option(False, "--resume", help="Finish an interrupted run.")) -> None:
    """Run a sweep: every point of the spec, streamed to disk as chunks finish; resumable."""
    from ...analysis.explore import explore, load_spec
    loaded = load_spec(spec)
    with _points_bar() as step:
        explore(loaded, output, base_dir=spec.parent, executor=executor, workers=workers,
                scheduler=scheduler, chunk_size=chunk_size, resume=resume, progress=step)
    from ...analysis.explore import load_results
    results = load_results(output)
    failed = int((results["error"] != "").sum())
    err.print(f"{len(results):,} points in {output} ({executor})"
              + (f"; {failed} point(s) with invalid terms or assumptions (see the 'error' column)"
                 if failed else ""))


@contextmanager
def _points_bar() -> Iterator:
    """Points done, rate and time left, on stderr when it is a terminal."""
    if not err.is_terminal:
        yield None
        return
    import time

    from rich.progress import MofNCompleteColumn, TimeRemainingColumn
    columns = (TextColumn("points"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn())
    start, first = time.perf_counter(), []
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("points", total=None, rate="")

        def step(done: int, total: int) -> None:
            first.append(done) if not first else None
            elapsed = time.perf_counter() - start
            rate = (done - first[0]) / elapsed if elapsed > 0 else 0.0
            bar.update(task, completed=done, total=total, rate=f"{rate:,.1f} points/s")
        yield step


@app.command("sensitivity")
def sensitivity_cmd(folder: Path = typer.Argument(..., help="A run's folder.", file_okay=False),
                    outcome: str = typer.Option(..., "--outcome", help="The outcome column to explain."),
                    as_json: bool = JsonOpt) -> None:
    """Which inputs move an outcome: Sobol indices, Morris effects or rank correlations."""
    from ...analysis.explore import sensitivity
    sens = sensitivity(folder, outcome)
    if as_json:
        sys.stdout.write(to_json({"outcome": outcome, "method": sens.method, "measure": sens.measure,
                                  "note": sens.note, "table": sens.table.to_dict(orient="index")}) + "\n")
        return
    table = Table("input", *sens.table.columns, title=f"What moves {outcome} ({sens.method})")
    for name, row in sens.table.iterrows():
        table.add_row(name, *(f"{v:.3f}" for v in row))
    out.print(table)
    out.print(f"[dim]{sens.note}[/dim]")


@app.command()
def discover(folder: Path = typer.Argument(..., help="A run's folder.", file_okay=False),
             where: str = typer.Option(..., "--where",
                                       help="The condition of interest (SQL), e.g. \"investor_gain_mean < 0\"."),
             peel_alpha: float = typer.Option(0.05, "--peel-alpha", min=0.001, max=0.5),
             paste_alpha: float = typer.Option(0.05, "--paste-alpha", min=0.001, max=0.5),
             mass_min: float = typer.Option(0.05, "--mass-min", min=0.001, max=0.99),
             threshold: float = typer.Option(0.8, "--threshold", min=0.01, max=0.999,
                                             help="The density at which a box is accepted."),
             outcome: str | None = typer.Option(None, "--outcome",
                                                help="For --report: the outcome whose sensitivity to chart."),
             report_file: Path | None = typer.Option(None, "--report", dir_okay=False,
                                                     help="Write an HTML report with the results."),
             as_json: bool = JsonOpt) -> None:
    """Scenario discovery: the box of inputs where a condition (e.g. the investor loses) holds."""
    from ...analysis.explore import discover as run_prim
    if report_file is not None and not report_file.parent.exists():
        raise PactError(f"{report_file}: folder {report_file.parent} does not exist")
    found = run_prim(folder, where, peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                     mass_min=mass_min, threshold=threshold)
    traj = found.result.trajectory
    if as_json:
        sys.stdout.write(to_json({"where": where, "share": found.share, "inputs": found.inputs,
                                  "accepted": found.result.accepted,
                                  "trajectory": traj.to_dict(orient="list"),
                                  "box": found.result.box(-1).to_dict(orient="index")}) + "\n")
    else:
        out.print(f"{where}: {found.share:.1%} of the points. PRIM over {', '.join(found.inputs)}")
        curve = Table("box", "coverage", "density", "mass", "inputs restricted",
                      title="The trade-off: each step of peeling and pasting")
        for i, r in traj.iterrows():
            curve.add_row(str(i), f"{r.coverage:.1%}", f"{r.density:.1%}", f"{r.mass:.1%}", str(int(r.res_dim)))
        out.print(curve)
        box = Table("input", "from", "to", title=f"The chosen box (step {len(traj) - 1}: coverage "
                    f"{traj.coverage.iloc[-1]:.1%}, density {traj.density.iloc[-1]:.1%})"
                    + ("" if found.result.accepted else f" — below the {threshold:.0%} density threshold"))
        for name, r in found.result.box(-1).iterrows():
            box.add_row(name, _limit_text(r["min"]), _limit_text(r["max"]))
        out.print(box)
    if report_file is not None:
        _write_exploration_report(folder, found, outcome, report_file)
        err.print(f"wrote {report_file}")


def _limit_text(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, tuple) else f"{value:.4g}"


def _write_exploration_report(folder: Path, found, outcome: str | None, target: Path) -> None:
    """The spec's pacts evaluated under the default assumptions, with the exploration section."""
    from ...analysis.explore import Spec, Store, sensitivity
    from ...present.report import build_report
    spec = Spec.model_validate(Store(folder).manifest()["spec"])
    if spec.model != "pacts":
        raise PactError(f"--report: the {spec.model} test function has no pact to report on")
    sens = sensitivity(folder, outcome or spec.outcome_columns()[0])
    evaluations = evaluate_all(spec.pacts, spec.sampler.paths, spec.sampler.seed)
    write_atomic(target, build_report(evaluations, sensitivity=sens, discovery=found))


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (localhost by default)."),
          port: int = typer.Option(8000, "--port", min=1, max=65535),
          max_paths: int = typer.Option(50_000, "--max-paths", min=1, max=5_000_000,
                                        help="The most futures one request may ask for.")) -> None:
    """The workbench: a page that answers as the terms move, and its JSON API (/docs)."""
    from ..web.server import serve as run_server
    err.print(f"pactlab workbench on http://{host}:{port}/ (API: /docs, /openapi.json); Ctrl-C stops it")
    run_server(host, port, max_paths=max_paths)


def _manifest(a: Assumptions, pact: Pact | None = None) -> dict[str, object]:
    """What produced a deterministic output (no seed or paths: nothing was drawn)."""
    out: dict[str, object] = {"pactlab_version": __version__,
                              "assumptions_sha256": digest(a.model_dump_json()),
                              "assumptions_file": a.source, "assumption_overrides": a.overrides,
                              "data_as_of": data.as_of(None if pact is None else pact.parties.investor_code)}
    if pact is not None:
        out |= {"pact": pact.name, "pact_sha256": digest(pact_to_toml(pact)),
                "term_overrides": pact.overrides}
    return out


def _fail(message: str) -> None:
    """Bad input: one line on stderr, exit code 2."""
    err.print(f"error: {message}", markup=False, soft_wrap=True)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input is one line on stderr and exit code 2, never a traceback."""
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="pactlab", standalone_mode=False)
    except PactError as exc:
        _fail(str(exc))
    except RecursionError:          # a backstop: inputs are checked for depth where they enter
        _fail("the input is nested too deeply to read (lists or tables inside one another)")
    except OSError as exc:          # a file the command had to read or write
        name = Path(exc.filename).name if isinstance(exc.filename, str) else "a file"
        _fail(f"{name[:60]}: {exc.strerror or exc}")
    except _UsageError as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            out.print(ctx.get_help(), markup=False)
            sys.exit(0)
        hint = f" (see 'pactlab {ctx.info_name} --help')" if ctx is not None and ctx.parent else ""
        err.print(f"error: {exc.format_message()}{hint}".replace("\n", " "), markup=False,
                  soft_wrap=True)
        sys.exit(2)
    except _ClickException as exc:
        err.print(f"error: {exc.format_message()}", markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        err.print("aborted")
        sys.exit(130)
    except RuntimeError as exc:
        if type(exc).__name__ != "Abort":
            raise
        err.print("aborted")
        sys.exit(130)


if __name__ == "__main__":
    main()
