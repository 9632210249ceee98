"""Predictions of a Cox fit on its own rows: ``predict.coxph(fit, type=, se.fit=,
reference=, terms=, collapse=)`` (survival 3.5-3, ``R/predict.coxph.R``).

With centred covariates ``z = x - c`` (c: ``fit$means`` for reference
"sample"; the case-weighted mean of x in each row's stratum for "strata",
R's default for a stratified fit; 0 for "zero"):

* ``lp``: ``z beta + offset - mean(offset)``; ``se = sqrt(diag(z V z'))``;
* ``risk``: ``exp(lp)``, ``se * sqrt(exp(lp))`` (R's Taylor series step);
* ``terms``: one column per term, ``z[, term] beta[term]`` (reference
  "sample" by default), each with its own se; ``constant = sum(beta * means)``;
* ``expected``: ``status - martingale residual`` (the expected number of
  events over the row's follow-up); ``survival``: ``exp(-expected)``.

The se of ``expected`` is R's: ``sqrt(varh(t) + dt V dt') * risk`` with
``dt = H(t) z - xbar(t)`` from ``agsurv`` (:mod:`.agsurv`), for (start, stop]
rows the root of the difference of that variance at stop and at start; for
``survival`` it is multiplied by ``exp(-expected)``. Without ``se``, an
unstratified lp (or a stratified one with reference "sample") is
``fit$linear.predictors`` itself, as R. For ``newdata``: lp, risk and terms
of the new rows (:func:`_predict_new`), and expected events over each new
row's own follow-up (:func:`_expected_new`, survival 3.5-3's quirks replayed).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxPH, CoxPredict
from rparity_contract.values import PREDICT_REFERENCES, PREDICT_TYPES

from .._recorded import recorded
from .._rformat import r_label
from .._rmath import r_mean, r_sum
from .._validate import as_choice
from .martingale import martingale
from .naresid import naresid
from .refit import FitData, fit_data, refuse_unclassed
from .robust import _matmul_blas

#: R's rowsum warning when the groups have a missing value
MISSING_GROUP = "missing values for 'group'"

__all__ = ["coxph_predict", "term_predictions", "TermPredictions", "collapse_groups", "rowsum"]


@dataclass(frozen=True)
class TermPredictions:
    """``predict(fit, type = "terms", se.fit = TRUE)`` before ``terms=`` picks columns."""

    values: np.ndarray  # (n, terms)
    se: np.ndarray  # (n, terms)
    columns: tuple[str, ...]
    constant: float


def coxph_predict(fit: CoxPH, type: str = "lp", *, newdata: Any = None, se_fit: bool = False,
                  reference: str | None = None, terms: Any = None, collapse: Any = None) -> CoxPredict:
    """Predictions for the rows of ``fit``, as ``predict(fit, type=, se.fit=, reference=, terms=, collapse=)``.

    Parameters
    ----------
    fit : CoxPH
        A fit of any engine.
    type : {"lp", "risk", "expected", "terms", "survival"}
    newdata : DataFrame, optional
        Predict for these rows (the variables the fit was given) instead of the
        fit's own; with strata and reference "strata" (or se, or terms) they
        must name each row's stratum. For "expected"/"survival" they also
        hold the response's columns (each row's own follow-up; a formula fit).
    se_fit : bool
        Also the standard errors.
    reference : {"strata", "sample", "zero"}, optional
        Centring of the covariates; None is R's default ("sample" for terms,
        else "strata", which only matters for a stratified fit).
    terms : sequence of str, optional
        For type "terms": the terms to keep (``names(fit$assign)``), in that order.
    collapse : array-like of length ``fit.n`` (of ``newdata``'s rows), optional
        Sum the predictions within groups (se: the root of the summed squares).
    """
    refuse_unclassed(fit, "predict", "no applicable method for 'predict' applied to an object of class \"list\"")
    type = as_choice(type, "type", PREDICT_TYPES, partial=True)
    if not isinstance(se_fit, (bool, np.bool_)):
        raise InvalidArgument(f"`se_fit` must be True or False; got se_fit={se_fit!r}", kind="se_fit.type")
    ref = "sample" if reference is None and type == "terms" else \
        as_choice("strata" if reference is None else reference, "reference", PREDICT_REFERENCES, partial=True)
    fd = fit_data(fit)
    prep = fd.prep
    chosen = _check_terms(terms, fit)
    se = None
    columns: tuple[str, ...] = ()
    constant = None
    if len(fit.coef) == 0 and (se_fit or type == "terms"):
        what = "terms" if type == "terms" else "standard errors"
        raise InvalidArgument(f"`fit` is the null model (no covariates): it has no {what} to predict (R fails: "
                              "'subscript out of bounds' / 'requires numeric/complex matrix/vector arguments')",
                              kind="predict.null")
    new_warns: list[str] = []
    if newdata is not None:
        with recorded() as new_warns:  # the new rows' model frame (bs() beyond its knots...)
            if type in ("expected", "survival"):
                _check_response_columns(fit, newdata)
                values, se = _expected_new(fit, fd, newdata, bool(se_fit))
                if type == "survival":
                    if se is not None:
                        se = se * np.exp(-values)
                    values = np.exp(-values)
            else:
                values, se, columns, constant = _predict_new(fit, fd, newdata, type, bool(se_fit), ref, chosen)
    elif type in ("expected", "survival"):
        start, stop = fd.times()
        status = prep.event.astype(float)
        m = martingale(stop, status, prep.strata, prep.weights, fd.lp, fit.method, start)
        values = status - m  # y[, ncol(y)] - object$residuals
        if se_fit:
            se = _expected_se(fit, fd, start, stop, status)
        if type == "survival":
            if se is not None:
                se = se * np.exp(-values)
            values = np.exp(-values)
    elif type == "terms":
        tp = term_predictions(fit, fd, ref)
        idx = [tp.columns.index(t) for t in chosen] if chosen is not None else list(range(len(tp.columns)))
        values = tp.values[:, idx]
        se = tp.se[:, idx] if se_fit else None
        columns = tuple(tp.columns[i] for i in idx)
        constant = tp.constant
    else:
        use_x = bool(se_fit) or (prep.strata_term and ref == "strata") or \
            (ref == "zero" and bool(np.any(np.asarray(fit.means) != 0)))
        if use_x:
            z = _centred(fit, fd, ref)
            coef = np.where(np.isnan(fit.coef), 0.0, fit.coef)
            values = _matvec(z, coef) + _offset(fd)
            if se_fit:
                se = _se(z, np.atleast_2d(np.asarray(fit.var, dtype=float)))
        else:
            values = fd.lp.copy()
        if type == "risk":
            values = np.exp(values)
            if se is not None:
                se = se * np.sqrt(values)
    if newdata is None:  # predict.coxph: napredict(object$na.action, ...) on the fit's own rows
        values = naresid(fit, values)
        se = None if se is None else naresid(fit, se)
    groups = None
    warns: tuple[str, ...] = ()
    if collapse is not None:
        codes, groups, warns = collapse_groups(collapse, values.shape[0])
        values = rowsum(values, codes, len(groups))
        if se is not None:
            se = np.sqrt(rowsum(se ** 2, codes, len(groups)))
    return CoxPredict(type=type, values=values, se=se, columns=columns, constant=constant, groups=groups,
                      warnings=tuple(new_warns) + warns)


def _stratum_hazard(idx: np.ndarray, stop, status, weights, risk, efron: bool, start, z):
    """One stratum's ``agsurv`` (survtype 3 for Efron, 2 for Breslow) and its
    cumulative hazard, summed variance and risk-set means with a 0 row first
    (``c(0, cumhaz)``, ``c(0, cumsum(varhaz))``, ``rbind(0, xbar)``)."""
    from .agsurv import agsurv

    a = agsurv(stop[idx], status[idx], weights[idx], risk[idx], 3 if efron else 2,
               None if start is None else start[idx], z[idx])
    assert a.xbar is not None
    return (a, np.append(0.0, a.cumhaz), np.append(0.0, np.cumsum(a.varhaz)),
            np.vstack([np.zeros((1, z.shape[1])), a.xbar]))


def _step(time: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``approx(time, 1:n, t, "constant", f = 0, yleft = 0)``: the index into
    ``c(0, ...)`` of the last time <= t; -1 for a missing t."""
    j = np.searchsorted(time, t, side="right")
    return np.where(np.isnan(t), -1, j)


def _pick(v: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``v[j]`` (rows of a matrix), NaN where j is -1 (R's NA index)."""
    out = v[np.maximum(j, 0)].astype(float)
    out[j < 0] = np.nan
    return out


def _hazard_var(h: np.ndarray, xbar: np.ndarray, varh: np.ndarray, z: np.ndarray, var: np.ndarray) -> np.ndarray:
    """predict.coxph's ``varh + rowSums((dt %*% var) * dt)``, ``dt = H z - xbar``."""
    dt = h[:, None] * z - xbar
    return varh + _row_sums(_matmul_blas(dt, var) * dt)


def _expected_se(fit: CoxPH, fd: FitData, start: np.ndarray | None, stop: np.ndarray,
                 status: np.ndarray) -> np.ndarray:
    """predict.coxph's se of the expected number of events, stratum by stratum:
    ``sqrt(varh + dt V dt') * risk`` with ``dt = H(t) z - xbar(t)`` at the
    row's time from :func:`~.agsurv.agsurv` (for (start, stop] rows,
    ``sqrt(v(stop) - v(start)) * risk``)."""

    prep = fd.prep
    z = prep.x - np.asarray(fit.means, dtype=float)[None, :]
    with np.errstate(over="ignore"):
        risk = np.exp(fd.lp)
    var = np.atleast_2d(np.asarray(fit.var, dtype=float))
    strata = prep.strata if prep.strata is not None else np.zeros(stop.size, dtype=np.intp)
    efron = fit.method == "efron"
    se = np.zeros(stop.size)
    for k in np.unique(strata):
        idx = np.flatnonzero(strata == k)
        a, chaz, varh, xbar = _stratum_hazard(idx, stop, status, prep.weights, risk, efron, start, z)

        def v_at(t: np.ndarray) -> np.ndarray:
            j = _step(a.time, t)
            return _hazard_var(chaz[j], xbar[j], varh[j], z[idx], var)

        if start is None:
            se[idx] = np.sqrt(v_at(stop[idx])) * risk[idx]
        else:
            with np.errstate(invalid="ignore"):
                se[idx] = np.sqrt(v_at(stop[idx]) - v_at(start[idx])) * risk[idx]
    return se


def _expected_new(fit: CoxPH, fd: FitData, newdata: Any, se_fit: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """predict.coxph's expected events of new rows over their own follow-up
    (the response evaluated in ``newdata``): ``H(t) * newrisk`` with the
    stratum's cumulative hazard from :func:`~.agsurv.agsurv` (``H(stop) -
    H(start)`` for (start, stop] rows), and its se as for the fit's rows.

    survival 3.5-3's code, replayed as it is: ``newrisk = exp(newx beta) +
    offset`` (the offset added after the exp); for (start, stop] rows the se
    takes the variance terms at the start for both ends and the *fit's* risk
    score at the new row's position (NaN past the fit's rows)."""
    from .newdata import new_rows

    prep = fd.prep
    call = fit.call
    if call is None or call.formula is None:
        raise InvalidArgument("expected events for `newdata` need a formula fit (its Surv() read in newdata)",
                              kind="newdata.expected")
    rows = new_rows(fit, fd, newdata, strata="require" if prep.strata_term else "ignore")
    t_start, t_stop = _new_follow_up(call.formula, newdata)
    means = np.asarray(fit.means, dtype=float)
    var = np.atleast_2d(np.asarray(fit.var, dtype=float))
    z = prep.x - means[None, :]
    newz = rows.x - means[None, :]
    with np.errstate(over="ignore"):
        risk = np.exp(fd.lp)
        newrisk = np.exp(_matvec(newz, np.asarray(fit.coef, dtype=float))) + rows.offset
    start, stop = fd.times()
    status = prep.event.astype(float)
    old = prep.strata if prep.strata is not None else np.zeros(stop.size, dtype=np.intp)
    new = rows.strata if (prep.strata_term and rows.strata is not None) else np.zeros(rows.n, dtype=np.intp)
    pred = np.zeros(rows.n)
    se = np.zeros(rows.n) if se_fit else None
    efron = fit.method == "efron"
    for k in pd.unique(old):
        idx = np.flatnonzero(old == k)
        a, chaz, varh, xbar = _stratum_hazard(idx, stop, status, prep.weights, risk, efron, start, z)
        idx2 = np.flatnonzero(new == k)
        j1 = _step(a.time, t_start[idx2] if t_start is not None else t_stop[idx2])
        h1 = _pick(chaz, j1)
        h2 = None if t_start is None else _pick(chaz, _step(a.time, t_stop[idx2]))
        pred[idx2] = (h1 if h2 is None else h2 - h1) * newrisk[idx2]
        if se is None:
            continue
        x1, vh1 = _pick(xbar, j1), _pick(varh, j1)
        v1 = _hazard_var(h1, x1, vh1, newz[idx2], var)
        if h2 is None:
            se[idx2] = np.sqrt(v1) * newrisk[idx2]
        else:
            v2 = _hazard_var(h2, x1, vh1, newz[idx2], var)  # xbar2 and varh2 at j1: survival 3.5-3's code
            fit_risk = np.where(idx2 < risk.size, risk[np.minimum(idx2, risk.size - 1)], np.nan)
            with np.errstate(invalid="ignore"):
                se[idx2] = np.sqrt(v2 - v1) * fit_risk
    return pred, se


def _new_follow_up(formula: Any, newdata: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray]:
    """The response's times evaluated in newdata (start or None, stop)."""
    from rparity_contract.formula import parse_formula

    from ..formula.evaluate import evaluate

    mf = parse_formula(formula if isinstance(formula, str) else formula.text, None, check_columns=False)
    assert mf.response is not None
    args = list(mf.response.args)
    n_times = 2 if mf.response.counting else 1
    terms = evaluate(args[:n_times], newdata)
    for t in terms:
        if t.kind != "numeric":
            raise InvalidArgument(f"`newdata` response time {t.name!r} must be numeric (R: 'Time variable is not "
                                  "numeric')", kind="time.type")
    times = [np.asarray(t.values, dtype=float) for t in terms]
    return (times[0], times[1]) if n_times == 2 else (None, times[0])


def _check_response_columns(fit: CoxPH, newdata: Any) -> None:
    """Expected events need each new row's follow-up: R evaluates the response in newdata."""
    from rparity_contract.formula.expr import names_in

    call = fit.call
    assert call is not None
    if call.formula is None or not isinstance(newdata, pd.DataFrame):
        return
    from rparity_contract.formula import parse_formula

    mf = parse_formula(call.formula if isinstance(call.formula, str) else call.formula.text, None,
                       check_columns=False)
    need = [n for e in (mf.response.args if mf.response is not None else ()) for n in names_in(e)]
    missing = [n for n in need if n not in set(map(str, newdata.columns))]
    if missing:
        raise InvalidArgument(f"`newdata` lacks the response column {missing[0]!r} expected events need (R: "
                              f"object '{missing[0]}' not found)", kind="newdata.column")


def _predict_new(fit: CoxPH, fd: FitData, newdata: Any, type: str, se_fit: bool, ref: str,
                 chosen: list[str] | None) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...], float | None]:
    """predict.coxph's newdata branch: lp, risk or terms for the new rows."""
    from .newdata import new_rows

    prep = fd.prep
    # the model frame (and the strata, the offset) of the fit are used only on predict.coxph's use.x path
    use_x = se_fit or type == "terms" or (prep.strata_term and ref == "strata") or \
        (ref == "zero" and bool(np.any(np.asarray(fit.means) != 0)))
    has_strata = prep.strata_term and use_x
    rows = new_rows(fit, fd, newdata, strata="require" if has_strata else "ignore")
    newx = rows.x
    train_offset = prep.offset_raw if use_x and prep.offset_raw is not None else np.zeros(1)
    offset = rows.offset - r_mean(train_offset)
    if has_strata and ref == "strata":
        codes = rows.strata if rows.strata is not None else np.zeros(rows.n, dtype=np.intp)
        z = newx - _strata_means(fd)[codes]
    elif ref != "zero":
        z = newx - np.asarray(fit.means, dtype=float)[None, :]
    else:
        z = newx
    if type == "terms":
        tp = _terms_of(fit, z)
        idx = [tp.columns.index(t) for t in chosen] if chosen is not None else list(range(len(tp.columns)))
        return tp.values[:, idx], (tp.se[:, idx] if se_fit else None), tuple(tp.columns[i] for i in idx), \
            tp.constant
    coef = np.where(np.isnan(fit.coef), 0.0, fit.coef)
    values = _matvec(z, coef) + offset
    se = _se(z, np.atleast_2d(np.asarray(fit.var, dtype=float))) if se_fit else None
    if type == "risk":
        values = np.exp(values)
        if se is not None:
            se = se * np.sqrt(values)
    return values, se, (), None


def term_predictions(fit: CoxPH, fd: FitData, reference: str) -> TermPredictions:
    """Every term's contribution ``z[, term] beta[term]`` and its se."""
    return _terms_of(fit, _centred(fit, fd, reference))


def _terms_of(fit: CoxPH, z: np.ndarray) -> TermPredictions:
    """The terms' contributions of centred covariates ``z``."""
    coef = np.asarray(fit.coef, dtype=float)
    var = np.atleast_2d(np.asarray(fit.var, dtype=float))
    n = z.shape[0]
    names = tuple(fit.term_names)
    vals = np.zeros((n, len(names)))
    ses = np.zeros((n, len(names)))
    for i, cols in enumerate(fit.assign):
        tt = [c for c in cols if not np.isnan(coef[c])]
        xtt = z[:, tt]
        vals[:, i] = _matvec(xtt, coef[tt])
        ses[:, i] = _se(xtt, var[np.ix_(tt, tt)])
    constant = float(r_sum(np.where(np.isnan(coef), 0.0, coef) * np.asarray(fit.means, dtype=float))) \
        if coef.size else 0.0
    return TermPredictions(values=vals, se=ses, columns=names, constant=constant)


def _centred(fit: CoxPH, fd: FitData, reference: str) -> np.ndarray:
    """predict.coxph's newx for the fit's own rows."""
    prep = fd.prep
    x = prep.x
    if prep.strata_term and reference == "strata":
        codes = prep.strata if prep.strata is not None else np.zeros(x.shape[0], dtype=np.intp)
        return x - _strata_means(fd)[codes]
    if reference == "zero":
        return x.copy()
    return x - np.asarray(fit.means, dtype=float)[None, :]


def _strata_means(fd: FitData) -> np.ndarray:
    """``rowsum(x * weights, oldstrat) / c(rowsum(weights, oldstrat))``: the
    case-weighted mean of x in each of the fit's strata (one stratum: all rows)."""
    prep = fd.prep
    x = prep.x
    codes = prep.strata if prep.strata is not None else np.zeros(x.shape[0], dtype=np.intp)
    k = int(codes.max()) + 1 if codes.size else 0
    w = prep.weights if prep.has_weights else np.ones(x.shape[0])
    sx = np.zeros((k, x.shape[1]))
    np.add.at(sx, codes, x * w[:, None])
    sw = np.zeros(k)
    np.add.at(sw, codes, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        return sx / sw[:, None]


def _offset(fd: FitData) -> np.ndarray | float:
    """``offset - mean(offset)`` of the model frame's raw offset (0 without one)."""
    off = fd.prep.offset_raw
    if off is None:
        return 0.0
    return off - r_mean(off)


def _matvec(z: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``drop(z %*% coef)`` as BLAS dgemv sums it: column by column, in order."""
    if z.shape[1] == 0:
        return np.zeros(z.shape[0])
    return _matmul_blas(z, coef[:, None])[:, 0]


def _se(z: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``sqrt(rowSums((z %*% V) * z))``."""
    if z.shape[1] == 0:
        return np.zeros(z.shape[0])
    return np.sqrt(_row_sums(_matmul_blas(z, v) * z))


def _row_sums(q: np.ndarray) -> np.ndarray:
    """R's ``rowSums``: column by column into a long double accumulator (array.c)."""
    acc = np.zeros(q.shape[0], dtype=np.longdouble)
    for j in range(q.shape[1]):
        acc += q[:, j]
    return acc.astype(float)


def _check_terms(terms: Any, fit: CoxPH) -> list[str] | None:
    if terms is None:
        return None
    vals = [terms] if isinstance(terms, str) else list(terms)
    bad = [t for t in vals if not isinstance(t, str) or t not in fit.term_names]
    if bad:
        raise InvalidArgument(f"`terms`: {bad!r} not found in the model (its terms: {list(fit.term_names)!r}); "
                              "R: 'a name given in the terms argument not found in the model'",
                              kind="terms.value")
    return vals


def collapse_groups(collapse: Any, n: int) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """(group code of each row, group labels, warnings) as R's ``rowsum`` forms
    groups: sorted distinct values, a missing value its own group, last (label
    "NA", with rowsum's warning)."""
    v = np.asarray(collapse, dtype=object if np.asarray(collapse).dtype.kind == "O" else None)
    if v.ndim != 1 or v.size != n:
        raise InvalidArgument(f"`collapse` must have one value per row of the fit ({n}); got "
                              f"{v.size if v.ndim == 1 else v.shape} (R: 'Wrong length for collapse')",
                              kind="collapse.length")
    na = np.asarray(pd.isna(v), dtype=bool)
    levels, codes = np.unique(v[~na], return_inverse=True)
    out = np.full(n, levels.size, dtype=np.intp)
    out[~na] = codes.reshape(-1)
    labels = tuple(r_label(x) for x in levels.tolist()) + (("NA",) if na.any() else ())
    return out, labels, (MISSING_GROUP,) if na.any() else ()


def rowsum(v: np.ndarray, codes: np.ndarray, m: int) -> np.ndarray:
    """R's ``rowsum``: sums in row order within each group (groups sorted)."""
    out = np.zeros((m,) + v.shape[1:])
    np.add.at(out, codes, v)
    return out
