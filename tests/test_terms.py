"""Term sheets: presets load and round-trip; bad sheets fail with one line naming the field."""
from __future__ import annotations

from pathlib import Path

import pytest

import pactlab as pl
from pactlab.terms import pact_label, pact_to_toml, unique_labels

PRESETS = pl.preset_names()
GOOD = (Path(pl.__file__).parent / "terms" / "presets" / "korea-final-2025-11.toml").read_text(
    encoding="utf-8")


def test_the_presets_ship() -> None:
    assert PRESETS == ["eu-joint-statement-2025-08", "japan-mou-2025", "korea-counter-2025-09",
                       "korea-final-2025-11", "korea-us-demand-2025-09", "taiwan-2026-01"]


@pytest.mark.parametrize("name", PRESETS)
def test_preset_round_trips_through_toml(name: str, tmp_path: Path) -> None:
    pact = pl.load_pact(name)
    path = tmp_path / "copy.toml"
    path.write_text(pact_to_toml(pact), encoding="utf-8")
    assert pl.load_pact(path) == pact


def test_preset_terms_match_the_sources() -> None:
    final = pl.load_pact("korea-final-2025-11")
    assert final.commitment == 350.0 and final.amount("mou") == 200.0
    assert final.schedule.annual_cap == 20.0
    assert [t.investor_share for t in final.waterfall.tiers] == [0.5, 0.1]
    assert final.waterfall.review.after_year == 20
    assert final.fx.swap_line == 0.0
    demand = pl.load_pact("korea-us-demand-2025-09")
    assert demand.amount("mou") == 350.0 and demand.schedule.annual_cap is None
    counter = pl.load_pact("korea-counter-2025-09")
    assert counter.amount("mou") / counter.commitment == pytest.approx(0.05)
    assert counter.fx.swap_line == float("inf")
    assert counter.governance.selection == "commercially_reasonable"
    japan = pl.load_pact("japan-mou-2025")
    assert japan.commitment == 550.0 and japan.schedule.selection_deadline.isoformat() == "2029-01-19"


def test_with_terms_returns_a_revalidated_copy() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    alt = pact.with_terms({"schedule.annual_cap": 30, "waterfall.tiers[1].investor_share": 0.2})
    assert alt.schedule.annual_cap == 30 and alt.waterfall.tiers[1].investor_share == 0.2
    assert pact.schedule.annual_cap == 20  # the original is untouched
    with pytest.raises(pl.PactError, match=r"waterfall\.tiers\[1\]\.investor_share: must be <= 1"):
        pact.with_terms({"waterfall.tiers[1].investor_share": 1.4})
    with pytest.raises(pl.PactError, match="no such term"):
        pact.with_terms({"tranches[7].amount": 1})


def _sub(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


# (name, file text, field the error must name)
INVALID = [
    ("negative amount", _sub("amount = 200.0", "amount = -200.0"), "tranches[0].amount"),
    ("zero amount", _sub("amount = 200.0", "amount = 0"), "tranches[0].amount"),
    ("share above 1", _sub("{ investor_share = 0.1 }", "{ investor_share = 1.4 }"),
     "waterfall.tiers[1].investor_share"),
    ("negative share", _sub("{ investor_share = 0.5,", "{ investor_share = -0.5,"),
     "waterfall.tiers[0].investor_share"),
    ("tiers out of order",
     _sub('{ investor_share = 0.5, hurdle = "deemed" },',
          '{ investor_share = 0.5, hurdle = 0.08 },\n  { investor_share = 0.3, hurdle = 0.05 },'),
     "tiers[1].hurdle"),
    ("last tier with a hurdle", _sub("{ investor_share = 0.1 }", "{ investor_share = 0.1, hurdle = 0.2 }"),
     "tiers[1].hurdle"),
    ("deadline before start", _sub("selection_deadline = 2029-01-31", "selection_deadline = 2024-01-31"),
     "selection_deadline"),
    ("unknown key", _sub("annual_cap = 20.0", "annual_cap = 20.0\nannual_kap = 5"), "schedule.annual_kap"),
    ("wrong type", _sub("annual_cap = 20.0", 'annual_cap = "twenty"'), "schedule.annual_cap"),
    ("unknown instrument", _sub('instrument = "guarantee"', 'instrument = "bond"'), "tranches[1]"),
    ("unknown sector", _sub('sectors = ["shipbuilding"]', 'sectors = ["fishing"]'), "tranches[1].sectors[0]"),
    ("bad selection rule", _sub('selection = "commercially_reasonable"', 'selection = "random"'),
     "governance.selection"),
    ("missing parties", _sub("[parties]", "[partiez]"), "parties"),
    ("bad investor code", _sub('investor_code = "KOR"', 'investor_code = "korea"'), "parties.investor_code"),
    ("tariff above 200%", _sub("general = 0.15", "general = 2.5"), "tariffs.deal.general"),
    ("loan missing its coupon", _sub('instrument = "guarantee"\namount = 150.0', 'instrument = "loan"\namount = 150.0'),
     "tranches[1].coupon"),
    ("duplicate tranche names", _sub('name = "masga"', 'name = "mou-spv-cash"'), "tranches"),
    ("bad date", _sub("start = 2025-11-14", 'start = "last autumn"'), "schedule.start"),
    ("empty file", "", "empty"),
    ("not TOML", "name = = 3", "not valid TOML"),
]


@pytest.mark.parametrize("name,text,field", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_term_sheets_name_the_field(name: str, text: str, field: str, tmp_path: Path) -> None:
    path = tmp_path / "sheet.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(pl.PactError) as info:
        pl.load_pact(path)
    message = str(info.value)
    assert message.startswith("sheet.toml: ")
    assert field in message
    assert "\n" not in message


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(GOOD.replace("–", "-").encode("utf-8").replace(b"Korea", b"Kor\xe9a", 1))
    with pytest.raises(pl.PactError, match="latin1.toml: not valid UTF-8"):
        pl.load_pact(path)


def test_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(pl.PactError, match="korea-final-2025-11"):
        pl.load_pact("korea-final-2099")


def test_missing_file() -> None:
    with pytest.raises(pl.PactError, match="nowhere.toml: no such file"):
        pl.load_pact("nowhere.toml")


def test_a_changed_copy_remembers_its_changes_and_labels_itself() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    alt = pact.with_terms({"schedule.annual_cap": 30.0}).with_terms({"fx.swap_line": 50})
    assert alt.overrides == {"schedule.annual_cap": 30.0, "fx.swap_line": 50}
    assert pact_label(alt) == "korea-final-2025-11 (schedule.annual_cap=30, fx.swap_line=50)"
    assert pact.overrides == {} and pact_label(pact) == "korea-final-2025-11"
    # how a pact was made is not a term: equal terms are equal pacts
    assert pact.with_terms({"schedule.annual_cap": 20.0}) == pact


def test_a_copy_of_a_preset_is_labelled_by_its_file(tmp_path: Path) -> None:
    path = tmp_path / "my-deal.toml"
    path.write_text(pact_to_toml(pl.load_pact("korea-final-2025-11")), encoding="utf-8")
    copy = pl.load_pact(path)
    assert copy.source == str(path) and pact_label(copy) == "my-deal"
    own = tmp_path / "other.toml"
    own.write_text(pact_to_toml(pl.load_pact("korea-final-2025-11").model_copy(
        update={"name": "my-own-deal"})), encoding="utf-8")
    assert pact_label(pl.load_pact(own)) == "my-own-deal"     # its own name is kept


def test_unique_labels_number_the_repeats() -> None:
    pact = pl.load_pact("japan-mou-2025")
    assert unique_labels([pact, pact, pact]) == ["japan-mou-2025", "japan-mou-2025 [2]",
                                                 "japan-mou-2025 [3]"]
