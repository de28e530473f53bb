"""Term sheets: load a pact from a preset name or a TOML file, and write one out."""
from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from ..errors import PactError
from .fields import TermField, term_fields
from .schema import Pact, set_path, split_path, validate_pact

__all__ = ["Pact", "TermField", "load_pact", "pact_label", "pact_to_toml", "preset_names",
           "read_toml", "set_path", "source_toml", "split_path", "term_fields", "unique_labels"]

_PRESETS = resources.files(__package__) / "presets"


def preset_names() -> list[str]:
    return list(_preset_names())


@cache
def _preset_names() -> tuple[str, ...]:
    return tuple(sorted(p.name.removesuffix(".toml") for p in _PRESETS.iterdir()
                        if p.name.endswith(".toml")))


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
    except RecursionError:
        raise PactError(f"{label}: nested too deeply to be a term sheet (arrays or tables "
                        "inside one another hundreds of levels deep)") from None


def load_pact(name_or_path: str | Path) -> Pact:
    """A preset by name (see `pactlab presets`) or a term sheet from a .toml file."""
    text = str(name_or_path)
    path = Path(text)
    if text.endswith(".toml") or path.exists():
        pact = validate_pact(read_toml(path, path.name), path.name)
        pact._source = str(path)
        return pact
    resource = _PRESETS / f"{text}.toml"
    if not resource.is_file():
        raise PactError(
            f"{text}: not a preset or a .toml file; presets are: {', '.join(preset_names())}")
    return validate_pact(read_toml(resource, f"{text}.toml"), f"{text}.toml")


def source_toml(name_or_path: str | Path) -> str:
    """A term sheet's own text, comments (sources, units) included: a preset's file, or the
    file itself. Validated first, so what is written is a sheet `load_pact` reads."""
    load_pact(name_or_path)
    text = str(name_or_path)
    resource = _PRESETS / f"{text}.toml"
    if not (text.endswith(".toml") or Path(text).exists()) and resource.is_file():
        return resource.read_text(encoding="utf-8")
    return Path(text).read_text(encoding="utf-8")


def pact_to_toml(pact: Pact) -> str:
    """The pact as TOML that `load_pact` reads back to an equal Pact."""
    return tomli_w.dumps(pact.model_dump(mode="python", exclude_none=True))


def pact_label(pact: Pact) -> str:
    """How a pact is named in tables: its name; a copy read from a file whose name is a preset's
    is named by the file's stem; changes made by `with_terms` or ``--term`` are listed, e.g.
    ``korea-final-2025-11 (schedule.annual_cap=30)``."""
    label = pact.name
    if pact.source is not None and pact.name in _preset_names():
        label = Path(pact.source).stem
    if pact.overrides:
        label += f" ({', '.join(f'{k}={_short(v)}' for k, v in pact.overrides.items())})"
    return label


def unique_labels(pacts: Sequence[Pact]) -> list[str]:
    """One label per pact, never two alike: a label already taken gets ' [2]', ' [3]', …"""
    out: list[str] = []
    taken: set[str] = set()
    for pact in pacts:
        label = first = pact_label(pact)
        k = 1
        while label in taken:
            k += 1
            label = f"{first} [{k}]"
        out.append(label)
        taken.add(label)
    return out


def _short(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (int, str)):
        return str(value)
    text = json.dumps(value, default=str, separators=(",", ":"))
    return text if len(text) <= 40 else text[:39] + "…"
