"""When does a deal turn bad? Sweeps over uncertainties and levers, on one machine or a Dask
cluster, streamed to disk and resumable; sensitivity (Sobol, Morris) and scenario discovery
(PRIM).

>>> from pactlab.analysis.explore import prim
"""
from __future__ import annotations

from .analysis import Discovery, Sensitivity, cases, discover, sensitivity
from .executors import EXECUTORS, make_executor
from .points import point_seed
from .prim import PrimResult, prim
from .run import explore
from .spec import OUTCOMES, Factor, Sampler, Spec, load_spec
from .store import Store, load_results

__all__ = [
    "EXECUTORS", "OUTCOMES", "Discovery", "Factor", "PrimResult", "Sampler", "Sensitivity", "Spec",
    "Store", "cases", "discover", "explore", "load_results", "load_spec", "make_executor",
    "point_seed", "prim", "sensitivity",
]
