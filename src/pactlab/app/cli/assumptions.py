"""``pactlab assumptions [PREFIX]``: every assumption --set can change (or those whose key starts
with PREFIX, e.g. ``trade.``), with its value, unit, allowed and plausible range and source, in
the terminal's width: one line of columns per key, its sources wrapped below it."""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from ...core.errors import PactError
from ...inputs.ranges import Range, plausible_text
from ...present import to_json
from .. import service
from ..requests import AssumptionsRequest, build
from .common import (
    AssumptionsOpt,
    JsonOpt,
    SetOpt,
    app,
    assumption_fields,
    out,
    text_width,
    word_width,
    write_json,
)

#: the columns beside the key and the most each takes before it wraps (the plausible range
#: takes what is left of the line)
_COLUMNS = {"value": 10, "unit": 10, "allowed": 12}
#: the least the plausible range is given; narrower, the key goes on a line of its own
_PLAUSIBLE = 12
_GAP = 2


def _value(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _long(text: str) -> bool:
    """An allowed range too long for its column (a list of choices): it goes below the key."""
    return word_width(text) > _COLUMNS["allowed"] or text_width(text) > 3 * _COLUMNS["allowed"]


def _cells(row: dict[str, Any]) -> list[str]:
    allowed = "(below)" if _long(row["range"]) else row["range"]
    return [_value(row["value"]), row["unit"], allowed, plausible_text(row.get("plausible"))]


def _source(row: dict[str, Any]) -> str:
    """The value's source after its confidence, the range's source, and a long allowed range."""
    flag = ("[yellow]⚠ assumption[/yellow]" if row["confidence"] == "assumption"
            else f"confidence {escape(row['confidence'])}")
    p = row.get("plausible")
    return (f"{flag} · {escape(str(row['source']))}" + (f"\nrange: {escape(p['source'])}" if p else "")
            + (f"\nallowed: {escape(row['range'])}" if _long(row["range"]) else ""))


def _widths(rows: list[dict[str, Any]], width: int) -> tuple[int, list[int]]:
    """The key's width (0: on a line of its own) and the other columns'."""
    key = max(len("key"), *(len(r["key"]) for r in rows))
    cells = [_cells(r) for r in rows]
    widths = [max(len(name), min(most, max(max(word_width(c[i]), min(text_width(c[i]), most))
                                           for c in cells)))
              for i, (name, most) in enumerate(_COLUMNS.items())]
    rest = width - key - sum(widths) - _GAP * len(widths) - _GAP
    if rest >= _PLAUSIBLE:
        return key, [*widths, rest]
    return 0, [*widths, max(_PLAUSIBLE, width - sum(widths) - _GAP * (len(widths) + 1) - 2)]


def _line(cells: list[str], key: int, widths: list[int], *, bold: bool = False) -> Table:
    grid = Table.grid(padding=(0, _GAP))
    if key:
        grid.add_column(width=key, no_wrap=True, style="bold" if not bold else None)
    else:
        grid.add_column(width=0)
    for w in widths:
        grid.add_column(width=w, overflow="fold")
    grid.add_row(*cells, style="bold" if bold else None)
    return grid


def _show_catalogue(rows: list[dict[str, Any]]) -> None:
    out.print("[bold]Assumptions[/bold] (change with --set KEY=VALUE or --assumptions FILE)")
    key, widths = _widths(rows, out.width)
    names = [*_COLUMNS, "plausible"]
    out.print(_line(["key" if key else "", *names], key, widths, bold=True))
    out.rule(style="dim")
    for r in rows:
        if not key:
            out.print(f"[bold]{escape(r['key'])}[/bold]", soft_wrap=True)
        out.print(_line([escape(r["key"]) if key else "", *map(escape, _cells(r))], key, widths))
        out.print(Padding(_source(r), (0, 0, 0, 4)), style="dim")


def _show_terms(ranges: list[Range], *, after: bool) -> None:
    out.print(("\n" if after else "") + "[bold]Term ranges[/bold] (for the pacts that have the term; change with --term)")
    for r in ranges:
        out.print(f"[bold]{escape(r.key)}[/bold]  {escape(r.text())}", soft_wrap=False)
        out.print(Padding(escape(r.source), (0, 0, 0, 4)), style="dim")


def _matching(prefix: str | None, rows: list[dict[str, Any]],
              terms: list[Range]) -> tuple[list[dict[str, Any]], list[Range]]:
    """The assumptions and term ranges whose key starts with `prefix`; none: one line naming
    the nearest key."""
    if prefix is None:
        return rows, terms
    found = [r for r in rows if r["key"].startswith(prefix)], [t for t in terms if t.key.startswith(prefix)]
    if found[0] or found[1]:
        return found
    keys = [r["key"] for r in rows] + [t.key for t in terms]
    sections = {k.split(".")[0] + "." for k in keys}
    near = difflib.get_close_matches(prefix, [*sections, *keys], n=1, cutoff=0.0)
    hint = f"; the nearest is {near[0]!r}" if near else ""
    raise PactError(f"assumptions: no key starts with {prefix!r}{hint} (pactlab assumptions "
                    "lists them all)")


@app.command("assumptions")
def assumptions_cmd(prefix: str | None = typer.Argument(
                        None, metavar="[PREFIX]",
                        help="Only the keys that start with it, e.g. trade. or fx.sudden_stop"),
                    as_json: bool = JsonOpt, set_: list[str] | None = SetOpt,
                    assumptions: Path | None = AssumptionsOpt) -> None:
    """Every assumption --set can change (or those under PREFIX): its value, unit, allowed and
    plausible range, source and confidence."""
    req = build(AssumptionsRequest, **assumption_fields(set_, assumptions))
    rows, terms = _matching(prefix, service.assumptions(req), service.term_ranges(req))
    if as_json:
        write_json(to_json(rows))
        return
    if rows:
        _show_catalogue(rows)
    if terms:
        _show_terms(terms, after=bool(rows))
