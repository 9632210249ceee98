"""survival's ``agsurv`` (survival 3.5-3, ``R/agsurv.R`` and ``src/agsurv5.c``):
the baseline hazard of a Cox fit at every distinct (stop) time of one
stratum, with its variance terms, as ``survfit.coxph``, ``basehaz`` and
``predict(type = "expected", se.fit = TRUE)`` use it.

With case weights w, risk scores r and (start, stop] rows, at each distinct
time t: ``nrisk = sum w r`` over the rows at risk (stop >= t, start < t),
``xsum = sum w r x`` over them; Breslow (survtype 2):
``dH = nevent / nrisk``, ``varhaz = nevent / nrisk^2``,
``xbar = (xsum / nrisk) dH``; Efron (survtype 3), with d tied deaths whose
risk sums are ``erisk`` and ``xsum2``:
``dH = nevent * (1/d) sum_j 1/(nrisk - j/d erisk)``, ``varhaz`` the same with
squares, ``xbar = nevent * (1/d) sum_j (xsum - j/d xsum2) / (nrisk - j/d erisk)^2``.
``cumhaz`` and ``xbar`` are then cumulated over time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._rmath import r_cumsum

__all__ = ["AgSurv", "agsurv"]


@dataclass(frozen=True)
class AgSurv:
    time: np.ndarray  # sorted distinct stop times
    cumhaz: np.ndarray
    varhaz: np.ndarray  # per time (not cumulated)
    xbar: np.ndarray | None  # (times, p), cumulated; None when not asked for
    n_risk: np.ndarray  # weighted number at risk (irisk)
    n_event: np.ndarray  # weighted events
    n_censor: np.ndarray  # weighted censorings
    km: np.ndarray | None = None  # survtype 1: the Kalbfleisch-Prentice factor at each time (agsurv4.c)
    hazard: np.ndarray | None = None  # the hazard at each time (R's haz; cumhaz is its cumsum)


def _rowsum(v: np.ndarray, inv: np.ndarray, m: int) -> np.ndarray:
    """R's ``rowsum``: group sums accumulated in data order."""
    out = np.zeros((m,) + v.shape[1:])
    np.add.at(out, inv, v)
    return out


def _rcumsum(v: np.ndarray) -> np.ndarray:
    """``rev(cumsum(rev(x)))``, column by column."""
    return np.cumsum(v[::-1], axis=0)[::-1]


def agsurv(stop: np.ndarray, event: np.ndarray, w: np.ndarray, risk: np.ndarray, survtype: int,
           start: np.ndarray | None = None, x: np.ndarray | None = None) -> AgSurv:
    """``agsurv(y, x, wt, risk, survtype, vartype)`` with vartype = survtype:
    1 (Kalbfleisch-Prentice), 2 (Breslow) or 3 (Efron); ``x`` (n, p) the
    covariates (as the caller centres them), needed only for ``xbar``."""
    utime, inv = np.unique(stop, return_inverse=True)
    inv = inv.reshape(-1)
    m = utime.size
    death = (event == 1).astype(float)
    nevent = _rowsum(w * death, inv, m)
    wrisk = w * risk
    nrisk = r_cumsum(_rowsum(wrisk, inv, m)[::-1])[::-1]
    ncens = _rowsum(w * (1 - death), inv, m)
    irisk = r_cumsum(_rowsum(w, inv, m)[::-1])[::-1]
    xsum = None
    if x is not None:
        xsum = _rcumsum(_rowsum(wrisk[:, None] * x, inv, m))
    if start is not None:
        # entry times: the rows not yet entered at t leave the sums (approx(etime, ..., rule = 2, f = 1):
        # the first distinct start at or after t)
        ustart, sinv = np.unique(start, return_inverse=True)
        sinv = sinv.reshape(-1)
        indx = np.searchsorted(ustart, utime, side="left")
        esum = r_cumsum(_rowsum(wrisk, sinv, ustart.size)[::-1])[::-1]
        nrisk = nrisk - np.append(esum, 0.0)[indx]
        irisk = irisk - np.append(r_cumsum(_rowsum(w, sinv, ustart.size)[::-1])[::-1], 0.0)[indx]
        if x is not None:
            xout = _rcumsum(_rowsum(wrisk[:, None] * x, sinv, ustart.size))
            xsum = xsum - np.vstack([xout, np.zeros((1, x.shape[1]))])[indx]
    ndeath = np.bincount(inv, weights=event, minlength=m).astype(np.int64)
    km = None
    if survtype == 1:
        dead = np.flatnonzero(event == 1)
        dead = dead[np.argsort(stop[dead], kind="stable")]  # (which(status == 1))[order(dtime[status == 1])]
        km = _agsurv4(ndeath, risk[dead], w[dead], nrisk)
    if survtype == 3:
        erisk = _rowsum(wrisk * death, inv, m)
        xsum2 = _rowsum((wrisk * death)[:, None] * x, inv, m) if x is not None else None
        sum1, sum2, xb = _agsurv5(ndeath, nrisk, erisk, xsum, xsum2)
        haz = nevent * sum1
        varhaz = nevent * sum2
        xbar = None if xb is None else nevent[:, None] * xb
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            haz = nevent / nrisk
            if survtype == 1:  # nevent / (nrisk * ifelse(nevent >= nrisk, nrisk, nrisk - nevent))
                varhaz = nevent / (nrisk * np.where(nevent >= nrisk, nrisk, nrisk - nevent))
            else:
                varhaz = nevent / (nrisk * nrisk)
            xbar = None if xsum is None else (xsum / nrisk[:, None]) * haz[:, None]
    return AgSurv(time=utime, cumhaz=r_cumsum(haz), varhaz=varhaz,
                  xbar=None if xbar is None else np.cumsum(xbar, axis=0), n_risk=irisk, n_event=nevent,
                  n_censor=ncens, km=km, hazard=haz)


def _agsurv4(ndeath: np.ndarray, risk: np.ndarray, wt: np.ndarray, denom: np.ndarray) -> np.ndarray:
    """agsurv4.c: the Kalbfleisch-Prentice factor at each time: closed form for
    one death, 35 bisection steps of sum w r / (1 - k^r) = denom for ties."""
    km = np.ones(ndeath.size)
    j = 0
    for i in range(ndeath.size):
        d = int(ndeath[i])
        if d == 1:
            km[i] = (1 - wt[j] * risk[j] / denom[i]) ** (1 / risk[j])
        elif d > 1:
            guess, inc = 0.5, 0.25
            for _ in range(35):
                sumt = 0.0
                for k in range(j, j + d):
                    sumt += wt[k] * risk[k] / (1 - guess ** risk[k])
                guess = guess + inc if sumt < denom[i] else guess - inc
                inc = inc / 2
            km[i] = guess
        j += d
    return km


def _agsurv5(ndeath, nrisk, erisk, xsum, xsum2):
    """agsurv5.c: Efron's sums at each time (d = 1 in closed form, d > 1 term by term)."""
    m = ndeath.size
    sum1 = np.zeros(m)
    sum2 = np.zeros(m)
    xbar = None if xsum is None else np.zeros_like(xsum)
    with np.errstate(divide="ignore", invalid="ignore"):
        one = ndeath == 1
        t = 1 / nrisk[one]
        sum1[one] = t
        sum2[one] = t * t
        if xbar is not None:
            xbar[one] = xsum[one] * t[:, None] * t[:, None]
        for i in np.flatnonzero(ndeath > 1):
            d = float(ndeath[i])
            s1 = s2 = 0.0
            xb = np.zeros(xsum.shape[1]) if xbar is not None else None
            for j in range(int(d)):
                temp = 1 / (nrisk[i] - erisk[i] * j / d)
                s1 += temp / d
                s2 += temp * temp / d
                if xb is not None:
                    xb += ((xsum[i] - xsum2[i] * j / d) * temp * temp) / d
            sum1[i], sum2[i] = s1, s2
            if xbar is not None:
                xbar[i] = xb
    return sum1, sum2, xbar
