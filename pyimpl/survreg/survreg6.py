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
covariates by row and by column, the products x_i x_j of each row, the rows
of each status in each block of rows, whether the weights are all 1, x the
intercept alone and the offset all 0, where ``* w``, ``* 1`` and ``+
offset`` leave every value as it is) is prepared once per fit
(:class:`Design`). The per-row formulas run a block of 8192 rows at a time
(their vectors stay in the cache), each status's on its own rows for the
three quantities that differ (g, temp, temp2), then the shared derivative
formulas once. Each sum of u and imat is a sum over rows of (a per-row
vector) x (a per-row scalar), which :func:`pyimpl._seqsum.row_dot` forms as
the C loop does (numpy's einsum, checked at import to be that loop); the
pairs' sums run on a second thread beside the others. JJ, which survreg6.c
uses only when imat is not positive definite, is formed only then; the
step-halving evaluations compute only the log-likelihood; exp and log are
the C library's (:mod:`._cmath`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import _libm
from .._seqsum import ordered_sums, row_dot
from .._threads import run_all
from ..cox.chol import chinv2, chsolve2
from ..matching._linpack import _colsums
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


class Lik:
    """One evaluation of ``survregc1``/``survregc2``: the log-likelihood, and
    (unless only the log-likelihood was asked) the score ``u`` and minus the
    Hessian ``imat`` in the C code's ragged layout (``M[i, j]``, lower
    triangle). The outer-product matrix ``JJ``, which survreg6.c uses only
    when ``imat`` is not positive definite, is formed the first time it is
    read, from the same per-row derivatives (``jj_from``)."""

    __slots__ = ("loglik", "u", "imat", "_jj", "_jj_from")

    def __init__(self, loglik: float, u: np.ndarray | None = None, imat: np.ndarray | None = None,
                 jj: np.ndarray | None = None, jj_from: Callable[[], np.ndarray] | None = None) -> None:
        self.loglik = loglik
        self.u = u
        self.imat = imat
        self._jj = jj
        self._jj_from = jj_from

    @property
    def jj(self) -> np.ndarray | None:
        if self._jj is None and self._jj_from is not None:
            self._jj, self._jj_from = self._jj_from(), None
        return self._jj


#: a block of rows (a, b) and each status's rows in it (from a; None: all)
Chunk = tuple[int, int, tuple[tuple[int, np.ndarray | None], ...]]


@dataclass(frozen=True, eq=False)
class Design:
    """What stays the same between the evaluations of one fit: ``xt`` the
    covariates as rows (nvar, n), ``xr`` as columns (n, nvar), ``xx`` the
    products x_i x_j of each row (n, pairs; None for a large design), ``exact``
    1 on the exact rows and 0 elsewhere (None without one), the blocks of
    rows of the per-row formulas with each status's rows in each, the rows of each status present (``None``
    when every row has it), the (i, j <= i) pairs in the C loop's order,
    each stratum's rows, whether the weights are all 1, x is a single column
    of ones (the intercept-only fit) and the offset all 0 (then ``* w``,
    ``* x`` and ``+ offset`` change no value and are skipped:
    the linear predictor, summed from +0, is never -0)."""

    xt: np.ndarray
    xr: np.ndarray
    xx: np.ndarray | None
    rows: tuple[tuple[int, np.ndarray | None], ...]
    chunks: tuple[Chunk, ...]
    exact: np.ndarray | float | None
    ii: np.ndarray
    jj: np.ndarray
    strata_rows: tuple[np.ndarray, ...]
    unit_wt: bool
    ones_only: bool
    zero_offset: bool


#: rows per block of the per-row formulas (a few 64 kB vectors: they stay in the cache)
_CHUNK_ROWS = 8192


def _chunks(status: np.ndarray, present: list[int]) -> tuple[Chunk, ...]:
    """The blocks of rows (a, b) and, in each, the rows (from a; None: all
    of them) of each status 0, 1 and 2 present there (status 3 rows are
    computed on their own)."""
    n = status.size
    out = []
    for a in range(0, n, _CHUNK_ROWS):
        b = min(n, a + _CHUNK_ROWS)
        st = status[a:b]
        rows: list[tuple[int, np.ndarray | None]] = []
        for case in present:
            if case == 3:
                continue
            hit = st == case
            if hit.all():
                rows = [(case, None)]
                break
            if hit.any():
                rows.append((case, np.flatnonzero(hit)))
        out.append((a, b, tuple(rows)))
    return tuple(out)


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
    x = np.asarray(x, dtype=float)
    xr = np.ascontiguousarray(x)
    xt = np.ascontiguousarray(x.T)  # a view when x is laid out by column (the model matrix)
    xx = _pair_table(xt, ii, jj) if 0 < xr.shape[0] * ii.size <= _MAX_PAIR_TABLE else None
    exact: np.ndarray | float | None = None  # 1 on the exact rows, 0 elsewhere
    if 1 in present:
        exact = 1.0 if rows[0][1] is None else (status == 1).astype(float)
    return Design(xt, xr, xx, rows, _chunks(status, present), exact, ii, jj, srows,
                  bool(np.all(wt == 1)), nvar == 1 and bool(np.all(xr == 1)), not bool(np.any(offset)))




def _eta(beta: np.ndarray, des: Design, offset: np.ndarray, n: int, nvar: int) -> np.ndarray:
    """survregc1: eta = 0; eta += beta[i] * covar[i][person], i = 0..nvar-1;
    eta += offset: each person's sum over the covariates in order
    (:func:`pyimpl._seqsum.row_dot` of the covariates as rows)."""
    eta = row_dot(des.xt, np.asarray(beta[:nvar], dtype=float)) if nvar else np.zeros(n)
    if not des.zero_offset:
        eta += offset
    return eta


def loglik_terms(beta: np.ndarray, time: np.ndarray, status: np.ndarray, x: np.ndarray, offset: np.ndarray,
                 nvar: int, nstrat: int, strata: np.ndarray, dist: int, density: Callable | None,
                 time2: np.ndarray | None = None, *, des: Design | None = None, g_only: bool = False):
    """Each observation's g = log f (or log S) and its derivatives (dg, ddg
    with respect to eta; dsig, ddsig, dsg with respect to log sigma): the
    per-person part of ``survregc1``/``survregc2``. ``g_only``: g alone (the
    derivatives are None), for a log-likelihood-only evaluation.

    survregc1's exact, right and left censored rows differ only in g and in
    two quantities, ``temp`` and ``temp2``; each status's are computed on
    its own rows, and the derivative formulas the three share (dg = -temp,
    dsig = -temp sz, ddg = temp2 - dg^2, dsg = sz temp2 - dg (dsig + 1),
    ddsig = sz^2 temp2 - dsig (1 + dsig), then dsig - 1 for an exact row)
    run once over every row: elementwise the C code's operations. Interval
    censored rows have their own formulas, written over theirs."""
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
    sz = time - eta
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = sz / sigma
    if density is not None:  # survregc2
        return _terms_density(z, eta, sigma, sig2, status, time2, density, n)
    gg = BUILTIN[dist]
    scalar = np.ndim(sigma) == 0
    g = np.empty(n)
    dg = ddg = dsig = ddsig = dsg = None
    if not g_only:
        dg, ddg, dsig, ddsig, dsg = (np.empty(n) for _ in range(5))
    bads: list[tuple[int, np.ndarray]] = []  # (status, rows where f, S or F is 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for a, b, rows in des.chunks:  # a block of rows at a time: its vectors stay in the cache
            zc, szc = z[a:b], sz[a:b]
            sc, s2c, lsc = (sigma, sig2, logsig) if scalar else (sigma[a:b], sig2[a:b], logsig[a:b])
            gc = g[a:b]
            tc = t2c = None
            if not g_only:
                tc, t2c = np.zeros(b - a), np.zeros(b - a)
            for case, idx in rows:
                zr = zc if idx is None else zc[idx]
                sr, s2, ls = (sc, s2c, lsc) if scalar or idx is None else (sc[idx], s2c[idx], lsc[idx])
                funs = gg(zr, 1 if case == 1 else 2)
                if case == 2:  # left censored: log F
                    fv = funs[0]
                    _put(gc, idx, clog(fv))
                else:  # exact: log f - log sigma; right censored: log S
                    fv = funs[1]
                    _put(gc, idx, clog(fv) - ls if case == 1 else clog(fv))
                bad = fv <= 0
                if bad.any():
                    bads.append((case, a + (np.flatnonzero(bad) if idx is None else idx[bad])))
                if tc is None or t2c is None:
                    continue
                if case == 1:  # exact
                    _put(tc, idx, funs[2] / sr)
                    _put(t2c, idx, funs[3] * s2)
                elif case == 0:  # right censored
                    _put(tc, idx, -funs[2] / (funs[1] * sr))
                    _put(t2c, idx, -funs[3] * s2 / funs[1])
                else:  # left censored
                    _put(tc, idx, funs[2] / (funs[0] * sr))
                    _put(t2c, idx, funs[3] * s2 / funs[0])
            if tc is None or t2c is None:
                continue
            assert dg is not None and ddg is not None and dsig is not None and ddsig is not None and dsg is not None
            dgc = np.negative(tc, out=dg[a:b])
            dsigc = np.multiply(-tc, szc, out=dsig[a:b])
            np.subtract(t2c, dgc * dgc, out=ddg[a:b])
            np.subtract(szc * t2c, dgc * (dsigc + 1), out=dsg[a:b])
            np.subtract(szc * szc * t2c, dsigc * (1 + dsigc), out=ddsig[a:b])
            if des.exact is not None:  # dsig - 1 on an exact row (x - 0 is x on the others)
                dsigc -= des.exact if np.ndim(des.exact) == 0 else des.exact[a:b]
        idx3 = dict(des.rows).get(3, False)
        if idx3 is not False:  # interval censored: the difference of two tails, upper ones when z > 0
            assert time2 is not None
            zr = z if idx3 is None else z[idx3]
            sr, s2 = (sigma, sig2) if scalar or idx3 is None else (sigma[idx3], sig2[idx3])
            t2 = time2 if idx3 is None else time2[idx3]
            er = eta if idx3 is None else eta[idx3]
            zu = (t2 - er) / sr  # survregc1: zu = (time2 - eta)/sigma
            funs = gg(zr, 2)
            ufun = gg(zu, 2)
            tmp = np.where(zr > 0, funs[1] - ufun[1], ufun[0] - funs[0])
            _put(g, idx3, clog(tmp))
            bad = tmp <= 0
            if bad.any():
                bads.append((3, np.flatnonzero(bad) if idx3 is None else idx3[bad]))
            if not g_only:
                i_dg = -(ufun[2] - funs[2]) / (tmp * sr)
                i_ddg = (ufun[3] - funs[3]) * s2 / tmp - i_dg * i_dg
                i_dsig = (zr * funs[2] - zu * ufun[2]) / tmp
                i_ddsig = ((zu * zu * ufun[3] - zr * zr * funs[3]) / tmp) - i_dsig * (1 + i_dsig)
                i_dsg = ((zu * ufun[3] - zr * funs[3]) / (tmp * sr)) - i_dg * (i_dsig + 1)
                for out, val in ((dg, i_dg), (ddg, i_ddg), (dsig, i_dsig), (ddsig, i_ddsig), (dsg, i_dsg)):
                    assert out is not None
                    _put(out, idx3, val)
        for _, rows_bad in bads:
            g[rows_bad] = SMALL
        if g_only:
            return g, None, None, None, None, None
        assert dg is not None and ddg is not None and dsig is not None and ddsig is not None and dsg is not None
        for case, rows_bad in bads:  # survregc1's values where f (S, F, the interval's mass) is 0
            sr = sigma if scalar else sigma[rows_bad]
            if case == 3:
                dg[rows_bad] = 1.0
            else:
                dg[rows_bad] = (z[rows_bad] if case == 0 else -z[rows_bad]) / sr
            ddg[rows_bad] = -1 / sr if case == 1 else 0.0
            dsig[rows_bad] = 0.0
            ddsig[rows_bad] = 0.0
            dsg[rows_bad] = 0.0
    return g, dg, ddg, dsig, ddsig, dsg


def _put(out: np.ndarray, idx: np.ndarray | None, val) -> None:
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


#: the largest (rows x pairs) table of covariate products kept for a fit
#: (elements; 2e7 = 160 MB): above it the products are formed block by block
_MAX_PAIR_TABLE = 20_000_000
_BLOCK_ELEMENTS = 1 << 16


def _pair_table(xt: np.ndarray, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
    """``x_i * x_j`` for the pairs (ii, jj) of every row, as (n, pairs) from
    the covariates as rows ``xt`` (nvar, n): a block of 512 rows at a time,
    the products of whole rows of ``xt`` (long vectors) transposed into
    place."""
    n = xt.shape[1]
    out = np.empty((n, ii.size))
    for a in range(0, n, 512):
        b = min(n, a + 512)
        out[a:b] = (xt[ii, a:b] * xt[jj, a:b]).T
    return out


def _pair_products(des: Design, a: int, b: int) -> np.ndarray:
    """``x_i * x_j`` (j <= i, the C loop's pair order) for rows a..b-1, as
    a (rows, pairs) array: from the fit's table when it has one."""
    if des.xx is not None:
        return des.xx[a:b]
    xr = des.xr[a:b]
    return xr[:, des.ii] * xr[:, des.jj]


def _ordered_sums(n: int, k: int, fill: Callable[[np.ndarray, int, int], None]) -> np.ndarray:
    """The sequential (row-order) sums of ``k`` per-row quantities that
    ``fill(t, a, b)`` writes (:func:`pyimpl._seqsum.ordered_sums`), blocks
    of about 64 k elements."""
    return ordered_sums(n, k, fill, block=max(256, min(16384, _BLOCK_ELEMENTS // max(k, 1))))


def _block_sums(des: Design, dg: np.ndarray, ddg: np.ndarray, wt: np.ndarray,
                scale: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> np.ndarray:
    """The sequential sums over rows of u and imat (the C loop's ``u[i] +=
    temp`` and ``imat[i][j] -= ...``, not negated here), in the C
    expressions: ``temp = dg * x_i * w``; for j <= i ``x_i * x_j * ddg *
    w``; and, with ``scale = (dsig, ddsig, dsg)`` (one scale for every
    row), ``w * dsig``, ``dsg * x_i * w`` and ``ddsig * w``. Layout: u
    (nvar), the pairs (npair), then u, the covariate row and the diagonal
    of the scale (1 + nvar + 1)."""
    nvar, n = des.xt.shape
    npair = des.ii.size
    unit = des.unit_wt
    if unit and des.ones_only:  # x = 1 (the intercept-only fit): dg * 1 is dg, (1 * 1) * ddg is ddg
        vecs = [dg, ddg] + ([scale[0], scale[2], scale[1]] if scale is not None else [])
        return np.array([_seq(v) for v in vecs])
    if unit and des.xx is not None:  # each part a sum of (per-row vector) * (per-row scalar)
        xx = des.xx

        def others() -> list[np.ndarray]:
            out = [row_dot(des.xr, dg)]
            if scale is not None:
                ds, dds, dsg = scale
                out += [np.array([_seq(ds)]), row_dot(des.xr, dsg), np.array([_seq(dds)])]
            return out

        # the pairs' sums (the longest) beside the others: independent sums, each in row order
        pairs, rest = run_all([(row_dot, (xx, ddg)), (others, ())], parallel=xx.size >= 1_000_000)
        return np.concatenate([rest[0], pairs] + rest[1:])
    o_b, o_s = nvar, nvar + npair
    k = o_s + (2 + nvar if scale is not None else 0)

    def fill(t: np.ndarray, a: int, b: int) -> None:
        xr = des.xr[a:b]
        d1, d2 = dg[a:b, None], ddg[a:b, None]
        w = wt[a:b, None]
        tA = t[:, :o_b]
        np.multiply(d1, xr, out=tA)  # temp = dg * x_i * w
        tB = t[:, o_b:o_s]
        np.multiply(_pair_products(des, a, b), d2, out=tB)  # x_i * x_j * ddg * w
        if not unit:
            tA *= w
            tB *= w
        if scale is not None:
            ds, dds, dsg = (v[a:b] for v in scale)
            tE = t[:, o_s + 1:o_s + 1 + nvar]
            np.multiply(dsg[:, None], xr, out=tE)  # dsg * x_i * w
            if unit:  # w * dsig, ddsig * w
                t[:, o_s] = ds
                t[:, k - 1] = dds
            else:
                np.multiply(wt[a:b], ds, out=t[:, o_s])
                np.multiply(dds, wt[a:b], out=t[:, k - 1])
                tE *= w
    return _ordered_sums(n, k, fill)


def _jj_sums(des: Design, dg: np.ndarray, wt: np.ndarray,
             dsig: np.ndarray | None) -> np.ndarray:
    """The sequential sums over rows of JJ (the outer products of the
    per-row scores), in the C expressions: for j <= i ``temp * x_j * dg``
    with ``temp = dg * x_i * w``; and, with ``dsig`` (one scale for every
    row), ``dsig * x_i * dg * w`` and ``dsig * dsig * w``. Layout: the
    pairs (npair), then the scale's covariate row and diagonal (nvar + 1)."""
    nvar, n = des.xt.shape
    npair = des.ii.size
    unit = des.unit_wt
    k = npair + (nvar + 1 if dsig is not None else 0)

    def fill(t: np.ndarray, a: int, b: int) -> None:
        xr = des.xr[a:b]
        d1 = dg[a:b, None]
        w = wt[a:b, None]
        temp = d1 * xr  # dg * x_i * w
        if not unit:
            temp *= w
        tC = t[:, :npair]
        np.multiply(temp[:, des.ii], xr[:, des.jj], out=tC)  # temp * x_j * dg
        tC *= d1
        if dsig is not None:
            ds = dsig[a:b]
            tF = t[:, npair:npair + nvar]
            np.multiply(ds[:, None], xr, out=tF)  # dsig * x_i * dg * w
            tF *= d1
            np.multiply(ds, ds, out=t[:, k - 1])  # dsig * dsig * w
            if not unit:
                tF *= w
                t[:, k - 1] *= wt[a:b]
    return _ordered_sums(n, k, fill)


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
    one_scale = nstrat == 1
    if nvar or one_scale:
        sums = _block_sums(des, dg, ddg, wt, (dsig, ddsig, dsg) if one_scale else None)
        npair = des.ii.size
        u[:nvar] = sums[:nvar]
        imat[des.ii, des.jj] = -sums[nvar:nvar + npair]  # imat -= ...: the negated sequential sum
        if one_scale:
            o = nvar + npair
            u[nvar] = sums[o]
            imat[nvar, :nvar] = -sums[o + 1:o + 1 + nvar]
            imat[nvar, nvar] = -sums[o + 1 + nvar]
    strata_jj: list[np.ndarray] = []
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
            imat[k, k] = -sums[1 + 2 * nvar]
            strata_jj.append(sums)

    def jj_from() -> np.ndarray:
        jj = np.zeros((nvar2, nvar2))
        if nvar or one_scale:
            sums = _jj_sums(des, dg, wt, dsig if one_scale else None)
            npair = des.ii.size
            jj[des.ii, des.jj] = sums[:npair]
            if one_scale:
                jj[nvar, :nvar] = sums[npair:npair + nvar]
                jj[nvar, nvar] = sums[npair + nvar]
        for s, sums in enumerate(strata_jj):
            jj[nvar + s, :nvar] = sums[1 + nvar:1 + 2 * nvar]
            jj[nvar + s, nvar + s] = sums[2 + 2 * nvar]
        return jj

    return Lik(loglik, u, imat, jj_from=jj_from)


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
    assert lik.imat is not None and lik.u is not None
    fac, flag = cholesky3(lik.imat, toler)
    if flag < 0:  # JJ is formed here, only when it is needed
        assert lik.jj is not None
        facj, _ = cholesky3(lik.jj, toler)
        return chsolve2(facj, lik.u), flag
    return chsolve2(fac, lik.u), flag


def survreg6(maxiter: int, time: np.ndarray, status: np.ndarray, x: np.ndarray, wt: np.ndarray,
             offset: np.ndarray, beta: np.ndarray, nstrat: int, strata: np.ndarray, eps: float, toler: float,
             dist: int, density: Callable | None = None, *, halving: bool = True,
             time2: np.ndarray | None = None, des: Design | None = None) -> Survreg6:
    """survreg6.c (survival 3.5-3): Newton-Raphson with step halving (see the
    module docstring; ``time2``: the upper bounds of the status-3 rows).
    ``halving=False`` is a seeded fault's switch: a step that lowers the
    log-likelihood is then taken as it is."""
    nvar = x.shape[1]
    nvar2 = nvar + nstrat
    beta = np.array(beta, dtype=float, copy=True)
    newbeta = np.zeros(beta.size)
    newbeta[nvar:] = beta[nvar:]  # the fixed scale, tacked onto the end, is kept in newbeta too

    if des is None:
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
