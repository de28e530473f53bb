"""The tariff schedule by legal authority, as known on a date: hand-checked rates on key dates,
the as-of rule, deal caps as ceilings, and the year-one loss of the actual 2025 schedule."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pactlab as pl
from pactlab.inputs import data
from pactlab.inputs.data.trade import PARTNERS
from pactlab.inputs.terms.schema import TariffRates
from pactlab.model.tariffs import (
    GENERAL,
    last_change_year,
    lines_on,
    no_deal_cost,
    rate_table,
    trade_data,
)
from pactlab.model.tariffs.schedule import _rows

A = pl.load_assumptions()
TODAY = A.trade.as_of
SIGNING = dt.date(2025, 11, 14)
FINAL = pl.load_pact("korea-final-2025-11")
day = dt.date.fromisoformat


def law(partner: str, when: str, as_of: dt.date = TODAY) -> dict[str, float]:
    return lines_on(partner, day(when), as_of=as_of)


def test_the_default_date_is_the_datas_own_not_the_clock() -> None:
    assert TODAY == data.tariffs_as_of() == dt.date(2026, 10, 9)
    assert "2026-10-09" in data.as_of()["tariff_schedule"]


def test_the_schedule_rows_are_sourced_and_well_formed() -> None:
    s = trade_data().schedule
    assert s["source"].str.len().gt(10).all()
    assert set(s["confidence"]) <= {"high", "medium", "assumption"}
    assert set(s["rule"]) == {"base", "add", "floor", "exempt"}
    assert set(s.loc[s["rule"] != "base", "authority"]) == {*GENERAL, "s232"}
    assert set(s["scenario"]) == {"", "deal", "no_deal"}
    assert ((s["share"] >= 0) & (s["share"] <= 1)).all()
    assert (s["end"].isna() | (s["end"] >= s["start"])).all()
    assert set(s.loc[s["end_basis"] != "", "authority"]) == {"s122"}      # the 150 days
    # every no-deal choice is flagged as pactlab's
    assert (s.loc[s["scenario"] == "no_deal", "confidence"] == "assumption").all()
    # rows for a partner the model lacks are ignored, not errors
    assert {row.partner for row in _rows()} <= {*PARTNERS, "all"}


def test_korea_general_before_and_after_the_ruling() -> None:
    assert law("korea", "2025-06-01")["general"] == pytest.approx(0.10)      # IEEPA baseline
    assert law("korea", "2026-02-01")["general"] == pytest.approx(0.15)      # max(KORUS, 15%)
    assert law("korea", "2026-02-23")["general"] == pytest.approx(0.15)      # last day collected
    assert law("korea", "2026-02-24")["general"] == pytest.approx(0.10)      # s122, no deal cap
    assert law("korea", "2026-07-23")["general"] == pytest.approx(0.10)      # its 150th day
    assert law("korea", "2026-07-24")["general"] == pytest.approx(0.125)     # forced-labour s301
    # without its deal: the threatened 25% before the ruling, the same s122, the flat tier after
    no = lambda when: lines_on("korea", day(when), as_of=TODAY, world="no_deal")["general"]
    assert (no("2026-02-01"), no("2026-03-01"), no("2026-09-01")) == pytest.approx((0.25, 0.10, 0.125))


def test_the_s301_tiers_from_24_july_2026() -> None:
    when = "2026-08-01"
    assert law("eu27", when)["general"] == pytest.approx(0.10)         # max(MFN 1.5%, 10%)
    assert law("taiwan", when)["general"] == pytest.approx(0.10)
    assert law("japan", when)["general"] == pytest.approx(0.125)       # max(MFN 1.5%, 12.5%)
    assert law("switzerland", when)["general"] == pytest.approx(0.125)
    assert law("china", when)["general"] == pytest.approx(0.03 + 0.09 + 0.125)   # MFN, lists, flat
    # s122 stacked on MFN with no deal caps: Japan 1.5% + 10%
    assert law("japan", "2026-03-01")["general"] == pytest.approx(0.115)


def test_japan_pays_max_mfn_15_percent_and_cars_15_percent_all_in() -> None:
    assert law("japan", "2025-06-01")["general"] == pytest.approx(0.015 + 0.10)
    assert law("japan", "2025-10-01")["general"] == pytest.approx(0.15)       # not 1.5% + 15%
    assert law("japan", "2025-09-01")["cars"] == pytest.approx(0.275)         # 2.5% + 25% s232
    assert law("japan", "2025-10-01")["cars"] == pytest.approx(0.15)
    assert law("taiwan", "2026-10-01")["cars"] == pytest.approx(0.275)        # no cap on vehicles
    assert law("taiwan", "2026-10-01")["auto_parts"] == pytest.approx(0.15)   # capped since 1 May


def test_cars_pay_15_percent_with_the_deal_and_25_without() -> None:
    caps, ceiling = FINAL.tariffs.deal, FINAL.tariffs.no_deal
    for when in ("2025-12-01", "2026-03-01", "2026-10-01"):
        deal = lines_on("korea", day(when), as_of=TODAY, world="no_deal", ceiling=caps)
        no = lines_on("korea", day(when), as_of=TODAY, world="no_deal", ceiling=ceiling)
        assert (deal["cars"], deal["auto_parts"]) == pytest.approx((0.15, 0.15)), when
        assert (no["cars"], no["auto_parts"]) == pytest.approx((0.25, 0.25)), when
        assert law("korea", when)["cars"] == pytest.approx(0.15)          # the law, as implemented


def test_chips_pay_nothing_with_or_without_the_deal_today() -> None:
    """The final deal caps chips at 15%, but no Section 232 chip duty exists: a cap is a ceiling."""
    assert FINAL.tariffs.deal.rate("semiconductors") == pytest.approx(0.15)
    for ceiling in (FINAL.tariffs.deal, FINAL.tariffs.no_deal, None):
        lines = lines_on("korea", TODAY, as_of=TODAY, world="no_deal", ceiling=ceiling)
        assert lines["semiconductors"] == 0.0
    assert law("korea", "2026-10-01")["semiconductors"] == 0.0


def test_patented_drugs_pay_the_s232_default_without_a_deal() -> None:
    """From 29 Sep 2026: 15% all-in for deal partners, 100% for others, on the patented share."""
    share = 0.48
    assert law("korea", "2026-09-28")["pharmaceuticals"] == 0.0                 # exempt until then
    assert law("korea", "2026-10-01")["pharmaceuticals"] == pytest.approx(share * 0.15)
    assert law("taiwan", "2026-10-01")["pharmaceuticals"] == pytest.approx(share * 1.00)
    no = lines_on("korea", day("2026-10-01"), as_of=TODAY, world="no_deal", ceiling=FINAL.tariffs.no_deal)
    assert no["pharmaceuticals"] == pytest.approx(share * 1.00)


def test_a_row_after_as_of_is_unknown_and_the_rates_then_persist() -> None:
    # at the signing nothing of 2026 is known: the deal's 15% holds for ever, no s122, no s301
    for when in ("2026-03-01", "2026-08-01", "2030-01-01"):
        assert lines_on("korea", day(when), as_of=SIGNING) == lines_on("korea", SIGNING, as_of=SIGNING)
    assert law("korea", "2030-01-01", SIGNING)["general"] == pytest.approx(0.15)
    # a date in the s122 window knows its statutory end, and nothing after it
    assert law("korea", "2026-08-01", day("2026-03-01"))["general"] == 0.0      # KORUS only
    # and the rates on today's date persist after it
    assert law("korea", "2031-06-01") == law("korea", TODAY.isoformat())
    # an end after as_of does not count unless statutory: the IEEPA rows persist
    assert law("korea", "2026-06-01", day("2026-02-21"))["general"] == pytest.approx(0.15)


def test_the_last_change_year_follows_as_of() -> None:
    assert last_change_year(FINAL, SIGNING) == 2025
    assert last_change_year(FINAL, TODAY) == 2026
    assert last_change_year(FINAL, day("2024-06-30")) == 2025          # the pact's own start


def test_what_no_deal_costs_depends_on_the_date_known() -> None:
    at_signing = no_deal_cost(FINAL, A, years=6, as_of=SIGNING).present_value
    today = no_deal_cost(FINAL, A, years=6).present_value
    assert 0 < today["investor_value_added_relief"] < at_signing["investor_value_added_relief"]
    harsher = no_deal_cost(FINAL, A.with_values({"trade.no_deal_surcharge": 0.125}), years=6)
    assert harsher.present_value["investor_value_added_relief"] > today["investor_value_added_relief"]


caps = st.floats(0.0, 2.0, allow_nan=False)
lines = st.sampled_from(["cars", "auto_parts", "steel", "pharmaceuticals", "semiconductors"])


@settings(max_examples=60, deadline=None)
@given(general=caps, sector=lines, cap=caps, surcharge=st.floats(0.0, 0.5),
       when=st.dates(dt.date(2025, 1, 1), dt.date(2028, 1, 1)),
       known=st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
       partner=st.sampled_from(["korea", "japan", "eu27", "taiwan"]))
def test_a_deal_rate_never_exceeds_the_cap_nor_the_law(general, sector, cap, surcharge, when, known,
                                                      partner) -> None:
    ceiling = TariffRates(general=general, sectors={sector: cap})
    capped = lines_on(partner, when, as_of=known, world="no_deal", ceiling=ceiling, surcharge=surcharge)
    free = lines_on(partner, when, as_of=known, world="no_deal", surcharge=surcharge)
    assert set(capped) == set(free)
    for line, rate in capped.items():
        assert 0.0 <= rate <= free[line] + 1e-12, line
        assert rate <= ceiling.rate(line) + 1e-12, line


def test_a_pact_caps_only_its_investor() -> None:
    table = rate_table(TODAY, as_of=TODAY, overrides={"korea": TariffRates(general=0.05)})
    plain = rate_table(TODAY, as_of=TODAY)
    assert (table["korea"] <= plain["korea"] + 1e-12).all() and table["korea"].max() <= 0.05 + 1e-12
    assert table.drop(columns="korea").equals(plain.drop(columns="korea"))


def test_year_one_of_the_actual_schedule_beside_a_published_figure() -> None:
    """Japanese car exports to the US fell 26.7% in value in June 2025, year on year, on volume
    +3.4% (Yomiuri, 19 Jul 2025; BOJ export prices -19.4%: macro-trade-data.md §4): 2.5% MFN to
    27.5% (s232 from 3 Apr). The model's first-year move on the same rates lands near it."""
    from pactlab.analysis.what_if import schedule_change
    w = schedule_change(day("2025-03-31"), day("2025-06-30"), A, investor="japan", draws=20)
    cars = w.first_year.loc["cars"]
    assert (cars["investor_rate_before"], cars["investor_rate_after"]) == pytest.approx((0.025, 0.275))
    fall = -cars["investor_export_change"] / cars["investor_exports"]
    assert 0.267 / 2 < fall < 0.267 * 1.5
    korea = schedule_change(day("2024-12-31"), day("2025-12-31"), A, draws=20).first_year.loc["total"]
    assert 0.05 < -korea["investor_export_change"] / korea["investor_exports"] < 0.30
