"""``pactlab assumptions``: every assumption --set can change."""
from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ...present import to_json
from .. import service
from ..requests import AssumptionsRequest, build
from .common import AssumptionsOpt, JsonOpt, SetOpt, app, assumption_fields, out, write_json


@app.command("assumptions")
def assumptions_cmd(as_json: bool = JsonOpt, set_: list[str] | None = SetOpt,
                    assumptions: Path | None = AssumptionsOpt) -> None:
    """Every assumption --set can change: its value, unit, allowed range, source and confidence."""
    rows = service.assumptions(build(AssumptionsRequest, **assumption_fields(set_, assumptions)))
    if as_json:
        write_json(to_json(rows))
        return
    table = Table("key", "value", "unit", "allowed", "confidence", "source",
                  title="Assumptions (change with --set KEY=VALUE or --assumptions FILE)")
    for r in rows:
        table.add_row(r["key"], str(r["value"]), r["unit"], r["range"],
                      ("⚠ " if r["confidence"] == "assumption" else "") + r["confidence"], r["source"])
    out.print(table)
