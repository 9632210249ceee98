"""The Cox design matrix: R's ``model.matrix`` for a DataFrame of covariates.

* numeric columns (ints, floats, pandas nullable numbers) enter as they are;
* bool columns are, as in R, a factor with levels ``FALSE, TRUE``: one column
  named ``<name>TRUE``;
* categorical columns expand with treatment contrasts: one 0/1 column per level
  after the first, named ``<name><level>``; unused levels are kept (R's
  ``model.frame`` does not drop them, so their coefficient is NA);
* anything else (strings, dates, objects) is refused: R would turn strings into
  factors with a locale-dependent level order, which is how silent differences
  between engines start.

Missing values stay NaN here; :func:`complete_rows` finds the rows R's
``na.omit`` keeps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidArgument

__all__ = ["Design", "build_design", "TermInfo"]


@dataclass(frozen=True)
class TermInfo:
    """One column of the user's DataFrame: its kind and, for factors, levels."""

    name: str
    kind: str  # "numeric" | "logical" | "factor"
    levels: tuple = ()


@dataclass(frozen=True)
class Design:
    """The expanded design.

    Attributes
    ----------
    x : (n, p) float array, NaN where the source value was missing
    names : coefficient names, as R's ``model.matrix`` would give them
    terms : the source columns (R's terms), in order
    assign : for each term, the indices of its columns in ``x``
    """

    x: np.ndarray
    names: tuple[str, ...]
    terms: tuple[TermInfo, ...]
    assign: tuple[tuple[int, ...], ...]

    @property
    def term_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.terms)


def _as_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame(name=str(X.name) if X.name is not None else "x")
    arr = np.asarray(X) if X is not None else None
    if arr is None or arr.ndim not in (1, 2) or arr.dtype == object:
        raise InvalidArgument(
            "`X` must be a pandas DataFrame of covariates (numeric, bool or categorical columns); "
            f"got X={type(X).__name__}"
        )
    if arr.ndim == 1:
        arr = arr[:, None]
    return pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])


def build_design(X) -> Design:
    """Expand ``X`` as R's ``model.matrix`` (treatment contrasts, no intercept)."""
    df = _as_frame(X)
    if df.shape[1] == 0:
        raise InvalidArgument("`X` must have at least one covariate column; got 0 columns")
    names = [str(c) for c in df.columns]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidArgument(f"`X` column names must be unique; got duplicates {dup}")
    cols: list[np.ndarray] = []
    coef_names: list[str] = []
    terms: list[TermInfo] = []
    assign: list[tuple[int, ...]] = []
    for name, col in zip(names, (df.iloc[:, j] for j in range(df.shape[1]))):
        dtype = col.dtype
        start = len(cols)
        if isinstance(dtype, pd.CategoricalDtype):
            levels = list(dtype.categories)
            if len(levels) < 2:
                raise InvalidArgument(
                    f"`X` column {name!r} is categorical with {len(levels)} level(s) "
                    f"{[str(v) for v in levels]}; R's model.matrix refuses it: "
                    "'contrasts can be applied only to factors with 2 or more levels'"
                )
            codes = np.asarray(col.cat.codes)
            missing = codes < 0
            for k in range(1, len(levels)):
                v = (codes == k).astype(float)
                v[missing] = np.nan
                cols.append(v)
                coef_names.append(f"{name}{levels[k]}")
            terms.append(TermInfo(name, "factor", tuple(str(v) for v in levels)))
        elif pd.api.types.is_bool_dtype(dtype):
            v = col.astype("float64") if dtype == bool else col.astype("Float64").to_numpy(
                dtype=float, na_value=np.nan)
            cols.append(np.asarray(v, dtype=float))
            coef_names.append(f"{name}TRUE")
            terms.append(TermInfo(name, "logical", ("FALSE", "TRUE")))
        elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
            v = col.to_numpy(dtype=float, na_value=np.nan)
            cols.append(v)
            coef_names.append(name)
            terms.append(TermInfo(name, "numeric"))
        else:
            sample = col.dropna()
            shown = repr(sample.iloc[0]) if len(sample) else "no values"
            raise InvalidArgument(
                f"`X` column {name!r} must be numeric, bool or categorical (pandas Categorical, "
                f"so that the level order is explicit); got dtype {dtype} (e.g. {shown})"
            )
        assign.append(tuple(range(start, len(cols))))
    x = np.empty((len(df), len(cols)), order="F")
    for j, c in enumerate(cols):
        x[:, j] = c
    return Design(x=x, names=tuple(coef_names), terms=tuple(terms), assign=tuple(assign))
