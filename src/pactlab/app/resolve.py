"""A request's inputs, resolved: its pacts (a preset or an inline sheet, terms and levers
applied), its assumptions (the defaults, an inline sheet, ``--set`` changes), and the helpers
every action of :mod:`pactlab.app.service` shares."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from ..analysis.backtest import backtest
from ..analysis.crisis import crisis_paths, crisis_tables
from ..analysis.negotiate.space import LEVERS, apply
from ..analysis.valuation import Evaluation, evaluate_all
from ..core.errors import PactError, from_validation_error
from ..inputs.assumptions import Assumptions, default_raw, load_assumptions
from ..inputs.terms import Pact, file_label, pact_label, pact_to_toml
from .pacts import pact_from
from .requests import (
    AssumptionsRequest,
    CompareRequest,
    NegotiationRequest,
    PactRequest,
    ReportRequest,
)

Progress = Callable[[int, int], None] | None

__all__ = ["Progress", "Resolved", "assumptions_of", "csv", "evaluations", "report_html", "resolve",
           "with_terms"]


def with_terms(pact: Pact, terms: Mapping[str, Any]) -> Pact:
    """`pact` changed by term keys and the levers (``commitment``, ``mou_cash_share``), the same
    however the request came; errors name ``--term (<pact>)`` (levers: the pact)."""
    if not terms:
        return pact
    if any(k in LEVERS for k in terms):
        return apply(pact, terms)
    return pact.with_terms(terms, source=f"--term ({pact.name})")


def _merge(base: dict[str, Any], update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _sheet_assumptions(sheet: Mapping[str, Any], file: str | None) -> Assumptions:
    """The defaults with a whole assumptions sheet over them, as ``load_assumptions(FILE)`` reads
    one (the sheet's tables were read at the command line's edge)."""
    label = file_label(Path(file)) if file else "request.assumptions_sheet"
    raw = default_raw()
    _merge(raw, sheet)
    try:
        out = Assumptions.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, label) from None
    out._source = file              # as load_assumptions does: titles and manifests name it
    return out


def assumptions_of(req: AssumptionsRequest | Any) -> Assumptions:
    """A request's assumptions: the defaults, its sheet, then its dotted changes (``--set``),
    then its ``as_of`` (``--as-of``, the assumption ``trade.as_of``)."""
    base = (load_assumptions() if req.assumptions_sheet is None
            else _sheet_assumptions(req.assumptions_sheet, req.assumptions_file))
    changes = dict(req.assumptions)
    if getattr(req, "as_of", None) is not None:
        changes["trade.as_of"] = req.as_of
    return base.with_values(changes, source="--set") if changes else base


def _pacts(values: Sequence[str | dict[str, Any]], files: Sequence[str | None],
           terms: Mapping[str, Any], field: str) -> list[Pact]:
    if len(files) > len(values):
        raise PactError(f"request: pact_files: {len(files)} files for {len(values)} pacts")
    named = [pact_from(v, f"request.{field}[{i}]", files[i] if i < len(files) else None)
             for i, v in enumerate(values)]
    return [with_terms(p, terms) for p in named]


@dataclass(frozen=True)
class Resolved:
    """What a simulating request runs on: its pacts (terms applied) and assumptions."""

    pacts: list[Pact]
    assumptions: Assumptions
    paths: int
    seed: int

    def key(self) -> tuple[Any, ...]:
        """What an answer depends on, for a cache."""
        return (*map(pact_to_toml, self.pacts), *map(pact_label, self.pacts),
                self.assumptions.model_dump_json(), self.paths, self.seed)


def resolve(req: PactRequest | CompareRequest | ReportRequest | NegotiationRequest) -> Resolved:
    """The pacts and assumptions of a request, checked (fast: nothing is simulated)."""
    if isinstance(req, (CompareRequest, ReportRequest)):
        pacts = _pacts(req.pacts, req.pact_files, req.terms, "pacts")
    else:
        pacts = [with_terms(pact_from(req.pact, "request.pact", req.pact_file), req.terms)]
    return Resolved(pacts, assumptions_of(req), req.paths, req.seed)


def evaluations(r: Resolved, progress: Progress) -> list[Evaluation]:
    """The resolved pacts evaluated on the same futures."""
    return evaluate_all(r.pacts, r.paths, r.seed, assumptions=r.assumptions, progress=progress)


def csv(frame: pd.DataFrame, **options: Any) -> str:
    """A table as CSV, numbers to 10 significant digits (the one CSV format)."""
    return frame.to_csv(float_format="%.10g", **options)


def report_html(evaluations: list[Evaluation], **sections: Any) -> str:
    """The report of `evaluations`, its crisis tables and (for a Korean pact) the reserve
    model's backtest computed here (the report computes nothing)."""
    from ..present.report import build_report
    first = evaluations[0]
    korean = any(ev.pact.parties.investor_code == "KOR" for ev in evaluations)
    bt = (backtest(paths=crisis_paths(first.paths), seed=first.seed, assumptions=first.assumptions)
          if korean else None)
    return build_report(evaluations, crisis_tables=crisis_tables(evaluations), backtest=bt,
                        **sections)
