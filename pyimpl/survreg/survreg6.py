"""The Newton-Raphson kernel of ``survreg``: survival 3.5-3's ``survreg6.c``
with the log-likelihood of ``survregc1.c`` (the built-in extreme value,
logistic and Gaussian distributions) and ``survregc2.c`` (a distribution
given by its density function: Student's t), and ``cholesky3.c``; written
anew from the method, in the C loops' order so that the last bits follow R's.

Contract
--------
Inputs: ``time`` (n, the transformed times: log(t) for the log-time
distributions), ``status`` (n: 0 right censored, 1 exact, 2 left censored, 3 interval
censored, then ``time2`` holds the upper bounds), ``x`` (n, nvar)
the model matrix, ``wt`` (n, positive), ``offset`` (n), ``beta`` the starting
values: nvar coefficients then ``nstrat`` log scales, or, with ``nstrat = 0``
(a fixed scale), the fixed log scale tacked on the end; ``strata`` (n, 0-based
stratum of each row; read only when ``nstrat > 1``).
Outputs (:class:`Survreg6`): the coefficients (with the fixed log scale still
on the end), the iterations used, the inverse information (nvar + nstrat
square), the log-likelihood at the estimate and ``flag`` (the rank of the
information at convergence, 1000 when the iterations ran out).

All sums over observations are sequential in observation order, in double,
as the C loops accumulate them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import _libm
from ..cox.chol import chinv2, chsolve2
from ..matching._linpack import _colsums

__all__ = ["Survreg6", "survreg6", "cholesky3", "loglik_terms", "SMALL"]

#: survregc1.c: the value used for log(f) when f is 0 (a very bad guess of beta)
SMALL = -200.0
_SPI = 2.506628274631001  # survregc1.c: sqrt(2 pi), as written there
_ROOT_2 = 1.414213562373095

_erf = np.frompyfunc(math.erf, 1, 1)
_exp_u = np.frompyfunc(math.exp, 1, 1)


def _cexp(a: np.ndarray) -> np.ndarray:
    """The C library's exp of arguments that cannot overflow here (at most 200)."""
    return np.asarray(_exp_u(a), dtype=float)


def _log_few(a: np.ndarray) -> np.ndarray:
    """The C library's log of a vector holding a few distinct values (a scale per stratum)."""
    vals, inv = np.unique(a, return_inverse=True)
    return np.asarray(_libm.log(vals), dtype=float)[inv]


def _clog(a: np.ndarray) -> np.ndarray:
    """The C library's log where ``a > 0``; -inf or NaN elsewhere (those rows
    take the SMALL branch)."""
    out = np.full(a.shape, -np.inf)
    pos = a > 0
    out[pos] = np.asarray(_log_u(a[pos]), dtype=float)
    out[np.isnan(a)] = np.nan
    return out


_log_u = np.frompyfunc(math.log, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _f(a) -> np.ndarray:
    return np.asarray(a, dtype=float)


# --- the distributions of survregc1.c: ans[0..3] --------------------------------------------
# case 1 (exact):    -, f, f'/f, f''/f
# case 2 (censored): F, 1 - F, f, f'

def _exvalue(z: np.ndarray, case: int) -> tuple[np.ndarray, ...]:
    """``exvalue_d``: the (minimum) extreme value distribution."""
    zc = np.where(z < SMALL, SMALL, np.where(-z < SMALL, -SMALL, z))  # stop infinite answers
    w = _cexp(zc)
    temp = _cexp(-w)
    if case == 1:
        return (np.zeros_like(z), w * temp, 1 - w, w * (w - 3) + 1)
    return (1 - temp, temp, w * temp, w * temp * (1 - w))


def _logistic(z: np.ndarray, case: int) -> tuple[np.ndarray, ...]:
    """``logistic_d``: exp of a negative number only, by symmetry."""
    pos = z > 0
    w = _cexp(np.where(pos, -z, z))
    sign = np.where(pos, -1.0, 1.0)
    temp = 1 + w
    if case == 1:
        return (np.zeros_like(z), w / (temp * temp), sign * (1 - w) / temp, (w * w - 4 * w + 1) / (temp * temp))
    a = w / temp
    b = 1 / temp
    ans0 = np.where(pos, b, a)  # ans[1 - ii] = w/temp, ans[ii] = 1/temp; ii = 0 when z > 0
    ans1 = np.where(pos, a, b)
    ans2 = w / (temp * temp)
    return (ans0, ans1, ans2, sign * ans2 * (1 - w) / temp)


def _gauss(z: np.ndarray, case: int) -> tuple[np.ndarray, ...]:
    """``gauss_d``: the tails from erf/erfc of the C library."""
    f = _cexp(-z * z / 2) / _SPI
    if case == 1:
        return (np.zeros_like(z), f, -z, z * z - 1)
    pos = z > 0
    za = np.where(pos, z, -z) / _ROOT_2
    upper = (1 + _f(_erf(za))) / 2  # the probability on z's side of 0
    lower = _f(_erfc(za)) / 2
    return (np.where(pos, upper, lower), np.where(pos, lower, upper), f, -z * f)


BUILTIN: dict[int, Callable[[np.ndarray, int], tuple[np.ndarray, ...]]] = {1: _exvalue, 2: _logistic, 3: _gauss}


@dataclass(frozen=True)
class Lik:
    """One evaluation of ``survregc1``/``survregc2``: the log-likelihood, and
    (unless only the log-likelihood was asked) the score ``u``, minus the
    Hessian ``imat`` and the outer-product matrix ``JJ`` in the C code's
    ragged layout (``M[i, j]``, lower triangle)."""

    loglik: float
    u: np.ndarray | None = None
    imat: np.ndarray | None = None
    jj: np.ndarray | None = None


def loglik_terms(beta: np.ndarray, time: np.ndarray, status: np.ndarray, x: np.ndarray, offset: np.ndarray,
                 nvar: int, nstrat: int, strata: np.ndarray, dist: int, density: Callable | None,
                 time2: np.ndarray | None = None):
    """Each observation's g = log f (or log S) and its derivatives (dg, ddg
    with respect to eta; dsig, ddsig, dsg with respect to log sigma), and
    sigma: the per-person part of ``survregc1``/``survregc2``."""
    n = time.size
    if nstrat > 1:
        lsig = np.array([beta[nvar + k] for k in range(nstrat)])
        sig_s = _libm.exp(lsig)  # C's exp: overflow is Inf, not an error
        sigma = sig_s[strata]
    else:
        sigma = np.full(n, float(_libm.exp(np.array([beta[nvar]]))[0]))
    sig2 = 1 / (sigma * sigma)
    eta = np.zeros(n)
    for i in range(nvar):  # eta += beta[i] * covar[i][person], i = 0..nvar-1
        eta = eta + beta[i] * x[:, i]
    eta = eta + offset
    g = np.empty(n)
    dg = np.empty(n)
    ddg = np.empty(n)
    dsig = np.empty(n)
    ddsig = np.empty(n)
    dsg = np.empty(n)
    sz = time - eta
    z = sz / sigma
    rows3 = status == 3
    zu_all = None
    if rows3.any():
        assert time2 is not None
        zu_all = (time2[rows3] - eta[rows3]) / sigma[rows3]  # survregc1: zu = (time2 - eta)/sigma
    if density is None:  # survregc1
        gg = BUILTIN[dist]
        for case in (1, 0, 2, 3):
            rows = status == case
            if not rows.any():
                continue
            zr, sr, s2, szr = z[rows], sigma[rows], sig2[rows], sz[rows]
            funs = gg(zr, 1 if case == 1 else 2)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                if case == 1:
                    bad = funs[1] <= 0
                    temp = funs[2] / sr
                    temp2 = funs[3] * s2
                    dg_ = -temp
                    dsig_ = -temp * szr
                    ddg_ = temp2 - dg_ * dg_
                    dsg_ = szr * temp2 - dg_ * (dsig_ + 1)
                    ddsig_ = szr * szr * temp2 - dsig_ * (1 + dsig_)
                    dsig_ = dsig_ - 1
                    g_ = _clog(funs[1]) - _log_few(sr)
                    bad_dg, bad_ddg = -zr / sr, -1 / sr
                elif case == 0:
                    bad = funs[1] <= 0
                    temp = -funs[2] / (funs[1] * sr)
                    temp2 = -funs[3] * s2 / funs[1]
                    dg_ = -temp
                    dsig_ = -temp * szr
                    ddg_ = temp2 - dg_ * dg_
                    dsg_ = szr * temp2 - dg_ * (dsig_ + 1)
                    ddsig_ = szr * szr * temp2 - dsig_ * (1 + dsig_)
                    g_ = _clog(funs[1])
                    bad_dg, bad_ddg = zr / sr, np.zeros(zr.size)
                elif case == 2:  # left censored: log F
                    bad = funs[0] <= 0
                    temp = funs[2] / (funs[0] * sr)
                    temp2 = funs[3] * s2 / funs[0]
                    dg_ = -temp
                    dsig_ = -temp * szr
                    ddg_ = temp2 - dg_ * dg_
                    dsg_ = szr * temp2 - dg_ * (dsig_ + 1)
                    ddsig_ = szr * szr * temp2 - dsig_ * (1 + dsig_)
                    g_ = _clog(funs[0])
                    bad_dg, bad_ddg = -zr / sr, np.zeros(zr.size)
                else:  # interval censored: the difference of two tails, upper ones when z > 0
                    assert zu_all is not None
                    zu = zu_all
                    ufun = gg(zu, 2)
                    tmp = np.where(zr > 0, funs[1] - ufun[1], ufun[0] - funs[0])
                    bad = tmp <= 0
                    dg_ = -(ufun[2] - funs[2]) / (tmp * sr)
                    ddg_ = (ufun[3] - funs[3]) * s2 / tmp - dg_ * dg_
                    dsig_ = (zr * funs[2] - zu * ufun[2]) / tmp
                    ddsig_ = ((zu * zu * ufun[3] - zr * zr * funs[3]) / tmp) - dsig_ * (1 + dsig_)
                    dsg_ = ((zu * ufun[3] - zr * funs[3]) / (tmp * sr)) - dg_ * (dsig_ + 1)
                    g_ = _clog(tmp)
                    bad_dg, bad_ddg = np.ones(zr.size), np.zeros(zr.size)
            g[rows] = np.where(bad, SMALL, g_)
            dg[rows] = np.where(bad, bad_dg, dg_)
            ddg[rows] = np.where(bad, bad_ddg, ddg_)
            dsig[rows] = np.where(bad, 0.0, dsig_)
            ddsig[rows] = np.where(bad, 0.0, ddsig_)
            dsg[rows] = np.where(bad, 0.0, dsg_)
    else:  # survregc2: R's density at z (then at the upper z of the status-3 rows), then these formulas
        allz = z if zu_all is None else np.concatenate([z, zu_all])
        dens = density(allz)
        funs = [np.asarray(f, dtype=float)[:n] for f in dens]
        sz = z * sigma
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            temp1 = funs[3] / sigma
            temp2 = funs[4] * sig2
            e_dg = -temp1
            e_dsig = -(sz * temp1 + 1)
            e_ddg = temp2 - e_dg * e_dg
            e_dsg = sz * temp2 - e_dg * (1 - sz * temp1)
            e_ddsig = sz * sz * temp2 + sz * temp1 * (1 - sz * temp1)
            e_g = _libm.log(funs[2]) - _libm.log(sigma)
            c1 = -funs[2] / (funs[1] * sigma)
            c2 = -funs[3] * funs[2] * sig2 / funs[1]
            c_dg = -c1
            c_dsig = -sz * c1
            c_ddg = c2 - c_dg * c_dg
            c_dsg = sz * c2 - c_dg * (1 + c_dsig)
            c_ddsig = sz * sz * c2 - c_dsig * (1 + c_dsig)
            c_g = _libm.log(funs[1])
            l1 = funs[2] / (funs[0] * sigma)  # left censored (survregc2 tests f, not F, for 0)
            l2 = funs[3] * funs[2] * sig2 / funs[0]
            l_dg = -l1
            l_dsig = -sz * l1
            l_ddg = l2 - l_dg * l_dg
            l_dsg = sz * l2 - l_dg * (1 + l_dsig)
            l_ddsig = sz * sz * l2 - l_dsig * (1 + l_dsig)
            l_g = _libm.log(funs[0])
        ebad = funs[2] <= 0
        cbad = funs[1] <= 0
        cases = [(status == 1, ebad, e_g, e_dg, e_ddg, e_dsig, e_ddsig, e_dsg, -z / sigma, -1 / sigma),
                 (status == 0, cbad, c_g, c_dg, c_ddg, c_dsig, c_ddsig, c_dsg, z / sigma, np.zeros(n)),
                 (status == 2, ebad, l_g, l_dg, l_ddg, l_dsig, l_ddsig, l_dsg, -z / sigma, np.zeros(n))]
        for rows, bad, g_, dg_, ddg_, ds_, dds_, dsg_, bdg, bddg in cases:
            g[rows] = np.where(bad, SMALL, g_)[rows]
            dg[rows] = np.where(bad, bdg, dg_)[rows]
            ddg[rows] = np.where(bad, bddg, ddg_)[rows]
            dsig[rows] = np.where(bad, 0.0, ds_)[rows]
            ddsig[rows] = np.where(bad, 0.0, dds_)[rows]
            dsg[rows] = np.where(bad, 0.0, dsg_)[rows]
        if rows3.any():
            assert zu_all is not None
            up = [np.asarray(f, dtype=float)[n:] for f in dens]
            zz, zu, sr, s2 = z[rows3], zu_all, sigma[rows3], sig2[rows3]
            p0, p1, p2, p3 = (f[rows3] for f in funs[:4])
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                tmp = np.where(zz > 0, p1 - up[1], up[0] - p0)
                f3u = up[3] * up[2]  # f', not f'/f
                f3p = p3 * p2
                i_g = _libm.log(tmp)
                i_dg = -(up[2] - p2) / (tmp * sr)
                i_ddg = (f3u - f3p) * s2 / tmp - i_dg * i_dg
                i_dsig = (zz * p2 - zu * up[2]) / tmp
                i_ddsig = (zu * zu * f3u - zz * zz * f3p) / tmp - i_dsig * (1 + i_dsig)
                i_dsg = (zu * f3u - zz * f3p) / (tmp * sr) - i_dg * (1 + i_dsig)
            bad = tmp <= 0
            g[rows3] = np.where(bad, SMALL, i_g)
            dg[rows3] = np.where(bad, 1.0, i_dg)
            ddg[rows3] = np.where(bad, 0.0, i_ddg)
            dsig[rows3] = np.where(bad, 0.0, i_dsig)
            ddsig[rows3] = np.where(bad, 0.0, i_ddsig)
            dsg[rows3] = np.where(bad, 0.0, i_dsg)
    return g, dg, ddg, dsig, ddsig, dsg


def _seq(v: np.ndarray) -> float:
    """A sequential sum in observation order (the C loop's ``+=``)."""
    return float(np.cumsum(v)[-1]) if v.size else 0.0


_CHUNK = 8192


def _covariate_sums(x: np.ndarray, dg: np.ndarray, ddg: np.ndarray, wt: np.ndarray) -> np.ndarray:
    """The covariate parts of u, imat and JJ: for each i (and j <= i) the
    sequential sums over rows of ``temp = dg * x_i * w``, ``x_i * x_j * ddg * w``
    and ``temp * x_j * dg``, in the C expressions' order; computed a block of
    rows at a time, each block's sums running on from the last's."""
    n, nvar = x.shape
    ii = np.array([i for i in range(nvar) for j in range(i + 1)], dtype=np.intp)
    jj = np.array([j for i in range(nvar) for j in range(i + 1)], dtype=np.intp)
    total = np.zeros(nvar + 2 * ii.size)
    for a in range(0, n, _CHUNK):
        xc = np.ascontiguousarray(x[a:a + _CHUNK])
        d1, d2, w = dg[a:a + _CHUNK, None], ddg[a:a + _CHUNK, None], wt[a:a + _CHUNK, None]
        temp = d1 * xc * w
        xj = xc[:, jj]
        block = np.empty((xc.shape[0] + 1, total.size))
        block[0] = total
        block[1:, :nvar] = temp
        block[1:, nvar:nvar + ii.size] = xc[:, ii] * xj * d2 * w
        block[1:, nvar + ii.size:] = temp[:, ii] * xj * d1
        total = _colsums(block)
    return total


def dolik(beta: np.ndarray, time, status, x, wt, offset, nvar: int, nstrat: int, strata, dist: int,
          density: Callable | None, loglik_only: bool = False, time2: np.ndarray | None = None) -> Lik:
    """``survregc1``/``survregc2`` at ``beta`` (whichcase 1: the log-likelihood only)."""
    g, dg, ddg, dsig, ddsig, dsg = loglik_terms(beta, time, status, x, offset, nvar, nstrat, strata, dist, density,
                                                time2)
    loglik = _seq(g * wt)
    if loglik_only:
        return Lik(loglik)
    nvar2 = nvar + nstrat
    u = np.zeros(nvar2)
    imat = np.zeros((nvar2, nvar2))
    jj = np.zeros((nvar2, nvar2))
    if nvar:
        sums = _covariate_sums(x, dg, ddg, wt)
        pairs = [(i, j) for i in range(nvar) for j in range(i + 1)]
        u[:nvar] = sums[:nvar]
        npair = len(pairs)
        for k, (i, j) in enumerate(pairs):
            imat[i, j] = -sums[nvar + k]  # imat -= ...: the negated sequential sum
            jj[i, j] = sums[nvar + npair + k]
    if nstrat:
        groups = [np.ones(time.size, dtype=bool)] if nstrat == 1 else [strata == s for s in range(nstrat)]
        for s, rows in enumerate(groups):
            k = nvar + s
            w, xs = wt[rows], x[rows]
            ds, dd, dgs, dsgs = dsig[rows], ddsig[rows], dg[rows], dsg[rows]
            block = [w * ds]
            block += [dsgs * xs[:, i] * w for i in range(nvar)]
            block += [ds * xs[:, i] * dgs * w for i in range(nvar)]
            block += [dd * w, ds * ds * w]
            if w.size:
                sums = _colsums(np.ascontiguousarray(np.column_stack(block)))
            else:
                sums = np.zeros(len(block))
            u[k] = sums[0]
            for i in range(nvar):
                imat[k, i] = -sums[1 + i]
                jj[k, i] = sums[1 + nvar + i]
            imat[k, k] = -sums[1 + 2 * nvar]
            jj[k, k] = sums[2 + 2 * nvar]
    return Lik(loglik, u, imat, jj)


def cholesky3(a: np.ndarray, toler: float) -> tuple[np.ndarray, int]:
    """``cholesky3(matrix, n, 0, NULL, toler)``: A = F D F' read from the lower
    triangle (``M[j, i]``, j >= i); returns the factor in the lower triangle
    and the rank (negative when not non-negative definite). The tolerance is
    absolute: ``eps`` is ``toler`` unless a diagonal is negative, then that
    diagonal (the most negative) times ``toler``, as the C code."""
    m = np.array(a, dtype=float, copy=True)
    n = m.shape[0]
    nonneg = 1
    eps = 0.0
    for i in range(n):
        if m[i, i] < eps:
            eps = m[i, i]
    eps = toler if eps == 0 else eps * toler
    rank = 0
    for i in range(n):
        pivot = m[i, i]
        if not math.isfinite(pivot) or pivot < eps:
            m[i:, i] = 0.0  # zero the column
            if pivot < -8 * eps:
                nonneg = -1
        else:
            rank += 1
            for j in range(i + 1, n):
                temp = m[j, i] / pivot
                m[j, i] = temp
                m[j, j] -= temp * temp * pivot
                if j + 1 < n:
                    m[j + 1:, j] -= temp * m[j + 1:, i]
    return m, rank * nonneg


@dataclass(frozen=True)
class Survreg6:
    """What ``survreg6`` returns (``coef``, ``iter``, ``var``, ``loglik``, ``flag``, ``u``)."""

    coef: np.ndarray
    iterations: int
    var: np.ndarray
    loglik: float
    flag: int
    u: np.ndarray


def _step(lik: Lik, toler: float) -> tuple[np.ndarray, int]:
    """The Newton step u I^-1 (through J'J when I is not positive definite)."""
    assert lik.imat is not None and lik.u is not None and lik.jj is not None
    fac, flag = cholesky3(lik.imat, toler)
    if flag < 0:
        facj, _ = cholesky3(lik.jj, toler)
        return chsolve2(facj, lik.u), flag
    return chsolve2(fac, lik.u), flag


def survreg6(maxiter: int, time: np.ndarray, status: np.ndarray, x: np.ndarray, wt: np.ndarray,
             offset: np.ndarray, beta: np.ndarray, nstrat: int, strata: np.ndarray, eps: float, toler: float,
             dist: int, density: Callable | None = None, *, halving: bool = True,
             time2: np.ndarray | None = None) -> Survreg6:
    """survreg6.c (survival 3.5-3): Newton-Raphson with step halving (see the
    module docstring; ``time2``: the upper bounds of the status-3 rows).
    ``halving=False`` is a seeded fault's switch: a step that lowers the
    log-likelihood is then taken as it is."""
    nvar = x.shape[1]
    nvar2 = nvar + nstrat
    beta = np.array(beta, dtype=float, copy=True)
    newbeta = np.zeros(beta.size)
    newbeta[nvar:] = beta[nvar:]  # the fixed scale, tacked onto the end, is kept in newbeta too

    def lik_at(b: np.ndarray, only: bool = False) -> Lik:
        return dolik(b, time, status, x, wt, offset, nvar, nstrat, strata, dist, density, only, time2)

    lik = lik_at(beta)
    loglik = lik.loglik
    assert lik.imat is not None
    fac, flag = cholesky3(lik.imat, toler)
    if flag < 0:
        facj, _ = cholesky3(lik.jj, toler)
        u = chsolve2(facj, lik.u)
    else:
        u = chsolve2(fac, lik.u)
    newbeta[:nvar2] = beta[:nvar2] + u  # never complain about convergence on the first step
    if maxiter == 0:
        return Survreg6(beta, 0, chinv2(fac), loglik, flag, np.asarray(lik.u))
    halving_count = 0
    lik = lik_at(newbeta)
    newlk = lik.loglik
    for it in range(1, maxiter + 1):
        if not math.isnan(newlk) and not math.isinf(newlk) and abs(1 - (loglik / newlk)) <= eps \
                and halving_count == 0:
            fac, flag = cholesky3(lik.imat, toler)
            beta[:nvar2] = newbeta[:nvar2]
            return Survreg6(beta, it, chinv2(fac), newlk, flag, np.asarray(lik.u))
        if math.isnan(newlk) or math.isinf(newlk) or newlk < loglik:
            # not converging: halve (up to 5 times, while the loglik is still below the last
            # good one; a NaN loglik compares false, so survival 3.5-3 then does not halve)
            j = 0
            while halving and j < 5 and newlk < loglik:
                halving_count += 1
                newbeta[:nvar2] = (newbeta[:nvar2] + beta[:nvar2]) / 2
                if halving_count == 1:  # a log(sigma) may not drop by more than 1.1 (about log 3)
                    for i in range(nstrat):
                        if beta[nvar + i] - newbeta[nvar + i] > 1.1:
                            newbeta[nvar + i] = beta[nvar + i] - 1.1
                newlk = lik_at(newbeta, True).loglik
                j += 1
            if not halving:  # the fault: accept the worse point as if it were a Newton step
                loglik = newlk
                u, flag = _step(lik, toler)
                beta[:nvar2] = newbeta[:nvar2]
                newbeta[:nvar2] = newbeta[:nvar2] + u
        else:  # a standard Newton-Raphson step
            halving_count = 0
            loglik = newlk
            u, flag = _step(lik, toler)
            beta[:nvar2] = newbeta[:nvar2]
            newbeta[:nvar2] = newbeta[:nvar2] + u
        lik = lik_at(newbeta)
        newlk = lik.loglik
    fac, _ = cholesky3(lik.imat, toler)
    return Survreg6(newbeta.copy(), maxiter, chinv2(fac), newlk, 1000, np.asarray(lik.u))
