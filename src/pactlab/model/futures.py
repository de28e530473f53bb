"""Futures: every random draw that does not depend on the terms, for (assumptions, paths, seed).

Market paths, each project's cost and timing draws (by name), capital-flow draws (sudden stops,
swap lines in stress, flow and valuation noise) and deferral draws per investor country, the
deal-withdrawal draws, the tariff model's uncertain parameters (elasticities, pass-through,
value-added shares), and the investor's reserve path with no pact at all (no calls, no swap
line, no clause). Any number of pacts valued on one ``Futures`` meet the same futures (common
random numbers), and every pact of one investor meets the same no-deal case: one fixed
disagreement point.

Paths come in blocks of :data:`~pactlab.engine.rng.BLOCK` (see :mod:`pactlab.engine.rng`): the
unit of chunked work. A block's draws are made when first asked for; a ``Futures`` of up to
:data:`CACHED_PATHS` paths keeps its blocks, a larger one makes each block again on each pass
so memory does not grow with paths. A ``Futures`` pickles as ``(assumptions, paths, seed)``:
a worker process rebuilds it, no arrays travel.

>>> import pactlab as pl
>>> f = pl.futures(1_000, 7)
>>> f.paths, f.seed, f.n_blocks
(1000, 7, 1)
>>> bool((f.block(0).markets.sofr[:10] == pl.futures(20, 7).block(0).markets.sofr[:10]).all())
True
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import numpy as np

from ..engine.funding import FxDraws, simulate_funding
from ..engine.markets import MarketPaths, simulate_markets
from ..engine.projects import ProjectDraws, draw_project
from ..engine.rng import BLOCK, streams
from ..inputs.assumptions import Assumptions, load_assumptions
from .specs import archetype_spec, country_fx, market_spec
from .tariffs import TariffCosts, trade_data

#: a Futures of at most this many paths keeps its blocks between passes
CACHED_PATHS = 8 * BLOCK

_T = TypeVar("_T")


@dataclass(frozen=True)
class NoPact:
    """The investor's reserves with no pact at all, on the same capital-flow draws as every
    pact: year-end reserves and the yearly crisis hazard (paths, years), and the first year the
    won floats (paths,)."""

    reserves: np.ndarray
    hazard: np.ndarray
    float_year: np.ndarray

    @classmethod
    def concatenate(cls, parts: list[NoPact]) -> NoPact:
        """One NoPact over all the parts' paths, in order."""
        return cls(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("reserves", "hazard", "float_year")))


@dataclass(frozen=True)
class TradeDraws:
    """Per path, the quantiles of the tariff model's uncertain parameters."""

    elasticity: np.ndarray      # (paths, sectors)
    pass_through: np.ndarray    # (paths,)
    value_added: np.ndarray     # (paths, sectors)


class Futures:
    """Terms-free draws for `paths` futures from `seed` under `assumptions`. Build with
    :func:`futures`; read by block (:meth:`blocks`)."""

    def __init__(self, assumptions: Assumptions, paths: int, seed: int) -> None:
        if isinstance(paths, bool) or not isinstance(paths, (int, np.integer)) or paths < 1:
            raise ValueError(f"paths must be a whole number >= 1, got {paths!r}")
        self._rng = streams(seed)   # validates the seed
        self.assumptions = assumptions
        self.paths = int(paths)
        self.seed = int(seed)
        self.years = assumptions.horizon_years
        self._kept: dict[int, Block] = {}
        # the tariff model's results under these assumptions: every pact valued on these futures
        # shares them (an explicit cache that lives as long as the futures)
        self.tariff_costs = TariffCosts()

    def __repr__(self) -> str:
        return f"Futures(paths={self.paths:,}, seed={self.seed}, years={self.years})"

    def __reduce__(self):
        return (Futures, (self.assumptions, self.paths, self.seed))

    @property
    def n_blocks(self) -> int:
        """How many blocks of :data:`~pactlab.engine.rng.BLOCK` paths the futures hold."""
        return -(-self.paths // BLOCK)

    def block(self, k: int) -> Block:
        """Block `k`: paths ``k*BLOCK`` up to the next block or the last path."""
        if not 0 <= k < self.n_blocks:
            raise IndexError(f"block {k}: this Futures has blocks 0 to {self.n_blocks - 1}")
        if k in self._kept:
            return self._kept[k]
        block = Block(self, k)
        if self.paths <= CACHED_PATHS:
            self._kept[k] = block
        return block

    def blocks(self) -> Iterator[Block]:
        """Every block, in order (kept or made again: see the module docstring)."""
        for k in range(self.n_blocks):
            yield self.block(k)


class Block:
    """The draws of one block of paths, made when first asked for and kept while it lives."""

    def __init__(self, futures: Futures, index: int) -> None:
        self.futures = futures
        self.index = index
        self.start = index * BLOCK
        self.stop = min(futures.paths, self.start + BLOCK)
        self.size = self.stop - self.start
        self.years = futures.years
        self._projects: dict[tuple[str, str], ProjectDraws] = {}
        self._kept: dict[tuple, Any] = {}   # what was made from the draws, by key (see memo)

    def _generator(self, name: str) -> np.random.Generator:
        return self.futures._rng(name, self.index)

    @property
    def assumptions(self) -> Assumptions:
        """The assumptions the futures were drawn under."""
        return self.futures.assumptions

    @cached_property
    def markets(self) -> MarketPaths:
        """The block's market paths (named stream ``markets/shocks``)."""
        return simulate_markets(market_spec(self.assumptions), self.size, self.years,
                                self._generator("markets/shocks"))

    def project(self, name: str, archetype: str) -> ProjectDraws:
        """A project's cost and timing draws (keyed by its name)."""
        key = (name, archetype)
        if key not in self._projects:
            arch = archetype_spec(self.assumptions.archetypes[archetype])
            self._projects[key] = draw_project(arch, self.size, self._generator(f"projects/{name}"))
        return self._projects[key]

    def memo(self, key: tuple, make: Callable[[], _T]) -> _T:
        """What `make` makes from the block's draws, made once per block and `key` (the pacts
        of a batch share their investor's draws, their projects' tables …)."""
        if key not in self._kept:
            self._kept[key] = make()
        return self._kept[key]

    def _country(self, what: str, code: str, make: Callable[[], _T]) -> _T:
        """The draws `what` for investor `code`, made by `make` once per block."""
        return self.memo((what, code), make)

    def sudden_stops(self, code: str) -> FxDraws:
        """The investor's capital-flow draws (:class:`~pactlab.engine.funding.FxDraws`): in a year
        with a sudden stop (probability ``fx.sudden_stop_prob``), the share of short-term debt it
        drains (lognormal around ``fx.sudden_stop_size``, at most 90%); whether a central-bank
        swap line opens in it (``fx.stress_swap_prob``); normal draws for the non-pact flows and
        valuation. Named streams ``fx/sudden-stop/<code>``, ``fx/stress-swap/<code>``,
        ``fx/flows/<code>``.

        None strike an investor outside the emerging-market metric (Japan): its reserve
        currency and standing swap lines rule out the kind of run calibrated on Korea."""
        def make() -> FxDraws:
            fx, shape = self.assumptions.fx, (self.size, self.years)
            if not self.assumptions.country(code).ara_applicable:
                return FxDraws.calm(shape)
            strikes, sizes = self._generator(f"fx/sudden-stop/{code}").spawn(2)
            u = strikes.random(shape)
            z = sizes.standard_normal(shape)
            size = fx.sudden_stop_size * np.exp(fx.sudden_stop_sigma * z - 0.5 * fx.sudden_stop_sigma**2)
            stops = np.where(u < fx.sudden_stop_prob, np.clip(size, 0.0, 0.9), 0.0)
            swap = (self._generator(f"fx/stress-swap/{code}").random(shape) < fx.stress_swap_prob)
            flow, value = self._generator(f"fx/flows/{code}").spawn(2)
            return FxDraws(stops, swap.astype(float), flow.standard_normal(shape),
                           value.standard_normal(shape))
        return self._country("stops", code, make)

    def acceptance(self, code: str) -> np.ndarray:
        """Uniform draws that decide the host's answer to each deferral request, (paths, years)."""
        return self._country("acceptance", code, lambda: self._generator(
            f"fx/deferral/{code}").random((self.size, self.years)))

    def deal_lasts(self, code: str) -> np.ndarray:
        """Years the deal's tariff relief stands, per path (>= 1): it is withdrawn in a year with
        probability ``trade.deal_withdrawal_prob``; `years` where it never is."""
        def make() -> np.ndarray:
            p = self.assumptions.trade.deal_withdrawal_prob
            if p == 0.0:
                return np.full(self.size, self.years, dtype=np.int64)
            lasts = self._generator(f"trade/withdrawal/{code}").geometric(p, size=self.size)
            return np.minimum(lasts, self.years).astype(np.int64)
        return self._country("lasts", code, make)

    def pledge_delivered(self, code: str, prob: float) -> np.ndarray:
        """Per path, whether the investor's firms deliver their private pledge (probability
        `prob`, the assumption ``trade.pledge_delivery_prob``; named stream ``pledge/<code>``)."""
        draws: np.ndarray = self._country("pledge", code, lambda: self._generator(
            f"pledge/{code}").random(self.size))
        return draws < prob

    @cached_property
    def trade(self) -> TradeDraws:
        """Uniform draws of the tariff model's uncertain parameters: a long-run elasticity and a
        value-added multiplier per sector, one pass-through for all (named streams
        ``trade/elasticity/<sector>``, ``trade/value-added/<sector>``, ``trade/pass-through``)."""
        sectors = trade_data().sector_names
        draw = lambda name: self._generator(name).random(self.size)
        return TradeDraws(
            elasticity=np.column_stack([draw(f"trade/elasticity/{s}") for s in sectors]),
            pass_through=draw("trade/pass-through"),
            value_added=np.column_stack([draw(f"trade/value-added/{s}") for s in sectors]))

    def no_pact(self, code: str) -> NoPact:
        """The investor's reserves with no pact at all: the same capital-flow draws, no calls, no
        swap line of a pact, no instability clause (central-bank swap lines in stress alike)."""
        def make() -> NoPact:
            bare = simulate_funding(np.zeros((self.size, self.years)), None, 0.0,
                                    fx=country_fx(self.assumptions, code),
                                    shocks=self.sudden_stops(code))
            return NoPact(bare.reserves, bare.hazard, bare.float_year)
        return self._country("no-pact", code, make)


def futures(paths: int, seed: int = 0, assumptions: Assumptions | None = None) -> Futures:
    """The terms-free draws for `paths` futures from `seed`.

    Every pact valued on the result meets the same futures; ``pl.evaluate(pact,
    futures=pl.futures(n, s))`` equals ``pl.evaluate(pact, paths=n, seed=s)`` bit for bit.

    Parameters
    ----------
    paths : int, >= 1
    seed : int, >= 0
    assumptions : Assumptions, optional
        The defaults (:func:`~pactlab.inputs.assumptions.load_assumptions`) if None.

    Returns
    -------
    Futures
    """
    return Futures(assumptions or load_assumptions(), paths, seed)
