"""How sure a verdict is, in words: "holds in 44% of the plausible range" beside each verdict,
and a flip box read out as a sentence ("Korea comes out ahead when the deal's withdrawal risk
is under 4% a year and a crisis costs under 6% of GDP").

Everything here reads a :class:`~pactlab.analysis.robust.Robustness` (or anything with its
``manifest``, ``ranges``, ``points`` and ``verdicts``) and computes nothing new: the command
line's ``compare``, the report and ``robust -o`` word it the same way. Numbers are in each
input's own unit (fractions read as percent, years as years, USD bn as $B); an input with no
label here reads as its dotted key.

>>> condition("trade.deal_withdrawal_prob", [0.02, 0.04], seen=[0.021, 0.29])
"the deal's withdrawal risk is under 4% a year"
>>> holds_text(0.4375)
'holds in 44% of the plausible range'
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..inputs.terms.fields import LABELS as TERM_LABELS

__all__ = ["LABELS", "NOUNS", "VERDICT_ORDER", "change_rows", "condition", "design_text", "drivers_text",
           "evaluation_verdicts", "report_section",
           "holds_text", "label", "noun", "party_names", "strip_cell", "strip_rows", "verdict_name",
           "verdict_text"]

#: the verdicts in the order they are shown
VERDICT_ORDER = ("investor_gain_positive", "host_gain_positive", "individually_rational",
                 "investor_crisis_below")
#: the drivers a sentence names
SHOWN_DRIVERS = 3

#: an input's words: (subject, verb, unit); units: "%", "% a year", "pp a year", "% of GDP",
#: "% of GDP a year", "% of capex", "% of capex a year", " years", "$B", "" (a plain number)
LABELS: dict[str, tuple[str, str, str]] = {
    "markets.sofr.long_run": ("SOFR's long-run level", "is", "% a year"),
    "markets.sofr.start": ("SOFR's starting level", "is", "% a year"),
    "markets.sofr.speed": ("SOFR's speed of mean reversion", "is", ""),
    "markets.sofr.vol": ("SOFR's volatility", "is", "pp a year"),
    "markets.energy.speed": ("energy prices' speed of mean reversion", "is", ""),
    "markets.energy.vol": ("energy prices' volatility", "is", "% a year"),
    "markets.power.speed": ("power prices' speed of mean reversion", "is", ""),
    "markets.power.vol": ("power prices' volatility", "is", "% a year"),
    "markets.correlation.sofr_energy": ("the correlation of SOFR and energy prices", "is", ""),
    "markets.correlation.sofr_power": ("the correlation of SOFR and power prices", "is", ""),
    "markets.correlation.energy_power": ("the correlation of energy and power prices", "is", ""),
    "markets.tax_rate": ("the US tax rate on project income", "is", "%"),
    "discount.host": ("the host's discount rate", "is", "% a year"),
    "valuation.host_strategic_value": ("the host's strategic value of the capex", "is",
                                       "% of capex"),
    "valuation.farm_cost_share": ("the share of the farm purchases that costs the investor",
                                  "is", "%"),
    "valuation.host_energy_value": ("the US sellers' margin on the energy purchases", "is", "%"),
    "valuation.host_farm_value": ("US farmers' surplus on the farm purchases", "is", "%"),
    "valuation.visa_value_investor": ("the investor's value of 1,000 visas a year", "is", "$B"),
    "valuation.visa_cost_host": ("the host's cost of 1,000 visas a year", "is", "$B"),
    "valuation.crisis_cost_gdp": ("a crisis", "costs", "% of GDP"),
    "fx.sudden_stop_prob": ("the chance of a sudden stop", "is", "% a year"),
    "fx.sudden_stop_size": ("a sudden stop's size", "is", "% of short-term debt"),
    "fx.sudden_stop_sigma": ("the spread of sudden-stop sizes", "is", ""),
    "fx.sudden_stop_return": ("the share of a sudden stop that flows back", "is", "%"),
    "fx.sudden_stop_return_next_year": ("the share that flows back within a year", "is", "%"),
    "fx.stress_swap_prob": ("the chance of a Fed swap line in a stress", "is", "%"),
    "fx.stress_swap_draw": ("the swap line's draw", "is", "$B"),
    "fx.valuation_sigma": ("the reserves' valuation noise", "is", "% a year"),
    "fx.float_floor": ("the reserve floor that forces a float", "is", "%"),
    "fx.crisis_logit_intercept": ("the crisis model's intercept", "is", ""),
    "fx.crisis_logit_slope": ("the crisis model's slope", "is", ""),
    "fx.components_growth": ("the growth of the ARA metric's components", "is", "% a year"),
    "trade.no_deal_surcharge": ("the surcharge on a partner without a deal", "is", "%"),
    "trade.deal_withdrawal_prob": ("the deal's withdrawal risk", "is", "% a year"),
    "trade.nominal_growth": ("nominal trade growth", "is", "% a year"),
    "trade.adjustment_years": ("the adjustment to a tariff", "takes", " years"),
    "trade.years_to_long_run": ("trade's response", "reaches its long run in", " years"),
    "trade.short_run_share": ("the short-run share of the long-run elasticity", "is", "%"),
    "trade.pledge_delivery_prob": ("the chance a private pledge is delivered", "is", "%"),
    "waterfall.review.investor_share": ("the investor's share after the review", "is", "%"),
    "waterfall.daa_convention": ("the deemed allocation amount's convention", "is", ""),
    "waterfall.spread": ("the waterfall's deemed spread", "is", "% a year"),
    "funding.bonds": ("the share of the calls funded by bonds", "is", "%"),
    "fx.instability_threshold": ("the ARA ratio below which calls are deferred", "is", "%"),
    "fx.max_deferral_years": ("the longest deferral", "is", " years"),
    "governance.refusal_tariff": ("the tariff for refusing a project", "is", "%"),
    "concessions.energy_price_premium": ("the premium on the energy purchases", "is", "%"),
}
#: how an input reads as a driver where its subject alone does not say it
NOUNS: dict[str, str] = {
    "valuation.crisis_cost_gdp": "a crisis's cost",
    "trade.adjustment_years": "the years a tariff's effect takes to fade",
    "trade.years_to_long_run": "the years trade takes to reach its long-run response",
    "trade.withdrawal_stops_calls": "whether a withdrawn deal ends the calls",
}
#: a true/false input's words, (when true, when false)
SWITCHES: dict[str, tuple[str, str]] = {
    "trade.withdrawal_stops_calls": ("a withdrawn deal ends the investor's calls",
                                     "the calls go on after a withdrawn deal"),
}
_COUNTRIES = {"KOR": "Korea", "JPN": "Japan", "TWN": "Taiwan", "EU27": "the EU",
              "CHE": "Switzerland", "USA": "the United States"}
_ARCHETYPES = {"lng_export": "LNG export", "gas_power": "gas power", "nuclear": "nuclear",
               "pipelines_ports": "pipeline and port", "shipbuilding": "shipbuilding",
               "semiconductors": "semiconductor", "critical_minerals": "critical-minerals",
               "power_equipment": "power-equipment"}
_ARCHETYPE_FIELDS = {"cash_yield": ("{} projects' cash yield", "is", "% of capex a year"),
                     "overrun_mean": ("{} projects' mean cost overrun", "is", "% of capex"),
                     "failure_prob": ("{} projects' failure risk", "is", "%")}
_MACRO_FIELDS = {"non_pact_flow": ("{}'s non-pact flows into reserves", "are", "% of GDP a year"),
                 "flow_sigma": ("the noise in {}'s non-pact flows", "is", "% of GDP a year"),
                 "flow_persistence": ("the persistence of {}'s non-pact flows", "is", ""),
                 "std_growth": ("the growth of {}'s short-term debt", "is", "% a year"),
                 "std_residual_factor": ("{}'s short-term debt by remaining over original "
                                         "maturity", "is", ""),
                 "reserve_yield": ("{}'s reserve yield", "is", "% a year")}
#: term units (inputs.terms.fields) as the units above
_TERM_UNITS = {"rate": "% a year", "share": "%", "ratio": "%", "hurdle": "% a year",
               "years": " years", "usd_bn": "$B", "usd_bn_year": "$B a year"}
_TRANCHE = re.compile(r"^tranches\[(\d+)\]\.(\w+)$")


def label(key: str) -> tuple[str, str, str]:
    """An input's (subject, verb, unit): from :data:`LABELS`, a pattern (archetypes, macro,
    discount rates, tranches) or the term-sheet labels; else the key itself, a plain number.

    >>> label("macro.KOR.non_pact_flow")
    ("Korea's non-pact flows into reserves", 'are', '% of GDP a year')
    >>> label("tranches[1].tenor")
    ("tranche 2's tenor", 'is', ' years')
    """
    if key in LABELS:
        return LABELS[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "archetypes" and parts[2] in _ARCHETYPE_FIELDS:
        subject, verb, unit = _ARCHETYPE_FIELDS[parts[2]]
        name = _ARCHETYPES.get(parts[1], parts[1].replace("_", " "))
        return subject.format(name), verb, unit
    if len(parts) == 3 and parts[0] == "macro" and parts[2] in _MACRO_FIELDS:
        subject, verb, unit = _MACRO_FIELDS[parts[2]]
        return subject.format(_COUNTRIES.get(parts[1], parts[1])), verb, unit
    if len(parts) == 3 and parts[:2] == ["discount", "investor"]:
        return f"{_COUNTRIES.get(parts[2], parts[2])}'s discount rate", "is", "% a year"
    tranche = _TRANCHE.match(key)
    if tranche:
        words, unit = TERM_LABELS.get(f"tranches[*].{tranche[2]}", (tranche[2], ""))
        return f"tranche {int(tranche[1]) + 1}'s {words}", "is", _TERM_UNITS.get(unit, "")
    if key in TERM_LABELS:
        words, unit = TERM_LABELS[key]
        return words, "is", _TERM_UNITS.get(unit, "")
    return key, "is", ""


def noun(key: str) -> str:
    """An input as a driver names it: its subject, or :data:`NOUNS`.

    >>> noun("valuation.crisis_cost_gdp"), noun("trade.deal_withdrawal_prob")
    ("a crisis's cost", "the deal's withdrawal risk")
    """
    return NOUNS.get(key) or label(key)[0]


def _number(x: float) -> str:
    """Two significant digits under 100, whole numbers above (3.1, 15, 150)."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:.2g}" if abs(x) < 100 else f"{x:,.0f}"


def amount(value: Any, unit: str) -> str:
    """A value in its unit as people read it: 0.04 with "% a year" is ``4% a year``.

    >>> amount(0.0309, "% of GDP"), amount(8.0, " years"), amount(20.0, "$B"), amount(0.46, "")
    ('3.1% of GDP', '8 years', '$20B', '0.46')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit.startswith("%") or unit.startswith("pp"):
        head, _, tail = unit.partition(" ")
        return f"{_number(value * 100)}{head}" + (f" {tail}" if tail else "")
    if unit.startswith("$B"):
        return f"{'-' if value < 0 else ''}${_number(abs(value))}B{unit[2:]}"
    if unit == " years" and value == 1:
        unit = " year"
    return f"{_number(value)}{unit}"


def condition(key: str, limits: Sequence[Any], *, seen: Sequence[Any] | None = None) -> str:
    """One side of a flip box in words: ``[low, high]`` of a numeric input (a side counts only
    where it cuts into the values the points took, `seen`; all of them without `seen`), or the
    levels kept of a categorical one.

    >>> condition("valuation.crisis_cost_gdp", [0.061, 0.1], seen=[0.061, 0.19])
    'a crisis costs under 10% of GDP'
    >>> condition("fx.max_deferral_years", [1, 2])
    'the longest deferral is 1 or 2 years'
    >>> condition("trade.withdrawal_stops_calls", [False])
    'the calls go on after a withdrawn deal'
    """
    subject, verb, unit = label(key)
    values = list(limits)
    if len(values) == 1 and isinstance(values[0], bool) and key in SWITCHES:
        return SWITCHES[key][0 if values[0] else 1]
    numeric = len(values) == 2 and all(isinstance(v, float) for v in values)
    if not numeric:
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            if len(values) == 1:
                return f"{subject} {verb} {amount(values[0], unit)}"
            shown = [amount(v, _bare(unit)) for v in values]
            return f"{subject} {verb} {_or(shown)}{unit[len(_bare(unit)):]}"
        return f"{subject} {verb} {_or([_level(v) for v in values])}"
    lo, hi = float(values[0]), float(values[1])
    low_cut = seen is None or lo > min(seen)
    high_cut = seen is None or hi < max(seen)
    if low_cut and high_cut:
        return f"{subject} {verb} between {amount(lo, _bare(unit))} and {amount(hi, unit)}"
    if low_cut:
        return f"{subject} {verb} over {amount(lo, unit)}"
    return f"{subject} {verb} under {amount(hi, unit)}"


def _bare(unit: str) -> str:
    """The unit's symbol without its words ("% a year" -> "%"), for the first of two numbers."""
    if unit.startswith("%") or unit.startswith("pp"):
        return unit.split(" ")[0]
    return "" if unit.startswith(" ") else unit.split(" ")[0]


def _level(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _or(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


# --- verdicts -----------------------------------------------------------------------------------

def _the(name: str) -> str:
    """A party as a sentence names it: 'the United States', 'Korea'."""
    return f"the {name}" if name.startswith(("United ", "European ")) else name


def verdict_text(verdict: str, holds: bool, *, investor: str = "the investor",
                 host: str = "the host", bound: float = 0.1) -> str:
    """What a verdict says, holding or not: ``Korea comes out ahead``, ``Korea falls behind``.

    >>> verdict_text("host_gain_positive", True, host="United States")
    'the United States comes out ahead'
    >>> verdict_text("investor_crisis_below", False, investor="Korea", bound=0.1)
    "Korea's chance of a reserve crisis is 10% or more"
    """
    investor, host = _the(investor), _the(host)
    crisis = f"{investor}'s chance of a reserve crisis"
    words = {"investor_gain_positive": (f"{investor} comes out ahead", f"{investor} falls behind"),
             "host_gain_positive": (f"{host} comes out ahead", f"{host} falls behind"),
             "individually_rational": ("both sides come out ahead", "one side falls behind"),
             "investor_crisis_below": (f"{crisis} stays under {bound:.0%}",
                                       f"{crisis} is {bound:.0%} or more")}
    return words[verdict][0 if holds else 1]


def verdict_name(verdict: str, bound: float = 0.1) -> str:
    """A verdict's short name, for a table's rows.

    >>> verdict_name("investor_crisis_below", 0.1)
    'P(reserve crisis) under 10%'
    """
    return {"investor_gain_positive": "investor ahead (mean gain > 0)",
            "host_gain_positive": "host ahead (mean gain > 0)",
            "individually_rational": "both ahead (individually rational)",
            "investor_crisis_below": f"P(reserve crisis) under {bound:.0%}"}[verdict]


def holds_text(share: float) -> str:
    """``holds in 44% of the plausible range``."""
    return f"holds in {share:.0%} of the plausible range"


def strip_cell(holds: bool | None, share: float | None) -> str:
    """A strip's cell: the verdict here and how much of the plausible range it holds in
    (``no · holds in 44%``; '–' where the verdict does not apply).

    >>> strip_cell(False, 0.4375)
    'no · holds in 44%'
    """
    if share is None:
        return "–"
    head = "" if holds is None else ("yes · " if holds else "no · ")
    return f"{head}holds in {share:.0%}"


def design_text(rob: Any) -> str:
    """The design a result rests on, in words.

    Examples: ``16 points over 82 plausible ranges (Latin hypercube), 500 futures each, seed 0``.
    """
    m = rob.manifest
    kind = "Latin hypercube" if m.get("sampler", "lhs") == "lhs" else "Saltelli design"
    return (f"{m['points']:,} points over {len(rob.ranges)} plausible ranges ({kind}), "
            f"{m['paths']:,} futures each, seed {m['seed']}")


def party_names(pacts: Sequence[Any], labels: Sequence[str]) -> dict[str, tuple[str, str]]:
    """By label, each pact's (investor, host) names, for the sentences."""
    return {lab: (p.parties.investor, p.parties.host) for p, lab in zip(pacts, labels, strict=True)}


def strip_rows(rob: Any, at: Mapping[str, Mapping[str, bool]] | None = None) -> list[dict[str, Any]]:
    """The strip as a table: a row a verdict (in :data:`VERDICT_ORDER`), a cell a pact.

    Parameters
    ----------
    rob : Robustness
    at : mapping of label to {verdict: bool}, optional
        The verdicts as the caller's own evaluation has them (default: the result's own,
        ``at_defaults``).

    Returns
    -------
    list of dict
        ``{"verdict", "name", "cells": [{"pact", "holds", "share", "text"}]}``; a verdict no pact
        has is left out.
    """
    bound = float(rob.manifest.get("crisis_bound", 0.1))
    labels = [p["label"] for p in rob.manifest["pacts"]]
    by = {(v["pact"], v["verdict"]): v for v in rob.verdicts}
    rows = []
    for verdict in VERDICT_ORDER:
        if not any((lab, verdict) in by for lab in labels):
            continue
        cells = []
        for lab in labels:
            v = by.get((lab, verdict))
            holds = None if v is None else (at[lab][verdict] if at and verdict in at.get(lab, {})
                                            else v["at_defaults"])
            share = None if v is None else v["holds_share"]
            cells.append({"pact": lab, "holds": holds, "share": share,
                          "text": strip_cell(holds, share)})
        rows.append({"verdict": verdict, "name": verdict_name(verdict, bound), "cells": cells})
    return rows


def drivers_text(verdict: Mapping[str, Any], n: int = SHOWN_DRIVERS) -> str:
    """The inputs that move a verdict most, in words (empty when none does).

    >>> drivers_text({"drivers": [{"key": "trade.deal_withdrawal_prob", "index": 0.52,
    ...                            "measure": "abs_spearman"}]})
    "what moves it most: the deal's withdrawal risk (|rank correlation| 0.52)"
    """
    drivers = list(verdict.get("drivers") or [])[:n]
    if not drivers:
        return ""
    measure = "|rank correlation|" if drivers[0]["measure"] == "abs_spearman" else \
        "total Sobol index"
    parts = [f"{noun(d['key'])} ({measure} {d['index']:.2f})" if i == 0 else
             f"{noun(d['key'])} ({d['index']:.2f})" for i, d in enumerate(drivers)]
    return "what moves it most: " + ", ".join(parts)


def change_rows(rob: Any, parties: Mapping[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """"What would change the verdict": for each pact and verdict, the flip box as a sentence.

    Parameters
    ----------
    rob : Robustness
    parties : mapping of label to (investor, host), optional
        The names the sentences use (default: "the investor", "the host").

    Returns
    -------
    list of dict
        ``{"pact", "verdict", "holds_share", "at_defaults", "sentence", "drivers", "box"}``:
        ``sentence`` says where the verdict turns (or that it holds or fails throughout),
        ``drivers`` what moves it most, ``box`` the box's coverage and density in words.
    """
    bound = float(rob.manifest.get("crisis_bound", 0.1))
    seen = {r.key: [p["values"][r.key] for p in rob.points if r.key in p["values"]]
            for r in rob.ranges}
    out = []
    for v in rob.verdicts:
        investor, host = (parties or {}).get(v["pact"], ("the investor", "the host"))
        def words(verdict: str, holds: bool, who: tuple[str, str] = (investor, host)) -> str:
            return verdict_text(verdict, holds, investor=who[0], host=who[1], bound=bound)
        turned = words(v["verdict"], not v["at_defaults"])
        box = v.get("flip_box")
        share = v["holds_share"]
        if box and box.get("limits"):
            parts = [condition(k, lim, seen=seen.get(k) or None) for k, lim in box["limits"].items()]
            sentence = f"{_cap(turned)} when {_and(parts)}."
            box_words = (f"the box holds {box['coverage']:.0%} of the points where the verdict "
                         f"turns, and it turns at {box['density']:.0%} of the points inside it")
        else:
            if share in (0.0, 1.0):
                stays = words(v["verdict"], share == 1.0)
                sentence = f"{_cap(stays)} at every point of the plausible range."
            else:
                sentence = (f"{_cap(turned)} at {_points(share, v['at_defaults'], rob)} of the "
                            "plausible range, with no simple box of inputs around them.")
            box_words = ""
        out.append({"pact": v["pact"], "verdict": v["verdict"], "holds_share": share,
                    "at_defaults": v["at_defaults"], "sentence": sentence,
                    "drivers": _cap(drivers_text(v)), "box": box_words})
    return out


def _points(share: float, at_defaults: bool, rob: Any) -> str:
    turned = (1 - share) if at_defaults else share
    return f"{turned:.0%} of the {rob.manifest['points']:,} points"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


# --- the report's section -----------------------------------------------------------------------

def evaluation_verdicts(metrics: Mapping[str, Mapping[str, Any]], bound: float = 0.1) -> dict[str, bool]:
    """An evaluation's own verdicts (its ``metrics``: ``gain`` and ``fx``), as robust words them;
    the crisis verdict only where P(crisis) is known."""
    from ..analysis.flips import verdicts
    g = metrics["gain"]
    out = verdicts(float(g["investor_mean"]), float(g["host_mean"]))
    p = metrics.get("fx", {}).get("p_crisis")
    if p is not None and p == p:
        out["investor_crisis_below"] = bool(p < bound)
    return out


def report_section(rob: Any, *, parties: Mapping[str, tuple[str, str]] | None = None,
                   at: Mapping[str, Mapping[str, bool]] | None = None) -> dict[str, Any]:
    """What a page shows of a result: the design in words, the strip (:func:`strip_rows`), each
    pact's sentences (:func:`change_rows`, grouped by pact) and one table of them all (a
    DataFrame: pact, verdict, holds_share, at_defaults, here, what_would_change, drivers)."""
    import pandas as pd
    bound = float(rob.manifest.get("crisis_bound", 0.1))
    changes = change_rows(rob, parties)
    labels = [p["label"] for p in rob.manifest["pacts"]]
    grouped = [{"pact": lab, "rows": [{**c, "name": verdict_name(c["verdict"], bound),
                                       "share": holds_text(c["holds_share"])}
                                      for c in changes if c["pact"] == lab]} for lab in labels]
    here = {(c["pact"], row["verdict"]): c["holds"] for row in strip_rows(rob, at)
            for c in row["cells"]}
    frame = pd.DataFrame([{"pact": c["pact"], "verdict": c["verdict"],
                           "holds_share": c["holds_share"], "at_defaults": c["at_defaults"],
                           "here": here.get((c["pact"], c["verdict"])),
                           "what_would_change": c["sentence"], "drivers": c["drivers"]}
                          for c in changes])
    measure = next((d["measure"] for v in rob.verdicts for d in v.get("drivers") or []), None)
    return {"design": design_text(rob), "strip": strip_rows(rob, at), "changes": grouped,
            "frame": frame, "measure": {"abs_spearman": "|Spearman rank correlation| of the "
                                        "input with the verdict's margin",
                                        "sobol_total": "total Sobol index of the verdict's "
                                        "margin"}.get(measure or "", "")}
