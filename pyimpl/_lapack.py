"""Reference LAPACK routines as Debian's R links them, in their own order of
operations (unblocked paths: the matrices here are far below the block size
64 that ``ilaenv`` returns).

* :func:`chol2inv`: R's ``chol2inv(x)`` (``La_chol2inv``): the upper
  triangle of ``x`` to ``dpotri("U")``, which is ``dtrti2`` (the inverse of
  the triangle, column by column: ``dtrmv`` then ``dscal``) and ``dlauu2``
  (``U U'``: per row a ``ddot`` of the row's tail and a ``dgemv``); the
  upper triangle mirrored into the lower.
"""
from __future__ import annotations

import numpy as np

__all__ = ["chol2inv"]


def _dtrti2_upper(a: np.ndarray) -> None:
    """dtrti2("U", "N"): ``a`` (upper triangle) replaced by its inverse."""
    n = a.shape[0]
    for j in range(n):
        a[j, j] = 1.0 / a[j, j]
        ajj = -a[j, j]
        # dtrmv("U", "N", "N", j, a, x = a[:j, j]): x := T x, T the inverted leading j x j triangle
        x = a[:j, j]
        for jj in range(j):
            if x[jj] != 0.0:
                temp = x[jj]
                x[:jj] = x[:jj] + temp * a[:jj, jj]
                x[jj] = x[jj] * a[jj, jj]
        a[:j, j] = ajj * x  # dscal


def _dlauu2_upper(a: np.ndarray) -> None:
    """dlauu2("U"): the upper triangle of ``U U'`` from ``U``."""
    n = a.shape[0]
    for i in range(n):
        aii = a[i, i]
        if i < n - 1:
            row = a[i, i:]
            s = 0.0
            for v in row:  # ddot with stride lda: sequential
                s += v * v
            a[i, i] = s
            # dgemv("N", i, n-i-1, 1, a[:i, i+1:], x = a[i, i+1:], beta = aii, y = a[:i, i])
            y = a[:i, i]
            if aii != 1.0:
                y[:] = aii * y if aii != 0.0 else 0.0
            for j in range(i + 1, n):
                temp = a[i, j]
                if temp != 0.0:  # reference dgemv skips a zero x(j)
                    y[:] = y + temp * a[:i, j]
        else:
            a[:i + 1, i] = aii * a[:i + 1, i]  # dscal


def chol2inv(r: np.ndarray) -> np.ndarray:
    """R's ``chol2inv(r)``: ``(R'R)^-1`` from the upper triangle ``R``."""
    n = r.shape[0]
    a = np.triu(np.array(r, dtype=float))
    _dtrti2_upper(a)
    _dlauu2_upper(a)
    upper = np.triu(a)
    return upper + np.triu(a, 1).T if n else upper
