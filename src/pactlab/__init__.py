"""pactlab: what an investment-for-tariff pact pays each side, and how risky it is.

>>> import pactlab as pl
>>> pact = pl.load_pact("korea-final-2025-11")
>>> pact.commitment
350.0
>>> pact.with_terms({"schedule.annual_cap": 30}).schedule.annual_cap
30.0
"""
from __future__ import annotations

__version__ = "0.1.0"

from .assumptions import Assumptions, load_assumptions
from .errors import PactError
from .terms import Pact, load_pact, preset_names
from .valuation import Evaluation, compare, evaluate

__all__ = [
    "Assumptions",
    "Evaluation",
    "Pact",
    "PactError",
    "__version__",
    "compare",
    "evaluate",
    "load_assumptions",
    "load_pact",
    "preset_names",
]
