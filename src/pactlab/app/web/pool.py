"""The evaluations' worker pool: `size` long-lived worker processes (fresh ``python -P``
interpreters running :func:`pactlab.app.web.worker.serve`, the jobs' worker in a loop), each
running one call at a time with numba single-threaded, so evaluations no longer wait for one
turn in the server.

Why its own processes rather than :class:`concurrent.futures.ProcessPoolExecutor`: a worker
that dies there breaks the whole executor, which fails every call in flight and ends the other
workers (and their warm caches); here a slot that loses its worker starts another and runs the
call once more, and nothing else notices. The workers are fresh interpreters as the jobs' are
(no fork, no re-run ``__main__``), and they end themselves when the server dies: on Linux the
kernel's parent-death signal, set before their (slow) imports, and the jobs' parent-death watch
after them; or when the server closes their pipe.

* :meth:`Pool.run` waits in the event loop, not on a thread; past `size + max_waiting` calls
  pending it is a 503 at once (one line, ``Retry-After``).
* A call the worker answers with a :class:`PactError` is that error here (a 422); any other
  failure is a one-line 500. A worker that ends mid-call is replaced and the call retried once;
  if that worker ends too, the call is a one-line 503.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from fastapi import HTTPException

from ...core.errors import PactError
from . import work
from .caps import Cpu
from .jobs import _stop

__all__ = ["Pool", "Runner", "default_workers"]

#: one thread per kernel in each worker: the pool is the parallelism
SINGLE_THREADED = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "MKL_NUM_THREADS": "1"}


def default_workers() -> int:
    """``min(4, the CPUs this process may use)``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:          # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


class Ended(Exception):
    """The worker process ended (or could not start)."""


class Pool:
    """`size` worker processes and the calls waiting for them (at most `max_waiting`)."""

    def __init__(self, size: int, max_waiting: int = 32, *,
                 warm: Callable[[], None] | None = work.warm,
                 start_timeout: float = 300.0) -> None:
        if size < 1:
            raise ValueError(f"workers: at least 1, got {size}")
        self.size, self.max_waiting, self.pending = size, max_waiting, 0
        self.warm, self.start_timeout = warm, start_timeout
        self.closing = False
        self._calls: queue.SimpleQueue[tuple[Callable[..., Any], tuple, Future] | None] = \
            queue.SimpleQueue()
        self._slots = [_Slot(self) for _ in range(size)]
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the workers (once; they warm up while the server starts serving)."""
        with self._lock:
            if self._started or self.closing:
                return
            self._started = True
            for slot in self._slots:
                slot.thread.start()

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker (`fn` a module-level function, `args` picklable)."""
        if self.closing:
            raise HTTPException(503, "the server is stopping", headers={"Retry-After": "1"})
        if self.pending >= self.size + self.max_waiting:
            raise HTTPException(503, f"{self.pending - self.size} evaluations are waiting; try "
                                     "again shortly", headers={"Retry-After": "1"})
        self.start()
        future: Future = Future()
        self.pending += 1
        try:
            self._calls.put((fn, args, future))
            return await asyncio.wrap_future(future)
        finally:
            self.pending -= 1

    def pids(self) -> list[int]:
        """The live workers' process ids."""
        return [s.process.pid for s in self._slots if s.process is not None and s.process.poll() is None]

    def close(self) -> None:
        """End the workers; calls still waiting get a 503 (the server is stopping)."""
        self.closing = True
        for _ in self._slots:
            self._calls.put(None)
        for slot in self._slots:
            slot.stop()
        for slot in self._slots:
            if slot.thread.is_alive():
                slot.thread.join(10)
        while True:
            try:
                item = self._calls.get_nowait()
            except queue.Empty:
                break
            if item is not None and item[2].set_running_or_notify_cancel():
                item[2].set_exception(_stopping())

    def _next(self) -> tuple[Callable[..., Any], tuple, Future] | None:
        return self._calls.get()


class _Slot:
    """One worker process and the thread that hands it calls, one at a time. Only that thread
    starts its workers (the kernel's parent-death signal follows the thread that started a
    process, and this one lives as long as the pool)."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.process: subprocess.Popen | None = None
        self.answers: Connection | None = None
        self.calls: Connection | None = None
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="pactlab-pool")

    def _loop(self) -> None:
        with contextlib.suppress(Ended):
            self._ensure()                       # warm up before the first call comes
        while (item := self.pool._next()) is not None:
            fn, args, future = item
            if not future.set_running_or_notify_cancel():
                continue                         # its client went away while it waited
            try:
                future.set_result(self._attempts(fn, args))
            except BaseException as exc:         # the call's answer, whatever it is
                future.set_exception(exc)
        self.stop()

    def _attempts(self, fn: Callable[..., Any], args: tuple) -> Any:
        """The call's answer; a worker that ends mid-call is replaced and the call run again."""
        for attempt in (1, 2):
            try:
                self._ensure()
                kind, value = self._call(fn, args)
            except Ended as exc:
                self.stop()
                if self.pool.closing:
                    raise _stopping() from None
                if attempt == 2:
                    raise HTTPException(503, f"{fn.__name__}: {exc}, twice; try again",
                                        headers={"Retry-After": "1"}) from None
                continue
            if kind == "done":
                return value
            if kind == "invalid":
                raise PactError(value)
            raise HTTPException(500, f"{fn.__name__}: {value}")
        raise AssertionError("unreachable")

    def _ensure(self) -> None:
        """A live, warm worker, started if need be (raises :class:`Ended` if it cannot start)."""
        if self.process is not None and self.process.poll() is None:
            return
        self.stop()
        with self._lock:
            if self.pool.closing:
                raise Ended("the server is stopping")
            self.process, self.calls, self.answers = _launch(self.pool.warm)
        kind, _ = self._answer(time.monotonic() + self.pool.start_timeout)
        if kind != "ready":
            raise Ended(f"the worker process did not start ({kind})")

    def _call(self, fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
        conn = self.calls
        if conn is None:                         # closed under us: the pool is closing
            raise Ended("the server is stopping")
        try:
            conn.send((fn, args))
        except (OSError, EOFError):
            raise Ended(self._ended()) from None
        return self._answer(None)

    def _answer(self, deadline: float | None) -> tuple[str, Any]:
        """The worker's next message, polling so a closing pool or a deadline is noticed."""
        conn = self.answers
        if conn is None:
            raise Ended("the server is stopping")
        try:
            while not conn.poll(0.25):
                if self.pool.closing:
                    raise Ended("the server is stopping")
                if deadline is not None and time.monotonic() > deadline:
                    raise Ended(f"the worker process did not start in {self.pool.start_timeout:g} s")
            return conn.recv()
        except (OSError, EOFError, TypeError, ValueError, pickle.UnpicklingError):
            raise Ended(self._ended()) from None

    def _ended(self) -> str:
        code = None
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.process.wait(1)
        return f"the worker process ended (exit code {code})"

    def stop(self) -> None:
        """End this slot's worker and close its pipes."""
        with self._lock:
            process, self.process = self.process, None
            conns, self.calls, self.answers = (self.calls, self.answers), None, None
        for conn in conns:
            if conn is not None:
                conn.close()                     # a worker waiting for a call ends by itself
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.5)
            _stop(process)


#: a worker's first lines, before its imports (seconds on a busy machine): Ctrl-C is the
#: server's; the kernel ends it when the server ends (Linux); if the server is gone already, it
#: exits; then it reads its pipes and warm-up from stdin and serves
BOOT = """
import os, pickle, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
try:
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    os._exit(3)
from pactlab.app.web.worker import serve
serve(int(sys.argv[1]), *pickle.load(sys.stdin.buffer))
"""


def _launch(warm: Callable[[], None] | None) -> tuple[subprocess.Popen, Connection, Connection]:
    """Start a worker (:data:`BOOT`, ``python -P``) with a pipe for its calls and one for its
    answers, numba single-threaded; it is told the server's pid in its arguments, the pipes'
    numbers and its warm-up on stdin."""
    calls_theirs, calls_ours = os.pipe()
    answers_ours, answers_theirs = os.pipe()
    try:
        process = subprocess.Popen([sys.executable, "-P", "-c", BOOT, str(os.getpid())],
                                   stdin=subprocess.PIPE, pass_fds=(calls_theirs, answers_theirs),
                                   env={**os.environ, **SINGLE_THREADED})
    except BaseException:
        for fd in (calls_ours, answers_ours):
            os.close(fd)
        raise
    finally:
        os.close(calls_theirs)
        os.close(answers_theirs)
    assert process.stdin is not None
    process.stdin.write(pickle.dumps((calls_theirs, answers_theirs, warm)))
    process.stdin.close()
    return (process, Connection(calls_ours, readable=False),
            Connection(answers_ours, writable=False))


def _stopping() -> HTTPException:
    return HTTPException(503, "the server is stopping", headers={"Retry-After": "1"})


class Runner(Cpu):
    """The evaluations' runner: :meth:`run` a closure in process, one at a time (the server's
    one turn, as before), or :meth:`call` a function of :mod:`.work` in the pool when there is
    one (in process, one at a time, when there is not: ``--workers 0``)."""

    def __init__(self, max_waiting: int, pool: Pool | None = None) -> None:
        super().__init__(max_waiting)
        self.pool = pool

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.pool is None:
            return await self.run(partial(fn, *args))
        return await self.pool.run(fn, *args)
