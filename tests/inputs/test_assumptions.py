"""Assumptions: defaults with provenance, overrides from a file and --set, validation."""
from __future__ import annotations

from pathlib import Path

import pytest

import pactlab as pl
from pactlab.inputs.assumptions import parse_settings, parse_value


def test_every_assumption_has_a_source() -> None:
    rows = pl.load_assumptions().provenance()
    assert rows and all(r["source"] and r["source"] != "user override" for r in rows)
    assert {r["confidence"] for r in rows} <= {"high", "medium", "assumption"}


def test_set_values_are_parsed_as_toml() -> None:
    assert parse_value("0.03") == 0.03 and parse_value("true") is True
    assert parse_value("[1, 2]") == [1, 2] and parse_value("inf") == float("inf")
    assert parse_value("KOR") == "KOR"
    assert parse_settings(["a.b=1", " c = x "]) == {"a.b": 1, "c": "x"}
    with pytest.raises(pl.PactError, match="key=value"):
        parse_settings(["novalue"])


def test_overrides_are_validated_and_remembered(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("[discount]\nhost = 0.03\n", encoding="utf-8")
    a = pl.load_assumptions(path, {"fx.sudden_stop_prob": 0.1})
    assert a.discount.host == 0.03 and a.fx.sudden_stop_prob == 0.1
    assert a.source == str(path) and a.overrides == {"fx.sudden_stop_prob": 0.1}
    b = a.with_values({"discount.host": 0.05})
    assert b.overrides == {"fx.sudden_stop_prob": 0.1, "discount.host": 0.05} and b.source == str(path)
    assert any(r["key"] == "discount.host" and r["value"] == 0.05 for r in b.provenance())


@pytest.mark.parametrize("key,value,needle", [
    ("markets.sofr.vol", 0.5, "markets.sofr.vol: must be <= 0.1"),
    ("fx.horizon_years", 0, "fx.horizon_years: must be >= 1"),
    ("markets.nothing", 1, "markets.nothing"),
    ("markets.correlation.sofr_energy", 0.99, "valid correlation matrix"),
])
def test_bad_values_are_one_line_errors(key: str, value: object, needle: str) -> None:
    with pytest.raises(pl.PactError, match=needle.replace(".", r"\.").replace("(", r"\(")) as info:
        pl.load_assumptions().with_values({key: value, "markets.correlation.energy_power": -0.9}
                                          if "correlation" in key else {key: value})
    assert "\n" not in str(info.value)


def test_missing_country_data_says_how_to_add_it() -> None:
    a = pl.load_assumptions()
    with pytest.raises(pl.PactError, match=r"macro\.CHE"):
        a.country("CHE")
    with pytest.raises(pl.PactError, match=r"--set discount\.investor\.CHE"):
        a.investor_rate("CHE")


# --- issue 16: a boolean is not a number ---------------------------------------------------------

def _numeric_keys() -> list[str]:
    """Every --set key whose value is a number, archetype fields included."""
    a = pl.load_assumptions()
    keys = [r["key"] for r in a.catalogue()
            if isinstance(r["value"], (int, float)) and not isinstance(r["value"], bool)]
    name, arch = next(iter(a.archetypes.items()))
    keys += [f"archetypes.{name}.{k}" for k, v in arch.model_dump().items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return keys


NUMERIC_KEYS = _numeric_keys()


def test_there_are_numeric_assumptions_to_check() -> None:
    assert len(NUMERIC_KEYS) > 60
    assert {"fx.sudden_stop_prob", "fx.horizon_years", "discount.investor.KOR",
            "macro.KOR.reserves"} <= set(NUMERIC_KEYS)


@pytest.mark.parametrize("key", NUMERIC_KEYS)
def test_a_boolean_is_not_a_number_for_any_assumption(key: str) -> None:
    with pytest.raises(pl.PactError) as info:
        pl.load_assumptions(overrides={key: True})
    assert str(info.value) == f"--set: {key}: must be a number, got true"


def test_booleans_stay_booleans_and_ranges_take_no_booleans(tmp_path: Path) -> None:
    assert pl.load_assumptions(overrides={"trade.legal_shocks": True}).trade.legal_shocks is True
    with pytest.raises(pl.PactError, match=r"^--set: trade\.value_added_range\[1\]: must be a number, got false$"):
        pl.load_assumptions(overrides={"trade.value_added_range": [0.5, False]})
    path = tmp_path / "mine.toml"
    path.write_text("[fx]\nsudden_stop_prob = true\n", encoding="utf-8")
    with pytest.raises(pl.PactError) as info:
        pl.load_assumptions(path)
    assert str(info.value) == "mine.toml: fx.sudden_stop_prob: must be a number, got true"


def test_a_deep_value_is_refused_with_its_flag() -> None:
    deep = "[" * 3000 + "]" * 3000
    with pytest.raises(pl.PactError, match=r"^--term x: nested too deeply"):
        parse_settings([f"x={deep}"], flag="--term")
    with pytest.raises(pl.PactError, match=r"^--set 'novalue': expected key=value"):
        parse_settings(["novalue"])


def test_override_errors_name_their_source() -> None:
    with pytest.raises(pl.PactError, match=r"^request\.assumptions: fx\.sudden_stop_prob: must be a number, got true$"):
        pl.load_assumptions(overrides={"fx.sudden_stop_prob": True}, overrides_source="request.assumptions")
