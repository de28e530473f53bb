"""Bargaining over 10,000 candidate deals on 10,000 paths, end to end (target <= 60 s on the
2-core development machine): the payoffs on common futures, both sides' utilities, the Pareto
frontier and the Nash and Kalai–Smorodinsky points. The candidates are the 10,000-variant
grid of `bench_payoffs.py` around korea-final-2025-11. Run with `make bench`."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pactlab as pl
from pactlab.analysis.negotiate import Preferences, ks_point, nash_point, pareto_front, utilities

sys.path.insert(0, str(Path(__file__).parent))
from bench_payoffs import variants


def main() -> None:
    base = pl.load_pact("korea-final-2025-11")
    pl.payoffs([base], pl.futures(200, 0))      # compile / load the numba cache
    start = time.perf_counter()
    grid = variants(base)
    f = pl.futures(10_000, 0)
    pay = pl.payoffs(grid, f, components=False)
    t_pay = time.perf_counter() - start
    util = utilities(pay, Preferences.from_assumptions(f.assumptions)).constrained()
    front = pareto_front(util)
    nash, ks = nash_point(util, (0, 0)), ks_point(util, (0, 0))
    total = time.perf_counter() - start
    print(f"negotiation over {len(grid):,} candidates on {f.paths:,} paths: {total:.1f} s end to end "
          f"(target <= 60 s); variants and payoffs {t_pay:.1f} s, utilities and solutions "
          f"{total - t_pay:.1f} s")
    print(f"  frontier {len(front)} candidates; Nash {pay.labels[nash]}; KS {pay.labels[ks]}")


if __name__ == "__main__":
    main()
