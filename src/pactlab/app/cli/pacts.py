"""``pactlab presets`` and ``pactlab show``: the term sheets, as tables, JSON or TOML."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ...core.errors import PactError
from ...core.io import write_atomic
from ...inputs.assumptions import parse_settings
from ...inputs.terms import Pact, pact_to_toml, source_toml
from ...inputs.terms.fields import term_fields
from ...present import format_value as fmt
from .. import service
from ..pacts import pact_from
from .common import JsonOpt, TermOpt, app, err, out, pact_arg


@app.command()
def presets(as_json: bool = JsonOpt) -> None:
    """List the built-in term sheets."""
    rows = service.presets()
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("preset", "investor", "commitment", "what it is")
    for p in rows:
        table.add_row(p["name"], p["investor"], fmt(p["commitment"], "usd_bn"), p["title"])
    out.print(table)


def _pact(text: str, term: list[str] | None) -> Pact:
    changes = parse_settings(term or [], flag="--term")
    value, file = pact_arg(text)
    return service.with_terms(pact_from(value, "pact", file), changes)


@app.command()
def show(pact: str = typer.Argument(..., help="Preset name or .toml file."),
         toml: bool = typer.Option(False, "--toml", help="Write the terms as TOML."),
         output: Path | None = typer.Option(None, "-o", "--output", help="File for --toml.",
                                            dir_okay=False),
         force: bool = typer.Option(False, "--force", help="Overwrite an existing -o file."),
         term: list[str] | None = TermOpt, as_json: bool = JsonOpt) -> None:
    """Print a pact's terms (--toml: as an editable term sheet, with the preset's comments)."""
    if output is not None and not toml:
        raise PactError("-o: only with --toml (show PACT --toml -o FILE)")
    if output is not None and output.exists() and not force:
        raise PactError(f"{output}: already exists; add --force to overwrite it")
    p = _pact(pact, term)
    if toml:
        text = source_toml(pact) if not term else pact_to_toml(p)
        if output is None:
            sys.stdout.write(text)
        else:
            write_atomic(output, text)
            err.print(f"wrote {output}" + ("" if not term else
                      " (changed by --term: written from the terms, without the preset's comments)"))
        return
    if as_json:
        out.print_json(p.model_dump_json())
        return
    _show_terms(p)


#: the narrowest the label and the value columns may be beside the key column
_LABEL, _VALUE = 20, 16


def _show_terms(p: Pact) -> None:
    """The terms with the key to copy into ``--term`` whole, never cut: on a terminal too
    narrow for three columns each value goes under its label."""
    out.print(f"[bold]{escape(p.title)}[/bold]\n{escape(p.description)}")
    fields = term_fields(p)
    key_w = max(len("key (--term)"), *(len(f.key) for f in fields))
    stacked = out.width < key_w + _LABEL + _VALUE + 10
    table = Table("term and value" if stacked else "term", *([] if stacked else ["value"]))
    table.columns[0].ratio, table.columns[0].min_width = 1, _LABEL
    if not stacked:
        table.columns[1].ratio, table.columns[1].min_width, table.columns[1].overflow = 1, _VALUE, "fold"
    table.add_column("key (--term)", no_wrap=True, min_width=key_w)
    section = None
    for f in fields:
        if f.section != section:
            if section is not None:
                table.add_section()
            section = f.section
            table.add_row(f"[bold]{escape(section)}[/bold]", *([] if stacked else [""]), "")
        label = escape(f"{f.group} · {f.label}" if f.group else f.label)
        value = escape(f.text()) + (" [yellow]⚠ assumed[/yellow]" if f.assumed else "")
        cells = [f"{label}\n  {value}"] if stacked else [label, value]
        table.add_row(*cells, f"[dim]{escape(f.key)}[/dim]")
    table.add_section()
    total = fmt(p.commitment, "usd_bn")
    table.add_row(*([f"commitment (sum of tranches)\n  {total}"] if stacked
                    else ["commitment (sum of tranches)", total]), "")
    out.print(table)
