"""Martingale residuals of a Cox fit, as the fitting routines of survival 3.5-3
leave them in ``fit$residuals``: ``src/coxmart.c`` (right-censored, Breslow
and Efron), ``src/coxmart2.c`` (``coxexact.fit``: the Breslow hazard) and
``src/agmart3.c`` (counting process).

A subject's residual is ``status - score * (H(stop) - H(start))`` with H the
cumulative hazard of the fit (score = exp(linear predictor)). With Efron's
approximation a death tied with d - 1 others sees only part of the last
increment: ``sum_j (1 - j/d) dH_j`` instead of ``sum_j dH_j``.

Every sum is accumulated as the C code accumulates it (the same order of
additions, sequential ``np.cumsum``), so the residuals agree with R to the
last bit or nearly.
"""
from __future__ import annotations

import numpy as np

from ._order import cumsum_restart, stable_order

__all__ = ["martingale", "safe_score"]

_LOG_XMAX = float(np.log(np.finfo(float).max))


def safe_score(lp: np.ndarray) -> np.ndarray:
    """``exp(lp)``, shifted first when it would overflow (coxph.fit.R and
    agreg.fit.R: ``lp + log(.Machine$double.xmax) - (1 + max(lp))``)."""
    if lp.size and np.any(lp > _LOG_XMAX):
        lp = lp + _LOG_XMAX - (1 + lp.max())
    with np.errstate(over="ignore"):
        return np.exp(lp)


def _group_starts(keys: list[np.ndarray]) -> np.ndarray:
    """Starts of the runs of equal keys (sorted data)."""
    n = keys[0].size
    new = np.zeros(n, dtype=bool)
    if n:
        new[0] = True
    for k in keys:
        new[1:] |= k[1:] != k[:-1]
    return np.flatnonzero(new)


def coxmart(time: np.ndarray, status: np.ndarray, strata: np.ndarray, score: np.ndarray, weights: np.ndarray,
            efron: bool) -> np.ndarray:
    """coxmart.c on rows in ``order(strata, time)``; residuals in that order."""
    n = time.size
    if n == 0:
        return np.zeros(0)
    sstart = _group_starts([strata])
    gstart = _group_starts([strata, time])  # tied times within a stratum
    glen = np.diff(np.append(gstart, n))
    gid = np.repeat(np.arange(gstart.size), glen)
    # pass 1: denominators, summed from the last row of each stratum backwards
    rev = slice(None, None, -1)
    rstarts = n - 1 - (np.append(sstart[1:], n) - 1)[rev]
    denom = cumsum_restart((score * weights)[rev], rstarts)[rev][gstart]
    # pass 2: per tied set, the counts and sums of coxmart's forward loop
    st = status.astype(float)
    deaths = np.add.reduceat(st, gstart)
    wtsum = _seq_by_group(st * weights, gstart, glen)
    e_denom = _seq_by_group(score * st * weights, gstart, glen)
    efron_g = efron & (deaths >= 2)
    # the increments of the running hazard, in coxmart's order: one per tied set
    # (Breslow) or `deaths` of them (Efron), and the deaths' own sums
    k = np.where(efron_g, deaths, 1).astype(np.intp)
    owner = np.repeat(np.arange(gstart.size), k)
    j = np.arange(owner.size) - np.repeat(np.cumsum(k) - k, k)
    d = deaths[owner]
    w = np.where(efron_g[owner], wtsum[owner] / np.where(d > 0, d, 1), wtsum[owner])
    with np.errstate(divide="ignore", invalid="ignore"):
        down = np.where(efron_g[owner], j / np.where(d > 0, d, 1), 0.0)
        inc = w / (denom[owner] - e_denom[owner] * down)
        inc_dead = w * (1 - down) / (denom[owner] - e_denom[owner] * down)
    # the hazard restarts at 0 in each stratum: the runs of increments per stratum
    gstrat = np.searchsorted(sstart, gstart, side="right") - 1
    istart = _group_starts([gstrat[owner]])
    hazard = cumsum_restart(inc, istart)
    last = np.cumsum(k) - 1
    haz_after = hazard[last]
    # temp = (hazard before the set) + the deaths' increments, added in order
    prev = np.where(np.isin(np.arange(owner.size), istart), 0.0, np.append(0.0, hazard[:-1]))
    first_inc = np.cumsum(k) - k
    seq = inc_dead.copy()
    seq[first_inc] = prev[first_inc] + inc_dead[first_inc]
    temp = cumsum_restart(seq, first_inc)[last]
    # for Efron-tied sets: censored rows -score*hazard, deaths status - score*temp;
    # otherwise every row status - score*hazard
    h_row = haz_after[gid]
    out = st - score * h_row
    eg = efron_g[gid]
    out[eg] = np.where(st[eg] == 0, -score[eg] * h_row[eg], st[eg] - score[eg] * temp[gid][eg])
    return out


def _seq_by_group(v: np.ndarray, gstart: np.ndarray, glen: np.ndarray) -> np.ndarray:
    """Sequential sums of each run (C's ``+=`` loop)."""
    c = cumsum_restart(v, gstart)
    return c[gstart + glen - 1]


def coxmart2(time: np.ndarray, status: np.ndarray, strata: np.ndarray, score: np.ndarray,
             weights: np.ndarray) -> np.ndarray:
    """coxmart2.c on rows in ``order(strata, -time)`` (coxexact.fit): the Breslow
    hazard, denominators accumulated from the largest time down."""
    n = time.size
    if n == 0:
        return np.zeros(0)
    sstart = _group_starts([strata])
    gstart = _group_starts([strata, time])
    glen = np.diff(np.append(gstart, n))
    denom = cumsum_restart(score * weights, sstart)[gstart + glen - 1]
    deaths = _seq_by_group(status * weights, gstart, glen)
    haz = deaths / denom
    # pass 2 runs from the last row (smallest time) up: within a stratum, the
    # hazard summed from the smallest time to this row's
    gstrat = np.searchsorted(sstart, gstart, side="right") - 1
    rev = slice(None, None, -1)
    hs = haz[rev]
    starts = _group_starts([gstrat[rev]])
    expected = cumsum_restart(hs, starts)[rev]
    gid = np.repeat(np.arange(gstart.size), glen)
    return status - score * expected[gid]


def agmart3(start: np.ndarray, stop: np.ndarray, event: np.ndarray, score: np.ndarray, weights: np.ndarray,
            strata: np.ndarray, sort1: np.ndarray, sort2: np.ndarray, nused: int, efron: bool) -> np.ndarray:
    """agmart3.c, walked as the C code walks it (``sort1``/``sort2``: agreg.fit's
    orders of the starts and stops, large to small, rows never at risk last);
    residuals in data order."""
    n = start.size
    ts, tt, ev, sc, wt, st = (a.tolist() for a in (start, stop, event, score, weights, strata))
    s1, s2 = sort1.tolist(), sort2.tolist()
    r = [0.0] * n
    at = [False] * n
    person1 = 0
    denom = 0.0
    cumhaz = 0.0
    istrat = st[s1[0]] if n else 0
    person2 = 0
    dtime = 0.0
    while person2 < nused:
        k = person2
        while k < nused:
            p2 = s2[k]
            if st[p2] != istrat:
                while person1 < nused:
                    p1 = s1[person1]
                    if st[p1] != istrat:
                        break
                    r[p1] -= cumhaz * sc[p1]
                    person1 += 1
                cumhaz = 0.0
                denom = 0.0
                istrat = st[p2]
                person2 = person1
            if ev[p2] > 0:
                dtime = tt[p2]
                break
            k += 1
        if k == nused:
            break
        while person1 < nused:
            p1 = s1[person1]
            if ts[p1] < dtime or st[p1] != istrat:
                break
            if at[p1]:
                denom -= sc[p1] * wt[p1]
                r[p1] -= cumhaz * sc[p1]
            person1 += 1
        deaths = 0.0
        e_denom = 0.0
        wtsum = 0.0
        k = person2
        while k < nused:
            p2 = s2[k]
            if tt[p2] < dtime or st[p2] != istrat:
                break
            if ev[p2] == 1:
                at[p2] = True
                r[p2] = 1.0 + cumhaz * sc[p2]
                deaths += 1
                denom += sc[p2] * wt[p2]
                e_denom += sc[p2] * wt[p2]
                wtsum += wt[p2]
            elif ts[p2] < dtime:
                denom += sc[p2] * wt[p2]
                at[p2] = True
                r[p2] = cumhaz * sc[p2]
            k += 1
        if not efron or deaths == 1:
            hazard = wtsum / denom
            person2 = k
        else:
            hazard = 0.0
            e_hazard = 0.0
            wtsum /= deaths
            for i in range(int(deaths)):
                temp = i / deaths
                hazard += wtsum / (denom - temp * e_denom)
                e_hazard += wtsum * (1 - temp) / (denom - temp * e_denom)
            temp = hazard - e_hazard
            while person2 < k:
                p2 = s2[person2]
                if ev[p2] > 0:
                    r[p2] += temp * sc[p2]
                person2 += 1
        cumhaz += hazard
    while person1 < nused:
        p1 = s1[person1]
        if at[p1]:
            r[p1] -= cumhaz * sc[p1]
        person1 += 1
    return np.asarray(r, dtype=float)


def martingale(time: np.ndarray, status: np.ndarray, strata: np.ndarray | None, weights: np.ndarray,
               lp: np.ndarray, method: str, start: np.ndarray | None = None) -> np.ndarray:
    """``fit$residuals`` of a Cox fit with linear predictors ``lp`` (in data order).

    ``time`` is the (timefixed) stop time, ``status`` 0/1, ``strata`` integer
    codes or None, ``method`` the fit's ties, ``start`` the entry times of
    (start, stop] data.
    """
    n = time.size
    s = np.zeros(n, dtype=np.intp) if strata is None else np.asarray(strata, dtype=np.intp)
    score = safe_score(np.asarray(lp, dtype=float))
    status = np.asarray(status, dtype=float)
    if start is not None:
        from .agreg import agreg_order

        sort1, sort2, nused = agreg_order(start, time, status, None if strata is None else s)
        return agmart3(start, time, status, score, weights, s, sort1, sort2, nused, method == "efron")
    out = np.empty(n)
    if method == "exact":  # coxexact.fit: order(strata, -time), weights 1, Breslow's hazard
        o = stable_order(s, -time)
        out[o] = coxmart2(time[o], status[o], s[o], score[o], np.ones(n))
        return out
    o = stable_order(s, time)  # coxph.fit: order(strata, time)
    out[o] = coxmart(time[o], status[o], s[o], score[o], weights[o], method == "efron")
    return out
