r"""Bargaining solutions over a finite set of candidate deals, in utility space.

``u`` is an ``(n, 2)`` array of both parties' utilities (both maximised), ``d`` the
disagreement point. A row is *individually rational* (IR) when it is strictly better than
``d`` for both. Textbook definitions throughout:

* **Pareto frontier** — the rows no other row dominates (at least as good for both, better for
  one).
* **Nash** (Nash 1950) — the IR row maximising :math:`(u_1-d_1)(u_2-d_2)`.
* **Kalai–Smorodinsky** (Kalai & Smorodinsky 1975) — the ideal point :math:`I` takes each
  party's best over the IR rows; the solution is the frontier row closest to the ray from
  :math:`d` through :math:`I`.
* **Egalitarian** (Kalai 1977) — the IR row maximising :math:`\min_i (u_i-d_i)`.
* **Utilitarian** — the IR row maximising :math:`u_1+u_2`.
* **Rubinstein** (1982) — in alternating offers over a unit pie with discount factors
  :math:`\delta_1, \delta_2`, the first proposer's share is :math:`(1-\delta_2)/(1-\delta_1\delta_2)`.

NegMAS users: its ``pareto_frontier`` and ``nash_points`` match these; its ``kalai_points`` is
the *egalitarian* solution, and its ``ks_points`` takes the ideal point over unconstrained
ranges rather than over the IR rows. pactlab uses the textbook definitions above.

>>> u = np.array([[0.0, 1.0], [0.4, 0.6], [0.5, 0.5], [0.3, 0.3], [1.0, 0.0]])
>>> pareto_front(u).tolist(), nash_point(u, (0.0, 0.0)), ks_point(u, (0.0, 0.0))
([0, 1, 2, 4], 2, 2)
>>> round(rubinstein_share(0.9, 0.9), 6)
0.526316
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def _rows(u) -> np.ndarray:
    u = np.asarray(u, dtype=np.float64)
    if u.ndim != 2 or u.shape[1] != 2:
        raise ValueError(f"utilities must be an (n, 2) array, got shape {u.shape}")
    return np.where(np.isnan(u), -np.inf, u)


def individually_rational(u, d: Sequence[float]) -> np.ndarray:
    """Boolean mask of the rows strictly better than `d` for both parties."""
    u = _rows(u)
    return (u[:, 0] > d[0]) & (u[:, 1] > d[1])


def pareto_front(u) -> np.ndarray:
    """Indices of the non-dominated rows, sorted by ``u[:, 0]`` (identical rows all kept)."""
    u = _rows(u)
    if len(u) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-u[:, 1], -u[:, 0]))       # u0 descending, then u1 descending
    s = u[order]
    keep = np.zeros(len(s), dtype=bool)
    best = -np.inf
    for i in range(len(s)):
        if s[i, 1] > best:
            keep[i] = True
            best = s[i, 1]
        elif keep[i - 1] and s[i, 0] == s[i - 1, 0] and s[i, 1] == s[i - 1, 1]:
            keep[i] = True                           # a copy of a frontier row
    front = order[keep]
    return front[np.lexsort((u[front, 1], u[front, 0]))]


def nash_point(u, d: Sequence[float]) -> int | None:
    """Index of the IR row maximising the Nash product; None if no row is IR."""
    u = _rows(u)
    ir = np.flatnonzero(individually_rational(u, d))
    if ir.size == 0:
        return None
    product = (u[ir, 0] - d[0]) * (u[ir, 1] - d[1])
    return int(ir[np.argmax(product)])


def ks_point(u, d: Sequence[float]) -> int | None:
    """Kalai–Smorodinsky: the frontier row (of the IR rows) closest to the ray from `d` to the
    ideal point of the IR rows; None if no row is IR."""
    u = _rows(u)
    ir = np.flatnonzero(individually_rational(u, d))
    if ir.size == 0:
        return None
    origin = np.asarray(d, dtype=np.float64)
    ideal = u[ir].max(axis=0)
    direction = ideal - origin
    front = ir[pareto_front(u[ir])]
    rel = u[front] - origin
    t = np.maximum(rel @ direction / (direction @ direction), 0.0)
    distance = np.linalg.norm(rel - t[:, None] * direction[None, :], axis=1)
    return int(front[np.argmin(distance)])


def egalitarian_point(u, d: Sequence[float]) -> int | None:
    """The IR row maximising the smaller of the two gains over `d`; None if none is IR."""
    u = _rows(u)
    ir = np.flatnonzero(individually_rational(u, d))
    if ir.size == 0:
        return None
    return int(ir[np.argmax(np.minimum(u[ir, 0] - d[0], u[ir, 1] - d[1]))])


def utilitarian_point(u, d: Sequence[float]) -> int | None:
    """The IR row maximising the sum of utilities; None if none is IR."""
    u = _rows(u)
    ir = np.flatnonzero(individually_rational(u, d))
    if ir.size == 0:
        return None
    return int(ir[np.argmax(u[ir, 0] + u[ir, 1])])


def rubinstein_share(d1: float, d2: float) -> float:
    """The first proposer's share of a unit pie in Rubinstein's alternating-offers game."""
    if not (0.0 <= d1 <= 1.0 and 0.0 <= d2 <= 1.0) or d1 * d2 == 1.0:
        raise ValueError(f"discount factors must be in [0, 1] and not both 1, got {d1}, {d2}")
    return (1.0 - d2) / (1.0 - d1 * d2)


def zopa(u, d: Sequence[float], values: pd.DataFrame) -> pd.DataFrame:
    """The zone of possible agreement: how far each issue ranges over the IR rows.

    `values` has one row per row of `u` and one column per issue; numeric issues get their
    min and max, others the levels that occur."""
    ir = individually_rational(u, d)
    rows: dict[str, dict[str, float | str | None]] = {}
    for column in values.columns:
        inside = values.loc[ir, column]
        if inside.empty:
            rows[column] = {"min": None, "max": None, "levels": ""}
        elif pd.api.types.is_numeric_dtype(values[column]) and values[column].dtype != bool:
            rows[column] = {"min": float(inside.min()), "max": float(inside.max()),
                            "levels": f"{inside.nunique()} of {values[column].nunique()}"}
        else:
            rows[column] = {"min": None, "max": None,
                            "levels": ", ".join(map(str, sorted(set(inside), key=str)))}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "issue"
    return table
