"""Runs a request (:mod:`pactlab.app.requests`) and returns a result object that knows how to
become JSON, CSV or HTML (through :mod:`pactlab.present`). The command line and the workbench
both call it, so they accept the same requests, levers included, and give the same numbers.

Each action is ``action(request, *, progress=None) -> Result``. :func:`resolve` does the quick
part (pacts, terms, assumptions, checked) on its own, for a front end that must answer a bad
request at once or key a cache before it runs.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from ..analysis.backtest import Backtest
from ..analysis.backtest import backtest as run_backtest
from ..analysis.crisis import (
    CRISIS_GROWTH,
    crisis_paths,
    crisis_rows,
    crisis_sensitivity,
    funding_capacity,
)
from ..analysis.flips import FlipCheck, find_flips
from ..analysis.valuation import Evaluation, comparison_table, evaluate_all
from ..core.errors import PactError, from_validation_error
from ..core.jsonable import frame_columns, json_safe, to_json
from ..inputs import ranges
from ..inputs.assumptions import Assumptions, as_date
from ..inputs.terms import Pact, preset_names
from ..present import payloads
from . import robust_service
from .negotiation_service import Negotiated, negotiate, negotiation_inputs
from .pacts import pact_from, preset
from .requests import (
    AssumptionsRequest,
    BacktestRequest,
    CompareRequest,
    DiscoverRequest,
    ExploreRequest,
    PactRequest,
    ReportRequest,
    ReservesRequest,
    SensitivityRequest,
    SweepRequest,
    TariffRequest,
)
from .resolve import (
    Progress,
    Resolved,
    assumptions_of,
    csv,
    evaluations,
    report_html,
    resolve,
    with_terms,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = ["CRISIS_GROWTH", "assumptions_of", "backtest", "with_terms", "Comparison", "Discovered", "Evaluated", "Explored", "Negotiated",
           "Report", "Reserves", "Resolved", "Sensitivity", "Swept", "Tariffs", "assumptions",
           "compare", "discover", "evaluate", "explore", "negotiate", "negotiation_inputs",
           "presets", "report", "reserves", "resolve", "sensitivity", "sweep", "tariffs",
           "term_ranges"]


# --- evaluate, compare, reserves, report ----------------------------------------------------

@dataclass(frozen=True)
class Evaluated:
    """One pact for both sides."""

    evaluation: Evaluation
    flips: FlipCheck | None = None

    def payload(self) -> dict[str, Any]:
        """Everything (``pactlab evaluate --json``); with a flip check, ``flips`` (a list) and
        ``flip_check`` (its futures and the verdicts at the defaults)."""
        out = self.evaluation.to_dict()
        if self.flips is not None:
            out |= json_safe({"flips": [f.to_dict() for f in self.flips.flips],
                              "flip_check": self.flips.to_dict()})
        return out

    def view(self) -> dict[str, Any]:
        """What the workbench shows (``POST /api/evaluate``)."""
        return payloads.evaluation_payload(self.evaluation)

    def to_json(self) -> str:
        return to_json(self.payload())

    def to_csv(self) -> str:
        rows = [(f"{group}.{key}", value) for group, values in self.evaluation.metrics.items()
                for key, value in values.items()]
        return csv(pd.DataFrame(rows, columns=["metric", "value"]), index=False)

    def to_html(self) -> str:
        return self.evaluation._repr_html_()


def evaluate(req: PactRequest, *, progress: Progress = None,
             resolved: Resolved | None = None, flip_progress: Progress = None) -> Evaluated:
    r = resolved or resolve(req)
    ev = evaluations(r, progress)[0]
    return Evaluated(ev, _flip_checks(r, flip_progress)[0] if req.flips else None)


def _flip_checks(r: Resolved, progress: Progress) -> list[FlipCheck]:
    """Whether each pact's headline verdicts flip within the plausible ranges, on
    :func:`~pactlab.analysis.flips.flip_paths` of the request's futures and its seed."""
    return find_flips(r.pacts, r.assumptions, paths=r.paths, seed=r.seed, progress=progress)


@dataclass(frozen=True)
class Comparison:
    """Pacts side by side on the same futures."""

    evaluations: list[Evaluation]
    detail: bool = False
    flips: list[FlipCheck] | None = None
    robustness: robust_service.Strip | None = None    # how sure each verdict is (the strip)

    def table(self) -> pd.DataFrame:
        """Rows: the headline (every metric with `detail`); a column a pact, by label."""
        return comparison_table(self.evaluations, detail=self.detail)

    def payload(self) -> dict[str, Any]:
        """With a flip check, ``flips`` and ``flip_check`` by pact label."""
        out = payloads.comparison_payload(self.evaluations, detail=self.detail)
        if self.flips is not None:
            out |= json_safe({"flips": {c.pact: [f.to_dict() for f in c.flips] for c in self.flips},
                              "flip_check": {c.pact: c.to_dict() for c in self.flips}})
        return out | (self.robustness.payload() if self.robustness is not None else {})

    def view(self) -> dict[str, Any]:
        """The web's answer: the columns, the rows, the manifests."""
        table = self.table()
        return json_safe({"columns": list(table.columns), "rows": table.to_dict(),
                          "manifests": [ev.manifest() for ev in self.evaluations]})

    def to_json(self) -> str:
        return to_json(self.payload())

    def to_csv(self) -> str:
        frame = self.table()
        frame.index.name = "metric"
        return csv(frame)

    def to_xlsx(self) -> bytes:
        buffer = io.BytesIO()
        self.table().to_excel(buffer, sheet_name="comparison", index_label="metric")
        return buffer.getvalue()

    def to_html(self) -> str:
        return self.table().to_html(float_format=lambda v: f"{v:,.4g}")


def compare(req: CompareRequest, *, progress: Progress = None,
            resolved: Resolved | None = None, flip_progress: Progress = None) -> Comparison:
    r = resolved or resolve(req)
    return Comparison(evaluations(r, progress), req.detail,
                      _flip_checks(r, flip_progress) if req.flips else None,
                      robust_service.strip_of(r, req, flip_progress))


@dataclass(frozen=True)
class Reserves:
    """A pact's reserves year by year, and how P(crisis) hangs on its assumptions."""

    evaluation: Evaluation
    crisis: pd.DataFrame
    vary: str
    crisis_paths: int

    def table(self) -> pd.DataFrame:
        return self.evaluation.reserves_table()

    def capacity(self) -> pd.DataFrame:
        """The investor's yearly funding capacity beside the calls (USD bn a year)."""
        return funding_capacity(self.evaluation.plan.calls.fx, self.table())

    def payload(self) -> dict[str, Any]:
        ev = self.evaluation
        return json_safe({"manifest": ev.manifest(), "fx": ev.metrics["fx"],
                          "by_year": frame_columns(self.table()),
                          "funding_capacity": frame_columns(self.capacity()),
                          "crisis_sensitivity": crisis_rows(self.crisis),
                          "macro_inputs": ev.macro_inputs()})

    def to_json(self) -> str:
        return to_json(self.payload())

    def to_csv(self) -> str:
        return csv(self.table())


def reserves(req: ReservesRequest, *, progress: Progress = None, crisis: bool = True) -> Reserves:
    r = resolve(req)
    (ev,) = evaluations(r, progress)
    n = crisis_paths(r.paths)
    table = (crisis_sensitivity(ev.pact, n, r.seed, assumptions=r.assumptions, growth=req.vary)
             if crisis else pd.DataFrame())
    return Reserves(ev, table, req.vary, n)


def backtest(req: BacktestRequest) -> Backtest:
    """The reserve model against the investor's history (:mod:`pactlab.analysis.backtest`)."""
    return run_backtest(req.investor, req.start, req.end, paths=req.paths, seed=req.seed,
                        assumptions=assumptions_of(req))


@dataclass(frozen=True)
class Report:
    """A self-contained HTML report."""

    html: str

    def to_html(self) -> str:
        return self.html


def report(req: ReportRequest, *, progress: Progress = None) -> Report:
    return Report(robust_service.report(req, progress=progress))


# --- tariffs -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tariffs:
    """A what-if or the schedule's own change between two dates (`what_if` set; `change`: the
    two dates), or a pact's deal against no deal (`costs`: by the date the tariffs are known to,
    one or two: ``--as-of`` and ``--compare-to``)."""

    request: TariffRequest
    assumptions: Assumptions
    pact: Pact | None = None
    what_if: Any = None
    costs: Mapping[dt.date, Any] | None = None
    change: tuple[dt.date, dt.date] | None = None

    @property
    def as_of(self) -> dt.date:
        """The date the tariffs in force are known to (``trade.as_of``)."""
        return self.assumptions.trade.as_of

    def payload(self) -> dict[str, Any]:
        from ..model.tariffs import IEEPA_REFUNDS, NO_DEAL_CASE
        if self.what_if is not None:
            return self._what_if_payload()
        assert self.pact is not None and self.costs is not None
        head = {"manifest": payloads.manifest(self.assumptions, self.pact), "pact": self.pact.name,
                "no_deal_case": NO_DEAL_CASE, "ieepa_refunds": IEEPA_REFUNDS}
        if len(self.costs) == 2:
            (before, early), (after, late) = sorted(self.costs.items())
            return json_safe({**head, **{
                name: {"as_of": when, "present_value": cost.present_value,
                       "by_year": frame_columns(cost.by_year)}
                for name, when, cost in (("before", before, early), ("after", after, late))}})
        cost = self.costs[self.as_of]
        return json_safe({**head, "as_of": self.as_of, "present_value": cost.present_value,
                          "by_year": frame_columns(cost.by_year),
                          "by_sector_first_full_year": cost.by_sector.to_dict(orient="index")})

    def _what_if_payload(self) -> dict[str, Any]:
        from ..model.tariffs import IEEPA_REFUNDS
        req, a, result = self.request, self.assumptions, self.what_if
        if self.change is not None:
            question = {"from": self.change[0], "to": self.change[1],
                        "first_year": self.first_year_loss(), "ieepa_refunds": IEEPA_REFUNDS}
        else:
            question = {"scenario": dict(req.rates), "sectors": req.sectors or "all",
                        "rates_before": f"in force on {a.trade.as_of.isoformat()}"}
        return json_safe({
            "manifest": {**payloads.manifest(a), "draws": req.draws, "seed": req.seed},
            **question, "as_of": a.trade.as_of,
            "investor": req.investor, "gdp": self.investor_gdp(),
            "elasticity_path": elasticity_path(a),
            "exports_lost": result.ranges["exports_lost"],
            "value_added_lost": result.ranges["value_added_lost"],
            "by_sector": result.by_sector.to_dict(orient="index"),
            "by_sector_first_year": result.first_year.to_dict(orient="index")})

    def first_year_loss(self) -> dict[str, float]:
        """The investor's year-one losses at the central parameters: exports and value added
        (USD bn a year, a loss positive) and exports lost as a share of its exports before."""
        total = self.what_if.first_year.loc["total"]
        return {"exports_lost": -float(total["investor_export_change"]),
                "exports_lost_share": -float(total["investor_export_change"] / total["investor_exports"]),
                "value_added_lost": -float(total["investor_value_added_change"])}

    def investor_code(self) -> str:
        from ..model.tariffs import CODES
        return CODES[self.request.investor]

    def investor_gdp(self) -> float:
        return self.assumptions.country(self.investor_code()).gdp

    def to_json(self) -> str:
        return to_json(self.payload())

    def to_csv(self) -> str:
        if self.what_if is not None:
            table = self.what_if.first_year if self.change is not None else self.what_if.by_sector
            return csv(table, index_label="sector")
        assert self.costs is not None
        return csv(next(iter(self.costs.values())).by_year)


def rival(investor: str) -> str:
    """The investor's rival exporter in the tariff model."""
    from ..model.tariffs import RIVAL
    return RIVAL[investor]


def elasticity_path(a: Assumptions) -> dict[str, Any]:
    t = a.trade
    return {"short_run_share": t.short_run_share, "years_to_long_run": t.years_to_long_run,
            "long_run_scale_of_esubm": t.substitution_scale,
            "long_run_scale_range": list(t.span("substitution_scale")[::2]),
            "source": "Boehm, Levchenko & Pandalai-Nayar (2023, AER); GTAP ESUBM (Hertel et al. 2007)"}


def tariffs(req: TariffRequest) -> Tariffs:
    from ..analysis.what_if import schedule_change, what_if
    from ..model.tariffs import no_deal_cost
    a = assumptions_of(req)
    if req.pact is not None:
        pact = with_terms(pact_from(req.pact, "request.pact", req.pact_file), req.terms)
        dates = {a.trade.as_of} | ({as_date(req.compare_to)} if req.compare_to else set())
        costs = {when: no_deal_cost(pact, a, as_of=when) for when in sorted(dates)}
        return Tariffs(req, a, pact=pact, costs=costs)
    if req.from_date is not None and req.to_date is not None:
        change = (as_date(req.from_date), as_date(req.to_date))
        result = schedule_change(*change, a, investor=req.investor, draws=req.draws,
                                 seed=req.seed)
        return Tariffs(req, a, what_if=result, change=change)
    result = what_if(req.rates, a, sectors=req.sectors or None, investor=req.investor,
                     draws=req.draws, seed=req.seed)
    return Tariffs(req, a, what_if=result)


# --- explore, sensitivity, discover, sweep --------------------------------------------------

@dataclass(frozen=True)
class Explored:
    """A finished sweep in its folder."""

    results: pd.DataFrame
    output: str
    executor: str

    @property
    def failed(self) -> int:
        return int((self.results["error"] != "").sum())


def _spec(raw: Mapping[str, Any], label: str) -> Any:
    from ..analysis.explore.spec import Spec
    try:
        return Spec.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, label) from None


def explore(req: ExploreRequest, *, progress: Progress = None) -> Explored:
    from ..analysis.explore import explore as run
    from ..analysis.explore import load_results
    spec_file = Path(req.spec_file)
    run(_spec(req.spec, spec_file.name), req.output, base_dir=spec_file.parent,
        executor=req.executor, workers=req.workers, scheduler=req.scheduler,
        chunk_size=req.chunk_size, resume=req.resume, progress=progress)
    return Explored(load_results(req.output), req.output, req.executor)


@dataclass(frozen=True)
class Sensitivity:
    """Which inputs move an outcome."""

    sensitivity: Any

    def payload(self) -> dict[str, Any]:
        return payloads.sensitivity_payload(self.sensitivity)

    def to_json(self) -> str:
        return to_json(self.payload())

    def to_csv(self) -> str:
        return csv(self.sensitivity.table, index_label="input")


def sensitivity(req: SensitivityRequest) -> Sensitivity:
    from ..analysis.explore import sensitivity as run
    return Sensitivity(run(req.folder, req.outcome))


@dataclass(frozen=True)
class Discovered:
    """Scenario discovery: the PRIM box where a condition holds (and, if asked, the report)."""

    discovery: Any
    report: str | None = None

    def payload(self) -> dict[str, Any]:
        return payloads.discovery_payload(self.discovery) | self.discovery.selected_payload()

    def to_json(self) -> str:
        return to_json(self.payload())


def discover(req: DiscoverRequest) -> Discovered:
    from ..analysis.explore import discover as run_prim
    found = run_prim(req.folder, req.where, peel_alpha=req.peel_alpha,
                     paste_alpha=req.paste_alpha, mass_min=req.mass_min, threshold=req.threshold,
                     box=req.box, resamples=req.resamples)
    return Discovered(found, _exploration_report(req.folder, found, req.outcome) if req.report else None)


def _exploration_report(folder: str, found: Any, outcome: str | None) -> str:
    """The spec's pacts evaluated under the default assumptions, with the exploration section."""
    from ..analysis.explore import Spec, Store
    from ..analysis.explore import sensitivity as run
    spec = Spec.model_validate(Store(folder).manifest()["spec"])
    if spec.model != "pacts":
        raise PactError(f"--report: the {spec.model} test function has no pact to report on")
    sens = run(folder, outcome or spec.outcome_columns()[0])
    evaluations = evaluate_all(spec.pacts, spec.sampler.paths, spec.sampler.seed)
    return report_html(evaluations, sensitivity=sens, discovery=found)


def sweep_spec(req: SweepRequest, max_points: int, max_work: int) -> Any:
    """A web sweep's spec, checked: presets only, no file, within the caps."""
    spec = _spec(req.spec, "request.spec")
    if spec.assumptions is not None:
        raise PactError("request.spec: assumptions: a file is not read here; sweep the "
                        "assumption keys as uncertainties instead")
    unknown = [p for p in spec.pacts if p not in preset_names()]
    if unknown:
        raise PactError(f"request.spec: pacts: {unknown[0][:60]!r} is not a preset; presets are "
                        f"{', '.join(preset_names())}")
    points, pacts = spec.size(), max(1, len(spec.pacts))
    if points > max_points or points * spec.sampler.paths * pacts > max_work:
        raise PactError(f"request.spec: sampler: at most {max_points:,} points and "
                        f"{max_work:,} futures valued per job (points x paths x pacts) here, "
                        f"got {points:,} x {spec.sampler.paths:,} x {pacts}")
    if req.outcome is not None and req.outcome not in spec.outcome_columns():
        raise PactError(f"request.outcome: {req.outcome[:60]!r} is not an outcome of this spec; "
                        f"outcomes are {', '.join(spec.outcome_columns())}")
    return spec


@dataclass(frozen=True)
class Swept:
    """A sweep run in a scratch folder: every point, an outcome's sensitivity, the PRIM box."""

    results: pd.DataFrame
    sensitivity: Any
    discovery: Any

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"points": len(self.results), "columns": list(self.results.columns),
                               "rows": self.results.to_dict(orient="records"),
                               "sensitivity": payloads.sensitivity_payload(self.sensitivity)}
        if self.discovery is not None:
            out["discovery"] = payloads.discovery_summary(self.discovery)
        return json_safe(out)


def sweep(req: SweepRequest, *, progress: Progress = None) -> Swept:
    """Run a web sweep in a folder under the working directory (a job's scratch folder)."""
    import tempfile

    from ..analysis.explore import discover as run_prim
    from ..analysis.explore import explore as run
    from ..analysis.explore import load_results
    from ..analysis.explore import sensitivity as run_sensitivity
    spec = _spec(req.spec, "request.spec")
    with tempfile.TemporaryDirectory(prefix="sweep-", dir=".") as folder:
        run(spec, folder, executor="serial", progress=progress)
        results = load_results(folder)
        sens = run_sensitivity(folder, req.outcome or spec.outcomes[0])
        found = run_prim(folder, req.where) if req.where else None
    return Swept(results, sens, found)


# --- catalogues ------------------------------------------------------------------------------

def presets() -> list[dict[str, Any]]:
    """The built-in term sheets: name, investor, commitment (USD bn) and title."""
    return [{"name": n, "investor": (p := preset(n)).parties.investor, "commitment": p.commitment,
             "title": p.title} for n in preset_names()]


def assumptions(req: AssumptionsRequest) -> list[dict[str, Any]]:
    """Every assumption a request may change: value, unit, allowed range, source, confidence,
    and its plausible range (``plausible``; see :mod:`pactlab.inputs.ranges`)."""
    return ranges.catalogue(assumptions_of(req))


def term_ranges(req: AssumptionsRequest) -> list[ranges.Range]:
    """The plausible ranges of terms (for the pacts that have the term)."""
    return [r for r in ranges.load_ranges(assumptions_of(req)) if r.kind == "term"]
