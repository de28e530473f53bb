"""`pactlab.negotiate`, the public name of :mod:`pactlab.analysis.negotiate` (where its code lives)."""
from .analysis.negotiate import *  # noqa: F403
from .analysis.negotiate import __all__  # noqa: F401
