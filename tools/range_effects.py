"""The effect of each plausible range on a pact's headline, one input at a time: the table in
SOURCES.md ("What each range does to the headline"). Prints Markdown.

    .venv/bin/python tools/range_effects.py [PACT] [PATHS] [SEED]

Every point meets the same futures (common random numbers); term ranges and inputs of other
investors are left out (``pactlab evaluate`` screens the same points for verdict flips).
"""
from __future__ import annotations

import sys

import pactlab as pl
from pactlab.inputs.ranges import load_ranges


def _gains(pact: str, paths: int, seed: int, a: pl.Assumptions) -> tuple[float, float]:
    gain = pl.evaluate(pact, paths, seed, assumptions=a).metrics["gain"]
    return gain["investor_mean"], gain["host_mean"]


def _shown(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value).lower()


def main(pact: str = "korea-final-2025-11", paths: int = 1_000, seed: int = 0) -> None:
    a = pl.load_assumptions()
    code = pl.load_pact(pact).parties.investor_code
    base = _gains(pact, paths, seed, a)
    print(f"`{pact}`, {paths:,} futures, seed {seed}: investor {base[0]:+.1f}, host "
          f"{base[1]:+.1f} (USD bn, mean gain over no deal) at the defaults\n")
    print("| input | default | range | investor's mean gain, low / high | host's |")
    print("|---|---|---|---|---|")
    for r in load_ranges(a):
        other = r.key.startswith(("macro.", "discount.investor.")) and f".{code}" not in r.key
        if r.kind != "assumption" or other:
            continue
        ends = r.levels if r.levels is not None else (r.low, r.high)
        moved = [_gains(pact, paths, seed, a.with_values({r.key: v})) for v in ends]
        span = ", ".join(map(_shown, ends)) if r.levels is not None else f"{r.low:g}–{r.high:g}"
        inv = " / ".join(f"{g[0] - base[0]:+.1f}" for g in moved)
        host = " / ".join(f"{g[1] - base[1]:+.1f}" for g in moved)
        print(f"| `{r.key}` | {_shown(r.default)} | {span} | {inv} | {host} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*(args[:1] or ["korea-final-2025-11"]), *(int(x) for x in args[1:3]))
