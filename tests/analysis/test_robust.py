"""Robust verdicts (analysis/robust.py): shares are the fraction of reported points, a planted
threshold is found by the flip box, a range that does not vary is never a driver, the design's
settings (Sobol base size, common or independent futures)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pactlab as pl
from pactlab.analysis.robust import ROBUST_VERDICTS, Outcome, _holds, knee, robust
from pactlab.inputs.ranges import load_ranges

PACT = "korea-final-2025-11"


def _ranges(tmp_path: Path, text: str):
    path = tmp_path / "ranges.toml"
    path.write_text(text)
    return load_ranges(path=path)


@pytest.fixture(scope="module")
def small():
    return robust([PACT], points=8, paths=100, seed=3)


@pytest.mark.slow
def test_shares_are_the_fraction_of_reported_points_where_the_verdict_holds(small) -> None:
    d = small.to_dict()
    bound = d["manifest"]["crisis_bound"]
    assert len(d["points"]) == 8 == d["manifest"]["points"]
    for v in d["verdicts"]:
        holds = [_holds(Outcome(**p["outcomes"][v["pact"]]), bound)[v["verdict"]]
                 for p in d["points"]]
        assert v["holds_share"] == pytest.approx(sum(holds) / len(holds), abs=0)
    assert [v["verdict"] for v in d["verdicts"]] == list(ROBUST_VERDICTS)   # KOR: a crisis test
    assert {p["seed"] for p in d["points"]} == {3}                         # common futures


@pytest.mark.slow
def test_the_json_layout_is_pinned(small) -> None:
    d = small.to_dict()
    assert list(d) == ["manifest", "ranges", "points", "verdicts"]
    assert set(d["points"][0]) == {"id", "seed", "values", "outcomes"}
    assert set(d["points"][0]["outcomes"][PACT]) == {"investor_gain_mean", "host_gain_mean",
                                                     "p_crisis"}
    assert set(d["verdicts"][0]) == {"pact", "verdict", "holds_share", "at_defaults", "drivers",
                                     "flip_box"}
    kinds = {r["kind"] for r in d["ranges"]}
    assert kinds == {"assumption", "term"}
    term = next(r for r in d["ranges"] if r["key"] == "waterfall.daa_convention")
    assert term == {"key": "waterfall.daa_convention", "kind": "term",
                    "levels": ["scheduled", "compounding"], "source": term["source"]}
    for v in d["verdicts"]:
        for drv in v["drivers"]:
            assert set(drv) == {"key", "index", "measure"} and drv["measure"] == "abs_spearman"
        if v["flip_box"] is not None:
            assert set(v["flip_box"]) == {"limits", "coverage", "density"}
    assert set(d["points"][0]["values"]) == {r["key"] for r in d["ranges"]}


def test_a_planted_threshold_is_found_by_the_flip_box(tmp_path: Path) -> None:
    """Korea's final deal: the likelier the deal is withdrawn, the less the investor gains; with
    only the withdrawal probability ranged, its verdict flips below a threshold (about 3-4% a
    year on these futures)."""
    key = "trade.deal_withdrawal_prob"
    ranges = _ranges(tmp_path, f'["{key}"]\nlow = 0.0\nhigh = 0.1\nsource = "planted"\n')
    r = robust([PACT], points=16, paths=100, seed=1, ranges=ranges)
    x = np.array([p["values"][key] for p in r.points])
    inv = np.array([p["outcomes"][PACT]["investor_gain_mean"] for p in r.points])
    assert np.all(np.diff(inv[np.argsort(x)]) < 0)           # the gain falls with it
    holds = inv > 0
    assert 0 < holds.sum() < len(holds), "the planted range must straddle the threshold"
    threshold = (x[holds].max() + x[~holds].min()) / 2
    v = next(v for v in r.verdicts if v["verdict"] == "investor_gain_positive")
    assert v["at_defaults"] is False and v["holds_share"] == holds.mean()
    box = v["flip_box"]
    lo, hi = box["limits"][key]
    assert box["density"] == 1.0 and box["coverage"] == 1.0
    assert np.array_equal((x >= lo) & (x <= hi), holds)     # the box is the threshold
    assert x[holds].max() <= hi < x[~holds].min()
    assert 0.02 < threshold < 0.06
    assert r.box_text(v) == f"{key} ≤ {hi:.4g}"
    assert v["drivers"] == [{"key": key, "index": 1.0, "measure": "abs_spearman"}]


@pytest.mark.slow
def test_a_range_with_low_equal_to_high_is_never_a_driver(tmp_path: Path) -> None:
    ranges = _ranges(tmp_path, '["valuation.host_strategic_value"]\nlow = 0.0\nhigh = 0.5\n'
                               'source = "s"\n\n["discount.host"]\nlow = 0.042\nhigh = 0.042\n'
                               'source = "s"\n')
    for sampler, points in (("lhs", 8), ("sobol", 8)):
        r = robust(["japan-mou-2025"], points=points, paths=100, seed=0, ranges=ranges,
                   sampler=sampler)
        keys = {d["key"] for v in r.verdicts for d in v["drivers"]}
        assert "discount.host" not in keys
        assert all(p["values"]["discount.host"] == 0.042 for p in r.points)
        if sampler == "sobol":
            assert r.manifest["base_size"] == 2 and r.manifest["points"] == 8
            assert "rough" in r.manifest["design"]


def test_fixed_keys_are_not_ranged_and_independent_futures_spawn_seeds(tmp_path: Path) -> None:
    ranges = _ranges(tmp_path, '["valuation.host_strategic_value"]\nlow = 0.0\nhigh = 0.5\n'
                               'source = "s"\n\n["discount.host"]\nlow = 0.035\nhigh = 0.05\n'
                               'source = "s"\n')
    a = pl.load_assumptions(overrides={"discount.host": 0.045})
    r = robust(["japan-mou-2025"], a, points=4, paths=50, seed=5, ranges=ranges,
               independent_futures=True)
    assert [x.key for x in r.ranges] == ["valuation.host_strategic_value"]
    assert "discount.host" in r.manifest["fixed"]
    expected = [int(s.generate_state(1, np.uint32)[0])
                for s in np.random.SeedSequence(5).spawn(4)]
    assert [p["seed"] for p in r.points] == expected


def test_bad_settings_are_one_line() -> None:
    with pytest.raises(pl.PactError, match="--sampler"):
        robust(["japan-mou-2025"], points=4, paths=10, sampler="morris")
    with pytest.raises(pl.PactError, match="--crisis-bound"):
        robust(["japan-mou-2025"], points=4, paths=10, crisis_bound=True)
    with pytest.raises(pl.PactError, match="at least"):
        robust(["japan-mou-2025"], points=4, paths=10, sampler="sobol")


def test_the_knee_is_the_step_farthest_from_the_chord() -> None:
    assert knee([1.0, 0.95, 0.9, 0.3], [0.2, 0.5, 0.9, 1.0]) == 2
    assert knee([1.0, 0.8, 0.6], [0.2, 0.4, 0.6]) == 2          # a straight line: the last
    assert knee([1.0], [0.5]) == 0
