"""The API's answers (its requests are :mod:`pactlab.app.requests`, shared with the command
line, and re-exported here): strict, and their schema says what the server sends."""
from __future__ import annotations

from typing import Any, Literal

from ..requests import (
    CompareRequest,
    NegotiationRequest,
    PactRequest,
    ReportRequest,
    RobustRequest,
    Strict,
    SweepRequest,
    TariffRequest,
)

__all__ = ["ERRORS", "CompareRequest", "CompareResponse", "ErrorResponse", "EvaluateResponse",
           "Headline", "JobResponse", "NegotiationRequest", "PactRequest", "ReportRequest",
           "RobustRequest", "SweepRequest", "TariffRequest"]


class ErrorResponse(Strict):
    error: str


class Headline(Strict):
    key: str
    label: str                 # the technical name
    plain: str                 # the row in words
    unit: str
    value: float | None
    text: str
    baseline: float | None = None   # a risk's value with no pact, same futures


class VerdictNumber(Strict):
    key: str
    label: str
    value: float | None
    text: str
    p_behind: float | None = None
    baseline: float | None = None


class Verdict(Strict):
    key: Literal["both_gain", "investor_behind", "host_behind", "both_behind"]
    sentence: str
    numbers: list[VerdictNumber]
    robust: dict[str, float | None] | None
    as_of: str


class EvaluateResponse(Strict):
    label: str
    title: str
    verdict: Verdict
    headline: list[Headline]
    metrics: dict[str, dict[str, float | None]]
    gains: dict[str, dict[str, dict[str, float | None]]]
    reserves: dict[str, list[float | int | None]]
    recoupment: dict[str, list[float | int | None]]
    cash_split: dict[str, list[float | int | None]]
    tariff_by_sector: dict[str, dict[str, float | None]]
    assumed_terms: list[str]
    manifest: dict[str, Any]
    warnings: list[dict[str, Any]]   # unallocated tranches: kind, tranche, amount, rule, message
    definitions: dict[str, str]      # what each tariff figure means (one "tariff relief")


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
