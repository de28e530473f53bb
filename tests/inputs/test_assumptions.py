"""Assumptions: defaults with provenance, overrides from a file and --set, validation."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import pactlab as pl
from pactlab.inputs import data
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
    with pytest.raises(pl.PactError, match=r"macro\.GBR"):
        a.country("GBR")
    with pytest.raises(pl.PactError, match=r"--set discount\.investor\.GBR"):
        a.investor_rate("GBR")


# --- issue 18: project types are listed --set keys with sources and ranges ------------------------

ARCHETYPE_FIELDS = ("sector", "build_years", "life_years", "cash_yield", "overrun_mean",
                    "overrun_sigma", "delay_prob", "delay_max_years", "failure_prob",
                    "market_factor", "market_beta", "idio_sigma", "host_priority")


def test_every_project_type_field_is_a_listed_key_with_a_source() -> None:
    a = pl.load_assumptions()
    rows = {r["key"]: r for r in a.catalogue()}
    for name in a.archetypes:
        for field in ARCHETYPE_FIELDS:
            row = rows[f"archetypes.{name}.{field}"]
            assert row["value"] == getattr(a.archetypes[name], field)
            assert row["source"] and row["source"] != "user override" and row["unit"]
            assert row["confidence"] in {"high", "medium", "assumption"}
    assert not any(k.endswith((".source", ".confidence")) for k in rows if k.startswith("archetypes."))
    lng = rows["archetypes.lng_export.cash_yield"]
    assert (lng["value"], lng["unit"], lng["range"], lng["confidence"]) == (
        0.12, "fraction of capex a year", "0.0 to 1.0", "assumption")
    assert "MMBtu" in lng["source"]                       # its own source, not the general one
    assert rows["archetypes.nuclear.life_years"]["confidence"] == "high"
    assert rows["archetypes.nuclear.build_years"]["range"] == "1 to 100"
    assert rows["archetypes.gas_power.market_factor"]["range"] == "energy, power, none"
    assert rows["archetypes.shipbuilding.cash_yield"]["source"].startswith("pactlab assumption")


def test_a_project_type_field_is_set_like_any_key() -> None:
    a = pl.load_assumptions(overrides={"archetypes.nuclear.overrun_mean": 1.5})
    assert a.archetypes["nuclear"].overrun_mean == 1.5
    assert {"key": "archetypes.nuclear.overrun_mean", "value": 1.5}.items() <= \
        next(r for r in a.catalogue() if r["key"] == "archetypes.nuclear.overrun_mean").items()
    with pytest.raises(pl.PactError, match=r"archetypes\.nuclear\.overrun_mean: must be <= 5"):
        a.with_values({"archetypes.nuclear.overrun_mean": 9.0})


def test_a_users_project_type_keeps_its_own_source(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    fields = ('sector = "energy"\nbuild_years = 3\nlife_years = 20\ncash_yield = 0.1\n'
              'overrun_mean = 0.1\noverrun_sigma = 0.1\ndelay_prob = 0.1\ndelay_max_years = 1\n'
              'failure_prob = 0.05\nmarket_factor = "none"\nmarket_beta = 0.0\nidio_sigma = 0.1\n'
              'host_priority = 0.5\nsource = "my model"\nconfidence = "medium"\n')
    path.write_text("[archetypes.geothermal]\n" + fields, encoding="utf-8")
    rows = {r["key"]: r for r in pl.load_assumptions(path).provenance()}
    assert rows["archetypes.geothermal.cash_yield"]["source"] == "my model"
    assert rows["archetypes.geothermal.cash_yield"]["confidence"] == "medium"


def test_yields_overruns_and_failures_have_plausible_ranges() -> None:
    """ranges.toml ("projects"): a range for each project type's yield, overrun and failure risk,
    with a source, around the default; the knife-edge rate and the discount rates too."""
    ranges = tomllib.loads((Path(data.__file__).parent / "ranges.toml").read_text(encoding="utf-8"))
    a = pl.load_assumptions()
    values = {r["key"]: r["value"] for r in a.catalogue()}
    wanted = [f"archetypes.{name}.{field}" for name in a.archetypes
              for field in ("cash_yield", "overrun_mean", "failure_prob")]
    wanted += ["markets.sofr.long_run", "discount.host", *(f"discount.investor.{c}" for c in a.discount.investor)]
    for key in wanted:
        r = ranges[key]
        assert r["low"] <= values[key] <= r["high"] and r["source"], key
    assert ranges["markets.sofr.long_run"]["high"] >= 0.04     # the alternative is inside


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
    assert pl.load_assumptions(overrides={"trade.withdrawal_stops_calls": False}).trade.withdrawal_stops_calls is False
    with pytest.raises(pl.PactError, match=r"^--set: trade\.as_of: must be a date as YYYY-MM-DD .*got true$"):
        pl.load_assumptions(overrides={"trade.as_of": True})
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
