"""The verdict strip: what an evaluation adds up to, in one or two sentences and three numbers a
newcomer feels (each side's gain in USD bn and as a share of its GDP, how likely each ends
behind, the crisis risk beside its no-pact value), with how robust it is where that was
computed. The same dict feeds the workbench, ``compare`` and the report."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..analysis.headline import BASELINES, row_label
from ..analysis.valuation import Evaluation
from ..core.units import format_value
from ..inputs import data
from ..model.metrics import METRICS

__all__ = ["VERDICTS", "baseline_labels", "verdict", "with_baseline"]

#: the verdict's key -> what it says
VERDICTS = {"both_gain": "both sides come out ahead of no deal, on average",
            "investor_behind": "the investor comes out behind no deal, the host ahead",
            "host_behind": "the host comes out behind no deal, the investor ahead",
            "both_behind": "both sides come out behind no deal, on average"}


def _money(value: float, gdp: float) -> str:
    """'+$24.5B (1.3% of GDP)'."""
    text = format_value(value, "usd_bn")
    text = text if text.startswith("-") else "+" + text
    return text if not math.isfinite(gdp) or gdp <= 0 else f"{text} ({value / gdp:.1%} of GDP)"


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def with_baseline(value: float | None, baseline: float | None, unit: str = "share") -> str:
    """A risk beside its no-pact value: '4.7% (no pact: 1.5%)' (the value alone without one)."""
    if not (_finite(value) and _finite(baseline)):
        return format_value(value, unit)
    return f"{format_value(value, unit)} (no pact: {format_value(baseline, unit)})"


#: parties' names as a sentence reads them
_NAMES = {"United States": "the United States", "European Union": "the European Union"}


def _name(party: str) -> str:
    return _NAMES.get(party, party)


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def baseline_labels() -> dict[str, tuple[str, str]]:
    """A comparison row's label -> the (group, key) of its no-pact value, for the risk rows."""
    by_key = {f"{g}.{m.key}": row_label(g, m) for g, defs in METRICS.items() for m in defs}
    out = {}
    for risk, base in BASELINES.items():
        group, key = base.split(".", 1)
        out[by_key[risk]] = (group, key)
    return out


def verdict(ev: Evaluation, holds: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The strip for one evaluation.

    Parameters
    ----------
    ev : Evaluation
    holds : mapping of verdict name to share, optional
        From the robust-verdicts design (``investor_gain_positive``, ``host_gain_positive``,
        ``individually_rational``, ``investor_crisis_below``): the share of the plausible range
        where each holds.

    Returns
    -------
    dict
        ``key`` (one of :data:`VERDICTS`), ``sentence``, ``numbers`` (label, value, text and,
        for the risk, ``baseline``), ``robust`` (the shares or None), ``as_of``.
    """
    g, fx, pact = ev.metrics["gain"], ev.metrics["fx"], ev.pact
    investor, host = _name(pact.parties.investor), _name(pact.parties.host)
    gdp_i = ev.assumptions.country(pact.parties.investor_code).gdp
    gdp_h = data.host_gdp()
    ahead_i, ahead_h = g["investor_mean"] >= 0, g["host_mean"] >= 0
    key = {(True, True): "both_gain", (False, True): "investor_behind",
           (True, False): "host_behind", (False, False): "both_behind"}[(ahead_i, ahead_h)]
    crisis, crisis0 = fx["p_crisis"], fx["p_crisis_no_pact"]
    sentence = (f"{_sentence_start(investor)} comes out {'ahead' if ahead_i else 'behind'} by "
                f"{_money(abs(g['investor_mean']), gdp_i).lstrip('+')} on average and ends "
                f"behind in {g['investor_p_loss']:.0%} of futures; {host} "
                f"{'gains' if ahead_h else 'loses'} {_money(abs(g['host_mean']), gdp_h).lstrip('+')}"
                f" and ends behind in {g['host_p_loss']:.0%}.")
    if _finite(crisis):
        sentence += f" The risk of a reserve crisis is {with_baseline(crisis, crisis0)}."
    if holds:
        sentence += " " + _robust_sentence(investor, host, holds)
    numbers = [
        {"key": "investor_gain", "label": f"{_possessive(investor)} gain", "value": g["investor_mean"],
         "text": _money(g["investor_mean"], gdp_i), "p_behind": g["investor_p_loss"]},
        {"key": "host_gain", "label": f"{_possessive(host)} gain", "value": g["host_mean"],
         "text": _money(g["host_mean"], gdp_h), "p_behind": g["host_p_loss"]},
        {"key": "p_crisis", "label": "chance of a reserve crisis", "value": crisis,
         "baseline": crisis0, "text": with_baseline(crisis, crisis0)},
    ]
    return {"key": key, "sentence": sentence, "numbers": numbers,
            "robust": dict(holds) if holds else None, "as_of": str(ev.assumptions.trade.as_of)}


def _robust_sentence(investor: str, host: str, holds: Mapping[str, float]) -> str:
    """'Korea ahead holds in 47% of the plausible range; the US ahead in 91%; …'."""
    words = {"investor_gain_positive": f"{investor} ahead", "host_gain_positive": f"{host} ahead",
             "individually_rational": "both ahead",
             "investor_crisis_below": "the crisis risk under its bound"}
    parts = [f"{words[k]} in {v:.0%}" for k, v in holds.items() if k in words]
    return ("Across the plausible range of the assumptions: " + "; ".join(parts) + "."
            if parts else "")
