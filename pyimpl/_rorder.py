"""Sums in R's order.

R's C kernels accumulate sequentially (``x += a`` in a loop). numpy's ``sum`` is
pairwise, so its last bits differ, and when two such sums are later subtracted
(O - E of a log-rank test) the difference can be all rounding. These helpers
reproduce a sequential loop exactly while staying vectorised: ``np.cumsum`` is
a strictly sequential accumulation.
"""
from __future__ import annotations

import numpy as np

__all__ = ["block_starts", "segment_sums_sequential"]


def block_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if sorted_values.size == 0:
        return np.zeros(0, dtype=np.intp)
    change = np.flatnonzero(sorted_values[1:] != sorted_values[:-1]) + 1
    return np.concatenate(([0], change)).astype(np.intp)


def segment_sums_sequential(values: np.ndarray, starts: np.ndarray, *, reverse: bool = False) -> np.ndarray:
    """Sum ``values`` within consecutive segments beginning at ``starts``, each
    as a C loop would: ``s = 0; for i in segment: s += values[i]`` (from the end
    of the segment when ``reverse``).

    Segments are walked position by position (one vector operation per position)
    while they are short; segments longer than 256 are summed one at a time with
    ``np.cumsum``, so the cost stays O(n) plus O(n / 256) Python steps.
    """
    values = np.asarray(values, dtype=float)
    n = values.size
    ends = np.append(starts[1:], n)
    lengths = ends - starts
    out = np.zeros(starts.size)
    if n == 0:
        return out
    if np.all(values == np.round(values)) and np.abs(values).max(initial=0.0) < 2.0**52 / max(n, 1):
        # integers: every order gives the exact same sum
        return np.add.reduceat(values, starts) if starts.size else out
    short = lengths <= 256
    maxlen = int(lengths[short].max(initial=0))
    idx_short = np.flatnonzero(short)
    for k in range(maxlen):
        sel = idx_short[lengths[idx_short] > k]
        pos = (ends[sel] - 1 - k) if reverse else (starts[sel] + k)
        out[sel] = out[sel] + values[pos]
    for j in np.flatnonzero(~short):
        seg = values[starts[j]:ends[j]]
        out[j] = np.cumsum(seg[::-1] if reverse else seg)[-1]
    return out
