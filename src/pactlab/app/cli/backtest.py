"""``pactlab backtest KOR --from 2005``: the no-pact reserve model against the investor's history
(flags -> a request -> the service -> a table or JSON)."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ...present import format_value as fmt
from ...present import to_json
from .. import service
from ..requests import BacktestRequest, build
from .common import (
    AssumptionsOpt,
    JsonOpt,
    SeedOpt,
    SetOpt,
    app,
    assumption_fields,
    out,
    write_json,
)


@app.command("backtest")
def backtest_cmd(investor: str = typer.Argument("KOR", help="The investor: its code or name."),
                 start: int = typer.Option(2005, "--from", help="Start from this year's position."),
                 end: int = typer.Option(2025, "--to", help="The last year scored."),
                 paths: int = typer.Option(2_000, "--paths", min=1, max=5_000_000,
                                           help="Number of simulated futures."),
                 seed: int = SeedOpt, as_json: bool = JsonOpt, set_: list[str] | None = SetOpt,
                 assumptions: Path | None = AssumptionsOpt) -> None:
    """The reserve model with no pact, started from the investor's position in a year, against
    its actual year-end reserves: fitted on the years to 2015, scored out of sample after."""
    req = build(BacktestRequest, **assumption_fields(set_, assumptions), investor=investor,
                start=start, end=end, paths=paths, seed=seed)
    result = service.backtest(req)
    payload = result.to_dict()
    if as_json:
        write_json(to_json(payload))
        return
    _show(payload)


def _show(payload: dict) -> None:
    by_year, crises, manifest = payload["by_year"], payload["crises"], payload["manifest"]
    fit = manifest["fit"]
    table = Table("year", "actual", "P5", "P50", "P95", "inside", "sample",
                  title=f"{manifest['investor']}: year-end reserves, actual against the no-pact "
                        f"model from {manifest['from']} ({manifest['paths']:,} futures, seed "
                        f"{manifest['seed']}; USD bn)")
    rows = zip(by_year["year"], by_year["actual"], by_year["p5"], by_year["p50"], by_year["p95"],
               strict=True)
    for i, (year, actual, p5, p50, p95) in enumerate(rows):
        inside = "start" if i == 0 else ("yes" if p5 <= actual <= p95 else "no")
        sample = "in" if year <= fit["through"] else "out"
        table.add_row(str(year), *(fmt(v, "usd_bn") for v in (actual, p5, p50, p95)), inside,
                      sample)
    out.print(table)
    cover = crises["coverage_p5_p95"]
    today = crises["no_pact_from_today"]
    out.print(f"Actuals inside the P5–P95 band: {fmt(cover['in_sample'], 'share')} in sample "
              f"(to {fit['through']}), {fmt(cover['out_of_sample'], 'share')} out of sample, "
              f"{fmt(cover['all'], 'share')} in all; with the whole-history fit (the defaults) "
              f"{fmt(crises['coverage_p5_p95_full_fit'], 'share')}.")
    out.print(f"Crises: the model gives {fmt(crises['model_p_crisis'], 'share')} for at least one "
              f"over the window (the won floats on {fmt(crises['model_p_float'], 'share')} of "
              f"paths); on record: {crises['observed']}. From today with no pact: "
              f"{fmt(today['p_crisis'], 'share')} within {today['horizon_years']} years.")
    out.print(f"[dim]{manifest['note']} Fitted flows: {fit['non_pact_flow']:.2%} of GDP a year "
              f"({fit['ca_retained']:.0%} of the current account kept in reserves), spread "
              f"{fit['flow_sigma']:.2%}, persistence {fit['flow_persistence']:.2f}; short-term debt "
              f"+{fit['std_growth']:.1%} a year; yield {fit['reserve_return']:.2%} "
              f"(data/{manifest['data']}; SOURCES.md).[/dim]")
