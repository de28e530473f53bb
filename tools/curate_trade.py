"""Build src/pactlab/data/us_imports_2024.csv from the research tables (run once, by hand).

US imports in 2024 (Census import weights, via the Yale Budget Lab tariff model) by pactlab
sector and supplier, USD bn. Sectors partition all 96 HS chapters:
cars = HS 8703; auto_parts = HS 8708; batteries = HS 8507; electronics = HS 85 less 8507;
machinery = HS 84; steel_aluminium = HS 72, 73, 76; chemicals_pharmaceuticals = HS 28-38;
other = everything else (incl. the rest of HS 87). Rest of world = world less the named
suppliers (Germany is inside the EU-27 and is not a column of its own).

    python tools/curate_trade.py ../shared/reference/data src/pactlab/data/us_imports_2024.csv
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

SUPPLIERS = ["korea", "japan", "eu27", "china", "mexico", "canada", "taiwan", "vietnam"]


def main(reference: Path, target: Path) -> None:
    hs2 = pd.read_csv(reference / "us_imports_by_hs2_partner_2024.csv", comment="#").set_index("hs2")
    hs4 = pd.read_csv(reference / "us_imports_key_hs4_partner_2024.csv", comment="#")
    codes = hs4["hs4"].astype(str)
    single = codes.str.fullmatch(r"\d{4}")          # skip combined rows such as '7306 / 7208'
    hs4 = hs4[single].set_index(codes[single])
    cols = ["world", *SUPPLIERS]
    chapters = lambda codes: hs2.loc[[c for c in codes if c in hs2.index], cols].sum()
    rows = {
        "cars": hs4.loc["8703", cols].astype(float),
        "auto_parts": hs4.loc["8708", cols].astype(float),
        "batteries": hs4.loc["8507", cols].astype(float),
        "electronics": chapters([85]) - hs4.loc["8507", cols].astype(float),
        "machinery": chapters([84]),
        "steel_aluminium": chapters([72, 73, 76]),
        "chemicals_pharmaceuticals": chapters(range(28, 39)),
    }
    total = hs2[cols].sum()
    rows["other"] = total - sum(rows.values())
    table = pd.DataFrame(rows).T / 1000.0
    table["rest_of_world"] = table["world"] - table[SUPPLIERS].sum(axis=1)
    table = table[[*SUPPLIERS, "rest_of_world", "world"]].round(3)
    table.index.name = "sector"
    header = ("# US imports 2024 by pactlab sector and supplier, USD bn; US Census 2024 import weights "
              "(HS10 x country) via github.com/Budget-Lab-Yale/Tariff-Model commit 8efb3ed; built by "
              "tools/curate_trade.py from shared/reference/data/us_imports_by_hs2_partner_2024.csv and "
              "us_imports_key_hs4_partner_2024.csv\n")
    target.write_text(header + table.to_csv(), encoding="utf-8")
    write_line_shares(hs2, hs4, target.with_name("tariff_line_shares.csv"))


def write_line_shares(hs2: pd.DataFrame, hs4: pd.DataFrame, target: Path) -> None:
    """Shares of a sector under a tariff line with a rate of its own: pharmaceuticals (HS 30),
    semiconductors (8542) and phones (8517) in electronics, computers (8471) in machinery,
    aluminium (HS 76), refined petroleum (2710) in other. Phones, computers, semiconductors,
    pharmaceuticals and energy were exempt from the April 2025 reciprocal tariff."""
    cols = ["world", *SUPPLIERS]
    chem = hs2.loc[[c for c in range(28, 39) if c in hs2.index], cols].sum()
    elec = hs2.loc[85, cols] - hs4.loc["8507", cols].astype(float)
    metals = hs2.loc[[72, 73, 76], cols].sum()
    machinery = hs2.loc[84, cols]
    other = hs2[cols].sum() - (hs2.loc[[c for c in range(28, 39) if c in hs2.index] + [72, 73, 76, 84, 85, 87], cols].sum()) \
        + (hs2.loc[87, cols] - hs4.loc["8703", cols].astype(float) - hs4.loc["8708", cols].astype(float))
    hs = lambda code: hs4.loc[code, cols].astype(float)
    parts = [("chemicals_pharmaceuticals", "pharmaceuticals", hs2.loc[30, cols], chem),
             ("electronics", "semiconductors", hs("8542"), elec),
             ("electronics", "phones", hs("8517"), elec),
             ("machinery", "computers", hs("8471"), machinery),
             ("steel_aluminium", "aluminium", hs2.loc[76, cols], metals),
             ("other", "energy", hs("2710"), other)]
    rows = []
    for sector, line, num, den in parts:
        for s in SUPPLIERS:
            rows.append((s, sector, line, round(num[s] / den[s], 4)))
        rest = (num["world"] - num[SUPPLIERS].sum()) / (den["world"] - den[SUPPLIERS].sum())
        rows.append(("rest_of_world", sector, line, round(rest, 4)))
    header = ("# share of a trade sector's 2024 US imports under a tariff line with a rate of its own "
              "(HS 30 in HS 28-38; HS 8542 and 8517 in HS 85 less 8507; HS 8471 in HS 84; HS 76 in "
              "HS 72+73+76; HS 2710 in other: refined petroleum only, crude 2709 and gas 2711 are not in "
              "the research's HS4 table, so the energy share is a lower bound), by supplier; same Census "
              "source as us_imports_2024.csv (tools/curate_trade.py); the rest takes the general rate "
              "(steel_aluminium: the steel rate)\n")
    table = pd.DataFrame(rows, columns=["supplier", "sector", "line", "share"])
    target.write_text(header + table.to_csv(index=False), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
