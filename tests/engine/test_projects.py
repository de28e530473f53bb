"""Project cash and spend: hand-computed cases."""
from __future__ import annotations

import numpy as np
import pytest

from pactlab.engine.projects import NEVER, ArchetypeSpec, ProjectDraws, add_operating_cash

ARCH = ArchetypeSpec(sector="shipbuilding", build_years=2, life_years=3, cash_yield=0.1,
                     overrun_mean=0.0, overrun_sigma=0.0, delay_prob=0.0, delay_max_years=0,
                     failure_prob=0.0, market_factor="none", market_beta=0.0, idio_sigma=0.0)


def _draws(paths: int) -> ProjectDraws:
    one = np.ones(paths)
    return ProjectDraws(overrun=one, build=np.full(paths, 2, dtype=np.int64),
                        fail_after=np.full(paths, NEVER, dtype=np.int64), multiplier=one)


@pytest.mark.parametrize("paths", [1, 2, 5])
def test_unlinked_cash_is_the_same_on_a_one_path_block(paths: int) -> None:
    """$10B at 10%, 21% tax, a half stake, from year 2 for 3 years: 0.5 x 10 x 0.1 x 0.79 =
    0.395 a year. A one-path block once read its placeholder market factor as a path's (NaN)."""
    out = add_operating_cash(np.zeros((paths, 8)), 0.5, 10.0, ARCH, _draws(paths), 0,
                             np.full(paths, 2), None, 0.21)
    expected = np.array([0, 0, 0.395, 0.395, 0.395, 0, 0, 0])
    np.testing.assert_allclose(out, np.tile(expected, (paths, 1)), atol=1e-12)
