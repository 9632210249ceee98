"""Counting-process Cox fits, ``Surv(start, stop, event)``: survival's
``agreg.fit`` and its C kernel ``agfit4.c`` (survival 3.5-3), step for step.

Contract (agfit4): rows ``0..n-1`` with ``start < stop``; ``sort2`` the rows
by (stratum, stop descending), ``sort1`` by (stratum, start descending), rows
that no event time separates (``ignore``: start and stop in the same interval
between event times) placed last and not used; covariates centred per stratum
(as compiled: by the first row's value, see :func:`agfit4`) and scaled overall by ``sum(w) / sum(w |x|)``
when ``doscale``. One pass per iteration walks the event times from the last:
subjects whose start is at or after the event time leave the running sums (all
of them: the sums restart at exactly 0), those whose stop is at or after it
join; deaths at the time join through their own sums, then enter the risk set
at once (Breslow) or a 1/d share at a time (Efron). The Newton iteration,
step halving, convergence test and its last-resort recomputation are
agfit4's. The sums are sequential double sums in the C order (this is a
direct port, one subject at a time: test-suite and study sizes, not 10^5).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument

from .chol import chinv2, cholesky2, chsolve2

__all__ = ["AgregResult", "agfit4", "agreg_order"]


@dataclass(frozen=True)
class AgregResult:
    """agfit4's outputs: coefficients and variance on the caller's scale."""

    coef: np.ndarray
    u: np.ndarray
    imat: np.ndarray
    loglik: np.ndarray
    sctest: float
    flag: tuple[int, int, int, int]  # rank, recentering count, step halvings, did not converge
    iter: int


def _order(keys: list[np.ndarray]) -> np.ndarray:
    """R's ``order(k1, k2, ...)`` (stable)."""
    return np.lexsort(tuple(reversed(keys)))


def agreg_order(start, stop, event, strata) -> tuple[np.ndarray, np.ndarray, int]:
    """agreg.fit's ``sort.start``, ``sort.end`` (0-based) and ``nused``."""
    # strata shift the times apart (delta <- strata * (1 + max(stop) - min(start)))
    if strata is None:
        y1, y2 = start, stop
    else:
        delta = (strata + 1) * (1 + np.max(stop) - np.min(start))
        y1, y2 = start + delta, stop + delta
    ev = event > 0
    dtime = np.unique(y2[ev])
    indx1 = np.searchsorted(dtime, y1, side="right")  # findInterval
    indx2 = np.searchsorted(dtime, y2, side="right")
    ignore = (indx1 == indx2).astype(np.int8)
    s = np.zeros(start.size, dtype=np.intp) if strata is None else strata
    sort_end = _order([ignore, s, -stop])
    sort_start = _order([ignore, s, -start])
    return sort_start, sort_end, int(np.sum(ignore == 0))


def agfit4(x: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray, strata: np.ndarray,
           weights: np.ndarray, offset: np.ndarray, init: np.ndarray, sort1: np.ndarray, sort2: np.ndarray,
           nused: int, efron: bool, maxiter: int, control: CoxControl, doscale: np.ndarray) -> AgregResult:
    """agfit4.c (see the module's contract); ``x`` is not modified."""
    n, nvar = x.shape
    covar = np.array(x, dtype=float, copy=True)
    eps, tol_chol = control.eps, control.toler_chol
    w = weights.tolist()
    st = strata.tolist()
    scale = np.ones(nvar)
    s2 = sort2.tolist()
    for i in range(nvar):
        if not doscale[i]:
            continue
        col = covar[:, i]
        # agfit4.c's centring loop, as compiled: its "mean for last stratum" lines
        # sit inside the loop over persons, so after the first person every row
        # is shifted by that person's value ((w x) / w) and later strata shift
        # nothing (the model is shift invariant; the sums' rounding is not)
        istrat = st[s2[0]]
        k = 0
        temp = temp2 = 0.0
        for person in range(nused):
            p = s2[person]
            if st[p] == istrat:
                temp += w[p] * col[p]
                temp2 += w[p]
            else:
                temp = _div(temp, temp2)
                while k < person:
                    col[s2[k]] -= temp
                    k += 1
                temp = temp2 = 0.0
                istrat = st[p]
            temp = _div(temp, temp2)
            while k < nused:
                col[s2[k]] -= temp
                k += 1
        temp = temp2 = 0.0
        for person in range(nused):
            p = s2[person]
            temp += w[p] * abs(col[p])
            temp2 += w[p]
        temp = temp2 / temp if temp > 0 else 1.0
        scale[i] = temp
        for person in range(nused):
            col[s2[person]] *= temp
    beta = np.asarray(init, dtype=float) / scale
    oldbeta = beta.copy()
    loglik = [0.0, 0.0]
    sctest = 0.0
    flag = [0, 0, 0, 0]
    rank = 0
    halving = 0
    it = 0
    imat = np.zeros((nvar, nvar))
    u = np.zeros(nvar)
    newlk = 0.0
    while it <= maxiter:
        newlk, u, imat = _pass(covar, beta, start, stop, event, st, w, offset, sort1, sort2, nused, efron, flag)
        if it == 0:
            loglik = [newlk, newlk]
            fac, rank = cholesky2(imat, tol_chol)
            a = chsolve2(fac, u)
            sctest = 0.0
            for ai, ui in zip(a.tolist(), u.tolist()):
                sctest += ui * ai
            imat = fac
            if maxiter == 0 or math.isnan(newlk) or math.isinf(newlk):
                break
            oldbeta = beta.copy()
            beta = beta + a
        else:
            fail = int(sum(1 for v in np.diag(imat) if not math.isfinite(v)))
            fac, rank2 = cholesky2(imat, tol_chol)
            imat = fac
            fail += int(math.isnan(newlk)) + int(math.isinf(newlk)) + abs(rank - rank2)
            if fail == 0 and halving == 0 and abs(1 - (loglik[1] / newlk)) <= eps:
                break
            if it == maxiter:
                flag[3] = 1
                if maxiter > 1 and ((newlk - loglik[1]) / abs(loglik[1])) < -eps:
                    # "once more unto the breach": back to the last good beta, its imat
                    beta = oldbeta.copy()
                    newlk, u, imat = _pass(covar, beta, start, stop, event, st, w, offset, sort1, sort2, nused,
                                           efron, flag)
                    imat, _ = cholesky2(imat, tol_chol)
                break
            if fail > 0 or newlk < loglik[1]:
                halving += 1
                flag[2] += 1
                beta = (oldbeta * halving + beta) / (halving + 1.0)
            else:
                halving = 0
                loglik[1] = newlk
                step = chsolve2(imat, u)
                oldbeta = beta.copy()
                beta = beta + step
        it += 1
    flag[0] = rank
    loglik[1] = newlk
    var = chinv2(imat)
    coef = beta * scale
    u_out = u / scale
    var = var * (scale[:, None] * scale[None, :])  # imat[j][i] *= scale[i] * scale[j]
    return AgregResult(coef=coef, u=u_out, imat=var, loglik=np.array(loglik), sctest=float(sctest),
                       flag=(flag[0], flag[1], flag[2], flag[3]), iter=min(it, maxiter))


def _div(a: float, b: float) -> float:
    """C's double division (0/0 is NaN, x/0 infinite), not Python's exception."""
    if b != 0:
        return a / b
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(a) / np.float64(b))


def _pass(covar, beta, start, stop, event, st, w, offset, sort1, sort2, nused, efron, flag):
    """One evaluation of the log-likelihood, score and information (agfit4's
    accumulation loop)."""
    n, nvar = covar.shape
    eta = [0.0] * n
    s1 = sort1.tolist()
    s2 = sort2.tolist()
    b = beta.tolist()
    rows = covar.tolist()
    off = offset.tolist()
    for person in range(nused):
        p = s2[person]
        zbeta = 0.0
        r = rows[p]
        for i in range(nvar):
            zbeta += b[i] * r[i]
        eta[p] = zbeta + off[p]
    tstart = start.tolist()
    tstop = stop.tolist()
    ev = event.tolist()
    newlk = 0.0
    u = np.zeros(nvar)
    imat = np.zeros((nvar, nvar))
    a = np.zeros(nvar)
    cmat = np.zeros((nvar, nvar))
    person = indx1 = 0
    recenter = denom = etasum = 0.0
    nrisk = 0
    istrat = st[s2[0]] if nused else 0
    X = covar
    while person < nused:
        k = person
        dtime = 0.0
        while k < nused:
            p = s2[k]
            if st[p] != istrat:
                istrat = st[p]
                denom = 0.0
                nrisk = 0
                etasum = 0.0
                a = np.zeros(nvar)
                cmat = np.zeros((nvar, nvar))
                person = k
                indx1 = k
            if ev[p] == 1:
                dtime = tstop[p]
                break
            k += 1
        if k == nused:
            break
        while indx1 < nused:  # remove subjects no longer at risk
            p1 = s1[indx1]
            if tstart[p1] < dtime or st[p1] != istrat:
                break
            nrisk -= 1
            if nrisk == 0:
                etasum = 0.0
                denom = 0.0
                a = np.zeros(nvar)
                cmat = np.zeros((nvar, nvar))
            else:
                etasum -= eta[p1]
                risk = math.exp(eta[p1] - recenter) * w[p1]
                denom -= risk
                xr = X[p1]
                a = a - risk * xr
                cmat = cmat - np.outer(risk * xr, xr)
            indx1 += 1
        denom2 = meanwt = 0.0
        deaths = 0
        a2 = np.zeros(nvar)
        cmat2 = np.zeros((nvar, nvar))
        while person < nused:  # add the subjects at risk from this time
            p = s2[person]
            if st[p] != istrat or tstop[p] < dtime:
                break
            nrisk += 1
            etasum += eta[p]
            if abs(etasum / nrisk - recenter) > 200:
                flag[1] += 1
                temp = etasum / nrisk - recenter
                recenter = etasum / nrisk
                if denom > 0:
                    if abs(temp) > 709:
                        raise InvalidArgument("exp overflow due to covariates (R's agfit4: 'exp overflow due to "
                                              "covariates')", kind="init.overflow")
                    temp = math.exp(-temp)
                    denom *= temp
                    a = a * temp
                    cmat = cmat * temp
            risk = math.exp(eta[p] - recenter) * w[p]
            xr = X[p]
            if ev[p] == 1:
                deaths += 1
                denom2 += risk
                meanwt += w[p]
                newlk += w[p] * (eta[p] - recenter)
                u = u + w[p] * xr
                a2 = a2 + risk * xr
                cmat2 = cmat2 + np.outer(risk * xr, xr)
            else:
                denom += risk
                a = a + risk * xr
                cmat = cmat + np.outer(risk * xr, xr)
            person += 1
        if not efron or deaths == 1:  # Breslow
            denom += denom2
            newlk -= meanwt * math.log(denom)
            a = a + a2
            cmat = cmat + cmat2
            temp = a / denom
            u = u - meanwt * temp
            # imat[j][i] += meanwt * ((cmat[i][j] - temp[i] * a[j]) / denom), j <= i
            imat = imat + np.triu((meanwt * ((cmat - np.outer(temp, a)) / denom)).T)
        else:
            meanwt /= deaths
            for _ in range(deaths):
                denom += denom2 / deaths
                newlk -= meanwt * math.log(denom)
                a = a + a2 / deaths
                cmat = cmat + cmat2 / deaths
                temp = a / denom
                u = u - meanwt * temp
                imat = imat + np.triu((meanwt * ((cmat - np.outer(temp, a)) / denom)).T)
    return newlk, u, imat
