"""R vectors as ``tmerge`` moves them between data sets: one class
(integer, numeric, logical, character, factor or date-time) and R's
coercions when one is assigned into another (``newvar[i] <- yinc[j]``).

tmerge.R decides by class (an event column and its update must have the same
class; a tdc's default becomes a new level of a factor), so the values carry
it: an integer column of pandas is R's integer, a float one R's double, a
categorical R's factor, an object column of strings R's character.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument

__all__ = ["Column", "column_of", "match_ids", "id_codes", "same_ids", "is_missing", "rclass", "r_string"]

_NS = 1e9  # date-times are seconds since the epoch, as R's POSIXct


def r_string(v: Any) -> str:
    """``as.character`` of one value (numbers to 15 significant digits)."""
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (float, np.floating)):
        return "%.15g" % v
    return str(v)


@dataclass(frozen=True, eq=False)
class Column:
    """One R vector. ``values``: floats (NaN = NA) for integer, numeric,
    logical and datetime (seconds); objects (None = NA) for character;
    integer codes (-1 = NA) for factor, with ``levels``."""

    kind: str
    values: np.ndarray
    levels: tuple[str, ...] = ()

    # construction -------------------------------------------------------
    @staticmethod
    def numbers(x: np.ndarray, datetime: bool = False) -> "Column":
        return Column("datetime" if datetime else "numeric", np.asarray(x, dtype=float))

    @staticmethod
    def integers(x: np.ndarray) -> "Column":
        return Column("integer", np.asarray(x, dtype=float))

    @staticmethod
    def of_series(s: pd.Series, rclass_hint: str | None = None) -> "Column":
        """The column as R has it; ``rclass_hint``: its R class when known (a
        column of NA only, an integer column with NA: pandas cannot say)."""
        hinted = _hinted(s, rclass_hint)
        if hinted is not None:
            return hinted
        dt = s.dtype
        if isinstance(dt, pd.CategoricalDtype):
            cat = pd.Categorical(s)
            return Column("factor", np.asarray(cat.codes, dtype=np.int64), tuple(r_string(v) for v in cat.categories))
        if pd.api.types.is_bool_dtype(dt):
            return Column("logical", s.astype(float).to_numpy(dtype=float, na_value=np.nan))
        if pd.api.types.is_integer_dtype(dt):
            return Column("integer", s.to_numpy(dtype=float, na_value=np.nan))
        if pd.api.types.is_float_dtype(dt):
            return Column("numeric", s.to_numpy(dtype=float, na_value=np.nan))
        if pd.api.types.is_datetime64_any_dtype(dt):
            arr = np.asarray(s, dtype="datetime64[ns]")
            secs = arr.astype(np.int64) / _NS
            return Column("datetime", np.where(np.isnat(arr), np.nan, secs))
        vals = s.to_numpy(dtype=object)
        present = [v for v in vals if not _na(v)]
        if present and all(isinstance(v, (bool, np.bool_)) for v in present):
            return Column("logical", np.array([np.nan if _na(v) else float(v) for v in vals]))
        if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
               for v in present):
            return Column("numeric", np.array([np.nan if _na(v) else float(v) for v in vals]))
        if all(isinstance(v, str) for v in present):
            return Column("character", np.array([None if _na(v) else v for v in vals], dtype=object))
        raise InvalidArgument(f"column {s.name!r} mixes types {sorted({type(v).__name__ for v in present})}; it has "
                              "no R counterpart", kind="argument.type")

    # reading ------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.values.size)

    def missing(self) -> np.ndarray:
        if self.kind == "factor":
            return self.values < 0
        if self.kind == "character":
            return np.array([v is None for v in self.values], dtype=bool)
        return np.isnan(self.values)

    def times(self) -> np.ndarray:
        """The values as times (floats); R's tmerge needs sortable numbers."""
        if self.kind not in ("integer", "numeric", "datetime", "logical"):
            raise InvalidArgument(f"a tmerge time must be numeric or a date-time; got {self.kind} values",
                                  kind="time.type")
        return self.values

    def numbers_or_none(self) -> np.ndarray | None:
        return self.values if self.kind in ("integer", "numeric", "logical") else None

    def take(self, idx: np.ndarray) -> "Column":
        return Column(self.kind, self.values[np.asarray(idx, dtype=np.int64)], self.levels)

    def repeat(self, n: int) -> "Column":
        return Column(self.kind, np.repeat(self.values, n), self.levels)

    def empty_like(self, n: int) -> "Column":
        """``x[k]`` beyond a zero-length ``x``: NA of its class."""
        if self.kind == "factor":
            return Column("factor", np.full(n, -1, dtype=np.int64), self.levels)
        if self.kind == "character":
            return Column("character", np.full(n, None, dtype=object))
        return Column(self.kind, np.full(n, np.nan))

    def series(self) -> pd.Series:
        if self.kind == "factor":
            return pd.Series(pd.Categorical.from_codes(self.values.astype(np.int64), categories=list(self.levels)))
        if self.kind == "character":
            return pd.Series(self.values, dtype=object)
        miss = np.isnan(self.values)
        if self.kind == "datetime":
            ns = np.where(miss, 0, np.round(self.values * _NS)).astype(np.int64)
            out = ns.astype("datetime64[ns]")
            out[miss] = np.datetime64("NaT")
            return pd.Series(out)
        if self.kind == "logical":
            if miss.any():
                return pd.Series([None if m else bool(v) for v, m in zip(self.values, miss)], dtype=object)
            return pd.Series(self.values.astype(bool))
        if self.kind == "integer" and not miss.any():
            return pd.Series(self.values.astype(np.int64))
        return pd.Series(self.values.astype(float))

    # R's assignments ----------------------------------------------------
    def fill(self, mask: np.ndarray, default: Any) -> "Column":
        """``newvar[mask] <- default`` for a tdc's value before its first time."""
        if _na(default):
            return self._set(mask, self.empty_like(int(mask.sum())))
        if self.kind in ("integer", "numeric"):
            try:
                d = float(default)
            except (TypeError, ValueError):
                d = np.nan  # as.numeric("x"): NA (R warns)
            v = self.values.copy()
            v[mask] = d
            return Column("numeric", v)
        if self.kind == "factor":
            label = r_string(default)
            levels = self.levels if label in self.levels else self.levels + (label,)
            v = self.values.copy()
            v[mask] = levels.index(label)
            return Column("factor", v, levels)
        if self.kind == "character":
            v = self.values.copy()
            v[mask] = r_string(default)
            return Column("character", v)
        if self.kind == "logical" and isinstance(default, (bool, np.bool_)):
            v = self.values.copy()
            v[mask] = float(default)
            return Column("logical", v)
        if self.kind == "logical" and isinstance(default, (int, float, np.integer, np.floating)):
            v = self.values.copy()
            v[mask] = float(default)
            return Column("numeric", v)
        if self.kind == "logical":
            chars = np.array([None if np.isnan(x) else ("TRUE" if x else "FALSE") for x in self.values], dtype=object)
            chars[mask] = r_string(default)
            return Column("character", chars)
        v = self.values.copy()
        v[mask] = float(default)
        return Column(self.kind, v)

    def assign(self, mask: np.ndarray, other: "Column") -> "Column":
        """``newvar[mask] <- other`` (in order), R's coercion to the wider class."""
        return self._set(mask, other)

    def _set(self, mask: np.ndarray, other: "Column") -> "Column":
        if self.kind == "factor" and other.kind == "factor":
            labels = [other.levels[c] if c >= 0 else None for c in other.values]
            levels = self.levels + tuple(x for x in dict.fromkeys(lab for lab in labels if lab is not None)
                                         if x not in self.levels)
            v = self.values.copy()
            v[mask] = [levels.index(lab) if lab is not None else -1 for lab in labels]
            return Column("factor", v, levels)
        if self.kind == "character" or other.kind in ("character", "factor") or self.kind == "factor":
            mine = self.as_strings()
            mine[mask] = other.as_strings()
            return Column("character", mine)
        kind = _wider(self.kind, other.kind)
        v = self.values.copy()
        v[mask] = other.values
        return Column(kind, v)

    def as_strings(self) -> np.ndarray:
        if self.kind == "character":
            return self.values.copy()
        if self.kind == "factor":
            return np.array([self.levels[c] if c >= 0 else None for c in self.values], dtype=object)
        if self.kind == "logical":
            return np.array([None if np.isnan(x) else ("TRUE" if x else "FALSE") for x in self.values], dtype=object)
        return np.array([None if np.isnan(x) else r_string(float(x)) for x in self.values], dtype=object)

    def censored(self, n: int) -> "Column | None":
        """A new event column of this value's class, every row censored
        (tmerge.R: ``rep(0L, n)``, the first level, ``""`` or ``FALSE``)."""
        if self.kind in ("integer", "numeric"):
            return Column("integer", np.zeros(n))
        if self.kind == "factor":
            return Column("factor", np.zeros(n, dtype=np.int64), self.levels)
        if self.kind == "character":
            return Column("character", np.full(n, "", dtype=object))
        if self.kind == "logical":
            return Column("logical", np.zeros(n))
        return None

    def censor_value(self) -> Any:
        """The censoring value R keeps for a new event column (``tcens``)."""
        return {"factor": self.levels[0] if self.levels else "", "logical": False, "character": "",
                "integer": 0}.get(self.kind, 0.0)


def _hinted(s: pd.Series, rclass_hint: str | None) -> "Column | None":
    if rclass_hint is None or isinstance(s.dtype, pd.CategoricalDtype) or \
            pd.api.types.is_datetime64_any_dtype(s.dtype):
        return None
    vals = s.to_numpy(dtype=object)
    present = [v for v in vals if not _na(v)]
    if rclass_hint == "character" and all(isinstance(v, str) for v in present):
        return Column("character", np.array([None if _na(v) else v for v in vals], dtype=object))
    numeric = all(isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)) for v in present)
    if rclass_hint in ("integer", "numeric", "logical") and numeric:
        return Column(rclass_hint, np.array([np.nan if _na(v) else float(v) for v in vals], dtype=float))
    return None


def _wider(a: str, b: str) -> str:
    order = ["logical", "integer", "numeric"]
    if a == "datetime" or b == "datetime":
        return "datetime" if a == b else "numeric"
    return order[max(order.index(a), order.index(b))]


def rclass(c: Column) -> str:
    """``class(x)[1]`` of the vector."""
    return {"datetime": "POSIXct"}.get(c.kind, c.kind)


def _na(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, (float, np.floating)) and np.isnan(v))


def column_of(spec: Any, data2: pd.DataFrame, what: str, scalar_ok: bool = False) -> Column:
    """A term's time or value: a column of data2 (by name) or values."""
    if isinstance(spec, str):
        if spec not in data2.columns:
            raise InvalidArgument(f"{what}: {spec!r} is not a column of data2 (R: \"object '{spec}' not found\")",
                                  kind="data.column")
        return Column.of_series(data2[spec])
    if isinstance(spec, pd.Series):
        return Column.of_series(spec.reset_index(drop=True))
    if isinstance(spec, (pd.Categorical, pd.api.extensions.ExtensionArray)):  # a nullable integer keeps its class
        return Column.of_series(pd.Series(spec))
    if np.isscalar(spec) or spec is None:
        if not scalar_ok and len(data2) != 1:
            raise InvalidArgument(f"{what}: one value ({spec!r}) for {len(data2)} rows of data2 (R: 'argument is not "
                                  "the same length as id')", kind="tmerge.term")
        return Column.of_series(pd.Series([spec]))
    arr = np.asarray(spec)
    if arr.ndim != 1:
        raise InvalidArgument(f"{what}: must be a column name or one value per row of data2; got an array of shape "
                              f"{arr.shape}", kind="argument.shape")
    return Column.of_series(pd.Series(arr))


def is_missing(s: pd.Series) -> np.ndarray:
    return np.asarray(pd.isna(s), dtype=bool)


def _keys(s: pd.Series, numeric_ok: bool) -> pd.Index:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return pd.Index([r_string(v) if not _na(v) else None for v in s.astype(object)], dtype=object)
    if numeric_ok and (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
        return pd.Index(s.to_numpy(dtype=float, na_value=np.nan))
    return pd.Index([None if _na(v) else r_string(v) for v in s.tolist()], dtype=object)


def _numeric(s: pd.Series) -> bool:
    return not isinstance(s.dtype, pd.CategoricalDtype) and (pd.api.types.is_numeric_dtype(s.dtype)
                                                             or pd.api.types.is_bool_dtype(s.dtype))


def match_ids(x: pd.Series, table: pd.Series) -> np.ndarray:
    """R's ``match(x, table)`` (0-based, -1 for no match): numbers match
    numbers, otherwise both are compared as text (a factor by its labels)."""
    both = _numeric(x) and _numeric(table)
    kx, kt = _keys(x, both), _keys(table, both)
    pos = pd.Series(np.arange(len(kt)), index=kt)
    pos = pos[~pos.index.duplicated(keep="first")]
    return pos.reindex(kx).fillna(-1).to_numpy(dtype=np.int64)


def id_codes(x: pd.Series, table: pd.Series) -> np.ndarray:
    """``match(x, table)``, 1-based, 0 for no match: equal ids, equal codes."""
    return match_ids(x, table) + 1


def same_ids(a: pd.Series, b: pd.Series) -> bool:
    """``length(a) == length(b) && all(a == b)``."""
    return len(a) == len(b) and bool(np.all(match_ids(a, a) == match_ids(b, a)))
