"""README's model figures are the model's: tools/readme_figures.py --check rewrites every
<!-- figures:NAME --> block from fresh runs and fails when one would change."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_figure_block_has_its_markers() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import readme_figures
    finally:
        sys.path.pop(0)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in readme_figures.BLOCKS:
        assert text.count(f"<!-- figures:{name} -->") == 1, name
        assert text.count(f"<!-- /figures:{name} -->") == 1, name
    assert readme_figures.rewrite("<!-- figures:demo -->\nold\n<!-- /figures:demo -->",
                                  {"demo": "new"}) == \
        "<!-- figures:demo -->\nnew\n<!-- /figures:demo -->"


@pytest.mark.slow
def test_the_readme_figures_are_current() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "readme_figures.py"), "--check"],
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-2000:]
