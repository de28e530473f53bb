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
from ..inputs.terms import Pact, load_pact, unique_labels
from ..model.futures import Futures
from ..model.gains import HOST_COMPONENTS, INVESTOR_COMPONENTS, PARTIES, gains
from ..model.metrics import spread
from ..model.plan import Planner
from ..model.simulation import simulate_block
from .valuation import Progress


@dataclass(frozen=True)
class Payoffs:
    """Gains over no deal, (pacts, paths) float64 arrays, USD bn present values."""

    labels: tuple[str, ...]
    investor: np.ndarray
    host: np.ndarray
    crisis: np.ndarray                                   # (pacts, paths) bool: a reserve crisis
                                                         # within the FX horizon, with the pact
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
    pacts : pacts (or preset names / .toml paths); labels follow :func:`pactlab.inputs.terms.unique_labels`.
    futures : the shared futures (common random numbers, one no-deal case per investor).
    components : keep each gain component too (4 + 5 more arrays like `investor`).
    progress : called with (done, total) after each block.

    Raises
    ------
    PactError : when the arrays would not fit in memory (one line, before any work).
    """
    loaded = [load_pact(p) if isinstance(p, str) else p for p in pacts]
    if not loaded:
        raise ValueError("payoffs needs at least one pact")
    n, paths = len(loaded), futures.paths
    arrays = 2 + (len(INVESTOR_COMPONENTS) + len(HOST_COMPONENTS) if components else 0)
    check_fits(n * paths * (8 * arrays + 1), f"payoffs for {n:,} pacts on {paths:,} paths",
               "use fewer paths or pacts" + (", or components=False" if components else ""))
    planner = Planner(futures.assumptions, tariff_costs=futures.tariff_costs)
    plans = [planner.plan(p, label) for p, label in zip(loaded, unique_labels(loaded), strict=True)]
    investor, host = np.empty((n, paths)), np.empty((n, paths))
    crisis = np.empty((n, paths), dtype=bool)
    parts = None
    if components:
        parts = {"investor": {c: np.empty((n, paths)) for c in INVESTOR_COMPONENTS},
                 "host": {c: np.empty((n, paths)) for c in HOST_COMPONENTS}}
    for k, block in enumerate(futures.blocks()):
        s = slice(block.start, block.stop)
        for i, deal in simulate_block(plans, block):
            g = gains(plans[i], deal, block)
            investor[i, s] = g.total("investor")
            host[i, s] = g.total("host")
            crisis[i, s] = deal.funding.crisis_year < plans[i].gains.fx_horizon
            if parts is not None:
                for party in PARTIES:
                    for name, values in getattr(g, party).items():
                        parts[party][name][i, s] = values
        if progress:
            progress(k + 1, futures.n_blocks)
    return Payoffs(tuple(p.label for p in plans), investor, host, crisis, parts)
