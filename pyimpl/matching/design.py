"""Covariates -> model matrices, as R's ``model.frame``/``model.matrix`` build them.

* ``glm_matrix``: the design of ``glm(y ~ a + b + ...)``: an intercept, then
  each covariate in order; a numeric column is one column; a categorical
  (pandas Categorical, or strings) gets treatment contrasts, one 0/1 column
  per level after the first, named ``<column><level>``. Unused levels are
  dropped first (``glm`` calls ``model.frame(drop.unused.levels = TRUE)``).
* ``balance_matrix``: the rows of ``summary.matchit`` (``get.covs.matrix``:
  ``model.matrix`` with ``contrasts = FALSE``): every level of a categorical
  gets its column; no intercept.

Levels keep a pandas Categorical's order; strings are sorted by code point,
which is R's order in the C collation R runs under here. Booleans are used as
0/1 numbers (R would make a logical a ``TRUE`` dummy; the numbers are the same,
only the column name differs).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InvalidArgument

__all__ = ["Term", "covariate_terms", "glm_matrix", "balance_matrix", "column_labels"]


@dataclass(frozen=True)
class Term:
    """One covariate: ``kind`` is ``"numeric"`` (``values`` float) or
    ``"factor"`` (``codes`` into ``levels``, used levels only)."""

    name: str
    kind: str
    values: np.ndarray | None = None
    codes: np.ndarray | None = None
    levels: tuple = field(default=())


def _is_missing_obj(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT


def _term(name: str, s: pd.Series) -> tuple[Term | None, bool]:
    """(term, has_missing)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = np.asarray(s.cat.codes)
        if (codes < 0).any():
            return None, True
        used = np.unique(codes)
        remap = np.full(len(s.cat.categories), -1)
        remap[used] = np.arange(used.size)
        levels = tuple(_plain(s.cat.categories[i]) for i in used)
        return Term(name, "factor", codes=remap[codes].astype(np.intp), levels=levels), False
    if s.dtype == bool:
        return Term(name, "numeric", values=s.to_numpy().astype(float)), False
    if s.dtype.kind in "iuf":
        v = s.to_numpy(dtype=float, na_value=np.nan)
        if not np.isfinite(v).all():
            return None, True
        return Term(name, "numeric", values=v), False
    if s.dtype.kind in "bOSU" or pd.api.types.is_string_dtype(s.dtype):
        arr = s.to_numpy(dtype=object)
        if any(_is_missing_obj(v) for v in arr):
            return None, True
        if all(isinstance(v, (bool, np.bool_)) for v in arr):
            return Term(name, "numeric", values=arr.astype(float)), False
        try:
            levels = sorted(set(str(v) for v in arr))
        except TypeError:  # pragma: no cover
            raise InvalidArgument(f"`{name}` must hold numbers or strings; got a mixture") from None
        index = {lv: i for i, lv in enumerate(levels)}
        codes = np.array([index[str(v)] for v in arr], dtype=np.intp)
        return Term(name, "factor", codes=codes, levels=tuple(levels)), False
    try:
        v = s.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(
            f"`{name}` must be numeric, boolean, categorical or strings; got dtype {s.dtype}"
        ) from None
    if not np.isfinite(v).all():
        return None, True
    return Term(name, "numeric", values=v), False


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def covariate_terms(data: pd.DataFrame, columns, arg: str = "covariates") -> list[Term]:
    """Validate ``columns`` of ``data`` and turn each into a :class:`Term`."""
    if isinstance(columns, str):
        columns = [columns]
    try:
        columns = list(columns)
    except TypeError:
        raise InvalidArgument(f"`{arg}` must be a column name or a list of column names; got {arg}={columns!r}") from None
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InvalidArgument(
            f"`{arg}` must name columns of `data`; got {arg}={missing[0]!r}, not among "
            f"{list(map(str, data.columns))}"
        )
    dup = sorted({str(c) for c in columns if columns.count(c) > 1})
    if dup:
        raise InvalidArgument(f"`{arg}` must not repeat a column; got {dup[0]!r} more than once")
    terms, with_missing = [], []
    for c in columns:
        t, miss = _term(str(c), data[c])
        if miss:
            with_missing.append(str(c))
        else:
            terms.append(t)
    if with_missing:
        # MatchIt: "Missing and non-finite values are not allowed in the covariates."
        raise InvalidArgument(
            f"`{arg}` must not contain missing or non-finite values; got them in "
            f"{', '.join(with_missing)}"
        )
    return terms


def column_labels(term: Term, *, all_levels: bool) -> list[str]:
    if term.kind == "numeric":
        return [term.name]
    levels = term.levels if all_levels else term.levels[1:]
    return [f"{term.name}{lv}" for lv in levels]


def glm_matrix(terms: list[Term], n: int) -> tuple[np.ndarray, list[str]]:
    """(n x p design with intercept, column names) with treatment contrasts."""
    cols, names = [np.ones(n)], ["(Intercept)"]
    for t in terms:
        if t.kind == "numeric":
            cols.append(t.values)
        else:
            if len(t.levels) < 2:
                raise InvalidArgument(
                    f"`{t.name}` must have at least 2 distinct values to enter the model "
                    f"(R: contrasts can be applied only to factors with 2 or more levels); "
                    f"got only {list(t.levels)}"
                )
            for j in range(1, len(t.levels)):
                cols.append((t.codes == j).astype(float))
        names.extend(column_labels(t, all_levels=False))
    return np.column_stack(cols), names


def balance_matrix(terms: list[Term], n: int) -> tuple[np.ndarray, list[str]]:
    """(n x q matrix without intercept, names): every level of a factor."""
    cols, names = [], []
    for t in terms:
        if t.kind == "numeric":
            cols.append(t.values)
        else:
            for j in range(len(t.levels)):
                cols.append((t.codes == j).astype(float))
        names.extend(column_labels(t, all_levels=True))
    mat = np.column_stack(cols) if cols else np.zeros((n, 0))
    return mat, names
