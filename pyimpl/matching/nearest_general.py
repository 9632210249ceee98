"""Greedy nearest-neighbour matching with the options that make eligibility
depend on the focal unit: a match on covariate distances (``mahvars``,
``distance = "mahalanobis"``...), ``antiexact``, calipers on covariates.

Two kernels, as MatchIt 4.5.1 dispatches (``nn_matchC_dispatch``):

* :func:`nn_match_covs` -- ``src/nn_matchC.cpp`` (``nn_matchC``), used when
  the match is on transformed covariates: for each focal unit the eligible
  controls are filtered (used too often, already matched to it, antiexact,
  propensity caliper, covariate calipers, in that order) and the nearest by
  Euclidean distance of the transformed covariates is taken (the first in data
  order on ties: ``which_min``); with replacement, the ``ratio`` nearest at
  once (``std::partial_sort``, replayed with libstdc++'s heap algorithms so
  that ties come out in its order), or every eligible control when there are
  no more than ``ratio``.
* :func:`nn_match_scan` -- ``src/nn_matchC_vec.cpp`` (``nn_matchC_vec``,
  ``find_left``/``find_right``), used for a scalar distance with antiexact or
  covariate calipers: from the focal unit's position among the units sorted by
  distance, the nearest usable control on each side (a propensity caliper
  stops the scan; antiexact and covariate calipers skip), the left one on
  ties. ``compat=True`` replays the 4.5.1 build's integer ``abs`` (#163: the
  covariate calipers too compare truncated differences) and ``check_in``
  off-by-one (#159), as :mod:`pyimpl.matching.nearest` does.

Rows are 0-based positions among the units passed (R's stratum-local rows
when ``exact`` splits the data); the result is (n1, ratio), -1 where no match.
"""
from __future__ import annotations

import numpy as np

from .nearest import INT_MAX, distance_order, ta

__all__ = ["nn_match_covs", "nn_match_scan", "partial_sort_indices"]


# -- libstdc++'s std::partial_sort (bits/stl_heap.h, stl_algo.h) --------------------------
def _push_heap(a: list, hole: int, top: int, value: int, less) -> None:
    parent = (hole - 1) // 2
    while hole > top and less(a[parent], value):
        a[hole] = a[parent]
        hole = parent
        parent = (hole - 1) // 2
    a[hole] = value


def _adjust_heap(a: list, hole: int, length: int, value: int, less) -> None:
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if less(a[child], a[child - 1]):
            child -= 1
        a[hole] = a[child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[hole] = a[child - 1]
        hole = child - 1
    _push_heap(a, hole, top, value, less)


def partial_sort_indices(values: np.ndarray, k: int) -> list[int]:
    """``std::partial_sort(indices, indices + k, end, [](i, j){ return v[i] < v[j]; })``
    on ``0..len(values)-1`` (libstdc++: ``__heap_select`` then ``__sort_heap``);
    the first ``k`` indices in the order it leaves them."""
    v = values.tolist()
    a = list(range(len(v)))

    def less(i: int, j: int) -> bool:
        return v[i] < v[j]

    n = len(a)
    # __make_heap(first, middle)
    if k >= 2:
        parent = (k - 2) // 2
        while True:
            _adjust_heap(a, parent, k, a[parent], less)
            if parent == 0:
                break
            parent -= 1
    for i in range(k, n):
        if less(a[i], a[0]):  # __pop_heap(first, middle, i)
            value = a[i]
            a[i] = a[0]
            _adjust_heap(a, 0, k, value, less)
    # __sort_heap(first, middle)
    last = k
    while last > 1:
        last -= 1
        value = a[last]
        a[last] = a[0]
        _adjust_heap(a, 0, last, value, less)
    return a[:k]


# -- nn_matchC -----------------------------------------------------------------------------
def nn_match_covs(focal: np.ndarray, ord_: np.ndarray, ratio: int, discarded: np.ndarray, replace: bool,
                  distance: np.ndarray | None, caliper: float | None, cal_covs: list[tuple[np.ndarray, float]],
                  mah: np.ndarray | None, antiexact: np.ndarray | None, *, exact: np.ndarray | None = None,
                  unit_ids: np.ndarray | None = None) -> np.ndarray:
    """MatchIt 4.5.1 ``nn_matchC`` (no distance matrix).

    Contract
    --------
    focal (n,) bool; ord_ (n1,) 0-based visiting order of the focal units
    (numbered in data order); discarded (n,) bool; distance (n,) or None (no
    propensity score: then ``caliper`` is None); caliper >= 0 or None (the
    distance's, already scaled); cal_covs: (column (n,), caliper >= 0) pairs;
    mah (n, p) transformed covariates (the match is on their Euclidean
    distance) or None (on |distance difference|); antiexact (n, k) int codes or None;
    exact (n,) stratum codes or None (one pass over all strata: with unit
    ids); unit_ids (n,) codes or None: without replacement a chosen control
    adds one use to *every* row with its id, focal rows included (a focal row
    with a use is skipped as if discarded: ``matched[t_ind] > 0``).
    """
    n = focal.size
    frows = np.flatnonzero(focal)
    n1 = frows.size
    mm = np.full((n1, ratio), -1, dtype=np.int64)
    reuse_max = INT_MAX if replace else 1
    use_reuse_max = reuse_max < n1
    matched = np.zeros(n, dtype=np.int64)
    matched[discarded] = n1
    ind0 = np.flatnonzero(~focal & ~discarded)
    for rat in range(ratio):
        for i in ord_.tolist():
            if np.all(matched[ind0] >= reuse_max):
                break
            t_ind = frows[i]
            if matched[t_ind] > 0:  # a discarded focal unit
                continue
            c = ind0[matched[ind0] < reuse_max]
            if rat > 0:
                prev = mm[i, :rat]
                c = c[~np.isin(c, prev[prev >= 0])]
            if exact is not None:
                c = c[exact[c] == exact[t_ind]]
            if c.size == 0:
                continue
            if antiexact is not None:
                for a in range(antiexact.shape[1]):
                    c = c[antiexact[c, a] != antiexact[t_ind, a]]
                    if c.size == 0:
                        break
                if c.size == 0:
                    continue
            ps_diff = None
            if caliper is not None:
                diff = np.abs(distance[c] - distance[t_ind])
                keep = diff <= caliper
                c, ps_diff = c[keep], diff[keep]
                if c.size == 0:
                    continue
            if cal_covs:
                for col, cal in cal_covs:
                    keep = np.abs(col[c] - col[t_ind]) <= cal
                    c = c[keep]
                    if ps_diff is not None:
                        ps_diff = ps_diff[keep]
                    if c.size == 0:
                        break
                if c.size == 0:
                    continue
            if not use_reuse_max and c.size <= ratio:
                mm[i, :c.size] = c  # with replacement, few eligible: all of them, in data order
                continue
            if mah is not None:
                # sqrt(sum(pow(z_t - z_c, 2))): Rcpp's sum, a double accumulation over the columns in order
                zt = mah[t_ind]
                acc = np.zeros(c.size)
                for j in range(mah.shape[1]):
                    dj = zt[j] - mah[c, j]
                    acc = acc + dj * dj
                md = np.sqrt(acc)
            elif ps_diff is not None:
                md = ps_diff
            else:
                md = np.abs(distance[c] - distance[t_ind])
            fin = np.isfinite(md)
            c, md = c[fin], md[fin]
            if c.size == 0:
                continue
            if not use_reuse_max:
                mm[i, :ratio] = c[partial_sort_indices(md, ratio)]
            else:
                k = c[int(np.argmin(md))]  # which_min: the first smallest
                mm[i, rat] = k
                if unit_ids is None:
                    matched[k] += 1
                else:  # units_with_id_of_chosen_unit: every row of the id, focal ones too
                    matched[unit_ids == unit_ids[k]] += 1
        if not use_reuse_max:
            break
    return mm


# -- nn_matchC_vec with antiexact / covariate calipers ------------------------------------------
def nn_match_scan(focal: np.ndarray, ord_: np.ndarray, ratio: int, discarded: np.ndarray, replace: bool,
                  distance: np.ndarray, caliper: float | None, cal_covs: list[tuple[np.ndarray, float]],
                  antiexact: np.ndarray | None, compat: bool, *, exact: np.ndarray | None = None,
                  unit_ids: np.ndarray | None = None) -> np.ndarray:
    """MatchIt 4.5.1 ``nn_matchC_vec`` (``find_left``/``find_right``), for
    antiexact, covariate calipers and unit ids (contract as
    :func:`nn_match_covs`, ``distance`` required; ``compat``: the 4.5.1
    build's integer ``abs`` and ``check_in``). ``exact``: stratum codes,
    checked after the propensity caliper (a control of another stratum
    outside the caliper still stops the scan). ``unit_ids``: a chosen
    control uses up every row with its id (``times_matched`` of each; focal
    rows are never candidates here)."""
    n = focal.size
    frows = np.flatnonzero(focal)
    n1 = frows.size
    mm = np.full((n1, ratio), -1, dtype=np.int64)
    if n1 == 0:
        return mm
    reuse_max = INT_MAX if replace else 1
    d_ord, pos = distance_order(distance)
    ds = distance[d_ord].tolist()
    is_focal = focal[d_ord].tolist()
    can = (~focal & ~discarded)[d_ord].tolist()
    times = [0] * n
    cc = [(col[d_ord].tolist(), cal) for col, cal in cal_covs]
    ae = None if antiexact is None else [antiexact[d_ord, a].tolist() for a in range(antiexact.shape[1])]
    ex = None if exact is None else exact[d_ord].tolist()
    # sorted positions of the rows of each unit id (ind[unit_id == unit_id[k]])
    same_id = None
    if unit_ids is not None:
        uid_s = unit_ids[d_ord]
        groups: dict[int, list[int]] = {}
        for k_, u in enumerate(uid_s.tolist()):
            groups.setdefault(u, []).append(k_)
        same_id = [groups[u] for u in uid_s.tolist()]
    d_ord_l = d_ord.tolist()
    absf = ta if compat else abs
    remaining = sum(can)
    if remaining == 0:
        return mm

    def ok(ii: int, k: int, row: list[int], r: int) -> int:
        """1 usable, 0 skip, -1 stop (outside the propensity caliper)."""
        if is_focal[k]:
            return 0
        if r > 0:
            # check_in(d_ord[k], row): row holds 1-based rows (MatchIt 4.5.1 compares them with 0-based ones)
            if (d_ord_l[k] + 1 if not compat else d_ord_l[k]) in row:
                return 0
        if not can[k]:
            return 0
        if caliper is not None and absf(ds[ii] - ds[k]) > caliper:
            return -1
        if ex is not None and ex[ii] != ex[k]:
            return 0
        if ae is not None and any(col[ii] == col[k] for col in ae):
            return 0
        if cc and any(absf(col[ii] - col[k]) > cal for col, cal in cc):
            return 0
        return 1

    def nearest_usable(ii: int, row: list[int], r: int, step: int) -> int:
        """The first usable unit from ``ii`` in direction ``step``, or -1 (none, or
        the propensity caliper passed first)."""
        k = ii + step
        while 0 <= k < n:
            s = ok(ii, k, row, r)
            if s != 0:
                return k if s == 1 else -1
            k += step
        return -1

    for r in range(ratio):
        for i in ord_.tolist():
            ii = int(pos[frows[i]])
            if discarded[frows[i]]:
                continue
            row = [int(v) + 1 for v in mm[i, :r].tolist() if v >= 0]
            kl = nearest_usable(ii, row, r, -1)  # find_left
            kr = nearest_usable(ii, row, r, 1)  # find_right
            if kl >= 0 and kr >= 0:
                k = kl if absf(ds[kl] - ds[ii]) <= absf(ds[kr] - ds[ii]) else kr
            elif kl >= 0:
                k = kl
            elif kr >= 0:
                k = kr
            else:
                continue
            mm[i, r] = d_ord_l[k]
            for ck in ([k] if same_id is None else same_id[k]):
                times[ck] += 1
                if times[ck] >= reuse_max and can[ck]:
                    can[ck] = False
                    remaining -= 1
            if remaining == 0:
                return mm
    return mm
