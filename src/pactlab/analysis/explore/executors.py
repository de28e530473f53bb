"""Where the chunks run, behind one small protocol: ``map(fn, tasks)`` yields results as they
finish (in any order). Serial (one process, all its threads), a local process pool, or Dask
distributed (a ``LocalCluster`` of processes with one thread each, or an existing scheduler).
Workers run numba single-threaded; results do not depend on the executor (each point carries
its own seed)."""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from ...core.errors import PactError

EXECUTORS = ("serial", "processes", "dask")


class Executor(Protocol):
    workers: int
    single_thread: bool

    def map(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """In this process, one task after another (numba keeps all its threads)."""

    workers = 1
    single_thread = False

    def map(self, fn, tasks):
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        pass


def exit_with_parent(parent: int, every: float = 0.5) -> None:
    """A pool worker's initializer: a daemon thread that ends the worker (``os._exit``) once
    the process that started it is gone, so a ``kill -9`` of a run leaves no worker computing
    for good. A spawned worker's parent is the run's own process; when it dies, the worker is
    re-parented and ``os.getppid()`` changes. (Not PR_SET_PDEATHSIG: it fires when the parent
    *thread* that spawned the worker ends, and the pool spawns from its own threads.)"""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)
    threading.Thread(target=watch, name="pactlab-exit-with-parent", daemon=True).start()


class ProcessExecutor:
    """A local pool of fresh ('spawn') processes, one task at a time each; they exit when the
    run's process dies. (Dask's workers do already: their nanny's pipe closes.)"""

    single_thread = True

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=exit_with_parent, initargs=(os.getpid(),))

    def map(self, fn, tasks):
        pending = [self._pool.submit(fn, task) for task in tasks]
        for done in as_completed(pending):
            yield done.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Dask distributed: a LocalCluster of `workers` processes (one thread each), or the
    cluster behind `scheduler` (an address such as tcp://10.0.0.5:8786)."""

    single_thread = True

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:   # pragma: no cover - dask is a dependency
            raise PactError("--executor dask: the 'distributed' package is not installed") from None
        self._cluster = None
        if scheduler is None:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=logging.ERROR,
                                         env={"NUMBA_NUM_THREADS": "1"})
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(scheduler, timeout=10)
            except OSError as exc:
                raise PactError(f"--scheduler {scheduler}: cannot reach it ({exc})") from None
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})) or workers)

    def map(self, fn, tasks):
        from distributed import as_completed as dask_completed
        futures = self._client.map(fn, list(tasks), pure=False)
        for done in dask_completed(futures):
            yield done.result()
            done.release()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(name: str, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """An executor by name; `workers` defaults to the machine's cores."""
    if name not in EXECUTORS:
        raise PactError(f"--executor: must be one of {', '.join(EXECUTORS)}, got {name!r}")
    if scheduler is not None and name != "dask":
        raise PactError("--scheduler: only with --executor dask")
    n = workers or os.cpu_count() or 1
    if n < 1:
        raise PactError(f"--workers: must be >= 1, got {n}")
    if name == "serial":
        return SerialExecutor()
    if name == "processes":
        return ProcessExecutor(n)
    return DaskExecutor(n, scheduler)
