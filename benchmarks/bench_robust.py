"""`robust` of the demo's four presets (Japan's MOU and Korea's three) at 128 points x 2,000
paths (issue "How sure is the verdict?", target: <= 60 s on the 2-core development machine):
wall time, time a point, and the target beside it. `--points`/`--paths` run a smaller design;
the set-up (the ranges, the defaults) is timed apart from the points, and the run extrapolated
to the target's 128 points. Run with `make bench`."""
from __future__ import annotations

import argparse
import time

import pactlab as pl

PRESETS = ["japan-mou-2025", "korea-us-demand-2025-09", "korea-counter-2025-09",
           "korea-final-2025-11"]
TARGET_POINTS, TARGET_S = 128, 60.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=TARGET_POINTS)
    parser.add_argument("--paths", type=int, default=2_000)
    args = parser.parse_args()
    pl.robust(PRESETS[:1], points=2, paths=100)           # compile / load the numba cache
    stamps: list[float] = []
    start = time.perf_counter()
    rob = pl.robust(PRESETS, points=args.points, paths=args.paths,
                    progress=lambda done, total: stamps.append(time.perf_counter()))
    total = time.perf_counter() - start
    n = rob.manifest["points"]
    setup, per = stamps[0] - start, (stamps[-1] - stamps[0]) / n
    rest = total - setup - per * n
    print(f"robust of {len(PRESETS)} presets, {n} points x {args.paths:,} paths over "
          f"{len(rob.ranges)} ranges: {total:.1f} s (target <= {TARGET_S:.0f} s at "
          f"{TARGET_POINTS} points x 2,000 paths)")
    print(f"  set-up and defaults {setup:.1f} s, {per:.2f} s a point, verdicts {rest:.1f} s; "
          f"at {TARGET_POINTS} points: ~{setup + per * TARGET_POINTS + rest:.0f} s")


if __name__ == "__main__":
    main()
