"""Errors, units, file writes: what every layer below the engine's callers shares."""
