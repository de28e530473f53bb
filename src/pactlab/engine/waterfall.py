r"""Tiered distribution of a project's distributable cash between investor and host.

**The waterfall (normative).** This is the specification the kernels and their tests hold to.

For each path, per year *t*, with investor contributions :math:`C_t \ge 0` and distributable
cash :math:`D_t` (a negative :math:`D_t` distributes nothing; shortfalls are funded by
contributions, never clawed back): tiers :math:`k = 1..K` each have ``investor_share``
:math:`s_k` and, except the last, a ``hurdle_rate`` :math:`h_k` (ascending). Before year *t*'s
cash is poured, the hurdle balance is :math:`B_k = B_k(t-1)\cdot(1+h_k) + C_t`: what the
investor still needs for its IRR to reach :math:`h_k`. Cash is poured tier by tier, starting at
the first tier whose balance is still positive: if the active tier's share of the remaining cash
would exceed :math:`B_k`, only the cash needed (:math:`B_k / s_k`) is split at :math:`s_k` and
the rest flows on to the next tier in the same year. Whatever the investor receives,
:math:`R_t`, is taken off every balance: :math:`B_k(t) = B_k - R_t`. The host gets
:math:`\max(D_t,0) - R_t`. Investor + host = distributable cash, exactly, on every path. The
MOU case is two tiers: ``(0.5, deemed_rate)`` then ``(0.1, None)``.

Two conventions for the MOU's *Deemed Allocation Amount* (DAA) in tier 1:

* ``compounding`` — tier 1's hurdle is the deemed rate (benchmark + spread), as above.
* ``scheduled`` — per year, DAA = deemed rate × scheduled outstanding principal + principal ÷
  project life (Kang 2025's worked example: $10B at 5.5% over 20 years ⇒ $1.05B in year 1);
  unpaid amounts carry forward without interest, and tier 1 is owed only what has fallen due.
  In the kernel this is tier 1 with no growth and the DAA as its accrual.

The review clause: from year ``after_year`` on, while tier 1 is still owed, the investor's
tier-1 share becomes ``review_share``.

Example, the golden case of the spine issue (100 in at year 0, 30 a year, 50/50 to a 0% hurdle
then 10%):

>>> cash = np.r_[0.0, np.full(10, 30.0)][None, :]
>>> contrib = np.r_[100.0, np.zeros(10)][None, :]
>>> inv, host = distribute(cash, contrib, [Tier(0.5, 0.0), Tier(0.1)])
>>> inv[0, 1:].tolist()
[15.0, 15.0, 15.0, 15.0, 15.0, 15.0, 11.0, 3.0, 3.0, 3.0]
"""
from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from ._kernels import _NEGATIVE, _distribute, _distribute_metrics
from .finance import warn_unconverged


@dataclass(frozen=True)
class Tier:
    """One tier: the investor's share and, for all but the last tier, its hurdle rate.

    The hurdle is a rate, or an array broadcastable to (paths, years) for a floating rate.
    """

    investor_share: float
    hurdle_rate: float | np.ndarray | None = None


@dataclass(frozen=True)
class Review:
    after_year: int
    investor_share: float


#: the kernels' inputs: cash, contributions, tier growth, accrual, use_accrual, shares,
#: review year and review share
_Prepared = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool, np.ndarray, int, float]


def _prepare(cash: np.ndarray, contributions: np.ndarray, tiers: list[Tier],
             accrual: np.ndarray | None, review: Review | None) -> _Prepared:
    cash = np.ascontiguousarray(np.atleast_2d(np.asarray(cash, dtype=np.float64)))
    paths, years = cash.shape
    contrib = np.ascontiguousarray(np.atleast_2d(np.asarray(contributions, dtype=np.float64)))
    if contrib.shape[1] != years or contrib.shape[0] not in (1, paths):
        raise ValueError(f"contributions shape {contrib.shape} does not fit cash {cash.shape}")
    if not tiers:
        raise ValueError("at least one tier is needed")
    shares = np.array([t.investor_share for t in tiers], dtype=np.float64)
    if np.any((shares < 0) | (shares > 1)):
        raise ValueError(f"investor shares must be between 0 and 1, got {shares.tolist()}")
    if tiers[-1].hurdle_rate is not None:
        raise ValueError("the last tier takes no hurdle rate")
    hurdles = [t.hurdle_rate for t in tiers[:-1] if t.hurdle_rate is not None]
    if len(hurdles) < len(tiers) - 1:
        raise ValueError("every tier but the last needs a hurdle rate")
    # one row serves all paths unless some hurdle differs by path
    by_path = any(np.ndim(h) == 2 and np.shape(h)[0] > 1 for h in hurdles)
    growth = np.zeros((len(hurdles) or 1, paths if by_path else 1, years))
    for k, h in enumerate(hurdles):
        growth[k] = np.broadcast_to(np.asarray(h, dtype=np.float64), growth.shape[1:])
    use_accrual = accrual is not None
    acc = np.zeros((1, years)) if accrual is None else np.ascontiguousarray(
        np.atleast_2d(np.asarray(accrual, dtype=np.float64)))
    review_year = np.iinfo(np.int64).max if review is None else int(review.after_year)
    review_share = 0.0 if review is None else float(review.investor_share)
    return cash, contrib, growth, acc, use_accrual, shares, review_year, review_share


def _check(status: np.ndarray) -> None:
    if (status == _NEGATIVE).any():
        raise ValueError("contributions must be >= 0")


def distribute(cash: np.ndarray, contributions: np.ndarray, tiers: list[Tier], *,
               accrual: np.ndarray | None = None,
               review: Review | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Split distributable cash between investor and host (the normative waterfall above).

    Parameters
    ----------
    cash : ndarray, shape (paths, years), USD bn
        Distributable cash :math:`D_t`.
    contributions : ndarray, shape (paths, years) or (years,), USD bn
        Investor contributions :math:`C_t \ge 0`.
    tiers : list of Tier
        Shares and hurdles, hurdles ascending; the last tier has none.
    accrual : ndarray, shape (paths, years), USD bn, optional
        Replaces the contributions as tier 1's balance increment (the ``scheduled`` DAA).
    review : Review, optional
        The review clause.

    Returns
    -------
    investor, host : ndarray, shape (paths, years), USD bn
        They add up to :math:`\max(D_t, 0)` exactly.

    Raises
    ------
    ValueError
        On a negative contribution, a share outside [0, 1] or misplaced hurdles.
    """
    args = _prepare(cash, contributions, tiers, accrual, review)
    investor, host = np.empty_like(args[0]), np.empty_like(args[0])
    status = np.empty(investor.shape[0], dtype=np.int8)
    _distribute(*args, investor, host, status)
    _check(status)
    return investor, host


def investor_npv_irr(cash: np.ndarray, contributions: np.ndarray, tiers: list[Tier], rate: float,
                     *, accrual: np.ndarray | None = None,
                     review: Review | None = None) -> tuple[np.ndarray, np.ndarray]:
    """NPV and IRR of the investor's flows (receipts − contributions), in one pass.

    Parameters
    ----------
    cash, contributions, tiers, accrual, review
        As for :func:`distribute`.
    rate : float, fraction a year
        The discount rate of the NPV.

    Returns
    -------
    npv : ndarray, shape (paths,), USD bn
    irr : ndarray, shape (paths,), fraction a year (NaN where undefined)
    """
    args = _prepare(cash, contributions, tiers, accrual, review)
    paths = args[0].shape[0]
    npv_out, irr_out = np.empty(paths), np.empty(paths)
    status = np.empty(paths, dtype=np.int8)
    _distribute_metrics(*args, float(rate), npv_out, irr_out, status)
    _check(status)
    warn_unconverged(status)
    return npv_out, irr_out


def scheduled_daa(contributions: np.ndarray, deemed_rate: np.ndarray | float, life: int) -> np.ndarray:
    """The DAA falling due each year under the ``scheduled`` convention, for one project life.

    A contribution C in year s is owed, in each year t = s+1 … s+L: interest at the deemed rate
    on the scheduled outstanding principal C·(1 − (t−s−1)/L), plus C/L of principal.

    Parameters
    ----------
    contributions : ndarray, shape (paths, years) or (years,), USD bn
    deemed_rate : float or ndarray, shape (paths, years), fraction a year
    life : int, years
        The project life L.

    Returns
    -------
    ndarray, shaped like `contributions`, USD bn

    References
    ----------
    Kang (2025), the worked example: $10B at 5.5% over 20 years gives $1.05B in year 1.

    Examples
    --------
    >>> daa = scheduled_daa(np.r_[10.0, np.zeros(25)], 0.055, 20)
    >>> round(float(daa[1]), 6), round(float(daa[2]), 6), round(float(daa.sum() - 10), 6)
    (1.05, 1.0225, 5.775)
    """
    c = np.ascontiguousarray(np.atleast_2d(np.asarray(contributions, dtype=np.float64)))
    rate = np.ascontiguousarray(np.broadcast_to(np.asarray(deemed_rate, dtype=np.float64), c.shape))
    daa = np.empty_like(c)
    _scheduled_daa(c, rate, int(life), daa)
    return daa[0] if np.ndim(contributions) == 1 else daa


@nb.njit(cache=True, parallel=True)
def _scheduled_daa(contrib, rate, life, out):
    """Per path, with running sums over the window s in [t-L, t-1] of C_s and s*C_s."""
    paths, years = contrib.shape
    for p in nb.prange(paths):
        window = 0.0     # sum of C_s
        window_s = 0.0   # sum of s*C_s
        for t in range(years):
            if t >= 1:
                window += contrib[p, t - 1]
                window_s += (t - 1) * contrib[p, t - 1]
            if t - life - 1 >= 0:
                window -= contrib[p, t - life - 1]
                window_s -= (t - life - 1) * contrib[p, t - life - 1]
            elapsed = (t - 1) * window - window_s          # sum of (t-s-1) C_s
            out[p, t] = rate[p, t] * (window - elapsed / life) + window / life
