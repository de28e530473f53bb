"""One request model per action, shared by the command line and the workbench: strict
(``false`` is not a number, an unknown field is an error), and the one place the front ends'
input rules live.

* A pact is a preset's name or an inline term sheet (an object), never a path: the command line
  reads a ``.toml`` file at its edge and sends its tables inline, with ``pact_file`` naming the
  file for labels and error messages (nothing is read from it here).
* ``terms`` are term keys or the levers ``commitment`` / ``mou_cash_share`` (see
  :func:`pactlab.analysis.negotiate.space.apply`); ``assumptions`` are dotted assumption keys;
  ``assumptions_sheet`` is a whole assumptions file's tables (``--assumptions FILE``, read at
  the command line's edge).
* Rates are fractions everywhere (0.25, not 25); percent appears only in the command line's
  shorthand rate flags (``tariffs --korea 25``), converted at that edge.

Bad input is a :class:`~pactlab.core.errors.PactError` of one line, the same in both front
ends: :func:`build` (the command line) and the web's validation handler both word a model's
errors with :func:`describe`.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from ..core.errors import PactError, format_loc
from ..inputs.assumptions import as_date
from ..inputs.terms import preset_names
from ..model.tariffs import RIVAL
from .pacts import pact_schema

__all__ = ["INVESTORS", "LEGAL_SHOCKS_GONE", "AssumptionsRequest", "BacktestRequest", "CalibrateRequest",
           "CompareRequest", "DiscoverRequest",
           "EvaluateRequest", "ExploreRequest", "NegotiationRequest", "PactRequest",
           "ReportRequest", "ReservesRequest", "RobustRequest", "SensitivityRequest", "Strict",
           "SweepRequest",
           "TariffRequest", "build", "describe"]

Scalar = float | int | str | bool | dt.datetime | dt.date | dt.time | None
TermValue = Scalar | list[Any] | dict[str, Any]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
Paths = Annotated[int, Field(ge=1, le=5_000_000)]
#: where an inline sheet was read from (the command line's edge): for labels and messages only
FileName = Annotated[str, Field(min_length=1, max_length=4096)]
#: a preset's name or an inline term sheet (checked by `pacts.pact_from`, never read as a path)
PactField = Annotated[str | dict[str, Any], WithJsonSchema(pact_schema())]
#: a calendar day as text, YYYY-MM-DD (checked to be a real date; kept as text)
DateText = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"}),
                     AfterValidator(lambda text: as_date(text).isoformat())]
#: a tariff rate, as a fraction (0.25 for 25%); at most 200%
Rate = Annotated[float, Field(ge=0.0, le=2.0)]
#: the investors the tariff model covers (each with a rival): the one list of them
INVESTORS = ("korea", "japan", "taiwan", "eu27", "switzerland")
Investor = Literal["korea", "japan", "taiwan", "eu27", "switzerland"]
assert set(INVESTORS) == set(RIVAL), "INVESTORS must list model.tariffs.RIVAL's investors"
SpecField = Annotated[dict[str, Any], WithJsonSchema({
    "type": "object", "required": ["name", "outcomes"], "additionalProperties": True,
    "properties": {"name": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"},
                   "pacts": {"type": "array", "items": {"type": "string", "enum": preset_names()}},
                   "outcomes": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
    "description": "the TOML spec of `pactlab explore` as JSON; presets only, no files"})]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Assumed(Strict):
    """The assumptions an action runs under: the defaults, a whole assumptions sheet over them,
    then dotted changes, then ``as_of`` (``--as-of``: the assumption ``trade.as_of``, the date
    the tariffs in force are known to)."""

    assumptions: dict[str, TermValue] = Field(default_factory=dict)
    assumptions_sheet: dict[str, Any] | None = None
    assumptions_file: FileName | None = None
    as_of: DateText | None = None


class Simulated(Assumed):
    """An action that draws futures, on pacts changed by `terms`."""

    terms: dict[str, TermValue] = Field(default_factory=dict)
    paths: Paths = 2_000
    seed: Seed = 0


class PactRequest(Simulated):
    """A pact (a preset's name or a whole term sheet), changed by term keys or the levers
    ``commitment`` / ``mou_cash_share``, under changed assumptions: ``evaluate``."""

    pact: PactField
    pact_file: FileName | None = None
    #: evaluate: check whether a headline verdict flips within the plausible ranges
    #: (see :mod:`pactlab.analysis.flips`; the command line's default, off here)
    flips: bool = False


EvaluateRequest = PactRequest


class ReservesRequest(PactRequest):
    """A pact's reserves year by year, and the crisis table whose columns vary `vary`."""

    vary: Literal["non_pact_flow", "std_growth"] = "non_pact_flow"


class BacktestRequest(Assumed):
    """The no-pact reserve model from an investor's position in `start` against its history to
    `end` (``pactlab backtest``): the investor by code or name."""

    investor: Annotated[str, Field(min_length=1, max_length=40)] = "KOR"
    start: Annotated[int, Field(ge=1900, le=2100)] = 2005
    end: Annotated[int, Field(ge=1900, le=2100)] = 2025
    paths: Paths = 2_000
    seed: Seed = 0


class CompareRequest(Simulated):
    """Pacts side by side on the same futures (``format``: how the web sends the table)."""

    pacts: Annotated[list[PactField], Field(min_length=1, max_length=64)]
    pact_files: list[FileName | None] = Field(default_factory=list)
    detail: bool = False
    format: Literal["json", "csv", "xlsx"] = "json"
    #: check whether a headline verdict flips within the plausible ranges (as PactRequest)
    flips: bool = False
    #: how sure each verdict is: "holds in X% of the plausible range" from a small robust design
    #: (see :mod:`pactlab.app.robust_service`; the command line's default, off here: it costs
    #: about 17 evaluations a pact)
    robust: bool = False


class ReportRequest(Simulated):
    """The self-contained HTML report for the pacts (``robust``: as in CompareRequest, with the
    section "What would change the verdict")."""

    pacts: Annotated[list[PactField], Field(min_length=1, max_length=64)]
    pact_files: list[FileName | None] = Field(default_factory=list)
    robust: bool = False


class RobustRequest(Simulated):
    """Every headline verdict of the pacts across the plausible ranges (``pactlab robust``; see
    :mod:`pactlab.analysis.robust`): ``points`` evaluated, each on ``paths`` futures."""

    pacts: Annotated[list[PactField], Field(min_length=1, max_length=16)]
    pact_files: list[FileName | None] = Field(default_factory=list)
    points: Annotated[int, Field(ge=2, le=100_000)] = 128
    sampler: Literal["lhs", "sobol"] = "lhs"
    crisis_bound: Annotated[float, Field(gt=0.0, le=1.0)] = 0.1
    independent_futures: bool = False


class TariffRequest(Assumed):
    """A tariff what-if (``rates``: partner -> new rate, fractions, against the rates in force on
    ``as_of``); the schedule's own change between two days (``from_date``, ``to_date``); or, with
    ``pact``, a pact's deal against no deal year by year (``compare_to``: also as known on a
    second date, side by side)."""

    pact: PactField | None = None
    pact_file: FileName | None = None
    terms: dict[str, TermValue] = Field(default_factory=dict)
    rates: dict[str, Rate] = Field(default_factory=dict)
    sectors: list[str] | None = None
    investor: Investor = "korea"
    compare_to: DateText | None = None
    from_date: DateText | None = None
    to_date: DateText | None = None
    draws: Annotated[int, Field(ge=1, le=1_000_000)] = 500
    seed: Seed = 0

    @model_validator(mode="before")
    @classmethod
    def _no_legal_shocks(cls, data: Any) -> Any:
        if isinstance(data, dict) and "legal_shocks" in data:
            raise ValueError(LEGAL_SHOCKS_GONE)
        return data

    @model_validator(mode="after")
    def _one_question(self) -> TariffRequest:
        change = self.from_date is not None or self.to_date is not None
        if self.pact is not None and (self.rates or self.sectors or change):
            raise ValueError("tariffs: give either a pact or partner rates (--korea 25 …) or "
                             "--from/--to dates, not both")
        if self.compare_to is not None and self.pact is None:
            raise ValueError("--compare-to: compares a pact's costs as known on two dates; for "
                             "the schedule's own change give --from DATE --to DATE")
        if change and (self.from_date is None or self.to_date is None or self.rates):
            raise ValueError("--from/--to: the change from the rates in force on one date to those "
                             "on another: give both dates, and no partner rates")
        if self.pact is None and not self.rates and not change:
            raise ValueError("tariffs: name a pact, set at least one partner's rate (e.g. "
                             "--korea 25 --japan 15), or give --from DATE --to DATE")
        return self


#: what a request (or the command line) that still names the legal-shock switch is told
LEGAL_SHOCKS_GONE = ("--legal-shocks is gone: the dates carry the ruling; use --as-of DATE (the "
                     "tariffs known on a date; e.g. --as-of 2025-11-14, before it) and, for a "
                     "pact, --compare-to DATE for a before/after")


class NegotiationRequest(Simulated):
    """Which deals beat no deal for both sides over the issues (``issues``: ``KEY=LO:HI[:STEP]``
    or ``KEY=a,b,c``; ``space``: a built-in issue space), and where bargaining lands."""

    pact: PactField
    pact_file: FileName | None = None
    issues: list[Annotated[str, Field(max_length=1000)]] = Field(default_factory=list)
    space: Literal["korea"] | None = "korea"
    sample: Literal["grid", "lhs", "sobol"] = "lhs"
    n: Annotated[int, Field(ge=1, le=1_000_000)] | None = 200
    agents: Annotated[list[str], Field(min_length=2, max_length=2)] | None = None
    rounds: Annotated[int, Field(ge=1, le=10_000)] = 20
    discount: float | None = None           # both sides (checked in analysis.negotiate.redlines)
    discount_investor: float | None = None  # default 0.9 (redlines.DEFAULT_DISCOUNT)
    discount_host: float | None = None
    red_lines: list[Annotated[str, Field(max_length=1000)]] = Field(default_factory=list)
    budget: Annotated[int, Field(ge=0, le=10_000)] = 60   # best_for: simulations per party
    stability: Annotated[int, Field(ge=0, le=64)] = 0      # replications of the Nash deal (0: none)
    talks: bool = False            # the agents bargain on the calendar of the Korean talks
    breakdown: Annotated[float, Field(ge=0.0, le=0.99)] = 0.0
    reference: str | None = None
    max_crisis: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    paths: Paths = 500


class CalibrateRequest(Assumed):
    """The preferences under which the record is rational (``pactlab calibrate``): the investor
    by name or code, a deal to hold out and predict, the futures, the sample over the bounds and
    the candidates of the prediction."""

    investor: Annotated[str, Field(min_length=1, max_length=40)] = "korea"
    hold_out: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    paths: Annotated[int, Field(ge=10, le=200_000)] = 2_000
    seed: Seed = 0
    samples: Annotated[int, Field(ge=16, le=100_000)] = 2_048
    candidates: Annotated[int, Field(ge=1, le=10_000)] = 200


class ExploreRequest(Strict):
    """A sweep to a folder (``pactlab explore``): the spec's tables, where it was read from
    (its pact files resolve beside it), and how to run it."""

    spec: dict[str, Any]
    spec_file: FileName
    output: FileName
    executor: str = "serial"
    workers: Annotated[int, Field(ge=1, le=1024)] | None = None
    scheduler: str | None = None
    chunk_size: Annotated[int, Field(ge=1, le=100_000)] | None = None
    resume: bool = False


class SweepRequest(Strict):
    """A sweep (the TOML spec of ``pactlab explore`` as JSON; presets only, no files), then the
    sensitivity of ``outcome`` and, with ``where``, the PRIM box where that condition holds."""

    spec: SpecField
    outcome: str | None = None
    where: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class SensitivityRequest(Strict):
    """Which inputs move an outcome of a finished run (its folder)."""

    folder: FileName
    outcome: str


class DiscoverRequest(Strict):
    """Scenario discovery over a finished run: the PRIM box where `where` holds; with `report`,
    the HTML report (its sensitivity chart for `outcome`)."""

    folder: FileName
    where: Annotated[str, Field(min_length=1, max_length=500)]
    peel_alpha: Annotated[float, Field(ge=0.001, le=0.5)] = 0.05
    paste_alpha: Annotated[float, Field(ge=0.001, le=0.5)] = 0.05
    mass_min: Annotated[float, Field(ge=0.001, le=0.99)] = 0.05
    threshold: Annotated[float, Field(ge=0.01, le=0.999)] = 0.8
    box: Annotated[int, Field(ge=0)] | None = None        # the step reported (default: the knee)
    resamples: Annotated[int, Field(ge=0, le=1000)] = 20  # bootstrap PRIM runs for stability
    outcome: str | None = None
    report: bool = False


class AssumptionsRequest(Assumed):
    """The assumptions catalogue, under the changes asked for."""


def describe(errors: list[Any]) -> str:
    """A model's first validation error as one line: ``request: <field>: <rule>``."""
    err = errors[0]
    loc = tuple(p for p in err.get("loc", ()) if p != "body")
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"request: {format_loc(loc)}: {message}" if loc else f"request: {message}"


M = TypeVar("M", bound=BaseModel)


def build(model: type[M], **fields: Any) -> M:
    """A request from a front end's parsed input; a bad one is a one-line PactError."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise PactError(describe(exc.errors())) from None
