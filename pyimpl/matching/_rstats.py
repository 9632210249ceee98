"""R's mean, sd and sums where the last bits follow R's accumulation.

* ``mean(x)`` (``summary.c``): long-double sum / n, then one correction pass
  ``s += sum(x - s)/n`` in long double.
* ``sd(x)`` (``cov.c``): the same two-pass mean, then the long-double sum of
  squared deviations over n - 1; ``sqrt`` in double.
"""
from __future__ import annotations

import numpy as np

from .._rmath import r_sum
from .._threads import run_all

__all__ = ["r_mean", "r_sd", "r_var", "r_means", "r_column_moments", "weighted_mean"]


def _ld(x) -> np.ndarray:
    return np.asarray(x, dtype=float).astype(np.longdouble)


def _mean_ld(x: np.ndarray):
    xl = _ld(x)
    n = xl.size
    s = np.cumsum(xl)[-1] / n
    if np.isfinite(float(s)):
        t = np.cumsum(xl - s)[-1]
        s = s + t / n
    return s


def r_mean(x) -> float:
    """R's ``mean(x)`` for doubles; NaN for an empty vector."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return float("nan")
    return float(_mean_ld(x))


def weighted_mean(x: np.ndarray, w: np.ndarray) -> float:
    """MatchIt's ``wm(x, w)``: ``sum(x * w)/sum(w)`` (each ``sum`` in long double, rounded, then divided;
    weights summing to 0 give R's NaN, silently)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(r_sum(x * w) / r_sum(w))


def r_var(x) -> float:
    """R's ``var(x)`` of a vector (NA, here NaN, below 2 values)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 2:
        return float("nan")
    m = np.longdouble(float(_mean_ld(x)))  # xm[i] is stored as double
    dev = _ld(x) - m
    return float(np.cumsum(dev * dev)[-1] / (n - 1))


def r_sd(x) -> float:
    """R's ``sd(x)``."""
    return float(np.sqrt(r_var(x)))


# --- the same, for each column of a matrix at once -----------------------------------------

_LD_BLOCK = 2048


def _ld_reduce_is_sequential() -> bool:
    """numpy adds the rows of a C-ordered long-double (n, k >= 2) array in
    order when reducing over axis 0 (as for doubles; checked once)."""
    x = np.array([1.0, 1e-19, 1e-19, 1e-19, -1.0, 3e-19, 1e300, -1e300] * 8, dtype=np.longdouble)
    m = np.ascontiguousarray(np.column_stack([x, x[::-1]]))
    return bool(np.array_equal(np.add.reduce(m, axis=0), np.cumsum(m, axis=0)[-1]))


_LD_SEQUENTIAL = _ld_reduce_is_sequential()


def _ld_pass(x: np.ndarray, shift: np.ndarray | None = None, square: bool = False) -> np.ndarray:
    """Each column's long-double sum, in row order, of ``x`` (or of ``x -
    shift``, squared when ``square``): a block of rows at a time, in long
    double, the running total as the block's first row."""
    n, p = x.shape
    if p < 2 or not _LD_SEQUENTIAL:
        v = x.astype(np.longdouble)
        if shift is not None:
            v = v - shift
        if square:
            v = v * v
        return np.cumsum(v, axis=0)[-1]
    buf = np.empty((min(_LD_BLOCK, n) + 1, p), dtype=np.longdouble)
    total = np.zeros(p, dtype=np.longdouble)
    for a in range(0, n, _LD_BLOCK):
        b = min(n, a + _LD_BLOCK)
        blk = buf[:b - a + 1]
        blk[0] = total
        v = blk[1:]
        v[...] = x[a:b]
        if shift is not None:
            np.subtract(v, shift, out=v)
        if square:
            np.multiply(v, v, out=v)
        total = np.add.reduce(blk, axis=0)
    return total


def _means_ld(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's first-pass sum over n (``colMeans`` before its rounding)
    and R's two-pass mean, in long double (summary.c, cov.c's MEAN)."""
    n = x.shape[0]
    s = _ld_pass(x) / n
    t = _ld_pass(x, s)
    return s, np.where(np.isfinite(s.astype(float)), s + t / n, s)


def r_means(x: np.ndarray) -> np.ndarray:
    """``apply(x, 2, mean)``: R's two-pass ``mean`` of each column."""
    x = np.asarray(x, dtype=float)
    if x.shape[0] == 0:
        return np.full(x.shape[1], np.nan)
    return _means_ld(x)[1].astype(float)


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = x.shape[0]
    s, m = _means_ld(x)
    col_means, means = s.astype(float), m.astype(float)
    if n < 2:
        return col_means, means, np.full(x.shape[1], np.nan)
    dev2 = _ld_pass(x, means.astype(np.longdouble), square=True)
    with np.errstate(over="ignore"):
        return col_means, means, np.sqrt((dev2 / (n - 1)).astype(float))


def r_column_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``colMeans(x)``, ``apply(x, 2, mean)`` and ``apply(x, 2, sd)`` in
    three passes over the rows: colMeans is the first pass's long-double
    sum over n, rounded once; mean goes on with summary.c's correction
    pass; sd (cov.c) uses that mean stored as a double, then the long-double
    sum of the squared deviations over n - 1 (NaN below 2 rows). A large
    matrix's two halves of columns are computed on two threads (columns
    are independent: the same bits)."""
    x = np.asarray(x, dtype=float)
    n, p = x.shape
    if n == 0:
        nan = np.full(p, np.nan)
        return nan, nan.copy(), nan.copy()
    if p >= 4 and n * p >= 200_000:
        h = p // 2
        left, right = run_all([(_moments, (x[:, :h],)), (_moments, (x[:, h:],))])
        return tuple(np.concatenate([a, b]) for a, b in zip(left, right))  # type: ignore[return-value]
    return _moments(x)


