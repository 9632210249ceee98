"""The C library's ``exp`` and ``log`` over arrays, as R's C code and R's
vectorised ``exp``/``log`` call them, with the same bits: always an array
of the argument's shape (:mod:`pyimpl._libm` returns a float for a scalar).
Where scipy's compiled loops are the C library's (``_libm.SCIPY_IS_LIBM``,
checked at import) they do the work; otherwise each element goes through
Python's ``math`` by ``map`` over a memoryview (about half the cost of a
``frompyfunc`` ufunc), with one call for an array whose elements are all
equal, and :mod:`pyimpl._libm`'s element-by-element wrappers for the edge
values (``Inf``, ``-Inf``, ``NaN`` where ``math`` raises).
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import _libm

__all__ = ["cexp", "clog"]


def _floats(flat: np.ndarray) -> memoryview:
    """The elements as Python floats, one at a time (a memoryview iterates
    without building a list)."""
    return np.ascontiguousarray(flat).data


def _constant(flat: np.ndarray) -> bool:
    return flat.size > 1 and flat[0] == flat[-1] and bool(np.all(flat == flat[0]))


def _arrays(one: Callable[[float], float], each: Callable[[Any], Any],
            edge: type[Exception]) -> Callable[[Any], np.ndarray]:
    """The C library's ``one`` (a ``math`` function) of each element, as an
    array of the argument's shape: :mod:`pyimpl._libm`'s ``each`` where
    scipy's compiled loops are the C library's, else ``one`` by ``map`` (one
    call for equal elements), ``each`` again where ``one`` raises ``edge``
    (C's ``Inf``, ``-Inf``, ``NaN`` there)."""

    def f(a: Any) -> np.ndarray:
        arr = np.asarray(a, dtype=float)
        if _libm.SCIPY_IS_LIBM:
            return np.asarray(each(arr.reshape(-1)), dtype=float).reshape(arr.shape)
        flat = arr.ravel()
        try:
            if _constant(flat):
                return np.full(arr.shape, one(float(flat[0])))
            return np.fromiter(map(one, _floats(flat)), dtype=float, count=flat.size).reshape(arr.shape)
        except edge:
            return np.asarray(each(arr), dtype=float).reshape(arr.shape)

    return f


#: C's ``exp`` of each element of ``a`` (an array of the same shape)
cexp = _arrays(math.exp, _libm.exp, OverflowError)
#: C's ``log`` of each element of ``a``: ``-Inf`` at 0, ``NaN`` below
clog = _arrays(math.log, _libm.log, ValueError)
