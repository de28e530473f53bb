"""One pact valued for each party: the `Evaluation` every front end shows, and `compare`."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import __version__, data
from .assumptions import Assumptions, load_assumptions
from .engine import finance
from .engine.reserves import classic_measures
from .engine.rng import streams
from .gains import HOST_COMPONENTS, INVESTOR_COMPONENTS, Gains, gains
from .simulation import DealPaths, Progress, fx_spec, simulate
from .terms import Pact, load_pact, pact_to_toml


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # usd_bn | rate | share | year | multiple


INVESTOR_METRICS = (
    Metric("commitment", "commitment", "usd_bn"),
    Metric("cash_share", "of which MOU cash", "share"),
    Metric("cash_called", "cash called (mean)", "usd_bn"),
    Metric("peak_call", "peak annual call (median)", "usd_bn"),
    Metric("unallocated", "unallocated (no eligible project)", "usd_bn"),
    Metric("npv_mean", "NPV at cost of funds, mean", "usd_bn"),
    Metric("npv_p5", "NPV P5", "usd_bn"),
    Metric("npv_p50", "NPV P50", "usd_bn"),
    Metric("npv_p95", "NPV P95", "usd_bn"),
    Metric("cvar", "CVaR of NPV (worst tail mean)", "usd_bn"),
    Metric("irr_p5", "IRR P5", "rate"),
    Metric("irr_p50", "IRR P50", "rate"),
    Metric("irr_p95", "IRR P95", "rate"),
    Metric("moic_p50", "money multiple P50", "multiple"),
    Metric("p_recoup", "P(recoup within horizon)", "share"),
    Metric("recoup_year_p50", "recoupment year P50 (if recouped)", "year"),
)
HOST_METRICS = (
    Metric("npv_mean", "NPV at host rate, mean", "usd_bn"),
    Metric("npv_p5", "NPV P5", "usd_bn"),
    Metric("npv_p50", "NPV P50", "usd_bn"),
    Metric("npv_p95", "NPV P95", "usd_bn"),
    Metric("distribution_share", "share of MOU distributions", "share"),
    Metric("capex", "capex financed by the pact (mean)", "usd_bn"),
)
FX_METRICS = (
    Metric("share_of_reserves", "commitment / reserves", "share"),
    Metric("cash_of_reserves", "MOU cash / reserves", "share"),
    Metric("share_of_gdp", "commitment / GDP", "share"),
    Metric("share_of_nea", "commitment / net external assets", "share"),
    Metric("months_of_imports", "reserves in months of imports, before the pact", "count"),
    Metric("reserves_to_std", "reserves / short-term debt, before the pact", "share"),
    Metric("reserves_to_m2", "reserves / broad money, before the pact", "share"),
    Metric("reserves_to_gdp", "reserves / GDP, before the pact", "share"),
    Metric("ara_start", "ARA ratio before the pact", "share"),
    Metric("ara_no_pact", "ARA ratio at the FX horizon without the pact", "share"),
    Metric("min_ara_p5", "minimum ARA ratio P5", "share"),
    Metric("min_ara_p50", "minimum ARA ratio P50", "share"),
    Metric("min_ara_p95", "minimum ARA ratio P95", "share"),
    Metric("p_ara_below_100", "P(ARA ratio < 100%)", "share"),
    Metric("p_ara_below_80", "P(ARA ratio < 80%)", "share"),
    Metric("min_reserves_p5", "minimum reserves P5", "usd_bn"),
    Metric("p_crisis", "P(reserve crisis: reserves < short-term debt)", "share"),
    Metric("p_exhausted", "P(reserves exhausted)", "share"),
    Metric("principal_spent", "reserve principal spent (mean)", "usd_bn"),
    Metric("bonds_issued", "USD bonds issued (mean)", "usd_bn"),
    Metric("deferred", "calls deferred (mean)", "usd_bn"),
    Metric("refusals", "deferral requests refused (mean count)", "count"),
    Metric("swap_peak", "swap line drawn, peak (mean)", "usd_bn"),
    Metric("shortfall", "shortfall: never called by the deadline (mean)", "usd_bn"),
)
GAIN_METRICS = tuple(
    [m for party in ("investor", "host") for m in (
        Metric(f"{party}_mean", f"{party} gain vs no deal, mean", "usd_bn"),
        Metric(f"{party}_p5", f"{party} gain P5", "usd_bn"),
        Metric(f"{party}_p50", f"{party} gain P50", "usd_bn"),
        Metric(f"{party}_p95", f"{party} gain P95", "usd_bn"),
        Metric(f"{party}_p_loss", f"{party}: P(gain < 0)", "share"),
    )]
    + [Metric(f"investor:{c}", f"investor: {c}", "usd_bn") for c in INVESTOR_COMPONENTS]
    + [Metric(f"host:{c}", f"host: {c}", "usd_bn") for c in HOST_COMPONENTS]
    + [Metric("guarantee_share", "investor: of which guarantees", "share"),
       Metric("individually_rational", "individually rational for both (mean gains >= 0)", "bool")])
PARTY_METRICS = {"investor": INVESTOR_METRICS, "host": HOST_METRICS, "fx": FX_METRICS,
                 "gain": GAIN_METRICS}
#: the comparison an analyst reads top to bottom: (group, metric key)
HEADLINE = (
    ("investor", "commitment"), ("investor", "cash_share"), ("gain", "guarantee_share"),
    ("fx", "share_of_reserves"), ("fx", "share_of_gdp"), ("investor", "peak_call"),
    ("investor", "irr_p5"), ("investor", "irr_p50"), ("investor", "irr_p95"),
    ("investor", "p_recoup"), ("investor", "recoup_year_p50"),
    ("fx", "min_ara_p50"), ("fx", "p_ara_below_80"), ("fx", "p_crisis"),
    ("gain", "investor:tariff relief"), ("gain", "investor_mean"), ("gain", "investor_p_loss"),
    ("gain", "host_mean"), ("gain", "host_p_loss"), ("gain", "individually_rational"),
)


def _irr_for_percentiles(flows: np.ndarray) -> np.ndarray:
    """IRR per path; a path that paid out and never got anything back counts as -100%."""
    rates = finance.irr(flows)
    lost = ((flows < 0).any(axis=1)) & ~((flows > 0).any(axis=1))
    return np.where(lost, -1.0, rates)


def spread(values: np.ndarray) -> dict[str, float]:
    """Mean, P5, P50, P95 and P(< 0) of an outcome over paths."""
    return {"mean": float(values.mean()), "p5": _pct(values, 5), "p50": _pct(values, 50),
            "p95": _pct(values, 95), "p_below_zero": float((values < 0).mean())}


def _pct(values: np.ndarray, q: float) -> float:
    values = values[np.isfinite(values)]
    return float(np.percentile(values, q)) if values.size else float("nan")


def _investor_metrics(pact: Pact, deal: DealPaths, rate: float, tail: float) -> dict[str, float]:
    flows = deal.investor_total
    npv = finance.npv(rate, flows)
    rates = _irr_for_percentiles(flows)
    payback = finance.payback_year(flows)
    _, cvar = finance.tail_risk(npv, tail)
    return {
        "commitment": pact.commitment,
        "cash_share": pact.amount("mou") / pact.commitment if pact.commitment else 0.0,
        "cash_called": float(deal.calls.sum(axis=1).mean()),
        "peak_call": float(np.median(deal.calls.max(axis=1))),
        "unallocated": float(sum(deal.selection.unallocated.values())),
        "npv_mean": float(npv.mean()),
        "npv_p5": _pct(npv, 5), "npv_p50": _pct(npv, 50), "npv_p95": _pct(npv, 95),
        "cvar": cvar,
        "irr_p5": _pct(rates, 5), "irr_p50": _pct(rates, 50), "irr_p95": _pct(rates, 95),
        "moic_p50": _pct(finance.moic(flows), 50),
        "p_recoup": float(np.isfinite(payback).mean()),
        "recoup_year_p50": _pct(payback, 50) + deal.base_year,
    }


def _fx_metrics(pact: Pact, a: Assumptions, deal: DealPaths) -> dict[str, float]:
    """Reserve burden and adequacy over the FX horizon (assumption fx.horizon_years)."""
    m = a.country(pact.parties.investor_code)
    f = deal.funding
    h = min(a.fx.horizon_years, f.paid.shape[1])
    spec = fx_spec(pact, a)
    lowest = np.min(f.ratio[:, :h], axis=1) if m.ara_applicable else np.full(f.paid.shape[0], np.nan)
    tol = 1e-9  # a swap line holds the ratio exactly at its trigger: that is not a breach

    def below(level: float) -> float:
        return float((lowest < level - tol).mean()) if m.ara_applicable else float("nan")

    classic = classic_measures(m.reserves, imports=m.goods_imports, short_term_debt=m.short_term_debt,
                               broad_money=m.broad_money, gdp=m.gdp)
    return {
        "months_of_imports": classic["months_of_imports"],
        "reserves_to_std": classic["reserves_to_short_term_debt"],
        "reserves_to_m2": classic["reserves_to_broad_money"],
        "reserves_to_gdp": classic["reserves_to_gdp"],
        "share_of_reserves": pact.commitment / m.reserves,
        "cash_of_reserves": pact.amount("mou") / m.reserves,
        "share_of_gdp": pact.commitment / m.gdp,
        "share_of_nea": pact.commitment / m.net_external_assets,
        "ara_start": spec.reserves / spec.metric,
        "ara_no_pact": spec.reserves / spec.metric * ((1 + spec.reserve_yield) / (1 + spec.growth)) ** (h - 1),
        "min_ara_p5": _pct(lowest, 5), "min_ara_p50": _pct(lowest, 50), "min_ara_p95": _pct(lowest, 95),
        "p_ara_below_100": below(1.0),
        "p_ara_below_80": below(0.8),
        "min_reserves_p5": _pct(np.min(f.reserves[:, :h], axis=1), 5),
        "p_crisis": float((f.crisis_year < h).mean()),
        "p_exhausted": float((f.exhausted_year < h).mean()),
        "principal_spent": float(f.principal[:, :h].sum(axis=1).mean()),
        "bonds_issued": float(f.bonds[:, h - 1].mean()),
        "deferred": float(f.deferred[:, :h].sum(axis=1).mean()),
        "refusals": float(f.refused[:, :h].sum(axis=1).mean()),
        "swap_peak": float(f.swap[:, :h].max(axis=1).mean()),
        "shortfall": float(f.shortfall.mean()),
    }


def _gain_metrics(pact: Pact, g: Gains) -> dict[str, float]:
    out: dict[str, float] = {}
    for party in ("investor", "host"):
        s = spread(g.total(party))
        out |= {f"{party}_mean": s["mean"], f"{party}_p5": s["p5"], f"{party}_p50": s["p50"],
                f"{party}_p95": s["p95"], f"{party}_p_loss": s["p_below_zero"]}
        out |= {f"{party}:{name}": float(v.mean()) for name, v in getattr(g, party).items()}
    out["guarantee_share"] = pact.amount("guarantee") / pact.commitment if pact.commitment else 0.0
    out["individually_rational"] = float(out["investor_mean"] >= 0 and out["host_mean"] >= 0)
    return out


def _host_metrics(deal: DealPaths, rate: float) -> dict[str, float]:
    npv = finance.npv(rate, deal.host_total)
    distributed = float(np.maximum(deal.mou_cash, 0.0).sum())
    host_mou = distributed - float(deal.mou_received.sum())
    return {
        "npv_mean": float(npv.mean()),
        "npv_p5": _pct(npv, 5), "npv_p50": _pct(npv, 50), "npv_p95": _pct(npv, 95),
        "distribution_share": float(np.sum(host_mou) / distributed) if distributed > 0 else float("nan"),
        "capex": float(sum(deal.capex.values()).mean()) if deal.capex else 0.0,
    }


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Evaluation:
    """A pact's simulated outcomes and each party's metrics. Build it with :func:`evaluate`."""

    pact: Pact
    assumptions: Assumptions
    paths: int
    seed: int
    deal: DealPaths
    gains: Gains
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Investment metrics (rows, labelled) by party (columns); values in model units."""
        rows = {}
        for party in ("investor", "host"):
            for m in PARTY_METRICS[party]:
                rows.setdefault(m.label, {})[party] = self.metrics[party][m.key]
        return pd.DataFrame.from_dict(rows, orient="index", columns=["investor", "host"])

    def gain_summary(self) -> pd.DataFrame:
        """Each party's gain over no deal by component, and in total: mean, P5, P50, P95,
        P(< 0); USD bn present values."""
        rows = {}
        for party in ("investor", "host"):
            parts = dict(getattr(self.gains, party))
            parts["total"] = self.gains.total(party)
            for name, v in parts.items():
                rows[(party, name)] = spread(v)
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.names = ["party", "component"]
        return table

    def _repr_html_(self) -> str:
        """Jupyter: the headline metrics and the gains over no deal."""
        units = metric_units()
        head = comparison_column(self)
        rows = "".join(f"<tr><th>{label}</th><td>{format_value(head[label], units[label])}</td></tr>"
                       for label in head.index)
        gains = self.gain_summary().to_html(float_format=lambda v: f"{v:,.2f}")
        return (f"<h4>{self.pact.title}</h4><p>{self.paths:,} futures, seed {self.seed}; "
                f"USD bn</p><table>{rows}</table><h5>Gain over no deal (PV)</h5>{gains}")

    def fx_summary(self) -> pd.Series:
        """Can the investor pay? Reserve burden and adequacy (labelled rows, model units)."""
        return pd.Series({m.label: self.metrics["fx"][m.key] for m in FX_METRICS}, dtype=float,
                         name=self.pact.name)

    def capex_by_sector(self) -> pd.Series:
        """Mean capex financed by the pact, USD bn, by sector."""
        return pd.Series({k: float(v.mean()) for k, v in sorted(self.deal.capex.items())},
                         name="capex_usd_bn", dtype=float)

    def reserves_table(self) -> pd.DataFrame:
        """Year by year: calls, reserves and the ARA ratio (percentiles over paths)."""
        f = self.deal.funding
        h = min(self.assumptions.fx.horizon_years, f.paid.shape[1])
        q = [5, 50, 95]
        reserves = np.percentile(f.reserves[:, :h], q, axis=0)
        applicable = bool(np.isfinite(f.ratio[:, :h]).all())
        ratio = np.percentile(f.ratio[:, :h], q, axis=0) if applicable else np.full((3, h), np.nan)
        return pd.DataFrame({
            "calls_mean": f.paid[:, :h].mean(axis=0),
            "reserves_p5": reserves[0], "reserves_p50": reserves[1], "reserves_p95": reserves[2],
            "ara_p5": ratio[0], "ara_p50": ratio[1], "ara_p95": ratio[2],
            "p_ara_below_100": (f.ratio[:, :h] < 1.0).mean(axis=0) if applicable else np.nan,
            "swap_mean": f.swap[:, :h].mean(axis=0),
            "deferred_mean": f.deferred[:, :h].mean(axis=0),
            "bonds_mean": f.bonds[:, :h].mean(axis=0),
        }, index=pd.RangeIndex(self.deal.base_year, self.deal.base_year + h, name="year"))

    def macro_inputs(self) -> list[dict[str, object]]:
        """The investor's macro data behind the FX rows, with source and confidence."""
        code = self.pact.parties.investor_code
        return [r for r in self.assumptions.provenance() if r["key"].startswith(f"macro.{code}.")]

    def projects(self) -> pd.DataFrame:
        """The projects selected, their tranche, stake and launch year."""
        return pd.DataFrame([{
            "project": al.project.name, "archetype": al.project.archetype,
            "sector": al.project.sector, "tranche": al.tranche, "instrument": al.instrument,
            "amount": al.amount, "launch_year": self.deal.base_year + al.launch_year,
            "generic": al.project.generic} for al in self.deal.selection.allocations])

    def manifest(self) -> dict[str, object]:
        """What produced these numbers: enough to reproduce them exactly."""
        return {
            "pactlab_version": __version__, "pact": self.pact.name, "seed": self.seed,
            "paths": self.paths, "base_year": self.deal.base_year,
            "horizon_years": self.assumptions.horizon_years,
            "pact_sha256": digest(pact_to_toml(self.pact)),
            "assumptions_sha256": digest(self.assumptions.model_dump_json()),
            "data_as_of": data.as_of(self.pact.parties.investor_code),
        }

    def assumed_terms(self) -> list[str]:
        return list(self.pact.assumed)

    def to_dict(self) -> dict[str, object]:
        return {
            "manifest": self.manifest(),
            "metrics": self.metrics,
            "capex_by_sector": self.capex_by_sector().to_dict(),
            "reserves_by_year": json_safe(self.reserves_table().reset_index().to_dict(orient="list")),
            "unallocated": self.deal.selection.unallocated,
            "assumed_terms": self.assumed_terms(),
            "assumptions": self.assumptions.provenance(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=_json_default, allow_nan=False)


def format_value(value: float, unit: str) -> str:
    """A value as people read it: $12.3B, 45.1%, 2041, 1.65x, yes/no; – for missing."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return {"usd_bn": f"{'-' if value < 0 else ''}${abs(value):,.1f}B", "share": f"{value:.1%}",
            "rate": f"{value:.2%}", "year": f"{value:.0f}", "multiple": f"{value:.2f}x",
            "count": f"{value:.1f}", "bool": "yes" if value else "no"}.get(unit, f"{value:,.3g}")


def _json_default(value: object) -> object:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def json_safe(obj: object) -> object:
    """Plain JSON types: NaN/inf -> None, numpy scalars -> Python, keys -> text."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer)):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def evaluate(pact: Pact | str, paths: int = 10_000, seed: int = 0, *,
             assumptions: Assumptions | None = None, progress: Progress | None = None) -> Evaluation:
    """Simulate and value one pact for both parties on `paths` futures from `seed`."""
    if isinstance(pact, str):
        pact = load_pact(pact)
    if paths < 1:
        raise ValueError(f"paths must be >= 1, got {paths}")
    a = assumptions or load_assumptions()
    deal = simulate(pact, a, paths, seed, progress)
    g = gains(pact, a, deal, streams(seed))
    metrics = {
        "investor": _investor_metrics(pact, deal, a.investor_rate(pact.parties.investor_code),
                                      a.risk.tail),
        "host": _host_metrics(deal, a.discount.host),
        "fx": _fx_metrics(pact, a, deal),
        "gain": _gain_metrics(pact, g),
    }
    if progress:
        progress("metrics")
    return Evaluation(pact, a, paths, seed, deal, g, json_safe(metrics))


def compare(pacts: Sequence[Pact | str], paths: int = 10_000, seed: int = 0, *,
            assumptions: Assumptions | None = None, detail: bool = False,
            progress: Progress | None = None) -> pd.DataFrame:
    """Pacts side by side on the same futures, one column a pact. Rows: the headline an analyst
    reads top to bottom (or, with `detail`, every metric, as '<group>: <metric>')."""
    columns = {}
    for pact in pacts:
        ev = evaluate(pact, paths, seed, assumptions=assumptions, progress=progress)
        columns[ev.pact.name] = comparison_column(ev, detail=detail)
    return pd.DataFrame(columns)


def _label(group: str, m: Metric) -> str:
    return m.label if group == "gain" else f"{group}: {m.label}"


def comparison_column(ev: Evaluation, *, detail: bool = False) -> pd.Series:
    if detail:
        pairs = [(g, m) for g, defs in PARTY_METRICS.items() for m in defs]
    else:
        by_key = {(g, m.key): m for g, defs in PARTY_METRICS.items() for m in defs}
        pairs = [(g, by_key[(g, k)]) for g, k in HEADLINE]
    return pd.Series({_label(g, m): ev.metrics[g][m.key] for g, m in pairs}, dtype=float)


def metric_units() -> dict[str, str]:
    """Row label (as in `compare` and `summary`) -> unit, for formatting."""
    out = {}
    for party, defs in PARTY_METRICS.items():
        for m in defs:
            out[_label(party, m)] = m.unit
            out.setdefault(m.label, m.unit)
    return out
