"""Sweeps: the spec, the executors (bit-identical), the store (kill and resume), sensitivity on
a known function, and PRIM against a planted box and EMA Workbench's own example."""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pactlab as pl
from pactlab.analysis.explore import (
    discover,
    explore,
    load_results,
    load_spec,
    point_seed,
    prim,
    sensitivity,
)

DATA = Path(__file__).parents[1] / "data"
PI = math.pi

def ishigami_spec(method: str, points: int) -> str:
    factor = f"{{ low = {-PI!r}, high = {PI!r} }}"
    return (f'name = "ishigami"\nmodel = "ishigami"\noutcomes = ["y"]\n[uncertainties]\n'
            f"x1 = {factor}\nx2 = {factor}\nx3 = {factor}\n"
            f'[sampler]\nmethod = "{method}"\npoints = {points}\nseed = 3\n')


SMALL = """
name = "small"
pacts = ["korea-final-2025-11"]
outcomes = ["investor_gain_mean", "p_crisis", "irr_p50"]
[uncertainties]
"fx.sudden_stop_prob" = { low = 0.01, high = 0.15 }
"trade.deal_withdrawal_prob" = { distribution = "triangular", low = 0.02, mode = 0.1, high = 0.3 }
[levers]
"fx.swap_line" = { levels = [0.0, 50.0, inf] }
"schedule.annual_cap" = { low = 10.0, high = 40.0 }
[sampler]
method = "lhs"
points = 16
paths = 150
seed = 4
"""


def spec_file(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ishigami_sobol_indices_through_the_pipeline(tmp_path: Path) -> None:
    path = spec_file(tmp_path, ishigami_spec("sobol", 2048))
    explore(path, tmp_path / "run")
    s = sensitivity(tmp_path / "run", "y").table.loc[["x1", "x2", "x3"]]
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        row = s.loc[name]
        assert abs(row["S1"] - s1) <= max(row["S1_conf"], 0.01), (name, row["S1"], row["S1_conf"])
        assert abs(row["ST"] - st) <= max(row["ST_conf"], 0.01), (name, row["ST"], row["ST_conf"])


def test_ishigami_morris_effects(tmp_path: Path) -> None:
    path = spec_file(tmp_path, ishigami_spec("morris", 200))
    explore(path, tmp_path / "run")
    s = sensitivity(tmp_path / "run", "y")
    t = s.table
    assert s.method == "morris" and s.measure == "mu_star"
    # 4 levels: x2's elementary effect is the same wherever it is taken (SALib's example: 7.875)
    assert t.loc["x2", "mu_star"] == pytest.approx(7.875, abs=1e-9)
    for name, published in (("x1", 7.624), ("x3", 6.138)):     # SALib's Ishigami example
        assert abs(t.loc[name, "mu_star"] - published) <= t.loc[name, "mu_star_conf"]
    assert abs(t.loc["x2", "mu"]) < 1.0 < t.loc["x2", "sigma"]   # sin^2: effects of both signs


def test_prim_finds_a_planted_box() -> None:
    rng = np.random.default_rng(1)
    x = pd.DataFrame({"a": rng.random(5000), "b": rng.random(5000), "c": rng.random(5000),
                      "kind": rng.choice(["p", "q", "r"], 5000)})
    y = ((x.a > 0.6) & (x.b < 0.3)).to_numpy()
    res = prim(x, y)
    box = res.box(-1)
    assert list(box.index) == ["a", "b"] and res.accepted
    assert box.loc["a", "min"] == pytest.approx(0.6, abs=0.02) and box.loc["b", "max"] == pytest.approx(0.3, abs=0.02)
    t = res.trajectory.iloc[-1]
    assert t.density > 0.95 and t.coverage > 0.9 and t.res_dim == 2


@pytest.mark.parametrize("case,kwargs", [("peel_alpha_0.1", {"peel_alpha": 0.1}), ("defaults", {})])
def test_prim_reproduces_ema_workbench_on_its_own_example(case: str, kwargs: dict) -> None:
    data = pd.read_csv(DATA / "bryant_lempert_2010.csv", index_col=False)
    expected = json.loads((DATA / "prim_bryant_lempert_expected.json").read_text())[case]
    res = prim(data.iloc[:, 2:11], data.iloc[:, 15].to_numpy().astype(bool), **kwargs)
    got = res.trajectory[["coverage", "density", "mass", "res_dim"]]
    want = pd.DataFrame(expected["trajectory"])[["coverage", "density", "mass", "res_dim"]]
    assert len(got) == len(want)
    np.testing.assert_allclose(got.to_numpy(float), want.to_numpy(float), rtol=0, atol=1e-12)
    for step, limits in zip(res.limits, expected["box_lims"], strict=True):
        for column, (lo, hi) in limits.items():
            assert step[column] == pytest.approx((lo, hi), abs=1e-9)


@pytest.mark.dask
@pytest.mark.slow
def test_every_executor_gives_the_same_parquet(tmp_path: Path) -> None:
    path = spec_file(tmp_path, SMALL)
    explore(path, tmp_path / "serial", chunk_size=5)
    explore(path, tmp_path / "processes", executor="processes", workers=2, chunk_size=3)
    explore(path, tmp_path / "dask", executor="dask", workers=2, chunk_size=7)
    serial = load_results(tmp_path / "serial")
    assert list(serial["point_id"]) == list(range(16)) and (serial["error"] == "").all()
    for other in ("processes", "dask"):
        pd.testing.assert_frame_equal(serial, load_results(tmp_path / other))
    assert len(list((tmp_path / "dask").glob("chunk-*.parquet"))) == 3


def test_a_point_is_the_same_alone(tmp_path: Path) -> None:
    path = spec_file(tmp_path, SMALL)
    explore(path, tmp_path / "run", chunk_size=16)
    row = load_results(tmp_path / "run").iloc[5]
    spec = load_spec(path)
    values = spec.values(spec.design()[5])
    a = pl.load_assumptions().with_values({k: values[k] for k in spec.uncertainties})
    pact = pl.load_pact("korea-final-2025-11").with_terms({k: values[k] for k in spec.levers})
    ev = pl.evaluate(pact, futures=pl.futures(150, point_seed(4, 5), a))
    assert row["investor_gain_mean"] == ev.metrics["gain"]["investor_mean"]
    assert row["fx.swap_line"] == values["fx.swap_line"]


def test_results_are_readable_with_duckdb(tmp_path: Path) -> None:
    import duckdb
    path = spec_file(tmp_path, SMALL)
    explore(path, tmp_path / "run", chunk_size=4)
    folder = (tmp_path / "run").as_posix()
    n = duckdb.sql(f"select count(*) from read_parquet('{folder}/**/*.parquet')").fetchall()[0][0]
    assert n == 16
    top = duckdb.sql(f"select point_id from read_parquet('{folder}/*.parquet') "
                     "order by investor_gain_mean desc limit 1").fetchall()[0][0]
    results = load_results(tmp_path / "run")
    assert top == results.loc[results["investor_gain_mean"].idxmax(), "point_id"]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["points"] == 16 and manifest["spec"]["levers"]["fx.swap_line"]["levels"][2] == math.inf


@pytest.mark.slow
def test_a_killed_run_resumes_without_losing_or_repeating_a_point(tmp_path: Path) -> None:
    text = SMALL.replace("points = 16", "points = 30").replace("paths = 150", "paths = 400")
    path = spec_file(tmp_path, text)
    folder = tmp_path / "run"
    cmd = [sys.executable, "-m", "pactlab.app.cli", "explore", str(path), "-o", str(folder),
           "--chunk-size", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(folder.glob("chunk-*.parquet"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(list(folder.glob("chunk-*.parquet")))
    assert 3 <= partial < 15
    done = subprocess.run([*cmd, "--resume"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    resumed = load_results(folder)
    assert list(resumed["point_id"]) == list(range(30))
    explore(path, tmp_path / "whole", chunk_size=7)
    pd.testing.assert_frame_equal(resumed, load_results(tmp_path / "whole"))


@pytest.mark.slow
def test_discover_finds_where_the_investor_loses(tmp_path: Path) -> None:
    text = SMALL.replace("points = 16", "points = 120").replace("paths = 150", "paths = 100")
    path = spec_file(tmp_path, text)
    explore(path, tmp_path / "run")
    where = "investor_gain_mean < (select quantile_cont(investor_gain_mean, 0.3) from results)"
    found = discover(tmp_path / "run", where, threshold=0.5)
    results = load_results(tmp_path / "run")
    low = results["investor_gain_mean"] < results["investor_gain_mean"].quantile(0.3)
    assert found.share == pytest.approx(low.mean())
    assert "trade.deal_withdrawal_prob" in found.result.box(-1).index
    assert found.result.box(-1).loc["trade.deal_withdrawal_prob", "min"] > 0.05


@pytest.mark.parametrize("text,needle", [
    (SMALL.replace('outcomes = ["investor_gain_mean", "p_crisis", "irr_p50"]', 'outcomes = ["wealth"]'),
     "outcomes: unknown outcome 'wealth'"),
    (SMALL.replace('{ low = 0.01, high = 0.15 }', '{ low = 0.2, high = 0.15 }'), "must be above low"),
    (SMALL.replace('method = "lhs"', 'method = "grid"'), "sampler.method"),
    (SMALL.replace('pacts = ["korea-final-2025-11"]', 'pacts = []'), "pacts: name at least one pact"),
    (SMALL.replace("[levers]", '[levers]\n"fx.sudden_stop_prob" = { low = 0.0, high = 0.1 }'),
     "also an uncertainty"),
])
def test_bad_specs_are_one_line_errors(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(pl.PactError) as info:
        load_spec(spec_file(tmp_path, text))
    assert needle in str(info.value) and str(info.value).startswith("spec.toml: ")


def test_a_bad_point_is_recorded_not_fatal(tmp_path: Path) -> None:
    text = SMALL.replace('"schedule.annual_cap" = { low = 10.0, high = 40.0 }',
                         '"waterfall.tiers[1].investor_share" = { levels = [0.2, 1.5] }')
    explore(spec_file(tmp_path, text), tmp_path / "run")
    results = load_results(tmp_path / "run")
    bad = results["waterfall.tiers[1].investor_share"] == 1.5
    assert bad.any() and (results.loc[bad, "error"].str.contains("must be <= 1")).all()
    assert results.loc[bad, "investor_gain_mean"].isna().all()
    assert results.loc[~bad, "investor_gain_mean"].notna().all()


def test_the_store_refuses_to_mix_runs(tmp_path: Path) -> None:
    path = spec_file(tmp_path, SMALL)
    explore(path, tmp_path / "run")
    with pytest.raises(pl.PactError, match="not empty; use --resume"):
        explore(path, tmp_path / "run")
    other = spec_file(tmp_path, SMALL.replace("seed = 4", "seed = 5"), "other.toml")
    with pytest.raises(pl.PactError, match="another spec"):
        explore(other, tmp_path / "run", resume=True)
    with pytest.raises(pl.PactError, match="no run to resume"):
        explore(path, tmp_path / "fresh", resume=True)
