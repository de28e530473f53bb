"""``pactlab robust``: the JSON layout, a point reproduced alone by ``pactlab evaluate`` bit
for bit, the table, CSV of the points, and bad input as one line with exit code 2."""
from __future__ import annotations

import json

import pytest

from tests.app.cli_runner import run_cli

PACT = "korea-final-2025-11"


def _flag(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, float) else str(value)


@pytest.mark.slow
def test_a_point_is_reproduced_by_evaluate_bit_for_bit(capsys) -> None:
    code, out, _ = run_cli(capsys, "robust", PACT, "--points", "2", "--paths", "100",
                           "--seed", "4", "--independent-futures", "--json")
    assert code == 0
    d = json.loads(out)
    assert list(d) == ["manifest", "ranges", "points", "verdicts"]
    kind = {r["key"]: r["kind"] for r in d["ranges"]}
    point = d["points"][1]
    assert point["seed"] != 4                                   # its own futures
    args = []
    for key, value in point["values"].items():
        args += ["--set" if kind[key] == "assumption" else "--term", f"{key}={_flag(value)}"]
    code, out, err = run_cli(capsys, "evaluate", PACT, "--paths", "100", "--seed",
                             str(point["seed"]), "--no-flips", "--json", *args)
    assert code == 0, err
    metrics = json.loads(out)["metrics"]
    got = {"investor_gain_mean": metrics["gain"]["investor_mean"],
           "host_gain_mean": metrics["gain"]["host_mean"], "p_crisis": metrics["fx"]["p_crisis"]}
    assert got == point["outcomes"][PACT]                       # exactly, not approximately


@pytest.mark.slow
def test_the_table_and_the_csv(capsys) -> None:
    code, out, _ = run_cli(capsys, "robust", "japan-mou-2025", "--points", "2", "--paths", "50",
                           "--set", "trade.deal_withdrawal_prob=0.1")
    assert code == 0
    assert "How sure is each verdict?" in out and "investor_gain_positive" in out
    assert "investor_crisis_below" not in out                   # Japan: no crisis test
    assert "trade.deal_withdrawal_prob" in out                  # held, and said so
    code, out, _ = run_cli(capsys, "robust", "japan-mou-2025", "--points", "2", "--paths", "50",
                           "--csv")
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert header[:2] == ["id", "seed"] and "japan-mou-2025:investor_gain_mean" in header
    assert len(out.strip().splitlines()) == 3


@pytest.mark.parametrize(("args", "needle"), [
    (["--sampler", "morris"], "sampler"),
    (["--crisis-bound", "0"], "crisis_bound"),
    (["--set", "trade.deal_withdrawal_prb=0.1"], "trade.deal_withdrawal_prb"),
    (["--term", "waterfall.sprad=0.01"], "waterfall.sprad"),
    (["--points", "1"], "--points"),
])
def test_bad_input_is_one_line_exit_2(capsys, args: list[str], needle: str) -> None:
    code, out, err = run_cli(capsys, "robust", "japan-mou-2025", "--paths", "10", *args)
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_bad_ranges_file_is_one_line_exit_2(capsys, tmp_path, monkeypatch) -> None:
    from pactlab.analysis import robust as module
    from pactlab.inputs.ranges import load_ranges
    bad = tmp_path / "ranges.toml"
    bad.write_text('["trade.deal_withdrawal_prob"]\nlow = 0.3\nhigh = 0.1\nsource = "s"\n')
    monkeypatch.setattr(module, "load_ranges", lambda a=None: load_ranges(a, path=bad))
    code, _, err = run_cli(capsys, "robust", "japan-mou-2025", "--points", "2", "--paths", "10")
    assert code == 2 and "low: 0.3 is above high" in err and len(err.strip().splitlines()) == 1
