"""Greedy 1:k nearest-neighbour matching on a scalar distance, in O(n log n).

MatchIt 4.5.x (``nn_matchC_vec``) sorts all units by distance and, for each
round ``r = 0..ratio-1`` and each focal unit in the matching order, scans left
and right from the unit's sorted position to the nearest control that can
still be used; a side whose nearest usable control is outside the caliper
gives nothing; of the two sides the left wins ties. That scan is quadratic.
Here the same choice is found with two union-find structures over the sorted
positions ("nearest usable position at or left of p", "... at or right of
p"), so each search is amortised almost O(1) and the whole match is
dominated by the sort.

Two behaviours (``compat``):

``compat=False`` -- the documented algorithm (MatchIt 4.5.4 and later):
    distances compared with the true ``|d_i - d_k|``; in rounds ``r >= 1`` the
    controls already matched to this focal unit are skipped (#159).
``compat=True`` -- the installed MatchIt 4.5.1 build, quirks included:
    * ``abs`` was C's ``int abs(int)``, so every comparison uses
      ``ta(x) = |trunc(x)|`` (32-bit, ``cvttsd2si``; #163): on the
      probability scale every difference is 0, the left side always wins and
      the caliper never rejects;
    * ``check_in`` compares the candidate's 0-based row with the 1-based rows
      stored for this focal unit (#159): it skips the row *after* each
      previous match and does not skip the previous match itself.

Rows are 0-based positions within the units passed (R's stratum-local rows
when ``exact`` splits the data).
"""
from __future__ import annotations

import numpy as np

__all__ = ["nn_match", "ta", "INT_MAX"]

INT_MAX = 2147483647
_INT_MIN = -2147483648


def ta(x: float) -> int:
    """C ``abs((int) x)`` as compiled in MatchIt 4.5.1: truncate toward zero
    (``cvttsd2si``: out of range or NaN gives INT_MIN), then ``int abs``
    (``abs(INT_MIN)`` stays INT_MIN)."""
    if -2147483649.0 < x < 2147483648.0:
        t = int(x)
        if t >= 0:
            return t
        return -t if t != _INT_MIN else t
    return _INT_MIN


def distance_order(distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sort.list(distance)`` (stable ascending) and each unit's position in it."""
    d_ord = np.argsort(distance, kind="stable")
    pos = np.empty(distance.size, dtype=np.int64)
    pos[d_ord] = np.arange(distance.size)
    return d_ord, pos


def nn_match(focal: np.ndarray, ord_: np.ndarray, ratio: int, discarded: np.ndarray,
             replace: bool, distance: np.ndarray, caliper: float | None,
             compat: bool) -> np.ndarray:
    """Match each focal unit to up to ``ratio`` non-focal units.

    Contract
    --------
    focal : (n,) bool -- True for the units to be matched (treated for ATT).
    ord_ : (n1,) int -- permutation of ``0..n1-1``: the order in which the
        focal units (numbered in data order) are visited each round.
    ratio : int >= 1.
    discarded : (n,) bool -- discarded units neither match nor get matched.
    replace : bool -- a control may be reused (reuse.max = INT_MAX) or not (1).
    distance : (n,) float, finite.
    caliper : float >= 0 or None -- on the distance scale (already scaled).
    compat : bool -- MatchIt 4.5.1's quirks (see module docstring).

    Returns
    -------
    (n1, ratio) int64 -- row (0-based, among the n units) of the j-th match of
    the i-th focal unit in data order; -1 where there is none.
    """
    focal_rows = np.flatnonzero(focal)
    n1 = focal_rows.size
    mm = np.full((n1, ratio), -1, dtype=np.int64)
    if n1 == 0:
        return mm
    d_ord, pos = distance_order(distance)
    usable = (~focal & ~discarded)[d_ord]
    if replace:
        return _match_static(mm, focal_rows, pos, d_ord, usable, distance[d_ord], discarded,
                             caliper, compat)
    return _match_greedy(mm, focal_rows, np.asarray(ord_), pos, d_ord, usable, distance[d_ord],
                         discarded, caliper, compat)


def _match_greedy(mm, focal_rows, ord_, pos, d_ord, usable, ds, discarded, caliper, compat):
    """Without replacement: each control is used once, so the set of usable
    positions shrinks; union-find with path halving finds the nearest usable
    position on each side.

    In compat mode, when every distance lies in an interval shorter than 1,
    every ``ta`` is 0: the caliper never rejects and the left side always
    wins, so the right side is only searched when the left has no control.
    """
    n = ds.size
    n1, ratio = mm.shape
    ds_l = ds.tolist()
    d_ord_l = d_ord.tolist()
    pos_l = pos.tolist()
    idx = np.arange(n + 1)
    # left[i] stands for position i-1 (index 0 is the "none" sentinel at position -1)
    left = np.where(np.concatenate(([True], usable)), idx, idx - 1).tolist()
    # right[i] stands for position i (index n is the "none" sentinel)
    right = np.where(np.concatenate((usable, [True])), idx, idx + 1).tolist()
    fpos = pos[focal_rows].tolist()
    fdisc = discarded[focal_rows].tolist()
    rows = [[-1] * ratio for _ in range(n1)]
    remaining = int(usable.sum())
    cal = caliper
    always_left = compat and n > 0 and (ds[-1] - ds[0]) < 1.0
    order = ord_.tolist()
    for r in range(ratio):
        if remaining == 0:
            break
        for i in order:
            if fdisc[i]:
                continue
            ii = fpos[i]
            row = rows[i]
            excl = None
            if r > 0:
                if compat:
                    # check_in bug: rows one after the previous matches
                    excl = {pos_l[v + 1] for v in row[:r] if v >= 0 and v + 1 < n}
                else:
                    excl = {pos_l[v] for v in row[:r] if v >= 0}
            # nearest usable position on the left
            j = ii  # left index of position ii-1
            while True:
                while left[j] != j:
                    left[j] = left[left[j]]
                    j = left[j]
                kl = j - 1
                if kl < 0 or not excl or kl not in excl:
                    break
                j = kl  # continue from kl-1
            if always_left and kl >= 0:
                k = kl
            else:
                # nearest usable position on the right
                j = ii + 1
                while True:
                    while right[j] != j:
                        right[j] = right[right[j]]
                        j = right[j]
                    kr = j
                    if kr >= n or not excl or kr not in excl:
                        break
                    j = kr + 1
                if always_left:
                    if kr >= n:
                        continue
                    k = kr
                else:
                    di = ds_l[ii]
                    if compat:
                        dl = ta(di - ds_l[kl]) if kl >= 0 else 0
                        dr = ta(di - ds_l[kr]) if kr < n else 0
                    else:
                        dl = abs(di - ds_l[kl]) if kl >= 0 else 0.0
                        dr = abs(di - ds_l[kr]) if kr < n else 0.0
                    if cal is not None:
                        if kl >= 0 and dl > cal:
                            kl = -1
                        if kr < n and dr > cal:
                            kr = n
                    if kl >= 0:
                        # ties go left: the C code keeps the left when |dL| <= |dR|
                        k = kl if (kr >= n or dl <= dr) else kr
                    elif kr < n:
                        k = kr
                    else:
                        continue
            row[r] = d_ord_l[k]
            # used once: unlink position k from both structures
            left[k + 1] = k
            right[k] = k + 1
            remaining -= 1
            if remaining == 0:
                break
    return np.array(rows, dtype=np.int64).reshape(n1, ratio)


def _match_static(mm, focal_rows, pos, d_ord, usable, ds, discarded, caliper, compat):
    """With replacement the usable set never changes (reuse.max = INT_MAX), so
    every focal unit's choices are independent of the others': all units are
    matched at once, round by round, with vectorised neighbour lookups."""
    n = ds.size
    n1, ratio = mm.shape
    p = np.arange(n)
    # prev_u[q] = largest usable position <= q (-1 if none); next_u[q] smallest >= q (n if none)
    prev_u = np.maximum.accumulate(np.where(usable, p, -1))
    nxt = np.where(usable, p, n)
    next_u = np.minimum.accumulate(nxt[::-1])[::-1]

    def prev_of(q):
        out = np.full(q.shape, -1, dtype=np.int64)
        ok = q >= 0
        out[ok] = prev_u[q[ok]]
        return out

    def next_of(q):
        out = np.full(q.shape, n, dtype=np.int64)
        ok = q < n
        out[ok] = next_u[q[ok]]
        return out

    active = ~discarded[focal_rows]
    ii = pos[focal_rows]
    di = ds[ii]
    res = np.full((n1, ratio), -1, dtype=np.int64)
    for r in range(ratio):
        kl = prev_of(ii - 1)
        kr = next_of(ii + 1)
        if r > 0:
            prev = res[:, :r]
            if compat:
                ex_rows = np.where((prev >= 0) & (prev + 1 < n), prev + 1, -1)
            else:
                ex_rows = prev
            ex_pos = np.where(ex_rows >= 0, pos[np.clip(ex_rows, 0, n - 1)], -2)
            # step past excluded positions; r exclusions need at most r steps
            for _ in range(r):
                hit = (kl >= 0) & (ex_pos == kl[:, None]).any(axis=1)
                kl = np.where(hit, prev_of(kl - 1), kl)
                hit = (kr < n) & (ex_pos == kr[:, None]).any(axis=1)
                kr = np.where(hit, next_of(kr + 1), kr)
        has_l = kl >= 0
        has_r = kr < n
        dl = np.where(has_l, ds[np.clip(kl, 0, n - 1)] - di, 0.0)
        dr = np.where(has_r, ds[np.clip(kr, 0, n - 1)] - di, 0.0)
        if compat:
            tl = np.array([ta(v) for v in dl.tolist()], dtype=np.int64)
            tr = np.array([ta(v) for v in dr.tolist()], dtype=np.int64)
        else:
            tl, tr = np.abs(dl), np.abs(dr)
        if caliper is not None:
            # the C code compares (di - dk); ta and abs are symmetric
            has_l &= ~(tl > caliper)
            has_r &= ~(tr > caliper)
        take_l = has_l & (~has_r | (tl <= tr))
        take_r = has_r & ~take_l
        k = np.where(take_l, kl, np.where(take_r, kr, -1))
        k = np.where(active, k, -1)
        res[:, r] = np.where(k >= 0, d_ord[np.clip(k, 0, n - 1)], -1)
    return res
