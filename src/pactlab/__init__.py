"""pactlab: what an investment-for-tariff pact pays each side, and how risky it is.

>>> import pactlab as pl
>>> pact = pl.load_pact("korea-final-2025-11")
>>> pact.commitment
350.0
>>> pact.with_terms({"schedule.annual_cap": 30}).schedule.annual_cap
30.0
"""
from __future__ import annotations

from pathlib import Path as _Path

from .core.numba_cache import ensure_numba_cache as _ensure_numba_cache

_ensure_numba_cache(_Path(__file__).parent)   # before any kernel is compiled

from ._version import __version__
from .analysis.explore.store import load_results
from .analysis.payoffs import Payoffs, payoffs
from .analysis.robust import Robustness, robust
from .analysis.valuation import Evaluation, compare, evaluate, evaluate_all
from .core.errors import PactError
from .inputs.assumptions import Assumptions, load_assumptions
from .inputs.terms import Pact, load_pact, preset_names
from .model.futures import Futures, futures

__all__ = [
    "Assumptions",
    "Evaluation",
    "Futures",
    "Pact",
    "PactError",
    "Payoffs",
    "Robustness",
    "__version__",
    "compare",
    "evaluate",
    "evaluate_all",
    "futures",
    "load_assumptions",
    "load_pact",
    "load_results",
    "payoffs",
    "preset_names",
    "robust",
]
