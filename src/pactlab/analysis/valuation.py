"""Pacts valued for each party: the `Evaluation` every front end shows, built block by block
on one set of futures, and the comparison of several pacts.

``evaluate_all`` is the one place that runs several pacts: the command line, the report and
``compare`` all call it. Every pact meets the same futures, and pacts that share a stage's
terms share its work (see :mod:`pactlab.model.simulation`).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._version import __version__
from ..core.capacity import check_fits
from ..core.errors import PactError
from ..core.jsonable import frame_columns, json_safe, to_json
from ..core.units import format_value
from ..inputs import data
from ..inputs.assumptions import Assumptions, load_assumptions
from ..inputs.terms import Pact, load_pact, pact_to_toml, unique_labels
from ..model.futures import Futures
from ..model.futures import futures as make_futures
from ..model.gains import PARTIES, Gains, gains
from ..model.metrics import FX_METRICS, METRICS, Collector, Outcomes, compute_metrics, spread
from ..model.plan import Plan, Planner
from ..model.simulation import simulate_block
from ..model.tariffs import TariffCosts
from .headline import comparison_column, metric_units

#: progress callback: (units done, units in all); a unit is one pact on one block of paths
Progress = Callable[[int, int], None]


def digest(text: str) -> str:
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
            "legal_shocks": a.trade.legal_shocks,
            "data_as_of": data.as_of(self.pact.parties.investor_code),
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
            "assumed_terms": self.assumed_terms(),
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


def _futures(futures: Futures | None, paths: int, seed: int,
             assumptions: Assumptions | None) -> Futures:
    if futures is None:
        return make_futures(paths, seed, assumptions)
    if assumptions is not None and assumptions is not futures.assumptions:
        raise ValueError("give the assumptions to pl.futures(…), not beside futures=")
    return futures


def evaluate_all(pacts: Sequence[Pact | str], paths: int = 10_000, seed: int = 0, *,
                 futures: Futures | None = None, assumptions: Assumptions | None = None,
                 progress: Progress | None = None,
                 tariff_costs: TariffCosts | None = None) -> list[Evaluation]:
    """Evaluate several pacts on the same futures, block by block; one Evaluation per pact, in
    order, each labelled (see :func:`pactlab.inputs.terms.unique_labels`).

    Parameters
    ----------
    pacts : pacts or preset names / .toml paths.
    paths, seed : the futures to draw, unless `futures` is given.
    futures : the futures to use (its assumptions, paths and seed).
    assumptions : the assumptions to draw futures under (default: the shipped ones).
    progress : called with (done, total) after each pact on each block.
    tariff_costs : a cache of tariff-model results to share with other runs.
    """
    loaded = [load_pact(p) if isinstance(p, str) else p for p in pacts]
    f = _futures(futures, paths, seed, assumptions)
    planner = Planner(f.assumptions, tariff_costs=tariff_costs or f.tariff_costs)
    plans = [planner.plan(p, label) for p, label in zip(loaded, unique_labels(loaded), strict=True)]
    check_fits(f.paths * sum(Collector.bytes_per_path(p) for p in plans),
               f"evaluating {len(plans)} pact(s) on {f.paths:,} paths",
               "use fewer paths (--paths)")
    collectors = [Collector(plan, f.paths) for plan in plans]
    total, done = f.n_blocks * len(plans), 0
    for block in f.blocks():
        for i, deal in simulate_block(plans, block):
            collectors[i].add(block, deal, gains(plans[i], deal, block))
            done += 1
            if progress:
                progress(done, total)
    out = []
    for plan, collector in zip(plans, collectors, strict=True):
        outcomes = collector.finish()
        out.append(Evaluation(plan.pact, plan.label, f.assumptions, f.paths, f.seed, plan, outcomes,
                              json_safe(compute_metrics(plan, f.assumptions, outcomes))))
    return out


def evaluate(pact: Pact | str, paths: int = 10_000, seed: int = 0, *,
             futures: Futures | None = None, assumptions: Assumptions | None = None,
             progress: Progress | None = None,
             tariff_costs: TariffCosts | None = None) -> Evaluation:
    """Simulate and value one pact for both parties on `paths` futures from `seed` (or on
    `futures`): ``evaluate(p, paths=n, seed=s) == evaluate(p, futures=pl.futures(n, s))``."""
    return evaluate_all([pact], paths, seed, futures=futures, assumptions=assumptions,
                        progress=progress, tariff_costs=tariff_costs)[0]


def compare(pacts: Sequence[Pact | str], paths: int = 10_000, seed: int = 0, *,
            futures: Futures | None = None, assumptions: Assumptions | None = None,
            detail: bool = False, progress: Progress | None = None) -> pd.DataFrame:
    """Pacts side by side on the same futures, one column a pact (never merged: two pacts alike
    get two columns). Rows: the headline an analyst reads top to bottom (or, with `detail`,
    every metric, as '<group>: <metric>')."""
    evaluations = evaluate_all(pacts, paths, seed, futures=futures, assumptions=assumptions,
                               progress=progress)
    return comparison_table(evaluations, detail=detail)


def comparison_table(evaluations: Sequence[Evaluation], *, detail: bool = False) -> pd.DataFrame:
    """Evaluations side by side, one column each, by label."""
    return pd.concat([comparison_column(ev, detail=detail) for ev in evaluations], axis=1)


#: the sudden-stop probabilities the crisis table spans, and its metric growth rates
STOP_PROBS = (0.02, 0.05, 0.10)
GROWTH_RATES = (0.02, 0.04, 0.06)
#: what the crisis table's columns can vary: the label each column carries
CRISIS_GROWTH = {"reserve_growth": "reserves grow", "components_growth": "metric grows"}


def crisis_sensitivity(pact: Pact | str, paths: int = 2_000, seed: int = 0, *,
                       assumptions: Assumptions | None = None,
                       growth: str = "reserve_growth") -> pd.DataFrame:
    """P(reserve crisis within the FX horizon) with the pact and with no pact, as the chance of a
    sudden stop a year and a growth rate vary — the assumptions the crisis probability hangs on.

    `growth` = ``reserve_growth``: the investor's reserve growth with no pact, from its history
    (the default) through halfway to keeping all its yield; ``components_growth``: the growth of
    the ARA metric's components (2%, 4%, 6%). Rows: stop probability; columns: (growth, case)."""
    base = assumptions or load_assumptions()
    pact = load_pact(pact) if isinstance(pact, str) else pact
    if growth == "reserve_growth":
        code = pact.parties.investor_code
        m = base.country(code)
        key = f"macro.{code}.reserve_growth"
        levels = tuple(dict.fromkeys(round(g, 6) for g in (
            m.reserve_growth, (m.reserve_growth + m.reserve_yield) / 2, m.reserve_yield)))
    elif growth == "components_growth":
        key, levels = "fx.components_growth", GROWTH_RATES
    else:
        raise PactError(f"growth: {growth!r}; the crisis table varies {', '.join(CRISIS_GROWTH)}")
    cells, shared = {}, TariffCosts()     # the tariff model does not move with these assumptions
    for stop in STOP_PROBS:
        for g in levels:
            a = base.with_values({"fx.sudden_stop_prob": stop, key: g})
            fx = evaluate(pact, paths, seed, assumptions=a, tariff_costs=shared).metrics["fx"]
            cells[(stop, g)] = (fx["p_crisis"], fx["p_crisis_no_pact"])
    columns = pd.MultiIndex.from_product([levels, ["pact", "no pact"]], names=[growth, "case"])
    table = pd.DataFrame([[v for g in levels for v in cells[(stop, g)]] for stop in STOP_PROBS],
                         index=pd.Index(STOP_PROBS, name="sudden_stop_prob"), columns=columns)
    return table.astype(float)


def crisis_rows(table: pd.DataFrame) -> list[dict[str, float | str]]:
    """A :func:`crisis_sensitivity` table in long form, a row per cell."""
    growth = table.columns.names[0]
    return [{"sudden_stop_prob": stop, growth: g, "case": case,
             "p_crisis": float(table.loc[stop, (g, case)])}
            for stop in table.index for g, case in table.columns]
