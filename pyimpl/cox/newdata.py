"""``newdata`` of a Cox fit: the model matrix of new rows, built as the fit's
(R's ``model.frame(Terms2, newdata, xlev = object$xlevels)`` then
``model.matrix``): the formula's variables evaluated on the new rows, each
factor read with the fit's levels (a value the fit never saw is R's error,
"factor has new levels"), the same terms and columns.

``strata``: when every strata variable is a column of ``newdata`` each row
belongs to its own stratum (survfit.coxph's ``found.strata``), which must be
one of the fit's; otherwise the rows carry no stratum. The array form has no
strata variable a row could name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import row_names
from rparity_contract.errors import InvalidArgument
from rparity_contract.formula.expr import Call, names_in
from rparity_contract.results.cox import CoxPH

from ..design import Term, as_frame, model_matrix, read_terms
from ..formula import combine, evaluate
from ..formula.evaluate import expand
from .refit import FitData

__all__ = ["NewRows", "new_rows"]


@dataclass(frozen=True)
class NewRows:
    x: np.ndarray  # (k, p) the fit's model-matrix columns for the new rows
    offset: np.ndarray | float  # the offset() terms summed on the new rows (0 without)
    strata: np.ndarray | None  # each row's stratum (the fit's codes) when newdata names the strata
    labels: tuple[str, ...]  # R's row names of the new rows: "1".."k"
    n: int


def new_rows(fit: CoxPH, fd: FitData, newdata: Any, strata: str = "auto") -> NewRows:
    """The new rows' model matrix, offset and strata (see the module).
    ``strata``: "auto" (the rows' strata when newdata names them: survfit),
    "require" (they must: predict with strata), "ignore"."""
    if not isinstance(newdata, pd.DataFrame):
        raise InvalidArgument(f"`newdata` must be a pandas DataFrame (R: 'Newdata argument must be a data "
                              f"frame'); got {type(newdata).__name__}", kind="newdata.type")
    k = len(newdata)
    if k == 0:
        raise InvalidArgument("`newdata` has no rows", kind="data.empty")
    labels = row_names(newdata)
    call = fit.call
    assert call is not None
    if call.formula is None:
        if strata == "require" and fd.prep.strata_term:
            # R evaluates the model's strata variable where the fit found it, not in newdata: its length is
            # the fit's, not newdata's
            raise InvalidArgument("`newdata` cannot give the strata of an array-form fit: R takes the fit's own "
                                  "strata vector and fails ('variable lengths differ'); give the model as a "
                                  "formula with strata()", kind="lengths")
        return _array_rows(fd, newdata, labels)
    return _formula_rows(fd, newdata, labels, strata)


def _relevel(new: Term, old: Term, where: str) -> Term:
    """``new`` read with ``old``'s levels (R's xlev)."""
    if old.kind == "numeric":
        if new.kind != "numeric":
            raise InvalidArgument(f"`newdata` column {where!r} must be numeric as in the fit; got {new.kind}",
                                  kind="newdata.type")
        return new
    if new.kind == "numeric":
        values = np.asarray(new.values, dtype=float)
        from .._rformat import r_label

        labels = np.array([None if np.isnan(v) else r_label(v) for v in values], dtype=object)
    else:
        assert new.codes is not None
        lv = np.asarray(new.levels, dtype=object)
        labels = np.where(new.codes >= 0, lv[np.maximum(new.codes, 0)] if lv.size else None, None)
    index = {lv: i for i, lv in enumerate(old.levels)}
    codes = np.full(labels.size, -1, dtype=np.int64)
    for i, lb in enumerate(labels):
        if lb is None:
            continue
        if lb not in index:
            raise InvalidArgument(f"`newdata`: {where!r} has the value {lb!r}, a level the fit never saw (R: "
                                  f"'factor {where} has new level {lb}')", kind="newdata.level")
        codes[i] = index[lb]
    return Term(old.name, old.kind, codes=codes, levels=old.levels)


def _array_rows(fd: FitData, newdata: pd.DataFrame, labels: tuple[str, ...]) -> NewRows:
    prep = fd.prep
    if prep.offset_raw is not None:
        raise InvalidArgument("`newdata` for an array-form fit with an offset is not implemented in pyimpl "
                              "(give the model as a formula with offset())", kind="newdata.offset")
    cols = [str(c) for c in as_frame(fd.prep.call.X).columns]
    missing = [c for c in cols if c not in newdata.columns]
    if missing:
        raise InvalidArgument(f"`newdata` lacks the fit's column {missing[0]!r} (R: object not found); "
                              f"columns: {list(map(str, newdata.columns))}", kind="newdata.column")
    new = read_terms(newdata[cols].reset_index(drop=True), arg="newdata")
    terms = [_relevel(t, old, old.name) for t, old in zip(new, prep.design.terms)]
    design = model_matrix(terms, len(newdata), intercept=False, drop_unused_levels=False)
    _same_columns(design.names, prep.design.names)
    return NewRows(x=np.asarray(design.x, dtype=float), offset=0.0, strata=None, labels=labels, n=len(newdata))


def _formula_rows(fd: FitData, newdata: pd.DataFrame, labels: tuple[str, ...], mode: str) -> NewRows:
    from .formula import design_variables, formula_design, training_frame

    prep = fd.prep
    frame = training_frame(prep.call)
    mf = frame.formula
    k = len(newdata)
    data = newdata.reset_index(drop=True)
    cols = set(map(str, data.columns))
    strata_vars = list(mf.strata)
    found = bool(strata_vars) and all(set(names_in(mf.variables[j])) <= cols for j in strata_vars)
    if mode == "require" and strata_vars and not found:
        missing = sorted({n for j in strata_vars for n in names_in(mf.variables[j])} - cols)
        raise InvalidArgument(f"`newdata` lacks the strata column {missing[0]!r} (R: object '{missing[0]}' not "
                              "found)", kind="newdata.column")
    found = found and mode != "ignore"
    interacting = any(len(mf.terms[t]) > 1 for t in mf.special_terms("strata"))
    if strata_vars and interacting and not found:
        raise InvalidArgument("`newdata` without the strata variables of a model with strata-by-covariate "
                              "interactions is not implemented in pyimpl", kind="newdata.strata")
    needed = set(design_variables(mf))
    if found:
        needed |= set(strata_vars)
    variables: list[Term] = []
    for j, (e, old) in enumerate(zip(mf.variables, frame.variables)):
        if j not in needed:
            variables.append(old.take(np.zeros(0, dtype=np.intp)))
            continue
        missing = sorted(set(names_in(e)) - cols)
        if missing:
            raise InvalidArgument(f"`newdata` lacks the column {missing[0]!r} the formula reads (R: object "
                                  f"'{missing[0]}' not found)", kind="newdata.column")
        if old.kind == "matrix":  # poly(), ns(): the fit's basis on the new rows (R's makepredictcall)
            inner = expand(e, mf.functions)
            assert isinstance(inner, Call)
            x = evaluate([inner.args[0]], data, mf.functions)[0]
            if x.kind != "numeric":
                raise InvalidArgument(f"`newdata` column of {old.name!r} must be numeric as in the fit",
                                      kind="newdata.type")
            variables.append(Term(old.name, "matrix", values=old.basis(x.values, old.name), levels=old.levels,
                                  basis=old.basis))
            continue
        variables.append(_relevel(evaluate([e], data, mf.functions)[0], old, old.name))
    design = formula_design(mf, variables, k)
    _same_columns(design.names, prep.design.names)
    offset: np.ndarray | float = 0.0
    for o in mf.offsets:
        missing = sorted(set(names_in(o)) - cols)
        if missing:
            raise InvalidArgument(f"`newdata` lacks the column {missing[0]!r} of the formula's offset (R: "
                                  f"object '{missing[0]}' not found)", kind="newdata.column")
        t = evaluate([o], data, mf.functions)[0]
        offset = offset + np.asarray(t.values, dtype=float)
    strata = None
    if found:
        label = combine([variables[j] for j in strata_vars], "strata")
        fit_levels = list(prep.strata_levels or prep.strata_used or [])
        assert label.codes is not None
        lv = np.asarray(label.levels, dtype=object)
        strata = np.empty(k, dtype=np.intp)
        for i, c in enumerate(label.codes):
            name = lv[c] if c >= 0 else None
            if name not in fit_levels:
                raise InvalidArgument(f"`newdata` row {i + 1} has the stratum {name!r}, not one of the fit's "
                                      "(R: 'New data set has strata levels not found in the original')",
                                      kind="newdata.strata")
            strata[i] = fit_levels.index(name)
    return NewRows(x=np.asarray(design.x, dtype=float), offset=offset, strata=strata, labels=labels, n=k)


def _same_columns(new: tuple[str, ...], old: tuple[str, ...]) -> None:
    if tuple(new) != tuple(old):
        raise InvalidArgument(f"`newdata` gives the model-matrix columns {list(new)!r}, not the fit's "
                              f"{list(old)!r}", kind="newdata.level")
