"""R's ``timefix``: merge times that differ only by floating-point noise.

Follows ``survival::aeqSurv`` (survival 3.5-3): sort the unique finite times;
neighbours are tied when ``diff <= tol`` (absolute) or ``diff / mean(|y|) <= tol``
with ``tol = sqrt(.Machine$double.eps)``; every time is replaced by the first
value of its run (``findInterval`` on the cut points).
"""
from __future__ import annotations

import numpy as np

from rparity_contract.errors import InvalidArgument

from .._rmath import SQRT_EPS, r_mean

__all__ = ["aeq_surv", "aeq_counting", "tie_codes"]


def _r_mean(y: np.ndarray) -> float:
    return r_mean(y)


def aeq_surv(time: np.ndarray, tolerance: float = SQRT_EPS) -> np.ndarray:
    """Times after ``aeqSurv``: near-ties replaced by the first time of their run."""
    return _aeq(time, np.unique(time[np.isfinite(time)]), tolerance)


def aeq_counting(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """aeqSurv on (start, stop] data: both ends on one set of cuts; an interval
    that becomes empty is R's error."""
    n = start.size
    z = aeq_surv(np.concatenate([start, stop]))
    s2, t2 = z[:n], z[n:]
    if np.any((s2 == t2) & (start != stop)):
        i = int(np.flatnonzero(s2 == t2)[0])
        raise InvalidArgument(f"`time`: the interval ({start[i]!r}, {stop[i]!r}] has effective length 0 once "
                              "near-equal times are made equal (R: 'aeqSurv exception, an interval has "
                              "effective length 0')", kind="time.interval")
    return s2, t2


def _aeq(time: np.ndarray, y: np.ndarray, tolerance: float = SQRT_EPS) -> np.ndarray:
    """:func:`aeq_surv` given ``y``, the sorted distinct finite times."""
    if y.size < 2:
        return time
    dy = np.diff(y)
    tied = (dy <= tolerance) | ((dy / _mean_abs(y, dy, tolerance)) <= tolerance)
    if not tied.any():
        return time
    start = np.concatenate(([True], ~tied))
    cuts = y[start]
    if time is y:  # the sorted times themselves: each run's index is a running count
        return cuts[np.cumsum(start) - 1]
    z = np.searchsorted(cuts, time, side="right") - 1
    return cuts[z]


def _mean_abs(y: np.ndarray, dy: np.ndarray, tolerance: float) -> float:
    """R's ``mean(abs(y))`` as the relative test ``dy / mean <= tol`` needs it.

    The long-double mean (:func:`_r_mean`) costs two passes in extended
    precision; a double sum is within a relative 1e-12 of it for any n below
    10^9. So when no gap's ratio to the double mean lies within that margin of
    the tolerance, every comparison comes out as it would with R's mean, and
    the double mean stands in for it."""
    ay = np.abs(y)
    approx = float(np.sum(ay)) / ay.size
    if not np.isfinite(approx) or approx <= 0:
        return _r_mean(ay)
    ratio = dy / approx
    if np.any(np.abs(ratio - tolerance) <= 1e-12 * tolerance):
        return _r_mean(ay)
    return approx


def tie_codes(time: np.ndarray, timefix: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(codes, times): each subject's index into the sorted unique times after
    ``timefix`` (``aeqSurv``; none with ``timefix=False``), so that
    ``times[codes]`` is what R's fit sees and ``codes`` are its dense ranks.

    Two ways to the same codes, chosen by a sample of the times: with few
    distinct times a hash (``pandas.factorize``) and a sort of the distinct
    values only; with mostly distinct times one sort (``np.unique``), which
    is then several times faster than hashing."""
    import pandas as pd

    time = np.asarray(time, dtype=float)
    head = time[:SAMPLE]
    if time.size > SAMPLE and pd.unique(head).size > 0.5 * head.size:
        uniq, codes = np.unique(time, return_inverse=True)
        codes = codes.reshape(-1)
    else:
        codes, uniq = pd.factorize(time, sort=True)
    uniq = np.asarray(uniq, dtype=float)
    finite = np.isfinite(uniq)
    fixed = (_aeq(uniq, uniq if finite.all() else uniq[finite]) if timefix else uniq)
    if fixed is uniq:
        return codes.astype(np.intp, copy=False), uniq
    new = np.concatenate(([True], fixed[1:] != fixed[:-1]))
    remap = np.cumsum(new) - 1
    return remap[codes].astype(np.intp), fixed[new]


SAMPLE = 2048
"""Leading times :func:`tie_codes` looks at to choose its way (the codes do not depend on it)."""
