"""Test of proportional hazards: ``survival::cox.zph`` (survival 3.5-3,
``cox.zph.R`` and ``src/zph1.c``).

The survival 3.x test is a score test: at the fitted coefficients, add p
covariates ``x * g(t)`` (g the transformed time, centred at its mean over the
events) and test them, one term at a time and all together (GLOBAL). One
pass over the risk sets at the fitted linear predictor gives the 2p score
``(U, U_g)`` and the information ``[[I, I_g], [I_g, I_gg]]``; a term's
statistic is ``u' solve(imat[kk, kk]) u`` with ``u = (0, U_g[term])`` and
``kk`` the p columns plus the term's own; df is the term's number of columns.

The risk-set sums are those of :mod:`.fit` (Efron for an Efron fit, Breslow
otherwise, as ``zph1.c``), with every death time's contribution multiplied
by g (for ``I_g``, ``U_g``) or g^2 (for ``I_gg``).
"""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxPH, CoxZph
from rparity_contract.values import ZPH_TRANSFORMS

from .._rmath import pchisq_upper
from .._validate import as_choice
from ..survival.km import survfit
from ._order import stable_order
from .fit import prepare, risk_sums, score_information
from .refit import fit_data, refuse_unclassed

__all__ = ["cox_zph"]


def _r_mean(v: np.ndarray) -> float:
    import math

    return math.fsum(v.tolist()) / v.size


def _transform(times: np.ndarray, event: np.ndarray, transform: str) -> np.ndarray:
    if transform == "identity":
        return times.copy()
    if transform == "log":
        with np.errstate(divide="ignore"):
            return np.log(times)
    if transform == "rank":
        return rankdata(times, method="average")
    # km: 1 - S(t-) of the pooled, unweighted Kaplan-Meier of the fit's data
    km = survfit(times, event)
    idx = np.searchsorted(km.time, times, side="left")  # findInterval(..., left.open=TRUE)
    return 1 - np.concatenate(([1.0], km.surv))[idx]


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """R's ``solve(a, b)`` (LAPACK dgesv); R stops on an exactly singular matrix."""
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise InvalidArgument("the information matrix of the proportional-hazards test is singular "
                              "(R's solve() stops: 'Lapack routine dgesv: system is exactly singular')",
                              kind="solve.singular") from None


def _blocks(x, t, event, weights, strata, lp, gtime, method):
    """(u2, i11, i12, i22) of right-censored data, on the fit kernel's sums."""
    order = stable_order(strata, t)
    # zph1.c recentres X at its (unweighted) column means; the test does not
    # depend on the centring, so the fit kernel's data structure is reused
    xc = x - x.mean(axis=0)
    d = prepare(t[order], event[order], xc[order], weights[order], strata[order], np.zeros(t.size), method)
    r = (np.exp(lp) * weights)[order][::-1]
    gp = gtime[order][::-1]
    rs = risk_sums(d, r)
    g_step = gp[d.death_q][d.dstarts][d.step_dgroup]
    g_death = gp[d.death_q]
    _, i11 = score_information(d, rs)
    u2, i12 = score_information(d, rs, step_weight=g_step, death_weight=g_death)
    _, i22 = score_information(d, rs, step_weight=g_step * g_step)
    return u2, i11, i12, i22


def cox_zph(fit: CoxPH, transform: str = "km", *, global_: bool = True) -> CoxZph:
    """Test the proportional-hazards assumption of ``fit``, as
    ``cox.zph(fit, transform=, global=)`` with ``terms=TRUE``.

    Parameters
    ----------
    fit : CoxPH
        A fit from any engine (its inputs and coefficients are used).
    transform : {"km", "rank", "identity", "log"}
        Time scale g(t): ``km`` is ``1 - S_KM(t-)`` (R's default).
    global_ : bool
        R's ``global`` (a Python keyword): also the test of all terms together,
        the ``GLOBAL`` row.

    Returns
    -------
    CoxZph
        ``chisq, df, p`` per term (a categorical column is one term) and GLOBAL.
    """
    refuse_unclassed(fit, "cox.zph", "argument must be the result of Cox model fit")
    transform = as_choice(transform, "transform", ZPH_TRANSFORMS)
    if not isinstance(global_, (bool, np.bool_)):
        raise InvalidArgument(f"`global_` must be True or False; got global_={global_!r}", kind="argument.type")
    if fit.nevent == 0:
        raise InvalidArgument("`fit` has no events: there are no score residuals to test "
                              "(R: 'there are no score residuals for a Null model')", kind="fit.no_events")
    if len(fit.coef) == 0:
        raise InvalidArgument("`fit` is the null model (no covariates): there are no score residuals to test "
                              "(R: 'there are no score residuals for a Null model')", kind="fit.no_events")
    fd = fit_data(fit)
    prep = fd.prep
    x = prep.x
    keep = ~np.isnan(fd.coef)
    # terms after dropping NA coefficients (cox.zph.R)
    new_index = np.cumsum(keep) - 1
    terms = []
    for name, cols in zip(fit.term_names, fit.assign):
        cols = [int(new_index[c]) for c in cols if keep[c]]
        if cols:
            terms.append((name, cols))
    x = x[:, keep]
    p = x.shape[1]
    event = prep.event
    strata = prep.strata if prep.strata is not None else np.zeros(x.shape[0], dtype=np.intp)
    method = "efron" if fit.method == "efron" else "breslow"
    if prep.start is not None:  # (start, stop]: zph2
        from .counting import counting_times
        from .zph_counting import km_left_continuous, zph_blocks

        start, t = counting_times(prep)
        g = km_left_continuous(start, t, event, t) if transform == "km" else _transform(t, event, transform)
        gtime = g - _r_mean(g[event == 1])
        u2, i11, i12, i22 = zph_blocks(x, start, t, event, prep.weights, strata, fd.lp, gtime, method == "efron")
    else:
        t = fd.time
        g = _transform(t, event, transform)
        gtime = g - _r_mean(g[event == 1])
        u2, i11, i12, i22 = _blocks(x, t, event, prep.weights, strata, fd.lp, gtime, method)
    imat = np.block([[i11, i12], [i12, i22]])
    u = np.concatenate((np.zeros(p), u2))
    chisq, df = [], []
    for name, cols in terms:
        kk = list(range(p)) + [p + c for c in cols]
        uu = u[kk]
        chisq.append(float(_solve(imat[np.ix_(kk, kk)], uu) @ uu))
        df.append(len(cols))
    names = tuple(n for n, _ in terms)
    if global_:  # cox.zph.R: the GLOBAL row only when asked for (its solve is not made otherwise)
        chisq.append(float(_solve(imat, u) @ u))
        df.append(p)
        names += ("GLOBAL",)
    pv = [float(pchisq_upper(c, k)) for c, k in zip(chisq, df)]
    return CoxZph(terms=names, chisq=np.array(chisq),
                  df=np.array(df, dtype=float), p=np.array(pv), transform=transform)
