"""A job's process (``python -m pactlab.app.web.worker``): reads its work from stdin (pickled),
runs it, and sends progress, then the result or a one-line error, over the pipe the server
gave it, working in the scratch folder it is given. A fresh interpreter, not a fork or `multiprocessing`'s spawn: it inherits no threads
or locks from the server and re-runs no ``__main__`` script. It exits by itself when the
server (its parent) dies; its scratch folder is empty at first, so nothing it does resolves a
name against the server's working directory."""
from __future__ import annotations

import os
import pickle
import shutil
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection

from .limits import one_line


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the server's to handle
    parent, fd, scratch, work, args = pickle.load(sys.stdin.buffer)
    threading.Thread(target=_exit_with, args=(parent, scratch), daemon=True).start()
    conn = Connection(fd, readable=False)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] >= 0.2 or done == total:
            last[0] = time.monotonic()
            conn.send(("progress", done / total if total else 0.0))

    os.chdir(scratch)                  # the server removes it when the job ends, however it ends
    try:
        message = ("done", work(*args, progress))
    except Exception as exc:   # a failed job reports its one line, never a traceback
        message = ("failed", one_line(str(exc) or type(exc).__name__))
    conn.send(message)
    conn.close()


def _exit_with(parent: int, scratch: str) -> None:
    """Exit at once when the parent is gone (a `kill -9` of the server leaves no job behind),
    removing the scratch folder the parent can no longer remove."""
    while os.getppid() == parent:
        time.sleep(0.5)
    shutil.rmtree(scratch, ignore_errors=True)
    os._exit(3)


if __name__ == "__main__":
    main()
