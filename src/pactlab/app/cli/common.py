"""What every command shares: the app, the consoles, the options, the edge that turns flags into
a request's fields (a ``.toml`` path or ``--assumptions FILE`` read here, into an inline sheet),
the progress bar, titles and footnotes."""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

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
# piped output (CI logs, files) gets a wide page instead of rich's 80-column default, unless
# COLUMNS says how wide the page is
out = Console(highlight=False,
              width=None if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else 200)
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
    """A file or a folder is about to be written at `target` (``-o runs/kf``): its missing
    parent folders are made, as ``mkdir -p`` would; a parent that is a file, or one that cannot
    be made, is a one-line error."""
    parent = target.parent
    if parent.is_dir():
        return
    blocker = next((p for p in [parent, *parent.parents] if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise PactError(f"{target}: {blocker} is a file, not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PactError(f"{target}: cannot make the folder {parent} ({exc.strerror or exc})") from None


# --- rendering ------------------------------------------------------------------------------

#: what a progress bar shows: the work done of the total, its rate, the time taken and left
_BAR = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("left"),
        TimeRemainingColumn())


def rate_text(done: float, seconds: float) -> str:
    """Steps a second, as the bar shows it ("12.5/s"; blank before the first second's work)."""
    if seconds <= 0 or done <= 0:
        return ""
    per = done / seconds
    return f"{per:,.1f}/s" if per >= 0.1 else f"{seconds / done:,.0f} s each"


@contextmanager
def progress(show: bool, what: str = "simulating") -> Iterator[Any]:
    """A progress bar on stderr for long runs: done of the total, rate, time elapsed and left
    (`step(done, total)`); silent when not a terminal."""
    if not show or not err.is_terminal:
        yield None
        return
    with Progress(*_BAR, console=err, transient=True) as bar:
        task = bar.add_task(what, total=None, rate="")
        start = time.perf_counter()

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total,
                       rate=rate_text(done, time.perf_counter() - start))
        yield step


# --- tables that fit the terminal -------------------------------------------------------------

def text_width(text: str) -> int:
    """The widest line of a cell, in terminal cells (rich markup not counted)."""
    plain = Text.from_markup(text).plain if "[" in text else text
    return max((cell_len(line) for line in plain.splitlines()), default=0)


def word_width(text: str) -> int:
    """The widest word of a cell: the narrowest it can wrap to without cutting a word."""
    plain = Text.from_markup(text).plain if "[" in text else text
    return max((cell_len(w) for w in plain.split()), default=0)


def _groups(widths: list[int], room: int, blocks: list[int]) -> list[list[int]]:
    """The columns (their indices) in as few consecutive groups as fit `room`, never splitting
    a block (a run of columns read together: P5, P50, P95), evened out where that fits (12
    columns in two tables: 6 and 6, not 10 and 2)."""
    runs, k = [], 0
    for size in blocks:
        runs.append(list(range(k, k + size)))
        k += size

    def need(cols: list[int]) -> int:
        return sum(widths[i] + 3 for i in cols)

    groups: list[list[int]] = [[]]
    for run in runs:
        if groups[-1] and need(groups[-1] + run) > room:
            groups.append([])
        groups[-1].extend(run)
    if len(groups) > 1 and len(runs) == len(widths):        # no blocks: even the groups out
        size = -(-len(widths) // len(groups))
        even = [list(range(k, min(k + size, len(widths)))) for k in range(0, len(widths), size)]
        if len(even) == len(groups) and all(need(g) <= room for g in even):
            return even
    return groups


def fitted(title: str | None, key: str, columns: list[str],
           rows: list[tuple[str, list[str]]] | list[tuple[str, list[str], str | None]], *,
           key_max: int = 40, blocks: list[int] | None = None, abbreviate: bool = False,
           width: int | None = None) -> list[Table]:
    """A table that fits the terminal: one if it fits, else its columns split over tables
    stacked one above the other, each with the key column, so no line is wider than the
    terminal and no cell is cut. Rows: ``(key, cells)`` or ``(key, cells, style)``; headers
    wrap at spaces, cells keep their width, the key wraps past `key_max`; `blocks`: the sizes
    of the runs of columns that stay in one table (default: each column on its own);
    `abbreviate`: rather than split, head the columns A, B, … with a legend below, if that fits
    (for pacts side by side)."""
    width = out.width if width is None else width
    keys = [r[0] for r in rows]
    key_w = max(word_width(key), min(key_max, max(map(text_width, [key, *keys]))),
                max(map(word_width, keys), default=0))
    least = [max(word_width(h), max((text_width(r[1][i]) for r in rows), default=0))
             for i, h in enumerate(columns)]
    most = [max(w, text_width(h)) for w, h in zip(least, columns, strict=True)]
    blocks = blocks or [1] * len(columns)
    if sum(blocks) != len(columns):
        raise ValueError(f"blocks {blocks} do not add up to the {len(columns)} columns")
    room = max(width - key_w - 4, 1)
    groups = _groups(least, room, blocks) if columns else [[]]
    legend = None
    if abbreviate and len(groups) > 1 and len(columns) <= 26:
        letters = [chr(ord("A") + i) for i in range(len(columns))]
        short = [max(1, max((text_width(r[1][i]) for r in rows), default=0)) for i in range(len(columns))]
        if len(_groups(short, room, [len(columns)])) == 1:
            legend = "\n".join(f"{k}: {escape(c)}" for k, c in zip(letters, columns, strict=True))
            columns, least, most, groups = letters, short, short, [list(range(len(columns)))]
    tables = []
    for n, group in enumerate(groups):
        name = title if n == 0 or title is None else f"{title.split(':')[0].split(' (')[0]} (continued)"
        table = Table(title=name, caption=legend, caption_justify="left")
        table.add_column(key, width=key_w, overflow="fold")
        for i, w in zip(group, _spread([least[i] for i in group], [most[i] for i in group], room),
                        strict=True):
            table.add_column(columns[i], width=w, overflow="fold")
        for r in rows:
            style = r[2] if len(r) > 2 else None
            table.add_row(r[0], *(r[1][i] for i in group), style=style)
        tables.append(table)
    return tables


def _spread(least: list[int], most: list[int], room: int) -> list[int]:
    """Columns' widths in `room`: each its widest line if all fit, else its narrowest (the
    widest word or cell) with what is left shared out, a cell at a time, to those that wrap."""
    if sum(w + 3 for w in most) <= room:
        return most
    widths = list(least)
    slack = room - sum(w + 3 for w in widths)
    while slack > 0 and any(w < m for w, m in zip(widths, most, strict=True)):
        for i, m in enumerate(most):
            if slack > 0 and widths[i] < m:
                widths[i] += 1
                slack -= 1
    return widths


def print_fitted(*args: Any, **kwargs: Any) -> None:
    """Print `fitted`'s tables."""
    for table in fitted(*args, **kwargs):
        out.print(table)


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
    from ...model.gains import view_note
    out.print(f"[dim]{escape(view_note(a))}[/dim]")
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
