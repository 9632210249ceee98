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
as the C loops accumulate them; every product is formed in the C
expression's order (``covar[i] * covar[j] * ddg * w`` is ((x_i x_j) ddg) w).

Speed, with the same bits: what does not change between evaluations (the
covariates laid out by column, the row indices of each status, whether the
weights are all 1 and the offset all 0, where ``* w`` and ``+ offset`` leave
every value as it is) is prepared once per fit (:class:`Design`); the
sums of u, imat and JJ are formed a block of rows at a time, each quantity
a row of a (quantities x rows) buffer (long vector products), then added by
``np.add.reduce`` along axis 0 of the transposed block, which adds its rows in
order (the C ``+=`` loop; :func:`pyimpl.matching._linpack._colsums`); the
step-halving evaluations compute only the log-likelihood; exp and log are the
C library's (:mod:`._cmath`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import _libm
from ..cox.chol import chinv2, chsolve2
from ..matching._linpack import _SEQUENTIAL_REDUCE, _colsums
from ._cmath import cexp, clog

__all__ = ["Survreg6", "survreg6", "cholesky3", "loglik_terms", "SMALL", "Design", "make_design"]

#: survregc1.c: the value used for log(f) when f is 0 (a very bad guess of beta)
SMALL = -200.0
_SPI = 2.506628274631001  # survregc1.c: sqrt(2 pi), as written there
_ROOT_2 = 1.414213562373095


def _map(fn: Callable[[float], float], a: np.ndarray) -> np.ndarray:
    """The C library's ``fn`` of each element (through Python's ``math``)."""
    return np.fromiter(map(fn, np.ascontiguousarray(a, dtype=float).data), dtype=float, count=a.size)


# --- the distributions of survregc1.c: ans[0..3] --------------------------------------------
# case 1 (exact):    -, f, f'/f, f''/f
# case 2 (censored): F, 1 - F, f, f'

def _exvalue(z: np.ndarray, case: int) -> tuple[np.ndarray, ...]:
    """``exvalue_d``: the (minimum) extreme value distribution."""
    zc = np.clip(z, SMALL, -SMALL)  # stop infinite answers (NaN stays NaN)
    w = cexp(zc)
    temp = cexp(-w)
    if case == 1:
        return (np.zeros_like(z), w * temp, 1 - w, w * (w - 3) + 1)
    return (1 - temp, temp, w * temp, w * temp * (1 - w))


def _logistic(z: np.ndarray, case: int) -> tuple[np.ndarray, ...]:
    """``logistic_d``: exp of a negative number only, by symmetry."""
    pos = z > 0
    w = cexp(np.where(pos, -z, z))
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
    f = cexp(-z * z / 2) / _SPI
    if case == 1:
        return (np.zeros_like(z), f, -z, z * z - 1)
    pos = z > 0
    za = np.where(pos, z, -z) / _ROOT_2
    upper = (1 + _map(math.erf, za)) / 2  # the probability on z's side of 0
    lower = _map(math.erfc, za) / 2
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


@dataclass(frozen=True, eq=False)
class Design:
    """What stays the same between the evaluations of one fit: ``xt`` the
    covariates as rows (nvar, n), the rows of each status present (``None``
    when every row has it), the (i, j <= i) pairs in the C loop's order,
    each stratum's rows, and whether the weights are all 1 and the offset
    all 0 (then ``* w`` and ``+ offset`` change no value and are skipped:
    the linear predictor, summed from +0, is never -0)."""

    xt: np.ndarray
    rows: tuple[tuple[int, np.ndarray | None], ...]
    ii: np.ndarray
    jj: np.ndarray
    strata_rows: tuple[np.ndarray, ...]
    unit_wt: bool
    zero_offset: bool


def make_design(x: np.ndarray, status: np.ndarray, wt: np.ndarray, offset: np.ndarray,
                strata: np.ndarray | None = None, nstrat: int = 1) -> Design:
    """The :class:`Design` of a fit (see there)."""
    nvar = x.shape[1]
    present = [int(s) for s in (1, 0, 2, 3) if np.any(status == s)]  # the C switch's cases, computed by status
    if len(present) == 1 and bool(np.all(status == present[0])):
        rows: tuple[tuple[int, np.ndarray | None], ...] = ((present[0], None),)
    else:
        rows = tuple((s, np.flatnonzero(status == s)) for s in present)
    pairs = [(i, j) for i in range(nvar) for j in range(i + 1)]
    ii = np.array([p[0] for p in pairs], dtype=np.intp)
    jj = np.array([p[1] for p in pairs], dtype=np.intp)
    srows = tuple(np.flatnonzero(strata == s) for s in range(nstrat)) if nstrat > 1 and strata is not None else ()
    return Design(np.ascontiguousarray(np.asarray(x, dtype=float).T), rows, ii, jj, srows,
                  bool(np.all(wt == 1)), not bool(np.any(offset)))


_ETA_BLOCK = 8192


def _eta(beta: np.ndarray, des: Design, offset: np.ndarray, n: int, nvar: int) -> np.ndarray:
    """survregc1: eta = 0; eta += beta[i] * covar[i][person], i = 0..nvar-1;
    eta += offset. A block of persons at a time: the products as rows, added
    down the rows in order from +0 (``np.add.reduce`` along axis 0 with
    ``initial=0.0``, as :func:`pyimpl.matching._linpack._colsums`)."""
    if not _SEQUENTIAL_REDUCE or nvar < 2:
        eta = np.zeros(n)
        tmp = np.empty(n)
        for i in range(nvar):
            np.multiply(des.xt[i], beta[i], out=tmp)
            eta += tmp
    else:
        eta = np.empty(n)
        b = np.asarray(beta[:nvar], dtype=float)[:, None]
        buf = np.empty((nvar, min(_ETA_BLOCK, n)))
        for a in range(0, n, _ETA_BLOCK):
            e = min(n, a + _ETA_BLOCK)
            prod = buf[:, :e - a]
            np.multiply(des.xt[:, a:e], b, out=prod)
            np.add.reduce(prod, axis=0, initial=0.0, out=eta[a:e])
    if not des.zero_offset:
        eta += offset
    return eta


def loglik_terms(beta: np.ndarray, time: np.ndarray, status: np.ndarray, x: np.ndarray, offset: np.ndarray,
                 nvar: int, nstrat: int, strata: np.ndarray, dist: int, density: Callable | None,
                 time2: np.ndarray | None = None, *, des: Design | None = None, g_only: bool = False):
    """Each observation's g = log f (or log S) and its derivatives (dg, ddg
    with respect to eta; dsig, ddsig, dsg with respect to log sigma): the
    per-person part of ``survregc1``/``survregc2``. ``g_only``: g alone (the
    derivatives are None), for a log-likelihood-only evaluation."""
    n = time.size
    if des is None:
        des = make_design(x, status, np.ones(n), offset)
    if nstrat > 1:
        lsig = np.array([beta[nvar + k] for k in range(nstrat)])
        sig_s = np.asarray(_libm.exp(lsig), dtype=float)  # C's exp: overflow is Inf, not an error
        with np.errstate(divide="ignore", over="ignore"):
            sig2_s = 1 / (sig_s * sig_s)
        sigma = sig_s[strata]
        sig2 = sig2_s[strata]
        logsig = np.asarray(_libm.log(sig_s), dtype=float)[strata]
    else:  # one scale for every row: scalars
        sigma = np.float64(_libm.exp(float(beta[nvar])))
        with np.errstate(divide="ignore", over="ignore"):
            sig2 = 1 / (sigma * sigma)
        logsig = np.float64(_libm.log(float(sigma)))
    eta = _eta(beta, des, offset, n, nvar)
    g = np.empty(n)
    dg = ddg = dsig = ddsig = dsg = None
    if not g_only:
        dg, ddg, dsig, ddsig, dsg = (np.empty(n) for _ in range(5))
    sz = time - eta
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = sz / sigma
    if density is not None:  # survregc2
        return _terms_density(z, eta, sigma, sig2, status, time2, density, n)
    gg = BUILTIN[dist]
    scalar = np.ndim(sigma) == 0
    for case, idx in des.rows:
        if idx is None:
            zr, szr, sr, s2, ls = z, sz, sigma, sig2, logsig
        else:
            zr, szr = z[idx], sz[idx]
            sr, s2, ls = (sigma, sig2, logsig) if scalar else (sigma[idx], sig2[idx], logsig[idx])
        funs = gg(zr, 1 if case == 1 else 2)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if case == 3:  # interval censored: the difference of two tails, upper ones when z > 0
                assert time2 is not None
                t2 = time2 if idx is None else time2[idx]
                er = eta if idx is None else eta[idx]
                zu = (t2 - er) / sr  # survregc1: zu = (time2 - eta)/sigma
                ufun = gg(zu, 2)
                tmp = np.where(zr > 0, funs[1] - ufun[1], ufun[0] - funs[0])
                bad = tmp <= 0
                g_ = clog(tmp)
            elif case == 2:  # left censored: log F
                bad = funs[0] <= 0
                g_ = clog(funs[0])
            else:
                bad = funs[1] <= 0
                g_ = clog(funs[1]) - ls if case == 1 else clog(funs[1])
            anybad = bool(bad.any())
            _put(g, idx, np.where(bad, SMALL, g_) if anybad else g_)
            if g_only:
                continue
            if case == 1:  # exact
                temp = funs[2] / sr
                temp2 = funs[3] * s2
                dg_ = -temp
                dsig_ = -temp * szr
                ddg_ = temp2 - dg_ * dg_
                dsg_ = szr * temp2 - dg_ * (dsig_ + 1)
                ddsig_ = szr * szr * temp2 - dsig_ * (1 + dsig_)
                dsig_ = dsig_ - 1
                bad_dg, bad_ddg = -zr / sr, -1 / sr
            elif case == 0:  # right censored
                temp = -funs[2] / (funs[1] * sr)
                temp2 = -funs[3] * s2 / funs[1]
                dg_ = -temp
                dsig_ = -temp * szr
                ddg_ = temp2 - dg_ * dg_
                dsg_ = szr * temp2 - dg_ * (dsig_ + 1)
                ddsig_ = szr * szr * temp2 - dsig_ * (1 + dsig_)
                bad_dg, bad_ddg = zr / sr, 0.0
            elif case == 2:
                temp = funs[2] / (funs[0] * sr)
                temp2 = funs[3] * s2 / funs[0]
                dg_ = -temp
                dsig_ = -temp * szr
                ddg_ = temp2 - dg_ * dg_
                dsg_ = szr * temp2 - dg_ * (dsig_ + 1)
                ddsig_ = szr * szr * temp2 - dsig_ * (1 + dsig_)
                bad_dg, bad_ddg = -zr / sr, 0.0
            else:
                dg_ = -(ufun[2] - funs[2]) / (tmp * sr)
                ddg_ = (ufun[3] - funs[3]) * s2 / tmp - dg_ * dg_
                dsig_ = (zr * funs[2] - zu * ufun[2]) / tmp
                ddsig_ = ((zu * zu * ufun[3] - zr * zr * funs[3]) / tmp) - dsig_ * (1 + dsig_)
                dsg_ = ((zu * ufun[3] - zr * funs[3]) / (tmp * sr)) - dg_ * (dsig_ + 1)
                bad_dg, bad_ddg = 1.0, 0.0
        if anybad:
            dg_ = np.where(bad, bad_dg, dg_)
            ddg_ = np.where(bad, bad_ddg, ddg_)
            dsig_, ddsig_, dsg_ = (np.where(bad, 0.0, v) for v in (dsig_, ddsig_, dsg_))
        for out, val in ((dg, dg_), (ddg, ddg_), (dsig, dsig_), (ddsig, ddsig_), (dsg, dsg_)):
            _put(out, idx, val)
    return g, dg, ddg, dsig, ddsig, dsg


def _put(out: np.ndarray | None, idx: np.ndarray | None, val) -> None:
    assert out is not None
    if idx is None:
        out[:] = val
    else:
        out[idx] = val


def _terms_density(z: np.ndarray, eta: np.ndarray, sigma: Any, sig2: Any, status: np.ndarray,
                   time2: np.ndarray | None, density: Callable[..., Any], n: int) -> tuple[np.ndarray, ...]:
    """survregc2: R's density at z (then at the upper z of the status-3 rows), then its formulas."""
    sigma = np.broadcast_to(sigma, (n,))
    sig2 = np.broadcast_to(sig2, (n,))
    rows3 = status == 3
    zu_all = None
    if rows3.any():
        assert time2 is not None
        zu_all = (time2[rows3] - eta[rows3]) / sigma[rows3]  # zu = (time2 - eta)/sigma
    g, dg, ddg, dsig, ddsig, dsg = (np.empty(n) for _ in range(6))
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
        e_g = clog(funs[2]) - clog(sigma)
        c1 = -funs[2] / (funs[1] * sigma)
        c2 = -funs[3] * funs[2] * sig2 / funs[1]
        c_dg = -c1
        c_dsig = -sz * c1
        c_ddg = c2 - c_dg * c_dg
        c_dsg = sz * c2 - c_dg * (1 + c_dsig)
        c_ddsig = sz * sz * c2 - c_dsig * (1 + c_dsig)
        c_g = clog(funs[1])
        l1 = funs[2] / (funs[0] * sigma)  # left censored (survregc2 tests f, not F, for 0)
        l2 = funs[3] * funs[2] * sig2 / funs[0]
        l_dg = -l1
        l_dsig = -sz * l1
        l_ddg = l2 - l_dg * l_dg
        l_dsg = sz * l2 - l_dg * (1 + l_dsig)
        l_ddsig = sz * sz * l2 - l_dsig * (1 + l_dsig)
        l_g = clog(funs[0])
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
            i_g = clog(tmp)
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


def _block_sums(des: Design, dg: np.ndarray, ddg: np.ndarray, wt: np.ndarray,
                scale: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> np.ndarray:
    """The sequential sums over rows of u, imat and JJ's covariate parts, in
    the C loop's expressions: ``temp = dg * x_i * w``; for j <= i,
    ``x_i * x_j * ddg * w`` and ``temp * x_j * dg``; and, with ``scale =
    (dsig, ddsig, dsg)`` (one scale for every row), ``w * dsig``,
    ``dsg * x_i * w``, ``dsig * x_i * dg * w``, ``ddsig * w`` and
    ``dsig * dsig * w``. A block of rows at a time: each quantity is a row
    of ``t`` (long vector products), the transposed block (previous total on
    top) is added down its rows in order."""
    xt = des.xt
    nvar, n = xt.shape
    npair = des.ii.size
    unit = des.unit_wt
    o_b, o_c, o_s = nvar, nvar + npair, nvar + 2 * npair
    k = o_s + (3 + 2 * nvar if scale is not None else 0)
    chunk = max(512, min(16384, (1 << 16) // max(k, 1)))
    total = np.zeros(k)
    tbuf = np.empty((k, min(chunk, n)))
    bbuf = np.empty((min(chunk, n) + 1, k))
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        t = tbuf[:, :b - a]
        blk = bbuf[:b - a + 1]
        xc = xt[:, a:b]
        d1, d2 = dg[a:b], ddg[a:b]
        w = wt[a:b]
        tA = t[:o_b]
        np.multiply(d1, xc, out=tA)  # temp = dg * x_i * w
        if not unit:
            tA *= w
        tB = t[o_b:o_c]
        tC = t[o_c:o_s]
        for i in range(nvar):  # the pairs (i, 0..i): rows tri(i)..tri(i)+i of tB and tC
            r = i * (i + 1) // 2
            np.multiply(xc[:i + 1], xc[i], out=tB[r:r + i + 1])  # x_i * x_j * ddg * w
            np.multiply(xc[:i + 1], tA[i], out=tC[r:r + i + 1])  # temp * x_j * dg
        tB *= d2
        if not unit:
            tB *= w
        tC *= d1
        if scale is not None:
            ds, dds, dsg = (v[a:b] for v in scale)
            if unit:  # w * dsig, ddsig * w
                np.copyto(t[o_s], ds)
                np.copyto(t[k - 2], dds)
            else:
                np.multiply(w, ds, out=t[o_s])
                np.multiply(dds, w, out=t[k - 2])
            tE = t[o_s + 1:o_s + 1 + nvar]
            np.multiply(dsg, xc, out=tE)  # dsg * x_i * w
            tF = t[o_s + 1 + nvar:o_s + 1 + 2 * nvar]
            np.multiply(ds, xc, out=tF)  # dsig * x_i * dg * w
            tF *= d1
            np.multiply(ds, ds, out=t[k - 1])  # dsig * dsig * w
            if not unit:
                tE *= w
                tF *= w
                t[k - 1] *= w
        blk[0] = total
        blk[1:] = t.T
        total = _colsums(blk)
    return total


def dolik(beta: np.ndarray, time, status, x, wt, offset, nvar: int, nstrat: int, strata, dist: int,
          density: Callable | None, loglik_only: bool = False, time2: np.ndarray | None = None,
          des: Design | None = None) -> Lik:
    """``survregc1``/``survregc2`` at ``beta`` (whichcase 1: the log-likelihood only)."""
    if des is None:
        des = make_design(x, status, wt, offset, strata, nstrat)
    g, dg, ddg, dsig, ddsig, dsg = loglik_terms(beta, time, status, x, offset, nvar, nstrat, strata, dist, density,
                                                time2, des=des, g_only=loglik_only)
    loglik = _seq(g if des.unit_wt else g * wt)
    if loglik_only:
        return Lik(loglik)
    assert dg is not None and ddg is not None and dsig is not None and ddsig is not None and dsg is not None
    nvar2 = nvar + nstrat
    u = np.zeros(nvar2)
    imat = np.zeros((nvar2, nvar2))
    jj = np.zeros((nvar2, nvar2))
    one_scale = nstrat == 1
    if nvar or one_scale:
        sums = _block_sums(des, dg, ddg, wt, (dsig, ddsig, dsg) if one_scale else None)
        npair = des.ii.size
        u[:nvar] = sums[:nvar]
        imat[des.ii, des.jj] = -sums[nvar:nvar + npair]  # imat -= ...: the negated sequential sum
        jj[des.ii, des.jj] = sums[nvar + npair:nvar + 2 * npair]
        if one_scale:
            o = nvar + 2 * npair
            u[nvar] = sums[o]
            imat[nvar, :nvar] = -sums[o + 1:o + 1 + nvar]
            jj[nvar, :nvar] = sums[o + 1 + nvar:o + 1 + 2 * nvar]
            imat[nvar, nvar] = -sums[o + 1 + 2 * nvar]
            jj[nvar, nvar] = sums[o + 2 + 2 * nvar]
    if nstrat > 1:  # a scale per stratum: each one's sums over its own rows
        for s, rows in enumerate(des.strata_rows):
            k = nvar + s
            ncol = 3 + 2 * nvar
            if not rows.size:
                sums = np.zeros(ncol)
            else:
                w, xs = wt[rows], des.xt[:, rows]
                ds, dd, dgs, dsgs = dsig[rows], ddsig[rows], dg[rows], dsg[rows]
                block = np.empty((rows.size, ncol))
                block[:, 0] = w * ds
                block[:, 1:1 + nvar] = (dsgs * xs * w).T
                block[:, 1 + nvar:1 + 2 * nvar] = (ds * xs * dgs * w).T
                block[:, 1 + 2 * nvar] = dd * w
                block[:, 2 + 2 * nvar] = ds * ds * w
                sums = _colsums(block)
            u[k] = sums[0]
            imat[k, :nvar] = -sums[1:1 + nvar]
            jj[k, :nvar] = sums[1 + nvar:1 + 2 * nvar]
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

    des = make_design(x, status, wt, offset, strata, nstrat)

    def lik_at(b: np.ndarray, only: bool = False) -> Lik:
        return dolik(b, time, status, x, wt, offset, nvar, nstrat, strata, dist, density, only, time2, des)

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
