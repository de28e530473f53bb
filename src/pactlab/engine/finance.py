r"""Vectorised cash-flow finance, row-wise over ``(paths, years)`` arrays.

Flows are signed from one party's side (out < 0, in > 0); element ``t`` falls at the end of
year ``t``, with year 0 undiscounted (numpy-financial's convention).

* :func:`npv`: :math:`\sum_t f_t (1+r)^{-t}`.
* :func:`irr`: the rate at which the NPV is zero. Newton's method on each row, from a guess
  taken from the row's multiple on invested capital, with a bracketed bisection fallback.
  NaN where the flows never change sign; NaN *and* an :class:`IRRConvergenceWarning` where a
  root exists in (-100%, 10,000%) but was not found to tolerance — never a wrong number.
* :func:`moic`, :func:`payback_year`, :func:`tail_risk` (VaR/CVaR).
"""
from __future__ import annotations

import warnings

import numba as nb
import numpy as np


class IRRConvergenceWarning(RuntimeWarning):
    """Some IRRs did not converge and are reported as NaN."""


def _as_2d(flows: np.ndarray) -> np.ndarray:
    flows = np.asarray(flows, dtype=np.float64)
    return flows[None, :] if flows.ndim == 1 else flows


def npv(rate: float | np.ndarray, flows: np.ndarray) -> np.ndarray:
    """Net present value of each row (a scalar for 1-D flows).

    >>> float(npv(1.0, np.array([-100.0, 100.0, 200.0])))
    0.0
    """
    f = _as_2d(flows)
    t = np.arange(f.shape[1])
    rate = np.asarray(rate, dtype=np.float64)
    if rate.ndim == 0:
        out = f @ (1.0 + rate) ** -t
    else:
        out = np.einsum("pt,pt->p", f, (1.0 + rate[:, None]) ** -t)
    return out[0] if np.ndim(flows) == 1 else out


_OK, _NO_SIGN_CHANGE, _NOT_CONVERGED = 0, 1, 2
_TOL = 1e-13
_RESIDUAL = 1e-9


@nb.njit(cache=True, inline="always")
def _npv_and_slope(f: np.ndarray, n: int, r: float) -> tuple[float, float, float]:
    """NPV(r), dNPV/dr and the NPV's scale (sum of |f_t| x^t), by Horner's rule in x = 1/(1+r)."""
    x = 1.0 / (1.0 + r)
    p = 0.0
    q = 0.0
    size = 0.0
    for t in range(n - 1, -1, -1):
        q = q * x + p
        p = p * x + f[t]
        size = size * x + abs(f[t])
    return p, -q * x * x, size


@nb.njit(cache=True)
def _sign_changes(f: np.ndarray, n: int) -> int:
    changes = 0
    last = 0.0
    for t in range(n):
        if f[t] != 0.0:
            if last != 0.0 and (f[t] < 0.0) != (last < 0.0):
                changes += 1
            last = f[t]
    return changes


@nb.njit(cache=True)
def irr_row(f: np.ndarray, n: int) -> tuple[float, int]:
    """IRR of flows f[:n]: (rate, status)."""
    paid = 0.0
    got = 0.0
    weighted = 0.0
    for t in range(n):
        if f[t] < 0.0:
            paid -= f[t]
        else:
            got += f[t]
            weighted += t * f[t]
    if paid == 0.0 or got == 0.0:
        return np.nan, _NO_SIGN_CHANGE
    # Guess: the rate that turns the money multiple into a return over the cash-weighted horizon.
    horizon = max(weighted / got, 1.0)
    r = (got / paid) ** (1.0 / horizon) - 1.0
    r = min(max(r, -0.9), 10.0)
    for _ in range(60):
        value, slope, size = _npv_and_slope(f, n, r)
        if slope == 0.0 or not np.isfinite(slope):
            break
        r_new = r - value / slope
        if r_new <= -1.0:
            r_new = 0.5 * (r - 1.0)  # stay inside the domain, halfway to its edge
        if abs(r_new - r) <= _TOL * (1.0 + abs(r)):
            if abs(value) <= _RESIDUAL * size:
                return r_new, _OK
            break
        r = r_new
    # Fallback: bracket a sign change on a grid (nearest zero, like numpy-financial), bisect.
    grid = np.array([-0.99999, -0.9999, -0.999, -0.99, -0.9, -0.7, -0.5, -0.3, -0.1, 0.0, 0.05,
                     0.1, 0.2, 0.4, 0.7, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0])
    lo = np.nan
    hi = np.nan
    best = np.inf
    v_prev, _, _ = _npv_and_slope(f, n, grid[0])
    for i in range(1, grid.size):
        v, _, _ = _npv_and_slope(f, n, grid[i])
        if v_prev * v <= 0.0:
            mid = 0.5 * (grid[i - 1] + grid[i])
            if abs(mid) < best:
                best = abs(mid)
                lo = grid[i - 1]
                hi = grid[i]
        v_prev = v
    if not np.isfinite(lo):
        # one sign change means exactly one root exists (Descartes): failing to find it is
        # non-convergence; with several sign changes there may be no root at all.
        return np.nan, _NOT_CONVERGED if _sign_changes(f, n) == 1 else _NO_SIGN_CHANGE
    v_lo, _, _ = _npv_and_slope(f, n, lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        v_mid, _, _ = _npv_and_slope(f, n, mid)
        if v_mid == 0.0 or hi - lo <= _TOL * (1.0 + abs(mid)):
            return mid, _OK
        if (v_mid < 0.0) == (v_lo < 0.0):
            lo = mid
            v_lo = v_mid
        else:
            hi = mid
    return np.nan, _NOT_CONVERGED


@nb.njit(cache=True, parallel=True)
def _irr_rows(flows: np.ndarray, out: np.ndarray, status: np.ndarray) -> None:
    n = flows.shape[1]
    for p in nb.prange(flows.shape[0]):
        out[p], status[p] = irr_row(flows[p], n)


def warn_unconverged(status: np.ndarray) -> None:
    bad = int(np.count_nonzero(status == _NOT_CONVERGED))
    if bad:
        warnings.warn(f"{bad} IRR(s) did not converge and are NaN", IRRConvergenceWarning, stacklevel=3)


def irr(flows: np.ndarray) -> np.ndarray:
    """Internal rate of return of each row (a scalar for 1-D flows).

    >>> round(float(irr(np.array([-100.0, 60.0, 60.0]))), 6)
    0.130662
    >>> bool(np.isnan(irr(np.array([10.0, 5.0]))))
    True
    """
    f = np.ascontiguousarray(_as_2d(flows))
    out = np.empty(f.shape[0])
    status = np.empty(f.shape[0], dtype=np.int8)
    _irr_rows(f, out, status)
    warn_unconverged(status)
    return out[0] if np.ndim(flows) == 1 else out


def moic(flows: np.ndarray) -> np.ndarray:
    """Multiple on invested capital: money in over money out (NaN where nothing was paid)."""
    f = _as_2d(flows)
    paid = -np.where(f < 0, f, 0.0).sum(axis=1)
    got = np.where(f > 0, f, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(paid > 0, got / paid, np.nan)


def payback_year(flows: np.ndarray) -> np.ndarray:
    """First year from which cumulative flows stay >= 0 after money went out; NaN if never.

    >>> payback_year(np.array([[-10.0, 4.0, 4.0, 4.0], [-10.0, 1.0, 1.0, 1.0]]))
    array([ 3., nan])
    """
    f = _as_2d(flows)
    cum = np.cumsum(f, axis=1)
    eps = 1e-9 * np.maximum(1.0, np.abs(f).sum(axis=1, keepdims=True))
    below = cum < -eps
    years = f.shape[1]
    # last year the position was under water; payback is the year after it (if within the horizon)
    last_below = years - 1 - np.argmax(below[:, ::-1], axis=1)
    ever_below = below.any(axis=1)
    year = np.where(ever_below, last_below + 1, np.nan)
    return np.where(year < years, year, np.nan)


def tail_risk(values: np.ndarray, tail: float) -> tuple[float, float]:
    """(VaR, CVaR) of a loss-is-negative outcome at the `tail` level: the `tail` quantile and
    the mean of the outcomes at or below it (both in the units of `values`)."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    k = max(1, int(np.ceil(tail * v.size)))
    return float(v[k - 1]), float(v[:k].mean())
