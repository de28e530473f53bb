"""``pactlab serve``: the workbench."""
from __future__ import annotations

import typer

from .common import app, err


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (localhost by default)."),
          port: int = typer.Option(8000, "--port", min=1, max=65535),
          max_paths: int = typer.Option(50_000, "--max-paths", min=1, max=5_000_000,
                                        help="The most futures one request may ask for."),
          workers: int | None = typer.Option(None, "--workers", min=0, max=64, show_default=False,
                                             help="Worker processes for evaluations (default: "
                                                  "min(4, CPUs); 0: in the server, one at a time).")) -> None:
    """The workbench: a page that answers as the terms move, and its JSON API (/docs)."""
    from ..web.pool import default_workers
    from ..web.server import serve as run_server
    n = default_workers() if workers is None else workers
    err.print(f"pactlab workbench on http://{host}:{port}/ (API: /docs, /openapi.json; "
              f"{n or 'no'} evaluation worker{'s' if n != 1 else ''}); Ctrl-C stops it")
    run_server(host, port, workers=n, max_paths=max_paths)
