"""One conversion of result values to JSON-native data."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["to_json"]


def to_json(v: Any, *, nonfinite: str = "null") -> Any:
    """``v`` with numpy scalars and arrays, tuples, sets and dict keys made
    JSON-native, recursively. Non-finite floats become ``None``
    (``nonfinite="null"``), their string (``"str"``: ``"nan"``, ``"inf"``) or stay
    (``"keep"``: Python's json writes NaN/Infinity)."""
    if isinstance(v, dict):
        return {str(k): to_json(x, nonfinite=nonfinite) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [to_json(x, nonfinite=nonfinite) for x in v]
    if isinstance(v, np.ndarray):
        return [to_json(x, nonfinite=nonfinite) for x in v.tolist()]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v) and nonfinite != "keep":
        return None if nonfinite == "null" else str(v)
    return v
