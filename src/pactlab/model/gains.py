r"""Deal or no deal: each party's gain over the no-deal case, in present value, by component.

The no-deal case is a scenario of its own, on the same futures: no investment, the threatened
tariffs, the investor's reserves meeting the same sudden stops with no calls, no swap line and
no clause. It is the same for every pact of one investor on one :class:`~pactlab.Futures`: a
fixed disagreement point. Each component is an array over paths, discounted at the party's own
rate to the base year:

* investor — investment NPV (every tranche's flows); tariff relief (:data:`TARIFF_RELIEF`: the
  value added kept, from the tariff model at each path's elasticities, pass-through and
  value-added shares, each vintage of the loss fading as resources move, in nominal dollars;
  while the deal stands); side concessions (energy bought above market, the
  cost of farm access, less the value of work visas, while it stands); FX stress (the expected, discounted cost of the reserve crises the pact adds, or
  prevents, against the no-pact path: the yearly crisis hazards path by path, a crisis costing a
  share of that year's GDP; :mod:`pactlab.model.fx_stress`);
* host — its share of project cash (NPV); the strategic value of capex in its priority
  sectors (an explicit assumption); tariff revenue forgone; consumer gains from the lower
  tariffs; side concessions (the premium and margin on energy sold, farm sales, less the cost
  of work visas, each at a stated willingness to pay); upside terms (its take of the investor's receipts above a threshold).

**The host's objective, stated** (``host_objective``; Grossman & Helpman 1994, "Protection for
Sale"): the US counts what the administration visibly values, not welfare alone,

.. math:: G_{\mathrm{host}} = W + w_R\,\Delta R + w_P\,s_P\,\Delta CS - X_{\mathrm{swap}} - P_{\mathrm{host}},

with :math:`\Delta R` the tariff revenue the deal changes (forgone: negative), :math:`\Delta CS`
the US buyers' saving — the tariff model has import markets only, so protected output enters as
the share :math:`s_P` of that saving taken from protected US producers (``protected_share``, a
proxy, said so), weighted :math:`w_P` — hence a tariff cut costs the host by default. The
components ``revenue weight`` (:math:`w_R` times the revenue forgone) and ``protected output``
show the weights; ``swap-line exposure`` is the expected loss on the line,
``swap_loss_given_default`` × the present value of its draws (the simulated reserve path's
:attr:`~pactlab.engine.funding.Calls.swap`), plus ``swap_precedent_cost`` where the pact grants a
line to an investor whose reserves can run down; ``political cost`` is each side's political cost
of its concessions (the investor's farm access, convex against its red line; the host's work
visas); ``perceived no-deal cost`` (0 by default) is what a side perceives no deal costs beyond
the model, for the calibration (:mod:`pactlab.analysis.calibrate`). Side issues are concave with
caps (:func:`~pactlab.model.plan.saturating`). ``host_objective.view = "welfare"`` sets the
host's weights, precedent and political cost to 0 (:func:`view_note` says which view an output
shows).

Whether the deal stands is drawn per path (see :meth:`~pactlab.model.futures.Block.deal_lasts`):
tariff relief and concessions stop when it is withdrawn; the investment already under way stays,
and no new stake is launched (``trade.withdrawal_stops_calls``,
:func:`~pactlab.model.simulation.fund`). Under a refusal
clause (``governance.refusal_tariff``) the host snaps the tariff back on a path from the year the
investor leaves calls unfunded past the funding deadline, or from the selection deadline if a
tranche found no eligible project: the deal's terms end there, and what is left of the relief
is scaled by how far the refusal rate sits from the no-deal rate. A party's gain
is the sum of its components, path by path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.finance import increases_pv
from .futures import Block
from .fx_stress import first_crisis_pv, fx_stress
from .plan import Plan
from .simulation import DealPaths

INVESTOR_COMPONENTS = ("investment NPV", "tariff relief", "side concessions", "FX stress",
                       "political cost", "perceived no-deal cost")
#: the one meaning of "tariff relief", in every output that shows it; the tariff model's other
#: figures have names of their own (:data:`~pactlab.model.tariffs.no_deal.MEASURES`)
TARIFF_RELIEF = (
    "tariff relief: the present value, at the investor's discount rate and in nominal dollars, "
    "of the investor's value added that the deal keeps from the no-deal tariffs while it stands "
    "(each year's new loss fading to its terms-of-trade part as labour and capital move), "
    "expected over the futures (elasticities, pass-through, value-added shares, withdrawal, "
    "snapback)")
#: the tariff components' definitions, by component (shown beside them)
DEFINITIONS = {
    "tariff relief": TARIFF_RELIEF,
    "tariff revenue forgone": (
        "tariff revenue forgone: the present value, at the host's rate and in nominal dollars, of "
        "the US tariff revenue the deal's lower rates give up while it stands, expected over the "
        "futures"),
    "consumer gains": (
        "consumer gains: the present value, at the host's rate and in nominal dollars, of what US "
        "buyers save at the deal's rates while it stands, expected over the futures"),
    "revenue weight": (
        "revenue weight: host_objective.revenue_weight times the tariff revenue forgone (a dollar "
        "of revenue counts 1 + w_R dollars of welfare; 0 in the welfare view)"),
    "protected output": (
        "protected output: host_objective.protected_weight times the share of US buyers' saving "
        "taken from protected US producers (host_objective.protected_share, a proxy: the tariff "
        "model has no US producers), as a cost; 0 in the welfare view"),
    "swap-line exposure": (
        "swap-line exposure: the expected loss on the pact's swap line (loss given default x the "
        "present value of its draws) plus the precedent cost of granting one"),
}
HOST_COMPONENTS = ("share of project cash", "strategic value of capex", "tariff revenue forgone",
                   "consumer gains", "side concessions", "upside terms", "revenue weight",
                   "protected output", "swap-line exposure", "political cost",
                   "perceived no-deal cost")
PARTIES = ("investor", "host")


@dataclass(frozen=True)
class Gains:
    investor: dict[str, np.ndarray]   # component -> (paths,), USD bn PV
    host: dict[str, np.ndarray]

    def total(self, party: str) -> np.ndarray:
        """A party's gain over no deal, path by path: its components summed in order."""
        parts = iter(getattr(self, party).values())
        out = next(parts).copy()
        for v in parts:
            out += v
        return out


def pv_while_standing(by_year: np.ndarray, rate: float, lasts: np.ndarray) -> np.ndarray:
    """Per path, the present value of `by_year` over the years the deal stands.

    Parameters
    ----------
    by_year : ndarray, shape (years,), USD bn a year
    rate : float, fraction a year
    lasts : ndarray of int, shape (paths,)
        Years the deal stands (>= 1).

    Returns
    -------
    ndarray, shape (paths,), USD bn

    Examples
    --------
    >>> pv_while_standing(np.array([1.0, 1.0, 1.0]), 0.0, np.array([1, 3])).tolist()
    [1.0, 3.0]
    """
    pv = np.cumsum(by_year * (1.0 + rate) ** -np.arange(by_year.size))
    return pv[np.minimum(lasts, by_year.size) - 1]


def view_note(a) -> str:
    """One line saying which view of the host's gain an output shows (tables' footnotes)."""
    h = a.host_objective
    if h.view == "welfare":
        return ("host gain: welfare view (host_objective.view = welfare): no weight on tariff "
                "revenue or protected output, no swap-line precedent")
    return (f"host gain: stated objective (Grossman-Helpman): a dollar of tariff revenue counts "
            f"{1 + h.revenue_weight:g} of welfare, protected output {h.protected_weight:g} x "
            f"{h.protected_share:.0%} of buyers' saving, a swap line's precedent "
            f"${h.swap_precedent_cost:g}B (assumptions; --set host_objective.view=welfare for welfare)")


def swap_draws_pv(swap: np.ndarray, rate: float) -> np.ndarray:
    """Per path, the present value of new draws on a swap line from its outstanding balance.

    Parameters
    ----------
    swap : ndarray, shape (paths, years), USD bn outstanding at year end
    rate : float, fraction a year

    Returns
    -------
    ndarray, shape (paths,), USD bn

    Examples
    --------
    >>> swap_draws_pv(np.array([[0.0, 10.0, 4.0, 8.0]]), 0.0).tolist()
    [14.0]
    """
    return increases_pv(swap, rate)


def gains(plan: Plan, deal: DealPaths, block: Block) -> Gains:
    """Each party's gain over no deal on one block, by component (see the module docstring).

    Parameters
    ----------
    plan : Plan
        The pact's plan: its tariff relief, concessions, rates and crisis cost
        (``plan.gain_inputs``).
    deal : DealPaths
        The pact applied to the block (:func:`pactlab.model.simulation.simulate_block`).
    block : Block
        The futures it ran on (deal-withdrawal draws, the no-pact reserve path).

    Returns
    -------
    Gains
        Investor and host components, each ndarray, shape (paths,), USD bn PV.
    """
    g = plan.gain_inputs
    o = g.objective
    code = plan.calls.investor_code
    r_inv, r_host = g.investor_rate, g.host_rate
    withdrawn = block.deal_lasts(code)
    # a snapback ends the deal's terms on the path; the relief left after it is scaled by what
    # the refusal tariff leaves of the gap between the deal and no-deal rates
    lasts = np.minimum(withdrawn, np.maximum(deal.snap_year, 1))
    factor = g.refusal_factor or 0.0

    def standing(what: str, rate: float) -> np.ndarray:
        kept = deal.trade.pv_while_standing(what, rate, lasts)
        if factor:
            kept = kept + factor * (deal.trade.pv_while_standing(what, rate, withdrawn) - kept)
        return kept

    args = (g.fx_horizon, g.crisis_cost, block.assumptions.fx.components_growth, r_inv)
    no_pact_cost = block.memo(("no-pact crisis cost", code, *args),
                              lambda: first_crisis_pv(deal.no_pact.hazard, *args))
    fx = fx_stress(deal.funding.hazard, deal.no_pact.hazard, g.crisis_cost, g.fx_horizon,
                   block.assumptions.fx.components_growth, r_inv, no_pact_cost=no_pact_cost)
    investor = {
        "investment NPV": deal.investor_pv(r_inv),
        "tariff relief": standing("value_added", r_inv),
        "side concessions": -pv_while_standing(g.investor_concessions, r_inv, lasts),
        "FX stress": fx,
        "political cost": _political(o.investor_political, r_inv, lasts),
        "perceived no-deal cost": np.full(lasts.shape, o.investor_no_deal_cost),
    }
    host = {
        "share of project cash": deal.host_pv(r_host),
        "strategic value of capex": g.strategic_value * deal.funded.priority_pv(r_host),
        "tariff revenue forgone": -standing("revenue", r_host),
        "consumer gains": standing("consumer", r_host),
        "side concessions": pv_while_standing(g.host_concessions, r_host, lasts),
        "upside terms": deal.cut.upside_pv(r_host),
    }
    return Gains(investor, host | _beyond_welfare(plan, deal, host, lasts))


def _beyond_welfare(plan: Plan, deal: DealPaths, host: dict[str, np.ndarray],
                    lasts: np.ndarray) -> dict[str, np.ndarray]:
    """The host's components beyond welfare (the module docstring's stated objective)."""
    o, r_host = plan.gain_inputs.objective, plan.gain_inputs.host_rate
    swap = (-(o.swap_loss * swap_draws_pv(deal.funding.swap, r_host) + o.swap_precedent)
            if plan.calls.fx.swap_size > 0 else np.zeros(lasts.shape))
    return {
        "revenue weight": o.revenue_weight * host["tariff revenue forgone"],
        "protected output": -o.protected_weight * host["consumer gains"],
        "swap-line exposure": swap,
        "political cost": _political(o.host_political, r_host, lasts),
        "perceived no-deal cost": np.full(lasts.shape, o.host_no_deal_cost),
    }


def _political(by_year: np.ndarray | None, rate: float, lasts: np.ndarray) -> np.ndarray:
    """A side's political cost of its concessions while the deal stands (negative)."""
    if by_year is None or not by_year.any():
        return np.zeros(lasts.shape)
    return -pv_while_standing(by_year, rate, lasts)
