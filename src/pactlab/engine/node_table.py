"""Per-path reads of a table of present values on a node grid: each path's value is the
bilinear blend of its four corner nodes (elasticity x pass-through) in every sector, at the
step (the year) its deal lasts to. One pass over paths; the sums in the order the array
formula took them, so the numbers are the same bit for bit."""
from __future__ import annotations

import numba as nb
import numpy as np


def corner_sum(table: np.ndarray, at_risk: np.ndarray | None, step: np.ndarray, e0: np.ndarray,
               we: np.ndarray, p0: np.ndarray, wp: np.ndarray, shares: np.ndarray,
               multiplier: np.ndarray) -> np.ndarray:
    r"""Per path, :math:`\sum_s \sum_{corners} w_e w_p (T + a_s m_s A)` at the path's step.

    Parameters
    ----------
    table : ndarray, shape (steps, sectors, elasticity nodes, pass-through nodes)
    at_risk : ndarray, same shape, or None
        A second table added with weight ``shares[s] * multiplier[p, s]`` (None: none).
    step : ndarray of int, shape (paths,)
    e0, we : ndarray, shape (paths, sectors)
        The elasticity node below each path's draw (int) and the weight of the one above.
    p0, wp : ndarray, shape (paths,)
        The same for the pass-through.
    shares : ndarray, shape (sectors,)
    multiplier : ndarray, shape (paths, sectors)

    Returns
    -------
    ndarray, shape (paths,)

    Examples
    --------
    >>> t = np.arange(8.0).reshape(1, 1, 2, 4)       # one step, one sector, 2 x 4 nodes
    >>> corner_sum(t, None, np.array([0]), np.array([[0]]), np.array([[0.5]]), np.array([1]),
    ...            np.array([0.25]), np.ones(1), np.ones((1, 1))).tolist()   # 1.25 and 5.25
    [3.25]
    """
    out = np.empty(step.shape[0])
    extra = at_risk is not None
    _corner_sum(np.ascontiguousarray(table), np.ascontiguousarray(at_risk if extra else table),
                extra, np.ascontiguousarray(step, dtype=np.int64),
                np.ascontiguousarray(e0, dtype=np.int64), np.ascontiguousarray(we, dtype=np.float64),
                np.ascontiguousarray(p0, dtype=np.int64), np.ascontiguousarray(wp, dtype=np.float64),
                np.ascontiguousarray(shares, dtype=np.float64),
                np.ascontiguousarray(multiplier, dtype=np.float64), out)
    return out


@nb.njit(cache=True, parallel=True)
def _corner_sum(table, at_risk, extra, step, e0, we, p0, wp, shares, multiplier, out):
    paths = step.shape[0]
    sectors = shares.shape[0]
    for p in nb.prange(paths):
        total = 0.0
        k = step[p]
        for s in range(sectors):
            for de in range(2):
                w_e = 1.0 - we[p, s] if de == 0 else we[p, s]
                e = e0[p, s] + de
                for dp in range(2):
                    w_p = 1.0 - wp[p] if dp == 0 else wp[p]
                    q = p0[p] + dp
                    value = table[k, s, e, q]
                    if extra:
                        value = value + shares[s] * multiplier[p, s] * at_risk[k, s, e, q]
                    total += w_e * w_p * value
        out[p] = total
