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
"""
from __future__ import annotations

import math

import numpy as np

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


exp = _vectorize(_exp1, 1)
log = _vectorize(_log1, 1)
asin = _vectorize(_asin1, 1)
sin = _vectorize(math.sin, 1)
power = _vectorize(_pow1, 2)
expm1 = _vectorize(_expm11, 1)
log1p = _vectorize(_log1p1, 1)
atan = _vectorize(math.atan, 1)
tan = _vectorize(math.tan, 1)
