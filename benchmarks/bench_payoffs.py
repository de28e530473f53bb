"""Many pacts on one set of futures, and one pact on many paths.

Run with `make bench`. Prints, measured in the same run:

* `payoffs` for a grid of 10,000 variants of korea-final-2025-11 (annual cap x MOU cash share x
  tier-1 share x tier-2 share x swap line x deal tariff) on 10,000 paths — target <= 60 s on
  the 2-core development machine — beside a loop of `evaluate` over a sample of the same
  variants, extrapolated to the whole grid;
* `payoffs` of 200 distinct LHS variants (annual cap, MOU cash share, tier-1 share, swap line,
  and the deal tariff continuous over 10-20% or fixed at 15%) on 10,000 paths, in ms a variant,
  beside the fused waterfall + NPV + IRR kernel's time on the same paths x 50 years in this run
  (issue "Every variant distinct, still fast": <= 6 ms a variant; a continuous tariff at most
  1.5x a fixed one);
* `pactlab evaluate korea-final-2025-11` at 100,000 and 1,000,000 paths: wall time and peak
  resident memory of the process (target <= 2 GB at 1M).
"""
from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time

import numpy as np

import pactlab as pl

LEVERS = {
    "schedule.annual_cap": [10.0, 15.0, 20.0, 30.0, 40.0],
    "mou_share": [0.3, 0.45, 4 / 7, 0.7, 0.85],
    "waterfall.tiers[0].investor_share": [0.4, 0.5, 0.6, 0.7],
    "waterfall.tiers[1].investor_share": [0.1, 0.15, 0.2, 0.25, 0.3],
    "fx.swap_line": [0.0, 20.0, 50.0, float("inf")],
    "tariffs.deal.general": [0.10, 0.125, 0.15, 0.175, 0.20],
}


#: the LHS design's ranges (each variant distinct: nothing shared but the futures)
LHS = {"schedule.annual_cap": (10.0, 40.0), "mou_share": (0.3, 0.85),
       "waterfall.tiers[0].investor_share": (0.4, 0.7), "fx.swap_line": (0.0, 60.0),
       "tariffs.deal.general": (0.10, 0.20)}


def lhs_variants(base: pl.Pact, n: int, *, fixed_tariff: bool) -> list[pl.Pact]:
    """`n` distinct variants on a Latin hypercube over :data:`LHS` (the tariff at 15% if fixed)."""
    from scipy.stats import qmc
    unit = qmc.LatinHypercube(d=len(LHS), seed=1).random(n)
    low, high = (np.array([r[i] for r in LHS.values()]) for i in (0, 1))
    out = []
    for row in qmc.scale(unit, low, high):
        terms = dict(zip(LHS, row.tolist(), strict=True))
        share = terms.pop("mou_share")
        if fixed_tariff:
            terms["tariffs.deal.general"] = 0.15
        terms |= {"tranches[0].amount": base.commitment * share,
                  "tranches[1].amount": base.commitment * (1 - share)}
        out.append(base.with_terms(terms))
    return out


def distinct_variants(base: pl.Pact, paths: int, n: int = 200) -> None:
    """The LHS benchmark (module docstring): ms a variant, continuous vs fixed tariff."""
    from pactlab.engine.waterfall import Tier, investor_npv_irr
    f = pl.futures(paths, 0)
    rng = np.random.default_rng(0)
    cash = rng.gamma(2.0, 6.0, (paths, 50))
    contrib = np.zeros((paths, 50))
    contrib[:, 0] = 100.0
    tiers = [Tier(0.5, 0.05), Tier(0.1)]
    investor_npv_irr(cash[:100], contrib[:100], tiers, 0.045)
    start = time.perf_counter()
    investor_npv_irr(cash, contrib, tiers, 0.045)
    fused = time.perf_counter() - start
    print(f"{n} distinct LHS variants of korea-final-2025-11 on {paths:,} paths "
          f"(fused kernel on {paths:,} x 50 in this run: {fused * 1e3:.1f} ms)")
    per = {}
    for fixed in (True, False):
        grid = lhs_variants(base, n, fixed_tariff=fixed)
        start = time.perf_counter()
        pl.payoffs(grid, f)
        per[fixed] = (time.perf_counter() - start) / n
        label = "deal tariff fixed at 15%" if fixed else "deal tariff continuous 10-20%"
        print(f"  {label + ':':34s} {per[fixed] * 1e3:8.1f} ms a variant (target <= 6 ms; "
              f"10k x 10k: ~{per[fixed] * 10_000:,.0f} s)")
    print(f"  continuous / fixed:                 {per[False] / per[True]:8.2f} x (target <= 1.5 x)")


def variants(base: pl.Pact) -> list[pl.Pact]:
    """The grid: the MOU cash share splits the $350B between the cash and the guarantees."""
    out = []
    total = base.commitment
    for values in itertools.product(*LEVERS.values()):
        terms = dict(zip(LEVERS, values, strict=True))
        share = terms.pop("mou_share")
        terms |= {"tranches[0].amount": total * share, "tranches[1].amount": total * (1 - share)}
        out.append(base.with_terms(terms))
    return out


PEAK = """
import sys
from pactlab.app.cli import main
try:
    main(sys.argv[1:])
finally:
    # VmHWM is this process's own high-water mark (getrusage and wait4 carry the parent's
    # across fork and exec, and the parent holds gigabytes of payoffs by now)
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(hwm.split()[1], file=sys.stderr)
"""


def peak_run(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in GB) of `pactlab ARGS` in a fresh process."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", PEAK, *args], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"pactlab {' '.join(args)} failed: {run.stderr}")
    return wall, int(run.stderr.strip().splitlines()[-1]) * 1024 / 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20, help="variants in the evaluate loop")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--only-lhs", action="store_true", help="just the distinct variants")
    args = parser.parse_args()
    base = pl.load_pact("korea-final-2025-11")
    pl.payoffs([base], pl.futures(200, 0))           # compile / load the numba cache
    distinct_variants(base, args.paths)
    if args.only_lhs:
        return

    start = time.perf_counter()
    grid = variants(base)
    t_terms = time.perf_counter() - start
    f = pl.futures(args.paths, 0)
    start = time.perf_counter()
    pay = pl.payoffs(grid, f)
    t_pay = time.perf_counter() - start

    pick = np.random.default_rng(0).choice(len(grid), args.sample, replace=False)
    start = time.perf_counter()
    for i in pick:
        ev = pl.evaluate(grid[i], futures=f)
        assert np.array_equal(ev.gains.total("investor"), pay.investor[i])
    t_loop = (time.perf_counter() - start) / args.sample

    print(f"{len(grid):,} variants of korea-final-2025-11 on {args.paths:,} paths")
    print(f"  building the variants (with_terms):   {t_terms:8.1f} s")
    print(f"  payoffs, one pass:                     {t_pay:8.1f} s   (target <= 60 s)")
    print(f"  evaluate in a loop, per variant:       {t_loop * 1e3:8.0f} ms  "
          f"({args.sample} sampled; x {len(grid):,} = {t_loop * len(grid):,.0f} s)")
    print(f"  speed-up of payoffs over the loop:     {t_loop * len(grid) / t_pay:8.0f} x")

    if args.skip_cli:
        return
    for paths in (100_000, 1_000_000):
        wall, rss = peak_run(["evaluate", "korea-final-2025-11", "--paths", str(paths), "--json"])
        print(f"pactlab evaluate korea-final-2025-11 --paths {paths:>9,}: {wall:6.1f} s, "
              f"peak RSS {rss:.2f} GB (target <= 2 GB at 1M)")


if __name__ == "__main__":
    main()
