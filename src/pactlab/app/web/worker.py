"""A job's process (``python -m pactlab.app.web.worker``): reads its work from stdin (pickled),
runs it, and sends progress, then the result or a one-line error, over the pipe the server
gave it, working in the scratch folder it is given. A fresh interpreter, not a fork or
`multiprocessing`'s spawn: it inherits no threads or locks from the server and re-runs no
``__main__`` script. It exits by itself when the server (its parent) dies; its scratch folder is
empty at first, so nothing it does resolves a name against the server's working directory.

A pool worker (`pool.py`, :func:`serve`) is the same kind of process, living longer: it warms
up, then answers the calls it is sent one after another."""
from __future__ import annotations

import os
import pickle
import shutil
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from ...core.errors import PactError
from .limits import one_line

#: how much lower a pool worker's CPU priority is than the server's
NICE = 5


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


def serve(parent: int, calls_fd: int, answers_fd: int, warm: Any) -> None:
    """A pool worker: run `warm()` (unless None), say ``ready``, then for each ``(fn, args)``
    received send ``("done", fn(*args))``, ``("invalid", message)`` for a :class:`PactError`
    (the server answers it as it would in process) or ``("failed", one line)``; stop when the
    server closes the pipe (or dies: the watch). Its calls write no file, so it works in ``/``,
    where nobody else can put one, and has no scratch folder to remove."""
    threading.Thread(target=_exit_with, args=(parent, None), daemon=True).start()
    os.nice(NICE)               # the server's event loop (and its cached answers) come first
    calls, answers = Connection(calls_fd, writable=False), Connection(answers_fd, readable=False)
    os.chdir("/")
    try:
        if warm is not None:
            warm()
    except Exception:   # a cold worker still answers (its calls report what fails)
        pass
    answers.send(("ready", os.getpid()))
    while True:
        try:
            fn, args = calls.recv()
        except (EOFError, OSError):
            return
        except Exception as exc:   # a call that does not unpickle here
            answers.send(("failed", one_line(f"the call did not arrive whole: {exc}")))
            continue
        try:
            message: tuple[str, Any] = ("done", fn(*args))
        except PactError as exc:
            message = ("invalid", str(exc))
        except Exception as exc:   # a failed call reports its one line, never a traceback
            message = ("failed", one_line(str(exc) or type(exc).__name__))
        try:
            answers.send(message)
        except (TypeError, AttributeError, pickle.PicklingError) as exc:   # not picklable
            answers.send(("failed", one_line(f"{getattr(fn, '__name__', fn)}: {exc}")))


def _exit_with(parent: int, scratch: str | None) -> None:
    """Exit at once when the parent is gone (a `kill -9` of the server leaves no job behind),
    removing the scratch folder (if any) the parent can no longer remove."""
    while os.getppid() == parent:
        time.sleep(0.5)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    os._exit(3)


if __name__ == "__main__":
    main()
