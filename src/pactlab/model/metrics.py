"""What an evaluation measures: metric definitions, the per-path outcomes collected block by
block, and the metrics computed from them.

An evaluation keeps, for every path, a few scalars (NPV, IRR, payback, the lowest reserve
ratio, the chance of a reserve crisis, each gain component, …) and, for the year-by-year
percentile tables, the reserve path over the FX horizon and the investor's share of
distributions, in single precision. Nothing else of a block outlives it: memory grows by about 0.7 KB a path, whatever
the term sheet.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import finance
from ..engine.reserves import classic_measures
from ..inputs.assumptions import Assumptions
from .futures import Block
from .fx_stress import crisis_probability
from .gains import HOST_COMPONENTS, INVESTOR_COMPONENTS, PARTIES, Gains
from .plan import Plan
from .simulation import DealPaths


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # usd_bn | rate | share | year | multiple | count | bool


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
    Metric("p_recoup_deemed", "P(recoup with deemed interest)", "share"),
    Metric("recoup_deemed_year_p50", "recoupment with deemed interest, year P50", "year"),
    Metric("p_snapback", "P(refusal tariff snaps back)", "share"),
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
    Metric("min_ara_no_pact_p50", "minimum ARA ratio P50 with no pact, same futures", "share"),
    Metric("p_ara_below_80_no_pact", "P(ARA ratio < 80%) with no pact, same futures", "share"),
    Metric("min_reserves_p5", "minimum reserves P5", "usd_bn"),
    Metric("p_crisis", "P(reserve crisis within the FX horizon)", "share"),
    Metric("p_crisis_no_pact", "P(reserve crisis) with no pact, same futures", "share"),
    Metric("p_float", "P(the won floats: reserves at the central bank's floor)", "share"),
    Metric("p_below_std", "P(reserves < short-term debt at some point)", "share"),
    Metric("principal_spent", "reserve principal spent (mean)", "usd_bn"),
    Metric("bonds_issued", "USD bonds issued (mean)", "usd_bn"),
    Metric("deferred", "calls deferred (mean)", "usd_bn"),
    Metric("refusals", "deferral requests refused (mean count)", "count"),
    Metric("swap_peak", "swap line drawn, peak (mean)", "usd_bn"),
    Metric("shortfall", "shortfall: never called by the deadline (mean)", "usd_bn"),
)


def _gain_metrics() -> tuple[Metric, ...]:
    out = [m for party in PARTIES for m in (
        Metric(f"{party}_mean", f"{party} gain vs no deal, mean", "usd_bn"),
        Metric(f"{party}_p5", f"{party} gain P5", "usd_bn"),
        Metric(f"{party}_p50", f"{party} gain P50", "usd_bn"),
        Metric(f"{party}_p95", f"{party} gain P95", "usd_bn"),
        Metric(f"{party}_p_loss", f"{party}: P(gain < 0)", "share"),
    )]
    out += [Metric(f"investor:{c}", f"investor: {c}", "usd_bn") for c in INVESTOR_COMPONENTS]
    out += [Metric(f"host:{c}", f"host: {c}", "usd_bn") for c in HOST_COMPONENTS]
    out += [Metric("guarantee_share", "investor: of which guarantees", "share"),
            Metric("individually_rational", "individually rational for both (mean gains >= 0)", "bool")]
    return tuple(out)


GAIN_METRICS = _gain_metrics()
#: metric group -> its metrics, in the order tables show them
METRICS = {"investor": INVESTOR_METRICS, "host": HOST_METRICS, "fx": FX_METRICS, "gain": GAIN_METRICS}


def percentile(values: np.ndarray, q: float) -> float:
    """The `q` percentile of the finite values.

    Parameters
    ----------
    values : ndarray, shape (paths,)
    q : float, percent in [0, 100]

    Returns
    -------
    float
        In the units of `values` (NaN if none is finite).
    """
    values = values[np.isfinite(values)]
    return float(np.percentile(values, q)) if values.size else float("nan")


def spread(values: np.ndarray) -> dict[str, float]:
    """Mean, P5, P50, P95 and P(< 0) of an outcome over paths.

    Parameters
    ----------
    values : ndarray, shape (paths,)

    Returns
    -------
    dict of str to float
        ``mean``, ``p5``, ``p50``, ``p95`` (units of `values`) and ``p_below_zero`` (fraction).
    """
    return {"mean": float(values.mean()), "p5": percentile(values, 5),
            "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p_below_zero": float((values < 0).mean())}


def irr_for_percentiles(flows: np.ndarray) -> np.ndarray:
    """IRR per path, for percentiles: a path that paid out and got nothing back counts as -100%.

    Parameters
    ----------
    flows : ndarray, shape (paths, years), USD bn

    Returns
    -------
    ndarray, shape (paths,), fraction a year
    """
    rates = finance.irr(flows)
    lost = ((flows < 0).any(axis=1)) & ~((flows > 0).any(axis=1))
    return np.where(lost, -1.0, rates)


#: per-path outcomes an evaluation keeps
PATH_OUTCOMES = ("npv", "irr", "moic", "payback", "payback_deemed", "called", "peak_call", "snap_year", "host_npv",
                 "min_ratio", "min_reserves", "p_crisis", "p_crisis_no_pact",
                 "float_year", "below_std_year", "principal", "bonds", "deferred", "refusals", "swap_peak",
                 "shortfall")
#: year-by-year values kept (single precision) for percentile tables, and their span
YEARLY_VALUES = {"reserves": "fx", "ratio": "fx", "reserves_no_pact": "fx", "share": "all"}
#: year-by-year sums over paths, for means
YEARLY_SUMS = ("calls", "swap", "deferred", "bonds", "ratio_below_100")


@dataclass(frozen=True)
class Outcomes:
    """What an evaluation keeps of its paths (see the module docstring)."""

    paths: dict[str, np.ndarray]                 # name -> (paths,)
    yearly: dict[str, np.ndarray]                # name -> (paths, years) float32
    sums: dict[str, np.ndarray]                  # name -> (years,) sums over paths
    capex: dict[str, np.ndarray]                 # sector -> (paths,)
    gains: Gains
    distributed: float                           # MOU cash distributed, all paths and years
    received: float                              # of which the investor's


class Collector:
    """Collects one pact's outcomes block by block into arrays over all paths."""

    def __init__(self, plan: Plan, paths: int) -> None:
        self.plan = plan
        years, h = plan.years, plan.gain_inputs.fx_horizon
        self.paths = {name: np.empty(paths) for name in PATH_OUTCOMES}
        self.yearly = {name: np.empty((paths, h if span == "fx" else years), dtype=np.float32)
                       for name, span in YEARLY_VALUES.items()}
        self.sums = {name: np.zeros(h) for name in YEARLY_SUMS}
        sectors = dict.fromkeys(al.sector for al in plan.selection.allocations)
        self.capex = {s: np.zeros(paths) for s in sectors}
        self.gains: dict[str, dict[str, np.ndarray]] = {party: {} for party in PARTIES}
        self.total_paths = paths
        self.distributed = 0.0
        self.received = 0.0

    @staticmethod
    def bytes_per_path(plan: Plan) -> int:
        """What one path costs this collector, for the memory check."""
        kept = (len(PATH_OUTCOMES) + len(plan.selection.allocations) + len(INVESTOR_COMPONENTS)
                + len(HOST_COMPONENTS))
        return 8 * kept + 4 * (3 * plan.gain_inputs.fx_horizon + plan.years)

    def add(self, block: Block, deal: DealPaths, g: Gains) -> None:
        """Keep what the outcomes need of one block's paths, `deal`, and its gains `g`."""
        s = slice(block.start, block.stop)
        plan, f = self.plan, deal.funding
        h = plan.gain_inputs.fx_horizon
        flows = deal.investor_total
        rate = plan.gain_inputs.investor_rate
        row = self.paths
        row["npv"][s] = deal.investor_pv(rate)
        row["irr"][s] = irr_for_percentiles(flows)
        row["moic"][s] = finance.moic(flows)
        row["payback"][s] = finance.payback_year(flows)
        row["payback_deemed"][s] = finance.payback_year_accrued(flows, deal.markets.sofr + plan.split.spread)
        row["called"][s] = deal.calls.sum(axis=1)
        row["peak_call"][s] = deal.calls.max(axis=1)
        row["snap_year"][s] = deal.snap_year
        row["host_npv"][s] = deal.host_pv(plan.gain_inputs.host_rate)
        row["min_ratio"][s] = np.min(f.ratio[:, :h], axis=1)
        row["min_reserves"][s] = np.min(f.reserves[:, :h], axis=1)
        row["p_crisis"][s] = crisis_probability(f.hazard, h)
        row["p_crisis_no_pact"][s] = crisis_probability(deal.no_pact.hazard, h)
        row["float_year"][s] = f.float_year
        row["below_std_year"][s] = f.below_std_year
        row["principal"][s] = f.principal[:, :h].sum(axis=1)
        row["bonds"][s] = f.bonds[:, h - 1]
        row["deferred"][s] = f.deferred[:, :h].sum(axis=1)
        row["refusals"][s] = f.refused[:, :h].sum(axis=1)
        row["swap_peak"][s] = f.swap[:, :h].max(axis=1)
        row["shortfall"][s] = f.shortfall

        self.yearly["reserves"][s] = f.reserves[:, :h]
        self.yearly["ratio"][s] = f.ratio[:, :h]
        self.yearly["reserves_no_pact"][s] = deal.no_pact.reserves[:, :h]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.yearly["share"][s] = np.where(deal.mou_cash > 1e-9, deal.mou_received / deal.mou_cash,
                                               np.nan)
        self.sums["calls"] += f.paid[:, :h].sum(axis=0)
        self.sums["swap"] += f.swap[:, :h].sum(axis=0)
        self.sums["deferred"] += f.deferred[:, :h].sum(axis=0)
        self.sums["bonds"] += f.bonds[:, :h].sum(axis=0)
        self.sums["ratio_below_100"] += (f.ratio[:, :h] < 1.0).sum(axis=0)
        for sector, values in deal.capex.items():
            self.capex[sector][s] = values
        for party in PARTIES:
            for name, values in getattr(g, party).items():
                self.gains[party].setdefault(name, np.empty(self.total_paths))[s] = values
        self.distributed += float(np.maximum(deal.mou_cash, 0.0).sum())
        self.received += float(deal.mou_received.sum())

    def finish(self) -> Outcomes:
        """The outcomes over all paths, once every block has been added."""
        return Outcomes(self.paths, self.yearly, self.sums, self.capex,
                        Gains(self.gains["investor"], self.gains["host"]),
                        self.distributed, self.received)


def compute_metrics(plan: Plan, a: Assumptions, o: Outcomes) -> dict[str, dict[str, float]]:
    """Every metric of :data:`METRICS`, by group, from the outcomes.

    Parameters
    ----------
    plan : Plan
    a : Assumptions
    o : Outcomes
        What the evaluation kept of its paths (:meth:`Collector.finish`).

    Returns
    -------
    dict of str to dict of str to float
        Group (``investor``, ``host``, ``fx``, ``gain``) -> metric key -> value, in the metric's
        unit (:class:`Metric`); NaN where undefined.
    """
    return {"investor": _investor(plan, a, o), "host": _host(o), "fx": _fx(plan, a, o),
            "gain": _gain(plan, o.gains)}


def _investor(plan: Plan, a: Assumptions, o: Outcomes) -> dict[str, float]:
    pact, p = plan.pact, o.paths
    _, cvar = finance.tail_risk(p["npv"], a.risk.tail)
    return {
        "commitment": pact.commitment,
        "cash_share": pact.amount("mou") / pact.commitment if pact.commitment else 0.0,
        "cash_called": float(p["called"].mean()),
        "peak_call": float(np.median(p["peak_call"])),
        "unallocated": float(sum(plan.selection.unallocated.values())),
        "npv_mean": float(p["npv"].mean()),
        "npv_p5": percentile(p["npv"], 5), "npv_p50": percentile(p["npv"], 50),
        "npv_p95": percentile(p["npv"], 95),
        "cvar": cvar,
        "irr_p5": percentile(p["irr"], 5), "irr_p50": percentile(p["irr"], 50),
        "irr_p95": percentile(p["irr"], 95),
        "moic_p50": percentile(p["moic"], 50),
        "p_recoup": float(np.isfinite(p["payback"]).mean()),
        "recoup_year_p50": percentile(p["payback"], 50) + plan.base_year,
        "p_recoup_deemed": float(np.isfinite(p["payback_deemed"]).mean()),
        "recoup_deemed_year_p50": percentile(p["payback_deemed"], 50) + plan.base_year,
        "p_snapback": float((p["snap_year"] < plan.years).mean()),
    }


def _host(o: Outcomes) -> dict[str, float]:
    npv = o.paths["host_npv"]
    capex = sum(o.capex.values(), np.zeros(1))   # 0 + x: the same numbers as sum()
    return {
        "npv_mean": float(npv.mean()),
        "npv_p5": percentile(npv, 5), "npv_p50": percentile(npv, 50), "npv_p95": percentile(npv, 95),
        "distribution_share": (1.0 - o.received / o.distributed) if o.distributed > 0 else float("nan"),
        "capex": float(capex.mean()),
    }


def _fx(plan: Plan, a: Assumptions, o: Outcomes) -> dict[str, float]:
    """Reserve burden and adequacy over the FX horizon (assumption fx.horizon_years)."""
    pact, p = plan.pact, o.paths
    m = a.country(pact.parties.investor_code)
    spec, h = plan.calls.fx, plan.gain_inputs.fx_horizon
    applicable = m.ara_applicable
    lowest = p["min_ratio"]
    tol = 1e-9  # a swap line holds the ratio exactly at its trigger: that is not a breach

    def below(level: float) -> float:
        return float((lowest < level - tol).mean()) if applicable else float("nan")

    years = np.arange(o.yearly["reserves_no_pact"].shape[1])
    if applicable and spec.metric > 0:     # no pact, no bonds: the metric alone grows
        no_pact = np.min(o.yearly["reserves_no_pact"] / (spec.metric * (1 + spec.growth) ** years),
                         axis=1)
    else:
        no_pact = np.full(len(lowest), np.nan)
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
        "share_of_nea": (pact.commitment / m.net_external_assets if m.net_external_assets > 0
                         else float("nan")),   # no net external assets to measure against
        "ara_start": spec.start_ratio,
        "ara_no_pact": (float(np.median(o.yearly["reserves_no_pact"][:, h - 1]))
                        / (spec.metric * (1 + spec.growth) ** (h - 1)) if spec.metric > 0
                        else float("nan")),
        "min_ara_p5": percentile(lowest, 5), "min_ara_p50": percentile(lowest, 50),
        "min_ara_p95": percentile(lowest, 95),
        "p_ara_below_100": below(1.0),
        "p_ara_below_80": below(0.8),
        "min_ara_no_pact_p50": percentile(no_pact, 50) if applicable else float("nan"),
        "p_ara_below_80_no_pact": (float((no_pact < 0.8 - tol).mean()) if applicable
                                   else float("nan")),
        "min_reserves_p5": percentile(p["min_reserves"], 5),
        "p_crisis": float(p["p_crisis"].mean()),
        "p_crisis_no_pact": float(p["p_crisis_no_pact"].mean()),
        "p_float": float((p["float_year"] < h).mean()),
        "p_below_std": float((p["below_std_year"] < h).mean()) if applicable else float("nan"),
        "principal_spent": float(p["principal"].mean()),
        "bonds_issued": float(p["bonds"].mean()),
        "deferred": float(p["deferred"].mean()),
        "refusals": float(p["refusals"].mean()),
        "swap_peak": float(p["swap_peak"].mean()),
        "shortfall": float(p["shortfall"].mean()),
    }


def _gain(plan: Plan, g: Gains) -> dict[str, float]:
    pact = plan.pact
    out: dict[str, float] = {}
    for party in PARTIES:
        s = spread(g.total(party))
        out |= {f"{party}_mean": s["mean"], f"{party}_p5": s["p5"], f"{party}_p50": s["p50"],
                f"{party}_p95": s["p95"], f"{party}_p_loss": s["p_below_zero"]}
        out |= {f"{party}:{name}": float(v.mean()) for name, v in getattr(g, party).items()}
    out["guarantee_share"] = pact.amount("guarantee") / pact.commitment if pact.commitment else 0.0
    out["individually_rational"] = float(out["investor_mean"] >= 0 and out["host_mean"] >= 0)
    return out
