"""Python values -> R objects, and back, without judging them.

The R engine does not validate: whatever the caller passes is converted to
the R object an R user would have (a numeric vector, a factor, a logical with
NA...) and R decides whether to accept it. Conversion refuses only what has
no R counterpart (a dict as a time vector, an object column mixing strings
and numbers); that refusal is an :class:`InvalidArgument` of kind
``argument.type``, since the value never reaches R.

Missing values: NaN, None, ``pd.NA`` and ``NaT`` become R's ``NA`` (pandas
uses NaN for "missing"; R's ``na.omit`` drops both).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument

__all__ = ["to_r", "from_r", "vector", "Placeholders", "scalar", "r_literal"]

_NA_INT = -2147483648
_INT_MAX = 2147483647


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, (float, np.floating)) and np.isnan(v))


def _ro():
    import rpy2.robjects as ro

    return ro


def _double(arr: np.ndarray, mask: np.ndarray | None = None) -> Any:
    ro = _ro()
    a = np.ascontiguousarray(arr, dtype=np.float64)
    vec = ro.FloatVector(a)
    miss = np.isnan(a) if mask is None else mask
    if miss.any():
        from . import _session

        vec = _session.session().env.find("rparity_na_at")(vec, ro.IntVector((np.flatnonzero(miss) + 1).tolist()))
    return vec


def _integer(arr: np.ndarray, mask: np.ndarray) -> Any:
    ro = _ro()
    a = np.where(mask, _NA_INT, np.asarray(arr, dtype=np.int64)).astype(np.int32)
    return ro.IntVector(a)


def _logical(values: np.ndarray, mask: np.ndarray) -> Any:
    ro = _ro()
    return ro.BoolVector([ro.NA_Logical if m else bool(v) for v, m in zip(values.tolist(), mask.tolist())]) \
        if mask.any() else ro.BoolVector(values.astype(bool).tolist())


def _character(values: list, mask: np.ndarray, name: str = "x") -> Any:
    return _strings([None if m else str(v) for v, m in zip(values, mask.tolist())], name)


def _strings(values: list, name: str) -> Any:
    """An R character vector (None: NA). An R string cannot hold a NUL character
    (R: "embedded nul in string"), and rpy2 would cut the string there without a
    word, making two labels one: such a string is refused."""
    ro = _ro()
    for i, v in enumerate(values):
        if v is not None and "\x00" in v:
            raise InvalidArgument(f"`{name}` value {i + 1} ({v!r}) contains a NUL character, which an R string "
                                  "cannot hold (R: 'embedded nul in string')", kind="argument.type")
    return ro.StrVector([ro.NA_Character if v is None else v for v in values])


def _datetime(arr: np.ndarray) -> Any:
    # POSIXct: seconds since the epoch, UTC
    secs = arr.astype("datetime64[ns]").astype(np.int64) / 1e9
    mask = np.isnat(arr)
    vec = _double(np.where(mask, np.nan, secs), mask)
    ro = _ro()
    return ro.baseenv["structure"](vec, **{"class": ro.StrVector(["POSIXct", "POSIXt"]), "tzone": "UTC"})


def _factor(codes: np.ndarray, categories: Any, name: str = "x") -> Any:
    """A factor as R's ``factor(levels[codes], levels = levels)`` builds it, so
    that R labels numeric levels itself (``1``, not ``1.0``)."""
    from . import _session

    levels = vector(pd.Index(categories), f"{name}'s levels")
    c = np.asarray(codes).astype(np.int64)  # int8 codes cannot hold R's NA
    ro = _ro()
    iv = ro.IntVector(np.where(c < 0, _NA_INT, c + 1).astype(np.int32))
    return _session.session().env.find("rparity_factor")(iv, levels)


def _object(name: str, values: list) -> Any:
    mask = np.array([_missing(v) for v in values], dtype=bool)
    present = [v for v, m in zip(values, mask.tolist()) if not m]
    if all(isinstance(v, (bool, np.bool_)) for v in present) and present:
        return _logical(np.array([bool(v) if not m else False for v, m in zip(values, mask.tolist())]), mask)
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
           for v in present):
        return _double(np.array([np.nan if m else float(v) for v, m in zip(values, mask.tolist())]), mask)
    if all(isinstance(v, str) for v in present):
        return _character(values, mask, name)
    kinds = sorted({type(v).__name__ for v in present})
    raise InvalidArgument(f"`{name}` mixes values of types {kinds}; it has no R counterpart (an R vector holds one "
                          "type)", kind="argument.type")


def vector(x: Any, name: str = "x") -> Any:
    """An R vector (or factor, or matrix for 2-D input) from an array-like."""
    ro = _ro()
    if isinstance(x, pd.Categorical):
        return _factor(np.asarray(x.codes), x.categories, name)
    if isinstance(x, (pd.Series, pd.Index)):
        dt = x.dtype
        if isinstance(dt, pd.CategoricalDtype):
            return _factor(np.asarray(pd.Categorical(x).codes), dt.categories, name)
        mask = np.asarray(pd.isna(x), dtype=bool)
        if pd.api.types.is_bool_dtype(dt):
            return _logical(np.asarray(x.fillna(False) if mask.any() else x, dtype=bool), mask)
        if pd.api.types.is_integer_dtype(dt):
            vals = np.asarray(x.fillna(0) if mask.any() else x, dtype=np.int64)
            if np.abs(vals).max(initial=0) > _INT_MAX:
                return _double(np.where(mask, np.nan, vals.astype(float)), mask)
            return _integer(vals, mask)
        if pd.api.types.is_float_dtype(dt):
            return _double(x.to_numpy(dtype=float, na_value=np.nan), mask)
        if pd.api.types.is_datetime64_any_dtype(dt):
            return _datetime(np.asarray(x, dtype="datetime64[ns]"))
        return vector(x.to_numpy(dtype=object), name)
    if isinstance(x, (str, bytes)) or np.isscalar(x):
        return to_r(x)
    try:
        arr = np.asarray(x)
    except Exception as exc:  # noqa: BLE001 - ragged or exotic input
        raise InvalidArgument(f"`{name}` cannot be read as an array ({exc})", kind="argument.type") from None
    if arr.ndim == 2:
        flat = vector(np.asfortranarray(arr).ravel(order="F"), name)
        flat.do_slot_assign("dim", ro.IntVector([arr.shape[0], arr.shape[1]]))
        return flat
    if arr.ndim == 0:
        return to_r(arr.item())
    if arr.ndim > 2:
        raise InvalidArgument(f"`{name}` must be 1-D or 2-D; got an array of shape {arr.shape}",
                              kind="argument.shape")
    if arr.dtype == bool:
        return ro.BoolVector(arr.tolist())
    if arr.dtype.kind in "iu":
        if arr.size and np.abs(arr.astype(np.int64)).max() > _INT_MAX:
            return _double(arr.astype(float))
        return ro.IntVector(np.ascontiguousarray(arr, dtype=np.int32))
    if arr.dtype.kind == "f":
        return _double(arr)
    if arr.dtype.kind == "M":
        return _datetime(arr)
    if arr.dtype.kind == "c":
        return ro.ComplexVector(arr.tolist())
    if arr.dtype.kind in "US":
        return _strings([str(v) for v in arr.tolist()], name)
    if arr.dtype.kind == "O":
        return _object(name, arr.tolist())
    raise InvalidArgument(f"`{name}` has dtype {arr.dtype}, which has no R counterpart", kind="argument.type")


def to_r(value: Any, name: str = "x") -> Any:
    """Convert a Python value to an R object (no R code is built from it)."""
    import rpy2.rinterface as ri

    ro = _ro()
    if value is None:
        return ri.NULL
    if isinstance(value, ri.Sexp):
        return value
    if isinstance(value, (bool, np.bool_)):
        return ro.BoolVector([bool(value)])
    if isinstance(value, (int, np.integer)):
        v = int(value)
        return ro.IntVector([v]) if abs(v) <= _INT_MAX else ro.FloatVector([float(v)])
    if isinstance(value, (float, np.floating)):
        return _double(np.array([float(value)]))
    if isinstance(value, str):
        return _strings([value], name)
    if isinstance(value, Mapping):
        return ro.vectors.ListVector({str(k): to_r(v, str(k)) for k, v in value.items()}) if value \
            else ro.r["list"]()
    if isinstance(value, pd.DataFrame):
        return ro.DataFrame({str(c): vector(value[c], str(c)) for c in value.columns})
    return vector(value, name)


@dataclass(frozen=True)
class Placeholders:
    """Placeholder names used in R (``x1``, ``treat``...) -> the caller's names,
    to show R's messages in the caller's terms."""

    names: Mapping[str, str]

    def translate(self, text: str) -> str:
        import re

        if not self.names or not text:
            return text
        keys = sorted(self.names, key=len, reverse=True)
        pat = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(map(re.escape, keys)) + r")(?![A-Za-z0-9_.])")
        return pat.sub(lambda m: self.names[m.group(1)], text)


def r_literal(v: Any) -> str:
    """A scalar as R source shows it (for provenance only; never evaluated):
    ``TRUE``, ``"log"``, ``0.95``, ``Inf``, ``NULL``; anything else as ``<...>``."""
    import math

    if v is None:
        return "NULL"
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "NA"
        if math.isinf(f):
            return "Inf" if f > 0 else "-Inf"
        return repr(f)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"<{type(v).__name__}>"


def scalar(v: Any) -> float:
    """The first element of an R numeric value as a float (NaN for NULL/empty)."""
    if v is None:
        return float("nan")
    a = np.asarray(v, dtype=float).reshape(-1)
    return float(a[0]) if a.size else float("nan")


def from_r(obj: Any) -> Any:
    """Convert an R object to Python: named lists to dicts, data frames to
    DataFrames, numeric vectors and matrices to float/int numpy arrays (NA -> NaN),
    logical vectors to bool arrays (float with NaN when NA occurs), character
    vectors to lists of str (NA -> None), factors to lists of their labels,
    NULL to None."""
    import rpy2.rinterface as ri

    ro = _ro()
    if obj is ri.NULL or obj is None:
        return None
    rclass = list(obj.rclass) if hasattr(obj, "rclass") else []
    if "data.frame" in rclass:
        names = list(obj.names)
        return pd.DataFrame({n: _vector(obj[i]) for i, n in enumerate(names)})
    if isinstance(obj, (ro.vectors.ListVector, ri.ListSexpVector)):
        names = obj.names if obj.names is not ri.NULL else None
        items = [from_r(obj[i]) for i in range(len(obj))]
        if names is not None and names is not ri.NULL:
            return {str(n): v for n, v in zip(names, items)}
        return items
    return _vector(obj)


def _vector(obj: Any) -> Any:
    import rpy2.rinterface as ri

    ro = _ro()
    if obj is ri.NULL:
        return None
    if isinstance(obj, ro.vectors.FactorVector) or (hasattr(obj, "rclass") and "factor" in list(obj.rclass)):
        levels = list(ro.r["levels"](obj))
        codes = np.asarray(obj.memoryview())
        return [None if c == _NA_INT else levels[c - 1] for c in codes.tolist()]
    if isinstance(obj, ri.StrSexpVector):
        return [None if v is ri.NA_Character else str(v) for v in obj]
    if isinstance(obj, ri.BoolSexpVector):
        arr = np.asarray(obj.memoryview())
        if (arr == _NA_INT).any():
            return np.where(arr == _NA_INT, np.nan, arr.astype(float))
        return arr.astype(bool).copy()
    if isinstance(obj, ri.IntSexpVector):
        arr = np.asarray(obj.memoryview())
        if (arr == _NA_INT).any():
            return np.where(arr == _NA_INT, np.nan, arr.astype(float))
        return arr.astype(np.int64)
    if isinstance(obj, ri.FloatSexpVector):
        return np.array(obj.memoryview(), dtype=float)
    if isinstance(obj, ri.ListSexpVector):
        return from_r(obj)
    raise TypeError(f"cannot convert R object of type {type(obj).__name__}")
