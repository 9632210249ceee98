"""R's ``model.matrix`` of a formula's terms, interactions included.

Follows ``modelmatrix`` in R's ``model.c``: each term contributes the
products of its variables' columns, the first variable varying fastest;
a numeric variable is one column (named by its label), a factor (or logical)
coded 1 gives its contrast columns (treatment contrasts: every level but the
first, ``<label><level>``), coded 2 every level; column names join the parts
with ``:``. The codes are the formula's (``TermCode``, see
:mod:`rparity_contract.formula.model`). As in R, a factor with one level is
refused under contrasts ("contrasts can be applied only to factors with 2 or
more levels").
"""
from __future__ import annotations

import numpy as np

from rparity_contract.errors import InvalidArgument

from ..design import Design, Term

__all__ = ["terms_matrix"]


def _parts(t: Term, code: int) -> list[tuple[np.ndarray, str]]:
    """The columns one variable gives in a term, with their name parts."""
    if t.kind == "numeric":
        assert t.values is not None
        return [(np.asarray(t.values, dtype=float), t.name)]
    if t.kind == "matrix":  # R: one column per matrix column, named <label><colname>
        assert t.values is not None
        return [(np.asarray(t.values[:, k], dtype=float), f"{t.name}{s}") for k, s in enumerate(t.levels)]
    assert t.codes is not None
    if code == 1 and len(t.levels) < 2 and t.kind == "factor":
        raise InvalidArgument(f"`formula` variable {t.name!r} is a factor with {len(t.levels)} level(s) "
                              f"{list(t.levels)}; R's model.matrix refuses it: 'contrasts can be applied only to "
                              "factors with 2 or more levels'", kind="X.levels")
    miss = t.codes < 0
    out = []
    for k in range(1 if code == 1 else 0, len(t.levels)):
        v = (t.codes == k).astype(float)
        v[miss] = np.nan
        out.append((v, f"{t.name}{t.levels[k]}"))
    return out


def terms_matrix(variables: list[Term], terms: list[tuple[int, ...]], codes: list[tuple[int, ...]],
                 labels: list[str], n: int) -> Design:
    """The model matrix (no intercept column) of ``terms`` (indices into
    ``variables``, with their factor ``codes``); rows as given."""
    cols: list[np.ndarray] = []
    names: list[str] = []
    assign: list[tuple[int, ...]] = []
    for term, code in zip(terms, codes):
        start = len(cols)
        block: list[tuple[np.ndarray | None, str]] = [(None, "")]  # None: the column of ones (1 * b is b)
        for j, c in zip(term, code):  # the first variable varies fastest
            parts = _parts(variables[j], c)
            block = [(b if a is None else a * b, f"{na}:{nb}" if na else nb) for b, nb in parts for a, na in block]
        for v, name in block:
            cols.append(np.ones(n) if v is None else v)
            names.append(name)
        assign.append(tuple(range(start, len(cols))))
    x = np.empty((n, len(cols)), order="F")
    for j, c in enumerate(cols):
        x[:, j] = c
    return Design(x=x, names=tuple(names), terms=tuple(variables), assign=tuple(assign), labels=tuple(labels))
