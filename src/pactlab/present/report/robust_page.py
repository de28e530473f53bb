"""``pactlab robust -o page.html``: one self-contained page (plotly.js inlined: it works offline)
of a :class:`~pactlab.analysis.robust.Robustness`: the share of the plausible range where each
verdict holds (a table and a chart), what moves it most and the box where it turns, in words
(:mod:`pactlab.present.robust_text`), the ranges spread and what produced it. It renders what it
is given and computes nothing."""
from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import jinja2
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from ...analysis.robust import Robustness
from .. import robust_text
from . import tables

__all__ = ["build_robust_page", "shares_chart"]


def shares_chart(rob: Robustness) -> go.Figure:
    """The share of the points where each verdict holds: a bar a pact, grouped by verdict."""
    bound = float(rob.manifest.get("crisis_bound", 0.1))
    fig = go.Figure()
    for p in rob.manifest["pacts"]:
        rows = [v for v in rob.verdicts if v["pact"] == p["label"]]
        fig.add_bar(name=p["label"], x=[robust_text.verdict_name(v["verdict"], bound) for v in rows],
                    y=[v["holds_share"] for v in rows],
                    text=[f"{v['holds_share']:.0%}" for v in rows], textposition="outside")
    fig.update_layout(barmode="group", yaxis={"title": "share of the points where it holds",
                                              "tickformat": ".0%", "range": [0, 1.1]},
                      legend={"orientation": "h"}, margin={"t": 30}, template="plotly_white")
    return fig


def build_robust_page(rob: Robustness, *,
                      parties: Mapping[str, tuple[str, str]] | None = None) -> str:
    """The page as one HTML string (deterministic for the same result).

    Parameters
    ----------
    rob : Robustness
        What :func:`pactlab.analysis.robust.robust` returned.
    parties : mapping of label to (investor, host), optional
        The names the sentences use.

    Returns
    -------
    str
        A self-contained HTML page.
    """
    section = robust_text.report_section(rob, parties=parties)
    m = rob.manifest
    chart = shares_chart(rob).to_html(full_html=False, include_plotlyjs=False,
                                      div_id="chart-robust-shares",
                                      config={"displaylogo": False, "responsive": True})
    ranges = [{**r.to_dict(), "text": r.text()} for r in rob.ranges]
    data = {"verdicts": section["frame"]}
    return _template().render(
        title=f"How sure is each verdict? {', '.join(p['label'] for p in m['pacts'])}",
        section=section, manifest=m, chart=chart, ranges=ranges, plotly_js=get_plotlyjs(),
        pact_names=[p["label"] for p in m["pacts"]],
        downloads={name: tables.csv_uri(t) for name, t in data.items()}, fixed=m.get("fixed", []))


def _template() -> jinja2.Template:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
        (resources.files(__package__) / "robust.html.j2").read_text(encoding="utf-8"))
