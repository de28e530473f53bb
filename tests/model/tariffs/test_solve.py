"""The 2024 base moved to the 'before' rates at the horizon modelled."""
from __future__ import annotations

import numpy as np
import pytest

import pactlab as pl
from pactlab.model.tariffs import PARTNERS, horizon_factor, rates_2024, rebased, trade_data

A = pl.load_assumptions()
KOREA = PARTNERS.index("korea")


def _korea_base(horizon: int | None) -> float:
    """Korea's 2024 exports to the US moved from 2024's rates to 15% or more on every line."""
    total = 0.0
    for sector in trade_data().sector_names:
        before = rates_2024().loc[sector, list(PARTNERS)].to_numpy(dtype=float).copy()
        before[KOREA] = max(before[KOREA], 0.15)
        total += rebased(sector, before, A, horizon=horizon)[KOREA]
    return total


def test_the_base_moves_with_the_elasticities_of_the_horizon_modelled() -> None:
    observed = float(trade_data().flows.loc[:, "korea"].sum())
    by_horizon = {h: _korea_base(h) / observed - 1.0 for h in (1, 2, 4, None)}
    # first-year elasticities move the base least; it reaches the long run's at years_to_long_run
    assert 0 > by_horizon[1] > by_horizon[2] > by_horizon[4] > by_horizon[None]
    assert _korea_base(A.trade.years_to_long_run) == pytest.approx(_korea_base(None), rel=1e-12)
    # pactlab 0.2 used the long-run base from the first year: about a fifth below 2024
    assert by_horizon[None] < -0.15
    assert by_horizon[1] > 0.7 * by_horizon[None]
    assert horizon_factor(A, 1) == pytest.approx(A.trade.short_run_share)


def test_no_change_of_rates_leaves_the_2024_flows() -> None:
    for sector in trade_data().sector_names:
        base = rates_2024().loc[sector, list(PARTNERS)].to_numpy(dtype=float)
        np.testing.assert_array_equal(rebased(sector, base, A, horizon=1),
                                      trade_data().flows.loc[sector, list(PARTNERS)].to_numpy(dtype=float))
