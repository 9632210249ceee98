"""coxph on counting-process data, ``Surv(start, stop, event)``: coxph.R's
path through ``agreg.fit`` (:mod:`.agreg`), and the concordance of such data
(``concordancefit`` on a (start, stop] response: a subject is at risk at an
event time t when start < t <= stop).

``ties = "exact"``: R's ``agexact.fit`` (:mod:`.agexact`). ``basehaz`` and
``cox.zph`` of such fits: :mod:`.baseline`, :mod:`.zph_counting`. The robust
variance (cluster, non-integer weights, ``robust=True``) is agscore2's
(:mod:`.agscore`).
"""
from __future__ import annotations

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import Concordance, CoxPH

from .._rmath import r_sum
from ..survival.timefix import aeq_counting
from ._order import r_colmeans
from .agexact import agexact_fit
from .agreg import agfit4, agreg_order
from .agscore import robust_variance_counting
from .chol import wald_test_chol
from .fit import linear_predictor
from .inputs import Prepared
from .summary import chisq_test

__all__ = ["fit_counting", "counting_concordance", "counting_times"]


def counting_times(prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """The (start, stop] of the rows kept, timefixed as coxph's Y."""
    assert prep.start is not None
    if prep.control.timefix:
        return aeq_counting(prep.start, prep.time)
    return prep.start, prep.time


def fit_counting(prep: Prepared, common: dict, warns: list) -> CoxPH:
    """coxph.R with agreg.fit, for right-continuous (start, stop] data."""
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
    exact = prep.ties == "exact"
    null = p == 0
    if null and not exact:  # agreg.fit: a stand-in column 1:n, no iteration
        xfit = np.arange(1.0, n + 1.0)[:, None]
        maxiter, init = 0, np.zeros(1)
    else:  # agexact.fit iterates on no column at all
        xfit = x
        maxiter = control.iter_max
        init = np.zeros(p) if prep.init is None else np.asarray(prep.init, dtype=float)
    nocenter = np.asarray(prep.nocenter, dtype=float)
    zero_one = np.array([bool(np.all(np.isin(xfit[:, j], nocenter))) for j in range(xfit.shape[1])], dtype=bool)
    if exact:
        ares = agexact_fit(xfit, start, stop, e, strata, off, init, control, maxiter, zero_one)
        res, agmeans = ares.fit, ares.means
    else:
        sort1, sort2, nused = agreg_order(start, stop, e, strata)
        res = agfit4(xfit, start, stop, e, codes, w, off, init, sort1, sort2, nused, prep.ties == "efron",
                     maxiter, control, ~zero_one)
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
            if exact:  # agexact.fit's test: (infs > eps) & infs > toler.inf * abs(coef)
                bad = (infs > control.eps) & (infs > control.toler_inf * np.abs(coef))
            else:
                bad = ~np.isfinite(res.u) | (infs > control.toler_inf * (1 + np.abs(coef)))
            if bad.any():
                which = ",".join(str(i + 1) for i in np.flatnonzero(bad))
                warns.append(f"Loglik converged before variable  {which} ; beta may be infinite. ")
    # agreg.fit: lp <- x %*% coef + offset - sum(coef * agmeans)
    lp = (linear_predictor(xfit, coef, np.zeros(n)) + off) - r_sum(coef * agmeans)
    if null and not exact:
        lp = off.copy()
    # coxph.R hands its cluster to concordancefit: the user's, or 1:n when robust without one
    ccl = prep.cluster if prep.cluster is not None else (np.arange(n) if prep.robust else None)
    conc = counting_concordance(start, stop, e, lp, strata, w if prep.has_weights else None, ccl)
    if null and exact:
        # agexact.fit on no column: a loglik pair, a score test of 0 on 0 df, and summary.coxph's
        # likelihood-ratio test on 0 df (its coefficients are numeric(0), not NULL); no Wald test
        ll = np.asarray(res.loglik, dtype=float)
        return CoxPH(coef=np.zeros(0), se=np.zeros(0), var=np.zeros((0, 0)), naive_var=None, loglik=ll,
                     score_test=chisq_test(res.sctest, 0), wald_test=None, lr_test=chisq_test(-2 * (ll[0] - ll[1]), 0),
                     robust_score_test=None, concordance=conc, iterations=int(res.iter), means=np.zeros(0),
                     linear_predictors=lp, robust=False, warnings=tuple(warns), **common)
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
        # agexact.fit names its method "coxph": residuals.coxph then takes Breslow's score residuals
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
                         cluster: np.ndarray | None = None, rows_out: dict | None = None,
                         timewt: np.ndarray | None = None) -> Concordance | None:
    """``concordancefit(Surv(start, stop, event), x, strata, weights,
    reverse = TRUE, timefix = FALSE)``: for each event time t, the events at
    t against the subjects at risk (start < t <= stop) that are not events at
    t; events at one time are tied on y. Influence per row as concordance4
    keeps it (an event's comparisons on its row, a survivor's on its own),
    then R's dfbeta variance.

    The comparisons are weighted dominance counts (:func:`.cindex._range_dominance`):
    the rows at risk at t are those with stop >= t (censored rows at t
    included, events at t not) less those with start >= t, each a prefix of
    the rows in one order; a row's comparisons as the survivor are with the
    events in (start, stop] (its own time left out when it is an event).
    """
    from .._threads import run_all
    from ._order import dense_rank
    from .cindex import PARALLEL_MIN_ITEMS, _pairs, _prefix_within, _range_dominance, concordance_result

    x = np.asarray(x, dtype=float)
    n = x.size
    if np.isnan(x).any():
        return None
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    wq = None if weights is None else w
    # concordance4.c's timewt (each event row its time's weight): the comparisons an event makes, and those
    # made of a survivor by the events in its (start, stop], count times it; tied on y alone does not
    tw = None if timewt is None else np.asarray(timewt, dtype=float)
    wt_ev = w if tw is None else w * tw
    s = np.zeros(n, dtype=np.intp) if strata is None else np.asarray(strata, dtype=np.intp)
    xr, K = dense_rank(x)
    nbits = max(1, int(K - 1).bit_length())
    dead = event > 0
    count = np.zeros(5)
    # rows by (stratum, stop descending, censored before events) and by (stratum, start descending)
    o2 = np.lexsort((dead, -stop, s))
    o1 = np.lexsort((-start, s))
    s2, s1 = s[o2], s[o1]
    # per stratum, the first position of each order
    first2 = np.searchsorted(s2, s)
    first1 = np.searchsorted(s1, s)
    di = np.flatnonzero(dead)
    t = stop[di]
    # events: rows with stop > t, or = t and censored; less rows with start >= t
    e2 = _first_not_before(s2, -stop[o2], dead[o2], s[di], -t)
    e1 = _first_start_below(s1, -start[o1], s[di], -t)
    # every row as the survivor: the events at times in (start, stop] of its stratum
    od = di[np.lexsort((stop[di], s[di]))]
    sd, td = s[od], stop[od]
    # in events ordered by (stratum, time): the first after start, and the first at (events) or after stop;
    # the starts and stops ranked against the event times once
    keys, q = _lex_keys(sd, td, np.concatenate((s, s)), np.concatenate((start, stop)))
    q_start, q_stop = q[:n], q[n:]
    lo = np.searchsorted(keys, q_start, side="right")
    hi = np.empty(n, dtype=np.intp)
    hi[dead] = np.searchsorted(keys, q_stop[dead], side="left")
    hi[~dead] = np.searchsorted(keys, q_stop[~dead], side="right")
    # the three dominance counts are independent: two threads where two CPUs are free
    (less2, eq2), (less1, eq1), (lessB, eqB) = run_all([
        (_range_dominance, (xr[o2], None if wq is None else wq[o2], first2[di], e2, xr[di], nbits)),
        (_range_dominance, (xr[o1], None if wq is None else wq[o1], first1[di], e1, xr[di], nbits)),
        (_range_dominance, (xr[od], (None if wq is None else wq[od]) if tw is None else wt_ev[od], lo, hi, xr,
                            nbits))],
        parallel=n >= PARALLEL_MIN_ITEMS)
    cw2 = np.concatenate(([0.0], np.cumsum(w[o2])))
    cw1 = np.concatenate(([0.0], np.cumsum(w[o1])))
    tot = (cw2[e2] - cw2[first2[di]]) - (cw1[e1] - cw1[first1[di]])
    less = less2 - less1
    eq = eq2 - eq1
    greater = tot - less - eq
    wd = w[di]
    if tw is not None:
        greater, less, eq = greater * tw[di], less * tw[di], eq * tw[di]
    count[0] = float(np.cumsum(wd * greater)[-1]) if di.size else 0.0
    count[1] = float(np.cumsum(wd * less)[-1]) if di.size else 0.0
    count[2] = float(np.cumsum(wd * eq)[-1]) if di.size else 0.0
    conc = np.zeros(n)
    disc = np.zeros(n)
    tied = np.zeros(n)
    conc[di] += greater
    disc[di] += less
    tied[di] += eq
    cwd = np.concatenate(([0.0], np.cumsum(wt_ev[od])))
    totB = cwd[hi] - cwd[lo]
    conc += lessB
    disc += totB - lessB - eqB
    tied += eqB
    # events tied in time (and in x), within each stratum
    if od.size:
        new_time = np.append(True, (sd[1:] != sd[:-1]) | (td[1:] != td[:-1]))
        ox = np.lexsort((xr[od], td, sd))
        od2 = od[ox]
        new_t2 = np.append(True, (s[od2][1:] != s[od2][:-1]) | (stop[od2][1:] != stop[od2][:-1]))
        same_x = new_t2 | np.append(True, xr[od2][1:] != xr[od2][:-1])
        if weights is None and tw is None:
            count[3] = _pairs(new_time)
            count[4] = _pairs(same_x)
        else:
            count[3] = float(np.cumsum(w[od] * _prefix_within(w[od], new_time))[-1])
            # tied on x and y counts times the time's weight (concordance4.c's count[4])
            twx = 1.0 if tw is None else tw[od2]
            count[4] = float(np.cumsum(w[od2] * _prefix_within(w[od2], same_x) * twx)[-1])
    count[3] -= count[4]
    if rows_out is not None:  # concordancefit's raw counts and imat[, 1:3] (see cindex.concordancefit)
        rows_out.update(count=count.copy(), rows=np.column_stack([conc, disc, tied]))
    npair = r_sum(count[:3])
    with np.errstate(divide="ignore", invalid="ignore"):
        somer = (count[0] - count[1]) / npair
        rowsum = (conc + disc) + tied
        dfbeta = w * ((conc - disc) / npair - (somer / npair) * rowsum)
    return concordance_result(count, somer, dfbeta, cluster, n)


def _lex_keys(s_sorted, v_sorted, s_q, v_q, flag_sorted=None, flag_q=None) -> tuple[np.ndarray, np.ndarray]:
    """(stratum, value[, 0/1 flag]) pairs of the sorted rows and of the
    queries as one int64 each, in the same lexicographic order: the values
    ranked over both sets (exact: no arithmetic on the times), so that one
    integer ``searchsorted`` answers what a record-array one would, faster.
    One stratum and no flag: the values themselves."""
    if flag_sorted is None and np.size(s_sorted) and np.all(s_sorted == s_sorted[0]) and np.all(s_q == s_sorted[0]):
        return np.asarray(v_sorted, dtype=float), np.asarray(v_q, dtype=float)
    u = np.unique(np.concatenate((v_sorted, v_q)))
    r_sorted = np.searchsorted(u, v_sorted)
    r_q = np.searchsorted(u, v_q)
    m = np.int64(u.size + 1)
    k_sorted = np.asarray(s_sorted, dtype=np.int64) * m + r_sorted
    k_q = np.asarray(s_q, dtype=np.int64) * m + r_q
    if flag_sorted is not None:
        k_sorted = 2 * k_sorted + np.asarray(flag_sorted, dtype=np.int64)
        k_q = 2 * k_q + np.asarray(flag_q, dtype=np.int64)
    return k_sorted, k_q


def _first_not_before(s_sorted, negstop_sorted, dead_sorted, s_q, negt_q) -> np.ndarray:
    """In rows ordered by (stratum, -stop, event), the position of the first
    row of the query's stratum that is an event at t or has stop < t."""
    keys, q = _lex_keys(s_sorted, negstop_sorted, s_q, negt_q, dead_sorted, np.ones(np.size(s_q)))
    return np.searchsorted(keys, q, side="left")


def _first_start_below(s_sorted, negstart_sorted, s_q, negt_q) -> np.ndarray:
    """In rows ordered by (stratum, -start), the first row of the query's
    stratum with start < t."""
    keys, q = _lex_keys(s_sorted, negstart_sorted, s_q, negt_q)
    return np.searchsorted(keys, q, side="right")
