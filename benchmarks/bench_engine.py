"""Speed of the engine's hot path, beside the baselines users would otherwise reach for.

Run with `make bench`. Prints series/s for: pactlab's fused waterfall + NPV + IRR kernel,
pactlab's row-wise IRR alone, a whole-array numpy Newton, pyxirr in a loop and
numpy-financial in a loop; then `pactlab evaluate korea-final-2025-11 --paths 100000`
end to end (process start included). Targets (spine issue): fused kernel on 1,000,000 x 50
in <= 0.15 s; the CLI run in <= 5 s.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from pactlab.engine.finance import irr
from pactlab.engine.waterfall import Tier, investor_npv_irr


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def make_inputs(paths: int, years: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    contrib = np.zeros((paths, years))
    contrib[:, 0] = 100.0
    contrib[:, 1] = rng.uniform(0.0, 50.0, paths)
    cash = np.zeros((paths, years))
    cash[:, 3:] = rng.gamma(2.0, 6.0, (paths, years - 3))
    return cash, contrib


def numpy_newton(flows: np.ndarray, iters: int = 30) -> np.ndarray:
    """Whole-array Newton: every row iterates until the slowest converges."""
    t = np.arange(flows.shape[1])
    r = np.full(flows.shape[0], 0.05)
    for _ in range(iters):
        x = (1.0 + r)[:, None] ** -t
        value = (flows * x).sum(axis=1)
        slope = -(flows * t * x / (1.0 + r)[:, None]).sum(axis=1)
        r = r - value / slope
    return r


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tiers = [Tier(0.5, 0.05), Tier(0.1)]
    cash, contrib = make_inputs(args.paths, args.years)
    print(f"inputs: {args.paths:,} paths x {args.years} years (float64, {cash.nbytes / 1e6:.0f} MB each)")

    investor_npv_irr(cash[:1000], contrib[:1000], tiers, 0.045)  # compile / load the cache
    fused = best_of(lambda: investor_npv_irr(cash, contrib, tiers, 0.045), args.repeat)
    rows = [("pactlab fused waterfall+NPV+IRR", args.paths / fused, fused)]

    flows = cash[:200_000] - contrib[:200_000]
    irr(flows[:100])
    t_irr = best_of(lambda: irr(flows), args.repeat)
    rows.append(("pactlab irr (row-wise, numba)", len(flows) / t_irr, t_irr))
    t_np = best_of(lambda: numpy_newton(flows), 1)
    rows.append(("numpy whole-array Newton (30 it.)", len(flows) / t_np, t_np))
    try:
        import pyxirr
        sample = flows[:100_000]
        t_px = best_of(lambda: [pyxirr.irr(row) for row in sample], 1)
        rows.append(("pyxirr.irr in a loop", len(sample) / t_px, t_px))
    except ImportError:
        pass
    import numpy_financial as npf
    sample = flows[:2_000]
    t_npf = best_of(lambda: [npf.irr(row) for row in sample], 1)
    rows.append(("numpy_financial.irr in a loop", len(sample) / t_npf, t_npf))

    print(f"{'method':<38}{'series/s':>14}{'seconds':>10}")
    for name, rate, secs in rows:
        print(f"{name:<38}{rate:>14,.0f}{secs:>10.3f}")
    print(f"fused kernel, {args.paths:,} x {args.years}: {fused:.3f} s (target <= 0.15 s for 1M x 50)")

    exe = Path(sys.executable).with_name("pactlab")
    cmd = [str(exe), "evaluate", "korea-final-2025-11", "--paths", "100000", "--json"]
    subprocess.run(cmd, check=True, capture_output=True)  # warm the numba cache
    t_cli = best_of(lambda: subprocess.run(cmd, check=True, capture_output=True), 2)
    print(f"pactlab evaluate korea-final-2025-11 --paths 100000: {t_cli:.2f} s end to end "
          f"(target <= 5 s)")


if __name__ == "__main__":
    main()
