"""Presentation: formatting, the headline rows, titles that name overrides, JSON for machines."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

import pactlab as pl
from pactlab.present import (
    HEADLINE,
    comparison_column,
    format_value,
    metric_units,
    overrides_note,
    to_json,
)


@pytest.mark.parametrize("value,unit,text", [
    (12.345, "usd_bn", "$12.3B"), (-1234.5, "usd_bn", "-$1,234.5B"), (0.4512, "share", "45.1%"),
    (0.0276, "rate", "2.76%"), (2052.0, "year", "2052"), (1.654, "multiple", "1.65x"),
    (0.0, "bool", "no"), (float("nan"), "share", "–"), (None, "usd_bn", "–"),
])
def test_values_read_as_people_write_them(value, unit, text) -> None:
    assert format_value(value, unit) == text


def test_headline_rows_have_units_and_come_from_the_metrics() -> None:
    ev = pl.evaluate("korea-final-2025-11", paths=100, seed=1)
    column = comparison_column(ev)
    assert len(column) == len(HEADLINE) and column.name == "korea-final-2025-11"
    units = metric_units()
    assert all(label in units for label in column.index)
    assert column["investor: commitment"] == 350.0


def test_titles_name_every_override(tmp_path) -> None:
    a = pl.load_assumptions().with_values({"discount.host": 0.03})
    pact = pl.load_pact("korea-final-2025-11").with_terms({"schedule.annual_cap": 30.0})
    assert overrides_note(a, [pact]) == "--set discount.host=0.03; --term schedule.annual_cap=30"
    assert overrides_note(pl.load_assumptions(), [pl.load_pact("japan-mou-2025")]) == ""


def test_json_has_no_nan_and_plain_types() -> None:
    text = to_json({"a": float("nan"), "b": np.float64(1.5), "c": np.arange(2), "d": dt.date(2026, 1, 2),
                    1: np.bool_(True)})
    assert json.loads(text) == {"a": None, "b": 1.5, "c": [0, 1], "d": "2026-01-02", "1": True}
