"""The tariff model's embedded trade tables: the suppliers, Switzerland's column taken out of the
rest of the world, its line shares and value added, and the builder that makes them."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from pactlab.inputs.data import read_csv
from pactlab.inputs.data.trade import CODES, PARTNERS, trade_data

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "data"
NAMED = ["korea", "japan", "eu27", "china", "mexico", "canada", "taiwan", "vietnam"]
#: Swiss precious-metal bullion in 2024, USD bn: HS 7108 (2,000.75) + 7115.90.05 gold bars
#: (11,508.37), silver bars (268.45) and other precious-metal bars (204.83), in USD million
SWISS_BULLION = (2000.7548 + 11508.3672 + 268.4523 + 204.8339) / 1000.0


def test_switzerland_is_a_partner_with_its_code() -> None:
    assert PARTNERS[-2:] == ("switzerland", "rest_of_world") and CODES["switzerland"] == "CHE"
    assert set(CODES) == set(PARTNERS)
    assert trade_data().flows.columns.tolist() == list(PARTNERS)


def test_the_swiss_column_sums_to_the_census_lines_without_bullion() -> None:
    flows = trade_data().flows["switzerland"]
    # Census 2024, Switzerland (4419), chapters 01-97: 57.474 in all, 13.982 of it bullion
    assert flows.sum() == pytest.approx(57.4735306 - SWISS_BULLION, abs=0.005)
    assert flows["chemicals_pharmaceuticals"] == pytest.approx(21.588)   # HS 28-38; HS 30 is 19.27
    assert flows["machinery"] == pytest.approx(3.664)                    # HS 84
    assert flows["cars"] == pytest.approx(0.001)                         # HS 8703: $1.1M
    assert flows["other"] == pytest.approx(16.339)      # watches 6.36, instruments 4.50, coffee 1.18, …


def test_rest_of_world_gives_up_exactly_the_swiss_flows() -> None:
    """world = the named suppliers + Switzerland + the rest, in every sector, but for the Swiss
    bullion, which sits in no column ("other" holds it in world only)."""
    table = trade_data().flows
    world = read_csv("us_imports_2024.csv").set_index("sector")["world"]
    gap = world - table.sum(axis=1)
    expected = {s: (SWISS_BULLION if s == "other" else 0.0) for s in table.index}
    for sector, value in gap.items():
        assert value == pytest.approx(expected[sector], abs=0.003), sector
    # the rest of the world as it was (world less the eight named) less Switzerland and its bullion
    before = world - table[NAMED].sum(axis=1)
    after = table["rest_of_world"] + table["switzerland"]
    after["other"] += SWISS_BULLION
    assert (before - after).abs().max() < 0.003


def test_swiss_lines_and_value_added() -> None:
    td = trade_data()
    shares = td.line_shares
    assert shares[("switzerland", "chemicals_pharmaceuticals", "pharmaceuticals")] == pytest.approx(
        19.273 / 21.588, abs=1e-4)                   # pharma: 89% of Swiss chemicals, exempt
    lines = {(sector, line) for (_, sector, line) in shares.index}
    assert {(sector, line) for (who, sector, line) in shares.index if who == "switzerland"} == lines
    va = td.value_added.loc["CHE", "domestic_va_share"]
    assert set(va.index) == set(td.sector_names) and ((va > 0) & (va < 1)).all()


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="needs the shared research tables")
def test_the_builder_reproduces_the_tables(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("curate_trade", ROOT / "tools" / "curate_trade.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.main(REFERENCE, tmp_path / "us_imports_2024.csv")
    shipped = ROOT / "src" / "pactlab" / "inputs" / "data"
    for name in ("us_imports_2024.csv", "tariff_line_shares.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == \
            (shipped / name).read_text(encoding="utf-8"), name
