"""Several pacts on one set of futures, block by block: the one loop over blocks that
:func:`~pactlab.analysis.valuation.evaluate_all` and :func:`~pactlab.analysis.payoffs.payoffs`
share.

Every pact meets the same futures (common random numbers), and pacts that share a stage's
terms share its work (see :func:`pactlab.model.simulation.simulate_block`). Memory does not
grow with the number of blocks: each block's draws live only while its pacts are simulated.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from threadpoolctl import threadpool_limits

from ..core.capacity import check_fits
from ..core.jsonable import json_safe
from ..inputs.assumptions import Assumptions
from ..inputs.terms import Pact, load_pact, unique_labels
from ..model.futures import Block, Futures
from ..model.futures import futures as make_futures
from ..model.gains import Gains, gains
from ..model.metrics import Collector, Outcomes, compute_metrics
from ..model.plan import Plan, Planner
from ..model.simulation import DealPaths, simulate_block
from ..model.tariffs import TariffCosts

__all__ = ["Progress", "Run", "Visit", "for_each_deal", "plan_all", "resolve_futures",
           "value_all"]

#: progress callback: (units done, units in all); a unit is one pact on one block of paths
Progress = Callable[[int, int], None]
#: what the block loop hands on for each pact on each block: (index into the plans, the
#: block, the pact's paths on it, each party's gains over no deal on it)
Visit = Callable[[int, Block, DealPaths, Gains], None]


class Run(NamedTuple):
    """One pact run on a set of futures: its plan, what was kept of its paths, its metrics."""

    plan: Plan
    outcomes: Outcomes
    metrics: dict[str, dict[str, float]]


def resolve_futures(futures: Futures | None, paths: int, seed: int,
                    assumptions: Assumptions | None) -> Futures:
    """The futures to run on: `futures` as given, or new ones for `paths`, `seed`, `assumptions`.

    Parameters
    ----------
    futures : Futures or None
        Futures already drawn (they carry their own assumptions).
    paths : int
        Futures to draw when `futures` is None.
    seed : int
        Their seed.
    assumptions : Assumptions or None
        Their assumptions (default: the shipped ones); with `futures`, only those futures' own.

    Returns
    -------
    Futures
        `futures`, or ``pl.futures(paths, seed, assumptions)``.

    Raises
    ------
    ValueError
        When other assumptions are given beside `futures`.
    """
    if futures is None:
        return make_futures(paths, seed, assumptions)
    if assumptions is not None and assumptions is not futures.assumptions:
        raise ValueError("give the assumptions to pl.futures(…), not beside futures=")
    return futures


def plan_all(pacts: Sequence[Pact | str], assumptions: Assumptions, *,
             tariff_costs: TariffCosts | None = None) -> list[Plan]:
    """Each pact's plan under `assumptions`, labelled (see :func:`pactlab.inputs.terms.unique_labels`).

    Parameters
    ----------
    pacts : sequence of Pact or str, length pacts
        Pacts, or preset names / .toml paths.
    assumptions : Assumptions
        The assumptions to plan under (those of the futures the plans will run on).
    tariff_costs : TariffCosts or None
        A cache of tariff-model results to share (default: a new one).

    Returns
    -------
    list of Plan, length pacts
        In the order of `pacts`.
    """
    loaded = [load_pact(p) if isinstance(p, str) else p for p in pacts]
    planner = Planner(assumptions, tariff_costs=tariff_costs)
    return [planner.plan(p, label) for p, label in zip(loaded, unique_labels(loaded), strict=True)]


def for_each_deal(plans: Sequence[Plan], futures: Futures, visit: Visit, *,
                  progress: Progress | None = None, full: bool = True) -> None:
    """Simulate every plan on every block of `futures` and hand each result to `visit`.

    Parameters
    ----------
    plans : sequence of Plan, length pacts
        The plans, planned under ``futures.assumptions``.
    futures : Futures
        The shared futures, ``futures.n_blocks`` blocks of paths.
    visit : callable (i, block, deal, gains) -> None
        Called once per plan per block: `i` indexes `plans`; `deal` holds the pact's paths on
        `block` (arrays shaped ``(block paths, years)``); `gains` each party's gain over no
        deal on them (``(block paths,)`` arrays, USD bn PV).
    progress : callable (done, total) -> None, optional
        Called after each plan on each block; ``total = futures.n_blocks * len(plans)``.
    full : bool
        Hand `visit` every year-by-year array of the calls and reserves; False: only those the
        gains read (see :func:`pactlab.model.simulation.fund`), for payoffs.
    """
    total, done = futures.n_blocks * len(plans), 0
    # BLAS on one thread: the engine's matrix products are tiny (years x years), and OpenBLAS's
    # threads, spinning after each call, starve numba's kernels (3.5x slower on 2 cores)
    with threadpool_limits(limits=1, user_api="blas"):
        for block in futures.blocks():
            for i, deal in simulate_block(plans, block, full=full):
                visit(i, block, deal, gains(plans[i], deal, block))
                done += 1
                if progress:
                    progress(done, total)


def value_all(plans: Sequence[Plan], futures: Futures, *,
              progress: Progress | None = None) -> list[Run]:
    """Run the plans on `futures` and keep each one's outcomes and metrics.

    Parameters
    ----------
    plans : sequence of Plan, length pacts
        The plans, planned under ``futures.assumptions``.
    futures : Futures
        The shared futures.
    progress : callable (done, total) -> None, optional
        As in :func:`for_each_deal`.

    Returns
    -------
    list of Run, length pacts
        In the order of `plans`; metrics as plain JSON-safe floats (None where undefined),
        money in USD bn, rates and shares as fractions.

    Raises
    ------
    PactError
        When the outcomes would not fit in memory (one line, before any work).
    """
    check_fits(futures.paths * sum(Collector.bytes_per_path(p) for p in plans),
               f"evaluating {len(plans)} pact(s) on {futures.paths:,} paths",
               "use fewer paths (--paths)")
    collectors = [Collector(plan, futures.paths) for plan in plans]

    def collect(i: int, block: Block, deal: DealPaths, g: Gains) -> None:
        collectors[i].add(block, deal, g)

    for_each_deal(plans, futures, collect, progress=progress)
    out = []
    for plan, collector in zip(plans, collectors, strict=True):
        outcomes = collector.finish()
        out.append(Run(plan, outcomes,
                          json_safe(compute_metrics(plan, futures.assumptions, outcomes))))
    return out
