"""Payoffs: each party's gain over no deal for many pacts on one set of futures — the lean path
for negotiation and sweeps (no metrics, no Evaluation).

The numbers are those of :func:`pactlab.evaluate`, bit for bit: the same stages and the same
gains, on the same blocks. Pacts that share a stage's terms share its work, so a grid over a
few levers costs far less than one evaluation per pact.

>>> import pactlab as pl
>>> f = pl.futures(200, 1)
>>> base = pl.load_pact("korea-final-2025-11")
>>> pay = pl.payoffs([base, base.with_terms({"schedule.annual_cap": 30})], f)
>>> pay.investor.shape, pay.labels[1]
((2, 200), 'korea-final-2025-11 (schedule.annual_cap=30)')
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.capacity import check_fits
from ..inputs.terms import Pact, load_pact
from ..model.futures import Block, Futures
from ..model.fx_stress import crisis_probability
from ..model.gains import HOST_COMPONENTS, INVESTOR_COMPONENTS, PARTIES, Gains
from ..model.metrics import spread
from ..model.simulation import DealPaths
from .batch import Progress, for_each_deal, plan_all

__all__ = ["Payoffs", "payoffs"]


@dataclass(frozen=True)
class Payoffs:
    """Gains over no deal, (pacts, paths) float64 arrays, USD bn present values."""

    labels: tuple[str, ...]
    investor: np.ndarray
    host: np.ndarray
    crisis: np.ndarray                                   # (pacts, paths) P(reserve crisis within
                                                         # the FX horizon), with the pact
    components: dict[str, dict[str, np.ndarray]] | None  # party -> component -> (pacts, paths)

    def party(self, name: str) -> np.ndarray:
        return getattr(self, name)

    def summary(self) -> pd.DataFrame:
        """Per pact (rows, by label): each party's mean, P5, P50, P95 and P(loss), and the
        investor's P(reserve crisis)."""
        rows = []
        for i, label in enumerate(self.labels):
            row: dict[str, object] = {"pact": label}
            for party in PARTIES:
                s = spread(self.party(party)[i])
                row |= {f"{party}_{k if k != 'p_below_zero' else 'p_loss'}": v for k, v in s.items()}
            row["p_crisis"] = float(self.crisis[i].mean())
            rows.append(row)
        return pd.DataFrame(rows).set_index("pact")


def payoffs(pacts: Sequence[Pact | str], futures: Futures, *, components: bool = True,
            progress: Progress | None = None) -> Payoffs:
    """Each party's gain over no deal for every pact on `futures`.

    Parameters
    ----------
    pacts : sequence of Pact or str, length pacts
        Pacts (or preset names / .toml paths); labels follow
        :func:`pactlab.inputs.terms.unique_labels`.
    futures : Futures
        The shared futures, ``futures.paths`` paths (common random numbers, one no-deal case
        per investor).
    components : bool
        Keep each gain component too (4 + 5 more arrays like `investor`).
    progress : callable (done, total) -> None, optional
        Called after each block; ``total = futures.n_blocks``.

    Returns
    -------
    Payoffs
        ``investor``, ``host`` : ndarray, shape (pacts, paths), float64, USD bn PV;
        ``crisis`` : ndarray, shape (pacts, paths), bool; ``components``: party -> component ->
        ndarray, shape (pacts, paths), USD bn PV (None without `components`).

    Raises
    ------
    PactError
        When the arrays would not fit in memory (one line, before any work).
    """
    loaded = [load_pact(p) if isinstance(p, str) else p for p in pacts]
    if not loaded:
        raise ValueError("payoffs needs at least one pact")
    n, paths = len(loaded), futures.paths
    arrays = 2 + (len(INVESTOR_COMPONENTS) + len(HOST_COMPONENTS) if components else 0)
    check_fits(n * paths * 8 * (arrays + 1), f"payoffs for {n:,} pacts on {paths:,} paths",
               "use fewer paths or pacts" + (", or components=False" if components else ""))
    plans = plan_all(loaded, futures.assumptions, tariff_costs=futures.tariff_costs)
    investor, host = np.empty((n, paths)), np.empty((n, paths))
    crisis = np.empty((n, paths))
    parts = None
    if components:
        parts = {"investor": {c: np.empty((n, paths)) for c in INVESTOR_COMPONENTS},
                 "host": {c: np.empty((n, paths)) for c in HOST_COMPONENTS}}
    horizons = [plan.gain_inputs.fx_horizon for plan in plans]

    def keep(i: int, block: Block, deal: DealPaths, g: Gains) -> None:
        s = slice(block.start, block.stop)
        investor[i, s] = g.total("investor")
        host[i, s] = g.total("host")
        crisis[i, s] = crisis_probability(deal.funding.hazard, horizons[i])
        if parts is not None:
            for party in PARTIES:
                for name, values in getattr(g, party).items():
                    parts[party][name][i, s] = values

    for_each_deal(plans, futures, keep, progress=_per_block(progress, n), full=False)
    return Payoffs(tuple(p.label for p in plans), investor, host, crisis, parts)


def _per_block(progress: Progress | None, pacts: int) -> Progress | None:
    """The block loop reports each pact on each block; payoffs report each block."""
    if progress is None:
        return None
    report = progress

    def per_block(done: int, total: int) -> None:
        if done % pacts == 0:
            report(done // pacts, total // pacts)

    return per_block
