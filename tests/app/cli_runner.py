"""Run the command line in-process, as a test reads it: (exit code, stdout, stderr)."""
from __future__ import annotations

import pytest

from pactlab.app.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([*args])
        raise SystemExit(0)
    captured = capsys.readouterr()
    return info.value.code or 0, captured.out, captured.err
