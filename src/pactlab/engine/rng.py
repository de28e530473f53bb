"""Named, independent random streams from one seed, in fixed blocks of paths.

Each component asks for its generator by name (``"markets/shocks"``, ``"projects/Alaska LNG"``)
and block, never by position, so the same seed gives the same draws for a component whatever
else the deal selects: two deals are compared on the same futures (common random numbers).
Paths are drawn in blocks of :data:`BLOCK`; block ``k`` holds paths ``k*BLOCK`` onwards, and its
streams are keyed by ``(name, k)``. Draws are laid out path-major, so the first ``n`` paths of a
block are the same whether the block is drawn whole or in part: any run is the prefix of a
longer one, and working through paths block by block gives the same numbers as all at once.

>>> s = streams(7)
>>> a = s("markets/sofr").standard_normal(3)
>>> bool((a == streams(7)("markets/sofr").standard_normal(3)).all())
True
>>> bool((a == streams(7)("markets/energy").standard_normal(3)).any())
False
>>> bool((a == streams(7)("markets/sofr", block=1).standard_normal(3)).any())
False
"""
from __future__ import annotations

import hashlib
from typing import Protocol

import numpy as np

#: paths per block: the unit of chunked work and of stream keys
BLOCK = 16_384


class Streams(Protocol):
    def __call__(self, name: str, block: int = 0) -> np.random.Generator: ...


def _key(name: str) -> tuple[int, ...]:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


def streams(seed: int) -> Streams:
    """A factory of named streams: ``streams(seed)(name, block)`` is a fresh generator.

    Parameters
    ----------
    seed : int, >= 0

    Returns
    -------
    Streams
        Call it with a component's name (and block) for that component's own
        :class:`numpy.random.Generator`.

    Raises
    ------
    ValueError
        If `seed` is not a non-negative integer.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")

    def generator(name: str, block: int = 0) -> np.random.Generator:
        key = (*_key(name), int(block))
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=key)))

    return generator
