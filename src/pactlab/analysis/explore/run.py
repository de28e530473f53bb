"""A run of a spec: its points in chunks on an executor, each chunk stored as it finishes."""
from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .executors import Executor, make_executor
from .lock import FolderLock
from .points import run_chunk
from .spec import Spec, input_digests, load_spec
from .store import Store, chunk_ids

#: aim for this many chunks per worker: enough to balance the load, few enough that the
#: ~1.6 ms a task costs to schedule stays small next to the points' work
CHUNKS_PER_WORKER = 20


def default_chunk_size(points: int, workers: int) -> int:
    return max(1, min(1_000, math.ceil(points / (CHUNKS_PER_WORKER * workers))))


def warn(message: str) -> None:
    """The default `notice`: one line on stderr."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def explore(spec: Spec | str | Path, folder: str | Path, *, base_dir: str | Path | None = None,
            executor: str = "serial", workers: int | None = None, scheduler: str | None = None,
            chunk_size: int | None = None, resume: bool = False,
            progress: Callable[[int, int], None] | None = None,
            notice: Callable[[str], None] = warn) -> Path:
    """Run every point of `spec` (a Spec or a spec file) into `folder`; with `resume`, only the
    chunks a previous, interrupted run did not finish (or that fail the check). Returns the
    folder.

    Parameters
    ----------
    spec : the experiment, or the path of its TOML.
    folder : where the chunks and the manifest go (new or empty, unless resuming); locked
        against other runs while this one lasts.
    base_dir : where the spec's relative paths point (default: the spec file's folder).
    executor, workers, scheduler : serial | processes | dask, how many workers, a Dask scheduler.
    chunk_size : points per task (default: about 20 chunks per worker; a resumed run keeps its own).
    progress : called with (points done, points in all) as chunks finish.
    notice : called with a one-line message when the run takes over a stale lock or recomputes
        chunks that failed the check (default: a warning line on stderr).
    """
    if not isinstance(spec, Spec):
        path = Path(spec)
        spec = load_spec(path)
        base_dir = base_dir or path.parent
    base = Path(base_dir or ".").resolve()
    inputs = input_digests(spec, base)
    store = Store(folder)
    store.prepare(resume=resume)
    with FolderLock(store.folder, notice):
        pool = make_executor(executor, workers, scheduler)
        try:
            manifest = store.open(spec, inputs, chunk_size or default_chunk_size(
                len(spec.design()), pool.workers), resume=resume)
            _run(store, manifest, (spec, str(base), inputs), pool, progress, notice)
        finally:
            pool.close()
    return Path(folder)


def _run(store: Store, manifest: dict[str, Any], job: tuple[Spec, str, dict[str, str]],
         pool: Executor, progress: Callable[[int, int], None] | None,
         notice: Callable[[str], None]) -> None:
    """The chunks still to do (missing, or failing the check), on `pool`, each stored as it
    finishes; progress counts only the chunks that pass the check."""
    spec, base, inputs = job
    points = manifest["points"]
    finished = store.check(manifest, notice)
    todo = [c for c in range(manifest["chunks"]) if c not in finished]
    done = points - sum(len(chunk_ids(manifest, c)) for c in todo)
    if progress:
        progress(done, points)
    tasks = [(spec, base, c, tuple(chunk_ids(manifest, c)), pool.single_thread, inputs)
             for c in todo]
    for chunk, frame in pool.map(run_chunk, tasks):
        store.write(chunk, frame, manifest["run_id"])
        done += len(frame)
        if progress:
            progress(done, points)
