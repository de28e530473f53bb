"""Where is the middle ground? Bargaining over pact terms, on common simulated futures.

>>> from pactlab.analysis.negotiate import pareto_front, nash_point, ks_point, rubinstein_share
"""
from __future__ import annotations

from .agents import Agent, Outcome, alternating_offers
from .run import SOLUTIONS, Negotiation, negotiate
from .solutions import (
    egalitarian_point,
    individually_rational,
    ks_point,
    nash_point,
    pareto_front,
    rubinstein_share,
    utilitarian_point,
    zopa,
)
from .space import SPACES, Candidates, Issue, IssueSpace, korea_space, parse_issue
from .utility import Preferences, Utilities, utilities

__all__ = [
    "SOLUTIONS", "SPACES", "Agent", "Candidates", "Issue", "IssueSpace", "Negotiation", "Outcome",
    "Preferences", "Utilities", "alternating_offers", "egalitarian_point", "individually_rational",
    "korea_space", "ks_point", "nash_point", "negotiate", "pareto_front", "parse_issue",
    "rubinstein_share", "utilitarian_point", "utilities", "zopa",
]
