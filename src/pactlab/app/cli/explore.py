"""``pactlab explore``, ``sensitivity`` and ``discover``: sweeps to disk, what moves an outcome,
and the box of inputs where a condition holds."""
from __future__ import annotations

import difflib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ...core.errors import PactError
from ...core.io import write_atomic
from ...inputs.terms import read_toml
from ...present import robust_text
from .. import service
from ..requests import DiscoverRequest, ExploreRequest, SensitivityRequest, build
from .common import AsOfOpt, JsonOpt, app, ensure_folder, err, out, write_json


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
                resume: bool = typer.Option(False, "--resume", help="Finish an interrupted run."),
                as_of: str | None = AsOfOpt) -> None:
    """Run a sweep: every point of the spec, streamed to disk as chunks finish; resumable."""
    if not resume:
        ensure_folder(output)       # -o runs/kf: runs/ is made if missing
    sheet = read_toml(spec, spec.name) | ({} if as_of is None else {"as_of": as_of})
    req = build(ExploreRequest, spec=sheet, spec_file=str(spec), output=str(output),
                executor=executor, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                resume=resume)
    with _points_bar() as step:
        result = service.explore(req, progress=step)
    failed = result.failed
    err.print(f"{len(result.results):,} points in {output} ({executor})"
              + (f"; {failed} point(s) with invalid terms or assumptions (see the 'error' column)"
                 if failed else ""))


@contextmanager
def _points_bar() -> Iterator[Any]:
    """Points done, rate and time left, on stderr when it is a terminal."""
    if not err.is_terminal:
        yield None
        return
    columns = (TextColumn("points"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn())
    start, first = time.perf_counter(), list[int]()
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("points", total=None, rate="")

        def step(done: int, total: int) -> None:
            if not first:
                first.append(done)
            elapsed = time.perf_counter() - start
            rate = (done - first[0]) / elapsed if elapsed > 0 else 0.0
            bar.update(task, completed=done, total=total, rate=f"{rate:,.1f} points/s")
        yield step


@app.command("sensitivity")
def sensitivity_cmd(folder: Path = typer.Argument(..., help="A run's folder.", file_okay=False),
                    outcome: str = typer.Option(..., "--outcome", help="The outcome column to explain."),
                    as_json: bool = JsonOpt) -> None:
    """Which inputs move an outcome: Sobol indices, Morris effects or rank correlations."""
    result = service.sensitivity(build(SensitivityRequest, folder=str(folder), outcome=outcome))
    if as_json:
        write_json(result.to_json())
        return
    sens = result.sensitivity
    said = _outcome_words(outcome, _investor(folder))
    kind = {"ST": "sobol", "mu_star": "morris"}.get(sens.measure, "spearman")
    numbers = {c: h for c, h in _NUMBERS[kind].items() if c in sens.table.columns}
    table = Table("input (--set key)", "what it does", *numbers.values(),
                  title=f"What moves {said} ({outcome}; {sens.method} design)")
    table.columns[0].no_wrap = True        # the key to copy into --set, never cut
    table.columns[0].min_width = max(len(str(k)) for k in [*sens.table.index, "input"])
    table.columns[1].ratio, table.columns[1].min_width, table.columns[1].overflow = 1, 24, "fold"
    for name, row in sens.table.iterrows():
        table.add_row(escape(str(name)), _effect_words(str(name), row, said, kind),
                      *(f"{row[c]:+.2f}" if c in ("rho", "mu") else f"{row[c]:.3g}" for c in numbers))
    out.print(table)
    out.print(f"[dim]{sens.note}[/dim]")


#: the numbers beside the words, by kind of sensitivity, with plain headers
_NUMBERS = {"spearman": {"rho": "rank correlation", "p_value": "p-value"},
            "sobol": {"ST": "share explained (ST)", "ST_conf": "±", "S1": "alone (S1)"},
            "morris": {"mu_star": "mean effect (μ*)", "mu": "signed mean (μ)", "sigma": "spread (σ)"}}
#: outcome columns in words ({} the investor)
_OUTCOMES = {"investor_gain_mean": "{}'s mean gain", "investor_gain_p5": "{}'s gain in a bad future (P5)",
             "investor_gain_p50": "{}'s median gain", "investor_p_loss": "the chance {} ends behind",
             "host_gain_mean": "the host's mean gain", "host_gain_p5": "the host's gain in a bad future (P5)",
             "host_p_loss": "the chance the host ends behind", "p_crisis": "{}'s reserve-crisis risk",
             "irr_p50": "{}'s median IRR", "irr_p5": "{}'s IRR in a bad future (P5)",
             "tariff_relief": "{}'s tariff relief", "npv_mean": "{}'s mean NPV",
             "p_recoup": "the chance {} recoups", "peak_call": "{}'s peak annual call"}


def _outcome_words(outcome: str, investor: str) -> str:
    return _OUTCOMES.get(outcome, outcome).format(investor)


def _investor(folder: Path) -> str:
    """The run's one investor, for the sentences ("Korea's mean gain"); else 'the investor'."""
    from ...analysis.explore import Store
    from ..pacts import pact_from
    from .common import pact_arg
    try:
        pacts = Store(folder).manifest()["spec"].get("pacts") or []
        if len(pacts) == 1:
            value, file = pact_arg(str(pacts[0]))
            return pact_from(value, "pact", file).parties.investor
    except (PactError, OSError, KeyError, TypeError, AttributeError):
        pass                # a test function's run, or a pact file no longer there
    return "the investor"


def _effect_words(key: str, row: Any, said: str, kind: str) -> str:
    """One input's effect as a sentence: "the higher Korea's discount rate, the lower Korea's
    mean gain (strongly)"; for variance-based indices, the share of the spread it explains."""
    from ...present.robust_text import label
    subject, verb, _ = label(key)
    if kind == "sobol":
        return f"explains {max(row['ST'], 0):.0%} of the spread in {said} ({max(row['S1'], 0):.0%} alone)"
    sign = row.get("rho") if kind == "spearman" else row.get("mu")
    size = abs(sign) if kind == "spearman" else None
    if sign is None or sign != sign:
        return f"{subject} does not vary in this run"
    if subject == key:                       # no words for it: the key names it
        subject, verb = "it", "is"
    elif not subject.startswith(("the ", "a ", "an ")) and "'s " not in subject:
        subject = f"the {subject}"
    more = "higher" if verb in ("is", "are") else "more"
    clause = f"the {more} {subject}{'' if verb in ('is', 'are') else ' ' + verb}"
    text = f"{clause}, the {'higher' if sign > 0 else 'lower'} {said}"
    if size is not None:
        text += (" (strongly)" if size >= 0.5 else " (moderately)" if size >= 0.3 else " (weakly)"
                 if size >= 0.1 else " (hardly at all)")
        if row.get("p_value", 0) > 0.05:
            text += "; could be chance"
    return text


@app.command()
def discover(folder: Path = typer.Argument(..., help="A run's folder.", file_okay=False),
             where: str = typer.Option(..., "--where",
                                       help="The condition of interest (SQL), e.g. \"investor_gain_mean < 0\"."),
             peel_alpha: float = typer.Option(0.05, "--peel-alpha", min=0.001, max=0.5),
             paste_alpha: float = typer.Option(0.05, "--paste-alpha", min=0.001, max=0.5),
             mass_min: float = typer.Option(0.05, "--mass-min", min=0.001, max=0.99),
             threshold: float = typer.Option(0.8, "--threshold", min=0.01, max=0.999,
                                             help="The density at which a box is accepted."),
             box: int | None = typer.Option(None, "--box", min=0,
                                            help="The step to report (default: the knee of the coverage-density trade-off)."),
             resamples: int = typer.Option(20, "--resamples", min=0, max=1000,
                                           help="Bootstrap re-runs of PRIM for the restrictions' stability."),
             outcome: str | None = typer.Option(None, "--outcome",
                                                help="For --report: the outcome whose sensitivity to chart."),
             report_file: Path | None = typer.Option(None, "--report", dir_okay=False,
                                                     help="Write an HTML report with the results."),
             as_json: bool = JsonOpt) -> None:
    """Scenario discovery: the box of inputs where a condition (e.g. the investor loses) holds."""
    if report_file is not None:
        ensure_folder(report_file)
    result = _where_names_columns(folder, where, lambda: service.discover(build(
        DiscoverRequest, folder=str(folder), where=where,
                                    peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min,
                                    threshold=threshold, box=box, resamples=resamples, outcome=outcome,
                                    report=report_file is not None)))
    if as_json:
        write_json(result.to_json())
    else:
        _show_discovery(result.discovery, threshold)
    if report_file is not None and result.report is not None:
        write_atomic(report_file, result.report)
        err.print(f"wrote {report_file}")


def _where_names_columns(folder: Path, where: str, run: Any) -> Any:
    """`run()`, with a ``--where`` that names no column of the run answered by the columns one
    may use (one line), not DuckDB's binder message."""
    try:
        return run()
    except PactError as exc:
        missing = re.search(r'Referenced column "([^"]+)" not found', str(exc))
        if missing is None:
            raise
        from ...analysis.explore import Store
        columns = [c for c in Store(folder).manifest().get("columns", []) if c != "point_id"]
        quoted = [f'"{c}"' if not c.isidentifier() else c for c in columns]
        near = difflib.get_close_matches(missing.group(1), columns, n=1)
        hint = f" (did you mean {quoted[columns.index(near[0])]}?)" if near else ""
        raise PactError(f"--where {where!r}: no column {missing.group(1)!r} in this run{hint}; the "
                        f"columns are {', '.join(quoted)} (quote the dotted ones: "
                        f"'\"fx.swap_line\" > 0')") from None


def _show_discovery(found: Any, threshold: float) -> None:
    traj = found.result.trajectory
    out.print(f"{found.where}: {found.share:.1%} of the points. PRIM over {', '.join(found.inputs)}")
    curve = Table("box", "coverage", "density", "mass", "inputs restricted",
                  title="The trade-off: each step of peeling and pasting")
    for i, r in traj.iterrows():
        curve.add_row(str(i), f"{r.coverage:.1%}", f"{r.density:.1%}", f"{r.mass:.1%}", str(int(r.res_dim)))
    out.print(curve)
    sel = found.selection
    i = len(traj) - 1 if sel is None else sel.step
    how = "the last" if sel is None else ("the knee" if sel.how == "knee" else "--box")
    box = Table("input", "from", "to", "quasi-p", "stability", "", title=f"The chosen box (step {i}, "
                f"{how}: coverage {traj.coverage.iloc[i]:.1%}, density {traj.density.iloc[i]:.1%})"
                + ("" if traj["mean"].iloc[i] >= threshold else f" — below the {threshold:.0%} density threshold"))
    rows = found.result.box(i) if sel is None else sel.table(found.result)
    words = []
    for name, r in rows.iterrows():
        unit = robust_text.label(str(name))[2]
        box.add_row(name, _limit_text(r["min"], unit), _limit_text(r["max"], unit),
                    f"{r.get('quasi_p', float('nan')):.3g}",
                    f"{r.get('stability', float('nan')):.0%}", "" if r.get("kept", True) else "dropped")
        if r.get("kept", True):
            words.append(_in_words(str(name), r["min"], r["max"]))
    out.print(box)
    if words:
        out.print(escape(f"In words: {found.where} where " + "; ".join(words) + "."))
    if sel is not None:
        out.print(f"[dim]quasi-p: one-sided binomial test of the box's density against the density with the "
                  f"restriction removed; stability: share of {sel.resamples} bootstrap re-runs of PRIM that "
                  f"restrict the input.[/dim]")
        if sel.dropped:
            out.print(f"Dropped (quasi-p above {sel.alpha:g}): {', '.join(sel.dropped)}; without them the box has "
                      f"coverage {sel.stats['coverage']:.1%}, density {sel.stats['density']:.1%}, "
                      f"mass {sel.stats['mass']:.1%}.")


def _limit_text(value: object, unit: str = "") -> str:
    """A box's limit in its input's own unit (8% a year, $50B), levels joined."""
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return robust_text.amount(float(value), unit) if unit else f"{value:.4g}"  # type: ignore[arg-type]


def _in_words(key: str, low: object, high: object) -> str:
    """One restriction of the box as a sentence's clause ('the deal's withdrawal risk is over
    8% a year')."""
    if isinstance(low, tuple):
        return robust_text.condition(key, list(low))
    return robust_text.condition(key, [float(low), float(high)])  # type: ignore[arg-type]
