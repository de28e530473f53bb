"""Term-sheet schema: what an investment-for-tariff pact says, validated and frozen.

Money is in USD billions, rates and shares are fractions, dates are calendar dates.
A :class:`Pact` is immutable; :meth:`Pact.with_terms` returns a re-validated copy.
"""
from __future__ import annotations

import datetime as dt
import math
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from ...core.errors import PactError, from_validation_error, split_loc

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
#: USD bn; the bound catches a sum typed in dollars or millions (10,000 = $10 trillion)
MAX_MONEY = 10_000.0
Money = Annotated[float, Field(gt=0.0, le=MAX_MONEY, allow_inf_nan=False)]
Years = Annotated[int, Field(ge=1, le=100)]

#: Project sectors a pact can name (a project archetype belongs to one of them).
Sector = Literal[
    "energy", "infrastructure", "shipbuilding", "semiconductors",
    "critical_minerals", "manufacturing", "pharmaceuticals", "ai_quantum",
]
#: Tariff lines that can carry a rate of their own (anything else takes `general`).
TariffSector = Literal[
    "cars", "auto_parts", "steel", "aluminium", "pharmaceuticals", "semiconductors", "lumber",
    "aircraft",
]
SelectionRule = Literal["host_directed", "commercially_reasonable", "investor_directed"]
TRANCHE_TAGS = frozenset({"mou", "loan", "guarantee"})


class Terms(BaseModel):
    """Base of every term-sheet section (and of the assumptions): frozen, unknown keys are
    errors, and a boolean is never taken for a number (pydantic's lax mode reads true as 1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for name, value in data.items():
                info = cls.model_fields.get(name) if isinstance(name, str) else None
                found = None if info is None else bool_for_number(info.annotation, value)
                if found is not None:
                    where, flag = found
                    raise ValueError(f"{name}{where}: must be a number, got {str(bool(flag)).lower()}")
        return data


_BOOLS = (bool, np.bool_)
_NUMBERS = (int, float)


def _bare(annotation: Any) -> Any:
    """Annotated[X, ...] -> X."""
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is Annotated else annotation


def bool_for_number(annotation: Any, value: Any) -> tuple[str, Any] | None:
    """A boolean in `value` where `annotation` wants a number, as (where, the boolean): where is
    '' for the value itself, '.key' or '[i]' (and deeper) inside a dict or a list; None when
    there is none. Nested models are left to check themselves (they are Terms too)."""
    annotation = _bare(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(value, _BOOLS):
        arms = ([_bare(a) for a in typing.get_args(annotation)]
                if origin in (typing.Union, types.UnionType) else [annotation])
        return ("", value) if bool not in arms and any(a in _NUMBERS for a in arms) else None
    if origin in (typing.Union, types.UnionType):
        found = (bool_for_number(a, value) for a in typing.get_args(annotation))
        return next((f for f in found if f is not None), None)
    if origin is dict and isinstance(value, Mapping):
        inner = typing.get_args(annotation)[1]
        for k, v in value.items():
            f = bool_for_number(inner, v)
            if f is not None:
                return f".{k}{f[0]}", f[1]
        return None
    if origin in (tuple, list) and isinstance(value, (list, tuple)):
        args = typing.get_args(annotation)
        repeat = origin is list or (len(args) == 2 and args[1] is Ellipsis)
        for i, item in enumerate(value):
            inner = args[0] if repeat else (args[i] if i < len(args) else None)
            f = None if inner is None else bool_for_number(inner, item)
            if f is not None:
                return f"[{i}]{f[0]}", f[1]
    return None


class Parties(Terms):
    investor: str = Field(min_length=1)
    investor_code: str = Field(pattern=r"^([A-Z]{3}|EU27)$",
                               description="ISO 3166 alpha-3, e.g. KOR; EU27 for the European Union")
    host: str = Field(min_length=1)


class _TrancheBase(Terms):
    name: str = Field(min_length=1)
    amount: Money
    sectors: tuple[Sector, ...] | None = Field(
        default=None, description="restrict this tranche's projects to these sectors")


class MouTranche(_TrancheBase):
    """Equity-like cash into project SPVs, paid back only through the waterfall."""

    instrument: Literal["mou"]


class LoanTranche(_TrancheBase):
    """Policy-bank loans to selected projects; a failed project defaults with a recovery."""

    instrument: Literal["loan"]
    coupon: Rate
    tenor: Years
    amortisation: Literal["annuity", "linear", "bullet"] = "annuity"
    recovery_rate: Share = 0.4


class GuaranteeTranche(_TrancheBase):
    """Credit guarantees: fee income, and payouts when a guaranteed project fails."""

    instrument: Literal["guarantee"]
    fee: Rate
    tenor: Years
    recovery_rate: Share = 0.4


Tranche = Annotated[
    MouTranche | LoanTranche | GuaranteeTranche, Field(discriminator="instrument")
]


class WaterfallTier(Terms):
    """One tier of the waterfall; `hurdle` is a rate, "deemed" (benchmark + spread) or none."""

    investor_share: Share
    hurdle: Annotated[float, Field(ge=0.0, le=1.0)] | Literal["deemed"] | None = None


class ReviewClause(Terms):
    """If the investor has not recouped by `after_year`, its tier-1 share becomes `investor_share`."""

    after_year: Years
    investor_share: Share


class Waterfall(Terms):
    benchmark: Literal["sofr_6m"] = "sofr_6m"
    spread: Annotated[float, Field(ge=0.0, le=0.2)] = 0.0
    daa_convention: Literal["compounding", "scheduled"] = "compounding"
    tiers: tuple[WaterfallTier, ...] = Field(min_length=1)
    review: ReviewClause | None = None

    @model_validator(mode="after")
    def _tiers_in_order(self) -> Waterfall:
        *upper, last = self.tiers
        if last.hurdle is not None:
            raise ValueError(f"tiers[{len(self.tiers) - 1}].hurdle: the last tier takes no hurdle")
        previous = -math.inf
        for k, tier in enumerate(upper):
            if tier.hurdle is None:
                raise ValueError(f"tiers[{k}].hurdle: every tier but the last needs a hurdle")
            if tier.hurdle == "deemed":
                if k != 0:
                    raise ValueError(f"tiers[{k}].hurdle: only the first tier can use the deemed rate")
                continue
            if tier.hurdle <= previous:
                raise ValueError(f"tiers[{k}].hurdle: hurdles must ascend, got {tier.hurdle}")
            previous = tier.hurdle
        if self.daa_convention == "scheduled" and self.tiers[0].hurdle != "deemed":
            raise ValueError("daa_convention: 'scheduled' needs tiers[0].hurdle = \"deemed\"")
        return self


class Schedule(Terms):
    start: dt.date
    selection_deadline: dt.date
    annual_cap: Money | None = Field(default=None, description="max cash calls per calendar year")
    funding_deadline: dt.date | None = Field(
        default=None, description="no cash is called after this date; what is left is a shortfall")
    call_timing: Literal["as_built", "at_selection"] = "as_built"

    @model_validator(mode="after")
    def _deadline_after_start(self) -> Schedule:
        if self.selection_deadline <= self.start:
            raise ValueError(
                f"selection_deadline: must be after start ({self.start}), got {self.selection_deadline}")
        return self

    @model_validator(mode="after")
    def _funding_after_start(self) -> Schedule:
        if self.funding_deadline is not None and self.funding_deadline <= self.start:
            raise ValueError(
                f"funding_deadline: must be after start ({self.start}), got {self.funding_deadline}")
        return self

    @property
    def base_year(self) -> int:
        return self.start.year

    @property
    def last_call_year(self) -> int | None:
        """Years after the base year of the last year in which cash may be called."""
        return None if self.funding_deadline is None else self.funding_deadline.year - self.start.year

    @property
    def deadline_year(self) -> int:
        """Years after the base year by which projects must be selected."""
        return self.selection_deadline.year - self.start.year


class Governance(Terms):
    selection: SelectionRule
    allowed_sectors: tuple[Sector, ...] | None = None
    refusal_tariff: Share | None = Field(
        default=None, description="tariff the host may impose if the investor refuses to fund")


class FxSafeguards(Terms):
    swap_line: Annotated[float, Field(ge=0.0)] = 0.0  # USD bn; inf = unlimited
    instability_threshold: Annotated[float, Field(gt=0.0, le=5.0)] | None = None  # ARA ratio
    max_deferral_years: Annotated[int, Field(ge=0, le=20)] = 0


class TariffRates(Terms):
    """A side of a pact's tariffs, by tariff line: **ceilings, not rates in force**.

    From the pact's ``schedule.start`` the investor's rate on a line is the lower of its cap here
    and what the law charges the investor without its deal on that day, as known on
    ``trade.as_of`` (``data/tariff_schedule.csv``: the law's rows and pactlab's flagged
    ``no_deal`` rows; see :mod:`pactlab.model.tariffs.schedule`). So ``tariffs.deal`` caps what
    the deal lets the host charge (a cap above the law's rate is worth nothing: the final deal's
    15% on chips binds nothing while no Section 232 chip duty exists), and ``tariffs.no_deal``
    caps what the host may charge without the deal (the threatened rates: before the IEEPA
    ruling the no-deal rows charge the threat, after it the law's lower rates apply). A pact
    whose two sides are equal is no deal.

    Attributes
    ----------
    general : float, fraction
        The cap on every line not in `sectors` (the general, reciprocal-type tariff).
    sectors : dict of str to float, fractions
        Caps by line: cars, auto_parts, steel, aluminium, pharmaceuticals, semiconductors,
        lumber, aircraft (2.0 leaves a line uncapped).
    """

    general: Annotated[float, Field(ge=0.0, le=2.0, description="cap on the lines not listed")]
    sectors: dict[TariffSector, Annotated[float, Field(ge=0.0, le=2.0)]] = Field(
        default_factory=dict, description="caps by tariff line (ceilings on the law's rates)")

    def rate(self, sector: str) -> float:
        """The cap on a tariff line (`general` unless the line has its own)."""
        return self.sectors.get(sector, self.general)  # type: ignore[call-overload]


class Funding(Terms):
    """How the investor pays what the pact calls: shares of each outflow. The rest comes out
    of official reserves (their investment income first, then principal)."""

    bonds: Share = Field(default=0.0, description="state-bank USD bonds issued abroad")
    fdi: Share = Field(default=0.0, description="corporate FDI (no reserve effect)")

    @model_validator(mode="after")
    def _shares_add_up(self) -> Funding:
        if self.bonds + self.fdi > 1.0 + 1e-12:
            raise ValueError(f"bonds: bonds + fdi must be <= 1, got {self.bonds + self.fdi:g}")
        return self

    @property
    def reserves(self) -> float:
        return 1.0 - self.bonds - self.fdi


class Tariffs(Terms):
    deal: TariffRates
    no_deal: TariffRates


class Upside(Terms):
    """The host's share of the investor's MOU receipts above a threshold (the Westinghouse
    model: 20% of distributions above $17.5B, deal-facts V7)."""

    share: Share
    threshold: Annotated[float, Field(ge=0.0, le=MAX_MONEY)]


class Pledge(Terms):
    """Investment promised by the investor's firms, not its government (the EU's $600B,
    Switzerland's $200B, Taiwanese firms' $250B): it moves no public money and the pact's
    tranches do not hold it. Whether it is delivered by `by` is uncertain (assumption
    ``trade.pledge_delivery_prob``); where it is not, the host may apply the refusal tariff
    (``governance.refusal_tariff``) from the year after."""

    amount: Money
    by: dt.date


class Concessions(Terms):
    """Side terms beyond money: the investor's energy purchases (USD bn a year, for some years,
    at a premium over market), farm-market access it grants (USD bn a year of extra US farm
    sales) and work visas the host grants its workers (thousands a year). Each is valued for
    each side by a stated willingness to pay (assumptions ``valuation.*``)."""

    energy_purchases_per_year: Annotated[float, Field(ge=0.0, le=MAX_MONEY)] = 0.0
    energy_purchase_years: Annotated[int, Field(ge=0, le=50)] = 0
    energy_price_premium: Share = 0.0
    farm_access_per_year: Annotated[float, Field(ge=0.0, le=MAX_MONEY)] = 0.0
    work_visas_per_year: Annotated[float, Field(ge=0.0, le=1000.0)] = 0.0


class Pact(Terms):
    """A whole term sheet. `commitment` is the sum of the tranches."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    title: str
    description: str = ""
    parties: Parties
    tranches: tuple[Tranche, ...] = Field(
        default=(), description="what the investor puts in; none: a tariff-only deal")
    waterfall: Waterfall | None = Field(
        default=None, description="how MOU cash is split; needed when a tranche is an MOU")
    schedule: Schedule
    governance: Governance
    fx: FxSafeguards = FxSafeguards()
    funding: Funding = Funding()
    tariffs: Tariffs
    concessions: Concessions = Concessions()
    upside: Upside | None = None
    pledge: Pledge | None = None
    assumed: tuple[str, ...] = Field(
        default=(), description="terms that are modelling assumptions, not sourced facts")

    @model_validator(mode="after")
    def _unique_tranche_names(self) -> Pact:
        names = [t.name for t in self.tranches]
        if len(set(names)) != len(names):
            raise ValueError(f"tranches: names must be unique, got {names}")
        return self

    @model_validator(mode="after")
    def _mou_needs_a_waterfall(self) -> Pact:
        if self.waterfall is None and any(t.instrument == "mou" for t in self.tranches):
            raise ValueError("waterfall: an MOU tranche needs a [waterfall] to split its cash")
        return self

    @model_validator(mode="after")
    def _pledge_after_start(self) -> Pact:
        if self.pledge is not None and self.pledge.by <= self.schedule.start:
            raise ValueError(f"pledge.by: must be after schedule.start ({self.schedule.start}), "
                             f"got {self.pledge.by}")
        return self

    # how this pact was made (not a term): the file it was read from, the changes applied
    _source: str | None = PrivateAttr(default=None)
    _overrides: tuple[tuple[str, Any], ...] = PrivateAttr(default=())

    def __eq__(self, other: object) -> bool:
        """Pacts are equal when their terms are; how each was made does not count."""
        if not isinstance(other, Pact):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    @property
    def deemed_spread(self) -> float:
        """The spread over the benchmark that makes the deemed rate (0 with no waterfall)."""
        return 0.0 if self.waterfall is None else self.waterfall.spread

    @property
    def commitment(self) -> float:
        return float(sum(t.amount for t in self.tranches))

    def amount(self, instrument: str) -> float:
        return float(sum(t.amount for t in self.tranches if t.instrument == instrument))

    @property
    def overrides(self) -> dict[str, Any]:
        """The term changes made by :meth:`with_terms` (or ``--term``), in order."""
        return dict(self._overrides)

    @property
    def source(self) -> str | None:
        """The file this pact was read from (None for a preset or a pact built in code)."""
        return self._source

    def with_terms(self, changes: Mapping[str, Any], *, source: str | None = None) -> Pact:
        """A copy with dotted-path changes applied, e.g. {"schedule.annual_cap": 30}; the copy
        remembers the changes (see :attr:`overrides` and :func:`pactlab.inputs.terms.pact_label`)."""
        data = self.model_dump()
        for path, value in changes.items():
            set_path(data, path, value, source=source or self.name)
        pact = validate_pact(data, source or self.name)
        pact._source = self._source
        pact._overrides = tuple({**self.overrides, **changes}.items())
        return pact


def split_path(path: str) -> list[str | int]:
    """'waterfall.tiers[1].investor_share' or 'tranches.0.amount' -> keys and indices."""
    parts = split_loc(path)
    if not parts:
        raise PactError(f"empty term path {path!r}")
    return parts


def set_path(data: dict[str, Any], path: str, value: Any, *, source: str) -> None:
    """Set `value` at a dotted path inside nested dicts/lists; unknown paths are errors."""
    parts = split_path(path)
    node: Any = data
    try:
        for key in parts[:-1]:
            if isinstance(node, dict) and node.get(key) is None:
                node[key] = {}  # an optional section not yet set
            node = node[key]
        node[parts[-1]] = value
    except (KeyError, IndexError, TypeError):
        raise PactError(f"{source}: {path}: no such term") from None


def validate_pact(data: Any, source: str) -> Pact:
    """Validate raw TOML data as a Pact, or raise a one-line PactError."""
    if not isinstance(data, Mapping) or not data:
        raise PactError(f"{source}: the term sheet is empty")
    try:
        return Pact.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source, tags=TRANCHE_TAGS) from None
