"""Where numba keeps the compiled kernels, for users who cannot write beside the package.

numba caches a ``cache=True`` kernel beside its source (``__pycache__``), else under the user's
cache folder (``~/.cache/numba``). An installed package in a read-only folder, run by a user
whose HOME is not writable either, has neither, and every kernel then fails with "no locator
available". For that user only, the cache moves to a private folder under the system's temp
dir (one per user, owned by them, mode 0700), silently; a ``NUMBA_CACHE_DIR`` already set wins.
"""
from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path


def ensure_numba_cache(package_dir: Path) -> None:
    """Point numba at a writable cache folder when neither of its own would work."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    if _writable(package_dir / "engine" / "__pycache__") or _writable(_user_cache()):
        return
    folder = str(_private_temp_folder())
    os.environ["NUMBA_CACHE_DIR"] = folder
    if "numba" in sys.modules:          # imported before us: its config has been read already
        sys.modules["numba"].config.CACHE_DIR = folder


def _user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "numba"


def _writable(folder: Path) -> bool:
    """Whether numba could create `folder` and write in it (as its locators check)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def _private_temp_folder() -> Path:
    """``<tmp>/pactlab-numba-<uid>``, unless someone else owns that name or it is a link: then
    a fresh folder of our own."""
    folder = Path(tempfile.gettempdir()) / f"pactlab-numba-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        if (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
                and _writable(folder)):
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="pactlab-numba-"))
