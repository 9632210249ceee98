"""The C library's ``exp`` and ``log`` over arrays, as R's C code and R's
vectorised ``exp``/``log`` call them, faster than :mod:`pyimpl._libm`'s
element-by-element wrappers and with the same bits.

numpy's own ``np.exp``/``np.log`` are not used: their SIMD versions differ
from glibc's in the last bit for a few percent of arguments (see
:mod:`pyimpl._libm`). Here each element still goes through Python's ``math``
module (the C library), but by ``map`` over a memoryview (about half the cost of a
``frompyfunc`` ufunc), with one call for an array whose elements are all equal
(``survreg.fit``'s ``derfun`` evaluates the density at z = 0 for every row).
An argument where ``math`` raises (``exp`` overflow, ``log`` of a value <= 0)
sends the whole array to :mod:`pyimpl._libm`, which gives C's answer
(``Inf``, ``-Inf``, ``NaN``) element by element.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _libm

__all__ = ["cexp", "clog"]


def _floats(flat: np.ndarray) -> memoryview:
    """The elements as Python floats, one at a time (a memoryview iterates
    without building a list)."""
    return np.ascontiguousarray(flat).data


def _constant(flat: np.ndarray) -> bool:
    return flat.size > 1 and flat[0] == flat[-1] and bool(np.all(flat == flat[0]))


def cexp(a: Any) -> np.ndarray:
    """C's ``exp`` of each element of ``a`` (an array of the same shape)."""
    arr = np.asarray(a, dtype=float)
    flat = arr.ravel()
    try:
        if _constant(flat):
            return np.full(arr.shape, math.exp(float(flat[0])))
        return np.fromiter(map(math.exp, _floats(flat)), dtype=float, count=flat.size).reshape(arr.shape)
    except OverflowError:
        return np.asarray(_libm.exp(arr), dtype=float).reshape(arr.shape)


def clog(a: Any) -> np.ndarray:
    """C's ``log`` of each element of ``a``: ``-Inf`` at 0, ``NaN`` below."""
    arr = np.asarray(a, dtype=float)
    flat = arr.ravel()
    try:
        if _constant(flat):
            return np.full(arr.shape, math.log(float(flat[0])))
        return np.fromiter(map(math.log, _floats(flat)), dtype=float, count=flat.size).reshape(arr.shape)
    except ValueError:
        return np.asarray(_libm.log(arr), dtype=float).reshape(arr.shape)
