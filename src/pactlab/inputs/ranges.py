"""Plausible ranges: what a careful reader could defend instead of each default.

``data/ranges.toml`` holds one table per dotted key (the file's header gives the format):

* an **assumption** range (the default kind) is keyed by a ``--set`` key (``assumptions.toml``,
  ``macro.<code>.<field>``, ``archetypes.<name>.<field>``); its default is that key's value, and
  it must lie inside the range;
* a **term** range (``kind = "term"``) is keyed by a ``--term`` path (e.g.
  ``waterfall.daa_convention``) and applies to the pacts that have that term; its default is
  each pact's own value.

A range is numeric (``low``, ``high`` and a ``distribution``: ``"uniform"``, or ``"triangular"``
with its mode at the default) or categorical (``levels = [...]``), and always has a ``source``:
where the range comes from, or the reasoning for it. Every rule broken is one line naming the
file, the key and the rule (``ranges.toml: trade.deal_withdrawal_prob: low 0.3 is above high
0.2``).

The robust-verdicts analysis draws designs over these ranges; :mod:`pactlab.analysis.flips`
checks each one's ends against the headline verdicts; ``pactlab assumptions`` shows them.
"""
from __future__ import annotations

import difflib
import math
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..core.errors import PactError, echo, from_validation_error
from . import data
from .assumptions import Assumptions, load_assumptions
from .terms import file_label, read_toml, split_path
from .terms.fields import LABELS
from .terms.schema import Pact

__all__ = ["MISSING", "RANGES_FILE", "Range", "catalogue", "fixed_keys", "load_ranges",
           "plausible_text", "value_at", "value_text"]

#: the shipped ranges, in ``pactlab/inputs/data``
RANGES_FILE = "ranges.toml"
_FIELDS = ("kind", "low", "high", "distribution", "levels", "source")
#: what :func:`value_at` gives where a key has no value
MISSING = object()


class Range(BaseModel):
    """One input's plausible range (see the module docstring).

    Attributes
    ----------
    key : str
        The dotted ``--set`` key (``kind="assumption"``) or ``--term`` path (``kind="term"``).
    kind : {"assumption", "term"}
    low, high : float or None
        A numeric range's ends, in the key's own unit (whole numbers where the key takes them);
        None for a categorical one.
    distribution : {"uniform", "triangular"} or None
        How a design draws a numeric range (triangular: mode at the default); None for levels.
    levels : tuple or None
        A categorical range's choices (None for a numeric one).
    source : str
        Where the range comes from, or the reasoning for it.
    default : object
        The key's value under the assumptions the range was loaded for (None for a term range:
        each pact has its own).
    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    key: str = Field(min_length=1)
    kind: Literal["assumption", "term"] = "assumption"
    low: float | None = None
    high: float | None = None
    distribution: Literal["uniform", "triangular"] | None = None
    levels: Annotated[tuple[Any, ...], Field(strict=False, min_length=1)] | None = None
    source: str = Field(min_length=1)
    default: Any = None

    @model_validator(mode="before")
    @classmethod
    def _uniform_by_default(cls, data: Any) -> Any:
        """A numeric range is uniform unless it says otherwise."""
        if isinstance(data, Mapping) and data.get("levels") is None and (
                data.get("low") is not None or data.get("high") is not None):
            return {**data, "distribution": "uniform"} if data.get("distribution") is None \
                else data
        return data

    @model_validator(mode="after")
    def _shape(self) -> Range:
        numeric = self.low is not None or self.high is not None
        if numeric and self.levels is not None:
            raise ValueError("levels: give either low and high or levels, not both")
        if not numeric:
            _check_levels(self.levels, self.distribution)
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"{'high' if self.high is None else 'low'}: is required beside "
                             f"{'low' if self.high is None else 'high'}")
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("low: the ends must be finite numbers")
        if self.low > self.high:
            raise ValueError(f"low: {self.low:g} is above high ({self.high:g})")
        return self

    @property
    def numeric(self) -> bool:
        """True for a low–high range, False for levels."""
        return self.levels is None

    def points(self) -> tuple[Any, ...]:
        """The values a one-at-a-time check visits: (low, high), or every level."""
        assert self.levels is not None or (self.low is not None and self.high is not None)
        if self.levels is not None:
            return self.levels
        return tuple(dict.fromkeys((self.low, self.high)))

    def text(self) -> str:
        """The range as people read it: ``0.02–0.2 (uniform)`` or ``scheduled | compounding``."""
        return plausible_text(self.plausible())

    def to_dict(self) -> dict[str, Any]:
        """As ``robust --json`` lists ranges: key, kind, low, high, distribution (or levels),
        source."""
        head = {"key": self.key, "kind": self.kind}
        if self.levels is not None:
            return {**head, "levels": list(self.levels), "source": self.source}
        return {**head, "low": self.low, "high": self.high, "distribution": self.distribution,
                "source": self.source}

    def plausible(self) -> dict[str, Any]:
        """As ``pactlab assumptions --json`` shows it: low, high, distribution (or levels),
        source."""
        return {k: v for k, v in self.to_dict().items() if k not in ("key", "kind")}


def plausible_text(plausible: Mapping[str, Any] | None) -> str:
    """A range as :meth:`Range.plausible` gives it, as people read it.

    Parameters
    ----------
    plausible : mapping or None
        ``{low, high, distribution, ...}`` or ``{levels, ...}``; None for a key with no range.

    Returns
    -------
    str
        ``0.02–0.2 (uniform)``, ``scheduled | compounding``, or '–'.

    Examples
    --------
    >>> plausible_text({"low": 0.02, "high": 0.2, "distribution": "uniform"})
    '0.02–0.2 (uniform)'
    """
    if not plausible:
        return "–"
    if plausible.get("levels") is not None:
        return " | ".join(value_text(v) for v in plausible["levels"])
    return f"{plausible['low']:g}–{plausible['high']:g} ({plausible['distribution']})"


def value_text(value: Any) -> str:
    """A range's value as people read it (``true``, ``0.04``, ``scheduled``)."""
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check_levels(levels: tuple[Any, ...] | None, distribution: str | None) -> None:
    if levels is None:
        raise ValueError("low: is required (with high), or levels (a list of choices)")
    if distribution is not None:
        raise ValueError("distribution: only a numeric range (low, high) has one")
    for i, level in enumerate(levels):
        if isinstance(level, (list, tuple, dict)):
            raise ValueError(f"levels[{i}]: must be one value (a number, text or true/false), "
                             f"got {echo(level)}")
    if len(set(map(repr, levels))) != len(levels):
        raise ValueError(f"levels: each choice once, got {echo(list(levels))}")


# --- reading the file ---------------------------------------------------------------------------

def _tables(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Each range's (dotted key, table): a table holding any value that is not a table is one
    range (``["trade.x"]`` and ``[trade.x]`` read alike); one holding only tables is a prefix."""
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and value and all(isinstance(v, Mapping) for v in value.values()):
            yield from _tables(value, key + ".")
        else:
            yield key, value


def _entry(key: str, table: Any, label: str) -> Range:
    """One table of the file as a Range (no default yet), or a one-line PactError."""
    where = f"{label}: {key}"
    if not isinstance(table, Mapping):
        raise PactError(f"{where}: must be a table (low, high, source or levels, source), got "
                        f"{echo(table)}")
    for name in table:
        if name not in _FIELDS:
            near = difflib.get_close_matches(str(name), _FIELDS, n=1)
            hint = f"; did you mean {near[0]}?" if near else f"; a range has {', '.join(_FIELDS)}"
            raise PactError(f"{where}: {name}: is not a field of a range{hint}")
    for end in ("low", "high"):
        if isinstance(table.get(end), bool):
            raise PactError(f"{where}: {end}: must be a number, got {str(table[end]).lower()}")
    try:
        return Range.model_validate({**table, "key": key})
    except ValidationError as exc:
        raise from_validation_error(exc, where) from None


def _read(tree: Mapping[str, Any], label: str) -> list[Range]:
    ranges = [_entry(key, table, label) for key, table in _tables(tree)]
    for r in ranges:
        if r.kind == "term":
            _check_term(r, label)
    return ranges


# --- the keys: assumptions and terms ------------------------------------------------------------

def value_at(tree: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted key of a nested dict (``MISSING`` where there is none)."""
    node: Any = tree
    for part in split_path(key):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, (list, tuple)) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return MISSING
    return node


def _leaf_keys(tree: Mapping[str, Any], prefix: str = "") -> Iterable[str]:
    for name, value in tree.items():
        if isinstance(value, Mapping):
            yield from _leaf_keys(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def _unknown(key: str, known: Iterable[str], what: str, label: str) -> PactError:
    near = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    return PactError(f"{label}: {key}: no such {what}{hint}")


def _arms(annotation: Any) -> list[Any]:
    """The types a field may hold: Annotated stripped, a union split, None left out."""
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for arm in typing.get_args(annotation) for a in _arms(arm) if a is not type(None)]
    return [annotation]


def _child(annotation: Any, part: str | int) -> Any:
    """The type at `part` below `annotation` in the term-sheet schema (None where none)."""
    for arm in _arms(annotation):
        origin = typing.get_origin(arm)
        if isinstance(arm, type) and issubclass(arm, BaseModel):
            if isinstance(part, str) and part in arm.model_fields:
                return arm.model_fields[part].annotation
        elif origin in (tuple, list) and isinstance(part, int):
            return typing.get_args(arm)[0]
        elif origin is dict and isinstance(part, str):
            return typing.get_args(arm)[1]
    return None


def _check_term(r: Range, label: str) -> None:
    """A term range's key must be a term of the schema."""
    node: Any = Pact
    for part in split_path(r.key):
        node = _child(node, part)
        if node is None:
            known = (k.replace("[*]", "[0]") for k in LABELS)
            raise _unknown(r.key, known, "term (a --term path)", label)


def _bind(r: Range, tree: Mapping[str, Any], label: str, known: list[str]) -> Range:
    """An assumption range with its default from `tree`, checked against it."""
    where = f"{label}: {r.key}"
    value = value_at(tree, r.key)
    if value is MISSING or isinstance(value, Mapping):
        raise _unknown(r.key, known, "assumption (a --set key)", label)
    if r.levels is not None:
        if not any(v == value and isinstance(v, bool) == isinstance(value, bool) for v in r.levels):
            raise PactError(f"{where}: levels: must include the default {value_text(value)}, "
                            f"got {echo(list(r.levels))}")
        return r.model_copy(update={"default": value})
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PactError(f"{where}: low: a numeric range needs a number, and the default is "
                        f"{echo(value)}; give levels = [...] instead")
    assert r.low is not None and r.high is not None
    update: dict[str, Any] = {"default": value}
    if isinstance(value, int):
        for end, x in (("low", r.low), ("high", r.high)):
            if x != int(x):
                raise PactError(f"{where}: {end}: must be a whole number (the key takes whole "
                                f"numbers), got {x:g}")
            update[end] = int(x)
    if not r.low <= value <= r.high:
        raise PactError(f"{where}: the default {value:g} lies outside the range "
                        f"{r.low:g}–{r.high:g}; widen the range or fix the default")
    return r.model_copy(update=update)


def _checked(tree: Mapping[str, Any], label: str, shipped: Assumptions) -> tuple[Range, ...]:
    """Every range of a file's tables, checked against the shipped defaults."""
    defaults = shipped.model_dump()
    known = list(_leaf_keys(defaults))
    out = []
    for r in _read(tree, label):
        out.append(r if r.kind == "term" else _bind(r, defaults, label, known))
    keys = [r.key for r in out]
    twice = next((k for k in keys if keys.count(k) > 1), None)
    if twice is not None:
        raise PactError(f"{label}: {twice}: has two ranges (one table a key)")
    return tuple(out)


@cache
def _shipped() -> tuple[Range, ...]:
    tree = read_toml(resources.files(data) / RANGES_FILE, RANGES_FILE)
    return _checked(tree, RANGES_FILE, load_assumptions())


def load_ranges(assumptions: Assumptions | None = None, *,
                path: str | Path | None = None) -> tuple[Range, ...]:
    """Every plausible range, with each assumption's default under `assumptions`.

    Parameters
    ----------
    assumptions : Assumptions or None
        Whose values the ranges' ``default`` carries (default: the shipped ones). The ranges are
        checked against the shipped defaults, whatever `assumptions` hold: a ``--set`` or an
        assumptions file may move a value outside its plausible range.
    path : str or Path or None
        A ranges file to read instead of the shipped ``data/ranges.toml``.

    Returns
    -------
    tuple of Range
        In the file's order.

    Raises
    ------
    PactError
        One line naming the file, the key and the rule: an unknown key (with the nearest
        ones), low above high, a default outside its range, a boolean where a number belongs,
        a field a range does not have.
    """
    if path is None:
        ranges = _shipped()
    else:
        path = Path(path)
        label = file_label(path)
        ranges = _checked(read_toml(path, label), label, load_assumptions())
    if assumptions is None:
        return ranges
    values = assumptions.model_dump()
    return tuple(r if r.kind == "term" else
                 r.model_copy(update={"default": value_at(values, r.key)}) for r in ranges)


def fixed_keys(assumptions: Assumptions) -> set[str]:
    """The keys the user chose (``--set``, an assumptions file): a fixed input is not ranged.

    Parameters
    ----------
    assumptions : Assumptions

    Returns
    -------
    set of str
        The ``--set`` keys, and every ranged key whose value is not the shipped default.
    """
    shipped = {r.key: r.default for r in _shipped() if r.kind == "assumption"}
    values = assumptions.model_dump()
    moved = {k for k, v in shipped.items() if value_at(values, k) != v}
    return set(assumptions.overrides) | moved


def catalogue(assumptions: Assumptions) -> list[dict[str, Any]]:
    """:meth:`Assumptions.catalogue` with each key's plausible range merged in.

    Parameters
    ----------
    assumptions : Assumptions

    Returns
    -------
    list of dict
        Each catalogue row with ``plausible``: ``{low, high, distribution, source}`` (or
        ``{levels, source}``), None for a key without a range.
    """
    ranged = {r.key: r for r in load_ranges(assumptions) if r.kind == "assumption"}
    return [{**row, "plausible": ranged[row["key"]].plausible() if row["key"] in ranged else None}
            for row in assumptions.catalogue()]
