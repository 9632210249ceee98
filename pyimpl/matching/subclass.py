"""``matchit(method = "subclass")`` (MatchIt 4.5.1: ``matchit2subclass``,
``subclass_scoot``, ``weights.subclass``).

* Cut points: ``quantile(distance[focal], probs)`` (type 7) with ``probs``
  ``seq(0, 1, length.out = subclass + 1)`` (or the given quantiles, 0 and 1
  added); the focal group is the treated (ATT), the controls (ATC) or everyone
  (ATE).
* Each kept unit's subclass: ``findInterval(distance, q, all.inside = TRUE)``;
  fewer distinct subclasses than asked: R's warning.
* ``min.n = 0``: subclasses without both groups are dropped (NA); otherwise a
  subclass with fewer than ``min.n`` units of a group gets units moved in from
  its neighbours (``subclass_scoot``: the nearer side by a weighted count, the
  unit with the most extreme distance, first in data order).
* Subclasses renumbered 1..K in order; weights as for exact matching.
"""
from __future__ import annotations

import math

import numpy as np

from rparity_contract.errors import InvalidArgument

from .._rmath import r_sum

__all__ = ["quantile7", "find_interval", "subclass_probs", "subclass_scoot", "assign_subclasses"]


def quantile7(x: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``quantile(x, probs, type = 7)`` (``quantile.default``)."""
    xs = np.sort(np.asarray(x, dtype=float))
    n = xs.size
    index = 1 + max(n - 1, 0) * probs
    lo = np.floor(index).astype(np.int64)
    hi = np.ceil(index).astype(np.int64)
    qs = xs[lo - 1]
    xhi = xs[hi - 1]
    i = (index > lo) & (xhi != qs)
    h = (index - lo)[i]
    qs = qs.copy()
    qs[i] = (1 - h) * qs[i] + h * xhi[i]
    return qs


def find_interval(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``findInterval(x, q, all.inside = TRUE)``: i with q[i] <= x < q[i+1]
    (1-based), clamped to 1..length(q)-1."""
    i = np.searchsorted(q, x, side="right")
    return np.clip(i, 1, q.size - 1).astype(np.int64)


def subclass_probs(subclass) -> tuple[np.ndarray, int]:
    """``matchit2subclass``'s probabilities and number of subclasses (R's checks)."""
    if isinstance(subclass, (bool, np.bool_)) or subclass is None:
        raise InvalidArgument("`subclass` must be a numeric value (MatchIt)", kind="subclass.value")
    arr = np.atleast_1d(np.asarray(subclass, dtype=float)) if not isinstance(subclass, str) else None
    if arr is None or arr.ndim != 1 or arr.size == 0 or np.isnan(arr).any():
        raise InvalidArgument(f"`subclass` must be a numeric value (MatchIt); got subclass={subclass!r}",
                              kind="subclass.value")
    if arr.size == 1:
        k = round(float(arr[0]))  # R's round: halves to even
        if k <= 1:
            raise InvalidArgument(f"`subclass` must be greater than 1 (MatchIt); got subclass={subclass!r}",
                                  kind="subclass.value")
        # seq(0, 1, length.out = k + 1): c(from, from + seq_len(k - 1) * ((to - from)/k), to)
        probs = np.concatenate(([0.0], np.arange(1, k) * (1.0 / k), [1.0]))
        return probs, k
    if not np.all((arr <= 1) & (arr >= 0)):
        raise InvalidArgument("When specifying `subclass` as a vector of quantiles, all values must be between "
                              "0 and 1 (MatchIt).", kind="subclass.value")
    probs = np.sort(arr)
    if probs[0] != 0:
        probs = np.concatenate(([0.0], probs))
    if probs[-1] != 1:
        probs = np.concatenate((probs, [1.0]))
    return probs, probs.size - 1


def _soft(v: np.ndarray) -> np.ndarray:
    return np.maximum(v - 1, 0)


def subclass_scoot(sub: np.ndarray, treat: np.ndarray, x: np.ndarray, min_n: int) -> np.ndarray:
    """MatchIt 4.5.1 ``subclass_scoot``: subclasses renumbered 1..nsub (sorted)
    and filled so that every subclass has ``min_n`` units of each group."""
    uniq = np.unique(sub)
    nsub = uniq.size
    sub = np.searchsorted(uniq, sub).astype(np.int64) + 1
    groups = list(dict.fromkeys(treat.tolist()))  # unique(treat)
    counts = {g: int((treat == g).sum()) for g in groups}
    if any(c < nsub * min_n for c in counts.values()):
        raise InvalidArgument(f"Not enough units to fit treated and control {'unit' if min_n == 1 else 'units'} "
                              f"in each subclass.", kind="subclass.min_n")
    for g in groups:
        if counts[g] == nsub:
            sub[treat == g] = np.arange(1, nsub + 1)
    tab = {g: np.bincount(sub[treat == g], minlength=nsub + 1)[1:].astype(np.int64) for g in groups}
    if not any((tab[g] < min_n).any() for g in groups):  # any(sub_tab < min.n)
        return sub
    for g in groups:
        row = tab[g]
        for _ in range(int(math.floor(min_n))):  # seq_len(min.n)
            while (row == 0).any():
                f0 = int(np.flatnonzero(row == 0)[0]) + 1  # first_0, 1-based
                left = right = 0.0
                if f0 != nsub and f0 != 1:
                    li = np.arange(1, f0)
                    ri = np.arange(f0 + 1, nsub + 1)
                    left = float(r_sum(_soft(row[li - 1]) / np.abs(f0 - li)))
                    right = float(r_sum(_soft(row[ri - 1]) / np.abs(f0 - ri)))
                if f0 == nsub or (f0 != 1 and left >= right):
                    src = int(max(i for i in range(1, f0) if row[i - 1] > 0))
                    pick = _extreme(x, treat, sub, g, src, largest=True)
                else:
                    src = int(min(i for i in range(f0 + 1, nsub + 1) if row[i - 1] > 0))
                    pick = _extreme(x, treat, sub, g, src, largest=False)
                sub[pick] = f0
                row[f0 - 1] = 1
                row[src - 1] -= 1
            row -= 1
    return sub


def _extreme(x, treat, sub, g, src: int, largest: bool) -> int:
    """The first unit (data order) of group ``g`` in subclass ``src`` at the
    largest (or smallest) distance there."""
    in_src = (treat == g) & (sub == src)
    v = x[in_src].max() if largest else x[in_src].min()
    return int(np.flatnonzero((x == v) & in_src)[0])


def assign_subclasses(distance: np.ndarray, treat: np.ndarray, discarded: np.ndarray, subclass, min_n,
                      estimand: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``matchit2subclass``: (subclass 1..K per unit, 0 none; the cut points;
    warnings)."""
    if min_n is None:
        min_n = 1
    elif isinstance(min_n, (bool, np.bool_)) or not isinstance(min_n, (int, float, np.integer, np.floating)):
        raise InvalidArgument(f"`min_n` must be a single number (MatchIt: `min.n`); got min_n={min_n!r}",
                              kind="subclass.min_n")
    probs, k = subclass_probs(6 if subclass is None else subclass)
    focal = {"ATT": treat == 1, "ATC": treat == 0}.get(estimand, np.ones(treat.size, dtype=bool))
    q = quantile7(distance[focal], probs)
    kept = ~discarded
    ps = np.zeros(treat.size, dtype=np.int64)
    ps[kept] = find_interval(distance[kept], q)
    warns = []
    if np.unique(ps[kept]).size != k:
        warns.append("Due to discreteness in the distance measure, fewer subclasses were generated than were "
                     "requested.")
    if min_n == 0:
        both = set(ps[kept & (treat == 1)].tolist()) & set(ps[kept & (treat == 0)].tolist())
        ps[kept & ~np.isin(ps, list(both))] = 0
    else:
        present = np.unique(ps[kept])
        low = any(int(((treat[kept] == g) & (ps[kept] == s)).sum()) < min_n for g in (0, 1) for s in present)
        if low:
            ps[kept] = subclass_scoot(ps[kept], treat[kept], distance[kept], min_n)
    # factor(psclass, nmax = length(q)); levels renamed 1..K
    used = np.unique(ps[ps > 0])
    out = np.zeros(treat.size, dtype=np.int64)
    out[ps > 0] = np.searchsorted(used, ps[ps > 0]) + 1
    return out, q, warns
