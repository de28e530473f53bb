r"""Vectorised cash-flow finance, row-wise over ``(paths, years)`` arrays.

Flows are signed from one party's side (out < 0, in > 0); element ``t`` falls at the end of
year ``t``, with year 0 undiscounted (numpy-financial's convention).

* :func:`npv`: :math:`\sum_t f_t (1+r)^{-t}`.
* :func:`irr`: the rate at which the NPV is zero. Halley's method on each row, from a guess
  taken from the row's multiple on invested capital, with a bracketed bisection fallback.
  NaN where the flows never change sign; NaN *and* an :class:`IRRConvergenceWarning` where a
  root exists in (-100%, 1,000,000%) but was not found to tolerance — never a wrong number.
* :func:`moic`, :func:`payback_year` (nominal and :func:`payback_year_accrued` at a rate),
  :func:`tail_risk` (VaR/CVaR).
"""
from __future__ import annotations

import warnings

import numba as nb
import numpy as np

from ._kernels import _NOT_CONVERGED, _irr_rows


class IRRConvergenceWarning(RuntimeWarning):
    """Some IRRs did not converge and are reported as NaN."""


def _as_2d(flows: np.ndarray) -> np.ndarray:
    flows = np.asarray(flows, dtype=np.float64)
    return flows[None, :] if flows.ndim == 1 else flows


def npv(rate: float | np.ndarray, flows: np.ndarray) -> np.ndarray:
    r"""Net present value of each row: :math:`\sum_t f_t (1+r)^{-t}`, year 0 undiscounted.

    Summed year by year in a fixed order, so a path's NPV is the same number however many
    other paths share the array.

    Parameters
    ----------
    rate : float or ndarray, shape (paths,), fraction a year
        One rate, or one per row.
    flows : ndarray, shape (paths, years) or (years,), USD bn
        Signed flows (out < 0, in > 0), element t at the end of year t.

    Returns
    -------
    ndarray, shape (paths,), USD bn (a float for 1-D flows)

    Examples
    --------
    >>> float(npv(1.0, np.array([-100.0, 100.0, 200.0])))
    0.0
    """
    f = np.ascontiguousarray(_as_2d(flows))
    rates = np.ascontiguousarray(np.broadcast_to(np.asarray(rate, dtype=np.float64), (f.shape[0],)))
    out = np.empty(f.shape[0])
    _npv_rows(f, rates, out)
    return out[0] if np.ndim(flows) == 1 else out


@nb.njit(cache=True, parallel=True)
def _npv_rows(flows, rates, out):
    paths, years = flows.shape
    for p in nb.prange(paths):
        x = 1.0 / (1.0 + rates[p])
        d = 1.0
        total = 0.0
        for t in range(years):
            total += flows[p, t] * d
            d *= x
        out[p] = total


def npv_difference(rate: float, flows: np.ndarray, less: np.ndarray) -> np.ndarray:
    """``npv(rate, flows - less)`` bit for bit, without the difference's array (paths, years).

    >>> npv_difference(1.0, np.array([[0.0, 100.0]]), np.array([[100.0, 0.0]])).tolist()
    [-50.0]
    """
    a = np.ascontiguousarray(np.atleast_2d(flows), dtype=np.float64)
    b = np.ascontiguousarray(np.atleast_2d(less), dtype=np.float64)
    out = np.empty(a.shape[0])
    _npv_difference(a, b, float(rate), out)
    return out


@nb.njit(cache=True, parallel=True)
def _npv_difference(flows, less, rate, out):
    paths, years = flows.shape
    x = 1.0 / (1.0 + rate)
    for p in nb.prange(paths):
        d = 1.0
        total = 0.0
        for t in range(years):
            total += (flows[p, t] - less[p, t]) * d
            d *= x
        out[p] = total


def increases_pv(balance: np.ndarray, rate: float) -> np.ndarray:
    r"""Per row, the present value of the balance's increases: :math:`\sum_t \max(b_t - b_{t-1},
    0)(1+r)^{-t}` with :math:`b_{-1} = 0` (new draws on a credit line from what is outstanding
    at each year's end), summed year by year.

    Parameters
    ----------
    balance : ndarray, shape (paths, years)
    rate : float, fraction a year

    Returns
    -------
    ndarray, shape (paths,)

    Examples
    --------
    >>> increases_pv(np.array([[0.0, 10.0, 4.0, 8.0]]), 0.0).tolist()
    [14.0]
    """
    b = np.ascontiguousarray(np.atleast_2d(balance), dtype=np.float64)
    out = np.empty(b.shape[0])
    _increases_pv(b, (1.0 + rate) ** -np.arange(b.shape[1]), out)
    return out


@nb.njit(cache=True, parallel=True)
def _increases_pv(balance, discount, out):
    paths, years = balance.shape
    for p in nb.prange(paths):
        last = 0.0
        total = 0.0
        for t in range(years):
            total += max(balance[p, t] - last, 0.0) * discount[t]
            last = balance[p, t]
        out[p] = total


def warn_unconverged(status: np.ndarray) -> None:
    """Warn (:class:`IRRConvergenceWarning`) if any kernel status says an IRR did not converge.

    Parameters
    ----------
    status : ndarray of int8, shape (paths,)
        The IRR kernels' status codes.
    """
    bad = int(np.count_nonzero(status == _NOT_CONVERGED))
    if bad:
        warnings.warn(f"{bad} IRR(s) did not converge and are NaN", IRRConvergenceWarning, stacklevel=3)


def irr(flows: np.ndarray) -> np.ndarray:
    """Internal rate of return of each row: the rate at which its NPV is zero.

    Parameters
    ----------
    flows : ndarray, shape (paths, years) or (years,), USD bn
        Signed flows (out < 0, in > 0).

    Returns
    -------
    ndarray, shape (paths,), fraction a year (a float for 1-D flows)
        NaN where the flows never change sign, or (with an :class:`IRRConvergenceWarning`)
        where a root exists but was not found to tolerance.

    Examples
    --------
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
    """Multiple on invested capital: money in over money out.

    Parameters
    ----------
    flows : ndarray, shape (paths, years) or (years,), USD bn

    Returns
    -------
    ndarray, shape (paths,), multiple (NaN where nothing was paid out)

    Examples
    --------
    >>> moic(np.array([[-10.0, 4.0, 8.0]])).tolist()
    [1.2]
    """
    f = _as_2d(flows)
    paid = -np.where(f < 0, f, 0.0).sum(axis=1)
    got = np.where(f > 0, f, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(paid > 0, got / paid, np.nan)


def payback_year(flows: np.ndarray) -> np.ndarray:
    """First year from which cumulative flows stay >= 0 after money went out.

    Parameters
    ----------
    flows : ndarray, shape (paths, years) or (years,), USD bn

    Returns
    -------
    ndarray, shape (paths,), year index (NaN if never)

    Examples
    --------
    >>> payback_year(np.array([[-10.0, 4.0, 4.0, 4.0], [-10.0, 1.0, 1.0, 1.0]]))
    array([ 3., nan])
    """
    f = _as_2d(flows)
    return _year_back_above_water(np.cumsum(f, axis=1), f)


def payback_year_accrued(flows: np.ndarray, rates: np.ndarray | float) -> np.ndarray:
    """First year from which the position, carried at `rates`, stays >= 0 after money went out.

    At rate 0 this is :func:`payback_year`; at the deemed rate it is recoupment of principal
    *and* deemed interest.

    Parameters
    ----------
    flows : ndarray, shape (paths, years) or (years,), USD bn
    rates : float or ndarray, shape (paths, years), fraction a year
        The carry rate, one or per path and year.

    Returns
    -------
    ndarray, shape (paths,), year index (NaN if never)

    Examples
    --------
    >>> payback_year_accrued(np.array([[-10.0, 4.0, 4.0, 4.0]]), 0.1)
    array([nan])
    >>> payback_year_accrued(np.array([[-10.0, 4.0, 4.0, 4.0, 4.0]]), 0.1)
    array([4.])
    """
    f = _as_2d(flows)
    r = np.broadcast_to(np.asarray(rates, dtype=np.float64), f.shape)
    position = np.empty_like(f)
    position[:, 0] = f[:, 0]
    for t in range(1, f.shape[1]):
        position[:, t] = position[:, t - 1] * (1.0 + r[:, t]) + f[:, t]
    return _year_back_above_water(position, f)


def _year_back_above_water(position: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The year after the last one the position was under water (NaN: never under water, or
    still under water at the horizon)."""
    eps = 1e-9 * np.maximum(1.0, np.abs(f).sum(axis=1, keepdims=True))
    below = position < -eps
    years = f.shape[1]
    last_below = years - 1 - np.argmax(below[:, ::-1], axis=1)
    year = np.where(below.any(axis=1), last_below + 1, np.nan)
    return np.where(year < years, year, np.nan)


def tail_risk(values: np.ndarray, tail: float) -> tuple[float, float]:
    """Value at risk and conditional value at risk of a loss-is-negative outcome.

    Parameters
    ----------
    values : ndarray, shape (paths,)
        Outcomes (e.g. NPV, USD bn).
    tail : float, fraction in (0, 0.5)
        The tail level (0.05: the worst 5%).

    Returns
    -------
    var : float
        The `tail` quantile, in the units of `values`.
    cvar : float
        The mean of the outcomes at or below it.

    Examples
    --------
    >>> tail_risk(np.arange(10.0), 0.2)
    (1.0, 0.5)
    """
    v = np.sort(np.asarray(values, dtype=np.float64))
    k = max(1, int(np.ceil(tail * v.size)))
    return float(v[k - 1]), float(v[:k].mean())
