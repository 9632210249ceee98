"""Slow, obviously-correct references for the matching kernel (tests only).

* :func:`scan_match` -- the installed MatchIt 4.5.1 loop as the spec describes
  it (MatchIt 4.5.1 ``src/nn_matchC.cpp``): sort by distance, walk left
  and right from each focal unit to the first usable control, test the caliper
  on that one only, prefer the left on ties; with ``compat=True`` the
  integer ``abs`` and the ``check_in`` off-by-one. Quadratic.
* :func:`brute_force_documented` -- the documented algorithm written as a
  minimisation: each focal unit, round by round in the matching order, takes
  the eligible control (not focal, not discarded, not used up, not already
  matched to it) with the smallest ``|d_i - d_c|`` within the caliper; ties go
  to the side below it in (distance, row) order, and within a side to the
  control nearest in that order. It shares no code or data structure with
  ``pyimpl.matching.nearest``.
"""
from __future__ import annotations

import math

INT_MAX = 2**31 - 1


def ta_ref(x: float) -> int:
    """|(int) x| with x86's conversion (out of range -> INT_MIN) and int abs
    (abs(INT_MIN) = INT_MIN)."""
    if math.isnan(x):
        t = -(2**31)
    else:
        t = math.trunc(x)
        if not -(2**31) <= t <= 2**31 - 1:
            t = -(2**31)
    return -(2**31) if t == -(2**31) else abs(t)


def scan_match(focal, ord_, ratio, discarded, replace, distance, caliper, compat):
    n = len(distance)
    d_ord = sorted(range(n), key=lambda i: (distance[i], i))
    pos = [0] * n
    for p, i in enumerate(d_ord):
        pos[i] = p
    t = [bool(focal[i]) for i in d_ord]
    ds = [float(distance[i]) for i in d_ord]
    can = [(not focal[i]) and (not discarded[i]) for i in d_ord]
    used = [0] * n
    reuse = INT_MAX if replace else 1
    focal_rows = [i for i in range(n) if focal[i]]
    mm = [[-1] * ratio for _ in focal_rows]
    dist = ta_ref if compat else abs

    for r in range(ratio):
        for i in ord_:
            row = focal_rows[i]
            if discarded[row]:
                continue
            ii = pos[row]
            prev = [v for v in mm[i] if v >= 0]

            def skip(k):
                if t[k]:
                    return True
                if r > 0:
                    if compat and any(d_ord[k] == v + 1 for v in prev):
                        return True
                    if not compat and d_ord[k] in prev:
                        return True
                return not can[k]

            def scan(step):
                k = ii + step
                while 0 <= k < n:
                    if skip(k):
                        k += step
                        continue
                    if caliper is not None and dist(ds[ii] - ds[k]) > caliper:
                        return None
                    return k
                return None

            kl, kr = scan(-1), scan(+1)
            if kl is not None and kr is not None:
                k = kl if dist(ds[kl] - ds[ii]) <= dist(ds[kr] - ds[ii]) else kr
            elif kl is not None:
                k = kl
            elif kr is not None:
                k = kr
            else:
                continue
            mm[i][r] = d_ord[k]
            used[k] += 1
            if used[k] >= reuse:
                can[k] = False
    return mm


def brute_force_documented(focal, ord_, ratio, discarded, replace, distance, caliper):
    n = len(distance)
    focal_rows = [i for i in range(n) if focal[i]]
    mm = [[-1] * ratio for _ in focal_rows]
    used = [0] * n
    for r in range(ratio):
        for i in ord_:
            row = focal_rows[i]
            if discarded[row]:
                continue
            di = float(distance[row])
            cands = [c for c in range(n)
                     if not focal[c] and not discarded[c] and (replace or used[c] == 0) and c not in mm[i]]
            if caliper is not None:
                cands = [c for c in cands if abs(di - float(distance[c])) <= caliper]
            if not cands:
                continue

            def key(c):
                dc = float(distance[c])
                below = (dc, c) < (di, row)
                near = (-dc, -c) if below else (dc, c)
                return (abs(di - dc), 0 if below else 1, near)

            best = min(cands, key=key)
            mm[i][r] = best
            used[best] += 1
    return mm
