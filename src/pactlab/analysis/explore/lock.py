"""One run at a time in a folder: a ``.lock`` file, created all or nothing (``O_CREAT|O_EXCL``),
that names its owner (pid, host, and the process's start time, so a reused pid is not mistaken
for the owner). A second run is refused with one line naming the owner; the lock of a process
that is gone is taken over, and said. The lock goes when the run ends, however it ends.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ...core.errors import PactError

LOCK = ".lock"


def _stat(pid: int) -> tuple[str, str] | None:
    """A process's state letter and start time (Linux /proc), or None where unknown."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], fields[19]


def _owner() -> dict[str, Any]:
    pid = os.getpid()
    stat = _stat(pid)
    return {"pid": pid, "host": socket.gethostname(), "start": stat and stat[1]}


def _alive(owner: dict[str, Any]) -> bool:
    """Whether the process a lock names may still be running (another host's: assume so)."""
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if owner.get("host") != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass                                    # another user's process: it exists
    stat = _stat(pid)
    if stat is None:
        return True
    return stat[0] not in "ZX" and owner.get("start") in (None, stat[1])


def _read(path: Path) -> dict[str, Any] | None:
    """The owner a lock file names; {} where it is unreadable; None where it is gone."""
    try:
        owner = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return owner if isinstance(owner, dict) else {}


@contextlib.contextmanager
def _serialised(folder: Path) -> Iterator[None]:
    """Lockers of one folder, one at a time (flock on the folder), so two runs that find one
    stale lock do not both take it over. Where flock is missing, O_EXCL alone decides."""
    try:
        import fcntl
        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)                            # closing releases the flock


class FolderLock:
    """``with FolderLock(folder, notice):`` holds the folder for the block's life. `notice`
    gets a one-line message when a stale lock is taken over."""

    def __init__(self, folder: str | Path, notice: Callable[[str], None]) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK
        self.notice = notice
        self._text: str | None = None

    def __enter__(self) -> FolderLock:
        with _serialised(self.folder):
            self._acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _acquire(self) -> None:
        text = json.dumps(_owner()) + "\n"
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
            except FileExistsError:
                self._take_over_if_stale()
                continue
            except OSError as exc:
                raise PactError(f"{self.folder}: cannot lock the folder ({exc.strerror})") from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            self._text = text
            return
        raise PactError(f"{self.folder}: cannot lock the folder ({self.path} keeps changing)")

    def _take_over_if_stale(self) -> None:
        owner = _read(self.path)
        if owner is None:
            return                              # released meanwhile: try again
        if _alive(owner):
            raise PactError(f"{self.folder}: another run (pid {owner['pid']} on "
                            f"{owner.get('host')}) is writing this folder; wait for it to end, "
                            f"or delete {self.path} if that run is gone")
        self.path.unlink(missing_ok=True)
        who = f"pid {owner['pid']}" if "pid" in owner else "an unreadable owner"
        self.notice(f"{self.folder}: took over the lock of a run that is no longer running "
                    f"({who})")

    def release(self) -> None:
        """Remove the lock file, if it is still this run's."""
        if self._text is None:
            return
        try:
            if self.path.read_text(encoding="utf-8") == self._text:
                self.path.unlink()
        except OSError:
            pass
        self._text = None
