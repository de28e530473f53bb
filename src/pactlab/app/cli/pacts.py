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


def _show_terms(p: Pact) -> None:
    out.print(f"[bold]{p.title}[/bold]\n{p.description}")
    table = Table("term", "value", "key (--term)")
    section = None
    for f in term_fields(p):
        if f.section != section:
            if section is not None:
                table.add_section()
            section = f.section
            table.add_row(f"[bold]{escape(section)}[/bold]", "", "")
        label = f"{f.group} · {f.label}" if f.group else f.label
        table.add_row(escape(label), escape(f.text()) + (" [yellow]⚠ assumed[/yellow]" if f.assumed else ""),
                      f"[dim]{escape(f.key)}[/dim]")
    table.add_section()
    table.add_row("commitment (sum of tranches)", fmt(p.commitment, "usd_bn"), "")
    out.print(table)
