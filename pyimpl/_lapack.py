"""Reference LAPACK routines as Debian's R links them, in their own order of
operations (unblocked paths: the matrices here are far below the block size
64 that ``ilaenv`` returns).

* :func:`chol2inv`: R's ``chol2inv(x)`` (``La_chol2inv``): the upper
  triangle of ``x`` to ``dpotri("U")``, which is ``dtrti2`` (the inverse of
  the triangle, column by column: ``dtrmv`` then ``dscal``) and ``dlauu2``
  (``U U'``: per row a ``ddot`` of the row's tail and a ``dgemv``); the
  upper triangle mirrored into the lower.
* :func:`r_solve_lu`, :func:`r_lu_solve`: R's ``solve(a, b)`` (``La_solve``):
  dgesv's LU (reference ``dgetrf2``) with R's two refusals (an exactly zero
  pivot; a reciprocal condition number below machine epsilon, ``dgecon``),
  then ``dgetrs`` (the row swaps, unit-lower then upper ``dtrsm``, column by
  column).
"""
from __future__ import annotations

import numpy as np

__all__ = ["chol2inv", "r_solve_lu", "r_lu_solve"]


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


def r_solve_lu(a: np.ndarray, *, one_refusal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``solve``'s dgesv LU of ``a`` (Fortran order, 0-based pivots) with R's
    two refusals: "exactly singular" (a zero pivot, ``solve.singular``) and
    "computationally singular" (``rcond < DBL_EPS``, ``solve.ill_conditioned``;
    ``solve.singular`` too with ``one_refusal``, for a function where which of
    the two R meets depends on last bits)."""
    from scipy.linalg import lapack

    from rparity_contract.errors import ComputationError

    from ._rmath import DBL_EPS
    from .matching.distances import _dgetrf2

    p = a.shape[0]
    lu = np.array(a, dtype=float, order="F")
    piv = np.zeros(p, dtype=np.int64)
    info = _dgetrf2(lu, piv, 0, 0, p, p)
    if info > 0:
        raise ComputationError(f"Lapack routine dgesv: system is exactly singular: U[{info},{info}] = 0",
                               kind="solve.singular")
    rcond, _ = lapack.dgecon(lu, float(np.abs(a).sum(axis=0).max()), norm="1")
    if rcond < DBL_EPS:
        msg = f"system is computationally singular: reciprocal condition number = {rcond:g}"
        if one_refusal:
            raise ComputationError(msg, kind="solve.singular")
        raise ComputationError(msg, kind="solve.ill_conditioned")
    return lu, piv


def r_lu_solve(lu: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dgetrs on the LU of :func:`r_solve_lu`: the row swaps, then reference
    BLAS dtrsm (unit lower, then upper), column by column; (p, k) result."""
    from .matching.distances import _dlaswp

    p = lu.shape[0]
    x = np.array(b, dtype=float, order="F").reshape(p, -1)
    _dlaswp(x, 0, 0, x.shape[1], piv)
    for j in range(x.shape[1]):
        for k in range(p):  # L y = b (unit lower)
            if x[k, j] != 0.0:
                x[k + 1:, j] = x[k + 1:, j] - x[k, j] * lu[k + 1:, k]
        for k in range(p - 1, -1, -1):  # U x = y
            if x[k, j] != 0.0:
                x[k, j] = x[k, j] / lu[k, k]
                x[:k, j] = x[:k, j] - x[k, j] * lu[:k, k]
    return x
