"""The compiled kernels: IRR per row, and the waterfall fused with NPV and IRR.

They live in one module on purpose: numba's on-disk cache notices a change to the file a
function is defined in, not to the files of the functions it calls, so kernels that call each
other must share a file to be recompiled together.
"""
from __future__ import annotations

import numba as nb
import numpy as np

_NEGATIVE = 9  # path status: a negative contribution was passed
_OK, _NO_SIGN_CHANGE, _NOT_CONVERGED = 0, 1, 2
_TOL = 1e-13       # bisection: bracket width
_STEP = 1e-6       # Halley: last step size; convergence is cubic, so the error after it is ~1e-16


@nb.njit(cache=True, inline="always")
def _npv_and_slope(f: np.ndarray, n: int, r: float) -> tuple[float, float]:
    """NPV(r) and dNPV/dr by Horner's rule in x = 1/(1+r) (the bracketing fallback)."""
    x = 1.0 / (1.0 + r)
    p = 0.0
    q = 0.0
    for t in range(n - 1, -1, -1):
        q = q * x + p
        p = p * x + f[t]
    return p, -q * x * x


@nb.njit(cache=True, inline="always")
def _moments(f: np.ndarray, n: int, x: float) -> tuple[float, float, float]:
    """S_k = sum_t t^k f_t x^t for k = 0, 1, 2.

    Four interleaved accumulators per sum break Horner's serial dependency chain.
    """
    x2 = x * x
    x4 = x2 * x2
    p0, p1, p2, p3 = 1.0, x, x2, x2 * x
    a0 = a1 = a2 = a3 = 0.0
    b0 = b1 = b2 = b3 = 0.0
    c0 = c1 = c2 = c3 = 0.0
    t = 0
    while t + 3 < n:
        t0 = float(t)
        v0, v1, v2, v3 = f[t] * p0, f[t + 1] * p1, f[t + 2] * p2, f[t + 3] * p3
        a0 += v0
        a1 += v1
        a2 += v2
        a3 += v3
        w0, w1, w2, w3 = t0 * v0, (t0 + 1.0) * v1, (t0 + 2.0) * v2, (t0 + 3.0) * v3
        b0 += w0
        b1 += w1
        b2 += w2
        b3 += w3
        c0 += t0 * w0
        c1 += (t0 + 1.0) * w1
        c2 += (t0 + 2.0) * w2
        c3 += (t0 + 3.0) * w3
        p0 *= x4
        p1 *= x4
        p2 *= x4
        p3 *= x4
        t += 4
    pw = p0
    while t < n:
        v = f[t] * pw
        a0 += v
        b0 += t * v
        c0 += t * t * v
        pw *= x
        t += 1
    return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3), (c0 + c1) + (c2 + c3)


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
    """IRR of flows f[:n]: (rate, status); see pactlab.engine.finance.irr."""
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
    return irr_solve(f, n, min(max((got / paid) ** (1.0 / horizon) - 1.0, -0.9), 10.0))


@nb.njit(cache=True, inline="always")
def halley_step(r: float, x: float, s0: float, s1: float, s2: float) -> float:
    """One safeguarded Halley step for NPV(r) = 0, given S_k = sum t^k f_t x^t at x = 1/(1+r).

    NPV = S0, NPV' = -x S1, NPV'' = x^2 (S2 + S1); Newton's step where Halley's correction
    is ill-behaved. NaN if the slope is zero or not finite.
    """
    d1 = -x * s1
    d2 = x * x * (s2 + s1)
    if d1 == 0.0 or not np.isfinite(d1) or not np.isfinite(d2):
        return np.nan
    denominator = 2.0 * d1 * d1 - s0 * d2
    return r - (2.0 * s0 * d1 / denominator if denominator > 0.0 else s0 / d1)


@nb.njit(cache=True, inline="always")
def irr_solve(f: np.ndarray, n: int, r: float) -> tuple[float, int]:
    """IRR of f[:n] (which changes sign) by Halley's method from the guess r."""
    # Halley's method (cubic convergence: about three steps from this guess on typical flows).
    # With x = 1/(1+r): NPV = S0, NPV' = -x S1, NPV'' = x^2 (S2 + S1).
    for _ in range(40):
        x = 1.0 / (1.0 + r)
        s0, s1, s2 = _moments(f, n, x)
        r_new = halley_step(r, x, s0, s1, s2)
        if not np.isfinite(r_new):
            break
        guarded = r_new <= -1.0
        if guarded:
            r_new = 0.5 * (r - 1.0)  # stay inside the domain, halfway to its edge
        # a tiny step is convergence, unless it is the guard's walk towards -100%
        if not guarded and abs(r_new - r) <= _STEP * (1.0 + abs(r)):
            return r_new, _OK
        r = r_new
    # Fallback: bracket a sign change on a grid (nearest zero, like numpy-financial), bisect.
    grid = np.array([-0.99999, -0.9999, -0.999, -0.99, -0.9, -0.7, -0.5, -0.3, -0.1, 0.0, 0.05,
                     0.1, 0.2, 0.4, 0.7, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0, 1e3, 1e4])
    lo = np.nan
    hi = np.nan
    best = np.inf
    v_prev, _ = _npv_and_slope(f, n, grid[0])
    for i in range(1, grid.size):
        v, _ = _npv_and_slope(f, n, grid[i])
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
    v_lo, _ = _npv_and_slope(f, n, lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        v_mid, _ = _npv_and_slope(f, n, mid)
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


@nb.njit(cache=True, inline="always")
def _pour_row(cash, contrib, growth, accrual, use_accrual, shares, review_year, review_share,
              balance, out):
    """Waterfall for one path; writes the investor's receipts into `out`."""
    years = cash.shape[0]
    n_hurdles = shares.shape[0] - 1
    negative = False
    for k in range(n_hurdles):
        balance[k] = 0.0
    for t in range(years):
        c = contrib[t]
        negative |= c < 0.0
        for k in range(n_hurdles):
            add = accrual[t] if (k == 0 and use_accrual) else c
            balance[k] = balance[k] * (1.0 + growth[k, t]) + add
        remaining = cash[t]
        received = 0.0
        if remaining > 0.0:
            for k in range(n_hurdles + 1):
                share = shares[k]
                if k == 0 and t >= review_year and balance[0] > 0.0:
                    share = review_share
                if k == n_hurdles:
                    received += share * remaining
                    break
                owed = balance[k] - received
                if owed <= 0.0:
                    continue
                if share <= 0.0:
                    break  # this tier pays the investor nothing and is never satisfied
                if share * remaining <= owed:
                    received += share * remaining
                    break
                received += owed
                remaining -= owed / share
        out[t] = received
        for k in range(n_hurdles):
            balance[k] -= received
    return negative


@nb.njit(cache=True, inline="always")
def _two_tier_step(balance, grow, add, d, share, last):
    """One year of the two-tier waterfall: (new balance, investor's receipt)."""
    balance = balance * grow + add
    received = 0.0
    if d > 0.0:
        if balance > 0.0:
            if share * d <= balance:
                received = share * d
            elif share > 0.0:
                received = balance + last * (d - balance / share)
        else:
            received = last * d
    return balance - received, received


@nb.njit(cache=True, inline="always")
def _pour_two(cash, contrib, growth, accrual, use_accrual, first, last, review_year, review_share,
              out):
    """The same waterfall for the common two-tier case, with the balance kept in a register."""
    balance = 0.0
    negative = False
    for t in range(cash.shape[0]):
        negative |= contrib[t] < 0.0
        share = review_share if t >= review_year else first
        balance, out[t] = _two_tier_step(balance, 1.0 + growth[t],
                                         accrual[t] if use_accrual else contrib[t], cash[t],
                                         share, last)
    return negative


@nb.njit(cache=True, inline="always")
def _pour(p, cash, contrib, growth, accrual, use_accrual, shares, review_year, review_share,
          balance, out):
    """Path p's waterfall into `out`, by the two-tier fast path where it applies.

    Returns the path's contributions and whether any was negative."""
    c_row = contrib[p % contrib.shape[0]]
    a_row = accrual[p % accrual.shape[0]]
    g = p % growth.shape[1]
    if shares.shape[0] == 2:
        negative = _pour_two(cash[p], c_row, growth[0, g], a_row, use_accrual, shares[0],
                             shares[1], review_year, review_share, out)
    else:
        negative = _pour_row(cash[p], c_row, growth[:, g], a_row, use_accrual, shares,
                             review_year, review_share, balance, out)
    return c_row, negative


@nb.njit(cache=True, parallel=True)
def _distribute(cash, contrib, growth, accrual, use_accrual, shares, review_year, review_share,
                investor, host, status):
    paths, years = cash.shape
    block = 1024
    for b in nb.prange((paths + block - 1) // block):
        balance = np.empty(max(shares.shape[0] - 1, 1))
        for p in range(b * block, min(paths, (b + 1) * block)):
            _, negative = _pour(p, cash, contrib, growth, accrual, use_accrual, shares,
                                review_year, review_share, balance, investor[p])
            status[p] = _NEGATIVE if negative else 0
            for t in range(years):   # the host keeps the rest of what is distributed
                host[p, t] = max(cash[p, t], 0.0) - investor[p, t]


@nb.njit(cache=True, inline="always")
def _finish(p, flows, years, value, s1, s2, paid, got, rate, discount, negative, npv_out, irr_out,
            status):
    """NPV, and the IRR from the free first Halley step off `rate`, for one path."""
    npv_out[p] = value
    if paid == 0.0 or got == 0.0:
        irr_out[p], status[p] = np.nan, _NO_SIGN_CHANGE
    else:
        guess = halley_step(rate, discount[1], value, s1, s2)
        if not np.isfinite(guess) or guess <= -0.9 or guess > 10.0:
            guess = rate
        irr_out[p], status[p] = irr_solve(flows, years, guess)
    if negative:
        status[p] = _NEGATIVE


@nb.njit(cache=True, inline="always")
def _pair(p, cash, contrib, growth, accrual, use_accrual, shares, review_year, review_share,
          rate, discount, flows_a, flows_b, npv_out, irr_out, status):
    """Two-tier waterfall, NPV and IRR moments for paths p and p+1 in one loop: two independent
    balance chains keep the core busy while each waits on its own."""
    years = cash.shape[1]
    q = p + 1
    ca, cb = contrib[p % contrib.shape[0]], contrib[q % contrib.shape[0]]
    aa, ab = accrual[p % accrual.shape[0]], accrual[q % accrual.shape[0]]
    ga, gb = growth[0, p % growth.shape[1]], growth[0, q % growth.shape[1]]
    first, last = shares[0], shares[1]
    bal_a = bal_b = 0.0
    va = vb = s1a = s1b = s2a = s2b = 0.0
    paid_a = paid_b = got_a = got_b = 0.0
    neg_a = neg_b = False
    for t in range(years):
        share = review_share if t >= review_year else first
        c_a, c_b = ca[t], cb[t]
        neg_a |= c_a < 0.0
        neg_b |= c_b < 0.0
        bal_a, r_a = _two_tier_step(bal_a, 1.0 + ga[t], aa[t] if use_accrual else c_a,
                                    cash[p, t], share, last)
        bal_b, r_b = _two_tier_step(bal_b, 1.0 + gb[t], ab[t] if use_accrual else c_b,
                                    cash[q, t], share, last)
        n_a, n_b = r_a - c_a, r_b - c_b
        flows_a[t] = n_a
        flows_b[t] = n_b
        d = discount[t]
        t_a, t_b = n_a * d, n_b * d
        va += t_a
        vb += t_b
        s1a += t * t_a
        s1b += t * t_b
        s2a += t * t * t_a
        s2b += t * t * t_b
        if n_a < 0.0:
            paid_a -= n_a
        else:
            got_a += n_a
        if n_b < 0.0:
            paid_b -= n_b
        else:
            got_b += n_b
    _finish(p, flows_a, years, va, s1a, s2a, paid_a, got_a, rate, discount, neg_a, npv_out,
            irr_out, status)
    _finish(q, flows_b, years, vb, s1b, s2b, paid_b, got_b, rate, discount, neg_b, npv_out,
            irr_out, status)


@nb.njit(cache=True, parallel=True)
def _distribute_metrics(cash, contrib, growth, accrual, use_accrual, shares, review_year,
                        review_share, rate, npv_out, irr_out, status):
    """Waterfall, then NPV and IRR of the investor's net flows, without storing the flows.

    The NPV at `rate` and its first two moments are summed as the cash is poured: they give
    the first Halley step of the IRR search for free. Two-tier waterfalls pour two paths at
    a time."""
    paths, years = cash.shape
    block = 1024
    discount = np.empty(years)
    for t in range(years):
        discount[t] = (1.0 + rate) ** -t
    two = shares.shape[0] == 2
    for b in nb.prange((paths + block - 1) // block):
        balance = np.empty(max(shares.shape[0] - 1, 1))
        flows = np.empty(years)
        other = np.empty(years)
        p = b * block
        stop = min(paths, (b + 1) * block)
        while p < stop:
            if two and p + 1 < stop:
                _pair(p, cash, contrib, growth, accrual, use_accrual, shares, review_year,
                      review_share, rate, discount, flows, other, npv_out, irr_out, status)
                p += 2
                continue
            c_row, negative = _pour(p, cash, contrib, growth, accrual, use_accrual, shares,
                                    review_year, review_share, balance, flows)
            value = s1 = s2 = paid = got = 0.0
            for t in range(years):
                net = flows[t] - c_row[t]
                flows[t] = net
                term = net * discount[t]
                value += term
                s1 += t * term
                s2 += t * t * term
                if net < 0.0:
                    paid -= net
                else:
                    got += net
            _finish(p, flows, years, value, s1, s2, paid, got, rate, discount, negative, npv_out,
                    irr_out, status)
            p += 1
