"""A real server on a free 127.0.0.1 port, in a thread, for the browser and load tests."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from pactlab.app.web import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(**caps: int) -> Iterator[str]:
    """Serve ``create_app(**caps)`` until the block ends; yields its base URL."""
    port = free_port()
    live = uvicorn.Server(uvicorn.Config(create_app(**caps), host="127.0.0.1", port=port,
                                         log_level="error"))
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    for _ in range(200):
        if live.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        live.should_exit = True
        thread.join(timeout=10)
