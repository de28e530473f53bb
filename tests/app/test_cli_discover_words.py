"""`discover` speaks in the inputs' own units: the box's limits as 8% a year or $50B, and the box
as a sentence."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.app.cli_runner import run_cli

SPEC = """
name = "words"
pacts = ["korea-final-2025-11"]
outcomes = ["investor_gain_mean"]
[uncertainties]
"trade.deal_withdrawal_prob" = { low = 0.02, high = 0.30 }
[sampler]
method = "lhs"
points = 24
paths = 100
seed = 3
"""


@pytest.mark.slow
def test_the_box_is_in_the_inputs_units_and_in_words(capsys, tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    assert run_cli(capsys, "explore", str(spec), "-o", str(tmp_path / "run"))[0] == 0
    code, out, err = run_cli(capsys, "discover", str(tmp_path / "run"), "--where",
                             "investor_gain_mean < -10", "--resamples", "3")
    assert code == 0, err
    assert re.search(r"\d+% a year", out)                       # not 0.08
    words = next(line for line in out.splitlines() if line.startswith("In words:"))
    assert "the deal's withdrawal risk is" in words and "% a year" in words
