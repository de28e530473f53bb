"""Bargaining over 10,000 candidate deals on 10,000 paths, end to end (target <= 60 s on the
2-core development machine): the payoffs on common futures, both sides' utilities, the Pareto
frontier and the Nash and Kalai–Smorodinsky points. The candidates are the 10,000-variant
grid of `bench_payoffs.py` around korea-final-2025-11. Then the command a negotiator types,
`pactlab negotiate korea-final-2025-11 --space korea --sample lhs --n 1000 --paths 2000`, in a
fresh process (issue "Every variant distinct, still fast": <= 10 s), start-up included. Run with
`make bench`."""
from __future__ import annotations

import subprocess
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
    name = lambda i: "none (no candidate beats no deal for both)" if i is None else pay.labels[i]
    print(f"  frontier {len(front)} candidates; Nash {name(nash)}; KS {name(ks)}")
    negotiate_command()


NEGOTIATE = ["negotiate", "korea-final-2025-11", "--space", "korea", "--sample", "lhs",
             "--n", "1000", "--paths", "2000", "--json"]


def negotiate_command() -> None:
    """Wall time of the negotiation command in a fresh process, beside its start-up alone."""
    run = lambda args: subprocess.run([sys.executable, "-m", "pactlab", *args], check=True,
                                      stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    run(["--version"])
    startup = time.perf_counter() - start
    start = time.perf_counter()
    run(NEGOTIATE)
    wall = time.perf_counter() - start
    print(f"pactlab {' '.join(NEGOTIATE[:-1])}: {wall:.1f} s (target <= 10 s; "
          f"start-up {startup:.1f} s)")


if __name__ == "__main__":
    main()
