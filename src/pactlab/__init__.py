"""pactlab: what an investment-for-tariff pact pays each side, and how risky it is."""
from __future__ import annotations

__version__ = "0.1.0"
