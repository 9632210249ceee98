"""The infinitesimal-jackknife (robust) variance of a Kaplan-Meier curve:
survfitkm.c's second pass when ``nid > 0`` (survival 3.5-3).

Each cluster ``k`` carries its influence on the survival (``inf1``) and on the
cumulative hazard (``inf2``); at every time with an event all of them are
updated, then the rows ending there are caught up. The variance is the sum of
squares over clusters. :func:`ij_replay` replays that loop for the four curve
types, right-censored or (start, stop] data, any clusters, vectorised over the
clusters at each time in R's operation order (bit-for-bit parity);
:func:`ij_closed_form` is the O(n log n) closed form of type 1 with every row
its own cluster, for data too large for the O(rows x times) replay.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _libm as libm
from .km_counts import KMCounts

__all__ = ["IJCurve", "ij_replay", "ij_closed_form"]


@dataclass(frozen=True)
class IJCurve:
    """The robust branch's curve: ``kvec``, ``nvec``, ``std[0]``, ``std[1]``
    and, when asked, the influence matrices (clusters x times)."""

    surv: np.ndarray
    cumhaz: np.ndarray
    std_surv: np.ndarray
    std_chaz: np.ndarray
    influence_surv: np.ndarray | None = None
    influence_chaz: np.ndarray | None = None


def _fh_robust_terms(wr: float, wd: float, nd: int) -> tuple[float, float, float]:
    """survfitkm.c's Fleming-Harrington pieces of the robust branch at one
    time (wr at risk, wd weighted and nd counted deaths): the average
    denominator ``dtemp`` and the derivative sums ``dtemp2``, ``dtemp3``."""
    temp = wr - wd  # the weight of the non-deaths
    dtemp = dtemp2 = dtemp3 = 0.0
    for k in range(nd, 0, -1):
        frac = k / nd
        btemp = 1 / (temp + frac * wd)
        dtemp += btemp
        dtemp2 += btemp * btemp * frac
        dtemp3 += btemp * btemp
    dtemp /= nd
    if wd != nd:  # case weights
        dtemp2 *= wd / nd
        dtemp3 *= wd / nd
    return dtemp, dtemp2, dtemp3


def _seq_sum(x: np.ndarray) -> float:
    """``for (k...) v += x[k]``: a left-to-right sum (numpy's ``sum`` is pairwise)."""
    return float(np.cumsum(x)[-1]) if x.size else 0.0


def ij_replay(c: KMCounts, start: np.ndarray | None, event: np.ndarray, w: np.ndarray, cluster: np.ndarray,
              nid: int, survtype: int, influence: int = 0) -> IJCurve:
    """survfitkm.c's ``nid > 0`` branch.

    ``cluster``: each row's cluster, 0..nid-1; ``start``: the (timefixed)
    starts of (start, stop] data, None for right-censored data (then every
    cluster is at risk from the beginning); ``survtype``: 1 KM and
    Nelson-Aalen, 2 KM and Fleming-Harrington, 3 exp(-NA), 4 exp(-FH);
    ``influence``: 1 or 3 keeps ``inf1`` (types 1, 2) and 2 or 3 ``inf2`` at
    every time (any value for types 3, 4: ``inf2``).
    """
    nrisk, d1, d0 = c.n_risk, c.n_event, c.d0
    ntime = c.time.size
    km_curve = survtype in (1, 2)
    aalen = survtype in (1, 3)
    sort2 = c.order()
    ts = c.codes[sort2]
    gwt = np.zeros(nid)
    gcount = np.zeros(nid, dtype=np.intp)
    if start is None:  # at the start everyone is at risk (rows in data order)
        np.add.at(gcount, cluster, 1)
        np.add.at(gwt, cluster, w)
    else:
        sort1 = np.argsort(start, kind="stable")
        enter_at = np.searchsorted(c.time, start[sort1], side="right")  # first time with start < t
    inf1 = np.zeros(nid)
    inf2 = np.zeros(nid)
    keep1 = km_curve and influence in (1, 3)
    keep2 = influence in (2, 3) if km_curve else influence > 0
    imat1 = np.empty((nid, ntime)) if keep1 else None
    imat2 = np.empty((nid, ntime)) if keep2 else None
    surv, cumhaz = np.empty(ntime), np.empty(ntime)
    std0, std1 = np.empty(ntime), np.empty(ntime)
    v1 = v2 = 0.0
    km, nelson = 1.0, 0.0
    p1 = p2 = 0
    for i in range(ntime):
        if start is not None:  # add in those whose start time is < t_i
            q1 = int(np.searchsorted(enter_at, i, side="right"))
            rows = sort1[p1:q1]
            np.add.at(gcount, cluster[rows], 1)
            np.add.at(gwt, cluster[rows], w[rows])
            p1 = q1
        q2 = int(np.searchsorted(ts, i, side="right"))
        here = sort2[p2:q2]  # the rows whose stop is t_i
        p2 = q2
        if d0[i] > 0 and d1[i] > 0:
            n3 = nrisk[i]
            haz = d1[i] / n3
            dead = here[event[here] == 1]
            if aalen:
                nelson += haz
                inf2 = inf2 - gwt * haz / n3  # inf2[k] -= gwt[k] * haz / n[3][i]
                dies = w[dead] / n3
            else:
                dtemp, dtemp2, dtemp3 = _fh_robust_terms(n3, d1[i], int(d0[i]))
                nelson += d1[i] * dtemp
                inf2 = np.where(gcount > 0, inf2 - gwt * dtemp3, inf2)
                dies = w[dead] * (dtemp + dtemp3 - dtemp2)
            if km_curve:
                inf1 = inf1 * (1.0 - haz) + gwt * km * haz / n3
                np.subtract.at(inf1, cluster[dead], km * w[dead] / n3)
            np.add.at(inf2, cluster[dead], dies)
            if km_curve:
                km *= 1 - haz
                v1 = _seq_sum(inf1 * inf1)
            v2 = _seq_sum(inf2 * inf2)
        # the rows ending here leave: gcount--, and gwt -= wt until the cluster's last row, then 0
        cl = cluster[here]
        np.subtract.at(gcount, cl, 1)
        np.subtract.at(gwt, cl, w[here])
        gwt[cl[gcount[cl] == 0]] = 0.0
        cumhaz[i] = nelson
        std1[i] = np.sqrt(v2)
        if km_curve:
            surv[i] = km
            std0[i] = np.sqrt(v1)
        else:
            surv[i] = libm.exp(np.array([-nelson]))[0]  # C's exp
            std0[i] = std1[i]
        if imat1 is not None:
            imat1[:, i] = inf1
        if imat2 is not None:
            imat2[:, i] = inf2
    return IJCurve(surv, cumhaz, std0, std1, imat1, imat2)


def ij_closed_form(e: np.ndarray, w: np.ndarray, c: KMCounts, surv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Infinitesimal-jackknife standard errors of S and of the cumulative hazard,
    each subject its own cluster (survfitkm.c, ``nid > 0``, type 1, right-censored).

    The C code updates every subject's influence at each event time:
    ``inf1 = inf1 (1 - h) + w Y S(t-) h / n`` and ``inf1 -= S(t-) w / n`` for the
    subjects who die there; ``inf2 -= w Y h / n``, ``inf2 += w / n`` for deaths.
    Unrolling the recursion gives, with ``a_j = h_j / (n_j (1 - h_j))``:

        inf1_k(i) = S_i w_k [ sum_{j <= i, j <= t_k} a_j - delta_k 1{t_k <= t_i} / (n (1 - h))_{t_k} ]
        inf2_k(i) = w_k [ delta_k 1{t_k <= t_i} / n_{t_k} - sum_{j <= i, j <= t_k} h_j / n_j ]

    so the variance at each time is a sum over subjects still at risk (a common
    factor) plus a cumulative sum over those who left: O(n log n) instead of the
    C loop's O(n x times). After S reaches 0 every influence is 0.
    """
    nrisk, d1 = c.n_risk, c.n_event
    has_event = c.has_event
    ntime = c.time.size
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(has_event, d1 / nrisk, 0.0)
        a = np.where(has_event, h / (nrisk * (1 - h)), 0.0)
        b = np.where(has_event, h / nrisk, 0.0)
    A = np.cumsum(a)  # through time i, inclusive
    B = np.cumsum(b)
    tk = c.codes  # subject k leaves at its own time index tk
    with np.errstate(divide="ignore", invalid="ignore"):
        A_prev = A[tk] - a[tk]
        # delta=1: A(t_k-) + (h - 1)/(n(1-h)) = A(t_k-) - 1/n ; delta=0: A(t_k)
        g1 = np.where(e == 1, A_prev - 1.0 / nrisk[tk], A[tk])
        # inf2: delta=1: 1/n - B(t_k) ; delta=0: -B(t_k)
        g2 = np.where(e == 1, 1.0 / nrisk[tk] - B[tk], -B[tk])
    w2 = w * w
    # sum of w^2 over subjects still at risk after time i (t_k > t_i)
    left_at = np.bincount(tk, weights=w2, minlength=ntime)
    w2_after = np.concatenate((np.cumsum(left_at[::-1])[::-1][1:], [0.0]))
    gone1 = np.cumsum(np.bincount(tk, weights=w2 * g1 * g1, minlength=ntime))
    gone2 = np.cumsum(np.bincount(tk, weights=w2 * g2 * g2, minlength=ntime))
    with np.errstate(invalid="ignore"):
        v1 = surv * surv * (A * A * w2_after + gone1)
        v2 = B * B * w2_after + gone2
    v1 = np.where(surv == 0, 0.0, v1)
    # before the first event nothing has been updated: R reports 0
    first = np.cumsum(has_event) == 0
    v1[first] = 0.0
    v2[first] = 0.0
    return np.sqrt(v1), np.sqrt(v2)
