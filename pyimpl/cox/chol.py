"""survival's generalised Cholesky: ``cholesky2``, ``chsolve2``, ``chinv2`` and
the Wald-test helper ``coxph_wtest`` (survival 3.5-3, ``src/cholesky2.c``,
``chsolve2.c``, ``chinv2.c``, ``coxph_wtest.c``), written anew from the method.

The decomposition is ``A = F D F'`` with F unit lower triangular and D
diagonal. A pivot below ``toler * max(diag(A))`` (or NaN/infinite) is declared
redundant: its D entry is set to 0, so the solve returns 0 for it and the
inverse has a zero row and column -- which is how ``coxph`` detects a singular
design and reports the coefficient as NA. LAPACK would instead fail or return
garbage, so R's rule is followed here element by element, in the C loops'
order, so that the floating-point results agree to the last bit.

Matrices use the C code's "ragged array" convention: ``M[i, j]``. The input of
:func:`cholesky2` is read from the upper triangle (``j >= i``); the factor is
stored in the lower triangle and the diagonal; :func:`chinv2` leaves the
inverse in the upper triangle and the diagonal.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["cholesky2", "chsolve2", "chinv2", "inverse_from_upper", "wald_test_chol", "WTEST_MESSAGE"]

WTEST_MESSAGE = ("a test statistic cannot be formed: the coefficients or their variance are not finite "
                 "(the fit diverged), and R's coxph stops (R: 'infinite argument in coxph.wtest')")


def cholesky2(a: np.ndarray, toler: float) -> tuple[np.ndarray, int]:
    """Factor ``a`` (upper triangle read); returns (factor, rank or -rank).

    The rank is negative when a pivot is below ``-8 * toler * max diag``
    (the matrix is not non-negative definite).
    """
    m = np.array(a, dtype=float, copy=True)
    n = m.shape[0]
    nonneg = 1
    big = 0.0
    for i in range(n):
        if m[i, i] > big:
            big = m[i, i]
        m[i + 1:, i] = m[i, i + 1:]
    if big == 0:
        # no positive diagonal (every column constant, or an information that
        # rounding made a hair negative): survival 3.5-3 leaves a zero factor,
        # so the inverse is 0 and the coefficient NA (checked against R; the
        # stored C source returns without zeroing the diagonal)
        m[np.diag_indices(n)] = 0.0
        return m, 0
    big *= toler
    rank = 0
    for i in range(n):
        pivot = m[i, i]
        if math.isnan(pivot) or math.isinf(pivot) or pivot < big:
            m[i, i] = 0.0
            if pivot < -8 * big:
                nonneg = -1
            continue
        rank += 1
        for j in range(i + 1, n):
            temp = m[j, i] / pivot
            m[j, i] = temp
            m[j, j] -= temp * temp * pivot
            if j + 1 < n:
                m[j + 1:, j] -= temp * m[j + 1:, i]
    return m, rank * nonneg


def chsolve2(fac: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Solve ``A b = y`` from the factor of :func:`cholesky2` (redundant
    columns get 0)."""
    n = fac.shape[0]
    b = [float(v) for v in y]
    f = fac.tolist()
    # F z = y (forward), then D F' b = z (backward); sequential sums as the C loops
    for i in range(n):
        temp = b[i]
        row = f[i]
        for j in range(i):
            temp -= b[j] * row[j]
        b[i] = temp
    for i in range(n - 1, -1, -1):
        if f[i][i] == 0:
            b[i] = 0.0
        else:
            temp = b[i] / f[i][i]
            for j in range(i + 1, n):
                temp -= b[j] * f[j][i]
            b[i] = temp
    return np.array(b, dtype=float)


def chinv2(fac: np.ndarray) -> np.ndarray:
    """The inverse from the factor, returned symmetric (``chinv2`` fills the
    upper triangle; rows/columns of redundant pivots are zero)."""
    m = np.array(fac, dtype=float, copy=True)
    n = m.shape[0]
    # invert F (unit lower triangular, sweep) and D in place
    for i in range(n):
        if m[i, i] > 0:
            m[i, i] = 1 / m[i, i]
            for j in range(i + 1, n):
                m[j, i] = -m[j, i]
                if i > 0:
                    m[j, :i] += m[j, i] * m[i, :i]
    # F' D F: the inverse of the original matrix, in the upper triangle
    for i in range(n):
        if m[i, i] == 0:
            m[:i, i] = 0.0
            m[i, i:] = 0.0
        else:
            for j in range(i + 1, n):
                temp = m[j, i] * m[j, j]
                m[i, j] = temp
                m[i, i:j] += temp * m[j, i:j]
    out = np.triu(m)
    return out + np.triu(m, 1).T


def inverse_from_upper(a: np.ndarray) -> np.ndarray:
    """``chinv2`` applied to a matrix that was *not* factored: what coxfit6
    returns after "Ran out of iterations" (it recomputes the information at the
    last accepted beta and inverts it without a new ``cholesky2``; the lower
    triangle then holds zeros, so the result is ``diag(1 / diag(a))`` with zero
    off-diagonals)."""
    n = a.shape[0]
    m = np.triu(np.array(a, dtype=float))  # the C iteration zeroes the lower triangle
    return chinv2(m) if n else m


def wald_test_chol(var: np.ndarray, b: np.ndarray, toler: float) -> float:
    """``coxph.wtest(var, b, toler.chol)$test``: ``b' var^-1 b`` through
    cholesky2/chsolve2 (``b * b / var`` for one coefficient, as R)."""
    b = np.asarray(b, dtype=float)
    var = np.asarray(var, dtype=float)
    if b.size == 0:
        return float("nan")
    if b.size == 1:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return float(b[0] * b[0] / var.reshape(-1)[0])
    if not (np.all(np.isfinite(b)) and np.all(np.isfinite(var))):
        from rparity_contract.errors import InvalidArgument

        raise InvalidArgument(WTEST_MESSAGE, kind="wald.nonfinite")
    fac, _ = cholesky2(var, toler)
    sol = chsolve2(fac, b)
    total = 0.0
    for bj, sj in zip(b.tolist(), sol.tolist()):
        total += bj * sj
    return total
