"""Flip checks (analysis/flips.py): a verdict that differs at an end of one input's plausible
range is reported with its key, value, side and gain; a narrow range reports none; inputs that
do not bear on a pact are not moved."""
from __future__ import annotations

import pytest

import pactlab as pl
from pactlab.analysis.batch import plan_all, resolve_futures, value_all
from pactlab.analysis.flips import FLIP_PATHS, VERDICTS, find_flips, flip_paths, verdicts
from pactlab.inputs.ranges import Range

PATHS, SEED = 200, 3
JAPAN = "japan-mou-2025"


def _range(key: str, low: float, high: float, default: float, kind: str = "assumption") -> Range:
    return Range(key=key, kind=kind, low=low, high=high, distribution="uniform", source="test",
                 default=None if kind == "term" else default)


def _gains(pact: pl.Pact, a: pl.Assumptions) -> tuple[float, float]:
    f = resolve_futures(None, PATHS, SEED, a)
    (run,) = value_all(plan_all([pact], a), f)
    return run.metrics["gain"]["investor_mean"], run.metrics["gain"]["host_mean"]


@pytest.fixture(scope="module")
def visas() -> pl.Pact:
    """Japan's MOU with a million work visas a year: the host's gain hangs on what each costs."""
    return pl.load_pact(JAPAN).with_terms({"concessions.work_visas_per_year": 1000.0})


def test_the_verdicts_and_the_path_cap() -> None:
    assert verdicts(1.0, 0.0) == {"investor_gain_positive": True, "host_gain_positive": False,
                                  "individually_rational": True}
    assert verdicts(-0.1, 5.0)["individually_rational"] is False
    assert flip_paths(10_000) == FLIP_PATHS and flip_paths(PATHS) == PATHS


@pytest.mark.slow
def test_a_wide_range_that_turns_the_host_negative_is_reported(visas: pl.Pact) -> None:
    a = pl.load_assumptions()
    default = a.valuation.visa_cost_host
    wide = _range("valuation.visa_cost_host", 0.0, 1.0, default)
    (check,) = find_flips([visas], a, paths=PATHS, seed=SEED, ranges=[wide])
    base = _gains(visas, a)
    assert (check.investor_gain, check.host_gain) == pytest.approx(base)   # same futures
    assert check.at_defaults == verdicts(*base) and check.at_defaults["host_gain_positive"]
    high = _gains(visas, a.with_values({"valuation.visa_cost_host": 1.0}))
    expected = {v for v in VERDICTS if verdicts(*high)[v] != verdicts(*base)[v]}
    assert "host_gain_positive" in expected       # $1bn a thousand visas: the host loses
    assert {f.verdict for f in check.flips} == expected
    flip = next(f for f in check.flips if f.verdict == "host_gain_positive")
    assert (flip.range.key, flip.value, flip.default, flip.holds) == (wide.key, 1.0, default, False)
    assert flip.side == "host" and flip.gain == pytest.approx(high[1]) and flip.gain < 0
    assert check.checked == (wide.key,) and check.paths == PATHS and check.seed == SEED
    assert flip.to_dict()["range"] == {"low": 0.0, "high": 1.0, "distribution": "uniform",
                                       "source": "test"}


def test_a_narrow_range_reports_none_and_a_term_range_is_moved_on_the_pact(visas: pl.Pact) -> None:
    a = pl.load_assumptions()
    v = a.valuation.visa_cost_host
    narrow = _range("valuation.visa_cost_host", v * 0.99, v * 1.01, v)
    term = _range("concessions.work_visas_per_year", 0.0, 1000.0, 0.0, kind="term")
    costly = a.with_values({"valuation.visa_cost_host": 1.0})   # fixed by the user: not moved
    plain = pl.load_pact(JAPAN)
    narrow_check, term_check = (
        find_flips([visas], a, paths=PATHS, seed=SEED, ranges=[narrow])[0],
        find_flips([plain], costly, paths=PATHS, seed=SEED, ranges=[narrow, term])[0])
    assert narrow_check.flips == () and narrow_check.checked == (narrow.key,)
    assert term_check.checked == (term.key,)      # visa_cost_host was --set: fixed
    flip = next(f for f in term_check.flips if f.verdict == "host_gain_positive")
    assert (flip.range.kind, flip.value, flip.default, flip.side) == ("term", 1000.0, 0.0, "host")


@pytest.mark.slow
def test_inputs_that_do_not_bear_on_a_pact_are_not_moved() -> None:
    a = pl.load_assumptions()
    korea = pl.load_pact("korea-final-2025-11")
    used = {al.archetype for al in plan_all([korea], a)[0].selection.allocations}
    unused = next(name for name in a.archetypes if name not in used)
    gdp = a.country("JPN").gdp
    ranges = [_range("macro.JPN.gdp", gdp * 0.9, gdp * 1.1, gdp),
              _range("discount.investor.JPN", 0.03, 0.06, a.investor_rate("JPN")),
              _range(f"archetypes.{unused}.delay_prob", 0.0, 0.5,
                     a.archetypes[unused].delay_prob),
              _range("upside.share", 0.0, 0.5, 0.0, kind="term")]
    seen: list[tuple[int, int]] = []
    (check,) = find_flips([korea], a, paths=PATHS, seed=SEED, ranges=ranges,
                          progress=lambda done, total: seen.append((done, total)))
    assert check.checked == () and check.flips == ()
    assert seen == [(1, 1)]
    both = find_flips([korea, JAPAN], a, paths=PATHS, seed=SEED, ranges=ranges[:2])
    assert [c.checked for c in both] == [(), ("macro.JPN.gdp", "discount.investor.JPN")]
    assert [c.pact for c in both] == ["korea-final-2025-11", JAPAN]


def test_a_range_end_that_the_key_refuses_is_one_line() -> None:
    a = pl.load_assumptions()
    bad = _range("fx.sudden_stop_prob", 0.0, 5.0, a.fx.sudden_stop_prob)
    with pytest.raises(pl.PactError, match=r"^ranges\.toml: fx\.sudden_stop_prob: 5\.0 is "
                                           r"not an allowed value"):
        find_flips([JAPAN], a, paths=50, seed=0, ranges=[bad])
