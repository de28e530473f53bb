"""Plausible ranges (inputs/ranges.py): every shipped range names a real key and holds its
default, and a bad ranges file is one line naming the file, the key and the rule."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

import pactlab as pl
from pactlab.inputs.ranges import (
    MISSING,
    Range,
    catalogue,
    fixed_keys,
    load_ranges,
    plausible_text,
    value_at,
)

# --- the shipped file: a test that names the key a helper got wrong ---------------------------


def test_the_shipped_file_loads_and_has_ranges() -> None:
    ranges = load_ranges()
    assert len(ranges) >= 10
    assert all(r.source.strip() for r in ranges)
    assert len({r.key for r in ranges}) == len(ranges)


def test_every_assumption_range_is_a_set_key_and_holds_its_default() -> None:
    a = pl.load_assumptions()
    bad = []
    for r in load_ranges(a):
        if r.kind != "assumption":
            continue
        if value_at(a.model_dump(), r.key) is MISSING:
            bad.append(f"{r.key}: no such assumption")
        elif r.numeric and not r.low <= r.default <= r.high:
            bad.append(f"{r.key}: default {r.default} outside {r.low}–{r.high}")
        elif not r.numeric and r.default not in r.levels:
            bad.append(f"{r.key}: default {r.default!r} not among the levels {r.levels}")
        for value in r.points():
            try:
                a.with_values({r.key: value})              # what --set KEY=VALUE does
            except pl.PactError as exc:
                bad.append(f"{r.key}={value}: --set refuses it: {exc}")
    assert not bad, "ranges.toml:\n" + "\n".join(bad)


def test_every_term_range_is_a_valid_term_of_the_presets_that_have_it() -> None:
    bad = []
    for r in load_ranges():
        if r.kind != "term":
            continue
        for name in pl.preset_names():
            pact = pl.load_pact(name)
            if value_at(pact.model_dump(), r.key) in (None, MISSING):
                continue
            for value in r.points():
                try:
                    pact.with_terms({r.key: value})
                except pl.PactError as exc:
                    bad.append(f"{r.key}={value} ({name}): {exc}")
    assert not bad, "ranges.toml:\n" + "\n".join(bad)


def test_the_defaults_follow_the_assumptions_but_the_check_stays_on_the_shipped_ones() -> None:
    shipped = {r.key: r for r in load_ranges()}
    key = next(k for k, r in shipped.items() if r.kind == "assumption" and r.numeric
               and isinstance(r.default, float))
    moved = pl.load_assumptions(overrides={key: shipped[key].high + 0.001})
    again = {r.key: r for r in load_ranges(moved)}
    assert again[key].default == pytest.approx(shipped[key].high + 0.001)   # outside: no error
    assert fixed_keys(moved) == {key} and fixed_keys(pl.load_assumptions()) == set()


def test_the_catalogue_carries_each_plausible_range() -> None:
    rows = {row["key"]: row for row in catalogue(pl.load_assumptions())}
    ranged = [r for r in load_ranges() if r.kind == "assumption" and r.key in rows]
    assert ranged
    for r in ranged:
        assert rows[r.key]["plausible"] == r.plausible()
        assert rows[r.key]["plausible"]["source"] == r.source
    assert any(row["plausible"] is None for row in rows.values())


# --- the Range model ----------------------------------------------------------------------------

def test_a_range_reads_and_serialises_as_the_robust_json_lists_it() -> None:
    r = Range(key="trade.deal_withdrawal_prob", low=0.02, high=0.2, distribution="uniform",
              source="s")
    assert r.to_dict() == {"key": "trade.deal_withdrawal_prob", "kind": "assumption",
                           "low": 0.02, "high": 0.2, "distribution": "uniform", "source": "s"}
    assert r.text() == "0.02–0.2 (uniform)" and r.points() == (0.02, 0.2)
    t = Range(key="waterfall.daa_convention", kind="term", levels=("scheduled", "compounding"),
              source="s")
    assert t.to_dict() == {"key": "waterfall.daa_convention", "kind": "term",
                           "levels": ["scheduled", "compounding"], "source": "s"}
    assert t.text() == "scheduled | compounding" and not t.numeric
    assert plausible_text(None) == "–"
    assert Range(key="x", low=0.1, high=0.1, distribution="uniform", source="s").points() == (0.1,)


# --- bad files: one line, naming the file, the key and the rule ------------------------------------

KEY = "trade.deal_withdrawal_prob"


def _default() -> float:
    return pl.load_assumptions().trade.deal_withdrawal_prob


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "ranges.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "needles"), [
    ('["trade.deal_withdrawl_prob"]\nlow = 0.02\nhigh = 0.2\nsource = "s"\n',
     ["trade.deal_withdrawl_prob: no such assumption", "did you mean trade.deal_withdrawal_prob"]),
    (f'["{KEY}"]\nlow = 0.3\nhigh = 0.2\nsource = "s"\n', [f"{KEY}: low: 0.3 is above high (0.2)"]),
    (f'["{KEY}"]\nlow = 0.5\nhigh = 0.9\nsource = "s"\n',
     [f"{KEY}: the default", "lies outside the range 0.5–0.9"]),
    (f'["{KEY}"]\nlow = true\nhigh = 0.2\nsource = "s"\n', [f"{KEY}: low: must be a number, got true"]),
    (f'["{KEY}"]\nlow = 0.0\nhigh = 0.2\n', [f"{KEY}: source: is required"]),
    (f'["{KEY}"]\nlow = 0.0\nhigh = 0.2\nsource = ""\n', [f"{KEY}: source:"]),
    (f'["{KEY}"]\nlow = 0.0\nhigh = 0.2\nsource = "s"\nmode = 0.1\n',
     [f"{KEY}: mode: is not a field of a range"]),
    (f'["{KEY}"]\nlow = 0.0\nsource = "s"\n', [f"{KEY}: high: is required"]),
    (f'["{KEY}"]\nlow = 0.0\nhigh = 0.2\nsource = "s"\ndistribution = "normal"\n',
     [f"{KEY}: distribution: must be one of"]),
    (f'["{KEY}"]\nlevels = [0.05, 0.2]\nsource = "s"\n', [f"{KEY}: levels: must include the default"]),
    (f'["{KEY}"]\nlevels = [0.1, 0.1]\nsource = "s"\n', [f"{KEY}: levels: each choice once"]),
    (f'["{KEY}"]\nlow = 0.0\nhigh = 0.2\nlevels = [0.1]\nsource = "s"\n',
     [f"{KEY}: levels: give either low and high or levels"]),
    (f'["{KEY}"]\nsource = "s"\n', [f"{KEY}: low: is required"]),
    ('["fx.horizon_years"]\nlow = 10.5\nhigh = 20\nsource = "s"\n',
     ["fx.horizon_years: low: must be a whole number"]),
    ('["trade.exporter_share_range"]\nlow = 0.1\nhigh = 0.2\nsource = "s"\n',
     ["trade.exporter_share_range: low: a numeric range needs a number"]),
    ('["waterfall.daa_convnetion"]\nkind = "term"\nlevels = ["scheduled"]\nsource = "s"\n',
     ["waterfall.daa_convnetion: no such term", "did you mean waterfall.daa_convention"]),
    (f'["{KEY}"]\nkind = "lever"\nlow = 0.0\nhigh = 0.2\nsource = "s"\n', [f"{KEY}: kind: must be one of"]),
    (f'"{KEY}" = 0.1\n', [f"{KEY}: must be a table"]),
    (f'["{KEY}"\nlow = 0.1\n', ["not valid TOML"]),
])
def test_a_bad_ranges_file_is_one_line(tmp_path: Path, body: str, needles: list[str]) -> None:
    with pytest.raises(pl.PactError) as info:
        load_ranges(path=_file(tmp_path, body))
    message = str(info.value)
    assert "\n" not in message and message.startswith("ranges.toml: "), message
    for needle in needles:
        assert needle in message, message


def test_two_tables_for_one_key_and_both_spellings(tmp_path: Path) -> None:
    nested = '[trade.deal_withdrawal_prob]\nlow = 0.02\nhigh = 0.2\nsource = "s"\n'
    quoted = f'["{KEY}"]\nlow = 0.02\nhigh = 0.2\nsource = "s"\n'
    (a,) = load_ranges(path=_file(tmp_path, nested))
    (b,) = load_ranges(path=_file(tmp_path, quoted))
    assert a == b and a.default == _default() and a.distribution == "uniform"
    with pytest.raises(pl.PactError, match=f"{KEY}: has two ranges"):
        load_ranges(path=_file(tmp_path, nested + quoted))


def test_whole_number_keys_keep_whole_ends(tmp_path: Path) -> None:
    body = ('["fx.horizon_years"]\nlow = 10.0\nhigh = 20\nsource = "s"\n'
            '["valuation.crisis_cost_gdp"]\nlow = 0\nhigh = 0.2\ndistribution = "triangular"\n'
            'source = "s"\n')
    years, cost = load_ranges(path=_file(tmp_path, body))
    assert (years.low, years.high) == (10, 20) and isinstance(years.low, int)
    assert cost.low == 0.0 and cost.distribution == "triangular"
    assert not math.isnan(cost.default)
