"""Residuals of a Cox fit: ``residuals.coxph(fit, type=, collapse=, weighted=)``
(survival 3.5-3, ``R/residuals.coxph.R``).

* ``martingale``: ``fit$residuals`` (:mod:`.martingale`);
* ``deviance``: ``sign(m) sqrt(-2 (m + status log(status - m)))`` of the
  martingale residual m (after weighting and collapsing, as R);
* ``score``: the score residuals (``coxscore2.c``/``agscore2.c``, the same
  routines as the robust variance: :mod:`.robust`, :mod:`.agscore`);
  ``dfbeta`` = score %*% V and ``dfbetas`` = dfbeta / sqrt(diag(V)), V the
  model-based variance (``naive.var`` when robust);
* ``schoenfeld`` (``coxscho.c``): at each event, x minus the risk-weighted
  mean of x over the risk set (Efron: the mean over the d tied deaths' k/d
  down-weighted risk sets); ``scaledsch`` = schoenfeld %*% V * (number of
  events) + coef;
* ``partial``: martingale + ``predict(fit, type = "terms")``.

``weighted`` multiplies by the case weights (R's default: only for dfbeta and
dfbetas); ``collapse`` sums the rows of each group (R's ``rowsum``: groups
sorted). The exact method has no score or Schoenfeld residuals (R's error).

One departure from R, on purpose and named (divergence
``survival-3.5-3-weighted-schoenfeld``): R multiplies the weighted Schoenfeld
residuals by ``weights[deaths]``, the case weights in data order picked with
the event rows of the *sorted* data; here each residual is multiplied by its
own row's weight. The two agree when the data are sorted by stratum and time.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxPH, CoxResiduals
from rparity_contract.values import RESIDUAL_TYPES

from .._rformat import r_label
from .._rmath import NANS_PRODUCED
from .._validate import as_choice
from ._riskset import event_times, seq_last, sorted_rows
from .martingale import martingale, safe_score
from .naresid import naresid
from .predict import collapse_groups, rowsum, term_predictions
from .refit import FitData, fit_data, is_unclassed
from .robust import C_ORDER_LIMIT, _c_order_cost, _matmul_blas, score_residuals, score_residuals_c_order

__all__ = ["coxph_residuals"]


#: ``compat`` values: the R versions whose behaviour can be asked for where it differs
COMPAT = ("3.5-3",)


def coxph_residuals(fit: CoxPH, type: str = "martingale", *, collapse: Any = None,
                    weighted: bool | None = None, compat: str | None = None) -> CoxResiduals:
    """The residuals of ``fit``, as ``residuals(fit, type=, collapse=, weighted=)``.

    Parameters
    ----------
    fit : CoxPH
        A fit of any engine (its call's inputs are used again).
    type : {"martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas", "scaledsch", "partial"}
    collapse : array-like of length ``fit.n`` (with na_action "na.exclude": the rows given), optional
        Group of each row: the residuals are summed within groups (ignored by
        the Schoenfeld types, whose rows are events, as R ignores it).
    weighted : bool, optional
        Multiply by the case weights; None is R's default (True for dfbeta and
        dfbetas, False otherwise).
    compat : {"3.5-3"}, optional
        Reproduce survival 3.5-3's weighted Schoenfeld residuals, case weights
        taken in the wrong order (survival#339, fixed in 3.8-10); None: each
        residual times its own row's weight.
    """
    type = as_choice(type, "type", RESIDUAL_TYPES, partial=True)
    if compat is not None:
        compat = as_choice(compat, "compat", COMPAT)
    if weighted is None:
        weighted = type in ("dfbeta", "dfbetas")
    elif not isinstance(weighted, (bool, np.bool_)):
        raise InvalidArgument(f"`weighted` must be True or False; got weighted={weighted!r}", kind="weighted.type")
    fd = fit_data(fit)
    prep = fd.prep
    if is_unclassed(fit):
        # R's fit is a list (agexact.fit): residuals.default returns its $residuals, agexact.fit's
        # martingale residuals (Breslow), whatever the type, collapse or weighted
        t0, t1 = fd.times()
        mart = martingale(t1, prep.event.astype(float), prep.strata, np.ones(t1.size), fd.lp, fit.method, t0)
        return CoxResiduals(type=type, values=naresid(fit, mart), columns=(), groups=None, warnings=())
    if len(fit.coef) == 0:  # residuals.coxph.null
        if type not in ("martingale", "deviance", "score", "schoenfeld"):
            raise InvalidArgument(f"`type`={type!r}: the null model (no covariates) has only martingale and "
                                  "deviance residuals (R's residuals.coxph.null: 'arg' should be one of "
                                  "martingale, deviance, score, schoenfeld)", kind="type.value")
        if type in ("score", "schoenfeld"):
            raise InvalidArgument(f"'{type}' residuals are not defined for a null model (R's error)",
                                  kind="residuals.null")
    if fit.method == "exact" and type in ("score", "dfbeta", "dfbetas", "schoenfeld", "scaledsch"):
        raise InvalidArgument(f"{type} residuals are not available for the exact method (R's error)",
                              kind="residuals.exact")
    if type in ("schoenfeld", "scaledsch"):  # one row per event: R returns before it collapses

        return _schoenfeld(fit, fd, type, bool(weighted), compat)
    names = tuple(fit.names)
    start, stop = fd.times()
    status = prep.event.astype(float)
    if type in ("martingale", "deviance", "partial"):
        rr: np.ndarray = martingale(stop, status, prep.strata, prep.weights, fd.lp, fit.method, start)
    else:
        rr = _score(fit, fd, start, stop, status)
        vv = _model_var(fit)
        if type == "dfbeta":
            rr = rr * vv[0, 0] if vv.shape[0] == 1 else _matmul_blas(rr, vv)
        elif type == "dfbetas":
            if vv.shape[0] == 1:
                rr = rr * np.sqrt(vv[0, 0])
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    rr = _matmul_blas(_matmul_blas(rr, vv), np.diag(np.sqrt(1 / np.diag(vv))))
    if weighted:
        rr = rr * (prep.weights if rr.ndim == 1 else prep.weights[:, None])
    columns: tuple[str, ...] = names if rr.ndim == 2 else ()
    # residuals.coxph: naresid on the residuals (and the status, for deviance) before partial and collapse
    rr = naresid(fit, rr)
    status = naresid(fit, status)
    if type == "partial":
        terms = term_predictions(fit, fd, reference="sample")
        rr = naresid(fit, terms.values) + rr[:, None]
        columns = terms.columns
    labels = None
    warns: tuple[str, ...] = ()
    if collapse is not None:
        codes, labels, warns = collapse_groups(collapse, rr.shape[0])
        rr = rowsum(rr, codes, len(labels))
        status = rowsum(status, codes, len(labels))
    if type == "deviance":
        # sign(rr) * sqrt(-2 * (rr + ifelse(status == 0, 0, status * log(status - rr)))): with collapsed
        # counts above 1 the root can be of a negative number, NaN with R's warning
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = np.where(status == 0, 0.0, status * np.log(np.where(status == 0, 1.0, status - rr)))
            arg = -2 * (rr + inner)
            if np.any(arg < 0):
                warns += (NANS_PRODUCED,)
            rr = np.sign(rr) * np.sqrt(arg)
    return CoxResiduals(type=type, values=rr, columns=columns, groups=labels, warnings=warns)


def _model_var(fit: CoxPH) -> np.ndarray:
    """``naive.var`` when robust, else ``var`` (residuals.coxph's vv)."""
    v = fit.naive_var if fit.naive_var is not None else fit.var
    return np.atleast_2d(np.asarray(v, dtype=float))


def _score(fit: CoxPH, fd: FitData, start: np.ndarray | None, stop: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Unweighted score residuals, (n, p), data order."""
    prep = fd.prep
    x = prep.x
    efron = fit.method == "efron"
    if start is not None:
        from .agscore import ag_score_residuals

        return ag_score_residuals(x, start, stop, status, prep.weights, prep.strata, safe_score(fd.lp), efron)
    s = prep.strata if prep.strata is not None else np.zeros(stop.size, dtype=np.intp)
    method = "efron" if efron else "breslow"
    if _c_order_cost(stop, status, s, x.shape[1]) <= C_ORDER_LIMIT:
        return score_residuals_c_order(x, stop, status, prep.weights, s, safe_score(fd.lp), method)
    return score_residuals(x, stop, status, prep.weights, s, fd.lp, method)


def _schoenfeld(fit: CoxPH, fd: FitData, type: str, weighted: bool, compat: str | None) -> CoxResiduals:
    """coxscho.c on ``order(strata, stop, -status)``: one row per event."""
    prep = fd.prep
    x = prep.x
    n, p = x.shape
    start, stop = fd.times()
    rows = sorted_rows(start, stop, prep.event.astype(float), prep.strata)
    o, t1, ev, so = rows.order, rows.stop, rows.event, rows.strata
    X = x[o]
    w = safe_score(fd.lp)[o] * prep.weights[o]
    efron = 1.0 if fit.method == "efron" else 0.0
    resid = X.copy()
    for first, after, time, ks in event_times(rows):
        wk = w[ks]
        denom = seq_last(np.cumsum(wk))
        a = seq_last(np.cumsum(wk[:, None] * X[ks], axis=0))
        dead = (t1[ks] == time) & (ev[ks] == 1)
        deaths = float(dead.sum())
        efron_wt = seq_last(np.cumsum(wk[dead]))
        a2 = seq_last(np.cumsum(wk[dead][:, None] * X[ks][dead], axis=0)) if dead.any() else np.zeros(p)
        k = np.arange(int(deaths), dtype=float)
        temp = efron * k / deaths
        terms = (a[None, :] - temp[:, None] * a2[None, :]) / (deaths * (denom - temp * efron_wt))[:, None]
        mean = np.cumsum(terms, axis=0)[-1]
        at = np.arange(first, after)
        at = at[ev[at] == 1]
        resid[at] = X[at] - mean
    deaths_mask = ev == 1
    rr = resid[deaths_mask]
    if weighted:
        # survival 3.5-3: rr * weights[deaths], data-order weights picked by the sorted rows' mask
        w_dead = prep.weights[deaths_mask] if compat == "3.5-3" else prep.weights[o][deaths_mask]
        rr = rr * w_dead[:, None]
    if type == "scaledsch":
        if p > 1 and int(deaths_mask.sum()) == 1:
            # drop() turns the one-row matrix into a vector and colnames<- fails: R has no answer
            raise InvalidArgument("scaledsch residuals of a fit with one event and several coefficients: R fails "
                                  "here ('attempt to set 'colnames' on an object with less than two dimensions')",
                                  kind="residuals.one_event")
        vv = _model_var(fit)
        coef = np.where(np.isnan(fit.coef), 0.0, fit.coef)
        nd = float(deaths_mask.sum())
        rr = (rr * vv[0, 0] if p == 1 else _matmul_blas(rr, vv)) * nd + coef[None, :]
    strata = None
    # R's attr(, "strata") (a table of the events' strata, even of one stratum); scaledsch keeps it
    # only with one coefficient (rr * vv * ndead + coef): a matrix product drops it
    if prep.strata_term and (type == "schoenfeld" or p == 1) and deaths_mask.any():
        levels = prep.strata_used or []
        strata = tuple(r_label(levels[int(c)]) for c in so[deaths_mask])
    return CoxResiduals(type=type, values=rr, columns=tuple(fit.names), time=t1[deaths_mask].copy(),
                        strata=strata)
