"""``pactlab serve``: the workbench under uvicorn, on localhost unless told otherwise, stopping
within seconds of SIGTERM or Ctrl-C (open connections get `grace_s` seconds, then running
jobs' processes and the evaluations' workers are ended by the app's shutdown)."""
from __future__ import annotations

from typing import Any

from .app import create_app
from .pool import default_workers


def serve(host: str = "127.0.0.1", port: int = 8000, *, grace_s: int = 5,
          workers: int | None = None, **options: Any) -> None:
    """Serve the workbench; `workers` are the evaluations' worker processes (None:
    :func:`~pactlab.app.web.pool.default_workers`; 0: in the server, one at a time); `options`
    are the app's caps (see :class:`pactlab.app.web.app.Caps`)."""
    import uvicorn
    n = default_workers() if workers is None else workers
    uvicorn.run(create_app(workers=n, **options), host=host, port=port, log_level="warning",
                timeout_graceful_shutdown=grace_s)
