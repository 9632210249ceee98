"""``predict(<survreg>, newdata=, type=, se.fit=, p=)``: survival 3.5-3's
``predict.survreg`` for the types ``lp`` (``linear``, ``link``), ``response``,
``quantile`` and ``uquantile``, written anew from R's code.

As R: without ``newdata`` the linear predictor is the fit's (offset included);
with ``newdata`` it is ``x %*% coef`` (R adds no offset there, and ``+ 0`` for
the lp types); ``response`` is ``itrans(lp)`` (exp for the log-time
distributions) and its se ``se / dtrans(pred)``; the quantile types are
``lp + qq * scale`` (a matrix, one column per ``p``, when there are several
``p`` and several rows), with ``p`` defaulting to R's ``c(0.1, 0.9)``; a
fitted scale adds its own variance through the (coefficients, log scale)
variance. Matrix products follow reference BLAS's orders.

With ``newdata``, a fit with ``strata()`` asked for a quantile type takes each
new row's stratum by its label (R's ``match(newstrat, levels(strata.keep))``;
none: NA). Without ``newdata``, a fit made with ``na_action="na.exclude"``
gives NaN rows at the dropped rows (R's ``naresid``).

``type="terms"``: one column per term of the model matrix (the intercept
left out), ``x[, cols] %*% coef[cols]`` with x centred by the fit's column
means (``sweep(x, 2, object$means)``) when the model has an intercept; its
se, row by row, ``sqrt(xi %*% var[cols, cols] %*% t(xi))`` with ``xi =
x[j, cols] * coef[cols]``. As R (``attrassign(x, Terms)``), a column's term
is named by the label of the *full* terms at the model matrix's (reduced,
strata() and cluster() removed) term index: ``~ strata(sex) + age`` names
age's column "strata(sex)". R's result has no ``constant`` attribute (that
is ``predict.lm``'s). A model without a term besides the intercept is refused
(R: 'subscript out of bounds').
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survreg import SurvReg, SurvRegPredict

from .. import _libm
from ..cox.newdata import _relevel
from ..formula import combine, evaluate, terms_matrix
from ..matching._linpack import seq_matvec
from .distributions import DISTRIBUTIONS
from .fit import gemm_blas
from .residuals import naresid_exclude
from .survreg import model, resolve_parms, with_intercept

__all__ = ["survreg_predict", "term_columns", "centred"]

_TYPES = ("response", "link", "lp", "linear", "terms", "quantile", "uquantile")


def _match_type(type: Any) -> str:
    if not isinstance(type, str):
        raise InvalidArgument(f"`type` must be one of {list(_TYPES)}; got type={type!r}", kind="type.value")
    hits = [t for t in _TYPES if t == type] or [t for t in _TYPES if type and t.startswith(type)]
    if len(hits) != 1:
        raise InvalidArgument(f"`type` must be one of {list(_TYPES)}; got type={type!r} (R: \"'arg' should be one "
                              "of ...\")", kind="type.value")
    t = hits[0]
    return "lp" if t in ("link", "linear") else t


def _rowsums(a: np.ndarray) -> np.ndarray:
    """``a %*% rep(1, ncol(a))``: reference dgemv, column after column."""
    return seq_matvec(a, np.ones(a.shape[1]))


def _quad_diag(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``diag(x %*% v %*% t(x))`` from dgemm's order: (x v)[i, l] summed
    over l with x[i, l], sequentially."""
    xv = gemm_blas(x, v)
    out = np.zeros(x.shape[0])
    for j in range(x.shape[1]):
        out = out + x[:, j] * xv[:, j]
    return out


def _new_x(fit: SurvReg, m: Any, newdata: pd.DataFrame) -> tuple[np.ndarray, list]:
    """The fit's model-matrix columns on new rows (R's model.frame(Terms,
    newdata, xlev = object$xlevels), then model.matrix), and the frame's variables."""
    if not isinstance(newdata, pd.DataFrame):
        raise InvalidArgument(f"`newdata` must be a DataFrame; got {type(newdata).__name__}", kind="newdata.type")
    mf = m.formula
    new_terms = evaluate(list(mf.variables), newdata.reset_index(drop=True), mf.functions)
    variables = [_relevel(new, old, old.name) for new, old in zip(new_terms, m.variables)]
    k = len(newdata)
    design = terms_matrix(variables, [mf.terms[t] for t in m.kept_terms], list(m.kept_codes),
                          [mf.label(t) for t in m.kept_terms], k)
    return with_intercept(design.x, mf.intercept), variables


def _new_strata(m: Any, variables: list) -> np.ndarray:
    """predict.survreg's ``match(newstrat, levels(strata.keep))``: each new row's stratum by its label (0-based;
    -1 where it has none: a missing value, or a label the fit has not)."""
    s = combine([variables[i] for i in m.formula.strata], "strata")
    pos = {lab: i for i, lab in enumerate(m.scale_names)}
    return np.array([pos.get(s.levels[k], -1) if k >= 0 else -1 for k in np.asarray(s.codes)], dtype=np.intp)


def survreg_predict(fit: SurvReg, type: str = "response", *, p: Any = (0.1, 0.9), se_fit: bool = False,
                    newdata: Any = None) -> SurvRegPredict:
    """``predict(fit, newdata=, type=, se.fit=, p=)`` (see the module)."""
    if not isinstance(fit, SurvReg) or fit.call is None:
        raise InvalidArgument(f"`fit` must be a SurvReg result that kept its call (survreg() of any engine); got "
                              f"{fit.__class__.__name__}", kind="fit.type")
    kind = _match_type(type)
    c = fit.call
    m = model(c.formula, c.data, c.subset, c.weights)
    coef = np.asarray(fit.coef, dtype=float)
    nvar = coef.size
    vv = np.asarray(fit.var, dtype=float)[:nvar, :nvar]
    fixedscale = nvar == fit.var.shape[1]
    d = DISTRIBUTIONS[fit.dist]
    if kind == "terms":
        return _terms(fit, m, coef, se_fit, newdata)
    stratified = m.nstrat > 1 and kind in ("quantile", "uquantile") and not fixedscale
    if newdata is None:
        x = m.x
        strata = m.strata if stratified else np.zeros(x.shape[0], dtype=np.intp)
        lp = np.asarray(fit.linear_predictors, dtype=float)
    else:
        x, new_vars = _new_x(fit, m, newdata)
        strata = _new_strata(m, new_vars) if stratified else np.zeros(x.shape[0], dtype=np.intp)
        lp = seq_matvec(x, coef)  # drop(x %*% coef) (+ 0 for the lp types)
    assert strata is not None
    nstrata = m.nstrat if stratified else 1
    # object$scale[strata]: NA where a new row has no stratum
    scale = np.where(strata >= 0, np.asarray(fit.scale, dtype=float)[np.maximum(strata, 0)], np.nan)
    se = None
    if kind in ("lp", "response"):
        pred = lp
        if se_fit:
            se = np.sqrt(_quad_diag(x, vv))
        if kind == "response" and d.log_time:
            pred = _libm.exp(pred)
            if se is not None:
                se = se / (1 / pred)  # se / dtrans(pred), dtrans = 1/y
        return _padded(fit, pred, se, newdata)
    # R: dd$quantile(p, object$parm), the fit's parameters (a t distribution's df)
    qq = np.atleast_1d(d.base_dist.quantile(np.asarray(p, dtype=float), resolve_parms(d, c.parms)))
    n = lp.size
    if qq.size == 1 or n == 1:
        pred = lp + qq * scale if qq.size == 1 else lp[0] + qq * scale[0]
    else:
        pred = lp[:, None] + scale[:, None] * qq[None, :]  # c(pred) + outer(scale, qq)
    if se_fit:
        if fixedscale:
            var = _rowsums(gemm_blas(x, vv) * x)
            s1 = np.sqrt(var)
            se = s1 if qq.size == 1 else np.column_stack([s1] * qq.size)
            if n == 1 and qq.size > 1:
                se = se.reshape(-1)
        else:
            xs = (strata[:, None] == np.arange(nstrata)[None, :]).astype(float)
            cols = []
            for q in qq:
                temp = np.column_stack([x, (q * scale)[:, None] * xs])
                cols.append(np.sqrt(_rowsums(gemm_blas(temp, fit.var) * temp)))
            se = cols[0] if qq.size == 1 else (np.column_stack(cols) if n > 1 else np.array([c_[0] for c_ in cols]))
    if kind == "quantile" and d.log_time:
        pred = _libm.exp(pred)
        if se is not None:
            se = se / (1 / pred)
    return _padded(fit, np.asarray(pred, dtype=float), se, newdata)


def term_columns(m: Any) -> list[tuple[str, list[int]]]:
    """survival's ``attrassign(x, Terms)`` less the intercept: each term's
    label and its model-matrix columns. The matrix's assign indexes the
    reduced terms (strata() and cluster() main effects dropped) but R reads
    the labels of the full terms at that index (see the module)."""
    mf = m.formula
    design = terms_matrix(m.variables, [mf.terms[t] for t in m.kept_terms], list(m.kept_codes),
                          [mf.label(t) for t in m.kept_terms], m.x.shape[0])
    shift = 1 if mf.intercept else 0
    return [(mf.label(r), [c + shift for c in cols]) for r, cols in enumerate(design.assign) if cols]


def centred(x: np.ndarray, means: np.ndarray, intercept: bool) -> np.ndarray:
    """predict.survreg's ``if (type == "terms" && intercept) x <- sweep(x, 2, object$means)``."""
    return x - means[None, :] if intercept else x


def _terms(fit: SurvReg, m: Any, coef: np.ndarray, se_fit: bool, newdata: Any) -> SurvRegPredict:
    """predict.survreg's ``type = "terms"`` branch (see the module)."""
    groups = term_columns(m)
    if not groups:
        raise InvalidArgument("`type`='terms' needs a model with a term besides the intercept (R: 'subscript out "
                              "of bounds')", kind="predict.null")
    x = m.x if newdata is None else _new_x(fit, m, newdata)[0]
    x = centred(x, np.asarray(fit.means, dtype=float), bool(m.formula.intercept))
    var = np.asarray(fit.var, dtype=float)
    pred = np.empty((x.shape[0], len(groups)))
    se = np.empty_like(pred) if se_fit else None
    for i, (_, cols) in enumerate(groups):
        xc = x[:, cols]
        pred[:, i] = seq_matvec(xc, coef[cols])  # x[, ii, drop = FALSE] %*% coef[ii]: dgemv
        if se is not None:
            xi = xc * coef[cols][None, :]  # each row's xi = x[j, ii] * coef[ii]
            se[:, i] = np.sqrt(_quad_diag(xi, var[np.ix_(cols, cols)]))  # sum(xi %*% vci %*% t(xi))
    return _padded(fit, pred, se, newdata, tuple(label for label, _ in groups))


def _padded(fit: SurvReg, pred: np.ndarray, se: Any, newdata: Any, columns: tuple[str, ...] = ()) -> SurvRegPredict:
    """R's ``naresid(na.action.used, pred)``: without newdata, the fit's na.action (na.exclude pads NA rows)."""
    if newdata is None:
        pred = naresid_exclude(fit, np.asarray(pred, dtype=float))
        se = None if se is None else naresid_exclude(fit, np.asarray(se, dtype=float))
    return SurvRegPredict(fit=pred, se_fit=se, columns=columns, engine="pyimpl")
