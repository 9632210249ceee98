"""Elementary functions evaluated by the C library, as R evaluates them.

numpy's float64 ``exp``, ``log``, ``arcsin``, ``power``, ``expm1`` and ``log1p``
use their own SIMD implementations, which differ from glibc's in the last bit
for a few percent of arguments (measured: exp 4.7%, arcsin 9.2%, pow 5.6% of
uniform random inputs). R calls the C library. Where a result is then amplified
(a log-log confidence limit near 1e-280, a Newton step), the last bit shows at
1e-12, so the kernels that must agree with R bit for bit use these wrappers,
which call Python's ``math`` module (the C library) element by element and keep
C's behaviour at the domain edges (``log(0) = -Inf``, ``exp`` overflow ``Inf``,
NaN outside the domain) instead of raising.

``exp`` and ``log`` of arrays go through scipy's ``inv_boxcox(x, 0)`` and
``boxcox(x, 0)`` instead, compiled loops that call the C library's ``exp``
and ``log`` (scipy ``special/_boxcox.pxd``: ``if lmbda == 0: return
exp(x)``; ``if fabs(lmbda) < 1e-19: return log(x)``), once
:func:`_scipy_is_libm` has checked on this machine, on a fixed sample with
the edge values, that they give the element-by-element answers bit for bit
(another scipy build that does not keeps the element-by-element path).
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from scipy import special as _special

__all__ = ["exp", "log", "asin", "sin", "power", "expm1", "log1p", "atan", "tan"]


def _exp1(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log1(x: float) -> float:
    if x > 0 or x != x:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


def _asin1(x: float) -> float:
    return math.asin(x) if -1.0 <= x <= 1.0 else math.nan


def _pow1(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except ValueError:
        if x == 0 and y < 0:
            return math.inf
        return math.nan
    except OverflowError:
        return math.inf if x > 0 or float(y).is_integer() and int(y) % 2 == 0 else -math.inf


def _expm11(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        return math.inf


def _log1p1(x: float) -> float:
    if x > -1 or x != x:
        return math.log1p(x)
    return -math.inf if x == -1 else math.nan


def _vectorize(f1, nin: int):
    uf = np.frompyfunc(f1, nin, 1)

    def f(*args):
        if all(np.ndim(a) == 0 for a in args):
            return f1(*(float(a) for a in args))
        return np.asarray(uf(*(np.asarray(a, dtype=float) for a in args)), dtype=float)

    f.__name__ = f1.__name__.strip("_").rstrip("1")
    f.__doc__ = f"C library ``{f.__name__}`` elementwise (see module docstring)."
    return f


_exp_each = _vectorize(_exp1, 1)
_log_each = _vectorize(_log1, 1)


def _scipy_is_libm() -> bool:
    """Whether scipy's ``inv_boxcox(x, 0)``/``boxcox(x, 0)`` equal the C
    library's ``exp``/``log`` (through ``math``) on a fixed sample, bit
    patterns compared, overflow, 0, negative and NaN arguments included."""
    rng = np.random.default_rng(20261205)
    x = np.concatenate([rng.standard_normal(4096) * 8, rng.uniform(-745.5, 709.9, 4096),
                        [-800.0, 710.0, 800.0, math.inf, -math.inf, 0.0, -0.0, 1e-300, -1e-300]])
    pos = np.concatenate([np.abs(x), rng.uniform(0, 1e-300, 64), [5e-324, 1e308, -1.0, -0.0, math.nan]])
    with np.errstate(all="ignore"):
        e_ok = np.array_equal(np.asarray(_special.inv_boxcox(x, 0.0)).view(np.int64), _exp_each(x).view(np.int64))
        got, want = np.asarray(_special.boxcox(pos, 0.0)), _log_each(pos)
    l_ok = np.array_equal(np.isnan(got), np.isnan(want)) and \
        np.array_equal(got[~np.isnan(got)].view(np.int64), want[~np.isnan(want)].view(np.int64))
    return bool(e_ok and l_ok)


#: scipy's compiled loops give the C library's exp and log here
SCIPY_IS_LIBM = _scipy_is_libm()


def _compiled(one: Callable[[float], float], each: Callable[[Any], np.ndarray],
              loop: Callable[..., Any]) -> Callable[[Any], Any]:
    """The C library's ``one`` elementwise: a float for a scalar, scipy's
    compiled ``loop(x, 0)`` for an array where it is the C library's
    (``SCIPY_IS_LIBM``), else ``each`` (element by element)."""

    def f(x: Any) -> Any:
        if np.ndim(x) == 0:
            return one(float(x))
        if SCIPY_IS_LIBM:
            with np.errstate(all="ignore"):
                return np.asarray(loop(np.asarray(x, dtype=float), 0.0), dtype=float)
        return each(x)

    f.__name__ = one.__name__.strip("_").rstrip("1")
    f.__doc__ = f"C library ``{f.__name__}`` elementwise (see module docstring): a float for a scalar."
    return f


exp = _compiled(_exp1, _exp_each, _special.inv_boxcox)
log = _compiled(_log1, _log_each, _special.boxcox)


asin = _vectorize(_asin1, 1)
sin = _vectorize(math.sin, 1)
power = _vectorize(_pow1, 2)
expm1 = _vectorize(_expm11, 1)
log1p = _vectorize(_log1p1, 1)
atan = _vectorize(math.atan, 1)
tan = _vectorize(math.tan, 1)
