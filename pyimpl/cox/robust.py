"""Robust (sandwich) variance of a Cox fit: ``residuals.coxph(type="dfbeta",
weighted=TRUE, collapse=cluster)`` and the robust score test, as ``coxph.R``
computes them (survival 3.5-3, ``src/coxscore2.c``).

Score residuals (Breslow; Efron adds the 1 - k/d down-weighting of the tied
deaths' own risk): for subject k and each death time t <= t_k in its stratum,

    U_k = sum_t [d_k(t) (x_k - xbar_t) - r_k (x_k - xbar_t) dLambda_t],

with ``r = exp(lp)`` (unweighted), ``dLambda_t = (sum of weights of the deaths)
/ (sum of w r over the risk set)``. The C code loops over the whole risk set
at every death time (quadratic); here the sums over t are cumulative, so the
cost is linear. Covariates are centred first: the residuals do not change
(every ``xbar`` is a weighted mean), and the cumulative form then loses no
precision to large covariate means.
"""
from __future__ import annotations

import numpy as np

from ._order import cumsum_restart
from .chol import wald_test_chol
from .fit import linear_predictor

__all__ = ["score_residuals", "robust_variance"]


def _restart_starts(keys: np.ndarray) -> np.ndarray:
    if keys.size == 0:
        return np.zeros(1, dtype=np.intp)
    s = np.ones(keys.size, dtype=bool)
    s[1:] = keys[1:] != keys[:-1]
    return np.flatnonzero(s)


def score_residuals(x, time, status, weights, strata, lp, method) -> np.ndarray:
    """Unweighted score residuals (n, p) in the caller's row order.

    Contract: ``x`` (n, p); ``time``, ``status`` (0/1), ``weights``, ``strata``
    (integer codes), ``lp`` (n,); ``method`` "efron" or "breslow".
    """
    n, p = x.shape
    order = np.lexsort((-status, time, strata))  # order(strata, time, -status)
    ts, es, ws, ss = time[order], status[order], weights[order], strata[order]
    xc = x[order] - x.mean(axis=0)
    score = np.exp(lp[order])
    risk = score * ws
    newg = np.ones(n, dtype=bool)
    newg[1:] = (ts[1:] != ts[:-1]) | (ss[1:] != ss[:-1])
    gstart = np.flatnonzero(newg)
    gid = np.cumsum(newg) - 1
    ng = gstart.size
    gstrat = ss[gstart]
    # sums over the risk set {time >= t}: reverse cumulative sums within strata
    rev = slice(None, None, -1)
    sstarts_rev = _restart_starts(ss[rev])
    vals = np.column_stack((risk, risk[:, None] * xc))
    rc = cumsum_restart(vals[rev], sstarts_rev)[rev]
    denom = rc[gstart, 0]
    a = rc[gstart, 1:]
    dead = es == 1
    dcount = np.bincount(gid, weights=es, minlength=ng)
    e_denom = np.bincount(gid, weights=risk * es, minlength=ng)
    wsum = np.bincount(gid, weights=ws * es, minlength=ng)
    a2 = np.zeros((ng, p))
    np.add.at(a2, gid[dead], (risk[:, None] * xc)[dead])
    H = np.zeros(ng)
    Hd = np.zeros(ng)  # deaths' own weights: sum haz * (1 - downwt)
    M = np.zeros((ng, p))
    Md = np.zeros((ng, p))
    Mbar = np.zeros((ng, p))
    dg = np.flatnonzero(dcount > 0)
    if dg.size:
        dc = dcount[dg].astype(np.intp)
        rows_g = np.repeat(dg, dc)
        dd = np.arange(rows_g.size) - np.repeat(np.cumsum(dc) - dc, dc)
        dfl = dcount[rows_g]
        if method == "efron":
            downwt = dd / dfl
        else:
            downwt = np.zeros(rows_g.size)
            keep = dd == 0  # Breslow: one term per death time
            rows_g, downwt, dfl = rows_g[keep], downwt[keep], np.ones(keep.sum())
        temp = denom[rows_g] - downwt * e_denom[rows_g]
        haz = (wsum[rows_g] / dfl) / temp
        mean = (a[rows_g] - downwt[:, None] * a2[rows_g]) / temp[:, None]
        H = np.bincount(rows_g, weights=haz, minlength=ng)
        Hd = np.bincount(rows_g, weights=haz * (1 - downwt), minlength=ng)
        for j in range(p):
            M[:, j] = np.bincount(rows_g, weights=haz * mean[:, j], minlength=ng)
            Md[:, j] = np.bincount(rows_g, weights=haz * (1 - downwt) * mean[:, j], minlength=ng)
            Mbar[:, j] = np.bincount(rows_g, weights=mean[:, j] / dfl, minlength=ng)
    # cumulative over death times t <= t_k within the stratum (time ascending)
    gs_starts = _restart_starts(gstrat)
    Hc = cumsum_restart(H, gs_starts)
    Mc = cumsum_restart(M, gs_starts)
    g = gid
    sc = score[:, None]
    resid = -sc * (xc * Hc[g, None] - Mc[g])
    adj = (xc - Mbar[g]) + sc * (xc * (H[g] - Hd[g])[:, None] - (M[g] - Md[g]))
    resid[dead] += adj[dead]
    out = np.empty_like(resid)
    out[order] = resid
    return out


def _collapse(values: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    m = int(cluster.max()) + 1
    out = np.zeros((m, values.shape[1]))
    np.add.at(out, cluster, values)
    return out


def robust_variance(x, time, status, weights, strata, lp, naive_var, cluster, method, init, toler_chol):
    """(robust variance D'D, robust score statistic) as ``coxph.R`` forms them."""
    rr = score_residuals(x, time, status, weights, strata, lp, method)
    dfb = (rr @ naive_var) * weights[:, None]
    D = _collapse(dfb, cluster)
    var = D.T @ D
    lp0 = linear_predictor(x, np.zeros(x.shape[1]) if init is None else init, np.zeros(x.shape[0]))
    r0 = score_residuals(x, time, status, weights, strata, lp0, method) * weights[:, None]
    T0 = _collapse(r0, cluster)
    u = T0.sum(axis=0)
    rscore = wald_test_chol(T0.T @ T0, u, toler_chol)
    return var, rscore
