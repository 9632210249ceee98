"""R's mean, sd and sums where the last bits follow R's accumulation.

* ``mean(x)`` (``summary.c``): long-double sum / n, then one correction pass
  ``s += sum(x - s)/n`` in long double.
* ``sd(x)`` (``cov.c``): the same two-pass mean, then the long-double sum of
  squared deviations over n - 1; ``sqrt`` in double.
"""
from __future__ import annotations

import numpy as np

__all__ = ["r_mean", "r_sd", "r_var"]


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
