"""R's ``model.frame`` for a formula call: the variables evaluated on every
row of ``data``, then ``subset`` applied (model.frame.default's order: a
``factor()`` keeps the levels of the whole data; a column of strings becomes
a factor with the levels of the rows kept, as ``model.matrix`` makes it)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.formula import Expr, ModelFormula, Name, parse_expr, parse_formula
from rparity_contract.formula.expr import names_in

from ..design import Term, _read_column
from .evaluate import evaluate

__all__ = ["Frame", "model_frame", "subset_rows", "as_series", "column_or_values", "complete_frame",
           "incomplete_elsewhere", "response_start"]


@dataclass(frozen=True)
class Frame:
    """The variables of a formula on the rows kept by ``subset``."""

    formula: ModelFormula
    data: pd.DataFrame  # the caller's data, rows kept by subset (index reset)
    rows: np.ndarray  # those rows' positions in the caller's data
    variables: list[Term]
    response: list[Term]
    offsets: list[Term]
    unused: list[Term]  # variables in no term (``- x``): their missing values drop rows too
    na_rows: np.ndarray  # rows an NA in ``subset`` made (every value missing)


def _check_data(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgument(f"`data` must be a pandas DataFrame with the formula's columns; got "
                              f"{type(data).__name__}", kind="data.type")
    names = [str(c) for c in data.columns]
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise InvalidArgument(f"`data` column names must be unique; got duplicates {dup}", kind="X.names")
    return data


def subset_rows(subset: Any, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """R's ``subset=``: a logical vector, row positions (0-based, Python's),
    or an R expression on the data's columns. Returns the rows and which of
    them are NA: R's ``x[NA, ]`` keeps a row of missing values there, which
    ``na.omit`` then drops and reports."""
    n = len(data)
    if subset is None:
        return np.arange(n), np.zeros(n, dtype=bool)
    if isinstance(subset, str):
        expr = parse_expr(subset)
        term = evaluate([expr], data)[0]
        if term.kind == "numeric":
            assert term.values is not None
            # a constant (no column in it) is one number, as R evaluates it, not one per row
            return _r_positions(subset, term.values if names_in(expr) else term.values[:1], n)
        if term.kind != "logical":
            raise InvalidArgument(f"`subset` must be a logical expression or row numbers; got subset={subset!r} "
                                  f"({term.kind})", kind="subset.value")
        assert term.codes is not None
        rows = np.flatnonzero(term.codes != 0)
        return rows, term.codes[rows] < 0
    if isinstance(subset, pd.Series) and pd.api.types.is_bool_dtype(subset.dtype):
        miss = np.asarray(subset.isna())
        val = np.asarray(subset.fillna(False), dtype=bool)
        if val.shape != (n,):
            raise InvalidArgument(f"`subset` as a mask must have one value per row of data ({n}); got shape "
                                  f"{val.shape}", kind="subset.value")
        rows = np.flatnonzero(val | miss)
        return rows, miss[rows]
    arr = np.asarray(subset)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InvalidArgument(f"`subset` as a mask must have one value per row of data ({n}); got shape "
                                  f"{arr.shape}", kind="subset.value")
        rows = np.flatnonzero(arr)
        return rows, np.zeros(rows.size, dtype=bool)
    if arr.dtype.kind in "iu" and arr.ndim == 1:
        if arr.size and (arr.min() < 0 or arr.max() >= n):
            raise InvalidArgument(f"`subset` row positions must be in 0..{n - 1}; got {arr.min()}..{arr.max()}",
                                  kind="subset.value")
        return arr.astype(np.intp), np.zeros(arr.size, dtype=bool)
    raise InvalidArgument(f"`subset` must be a boolean mask, row positions or an R expression; got "
                          f"{type(subset).__name__}", kind="subset.value")


def _r_positions(subset: str, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """R's ``data[i, ]`` for numbers ``i`` (1-based, truncated toward zero):
    positive ones pick rows (repeats repeat them; NA: a row of missing values,
    dropped later by ``na.omit``), negative ones drop rows, zeros are ignored;
    positive and negative together, or a row beyond the data, are R's errors
    (``[.data.frame`` on a model frame: "subscript out of bounds")."""
    v = np.trunc(values)
    na = np.isnan(v)
    if (v[~na] < 0).any():
        if (v[~na] > 0).any() or na.any():
            raise InvalidArgument(f"`subset` row numbers mix positive (or NA) and negative ones (R: 'only 0's may "
                                  f"be mixed with negative subscripts'); got subset={subset!r}", kind="subset.value")
        keep = np.ones(n, dtype=bool)
        drop = (-v[v < 0] - 1).astype(np.intp)
        keep[drop[drop < n]] = False
        rows = np.flatnonzero(keep)
        return rows, np.zeros(rows.size, dtype=bool)
    v = v[na | (v != 0)]
    if (v[~np.isnan(v)] > n).any():
        raise InvalidArgument(f"`subset` row numbers must be at most the number of rows ({n}) (R: 'subscript out "
                              f"of bounds'); got subset={subset!r}", kind="subset.value")
    missing = np.isnan(v)
    if missing.any() and n == 0:
        raise InvalidArgument(f"`subset` picks rows of an empty data frame; got subset={subset!r}",
                              kind="subset.value")
    return np.where(missing, 0, np.nan_to_num(v) - 1).astype(np.intp), missing


def _status_coding(event: Term) -> Term:
    """Surv()'s 1/2 coding, decided on the whole data: model.frame evaluates
    ``Surv(time, status)`` before ``subset`` takes rows, so a subset holding
    only 1s (censored, in lung's coding) stays censored. Other values are read
    later, row by row (:func:`pyimpl.survival.surv.read_surv`, where the
    coding of already 0/1 values changes nothing)."""
    from ..survival.surv import one_two_coding

    if event.kind != "numeric" or event.values is None:
        return event
    return Term(event.name, "numeric", values=one_two_coding(event.values))


def model_frame(formula: Any, data: Any, subset: Any = None, *,
                surv_types: tuple[str, ...] = ("right", "counting")) -> Frame:
    """Parse ``formula`` against ``data`` and evaluate it (see the module).
    ``surv_types``: the ``Surv(..., type = )`` the caller reads (survreg also
    "left", "interval", "interval2"); another given type is refused."""
    data = _check_data(data)
    mf = formula if isinstance(formula, ModelFormula) else parse_formula(formula, [str(c) for c in data.columns])
    rt = mf.response.type if mf.response is not None else None
    if rt is not None and rt not in surv_types:
        raise InvalidArgument(f"`formula` response: Surv(..., type = {rt!r}) data are not supported by this function "
                              "(survreg takes left and interval censored data)", kind="formula.response")
    rows, na_rows = subset_rows(subset, data)
    resp_exprs: list[Expr] = list(mf.response.args) if mf.response is not None else []
    terms = evaluate(list(mf.variables) + resp_exprs + list(mf.offsets) + list(mf.unused), data, mf.functions)
    nv, nr, no = len(mf.variables), len(resp_exprs), len(mf.offsets)
    if mf.response is not None and mf.response.surv and mf.response.event is not None \
            and mf.response.type in (None, "right", "left", "counting"):  # Surv.R: no 1/2 coding of 0-3 statuses
        terms[nv + nr - 1] = _status_coding(terms[nv + nr - 1])
    if subset is not None:  # (without a subset the rows are all of them, in order: nothing to take)
        terms = [t.take(rows) for t in terms]
    unchanged = subset is None and isinstance(data.index, pd.RangeIndex) and data.index.start == 0 \
        and data.index.step == 1
    sub = data if unchanged else data.iloc[rows].reset_index(drop=True)  # (read only: no copy needed)
    variables = terms[:nv]
    return Frame(formula=mf, data=sub, rows=rows, variables=variables, response=terms[nv:nv + nr],
                 offsets=terms[nv + nr:nv + nr + no], unused=terms[nv + nr + no:], na_rows=na_rows)


def complete_frame(frame: Frame, extra: list[Any]) -> Frame:
    """``frame`` with its string columns made factors over the complete rows
    only (``na.omit`` first, then ``model.matrix``'s ``factor()``): complete in
    every variable, the response, the offsets, the variables in no term and
    the ``extra`` arrays (weights, cluster)."""
    complete = ~frame.na_rows
    for t in frame.variables + frame.response + frame.offsets + frame.unused:
        complete &= ~t.missing
    for a in extra:
        if a is not None:
            complete &= ~np.asarray(pd.isna(pd.Series(np.asarray(a, dtype=object) if not isinstance(a, pd.Series)
                                                      else a)))
    variables = list(frame.variables)
    for j, e in enumerate(frame.formula.variables):
        if isinstance(e, Name) and _is_strings(frame.data[e.id]):
            col = frame.data[e.id].where(complete, None)
            variables[j] = _read_column(variables[j].name, col, "data")
    return Frame(formula=frame.formula, data=frame.data, rows=frame.rows, variables=variables,
                 response=frame.response, offsets=frame.offsets, unused=frame.unused, na_rows=frame.na_rows)


def incomplete_elsewhere(frame: Frame) -> np.ndarray:
    """Rows missing a value in a variable that is in no term (``- x``), and
    the rows of an NA in ``subset``."""
    bad = frame.na_rows.copy()
    for t in frame.unused:
        bad |= t.missing
    return bad


def _is_strings(s: pd.Series) -> bool:
    return (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)) \
        and not isinstance(s.dtype, pd.CategoricalDtype)


def as_series(t: Term) -> pd.Series:
    """A model-frame variable as the array form takes it: numbers, a nullable
    boolean, or a Categorical with the variable's levels."""
    if t.kind == "numeric":
        return pd.Series(t.values, name=t.name)
    assert t.codes is not None
    if t.kind == "logical":
        return pd.Series(pd.array(np.where(t.codes < 0, None, t.codes == 1).tolist(), dtype="boolean"), name=t.name)
    return pd.Series(pd.Categorical.from_codes(t.codes, categories=list(t.levels)), name=t.name)


def column_or_values(value: Any, frame: Frame, arg: str, full: pd.DataFrame) -> Any:
    """``weights=``/``cluster=`` of a formula call: a column name of data, or
    one value per row of data; the rows kept by subset."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in full.columns:
            raise InvalidArgument(f"`{arg}` names {value!r}, which is not a column of `data`", kind="data.column")
        return full[value].iloc[frame.rows].reset_index(drop=True)
    arr = value.to_numpy() if isinstance(value, (pd.Series, pd.Index)) else np.asarray(value)
    if arr.ndim != 1 or arr.shape[0] != len(full):
        raise InvalidArgument(f"`{arg}` must have one value per row of data ({len(full)}); got shape "
                              f"{np.shape(arr)}", kind="lengths")
    return arr[frame.rows]


def response_start(frame: Frame) -> np.ndarray | None:
    """The start times of a ``Surv(start, stop, event)`` response (None for
    other responses), which must be numeric (R: 'Start time is not numeric')."""
    mf = frame.formula
    if mf.response is None or not mf.response.counting:
        return None
    st = frame.response[0]
    if st.kind != "numeric":
        raise InvalidArgument(f"`formula` response start {st.name!r} must be numeric (R: 'Start time is not "
                              "numeric')", kind="time.type")
    return np.asarray(st.values, dtype=float)
