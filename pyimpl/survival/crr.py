"""Fine and Gray's competing-risks regression: ``cmprsk::crr`` of cmprsk
2.2-11 (R/cmprsk.R ``crr``, ``predict.crr``, ``summary.crr``; src/crr.f, see
:mod:`.crr_fortran`), rewritten from the algorithm's description.

``crr(ftime, fstatus, cov1, cov2, tf, cengroup, failcode, cencode, subset,
na_action, gtol, maxiter, init, variance)``, as R does it:

1. a data frame of ftime, fstatus, cengroup and the covariates; ``subset``;
   rows with a missing value dropped (``na.omit``, R prints "<k> cases omitted
   due to missing values") or refused (``na_action="fail"``: "missing values
   in object"); rows ordered by time (stably);
2. per censoring group, the Kaplan-Meier of the censoring (``survfit(Surv(ftime,
   cenind) ~ 1)``) read just before every time: ``approx(c(min(0, time) -
   10 eps, time, max(time) (1 + 10 eps)), c(1, surv, 0), xout = ftime (1 -
   100 eps), method = "constant", f = 0, rule = 2)``;
3. Newton-Raphson from ``init`` (zeros) on minus the log pseudo-likelihood
   (``crrfsv``): stop when ``max(|score| max(|b|, 1)) < max(|loglik|, 1) gtol``;
   else the step ``-solve(H, score)`` (LAPACK dgesv), halved up to 20 times
   while ``f(b + step) > f(b) + 1e-4 step'score`` (``crrf``); after
   ``maxiter`` steps (or 21 halvings) ``converged`` is FALSE; R gives no
   warning then, and neither does this;
4. the sandwich variance ``solve(inf) V t(solve(inf))`` (``crrvv``; R's
   ``%*%`` is reference BLAS dgemm), the score residuals (``crrsr``), the null
   log likelihood (``crrf`` at 0) and the baseline jumps (``crrfit``).

Time-varying covariates: ``cov2`` columns are multiplied by ``tf(uftime)``,
``tf`` a Python callable taking the distinct failure times (ascending) and
returning a vector (one cov2 column) or a (ndf, ncol(cov2)) matrix; a
DataFrame's column names name the terms, as ``colnames(tf(uft))`` do in R.

Not done as R does (refused or narrowed, with the kind said):

* a non-numeric covariate column is refused (``X.nonfinite``, R's own error
  "NA/NaN/Inf in foreign function call (arg 4)" after coercing the text to
  NA); R reads numeric text (``"1.5"``), refused here;
* a failure time at or below ``min(-1, ftime[1] (1 - 1e-5))`` (negative
  times), where crrvv reads outside ``tf``: refused (``time.negative``);
* ``tf`` whose value is not (ndf, ncol(cov2)) is refused (``tf.shape``);
  R reads its doubles in column order, whatever its shape.

Every operation follows R's order, so the results are R's to the last bits;
measured differences are in rparity/tolerance.py.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.crr import Crr, CrrPredict

from .. import _libm as C
from .._lapack import r_lu_solve, r_solve_lu
from .._rmath import DBL_EPS, qnorm, r_cumsum, r_sum
from .._validate import label_codes, show
from .crr_fortran import CrrData
from .cuminc import _as_time, _censored, _status
from .km import survfit

__all__ = ["crr", "crr_predict", "crr_summary"]

_NA_ACTIONS = ("omit", "exclude", "fail")


# -- arguments -------------------------------------------------------------------------------
def _covariates(x: Any, name: str, n: int) -> tuple[np.ndarray, list[str]]:
    """``as.matrix(cov)``: (values, names with "" where R has none); rows of NaN are missing."""
    if isinstance(x, pd.DataFrame):
        cols = [str(c) for c in x.columns]
        blocks = [x[c] for c in x.columns]
    else:
        arr = x.to_numpy() if isinstance(x, pd.Series) else np.asarray(x)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise InvalidArgument(f"`{name}` must be a vector, matrix or DataFrame; got {name}={show(x)}",
                                  kind="argument.shape")
        cols = [""] * arr.shape[1]
        blocks = [arr[:, j] for j in range(arr.shape[1])]
    out = np.empty((n, len(blocks)))
    for j, col in enumerate(blocks):
        a = col.to_numpy() if isinstance(col, pd.Series) else np.asarray(col)
        if isinstance(col, pd.Series) and isinstance(col.dtype, pd.CategoricalDtype) or a.dtype.kind not in "biuf":
            if a.dtype == object and all(v is None or v is pd.NA or isinstance(v, (int, float, np.number))
                                         and not isinstance(v, bool) for v in a.tolist()):
                a = np.array([np.nan if v is None or v is pd.NA else float(v) for v in a.tolist()])
            else:
                label = cols[j] or f"column {j + 1}"
                raise InvalidArgument(
                    f"`{name}` {label} is not numeric: R's crr coerces it with as.double (NA) and stops with "
                    "'NA/NaN/Inf in foreign function call (arg 4)'", kind="X.nonfinite")
        if a.size != n:
            raise InvalidArgument(f"`{name}` must have one row per time ({n}); got {a.size}", kind="argument.shape")
        out[:, j] = a.astype(float)
    if np.isinf(out).any():
        raise InvalidArgument(f"`{name}` has an infinite value: R stops with 'NA/NaN/Inf in foreign function "
                              f"call (arg {4 if name == 'cov1' else 7})'", kind="X.nonfinite")
    return out, cols


def _subset_rows(subset: Any, n: int) -> np.ndarray:
    arr = np.asarray(subset)
    if arr.dtype.kind == "b":
        if arr.size != n:
            raise InvalidArgument(f"`subset` as a mask must have length {n}; got {arr.size}", kind="argument.shape")
        return np.flatnonzero(arr)
    if arr.dtype.kind not in "iu":
        raise InvalidArgument(f"`subset` must be a boolean mask or 0-based row numbers; got {show(subset)}",
                              kind="argument.type")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise InvalidArgument(f"`subset` row numbers must be in 0..{n - 1}", kind="argument.value")
    return arr.astype(np.intp)


# -- the censoring distribution --------------------------------------------------------------
def _censoring_km(t: np.ndarray, cen: np.ndarray, groups: np.ndarray, ncg: int) -> np.ndarray:
    """``uuu[k, ] = approx(...)$y``: group k's censoring Kaplan-Meier just
    before every sorted time (all rows, not only group k's)."""
    uuu = np.zeros((ncg, t.size))
    xout = t * (1 - 100 * DBL_EPS)
    for k in range(ncg):
        rows = groups == k
        u = survfit(t[rows], cen[rows].astype(float))
        ut, us = np.asarray(u.time, dtype=float), np.asarray(u.surv, dtype=float)
        x = np.concatenate(([min(0.0, float(ut.min())) - 10 * DBL_EPS], ut, [float(ut.max()) * (1 + 10 * DBL_EPS)]))
        y = np.concatenate(([1.0], us, [0.0]))
        # approx(method = "constant", f = 0, rule = 2): y at the last knot <= xout; 1 before, 0 after
        pos = np.searchsorted(x, xout, side="right") - 1
        uuu[k] = np.where(pos < 0, 1.0, y[np.clip(pos, 0, None)])
    return uuu


# -- R's linear algebra ----------------------------------------------------------------------
def _lu(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``solve``'s dgesv LU (reference LAPACK dgetrf2) with R's two refusals."""
    return r_solve_lu(a)


def _lu_solve(lu: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dgetrs: the row swaps, then reference BLAS dtrsm, column by column."""
    return r_lu_solve(lu, piv, b)


def _matprod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """R's ``%*%`` on finite doubles: reference BLAS dgemm (or dgemv), C(i, j)
    = sum over l of B(l, j) A(i, l), added in l's order."""
    c = np.zeros((a.shape[0], b.shape[1]))
    for j in range(b.shape[1]):
        for l_ in range(a.shape[1]):
            c[:, j] = c[:, j] + b[l_, j] * a[:, l_]
    return c


# -- crr -------------------------------------------------------------------------------------
def crr(ftime: Any, fstatus: Any, cov1: Any = None, cov2: Any = None, tf: Callable[[np.ndarray], Any] | None = None,
        cengroup: Any = None, failcode: Any = 1, cencode: Any = 0, subset: Any = None, na_action: str = "omit",
        gtol: float = 1e-6, maxiter: int = 10, init: Any = None, variance: bool = True) -> Crr:
    """R's ``cmprsk::crr`` (see the module docstring). ``subset`` a boolean
    mask or 0-based row numbers; ``na_action`` "omit" (R's default
    ``na.omit``), "exclude" (the same here) or "fail" (``na.fail``)."""
    t_all = _as_time(ftime)
    n0 = t_all.size
    vals, smiss, _levels, skind = _status(fstatus)
    if vals.size != n0:
        raise InvalidArgument(f"`fstatus` must have the length of ftime ({n0}); got {vals.size}",
                              kind="argument.shape")
    if cengroup is None:
        cg_codes = np.zeros(n0, dtype=np.intp)
    else:
        cg_codes, _ = label_codes(cengroup, "cengroup")
        if cg_codes.size != n0:
            raise InvalidArgument(f"`cengroup` must have the length of ftime ({n0}); got {cg_codes.size}",
                                  kind="argument.shape")
    if cov1 is None and cov2 is None:
        raise InvalidArgument("crr needs covariates: give cov1 or cov2 (R: 'undefined columns selected')",
                              kind="X.missing")
    x1, names1 = _covariates(cov1, "cov1", n0) if cov1 is not None else (np.zeros((n0, 0)), [])
    x2, names2 = _covariates(cov2, "cov2", n0) if cov2 is not None else (np.zeros((n0, 0)), [])
    if cov2 is not None and tf is None:
        raise InvalidArgument("`tf` must be given with cov2 (R: 'argument \"tf\" is missing, with no default')",
                              kind="tf.missing")
    if na_action not in _NA_ACTIONS:
        raise InvalidArgument(f"`na_action` must be one of {_NA_ACTIONS}; got na_action={show(na_action)}",
                              kind="argument.value")
    if not (isinstance(maxiter, (int, np.integer)) and not isinstance(maxiter, bool) and maxiter >= 0):
        raise InvalidArgument(f"`maxiter` must be a whole number >= 0; got maxiter={show(maxiter)}",
                              kind="argument.value")
    gtol = float(gtol)
    # data.frame -> d[subset, ] -> na.action(d) -> d[order(ftime), ]
    rows = np.arange(n0) if subset is None else _subset_rows(subset, n0)
    miss = (np.isnan(t_all) | smiss | (cg_codes < 0) | np.isnan(x1).any(axis=1) | np.isnan(x2).any(axis=1))[rows]
    messages: tuple[str, ...] = ()
    nmis = int(miss.sum())
    if nmis:
        if na_action == "fail":
            raise InvalidArgument("missing values in object (na.fail)", kind="argument.missing")
        messages = (f"{nmis} cases omitted due to missing values",)
        rows = rows[~miss]
    if rows.size == 0:
        raise InvalidArgument("no rows left after subset and missing values", kind="data.empty")
    t0 = t_all[rows]
    if np.isinf(t0).any():
        raise InvalidArgument("`ftime` has an infinite value: R stops with 'NA/NaN/Inf in foreign function call "
                              "(arg 1)'", kind="time.nonfinite")
    order = rows[np.argsort(t0, kind="stable")]
    t = t_all[order]
    cen = _censored(vals[order], skind, cencode)
    ici = np.where(_censored(vals[order], skind, failcode), 1, 2 * (1 - cen.astype(int))).astype(np.intp)
    cg_present = np.unique(cg_codes[order])
    icg = np.searchsorted(cg_present, cg_codes[order])
    x1, x2 = x1[order], x2[order]
    uft = np.unique(t[ici == 1])
    nc2 = x2.shape[1]
    tfs = np.zeros((uft.size, 0))
    tf_names: list[str] = []
    if nc2:
        assert tf is not None
        raw = tf(uft.copy())
        tf_names = [str(c) for c in raw.columns] if isinstance(raw, pd.DataFrame) else [""] * nc2
        tfs = np.asarray(raw, dtype=float)
        if tfs.ndim == 1:
            tfs = tfs[:, None]
        if tfs.shape != (uft.size, nc2):
            raise InvalidArgument(f"`tf(uftime)` must be a ({uft.size}, {nc2}) matrix (one row per distinct failure "
                                  f"time, one column per cov2 column); got shape {tfs.shape}", kind="tf.shape")
    wt = _censoring_km(t, cen, icg, cg_present.size)
    data = CrrData(t=t, ici=ici, x1=x1, x2=x2, tf=tfs, wt=wt, icg=icg)
    if (data.ldf < 0).any():
        raise InvalidArgument("a failure time at or below min(-1, first time * (1 - 1e-5)): crr's crrvv would read "
                              "outside tf (negative times)", kind="time.negative")
    p = data.np_
    if init is None:
        b = np.zeros(p)
    else:
        b = np.asarray(init, dtype=float).reshape(-1)
        if b.size != p:
            raise InvalidArgument(f"`init` must have one value per coefficient ({p}); got {b.size}",
                                  kind="init.length")
        if not np.isfinite(b).all():
            raise InvalidArgument(f"`init` must be finite; got init={show(init)}", kind="init.nonfinite")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # the Fortran's IEEE results, silently
        return _fit(data, b, gtol, int(maxiter), variance, uft, tfs, nc2, names1, names2, tf_names, nmis, messages)


def _fit(data: CrrData, b: np.ndarray, gtol: float, maxiter: int, variance: bool, uft: np.ndarray, tfs: np.ndarray,
         nc2: int, names1: list[str], names2: list[str], tf_names: list[str], nmis: int,
         messages: tuple[str, ...]) -> Crr:
    """crr from the Newton iterations on."""
    p = data.np_
    t = data.t
    b, lik, score, converged = _newton(data, b, gtol, maxiter)
    if variance:
        v1, v2 = data.vv(b)
        lu, piv = _lu(v1)
        h = _lu_solve(lu, piv, np.eye(p))
        var = _matprod(_matprod(h, v2), np.array(h.T))
        res: np.ndarray | None = data.sr(b)
        inf = v1
    else:
        var = h = inf = np.full((p, p), np.nan)
        res = None
    fb0 = data.f(np.zeros(p))
    bj = data.fit(b)
    names = _names(names1, "cov1") + [f"{a}*{c}" for a, c in zip(_names(names2, "cov2"), _names(tf_names, "tf"))]
    return Crr(names=tuple(names), coef=b, loglik=-lik, score=-score, inf=inf, var=var, res=res, uftime=uft,
               bfitj=bj, tfs=tfs if nc2 else np.zeros((1, 1)), converged=converged, n=int(t.size), n_missing=nmis,
               loglik_null=-fb0, invinf=h, messages=messages)


def _names(cols: list[str], base: str) -> list[str]:
    """``ifelse(vars == "", paste0(base, 1:k), vars)`` (R's cov1.name is the argument's expression: rbridge
    calls crr with ``cov1 = cov1``)."""
    return [c if c else f"{base}{j + 1}" for j, c in enumerate(cols)]


def _newton(data: CrrData, b: np.ndarray, gtol: float, maxiter: int) -> tuple[np.ndarray, float, np.ndarray, bool]:
    """crr's Newton-Raphson with backtracking (R/cmprsk.R, ``for (ll in 0:maxiter)``)."""
    converged = False
    for ll in range(maxiter + 1):
        lik, s, h = data.fsv(b)
        if float(np.max(np.abs(s) * np.maximum(np.abs(b), 1.0))) < max(abs(lik), 1.0) * gtol:
            converged = True
            break
        if ll == maxiter:
            break
        lu, piv = _lu(h)
        sc = -_lu_solve(lu, piv, s)[:, 0]
        bound = lik + 1e-4 * float(r_sum(sc * s))
        bn = b + sc
        fbn = data.f(bn)
        i = 0
        while math.isnan(fbn) or fbn > bound:
            i += 1
            sc = sc * 0.5
            bn = b + sc
            fbn = data.f(bn)
            if i > 20:
                break
        if i > 20:
            break
        b = bn
    return b, lik, s, converged


# -- predict.crr, summary.crr ----------------------------------------------------------------
def crr_predict(fit: Crr, cov1: Any = None, cov2: Any = None) -> CrrPredict:
    """R's ``predict(<crr>, cov1, cov2)``: ``1 - exp(-cumsum(exp(lp) * bfitj))``
    at ``uftime``, a column per covariate row (a vector of one value per
    coefficient is one row)."""
    if not isinstance(fit, Crr):
        raise InvalidArgument(f"`fit` must be a Crr result; got {type(fit).__name__}", kind="fit.type")
    coef = np.asarray(fit.coef, dtype=float)
    bj = np.asarray(fit.bfitj, dtype=float)
    tfs = np.asarray(fit.tfs, dtype=float)
    npar = coef.size
    if tfs.size <= 1:  # R: length(object$tfs) <= 1, no time functions
        c1 = _pred_cov(cov1, "cov1")
        rows1 = [c1.reshape(-1)] if c1.size == npar else list(_as_col_matrix(c1))
        lps = [np.full(bj.size, float(r_sum(r * coef))) for r in rows1]
    else:
        k2 = tfs.shape[1]
        c2 = _pred_cov(cov2, "cov2")
        if cov1 is None or npar == k2:
            if c2.size != npar:
                raise InvalidArgument("with time functions only, predict.crr takes one cov2 row (R: 'argument "
                                      "\"cov1\" is missing, with no default')", kind="argument.missing")
            lps = [_matprod(tfs, (c2.reshape(-1) * coef)[:, None])[:, 0]]
        else:
            c1 = _pred_cov(cov1, "cov1")
            if c1.size + c2.size == npar:
                pairs = [(c1.reshape(-1), c2.reshape(-1))]
            else:
                m1, m2 = _as_col_matrix(c1), _as_col_matrix(c2)
                pairs = list(zip(m1, m2))
            lps = []
            for r1, r2 in pairs:
                a = float(r_sum(r1 * coef[:r1.size]))
                lps.append(a + _matprod(tfs, (r2 * coef[npar - r2.size:])[:, None])[:, 0])
    cif = np.column_stack([1 - C.exp(-r_cumsum(C.exp(lp) * bj)) for lp in lps])
    return CrrPredict(time=np.asarray(fit.uftime, dtype=float), cif=cif)


def _pred_cov(x: Any, name: str) -> np.ndarray:
    if x is None:
        raise InvalidArgument(f"`{name}` must be given (R: 'argument \"{name}\" is missing, with no default')",
                              kind="argument.missing")
    arr = np.asarray(x, dtype=float)
    if not np.isfinite(arr).all():
        raise InvalidArgument(f"`{name}` must be finite; got {show(x)}", kind="X.nonfinite")
    return arr


def _as_col_matrix(a: np.ndarray) -> np.ndarray:
    return a[:, None] if a.ndim == 1 else a


def _signif(x: float, digits: int) -> float:
    """R's ``signif`` (nmath fprec) for 1 <= digits <= 15."""
    if x == 0 or not math.isfinite(x):
        return x
    sgn = -1.0 if x < 0 else 1.0
    x = abs(x)
    l10 = math.log10(x)
    e10 = int(digits - 1 - math.floor(l10))
    if e10 > 0:
        p10 = 10.0 ** e10
        return sgn * (float(np.rint(x * p10)) / p10)
    p10 = 10.0 ** (-e10)
    return sgn * (float(np.rint(x / p10)) * p10)


def crr_summary(fit: Crr, conf_int: float = 0.95) -> pd.DataFrame:
    """R's ``summary(<crr>, conf.int=)``: ``$coef`` (coef, exp(coef),
    se(coef), z, p-value rounded to 2 significant digits as R's ``digits``
    default gives) beside ``$conf.int`` (exp(-coef) and the limits, named
    as R names them, "2.5%" and "97.5%"); ``attrs["logtest"]`` is
    ``c(test, df)``."""
    from scipy.special import ndtr

    if not isinstance(fit, Crr):
        raise InvalidArgument(f"`fit` must be a Crr result; got {type(fit).__name__}", kind="fit.type")
    beta = np.asarray(fit.coef, dtype=float)
    se = np.sqrt(np.diag(np.asarray(fit.var, dtype=float)))
    pv = np.array([_signif(float(v), 2) for v in 2 * (1 - ndtr(np.abs(beta) / se))])
    a = (1 - conf_int) / 2
    lo, hi = f"{_fmt_pct(100 * a)}%", f"{_fmt_pct(100 * (1 - a))}%"
    z = [float(qnorm(a)), float(qnorm(1 - a))]  # type: ignore[no-untyped-call]
    out = pd.DataFrame({"coef": beta, "exp(coef)": C.exp(beta), "se(coef)": se, "z": beta / se, "p-value": pv,
                        "exp(-coef)": C.exp(-beta), lo: C.exp(beta + z[0] * se), hi: C.exp(beta + z[1] * se)},
                       index=list(fit.names))
    out.attrs["logtest"] = (-2 * (fit.loglik_null - fit.loglik), float(beta.size))
    return out


def _fmt_pct(x: float) -> str:
    """``format(x, trim = TRUE, scientific = FALSE, digits = 3)`` for a percentage."""
    s = f"{x:.3g}"
    return s if "e" not in s else f"{x:f}".rstrip("0").rstrip(".")
