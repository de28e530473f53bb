"""Term sheets: presets load and round-trip; bad sheets fail with one line naming the field."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import pactlab as pl
from pactlab.inputs.terms import pact_label, pact_to_toml, source_toml, term_fields, unique_labels

PRESETS = pl.preset_names()
GOOD = (Path(pl.__file__).parent / "inputs" / "terms" / "presets" / "korea-final-2025-11.toml").read_text(
    encoding="utf-8")


def test_the_presets_ship() -> None:
    assert PRESETS == ["eu-joint-statement-2025-08", "japan-mou-2025", "korea-counter-2025-09",
                       "korea-final-2025-11", "korea-us-demand-2025-09", "switzerland-2025-11",
                       "taiwan-2026-01"]


def test_the_swiss_preset_is_a_private_pledge_for_a_tariff_ceiling() -> None:
    """14 Nov 2025: 39% -> a 15% ceiling for $200B of Swiss firms' investment by end-2028
    (switzerland.md): no public money, no tranche, no waterfall; chips exempt; the deal caps the
    Section 232 pharma duty at 15% (100% without it: tariffs-2026.md §4)."""
    swiss = pl.load_pact("switzerland-2025-11")
    assert "switzerland" in swiss.name and swiss.parties.investor_code == "CHE"
    assert swiss.pledge is not None and swiss.pledge.amount == 200.0
    assert swiss.pledge.by.isoformat() == "2028-12-31"
    assert swiss.commitment == 0.0 and not swiss.tranches and swiss.waterfall is None
    assert swiss.schedule.start.isoformat() == "2025-11-14"
    assert swiss.tariffs.deal.general == 0.15 and swiss.tariffs.no_deal.general == pytest.approx(0.396)
    for scenario in (swiss.tariffs.deal, swiss.tariffs.no_deal):
        assert scenario.rate("semiconductors") == 0.0
        assert scenario.rate("cars") == 0.275 and scenario.rate("steel") == 0.50
    assert swiss.tariffs.deal.rate("pharmaceuticals") == 0.15 < swiss.tariffs.no_deal.rate("pharmaceuticals") == 1.0
    assert swiss.tariffs.deal.rate("aircraft") == 0.0 < swiss.tariffs.no_deal.rate("aircraft")
    assert set(swiss.assumed) == {"governance.refusal_tariff", "schedule.selection_deadline"}


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


# --- issue 16: hostile or careless input -------------------------------------------------------

NUMERIC_TERMS = [(name, f.key) for name in PRESETS for f in term_fields(pl.load_pact(name))
                 if f.kind in ("number", "integer")]


def test_every_preset_has_numeric_terms_to_check() -> None:
    assert len(NUMERIC_TERMS) > 100
    assert ("korea-final-2025-11", "tariffs.deal.sectors.cars") in NUMERIC_TERMS


@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize("name,key", NUMERIC_TERMS, ids=[f"{n}:{k}" for n, k in NUMERIC_TERMS])
def test_a_boolean_is_not_a_number_for_any_term(name: str, key: str, flag: bool) -> None:
    with pytest.raises(pl.PactError) as info:
        pl.load_pact(name).with_terms({key: flag})
    word = "true" if flag else "false"
    assert str(info.value) == f"{name}: {key}: must be a number, got {word}"


def test_a_boolean_in_a_sheet_or_a_list_of_numbers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.toml"
    path.write_text(_sub("annual_cap = 20.0", "annual_cap = true"), encoding="utf-8")
    with pytest.raises(pl.PactError) as info:
        pl.load_pact(path)
    assert str(info.value) == "sheet.toml: schedule.annual_cap: must be a number, got true"
    pact = pl.load_pact("korea-final-2025-11")
    with pytest.raises(pl.PactError, match=r"^x: tariffs\.deal\.sectors\.steel: must be a number, got true$"):
        pact.with_terms({"tariffs.deal.sectors.steel": True}, source="x")
    with pytest.raises(pl.PactError, match=r"^x: waterfall\.tiers\[0\]\.hurdle: must be a number, got true$"):
        pact.with_terms({"waterfall.tiers[0].hurdle": True}, source="x")
    assert pact.with_terms({"schedule.annual_cap": 30}).schedule.annual_cap == 30.0   # ints still do


@pytest.mark.parametrize("lever", ["commitment", "mou_cash_share"])
def test_a_boolean_lever_is_not_a_number(lever: str) -> None:
    from pactlab.analysis.negotiate.space import apply
    with pytest.raises(pl.PactError, match=rf"^{lever}: must be a number, got true$"):
        apply(pl.load_pact("korea-final-2025-11"), {lever: True})


def test_a_preset_wins_over_a_file_of_its_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    japan = (Path(pl.__file__).parent / "inputs" / "terms" / "presets" / "japan-mou-2025.toml").read_text(
        encoding="utf-8")
    Path("korea-final-2025-11").write_text(japan, encoding="utf-8")
    Path("korea-final-2025-11.toml").mkdir()
    pact = pl.load_pact("korea-final-2025-11")
    assert pact.name == "korea-final-2025-11" and pact.source is None
    assert source_toml("korea-final-2025-11").startswith("# US–Korea MOU")
    copy = pl.load_pact("./korea-final-2025-11")
    assert copy.name == "japan-mou-2025" and copy.source == "korea-final-2025-11"
    assert source_toml("./korea-final-2025-11") == japan
    assert pl.load_pact(Path("korea-final-2025-11")).name == "japan-mou-2025"   # a Path is a path
    with pytest.raises(pl.PactError) as info:
        pl.load_pact("japan-mou")
    assert str(info.value) == ("japan-mou: not a preset; did you mean japan-mou-2025? "
                               "(a file needs a path: ./japan-mou or a .toml name)")
    with pytest.raises(pl.PactError, match="^zzz: not a preset; presets are: eu-joint"):
        source_toml("zzz")


@pytest.mark.parametrize("name,needle", [
    ("k" * 300, "not a preset"),
    ("k" * 300 + ".toml", "cannot be read (File name too long)"),
    ("./" + "k" * 300, "cannot be read (File name too long)"),
    ("no-such-folder/" + "k" * 300, "no such file"),
    ("nul\0.toml", "not a valid file name"),
])
def test_a_bad_file_name_is_one_short_line(name: str, needle: str) -> None:
    with pytest.raises(pl.PactError) as info:
        pl.load_pact(name)
    message = str(info.value)
    assert needle in message and "\n" not in message and len(message) < 400


def test_only_regular_files_are_read_and_not_too_much(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)

    def hung(*_: object) -> None:
        raise TimeoutError("opening a FIFO hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)                # a blocked open() is interrupted, and the test fails
    try:
        with pytest.raises(pl.PactError, match=r"^fifo\.toml: not a regular file \(a FIFO\)$"):
            pl.load_pact(fifo)      # returns at once: a FIFO is never opened
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    with pytest.raises(pl.PactError, match=r"^zero: not a regular file \(a device\)$"):
        pl.load_pact("/dev/zero")
    with pytest.raises(pl.PactError, match=r"^tmp: not a regular file \(a folder\)$"):
        pl.load_pact("/tmp")
    big = tmp_path / "big.toml"
    big.write_bytes(GOOD.encode("utf-8") + b"#" * (1 << 20))
    with pytest.raises(pl.PactError, match=r"^big\.toml: larger than 1 MiB; a term sheet is a few kB$"):
        pl.load_pact(big)
    locked = tmp_path / "locked.toml"
    locked.write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() != 0:           # root reads it anyway
        with pytest.raises(pl.PactError, match=r"^locked\.toml: cannot be read \(Permission denied\)$"):
            pl.load_pact(locked)


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert pl.load_pact(path) == pl.load_pact("korea-final-2025-11")


def test_an_error_echoes_a_huge_or_deep_value_cut_short() -> None:
    pact = pl.load_pact("korea-final-2025-11")
    nested: list = []
    for _ in range(3000):
        nested = [nested]
    for value in (nested, "x" * 5000, list(range(1000))):
        with pytest.raises(pl.PactError) as info:
            pact.with_terms({"schedule.annual_cap": value})
        message = str(info.value)
        assert message.startswith("korea-final-2025-11: schedule.annual_cap: must be a number, got ")
        assert len(message) < 200 and "..." in message
