"""Scenario discovery, EMA-style: the box at the knee (or --box N), quasi-p-values per
restriction, resampling stability, and restrictions that do not matter dropped."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from pactlab.analysis import robust
from pactlab.analysis.explore.prim import box_stats, knee, prim, quasi_p_values, select_box
from pactlab.core.errors import PactError
from tests.app.cli_runner import run_cli


@pytest.fixture(scope="module")
def planted():
    """`a` above 0.7 decides the outcome (5% noise each way); `b`, `c` and `k` do not."""
    rng = np.random.default_rng(1)
    n = 400
    x = pd.DataFrame({"a": rng.random(n), "b": rng.random(n), "c": rng.random(n),
                      "k": pd.Series(rng.choice(["p", "q", "r"], n), dtype=object)})
    y = ((x.a > 0.7).to_numpy() & (rng.random(n) < 0.95)) | (rng.random(n) < 0.03)
    return x, y, prim(x, y, threshold=0.8)


def test_the_default_box_is_the_knee_and_restricts_only_the_deciding_variable(planted) -> None:
    x, y, res = planted
    sel = select_box(x, y, res, resamples=10, seed=0)
    traj = res.trajectory
    assert sel.how == "knee" and sel.step == knee(traj["coverage"], traj["density"])
    assert sel.step == robust.knee(traj["coverage"], traj["density"])      # the same rule
    assert res.restricted(sel.step) == ["a"] and sel.dropped == []
    assert res.limits[sel.step]["a"][0] == pytest.approx(0.7, abs=0.03)
    assert sel.quasi_p["a"] < 1e-20 and sel.stability["a"] == 1.0
    assert sel.stats == box_stats(x, y, sel.box)
    assert sel.stats["coverage"] > 0.9 and sel.stats["density"] > 0.9


def test_a_restriction_that_does_not_matter_is_dropped(planted) -> None:
    x, y, res = planted
    last = len(res.trajectory) - 1
    assert "k" in res.restricted(last)
    sel = select_box(x, y, res, box=last, resamples=0)
    assert sel.how == "--box" and sel.quasi_p["k"] > 0.05 and sel.dropped == ["k"]
    assert set(sel.box) == {"a"} and sel.table(res).loc["k", "kept"] == False  # noqa: E712


def test_quasi_p_is_the_one_sided_binomial_tail() -> None:
    # 20 points: `a` restricted to [0.5, 1] keeps 10 points, 8 of interest; without it the
    # density is 10/20, so quasi-p = P(X >= 8), X ~ Bin(10, 0.5)
    a = np.linspace(0.0, 1.0, 20)
    y = np.zeros(20, dtype=bool)
    y[[10, 11, 12, 13, 14, 15, 16, 17]] = True
    y[[0, 1]] = True
    x = pd.DataFrame({"a": a})
    res = prim(x, y, threshold=0.5)
    box = {"a": (float(a[10]), 1.0)}
    res = type(res)(res.trajectory, [*res.limits, box], res.initial, res.threshold)
    p = quasi_p_values(x, y, res, -1)
    assert p["a"] == pytest.approx(binom.sf(7, 10, 0.5))


def test_a_box_outside_the_trajectory_is_refused(planted) -> None:
    x, y, res = planted
    with pytest.raises(PactError, match=r"--box 999: must be a step of the trajectory, 0 to \d+"):
        select_box(x, y, res, box=999)


ISHIGAMI = """name = "ish"
model = "ishigami"
outcomes = ["y"]
[uncertainties]
x1 = { low = -3.14159, high = 3.14159 }
x2 = { low = -3.14159, high = 3.14159 }
x3 = { low = -3.14159, high = 3.14159 }
[sampler]
method = "lhs"
points = 200
seed = 3
"""


def test_discover_reports_the_knee_with_its_tests(capsys, tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(ISHIGAMI)
    assert run_cli(capsys, "explore", str(spec), "-o", str(tmp_path / "run"))[0] == 0
    code, out, err = run_cli(capsys, "discover", str(tmp_path / "run"), "--where", "x1 > 1.0",
                             "--resamples", "5", "--json")
    assert code == 0, err
    data = json.loads(out)
    sel = data["selected"]
    assert sel["how"] == "knee" and set(data["box"]) == {"x1"}
    assert data["box"]["x1"]["min"] == pytest.approx(1.0, abs=0.1)
    assert sel["restrictions"]["x1"]["quasi_p"] < 1e-10
    assert sel["restrictions"]["x1"]["stability"] == 1.0 and sel["resamples"] == 5
    code, out, err = run_cli(capsys, "discover", str(tmp_path / "run"), "--where", "x1 > 1.0",
                             "--box", "999")
    assert code == 2 and "--box 999" in err and len(err.strip().splitlines()) == 1
