"""The index kernels of ``survival::tmerge``: R's ``neardate`` and the C
routines ``tmerge2`` (which new row a tdc takes its value from) and ``tmerge``
(a cumtdc's running sums), survival 3.5-3 (``R/neardate.R``, ``src/tmerge.c``).

Ids arrive as integer codes (equal ids, equal codes) and times as floats.
Every result is a 0-based row index, -1 where R has ``NA`` (or 0 in C).
"""
from __future__ import annotations

import numpy as np

__all__ = ["neardate", "tdc_index", "cumulative", "group_cumsum"]


def _ranks(*values: np.ndarray) -> list[np.ndarray]:
    """``match(y, sort(unique(c(y1, y2))))``, 1-based, 0 for NaN (tossed)."""
    every = np.concatenate(values)
    alldate = np.unique(every[~np.isnan(every)])
    out = []
    for v in values:
        r = np.searchsorted(alldate, v) + 1
        r[np.isnan(v)] = 0
        out.append(r.astype(np.int64))
    return out


def neardate(id1: np.ndarray, id2: np.ndarray, y1: np.ndarray, y2: np.ndarray, best: str) -> np.ndarray:
    """R's ``neardate(id1, id2, y1, y2, best)``: for each (id1, y1), the row
    of (id2, y2) with the same id and the largest y2 <= y1 (``"prior"``; ties:
    the last such row) or the smallest y2 >= y1 (``"after"``; ties: the first).

    neardate.R: every date is replaced by its rank among all of them, and the
    pair (id, date) by one number, ``match(id, id1) * (1 + ndates) + rank``,
    found by ``findInterval`` in the sorted numbers of data set 2.
    """
    r1, r2 = _ranks(y1, y2)
    # the first position of each id in id1 (match(id1, id1)) and of id2's ids in id1
    first: dict[int, int] = {}
    for i, v in enumerate(id1.tolist()):
        first.setdefault(v, i + 1)
    c1 = np.array([first[v] for v in id1.tolist()], dtype=np.int64)
    c2 = np.array([first.get(v, 0) for v in id2.tolist()], dtype=np.int64)
    rowid = np.flatnonzero((r2 > 0) & (c2 > 0))  # NA dates and ids not in data set 1 are tossed
    out = np.full(id1.size, -1, dtype=np.int64)
    if rowid.size == 0:
        return out
    delta = 1 + int(max(r1.max(initial=0), r2.max(initial=0)))
    hash1 = c1 * delta + r1
    hash2 = c2[rowid] * delta + r2[rowid]
    indx3 = np.argsort(hash2, kind="stable")
    sorted2 = hash2[indx3]
    if best == "prior":
        k = np.searchsorted(sorted2, hash1, side="right")  # findInterval(hash1, hash2)
        found = k > 0
        at = indx3[np.maximum(k - 1, 0)]
    else:
        k = np.searchsorted(sorted2, hash1, side="left")  # findInterval(..., left.open = TRUE)
        found = k < sorted2.size
        at = indx3[np.minimum(k, sorted2.size - 1)]
    same = found & (c2[rowid[at]] == c1)  # id1 == id2[indx2]
    out[same] = rowid[at[same]]
    return out


def tdc_index(base_id: np.ndarray, base_start: np.ndarray, new_id: np.ndarray, new_time: np.ndarray) -> np.ndarray:
    """``tmerge2``: for each base row (sorted by time within id), the last new
    row (sorted the same way) of its id whose time is <= the row's start
    (last value carried forward; a value takes effect at the start of an
    interval), -1 when there is none."""
    if new_id.size == 0:
        return np.full(base_id.size, -1, dtype=np.int64)
    r_base, r_new = _ranks(base_start, new_time)
    delta = 1 + int(max(r_base.max(initial=0), r_new.max(initial=0)))
    key_new = new_id.astype(np.int64) * delta + r_new
    key_base = base_id.astype(np.int64) * delta + r_base
    count = np.searchsorted(key_new, key_base, side="right")  # new rows up to (id, start)
    last = count - 1
    ok = (count > 0) & (new_id[np.maximum(last, 0)] == base_id)
    return np.where(ok, last, -1)


def cumulative(base_id: np.ndarray, base_start: np.ndarray, start_value: np.ndarray, new_id: np.ndarray,
               new_time: np.ndarray, increment: np.ndarray) -> np.ndarray:
    """The C routine ``tmerge``: each base row gets the running sum, within
    its id, of the increments whose time is <= the row's start; a row that
    has one is its prior value plus that sum (an NA becomes the sum), a row
    without keeps its value. The sums are sequential (``csum += x[k]``)."""
    out = np.asarray(start_value, dtype=float).copy()
    idx = tdc_index(base_id, base_start, new_id, new_time)
    csum = group_cumsum(new_id, increment)
    has = idx >= 0
    add = csum[idx[has]]
    prior = out[has]
    out[has] = np.where(np.isnan(prior), add, prior + add)
    return out


def group_cumsum(code: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``unlist(tapply(x, code, cumsum))`` for rows sorted by code: sequential
    sums (C's ``csum += x[k]``), restarting at each code."""
    out = np.empty(np.size(x))
    bounds = np.flatnonzero(np.r_[True, code[1:] != code[:-1], True]) if np.size(x) else np.array([0])
    for a, b in zip(bounds[:-1], bounds[1:]):
        out[a:b] = np.cumsum(x[a:b])
    return out
