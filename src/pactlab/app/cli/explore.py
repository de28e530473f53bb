"""``pactlab explore``, ``sensitivity`` and ``discover``: sweeps to disk, what moves an outcome,
and the box of inputs where a condition holds."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ...core.io import write_atomic
from ...inputs.terms import read_toml
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
    if report_file is not None:
        ensure_folder(report_file)
    result = service.discover(build(DiscoverRequest, folder=str(folder), where=where,
                                    peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min,
                                    threshold=threshold, outcome=outcome, report=report_file is not None))
    if as_json:
        write_json(result.to_json())
    else:
        _show_discovery(result.discovery, threshold)
    if report_file is not None and result.report is not None:
        write_atomic(report_file, result.report)
        err.print(f"wrote {report_file}")


def _show_discovery(found: Any, threshold: float) -> None:
    traj = found.result.trajectory
    out.print(f"{found.where}: {found.share:.1%} of the points. PRIM over {', '.join(found.inputs)}")
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


def _limit_text(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, tuple) else f"{value:.4g}"
