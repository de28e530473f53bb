"""``evaluate`` and ``compare`` print what a reader must not miss: a tranche no project took."""
from __future__ import annotations

import pactlab as pl
from pactlab.app.cli.evaluate import _show_warnings


def test_an_unallocated_tranche_is_printed_with_its_rule_and_rate(capsys) -> None:
    a = pl.load_assumptions(overrides={"markets.sofr.long_run": 0.04})
    evaluations = pl.evaluate_all(["korea-final-2025-11", "japan-mou-2025"], paths=50, seed=1,
                                  assumptions=a)
    _show_warnings(evaluations)
    printed = " ".join(capsys.readouterr().out.split())
    assert "⚠ korea-final-2025-11: $200.0B of tranche 'mou-spv-cash' is unallocated" in printed
    assert "deemed rate 5.00%" in printed and "snaps back to 25% from 2030" in printed
    assert "japan-mou-2025" not in printed       # host-directed: no test to fail
    _show_warnings(pl.evaluate_all(["korea-final-2025-11"], paths=50, seed=1))
    assert capsys.readouterr().out == ""
