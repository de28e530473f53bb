"""The report's charts: one plotly figure per section, every pact on the same axes.

Each function takes Evaluations (and what else it needs) and returns a figure; nothing here
writes files. Colours are fixed per pact so a pact looks the same in every chart.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import cycle

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...analysis.valuation import Evaluation
from ...model.tariffs import NoDealCost

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
LAYOUT = dict(template="plotly_white", height=420, margin=dict(l=60, r=20, t=50, b=50),
              legend=dict(orientation="h", y=-0.18))


def _band(fig: go.Figure, x, low, mid, high, name: str, colour: str, **where) -> None:
    fig.add_trace(go.Scatter(x=x, y=high, mode="lines", line=dict(width=0), showlegend=False,
                             hoverinfo="skip", legendgroup=name), **where)
    fig.add_trace(go.Scatter(x=x, y=low, mode="lines", line=dict(width=0), fill="tonexty",
                             showlegend=False, fillcolor=_alpha(colour, 0.18), hoverinfo="skip",
                             legendgroup=name), **where)
    fig.add_trace(go.Scatter(x=x, y=mid, mode="lines", name=name, line=dict(color=colour, width=2),
                             legendgroup=name), **where)


def _alpha(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def cash_split(evs: Sequence[Evaluation]) -> go.Figure:
    """The investor's share of MOU distributions by year, one panel per pact on one scale (so no
    line hides another): median and the P5-P95 band, with the switch to the last tier and the
    review clause marked where the term sheet has them."""
    shown = [(ev, colour) for ev, colour in zip(evs, cycle(COLOURS), strict=False)
             if not ev.cash_split_table().empty]
    if not shown:
        return go.Figure().update_layout(title="No MOU distributions to split", **LAYOUT)
    fig = make_subplots(rows=len(shown), cols=1, shared_xaxes=True, vertical_spacing=0.12 / len(shown),
                        subplot_titles=[ev.label for ev, _ in shown])
    for row, (ev, colour) in enumerate(shown, start=1):
        table = ev.cash_split_table()
        _band(fig, table.index, table["p5"], table["p50"], table["p95"], ev.label, colour, row=row, col=1)
        for year, text in _split_events(ev):
            fig.add_vline(x=year, line=dict(color="#555", width=1, dash="dot"), row=row, col=1,
                          annotation_text=text, annotation_position="top right",
                          annotation_font_size=10)
    fig.update_yaxes(title_text="investor share", tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(title_text="year", row=len(shown), col=1)
    fig.update_layout(title="Investor's share of distributions (host gets the rest)",
                      **{**LAYOUT, "height": 120 + 240 * len(shown)})
    return fig


def _split_events(ev: Evaluation) -> list[tuple[float, str]]:
    """(year, label) for the switch to the waterfall's last tier and for the review clause."""
    w, parties = ev.pact.waterfall, ev.pact.parties
    events: list[tuple[float, str]] = []
    if w is None:
        return events
    switch = ev.tier_switch()
    last = w.tiers[-1].investor_share
    split = f"{1 - last:.0%} {parties.host} / {last:.0%} {parties.investor}"
    if switch is not None:
        year, reached = switch
        events.append((year, f"{split} from here (median path; {reached:.0%} of paths get there)"))
    elif len(w.tiers) > 1 and not ev.cash_split_table().empty:
        events.append((float(ev.cash_split_table().index[0]),
                       f"no path reaches the last tier ({split}) within the horizon"))
    if w.review is not None:
        assumed = any(k.startswith("waterfall.review") for k in ev.pact.assumed)
        events.append((ev.base_year + w.review.after_year,
                       f"review: tier-1 share {w.review.investor_share:.0%} if not recouped"
                       + (" (assumed term)" if assumed else "")))
    return events


def recoupment(evs: Sequence[Evaluation]) -> go.Figure:
    """P(the investor has recouped its outlay) by year: principal (solid) and principal plus
    deemed interest (dashed)."""
    fig = go.Figure()
    for ev, colour in zip(evs, cycle(COLOURS), strict=False):
        curve = ev.recoupment_curve()
        fig.add_trace(go.Scatter(x=curve.index, y=curve["principal"], name=f"{ev.label}: principal",
                                 line=dict(color=colour, width=2), legendgroup=ev.label))
        fig.add_trace(go.Scatter(x=curve.index, y=curve["with_deemed_interest"],
                                 name=f"{ev.label}: principal + deemed interest",
                                 line=dict(color=colour, width=2, dash="dash"), legendgroup=ev.label))
    fig.update_layout(title="Recoupment: P(the investor has its cash back) by year",
                      yaxis=dict(title="probability", tickformat=".0%", range=[0, 1]),
                      xaxis_title="year", **LAYOUT)
    return fig


def reserves_fan(evs: Sequence[Evaluation]) -> go.Figure:
    """Reserves P5/P50/P95 over the FX horizon, one panel per investor, with the IMF's
    100–150% ARA band where the metric applies."""
    codes = list(dict.fromkeys(ev.pact.parties.investor_code for ev in evs))
    fig = make_subplots(rows=1, cols=len(codes), subplot_titles=[f"{c} reserves, USD bn" for c in codes])
    no_pact_drawn: dict[str, bool] = {}
    for col, code in enumerate(codes, start=1):
        band_drawn = False
        for ev, colour in zip(evs, cycle(COLOURS), strict=False):
            if ev.pact.parties.investor_code != code:
                continue
            table = ev.reserves_table()
            metric = table["reserves_p50"] / table["ara_p50"]
            if np.isfinite(metric).all() and not band_drawn:
                band_drawn = True
                fig.add_trace(go.Scatter(x=table.index, y=1.5 * metric, mode="lines",
                                         line=dict(width=0), showlegend=False, hoverinfo="skip"),
                              row=1, col=col)
                fig.add_trace(go.Scatter(x=table.index, y=metric, mode="lines",
                                         line=dict(width=1, color="#888", dash="dot"), fill="tonexty",
                                         fillcolor="rgba(120,120,120,0.13)",
                                         name=f"{code}: IMF adequate range (100–150% of the ARA metric)"),
                              row=1, col=col)
            _band(fig, table.index, table["reserves_p5"], table["reserves_p50"],
                  table["reserves_p95"], ev.label, colour, row=1, col=col)
            if not no_pact_drawn.get(code):
                no_pact_drawn[code] = True
                fig.add_trace(go.Scatter(x=table.index, y=table["no_pact_p50"], mode="lines",
                                         name=f"{code}: no pact (P50)",
                                         line=dict(color="#444", width=1.5, dash="dash")),
                              row=1, col=col)
    fig.update_layout(title="The investor's reserves (median, 5–95% band), with no pact beside them, "
                            "against the IMF adequacy band", **LAYOUT)
    fig.update_yaxes(rangemode="tozero", title_text="USD bn")
    fig.update_xaxes(title_text="year")
    return fig


def tariff_cost(costs: Mapping[str, NoDealCost]) -> go.Figure:
    """Value added the investor loses by sector in a full year without the deal."""
    fig = go.Figure()
    for (name, cost), colour in zip(costs.items(), cycle(COLOURS), strict=False):
        # `by_sector` is None only for a horizon that ends before the deal's first full year,
        # which this chart cannot show (as before: it stops here rather than skip the pact)
        assert cost.by_sector is not None, f"{name}: no full year of the deal to chart"
        table = cost.by_sector.drop("total")
        fig.add_trace(go.Bar(x=[s.replace("_", " ") for s in table.index],
                             y=-table["investor_value_added_change"],
                             name=name, marker_color=colour))
    fig.update_layout(title="What no deal costs the investor: value added lost by sector, a full year",
                      yaxis_title="USD bn a year", barmode="group", **LAYOUT)
    return fig


def gain_waterfalls(evs: Sequence[Evaluation]) -> go.Figure:
    """Each party's gain over no deal, component by component (means, PV), every panel on one
    scale."""
    fig = make_subplots(rows=len(evs), cols=2, vertical_spacing=0.3 / max(len(evs), 1),
                        shared_yaxes="all",      # one scale for every pact and both sides
                        subplot_titles=[f"{ev.label}: {party}" for ev in evs
                                        for party in ("investor", "host")])
    for row, ev in enumerate(evs, start=1):
        for col, party in enumerate(("investor", "host"), start=1):
            parts = {k: float(v.mean()) for k, v in getattr(ev.gains, party).items()}
            labels = [name.replace(" ", "<br>", 1) for name in parts]
            fig.add_trace(go.Waterfall(
                x=[*labels, "total"], y=[*parts.values(), 0.0],
                measure=["relative"] * len(parts) + ["total"], showlegend=False,
                increasing=dict(marker_color="#2ca02c"), decreasing=dict(marker_color="#d62728"),
                totals=dict(marker_color="#1f77b4")), row=row, col=col)
    fig.update_layout(title="Gain over no deal by component (mean PV, USD bn)",
                      template="plotly_white", height=420 * len(evs), showlegend=False,
                      margin=dict(l=60, r=20, t=90, b=40))
    fig.update_xaxes(tickangle=0, tickfont=dict(size=10))
    return fig


def utility_space(neg) -> go.Figure:
    """Every candidate deal in utility space, the frontier, the disagreement point, the
    bargaining solutions and the presets (a :class:`pactlab.analysis.negotiate.Negotiation`)."""
    u = neg.utilities.u
    ir = neg.individually_rational
    fig = go.Figure()
    for mask, name, colour in ((~ir, "candidates (not better than no deal for both)", "#c7c7c7"),
                               (ir, "candidates better than no deal for both (ZOPA)", "#7fb3d5")):
        fig.add_trace(go.Scattergl(x=u[mask, 0], y=u[mask, 1], mode="markers", name=name,
                                   marker=dict(size=4, color=colour)))
    front = neg.frontier
    fig.add_trace(go.Scatter(x=u[front, 0], y=u[front, 1], mode="lines+markers", name="Pareto frontier",
                             line=dict(color="#1f77b4", width=2), marker=dict(size=5)))
    fig.add_trace(go.Scatter(x=[0.0], y=[0.0], mode="markers+text", name="no deal (disagreement point)",
                             text=["no deal"], textposition="bottom right",
                             marker=dict(symbol="x", size=12, color="#000")))
    for (name, i), colour in zip(neg.solutions.items(), cycle(COLOURS[1:]), strict=False):
        if i is not None:
            fig.add_trace(go.Scatter(x=[u[i, 0]], y=[u[i, 1]], mode="markers", name=name,
                                     marker=dict(symbol="star", size=15, color=colour,
                                                 line=dict(width=1, color="#000"))))
    presets = neg.presets
    fig.add_trace(go.Scatter(x=presets["investor_utility"], y=presets["host_utility"],
                             mode="markers+text", text=list(presets.index), textposition="top center",
                             name="presets", marker=dict(symbol="diamond", size=11, color="#ff7f0e")))
    fig.update_layout(title="Utility space: each side's risk-adjusted gain over no deal (USD bn)",
                      xaxis=dict(title="investor utility (USD bn)", zeroline=True),
                      yaxis=dict(title="host utility (USD bn)", zeroline=True), **LAYOUT)
    return fig


def tornado(sens) -> go.Figure:
    """Each input's sensitivity measure for one outcome, largest at the top (a
    :class:`pactlab.analysis.explore.Sensitivity`)."""
    table = sens.table.iloc[::-1]
    conf = {"ST": "ST_conf", "mu_star": "mu_star_conf"}.get(sens.measure)
    error = dict(type="data", array=table[conf]) if conf else None
    fig = go.Figure(go.Bar(x=table[sens.measure], y=list(table.index), orientation="h",
                           marker_color="#1f77b4", error_x=error, name=sens.measure))
    if sens.method == "sobol":
        fig.add_trace(go.Bar(x=table["S1"], y=list(table.index), orientation="h", name="S1",
                             marker_color="#9ecae1", error_x=dict(type="data", array=table["S1_conf"])))
    fig.update_layout(title=f"What moves {sens.outcome}: {sens.method} ({sens.measure})",
                      xaxis_title=sens.measure, barmode="group",
                      **{**LAYOUT, "height": max(300, 60 + 40 * len(table))})
    return fig


def prim_tradeoff(found) -> go.Figure:
    """PRIM's peeling trajectory: coverage against density, coloured by the number of restricted
    inputs; the chosen (last) box marked (a :class:`pactlab.analysis.explore.Discovery`)."""
    t = found.result.trajectory
    fig = go.Figure(go.Scatter(
        x=t["coverage"], y=t["density"], mode="markers+lines",
        marker=dict(color=t["res_dim"], colorscale="Viridis", size=8, showscale=True,
                    colorbar=dict(title="inputs<br>restricted")),
        text=[f"box {i}: mass {m:.0%}" for i, m in enumerate(t["mass"])], name="trajectory"))
    fig.add_trace(go.Scatter(x=[t["coverage"].iloc[-1]], y=[t["density"].iloc[-1]], mode="markers",
                             marker=dict(symbol="star", size=16, color="#d62728"), name="chosen box"))
    fig.update_layout(title=f"Where {found.where}: coverage against density (PRIM)",
                      xaxis=dict(title="coverage", tickformat=".0%", range=[0, 1.02]),
                      yaxis=dict(title="density", tickformat=".0%", range=[0, 1.02]), **LAYOUT)
    return fig


def gain_spread(evs: Sequence[Evaluation]) -> go.Figure:
    """Each side's gain over no deal across the futures: P5, P25, median, P75, P95 as a box, the
    mean as a labelled diamond; one shared scale for every pact and both sides."""
    fig = go.Figure()
    for party, colour in (("investor", "#1f77b4"), ("host", "#ff7f0e")):
        labels, quantiles, means = [], [], []
        for ev in evs:
            total = ev.gains.total(party)
            labels.append(ev.label)
            quantiles.append(np.percentile(total, [5, 25, 50, 75, 95]))
            means.append(float(total.mean()))
        q = np.array(quantiles)
        fig.add_trace(go.Box(x=labels, q1=q[:, 1], median=q[:, 2], q3=q[:, 3], lowerfence=q[:, 0],
                             upperfence=q[:, 4], name=party, marker_color=colour, offsetgroup=party))
        fig.add_trace(go.Scatter(x=labels, y=means, mode="markers+text", name=f"{party}: mean",
                                 text=[("-" if m < 0 else "") + f"${abs(m):,.0f}B" for m in means], textposition="middle right",
                                 marker=dict(symbol="diamond", size=9, color=colour,
                                             line=dict(width=1, color="#000")),
                                 offsetgroup=party, showlegend=False))
    fig.add_hline(y=0.0, line=dict(color="#d62728", width=1, dash="dot"),
                  annotation_text="no deal", annotation_position="bottom left")
    fig.update_layout(title="Gain over no deal across the futures (box: P25–P75, whiskers: P5–P95; "
                            "diamond: mean), USD bn PV", boxmode="group",
                      yaxis_title="USD bn (present value)", **LAYOUT)
    return fig


def backtest_band(by_year: Mapping[str, Sequence[float]], fit_through: int) -> go.Figure:
    """The no-pact reserve model's P5–P50–P95 band against the actual year-ends (``by_year`` of
    :meth:`pactlab.analysis.backtest.Backtest.to_dict`, USD bn), the fit's last year marked."""
    fig = go.Figure()
    years = list(by_year["year"])
    _band(fig, years, by_year["p5"], by_year["p50"], by_year["p95"], "model (P5–P50–P95)", "#1f77b4")
    fig.add_trace(go.Scatter(x=years, y=list(by_year["actual"]), mode="lines+markers",
                             name="actual year-end reserves", line=dict(color="#d62728", width=2)))
    fig.add_vline(x=fit_through + 0.5, line=dict(color="#888", dash="dot"),
                  annotation_text="out of sample →", annotation_position="top right")
    fig.update_layout(title="Reserves with no pact: the model from its start against history (USD bn)",
                      height=380, margin=dict(l=50, r=20, t=60, b=40),
                      legend=dict(orientation="h", y=-0.18))
    return fig
