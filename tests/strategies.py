"""Reusable hypothesis strategies for cash flows and waterfalls."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

money = st.floats(min_value=0.0, max_value=1e3, allow_nan=False, allow_infinity=False)
signed_money = st.floats(min_value=-1e2, max_value=1e3, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0.01, max_value=1.0)
rate = st.floats(min_value=0.0, max_value=0.3)


@st.composite
def deal_flows(draw, max_years: int = 20, paths: int = 3):
    """(cash, contributions): contributions in the first `m` years, cash (any sign) after."""
    years = draw(st.integers(3, max_years))
    m = draw(st.integers(1, years - 1))
    contrib = np.zeros((paths, years))
    contrib[:, :m] = draw(arrays(np.float64, (paths, m), elements=money))
    cash = np.zeros((paths, years))
    cash[:, m:] = draw(arrays(np.float64, (paths, years - m), elements=signed_money))
    return cash, contrib


@st.composite
def any_flows(draw, max_years: int = 20, paths: int = 3):
    """(cash, contributions) in any years, contributions >= 0."""
    years = draw(st.integers(1, max_years))
    cash = draw(arrays(np.float64, (paths, years), elements=signed_money))
    contrib = draw(arrays(np.float64, (paths, years), elements=money))
    return cash, contrib


@st.composite
def conventional_series(draw, max_years: int = 40):
    """One outflow first, then inflows: exactly one sign change, one IRR."""
    years = draw(st.integers(2, max_years))
    out = draw(st.floats(1.0, 1e3))
    ins = draw(arrays(np.float64, years - 1, elements=st.floats(0.0, 1e3)))
    if ins.sum() < 1e-3 * out:  # keep the IRR representably above -100%
        ins[-1] += 1e-3 * out
    return np.r_[-out, ins]
