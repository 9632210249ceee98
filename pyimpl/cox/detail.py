"""The pieces of a Cox fit at each event time: ``coxph.detail(fit)``
(survival 3.5-3, ``R/coxph.detail.R``, ``src/coxdetail.c``).

On the rows in ``order(strata, stop, -status)``, with the covariates centred
at their (unweighted) column means first, at each distinct event time of a
stratum and over its risk set (the later rows of the stratum with start <
t): the risk-weighted sums ``a = sum w r x``, ``C = sum w r x x'`` and,
over the d tied events, ``a2`` and ``C2``; then for the k-th tied event
(Efron: ``f = k / d``; Breslow: 0), with ``D = denom - f * e`` and ``m =
mean case weight of the events``:

* ``hazard += m / D``, ``varhaz += m^2 / D^2``;
* ``means += (colmean + (a - f a2) / D) / d``;
* ``score += w x - m (a - f a2) / D``;
* ``imat += m ((C - f C2) - (a - f a2)(a - f a2)' / D) / D``.

Every sum is accumulated in coxdetail.c's order. R refuses the exact method.
"""
from __future__ import annotations

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxDetail, CoxPH

from .._rformat import r_label
from ._order import stable_order
from .refit import fit_data

__all__ = ["coxph_detail"]


def coxph_detail(fit: CoxPH) -> CoxDetail:
    """``coxph.detail(fit)``: per event time, the number of events and at risk,
    the hazard increment and its variance, the risk-set means, the score and
    information contributions."""
    if fit.method not in ("breslow", "efron"):
        raise InvalidArgument(f"Detailed output is not available for the {fit.method} method (R's error)",
                              kind="detail.method")
    fd = fit_data(fit)
    prep = fd.prep
    x = prep.x
    n, p = x.shape
    if p == 0:
        raise InvalidArgument("`fit` is the null model (no covariates): coxph.detail needs covariates (R fails "
                              "for coxph.null)", kind="detail.null")
    start, stop = None, fd.time
    if prep.start is not None:
        from .counting import counting_times

        start, stop = counting_times(prep)
    status = prep.event.astype(float)
    if start is None:
        m = float(stop.min()) if n else 0.0
        start = np.full(n, 2 * m - 1 if m < 0 else -1.0)
    s = prep.strata if prep.strata is not None else np.zeros(n, dtype=np.intp)
    o = stable_order(s, stop, -status)
    X = x[o].astype(float, copy=True)
    t0, t1, ev, so = start[o], stop[o], status[o], s[o]
    with np.errstate(over="ignore"):
        score = np.exp(fd.lp)[o]  # exp(object$linear.predictors)[ord]
    w = prep.weights[o]
    # centre each column at its mean, summed in (sorted) row order as the C loop does
    colmean = np.cumsum(X, axis=0)[-1] / n if n else np.zeros(p)
    X -= colmean[None, :]
    ends = np.flatnonzero(np.append(so[1:] != so[:-1], True)) + 1
    end_of = np.repeat(ends, np.diff(np.concatenate(([0], ends))))
    efron = 1.0 if fit.method == "efron" else 0.0
    out_time, out_nevent, out_nrisk, out_haz, out_varhaz, out_strata = [], [], [], [], [], []
    out_means, out_u, out_i = [], [], []
    person = 0
    while person < n:
        if ev[person] == 0:
            person += 1
            continue
        time = t1[person]
        ks = np.arange(person, end_of[person])
        ks = ks[t0[ks] < time]
        risk = score[ks] * w[ks]
        Xk = X[ks]
        denom = _last(np.cumsum(risk))
        a = _last(np.cumsum(risk[:, None] * Xk, axis=0))
        # cmat[i][j] += risk * x_i * x_j: (risk * x_i) * x_j, summed in row order
        cmat = _last(np.cumsum((risk[:, None] * Xk)[:, :, None] * Xk[:, None, :], axis=0))
        dead = (t1[ks] == time) & (ev[ks] == 1)
        deaths = int(dead.sum())
        wdead = w[ks][dead]
        meanwt = _last(np.cumsum(wdead)) / deaths
        efron_wt = _last(np.cumsum(risk[dead]))
        a2 = _last(np.cumsum(risk[dead][:, None] * Xk[dead], axis=0)) if deaths else np.zeros(p)
        cmat2 = _last(np.cumsum((risk[dead][:, None] * Xk[dead])[:, :, None] * Xk[dead][:, None, :], axis=0)) \
            if deaths else np.zeros((p, p))
        hazard = varhaz = 0.0
        means = np.zeros(p)
        u = np.zeros(p)
        imat = np.zeros((p, p))
        itemp = -1
        k = person
        while k < end_of[person] and t1[k] == time:
            if ev[k] == 1:
                itemp += 1
                temp = itemp * efron / deaths
                d2 = denom - temp * efron_wt
                hazard += meanwt / d2
                varhaz += meanwt * meanwt / (d2 * d2)
                temp2 = (a - temp * a2) / d2
                means += (colmean + temp2) / deaths
                u += w[k] * X[k] - meanwt * temp2
                temp3 = ((cmat - temp * cmat2) - temp2[:, None] * (a - temp * a2)[None, :]) / d2
                temp3 = temp3 * meanwt
                imat += np.tril(temp3) + np.tril(temp3, -1).T
            k += 1
        out_time.append(time)
        out_nevent.append(float(deaths))
        out_nrisk.append(float(ks.size))
        out_haz.append(hazard)
        out_varhaz.append(varhaz)
        out_means.append(means)
        out_u.append(u)
        out_i.append(imat)
        out_strata.append(int(so[person]))
        person = k
    if len(out_time) == 1 and p > 1:
        # (matrix(...))[keep, ] drops to a vector and dimnames<- fails: R has no answer
        raise InvalidArgument("coxph.detail of one event time and several coefficients: R fails here "
                              "('dimnames' applied to non-array)", kind="detail.one_time")
    strata = None
    if prep.strata_term:
        levels = prep.strata_used or []
        strata = tuple(r_label(levels[c]) for c in out_strata)
    return CoxDetail(time=np.asarray(out_time), nevent=np.asarray(out_nevent), nrisk=np.asarray(out_nrisk),
                     hazard=np.asarray(out_haz), varhaz=np.asarray(out_varhaz),
                     means=np.asarray(out_means).reshape(-1, p), score=np.asarray(out_u).reshape(-1, p),
                     imat=np.asarray(out_i).reshape(-1, p, p), strata=strata, columns=tuple(fit.names))


def _last(c: np.ndarray):
    """The last entry of a running sum (0 when empty): C's sequential ``+=``."""
    if c.shape[0] == 0:
        return 0.0 if c.ndim == 1 else np.zeros(c.shape[1:])
    return c[-1]
