"""The exact partial likelihood on counting-process data, ``Surv(start, stop,
event)`` with ``ties = "exact"``: survival's ``agexact.fit`` and its C kernel
``agexact.c`` (survival 3.5-3), step for step.

Contract (agexact.c): rows sorted by ``order(strata, stop, -event)``;
covariates centred at their means (a sequential sum over the sorted rows / n)
except the 0/1 columns (``nocenter``), never scaled. At each event time t the
risk set is the rows of the stratum from the first death at t on (their stop
is at or after t) whose start is before t. With one death, the denominator
and the sums ``a = sum r x``, ``c = sum r x x'`` run over the risk set; with d
tied deaths, over every subset of d rows of the risk set in lexicographic
order (``doloop.c``'s nested loops): the subset's "new variable" is the sum
of its rows' x, its weight the product of their scores. Then ``loglik -=
log(denom)``, ``u -= a / denom``, ``imat += (c - a a' / denom) / denom``, and
each death adds ``log(score)`` and its x. The iteration is agexact's own
(simpler than agfit4's): a step is halved once the log-likelihood falls,
convergence is ``|1 - loglik_old / loglik_new| <= eps`` outside a halving,
and a fit that runs out of iterations keeps its last step (flag 1000).

Every sum is the C loop's, in its order (``cumsum`` of the terms, so bit for
bit); the subsets are enumerated as R does, in blocks of
:data:`SUBSET_BLOCK` (each block's running sum starts from the previous
block's total: still one sequential sum). The cost is R's: (event times x
risk set) for single deaths, C(risk set, d) subsets for d tied deaths.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .. import _libm
from .agreg import AgregResult
from .chol import chinv2, cholesky2, chsolve2
from .control import CoxControl
from .fit import linear_predictor

__all__ = ["agexact_fit", "AgexactResult", "SUBSET_BLOCK"]

SUBSET_BLOCK = 200_000
"""Subsets of tied deaths summed per block (memory: block x covariates^2)."""


@dataclass(frozen=True)
class AgexactResult:
    """agexact.fit's outputs: :class:`.agreg.AgregResult` (flag = (rank, 0, 0,
    1 if it ran out of iterations)), and agexact's own column means."""

    fit: AgregResult
    means: np.ndarray


@dataclass(frozen=True)
class _Time:
    """One event time of the walk: the risk set (sorted rows, in order), the
    deaths (sorted rows, in order) and their count."""

    risk: np.ndarray
    deaths: np.ndarray


def _event_times(start: np.ndarray, stop: np.ndarray, event: np.ndarray, last: np.ndarray) -> list[_Time]:
    """agexact.c's person loop, which beta does not change (rows in sorted
    order; ``last`` marks each stratum's last row)."""
    n = stop.size
    ends = np.flatnonzero(last)
    stratum_end = np.full(n, n, dtype=np.intp)
    prev = 0
    for e in ends.tolist():
        stratum_end[prev:e + 1] = e + 1
        prev = e + 1
    times = []
    person = 0
    while person < n:
        if event[person] == 0:
            person += 1
            continue
        t = stop[person]
        end = int(stratum_end[person])
        rows = np.arange(person, end)
        risk = rows[start[person:end] < t]
        # the deaths at t: from person on while stop == t, within the stratum
        k = person
        while k < end and stop[k] == t:
            k += 1
        block = np.arange(person, k)
        times.append(_Time(risk=risk, deaths=block[event[person:k] == 1]))
        person = k
    return times


def _sums(x: np.ndarray, score: np.ndarray, tm: _Time, il: np.ndarray, jl: np.ndarray):
    """denom, a (p,) and c (p(p+1)/2 in (i, j <= i) order) of one event time,
    each a sequential sum from 0 over the risk set (one death) or its subsets
    of size d (lexicographic, as doloop.c)."""
    d = tm.deaths.size
    p = x.shape[1]
    if d == 1:
        w = score[tm.risk]
        xr = x[tm.risk]
        wx = w[:, None] * xr
        return _total(w), _total(wx), _total(wx[:, il] * xr[:, jl])
    denom = np.zeros(1)
    a = np.zeros((1, p))
    c = np.zeros((1, il.size))
    combos = itertools.combinations(range(tm.risk.size), d)
    while True:
        flat = np.fromiter(itertools.chain.from_iterable(itertools.islice(combos, SUBSET_BLOCK)), dtype=np.intp)
        if flat.size == 0:
            break
        idx = tm.risk[flat.reshape(-1, d)]
        # newvar = 0 + x_1 + x_2 + ...; weight = 1 * r_1 * r_2 * ... (left to right)
        newvar = x[idx[:, 0]].copy()
        weight = score[idx[:, 0]].copy()
        for m in range(1, d):
            newvar += x[idx[:, m]]
            weight *= score[idx[:, m]]
        wv = weight[:, None] * newvar
        denom = np.cumsum(np.concatenate((denom, weight)))[-1:]
        a = np.cumsum(np.concatenate((a, wv)), axis=0)[-1:]
        c = np.cumsum(np.concatenate((c, wv[:, il] * newvar[:, jl])), axis=0)[-1:]
    return float(denom[0]), a[0], c[0]


def _total(v: np.ndarray):
    """A sequential sum from 0 along axis 0 (0-d or 1-d), as the C loop's."""
    if v.shape[0] == 0:
        return 0.0 if v.ndim == 1 else np.zeros(v.shape[1])
    s = np.cumsum(v, axis=0)[-1]
    return float(s) if v.ndim == 1 else s


def _evaluate(x: np.ndarray, beta: np.ndarray, offset: np.ndarray, times: list[_Time]):
    """One accumulation loop of agexact.c: (loglik, u, imat upper triangle)."""
    n, p = x.shape
    il, jl = np.tril_indices(p)
    score = _libm.exp(linear_predictor(x, beta, np.zeros(n)) + offset)
    lk_terms: list[float] = []
    u_terms: list[np.ndarray] = []
    imat_terms = np.zeros((len(times), il.size))
    for q, tm in enumerate(times):
        denom, a, c = _sums(x, score, tm, il, jl)
        lk_terms.append(-_libm.log(np.array([denom]))[0] if denom > 0 else -math.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            u_terms.append(-(a / denom))
            # imat[j][i] += (cmat[i][j] - a[i] * a[j] / denom) / denom, j <= i
            imat_terms[q] = (c - (a[il] * a[jl]) / denom) / denom
        for k in tm.deaths.tolist():
            lk_terms.append(float(_libm.log(score[k:k + 1])[0]))
            u_terms.append(x[k])
    loglik = float(np.cumsum(lk_terms)[-1]) if lk_terms else 0.0
    u = np.cumsum(np.array(u_terms), axis=0)[-1] if u_terms else np.zeros(p)
    tri = np.cumsum(imat_terms, axis=0)[-1] if len(times) else np.zeros(il.size)
    imat = np.zeros((p, p))
    imat[jl, il] = tri
    return loglik, u, imat


def agexact_fit(x: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray,
                strata: np.ndarray | None, offset: np.ndarray, init: np.ndarray, control: CoxControl,
                maxiter: int, zero_one: np.ndarray) -> AgexactResult:
    """agexact.fit's call of agexact.c: the rows sorted by (strata, stop,
    -event), the fit, and its outputs in the caller's order."""
    n, nvar = x.shape
    keys = (-event, stop) if strata is None else (-event, stop, strata)
    order = np.lexsort(keys)  # order(strata, stopp, -event): stable
    last = np.zeros(n, dtype=bool)
    if strata is not None:
        ss = strata[order]
        last[:-1] = ss[1:] != ss[:-1]
    last[-1] = True
    sstart, sstop, sstat = start[order], stop[order], event[order].astype(int)
    covar = np.array(x[order], dtype=float)
    off = offset[order]
    means = np.zeros(nvar)
    for i in np.flatnonzero(~zero_one).tolist():
        means[i] = float(np.cumsum(covar[:, i])[-1]) / n  # temp += covar; temp /= n
        covar[:, i] -= means[i]
    times = _event_times(sstart, sstop, sstat, last)
    eps, tol = control.eps, control.toler_chol
    beta = np.asarray(init, dtype=float).copy()

    def result(b, u, var, loglik, sctest, rank, it, ran_out):
        return AgexactResult(fit=AgregResult(coef=b, u=u, imat=var, loglik=np.asarray(loglik, dtype=float),
                                             sctest=float(sctest), flag=(rank, 0, 0, int(ran_out)), iter=it),
                             means=means)

    # iteration 0 at init
    lk, u, imat = _evaluate(covar, beta, off, times)
    loglik = [lk, lk]
    fac, rank = cholesky2(imat, tol)
    step = chsolve2(fac, u)
    sctest = 0.0
    for ui, ai in zip(u.tolist(), step.tolist()):
        sctest += ui * ai
    newbeta = beta + step
    if maxiter == 0:
        return result(beta, u, chinv2(fac), loglik, sctest, 0, 0, False)
    halving = False
    newlk = lk
    for it in range(1, maxiter + 1):
        newlk, u, imat = _evaluate(covar, newbeta, off, times)
        fac, rank = cholesky2(imat, tol)
        if abs(1 - (loglik[1] / newlk)) <= eps and not halving:  # all done
            loglik[1] = newlk
            return result(newbeta, u, chinv2(fac), loglik, sctest, rank, it, False)
        if it == maxiter:
            break
        if newlk < loglik[1]:  # not converging: half of the old increment
            halving = True
            newbeta = (newbeta + beta) / 2
        else:
            halving = False
            loglik[1] = newlk
            step = chsolve2(fac, u)
            beta = newbeta
            newbeta = newbeta + step
    loglik[1] = newlk
    return result(newbeta, u, chinv2(fac), loglik, sctest, 1000, maxiter, True)
