"""Preferences revealed by the record (issue 21): a planted toy record is recovered, a
contradictory one is reported inconsistent, the point lies in the set, the file negotiate reads
round-trips, bad flags are one line."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import pactlab as pl
from pactlab.analysis.calibrate import (
    COUNTER,
    JAPAN,
    PARAMETERS,
    RECORD,
    SIGNED,
    US_DEMAND,
    Basis,
    Calibration,
    distance,
    fit,
    read_preferences,
)
from pactlab.analysis.negotiate.space import Issue, IssueSpace

from .app.cli_runner import run_cli

LABELS = (SIGNED, US_DEMAND, COUNTER, JAPAN)
PATHS = 40


def toy(host_fixed, host_revenue, investor_fixed) -> Basis:
    """A basis with constant gains per pact (so risk aversion does not matter): the host's
    fixed part and its revenue part at a weight of 1; every other part 0."""
    const = lambda values: np.repeat(np.array(values, float)[:, None], PATHS, axis=1)
    unit = {k: np.zeros((4, PATHS)) for k, (_, c) in PARAMETERS.items() if c is not None}
    unit["host_objective.revenue_weight"] = const(host_revenue)
    return Basis(LABELS, {"investor": const(investor_fixed), "host": const(host_fixed)}, unit, 0.05)


def only_revenue(high: float = 1.5) -> dict[str, tuple[float, float]]:
    return {k: ((0.0, high) if k == "host_objective.revenue_weight" else (0.0, 0.0))
            for k in PARAMETERS}


def test_a_planted_record_is_recovered() -> None:
    # host gains (signed, demand, counter, japan) = fixed + w_R x revenue part:
    #   signed beats no deal: 8 - 10 w   >= 0  ->  w <= 0.8
    #   demand beats counter: 0 - (3 - 10 w) >= 0 -> w >= 0.3
    b = toy(host_fixed=[8.0, 0.0, 3.0, 5.0], host_revenue=[-10.0, 0.0, -10.0, 0.0],
            investor_fixed=[5.0, 1.0, 3.0, 0.0])
    found = fit(b, RECORD, only_revenue(), samples=4000, seed=3)
    assert found.consistent
    ok = found.slack.min(axis=1) >= 0
    w = found.samples[ok, list(PARAMETERS).index("host_objective.revenue_weight")]
    assert w.min() == pytest.approx(0.3, abs=0.01) and w.max() == pytest.approx(0.8, abs=0.01)
    point = found.point["host_objective.revenue_weight"]
    assert 0.3 <= point <= 0.8
    assert point == pytest.approx(0.55, abs=0.02)      # the deepest point: the set's middle
    assert found.point_slack.min() >= 0
    # each fact's margin at the point, by hand
    assert found.point_slack[1] == pytest.approx(8 - 10 * point)
    assert found.point_slack[6] == pytest.approx(-3 + 10 * point)


def test_a_contradictory_record_is_inconsistent() -> None:
    # Korea would rather have the US demand than what it signed, whatever the parameters
    b = toy(host_fixed=[8.0, 0.0, 3.0, 5.0], host_revenue=[-10.0, 0.0, -10.0, 0.0],
            investor_fixed=[1.0, 4.0, 3.0, 0.0])
    found = fit(b, RECORD, only_revenue(), samples=256, seed=0)
    assert not found.consistent
    assert found.point_slack[3] == pytest.approx(-3.0)
    # a record the host's bound cannot reach: w would have to exceed 1.5
    b = toy(host_fixed=[8.0, 0.0, 20.0, 5.0], host_revenue=[-1.0, 0.0, -10.0, 0.0],
            investor_fixed=[5.0, 1.0, 3.0, 0.0])
    assert not fit(b, RECORD, only_revenue(), samples=256, seed=0).consistent
    assert fit(b, RECORD, only_revenue(high=3.0), samples=512, seed=0).consistent


def test_the_distance_by_hand() -> None:
    space = IssueSpace(pl.load_pact(SIGNED), (
        Issue("schedule.annual_cap", levels=(10.0, 20.0, 50.0)),
        Issue("fx.swap_line", levels=(0.0, 20.0, float("inf"))),
        Issue("governance.selection", levels=("host_directed", "investor_directed"))))
    got = distance(space, {"schedule.annual_cap": 20.0, "fx.swap_line": 0.0,
                           "governance.selection": "host_directed"},
                   {"schedule.annual_cap": 50.0, "fx.swap_line": float("inf"),
                    "governance.selection": "host_directed"})
    assert got == pytest.approx((30 / 40 + 1.0 + 0.0) / 3)


@pytest.fixture(scope="module")
def small() -> Calibration:
    from pactlab.analysis.calibrate import calibrate
    return calibrate("korea", pl.load_assumptions(), paths=120, samples=256, seed=1)


def test_the_record_on_the_model(small) -> None:
    d = small.to_dict()
    assert d["consistent"] is True and 0 < d["consistent_share"] <= 1
    assert len(d["record"]) == len(RECORD) and min(r["slack"] for r in d["record"]) >= 0
    for key, row in d["parameters"].items():
        assert row["low"] <= row["set"][0] <= row["point"] <= row["set"][1] <= row["high"], key
        assert row["source"]
    assert "tariff revenue is worth $" in d["meaning"][0]


def test_the_preferences_file_round_trips(small, tmp_path: Path) -> None:
    path = tmp_path / "prefs.toml"
    path.write_text(small.preferences_toml())
    got = read_preferences(path)
    assert got.pop("host_objective.view") == "stated"
    assert got == pytest.approx(small.fit.point)
    a = pl.load_assumptions().with_values(read_preferences(path))
    assert a.host_objective.revenue_weight == pytest.approx(small.fit.point["host_objective.revenue_weight"])


@pytest.mark.slow
def test_hold_out_predicts_the_signed_deal(capsys, tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "calibrate", "korea", "--hold-out", SIGNED, "--paths", "100",
                             "--samples", "128", "--candidates", "16", "--json",
                             "-o", str(tmp_path / "p.toml"))
    assert code == 0, err
    d = json.loads(out)
    p = d["prediction"]
    assert set(p["terms"]) == set(p["held_out"]) and 0.0 <= p["distance"] <= 1.0
    assert p["held_out"]["tariffs.deal.general"] == 0.15
    assert all(r["better"] != SIGNED and r["worse"] != SIGNED for r in d["record"])
    assert (tmp_path / "p.toml").read_text().startswith("# pactlab calibrate korea --hold-out")


@pytest.mark.parametrize("args, field", [
    (("calibrate", "japan"), "investor"),
    (("calibrate", "korea", "--hold-out", "japan-mou-2025"), "--hold-out"),
    (("calibrate", "korea", "--samples", "3"), "--samples"),
    (("calibrate", "korea", "--set", "negotiation.host_no_deal_cost=-1"), "host_no_deal_cost"),
])
def test_bad_flags_are_one_line(capsys, args, field) -> None:
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and field in err and len(err.strip().splitlines()) == 1


def test_a_bad_preferences_file_is_one_line(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[preferences]\n"host_objective.revenue_weight" = "high"\n')
    code, _, err = run_cli(capsys, "negotiate", SIGNED, "--space", "korea", "--preferences", str(bad))
    assert code == 2 and "revenue_weight: must be a number" in err
    assert len(err.strip().splitlines()) == 1
