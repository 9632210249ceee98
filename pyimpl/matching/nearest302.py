"""MatchIt 3.0.2's nearest-neighbour matching, draws included.

Follows ``matchit2nearest`` of MatchIt 3.0.2 (``R/matchit2_methods.R`` at git
tag ``3.0-2``, January 2018: the MatchIt of the study paper's R 3.4.3) step by
step, with R's random numbers (:mod:`.rng`):

* The loop runs ``tr`` = (kept treated) x ``ratio`` steps; step ``i`` belongs
  to round ``r = ceiling(i / (tr / ratio))``. Each round visits every kept
  treated unit again (also those that found no control in earlier rounds).
* Before each step: when no control is left unused (``!0 %in% matchedc``)
  the units still waiting in this round and every later round get NA and the
  loop stops; when a whole round found nothing (column ``r`` all NA) the later
  rounds get NA and the loop stops.
* The treated unit: the largest (``m.order = "largest"``) or smallest waiting
  distance; ``"random"`` draws a *value* with ``sample(d1[waiting], 1)``
  (R's ``sample`` of one number ``x >= 1`` draws from ``1:floor(x)``: see
  :func:`_draw_value`). Units tied at that value: ``sample(itert, 1)`` among
  them in data order.
* The eligible controls: unused (without replacement), not discarded, in the
  same ``exact`` cell, and (with replacement, rounds after the first) not
  already matched to this treated unit.
* With a caliper (``caliper != 0``): the pool is the eligible controls with
  ``abs(d0 - d) <= caliper * sd(distance[kept])`` in data order; none gives
  NA, one is taken, several give ``sample(pool, 1)``: a uniformly random
  control within the caliper, not the nearest. Without a caliper: the eligible
  controls at the minimum ``abs(d0 - d)``, ``sample()`` among them when tied.

Where 3.0.2's R loop scans every control for every treated unit, here each
stratum's controls are sorted by distance once: the caliper pool is a
contiguous window of that order (``abs(d0 - d)`` is monotone in ``d0`` on each
side of ``d``, also in floating point), the nearest unused control is found by
union-find over the positions, and the ``j``-th pool member in data order by a
partial sort of the window.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rparity_contract.errors import RParityError

from .rng import RRandom

__all__ = ["nn_match_302", "PENDING", "NO_MATCH", "DISCARDED", "Match302Error"]

#: Codes of the match matrix besides control indices (>= 0): R's "0" (not yet
#: visited), NA (no control found) and "-1" (a discarded treated unit).
PENDING, NO_MATCH, DISCARDED = -3, -1, -2


class Match302Error(RParityError):
    """MatchIt 3.0.2 itself stops with an R error on this input; the message
    is R's."""

    kind = "compat.failure"


class _Side:
    """Union-find over the sorted positions ``0..m-1`` of one stratum's
    controls: the nearest available position at or left of ``q`` (``left``),
    at or right of ``q`` (``right``); a used position is unlinked."""

    def __init__(self, avail: np.ndarray):
        m = avail.size
        idx = np.arange(m + 1)
        # left[i] stands for position i-1 (index 0 is the "none" sentinel at -1)
        self.left = np.where(np.concatenate(([True], avail)), idx, idx - 1).tolist()
        # right[i] stands for position i (index m is the "none" sentinel)
        self.right = np.where(np.concatenate((avail, [True])), idx, idx + 1).tolist()
        self.m = m

    def at_or_left(self, q: int) -> int:
        """The largest available position <= q, or -1."""
        left = self.left
        j = q + 1
        while left[j] != j:
            left[j] = left[left[j]]
            j = left[j]
        return j - 1

    def at_or_right(self, q: int) -> int:
        """The smallest available position >= q, or m."""
        right = self.right
        j = q
        while right[j] != j:
            right[j] = right[right[j]]
            j = right[j]
        return j

    def remove(self, k: int) -> None:
        self.left[k + 1] = k
        self.right[k] = k + 1


@dataclass
class _Stratum:
    """One ``exact`` cell's controls sorted by distance."""

    ds: np.ndarray  # sorted distances
    cidx: np.ndarray  # control index (data order among controls) of each sorted position
    avail: np.ndarray  # position not discarded and (without replacement) not used
    side: _Side


class _Fenwick:
    """Counts over ``0..n-1``: the ``j``-th (0-based) position still present."""

    def __init__(self, present: np.ndarray):
        n = present.size
        self.n = n
        tree = [0] * (n + 1)
        for i, v in enumerate(present.tolist(), start=1):  # the O(n) build: each node passes its sum up
            tree[i] += int(bool(v))
            p = i + (i & -i)
            if p <= n:
                tree[p] += tree[i]
        self.tree = tree
        self.top = 1 << max(n.bit_length() - 1, 0) if n else 0

    def remove(self, i: int) -> None:
        i += 1
        tree = self.tree
        while i <= self.n:
            tree[i] -= 1
            i += i & -i

    def kth(self, j: int) -> int:
        pos, step, tree = 0, self.top, self.tree
        while step:
            nxt = pos + step
            if nxt <= self.n and tree[nxt] <= j:
                pos = nxt
                j -= tree[nxt]
            step >>= 1
        return pos


def _draw_value(rng: RRandom, vals_len: int, single: float | None) -> tuple[int | None, float | None]:
    """R's ``sample(x, 1)`` on the waiting distances: ``(index, None)`` for
    ``x[sample.int(length(x), 1)]``, or ``(None, value)`` when ``x`` is one
    number ``>= 1`` (R then samples ``1:floor(x)``, a value no unit may have)."""
    if vals_len == 1 and single is not None and math.isfinite(single) and single >= 1.0:
        return None, float(rng.unif_index(math.floor(single)) + 1)
    return rng.unif_index(vals_len), None


def nn_match_302(treat: np.ndarray, distance: np.ndarray, discarded: np.ndarray, ratio: int, replace: bool,
                 m_order: str, sd_cal: float | None, cells: np.ndarray | None, rng: RRandom) -> np.ndarray:
    """MatchIt 3.0.2's ``matchit2nearest`` loop.

    Contract
    --------
    treat : (n,) int, 1 treated, 0 control.
    distance : (n,) float, finite.
    discarded : (n,) bool.
    ratio : int >= 1; replace : bool.
    m_order : "largest", "smallest" or "random".
    sd_cal : the caliper on the distance scale (``caliper * sd``), None for
        3.0.2's ``caliper = 0``.
    cells : (n,) int ``exact`` cell of each unit, or None.
    rng : R's stream after ``set.seed`` (every ``sample()`` draws from it).

    Returns
    -------
    (n1, ratio) int64 -- treated units in data order; an entry is the control's
    index among the controls (data order), or NO_MATCH / DISCARDED (/ PENDING
    only if the loop could not visit every unit, which 3.0.2 cannot do).
    Raises :class:`Match302Error` where 3.0.2's loop fails in R.
    """
    t_rows = np.flatnonzero(treat == 1)
    c_rows = np.flatnonzero(treat == 0)
    n1 = t_rows.size
    d1 = distance[t_rows]
    d0 = distance[c_rows]
    kept = ~discarded[t_rows]
    n1k = int(kept.sum())
    mm = np.where(kept[:, None], PENDING, DISCARDED).astype(np.int64) * np.ones((1, ratio), dtype=np.int64)
    c_cells = np.zeros(c_rows.size, dtype=np.int64) if cells is None else cells[c_rows]
    t_cells = np.zeros(n1, dtype=np.int64) if cells is None else cells[t_rows]
    c_avail = ~discarded[c_rows]
    strata: dict[int, _Stratum] = {}
    c_pos = np.empty(c_rows.size, dtype=np.int64)
    for s in np.unique(c_cells).tolist():
        members = np.flatnonzero(c_cells == s)
        o = members[np.argsort(d0[members], kind="stable")]
        c_pos[o] = np.arange(o.size)
        av = c_avail[o]
        strata[s] = _Stratum(ds=d0[o], cidx=o, avail=av.copy(), side=_Side(av))
    n_free = int(c_avail.sum())
    if n1k == 0 and n_free > 0:
        # R runs `for (i in 1:tr)` with tr = 0 (1:0 is c(1, 0)): ceiling(1 / 0) moves r past column 1
        if ratio == 1:
            why = "subscript out of bounds"  # match.matrix[, 2] of a one-column matrix
        elif m_order == "random":
            why = "invalid first argument"  # sample(numeric(0), 1): sample.int(0, 1)
        else:
            why = "replacement has length zero"  # no treated unit to store the match of
        raise Match302Error(f"MatchIt 3.0.2 fails when every treated unit is discarded and controls are left: "
                            f"R stops with '{why}'")
    tr = n1k * ratio
    r = 0  # 0-based round
    order = _RoundOrder(m_order, d1, kept, rng)
    for i in range(1, tr + 1):
        if n_free == 0:
            col = mm[:, r]
            col[col == PENDING] = NO_MATCH
            mm[:, r + 1:] = NO_MATCH
            break
        if np.all(mm[:, r] == NO_MATCH):
            mm[:, r + 1:] = NO_MATCH
            break
        if r + 1 != -(-i // n1k):
            r += 1
            order.new_round()
        it = order.next()
        x = order.value
        if it is None:
            raise Match302Error("MatchIt 3.0.2 fails: m.order = 'random' drew a distance no waiting treated unit "
                                "has (R's sample() of one number >= 1 samples 1:floor(x)); R stops with "
                                "'replacement has length zero'")
        excl: set[int] = set()
        if replace and r > 0:
            excl = {int(v) for v in mm[it, :r].tolist() if v >= 0}
        st = strata.get(int(t_cells[it]))
        pick = NO_MATCH
        if st is not None:
            if sd_cal is not None:
                pick = _pool_draw(st, x, sd_cal, excl, rng)
            else:
                pick = _nearest(st, x, excl, rng)
        mm[it, r] = pick
        if pick >= 0 and not replace:
            st = strata[int(t_cells[it])]
            k = int(c_pos[pick])
            st.avail[k] = False
            st.side.remove(k)
            n_free -= 1
    return mm


def _pool_draw(st: _Stratum, x: float, cal: float, excl: set[int], rng: RRandom) -> int:
    """``sample(pool, 1)`` of the eligible controls within the caliper."""
    lo = int(np.searchsorted(st.ds, x - 2.0 * cal, side="left"))
    hi = int(np.searchsorted(st.ds, x + 2.0 * cal, side="right"))
    w = slice(lo, hi)
    ok = st.avail[w] & (np.abs(st.ds[w] - x) <= cal)
    cand = st.cidx[w][ok]
    if excl:
        cand = cand[~np.isin(cand, list(excl))]
    if cand.size == 0:
        return NO_MATCH
    if cand.size == 1:
        return int(cand[0])
    j = rng.unif_index(cand.size)
    return int(np.partition(cand, j)[j])


def _nearest(st: _Stratum, x: float, excl: set[int], rng: RRandom) -> int:
    """The eligible controls at the minimum ``abs(d0 - x)``; ``sample()``
    among them (data order) when several."""
    ds, side, cidx = st.ds, st.side, st.cidx
    m = ds.size
    p = int(np.searchsorted(ds, x, side="left"))

    def left_from(q: int) -> int:
        while True:
            k = side.at_or_left(q)
            if k < 0 or int(cidx[k]) not in excl:
                return k
            q = k - 1

    def right_from(q: int) -> int:
        while True:
            k = side.at_or_right(q)
            if k >= m or int(cidx[k]) not in excl:
                return k
            q = k + 1

    kl = left_from(p - 1) if p > 0 else -1
    kr = right_from(p) if p < m else m
    dl = abs(float(ds[kl]) - x) if kl >= 0 else math.inf
    dr = abs(float(ds[kr]) - x) if kr < m else math.inf
    best = min(dl, dr)
    if best == math.inf:
        return NO_MATCH
    tied: list[int] = []
    k = kl
    while dl == best and k >= 0 and abs(float(ds[k]) - x) == best:
        tied.append(int(cidx[k]))
        k = left_from(k - 1) if k > 0 else -1
    k = kr
    while dr == best and k < m and abs(float(ds[k]) - x) == best:
        tied.append(int(cidx[k]))
        k = right_from(k + 1) if k + 1 < m else m
    if len(tied) == 1:
        return tied[0]
    tied.sort()
    return tied[rng.unif_index(len(tied))]


class _RoundOrder:
    """The treated unit of each step (``iterd1``, then ``itert``)."""

    def __init__(self, m_order: str, d1: np.ndarray, kept: np.ndarray, rng: RRandom):
        self.m_order = m_order
        self.d1 = d1
        self.kept = kept
        self.rng = rng
        self.value = math.nan
        self.new_round()

    def new_round(self) -> None:
        kept_idx = np.flatnonzero(self.kept)
        vals = self.d1[kept_idx]
        if self.m_order == "random":
            self.fen = _Fenwick(self.kept)
            groups: dict[float, list[int]] = {}
            for i, v in zip(kept_idx.tolist(), vals.tolist()):
                groups.setdefault(v, []).append(i)
            self.groups = groups
            self.waiting = int(kept_idx.size)
            return
        # largest / smallest: groups of equal values in visiting order, members in data order
        o = np.lexsort((kept_idx, -vals if self.m_order == "largest" else vals))
        idx_sorted = kept_idx[o].tolist()
        v_sorted = vals[o].tolist()
        self.seq: list[tuple[float, list[int]]] = []
        for i, v in zip(idx_sorted, v_sorted):
            if self.seq and self.seq[-1][0] == v:
                self.seq[-1][1].append(i)
            else:
                self.seq.append((v, [i]))
        self.seq.reverse()  # pop from the end

    def _take(self, members: list[int]) -> int:
        j = self.rng.unif_index(len(members)) if len(members) > 1 else 0
        return members.pop(j)

    def next(self) -> int | None:
        if self.m_order != "random":
            v, members = self.seq[-1]
            self.value = v
            it = self._take(members)
            if not members:
                self.seq.pop()
            return it
        single = None
        if self.waiting == 1:
            single = self.d1[self.fen.kth(0)]
        j, value = _draw_value(self.rng, self.waiting, None if single is None else float(single))
        if value is None:
            assert j is not None
            value = float(self.d1[self.fen.kth(j)])
        self.value = value
        members = self.groups.get(value)
        if not members:
            return None
        it = self._take(members)
        self.fen.remove(it)
        self.waiting -= 1
        return it
