"""`pactlab.explore`, the public name of :mod:`pactlab.analysis.explore` (where its code lives)."""
from .analysis.explore import *  # noqa: F403
from .analysis.explore import __all__  # noqa: F401
