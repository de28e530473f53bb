"""A run of a spec: its points in chunks on an executor, each chunk stored as it finishes."""
from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from .executors import make_executor
from .points import run_chunk
from .spec import Spec, load_spec
from .store import Store

#: aim for this many chunks per worker: enough to balance the load, few enough that the
#: ~1.6 ms a task costs to schedule stays small next to the points' work
CHUNKS_PER_WORKER = 20


def default_chunk_size(points: int, workers: int) -> int:
    return max(1, min(1_000, math.ceil(points / (CHUNKS_PER_WORKER * workers))))


def explore(spec: Spec | str | Path, folder: str | Path, *, base_dir: str | Path | None = None,
            executor: str = "serial", workers: int | None = None, scheduler: str | None = None,
            chunk_size: int | None = None, resume: bool = False,
            progress: Callable[[int, int], None] | None = None) -> Path:
    """Run every point of `spec` (a Spec or a spec file) into `folder`; with `resume`, only the
    chunks a previous, interrupted run did not finish. Returns the folder.

    Parameters
    ----------
    spec : the experiment, or the path of its TOML.
    folder : where the chunks and the manifest go (new or empty, unless resuming).
    base_dir : where the spec's relative paths point (default: the spec file's folder).
    executor, workers, scheduler : serial | processes | dask, how many workers, a Dask scheduler.
    chunk_size : points per task (default: about 20 chunks per worker; a resumed run keeps its own).
    progress : called with (points done, points in all) as chunks finish.
    """
    if not isinstance(spec, Spec):
        path = Path(spec)
        spec = load_spec(path)
        base_dir = base_dir or path.parent
    base = str(Path(base_dir or ".").resolve())
    store = Store(folder)
    points = len(spec.design())
    pool = make_executor(executor, workers, scheduler)
    try:
        manifest = store.open(spec, chunk_size or default_chunk_size(points, pool.workers),
                              resume=resume)
        size = manifest["chunk_size"]
        finished = store.done()
        todo = [c for c in range(manifest["chunks"]) if c not in finished]
        done = points - sum(len(range(c * size, min(points, (c + 1) * size))) for c in todo)
        if progress:
            progress(done, points)
        tasks = [(spec, base, c, tuple(range(c * size, min(points, (c + 1) * size))),
                  pool.single_thread) for c in todo]
        for chunk, frame in pool.map(run_chunk, tasks):
            store.write(chunk, frame)
            done += len(frame)
            if progress:
                progress(done, points)
    finally:
        pool.close()
    return Path(folder)
