"""Futures: terms-free draws, by block, rebuilt anywhere from (assumptions, paths, seed)."""
from __future__ import annotations

import importlib
import pickle

import numpy as np
import pytest

import pactlab as pl
from pactlab.engine.funding import simulate_funding
from pactlab.engine.rng import BLOCK
from pactlab.model.specs import country_fx

futures_module = importlib.import_module("pactlab.model.futures")   # pl.futures is the function


def _draws(block, code="KOR"):
    return {
        "sofr": block.markets.sofr, "energy": block.markets.energy,
        "overrun": block.project("Alaska LNG", "lng_export").overrun,
        **{f"fx/{k}": v for k, v in block.sudden_stops(code)._asdict().items()},
        "acceptance": block.acceptance(code),
        "lasts": block.deal_lasts(code), "no-deal": block.no_pact(code).reserves,
    }


def test_blocks_cover_the_paths_once() -> None:
    f = pl.futures(BLOCK + 100, 3)
    blocks = list(f.blocks())
    assert [(b.start, b.stop) for b in blocks] == [(0, BLOCK), (BLOCK, BLOCK + 100)]
    assert f.n_blocks == 2 and blocks[1].size == 100
    with pytest.raises(IndexError):
        f.block(2)


def test_a_smaller_futures_is_a_prefix_of_a_larger_one() -> None:
    small, large = pl.futures(50, 9).block(0), pl.futures(400, 9).block(0)
    for name, values in _draws(small).items():
        np.testing.assert_array_equal(values, _draws(large)[name][:50], err_msg=name)


def test_each_block_has_its_own_draws() -> None:
    f = pl.futures(BLOCK + 10, 2)
    first, second = f.block(0), f.block(1)
    assert not np.array_equal(first.markets.sofr[:10], second.markets.sofr)
    assert not np.array_equal(first.project("Alaska LNG", "lng_export").overrun[:10],
                              second.project("Alaska LNG", "lng_export").overrun)


def test_it_pickles_as_its_recipe_and_rebuilds_the_same_draws() -> None:
    f = pl.futures(300, 4)
    before = _draws(f.block(0))
    blob = pickle.dumps(f)
    assert len(blob) < 100_000                     # the recipe travels, not the arrays
    again = pickle.loads(blob)
    assert (again.paths, again.seed) == (300, 4)
    for name, values in _draws(again.block(0)).items():
        np.testing.assert_array_equal(values, before[name], err_msg=name)


def test_small_futures_keep_their_blocks_large_ones_do_not(monkeypatch) -> None:
    small = pl.futures(100, 1)
    assert small.block(0) is small.block(0)
    monkeypatch.setattr(futures_module, "CACHED_PATHS", 50)
    large = pl.futures(100, 1)
    assert large.block(0) is not large.block(0)
    np.testing.assert_array_equal(large.block(0).markets.sofr, small.block(0).markets.sofr)


def test_the_no_deal_path_is_the_country_with_no_pact() -> None:
    a = pl.load_assumptions().with_values({"fx.sudden_stop_prob": 0.3})
    block = pl.futures(500, 6, a).block(0)
    bare = simulate_funding(np.zeros((500, a.horizon_years)), None, 0.0, fx=country_fx(a, "KOR"),
                            shocks=block.sudden_stops("KOR"))
    np.testing.assert_array_equal(block.no_pact("KOR").reserves, bare.reserves)
    np.testing.assert_array_equal(block.no_pact("KOR").hazard, bare.hazard)
    h = a.fx.horizon_years            # a smooth hazard on every path and year of the FX horizon
    assert (block.no_pact("KOR").hazard[:, :h] > 0).all()
    assert all((d == 0).all() for d in block.sudden_stops("JPN"))   # none for Japan (see docs)


def test_deal_withdrawal_follows_its_probability() -> None:
    a = pl.load_assumptions()
    lasts = pl.futures(50_000, 1, a).block(0).deal_lasts("KOR")
    p = a.trade.deal_withdrawal_prob
    assert lasts.min() >= 1 and lasts.max() <= a.horizon_years
    assert (lasts == 1).mean() == pytest.approx(p, abs=0.005)
    never = pl.futures(10, 1, a.with_values({"trade.deal_withdrawal_prob": 0.0})).block(0)
    assert (never.deal_lasts("KOR") == a.horizon_years).all()


def test_bad_paths_and_seeds_are_refused() -> None:
    for paths in (0, -5, 2.5, True):
        with pytest.raises(ValueError, match="paths"):
            pl.futures(paths, 0)
    with pytest.raises(ValueError, match="seed"):
        pl.futures(10, -1)
