"""Sweep throughput (issue "When does a deal turn bad?"): points per second for 1,000 points
x 2,000 paths of korea-final-2025-11 on 1 and 2 worker processes (target: >= 80% efficiency
going from 1 to 2), and each executor's overhead per task, measured with the Ishigami test
function (whose own cost is microseconds) at one point per task. Run with `make bench`."""
from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

from pactlab.analysis.explore import explore

SPEC = """
name = "bench"
pacts = ["korea-final-2025-11"]
outcomes = ["investor_gain_mean", "investor_p_loss", "p_crisis", "irr_p50"]
[uncertainties]
"fx.sudden_stop_prob" = {{ low = 0.01, high = 0.12 }}
"trade.deal_withdrawal_prob" = {{ low = 0.02, high = 0.3 }}
"markets.sofr.long_run" = {{ low = 0.02, high = 0.045 }}
[levers]
"schedule.annual_cap" = {{ low = 10.0, high = 40.0 }}
[sampler]
points = {points}
paths = {paths}
seed = 0
"""

ISHIGAMI = "\n".join([
    'name = "overhead"', 'model = "ishigami"', 'outcomes = ["y"]', "[uncertainties]",
    *(f"x{i} = {{ low = {-math.pi!r}, high = {math.pi!r} }}" for i in (1, 2, 3)),
    "[sampler]", "points = {points}", "seed = 0", ""])


def timed(spec_text: str, executor: str, workers: int, chunk_size: int | None = None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.toml"
        spec.write_text(spec_text, encoding="utf-8")
        start = time.perf_counter()
        explore(spec, Path(tmp) / "run", executor=executor, workers=workers, chunk_size=chunk_size)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000)
    parser.add_argument("--paths", type=int, default=2_000)
    args = parser.parse_args()
    spec = SPEC.format(points=args.points, paths=args.paths)
    timed(SPEC.format(points=4, paths=100), "serial", 1)          # compile / load the numba cache
    one = timed(spec, "processes", 1)
    two = timed(spec, "processes", 2)
    print(f"{args.points:,} points x {args.paths:,} paths (processes executor):")
    print(f"  1 worker : {one:6.1f} s  {args.points / one:6.1f} points/s")
    print(f"  2 workers: {two:6.1f} s  {args.points / two:6.1f} points/s  "
          f"efficiency {one / (2 * two):.0%} (target >= 80%)")
    n = 400
    print(f"overhead per task, Ishigami, one point per task ({n} tasks):")
    for executor, workers in (("serial", 1), ("processes", 2), ("dask", 2)):
        total = timed(ISHIGAMI.replace("{points}", str(n)), executor, workers, chunk_size=1)
        print(f"  {executor:<9} ({workers} worker{'s' if workers > 1 else ''}): "
              f"{total / n * 1e3:6.2f} ms a task, start-up included ({total:.1f} s)")


if __name__ == "__main__":
    main()
