"""R's ``timefix``: merge times that differ only by floating-point noise.

Follows ``survival::aeqSurv`` (survival 3.5-3): sort the unique finite times;
neighbours are tied when ``diff <= tol`` (absolute) or ``diff / mean(|y|) <= tol``
with ``tol = sqrt(.Machine$double.eps)``; every time is replaced by the first
value of its run (``findInterval`` on the cut points).
"""
from __future__ import annotations

import numpy as np

from .._rmath import SQRT_EPS

__all__ = ["aeq_surv"]


def _r_mean(y: np.ndarray) -> float:
    """R's ``mean`` of doubles (``summary.c``): a sequential sum in long
    double divided by n, then one correcting pass ``s += sum(x - s) / n``."""
    yl = y.astype(np.longdouble)
    s = np.cumsum(yl)[-1] / y.size
    if np.isfinite(s):
        s = s + np.cumsum(yl - s)[-1] / y.size
    return float(s)


def aeq_surv(time: np.ndarray, tolerance: float = SQRT_EPS) -> np.ndarray:
    """Times after ``aeqSurv``: near-ties replaced by the first time of their run."""
    return _aeq(time, np.unique(time[np.isfinite(time)]), tolerance)


def _aeq(time: np.ndarray, y: np.ndarray, tolerance: float = SQRT_EPS) -> np.ndarray:
    """:func:`aeq_surv` given ``y``, the sorted distinct finite times."""
    if y.size < 2:
        return time
    dy = np.diff(y)
    tied = (dy <= tolerance) | ((dy / _r_mean(np.abs(y))) <= tolerance)
    if not tied.any():
        return time
    cuts = y[np.concatenate(([True], ~tied))]
    z = np.searchsorted(cuts, time, side="right") - 1
    return cuts[z]


def tie_codes(time: np.ndarray, timefix: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(codes, times): each subject's index into the sorted unique times after
    ``timefix`` (``aeqSurv``; none with ``timefix=False``), so that
    ``times[codes]`` is what R's fit sees and ``codes`` are its dense ranks.
    Hash-based (``pandas.factorize``): O(n) plus a sort of the distinct times,
    with no sort of the subjects."""
    import pandas as pd

    codes, uniq = pd.factorize(time, sort=True)
    uniq = np.asarray(uniq, dtype=float)
    fixed = _aeq(uniq, uniq[np.isfinite(uniq)]) if timefix else uniq
    if fixed is uniq:
        return codes.astype(np.intp), uniq
    new = np.concatenate(([True], fixed[1:] != fixed[:-1]))
    remap = np.cumsum(new) - 1
    return remap[codes].astype(np.intp), fixed[new]
