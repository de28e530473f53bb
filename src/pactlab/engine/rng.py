"""Named, independent random streams from one seed.

Each component asks for its generator by name (``"markets/sofr"``, ``"projects/Alaska LNG"``),
never by position, so the same seed gives the same draws for a component whatever else the
deal selects: two deals are compared on the same futures (common random numbers).

>>> s = streams(7)
>>> a = s("markets/sofr").standard_normal(3)
>>> bool((a == streams(7)("markets/sofr").standard_normal(3)).all())
True
>>> bool((a == streams(7)("markets/energy").standard_normal(3)).any())
False
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

Streams = Callable[[str], np.random.Generator]


def _key(name: str) -> tuple[int, ...]:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


def streams(seed: int) -> Streams:
    """A factory: ``streams(seed)(name)`` is a fresh generator for that name and seed."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")

    def generator(name: str) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=_key(name))))

    return generator
