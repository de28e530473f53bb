"""Plain JSON from what pactlab computes: numpy scalars and arrays, NaN, dates, tables."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["frame_columns", "json_safe", "to_json"]


def json_safe(obj: Any) -> Any:
    """Plain JSON types: NaN/inf -> None, numpy scalars -> Python, dates -> ISO, keys -> text."""
    if isinstance(obj, Mapping):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def to_json(obj: Any) -> str:
    """`obj` as indented JSON that any parser reads (no NaN)."""
    return json.dumps(json_safe(obj), indent=2, allow_nan=False)


def frame_columns(frame: pd.DataFrame) -> dict[str, list]:
    """A table as JSON-ready columns, its index first."""
    return json_safe(frame.reset_index().to_dict(orient="list"))
