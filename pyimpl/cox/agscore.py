"""Score residuals and the robust variance of a counting-process Cox fit:
``residuals.coxph(type = "dfbeta", weighted = TRUE, collapse = cluster)`` on
(start, stop] data, i.e. survival's ``agscore2.c`` (3.5-3) on the rows in
``order(strata, stop, -status)``, and coxph.R's robust score test.

agscore2 walks the rows; at each death it takes the risk set (later rows of
the stratum with start < the death time), its weighted sums, and updates the
residual of every subject in it (Breslow: ``(x - mean) * risk * hazard``;
Efron: the d tied deaths' own risk down-weighted by k/d). The sums here are
the same sequential double sums, one death time at a time, vectorised over
the risk set. One quirk is kept: Efron's loop that moves past the tied rows
stops at the last row of a stratum without stepping over it, so a death in
the last row of its stratum is visited a second time as a death of its own
(its contribution there is x - (r x) / r, 0 up to rounding).
"""
from __future__ import annotations

import numpy as np

from .. import _libm
from .._rmath import r_sum
from ._riskset import sorted_rows
from .chol import wald_test_chol
from .fit import linear_predictor
from .robust import _crossprod_blas, _matmul_blas, _rowsum

__all__ = ["ag_score_residuals", "robust_variance_counting"]


def _seq(v: np.ndarray) -> float:
    """A sequential double sum (C's loop)."""
    return float(np.cumsum(v)[-1]) if v.size else 0.0


def ag_score_residuals(x: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray,
                       weights: np.ndarray, strata: np.ndarray | None, score: np.ndarray, efron: bool) -> np.ndarray:
    """agscore2.c: (n, p) score residuals, in the caller's row order."""
    n, p = x.shape
    rows = sorted_rows(start, stop, event, strata)  # order(strata, stop, -status)
    ord_, t0, t1, ev, end_of = rows.order, rows.start, rows.stop, rows.event, rows.end_of
    X = x[ord_]
    sc, w = score[ord_], weights[ord_]
    so = rows.strata
    last = np.append(so[1:] != so[:-1], True)  # newstrat: 1 at the last row of each stratum
    resid = np.zeros((n, p))
    person = 0
    while person < n:
        if ev[person] == 0:
            person += 1
            continue
        time = t1[person]
        ks = np.arange(person, end_of[person])
        ks = ks[t0[ks] < time]
        risk_w = sc[ks] * w[ks]
        denom = _seq(risk_w)
        a = np.cumsum(risk_w[:, None] * X[ks], axis=0)[-1]
        dmask = (t1[ks] == time) & (ev[ks] == 1)
        dk = ks[dmask]
        deaths = float(dk.size)
        e_denom = _seq(risk_w[dmask])
        meanwt = _seq(w[dk])
        a2 = np.cumsum(risk_w[dmask][:, None] * X[dk], axis=0)[-1] if dk.size else np.zeros(p)
        if deaths < 2 or not efron:
            hazard = meanwt / denom
            mean = a / denom
            r = sc[ks]
            resid[ks] -= ((X[ks] - mean) * r[:, None]) * hazard
            resid[dk] += X[dk] - mean
            person += int(np.sum(t1[ks] == time))
        else:
            temp1 = temp2 = 0.0
            mh1 = np.zeros(p)
            mh2 = np.zeros(p)
            mh3 = np.zeros(p)
            meanwt /= deaths
            for dd in range(int(deaths)):
                downwt = dd / deaths
                d2 = denom - downwt * e_denom
                hazard = meanwt / d2
                temp1 += hazard
                temp2 += (1 - downwt) * hazard
                mean = (a - downwt * a2) / d2
                mh1 = mh1 + mean * hazard
                mh2 = mh2 + mean * (1 - downwt) * hazard
                mh3 = mh3 + mean / deaths
            r = sc[ks]
            other = ks[~dmask]
            resid[dk] += X[dk] - mh3
            resid[dk] -= (r[dmask][:, None] * X[dk]) * temp2
            resid[dk] += r[dmask][:, None] * mh2
            resid[other] -= r[~dmask][:, None] * (X[other] * temp1 - mh1)
            while t1[person] == time:  # agscore2's loop: it stops at a stratum's last row
                if last[person]:
                    break
                person += 1
    out = np.empty((n, p))
    out[ord_] = resid
    return out


def robust_variance_counting(x, start, stop, event, weights, strata, lp, naive_var, cluster, efron, init,
                             toler_chol):
    """(robust variance, robust score statistic), as coxph.R forms them."""
    n, p = x.shape
    rr = ag_score_residuals(x, start, stop, event, weights, strata, _libm.exp(lp), efron)
    dfb = (rr * naive_var[0, 0] if p == 1 else _matmul_blas(rr, naive_var)) * weights[:, None]
    D = _rowsum(dfb, cluster)
    var = _crossprod_blas(D)
    lp0 = np.zeros(n) if init is None else linear_predictor(x, init, np.zeros(n))
    r0 = ag_score_residuals(x, start, stop, event, weights, strata, _libm.exp(lp0), efron)
    T0 = _rowsum(r0 * weights[:, None], cluster)
    u = np.array([r_sum(T0[:, j]) for j in range(p)])
    rscore = wald_test_chol(_crossprod_blas(T0), u, toler_chol)
    return var, rscore
