"""Least squares as R's ``glm.fit`` does it: LINPACK ``dqrdc2`` (Householder QR
with R's limited column pivoting) and ``dqrsl``, as driven by ``dqrls``
(``C_Cdqrls``).

Written from the algorithm's description (R ``src/appl/dqrdc2.f``, ``dqrls.f``):

* Column norms are kept; before reducing column ``l`` the columns ``l..p`` are
  cycled left to right until one whose updated norm is at least ``tol`` times
  its original norm is found; negligible columns move to the end (``pivot``)
  and the rank ``k`` is the number of columns that were not moved.
* Column ``l`` is reduced with a Householder reflection scaled so that its
  pivot element is ``1 + x_ll/||x_l||``; the reflection is applied to the
  columns to its right, whose norms are downdated (recomputed when the
  downdate loses more than 1e-6 of the squared norm).
* Coefficients solve ``R b = Q'y`` for the first ``k`` columns; those of
  the aliased columns are 0 (``dqrls``), and ``glm.fit`` later reports them NA.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["QRLS", "dqrls", "seq_dot", "seq_matvec"]


# R links the reference BLAS: ddot and dnrm2 accumulate sequentially in
# double (dnrm2's mid-range accumulator), dgemv adds column by column. These
# helpers keep that order so the last bits follow R's where they can.
def _reduce_is_sequential() -> bool:
    """numpy adds the rows of a C-ordered (n, k >= 2) array one after the
    other when reducing over axis 0 (pairwise summation applies only along a
    contiguous axis). Checked once on data where the two orders differ."""
    x = np.array([1.0, 1e-16, 1e-16, 1e-16, -1.0, 3e-16, 1e100, -1e100] * 8)
    m = np.column_stack([x, x[::-1]])
    return bool(np.array_equal(np.add.reduce(m, axis=0), np.cumsum(m, axis=0)[-1]))


_SEQUENTIAL_REDUCE = _reduce_is_sequential()


def _colsums(p: np.ndarray) -> np.ndarray:
    """Sequential (index-order) sums of each column of ``p`` (or of a vector)."""
    if p.shape[0] == 0:
        return np.zeros(p.shape[1:]) if p.ndim == 2 else np.float64(0.0)
    if p.ndim == 2 and p.shape[1] >= 2 and p.flags.c_contiguous and _SEQUENTIAL_REDUCE:
        return np.add.reduce(p, axis=0)
    return np.cumsum(p, axis=0)[-1]


def seq_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``ddot`` of vector ``a`` with each column of ``b`` (or vector ``b``),
    summed in index order."""
    prod = a[:, None] * b if b.ndim == 2 else a * b
    return _colsums(prod)


def _nrm2(a: np.ndarray) -> np.ndarray:
    """``dnrm2`` for mid-range values: sqrt of the sequential sum of squares
    (per column for a matrix)."""
    return np.sqrt(_colsums(a * a))


def seq_matvec(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x %*% b`` as reference ``dgemv``: y = 0; y += x[:, j] * b[j], j = 1..p."""
    y = np.zeros(x.shape[0])
    for j in range(x.shape[1]):
        y += b[j] * x[:, j]
    return y


@dataclass
class QRLS:
    coefficients: np.ndarray  # (p,) in pivoted order, zeros past the rank
    rank: int
    pivot: np.ndarray  # (p,) 0-based original column of each pivoted column
    effects: np.ndarray


def _dqrdc2(x: np.ndarray, tol: float):
    """Householder QR of ``x`` (n x p, modified in place; Fortran order).

    Returns (qraux, pivot, rank) with the reflections stored below the diagonal
    as LINPACK does.
    """
    n, p = x.shape
    qraux = _nrm2(x) if n > 0 else np.zeros(p)
    work1 = qraux.copy()
    work2 = np.where(qraux == 0.0, 1.0, qraux)
    jpvt = np.arange(p)
    k = p + 1  # 1-based as in the Fortran
    lup = min(n, p)
    for l in range(lup):  # 0-based l is Fortran l+1
        # cycle negligible columns to the end (the check on k avoids looping)
        while not (l + 1 >= k or qraux[l] >= work2[l] * tol):
            order = list(range(l)) + list(range(l + 1, p)) + [l]
            x[:, :] = x[:, order]
            jpvt = jpvt[order]
            qraux = qraux[order]
            work1 = work1[order]
            work2 = work2[order]
            k -= 1
        if l == n - 1:
            continue
        col = x[l:, l]
        nrmxl = float(_nrm2(col))
        if nrmxl == 0.0:
            continue
        if col[0] != 0.0:
            nrmxl = abs(nrmxl) if col[0] > 0 else -abs(nrmxl)
        col *= 1.0 / nrmxl
        col[0] = 1.0 + col[0]
        if l + 1 < p:
            rest = x[l:, l + 1:]
            t = -seq_dot(col, rest) / col[0]
            rest += col[:, None] * t[None, :]
            for j in range(l + 1, p):
                if qraux[j] != 0.0:
                    r_ = abs(x[l, j]) / qraux[j]
                    tt = 1.0 - r_ * r_  # Fortran's **2 is a multiplication (C's pow can differ by an ulp)
                    tt = max(tt, 0.0)
                    if abs(tt) >= 1e-6:
                        qraux[j] = qraux[j] * np.sqrt(tt)
                    else:
                        qraux[j] = float(_nrm2(x[l + 1:, j]))
                        work1[j] = qraux[j]
        qraux[l] = col[0]
        x[l, l] = -nrmxl
    rank = min(k - 1, n)
    return qraux, jpvt, rank


def dqrls(x: np.ndarray, y: np.ndarray, tol: float) -> QRLS:
    """Least-squares fit of ``y`` on ``x`` as ``.Call(C_Cdqrls, x, y, tol)``.

    Contract: ``x`` (n x p) and ``y`` (n,) finite; returns the coefficients in
    pivoted column order (``start[pivot] <- coefficients`` restores the order).
    """
    a = np.array(x, dtype=float, order="F", copy=True)
    n, p = a.shape
    qraux, pivot, k = _dqrdc2(a, tol)
    qty = np.array(y, dtype=float, copy=True)
    # dqrsl: apply the reflections 1..min(k, n-1) to y
    for j in range(min(k, n - 1)):
        if qraux[j] == 0.0:
            continue
        v = a[j:, j].copy()
        v[0] = qraux[j]
        t = -seq_dot(v, qty[j:]) / v[0]
        qty[j:] += t * v
    b = np.zeros(p)
    if k > 0:
        # back substitution R[:k,:k] b = qty[:k] (column oriented, as dqrsl)
        bb = qty[:k].copy()
        for j in range(k - 1, -1, -1):
            bb[j] = bb[j] / a[j, j]
            if j > 0:
                bb[:j] += -bb[j] * a[:j, j]
        b[:k] = bb
    return QRLS(coefficients=b, rank=int(k), pivot=pivot, effects=qty)
