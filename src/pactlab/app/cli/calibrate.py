"""``pactlab calibrate korea [--hold-out PRESET] [-o prefs.toml]``: the preference parameters under
which the record (what was signed, what was rejected) is rational, and, with ``--hold-out``, the
deal they predict (flags -> a request -> :func:`pactlab.analysis.calibrate.calibrate` -> a table
or JSON)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..._version import __version__
from ...analysis.calibrate import Calibration, calibrate
from ...core.io import write_atomic
from ...present import to_json
from ...present.payloads import manifest
from ..requests import CalibrateRequest, build
from ..resolve import assumptions_of
from .common import (
    AssumptionsOpt,
    JsonOpt,
    SeedOpt,
    SetOpt,
    app,
    assumption_fields,
    cell,
    ensure_folder,
    err,
    out,
    progress,
    write_json,
)


@app.command("calibrate")
def calibrate_cmd(investor: str = typer.Argument("korea", help="The investor: its name or code."),
                  hold_out: str | None = typer.Option(
                      None, "--hold-out", help="Fit without this deal of the record and predict it."),
                  paths: int = typer.Option(2_000, "--paths", min=10, max=200_000,
                                            help="Common futures."),
                  samples: int = typer.Option(2_048, "--samples", min=16, max=100_000,
                                              help="Latin-hypercube points over the bounds."),
                  candidates: int = typer.Option(200, "--candidates", min=1, max=10_000,
                                                 help="Candidates of the issue space for the prediction."),
                  output: Path | None = typer.Option(
                      None, "-o", "--output", dir_okay=False,
                      help="Write the fitted point for `negotiate --preferences`."),
                  seed: int = SeedOpt, as_json: bool = JsonOpt, set_: list[str] | None = SetOpt,
                  assumptions: Path | None = AssumptionsOpt) -> None:
    """The preferences under which what was signed and what was rejected were rational."""
    req = build(CalibrateRequest, **assumption_fields(set_, assumptions), investor=investor,
                hold_out=hold_out, paths=paths, seed=seed, samples=samples, candidates=candidates)
    a = assumptions_of(req)
    if output is not None:
        ensure_folder(output)
    with progress(not as_json) as step:
        result = calibrate(req.investor, a, hold_out=req.hold_out, paths=req.paths,
                           seed=req.seed, samples=req.samples, candidates=req.candidates,
                           progress=step)
    if output is not None:
        write_atomic(output, result.preferences_toml())
        err.print(f"wrote {output}: the fitted preferences (negotiate --preferences {output})")
    if as_json:
        write_json(to_json({**result.to_dict(), "manifest": {
            **manifest(a), "paths": req.paths, "seed": req.seed,
            "host_objective": "stated (calibrated)"}}))
        return
    _show(result)


def _show(result: Calibration) -> None:
    d = result.to_dict()
    verdict = "consistent" if d["consistent"] else "[red]inconsistent[/red]"
    out.print(f"The record is {verdict} with the plausible ranges: "
              f"{d['consistent_share']:.1%} of {d['samples']:,} points over the bounds explain it"
              + (f" (fitted without {result.hold_out})" if result.hold_out else ""))
    facts = Table("side", "chose", "over", "slack at the point (USD bn)", title="The record")
    for f in d["record"]:
        facts.add_row(f["side"], f["better"], f["worse"], f"{f['slack']:.1f}")
    out.print(facts)
    t = Table("parameter", "bounds", "consistent set", "point", "at bound",
              title="Preferences: the set the record allows, and the point with the largest slack")
    for key, r in d["parameters"].items():
        seen = "–" if r["set"] is None else f"{r['set'][0]:.3g} to {r['set'][1]:.3g}"
        t.add_row(key, f"{r['low']:g} to {r['high']:g}", seen, f"{r['point']:.3g}", r["at_bound"] or "")
    out.print(t)
    for line in d["meaning"]:
        out.print(line)
    if d["prediction"] is not None:
        _show_prediction(d["prediction"], result.hold_out)
    out.print(f"[dim]The point: {d['point_rule']}. Host gain in the stated view "
              f"(Grossman-Helpman), its weights fitted; seed {result.seed}, {result.paths:,} paths, "
              f"pactlab {__version__}[/dim]")


def _show_prediction(p: dict[str, Any], held: str | None) -> None:
    if p["terms"] is None:
        out.print(f"[yellow]No prediction: {p['note']}[/yellow]")
        return
    t = Table("issue", "predicted (Nash)", f"held out: {held}",
              title=f"The Nash deal under the fitted preferences, beside {held} "
                    f"(distance {p['distance']:.3f}: mean |difference| / the issue's range)")
    for key, value in p["terms"].items():
        t.add_row(key, cell(value), cell(p["held_out"][key]))
    out.print(t)
