"""R's ``uniroot`` (``extendInt = "no"``): the R wrapper's checks and
``R_zeroin2`` (Brent's method as in ``src/library/stats/src/zeroin.c``), step
for step.

The conditional MLE and the exact confidence limits of a 2 x 2 Fisher test are
roots found by ``uniroot`` with its default tolerance
``.Machine$double.eps^0.25`` (about 1.2e-4): the answer is only that accurate as
a root, so agreeing with R to 1e-12 means taking R's steps exactly. This is a
fresh implementation of the published algorithm (Forsythe, Malcolm & Moler,
*Computer Methods for Mathematical Computations*, 1977) with R's conventions:

* ``f(lower)`` and ``f(upper)`` are evaluated by the wrapper before the search;
  a zero at either end is returned at once;
* each step first makes ``b`` the better end (|f(c)| < |f(b)| swaps), stops when
  half the bracket is within ``tol_act = 2 eps |b| + tol/2`` or f(b) == 0, tries
  inverse quadratic (or secant) interpolation when the previous step was large
  enough and moved in the right direction, else bisects, never steps by less
  than ``tol_act``;
* non-finite values of f inside the search are replaced as R's ``fcn2`` does
  (-Inf -> -DBL_MAX, NaN/+Inf -> DBL_MAX, each with R's warning).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

from rparity_contract.errors import RParityError, RParityWarning

__all__ = ["UnirootControl", "UnirootResult", "uniroot", "zeroin2"]

DBL_EPSILON = 2.220446049250313e-16
DBL_MAX = 1.7976931348623157e308


@dataclass(frozen=True)
class UnirootControl:
    """``uniroot``'s numerical settings, R's defaults.

    ``tol = .Machine$double.eps^0.25`` is exactly 2^-13.
    """

    tol: float = DBL_EPSILON**0.25
    maxiter: int = 1000


@dataclass(frozen=True)
class UnirootResult:
    root: float
    iter: int
    estim_prec: float


def _fcn2(f: Callable[[float], float], x: float) -> float:
    # optimize.c fcn2: keep the sign of -Inf, replace NaN/+Inf by DBL_MAX
    v = float(f(x))
    if not math.isfinite(v):
        if v == -math.inf:
            warnings.warn(RParityWarning("-Inf replaced by maximally negative value"), stacklevel=3)
            return -DBL_MAX
        warnings.warn(RParityWarning("NA/Inf replaced by maximum positive value"), stacklevel=3)
        return DBL_MAX
    return v


def zeroin2(f: Callable[[float], float], ax: float, bx: float, fa: float, fb: float,
            tol: float, maxit: int) -> UnirootResult:
    """``R_zeroin2``: a root of f in [ax, bx] given f(ax) = fa, f(bx) = fb of
    opposite signs.

    Contract: fa and fb are finite or infinite doubles (not NaN); returns the
    root estimate b, the number of iterations used (-1 if ``maxit`` was reached)
    and |c - b| at exit.
    """
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return UnirootResult(a, 0, 0.0)
    if fb == 0.0:
        return UnirootResult(b, 0, 0.0)
    left = maxit + 1
    while left:
        left -= 1
        prev_step = b - a
        if abs(fc) < abs(fb):
            # make b the best approximation
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * DBL_EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return UnirootResult(b, maxit - left, abs(c - b))
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                # two distinct points: secant
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                # inverse quadratic interpolation
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0.0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0.0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = _fcn2(f, b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return UnirootResult(b, -1, abs(c - b))


def uniroot(f: Callable[[float], float], lower: float, upper: float,
            control: UnirootControl = UnirootControl()) -> UnirootResult:
    """R's ``uniroot(f, c(lower, upper))`` with ``extendInt = "no"``.

    Raises :class:`~pyimpl.errors.RParityError` with R's message where R's
    ``uniroot`` stops; warns (R's wording) when the iteration limit is reached.
    """
    if not lower < upper:
        raise RParityError("lower < upper  is not fulfilled")
    f_lower = float(f(lower))
    f_upper = float(f(upper))
    if math.isnan(f_lower):
        raise RParityError("f.lower = f(lower) is NA")
    if math.isnan(f_upper):
        raise RParityError("f.upper = f(upper) is NA")
    s = _sign(f_lower) * _sign(f_upper)
    if not s <= 0:
        raise RParityError("f() values at end points not of opposite sign")
    res = zeroin2(f, lower, upper, f_lower, f_upper, control.tol, control.maxiter)
    if res.iter < 0:
        warnings.warn(RParityWarning(f"_NOT_ converged in {control.maxiter} iterations"), stacklevel=2)
        res = UnirootResult(res.root, control.maxiter, res.estim_prec)
    return res


def _sign(v: float) -> float:
    return 0.0 if v == 0 else math.copysign(1.0, v)
