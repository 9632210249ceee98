"""R's ``poly(x, degree, raw = FALSE)`` in a model formula (stats 4.2.2).

Orthogonal polynomials (``raw = FALSE``): x is centred at R's ``mean``, the
matrix ``outer(x, 0:degree, "^")`` is factored by ``qr()`` (LINPACK
``dqrdc2``, tol 1e-7), its R factor's diagonal is multiplied back by Q
(``qr.qy``: ``dqrsl``'s Householder reflections, last first), and each
column divided by its norm; ``alpha`` and ``norm2`` (colSums in long
double, as R's) are kept: on new rows (``predict``, ``survfit`` with
``newdata``) the columns come from the three-term recurrence with those
coefficients, as R's ``makepredictcall`` makes ``poly(x, degree, coefs=)``.
``raw = TRUE``: the powers ``outer(x, 1:degree, "^")``.

R's refusals: a missing value ("missing values are not allowed in 'poly'"),
``degree`` not below the number of distinct values ("'degree' must be less
than number of unique points"), ``degree < 1``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rparity_contract.errors import InvalidArgument

from .._rmath import r_mean
from ..matching._linpack import _dqrdc2, seq_dot

__all__ = ["PolyBasis", "poly"]


def _r_pow(x: np.ndarray, k: int) -> np.ndarray:
    """R's ``x ^ k`` (``R_POW``): 1 for k = 0, ``x * x`` for 2, else C's pow."""
    if k == 0:
        return np.ones_like(x)
    if k == 2:
        return x * x
    return np.power(x, float(k))


def _col_sums(a: np.ndarray) -> np.ndarray:
    """R's ``colSums``: each column summed in order in long double."""
    return np.cumsum(a.astype(np.longdouble), axis=0)[-1].astype(float)


@dataclass(frozen=True)
class PolyBasis:
    """What ``poly()`` keeps to evaluate new rows as the fit's (``coefs``)."""

    degree: int
    raw: bool
    alpha: tuple[float, ...] = ()
    norm2: tuple[float, ...] = ()

    def __call__(self, x: np.ndarray, where: str) -> np.ndarray:
        """The columns for ``x`` (new rows): ``poly(x, degree, coefs=)``."""
        x = np.asarray(x, dtype=float)
        if self.raw:
            return np.column_stack([_r_pow(x, k) for k in range(1, self.degree + 1)])
        alpha, norm2 = self.alpha, self.norm2
        z = np.ones((x.size, self.degree + 1))
        z[:, 1] = x - alpha[0]
        for i in range(2, self.degree + 1):  # R's 2:degree, 1-based into alpha and norm2
            z[:, i] = (x - alpha[i - 1]) * z[:, i - 1] - (norm2[i] / norm2[i - 1]) * z[:, i - 2]
        z = z / np.sqrt(np.asarray(norm2[1:]))[None, :]
        return z[:, 1:]


def poly(x: np.ndarray, degree_arg: float, raw: bool, where: str) -> tuple[np.ndarray, PolyBasis]:
    """The columns of ``poly(x, degree, raw=)`` on the fit's rows, and their
    basis (R checks ``degree`` as given, then takes ``1L:degree``)."""
    x = np.asarray(x, dtype=float)
    if degree_arg < 1:
        raise InvalidArgument(f"`formula` term {where!r}: 'degree' must be at least 1 (R's poly)",
                              kind="formula.value")
    degree = int(math.floor(degree_arg))
    if raw:
        basis = PolyBasis(degree=degree, raw=True)
        return basis(x, where), basis
    if np.isnan(x).any():
        raise InvalidArgument(f"`formula` term {where!r}: missing values are not allowed in 'poly' (R's error)",
                              kind="formula.value")
    if degree_arg >= np.unique(x).size:
        raise InvalidArgument(f"`formula` term {where!r}: 'degree' must be less than number of unique points "
                              "(R's error)", kind="formula.value")
    xbar = r_mean(x)
    xc = x - xbar
    n = xc.size
    a = np.empty((n, degree + 1), order="F")
    for k in range(degree + 1):
        a[:, k] = _r_pow(xc, k)
    qraux, _pivot, rank = _dqrdc2(a, 1e-7)
    if rank < degree:
        raise InvalidArgument(f"`formula` term {where!r}: 'degree' must be less than number of unique points "
                              "(R's error)", kind="formula.value")
    # z: the R factor's diagonal; Z = qr.qy(QR, z), dqrsl's reflections j = min(rank, n-1) .. 1
    z = np.zeros((n, degree + 1))
    m = min(n, degree + 1)
    z[np.arange(m), np.arange(m)] = a[np.arange(m), np.arange(m)]
    ju = min(rank, n - 1)
    for c in range(degree + 1):
        qy = z[:, c].copy()
        for j in range(ju - 1, -1, -1):
            if qraux[j] == 0.0:
                continue
            temp = a[j, j]
            a[j, j] = qraux[j]
            col = a[j:, j]
            t = -float(seq_dot(col, qy[j:])) / a[j, j]
            qy[j:] += t * col
            a[j, j] = temp
        z[:, c] = qy
    z2 = z * z
    norm2 = _col_sums(z2)
    alpha = (_col_sums(xc[:, None] * z2) / norm2 + xbar)[:degree]
    norm2_all = np.concatenate(([1.0], norm2))
    out = z / np.sqrt(norm2_all[1:])[None, :]
    return out[:, 1:], PolyBasis(degree=degree, raw=False, alpha=tuple(alpha.tolist()),
                                 norm2=tuple(norm2_all.tolist()))
