"""``survival:::survreg.fit`` (survival 3.5-3): initial values, the
preliminary intercept-only fit, the rescaling of the covariates, the
Newton-Raphson fit (:mod:`.survreg6`) and the back-transformation.

Contract
--------
Inputs: ``x`` (n, nvar) the model matrix with its intercept column, ``time``
(transformed), ``time2`` (the transformed upper bounds, when a status is 3)
and ``status`` (0 right, 1 exact, 2 left, 3 interval censored), ``weights`` (positive), ``offset``,
``init`` (None or nvar / nvar + nstrat values), ``scale`` (0: estimated),
``nstrat`` and ``strata`` (0-based), the base distribution and its parameters.
Output: :class:`SurvregFit` (R's list: coefficients with the log scales,
icoef, var, loglik, iter, linear.predictors, df, and whether the iterations
ran out).

The matrix products are R's reference BLAS (``dgemm``/``dgemv``: sequential
sums in double, in the order of the Fortran loops) and R's ``sum``, ``colMeans``
and ``sd`` accumulate in long double, so that the starting values, hence the
iterates, follow R's to the last bit where the C library agrees.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rparity_contract.errors import InvalidArgument

from .. import _libm
from .._rmath import r_sum
from .._seqsum import row_dot
from ..cox.chol import cholesky2, chsolve2
from ..matching._linpack import seq_matvec
from ..matching._rstats import r_column_moments
from .distributions import Base
from .survreg6 import Survreg6, make_design, survreg6

__all__ = ["SurvregFit", "survreg_fit", "crossprod_lower", "gemm_blas"]

def crossprod_lower(x: np.ndarray, wx: np.ndarray) -> np.ndarray:
    """``t(x) %*% wx`` through reference ``dgemm`` (``TEMP = TEMP + A(L,I) *
    B(L,J)`` over L): C[a, b] is the sequential sum over rows l of ``wx[l, b]
    * x[l, a]``. Only the lower triangle (b <= a), what survreg.fit's
    ``cholesky2(t(a))`` reads, is formed; the upper mirrors it. A block of
    rows at a time (it stays in the cache while each row a of C goes on from
    its running total, the block's first row, times 1)."""
    n, p = x.shape
    out = np.zeros((p, p))
    m = 2048
    ext = np.empty((min(m, n) + 1, p))
    sv = np.empty(min(m, n) + 1)
    sv[0] = 1.0
    for lo in range(0, n, m):
        hi = min(n, lo + m)
        k = hi - lo + 1
        ext[1:k] = wx[lo:hi]
        for a in range(p):
            ext[0, :a + 1] = out[a, :a + 1]
            sv[1:k] = x[lo:hi, a]
            out[a, :a + 1] = row_dot(ext[:k, :a + 1], sv[:k])
    iu = np.triu_indices(p, 1)
    out[iu] = out.T[iu]
    return out


def gemm_blas(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a %*% b`` (reference ``dgemm``, N N): C[i, j] = 0 + b[0, j] * a[i, 0] + ..."""
    out = np.zeros((a.shape[0], b.shape[1]))
    for k in range(a.shape[1]):
        out = out + b[k, :][None, :] * a[:, k][:, None]
    return out


@dataclass(frozen=True)
class SurvregFit:
    coef: np.ndarray  # the coefficients, then the estimated log scales
    icoef: np.ndarray
    var: np.ndarray
    loglik: np.ndarray  # (intercept-only, model), without the Jacobian of the transformation
    iterations: int
    linear_predictors: np.ndarray
    df: int
    converged: bool
    means: np.ndarray | None = None  # R's mean() of each column of x, when the rescaling computed them


def _derfun(y1: np.ndarray, y2: np.ndarray | None, status: np.ndarray, eta: np.ndarray,
            sigma: np.ndarray | float, base: Base, parms: dict) -> tuple[np.ndarray, np.ndarray]:
    """survreg.fit's ``derfun(y, eta, sigma, density, parms)``: the first and
    second derivatives of each row's log-likelihood with respect to eta, R's
    expressions evaluated as written, for the statuses 0 (right), 1 (exact),
    2 (left) and 3 (interval: the difference of the two tails, the upper
    ones when z > 0). Without a status 3 R's ``dmat2`` is a row of zeros.
    Elementwise: computed a block of rows at a time (the vectors stay in the
    cache), with the whole data's "is there a status 3"."""
    interval = bool(np.any(status == 3))
    n = y1.size
    dg, ddg = np.empty(n), np.empty(n)
    for a in range(0, n, _DERFUN_ROWS):
        b = min(n, a + _DERFUN_ROWS)
        sig = sigma if np.ndim(sigma) == 0 else np.asarray(sigma)[a:b]
        dg[a:b], ddg[a:b] = _derfun_rows(y1[a:b], None if y2 is None else y2[a:b], status[a:b], eta[a:b], sig,
                                         base, parms, interval)
    return dg, ddg


_DERFUN_ROWS = 8192


def _derfun_rows(y1: np.ndarray, y2: np.ndarray | None, status: np.ndarray, eta: np.ndarray,
                 sigma: np.ndarray | float, base: Base, parms: dict,
                 interval: bool) -> tuple[np.ndarray, np.ndarray]:
    s0, s1, s2, s3 = ((status == k).astype(float) for k in range(4))
    with np.errstate(all="ignore"):
        z = (y1 - eta) / sigma
        d1, d2, d3, d4, d5 = base.density(z, parms)
        dtemp = d3 * d4
        if interval:
            assert y2 is not None
            e1, e2, e3, e4, _ = base.density((y2 - eta) / sigma, parms)
        else:
            e1 = e2 = e3 = e4 = np.zeros(1)
        tdenom = s0 * d2 + s1 * 1 + s2 * d1 + s3 * np.where(z > 0, d2 - e2, e1 - d1)
        tdenom = 1 / (tdenom * sigma)
        dg = -tdenom * (s0 * (0 - d3) + s1 * d4 + s2 * d3 + s3 * (e3 - d3))
        ddg = (tdenom / sigma) * (s0 * (0 - dtemp) + s1 * d5 + s2 * dtemp + s3 * (e3 * e4 - dtemp))
    return dg, ddg - dg * dg


def survreg_fit(x: np.ndarray, time: np.ndarray, status: np.ndarray, weights: np.ndarray, offset: np.ndarray,
                init: np.ndarray | None, iter_max: int, eps: float, toler_chol: float, base: Base, parms: dict,
                scale: float = 0.0, nstrat: int = 1, strata: np.ndarray | None = None,
                halving: bool = True, time2: np.ndarray | None = None) -> SurvregFit:
    """R's ``survreg.fit(x, y, weights, offset, init, controlvals, dist, scale,
    nstrat, strata, parms)`` (see the module); ``time2``: y's second column
    when a status is 3 (interval censored), else None."""
    n, nvar = x.shape
    if strata is None or nstrat == 1:
        strata = np.zeros(n, dtype=np.intp)
    nstrat2 = 0 if scale > 0 else nstrat
    dnum = base.dnum
    density = None if dnum < 4 else (lambda z: base.density(z, parms))
    ones = np.ones((n, 1))

    meanonly = nvar == 1 and bool(np.all(x == 1))
    yy = time if time2 is None else np.where(status != 3, time, (time + time2) / 2)

    # survreg.fit's rescaling of x (when it has an intercept and a column that is not 0/1)
    center = stdev = means = None
    if init is None and nvar > 1 and bool(np.all(x[:, 0] == 1)):
        okay = np.all((x == 0) | (x == 1), axis=0)
        if not okay.all():
            col_means, means, sds = r_column_moments(x)  # sd's mean is R's mean(): the result's means too
            center = np.where(okay, 0.0, col_means)
            stdev = np.where(okay, 1.0, sds)
            x = (x - center[None, :]) / stdev[None, :]  # scale(x, center, stdev): two sweeps
    design = make_design(x, status, weights, offset, strata, nstrat2)  # the full fit's fixed design

    # the preliminary fit of the intercept alone (R's fit0)
    fit0: Survreg6 | None = None
    if not meanonly:
        c0, c1 = base.init(yy, weights, parms)
        vars0 = math.log(scale) if scale > 0 else math.log(4 * c1) / 2
        coef = np.array([c0] + [vars0] * nstrat)
        dg, ddg = _derfun(time, time2, status, yy, float(_libm.exp(np.array([vars0]))[0]), base, parms)
        wt = -1 * ddg * weights
        coef[0] = r_sum(weights * dg + wt * (yy - offset)) / r_sum(wt)
        fit0 = survreg6(20, time, status, ones, weights, offset, coef, nstrat2, strata, eps, toler_chol, dnum,
                        density, halving=halving, time2=time2)
    rescaled = center is not None
    nvar2 = nvar + nstrat2
    if init is not None:
        init = np.asarray(init, dtype=float).ravel()
        if init.size == nvar and nvar2 > nvar:
            if fit0 is None:
                raise InvalidArgument("`init` of the coefficients only needs the intercept-only fit, which R does "
                                      "not make for an intercept-only model (R: object 'fit0' not found); give "
                                      "the log scale(s) too", kind="init.length")
            init = np.concatenate([init, fit0.coef[1:]])
        if init.size != nvar2:
            raise InvalidArgument(f"`init` must have {nvar2} values (the coefficients"
                                  f"{', then the log scale(s)' if nvar2 > nvar else ''}); got {init.size} "
                                  "(R: 'Wrong length for initial parameters')", kind="init.length")
        if scale > 0:
            init = np.concatenate([init, [math.log(scale)]])
        start = init
    else:
        if meanonly:
            c0, c1 = base.init(yy, weights, parms)
            vars_ = np.full(nstrat, math.log(scale) if scale > 0 else math.log(4 * c1) / 2)
        else:
            assert fit0 is not None
            vars_ = fit0.coef[1:]
        eta = yy - offset
        sig = _libm.exp(np.asarray(vars_, dtype=float))
        dg, ddg = _derfun(time, time2, status, yy, sig[strata] if sig.size > 1 else sig[0], base, parms)
        wt = -1 * ddg * weights
        a = crossprod_lower(x, wt[:, None] * x)
        b = row_dot(x, wt * eta + weights * dg)  # c(v %*% x): dgemv "T", sequential
        if nvar == 1:
            solved = np.atleast_1d(b / a[0, 0])
        else:
            fac, _ = cholesky2(a.T, toler_chol)  # coxph_wtest: the ragged array of var, column-major
            solved = chsolve2(fac, np.atleast_1d(b))
        start = np.concatenate([np.atleast_1d(solved), vars_])
    fit = survreg6(iter_max, time, status, x, weights, offset, start, nstrat2, strata, eps, toler_chol, dnum,
                   density, halving=halving, time2=time2, des=design)
    coef_all = fit.coef[:nvar2] if scale > 0 else fit.coef
    if meanonly:
        coef0 = coef_all.copy()
        loglik = np.array([fit.loglik, fit.loglik])
    else:
        assert fit0 is not None
        coef0 = fit0.coef
        loglik = np.array([fit0.loglik, fit.loglik])
    var = np.array(fit.var, dtype=float)
    coef_new = np.array(coef_all, dtype=float)
    if rescaled:
        assert center is not None and stdev is not None
        vtemp = np.diag(np.concatenate([1 / stdev, np.ones(var.shape[0] - stdev.size)]))
        vtemp[0, 1:nvar] = -center[1:nvar] / stdev[1:nvar]
        coef_new = seq_matvec(vtemp, coef_new)
        var = gemm_blas(gemm_blas(vtemp, var), vtemp.T)
    lp = seq_matvec(x, fit.coef[:nvar]) + offset
    return SurvregFit(coef=coef_new, icoef=np.asarray(coef0, dtype=float), var=var, loglik=loglik,
                      iterations=fit.iterations, linear_predictors=lp, df=int(coef_all.size),
                      converged=not (iter_max > 1 and fit.flag > nvar2), means=means)
