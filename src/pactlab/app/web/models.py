"""The API's requests and answers: strict (``false`` is not a number, an unknown field is an
error), and their schema says what the server accepts (a pact is a preset's name or a
non-empty term sheet, a sweep's spec names itself and its outcomes)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ...inputs.terms import preset_names
from .pacts import pact_schema

Scalar = float | int | str | bool | None
TermValue = Scalar | list[Any] | dict[str, Any]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
#: a preset's name or an inline term sheet (checked by `pacts.pact_from`, never read as a path)
PactField = Annotated[str | dict[str, Any], WithJsonSchema(pact_schema())]
SpecField = Annotated[dict[str, Any], WithJsonSchema({
    "type": "object", "required": ["name", "outcomes"], "additionalProperties": True,
    "properties": {"name": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"},
                   "pacts": {"type": "array", "items": {"type": "string", "enum": preset_names()}},
                   "outcomes": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
    "description": "the TOML spec of `pactlab explore` as JSON; presets only, no files"})]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ErrorResponse(Strict):
    error: str


class PactRequest(Strict):
    """A pact (a preset's name or a whole term sheet), changed by term keys or the levers
    ``commitment`` / ``mou_cash_share``, under changed assumptions."""

    pact: PactField
    terms: dict[str, TermValue] = Field(default_factory=dict)
    assumptions: dict[str, Scalar | list[float]] = Field(default_factory=dict)
    paths: Annotated[int, Field(ge=1)] = 2_000
    seed: Seed = 0


class CompareRequest(Strict):
    pacts: Annotated[list[PactField], Field(min_length=1, max_length=6)]
    terms: dict[str, TermValue] = Field(default_factory=dict)
    assumptions: dict[str, Scalar | list[float]] = Field(default_factory=dict)
    paths: Annotated[int, Field(ge=1)] = 2_000
    seed: Seed = 0
    format: Literal["json", "csv", "xlsx"] = "json"


class TariffRequest(Strict):
    rates: Annotated[dict[str, Annotated[float, Field(ge=0.0, le=2.0)]], Field(min_length=1)]
    sectors: list[str] | None = None
    investor: Literal["korea", "japan"] = "korea"
    draws: Annotated[int, Field(ge=1, le=5_000)] = 500
    seed: Seed = 0


class NegotiationRequest(Strict):
    pact: PactField
    space: Literal["korea"] = "korea"
    sample: Literal["lhs", "sobol"] = "lhs"
    n: Annotated[int, Field(ge=1, le=2_000)] = 200
    paths: Annotated[int, Field(ge=1)] = 500
    seed: Seed = 0


class SweepRequest(Strict):
    """A sweep (the TOML spec of ``pactlab explore`` as JSON; presets only, no files), then the
    sensitivity of ``outcome`` and, with ``where``, the PRIM box where that condition holds."""

    spec: SpecField
    outcome: str | None = None
    where: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class Headline(Strict):
    key: str
    label: str
    unit: str
    value: float | None
    text: str


class EvaluateResponse(Strict):
    label: str
    title: str
    headline: list[Headline]
    metrics: dict[str, dict[str, float | None]]
    gains: dict[str, dict[str, dict[str, float | None]]]
    reserves: dict[str, list[float | int | None]]
    recoupment: dict[str, list[float | int | None]]
    cash_split: dict[str, list[float | int | None]]
    tariff_by_sector: dict[str, dict[str, float | None]]
    assumed_terms: list[str]
    manifest: dict[str, Any]


class CompareResponse(Strict):
    columns: list[str]
    rows: dict[str, dict[str, float | None]]
    manifests: list[dict[str, Any]]


class JobResponse(Strict):
    id: str
    kind: str
    status: Literal["running", "done", "failed", "cancelled", "timed_out"]
    progress: float
    result: dict[str, Any] | None = None
    error: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (400, 404, 405, 409, 413, 422, 429)}
