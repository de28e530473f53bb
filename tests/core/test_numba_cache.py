"""A user who can write neither beside the package nor in HOME still runs every kernel: numba's
cache moves to a private folder under the temp dir, and nothing is said (issue 16, item 15).

Root ignores permissions, so the check runs as `nobody` with one capability added, to read
(never write) the root-owned venv and clone: as a user to whom they are readable, not writable.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SCRIPT = ("import numpy as np, pactlab as pl; from pactlab.engine.finance import npv; "
          "print(round(float(npv(0.1, np.array([[-1.0, 1.1]]))[0]), 9), "
          "pl.load_pact('korea-final-2025-11').commitment)")


def _as_reader(*cmd: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", *cmd],
        env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_kernels_run_for_a_user_who_cannot_write_home_or_the_package() -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the check as another user")
    tmp = Path(tempfile.mkdtemp(prefix="pactlab-cache-test-"))
    try:
        tmp.chmod(0o777)
        env = {"PATH": os.environ["PATH"], "HOME": "/nonexistent", "TMPDIR": str(tmp)}
        probe = _as_reader(sys.executable, "-c", "import os; print(os.getuid())", env=env)
        if probe.returncode != 0:
            pytest.skip(f"cannot run as another user here: {probe.stderr.strip()[:200]}")
        done = _as_reader(sys.executable, "-c", SCRIPT, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split() == ["0.0", "350.0"]
        assert done.stderr == ""                     # silent
        cache = tmp / "pactlab-numba-65534"
        assert cache.is_dir() and (cache.stat().st_mode & 0o777) == 0o700
        assert any(cache.rglob("*.nbi"))             # the kernels were cached there
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
