"""`pactlab …`: the command line. Tables for people, --json for machines, one-line errors.

One module per command group, each a flag -> request (:mod:`pactlab.app.requests`) -> service
(:mod:`pactlab.app.service`) -> render: ``pacts`` (presets, show), ``assumptions``,
``evaluate`` (evaluate, compare, reserves, report), ``tariffs``, ``negotiate``, ``calibrate``, ``explore``
(explore, sensitivity, discover), ``backtest``, ``robust``, ``serve``. What they share is in ``common``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..._version import __version__
from ...core.errors import PactError
from . import (  # noqa: F401  (commands)
    assumptions,
    backtest,
    calibrate,
    evaluate,
    explore,
    negotiate,
    pacts,
    robust,
    serve,
    tariffs,
)
from .common import app, err, out

__all__ = ["app", "main"]

# typer vendors click; its exception classes are reachable through the public BadParameter.
_UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_ClickException: type[Exception] = next(c for c in typer.BadParameter.__mro__
                                         if c.__name__ == "ClickException")


def _version(value: bool) -> None:
    if value:
        out.print(f"pactlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Analyse investment-for-tariff pacts: what each side gets, and how risky it is."""


def _fail(message: str, code: int = 2) -> None:
    """Bad input: one line on stderr, exit code 2."""
    err.print(f"error: {message}".replace("\n", " "), markup=False, soft_wrap=True)
    sys.exit(code)


def _usage(exc: Exception) -> None:
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        out.print(ctx.get_help(), markup=False)
        sys.exit(0)
    hint = f" (see 'pactlab {ctx.info_name} --help')" if ctx is not None and ctx.parent else ""
    _fail(f"{exc.format_message()}{hint}")     # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input is one line on stderr and exit code 2, never a traceback."""
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="pactlab", standalone_mode=False)
    except PactError as exc:
        _fail(str(exc))
    except RecursionError:          # a backstop: inputs are checked for depth where they enter
        _fail("the input is nested too deeply to read (lists or tables inside one another)")
    except OSError as exc:          # a file the command had to read or write
        name = Path(exc.filename).name if isinstance(exc.filename, str) else "a file"
        _fail(f"{name[:60]}: {exc.strerror or exc}")
    except _UsageError as exc:
        _usage(exc)
    except _ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)      # type: ignore[attr-defined]
    except (KeyboardInterrupt, typer.Abort):
        err.print("aborted")
        sys.exit(130)
    except RuntimeError as exc:
        if type(exc).__name__ != "Abort":
            raise
        err.print("aborted")
        sys.exit(130)


if __name__ == "__main__":
    main()
