"""``pactlab tariffs``: a what-if (``--korea 25 --japan 15``: percent, the one place rates are
percent, converted to fractions here), the schedule's own change between two dates (``--from
2024-12-31 --to 2025-12-31``: the year-one loss of the actual schedule) or a pact's deal against
no deal (``--compare-to DATE``: as known on two dates, side by side)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from ...core.errors import PactError
from ...core.units import percent_to_fraction
from ...inputs.assumptions import Assumptions, as_date, parse_settings
from ...inputs.data.trade import PARTNERS
from ...inputs.terms import pact_label
from ...model.gains import TARIFF_RELIEF
from ...model.tariffs.no_deal import MEASURES
from ...present import format_value as fmt
from .. import service
from ..requests import LEGAL_SHOCKS_GONE, TariffRequest, build
from .common import (
    AsOfOpt,
    AssumptionsOpt,
    JsonOpt,
    SeedOpt,
    SetOpt,
    TermOpt,
    app,
    assumption_fields,
    err,
    out,
    pact_fields,
    print_fitted,
    title,
    write_json,
)

_PARTNER_OPTS = {name: typer.Option(None, f"--{name.replace('_', '-')}", min=0.0, max=200.0,
                                    help=f"Tariff on {name} in percent, every sector in scope.")
                 for name in PARTNERS}


def _tariff_footnote(a: Assumptions, when: str) -> None:
    from ...model.tariffs import IEEPA_REFUNDS, substitution, trade_data
    td = trade_data()
    t = a.trade
    subs = ", ".join(f"{sector} {substitution(sector, a):.2g}" for sector in td.sector_names)
    lo, _, hi = t.span("substitution_scale")
    e_lo, _, e_hi = t.span("exporter_share")
    out.print(f"[dim]Flows: US imports 2024 (Census, via the Yale Budget Lab); rates {when}; "
              f"tariffs as of {t.as_of.isoformat()} (data/tariff_schedule.csv, by legal authority: "
              f"the IEEPA tariffs void from 20 Feb 2026, s122 10% to 23 Jul, the forced-labour s301 "
              f"from 24 Jul; later rows unknown, the rates in force then persist). {IEEPA_REFUNDS}. "
              f"Solved exactly (constant elasticities; no flow can go negative)."
              f"\nElasticity of substitution among sources, long run = GTAP ESUBM x {t.substitution_scale:g} "
              f"(range {lo:g}–{hi:g}): {subs}; in the first year of a change {t.short_run_share:.0%} of "
              f"that, rising linearly to it by year {t.years_to_long_run} (Boehm, Levchenko & "
              f"Pandalai-Nayar 2023: about -0.76 after a year, -1.75 to -2.25 after 7-10); import "
              f"demand {float(td.sectors['import_elasticity'].iloc[0]):g} (GSIM example)."
              f"\nExporters bear {t.exporter_share:.0%} of a tariff (range {e_lo:.0%}–{e_hi:.0%}; Goldman "
              f"Sachs 2025), {t.exporter_share_autos:.0%} for Korean and Japanese cars and parts (assumed); "
              f"value added: OECD TiVA shares (assumed, ±20%), each year's new loss fading over "
              f"{t.adjustment_years} years to its terms-of-trade part; 2024 flows grown "
              f"{t.nominal_growth:.1%} a year to each year's dollars (trade.nominal_growth).[/dim]")


def _rates(percent: dict[str, float | None]) -> dict[str, float]:
    """The shorthand flags' percent as fractions (with a note for a likely slip: 0.25 is 0.25%)."""
    given = {k: v for k, v in percent.items() if v is not None}
    for name, value in given.items():
        if 0 < value < 1:
            err.print(f"note: --{name.replace('_', '-')} {value:g} is read as {value:g}% "
                      f"(tariffs here are in percent: {value * 100:g} for {value:.0%})")
    return {k: percent_to_fraction(v) for k, v in given.items()}


def _gone(value: str | None) -> None:
    """``--legal-shocks`` is gone: one line naming the flags that replace it."""
    if value is not None:
        raise PactError(LEGAL_SHOCKS_GONE)


def _date(text: str | None, flag: str) -> str | None:
    """A date flag checked at the edge: one line naming the flag."""
    if text is None:
        return None
    try:
        return as_date(text).isoformat()
    except ValueError as exc:
        raise PactError(f"{flag}: {exc}") from None


@app.command()
def tariffs(pact: str | None = typer.Argument(None, help="A pact: deal vs no deal, year by year."),
            korea: float | None = _PARTNER_OPTS["korea"], japan: float | None = _PARTNER_OPTS["japan"],
            eu27: float | None = _PARTNER_OPTS["eu27"], china: float | None = _PARTNER_OPTS["china"],
            mexico: float | None = _PARTNER_OPTS["mexico"], canada: float | None = _PARTNER_OPTS["canada"],
            taiwan: float | None = _PARTNER_OPTS["taiwan"], vietnam: float | None = _PARTNER_OPTS["vietnam"],
            rest_of_world: float | None = _PARTNER_OPTS["rest_of_world"],
            sector: list[str] | None = typer.Option(None, "--sector", help="Limit the change to these sectors (repeatable)."),
            investor: str = typer.Option("korea", "--investor",
                                         help="Whose losses to report: korea, japan, taiwan or eu27."),
            as_of: str | None = AsOfOpt,
            compare_to: str | None = typer.Option(None, "--compare-to", metavar="DATE",
                                                  help="A pact's costs also as known on DATE, side by side (a before/after)."),
            from_date: str | None = typer.Option(None, "--from", metavar="DATE",
                                                 help="With --to: the loss of moving from the rates in force on DATE ..."),
            to_date: str | None = typer.Option(None, "--to", metavar="DATE",
                                               help="... to those on DATE, every partner (year one: first-year elasticities)."),
            legal_shocks: str | None = typer.Option(None, "--legal-shocks", hidden=True, callback=_gone),
            paths: int = typer.Option(2_000, "--paths", min=1, max=1_000_000,
                                      help="Draws of the uncertain parameters, for the ranges."),
            seed: int = SeedOpt, as_json: bool = JsonOpt,
            as_csv: bool = typer.Option(False, "--csv", help="A what-if's sector table as CSV."),
            set_: list[str] | None = SetOpt, term: list[str] | None = TermOpt,
            assumptions: Path | None = AssumptionsOpt) -> None:
    """What tariffs cost: a what-if (--korea 25 --japan 15) or a pact's deal vs no deal."""
    rates = _rates(dict(korea=korea, japan=japan, eu27=eu27, china=china, mexico=mexico, canada=canada,
                        taiwan=taiwan, vietnam=vietnam, rest_of_world=rest_of_world))
    fields: dict[str, Any] = {**assumption_fields(set_, assumptions, as_of), "rates": rates,
                              "sectors": sector or None, "investor": investor,
                              "compare_to": _date(compare_to, "--compare-to"),
                              "from_date": _date(from_date, "--from"), "to_date": _date(to_date, "--to"),
                              "draws": paths, "seed": seed,
                              "terms": parse_settings(term or [], flag="--term")}
    if pact is not None:
        fields |= pact_fields(pact)
    result = service.tariffs(build(TariffRequest, **fields))
    if as_json:
        write_json(result.to_json())
    elif as_csv and result.what_if is not None:
        sys.stdout.write(result.to_csv())
    elif result.what_if is not None:
        _show_what_if(result)
    elif result.costs is not None and len(result.costs) == 2:
        _show_both(result)
    else:
        _show_no_deal(result)


def _show_what_if_grid(result: service.Tariffs) -> None:
    req, a = result.request, result.assumptions
    investor, rival = req.investor, service.rival(req.investor)
    if result.change is not None:
        start, end = (d.isoformat() for d in result.change)
        table = result.what_if.first_year
        heading = (f"The schedule from {start} to {end}: every partner's rates in force on each day "
                   "— year one (first-year elasticities), central parameters")
    else:
        table = result.what_if.by_sector
        heading = (f"Tariffs: {', '.join(f'{k} {v:.0%}' for k, v in req.rates.items())} (before: the "
                   f"rates in force on {a.trade.as_of.isoformat()}) — long run, central parameters")
    rows = []
    for name, row in table.iterrows():
        rates = "" if name == "total" else f"{row.investor_rate_before:.0%} → {row.investor_rate_after:.0%}"
        pct = row.investor_export_change / row.investor_exports if row.investor_exports else float("nan")
        rows.append((str(name), [fmt(row.investor_exports, "usd_bn"), rates,
                                 fmt(row.investor_export_change, "usd_bn"), fmt(pct, "share"),
                                 fmt(row.investor_value_added_change, "usd_bn"),
                                 fmt(row.investor_producer_surplus_change, "usd_bn"),
                                 fmt(row.rival_export_change, "usd_bn"), fmt(row.us_consumer_cost, "usd_bn"),
                                 fmt(row.us_tariff_revenue_change, "usd_bn"), fmt(row.exporter_share, "share")]))
    print_fitted(title(heading, a, []), "sector",
                 [f"{investor} exports at the before rates", "rate before → after", "export change",
                  "change %", "value added at risk", "terms of trade", f"{rival} change", "US buyers pay",
                  "US tariff revenue", f"{investor} absorbs"], rows, blocks=[2, 2, 2, 1, 2, 1])


def _show_what_if(result: service.Tariffs) -> None:
    req, a, w = result.request, result.assumptions, result.what_if
    _show_what_if_grid(result)
    rows = []
    for measure, label in (("exports_lost", "exports lost"), ("value_added_lost", "value added lost")):
        for partner_code, spans in w.ranges[measure].items():
            if all(abs(v) < 0.05 for h in spans.values() for v in h.values()):
                continue
            rows.append((f"{partner_code} {label}", [fmt(spans[h][q], "usd_bn") for h in ("first_year", "long_run")
                                                    for q in ("p5", "p50", "p95")]))
    print_fitted(f"Ranges over the uncertain elasticities, pass-through and value-added shares "
                 f"({req.draws:,} draws, seed {req.seed}); USD bn a year, a loss is positive",
                 "partner, measure", ["first year P5", "P50", "P95", "long run P5", "P50", "P95"], rows,
                 blocks=[3, 3])
    va = w.ranges["value_added_lost"][result.investor_code()]
    if result.change is not None:
        lost = result.first_year_loss()
        start, end = (d.isoformat() for d in result.change)
        out.print(f"{req.investor.capitalize()}'s year-one loss from the schedule's change, {start} to "
                  f"{end}: {fmt(lost['exports_lost'], 'usd_bn')} of exports "
                  f"({fmt(lost['exports_lost_share'], 'share')} of its exports to the US at the {start} "
                  f"rates), {fmt(lost['value_added_lost'], 'usd_bn')} of value added "
                  f"({fmt(va['first_year']['p5'], 'usd_bn')}–{fmt(va['first_year']['p95'], 'usd_bn')}); "
                  "set it beside a published year-one estimate (statutory rates, 2024 flows).")
        _tariff_footnote(a, f"in force on {start} and on {end}")
        return
    total, gdp = w.by_sector.loc["total"], result.investor_gdp()
    out.print(f"{req.investor.capitalize()} loses {fmt(va['first_year']['p50'], 'usd_bn')} of value added in the "
              f"first year ({fmt(va['first_year']['p5'], 'usd_bn')}–{fmt(va['first_year']['p95'], 'usd_bn')}), "
              f"{fmt(va['long_run']['p50'], 'usd_bn')} a year in the long run "
              f"({va['long_run']['p50'] / gdp:.2%} of GDP); {service.rival(req.investor)} changes its exports by "
              f"{fmt(total.rival_export_change, 'usd_bn')}; US buyers pay {fmt(total.us_consumer_cost, 'usd_bn')} "
              f"more and US tariff revenue changes by {fmt(total.us_tariff_revenue_change, 'usd_bn')} "
              "(long run, central).")
    _tariff_footnote(a, f"in force on {a.trade.as_of.isoformat()}")


def _show_both(result: service.Tariffs) -> None:
    """A pact's tariff costs as known on two dates, side by side."""
    from ...model.tariffs import NO_DEAL_CASE
    p, a, costs = result.pact, result.assumptions, result.costs
    assert p is not None and costs is not None
    names = {when: f"tariffs as of {when.isoformat()}" for when in sorted(costs)}
    first, last = (when.isoformat() for when in names)
    rows = []
    for key, who in (("investor_value_added_relief", p.parties.investor),
                     ("investor_export_relief", p.parties.investor),
                     ("investor_producer_surplus_relief", p.parties.investor),
                     ("host_consumer_saving", None), ("host_tariff_revenue_forgone", None)):
        label = MEASURES[key][0] if who is None else f"{who}: {MEASURES[key][0]}"
        rows.append((label, [fmt(costs[state].present_value[key], "usd_bn") for state in names]))
    print_fitted(title(f"{pact_label(p)}: what the deal keeps (central-parameter PVs), tariffs as of "
                       f"{first} and as of {last}", a, [p]), "present value, USD bn",
                 list(names.values()), rows)
    out.print(f"The pact's tariffs are ceilings on the law's rates: where the law as of a date charges "
              f"less than a cap, the cap is worth nothing. The no-deal case: {NO_DEAL_CASE}.")
    _tariff_footnote(a, "from data/tariff_schedule.csv, capped by the pact's deal/no-deal terms")


def _show_no_deal_grid(result: service.Tariffs) -> None:
    p, a, when = result.pact, result.assumptions, result.as_of
    assert p is not None and result.costs is not None
    rows = []
    for name, row in result.costs[when].by_sector.iterrows():
        rates = "" if name == "total" else f"{row.investor_rate_before:.0%} → {row.investor_rate_after:.0%}"
        rows.append((str(name), [fmt(row.investor_exports, "usd_bn"), rates,
                                 fmt(-row.investor_export_change, "usd_bn"),
                                 fmt(-row.investor_value_added_change, "usd_bn"),
                                 fmt(row.rival_export_change, "usd_bn"), fmt(row.us_consumer_cost, "usd_bn")]))
    print_fitted(title(f"{pact_label(p)}: what no deal costs, {p.schedule.base_year + 1} (a full year)",
                       a, [p]), "sector",
                 ["exports at the deal rates", "deal → no-deal rate", "export loss", "value added lost",
                  "rival gain", "US buyers' saving with the deal"], rows)


def _show_no_deal(result: service.Tariffs) -> None:
    from ...model.tariffs import NO_DEAL_CASE
    p, a, when = result.pact, result.assumptions, result.as_of
    assert p is not None and result.costs is not None
    cost = result.costs[when]
    _show_no_deal_grid(result)
    shown = cost.by_year.iloc[[k for k in (0, 1, 2, 4, 8, 11, 20) if k < len(cost.by_year)]]
    print_fitted("Year by year (no deal vs deal, central parameters)", "year",
                 ["P(deal stands)", "export loss", "value added at risk", "terms-of-trade loss",
                  "value added lost after adjustment", "US buyers' saving", "US tariff revenue forgone"],
                 [(str(year), [fmt(row.survival, "share"), fmt(row.investor_export_loss, "usd_bn"),
                               fmt(row.investor_value_added_at_risk, "usd_bn"),
                               fmt(row.investor_producer_surplus_loss, "usd_bn"),
                               fmt(row.investor_value_added_loss, "usd_bn"), fmt(row.us_consumer_cost, "usd_bn"),
                               fmt(row.us_tariff_revenue, "usd_bn")]) for year, row in shown.iterrows()])
    out.print(f"Value added lost after adjustment: each year's new loss is all at risk in its first "
              f"year and fades over {a.trade.adjustment_years} years to its lasting terms-of-trade part "
              f"as labour and capital move; nominal dollars, 2024 flows grown "
              f"{a.trade.nominal_growth:.1%} a year (exports lost are shown for reference; they are "
              f"not a welfare measure).")
    pv = cost.present_value
    first = cost.by_sector.loc["total", "investor_value_added_change"] if cost.by_sector is not None else float("nan")
    out.print(f"{p.parties.investor}: {MEASURES['investor_value_added_relief'][0]} "
              f"{fmt(pv['investor_value_added_relief'], 'usd_bn')} "
              f"({MEASURES['investor_export_relief'][0]} {fmt(pv['investor_export_relief'], 'usd_bn')}); "
              f"{MEASURES['first_year_value_added_loss'][0]} {fmt(-first, 'usd_bn')} a year. US buyers' saving "
              f"{fmt(pv['host_consumer_saving'], 'usd_bn')}, against {fmt(pv['host_tariff_revenue_forgone'], 'usd_bn')} "
              f"of tariff revenue forgone (central-parameter PVs). Each year weighted by a "
              f"{a.trade.deal_withdrawal_prob:.0%} yearly chance the deal is withdrawn.")
    out.print(f"[dim]{MEASURES['investor_value_added_relief'][0]}: "
              f"{MEASURES['investor_value_added_relief'][1]}. {TARIFF_RELIEF.capitalize()} "
              f"(pactlab evaluate).[/dim]")
    out.print(f"[dim]The pact's tariffs are ceilings on the law's rates, not rates in force. The "
              f"no-deal case: {NO_DEAL_CASE}.[/dim]")
    _tariff_footnote(a, "from data/tariff_schedule.csv, capped by the pact's deal/no-deal terms")
