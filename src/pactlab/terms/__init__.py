"""Term sheets: load a pact from a preset name or a TOML file, and write one out."""
from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from ..errors import PactError
from .schema import Pact, set_path, split_path, validate_pact

__all__ = ["Pact", "flat_terms", "load_pact", "pact_to_toml", "preset_names", "read_toml", "set_path",
           "split_path"]

_PRESETS = resources.files(__package__) / "presets"


def preset_names() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in _PRESETS.iterdir() if p.name.endswith(".toml"))


def read_toml(path: Path | Any, label: str) -> dict[str, Any]:
    """Parse a TOML file into a dict; every failure is a one-line PactError naming `label`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PactError(f"{label}: no such file") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise PactError(f"{label}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PactError(f"{label}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PactError(f"{label}: not valid TOML: {exc}") from None


def load_pact(name_or_path: str | Path) -> Pact:
    """A preset by name (see `pactlab presets`) or a term sheet from a .toml file."""
    text = str(name_or_path)
    path = Path(text)
    if text.endswith(".toml") or path.exists():
        return validate_pact(read_toml(path, path.name), path.name)
    resource = _PRESETS / f"{text}.toml"
    if not resource.is_file():
        raise PactError(
            f"{text}: not a preset or a .toml file; presets are: {', '.join(preset_names())}")
    return validate_pact(read_toml(resource, f"{text}.toml"), f"{text}.toml")


def flat_terms(pact: Pact) -> list[tuple[str, object, bool]]:
    """Every term as (dotted path, value, assumed?), e.g. ('waterfall.tiers[0].hurdle', …)."""
    rows: list[tuple[str, object, bool]] = []

    def walk(node: object, prefix: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}" if prefix else key)
        elif isinstance(node, (list, tuple)) and node and isinstance(node[0], dict):
            for i, value in enumerate(node):
                walk(value, f"{prefix}[{i}]")
        else:
            rows.append((prefix, node, prefix in pact.assumed))

    walk(pact.model_dump(exclude={"name", "title", "description", "assumed"}, exclude_none=True), "")
    return rows


def pact_to_toml(pact: Pact) -> str:
    """The pact as TOML that `load_pact` reads back to an equal Pact."""
    return tomli_w.dumps(pact.model_dump(mode="python", exclude_none=True))
