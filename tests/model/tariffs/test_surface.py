"""The tariff model on the node grid of the investor's deal rates: the batched solver equals the
one-market solver, the interpolation equals the direct solve at off-node rates within its stated
bound, and a batch of variants with a continuous deal tariff reads one surface."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pactlab as pl
from pactlab.engine.trade import solve_markets
from pactlab.engine.trade_batch import solve_one_importer
from pactlab.model.tariffs import TariffCosts, TariffSurface, lagrange_weights, no_deal_cost
from pactlab.model.tariffs.surface import _lobatto

A = pl.load_assumptions()
FINAL = pl.load_pact("korea-final-2025-11")
#: the interpolation's stated error bound, USD bn (a thousand dollars)
BOUND = 1e-6


def _markets(seed: int, b: int = 64, r: int = 9):
    rng = np.random.default_rng(seed)
    m0 = rng.uniform(0.0, 50.0, (b, r))
    m0[:, 3] = 0.0                                   # a partner that sells nothing
    e_x = rng.uniform(0.5, 20.0, (b, r))
    e_x[:, 5] = np.inf                               # one that bears nothing
    sigma = rng.uniform(0.5, 12.0, b)
    sigma[0] = 1.0                                   # the Cobb-Douglas limit
    return (m0, 1 + rng.uniform(0, 0.3, (b, r)), 1 + rng.uniform(0, 0.6, (b, r)),
            -rng.uniform(0.3, 2.5, b), sigma, e_x)


@pytest.mark.filterwarnings("ignore:divide by zero")
@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_the_batched_solver_is_the_one_market_solver(seed: int) -> None:
    m0, t0, t1, e_m, sigma, e_x = _markets(seed)
    batch = solve_one_importer(m0, t0, t1, e_m, sigma, e_x)
    for b in range(len(m0)):
        one = solve_markets(m0[b][:, None], t0[b][:, None], t1[b][:, None], e_m[b:b + 1],
                            sigma[b:b + 1], e_x[b])
        np.testing.assert_allclose(batch.flows_after[b], one.flows_after[:, 0], atol=1e-9)
        np.testing.assert_allclose(batch.world_price_change[b], one.world_price_change, atol=1e-12)
        np.testing.assert_allclose(batch.producer_surplus[b], one.producer_surplus, atol=1e-9)
        for name in ("consumer_surplus", "tariff_revenue", "internal_price_change"):
            assert getattr(batch, name)[b] == pytest.approx(getattr(one, name)[0], abs=1e-9)


def test_no_change_is_exactly_no_effect_and_flows_stay_positive() -> None:
    m0, t0, _, e_m, sigma, e_x = _markets(1)
    same = solve_one_importer(m0, t0, t0, e_m, sigma, e_x)
    np.testing.assert_allclose(same.flows_after, m0, atol=1e-12)
    up = solve_one_importer(m0, t0, t0 * 1.5, e_m, sigma, e_x)
    assert (up.flows_after[m0 > 0] > 0).all() and (up.tariff_revenue > -np.inf).all()


def test_lagrange_weights_are_exact_for_polynomials_of_the_nodes_degree() -> None:
    nodes = _lobatto(np.array([0.0, 0.1]), np.array([0.5, 0.1]), 9)   # the second cannot move
    x = np.array([0.137, 0.1])
    w = lagrange_weights(nodes, x)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    poly = lambda v: 3 - 2 * v + 5 * v ** 4 - v ** 8
    assert (w[0] * poly(nodes[0])).sum() == pytest.approx(poly(0.137), abs=1e-13)
    assert w[1].tolist() == [1.0] + [0.0] * 8
    at_node = lagrange_weights(nodes, nodes[:, 3])
    assert at_node[0].tolist() == [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def _with_deal(pact: pl.Pact, **caps: float) -> pl.Pact:
    terms = {f"tariffs.deal.{'general' if k == 'general' else 'sectors.' + k}": v
             for k, v in caps.items()}
    return pact.with_terms(terms)


@pytest.mark.parametrize("preset, caps", [
    ("korea-final-2025-11", {"general": 0.123}),
    ("korea-final-2025-11", {"general": 0.0}),
    ("korea-final-2025-11", {"general": 0.187, "cars": 0.071}),
    ("japan-mou-2025", {"general": 0.1333}),
    ("switzerland-2025-11", {"general": 0.0911}),
])
def test_the_surface_is_the_direct_solve_at_off_node_rates(preset: str, caps: dict) -> None:
    pact = _with_deal(pl.load_pact(preset), **caps)
    direct, read = no_deal_cost(pact, A, direct=True), no_deal_cost(pact, A)
    for name, value in direct.present_value.items():
        assert read.present_value[name] == pytest.approx(value, abs=BOUND, nan_ok=True), name
    for name, grid in direct.kept.items():
        np.testing.assert_allclose(read.kept[name], grid, atol=BOUND, err_msg=name)
    np.testing.assert_allclose(read.by_year.to_numpy(), direct.by_year.to_numpy(), atol=BOUND)
    np.testing.assert_allclose(read.by_sector[direct.by_sector.columns].to_numpy(dtype=float),
                               direct.by_sector.to_numpy(dtype=float), atol=BOUND)


def test_variants_of_the_deal_caps_share_one_surface_and_read_it_bit_for_bit() -> None:
    costs = TariffCosts()
    rates = np.random.default_rng(4).uniform(0.10, 0.20, 6)
    variants = [_with_deal(FINAL, general=float(r)) for r in rates]
    read = [costs(p, A) for p in variants]
    assert len(costs._surfaces) == 1                 # one no-deal world, six deal caps
    alone = [no_deal_cost(p, A) for p in variants]   # each with a surface of its own
    for r, a in zip(read, alone, strict=True):
        for name in r.kept:
            np.testing.assert_array_equal(r.kept[name], a.kept[name])
    relief = [r.present_value["investor_value_added_relief"] for r in read]
    order = np.argsort(rates)                        # a higher deal rate keeps less
    assert np.all(np.diff(np.array(relief)[order]) < 0)


def test_the_surface_reads_its_no_deal_world_and_refuses_nothing_else() -> None:
    s = TariffSurface(FINAL, A, A.trade.as_of)
    key = (2026, 1)
    ys = s.year(key)
    k = ys.nodes.shape[0]
    assert ys.nodes.shape == (k, 9) and (ys.nodes[:, 0] >= ys.nodes[:, -1]).all()
    central, grid = s.read(key, ys.after)            # the deal at the no-deal rates
    assert all((v == 0).all() for m, v in central.items() if m != "investor_exports")
    assert all((v == 0).all() for v in grid.values())
