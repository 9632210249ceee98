"""Covariates -> model matrices, with R's ``model.frame``/``model.matrix`` rules.

One builder for every model of pyimpl (``coxph``, ``glm_logit``, the
propensity model and the balance tables of ``matchit``):

* a numeric column (ints, floats, pandas nullable numbers) is one column;
* a logical column (bool, pandas ``boolean``) is, as in R, a factor with
  levels ``FALSE, TRUE``: one column ``<name>TRUE`` under treatment contrasts
  (``model.matrix``'s C code does this for logicals whatever values occur);
* a categorical column is a factor with the Categorical's categories as levels,
  in their order; numeric categories are labelled as R's ``as.character``
  (``1``, not ``1.0``);
* a column of strings is a factor with the sorted distinct strings as levels
  (``factor()``; code-point order, which is R's in the C locale only: R with
  ICU collation sorts ``x, y, Y``);
* anything else (dates, complex numbers, mixtures) is refused.

Columns: treatment contrasts name a factor's columns ``<name><level>`` for the
levels after the first; ``contrasts=False`` (MatchIt's balance tables,
``get.covs.matrix``) gives every level of a factor its column, and keeps a
logical as ``<name>TRUE``. ``drop_unused_levels`` is ``model.frame``'s option:
``glm`` sets it (levels unused in the rows kept are dropped first),
``coxph`` does not (an unused level's coefficient is then NA).

Missing values (NaN, None, pandas NA) mark their row; the caller decides what
to do with incomplete rows (R's ``na.omit``, or MatchIt's refusal).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument

from ._rformat import r_label

__all__ = ["Term", "Design", "read_terms", "model_matrix", "as_frame", "complete_rows"]


@dataclass(frozen=True)
class Term:
    """One source column (R's term).

    ``kind`` is ``"numeric"`` (``values``: float, NaN where missing),
    ``"logical"`` or ``"factor"`` (``codes`` into ``levels``, -1 where missing),
    or ``"matrix"`` (a matrix-valued variable such as ``poly(age, 3)``:
    ``values`` (n, k), ``levels`` the suffixes of its model-matrix columns,
    ``basis`` what evaluates it on new rows as it was on the fit's, R's
    ``makepredictcall``).
    """

    name: str
    kind: str
    values: np.ndarray | None = None
    codes: np.ndarray | None = None
    levels: tuple[str, ...] = ()
    basis: Any = None

    @property
    def missing(self) -> np.ndarray:
        if self.kind == "numeric":
            assert self.values is not None
            return np.isnan(self.values)
        if self.kind == "matrix":
            assert self.values is not None
            return np.isnan(self.values).any(axis=1)
        assert self.codes is not None
        return self.codes < 0

    def take(self, rows: np.ndarray) -> "Term":
        """The term on a subset of rows (levels unchanged)."""
        if self.kind in ("numeric", "matrix"):
            assert self.values is not None
            return Term(self.name, self.kind, values=self.values[rows], levels=self.levels, basis=self.basis)
        assert self.codes is not None
        return Term(self.name, self.kind, codes=self.codes[rows], levels=self.levels)


@dataclass(frozen=True)
class Design:
    """A model matrix.

    Attributes
    ----------
    x : (n, p) float array, Fortran order (NaN only where a source value was missing)
    names : column names, as R's ``model.matrix`` gives them
    terms : the source columns, in order (levels after any dropping)
    assign : for each term, the indices of its columns in ``x``
    """

    x: np.ndarray
    names: tuple[str, ...]
    terms: tuple[Term, ...]
    assign: tuple[tuple[int, ...], ...] = field(default=())
    labels: tuple[str, ...] | None = None  # a formula's term labels (interactions), when not one per source column

    @property
    def term_names(self) -> tuple[str, ...]:
        if self.labels is not None:
            return self.labels
        return tuple(t.name for t in self.terms)


def _missing_objects(arr: np.ndarray) -> np.ndarray:
    return np.array([v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v))
                     for v in arr.tolist()], dtype=bool)


def _read_column(name: str, s: pd.Series, arg: str) -> Term:
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return Term(name, "factor", codes=np.asarray(s.cat.codes).astype(np.intp),
                    levels=tuple(r_label(v) for v in dtype.categories))
    if pd.api.types.is_bool_dtype(dtype):
        miss = np.asarray(s.isna())
        codes = np.where(miss, -1, s.fillna(False).astype(bool).to_numpy().astype(np.intp))
        return Term(name, "logical", codes=codes, levels=("FALSE", "TRUE"))
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        # contiguous: a column of a row-major frame is a strided view, slow in every later pass
        return Term(name, "numeric", values=np.ascontiguousarray(s.to_numpy(dtype=float, na_value=np.nan)))
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        arr = s.to_numpy(dtype=object)
        miss = _missing_objects(arr)
        present = [v for v, m in zip(arr.tolist(), miss.tolist()) if not m]
        if present and all(isinstance(v, (bool, np.bool_)) for v in present):
            codes = np.array([-1 if m else int(bool(v)) for v, m in zip(arr.tolist(), miss.tolist())],
                             dtype=np.intp)
            return Term(name, "logical", codes=codes, levels=("FALSE", "TRUE"))
        if present and all(isinstance(v, (int, float, np.integer, np.floating))
                           and not isinstance(v, (bool, np.bool_)) for v in present):
            vals = np.array([np.nan if m else float(v) for v, m in zip(arr.tolist(), miss.tolist())])
            return Term(name, "numeric", values=vals)
        if all(isinstance(v, str) for v in present):
            levels = sorted(set(present))
            index = {lv: i for i, lv in enumerate(levels)}
            codes = np.array([-1 if m else index[v] for v, m in zip(arr.tolist(), miss.tolist())],
                             dtype=np.intp)
            return Term(name, "factor", codes=codes, levels=tuple(levels))
        raise InvalidArgument(f"`{arg}` column {name!r} must hold numbers, booleans or strings, not a mixture; "
                              f"got values of types {sorted({type(v).__name__ for v in present})}",
                              kind="X.type")
    sample = s.dropna()
    shown = repr(sample.iloc[0]) if len(sample) else "no values"
    raise InvalidArgument(f"`{arg}` column {name!r} must be numeric, logical, categorical or strings; "
                          f"got dtype {dtype} (e.g. {shown})", kind="X.type")


def as_frame(X: Any, arg: str = "X") -> pd.DataFrame:
    """``X`` as a DataFrame: a DataFrame as it is, a Series as one column, a
    1-D or 2-D array as columns ``x1..xp``."""
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame(name=str(X.name) if X.name is not None else "x1")
    if X is None:
        raise InvalidArgument(f"`{arg}` must be a pandas DataFrame of covariates; got {arg}=None",
                              kind="argument.type")
    arr = np.asarray(X)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise InvalidArgument(f"`{arg}` must be a DataFrame or a 2-D array; got an array of shape {arr.shape}",
                              kind="argument.shape")
    return pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])


def read_terms(data: pd.DataFrame, columns: list | None = None, arg: str = "X") -> list[Term]:
    """The terms of ``columns`` of ``data`` (all columns by default), in order."""
    cols = list(data.columns) if columns is None else list(columns)
    names = [str(c) for c in cols]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidArgument(f"`{arg}` column names must be unique; got duplicates {dup}", kind="X.names")
    return [_read_column(str(c), data[c], arg) for c in cols]


def complete_rows(terms: list[Term], n: int) -> np.ndarray:
    """Rows with no missing value in any term (what ``na.omit`` keeps)."""
    keep = np.ones(n, dtype=bool)
    for t in terms:
        keep &= ~t.missing
    return keep


def _used_levels(t: Term) -> Term:
    assert t.codes is not None
    used = np.unique(t.codes[t.codes >= 0])
    if used.size == len(t.levels):
        return t
    remap = np.full(len(t.levels), -1, dtype=np.intp)
    remap[used] = np.arange(used.size)
    codes = np.where(t.codes >= 0, remap[np.maximum(t.codes, 0)], -1)
    return Term(t.name, t.kind, codes=codes, levels=tuple(t.levels[i] for i in used))


def model_matrix(terms: list[Term], n: int, *, intercept: bool, contrasts: bool = True,
                 drop_unused_levels: bool = False, arg: str = "X") -> Design:
    """R's ``model.matrix`` of the terms (rows as given: subset them first).

    ``intercept`` adds ``(Intercept)``; ``contrasts=False`` gives every level
    of a factor its own column (a logical stays ``<name>TRUE``).
    """
    cols: list[np.ndarray] = []
    names: list[str] = []
    assign: list[tuple[int, ...]] = []
    kept: list[Term] = []
    if intercept:
        cols.append(np.ones(n))
        names.append("(Intercept)")
    for t in terms:
        start = len(cols)
        if t.kind == "factor" and drop_unused_levels:
            t = _used_levels(t)
        kept.append(t)
        if t.kind == "numeric":
            assert t.values is not None
            cols.append(np.asarray(t.values, dtype=float))
            names.append(t.name)
        else:
            assert t.codes is not None
            if t.kind == "factor" and len(t.levels) < 2 and contrasts:
                raise InvalidArgument(
                    f"`{arg}` column {t.name!r} is a factor with {len(t.levels)} level(s) {list(t.levels)}; "
                    "R's model.matrix refuses it: 'contrasts can be applied only to factors with 2 or more "
                    "levels'", kind="X.levels")
            first = 1 if (contrasts or t.kind == "logical") else 0
            miss = t.codes < 0
            for k in range(first, len(t.levels)):
                v = (t.codes == k).astype(float)
                v[miss] = np.nan
                cols.append(v)
                names.append(f"{t.name}{t.levels[k]}")
        assign.append(tuple(range(start, len(cols))))
    x = np.empty((n, len(cols)), order="F")
    for j, c in enumerate(cols):
        x[:, j] = c
    return Design(x=x, names=tuple(names), terms=tuple(kept), assign=tuple(assign))
