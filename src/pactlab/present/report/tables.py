"""The report's tables as data: raw values (not the formatted text the page shows), one
DataFrame each, for the CSV links beside every table and the one xlsx workbook of them all.
"""
from __future__ import annotations

import base64
import io
import re
import urllib.parse
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ...analysis.crisis import crisis_rows
from ...analysis.valuation import Evaluation
from ...inputs.terms.fields import term_fields
from ...model.tariffs import trade_data
from .. import comparison_column, json_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def comparison(evaluations: Sequence[Evaluation]) -> pd.DataFrame:
    table = pd.concat([comparison_column(ev) for ev in evaluations], axis=1)
    table.index.name = "metric"
    return table


def terms(evaluations: Sequence[Evaluation]) -> pd.DataFrame:
    """One row per term key; per pact its value and whether it is assumed."""
    rows: dict[str, dict[str, object]] = {}
    for ev in evaluations:
        for f in term_fields(ev.pact):
            row = rows.setdefault(f.key, {"section": f.section, "group": f.group, "term": f.label,
                                          "unit": f.unit})
            row[ev.label] = json_safe(f.value)
            row[f"{ev.label} assumed"] = f.assumed
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("key")


def crisis(sensitivities: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The crisis-probability tables stacked long: pact, stop probability, growth, case."""
    return pd.DataFrame([{"pact": label, **row} for label, table in sensitivities.items()
                         for row in crisis_rows(table)])


def report_tables(evaluations: Sequence[Evaluation], *, sensitivities: Mapping[str, pd.DataFrame],
                  negotiation: Mapping[str, Any] | None = None,
                  exploration: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """Every table the report shows, by its id in the page."""
    out = {
        "comparison": comparison(evaluations),
        "terms": terms(evaluations),
        "crisis-sensitivity": crisis(sensitivities),
        "manifests": pd.DataFrame([{k: _cell(v) for k, v in ev.manifest().items()} for ev in evaluations]),
        "assumptions": pd.DataFrame(list({r["key"]: r for ev in evaluations
                                          for r in ev.assumptions.provenance()}.values())),
        "projects": pd.concat([ev.projects().assign(pact=ev.label) for ev in evaluations], ignore_index=True),
        "tariff-schedule": trade_data().schedule,
    }
    if negotiation:
        out["solutions"] = pd.DataFrame(negotiation["solution_values"])
        if negotiation["terms"]:
            out["nash-terms"] = pd.DataFrame(negotiation["terms"])
        if negotiation.get("stability") is not None:
            out["stability"] = pd.DataFrame(negotiation["stability"]["rows"])
    if exploration and "sensitivity" in exploration:
        out["sensitivity"] = exploration["sensitivity"]["table"]
    if exploration and "discovery" in exploration:
        out["prim-box"] = pd.DataFrame(exploration["discovery"]["box"])
    return out


def _cell(value: object) -> object:
    """A value a CSV or spreadsheet cell holds: a scalar as it is, anything else as text."""
    value = json_safe(value)
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def csv_uri(table: pd.DataFrame) -> str:
    """The table as a CSV data: URI (a download link that needs no server)."""
    text = table.to_csv(index=_keeps_index(table), float_format="%.10g")
    return "data:text/csv;charset=utf-8," + urllib.parse.quote(text)


def workbook(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """All the tables in one xlsx workbook, a sheet each (openpyxl); the same bytes for the
    same tables (openpyxl stamps the time of writing: the stamps are fixed here)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            sheet = re.sub(r"[^A-Za-z0-9 _-]", "_", name)[:31]
            _flat(table).to_excel(writer, sheet_name=sheet, index=_keeps_index(table))
    return _without_timestamps(buffer.getvalue())


def _without_timestamps(xlsx: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb">\d{4}-\d\d-\d\dT[\d:.]+Z?<", b">2000-01-01T00:00:00Z<", content)
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0)), content,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xlsx_uri(tables: Mapping[str, pd.DataFrame]) -> str:
    return f"data:{XLSX};base64," + base64.b64encode(workbook(tables)).decode("ascii")


def _keeps_index(table: pd.DataFrame) -> bool:
    return table.index.name is not None or isinstance(table.index, pd.MultiIndex)


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """Excel cells hold scalars: lists become text, multi-level columns one level."""
    out = table.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(map(str, c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(_cell)
    return out
