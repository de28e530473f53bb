"""The JSON payloads of pactlab's results, each built once: the command line's ``--json``, the
workbench's answers and the report's data all come from these builders.

Every builder returns plain, JSON-safe data (see :func:`pactlab.core.jsonable.json_safe`);
values are in model units (USD bn, fractions, years).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..analysis.headline import BASELINES, HEADLINE, PLAIN, comparison_column, row_label
from ..analysis.valuation import Evaluation, digest
from ..core.jsonable import frame_columns, json_safe
from ..core.units import format_value
from ..inputs import data
from ..inputs.assumptions import Assumptions
from ..inputs.terms import Pact, pact_to_toml
from ..model.gains import DEFINITIONS
from ..model.metrics import METRICS
from .verdict import verdict, with_baseline

if TYPE_CHECKING:
    from ..analysis.explore.analysis import Discovery, Sensitivity

__all__ = ["comparison_payload", "discovery_payload", "discovery_summary", "evaluation_payload",
           "headline_rows", "manifest", "negotiation_chart", "negotiation_payload",
           "negotiation_solutions", "plain_limit", "prim_box", "sensitivity_payload"]


def manifest(a: Assumptions, pact: Pact | None = None) -> dict[str, Any]:
    """What produced a deterministic output (no seed or paths: nothing was drawn); an
    evaluation's own is :meth:`~pactlab.analysis.valuation.Evaluation.manifest`."""
    out: dict[str, Any] = {"pactlab_version": __version__,
                           "assumptions_sha256": digest(a.model_dump_json()),
                           "assumptions_file": a.source, "assumption_overrides": a.overrides,
                           "as_of": a.trade.as_of.isoformat(),
                           "host_objective": a.host_objective.view,
                           "data_as_of": data.as_of(None if pact is None else pact.parties.investor_code)}
    if pact is not None:
        out |= {"pact": pact.name, "pact_sha256": digest(pact_to_toml(pact)),
                "term_overrides": pact.overrides}
    return out


def headline_rows(ev: Evaluation) -> list[dict[str, Any]]:
    """The headline (:data:`~pactlab.analysis.headline.HEADLINE`): key, label (the technical
    name), plain (the label in words), unit, value and its text, a dict each; a risk row also
    its value with no pact on the same futures (``baseline``)."""
    by_key = {(g, m.key): m for g, defs in METRICS.items() for m in defs}
    rows = []
    for group, key in HEADLINE:
        m = by_key[(group, key)]
        value = ev.metrics[group][key]
        row = {"key": f"{group}.{key}", "label": row_label(group, m),
               "plain": PLAIN.get(f"{group}.{key}", row_label(group, m)), "unit": m.unit,
               "value": value, "text": format_value(value, m.unit)}
        if row["key"] in BASELINES:
            base_group, base_key = BASELINES[row["key"]].split(".")
            baseline = ev.metrics[base_group][base_key]
            row["baseline"], row["text"] = baseline, with_baseline(value, baseline, m.unit)
        rows.append(row)
    return rows


def _columns(frame: Any) -> dict[str, list[Any]]:
    return json_safe(frame.reset_index().to_dict(orient="list"))


def evaluation_payload(ev: Evaluation) -> dict[str, Any]:
    """One evaluation as the workbench shows it: the headline, each side's gains by component,
    the reserve path, recoupment, the cash split, the tariff cost by sector."""
    gains = ev.gain_summary()
    recoup = ev.recoupment_curve()
    tariff: Any = ev.plan.gain_inputs.tariff       # set on every plan that has tariff terms
    return json_safe({
        "label": ev.label, "title": ev.pact.title, "verdict": verdict(ev),
        "headline": headline_rows(ev), "metrics": ev.metrics,
        "gains": {party: {c: row.to_dict() for c, row in gains.loc[party].iterrows()}
                  for party in ("investor", "host")},
        "reserves": _columns(ev.reserves_table()),
        "recoupment": {"year": list(recoup.index), "p_recouped": list(recoup["principal"]),
                       "p_recouped_with_interest": list(recoup["with_deemed_interest"])},
        "cash_split": _columns(ev.cash_split_table()),
        "tariff_by_sector": tariff.by_sector[
            ["investor_export_change", "investor_value_added_change"]].to_dict(orient="index"),
        "assumed_terms": list(ev.pact.assumed), "manifest": ev.manifest(),
        "definitions": dict(DEFINITIONS),
        "warnings": [s.to_dict() for s in ev.plan.shortfalls]})


def comparison_payload(evaluations: Sequence[Evaluation], *, detail: bool = False) -> dict[str, Any]:
    """Pacts side by side: each one's manifest, its column of rows (the headline, or every
    metric with `detail`), all its metrics and its warnings (unallocated tranches)."""
    return json_safe({"manifests": [ev.manifest() for ev in evaluations],
                      "verdicts": {ev.label: verdict(ev) for ev in evaluations},
                      "rows": {ev.label: comparison_column(ev, detail=detail).to_dict()
                               for ev in evaluations},
                      "metrics": {ev.label: ev.metrics for ev in evaluations},
                      "warnings": {ev.label: [s.to_dict() for s in ev.plan.shortfalls]
                                   for ev in evaluations}})


def negotiation_solutions(neg: Any) -> dict[str, dict[str, Any] | None]:
    """Each bargaining solution: its candidate, its terms and its statistics (None where the
    solution does not exist)."""
    values = neg.candidates.values
    return {name: None if i is None else {"candidate": i, "terms": values.iloc[i].to_dict(),
                                          **neg.stats.iloc[i].to_dict()}
            for name, i in neg.solutions.items()}


def negotiation_payload(neg: Any, outcome: Any, a: Assumptions) -> dict[str, Any]:
    """A whole negotiation: the candidates, the frontier, the solutions, the presets, the zone
    of agreement and (with `outcome`) the alternating offers."""
    return json_safe({
        "manifest": {**manifest(a, neg.space.base), "paths": neg.futures.paths,
                     "seed": neg.futures.seed},
        "disagreement_point": [0.0, 0.0],
        "preferences": neg.prefs.__dict__,
        "candidates": len(neg.candidates.pacts), "skipped": neg.candidates.skipped,
        "skipped_reasons": neg.candidates.reasons,
        "individually_rational": int(neg.individually_rational.sum()),
        "frontier": neg.frontier.tolist(), "solutions": negotiation_solutions(neg),
        "presets": neg.presets.to_dict(orient="index"), "reference": neg.reference,
        "reference_gap": neg.reference_gap(), "zopa": neg.zopa().to_dict(orient="index"),
        "agents": None if outcome is None else {
            "agreement": outcome.agreement, "round": outcome.round, "ended": outcome.ended,
            "utilities": outcome.utilities, "trace": outcome.trace.to_dict(orient="records")},
    })


def negotiation_chart(neg: Any) -> dict[str, Any]:
    """What the workbench's utility-space chart needs: every candidate's utilities, which are
    individually rational, the frontier, the solutions and the presets' utilities."""
    u = neg.utilities.u
    return json_safe({
        "candidates": len(neg.candidates.pacts), "frontier": neg.frontier.tolist(),
        "utilities": u.tolist(), "individually_rational": neg.individually_rational.tolist(),
        "solutions": {name: None if i is None else {"candidate": i, "utilities": u[i].tolist(),
                                                   "terms": neg.candidates.values.iloc[i].to_dict()}
                      for name, i in neg.solutions.items()},
        "presets": {name: [row.investor_utility, row.host_utility]
                    for name, row in neg.presets.iterrows()}})


def sensitivity_payload(sens: Sensitivity) -> dict[str, Any]:
    """An outcome's sensitivity: the method, its measure, a note and the table by input."""
    return json_safe({"outcome": sens.outcome, "method": sens.method, "measure": sens.measure,
                      "note": sens.note, "table": sens.table.to_dict(orient="index")})


def plain_limit(value: Any) -> Any:
    """A PRIM limit as JSON: a number, or the list of categories kept."""
    return list(value) if isinstance(value, tuple) else value


def prim_box(found: Discovery, step: int = -1) -> dict[str, dict[str, Any]]:
    """The PRIM box of `step` (the last by default): by input, its ``min`` and ``max``."""
    return {k: {"min": plain_limit(r["min"]), "max": plain_limit(r["max"])}
            for k, r in found.result.box(step).iterrows()}


def discovery_payload(found: Discovery) -> dict[str, Any]:
    """Scenario discovery in full: the condition, its share, the inputs, the whole trajectory
    of peeling and pasting, and the chosen box."""
    traj = found.result.trajectory
    return json_safe({"where": found.where, "share": found.share, "inputs": found.inputs,
                      "accepted": found.result.accepted, "trajectory": traj.to_dict(orient="list"),
                      "box": prim_box(found)})


def discovery_summary(found: Discovery) -> dict[str, Any]:
    """Scenario discovery in short: the condition, its share, the chosen box and its coverage,
    density and mass."""
    t = found.result.trajectory.iloc[-1]
    return json_safe({"where": found.where, "share": found.share, "coverage": t.coverage,
                      "density": t.density, "mass": t.mass, "box": prim_box(found)})


def by_year(frame: Any) -> dict[str, list[Any]]:
    """A year-indexed table as columns (the index first)."""
    return frame_columns(frame)
