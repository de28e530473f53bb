r"""Backtest: the no-pact reserve model against Korea's history (``pactlab backtest``).

The reserve model (:mod:`pactlab.engine.funding`) is started from Korea's position in a year
(year-end reserves and short-term debt, ``data/korea_history.csv``) and run forward, with no
pact, on the model's own futures: its sudden stops (that reverse), central-bank swap lines in
stress, flow and valuation noise, and crisis hazard. Its P5–P95 band is set against the actual
year-end reserves.

**The fit.** Four of Korea's inputs are fitted on the history, by :func:`fit`, over the years up
to a cut-off:

* ``non_pact_flow``, the net flow into reserves beyond their own income, as a share of GDP:
  :math:`n = \sum_t (R_t - R_{t-1} - y R_{t-1}) / \sum_t Y_t` over the years whose year-end
  shows no sudden stop or reversal (those are the stop process's), with :math:`y` the mean of
  the published estimates of the return on reserves and :math:`Y_t` GDP grown back from the
  latest year at ``fx.components_growth``. It is reported as the share :math:`\kappa` of the
  current account that stayed in reserves (the rest left as private outflows).
* ``flow_sigma``: the spread of what :math:`n` leaves unexplained, as a share of GDP, once the
  valuation noise (``fx.valuation_sigma``) is taken out of its variance; ``flow_persistence``,
  its first-order autocorrelation over consecutive fitted years (flow regimes last: inflows in
  2006–2012, outflows from 2022).
* ``std_growth``: the log-linear trend of short-term external debt.
* ``std_residual_factor``: remaining over original maturity where both are published.

The shipped defaults (``macro.KOR.*``) are the fit on the whole history (to 2025); the backtest
fits on the years to 2015 and scores 2016–2025 *out of sample*, and says so. The crisis logit is
not fitted here (Korea's record has one crisis: see ``provenance.toml``).

>>> h = History.load()
>>> int(h.years[0]), int(h.years[-1]), float(h.reserves[h.years == 2008][0]), h.crisis_years
(2005, 2025, 201.22, (1997,))
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .._version import __version__
from ..core.errors import PactError
from ..engine.funding import FxDraws, FxSpec, simulate_funding
from ..engine.reserves import crisis_probability
from ..inputs import data
from ..inputs.assumptions import Assumptions, load_assumptions
from ..model.futures import Futures

__all__ = ["FIT_THROUGH", "HISTORY_FILE", "Backtest", "Fit", "History", "backtest", "fit"]

#: the history's file in ``pactlab/inputs/data``
HISTORY_FILE = "korea_history.csv"
#: the last year of the backtest's fit; the years after it are scored out of sample
FIT_THROUGH = 2015
#: the investors with a reserve history
CODES = {"KOR": "KOR", "KOREA": "KOR", "SOUTH KOREA": "KOR"}
#: year-ends that show a sudden stop or its reversal (left to the stop process in the fit)
EPISODES = ("stop", "reversal")


@dataclass(frozen=True)
class History:
    """Korea's year-end reserves, short-term debt (original maturity) and current account, USD bn,
    for the years with all three (2005–2025), with the published returns on reserves and the
    remaining-over-original maturity ratios (see ``data/korea_history.csv``)."""

    years: np.ndarray
    reserves: np.ndarray
    short_term_debt: np.ndarray
    current_account: np.ndarray
    episode: tuple[str, ...]
    reserve_return: float          # mean of the published estimates, fraction a year
    residual_factors: dict[int, float]
    crisis_years: tuple[int, ...]  # every crisis year on file (1997)

    @classmethod
    def load(cls) -> History:
        """The shipped history (``data/korea_history.csv``)."""
        t = data.read_csv(HISTORY_FILE)
        full = t.dropna(subset=["reserves", "short_term_debt", "current_account"])
        both = t.dropna(subset=["std_residual_maturity", "short_term_debt"])
        return cls(years=full["year"].to_numpy(), reserves=full["reserves"].to_numpy(float),
                   short_term_debt=full["short_term_debt"].to_numpy(float),
                   current_account=full["current_account"].to_numpy(float),
                   episode=tuple(full["episode"].fillna("").astype(str)),
                   reserve_return=float(t["reserve_return"].dropna().mean()),
                   residual_factors={int(r.year): float(r.std_residual_maturity / r.short_term_debt)
                                     for r in both.itertuples()},
                   crisis_years=tuple(int(y) for y in t.loc[t["crisis"] == 1, "year"]))

    def at(self, year: int) -> int:
        """The row of `year` (a one-line PactError outside the history)."""
        rows = np.flatnonzero(self.years == year)
        if not rows.size:
            raise PactError(f"backtest: no history for {year}; {HISTORY_FILE} covers "
                            f"{self.years[0]}–{self.years[-1]}")
        return int(rows[0])


@dataclass(frozen=True)
class Fit:
    """Korea's reserve-model inputs fitted on the history through `through` (module docstring)."""

    through: int
    non_pact_flow: float           # share of GDP a year
    flow_sigma: float              # share of GDP
    flow_persistence: float        # AR(1) coefficient of the flows' deviations
    std_growth: float              # a year
    std_residual_factor: float     # ratio
    reserve_return: float          # the yield used, fraction a year
    ca_retained: float             # the share of the current account that stayed in reserves
    years: tuple[int, ...]         # the years the flows were fitted on

    def macro(self) -> dict[str, float]:
        """The fit as ``macro.KOR.*`` values."""
        return {"non_pact_flow": self.non_pact_flow, "flow_sigma": self.flow_sigma,
                "flow_persistence": self.flow_persistence, "std_growth": self.std_growth,
                "std_residual_factor": self.std_residual_factor}


def _gdp(years: np.ndarray, a: Assumptions, code: str) -> np.ndarray:
    """GDP (USD bn) in `years`, grown back from the latest at ``fx.components_growth``."""
    latest = int(str(data.macro().loc[(code, "gdp"), "period"])[:4])
    return a.country(code).gdp * (1.0 + a.fx.components_growth) ** (years - latest)


def fit(history: History, through: int, assumptions: Assumptions | None = None, *,
        since: int | None = None) -> Fit:
    """Korea's flows, their noise and its short-term debt's trend, fitted on the years up to
    `through` (module docstring).

    Parameters
    ----------
    history : History
    through : int
        The last year fitted on.
    assumptions : Assumptions, optional
        For the economy's growth and the valuation noise (the defaults if None).
    since : int, optional
        The first year (the history's first if None): its change from the year before is fitted.

    Returns
    -------
    Fit
    """
    a = assumptions or load_assumptions()
    h, y = history, history.reserve_return
    first = int(h.years[0]) + 1 if since is None else max(since, int(h.years[0]) + 1)
    keep = np.array([first <= t <= through and e not in EPISODES
                     for t, e in zip(h.years, h.episode, strict=True)])
    prev = np.r_[np.nan, h.reserves[:-1]]
    resid = (h.reserves - prev * (1.0 + y))[keep]
    gdp = _gdp(h.years, a, "KOR")[keep]
    n = float(resid.sum() / gdp.sum())
    e = (resid - n * gdp) / gdp
    noise = np.mean(e**2) - a.fx.valuation_sigma**2 * np.mean((prev[keep] / gdp) ** 2)
    kept = h.years[keep]
    pairs = np.flatnonzero(np.diff(kept) == 1)         # consecutive years both fitted on
    rho = float(np.clip(np.corrcoef(e[pairs], e[pairs + 1])[0, 1], 0.0, 0.95))
    span = (h.years >= first - 1) & (h.years <= through)
    trend = np.polyfit(h.years[span], np.log(h.short_term_debt[span]), 1)[0]
    factors = [f for year, f in h.residual_factors.items() if year <= through]
    return Fit(through=through, non_pact_flow=n, flow_sigma=float(np.sqrt(max(noise, 0.0))),
               flow_persistence=rho, std_growth=float(np.expm1(trend)), std_residual_factor=float(np.mean(factors)),
               reserve_return=y, ca_retained=float(resid.sum() / h.current_account[keep].sum()),
               years=tuple(int(t) for t in h.years[keep]))


def _spec(history: History, start: int, f: Fit, a: Assumptions) -> FxSpec:
    """The no-pact reserve model started from the history's position at the end of `start`."""
    i, fx = history.at(start), a.fx
    gdp = float(_gdp(np.array([start + 1]), a, "KOR")[0])
    return FxSpec(
        enabled=True, reserves=float(history.reserves[i]), reserve_yield=f.reserve_return,
        flow=f.non_pact_flow * gdp, flow_sigma=f.flow_sigma * gdp,
        flow_persistence=f.flow_persistence, valuation_sigma=fx.valuation_sigma, growth=fx.components_growth,
        short_term_debt=float(history.short_term_debt[i]) * f.std_residual_factor * (1.0 + f.std_growth),
        std_growth=f.std_growth, stop_return=fx.sudden_stop_return,
        return_next_year=fx.sudden_stop_return_next_year, stress_swap=fx.stress_swap_draw,
        float_floor=fx.float_floor, logit_intercept=fx.crisis_logit_intercept,
        logit_slope=fx.crisis_logit_slope)


def _run(spec: FxSpec, futures: Futures, years: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reserves (paths, years), P(crisis over the years) and float years (paths,) on `futures`."""
    reserves, p_crisis, floats = [], [], []
    for block in futures.blocks():
        d = block.sudden_stops("KOR")
        draws = FxDraws(*(x[:, :years] for x in d))
        c = simulate_funding(np.zeros((block.size, years)), None, 0.0, fx=spec, shocks=draws)
        reserves.append(c.reserves)
        p_crisis.append(crisis_probability(c.hazard, years))
        floats.append(c.float_year)
    return np.concatenate(reserves), np.concatenate(p_crisis), np.concatenate(floats)


def _coverage(actual: np.ndarray, low: np.ndarray, high: np.ndarray, chosen: np.ndarray) -> float:
    """The share of the `chosen` years whose actual value lies in the band (NaN if none)."""
    inside = (actual >= low) & (actual <= high)
    return float(inside[chosen].mean()) if chosen.any() else float("nan")


@dataclass(frozen=True)
class Backtest:
    """The model's reserve band against the actual year-end reserves, and its crises against
    the record (:meth:`to_dict` is ``pactlab backtest --json``)."""

    investor: str
    years: np.ndarray              # the start year, then each simulated year
    actual: np.ndarray             # USD bn
    bands: np.ndarray              # (3, years): P5, P50, P95, USD bn
    coverage: dict[str, float]     # share of actuals inside P5–P95: in/out of sample, all
    coverage_full_fit: float       # the same with the whole-history fit (the defaults)
    p_crisis: float                # P(at least one crisis over the window), the model
    p_float: float                 # P(the won floats in the window)
    observed: tuple[int, ...]      # the crisis years on record in the window
    no_pact_today: float           # P(crisis within fx.horizon_years) from today, no pact
    fit: Fit
    full_fit: Fit
    paths: int
    seed: int
    horizon_years: int

    def to_dict(self) -> dict[str, object]:
        """``{"by_year": …, "crises": …, "manifest": …}`` (lists, numbers, text)."""
        p5, p50, p95 = (b.tolist() for b in self.bands)
        return {
            "by_year": {"year": self.years.tolist(), "actual": self.actual.tolist(),
                        "p5": p5, "p50": p50, "p95": p95},
            "crises": {"model_p_crisis": self.p_crisis, "model_p_float": self.p_float,
                       "observed": len(self.observed), "observed_years": list(self.observed),
                       "coverage_p5_p95": self.coverage,
                       "coverage_p5_p95_full_fit": self.coverage_full_fit,
                       "no_pact_from_today": {"horizon_years": self.horizon_years,
                                              "p_crisis": self.no_pact_today}},
            "manifest": {"pactlab": __version__, "investor": self.investor,
                         "from": int(self.years[0]), "to": int(self.years[-1]),
                         "paths": self.paths, "seed": self.seed, "data": HISTORY_FILE,
                         "fit": asdict(self.fit), "default_fit": asdict(self.full_fit),
                         "note": (f"flows, noise and short-term debt fitted on {self.fit.years[0]}–"
                                  f"{self.fit.through}; the years after {self.fit.through} are "
                                  "scored out of sample. The shipped defaults are the fit on the "
                                  f"whole history (to {self.full_fit.through}).")},
        }


def _investor(investor: str) -> str:
    code = CODES.get(investor.strip().upper())
    if code is None:
        raise PactError(f"backtest: {investor!r}: no reserve history on file; the backtest "
                        "covers KOR (Korea)")
    return code


def backtest(investor: str = "KOR", start: int = 2005, end: int = 2025, *, paths: int = 2_000,
             seed: int = 0, assumptions: Assumptions | None = None) -> Backtest:
    """The no-pact reserve model from `start`'s position against the history to `end`.

    Parameters
    ----------
    investor : str
        Its code or name (``KOR``, ``Korea``).
    start, end : int
        The window: the model starts from `start`'s year-end and runs to `end`'s.
    paths, seed : int
        The futures (the model's own draws: :meth:`~pactlab.model.futures.Block.sudden_stops`).
    assumptions : Assumptions, optional
        The defaults if None.

    Returns
    -------
    Backtest

    Raises
    ------
    PactError
        For an investor without history, or years outside it or out of order.
    """
    code, a = _investor(investor), assumptions or load_assumptions()
    h = History.load()
    h.at(start), h.at(end)
    if end <= start:
        raise PactError(f"backtest: --to {end} must come after --from {start}")
    n = end - start
    if n > a.horizon_years:
        raise PactError(f"backtest: {n} years is beyond the model's horizon of {a.horizon_years}")
    f = Futures(a, paths, seed)
    in_fit, whole = fit(h, min(FIT_THROUGH, end), a), fit(h, int(h.years[-1]), a)
    window = slice(h.at(start), h.at(end) + 1)
    years, actual = h.years[window], h.reserves[window]
    reserves, p_crisis, floats = _run(_spec(h, start, in_fit, a), f, n)
    bands = np.c_[np.full(3, actual[0]), np.percentile(reserves, [5, 50, 95], axis=0)]
    full = np.percentile(_run(_spec(h, start, whole, a), f, n)[0], [5, 95], axis=0)
    later, sim = years[1:] > in_fit.through, slice(1, None)
    no_pact = np.concatenate([crisis_probability(b.no_pact(code).hazard, a.fx.horizon_years)
                              for b in f.blocks()])
    return Backtest(
        investor=code, years=years, actual=actual, bands=bands,
        coverage={"in_sample": _coverage(actual[sim], bands[0, sim], bands[2, sim], ~later),
                  "out_of_sample": _coverage(actual[sim], bands[0, sim], bands[2, sim], later),
                  "all": _coverage(actual[sim], bands[0, sim], bands[2, sim], np.ones_like(later))},
        coverage_full_fit=_coverage(actual[sim], full[0], full[1], np.ones_like(later)),
        p_crisis=float(p_crisis.mean()), p_float=float((floats < n).mean()),
        observed=tuple(y for y in h.crisis_years if start < y <= end),
        no_pact_today=float(no_pact.mean()), fit=in_fit, full_fit=whole, paths=paths, seed=seed,
        horizon_years=a.fx.horizon_years)
