"""The pieces of ``cox.zph`` that differ for (start, stop] data (survival
3.5-3, ``cox.zph`` with ``zph2``): the ``km`` time scale is the Kaplan-Meier of
(start, stop] data (``survfitKM`` with delayed entry: at risk at t when start <
t <= stop), and the score and information of the added covariates g(t) x come
from the risk sets of (start, stop] data.

At each event time t of a stratum, with r = w exp(lp) over the rows at risk
and the d events' own sums (Efron: the k-th of d tied events sees k/d of their
risk removed; Breslow: one step), each step adds meanwt x (V, g V, g^2 V) to
the information blocks (V the weighted covariance of x over the step's risk
set) and the events add w g (x - xbar) to the score of g x.
"""
from __future__ import annotations

import numpy as np

__all__ = ["km_left_continuous", "zph_blocks"]


def km_left_continuous(start: np.ndarray, stop: np.ndarray, event: np.ndarray, times: np.ndarray) -> np.ndarray:
    """``1 - S(t-)`` at ``times`` of the unweighted KM of (start, stop] data
    (cox.zph's ``km`` transform: ``findInterval(times, km$time, left.open = TRUE)``)."""
    utime = np.unique(stop)
    dead = event == 1
    surv = np.empty(utime.size)
    s = 1.0
    for i, t in enumerate(utime):
        nrisk = float(np.sum((start < t) & (stop >= t)))
        nevent = float(np.sum(dead & (stop == t)))
        if nrisk > 0:
            s = s * (1 - nevent / nrisk)
        surv[i] = s
    idx = np.searchsorted(utime, times, side="left")
    return 1 - np.concatenate(([1.0], surv))[idx]


def zph_blocks(x: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray, weights: np.ndarray,
               strata: np.ndarray, lp: np.ndarray, gtime: np.ndarray, efron: bool):
    """(u2, i11, i12, i22): the score of g(t) x and the information blocks."""
    n, p = x.shape
    r = weights * np.exp(lp)
    u2 = np.zeros(p)
    i11 = np.zeros((p, p))
    i12 = np.zeros((p, p))
    i22 = np.zeros((p, p))
    dead = event == 1
    for k in np.unique(strata):
        ins = strata == k
        for t in np.unique(stop[ins & dead]):
            risk = ins & (start < t) & (stop >= t)
            dth = risk & dead & (stop == t)
            g = float(gtime[np.flatnonzero(dth)[0]])
            xr, rr = x[risk], r[risk]
            xd, rd, wd = x[dth], r[dth], weights[dth]
            s0, s1, s2 = rr.sum(), rr @ xr, (xr * rr[:, None]).T @ xr
            e0, e1, e2 = rd.sum(), rd @ xd, (xd * rd[:, None]).T @ xd
            d = int(dth.sum())
            steps = range(d) if (efron and d > 1) else [0]
            meanwt = wd.sum() / (d if (efron and d > 1) else 1)
            xsum = np.zeros(p)
            for j in steps:
                f = j / d
                den = s0 - f * e0
                mean = (s1 - f * e1) / den
                V = (s2 - f * e2) / den - np.outer(mean, mean)
                i11 += meanwt * V
                i12 += meanwt * g * V
                i22 += meanwt * g * g * V
                xsum += meanwt * mean
            u2 += g * (wd @ xd - xsum)
    return u2, i11, i12, i22
