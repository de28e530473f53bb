"""Term sheets: load a pact from a preset name or a TOML file, and write one out."""
from __future__ import annotations

import difflib
import json
import os
import stat
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from ...core.errors import PactError
from .fields import TermField, term_fields
from .schema import Pact, set_path, split_path, validate_pact

__all__ = ["MAX_TOML_BYTES", "Pact", "TermField", "file_label", "load_pact", "looks_like_path",
           "pact_label", "pact_to_toml", "preset_names", "read_capped", "read_toml", "resolve_pact",
           "set_path", "source_toml", "split_path", "term_fields", "unique_labels"]

_PRESETS = resources.files(__package__) / "presets"


def preset_names() -> list[str]:
    return list(_preset_names())


@cache
def _preset_names() -> tuple[str, ...]:
    return tuple(sorted(p.name.removesuffix(".toml") for p in _PRESETS.iterdir()
                        if p.name.endswith(".toml")))


#: the most a term sheet (or any TOML input) may weigh; real ones are a few kB
MAX_TOML_BYTES = 1 << 20
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int, label: str) -> PactError | None:
    """An error unless `mode` is a regular file's (a FIFO would block, a device never ends)."""
    if stat.S_ISREG(mode):
        return None
    kind = next((k for test, k in _KINDS if test(mode)), "not a file")
    return PactError(f"{label}: not a regular file ({kind})")


def read_capped(path: Path, label: str, cap: int = MAX_TOML_BYTES) -> bytes:
    """The bytes of a regular file of at most `cap` bytes; anything else (missing, a folder, a
    FIFO, a device, unreadable, a bad or too long name, too big) is a one-line PactError."""
    try:
        problem = _not_regular(os.stat(path).st_mode, label)
        if problem is not None:
            raise problem           # checked before opening: opening a FIFO blocks
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            problem = _not_regular(os.fstat(fh.fileno()).st_mode, label)   # swapped meanwhile?
            if problem is not None:
                raise problem
            raw = fh.read(cap + 1)
    except PactError:
        raise
    except FileNotFoundError:
        raise PactError(f"{label}: no such file") from None
    except OSError as exc:
        raise PactError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    except ValueError:               # an embedded NUL byte
        raise PactError(f"{label}: not a valid file name") from None
    if len(raw) > cap:
        raise PactError(f"{label}: larger than {cap / (1 << 20):g} MiB; a term sheet is a few kB")
    return raw


def read_toml(path: Path | Any, label: str) -> dict[str, Any]:
    """Parse a TOML file into a dict; every failure is a one-line PactError naming `label`.
    A file on disk is read with :func:`read_capped`; a UTF-8 byte-order mark is skipped."""
    raw = read_capped(Path(path), label) if isinstance(path, (str, os.PathLike)) else path.read_bytes()
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise PactError(f"{label}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PactError(f"{label}: not valid TOML: {exc}") from None
    except RecursionError:
        raise PactError(f"{label}: nested too deeply to be a term sheet (arrays or tables "
                        "inside one another hundreds of levels deep)") from None


def file_label(path: Path) -> str:
    """How errors name a file: its name (not its folders), shortened if absurdly long."""
    return _shorten(path.name or str(path))


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def looks_like_path(text: str) -> bool:
    """Whether a pact argument names a file: it has a folder separator or ends in .toml."""
    separators = [s for s in ("/", os.sep, os.altsep) if s]
    return text.endswith(".toml") or any(s in text for s in separators)


def resolve_pact(name_or_path: str | Path) -> str | Path:
    """A preset's name, or the Path of a term-sheet file. Presets win: a bare name is never
    looked up in the working directory (a stray file there must not replace a preset); only a
    Path, or text that looks like a path (see :func:`looks_like_path`), is a file."""
    if isinstance(name_or_path, os.PathLike):
        return Path(name_or_path)
    text = str(name_or_path)
    if text in _preset_names():
        return text
    if looks_like_path(text):
        return Path(text)
    shown = _shorten(text)
    near = difflib.get_close_matches(text, _preset_names(), n=1)
    hint = f"did you mean {near[0]}?" if near else f"presets are: {', '.join(_preset_names())}"
    raise PactError(f"{shown}: not a preset; {hint} (a file needs a path: ./{shown} or a .toml name)")


def load_pact(name_or_path: str | Path) -> Pact:
    """A preset by name (see `pactlab presets`) or a term sheet from a file (a Path, or text with
    a '/' or ending in .toml); see :func:`resolve_pact`."""
    found = resolve_pact(name_or_path)
    if isinstance(found, Path):
        label = file_label(found)
        pact = validate_pact(read_toml(found, label), label)
        pact._source = str(found)
        return pact
    return validate_pact(read_toml(_PRESETS / f"{found}.toml", f"{found}.toml"), f"{found}.toml")


def source_toml(name_or_path: str | Path) -> str:
    """A term sheet's own text, comments (sources, units) included: a preset's file, or the
    file itself. Validated first, so what is written is a sheet `load_pact` reads."""
    load_pact(name_or_path)
    found = resolve_pact(name_or_path)
    if isinstance(found, Path):
        return read_capped(found, file_label(found)).decode("utf-8").removeprefix("\ufeff")
    return (_PRESETS / f"{found}.toml").read_text(encoding="utf-8")


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
