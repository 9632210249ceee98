"""The exact partial likelihood for tied event times (``ties = "exact"``):
``survival:::coxexact.fit`` and ``src/coxexact.c`` (survival 3.5-3).

At a time with d tied deaths among n subjects at risk, the likelihood term is
``prod(r_deaths) / e_d(r_1..r_n)`` with ``e_d`` the elementary symmetric
polynomial of degree d of the risk scores (the conditional-logistic
likelihood). R evaluates ``e_d`` and its first and second derivatives by the
recursion (Gail, Lubin and Rubinstein 1981)

    e(d, n) = r_n e(d-1, n-1) + e(d, n-1)

over the subjects in decreasing time order, memoised; here the same
recursion runs bottom-up, one subject at a time, vectorised over d and over
the covariate pairs, with the operations in the C code's order.

Covariates are centred at their means and scaled by their standard
deviations (R's ``scale()``), except columns whose values all lie in
``nocenter``; the iteration and R's convergence and "beta may be infinite"
tests work on that scale.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rparity_contract.errors import InvalidArgument

from .. import _libm
from .._rmath import r_sum
from ._order import r_colmeans, stable_order
from .chol import chinv2, cholesky2, chsolve2, inverse_from_upper
from .control import CoxControl
from .fit import _converged, linear_predictor

__all__ = ["coxexact_fit", "EXACT_MAX_TIES", "ExactResult", "OVERFLOW_MESSAGE"]

OVERFLOW_MESSAGE = ("`ties`='exact': a coefficient diverged and exp(linear predictor) overflows, which stops "
                    "R's coxexact.fit (R: 'NA/NaN/Inf in foreign function call (arg 5)'); the likelihood "
                    "is monotone: use ties='efron' to see R's 'coefficient may be infinite' fit")

EXACT_MAX_TIES = 256
"""Largest number of deaths at one time (within a stratum) that ``ties="exact"``
accepts; the recursion costs (deaths x risk set x covariate pairs) per
iteration and its sums overflow double precision for large tie groups."""


@dataclass
class ExactResult:
    coef: np.ndarray  # original scale, before NA
    var: np.ndarray  # original scale
    coef_scaled: np.ndarray
    var_scaled: np.ndarray
    u: np.ndarray  # scaled
    lp: np.ndarray  # caller's row order
    loglik: np.ndarray
    sctest: float
    iter: int
    flag: int
    means: np.ndarray


def _r_scale(x: np.ndarray):
    """R's ``scale(x)``: centre at column means, divide by sqrt(sum(x^2)/(n-1))."""
    n = x.shape[0]
    center = r_colmeans(x)
    xc = x - center
    sd = np.array([math.sqrt(r_sum(xc[:, j] * xc[:, j]) / max(1, n - 1)) for j in range(x.shape[1])])
    with np.errstate(divide="ignore", invalid="ignore"):
        return xc / sd, center, sd


class _ExactData:
    """Sorted (stratum, decreasing time) data and its tie structure."""

    def __init__(self, x: np.ndarray, time: np.ndarray, status: np.ndarray, strata: np.ndarray):
        self.x = x
        self.n, self.p = x.shape
        # per stratum: list of (times, each a (start, stop, ndeath)) and the stratum range
        self.strata = []
        st_new = np.ones(self.n, dtype=bool)
        st_new[1:] = strata[1:] != strata[:-1]
        starts = np.flatnonzero(st_new)
        ends = np.append(starts[1:], self.n)
        for a, b in zip(starts.tolist(), ends.tolist()):
            t = time[a:b]
            new = np.ones(b - a, dtype=bool)
            new[1:] = t[1:] != t[:-1]
            gs = np.flatnonzero(new) + a
            ge = np.append(gs[1:], b)
            groups = []
            maxd = 0
            for g0, g1 in zip(gs.tolist(), ge.tolist()):
                nd = int(np.sum(status[g0:g1]))
                groups.append((g0, g1, nd))
                maxd = max(maxd, nd)
            if maxd > EXACT_MAX_TIES:
                raise InvalidArgument(
                    f"`ties`='exact' supports at most {EXACT_MAX_TIES} deaths at one time; got {maxd} tied "
                    "deaths (the exact likelihood's recursion is quadratic in the tie size and overflows "
                    "double precision); use ties='efron'", kind="ties.exact_size")
            last = max((g1 for g0, g1, nd in groups if nd > 0), default=a)
            self.strata.append((a, last, max(maxd, 1), groups))
        self.status = status
        jj, kk = np.tril_indices(self.p)  # pairs (j, k) with k <= j, as the C loop
        self.jj, self.kk = jj, kk


def _evaluate(dat: _ExactData, beta: np.ndarray, offset: np.ndarray):
    """One pass of the C loop: (loglik, u, imat) at ``beta`` (scaled)."""
    p = dat.p
    x = dat.x
    jj, kk = dat.jj, dat.kk
    npair = jj.size
    zbeta = linear_predictor(x, beta, offset)
    score = _libm.exp(zbeta)
    loglik = 0.0
    u = [0.0] * p
    imat = np.zeros((p, p))
    for a, last, dmax, groups in dat.strata:
        E = np.zeros(dmax + 1)
        E[0] = 1.0
        D1 = np.zeros((dmax + 1, p))
        D2 = np.zeros((dmax + 1, npair))
        nrisk = 0
        for g0, g1, nd in groups:
            if g0 >= last:
                break
            for i in range(g0, g1):
                nrisk += 1
                s = score[i]
                xi = x[i]
                m = min(nrisk, dmax)
                Eprev = E[:m]
                D1prev = D1[:m]
                D2prev = D2[:m]
                sx = s * xi
                # d2 = ((d0*s)*xj)*xk [+ d2(d, n-1)] [+ s*((d2 + xj*d1k) + xk*d1j)]
                newD2 = (((Eprev * s)[:, None] * xi[jj]) * xi[kk]) + D2[1:m + 1]
                newD2[1:] += s * ((D2prev[1:] + xi[jj] * D1prev[1:, kk]) + xi[kk] * D1prev[1:, jj])
                # d1 = (s*x)*d0 [+ d1(d, n-1)] [+ s*d1(d-1, n-1)]
                newD1 = (sx[None, :] * Eprev[:, None]) + D1[1:m + 1]
                newD1[1:] += s * D1prev[1:]
                newE = s * Eprev + E[1:m + 1]
                E[1:m + 1] = newE
                D1[1:m + 1] = newD1
                D2[1:m + 1] = newD2
                if dat.status[i] == 1:
                    loglik += zbeta[i]
                    for j in range(p):
                        u[j] += xi[j]
            if nd > 0:
                d0 = E[nd]
                # C semantics on under/overflow (log(0) = -Inf, x/0 = Inf): R carries on
                loglik -= _libm.log(float(d0))
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    d1 = D1[nd] / d0
                for j in range(p):
                    u[j] -= float(d1[j])
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    vals = D2[nd] / d0 - d1[jj] * d1[kk]
                imat[kk, jj] += vals  # C: imat[k][j], k <= j (upper triangle)
    return loglik, np.array(u), imat


def coxexact_fit(x: np.ndarray, time: np.ndarray, status: np.ndarray, strata: np.ndarray,
                 init, control: CoxControl, doscale: np.ndarray, offset: np.ndarray | None = None) -> ExactResult:
    """``coxexact.fit`` + ``coxexact.c``: returns coefficients and variance on
    the original scale and the pieces coxph needs for its warnings."""
    n, p = x.shape
    sorted_ = stable_order(strata, -time)  # order(strata, -y[, 1])
    xs = x[sorted_]
    newx, means, rescale = _r_scale(xs)
    for j in np.flatnonzero(~doscale):
        newx[:, j] = xs[:, j]
        rescale[j] = 1.0
        means[j] = 0.0
    newx = np.ascontiguousarray(newx)
    dat = _ExactData(newx, time[sorted_], status[sorted_], strata[sorted_])
    offset = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)[sorted_]  # offset[sorted]
    beta = (np.zeros(p) if init is None else np.asarray(init, dtype=float)) * rescale
    eps, toler, maxiter = control.eps, control.toler_chol, control.iter_max

    newlk, u, imat = _evaluate(dat, beta, offset)
    loglik = [newlk, newlk]
    u0 = u.copy()
    fac, flag = cholesky2(imat, toler)
    u = chsolve2(fac, u)
    sctest = 0.0
    for a, b in zip(u.tolist(), u0.tolist()):
        sctest += a * b

    def finish(beta_s, u_s, fac_s, it, flg, var_s=None):
        if var_s is None:
            var_s = chinv2(fac_s)
        # coxexact.fit: lp <- newx %*% coef + offset
        lp_sorted = linear_predictor(newx, beta_s, np.zeros(n)) + offset
        if not np.all(np.isfinite(_libm.exp(lp_sorted))):
            # coxexact.fit computes martingale residuals from exp(lp) with .C(),
            # which refuses non-finite arguments
            raise InvalidArgument(OVERFLOW_MESSAGE, kind="exact.nonfinite")
        lp = np.empty(n)
        lp[sorted_] = lp_sorted
        inv = 1.0 / rescale
        var = (inv[:, None] * var_s) * inv[None, :]
        return ExactResult(coef=beta_s / rescale, var=var, coef_scaled=beta_s, var_scaled=var_s, u=u_s, lp=lp,
                           loglik=np.array(loglik), sctest=sctest, iter=it, flag=flg, means=means)

    if maxiter == 0:
        return finish(beta, u, fac, 0, flag)
    oldbeta = beta
    beta = beta + u
    halving = False
    it = 1
    while True:
        newlk, u, imat = _evaluate(dat, beta, offset)
        fac, flag = cholesky2(imat, toler)
        if _converged(loglik[1], newlk, eps) and not halving:
            loglik[1] = newlk
            return finish(beta, u, fac, it, flag)
        if it == maxiter:
            break
        # survival 3.5-3 halves the step when the log-likelihood (or the score,
        # or the information) is not finite, as coxfit6 does (checked against R;
        # the stored C source only tests newlk < best)
        notfinite = (not math.isfinite(newlk)) or (not np.all(np.isfinite(u))) or \
            (not np.all(np.isfinite(fac)))
        if notfinite or newlk < loglik[1]:
            halving = True
            beta = (oldbeta + beta) / 2
        else:
            halving = False
            loglik[1] = newlk
            step = chsolve2(fac, u)
            oldbeta = beta
            beta = beta + step
        it += 1
    # ran out of iterations. survival 3.5-3 (checked against R: the stored C
    # source differs) then goes back to the last accepted coefficients and,
    # as coxfit6, recomputes there and inverts the information without a new
    # Cholesky (so the variance is diag(1/diag(I))); with iter_max = 1 it
    # keeps the last evaluation
    if maxiter > 1:
        beta = oldbeta
        newlk, u, imat = _evaluate(dat, beta, offset)
        loglik[1] = newlk
        return finish(beta, u, fac, maxiter, 1000, var_s=inverse_from_upper(imat))
    loglik[1] = newlk
    return finish(beta, u, fac, maxiter, 1000)
