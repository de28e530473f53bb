"""The pacts a request may name (moved to :mod:`pactlab.app.pacts`, shared with the command
line); re-exported for the web's modules."""
from __future__ import annotations

from ..pacts import pact_from, pact_schema, preset, preset_toml

__all__ = ["pact_from", "pact_schema", "preset", "preset_toml"]
