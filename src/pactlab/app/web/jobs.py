"""Jobs in worker processes, one process per job (`worker.py`): a job never holds the
server's evaluation turn, and cancelling it or timing it out ends its process (a running call
cannot be stopped any other way). At most `max_jobs` run at once; finished jobs are kept for
`keep_s` seconds, `keep` at most. A worker exits by itself when the server dies."""
from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

STATUSES = ("running", "done", "failed", "cancelled", "timed_out")


@dataclass
class Job:
    id: str
    kind: str
    status: str = "running"
    progress: float = 0.0
    result: dict[str, Any] | None = None
    error: str | None = None
    ended: float | None = None
    process: Any = field(default=None, repr=False)

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status,
                "progress": self.progress, "result": self.result, "error": self.error}


class Jobs:
    """The server's jobs, by id."""

    def __init__(self, max_jobs: int = 2, timeout_s: float = 600.0, keep_s: float = 3600.0,
                 keep: int = 100) -> None:
        self.max_jobs, self.timeout_s, self.keep_s, self.keep = max_jobs, timeout_s, keep_s, keep
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, kind: str, work: Callable[..., dict[str, Any]], *args: Any) -> Job | None:
        """Run `work(*args, progress)` in a new process; None when `max_jobs` are running."""
        with self._lock:
            self._prune()
            if sum(j.status == "running" for j in self._jobs.values()) >= self.max_jobs:
                return None
            job = Job(uuid.uuid4().hex, kind)
            job.process, ours = _launch()
            self._jobs[job.id] = job
        scratch = tempfile.mkdtemp(prefix="pactlab-job-")
        payload = pickle.dumps((os.getpid(), ours[1], scratch, work, args))
        threading.Thread(target=self._watch, args=(job, ours[0], payload, scratch),
                         daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            self._prune()
            return self._jobs.get(job_id)

    def cancel(self, job: Job) -> bool:
        """End a running job's process; the job says `cancelled`. False if it was not running."""
        if not self._end(job, "cancelled", "cancelled by a request"):
            return False
        _stop(job.process)
        return True

    def shutdown(self) -> None:
        """End every running job's process (the server is stopping)."""
        with self._lock:
            running = [j for j in self._jobs.values() if j.status == "running"]
        for job in running:
            if self._end(job, "cancelled", "the server stopped"):
                _stop(job.process)

    def _end(self, job: Job, status: str, error: str | None = None, result: Any = None) -> bool:
        """Move a running job to `status` (once: the first ending wins)."""
        with self._lock:
            if job.status != "running":
                return False
            job.status, job.error, job.result, job.ended = status, error, result, time.monotonic()
            if status == "done":
                job.progress = 1.0
            return True

    def _watch(self, job: Job, conn: Connection, payload: bytes, scratch: str) -> None:
        """Hand the worker its work, relay its progress and result into the job, end it at the
        deadline, and remove its scratch folder once its process has ended."""
        deadline = time.monotonic() + self.timeout_s
        try:
            job.process.stdin.write(payload)
            job.process.stdin.close()
            while job.status == "running":
                left = deadline - time.monotonic()
                if left <= 0:
                    self._end(job, "timed_out", f"job: over the {self.timeout_s:g} s limit per job")
                    break
                if not conn.poll(min(left, 0.25)):
                    continue
                kind, value = conn.recv()
                if kind == "progress":
                    job.progress = value
                elif kind == "done":
                    self._end(job, "done", result=value)
                else:
                    self._end(job, "failed", value)
        except (EOFError, OSError):
            self._end(job, "failed", f"job: the worker process ended (exit code "
                                     f"{_exit_code(job.process)})")
        finally:
            conn.close()
            _stop(job.process)
            shutil.rmtree(scratch, ignore_errors=True)

    def _prune(self) -> None:
        """Drop finished jobs older than `keep_s`, then the oldest beyond `keep`."""
        now = time.monotonic()
        ended = sorted((j.ended, j.id) for j in self._jobs.values() if j.ended is not None)
        for i, (at, job_id) in enumerate(ended):
            if now - at > self.keep_s or i < len(ended) - self.keep:
                del self._jobs[job_id]


def _launch() -> tuple[subprocess.Popen, tuple[Connection, int]]:
    """Start ``python -P -m pactlab.app.web.worker`` (``-P``: the working directory is not on its
    import path) with a pipe of its own for its messages, whose number it is told with its
    work."""
    ours, theirs = os.pipe()
    try:
        process = subprocess.Popen([sys.executable, "-P", "-m", "pactlab.app.web.worker"],
                                   stdin=subprocess.PIPE, pass_fds=(theirs,))
    finally:
        os.close(theirs)
    return process, (Connection(ours, writable=False), theirs)


def _exit_code(process: subprocess.Popen) -> int | None:
    try:
        return process.wait(1)
    except subprocess.TimeoutExpired:
        return None


def _stop(process: subprocess.Popen) -> None:
    """End a worker process: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(3)
