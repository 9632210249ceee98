"""Input validation of pyimpl's functions.

Every failure raises :class:`~rparity_contract.errors.InvalidArgument` with a
message of the form "`name` must ...; got name[i]=value" and a refusal kind
(:mod:`rparity_contract.kinds`) derived from the argument's name.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.kinds import KINDS

__all__ = [
    "as_1d",
    "as_time",
    "as_event",
    "as_weights",
    "as_labels",
    "label_codes",
    "check_lengths",
    "as_count_table",
    "count_values",
    "as_probability",
    "as_choice",
    "show",
]


def show(x: Any) -> str:
    """``repr`` of a value as a user wrote it: numpy scalars as Python's
    (``-1.0``, not ``np.float64(-1.0)``)."""
    try:
        if isinstance(x, (float, np.floating)):
            return repr(float(x))
        return repr(x.item() if hasattr(x, "item") else x)
    except Exception:  # pragma: no cover - repr of exotic objects
        return repr(x)


_show = show


def _first_bad(name: str, values: np.ndarray, bad: np.ndarray) -> str:
    idx = np.flatnonzero(bad)
    more = f" ({idx.size} such values)" if idx.size > 1 else ""
    return f"got {name}[{idx[0]}]={_show(values[idx[0]])}{more}"


def as_1d(x: Any, name: str) -> np.ndarray:
    """A 1-D array from an array-like (Series, list, ndarray); scalars and 2-D are refused."""
    if x is None:
        raise InvalidArgument(f"`{name}` must be a 1-D array-like; got {name}=None", kind="argument.type")
    if isinstance(x, (pd.Series, pd.Index)):
        arr = x.to_numpy()
    else:
        arr = np.asarray(x)
    if arr.ndim != 1:
        raise InvalidArgument(f"`{name}` must be 1-D; got an array of shape {arr.shape}", kind="argument.shape")
    if arr.size == 0:
        raise InvalidArgument(f"`{name}` must not be empty; got length 0", kind="data.empty")
    return arr


def _as_float(x: Any, name: str) -> np.ndarray:
    arr = as_1d(x, name)
    if arr.dtype == bool:
        return arr.astype(float)
    try:
        out = arr.astype(float)
    except (TypeError, ValueError):
        bad = np.array([not _is_number(v) for v in arr])
        raise InvalidArgument(f"`{name}` must be numeric; {_first_bad(name, arr, bad)}",
                              kind=_kind(name, "type")) from None
    return out


def _kind(name: str, problem: str) -> str:
    """The refusal kind of ``problem`` with argument ``name``: ``time.type``,
    ``weights.negative``...; an argument without kinds of its own is ``argument``."""
    kind = f"{name}.{problem}"
    return kind if kind in KINDS else f"argument.{problem}" if f"argument.{problem}" in KINDS else "argument.type"


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def as_time(x: Any, name: str = "time") -> np.ndarray:
    """Survival times: finite and non-negative."""
    t = _as_float(x, name)
    bad = ~np.isfinite(t)
    if bad.any():
        raise InvalidArgument(
            f"`{name}` must be finite (no NaN or infinite times); {_first_bad(name, t, bad)}",
            kind=_kind(name, "nonfinite"))
    bad = t < 0
    if bad.any():
        raise InvalidArgument(f"`{name}` must be non-negative; {_first_bad(name, t, bad)}",
                              kind=_kind(name, "negative"))
    return t


def as_event(x: Any, name: str = "event") -> np.ndarray:
    """Event indicator: 0/1 or False/True. Returned as float 0.0/1.0."""
    arr = as_1d(x, name)
    if arr.dtype == bool:
        return arr.astype(float)
    e = _as_float(arr, name)
    bad = ~((e == 0) | (e == 1))
    if bad.any():
        raise InvalidArgument(
            f"`{name}` must be 0/1 or False/True (1 = event); {_first_bad(name, e, bad)}",
            kind=_kind(name, "values"))
    return e


def as_weights(x: Any, n: int, name: str = "weights") -> np.ndarray:
    """Case weights: finite and non-negative; ``None`` gives all ones."""
    if x is None:
        return np.ones(n)
    w = _as_float(x, name)
    check_lengths(**{name: w}, _n=n)
    bad = ~np.isfinite(w)
    if bad.any():
        raise InvalidArgument(f"`{name}` must be finite; {_first_bad(name, w, bad)}", kind=_kind(name, "nonfinite"))
    bad = w < 0
    if bad.any():
        raise InvalidArgument(f"`{name}` must be non-negative; {_first_bad(name, w, bad)}",
                              kind=_kind(name, "negative"))
    return w


def label_codes(x: Any, name: str) -> tuple[np.ndarray, list]:
    """Group labels -> (integer codes, levels); code -1 marks a missing label.

    Levels keep a pandas Categorical's order (all its categories); otherwise they
    are the sorted unique non-missing values (numbers numerically, strings by code
    point). rbridge passes these levels to R explicitly, so R's locale never
    decides the order.
    """
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        cat = pd.Categorical(x)
    elif isinstance(x, pd.Categorical):
        cat = x
    else:
        arr = as_1d(x, name)
        if isinstance(x, pd.Series):
            miss = np.asarray(pd.isna(x))
        elif arr.dtype.kind == "f":
            miss = np.isnan(arr)
        elif arr.dtype == object:
            miss = np.array([v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                             for v in arr.tolist()], dtype=bool)
        else:
            miss = np.zeros(arr.size, dtype=bool)
        if arr.dtype.kind in "iub":
            # integers (no missing value possible): one sort gives the sorted
            # levels and the codes, as the general way below would
            uniq, inv = np.unique(arr, return_inverse=True)
            codes = inv.reshape(-1).astype(np.intp)
            if codes.size == 0:
                raise InvalidArgument(f"`{name}` must not be empty; got length 0", kind="data.empty")
            return codes, [_plain(v) for v in uniq.tolist()]
        try:
            levels = sorted(set(arr[~miss].tolist()))
        except TypeError:
            raise InvalidArgument(
                f"`{name}` must hold values of one type (numbers or strings); got a mixture",
                kind=_kind(name, "type")) from None
        cat = pd.Categorical(np.where(miss, None, arr).tolist() if miss.any() else arr, categories=levels)
    codes = np.asarray(cat.codes).astype(np.intp)
    if codes.size == 0:
        raise InvalidArgument(f"`{name}` must not be empty; got length 0", kind="data.empty")
    return codes, [_plain(v) for v in cat.categories]


def as_labels(x: Any, name: str, *, min_levels: int = 1) -> tuple[np.ndarray, list]:
    """Group labels with none missing -> (codes 0..k-1, the k levels used); see
    :func:`label_codes` for the order of the levels."""
    arr = x.to_numpy() if isinstance(x, pd.Series) and not isinstance(x.dtype, pd.CategoricalDtype) else x
    if isinstance(arr, np.ndarray) and arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            raise InvalidArgument(
                f"`{name}` must not contain missing or infinite values; {_first_bad(name, arr, bad)}",
                kind=_kind(name, "missing"))
    codes, levels = label_codes(x, name)
    if (codes < 0).any():
        shown = np.asarray(x.astype(object) if isinstance(x, pd.Series) else x, dtype=object)
        raise InvalidArgument(f"`{name}` must not contain missing values; {_first_bad(name, shown, codes < 0)}",
                              kind=_kind(name, "missing"))
    used = np.unique(codes)
    remap = np.full(len(levels), -1)
    remap[used] = np.arange(used.size)
    levels = [levels[i] for i in used]
    if len(levels) < min_levels:
        raise InvalidArgument(
            f"`{name}` must have at least {min_levels} distinct values; got only {levels}",
            kind=_kind(name, "levels"))
    return remap[codes].astype(np.intp), levels


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def check_lengths(_n: int | None = None, **arrays: Any) -> int:
    """All given arrays (None skipped) have the same length; returns it."""
    lens = {k: len(v) for k, v in arrays.items() if v is not None}
    if _n is not None:
        ref = _n
    else:
        ref = next(iter(lens.values()))
    bad = {k: n for k, n in lens.items() if n != ref}
    if bad:
        shown = ", ".join(f"len({k})={n}" for k, n in lens.items())
        raise InvalidArgument(f"arguments must have equal lengths; got {shown}" + (
            f" (expected {ref})" if _n is not None else ""), kind="lengths")
    return ref


def as_count_table(table: Any, name: str = "table", *, integers: bool = True, allow_inf: bool = False,
                   type_kind: str = "table.type") -> np.ndarray:
    """A 2-D contingency table of non-negative counts (at least 2 x 2): whole
    numbers unless ``integers`` is False, finite unless ``allow_inf``."""
    if isinstance(table, pd.DataFrame):
        arr = table.to_numpy()
    else:
        arr = np.asarray(table)
    if arr.ndim != 2:
        raise InvalidArgument(f"`{name}` must be a 2-D table of counts; got shape {arr.shape}", kind="table.shape")
    if arr.shape[0] < 2 or arr.shape[1] < 2:
        raise InvalidArgument(
            f"`{name}` must have at least 2 rows and 2 columns; got shape {arr.shape}", kind="table.shape")
    return count_values(arr, name, integers=integers, allow_inf=allow_inf, type_kind=type_kind)


def count_values(arr: np.ndarray, name: str, *, integers: bool = True, allow_inf: bool = False,
                 type_kind: str = "table.type") -> np.ndarray:
    """The counts of a table or vector as floats: numeric, not NaN, finite
    unless ``allow_inf``, non-negative, whole numbers if ``integers``."""
    try:
        if arr.dtype.kind not in "biuf":
            raise TypeError
        f = arr.astype(float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`{name}` must hold numeric counts; got dtype {arr.dtype}",
                              kind=type_kind) from None
    checks = [(np.isnan(f) if allow_inf else ~np.isfinite(f), "must hold finite counts"),
              (f < 0, "counts must be non-negative")]
    if integers:
        checks.append((np.isfinite(f) & (f != np.round(f)), "counts must be integers"))
    for bad, what in checks:
        if bad.any():
            idx = np.argwhere(bad)[0]
            at = ", ".join(str(int(i)) for i in idx)
            more = f" ({int(bad.sum())} such cells)" if bad.sum() > 1 else ""
            raise InvalidArgument(f"`{name}` {what}; got {name}[{at}]={_show(f[tuple(idx)])}{more}",
                                  kind="table.values")
    return f


def as_probability(x: Any, name: str, *, open_interval: bool = True) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`{name}` must be a number between 0 and 1; got {name}={x!r}",
                              kind=_kind(name, "value")) from None
    ok = (0 < v < 1) if open_interval else (0 <= v <= 1)
    if not ok:
        rng = "strictly between 0 and 1" if open_interval else "between 0 and 1"
        raise InvalidArgument(f"`{name}` must be {rng}; got {name}={x!r}", kind=_kind(name, "value"))
    return v


def as_choice(x: Any, name: str, choices: tuple[str, ...], *, partial: bool = False) -> str:
    """``x`` if it is one of ``choices``. ``partial``: R's ``match.arg``, where
    a unique abbreviation names its choice (``"schoen"``: ``"schoenfeld"``) and
    an exact match wins over longer ones (``"dfbeta"``, not ``"dfbetas"``)."""
    if x in choices:
        return x
    if partial and isinstance(x, str) and x:
        hits = [c for c in choices if c.startswith(x)]
        if len(hits) == 1:
            return hits[0]
    raise InvalidArgument(f"`{name}` must be one of {', '.join(map(repr, choices))}"
                          f"{' (or an abbreviation of one)' if partial else ''}; got {name}={x!r}",
                          kind=_kind(name, "value"))
