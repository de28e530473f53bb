"""``pactlab assumptions``: every assumption --set can change, with its plausible range."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rich import box
from rich.markup import escape
from rich.table import Table

from ...inputs.ranges import Range, plausible_text
from ...present import to_json
from .. import service
from ..requests import AssumptionsRequest, build
from .common import AssumptionsOpt, JsonOpt, SetOpt, app, assumption_fields, out, write_json

#: the columns beside the key (widest each may be); the sources take the rest of the line
_COLUMNS = {"value": 12, "unit": 10, "allowed": 10, "plausible": 13, "confidence": 12}
#: narrower than this, the sources go under the key instead of in a column of their own
_WIDE = 150


def _sources(row: dict[str, Any]) -> str:
    """The value's source, and the range's below it (dim)."""
    text = escape(str(row["source"]))
    p = row.get("plausible")
    return text + (f"\n[dim]range: {escape(p['source'])}[/dim]" if p else "")


def _catalogue_table(rows: list[dict[str, Any]], wide: bool) -> Table:
    """The catalogue: on a narrow terminal each key's sources sit under it (dim)."""
    table = Table(title="Assumptions (change with --set KEY=VALUE or --assumptions FILE)",
                  box=box.SIMPLE_HEAD)
    table.add_column("key" if wide else "key and source", ratio=None if wide else 1,
                     min_width=24, overflow="fold")
    for name, width in _COLUMNS.items():
        table.add_column(name, max_width=width)
    if wide:
        table.add_column("source", ratio=1, min_width=30)
    for r in rows:
        cells = [str(r["value"]), r["unit"], r["range"], plausible_text(r.get("plausible")),
                 ("⚠ " if r["confidence"] == "assumption" else "") + r["confidence"]]
        if wide:
            table.add_row(r["key"], *cells, _sources(r))
        else:
            table.add_row(f"[bold]{escape(r['key'])}[/bold]\n[dim]{_sources(r)}[/dim]", *cells)
    return table


def _term_table(ranges: list[Range]) -> Table:
    table = Table("term", "plausible", "source", box=box.SIMPLE_HEAD,
                  title="Term ranges (for the pacts that have the term; change with --term)")
    for r in ranges:
        table.add_row(r.key, r.text(), escape(r.source))
    return table


@app.command("assumptions")
def assumptions_cmd(as_json: bool = JsonOpt, set_: list[str] | None = SetOpt,
                    assumptions: Path | None = AssumptionsOpt) -> None:
    """Every assumption --set can change: its value, unit, allowed and plausible range, source
    and confidence."""
    req = build(AssumptionsRequest, **assumption_fields(set_, assumptions))
    rows = service.assumptions(req)
    if as_json:
        write_json(to_json(rows))
        return
    out.print(_catalogue_table(rows, wide=out.width >= _WIDE))
    terms = service.term_ranges(req)
    if terms:
        out.print(_term_table(terms))
