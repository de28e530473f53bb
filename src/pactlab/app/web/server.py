"""``pactlab serve``: the workbench under uvicorn, on localhost unless told otherwise, stopping
within seconds of SIGTERM or Ctrl-C (open connections get `grace_s` seconds, then running
jobs' processes are ended by the app's shutdown)."""
from __future__ import annotations

from typing import Any

from .app import create_app


def serve(host: str = "127.0.0.1", port: int = 8000, *, grace_s: int = 5,
          **options: Any) -> None:
    """Serve the workbench; `options` are the app's caps (see :class:`pactlab.app.web.app.Caps`)."""
    import uvicorn
    uvicorn.run(create_app(**options), host=host, port=port, log_level="warning",
                timeout_graceful_shutdown=grace_s)
