"""Assumptions: every number the engine needs that is not a term of the pact.

Defaults ship in ``data/assumptions.toml`` and ``data/archetypes.csv``; a TOML file or
``key=value`` overrides replace any of them, and the result is validated like a term sheet.
"""
from __future__ import annotations

import datetime as dt
import difflib
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import numpy as np
from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..core.errors import PactError, from_validation_error
from . import data
from .terms import file_label, read_toml, set_path
from .terms.schema import Rate, Sector, Share, Terms, Years

Unit = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
Corr = Annotated[float, Field(ge=-1.0, le=1.0)]


class Sofr(Terms):
    start: Rate
    long_run: Rate
    speed: Unit
    vol: Annotated[float, Field(ge=0.0, le=0.1)]


class LogPrice(Terms):
    speed: Unit
    vol: Annotated[float, Field(ge=0.0, le=2.0)]


class Correlation(Terms):
    sofr_energy: Corr
    sofr_power: Corr
    energy_power: Corr

    def matrix(self) -> np.ndarray:
        """Correlation of (sofr, energy, power) shocks; must be positive semi-definite."""
        return np.array([
            [1.0, self.sofr_energy, self.sofr_power],
            [self.sofr_energy, 1.0, self.energy_power],
            [self.sofr_power, self.energy_power, 1.0],
        ])

    @model_validator(mode="after")
    def _valid_matrix(self) -> Correlation:
        if np.linalg.eigvalsh(self.matrix()).min() < -1e-12:
            raise ValueError("the three correlations do not form a valid correlation matrix")
        return self


class Markets(Terms):
    tax_rate: Share
    sofr: Sofr
    energy: LogPrice
    power: LogPrice
    correlation: Correlation


class Discount(Terms):
    investor: dict[str, Rate]
    host: Rate


class Risk(Terms):
    tail: Annotated[float, Field(gt=0.0, lt=0.5)]


class Fx(Terms):
    """The reserve model's behavioural assumptions (see engine/funding.py and engine/reserves.py):
    capital-flow shocks that reverse, central-bank swap lines in stress, valuation noise, the
    float floor and the crisis hazard's logit in reserve cover."""

    sudden_stop_prob: Share
    sudden_stop_size: Annotated[float, Field(ge=0.0, le=1.0)]      # mean share of short-term debt drained
    sudden_stop_sigma: Annotated[float, Field(ge=0.0, le=2.0)]
    sudden_stop_return: Share                # share of a stop's drain that flows back
    sudden_stop_return_next_year: Share      # of it, the share back the year after (the rest a year later)
    stress_swap_prob: Share                  # chance a central-bank swap line opens in a stop
    stress_swap_draw: Annotated[float, Field(ge=0.0, le=1000.0)]   # USD bn drawn on it
    valuation_sigma: Annotated[float, Field(ge=0.0, le=0.2)]       # share of reserves, a year
    float_floor: Annotated[float, Field(ge=0.0, le=1.0)]           # share of short-term debt
    crisis_logit_intercept: Annotated[float, Field(ge=-20.0, le=20.0)]
    crisis_logit_slope: Annotated[float, Field(ge=-50.0, le=0.0)]
    deferral_acceptance: Share
    swap_trigger: Annotated[float, Field(gt=0.0, le=5.0)]
    swap_repay_margin: Annotated[float, Field(ge=0.0, le=2.0)]
    components_growth: Annotated[float, Field(ge=-0.2, le=0.3)]
    horizon_years: Annotated[int, Field(ge=1, le=150)]


Range = tuple[float, float]


def as_date(value: Any) -> dt.date:
    """A calendar date from a date or its ISO text (``2025-11-14``); anything else (a number, a
    boolean, a date and time, other text) is a ValueError that says what is expected.

    Examples
    --------
    >>> as_date("2025-11-14")
    datetime.date(2025, 11, 14)
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    shown = str(value).lower() if isinstance(value, bool) else repr(value)
    raise ValueError(f"must be a date as YYYY-MM-DD (e.g. 2025-11-14), got {shown[:40]}")


class Trade(Terms):
    """Assumptions of the tariff model (see pactlab.model.tariffs): central values, and the ranges
    the Monte Carlo draws them from per path."""

    exporter_share: Annotated[float, Field(ge=0.0, lt=1.0)]
    exporter_share_range: Range
    exporter_share_autos: Annotated[float, Field(ge=0.0, lt=1.0)]
    exporter_share_autos_range: Range
    deal_withdrawal_prob: Share
    withdrawal_stops_calls: bool   # a withdrawn deal stops the stakes not yet launched
    nominal_growth: Annotated[float, Field(ge=-0.05, le=0.15)]   # of trade flows, a year
    pledge_delivery_prob: Share
    substitution_scale: Annotated[float, Field(gt=0.0, le=10.0)]
    substitution_scale_range: Range
    short_run_share: Annotated[float, Field(gt=0.0, le=1.0)]
    years_to_long_run: Annotated[int, Field(ge=1, le=50)]
    value_added_range: Range
    adjustment_years: Annotated[int, Field(ge=1, le=150)]
    as_of: dt.date                 # the tariffs known on this date (default: the data's own)
    no_deal_surcharge: Annotated[float, Field(ge=0.0, le=1.0)]   # over the no-deal rows' duty

    @field_validator("as_of", mode="before")
    @classmethod
    def _a_date(cls, value: Any) -> dt.date:
        return as_date(value)

    @model_validator(mode="after")
    def _ranges_in_order(self) -> Trade:
        for name, upper in (("exporter_share", 1.0), ("exporter_share_autos", 1.0),
                            ("substitution_scale", 10.0), ("value_added", 10.0)):
            low, high = getattr(self, f"{name}_range")
            if not 0.0 <= low <= high <= upper:
                raise ValueError(f"{name}_range: must run from low to high within 0 to "
                                 f"{upper:g}, got [{low:g}, {high:g}]")
        return self

    def span(self, name: str) -> tuple[float, float, float]:
        """(low, centre, high) of a ranged parameter; the range widens to take in its centre
        (a --set of the centre alone still draws around it)."""
        low, high = getattr(self, f"{name}_range")
        centre = 1.0 if name == "value_added" else getattr(self, name)
        return min(low, centre), centre, max(high, centre)


class Valuation(Terms):
    """How gains against the no-deal case are counted (see pactlab.model.gains)."""

    crisis_cost_gdp: Annotated[float, Field(ge=0.0, le=1.0)]
    host_strategic_value: Annotated[float, Field(ge=0.0, le=2.0)]
    host_priority_sectors: tuple[Sector, ...]
    farm_cost_share: Share
    host_energy_value: Share
    host_farm_value: Share
    visa_value_investor: Annotated[float, Field(ge=0.0, le=1.0)]
    visa_cost_host: Annotated[float, Field(ge=0.0, le=1.0)]
    # side issues are concave with caps (pactlab.model.gains.saturating): what can be delivered
    energy_cap: Annotated[float, Field(gt=0.0, le=1000.0)] = 40.0   # USD bn a year the US can sell
    farm_cap: Annotated[float, Field(gt=0.0, le=100.0)] = 5.0       # USD bn a year of farm sales
    farm_red_line: Annotated[float, Field(gt=0.0, le=100.0)] = 2.0  # USD bn a year: Korea's red line


class HostObjective(Terms):
    """What the host's gain counts (see pactlab.model.gains): ``stated`` — welfare plus
    Grossman & Helpman's weights on tariff revenue and protected output, a swap line's precedent
    and the host's political costs; ``welfare`` — those weights at 0."""

    view: Literal["stated", "welfare"] = "stated"
    revenue_weight: Annotated[float, Field(ge=0.0, le=5.0)] = 0.5
    protected_weight: Annotated[float, Field(ge=0.0, le=5.0)] = 0.5
    protected_share: Share = 0.3
    swap_loss_given_default: Share = 0.05
    swap_precedent_cost: Annotated[float, Field(ge=0.0, le=500.0)] = 10.0


class Negotiation(Terms):
    """How each side weighs risk when it bargains (see pactlab.analysis.negotiate.utility)."""

    investor_risk_aversion: Annotated[float, Field(ge=0.0, le=10.0)]
    host_risk_aversion: Annotated[float, Field(ge=0.0, le=10.0)]
    investor_max_crisis_prob: Share
    # each side's political cost of a concession, and its perceived cost of no deal beyond the
    # modelled one (USD bn PV; a term of its gain, pactlab.model.gains)
    investor_political_cost: Annotated[float, Field(ge=0.0, le=5.0)] = 0.1
    host_political_cost: Annotated[float, Field(ge=0.0, le=1.0)] = 0.01
    investor_no_deal_cost: Annotated[float, Field(ge=0.0, le=1000.0)] = 0.0
    host_no_deal_cost: Annotated[float, Field(ge=0.0, le=1000.0)] = 0.0
    # what the host's disagreement point gains once a rival signs (the precedent for terms it
    # can point to; USD bn PV; pactlab.analysis.negotiate.talks)
    rival_precedent: Annotated[float, Field(ge=0.0, le=200.0)] = 10.0


class Macro(Terms):
    """One investor country's macro-financial position (USD bn unless stated)."""

    reserves: Annotated[float, Field(gt=0.0)]
    gdp: Annotated[float, Field(gt=0.0)]
    goods_exports: Annotated[float, Field(ge=0.0)]
    goods_imports: Annotated[float, Field(gt=0.0)]
    services_exports: Annotated[float, Field(ge=0.0)]
    broad_money: Annotated[float, Field(ge=0.0)]
    short_term_debt: Annotated[float, Field(ge=0.0)]
    other_liabilities: Annotated[float, Field(ge=0.0)]
    net_external_assets: float
    reserve_yield: Annotated[float, Field(ge=-0.05, le=0.2)]
    ara_regime: Literal["floating", "fixed"]
    ara_calibration: Annotated[float, Field(gt=0.0, le=5.0)]
    ara_applicable: bool
    # the reserve model (engine/funding.py); the defaults leave reserves growing at their yield
    non_pact_flow: Annotated[float, Field(ge=-0.2, le=0.2)] = 0.0   # share of GDP a year, beyond income
    flow_sigma: Annotated[float, Field(ge=0.0, le=0.2)] = 0.0       # its yearly std dev, share of GDP
    flow_persistence: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0  # AR(1) coefficient of its deviations
    std_growth: Annotated[float, Field(ge=-0.2, le=0.3)] = 0.0      # short-term debt, a year
    std_residual_factor: Annotated[float, Field(ge=1.0, le=3.0)] = 1.0   # remaining / original maturity


#: the reserve model's Macro inputs with a default: the source a country's value has where no
#: data/macro.csv row sets it (the countries outside the emerging-market metric)
_RESERVE_MODEL_DEFAULT = ("pactlab default where the emerging-market reserve model does not apply "
                          "(no sudden stops or noise; reserves grow at their yield)")


def _macro_default_source(field: str, value: Any) -> str | None:
    """The source of a Macro field left at its default, or None if it is not one of those."""
    info = Macro.model_fields.get(field)
    if info is None or info.is_required() or value != info.default:
        return None
    return _RESERVE_MODEL_DEFAULT


class Archetype(Terms):
    """A kind of project: timing, cost risk, cash yield and its link to market factors."""

    sector: Sector
    build_years: Years
    life_years: Years
    cash_yield: Annotated[float, Field(gt=0.0, le=1.0)]
    overrun_mean: Annotated[float, Field(ge=0.0, le=5.0)]
    overrun_sigma: Annotated[float, Field(ge=0.0, le=3.0)]
    delay_prob: Share
    delay_max_years: Annotated[int, Field(ge=0, le=20)]
    failure_prob: Share
    market_factor: Literal["energy", "power", "none"]
    market_beta: Annotated[float, Field(ge=0.0, le=3.0)]
    idio_sigma: Annotated[float, Field(ge=0.0, le=3.0)]
    host_priority: Share
    source: str = ""
    confidence: str = "assumption"


class Assumptions(Terms):
    horizon_years: Annotated[int, Field(ge=5, le=150)]
    discount: Discount
    markets: Markets
    risk: Risk
    fx: Fx
    trade: Trade
    valuation: Valuation
    negotiation: Negotiation
    host_objective: HostObjective = Field(default_factory=HostObjective)
    macro: dict[str, Macro] = Field(min_length=1)
    archetypes: dict[str, Archetype] = Field(min_length=1)

    def country(self, code: str) -> Macro:
        try:
            return self.macro[code]
        except KeyError:
            raise PactError(
                f"assumptions: macro.{code}: no macro data for investor {code}; add a [macro.{code}] "
                f"table with reserves, gdp, … to an --assumptions file") from None

    def investor_rate(self, code: str) -> float:
        try:
            return self.discount.investor[code]
        except KeyError:
            raise PactError(
                f"assumptions: discount.investor.{code}: no cost of funds for investor {code}; "
                f"add it with --set discount.investor.{code}=0.045") from None

    # where these values came from (not assumptions themselves): a file, then --set changes
    _source: str | None = PrivateAttr(default=None)
    _overrides: tuple[tuple[str, Any], ...] = PrivateAttr(default=())

    @property
    def source(self) -> str | None:
        """The --assumptions file read over the defaults, if any."""
        return self._source

    @property
    def overrides(self) -> dict[str, Any]:
        """The dotted changes made by :meth:`with_values` (``--set``), in order."""
        return dict(self._overrides)

    def with_values(self, changes: Mapping[str, Any], *, source: str = "--set") -> Assumptions:
        """A copy with dotted-path changes, re-validated, that remembers them."""
        raw = self.model_dump()
        known = {row["key"] for row in self.catalogue()}
        for key, value in changes.items():
            if key not in known and not any(key.startswith(k + ".") for k in ("macro", "archetypes")):
                near = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.6)
                hint = f"; did you mean {' or '.join(near)}?" if near else "; see `pactlab assumptions`"
                raise PactError(f"{source}: {key}: no such assumption{hint}")
            set_path(raw, key, value, source=source)
        out = _validate(raw, source)
        out._source = self._source
        out._overrides = tuple({**self.overrides, **changes}.items())
        return out

    def catalogue(self) -> list[dict[str, Any]]:
        """Every key `--set` takes, project-type fields (``archetypes.<name>.<field>``) included:
        its value, unit, allowed range, source and confidence."""
        rows = []
        for row in self.provenance():
            rows.append({**row, **_unit_and_range(row["key"], row["value"])})
        return rows

    def provenance(self) -> list[dict[str, Any]]:
        """Every assumption with its value, source and confidence, for reports and --json."""
        rows = []
        sources = data.provenance()
        for key, value in _leaves(self.model_dump(exclude={"archetypes", "macro"})):
            meta = sources.get(key, {"source": "user override", "confidence": "assumption"})
            rows.append({"key": key, "value": value, **meta})
        table = data.macro()
        for code, macro in self.macro.items():
            for field, value in macro.model_dump().items():
                row = table.loc[(code, field)] if (code, field) in table.index else None
                fallback = _macro_default_source(field, value) or "user override"
                rows.append({
                    "key": f"macro.{code}.{field}", "value": value,
                    "source": fallback if row is None else f"{row['source']} ({row['period']})",
                    "confidence": "assumption" if row is None else _confidence(row["confidence"])})
        for name, arch in self.archetypes.items():
            rows.extend(_archetype_rows(name, arch))
        return rows


#: an archetype's fields that describe it rather than set it (not --set keys)
ARCHETYPE_NOTES = frozenset({"source", "confidence"})
_ARCHETYPE_UNITS = {
    "sector": "sector", "market_factor": "energy, power or none",
    "cash_yield": "fraction of capex a year", "overrun_mean": "fraction of capex",
    "overrun_sigma": "lognormal sigma", "idio_sigma": "lognormal sigma",
    "delay_prob": "probability", "failure_prob": "probability", "market_beta": "number",
    "host_priority": "weight (0 to 1)",
}


@cache
def _archetype_sources() -> dict[tuple[str, str], dict[str, str]]:
    """(archetype or "*", field) -> {'source', 'confidence'} from data/archetype_sources.csv."""
    table = data.read_csv("archetype_sources.csv")
    return {(r.archetype, r.field): {"source": r.source, "confidence": _confidence(r.confidence)}
            for r in table.itertuples()}


def _archetype_rows(name: str, arch: Archetype) -> list[dict[str, Any]]:
    """One provenance row per field of a project type: its own source, else the field's
    general one ("*"), else the row's (a user's archetype: its own ``source``)."""
    sources = _archetype_sources()
    shipped = name in _shipped_archetypes()
    fallback = {"source": arch.source or "user override",
                "confidence": arch.confidence if arch.source else "assumption"}
    rows = []
    for field, value in arch.model_dump(exclude=set(ARCHETYPE_NOTES)).items():
        meta = sources.get((name, field)) or (sources.get(("*", field)) if shipped else None)
        rows.append({"key": f"archetypes.{name}.{field}", "value": value, **(meta or fallback)})
    return rows


@cache
def _shipped_archetypes() -> frozenset[str]:
    """The project types data/archetypes.csv ships."""
    return frozenset(data.read_csv("archetypes.csv")["archetype"])


def _field(key: str):
    """The pydantic field of a dotted assumption key (None where the key is in a dict)."""
    model: Any = Assumptions
    info = None
    for part in key.split("."):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return info if part and fields is None else None
        info = fields[part]
        model = info.annotation
    return info


def _unit_and_range(key: str, value: Any) -> dict[str, str]:
    """A key's unit, read from its name and type, and the bounds its validation allows."""
    if key.startswith("archetypes."):
        return _archetype_unit_and_range(key.rsplit(".", 1)[-1])
    info = _field(key) if not key.startswith("macro.") else None
    bounds = {}
    for meta in getattr(info, "metadata", []) if info is not None else []:
        for name in ("ge", "gt", "le", "lt"):
            if getattr(meta, name, None) is not None:
                bounds[name] = getattr(meta, name)
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    if isinstance(value, bool):
        unit = "true/false"
    elif isinstance(value, dt.date):
        unit = "date"
    elif key.endswith("_years") or key.endswith("years_to_long_run"):
        unit = "years"
    elif key.startswith("discount.") or (key.startswith("macro.") and key.endswith("reserve_yield")):
        unit = "fraction a year"
    elif key.startswith("macro.") or key.endswith("visa_value_investor") or key.endswith("visa_cost_host"):
        unit = "USD bn" + (" per 1,000 visas a year" if "visa" in key else "")
    elif key.endswith("_range"):
        unit = "[low, high]"
    elif isinstance(value, (int, float)) and high is not None and high <= 1.0:
        unit = "fraction"
    else:
        unit = "number"
    span = "" if low is None and high is None else f"{'' if low is None else low} to {'' if high is None else high}"
    return {"unit": unit, "range": span}


def _archetype_unit_and_range(field: str) -> dict[str, str]:
    """A project-type field's unit and the bounds (or choices) its validation allows."""
    info = Archetype.model_fields[field]
    if get_origin(info.annotation) is Literal:
        return {"unit": _ARCHETYPE_UNITS.get(field, "choice"),
                "range": ", ".join(map(str, get_args(info.annotation)))}
    bounds = {name: getattr(meta, name) for meta in info.metadata
              for name in ("ge", "gt", "le", "lt") if getattr(meta, name, None) is not None}
    low, high = bounds.get("ge", bounds.get("gt")), bounds.get("le", bounds.get("lt"))
    unit = "years" if field.endswith("_years") else _ARCHETYPE_UNITS.get(field, "number")
    span = "" if low is None and high is None else f"{'' if low is None else low} to {'' if high is None else high}"
    return {"unit": unit, "range": span}


def _confidence(flag: str) -> str:
    """The research's flags, mapped to pactlab's three levels (uncertain counts as assumed)."""
    return {"high": "high", "medium": "medium"}.get(str(flag), "assumption")


def _leaves(tree: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _leaves(value, path + ".")
        else:
            yield path, value


def _validate(raw: Any, source: str) -> Assumptions:
    try:
        return Assumptions.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, source) from None


def default_raw() -> dict[str, Any]:
    raw = data.load_toml("assumptions.toml")
    table = data.read_csv("archetypes.csv").set_index("archetype")
    raw["archetypes"] = {name: row.to_dict() for name, row in table.iterrows()}
    macro: dict[str, dict[str, Any]] = {}
    for (code, field), row in data.macro().iterrows():
        value = row["value"]
        if field == "ara_calibration" and value == "computed":
            value = data.ara_calibration(code)
        macro.setdefault(code, {})[field] = value
    raw["macro"] = macro
    return raw


#: how deep lists and tables may nest in a --set or --term value (real values: 0 to 2 levels)
MAX_VALUE_DEPTH = 32
_EXAMPLES = {"--set": "discount.host=0.04", "--term": "schedule.annual_cap=30"}


def parse_value(text: str, label: str = "value") -> Any:
    """A --set value as TOML (numbers, booleans, lists, inf) or else plain text. A value nested
    more than MAX_VALUE_DEPTH levels is a one-line PactError naming `label`: deeper ones overflow
    the parser's (and the validators') recursion."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        value = None
    if value is None or _depth(value) > MAX_VALUE_DEPTH:
        raise PactError(f"{label}: nested too deeply (lists or tables more than "
                        f"{MAX_VALUE_DEPTH} levels deep)")
    return value


def _depth(value: Any) -> int:
    """How many levels of lists and tables `value` has (without recursing)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (list, dict)):
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children)
            deepest = max(deepest, level + 1)
    return deepest


def parse_settings(items: Iterable[str], flag: str = "--set") -> dict[str, Any]:
    """['a.b=1', …] -> {'a.b': 1, …}; a malformed item is a one-line PactError naming `flag`."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise PactError(f"{flag} {_shown(item)!r}: expected key=value, e.g. "
                            f"{_EXAMPLES.get(flag, _EXAMPLES['--set'])}")
        out[key.strip()] = parse_value(value.strip(), f"{flag} {_shown(key.strip())}")
    return out


def _shown(text: str, limit: int = 60) -> str:
    """Text echoed in an error, cut short: a message is one readable line."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def load_assumptions(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None, *,
    overrides_source: str = "--set",
) -> Assumptions:
    """The default assumptions, updated from a TOML file and then from dotted overrides (whose
    errors name `overrides_source`, e.g. a web request's field)."""
    raw = default_raw()
    source = "defaults"
    if path is not None:
        path = Path(path)
        source = file_label(path)
        _merge(raw, read_toml(path, source), source)
    assumptions = _validate(raw, source)
    if path is not None:
        assumptions._source = str(path)
    return assumptions.with_values(overrides, source=overrides_source) if overrides else assumptions


def _merge(base: dict[str, Any], update: Mapping[str, Any], source: str, prefix: str = "") -> None:
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value, source, f"{prefix}{key}.")
        else:
            base[key] = value
