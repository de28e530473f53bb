"""One self-contained HTML report (plotly.js inlined: it works offline) for one or more pacts.

Sections: the side-by-side table (the values of `pactlab.compare`), the term sheets, the
cash-split chart, the recoupment curve, the reserve fan chart, tariff cost by sector, the
gain-over-no-deal waterfalls, and methods and sources: every assumption and data source used,
with the pactlab version, seed and paths.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from ..._version import __version__
from ...analysis.backtest import Backtest
from ...analysis.batch import Progress
from ...analysis.crisis import crisis_paths, crisis_tables
from ...analysis.valuation import Evaluation, evaluate_all
from ...inputs import data
from ...inputs.assumptions import Assumptions
from ...inputs.terms import Pact
from ...inputs.terms.fields import SECTIONS, term_fields
from ...model.gains import TARIFF_RELIEF
from ...model.tariffs import trade_data
from .. import context_note, format_value, metric_units, robust_text, titled
from ..verdict import verdict
from . import figures, tables

if TYPE_CHECKING:
    from ...analysis.explore.analysis import Discovery, Sensitivity
    from ...analysis.negotiate.run import Negotiation
    from ...analysis.robust import Robustness

METHODS = (
    "Each pact is simulated on the same futures (common random numbers): correlated six-month "
    "SOFR, energy and power prices; project overruns, delays and failures; sudden stops on the "
    "investor's reserves. Capital calls follow the schedule, the annual cap and the instability "
    "clause; the MOU cash is split by the tiered waterfall; loans and guarantees pay and default "
    "with their projects. Tariff effects come from a GSIM partial-equilibrium model (Francois & "
    "Hall 2003) on 2024 US imports by sector and supplier. Each party's gain is measured against "
    "a no-deal case on the same futures: no investment, the threatened tariffs, and the same "
    "shocks to reserves. " + TARIFF_RELIEF[0].upper() + TARIFF_RELIEF[1:] + ". The trade flows "
    "are grown in nominal terms (trade.nominal_growth), like the discount rates; a withdrawn "
    "deal also ends the investor's calls for projects not yet launched "
    "(trade.withdrawal_stops_calls).")


def _data_sources() -> list[dict[str, str]]:
    return [
        {"name": "Macro data (data/macro.csv)", "text": "reserves, GDP, external balance sheets of the "
         "investors (Korea, Japan, Taiwan, the EU, Switzerland), each with source, period and confidence (see the assumptions table: macro.*)."},
        {"name": "US imports 2024 (data/us_imports_2024.csv)", "text": "US Census 2024 import weights "
         "(HS10 × country) via the Yale Budget Lab tariff model, rolled up by sector and supplier."},
        {"name": "Elasticities (data/trade_sectors.csv)", "text": "; ".join(
            f"{s}: substitution {r.substitution_elasticity:g}, import demand {r.import_elasticity:g} "
            f"({r.source}; {r.confidence})" for s, r in trade_data().sectors.iterrows())},
        {"name": "Value added (data/value_added.csv)", "text": "domestic value-added shares of exports "
         "by sector (OECD TiVA, approximate — marked as assumptions)."},
        {"name": "Project pipeline (data/pipeline.csv)", "text": "named candidate projects with capex and "
         "sources (Japan's tranche 1 and 2, the White House fact sheet of 28 Oct 2025, Korean candidates)."},
        {"name": "Project archetypes (data/archetypes.csv)", "text": "; ".join(
            f"{name}: {row['source']} ({row['confidence']})"
            for name, row in data.read_csv("archetypes.csv").set_index("archetype").iterrows())},
        {"name": "Korea's reserve history (data/korea_history.csv)", "text": "year-end reserves, "
         "short-term external debt and the current account, 2005–2025, each with its source and "
         "confidence: what the reserve model is fitted on and backtested against."},
        {"name": "US tariff schedule (data/tariff_schedule.csv)", "text": "the dated rates by partner, "
         "tariff line and legal authority (MFN/FTA, IEEPA, s122, s232, s301, deal caps, the flagged "
         "no-deal rows) to the data's as-of date, each row with its source and confidence."},
        {"name": "Plausible ranges (data/ranges.toml)", "text": "the range of each default a careful "
         "reader could defend instead, with its source or reasoning (pactlab assumptions; robust)."},
    ]


def _stability(st) -> dict[str, object] | None:
    """How often each term value is the Nash deal's over the replications (None: not run)."""
    if st is None:
        return None
    rows = [{"issue": r["issue"], "most chosen": str(r["most chosen"]),
             "share": format_value(r["share"], "share"), "others": r["others"]}
            for _, r in st.table().iterrows()]
    return {"design": st.design, "rows": rows}


def _negotiation(neg, evaluations: Sequence[Evaluation], stability=None) -> dict[str, object]:
    """The negotiation section: counts, the utility-space chart, the solutions, the Nash deal
    beside the reference pact, term by term, and (with `stability`) how robust it is."""
    from ...analysis.negotiate.run import SOLUTIONS
    base = neg.space.base
    rows, values = [], []
    for name, i in neg.solutions.items():
        if i is None:
            continue
        s = neg.stats.iloc[i]
        values.append({"solution": SOLUTIONS[name][0], "investor_mean": s.investor_mean,
                       "investor_p_loss": s.investor_p_loss, "host_mean": s.host_mean,
                       "host_p_loss": s.host_p_loss, "p_crisis": s.p_crisis,
                       **neg.candidates.values.iloc[i].to_dict()})
        rows.append({"name": SOLUTIONS[name][0], "investor": format_value(s.investor_mean, "usd_bn"),
                     "investor_p_loss": format_value(s.investor_p_loss, "share"),
                     "host": format_value(s.host_mean, "usd_bn"),
                     "host_p_loss": format_value(s.host_p_loss, "share"),
                     "p_crisis": format_value(s.p_crisis, "share")})
    compare_to = neg.reference or base.name
    reference = next((ev.pact for ev in evaluations if ev.pact.name == compare_to), base)
    nash = neg.solutions.get("nash")
    terms = []
    if nash is not None:
        ref_values = neg.space.values_of(reference)
        for key, value in neg.candidates.values.iloc[nash].items():
            terms.append({"key": key, "reference": str(ref_values[key]), "nash": str(value),
                          "changed": str(ref_values[key]) != str(value)})
    chart = figures.utility_space(neg).to_html(full_html=False, include_plotlyjs=False,
                                                div_id="chart-negotiation",
                                                config={"displaylogo": False, "responsive": True})
    return {"base": base.name, "candidates": f"{len(neg.candidates.pacts):,}",
            "skipped": neg.candidates.skipped, "ir": f"{int(neg.individually_rational.sum()):,}",
            "frontier": len(neg.frontier), "solutions": rows, "solution_values": values, "reference": compare_to,
            "terms": terms, "chart": chart, "prefs": neg.prefs, "stability": _stability(stability)}


def _exploration(sens, found) -> dict[str, object]:
    """The exploration section: the tornado chart, the PRIM trade-off curve and the chosen box."""
    def html(fig, cid: str) -> str:
        return fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{cid}",
                           config={"displaylogo": False, "responsive": True})
    out: dict[str, object] = {}
    if sens is not None:
        out["sensitivity"] = {"note": sens.note, "chart": html(figures.tornado(sens), "tornado"),
                              "table": sens.table,
                              "rows": [{"input": k, **{c: f"{v:.3g}" for c, v in row.items()}}
                                       for k, row in sens.table.iterrows()],
                              "columns": list(sens.table.columns)}
    if found is not None:
        t = found.result.trajectory.iloc[-1]
        box = found.result.box(-1)
        out["discovery"] = {
            "where": found.where, "share": f"{found.share:.1%}",
            "chart": html(figures.prim_tradeoff(found), "prim"),
            "coverage": f"{t.coverage:.1%}", "density": f"{t.density:.1%}", "mass": f"{t.mass:.1%}",
            "box": [{"input": k, "min": _limit(r["min"]), "max": _limit(r["max"])}
                    for k, r in box.iterrows()]}
    return out


def _limit(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, tuple) else f"{value:.4g}"


def summary(evaluations: Sequence[Evaluation]) -> list[str]:
    """What the verdict strip above does not say: each pact in words with its tariff relief, the
    reserve test where it does not apply, and what the verdicts hang on."""
    lines = []
    for ev in evaluations:
        g = ev.metrics["gain"]
        investor = ev.pact.parties.investor
        reserve = ""
        if not ev.assumptions.country(ev.pact.parties.investor_code).ara_applicable:
            reserve = (f" No reserve-crisis test is applied to {investor} (not an emerging-market "
                       "reserve case: see data/macro.csv).")
        lines.append(f"{ev.pact.title}: the deal's tariff relief is worth "
                     f"{format_value(g['investor:tariff relief'], 'usd_bn')} to {investor}; "
                     f"{investor} ends behind in {format_value(g['investor_p_loss'], 'share')} of "
                     f"futures, {ev.pact.parties.host} in {format_value(g['host_p_loss'], 'share')}."
                     f"{reserve}")
    lines.append("What the verdicts hang on: the long-run SOFR and the deemed spread (through the "
                 "commercial-reasonableness test), the chance the deal is withdrawn, what a partner "
                 "without a deal would pay (trade.no_deal_surcharge), the investor's non-pact "
                 "reserve flows, the host's strategic value of capex and, for a private pledge, the "
                 "chance it is delivered — each a flagged assumption with a plausible range "
                 "(data/SOURCES.md tabulates each range's effect; `pactlab evaluate` says where a "
                 "verdict flips, `pactlab robust` spreads them all at once).")
    return lines


def terms_table(evaluations: Sequence[Evaluation]) -> list[dict[str, object]]:
    """The term sheets side by side: one row per term in term-sheet order, related rows together
    (a section, then a tranche or tier), human labels with units, assumed cells flagged and rows
    whose values differ between the pacts marked."""
    fields = [{f.key: f for f in term_fields(ev.pact)} for ev in evaluations]
    order = list(SECTIONS.values())
    keys = sorted(dict.fromkeys(k for by_key in fields for k in by_key),
                  key=lambda k: order.index(next(f[k] for f in fields if k in f).section))
    rows = []
    for key in keys:
        first = next(f[key] for f in fields if key in f)
        cells = [{"text": f[key].text(), "assumed": f[key].assumed} if key in f
                 else {"text": "–", "assumed": False} for f in fields]
        rows.append({"key": key, "section": first.section, "label": first.label,
                     "group": _role_group(key, evaluations) or first.group,
                     "cells": cells, "differs": len({c["text"] for c in cells}) > 1})
    return rows


#: a tranche's role by its instrument (the report labels tranche rows by role, not by the first
#: pact's tranche names, which differ from pact to pact)
_ROLES = {"mou": "MOU cash", "guarantee": "guarantees", "loan": "policy loans"}


def _role_group(key: str, evaluations: Sequence[Evaluation]) -> str | None:
    """'tranche 2: guarantees / policy loans (shipbuilding)' for a tranche's rows: each pact's
    role for that tranche, once each; None for other rows."""
    m = re.match(r"^tranches\[(\d+)\]", key)
    if not m:
        return None
    i = int(m[1])
    roles = []
    for ev in evaluations:
        if i < len(ev.pact.tranches):
            t = ev.pact.tranches[i]
            role = _ROLES.get(t.instrument, t.instrument)
            roles.append(f"{role} ({', '.join(t.sectors)})" if t.sectors else role)
    return f"tranche {i + 1}: " + " / ".join(dict.fromkeys(roles))


_CHART_CONFIG = {"displaylogo": False, "responsive": True}


def _chart_html(fig: go.Figure, cid: str) -> str:
    """A figure as a div for the page (plotly.js is inlined once, at the top)."""
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{cid}",
                       config=_CHART_CONFIG)


def _comparison_rows(evaluations: Sequence[Evaluation]) -> list[dict[str, object]]:
    """The side-by-side table's rows: the raw value (for the page's data attributes) and its
    text in the metric's unit, a cell a pact."""
    units = metric_units()
    return [{"label": label, "cells": [
        {"raw": repr(float(v)), "text": format_value(float(v), units[label])} for v in row]}
        for label, row in tables.comparison(evaluations).iterrows()]


def _charts(evaluations: Sequence[Evaluation]) -> list[dict[str, str]]:
    """The chart sections in page order: id, heading, the note under it and the chart."""
    a = evaluations[0].assumptions
    costs = {ev.label: ev.plan.gain_inputs.tariff for ev in evaluations}
    charts = [
        ("cash-split", "Who gets the cash", "The investor's share of the MOU distributions each year "
         "(median and 5–95% band), one panel per pact on one scale; the host gets the rest. Dotted "
         "lines mark the switch to the last tier (the median path's first full year there) and "
         "the review clause, where the term sheet has one. A pact with no MOU cash has no panel.",
         figures.cash_split(evaluations)),
        ("recoupment", "Recoupment", "Probability that the investor has had its cash back by each "
         "year, over every tranche. Solid: the principal (every dollar out paid back, nominal). Dashed: "
         "principal plus interest at the deemed rate (six-month SOFR plus the waterfall's spread), "
         "compounding — the investor has earned at least the deemed rate on the whole pact; a "
         "dashed line flat at 0% never gets there. Interest can only push recoupment later. The "
         "MOU's own deemed allocation amount is narrower (under the 'scheduled' convention interest "
         "accrues only over a project's scheduled life), so the waterfall can reach its last tier "
         "(marked in 'Who gets the cash') while the dashed line is still low.", figures.recoupment(evaluations)),
        ("reserves", "Can the investor pay?", f"Reserves over the FX horizon "
         f"({a.fx.horizon_years} years), 5–95% band, with the no-pact path beside them, against "
         "100–150% of the IMF ARA metric where that metric applies (emerging markets; Japan is "
         "judged by other measures).", figures.reserves_fan(evaluations)),
        ("tariff-cost", "What no deal costs", "Value added the investor has at risk in the first full "
         "year if the deal's tariffs give way to the no-deal tariffs (the tariff model at its central "
         f"parameters, first-year elasticities; tariffs as of {a.trade.as_of.isoformat()}).",
         figures.tariff_cost(costs)),
        ("gains", "Deal or no deal", "Each party's gain over the no-deal case, component by component "
         "(mean present value).", figures.gain_waterfalls(evaluations)),
        ("gain-spread", "How likely each side ends behind", "The whole spread of each side's gain "
         "over the futures, on one scale: below the dotted line, that side would have done better "
         "with no deal.", figures.gain_spread(evaluations)),
    ]
    return [{"id": cid, "heading": heading, "note": note, "html": _chart_html(fig, cid)}
            for cid, heading, note, fig in charts]


def _projects(evaluations: Sequence[Evaluation]) -> list[dict[str, object]]:
    """The projects each pact selects, with their amounts and sources."""
    pipeline = data.pipeline().set_index("project")["source"]
    return [{"pact": ev.label, **row, "amount": format_value(row["amount"], "usd_bn"),
             "source": pipeline.get(row["project"], "generic project of its archetype (assumed)")}
            for ev in evaluations for row in ev.projects().to_dict(orient="records")]


def _crisis_sections(crisis: Mapping[str, pd.DataFrame] | None) -> list[dict[str, object]] | None:
    """Each crisis table as the page shows it: growth levels across, stop probabilities down,
    cells as percentages (None: no tables were given)."""
    if crisis is None:
        return None
    return [{"pact": label, "growth": list(t.columns.levels[0]),
             "rows": [{"stop": stop, "cells": [format_value(t.loc[stop, (g, c)], "share")
                                               for g in t.columns.levels[0] for c in ("pact", "no pact")]}
                      for stop in t.index]} for label, t in crisis.items()]


def _backtest_section(bt: Backtest | None) -> dict[str, object] | None:
    """The backtest as the methods section shows it: a row per year, the coverage, the chart."""
    if bt is None:
        return None
    p5, p50, p95 = bt.bands
    years = [int(y) for y in bt.years]
    rows = [{"year": y, "actual": format_value(a, "usd_bn"), "p5": format_value(lo, "usd_bn"),
             "p50": format_value(mid, "usd_bn"), "p95": format_value(hi, "usd_bn"),
             "sample": "in" if y <= bt.fit.through else "out"}
            for y, a, lo, mid, hi in zip(years, bt.actual, p5, p50, p95, strict=True)]
    by_year = {"year": years, "actual": bt.actual.tolist(), "p5": p5.tolist(),
               "p50": p50.tolist(), "p95": p95.tolist()}
    return {"rows": rows, "through": bt.fit.through, "paths": f"{bt.paths:,}",
            "coverage": {k: format_value(v, "share") for k, v in bt.coverage.items()},
            "full_fit": format_value(bt.coverage_full_fit, "share"),
            "p_crisis": format_value(bt.p_crisis, "share"),
            "today": format_value(bt.no_pact_today, "share"), "horizon": bt.horizon_years,
            "chart": _chart_html(figures.backtest_band(by_year, bt.fit.through), "backtest")}


def _tables(evaluations: Sequence[Evaluation], crisis: Mapping[str, pd.DataFrame] | None,
            neg: dict[str, object] | None, explored: dict[str, object] | None,
            robustness: Robustness | None) -> tuple[dict[str, pd.DataFrame], dict | None]:
    """Every table of the page as data, and the robustness section (the strip and "What would
    change the verdict"; None without a result), whose table joins them. The yes/no beside each
    share is this report's own verdict."""
    data_tables = tables.report_tables(evaluations, sensitivities=crisis or {},
                                       negotiation=neg, exploration=explored)
    if robustness is None:
        return data_tables, None
    bound = float(robustness.manifest.get("crisis_bound", 0.1))
    section = robust_text.report_section(
        robustness, parties={ev.label: (ev.pact.parties.investor, ev.pact.parties.host)
                             for ev in evaluations},
        at={ev.label: robust_text.evaluation_verdicts(ev.metrics, bound) for ev in evaluations})
    data_tables["robustness"] = section["frame"]
    return data_tables, section


def _template() -> jinja2.Template:
    """The page's template (autoescaped; an undefined name is an error, not a blank)."""
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
        (resources.files(__package__) / "report.html.j2").read_text(encoding="utf-8"))


def build_report(evaluations: Sequence[Evaluation], *,
                 crisis_tables: Mapping[str, pd.DataFrame] | None = None,
                 title: str | None = None, negotiation: Negotiation | None = None,
                 sensitivity: Sensitivity | None = None, discovery: Discovery | None = None,
                 backtest: Backtest | None = None, robustness: Robustness | None = None,
                 stability: Any = None) -> str:
    """The report as one HTML string (deterministic for the same inputs). It renders what it is
    given and computes nothing: every table comes from the caller.

    Parameters
    ----------
    evaluations : sequence of Evaluation, length pacts
        The pacts, evaluated on the same futures (the first one's assumptions head the page).
    crisis_tables : mapping of str to DataFrame, optional
        By evaluation label, :func:`pactlab.analysis.crisis.crisis_sensitivity` tables, shape
        (3, 2 * levels), fractions: what :func:`pactlab.analysis.crisis.crisis_tables` returns.
        None: the report says the tables were not computed.
    title : str, optional
        The page title (default: the pacts' titles and the overrides).
    negotiation : Negotiation, optional
        A negotiation result, for its section.
    sensitivity, discovery : Sensitivity, Discovery, optional
        An exploration's sensitivity and PRIM results (the tornado, scenario discovery).
    backtest : Backtest, optional
        The reserve model against history (:func:`pactlab.analysis.backtest.backtest`).
    robustness : Robustness, optional
        :func:`pactlab.analysis.robust.robust` of the pacts: "holds in X%", "What would change".
    stability : Stability, optional
        The Nash deal across replications (:mod:`pactlab.analysis.negotiate.stability`).

    Returns
    -------
    str
        A self-contained HTML page (plotly.js inlined).

    Raises
    ------
    ValueError
        When `evaluations` is empty.
    """
    if not evaluations:
        raise ValueError("a report needs at least one evaluation")
    a = evaluations[0].assumptions
    neg = None if negotiation is None else _negotiation(negotiation, evaluations, stability)
    explored = _exploration(sensitivity, discovery) if (sensitivity or discovery) else None
    data_tables, robust = _tables(evaluations, crisis_tables, neg, explored, robustness)
    return _template().render(
        **_first_screen(evaluations, robustness),
        title=title or titled("; ".join(ev.pact.title.split(":")[0] for ev in evaluations),
                              context_note(a, [ev.pact for ev in evaluations])),
        summary=summary(evaluations), version=__version__, robust=robust,
        paths=f"{evaluations[0].paths:,}", seed=evaluations[0].seed,
        pact_names=[ev.label for ev in evaluations],
        comparison=_comparison_rows(evaluations), terms=terms_table(evaluations),
        term_sheets=[{"name": ev.label, "title": ev.pact.title} for ev in evaluations],
        **_methods(evaluations), plotly_js=get_plotlyjs(), negotiation=neg, exploration=explored,
        crisis=_crisis_sections(crisis_tables), backtest=_backtest_section(backtest),
        crisis_paths=f"{crisis_paths(evaluations[0].paths):,}",
        downloads={name: tables.csv_uri(t) for name, t in data_tables.items()},
        workbook=tables.xlsx_uri(data_tables))


def _methods(evaluations: Sequence[Evaluation]) -> dict[str, object]:
    """The methods and sources at the end: what produced the numbers and from what."""
    return {"methods": METHODS, "manifests": [ev.manifest() for ev in evaluations],
            "assumptions": list({r["key"]: r for ev in evaluations
                                 for r in ev.assumptions.provenance()}.values()),
            "projects": _projects(evaluations), "data_sources": _data_sources(),
            "schedule": trade_data().schedule.fillna("").to_dict(orient="records")}


def _first_screen(evaluations: Sequence[Evaluation],
                  robustness: Robustness | None) -> dict[str, object]:
    """The verdict strip and each side's gain spread first; the other charts after the detail."""
    charts = _charts(evaluations)
    return {"verdicts": [verdict(ev, _holds(robustness, ev.label)) for ev in evaluations],
            "spread": next(c for c in charts if c["id"] == "gain-spread"),
            "charts": [c for c in charts if c["id"] != "gain-spread"]}


def _holds(rob: Robustness | None, label: str) -> dict[str, float] | None:
    """A pact's verdict -> the share of the plausible range where it holds (None: not run)."""
    if rob is None:
        return None
    return {v["verdict"]: v["holds_share"] for v in rob.verdicts
            if v["pact"] == label and v["holds_share"] is not None} or None


def report(pacts: Sequence[Pact | str], *, paths: int = 10_000, seed: int = 0,
           assumptions: Assumptions | None = None, progress: Progress | None = None) -> str:
    """Evaluate the pacts on the same futures, run their crisis tables and build their report
    (a convenience for notebooks: the front ends compute first and call :func:`build_report`).

    Parameters
    ----------
    pacts : sequence of Pact or str, length pacts
        Pacts, or preset names / .toml paths.
    paths : int
        Futures to evaluate on (the crisis tables run on at most
        :data:`pactlab.analysis.crisis.CRISIS_PATHS`).
    seed : int
        Their seed.
    assumptions : Assumptions, optional
        Default: the shipped ones.
    progress : callable (done, total) -> None, optional
        As in :func:`pactlab.analysis.valuation.evaluate_all`.

    Returns
    -------
    str
        The report's HTML, as :func:`build_report` returns it.
    """
    evaluations = evaluate_all(pacts, paths, seed, assumptions=assumptions, progress=progress)
    return build_report(evaluations, crisis_tables=crisis_tables(evaluations))


__all__ = ["build_report", "report"]
