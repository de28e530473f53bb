"""Deal or no deal: each party's gain over the no-deal case, in present value, by component.

The no-deal case is a scenario of its own, on the same futures: no investment, the
threatened tariffs, the investor's reserves meeting the same sudden stops with no calls.
Each component is an array over paths, discounted at the party's own rate to the base year:

* investor — investment NPV (every tranche's flows); tariff relief (value added kept, from
  the tariff model, while the deal stands); side concessions (energy bought above market, the
  cost of farm access, while it stands); FX stress (a reserve crisis the pact adds, times a
  crisis cost in % of GDP, in the year it strikes; negative when the pact adds crises);
* host — its share of project cash (NPV); the strategic value of capex in its priority
  sectors (an explicit assumption); tariff revenue forgone; consumer gains from the lower
  tariffs; upside terms (its take of the investor's receipts above a threshold).

Whether the deal stands is drawn per path: it is withdrawn in a year with probability
``trade.deal_withdrawal_prob``, and tariff relief and concessions stop then (the investment
stays). A party's gain is the sum of its components, path by path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .assumptions import Assumptions
from .engine.finance import npv
from .engine.rng import Streams
from .simulation import DealPaths
from .tariffs import no_deal_cost
from .terms import Pact

INVESTOR_COMPONENTS = ("investment NPV", "tariff relief", "side concessions", "FX stress")
HOST_COMPONENTS = ("share of project cash", "strategic value of capex", "tariff revenue forgone",
                   "consumer gains", "upside terms")


@dataclass(frozen=True)
class Gains:
    investor: dict[str, np.ndarray]   # component -> (paths,), USD bn PV
    host: dict[str, np.ndarray]

    def total(self, party: str) -> np.ndarray:
        return sum(getattr(self, party).values())


def _tariff_years(pact: Pact, a: Assumptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value added kept, US consumer saving, US tariff revenue forgone) by year."""
    table = no_deal_cost(pact, a).by_year
    return (table["investor_value_added_loss"].to_numpy(), table["us_consumer_cost"].to_numpy(),
            table["us_tariff_revenue"].to_numpy())


def deal_stands(a: Assumptions, code: str, paths: int, years: int, rng: Streams) -> np.ndarray:
    """1 while the deal's tariff relief stands, per path and year: withdrawn in a year with
    probability trade.deal_withdrawal_prob (the same draws for every pact of one investor)."""
    p = a.trade.deal_withdrawal_prob
    if p == 0.0:
        return np.ones((paths, years))
    lasts = rng(f"trade/withdrawal/{code}").geometric(p, size=paths)   # years it stands, >= 1
    return (np.arange(years)[None, :] < lasts[:, None]).astype(float)


def gains(pact: Pact, a: Assumptions, deal: DealPaths, rng: Streams) -> Gains:
    paths, years = deal.funding.paid.shape
    code = pact.parties.investor_code
    r_inv, r_host = a.investor_rate(code), a.discount.host
    stands = deal_stands(a, code, paths, years, rng)
    kept, saving, forgone = _tariff_years(pact, a)
    c = pact.concessions
    t = np.arange(years)
    energy = np.where(t < c.energy_purchase_years,
                      c.energy_purchases_per_year * c.energy_price_premium / (1.0 + c.energy_price_premium), 0.0)
    farm = np.full(years, c.farm_access_per_year * a.valuation.farm_cost_share)

    gdp = a.country(code).gdp
    horizon = min(a.fx.horizon_years, years)
    added = ((deal.funding.crisis_year < horizon).astype(float)
             - (deal.baseline_crisis_year < horizon).astype(float))
    when = np.where(added > 0, deal.funding.crisis_year, deal.baseline_crisis_year)
    fx_stress = -added * a.valuation.crisis_cost_gdp * gdp * (1.0 + r_inv) ** -np.minimum(when, years)

    upside = npv(r_host, deal.upside)
    investor = {
        "investment NPV": npv(r_inv, deal.investor_total),
        "tariff relief": npv(r_inv, stands * kept[None, :]),
        "side concessions": -npv(r_inv, stands * (energy + farm)[None, :]),
        "FX stress": fx_stress,
    }
    host = {
        "share of project cash": npv(r_host, deal.host_total),
        "strategic value of capex": a.valuation.host_strategic_value * npv(r_host, deal.priority_capex),
        "tariff revenue forgone": -npv(r_host, stands * forgone[None, :]),
        "consumer gains": npv(r_host, stands * saving[None, :]),
        "upside terms": upside,
    }
    return Gains(investor, host)
