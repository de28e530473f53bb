"""The pacts a request may name: a preset (checked against the preset list) or a whole term
sheet sent inline. Never a path: the service reads no file on a request's behalf, and a name
never resolves against the working directory (the command line reads a file at its edge and
sends its contents inline)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from ..core.errors import PactError
from ..inputs.terms import Pact, file_label, preset_names, read_toml, validate_pact

_PRESETS = resources.files("pactlab.inputs.terms") / "presets"


def preset(name: str) -> Pact:
    """A built-in term sheet by name, read from the package (never from the working directory)."""
    if name not in preset_names():
        raise PactError(f"{name[:60]!r}: not a preset; presets are {', '.join(preset_names())}")
    return validate_pact(read_toml(_PRESETS / f"{name}.toml", f"{name}.toml"), f"{name}.toml")


def preset_toml(name: str) -> str:
    """A preset's own text, its sources in comments."""
    preset(name)
    return (_PRESETS / f"{name}.toml").read_text(encoding="utf-8")


def pact_from(value: str | dict[str, Any], field: str, file: str | None = None) -> Pact:
    """The pact a request names in `field`: a preset's name or an inline term sheet (read from
    `file` by the command line: errors and labels name that file; nothing is read here).
    Anything else (a path, a file's name, a 300-character string) is a one-line error that does
    not echo it: whether such a file exists is none of the caller's business."""
    if isinstance(value, dict):
        if file is None:
            return validate_pact(value, field)
        pact = validate_pact(value, file_label(Path(file)))
        pact._source = file          # as load_pact does: labels name a copy by its file
        return pact
    if isinstance(value, str) and value in preset_names():
        return preset(value)
    raise PactError(f"{field}: not a preset; send a preset's name ({', '.join(preset_names())}) "
                    "or a whole term sheet as an object (the server reads no file)")


def pact_schema() -> dict[str, Any]:
    """What the OpenAPI schema says `pact` is: a preset's name or a non-empty term sheet."""
    return {"anyOf": [{"type": "string", "enum": preset_names(), "title": "a preset's name"},
                      {"type": "object", "minProperties": 1, "additionalProperties": True,
                       "title": "a whole term sheet (the TOML's tables as JSON)"}]}
