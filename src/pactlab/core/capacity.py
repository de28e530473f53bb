"""How much memory a run may take: asked before a large allocation, so that a run that cannot
fit stops at once with one line instead of swapping."""
from __future__ import annotations

import os

from .errors import PactError

#: the share of the memory available now that one run may claim
SHARE = 0.7


def available_bytes() -> int:
    """Memory available to new allocations (MemAvailable on Linux; physical memory elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_fits(needed: int, what: str, hint: str) -> None:
    """Raise a one-line PactError if `needed` bytes exceed the share of memory a run may take."""
    limit = int(SHARE * available_bytes())
    if needed > limit:
        raise PactError(f"{what} needs about {needed / 1e9:.1f} GB of memory and "
                        f"{limit / 1e9:.1f} GB can be used here: {hint}")
