"""``survreg(Surv(time, status) ~ terms, data=, dist=, weights=, subset=,
scale=, init=, control=)``: survival 3.5-3's ``survreg`` for right-censored
data, on R's model frame and model matrix (:mod:`pyimpl.formula`).

As R's ``survreg``: the model matrix has its intercept (unless ``- 1``: then
the first factor is coded by indicators); ``strata()`` terms give one scale
per stratum (``strata(a, b)`` or several terms: their combinations,
``shortlabel``) and leave the matrix (an interaction such as
``age:strata(sex)`` stays in it, as ``untangle.specials(Terms, "strata", 1)``
drops main effects only); an unnamed ``parms`` sets the parameters by
position; ``offset()`` terms are
summed; the log-time distributions fit log(time) and add the Jacobian
``sum(w * log(1/t))`` of the events to the log-likelihoods; a distribution
with a fixed scale (exponential 1, rayleigh 0.5) ignores ``scale=`` with R's
warning. ``dist`` takes R's names or an unambiguous prefix (``match.arg``).

Notes
-----
``robust=None`` is R's missing argument: the robust (grouped dfbeta)
variance when there is a cluster (``cluster=`` or a ``cluster()`` term), the
model-based one otherwise; ``naive_var`` then keeps the model-based one.
A robust variance with ``strata()`` only inside interactions (no ``strata()``
main effect) is refused, as survival 3.5-3 refuses it ("score %*% vv:
non-conformable arguments", see :func:`_refuse_strata_only_in_interactions`).

Interval and left-censored data (``Surv(type = "left" | "interval" |
"interval2")``, :mod:`.surv_interval`) take survreg's status coding 0 right,
1 exact, 2 left, 3 interval censored: the Jacobian counts the exact rows, the
log-time distributions log both bounds (and refuse a non-finite one, as a
0 lower bound).

Not implemented: penalised terms.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.control import SurvregControl
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.survreg import SurvReg, SurvregCall
from rparity_contract.values import SURVREG_DISTRIBUTIONS

from .. import _libm
from .._rmath import r_sum
from ..formula import as_series, column_or_values, combine, model_frame, terms_matrix
from ..formula.frame import complete_frame
from ..matching._rstats import r_means
from ..survival.surv import SurvData, read_surv
from ._cmath import clog
from .distributions import DISTRIBUTIONS
from .fit import gemm_blas, survreg_fit
from .residuals import derivatives, score_matrix
from .robust import robust_var
from .surv_interval import read_surv_typed

__all__ = ["survreg", "match_dist", "resolve_parms", "model", "Model", "RAN_OUT", "transformed_y", "DISTRIBUTIONS"]

RAN_OUT = "Ran out of iterations and did not converge"


def match_dist(dist: Any) -> str:
    """R's ``match.arg(dist, names(survreg.distributions))``: an exact name or
    a unique prefix."""
    if not isinstance(dist, str):
        raise InvalidArgument(f"`dist` must be one of {list(SURVREG_DISTRIBUTIONS)}; got dist={dist!r}",
                              kind="dist.value")
    if dist in SURVREG_DISTRIBUTIONS:
        return dist
    hits = [d for d in SURVREG_DISTRIBUTIONS if d.startswith(dist)] if dist else []
    if len(hits) != 1:
        raise InvalidArgument(f"`dist` must be one of {list(SURVREG_DISTRIBUTIONS)} (or a unique prefix); got "
                              f"dist={dist!r} (R: \"'arg' should be one of ...\")", kind="dist.value")
    return hits[0]


def resolve_parms(d: Any, parms: Any) -> dict[str, float]:
    """The distribution's parameters with ``parms`` put in, as survreg.R: ``temp <- unlist(parms)``, its names
    (when it has any) must be the distribution's, then ``ptemp[names(ptemp)] <- temp``, which assigns by
    position (an unnamed ``parms = 5`` is the t distribution's df), recycled."""
    pdict = dict(d.base_dist.parms)
    if parms is None:
        return pdict
    if not pdict:
        raise InvalidArgument(f"`parms`: the {d.name} distribution has no optional parameters; got "
                              f"parms={parms!r} (R: '{d.name} distribution has no optional parameters')",
                              kind="parms.value")
    if isinstance(parms, dict):
        for k in parms:
            if k not in pdict:
                raise InvalidArgument(f"`parms` names must be in {list(pdict)}; got {k!r} (R: 'Invalid parameter "
                                      "names')", kind="parms.value")
        values = [parms[k] for k in parms]
    else:
        values = list(np.atleast_1d(np.asarray(parms, dtype=object)).ravel())
    try:
        vals = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`parms` must be numbers; got parms={parms!r}", kind="parms.value") from None
    if vals.size == 0:
        raise InvalidArgument("`parms` must have a value (R: 'replacement has length zero')", kind="parms.value")
    names = list(pdict)
    if vals.size > len(names) or len(names) % vals.size:
        warnings.warn(RParityWarning("number of items to replace is not a multiple of replacement length"),
                      stacklevel=3)
    for i, k in enumerate(names):  # ptemp[names(ptemp)] <- temp: by position, recycled
        pdict[k] = float(vals[i % vals.size])
    return pdict


def _control(control: Any) -> SurvregControl:
    if control is None:
        return SurvregControl()
    if isinstance(control, dict):
        control = SurvregControl(**control)
    if not isinstance(control, SurvregControl):
        raise InvalidArgument(f"`control` must be a SurvregControl; got {type(control).__name__}",
                              kind="control.type")
    if not (isinstance(control.iter_max, (int, np.integer)) and control.iter_max >= 0):
        raise InvalidArgument(f"`control.iter_max` must be a non-negative integer; got {control.iter_max!r}",
                              kind="control.value")
    return control


def survreg(formula: Any, data: Any = None, *, dist: str = "weibull", weights: Any = None, subset: Any = None,
            scale: float = 0, init: Any = None, control: SurvregControl | None = None, robust: bool | None = None,
            cluster: Any = None, parms: Any = None, na_action: str = "na.omit") -> SurvReg:
    """Parametric survival regression, as ``survival::survreg`` (see the module).

    Parameters
    ----------
    formula : str
        ``"Surv(time, status) ~ x + strata(g) + offset(o)"``; status 0/1, 1/2
        or logical.
    data : DataFrame
    dist : str
        One of :data:`rparity_contract.values.SURVREG_DISTRIBUTIONS` (R's
        default ``"weibull"``).
    weights : column name or one value per row (positive).
    subset : mask, row positions or an R expression.
    scale : float
        0 (R's default): estimated; > 0: fixed at that value.
    init : initial coefficients (nvar, or nvar + the log scales).
    control : :class:`~rparity_contract.control.SurvregControl`.
    na_action : {"na.omit", "na.exclude"}
        Rows with a missing value are dropped either way (the fit is the same); with ``na.exclude`` the
        fit's residuals and predictions (without newdata) have NaN at the dropped rows (R's naresid).
    """
    if na_action not in ("na.omit", "na.exclude"):
        raise InvalidArgument(f"`na_action` must be one of na.omit, na.exclude; got na_action={na_action!r}",
                              kind="argument.value")
    key = match_dist(dist)
    d = DISTRIBUTIONS[key]
    base = d.base_dist
    pdict = resolve_parms(d, parms)
    ctl = _control(control)
    try:
        scale_v = float(scale)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`scale` must be a number; got scale={scale!r}", kind="scale.value") from None
    call = SurvregCall(formula=formula, data=data, dist=dist, weights=weights, subset=subset, scale=scale,
                       init=init, control=control, robust=robust, cluster=cluster, parms=parms, na_action=na_action)

    m = model(formula, data, subset, weights, cluster)
    x, names, status, w, offset = m.x, m.names, m.status, m.weights, m.offset
    nstrat, strata, scale_names, dropped, n = m.nstrat, m.strata, m.scale_names, m.dropped, m.x.shape[0]
    warns: list[str] = list(m.warnings)
    # the log-time distributions: the Jacobian of the exact rows, then log(time) (both bounds)
    logcorrect = 0.0
    if d.log_time:
        exact = status == 1
        if exact.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                lj = clog(1 / m.time[exact])
            logcorrect = float(r_sum(lj if w is None else w[exact] * lj))
    time, time2, _ = transformed_y(m, d)
    if d.log_time:
        if not (np.all(np.isfinite(time)) and (time2 is None or np.all(np.isfinite(time2)))):
            bad = ~np.isfinite(time) | (~np.isfinite(time2) if time2 is not None else False)
            raise InvalidArgument(f"`formula` response time must be positive for dist={key!r} (log time); got "
                                  f"{int(np.sum(bad))} row(s) with a non-positive bound (R: 'Invalid survival times "
                                  "for this distribution')", kind="time.nonpositive")
    if d.fixed_scale is not None:
        if scale_v != 0:  # R: any scale argument given
            warns.append(f"{d.name} has a fixed scale, user specified value ignored")
        scale_v = d.fixed_scale
    if scale_v < 0 or math.isnan(scale_v):
        raise InvalidArgument(f"`scale` must be >= 0; got scale={scale!r} (R: 'Invalid scale value')",
                              kind="scale.value")
    if scale_v > 0 and nstrat > 1:
        raise InvalidArgument("`scale` cannot be fixed with several strata (R: 'The scale argument is not valid "
                              "with multiple strata')", kind="scale.strata")
    if base.name == "Student-t" and pdict["df"] <= 2:
        raise InvalidArgument(f"`parms` df must be >= 3; got {pdict['df']!r} (R: 'Degrees of freedom must be "
                              ">=3')", kind="parms.value")
    if w is not None and np.any(w <= 0):
        raise InvalidArgument(f"`weights` must be positive; got min(weights)={float(np.min(w))!r} (R: 'Invalid "
                              "weights, must be >0')", kind="weights.nonpositive")
    weights_arr = np.ones(n) if w is None else w
    fit = survreg_fit(x, time, status, weights_arr, offset, init, ctl.iter_max, ctl.rel_tolerance,
                      ctl.toler_chol, base, pdict, scale_v, nstrat, strata, time2=time2)
    if not fit.converged:
        warns.append(RAN_OUT)
    nvar = x.shape[1]
    coef = fit.coef[:nvar].copy()
    if scale_v == 0:
        scales = _libm.exp(np.asarray(fit.coef[nvar:], dtype=float))
        idf = 1 + nstrat
    else:
        scales = np.array([scale_v])
        idf = 1
    var = fit.var
    naive = None
    use_robust = (m.cluster is not None) if robust is None else bool(robust)
    if use_robust:  # survreg.R: crossprod(rowsum(residuals(fit, "dfbeta"), cluster))
        _refuse_strata_only_in_interactions(m, var.shape[0] - nvar, warns)
        # residuals.survreg(fit, "dfbeta") (weighted = FALSE): the score times the model-based variance
        sig: Any = scales[strata] if (strata is not None and nstrat > 1) else scales[0]
        deriv = derivatives(time, time2, status, fit.linear_predictors, sig, base, pdict)
        score = score_matrix(deriv[:, 1], x, deriv[:, 3] if var.shape[0] > nvar else None, strata, nstrat)
        rr = gemm_blas(score, var)
        naive = var
        var = robust_var(rr, m.cluster if m.cluster is not None else np.arange(n))
    coef[np.diag(var)[:nvar] == 0] = np.nan  # R: singular columns are NA
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    means = fit.means if fit.means is not None else r_means(x)
    return SurvReg(
        names=names, coef=coef, scale=scales, scale_names=scale_names if nstrat > 1 else (), var=var, naive_var=naive,
        loglik=fit.loglik + logcorrect, icoef=fit.icoef, iterations=fit.iterations, df=fit.df, idf=idf,
        df_residual=float(n - fit.df), linear_predictors=fit.linear_predictors, means=means, n=n,
        n_dropped=len(dropped), dist=key, na_action=dropped, call=call, engine="pyimpl", warnings=tuple(warns),
    )


def strata_only_in_interactions(mf: Any) -> bool:
    """The formula has ``strata()`` variables (R's ``attr(Terms, "specials")$strata``) but no ``strata()`` main
    effect: ``untangle.specials(Terms, "strata", 1)$terms`` is empty (``age:strata(sex)``, ``strata(a):strata(b)``,
    or a ``- strata(g)`` that leaves the variable in the frame only)."""
    return bool(mf.strata) and not any(len(mf.terms[k]) == 1 for k in mf.special_terms("strata"))


def _refuse_strata_only_in_interactions(m: Model, n_scale: int, warns: list[str]) -> None:
    """survreg.R's robust variance calls ``residuals.survreg(fit, "dfbeta")``, which rebuilds its model matrix
    from ``Terms[-untangle.specials(Terms, "strata", 1)$terms]``: with no strata() main effect that index is
    ``-integer(0)``, which selects no term, so ``x`` is the intercept alone (or nothing with ``- 1``). The score
    ``cbind(deriv[, 2] * x, <one column per stratum>)`` then has ``ncol(x) + nstrata`` columns against the
    variance's ``nvar + nstrata``, and ``score %*% vv`` stops with "non-conformable arguments" whenever the
    model matrix has more than that intercept (a formula without such a column, ``~ strata(g) - strata(g)``,
    already fails earlier in R: untangle.specials on a terms object without terms). R's warnings
    (``Ran out of iterations``) come before its error."""
    mf = m.formula
    x_cols = 1 if mf.intercept else 0
    if not strata_only_in_interactions(mf) or m.x.shape[1] == x_cols:
        return
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=3)
    labels = [mf.label(k) for k in mf.special_terms("strata")] or [mf.variable_label(j) for j in mf.strata]
    raise InvalidArgument(
        f"`robust`/`cluster`: survreg's robust variance with strata() only inside interactions ({', '.join(labels)}; "
        f"no strata() main effect) is refused, as R: its residuals(fit, \"dfbeta\") rebuilds the model matrix with "
        f"the intercept only (no column with - 1), a score of {x_cols} + {n_scale} columns against a variance of "
        f"{m.x.shape[1]} + {n_scale} (R: 'score %*% vv: non-conformable arguments')", kind="robust.strata_interaction")


@dataclass(frozen=True)
class Model:
    """A survreg call's model frame made arrays: the model matrix (with its
    intercept) of the complete rows, the (untransformed) times and statuses,
    weights, offset, each row's stratum and the strata labels."""

    formula: Any
    variables: list
    kept_terms: list[int]
    x: np.ndarray
    names: tuple[str, ...]
    time: np.ndarray
    status: np.ndarray  # survreg's coding: 0 right, 1 exact, 2 left, 3 interval censored
    weights: np.ndarray | None
    offset: np.ndarray
    strata: np.ndarray | None
    nstrat: int
    scale_names: tuple[str, ...]
    dropped: tuple[int, ...]
    warnings: tuple[str, ...]
    cluster: np.ndarray | None = None  # 0-based codes of the sorted cluster values
    time2: np.ndarray | None = None  # the Surv's second column (the upper bound of a status 3, 1 elsewhere)
    kept_codes: tuple[tuple[int, ...], ...] = ()  # the kept terms' factor codes (R's terms of Terms[-dropx])


def transformed_y(m: Model, d: Any) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """survreg's ``Y`` after ``dlist$trans``: the first column, the second
    (only when a status is 3: R then keeps three columns) and the status."""
    has3 = m.time2 is not None and bool(np.any(m.status == 3))
    t1, t2 = m.time, (m.time2 if has3 else None)
    if d.log_time:
        with np.errstate(divide="ignore", invalid="ignore"):
            t1 = clog(t1)
            t2 = None if t2 is None else clog(t2)
    return t1, t2, m.status


def model(formula: Any, data: Any, subset: Any, weights: Any, cluster: Any = None) -> Model:
    """survreg's model frame and matrix (``model.frame``, ``na.omit``,
    ``model.matrix`` of the terms but ``strata()``, ``model.offset``)."""
    frame = model_frame(formula, data, subset, surv_types=("right", "left", "interval", "interval2"))
    mf = frame.formula
    if mf.response is None or not mf.response.surv:
        raise InvalidArgument(f"`formula` response must be Surv(time, event) for survreg; got {mf.text!r} (R: "
                              "'Response must be a survival object')", kind="formula.response")
    if mf.response.counting:
        raise InvalidArgument("`formula`: Surv(start, stop, event) data are not supported by survreg (R: "
                              "'start-stop type Surv objects are not supported')", kind="formula.response")
    w_raw = column_or_values(weights, frame, "weights", data)
    c_raw = column_or_values(cluster, frame, "cluster", data)
    frame = complete_frame(frame, [w_raw, c_raw])
    t_term = frame.response[0]
    if t_term.kind != "numeric":
        raise InvalidArgument(f"`formula` response time {t_term.name!r} must be numeric (R: 'Time variable is "
                              "not numeric')", kind="time.type")
    stype = mf.response.type
    time2_all = None
    if stype in ("left", "interval", "interval2"):
        resp = [as_series(t) for t in frame.response]
        si = read_surv_typed(stype, resp[0], resp[1] if stype != "left" else None,
                             resp[-1] if stype != "interval2" else None)
        sv = SurvData(time=si.time1, status=si.status, warnings=si.warnings)
        time2_all = si.time2
    else:
        ev = as_series(frame.response[1]) if mf.response.event is not None else None
        sv = read_surv(np.asarray(t_term.values, dtype=float), ev)
    warns: list[str] = list(sv.warnings)
    wv = None
    if w_raw is not None:
        try:
            wv = np.asarray(w_raw, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgument("`weights` must be numeric", kind="weights.type") from None
    # na.omit of the whole model frame
    complete = ~frame.na_rows & ~np.isnan(sv.time) & ~np.isnan(sv.status)
    if time2_all is not None:
        complete &= ~np.isnan(time2_all)
    for t in frame.variables + frame.offsets + frame.unused:
        complete &= ~t.missing
    if wv is not None:
        complete &= ~np.isnan(wv)
    if c_raw is not None:
        complete &= ~np.asarray(pd.isna(pd.Series(c_raw)))
    keep = np.flatnonzero(complete)
    dropped = tuple(int(i) for i in frame.rows[~complete])
    if keep.size == 0:
        raise InvalidArgument("no observations left after dropping missing values", kind="data.empty")
    variables = list(frame.variables) if keep.size == complete.size else [v.take(keep) for v in frame.variables]
    # survreg.R: untangle.specials(Terms, "strata", 1) drops the strata() main effects only (an interaction
    # age:strata(sex) stays in the model matrix), then model.matrix(Terms[-dropx]): the kept terms' codes are
    # those of the reduced terms
    strata_terms = {k for k in mf.special_terms("strata") if len(mf.terms[k]) == 1} | set(mf.special_terms("cluster"))
    kept = [k for k in range(len(mf.terms)) if k not in strata_terms]
    kept_codes = _reduced_codes([mf.terms[k] for k in kept], variables, mf.intercept)
    design = terms_matrix(variables, [mf.terms[k] for k in kept], list(kept_codes),
                          [mf.label(k) for k in kept], keep.size)
    n = keep.size
    x = with_intercept(design.x, mf.intercept)
    names = (("(Intercept)",) if mf.intercept else ()) + tuple(design.names)
    if not np.all(np.isfinite(x)):
        raise InvalidArgument("`formula`: the model matrix has an infinite value (R: 'data contains an infinite "
                              "predictor')", kind="X.nonfinite")
    offset = np.zeros(n)
    if frame.offsets:
        off = None
        for t in frame.offsets:
            if t.kind != "numeric":
                raise InvalidArgument(f"`formula` term offset({t.name}) must be numeric", kind="X.type")
            v = np.asarray(t.values, dtype=float)[keep]
            off = v if off is None else off + v
        assert off is not None
        offset = off if not np.all(off == 0) else np.zeros(n)
    time = sv.time[keep]
    status = sv.status[keep]
    w = None if wv is None else wv[keep]
    nstrat = 1
    strata = None
    scale_names: tuple[str, ...] = ()
    if mf.strata:
        s = as_series(combine([variables[i] for i in mf.strata], "strata"))
        codes = np.asarray(s.cat.codes, dtype=np.intp)
        strata = codes
        nstrat = int(codes.max()) + 1
        scale_names = tuple(str(c) for c in s.cat.categories)[:nstrat]
    clus = None
    if c_raw is not None:
        if mf.cluster is not None:
            warns.append("cluster appears both in a formula and as an argument, formula term ignored")
        clus = np.unique(pd.Series(c_raw).iloc[keep].to_numpy(), return_inverse=True)[1]  # as.numeric(as.factor())
    elif mf.cluster is not None:
        ct = variables[mf.cluster]
        vals = ct.values if ct.kind == "numeric" else ct.codes
        clus = np.unique(np.asarray(vals), return_inverse=True)[1]
    return Model(formula=mf, variables=variables, kept_terms=kept, x=x, names=names, time=time, status=status,
                 weights=w, offset=offset, strata=strata, nstrat=nstrat, scale_names=scale_names, dropped=dropped,
                 warnings=tuple(warns), cluster=clus, time2=None if time2_all is None else time2_all[keep],
                 kept_codes=kept_codes)


def _reduced_codes(terms: list[tuple[int, ...]], variables: list, intercept: bool) -> tuple[tuple[int, ...], ...]:
    """R's ``TermCode`` (src/main/model.c) on the reduced terms: variable j of term k is coded by contrasts (1)
    when the term without j is empty or within an earlier term, else by indicators (2). Without an intercept
    (``- 1``: survreg.R keeps ``attr(Terms, "intercept")``), model.c's modelmatrix codes the first factor
    (more than one level) of the first term that has one by indicators."""
    def code(k: int, j: int) -> int:
        rest = set(terms[k]) - {j}
        return 1 if not rest or any(rest <= set(terms[i]) for i in range(k)) else 2
    codes = [[code(k, j) for j in t] for k, t in enumerate(terms)]
    if not intercept:
        def is_factor(j: int) -> bool:
            v = variables[j]
            return v.kind == "logical" or (v.kind == "factor" and len(v.levels) > 1)
        for k, t in enumerate(terms):
            hits = sorted(j for j in t if is_factor(j))  # model.c: the variables in their order
            if hits:
                codes[k][list(t).index(hits[0])] = 2
                break
    return tuple(tuple(c) for c in codes)


def with_intercept(x: np.ndarray, intercept: bool) -> np.ndarray:
    """The model matrix with its intercept column first (a formula's ``- 1``: none)."""
    n = x.shape[0]
    if not intercept:
        return x
    return np.column_stack([np.ones(n), x]) if x.shape[1] else np.ones((n, 1))
