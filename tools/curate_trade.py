"""Build src/pactlab/inputs/data/us_imports_2024.csv and tariff_line_shares.csv from the research
tables (run by hand; the output is committed).

US imports in 2024 (Census import weights, via the Yale Budget Lab tariff model) by pactlab
sector and supplier, USD bn. Sectors partition all 96 HS chapters:
cars = HS 8703; auto_parts = HS 8708; batteries = HS 8507; electronics = HS 85 less 8507;
machinery = HS 84; steel_aluminium = HS 72, 73, 76; chemicals_pharmaceuticals = HS 28-38;
other = everything else (incl. the rest of HS 87). Rest of world = world less the named
suppliers (Germany is inside the EU-27 and is not a column of its own).

Switzerland (Census code 4419; Liechtenstein, 4411, stays in the rest of the world) is built from
every HS10 line of the same Census file (``us_imports_hs10_switzerland_2024.csv``). Its
precious-metal bullion — HS 7108 (non-monetary gold, unwrought or semi-manufactured) and
HS 7115.90.05 (bars of 99.5% or more precious metal: CBP ruling N206915 puts Swiss gold bars
there) — is in no sector: it is a store of value refined from imported metal, not goods produced
in Switzerland, and it is exempt from every US tariff in the schedule (Annex II of EO 14257), so a
tariff model that substitutes it against watches and coffee would misstate both. The bullion
leaves the rest of the world too, so the partner columns sum to ``world`` less the Swiss bullion
(``BULLION`` below; the CSV header states the amount).

    python tools/curate_trade.py ../shared/reference/data src/pactlab/inputs/data/us_imports_2024.csv
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

SUPPLIERS = ["korea", "japan", "eu27", "china", "mexico", "canada", "taiwan", "vietnam"]
SWISS = "switzerland"
#: HS10 prefixes of the Swiss precious-metal bullion left out of every sector
BULLION = ("7108", "71159005")
SECTORS = ["cars", "auto_parts", "batteries", "electronics", "machinery", "steel_aluminium",
           "chemicals_pharmaceuticals", "other"]
CHEMICALS = tuple(range(28, 39))
METALS = (72, 73, 76)


def main(reference: Path, target: Path) -> None:
    hs2 = pd.read_csv(reference / "us_imports_by_hs2_partner_2024.csv", comment="#").set_index("hs2")
    hs4 = pd.read_csv(reference / "us_imports_key_hs4_partner_2024.csv", comment="#")
    codes = hs4["hs4"].astype(str)
    single = codes.str.fullmatch(r"\d{4}")          # skip combined rows such as '7306 / 7208'
    hs4 = hs4[single].set_index(codes[single])
    swiss, bullion = swiss_lines(reference)
    hs2, hs4 = with_swiss(hs2, hs4, swiss)
    table = flows(hs2, hs4, bullion)
    header = ("# US imports 2024 by pactlab sector and supplier, USD bn; US Census 2024 import weights "
              "(HS10 x country) via github.com/Budget-Lab-Yale/Tariff-Model commit 8efb3ed; built by "
              "tools/curate_trade.py from shared/reference/data/us_imports_by_hs2_partner_2024.csv, "
              "us_imports_key_hs4_partner_2024.csv and us_imports_hs10_switzerland_2024.csv "
              f"(Switzerland: Census 4419; its precious-metal bullion, HS 7108 and 7115.90.05, "
              f"{bullion / 1000:.3f}, is in no sector and in no column, so the columns sum to world "
              "less it; Liechtenstein is in rest_of_world)\n")
    target.write_text(header + table.to_csv(), encoding="utf-8")
    write_line_shares(hs2, hs4, bullion, target.with_name("tariff_line_shares.csv"))


def swiss_lines(reference: Path) -> tuple[pd.DataFrame, float]:
    """Switzerland's HS10 lines without its bullion (USD million), and the bullion's total."""
    lines = pd.read_csv(reference / "us_imports_hs10_switzerland_2024.csv", comment="#",
                        dtype={"hs10": str})
    lines = lines[lines["partner"] == SWISS]
    gold = lines["hs10"].str.startswith(BULLION)
    return lines[~gold], float(lines.loc[gold, "usd_million"].sum())


def with_swiss(hs2: pd.DataFrame, hs4: pd.DataFrame,
               swiss: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The partner tables with a Swiss column (bullion excluded), summed from its HS10 lines."""
    by_hs2 = swiss.groupby(swiss["hs10"].str[:2].astype(int))["usd_million"].sum()
    by_hs4 = swiss.groupby(swiss["hs10"].str[:4])["usd_million"].sum()
    hs2, hs4 = hs2.copy(), hs4.copy()
    hs2[SWISS] = by_hs2.reindex(hs2.index).fillna(0.0)
    hs4[SWISS] = by_hs4.reindex(hs4.index).fillna(0.0)
    missing = set(by_hs2.index) - set(hs2.index)
    if missing:
        raise SystemExit(f"Swiss chapters missing from the partner table: {sorted(missing)}")
    return hs2, hs4


def sector_parts(hs2: pd.DataFrame, hs4: pd.DataFrame, cols: list[str]) -> dict[str, pd.Series]:
    """Each sector's imports by supplier (USD million), from the chapter and heading tables."""
    chapters = lambda codes: hs2.loc[[c for c in codes if c in hs2.index], cols].sum()
    heading = lambda code: hs4.loc[code, cols].astype(float)
    rows = {
        "cars": heading("8703"),
        "auto_parts": heading("8708"),
        "batteries": heading("8507"),
        "electronics": chapters([85]) - heading("8507"),
        "machinery": chapters([84]),
        "steel_aluminium": chapters(METALS),
        "chemicals_pharmaceuticals": chapters(CHEMICALS),
    }
    rows["other"] = hs2[cols].sum() - sum(rows.values())
    return rows


def flows(hs2: pd.DataFrame, hs4: pd.DataFrame, bullion: float) -> pd.DataFrame:
    """Sectors x suppliers, USD bn: the named suppliers, Switzerland, the rest and the world."""
    named = [*SUPPLIERS, SWISS]
    table = pd.DataFrame(sector_parts(hs2, hs4, ["world", *named])).T / 1000.0
    table["rest_of_world"] = table["world"] - table[named].sum(axis=1)
    table.loc["other", "rest_of_world"] -= bullion / 1000.0
    table = table[[*named, "rest_of_world", "world"]].round(3)
    table.index.name = "sector"
    return table


def write_line_shares(hs2: pd.DataFrame, hs4: pd.DataFrame, bullion: float, target: Path) -> None:
    """Shares of a sector under a tariff line with a rate of its own: pharmaceuticals (HS 30),
    semiconductors (8542) and phones (8517) in electronics, computers (8471) in machinery,
    aluminium (HS 76), refined petroleum (2710) in other. Phones, computers, semiconductors,
    pharmaceuticals and energy were exempt from the April 2025 reciprocal tariff."""
    named = [*SUPPLIERS, SWISS]
    cols = ["world", *named]
    sectors = sector_parts(hs2, hs4, cols)
    sectors["other"] = sectors["other"].copy()
    sectors["other"]["world"] -= bullion        # the rest of the world holds no Swiss bullion
    hs = lambda code: hs4.loc[code, cols].astype(float)
    parts = [("chemicals_pharmaceuticals", "pharmaceuticals", hs2.loc[30, cols]),
             ("electronics", "semiconductors", hs("8542")),
             ("electronics", "phones", hs("8517")),
             ("machinery", "computers", hs("8471")),
             ("steel_aluminium", "aluminium", hs2.loc[76, cols]),
             ("other", "energy", hs("2710"))]
    rows = []
    for sector, line, num in parts:
        den = sectors[sector]
        for s in named:
            rows.append((s, sector, line, round(num[s] / den[s], 4)))
        rest = (num["world"] - num[named].sum()) / (den["world"] - den[named].sum())
        rows.append(("rest_of_world", sector, line, round(rest, 4)))
    header = ("# share of a trade sector's 2024 US imports under a tariff line with a rate of its own "
              "(HS 30 in HS 28-38; HS 8542 and 8517 in HS 85 less 8507; HS 8471 in HS 84; HS 76 in "
              "HS 72+73+76; HS 2710 in other: refined petroleum only, crude 2709 and gas 2711 are not in "
              "the research's HS4 table, so the energy share is a lower bound), by supplier; same Census "
              "source as us_imports_2024.csv (tools/curate_trade.py; Switzerland from every HS10 line, "
              "its bullion in no sector); the rest takes the general rate (steel_aluminium: the steel "
              "rate)\n")
    table = pd.DataFrame(rows, columns=["supplier", "sector", "line", "share"])
    target.write_text(header + table.to_csv(index=False), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
