"""Every term of a pact as a field people can read and edit: its ``--term`` key, section,
human label, unit, value, whether it is assumed, and what the schema allows (kind, bounds,
choices). The report's terms table and the web page's form are both built from this, so a term
added to the schema shows up in both without another list to keep.
"""
from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .schema import Pact

#: section key -> heading, in the order a term sheet reads
SECTIONS = {
    "parties": "Parties", "tranches": "What the investor puts in", "waterfall": "Who gets the cash",
    "schedule": "Schedule", "governance": "Project selection", "fx": "FX safeguards",
    "funding": "How the investor pays", "tariffs": "Tariffs", "concessions": "Side concessions",
    "upside": "Host's share of the upside", "pledge": "Private pledge (no public money)",
}

#: term key (indices as [*]) -> (label, unit); units: usd_bn, usd_bn_year, share, rate, years,
#: date, ratio, thousands_year, hurdle (a rate or "deemed"), text
LABELS: dict[str, tuple[str, str]] = {
    "parties.investor": ("investor", "text"),
    "parties.investor_code": ("investor (ISO code)", "text"),
    "parties.host": ("host", "text"),
    "tranches[*].name": ("tranche", "text"),
    "tranches[*].instrument": ("instrument", "text"),
    "tranches[*].amount": ("amount", "usd_bn"),
    "tranches[*].sectors": ("restricted to sectors", "text"),
    "tranches[*].coupon": ("loan coupon", "rate"),
    "tranches[*].tenor": ("tenor", "years"),
    "tranches[*].amortisation": ("amortisation", "text"),
    "tranches[*].fee": ("guarantee fee", "rate"),
    "tranches[*].recovery_rate": ("recovery if a project fails", "share"),
    "waterfall.benchmark": ("benchmark rate", "text"),
    "waterfall.spread": ("spread over the benchmark (deemed rate)", "rate"),
    "waterfall.daa_convention": ("deemed allocation amount convention", "text"),
    "waterfall.tiers[*].investor_share": ("investor's share", "share"),
    "waterfall.tiers[*].hurdle": ("until the investor's return reaches", "hurdle"),
    "waterfall.review.after_year": ("if the investor has not recouped after", "years"),
    "waterfall.review.investor_share": ("its tier-1 share becomes", "share"),
    "schedule.start": ("start", "date"),
    "schedule.selection_deadline": ("projects selected by", "date"),
    "schedule.funding_deadline": ("no cash called after", "date"),
    "schedule.annual_cap": ("annual cap on cash calls", "usd_bn_year"),
    "schedule.call_timing": ("cash called", "text"),
    "governance.selection": ("who selects projects", "text"),
    "governance.allowed_sectors": ("eligible sectors", "text"),
    "governance.refusal_tariff": ("tariff if the investor refuses to fund", "rate"),
    "fx.swap_line": ("currency swap line", "usd_bn"),
    "fx.instability_threshold": ("calls deferred below this ARA ratio", "ratio"),
    "fx.max_deferral_years": ("longest deferral", "years"),
    "funding.bonds": ("share funded by bonds issued abroad", "share"),
    "funding.fdi": ("share funded by corporate FDI", "share"),
    "tariffs.deal.general": ("general tariff (lines not listed)", "rate"),
    "tariffs.no_deal.general": ("general tariff (lines not listed)", "rate"),
    "concessions.energy_purchases_per_year": ("energy purchases", "usd_bn_year"),
    "concessions.energy_purchase_years": ("energy purchases for", "years"),
    "concessions.energy_price_premium": ("premium over the market price", "share"),
    "concessions.farm_access_per_year": ("farm-market access (extra US sales)", "usd_bn_year"),
    "concessions.work_visas_per_year": ("work visas", "thousands_year"),
    "upside.share": ("host's share of receipts above the threshold", "share"),
    "upside.threshold": ("threshold (investor's cumulative receipts)", "usd_bn"),
    "pledge.amount": ("investment promised by the investor's firms", "usd_bn"),
    "pledge.by": ("to be delivered by", "date"),
}
_TARIFF_LINE = re.compile(r"^tariffs\.(deal|no_deal)\.sectors\.(\w+)$")


@dataclass(frozen=True)
class TermField:
    key: str                      # the --term key, e.g. "tranches[0].amount"
    section: str                  # heading from SECTIONS
    group: str                    # rows that belong together, e.g. "tranche 1: mou-spv-cash"
    label: str
    unit: str
    value: object
    assumed: bool
    kind: str                     # number, integer, choice, choices, date, text
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()

    def text(self) -> str:
        """The value as people read it, with its unit."""
        return format_term(self.value, self.unit)


def format_term(value: object, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v).replace("_", " ") for v in value)
    if value == "deemed":
        return "the deemed rate (benchmark + spread)"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value).replace("_", " ") if unit == "text" else str(value)
    if value == float("inf"):
        return "unlimited"
    return {"usd_bn": f"${value:,.4g}B", "usd_bn_year": f"${value:,.4g}B a year",
            "share": f"{100 * value:.4g}%", "rate": f"{100 * value:.4g}%", "hurdle": f"{100 * value:.4g}%", "years": f"{value:g} years",
            "ratio": f"{value:.4g} × the IMF metric", "thousands_year": f"{value:,.4g} thousand a year",
            }.get(unit, f"{value:g}")


def term_fields(pact: Pact) -> list[TermField]:
    """Every term the pact sets, in term-sheet order, with label, unit and the schema's rules."""
    out: list[TermField] = []
    for name, info in Pact.model_fields.items():
        if name in SECTIONS and getattr(pact, name) is not None:
            _walk(getattr(pact, name), info, name, name, out, pact)
    return out


def _walk(value: object, info: FieldInfo | None, key: str, section: str, out: list[TermField],
          pact: Pact, annotation: object = None) -> None:
    annotation = annotation if annotation is not None else (info.annotation if info else None)
    if isinstance(value, BaseModel):
        for name, sub in type(value).model_fields.items():
            v = getattr(value, name)
            if v is not None:
                _walk(v, sub, f"{key}.{name}", section, out, pact)
        return
    if isinstance(value, tuple) and not value:
        return    # an empty list (a pact with no tranches): no term to show or edit
    if isinstance(value, tuple) and isinstance(value[0], BaseModel):
        for i, item in enumerate(value):
            _walk(item, None, f"{key}[{i}]", section, out, pact)
        return
    if isinstance(value, dict):
        item_type = typing.get_args(_strip_optional(annotation))[1]
        for name, v in value.items():
            _walk(v, None, f"{key}.{name}", section, out, pact, annotation=item_type)
        return
    out.append(_field(key, section, value, annotation, info, pact))


def _field(key: str, section: str, value: object, annotation: object, info: FieldInfo | None,
           pact: Pact) -> TermField:
    pattern = re.sub(r"\[\d+\]", "[*]", key)
    line = _TARIFF_LINE.match(key)
    if line:
        label, unit = f"tariff on {line[2].replace('_', ' ')}", "rate"
    else:
        label, unit = LABELS.get(pattern, (key.rsplit(".", 1)[-1].replace("_", " "), "text"))
    kind, low, high, exclusive, choices = _rules(annotation, info, value)
    return TermField(key=key, section=SECTIONS[section], group=_group(key, pact), label=label,
                     unit=unit, value=value, assumed=key in pact.assumed, kind=kind, minimum=low,
                     maximum=high, exclusive_minimum=exclusive, choices=choices)


def _group(key: str, pact: Pact) -> str:
    m = re.match(r"^tranches\[(\d+)\]", key)
    if m:
        t = pact.tranches[int(m[1])]
        return f"tranche {int(m[1]) + 1}: {t.name}"
    m = re.match(r"^waterfall\.tiers\[(\d+)\]", key)
    if m:
        return f"tier {int(m[1]) + 1}"
    if key.startswith("waterfall.review"):
        return "review clause"
    if key.startswith("tariffs."):
        return "with the deal" if key.startswith("tariffs.deal") else "without a deal"
    return ""


def _strip_optional(annotation: object) -> object:
    """X | None -> X (and Annotated[X, ...] kept as it is)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _rules(annotation: object, info: FieldInfo | None, value: object):
    """(kind, minimum, maximum, exclusive minimum?, choices) from the field's type and bounds."""
    metadata = list(info.metadata) if info is not None else []
    annotation = _strip_optional(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        for item in extra:
            metadata.extend(getattr(item, "metadata", [item]))
        annotation = base
    low = high = None
    exclusive = False
    for m in metadata:
        if getattr(m, "ge", None) is not None:
            low = m.ge
        if getattr(m, "gt", None) is not None:
            low, exclusive = m.gt, True
        if getattr(m, "le", None) is not None:
            high = m.le
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "choice", None, None, False, tuple(map(str, typing.get_args(annotation)))
    if origin is tuple:
        inner = _strip_optional(typing.get_args(annotation)[0])
        if typing.get_origin(inner) is typing.Literal:
            return "choices", None, None, False, tuple(map(str, typing.get_args(inner)))
        return "text", None, None, False, ()
    if isinstance(value, dt.date):
        return "date", None, None, False, ()
    if isinstance(value, bool):
        return "text", None, None, False, ()
    if isinstance(value, int) and annotation is int:
        return "integer", low, high, exclusive, ()
    if isinstance(value, (int, float)):
        return "number", low, high, exclusive, ()
    return "text", None, None, False, ()
