"""Baseline cumulative hazard of a Cox fit: ``survival::basehaz`` =
``survfit.coxph(fit, se.fit=FALSE)`` at the covariate means (survival 3.5-3,
``survfit.coxph.R``, ``coxsurv.fit``, ``agsurv.R``, ``src/agsurv5.c``).

Per stratum, at every distinct time (censored times included), with risk
scores ``r = exp(X beta - sum(beta * means))`` and case weights w:

* Breslow (``ties`` breslow or exact): ``dH = (weighted deaths) / sum(w r)``;
* Efron: ``dH = (weighted deaths) (1/d) sum_{j=0}^{d-1} 1/(R - (j/d) E)``
  with d the number of deaths, R = sum(w r) over the risk set and E the
  deaths' part of it.

``centered=False`` multiplies by ``exp(-sum(beta * means))``: the hazard at
X = 0 (R's own definition; columns in ``nocenter`` have mean 0 already).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxPH

from .._rformat import r_label
from .._rmath import r_mean, r_sum
from .agsurv import agsurv
from .fit import linear_predictor
from .refit import fit_data, refuse_unclassed

__all__ = ["basehaz"]


def basehaz(fit: CoxPH, centered: bool = True) -> pd.DataFrame:
    """Baseline cumulative hazard, as ``basehaz(fit, centered=)``.

    Returns a DataFrame with columns ``time, hazard`` (one row per distinct
    time, censored times included), plus ``strata`` for a stratified fit.
    """
    refuse_unclassed(fit, "basehaz", "must be a coxph object")
    if not isinstance(centered, (bool, np.bool_)):
        raise InvalidArgument(f"`centered` must be True or False; got centered={centered!r}", kind="centered.type")
    fd = fit_data(fit)
    prep = fd.prep
    beta = np.where(np.isnan(fd.coef), 0.0, fd.coef)
    xcenter = r_sum(fd.means * beta)
    if prep.offset_raw is None:
        with np.errstate(over="ignore"):
            risk = np.exp(linear_predictor(prep.x, beta, np.zeros(prep.x.shape[0])) - xcenter)
    else:
        # survfit.coxph with an offset: offset.mean (weighted by the case weights when
        # there are some), risk <- exp(X %*% beta + offset - xcenter) with
        # xcenter <- sum(means * beta) + offset.mean (R 3.5-3's basehaz is that
        # hazard as it is: measured, no further scaling of the curve at the means)
        off = prep.offset_raw
        if prep.has_weights:
            w = prep.weights
            mean_off = float(r_sum(off * (w / r_sum(w))))
        else:
            mean_off = r_mean(off)
        xc = xcenter + mean_off
        with np.errstate(over="ignore"):
            risk = np.exp((linear_predictor(prep.x, beta, np.zeros(prep.x.shape[0])) + off) - xc)
    efron = fit.method == "efron"
    t, e, w = fd.time, prep.event, prep.weights
    start = None
    if prep.start is not None:  # (start, stop]: agsurv's risk sets leave out the rows not yet entered
        from .counting import counting_times

        start, t = counting_times(prep)
    strata = prep.strata
    pieces = []
    levels = prep.strata_levels if strata is not None else [None]
    for k, lev in enumerate(levels):
        sel = np.ones(t.size, dtype=bool) if strata is None else strata == k
        a = agsurv(t[sel], e[sel], w[sel], risk[sel], 3 if efron else 2, None if start is None else start[sel])
        part = pd.DataFrame({"time": a.time, "hazard": a.cumhaz})
        if strata is not None:
            part["strata"] = r_label(lev)
        pieces.append(part)
    out = pd.concat(pieces, ignore_index=True)
    if not centered:
        out["hazard"] = out["hazard"] * np.exp(-xcenter)
    return out
