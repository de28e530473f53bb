"""``pactlab serve``: the workbench."""
from __future__ import annotations

import typer

from .common import app, err


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (localhost by default)."),
          port: int = typer.Option(8000, "--port", min=1, max=65535),
          max_paths: int = typer.Option(50_000, "--max-paths", min=1, max=5_000_000,
                                        help="The most futures one request may ask for.")) -> None:
    """The workbench: a page that answers as the terms move, and its JSON API (/docs)."""
    from ..web.server import serve as run_server
    err.print(f"pactlab workbench on http://{host}:{port}/ (API: /docs, /openapi.json); Ctrl-C stops it")
    run_server(host, port, max_paths=max_paths)
