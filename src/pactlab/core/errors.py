"""The one error type users see, and its translation from pydantic's errors."""
from __future__ import annotations

import re
import reprlib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails


class PactError(ValueError):
    """Bad input: names the file, the field path and the rule broken.

    The CLI prints it as one line and exits with code 2.
    """


_RULES = {
    "missing": "is required",
    "extra_forbidden": "is not a known term",
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "finite_number": "must be a finite number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "too_short": "needs at least {min_length} item(s)",
    "literal_error": "must be one of {expected}",
    "union_tag_invalid": "must be one of {expected_tags}",
    "union_tag_not_found": "needs the key '{discriminator}'",
    "string_pattern_mismatch": "must match {pattern}",
    "model_type": "must be a table",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a table",
}


#: how much of a bad value a message echoes: a few levels and a hundred characters, so a huge or
#: deeply nested value (a web request, a hostile --term) is neither copied back nor a RecursionError
_ECHO = reprlib.Repr()
_ECHO.maxlevel, _ECHO.maxstring, _ECHO.maxother = 4, 100, 100
_ECHO.maxlist = _ECHO.maxtuple = _ECHO.maxdict = _ECHO.maxset = 8


def echo(value: Any) -> str:
    """`value` as an error message shows it: its repr, cut short."""
    return _ECHO.repr(value)


_INNER = re.compile(r"^([A-Za-z_][\w\.\[\]]*): (.+)$", re.S)
_PIECE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_loc(path: str) -> list[Any]:
    """'tiers[1].hurdle' or 'tiers.1.hurdle' -> ['tiers', 1, 'hurdle']."""
    return [int(i) if i else (int(n) if n.isdigit() else n) for n, i in _PIECE.findall(path)]


def format_loc(loc: tuple[Any, ...]) -> str:
    """('waterfall', 'tiers', 1, 'investor_share') -> 'waterfall.tiers[1].investor_share'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _clean_loc(loc: tuple[Any, ...], tags: frozenset[str]) -> tuple[Any, ...]:
    """Drop the discriminator tags pydantic inserts into union locations."""
    return tuple(p for i, p in enumerate(loc) if not (p in tags and i and isinstance(loc[i - 1], int)))


def _rule(err: ErrorDetails) -> str:
    template = _RULES.get(err["type"])
    if template is None:
        msg = err["msg"]
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return err["msg"]


def _unit_hint(err: ErrorDetails) -> str:
    """A hint when a number is plainly in the wrong unit: a rate given in percent, money given
    in dollars or millions (pactlab takes fractions and USD billions)."""
    value, bound = err.get("input"), (err.get("ctx") or {}).get("le")
    if err["type"] != "less_than_equal" or not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    if bound in (1, 1.0, 2, 2.0) and 2 <= value <= 100:
        return f" (rates and shares are fractions: use {value / 100:g} for {value:g}%)"
    if bound == 10_000 and value > bound:
        return " (money is in USD billions: 350 means $350B)"
    return ""


def from_validation_error(
    exc: ValidationError, source: str, *, tags: frozenset[str] = frozenset()
) -> PactError:
    """One line: '<source>: <field>: <rule>, got <value>' (+ how many more errors)."""
    errors = exc.errors()
    err = errors[0]
    loc = list(_clean_loc(tuple(err["loc"]), tags))
    rule = _rule(err)
    if err["type"] == "union_tag_invalid":
        loc.append(str((err.get("ctx") or {}).get("discriminator", "")).strip("'"))
    # a model-level rule names its own field first: "tiers[1].hurdle: hurdles must ascend"
    inner = _INNER.match(rule) if err["type"] == "value_error" else None
    if inner:
        loc.extend(p for p in split_loc(inner.group(1)))
        rule = inner.group(2)
    text = f"{source}: {format_loc(tuple(loc))}: {rule}"
    if err["type"] not in ("missing", "value_error") and not isinstance(err.get("input"), (dict, BaseModel)):
        text += f", got {echo(err.get('input'))}"
    text += _unit_hint(err)
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more error(s))"
    return PactError(text)
