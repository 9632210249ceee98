"""Small ports of R's nmath routines where scipy's answer differs from R's in
the last bits and the difference would show at our tolerances.

* :func:`qnorm` -- R's ``qnorm`` (Wichura's AS 241, PPND16), used for confidence
  limits. scipy's ``ndtri`` differs from it by up to a few ulp
  (``qnorm(0.95)``: R 1.6448536269514715, ndtri 1.6448536269514722).
* :func:`pchisq_upper` -- ``pchisq(x, df, lower.tail=FALSE)``. This is scipy's
  ``chdtrc``: it agrees with R's ``pgamma`` to within 3e-14 relative over
  x in [1e-10, 1500] and df in 1..10 (measured against R 4.2.2), well inside the
  1e-12 tolerance, so R's long ``pgamma`` is not ported.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = ["qnorm", "pchisq_upper", "NANS_PRODUCED", "r_solve", "r_sum", "r_cumsum", "SQRT_EPS", "DBL_EPS"]

DBL_EPS = float(np.finfo(float).eps)
SQRT_EPS = DBL_EPS**0.5  # R's sqrt(.Machine$double.eps)


def _qnorm1(p: float) -> float:
    # R nmath/qnorm.c (AS 241), lower tail, not log.
    if np.isnan(p):
        return p
    if p < 0 or p > 1:
        return float("nan")
    if p == 0:
        return float("-inf")
    if p == 1:
        return float("inf")
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * (((((((r * 2509.0809287301226727 +
                          33430.575583588128105) * r + 67265.770927008700853) * r +
                        45921.953931549871457) * r + 13731.693765509461125) * r +
                      1971.5909503065514427) * r + 133.14166789178437745) * r +
                    3.387132872796366608) / \
            (((((((r * 5226.495278852854561 +
                   28729.085735721942674) * r + 39307.89580009271061) * r +
                 21213.794301586595867) * r + 5394.1960214247511077) * r +
               687.1870074920579083) * r + 42.313330701600911252) * r + 1.0)
    r = p if q < 0 else 1 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r += -1.6
        val = (((((((r * 7.7454501427834140764e-4 +
                     0.0227238449892691845833) * r + 0.24178072517745061177) *
                   r + 1.27045825245236838258) * r +
                  3.64784832476320460504) * r + 5.7694972214606914055) *
                r + 4.6303378461565452959) * r +
               1.42343711074968357734) / \
            (((((((r *
                   1.05075007164441684324e-9 + 5.475938084995344946e-4) *
                  r + 0.0151986665636164571966) * r +
                 0.14810397642748007459) * r + 0.68976733498510000455) *
               r + 1.6763848301838038494) * r +
              2.05319162663775882187) * r + 1.0)
    else:
        r += -5.0
        val = (((((((r * 2.01033439929228813265e-7 +
                     2.71155556874348757815e-5) * r +
                    0.0012426609473880784386) * r + 0.026532189526576123093) *
                  r + 0.29656057182850489123) * r +
                 1.7848265399172913358) * r + 5.4637849111641143699) *
               r + 6.6579046435011037772) / \
            (((((((r *
                   2.04426310338993978564e-15 + 1.4215117583164458887e-7) *
                  r + 1.8463183175100546818e-5) * r +
                 7.868691311456132591e-4) * r + 0.0148753612908506148525)
               * r + 0.13692988092273580531) * r +
              0.59983220655588793769) * r + 1.0)
    return float(-val if q < 0.0 else val)


def qnorm(p):
    """R's ``qnorm(p)`` (lower tail), scalar or array."""
    if np.ndim(p) == 0:
        return _qnorm1(float(p))
    return np.array([_qnorm1(float(v)) for v in np.ravel(p)]).reshape(np.shape(p))


def pchisq_upper(x, df):
    """``pchisq(x, df, lower.tail=FALSE)``; x <= 0 gives 1, df = 0 gives 0 for
    x > 0, and a negative df gives NaN, as in R (R also warns "NaNs produced": callers that
    mirror an R function emit that warning, see :func:`nan_warning`)."""
    x = np.asarray(x, dtype=float)
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(df == 0, np.where(x > 0, 0.0, 1.0), special.chdtrc(np.maximum(df, 1e-300), x))
        # a statistic that rounding made negative (a likelihood ratio of -1e-16):
        # R's pchisq gives 1 where scipy gives NaN
        out = np.where(x <= 0, 1.0, out)
        out = np.where((df < 0) | np.isnan(x) | np.isnan(df), np.nan, out)
    return float(out) if out.ndim == 0 else out


NANS_PRODUCED = "NaNs produced"  # R's warning when a math function returns NaN from numbers


def r_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """R's ``solve(a, b)`` (``solve.default`` -> ``La_solve``): LAPACK dgesv, then
    R's check of the reciprocal condition number (dgecon, 1-norm) against
    ``tol = .Machine$double.eps``. Raises :class:`~pyimpl.errors.ComputationError`
    with R's message where R stops."""
    from scipy.linalg import lapack

    from rparity_contract.errors import ComputationError

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    lu, piv, info = lapack.dgetrf(a)
    if info > 0:
        raise ComputationError(
            f"Lapack routine dgesv: system is exactly singular: U[{info},{info}] = 0", kind="solve.singular")
    anorm = float(np.abs(a).sum(axis=0).max())
    rcond, _ = lapack.dgecon(lu, anorm, norm="1")
    if rcond < DBL_EPS:
        raise ComputationError(
            f"system is computationally singular: reciprocal condition number = {rcond:.6g}",
            kind="solve.ill_conditioned")
    x, _ = lapack.dgetrs(lu, piv, b)
    return x


def r_cumsum(x) -> np.ndarray:
    """R's ``cumsum`` of doubles: a sequential sum in long double, each partial
    sum rounded to double (``cumsum.c`` uses ``LDOUBLE``)."""
    x = np.asarray(x, dtype=float)
    return np.cumsum(x.astype(np.longdouble)).astype(float)


def r_mean(x) -> float:
    """R's ``mean`` of doubles (``summary.c``): a sequential sum in long
    double divided by n, then one correcting pass ``s += sum(x - s) / n``."""
    yl = np.asarray(x, dtype=float).astype(np.longdouble)
    s = np.cumsum(yl)[-1] / yl.size
    if np.isfinite(s):
        s = s + np.cumsum(yl - s)[-1] / yl.size
    return float(s)


def r_sum(x) -> np.float64:
    """R's ``sum`` of doubles: sequential, accumulated in long double (``rsum``).

    A numpy scalar, so that arithmetic on it follows IEEE as R's does (0/0 is
    NaN and x/0 infinite, not a ZeroDivisionError)."""
    x = np.asarray(x, dtype=float).ravel()
    if x.size == 0:
        return np.float64(0.0)
    if x.size <= _RSUM_CHUNK:
        return np.float64(np.cumsum(x.astype(np.longdouble))[-1])
    # in chunks, each running on from the last's total: the same sequential
    # sum, with a chunk's worth of long doubles in memory instead of two copies of x
    buf = np.empty(_RSUM_CHUNK + 1, dtype=np.longdouble)
    total = np.longdouble(0.0)
    for a in range(0, x.size, _RSUM_CHUNK):
        part = x[a:a + _RSUM_CHUNK]
        buf[0] = total
        buf[1:part.size + 1] = part
        total = np.cumsum(buf[:part.size + 1])[-1]
    return np.float64(total)


_RSUM_CHUNK = 1 << 16
