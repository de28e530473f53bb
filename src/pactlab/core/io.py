"""Files written all or nothing, with the permissions the user's umask gives, and folders that
one run at a time may write.

``tempfile.mkstemp`` creates its file with mode 0600 whatever the umask; a published result
must get the mode any other new file would (0644 under the usual umask 022), so the file is
chmod-ed to ``0666 & ~umask`` before it is renamed into place.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from .errors import PactError

__all__ = ["default_mode", "write_atomic"]

_umask_lock = threading.Lock()


def default_mode() -> int:
    """The mode a new file gets here: 0666 less the process's umask."""
    with _umask_lock:            # os.umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write `data` to `path` all or nothing: a temporary file in the same folder, then a rename.
    A missing folder is a one-line PactError; the file's mode follows the umask."""
    path = Path(path)
    if not path.parent.exists():
        raise PactError(f"{path}: folder {path.parent} does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
