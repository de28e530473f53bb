"""Each tranche's cash flows, from the investor's side (out < 0, in > 0) and the host's.

* ``mou`` — capital calls out, waterfall receipts in (see :mod:`.waterfall`).
* ``loan`` — disbursed as the project is built (up to the loan amount), interest on what is
  outstanding, repaid from the first operating year over ``tenor`` years (annuity, linear or
  bullet). If the project fails, ``recovery_rate`` of the outstanding principal comes back in
  the failure year and nothing after it.
* ``guarantee`` — the guaranteed exposure builds up with construction and amortises linearly
  over ``tenor``; a ``fee`` on it is earned each year; if the project fails, the investor pays
  ``1 - recovery_rate`` of the exposure then outstanding.

The host's flows are the mirror image: what the investor pays out, host-side borrowers and
lenders receive, and vice versa.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._fund_kernels import _debt_flows


@dataclass(frozen=True)
class DebtSpec:
    """A loan (``rate`` is its coupon) or a guarantee (``rate`` is its fee on the exposure).

    `amortisation` is annuity, linear or bullet for loans; guarantees amortise linearly.
    """

    loan: bool
    rate: float
    tenor: int
    recovery: float
    amortisation: str = "annuity"

    def schedule(self) -> np.ndarray:
        """The outstanding fraction before each repayment year (:func:`outstanding_schedule`)."""
        return outstanding_schedule(self.amortisation if self.loan else "linear", self.rate,
                                    self.tenor)


def outstanding_schedule(kind: str, coupon: float, tenor: int) -> np.ndarray:
    """Outstanding principal per unit lent before each repayment year k = 0..tenor.

    Parameters
    ----------
    kind : {"annuity", "linear", "bullet"}
    coupon : float, fraction a year
        The annuity's rate (a zero coupon repays linearly).
    tenor : int, years

    Returns
    -------
    ndarray, shape (tenor + 1,), fraction of the principal

    Examples
    --------
    >>> outstanding_schedule("linear", 0.05, 4).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0]
    """
    k = np.arange(tenor + 1, dtype=np.float64)
    if kind == "linear":
        return 1.0 - k / tenor
    if kind == "bullet":
        return np.where(k < tenor, 1.0, 0.0)
    if coupon == 0.0:
        return 1.0 - k / tenor
    growth = (1.0 + coupon) ** k
    payment = coupon / (1.0 - (1.0 + coupon) ** -tenor)
    return np.maximum(growth - payment * (growth - 1.0) / coupon, 0.0)


def debt_flows(spec: DebtSpec, amount: float, spend: np.ndarray, start: np.ndarray,
               fail_year: np.ndarray) -> np.ndarray:
    """Investor flows of lending (or guaranteeing) up to `amount` against one project's spend.

    Parameters
    ----------
    spec : DebtSpec
        A loan (``rate``: coupon) or a guarantee (``rate``: fee on the exposure).
    amount : float, USD bn
        The most lent or guaranteed.
    spend : ndarray, shape (paths, years), USD bn
        The project's spend by year; exposure builds with it up to `amount`.
    start : ndarray of int, shape (paths,)
        The first repayment year.
    fail_year : ndarray of int, shape (paths,)
        The year the project fails (beyond the horizon: never).

    Returns
    -------
    ndarray, shape (paths, years), USD bn
        The investor's flows (out < 0, in > 0); the host's are their mirror.

    Examples
    --------
    >>> spec = DebtSpec(loan=True, rate=0.05, tenor=4, recovery=0.4, amortisation="linear")
    >>> debt_flows(spec, 10.0, np.array([[5.0, 5.0, 0, 0, 0, 0, 0]]), np.array([2]),
    ...            np.array([99])).round(3).tolist()
    [[-5.0, -4.75, 3.0, 2.875, 2.75, 2.625, 0.0]]
    """
    out = np.empty(spend.shape)
    _debt_flows(np.ascontiguousarray(spend, dtype=np.float64), float(amount),
                np.asarray(start, dtype=np.int64), np.asarray(fail_year, dtype=np.int64),
                spec.schedule(), spec.loan, float(spec.rate), float(spec.recovery), out)
    return out
