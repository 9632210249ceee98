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
from .._validate import as_choice
from ._riskset import event_times, seq_last, sorted_rows
from .refit import fit_data, refuse_unclassed

__all__ = ["coxph_detail"]


def coxph_detail(fit: CoxPH, riskmat: bool = False, rorder: str = "data") -> CoxDetail:
    """``coxph.detail(fit, riskmat=, rorder=)``: per event time, the number of
    events and at risk, the hazard increment and its variance, the risk-set
    means, the score and information contributions; with ``riskmat``, which
    rows are at risk at each time (rows in data order, or with ``rorder =
    "time"`` in the fit's sorted order, ``sortorder`` giving it)."""
    refuse_unclassed(fit, "coxph.detail", "Detailed output is not available for the coxph method")
    if fit.method not in ("breslow", "efron"):
        raise InvalidArgument(f"Detailed output is not available for the {fit.method} method (R's error)",
                              kind="detail.method")
    if not isinstance(riskmat, (bool, np.bool_)):
        raise InvalidArgument(f"`riskmat` must be True or False; got riskmat={riskmat!r}", kind="riskmat.type")
    rorder = as_choice(rorder, "rorder", ("data", "time"), partial=True)
    fd = fit_data(fit)
    prep = fd.prep
    x = prep.x
    n, p = x.shape
    if p == 0:
        raise InvalidArgument("`fit` is the null model (no covariates): coxph.detail needs covariates (R fails "
                              "for coxph.null)", kind="detail.null")
    start, stop = fd.times()
    rows = sorted_rows(start, stop, prep.event.astype(float), prep.strata)
    o, t1, ev, so = rows.order, rows.stop, rows.event, rows.strata
    X = x[o].astype(float, copy=True)
    with np.errstate(over="ignore"):
        score = np.exp(fd.lp)[o]  # exp(object$linear.predictors)[ord]
    w = prep.weights[o]
    # centre each column at its mean, summed in (sorted) row order as the C loop does
    colmean = np.cumsum(X, axis=0)[-1] / n if n else np.zeros(p)
    X -= colmean[None, :]
    efron = 1.0 if fit.method == "efron" else 0.0
    out_time, out_nevent, out_nrisk, out_haz, out_varhaz, out_strata = [], [], [], [], [], []
    out_means, out_u, out_i, at_risk = [], [], [], []
    for first, after, time, ks in event_times(rows):
        if riskmat:
            at_risk.append(ks)
        risk = score[ks] * w[ks]
        Xk = X[ks]
        denom = seq_last(np.cumsum(risk))
        a = seq_last(np.cumsum(risk[:, None] * Xk, axis=0))
        # cmat[i][j] += risk * x_i * x_j: (risk * x_i) * x_j, summed in row order
        cmat = seq_last(np.cumsum((risk[:, None] * Xk)[:, :, None] * Xk[:, None, :], axis=0))
        dead = (t1[ks] == time) & (ev[ks] == 1)
        deaths = int(dead.sum())
        meanwt = seq_last(np.cumsum(w[ks][dead])) / deaths
        efron_wt = seq_last(np.cumsum(risk[dead]))
        a2 = seq_last(np.cumsum(risk[dead][:, None] * Xk[dead], axis=0)) if deaths else np.zeros(p)
        cmat2 = seq_last(np.cumsum((risk[dead][:, None] * Xk[dead])[:, :, None] * Xk[dead][:, None, :], axis=0)) \
            if deaths else np.zeros((p, p))
        hazard = varhaz = 0.0
        means = np.zeros(p)
        u = np.zeros(p)
        imat = np.zeros((p, p))
        itemp = -1
        for k in range(first, after):
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
        out_time.append(time)
        out_nevent.append(float(deaths))
        out_nrisk.append(float(ks.size))
        out_haz.append(hazard)
        out_varhaz.append(varhaz)
        out_means.append(means)
        out_u.append(u)
        out_i.append(imat)
        out_strata.append(int(so[first]))
    if len(out_time) == 1 and p > 1:
        # (matrix(...))[keep, ] drops to a vector and dimnames<- fails: R has no answer
        raise InvalidArgument("coxph.detail of one event time and several coefficients: R fails here "
                              "('dimnames' applied to non-array)", kind="detail.one_time")
    strata = None
    if prep.strata_term:
        levels = prep.strata_used or []
        strata = tuple(r_label(levels[c]) for c in out_strata)
    rmat = sortorder = None
    if riskmat:
        # coxdetail.c's rmat: the risk set of each time, in the sorted rows; rorder "data" puts them back
        rmat = np.zeros((n, len(at_risk)))
        for k, ks in enumerate(at_risk):
            rmat[ks, k] = 1.0
        if rorder == "data":
            back = np.zeros_like(rmat)
            back[o] = rmat
            rmat = back
        else:
            sortorder = np.asarray(o, dtype=np.int64)
    return CoxDetail(riskmat=rmat, sortorder=sortorder,
                     time=np.asarray(out_time), nevent=np.asarray(out_nevent), nrisk=np.asarray(out_nrisk),
                     hazard=np.asarray(out_haz), varhaz=np.asarray(out_varhaz),
                     means=np.asarray(out_means).reshape(-1, p), score=np.asarray(out_u).reshape(-1, p),
                     imat=np.asarray(out_i).reshape(-1, p, p), strata=strata, columns=tuple(fit.names))
