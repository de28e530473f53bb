"""``pactlab robust``: flags -> a :class:`~pactlab.app.requests.RobustRequest` -> the robust
service -> a table of verdicts (how sure each is, what moves it, where it flips), JSON or the
points as CSV; ``-o page.html`` also writes the result as a self-contained page."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from ...core.io import write_atomic
from ...present import format_value as fmt
from .. import robust_service
from ..requests import RobustRequest, build
from .common import (
    AsOfOpt,
    AssumptionsOpt,
    JsonOpt,
    SeedOpt,
    SetOpt,
    TermOpt,
    app,
    ensure_folder,
    err,
    out,
    pacts_fields,
    print_fitted,
    progress,
    simulated,
    write_json,
)

#: the drivers shown a verdict (the rest: --json)
SHOWN_DRIVERS = 3


@app.command("robust")
def robust_cmd(pacts: list[str] = typer.Argument(..., help="Preset names or .toml files."),
               points: int = typer.Option(128, "--points", min=2, max=100_000,
                                          help="Points of the design to evaluate."),
               paths: int = typer.Option(2_000, "--paths", min=1, max=5_000_000,
                                         help="Simulated futures a point."),
               seed: int = SeedOpt,
               sampler: str = typer.Option("lhs", "--sampler",
                                           help="lhs (Latin hypercube, rank drivers) or sobol "
                                                "(Saltelli design, total Sobol indices)."),
               crisis_bound: float = typer.Option(0.1, "--crisis-bound",
                                                  help="investor_crisis_below holds where "
                                                       "P(crisis) is under this."),
               independent: bool = typer.Option(False, "--independent-futures",
                                                help="Each point its own futures (default: "
                                                     "the same futures at every point)."),
               as_json: bool = JsonOpt,
               as_csv: bool = typer.Option(False, "--csv", help="Print the points as CSV."),
               set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
               assumptions: Path | None = AssumptionsOpt, as_of: str | None = AsOfOpt,
               output: Path | None = typer.Option(None, "-o", "--output", dir_okay=False,
                                                  help="Also write the result as a "
                                                       "self-contained HTML page.")) -> None:
    """How sure is each headline verdict? The share of the plausible ranges where it holds,
    the inputs that move it most and the box of inputs where it flips."""
    if output is not None:
        ensure_folder(output)
    req = build(RobustRequest, **simulated(paths, seed, set_, term, assumptions, as_of),
                **pacts_fields(pacts), points=points, sampler=sampler,
                crisis_bound=crisis_bound, independent_futures=independent)
    with progress(not (as_json or as_csv)) as step:
        result = robust_service.robust(req, progress=step)
    if as_json:
        write_json(result.to_json())
    elif as_csv:
        sys.stdout.write(result.to_csv())
    else:
        _show(result)
    if output is not None:
        write_atomic(output, result.to_html())
        err.print(f"wrote {output} ({Path(output).stat().st_size / 1e6:.1f} MB): "
                  f"{len(result.result.verdicts)} verdicts of {len(pacts)} pact(s)")


def _show(result: robust_service.Robust) -> None:
    r = result.result
    m = r.manifest
    print_fitted(escape(f"How sure is each verdict? {m['points']} points over {len(r.ranges)} "
                        f"plausible ranges, {m['paths']:,} futures each, seed {m['seed']}"),
                 "pact", ["verdict", "holds in", "at defaults"],
                 [(escape(v["pact"]), [v["verdict"], fmt(v["holds_share"], "share"),
                                       "yes" if v["at_defaults"] else "no"]) for v in r.verdicts])
    for v in r.verdicts:          # the long parts as prose, which wraps to the terminal
        drivers = ", ".join(f"{d['key']} ({d['index']:.2f})" for d in v["drivers"][:SHOWN_DRIVERS])
        out.print(f"[bold]{escape(v['pact'])} · {v['verdict']}[/bold]: top drivers "
                  f"{escape(drivers or '–')}; flips when {escape(r.box_text(v))}")
    out.print(f"[dim]{escape(m['design'])}; flip boxes: PRIM, the box at the knee of the "
              f"coverage–density curve; `--json` for every point and driver[/dim]")
    if m["fixed"]:
        out.print(f"[dim]held at their values (not ranged): {escape(', '.join(m['fixed']))}[/dim]")
