"""R's ``Surv(time, event)`` for right-censored data (survival 3.5-3, ``Surv.R``),
and the rows R's ``na.omit`` keeps.

How R reads the status:

* logical: FALSE/TRUE is censored/event;
* a factor: multi-state data (``Surv`` type "mright", survival >= 3.0):
  coxph needs ``id`` and fits a multi-state model, survfit gives multi-state
  curves, survdiff refuses; none is in the contract, so it is refused here
  (kind ``event.multistate``);
* a number: when the largest non-missing value is 2, the coding is 1/2
  (censored/dead, as ``lung$status``) and 1 is subtracted; after that, any
  value other than 0 or 1 becomes NA with the warning "Invalid status value,
  converted to NA";
* anything else (text): "Invalid status value, must be logical or numeric".

The time must be numeric ("Time variable is not numeric"). Missing values stay
NaN here; the row is dropped later, as ``na.omit``. No event vector
(``event=None``) is R's one-argument ``Surv(time)``: every row is an event.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument

__all__ = ["SurvData", "read_surv", "one_two_coding", "INVALID_STATUS", "numeric_or_nan", "interval_stops",
           "STOP_BEFORE_START"]

#: R's warning when a status value is neither censored nor event
INVALID_STATUS = "Invalid status value, converted to NA"


@dataclass(frozen=True)
class SurvData:
    """``time`` and ``status`` (0/1) as floats, NaN where missing or invalid;
    ``warnings`` with R's wording."""

    time: np.ndarray
    status: np.ndarray
    warnings: tuple[str, ...] = ()


def _series(x: Any, name: str) -> pd.Series:
    if isinstance(x, pd.Series):
        return x.reset_index(drop=True)
    if isinstance(x, pd.Categorical):
        return pd.Series(x)
    if x is None:
        raise InvalidArgument(f"`{name}` must be a 1-D array-like; got {name}=None", kind="argument.type")
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise InvalidArgument(f"`{name}` must be 1-D; got an array of shape {arr.shape}", kind="argument.shape")
    return pd.Series(arr)


def numeric_or_nan(x: Any, name: str, kind: str) -> np.ndarray:
    """A numeric vector as floats, NaN where missing; refuses text, dates and
    logicals (R: a logical is not a numeric time). ``kind`` is the refusal kind."""
    s = _series(x, name)
    if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s.dtype) \
            or pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_timedelta64_dtype(s.dtype):
        raise InvalidArgument(f"`{name}` must be numeric; got dtype {s.dtype}", kind=kind)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan)
    out = np.empty(len(s))
    for i, v in enumerate(s.tolist()):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            out[i] = np.nan
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
            out[i] = float(v)
        else:
            raise InvalidArgument(f"`{name}` must be numeric; got {name}[{i}]={v!r}", kind=kind)
    return out


def _status(x: Any) -> np.ndarray:
    s = _series(x, "event")
    if isinstance(s.dtype, pd.CategoricalDtype):
        raise InvalidArgument(f"`event` is a factor (levels {list(s.cat.categories)[:4]}): R's Surv() reads a "
                              "factor status as multi-state data (coxph: 'an id statement is required for "
                              "multi-state models'; survdiff: 'Right censored data only'), which is not "
                              "implemented here; give the status as 0/1, 1/2 or logical", kind="event.multistate")
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if s.dtype == object:
        vals = s.tolist()
        if vals and all(isinstance(v, (bool, np.bool_)) or v is None or v is pd.NA for v in vals):
            return np.array([np.nan if v is None or v is pd.NA else float(v) for v in vals])
    return numeric_or_nan(s, "event", "event.type")


def one_two_coding(e: np.ndarray) -> np.ndarray:
    """Surv.R: a numeric status whose largest non-missing value is 2 is coded
    1/2 (censored/dead): 1 is subtracted."""
    present = ~np.isnan(e)
    if present.any() and np.max(e[present]) == 2:
        return e - 1.0
    return e


def read_surv(time: Any, event: Any) -> SurvData:
    """``Surv(time, event)`` as R reads it (see the module docstring)."""
    t = numeric_or_nan(time, "time", "time.type")
    if event is None:
        # R's one-argument Surv(time): every row is an event
        return SurvData(time=t, status=np.ones(t.size), warnings=())
    e = _status(event)
    if t.size != e.size:
        raise InvalidArgument(f"`time` and `event` must have the same length (R: 'Time and status are different "
                              f"lengths'); got len(time)={t.size}, len(event)={e.size}", kind="lengths")
    e = one_two_coding(e)
    present = ~np.isnan(e)
    valid = (e == 0) | (e == 1)
    bad = present & ~valid
    warnings: tuple[str, ...] = ()
    if bad.any():
        e = np.where(bad, np.nan, e)
        warnings = (INVALID_STATUS,)
    return SurvData(time=t, status=e, warnings=warnings)


STOP_BEFORE_START = "Stop time must be > start time, NA created"


def interval_stops(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """``Surv(start, stop, event)``: a stop not after its start becomes missing,
    with R's warning (Surv.R)."""
    with np.errstate(invalid="ignore"):
        bad = start >= stop
    if not bad.any():
        return stop, ()
    return np.where(bad, np.nan, stop), (STOP_BEFORE_START,)
