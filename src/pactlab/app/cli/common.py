"""What every command shares: the app, the consoles, the options, the edge that turns flags into
a request's fields (a ``.toml`` path or ``--assumptions FILE`` read here, into an inline sheet),
the progress bar, titles and footnotes."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ..._version import __version__
from ...core.errors import PactError
from ...inputs import data
from ...inputs.assumptions import Assumptions, as_date, parse_settings
from ...inputs.terms import Pact, file_label, read_toml, resolve_pact
from ...present import context_note, titled
from ...present import format_value as fmt

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Analyse investment-for-tariff pacts: what each side gets, and how risky it is.")
# piped output (CI logs, files) gets a wide page instead of rich's 80-column default
out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False)

PathsOpt = typer.Option(10_000, "--paths", min=1, max=5_000_000, help="Number of simulated futures.")
SeedOpt = typer.Option(0, "--seed", min=0, max=2**32 - 1,
                       help="Random seed; the same seed gives the same numbers.")
JsonOpt = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")
SetOpt = typer.Option(None, "--set", help="Override an assumption: key=value (repeatable).")
TermOpt = typer.Option(None, "--term", help="Override a pact term or a lever (commitment, "
                                            "mou_cash_share): key=value (repeatable).")
AssumptionsOpt = typer.Option(None, "--assumptions", help="TOML file of assumptions to use.",
                              dir_okay=False)


def _as_of(value: str | None) -> str | None:
    """``--as-of`` checked at the edge: a real date, or one line naming the flag."""
    if value is None:
        return None
    try:
        return as_date(value).isoformat()
    except ValueError as exc:
        raise PactError(f"--as-of: {exc}") from None


AsOfOpt = typer.Option(None, "--as-of", metavar="DATE", callback=_as_of,
                       help="The tariffs in force as known on DATE (YYYY-MM-DD; e.g. 2025-11-14, "
                            "the Korean MOU's signing). Default: the data's own date "
                            f"({data.tariffs_as_of().isoformat()}); the assumption trade.as_of.")


# --- the edge: flags -> a request's fields ---------------------------------------------------

def pact_arg(text: str) -> tuple[str | dict[str, Any], str | None]:
    """A pact argument as a request names it: a preset's name, or a file's tables read here
    (with the file, for labels and messages). Presets win over files (see `resolve_pact`)."""
    found = resolve_pact(text)
    if isinstance(found, Path):
        return read_toml(found, file_label(found)), str(found)
    return found, None


def pact_fields(text: str) -> dict[str, Any]:
    value, file = pact_arg(text)
    return {"pact": value, "pact_file": file}


def pacts_fields(texts: list[str]) -> dict[str, Any]:
    found = [pact_arg(t) for t in texts]
    return {"pacts": [v for v, _ in found], "pact_files": [f for _, f in found]}


def assumption_fields(settings: list[str] | None, path: Path | None,
                      as_of: str | None = None) -> dict[str, Any]:
    """``--assumptions FILE`` read into a sheet, ``--set`` changes and ``--as-of`` (the assumption
    ``trade.as_of``), as a request's fields."""
    fields: dict[str, Any] = {"assumptions": parse_settings(settings or [])}
    if as_of is not None:
        fields["as_of"] = as_of
    if path is not None:
        fields |= {"assumptions_sheet": read_toml(path, file_label(path)), "assumptions_file": str(path)}
    return fields


def simulated(paths: int, seed: int, settings: list[str] | None, terms: list[str] | None,
              path: Path | None, as_of: str | None = None) -> dict[str, Any]:
    """The fields every simulating request has (``as_of``: ``--as-of``)."""
    return {**assumption_fields(settings, path, as_of),
            "terms": parse_settings(terms or [], flag="--term"), "paths": paths, "seed": seed}


def ensure_folder(target: Path) -> None:
    """A file is about to be written into `target`'s folder: it must exist."""
    if not target.parent.exists():
        raise PactError(f"{target}: folder {target.parent} does not exist")


# --- rendering ------------------------------------------------------------------------------

@contextmanager
def progress(show: bool) -> Iterator[Any]:
    """A progress bar on stderr for long runs; silent when not a terminal."""
    if not show or not err.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("simulating", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def title(text: str, a: Assumptions, pacts: list[Pact]) -> str:
    """A table title that names every change from the defaults and the date the tariffs are
    known to, "tariffs as of DATE" (escaped: the note's brackets are text, not rich markup)."""
    return escape(titled(text, context_note(a, pacts)))


def macro_source(code: str, indicator: str) -> str:
    return str(data.macro().loc[(code, indicator), "source"])


def _macro_footnote(pacts: list[Pact], a: Assumptions) -> None:
    """The investor data behind the FX rows, so each ratio can be traced."""
    for code in dict.fromkeys(p.parties.investor_code for p in pacts):
        m = a.country(code)
        parts = [f"reserves {fmt(m.reserves, 'usd_bn')}", f"GDP {fmt(m.gdp, 'usd_bn')}",
                 f"net external assets {fmt(m.net_external_assets, 'usd_bn')}",
                 f"reserve yield {m.reserve_yield:.1%}"]
        if m.ara_applicable:
            parts.append(f"ARA metric x{m.ara_calibration:g} to the IMF's published 2022 level")
        else:
            parts.append("ARA EM metric not applied, no sudden stops (see macro.csv: ara_applicable)")
        out.print(f"[dim]{code}: {'; '.join(parts)} (data/macro.csv; flagged inputs in --json)[/dim]")
    out.print(f"[dim]FX horizon {a.fx.horizon_years} years; sudden stop {a.fx.sudden_stop_prob:.0%} a "
              f"year draining ~{a.fx.sudden_stop_size:.0%} of short-term debt, "
              f"{a.fx.sudden_stop_return:.0%} of it back within two years (Korea 2008, 2020, 2022); "
              f"host grants {a.fx.deferral_acceptance:.0%} of deferral requests (assumed)[/dim]")


def footnotes(pacts: list[Pact], a: Assumptions, paths: int, seed: int) -> None:
    _macro_footnote(pacts, a)
    assumed = {p.name: p.assumed for p in pacts if p.assumed}
    for name, terms in assumed.items():
        out.print(f"[dim]⚠ {name}: assumed terms (no primary text): {', '.join(terms)}[/dim]")
    flagged = [r["key"] for r in a.provenance() if r["confidence"] == "assumption"]
    out.print(f"[dim]⚠ {len(flagged)} model inputs are pactlab assumptions (see `pactlab evaluate "
              f"--json` or data/SOURCES.md); seed {seed}, {paths:,} paths, pactlab {__version__}[/dim]")


def write_json(text: str) -> None:
    sys.stdout.write(text + "\n")


def cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)
