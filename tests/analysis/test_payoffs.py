"""Payoffs for many pacts: bit for bit the evaluation's gains, with labels and a memory guard."""
from __future__ import annotations

import numpy as np
import pytest

import pactlab as pl
from pactlab.engine.rng import BLOCK

FINAL = pl.load_pact("korea-final-2025-11")
VARIANTS = [FINAL, FINAL.with_terms({"schedule.annual_cap": 30}),
            FINAL.with_terms({"waterfall.tiers[1].investor_share": 0.3}),
            FINAL.with_terms({"fx.swap_line": 50.0, "tariffs.deal.general": 0.12}),
            pl.load_pact("japan-mou-2025"), pl.load_pact("korea-counter-2025-09")]


@pytest.mark.slow
@pytest.mark.parametrize("paths", [700, BLOCK + 30])
def test_payoffs_are_the_evaluations_gains_bit_for_bit(paths: int) -> None:
    f = pl.futures(paths, 11)
    pay = pl.payoffs(VARIANTS, f)
    assert pay.investor.shape == pay.host.shape == (len(VARIANTS), paths)
    assert pay.investor.dtype == np.float64
    for i, pact in enumerate(VARIANTS):
        ev = pl.evaluate(pact, futures=f)
        np.testing.assert_array_equal(pay.investor[i], ev.gains.total("investor"))
        np.testing.assert_array_equal(pay.host[i], ev.gains.total("host"))
        for party in ("investor", "host"):
            for name, values in getattr(ev.gains, party).items():
                np.testing.assert_array_equal(pay.components[party][name][i], values)
        assert pay.crisis[i].mean() == ev.metrics["fx"]["p_crisis"]


def _lhs(n: int) -> list[pl.Pact]:
    """Distinct variants, nothing shared but the futures: cap, MOU cash share, tier-1 share,
    swap line, and a continuous deal tariff."""
    from scipy.stats import qmc
    rows = qmc.scale(qmc.LatinHypercube(d=5, seed=3).random(n), [10, 0.3, 0.4, 0, 0.1],
                     [40, 0.85, 0.7, 60, 0.2])
    total = FINAL.commitment
    return [FINAL.with_terms({"schedule.annual_cap": cap, "tranches[0].amount": total * share,
                              "tranches[1].amount": total * (1 - share),
                              "waterfall.tiers[0].investor_share": tier, "fx.swap_line": swap,
                              "tariffs.deal.general": rate})
            for cap, share, tier, swap, rate in rows.tolist()]


@pytest.mark.slow
def test_distinct_variants_are_their_evaluations_bit_for_bit_at_any_thread_count() -> None:
    import numba
    f = pl.futures(600, 4)
    grid = _lhs(8)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        alone = pl.payoffs(grid, f)
    finally:
        numba.set_num_threads(threads)
    pay = pl.payoffs(grid, f)
    for party in ("investor", "host", "crisis"):
        np.testing.assert_array_equal(getattr(pay, party), getattr(alone, party))
    for i, pact in enumerate(grid):
        ev = pl.evaluate(pact, futures=f)
        np.testing.assert_array_equal(pay.investor[i], ev.gains.total("investor"))
        np.testing.assert_array_equal(pay.host[i], ev.gains.total("host"))
        assert pay.crisis[i].mean() == ev.metrics["fx"]["p_crisis"]


def test_labels_say_what_changed_and_never_repeat() -> None:
    pay = pl.payoffs([FINAL, FINAL, VARIANTS[1]], pl.futures(50, 0), components=False)
    assert pay.labels == ("korea-final-2025-11", "korea-final-2025-11 [2]",
                          "korea-final-2025-11 (schedule.annual_cap=30)")
    assert pay.components is None
    np.testing.assert_array_equal(pay.investor[0], pay.investor[1])


def test_summary_per_pact() -> None:
    pay = pl.payoffs(VARIANTS[:2], pl.futures(300, 2))
    table = pay.summary()
    assert list(table.index) == list(pay.labels)
    assert table.loc[pay.labels[0], "investor_mean"] == pytest.approx(pay.investor[0].mean())
    assert table.loc[pay.labels[1], "host_p_loss"] == pytest.approx((pay.host[1] < 0).mean())
    assert 0 <= table["p_crisis"].min() <= table["p_crisis"].max() <= 1


def test_a_batch_that_cannot_fit_is_one_clear_error() -> None:
    f = pl.futures(10_000_000, 0)      # nothing is drawn before the check
    with pytest.raises(pl.PactError, match=r"payoffs for 2,000 pacts on 10,000,000 paths needs about"):
        pl.payoffs([FINAL] * 2000, f)


def test_progress_is_reported_per_block() -> None:
    """One block loop serves payoffs and evaluate_all; payoffs report blocks, not pact-blocks."""
    f = pl.futures(BLOCK + 30, 3)
    calls: list[tuple[int, int]] = []
    pl.payoffs(VARIANTS[:3], f, components=False, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
