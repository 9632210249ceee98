"""Independent reference implementations for the Cox tests.

They "do almost everything differently" from pyimpl.cox: explicit loops over
death times and risk sets, no sorting tricks, no regrouping, exact
enumeration of tied-death subsets -- slow (O(n^2)), but each line is the
textbook definition, so agreement with the engine is evidence for both.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

__all__ = ["loglik", "score_info", "newton_mle", "concordance", "basehaz", "score_residuals"]


def _strata(n, strata):
    return np.zeros(n, dtype=int) if strata is None else np.asarray(strata)


def _death_times(t, e, s):
    out = []
    for k in np.unique(s):
        for tt in np.unique(t[(s == k) & (e == 1)]):
            out.append((k, tt))
    return out


def loglik(X, t, e, beta, *, w=None, strata=None, ties="efron"):
    """Log partial likelihood by its definition."""
    X = np.asarray(X, float)
    n = len(t)
    w = np.ones(n) if w is None else np.asarray(w, float)
    s = _strata(n, strata)
    eta = X @ beta
    r = np.exp(eta)
    ll = 0.0
    for k, tt in _death_times(t, e, s):
        risk = (s == k) & (t >= tt)
        dead = risk & (t == tt) & (e == 1)
        d = int(dead.sum())
        if ties == "exact":
            idx = np.flatnonzero(risk)
            tot = sum(math.prod(r[list(c)]) for c in itertools.combinations(idx, d))
            ll += float(np.sum(eta[dead])) - math.log(tot)
            continue
        R = float(np.sum((w * r)[risk]))
        Dr = float(np.sum((w * r)[dead]))
        dw = float(np.sum(w[dead]))
        ll += float(np.sum((w * eta)[dead]))
        if ties == "breslow" or d == 1:
            ll -= dw * math.log(R)
        else:
            for j in range(d):
                ll -= (dw / d) * math.log(R - j / d * Dr)
    return ll


def score_info(X, t, e, beta, *, w=None, strata=None, ties="efron"):
    """Score and information by their definitions (Breslow/Efron)."""
    X = np.asarray(X, float)
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    s = _strata(n, strata)
    r = np.exp(X @ beta) * w
    U = np.zeros(p)
    I = np.zeros((p, p))
    for k, tt in _death_times(t, e, s):
        risk = (s == k) & (t >= tt)
        dead = risk & (t == tt) & (e == 1)
        d = int(dead.sum())
        dw = float(np.sum(w[dead]))
        U += (w[dead, None] * X[dead]).sum(axis=0)
        parts = [(0.0, dw)] if (ties == "breslow" or d == 1) else [(j / d, dw / d) for j in range(d)]
        for frac, c in parts:
            wt = r * (risk.astype(float) - frac * dead)
            S0 = wt.sum()
            S1 = wt @ X
            S2 = (X * wt[:, None]).T @ X
            mean = S1 / S0
            U -= c * mean
            I += c * (S2 / S0 - np.outer(mean, mean))
    return U, I


def newton_mle(X, t, e, *, w=None, strata=None, ties="efron", tol=1e-13, maxit=100):
    """A plain Newton maximiser (converged much tighter than R's eps)."""
    p = np.asarray(X).shape[1]
    b = np.zeros(p)
    for _ in range(maxit):
        U, I = score_info(X, t, e, b, w=w, strata=strata, ties=ties)
        step = np.linalg.solve(I, U)
        b = b + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(b))):
            break
    return b


def concordance(t, e, x, *, w=None, strata=None):
    """Harrell's C with reverse=TRUE and its IJ standard error, pair by pair."""
    n = len(t)
    w = np.ones(n) if w is None else np.asarray(w, float)
    s = _strata(n, strata)
    C = np.zeros(n)
    D = np.zeros(n)
    T = np.zeros(n)
    conc = disc = tx = ty = 0.0
    for j in range(n):
        if e[j] != 1:
            continue
        for i in range(n):
            if i == j or s[i] != s[j]:
                continue
            if t[i] > t[j] or (t[i] == t[j] and e[i] == 0):
                ww = w[i] * w[j]
                if x[j] > x[i]:
                    conc += ww
                    C[i] += w[j]
                    C[j] += w[i]
                elif x[j] < x[i]:
                    disc += ww
                    D[i] += w[j]
                    D[j] += w[i]
                else:
                    tx += ww
                    T[i] += w[j]
                    T[j] += w[i]
            elif t[i] == t[j] and e[i] == 1 and i < j:
                ty += w[i] * w[j]
    npair = conc + disc + tx
    somer = (conc - disc) / npair
    dfbeta = w * ((C - D) / npair - somer * (C + D + T) / npair)
    return (somer + 1) / 2, math.sqrt(np.sum(dfbeta ** 2) / 4), (conc, disc, tx, ty)


def basehaz(X, t, e, beta, means, *, w=None, ties="efron"):
    """Breslow/Efron cumulative hazard at the means, at every distinct time."""
    n = len(t)
    w = np.ones(n) if w is None else np.asarray(w, float)
    r = np.exp(np.asarray(X, float) @ beta - means @ beta)
    times = np.unique(t)
    H = 0.0
    out = []
    for tt in times:
        risk = t >= tt
        dead = (t == tt) & (e == 1)
        d = int(dead.sum())
        if d:
            R = np.sum((w * r)[risk])
            E = np.sum((w * r)[dead])
            dw = np.sum(w[dead])
            if ties == "efron" and d > 1:
                H += dw * np.mean([1 / (R - j / d * E) for j in range(d)])
            else:
                H += dw / R
        out.append(H)
    return times, np.array(out)


def score_residuals(X, t, e, beta, *, w=None, ties="efron"):
    """Score residuals (unweighted) by the definition, one stratum."""
    X = np.asarray(X, float)
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    score = np.exp(X @ beta)
    res = np.zeros((n, p))
    for tt in np.unique(t[e == 1]):
        risk = t >= tt
        dead = (t == tt) & (e == 1)
        d = int(dead.sum())
        dw = np.sum(w[dead])
        parts = [(0.0, 1.0)] if (ties == "breslow" or d == 1) else [(j / d, 1.0 / d) for j in range(d)]
        for frac, share in parts:
            wt = score * w * (risk - frac * dead)
            xbar = wt @ X / wt.sum()
            haz = dw * share / wt.sum()
            for k in np.flatnonzero(risk):
                f = (1 - frac) if dead[k] else 1.0
                if dead[k]:
                    res[k] += share * (X[k] - xbar)
                res[k] -= f * score[k] * haz * (X[k] - xbar)
    return res


# -- (start, stop] concordance, directly from its definition: each event time's
# events against the rows at risk, O(n x events) (pyimpl.cox.counting's reference)
from pyimpl._rmath import r_sum  # noqa: E402
from rparity_contract.results.cox import Concordance  # noqa: E402


def counting_concordance_direct(start: np.ndarray, stop: np.ndarray, event: np.ndarray, x: np.ndarray,
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
