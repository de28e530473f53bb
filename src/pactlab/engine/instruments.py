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

import numpy as np

from ..terms.schema import GuaranteeTranche, LoanTranche


def outstanding_schedule(kind: str, coupon: float, tenor: int) -> np.ndarray:
    """Outstanding principal (per unit lent) before each repayment year k = 0..tenor.

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


def _after_start(schedule: np.ndarray, start: np.ndarray, years: int) -> np.ndarray:
    """schedule[k] at year start + k (paths, years); 1 before the start, 0 after the end."""
    k = np.arange(years)[None, :] - start[:, None]
    table = np.r_[schedule, 0.0]
    return np.where(k < 0, 1.0, table[np.clip(k, 0, schedule.size)])


def _prev(x: np.ndarray) -> np.ndarray:
    """x one year later (0 in year 0): the balance at the start of each year."""
    return np.concatenate([np.zeros((x.shape[0], 1)), x[:, :-1]], axis=1)


def _built_by_start(cum: np.ndarray, start: np.ndarray) -> np.ndarray:
    paths, years = cum.shape
    built = cum[np.arange(paths), np.clip(start - 1, 0, years - 1)]
    return np.where(start > 0, built, 0.0)


def loan_flows(tranche: LoanTranche, amount: float, spend: np.ndarray, start: np.ndarray,
               fail_year: np.ndarray) -> np.ndarray:
    """Investor flows of lending up to `amount` against one project's `spend`, (paths, years)."""
    years = spend.shape[1]
    cum = np.minimum(np.cumsum(spend, axis=1), amount)
    disbursed = np.diff(cum, axis=1, prepend=0.0)
    drawn = _built_by_start(cum, start)[:, None]
    schedule = outstanding_schedule(tranche.amortisation, tranche.coupon, tranche.tenor)
    operating = np.arange(years)[None, :] >= start[:, None]
    opening = np.where(operating, drawn * _after_start(schedule, start, years), _prev(cum))
    closing = np.where(operating, drawn * _after_start(schedule, start - 1, years), opening)
    service = tranche.coupon * opening + (opening - closing)
    t = np.arange(years)[None, :]
    recovery = np.where(t == fail_year[:, None], tranche.recovery_rate * opening, 0.0)
    return np.where(t < fail_year[:, None], service - disbursed, 0.0) + recovery


def guarantee_flows(tranche: GuaranteeTranche, amount: float, spend: np.ndarray,
                    start: np.ndarray, fail_year: np.ndarray) -> np.ndarray:
    """Investor flows of guaranteeing `amount` of one project's debt, (paths, years)."""
    years = spend.shape[1]
    cum = np.minimum(np.cumsum(spend, axis=1), amount)
    built = _built_by_start(cum, start)
    frac = _after_start(outstanding_schedule("linear", 0.0, tranche.tenor), start, years)
    t = np.arange(years)[None, :]
    exposure = np.where(t >= start[:, None], built[:, None] * frac, cum)
    alive = t < fail_year[:, None]
    payout = np.where(t == fail_year[:, None], (1.0 - tranche.recovery_rate) * exposure, 0.0)
    return np.where(alive, tranche.fee * exposure, 0.0) - payout
