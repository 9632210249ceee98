"""coxph on counting-process data, ``Surv(start, stop, event)``: coxph.R's
path through ``agreg.fit`` (:mod:`.agreg`), and the concordance of such data
(``concordancefit`` on a (start, stop] response: a subject is at risk at an
event time t when start < t <= stop).

Not implemented here (refused, naming the option): ``ties = "exact"`` (R's
``agexact.fit``); R's own answers for it are in the R engine. ``basehaz`` and
``cox.zph`` of such fits: :mod:`.baseline`, :mod:`.zph_counting`. The robust
variance (cluster, non-integer weights, ``robust=True``) is agscore2's
(:mod:`.agscore`).
"""
from __future__ import annotations

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import Concordance, CoxPH

from .._rmath import r_sum
from ..survival.timefix import aeq_surv
from ._order import r_colmeans
from .agreg import agfit4, agreg_order
from .agscore import robust_variance_counting
from .chol import wald_test_chol
from .fit import linear_predictor
from .inputs import Prepared
from .summary import chisq_test

__all__ = ["fit_counting", "counting_concordance", "counting_times"]


def _timefix(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """aeqSurv on (start, stop]: both ends on one set of cuts; an interval
    that becomes empty is R's error."""
    n = start.size
    z = aeq_surv(np.concatenate([start, stop]))
    s2, t2 = z[:n], z[n:]
    if np.any((s2 == t2) & (start != stop)):
        i = int(np.flatnonzero(s2 == t2)[0])
        raise InvalidArgument(f"`time`: the interval ({start[i]!r}, {stop[i]!r}] has effective length 0 once "
                              "near-equal times are made equal (R: 'aeqSurv exception, an interval has "
                              "effective length 0')", kind="time.interval")
    return s2, t2


def counting_times(prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """The (start, stop] of the rows kept, timefixed as coxph's Y."""
    assert prep.start is not None
    if prep.control.timefix:
        return _timefix(prep.start, prep.time)
    return prep.start, prep.time


def fit_counting(prep: Prepared, common: dict, warns: list) -> CoxPH:
    """coxph.R with agreg.fit, for right-continuous (start, stop] data."""
    if prep.ties == "exact":
        raise InvalidArgument("`ties`='exact' with Surv(start, stop, event) (R's agexact.fit) is not implemented "
                              "in pyimpl; use efron or breslow, or the R engine", kind="argument.value")
    assert prep.start is not None
    if prep.robust and not prep.cluster_given and prep.call.robust is not None:
        # coxph.R: robust asked for on (start, stop] data needs a cluster (the rows of one
        # subject are not independent); only robust implied by fractional weights gets 1:n
        raise InvalidArgument("`robust`=True with Surv(start, stop, event) needs `cluster` (R: 'one of cluster or "
                              "id is needed')", kind="cluster.missing")
    x = prep.x
    n, p = x.shape
    start, stop = counting_times(prep)
    e, w = prep.event, prep.weights
    strata = prep.strata
    codes = strata if strata is not None else np.zeros(n, dtype=np.intp)
    off = prep.offset if prep.offset is not None else np.zeros(n)
    control = prep.control
    sort1, sort2, nused = agreg_order(start, stop, e, strata)
    null = p == 0
    if null:  # agreg.fit: a stand-in column 1:n, no iteration
        xfit = np.arange(1.0, n + 1.0)[:, None]
        maxiter, init = 0, np.zeros(1)
    else:
        xfit = x
        maxiter = control.iter_max
        init = np.zeros(p) if prep.init is None else np.asarray(prep.init, dtype=float)
    nocenter = np.asarray(prep.nocenter, dtype=float)
    zero_one = np.array([bool(np.all(np.isin(xfit[:, j], nocenter))) for j in range(xfit.shape[1])])
    res = agfit4(xfit, start, stop, e, codes, w, off, init, sort1, sort2, nused, prep.ties == "efron", maxiter,
                 control, ~zero_one)
    agmeans = np.where(zero_one, 0.0, r_colmeans(xfit))
    coef, vmat = res.coef, res.imat
    nvar = xfit.shape[1]
    which_sing = (np.diag(vmat) == 0) if res.flag[0] < nvar else np.zeros(nvar, dtype=bool)
    if maxiter > 1:
        infs = np.abs(res.u @ vmat)
        if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(vmat))):
            raise InvalidArgument("the counting-process fit overflowed (R: 'routine failed due to numeric "
                                  "overflow.')", kind="exact.nonfinite")
        if res.flag[3] > 0:
            warns.append("Ran out of iterations and did not converge")
        else:
            bad = ~np.isfinite(res.u) | (infs > control.toler_inf * (1 + np.abs(coef)))
            if bad.any():
                which = ",".join(str(i + 1) for i in np.flatnonzero(bad))
                warns.append(f"Loglik converged before variable  {which} ; beta may be infinite. ")
    # agreg.fit: lp <- x %*% coef + offset - sum(coef * agmeans)
    lp = (linear_predictor(xfit, coef, np.zeros(n)) + off) - r_sum(coef * agmeans)
    if null:
        lp = off.copy()
    # coxph.R hands its cluster to concordancefit: the user's, or 1:n when robust without one
    ccl = prep.cluster if prep.cluster is not None else (np.arange(n) if prep.robust else None)
    conc = counting_concordance(start, stop, e, lp, strata, w if prep.has_weights else None, ccl)
    if null:
        return CoxPH(coef=np.zeros(0), se=np.zeros(0), var=np.zeros((0, 0)), naive_var=None,
                     loglik=np.asarray([res.loglik[1]]), score_test=None, wald_test=None, lr_test=None,
                     robust_score_test=None, concordance=conc, iterations=0, means=np.zeros(0),
                     linear_predictors=lp, robust=False, warnings=tuple(warns), **common)
    coef = coef.copy()
    if maxiter > 0:
        coef[which_sing] = np.nan
    nabeta = ~np.isnan(coef)
    df = int(nabeta.sum())
    naive_var = None
    rscore = None
    if prep.robust and nabeta.any():
        naive_var = vmat
        cluster = prep.cluster if (prep.cluster is not None and prep.cluster_given) else np.arange(n)
        vmat, rscore_stat = robust_variance_counting(x, start, stop, e, w, strata, lp, naive_var, cluster,
                                                     prep.ties == "efron", prep.init, control.toler_chol)
        rscore = chisq_test(rscore_stat, int(nabeta.sum()))
    b = coef[nabeta] if prep.init is None else (coef - init)[nabeta]
    wald = wald_test_chol(vmat[np.ix_(nabeta, nabeta)], b, control.toler_chol) if df else float("nan")
    loglik = np.asarray(res.loglik, dtype=float)
    return CoxPH(
        coef=coef, se=np.sqrt(np.diag(vmat)), var=vmat, naive_var=naive_var, loglik=loglik,
        score_test=chisq_test(res.sctest, df), wald_test=chisq_test(wald, df),
        lr_test=chisq_test(-2 * (loglik[0] - loglik[1]), df), robust_score_test=rscore, concordance=conc,
        iterations=int(res.iter), means=agmeans, linear_predictors=lp, robust=naive_var is not None,
        warnings=tuple(warns), **common,
    )


def counting_concordance(start: np.ndarray, stop: np.ndarray, event: np.ndarray, x: np.ndarray,
                         strata: np.ndarray | None, weights: np.ndarray | None,
                         cluster: np.ndarray | None = None) -> Concordance | None:
    """``concordancefit(Surv(start, stop, event), x, strata, weights,
    reverse = TRUE, timefix = FALSE)``: for each event time t, the events at
    t against the subjects at risk (start < t <= stop) that are not events at
    t; events at one time are tied on y. Influence per row as concordance4
    keeps it (an event's comparisons on its row, a survivor's on its own),
    then R's dfbeta variance."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if np.isnan(x).any():
        return None
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    s = np.zeros(n, dtype=np.intp) if strata is None else np.asarray(strata)
    count = np.zeros(5)
    conc = np.zeros(n)
    disc = np.zeros(n)
    tied = np.zeros(n)
    dead = event > 0
    for k in np.unique(s):
        ins = s == k
        times = np.unique(stop[ins & dead])
        for t in times[::-1]:  # the walk goes from the last time (sums in that order)
            d = np.flatnonzero(ins & dead & (stop == t))
            r = np.flatnonzero(ins & (start < t) & (stop >= t) & ~(dead & (stop == t)))
            xd, xr, wd, wr = x[d], x[r], w[d], w[r]
            greater = (xr[None, :] > xd[:, None]) @ wr if r.size else np.zeros(d.size)
            less = (xr[None, :] < xd[:, None]) @ wr if r.size else np.zeros(d.size)
            eq = (xr[None, :] == xd[:, None]) @ wr if r.size else np.zeros(d.size)
            count[0] += float(np.sum(wd * greater))
            count[1] += float(np.sum(wd * less))
            count[2] += float(np.sum(wd * eq))
            conc[d] += greater
            disc[d] += less
            tied[d] += eq
            if r.size:
                conc[r] += (xd[None, :] < xr[:, None]) @ wd
                disc[r] += (xd[None, :] > xr[:, None]) @ wd
                tied[r] += (xd[None, :] == xr[:, None]) @ wd
            if d.size > 1:
                pair = np.triu(np.ones((d.size, d.size), dtype=bool), 1)
                ww = np.outer(wd, wd)
                count[3] += float(np.sum(ww[pair]))
                count[4] += float(np.sum(ww[pair & (xd[:, None] == xd[None, :])]))
    count[3] -= count[4]
    npair = r_sum(count[:3])
    with np.errstate(divide="ignore", invalid="ignore"):
        somer = (count[0] - count[1]) / npair
        rowsum = (conc + disc) + tied
        dfbeta = w * ((conc - disc) / npair - (somer / npair) * rowsum)
    if cluster is not None:  # tapply(dfbeta, cluster, sum), NA as 0
        _, inv = np.unique(np.asarray(cluster), return_inverse=True)
        dfbeta = np.bincount(inv.reshape(-1), weights=dfbeta)
        dfbeta = np.where(np.isnan(dfbeta), 0.0, dfbeta)
    var = r_sum(dfbeta * dfbeta) / 4
    return Concordance(c=float(1 - (somer + 1) / 2), std=float(np.sqrt(var)), concordant=float(count[1]),
                       discordant=float(count[0]), tied_x=float(count[2]), tied_y=float(count[3]),
                       tied_xy=float(count[4]), n=int(n))
