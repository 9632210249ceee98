"""Analysis of deviance of Cox fits: ``anova(fit)`` and ``anova(fit1, fit2, ...)``
(survival 3.5-3, ``R/anova.coxph.R`` and ``R/anova.coxphlist.R``).

One fit: the terms are added one at a time. The model with the first k
terms is refitted as R refits it, ``coxph(Y ~ X[, assign <= k] +
strata(strats) [+ offset(fit$offset)], ties = fit$method)`` on the fit's
model matrix and (timefixed) response: default control, **no case weights**
(R's sub-models drop them; the last row is the fit itself, weighted), the
centred offset. The table's rows are NULL (the log-likelihood at the initial
values) and each term: ``Chisq = 2 diff(loglik)``, ``Df = diff(df)`` (df: the
coefficients that are not NA).

Several fits: ``Chisq = |2 diff(loglik)|``, ``Df = |diff(df)|`` between
successive fits, which must share the ties method and the number of rows;
a fit whose response differs from the first's is dropped with R's warning.

R's refusals are kept: robust variances ("Can't do anova tables with robust
variances"), an offset without strata, where anova.coxph calls a misspelt
``offet()`` and fails, and the null model, where its loop fails.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from rparity_contract.calls import CoxCall
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.formula import parse_formula
from rparity_contract.formula.expr import deparse
from rparity_contract.results.cox import CoxAnova, CoxPH

from .._rmath import pchisq_upper
from .inputs import prepare_inputs
from .refit import fit_data, refuse_unclassed

__all__ = ["coxph_anova"]


def coxph_anova(fit: CoxPH, *others: CoxPH) -> CoxAnova:
    """``anova(fit)``: terms added sequentially; ``anova(fit, other, ...)``: the
    fits compared in turn (see the module)."""
    for f in (fit, *others):
        refuse_unclassed(f, "anova", "no applicable method for 'anova' applied to an object of class \"list\"")
    fits = [fit, *others]
    for f in fits:
        if not isinstance(f, CoxPH):
            raise InvalidArgument(f"anova takes Cox fits (CoxPH); got {type(f).__name__} (R: 'All arguments must "
                                  "be Cox models')", kind="fit.type")
        if f.robust_score_test is not None:
            raise InvalidArgument("Can't do anova tables with robust variances (R's error): refit with "
                                  "robust=False", kind="anova.robust")
    if others:
        return _anova_list(fits)
    return _anova_terms(fit)


def _df(f: CoxPH) -> int:
    return int(np.sum(~np.isnan(np.asarray(f.coef, dtype=float))))


def _anova_terms(fit: CoxPH) -> CoxAnova:
    from .coxph import _fit, check_prefit

    fd = fit_data(fit)
    prep = fd.prep
    nterms = len(fit.assign)
    if nterms == 0:
        raise InvalidArgument("anova of the null model (no covariates): R's anova.coxph fails ('length.out' must "
                              "be a non-negative number)", kind="anova.null")
    if prep.offset is not None and not prep.strata_term and nterms > 1:
        raise InvalidArgument("anova of a fit with an offset and no strata: R's anova.coxph calls offet() here "
                              "and fails (could not find function \"offet\")", kind="anova.offset")
    loglik = np.zeros(nterms + 1)
    df = np.zeros(nterms + 1)
    loglik[0] = fit.loglik[0]
    loglik[nterms] = fit.loglik[-1]
    df[nterms] = _df(fit)
    start, stop = fd.times()
    strata = None
    if prep.strata_term:
        strata = prep.strata if prep.strata is not None else np.zeros(stop.size, dtype=np.intp)
    warns: list[str] = []
    for k in range(1, nterms):
        cols = sorted(c for a in fit.assign[:k] for c in a)
        X = pd.DataFrame({f"x{j + 1}": prep.x[:, c] for j, c in enumerate(cols)})
        call = CoxCall(X=X, time=stop, event=prep.event.astype(float), ties=fit.method, strata=strata,
                       start=start, offset=prep.offset)
        sub_prep = prepare_inputs(call)
        check_prefit(sub_prep)
        sub = _fit(sub_prep)
        warns += list(sub.warnings)
        loglik[k] = sub.loglik[-1]
        df[k] = _df(sub)
    chisq = np.concatenate(([np.nan], 2 * np.diff(loglik)))
    ddf = np.concatenate(([np.nan], np.diff(df)))
    rows = ("NULL", *fit.term_names[:nterms])
    return CoxAnova(rows=rows, loglik=loglik, chisq=chisq, df=ddf, pvalue=_pvalue(chisq, ddf),
                    warnings=tuple(dict.fromkeys(warns)))


def _pvalue(chisq: np.ndarray, df: np.ndarray) -> np.ndarray:
    out = np.full(chisq.size, np.nan)
    ok = ~np.isnan(chisq)
    out[ok] = pchisq_upper(chisq[ok], df[ok])
    return out


def _response(f: CoxPH) -> str:
    """The fit's response as R deparses it (``formula(x)[[2]]``); the array form's is R's own."""
    call = f.call
    if call is None or call.formula is None:
        return "Surv(time)" if call is not None and call.event is None else "Surv(time, event)"
    text = call.formula if isinstance(call.formula, str) else call.formula.text
    mf = parse_formula(text, None, check_columns=False)
    assert mf.response is not None
    return f"Surv({', '.join(deparse(a) for a in mf.response.args)})"


def _anova_list(fits: list[CoxPH]) -> CoxAnova:
    ties = [f.method for f in fits]
    if any(t != ties[0] for t in ties):
        raise InvalidArgument("all models must have the same ties option (R's error)", kind="anova.ties")
    responses = [_response(f) for f in fits]
    warns: list[str] = []
    same = [r == responses[0] for r in responses]
    if not all(same):
        dropped = [r for r, s in zip(responses, same) if not s]
        # paste("Models with response", deparse(responses[!sameresp]), "removed because ...")
        quoted = [f'"{r}"' for r in dropped]
        shown = quoted[0] if len(quoted) == 1 else f"c({', '.join(quoted)})"
        msg = f"Models with response {shown} removed because response differs from model 1"
        warns.append(msg)
        warnings.warn(RParityWarning(msg), stacklevel=3)
        fits = [f for f, s in zip(fits, same) if s]
    ns = [f.n for f in fits]
    if any(n != ns[0] for n in ns):
        raise InvalidArgument("models were not all fit to the same size of dataset (R's error)",
                              kind="anova.rows")
    if len(fits) == 1:
        out = _anova_terms(fits[0])
        return out.evolve(warnings=tuple(warns) + out.warnings)  # type: ignore[return-value]
    loglik = np.array([float(f.loglik[-1]) for f in fits])
    df = np.array([float(_df(f)) for f in fits])
    chisq = np.concatenate(([np.nan], np.abs(2 * np.diff(loglik))))
    ddf = np.concatenate(([np.nan], np.abs(np.diff(df))))
    return CoxAnova(rows=tuple(str(i + 1) for i in range(len(fits))), loglik=loglik, chisq=chisq, df=ddf,
                    pvalue=_pvalue(chisq, ddf), warnings=tuple(warns))
