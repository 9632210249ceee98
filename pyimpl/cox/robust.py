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

from .. import _libm
from .._rmath import r_sum
from ._order import cumsum_restart, stable_order
from .chol import wald_test_chol
from .fit import linear_predictor, xtwy

__all__ = ["score_residuals", "score_residuals_c_order", "robust_variance"]


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


def score_residuals_c_order(x, time, status, weights, strata, score, method) -> np.ndarray:
    """``coxscore2.c`` replayed term by term (quadratic: a loop over the tied
    death sets, vectorised over the subjects at risk), on the raw covariates,
    so that the residuals carry R's rounding. Used for small data: when the
    residuals are 0 in exact arithmetic (everyone tied at one time), R's
    robust statistics are made of rounding noise, and only the same rounding
    gives the same numbers."""
    n, p = x.shape
    order = stable_order(strata, time, -status)  # order(strata, time, -status)
    xs, ts, es, ws, ss, sc = x[order], time[order], status[order], weights[order], strata[order], score[order]
    last = np.append(ss[1:] != ss[:-1], True)  # C: strata[i] == 1 marks a stratum's last row
    risk = sc * ws
    vals = np.column_stack((risk, risk[:, None] * xs))
    rev = slice(None, None, -1)
    run = cumsum_restart(vals[rev], np.flatnonzero(last[rev]))[rev]  # denom, a after adding row i
    send = np.empty(n, dtype=np.intp)  # end (exclusive) of each row's stratum
    ends = np.flatnonzero(last) + 1
    send[:] = ends[np.searchsorted(ends, np.arange(n), side="right")]
    newg = np.ones(n, dtype=bool)
    newg[1:] = (ts[1:] != ts[:-1]) | (ss[1:] != ss[:-1])
    gstart = np.flatnonzero(newg)
    gend = np.append(gstart[1:], n)
    resid = np.zeros((n, p))
    efron = method == "efron"
    for i, g1 in zip(gstart[::-1].tolist(), gend[::-1].tolist()):
        dmask = es[i:g1] == 1
        deaths = float(np.count_nonzero(dmask))
        if deaths == 0:
            continue
        drows = np.flatnonzero(dmask)[::-1] + i  # the C loop meets them from the last
        e_denom = float(np.cumsum(risk[drows])[-1])
        meanwt = float(np.cumsum(ws[drows])[-1])
        a2 = np.cumsum(risk[drows, None] * xs[drows], axis=0)[-1]
        denom, a = run[i, 0], run[i, 1:]
        k = slice(i, send[i])
        xk = xs[k]
        sk = sc[k][:, None]
        dk = np.zeros(xk.shape[0], dtype=bool)
        dk[: g1 - i] = dmask
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if deaths < 2 or not efron:
                hazard = meanwt / denom
                temp2 = xk - a / denom
                block = resid[k]
                block[dk] += temp2[dk]
                block -= temp2 * sk * hazard
                resid[k] = block
            else:
                meanwt /= deaths
                block = resid[k]
                for dd in range(int(deaths)):
                    downwt = dd / deaths
                    temp = denom - downwt * e_denom
                    hazard = meanwt / temp
                    temp2 = xk - (a - downwt * a2) / temp
                    block[dk] += temp2[dk] / deaths
                    block[dk] -= temp2[dk] * sk[dk] * hazard * (1 - downwt)
                    block[~dk] -= temp2[~dk] * sk[~dk] * hazard
                resid[k] = block
    out = np.empty_like(resid)
    out[order] = resid
    return out


C_ORDER_LIMIT = 4_000_000
"""Largest (subjects at risk summed over the death times) x covariates for
which the robust variance replays R's quadratic loop; above it the residuals
come from the cumulative formula of :func:`score_residuals`."""


def _c_order_cost(time, status, strata, p) -> int:
    order = stable_order(strata, time)
    ts, es, ss = time[order], status[order], strata[order]
    n = ts.size
    ends = np.flatnonzero(np.append(ss[1:] != ss[:-1], True)) + 1
    send = ends[np.searchsorted(ends, np.arange(n), side="right")]
    first = np.ones(n, dtype=bool)
    first[1:] = (ts[1:] != ts[:-1]) | (ss[1:] != ss[:-1])
    dgroup = first & (np.add.reduceat(es, np.flatnonzero(first))[np.cumsum(first) - 1] > 0)
    return int(np.sum((send - np.arange(n))[dgroup])) * max(p, 1)


def _rowsum(values: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """R's ``rowsum``: per-group sums accumulated in row order."""
    m = int(cluster.max()) + 1
    out = np.zeros((m, values.shape[1]))
    np.add.at(out, cluster, values)
    return out


def _crossprod_blas(D: np.ndarray) -> np.ndarray:
    """``t(D) %*% D`` as reference BLAS dgemm sums it: over rows, in order."""
    if D.shape[0] * D.shape[1] ** 2 > 4_000_000:
        return xtwy(D, np.ones(D.shape[0]), D)
    return np.cumsum(D[:, :, None] * D[:, None, :], axis=0)[-1] if D.shape[0] else np.zeros((D.shape[1],) * 2)


def _matmul_blas(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A %*% B`` (B small) as reference dgemm: C[, j] += B[l, j] * A[, l], l in order."""
    out = np.zeros((A.shape[0], B.shape[1]))
    for l in range(A.shape[1]):
        out += A[:, l:l + 1] * B[l:l + 1, :]
    return out


def robust_variance(x, time, status, weights, strata, lp, naive_var, cluster, method, init, toler_chol):
    """(robust variance D'D, robust score statistic) as ``coxph.R`` forms them:
    D = rowsum(weights * (score residuals %*% naive_var), cluster); the robust
    score test from the weighted score residuals at ``init`` (0)."""
    n, p = x.shape
    lp0 = linear_predictor(x, np.zeros(p) if init is None else init, np.zeros(n))
    if _c_order_cost(time, status, strata, p) <= C_ORDER_LIMIT:
        rr = score_residuals_c_order(x, time, status, weights, strata, _libm.exp(lp), method)
        r0 = score_residuals_c_order(x, time, status, weights, strata, _libm.exp(lp0), method)
        dfb = (rr * naive_var[0, 0] if p == 1 else _matmul_blas(rr, naive_var)) * weights[:, None]
        D = _rowsum(dfb, cluster)
        var = _crossprod_blas(D)
        T0 = _rowsum(r0 * weights[:, None], cluster)
        u = np.array([r_sum(T0[:, j]) for j in range(p)])
        rscore = wald_test_chol(_crossprod_blas(T0), u, toler_chol)
        return var, rscore
    rr = score_residuals(x, time, status, weights, strata, lp, method)
    dfb = _matmul_blas(rr, naive_var) * weights[:, None]
    D = _rowsum(dfb, cluster)
    var = xtwy(D, np.ones(D.shape[0]), D)
    r0 = score_residuals(x, time, status, weights, strata, lp0, method) * weights[:, None]
    T0 = _rowsum(r0, cluster)
    u = T0.sum(axis=0)
    rscore = wald_test_chol(xtwy(T0, np.ones(T0.shape[0]), T0), u, toler_chol)
    return var, rscore
