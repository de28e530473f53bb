"""Pacts valued for each party: the `Evaluation` every front end shows, and the comparison of
several pacts.

``evaluate_all`` is the one place that builds Evaluations for several pacts: the command line,
the report and ``compare`` all call it. It runs the pacts through the block loop of
:mod:`pactlab.analysis.batch`, which payoffs share: every pact meets the same futures, and pacts
that share a stage's terms share its work (see :mod:`pactlab.model.simulation`). The crisis grid
lives in :mod:`pactlab.analysis.crisis`.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._version import __version__
from ..core.jsonable import frame_columns, json_safe, to_json
from ..core.units import format_value
from ..inputs import data
from ..inputs.assumptions import Assumptions
from ..inputs.terms import Pact, pact_to_toml
from ..model.futures import Futures
from ..model.gains import DEFINITIONS, PARTIES, Gains
from ..model.metrics import FX_METRICS, METRICS, Outcomes, spread
from ..model.plan import Plan
from ..model.tariffs import TariffCosts
from .batch import Progress, plan_all, resolve_futures, value_all
from .headline import comparison_column, metric_units

__all__ = ["Evaluation", "Progress", "compare", "comparison_table", "digest", "evaluate",
           "evaluate_all"]


def digest(text: str) -> str:
    """The first 16 hex digits of the text's SHA-256 (UTF-8): a short, stable fingerprint."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Evaluation:
    """A pact's outcomes on a set of futures and each party's metrics. Build with :func:`evaluate`."""

    pact: Pact
    label: str
    assumptions: Assumptions
    paths: int
    seed: int
    plan: Plan
    outcomes: Outcomes
    metrics: dict[str, dict[str, float]]

    @property
    def gains(self) -> Gains:
        """Each party's gain over no deal by component, per path (USD bn PV)."""
        return self.outcomes.gains

    @property
    def base_year(self) -> int:
        return self.plan.base_year

    def summary(self) -> pd.DataFrame:
        """Investment metrics (rows, labelled) by party (columns); values in model units."""
        rows: dict[str, dict[str, float]] = {}
        for party in PARTIES:
            for m in METRICS[party]:
                rows.setdefault(m.label, {})[party] = self.metrics[party][m.key]
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(PARTIES))

    def gain_summary(self) -> pd.DataFrame:
        """Each party's gain over no deal by component, and in total: mean, P5, P50, P95,
        P(< 0); USD bn present values."""
        rows = {}
        for party in PARTIES:
            parts = dict(getattr(self.gains, party))
            parts["total"] = self.gains.total(party)
            for name, v in parts.items():
                rows[(party, name)] = spread(v)
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.names = ["party", "component"]
        return table

    def fx_summary(self) -> pd.Series:
        """Can the investor pay? Reserve burden and adequacy (labelled rows, model units)."""
        return pd.Series({m.label: self.metrics["fx"][m.key] for m in FX_METRICS}, dtype=float,
                         name=self.label)

    def capex_by_sector(self) -> pd.Series:
        """Mean capex financed by the pact, USD bn, by sector."""
        return pd.Series({k: float(v.mean()) for k, v in sorted(self.outcomes.capex.items())},
                         name="capex_usd_bn", dtype=float)

    def reserves_table(self) -> pd.DataFrame:
        """Year by year over the FX horizon: calls, reserves with and without the pact, the ARA
        ratio (percentiles over paths) and the means of the swap line, deferrals and bonds."""
        y, sums, n = self.outcomes.yearly, self.outcomes.sums, self.paths
        q = [5, 50, 95]
        reserves = np.percentile(y["reserves"], q, axis=0)
        no_pact = np.percentile(y["reserves_no_pact"], q, axis=0)
        applicable = bool(np.isfinite(y["ratio"]).all())
        ratio = np.percentile(y["ratio"], q, axis=0) if applicable else np.full((3, y["ratio"].shape[1]), np.nan)
        h = reserves.shape[1]
        return pd.DataFrame({
            "calls_mean": sums["calls"] / n,
            "reserves_p5": reserves[0], "reserves_p50": reserves[1], "reserves_p95": reserves[2],
            "no_pact_p5": no_pact[0], "no_pact_p50": no_pact[1], "no_pact_p95": no_pact[2],
            "ara_p5": ratio[0], "ara_p50": ratio[1], "ara_p95": ratio[2],
            "p_ara_below_100": sums["ratio_below_100"] / n if applicable else np.nan,
            "swap_mean": sums["swap"] / n,
            "deferred_mean": sums["deferred"] / n,
            "bonds_mean": sums["bonds"] / n,
        }, index=pd.RangeIndex(self.base_year, self.base_year + h, name="year")).astype(float)

    def cash_split_table(self) -> pd.DataFrame:
        """The investor's share of MOU distributions by year (P5, P50, P95 over the paths with
        cash), for the years in which most paths distribute something."""
        share = self.outcomes.yearly["share"]
        keep = np.isfinite(share).mean(axis=0) > 0.5
        if not keep.any():
            return pd.DataFrame(columns=["p5", "p50", "p95"], index=pd.Index([], name="year"))
        low, mid, high = np.nanpercentile(share[:, keep], [5, 50, 95], axis=0)
        years = np.flatnonzero(keep) + self.base_year
        return pd.DataFrame({"p5": low, "p50": mid, "p95": high},
                            index=pd.Index(years, name="year")).astype(float)

    def tier_switch(self) -> tuple[float, float] | None:
        """When the waterfall moves to its last tier: (median first full year at the last tier's
        split, over the paths that get there; the share of paths that get there). None for a
        one-tier waterfall or a pact with no MOU pool."""
        if self.pact.waterfall is None or self.plan.split.pool is None:
            return None
        tiers = self.pact.waterfall.tiers
        if len(tiers) < 2:
            return None
        share = self.outcomes.yearly["share"]
        at_last = np.abs(share - tiers[-1].investor_share) < 1e-6
        reached = at_last.any(axis=1)
        if not reached.any():
            return None
        first = np.argmax(at_last[reached], axis=1)
        return float(np.median(first)) + self.base_year, float(reached.mean())

    def recoupment_curve(self) -> pd.DataFrame:
        """By year, P(the investor has had its cash back): ``principal`` (nominal) and
        ``with_deemed_interest`` (its position carried at SOFR + the waterfall's spread)."""
        years = np.arange(self.plan.years)
        p = self.outcomes.paths
        return pd.DataFrame({name: (p[key][:, None] <= years).mean(axis=0)
                             for name, key in (("principal", "payback"),
                                               ("with_deemed_interest", "payback_deemed"))},
                            index=pd.Index(years + self.base_year, name="year"))

    def macro_inputs(self) -> list[dict[str, object]]:
        """The investor's macro data behind the FX rows, with source and confidence."""
        code = self.pact.parties.investor_code
        return [r for r in self.assumptions.provenance() if r["key"].startswith(f"macro.{code}.")]

    def projects(self) -> pd.DataFrame:
        """The projects selected, their tranche, stake and launch year."""
        return pd.DataFrame([{
            "project": al.project, "archetype": al.archetype, "sector": al.sector,
            "tranche": al.tranche, "instrument": al.instrument, "amount": al.amount,
            "launch_year": self.base_year + al.launch_year, "generic": al.generic}
            for al in self.plan.selection.allocations])

    def manifest(self) -> dict[str, object]:
        """What produced these numbers: enough to reproduce them exactly."""
        a = self.assumptions
        return {
            "pactlab_version": __version__, "pact": self.pact.name, "label": self.label,
            "seed": self.seed, "paths": self.paths, "base_year": self.base_year,
            "horizon_years": a.horizon_years,
            "pact_sha256": digest(pact_to_toml(self.pact)),
            "term_overrides": json_safe(self.pact.overrides),
            "assumptions_sha256": digest(a.model_dump_json()),
            "assumptions_file": a.source,
            "assumption_overrides": json_safe(a.overrides),
            "as_of": a.trade.as_of.isoformat(),
            "data_as_of": data.as_of(self.pact.parties.investor_code),
            "host_objective": a.host_objective.view,     # which view of the host's gain
        }

    def assumed_terms(self) -> list[str]:
        return list(self.pact.assumed)

    def to_dict(self) -> dict[str, object]:
        return json_safe({
            "manifest": self.manifest(),
            "metrics": self.metrics,
            "gains": self.gain_summary().reset_index().to_dict(orient="records"),
            "capex_by_sector": self.capex_by_sector().to_dict(),
            "reserves_by_year": frame_columns(self.reserves_table()),
            "unallocated": dict(self.plan.selection.unallocated),
            "warnings": [s.to_dict() for s in self.plan.shortfalls],
            "assumed_terms": self.assumed_terms(),
            "definitions": dict(DEFINITIONS),
            "assumptions": self.assumptions.provenance(),
        })

    def to_json(self) -> str:
        return to_json(self.to_dict())

    def _repr_html_(self) -> str:
        """Jupyter: the headline metrics and the gains over no deal."""
        units = metric_units()
        head = comparison_column(self)
        rows = "".join(f"<tr><th>{label}</th><td>{format_value(head[label], units[label])}</td></tr>"
                       for label in head.index)
        table = self.gain_summary().to_html(float_format=lambda v: f"{v:,.2f}")
        return (f"<h4>{self.label}: {self.pact.title}</h4><p>{self.paths:,} futures, seed "
                f"{self.seed}; USD bn</p><table>{rows}</table><h5>Gain over no deal (PV)</h5>{table}")


def evaluate_all(pacts: Sequence[Pact | str], paths: int = 10_000, seed: int = 0, *,
                 futures: Futures | None = None, assumptions: Assumptions | None = None,
                 progress: Progress | None = None,
                 tariff_costs: TariffCosts | None = None) -> list[Evaluation]:
    """Evaluate several pacts on the same futures, block by block.

    Parameters
    ----------
    pacts : sequence of Pact or str, length pacts
        Pacts, or preset names / .toml paths.
    paths : int
        The futures to draw, unless `futures` is given.
    seed : int
        Their seed.
    futures : Futures or None
        The futures to use (its assumptions, paths and seed).
    assumptions : Assumptions or None
        The assumptions to draw futures under (default: the shipped ones).
    progress : callable (done, total) -> None, optional
        Called after each pact on each block; ``total = blocks * pacts``.
    tariff_costs : TariffCosts or None
        A cache of tariff-model results to share with other runs (default: the futures' own).

    Returns
    -------
    list of Evaluation, length pacts
        One per pact, in order, each labelled (see :func:`pactlab.inputs.terms.unique_labels`).

    Raises
    ------
    PactError
        When the outcomes would not fit in memory (one line, before any work).
    """
    f = resolve_futures(futures, paths, seed, assumptions)
    plans = plan_all(pacts, f.assumptions, tariff_costs=tariff_costs or f.tariff_costs)
    return [Evaluation(v.plan.pact, v.plan.label, f.assumptions, f.paths, f.seed, v.plan,
                       v.outcomes, v.metrics)
            for v in value_all(plans, f, progress=progress)]


def evaluate(pact: Pact | str, paths: int = 10_000, seed: int = 0, *,
             futures: Futures | None = None, assumptions: Assumptions | None = None,
             progress: Progress | None = None,
             tariff_costs: TariffCosts | None = None) -> Evaluation:
    """Simulate and value one pact for both parties on `paths` futures from `seed` (or on
    `futures`): ``evaluate(p, paths=n, seed=s) == evaluate(p, futures=pl.futures(n, s))``.

    Parameters
    ----------
    pact : Pact or str
        The pact, or a preset name / .toml path.
    paths, seed, futures, assumptions, progress, tariff_costs
        As in :func:`evaluate_all`.

    Returns
    -------
    Evaluation
        The pact's outcomes on ``paths`` futures and each party's metrics.
    """
    return evaluate_all([pact], paths, seed, futures=futures, assumptions=assumptions,
                        progress=progress, tariff_costs=tariff_costs)[0]


def compare(pacts: Sequence[Pact | str], paths: int = 10_000, seed: int = 0, *,
            futures: Futures | None = None, assumptions: Assumptions | None = None,
            detail: bool = False, progress: Progress | None = None) -> pd.DataFrame:
    """Pacts side by side on the same futures, one column a pact (never merged: two pacts alike
    get two columns).

    Parameters
    ----------
    pacts : sequence of Pact or str, length pacts
        Pacts, or preset names / .toml paths.
    paths, seed, futures, assumptions, progress
        As in :func:`evaluate_all`.
    detail : bool
        Every metric, as '<group>: <metric>', instead of the headline.

    Returns
    -------
    DataFrame, shape (rows, pacts), model units
        Rows: the headline an analyst reads top to bottom (or every metric); columns by label.
    """
    evaluations = evaluate_all(pacts, paths, seed, futures=futures, assumptions=assumptions,
                               progress=progress)
    return comparison_table(evaluations, detail=detail)


def comparison_table(evaluations: Sequence[Evaluation], *, detail: bool = False) -> pd.DataFrame:
    """Evaluations side by side, one column each, by label.

    Parameters
    ----------
    evaluations : sequence of Evaluation, length pacts
        The evaluations to set side by side.
    detail : bool
        Every metric instead of the headline.

    Returns
    -------
    DataFrame, shape (rows, pacts), model units
        As :func:`compare` returns.
    """
    return pd.concat([comparison_column(ev, detail=detail) for ev in evaluations], axis=1)
